/* report_fleet.c: `headroom report fleet`.
 *
 * The whole fleet ranked three ways, each answering a sales question of
 * seed 000 paragraph 0048: which devices run full first (expansion),
 * which run hardest against their model's rating (upgrade), which run
 * the oldest firmware (update); then the poller's own health (targets it
 * cannot reach, since when, last success, RTT) and a summary.  Rankings
 * that need the catalogue say so when the catalogue tables are absent.
 */
#include "report_int.h"
#include "cmd.h"
#include "hr_util.h"
#include "db.h"
#include "reports_db.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A device of the ranking: its read model without the history (a fleet
 * has thousands) and what the rankings sort by. */
struct fdev {
    struct hr_device *dev;
    const char *customer, *serial, *model, *firmware, *latest_fw;   /* dev's */
    double used_pct, peak, rated, fw_age;
    int64_t fw_date;
    struct hr_forecast fc;
};

struct fleet {
    struct fdev *v;
    size_t n, cap;
    struct rpt_opts *o;
    int oom;
};

static int collect(const struct hr_device *dev, void *arg)
{
    const struct hr_facts *f = &dev->f;
    struct fleet *fl = arg;
    struct fdev *x;

    if (hr_array_grow(&fl->v, &fl->cap, fl->n + 1, sizeof *fl->v) < 0) {
        fl->oom = 1;
        return -1;
    }
    x = &fl->v[fl->n];
    memset(x, 0, sizeof *x);
    if (!(x->dev = hr_device_copy(dev, HR_DEVICE_COPY_NO_HIST))) {
        fl->oom = 1;
        return -1;
    }
    fl->n++;
    x->customer = x->dev->customer_id;
    x->serial = x->dev->serial ? x->dev->serial : x->dev->name;
    x->model = x->dev->model ? x->dev->model : x->dev->model_number;
    x->firmware = x->dev->firmware;
    x->latest_fw = x->dev->latest_firmware;
    x->used_pct = f->capacity > 0 ? round(f->used / f->capacity * 1000) / 10 : NAN;
    x->peak = rpt_recent_peak(f, fl->o->now);
    x->rated = f->rated_load > 0 ? f->rated_load : NAN;
    x->fw_date = f->firmware_release_date;
    x->fw_age = x->fw_date > 0 ? floor((double)(fl->o->now - x->fw_date) / 86400) : NAN;
    rpt_forecast(fl->o, f, &x->fc);
    return 0;
}

static void fleet_free(struct fleet *fl)
{
    for (size_t i = 0; i < fl->n; i++)
        hr_device_free(fl->v[i].dev);
    free(fl->v);
}

/* Ties and unknowns in (customer, serial) order, so runs are stable. */
static int by_name(const struct fdev *a, const struct fdev *b)
{
    int c = strcmp(a->customer ? a->customer : "", b->customer ? b->customer : "");
    return c ? c : strcmp(a->serial ? a->serial : "", b->serial ? b->serial : "");
}

/* Known values before unknown ones; DESC for largest first. */
static int by_value(double x, double y, int desc, const struct fdev *a, const struct fdev *b)
{
    if (isnan(x) != isnan(y))
        return isnan(x) ? 1 : -1;
    if (!isnan(x) && x != y)
        return (x < y) == !desc ? -1 : 1;
    return by_name(a, b);
}

static int cmp_full(const void *p, const void *q)
{
    const struct fdev *a = p, *b = q;
    double x = a->fc.status == HR_FC_OK ? a->fc.days_to_full : NAN;
    double y = b->fc.status == HR_FC_OK ? b->fc.days_to_full : NAN;
    return by_value(x, y, 0, a, b);
}

static double load_ratio(const struct fdev *a)
{
    return isnan(a->rated) || isnan(a->peak) ? NAN : a->peak / a->rated * 100;
}

