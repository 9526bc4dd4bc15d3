/* Unit tests for mail/mime.c: base64, quoted-printable, RFC 2047
 * encoded-words, folding, header sanitizing, address checks, composition.
 * The Python side (test_mail_smtp.sh) parses whole messages; here we check
 * the building blocks byte by byte. */
#include "../../mail/mail.h"
#include "hr_util.h"
#include "../tap.h"

#include <stdlib.h>
#include <string.h>

/* Every line ends in CRLF, none is longer than MAX, continuation lines
 * start with a blank, and only printable ASCII is used. */
static int header_shape(const char *h, size_t max, int *nlines)
{
    int n = 0;

    for (const char *p = h; *p;) {
        const char *e = strstr(p, "\r\n");
        if (!e || (size_t)(e - p) > max)
            return 0;
        for (const char *q = p; q < e; q++)
            if (*q < 32 || *q > 126)
                return 0;
        if (n > 0 && *p != ' ')
            return 0;
        n++;
        p = e + 2;
    }
    if (nlines)
        *nlines = n;
    return n > 0;
}

static int b64val(char c)
{
    const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = c ? strchr(a, c) : NULL;
    return p ? (int)(p - a) : -1;
}

/* Decode every =?UTF-8?B?...?= or Q word in H, concatenated; each word
 * must be whole UTF-8 characters on its own.  Returns malloc'd text or NULL
 * if a word is malformed or splits a character. */
static char *decode_words(const char *h)
{
    char *out = calloc(1, strlen(h) + 1);
    size_t o = 0;
    const char *p = h;

    while ((p = strstr(p, "=?UTF-8?"))) {
        char enc = p[8];
        const char *s = p + 10, *e = strstr(s, "?=");
        size_t start = o;
        if (!e || p[9] != '?')
            goto bad;
        if (enc == 'B') {
            unsigned v = 0;
            int bits = 0;
            for (const char *q = s; q < e && *q != '='; q++) {
                int d = b64val(*q);
                if (d < 0)
                    goto bad;
                v = (v << 6) | (unsigned)d;
                bits += 6;
                if (bits >= 8) {
                    bits -= 8;
                    out[o++] = (char)((v >> bits) & 0xFF);
                }
            }
        } else {
            for (const char *q = s; q < e; q++) {
                if (*q == '_') {
                    out[o++] = ' ';
                } else if (*q == '=') {
                    unsigned x;
                    if (sscanf(q + 1, "%2X", &x) != 1)
                        goto bad;
                    out[o++] = (char)x;
                    q += 2;
                } else {
                    out[o++] = *q;
                }
            }
        }
        if (!hr_is_clean_utf8(out + start, o - start))
            goto bad;
        p = e + 2;
    }
    out[o] = '\0';
    return out;
bad:
    free(out);
    return NULL;
}

