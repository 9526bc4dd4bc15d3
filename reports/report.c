/* report.c: `headroom report customer ID` and `headroom report fleet`.
 *
 * The "sales promoting terminal" of seed 000 (paragraph 0047): a
 * customer's devices with their spec next to the time series of used
 * capacity and load, the forecast, the proposals and their stock
 * answers; and the fleet ranked by what runs out first.  This file holds
 * the command, the options and what both reports share (forecast text,
 * graphs); report_customer.c and report_fleet.c gather the data into a
 * document (report.h) that report_{text,csv,html}.c render.
 */
#include "report_int.h"
#include "settings.h"
#include "cmd.h"
#include "hr_graph.h"
#include "hr_rrd.h"
#include "hr_util.h"
#include "db.h"
#include "import.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_DAYS 90

static void usage(FILE *f)
{
    fputs("usage: headroom report customer ID [options]\n"
          "       headroom report fleet [options]\n"
          "\n"
          "customer: the customer's details, each device's spec next to its daily\n"
          "  history (capacity, used, Cmax peak, rate), the forecast, proposals with\n"
          "  their stock answers, registration numbers and registration conflicts.\n"
          "fleet: devices ranked by days until full, by load against rating and by\n"
          "  firmware age; targets the poller cannot reach; a summary.\n"
          "\n"
          "options:\n"
          "  -f, --format FMT     text (default), csv or html\n"
          "  -o, --out DIR        write files into DIR (report-ID.txt/.html,\n"
          "                       fleet.txt/.html, or one NAME.csv per table)\n"
          "                       instead of standard output\n"
          "  -s, --since DATE     history from DATE (YYYY-MM-DD or Unix seconds)\n"
          "  -n, --days N         history of the last N days (default 90)\n"
          "  -t, --at TIME        report as of TIME (default: now)\n"
          "  -R, --rrd-dir DIR    the poller's RRD files (default $HEADROOM_RRD_DIR,\n"
          "                       else " HR_DEFAULT_RRD_DIR ")\n"
          "  -a, --rrdcached ADDR read RRD files through rrdcached\n"
          "                       (default $RRDCACHED_ADDRESS)\n"
          "  -w, --width N        text: table width (default $COLUMNS, the\n"
          "                       terminal's width, or 100)\n"
          "      --top N          fleet HTML: graph the N devices soonest full (5)\n"
          "      --no-graphs      HTML without graphs\n"
          "  -h, --help           this help\n"
          "\n"
          "exit status: 0 done, 1 database or I/O failure, 2 usage error or\n"
          "unknown customer.\n", f);
}

/* ---- shared helpers ---- */

double rpt_recent_peak(const struct hr_facts *f, int64_t now)
{
    double p = NAN;

    for (size_t i = 0; i < f->n_hist; i++)
        if (f->hist[i].t > now - 7 * 86400 && !isnan(f->hist[i].peak))
            p = isnan(p) ? f->hist[i].peak : fmax(p, f->hist[i].peak);
    return isnan(p) ? f->peak : p;
}

void rpt_forecast(const struct rpt_opts *o, const struct hr_facts *f, struct hr_forecast *fc)
{
    memset(fc, 0, sizeof *fc);
    if (hr_forecast_compute(f->hist, f->n_hist, o->now, &o->fc, fc) < 0)
        fc->status = HR_FC_TOO_FEW;
}

void rpt_forecast_text(const struct hr_forecast *fc, char *buf, size_t sz)
{
    char slope[32], date[32], base[32];

    rpt_fmt_bytes(slope, sizeof slope, fc->slope);
    switch (fc->status) {
    case HR_FC_OK:
        rpt_fmt_date(date, sizeof date, fc->full_time);
        rpt_fmt_date(base, sizeof base, fc->baseline);
        snprintf(buf, sz, "full in %.1f days, on %s (trend %s per day from %d daily points"
                 " since %s, r\xc2\xb2 %.2f)", fc->days_to_full, date, slope, fc->points,
                 base, fc->r2);
        return;
    case HR_FC_NO_CAPACITY:
        snprintf(buf, sz, "no forecast: the capacity is unknown");
        return;
    case HR_FC_TOO_FEW:
        snprintf(buf, sz, "no forecast: too few daily points with used and capacity (%d)",
                 fc->points);
        return;
    case HR_FC_SHORT_SPAN:
        snprintf(buf, sz, "no forecast: the usable history spans less than two days");
        return;
    case HR_FC_FLAT:
        snprintf(buf, sz, "no forecast: use is flat or shrinking (trend %s per day)", slope);
        return;
    case HR_FC_BEYOND_HORIZON:
        snprintf(buf, sz, "no forecast: at the trend of %s per day it is not full within"
                 " the horizon", slope);
        return;
    }
    snprintf(buf, sz, "no forecast");
}