static int cmp_load(const void *p, const void *q)
{
    const struct fdev *a = p, *b = q;
    int c = by_value(load_ratio(a), load_ratio(b), 1, a, b);
    /* Without a rating, the busiest first. */
    return isnan(load_ratio(a)) && isnan(load_ratio(b)) ? by_value(a->peak, b->peak, 1, a, b) : c;
}

static int cmp_fw(const void *p, const void *q)
{
    const struct fdev *a = p, *b = q;
    return by_value(a->fw_age, b->fw_age, 1, a, b);
}

static void cols(struct rpt_table *t, const char *const *names, const int *types, size_t n)
{
    for (size_t i = 0; t && i < n; i++)
        rpt_col(t, names[i], types[i]);
}

/* The cells after rank, customer, serial and model of one ranking. */
static void cells_full(struct rpt_table *t, const struct fdev *x)
{
    int ok = x->fc.status == HR_FC_OK;

    rpt_cell_num(t, x->used_pct);
    rpt_cell_num(t, ok ? round(x->fc.days_to_full * 10) / 10 : NAN);
    if (ok)
        rpt_cell_int(t, x->fc.full_time);
    else
        rpt_cell(t, NULL);
    rpt_cell_num(t, x->fc.status == HR_FC_OK || x->fc.status == HR_FC_FLAT ||
                    x->fc.status == HR_FC_BEYOND_HORIZON ? round(x->fc.slope) : NAN);
    rpt_cell(t, hr_forecast_status_name(x->fc.status));
}

static void cells_load(struct rpt_table *t, const struct fdev *x)
{
    double r = load_ratio(x);

    rpt_cell_num(t, x->peak);
    rpt_cell_num(t, x->rated);
    rpt_cell_num(t, isnan(r) ? NAN : round(r * 10) / 10);
}

static void cells_firmware(struct rpt_table *t, const struct fdev *x)
{
    rpt_cell(t, x->firmware);
    if (x->fw_date > 0)
        rpt_cell_int(t, x->fw_date);
    else
        rpt_cell(t, NULL);
    rpt_cell_num(t, x->fw_age);
    rpt_cell(t, x->latest_fw);
}

/* One ranking of the fleet: its order, heading, the paragraph shown when
 * the catalogue it needs is missing, and the columns after the four every
 * ranking starts with (rank, customer, serial, model). */
struct ranking {
    int (*cmp)(const void *, const void *);
    const char *heading, *no_catalog, *caption, *id;
    const char *const *names;
    const int *types;
    size_t ncols;
    void (*cells)(struct rpt_table *, const struct fdev *);
};

static void rank(struct rpt_doc *d, struct fleet *fl, const struct ranking *r, int have_catalog)
{
    static const char *const head_names[] = { "rank", "customer", "serial", "model" };
    static const int head_types[] = { RPT_INT, RPT_STR, RPT_STR, RPT_STR };
    struct rpt_table *t;

    qsort(fl->v, fl->n, sizeof *fl->v, r->cmp);
    rpt_heading(d, 2, "%s", r->heading);
    if (!have_catalog && r->no_catalog)
        rpt_para(d, "%s", r->no_catalog);
    t = rpt_table_add(d, r->caption, r->id, NULL, NULL, "no devices");
    cols(t, head_names, head_types, HR_ARRAY_LEN(head_names));
    cols(t, r->names, r->types, r->ncols);
    for (size_t i = 0; t && i < fl->n; i++) {
        const struct fdev *x = &fl->v[i];
        rpt_row(t);
        rpt_cell_int(t, (int64_t)i + 1);
        rpt_cell(t, x->customer);
        rpt_cell(t, x->serial);
        rpt_cell(t, x->model);
        r->cells(t, x);
    }
}

