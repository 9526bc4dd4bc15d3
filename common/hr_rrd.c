/* hr_rrd.c: the only file in headroom that calls librrd; see hr_rrd.h. */
#include "hr_rrd.h"
#include "hr_buf.h"
#include "hr_rrdc.h"
#include "hr_util.h"

#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <png.h>
#include <rrd.h>
#include <rrd_client.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const hr_rrd_ds_names[HR_RRD_NDS] = {
    "capacity", "used", "peak", "writes", "rate_avg",
};

/* Heartbeat three steps: one missed cycle (a slow or briefly dead
 * device) does not punch a hole; a longer outage is unknown. */
/* Not "const char *const": librrd takes "const char **". */
static const char *create_args[] = {
    "DS:capacity:GAUGE:900:0:U",
    "DS:used:GAUGE:900:0:U",
    "DS:peak:GAUGE:900:0:U",
    "DS:writes:DERIVE:900:0:U",
    "DS:rate_avg:GAUGE:900:0:U",
    "RRA:AVERAGE:0.5:1:576",      /* 5 min x 2 days */
    "RRA:AVERAGE:0.5:6:672",      /* 30 min x 2 weeks */
    "RRA:AVERAGE:0.5:24:732",     /* 2 h x 61 days */
    "RRA:AVERAGE:0.5:288:1826",   /* 1 day x 5 years */
    "RRA:MAX:0.5:1:576",
    "RRA:MAX:0.5:6:672",
    "RRA:MAX:0.5:24:732",
    "RRA:MAX:0.5:288:1826",
};

#define NAME_MAX_ENC 120

static uint64_t fnv1a64(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ull;
    }
    return h;
}

/* Escape S into BUF (at least NAME_MAX_ENC + 1 bytes); returns 1 if S
 * did not fit and was cut. */
static int encode(const char *s, char *buf)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        int plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                    (c >= '0' && c <= '9') || c == '-' ||
                    ((c == '.' || c == '_') && p != s);
        size_t need = plain ? 1 : 3;
        if (o + need > NAME_MAX_ENC - 17) {
            buf[o] = '\0';
            return 1;
        }
        if (plain) {
            buf[o++] = (char)c;
        } else {
            buf[o++] = '%';
            buf[o++] = hex[c >> 4];
            buf[o++] = hex[c & 15];
        }
    }
    buf[o] = '\0';
    return 0;
}

static int finish_name(const char *prefix, const char *raw, char *buf, size_t bufsz)
{
    char enc[NAME_MAX_ENC + 1];
    int n;

    if (!*raw)
        return -1;
    if (encode(raw, enc))
        n = snprintf(buf, bufsz, "%s%s~%016" PRIx64 ".rrd", prefix, enc, fnv1a64(raw));
    else
        n = snprintf(buf, bufsz, "%s%s.rrd", prefix, enc);
    return n < 0 || (size_t)n >= bufsz ? -1 : 0;
}

int hr_rrd_filename(const char *serial, char *buf, size_t bufsz)
{
    return finish_name("", serial, buf, bufsz);
}

int hr_rrd_filename_noserial(int64_t target_id, const char *name, char *buf, size_t bufsz)
{
    char prefix[32];

    snprintf(prefix, sizeof prefix, "_t%" PRId64 "_", target_id);
    return finish_name(prefix, *name ? name : "unnamed", buf, bufsz);
}

/* librrd keeps its error per thread; copy it out and clear it. */
static void rrd_err(char *err, size_t errlen, const char *what)
{
    const char *e = rrd_get_error();
    snprintf(err, errlen, "%s: %s", what, e && *e ? e : "unknown librrd error");
    rrd_clear_error();
}

/* While rrdcached is unreachable, try to connect again at most this
 * often: connect() blocks, and a cycle has an update per device. */
#define RECONNECT_S 5
/* A batch is sent when its commands reach this size, or at hr_rrd_sync. */
#define BATCH_BYTES (256 * 1024)
/* rrdcached answers a batch in milliseconds; this long without an answer
 * and it is taken for lost. */
#define IO_TIMEOUT_S 10

/* An update waiting in the batch: its command line in W->cmds and what it
 * takes to create the file and send it again. */
struct pend {
    size_t off, len;
    int64_t t;
    int state;                /* PEND_* once the batch is answered */
    char file[NAME_MAX_ENC + 48];
};
enum { PEND_OK, PEND_SKIP, PEND_MISSING, PEND_FAIL };

struct hr_rrd {
    char dir[PATH_MAX];
    char *daemon;
    /* rrdcached only: */
    char sdir[PATH_MAX];      /* DIR as rrdcached must read it */
    struct hr_rrdc *conn;     /* our connection for batches; NULL while lost */
    int one_by_one;           /* this connection refused BATCH: one update at a time */
    int one_by_one_logged;    /* and that was logged (once per writer) */
    int down;                 /* the connection is lost and was logged so */
    time_t next_try;          /* CLOCK_MONOTONIC seconds of the next connect */
    struct hr_buf cmds;       /* the batch being filled */
    struct pend *pend;
    size_t npend, cappend;
    struct hr_rrd_tally tally;
    hr_rrd_err_fn *on_err;
    void *on_err_ctx;
};

