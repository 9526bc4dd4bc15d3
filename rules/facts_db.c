/* facts_db.c: a device's facts (struct hr_facts) from the fleet database;
 * see facts_db.h and docs/rules.md "Where the facts come from". */
#include "facts_db.h"
#include "db.h"
#include "facts.h"
#include "daily.h"
#include "hr_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An owned copy of T into *DST (freeing the old one); NULL for NULL or
 * empty.  -1 on ENOMEM. */
static int set_text(char **dst, const char *t)
{
    free(*dst);
    *dst = NULL;
    if (!t || !*t)
        return 0;
    return (*dst = strdup(t)) ? 0 : -1;
}

/* ---- the read model ---- */

#define DEVICE_STRINGS(d) { &(d)->serial, &(d)->customer_id, &(d)->customer, &(d)->name, \
                            &(d)->vendor, &(d)->model, &(d)->model_number, \
                            &(d)->product_number, &(d)->firmware, &(d)->latest_firmware, \
                            &(d)->rrd_file }

/* Point D's facts at D's own strings and history. */
static void device_link(struct hr_device *d)
{
    struct hr_facts *f = &d->f;

    f->serial = d->serial;
    f->customer_id = d->customer_id;
    f->customer = d->customer;
    f->name = d->name;
    f->vendor = d->vendor;
    f->model = d->model;
    f->model_number = d->model_number;
    f->product_number = d->product_number;
    f->firmware = d->firmware;
    f->latest_firmware = d->latest_firmware;
    f->hist = d->hist;
    f->n_hist = d->n_hist;
}

/* Free what D owns, not D. */
static void device_clear(struct hr_device *d)
{
    char **s[] = DEVICE_STRINGS(d);

    for (size_t i = 0; i < HR_ARRAY_LEN(s); i++) {
        free(*s[i]);
        *s[i] = NULL;
    }
}

void hr_device_free(struct hr_device *d)
{
    if (!d)
        return;
    device_clear(d);
    free(d->hist);
    free(d);
}

struct hr_device *hr_device_copy(const struct hr_device *src, int flags)
{
    struct hr_device *d = calloc(1, sizeof *d);
    const char *const from[] = { src->serial, src->customer_id, src->customer, src->name,
                                 src->vendor, src->model, src->model_number,
                                 src->product_number, src->firmware, src->latest_firmware,
                                 src->rrd_file };

    if (!d)
        return NULL;
    *d = *src;
    char **to[] = DEVICE_STRINGS(d);
    for (size_t i = 0; i < HR_ARRAY_LEN(to); i++)
        *to[i] = NULL;
    d->hist = NULL;
    d->n_hist = 0;
    for (size_t i = 0; i < HR_ARRAY_LEN(to); i++)
        if (from[i] && !(*to[i] = strdup(from[i])))
            goto out_free;
    if (!(flags & HR_DEVICE_COPY_NO_HIST) && src->n_hist) {
        if (!(d->hist = malloc(src->n_hist * sizeof *d->hist)))
            goto out_free;
        memcpy(d->hist, src->hist, src->n_hist * sizeof *d->hist);
        d->n_hist = src->n_hist;
    }
    device_link(d);
    return d;
out_free:
    hr_device_free(d);
    return NULL;
}

/* A device's history as the rules see it: one row per UTC day (the day's
 * last poll time, its last known capacity and used, its largest Cmax, its
 * mean average rate), as seed 000 keeps Cmax as a daily maximum.  The
 * rows come from the daily records (db/daily.h), so a 90-day window reads
 * 90 rows whatever the poll interval.  A day belongs to the window when
 * its last poll does (the rule functions cut their own windows the same
 * way); a day that runs past the evaluation time (--at in the past) is
 * folded again from its raw polls up to that time, while they are kept. */
struct daily {
    struct hr_sample *v;
    size_t n, cap;
    double rate_sum, rate_n;
};

static struct hr_sample *daily_push(struct daily *d, int64_t t)
{
    if (hr_array_grow(&d->v, &d->cap, d->n + 1, sizeof *d->v) < 0)
        return NULL;
    d->v[d->n] = (struct hr_sample){ t, NAN, NAN, NAN, NAN };
    d->rate_sum = d->rate_n = 0;
    return &d->v[d->n++];
}

/* Fold one raw poll into the last row (a new one for a new day). */
static int daily_add(struct daily *d, int64_t t, double cap, double used, double peak,
                     double rate)
{
    struct hr_sample *last = d->n ? &d->v[d->n - 1] : NULL;

    if ((!last || hr_db_day_of(last->t) != hr_db_day_of(t)) && !(last = daily_push(d, t)))
        return -1;
    last->t = t;
    if (!isnan(cap)) last->capacity = cap;
    if (!isnan(used)) last->used = used;
    if (!isnan(peak)) last->peak = isnan(last->peak) ? peak : fmax(last->peak, peak);
    if (!isnan(rate)) {
        d->rate_sum += rate;
        d->rate_n++;
        last->rate_avg = d->rate_sum / d->rate_n;
    }
    return 0;
}

