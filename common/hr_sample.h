/* hr_sample.h: the one history record of a device, shared by the fleet
 * database loader (rules/facts_db.c), the rule engine and forecast
 * (rules/), the graphs (common/hr_rrd.c) and the reports.  A day's row of
 * the samples table as facts_db.c folds it; unknown values are NaN. */
#ifndef HR_SAMPLE_H
#define HR_SAMPLE_H

#include <stdint.h>

struct hr_sample {
    int64_t t;          /* Unix time of the sample */
    double capacity;    /* bytes */
    double used;        /* bytes */
    double peak;        /* the day's Cmax: peak writes completed per window */
    double rate_avg;    /* average write rate, writes/s */
};

#endif
