/* history.c: `headroom history`: a device's or a customer's records in
 * date order (seed 000, paragraph 0043), and `headroom history import` to
 * backfill records from another tool. */
#include "output.h"
#include "db.h"
#include "inventory.h"
#include "listing.h"
#include "samples.h"
#include "cmd.h"
#include "hr_rrd.h"
#include "hr_util.h"
#include "import.h"
#include "store.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void history_usage(FILE *f)
{
    fprintf(f,
        "Usage: headroom history [--customer C | --device DEVICE] [--since DATE]\n"
        "                        [--until DATE] [--raw] [--format text|csv]\n"
        "       headroom history import FILE.csv\n"
        "The daily records, oldest first (by day, then customer and device): one row\n"
        "per device per UTC day with the day's last capacity and used, the largest\n"
        "used, Cmax (the largest peak) and the agent's previous Cmax, the mean\n"
        "average write rate, the writes completed, the firmware last seen, the polls\n"
        "folded in and the flags of any of them.  --raw lists the polls themselves\n"
        "(kept for retention-raw-days, headroom.conf(5)), by time.\n"
        "DATE: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or Unix seconds (UTC); the daily\n"
        "records list the days from --since's day to before --until.\n"
        "DEVICE: a serial, or for a device without one its name as the device column\n"
        "shows it (synology@nas1, or TARGET/NAME when several targets share a name).\n"
        "Sizes are bytes; writes_delta is empty when it is unknown (first sample,\n"
        "agent restart, implausible jump); status lists the sample's flags.\n"
        "\n"
        "import backfills history from another tool.  The CSV header names its\n"
        "columns: serial or device, time*, customer, capacity, used, used_percent,\n"
        "writes, peak, peak_prev, rate_avg, window (* required).  A serial not yet\n"
        "known needs the customer column and is registered to that customer.  device\n"
        "names a device headroom already polls, as --device does (how a device without\n"
        "a serial is backfilled).  Sizes may carry units (4TiB).  Rows of one device\n"
        "must go forward in time; write deltas are computed between consecutive rows of\n"
        "a device.  A sample already present for the same\n"
        "device and second is left alone.  Imported rows are folded into the daily\n"
        "records as polls are.  One transaction: a bad line is reported as\n"
        "FILE:LINE and nothing is imported (exit 3).\n");
}

/* samples.status as words, for people. */
static void status_words(unsigned st, char *buf, size_t sz)
{
    static const struct { unsigned bit; const char *word; } words[] = {
        { HR_SAMPLE_FIRST, "first" }, { HR_SAMPLE_RESTART, "restart" },
        { HR_SAMPLE_WRAP, "wrap" }, { HR_SAMPLE_IMPLAUSIBLE, "implausible" },
        { HR_SAMPLE_NO_WRITES, "no-writes" }, { HR_SAMPLE_USED_UNKNOWN, "used-unknown" },
        { HR_SAMPLE_SANITIZED, "sanitized" }, { HR_SAMPLE_BAD_TYPE, "bad-type" },
        { HR_SAMPLE_MISSING_COL, "missing-column" }, { HR_SAMPLE_IMPORTED, "imported" },
        { HR_SAMPLE_OUT_OF_RANGE, "out-of-range" },
    };
    size_t o = 0;

    for (size_t i = 0; i < HR_ARRAY_LEN(words) && o < sz; i++)
        if (st & words[i].bit)
            o += (size_t)snprintf(buf + o, sz - o, "%s%s", o ? "," : "", words[i].word);
    if (!o)
        hr_strlcpy(buf, "ok", sz);
}

