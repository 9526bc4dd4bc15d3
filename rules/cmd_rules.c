/* cmd_rules.c: `headroom rules check|eval|facts`.
 *
 * check validates rule files only (exit 0, or 3 with every error as
 * FILE:LINE:COL on stderr).  eval evaluates rules over devices of the fleet
 * database and prints what fires and why, sending nothing (the loader
 * below reads the facts).  facts lists the identifiers and functions a
 * condition or template may use, with their units. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strptime, timegm */
#endif
#include "hr_cli.h"
#include "hr_util.h"
#include "lang_int.h"
#include "../collector/db.h"

#include <sqlite3.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>

static const char *default_rules_path(void)
{
    const char *e = getenv("HEADROOM_RULES");
    return e && *e ? e : HEADROOM_SYSCONFDIR "/headroom/default.rules";
}

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: headroom rules check [-q] FILE...\n"
            "       headroom rules eval [--rules FILE] [--customer C] [--device SERIAL]\n"
            "                           [--db FILE] [--at TIME] [--all]\n"
            "                           [--forecast-window DAYS] [--forecast-method M]\n"
            "       headroom rules facts\n"
            "\n"
            "check   parse and type-check rule files; errors as FILE:LINE:COL: message\n"
            "eval    evaluate the rules on devices of the fleet database and print what\n"
            "        fires and why (the values the condition used); sends nothing\n"
            "facts   list the facts and functions rules can use, with their units\n"
            "\n"
            "Options:\n"
            "  -r, --rules FILE     rule file (default: $HEADROOM_RULES, else\n"
            "                       %s/headroom/default.rules)\n"
            "  -C, --customer C     only devices of customer C (ID or name)\n"
            "  -D, --device SERIAL  only the device with this serial number\n"
            "  -d, --db FILE        the fleet database (default: headroom --db)\n"
            "  -t, --at TIME        evaluate as of TIME (Unix time or YYYY-MM-DD; default now)\n"
            "  -a, --all            also print rules that do not fire\n"
            "  -w, --forecast-window DAYS  window of days_to_full & co. (default 30)\n"
            "  -m, --forecast-method M     reject (least squares with one pass of outlier\n"
            "                       rejection, the default), lsq or theil-sen\n"
            "  -q, --quiet          check: print errors only\n"
            "  -h, --help           this help\n"
            "\n"
            "Exit status: 0 ok (eval: evaluated, whether or not anything fired),\n"
            "1 failure, 2 usage, 3 errors in a rule file.\n",
            HEADROOM_SYSCONFDIR);
}

static int cmd_check(int argc, char **argv, int quiet)
{
    int bad = 0;

    if (argc < 1) {
        fprintf(stderr, "headroom rules check: no rule file given\n");
        return HR_EXIT_USAGE;
    }
    for (int i = 0; i < argc; i++) {
        struct hr_ruleset *rs = NULL;
        char *errors = NULL;
        int rc = hr_rules_load(argv[i], &rs, &errors);
        if (rc < 0) {
            fprintf(stderr, "headroom rules check: %s: out of memory\n", argv[i]);
            return HR_EXIT_FAIL;
        }
        if (rc > 0) {
            fputs(errors ? errors : "", stderr);
            fprintf(stderr, "%s: %d error%s\n", argv[i], rc, rc == 1 ? "" : "s");
            bad = 1;
        } else if (!quiet) {
            printf("%s: %zu rule%s OK\n", argv[i], hr_ruleset_count(rs),
                   hr_ruleset_count(rs) == 1 ? "" : "s");
        }
        free(errors);
        hr_ruleset_free(rs);
    }
    return bad ? HR_EXIT_DATA : HR_EXIT_OK;
}

static const char *unit_of(const struct symdef *s)
{
    if (s->type == TY_STR) return "string";
    if (s->type == TY_BOOL) return "true/false";
    switch (s->dim) {
    case D_PCT: return "percent";
    case D_BYTES: return "bytes";
    case D_DAYS: return "days";
    case D_BPD: return "bytes/day";
    default: return "number";
    }
}