static void send_pending(struct hr_rrd *w);

static time_t mono_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

static void report(struct hr_rrd *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(struct hr_rrd *w, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (w->on_err)
        w->on_err(w->on_err_ctx, msg);
    else
        hr_log(LOG_ERR, "rrd: %s", msg);
}

/* The connection broke or cannot be made: say so once, not per update. */
static void daemon_lost(struct hr_rrd *w, const char *why)
{
    hr_rrdc_close(w->conn);
    w->conn = NULL;
    if (!w->down)
        hr_log(LOG_ERR, "rrdcached %s: connection lost (%s); RRD updates are skipped "
               "until it is back (retried every %d s)", w->daemon, why, RECONNECT_S);
    w->down = 1;
    w->next_try = mono_now() + RECONNECT_S;
}

/* Connected, or connected again now (at most every RECONNECT_S while the
 * daemon stays away, or at once when FORCE): 0, or -1 (lost, logged). */
static int daemon_ready(struct hr_rrd *w, int force)
{
    char err[256];

    if (w->conn)
        return 0;
    if (w->down && !force && mono_now() < w->next_try)
        return -1;
    w->conn = hr_rrdc_open(w->daemon, IO_TIMEOUT_S, err, sizeof err);
    if (!w->conn) {
        daemon_lost(w, err);
        return -1;
    }
    w->one_by_one = 0;   /* a restarted rrdcached may take BATCH again */
    if (w->down)
        hr_log(LOG_NOTICE, "rrdcached %s: reconnected; RRD updates resume", w->daemon);
    w->down = 0;
    return 0;
}

struct hr_rrd *hr_rrd_new(const char *dir, const char *daemon, char *err, size_t errlen)
{
    struct hr_rrd *w = calloc(1, sizeof *w);
    char cerr[256];

    if (!w) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (hr_strlcpy(w->dir, dir, sizeof w->dir) >= sizeof w->dir - NAME_MAX_ENC - 40) {
        snprintf(err, errlen, "%s: path too long", dir);
        goto out_free;
    }
    if (hr_mkdirs(dir, 0755) < 0) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        goto out_free;
    }
    if (!daemon || !*daemon)
        return w;
    if (!(w->daemon = strdup(daemon))) {
        snprintf(err, errlen, "out of memory");
        goto out_free;
    }
    /* What librrd's client would send: through a local socket the real
     * path (so that rrdtool's own --daemon flush names the same file);
     * over TCP a path relative to rrdcached's -b directory, as librrd
     * refuses absolute ones there. */
    if (hr_rrdc_is_local(daemon)) {
        if (!realpath(dir, w->sdir)) {
            snprintf(err, errlen, "%s: %s", dir, strerror(errno));
            goto out_free;
        }
    } else if (dir[0] == '/') {
        snprintf(err, errlen, "rrdcached %s is reached over TCP and takes file names "
                 "relative to its -b directory: the RRD directory must be a relative path, "
                 "not %s", daemon, dir);
        goto out_free;
    } else {
        hr_strlcpy(w->sdir, dir, sizeof w->sdir);
    }
    w->conn = hr_rrdc_open(daemon, IO_TIMEOUT_S, cerr, sizeof cerr);
    if (!w->conn) {
        snprintf(err, errlen, "rrdcached %s: cannot connect: %s", daemon, cerr);
        goto out_free;
    }
    return w;

out_free:
    free(w->daemon);
    free(w);
    return NULL;
}

void hr_rrd_free(struct hr_rrd *w)
{
    if (!w)
        return;
    if (w->daemon) {
        if (w->npend)
            send_pending(w);
        hr_rrdc_close(w->conn);
        rrdc_disconnect();
    }
    hr_buf_free(&w->cmds);
    free(w->pend);
    free(w->daemon);
    free(w);
}

const char *hr_rrd_daemon(const struct hr_rrd *w)
{
    return w->daemon;
}

void hr_rrd_on_error(struct hr_rrd *w, hr_rrd_err_fn *fn, void *ctx)
{
    w->on_err = fn;
    w->on_err_ctx = ctx;
}

