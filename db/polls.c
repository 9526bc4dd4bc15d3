/* polls.c: the raw polls packed an hour at a time; see polls.h and
 * docs/collector.md "Daily records and retention".
 *
 * A block (format 1):
 *   byte      1 (the format)
 *   varint    n, the polls (1 .. HR_POLLS_SPAN)
 *   n times:
 *     varint  zigzag(dt - previous dt): dt is the seconds since the
 *             previous poll (the first: since the hour; its previous dt
 *             is 0).  A poll every 300 s costs one byte.
 *     varint  the fields that differ from their prediction (bits 0-10,
 *             FIELDS below), bit 11: a NULL mask follows
 *    [varint  the fields of that mask that are NULL now]
 *     varint  zigzag(value - prediction) of each other field in the
 *             mask, in field order
 * The prediction of a field is its value in the previous poll of the
 * block (0 and NULL before the first), except: writes is the previous
 * writes plus this poll's writes_delta, and sysuptime the previous one
 * plus dt in hundredths of a second.  So a steady device costs a few
 * bytes a poll.  Varints are little-endian base 128 (at most 10 bytes);
 * the arithmetic is on 64-bit patterns, wrapping.
 */
#include "rows_int.h"
#include "polls.h"
#include "hr_util.h"
#include "samples.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FORMAT 1
#define NFIELDS 11
#define NULLS_FOLLOW (1u << NFIELDS)
enum { F_CAP, F_USED, F_PCT, F_DELTA, F_WRITES, F_PEAK, F_PEAK_PREV, F_RATE, F_WINDOW,
       F_UPTIME, F_STATUS };
/* The HR_DB_S_* bit of each field (status is never NULL). */
static const unsigned known_bit[NFIELDS] = {
    HR_DB_S_CAPACITY, HR_DB_S_USED, HR_DB_S_USED_PCT, HR_DB_S_DELTA, HR_DB_S_WRITES,
    HR_DB_S_PEAK, HR_DB_S_PEAK_PREV, HR_DB_S_RATE_AVG, HR_DB_S_WINDOW, HR_DB_S_UPTIME, 0,
};

int64_t hr_db_polls_hour(int64_t t)
{
    int64_t r = t % HR_POLLS_SPAN;

    return t - (r < 0 ? r + HR_POLLS_SPAN : r);
}

static uint64_t zigzag(uint64_t d)
{
    return (d << 1) ^ (0 - (d >> 63));
}

static uint64_t unzigzag(uint64_t z)
{
    return (z >> 1) ^ (0 - (z & 1));
}

/* The fields of S as 64-bit patterns, and which are known. */
static unsigned fields_get(const struct hr_db_sample *s, uint64_t *f)
{
    unsigned known = 1u << F_STATUS;

    f[F_CAP] = s->capacity;
    f[F_USED] = s->used;
    f[F_PCT] = (uint64_t)(int64_t)s->used_percent;
    f[F_DELTA] = s->writes_delta;
    f[F_WRITES] = s->writes;
    f[F_PEAK] = (uint64_t)s->peak;
    f[F_PEAK_PREV] = (uint64_t)s->peak_prev;
    f[F_RATE] = (uint64_t)s->rate_avg;
    f[F_WINDOW] = (uint64_t)s->window;
    f[F_UPTIME] = (uint64_t)s->sysuptime;
    f[F_STATUS] = s->status;
    for (int i = 0; i < F_STATUS; i++)
        if (s->known & known_bit[i])
            known |= 1u << i;
    return known;
}

/* The prediction of field I from the previous poll (PREV, PKNOWN), this
 * poll's writes_delta (CUR, CKNOWN: fields before I are already set) and
 * DT. */
static uint64_t predict(int i, const uint64_t *prev, unsigned pknown, const uint64_t *cur,
                        unsigned cknown, int64_t dt)
{
    if (!(pknown & (1u << i)))
        return 0;
    if (i == F_WRITES && (cknown & (1u << F_DELTA)))
        return prev[i] + cur[F_DELTA];
    if (i == F_UPTIME)
        return prev[i] + (uint64_t)dt * 100;
    return prev[i];
}

struct buf {
    unsigned char *p;
    size_t len, cap;
};

