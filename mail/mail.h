/* mail.h: composing proposal mail (mime.c), delivering it by SMTP
 * (smtp.c, the only libesmtp user) or into a local Maildir (maildir.c).
 * The outbox that sits between the two is outbox.h.
 *
 * Every string in a struct hr_mail that can come from a device, a customer
 * record or a catalogue (display names, subject, extra header values,
 * attachment file names) is untrusted: mime.c passes it through hr_sanitize
 * (CR, LF, NUL and other controls become U+FFFD) and then encodes it, so it
 * can never end a header line or start a new one. */
#ifndef HR_MAIL_H
#define HR_MAIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* ---- composition (mime.c) ---- */

struct hr_mail_addr {
    const char *name;           /* display name, UTF-8, untrusted; may be NULL */
    const char *addr;           /* addr-spec: local@domain, validated */
};

struct hr_mail_part {
    const char *content_type;   /* "image/png" */
    const char *filename;       /* untrusted; reduced to [A-Za-z0-9._-] */
    const char *content_id;     /* for <img src="cid:...">; NULL: a plain attachment */
    const void *data;
    size_t len;
};

struct hr_mail_header {
    const char *name;           /* e.g. "X-Headroom-Proposal-Id"; checked */
    const char *value;          /* untrusted */
};

struct hr_mail {
    struct hr_mail_addr from;
    const struct hr_mail_addr *to;
    size_t nto;
    const struct hr_mail_addr *cc;
    size_t ncc;
    /* Envelope-only recipients: never written into the message. */
    const struct hr_mail_addr *bcc;
    size_t nbcc;
    const char *subject;        /* untrusted */
    const char *text;           /* text/plain body, UTF-8 (may be NULL if html) */
    const char *html;           /* text/html body, UTF-8 (may be NULL) */
    const struct hr_mail_part *parts;
    size_t nparts;
    const struct hr_mail_header *headers;
    size_t nheaders;
    const char *domain;         /* right side of Message-ID; NULL: the host name */
    time_t date;                /* 0: now */
};

/* A composed message: DATA is the whole RFC 5322 message with CRLF line
 * endings, ready for SMTP DATA.  MESSAGE_ID includes the angle brackets. */
struct hr_mail_msg {
    char *data;
    size_t len;
    char message_id[256];
    char *subject;              /* the sanitized subject, UTF-8, for listings */
};

/* Compose M into OUT.  0 on success; -1 with a reason in ERR (bad address,
 * bad header name, out of memory ...).  hr_mail_msg_free(OUT) either way. */
int hr_mail_compose(const struct hr_mail *m, struct hr_mail_msg *out,
                    char *err, size_t errsz);
void hr_mail_msg_free(struct hr_mail_msg *msg);

/* Building blocks, public for the body builder and the unit tests.  All
 * return malloc'd strings (NULL only when out of memory) except
 * hr_mail_addr_valid. */

/* & < > " ' as entities; controls other than TAB/LF become U+FFFD. */
char *hr_mail_html_escape(const char *s);
/* Base64 (RFC 2045); LINELEN > 0 inserts CRLF after every LINELEN chars
 * and at the end, 0 gives one line with no CRLF. */
char *hr_mail_base64(const void *data, size_t len, size_t linelen);
/* Quoted-printable (RFC 2045 6.7) of a text: any line ending (LF, CRLF,
 * CR) becomes CRLF, lines at most 76 chars, ends with CRLF. */
char *hr_mail_qp(const char *text);
/* One complete header field, "Name: value\r\n", VALUE sanitized, encoded as
 * RFC 2047 encoded-words when needed and folded under 78 columns. */
char *hr_mail_header_text(const char *name, const char *value);
/* An address header ("From", "To", "Cc"): NULL if an address is invalid. */
char *hr_mail_header_addrs(const char *name, const struct hr_mail_addr *a, size_t n);
/* Nonzero if ADDR is a plain dot-atom addr-spec we are willing to put on
 * the wire (no quoted local parts, no IP literals, no 8-bit, <= 254 chars). */
int hr_mail_addr_valid(const char *addr);

/* ---- transport (smtp.c, maildir.c) ---- */

enum hr_starttls {
    HR_STARTTLS_OFF,            /* never, even if offered */
    HR_STARTTLS_OPPORTUNISTIC,  /* if the server offers it */
    HR_STARTTLS_REQUIRED,       /* or no mail is sent */
};

struct hr_mail_transport {
    const char *smtp_host;      /* NULL or "": deliver into MAILDIR */
    unsigned smtp_port;         /* 0: 25 */
    enum hr_starttls starttls;
    const char *tls_ca;         /* CA file (PEM) to verify the server; NULL: system */
    const char *smtp_user;      /* NULL: no AUTH */
    const char *smtp_password_file;
    int auth_cleartext;         /* AUTH without TLS when STARTTLS is not offered */
    const char *envelope_from;  /* NULL: the message's From address */
    const char *helo;           /* NULL: libesmtp's default (the host name) */
    long timeout;               /* seconds per protocol step; 0: 60 */
    const char *maildir;        /* NULL: HR_MAILDIR_DEFAULT */
};

#include "hr_paths.h"
#define HR_MAILDIR_DEFAULT HR_DEFAULT_MAILDIR

/* Outcome of one delivery attempt, overall and per recipient. */
enum hr_send_status {
    HR_SEND_OK,                 /* 2xx */
    HR_SEND_TEMP,               /* 4xx, connection trouble: try again */
    HR_SEND_PERM,               /* 5xx: never again */
};

struct hr_rcpt {
    const char *addr;
    int code;                   /* SMTP reply to RCPT/DATA; 0 if none */
    enum hr_send_status status; /* filled by the transport */
};

/* Called once the whole message has been handed to the transport and just
 * before the end-of-data marker goes out: from this moment on the server
 * may have the message even if we never hear its reply. */
typedef void (*hr_mail_data_done_fn)(void *arg);

/* Send MSG (LEN bytes, CRLF lines) to RCPTS by SMTP.  Fills each
 * rcpts[i].code/status; returns the worst status over all recipients, and a
 * one-line reason in ERR for anything not OK. */
enum hr_send_status hr_smtp_send(const struct hr_mail_transport *t, const char *sender,
                                 struct hr_rcpt *rcpts, size_t nrcpts,
                                 const char *msg, size_t len,
                                 hr_mail_data_done_fn done, void *done_arg,
                                 char *err, size_t errsz);

/* Read the password file: first line, without its line ending.  Warns
 * (once per call) if the file is readable by group or others.  NULL with
 * ERR set on failure.  The caller frees (the buffer is wiped first). */
char *hr_smtp_read_password(const char *path, char *err, size_t errsz);
void hr_smtp_free_password(char *pw);

/* Deliver MSG into the Maildir DIR (creating DIR/{tmp,new,cur} if needed):
 * write to tmp/ with a unique name, fsync, rename into new/, fsync new/.
 * The stored copy has LF line endings, as local mail readers expect.
 * 0, or -1 with ERR set.  NAME (if not NULL) receives the file name. */
int hr_maildir_deliver(const char *dir, const char *msg, size_t len,
                       char *name, size_t namesz, char *err, size_t errsz);

#endif
