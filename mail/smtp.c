/* smtp.c: hand one composed message to an SMTP server with libesmtp.
 * The only file that talks to libesmtp.
 *
 * One session per message: the outbox marks each message 'sending' before
 * its own transaction, and the per-recipient replies come back with that
 * message alone, so a failure of one never blurs the state of another.
 * Proposal mail is a few messages a day; the extra connections cost less
 * than the bookkeeping a shared session would need.
 *
 * TLS: we hand libesmtp an SSL_CTX of our own for every session.  Left to
 * itself, libesmtp 1.1 caches one process-wide SSL_CTX but frees it with
 * the first session (destroy_starttls_context), so the second STARTTLS
 * session of a flush would use freed memory; ours also lets the operator
 * name the CA file (--tls-ca) instead of libesmtp's ~/.config/libesmtp. */
#include "mail.h"
#include "hr_util.h"

/* openssl/ssl.h first: libesmtp.h declares smtp_starttls_set_ctx only
 * when it sees OpenSSL's types. */
#include <openssl/ssl.h>
#include <auth-client.h>
#include <libesmtp.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the password file ---- */

char *hr_smtp_read_password(const char *path, char *err, size_t errsz)
{
    struct stat sb;
    char why[PATH_MAX + 200];
    char *pw = hr_secret_file(path, &sb, why, sizeof why);

    /* Others may neither read it nor change it: refused, not warned
     * about (hr_secret_open).  Its group may (a service group sharing
     * it), with a warning. */
    if (!pw) {
        snprintf(err, errsz, "password file %s", why);
        return NULL;
    }
    if (sb.st_mode & (S_IRGRP | S_IWGRP))
        hr_log(LOG_WARNING, "password file %s is accessible by its group (mode %03o);"
               " chmod 600 it", path, (unsigned)(sb.st_mode & 0777));
    return pw;
}

void hr_smtp_free_password(char *pw)
{
    hr_secret_free(pw);
}

/* ---- libesmtp callbacks ---- */

struct feed {
    const char *msg;
    size_t len, off;
    hr_mail_data_done_fn done;
    void *done_arg;
};

/* The message callback: LEN NULL means rewind; a zero *LEN ends the data,
 * after which libesmtp sends the terminating "." -- so that is the moment
 * to tell the outbox the server may now get the whole message. */
static const char *feed_cb(void **ctx, int *len, void *arg)
{
    struct feed *f = arg;
    size_t n;

    (void)ctx;
    if (!len) {
        f->off = 0;
        return NULL;
    }
    if (f->off >= f->len) {
        if (f->done) {
            /* libesmtp takes a nonzero errno after this call for a read
             * error of the message source and abandons the transfer; the
             * database write in done() may well leave one behind. */
            int saved = errno;
            f->done(f->done_arg);
            errno = saved;
        }
        *len = 0;
        return f->msg;
    }
    n = f->len - f->off;
    if (n > 65536)
        n = 65536;
    *len = (int)n;
    f->off += n;
    return f->msg + f->off - n;
}

struct session_info {
    char why[256];      /* a protocol event that ended the session */
    char auth_fail[200];/* the server's reply refusing AUTH */
    int in_auth;
    int tls;            /* STARTTLS done: the session is encrypted */
    int cleartext_ok;   /* AUTH may go out without TLS (explicitly configured) */
    int auth_withheld;  /* we refused to send AUTH in clear */
    auth_context_t auth;/* to allow PLAIN and LOGIN once TLS is up */
    char user[256];     /* libesmtp wants char *: our own copies */
    char *pass;
};

