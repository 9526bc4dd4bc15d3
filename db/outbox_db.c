/* outbox_db.c: the mail outbox table; see outbox_db.h.  The table itself is
 * schema step 3 (schema_mail.c). */
#include "rows_int.h"
#include "outbox_db.h"
#include "hr_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char insert_sql[] =
    "INSERT INTO outbox (message_id, created, sender, recipients, pending_rcpts,"
    " subject, message, state, next_attempt, proposal_id)"
    " VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, 'queued', ?2, ?7)";

int64_t hr_db_outbox_insert(struct hr_db *db, const struct hr_db_outbox_new *m)
{
    sqlite3_stmt *st = hr_db_stmt(db, insert_sql);

    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, m->message_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, m->created);
    sqlite3_bind_text(st, 3, m->sender, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, m->recipients, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, m->subject, -1, SQLITE_STATIC);
    sqlite3_bind_blob64(st, 6, m->message, m->len, SQLITE_STATIC);
    hr_db_bind_i64_if(st, 7, m->proposal_id > 0, m->proposal_id);
    /* Autocommit (outside the caller's transaction): the row is durable
     * when step returns. */
    if (hr_db_step_done(db, st) < 0)
        return -1;
    /* SQLITE_STATIC bindings must not outlive the caller's buffers. */
    sqlite3_clear_bindings(st);
    return sqlite3_last_insert_rowid(db->sq);
}

static const char recover_unsent_sql[] =
    "UPDATE outbox SET state = 'queued', next_attempt = ?1,"
    " last_error = 'a flush was interrupted before the end of data: not delivered, retried'"
    " WHERE state = 'sending' AND data_sent = 0";
static const char recover_hold_sql[] =
    "UPDATE outbox SET state = 'held', data_sent = 0,"
    " last_error = 'a flush was interrupted after the end of data: the server may"
    " have it; held (headroom mail retry ID sends it again)'"
    " WHERE state = 'sending' AND data_sent = 1";
static const char recover_resend_sql[] =
    "UPDATE outbox SET state = 'queued', next_attempt = ?1, data_sent = 0,"
    " last_error = 'a flush was interrupted after the end of data: the server may"
    " have it; sent again with the same Message-ID'"
    " WHERE state = 'sending' AND data_sent = 1";

int hr_db_outbox_recover(struct hr_db *db, int64_t now, int hold, int *not_sent,
                         int *maybe_sent)
{
    if ((*not_sent = hr_db_changes(db, recover_unsent_sql, "I", now)) < 0)
        return -1;
    if (hold)
        *maybe_sent = hr_db_changes(db, recover_hold_sql, "");
    else
        *maybe_sent = hr_db_changes(db, recover_resend_sql, "I", now);
    return *maybe_sent < 0 ? -1 : 0;
}

/* N, the rows an update of outbox row ID changed: 0 if it was one, else
 * -1 (with a message when the row is gone). */
static int one_row(struct hr_db *db, int64_t id, int n)
{
    if (n == 1)
        return 0;
    if (n == 0)
        hr_db_seterr(db, "outbox message %lld is gone", (long long)id);
    return -1;
}

static const char due_sql[] =
    "SELECT id FROM outbox WHERE state = 'queued' AND (next_attempt <= ?1 OR ?2) ORDER BY id";

int hr_db_outbox_due(struct hr_db *db, int64_t now, int all, int64_t **ids, size_t *n)
{
    sqlite3_stmt *st = hr_db_prep(db, due_sql, "Ii", now, all != 0);
    int64_t *v = NULL;
    size_t k = 0, cap = 0;
    int rc;

    *ids = NULL;
    *n = 0;
    if (!st)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (hr_array_grow(&v, &cap, k + 1, sizeof *v) < 0) {
            sqlite3_reset(st);
            free(v);
            hr_db_seterr(db, "out of memory");
            return -1;
        }
        v[k++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        free(v);
        return -1;
    }
    *ids = v;
    *n = k;
    return 0;
}

static const char claim_sql[] =
    "UPDATE outbox SET state = 'sending', attempts = attempts + 1, data_sent = 0"
    " WHERE id = ?1 AND state = 'queued'";
static const char data_sent_sql[] = "UPDATE outbox SET data_sent = 1 WHERE id = ?1";

int hr_db_outbox_claim(struct hr_db *db, int64_t id)
{
    return hr_db_changes(db, claim_sql, "I", id);
}

int hr_db_outbox_data_sent(struct hr_db *db, int64_t id)
{
    return hr_db_run(db, data_sent_sql, "I", id);
}

static char *col_dup(sqlite3_stmt *st, int i, size_t *len)
{
    const void *p = sqlite3_column_blob(st, i);
    size_t n = (size_t)sqlite3_column_bytes(st, i);
    char *d = malloc(n + 1);

    if (!d)
        return NULL;
    if (n)
        memcpy(d, p, n);
    d[n] = '\0';
    if (len)
        *len = n;
    return d;
}

void hr_db_outbox_msg_free(struct hr_db_outbox_msg *m)
{
    free(m->state);
    free(m->sender);
    free(m->recipients);
    free(m->pending);
    free(m->delivered);
    free(m->refused);
    free(m->message_id);
    free(m->msg);
    memset(m, 0, sizeof *m);
}

static const char get_sql[] =
    "SELECT state, sender, recipients, pending_rcpts, delivered_rcpts, refused_rcpts,"
    " message_id, message, attempts, created FROM outbox WHERE id = ?1";

