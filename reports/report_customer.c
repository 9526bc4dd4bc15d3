/* report_customer.c: `headroom report customer ID`.
 *
 * Seed 000 paragraph 0047: the sales terminal compares the time-series
 * change of used capacity and load with the capacity and cache spec.  So
 * each device shows its spec (model, serial, firmware, capacity, cache,
 * sale date, registration number) right above its history in date order,
 * one row per day (the poller's rows folded by rules/facts_db.c the same
 * way the rules see them), then the forecast, then the proposals with
 * their stock answers (paragraphs 0050-0054), the registrations and the
 * registration conflicts (seed 004).
 */
#include "report_int.h"
#include "cmd.h"
#include "hr_hash.h"
#include "hr_util.h"
#include "db.h"
#include "reports_db.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE_KEEP 100   /* bytes of the escaped id kept when it is cut */

/* "report-" and the id with every byte outside [A-Za-z0-9_-] as %XX: a
 * file name that cannot leave --out whatever the id holds.  The escape is
 * one-to-one, so whole names never collide; an escaped id longer than
 * BASE_KEEP bytes (a 64-character id of non-ASCII letters is 768) is cut
 * there and gets "~" and 128 bits of the SHA-256 of the whole id, so two
 * ids sharing a long prefix still get two files ("~" is never part of an
 * escaped id, so a cut name cannot meet a whole one).  BUF holds at least
 * strlen(PREFIX) + BASE_KEEP + 34 bytes. */
static void file_base(char *buf, size_t sz, const char *prefix, const char *id)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = (size_t)snprintf(buf, sz, "%s", prefix), start = n;
    const unsigned char *p;

    for (p = (const unsigned char *)id; *p && n + 4 < sz && n - start + 3 <= BASE_KEEP; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_') {
            buf[n++] = (char)*p;
        } else {
            buf[n++] = '%';
            buf[n++] = hex[*p >> 4];
            buf[n++] = hex[*p & 15];
        }
    }
    buf[n] = '\0';
    if (!*p)
        return;
    if (n + HR_KEY_TAIL + 1 > sz)
        n = sz - HR_KEY_TAIL - 1;
    if (hr_hash_tag(id, strlen(id), buf + n) < 0)
        buf[n] = '\0';     /* no SHA-256: the cut name (never happens with libcrypto) */
}

static int table_row(void *arg, const char *const *vals)
{
    struct rpt_table *t = arg;

    if (rpt_row(t) < 0)
        return 1;
    for (size_t i = 0; i < t->ncols; i++)
        rpt_cell(t, vals[i]);
    return 0;
}

/* Fill T (columns declared) with the report table WHICH of customer ID.
 * Column I of the rows is cell I.  0, or -1 with the error logged. */
static int query_table(struct hr_db *db, struct rpt_table *t, enum hr_db_report_rows which,
                       const char *id)
{
    int rc;

    if (!t)
        return -1;
    rc = hr_db_report_rows(db, which, id, table_row, t);
    if (rc < 0)
        hr_log(LOG_ERR, "database: %s", hr_db_errmsg(db));
    return rc == 0 ? 0 : -1;
}

static void cols(struct rpt_table *t, const char *const *names, const int *types, size_t n)
{
    for (size_t i = 0; t && i < n; i++)
        rpt_col(t, names[i], types[i]);
}

/* ---- the customer ---- */

static int customer_section(struct hr_db *db, struct rpt_doc *d, const char *id)
{
    static const char *const names[] = {
        "id|customer id", "name", "area_code|area code", "assigned_staff|assigned staff",
        "staff_name|staff name", "staff_email|staff email", "consent_sales|consent to sales",
        "devices",
    };
    static const int types[] = {
        RPT_STR, RPT_STR, RPT_STR, RPT_STR, RPT_STR, RPT_STR, RPT_STR, RPT_INT,
    };
    struct rpt_table *t = rpt_table_add(d, "Customer", "customer", NULL, NULL, NULL);

    rpt_table_vertical(t);
    cols(t, names, types, HR_ARRAY_LEN(names));
    return query_table(db, t, HR_DB_RPT_CUSTOMER, id);
}

/* ---- devices ---- */

struct dev_walk {
    struct hr_db *db;
    struct hr_db_device_extra x;
    struct rpt_doc *d;
    struct rpt_opts *o;
    const char *customer;
    int n;
};

