/* propose_db.c: the proposal layer's tables; see propose_db.h.  Their
 * schema is steps 4-5 (schema_propose.c). */
#include "rows_int.h"
#include "propose_db.h"

#include <stdio.h>
#include <string.h>

/* ---- rule state ---- */

static const char state_get_sql[] =
    "SELECT armed, last_fired FROM rule_state WHERE device_id = ?1 AND rule = ?2";
static const char state_put_sql[] =
    "INSERT INTO rule_state (device_id, rule, armed, last_fired, last_decision, last_eval)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT (device_id, rule) DO UPDATE SET armed = excluded.armed,"
    " last_fired = excluded.last_fired, last_decision = excluded.last_decision,"
    " last_eval = excluded.last_eval";

int hr_db_rule_state_get(struct hr_db *db, int64_t device, const char *rule, int *armed,
                         int64_t *last_fired)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = hr_db_row(db, &st, state_get_sql, "It", device, rule)) <= 0)
        return rc;
    hr_db_cols(st, "iI", armed, last_fired);
    sqlite3_reset(st);
    return 1;
}

int hr_db_rule_state_put(struct hr_db *db, int64_t device, const char *rule, int armed,
                         int64_t last_fired, const char *decision, int64_t now)
{
    return hr_db_run(db, state_put_sql, "ItiItI", device, rule, armed, last_fired, decision,
                     now);
}

/* ---- customers, staff, catalogue ---- */

static const char customer_sql[] =
    "SELECT name, area_code, assigned_staff, consent_sales FROM customers WHERE id = ?1";

int hr_db_customer_routing(struct hr_db *db, const char *id, char **name, char **area_code,
                           char **assigned, int *consent)
{
    char **const dst[] = { name, area_code, assigned };
    sqlite3_stmt *st;
    int rc;

    if ((rc = hr_db_row(db, &st, customer_sql, "t", id)) <= 0)
        return rc;
    hr_db_cols(st, "---i", consent);
    rc = hr_db_cols_dup(db, st, dst, 3);
    sqlite3_reset(st);
    return rc < 0 ? -1 : 1;
}

static const char staff_sql[] =
    "SELECT id, name, email, area_codes, product_lines, role FROM staff ORDER BY id";

int hr_db_staff_each(struct hr_db *db, int (*fn)(void *arg, const struct hr_db_staff *s),
                     void *arg)
{
    sqlite3_stmt *st = hr_db_stmt(db, staff_sql);
    struct hr_db_staff s;
    int rc, ret = 0;

    if (!st)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        hr_db_cols(st, "ssssss", &s.id, &s.name, &s.email, &s.area_codes, &s.product_lines,
                   &s.role);
        if ((ret = fn(arg, &s)) != 0)
            break;
    }
    return hr_db_loop_end(st, rc, ret);
}

static const char product_sql[] =
    "SELECT name, product_line, options, supplies, rated_window FROM catalog_products"
    " WHERE model_number = ?1";

int hr_db_catalog_product(struct hr_db *db, const char *model_number, struct hr_db_product *p)
{
    char **const dst[] = { &p->name, &p->product_line, &p->options, &p->supplies };
    sqlite3_stmt *st;
    int rc;

    if ((rc = hr_db_row(db, &st, product_sql, "t", model_number)) <= 0)
        return rc;
    hr_db_cols(st, "----I", &p->rated_window);
    rc = hr_db_cols_dup(db, st, dst, 4);
    sqlite3_reset(st);
    return rc < 0 ? -1 : 1;
}

static const char product_put_sql[] =
    "INSERT INTO catalog_products (model_number, name, product_line, rated_load,"
    " rated_window, max_capacity, options, supplies, latest_firmware)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (model_number) DO UPDATE SET"
    " name = excluded.name, product_line = excluded.product_line,"
    " rated_load = excluded.rated_load, rated_window = excluded.rated_window,"
    " max_capacity = excluded.max_capacity, options = excluded.options,"
    " supplies = excluded.supplies, latest_firmware = excluded.latest_firmware";
static const char firmware_put_sql[] =
    "INSERT INTO catalog_firmware (model_number, version, release_date) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (model_number, version) DO UPDATE SET release_date = excluded.release_date";

