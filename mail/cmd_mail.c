/* cmd_mail.c: `headroom mail`, the outbox from the command line.
 *
 *   headroom mail list [--state STATE]
 *   headroom mail show ID [--raw]
 *   headroom mail flush [transport options] [--all] [--hold-uncertain]
 *   headroom mail retry ID
 *   headroom mail queue --to ADDR [--subject S] [--text-file F] ...
 *
 * Transport settings come from options, else HEADROOM_SMTP_* environment
 * variables; with no SMTP host, mail goes into the local Maildir. */
#include "cmd.h"
#include "db.h"
#include "outbox_db.h"
#include "hr_util.h"
#include "mail.h"
#include "outbox.h"
#include "settings.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdint.h>
#include <time.h>

#define MAX_LIST 64
#define BODY_MAX (16u << 20)

struct mail_opts {
    struct hr_mail_transport t;
    struct hr_outbox_opts o;
    const char *state;
    int raw;
    /* queue */
    const char *from, *from_name, *subject, *text_file, *html_file, *domain;
    struct hr_mail_addr to[MAX_LIST], cc[MAX_LIST];
    size_t nto, ncc;
    const char *attach[MAX_LIST], *headers[MAX_LIST];
    size_t nattach, nheaders;
    int64_t proposal_id;
};

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: headroom mail list [--state STATE]\n"
        "       headroom mail show ID [--raw]\n"
        "       headroom mail flush [OPTIONS]\n"
        "       headroom mail retry ID\n"
        "       headroom mail queue --to ADDR [OPTIONS]\n"
        "The mail outbox: every message is stored before it is sent.\n"
        "\n"
        "Transport (flush; default from HEADROOM_SMTP_HOST, _PORT, _STARTTLS, _USER,\n"
        "_PASSWORD_FILE, _TLS_CA, HEADROOM_MAILDIR, HEADROOM_MAIL_FROM):\n"
        "      --smtp-host HOST          SMTP server; none: deliver into the Maildir\n"
        "      --smtp-port PORT          default 25\n"
        "      --starttls MODE           required | opportunistic | off (default\n"
        "                                opportunistic)\n"
        "      --tls-ca FILE             CA certificates (PEM) that sign the server's\n"
        "                                certificate (default: the system's)\n"
        "      --smtp-user USER          AUTH as USER ...\n"
        "      --smtp-password-file F    ... with the password on F's first line\n"
        "      --timeout SECONDS         per SMTP step (default 60)\n"
        "      --helo NAME               name sent in EHLO (default: host name)\n"
        "      --maildir DIR             default " HR_MAILDIR_DEFAULT "\n"
        "      --from ADDR               envelope sender for flush; From for queue\n"
        "      --all                     also send messages whose retry time has not come\n"
        "      --hold-uncertain          hold, not resend, a message a killed flush may\n"
        "                                have delivered (see docs/mail.md)\n"
        "List and show:\n"
        "      --state STATE             queued, sending, sent, failed or held\n"
        "      --raw                     show: the message only, as stored\n"
        "Queue (a hand-made message, e.g. to test the setup):\n"
        "      --to ADDR, --cc ADDR      recipients (repeatable)\n"
        "      --from-name NAME          display name of the sender\n"
        "      --subject TEXT\n"
        "      --text-file F, --html-file F   the bodies (UTF-8)\n"
        "      --attach FILE[:CID]       image/png part; with CID, inline in the HTML\n"
        "      --header 'NAME: VALUE'    an extra header (repeatable)\n"
        "      --proposal-id N           link to a proposal\n"
        "      --domain DOMAIN           right side of the Message-ID\n"
        "  -h, --help\n"
        "\n"
        "Exit status: 0 done (flush: everything due was delivered), 1 failure,\n"
        "2 usage, 4 flush left messages queued, failed or held.\n");
}

/* ---- database ---- */

/* The collector's hr_db_open: creates the file (mode 0600), WAL, busy
 * timeout, and runs the migrations, the outbox table among them. */
static struct hr_db *db_open(const struct hr_ctx *ctx)
{
    struct hr_db *db = NULL;

    if (hr_db_open_ctx(ctx, HR_DB_CREATE, &db) < 0)
        return NULL;
    return db;
}

static int parse_id(const char *s, int64_t *id)
{
    uint64_t v;

    if (!s || hr_parse_u64(s, &v) < 0 || v == 0 || v > INT64_MAX) {
        hr_log(LOG_ERR, "'%s' is not a message id", s ? s : "");
        return -1;
    }
    *id = (int64_t)v;
    return 0;
}

