/* history.c: `headroom history`: a device's or a customer's records in
 * date order (seed 000, paragraph 0043), and `headroom history import` to
 * backfill records from another tool. */
#include "output.h"
#include "db.h"
#include "db_sqlite.h"
#include "cmd.h"
#include "hr_rrd.h"
#include "hr_util.h"
#include "import.h"
#include "store.h"

#include <getopt.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void history_usage(FILE *f)
{
    fprintf(f,
        "Usage: headroom history [--customer C | --device SERIAL] [--since DATE]\n"
        "                        [--until DATE] [--format text|csv]\n"
        "       headroom history import FILE.csv\n"
        "The samples the poller recorded, oldest first (by time, then customer and\n"
        "device).  DATE: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or Unix seconds (UTC).\n"
        "Sizes are bytes; writes_delta is empty when it is unknown (first sample,\n"
        "agent restart, implausible jump); status lists the sample's flags.\n"
        "\n"
        "import backfills history from another tool.  The CSV header names its\n"
        "columns: serial*, time*, customer, capacity, used, used_percent, writes, peak,\n"
        "peak_prev, rate_avg, window (* required).  A serial not yet known needs the\n"
        "customer column and is registered to that customer.  Sizes may carry units\n"
        "(4TiB).  Rows of one serial must go forward in time; write deltas are computed\n"
        "between consecutive rows of a serial.  A sample already present for the same\n"
        "device and second is left alone.  One transaction: a bad line is reported as\n"
        "FILE:LINE and nothing is imported (exit 3).\n");
}

/* samples.status as words, for people. */
static void status_words(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    static const struct { unsigned bit; const char *word; } words[] = {
        { HR_SAMPLE_FIRST, "first" }, { HR_SAMPLE_RESTART, "restart" },
        { HR_SAMPLE_WRAP, "wrap" }, { HR_SAMPLE_IMPLAUSIBLE, "implausible" },
        { HR_SAMPLE_NO_WRITES, "no-writes" }, { HR_SAMPLE_USED_UNKNOWN, "used-unknown" },
        { HR_SAMPLE_SANITIZED, "sanitized" }, { HR_SAMPLE_BAD_TYPE, "bad-type" },
        { HR_SAMPLE_MISSING_COL, "missing-column" }, { HR_SAMPLE_IMPORTED, "imported" },
    };
    unsigned st = (unsigned)sqlite3_value_int(argv[0]);
    char buf[256] = "";
    size_t o = 0;

    (void)argc;
    for (size_t i = 0; i < HR_ARRAY_LEN(words); i++)
        if (st & words[i].bit)
            o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", o ? "," : "", words[i].word);
    sqlite3_result_text(ctx, o ? buf : "ok", -1, SQLITE_TRANSIENT);
}

static const char history_sql[] =
    "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', s.time, 'unixepoch') AS time, d.customer,"
    " coalesce(d.serial, '(' || d.name || ')') AS device, s.capacity, s.used,"
    " s.used_percent, s.writes_delta, s.peak, s.peak_prev, s.rate_avg,"
    " hr_status(s.status) AS status"
    " FROM samples s JOIN devices d ON d.id = s.device_id"
    " WHERE (?1 IS NULL OR d.customer = ?1) AND (?2 IS NULL OR d.serial = ?2)"
    " AND s.time >= ?3 AND s.time < ?4"
    " ORDER BY s.time, d.customer, device";

