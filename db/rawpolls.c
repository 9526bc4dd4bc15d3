/* rawpolls.c: the virtual table raw_polls (polls.h): the raw polls, those
 * packed in polls and those waiting in samples, as one read-only table
 * with the columns of samples:
 *
 *   SELECT time, used FROM raw_polls WHERE device_id = ?1 AND time >= ?2
 *
 * With device_id = X, a device's blocks are looked up by key, one per
 * hour of the time range (clamped to the hours stored), and merged with
 * its rows of samples in time order (ORDER BY time costs no sort).
 * Without it, the blocks of the time range are scanned in key order, then
 * the rows of samples.  Constraints on device_id and time narrow the
 * read; SQLite checks every constraint again, so a bound that is not a
 * number only widens the read.
 */
#include "rows_int.h"
#include "polls.h"
#include "samples.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { C_DEVICE, C_TIME, C_CAP, C_USED, C_PCT, C_WRITES, C_DELTA, C_PEAK, C_PEAK_PREV,
       C_RATE, C_WINDOW, C_UPTIME, C_STATUS };

/* idxNum bits: which constraints xFilter gets, in this order. */
#define I_DEV 1
#define I_EQ 2
#define I_LO 4
#define I_LO_GT 8
#define I_HI 16
#define I_HI_LT 32

static const char hot_one_sql[] =
    "SELECT " HR_DB_SAMPLE_COLS ", device_id FROM samples"
    " WHERE device_id = ?1 AND time >= ?2 AND time <= ?3"
    " ORDER BY time";
static const char hot_all_sql[] =
    "SELECT " HR_DB_SAMPLE_COLS ", device_id FROM samples WHERE time >= ?2 AND time <= ?3";
static const char blk_one_sql[] = "SELECT data FROM polls WHERE hour = ?1 AND device_id = ?2";
static const char blk_all_sql[] =
    "SELECT data, hour, device_id FROM polls WHERE hour >= ?1 AND hour <= ?2";
static const char hours_sql[] =
    "SELECT (SELECT min(hour) FROM polls), (SELECT max(hour) FROM polls)";

struct cursor {
    sqlite3_vtab_cursor base;
    sqlite3 *db;
    sqlite3_stmt *st[5];        /* hot_one, hot_all, blk_one, blk_all, hours */
    int has_dev;
    int64_t dev, lo, hi;        /* the range, inclusive */
    /* packed: the current block, and the next hour to look up (by device) */
    sqlite3_stmt *blk;
    int64_t hour, last_hour;
    struct hr_db_sample *v;
    size_t n, i;
    int blk_done;
    /* waiting: the current row of samples */
    sqlite3_stmt *hot;
    struct hr_db_sample h;
    int hot_ok;
    /* the row */
    struct hr_db_sample cur;
    sqlite3_int64 rowid;
    int eof;
};

static const char *const sqls[5] = { hot_one_sql, hot_all_sql, blk_one_sql, blk_all_sql,
                                     hours_sql };

struct vtab {
    sqlite3_vtab base;
    sqlite3 *db;
};

static int rp_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                      sqlite3_vtab **out, char **err)
{
    struct vtab *vt;
    int rc;

    (void)aux, (void)argc, (void)argv, (void)err;
    rc = sqlite3_declare_vtab(db, "CREATE TABLE x(device_id INTEGER, time INTEGER,"
                              " capacity INTEGER, used INTEGER, used_percent INTEGER,"
                              " writes INTEGER, writes_delta INTEGER, peak INTEGER,"
                              " peak_prev INTEGER, rate_avg INTEGER, window INTEGER,"
                              " sysuptime INTEGER, status INTEGER)");
    if (rc != SQLITE_OK)
        return rc;
    if (!(vt = sqlite3_malloc(sizeof *vt)))
        return SQLITE_NOMEM;
    memset(vt, 0, sizeof *vt);
    vt->db = db;
    *out = &vt->base;
    return SQLITE_OK;
}

static int rp_disconnect(sqlite3_vtab *vt)
{
    sqlite3_free(vt);
    return SQLITE_OK;
}

