/* samples.h: the sample history (db/samples.c).
 *
 * One row per device and second (samples, keyed (device_id, time)): the
 * poll store writes them, `headroom history import` loads them from CSV.
 * Every sample stored is also folded into its day's record (db/daily.h),
 * in the caller's transaction; the raw rows are pruned after the
 * retention window (hr_db_history_prune), the days kept for years.
 * -1 on a database error with the reason in hr_db_errmsg.
 */
#ifndef HR_DB_SAMPLES_H
#define HR_DB_SAMPLES_H

#include <stdint.h>

struct hr_db;

/* Bits of hr_db_sample.known: which optional columns hold a value (the
 * others are stored as NULL). */
#define HR_DB_S_CAPACITY   0x01u
#define HR_DB_S_USED       0x02u
#define HR_DB_S_USED_PCT   0x04u
#define HR_DB_S_WRITES     0x08u
#define HR_DB_S_DELTA      0x10u
#define HR_DB_S_PEAK       0x20u
#define HR_DB_S_PEAK_PREV  0x40u
#define HR_DB_S_RATE_AVG   0x80u
#define HR_DB_S_WINDOW     0x100u
#define HR_DB_S_UPTIME     0x200u
#define HR_DB_S_PEAKS      (HR_DB_S_PEAK | HR_DB_S_PEAK_PREV | HR_DB_S_RATE_AVG | HR_DB_S_WINDOW)

struct hr_db_sample {
    int64_t device_id, time;
    unsigned known;            /* HR_DB_S_* */
    uint64_t capacity, used;
    int used_percent;
    uint64_t writes, writes_delta;  /* stored as their 64-bit patterns */
    int64_t peak, peak_prev, rate_avg, window;
    int64_t sysuptime;
    unsigned status;           /* HR_SAMPLE_* (collector/store.h) */
    const char *firmware;      /* the firmware the device reported (daily
                                  record); NULL or "": unknown */
};

/* Store S unless the device already has a sample at that second, and
 * fold it into its day's record (hr_db_daily_add): 1 stored, 0 already
 * there (nothing changed), -1 error.  Call it inside a transaction, so
 * the sample and its day are written together. */
int hr_db_sample_insert(struct hr_db *db, const struct hr_db_sample *s);

/* History import: where the previous row of each device in the file left
 * off, kept in a scratch table of the connection (begin empties it). */
int hr_db_import_prev_begin(struct hr_db *db);
/* 1 with *TIME, *WRITES_KNOWN, *WRITES and *LINE of DEVICE's previous row;
 * 0 none yet; -1 error. */
int hr_db_import_prev_get(struct hr_db *db, int64_t device, int64_t *time, int *writes_known,
                          uint64_t *writes, unsigned *line);
int hr_db_import_prev_set(struct hr_db *db, int64_t device, int64_t time, int writes_known,
                          uint64_t writes, unsigned line);

#endif
