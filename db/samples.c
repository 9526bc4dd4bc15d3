/* samples.c: the sample history; see samples.h. */
#include "rows_int.h"
#include "samples.h"
#include "daily.h"
#include "polls.h"

#include <stdio.h>

/* ON CONFLICT DO NOTHING: a cycle re-run after a crash, or two rows for
 * one device in one second, keep the first sample. */
static const char sample_insert_sql[] =
    "INSERT INTO samples (device_id, time, capacity, used, used_percent, writes,"
    " writes_delta, peak, peak_prev, rate_avg, window, sysuptime, status)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    " ON CONFLICT DO NOTHING";

int hr_db_sample_put(struct hr_db *db, const struct hr_db_sample *s)
{
    unsigned k = s->known;

#define KNOWN(bit) ((k & (bit)) != 0)
    return hr_db_changes(db, sample_insert_sql, "IIjjjjjjjjjji", s->device_id, s->time,
                         KNOWN(HR_DB_S_CAPACITY), (int64_t)s->capacity, KNOWN(HR_DB_S_USED),
                         (int64_t)s->used, KNOWN(HR_DB_S_USED_PCT), (int64_t)s->used_percent,
                         KNOWN(HR_DB_S_WRITES), (int64_t)s->writes, KNOWN(HR_DB_S_DELTA),
                         (int64_t)s->writes_delta, KNOWN(HR_DB_S_PEAK), s->peak,
                         KNOWN(HR_DB_S_PEAK_PREV), s->peak_prev, KNOWN(HR_DB_S_RATE_AVG),
                         s->rate_avg, KNOWN(HR_DB_S_WINDOW), s->window, KNOWN(HR_DB_S_UPTIME),
                         s->sysuptime, (int)s->status);
#undef KNOWN
}

void hr_db_sample_read(sqlite3_stmt *st, struct hr_db_sample *s)
{
    static const unsigned bits[] = {
        0, HR_DB_S_CAPACITY, HR_DB_S_USED, HR_DB_S_USED_PCT, HR_DB_S_WRITES, HR_DB_S_DELTA,
        HR_DB_S_PEAK, HR_DB_S_PEAK_PREV, HR_DB_S_RATE_AVG, HR_DB_S_WINDOW, HR_DB_S_UPTIME,
    };
    int64_t pct;

    for (int i = 1; i < (int)(sizeof bits / sizeof bits[0]); i++)
        if (sqlite3_column_type(st, i) != SQLITE_NULL)
            s->known |= bits[i];
    hr_db_cols(st, "IIIIIIIIIIIi", &s->time, (int64_t *)&s->capacity, (int64_t *)&s->used,
               &pct, (int64_t *)&s->writes, (int64_t *)&s->writes_delta, &s->peak,
               &s->peak_prev, &s->rate_avg, &s->window, &s->sysuptime, (int *)&s->status);
    s->used_percent = (int)pct;
}

/* A second already packed (a late or imported poll of an hour gone by)
 * counts as there: the probe is one key lookup that finds nothing for a
 * poll of the current hour. */
int hr_db_sample_insert(struct hr_db *db, const struct hr_db_sample *s)
{
    int n = hr_db_polls_has(db, s->device_id, s->time);

    if (n != 0)
        return n < 0 ? -1 : 0;
    if ((n = hr_db_sample_put(db, s)) <= 0)
        return n < 0 ? -1 : 0;
    return hr_db_daily_add(db, s) < 0 ? -1 : 1;
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
    sqlite3_stmt *st;
    int64_t w;
    int rc, l;

    if ((rc = hr_db_row(db, &st, prev_get_sql, "I", device)) <= 0)
        return rc;
    *writes_known = sqlite3_column_type(st, 1) != SQLITE_NULL;
    hr_db_cols(st, "IIi", time, &w, &l);
    *writes = (uint64_t)w;
    *line = (unsigned)l;
    sqlite3_reset(st);
    return 1;
}

int hr_db_import_prev_set(struct hr_db *db, int64_t device, int64_t time, int writes_known,
                          uint64_t writes, unsigned line)
{
    return hr_db_run(db, prev_set_sql, "IIji", device, time, writes_known, (int64_t)writes,
                     (int)line);
}