static int cmd_facts(void)
{
    printf("Facts (identifiers):\n");
    for (int i = 0; i < F__COUNT; i++)
        printf("  %-28s %-11s %s\n", hr_facts_def[i].name, unit_of(&hr_facts_def[i]),
               hr_facts_def[i].doc);
    printf("\nFunctions over the history (argument: a window such as 30d):\n");
    for (int i = 0; i < FN__COUNT; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s(DAYS)", hr_fns_def[i].name);
        printf("  %-28s %-11s %s\n", name, unit_of(&hr_fns_def[i]), hr_fns_def[i].doc);
    }
    return HR_EXIT_OK;
}

/* "1700000000" or "2026-11-21" (UTC midnight). */
static int parse_time(const char *s, int64_t *out)
{
    uint64_t v;
    struct tm tm;

    if (hr_parse_u64(s, &v) == 0 && v < (1ULL << 40)) {
        *out = (int64_t)v;
        return 0;
    }
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(s, "%Y-%m-%d", &tm);
    if (!end || *end)
        return -1;
    *out = (int64_t)timegm(&tm);
    return 0;
}


/* ---- facts from the fleet database -------------------------------------- */

struct rules_db_filter {
    const char *customer;   /* id or name, NULL all */
    const char *serial;     /* NULL all */
    int64_t now;
    double window_days;     /* history to load */
    struct hr_forecast_opts fc;
};

typedef int (*rules_db_cb)(const struct hr_facts *f, void *arg);

/* One device's strings, owned here while its facts are evaluated. */
struct dev_strings {
    char *s[10];
};

static const char *col_text(sqlite3_stmt *st, int i, struct dev_strings *ds, int slot)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    if (!t || !*t)
        return NULL;
    ds->s[slot] = strdup((const char *)t);
    return ds->s[slot];
}

static double col_num(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

/* The samples of one device folded into daily rows (UTC days): the last
 * known capacity and used of the day, the day's largest Cmax, the mean
 * average rate.  The poller writes a row per cycle; rules and the forecast
 * work on days, as seed 000 keeps Cmax as a daily maximum. */
struct daily {
    struct hr_sample *v;
    size_t n, cap;
    double rate_sum, rate_n;
};

static int daily_add(struct daily *d, int64_t t, double cap, double used, double peak,
                     double rate)
{
    int64_t day = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    struct hr_sample *last = d->n ? &d->v[d->n - 1] : NULL;

    if (!last || (last->t >= 0 ? last->t / 86400 : (last->t - 86399) / 86400) != day) {
        if (d->n == d->cap) {
            size_t nc = d->cap ? d->cap * 2 : 128;
            struct hr_sample *nv = realloc(d->v, nc * sizeof *nv);
            if (!nv)
                return -1;
            d->v = nv;
            d->cap = nc;
        }
        last = &d->v[d->n++];
        *last = (struct hr_sample){ t, NAN, NAN, NAN, NAN };
        d->rate_sum = d->rate_n = 0;
    }
    last->t = t;
    if (!isnan(cap)) last->capacity = cap;
    if (!isnan(used)) last->used = used;
    if (!isnan(peak)) last->peak = isnan(last->peak) ? peak : fmax(last->peak, peak);
    if (!isnan(rate)) {
        d->rate_sum += rate;
        d->rate_n++;
        last->rate_avg = d->rate_sum / d->rate_n;
    }
    return 0;
}

/* The statements of one eval run, prepared once.  The catalogue ones are
 * NULL when their tables do not exist (yet). */
struct loader {
    sqlite3 *db;
    sqlite3_stmt *devices, *samples, *cat_product, *cat_firmware;
};

/* Load the history of device ID into D and the latest values into F. */
static int load_samples(struct loader *L, int64_t id, const struct rules_db_filter *flt,
                        struct hr_facts *f, struct daily *d, char *err, size_t errlen)
{
    sqlite3_stmt *st = L->samples;
    int rc;

    d->n = 0;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, flt->now - (int64_t)ceil(flt->window_days * 86400));
    sqlite3_bind_int64(st, 3, flt->now);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        double cap = col_num(st, 1), used = col_num(st, 2);
        if (daily_add(d, sqlite3_column_int64(st, 0), cap, used, col_num(st, 3),
                      col_num(st, 5)) < 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        /* The latest row is the device's current state. */
        if (!isnan(cap))
            f->capacity = cap;
        f->used = used;
        f->peak = col_num(st, 3);
        f->peak_prev = col_num(st, 4);
        f->rate_avg = col_num(st, 5);
        f->window_s = col_num(st, 6);
    }
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "samples: %s", sqlite3_errmsg(L->db));
        return -1;
    }
    f->hist = d->v;
    f->n_hist = d->n;
    return 0;
}

