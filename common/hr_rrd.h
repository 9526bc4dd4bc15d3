/* hr_rrd.h: every use of librrd in headroom (common/hr_rrd.c).
 *
 * One RRD file per device, named from its serial by hr_rrd_filename, laid
 * out as docs/collector.md describes: step 300 s; data sources capacity,
 * used, peak (GAUGE), writes (DERIVE, min 0: a counter reset yields
 * unknown, never a spike), rate_avg (GAUGE); AVERAGE and MAX archives of
 * 1 step x 2 days, 6 steps x 2 weeks, 24 steps x 2 months, 288 steps x 5
 * years.  Writers go through rrdcached when an address is given, else
 * update the files directly.  Timestamps are always numeric (librrd's
 * update is thread-safe only without at-style times).
 */
#ifndef HR_RRD_H
#define HR_RRD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "hr_sample.h"

#define HR_RRD_STEP 300

/* Data source order in every file (and in fetched series). */
enum { HR_RRD_DS_CAPACITY, HR_RRD_DS_USED, HR_RRD_DS_PEAK, HR_RRD_DS_WRITES,
       HR_RRD_DS_RATE_AVG, HR_RRD_NDS };
extern const char *const hr_rrd_ds_names[HR_RRD_NDS];

/* The file name (no directory) of a device's RRD: the serial with every
 * byte outside [A-Za-z0-9._-] (and a leading '.' or '_') written as %XX,
 * cut to at most 120 bytes with a hash of the whole serial appended when
 * longer, then ".rrd".  It never contains '/' and never starts with '.',
 * so a hostile serial cannot leave the directory.  A device without a
 * serial is named "_t<TARGET>_<encoded name>.rrd" (see hr_rrd_filename_noserial). */
int hr_rrd_filename(const char *serial, char *buf, size_t bufsz);
int hr_rrd_filename_noserial(int64_t target_id, const char *name, char *buf, size_t bufsz);

/* ---- writing ---- */

struct hr_rrd;

/* A writer for files under DIR (created 0755 if missing).  DAEMON: an
 * rrdcached address ("unix:/path", "/path", "host:port"), or NULL or "" for
 * direct updates (the caller reads the setting: rrdcached in headroom.conf,
 * $RRDCACHED_ADDRESS, --rrdcached).  NULL with a message in ERR. */
struct hr_rrd *hr_rrd_new(const char *dir, const char *daemon, char *err, size_t errlen);
void hr_rrd_free(struct hr_rrd *w);
/* The daemon address in use, or NULL for direct updates. */
const char *hr_rrd_daemon(const struct hr_rrd *w);

/* One sample.  Bits of KNOWN say which values are valid; the others are
 * written as unknown (U).  WRITES is the raw counter; pass it unknown when
 * the counter restarted, so that DERIVE does not see a jump. */
struct hr_rrd_sample {
    int64_t time;
    uint64_t capacity, used, writes;
    uint32_t peak, rate_avg;
    unsigned known;   /* 1 << HR_RRD_DS_* */
};

/* hr_rrd_update's answer when the update waits in a batch for rrdcached:
 * its outcome is counted at the next hr_rrd_sync. */
#define HR_RRD_QUEUED 2

/* Update FILE (a name from hr_rrd_filename) with S, creating the file
 * first if it does not exist.  Direct: returns 0 (updated), 1 (skipped:
 * not newer than the file's last update) or -1 with a message in ERR.
 * Through rrdcached: HR_RRD_QUEUED, or -1 with ERR (a bad file name, no
 * memory); the update goes out with the next batch (at hr_rrd_sync, or
 * when 256 KiB of updates wait), and a file rrdcached does not find is
 * created and the update sent again. */
int hr_rrd_update(struct hr_rrd *w, const char *file, const struct hr_rrd_sample *s,
                  char *err, size_t errlen);

/* What became of the queued updates since the last hr_rrd_sync: written to
 * rrdcached, skipped (not newer than the file's last update), failed (each
 * reported through the error callback), or not sent because rrdcached
 * could not be reached (the loss and the recovery are logged once each by
 * the writer, which reconnects by itself at most every 5 s). */
struct hr_rrd_tally {
    unsigned long updated, skipped, failed, down;
};
/* Send every queued update and hand over the tally (then zeroed).  0, or
 * -1 when any failed or was not sent.  A no-op that tallies nothing when
 * updates are direct. */
int hr_rrd_sync(struct hr_rrd *w, struct hr_rrd_tally *t);

/* Where the writer reports a failed batched update (a message naming the
 * file); by default hr_log at LOG_ERR. */
typedef void hr_rrd_err_fn(void *ctx, const char *msg);
void hr_rrd_on_error(struct hr_rrd *w, hr_rrd_err_fn *fn, void *ctx);

/* Ask rrdcached to write FILE out now, queued updates first (no-op when
 * direct). */
