/* hr_csv.c: an RFC 4180 CSV reader; see hr_csv.h. */
#include "hr_csv.h"
#include "hr_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define CSV_MAX_INPUT (256u << 20)

struct hr_csv {
    char *name;
    char *buf;        /* the input, NUL-terminated */
    size_t len, pos;
    unsigned line;    /* line of the next unread byte */
    unsigned rec_line;
    char *out;        /* unquoted field bytes of the current record */
    char **fields;
    size_t nfields, capfields;
    char error[256];
};

static struct hr_csv *csv_new(const char *name, char *data, size_t len)
{
    struct hr_csv *c = calloc(1, sizeof *c);

    if (!c)
        return NULL;
    c->name = strdup(name);
    c->out = malloc(len + 1);
    if (!c->name || !c->out) {
        free(c->name);
        free(c->out);
        free(c);
        return NULL;
    }
    c->buf = data;
    c->len = len;
    c->line = 1;
    /* A UTF-8 byte order mark, as spreadsheets write it, is not data. */
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        c->pos = 3;
    return c;
}

static char *read_stdin(size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);

    if (!buf)
        return NULL;
    for (;;) {
        if (n == cap) {
            if (cap >= CSV_MAX_INPUT) {
                free(buf);
                errno = EFBIG;
                return NULL;
            }
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(0, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            free(buf);
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

struct hr_csv *hr_csv_open(const char *path, char *err, size_t errlen)
{
    size_t len = 0;
    char *data;
    struct hr_csv *c;

    if (strcmp(path, "-") == 0)
        data = read_stdin(&len);
    else
        data = hr_read_file(path, CSV_MAX_INPUT, &len);
    if (!data) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (len >= CSV_MAX_INPUT) {
        snprintf(err, errlen, "%s: larger than %u MiB", path, CSV_MAX_INPUT >> 20);
        free(data);
        return NULL;
    }
    c = csv_new(strcmp(path, "-") == 0 ? "(stdin)" : path, data, len);
    if (!c) {
        snprintf(err, errlen, "%s: out of memory", path);
        free(data);
    }
    return c;
}

struct hr_csv *hr_csv_open_mem(const char *name, const char *data, size_t len)
{
    char *copy = malloc(len + 1);
    struct hr_csv *c;

    if (!copy)
        return NULL;
    memcpy(copy, data, len);
    copy[len] = '\0';
    c = csv_new(name, copy, len);
    if (!c)
        free(copy);
    return c;
}

void hr_csv_free(struct hr_csv *c)
{
    if (!c)
        return;
    free(c->name);
    free(c->buf);
    free(c->out);
    free(c->fields);
    free(c);
}

static int push_field(struct hr_csv *c, char *start)
{
    if (hr_array_grow(&c->fields, &c->capfields, c->nfields + 1, sizeof *c->fields) < 0) {
        snprintf(c->error, sizeof c->error, "out of memory");
        return -1;
    }
    c->fields[c->nfields++] = start;
    return 0;
}

static int csv_fail(struct hr_csv *c, const char *msg)
{
    snprintf(c->error, sizeof c->error, "%s", msg);
    return -1;
}

/* Parse one field starting at c->pos into OUT; stops at ',', end of
 * line or end of input, leaving c->pos on the delimiter. */
static int parse_field(struct hr_csv *c, char **o)
{
    const char *b = c->buf;

    if (c->pos < c->len && b[c->pos] == '"') {
        c->pos++;
        for (;;) {
            if (c->pos >= c->len)
                return csv_fail(c, "unterminated quoted field");
            char ch = b[c->pos++];
            if (ch == '"') {
                if (c->pos < c->len && b[c->pos] == '"') {
                    *(*o)++ = '"';
                    c->pos++;
                    continue;
                }
                break;
            }
            if (ch == '\n')
                c->line++;
            *(*o)++ = ch;
        }
        if (c->pos < c->len && b[c->pos] == '\r' && c->pos + 1 < c->len && b[c->pos + 1] == '\n')
            return 0;
        if (c->pos < c->len && b[c->pos] != ',' && b[c->pos] != '\n')
            return csv_fail(c, "text after a closing quote (a quote inside a field must be doubled)");
        return 0;
    }
    while (c->pos < c->len) {
        char ch = b[c->pos];
        if (ch == ',' || ch == '\n')
            break;
        if (ch == '\r' && c->pos + 1 < c->len && b[c->pos + 1] == '\n')
            break;
        if (ch == '"')
            return csv_fail(c, "quote inside an unquoted field (quote the whole field)");
        *(*o)++ = ch;
        c->pos++;
    }
    return 0;
}

/* A field is valid UTF-8 with no control characters except TAB, CR and
 * LF (which a quoted field may hold); NUL bytes are refused. */
static int check_field(struct hr_csv *c, const char *s, size_t len)
{
    size_t i = 0;

    if (memchr(s, '\0', len))
        return csv_fail(c, "NUL byte in a field");
    while (i < len) {
        size_t k = i;
        while (k < len && s[k] != '\t' && s[k] != '\n' && s[k] != '\r')
            k++;
        if (!hr_is_clean_utf8(s + i, k - i))
            return csv_fail(c, "control character, invisible formatting character (such as "
                            "U+202E) or invalid UTF-8 in a field");
        i = k + 1;
    }
    return 0;
}

int hr_csv_next(struct hr_csv *c, char ***fields, size_t *n)
{
    char *o = c->out;

    c->error[0] = '\0';
    /* Skip blank lines. */
    while (c->pos < c->len) {
        if (c->buf[c->pos] == '\n') {
            c->pos++;
            c->line++;
        } else if (c->buf[c->pos] == '\r' && c->pos + 1 < c->len && c->buf[c->pos + 1] == '\n') {
            c->pos += 2;
            c->line++;
        } else {
            break;
        }
    }
    c->rec_line = c->line;
    if (c->pos >= c->len)
        return 0;
    c->nfields = 0;
    for (;;) {
        char *start = o;
        if (parse_field(c, &o) < 0)
            return -1;
        *o++ = '\0';
        if (check_field(c, start, (size_t)(o - start - 1)) < 0)
            return -1;
        if (push_field(c, start) < 0)
            return -1;
        if (c->pos >= c->len)
            break;
        if (c->buf[c->pos] == ',') {
            c->pos++;
            continue;
        }
        /* end of line */
        c->pos += c->buf[c->pos] == '\r' ? 2 : 1;
        c->line++;
        break;
    }
    *fields = c->fields;
    *n = c->nfields;
    return 1;
}

unsigned hr_csv_line(const struct hr_csv *c)
{
    return c->rec_line;
}

const char *hr_csv_name(const struct hr_csv *c)
{
    return c->name;
}

const char *hr_csv_error(const struct hr_csv *c)
{
    return c->error;
}

int hr_csv_header(struct hr_csv *c, const char *const *known, size_t nknown,
                  int *col, char *err, size_t errlen)
{
    char **f;
    size_t n;
    int r = hr_csv_next(c, &f, &n);

    if (r < 0) {
        snprintf(err, errlen, "%s:%u: %s", c->name, c->rec_line, c->error);
        return -1;
    }
    if (r == 0) {
        snprintf(err, errlen, "%s: empty file (a header line naming the columns is required)",
                 c->name);
        return -1;
    }
    for (size_t k = 0; k < nknown; k++)
        col[k] = -1;
    for (size_t i = 0; i < n; i++) {
        char *name = hr_trim(f[i]);
        size_t k;
        for (k = 0; k < nknown; k++)
            if (strcasecmp(name, known[k]) == 0)
                break;
        if (k == nknown) {
            snprintf(err, errlen, "%s:%u: unknown column '%.64s'", c->name, c->rec_line, name);
            return -1;
        }
        if (col[k] >= 0) {
            snprintf(err, errlen, "%s:%u: column '%s' given twice", c->name, c->rec_line,
                     known[k]);
            return -1;
        }
        col[k] = (int)i;
    }
    return 0;
}

/* Is S a plain decimal number: [+-]digits[.digits][e[+-]digits], and
 * nothing else?  A spreadsheet reads such a field as that number, never
 * as a formula, so it needs no neutralising: "-5" stays -5. */
static int plain_number(const char *s)
{
    const char *p = s;
    int digits = 0;

    if (*p == '+' || *p == '-')
        p++;
    for (; *p >= '0' && *p <= '9'; p++)
        digits++;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            digits++;
    if (!digits)
        return 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (*p < '0' || *p > '9')
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p == '\0';
}

int hr_csv_is_formula(const char *s)
{
    /* one character alone is no formula ("-" is how unknown is shown) */
    return s[0] && s[1] && strchr("=+-@\t\r", s[0]) && !plain_number(s);
}

void hr_csv_put(FILE *f, const char *s, const char *end)
{
    /* OWASP "CSV Injection": a field a spreadsheet would run as a formula
     * (=, +, -, @, tab, CR first) gets a single quote in front, and the
     * field is quoted, so it shows as the text it is. */
    int formula = hr_csv_is_formula(s);

    if (formula || strpbrk(s, ",\"\r\n")) {
        fputc('"', f);
        if (formula)
            fputc('\'', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputs(end, f);
}
