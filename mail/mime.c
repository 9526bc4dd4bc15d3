/* mime.c: RFC 5322 / MIME composition of headroom's proposal mail.
 *
 * Structure of a message (RFC 2046, RFC 2387):
 *   text only or html only     a single text part
 *   text + html                multipart/alternative
 *   + inline images (cid)      multipart/alternative { text/plain,
 *                                multipart/related { text/html, image/png... } }
 *   + plain attachments        multipart/mixed { the above, attachments... }
 * The related part sits inside the alternative (as Thunderbird and Apple
 * Mail write it) so that a reader showing the text part never lists the
 * graph as a stray attachment.
 *
 * Header safety: every caller string goes through hr_sanitize, so CR, LF
 * and NUL are U+FFFD before anything is written; values that are not plain
 * short ASCII words are then written as RFC 2047 encoded-words, which only
 * ever contain printable ASCII.  A hostile serial therefore stays inside the
 * Subject however it is spelt.
 *
 * Base64 and quoted-printable are written here: none of the chosen
 * libraries (net-snmp, librrd, SQLite, libesmtp) exports an encoder. */
#include "mail.h"
#include "hr_util.h"
#include "hr_buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#define LINE_MAX_COLS 78      /* RFC 5322 2.1.1 SHOULD */
#define EW_MAX 66             /* an encoded-word, fits after "Subject: " */
#define SUBJECT_MAX 998       /* bytes of sanitized subject we keep */
#define VALUE_MAX 4000        /* bytes of any other sanitized header value */

/* Message text is built in an hr_buf (common/hr_buf.h): an allocation
 * failure latches and is reported once at the end. */

/* ---- encoders ---- */

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64_add(struct hr_buf *b, const unsigned char *s, size_t len, size_t linelen)
{
    size_t col = 0;

    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)s[i] << 16;
        size_t n = len - i;
        char q[4];

        if (n > 1)
            v |= (unsigned)s[i + 1] << 8;
        if (n > 2)
            v |= s[i + 2];
        q[0] = b64chars[(v >> 18) & 63];
        q[1] = b64chars[(v >> 12) & 63];
        q[2] = n > 1 ? b64chars[(v >> 6) & 63] : '=';
        q[3] = n > 2 ? b64chars[v & 63] : '=';
        hr_buf_add(b, q, 4);
        col += 4;
        if (linelen && col >= linelen) {
            hr_buf_add(b, "\r\n", 2);
            col = 0;
        }
    }
    if (linelen && col)
        hr_buf_add(b, "\r\n", 2);
}

char *hr_mail_base64(const void *data, size_t len, size_t linelen)
{
    struct hr_buf b = { 0 };

    /* Lines must hold whole quanta. */
    linelen -= linelen % 4;
    b64_add(&b, data, len, linelen);
    return hr_buf_take(&b);
}

static void qp_line(struct hr_buf *b, const unsigned char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t col = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        char enc[3];
        size_t elen;
        int last = i + 1 == n;

        /* Literal: printable ASCII but '=', and blanks not at the line's
         * end (RFC 2045 6.7 rule 3).  "From " at the start of a line is
         * encoded so that mbox writers need not mangle it. */
        if (((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last)) &&
            !(col == 0 && c == 'F' && n - i >= 5 && memcmp(s + i, "From ", 5) == 0)) {
            enc[0] = (char)c;
            elen = 1;
        } else {
            enc[0] = '=';
            enc[1] = hex[c >> 4];
            enc[2] = hex[c & 15];
            elen = 3;
        }
        /* 75 + "=" soft break = 76 (rule 5); the last char may use col 76. */
        if (col + elen > (last ? 76 : 75)) {
            hr_buf_add(b, "=\r\n", 3);
            col = 0;
        }
        hr_buf_add(b, enc, elen);
        col += elen;
    }
    hr_buf_add(b, "\r\n", 2);
}