struct hist_walk {
    struct hr_db *db;
    int64_t id, after, until;
    struct daily *d;
    struct hr_facts *f;
    int64_t last_day;   /* the day of the last daily record taken; -1: the
                           last row was folded from raw polls, or none */
};

/* One raw poll: into its day, and its values are the current ones. */
static int sample_one(void *arg, const struct hr_db_fact_sample *s)
{
    struct hist_walk *w = arg;
    struct hr_facts *f = w->f;

    if (daily_add(w->d, s->time, s->capacity, s->used, s->peak, s->rate_avg) < 0)
        return 1;   /* out of memory */
    w->last_day = -1;
    if (!isnan(s->capacity))
        f->capacity = s->capacity;
    f->used = s->used;
    f->peak = s->peak;
    f->peak_prev = s->peak_prev;
    f->rate_avg = s->rate_avg;
    f->window_s = s->window;
    return 0;
}

/* One daily record: a row of the history (the current values come from
 * the last one's whole record, read once at the end). */
static int day_one(void *arg, const struct hr_db_day *r)
{
    struct hist_walk *w = arg;
    struct hr_facts *f = w->f;
    struct hr_sample *h;

    if (r->last_time <= w->after)
        return 0;
    if (r->last_time > w->until) {
        int64_t from = r->day - 1 > w->after ? r->day - 1 : w->after;
        return hr_db_device_samples(w->db, w->id, from, w->until, sample_one, w);
    }
    if (!(h = daily_push(w->d, r->last_time)))
        return 1;   /* out of memory */
    h->capacity = r->capacity;
    h->used = r->used;
    h->peak = r->cmax;
    h->rate_avg = r->rate_avg;
    if (!isnan(r->capacity))
        f->capacity = r->capacity;
    w->last_day = r->day;
    return 0;
}

/* The current values: the last poll of the last day, as it was. */
static int last_poll(struct hist_walk *w)
{
    struct hr_db_day r;
    struct hr_facts *f = w->f;
    int rc;

    if (w->last_day < 0)
        return 0;
    if ((rc = hr_db_device_day_get(w->db, w->id, w->last_day, &r)) <= 0)
        return rc;
    f->used = r.last_used;
    f->peak = r.last_peak;
    f->peak_prev = r.cmax_prev;
    f->rate_avg = r.last_rate;
    f->window_s = r.last_window;
    return 0;
}

/* Load the history of device ID into D and the latest values into F. */
static int load_history(struct hr_db *db, int64_t id, const struct hr_facts_filter *flt,
                        struct hr_facts *f, struct daily *d, char *err, size_t errlen)
{
    int64_t after = flt->now - (int64_t)ceil(flt->window_days * 86400);
    struct hist_walk w = { db, id, after, flt->now, d, f, -1 };
    int rc;

    d->n = 0;
    rc = hr_db_device_days(db, id, hr_db_day_of(after), hr_db_day_of(flt->now), day_one, &w);
    if (rc == 0)
        rc = last_poll(&w);
    if (rc != 0) {
        snprintf(err, errlen, "history: %s", rc > 0 ? "out of memory" : hr_db_errmsg(db));
        return -1;
    }
    return 0;
}

/* The catalogue facts of the last (model number, firmware) looked up: a
 * fleet is a few models, listed customer by customer, so most devices
 * reuse the previous device's answer instead of two queries. */
struct catalog_memo {
    int valid;
    char *model, *fw, *latest;
    double rated_load, max_capacity;
    int64_t fw_date, latest_date;
};

static void memo_clear(struct catalog_memo *m)
{
    free(m->model);
    free(m->fw);
    free(m->latest);
    memset(m, 0, sizeof *m);
}

static int same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Remember F's facts for its model and firmware (an allocation failure
 * only forgets). */
static void memo_keep(struct catalog_memo *m, const struct hr_facts *f)
{
    memo_clear(m);
    m->model = strdup(f->model_number);
    m->fw = f->firmware ? strdup(f->firmware) : NULL;
    m->latest = f->latest_firmware ? strdup(f->latest_firmware) : NULL;
    m->valid = m->model && (m->fw || !f->firmware) && (m->latest || !f->latest_firmware);
    m->rated_load = f->rated_load;
    m->max_capacity = f->max_capacity;
    m->fw_date = f->firmware_release_date;
    m->latest_date = f->latest_firmware_date;
}

/* Catalogue facts.  For a model the catalogue lacks the facts stay
 * unknown: rules that need them report "unknown". */
