/* forecast.c: days until full from a device's history; see forecast.h. */
#include "forecast.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400.0
/* Capacities that differ by less than this fraction are the same capacity:
 * file systems report a few blocks more or less after a fsck or a resize of
 * their journal, which is not an expansion. */
#define CAP_SAME 1e-3
/* Outliers are residuals beyond REJECT_K robust sigmas. 4 keeps every
 * point of a Gaussian series of 90 (P(|z| > 4) = 6e-5) and drops a
 * one-day spike such as a backup copied in and deleted the next day. */
#define REJECT_K 4.0
#define STACK_POINTS 256

struct pt {
    double x;   /* days relative to NOW (<= 0) */
    double y;   /* used bytes */
    double cap; /* capacity bytes */
    int64_t t;
};

void hr_forecast_opts_default(struct hr_forecast_opts *o)
{
    o->window_days = 30;
    o->horizon_days = 3650;
    o->min_span_days = 2;
    o->min_points = 3;
    o->method = HR_FC_LSQ_REJECT;
}

const char *hr_forecast_status_name(enum hr_fc_status st)
{
    switch (st) {
    case HR_FC_OK: return "ok";
    case HR_FC_NO_CAPACITY: return "no capacity";
    case HR_FC_TOO_FEW: return "too few points";
    case HR_FC_SHORT_SPAN: return "span too short";
    case HR_FC_FLAT: return "flat or shrinking";
    case HR_FC_BEYOND_HORIZON: return "beyond horizon";
    }
    return "?";
}

static int pt_cmp(const void *a, const void *b)
{
    const struct pt *p = a, *q = b;
    return (p->t > q->t) - (p->t < q->t);
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of V[0..N), N > 0; reorders V. */
static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, dbl_cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int same_cap(double a, double b)
{
    return fabs(a - b) <= CAP_SAME * fmax(a, b);
}

/* Copy the usable samples inside the window into P (sorted by time), then
 * drop everything up to the last capacity change.  Returns the count. */
static size_t select_points(const struct hr_sample *s, size_t n, int64_t now,
                            double window, struct pt *p)
{
    double from = (double)now - window * DAY;
    size_t m = 0, start = 0;

    for (size_t i = 0; i < n; i++) {
        if (isnan(s[i].used) || isnan(s[i].capacity) || !isfinite(s[i].used) ||
            !isfinite(s[i].capacity) || s[i].capacity <= 0 || s[i].used < 0)
            continue;
        if ((double)s[i].t <= from || s[i].t > now)
            continue;
        p[m].t = s[i].t;
        p[m].x = ((double)s[i].t - (double)now) / DAY;
        p[m].y = s[i].used;
        p[m].cap = s[i].capacity;
        m++;
    }
    /* Histories come in time order from the database: sort only if not. */
    for (size_t i = 1; i < m; i++)
        if (p[i].t < p[i - 1].t) {
            qsort(p, m, sizeof *p, pt_cmp);
            break;
        }
    if (m == 0)
        return 0;
    for (size_t i = m; i-- > 0;) {
        if (!same_cap(p[i].cap, p[m - 1].cap)) {
            start = i + 1;
            break;
        }
    }
    if (start)
        memmove(p, p + start, (m - start) * sizeof *p);
    return m - start;
}

/* Least squares over the points with KEEP[i] set (all if KEEP is NULL). */
static void lsq(const struct pt *p, size_t n, const unsigned char *keep,
                double *a, double *b, double *r2)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0, k = 0;

    for (size_t i = 0; i < n; i++)
        if (!keep || keep[i]) {
            sx += p[i].x;
            sy += p[i].y;
            k++;
        }
    double mx = sx / k, my = sy / k;
    for (size_t i = 0; i < n; i++)
        if (!keep || keep[i]) {
            double dx = p[i].x - mx, dy = p[i].y - my;
            sxx += dx * dx;
            sxy += dx * dy;
            syy += dy * dy;
        }
    *b = sxx > 0 ? sxy / sxx : 0;
    *a = my - *b * mx;
    *r2 = (syy > 0 && sxx > 0) ? (sxy * sxy) / (sxx * syy) : 1;
}

/* One pass of rejection: drop residuals beyond REJECT_K * 1.4826 * MAD
 * and refit, unless that would leave fewer than MINPTS points. */
