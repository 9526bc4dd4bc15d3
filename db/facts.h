/* facts.h: what the device read model (rules/facts_db.c) loads: the
 * devices with their customer's name, each device's samples in a time
 * range, and the catalogue facts of a model (db/facts.c).
 *
 * -1 on a database error with the reason in hr_db_errmsg; nothing is
 * logged here.  Strings handed out by the iterators are the database's
 * and live until the next step; lookups hand out copies.  No statement is
 * left active when a function returns (the walk's between its steps), so
 * an autocommitted write after it is durable at once.
 */
#ifndef HR_DB_FACTS_H
#define HR_DB_FACTS_H

#include <stdint.h>

struct hr_db;
struct hr_db_devices;

/* One devices row (NULL or "" for an unknown string; NAN for an unknown
 * number; sale_date 0 for none). */
struct hr_db_device {
    int64_t id;
    const char *serial, *customer_id, *customer, *name, *vendor, *model, *model_number,
               *product_number, *firmware, *rrd_file;
    double capacity, cache;
    int64_t sale_date;
};

/* The devices of CUSTOMER (its id or its name; NULL: all), or the one
 * device with id DEVICE (0: all), in (customer id, serial, id) order.  NULL on error.  One
 * walk at a time per handle: the statement is the handle's. */
struct hr_db_devices *hr_db_devices_open(struct hr_db *db, const char *customer,
                                         int64_t device);
/* 1 with the next row in *D, 0 at the end, -1 on error. */
int hr_db_devices_next(struct hr_db_devices *it, struct hr_db_device *d);
/* NULL is a no-op. */
void hr_db_devices_close(struct hr_db_devices *it);

/* One sample row: NAN for NULL. */
struct hr_db_fact_sample {
    int64_t time;
    double capacity, used, peak, peak_prev, rate_avg, window;
};

/* Hand FN every sample of DEVICE with AFTER < time <= UNTIL, in time
 * order.  0, FN's nonzero return if it stopped the walk, or -1. */
int hr_db_device_samples(struct hr_db *db, int64_t device, int64_t after, int64_t until,
                         int (*fn)(void *arg, const struct hr_db_fact_sample *s), void *arg);

/* The product catalogue's row of MODEL_NUMBER: 1 found (*RATED_LOAD and
 * *MAX_CAPACITY NAN when not given, *LATEST_FW NULL or a malloc'd copy,
 * the caller's), 0 not in the catalogue, -1 error. */
int hr_db_catalog_product_facts(struct hr_db *db, const char *model_number, double *rated_load,
                                double *max_capacity, char **latest_fw);
/* The release dates (Unix time) of versions FW and LATEST of MODEL_NUMBER
 * from the firmware catalogue; a version it lacks leaves its date alone.
 * 0 or -1. */
int hr_db_catalog_firmware_dates(struct hr_db *db, const char *model_number, const char *fw,
                                 const char *latest, int64_t *fw_date, int64_t *latest_date);

#endif
