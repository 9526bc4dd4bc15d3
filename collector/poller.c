/* poller.c: the asynchronous fleet poller (contract in poller.h).
 *
 * One thread.  Each target in flight has its own net-snmp single session
 * (snmp_sess_open); we take the session's socket from its transport and
 * wait on all of them with epoll ourselves, so neither FD_SETSIZE nor
 * select() limits how many agents are in flight.  net-snmp does all BER, PDU matching, retries
 * (snmp_sess_timeout) and USM; this file only decides what to ask next and
 * turns the answers into hr_dev_row.
 *
 * Per target:
 *   v3 only: an empty noAuthNoPriv GET (RFC 3414 section 4 discovery) whose
 *            usmStatsUnknownEngineID Report gives the engine ID; then the USM
 *            user is localised for that engine through net-snmp's
 *            create_user_from_session().  Sessions are opened with
 *            SNMP_FLAGS_DONT_PROBE so snmp_sess_open never blocks.
 *   GET      sysUpTime.0, hdrmAgentVersion.0, hdrmDeviceCount.0
 *   walk     hdrmDeviceTable column-wise: GETBULK (v2c/v3) with several
 *            columns per PDU, or GETNEXT (v1); every column stops at the end
 *            of its own subtree.
 * With per_agent = 2 the columns are split into two streams that are walked
 * side by side (the GET goes first, alongside the first stream).
 *
 * net-snmp quirks handled here:
 *  - After a Report that is not notInTimeWindow, net-snmp 5.9's
 *    _sess_process_packet writes `((struct synch_state *)magic)->waiting = 0`
 *    even for asynchronous requests; our callback data therefore starts with
 *    an int that the library may clobber (struct req.lib_scratch).
 *  - The engine ID from a discovery Report is stored in the session only
 *    after our callback returned, so the USM user is created (and the next
 *    request sent) from the event loop, never from inside the callback.
 *  - snmp_sess_close() calls pending callbacks with TIMED_OUT; an agent that
 *    is closing ignores them.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "poller.h"
#include "hr_util.h"
#include "hdrm_oids.h"
#include "../profiles/device.h"
#include "../snmp/snmp_sync.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>
/* net-snmp's types.h aliases these PDU fields by macro; the names clash
 * with hr_target.max_repetitions.  GETBULK's fields are errstat/errindex. */
#undef non_repeaters
#undef max_repetitions

#include <errno.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>

#define MAX_ROWS        10000      /* per target: a hostile agent cannot grow us */
/* All targets in flight together: 256 agents at MAX_ROWS would hold 3 GB of
 * rows; past this (about 300 MB) the agent asking for more fails instead. */
#define MAX_ROWS_HELD   262144
#define MAX_REQUESTS    4000       /* per target, retries not counted */
/* Per target: requests asked again (a lost exchange, tooBig, SNMPv1's
 * noSuchName dropping one object) and lost exchanges recovered. */
#define MAX_REASKS      128
#define MAX_LOSSES      6
#define FIRST_COL       HR_HDRM_FIRST_COL
#define LAST_COL        HR_HDRM_LAST_COL
#define N_COLS          (LAST_COL - FIRST_COL + 1)
#define MAX_STREAMS     2
#define DEFAULT_REP     8
#define MAX_AUTO_REP    32
#define MAX_VB          64         /* varbinds (columns, objects) per request */
#define PROF_REP        24         /* GETBULK repetitions of a profile's walks */

static const oid oid_sysuptime[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };
static const oid oid_agentversion[] = { HDRM_OID_hdrmAgentVersion, 0 };
static const oid oid_devcount[] = { HDRM_OID_hdrmDeviceCount, 0 };
static const oid oid_entry[] = { HDRM_OID_hdrmDeviceEntry };
#define ENTRY_LEN HDRM_OIDLEN_hdrmDeviceEntry

enum req_kind { REQ_DISCOVER, REQ_GET, REQ_WALK, REQ_PGET, REQ_PNEXT, REQ_SET };

struct agent;
struct loop;

/* One request in flight.  lib_scratch must stay first: see the header. */
struct req {
    int lib_scratch;
    struct agent *a;
    enum req_kind kind;
    int used;
    unsigned stream;
    unsigned ncols;
    unsigned short cols[MAX_VB];  /* in varbind order: indexes of agent.wc,
                                     or of agent.pit (REQ_PGET, REQ_PNEXT) */
    unsigned rep;                 /* GETBULK max-repetitions sent */
    int64_t sent_us;
};

struct col {
    oid cur[MAX_OID_LEN];         /* last OID reached in this column */
    size_t cur_len;
    int done;
    /* profile walks: the subtree, its item, objects seen */
    const uint32_t *root;
    size_t root_len, item;
    unsigned long nvb;
};

struct rowx {
    struct hr_dev_row r;
    struct hr_row_state st;       /* what the decoder saw of the row */
};

enum v3_state { V3_NONE, V3_DISCOVERING, V3_DISCOVERED, V3_READY };

struct agent {
    const struct hr_target *t;
    struct hr_poll_result res;
    void *sessp;
    int fd;
    int done;                     /* result decided */
    int closing;                  /* ignore callbacks */
    enum v3_state v3;
    int get_state;                /* 0 unsent, 1 in flight, 2 answered */
    int mib_seen;                 /* hdrmAgentVersion.0 or a table row exists */
    int v1_get_drop;              /* v1: varbinds dropped after noSuchName */
    uint32_t dev_count;
    int dev_count_known;
    unsigned per_agent, inflight;
    unsigned n_streams;
    unsigned stream_lo[MAX_STREAMS], stream_hi[MAX_STREAMS];
    int stream_busy[MAX_STREAMS];
    unsigned rep, maxcols;        /* GETBULK size, shrunk on tooBig */
    struct col cols[N_COLS];      /* hdrmDeviceTable, by sub-id - FIRST_COL */
    struct col *wc;               /* the columns walked: cols, or pcols */
    unsigned nwc;
    /* The reading through the profiles (after nomib, or a named profile). */
    int prof;
    struct hr_prof_reader *pr;
    const struct hr_prof_item *pit;   /* the reader's current step */
    size_t npit;
    unsigned char *pst;           /* per item: 0 to send, 1 in flight, 2 answered */
    struct col *pcols;            /* the step's walks */
    unsigned pchunk;              /* objects per GET/GETNEXT, halved on tooBig */
    const struct hr_profile_set *profiles;
    struct rowx *rows;            /* in arrival order; sorted at the end */
    size_t n_rows, cap_rows;
    uint32_t *rhash;              /* index -> position + 1, open addressing */
    size_t hcap;                  /* slots of rhash, a power of 2 */
    struct req reqs[MAX_STREAMS + 1];
    int64_t t_timer_us;           /* next snmp_sess_timeout, 0 = none */
    int64_t deadline_us;          /* budget */
    int64_t start_us;
    int answered;
    unsigned losses;              /* lost exchanges recovered */
    int replied;                  /* answered a request (discovery aside) */
    unsigned reasks;              /* requests asked again, see MAX_REASKS */
    unsigned foreign;             /* replies refused: another community */
    struct hr_set_job *job;       /* a SET of the registration number */
    int set_sent;
    int probing;                  /* counted in loop.n_probing */
    int has_slot;                 /* holds one of loop.conc walk slots */
    int queued;                   /* waiting for a walk slot */
    struct agent *wnext, *wprev;  /* the wait queue */
    struct loop *L;
    size_t slot;                  /* index in the event loop's list */
};

static int64_t mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    time_t now = hr_now();              /* stamps results: HEADROOM_NOW fixes it */

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)now * 1000 + (now == ts.tv_sec ? ts.tv_nsec / 1000000 : 0);
}