/* Used vs capacity with the rule engine's forecast line and the peak
 * load: the graph the proposal mail carries (common/hr_graph.c), from the
 * RRD file or the daily rows. */
static int usage_graph(struct rpt_doc *d, const struct rpt_opts *o, const struct hr_device *dev,
                       const char *rrd, const struct hr_forecast *fc, int64_t start,
                       const char *who)
{
    struct hr_graph_usage g = {
        .rrd = rrd, .hist = dev->hist, .n_hist = dev->n_hist, .now = o->now, .start = start,
        .width = 640, .height = 180, .title = "used vs capacity and peak load",
        .rrdcached = o->rrdcached,
    };
    unsigned char *png = NULL;
    size_t len = 0;
    char err[512], what[160], alt[256];
    int rc;

    if (fc->status == HR_FC_OK) {
        g.fc_from = fc->baseline;
        g.fc_full = fc->full_time;
        g.fc_used = fc->intercept;
        g.fc_slope_per_day = fc->slope;
        g.fc_capacity = fc->capacity;
    }
    rc = hr_graph_draw_usage(&g, &png, &len, what, sizeof what, err, sizeof err);
    snprintf(alt, sizeof alt, "%s: %s", who, what);
    if (rc < 0)
        return rpt_para(d, "(%s: no graph: %s)", alt, err);
    rc = rpt_image(d, png, len, alt);
    free(png);
    return rc;
}

int rpt_graphs(struct rpt_doc *d, struct rpt_opts *o, const struct hr_device *dev,
               const struct hr_forecast *fc)
{
    char path[PATH_MAX];
    const struct hr_sample *h = dev->hist;
    const char *who = dev->serial ? dev->serial : dev->name ? dev->name : "device";
    const char *rrd_file = dev->rrd_file, *rrd = NULL;
    int64_t start;

    if (!o->graphs)
        return 0;
    if (dev->n_hist == 0)
        return rpt_para(d, "(no history to draw)");
    /* Without an RRD file that covers the history (imported from CSV, or
     * another host's directory) the graph draws the database's daily
     * rows. */
    if (rrd_file && *rrd_file && !strchr(rrd_file, '/') &&
        snprintf(path, sizeof path, "%s/%s", o->rrd_dir, rrd_file) < (int)sizeof path &&
        hr_rrd_covers(path, h[0].t))
        rrd = path;
    start = o->since;
    if (h[0].t - 86400 > start)
        start = h[0].t - 86400;
    if (o->now <= start)
        start = o->now - 86400;
    return usage_graph(d, o, dev, rrd, fc, start, who);
}

/* ---- the command ---- */

static unsigned term_width(void)
{
    const char *c = getenv("COLUMNS");
    uint64_t v;
    struct winsize ws;

    if (c && hr_parse_u64(c, &v) == 0 && v >= 40 && v <= 1000)
        return (unsigned)v;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
        return ws.ws_col;
    return 100;
}

static int parse_fmt(const char *s, int *fmt)
{
    if (strcmp(s, "text") == 0)
        *fmt = RPT_FMT_TEXT;
    else if (strcmp(s, "csv") == 0)
        *fmt = RPT_FMT_CSV;
    else if (strcmp(s, "html") == 0)
        *fmt = RPT_FMT_HTML;
    else {
        hr_log(LOG_ERR, "--format: '%s' is not text, csv or html", s);
        return -1;
    }
    return 0;
}

static int parse_num(const char *opt, const char *s, uint64_t lo, uint64_t hi, uint64_t *v)
{
    long long n;

    if (hr_opt_num(opt, s, (long long)lo, (long long)hi, &n) < 0)
        return -1;
    *v = (uint64_t)n;
    return 0;
}

/* --at and --since: Unix seconds, or a date (and time, UTC) as
 * hr_parse_time takes it, which refuses days a month does not have. */
