/* daily.c: the daily records and the retention of the history; see
 * daily.h and docs/collector.md "Daily records and retention". */
#include "rows_int.h"
#include "daily.h"
#include "samples.h"
#include "polls.h"
#include "hr_util.h"

#include <math.h>
#include <time.h>

int64_t hr_db_day_of(int64_t t)
{
    int64_t r = t % HR_DAY;

    return t - (r < 0 ? r + HR_DAY : r);
}

/* The fold of one poll into its day.  In an UPDATE every right-hand side
 * reads the old row, so "excluded.last_time >= last_time" asks whether
 * the new poll is the day's latest.  SQLite's two-argument max() is NULL
 * when either side is: the COALESCE pairs keep the known one. */
static const char daily_add_sql[] =
    "INSERT INTO daily (device_id, day, first_time, last_time, samples, capacity,"
    " capacity_time, used, used_time, used_max, cmax, cmax_prev, rate_sum, rate_n,"
    " writes_delta, firmware, flags, last_used, last_peak, last_rate, last_window)"
    " VALUES (?1, ?2, ?3, ?3, 1, ?4, CASE WHEN ?4 IS NOT NULL THEN ?3 END,"
    " ?5, CASE WHEN ?5 IS NOT NULL THEN ?3 END, ?5, ?6, ?7, ?8, ?8 IS NOT NULL, ?9, ?10,"
    " ?11, ?5, ?6, ?8, ?12)"
    " ON CONFLICT (device_id, day) DO UPDATE SET"
    " first_time = min(first_time, excluded.first_time),"
    " last_time = max(last_time, excluded.last_time),"
    " samples = samples + 1,"
    " capacity = CASE WHEN excluded.capacity IS NOT NULL AND (capacity IS NULL"
    "   OR excluded.last_time >= capacity_time) THEN excluded.capacity ELSE capacity END,"
    " capacity_time = CASE WHEN excluded.capacity IS NOT NULL AND (capacity IS NULL"
    "   OR excluded.last_time >= capacity_time) THEN excluded.last_time"
    "   ELSE capacity_time END,"
    " used = CASE WHEN excluded.used IS NOT NULL AND (used IS NULL"
    "   OR excluded.last_time >= used_time) THEN excluded.used ELSE used END,"
    " used_time = CASE WHEN excluded.used IS NOT NULL AND (used IS NULL"
    "   OR excluded.last_time >= used_time) THEN excluded.last_time ELSE used_time END,"
    " used_max = max(coalesce(used_max, excluded.used_max),"
    "   coalesce(excluded.used_max, used_max)),"
    " cmax = max(coalesce(cmax, excluded.cmax), coalesce(excluded.cmax, cmax)),"
    " rate_sum = CASE WHEN excluded.rate_sum IS NULL THEN rate_sum"
    "   ELSE coalesce(rate_sum, 0) + excluded.rate_sum END,"
    " rate_n = rate_n + excluded.rate_n,"
    " writes_delta = CASE WHEN excluded.writes_delta IS NULL THEN writes_delta"
    "   ELSE coalesce(writes_delta, 0) + excluded.writes_delta END,"
    " firmware = CASE WHEN excluded.firmware IS NULL THEN firmware"
    "   WHEN firmware IS NULL OR excluded.last_time >= last_time THEN excluded.firmware"
    "   ELSE firmware END,"
    " flags = flags | excluded.flags,"
    " cmax_prev = CASE WHEN excluded.last_time >= last_time THEN excluded.cmax_prev"
    "   ELSE cmax_prev END,"
    " last_used = CASE WHEN excluded.last_time >= last_time THEN excluded.last_used"
    "   ELSE last_used END,"
    " last_peak = CASE WHEN excluded.last_time >= last_time THEN excluded.last_peak"
    "   ELSE last_peak END,"
    " last_rate = CASE WHEN excluded.last_time >= last_time THEN excluded.last_rate"
    "   ELSE last_rate END,"
    " last_window = CASE WHEN excluded.last_time >= last_time THEN excluded.last_window"
    "   ELSE last_window END";