static void agent_fail(struct agent *a, enum hr_poll_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* net-snmp's work is about A from now on: its log lines name A's target,
 * and a "detail" another session left behind (net-snmp keeps one for the
 * whole process and adds it to the next error text) is dropped, so it
 * cannot end up in A's error.  NULL: about no target. */
static void lib_context(const struct agent *a)
{
    char who[300];

    (void)snmp_api_errstring(SNMPERR_SUCCESS);
    if (!a) {
        hr_snmp_log_context(NULL);
        return;
    }
    snprintf(who, sizeof(who), "target %s:%u (id %lld)", a->t->host,
             a->t->port ? a->t->port : 161, (long long)a->t->id);
    hr_snmp_log_context(who);
}

static void agent_fail(struct agent *a, enum hr_poll_status st, const char *fmt, ...)
{
    va_list ap;

    if (a->done)
        return;
    a->done = 1;
    a->res.status = st;
    va_start(ap, fmt);
    vsnprintf(a->res.error, sizeof(a->res.error), fmt, ap);
    va_end(ap);
}

/* ---- sessions -------------------------------------------------------- */

/* Open a session for T; NULL with ERR.  WRITE selects the write community,
 * PROBE lets net-snmp discover the v3 engine inside snmp_sess_open. */
static void *session_open(const struct hr_target *t, int write, int probe,
                          char *err, size_t errlen)
{
    struct hr_snmp_peer peer = {
        .host = t->host, .port = t->port, .tcp = t->tcp,
        .timeout_us = (long)(t->timeout_ms ? t->timeout_ms : 1000) * 1000L,
        .retries = (int)t->retries,
    };
    struct hr_snmp_cred cred = {
        .version = t->version,
        .community = write ? t->write_community : t->community,
        .sec_name = t->sec_name, .sec_level = t->sec_level,
        .auth_proto = t->auth_proto, .auth_pass = t->auth_pass,
        .priv_proto = t->priv_proto, .priv_pass = t->priv_pass,
        .context = t->context,
    };

    if (t->version != HR_SNMP_V3 && !cred.community[0]) {
        snprintf(err, errlen, "no %scommunity configured", write ? "write " : "");
        return NULL;
    }
    return hr_snmp_open(&peer, &cred, probe ? HR_SNMP_PROBE : 0, err, errlen);
}

/* Connect the session's UDP socket to the agent's address and port, so
 * that the kernel drops datagrams from anywhere else (net-snmp reads from
 * any source and matches the request ID only).  TCP is connected anyway.
 * 0, or -1 with ERR. */
static int session_pin_peer(void *sessp, char *err, size_t errlen)
{
    netsnmp_transport *tr = snmp_sess_transport(sessp);
    const netsnmp_indexed_addr_pair *ap;
    socklen_t len;

    if (!tr || tr->sock < 0) {
        snprintf(err, errlen, "session has no socket");
        return -1;
    }
    if (tr->flags & NETSNMP_TRANSPORT_FLAG_STREAM)
        return 0;
    if (!tr->data || tr->data_length < (int)sizeof(*ap)) {
        snprintf(err, errlen, "unknown transport: cannot bind replies to the agent's address");
        return -1;
    }
    ap = tr->data;
    if (ap->remote_addr.sa.sa_family == AF_INET)
        len = sizeof(ap->remote_addr.sin);
    else if (ap->remote_addr.sa.sa_family == AF_INET6)
        len = sizeof(ap->remote_addr.sin6);
    else {
        snprintf(err, errlen, "unknown address family %d", ap->remote_addr.sa.sa_family);
        return -1;
    }
    if (connect(tr->sock, &ap->remote_addr.sa, len) < 0) {
        snprintf(err, errlen, "connect: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* ---- rows ------------------------------------------------------------- */

static size_t rows_held;          /* rows of every agent in flight */

static size_t max_rows(const struct agent *a);
static size_t max_rows_held(const struct agent *a);
static int evict_greediest(struct agent *a);

static size_t rhash_slot(uint32_t index, size_t cap)
{
    return (size_t)((index * 2654435761u) & (cap - 1));
}

/* Rebuild the index -> row map for CAP slots.  -1 out of memory. */
static int rhash_grow(struct agent *a, size_t cap)
{
    uint32_t *h = calloc(cap, sizeof(*h));

    if (!h)
        return -1;
    for (size_t i = 0; i < a->n_rows; i++) {
        size_t k = rhash_slot(a->rows[i].r.index, cap);
        while (h[k])
            k = (k + 1) & (cap - 1);
        h[k] = (uint32_t)(i + 1);
    }
    free(a->rhash);
    a->rhash = h;
    a->hcap = cap;
    return 0;
}

/* The row of INDEX, added if new.  Rows are kept in arrival order with a
 * hash of their indexes (sorted once at the end), so any order of arrival
 * costs O(1) per cell.  NULL: a limit (the target's, or the cycle's when no
 * greedier target can give way) or out of memory. */
static struct rowx *row_get(struct agent *a, uint32_t index)
{
    size_t k;

    if (a->hcap) {
        for (k = rhash_slot(index, a->hcap); a->rhash[k]; k = (k + 1) & (a->hcap - 1))
            if (a->rows[a->rhash[k] - 1].r.index == index)
                return &a->rows[a->rhash[k] - 1];
    }
    if (a->n_rows >= max_rows(a))
        return NULL;
    if (rows_held >= max_rows_held(a) && evict_greediest(a) < 0)
        return NULL;
    if (a->n_rows == a->cap_rows) {
        size_t nc = a->cap_rows ? a->cap_rows * 2 : 8;
        struct rowx *nr = realloc(a->rows, nc * sizeof(*nr));
        if (!nr)
            return NULL;
        a->rows = nr;
        a->cap_rows = nc;
    }
    if ((a->n_rows + 1) * 2 > a->hcap && rhash_grow(a, a->hcap ? a->hcap * 2 : 16) < 0)
        return NULL;
    for (k = rhash_slot(index, a->hcap); a->rhash[k]; k = (k + 1) & (a->hcap - 1))
        ;
    a->rhash[k] = (uint32_t)(a->n_rows + 1);
    hr_hdrm_row_init(&a->rows[a->n_rows].r, &a->rows[a->n_rows].st, index);
    rows_held++;
    return &a->rows[a->n_rows++];
}

static int rowx_cmp(const void *x, const void *y)
{
    uint32_t p = ((const struct rowx *)x)->r.index, q = ((const struct rowx *)y)->r.index;
    return p < q ? -1 : p > q;
}

/* Drop every row of A (a failed target gives its memory back). */
static void rows_drop(struct agent *a)
{
    rows_held -= a->n_rows;
    a->n_rows = a->cap_rows = a->hcap = 0;
    free(a->rows);
    free(a->rhash);
    a->rows = NULL;
    a->rhash = NULL;
}

/* Store column COL of one row: the shared decoder of hdrmDeviceTable. */
static void row_store(struct rowx *x, unsigned col, const netsnmp_variable_list *v)
{
    hr_hdrm_cell(&x->r, &x->st, col, v, 0);
}

static void row_finish(struct rowx *x)
{
    hr_hdrm_row_finish(&x->r, &x->st);
}

/* ---- responses -------------------------------------------------------- */

static void probing_end(struct agent *a);

static void note_answer(struct agent *a, struct req *q)
{
    probing_end(a);
    if (!a->answered) {
        a->answered = 1;
        a->res.rtt_ms = (double)(mono_us() - q->sent_us) / 1000.0;
    }
}

static const char *report_text(netsnmp_pdu *pdu)
{
    return snmp_api_errstring(snmpv3_get_report_type(pdu));
}

static int prof_wanted(const struct agent *a);

/* A request is asked again (smaller, or without an object): bounded per
 * target.  0 go on, -1 the target failed. */
static int reask(struct agent *a, const char *why)
{
    if (++a->reasks <= MAX_REASKS)
        return 0;
    agent_fail(a, HR_POLL_MALFORMED, "gave up after %d requests asked again (last: %s)",
               MAX_REASKS, why);
    return -1;
}

static void on_get(struct agent *a, struct req *q, netsnmp_pdu *pdu)
{
    netsnmp_variable_list *v;

    if (pdu->errstat == SNMP_ERR_NOSUCHNAME && a->t->version == HR_SNMP_V1 &&
        pdu->errindex >= 2 && pdu->errindex <= 3 - a->v1_get_drop) {
        /* SNMPv1 fails the whole GET for one missing object: ask again
         * without the objects from the failing one on (an index outside
         * what was sent is not a missing object: fails below). */
        a->v1_get_drop = 4 - (int)pdu->errindex;
        a->get_state = 0;
        reask(a, "GET without an object the agent does not have");
        return;
    }
    if (pdu->errstat == SNMP_ERR_NOSUCHNAME && a->t->version == HR_SNMP_V1 && prof_wanted(a)) {
        /* No sysUpTime.0 (some storage agents): not our agent; the
         * profiles read it. */
        a->get_state = 2;
        return;
    }
    if (pdu->errstat != SNMP_ERR_NOERROR) {
        agent_fail(a, pdu->errstat == SNMP_ERR_AUTHORIZATIONERROR ? HR_POLL_AUTH : HR_POLL_MALFORMED,
                   "GET failed: %s", snmp_errstring((int)pdu->errstat));
        return;
    }
    (void)q;
    for (v = pdu->variables; v; v = v->next_variable) {
        if (snmp_oid_compare(v->name, v->name_length, oid_sysuptime, HR_ARRAY_LEN(oid_sysuptime)) == 0) {
            if (v->type == ASN_TIMETICKS) {
                a->res.sysuptime = (uint32_t)(*v->val.integer & 0xffffffffUL);
                a->res.sysuptime_known = 1;
            }
        } else if (snmp_oid_compare(v->name, v->name_length, oid_agentversion,
                                    HR_ARRAY_LEN(oid_agentversion)) == 0) {
            if (v->type == ASN_OCTET_STR) {
                hr_sanitize(a->res.agent_version, sizeof(a->res.agent_version),
                            v->val.string, v->val_len);
                a->mib_seen = 1;
            }
        } else if (snmp_oid_compare(v->name, v->name_length, oid_devcount,
                                    HR_ARRAY_LEN(oid_devcount)) == 0) {
            if (v->type == ASN_GAUGE) {
                a->dev_count = (uint32_t)(*v->val.integer & 0xffffffffUL);
                a->dev_count_known = 1;
            }
        }
    }
    a->get_state = 2;
    /* Size GETBULK so one request sees every row of a column plus its end. */
    if (a->dev_count_known && !a->t->max_repetitions && a->rep == DEFAULT_REP)
        a->rep = a->dev_count >= MAX_AUTO_REP ? MAX_AUTO_REP : a->dev_count + 1;
}

static void on_too_big(struct agent *a)
{
    if (reask(a, "tooBig") < 0)
        return;
    if (a->rep > 1)
        a->rep /= 2;
    else if (a->maxcols > 1)
        a->maxcols /= 2;
    else
        agent_fail(a, HR_POLL_MALFORMED, "tooBig even for one object per request");
}

/* The rules every walked varbind obeys: an exception ends the column, an
 * OID at or before PREV is a hostile or broken agent.  0 go on, 1 column
 * ended, -1 fail. */
static int walk_order(struct agent *a, const char *what, unsigned col, const oid *prev,
                      size_t prev_len, const netsnmp_variable_list *v)
{
    if (v->type == SNMP_ENDOFMIBVIEW || v->type == SNMP_NOSUCHOBJECT ||
        v->type == SNMP_NOSUCHINSTANCE)
        return 1;
    if (snmp_oid_compare(v->name, v->name_length, prev, prev_len) <= 0) {
        agent_fail(a, HR_POLL_MALFORMED, "agent returned a non-increasing OID in %s %u", what, col);
        return -1;
    }
    return 0;
}

/* One varbind of a walk for column COL.  0 go on, 1 column ended, -1 fail. */
static int walk_vb(struct agent *a, unsigned col, const oid *prev, size_t prev_len,
                   netsnmp_variable_list *v)
{
    struct col *c = &a->cols[col - FIRST_COL];
    struct rowx *x;
    int rc = walk_order(a, "column", col, prev, prev_len, v);

    if (rc != 0)
        return rc;
    if (v->name_length <= ENTRY_LEN + 1 ||
        snmp_oid_compare(v->name, ENTRY_LEN, oid_entry, ENTRY_LEN) != 0 ||
        v->name[ENTRY_LEN] != col)
        return 1;   /* left the column */
    if (v->name_length != ENTRY_LEN + 2 || v->name[ENTRY_LEN + 1] == 0 ||
        v->name[ENTRY_LEN + 1] > 0xffffffffUL) {
        agent_fail(a, HR_POLL_MALFORMED, "bad hdrmDevIndex in column %u", col);
        return -1;
    }
    memcpy(c->cur, v->name, v->name_length * sizeof(oid));
    c->cur_len = v->name_length;
    x = row_get(a, (uint32_t)v->name[ENTRY_LEN + 1]);
    if (!x) {
        if (a->done)
            ;                   /* the cycle's bound failed this, the greediest */
        else if (a->n_rows >= max_rows(a))
            agent_fail(a, HR_POLL_MALFORMED, "more than %zu rows", max_rows(a));
        else
            agent_fail(a, HR_POLL_ERROR, "out of row memory (%zu rows held by the cycle)",
                       rows_held);
        return -1;
    }
    a->mib_seen = 1;
    row_store(x, col, v);
    return 0;
}

/* ---- the reading through the profiles -------------------------------- */

struct pvb {
    struct agent *a;
    size_t item;
};

static int prof_vb(void *arg, const uint32_t *name, size_t len, const struct hr_value *v)
{
    struct pvb *p = arg;

    return hr_prof_reader_add(p->a->pr, p->item, name, len, v);
}

static void prof_deliver(struct agent *a, size_t item, const netsnmp_variable_list *v)
{
    struct pvb p = { a, item };

    if (hr_snmp_vb_deliver(v, prof_vb, &p) < 0)
        agent_fail(a, HR_POLL_ERROR, "out of memory");
}

/* One varbind of the walk of profile column CI (an index of pcols). */
static int prof_walk_vb(struct agent *a, unsigned ci, const netsnmp_variable_list *v)
{
    struct col *c = &a->pcols[ci];
    int rc = walk_order(a, "profile walk", ci, c->cur, c->cur_len, v);

    if (rc != 0)
        return rc;
    if (v->name_length <= c->root_len)
        return 1;
    for (size_t i = 0; i < c->root_len; i++)
        if (v->name[i] != c->root[i])
            return 1;   /* left the subtree */
    if (++c->nvb > MAX_ROWS || v->name_length > MAX_OID_LEN) {
        agent_fail(a, HR_POLL_MALFORMED, "more than %d rows in a profile's table", MAX_ROWS);
        return -1;
    }
    memcpy(c->cur, v->name, v->name_length * sizeof(oid));
    c->cur_len = v->name_length;
    prof_deliver(a, c->item, v);
    return a->done ? -1 : 0;
}

/* The answer to a GET or GETNEXT of profile items. */
static void on_pitems(struct agent *a, struct req *q, netsnmp_pdu *pdu)
{
    netsnmp_variable_list *v = pdu->variables;
    unsigned j;

    if (pdu->errstat == SNMP_ERR_TOOBIG || (pdu->errstat == SNMP_ERR_NOSUCHNAME &&
        a->t->version == HR_SNMP_V1 && pdu->errindex >= 1 && (unsigned)pdu->errindex <= q->ncols)) {
        /* tooBig: ask again in halves.  SNMPv1 fails the whole request
         * for one missing object (or, for GETNEXT, one at the end of the
         * view): that one is answered as absent, the rest asked again. */
        if (pdu->errstat == SNMP_ERR_TOOBIG && a->pchunk <= 1) {
            agent_fail(a, HR_POLL_MALFORMED, "tooBig even for one object per request");
            return;
        }
        if (pdu->errstat == SNMP_ERR_TOOBIG)
            a->pchunk /= 2;
        if (reask(a, pdu->errstat == SNMP_ERR_TOOBIG ? "tooBig" : "noSuchName") < 0)
            return;
        for (j = 0; j < q->ncols; j++)
            a->pst[q->cols[j]] = 0;
        if (pdu->errstat == SNMP_ERR_NOSUCHNAME)
            a->pst[q->cols[pdu->errindex - 1]] = 2;
        return;
    }
    if (pdu->errstat != SNMP_ERR_NOERROR) {
        agent_fail(a, pdu->errstat == SNMP_ERR_AUTHORIZATIONERROR ? HR_POLL_AUTH : HR_POLL_MALFORMED,
                   "%s failed: %s", q->kind == REQ_PGET ? "GET" : "GETNEXT",
                   snmp_errstring((int)pdu->errstat));
        return;
    }
    for (j = 0; j < q->ncols; j++) {
        a->pst[q->cols[j]] = 2;
        if (!v)
            continue;
        prof_deliver(a, q->cols[j], v);
        v = v->next_variable;
    }
}

static void on_walk(struct agent *a, struct req *q, netsnmp_pdu *pdu)
{
    netsnmp_variable_list *v;
    unsigned i = 0, k = q->ncols;
    int ended[MAX_VB] = { 0 };

    if (pdu->errstat == SNMP_ERR_TOOBIG) {
        on_too_big(a);
        return;
    }
    if (pdu->errstat == SNMP_ERR_NOSUCHNAME && a->t->version == HR_SNMP_V1 &&
        pdu->errindex >= 1 && (unsigned)pdu->errindex <= k) {
        /* SNMPv1 end of MIB view for that column. */
        a->wc[q->cols[pdu->errindex - 1]].done = 1;
        return;
    }
    if (pdu->errstat != SNMP_ERR_NOERROR) {
        agent_fail(a, pdu->errstat == SNMP_ERR_AUTHORIZATIONERROR ? HR_POLL_AUTH : HR_POLL_MALFORMED,
                   "%s failed: %s", a->t->version == HR_SNMP_V1 ? "GETNEXT" : "GETBULK",
                   snmp_errstring((int)pdu->errstat));
        return;
    }
    if (!pdu->variables) {
        agent_fail(a, HR_POLL_MALFORMED, "empty response to a walk request");
        return;
    }
    /* Varbinds come row-major: repetition r, column j is number r*k + j. */
    for (v = pdu->variables; v; v = v->next_variable, i++) {
        unsigned j = i % k, ci = q->cols[j];
        struct col *c = &a->wc[ci];
        int rc;

        if (i >= k * q->rep)
            break;              /* more than asked for: ignore the excess */
        if (ended[j])
            continue;
        rc = a->prof ? prof_walk_vb(a, ci, v) : walk_vb(a, ci + FIRST_COL, c->cur, c->cur_len, v);
        if (rc < 0)
            return;
        if (rc > 0) {
            ended[j] = 1;
            c->done = 1;
        }
    }
}

/* The community of a v1/v2c response is the one the request went with. */
static int community_matches(const struct agent *a, const netsnmp_pdu *pdu)
{
    const char *c = a->job && a->t->version != HR_SNMP_V3 ? a->t->write_community
                    : a->t->community;
    size_t n = strlen(c);

    return pdu->community_len == n && (n == 0 || memcmp(pdu->community, c, n) == 0);
}

static int on_response_pdu(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu,
                           void *magic);

/* net-snmp parsed PDU just before this call: what hr_snmp_cut32 says is
 * about it, and is cleared for the next one. */
static int on_response(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu, void *magic)
{
    int rc = on_response_pdu(op, s, reqid, pdu, magic);

    hr_snmp_cut32_clear();
    return rc;
}

static int on_response_pdu(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu,
                           void *magic)
{
    struct req *q = magic;
    struct agent *a = q->a;

    (void)s;
    (void)reqid;
    if (op == NETSNMP_CALLBACK_OP_RESEND) {
        /* net-snmp retransmitted this request: count the PDU. */
        if (!a->closing && q->used)
            a->res.requests++;
        return 1;
    }
    if (a->closing || !q->used)
        return 1;
    q->used = 0;
    a->inflight--;
    if (q->kind == REQ_WALK)
        a->stream_busy[q->stream] = 0;
    if (a->done)
        return 1;
    if (op == NETSNMP_CALLBACK_OP_TIMED_OUT) {
        if (q->kind != REQ_DISCOVER && !a->job && a->replied && a->losses < MAX_LOSSES &&
            reask(a, "lost exchange") == 0) {
            /* An agent that answered lost an exchange (and its retries):
             * a lossy path, or an agent (snmpsim among them) that drops a
             * response that would not fit a datagram instead of answering
             * tooBig.  Ask the same again, smaller: after the first
             * loss a quarter of the repetitions, after another one
             * object per request (a GET: half its objects).  At most
             * MAX_LOSSES per target. */
            if (q->kind == REQ_WALK && ++a->losses == 1 && a->rep > 1) {
                a->rep = (a->rep + 3) / 4;
            } else if (q->kind == REQ_WALK) {
                a->rep = 1;
                a->maxcols = 1;
            } else if (q->kind == REQ_GET) {
                a->losses++;
                a->get_state = 0;
            } else {
                a->losses++;
                for (unsigned j = 0; j < q->ncols; j++)
                    a->pst[q->cols[j]] = 0;
                if (a->pchunk > 1)
                    a->pchunk /= 2;
            }
            return 1;
        }
        if (a->job)
            agent_fail(a, HR_POLL_TIMEOUT, "SET timed out");
        else if (!a->answered)
            agent_fail(a, HR_POLL_TIMEOUT, "no response (timeout %u ms, %u retries)",
                       a->t->timeout_ms ? a->t->timeout_ms : 1000, a->t->retries);
        else if (a->v3 == V3_READY && a->get_state != 2 && a->n_rows == 0)
            /* The engine answered discovery but drops every authenticated
             * request: what an agent does with a wrong privacy key. */
            agent_fail(a, HR_POLL_AUTH, "SNMPv3 engine answers discovery but not "
                       "authenticated requests (wrong passphrase or protocol?)");
        else
            agent_fail(a, HR_POLL_TIMEOUT, "agent stopped answering after %zu rows "
                       "(%u lost exchanges)", a->n_rows, a->losses + 1);
        return 1;
    }
    if (q->kind == REQ_DISCOVER) {
        /* net-snmp 5.9 parses the discovery Report into the session
         * (engine ID, boots, time) and then reports it as a security error
         * (unknown engine ID) or as a Report: either way the session says
         * whether discovery worked; agent_step() checks. */
        note_answer(a, q);
        a->v3 = V3_DISCOVERED;
        return 1;
    }
    if (op == NETSNMP_CALLBACK_OP_SEC_ERROR) {
        /* USM refused the answer: unknown user, wrong digest, ... */
        netsnmp_session *ss = snmp_sess_session(a->sessp);
        int e = pdu && pdu->command == SNMP_MSG_REPORT ? snmpv3_get_report_type(pdu)
                : ss && ss->s_snmp_errno ? ss->s_snmp_errno : SNMPERR_AUTHENTICATION_FAILURE;

        note_answer(a, q);
        agent_fail(a, HR_POLL_AUTH, "SNMPv3 security error: %s", snmp_api_errstring(e));
        return 1;
    }
    if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || !pdu) {
        agent_fail(a, HR_POLL_ERROR, "request could not be sent (%d)", op);
        return 1;
    }
    if (a->t->version != HR_SNMP_V3 && !community_matches(a, pdu)) {
        /* Not the agent's answer (net-snmp matches only the request ID):
         * 0 keeps the request waiting for the real one. */
        a->foreign++;
        q->used = 1;
        a->inflight++;
        if (q->kind == REQ_WALK)
            a->stream_busy[q->stream] = 1;
        return 0;
    }
    note_answer(a, q);
    a->replied = 1;
    if (pdu->command == SNMP_MSG_REPORT) {
        int rt = snmpv3_get_report_type(pdu);

        if (rt == SNMPERR_NOT_IN_TIME_WINDOW) {
            /* net-snmp resends it by itself with the engine's clock. */
            q->used = 1;
            a->inflight++;
            if (q->kind == REQ_WALK)
                a->stream_busy[q->stream] = 1;
            return 1;
        }
        agent_fail(a, HR_POLL_AUTH, "%s: %s", a->job ? "SET refused" : "SNMPv3 report",
                   report_text(pdu));
        return 1;
    }
    if (pdu->command != SNMP_MSG_RESPONSE) {
        agent_fail(a, HR_POLL_MALFORMED, "unexpected PDU type 0x%02x", (unsigned)pdu->command);
        return 1;
    }
    switch (q->kind) {
    case REQ_DISCOVER:
        break;
    case REQ_GET: on_get(a, q, pdu); break;
    case REQ_WALK: on_walk(a, q, pdu); break;
    case REQ_PGET:
    case REQ_PNEXT: on_pitems(a, q, pdu); break;
    case REQ_SET:
        if (pdu->errstat != SNMP_ERR_NOERROR)
            agent_fail(a, HR_POLL_MALFORMED, "SET refused: %s", snmp_errstring((int)pdu->errstat));
        else
            a->done = 1;        /* status ok */
        break;
    }
    return 1;
}

/* ---- requests --------------------------------------------------------- */

/* A request or message ID: 31 random bits, never 0. */
static long random_id(void)
{
    uint32_t v = 0;

    if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
        v = (uint32_t)random() ^ (uint32_t)mono_us();
    v &= 0x7fffffff;
    return v ? (long)v : 1;
}

static struct req *req_new(struct agent *a, enum req_kind kind)
{
    for (size_t i = 0; i < HR_ARRAY_LEN(a->reqs); i++) {
        struct req *q = &a->reqs[i];
        if (!q->used) {
            memset(q, 0, sizeof(*q));
            q->a = a;
            q->kind = kind;
            return q;
        }
    }
    return NULL;
}

static int req_send(struct agent *a, struct req *q, netsnmp_pdu *pdu)
{
    if (a->res.requests >= MAX_REQUESTS) {
        snmp_free_pdu(pdu);
        agent_fail(a, HR_POLL_MALFORMED, "walk did not end after %u requests", MAX_REQUESTS);
        return -1;
    }
    /* net-snmp numbers requests one after the other from a random start:
     * known after one request.  Ours cannot be guessed by whoever does not
     * see the request. */
    pdu->reqid = random_id();
    if (pdu->version == SNMP_VERSION_3)
        pdu->msgid = random_id();
    q->sent_us = mono_us();
    q->used = 1;
    if (snmp_sess_async_send(a->sessp, pdu, on_response, q) == 0) {
        netsnmp_session *s = snmp_sess_session(a->sessp);

        q->used = 0;
        snmp_free_pdu(pdu);    /* net-snmp frees it only on success */
        agent_fail(a, HR_POLL_ERROR, "send failed: %s",
                   snmp_api_errstring(s ? s->s_snmp_errno : snmp_errno));
        return -1;
    }
    a->inflight++;
    a->res.requests++;
    return 0;
}

static void send_discover(struct agent *a)
{
    struct req *q = req_new(a, REQ_DISCOVER);
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);

    if (!q || !pdu) {
        snmp_free_pdu(pdu);
        agent_fail(a, HR_POLL_ERROR, "out of memory");
        return;
    }
    /* What net-snmp's own probe sends: no user, no varbinds, noAuthNoPriv. */
    pdu->version = SNMP_VERSION_3;
    pdu->securityModel = SNMP_SEC_MODEL_USM;
    pdu->securityLevel = SNMP_SEC_LEVEL_NOAUTH;
    pdu->securityName = strdup("");
    pdu->securityNameLen = 0;
    if (!pdu->securityName) {
        snmp_free_pdu(pdu);
        agent_fail(a, HR_POLL_ERROR, "out of memory");
        return;
    }
    if (req_send(a, q, pdu) == 0)
        a->v3 = V3_DISCOVERING;
}

static void send_get(struct agent *a)
{
    struct req *q = req_new(a, REQ_GET);
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);
    int n = 3 - a->v1_get_drop;

    if (!q || !pdu) {
        snmp_free_pdu(pdu);
        agent_fail(a, HR_POLL_ERROR, "out of memory");
        return;
    }
    snmp_add_null_var(pdu, oid_sysuptime, HR_ARRAY_LEN(oid_sysuptime));
    if (n >= 2)
        snmp_add_null_var(pdu, oid_agentversion, HR_ARRAY_LEN(oid_agentversion));
    if (n >= 3)
        snmp_add_null_var(pdu, oid_devcount, HR_ARRAY_LEN(oid_devcount));
    if (req_send(a, q, pdu) == 0)
        a->get_state = 1;
}

/* The SET of the job's registration number. */
static void send_set(struct agent *a)
{
    oid name[] = { HDRM_OID_hdrmDevRegNumber, 0 };
    struct req *q = req_new(a, REQ_SET);
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_SET);

    name[HR_ARRAY_LEN(name) - 1] = a->job->index;
    if (!q || !pdu || !snmp_pdu_add_variable(pdu, name, HR_ARRAY_LEN(name), ASN_OCTET_STR,
                                             a->job->regno, strlen(a->job->regno))) {
        snmp_free_pdu(pdu);
        agent_fail(a, HR_POLL_ERROR, "out of memory");
        return;
    }
    if (req_send(a, q, pdu) == 0)
        a->set_sent = 1;
}

