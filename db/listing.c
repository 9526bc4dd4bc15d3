/* listing.c: the listings of the `headroom` commands; see listing.h. */
#include "rows_int.h"
#include "listing.h"

#include <stdint.h>
#include <stdlib.h>

static const char fleet_list_sql[] =
    "SELECT id, name, customer, address || ':' || port AS address, transport,"
    " 'v' || version AS version,"
    " CASE WHEN version = '3' THEN 'user=' || v3_user || ' ' || v3_level ||"
    "   CASE WHEN v3_level != 'noAuthNoPriv' THEN ' ' || v3_auth_proto || ':***' ELSE '' END ||"
    "   CASE WHEN v3_level = 'authPriv' THEN ' ' || v3_priv_proto || ':***' ELSE '' END ||"
    "   CASE WHEN v3_write THEN ' write' ELSE '' END"
    " ELSE 'community=***' ||"
    "   CASE WHEN write_community != '' THEN ' write=***' ELSE '' END END AS credentials,"
    " CASE WHEN enabled THEN 'yes' ELSE 'no' END AS enabled,"
    " profile, coalesce(detected_profile, '-') AS detected,"
    " coalesce(last_status, 'never') AS status,"
    " CASE WHEN last_poll IS NULL THEN '-' ELSE strftime('%Y-%m-%dT%H:%M:%SZ', last_poll,"
    "   'unixepoch') END AS last_poll,"
    " (SELECT count(*) FROM devices d WHERE d.target_id = targets.id) AS devices"
    " FROM targets WHERE ?1 IS NULL OR customer = ?1 ORDER BY customer, name";

static const char conflicts_sql[] =
    "SELECT c.serial, c.registered_customer AS registered_to, d.reg_number,"
    " c.claiming_customer AS seen_at, coalesce(t.name, '-') AS seen_via,"
    " strftime('%Y-%m-%dT%H:%M:%SZ', c.first_seen, 'unixepoch') AS first_seen,"
    " strftime('%Y-%m-%dT%H:%M:%SZ', c.last_seen, 'unixepoch') AS last_seen,"
    " c.times_seen, coalesce(c.resolution, 'open') AS resolution,"
    " (SELECT count(*) FROM conflict_samples k WHERE k.conflict_id = c.id"
    "  AND k.side = 'claiming') AS samples_apart"
    " FROM conflicts c LEFT JOIN devices d ON d.id = c.device_id"
    " LEFT JOIN targets t ON t.id = c.claiming_target"
    " WHERE ?1 IS NOT NULL OR c.resolution IS NULL ORDER BY c.first_seen, c.serial";

/* The raw polls and the daily records (db/daily.h: the seed's
 * date-ordered record of a customer's products, one row per device per
 * UTC day), each in three forms, so that SQLite sees the one filter given
 * as a key: by device (its rows by key), by customer (its devices through
 * devices_customer, then each one's rows by key), or the whole fleet in a
 * time range.  "?1 IS NULL OR ..." would hide the filter from the planner,
 * which then reads the whole range of every device (51 s for one
 * device's raw polls at 100,000 devices). */
#define HISTORY_SELECT \
    "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', s.time, 'unixepoch') AS time, d.customer," \
    " coalesce(d.serial, '(' || d.name || ')') AS device, s.capacity, s.used," \
    " s.used_percent, s.writes_delta, s.peak, s.peak_prev, s.rate_avg," \
    " hr_status(s.status) AS status" \
    " FROM raw_polls s JOIN devices d ON d.id = s.device_id" \
    " WHERE s.time >= ?3 AND s.time < ?4"
#define HISTORY_ORDER " ORDER BY s.time, d.customer, device"
#define DAILY_SELECT \
    "SELECT strftime('%Y-%m-%d', s.day, 'unixepoch') AS date, d.customer," \
    " coalesce(d.serial, '(' || d.name || ')') AS device, s.capacity, s.used," \
    " s.used_max, s.cmax, s.cmax_prev," \
    " CASE WHEN s.rate_n > 0 THEN CAST(round(CAST(s.rate_sum AS REAL) / s.rate_n) AS INTEGER)" \
    " END AS rate_avg, s.writes_delta, s.firmware, s.samples AS polls," \
    " hr_status(s.flags) AS status" \
    " FROM daily s JOIN devices d ON d.id = s.device_id" \
    " WHERE s.day >= ?3 - ((?3 % 86400) + 86400) % 86400 AND s.day < ?4"