static int exists(sqlite3 *db, const char *sql, const char *v)
{
    sqlite3_stmt *st;
    int found = 0;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    hr_db_bind_text(st, 1, v);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

static int history_show(const struct hr_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        { "customer", required_argument, NULL, 'c' },
        { "device", required_argument, NULL, 'd' },
        { "since", required_argument, NULL, 's' },
        { "until", required_argument, NULL, 'u' },
        { "format", required_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *cust = NULL, *dev = NULL;
    int64_t since = 0, until = INT64_MAX;
    int c, fmt = HR_FMT_TEXT, rc;
    char err[256];
    sqlite3_stmt *st;
    struct hr_db *hdb;
    sqlite3 *db;

    while ((c = getopt_long(argc, argv, "c:d:s:u:f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': cust = optarg; break;
        case 'd': dev = optarg; break;
        case 's':
        case 'u':
            if (hr_import_time(c == 's' ? "--since" : "--until", optarg,
                               c == 's' ? &since : &until, err, sizeof err) < 0) {
                fprintf(stderr, "headroom: %s\n", err);
                return HR_EXIT_USAGE;
            }
            break;
        case 'f': if (hr_parse_format(optarg, &fmt) < 0) return HR_EXIT_USAGE; break;
        case 'h': history_usage(stdout); return HR_EXIT_OK;
        default: history_usage(stderr); return HR_EXIT_USAGE;
        }
    }
    if (optind != argc || (cust && dev)) {
        history_usage(stderr);
        return HR_EXIT_USAGE;
    }
    if (hr_db_open_ctx(ctx, 0, &hdb) < 0)
        return HR_EXIT_FAIL;
    db = hr_db_sqlite(hdb);
    if ((cust && exists(db, "SELECT 1 FROM customers WHERE id = ?1", cust) == 0) ||
        (dev && exists(db, "SELECT 1 FROM devices WHERE serial = ?1", dev) == 0)) {
        fprintf(stderr, "headroom: no %s '%s'\n", cust ? "customer" : "device with serial",
                cust ? cust : dev);
        hr_db_close(hdb);
        return HR_EXIT_USAGE;
    }
    if (sqlite3_create_function(db, "hr_status", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                status_words, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, history_sql, -1, &st, NULL) != SQLITE_OK) {
        hr_log(LOG_ERR, "database: %s", sqlite3_errmsg(db));
        hr_db_close(hdb);
        return HR_EXIT_FAIL;
    }
    if (cust)
        hr_db_bind_text(st, 1, cust);
    if (dev)
        hr_db_bind_text(st, 2, dev);
    sqlite3_bind_int64(st, 3, since);
    sqlite3_bind_int64(st, 4, until);
    rc = hr_print_rows(st, fmt) < 0 ? HR_EXIT_FAIL : HR_EXIT_OK;
    if (rc != HR_EXIT_OK)
        hr_log(LOG_ERR, "database: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    hr_db_close(hdb);
    return rc;
}

/* ---- import ------------------------------------------------------------------- */

enum { HC_SERIAL, HC_TIME, HC_CUSTOMER, HC_CAPACITY, HC_USED, HC_USED_PCT, HC_WRITES,
       HC_PEAK, HC_PEAK_PREV, HC_RATE_AVG, HC_WINDOW, HC_N };
static const char *const hist_cols[HC_N] = {
    "serial", "time", "customer", "capacity", "used", "used_percent", "writes", "peak",
    "peak_prev", "rate_avg", "window",
};
static const char *const hist_required[] = { "serial", "time", NULL };

enum { HQ_DEV, HQ_CUST, HQ_NEWDEV, HQ_PREV_GET, HQ_PREV_SET, HQ_SAMPLE, HQ_N };
static const char *const hist_sql[HQ_N] = {
    [HQ_DEV] = "SELECT id, customer FROM devices WHERE serial = ?1",
    [HQ_CUST] = "SELECT 1 FROM customers WHERE id = ?1",
    [HQ_NEWDEV] = "INSERT INTO devices (serial, customer, first_seen, last_seen, rrd_file)"
                  " VALUES (?1, ?2, ?3, ?3, ?4)",
    [HQ_PREV_GET] = "SELECT time, writes, line FROM import_prev WHERE device_id = ?1",
    [HQ_PREV_SET] = "INSERT OR REPLACE INTO import_prev VALUES (?1, ?2, ?3, ?4)",
    [HQ_SAMPLE] =
        "INSERT INTO samples (device_id, time, capacity, used, used_percent, writes,"
        " writes_delta, peak, peak_prev, rate_avg, window, status)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT DO NOTHING",
};

struct hist_import {
    struct hr_db *hdb;
    sqlite3 *db;
    sqlite3_stmt *q[HQ_N];
    unsigned skipped, new_devices;
};

static int opt_size(const char *col, const char *v, int *known, uint64_t *out, char *err,
                    size_t errlen)
{
    *known = v && *v;
    if (*known && hr_parse_size(v, out) < 0) {
        snprintf(err, errlen, "%s: '%.40s' is not a size (bytes, or a number with a unit "
                 "like 4TiB)", col, v);
        return -1;
    }
    return 0;
}

/* Find SERIAL's device, or create and register it for CUSTOMER. */
static int hist_device(struct hist_import *hi, const char **v, int64_t t, int64_t *dev,
                       char *err, size_t errlen)
{
    sqlite3_stmt *st = hi->q[HQ_DEV];
    const char *cust = v[HC_CUSTOMER];
    char regno[40], file[200];

    sqlite3_reset(st);
    hr_db_bind_text(st, 1, v[HC_SERIAL]);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *dev = sqlite3_column_int64(st, 0);
        const char *owner = (const char *)sqlite3_column_text(st, 1);
        if (cust && *cust && owner && strcmp(owner, cust) != 0) {
            snprintf(err, errlen, "serial '%s' is registered to %s, not %s", v[HC_SERIAL],
                     owner, cust);
            sqlite3_reset(st);
            return -1;
        }
        sqlite3_reset(st);
        return 0;
    }
    sqlite3_reset(st);
    if (!cust || !*cust) {
        snprintf(err, errlen, "serial '%s' is not known: give its customer", v[HC_SERIAL]);
        return -1;
    }
    st = hi->q[HQ_CUST];
    sqlite3_reset(st);
    hr_db_bind_text(st, 1, cust);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        snprintf(err, errlen, "unknown customer '%s'", cust);
        return -1;
    }
    sqlite3_reset(st);
    st = hi->q[HQ_NEWDEV];
    sqlite3_reset(st);
    hr_db_bind_text(st, 1, v[HC_SERIAL]);
    hr_db_bind_text(st, 2, cust);
    sqlite3_bind_int64(st, 3, t);
    if (hr_rrd_filename(v[HC_SERIAL], file, sizeof file) == 0)
        hr_db_bind_text(st, 4, file);
    if (sqlite3_step(st) != SQLITE_DONE)
        return hr_import_dberr(hi->db, err, errlen);
    *dev = sqlite3_last_insert_rowid(hi->db);
    if (hr_register(hi->hdb, *dev, v[HC_SERIAL], cust, 0, t, "import", regno, sizeof regno) < 0)
        return hr_import_dberr(hi->db, err, errlen);
    hi->new_devices++;
    return 0;
}

/* The delta against the previous row of the same device in this file. */
static unsigned hist_delta(struct hist_import *hi, int64_t dev, int64_t t, unsigned line,
                           int wknown, uint64_t writes, uint64_t *delta, char *err,
                           size_t errlen)
{
    sqlite3_stmt *st = hi->q[HQ_PREV_GET];
    unsigned f = HR_SAMPLE_FIRST;
    int prev_w = 0;

    *delta = 0;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, dev);
    if (sqlite3_step(st) == SQLITE_ROW) {
        int64_t pt = sqlite3_column_int64(st, 0);
        if (pt >= t) {
            snprintf(err, errlen, "time does not go forward for serial (line %d is at or "
                     "after this one)", sqlite3_column_int(st, 2));
            sqlite3_reset(st);
            return ~0u;
        }
        prev_w = sqlite3_column_type(st, 1) != SQLITE_NULL;
        if (prev_w && wknown)
            f = hr_writes_delta(1, (uint64_t)sqlite3_column_int64(st, 1), 0, pt, writes, 0, t,
                                0, delta);
    }
    sqlite3_reset(st);
    st = hi->q[HQ_PREV_SET];
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, dev);
    sqlite3_bind_int64(st, 2, t);
    if (wknown)
        sqlite3_bind_int64(st, 3, (int64_t)writes);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_int(st, 4, (int)line);
    if (sqlite3_step(st) != SQLITE_DONE) {
        hr_import_dberr(hi->db, err, errlen);
        return ~0u;
    }
    return f;
}

