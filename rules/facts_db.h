/* facts_db.h: load devices' facts for the rule engine from the fleet
 * database (rules/facts_db.c), for `headroom rules eval` and the proposal
 * layer.
 *
 * Per device: identity, capacity, cache, sale date and firmware from
 * `devices`; the customer's name from `customers`; the history from
 * `samples` folded into one row per UTC day (the day's last capacity and
 * used, its largest Cmax, its mean rate); the latest sample as the current
 * values; catalogue facts from `catalog_products` and `catalog_firmware`
 * when those tables exist (unknown otherwise, never an error). */
#ifndef HR_FACTS_DB_H
#define HR_FACTS_DB_H

#include <stddef.h>
#include <stdint.h>

#include "lang.h"

struct sqlite3;

struct hr_facts_filter {
    const char *customer;       /* customer ID or name; NULL: all */
    const char *serial;         /* NULL: all */
    int64_t now;                /* evaluation time: samples after it are ignored */
    double window_days;         /* history to load: hr_ruleset_max_window() */
    struct hr_forecast_opts fc; /* copied into each device's facts */
};

/* Called once per device, in (customer, serial) order.  F and its strings
 * are valid during the call only.  A nonzero return stops the walk. */
typedef int (*hr_facts_cb)(const struct hr_facts *f, int64_t device_id, void *arg);

/* Walk the devices matching FLT.  0 when all were visited, the callback's
 * nonzero value if it stopped the walk, -1 with a message in ERR on a
 * database error. */
int hr_facts_db_foreach(struct sqlite3 *db, const struct hr_facts_filter *flt,
                        hr_facts_cb cb, void *arg, char *err, size_t errlen);

#endif