static void fmt_time(int64_t t, char *out, size_t sz)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (t <= 0 || !localtime_r(&tt, &tm) || !strftime(out, sz, "%Y-%m-%d %H:%M:%S", &tm))
        hr_strlcpy(out, "-", sz);
}

/* ---- list / show / retry ---- */

static int list_one(void *arg, const struct hr_db_outbox_line *l)
{
    char c[32], n[32];

    (void)arg;
    fmt_time(l->created, c, sizeof c);
    fmt_time(l->next, n, sizeof n);
    printf("%-6lld %-8s %5lld  %-19s  %-19s  %s\n%55s%s\n", (long long)l->id, l->state,
           (long long)l->attempts, c, n, l->recipients, "", l->subject);
    if (l->last_error)
        printf("%55serror: %s\n", "", l->last_error);
    return 0;
}

static int cmd_list(struct hr_db *db, const struct mail_opts *mo)
{
    printf("%-6s %-8s %5s  %-19s  %-19s  %s\n", "ID", "STATE", "TRIES", "CREATED",
           "NEXT/SENT", "TO / SUBJECT");
    if (hr_db_outbox_list(db, mo->state, list_one, NULL) < 0) {
        hr_log(LOG_ERR, "outbox: %s", hr_db_errmsg(db));
        return HR_EXIT_FAIL;
    }
    return HR_EXIT_OK;
}

static void show_one(void *arg, const char *const *vals, const void *msg, size_t len)
{
    const struct mail_opts *mo = arg;

    if (!mo->raw) {
        for (size_t i = 0; i < hr_db_outbox_show_ncols; i++) {
            const char *v = vals[i];
            char tb[32];
            if (v && (i == 4 || i == 5 || i == 6)) {
                fmt_time(strtoll(v, NULL, 10), tb, sizeof tb);
                v = tb;
            }
            /* lists are one address per line: show them on one */
            printf("%-16s ", hr_db_outbox_show_cols[i]);
            for (const char *p = v ? v : "-"; *p; p++) {
                if (*p == '\n')
                    fputs(", ", stdout);
                else
                    putchar(*p);
            }
            putchar('\n');
        }
        putchar('\n');
    }
    fwrite(msg, 1, len, stdout);
}

static int cmd_show(struct hr_db *db, const struct mail_opts *mo, const char *ids)
{
    int64_t id;
    int rc;

    if (parse_id(ids, &id) < 0)
        return HR_EXIT_USAGE;
    rc = hr_db_outbox_show(db, id, show_one, (void *)(uintptr_t)mo);
    if (rc < 0) {
        hr_log(LOG_ERR, "outbox: %s", hr_db_errmsg(db));
        return HR_EXIT_FAIL;
    }
    if (rc == 0) {
        hr_log(LOG_ERR, "no message %lld in the outbox", (long long)id);
        return HR_EXIT_FAIL;
    }
    return HR_EXIT_OK;
}

static int cmd_retry(struct hr_db *db, const char *ids)
{
    char err[256];
    int64_t id;

    if (parse_id(ids, &id) < 0)
        return HR_EXIT_USAGE;
    if (hr_outbox_retry(db, id, err, sizeof err) < 0) {
        hr_log(LOG_ERR, "%s", err);
        return HR_EXIT_FAIL;
    }
    printf("message %lld queued, due now\n", (long long)id);
    return HR_EXIT_OK;
}

/* ---- flush ---- */

int hr_mail_flush(struct hr_db *db, const struct hr_mail_transport *t,
                  const struct hr_outbox_opts *o, int quiet)
{
    struct hr_flush_stats st;
    char err[512];

    if (hr_outbox_flush(db, t, o, &st, err, sizeof err) < 0) {
        hr_log(LOG_ERR, "flush: %s", err);
        return HR_EXIT_FAIL;
    }
    if (!quiet)
        printf("flush: %d tried, %d sent, %d deferred, %d failed, %d recovered from an"
               " interrupted flush, %d held\n", st.attempted, st.sent, st.deferred,
               st.failed, st.recovered, st.held);
    return st.deferred + st.failed + st.held ? HR_EXIT_PARTIAL : HR_EXIT_OK;
}

/* ---- queue ---- */