char *hr_mail_qp(const char *text)
{
    struct hr_buf b = { 0 };
    const char *p = text;

    while (*p) {
        size_t n = strcspn(p, "\r\n");
        qp_line(&b, (const unsigned char *)p, n);
        p += n;
        if (p[0] == '\r' && p[1] == '\n')
            p += 2;
        else if (*p)
            p++;
    }
    return hr_buf_take(&b);
}

char *hr_mail_html_escape(const char *s)
{
    struct hr_buf b = { 0 };
    char *clean;

    /* hr_sanitize would also turn LF and TAB into U+FFFD; keep those. */
    for (const char *p = s; *p; p++) {
        size_t run = strcspn(p, "&<>\"'\n\t");
        if (run) {
            clean = malloc(run * 3 + 1);
            if (!clean) {
                b.oom = 1;
                break;
            }
            /* sanitize trims leading/trailing blanks: keep them verbatim */
            size_t lead = strspn(p, " "), trail = 0;
            while (trail < run - lead && p[run - 1 - trail] == ' ')
                trail++;
            hr_buf_add(&b, p, lead);
            size_t cl = hr_sanitize(clean, run * 3 + 1, p + lead, run - lead - trail);
            hr_buf_add(&b, clean, cl);
            hr_buf_add(&b, p + run - trail, trail);
            free(clean);
            p += run;
            if (!*p)
                break;
        }
        switch (*p) {
        case '&': hr_buf_puts(&b, "&amp;"); break;
        case '<': hr_buf_puts(&b, "&lt;"); break;
        case '>': hr_buf_puts(&b, "&gt;"); break;
        case '"': hr_buf_puts(&b, "&quot;"); break;
        case '\'': hr_buf_puts(&b, "&#39;"); break;
        default: hr_buf_add(&b, p, 1); break;
        }
    }
    return hr_buf_take(&b);
}

/* ---- header values ---- */

static size_t utf8_seq_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xF0)
        return 4;
    if (c >= 0xE0)
        return 3;
    return 2;
}

/* RFC 2047 5(3): the characters a Q encoded-word may carry literally in
 * any position (phrase included). */
static int q_literal(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
}

/* Header output state: the buffer and the current column. */
struct hdr {
    struct hr_buf *b;
    size_t col;
    int first;          /* no token written yet on the first line */
};

/* Write TOKEN (no blanks inside), preceded by one blank unless it is the
 * first, folding (CRLF SP) when the line would pass 78 columns. */
static void hdr_token(struct hdr *h, const char *tok, size_t n, int space)
{
    if (!h->first && h->col + (space ? 1 : 0) + n > LINE_MAX_COLS) {
        hr_buf_add(h->b, "\r\n ", 3);
        h->col = 1;
    } else if (space) {
        hr_buf_add(h->b, " ", 1);
        h->col++;
    }
    hr_buf_add(h->b, tok, n);
    h->col += n;
    h->first = 0;
}

/* Emit S (valid UTF-8) as encoded-words of at most EW_MAX chars, each one
 * whole characters (RFC 2047 5: a character is never split). */