/* Walk the columns of stream S that are not done.  0 if nothing to do. */
static int send_walk(struct agent *a, unsigned s)
{
    struct req *q;
    netsnmp_pdu *pdu;
    int v1 = a->t->version == HR_SNMP_V1;

    q = req_new(a, REQ_WALK);
    if (!q)
        return 0;
    for (unsigned c = a->stream_lo[s]; c <= a->stream_hi[s] && c < a->nwc && q->ncols < a->maxcols; c++)
        if (!a->wc[c].done)
            q->cols[q->ncols++] = (unsigned short)c;
    if (q->ncols == 0)
        return 0;
    pdu = snmp_pdu_create(v1 ? SNMP_MSG_GETNEXT : SNMP_MSG_GETBULK);
    if (!pdu) {
        agent_fail(a, HR_POLL_ERROR, "out of memory");
        return 0;
    }
    q->stream = s;
    q->rep = v1 ? 1 : a->rep;
    if (!v1) {
        pdu->errstat = 0;               /* non-repeaters */
        pdu->errindex = (long)q->rep;   /* max-repetitions */
    }
    for (unsigned j = 0; j < q->ncols; j++) {
        struct col *c = &a->wc[q->cols[j]];
        snmp_add_null_var(pdu, c->cur, c->cur_len);
    }
    if (req_send(a, q, pdu) < 0)
        return 0;
    a->stream_busy[s] = 1;
    return 1;
}