static int hist_row(void *arg, const char **v, unsigned line, char *err, size_t errlen)
{
    struct hist_import *hi = arg;
    int64_t t, dev = 0, pct, peak, peak_prev, rate, window;
    uint64_t cap, used, writes = 0, delta;
    int capk, usedk, wk;
    unsigned f;

    if (!v[HC_SERIAL] || !*v[HC_SERIAL] || strlen(v[HC_SERIAL]) > 255) {
        snprintf(err, errlen, "serial: must be 1-255 characters");
        return -1;
    }
    if (hr_import_time("time", v[HC_TIME], &t, err, errlen) < 0 ||
        opt_size("capacity", v[HC_CAPACITY], &capk, &cap, err, errlen) < 0 ||
        opt_size("used", v[HC_USED], &usedk, &used, err, errlen) < 0 ||
        hr_import_int("used_percent", v[HC_USED_PCT], -1, 100, -1, &pct, err, errlen) < 0 ||
        hr_import_int("peak", v[HC_PEAK], 0, UINT32_MAX, -1, &peak, err, errlen) < 0 ||
        hr_import_int("peak_prev", v[HC_PEAK_PREV], 0, UINT32_MAX, -1, &peak_prev, err,
                      errlen) < 0 ||
        hr_import_int("rate_avg", v[HC_RATE_AVG], 0, UINT32_MAX, -1, &rate, err, errlen) < 0 ||
        hr_import_int("window", v[HC_WINDOW], 1, 86400, -1, &window, err, errlen) < 0)
        return -1;
    wk = v[HC_WRITES] && *v[HC_WRITES];
    if (wk && hr_parse_u64(v[HC_WRITES], &writes) < 0) {
        snprintf(err, errlen, "writes: '%.40s' is not a counter value", v[HC_WRITES]);
        return -1;
    }
    if (usedk && capk && used > cap) {
        snprintf(err, errlen, "used is larger than capacity");
        return -1;
    }
    if (hist_device(hi, v, t, &dev, err, errlen) < 0)
        return -1;
    f = hist_delta(hi, dev, t, line, wk, writes, &delta, err, errlen);
    if (f == ~0u)
        return -1;
    f |= HR_SAMPLE_IMPORTED | (usedk ? 0 : HR_SAMPLE_USED_UNKNOWN) | (wk ? 0 : HR_SAMPLE_NO_WRITES);

    sqlite3_stmt *st = hi->q[HQ_SAMPLE];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_int64(st, 1, dev);
    sqlite3_bind_int64(st, 2, t);
    if (capk)
        sqlite3_bind_int64(st, 3, (int64_t)cap);
    if (usedk)
        sqlite3_bind_int64(st, 4, (int64_t)used);
    if (pct >= 0)
        sqlite3_bind_int64(st, 5, pct);
    if (wk)
        sqlite3_bind_int64(st, 6, (int64_t)writes);
    if (wk && !(f & (HR_SAMPLE_FIRST | HR_SAMPLE_IMPLAUSIBLE)))
        sqlite3_bind_int64(st, 7, (int64_t)delta);
    if (peak >= 0)
        sqlite3_bind_int64(st, 8, peak);
    if (peak_prev >= 0)
        sqlite3_bind_int64(st, 9, peak_prev);
    if (rate >= 0)
        sqlite3_bind_int64(st, 10, rate);
    if (window >= 0)
        sqlite3_bind_int64(st, 11, window);
    sqlite3_bind_int(st, 12, (int)f);
    if (sqlite3_step(st) != SQLITE_DONE)
        return hr_import_dberr(hi->db, err, errlen);
    if (sqlite3_changes(hi->db) == 0)
        hi->skipped++;
    return 0;
}