static void spec_table(struct dev_walk *w, const struct hr_facts *f, const struct hr_forecast *fc)
{
    static const char *const names[] = {
        "serial", "name", "vendor", "model", "model_number|model number",
        "product_number|product number", "firmware", "config|configuration", "capacity",
        "cache", "sale_date|sale date", "price", "reg_number|registration number",
        "target", "last_sample|last sample", "used", "used_pct|used %",
        "peak_7d|Cmax peak, 7 days", "rated_load|rated load", "days_to_full|days to full",
        "full_date|full date", "slope_per_day|trend per day", "forecast",
    };
    static const int types[] = {
        RPT_STR, RPT_STR, RPT_STR, RPT_STR, RPT_STR, RPT_STR, RPT_STR, RPT_STR, RPT_BYTES,
        RPT_BYTES, RPT_DATE, RPT_STR, RPT_STR, RPT_STR, RPT_TIME, RPT_BYTES, RPT_PCT,
        RPT_REAL, RPT_REAL, RPT_REAL, RPT_DATE, RPT_BYTES, RPT_STR,
    };
    struct rpt_table *t = rpt_table_add(w->d, "Specification and current use", "devices",
                                        NULL, NULL, NULL);
    const struct hr_db_device_extra *x = &w->x;
    int ok = fc->status == HR_FC_OK;

    rpt_table_vertical(t);
    cols(t, names, types, HR_ARRAY_LEN(names));
    rpt_row(t);
    rpt_cell(t, f->serial);
    rpt_cell(t, f->name);
    rpt_cell(t, f->vendor);
    rpt_cell(t, f->model);
    rpt_cell(t, f->model_number);
    rpt_cell(t, f->product_number);
    rpt_cell(t, f->firmware);
    rpt_cell(t, x->config);
    rpt_cell_num(t, f->capacity);
    rpt_cell_num(t, f->cache);
    if (f->sale_date > 0)
        rpt_cell_int(t, f->sale_date);
    else
        rpt_cell(t, NULL);
    rpt_cell(t, x->price);
    rpt_cell(t, x->reg_number);
    rpt_cell(t, x->target);
    /* The latest row the history holds (an import leaves last_seen at its
     * first row). */
    if (f->n_hist)
        rpt_cell_int(t, f->hist[f->n_hist - 1].t);
    else
        rpt_cell(t, x->last_seen);
    rpt_cell_num(t, f->used);
    rpt_cell_num(t, f->capacity > 0 ? f->used / f->capacity * 100 : NAN);
    rpt_cell_num(t, rpt_recent_peak(f, w->o->now));
    rpt_cell_num(t, f->rated_load);
    rpt_cell_num(t, ok ? round(fc->days_to_full * 10) / 10 : NAN);
    if (ok)
        rpt_cell_int(t, fc->full_time);
    else
        rpt_cell(t, NULL);
    rpt_cell_num(t, fc->status == HR_FC_OK || fc->status == HR_FC_FLAT ||
                    fc->status == HR_FC_BEYOND_HORIZON ? round(fc->slope) : NAN);
    rpt_cell(t, hr_forecast_status_name(fc->status));
}

static void history_table(struct dev_walk *w, const struct hr_facts *f)
{
    static const char *const names[] = {
        "date", "capacity", "used", "used_pct|used %", "cmax_peak|Cmax peak",
        "rate_avg|rate avg",
    };
    static const int types[] = {
        RPT_DATE, RPT_BYTES, RPT_BYTES, RPT_PCT, RPT_REAL, RPT_REAL,
    };
    char since[32], title[128];
    struct rpt_table *t;

    rpt_fmt_date(since, sizeof since, w->o->since);
    snprintf(title, sizeof title, "History, one row per day, from %s", since);
    t = rpt_table_add(w->d, title, "history", "serial", f->serial ? f->serial : f->name,
                      "no samples in this period");
    cols(t, names, types, HR_ARRAY_LEN(names));
    for (size_t i = 0; t && i < f->n_hist; i++) {
        const struct hr_sample *s = &f->hist[i];
        if (s->t < w->o->since)
            continue;
        rpt_row(t);
        /* The day, not the time of its last sample. */
        rpt_cell_int(t, s->t - (((s->t % 86400) + 86400) % 86400));
        rpt_cell_num(t, s->capacity);
        rpt_cell_num(t, s->used);
        rpt_cell_num(t, s->capacity > 0 ? round(s->used / s->capacity * 1000) / 10 : NAN);
        rpt_cell_num(t, s->peak);
        rpt_cell_num(t, isnan(s->rate_avg) ? NAN : round(s->rate_avg * 10) / 10);
    }
}