static void event_cb(smtp_session_t session, int event, void *arg, ...)
{
    struct session_info *si = arg;
    va_list ap;

    (void)session;
    va_start(ap, arg);
    switch (event) {
    case SMTP_EV_EXTNA_STARTTLS:
        snprintf(si->why, sizeof si->why, "STARTTLS required but the server does not offer it");
        break;
    case SMTP_EV_INVALID_PEER_CERTIFICATE: {
        long v = va_arg(ap, long);
        snprintf(si->why, sizeof si->why,
                 "TLS: the server certificate does not verify (OpenSSL verify result %ld)", v);
        break;
    }
    case SMTP_EV_NO_PEER_CERTIFICATE:
        snprintf(si->why, sizeof si->why, "TLS: the server presented no certificate");
        break;
    case SMTP_EV_WRONG_PEER_CERTIFICATE:
        snprintf(si->why, sizeof si->why, "TLS: the server certificate is for another name");
        break;
    case SMTP_EV_WEAK_CIPHER:
        snprintf(si->why, sizeof si->why, "TLS: weak cipher refused");
        break;
    case SMTP_EV_STARTTLS_OK:
        si->tls = 1;
        /* now the password is encrypted on the wire */
        if (si->auth)
            auth_set_mechanism_flags(si->auth, AUTH_PLUGIN_PLAIN, 0);
        hr_log(LOG_DEBUG, "smtp: STARTTLS done");
        break;
    default:
        break;
    }
    /* The certificate events pass an int *ok that starts at 0: we leave it
     * so, which makes libesmtp drop the connection (never send in clear
     * or to an unverified server once TLS was asked for). */
    va_end(ap);
}

/* -vv: the protocol exchange, for an operator chasing a refusal.  The
 * AUTH exchange is not shown (it carries the password, merely base64'd).
 * Also notes a refused AUTH: libesmtp then carries on unauthenticated, and
 * the server's 530 to MAIL would otherwise read as a permanent refusal. */
static void monitor_cb(const char *buf, int len, int writing, void *arg)
{
    struct session_info *si = arg;
    size_t n = len > 0 ? (size_t)len : 0;
    char line[300];

    if (n == 0)
        return;
    if (writing == SMTP_CB_WRITING && n >= 4 && strncasecmp(buf, "AUTH", 4) == 0)
        si->in_auth = 1;
    if (writing == SMTP_CB_READING && si->in_auth && n >= 3) {
        if (strncmp(buf, "334", 3) != 0)
            si->in_auth = 0;
        if (buf[0] == '5' || buf[0] == '4') {
            size_t l = strcspn(buf, "\r\n");
            hr_sanitize(si->auth_fail, sizeof si->auth_fail, buf, l < n ? l : n);
        }
    }
    if (writing == SMTP_CB_WRITING && si->in_auth)
        return;
    size_t l = strcspn(buf, "\r\n");
    hr_sanitize(line, sizeof line, buf, l < n ? l : n);
    hr_log(LOG_DEBUG, "smtp %s %s", writing == SMTP_CB_READING ? "<<" : ">>", line);
}

static int interact_cb(auth_client_request_t req, char **result, int fields, void *arg)
{
    struct session_info *si = arg;

    /* libesmtp asks for the credentials just before it sends AUTH (PLAIN
     * carries them in the AUTH line itself): over a connection that is
     * not encrypted they are withheld unless the configuration allows it
     * (starttls off, or smtp-auth-cleartext yes).  Under the default
     * "opportunistic", a server that offers no STARTTLS, or a man in the
     * middle who strips it, gets no password. */
    if (!si->tls && !si->cleartext_ok) {
        si->auth_withheld = 1;
        snprintf(si->why, sizeof si->why,
                 "the server offers no STARTTLS: AUTH not sent in clear (smtp-auth-cleartext"
                 " yes allows it)");
        return 0;
    }
    for (int i = 0; i < fields; i++) {
        if (req[i].flags & AUTH_PASS)
            result[i] = si->pass;
        else if (req[i].flags & AUTH_USER)
            result[i] = si->user;
        else
            result[i] = NULL;
        if (!result[i])
            return 0;
    }
    return 1;
}

/* ---- status ---- */