int hr_db_catalog_product_put(struct hr_db *db, const struct hr_db_catalog_row *r)
{
#define OR_EMPTY(s) ((s) ? (s) : "")
    return hr_db_run(db, product_put_sql, "tttjjjtte", r->model_number, OR_EMPTY(r->name),
                     OR_EMPTY(r->product_line), r->rated_load >= 0, r->rated_load,
                     r->rated_window >= 0, r->rated_window, r->max_capacity >= 0,
                     r->max_capacity, OR_EMPTY(r->options), OR_EMPTY(r->supplies),
                     r->latest_firmware);
#undef OR_EMPTY
}

int hr_db_catalog_firmware_put(struct hr_db *db, const char *model_number,
                               const char *version, int64_t release_date)
{
    return hr_db_run(db, firmware_put_sql, "ttI", model_number, version, release_date);
}

int hr_db_catalog_clear(struct hr_db *db, int firmware)
{
    char err[256];

    if (hr_db_exec(db, firmware ? "DELETE FROM catalog_firmware" : "DELETE FROM catalog_products",
                   err, sizeof err) < 0) {
        hr_db_seterr(db, "%s", err);
        return -1;
    }
    return 0;
}

static const char catalog_list_sql[] =
    "SELECT p.model_number, p.name, p.product_line, p.rated_load, p.rated_window,"
    " p.max_capacity, p.options, p.supplies, p.latest_firmware,"
    " (SELECT group_concat(version || '@' || date(release_date, 'unixepoch'), ' ')"
    "  FROM (SELECT * FROM catalog_firmware f WHERE f.model_number = p.model_number"
    "  ORDER BY release_date))"
    " FROM catalog_products p ORDER BY p.model_number";

int hr_db_catalog_list(struct hr_db *db, int (*fn)(void *arg, const char *const *vals),
                       void *arg)
{
    sqlite3_stmt *st = hr_db_stmt(db, catalog_list_sql);

    return st ? hr_db_each_text(db, st, fn, arg) : -1;
}

/* ---- stock ---- */

static const char stock_sku_sql[] =
    "SELECT sku, store_id, store_name, quantity, lead_time_days, transit_days FROM stock"
    " WHERE sku = ?1 ORDER BY store_id";
static const char stock_all_sql[] =
    "SELECT sku, store_id, store_name, quantity, lead_time_days, transit_days FROM stock"
    " ORDER BY sku, store_id";
static const char stock_put_sql[] =
    "INSERT INTO stock (sku, store_id, store_name, quantity, lead_time_days, transit_days)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

int hr_db_stock_each(struct hr_db *db, const char *sku,
                     int (*fn)(void *arg, const struct hr_db_stock *s), void *arg)
{
    sqlite3_stmt *st = sku ? hr_db_prep(db, stock_sku_sql, "t", sku)
                           : hr_db_stmt(db, stock_all_sql);
    struct hr_db_stock s;
    int rc, ret = 0;

    if (!st)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        hr_db_cols(st, "sssIII", &s.sku, &s.store_id, &s.store_name, &s.quantity,
                   &s.lead_time_days, &s.transit_days);
        if ((ret = fn(arg, &s)) != 0)
            break;
    }
    return hr_db_loop_end(st, rc, ret);
}

int hr_db_stock_put(struct hr_db *db, const struct hr_db_stock *s, int *dup)
{
    sqlite3_stmt *st;

    *dup = 0;
    if (!(st = hr_db_prep(db, stock_put_sql, "tttIII", s->sku, s->store_id,
                          s->store_name ? s->store_name : "", s->quantity, s->lead_time_days,
                          s->transit_days)))
        return -1;
    if (hr_db_step_done(db, st) < 0) {
        *dup = sqlite3_extended_errcode(db->sq) == SQLITE_CONSTRAINT_PRIMARYKEY;
        return -1;
    }
    return 0;
}

int hr_db_stock_clear(struct hr_db *db)
{
    char err[256];

    if (hr_db_exec(db, "DELETE FROM stock", err, sizeof err) < 0) {
        hr_db_seterr(db, "%s", err);
        return -1;
    }
    return 0;
}

/* ---- proposals ---- */

static const char next_id_sql[] = "SELECT COALESCE(max(id), 0) + 1 FROM proposals";