int hr_db_outbox_get(struct hr_db *db, int64_t id, struct hr_db_outbox_msg *m)
{
    sqlite3_stmt *st;
    int rc;

    memset(m, 0, sizeof *m);
    if ((rc = hr_db_row(db, &st, get_sql, "I", id)) <= 0)
        return rc;
    m->id = id;
    m->state = col_dup(st, 0, NULL);
    m->sender = col_dup(st, 1, NULL);
    m->recipients = col_dup(st, 2, NULL);
    m->pending = col_dup(st, 3, NULL);
    m->delivered = col_dup(st, 4, NULL);
    m->refused = col_dup(st, 5, NULL);
    m->message_id = col_dup(st, 6, NULL);
    m->msg = col_dup(st, 7, &m->len);
    m->attempts = sqlite3_column_int64(st, 8);
    m->created = sqlite3_column_int64(st, 9);
    sqlite3_reset(st);
    if (!m->state || !m->sender || !m->recipients || !m->pending || !m->delivered ||
        !m->refused || !m->message_id || !m->msg) {
        hr_db_outbox_msg_free(m);
        hr_db_seterr(db, "out of memory");
        return -1;
    }
    return 1;
}

static const char record_sql[] =
    "UPDATE outbox SET state = ?1, pending_rcpts = ?2, delivered_rcpts = ?3,"
    " refused_rcpts = ?4, next_attempt = ?5, last_error = ?6, transport = ?7,"
    " data_sent = 0, sent_at = CASE WHEN ?1 = 'sent' THEN ?8 ELSE sent_at END"
    " WHERE id = ?9";

int hr_db_outbox_record(struct hr_db *db, int64_t id, const struct hr_db_outbox_result *r)
{
    return one_row(db, id, hr_db_changes(db, record_sql, "ttttIttII", r->state, r->pending,
                                         r->delivered, r->refused, r->next_attempt,
                                         r->last_error, r->transport, r->sent_at, id));
}

static const char requeue_sql[] =
    "UPDATE outbox SET state = 'queued', next_attempt = ?1,"
    " pending_rcpts = ?2, refused_rcpts = '', data_sent = 0 WHERE id = ?3";

int hr_db_outbox_requeue(struct hr_db *db, int64_t id, int64_t now, const char *pending)
{
    return one_row(db, id, hr_db_changes(db, requeue_sql, "ItI", now, pending, id));
}

int hr_db_outbox_lock_path(struct hr_db *db, char *buf, size_t sz)
{
    const char *f = sqlite3_db_filename(db->sq, "main");
    int n;

    if (!f || !*f)
        return 1;   /* in-memory or temporary database */
    n = snprintf(buf, sz, "%s.outbox-lock", f);
    return n < 0 || (size_t)n >= sz ? -1 : 0;
}

static const char list_sql[] =
    "SELECT id, state, attempts, created, CASE WHEN state = 'sent' THEN sent_at"
    " ELSE next_attempt END, replace(recipients, char(10), ','), subject, last_error"
    " FROM outbox WHERE ?1 IS NULL OR state = ?1 ORDER BY id";

int hr_db_outbox_list(struct hr_db *db, const char *state,
                      int (*fn)(void *arg, const struct hr_db_outbox_line *l), void *arg)
{
    sqlite3_stmt *st = hr_db_prep(db, list_sql, "t", state);
    struct hr_db_outbox_line l;
    int rc, ret = 0;

    if (!st)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        hr_db_cols(st, "IsIIIsss", &l.id, &l.state, &l.attempts, &l.created, &l.next,
                   &l.recipients, &l.subject, &l.last_error);
        if ((ret = fn(arg, &l)) != 0)
            break;
    }
    return hr_db_loop_end(st, rc, ret);
}

const char *const hr_db_outbox_show_cols[] = {
    "id", "message_id", "state", "attempts", "created", "next_attempt", "sent_at", "sender",
    "recipients", "pending_rcpts", "delivered_rcpts", "refused_rcpts", "subject",
    "last_error", "transport", "proposal_id", "data_sent",
};
const size_t hr_db_outbox_show_ncols =
    sizeof hr_db_outbox_show_cols / sizeof hr_db_outbox_show_cols[0];

static const char show_sql[] =
    "SELECT id, message_id, state, attempts, created, next_attempt, sent_at, sender,"
    " recipients, pending_rcpts, delivered_rcpts, refused_rcpts, subject, last_error,"
    " transport, proposal_id, data_sent, message FROM outbox WHERE id = ?1";

int hr_db_outbox_show(struct hr_db *db, int64_t id,
                      void (*fn)(void *arg, const char *const *vals, const void *msg,
                                 size_t len), void *arg)
{
    const char *v[sizeof hr_db_outbox_show_cols / sizeof hr_db_outbox_show_cols[0]];
    sqlite3_stmt *st;
    int rc;

    if ((rc = hr_db_row(db, &st, show_sql, "I", id)) <= 0)
        return rc;
    for (size_t i = 0; i < hr_db_outbox_show_ncols; i++)
        v[i] = (const char *)sqlite3_column_text(st, (int)i);
    fn(arg, v, sqlite3_column_blob(st, 17), (size_t)sqlite3_column_bytes(st, 17));
    sqlite3_reset(st);
    return 1;
}