/* Catalogue facts, from tables a later schema step adds.  Until then (or
 * for a model the catalogue lacks) the facts stay unknown: rules that need
 * them report "unknown". */
static void load_catalog(struct loader *L, struct hr_facts *f, struct dev_strings *ds)
{
    sqlite3_stmt *st;

    if (!f->model_number)
        return;
    if ((st = L->cat_product)) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, f->model_number, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            f->rated_load = col_num(st, 0);
            f->max_capacity = col_num(st, 1);
            f->latest_firmware = col_text(st, 2, ds, 8);
        }
        sqlite3_reset(st);
    }
    if (!(st = L->cat_firmware))
        return;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, f->model_number, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, f->firmware ? f->firmware : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, f->latest_firmware ? f->latest_firmware : "", -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        int64_t date = sqlite3_column_int64(st, 1);
        if (v && f->firmware && strcmp(v, f->firmware) == 0)
            f->firmware_release_date = date;
        if (v && f->latest_firmware && strcmp(v, f->latest_firmware) == 0)
            f->latest_firmware_date = date;
    }
    sqlite3_reset(st);
}

static void loader_close(struct loader *L)
{
    sqlite3_finalize(L->devices);
    sqlite3_finalize(L->samples);
    sqlite3_finalize(L->cat_product);
    sqlite3_finalize(L->cat_firmware);
    hr_db_close(L->db);
}