static enum hr_send_status classify(int code)
{
    if (code >= 200 && code < 300)
        return HR_SEND_OK;
    if (code >= 500 && code < 600)
        return HR_SEND_PERM;
    return HR_SEND_TEMP; /* 4xx, or 0: no reply at all */
}

/* Append "what: code text" to ERR, trimmed to one line. */
static void err_add(char *err, size_t errsz, const char *what, const smtp_status_t *s)
{
    size_t n = strlen(err);
    char text[200] = "";

    /* the reply text ends in CRLF; keep one clean line */
    if (s && s->text)
        hr_sanitize(text, sizeof text, s->text, strcspn(s->text, "\r\n"));
    snprintf(err + n, errsz - n, "%s%s: %d %s", n ? "; " : "", what, s ? s->code : 0, text);
}

static void set_server(smtp_session_t s, const struct hr_mail_transport *t, char *hp, size_t sz)
{
    unsigned port = t->smtp_port ? t->smtp_port : 25;

    /* libesmtp splits host:port at the last colon; bracket IPv6 literals */
    if (strchr(t->smtp_host, ':'))
        snprintf(hp, sz, "[%s]:%u", t->smtp_host, port);
    else
        snprintf(hp, sz, "%s:%u", t->smtp_host, port);
    smtp_set_server(s, hp);
}

static void set_timeouts(smtp_session_t s, long secs)
{
    static const int which[] = { Timeout_GREETING, Timeout_ENVELOPE, Timeout_DATA,
                                 Timeout_TRANSFER, Timeout_DATA2 };
    long ms = (secs > 0 ? secs : 60) * 1000;

    /* RFC 5321 4.5.3.2 asks for minutes; a flush run from cron or by an
     * operator wants to hear of a dead server sooner, so we may override. */
    for (size_t i = 0; i < HR_ARRAY_LEN(which); i++)
        smtp_set_timeout(s, which[i] | Timeout_OVERRIDE_RFC2822_MINIMUM, ms);
}

/* A fresh client SSL_CTX: TLS 1.2 or later, the CA file given or the
 * system's trust store.  libesmtp verifies the chain result and the host
 * name itself (check_acceptable_security) and reports through event_cb. */