static const char *const full_names[] = {
    "used_pct|used %", "days_to_full|days to full", "full_date|full date",
    "slope_per_day|trend per day", "forecast",
};
static const int full_types[] = { RPT_PCT, RPT_REAL, RPT_DATE, RPT_BYTES, RPT_STR };
static const char *const load_names[] = {
    "peak_7d|Cmax peak, 7 days", "rated_load|rated load", "load_pct|load vs rating %",
};
static const int load_types[] = { RPT_REAL, RPT_REAL, RPT_PCT };
static const char *const fw_names[] = {
    "firmware", "released", "age_days|age, days", "latest",
};
static const int fw_types[] = { RPT_STR, RPT_DATE, RPT_INT, RPT_STR };

static const struct ranking rank_full = {
    cmp_full, "Days until full", NULL,
    "Devices by days until full (soonest first, no forecast last)", "rank_full",
    full_names, full_types, HR_ARRAY_LEN(full_names), cells_full,
};
static const struct ranking rank_load = {
    cmp_load, "Load against rating",
    "No product catalogue (catalog_products table missing): ratings are unknown; devices"
    " are ranked by their peak alone.",
    "Devices by peak writes per window against the model's rated load", "rank_load",
    load_names, load_types, HR_ARRAY_LEN(load_names), cells_load,
};
static const struct ranking rank_firmware = {
    cmp_fw, "Firmware age",
    "No firmware catalogue (catalog_firmware table missing): release dates are unknown.",
    "Devices by days since their firmware's release (oldest first)", "rank_firmware",
    fw_names, fw_types, HR_ARRAY_LEN(fw_names), cells_firmware,
};

/* ---- poller health and summary ---- */

static int summary(struct hr_db *db, struct rpt_doc *d)
{
    static const char *const names[] = {
        "customers", "targets", "devices", "targets_ok|targets ok",
        "targets_failed|targets failed", "targets_never|targets never polled",
        "open_conflicts|open conflicts",
    };
    struct hr_db_fleet_counts c;
    struct rpt_table *t;

    if (hr_db_report_fleet_counts(db, &c) < 0) {
        hr_log(LOG_ERR, "database: %s", hr_db_errmsg(db));
        return -1;
    }
    int64_t v[] = { c.customers, c.targets, c.devices, c.targets_ok, c.targets_failed,
                    c.targets_never, c.open_conflicts };
    rpt_para(d, "%" PRId64 " customers, %" PRId64 " targets (%" PRId64 " ok, %" PRId64
             " failed, %" PRId64 " never polled), %" PRId64 " devices, %" PRId64
             " open registration conflicts.", v[0], v[1], v[3], v[4], v[5], v[2], v[6]);
    t = rpt_table_add(d, "Summary", "summary", NULL, NULL, NULL);
    rpt_table_vertical(t);
    for (size_t i = 0; t && i < HR_ARRAY_LEN(names); i++)
        rpt_col(t, names[i], RPT_INT);
    rpt_row(t);
    for (size_t i = 0; t && i < HR_ARRAY_LEN(names); i++)
        rpt_cell_int(t, v[i]);
    return 0;
}

static int unreachable_row(void *arg, const char *const *vals)
{
    struct rpt_table *t = arg;

    rpt_row(t);
    for (int i = 0; i < 9; i++)
        rpt_cell(t, vals[i]);
    return 0;
}

static int unreachable(struct hr_db *db, struct rpt_doc *d)
{
    static const char *const names[] = {
        "target", "customer", "address", "status", "since", "last_ok|last success",
        "rtt_ms|RTT ms", "failures", "error",
    };
    static const int types[] = {
        RPT_STR, RPT_STR, RPT_STR, RPT_STR, RPT_TIME, RPT_TIME, RPT_REAL, RPT_INT, RPT_STR,
    };
    struct rpt_table *t;

    rpt_heading(d, 2, "Poller health");
    t = rpt_table_add(d, "Targets not answering (longest first)", "targets", NULL, NULL,
                      "every enabled target answered its last poll");
    cols(t, names, types, HR_ARRAY_LEN(names));
    if (!t)
        return 0;
    if (hr_db_report_rows(db, HR_DB_RPT_UNREACHABLE, NULL, unreachable_row, t) < 0) {
        hr_log(LOG_ERR, "database: %s", hr_db_errmsg(db));
        return -1;
    }
    return 0;
}

