/* stock.c: the stock table and the stock check (stock.h), and
 * `headroom stock import|list|check`. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strptime, timegm */
#endif
#include "stock.h"
#include "cmd.h"
#include "hr_util.h"
#include "db.h"
#include "import.h"
#include "log.h"
#include "propose_db.h"

#include <getopt.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- days ---- */

int64_t hr_day_of(int64_t t)
{
    return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

void hr_day_format(int64_t day, char *buf, size_t sz)
{
    time_t t = (time_t)(day * 86400);
    struct tm tm;

    if (!gmtime_r(&t, &tm) || !strftime(buf, sz, "%Y-%m-%d", &tm))
        hr_strlcpy(buf, "?", sz);
}

int hr_day_parse(const char *s, int64_t *day)
{
    time_t t;

    if (hr_parse_date(s, &t) < 0)
        return -1;
    *day = hr_day_of((int64_t)t);
    return 0;
}

/* ---- the answer ---- */

static int answer_cmp(const void *pa, const void *pb)
{
    const struct hr_stock_answer *a = pa, *b = pb;
    int c;

    if (a->delivery_day != b->delivery_day)
        return a->delivery_day < b->delivery_day ? -1 : 1;
    if (a->row->quantity != b->row->quantity)
        return a->row->quantity > b->row->quantity ? -1 : 1;
    c = strcmp(a->row->store_id, b->row->store_id);
    return c;
}

size_t hr_stock_answer(const struct hr_stock_row *rows, size_t n, int64_t qty,
                       int64_t at_day, struct hr_stock_answer *out)
{
    size_t k = 0;

    if (qty < 1)
        qty = 1;
    for (size_t i = 0; i < n; i++)
        if (rows[i].quantity >= qty)
            out[k++] = (struct hr_stock_answer){ &rows[i], 1, at_day + rows[i].transit_days };
    /* Nobody holds enough: every store that lists the part can order it
     * from the manufacturing site. */
    if (k == 0)
        for (size_t i = 0; i < n; i++)
            out[k++] = (struct hr_stock_answer){ &rows[i], 0, at_day + rows[i].lead_time_days };
    if (k > 1)
        qsort(out, k, sizeof *out, answer_cmp);
    return k;
}

/* ---- database ---- */

void hr_stock_result_free(struct hr_stock_result *res)
{
    if (!res)
        return;
    for (size_t i = 0; res->rows && i < res->cap; i++) {
        /* the strings are ours (dup_col); the row type is const for users */
        free((void *)(uintptr_t)res->rows[i].sku);
        free((void *)(uintptr_t)res->rows[i].store_id);
        free((void *)(uintptr_t)res->rows[i].store_name);
    }
    free(res->rows);
    free(res->ans);
    memset(res, 0, sizeof *res);
}

static const char *dup_text(const char *t, int *oom)
{
    char *s = strdup(t ? t : "");

    if (!s)
        *oom = 1;
    return s;
}

static int grow(struct hr_stock_result *res)
{
    size_t nc = res->cap ? res->cap * 2 : 8;
    struct hr_stock_row *r = realloc(res->rows, nc * sizeof *r);

    if (!r)
        return -1;
    memset(r + res->cap, 0, (nc - res->cap) * sizeof *r);
    res->rows = r;
    res->cap = nc;
    return 0;
}

struct lookup {
    struct hr_stock_result *res;
    size_t n;
};

static int lookup_one(void *arg, const struct hr_db_stock *s)
{
    struct lookup *l = arg;
    struct hr_stock_result *res = l->res;
    int oom = 0;

    if (l->n == res->cap && grow(res) < 0)
        return 1;
    struct hr_stock_row *r = &res->rows[l->n++];
    r->sku = dup_text(s->sku, &oom);
    r->store_id = dup_text(s->store_id, &oom);
    r->store_name = dup_text(s->store_name, &oom);
    r->quantity = s->quantity;
    r->lead_time_days = s->lead_time_days;
    r->transit_days = s->transit_days;
    return oom;
}

int hr_stock_lookup(struct hr_db *db, const char *sku, int64_t qty, int64_t at_day,
                    struct hr_stock_result *res, char *err, size_t errlen)
{
    struct lookup l = { res, 0 };
    int rc;

    memset(res, 0, sizeof *res);
    rc = hr_db_stock_each(db, sku, lookup_one, &l);
    if (rc < 0) {
        snprintf(err, errlen, "stock: %s", hr_db_errmsg(db));
        goto out_free;
    }
    if (rc > 0 || (l.n && !(res->ans = calloc(l.n, sizeof *res->ans)))) {
        snprintf(err, errlen, "out of memory");
        goto out_free;
    }
    res->n = hr_stock_answer(res->rows, l.n, qty, at_day, res->ans);
    return (int)res->n;
out_free:
    hr_stock_result_free(res);
    return -1;
}

/* ---- headroom stock ---- */

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: headroom stock import FILE.csv\n"
        "       headroom stock list [--sku SKU]\n"
        "       headroom stock check SKU [--qty N] [--at DATE]\n"
        "Stock per part (SKU) and store, and the stock check: the store(s) that can\n"
        "hand a part over and the delivery date, best first (seed 000's \"order\n"
        "identification information\").\n"
        "\n"
        "  import FILE.csv    replace the whole stock table with FILE (one transaction;\n"
        "                     columns sku, store_id, store_name, quantity,\n"
        "                     lead_time_days, transit_days)\n"
        "  list               the stock table\n"
        "  check SKU          in stock somewhere: today + that store's transit days;\n"
        "                     in stock nowhere: today + each store's lead time\n"
        "  -s, --sku SKU      list: only this part\n"
        "  -n, --qty N        check: the quantity wanted (default 1)\n"
        "  -t, --at DATE      check: as of DATE (YYYY-MM-DD or Unix time; default today)\n"
        "  -h, --help\n"
        "\n"
        "Exit status: 0 done (check: some store can deliver), 1 failure or no store\n"
        "lists the part, 2 usage, 3 bad CSV file (nothing changed).\n");
}

