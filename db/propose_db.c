/* propose_db.c: the proposal layer's tables; see propose_db.h.  Their
 * schema is steps 4-5 (schema_propose.c). */
#include "rows_int.h"
#include "propose_db.h"

#include <stdio.h>
#include <string.h>

static const char *col_text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

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
    sqlite3_stmt *st = hr_db_stmt(db, state_get_sql);
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, device);
    sqlite3_bind_text(st, 2, rule, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *armed = sqlite3_column_int(st, 0);
        *last_fired = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int hr_db_rule_state_put(struct hr_db *db, int64_t device, const char *rule, int armed,
                         int64_t last_fired, const char *decision, int64_t now)
{
    sqlite3_stmt *st = hr_db_stmt(db, state_put_sql);

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, device);
    sqlite3_bind_text(st, 2, rule, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, armed);
    sqlite3_bind_int64(st, 4, last_fired);
    sqlite3_bind_text(st, 5, decision, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 6, now);
    return hr_db_step_done(db, st);
}

/* ---- customers, staff, catalogue ---- */

static const char customer_sql[] =
    "SELECT name, area_code, assigned_staff, consent_sales FROM customers WHERE id = ?1";

int hr_db_customer_routing(struct hr_db *db, const char *id, char **name, char **area_code,
                           char **assigned, int *consent)
{
    sqlite3_stmt *st = hr_db_stmt(db, customer_sql);
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? 0 : -1;
    }
    *consent = sqlite3_column_int(st, 3);
    rc = hr_db_col_dup(db, st, 0, name) | hr_db_col_dup(db, st, 1, area_code) |
         hr_db_col_dup(db, st, 2, assigned);
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
        s = (struct hr_db_staff){ col_text(st, 0), col_text(st, 1), col_text(st, 2),
                                  col_text(st, 3), col_text(st, 4), col_text(st, 5) };
        if ((ret = fn(arg, &s)) != 0)
            break;
    }
    sqlite3_reset(st);
    return ret ? ret : rc == SQLITE_DONE ? 0 : -1;
}

static const char product_sql[] =
    "SELECT name, product_line, options, supplies, rated_window FROM catalog_products"
    " WHERE model_number = ?1";

int hr_db_catalog_product(struct hr_db *db, const char *model_number, struct hr_db_product *p)
{
    sqlite3_stmt *st = hr_db_stmt(db, product_sql);
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, model_number, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? 0 : -1;
    }
    p->rated_window = sqlite3_column_int64(st, 4);
    rc = hr_db_col_dup(db, st, 0, &p->name) | hr_db_col_dup(db, st, 1, &p->product_line) |
         hr_db_col_dup(db, st, 2, &p->options) | hr_db_col_dup(db, st, 3, &p->supplies);
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
    sqlite3_stmt *st = hr_db_stmt(db, product_put_sql);

    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, r->model_number, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, r->name ? r->name : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, r->product_line ? r->product_line : "", -1, SQLITE_TRANSIENT);
    hr_db_bind_i64_if(st, 4, r->rated_load >= 0, r->rated_load);
    hr_db_bind_i64_if(st, 5, r->rated_window >= 0, r->rated_window);
    hr_db_bind_i64_if(st, 6, r->max_capacity >= 0, r->max_capacity);
    sqlite3_bind_text(st, 7, r->options ? r->options : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, r->supplies ? r->supplies : "", -1, SQLITE_TRANSIENT);
    hr_db_bind_opt_text(st, 9, r->latest_firmware, 1);
    return hr_db_step_done(db, st);
}

int hr_db_catalog_firmware_put(struct hr_db *db, const char *model_number,
                               const char *version, int64_t release_date)
{
    sqlite3_stmt *st = hr_db_stmt(db, firmware_put_sql);

    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, model_number, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, version, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, release_date);
    return hr_db_step_done(db, st);
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
    sqlite3_stmt *st = hr_db_stmt(db, sku ? stock_sku_sql : stock_all_sql);
    struct hr_db_stock s;
    int rc, ret = 0;

    if (!st)
        return -1;
    if (sku)
        sqlite3_bind_text(st, 1, sku, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        s.sku = col_text(st, 0);
        s.store_id = col_text(st, 1);
        s.store_name = col_text(st, 2);
        s.quantity = sqlite3_column_int64(st, 3);
        s.lead_time_days = sqlite3_column_int64(st, 4);
        s.transit_days = sqlite3_column_int64(st, 5);
        if ((ret = fn(arg, &s)) != 0)
            break;
    }
    sqlite3_reset(st);
    return ret ? ret : rc == SQLITE_DONE ? 0 : -1;
}