static int put(struct buf *b, uint64_t v)
{
    if (b->cap - b->len < 10) {
        size_t ncap = b->cap ? b->cap * 2 : 256;
        unsigned char *np = realloc(b->p, ncap);
        if (!np)
            return -1;
        b->p = np;
        b->cap = ncap;
    }
    do {
        unsigned char c = v & 0x7f;
        v >>= 7;
        b->p[b->len++] = c | (v ? 0x80 : 0);
    } while (v);
    return 0;
}

int hr_db_polls_encode(const struct hr_db_sample *v, size_t n, int64_t hour, unsigned char **out,
                       size_t *len)
{
    struct buf b = { 0 };
    uint64_t prev[NFIELDS] = { 0 }, cur[NFIELDS];
    unsigned pknown = 0;
    int64_t pt = hour, pdt = 0;

    *out = NULL;
    if (n == 0 || n > HR_POLLS_SPAN || put(&b, FORMAT) < 0 || put(&b, n) < 0)
        goto fail;
    for (size_t k = 0; k < n; k++) {
        int64_t t = v[k].time, dt = t - pt;
        unsigned cknown = fields_get(&v[k], cur), mask = 0, nulls = 0;

        if (t < hour || t >= hour + HR_POLLS_SPAN || (k > 0 && dt <= 0))
            goto fail;
        for (int i = 0; i < NFIELDS; i++) {
            unsigned bit = 1u << i;
            if ((cknown & bit) != (pknown & bit) ||
                ((cknown & bit) && cur[i] != predict(i, prev, pknown, cur, cknown, dt)))
                mask |= bit;
            if ((mask & bit) && !(cknown & bit))
                nulls |= bit;
        }
        if (put(&b, zigzag((uint64_t)(dt - pdt))) < 0 || put(&b, mask | (nulls ? NULLS_FOLLOW : 0)) < 0 ||
            (nulls && put(&b, nulls) < 0))
            goto fail;
        for (int i = 0; i < NFIELDS; i++)
            if ((mask & ~nulls) & (1u << i) &&
                put(&b, zigzag(cur[i] - predict(i, prev, pknown, cur, cknown, dt))) < 0)
                goto fail;
        memcpy(prev, cur, sizeof prev);
        pknown = cknown;
        pt = t;
        pdt = dt;
    }
    *out = b.p;
    *len = b.len;
    return 0;
fail:
    free(b.p);
    return -1;
}

/* A varint of P[*I..LEN): 0, or -1 if it runs off the end or past 64 bits. */
static int get(const unsigned char *p, size_t len, size_t *i, uint64_t *v)
{
    uint64_t r = 0;

    for (int shift = 0; shift < 70; shift += 7) {
        unsigned char c;
        if (*i >= len)
            return -1;
        c = p[(*i)++];
        if (shift == 63 && (c & 0x7e))
            return -1;
        r |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = r;
            return 0;
        }
    }
    return -1;
}

static void fields_put(struct hr_db_sample *s, const uint64_t *f, unsigned known)
{
    s->capacity = f[F_CAP];
    s->used = f[F_USED];
    s->used_percent = (int)(int64_t)f[F_PCT];
    s->writes_delta = f[F_DELTA];
    s->writes = f[F_WRITES];
    s->peak = (int64_t)f[F_PEAK];
    s->peak_prev = (int64_t)f[F_PEAK_PREV];
    s->rate_avg = (int64_t)f[F_RATE];
    s->window = (int64_t)f[F_WINDOW];
    s->sysuptime = (int64_t)f[F_UPTIME];
    s->status = (unsigned)f[F_STATUS];
    s->known = 0;
    for (int i = 0; i < F_STATUS; i++)
        if (known & (1u << i))
            s->known |= known_bit[i];
}

#define BAD(msg) do { *why = (msg); goto fail; } while (0)

int hr_db_polls_decode(const unsigned char *p, size_t len, int64_t hour,
                       struct hr_db_sample **v, size_t *n, const char **why)
{
    uint64_t prev[NFIELDS] = { 0 }, cur[NFIELDS], x, nn;
    unsigned pknown = 0;
    int64_t pt = hour, pdt = 0;
    size_t i = 0;
    struct hr_db_sample *out = NULL;

