/* facts_db.c: a device's facts (struct hr_facts) from the fleet database;
 * see facts_db.h and docs/rules.md "Where the facts come from". */
#include "facts_db.h"
#include "db.h"
#include "facts.h"
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

/* The samples of one device folded into daily rows (UTC days): the last
 * known capacity and used of the day, the day's largest Cmax, the mean
 * average rate.  The poller writes a row per cycle; rules and the forecast
 * work on days, as seed 000 keeps Cmax as a daily maximum. */
struct daily {
    struct hr_sample *v;
    size_t n, cap;
    double rate_sum, rate_n;
};

static int daily_add(struct daily *d, int64_t t, double cap, double used, double peak,
                     double rate)
{
    int64_t day = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    struct hr_sample *last = d->n ? &d->v[d->n - 1] : NULL;

    if (!last || (last->t >= 0 ? last->t / 86400 : (last->t - 86399) / 86400) != day) {
        if (hr_array_grow(&d->v, &d->cap, d->n + 1, sizeof *d->v) < 0)
            return -1;
        last = &d->v[d->n++];
        *last = (struct hr_sample){ t, NAN, NAN, NAN, NAN };
        d->rate_sum = d->rate_n = 0;
    }
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

/* Fold one sample into the daily rows; the latest row is the device's
 * current state. */
struct sample_walk {
    struct daily *d;
    struct hr_facts *f;
};

static int sample_one(void *arg, const struct hr_db_fact_sample *s)
{
    struct sample_walk *w = arg;
    struct hr_facts *f = w->f;

    if (daily_add(w->d, s->time, s->capacity, s->used, s->peak, s->rate_avg) < 0)
        return 1;   /* out of memory */
    if (!isnan(s->capacity))
        f->capacity = s->capacity;
    f->used = s->used;
    f->peak = s->peak;
    f->peak_prev = s->peak_prev;
    f->rate_avg = s->rate_avg;
    f->window_s = s->window;
    return 0;
}

/* Load the history of device ID into D and the latest values into F. */
static int load_samples(struct hr_db *db, int64_t id, const struct hr_facts_filter *flt,
                        struct hr_facts *f, struct daily *d, char *err, size_t errlen)
{
    struct sample_walk w = { d, f };
    int rc;

    d->n = 0;
    rc = hr_db_device_samples(db, id, flt->now - (int64_t)ceil(flt->window_days * 86400),
                              flt->now, sample_one, &w);
    if (rc != 0) {
        snprintf(err, errlen, "samples: %s", rc > 0 ? "out of memory" : hr_db_errmsg(db));
        return -1;
    }
    return 0;
}

/* Catalogue facts.  For a model the catalogue lacks the facts stay
 * unknown: rules that need them report "unknown". */
static int load_catalog(struct hr_db *db, struct hr_device *dev, char *err, size_t errlen)
{
    struct hr_facts *f = &dev->f;
    char *latest = NULL;
    int rc;

    if (!f->model_number)
        return 0;
    rc = hr_db_catalog_product_facts(db, f->model_number, &f->rated_load, &f->max_capacity,
                                     &latest);
    free(dev->latest_firmware);
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
        if ((ret = load_catalog(db, &dev, err, errlen)) != 0)
            break;
        if ((ret = load_samples(db, dev.id, flt, &dev.f, &d, err, errlen)) != 0)
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