static int parse_when(const char *opt, const char *s, int64_t *out)
{
    if (hr_parse_time(s, out) == 0)
        return 0;
    hr_log(LOG_ERR, "%s: '%.40s' is not a time (Unix seconds, YYYY-MM-DD or"
           " YYYY-MM-DDTHH:MM[:SS])", opt, s);
    return -1;
}

struct cmdline {
    struct rpt_opts o;
    const char *out, *since;
    uint64_t days;
    unsigned width;
};

static int parse_args(struct cmdline *cl, int argc, char **argv)
{
    static const struct option opts[] = {
        { "format", required_argument, NULL, 'f' },
        { "out", required_argument, NULL, 'o' },
        { "since", required_argument, NULL, 's' },
        { "days", required_argument, NULL, 'n' },
        { "at", required_argument, NULL, 't' },
        { "rrd-dir", required_argument, NULL, 'R' },
        { "rrdcached", required_argument, NULL, 'a' },
        { "width", required_argument, NULL, 'w' },
        { "top", required_argument, NULL, 'T' },
        { "no-graphs", no_argument, NULL, 'G' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    uint64_t v;
    int c;

    while ((c = getopt_long(argc, argv, "f:o:s:n:t:R:a:w:h", opts, NULL)) != -1) {
        switch (c) {
        case 'f': if (parse_fmt(optarg, &cl->o.fmt) < 0) return -1; break;
        case 'o': cl->out = optarg; break;
        case 's': cl->since = optarg; break;
        case 'n': if (parse_num("--days", optarg, 1, 36500, &cl->days) < 0) return -1; break;
        case 't':
            if (parse_when("--at", optarg, &cl->o.now) < 0)
                return -1;
            break;
        case 'R': cl->o.rrd_dir = optarg; break;
        case 'a': cl->o.rrdcached = optarg; break;
        case 'w':
            if (parse_num("--width", optarg, 40, 1000, &v) < 0)
                return -1;
            cl->width = (unsigned)v;
            break;
        case 'T':
            if (parse_num("--top", optarg, 0, 100, &v) < 0)
                return -1;
            cl->o.top = (unsigned)v;
            break;
        case 'G': cl->o.graphs = 0; break;
        case 'h': usage(stdout); return 1;
        default: usage(stderr); return -1;
        }
    }
    if (cl->since && parse_when("--since", cl->since, &cl->o.since) < 0)
        return -1;
    if (!cl->since)
        cl->o.since = cl->o.now - (int64_t)cl->days * 86400;
    /* Whole UTC days: the history table and graphs start at midnight. */
    cl->o.since -= ((cl->o.since % 86400) + 86400) % 86400;
    if (cl->o.fmt != RPT_FMT_HTML)
        cl->o.graphs = 0;
    return 0;
}

/* Root writing under a directory another user owns (--out ~alice/r):
 * that user could swap a component for a symlink to anywhere between our
 * steps, so the whole write runs as the first such owner on the path
 * (effective ids), and lands only where that user could write anyway.
 * The uid to act as, or 0 for none. */
static uid_t out_foreign_owner(const char *dir, gid_t *gid)
{
    char path[PATH_MAX];
    struct stat st;
    size_t n;

    if (geteuid() != 0)
        return 0;
    if (dir[0] == '/')
        n = hr_strlcpy(path, dir, sizeof path);
    else if (getcwd(path, sizeof path))
        n = strlen(path) + snprintf(path + strlen(path), sizeof path - strlen(path), "/%s", dir);
    else
        return 0;
    if (n >= sizeof path)
        return 0;
    for (char *p = path + 1;; p++) {
        char c = *p;
        if (c != '/' && c != '\0')
            continue;
        *p = '\0';
        if (lstat(path, &st) < 0) {
            *p = c;
            break;              /* to be created: by whoever owns its parent */
        }
        if (st.st_uid != 0) {
            *gid = st.st_gid;
            return st.st_uid;
        }
        *p = c;
        if (!c)
            break;
    }
    return 0;
}

/* Switch the effective ids for --out DIR (see out_foreign_owner), or back
 * (UID 0).  0, or -1 logged. */
static int out_become(uid_t uid, gid_t gid)
{
    if (uid ? (setegid(gid) < 0 || seteuid(uid) < 0) : (seteuid(0) < 0 || setegid(0) < 0)) {
        hr_log(LOG_ERR, "cannot switch effective user for --out: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static int emit_as_owner(const struct cmdline *cl, const struct rpt_doc *d,
                         const struct hr_ctx *ctx);

/* Where a report goes: DIR/NAME.EXT (replaced atomically), or stdout. */
static int emit(const struct cmdline *cl, const struct rpt_doc *d, const struct hr_ctx *ctx)
{
    gid_t gid = 0;
    uid_t uid = cl->out ? out_foreign_owner(cl->out, &gid) : 0;
    int rc;

    if (uid && out_become(uid, gid) < 0)
        return HR_EXIT_FAIL;
    rc = emit_as_owner(cl, d, ctx);
    if (uid && out_become(0, 0) < 0)
        abort();                /* half a privilege switch: no state to go on in */
    return rc;
}

static int emit_as_owner(const struct cmdline *cl, const struct rpt_doc *d,
                         const struct hr_ctx *ctx)
{
    char path[PATH_MAX], err[512], *buf = NULL;
    size_t len = 0;
    FILE *f;
    int rc;

    if (cl->out && hr_mkdirs(cl->out, 0755) < 0) {
        hr_log(LOG_ERR, "%s: %s", cl->out, strerror(errno));
        return HR_EXIT_FAIL;
    }
    if (cl->o.fmt == RPT_FMT_CSV) {
        if (rpt_write_csv(d, cl->out, stdout, ctx->quiet ? NULL : stdout, err, sizeof err) < 0) {
            hr_log(LOG_ERR, "%s", err);
            return HR_EXIT_FAIL;
        }
        return HR_EXIT_OK;
    }
    f = cl->out ? open_memstream(&buf, &len) : stdout;
    if (!f) {
        hr_log(LOG_ERR, "out of memory");
        return HR_EXIT_FAIL;
    }
    rc = cl->o.fmt == RPT_FMT_HTML ? rpt_write_html(d, f) : rpt_write_text(d, f, cl->width);
    if (!cl->out) {
        if (rc < 0)
            hr_log(LOG_ERR, "write: %s", strerror(errno));
        return rc < 0 ? HR_EXIT_FAIL : HR_EXIT_OK;
    }
    if (fclose(f) != 0 || rc < 0) {
        free(buf);
        hr_log(LOG_ERR, "out of memory");
        return HR_EXIT_FAIL;
    }
    snprintf(path, sizeof path, "%s/%s.%s", cl->out, rpt_doc_basename(d),
             cl->o.fmt == RPT_FMT_HTML ? "html" : "txt");
    rc = hr_write_file_atomic(path, buf, len, 0644);
    free(buf);
    if (rc < 0) {
        hr_log(LOG_ERR, "%s: %s", path, strerror(errno));
        return HR_EXIT_FAIL;
    }
    if (!ctx->quiet)
        printf("%s\n", path);
    return HR_EXIT_OK;
}

int hr_cmd_report(struct hr_ctx *ctx, int argc, char **argv)
{
    struct cmdline cl = {
        .o = { .fmt = RPT_FMT_TEXT, .now = hr_db_now(), .rrd_dir = ctx->set->rrd_dir,
               .rrdcached = ctx->set->rrdcached, .graphs = 1, .top = 5 },
        .days = DEFAULT_DAYS,
    };
    struct rpt_doc *d = NULL;
    struct hr_db *db;
    int rc;

    hr_forecast_opts_default(&cl.o.fc);
    cl.width = term_width();
    if ((rc = parse_args(&cl, argc, argv)) != 0)
        return rc > 0 ? HR_EXIT_OK : HR_EXIT_USAGE;
    argc -= optind;
    argv += optind;
    if (argc < 1 || (strcmp(argv[0], "customer") == 0 ? argc != 2
                     : strcmp(argv[0], "fleet") != 0 || argc != 1)) {
        usage(stderr);
        return HR_EXIT_USAGE;
    }
    if (hr_db_open_ctx(ctx, 0, &db) < 0)
        return HR_EXIT_FAIL;
    if (strcmp(argv[0], "customer") == 0)
        rc = rpt_customer(db, &cl.o, argv[1], &d);
    else
        rc = rpt_fleet(db, &cl.o, &d);
    hr_db_close(db);
    if (rc == HR_EXIT_OK && rpt_doc_failed(d)) {
        hr_log(LOG_ERR, "report: out of memory");
        rc = HR_EXIT_FAIL;
    }
    if (rc == HR_EXIT_OK)
        rc = emit(&cl, d, ctx);
    rpt_doc_free(d);
    return rc;
}
