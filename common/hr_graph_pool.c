/* hr_graph_pool.c: usage graphs drawn by worker processes; see hr_graph.h.
 *
 * Each worker is a fork of the caller made before the caller has much in
 * memory, joined to it by one socketpair: requests go down it (the
 * graph's numbers, its strings and its history rows), PNGs come back.  The
 * caller's end is non-blocking and every call pumps both ways, so neither
 * side can wait on a full buffer while the other waits on it.  A worker
 * holds at most DEPTH jobs at a time; the others wait in the caller's
 * queue as small records pointing at the caller's history rows, so the
 * queue costs no copy of the history however far ahead the caller is. */
#include "hr_buf.h"
#include "hr_graph.h"
#include "hr_util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEPTH 4
#define MAX_WORKERS 16
#define ALT_MAX 256
#define ERR_MAX 256
/* A sanity bound on what a worker says it sends: a PNG of the usage graph
 * is tens of kB. */
#define PNG_MAX (64u << 20)

enum { J_QUEUED, J_SENT, J_DONE, J_TAKEN };

struct job {
    struct hr_graph_usage g;        /* strings point into STRS; hist: the caller's */
    char *strs;
    int state;
    int worker;                     /* while J_SENT */
    int rc;                         /* when J_DONE */
    unsigned char *png;
    size_t pnglen;
    char alt[ALT_MAX], err[ERR_MAX];
};

struct worker {
    pid_t pid;
    int fd;                         /* -1: gone */
    unsigned inflight;
    struct hr_buf out;              /* requests not yet written */
    size_t out_off;
    unsigned char *in;              /* results read, not yet parsed */
    size_t in_len, in_cap;
};

struct hr_graph_pool {
    char tmp[PATH_MAX];             /* the workers' TMPDIR; "" if none made */
    struct job *jobs;
    size_t njobs, capjobs;
    size_t next_queued;             /* no job before it is J_QUEUED */
    struct worker w[MAX_WORKERS];
    unsigned nw;
};

/* The request: fixed fields, then title, rrd and rrdcached (each
 * length-prefixed in the header), then N_HIST rows. */
struct wire_req {
    uint64_t job;
    int64_t now, start, fc_from, fc_full;
    double fc_used, fc_slope_per_day, fc_capacity;
    uint32_t width, height;
    uint32_t len[3];
    uint32_t n_hist;
};

struct wire_res {
    uint64_t job;
    int32_t rc;
    uint32_t pnglen;
    char alt[ALT_MAX];
    char err[ERR_MAX];
};

/* ---- the worker ---- */

