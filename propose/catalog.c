/* catalog.c: `headroom catalog import|list`: the product catalogue (model
 * number -> name, product line, rated write load and its window, maximum
 * capacity, option and supply SKUs, latest firmware) and the firmware
 * catalogue (model number, version, release date).  rules/facts_db.c reads
 * both for the rules; propose.c reads the product line for routing and the
 * options and supplies for the mail.  Formats: docs/proposals.md. */
#include "cmd.h"
#include "hr_util.h"
#include "stock.h"
#include "db.h"
#include "import.h"
#include "log.h"
#include "propose_db.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: headroom catalog import [--replace] PRODUCTS.csv\n"
        "       headroom catalog import --firmware [--replace] FIRMWARE.csv\n"
        "       headroom catalog list\n"
        "The product and firmware catalogues the rules, the routing and the proposal\n"
        "mail read.  An import is one transaction: any bad record is reported as\n"
        "FILE:LINE: reason and nothing is imported (exit 3).\n"
        "\n"
        "  -f, --firmware     import the firmware catalogue (model_number, version,\n"
        "                     release_date)\n"
        "  -r, --replace      empty the catalogue first (default: add and update)\n"
        "  -h, --help\n"
        "\n"
        "Product columns: model_number (required), name, product_line, rated_load\n"
        "(peak writes per window), rated_window (seconds), max_capacity (bytes or\n"
        "4TiB), options and supplies (SKUs separated by blanks), latest_firmware.\n");
}

/* ---- import ---- */

enum { PC_MODEL, PC_NAME, PC_LINE, PC_LOAD, PC_WINDOW, PC_MAXCAP, PC_OPTIONS, PC_SUPPLIES,
       PC_LATEST, PC_N };
static const char *const product_cols[PC_N] = {
    "model_number", "name", "product_line", "rated_load", "rated_window", "max_capacity",
    "options", "supplies", "latest_firmware",
};
static const char *const product_required[] = { "model_number", NULL };

enum { FC_MODEL, FC_VERSION, FC_DATE, FC_N };
static const char *const firmware_cols[FC_N] = { "model_number", "version", "release_date" };
static const char *const firmware_required[] = { "model_number", "version", "release_date",
                                                 NULL };

struct cat_imp {
    struct hr_db *db;
    int firmware;
    int clear;                  /* empty the catalogue before the first record (--replace) */
};

static int clear_once(struct cat_imp *ci, char *err, size_t errlen)
{
    if (!ci->clear)
        return 0;
    if (hr_db_catalog_clear(ci->db, ci->firmware) < 0)
        return hr_db_refused(ci->db, err, errlen);
    ci->clear = 0;
    return 0;
}