/* The volumes table, added at the first row: a device without volumes
 * (one running headroomd) gets none. */
struct vol_walk {
    struct rpt_doc *d;
    struct rpt_table *t;
    const char *keyval;
};

static int volume_row(void *arg, const char *const *vals)
{
    static const char *const names[] = {
        "volume", "capacity", "used", "used_pct|used %", "counted|counted in the device",
        "last_seen|last seen",
    };
    static const int types[] = { RPT_STR, RPT_BYTES, RPT_BYTES, RPT_PCT, RPT_STR, RPT_TIME };
    struct vol_walk *v = arg;

    if (!v->t) {
        v->t = rpt_table_add(v->d, "Volumes (as the device reports them)", "volumes", "device",
                             v->keyval, NULL);
        if (!v->t)
            return 1;
        cols(v->t, names, types, HR_ARRAY_LEN(names));
    }
    return table_row(v->t, vals);
}

/* 0, or -1 with the error logged. */
static int volumes_table(struct dev_walk *w, int64_t id, const struct hr_facts *f)
{
    struct vol_walk v = { .d = w->d, .keyval = f->serial ? f->serial : f->name };
    char key[32];
    int rc;

    snprintf(key, sizeof key, "%" PRId64, id);
    rc = hr_db_report_rows(w->db, HR_DB_RPT_VOLUMES, key, volume_row, &v);
    if (rc < 0)
        hr_log(LOG_ERR, "database: %s", hr_db_errmsg(w->db));
    return rc == 0 ? 0 : -1;
}

static int device_section(const struct hr_device *dev, void *arg)
{
    const struct hr_facts *f = &dev->f;
    int64_t id = dev->id;
    struct dev_walk *w = arg;
    struct hr_forecast fc;
    char text[512];
    int rc;

    /* The loader matches the customer's id or name; keep this id only. */
    if (!f->customer_id || strcmp(f->customer_id, w->customer) != 0)
        return 0;
    if (hr_db_report_device_extra(w->db, id, &w->x) <= 0) {
        hr_log(LOG_ERR, "database: %s", hr_db_errmsg(w->db));
        return -1;
    }
    w->n++;
    rpt_forecast(w->o, f, &fc);
    /* A device read through a profile may have no serial: its name
     * (PROFILE@TARGET) says which it is. */
    rpt_heading(w->d, 3, "Device %s%s%s%s", f->serial ? f->serial : f->name ? f->name : "?",
                f->serial ? "" : " (no serial)", f->model ? " \xe2\x80\x94 " : "",
                f->model ? f->model : "");
    spec_table(w, f, &fc);
    rpt_forecast_text(&fc, text, sizeof text);
    rpt_para(w->d, "Forecast: %s.", text);
    rc = rpt_graphs(w->d, w->o, dev, &fc);
    if (rc >= 0 && volumes_table(w, id, f) < 0)
        return -1;
    history_table(w, f);
    return rc < 0 ? -1 : 0;
}

static int devices_section(struct hr_db *db, struct rpt_doc *d, struct rpt_opts *o, const char *id)
{
    struct dev_walk w = { .db = db, .d = d, .o = o, .customer = id };
    struct hr_facts_filter flt = { .customer = id, .now = o->now };
    char err[256];
    int rc;

    flt.fc = o->fc;
    /* Enough history for the table and for the forecast's window. */
    flt.window_days = fmax(o->fc.window_days, (double)(o->now - o->since) / 86400 + 1);
    rpt_heading(d, 2, "Devices");
    rc = hr_device_foreach(db, &flt, device_section, &w, err, sizeof err);
    hr_db_device_extra_clear(&w.x);
    if (rc != 0) {
        hr_log(LOG_ERR, "devices: %s", err);
        return -1;
    }
    if (w.n == 0)
        rpt_para(d, "No devices registered to this customer.");
    return 0;
}

/* ---- proposals, registrations, conflicts ---- */