static int read_full(int fd, void *buf, size_t len)
{
    char *b = buf;

    while (len) {
        ssize_t r = read(fd, b, len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        b += r;
        len -= (size_t)r;
    }
    return 0;
}

static int send_full(int fd, const void *buf, size_t len)
{
    const char *b = buf;

    while (len) {
        ssize_t w = send(fd, b, len, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        b += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Serve requests on FD until it closes; never returns. */
static void worker_main(int fd)
{
    struct hr_sample *hist = NULL;
    char *strs = NULL;

    for (;;) {
        struct wire_req q;
        struct wire_res r = { 0 };
        struct hr_graph_usage g = { 0 };
        unsigned char *png = NULL;
        size_t pnglen = 0, slen;

        if (read_full(fd, &q, sizeof q) < 0)
            _exit(0);
        slen = (size_t)q.len[0] + q.len[1] + q.len[2] + 3;
        free(strs);
        free(hist);
        strs = malloc(slen);
        hist = malloc(q.n_hist ? q.n_hist * sizeof *hist : 1);
        if (!strs || !hist || read_full(fd, strs, slen) < 0 ||
            read_full(fd, hist, q.n_hist * sizeof *hist) < 0)
            _exit(1);
        g.title = q.len[0] ? strs : NULL;
        g.rrd = q.len[1] ? strs + q.len[0] + 1 : NULL;
        g.rrdcached = q.len[2] ? strs + q.len[0] + q.len[1] + 2 : NULL;
        g.hist = hist;
        g.n_hist = q.n_hist;
        g.now = q.now;
        g.start = q.start;
        g.width = q.width;
        g.height = q.height;
        g.fc_from = q.fc_from;
        g.fc_full = q.fc_full;
        g.fc_used = q.fc_used;
        g.fc_slope_per_day = q.fc_slope_per_day;
        g.fc_capacity = q.fc_capacity;
        r.job = q.job;
        r.rc = hr_graph_draw_usage(&g, &png, &pnglen, r.alt, sizeof r.alt, r.err, sizeof r.err);
        if (r.rc == 0 && pnglen > PNG_MAX) {
            r.rc = -1;
            snprintf(r.err, sizeof r.err, "graph: PNG too large");
        }
        r.pnglen = r.rc == 0 ? (uint32_t)pnglen : 0;
        if (send_full(fd, &r, sizeof r) < 0 || (r.pnglen && send_full(fd, png, r.pnglen) < 0))
            _exit(1);
        free(png);
    }
}

/* ---- the caller's side ---- */

struct hr_graph_pool *hr_graph_pool_new(unsigned workers)
{
    struct hr_graph_pool *p = calloc(1, sizeof *p);

    if (!p)
        return NULL;
    if (workers > MAX_WORKERS)
        workers = MAX_WORKERS;
    /* The workers' scratch files (an RRD built from history rows) go into
     * a directory of the pool's, removed at hr_graph_pool_free: a worker
     * killed mid-graph cannot remove its own. */
    if (workers > 0) {
        const char *t = getenv("TMPDIR");
        snprintf(p->tmp, sizeof p->tmp, "%s/headroom-graphs.XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(p->tmp))
            p->tmp[0] = '\0';
    }
    /* What the workers inherit must not be written twice. */
    fflush(NULL);
    for (unsigned i = 0; i < workers; i++) {
        int sv[2];
        pid_t pid;

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
            break;
        pid = fork();
        if (pid < 0) {
            close(sv[0]);
            close(sv[1]);
            break;
        }
        if (pid == 0) {
            close(sv[0]);
            for (unsigned k = 0; k < p->nw; k++)
                close(p->w[k].fd);
            if (p->tmp[0])
                setenv("TMPDIR", p->tmp, 1);
            worker_main(sv[1]);
        }
        close(sv[1]);
        fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
        p->w[p->nw].pid = pid;
        p->w[p->nw].fd = sv[0];
        p->nw++;
    }
    return p;
}

unsigned hr_graph_pool_workers(const struct hr_graph_pool *p)
{
    unsigned n = 0;

    for (unsigned i = 0; i < p->nw; i++)
        n += p->w[i].fd >= 0;
    return n;
}

/* W is gone (closed its end, sent nonsense): its jobs go back to the
 * queue, for another worker or the caller. */
static void worker_lost(struct hr_graph_pool *p, struct worker *w)
{
    size_t wi = (size_t)(w - p->w);

    close(w->fd);
    w->fd = -1;
    w->inflight = 0;
    hr_buf_free(&w->out);
    w->out_off = 0;
    free(w->in);
    w->in = NULL;
    w->in_len = w->in_cap = 0;
    for (size_t i = 0; i < p->njobs; i++)
        if (p->jobs[i].state == J_SENT && p->jobs[i].worker == (int)wi) {
            p->jobs[i].state = J_QUEUED;
            if (i < p->next_queued)
                p->next_queued = i;
        }
}

static void request_add(struct worker *w, const struct job *j, size_t idx)
{
    const char *s[3] = { j->g.title, j->g.rrd, j->g.rrdcached };
    struct wire_req q = {
        .job = idx, .now = j->g.now, .start = j->g.start, .fc_from = j->g.fc_from,
        .fc_full = j->g.fc_full, .fc_used = j->g.fc_used,
        .fc_slope_per_day = j->g.fc_slope_per_day, .fc_capacity = j->g.fc_capacity,
        .width = j->g.width, .height = j->g.height, .n_hist = (uint32_t)j->g.n_hist,
    };

    for (int i = 0; i < 3; i++)
        q.len[i] = s[i] ? (uint32_t)strlen(s[i]) : 0;
    hr_buf_add(&w->out, &q, sizeof q);
    for (int i = 0; i < 3; i++)
        hr_buf_add(&w->out, s[i] ? s[i] : "", q.len[i] + 1);
    hr_buf_add(&w->out, j->g.hist, j->g.n_hist * sizeof *j->g.hist);
}

/* Hand queued jobs, in order, to the workers with room. */
static void dispatch(struct hr_graph_pool *p)
{
    for (size_t i = p->next_queued; i < p->njobs; i++) {
        struct worker *best = NULL;
        if (p->jobs[i].state != J_QUEUED)
            continue;
        for (unsigned k = 0; k < p->nw; k++)
            if (p->w[k].fd >= 0 && p->w[k].inflight < DEPTH &&
                (!best || p->w[k].inflight < best->inflight))
                best = &p->w[k];
        p->next_queued = i;
        if (!best)
            return;
        request_add(best, &p->jobs[i], i);
        if (best->out.oom) {
            worker_lost(p, best);
            continue;
        }
        best->inflight++;
        p->jobs[i].state = J_SENT;
        p->jobs[i].worker = (int)(best - p->w);
    }
    p->next_queued = p->njobs;
}

static void flush_out(struct hr_graph_pool *p, struct worker *w)
{
    while (w->out_off < w->out.len) {
        ssize_t n = send(w->fd, w->out.p + w->out_off, w->out.len - w->out_off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            worker_lost(p, w);
            return;
        }
        w->out_off += (size_t)n;
    }
    w->out.len = 0;
    w->out_off = 0;
}

/* Take the complete results out of W's input. */
static void parse_in(struct hr_graph_pool *p, struct worker *w)
{
    size_t off = 0;

    while (w->in_len - off >= sizeof(struct wire_res)) {
        struct wire_res r;
        struct job *j;
        memcpy(&r, w->in + off, sizeof r);
        if (r.job >= p->njobs || p->jobs[r.job].state != J_SENT ||
            p->jobs[r.job].worker != (int)(w - p->w) || r.pnglen > PNG_MAX) {
            worker_lost(p, w);
            return;
        }
        if (w->in_len - off - sizeof r < r.pnglen)
            break;
        j = &p->jobs[r.job];
        if (r.pnglen && !(j->png = malloc(r.pnglen))) {
            j->rc = -1;
            snprintf(j->err, sizeof j->err, "out of memory");
        } else {
            if (r.pnglen)
                memcpy(j->png, w->in + off + sizeof r, r.pnglen);
            j->pnglen = r.pnglen;
            j->rc = r.rc;
            r.alt[sizeof r.alt - 1] = r.err[sizeof r.err - 1] = '\0';
            memcpy(j->alt, r.alt, sizeof j->alt);
            memcpy(j->err, r.err, sizeof j->err);
        }
        j->state = J_DONE;
        w->inflight--;
        off += sizeof r + r.pnglen;
    }
    memmove(w->in, w->in + off, w->in_len - off);
    w->in_len -= off;
}

static void read_in(struct hr_graph_pool *p, struct worker *w)
{
    for (;;) {
        ssize_t n;
        if (w->in_cap - w->in_len < 65536 &&
            hr_array_grow(&w->in, &w->in_cap, w->in_len + 65536, 1) < 0) {
            worker_lost(p, w);
            return;
        }
        n = read(w->fd, w->in + w->in_len, w->in_cap - w->in_len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0) {
            /* What it finished before it went still counts. */
            parse_in(p, w);
            if (w->fd >= 0)
                worker_lost(p, w);
            return;
        }
        w->in_len += (size_t)n;
    }
    parse_in(p, w);
}

/* Move requests and results; with BLOCK wait until something moved (when
 * anything is in flight at all). */
static void pump(struct hr_graph_pool *p, int block)
{
    struct pollfd fds[MAX_WORKERS];
    unsigned idx[MAX_WORKERS], n = 0;

    dispatch(p);
    for (unsigned k = 0; k < p->nw; k++) {
        struct worker *w = &p->w[k];
        if (w->fd < 0 || (!w->inflight && w->out_off >= w->out.len))
            continue;
        fds[n].fd = w->fd;
        fds[n].events = POLLIN | (w->out_off < w->out.len ? POLLOUT : 0);
        fds[n].revents = 0;
        idx[n++] = k;
    }
    if (!n || poll(fds, n, block ? -1 : 0) <= 0)
        return;
    for (unsigned i = 0; i < n; i++) {
        struct worker *w = &p->w[idx[i]];
        if ((fds[i].revents & POLLOUT) && w->fd >= 0)
            flush_out(p, w);
        if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) && w->fd >= 0)
            read_in(p, w);
    }
    dispatch(p);
    for (unsigned k = 0; k < p->nw; k++)
        if (p->w[k].fd >= 0 && p->w[k].out_off < p->w[k].out.len)
            flush_out(p, &p->w[k]);
}

long hr_graph_pool_submit(struct hr_graph_pool *p, const struct hr_graph_usage *g)
{
    const char *s[3] = { g->title, g->rrd, g->rrdcached };
    size_t len = 3;
    struct job *j;
    char *o;

    if (hr_array_grow(&p->jobs, &p->capjobs, p->njobs + 1, sizeof *p->jobs) < 0)
        return -1;
    for (int i = 0; i < 3; i++)
        len += s[i] ? strlen(s[i]) : 0;
    j = &p->jobs[p->njobs];
    memset(j, 0, sizeof *j);
    if (!(j->strs = malloc(len)))
        return -1;
    j->g = *g;
    o = j->strs;
    for (int i = 0; i < 3; i++) {
        size_t n = s[i] ? strlen(s[i]) : 0;
        memcpy(o, s[i] ? s[i] : "", n + 1);
        if (i == 0)
            j->g.title = s[i] ? o : NULL;
        else if (i == 1)
            j->g.rrd = s[i] ? o : NULL;
        else
            j->g.rrdcached = s[i] ? o : NULL;
        o += n + 1;
    }
    j->state = J_QUEUED;
    p->njobs++;
    pump(p, 0);
    return (long)(p->njobs - 1);
}

void hr_graph_pool_poll(struct hr_graph_pool *p)
{
    pump(p, 0);
}

int hr_graph_pool_take(struct hr_graph_pool *p, size_t job, unsigned char **png,
                       size_t *pnglen, char *alt, size_t altlen, char *err, size_t errlen)
{
    struct job *j;

    *png = NULL;
    *pnglen = 0;
    if (job >= p->njobs || p->jobs[job].state == J_TAKEN) {
        snprintf(err, errlen, "graph: no such job");
        return -1;
    }
    j = &p->jobs[job];
    while (j->state != J_DONE && hr_graph_pool_workers(p))
        pump(p, 1);
    if (j->state != J_DONE) {
        /* No worker left: draw it here. */
        j->rc = hr_graph_draw_usage(&j->g, &j->png, &j->pnglen, j->alt, sizeof j->alt,
                                    j->err, sizeof j->err);
        j->state = J_DONE;
    }
    j->state = J_TAKEN;
    free(j->strs);
    j->strs = NULL;
    if (j->rc < 0) {
        snprintf(err, errlen, "%s", j->err);
        free(j->png);
        j->png = NULL;
        return -1;
    }
    *png = j->png;
    *pnglen = j->pnglen;
    j->png = NULL;
    if (alt)
        snprintf(alt, altlen, "%s", j->alt);
    return 0;
}

void hr_graph_pool_free(struct hr_graph_pool *p)
{
    if (!p)
        return;
    for (unsigned k = 0; k < p->nw; k++) {
        struct worker *w = &p->w[k];
        if (w->fd >= 0) {
            /* Closing our end ends the worker's loop; a worker still
             * drawing finishes that graph first. */
            close(w->fd);
            hr_buf_free(&w->out);
            free(w->in);
        }
        while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    for (size_t i = 0; i < p->njobs; i++) {
        free(p->jobs[i].strs);
        free(p->jobs[i].png);
    }
    if (p->tmp[0])
        hr_rmtree(p->tmp);
    free(p->jobs);
    free(p);
}