static int loader_open(struct loader *L, const char *path, char *err, size_t errlen)
{
    static const char devices[] =
        "SELECT d.id, d.serial, d.customer, COALESCE(NULLIF(c.name, ''), d.customer),"
        " d.name, d.vendor, d.model_name, d.model_number, d.product_number, d.firmware,"
        " d.capacity, d.cache_size, d.sale_date"
        " FROM devices d LEFT JOIN customers c ON c.id = d.customer"
        " WHERE (?1 IS NULL OR d.customer = ?1 OR c.name = ?1)"
        " AND (?2 IS NULL OR d.serial = ?2)"
        " ORDER BY d.customer, d.serial, d.id";
    static const char samples[] =
        "SELECT time, capacity, used, peak, peak_prev, rate_avg, window FROM samples"
        " WHERE device_id = ?1 AND time > ?2 AND time <= ?3 ORDER BY time";

    memset(L, 0, sizeof *L);
    if (hr_db_open(path, 0, &L->db, err, errlen) < 0)
        return -1;
    if (sqlite3_prepare_v2(L->db, devices, -1, &L->devices, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(L->db, samples, -1, &L->samples, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(L->db));
        loader_close(L);
        return -1;
    }
    /* Failing prepares leave NULL: the tables are optional. */
    sqlite3_prepare_v2(L->db, "SELECT rated_load, max_capacity, latest_firmware"
                       " FROM catalog_products WHERE model_number = ?1", -1,
                       &L->cat_product, NULL);
    sqlite3_prepare_v2(L->db, "SELECT version, release_date FROM catalog_firmware"
                       " WHERE model_number = ?1 AND version IN (?2, ?3)", -1,
                       &L->cat_firmware, NULL);
    return 0;
}

static int rules_db_foreach(const struct hr_ctx *ctx, const char *path,
                            const struct rules_db_filter *flt, rules_db_cb cb, void *arg,
                            char *err, size_t errlen)
{
    struct hr_ctx c2 = *ctx;
    struct daily d = { 0 };
    struct loader L;
    sqlite3_stmt *st;
    int rc, ret = 0;

    if (path)
        c2.db_path = path;
    if (loader_open(&L, hr_db_path(&c2), err, errlen) < 0)
        return -1;
    st = L.devices;
    if (flt->customer)
        sqlite3_bind_text(st, 1, flt->customer, -1, SQLITE_STATIC);
    if (flt->serial)
        sqlite3_bind_text(st, 2, flt->serial, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct dev_strings ds = { { 0 } };
        struct hr_facts f;
        hr_facts_init(&f, flt->now);
        f.fc = flt->fc;
        f.serial = col_text(st, 1, &ds, 0);
        f.customer_id = col_text(st, 2, &ds, 1);
        f.customer = col_text(st, 3, &ds, 2);
        f.name = col_text(st, 4, &ds, 3);
        f.vendor = col_text(st, 5, &ds, 4);
        f.model = col_text(st, 6, &ds, 5);
        f.model_number = col_text(st, 7, &ds, 6);
        f.product_number = col_text(st, 8, &ds, 7);
        f.firmware = col_text(st, 9, &ds, 9);
        f.capacity = col_num(st, 10);
        f.cache = col_num(st, 11);
        f.sale_date = sqlite3_column_int64(st, 12);
        load_catalog(&L, &f, &ds);
        ret = load_samples(&L, sqlite3_column_int64(st, 0), flt, &f, &d, err, errlen);
        if (ret == 0)
            ret = cb(&f, arg);
        for (size_t i = 0; i < HR_ARRAY_LEN(ds.s); i++)
            free(ds.s[i]);
        if (ret < 0)
            break;
    }
    if (ret == 0 && rc != SQLITE_DONE) {
        snprintf(err, errlen, "devices: %s", sqlite3_errmsg(L.db));
        ret = -1;
    }
    loader_close(&L);
    free(d.v);
    return ret;
}

/* One device: evaluate every rule and print what fires and why. */
static void print_device(const struct hr_ruleset *rs, const struct hr_facts *f, int all,
                         unsigned *fired)
{
    struct hr_evalctx ctx;
    char why[2048];

    hr_eval_begin(&ctx, f);
    for (size_t i = 0; i < hr_ruleset_count(rs); i++) {
        const struct hr_rule *r = hr_ruleset_rule(rs, i);
        struct hr_rule_result res;
        hr_rule_eval(r, &ctx, &res);
        if (res.when != HR_TRUE && !all)
            continue;
        hr_rule_why_format(&res, why, sizeof why);
        printf("%s\t%s\t%s\t%s\t%s\t%s\n", f->customer ? f->customer : "-",
               f->serial ? f->serial : "-", hr_rule_name(r),
               res.when == HR_TRUE ? "FIRES" : res.when == HR_FALSE ? "no" : "unknown",
               hr_rule_severity(r), why);
        if (res.when == HR_TRUE) {
            char *text = hr_rule_proposal(r, &ctx);
            printf("\tproposal: %s\n", text ? text : "(out of memory)");
            free(text);
            for (size_t k = 0; k < hr_rule_sku_count(r); k++) {
                char *sku = hr_rule_sku(r, k, &ctx);
                printf("\tsku: %s\n", sku ? sku : errno == ENODATA
                       ? "(none: the template uses an unknown value)" : "(out of memory)");
                free(sku);
            }
            (*fired)++;
        }
    }
}

struct eval_cb_arg {
    const struct hr_ruleset *rs;
    int all;
    unsigned devices, fired;
};

static int eval_one(const struct hr_facts *f, void *arg)
{
    struct eval_cb_arg *a = arg;
    a->devices++;
    print_device(a->rs, f, a->all, &a->fired);
    return 0;
}

static int cmd_eval(struct hr_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        { "rules", required_argument, NULL, 'r' },
        { "customer", required_argument, NULL, 'C' },
        { "device", required_argument, NULL, 'D' },
        { "db", required_argument, NULL, 'd' },
        { "at", required_argument, NULL, 't' },
        { "all", no_argument, NULL, 'a' },
        { "forecast-window", required_argument, NULL, 'w' },
        { "forecast-method", required_argument, NULL, 'm' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *rules = default_rules_path(), *db = NULL;
    struct rules_db_filter flt = { 0 };
    struct eval_cb_arg a = { 0 };
    int64_t now = (int64_t)time(NULL);
    uint64_t w;
    int c;

    hr_forecast_opts_default(&flt.fc);
    while ((c = getopt_long(argc, argv, "r:C:D:d:t:aw:m:h", opts, NULL)) != -1) {
        switch (c) {
        case 'r': rules = optarg; break;
        case 'C': flt.customer = optarg; break;
        case 'D': flt.serial = optarg; break;
        case 'd': db = optarg; break;
        case 't':
            if (parse_time(optarg, &now) < 0) {
                fprintf(stderr, "headroom rules eval: --at: not a time: %s\n", optarg);
                return HR_EXIT_USAGE;
            }
            break;
        case 'a': a.all = 1; break;
        case 'w':
            if (hr_parse_u64(optarg, &w) < 0 || w < 2 || w > 3660) {
                fprintf(stderr, "headroom rules eval: --forecast-window: 2 to 3660 days\n");
                return HR_EXIT_USAGE;
            }
            flt.fc.window_days = (double)w;
            break;
        case 'm':
            if (strcmp(optarg, "reject") == 0) flt.fc.method = HR_FC_LSQ_REJECT;
            else if (strcmp(optarg, "lsq") == 0) flt.fc.method = HR_FC_LSQ;
            else if (strcmp(optarg, "theil-sen") == 0) flt.fc.method = HR_FC_THEIL_SEN;
            else {
                fprintf(stderr, "headroom rules eval: --forecast-method: reject, lsq or theil-sen\n");
                return HR_EXIT_USAGE;
            }
            break;
        case 'h': usage(stdout); return HR_EXIT_OK;
        default: usage(stderr); return HR_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "headroom rules eval: unexpected argument '%s'\n", argv[optind]);
        return HR_EXIT_USAGE;
    }
    struct hr_ruleset *rs = NULL;
    char *errors = NULL;
    int rc = hr_rules_load(rules, &rs, &errors);
    if (rc != 0) {
        fputs(errors ? errors : "out of memory\n", stderr);
        free(errors);
        return rc < 0 ? HR_EXIT_FAIL : HR_EXIT_DATA;
    }
    a.rs = rs;
    flt.now = now;
    flt.window_days = hr_ruleset_max_window(rs, &flt.fc);
    printf("# customer\tserial\trule\tresult\tseverity\twhy\n");
    char err[512] = "";
    rc = rules_db_foreach(ctx, db, &flt, eval_one, &a, err, sizeof err);
    hr_ruleset_free(rs);
    if (rc < 0) {
        fprintf(stderr, "headroom rules eval: %s\n", err);
        return HR_EXIT_FAIL;
    }
    if ((flt.customer || flt.serial) && a.devices == 0) {
        fprintf(stderr, "headroom rules eval: no device matches\n");
        return HR_EXIT_FAIL;
    }
    if (!ctx->quiet)
        fprintf(stderr, "%u device%s evaluated, %u rule%s fired\n", a.devices,
                a.devices == 1 ? "" : "s", a.fired, a.fired == 1 ? "" : "s");
    return HR_EXIT_OK;
}

int hr_cmd_rules(struct hr_ctx *ctx, int argc, char **argv);
int hr_cmd_rules(struct hr_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int quiet = ctx->quiet, c;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? HR_EXIT_USAGE : HR_EXIT_OK;
    }
    const char *sub = argv[1];
    argc--;
    argv++;
    if (strcmp(sub, "eval") == 0)
        return cmd_eval(ctx, argc, argv);
    if (strcmp(sub, "facts") == 0)
        return cmd_facts();
    if (strcmp(sub, "check") != 0) {
        fprintf(stderr, "headroom rules: unknown subcommand '%s' (check, eval, facts)\n", sub);
        return HR_EXIT_USAGE;
    }
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (c) {
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return HR_EXIT_OK;
        default: usage(stderr); return HR_EXIT_USAGE;
        }
    }
    return cmd_check(argc - optind, argv + optind, quiet);
}
