/* daily.h: the daily records and the retention of the history
 * (db/daily.c).
 *
 * One row per device per UTC day (table daily, keyed (device_id, day)):
 * the seed's date-ordered customer record (seed 000, paragraphs
 * 0035-0043).  hr_db_sample_insert folds every sample it stores into its
 * day's row in the same statement sequence (so in the caller's
 * transaction): the poller and `headroom history import` keep the days
 * current as the polls arrive.  Rules, forecasts, proposals and reports
 * read days, so their cost does not grow with the poll rate; the raw
 * polls (samples) are kept for a window (retention-raw-days) and the
 * days for years (retention-daily-years), pruned in bounded batches.
 *
 * -1 on a database error with the reason in hr_db_errmsg; nothing is
 * logged here.
 */
#ifndef HR_DB_DAILY_H
#define HR_DB_DAILY_H

#include <stdint.h>

struct hr_db;
struct hr_db_sample;

#define HR_DAY 86400

/* 00:00 UTC of the day holding T (also for T < 0). */
int64_t hr_db_day_of(int64_t t);

/* Fold S, a sample just stored, into its day's record (creating it).
 * Polls may arrive in any order: "last" values come from the latest poll
 * of the day.  0 or -1. */
int hr_db_daily_add(struct hr_db *db, const struct hr_db_sample *s);

/* One daily record: NAN for NULL. */
struct hr_db_day {
    int64_t day;                /* 00:00 UTC */
    int64_t first_time, last_time;
    int64_t samples;            /* polls folded in */
    double capacity, used;      /* the day's last known values */
    double used_max;
    double cmax;                /* the largest Cmax (peak) the day reported */
    double rate_avg;            /* mean of the polls' average write rates */
    double writes_delta;        /* writes completed, summed over known deltas */
    const char *firmware;       /* last seen; NULL unknown (points into fwbuf
                                   or, for hr_db_device_days, is NULL) */
    char fwbuf[256];
    unsigned flags;             /* HR_SAMPLE_* of any poll of the day, or'ed */
    /* The day's last poll as it was (NULL stays NAN): the device's current
     * values when this is its latest day.  cmax_prev is the agent's Cmax
     * of the previous window (peak_prev). */
    double last_used, last_peak, cmax_prev, last_rate, last_window;
};

/* Hand FN the records of DEVICE for the days FROM_DAY <= day <= TO_DAY
 * (00:00 UTC values) in day order, with the history columns only: day,
 * last_time, capacity, used, cmax and rate_avg (the others NAN, 0 or
 * NULL; reading all of them costs three times as much on a fleet-wide
 * walk).  0, FN's nonzero return, or -1. */
int hr_db_device_days(struct hr_db *db, int64_t device, int64_t from_day, int64_t to_day,
                      int (*fn)(void *arg, const struct hr_db_day *d), void *arg);
/* The whole record of DEVICE for DAY into *D: 1, 0 none, -1 error. */
int hr_db_device_day_get(struct hr_db *db, int64_t device, int64_t day, struct hr_db_day *d);

/* Retention: delete raw polls with time < RAW_BEFORE (those waiting in
 * samples, and the packed blocks of hours ending by then: db/polls.h) and
 * daily records with day < DAILY_BEFORE (0: keep that kind), BATCH rows
 * (or blocks) per transaction (0: 2000), until none is left
 * or BUDGET_MS of wall time has gone (0: no limit; a batch is never cut).
 * Call it outside any transaction.  The polls and days deleted into *RAW
 * and *DAYS (may be NULL); 1 if rows older than the limits are left for
 * the next call, 0 done, -1 error. */
int hr_db_history_prune(struct hr_db *db, int64_t raw_before, int64_t daily_before,
                        unsigned batch, long budget_ms, int64_t *raw, int64_t *days);

/* The retention policy at NOW: raw polls of the days before the last
 * RAW_DAYS whole days, daily records older than DAILY_YEARS years (0:
 * keep), through hr_db_history_prune; then, with what is left of
 * BUDGET_MS (0: no limit), the raw polls of the hours that ended
 * HR_POLLS_DELAY before NOW are packed (hr_db_polls_pack; the polls into
 * *PACKED, may be NULL).  1 if work is left for the next call, 0 done, -1
 * error. */
int hr_db_retention_apply(struct hr_db *db, int64_t now, long raw_days, long daily_years,
                          long budget_ms, int64_t *raw, int64_t *days, int64_t *packed);

#endif
