/* Forecast on synthetic histories with known answers (rules/forecast.c).
 *
 * Daily samples at NOW - k days.  The exact cases (straight lines, gaps,
 * an expansion, one outlier once rejected) must match to 0.01 day: the
 * fit is exact up to rounding.  The noisy case adds uniform noise of
 * +-20 GB (sigma 11.5 GB) to 50 GB/day over 30 points; the standard error
 * of the slope is sigma / sqrt(Sxx) = 11.5 / sqrt(2247.5) = 0.24 GB/day
 * (0.5 %), i.e. about 0.4 day on an 80-day forecast, so +-2 days is about
 * five standard errors: it cannot fail by chance (the noise is a fixed
 * pseudo-random sequence anyway) yet catches a wrong slope or baseline. */
#include "../../rules/forecast.h"
#include "../tap.h"

#include <math.h>
#include <stdlib.h>

#define NOW 1800000000LL
#define DAY 86400LL
#define TB 1e12
#define GB 1e9

static struct hr_sample h[400];

/* N daily samples ending at NOW: capacity CAP, used U0 at NOW growing G a day. */
static size_t linear(size_t n, double cap, double u0, double g)
{
    for (size_t k = 0; k < n; k++) {
        size_t i = n - 1 - k;
        h[i].t = NOW - (int64_t)k * DAY;
        h[i].capacity = cap;
        h[i].used = u0 - g * (double)k;
        h[i].peak = h[i].rate_avg = NAN;
    }
    return n;
}

static unsigned lcg = 12345;
static double noise(double amp)
{
    lcg = lcg * 1103515245u + 12345u;
    return ((double)((lcg >> 8) & 0xffff) / 65535.0 * 2 - 1) * amp;
}

static void fc(size_t n, enum hr_fc_method m, double window, struct hr_forecast *out)
{
    struct hr_forecast_opts o;
    hr_forecast_opts_default(&o);
    o.method = m;
    if (window > 0)
        o.window_days = window;
    if (hr_forecast_compute(h, n, NOW, &o, out) < 0)
        out->status = (enum hr_fc_status)-1;
}

static void expect_days(const char *name, size_t n, enum hr_fc_method m, double window,
                        double want, double tol, int points)
{
    struct hr_forecast r;
    fc(n, m, window, &r);
    TAP_OK(r.status == HR_FC_OK && fabs(r.days_to_full - want) <= tol,
           "%s: %.2f days (want %.2f +- %.2f)", name,
           r.status == HR_FC_OK ? r.days_to_full : -1.0, want, tol);
    if (r.status != HR_FC_OK)
        printf("#   status %s\n", hr_forecast_status_name(r.status));
    if (points >= 0)
        TAP_INT(r.points, points, "%s: points used", name);
}

static void expect_status(const char *name, size_t n, enum hr_fc_status want)
{
    struct hr_forecast r;
    fc(n, HR_FC_LSQ_REJECT, 0, &r);
    TAP_STR(hr_forecast_status_name(r.status), hr_forecast_status_name(want), "%s: %s", name,
            hr_forecast_status_name(want));
}