    *v = NULL;
    *n = 0;
    if (get(p, len, &i, &x) < 0 || x != FORMAT)
        BAD("not a block of format 1");
    if (get(p, len, &i, &nn) < 0 || nn == 0 || nn > HR_POLLS_SPAN)
        BAD("bad number of polls");
    /* Each poll takes at least two bytes: a short block lies about n. */
    if (nn > (len - i) / 2)
        BAD("shorter than its polls");
    if (!(out = calloc(nn, sizeof *out)))
        BAD("out of memory");
    for (size_t k = 0; k < nn; k++) {
        uint64_t mask, nulls = 0;
        unsigned cknown;
        int64_t dt;

        if (get(p, len, &i, &x) < 0 || get(p, len, &i, &mask) < 0)
            BAD("truncated");
        /* In 64-bit patterns: a hostile delta wraps instead of overflowing. */
        dt = (int64_t)((uint64_t)pdt + unzigzag(x));
        if (dt < 0 || dt >= HR_POLLS_SPAN || (k > 0 && dt == 0) || pt + dt >= hour + HR_POLLS_SPAN)
            BAD("poll times out of order or out of the hour");
        if (mask & ~(uint64_t)(((1u << NFIELDS) - 1) | NULLS_FOLLOW))
            BAD("unknown field");
        if ((mask & NULLS_FOLLOW) &&
            (get(p, len, &i, &nulls) < 0 || nulls == 0 || (nulls & ~mask) ||
             (nulls & (1u << F_STATUS))))
            BAD("bad NULL mask");
        cknown = 0;
        for (int f = 0; f < NFIELDS; f++) {
            unsigned bit = 1u << f;
            if (!(mask & bit)) {
                /* Unchanged: known as before, the predicted value. */
                if (pknown & bit) {
                    cknown |= bit;
                    cur[f] = predict(f, prev, pknown, cur, cknown, dt);
                } else {
                    cur[f] = 0;
                }
            } else if (nulls & bit) {
                if (!(pknown & bit))
                    BAD("a field NULL before and after marked changed");
                cur[f] = 0;
            } else {
                if (get(p, len, &i, &x) < 0)
                    BAD("truncated");
                cknown |= bit;
                cur[f] = predict(f, prev, pknown, cur, cknown, dt) + unzigzag(x);
            }
        }
        if (cur[F_STATUS] > 0xffffffffu ||
            (int64_t)cur[F_PCT] != (int64_t)(int)(int64_t)cur[F_PCT])
            BAD("value out of range");
        out[k].time = pt + dt;
        fields_put(&out[k], cur, cknown);
        memcpy(prev, cur, sizeof prev);
        pknown = cknown;
        pt += dt;
        pdt = dt;
    }
    if (i != len)
        BAD("trailing bytes");
    *v = out;
    *n = nn;
    return 0;
fail:
    free(out);
    return -1;
}
#undef BAD

/* ---- storage ---- */

static const char pack_scan_sql[] =
    "SELECT " HR_DB_SAMPLE_COLS ", device_id FROM samples"
    " WHERE device_id > ?1 AND time < ?2 ORDER BY device_id, time";
static const char hot_drop_sql[] = "DELETE FROM samples WHERE device_id = ?1 AND time < ?2";
static const char block_get_sql[] = "SELECT data FROM polls WHERE hour = ?1 AND device_id = ?2";
static const char block_put_sql[] =
    "INSERT OR REPLACE INTO polls (hour, device_id, n, data) VALUES (?1, ?2, ?3, ?4)";
static const char block_drop_sql[] = "DELETE FROM polls WHERE hour = ?1 AND device_id = ?2";
static const char blocks_prune_sql[] =
    "DELETE FROM polls WHERE (hour, device_id) IN (SELECT hour, device_id FROM polls"
    " WHERE hour <= ?1 ORDER BY hour, device_id LIMIT ?2) RETURNING n";
static const char last_hour_sql[] = "SELECT max(hour) FROM polls";

/* DEVICE's stored block of HOUR decoded into *V, *N: 1, 0 none, -1 error
 * (a block that does not decode is an error: it is never overwritten). */
static int block_get(struct hr_db *db, int64_t device, int64_t hour, struct hr_db_sample **v,
                     size_t *n)
{
    sqlite3_stmt *st;
    const char *why;
    int rc;

    if ((rc = hr_db_row(db, &st, block_get_sql, "II", hour, device)) <= 0)
        return rc;
    rc = hr_db_polls_decode(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
                            hour, v, n, &why);
    sqlite3_reset(st);
    if (rc < 0) {
        hr_db_seterr(db, "the raw polls of device %lld for the hour at %lld: %s", (long long)device,
                     (long long)hour, why);
        return -1;
    }
    return 1;
}