static int walk_done(const struct agent *a)
{
    for (unsigned i = 0; i < a->nwc; i++)
        if (!a->wc[i].done)
            return 0;
    return 1;
}

/* Columns 0..N-1 of agent.wc into streams: two with per_agent 2 (not on
 * SNMPv1, whose GETNEXT gets one answer per column anyway). */
static void streams_split(struct agent *a, unsigned n)
{
    a->n_streams = a->t->version == HR_SNMP_V1 || n < 2 ? 1 : a->per_agent;
    a->stream_lo[0] = 0;
    a->stream_hi[0] = n ? n - 1 : 0;
    if (a->n_streams == 2) {
        a->stream_hi[0] = n / 2 - 1;
        a->stream_lo[1] = n / 2;
        a->stream_hi[1] = n - 1;
    }
    memset(a->stream_busy, 0, sizeof(a->stream_busy));
}

static int slot_take(struct agent *a);

/* The items of kind KIND not yet asked, up to pchunk, in one GET or
 * GETNEXT.  1 if sent. */
static int send_pitems(struct agent *a, enum hr_prof_req kind)
{
    struct req *q;
    netsnmp_pdu *pdu;
    oid name[MAX_OID_LEN];

    for (size_t i = 0; i < a->npit; i++)
        if (a->pit[i].kind == kind && a->pst[i] == 0)
            goto send;
    return 0;
send:
    q = req_new(a, kind == HR_PRQ_GET ? REQ_PGET : REQ_PNEXT);
    pdu = q ? snmp_pdu_create(kind == HR_PRQ_GET ? SNMP_MSG_GET : SNMP_MSG_GETNEXT) : NULL;
    if (!pdu) {
        agent_fail(a, HR_POLL_ERROR, "out of memory");
        return 0;
    }
    for (size_t i = 0; i < a->npit && q->ncols < a->pchunk; i++) {
        const struct hr_prof_item *it = &a->pit[i];
        if (it->kind != kind || a->pst[i] != 0 || it->len > MAX_OID_LEN)
            continue;
        for (size_t k = 0; k < it->len; k++)
            name[k] = it->oid[k];
        snmp_add_null_var(pdu, name, it->len);
        a->pst[i] = 1;
        q->cols[q->ncols++] = (unsigned short)i;
    }
    return req_send(a, q, pdu) == 0;
}