static int create_file(struct hr_rrd *w, const char *path, int64_t t, char *err, size_t errlen)
{
    int rc;

    char tmp[PATH_MAX + 32];

    rrd_clear_error();
    if (w->daemon) {
        /* librrd's own connection: files are created seldom, and its
         * client holds the CREATE syntax. */
        if (!rrdc_is_connected(w->daemon) && rrdc_connect(w->daemon) != 0) {
            rrd_err(err, errlen, w->daemon);
            return -1;
        }
        rc = rrdc_create(path, HR_RRD_STEP, (time_t)(t - 1), 1,
                         (int)HR_ARRAY_LEN(create_args), create_args);
        if (rc != 0 && !rrdc_is_connected(w->daemon)) {
            /* librrd never reconnects after a failed request: once more */
            rrd_clear_error();
            if (rrdc_connect(w->daemon) == 0)
                rc = rrdc_create(path, HR_RRD_STEP, (time_t)(t - 1), 1,
                                 (int)HR_ARRAY_LEN(create_args), create_args);
        }
    } else {
        /* Create under a temporary name and rename into place, so that a
         * process killed in the middle never leaves a truncated file that
         * every later update would trip over. */
        snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
        unlink(tmp);
        rc = rrd_create_r2(tmp, HR_RRD_STEP, (time_t)(t - 1), 1, NULL, NULL,
                           (int)HR_ARRAY_LEN(create_args), create_args);
        if (rc == 0 && link(tmp, path) < 0 && errno != EEXIST) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            unlink(tmp);
            return -1;
        }
        unlink(tmp);
    }
    if (rc != 0) {
        /* Another writer may have created it in between: fine. */
        struct stat st;
        if (stat(path, &st) == 0) {
            rrd_clear_error();
            return 0;
        }
        rrd_err(err, errlen, "create");
        return -1;
    }
    return 0;
}

static void fmt_value(char *o, size_t sz, int known, uint64_t v)
{
    if (known)
        snprintf(o, sz, ":%" PRIu64, v);
    else
        snprintf(o, sz, ":U");
}

/* rrdcached refuses a time not after the file's last one; a cycle re-run
 * after a crash does that, and it is not an error. */
static int is_not_newer(const char *e)
{
    return e && (strstr(e, "illegal attempt to update") || strstr(e, "minimum one second"));
}

/* A direct update of PATH: 0 done, 1 skipped (not newer), -1 failed
 * (librrd's error left in place). */
static int update_direct(const char *path, const char *val)
{
    const char *argv[1] = { val };

    rrd_clear_error();
    /* RRD_SKIP_PAST_UPDATES: an update not newer than the last is
     * dropped silently instead of failing (idempotent re-runs). */
    return rrd_updatex_r(path, NULL, RRD_SKIP_PAST_UPDATES, 1, argv) == 0 ? 0 : -1;
}

/* ---- updates through rrdcached, in batches ---- */

/* rrdcached's error for command IDX of a batch. */
static void on_batch_err(void *ctx, size_t idx, const char *msg)
{
    struct hr_rrd *w = ctx;
    struct pend *p = &w->pend[idx];

    if (is_not_newer(msg)) {
        p->state = PEND_SKIP;
    } else if (strncmp(msg, "No such file", 12) == 0) {
        p->state = PEND_MISSING;
    } else {
        p->state = PEND_FAIL;
        report(w, "%s/%s: rrdcached: %s", w->dir, p->file, msg);
    }
}

/* Without BATCH: each update on its own, its answer read before the next
 * one.  0, or -1 with ERR (connection broken). */
static int send_each(struct hr_rrd *w, char *err, size_t errlen)
{
    char msg[1024];

    for (size_t i = 0; i < w->npend; i++) {
        int rc = hr_rrdc_command(w->conn, w->cmds.p + w->pend[i].off, w->pend[i].len,
                                 msg, sizeof msg, err, errlen);
        if (rc < 0)
            return -1;
        if (rc > 0)
            on_batch_err(w, i, msg);
    }
    return 0;
}

/* Send the batch and learn each update's fate.  A batch that fails on a
 * connection that was fine is sent once more on a new one at once (the
 * daemon restarted between two cycles, say: a command applied before the
 * break is then refused as not newer, and counts as skipped).  0, or -1
 * when rrdcached cannot be reached (logged once by daemon_lost). */
static int exchange(struct hr_rrd *w)
{
    char err[256];

    for (int attempt = 0; attempt < 2; attempt++) {
        int rc;

        if (daemon_ready(w, attempt > 0) < 0)
            return -1;
        for (size_t i = 0; i < w->npend; i++)
            w->pend[i].state = PEND_OK;
        rc = HR_RRDC_REFUSED;
        if (!w->one_by_one)
            rc = hr_rrdc_batch(w->conn, w->cmds.p, w->cmds.len, w->npend, on_batch_err, w,
                               err, sizeof err);
        if (rc == HR_RRDC_REFUSED) {
            if (!w->one_by_one_logged)
                hr_log(LOG_NOTICE, "rrdcached %s: %s (its -P list?): RRD updates are sent "
                       "one at a time, which costs more CPU", w->daemon, err);
            w->one_by_one = w->one_by_one_logged = 1;
            rc = send_each(w, err, sizeof err);
        }
        if (rc == 0)
            return 0;
        hr_rrdc_close(w->conn);
        w->conn = NULL;
    }
    daemon_lost(w, err);
    return -1;
}