static int block_put(struct hr_db *db, int64_t device, int64_t hour,
                     const struct hr_db_sample *v, size_t n)
{
    unsigned char *data;
    size_t len;
    sqlite3_stmt *st;
    int rc;

    if (hr_db_polls_encode(v, n, hour, &data, &len) < 0) {
        hr_db_seterr(db, "cannot pack the raw polls of device %lld (out of memory)",
                     (long long)device);
        return -1;
    }
    if (!(st = hr_db_stmt(db, block_put_sql))) {
        free(data);
        return -1;
    }
    sqlite3_bind_int64(st, 1, hour);
    sqlite3_bind_int64(st, 2, device);
    sqlite3_bind_int64(st, 3, (int64_t)n);
    sqlite3_bind_blob(st, 4, data, (int)len, free);
    rc = hr_db_step_done(db, st);
    sqlite3_bind_null(st, 4);   /* the blob is freed now, not at the next bind */
    return rc;
}

/* Merge the polls A[0..NA) and B[0..NB) (each in time order) into OUT in
 * time order; a second present in both is A's.  The polls in OUT. */
static size_t merge(const struct hr_db_sample *a, size_t na, const struct hr_db_sample *b,
                    size_t nb, struct hr_db_sample *out)
{
    size_t i = 0, j = 0, k = 0;

    while (i < na || j < nb) {
        if (j == nb || (i < na && a[i].time <= b[j].time)) {
            if (j < nb && b[j].time == a[i].time)
                j++;
            out[k++] = a[i++];
        } else {
            out[k++] = b[j++];
        }
    }
    return k;
}

/* Pack DEVICE's polls V[0..N) (time order): one block per hour, merged
 * with the block stored for it.  The polls added, or -1. */
static int64_t pack_device(struct hr_db *db, int64_t device, const struct hr_db_sample *v,
                           size_t n)
{
    int64_t added = 0;

    for (size_t i = 0, j; i < n; i = j) {
        int64_t hour = hr_db_polls_hour(v[i].time);
        struct hr_db_sample *old = NULL, *all;
        size_t nold = 0, nall;
        int rc;

        for (j = i; j < n && hr_db_polls_hour(v[j].time) == hour; j++)
            ;
        if ((rc = block_get(db, device, hour, &old, &nold)) < 0)
            return -1;
        if (rc == 0) {
            rc = block_put(db, device, hour, v + i, j - i);
            added += (int64_t)(j - i);
        } else if (!(all = malloc((nold + j - i) * sizeof *all))) {
            hr_db_seterr(db, "out of memory");
            rc = -1;
        } else {
            nall = merge(old, nold, v + i, j - i, all);
            rc = block_put(db, device, hour, all, nall);
            added += (int64_t)(nall - nold);
            free(all);
        }
        free(old);
        if (rc < 0)
            return -1;
    }
    return added;
}

struct pack_batch {
    int64_t *devs;          /* the devices packed in this batch */
    size_t ndev;
    struct hr_db_sample *v; /* the current device's polls */
    size_t n, cap;
};

/* One batch of up to BATCH devices after *LAST, in its own transaction:
 * 1 more devices may be left, 0 none, -1 error.  *LAST moves on. */
static int pack_batch(struct hr_db *db, int64_t before, unsigned batch, int64_t *last,
                      struct pack_batch *b, int64_t *packed)
{
    sqlite3_stmt *st;
    int64_t dev = -1, d, n;
    int rc = SQLITE_DONE, more = 0;

