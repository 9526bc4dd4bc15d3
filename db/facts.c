/* facts.c: the device read model's queries; see facts.h. */
#include "rows_int.h"
#include "facts.h"

#include <stdlib.h>
#include <string.h>

struct hr_db_devices {
    struct hr_db *db;
    sqlite3_stmt *st;
};

/* A device read through a profile has no cache the profiles can read; the
 * store keeps 0 for it, which is unknown, not "0 B". */
static const char devices_sql[] =
    "SELECT d.id, d.serial, d.customer, COALESCE(NULLIF(c.name, ''), d.customer),"
    " d.name, d.vendor, d.model_name, d.model_number, d.product_number, d.firmware,"
    " d.capacity, CASE WHEN d.profile IS NOT NULL AND d.cache_size = 0 THEN NULL"
    " ELSE d.cache_size END, d.sale_date, d.rrd_file"
    " FROM devices d LEFT JOIN customers c ON c.id = d.customer"
    " WHERE (?1 IS NULL OR d.customer = ?1 OR c.name = ?1)"
    " AND (?2 IS NULL OR d.id = ?2)"
    " ORDER BY d.customer, d.serial, d.id";

static const char samples_sql[] =
    "SELECT time, capacity, used, peak, peak_prev, rate_avg, window FROM raw_polls"
    " WHERE device_id = ?1 AND time > ?2 AND time <= ?3 ORDER BY time";

static const char cat_product_sql[] =
    "SELECT rated_load, max_capacity, latest_firmware FROM catalog_products"
    " WHERE model_number = ?1";

static const char cat_firmware_sql[] =
    "SELECT version, release_date FROM catalog_firmware"
    " WHERE model_number = ?1 AND version IN (?2, ?3)";

struct hr_db_devices *hr_db_devices_open(struct hr_db *db, const char *customer,
                                         int64_t device)
{
    struct hr_db_devices *it;
    sqlite3_stmt *st = hr_db_prep(db, devices_sql, "tj", customer, device != 0, device);

    if (!st)
        return NULL;
    if (!(it = calloc(1, sizeof *it))) {
        hr_db_seterr(db, "out of memory");
        return NULL;
    }
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
    hr_db_cols(st, "IsssssssssnnIs", &d->id, &d->serial, &d->customer_id, &d->customer,
               &d->name, &d->vendor, &d->model, &d->model_number, &d->product_number,
               &d->firmware, &d->capacity, &d->cache, &d->sale_date, &d->rrd_file);
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
    sqlite3_stmt *st = hr_db_prep(db, samples_sql, "III", device, after, until);
    struct hr_db_fact_sample s;
    int rc, ret = 0;

    if (!st)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        hr_db_cols(st, "Innnnnn", &s.time, &s.capacity, &s.used, &s.peak, &s.peak_prev,
                   &s.rate_avg, &s.window);
        if ((ret = fn(arg, &s)) != 0)
            break;
    }
    return hr_db_loop_end(st, rc, ret);
}

int hr_db_catalog_product_facts(struct hr_db *db, const char *model_number, double *rated_load,
                                double *max_capacity, char **latest_fw)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = hr_db_row(db, &st, cat_product_sql, "t", model_number)) <= 0)
        return rc;
    hr_db_cols(st, "nn", rated_load, max_capacity);
    rc = hr_db_col_dup(db, st, 2, latest_fw);
    sqlite3_reset(st);
    return rc < 0 ? -1 : 1;
}

int hr_db_catalog_firmware_dates(struct hr_db *db, const char *model_number, const char *fw,
                                 const char *latest, int64_t *fw_date, int64_t *latest_date)
{
    sqlite3_stmt *st = hr_db_prep(db, cat_firmware_sql, "ttt", model_number, fw ? fw : "",
                                  latest ? latest : "");
    int rc;

    if (!st)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *v;
        int64_t date;
        hr_db_cols(st, "sI", &v, &date);
        if (v && fw && strcmp(v, fw) == 0)
            *fw_date = date;
        if (v && latest && strcmp(v, latest) == 0)
            *latest_date = date;
    }
    return hr_db_loop_end(st, rc, 0);
}
