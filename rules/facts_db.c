/* facts_db.c: a device's facts (struct hr_facts) from the fleet database;
 * see facts_db.h and docs/rules.md "Where the facts come from". */
#include "facts_db.h"
#include "hr_util.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A column as an owned string into *DST (freeing the old one); NULL for
 * NULL or empty.  -1 on ENOMEM. */
static int col_text(sqlite3_stmt *st, int i, char **dst)
{
    const unsigned char *t = sqlite3_column_text(st, i);

    free(*dst);
    *dst = NULL;
    if (!t || !*t)
        return 0;
    return (*dst = strdup((const char *)t)) ? 0 : -1;
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

static double col_num(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
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
        if (d->n == d->cap) {
            size_t nc = d->cap ? d->cap * 2 : 128;
            struct hr_sample *nv = realloc(d->v, nc * sizeof *nv);
            if (!nv)
                return -1;
            d->v = nv;
            d->cap = nc;
        }
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

/* The statements of one eval run, prepared once.  The catalogue ones are
 * NULL when their tables do not exist (yet). */
struct loader {
    sqlite3 *db;
    sqlite3_stmt *devices, *samples, *cat_product, *cat_firmware;
};

/* Load the history of device ID into D and the latest values into F. */
static int load_samples(struct loader *L, int64_t id, const struct hr_facts_filter *flt,
                        struct hr_facts *f, struct daily *d, char *err, size_t errlen)
{
    sqlite3_stmt *st = L->samples;
    int rc;

    d->n = 0;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, flt->now - (int64_t)ceil(flt->window_days * 86400));
    sqlite3_bind_int64(st, 3, flt->now);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        double cap = col_num(st, 1), used = col_num(st, 2);
        if (daily_add(d, sqlite3_column_int64(st, 0), cap, used, col_num(st, 3),
                      col_num(st, 5)) < 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        /* The latest row is the device's current state. */
        if (!isnan(cap))
            f->capacity = cap;
        f->used = used;
        f->peak = col_num(st, 3);
        f->peak_prev = col_num(st, 4);
        f->rate_avg = col_num(st, 5);
        f->window_s = col_num(st, 6);
    }
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "samples: %s", sqlite3_errmsg(L->db));
        return -1;
    }
    return 0;
}

/* Catalogue facts, from tables a later schema step adds.  Until then (or
 * for a model the catalogue lacks) the facts stay unknown: rules that need
 * them report "unknown". */
static int load_catalog(struct loader *L, struct hr_device *dev)
{
    struct hr_facts *f = &dev->f;
    sqlite3_stmt *st;

    if (!f->model_number)
        return 0;
    if ((st = L->cat_product)) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, f->model_number, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            f->rated_load = col_num(st, 0);
            f->max_capacity = col_num(st, 1);
            if (col_text(st, 2, &dev->latest_firmware) < 0)
                return -1;
            f->latest_firmware = dev->latest_firmware;
        }
        sqlite3_reset(st);
    }
    if (!(st = L->cat_firmware))
        return 0;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, f->model_number, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, f->firmware ? f->firmware : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, f->latest_firmware ? f->latest_firmware : "", -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        int64_t date = sqlite3_column_int64(st, 1);
        if (v && f->firmware && strcmp(v, f->firmware) == 0)
            f->firmware_release_date = date;
        if (v && f->latest_firmware && strcmp(v, f->latest_firmware) == 0)
            f->latest_firmware_date = date;
    }
    sqlite3_reset(st);
    return 0;
}

static void loader_close(struct loader *L)
{
    sqlite3_finalize(L->devices);
    sqlite3_finalize(L->samples);
    sqlite3_finalize(L->cat_product);
    sqlite3_finalize(L->cat_firmware);
}