static int proposals_section(struct hr_db *db, struct rpt_doc *d, const char *id)
{
    static const char *const pn[] = {
        "id|proposal", "created", "serial", "rule", "severity", "state", "sent_at|sent",
        "staff", "skus|SKUs", "why", "proposal",
    };
    static const int pt[] = {
        RPT_INT, RPT_TIME, RPT_STR, RPT_STR, RPT_STR, RPT_STR, RPT_TIME, RPT_STR,
        RPT_STR | RPT_PROSE, RPT_STR | RPT_PROSE, RPT_STR | RPT_PROSE,
    };
    static const char *const sn[] = {
        "proposal_id|proposal", "sku|SKU", "rank", "store", "quantity",
        "in_stock|in stock", "delivery_date|delivery date",
    };
    static const int stt[] = {
        RPT_INT, RPT_STR, RPT_INT, RPT_STR, RPT_INT, RPT_STR, RPT_STR,
    };
    struct rpt_table *t;
    int have = hr_db_report_has(db, HR_DB_RPT_T_PROPOSALS);

    rpt_heading(d, 2, "Proposals");
    if (have <= 0)
        return have < 0 ? -1 : rpt_para(d, "No proposals table in this database"
                                        " (headroom propose has not run on it).");
    t = rpt_table_add(d, "Open and sent proposals", "proposals", NULL, NULL, "no proposals");
    cols(t, pn, pt, HR_ARRAY_LEN(pn));
    if (query_table(db, t, HR_DB_RPT_PROPOSALS, id) < 0)
        return -1;
    if (hr_db_report_has(db, HR_DB_RPT_T_PROPOSAL_STOCK) <= 0)
        return rpt_para(d, "No stock answers table in this database.");
    t = rpt_table_add(d, "Stock answers (best store first)", "proposal_stock", NULL, NULL,
                      "no stock answers");
    cols(t, sn, stt, HR_ARRAY_LEN(sn));
    return query_table(db, t, HR_DB_RPT_PROPOSAL_STOCK, id);
}

static int registrations_section(struct hr_db *db, struct rpt_doc *d, const char *id)
{
    static const char *const rn[] = {
        "reg_number|registration number", "serial", "registered", "source", "state",
        "agent_set|written to device",
    };
    static const int rt[] = { RPT_STR, RPT_STR, RPT_TIME, RPT_STR, RPT_STR, RPT_STR };
    static const char *const cn[] = {
        "serial", "registered_customer|registered to", "claiming_customer|claimed by",
        "claiming_target|claiming target", "first_seen|first seen", "last_seen|last seen",
        "times_seen|times seen", "state",
    };
    static const int ct[] = {
        RPT_STR, RPT_STR, RPT_STR, RPT_STR, RPT_TIME, RPT_TIME, RPT_INT, RPT_STR,
    };
    struct rpt_table *t;

    rpt_heading(d, 2, "Registrations");
    t = rpt_table_add(d, "Registration numbers", "registrations", NULL, NULL,
                      "no registrations");
    cols(t, rn, rt, HR_ARRAY_LEN(rn));
    if (query_table(db, t, HR_DB_RPT_REGISTRATIONS, id) < 0)
        return -1;
    t = rpt_table_add(d, "Registration conflicts involving this customer", "conflicts", NULL,
                      NULL, "no registration conflicts");
    cols(t, cn, ct, HR_ARRAY_LEN(cn));
    return query_table(db, t, HR_DB_RPT_CONFLICTS, id);
}

int rpt_customer(struct hr_db *db, struct rpt_opts *o, const char *id, struct rpt_doc **out)
{
    char base[200], at[32], since[32], *name = NULL;
    char *dbname = NULL;
    struct rpt_doc *d;
    int rc;

    *out = NULL;
    rc = hr_db_report_customer_name(db, id, &dbname);
    if (rc <= 0) {
        if (rc == 0) {
            char clean[128];
            hr_sanitize(clean, sizeof clean, id, strlen(id));
            log_warnx("no customer '%s' (headroom customers list)", clean);
            return HR_EXIT_USAGE;
        }
        hr_log(LOG_ERR, "database: %s", hr_db_errmsg(db));
        return HR_EXIT_FAIL;
    }
    name = dbname;
    if (!name)
        return HR_EXIT_FAIL;
    file_base(base, sizeof base, "report-", id);
    char *title = NULL;
    if (asprintf(&title, "Customer report: %s", name) < 0)
        title = NULL;
    free(name);
    d = title ? rpt_doc_new(title, base) : NULL;
    free(title);
    if (!d)
        return HR_EXIT_FAIL;
    *out = d;
    rpt_fmt_time(at, sizeof at, o->now);
    rpt_fmt_date(since, sizeof since, o->since);
    rpt_para(d, "Customer report as of %s; history from %s.", at, since);
    if (customer_section(db, d, id) < 0 || devices_section(db, d, o, id) < 0 ||
        proposals_section(db, d, id) < 0 || registrations_section(db, d, id) < 0)
        return HR_EXIT_FAIL;
    return HR_EXIT_OK;
}
