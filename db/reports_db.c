/* reports_db.c: the reports' queries; see reports_db.h. */
#include "rows_int.h"
#include "reports_db.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char customer_sql[] =
    "SELECT c.id, c.name, c.area_code, NULLIF(c.assigned_staff, ''), s.name, s.email,"
    " CASE c.consent_sales WHEN 1 THEN 'yes' ELSE 'no' END,"
    " (SELECT count(*) FROM devices WHERE customer = c.id)"
    " FROM customers c LEFT JOIN staff s ON s.id = c.assigned_staff WHERE c.id = ?1";
static const char proposals_sql[] =
    "SELECT id, created, serial, rule, severity, state, sent_at,"
    " COALESCE(NULLIF(staff_id, ''), recipient), skus, why, proposal FROM proposals"
    " WHERE customer = ?1 AND state <> 'suppressed' ORDER BY created, id";
static const char proposal_stock_sql[] =
    "SELECT ps.proposal_id, ps.sku, ps.rank,"
    " COALESCE(NULLIF(ps.store_name, ''), ps.store_id, 'no store lists it'), ps.quantity,"
    " CASE ps.in_stock WHEN 1 THEN 'yes' WHEN 0 THEN 'no' END, ps.delivery_date"
    " FROM proposal_stock ps JOIN proposals p ON p.id = ps.proposal_id"
    " WHERE p.customer = ?1 AND p.state <> 'suppressed'"
    " ORDER BY ps.proposal_id, ps.sku, ps.rank";
static const char registrations_sql[] =
    "SELECT reg_number, serial, registered, source, state, agent_set"
    " FROM registrations WHERE customer = ?1 ORDER BY registered, reg_number";
static const char conflicts_sql[] =
    "SELECT c.serial, c.registered_customer, c.claiming_customer, t.name, c.first_seen,"
    " c.last_seen, c.times_seen, COALESCE(c.resolution, 'open')"
    " FROM conflicts c LEFT JOIN targets t ON t.id = c.claiming_target"
    " WHERE c.registered_customer = ?1 OR c.claiming_customer = ?1"
    " ORDER BY c.first_seen, c.id";
static const char unreachable_sql[] =
    "SELECT name, customer, address || ':' || port, COALESCE(last_status, 'never polled'),"
    " state_since, last_ok, last_rtt_ms, failures, last_error FROM targets"
    " WHERE enabled = 1 AND (last_status IS NULL OR last_status <> 'ok')"
    " ORDER BY last_status IS NULL, state_since, name";
/* The store keeps 0 for a value it could not read (profiles/read.h
 * HR_PV_*): BAD (8) lost both, IMPLAUSIBLE (16) with used 0 came from a
 * free above the size.  Those are unknown, not 0; the percentage only for
 * a volume that is counted. */
static const char volumes_sql[] =
    "SELECT name, CASE WHEN flags & 8 THEN NULL ELSE capacity END,"
    " CASE WHEN flags & 8 OR (flags & 16 AND used = 0) THEN NULL ELSE used END,"
    " CASE WHEN flags & 30 = 0 AND capacity > 0 THEN round(100.0 * used / capacity, 1) END,"
    " CASE WHEN flags & 8 THEN 'no: a value is missing or not a number'"
    " WHEN flags & 4 THEN 'no: size 0' WHEN flags & 16 THEN 'no: used above size'"
    " WHEN flags & 2 THEN 'no: repeats an earlier volume'"
    " WHEN flags & 1 THEN 'yes (negative Integer32 size + 2^32)'"
    " WHEN flags & 32 THEN 'yes (its free space shared with its pool''s other volumes,"
    " counted once)' ELSE 'yes' END,"
    " last_seen FROM volumes WHERE device_id = CAST(?1 AS INTEGER) ORDER BY seq";