int64_t hr_db_proposals_next_id(struct hr_db *db)
{
    sqlite3_stmt *st = hr_db_stmt(db, next_id_sql);
    int64_t id = -1;

    if (!st)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return id;
}

static const char proposal_insert_sql[] =
    "INSERT INTO proposals (created, device_id, serial, customer, rule, family,"
    " severity, why, subject, proposal, skus, full_time, state, reason, staff_id,"
    " recipient, route) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
    " ?13, ?14, ?15, ?16, ?17)";

int64_t hr_db_proposal_insert(struct hr_db *db, const struct hr_db_proposal *p)
{
    if (hr_db_run(db, proposal_insert_sql, "IItttttttttjttttt", p->created, p->device_id,
                  p->serial, p->customer, p->rule, p->family, p->severity, p->why, p->subject,
                  p->text, p->skus, p->full_time != 0, p->full_time, p->state, p->reason,
                  p->staff_id, p->recipient, p->route) < 0)
        return -1;
    return sqlite3_last_insert_rowid(db->sq);
}

static const char proposal_stock_sql[] =
    "INSERT INTO proposal_stock (proposal_id, sku, rank, store_id, store_name, quantity,"
    " in_stock, delivery_date) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

int hr_db_proposal_stock_insert(struct hr_db *db, const struct hr_db_proposal_stock *s)
{
    int store = s->store_id != NULL;

    return hr_db_run(db, proposal_stock_sql, "ItIttjjt", s->proposal_id, s->sku, s->rank,
                     store ? s->store_id : NULL, store ? s->store_name : NULL, store,
                     s->quantity, store, (int64_t)s->in_stock,
                     store ? s->delivery_date : NULL);
}

static const char queued_sql[] =
    "UPDATE proposals SET state = 'queued', outbox_id = ?1, cc = ?2 WHERE id = ?3";

int hr_db_proposal_queued(struct hr_db *db, int64_t id, int64_t outbox_id, const char *cc)
{
    return hr_db_run(db, queued_sql, "ItI", outbox_id, cc, id);
}

static const char unsent_sql[] =
    "SELECT count(*) FROM proposals WHERE id >= ?1 AND state IN ('queued', 'failed')";

int hr_db_proposals_unsent(struct hr_db *db, int64_t first_id)
{
    sqlite3_stmt *st = hr_db_prep(db, unsent_sql, "I", first_id);
    int n = -1;

    if (!st)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    return n;
}

const char *const hr_db_proposals_cols[] = {
    "id", "created", "customer", "serial", "rule", "severity", "state", "reason",
    "recipient", "route", "cc", "full_date", "skus", "stock", "sent_at", "outbox_id",
    "subject",
};
const size_t hr_db_proposals_ncols = sizeof hr_db_proposals_cols / sizeof hr_db_proposals_cols[0];

static const char proposals_sql[] =
    "SELECT p.id, datetime(p.created, 'unixepoch'), p.customer, p.serial, p.rule,"
    " p.severity, p.state, p.reason, p.recipient, p.route, p.cc,"
    " date(p.full_time, 'unixepoch'), p.skus,"
    " (SELECT group_concat(sku || ':' || COALESCE(store_id || '/' || quantity || '/'"
    "   || CASE in_stock WHEN 1 THEN 'stock' ELSE 'order' END || '/' || delivery_date,"
    "   'none'), ' ') FROM proposal_stock s WHERE s.proposal_id = p.id AND s.rank = 0),"
    " datetime(p.sent_at, 'unixepoch'), p.outbox_id, p.subject"
    " FROM proposals p"
    " WHERE (?1 IS NULL OR p.customer = ?1) AND (?2 IS NULL OR p.state = ?2)"
    " AND (?3 IS NULL OR (p.staff_id = ?3 AND p.reason IS NOT 'no consent'))"
    " ORDER BY p.id";

int hr_db_proposals_list(struct hr_db *db, const char *customer, const char *state,
                         const char *staff, int (*fn)(void *arg, const char *const *vals),
                         void *arg)
{
    sqlite3_stmt *st = hr_db_prep(db, proposals_sql, "ttt", customer, state, staff);

    return st ? hr_db_each_text(db, st, fn, arg) : -1;
}