enum { SC_SKU, SC_STORE, SC_NAME, SC_QTY, SC_LEAD, SC_TRANSIT, SC_N };
static const char *const stock_cols[SC_N] = {
    "sku", "store_id", "store_name", "quantity", "lead_time_days", "transit_days",
};
static const char *const stock_required[] = { "sku", "store_id", "quantity", NULL };

int hr_stock_valid_id(const char *s)
{
    size_t n = 0;

    for (; s[n]; n++)
        if (s[n] <= ' ' || s[n] > '~' || s[n] == ',' || s[n] == '"')
            return 0;
    return n >= 1 && n <= 64;
}

struct stock_imp {
    struct hr_db *db;
    int emptied;
};

static int stock_row(void *arg, const char **v, unsigned line, char *err, size_t errlen)
{
    struct stock_imp *si = arg;
    int64_t qty, lead, transit;
    int dup;

    (void)line;
    /* The whole table is replaced: a store that no longer lists a part must
     * not keep answering for it.  The first record empties it, inside the
     * import's transaction, so a bad file leaves the old stock in place. */
    if (!si->emptied) {
        if (hr_db_stock_clear(si->db) < 0)
            return hr_db_refused(si->db, err, errlen);
        si->emptied = 1;
    }
    if (!hr_stock_valid_id(v[SC_SKU])) {
        snprintf(err, errlen, "sku: '%.64s' is not a part number (1-64 printable characters,"
                 " no blanks)", v[SC_SKU]);
        return -1;
    }
    if (!hr_stock_valid_id(v[SC_STORE])) {
        snprintf(err, errlen, "store_id: '%.64s' is not a store id (1-64 printable"
                 " characters, no blanks)", v[SC_STORE]);
        return -1;
    }
    if (hr_import_int("quantity", v[SC_QTY], 0, 1000000000, 0, &qty, err, errlen) < 0 ||
        hr_import_int("lead_time_days", v[SC_LEAD], 0, 3650, 0, &lead, err, errlen) < 0 ||
        hr_import_int("transit_days", v[SC_TRANSIT], 0, 365, 0, &transit, err, errlen) < 0)
        return -1;
    struct hr_db_stock row = { v[SC_SKU], v[SC_STORE], v[SC_NAME], qty, lead, transit };
    if (hr_db_stock_put(si->db, &row, &dup) < 0) {
        if (dup) {
            snprintf(err, errlen, "sku '%s' at store '%s' given twice", v[SC_SKU], v[SC_STORE]);
            return -1;
        }
        return hr_db_refused(si->db, err, errlen);
    }
    return 0;
}

