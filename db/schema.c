/* schema.c: the database schema, as an ordered list of migrations, and
 * the runner that applies them.
 *
 * PRAGMA user_version holds the number of the last step applied.  Opening
 * a file runs the missing steps in order, each in one transaction, so an
 * older file is upgraded in place and a step is either fully applied or
 * not at all.  NEVER edit a step that has shipped: append a new one.
 *
 * Each module keeps its steps in its own file (schema_collector.c,
 * schema_mail.c, schema_propose.c, declared in schema.h); this list only
 * numbers them.  A module adds a step by appending one line here with the
 * next number.  docs/collector.md describes the tables.
 */
#include "db_int.h"
#include "schema.h"
#include "hr_util.h"

#include <stdio.h>
#include <time.h>

const struct hr_migration hr_migrations[] = {
    { 1, "inventory: customers, staff, targets, devices, registrations, conflicts",
      hr_schema_collector_1 },
    { 2, "history: samples; poll state of targets and devices", hr_schema_collector_2 },
    /* ---- modules append their steps below, numbered in order ---- */
    { 3, "mail: outbox", hr_schema_mail_3 },
    { 4, "proposals: product and firmware catalogues, stock", hr_schema_propose_4 },
    { 5, "proposals: proposals, stock answers, rule flap state", hr_schema_propose_5 },
    { 6, "collector: target profiles, volumes, per-row write counters",
      hr_schema_collector_6 },
    { 7, "history: daily records; samples rolled up into days", hr_schema_collector_7 },
    { 8, "collector: the samples of both sides of a double registration",
      hr_schema_collector_8 },
    { 9, "history: raw polls packed an hour at a time", hr_schema_collector_9 },
};

const size_t hr_n_migrations = sizeof hr_migrations / sizeof hr_migrations[0];

size_t hr_db_migration_count(void)
{
    return hr_n_migrations;
}

int hr_db_migration_version(size_t i)
{
    return i < hr_n_migrations ? hr_migrations[i].version : -1;
}

int hr_db_latest_version(void)
{
    return hr_n_migrations ? hr_migrations[hr_n_migrations - 1].version : 0;
}

int hr_db_version(struct hr_db *db)
{
    sqlite3_stmt *st;
    int v = -1;

    if (sqlite3_prepare_v2(db->sq, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* hr_migrate_progress(device_id, what): a step that rolls up a large
 * table passes each row's device id through it, naming its pass; every
 * 2 s it logs how far the pass is, as the device ids go up (the tables are
 * keyed by device). */
struct progress {
    int step;
    int64_t rows, max_id;
    time_t last;
};

static void progress_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct progress *p = sqlite3_user_data(ctx);
    int64_t id = sqlite3_value_int64(argv[0]);
    time_t now;

    (void)argc;
    sqlite3_result_value(ctx, argv[0]);
    if ((++p->rows & 0xfff) != 0)
        return;
    now = time(NULL);
    if (p->last == 0)
        p->last = now;
    if (now - p->last < 2)
        return;
    p->last = now;
    hr_log(LOG_NOTICE, "upgrading to schema %d: %s: device %lld of %lld (%d%%)", p->step,
           (const char *)sqlite3_value_text(argv[1]), (long long)id, (long long)p->max_id,
           p->max_id > 0 ? (int)(id * 100 / p->max_id) : 0);
}

static void progress_begin(sqlite3 *db, struct progress *p, int step)
{
    sqlite3_stmt *st;

    *p = (struct progress){ .step = step };
    if (sqlite3_prepare_v2(db, "SELECT max(id) FROM devices", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            p->max_id = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
}

int hr_db_migrate(struct hr_db *hdb, int upto, char *err, size_t errlen)
{
    /* static: the function stays registered on the handle after we return */
    static struct progress prog;
    sqlite3 *db = hdb->sq;
    int cur = hr_db_version(hdb), applied = 0;
    char sql[64];

    if (upto <= 0)
        upto = hr_db_latest_version();
    if (cur < 0) {
        snprintf(err, errlen, "cannot read the schema version: %s", sqlite3_errmsg(db));
        return -1;
    }
    if (cur > hr_db_latest_version()) {
        snprintf(err, errlen, "the database has schema version %d, newer than this headroom "
                 "(%d); use a newer headroom", cur, hr_db_latest_version());
        return -1;
    }
    if (sqlite3_create_function(db, "hr_migrate_progress", 2, SQLITE_UTF8, &prog,
                                progress_fn, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot register the progress function: %s", sqlite3_errmsg(db));
        return -1;
    }
    for (size_t i = 0; i < hr_n_migrations; i++) {
        const struct hr_migration *m = &hr_migrations[i];
        if (m->version <= cur || m->version > upto)
            continue;
        if (m->version != cur + 1) {
            snprintf(err, errlen, "schema step %d follows %d: the migration list is broken",
                     m->version, cur);
            return -1;
        }
        if (hr_db_exec_sq(db, "BEGIN IMMEDIATE", err, errlen) < 0)
            return -1;
        progress_begin(db, &prog, m->version);
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", m->version);
        if (hr_db_exec_sq(db, m->sql, err, errlen) < 0 ||
            hr_db_exec_sq(db, sql, err, errlen) < 0) {
            char tmp[512];
            snprintf(tmp, sizeof tmp, "schema step %d (%s): %s", m->version, m->what, err);
            snprintf(err, errlen, "%s", tmp);
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
        if (hr_db_exec_sq(db, "COMMIT", err, errlen) < 0) {
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
        hr_log(LOG_INFO, "database upgraded to schema %d: %s", m->version, m->what);
        cur = m->version;
        applied++;
    }
    return applied;
}