/* Set up the walks of the reader's step: one column per WALK item. */
static int prof_walks(struct agent *a)
{
    unsigned n = 0;

    free(a->pcols);
    a->pcols = NULL;
    for (size_t i = 0; i < a->npit; i++)
        n += a->pit[i].kind == HR_PRQ_WALK && a->pit[i].len <= MAX_OID_LEN;
    if (n && !(a->pcols = calloc(n, sizeof(*a->pcols))))
        return -1;
    n = 0;
    for (size_t i = 0; i < a->npit; i++) {
        const struct hr_prof_item *it = &a->pit[i];
        struct col *c = &a->pcols[n];
        if (it->kind != HR_PRQ_WALK || it->len > MAX_OID_LEN)
            continue;
        c->root = it->oid;
        c->root_len = c->cur_len = it->len;
        c->item = i;
        for (size_t k = 0; k < it->len; k++)
            c->cur[k] = it->oid[k];
        n++;
    }
    a->wc = a->pcols;
    a->nwc = n;
    streams_split(a, n);
    return 0;
}

/* Start reading A through the profiles: the profile its target names, or
 * detection ("" or "auto", after the native phase found no MIB). */
static void prof_start(struct agent *a)
{
    const char *named = a->t->profile;
    char err[256];

    if (!named[0] || strcmp(named, "auto") == 0)
        named = NULL;
    a->prof = 1;
    a->npit = 0;
    a->wc = NULL;
    a->nwc = 0;
    streams_split(a, 0);
    {
        /* After a lost exchange, the sizes stay as small as they got. */
        unsigned rep = a->t->max_repetitions ? a->t->max_repetitions : PROF_REP;
        a->rep = a->losses && a->rep < rep ? a->rep : rep;
        a->maxcols = a->losses && a->maxcols < MAX_VB ? a->maxcols : MAX_VB;
    }
    a->pchunk = MAX_VB;
    if (!(a->pr = hr_prof_reader_new(a->profiles, named, err, sizeof(err))))
        agent_fail(a, HR_POLL_ERROR, "%s", err);
}