    b->ndev = b->n = 0;
    if (hr_db_begin(db) < 0)
        return -1;
    if (!(st = hr_db_prep(db, pack_scan_sql, "II", *last, before)))
        goto fail;
    for (;;) {
        struct hr_db_sample s = { 0 };

        if ((rc = sqlite3_step(st)) != SQLITE_ROW)
            d = -1;
        else
            hr_db_sample_read(st, &s), d = sqlite3_column_int64(st, 12);
        if (d != dev && dev >= 0) {
            if ((n = pack_device(db, dev, b->v, b->n)) < 0)
                goto fail_reset;
            *packed += n;
            b->devs[b->ndev++] = dev;
            b->n = 0;
            if (b->ndev == batch && d >= 0) {
                more = 1;
                break;
            }
        }
        if (d < 0)
            break;
        dev = d;
        if (b->n == b->cap) {
            size_t ncap = b->cap ? b->cap * 2 : 64;
            struct hr_db_sample *nv = realloc(b->v, ncap * sizeof *nv);
            if (!nv) {
                hr_db_seterr(db, "out of memory");
                goto fail_reset;
            }
            b->v = nv;
            b->cap = ncap;
        }
        s.device_id = d;
        b->v[b->n++] = s;
    }
    if (hr_db_loop_end(st, more ? SQLITE_DONE : rc, 0) < 0)
        goto fail;
    /* The scan is over: now its rows may go. */
    for (size_t i = 0; i < b->ndev; i++)
        if (hr_db_run(db, hot_drop_sql, "II", b->devs[i], before) < 0)
            goto fail;
    if (b->ndev)
        *last = b->devs[b->ndev - 1];
    if (hr_db_commit(db) < 0)
        return -1;
    return more;
fail_reset:
    sqlite3_reset(st);
fail:
    hr_db_rollback(db);
    return -1;
}

int hr_db_polls_pack(struct hr_db *db, int64_t before, unsigned batch, long budget_ms,
                     int64_t *packed)
{
    struct pack_batch b = { 0 };
    double t0 = hr_mono_ms();
    int64_t last = -1, dummy;
    int rc;

    if (!packed)
        packed = &dummy;
    *packed = 0;
    before = hr_db_polls_hour(before);
    if (batch == 0)
        batch = 5000;
    if (!(b.devs = malloc(batch * sizeof *b.devs))) {
        hr_db_seterr(db, "out of memory");
        return -1;
    }
    do {
        if (budget_ms > 0 && hr_mono_ms() - t0 >= (double)budget_ms) {
            rc = 1;
            break;
        }
        rc = pack_batch(db, before, batch, &last, &b, packed);
    } while (rc == 1);
    free(b.devs);
    free(b.v);
    return rc;
}

int hr_db_polls_prune(struct hr_db *db, int64_t before, unsigned batch, int64_t *polls)
{
    sqlite3_stmt *st = hr_db_prep(db, blocks_prune_sql, "Ii",
                                  hr_db_polls_hour(before) - HR_POLLS_SPAN, (int)batch);
    int rc, blocks = 0;

    *polls = 0;
    if (!st)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        *polls += sqlite3_column_int64(st, 0);
        blocks++;
    }
    return hr_db_loop_end(st, rc, 0) < 0 ? -1 : blocks;
}

int hr_db_polls_has(struct hr_db *db, int64_t device, int64_t time)
{
    struct hr_db_sample *v;
    size_t n;
    int rc = block_get(db, device, hr_db_polls_hour(time), &v, &n), found = 0;

    if (rc <= 0)
        return rc;
    for (size_t i = 0; i < n && v[i].time <= time; i++)
        found = v[i].time == time;
    free(v);
    return found;
}

int hr_db_polls_unpack(struct hr_db *db, int64_t device, int64_t since)
{
    sqlite3_stmt *st;
    int64_t last, moved = 0;
    int rc;

    if ((rc = hr_db_row(db, &st, last_hour_sql, "")) <= 0)
        return rc;
    last = sqlite3_column_int64(st, 0);   /* NULL (no block): 0 */
    sqlite3_reset(st);
    for (int64_t hour = hr_db_polls_hour(since); hour <= last; hour += HR_POLLS_SPAN) {
        struct hr_db_sample *v;
        size_t n;

        if ((rc = block_get(db, device, hour, &v, &n)) < 0)
            return -1;
        if (rc == 0)
            continue;
        for (size_t i = 0; i < n && rc >= 0; i++) {
            v[i].device_id = device;
            rc = hr_db_sample_put(db, &v[i]);
        }
        free(v);
        if (rc < 0 || hr_db_run(db, block_drop_sql, "II", hour, device) < 0)
            return -1;
        moved += (int64_t)n;
    }
    return moved > INT32_MAX ? INT32_MAX : (int)moved;
}