int hr_db_stock_put(struct hr_db *db, const struct hr_db_stock *s, int *dup)
{
    sqlite3_stmt *st = hr_db_stmt(db, stock_put_sql);

    *dup = 0;
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, s->sku, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, s->store_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, s->store_name ? s->store_name : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, s->quantity);
    sqlite3_bind_int64(st, 5, s->lead_time_days);
    sqlite3_bind_int64(st, 6, s->transit_days);
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
    sqlite3_stmt *st = hr_db_stmt(db, proposal_insert_sql);

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, p->created);
    sqlite3_bind_int64(st, 2, p->device_id);
    sqlite3_bind_text(st, 3, p->serial, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, p->customer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, p->rule, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, p->family, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, p->severity, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, p->why, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 9, p->subject, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 10, p->text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 11, p->skus, -1, SQLITE_TRANSIENT);
    hr_db_bind_i64_if(st, 12, p->full_time != 0, p->full_time);
    sqlite3_bind_text(st, 13, p->state, -1, SQLITE_TRANSIENT);
    hr_db_bind_opt_text(st, 14, p->reason, 0);
    hr_db_bind_opt_text(st, 15, p->staff_id, 0);
    hr_db_bind_opt_text(st, 16, p->recipient, 0);
    sqlite3_bind_text(st, 17, p->route, -1, SQLITE_TRANSIENT);
    if (hr_db_step_done(db, st) < 0)
        return -1;
    return sqlite3_last_insert_rowid(db->sq);
}

static const char proposal_stock_sql[] =
    "INSERT INTO proposal_stock (proposal_id, sku, rank, store_id, store_name, quantity,"
    " in_stock, delivery_date) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

int hr_db_proposal_stock_insert(struct hr_db *db, const struct hr_db_proposal_stock *s)
{
    sqlite3_stmt *st = hr_db_stmt(db, proposal_stock_sql);
    int store = s->store_id != NULL;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, s->proposal_id);
    sqlite3_bind_text(st, 2, s->sku, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, s->rank);
    hr_db_bind_opt_text(st, 4, store ? s->store_id : NULL, 0);
    hr_db_bind_opt_text(st, 5, store ? s->store_name : NULL, 0);
    hr_db_bind_i64_if(st, 6, store, s->quantity);
    hr_db_bind_i64_if(st, 7, store, s->in_stock);
    hr_db_bind_opt_text(st, 8, store ? s->delivery_date : NULL, 0);
    return hr_db_step_done(db, st);
}

static const char queued_sql[] =
    "UPDATE proposals SET state = 'queued', outbox_id = ?1, cc = ?2 WHERE id = ?3";

int hr_db_proposal_queued(struct hr_db *db, int64_t id, int64_t outbox_id, const char *cc)
{
    sqlite3_stmt *st = hr_db_stmt(db, queued_sql);

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, outbox_id);
    sqlite3_bind_text(st, 2, cc, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, id);
    return hr_db_step_done(db, st);
}

static const char unsent_sql[] =
    "SELECT count(*) FROM proposals WHERE id >= ?1 AND state IN ('queued', 'failed')";

int hr_db_proposals_unsent(struct hr_db *db, int64_t first_id)
{
    sqlite3_stmt *st = hr_db_stmt(db, unsent_sql);
    int n = -1;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, first_id);
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
    sqlite3_stmt *st = hr_db_stmt(db, proposals_sql);

    if (!st)
        return -1;
    hr_db_bind_opt_text(st, 1, customer, 0);
    hr_db_bind_opt_text(st, 2, state, 0);
    hr_db_bind_opt_text(st, 3, staff, 0);
    return hr_db_each_text(db, st, fn, arg);
}