/* agent_step() of the profile phase: send what the reader's step needs;
 * when all of it is in, plan the next step; at the end, the result. */
static void prof_step(struct agent *a)
{
    for (;;) {
        int more = 0;
        ssize_t n;

        /* Walks and the reader's requests after the first answer take a
         * walk slot, as the native walk does. */
        if (a->answered && !a->has_slot && !slot_take(a))
            return;
        while (!a->done && a->inflight < a->per_agent) {
            int sent = send_pitems(a, HR_PRQ_GET) || send_pitems(a, HR_PRQ_NEXT);
            for (unsigned s = 0; !sent && !a->done && s < a->n_streams; s++)
                if (!a->stream_busy[s])
                    sent = send_walk(a, s);
            if (!sent)
                break;
        }
        if (a->done || a->inflight > 0)
            return;
        for (size_t i = 0; i < a->npit; i++)
            more |= a->pst[i] != 2 && a->pit[i].kind != HR_PRQ_WALK;
        if (more || !walk_done(a))
            return;
        n = hr_prof_reader_step(a->pr, &a->pit);
        if (n <= 0) {
            a->done = 1;
            a->res.status = n == 0 ? HR_POLL_OK : HR_POLL_NOMIB;
            if (n < 0)
                snprintf(a->res.error, sizeof(a->res.error), "%s%s",
                         a->t->profile[0] && strcmp(a->t->profile, "auto") ? "" :
                         "no HEADROOM-STORAGE-MIB and ", hr_prof_reader_error(a->pr));
            return;
        }
        a->npit = (size_t)n;
        free(a->pst);
        if (!(a->pst = calloc(a->npit, 1)) || prof_walks(a) < 0) {
            agent_fail(a, HR_POLL_ERROR, "out of memory");
            return;
        }
    }
}

/* With profiles, an auto target without our MIB is read through them. */
static int prof_wanted(const struct agent *a)
{
    return a->profiles && strcmp(a->t->profile, "headroom") != 0;
}

/* Decide what to send next; called from the event loop only. */
static void agent_step(struct agent *a)
{
    if (a->done)
        return;
    if (a->v3 == V3_DISCOVERED) {
        netsnmp_session *s = snmp_sess_session(a->sessp);

        if (!s || s->securityEngineIDLen == 0) {
            agent_fail(a, HR_POLL_AUTH, "agent did not report its SNMPv3 engine ID");
            return;
        }
        /* Remember the engine's clock so the first authenticated request is
         * in its time window, then localise the keys for this engine ID. */
        if (s->engineBoots || s->engineTime)
            set_enginetime(s->securityEngineID, (u_int)s->securityEngineIDLen,
                           s->engineBoots, s->engineTime, TRUE);
        if (create_user_from_session(s) != SNMPERR_SUCCESS) {
            agent_fail(a, HR_POLL_ERROR, "cannot set up the SNMPv3 user for this engine");
            return;
        }
        a->v3 = V3_READY;
    }
    if (a->v3 == V3_DISCOVERING)
        return;
    if (a->job) {
        if (!a->set_sent)
            send_set(a);
        return;
    }
    if (a->prof) {
        prof_step(a);
        return;
    }
    if (a->get_state == 0 && a->inflight < a->per_agent)
        send_get(a);
    if (a->get_state == 2 && !a->mib_seen && !a->dev_count_known && prof_wanted(a))
        /* Neither hdrmAgentVersion.0 nor hdrmDeviceCount.0: no need to
         * walk the table, the profiles read this agent. */
        for (unsigned i = 0; i < N_COLS; i++)
            a->cols[i].done = 1;
    for (unsigned s = 0; s < a->n_streams && !a->done; s++) {
        if (a->inflight >= a->per_agent)
            break;
        /* The second stream waits for the GET: it may size GETBULK. */
        if (s > 0 && a->get_state != 2)
            break;
        if (a->stream_busy[s])
            continue;
        /* Walks take one of the `concurrency` slots; first contacts do not. */
        if (!a->has_slot && !slot_take(a))
            break;
        send_walk(a, s);
    }
    if (a->done || a->inflight > 0)
        return;
    if (a->get_state == 2 && walk_done(a)) {
        if (a->n_rows == 0 && !a->mib_seen && prof_wanted(a)) {
            prof_start(a);
            prof_step(a);
            return;
        }
        a->done = 1;
        if (a->n_rows == 0 && !a->mib_seen) {
            a->res.status = HR_POLL_NOMIB;
            snprintf(a->res.error, sizeof(a->res.error),
                     "agent serves no hdrmDeviceTable (HEADROOM-STORAGE-MIB absent)");
        } else {
            a->res.status = HR_POLL_OK;
        }
    }
}

static void agent_timer_refresh(struct agent *a, netsnmp_large_fd_set *scratch, int64_t now)
{
    struct timeval tv = { 0, 0 };
    int block = 1, numfds = 0;

    a->t_timer_us = 0;
    if (!a->sessp || a->done)
        return;
    if (a->fd >= (int)scratch->lfs_setsize)
        netsnmp_large_fd_set_resize(scratch, a->fd + 1024);
    snmp_sess_select_info2_flags(a->sessp, &numfds, scratch, &tv, &block, NETSNMP_SELECT_NOALARMS);
    if (a->fd >= 0)
        NETSNMP_LARGE_FD_CLR(a->fd, scratch);
    if (!block)
        a->t_timer_us = now + (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* ---- the cycle -------------------------------------------------------- */

/* Why JOB cannot be sent at all, or NULL. */
static const char *set_refusal(const struct hr_set_job *job)
{
    if (job->index == 0)
        return "bad device index 0";
    if (strlen(job->regno) > 32)
        return "registration number longer than 32 bytes";
    if (job->target->version == HR_SNMP_V3 && !job->target->v3_write)
        return "the SNMPv3 user of this target may not write";
    return NULL;
}

/* Start polling T, or (JOB non-NULL) the SET of JOB on T. */
static struct agent *agent_start(const struct hr_target *t, struct hr_set_job *job,
                                 const struct hr_poll_opts *o, struct loop *L)
{
    struct agent *a = calloc(1, sizeof(*a));
    const char *why;
    netsnmp_transport *tr;
    unsigned budget;

    if (!a)
        return NULL;
    a->t = t;
    a->L = L;
    a->res.target = t;
    a->res.started = wall_ms();
    a->start_us = mono_us();
    budget = t->budget_ms ? t->budget_ms : 10000;
    a->deadline_us = a->start_us + (int64_t)budget * 1000;
    a->fd = -1;
    a->per_agent = o && o->per_agent >= 2 ? 2 : 1;
    a->profiles = o ? o->profiles : NULL;
    a->rep = t->max_repetitions ? t->max_repetitions : DEFAULT_REP;
    a->maxcols = N_COLS;
    a->wc = a->cols;
    a->nwc = N_COLS;
    streams_split(a, N_COLS);
    for (unsigned c = FIRST_COL; c <= LAST_COL; c++) {
        struct col *cc = &a->cols[c - FIRST_COL];
        memcpy(cc->cur, oid_entry, sizeof(oid_entry));
        cc->cur[ENTRY_LEN] = c;
        cc->cur_len = ENTRY_LEN + 1;
    }
    a->job = job;
    lib_context(a);
    if (job && (why = set_refusal(job)) != NULL) {
        a->done = 1;
        a->res.status = HR_POLL_ERROR;
        hr_strlcpy(a->res.error, why, sizeof(a->res.error));
        return a;
    }
    a->sessp = session_open(t, job && t->version != HR_SNMP_V3, 0, a->res.error,
                            sizeof(a->res.error));
    if (!a->sessp) {
        a->done = 1;
        a->res.status = HR_POLL_ERROR;
        return a;
    }
    /* snmp_sess_open may clear the flag; keep net-snmp from probing
     * synchronously inside snmp_sess_async_send. */
    snmp_sess_session(a->sessp)->flags |= SNMP_FLAGS_DONT_PROBE;
    tr = snmp_sess_transport(a->sessp);
    a->fd = tr ? tr->sock : -1;
    if (a->fd < 0) {
        agent_fail(a, HR_POLL_ERROR, "session has no socket");
        return a;
    }
    if (session_pin_peer(a->sessp, a->res.error, sizeof(a->res.error)) < 0) {
        a->done = 1;
        a->res.status = HR_POLL_ERROR;
        return a;
    }
    if (!job && prof_wanted(a) && t->profile[0] && strcmp(t->profile, "auto") != 0)
        prof_start(a);          /* a named profile: no native walk */
    if (a->done)
        return a;
    if (t->version == HR_SNMP_V3)
        send_discover(a);
    else
        agent_step(a);
    return a;
}

static void agent_finish(struct agent *a, hr_poll_cb cb, void *arg)
{
    struct hr_dev_row *out = NULL;

    a->closing = 1;
    if (a->sessp)
        snmp_sess_close(a->sessp);
    a->sessp = NULL;
    a->res.finished = wall_ms();
    if (a->job) {
        a->job->ok = a->res.status == HR_POLL_OK;
        hr_strlcpy(a->job->error, a->job->ok ? "" : a->res.error, sizeof(a->job->error));
        a->job->requests = a->res.requests;
        a->job->timed_out = a->res.status == HR_POLL_TIMEOUT;
        free(a);
        return;
    }
    if (a->res.status == HR_POLL_OK && a->n_rows) {
        qsort(a->rows, a->n_rows, sizeof(*a->rows), rowx_cmp);
        out = malloc(a->n_rows * sizeof(*out));
        if (!out) {
            a->res.status = HR_POLL_ERROR;
            snprintf(a->res.error, sizeof(a->res.error), "out of memory");
        } else {
            for (size_t i = 0; i < a->n_rows; i++) {
                row_finish(&a->rows[i]);
                out[i] = a->rows[i].r;
            }
            a->res.rows = out;
            a->res.n_rows = a->n_rows;
        }
    }
    if (a->res.status != HR_POLL_OK) {
        a->res.rows = NULL;
        a->res.n_rows = 0;
    }
    if (a->prof && a->res.status == HR_POLL_OK) {
        const struct hr_prof_device *d = hr_prof_reader_device(a->pr);
        a->res.device = d;
        hr_strlcpy(a->res.profile, d->profile->name, sizeof(a->res.profile));
        if (!a->res.sysuptime_known && d->sysuptime_known) {
            a->res.sysuptime = d->sysuptime;
            a->res.sysuptime_known = 1;
        }
    }
    cb(&a->res, arg);
    hr_prof_reader_free(a->pr);
    free(a->pst);
    free(a->pcols);
    free(out);
    rows_drop(a);
    free(a);
}

static void report_unpolled(const struct hr_target *t, hr_poll_cb cb, void *arg, const char *why)
{
    struct hr_poll_result r;

    memset(&r, 0, sizeof(r));
    r.target = t;
    r.status = HR_POLL_ERROR;
    r.started = r.finished = wall_ms();
    snprintf(r.error, sizeof(r.error), "%s", why);
    cb(&r, arg);
}

/* Enough descriptors for CONC sessions plus the caller's own files. */
static void raise_nofile(size_t conc)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < conc + 64) {
        rlim_t want = conc + 64;
        if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max)
            want = rl.rlim_max;
        rl.rlim_cur = want;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            hr_log(LOG_WARNING, "poller: cannot raise the open file limit to %zu", (size_t)want);
    }
}

