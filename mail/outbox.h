/* outbox.h: the mail outbox (its table behind db/outbox_db.h).
 *
 * A message is stored, committed, before anything tries to send it; a
 * flush then moves each due message queued -> sending -> sent | queued
 * (retry later) | failed (refused for good).  See docs/mail.md for the
 * delivery guarantees and the one window where a copy may be duplicated. */
#ifndef HR_OUTBOX_H
#define HR_OUTBOX_H

#include "mail.h"

#include <stdint.h>
#include <time.h>

struct hr_db;

/* Compose M and store it as queued, due now.  PROPOSAL_ID 0 stores NULL.
 * Returns the outbox id (> 0), or -1 with ERR. */
int64_t hr_outbox_queue(struct hr_db *db, const struct hr_mail *m, int64_t proposal_id,
                        char *err, size_t errsz);

/* What to do with a message found in state 'sending' whose end of data may
 * have reached the server before the process died (docs/mail.md). */
enum hr_outbox_uncertain {
    HR_UNCERTAIN_RETRY,         /* send again, same Message-ID (at-least-once) */
    HR_UNCERTAIN_HOLD,          /* state 'held' until 'headroom mail retry ID' */
};

struct hr_outbox_opts {
    enum hr_outbox_uncertain uncertain;
    long backoff_min;           /* seconds after the first temporary failure; 0: 60 */
    long backoff_max;           /* cap of the doubling; 0: 6 h */
    long max_age;               /* give up (failed) on temporary errors after; 0: 5 days */
    int ignore_schedule;        /* flush queued messages even if not yet due */
    time_t now;                 /* 0: time(NULL) */
};

struct hr_flush_stats {
    int attempted;              /* messages tried */
    int sent;                   /* now 'sent' */
    int deferred;               /* back to 'queued' */
    int failed;                 /* now 'failed' */
    int recovered;              /* found in 'sending' from a dead flush */
    int held;                   /* of those, put on hold */
};

/* Deliver every due message through T.  Only one flush runs per database
 * (an flock on DB-FILE.outbox-lock; -1 with ERR "busy" if another holds it).
 * Returns 0 when the flush ran (see ST for what happened), -1 with ERR on a
 * database or lock failure. */
int hr_outbox_flush(struct hr_db *db, const struct hr_mail_transport *t,
                    const struct hr_outbox_opts *o, struct hr_flush_stats *st,
                    char *err, size_t errsz);

/* `headroom mail flush`, for that command and for `propose`: flush the
 * outbox of DB through T, print the tally unless QUIET, and say how it
 * went as an exit status: HR_EXIT_OK (everything due was delivered),
 * HR_EXIT_PARTIAL (messages stayed queued, failed or held) or
 * HR_EXIT_FAIL (logged). */
int hr_mail_flush(struct hr_db *db, const struct hr_mail_transport *t,
                  const struct hr_outbox_opts *o, int quiet);

/* The transport from the settings (flags come after): SMTP host, port,
 * STARTTLS, user, password file, CA, Maildir, and the envelope sender when
 * mail-from was set explicitly.  SET is a struct hr_settings. */
struct hr_settings;
void hr_mail_transport_defaults(struct hr_mail_transport *t, const struct hr_settings *set);

/* Apply one transport option, NAME as in `mail flush --NAME ARG`
 * ("smtp-host", "smtp-port", "starttls", "tls-ca", "smtp-user",
 * "smtp-password-file", "timeout", "helo", "maildir").  ARG is kept, not
 * copied.  0, or -1 after logging why. */
int hr_mail_transport_option(struct hr_mail_transport *t, const char *name, const char *arg);

/* Make message ID due now again (from queued, failed or held; a 'failed'
 * one gets back the recipients that had refused it).  0, or -1 with ERR. */
int hr_outbox_retry(struct hr_db *db, int64_t id, char *err, size_t errsz);

#endif