int hr_db_daily_add(struct hr_db *db, const struct hr_db_sample *s)
{
    unsigned k = s->known;

#define KNOWN(bit) ((k & (bit)) != 0)
    return hr_db_run(db, daily_add_sql, "IIIjjjjjjeij", s->device_id, hr_db_day_of(s->time),
                     s->time, KNOWN(HR_DB_S_CAPACITY), (int64_t)s->capacity,
                     KNOWN(HR_DB_S_USED), (int64_t)s->used, KNOWN(HR_DB_S_PEAK), s->peak,
                     KNOWN(HR_DB_S_PEAK_PREV), s->peak_prev, KNOWN(HR_DB_S_RATE_AVG),
                     s->rate_avg, KNOWN(HR_DB_S_DELTA), (int64_t)s->writes_delta,
                     s->firmware, (int)s->status, KNOWN(HR_DB_S_WINDOW), s->window);
#undef KNOWN
}

static const char days_sql[] =
    "SELECT day, last_time, capacity, used, cmax, rate_sum, rate_n"
    " FROM daily WHERE device_id = ?1 AND day >= ?2 AND day <= ?3 ORDER BY day";

static const char day_get_sql[] =
    "SELECT day, first_time, last_time, samples, capacity, used, used_max, cmax,"
    " rate_sum, rate_n, writes_delta, firmware, flags, last_used, last_peak, cmax_prev,"
    " last_rate, last_window FROM daily WHERE device_id = ?1 AND day = ?2";

static double mean(double sum, int64_t n)
{
    return n > 0 && !isnan(sum) ? sum / (double)n : NAN;
}

int hr_db_device_days(struct hr_db *db, int64_t device, int64_t from_day, int64_t to_day,
                      int (*fn)(void *arg, const struct hr_db_day *d), void *arg)
{
    sqlite3_stmt *st = hr_db_prep(db, days_sql, "III", device, from_day, to_day);
    struct hr_db_day d;
    double rate_sum;
    int64_t rate_n;
    int rc, ret = 0;

    if (!st)
        return -1;
    d = (struct hr_db_day){ .used_max = NAN, .writes_delta = NAN, .last_used = NAN,
                            .last_peak = NAN, .cmax_prev = NAN, .last_rate = NAN,
                            .last_window = NAN };
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        hr_db_cols(st, "IInnnnI", &d.day, &d.last_time, &d.capacity, &d.used, &d.cmax,
                   &rate_sum, &rate_n);
        d.rate_avg = mean(rate_sum, rate_n);
        if ((ret = fn(arg, &d)) != 0)
            break;
    }
    return hr_db_loop_end(st, rc, ret);
}

int hr_db_device_day_get(struct hr_db *db, int64_t device, int64_t day, struct hr_db_day *d)
{
    sqlite3_stmt *st;
    double rate_sum;
    int64_t rate_n;
    int rc, flags;

    if ((rc = hr_db_row(db, &st, day_get_sql, "II", device, day)) <= 0)
        return rc;
    hr_db_cols(st, "IIIInnnnnIncinnnnn", &d->day, &d->first_time, &d->last_time, &d->samples,
               &d->capacity, &d->used, &d->used_max, &d->cmax, &rate_sum, &rate_n,
               &d->writes_delta, d->fwbuf, sizeof d->fwbuf, &flags, &d->last_used,
               &d->last_peak, &d->cmax_prev, &d->last_rate, &d->last_window);
    sqlite3_reset(st);
    d->firmware = d->fwbuf[0] ? d->fwbuf : NULL;
    d->rate_avg = mean(rate_sum, rate_n);
    d->flags = (unsigned)flags;
    return 1;
}

/* ---- retention ---- */

/* Raw polls go a device at a time: the oldest poll (through samples_time)
 * names a device, and that device's old polls are one range of the
 * primary key, deleted in key order: three times faster than deleting
 * the oldest polls of the whole fleet, which are scattered over every
 * device's pages.  A device with a long backlog goes in several bites. */
static const char oldest_raw_sql[] =
    "SELECT device_id FROM samples WHERE time < ?1 ORDER BY time LIMIT 1";
static const char prune_raw_sql[] =
    "DELETE FROM samples WHERE device_id = ?1 AND time IN"
    " (SELECT time FROM samples WHERE device_id = ?1 AND time < ?2 ORDER BY time LIMIT ?3)";
