/* outbox.c: the mail outbox on SQLite, and the flush that empties it.
 *
 * Life of a message:
 *   queued --flush--> sending --2xx--> sent
 *                        |----4xx/no connection--> queued (backoff)
 *                        |----5xx----------------> failed (never retried)
 * Each arrow is its own committed UPDATE, so a process killed at any point
 * leaves a row that says how far it got.  While a message is 'sending',
 * data_sent records whether its end-of-data marker may have left: if not,
 * the server cannot have accepted it (RFC 5321 4.1.1.4: the transaction
 * completes only with the final "." and its 250), so a dead flush is
 * retried with no risk of a duplicate.  If it may have, the next flush
 * either sends again with the same Message-ID (default, at-least-once) or
 * holds the message for an administrator.
 *
 * Recipients are tracked one by one: pending_rcpts are still to be tried,
 * delivered_rcpts accepted, refused_rcpts refused for good, so a 4xx for
 * one recipient never resends to another who already has the message. */
#include "outbox.h"
#include "db.h"
#include "outbox_db.h"
#include "hr_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static void set_err(char *err, size_t errsz, const char *what, struct hr_db *db)
{
    snprintf(err, errsz, "%s: %s", what, hr_db_errmsg(db));
}

/* ---- newline-separated address lists ---- */

struct list {
    char *p;
    size_t len, cap;
};

static int list_add(struct list *l, const char *s)
{
    size_t n = strlen(s);

    if (l->len + n + 2 > l->cap) {
        size_t cap = (l->cap + n + 2) * 2;
        char *np = realloc(l->p, cap);
        if (!np)
            return -1;
        l->p = np;
        l->cap = cap;
    }
    if (l->len)
        l->p[l->len++] = '\n';
    memcpy(l->p + l->len, s, n);
    l->len += n;
    l->p[l->len] = '\0';
    return 0;
}

static const char *list_str(const struct list *l)
{
    return l->p ? l->p : "";
}

/* Is ADDR a line of LIST? */
static int list_has(const char *list, const char *addr)
{
    size_t n = strlen(addr);

    for (const char *p = list; *p;) {
        size_t l = strcspn(p, "\n");
        if (l == n && strncmp(p, addr, n) == 0)
            return 1;
        p += l;
        if (*p)
            p++;
    }
    return 0;
}

int64_t hr_outbox_queue(struct hr_db *db, const struct hr_mail *m, int64_t proposal_id,
                        char *err, size_t errsz)
{
    const struct hr_mail_addr *lists[] = { m->to, m->cc, m->bcc };
    size_t counts[] = { m->nto, m->ncc, m->nbcc };
    struct hr_db_outbox_new row;
    struct hr_mail_msg msg;
    struct list rc = { 0 };
    int64_t id = -1;

    if (hr_mail_compose(m, &msg, err, errsz) < 0)
        return -1;
    for (size_t l = 0; l < 3; l++)
        for (size_t i = 0; i < counts[l]; i++)
            if (!list_has(list_str(&rc), lists[l][i].addr) && list_add(&rc, lists[l][i].addr) < 0) {
                snprintf(err, errsz, "out of memory");
                goto out_free;
            }
    row = (struct hr_db_outbox_new){ msg.message_id, m->from.addr, list_str(&rc), msg.subject,
                                     msg.data, msg.len, (int64_t)hr_now(), proposal_id };
    /* Stored (and, outside a transaction, committed) before any send. */
    if ((id = hr_db_outbox_insert(db, &row)) < 0)
        set_err(err, errsz, "outbox insert", db);
out_free:
    free(rc.p);
    hr_mail_msg_free(&msg);
    return id;
}

/* ---- flush ---- */

/* Rows a dead flush left in 'sending'. */
static int recover(struct hr_db *db, const struct hr_outbox_opts *o, time_t now,
                   struct hr_flush_stats *stt)
{
    int n1, n2;

    if (hr_db_outbox_recover(db, (int64_t)now, o->uncertain == HR_UNCERTAIN_HOLD, &n1, &n2) < 0)
        return -1;
    stt->recovered += n1 + n2;
    if (o->uncertain == HR_UNCERTAIN_HOLD)
        stt->held += n2;
    if (n1 + n2)
        hr_log(LOG_WARNING, "outbox: %d message(s) left in 'sending' by an interrupted flush"
               " (%d certainly not delivered, %d maybe delivered)", n1 + n2, n1, n2);
    return 0;
}

/* The row of a message being flushed. */
#define row hr_db_outbox_msg
#define row_free hr_db_outbox_msg_free

static int row_load(struct hr_db *db, int64_t id, struct row *r)
{
    int rc = hr_db_outbox_get(db, id, r);

    if (rc == 0)
        hr_db_outbox_msg_free(r);
    return rc > 0 ? 0 : -1;
}

