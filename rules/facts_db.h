/* facts_db.h: load devices' facts for the rule engine from the fleet
 * database (rules/facts_db.c), for `headroom rules eval` and the proposal
 * layer.
 *
 * Per device: identity, capacity, cache, sale date and firmware from
 * `devices`; the customer's name from `customers`; the history from the
 * daily records (`daily`, db/daily.h: one row per UTC day, the day's last
 * poll time, last known capacity and used, largest Cmax, mean rate), so
 * the cost follows the days in the window, not the poll rate; the last
 * poll as the current values; catalogue facts from `catalog_products` and
 * `catalog_firmware` when those tables exist (unknown otherwise, never an
 * error).  A day is in the window when its last poll is; a day that runs
 * past the evaluation time is folded from its raw polls up to it. */
#ifndef HR_FACTS_DB_H
#define HR_FACTS_DB_H

#include <stddef.h>
#include <stdint.h>

#include "lang.h"

struct hr_db;

struct hr_facts_filter {
    const char *customer;       /* customer ID or name; NULL: all */
    int64_t device;             /* a device id (hr_db_device_lookup); 0: all */
    int64_t now;                /* evaluation time: samples after it are ignored */
    double window_days;         /* history to load: hr_ruleset_max_window() */
    struct hr_forecast_opts fc; /* copied into each device's facts */
};

/* One device as the fleet database knows it: the read model that the rule
 * engine, the proposals and the reports share.  The device owns its
 * strings (NULL: unknown or empty) and its history; F is the rule
 * engine's view of the same device, its strings and history pointing into
 * this struct.  A device handed to a callback is the loader's and lives
 * for the call only: keep one with hr_device_copy, release it with
 * hr_device_free. */
struct hr_device {
    int64_t id;
    char *serial, *customer_id, *customer, *name, *vendor, *model, *model_number,
         *product_number, *firmware, *latest_firmware;
    char *rrd_file;             /* file name in the RRD directory; NULL: none */
    struct hr_sample *hist;     /* daily rows, ascending time */
    size_t n_hist;
    struct hr_facts f;
};

/* What hr_device_copy takes: everything, or all but the history (a fleet
 * ranking keeps thousands of devices and needs none). */
enum { HR_DEVICE_COPY_ALL = 0, HR_DEVICE_COPY_NO_HIST = 1 };

/* A deep copy of D (F's pointers follow the copy).  NULL on ENOMEM. */
struct hr_device *hr_device_copy(const struct hr_device *d, int flags);
/* Free a copy.  hr_device_free(NULL) does nothing. */
void hr_device_free(struct hr_device *d);

/* Called once per device, in (customer, serial) order.  A nonzero return
 * stops the walk. */
typedef int (*hr_device_cb)(const struct hr_device *d, void *arg);

/* Walk the devices matching FLT.  0 when all were visited, the callback's
 * nonzero value if it stopped the walk, -1 with a message in ERR on a
 * database error. */
int hr_device_foreach(struct hr_db *db, const struct hr_facts_filter *flt,
                      hr_device_cb cb, void *arg, char *err, size_t errlen);

/* The same walk for callers that need the facts alone (`rules eval`). */
typedef int (*hr_facts_cb)(const struct hr_facts *f, int64_t device_id, void *arg);
int hr_facts_db_foreach(struct hr_db *db, const struct hr_facts_filter *flt,
                        hr_facts_cb cb, void *arg, char *err, size_t errlen);

/* The device as a person names it: its serial, or without one (a device
 * read through a profile) its name, PROFILE@TARGET, and "(no serial)".
 * Into BUF when it has to be composed. */
const char *hr_facts_label(const struct hr_facts *f, char *buf, size_t sz);

#endif