/* The days are one row per device per day: the oldest first. */
static const char prune_daily_sql[] =
    "DELETE FROM daily WHERE (device_id, day) IN"
    " (SELECT device_id, day FROM daily WHERE day < ?1 ORDER BY day LIMIT ?2)";

/* Up to BATCH raw polls older than BEFORE: the rows deleted, or -1. */
static int prune_raw(struct hr_db *db, int64_t before, unsigned batch)
{
    unsigned done = 0;
    int64_t dev;
    sqlite3_stmt *st;
    int rc, n;

    while (done < batch) {
        if ((rc = hr_db_row(db, &st, oldest_raw_sql, "I", before)) < 0)
            return -1;
        if (rc == 0)
            break;
        hr_db_cols(st, "I", &dev);
        sqlite3_reset(st);
        if ((n = hr_db_changes(db, prune_raw_sql, "IIi", dev, before, (int)(batch - done))) < 0)
            return -1;
        done += (unsigned)n;
        if (n == 0)
            break;
    }
    return (int)done;
}

/* One batch of KIND (0 raw polls in samples, 1 packed raw polls, 2 days)
 * in its own transaction: the rows (for packed polls: blocks) deleted,
 * or -1.  The polls or days deleted are added to *COUNT. */
static int prune_batch(struct hr_db *db, int kind, int64_t before, unsigned batch,
                       int64_t *count)
{
    int64_t polls = 0;
    int n;

    if (hr_db_begin(db) < 0)
        return -1;
    n = kind == 0 ? prune_raw(db, before, batch)
      : kind == 1 ? hr_db_polls_prune(db, before, batch, &polls)
                  : hr_db_changes(db, prune_daily_sql, "Ii", before, (int)batch);
    if (n < 0) {
        hr_db_rollback(db);
        return -1;
    }
    if (hr_db_commit(db) < 0)
        return -1;
    *count += kind == 1 ? polls : n;
    return n;
}

int hr_db_history_prune(struct hr_db *db, int64_t raw_before, int64_t daily_before,
                        unsigned batch, long budget_ms, int64_t *raw, int64_t *days)
{
    const int64_t before[3] = { raw_before, raw_before, daily_before };
    int64_t counts[2] = { 0, 0 };
    double t0 = hr_mono_ms();
    int rc = 0;

    if (batch == 0)
        batch = 2000;
    for (int k = 0; k < 3 && rc == 0; k++) {
        if (before[k] == 0)
            continue;
        for (;;) {
            int n;
            if (budget_ms > 0 && hr_mono_ms() - t0 >= (double)budget_ms) {
                rc = 1;
                break;
            }
            if ((n = prune_batch(db, k, before[k], batch, &counts[k == 2])) < 0) {
                rc = -1;
                break;
            }
            if ((unsigned)n < batch)
                break;
        }
    }
    if (raw)
        *raw = counts[0];
    if (days)
        *days = counts[1];
    return rc;
}

int hr_db_retention_apply(struct hr_db *db, int64_t now, long raw_days, long daily_years,
                          long budget_ms, int64_t *raw, int64_t *days, int64_t *packed)
{
    /* Whole UTC days: a day's polls go together, and the days keep the
     * record of every one.  A year is 365.25 days. */
    int64_t raw_before = raw_days > 0 ? hr_db_day_of(now - (int64_t)raw_days * HR_DAY) : 0;
    int64_t daily_before = daily_years > 0
        ? hr_db_day_of(now - (int64_t)daily_years * 36525 * HR_DAY / 100) : 0;
    double t0 = hr_mono_ms();
    long left;
    int rc = hr_db_history_prune(db, raw_before, daily_before, 0, budget_ms, raw, days);

    if (packed)
        *packed = 0;
    if (rc != 0)
        return rc;
    /* What is left of the budget packs the hours gone by. */
    left = budget_ms > 0 ? budget_ms - (long)(hr_mono_ms() - t0) : 0;
    if (budget_ms > 0 && left <= 0)
        return 1;
    return hr_db_polls_pack(db, now - HR_POLLS_DELAY, 0, left, packed);
}