static int loader_open(struct loader *L, sqlite3 *db, char *err, size_t errlen)
{
    static const char devices[] =
        "SELECT d.id, d.serial, d.customer, COALESCE(NULLIF(c.name, ''), d.customer),"
        " d.name, d.vendor, d.model_name, d.model_number, d.product_number, d.firmware,"
        " d.capacity, d.cache_size, d.sale_date, d.rrd_file"
        " FROM devices d LEFT JOIN customers c ON c.id = d.customer"
        " WHERE (?1 IS NULL OR d.customer = ?1 OR c.name = ?1)"
        " AND (?2 IS NULL OR d.serial = ?2)"
        " ORDER BY d.customer, d.serial, d.id";
    static const char samples[] =
        "SELECT time, capacity, used, peak, peak_prev, rate_avg, window FROM samples"
        " WHERE device_id = ?1 AND time > ?2 AND time <= ?3 ORDER BY time";

    memset(L, 0, sizeof *L);
    L->db = db;
    if (sqlite3_prepare_v2(db, devices, -1, &L->devices, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, samples, -1, &L->samples, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        loader_close(L);
        return -1;
    }
    /* Failing prepares leave NULL: the tables are optional. */
    sqlite3_prepare_v2(db, "SELECT rated_load, max_capacity, latest_firmware"
                       " FROM catalog_products WHERE model_number = ?1", -1,
                       &L->cat_product, NULL);
    sqlite3_prepare_v2(db, "SELECT version, release_date FROM catalog_firmware"
                       " WHERE model_number = ?1 AND version IN (?2, ?3)", -1,
                       &L->cat_firmware, NULL);
    return 0;
}

/* Fill DEV from the devices row ST (strings reused across devices). */
static int device_row(sqlite3_stmt *st, const struct hr_facts_filter *flt,
                      struct hr_device *dev)
{
    struct hr_facts *f = &dev->f;
    int bad = 0;

    dev->id = sqlite3_column_int64(st, 0);
    bad |= col_text(st, 1, &dev->serial);
    bad |= col_text(st, 2, &dev->customer_id);
    bad |= col_text(st, 3, &dev->customer);
    bad |= col_text(st, 4, &dev->name);
    bad |= col_text(st, 5, &dev->vendor);
    bad |= col_text(st, 6, &dev->model);
    bad |= col_text(st, 7, &dev->model_number);
    bad |= col_text(st, 8, &dev->product_number);
    bad |= col_text(st, 9, &dev->firmware);
    bad |= col_text(st, 13, &dev->rrd_file);
    free(dev->latest_firmware);
    dev->latest_firmware = NULL;
    hr_facts_init(f, flt->now);
    f->fc = flt->fc;
    device_link(dev);
    f->capacity = col_num(st, 10);
    f->cache = col_num(st, 11);
    f->sale_date = sqlite3_column_int64(st, 12);
    return bad ? -1 : 0;
}

int hr_device_foreach(struct sqlite3 *db, const struct hr_facts_filter *flt,
                      hr_device_cb cb, void *arg, char *err, size_t errlen)
{
    struct hr_device dev = { 0 };
    struct daily d = { 0 };
    struct loader L;
    sqlite3_stmt *st;
    int rc, ret = 0;

    if (loader_open(&L, db, err, errlen) < 0)
        return -1;
    st = L.devices;
    if (flt->customer)
        sqlite3_bind_text(st, 1, flt->customer, -1, SQLITE_STATIC);
    if (flt->serial)
        sqlite3_bind_text(st, 2, flt->serial, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (device_row(st, flt, &dev) < 0 || load_catalog(&L, &dev) < 0) {
            snprintf(err, errlen, "out of memory");
            ret = -1;
            break;
        }
        if ((ret = load_samples(&L, dev.id, flt, &dev.f, &d, err, errlen)) != 0)
            break;
        dev.hist = d.v;
        dev.n_hist = d.n;
        device_link(&dev);
        if ((ret = cb(&dev, arg)) != 0) {
            snprintf(err, errlen, "stopped by the caller");
            break;
        }
    }
    if (ret == 0 && rc != SQLITE_DONE) {
        snprintf(err, errlen, "devices: %s", sqlite3_errmsg(db));
        ret = -1;
    }
    loader_close(&L);
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

int hr_facts_db_foreach(struct sqlite3 *db, const struct hr_facts_filter *flt,
                        hr_facts_cb cb, void *arg, char *err, size_t errlen)
{
    struct facts_walk w = { cb, arg };

    return hr_device_foreach(db, flt, facts_one, &w, err, errlen);
}
