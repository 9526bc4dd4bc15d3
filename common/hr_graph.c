/* hr_graph.c: the usage graph of a device; see hr_graph.h. */
#include "hr_graph.h"
#include "hr_rrd.h"
#include "hr_util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* A full date further away than this is cut: the graph would be years of
 * empty space with the history squeezed into its left edge. */
#define MAX_AHEAD (3 * 365 * 86400LL)

/* The right axis: the peak load drawn so that its largest value meets the
 * largest capacity (or forecast capacity) of the period.  0 when HIST
 * holds no peak or no capacity; *PEAK_MAX gets the largest peak. */
static double peak_scale(const struct hr_graph_usage *g, double *peak_max)
{
    double pk = 0, cap = g->fc_capacity > 0 ? g->fc_capacity : 0;

    for (size_t i = 0; i < g->n_hist; i++) {
        if (!isnan(g->hist[i].peak) && g->hist[i].peak > pk)
            pk = g->hist[i].peak;
        if (!isnan(g->hist[i].capacity) && g->hist[i].capacity > cap)
            cap = g->hist[i].capacity;
    }
    *peak_max = pk;
    return pk > 0 && cap > 0 ? cap / pk : 0;
}

/* "7.29 TiB": bytes for a person, binary units as the axis (--base=1024). */
static void fmt_bytes(char *o, size_t sz, double v)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    size_t u = 0;

    while (v >= 1024 && u + 1 < sizeof units / sizeof *units) {
        v /= 1024;
        u++;
    }
    snprintf(o, sz, u ? "%.2f %s" : "%.0f %s", v, units[u]);
}

/* ALT's tail: the last point drawn, as rrd_graph read it. */
static void alt_drawn(char *alt, size_t altlen, const struct hr_rrd_drawn *d)
{
    char used[32], cap[32], date[16];
    size_t n = strlen(alt);
    time_t tt = (time_t)(d->time - 1);      /* the end of its step: the day before */
    struct tm tm;

    if (isnan(d->used) || d->time <= 0 || !gmtime_r(&tt, &tm) ||
        !strftime(date, sizeof date, "%Y-%m-%d", &tm))
        return;
    fmt_bytes(used, sizeof used, d->used);
    if (isnan(d->capacity) || d->capacity <= 0)
        snprintf(alt + n, altlen - n, "; %s used on %s", used, date);
    else {
        fmt_bytes(cap, sizeof cap, d->capacity);
        snprintf(alt + n, altlen - n, "; %s of %s used on %s", used, cap, date);
    }
}

int hr_graph_draw_usage(const struct hr_graph_usage *g, unsigned char **png, size_t *pnglen,
                        char *alt, size_t altlen, char *err, size_t errlen)
{
    struct hr_rrd_usage_graph u = { 0 };
    struct hr_rrd_drawn drawn;
    char date[16], label[64], what[96];
    double pk;
    int rc;

    u.rrd = g->rrd;
    u.pts = g->hist;
    u.npts = g->n_hist;
    u.start = g->start < g->now - 86400 ? g->start : g->now - 86400;
    u.end = g->now + 86400;
    u.width = g->width;
    u.height = g->height;
    u.title = g->title;
    u.daemon = g->rrdcached;
    u.peak_scale = peak_scale(g, &pk);
    u.peak_label = "peak load (Cmax), right axis";
    u.drawn = &drawn;
    if (u.peak_scale > 0)
        snprintf(what, sizeof what, "used vs capacity and peak load (Cmax up to %.0f per window)",
                 pk);
    else
        snprintf(what, sizeof what, "used vs capacity");
    if (alt)
        snprintf(alt, altlen, "%s", what);
    if (g->fc_full > 0) {
        int64_t full = g->fc_full;
        if (full > g->now + MAX_AHEAD)
            full = g->now + MAX_AHEAD;
        if (full > g->now)
            u.end = full + (full - u.start) / 10 + 86400;
        u.fc_now = g->now;
        u.fc_from = g->fc_from ? g->fc_from : u.start;
        u.fc_full = g->fc_full;
        u.fc_used = g->fc_used;
        u.fc_slope_per_day = g->fc_slope_per_day;
        u.fc_capacity = g->fc_capacity;
        time_t tt = (time_t)g->fc_full;
        struct tm tm;
        if (!gmtime_r(&tt, &tm) || !strftime(date, sizeof date, "%Y-%m-%d", &tm))
            snprintf(date, sizeof date, "?");
        snprintf(label, sizeof label, "full around %s", date);
        u.fc_label = label;
        if (alt)
            snprintf(alt, altlen, "%s, forecast full on %s", what, date);
    }
    rc = hr_rrd_graph_usage(&u, png, pnglen, err, errlen);
    if (rc == 0 && alt)
        alt_drawn(alt, altlen, &drawn);
    return rc;
}