int hr_rrd_flush(struct hr_rrd *w, const char *file);

/* ---- reading ---- */

struct hr_rrd_series {
    time_t start, end;        /* of the first row and after the last */
    unsigned long step, nds, nrows;
    char **names;             /* nds names */
    double *data;             /* nrows x nds, NAN = unknown */
};

/* Fetch CF ("AVERAGE" or "MAX") of PATH between START and END at STEP
 * (0 = the finest available).  DAEMON as for hr_rrd_new (NULL or "" = direct),
 * so pending rrdcached updates are flushed first.  0, or -1 with ERR. */
int hr_rrd_fetch(const char *path, const char *daemon, const char *cf, time_t start,
                 time_t end, unsigned long step, struct hr_rrd_series *out,
                 char *err, size_t errlen);
void hr_rrd_series_free(struct hr_rrd_series *s);
/* The time of PATH's last update, or -1 with ERR. */
int64_t hr_rrd_last(const char *path, char *err, size_t errlen);

/* Nonzero if PATH holds a known 'used' value within two days after T: the
 * file covers history from T on.  A file the poller created after history
 * was backfilled from CSV into the database does not; graphs then draw the
 * database's rows instead (hr_rrd_build).  0 also when PATH is unreadable. */
int hr_rrd_covers(const char *path, int64_t t);

/* ---- graphs ---- */

/* The device graph itself is common/hr_graph.c (hr_graph_draw_usage), built
 * on hr_rrd_graph_usage below. */

/* ---- reports: an RRD built from history rows (owner: reports) ---- */

/* Create PATH (replacing any file there) with the data sources of a
 * device's file (hr_rrd_ds_names; writes always unknown), step STEP
 * seconds, AVERAGE and MAX archives of one step covering P[0..N), and feed
 * it P in time order.  Point I fills the step that contains P[I].t, so
 * daily rows (STEP 86400) land on their UTC day.  Rows not after the
 * previous one are skipped.  Reports use it to graph history that has no
 * RRD file (imported from CSV) with the usage graph: real data, drawn the
 * same way.  0, or -1 with a message in ERR. */
int hr_rrd_build(const char *path, unsigned long step, const struct hr_sample *p,
                 size_t n, char *err, size_t errlen);
/* ---- end reports ---- */

/* ---- the proposal graph: used vs capacity and the forecast (proposals) ---- */

/* What a usage graph drew, as rrd_graph itself reports it (PRINT of the
 * series it plotted): the last known 'used' in the time range, the time
 * of that point (the end of its step: for daily rows the end of the UTC
 * day) and the capacity then.  USED and CAPACITY are NAN and TIME 0 when
 * nothing was known.  At about a day per pixel and more, rrd_graph
 * averages neighbouring rows into one point first. */
struct hr_rrd_drawn {
    double used, capacity;
    int64_t time;
};

struct hr_rrd_usage_graph {
    const char *rrd;          /* the device's RRD file; NULL or missing: PTS */
    const struct hr_sample *pts;   /* daily history rows, ascending time */
    size_t npts;
    int64_t start, end;       /* Unix seconds; END may lie in the future */
    unsigned width, height;   /* plot area; 0 = 560 x 200 */
    const char *title;        /* untrusted: sanitized here */
    /* The forecast line used(t) = fc_used + fc_slope_per_day * (t - fc_now)
     * / 86400, drawn from FC_FROM (the forecast's baseline) to FC_FULL (the
     * date it reaches FC_CAPACITY, marked by a vertical line).  FC_FULL 0:
     * no forecast, no line. */
    int64_t fc_now, fc_from, fc_full;
    double fc_used, fc_slope_per_day, fc_capacity;
    const char *fc_label;     /* legend of the full date ("full around ...") */
    /* The peak load (Cmax, the peak writes per window: the "peak" data
     * source, daily MAX) as a second series on a right axis: its values
     * are drawn multiplied by PEAK_SCALE (so that they share the plot with
     * the bytes) and the right axis reads them back.  0: not drawn. */
    double peak_scale;
    const char *peak_label;   /* its legend; NULL: "peak load (Cmax)" */
    const char *daemon;       /* rrdcached address for G->rrd; NULL or "": direct */
    struct hr_rrd_drawn *drawn;     /* if not NULL: what was drawn, read back */
};

/* Draw G as a PNG into a malloc'd *PNG of *PNGLEN bytes.  From G->rrd when
 * that file is readable (through G->daemon if set, so pending updates
 * are in); otherwise from G->pts through a temporary RRD file
 * (hr_rrd_build, daily step, removed before returning), so the graph is always drawn
 * by rrd_graph from real data.  0, or -1 with ERR (no data at all is an
 * error).  Not thread-safe. */
int hr_rrd_graph_usage(const struct hr_rrd_usage_graph *g, unsigned char **png,
                       size_t *pnglen, char *err, size_t errlen);

#endif