/* Split the pending list (in place) into recipients. */
static struct hr_rcpt *rcpts_split(char *pending, size_t *n)
{
    size_t cap = 1;
    struct hr_rcpt *v;

    for (const char *p = pending; *p; p++)
        cap += *p == '\n';
    v = calloc(cap, sizeof *v);
    if (!v)
        return NULL;
    *n = 0;
    for (char *tok = strtok(pending, "\n"); tok; tok = strtok(NULL, "\n"))
        if (*tok)
            v[(*n)++].addr = tok;
    return v;
}

static long backoff(const struct hr_outbox_opts *o, int64_t attempts)
{
    long lo = o->backoff_min > 0 ? o->backoff_min : 60;
    long hi = o->backoff_max > 0 ? o->backoff_max : 6 * 3600;
    long d = lo;

    for (int64_t i = 1; i < attempts && d < hi; i++)
        d *= 2;
    return d < hi ? d : hi;
}

struct data_done_arg {
    struct hr_db *db;
    int64_t id;
};

/* The end of data is about to go out: record it before it does. */
static void mark_data_sent(void *arg)
{
    struct data_done_arg *a = arg;

    if (hr_db_outbox_data_sent(a->db, a->id) < 0)
        hr_log(LOG_ERR, "outbox: message %lld: cannot record end of data: %s",
               (long long)a->id, hr_db_errmsg(a->db));
}

static void transport_name(const struct hr_mail_transport *t, char *out, size_t sz)
{
    if (t->smtp_host && *t->smtp_host)
        snprintf(out, sz, "smtp %s:%u", t->smtp_host, t->smtp_port ? t->smtp_port : 25);
    else
        snprintf(out, sz, "maildir %s", t->maildir ? t->maildir : HR_MAILDIR_DEFAULT);
}

/* Deliver row R; fills the recipients' status; returns the overall one. */
static enum hr_send_status deliver(struct hr_db *db, const struct hr_mail_transport *t,
                                   struct row *r, struct hr_rcpt *rc, size_t n,
                                   char *err, size_t errsz)
{
    struct data_done_arg a = { db, r->id };

    if (t->smtp_host && *t->smtp_host) {
        const char *sender = t->envelope_from && *t->envelope_from ? t->envelope_from : r->sender;
        return hr_smtp_send(t, sender, rc, n, r->msg, r->len, mark_data_sent, &a, err, errsz);
    }
    /* One file in the Maildir carries the message for every recipient. */
    mark_data_sent(&a);
    if (hr_maildir_deliver(t->maildir ? t->maildir : HR_MAILDIR_DEFAULT, r->msg, r->len,
                           NULL, 0, err, errsz) < 0) {
        for (size_t i = 0; i < n; i++)
            rc[i].status = HR_SEND_TEMP;
        return HR_SEND_TEMP;
    }
    for (size_t i = 0; i < n; i++) {
        rc[i].status = HR_SEND_OK;
        rc[i].code = 250;
    }
    return HR_SEND_OK;
}

/* Write the outcome of one attempt. */
static int record(struct hr_db *db, const struct hr_outbox_opts *o, time_t now, struct row *r,
                  const struct hr_rcpt *rc, size_t n, const char *err, const char *tname,
                  struct hr_flush_stats *stt)
{
    struct list pend = { 0 }, del = { 0 }, ref = { 0 };
    const char *state;
    int64_t next = now;
    char *msg = NULL;
    int ret = -1;

    if ((*r->delivered && list_add(&del, r->delivered) < 0) ||
        (*r->refused && list_add(&ref, r->refused) < 0))
        goto out_free;
    for (size_t i = 0; i < n; i++) {
        char line[600];
        int e = 0;
        switch (rc[i].status) {
        case HR_SEND_OK: e = list_add(&del, rc[i].addr); break;
        case HR_SEND_TEMP: e = list_add(&pend, rc[i].addr); break;
        case HR_SEND_PERM:
            snprintf(line, sizeof line, "%s: %d", rc[i].addr, rc[i].code);
            e = list_add(&ref, line);
            break;
        }
        if (e < 0)
            goto out_free;
    }
    if (pend.len == 0) {
        state = del.len ? "sent" : "failed";
    } else if (r->created + (o->max_age > 0 ? o->max_age : 5 * 86400) <= now) {
        state = "failed";
        if (asprintf(&msg, "gave up after %lld attempts: %s", (long long)r->attempts, err) < 0)
            msg = NULL;
    } else {
        state = "queued";
        next = now + backoff(o, r->attempts);
    }
    if (!msg)
        msg = strdup(err);
    if (!msg)
        goto out_free;
    struct hr_db_outbox_result res = { state, list_str(&pend), list_str(&del), list_str(&ref),
                                       *msg ? msg : NULL, tname, next, (int64_t)now };
    if (hr_db_outbox_record(db, r->id, &res) < 0)
        goto out_free;
    if (strcmp(state, "sent") == 0)
        stt->sent++;
    else if (strcmp(state, "failed") == 0)
        stt->failed++;
    else
        stt->deferred++;
    hr_log(strcmp(state, "sent") == 0 ? LOG_INFO : LOG_WARNING,
           "outbox: message %lld %s -> %s%s%s", (long long)r->id, r->message_id, state,
           *msg ? ": " : "", msg);
    ret = 0;
out_free:
    free(msg);
    free(pend.p);
    free(del.p);
    free(ref.p);
    return ret;
}