static int rp_best_index(sqlite3_vtab *vt, sqlite3_index_info *ix)
{
    int use[6] = { -1, -1, -1, -1, -1, -1 }, num = 0, arg = 1;
    double cost;

    (void)vt;
    for (int i = 0; i < ix->nConstraint; i++) {
        const struct sqlite3_index_constraint *c = &ix->aConstraint[i];
        if (!c->usable)
            continue;
        if (c->iColumn == C_DEVICE && c->op == SQLITE_INDEX_CONSTRAINT_EQ && use[0] < 0)
            use[0] = i, num |= I_DEV;
        if (c->iColumn != C_TIME)
            continue;
        if (c->op == SQLITE_INDEX_CONSTRAINT_EQ && use[1] < 0)
            use[1] = i, num |= I_EQ;
        else if ((c->op == SQLITE_INDEX_CONSTRAINT_GE || c->op == SQLITE_INDEX_CONSTRAINT_GT) &&
                 use[2] < 0)
            use[2] = i, num |= I_LO | (c->op == SQLITE_INDEX_CONSTRAINT_GT ? I_LO_GT : 0);
        else if ((c->op == SQLITE_INDEX_CONSTRAINT_LE || c->op == SQLITE_INDEX_CONSTRAINT_LT) &&
                 use[3] < 0)
            use[3] = i, num |= I_HI | (c->op == SQLITE_INDEX_CONSTRAINT_LT ? I_HI_LT : 0);
    }
    if (num & I_EQ)
        num &= ~(I_LO | I_LO_GT | I_HI | I_HI_LT), use[2] = use[3] = -1;
    for (int k = 0; k < 4; k++)
        if (use[k] >= 0)
            ix->aConstraintUsage[use[k]].argvIndex = arg++;
    /* Rows: a fleet's window is hundreds of millions of polls, a
     * device's some thousands; a time bound keeps a part of it. */
    cost = (num & I_DEV) ? 1e4 : 1e9;
    if (num & I_EQ)
        cost /= 1e3;
    if (num & I_LO)
        cost /= 4;
    if (num & I_HI)
        cost /= 4;
    ix->idxNum = num;
    ix->estimatedCost = cost;
    ix->estimatedRows = (sqlite3_int64)cost;
    /* By device, the rows come in time order. */
    if ((num & I_DEV) && ix->nOrderBy == 1 && ix->aOrderBy[0].iColumn == C_TIME &&
        !ix->aOrderBy[0].desc)
        ix->orderByConsumed = 1;
    return SQLITE_OK;
}

static int rp_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out)
{
    struct cursor *c = sqlite3_malloc(sizeof *c);

    if (!c)
        return SQLITE_NOMEM;
    memset(c, 0, sizeof *c);
    c->db = ((struct vtab *)vt)->db;
    *out = &c->base;
    return SQLITE_OK;
}

static void blk_free(struct cursor *c)
{
    free(c->v);
    c->v = NULL;
    c->n = c->i = 0;
}

static int rp_close(sqlite3_vtab_cursor *cur)
{
    struct cursor *c = (struct cursor *)cur;

    for (int i = 0; i < 5; i++)
        sqlite3_finalize(c->st[i]);
    blk_free(c);
    sqlite3_free(c);
    return SQLITE_OK;
}

static int fail(struct cursor *c, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    sqlite3_free(c->base.pVtab->zErrMsg);
    c->base.pVtab->zErrMsg = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    return rc;
}

/* The cursor's statement K, prepared once, reset. */
static sqlite3_stmt *stmt(struct cursor *c, int k)
{
    if (!c->st[k]) {
        if (sqlite3_prepare_v3(c->db, sqls[k], -1, SQLITE_PREPARE_PERSISTENT, &c->st[k],
                               NULL) != SQLITE_OK)
            return NULL;
    } else {
        sqlite3_reset(c->st[k]);
    }
    return c->st[k];
}

/* Load the next block with polls in the range (or set blk_done). */
static int blk_next(struct cursor *c)
{
    while (c->i >= c->n && !c->blk_done) {
        const void *data;
        const char *why;
        int64_t hour = 0, dev = 0;
        size_t k = 0;
        int rc;

        blk_free(c);
        if (c->has_dev) {
            if (c->hour > c->last_hour) {
                c->blk_done = 1;
                break;
            }
            hour = c->hour;
            dev = c->dev;
            c->hour += HR_POLLS_SPAN;
            sqlite3_reset(c->blk);
            sqlite3_bind_int64(c->blk, 1, hour);
            sqlite3_bind_int64(c->blk, 2, dev);
        }
        rc = sqlite3_step(c->blk);
        if (rc == SQLITE_DONE) {
            if (!c->has_dev)
                c->blk_done = 1;
            continue;
        }
        if (rc != SQLITE_ROW)
            return fail(c, rc, "raw_polls: %s", sqlite3_errmsg(c->db));
        if (!c->has_dev) {
            hour = sqlite3_column_int64(c->blk, 1);
            dev = sqlite3_column_int64(c->blk, 2);
        }
        data = sqlite3_column_blob(c->blk, 0);
        if (hr_db_polls_decode(data, (size_t)sqlite3_column_bytes(c->blk, 0), hour, &c->v,
                               &c->n, &why) < 0)
            return fail(c, SQLITE_CORRUPT, "raw_polls: the block of device %lld for the hour"
                        " at %lld: %s", (long long)dev, (long long)hour, why);
        /* Only the polls in the range, each with its device. */
        for (size_t j = 0; j < c->n; j++)
            if (c->v[j].time >= c->lo && c->v[j].time <= c->hi) {
                c->v[k] = c->v[j];
                c->v[k++].device_id = dev;
            }
        c->n = k;
    }
    return SQLITE_OK;
}

