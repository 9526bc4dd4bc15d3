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
#include "db_sqlite.h"  /* not yet behind db/ */
#include "import.h"

#include <getopt.h>
#include <inttypes.h>
#include <sqlite3.h>
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
    sqlite3_stmt *st;
    const char *clear_sql;      /* run before the first record (--replace), or NULL */
};

static int clear_once(struct cat_imp *ci, char *err, size_t errlen)
{
    sqlite3 *db = sqlite3_db_handle(ci->st);

    if (!ci->clear_sql)
        return 0;
    if (sqlite3_exec(db, ci->clear_sql, NULL, NULL, NULL) != SQLITE_OK)
        return hr_import_dberr(db, err, errlen);
    ci->clear_sql = NULL;
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

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static int product_row(void *arg, const char **v, unsigned line, char *err, size_t errlen)
{
    struct cat_imp *ci = arg;
    sqlite3_stmt *st = ci->st;
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
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_text(st, 1, v[PC_MODEL], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, v[PC_NAME] ? v[PC_NAME] : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, v[PC_LINE] ? v[PC_LINE] : "", -1, SQLITE_STATIC);
    if (load >= 0)
        sqlite3_bind_int64(st, 4, load);
    if (window >= 0)
        sqlite3_bind_int64(st, 5, window);
    if (v[PC_MAXCAP] && *v[PC_MAXCAP])
        sqlite3_bind_int64(st, 6, (int64_t)maxcap);
    sqlite3_bind_text(st, 7, v[PC_OPTIONS] ? v[PC_OPTIONS] : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, v[PC_SUPPLIES] ? v[PC_SUPPLIES] : "", -1, SQLITE_STATIC);
    bind_opt(st, 9, v[PC_LATEST]);
    if (sqlite3_step(st) != SQLITE_DONE)
        return hr_import_dberr(sqlite3_db_handle(st), err, errlen);
    return 0;
}

static int firmware_row(void *arg, const char **v, unsigned line, char *err, size_t errlen)
{
    struct cat_imp *ci = arg;
    sqlite3_stmt *st = ci->st;
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
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, v[FC_MODEL], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, v[FC_VERSION], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, day * 86400);
    if (sqlite3_step(st) != SQLITE_DONE)
        return hr_import_dberr(sqlite3_db_handle(st), err, errlen);
    return 0;
}

static int cmd_import(struct hr_db *hdb, const char *path, int firmware, int replace,
                      const struct hr_ctx *ctx)
{
    sqlite3 *db = hr_db_sqlite(hdb);
    static const char product_sql[] =
        "INSERT INTO catalog_products (model_number, name, product_line, rated_load,"
        " rated_window, max_capacity, options, supplies, latest_firmware)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (model_number) DO UPDATE SET"
        " name = excluded.name, product_line = excluded.product_line,"
        " rated_load = excluded.rated_load, rated_window = excluded.rated_window,"
        " max_capacity = excluded.max_capacity, options = excluded.options,"
        " supplies = excluded.supplies, latest_firmware = excluded.latest_firmware";
    static const char firmware_sql[] =
        "INSERT INTO catalog_firmware (model_number, version, release_date) VALUES (?1, ?2, ?3)"
        " ON CONFLICT (model_number, version) DO UPDATE SET release_date = excluded.release_date";
    const char *table = firmware ? "catalog_firmware" : "catalog_products";
    char clear[64];
    struct cat_imp ci = { NULL, NULL };
    unsigned n = 0;
    int rc;

    snprintf(clear, sizeof clear, "DELETE FROM %s", table);
    ci.clear_sql = replace ? clear : NULL;
    if (sqlite3_prepare_v2(db, firmware ? firmware_sql : product_sql, -1, &ci.st, NULL)
        != SQLITE_OK) {
        fprintf(stderr, "headroom: catalog: %s\n", sqlite3_errmsg(db));
        return HR_EXIT_FAIL;
    }
    struct hr_import_spec spec = {
        firmware ? firmware_cols : product_cols, firmware ? FC_N : PC_N,
        firmware ? firmware_required : product_required,
        firmware ? firmware_row : product_row, &ci,
    };
    rc = hr_import_csv(hdb, path, &spec, &n);
    sqlite3_finalize(ci.st);
    if (rc != HR_EXIT_OK)
        return rc;
    if (n == 0 && replace && sqlite3_exec(db, clear, NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "headroom: catalog: %s\n", sqlite3_errmsg(db));
        return HR_EXIT_FAIL;
    }
    if (!ctx->quiet)
        printf("%u %s imported from %s%s\n", n, firmware ? "firmware releases" : "products",
               path, replace ? " (catalogue replaced)" : "");
    return HR_EXIT_OK;
}

/* ---- list ---- */

static int cmd_list(sqlite3 *db)
{
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(db,
            "SELECT p.model_number, p.name, p.product_line, p.rated_load, p.rated_window,"
            " p.max_capacity, p.options, p.supplies, p.latest_firmware,"
            " (SELECT group_concat(version || '@' || date(release_date, 'unixepoch'), ' ')"
            "  FROM (SELECT * FROM catalog_firmware f WHERE f.model_number = p.model_number"
            "  ORDER BY release_date))"
            " FROM catalog_products p ORDER BY p.model_number", -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "headroom: catalog: %s\n", sqlite3_errmsg(db));
        return HR_EXIT_FAIL;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *fw = sqlite3_column_text(st, 9);
        printf("%s  %s  line=%s\n", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
               sqlite3_column_text(st, 2));
        printf("  rated_load=%s per %ss  max_capacity=%s  latest_firmware=%s\n",
               sqlite3_column_text(st, 3) ? (const char *)sqlite3_column_text(st, 3) : "-",
               sqlite3_column_text(st, 4) ? (const char *)sqlite3_column_text(st, 4) : "-",
               sqlite3_column_text(st, 5) ? (const char *)sqlite3_column_text(st, 5) : "-",
               sqlite3_column_text(st, 8) ? (const char *)sqlite3_column_text(st, 8) : "-");
        printf("  options: %s\n  supplies: %s\n  firmware: %s\n", sqlite3_column_text(st, 6),
               sqlite3_column_text(st, 7), fw ? (const char *)fw : "-");
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? HR_EXIT_OK : HR_EXIT_FAIL;
}

int hr_cmd_catalog(struct hr_ctx *ctx, int argc, char **argv);
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
    struct hr_db *hdb;
    sqlite3 *db;

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
    if (hr_db_open_ctx(ctx, strcmp(sub, "import") == 0 ? HR_DB_CREATE : 0, &hdb) < 0)
        return HR_EXIT_FAIL;
    db = hr_db_sqlite(hdb);
    rc = strcmp(sub, "import") == 0 ? cmd_import(hdb, argv[optind], firmware, replace, ctx)
                                    : cmd_list(db);
    hr_db_close(hdb);
    return rc;
}
