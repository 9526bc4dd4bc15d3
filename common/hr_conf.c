/* hr_conf.c: the line-oriented configuration format of hr_conf.h. */
#include "hr_conf.h"
#include "hr_util.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>

#define CONF_MAX_FILE (1024 * 1024)

/* Parser state: the result under construction and the error list. */
struct parser {
    const char *name;
    const struct hr_conf_schema *schema;
    struct hr_conf *conf;
    char *errs;
    size_t errlen;
    int nerr;
    int oom;
};

static void perr(struct parser *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void perr(struct parser *p, int line, const char *fmt, ...)
{
    char msg[512];
    int n;
    va_list ap;

    p->nerr++;
    n = snprintf(msg, sizeof msg, "%s:%d: ", p->name, line);
    if (n < 0 || (size_t)n >= sizeof msg)
        n = 0;
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    va_end(ap);
    size_t l = strlen(msg);
    char *e = realloc(p->errs, p->errlen + l + 2);
    if (!e) {
        p->oom = 1;
        return;
    }
    memcpy(e + p->errlen, msg, l);
    e[p->errlen + l] = '\n';
    e[p->errlen + l + 1] = '\0';
    p->errs = e;
    p->errlen += l + 1;
}

static struct hr_conf_section *section_add(struct parser *p, const char *type,
                                           const char *name, int line)
{
    struct hr_conf *c = p->conf;
    struct hr_conf_section *s = realloc(c->sections, (c->nsections + 1) * sizeof *s);

    if (!s) {
        p->oom = 1;
        return NULL;
    }
    c->sections = s;
    s = &c->sections[c->nsections];
    memset(s, 0, sizeof *s);
    s->type = type ? strdup(type) : NULL;
    s->name = strdup(name ? name : "");
    s->line = line;
    if ((type && !s->type) || !s->name) {
        free(s->type);
        free(s->name);
        p->oom = 1;
        return NULL;
    }
    c->nsections++;
    return s;
}

static const struct hr_conf_key *schema_key(const struct hr_conf_schema *sc, const char *k)
{
    for (size_t i = 0; i < sc->nkeys; i++)
        if (strcmp(sc->keys[i].name, k) == 0)
            return &sc->keys[i];
    return NULL;
}

/* A calendar date (hr_parse_date: only real days) as YYYYMMDD. */
static int parse_date(const char *v, uint64_t *out)
{
    time_t t;
    struct tm tm;

    if (hr_parse_date(v, &t) < 0 || !gmtime_r(&t, &tm))
        return -1;
    *out = (uint64_t)(tm.tm_year + 1900) * 10000 + (uint64_t)(tm.tm_mon + 1) * 100 +
           (uint64_t)tm.tm_mday;
    return 0;
}

static int parse_tod(const char *v, uint64_t *out)
{
    size_t n = strlen(v);
    unsigned h, m;

    /* H:MM or HH:MM */
    if ((n != 4 && n != 5) || v[n - 3] != ':' || !isdigit((unsigned char)v[0]) ||
        !isdigit((unsigned char)v[n - 2]) || !isdigit((unsigned char)v[n - 1]) ||
        (n == 5 && !isdigit((unsigned char)v[1])))
        return -1;
    h = (unsigned)atoi(v);          /* digits checked above */
    m = (unsigned)atoi(v + n - 2);
    if (h > 23 || m > 59)
        return -1;
    *out = h * 60 + m;
    return 0;
}

static int parse_bool(const char *v, uint64_t *out)
{
    int b = hr_parse_bool(v);

    if (b < 0)
        return -1;
    *out = (uint64_t)b;
    return 0;
}

/* Check VALUE against K; 0 and *NUM set, or -1 after reporting. */
static int check_value(struct parser *p, int line, const struct hr_conf_key *k,
                       const char *value, size_t vlen, uint64_t *num)
{
    *num = 0;
    if (!hr_is_clean_utf8(value, vlen)) {
        perr(p, line, "%s: value is not printable UTF-8", k->name);
        return -1;
    }
    switch (k->kind) {
    case HR_CONF_STRING:
        if (k->max && vlen > k->max) {
            perr(p, line, "%s: value too long (%zu bytes, at most %llu)", k->name, vlen,
                 (unsigned long long)k->max);
            return -1;
        }
        return 0;
    case HR_CONF_UINT:
        if (hr_parse_u64(value, num) < 0 || *num < k->min || *num > k->max) {
            perr(p, line, "%s: '%s' is not a whole number from %llu to %llu", k->name, value,
                 (unsigned long long)k->min, (unsigned long long)k->max);
            return -1;
        }
        return 0;
    case HR_CONF_SIZE:
        if (hr_parse_size(value, num) < 0 || *num < k->min || *num > k->max) {
            perr(p, line, "%s: '%s' is not a size such as 512MiB or 8GiB (%llu to %llu bytes)",
                 k->name, value, (unsigned long long)k->min, (unsigned long long)k->max);
            return -1;
        }
        return 0;
    case HR_CONF_BOOL:
        if (parse_bool(value, num) < 0) {
            perr(p, line, "%s: '%s' is not yes or no", k->name, value);
            return -1;
        }
        return 0;
    case HR_CONF_TIMEOFDAY:
        if (parse_tod(value, num) < 0) {
            perr(p, line, "%s: '%s' is not a time of day HH:MM (00:00 to 23:59)", k->name, value);
            return -1;
        }
        return 0;
    case HR_CONF_DATE:
        if (parse_date(value, num) < 0) {
            perr(p, line, "%s: '%s' is not a date YYYY-MM-DD", k->name, value);
            return -1;
        }
        return 0;
    }
    return -1;
}

/* Unquote the string starting at *S (just after the opening quote) in place.
 * Returns its length and leaves *S after the closing quote, or -1. */
static long unquote(char **s, char *out, struct parser *p, int line)
{
    char *r = *s;
    long n = 0;

    for (;;) {
        if (*r == '\0') {
            perr(p, line, "unterminated quoted string");
            return -1;
        }
        if (*r == '"')
            break;
        if (*r == '\\') {
            r++;
            if (*r != '"' && *r != '\\') {
                if (*r == '\0')
                    perr(p, line, "unterminated quoted string");
                else
                    perr(p, line, "unknown escape '\\%c' in quoted string (only \\\" and \\\\)",
                         isprint((unsigned char)*r) ? *r : '?');
                return -1;
            }
        }
        out[n++] = *r++;
    }
    out[n] = '\0';
    *s = r + 1;
    return n;
}

/* After a value: only blanks and an optional comment may follow. */
static int rest_is_empty(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '\0' || *s == '#';
}

/* Unquoted value: up to a '#' preceded by a blank, trimmed. */
static size_t plain_value(char *v)
{
    for (char *c = v; *c; c++) {
        if (*c == '#' && (c == v || c[-1] == ' ' || c[-1] == '\t')) {
            *c = '\0';
            break;
        }
    }
    hr_trim(v);
    return strlen(v);
}

static int is_keychar(int c)
{
    return isalnum(c) || c == '-' || c == '_' || c == '.';
}

/* A "[type name]" line.  Returns the new section's position, or -1 (the
 * error is reported and the section's keys are then skipped quietly). */
static long parse_header(struct parser *p, char *s, int line)
{
    char *type, *name = NULL, *close;
    const char *const *t;

    s++;                                  /* '[' */
    while (*s == ' ' || *s == '\t')
        s++;
    type = s;
    while (is_keychar((unsigned char)*s))
        s++;
    if (s == type) {
        perr(p, line, "section header needs a type, e.g. [device SERIAL]");
        return -1;
    }
    if (*s == ' ' || *s == '\t') {
        *s++ = '\0';
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '"') {
            char *q = s + 1;
            name = s;
            if (unquote(&q, name, p, line) < 0)
                return -1;
            s = q;
            while (*s == ' ' || *s == '\t')
                s++;
            close = s;
        } else {
            name = s;
            close = strchr(s, ']');
            if (!close) {
                perr(p, line, "section header without ']'");
                return -1;
            }
            char *e = close;
            while (e > name && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            if (e != close)      /* the ']' itself is cut below */
                *e = '\0';
        }
    } else {
        close = s;
    }
    if (*close != ']') {
        perr(p, line, "section header without ']'");
        return -1;
    }
    *close = '\0';
    if (!rest_is_empty(close + 1)) {
        perr(p, line, "unexpected text after ']'");
        return -1;
    }
    if (!name)
        name = "";
    if (!hr_is_clean_utf8(name, strlen(name))) {
        perr(p, line, "section name is not printable UTF-8");
        return -1;
    }
    for (t = p->schema->section_types; t && *t; t++)
        if (strcmp(*t, type) == 0)
            break;
    if (!t || !*t) {
        perr(p, line, "unknown section type '%s'", type);
        return -1;
    }
    const struct hr_conf_section *dup = hr_conf_section_find(p->conf, type, name);
    if (dup) {
        perr(p, line, "section [%s %s] already defined at line %d", type, name, dup->line);
        return -1;
    }
    if (!section_add(p, type, name, line))
        return -1;
    return (long)p->conf->nsections - 1;
}

static void add_item(struct parser *p, struct hr_conf_section *sec, const char *key,
                     const char *value, uint64_t num, int line)
{
    for (size_t i = 0; i < sec->nitems; i++) {
        if (strcmp(sec->items[i].key, key) == 0) {
            perr(p, line, "duplicate key '%s' (first at line %d)", key, sec->items[i].line);
            return;
        }
    }
    struct hr_conf_item *it = realloc(sec->items, (sec->nitems + 1) * sizeof *it);
    if (!it) {
        p->oom = 1;
        return;
    }
    sec->items = it;
    it = &sec->items[sec->nitems];
    it->key = strdup(key);
    it->value = strdup(value);
    it->num = num;
    it->line = line;
    if (!it->key || !it->value) {
        free(it->key);
        free(it->value);
        p->oom = 1;
        return;
    }
    sec->nitems++;
}

/* One line; *CUR is the current section's position (-1: a bad section
 * whose keys are skipped). */
static void parse_line(struct parser *p, char *s, int line, long *cur)
{
    char *key, *value;
    long vlen;
    const struct hr_conf_key *k;
    uint64_t num;

    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '\0' || *s == '#')
        return;
    if (*s == '[') {
        *cur = parse_header(p, s, line);
        return;
    }
    if (*cur < 0)
        return;
    key = s;
    while (is_keychar((unsigned char)*s))
        s++;
    if (s == key || (*s != ' ' && *s != '\t' && *s != '\0')) {
        perr(p, line, "expected 'key value', '[section]' or '# comment'");
        return;
    }
    if (*s)
        *s++ = '\0';
    while (*s == ' ' || *s == '\t')
        s++;
    k = schema_key(p->schema, key);
    if (!k) {
        perr(p, line, "unknown key '%s'", key);
        return;
    }
    struct hr_conf_section *sec = &p->conf->sections[*cur];
    if (!(k->where & (sec->type ? HR_CONF_SECTION : HR_CONF_GLOBAL))) {
        perr(p, line, "key '%s' is not allowed %s", key,
             sec->type ? "inside a section" : "outside a section");
        return;
    }
    if (*s == '"') {
        char *q = s + 1;
        value = s;
        vlen = unquote(&q, value, p, line);
        if (vlen < 0)
            return;
        if (!rest_is_empty(q)) {
            perr(p, line, "unexpected text after the closing quote");
            return;
        }
    } else {
        value = s;
        vlen = (long)plain_value(value);
        if (vlen == 0) {
            perr(p, line, "key '%s' needs a value", key);
            return;
        }
    }
    if (check_value(p, line, k, value, (size_t)vlen, &num) < 0)
        return;
    add_item(p, sec, key, value, num, line);
}