/* A blank-separated list of SKUs, each a valid part number. */
static int check_skus(const char *col, const char *v, char *err, size_t errlen)
{
    char buf[1024];
    char *save = NULL;

    if (!v || !*v)
        return 0;
    if (strlen(v) >= sizeof buf) {
        snprintf(err, errlen, "%s: too long (at most %zu bytes)", col, sizeof buf - 1);
        return -1;
    }
    hr_strlcpy(buf, v, sizeof buf);
    for (char *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
        if (!hr_stock_valid_id(w)) {
            snprintf(err, errlen, "%s: '%.64s' is not a part number (1-64 printable"
                     " characters, no blanks, commas or quotes)", col, w);
            return -1;
        }
    return 0;
}

static int text_ok(const char *col, const char *v, size_t max, char *err, size_t errlen)
{
    if (v && strlen(v) > max) {
        snprintf(err, errlen, "%s: longer than %zu bytes", col, max);
        return -1;
    }
    return 0;
}

static int product_row(void *arg, const char **v, unsigned line, char *err, size_t errlen)
{
    struct cat_imp *ci = arg;
    int64_t load, window;
    uint64_t maxcap = 0;

    (void)line;
    if (clear_once(ci, err, errlen) < 0)
        return -1;
    if (!v[PC_MODEL][0] || strlen(v[PC_MODEL]) > 64) {
        snprintf(err, errlen, "model_number: want 1 to 64 characters");
        return -1;
    }
    if (text_ok("name", v[PC_NAME], 200, err, errlen) < 0 ||
        text_ok("product_line", v[PC_LINE], 64, err, errlen) < 0 ||
        text_ok("latest_firmware", v[PC_LATEST], 64, err, errlen) < 0 ||
        hr_import_int("rated_load", v[PC_LOAD], 0, INT64_C(1) << 50, -1, &load, err,
                      errlen) < 0 ||
        hr_import_int("rated_window", v[PC_WINDOW], 1, 86400 * 7, -1, &window, err,
                      errlen) < 0 ||
        check_skus("options", v[PC_OPTIONS], err, errlen) < 0 ||
        check_skus("supplies", v[PC_SUPPLIES], err, errlen) < 0)
        return -1;
    if (v[PC_LINE] && strchr(v[PC_LINE], ' ')) {
        snprintf(err, errlen, "product_line: '%.64s' holds a blank (staff list lines"
                 " separated by blanks)", v[PC_LINE]);
        return -1;
    }
    if (v[PC_MAXCAP] && *v[PC_MAXCAP] && hr_parse_size(v[PC_MAXCAP], &maxcap) < 0) {
        snprintf(err, errlen, "max_capacity: '%.40s' is not a size (bytes, or a number with"
                 " a unit like 4TiB)", v[PC_MAXCAP]);
        return -1;
    }
    struct hr_db_catalog_row r = {
        .model_number = v[PC_MODEL], .name = v[PC_NAME], .product_line = v[PC_LINE],
        .options = v[PC_OPTIONS], .supplies = v[PC_SUPPLIES], .latest_firmware = v[PC_LATEST],
        .rated_load = load, .rated_window = window,
        .max_capacity = v[PC_MAXCAP] && *v[PC_MAXCAP] ? (int64_t)maxcap : -1,
    };
    if (hr_db_catalog_product_put(ci->db, &r) < 0)
        return hr_db_refused(ci->db, err, errlen);
    return 0;
}

static int firmware_row(void *arg, const char **v, unsigned line, char *err, size_t errlen)
{
    struct cat_imp *ci = arg;
    int64_t day;

    (void)line;
    if (clear_once(ci, err, errlen) < 0)
        return -1;
    if (!v[FC_MODEL][0] || strlen(v[FC_MODEL]) > 64 || !v[FC_VERSION][0] ||
        strlen(v[FC_VERSION]) > 64) {
        snprintf(err, errlen, "model_number and version: want 1 to 64 characters");
        return -1;
    }
    if (hr_day_parse(v[FC_DATE], &day) < 0) {
        snprintf(err, errlen, "release_date: '%.40s' is not a date (YYYY-MM-DD)", v[FC_DATE]);
        return -1;
    }
    if (hr_db_catalog_firmware_put(ci->db, v[FC_MODEL], v[FC_VERSION], day * 86400) < 0)
        return hr_db_refused(ci->db, err, errlen);
    return 0;
}

static int cmd_import(struct hr_db *db, const char *path, int firmware, int replace,
                      const struct hr_ctx *ctx)
{
    struct cat_imp ci = { db, firmware, replace };
    unsigned n = 0;
    int rc;

    struct hr_import_spec spec = {
        firmware ? firmware_cols : product_cols, firmware ? FC_N : PC_N,
        firmware ? firmware_required : product_required,
        firmware ? firmware_row : product_row, &ci,
    };
    rc = hr_import_csv(db, path, &spec, &n);
    if (rc != HR_EXIT_OK)
        return rc;
    if (n == 0 && replace && hr_db_catalog_clear(db, firmware) < 0) {
        log_warnx("catalog: %s", hr_db_errmsg(db));
        return HR_EXIT_FAIL;
    }
    if (!ctx->quiet)
        printf("%u %s imported from %s%s\n", n, firmware ? "firmware releases" : "products",
               path, replace ? " (catalogue replaced)" : "");
    return HR_EXIT_OK;
}

/* ---- list ---- */

static const char *dash(const char *s)
{
    return s ? s : "-";
}

static int list_one(void *arg, const char *const *c)
{
    (void)arg;
    printf("%s  %s  line=%s\n", c[0], c[1] ? c[1] : "", c[2] ? c[2] : "");
    printf("  rated_load=%s per %ss  max_capacity=%s  latest_firmware=%s\n", dash(c[3]),
           dash(c[4]), dash(c[5]), dash(c[8]));
    printf("  options: %s\n  supplies: %s\n  firmware: %s\n", c[6] ? c[6] : "",
           c[7] ? c[7] : "", dash(c[9]));
    return 0;
}

static int cmd_list(struct hr_db *db)
{
    if (hr_db_catalog_list(db, list_one, NULL) < 0) {
        log_warnx("catalog: %s", hr_db_errmsg(db));
        return HR_EXIT_FAIL;
    }
    return HR_EXIT_OK;
}

int hr_cmd_catalog(struct hr_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        { "firmware", no_argument, NULL, 'f' },
        { "replace", no_argument, NULL, 'r' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int firmware = 0, replace = 0, c, rc;
    const char *sub;
    struct hr_db *db;

    while ((c = getopt_long(argc, argv, "frh", opts, NULL)) != -1) {
        switch (c) {
        case 'f': firmware = 1; break;
        case 'r': replace = 1; break;
        case 'h': usage(stdout); return HR_EXIT_OK;
        default: usage(stderr); return HR_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return HR_EXIT_USAGE;
    }
    sub = argv[optind++];
    if (strcmp(sub, "import") == 0 ? argc - optind != 1
                                   : strcmp(sub, "list") != 0 || argc != optind ||
                                         firmware || replace) {
        usage(stderr);
        return HR_EXIT_USAGE;
    }
    if (hr_db_open_ctx(ctx, strcmp(sub, "import") == 0 ? HR_DB_CREATE : 0, &db) < 0)
        return HR_EXIT_FAIL;
    rc = strcmp(sub, "import") == 0 ? cmd_import(db, argv[optind], firmware, replace, ctx)
                                    : cmd_list(db);
    hr_db_close(db);
    return rc;
}