static int hot_next(struct cursor *c)
{
    int rc = sqlite3_step(c->hot);

    c->hot_ok = 0;
    if (rc == SQLITE_DONE)
        return SQLITE_OK;
    if (rc != SQLITE_ROW)
        return fail(c, rc, "raw_polls: %s", sqlite3_errmsg(c->db));
    memset(&c->h, 0, sizeof c->h);
    hr_db_sample_read(c->hot, &c->h);
    c->h.device_id = sqlite3_column_int64(c->hot, 12);
    c->hot_ok = 1;
    return SQLITE_OK;
}

/* The next row: the earlier of the block's next poll and samples' next
 * row (by device, both come in time order). */
static int rp_next(sqlite3_vtab_cursor *cur)
{
    struct cursor *c = (struct cursor *)cur;
    int rc;

    if ((rc = blk_next(c)) != SQLITE_OK)
        return rc;
    if (c->i < c->n && (!c->hot_ok || c->v[c->i].time <= c->h.time)) {
        c->cur = c->v[c->i++];
    } else if (c->hot_ok) {
        c->cur = c->h;
        if ((rc = hot_next(c)) != SQLITE_OK)
            return rc;
    } else {
        c->eof = 1;
        return SQLITE_OK;
    }
    c->rowid++;
    return SQLITE_OK;
}

/* A bound from V: 0 set *OUT, 1 no row can match (NULL, or nothing in
 * range), 2 not a number (no bound).  LOWER: the least integer the
 * constraint allows, else the greatest; STRICT: > or <. */
static int bound(sqlite3_value *v, int lower, int strict, int64_t *out)
{
    sqlite3_value *d = sqlite3_value_dup(v);
    int type, rc = 0;
    double x;

    if (!d)
        return 2;
    type = sqlite3_value_numeric_type(d);
    if (type == SQLITE_NULL) {
        rc = 1;
    } else if (type == SQLITE_INTEGER) {
        int64_t i = sqlite3_value_int64(d);
        if (strict && i == (lower ? INT64_MAX : INT64_MIN))
            rc = 1;
        else
            *out = strict ? (lower ? i + 1 : i - 1) : i;
    } else if (type == SQLITE_FLOAT) {
        x = sqlite3_value_double(d);
        if (isnan(x))
            rc = 1;
        else {
            x = lower ? (strict ? floor(x) + 1 : ceil(x)) : (strict ? ceil(x) - 1 : floor(x));
            if (x >= 9.2e18)
                rc = lower ? 1 : (*out = INT64_MAX, 0);
            else if (x <= -9.2e18)
                rc = lower ? (*out = INT64_MIN, 0) : 1;
            else
                *out = (int64_t)x;
        }
    } else {
        rc = 2;
    }
    sqlite3_value_free(d);
    return rc;
}

/* V as a whole number into *OUT: 1, or 0 if it is none (NULL, 2.5, text
 * that is no number), which no integer column equals. */
static int whole(sqlite3_value *v, int64_t *out)
{
    int64_t lo, hi;

    if (bound(v, 1, 0, &lo) != 0 || bound(v, 0, 0, &hi) != 0 || lo != hi)
        return 0;
    *out = lo;
    return 1;
}

