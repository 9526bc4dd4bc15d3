/* forecast.h: days until a device is full, from its history.
 *
 * The method (see docs/rules.md, "Forecast"): take the samples inside a
 * window ending at NOW (default 30 days), drop samples with unknown used or
 * capacity, drop every sample up to and including the last one whose
 * capacity differs from the current capacity (an expansion resets the
 * baseline), then fit used = a + b * t.  The default fit is least squares
 * with one pass of outlier rejection (residuals beyond 4 robust sigmas,
 * sigma = 1.4826 * MAD); Theil-Sen (median of pairwise slopes) is an
 * option.  No forecast when fewer than 3 points or less than 2 days span
 * remain, when the slope is flat or negative, or when the date would lie
 * beyond the horizon (default 10 years).  A forecast is never negative:
 * a trend already past capacity gives 0 days.
 */
#ifndef HR_FORECAST_H
#define HR_FORECAST_H

#include <stddef.h>
#include <stdint.h>

#include "hr_sample.h"

/* struct hr_sample: one history record (common/hr_sample.h). */

enum hr_fc_method {
    HR_FC_LSQ = 0,      /* least squares, no rejection */
    HR_FC_LSQ_REJECT,   /* least squares, one pass of outlier rejection (default) */
    HR_FC_THEIL_SEN,    /* median of pairwise slopes */
};

struct hr_forecast_opts {
    double window_days;     /* default 30 */
    double horizon_days;    /* default 3650 */
    double min_span_days;   /* default 2 */
    int min_points;         /* default 3 */
    enum hr_fc_method method;
};

/* Why there is no forecast. */
enum hr_fc_status {
    HR_FC_OK = 0,
    HR_FC_NO_CAPACITY,      /* current capacity unknown or zero */
    HR_FC_TOO_FEW,          /* fewer than min_points usable samples */
    HR_FC_SHORT_SPAN,       /* usable samples span less than min_span_days */
    HR_FC_FLAT,             /* slope <= epsilon: flat or shrinking */
    HR_FC_BEYOND_HORIZON,   /* full date beyond the horizon */
};

struct hr_forecast {
    enum hr_fc_status status;
    double days_to_full;    /* from NOW, >= 0; valid if status == HR_FC_OK */
    int64_t full_time;      /* NOW + days_to_full; valid if OK */
    double slope;           /* bytes per day (also when FLAT) */
    double intercept;       /* fitted used at NOW, bytes */
    double r2;              /* coefficient of determination, 0..1 */
    double capacity;        /* the capacity the forecast runs into */
    int points;             /* samples used in the fit */
    int rejected;           /* samples dropped as outliers */
    int64_t baseline;       /* time of the first sample used (0 if none) */
};

/* Fill OPTS with the defaults. */
void hr_forecast_opts_default(struct hr_forecast_opts *opts);

/* Forecast from S[0..N) (any order) as seen at NOW.  OPTS may be NULL for
 * the defaults.  Returns 0 (read OUT->status), or -1 on ENOMEM. */
int hr_forecast_compute(const struct hr_sample *s, size_t n, int64_t now,
                        const struct hr_forecast_opts *opts, struct hr_forecast *out);

/* "ok", "no capacity", "too few points", ... */
const char *hr_forecast_status_name(enum hr_fc_status st);

#endif