/* Send what is queued and count the outcomes.  An update whose file does
 * not exist yet has the file created (through librrd) and is sent again in
 * a second batch. */
static void send_pending(struct hr_rrd *w)
{
    char path[PATH_MAX + NAME_MAX_ENC + 48], err[512];

    for (int pass = 0; pass < 2 && w->npend; pass++) {
        size_t keep = 0, len = 0;

        if (exchange(w) < 0) {
            w->tally.down += w->npend;
            break;
        }
        for (size_t i = 0; i < w->npend; i++) {
            struct pend *p = &w->pend[i];

            switch (p->state) {
            case PEND_OK:
                w->tally.updated++;
                break;
            case PEND_SKIP:
                w->tally.skipped++;
                break;
            case PEND_FAIL:
                w->tally.failed++;
                break;
            default:
                snprintf(path, sizeof path, "%s/%s", w->dir, p->file);
                if (pass > 0) {
                    w->tally.failed++;
                    report(w, "%s: rrdcached still finds no such file after creating it", path);
                } else if (create_file(w, path, p->t, err, sizeof err) < 0) {
                    w->tally.failed++;
                    report(w, "%s: %s", path, err);
                } else {
                    /* keep it for the next pass: lines move only forward */
                    memmove(w->cmds.p + len, w->cmds.p + p->off, p->len);
                    p->off = len;
                    len += p->len;
                    w->pend[keep++] = *p;
                }
            }
        }
        w->npend = keep;
        w->cmds.len = len;
    }
    w->npend = 0;
    w->cmds.len = 0;
}

