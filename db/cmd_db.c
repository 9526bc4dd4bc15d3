/* cmd_db.c: `headroom db init|migrate|info|prune`. */
#include "db_int.h"
#include "cmd.h"
#include "daily.h"
#include "hr_util.h"
#include "settings.h"

#include <inttypes.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void db_usage(FILE *f)
{
    fprintf(f,
        "Usage: headroom db init [--schema N] | migrate | info | prune\n"
        "  init     create the database (mode 0600) with the current schema; an\n"
        "           existing file is upgraded, never emptied.  --schema N creates a\n"
        "           new file at an older schema N (to test upgrades)\n"
        "  migrate  upgrade an older database file in place, one transaction per step\n"
        "           (every command does this on open; this one says what it did)\n"
        "  info     path, file mode, schema version, journal mode and row counts\n"
        "  prune    apply the retention now, to the end (`headroom poll` does it a\n"
        "           few seconds at a time after each slice): raw polls older than\n"
        "           retention-raw-days and days older than retention-daily-years\n"
        "           deleted, the raw polls of the hours gone by packed\n"
        "The database is --db FILE, else $HEADROOM_DB, else " HR_DB_DEFAULT_PATH ".\n");
}

static int db_info(const char *path)
{
    char err[512];
    struct stat st;
    struct hr_db *h;
    sqlite3 *db;
    sqlite3_stmt *q;

    if (hr_db_open(path, HR_DB_NOMIGRATE, &h, err, sizeof err) < 0) {
        log_warnx("%s", err);
        return HR_EXIT_FAIL;
    }
    db = h->sq;
    if (stat(path, &st) == 0)
        printf("path:        %s\nsize:        %lld bytes\nmode:        %04o\n", path,
               (long long)st.st_size, (unsigned)(st.st_mode & 07777));
    printf("schema:      %d (this headroom writes %d)\n", hr_db_version(h),
           hr_db_latest_version());
    if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW)
            printf("journal:     %s\n", (const char *)sqlite3_column_text(q, 0));
        sqlite3_finalize(q);
    }
    if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'table'"
                               " AND name NOT LIKE 'sqlite_%' ORDER BY name", -1, &q, NULL)
        != SQLITE_OK) {
        log_warnx("database: %s", sqlite3_errmsg(db));
        hr_db_close(h);
        return HR_EXIT_FAIL;
    }
    while (sqlite3_step(q) == SQLITE_ROW) {
        char sql[200];
        sqlite3_stmt *c;
        const char *name = (const char *)sqlite3_column_text(q, 0);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", name);
        if (sqlite3_prepare_v2(db, sql, -1, &c, NULL) == SQLITE_OK) {
            if (sqlite3_step(c) == SQLITE_ROW)
                printf("rows:        %-14s %lld\n", name, (long long)sqlite3_column_int64(c, 0));
            sqlite3_finalize(c);
        }
    }
    sqlite3_finalize(q);
    /* Raw polls wait in samples until their hour is packed into polls. */
    if (sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM samples),"
                               " (SELECT coalesce(sum(n), 0) FROM polls)", -1, &q, NULL)
        == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW)
            printf("raw polls:   %lld (%lld waiting in samples, %lld packed)\n",
                   (long long)(sqlite3_column_int64(q, 0) + sqlite3_column_int64(q, 1)),
                   (long long)sqlite3_column_int64(q, 0), (long long)sqlite3_column_int64(q, 1));
        sqlite3_finalize(q);
    }
    hr_db_close(h);
    return HR_EXIT_OK;
}

/* `headroom db prune`: the retention of headroom.conf(5) applied in passes
 * of 2 s (each batch its own transaction, so a poller running meanwhile
 * waits at most a batch), a progress line after each pass that did
 * something. */
static int db_prune(struct hr_ctx *ctx, const char *path)
{
    const struct hr_settings *set = ctx->set;
    int64_t raw = 0, days = 0, packed = 0, now = hr_db_now();
    double t0 = hr_mono_ms();
    char err[512];
    struct hr_db *db;
    int rc;

    if (hr_db_open(path, 0, &db, err, sizeof err) < 0) {
        log_warnx("%s", err);
        return HR_EXIT_FAIL;
    }
    do {
        int64_t r, d, p;
        rc = hr_db_retention_apply(db, now, set->retention_raw_days,
                                   set->retention_daily_years, 2000, &r, &d, &p);
        if (rc < 0)
            break;
        raw += r;
        days += d;
        packed += p;
        if (rc == 1 && !ctx->quiet)
            fprintf(stderr, "headroom: db prune: %" PRId64 " raw polls and %" PRId64
                    " days pruned, %" PRId64 " polls packed so far (%.0f s)\n", raw, days,
                    packed, (hr_mono_ms() - t0) / 1e3);
    } while (rc == 1);
    if (rc < 0) {
        log_warnx("%s: retention: %s (what was done so far is kept; run it again)", path,
                  hr_db_errmsg(db));
        hr_db_close(db);
        return HR_EXIT_FAIL;
    }
    hr_db_close(db);
    if (!ctx->quiet)
        printf("%s: %" PRId64 " raw polls and %" PRId64 " daily records pruned, %" PRId64
               " raw polls packed\n", path, raw, days, packed);
    return HR_EXIT_OK;
}

int hr_cmd_db(struct hr_ctx *ctx, int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : NULL;
    const char *path = hr_db_path(ctx);
    char err[512];
    struct hr_db *db;
    int before, n, upto = 0;
    long long v;

    if (sub && argc == 4 && strcmp(sub, "init") == 0 && strcmp(argv[2], "--schema") == 0) {
        if (hr_parse_num(argv[3], 1, hr_db_latest_version(), &v, NULL) < 0) {
            log_warnx("db init --schema: 1 to %d", hr_db_latest_version());
            return HR_EXIT_USAGE;
        }
        if (access(path, F_OK) == 0) {
            log_warnx("%s exists; --schema only creates new files", path);
            return HR_EXIT_USAGE;
        }
        upto = (int)v;
        argc = 2;
    }
    if (!sub || argc > 2) {
        db_usage(stderr);
        return HR_EXIT_USAGE;
    }
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        db_usage(stdout);
        return HR_EXIT_OK;
    }
    if (strcmp(sub, "info") == 0)
        return db_info(path);
    if (strcmp(sub, "prune") == 0)
        return db_prune(ctx, path);
    if (strcmp(sub, "init") != 0 && strcmp(sub, "migrate") != 0) {
        log_warnx("db: unknown subcommand '%s'", sub);
        db_usage(stderr);
        return HR_EXIT_USAGE;
    }
    int existed = access(path, F_OK) == 0;
    if (hr_db_open(path, (strcmp(sub, "init") == 0 ? HR_DB_CREATE : 0) | HR_DB_NOMIGRATE, &db,
                   err, sizeof err) < 0) {
        log_warnx("%s", err);
        return HR_EXIT_FAIL;
    }
    before = hr_db_version(db);
    n = hr_db_migrate(db, upto, err, sizeof err);
    hr_db_close(db);
    if (n < 0) {
        log_warnx("%s: %s", path, err);
        return HR_EXIT_FAIL;
    }
    if (ctx->quiet)
        return HR_EXIT_OK;
    if (!existed)
        printf("%s: created, schema %d\n", path, upto ? upto : hr_db_latest_version());
    else if (n == 0)
        printf("%s: schema %d, up to date\n", path, before);
    else
        printf("%s: upgraded from schema %d to %d\n", path, before, hr_db_latest_version());
    return HR_EXIT_OK;
}