static int lsq_reject(const struct pt *p, size_t n, int minpts, double *a, double *b,
                      double *r2, int *rejected)
{
    double *res = malloc(n * sizeof *res);
    unsigned char *keep = malloc(n);
    size_t kept = 0;

    if (!res || !keep) {
        free(res);
        free(keep);
        return -1;
    }
    lsq(p, n, NULL, a, b, r2);
    for (size_t i = 0; i < n; i++)
        res[i] = p[i].y - (*a + *b * p[i].x);
    double med = median(res, n);
    for (size_t i = 0; i < n; i++)
        res[i] = fabs(p[i].y - (*a + *b * p[i].x) - med);
    double sigma = 1.4826 * median(res, n);
    /* A perfect line has MAD 0: then only residuals above a millionth of
     * the capacity count as outliers, never rounding noise. */
    double thr = fmax(REJECT_K * sigma, 1e-6 * p[n - 1].cap);
    for (size_t i = 0; i < n; i++) {
        keep[i] = fabs(p[i].y - (*a + *b * p[i].x) - med) <= thr;
        kept += keep[i];
    }
    *rejected = 0;
    if (kept < n && kept >= (size_t)minpts) {
        lsq(p, n, keep, a, b, r2);
        *rejected = (int)(n - kept);
    }
    free(res);
    free(keep);
    return 0;
}

static int theil_sen(const struct pt *p, size_t n, double *a, double *b, double *r2)
{
    size_t m = 0;
    double *v = malloc((n * (n - 1) / 2 + n) * sizeof *v);

    if (!v)
        return -1;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (p[j].x > p[i].x)
                v[m++] = (p[j].y - p[i].y) / (p[j].x - p[i].x);
    *b = m ? median(v, m) : 0;
    for (size_t i = 0; i < n; i++)
        v[i] = p[i].y - *b * p[i].x;
    *a = median(v, n);
    double my = 0, ssr = 0, sst = 0;
    for (size_t i = 0; i < n; i++)
        my += p[i].y / (double)n;
    for (size_t i = 0; i < n; i++) {
        double e = p[i].y - (*a + *b * p[i].x);
        ssr += e * e;
        sst += (p[i].y - my) * (p[i].y - my);
    }
    *r2 = sst > 0 ? fmax(0, 1 - ssr / sst) : 1;
    free(v);
    return 0;
}

int hr_forecast_compute(const struct hr_sample *s, size_t n, int64_t now,
                        const struct hr_forecast_opts *opts, struct hr_forecast *out)
{
    struct hr_forecast_opts def;
    struct pt stackp[STACK_POINTS], *p = stackp;
    double a = 0, b = 0, r2 = 0;
    int rc = 0;

    if (!opts) {
        hr_forecast_opts_default(&def);
        opts = &def;
    }
    memset(out, 0, sizeof *out);
    if (n > STACK_POINTS && !(p = malloc(n * sizeof *p))) {
        errno = ENOMEM;
        return -1;
    }
    size_t m = select_points(s, n, now, opts->window_days, p);
    if (m == 0) {
        /* Nothing usable: say so precisely when used was known but the
         * capacity never was. */
        out->status = HR_FC_TOO_FEW;
        for (size_t i = 0; i < n; i++)
            if (isfinite(s[i].used) && s[i].t <= now &&
                (double)s[i].t > (double)now - opts->window_days * DAY)
                out->status = HR_FC_NO_CAPACITY;
        goto out_free;
    }
    out->capacity = p[m - 1].cap;
    out->baseline = p[0].t;
    out->points = (int)m;
    if (out->capacity <= 0) {
        out->status = HR_FC_NO_CAPACITY;
        goto out_free;
    }
    if (m < (size_t)(opts->min_points > 2 ? opts->min_points : 2)) {
        out->status = HR_FC_TOO_FEW;
        goto out_free;
    }
    /* On the integer times: 3 daily samples span exactly 2 days. */
    if ((double)(p[m - 1].t - p[0].t) < opts->min_span_days * DAY) {
        out->status = HR_FC_SHORT_SPAN;
        goto out_free;
    }
    switch (opts->method) {
    case HR_FC_LSQ:
        lsq(p, m, NULL, &a, &b, &r2);
        break;
    case HR_FC_LSQ_REJECT:
        rc = lsq_reject(p, m, opts->min_points, &a, &b, &r2, &out->rejected);
        break;
    case HR_FC_THEIL_SEN:
        rc = theil_sen(p, m, &a, &b, &r2);
        break;
    }
    if (rc < 0)
        goto out_free;
    out->points = (int)m - out->rejected;
    out->slope = b;
    out->intercept = a;
    out->r2 = r2;
    /* Flat: less than one byte a day, or a slope that would take a
     * thousand horizons to fill the device. */
    if (!(b > 1.0) || !(b * opts->horizon_days * 1000 > out->capacity)) {
        out->status = HR_FC_FLAT;
        goto out_free;
    }
    double days = (out->capacity - a) / b;
    if (days < 0)
        days = 0;
    if (!(days <= opts->horizon_days)) {
        out->status = HR_FC_BEYOND_HORIZON;
        goto out_free;
    }
    out->status = HR_FC_OK;
    out->days_to_full = days;
    out->full_time = now + (int64_t)llround(days * DAY);
out_free:
    if (p != stackp)
        free(p);
    if (rc < 0)
        errno = ENOMEM;
    return rc;
}