static void hdr_encoded_words(struct hdr *h, const char *s, int space_before)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), lit = 0;
    int use_b;

    for (size_t i = 0; i < n; i++)
        lit += q_literal(p[i]) || p[i] == ' ';
    /* Q when mostly readable ASCII, B (shorter) otherwise. */
    use_b = lit * 3 < n * 2;
    size_t i = 0;
    int first = 1;
    while (i < n) {
        char word[EW_MAX + 1];
        size_t w = 0, room = EW_MAX - 12; /* "=?UTF-8?X?" + "?=" */
        unsigned char chunk[64];
        size_t cl = 0;

        memcpy(word, use_b ? "=?UTF-8?B?" : "=?UTF-8?Q?", 10);
        w = 10;
        while (i < n) {
            size_t sl = utf8_seq_len(p[i]);
            if (i + sl > n)
                sl = n - i;
            if (use_b) {
                if (((cl + sl + 2) / 3) * 4 > room)
                    break;
                memcpy(chunk + cl, p + i, sl);
                cl += sl;
            } else {
                size_t need = 0;
                for (size_t k = 0; k < sl; k++)
                    need += (q_literal(p[i + k]) || p[i + k] == ' ') ? 1 : 3;
                if (w - 10 + need > room)
                    break;
                for (size_t k = 0; k < sl; k++) {
                    unsigned char c = p[i + k];
                    if (c == ' ') {
                        word[w++] = '_';
                    } else if (q_literal(c)) {
                        word[w++] = (char)c;
                    } else {
                        word[w++] = '=';
                        word[w++] = hex[c >> 4];
                        word[w++] = hex[c & 15];
                    }
                }
            }
            i += sl;
        }
        if (use_b) {
            struct hr_buf tb = { 0 };
            b64_add(&tb, chunk, cl, 0);
            if (tb.oom || tb.len + w + 2 > sizeof word) {
                hr_buf_free(&tb);
                h->b->oom = 1;
                return;
            }
            memcpy(word + w, tb.p, tb.len);
            w += tb.len;
            hr_buf_free(&tb);
        }
        word[w++] = '?';
        word[w++] = '=';
        hdr_token(h, word, w, first ? space_before : 1);
        first = 0;
    }
}

/* Plain ASCII words that need no encoding: printable, no "=?" that a
 * reader could take for an encoded-word, and every word foldable. */
static int plain_ascii(const char *s, size_t maxword)
{
    size_t word = 0;

    if (strstr(s, "=?"))
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 32 || *p > 126)
            return 0;
        word = *p == ' ' ? 0 : word + 1;
        if (word > maxword)
            return 0;
    }
    return 1;
}

/* Sanitize SRC into a malloc'd string of at most MAX bytes, with runs of
 * blanks collapsed (folding can only break at blanks, and a run of them
 * would be changed by unfolding anyway). */
static char *clean_value(const char *src, size_t max)
{
    size_t n = strlen(src);
    char *d = malloc(max + 1);

    if (!d)
        return NULL;
    if (n > max * 4)
        n = max * 4; /* worst case is 3 bytes out per byte in */
    hr_sanitize(d, max + 1, src, n);
    char *o = d;
    for (char *p = d; *p; p++)
        if (!(*p == ' ' && o > d && o[-1] == ' '))
            *o++ = *p;
    *o = '\0';
    return d;
}

static void hdr_unstructured(struct hdr *h, const char *v)
{
    /* 77 - "Name: " of up to ~30 chars still fits a word on a line. */
    if (plain_ascii(v, 45)) {
        const char *p = v;
        while (*p) {
            size_t n = strcspn(p, " ");
            if (n)
                hdr_token(h, p, n, 1);
            p += n;
            while (*p == ' ')
                p++;
        }
        return;
    }
    hdr_encoded_words(h, v, 1);
}

static void hdr_begin(struct hdr *h, struct hr_buf *b, const char *name)
{
    h->b = b;
    hr_buf_puts(b, name);
    hr_buf_add(b, ":", 1);
    h->col = strlen(name) + 1;
    /* The first token stays on the name's line when any token would fit
     * there (short names); after a long name the value may fold right
     * after the colon, which RFC 5322 allows (FWS). */
    h->first = h->col + 1 + EW_MAX <= LINE_MAX_COLS;
}

static void hdr_end(struct hdr *h)
{
    hr_buf_add(h->b, "\r\n", 2);
}

