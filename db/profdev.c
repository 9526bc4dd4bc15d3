/* profdev.c: volumes, per-row counters and peaks of devices read through
 * the device profiles; see profdev.h. */
#include "rows_int.h"
#include "profdev.h"

static const char vol_clear_sql[] = "DELETE FROM volumes WHERE device_id = ?1";
static const char vol_add_sql[] =
    "INSERT OR REPLACE INTO volumes (device_id, seq, name, capacity, used, flags, last_seen)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char ctr_get_sql[] =
    "SELECT row_index, value, is64 FROM device_counters WHERE device_id = ?1";
static const char ctr_clear_sql[] = "DELETE FROM device_counters WHERE device_id = ?1";
static const char ctr_add_sql[] =
    "INSERT OR REPLACE INTO device_counters (device_id, row_index, value, is64)"
    " VALUES (?1, ?2, ?3, ?4)";
static const char peaks_sql[] =
    "SELECT peak, peak_prev FROM raw_polls WHERE device_id = ?1 AND time = ?2";

int hr_db_volumes_clear(struct hr_db *db, int64_t device)
{
    return hr_db_run(db, vol_clear_sql, "I", device);
}

int hr_db_volume_add(struct hr_db *db, int64_t device, unsigned seq, const char *name,
                     uint64_t capacity, uint64_t used, unsigned flags, int64_t now)
{
    return hr_db_run(db, vol_add_sql, "IitIIiI", device, (int)seq, name, (int64_t)capacity,
                     (int64_t)used, (int)flags, now);
}

int hr_db_counters_foreach(struct hr_db *db, int64_t device,
                           int (*fn)(void *arg, const char *index, uint64_t value, int is64),
                           void *arg)
{
    sqlite3_stmt *st = hr_db_prep(db, ctr_get_sql, "I", device);
    int rc, ret = 0;

    if (!st)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *index;
        int64_t value;
        int is64;
        hr_db_cols(st, "SIi", &index, &value, &is64);
        if ((ret = fn(arg, index, (uint64_t)value, is64)) != 0)
            break;
    }
    return hr_db_loop_end(st, rc, ret);
}

int hr_db_counters_clear(struct hr_db *db, int64_t device)
{
    return hr_db_run(db, ctr_clear_sql, "I", device);
}

int hr_db_counter_add(struct hr_db *db, int64_t device, const char *index, uint64_t value,
                      int is64)
{
    return hr_db_run(db, ctr_add_sql, "ItIi", device, index, (int64_t)value, is64 != 0);
}

int hr_db_sample_peaks(struct hr_db *db, int64_t device, int64_t time, int64_t *peak,
                       int64_t *peak_prev)
{
    sqlite3_stmt *st;
    int rc, known = 0;

    if ((rc = hr_db_row(db, &st, peaks_sql, "II", device, time)) <= 0)
        return rc;
    if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
        *peak = sqlite3_column_int64(st, 0);
        known |= 1;
    }
    if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
        *peak_prev = sqlite3_column_int64(st, 1);
        known |= 2;
    }
    sqlite3_reset(st);
    return known;
}
