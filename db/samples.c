/* samples.c: the sample history; see samples.h. */
#include "db_int.h"
#include "samples.h"

#include <stdio.h>

/* ON CONFLICT DO NOTHING: a cycle re-run after a crash, or two rows for
 * one device in one second, keep the first sample. */
static const char sample_insert_sql[] =
    "INSERT INTO samples (device_id, time, capacity, used, used_percent, writes,"
    " writes_delta, peak, peak_prev, rate_avg, window, sysuptime, status)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    " ON CONFLICT DO NOTHING";

int hr_db_sample_insert(struct hr_db *db, const struct hr_db_sample *s)
{
    sqlite3_stmt *st = hr_db_stmt(db, sample_insert_sql);

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, s->device_id);
    sqlite3_bind_int64(st, 2, s->time);
    hr_db_bind_i64_if(st, 3, s->known & HR_DB_S_CAPACITY, (int64_t)s->capacity);
    hr_db_bind_i64_if(st, 4, s->known & HR_DB_S_USED, (int64_t)s->used);
    hr_db_bind_i64_if(st, 5, s->known & HR_DB_S_USED_PCT, s->used_percent);
    hr_db_bind_i64_if(st, 6, s->known & HR_DB_S_WRITES, (int64_t)s->writes);
    hr_db_bind_i64_if(st, 7, s->known & HR_DB_S_DELTA, (int64_t)s->writes_delta);
    hr_db_bind_i64_if(st, 8, s->known & HR_DB_S_PEAK, s->peak);
    hr_db_bind_i64_if(st, 9, s->known & HR_DB_S_PEAK_PREV, s->peak_prev);
    hr_db_bind_i64_if(st, 10, s->known & HR_DB_S_RATE_AVG, s->rate_avg);
    hr_db_bind_i64_if(st, 11, s->known & HR_DB_S_WINDOW, s->window);
    hr_db_bind_i64_if(st, 12, s->known & HR_DB_S_UPTIME, s->sysuptime);
    sqlite3_bind_int(st, 13, (int)s->status);
    if (hr_db_step_done(db, st) < 0)
        return -1;
    return sqlite3_changes(db->sq) > 0;
}

static const char prev_get_sql[] =
    "SELECT time, writes, line FROM import_prev WHERE device_id = ?1";
static const char prev_set_sql[] = "INSERT OR REPLACE INTO import_prev VALUES (?1, ?2, ?3, ?4)";

int hr_db_import_prev_begin(struct hr_db *db)
{
    char err[256];

    if (hr_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS import_prev (device_id INTEGER"
                       " PRIMARY KEY, time INTEGER, writes INTEGER, line INTEGER);"
                       "DELETE FROM import_prev;", err, sizeof err) < 0) {
        hr_db_seterr(db, "%s", err);
        return -1;
    }
    return 0;
}

int hr_db_import_prev_get(struct hr_db *db, int64_t device, int64_t *time, int *writes_known,
                          uint64_t *writes, unsigned *line)
{
    sqlite3_stmt *st = hr_db_stmt(db, prev_get_sql);
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, device);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? 0 : -1;
    }
    *time = sqlite3_column_int64(st, 0);
    *writes_known = sqlite3_column_type(st, 1) != SQLITE_NULL;
    *writes = (uint64_t)sqlite3_column_int64(st, 1);
    *line = (unsigned)sqlite3_column_int(st, 2);
    sqlite3_reset(st);
    return 1;
}

int hr_db_import_prev_set(struct hr_db *db, int64_t device, int64_t time, int writes_known,
                          uint64_t writes, unsigned line)
{
    sqlite3_stmt *st = hr_db_stmt(db, prev_set_sql);

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, device);
    sqlite3_bind_int64(st, 2, time);
    hr_db_bind_i64_if(st, 3, writes_known, (int64_t)writes);
    sqlite3_bind_int(st, 4, (int)line);
    return hr_db_step_done(db, st);
}
