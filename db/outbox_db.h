/* outbox_db.h: the mail outbox table (db/outbox_db.c); the flush that moves
 * its rows is mail/outbox.c.
 *
 * States: queued -> sending -> sent | queued (retry later) | failed, and
 * held (an uncertain delivery kept for an administrator).  Every call is
 * its own autocommitted statement unless the caller holds a transaction:
 * the flush relies on that (a row says how far a killed flush got).
 * -1 on a database error with the reason in hr_db_errmsg.
 */
#ifndef HR_DB_OUTBOX_H
#define HR_DB_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

struct hr_db;

/* A message to store as queued, due at CREATED.  PROPOSAL_ID 0: none. */
struct hr_db_outbox_new {
    const char *message_id, *sender, *recipients, *subject;
    const void *message;
    size_t len;
    int64_t created, proposal_id;
};
/* The new row's id, or -1. */
int64_t hr_db_outbox_insert(struct hr_db *db, const struct hr_db_outbox_new *m);

/* Rows a dead flush left in 'sending': those whose end of data cannot
 * have left go back to queued (due NOW); the others to held (HOLD) or to
 * queued.  *NOT_SENT and *MAYBE_SENT count them.  0 or -1. */
int hr_db_outbox_recover(struct hr_db *db, int64_t now, int hold, int *not_sent,
                         int *maybe_sent);

/* The ids of queued messages due at NOW (all queued ones with ALL), in
 * id order, into *IDS (malloc'd; *N of them).  0 or -1. */
int hr_db_outbox_due(struct hr_db *db, int64_t now, int all, int64_t **ids, size_t *n);

/* queued -> sending, one more attempt, end of data not sent: 1 done, 0
 * the row was not queued (someone changed it meanwhile), -1 error. */
int hr_db_outbox_claim(struct hr_db *db, int64_t id);

/* The end of data may leave now. */
int hr_db_outbox_data_sent(struct hr_db *db, int64_t id);

/* One message, owned (hr_db_outbox_msg_free). */
struct hr_db_outbox_msg {
    int64_t id, attempts, created;
    char *state, *sender, *recipients, *pending, *delivered, *refused, *message_id;
    char *msg;          /* the RFC 5322 message, NUL-terminated */
    size_t len;
};
/* 1 found (*M filled), 0 no such id, -1 error (ENOMEM too). */
int hr_db_outbox_get(struct hr_db *db, int64_t id, struct hr_db_outbox_msg *m);
void hr_db_outbox_msg_free(struct hr_db_outbox_msg *m);

/* The outcome of one attempt: the row's new state, recipient lists and
 * next attempt; LAST_ERROR NULL for none; SENT_AT is written when STATE
 * is "sent".  0, or -1 (also when no row was changed). */
struct hr_db_outbox_result {
    const char *state, *pending, *delivered, *refused, *last_error, *transport;
    int64_t next_attempt, sent_at;
};
int hr_db_outbox_record(struct hr_db *db, int64_t id, const struct hr_db_outbox_result *r);

/* Queued again, due at NOW, PENDING the recipients still to try, refused
 * ones forgotten.  0, or -1 (also when there is no such row). */
int hr_db_outbox_requeue(struct hr_db *db, int64_t id, int64_t now, const char *pending);

/* The flush lock's file next to the database: "FILE.outbox-lock" into
 * BUF.  0, 1 for a database without a file (nothing to share), -1 when
 * BUF is too small. */
int hr_db_outbox_lock_path(struct hr_db *db, char *buf, size_t sz);

/* `mail list`: each message (only those in STATE unless NULL), in id
 * order.  Strings live for the call; NEXT is sent_at for a sent message,
 * else next_attempt; RECIPIENTS comma-separated.  0, FN's nonzero
 * return, or -1. */
struct hr_db_outbox_line {
    int64_t id, attempts, created, next;
    const char *state, *recipients, *subject, *last_error;
};
int hr_db_outbox_list(struct hr_db *db, const char *state,
                      int (*fn)(void *arg, const struct hr_db_outbox_line *l), void *arg);

/* `mail show`: the columns of message ID as text (NULL for NULL), named
 * by hr_db_outbox_show_cols, and the message.  1 shown, 0 no such id, -1
 * error. */
extern const char *const hr_db_outbox_show_cols[];
extern const size_t hr_db_outbox_show_ncols;
int hr_db_outbox_show(struct hr_db *db, int64_t id,
                      void (*fn)(void *arg, const char *const *vals, const void *msg,
                                 size_t len), void *arg);

#endif