#define DAILY_ORDER " ORDER BY s.day, d.customer, device"
#define BY_DEVICE " AND s.device_id = ?2 AND d.id = ?2 AND (?1 IS NULL OR d.customer = ?1)"
#define BY_CUSTOMER " AND d.customer = ?1 AND ?2 IS NULL"
#define BY_NONE " AND ?1 IS NULL AND ?2 IS NULL"
static const char *const history_sql[2][3] = {
    { HISTORY_SELECT BY_DEVICE HISTORY_ORDER, HISTORY_SELECT BY_CUSTOMER HISTORY_ORDER,
      HISTORY_SELECT BY_NONE HISTORY_ORDER },
    { DAILY_SELECT BY_DEVICE DAILY_ORDER, DAILY_SELECT BY_CUSTOMER DAILY_ORDER,
      DAILY_SELECT BY_NONE DAILY_ORDER },
};

static const char customers_sql[] =
    "SELECT id, name, area_code, assigned_staff,"
    " CASE WHEN consent_sales THEN 'yes' ELSE 'no' END AS consent_sales,"
    " (SELECT count(*) FROM targets t WHERE t.customer = c.id) AS targets,"
    " (SELECT count(*) FROM devices d WHERE d.customer = c.id) AS devices"
    " FROM customers c ORDER BY id";
static const char staff_sql[] =
    "SELECT id, name, email, area_codes, product_lines, role FROM staff ORDER BY id";

struct hr_db_rows {
    struct hr_db *db;
    sqlite3_stmt *st;
};

struct status_fn {
    void (*text)(unsigned status, char *buf, size_t sz);
};

/* hr_status(samples.status): the caller's words for the bits. */
static void status_words(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const struct status_fn *f = sqlite3_user_data(ctx);
    char buf[256];

    (void)argc;
    if (!f->text) {
        sqlite3_result_int(ctx, sqlite3_value_int(argv[0]));
        return;
    }
    buf[0] = '\0';
    f->text((unsigned)sqlite3_value_int(argv[0]), buf, sizeof buf);
    sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

struct hr_db_rows *hr_db_list(struct hr_db *db, enum hr_db_listing which,
                              const struct hr_db_list_params *p)
{
    static const struct hr_db_list_params none = { .until = INT64_MAX };
    /* The function must outlive the statement; one per process is enough
     * (the CLI lists once). */
    static struct status_fn sf;
    struct hr_db_rows *r;
    sqlite3_stmt *st = NULL;

    if (!p)
        p = &none;
    switch (which) {
    case HR_DB_LIST_TARGETS:
        st = hr_db_prep(db, fleet_list_sql, "t", p->customer);
        break;
    case HR_DB_LIST_CONFLICTS:
        st = hr_db_prep(db, conflicts_sql, "j", p->all, (int64_t)1);
        break;
    case HR_DB_LIST_CUSTOMERS:
        st = hr_db_stmt(db, customers_sql);
        break;
    case HR_DB_LIST_STAFF:
        st = hr_db_stmt(db, staff_sql);
        break;
    case HR_DB_LIST_HISTORY:
    case HR_DB_LIST_DAILY:
        sf.text = p->status_text;
        if (sqlite3_create_function(db->sq, "hr_status", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                    &sf, status_words, NULL, NULL) != SQLITE_OK)
            return NULL;
        st = hr_db_prep(db, history_sql[which == HR_DB_LIST_DAILY][p->device ? 0
                                                                   : p->customer ? 1 : 2],
                        "tjII", p->customer, p->device != 0, p->device, p->since, p->until);
        break;
    }
    if (!st)
        return NULL;
    r = calloc(1, sizeof *r);
    if (!r) {
        hr_db_seterr(db, "out of memory");
        return NULL;
    }
    r->db = db;
    r->st = st;
    return r;
}

int hr_db_rows_ncols(const struct hr_db_rows *r)
{
    return sqlite3_column_count(r->st);
}

const char *hr_db_rows_name(const struct hr_db_rows *r, int i)
{
    return sqlite3_column_name(r->st, i);
}

int hr_db_rows_next(struct hr_db_rows *r)
{
    int rc = sqlite3_step(r->st);

    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : -1;
}

const char *hr_db_rows_text(const struct hr_db_rows *r, int i)
{
    return (const char *)sqlite3_column_text(r->st, i);
}

void hr_db_rows_free(struct hr_db_rows *r)
{
    if (!r)
        return;
    sqlite3_reset(r->st);   /* the statement stays cached in the handle */
    free(r);
}