int hr_db_report_rows(struct hr_db *db, enum hr_db_report_rows which, const char *key,
                      int (*fn)(void *arg, const char *const *vals), void *arg)
{
    static const char *const sql[] = {
        [HR_DB_RPT_CUSTOMER] = customer_sql,
        [HR_DB_RPT_PROPOSALS] = proposals_sql,
        [HR_DB_RPT_PROPOSAL_STOCK] = proposal_stock_sql,
        [HR_DB_RPT_REGISTRATIONS] = registrations_sql,
        [HR_DB_RPT_CONFLICTS] = conflicts_sql,
        [HR_DB_RPT_UNREACHABLE] = unreachable_sql,
        [HR_DB_RPT_VOLUMES] = volumes_sql,
    };
    sqlite3_stmt *st;

    if ((size_t)which >= sizeof sql / sizeof sql[0]) {
        hr_db_seterr(db, "no such report table");
        return -1;
    }
    if (!(st = hr_db_stmt(db, sql[which])))
        return -1;
    if (which != HR_DB_RPT_UNREACHABLE)
        hr_db_bind_opt_text(st, 1, key, 0);
    return hr_db_each_text(db, st, fn, arg);
}

static const char has_sql[] = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1";

int hr_db_report_has(struct hr_db *db, enum hr_db_report_table t)
{
    static const char *const names[] = {
        [HR_DB_RPT_T_PROPOSALS] = "proposals",
        [HR_DB_RPT_T_PROPOSAL_STOCK] = "proposal_stock",
        [HR_DB_RPT_T_CATALOG_PRODUCTS] = "catalog_products",
        [HR_DB_RPT_T_CATALOG_FIRMWARE] = "catalog_firmware",
    };
    sqlite3_stmt *st;
    int rc = hr_db_row(db, &st, has_sql, "t", names[t]);

    if (rc > 0)
        sqlite3_reset(st);
    return rc;
}

static const char name_sql[] = "SELECT COALESCE(NULLIF(name, ''), id) FROM customers WHERE id = ?1";

int hr_db_report_customer_name(struct hr_db *db, const char *id, char **name)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = hr_db_row(db, &st, name_sql, "t", id)) <= 0)
        return rc;
    rc = hr_db_col_dup(db, st, 0, name);
    sqlite3_reset(st);
    return rc < 0 ? -1 : 1;
}

static const char extra_sql[] =
    "SELECT d.reg_number, d.rrd_file, NULLIF(d.config, ''), NULLIF(d.price, ''),"
    " t.name, d.last_seen FROM devices d LEFT JOIN targets t ON t.id = d.target_id"
    " WHERE d.id = ?1";

int hr_db_report_device_extra(struct hr_db *db, int64_t device, struct hr_db_device_extra *x)
{
    char **const cols[] = { &x->reg_number, &x->rrd_file, &x->config, &x->price, &x->target,
                            &x->last_seen };
    sqlite3_stmt *st;
    int rc;

    hr_db_device_extra_clear(x);
    if ((rc = hr_db_row(db, &st, extra_sql, "I", device)) <= 0)
        return rc;
    rc = hr_db_cols_dup(db, st, cols, 6);
    sqlite3_reset(st);
    if (rc < 0) {
        hr_db_device_extra_clear(x);
        return -1;
    }
    return 1;
}

void hr_db_device_extra_clear(struct hr_db_device_extra *x)
{
    free(x->reg_number);
    free(x->rrd_file);
    free(x->config);
    free(x->price);
    free(x->target);
    free(x->last_seen);
    memset(x, 0, sizeof *x);
}

static const char counts_sql[] =
    "SELECT (SELECT count(*) FROM customers),"
    " (SELECT count(*) FROM targets WHERE enabled = 1),"
    " (SELECT count(*) FROM devices),"
    " (SELECT count(*) FROM targets WHERE enabled = 1 AND last_status = 'ok'),"
    " (SELECT count(*) FROM targets WHERE enabled = 1 AND last_status <> 'ok'),"
    " (SELECT count(*) FROM targets WHERE enabled = 1 AND last_status IS NULL),"
    " (SELECT count(*) FROM conflicts WHERE resolution IS NULL)";

int hr_db_report_fleet_counts(struct hr_db *db, struct hr_db_fleet_counts *c)
{
    sqlite3_stmt *st = hr_db_stmt(db, counts_sql);
    int rc;

    if (!st)
        return -1;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        hr_db_cols(st, "IIIIIII", &c->customers, &c->targets, &c->devices, &c->targets_ok,
                   &c->targets_failed, &c->targets_never, &c->open_conflicts);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : -1;
}
