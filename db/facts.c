/* facts.c: the device read model's queries; see facts.h. */
#include "rows_int.h"
#include "facts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct hr_db_devices {
    struct hr_db *db;
    sqlite3_stmt *st;
};

static const char devices_sql[] =
    "SELECT d.id, d.serial, d.customer, COALESCE(NULLIF(c.name, ''), d.customer),"
    " d.name, d.vendor, d.model_name, d.model_number, d.product_number, d.firmware,"
    " d.capacity, d.cache_size, d.sale_date, d.rrd_file"
    " FROM devices d LEFT JOIN customers c ON c.id = d.customer"
    " WHERE (?1 IS NULL OR d.customer = ?1 OR c.name = ?1)"
    " AND (?2 IS NULL OR d.serial = ?2)"
    " ORDER BY d.customer, d.serial, d.id";

static const char samples_sql[] =
    "SELECT time, capacity, used, peak, peak_prev, rate_avg, window FROM samples"
    " WHERE device_id = ?1 AND time > ?2 AND time <= ?3 ORDER BY time";

static const char cat_product_sql[] =
    "SELECT rated_load, max_capacity, latest_firmware FROM catalog_products"
    " WHERE model_number = ?1";

static const char cat_firmware_sql[] =
    "SELECT version, release_date FROM catalog_firmware"
    " WHERE model_number = ?1 AND version IN (?2, ?3)";

static double col_num(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

struct hr_db_devices *hr_db_devices_open(struct hr_db *db, const char *customer,
                                         const char *serial)
{
    struct hr_db_devices *it;
    sqlite3_stmt *st = hr_db_stmt(db, devices_sql);

    if (!st)
        return NULL;
    if (!(it = calloc(1, sizeof *it))) {
        hr_db_seterr(db, "out of memory");
        return NULL;
    }
    sqlite3_bind_text(st, 1, customer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, serial, -1, SQLITE_TRANSIENT);
    it->db = db;
    it->st = st;
    return it;
}

int hr_db_devices_next(struct hr_db_devices *it, struct hr_db_device *d)
{
    sqlite3_stmt *st = it->st;
    int rc = sqlite3_step(st);

    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? 0 : -1;
    d->id = sqlite3_column_int64(st, 0);
    d->serial = col_text(st, 1);
    d->customer_id = col_text(st, 2);
    d->customer = col_text(st, 3);
    d->name = col_text(st, 4);
    d->vendor = col_text(st, 5);
    d->model = col_text(st, 6);
    d->model_number = col_text(st, 7);
    d->product_number = col_text(st, 8);
    d->firmware = col_text(st, 9);
    d->capacity = col_num(st, 10);
    d->cache = col_num(st, 11);
    d->sale_date = sqlite3_column_int64(st, 12);
    d->rrd_file = col_text(st, 13);
    return 1;
}

void hr_db_devices_close(struct hr_db_devices *it)
{
    if (!it)
        return;
    sqlite3_reset(it->st);
    free(it);
}

int hr_db_device_samples(struct hr_db *db, int64_t device, int64_t after, int64_t until,
                         int (*fn)(void *arg, const struct hr_db_fact_sample *s), void *arg)
{
    sqlite3_stmt *st = hr_db_stmt(db, samples_sql);
    struct hr_db_fact_sample s;
    int rc, ret = 0;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, device);
    sqlite3_bind_int64(st, 2, after);
    sqlite3_bind_int64(st, 3, until);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        s.time = sqlite3_column_int64(st, 0);
        s.capacity = col_num(st, 1);
        s.used = col_num(st, 2);
        s.peak = col_num(st, 3);
        s.peak_prev = col_num(st, 4);
        s.rate_avg = col_num(st, 5);
        s.window = col_num(st, 6);
        if ((ret = fn(arg, &s)) != 0)
            break;
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = -1;
    sqlite3_reset(st);
    return ret;
}

int hr_db_catalog_product_facts(struct hr_db *db, const char *model_number, double *rated_load,
                                double *max_capacity, char **latest_fw)
{
    sqlite3_stmt *st = hr_db_stmt(db, cat_product_sql);
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, model_number, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? 0 : -1;
    }
    *rated_load = col_num(st, 0);
    *max_capacity = col_num(st, 1);
    rc = hr_db_col_dup(db, st, 2, latest_fw);
    sqlite3_reset(st);
    return rc < 0 ? -1 : 1;
}

int hr_db_catalog_firmware_dates(struct hr_db *db, const char *model_number, const char *fw,
                                 const char *latest, int64_t *fw_date, int64_t *latest_date)
{
    sqlite3_stmt *st = hr_db_stmt(db, cat_firmware_sql);
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, model_number, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, fw ? fw : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, latest ? latest : "", -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *v = col_text(st, 0);
        int64_t date = sqlite3_column_int64(st, 1);
        if (v && fw && strcmp(v, fw) == 0)
            *fw_date = date;
        if (v && latest && strcmp(v, latest) == 0)
            *latest_date = date;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}