static int rp_filter(sqlite3_vtab_cursor *cur, int num, const char *s, int argc,
                     sqlite3_value **argv)
{
    struct cursor *c = (struct cursor *)cur;
    int a = 0, rc;
    int64_t first, last;
    sqlite3_stmt *st;

    (void)s, (void)argc;
    c->eof = 0;
    c->rowid = 0;
    c->hot_ok = 0;
    c->blk_done = 0;
    blk_free(c);
    c->has_dev = (num & I_DEV) != 0;
    c->lo = INT64_MIN;
    c->hi = INT64_MAX;
    rc = 0;
    if (c->has_dev && !whole(argv[a++], &c->dev))
        rc = 1;
    if (num & I_EQ) {
        if (whole(argv[a++], &c->lo))
            c->hi = c->lo;
        else
            rc = 1;
    }
    if (num & I_LO)
        rc |= bound(argv[a++], 1, (num & I_LO_GT) != 0, &c->lo) == 1;
    if (num & I_HI)
        rc |= bound(argv[a++], 0, (num & I_HI_LT) != 0, &c->hi) == 1;
    if (rc || c->lo > c->hi) {
        c->eof = 1;
        return SQLITE_OK;
    }
    /* The hours stored: the range is clamped to them before it is
     * walked an hour at a time. */
    if (!(st = stmt(c, 4)))
        return fail(c, SQLITE_ERROR, "raw_polls: %s", sqlite3_errmsg(c->db));
    if ((rc = sqlite3_step(st)) != SQLITE_ROW)
        return fail(c, rc, "raw_polls: %s", sqlite3_errmsg(c->db));
    if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
        c->blk_done = 1;
        first = last = 0;
    } else {
        first = sqlite3_column_int64(st, 0);
        last = sqlite3_column_int64(st, 1);
        if (c->lo > first)
            first = hr_db_polls_hour(c->lo);
        if (c->hi < last)
            last = hr_db_polls_hour(c->hi);
        c->blk_done = first > last;
    }
    sqlite3_reset(st);
    c->hour = first;
    c->last_hour = last;
    if (!(c->blk = stmt(c, c->has_dev ? 2 : 3)) || !(c->hot = stmt(c, c->has_dev ? 0 : 1)))
        return fail(c, SQLITE_ERROR, "raw_polls: %s", sqlite3_errmsg(c->db));
    if (!c->has_dev) {
        sqlite3_bind_int64(c->blk, 1, first);
        sqlite3_bind_int64(c->blk, 2, last);
    } else {
        sqlite3_bind_int64(c->hot, 1, c->dev);
    }
    sqlite3_bind_int64(c->hot, 2, c->lo);
    sqlite3_bind_int64(c->hot, 3, c->hi);
    if ((rc = hot_next(c)) != SQLITE_OK)
        return rc;
    return rp_next(cur);
}

static int rp_eof(sqlite3_vtab_cursor *cur)
{
    return ((struct cursor *)cur)->eof;
}

static int rp_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
    const struct hr_db_sample *s = &((struct cursor *)cur)->cur;
    static const unsigned bit[] = {
        [C_CAP] = HR_DB_S_CAPACITY, [C_USED] = HR_DB_S_USED, [C_PCT] = HR_DB_S_USED_PCT,
        [C_WRITES] = HR_DB_S_WRITES, [C_DELTA] = HR_DB_S_DELTA, [C_PEAK] = HR_DB_S_PEAK,
        [C_PEAK_PREV] = HR_DB_S_PEAK_PREV, [C_RATE] = HR_DB_S_RATE_AVG,
        [C_WINDOW] = HR_DB_S_WINDOW, [C_UPTIME] = HR_DB_S_UPTIME,
    };
    int64_t v;

    if (col >= C_CAP && col < C_STATUS && !(s->known & bit[col])) {
        sqlite3_result_null(ctx);
        return SQLITE_OK;
    }
    switch (col) {
    case C_DEVICE: v = s->device_id; break;
    case C_TIME: v = s->time; break;
    case C_CAP: v = (int64_t)s->capacity; break;
    case C_USED: v = (int64_t)s->used; break;
    case C_PCT: v = s->used_percent; break;
    case C_WRITES: v = (int64_t)s->writes; break;
    case C_DELTA: v = (int64_t)s->writes_delta; break;
    case C_PEAK: v = s->peak; break;
    case C_PEAK_PREV: v = s->peak_prev; break;
    case C_RATE: v = s->rate_avg; break;
    case C_WINDOW: v = s->window; break;
    case C_UPTIME: v = s->sysuptime; break;
    default: v = s->status; break;
    }
    sqlite3_result_int64(ctx, v);
    return SQLITE_OK;
}

static int rp_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
    *rowid = ((struct cursor *)cur)->rowid;
    return SQLITE_OK;
}

static const sqlite3_module rawpolls_module = {
    .iVersion = 0,
    .xCreate = NULL,    /* eponymous only: SELECT ... FROM raw_polls */
    .xConnect = rp_connect,
    .xBestIndex = rp_best_index,
    .xDisconnect = rp_disconnect,
    .xOpen = rp_open,
    .xClose = rp_close,
    .xFilter = rp_filter,
    .xNext = rp_next,
    .xEof = rp_eof,
    .xColumn = rp_column,
    .xRowid = rp_rowid,
};

int hr_db_rawpolls_register(sqlite3 *sq)
{
    return sqlite3_create_module(sq, "raw_polls", &rawpolls_module, NULL) == SQLITE_OK ? 0 : -1;
}