/* The event loop.  epoll tells which sessions have a datagram, so the
 * work per wakeup follows the answers, not the number of agents in flight;
 * timers (net-snmp's retransmissions, the budgets) are checked by a full
 * pass only when the earliest one noted may have come due. */
struct loop {
    struct agent **act;           /* agents in flight; agent.slot indexes it */
    size_t n_act, conc;
    size_t n_probing, max_open;   /* see park_us() */
    size_t slots_used;            /* walk slots held, at most conc */
    struct agent *wq_head, *wq_tail;
    int epfd;
    struct epoll_event *ev;
    int64_t next_due_us;          /* no timer is due before this */
    netsnmp_large_fd_set rset, scratch;
    size_t max_rows, max_held;    /* per target, and all targets in flight */
    hr_poll_cb cb;
    void *arg;
};

static size_t max_rows(const struct agent *a)
{
    return a->L && a->L->max_rows ? a->L->max_rows : MAX_ROWS;
}

static size_t max_rows_held(const struct agent *a)
{
    return a->L && a->L->max_held ? a->L->max_held : MAX_ROWS_HELD;
}

/* The cycle's rows are all held and A wants one more: the target holding
 * the most rows fails and gives its rows back, unless that is A itself (or
 * no other holds more than A).  So greedy targets fail, not the ones walked
 * late.  0 if room was made. */
static int evict_greediest(struct agent *a)
{
    struct loop *L = a->L;
    struct agent *g = a;

    if (!L)
        return -1;
    for (size_t i = 0; i < L->n_act; i++) {
        struct agent *b = L->act[i];
        if (!b->done && b->n_rows > g->n_rows)
            g = b;
    }
    agent_fail(g, HR_POLL_ERROR, "row memory of the cycle spent (%zu rows): this target "
               "held the most, %zu rows", max_rows_held(a), g->n_rows);
    rows_drop(g);
    L->next_due_us = 0;         /* loop_timers() removes it */
    return g == a ? -1 : 0;
}

/* Scheduling.  `concurrency` bounds two things separately: agents waiting
 * for the answer to their first request ("probing"), and agents walking
 * their table (walk slots).  An agent that answered waits in a FIFO for a
 * walk slot, holding its session; an agent silent for a quarter of its
 * timeout stops counting as probing.  So a dead device's timeout and retry
 * overlap the rest of the cycle wherever it is in the list, and live agents
 * are never queued behind dead ones.  Sessions open at once are bounded by
 * max_open (4 x concurrency).  A quarter of the timeout is far above any
 * real round trip and well below the timeout. */
static int64_t park_us(const struct agent *a)
{
    return (int64_t)(a->t->timeout_ms ? a->t->timeout_ms : 1000) * 250;
}

static void probing_end(struct agent *a)
{
    if (a->probing) {
        a->probing = 0;
        if (a->L)
            a->L->n_probing--;
    }
}

/* Take a walk slot, or queue for one.  Nonzero if taken. */
static int slot_take(struct agent *a)
{
    struct loop *L = a->L;

    if (!L) {                   /* unit tests: no loop, no limit */
        a->has_slot = 1;
        return 1;
    }
    if (!a->queued && L->slots_used < L->conc) {
        a->has_slot = 1;
        L->slots_used++;
        return 1;
    }
    if (!a->queued) {
        a->queued = 1;
        a->wnext = NULL;
        a->wprev = L->wq_tail;
        if (L->wq_tail)
            L->wq_tail->wnext = a;
        else
            L->wq_head = a;
        L->wq_tail = a;
    }
    return 0;
}

static void queue_unlink(struct loop *L, struct agent *a)
{
    if (!a->queued)
        return;
    if (a->wprev)
        a->wprev->wnext = a->wnext;
    else
        L->wq_head = a->wnext;
    if (a->wnext)
        a->wnext->wprev = a->wprev;
    else
        L->wq_tail = a->wprev;
    a->queued = 0;
    a->wnext = a->wprev = NULL;
}

static void loop_note_timers(struct loop *L, const struct agent *a)
{
    if (a->probing && a->start_us + park_us(a) < L->next_due_us)
        L->next_due_us = a->start_us + park_us(a);
    if (a->t_timer_us && a->t_timer_us < L->next_due_us)
        L->next_due_us = a->t_timer_us;
    if (a->deadline_us < L->next_due_us)
        L->next_due_us = a->deadline_us;
}

static void loop_remove(struct loop *L, struct agent *a)
{
    size_t i = a->slot;

    if (a->fd >= 0)
        epoll_ctl(L->epfd, EPOLL_CTL_DEL, a->fd, NULL);
    probing_end(a);
    queue_unlink(L, a);
    if (a->has_slot) {
        a->has_slot = 0;
        L->slots_used--;
    }
    L->act[i] = L->act[--L->n_act];
    L->act[i]->slot = i;
    agent_finish(a, L->cb, L->arg);
}

static void loop_add(struct loop *L, struct agent *a)
{
    struct epoll_event e = { .events = EPOLLIN, .data.ptr = a };

    a->slot = L->n_act;
    L->act[L->n_act++] = a;
    if (!a->done && !a->answered) {
        a->probing = 1;
        L->n_probing++;
    }
    if (!a->done && epoll_ctl(L->epfd, EPOLL_CTL_ADD, a->fd, &e) < 0)
        agent_fail(a, HR_POLL_ERROR, "epoll: %s", strerror(errno));
    if (a->done) {
        loop_remove(L, a);
        return;
    }
    agent_timer_refresh(a, &L->scratch, mono_us());
    loop_note_timers(L, a);
}