static char *read_body(const char *path)
{
    size_t len;
    char *b = hr_read_file(path, BODY_MAX, &len);

    if (!b) {
        hr_log(LOG_ERR, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (strlen(b) != len) {
        hr_log(LOG_ERR, "%s: holds a NUL byte", path);
        free(b);
        return NULL;
    }
    return b;
}

static int cmd_queue(struct hr_db *db, struct mail_opts *mo)
{
    struct hr_mail_part parts[MAX_LIST];
    struct hr_mail_header hdrs[MAX_LIST];
    char *files[MAX_LIST] = { 0 }, *names[MAX_LIST] = { 0 };
    char *text = NULL, *html = NULL, err[256];
    struct hr_mail m = { 0 };
    int ret = HR_EXIT_FAIL;
    int64_t id;

    if (!mo->from || (!mo->nto && !mo->ncc)) {
        hr_log(LOG_ERR, "queue needs --from (or HEADROOM_MAIL_FROM) and --to");
        return HR_EXIT_USAGE;
    }
    if ((mo->text_file && !(text = read_body(mo->text_file))) ||
        (mo->html_file && !(html = read_body(mo->html_file))))
        goto out_free;
    for (size_t i = 0; i < mo->nattach; i++) {
        char *colon;
        size_t len;
        names[i] = strdup(mo->attach[i]);
        if (!names[i])
            goto out_free;
        colon = strrchr(names[i], ':');
        if (colon)
            *colon++ = '\0';
        files[i] = hr_read_file(names[i], BODY_MAX, &len);
        if (!files[i]) {
            hr_log(LOG_ERR, "%s: %s", names[i], strerror(errno));
            goto out_free;
        }
        const char *base = strrchr(names[i], '/');
        parts[i] = (struct hr_mail_part){ "image/png", base ? base + 1 : names[i], colon,
                                          files[i], len };
    }
    for (size_t i = 0; i < mo->nheaders; i++) {
        const char *c = strchr(mo->headers[i], ':');
        static char namebuf[MAX_LIST][64];
        size_t n = c ? (size_t)(c - mo->headers[i]) : 0;
        if (!c || n == 0 || n >= sizeof namebuf[i]) {
            hr_log(LOG_ERR, "--header '%s': want 'Name: value'", mo->headers[i]);
            ret = HR_EXIT_USAGE;
            goto out_free;
        }
        memcpy(namebuf[i], mo->headers[i], n);
        namebuf[i][n] = '\0';
        hdrs[i] = (struct hr_mail_header){ namebuf[i], c + 1 + strspn(c + 1, " ") };
    }
    m.from = (struct hr_mail_addr){ mo->from_name, mo->from };
    m.to = mo->to;
    m.nto = mo->nto;
    m.cc = mo->cc;
    m.ncc = mo->ncc;
    m.subject = mo->subject;
    m.text = text ? text : (html ? NULL : "");
    m.html = html;
    m.parts = parts;
    m.nparts = mo->nattach;
    m.headers = hdrs;
    m.nheaders = mo->nheaders;
    m.domain = mo->domain;
    id = hr_outbox_queue(db, &m, mo->proposal_id, err, sizeof err);
    if (id < 0) {
        hr_log(LOG_ERR, "queue: %s", err);
        ret = strstr(err, "invalid") || strstr(err, "not allowed") || strstr(err, "bad")
                  ? HR_EXIT_USAGE : HR_EXIT_FAIL;
        goto out_free;
    }
    printf("%lld\n", (long long)id);
    ret = HR_EXIT_OK;
out_free:
    for (size_t i = 0; i < mo->nattach; i++) {
        free(files[i]);
        free(names[i]);
    }
    free(text);
    free(html);
    return ret;
}

/* ---- options ---- */

static int parse_starttls(const char *s, enum hr_starttls *out)
{
    if (strcasecmp(s, "required") == 0)
        *out = HR_STARTTLS_REQUIRED;
    else if (strcasecmp(s, "opportunistic") == 0)
        *out = HR_STARTTLS_OPPORTUNISTIC;
    else if (strcasecmp(s, "off") == 0)
        *out = HR_STARTTLS_OFF;
    else
        return -1;
    return 0;
}


/* NULL for an unset (empty) string setting. */
static const char *nz(const char *s)
{
    return s && *s ? s : NULL;
}

/* The settings (checked when loaded) give the defaults; flags win. */
void hr_mail_transport_defaults(struct hr_mail_transport *t, const struct hr_settings *set)
{
    memset(t, 0, sizeof *t);
    t->smtp_host = nz(set->smtp_host);
    t->smtp_user = nz(set->smtp_user);
    t->smtp_password_file = nz(set->smtp_password_file);
    t->auth_cleartext = set->smtp_auth_cleartext;
    t->tls_ca = nz(set->tls_ca);
    t->maildir = nz(set->maildir);
    /* Unset, the envelope sender is each message's own From. */
    if (hr_settings_explicit(set, "mail-from"))
        t->envelope_from = nz(set->mail_from);
    t->starttls = HR_STARTTLS_OPPORTUNISTIC;
    if (set->smtp_port > 0)
        t->smtp_port = (unsigned)set->smtp_port;
    if (nz(set->starttls))
        parse_starttls(set->starttls, &t->starttls);
}

static void settings_defaults(struct mail_opts *mo, const struct hr_settings *set)
{
    hr_mail_transport_defaults(&mo->t, set);
    /* The explicit mail-from is also the From of `mail queue`; the
     * envelope sender only for flush (hr_cmd_mail). */
    mo->from = mo->t.envelope_from;
    mo->t.envelope_from = NULL;
}

static int add_addr(struct hr_mail_addr *v, size_t *n, const char *a)
{
    if (*n >= MAX_LIST) {
        hr_log(LOG_ERR, "too many recipients (at most %d)", MAX_LIST);
        return -1;
    }
    if (!hr_mail_addr_valid(a)) {
        hr_log(LOG_ERR, "'%s' is not a valid mail address", a);
        return -1;
    }
    v[(*n)++] = (struct hr_mail_addr){ NULL, a };
    return 0;
}

enum {
    O_HOST = 256, O_PORT, O_TLS, O_USER, O_PWFILE, O_MAILDIR, O_FROM, O_TIMEOUT, O_HELO,
    O_ALL, O_HOLD, O_STATE, O_RAW, O_TO, O_CC, O_FROMNAME, O_SUBJECT, O_TEXT, O_HTML,
    O_ATTACH, O_HEADER, O_PROPOSAL, O_DOMAIN, O_TLSCA,
};

/* The transport options, shared with `propose` (hr_mail_transport_option). */
static const struct {
    const char *name;
    int c;
} transport_opts[] = {
    { "smtp-host", O_HOST }, { "smtp-port", O_PORT }, { "starttls", O_TLS },
    { "tls-ca", O_TLSCA }, { "smtp-user", O_USER }, { "smtp-password-file", O_PWFILE },
    { "timeout", O_TIMEOUT }, { "helo", O_HELO }, { "maildir", O_MAILDIR },
};

static int transport_opt(struct hr_mail_transport *t, int c, const char *arg)
{
    long long n;

    switch (c) {
    case O_HOST: t->smtp_host = arg; break;
    case O_PORT:
        if (hr_opt_num("--smtp-port", arg, 1, 65535, &n) < 0)
            return -1;
        t->smtp_port = (unsigned)n;
        break;
    case O_TLS:
        if (parse_starttls(arg, &t->starttls) < 0) {
            hr_log(LOG_ERR, "--starttls '%s': want required, opportunistic or off", arg);
            return -1;
        }
        break;
    case O_USER: t->smtp_user = arg; break;
    case O_TLSCA: t->tls_ca = arg; break;
    case O_PWFILE: t->smtp_password_file = arg; break;
    case O_MAILDIR: t->maildir = arg; break;
    case O_TIMEOUT:
        if (hr_opt_num("--timeout", arg, 0, 3600, &n) < 0)
            return -1;
        t->timeout = (long)n;
        break;
    case O_HELO: t->helo = arg; break;
    default: return -1;
    }
    return 0;
}

int hr_mail_transport_option(struct hr_mail_transport *t, const char *name, const char *arg)
{
    for (size_t i = 0; i < HR_ARRAY_LEN(transport_opts); i++)
        if (strcmp(name, transport_opts[i].name) == 0)
            return transport_opt(t, transport_opts[i].c, arg);
    hr_log(LOG_ERR, "--%s: not a transport option", name);
    return -1;
}

static int parse_opt(struct mail_opts *mo, int c, const char *arg)
{
    long long n;

    for (size_t i = 0; i < HR_ARRAY_LEN(transport_opts); i++)
        if (c == transport_opts[i].c)
            return transport_opt(&mo->t, c, arg);
    switch (c) {
    case O_FROM:
        if (!hr_mail_addr_valid(arg)) {
            hr_log(LOG_ERR, "--from '%s' is not a valid mail address", arg);
            return -1;
        }
        mo->from = arg;
        break;
    case O_ALL: mo->o.ignore_schedule = 1; break;
    case O_HOLD: mo->o.uncertain = HR_UNCERTAIN_HOLD; break;
    case O_STATE: mo->state = arg; break;
    case O_RAW: mo->raw = 1; break;
    case O_TO: return add_addr(mo->to, &mo->nto, arg);
    case O_CC: return add_addr(mo->cc, &mo->ncc, arg);
    case O_FROMNAME: mo->from_name = arg; break;
    case O_SUBJECT: mo->subject = arg; break;
    case O_TEXT: mo->text_file = arg; break;
    case O_HTML: mo->html_file = arg; break;
    case O_ATTACH:
        if (mo->nattach >= MAX_LIST)
            return -1;
        mo->attach[mo->nattach++] = arg;
        break;
    case O_HEADER:
        if (mo->nheaders >= MAX_LIST)
            return -1;
        mo->headers[mo->nheaders++] = arg;
        break;
    case O_PROPOSAL:
        if (hr_opt_num("--proposal-id", arg, 0, INT64_MAX, &n) < 0)
            return -1;
        mo->proposal_id = (int64_t)n;
        break;
    case O_DOMAIN: mo->domain = arg; break;
    default: return -1;
    }
    return 0;
}

int hr_cmd_mail(struct hr_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        { "smtp-host", required_argument, NULL, O_HOST },
        { "smtp-port", required_argument, NULL, O_PORT },
        { "starttls", required_argument, NULL, O_TLS },
        { "smtp-user", required_argument, NULL, O_USER },
        { "tls-ca", required_argument, NULL, O_TLSCA },
        { "smtp-password-file", required_argument, NULL, O_PWFILE },
        { "maildir", required_argument, NULL, O_MAILDIR },
        { "from", required_argument, NULL, O_FROM },
        { "timeout", required_argument, NULL, O_TIMEOUT },
        { "helo", required_argument, NULL, O_HELO },
        { "all", no_argument, NULL, O_ALL },
        { "hold-uncertain", no_argument, NULL, O_HOLD },
        { "state", required_argument, NULL, O_STATE },
        { "raw", no_argument, NULL, O_RAW },
        { "to", required_argument, NULL, O_TO },
        { "cc", required_argument, NULL, O_CC },
        { "from-name", required_argument, NULL, O_FROMNAME },
        { "subject", required_argument, NULL, O_SUBJECT },
        { "text-file", required_argument, NULL, O_TEXT },
        { "html-file", required_argument, NULL, O_HTML },
        { "attach", required_argument, NULL, O_ATTACH },
        { "header", required_argument, NULL, O_HEADER },
        { "proposal-id", required_argument, NULL, O_PROPOSAL },
        { "domain", required_argument, NULL, O_DOMAIN },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct mail_opts mo = { 0 };
    const char *sub;
    struct hr_db *db;
    int c, ret;

    settings_defaults(&mo, ctx->set);
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return HR_EXIT_OK;
        }
        if (c == '?' || parse_opt(&mo, c, optarg) < 0) {
            usage(stderr);
            return HR_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return HR_EXIT_USAGE;
    }
    sub = argv[optind++];
    if (mo.state && strcmp(mo.state, "queued") && strcmp(mo.state, "sending") &&
        strcmp(mo.state, "sent") && strcmp(mo.state, "failed") && strcmp(mo.state, "held")) {
        hr_log(LOG_ERR, "--state '%s': want queued, sending, sent, failed or held", mo.state);
        return HR_EXIT_USAGE;
    }
    int need_id = strcmp(sub, "show") == 0 || strcmp(sub, "retry") == 0;
    if (argc - optind != need_id || (!need_id && strcmp(sub, "list") && strcmp(sub, "flush") &&
                                     strcmp(sub, "queue"))) {
        usage(stderr);
        return HR_EXIT_USAGE;
    }
    if (strcmp(sub, "flush") == 0 && mo.from)
        mo.t.envelope_from = mo.from;
    db = db_open(ctx);
    if (!db)
        return HR_EXIT_FAIL;
    if (strcmp(sub, "list") == 0)
        ret = cmd_list(db, &mo);
    else if (strcmp(sub, "show") == 0)
        ret = cmd_show(db, &mo, argv[optind]);
    else if (strcmp(sub, "retry") == 0)
        ret = cmd_retry(db, argv[optind]);
    else if (strcmp(sub, "flush") == 0)
        ret = hr_mail_flush(db, &mo.t, &mo.o, ctx->quiet);
    else
        ret = cmd_queue(db, &mo);
    hr_db_close(db);
    return ret;
}