/* RFC 5322 3.2.3 atext */
static int atext(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* dot-atom-text: atext runs separated by single dots. */
static int dot_atom(const char *s, size_t n)
{
    if (n == 0 || s[0] == '.' || s[n - 1] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.') {
            if (s[i + 1] == '.')
                return 0;
        } else if (!atext((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

static int domain_ok(const char *d, size_t n)
{
    if (n == 0 || n > 253 || d[0] == '.' || d[n - 1] == '.' || d[0] == '-')
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)d[i];
        if (c == '.') {
            if (d[i + 1] == '.' || d[i + 1] == '-' || (i > 0 && d[i - 1] == '-'))
                return 0;
        } else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                     (c >= '0' && c <= '9') || c == '-')) {
            return 0;
        }
    }
    return 1;
}

int hr_mail_addr_valid(const char *addr)
{
    const char *at;
    size_t n;

    if (!addr)
        return 0;
    n = strlen(addr);
    at = strrchr(addr, '@');
    if (n > 254 || !at || at == addr || (size_t)(at - addr) > 64)
        return 0;
    return dot_atom(addr, (size_t)(at - addr)) && domain_ok(at + 1, strlen(at + 1));
}

/* The display name: as is when it is atoms, a quoted-string for other
 * short ASCII, encoded-words for anything else. */
static void hdr_phrase(struct hdr *h, const char *name)
{
    int atoms = 1;

    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (!atext(*p) && *p != ' ')
            atoms = 0;
    if (atoms && plain_ascii(name, 40)) {
        hdr_unstructured(h, name);
        return;
    }
    if (plain_ascii(name, 60) && strlen(name) <= 60) {
        struct hr_buf q = { 0 };
        hr_buf_add(&q, "\"", 1);
        for (const char *p = name; *p; p++) {
            if (*p == '"' || *p == '\\')
                hr_buf_add(&q, "\\", 1);
            hr_buf_add(&q, p, 1);
        }
        hr_buf_add(&q, "\"", 1);
        if (q.oom) {
            h->b->oom = 1;
        } else {
            hdr_token(h, q.p, q.len, 1);
        }
        free(q.p);
        return;
    }
    hdr_encoded_words(h, name, 1);
}

static int hdr_addrs(struct hr_buf *b, const char *name, const struct hr_mail_addr *a, size_t n)
{
    struct hdr h;

    for (size_t i = 0; i < n; i++)
        if (!hr_mail_addr_valid(a[i].addr))
            return -1;
    hdr_begin(&h, b, name);
    for (size_t i = 0; i < n; i++) {
        char *dn = a[i].name ? clean_value(a[i].name, 200) : NULL;
        char angle[300];
        int an;

        if (a[i].name && !dn) {
            b->oom = 1;
            return -1;
        }
        if (dn && *dn) {
            hdr_phrase(&h, dn);
            an = snprintf(angle, sizeof angle, "<%s>%s", a[i].addr, i + 1 < n ? "," : "");
        } else {
            an = snprintf(angle, sizeof angle, "%s%s", a[i].addr, i + 1 < n ? "," : "");
        }
        free(dn);
        hdr_token(&h, angle, (size_t)an, 1);
    }
    hdr_end(&h);
    return 0;
}

char *hr_mail_header_addrs(const char *name, const struct hr_mail_addr *a, size_t n)
{
    struct hr_buf b = { 0 };

    if (hdr_addrs(&b, name, a, n) < 0) {
        hr_buf_free(&b);
        return NULL;
    }
    return hr_buf_take(&b);
}

static void hdr_text(struct hr_buf *b, const char *name, const char *value, size_t max)
{
    struct hdr h;
    char *v = clean_value(value, max);

    if (!v) {
        b->oom = 1;
        return;
    }
    hdr_begin(&h, b, name);
    hdr_unstructured(&h, v);
    hdr_end(&h);
    free(v);
}

char *hr_mail_header_text(const char *name, const char *value)
{
    struct hr_buf b = { 0 };

    hdr_text(&b, name, value, VALUE_MAX);
    return hr_buf_take(&b);
}

/* ---- the message ---- */

static void fmt_date(struct hr_buf *b, time_t t)
{
    static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char *const mons[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    struct tm tm;

    if (!localtime_r(&t, &tm)) {
        b->oom = 1;
        return;
    }
    long off = tm.tm_gmtoff / 60;
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    /* RFC 5322 3.3, English names whatever the locale. */
    hr_buf_printf(b, "Date: %s, %d %s %04d %02d:%02d:%02d %c%02ld%02ld\r\n",
                  days[tm.tm_wday % 7], tm.tm_mday, mons[tm.tm_mon % 12], tm.tm_year + 1900,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 60, off % 60);
}

static void random_hex(char *out, size_t nbytes)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char r[32];

    if (nbytes > sizeof r)
        nbytes = sizeof r;
    if (getrandom(r, nbytes, 0) != (ssize_t)nbytes) {
        /* No entropy source: time and pid still make it unique enough
         * together with the counter in the Message-ID. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        for (size_t i = 0; i < nbytes; i++)
            r[i] = (unsigned char)((ts.tv_nsec >> (i % 4 * 8)) ^ (getpid() >> (i % 2 * 8)) ^ i);
    }
    for (size_t i = 0; i < nbytes; i++) {
        out[2 * i] = hex[r[i] >> 4];
        out[2 * i + 1] = hex[r[i] & 15];
    }
    out[2 * nbytes] = '\0';
}

static void msgid_domain(const char *configured, char *out, size_t sz)
{
    char host[256];

    if (configured && strlen(configured) < sz && domain_ok(configured, strlen(configured))) {
        hr_strlcpy(out, configured, sz);
        return;
    }
    if (gethostname(host, sizeof host) == 0) {
        host[sizeof host - 1] = '\0';
        if (strlen(host) < sz && domain_ok(host, strlen(host))) {
            hr_strlcpy(out, host, sz);
            return;
        }
    }
    hr_strlcpy(out, "headroom.invalid", sz);
}

/* Restrict a file name to characters that need no quoting or RFC 2231. */
static void safe_filename(const char *in, char *out, size_t sz)
{
    size_t o = 0;

    for (const char *p = in ? in : ""; *p && o + 1 < sz && o < 60; p++) {
        unsigned char c = (unsigned char)*p;
        int keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                   (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
        if (!keep && o > 0 && out[o - 1] == '_')
            continue;
        out[o++] = keep ? (char)c : '_';
    }
    out[o] = '\0';
    if (o == 0 || out[0] == '.')
        hr_strlcpy(out, "attachment.bin", sz);
}

static int content_type_ok(const char *ct)
{
    const char *slash = ct ? strchr(ct, '/') : NULL;

    if (!slash || slash == ct || !slash[1] || strlen(ct) > 100)
        return 0;
    for (const char *p = ct; *p; p++)
        if (p != slash && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                            (*p >= '0' && *p <= '9') || strchr("!#$&-^_.+", *p)))
            return 0;
    return 1;
}

/* A header name we accept from callers: ftext (RFC 5322 2.2), and none of
 * the fields this file writes itself. */
static int extra_header_ok(const char *name)
{
    static const char *const own[] = { "Date", "From", "Sender", "To", "Cc", "Bcc",
        "Subject", "Message-ID", "MIME-Version", "Reply-To", "Auto-Submitted",
        "Return-Path", "Received" };
    size_t n = name ? strlen(name) : 0;

    if (n == 0 || n > 60)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (name[i] < 33 || name[i] > 126 || name[i] == ':')
            return 0;
    if (strncasecmp(name, "Content-", 8) == 0)
        return 0;
    for (size_t i = 0; i < HR_ARRAY_LEN(own); i++)
        if (strcasecmp(name, own[i]) == 0)
            return 0;
    return 1;
}

static void text_part(struct hr_buf *b, const char *subtype, const char *body)
{
    char *qp = hr_mail_qp(body);

    if (!qp) {
        b->oom = 1;
        return;
    }
    hr_buf_printf(b, "Content-Type: text/%s; charset=UTF-8\r\n"
                  "Content-Transfer-Encoding: quoted-printable\r\n\r\n", subtype);
    hr_buf_puts(b, qp);
    free(qp);
}

static void binary_part(struct hr_buf *b, const struct hr_mail_part *p, const char *domain)
{
    char fn[64];

    safe_filename(p->filename, fn, sizeof fn);
    hr_buf_printf(b, "Content-Type: %s; name=\"%s\"\r\n"
                  "Content-Transfer-Encoding: base64\r\n", p->content_type, fn);
    if (p->content_id) {
        if (strchr(p->content_id, '@'))
            hr_buf_printf(b, "Content-ID: <%s>\r\n", p->content_id);
        else
            hr_buf_printf(b, "Content-ID: <%s@%s>\r\n", p->content_id, domain);
        hr_buf_printf(b, "Content-Disposition: inline; filename=\"%s\"\r\n\r\n", fn);
    } else {
        hr_buf_printf(b, "Content-Disposition: attachment; filename=\"%s\"\r\n\r\n", fn);
    }
    b64_add(b, p->data, p->len, 76);
}

/* Boundaries start with "=_": that pair never occurs in quoted-printable
 * or base64 output, so no body line can ever look like a boundary. */
static void boundary_new(char *out, size_t sz, const char *tag)
{
    char r[33];

    random_hex(r, 12);
    snprintf(out, sz, "=_hr_%s_%s", tag, r);
}

static void multipart_begin(struct hr_buf *b, const char *subtype, const char *bnd)
{
    hr_buf_printf(b, "Content-Type: multipart/%s;\r\n boundary=\"%s\"\r\n\r\n", subtype, bnd);
}

static void related_html(struct hr_buf *b, const struct hr_mail *m, const char *domain)
{
    char bnd[64];

    boundary_new(bnd, sizeof bnd, "rel");
    hr_buf_printf(b, "Content-Type: multipart/related;\r\n type=\"text/html\";"
                  " boundary=\"%s\"\r\n\r\n", bnd);
    hr_buf_printf(b, "--%s\r\n", bnd);
    text_part(b, "html", m->html);
    for (size_t i = 0; i < m->nparts; i++) {
        if (!m->parts[i].content_id)
            continue;
        hr_buf_printf(b, "--%s\r\n", bnd);
        binary_part(b, &m->parts[i], domain);
    }
    hr_buf_printf(b, "--%s--\r\n", bnd);
}

static void body_alternative(struct hr_buf *b, const struct hr_mail *m, const char *domain,
                             int inline_parts)
{
    char bnd[64];

    if (!m->html) {
        text_part(b, "plain", m->text);
        return;
    }
    if (!m->text) {
        if (inline_parts)
            related_html(b, m, domain);
        else
            text_part(b, "html", m->html);
        return;
    }
    boundary_new(bnd, sizeof bnd, "alt");
    multipart_begin(b, "alternative", bnd);
    hr_buf_printf(b, "--%s\r\n", bnd);
    text_part(b, "plain", m->text);
    hr_buf_printf(b, "--%s\r\n", bnd);
    if (inline_parts)
        related_html(b, m, domain);
    else
        text_part(b, "html", m->html);
    hr_buf_printf(b, "--%s--\r\n", bnd);
}

static void body_all(struct hr_buf *b, const struct hr_mail *m, const char *domain)
{
    size_t ninline = 0, nattach = 0;
    char bnd[64];

    for (size_t i = 0; i < m->nparts; i++) {
        if (m->parts[i].content_id && m->html)
            ninline++;
        else
            nattach++;
    }
    if (!nattach) {
        body_alternative(b, m, domain, ninline > 0);
        return;
    }
    boundary_new(bnd, sizeof bnd, "mix");
    multipart_begin(b, "mixed", bnd);
    hr_buf_printf(b, "--%s\r\n", bnd);
    body_alternative(b, m, domain, ninline > 0);
    for (size_t i = 0; i < m->nparts; i++) {
        if (m->parts[i].content_id && m->html)
            continue;
        struct hr_mail_part p = m->parts[i];
        p.content_id = NULL;
        hr_buf_printf(b, "--%s\r\n", bnd);
        binary_part(b, &p, domain);
    }
    hr_buf_printf(b, "--%s--\r\n", bnd);
}

/* A Content-ID (RFC 2392): "local" (we add @domain) or "local@domain". */
static int content_id_ok(const char *cid)
{
    const char *at = strchr(cid, '@');
    size_t n = strlen(cid);

    if (n > 100)
        return 0;
    if (!at)
        return dot_atom(cid, n);
    return dot_atom(cid, (size_t)(at - cid)) && domain_ok(at + 1, strlen(at + 1));
}

static int check_input(const struct hr_mail *m, char *err, size_t errsz)
{
    if (!hr_mail_addr_valid(m->from.addr)) {
        snprintf(err, errsz, "invalid From address");
        return -1;
    }
    if (m->nto + m->ncc + m->nbcc == 0) {
        snprintf(err, errsz, "no recipients");
        return -1;
    }
    const struct hr_mail_addr *lists[] = { m->to, m->cc, m->bcc };
    size_t counts[] = { m->nto, m->ncc, m->nbcc };
    for (size_t l = 0; l < 3; l++)
        for (size_t i = 0; i < counts[l]; i++)
            if (!hr_mail_addr_valid(lists[l][i].addr)) {
                snprintf(err, errsz, "invalid recipient address");
                return -1;
            }
    if (!m->text && !m->html) {
        snprintf(err, errsz, "no body");
        return -1;
    }
    for (size_t i = 0; i < m->nparts; i++) {
        const struct hr_mail_part *p = &m->parts[i];
        if (!content_type_ok(p->content_type) || (!p->data && p->len)) {
            snprintf(err, errsz, "attachment %zu: bad content type or data", i + 1);
            return -1;
        }
        if (p->content_id && !content_id_ok(p->content_id)) {
            snprintf(err, errsz, "attachment %zu: bad content id", i + 1);
            return -1;
        }
    }
    for (size_t i = 0; i < m->nheaders; i++)
        if (!extra_header_ok(m->headers[i].name) || !m->headers[i].value) {
            snprintf(err, errsz, "header %zu: name not allowed", i + 1);
            return -1;
        }
    return 0;
}

static unsigned msgid_counter;

int hr_mail_compose(const struct hr_mail *m, struct hr_mail_msg *out, char *err, size_t errsz)
{
    struct hr_buf b = { 0 };
    char domain[160], rnd[33];
    time_t now = m->date ? m->date : hr_now();
    struct tm tm;

    memset(out, 0, sizeof *out);
    if (check_input(m, err, errsz) < 0)
        return -1;
    msgid_domain(m->domain, domain, sizeof domain);
    random_hex(rnd, 10);
    gmtime_r(&now, &tm);
    snprintf(out->message_id, sizeof out->message_id,
             "<%04d%02d%02d%02d%02d%02d.%ld.%u.%s@%s>", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)getpid(), msgid_counter++,
             rnd, domain);
    out->subject = clean_value(m->subject ? m->subject : "", SUBJECT_MAX);
    if (!out->subject)
        goto out_oom;

    fmt_date(&b, now);
    hdr_addrs(&b, "From", &m->from, 1);
    if (m->nto)
        hdr_addrs(&b, "To", m->to, m->nto);
    if (m->ncc)
        hdr_addrs(&b, "Cc", m->cc, m->ncc);
    hdr_text(&b, "Subject", out->subject, SUBJECT_MAX);
    hr_buf_printf(&b, "Message-ID: %s\r\n", out->message_id);
    /* RFC 3834: machine-generated, so no vacation auto-replies. */
    hr_buf_puts(&b, "Auto-Submitted: auto-generated\r\n");
    for (size_t i = 0; i < m->nheaders; i++)
        hdr_text(&b, m->headers[i].name, m->headers[i].value, VALUE_MAX);
    hr_buf_puts(&b, "MIME-Version: 1.0\r\n");
    body_all(&b, m, domain);
    if (b.oom)
        goto out_oom;
    out->len = b.len;
    out->data = hr_buf_take(&b);
    return 0;
out_oom:
    hr_buf_free(&b);
    hr_mail_msg_free(out);
    snprintf(err, errsz, "out of memory");
    return -1;
}

void hr_mail_msg_free(struct hr_mail_msg *msg)
{
    if (!msg)
        return;
    free(msg->data);
    free(msg->subject);
    msg->data = NULL;
    msg->subject = NULL;
    msg->len = 0;
}