static int load_catalog(struct hr_db *db, struct hr_device *dev, struct catalog_memo *m,
                        char *err, size_t errlen)
{
    struct hr_facts *f = &dev->f;
    char *latest = NULL;
    int rc;

    free(dev->latest_firmware);
    dev->latest_firmware = NULL;
    f->latest_firmware = NULL;
    if (!f->model_number)
        return 0;
    if (m->valid && strcmp(m->model, f->model_number) == 0 && same_text(m->fw, f->firmware)) {
        if (m->latest && !(dev->latest_firmware = strdup(m->latest))) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        f->latest_firmware = dev->latest_firmware;
        f->rated_load = m->rated_load;
        f->max_capacity = m->max_capacity;
        f->firmware_release_date = m->fw_date;
        f->latest_firmware_date = m->latest_date;
        return 0;
    }
    rc = hr_db_catalog_product_facts(db, f->model_number, &f->rated_load, &f->max_capacity,
                                     &latest);
    /* NULL for an empty value, as the other strings */
    dev->latest_firmware = latest && *latest ? latest : NULL;
    if (latest && !*latest)
        free(latest);
    f->latest_firmware = dev->latest_firmware;
    if (rc < 0 || hr_db_catalog_firmware_dates(db, f->model_number, f->firmware,
                                               f->latest_firmware, &f->firmware_release_date,
                                               &f->latest_firmware_date) < 0) {
        snprintf(err, errlen, "catalogue: %s", hr_db_errmsg(db));
        return -1;
    }
    memo_keep(m, f);
    return 0;
}

/* Fill DEV from the row R (strings reused across devices). */
static int device_row(const struct hr_db_device *r, const struct hr_facts_filter *flt,
                      struct hr_device *dev)
{
    struct hr_facts *f = &dev->f;
    int bad = 0;

    dev->id = r->id;
    bad |= set_text(&dev->serial, r->serial);
    bad |= set_text(&dev->customer_id, r->customer_id);
    bad |= set_text(&dev->customer, r->customer);
    bad |= set_text(&dev->name, r->name);
    bad |= set_text(&dev->vendor, r->vendor);
    bad |= set_text(&dev->model, r->model);
    bad |= set_text(&dev->model_number, r->model_number);
    bad |= set_text(&dev->product_number, r->product_number);
    bad |= set_text(&dev->firmware, r->firmware);
    bad |= set_text(&dev->rrd_file, r->rrd_file);
    free(dev->latest_firmware);
    dev->latest_firmware = NULL;
    hr_facts_init(f, flt->now);
    f->fc = flt->fc;
    device_link(dev);
    f->capacity = r->capacity;
    f->cache = r->cache;
    f->sale_date = r->sale_date;
    return bad ? -1 : 0;
}

int hr_device_foreach(struct hr_db *db, const struct hr_facts_filter *flt,
                      hr_device_cb cb, void *arg, char *err, size_t errlen)
{
    struct hr_device dev = { 0 };
    struct hr_db_device row;
    struct daily d = { 0 };
    struct hr_db_devices *it;
    struct catalog_memo memo = { 0 };
    int rc, ret = 0;

    if (!(it = hr_db_devices_open(db, flt->customer, flt->device))) {
        snprintf(err, errlen, "devices: %s", hr_db_errmsg(db));
        return -1;
    }
    while ((rc = hr_db_devices_next(it, &row)) > 0) {
        if (device_row(&row, flt, &dev) < 0) {
            snprintf(err, errlen, "out of memory");
            ret = -1;
            break;
        }
        if ((ret = load_catalog(db, &dev, &memo, err, errlen)) != 0)
            break;
        if ((ret = load_history(db, dev.id, flt, &dev.f, &d, err, errlen)) != 0)
            break;
        dev.hist = d.v;
        dev.n_hist = d.n;
        device_link(&dev);
        if ((ret = cb(&dev, arg)) != 0) {
            snprintf(err, errlen, "stopped by the caller");
            break;
        }
    }
    if (ret == 0 && rc < 0) {
        snprintf(err, errlen, "devices: %s", hr_db_errmsg(db));
        ret = -1;
    }
    hr_db_devices_close(it);
    memo_clear(&memo);
    device_clear(&dev);
    free(d.v);
    return ret;
}

struct facts_walk {
    hr_facts_cb cb;
    void *arg;
};

static int facts_one(const struct hr_device *d, void *arg)
{
    const struct facts_walk *w = arg;

    return w->cb(&d->f, d->id, w->arg);
}

int hr_facts_db_foreach(struct hr_db *db, const struct hr_facts_filter *flt,
                        hr_facts_cb cb, void *arg, char *err, size_t errlen)
{
    struct facts_walk w = { cb, arg };

    return hr_device_foreach(db, flt, facts_one, &w, err, errlen);
}

const char *hr_facts_label(const struct hr_facts *f, char *buf, size_t sz)
{
    if (f->serial && *f->serial)
        return f->serial;
    snprintf(buf, sz, "%s (no serial)", f->name && *f->name ? f->name : "-");
    return buf;
}