static int flush_one(struct hr_db *db, const struct hr_mail_transport *t,
                     const struct hr_outbox_opts *o, time_t now, int64_t id,
                     struct hr_flush_stats *stt)
{
    struct row r;
    struct hr_rcpt *rc = NULL;
    size_t n = 0;
    char err[1024] = "", tname[300];
    int ch, ret = -1;

    /* Committed before the first byte goes to the server. */
    ch = hr_db_outbox_claim(db, id);
    if (ch <= 0)
        return ch; /* someone retried or changed it meanwhile: skip */
    if (row_load(db, id, &r) < 0)
        return -1;
    rc = rcpts_split(r.pending, &n);
    if (!rc)
        goto out_free;
    stt->attempted++;
    transport_name(t, tname, sizeof tname);
    if (n == 0)
        snprintf(err, sizeof err, "no pending recipients");
    else
        deliver(db, t, &r, rc, n, err, sizeof err);
    /* rc[].addr point into r.pending: keep both alive until recorded */
    ret = record(db, o, now, &r, rc, n, err, tname, stt);
out_free:
    free(rc);
    row_free(&r);
    return ret;
}

/* Only one flush per database: the lock dies with its process, so a flush
 * killed with -9 never blocks the next one. */
static int lock_flush(struct hr_db *db, char *err, size_t errsz)
{
    char path[4096];
    int fd, rc;

    rc = hr_db_outbox_lock_path(db, path, sizeof path);
    if (rc > 0)
        return -2; /* in-memory or temporary database: nothing to share */
    if (rc < 0) {
        snprintf(err, errsz, "database path too long");
        return -1;
    }
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        snprintf(err, errsz, "busy: another 'headroom mail flush' is running (%s)",
                 errno == EWOULDBLOCK ? "lock held" : strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int hr_outbox_flush(struct hr_db *db, const struct hr_mail_transport *t,
                    const struct hr_outbox_opts *o, struct hr_flush_stats *stt,
                    char *err, size_t errsz)
{
    time_t now = o->now ? o->now : hr_now();
    int64_t *ids = NULL;
    size_t nids = 0;
    int lock, ret = -1;

    memset(stt, 0, sizeof *stt);
    lock = lock_flush(db, err, errsz);
    if (lock == -1)
        return -1;
    if (recover(db, o, now, stt) < 0) {
        set_err(err, errsz, "outbox recovery", db);
        goto out_unlock;
    }
    /* Collect the ids first: each send commits, which a live SELECT
     * cursor on the same table would straddle. */
    if (hr_db_outbox_due(db, (int64_t)now, o->ignore_schedule, &ids, &nids) < 0) {
        set_err(err, errsz, "outbox select", db);
        goto out_unlock;
    }
    for (size_t i = 0; i < nids; i++) {
        if (flush_one(db, t, o, now, ids[i], stt) < 0) {
            set_err(err, errsz, "outbox update", db);
            goto out_unlock;
        }
    }
    ret = 0;
out_unlock:
    free(ids);
    if (lock >= 0)
        close(lock);
    return ret;
}

int hr_outbox_retry(struct hr_db *db, int64_t id, char *err, size_t errsz)
{
    struct row r;
    struct list pend = { 0 };
    int ret = -1, rc;

    rc = hr_db_outbox_get(db, id, &r);
    if (rc < 0) {
        set_err(err, errsz, "outbox", db);
        return -1;
    }
    if (rc == 0) {
        snprintf(err, errsz, "no message %lld in the outbox", (long long)id);
        return -1;
    }
    if (strcmp(r.state, "sent") == 0 || strcmp(r.state, "sending") == 0) {
        snprintf(err, errsz, "message %lld is %s; not retried", (long long)id, r.state);
        goto out_free;
    }
    /* Every recipient who has not got it yet is pending again. */
    for (char *tok = strtok(r.recipients, "\n"); tok; tok = strtok(NULL, "\n"))
        if (*tok && !list_has(r.delivered, tok) && list_add(&pend, tok) < 0) {
            snprintf(err, errsz, "out of memory");
            goto out_free;
        }
    if (hr_db_outbox_requeue(db, id, (int64_t)hr_now(), list_str(&pend)) < 0) {
        set_err(err, errsz, "outbox", db);
        goto out_free;
    }
    ret = 0;
out_free:
    free(pend.p);
    row_free(&r);
    return ret;
}