static void test_base64(void)
{
    static const struct { const char *in, *out; } v[] = {
        { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
        { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
    };
    for (size_t i = 0; i < HR_ARRAY_LEN(v); i++) {
        char *b = hr_mail_base64(v[i].in, strlen(v[i].in), 0);
        TAP_STR(b, v[i].out, "base64 RFC 4648 vector '%s'", v[i].in);
        free(b);
    }
    unsigned char bin[100];
    for (int i = 0; i < 100; i++)
        bin[i] = (unsigned char)(i * 37);
    char *b = hr_mail_base64(bin, sizeof bin, 76);
    TAP_OK(b && strlen(b) == 76 + 2 + 60 + 2 && memcmp(b + 76, "\r\n", 2) == 0 &&
           strcmp(b + strlen(b) - 2, "\r\n") == 0, "base64 wraps at 76 with CRLF");
    free(b);
}

static void test_qp(void)
{
    char *q;

    q = hr_mail_qp("a=b");
    TAP_STR(q, "a=3Db\r\n", "qp encodes '='");
    free(q);
    q = hr_mail_qp("trail \nnext\r\nlast\rend");
    TAP_STR(q, "trail=20\r\nnext\r\nlast\r\nend\r\n", "qp: trailing blank, LF/CRLF/CR breaks");
    free(q);
    q = hr_mail_qp("caf\xc3\xa9");
    TAP_STR(q, "caf=C3=A9\r\n", "qp encodes UTF-8 bytes");
    free(q);
    q = hr_mail_qp("From the array");
    TAP_STR(q, "=46rom the array\r\n", "qp protects 'From ' at line start");
    free(q);
    char line[201];
    memset(line, 'x', 200);
    line[200] = '\0';
    q = hr_mail_qp(line);
    int shape = 1;
    size_t total = 0;
    for (char *p = q; p && *p;) {
        char *e = strstr(p, "\r\n");
        if (!e || e - p > 76)
            shape = 0;
        total += (size_t)(e - p) - (e[-1] == '=' ? 1 : 0);
        p = e + 2;
    }
    TAP_OK(q && shape && total == 200, "qp soft breaks keep lines <= 76 and lose nothing");
    free(q);
    memset(line, '=', 200);
    q = hr_mail_qp(line);
    shape = 1;
    for (char *p = q; p && *p;) {
        char *e = strstr(p, "\r\n");
        if (!e || e - p > 76)
            shape = 0;
        /* a soft break never splits an =XX triple */
        if (e - p >= 2 && (e[-2] == '=' || (e - p >= 3 && e[-3] == '=' && e[-1] == '=')))
            shape = 0;
        p = e + 2;
    }
    TAP_OK(q && shape, "qp never splits an escape at a soft break");
    free(q);
}

static void test_headers(void)
{
    char *h, *d;
    int n;

    h = hr_mail_header_text("Subject", "Hello world");
    TAP_STR(h, "Subject: Hello world\r\n", "plain subject unchanged");
    free(h);

    h = hr_mail_header_text("Subject", "M\xc3\xbcller Speicher GmbH: array SN123 will be full"
                                       " around 2027-02-14");
    TAP_OK(h && header_shape(h, 78, &n), "non-ASCII subject: folded, ASCII only");
    d = h ? decode_words(h) : NULL;
    TAP_STR(d, "M\xc3\xbcller Speicher GmbH: array SN123 will be full around 2027-02-14",
            "non-ASCII subject decodes back");
    free(d);
    free(h);

    /* Japanese: mostly non-ASCII -> B; words must not split characters */
    const char *jp = "\xe6\x97\xa5\xe6\x9c\xac\xe9\x9b\xbb\xe6\xb0\x97\xe6\xa0\xaa\xe5\xbc\x8f"
                     "\xe4\xbc\x9a\xe7\xa4\xbe\xe3\x81\xae\xe3\x82\xb9\xe3\x83\x88\xe3\x83\xac"
                     "\xe3\x83\xbc\xe3\x82\xb8\xe3\x81\x8c\xe6\xba\x80\xe6\x9d\xaf\xe3\x81\xab"
                     "\xe3\x81\xaa\xe3\x82\x8a\xe3\x81\xbe\xe3\x81\x99";
    h = hr_mail_header_text("Subject", jp);
    TAP_OK(h && strstr(h, "=?UTF-8?B?") && header_shape(h, 78, &n) && n > 1,
           "Japanese subject: B words over %d lines", n);
    d = h ? decode_words(h) : NULL;
    TAP_STR(d, jp, "every B word holds whole characters and decodes back");
    free(d);
    free(h);

    /* the hostile serial of issue 4 */
    h = hr_mail_header_text("Subject", "Array X\r\nBcc: someone@example.com is full");
    TAP_OK(h && header_shape(h, 78, &n), "hostile serial: one well-formed field");
    TAP_OK(h && !strstr(h, "\r\nBcc") && !strstr(h, "\nBcc"), "no Bcc line after CR/LF");
    d = h ? decode_words(h) : NULL;
    TAP_STR(d, "Array X\xef\xbf\xbd\xef\xbf\xbd" "Bcc: someone@example.com is full",
            "CR LF became U+FFFD inside the subject");
    free(d);
    free(h);

    h = hr_mail_header_text("Subject", "a\0b");
    TAP_STR(h, "Subject: a\r\n", "a C string stops at NUL");
    free(h);

    /* "=?" in plain text must not be taken for an encoded-word */
    h = hr_mail_header_text("Subject", "price =?UTF-8?B?x?=");
    d = h ? decode_words(h) : NULL;
    TAP_STR(d, "price =?UTF-8?B?x?=", "literal '=?' is encoded, not passed through");
    free(d);
    free(h);

    /* 64 KiB serial */
    char *big = malloc(65537);
    memset(big, 'S', 65536);
    big[65536] = '\0';
    h = hr_mail_header_text("Subject", big);
    TAP_OK(h && header_shape(h, 78, NULL) && strlen(h) < 8000,
           "64 KiB word: bounded, folded encoded-words");
    free(h);
    free(big);

    /* long ASCII folds at blanks */
    h = hr_mail_header_text("Subject", "one two three four five six seven eight nine ten"
                                       " eleven twelve thirteen fourteen fifteen sixteen");
    TAP_OK(h && header_shape(h, 78, &n) && n == 2 && !strstr(h, "=?"),
           "long ASCII subject folds at a blank, not encoded");
    free(h);

    struct hr_mail_addr to[] = {
        { "M\xc3\xbcller, Hans", "hans.mueller@example.com" },
        { "Sales \"EU\"", "sales@example.com" },
        { NULL, "bare@example.org" },
        { "Plain Name", "plain@example.org" },
    };
    h = hr_mail_header_addrs("To", to, 4);
    TAP_OK(h && header_shape(h, 78, NULL), "address list folded");
    TAP_OK(h && strstr(h, "<hans.mueller@example.com>,") && strstr(h, "\"Sales \\\"EU\\\"\"") &&
           strstr(h, " bare@example.org,") && strstr(h, "Plain Name <plain@example.org>\r\n"),
           "names encoded, quoted or bare as needed");
    d = h ? decode_words(h) : NULL;
    TAP_STR(d, "M\xc3\xbcller, Hans", "encoded display name decodes");
    free(d);
    free(h);
    struct hr_mail_addr bad[] = { { "x", "a@b.example\r\nBcc: c@d.example" } };
    TAP_OK(hr_mail_header_addrs("To", bad, 1) == NULL, "address with CRLF refused");
}

static void test_addr(void)
{
    static const char *good[] = { "a@b.example", "first.last+tag@sub.example.co.jp",
                                  "x_y-z@example-1.org", "o'brien@example.ie" };
    static const char *badv[] = { "", "@example.com", "a@", "a", "a@@b", "a..b@example.com",
        ".a@example.com", "a.@example.com", "a b@example.com", "a@exa mple.com",
        "a@-example.com", "a@example..com", "\"q\"@example.com", "a@[127.0.0.1]",
        "m\xc3\xbc@example.com", "a@example.com\r\n", "a<b@example.com", "a@example.com>" };
    int ok = 1;

    for (size_t i = 0; i < HR_ARRAY_LEN(good); i++)
        if (!hr_mail_addr_valid(good[i])) {
            printf("# refused %s\n", good[i]);
            ok = 0;
        }
    TAP_OK(ok, "valid addresses accepted");
    ok = 1;
    for (size_t i = 0; i < HR_ARRAY_LEN(badv); i++)
        if (hr_mail_addr_valid(badv[i])) {
            printf("# accepted %s\n", badv[i]);
            ok = 0;
        }
    TAP_OK(ok, "invalid addresses refused");
    char longl[80];
    memset(longl, 'a', 65);
    strcpy(longl + 65, "@example.com");
    TAP_OK(!hr_mail_addr_valid(longl), "local part over 64 refused");
}

static void test_html(void)
{
    char *e = hr_mail_html_escape("<b>Tom & \"Jerry\"'s</b>\n\tx\x01y  ");
    TAP_STR(e, "&lt;b&gt;Tom &amp; &quot;Jerry&quot;&#39;s&lt;/b&gt;\n\tx\xef\xbf\xbdy  ",
            "html escape: entities, LF/TAB kept, controls replaced, blanks kept");
    free(e);
    e = hr_mail_html_escape("");
    TAP_STR(e, "", "html escape of empty string");
    free(e);
}

static void test_compose(void)
{
    static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 1, 2 };
    struct hr_mail_addr to[] = { { "Sales \xc3\x85sa", "asa@example.com" } };
    struct hr_mail_addr cc[] = { { NULL, "admin@example.com" } };
    struct hr_mail_part parts[] = { { "image/png", "graph SN/../1.png", "graph1", png, sizeof png } };
    struct hr_mail_header hdr[] = { { "X-Headroom-Proposal-Id", "42\r\nBcc: x@example.com" } };
    struct hr_mail m = {
        .from = { "headroom", "headroom@example.com" },
        .to = to, .nto = 1, .cc = cc, .ncc = 1,
        .subject = "M\xc3\xbcller Speicher GmbH: array X\r\nBcc: someone@example.com",
        .text = "Hello\nworld", .html = "<p>Hello</p><img src=\"cid:graph1@example.com\">",
        .parts = parts, .nparts = 1, .headers = hdr, .nheaders = 1,
        .domain = "example.com", .date = 1800000000,
    };
    struct hr_mail_msg msg;
    char err[128];

    TAP_INT(hr_mail_compose(&m, &msg, err, sizeof err), 0, "compose");
    int bare_lf = 0, bcc = 0, subj = 0;
    for (size_t i = 0; msg.data && i < msg.len; i++)
        if (msg.data[i] == '\n' && (i == 0 || msg.data[i - 1] != '\r'))
            bare_lf = 1;
    char *hend = msg.data ? strstr(msg.data, "\r\n\r\n") : NULL;
    for (char *p = msg.data; p && p < hend; p = strstr(p, "\r\n") + 2) {
        if (strncasecmp(p, "Bcc:", 4) == 0)
            bcc++;
        if (strncmp(p, "Subject:", 8) == 0)
            subj++;
    }
    TAP_OK(msg.data && !bare_lf, "only CRLF line endings");
    TAP_OK(hend && bcc == 0 && subj == 1, "one Subject, no Bcc header");
    TAP_OK(msg.data && strstr(msg.data, "MIME-Version: 1.0\r\n") &&
           strstr(msg.data, "multipart/alternative") && strstr(msg.data, "multipart/related") &&
           strstr(msg.data, "Content-ID: <graph1@example.com>") &&
           strstr(msg.data, "filename=\"graph_SN_.._1.png\""),
           "structure: alternative + related, content id, safe file name");
    TAP_OK(strncmp(msg.message_id, "<", 1) == 0 && strstr(msg.message_id, "@example.com>"),
           "Message-ID %s", msg.message_id);
    TAP_OK(msg.data && strstr(msg.data, "Date: ") && strstr(msg.data, " 2027 "),
           "Date header from the given time");
    TAP_STR(msg.subject, "M\xc3\xbcller Speicher GmbH: array X\xef\xbf\xbd\xef\xbf\xbd"
                         "Bcc: someone@example.com", "stored subject is sanitized");
    char id1[256];
    hr_strlcpy(id1, msg.message_id, sizeof id1);
    hr_mail_msg_free(&msg);
    TAP_INT(hr_mail_compose(&m, &msg, err, sizeof err), 0, "compose again");
    TAP_OK(strcmp(id1, msg.message_id) != 0, "Message-IDs differ");
    hr_mail_msg_free(&msg);

    struct hr_mail bad = m;
    bad.from.addr = "not an address";
    TAP_OK(hr_mail_compose(&bad, &msg, err, sizeof err) < 0 && strstr(err, "From"),
           "bad From refused: %s", err);
    bad = m;
    struct hr_mail_header bh[] = { { "Bcc", "x@example.com" } };
    bad.headers = bh;
    TAP_OK(hr_mail_compose(&bad, &msg, err, sizeof err) < 0, "extra Bcc header refused");
    struct hr_mail_header bh2[] = { { "X-Bad\r\nBcc", "x" } };
    bad.headers = bh2;
    TAP_OK(hr_mail_compose(&bad, &msg, err, sizeof err) < 0, "header name with CRLF refused");
    bad = m;
    struct hr_mail_part bp[] = { { "image/png", "a.png", "cid>\r\nX: y", png, sizeof png } };
    bad.parts = bp;
    TAP_OK(hr_mail_compose(&bad, &msg, err, sizeof err) < 0, "hostile content id refused");
    bad = m;
    bad.nto = 0;
    bad.ncc = 0;
    TAP_OK(hr_mail_compose(&bad, &msg, err, sizeof err) < 0, "no recipients refused");

    /* text only: a single part, no multipart */
    struct hr_mail t = { .from = m.from, .to = to, .nto = 1, .subject = "s", .text = "body" };
    TAP_INT(hr_mail_compose(&t, &msg, err, sizeof err), 0, "compose text only");
    TAP_OK(msg.data && !strstr(msg.data, "multipart") &&
           strstr(msg.data, "Content-Type: text/plain; charset=UTF-8"), "text only: one part");
    hr_mail_msg_free(&msg);
}

/* What mime.c must make of V: sanitized (bounded), blank runs collapsed. */
static char *expected_value(const char *v, size_t max)
{
    char *d = malloc(max + 1), *o;

    hr_sanitize(d, max + 1, v, strlen(v) > max * 4 ? max * 4 : strlen(v));
    o = d;
    for (char *p = d; *p; p++)
        if (!(*p == ' ' && o > d && o[-1] == ' '))
            *o++ = *p;
    *o = '\0';
    return d;
}

/* Random byte strings (controls, 8-bit, "=?", long words) as subjects and
 * display names: every result is one well-formed field that decodes back
 * to the sanitized value.  Under ASan this is also the crash test. */
static void test_random(void)
{
    unsigned seed = 12345;
    int bad_shape = 0, bad_value = 0, bad_addr = 0;
    static const char alphabet[] = "aZ9 =?_:<>\"\\@.\t\r\n\x7f\xc3\xa9\xe6\x97\xa5\xff\x80";

    for (int i = 0; i < 3000; i++) {
        char v[400];
        size_t n = (seed = seed * 1103515245 + 12345) % 300;
        for (size_t k = 0; k < n; k++) {
            seed = seed * 1103515245 + 12345;
            v[k] = (seed >> 16) % 4 ? alphabet[(seed >> 8) % (sizeof alphabet - 1)]
                                    : (char)((seed >> 20) % 255 + 1);
        }
        v[n] = '\0';
        char *h = hr_mail_header_text("Subject", v);
        char *want = expected_value(v, 4000);
        if (!h || !header_shape(h, 78, NULL)) {
            bad_shape++;
        } else if (strstr(h, "=?UTF-8?")) {
            char *d = decode_words(h);
            if (!d || strcmp(d, want) != 0)
                bad_value++;
            free(d);
        } else {
            /* plain: unfold and drop "Subject: " */
            char *u = calloc(1, strlen(h) + 1), *o = u;
            for (const char *p = h + 8; *p; p++) {
                if (p[0] == '\r' && p[1] == '\n') {
                    p++;
                    continue;
                }
                *o++ = *p;
            }
            if (strcmp(*u == ' ' ? u + 1 : u, want) != 0)
                bad_value++;
            free(u);
        }
        free(h);
        free(want);
        struct hr_mail_addr a[] = { { v, "x@example.com" }, { v, "y@example.com" } };
        h = hr_mail_header_addrs("To", a, 2);
        /* a name that sanitizes to nothing leaves the bare address */
        if (!h || !header_shape(h, 78, NULL) || !strstr(h, "x@example.com") ||
            !strstr(h, "y@example.com") || strncmp(h, "To: ", 4) != 0)
            bad_addr++;
        free(h);
    }
    TAP_INT(bad_shape, 0, "3000 random subjects: every field well-formed");
    TAP_INT(bad_value, 0, "3000 random subjects: every field decodes to the sanitized value");
    TAP_INT(bad_addr, 0, "3000 random display names: address fields well-formed");
}

int main(void)
{
    test_base64();
    test_qp();
    test_headers();
    test_addr();
    test_html();
    test_compose();
    test_random();
    return TAP_DONE();
}