static SSL_CTX *tls_ctx_new(const struct hr_mail_transport *t, char *err, size_t errsz)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

    if (!ctx) {
        snprintf(err, errsz, "TLS: cannot create a context");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    /* ...and at most TLS 1.2: a TLS 1.3 server sends session tickets after
     * the handshake, and libesmtp 1.1's reader, meeting them between two
     * replies, now and then gives up on the session and hangs until the
     * timeout (reproduced against aiosmtpd: about 1 session in 20 under
     * load, none with tickets off).  TLS 1.2 has no such records. */
    SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
    if (t->tls_ca && *t->tls_ca) {
        if (SSL_CTX_load_verify_locations(ctx, t->tls_ca, NULL) != 1) {
            snprintf(err, errsz, "TLS: cannot load CA file %s", t->tls_ca);
            SSL_CTX_free(ctx);
            return NULL;
        }
    } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
        snprintf(err, errsz, "TLS: cannot load the system's CA certificates");
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* Read back the replies after smtp_start_session returned. */
static enum hr_send_status collect(smtp_message_t m, struct hr_rcpt *rc, smtp_recipient_t *rr,
                                   size_t n, char *err, size_t errsz)
{
    const smtp_status_t *mail = smtp_reverse_path_status(m);
    const smtp_status_t *data = smtp_message_transfer_status(m);
    enum hr_send_status worst = HR_SEND_OK;

    if (mail && classify(mail->code) == HR_SEND_PERM) {
        /* the sender itself is refused: no recipient can ever get it */
        err_add(err, errsz, "MAIL FROM", mail);
        for (size_t i = 0; i < n; i++) {
            rc[i].code = mail->code;
            rc[i].status = HR_SEND_PERM;
        }
        return HR_SEND_PERM;
    }
    for (size_t i = 0; i < n; i++) {
        const smtp_status_t *r = smtp_recipient_status(rr[i]);
        int code = r ? r->code : 0;
        enum hr_send_status st = classify(code);

        /* An accepted recipient shares the fate of the DATA reply. */
        if (st == HR_SEND_OK && classify(data ? data->code : 0) != HR_SEND_OK) {
            code = data ? data->code : 0;
            st = classify(code);
            r = data;
        }
        rc[i].code = code;
        rc[i].status = st;
        if (st != HR_SEND_OK && code)
            err_add(err, errsz, rc[i].addr, r);
        if (st > worst)
            worst = st;
    }
    return worst;
}

enum hr_send_status hr_smtp_send(const struct hr_mail_transport *t, const char *sender,
                                 struct hr_rcpt *rcpts, size_t nrcpts,
                                 const char *msg, size_t len,
                                 hr_mail_data_done_fn done, void *done_arg,
                                 char *err, size_t errsz)
{
    static const enum starttls_option tlsmode[] = {
        [HR_STARTTLS_OFF] = Starttls_DISABLED,
        [HR_STARTTLS_OPPORTUNISTIC] = Starttls_ENABLED,
        [HR_STARTTLS_REQUIRED] = Starttls_REQUIRED,
    };
    struct session_info si = { .why = "" };
    struct feed f = { msg, len, 0, done, done_arg };
    smtp_recipient_t *rr = NULL;
    auth_context_t auth = NULL;
    smtp_session_t s = NULL;
    SSL_CTX *tls = NULL;
    smtp_message_t m;
    enum hr_send_status ret = HR_SEND_TEMP;
    char hostport[300], *pw = NULL;

    *err = '\0';
    for (size_t i = 0; i < nrcpts; i++) {
        rcpts[i].code = 0;
        rcpts[i].status = HR_SEND_TEMP;
    }
    if (len > (size_t)1 << 30) {
        snprintf(err, errsz, "message too large");
        goto out_perm;
    }
    if (t->smtp_user && *t->smtp_user) {
        if (!t->smtp_password_file) {
            snprintf(err, errsz, "smtp user set but no password file");
            return HR_SEND_TEMP;
        }
        if (strlen(t->smtp_user) >= sizeof si.user) {
            snprintf(err, errsz, "smtp user name too long");
            return HR_SEND_TEMP;
        }
        pw = hr_smtp_read_password(t->smtp_password_file, err, errsz);
        if (!pw)
            return HR_SEND_TEMP;
        hr_strlcpy(si.user, t->smtp_user, sizeof si.user);
        si.pass = pw;
        si.cleartext_ok = t->starttls == HR_STARTTLS_OFF || t->auth_cleartext;
    }
    rr = calloc(nrcpts ? nrcpts : 1, sizeof *rr);
    if (!rr || !(s = smtp_create_session()) || !(m = smtp_add_message(s))) {
        snprintf(err, errsz, "out of memory");
        goto out_free;
    }
    set_server(s, t, hostport, sizeof hostport);
    if (t->helo && *t->helo)
        smtp_set_hostname(s, t->helo);
    set_timeouts(s, t->timeout);
    smtp_set_eventcb(s, event_cb, &si);
    smtp_set_monitorcb(s, monitor_cb, &si, 0);
    if (!smtp_starttls_enable(s, tlsmode[t->starttls])) {
        snprintf(err, errsz, "libesmtp built without STARTTLS support");
        goto out_free;
    }
    if (t->starttls != HR_STARTTLS_OFF) {
        tls = tls_ctx_new(t, err, errsz);
        /* smtp_starttls_set_ctx takes its own reference */
        if (!tls || !smtp_starttls_set_ctx(s, tls))
            goto out_free;
    }
    if (pw) {
        auth_client_init();
        auth = auth_create_context();
        if (!auth) {
            snprintf(err, errsz, "out of memory");
            goto out_free;
        }
        /* PLAIN and LOGIN (AUTH_PLUGIN_PLAIN: the password itself on the
         * wire) only with TLS up or clear text allowed: otherwise libesmtp
         * finds no usable mechanism and sends no AUTH at all. */
        if (si.cleartext_ok)
            auth_set_mechanism_flags(auth, AUTH_PLUGIN_PLAIN, 0);
        si.auth = auth;
        auth_set_interact_cb(auth, interact_cb, &si);
        smtp_auth_set_context(s, auth);
    }
    if (!smtp_set_reverse_path(m, sender) || !smtp_set_messagecb(m, feed_cb, &f)) {
        snprintf(err, errsz, "libesmtp refused the envelope sender");
        goto out_perm;
    }
    for (size_t i = 0; i < nrcpts; i++) {
        rr[i] = smtp_add_recipient(m, rcpts[i].addr);
        if (!rr[i]) {
            snprintf(err, errsz, "out of memory");
            goto out_free;
        }
    }
    /* A server that closes the connection while we write must cost us
     * this message's attempt, not the process: no SIGPIPE for the session
     * (the previous disposition is restored below). */
    struct sigaction ign = { .sa_handler = SIG_IGN }, old_pipe;
    sigemptyset(&ign.sa_mask);
    int restore = sigaction(SIGPIPE, &ign, &old_pipe) == 0;
    int started = smtp_start_session(s);
    if (restore)
        sigaction(SIGPIPE, &old_pipe, NULL);
    if (!started) {
        char eb[128];
        snprintf(err, errsz, "%s: %s", hostport,
                 si.why[0] ? si.why : smtp_strerror(smtp_errno(), eb, sizeof eb));
        goto out_free;
    }
    ret = collect(m, rcpts, rr, nrcpts, err, errsz);
    if (pw && !si.tls && !si.cleartext_ok && !si.auth_withheld && !si.why[0]) {
        si.auth_withheld = 1;
        snprintf(si.why, sizeof si.why, "the server offers no STARTTLS: AUTH not sent in clear"
                 " (smtp-auth-cleartext yes allows it)");
    }
    if (ret != HR_SEND_OK && si.auth_withheld) {
        /* our configuration, not the message, stopped it: keep it queued */
        snprintf(err, errsz, "%s: %s", hostport, si.why);
        for (size_t i = 0; i < nrcpts; i++)
            if (rcpts[i].status == HR_SEND_PERM)
                rcpts[i].status = HR_SEND_TEMP;
        ret = HR_SEND_TEMP;
    } else if (ret != HR_SEND_OK && si.auth_fail[0]) {
        /* our credentials, not the message, were refused: keep it queued */
        snprintf(err, errsz, "%s: AUTH as %s refused: %s", hostport, t->smtp_user, si.auth_fail);
        for (size_t i = 0; i < nrcpts; i++)
            if (rcpts[i].status == HR_SEND_PERM)
                rcpts[i].status = HR_SEND_TEMP;
        ret = HR_SEND_TEMP;
    }
    /* A session that ended early (TLS refused, dropped connection) leaves
     * every status at 0: say why rather than "0". */
    if (ret != HR_SEND_OK && si.why[0]) {
        snprintf(err, errsz, "%s: %s", hostport, si.why);
    } else if (ret != HR_SEND_OK && !*err) {
        /* no reply at all to some step: the connection went away */
        char eb[128];
        int e = smtp_errno();
        snprintf(err, errsz, "%s: the session ended before the server's reply%s%s", hostport,
                 e ? ": " : "", e ? smtp_strerror(e, eb, sizeof eb) : "");
    }
    goto out_free;
out_perm:
    for (size_t i = 0; i < nrcpts; i++)
        rcpts[i].status = HR_SEND_PERM;
    ret = HR_SEND_PERM;
out_free:
    if (s)
        smtp_destroy_session(s);
    SSL_CTX_free(tls);
    if (auth) {
        auth_destroy_context(auth);
        auth_client_exit();
    }
    free(rr);
    hr_smtp_free_password(pw);
    return ret;
}