/* ---- graphs of the devices soonest full ---- */

struct one_graph {
    struct rpt_doc *d;
    struct rpt_opts *o;
    int rc;
};

static int graph_cb(const struct hr_device *dev, void *arg)
{
    const struct hr_facts *f = &dev->f;
    struct one_graph *g = arg;
    struct hr_forecast fc;
    char text[512];

    rpt_forecast(g->o, f, &fc);
    rpt_forecast_text(&fc, text, sizeof text);
    rpt_heading(g->d, 3, "%s: %s", f->customer_id ? f->customer_id : "?",
                f->serial ? f->serial : "?");
    rpt_para(g->d, "Forecast: %s.", text);
    g->rc = rpt_graphs(g->d, g->o, dev, &fc);
    return g->rc < 0 ? -1 : 0;
}

static int soonest_graphs(struct hr_db *db, struct rpt_doc *d, struct fleet *fl)
{
    struct one_graph g = { .d = d, .o = fl->o };
    struct hr_facts_filter flt = { .now = fl->o->now };
    char err[256];
    unsigned shown = 0;

    if (!fl->o->graphs || fl->o->top == 0)
        return 0;
    qsort(fl->v, fl->n, sizeof *fl->v, cmp_full);
    if (fl->n == 0 || fl->v[0].fc.status != HR_FC_OK)
        return 0;
    rpt_heading(d, 2, "Soonest full");
    flt.fc = fl->o->fc;
    flt.window_days = fmax(fl->o->fc.window_days, (double)(fl->o->now - fl->o->since) / 86400 + 1);
    for (size_t i = 0; i < fl->n && shown < fl->o->top; i++) {
        if (fl->v[i].fc.status != HR_FC_OK)
            continue;
        flt.device = fl->v[i].dev->id;
        if (hr_device_foreach(db, &flt, graph_cb, &g, err, sizeof err) < 0) {
            hr_log(LOG_ERR, "devices: %s", err);
            break;
        }
        shown++;
    }
    return g.rc < 0 ? -1 : 0;
}

int rpt_fleet(struct hr_db *db, struct rpt_opts *o, struct rpt_doc **out)
{
    struct fleet fl = { .o = o };
    struct hr_facts_filter flt = { .now = o->now };
    struct rpt_doc *d;
    char err[256], at[32];
    int cat_p, cat_f, rc = HR_EXIT_FAIL;

    *out = NULL;
    flt.fc = o->fc;
    flt.window_days = fmax(o->fc.window_days, 8);
    if (!(d = rpt_doc_new("Fleet report", "fleet")))
        return HR_EXIT_FAIL;
    *out = d;
    rpt_fmt_time(at, sizeof at, o->now);
    rpt_para(d, "Fleet report as of %s.", at);
    if (summary(db, d) < 0)
        return HR_EXIT_FAIL;
    if (hr_device_foreach(db, &flt, collect, &fl, err, sizeof err) != 0) {
        hr_log(LOG_ERR, "devices: %s", fl.oom ? "out of memory" : err);
        goto out_free;
    }
    cat_p = hr_db_report_has(db, HR_DB_RPT_T_CATALOG_PRODUCTS);
    cat_f = hr_db_report_has(db, HR_DB_RPT_T_CATALOG_FIRMWARE);
    if (cat_p < 0 || cat_f < 0)
        goto out_free;
    rank(d, &fl, &rank_full, 1);
    rank(d, &fl, &rank_load, cat_p);
    rank(d, &fl, &rank_firmware, cat_f);
    if (unreachable(db, d) < 0 || soonest_graphs(db, d, &fl) < 0)
        goto out_free;
    rc = HR_EXIT_OK;
out_free:
    fleet_free(&fl);
    return rc;
}