static int queue_update(struct hr_rrd *w, const char *file, int64_t t, const char *val,
                        char *err, size_t errlen)
{
    char path[PATH_MAX + NAME_MAX_ENC + 48];
    struct pend *p;

    if (hr_array_grow(&w->pend, &w->cappend, w->npend + 1, sizeof *w->pend) < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(path, sizeof path, "%s/%s", w->sdir, file);
    p = &w->pend[w->npend];
    p->off = w->cmds.len;
    hr_buf_add(&w->cmds, "UPDATE", 6);
    hr_rrdc_field(&w->cmds, path);
    hr_rrdc_field(&w->cmds, val);
    hr_buf_add(&w->cmds, "\n", 1);
    if (w->cmds.oom) {
        /* the whole batch is lost with its buffer: say so, count it */
        report(w, "out of memory: %zu RRD updates dropped", w->npend + 1);
        w->tally.failed += w->npend + 1;
        hr_buf_free(&w->cmds);
        w->npend = 0;
        return HR_RRD_QUEUED;
    }
    p->len = w->cmds.len - p->off;
    p->t = t;
    hr_strlcpy(p->file, file, sizeof p->file);
    w->npend++;
    if (w->cmds.len >= BATCH_BYTES)
        send_pending(w);
    return HR_RRD_QUEUED;
}

int hr_rrd_sync(struct hr_rrd *w, struct hr_rrd_tally *t)
{
    if (w->npend)
        send_pending(w);
    *t = w->tally;
    memset(&w->tally, 0, sizeof w->tally);
    return t->failed || t->down ? -1 : 0;
}

int hr_rrd_update(struct hr_rrd *w, const char *file, const struct hr_rrd_sample *s,
                  char *err, size_t errlen)
{
    char path[PATH_MAX], val[256];
    uint64_t v[HR_RRD_NDS] = { s->capacity, s->used, s->peak, s->writes, s->rate_avg };
    struct stat st;
    int rc;

    if (!file || !*file || strchr(file, '/') || file[0] == '.' ||
        strlen(file) >= sizeof w->pend->file) {
        snprintf(err, errlen, "bad RRD file name");
        return -1;
    }
    snprintf(val, sizeof val, "%" PRId64, s->time);
    for (int i = 0; i < HR_RRD_NDS; i++)
        fmt_value(val + strlen(val), sizeof val - strlen(val), s->known & (1u << i), v[i]);
    if (w->daemon)
        return queue_update(w, file, s->time, val, err, errlen);
    if (snprintf(path, sizeof path, "%s/%s", w->dir, file) >= (int)sizeof path) {
        snprintf(err, errlen, "RRD path too long");
        return -1;
    }
    /* The file almost always exists: try the update first and look for
     * the file only when it fails (one system call less per update). */
    rc = update_direct(path, val);
    if (rc >= 0)
        return rc;
    if (stat(path, &st) == 0 || errno != ENOENT) {
        rrd_err(err, errlen, path);
        return -1;
    }
    rrd_clear_error();
    if (create_file(w, path, s->time, err, errlen) < 0)
        return -1;
    rc = update_direct(path, val);
    if (rc < 0)
        rrd_err(err, errlen, path);
    return rc;
}

int hr_rrd_flush(struct hr_rrd *w, const char *file)
{
    char path[PATH_MAX];

    if (!w->daemon)
        return 0;
    if (snprintf(path, sizeof path, "%s/%s", w->dir, file) >= (int)sizeof path)
        return -1;
    /* the file's queued update first; its outcome stays in the tally */
    if (w->npend)
        send_pending(w);
    if (!rrdc_is_connected(w->daemon) && rrdc_connect(w->daemon) != 0)
        return -1;
    return rrdc_flush(path) == 0 ? 0 : -1;
}

int hr_rrd_fetch(const char *path, const char *daemon, const char *cf, time_t start,
                 time_t end, unsigned long step, struct hr_rrd_series *out,
                 char *err, size_t errlen)
{
    rrd_value_t *data = NULL;
    char **names = NULL;
    unsigned long nds = 0;
    time_t s = start, e = end;
    unsigned long st = step ? step : 1;

    memset(out, 0, sizeof *out);
    rrd_clear_error();
    if (daemon && *daemon && rrdc_flush_if_daemon(daemon, path) != 0) {
        rrd_err(err, errlen, daemon);
        return -1;
    }
    if (rrd_fetch_r(path, cf, &s, &e, &st, &nds, &names, &data) != 0) {
        rrd_err(err, errlen, path);
        return -1;
    }
    out->start = s;
    out->end = e;
    out->step = st;
    out->nds = nds;
    out->nrows = st ? (unsigned long)((e - s) / (time_t)st) : 0;
    out->names = names;
    out->data = data;
    /* rrd_fetch_r's rows start one step after START. */
    out->start = s + (time_t)st;
    return 0;
}

void hr_rrd_series_free(struct hr_rrd_series *s)
{
    if (!s)
        return;
    for (unsigned long i = 0; s->names && i < s->nds; i++)
        rrd_freemem(s->names[i]);
    rrd_freemem(s->names);
    rrd_freemem(s->data);
    memset(s, 0, sizeof *s);
}

int64_t hr_rrd_last(const char *path, char *err, size_t errlen)
{
    time_t t;

    rrd_clear_error();
    t = rrd_last_r(path);
    if (t == (time_t)-1) {
        rrd_err(err, errlen, path);
        return -1;
    }
    return (int64_t)t;
}

int hr_rrd_covers(const char *path, int64_t t)
{
    struct hr_rrd_series s;
    char err[256];
    int known = 0;

    if (access(path, R_OK) != 0 ||
        hr_rrd_fetch(path, NULL, "AVERAGE", (time_t)t, (time_t)t + 2 * 86400, 7200, &s,
                     err, sizeof err) < 0)
        return 0;
    for (unsigned long r = 0; r < s.nrows && !known; r++)
        known = !isnan(s.data[r * s.nds + HR_RRD_DS_USED]);
    hr_rrd_series_free(&s);
    return known;
}

/* ---- graphs ------------------------------------------------------------------- */

/* The PNG encoder's settings.  rrd_graph hands its picture to cairo, and
 * cairo has libpng write it with libpng's defaults: every row tried
 * against all five filters, then zlib at level 6.  For a usage graph that
 * is about 60 % of its time (flat colours and text; the drawing itself is
 * the rest), and librrd and cairo offer no way to ask for less.  So the
 * write struct gets cheaper settings as libpng makes it: this
 * png_create_write_struct, exported from the executable (RRD_LIBS in the
 * Makefile: -Wl,--export-dynamic-symbol), comes before libpng's in the
 * dynamic symbol lookup and calls libpng's through dlsym(RTLD_NEXT).
 * Filter "none" and zlib level 2 make a graph in about 40 % of the time,
 * about a sixth larger (21 kB against 18 kB for a proposal graph).  The
 * picture is the same pixels: PNG is lossless.  Nothing else in headroom
 * writes PNG.  A program that does not export it simply keeps libpng's
 * defaults (tests/propose/test_graph.c checks that headroom's do not). */
#define PNG_ZLIB_LEVEL 2

png_structp png_create_write_struct(png_const_charp ver, png_voidp error_ptr,
                                    png_error_ptr error_fn, png_error_ptr warn_fn)
{
    static png_structp (*next)(png_const_charp, png_voidp, png_error_ptr, png_error_ptr);
    png_structp p;

    if (!next)
        *(void **)&next = dlsym(RTLD_NEXT, "png_create_write_struct");
    if (!next)
        return NULL;
    p = next(ver, error_ptr, error_fn, warn_fn);
    if (p) {
        png_set_filter(p, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
        png_set_compression_level(p, PNG_ZLIB_LEVEL);
    }
    return p;
}

/* rrdtool's DEF syntax separates fields with ':'; a path holding one must
 * escape it. */
static int def_path(char *o, size_t sz, const char *path)
{
    size_t n = 0;

    for (; *path; path++) {
        if (n + 3 >= sz)
            return -1;
        if (*path == ':' || *path == '\\')
            o[n++] = '\\';
        o[n++] = *path;
    }
    o[n] = '\0';
    return 0;
}

#define GRAPH_MAX_ARGS 64

struct argv_buf {
    char *v[GRAPH_MAX_ARGS];
    int n;
    int oom;
};

static void arg_add(struct argv_buf *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void arg_add(struct argv_buf *a, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;

    if (a->n >= GRAPH_MAX_ARGS - 1) {
        a->oom = 1;
        return;
    }
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0) {
        s = NULL;
        a->oom = 1;
    }
    va_end(ap);
    if (s)
        a->v[a->n++] = s;
}

/* The arguments every graph starts with: output ("-" = into memory), PNG,
 * time range, size, y from 0, a sanitized title, rrdcached. */
static void graph_head(struct argv_buf *a, const char *out, int64_t start, int64_t end,
                       unsigned width, unsigned height, const char *title, const char *daemon)
{
    char t[256];

    arg_add(a, "graph");
    arg_add(a, "%s", out ? out : "-");
    arg_add(a, "--imgformat=PNG");
    arg_add(a, "--start=%" PRId64, start);
    arg_add(a, "--end=%" PRId64, end);
    arg_add(a, "--width=%u", width);
    arg_add(a, "--height=%u", height);
    arg_add(a, "--lower-limit=0");
    if (title) {
        hr_sanitize(t, sizeof t, title, strlen(title));
        arg_add(a, "--title=%s", t);
    }
    if (daemon && *daemon)
        arg_add(a, "--daemon=%s", daemon);
}

/* The PRINT lines of usage_defs: print[0] the last used, print[1] its
 * time, print[2] the capacity then. */
static void drawn_read(const rrd_info_t *info, struct hr_rrd_drawn *d)
{
    d->used = d->capacity = NAN;
    d->time = 0;
    for (const rrd_info_t *i = info; i; i = i->next) {
        char *end;
        double v;
        if (i->type != RD_I_STR || strncmp(i->key, "print[", 6) != 0)
            continue;
        errno = 0;
        v = strtod(i->value.u_str, &end);
        if (end == i->value.u_str || *end || errno)
            continue;
        if (strcmp(i->key, "print[0]") == 0)
            d->used = v;
        else if (strcmp(i->key, "print[1]") == 0 && v > 0 && v < 1e12)
            d->time = (int64_t)v;
        else if (strcmp(i->key, "print[2]") == 0)
            d->capacity = v;
    }
    if (isnan(d->used))
        d->time = 0;
}

/* Run rrd_graph on A and free A's strings.  With PNG non-NULL the image
 * comes back in a malloc'd *PNG of *PNGLEN bytes (A's output was "-").
 * 0, or -1 with ERR. */
static int graph_run(struct argv_buf *a, unsigned char **png, size_t *pnglen,
                     struct hr_rrd_drawn *drawn, char *err, size_t errlen)
{
    char *vcopy[GRAPH_MAX_ARGS];
    rrd_info_t *info;
    int rc = -1;

    if (a->oom) {
        snprintf(err, errlen, "graph: out of memory");
        goto out_free;
    }
    /* librrd's option parser reorders the vector it is given: hand it a
     * copy and free the strings from ours. */
    memcpy(vcopy, a->v, sizeof vcopy);
    optind = 0;
    rrd_clear_error();
    info = rrd_graph_v(a->n, vcopy);
    if (!info) {
        rrd_err(err, errlen, "graph");
        goto out_free;
    }
    if (drawn)
        drawn_read(info, drawn);
    if (!png) {
        rc = 0;
    } else {
        for (rrd_info_t *i = info; i; i = i->next)
            if (strcmp(i->key, "image") == 0 && i->type == RD_I_BLO && !*png) {
                *png = malloc(i->value.u_blo.size);
                if (*png) {
                    memcpy(*png, i->value.u_blo.ptr, i->value.u_blo.size);
                    *pnglen = i->value.u_blo.size;
                    rc = 0;
                }
            }
        if (rc < 0)
            snprintf(err, errlen, "graph: librrd returned no image");
    }
    rrd_info_free(info);
out_free:
    for (int k = 0; k < a->n; k++)
        free(a->v[k]);
    a->n = 0;
    return rc;
}

/* ---- reports: an RRD built from history rows (owner: reports) ------------- */

static void build_value(char *o, size_t sz, double v)
{
    if (isnan(v) || v < 0)
        snprintf(o, sz, ":U");
    else
        snprintf(o, sz, ":%.17g", v);
}

/* The rrdtool arguments that describe the file: the device layout's data
 * sources (so the usage graph's DEFs apply unchanged) with a heartbeat of
 * three steps, one archive of each kind as long as the data. */
static int build_create(const char *path, unsigned long step, time_t first,
                        unsigned long rows, char *err, size_t errlen)
{
    char ds[HR_RRD_NDS][64], rra[2][64];
    const char *args[HR_RRD_NDS + 2];
    int n = 0;

    for (int i = 0; i < HR_RRD_NDS; i++) {
        snprintf(ds[i], sizeof ds[i], "DS:%s:%s:%lu:0:U", hr_rrd_ds_names[i],
                 i == HR_RRD_DS_WRITES ? "DERIVE" : "GAUGE", step * 3);
        args[n++] = ds[i];
    }
    snprintf(rra[0], sizeof rra[0], "RRA:AVERAGE:0.5:1:%lu", rows);
    snprintf(rra[1], sizeof rra[1], "RRA:MAX:0.5:1:%lu", rows);
    args[n++] = rra[0];
    args[n++] = rra[1];
    unlink(path);
    rrd_clear_error();
    if (rrd_create_r2(path, step, first, 0, NULL, NULL, n, args) != 0) {
        rrd_err(err, errlen, "create");
        return -1;
    }
    return 0;
}

int hr_rrd_build(const char *path, unsigned long step, const struct hr_sample *p,
                 size_t n, char *err, size_t errlen)
{
    const char **argv = NULL;
    char *vals = NULL;
    const size_t vsz = 160;
    int64_t last = INT64_MIN, first, lastp;
    size_t k = 0;
    int rc = -1;

    if (!path || !p || n == 0 || step == 0 || step > 86400 * 7) {
        snprintf(err, errlen, "rrd build: bad arguments");
        return -1;
    }
    /* The step holding time t is (floor(t/step)*step, +step]: the update
     * goes at the end of that interval. */
    first = (p[0].t / (int64_t)step) * (int64_t)step;
    lastp = (p[n - 1].t / (int64_t)step + 1) * (int64_t)step;
    if (lastp <= first || (uint64_t)(lastp - first) / step > 100000) {
        snprintf(err, errlen, "rrd build: rows out of order or span too long");
        return -1;
    }
    argv = calloc(n, sizeof *argv);
    vals = malloc(n * vsz);
    if (!argv || !vals) {
        snprintf(err, errlen, "out of memory");
        goto out_free;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t t = (p[i].t / (int64_t)step + 1) * (int64_t)step;
        char *o = vals + k * vsz;
        if (t <= last || t <= first)
            continue;
        last = t;
        snprintf(o, vsz, "%" PRId64, t);
        build_value(o + strlen(o), vsz - strlen(o), p[i].capacity);
        build_value(o + strlen(o), vsz - strlen(o), p[i].used);
        build_value(o + strlen(o), vsz - strlen(o), p[i].peak);
        snprintf(o + strlen(o), vsz - strlen(o), ":U");
        build_value(o + strlen(o), vsz - strlen(o), p[i].rate_avg);
        argv[k++] = o;
    }
    if (build_create(path, step, (time_t)first, (unsigned long)((lastp - first) / (int64_t)step) + 2,
                     err, errlen) < 0)
        goto out_free;
    rrd_clear_error();
    if (k && rrd_update_r(path, NULL, (int)k, argv) != 0) {
        rrd_err(err, errlen, path);
        unlink(path);
        goto out_free;
    }
    rc = 0;
out_free:
    free(argv);
    free(vals);
    return rc;
}
/* ---- end reports ---------------------------------------------------------- */

/* ---- the proposal graph (hr_rrd_graph_usage) ---------------------------------- */

/* Samples imported from CSV never reach an RRD file; put the daily rows
 * into a temporary one so that rrd_graph draws them like any other
 * history. */
static int temp_rrd(const struct hr_rrd_usage_graph *g, char *dir, size_t dirsz,
                    char *path, size_t pathsz, char *err, size_t errlen)
{
    const char *tmpdir = getenv("TMPDIR");

    snprintf(dir, dirsz, "%s/headroom-graph.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(dir)) {
        snprintf(err, errlen, "graph: temporary directory: %s", strerror(errno));
        dir[0] = '\0';
        return -1;
    }
    snprintf(path, pathsz, "%s/history.rrd", dir);
    return hr_rrd_build(path, 86400, g->pts, g->npts, err, errlen);
}

static void usage_defs(struct argv_buf *a, const struct hr_rrd_usage_graph *g, const char *p)
{
    arg_add(a, "--vertical-label=bytes");
    arg_add(a, "--base=1024");
    arg_add(a, "DEF:used=%s:used:AVERAGE", p);
    arg_add(a, "DEF:cap=%s:capacity:MAX", p);
    arg_add(a, "AREA:used#4f81bd80:used");
    arg_add(a, "LINE2:cap#c0504d:capacity");
    /* What was drawn, for hr_rrd_usage_graph.drawn (drawn_read). */
    arg_add(a, "VDEF:usedlast=used,LAST");
    arg_add(a, "CDEF:capthen=used,UN,UNKN,cap,IF");
    arg_add(a, "VDEF:caplast=capthen,LAST");
    arg_add(a, "PRINT:usedlast:%%.17lg");
    arg_add(a, "PRINT:usedlast:%%s:strftime");
    arg_add(a, "PRINT:caplast:%%.17lg");
    if (g->fc_full <= 0)
        return;
    /* The rule engine's forecast, not rrdtool's own fit: the mail shows the
     * line that produced the date in its subject.  TIME gives each row's
     * time, including the rows after the last update, so the line runs on
     * to the full date. */
    arg_add(a, "CDEF:fc=used,POP,TIME,%" PRId64 ",GE,TIME,%" PRId64 ",LE,*,"
               "TIME,%" PRId64 ",-,%.17g,*,%.17g,+,UNKN,IF",
            g->fc_from, g->fc_full, g->fc_now, g->fc_slope_per_day / 86400.0, g->fc_used);
    arg_add(a, "LINE2:fc#000000:forecast:dashes");
    if (g->fc_capacity > 0)
        arg_add(a, "HRULE:%.17g#c0504d80", g->fc_capacity);
}

/* The peak load on the right axis (see hr_rrd_usage_graph.peak_scale). */
static void peak_defs(struct argv_buf *a, const struct hr_rrd_usage_graph *g, const char *p,
                      const char *label)
{
    arg_add(a, "DEF:peak=%s:peak:MAX", p);
    arg_add(a, "CDEF:peaks=peak,%.17g,*", g->peak_scale);
    arg_add(a, "LINE1:peaks#9bbb59:%s", label);
}

/* Escape a legend for rrdtool (a ':' ends the field), keeping it short. */
static void legend(char *o, size_t sz, const char *s)
{
    size_t n = 0;

    for (; s && *s && n + 3 < sz; s++) {
        if (*s == ':' || *s == '\\')
            o[n++] = '\\';
        o[n++] = *s;
    }
    o[n] = '\0';
}

static int usage_draw(const struct hr_rrd_usage_graph *g, const char *file, int use_daemon,
                      unsigned char **png, size_t *pnglen, char *err, size_t errlen)
{
    struct argv_buf a = { .n = 0 };
    char p[PATH_MAX * 2], lab[160];

    if (def_path(p, sizeof p, file) < 0) {
        snprintf(err, errlen, "graph: path too long");
        return -1;
    }
    graph_head(&a, NULL, g->start, g->end, g->width ? g->width : 560,
               g->height ? g->height : 200, g->title,
               use_daemon && g->daemon && *g->daemon ? g->daemon : NULL);
    /* Solid major grid lines only, no rrdtool tag: the same reading,
     * and about a third less work per graph (librrd's dashed minor grid
     * is costly to draw and to compress into the PNG, which is most of a
     * graph's time; propose draws thousands). */
    arg_add(&a, "--grid-dash=1:0");
    arg_add(&a, "--no-minor");
    arg_add(&a, "--disable-rrdtool-tag");
    if (g->peak_scale > 0) {
        arg_add(&a, "--right-axis=%.17g:0", 1 / g->peak_scale);
        arg_add(&a, "--right-axis-label=peak writes per window");
    }
    usage_defs(&a, g, p);
    if (g->peak_scale > 0) {
        legend(lab, sizeof lab, g->peak_label ? g->peak_label : "peak load (Cmax)");
        peak_defs(&a, g, p, lab);
    }
    if (g->fc_full > 0) {
        legend(lab, sizeof lab, g->fc_label ? g->fc_label : "full");
        arg_add(&a, "VRULE:%" PRId64 "#e36c09:%s", g->fc_full, lab);
    }
    return graph_run(&a, png, pnglen, g->drawn, err, errlen);
}

int hr_rrd_graph_usage(const struct hr_rrd_usage_graph *g, unsigned char **png,
                       size_t *pnglen, char *err, size_t errlen)
{
    char dir[PATH_MAX], path[PATH_MAX + 32];
    int rc;

    *png = NULL;
    *pnglen = 0;
    if (g->end <= g->start) {
        snprintf(err, errlen, "graph: bad time range");
        return -1;
    }
    if (g->rrd && access(g->rrd, R_OK) == 0 &&
        (!g->pts || g->npts == 0 || hr_rrd_covers(g->rrd, g->pts[0].t)))
        return usage_draw(g, g->rrd, 1, png, pnglen, err, errlen);
    if (!g->pts || g->npts == 0) {
        snprintf(err, errlen, "graph: no RRD file and no history");
        return -1;
    }
    dir[0] = '\0';
    rc = temp_rrd(g, dir, sizeof dir, path, sizeof path, err, errlen);
    /* The temporary file is ours alone: never through rrdcached (which
     * may not even see this directory). */
    if (rc == 0)
        rc = usage_draw(g, path, 0, png, pnglen, err, errlen);
    if (dir[0]) {
        unlink(path);
        rmdir(dir);
    }
    return rc;
}