int main(void)
{
    struct hr_forecast r;
    size_t n;

    /* Straight line: 10 TB, 6 TB used now, +50 GB/day: (10-6)/0.05 = 80 days. */
    n = linear(30, 10 * TB, 6 * TB, 50 * GB);
    expect_days("linear, least squares", n, HR_FC_LSQ, 0, 80, 0.01, 30);
    expect_days("linear, with rejection", n, HR_FC_LSQ_REJECT, 0, 80, 0.01, 30);
    expect_days("linear, Theil-Sen", n, HR_FC_THEIL_SEN, 0, 80, 0.01, 30);
    fc(n, HR_FC_LSQ_REJECT, 0, &r);
    TAP_OK(fabs(r.slope - 50 * GB) < 1, "linear: slope 50 GB/day (got %.0f)", r.slope);
    TAP_OK(fabs(r.r2 - 1) < 1e-9, "linear: r2 = 1");
    TAP_INT(r.full_time, NOW + 80 * DAY, "linear: full date = now + 80 days");
    TAP_INT(r.rejected, 0, "linear: nothing rejected");

    /* Only the window counts: 90 days, 200 GB/day until 30 days ago, then 50. */
    n = linear(90, 10 * TB, 6 * TB, 50 * GB);
    for (size_t i = 0; i < 60; i++)
        h[i].used = h[60].used - 200 * GB * (double)(60 - i);
    expect_days("window 30d ignores the older, faster growth", n, HR_FC_LSQ_REJECT, 0, 80,
                0.01, 30);
    fc(n, HR_FC_LSQ, 90, &r);
    TAP_OK(r.status == HR_FC_OK && r.days_to_full < 60,
           "window 90d sees the faster growth (%.1f days)", r.days_to_full);

    /* Gaps: every third day unknown. */
    n = linear(30, 10 * TB, 6 * TB, 50 * GB);
    for (size_t i = 0; i < n; i += 3)
        h[i].used = NAN;
    expect_days("gaps are ignored", n, HR_FC_LSQ_REJECT, 0, 80, 0.01, 20);

    /* Expansion 15 days ago: 10 TB -> 20 TB; before it, growth was
     * 200 GB/day.  Only the 15 points after the expansion count:
     * (20 - 6) / 0.05 = 280 days. */
    n = linear(30, 20 * TB, 6 * TB, 50 * GB);
    for (size_t i = 0; i < 15; i++) {
        h[i].capacity = 10 * TB;
        h[i].used = h[15].used - 200 * GB * (double)(15 - i);
    }
    expect_days("expansion resets the baseline", n, HR_FC_LSQ_REJECT, 0, 280, 0.01, 15);
    fc(n, HR_FC_LSQ_REJECT, 0, &r);
    TAP_INT(r.baseline, NOW - 14 * DAY, "expansion: baseline is the first sample after it");
    /* A capacity wobble of a few blocks is not an expansion. */
    n = linear(30, 10 * TB, 6 * TB, 50 * GB);
    h[10].capacity = 10 * TB - 4096;
    expect_days("capacity wobble of 4 KiB is not an expansion", n, HR_FC_LSQ_REJECT, 0, 80,
                0.01, 30);

    /* Noise with a known slope. */
    n = linear(30, 10 * TB, 6 * TB, 50 * GB);
    for (size_t i = 0; i < n; i++)
        h[i].used += noise(20 * GB);
    expect_days("noise +-20 GB, LSQ", n, HR_FC_LSQ, 0, 80, 2, -1);
    expect_days("noise +-20 GB, with rejection", n, HR_FC_LSQ_REJECT, 0, 80, 2, -1);
    expect_days("noise +-20 GB, Theil-Sen", n, HR_FC_THEIL_SEN, 0, 80, 2, -1);
    fc(n, HR_FC_LSQ_REJECT, 0, &r);
    TAP_OK(r.r2 > 0.95 && r.r2 < 1, "noise: r2 %.4f in (0.95, 1)", r.r2);

    /* One outlier: a backup copied in for a day, 3 TB, 10 days ago. */
    n = linear(30, 10 * TB, 6 * TB, 50 * GB);
    h[19].used += 3 * TB;
    fc(n, HR_FC_LSQ, 0, &r);
    TAP_OK(r.status == HR_FC_OK && fabs(r.days_to_full - 80) > 1,
           "outlier: plain least squares is off (%.1f days)", r.days_to_full);
    expect_days("outlier: rejected", n, HR_FC_LSQ_REJECT, 0, 80, 0.01, 29);
    fc(n, HR_FC_LSQ_REJECT, 0, &r);
    TAP_INT(r.rejected, 1, "outlier: exactly one point rejected");
    expect_days("outlier: Theil-Sen", n, HR_FC_THEIL_SEN, 0, 80, 0.01, 30);

    /* Order does not matter. */
    n = linear(30, 10 * TB, 6 * TB, 50 * GB);
    for (size_t i = 0; i < n / 2; i++) {
        struct hr_sample t = h[i];
        h[i] = h[n - 1 - i];
        h[n - 1 - i] = t;
    }
    expect_days("samples in reverse order", n, HR_FC_LSQ_REJECT, 0, 80, 0.01, 30);

    /* No forecast. */
    n = linear(30, 10 * TB, 6 * TB, 0);
    expect_status("flat", n, HR_FC_FLAT);
    n = linear(30, 10 * TB, 6 * TB, -10 * GB);
    expect_status("shrinking", n, HR_FC_FLAT);
    n = linear(30, 10 * TB, 6 * TB, 1e6);
    expect_status("1 MB/day on 4 TB free is flat", n, HR_FC_FLAT);
    n = linear(30, 10 * TB, 6 * TB, 1 * GB);
    expect_status("1 GB/day on 4 TB free: beyond the 10-year horizon", n, HR_FC_BEYOND_HORIZON);
    n = linear(2, 10 * TB, 6 * TB, 50 * GB);
    expect_status("two points", n, HR_FC_TOO_FEW);
    n = linear(3, 10 * TB, 6 * TB, 50 * GB);
    expect_days("three daily points span exactly the 2 days needed", n, HR_FC_LSQ_REJECT, 0, 80,
                0.01, 3);
    n = linear(0, 10 * TB, 6 * TB, 50 * GB);
    expect_status("no history", n, HR_FC_TOO_FEW);
    n = linear(30, 10 * TB, 6 * TB, 50 * GB);
    for (size_t i = 0; i < n; i++)
        h[i].t = NOW - (int64_t)(n - 1 - i) * 3600; /* hourly: 29 hours */
    expect_status("30 points within 29 hours: span too short", n, HR_FC_SHORT_SPAN);
    n = linear(30, 10 * TB, 6 * TB, 50 * GB);
    for (size_t i = 0; i < n; i++)
        h[i].capacity = NAN;
    expect_status("capacity unknown", n, HR_FC_NO_CAPACITY);
    n = linear(30, 10 * TB, 6 * TB, 50 * GB);
    for (size_t i = 0; i < n; i++)
        h[i].t += 60 * DAY; /* all in the future of NOW */
    expect_status("samples after NOW are not used", n, HR_FC_TOO_FEW);

    /* Never negative: the trend is already past capacity. */
    n = linear(30, 10 * TB, 10.5 * TB, 50 * GB);
    fc(n, HR_FC_LSQ_REJECT, 0, &r);
    TAP_OK(r.status == HR_FC_OK && r.days_to_full == 0 && r.full_time == NOW,
           "trend past capacity: 0 days, not negative");

    /* Absurd values do not crash or produce absurd dates. */
    n = linear(30, 1e300, 1e299, 1e297);
    fc(n, HR_FC_LSQ_REJECT, 0, &r);
    TAP_OK(r.status != HR_FC_OK || (r.days_to_full >= 0 && r.days_to_full <= 3650),
           "huge values: sane or no forecast (%s)", hr_forecast_status_name(r.status));
    n = linear(30, 10 * TB, 6 * TB, 50 * GB);
    h[3].used = -5;
    h[4].used = INFINITY;
    expect_days("negative and infinite used are ignored", n, HR_FC_LSQ_REJECT, 0, 80, 0.01, 28);
    return TAP_DONE();
}
