/* report_int.h: what report.c (the command, the customer report) and
 * report_fleet.c (the fleet report) share. */
#ifndef HR_REPORT_INT_H
#define HR_REPORT_INT_H

#include "report.h"
#include "facts_db.h"
#include "forecast.h"

#include <stdint.h>

struct hr_db;

enum { RPT_FMT_TEXT, RPT_FMT_CSV, RPT_FMT_HTML };

struct rpt_opts {
    int fmt;
    int64_t now;            /* --at, else the clock */
    int64_t since;          /* first day of history shown */
    const char *rrd_dir;    /* the poller's RRD files */
    const char *rrdcached;  /* rrdcached address (the rrdcached setting); NULL: none */
    int graphs;             /* draw graphs (HTML only) */
    unsigned top;           /* fleet: devices graphed */
    struct hr_forecast_opts fc;
};

/* The highest daily Cmax in the 7 days before NOW of F's history; F's
 * current peak if there is none. */
double rpt_recent_peak(const struct hr_facts *f, int64_t now);

/* The forecast of F as of O->now (status HR_FC_* in FC). */
void rpt_forecast(const struct rpt_opts *o, const struct hr_facts *f, struct hr_forecast *fc);
/* One sentence about FC: "full in 41.5 days, on 2027-01-02 (...)" or
 * "no forecast: too few points (...)". */
void rpt_forecast_text(const struct hr_forecast *fc, char *buf, size_t sz);

/* Append DEV's graph (hr_graph.h: used vs capacity with the forecast line
 * and its date, and the peak load) to D, from DEV's RRD file in
 * O->rrd_dir (through O->rrdcached), or without one from its daily
 * history.  A graph that cannot be drawn becomes a paragraph saying why;
 * -1 only on ENOMEM. */
int rpt_graphs(struct rpt_doc *d, struct rpt_opts *o, const struct hr_device *dev,
               const struct hr_forecast *fc);

/* `headroom report` (cli/main.c finds it through a weak symbol). */
struct hr_ctx;
int hr_cmd_report(struct hr_ctx *ctx, int argc, char **argv);

/* The two reports: an HR_EXIT_* code; the document in *OUT. */
int rpt_customer(struct hr_db *db, struct rpt_opts *o, const char *id, struct rpt_doc **out);
int rpt_fleet(struct hr_db *db, struct rpt_opts *o, struct rpt_doc **out);

#endif
