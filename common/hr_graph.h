/* hr_graph.h: the device graph every mail and report shows (common/hr_graph.c):
 * used vs capacity from the device's RRD file (or its daily history when
 * there is none), with the rule engine's forecast line running on to the
 * date the device is full, and the peak load (Cmax, the daily peak of
 * writes per window) as a second series on the right axis.  One policy for the time range and the legend,
 * so the proposal mail, the customer report and the fleet report draw the
 * same picture; librrd stays behind common/hr_rrd.c. */
#ifndef HR_GRAPH_H
#define HR_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "hr_sample.h"

struct hr_graph_usage {
    const char *rrd;                /* the device's RRD file; NULL or missing: HIST */
    const struct hr_sample *hist;   /* daily rows, ascending time */
    size_t n_hist;
    int64_t now;                    /* the evaluation time */
    int64_t start;                  /* first time shown (at most NOW - 1 day) */
    unsigned width, height;         /* plot area; 0 = 560 x 200 */
    const char *title;              /* untrusted: sanitized by the drawing */
    const char *rrdcached;          /* rrdcached address for RRD; NULL or "": none */
    /* The forecast (struct hr_forecast's fields when its status is OK):
     * used(t) = fc_used + fc_slope_per_day * (t - NOW) / 86400 from
     * FC_FROM until FC_FULL, when it reaches FC_CAPACITY.  FC_FULL 0: no
     * forecast, no line. */
    int64_t fc_from, fc_full;
    double fc_used, fc_slope_per_day, fc_capacity;
};

/* Draw G into a malloc'd PNG *PNG of *PNGLEN bytes.  The graph ends a day
 * after NOW, or with a forecast a tenth of the span after its full date
 * (a full date more than three years away is cut there).  The peak load
 * is drawn when HIST holds a peak and a capacity (the scale of the right
 * axis comes from them).  ALT, if not NULL, gets a text alternative
 * ("used vs capacity and peak load (Cmax up to 12000 per window),
 * forecast full on 2027-01-02").  0, or -1 with ERR.  Not thread-safe
 * (librrd). */
int hr_graph_draw_usage(const struct hr_graph_usage *g, unsigned char **png, size_t *pnglen,
                        char *alt, size_t altlen, char *err, size_t errlen);

/* ---- drawing in worker processes (common/hr_graph_pool.c) ----
 *
 * Drawing is nearly all of a large `headroom propose` (PNG encoding inside
 * librrd), and librrd's graph code is not thread-safe: a pool of worker
 * processes draws while the caller goes on with its own work.  Make the
 * pool early, while the caller holds little (each worker is a fork of it
 * and never touches what it inherited beyond the drawing). */
struct hr_graph_pool;

/* Start WORKERS drawing processes (at most 16).  With 0, or when none can
 * be started, every graph is drawn by the caller in hr_graph_pool_take.
 * NULL only when out of memory. */
struct hr_graph_pool *hr_graph_pool_new(unsigned workers);
/* The workers still running. */
unsigned hr_graph_pool_workers(const struct hr_graph_pool *p);
/* Queue G; returns its job number (0, 1, 2, ... in order) or -1 (out of
 * memory).  G's strings are copied; G->hist is not: it must stay valid and
 * unchanged until the job is taken.  Jobs go to the workers in order. */
long hr_graph_pool_submit(struct hr_graph_pool *p, const struct hr_graph_usage *g);
/* Keep the workers fed without waiting (a caller busy with other work
 * calls it now and then; submit does it too). */
void hr_graph_pool_poll(struct hr_graph_pool *p);
/* JOB's graph, as hr_graph_draw_usage gives it (the PNG is the caller's),
 * waiting for it as needed.  A job whose worker died is drawn again by
 * another worker, or by the caller when none is left.  Each job is taken
 * once. */
int hr_graph_pool_take(struct hr_graph_pool *p, size_t job, unsigned char **png,
                       size_t *pnglen, char *alt, size_t altlen, char *err, size_t errlen);
/* Stop the workers (a graph being drawn is finished first) and free P
 * with the results not taken. */
void hr_graph_pool_free(struct hr_graph_pool *p);

#endif