static int cmd_import(struct hr_db *db, const char *path, const struct hr_ctx *ctx)
{
    struct stock_imp si = { db, 0 };
    unsigned n = 0;
    int rc;

    struct hr_import_spec spec = { stock_cols, SC_N, stock_required, stock_row, &si };
    rc = hr_import_csv(db, path, &spec, &n);
    if (rc != HR_EXIT_OK)
        return rc;
    /* A file with a header and no records: an empty stock. */
    if (n == 0 && hr_db_stock_clear(db) < 0) {
        log_warnx("stock: %s", hr_db_errmsg(db));
        return HR_EXIT_FAIL;
    }
    if (!ctx->quiet)
        printf("%u stock rows imported from %s (table replaced)\n", n, path);
    return HR_EXIT_OK;
}

static int list_one(void *arg, const struct hr_db_stock *s)
{
    (void)arg;
    printf("%-24s %-10s %-24s %8lld %5lld %7lld\n", s->sku, s->store_id, s->store_name,
           (long long)s->quantity, (long long)s->lead_time_days, (long long)s->transit_days);
    return 0;
}

static int cmd_list(struct hr_db *db, const char *sku)
{
    printf("%-24s %-10s %-24s %8s %5s %7s\n", "SKU", "STORE", "NAME", "QTY", "LEAD",
           "TRANSIT");
    if (hr_db_stock_each(db, sku, list_one, NULL) < 0) {
        log_warnx("stock: %s", hr_db_errmsg(db));
        return HR_EXIT_FAIL;
    }
    return HR_EXIT_OK;
}

static int cmd_check(struct hr_db *db, const char *sku, int64_t qty, int64_t at)
{
    struct hr_stock_result res;
    char err[256], date[16];
    int n;

    n = hr_stock_lookup(db, sku, qty, hr_day_of(at), &res, err, sizeof err);
    if (n < 0) {
        log_warnx("%s", err);
        return HR_EXIT_FAIL;
    }
    if (n == 0) {
        log_warnx("no store lists '%s'", sku);
        return HR_EXIT_FAIL;
    }
    printf("%-10s %-24s %8s %-8s %s\n", "STORE", "NAME", "QTY", "HOW", "DELIVERY");
    for (int i = 0; i < n; i++) {
        const struct hr_stock_answer *a = &res.ans[i];
        hr_day_format(a->delivery_day, date, sizeof date);
        printf("%-10s %-24s %8lld %-8s %s\n", a->row->store_id, a->row->store_name,
               (long long)a->row->quantity, a->in_stock ? "stock" : "order", date);
    }
    hr_stock_result_free(&res);
    return HR_EXIT_OK;
}

int hr_cmd_stock(struct hr_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        { "sku", required_argument, NULL, 's' },
        { "qty", required_argument, NULL, 'n' },
        { "at", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *sku = NULL, *sub;
    int64_t at = (int64_t)hr_now();
    uint64_t qty = 1;
    struct hr_db *db;
    int c, rc;

    while ((c = getopt_long(argc, argv, "s:n:t:h", opts, NULL)) != -1) {
        switch (c) {
        case 's': sku = optarg; break;
        case 'n':
            if (hr_parse_u64(optarg, &qty) < 0 || qty < 1 || qty > 1000000000) {
                log_warnx("stock: --qty '%s': want 1 to 1000000000", optarg);
                return HR_EXIT_USAGE;
            }
            break;
        case 't':
            if (hr_parse_time(optarg, &at) < 0) {
                log_warnx("stock: --at '%s': want YYYY-MM-DD or Unix time", optarg);
                return HR_EXIT_USAGE;
            }
            break;
        case 'h': usage(stdout); return HR_EXIT_OK;
        default: usage(stderr); return HR_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return HR_EXIT_USAGE;
    }
    sub = argv[optind++];
    int nargs = strcmp(sub, "list") == 0 ? 0 : 1;
    if ((strcmp(sub, "import") && strcmp(sub, "list") && strcmp(sub, "check")) ||
        argc - optind != nargs) {
        usage(stderr);
        return HR_EXIT_USAGE;
    }
    if (hr_db_open_ctx(ctx, strcmp(sub, "import") == 0 ? HR_DB_CREATE : 0, &db) < 0)
        return HR_EXIT_FAIL;
    if (strcmp(sub, "import") == 0)
        rc = cmd_import(db, argv[optind], ctx);
    else if (strcmp(sub, "list") == 0)
        rc = cmd_list(db, sku);
    else
        rc = cmd_check(db, argv[optind], (int64_t)qty, at);
    hr_db_close(db);
    return rc;
}