struct hr_conf *hr_conf_parse(const char *name, const char *text, size_t len,
                              const struct hr_conf_schema *schema, char **errs)
{
    struct parser p = { .name = name, .schema = schema };
    char *buf = NULL, *s;
    int line = 0;
    long cur = 0;

    if (errs)
        *errs = NULL;
    p.conf = calloc(1, sizeof *p.conf);
    if (!p.conf || !(p.conf->file = strdup(name)) || !(buf = malloc(len + 1)))
        goto out_oom;
    memcpy(buf, text, len);
    buf[len] = '\0';
    if (!section_add(&p, NULL, NULL, 0))
        goto out_oom;
    for (s = buf; s < buf + len && !p.oom;) {
        char *nl = memchr(s, '\n', (size_t)(buf + len - s));
        char *end = nl ? nl : buf + len;
        size_t n = (size_t)(end - s);

        line++;
        *end = '\0';
        if (strlen(s) != n)
            perr(&p, line, "NUL byte in line");
        else {
            if (n > 0 && s[n - 1] == '\r')   /* CRLF files */
                s[n - 1] = '\0';
            parse_line(&p, s, line, &cur);
        }
        s = end + 1;
    }
    if (p.oom)
        goto out_oom;
    free(buf);
    if (p.nerr) {
        if (errs)
            *errs = p.errs;
        else
            free(p.errs);
        hr_conf_free(p.conf);
        return NULL;
    }
    free(p.errs);
    return p.conf;
out_oom:
    free(buf);
    free(p.errs);
    hr_conf_free(p.conf);
    if (errs) {
        char *m = malloc(strlen(name) + 32);
        if (m)
            sprintf(m, "%s: out of memory\n", name);
        *errs = m;
    }
    errno = ENOMEM;
    return NULL;
}