static int history_import(const struct hr_ctx *ctx, int argc, char **argv)
{
    struct hist_import hi = { 0 };
    struct hr_import_spec spec = { hist_cols, HC_N, hist_required, hist_row, &hi };
    char err[256];
    unsigned n = 0;
    int rc = HR_EXIT_FAIL;

    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        history_usage(stdout);
        return HR_EXIT_OK;
    }
    if (argc != 2) {
        fprintf(stderr, "headroom: history import needs one file name ('-' for standard "
                "input)\n");
        return HR_EXIT_USAGE;
    }
    if (hr_db_open_ctx(ctx, HR_DB_CREATE, &hi.hdb) < 0)
        return HR_EXIT_FAIL;
    hi.db = hr_db_sqlite(hi.hdb);
    if (hr_db_exec(hi.hdb, "CREATE TEMP TABLE import_prev (device_id INTEGER PRIMARY KEY,"
                          " time INTEGER, writes INTEGER, line INTEGER)", err, sizeof err) < 0) {
        hr_log(LOG_ERR, "database: %s", err);
        goto out;
    }
    for (int i = 0; i < HQ_N; i++) {
        if (sqlite3_prepare_v2(hi.db, hist_sql[i], -1, &hi.q[i], NULL) != SQLITE_OK) {
            hr_log(LOG_ERR, "database: %s", sqlite3_errmsg(hi.db));
            goto out;
        }
    }
    rc = hr_import_csv(hi.hdb, argv[1], &spec, &n);
    if (rc == HR_EXIT_OK && !ctx->quiet)
        printf("%u samples imported from %s (%u already present, %u new devices)\n",
               n - hi.skipped, argv[1], hi.skipped, hi.new_devices);
out:
    for (int i = 0; i < HQ_N; i++)
        sqlite3_finalize(hi.q[i]);
    hr_db_close(hi.hdb);
    return rc;
}

int hr_cmd_history(struct hr_ctx *ctx, int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "import") == 0) {
        optind = 0;
        return history_import(ctx, argc - 1, argv + 1);
    }
    return history_show(ctx, argc, argv);
}