static int history_show(const struct hr_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        { "customer", required_argument, NULL, 'c' },
        { "device", required_argument, NULL, 'd' },
        { "since", required_argument, NULL, 's' },
        { "until", required_argument, NULL, 'u' },
        { "format", required_argument, NULL, 'f' },
        { "raw", no_argument, NULL, 'r' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *cust = NULL, *dev = NULL;
    int raw = 0;
    int64_t since = 0, until = INT64_MAX, dev_id = 0;
    int c, fmt = HR_FMT_TEXT, rc;
    char err[400];
    struct hr_db *db;
    int found = 1;

    while ((c = getopt_long(argc, argv, "c:d:s:u:f:rh", opts, NULL)) != -1) {
        switch (c) {
        case 'r': raw = 1; break;
        case 'c': cust = optarg; break;
        case 'd': dev = optarg; break;
        case 's':
        case 'u':
            if (hr_import_time(c == 's' ? "--since" : "--until", optarg,
                               c == 's' ? &since : &until, err, sizeof err) < 0) {
                log_warnx("%s", err);
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
    if (hr_db_open_ctx(ctx, 0, &db) < 0)
        return HR_EXIT_FAIL;
    if (dev)
        found = hr_db_device_lookup(db, dev, &dev_id, err, sizeof err);
    else if (cust && (found = hr_db_customer_exists(db, cust)) == 0)
        snprintf(err, sizeof err, "no customer '%s'", cust);
    else if (found < 0)
        snprintf(err, sizeof err, "database: %s", hr_db_errmsg(db));
    if (found <= 0) {
        log_warnx("%s", err);
        hr_db_close(db);
        return found == 0 ? HR_EXIT_USAGE : HR_EXIT_FAIL;
    }
    struct hr_db_list_params p = { .customer = cust, .device = dev_id, .since = since,
                                   .until = until, .status_text = status_words };
    rc = hr_list_query(db, raw ? HR_DB_LIST_HISTORY : HR_DB_LIST_DAILY, &p, fmt);
    hr_db_close(db);
    return rc;
}

/* ---- import ------------------------------------------------------------------- */

enum { HC_SERIAL, HC_TIME, HC_CUSTOMER, HC_CAPACITY, HC_USED, HC_USED_PCT, HC_WRITES,
       HC_PEAK, HC_PEAK_PREV, HC_RATE_AVG, HC_WINDOW, HC_DEVICE, HC_N };
static const char *const hist_cols[HC_N] = {
    "serial", "time", "customer", "capacity", "used", "used_percent", "writes", "peak",
    "peak_prev", "rate_avg", "window", "device",
};
/* serial or device: each row names its device by one of them. */
static const char *const hist_required[] = { "time", NULL };

struct hist_import {
    struct hr_db *db;
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

/* A device headroom already knows, by the name lists show (a device
 * without a serial can be named no other way; it needs its target, so
 * the import cannot create it). */
static int hist_known_device(struct hist_import *hi, const char **v, int64_t *dev, char *err,
                             size_t errlen)
{
    const char *cust = v[HC_CUSTOMER];
    char owner[80];
    int rc = hr_db_device_lookup(hi->db, v[HC_DEVICE], dev, err, errlen);

    if (rc <= 0)
        return -1;
    if (cust && *cust) {
        if (hr_db_device_customer(hi->db, *dev, owner, sizeof owner) < 0)
            return hr_db_refused(hi->db, err, errlen);
        if (strcmp(owner, cust) != 0) {
            snprintf(err, errlen, "device '%s' belongs to %s, not %s", v[HC_DEVICE], owner,
                     cust);
            return -1;
        }
    }
    return 0;
}

/* Find the row's device: by its device column, or SERIAL's device, or
 * create and register it for CUSTOMER. */
static int hist_device(struct hist_import *hi, const char **v, int64_t t, int64_t *dev,
                       char *err, size_t errlen)
{
    struct hr_db_device_state d;
    const char *cust = v[HC_CUSTOMER];
    char regno[40], file[200];
    int rc;

    if (v[HC_DEVICE] && *v[HC_DEVICE])
        return hist_known_device(hi, v, dev, err, errlen);
    rc = hr_db_device_find(hi->db, v[HC_SERIAL], 0, "", &d);
    if (rc < 0)
        return hr_db_refused(hi->db, err, errlen);
    if (rc == 1) {
        *dev = d.id;
        if (cust && *cust && strcmp(d.customer, cust) != 0) {
            snprintf(err, errlen, "serial '%s' is registered to %s, not %s", v[HC_SERIAL],
                     d.customer, cust);
            return -1;
        }
        return 0;
    }
    if (!cust || !*cust) {
        snprintf(err, errlen, "serial '%s' is not known: give its customer", v[HC_SERIAL]);
        return -1;
    }
    rc = hr_db_customer_exists(hi->db, cust);
    if (rc < 0)
        return hr_db_refused(hi->db, err, errlen);
    if (rc == 0) {
        snprintf(err, errlen, "unknown customer '%s'", cust);
        return -1;
    }
    if (hr_db_device_insert(hi->db, v[HC_SERIAL], cust, 0, "", t, 0,
                            hr_rrd_filename(v[HC_SERIAL], file, sizeof file) == 0 ? file : NULL,
                            dev) < 0)
        return hr_db_refused(hi->db, err, errlen);
    if (hr_register(hi->db, *dev, v[HC_SERIAL], cust, 0, t, "import", regno, sizeof regno) < 0)
        return hr_db_refused(hi->db, err, errlen);
    hi->new_devices++;
    return 0;
}

/* The delta against the previous row of the same device in this file. */
static unsigned hist_delta(struct hist_import *hi, int64_t dev, int64_t t, unsigned line,
                           int wknown, uint64_t writes, uint64_t *delta, char *err,
                           size_t errlen)
{
    unsigned f = HR_SAMPLE_FIRST, pline;
    int64_t pt;
    uint64_t pw;
    int prev_w, rc;

    *delta = 0;
    rc = hr_db_import_prev_get(hi->db, dev, &pt, &prev_w, &pw, &pline);
    if (rc < 0) {
        hr_db_refused(hi->db, err, errlen);
        return ~0u;
    }
    if (rc == 1) {
        if (pt >= t) {
            snprintf(err, errlen, "time does not go forward for this device (line %u is at "
                     "or after this one)", pline);
            return ~0u;
        }
        if (prev_w && wknown)
            f = hr_writes_delta(1, pw, 0, pt, writes, 0, t, 0, delta);
    }
    if (hr_db_import_prev_set(hi->db, dev, t, wknown, writes, line) < 0) {
        hr_db_refused(hi->db, err, errlen);
        return ~0u;
    }
    return f;
}

static int hist_row(void *arg, const char **v, unsigned line, char *err, size_t errlen)
{
    struct hist_import *hi = arg;
    int64_t t, dev = 0, pct, peak, peak_prev, rate, window;
    uint64_t cap, used, writes = 0, delta;
    int capk, usedk, wk, rc;
    unsigned f;

    int has_serial = v[HC_SERIAL] && *v[HC_SERIAL], has_dev = v[HC_DEVICE] && *v[HC_DEVICE];

    if (has_serial == has_dev) {
        snprintf(err, errlen, "give the device by serial or by device (its name for a device "
                 "without a serial), %s", has_serial ? "not both" : "one of them");
        return -1;
    }
    if (has_serial && strlen(v[HC_SERIAL]) > 255) {
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

    struct hr_db_sample smp = {
        .device_id = dev, .time = t, .capacity = cap, .used = used, .used_percent = (int)pct,
        .writes = writes, .writes_delta = delta, .peak = peak, .peak_prev = peak_prev,
        .rate_avg = rate, .window = window, .status = f,
    };
    if (capk)
        smp.known |= HR_DB_S_CAPACITY;
    if (usedk)
        smp.known |= HR_DB_S_USED;
    if (pct >= 0)
        smp.known |= HR_DB_S_USED_PCT;
    if (wk)
        smp.known |= HR_DB_S_WRITES;
    if (wk && !(f & (HR_SAMPLE_FIRST | HR_SAMPLE_IMPLAUSIBLE)))
        smp.known |= HR_DB_S_DELTA;
    if (peak >= 0)
        smp.known |= HR_DB_S_PEAK;
    if (peak_prev >= 0)
        smp.known |= HR_DB_S_PEAK_PREV;
    if (rate >= 0)
        smp.known |= HR_DB_S_RATE_AVG;
    if (window >= 0)
        smp.known |= HR_DB_S_WINDOW;
    rc = hr_db_sample_insert(hi->db, &smp);
    if (rc < 0)
        return hr_db_refused(hi->db, err, errlen);
    if (rc == 0)
        hi->skipped++;
    return 0;
}

static int history_import(const struct hr_ctx *ctx, int argc, char **argv)
{
    struct hist_import hi = { 0 };
    struct hr_import_spec spec = { hist_cols, HC_N, hist_required, hist_row, &hi };
    unsigned n = 0;
    int rc = HR_EXIT_FAIL;

    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        history_usage(stdout);
        return HR_EXIT_OK;
    }
    if (argc != 2) {
        log_warnx("history import needs one file name ('-' for standard input)");
        return HR_EXIT_USAGE;
    }
    if (hr_db_open_ctx(ctx, HR_DB_CREATE, &hi.db) < 0)
        return HR_EXIT_FAIL;
    if (hr_db_import_prev_begin(hi.db) < 0) {
        log_warnx("database: %s", hr_db_errmsg(hi.db));
        goto out;
    }
    rc = hr_import_csv(hi.db, argv[1], &spec, &n);
    if (rc == HR_EXIT_OK && !ctx->quiet)
        printf("%u samples imported from %s (%u already present, %u new devices)\n",
               n - hi.skipped, argv[1], hi.skipped, hi.new_devices);
out:
    hr_db_close(hi.db);
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