struct hr_conf *hr_conf_load(const char *path, const struct hr_conf_schema *schema, char **errs)
{
    size_t len;
    char *text = hr_read_file(path, CONF_MAX_FILE + 1, &len);
    struct hr_conf *c;

    if (errs)
        *errs = NULL;
    if (!text || len > CONF_MAX_FILE) {
        int e = text ? EFBIG : errno;
        free(text);
        if (errs) {
            const char *why = strerror(e);
            char *m = malloc(strlen(path) + strlen(why) + 4);
            if (m)
                sprintf(m, "%s: %s\n", path, why);
            *errs = m;
        }
        errno = e;
        return NULL;
    }
    c = hr_conf_parse(path, text, len, schema, errs);
    free(text);
    return c;
}

void hr_conf_free(struct hr_conf *conf)
{
    if (!conf)
        return;
    for (size_t i = 0; i < conf->nsections; i++) {
        struct hr_conf_section *s = &conf->sections[i];
        for (size_t j = 0; j < s->nitems; j++) {
            free(s->items[j].key);
            free(s->items[j].value);
        }
        free(s->items);
        free(s->type);
        free(s->name);
    }
    free(conf->sections);
    free(conf->file);
    free(conf);
}

const struct hr_conf_section *hr_conf_section_find(const struct hr_conf *conf,
                                                   const char *type, const char *name)
{
    if (!conf)
        return NULL;
    for (size_t i = 0; i < conf->nsections; i++) {
        const struct hr_conf_section *s = &conf->sections[i];
        if (!type && !s->type)
            return s;
        if (type && s->type && strcmp(type, s->type) == 0 && strcmp(name ? name : "", s->name) == 0)
            return s;
    }
    return NULL;
}

const struct hr_conf_item *hr_conf_item_find(const struct hr_conf_section *sec, const char *key)
{
    if (!sec)
        return NULL;
    for (size_t i = 0; i < sec->nitems; i++)
        if (strcmp(sec->items[i].key, key) == 0)
            return &sec->items[i];
    return NULL;
}