/* A datagram for A: let net-snmp read it, then decide what comes next. */
static void loop_read(struct loop *L, struct agent *a)
{
    if (a->fd >= (int)L->rset.lfs_setsize)
        netsnmp_large_fd_set_resize(&L->rset, a->fd + 1024);
    NETSNMP_LARGE_FD_SET(a->fd, &L->rset);
    lib_context(a);
    snmp_sess_read2(a->sessp, &L->rset);
    NETSNMP_LARGE_FD_CLR(a->fd, &L->rset);
    if (!a->done) {
        agent_step(a);
        agent_timer_refresh(a, &L->scratch, mono_us());
        loop_note_timers(L, a);
    }
    if (a->done)
        loop_remove(L, a);
}

/* Retransmissions and budgets: a pass over every agent in flight. */
static void loop_timers(struct loop *L)
{
    int64_t now = mono_us();

    L->next_due_us = now + 1000000;
    for (size_t i = 0; i < L->n_act;) {
        struct agent *a = L->act[i];

        if (!a->done && a->t_timer_us && now >= a->t_timer_us) {
            lib_context(a);
            snmp_sess_timeout(a->sessp);
            if (!a->done)
                agent_step(a);
            agent_timer_refresh(a, &L->scratch, mono_us());
        }
        if (!a->done && now >= a->deadline_us)
            agent_fail(a, HR_POLL_TIMEOUT, "poll budget of %u ms spent after %zu rows",
                       a->t->budget_ms ? a->t->budget_ms : 10000, a->n_rows);
        if (a->done) {
            loop_remove(L, a);     /* moves the last agent into slot i */
            continue;
        }
        if (a->probing && now >= a->start_us + park_us(a))
            probing_end(a);     /* silent so far: probably dead */
        loop_note_timers(L, a);
        i++;
    }
}

/* Give free walk slots to the agents waiting for one, oldest first. */
static void loop_resume(struct loop *L)
{
    while (L->slots_used < L->conc && L->wq_head) {
        struct agent *a = L->wq_head;

        queue_unlink(L, a);
        lib_context(a);
        agent_step(a);          /* takes the slot and sends */
        if (!a->done) {
            agent_timer_refresh(a, &L->scratch, mono_us());
            loop_note_timers(L, a);
        } else {
            loop_remove(L, a);
        }
    }
}

/* Wait up to MS for datagrams and read them: the events handled, or -1. */
static int loop_events(struct loop *L, int ms)
{
    int n = epoll_wait(L->epfd, L->ev, (int)L->max_open, ms);

    if (n < 0) {
        if (errno == EINTR)
            return 0;
        hr_log(LOG_ERR, "poller: epoll_wait: %s", strerror(errno));
        return -1;
    }
    for (int i = 0; i < n; i++) {
        struct agent *a = L->ev[i].data.ptr;

        /* Each agent shows up at most once per batch and is freed only
         * when its own event is handled, so the pointers stay valid. */
        if (!a->done)
            loop_read(L, a);
    }
    return n;
}

static int loop_wait(struct loop *L)
{
    int64_t now = mono_us();
    int ms = L->next_due_us <= now ? 0 : (int)((L->next_due_us - now + 999) / 1000);

    if (loop_events(L, ms) < 0)
        return -1;
    if (mono_us() >= L->next_due_us) {
        /* Answers that came while this batch was handled (a result's
         * store can stall the thread: RRD files created, a commit) are
         * read before any timer fires, so a slow store never times out an
         * agent that answered.  Bounded: a stream of answers cannot hold
         * the timers off for long. */
        for (int round = 0; round < 8; round++) {
            int n = loop_events(L, 0);
            if (n < 0)
                return -1;
            if (n == 0)
                break;
        }
        loop_timers(L);
    }
    loop_resume(L);
    return 0;
}

static void loop_fail_all(struct loop *L, const char *why)
{
    while (L->n_act > 0) {
        struct agent *a = L->act[L->n_act - 1];
        agent_fail(a, HR_POLL_ERROR, "%s", why);
        loop_remove(L, a);
    }
}

static void unpolled(const struct hr_target *targets, struct hr_set_job *jobs, size_t i,
                     hr_poll_cb cb, void *arg, const char *why)
{
    if (jobs) {
        jobs[i].ok = 0;
        hr_strlcpy(jobs[i].error, why, sizeof(jobs[i].error));
    } else {
        report_unpolled(&targets[i], cb, arg, why);
    }
}

/* The engine: poll TARGETS, or (JOBS non-NULL) send the SETs of JOBS. */
static int poll_loop(const struct hr_target *targets, struct hr_set_job *jobs, size_t n,
                     const struct hr_poll_opts *opts, hr_poll_cb cb, void *arg)
{
    struct loop L;
    size_t next = 0;
    int rc = 0;

    hr_snmp_init(NULL);
    memset(&L, 0, sizeof(L));
    L.cb = cb;
    L.arg = arg;
    L.conc = opts && opts->concurrency ? opts->concurrency : 512;
    L.max_rows = opts && opts->max_rows ? opts->max_rows : MAX_ROWS;
    L.max_held = opts && opts->max_rows_held ? opts->max_rows_held : MAX_ROWS_HELD;
    if (L.conc > n)
        L.conc = n ? n : 1;
    L.max_open = L.conc * 4 > n ? (n ? n : 1) : L.conc * 4;
    raise_nofile(L.max_open);
    L.act = calloc(L.max_open, sizeof(*L.act));
    L.ev = calloc(L.max_open, sizeof(*L.ev));
    L.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (!L.act || !L.ev || L.epfd < 0) {
        hr_log(LOG_ERR, "poller: cannot set up the event loop: %s", strerror(errno));
        if (L.epfd >= 0)
            close(L.epfd);
        free(L.act);
        free(L.ev);
        return -1;
    }
    netsnmp_large_fd_set_init(&L.rset, 1024);
    netsnmp_large_fd_set_init(&L.scratch, 1024);
    L.next_due_us = mono_us() + 1000000;
    while (next < n || L.n_act > 0) {
        if (opts && opts->stop && *opts->stop) {
            loop_fail_all(&L, "cycle stopped");
            for (; next < n; next++)
                unpolled(targets, jobs, next, cb, arg, "cycle stopped before this target");
            break;
        }
        while (L.n_probing < L.conc && L.n_act < L.max_open && next < n) {
            struct agent *a = jobs ? agent_start(jobs[next].target, &jobs[next], opts, &L)
                                   : agent_start(&targets[next], NULL, opts, &L);
            if (!a)
                unpolled(targets, jobs, next, cb, arg, "out of memory");
            else
                loop_add(&L, a);
            next++;
        }
        if (L.n_act == 0)
            continue;
        if (loop_wait(&L) < 0) {
            rc = -1;
            loop_fail_all(&L, "poller failure");
            for (; next < n; next++)
                unpolled(targets, jobs, next, cb, arg, "poller failure");
        }
    }
    lib_context(NULL);
    netsnmp_large_fd_set_cleanup(&L.rset);
    netsnmp_large_fd_set_cleanup(&L.scratch);
    close(L.epfd);
    free(L.act);
    free(L.ev);
    return rc;
}

int hr_poll_run(const struct hr_target *targets, size_t n,
                const struct hr_poll_opts *opts, hr_poll_cb cb, void *arg)
{
    return poll_loop(targets, NULL, n, opts, cb, arg);
}

/* ---- SET of the registration number ------------------------------------ */

int hr_poll_set_run(struct hr_set_job *jobs, size_t n, const struct hr_poll_opts *opts)
{
    return poll_loop(NULL, jobs, n, opts, NULL, NULL);
}

int hr_snmp_set_regnumber(const struct hr_target *target, uint32_t index,
                          const char *regno, char *err, size_t errlen)
{
    struct hr_set_job job;

    memset(&job, 0, sizeof(job));
    job.target = target;
    job.index = index;
    if (strlen(regno) >= sizeof(job.regno)) {
        snprintf(err, errlen, "registration number longer than 32 bytes");
        return -1;
    }
    hr_strlcpy(job.regno, regno, sizeof(job.regno));
    if (hr_poll_set_run(&job, 1, NULL) < 0) {
        snprintf(err, errlen, "poller failure");
        return -1;
    }
    if (!job.ok)
        snprintf(err, errlen, "%s", job.error);
    return job.ok ? 0 : -1;
}
