/* parse.c: the profile file format (docs/profiles.md): a line-oriented
 * lexer and a parser that reports every error as FILE:LINE:COL. */
#include "profile.h"
#include "hr_buf.h"
#include "hr_util.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ERRORS 50
#define MAX_WORDS 64         /* words on one line */
#define MAX_FILE (1024 * 1024)

/* ---- lexer: one line at a time ---- */

enum tok_kind { T_WORD, T_STRING, T_LBRACE, T_RBRACE };

struct tok {
    enum tok_kind kind;
    char *text;              /* WORD, STRING: malloc'd, unescaped */
    int col;
};

struct parser {
    const char *path;
    struct hr_buf errs;
    int nerr;
    int line;
    struct tok t[MAX_WORDS];
    size_t nt;
    struct hr_profile *p;
    struct hr_prof_table *cur;   /* inside a volumes/writes { } block */
    struct hr_prof_map *cur_map; /* inside a map { } block */
    int oom;
};

static void perr(struct parser *P, int col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void perr(struct parser *P, int col, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    if (P->nerr++ >= MAX_ERRORS)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    hr_buf_printf(&P->errs, "%s:%d:%d: %s\n", P->path, P->line, col, msg);
    if (P->nerr == MAX_ERRORS)
        hr_buf_printf(&P->errs, "%s: too many errors, giving up\n", P->path);
}

static void toks_free(struct parser *P)
{
    for (size_t i = 0; i < P->nt; i++)
        free(P->t[i].text);
    P->nt = 0;
}

static int tok_push(struct parser *P, enum tok_kind k, const char *s, size_t n, int col)
{
    if (P->nt == MAX_WORDS) {
        perr(P, col, "too many words on one line (at most %d)", MAX_WORDS);
        return -1;
    }
    struct tok *t = &P->t[P->nt];
    t->kind = k;
    t->col = col;
    t->text = NULL;
    if (k == T_WORD || k == T_STRING) {
        if (!(t->text = malloc(n + 1))) {
            P->oom = 1;
            return -1;
        }
        memcpy(t->text, s, n);
        t->text[n] = '\0';
    }
    P->nt++;
    return 0;
}

/* Split LINE (LEN bytes, no newline) into tokens.  0 or -1 (reported). */
static int lex_line(struct parser *P, const char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        int col = (int)i + 1;
        if (c == ' ' || c == '\t' || c == '\r') {
            i++;
            continue;
        }
        if (c == '#')
            break;
        if (c == '{' || c == '}') {
            if (tok_push(P, c == '{' ? T_LBRACE : T_RBRACE, NULL, 0, col) < 0)
                return -1;
            i++;
            continue;
        }
        if (c == '"') {
            char *buf = malloc(len - i + 1);
            size_t n = 0;
            int closed = 0;
            if (!buf) {
                P->oom = 1;
                return -1;
            }
            for (i++; i < len; i++) {
                if (s[i] == '\\' && i + 1 < len && (s[i + 1] == '"' || s[i + 1] == '\\')) {
                    buf[n++] = s[++i];
                } else if (s[i] == '"') {
                    closed = 1;
                    i++;
                    break;
                } else {
                    buf[n++] = s[i];
                }
            }
            if (!closed) {
                free(buf);
                perr(P, col, "unterminated string");
                return -1;
            }
            if (memchr(buf, '\0', n) || !hr_is_clean_utf8(buf, n)) {
                free(buf);
                perr(P, col, "a string must be UTF-8 text without control characters");
                return -1;
            }
            int rc = tok_push(P, T_STRING, buf, n, col);
            free(buf);
            if (rc < 0)
                return -1;
            continue;
        }
        if (c < 0x21 || c > 0x7e) {
            perr(P, col, "unexpected character 0x%02x (words are ASCII; text goes in quotes)", c);
            return -1;
        }
        size_t start = i;
        while (i < len && (unsigned char)s[i] > 0x20 && (unsigned char)s[i] < 0x7f &&
               !strchr("#{}\"", s[i]))
            i++;
        if (tok_push(P, T_WORD, s + start, i - start, col) < 0)
            return -1;
    }
    return 0;
}

/* ---- values ---- */

static int parse_oid(struct parser *P, const struct tok *t, struct hr_prof_oid *o)
{
    const char *s = t->text;

    if (t->kind != T_WORD) {
        perr(P, t->col, "expected a numeric OID, got a string");
        return -1;
    }
    o->len = 0;
    if (*s == '.')
        s++;
    while (*s) {
        char *end;
        if (!isdigit((unsigned char)*s))
            goto bad;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || v > UINT32_MAX || end == s) {
            perr(P, t->col, "'%s': a sub-identifier is larger than 4294967295", t->text);
            return -1;
        }
        if (o->len == HR_PROF_OID_MAX) {
            perr(P, t->col, "'%s': longer than %d sub-identifiers", t->text, HR_PROF_OID_MAX);
            return -1;
        }
        o->sub[o->len++] = (uint32_t)v;
        s = end;
        if (*s == '.') {
            s++;
            if (!*s)
                goto bad;
        } else if (*s) {
            goto bad;
        }
    }
    if (o->len < 2)
        goto bad;
    if (o->sub[0] > 2 || (o->sub[0] < 2 && o->sub[1] > 39)) {
        perr(P, t->col, "'%s': not a valid OID (first arcs 0-2, second 0-39 under 0 and 1)",
             t->text);
        return -1;
    }
    return 0;
bad:
    perr(P, t->col, "'%s' is not a numeric OID (like .1.3.6.1.2.1.25.2.3.1)", t->text);
    return -1;
}

static int parse_uint(struct parser *P, const struct tok *t, long long lo, long long hi,
                      const char *what, long long *out)
{
    const char *why;

    if (t->kind != T_WORD || hr_parse_num(t->text, lo, hi, out, &why) < 0) {
        perr(P, t->col, "%s: '%s' is not a number from %lld to %lld", what,
             t->text ? t->text : "", lo, hi);
        return -1;
    }
    return 0;
}

static int parse_col(struct parser *P, const struct tok *t, const char *what, unsigned *col)
{
    long long v;

    if (parse_uint(P, t, 1, 65535, what, &v) < 0)
        return -1;
    *col = (unsigned)v;
    return 0;
}

/* What glibc's regcomp will build for RE, roughly: it copies the tree of
 * an atom for every `+` and every bound of `{m,n}`, so nested or stacked
 * repetitions grow exponentially (a 60-byte pattern can take gigabytes).
 * Each atom costs 1; `+` doubles the cost of what it follows, `{m,n}`
 * multiplies it by max(m,n)+1; a group costs what is inside.  -1 when
 * the cost passes LIMIT, when a repetition follows a repetition (undefined
 * in POSIX EREs) or groups nest deeper than 32. */
#define RE_COST_LIMIT 4096
static long re_cost(const char *re)
{
    long sum[33] = { 0 }, last[33] = { 0 };
    int depth = 0, prev_rep = 0;

    for (const char *s = re; *s; s++) {
        long mul = 0;
        switch (*s) {
        case '(':
            if (++depth > 32)
                return -1;
            sum[depth] = last[depth] = 0;
            prev_rep = 0;
            continue;
        case ')':
            if (depth == 0)
                return -1;
            last[depth - 1] = sum[depth];
            sum[depth - 1] += sum[depth];
            depth--;
            prev_rep = 0;
            continue;
        case '|':
            last[depth] = 0;
            prev_rep = 0;
            continue;
        case '*': case '?':
            mul = 1;
            break;
        case '+':
            mul = 2;
            break;
        case '{': {
            char *end;
            long m = strtol(s + 1, &end, 10), n = m;
            if (*end == ',')
                n = end[1] == '}' ? m : strtol(end + 1, &end, 10);
            if (!strchr(s, '}'))
                return -1;
            s = strchr(s, '}');
            mul = (n > m ? n : m) + 1;
            if (mul < 1 || mul > RE_COST_LIMIT)
                return -1;
            break;
        }
        case '[':
            /* A bracket expression is one atom ("[]a]" and "[^]a]" hold a ']'). */
            s += s[1] == '^' ? 2 : 1;
            if (*s == ']')
                s++;
            while (*s && *s != ']')
                s++;
            if (!*s)
                return -1;
            /* fall through */
        default:
            if (*s == '\\' && s[1])
                s++;
            last[depth] = 1;
            sum[depth] += 1;
            prev_rep = 0;
            if (sum[depth] > RE_COST_LIMIT)
                return -1;
            continue;
        }
        if (prev_rep)
            return -1;
        prev_rep = 1;
        sum[depth] += last[depth] * (mul - 1);
        last[depth] *= mul;
        if (sum[depth] > RE_COST_LIMIT || last[depth] > RE_COST_LIMIT)
            return -1;
    }
    return sum[0];
}

static int compile_re(struct parser *P, const struct tok *t, regex_t *re, int flags)
{
    int rc;

    if (t->kind != T_STRING) {
        perr(P, t->col, "expected a regular expression in quotes");
        return -1;
    }
    if (strlen(t->text) > 512 || re_cost(t->text) < 0) {
        perr(P, t->col, "regular expression \"%.40s%s\" is too complex (repetitions of "
             "repetitions, or bounds that multiply; keep it simple)", t->text,
             strlen(t->text) > 40 ? "..." : "");
        return -1;
    }
    if ((rc = regcomp(re, t->text, REG_EXTENDED | flags)) != 0) {
        char msg[256];
        regerror(rc, re, msg, sizeof msg);
        regfree(re);
        perr(P, t->col, "bad regular expression \"%s\": %s", t->text, msg);
        return -1;
    }
    return 0;
}

static const char *const type_names[] = {
    [HR_VT_ANY] = "any", [HR_VT_INTEGER] = "integer", [HR_VT_STRING] = "string",
    [HR_VT_OID] = "oid", [HR_VT_IPADDRESS] = "ipaddress", [HR_VT_COUNTER32] = "counter32",
    [HR_VT_GAUGE32] = "gauge32", [HR_VT_TIMETICKS] = "timeticks", [HR_VT_OPAQUE] = "opaque",
    [HR_VT_COUNTER64] = "counter64",
};

const char *hr_prof_type_name(enum hr_vtype t)
{
    return (size_t)t < HR_ARRAY_LEN(type_names) ? type_names[t] : "?";
}

static int parse_type(struct parser *P, const struct tok *t, enum hr_vtype *out)
{
    for (size_t i = 1; t->kind == T_WORD && i < HR_ARRAY_LEN(type_names); i++)
        if (strcmp(t->text, type_names[i]) == 0) {
            *out = (enum hr_vtype)i;
            return 0;
        }
    perr(P, t->col, "'%s' is not a type (integer, string, oid, ipaddress, counter32, "
         "gauge32, timeticks, opaque, counter64)", t->text ? t->text : "");
    return -1;
}

static const char *const scale_names[] = {
    [HR_PS_BYTES] = "bytes", [HR_PS_KIB] = "kib", [HR_PS_MIB] = "mib",
    [HR_PS_GIB] = "gib", [HR_PS_TIB] = "tib", [HR_PS_UNITS] = "units",
    [HR_PS_BLOCKS] = "blocks",
};

const char *hr_prof_scale_name(enum hr_prof_scale s)
{
    return (size_t)s < HR_ARRAY_LEN(scale_names) ? scale_names[s] : "?";
}

static const char *const field_names[] = {
    [HR_PF_SERIAL] = "serial", [HR_PF_VENDOR] = "vendor", [HR_PF_MODEL] = "model",
    [HR_PF_MODEL_NUMBER] = "model-number", [HR_PF_PRODUCT_NUMBER] = "product-number",
    [HR_PF_FIRMWARE] = "firmware",
};

const char *hr_prof_field_name(enum hr_prof_field f)
{
    return (size_t)f < HR_ARRAY_LEN(field_names) ? field_names[f] : "?";
}

const char *hr_prof_oid_format(const struct hr_prof_oid *o, char *buf, size_t bufsz)
{
    size_t n = 0;

    if (bufsz)
        buf[0] = '\0';
    for (size_t i = 0; i < o->len && n < bufsz; i++) {
        int w = snprintf(buf + n, bufsz - n, ".%u", (unsigned)o->sub[i]);
        if (w < 0)
            break;
        n += (size_t)w;
    }
    return buf;
}

/* Grow *V (of *N elements of SIZE) by one zeroed element; NULL on OOM. */
static void *grow(struct parser *P, void **v, size_t *n, size_t size)
{
    char *nv = realloc(*v, (*n + 1) * size);

    if (!nv) {
        P->oom = 1;
        return NULL;
    }
    *v = nv;
    memset(nv + *n * size, 0, size);
    return nv + (*n)++ * size;
}

/* Token I is the keyword W. */
static int is_word(const struct parser *P, size_t i, const char *w)
{
    return i < P->nt && P->t[i].kind == T_WORD && strcmp(P->t[i].text, w) == 0;
}

static char *dup_or_oom(struct parser *P, const char *s)
{
    char *d = strdup(s);

    if (!d)
        P->oom = 1;
    return d;
}

/* ---- statements ---- */

static int want_words(struct parser *P, size_t lo, size_t hi, const char *usage)
{
    int many = P->nt > hi && hi < MAX_WORDS;

    if (P->nt >= lo && P->nt <= hi)
        return 0;
    perr(P, many ? P->t[hi].col : P->t[0].col, "%s: expected '%s'",
         many ? "too many words" : "missing words", usage);
    return -1;
}

static int valid_name(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > HR_PROF_NAME_MAX || !(islower((unsigned char)*s) || isdigit((unsigned char)*s)))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-')
            return 0;
    return 1;
}

static void st_profile(struct parser *P)
{
    struct hr_profile *p = P->p;

    if (want_words(P, 2, 3, "profile NAME [\"DESCRIPTION\"]") < 0)
        return;
    if (p->name) {
        perr(P, P->t[0].col, "a second 'profile' line (one profile per file)");
        return;
    }
    if (P->t[1].kind != T_WORD || !valid_name(P->t[1].text)) {
        perr(P, P->t[1].col, "'%s' is not a profile name ([a-z0-9][a-z0-9-]*, at most %d)",
             P->t[1].text ? P->t[1].text : "", HR_PROF_NAME_MAX);
        return;
    }
    if (P->nt == 3 && P->t[2].kind != T_STRING) {
        perr(P, P->t[2].col, "the description goes in quotes");
        return;
    }
    p->name = dup_or_oom(P, P->t[1].text);
    free(p->description);
    p->description = dup_or_oom(P, P->nt == 3 ? P->t[2].text : "");
}

static void st_uses(struct parser *P)
{
    struct hr_profile *p = P->p;

    if (want_words(P, 2, MAX_WORDS, "uses NAME...") < 0)
        return;
    for (size_t i = 1; i < P->nt; i++) {
        if (P->t[i].kind != T_WORD || !valid_name(P->t[i].text)) {
            perr(P, P->t[i].col, "'%s' is not a profile name",
                 P->t[i].text ? P->t[i].text : "");
            continue;
        }
        if (p->name && strcmp(P->t[i].text, p->name) == 0) {
            perr(P, P->t[i].col, "a profile cannot use itself");
            continue;
        }
        char **slot = grow(P, (void **)&p->uses, &p->nuses, sizeof *p->uses);
        if (slot)
            *slot = dup_or_oom(P, P->t[i].text);
    }
}

static void st_priority(struct parser *P)
{
    long long v;

    if (want_words(P, 2, 2, "priority N") == 0 &&
        parse_uint(P, &P->t[1], 0, 1000, "priority", &v) == 0)
        P->p->priority = (int)v;
}

static void st_detect(struct parser *P)
{
    struct hr_profile *p = P->p;
    struct hr_prof_detect d = { .line = P->line };
    size_t i = 2;
    const char *what;

    if (want_words(P, 3, MAX_WORDS, "detect sysobjectid|exists|not exists|sysdescr ...") < 0)
        return;
    what = P->t[1].kind == T_WORD ? P->t[1].text : "";
    if (strcmp(what, "sysobjectid") == 0) {
        d.kind = HR_PD_SYSOBJECTID;
        for (; i < P->nt; i++) {
            struct hr_prof_oid *o = grow(P, (void **)&d.oids, &d.noids, sizeof *d.oids);
            if (!o || parse_oid(P, &P->t[i], o) < 0)
                goto out_free;
        }
    } else if (strcmp(what, "exists") == 0 || strcmp(what, "not") == 0) {
        d.kind = HR_PD_EXISTS;
        if (strcmp(what, "not") == 0) {
            if (!is_word(P, 2, "exists")) {
                perr(P, P->t[2].col, "expected 'not exists OID'");
                return;
            }
            d.kind = HR_PD_NOT_EXISTS;
            i = 3;
        }
        if (P->nt != i + 1 && P->nt != i + 3) {
            perr(P, P->t[0].col, "expected 'detect %sexists OID [type TYPE]'",
                 d.kind == HR_PD_NOT_EXISTS ? "not " : "");
            return;
        }
        struct hr_prof_oid *o = grow(P, (void **)&d.oids, &d.noids, sizeof *d.oids);
        if (!o || parse_oid(P, &P->t[i], o) < 0)
            goto out_free;
        if (P->nt == i + 3) {
            if (!is_word(P, i + 1, "type")) {
                perr(P, P->t[i + 1].col, "expected 'type TYPE' after the OID");
                goto out_free;
            }
            if (parse_type(P, &P->t[i + 2], &d.type) < 0)
                goto out_free;
        }
    } else if (strcmp(what, "sysdescr") == 0) {
        d.kind = HR_PD_SYSDESCR;
        if (want_words(P, 3, 3, "detect sysdescr \"REGEX\"") < 0)
            return;
        if (compile_re(P, &P->t[2], &d.re, REG_ICASE | REG_NOSUB) < 0)
            return;
        if (!(d.pattern = dup_or_oom(P, P->t[2].text))) {
            regfree(&d.re);
            return;
        }
    } else {
        perr(P, P->t[1].col, "'%s': detect what? (sysobjectid, exists, not exists, sysdescr)",
             what);
        return;
    }
    struct hr_prof_detect *slot = grow(P, (void **)&p->detects, &p->ndetects, sizeof *slot);
    if (slot) {
        *slot = d;
        return;
    }
    if (d.kind == HR_PD_SYSDESCR) {
        regfree(&d.re);
        free(d.pattern);
    }
out_free:
    free(d.oids);
}

static void source_free(struct hr_prof_source *s)
{
    free(s->constant);
    free(s->where_value);
    free(s->map_name);
    if (s->pattern) {
        regfree(&s->re);
        free(s->pattern);
    }
}

/* A field's source; given again, the next alternative of the field. */
static void st_field(struct parser *P, enum hr_prof_field f)
{
    struct hr_prof_source *s = &P->p->src[f];
    struct hr_prof_source n = { .set = 1, .line = P->line };
    size_t i = 2;
    static const char *const syntax =
        "FIELD \"TEXT\" | FIELD OID [where COLUMN-OID = VALUE] [regex \"RE\"] [map NAME]";

    if (want_words(P, 2, 10, syntax) < 0)
        return;
    if (P->t[1].kind == T_STRING) {
        if (P->nt != 2) {
            perr(P, P->t[2].col, "a constant takes nothing after it");
            return;
        }
        if (!(n.constant = dup_or_oom(P, P->t[1].text)))
            return;
        goto keep;
    }
    if (parse_oid(P, &P->t[1], &n.oid) < 0)
        return;
    if (is_word(P, i, "where")) {
        if (i + 4 > P->nt || !is_word(P, i + 2, "=") ||
            (P->t[i + 3].kind != T_WORD && P->t[i + 3].kind != T_STRING)) {
            perr(P, P->t[i].col, "expected 'where COLUMN-OID = VALUE'");
            return;
        }
        if (parse_oid(P, &P->t[i + 1], &n.where_col) < 0)
            return;
        if (!(n.where_value = dup_or_oom(P, P->t[i + 3].text)))
            return;
        n.where = 1;
        i += 4;
    }
    if (is_word(P, i, "regex") && i + 1 < P->nt) {
        if (compile_re(P, &P->t[i + 1], &n.re, 0) < 0)
            goto out_free;
        if (n.re.re_nsub > 1) {
            regfree(&n.re);
            perr(P, P->t[i + 1].col, "at most one capture group (the part kept)");
            goto out_free;
        }
        if (!(n.pattern = dup_or_oom(P, P->t[i + 1].text))) {
            regfree(&n.re);
            goto out_free;
        }
        i += 2;
    }
    if (is_word(P, i, "map") && i + 1 < P->nt && P->t[i + 1].kind == T_WORD) {
        if (!(n.map_name = dup_or_oom(P, P->t[i + 1].text)))
            goto out_free;
        n.map_col = P->t[i + 1].col;
        i += 2;
    }
    if (i < P->nt) {
        perr(P, P->t[i].col, "expected '%s'", syntax);
        goto out_free;
    }
keep:
    if (!s->set) {
        *s = n;
        return;
    }
    while (s->next)
        s = s->next;
    if (!(s->next = malloc(sizeof *s->next))) {
        P->oom = 1;
        goto out_free;
    }
    *s->next = n;
    return;
out_free:
    source_free(&n);
}

/* `map NAME {`: a value map for identity fields, lines `KEY "TEXT"`. */
static void st_map(struct parser *P)
{
    struct hr_profile *p = P->p;
    struct hr_prof_map *m;

    if (P->nt != 3 || P->t[1].kind != T_WORD || P->t[2].kind != T_LBRACE) {
        perr(P, P->t[0].col, "expected 'map NAME {'");
        return;
    }
    for (size_t k = 0; k < p->nmaps; k++)
        if (strcmp(p->maps[k].name, P->t[1].text) == 0) {
            perr(P, P->t[1].col, "map %s is already given at line %d", P->t[1].text,
                 p->maps[k].line);
            return;
        }
    if (!(m = grow(P, (void **)&p->maps, &p->nmaps, sizeof *m)))
        return;
    m->line = P->line;
    if (!(m->name = dup_or_oom(P, P->t[1].text)))
        return;
    P->cur_map = m;
}

static void map_line(struct parser *P)
{
    struct hr_prof_map *m = P->cur_map;
    struct hr_prof_map_entry *e;

    if (P->t[0].kind == T_RBRACE) {
        if (P->nt != 1)
            perr(P, P->t[1].col, "'}' stands alone on its line");
        if (m->n == 0)
            perr(P, 1, "map %s has no entry", m->name);
        P->cur_map = NULL;
        return;
    }
    if (P->nt != 2 || (P->t[0].kind != T_WORD && P->t[0].kind != T_STRING) ||
        P->t[1].kind != T_STRING) {
        perr(P, P->t[0].col, "a map line is 'VALUE \"TEXT\"' (what the agent says, what it means)");
        return;
    }
    for (size_t k = 0; k < m->n; k++)
        if (strcmp(m->v[k].key, P->t[0].text) == 0) {
            perr(P, P->t[0].col, "'%s' is already in map %s", P->t[0].text, m->name);
            return;
        }
    if (!(e = grow(P, (void **)&m->v, &m->n, sizeof *e)))
        return;
    e->key = dup_or_oom(P, P->t[0].text);
    e->value = dup_or_oom(P, P->t[1].text);
}

/* Every `map NAME` of a source names a map of this profile. */
static void maps_resolve(struct parser *P)
{
    struct hr_profile *p = P->p;
    int line = P->line;

    for (size_t f = 0; f < HR_PF_COUNT; f++)
        for (struct hr_prof_source *s = &p->src[f]; s && s->set; s = s->next) {
            if (!s->map_name)
                continue;
            for (size_t k = 0; k < p->nmaps && !s->map; k++)
                if (strcmp(p->maps[k].name, s->map_name) == 0)
                    s->map = &p->maps[k];
            if (!s->map) {
                P->line = s->line;
                perr(P, s->map_col, "no map named '%s' in this profile", s->map_name);
            }
        }
    P->line = line;
}

static void st_table(struct parser *P, enum hr_prof_table_kind kind)
{
    struct hr_profile *p = P->p;
    struct hr_prof_table *t;

    if (P->nt != 3 || P->t[2].kind != T_LBRACE) {
        perr(P, P->t[0].col, "expected '%s ENTRY-OID {'", kind == HR_TAB_VOLUMES ? "volumes" : "writes");
        return;
    }
    if (!(t = grow(P, (void **)&p->tables, &p->ntables, sizeof *t)))
        return;
    t->kind = kind;
    t->line = P->line;
    parse_oid(P, &P->t[1], &t->entry);
    P->cur = t;
}

static int parse_scale(struct parser *P, size_t i, struct hr_prof_value *v)
{
    if (is_word(P, i, "text")) {
        v->text = 1;
        i++;
    }
    if (i >= P->nt)
        return 0;
    for (size_t k = 0; k < HR_ARRAY_LEN(scale_names); k++) {
        if (!is_word(P, i, scale_names[k]))
            continue;
        v->scale = (enum hr_prof_scale)k;
        if (k == HR_PS_BLOCKS) {
            long long b;
            if (i + 1 >= P->nt) {
                perr(P, P->t[i].col, "blocks of how many bytes? ('blocks 512')");
                return -1;
            }
            if (parse_uint(P, &P->t[i + 1], 1, (long long)1 << 40, "block size", &b) < 0)
                return -1;
            v->block = (uint64_t)b;
            i++;
        }
        if (i + 1 < P->nt) {
            perr(P, P->t[i + 1].col, "unexpected '%s' after the scale",
                 P->t[i + 1].text ? P->t[i + 1].text : "{");
            return -1;
        }
        return 0;
    }
    perr(P, P->t[i].col, "'%s' is not a scale (bytes, kib, mib, gib, tib, units, blocks N, "
         "text SCALE)", P->t[i].text ? P->t[i].text : "");
    return -1;
}

static void blk_value(struct parser *P, struct hr_prof_value *v, const char *what)
{
    const struct tok *c = &P->t[1];
    char *colon;

    if (v->col) {
        perr(P, P->t[0].col, "%s is already given", what);
        return;
    }
    if (c->kind == T_WORD && (colon = strchr(c->text, ':'))) {
        struct tok hi = { T_WORD, c->text, c->col }, lo = { T_WORD, colon + 1, c->col };
        *colon = '\0';
        if (parse_col(P, &hi, what, &v->col) < 0 || parse_col(P, &lo, what, &v->col_lo) < 0) {
            v->col = v->col_lo = 0;
            return;
        }
    } else if (parse_col(P, c, what, &v->col) < 0) {
        return;
    }
    if (parse_scale(P, 2, v) < 0)
        return;
    if (v->text && v->col_lo) {
        perr(P, c->col, "%s: text values do not come in halves", what);
        return;
    }
}

static void blk_filter(struct parser *P, struct hr_prof_table *t, int exclude)
{
    struct hr_prof_filter f = { .exclude = exclude };

    if (want_words(P, 3, 3, exclude ? "exclude name \"REGEX\"" : "include name \"REGEX\"") < 0)
        return;
    if (!is_word(P, 1, "name")) {
        perr(P, P->t[1].col, "rows are filtered on their name ('%s name \"REGEX\"')",
             exclude ? "exclude" : "include");
        return;
    }
    if (compile_re(P, &P->t[2], &f.re, REG_NOSUB) < 0)
        return;
    if (!(f.pattern = dup_or_oom(P, P->t[2].text))) {
        regfree(&f.re);
        return;
    }
    struct hr_prof_filter *slot = grow(P, (void **)&t->filters, &t->nfilters, sizeof *slot);
    if (slot) {
        *slot = f;
    } else {
        regfree(&f.re);
        free(f.pattern);
    }
}

/* `shared-free name "RE"`: rows whose names give the same group (RE's
 * capture group, or its whole match) share one free space. */
static void blk_shared(struct parser *P, struct hr_prof_table *t)
{
    if (want_words(P, 3, 3, "shared-free name \"REGEX\"") < 0)
        return;
    if (!is_word(P, 1, "name")) {
        perr(P, P->t[1].col, "rows are grouped by their name ('shared-free name \"REGEX\"')");
        return;
    }
    if (t->shared_pattern) {
        perr(P, P->t[0].col, "shared-free is already given");
        return;
    }
    if (compile_re(P, &P->t[2], &t->shared_re, 0) < 0)
        return;
    if (t->shared_re.re_nsub > 1) {
        regfree(&t->shared_re);
        perr(P, P->t[2].col, "at most one capture group (the group's key)");
        return;
    }
    if (!(t->shared_pattern = dup_or_oom(P, P->t[2].text)))
        regfree(&t->shared_re);
}

static void blk_type(struct parser *P, struct hr_prof_table *t)
{
    if (P->nt < 4 || !is_word(P, 2, "in")) {
        perr(P, P->t[0].col, "expected 'type COL in VALUE...'");
        return;
    }
    if (t->type_col) {
        perr(P, P->t[0].col, "type is already given");
        return;
    }
    if (parse_col(P, &P->t[1], "type", &t->type_col) < 0)
        return;
    for (size_t i = 3; i < P->nt; i++) {
        struct hr_prof_oid *o = grow(P, (void **)&t->type_in, &t->ntype_in, sizeof *o);
        long long v;
        if (!o)
            return;
        /* An integer column's values are bare numbers; an OID column's are OIDs. */
        if (P->t[i].kind == T_WORD && !strchr(P->t[i].text, '.')) {
            if (parse_uint(P, &P->t[i], 0, UINT32_MAX, "type value", &v) == 0) {
                o->len = 1;
                o->sub[0] = (uint32_t)v;
            }
        } else {
            parse_oid(P, &P->t[i], o);
        }
    }
}

static void blk_line(struct parser *P)
{
    struct hr_prof_table *t = P->cur;
    const char *kw = P->t[0].kind == T_WORD ? P->t[0].text : "";
    int vol = t->kind == HR_TAB_VOLUMES;

    if (P->t[0].kind == T_RBRACE) {
        if (P->nt != 1)
            perr(P, P->t[1].col, "'}' stands alone on its line");
        P->cur = NULL;
        return;
    }
    if (strcmp(kw, "include") == 0 || strcmp(kw, "exclude") == 0) {
        blk_filter(P, t, kw[0] == 'e');
        return;
    }
    if (vol && strcmp(kw, "keep") == 0) {
        if (want_words(P, 2, 2, "keep duplicates") == 0 && !is_word(P, 1, "duplicates"))
            perr(P, P->t[1].col, "expected 'keep duplicates'");
        else if (P->nt == 2)
            t->keep_duplicates = 1;
        return;
    }
    if (vol && strcmp(kw, "shared-free") == 0) {
        blk_shared(P, t);
        return;
    }
    if (strcmp(kw, "type") == 0) {
        blk_type(P, t);
        return;
    }
    if (P->nt < 2) {
        perr(P, P->t[0].col, "'%s' needs a column number", kw);
        return;
    }
    if (strcmp(kw, "name") == 0 && want_words(P, 2, 2, "name COL") == 0) {
        if (t->name_col)
            perr(P, P->t[0].col, "name is already given");
        else
            parse_col(P, &P->t[1], "name", &t->name_col);
    } else if (vol && strcmp(kw, "unit") == 0 && want_words(P, 2, 2, "unit COL") == 0) {
        parse_col(P, &P->t[1], "unit", &t->unit_col);
    } else if (vol && strcmp(kw, "size") == 0) {
        blk_value(P, &t->size, "size");
    } else if (vol && strcmp(kw, "used") == 0) {
        blk_value(P, &t->used, "used");
    } else if (vol && strcmp(kw, "free") == 0) {
        blk_value(P, &t->free, "free");
    } else if (!vol && strcmp(kw, "count") == 0 && want_words(P, 2, 2, "count COL") == 0) {
        parse_col(P, &P->t[1], "count", &t->count_col);
    } else if (strcmp(kw, "name") != 0 && strcmp(kw, "unit") != 0 && strcmp(kw, "count") != 0) {
        perr(P, P->t[0].col, "'%s' is not a line of a %s block (%s)", kw,
             vol ? "volumes" : "writes",
             vol ? "name, type, unit, size, used, free, include, exclude, keep duplicates, "
                   "shared-free"
                 : "name, type, count, include, exclude");
    } else if ((!vol && strcmp(kw, "unit") == 0) || (vol && strcmp(kw, "count") == 0)) {
        perr(P, P->t[0].col, "'%s' belongs in a %s block", kw, vol ? "writes" : "volumes");
    }
}

/* What a finished block must have. */
static void blk_check(struct parser *P, const struct hr_prof_table *t)
{
    int line = P->line;

    P->line = t->line;
    if (t->kind == HR_TAB_VOLUMES) {
        if (!t->size.col)
            perr(P, 1, "a volumes block needs 'size'");
        if (!t->used.col && !t->free.col)
            perr(P, 1, "a volumes block needs 'used' or 'free'");
        if (t->used.col && t->free.col)
            perr(P, 1, "'used' and 'free' both given: say one");
        const struct hr_prof_value *vs[] = { &t->size, &t->used, &t->free };
        for (size_t i = 0; i < HR_ARRAY_LEN(vs); i++)
            if (vs[i]->col && vs[i]->scale == HR_PS_UNITS && !t->unit_col)
                perr(P, 1, "a value in 'units' needs a 'unit COL' line");
    } else if (!t->count_col) {
        perr(P, 1, "a writes block needs 'count'");
    }
    if (t->nfilters && !t->name_col)
        perr(P, 1, "include/exclude filter on the name: give 'name COL'");
    if (t->shared_pattern && !t->name_col)
        perr(P, 1, "shared-free groups rows by name: give 'name COL'");
    P->line = line;
}

static void statement(struct parser *P)
{
    static const struct {
        const char *kw;
        enum hr_prof_field f;
    } fields[] = {
        { "serial", HR_PF_SERIAL }, { "vendor", HR_PF_VENDOR }, { "model", HR_PF_MODEL },
        { "model-number", HR_PF_MODEL_NUMBER }, { "product-number", HR_PF_PRODUCT_NUMBER },
        { "firmware", HR_PF_FIRMWARE },
    };
    const char *kw;

    if (P->cur) {
        struct hr_prof_table *t = P->cur;
        blk_line(P);
        if (!P->cur)
            blk_check(P, t);
        return;
    }
    if (P->cur_map)
        return map_line(P);
    if (P->t[0].kind != T_WORD) {
        perr(P, P->t[0].col, P->t[0].kind == T_STRING ? "a line starts with a keyword, not a string"
                                                      : "unexpected brace");
        return;
    }
    kw = P->t[0].text;
    if (strcmp(kw, "profile") == 0)
        return st_profile(P);
    if (!P->p->name) {
        perr(P, P->t[0].col, "the first statement is 'profile NAME'");
        P->p->name = dup_or_oom(P, "?");   /* report once, then check the rest */
        return;
    }
    if (strcmp(kw, "uses") == 0)
        return st_uses(P);
    if (strcmp(kw, "priority") == 0)
        return st_priority(P);
    if (strcmp(kw, "detect") == 0)
        return st_detect(P);
    if (strcmp(kw, "volumes") == 0)
        return st_table(P, HR_TAB_VOLUMES);
    if (strcmp(kw, "writes") == 0)
        return st_table(P, HR_TAB_WRITES);
    if (strcmp(kw, "map") == 0)
        return st_map(P);
    for (size_t i = 0; i < HR_ARRAY_LEN(fields); i++)
        if (strcmp(kw, fields[i].kw) == 0)
            return st_field(P, fields[i].f);
    perr(P, P->t[0].col, "unknown keyword '%s' (profile, uses, priority, detect, serial, "
         "vendor, model, model-number, product-number, firmware, volumes, writes, map)", kw);
}

struct hr_profile *hr_profile_parse(const char *path, const char *text, size_t len,
                                    char **errs)
{
    struct parser P = { .path = path };
    struct hr_profile *p = calloc(1, sizeof *p);
    size_t off = 0;

    if (errs)
        *errs = NULL;
    if (!p || !(p->path = strdup(path)))
        goto out_oom;
    p->priority = 100;
    P.p = p;
    if (memchr(text, '\0', len)) {
        P.line = 1;
        perr(&P, 1, "a NUL byte: not a text file");
        off = len;
    }
    /* Every line is checked, also after an error, so that all errors are
     * reported at once (up to MAX_ERRORS). */
    while (off < len && P.nerr < MAX_ERRORS) {
        const char *nl = memchr(text + off, '\n', len - off);
        size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
        P.line++;
        if (lex_line(&P, text + off, n) == 0 && P.nt)
            statement(&P);
        toks_free(&P);
        if (P.oom)
            goto out_oom;
        off += n + 1;
    }
    P.line = P.line ? P.line : 1;
    if (P.cur)
        perr(&P, 1, "end of file inside the block opened at line %d (missing '}')", P.cur->line);
    if (P.cur_map)
        perr(&P, 1, "end of file inside the map opened at line %d (missing '}')", P.cur_map->line);
    maps_resolve(&P);
    if (!p->name)
        perr(&P, 1, "no 'profile NAME' line");
    if (P.nerr) {
        char *e = hr_buf_take(&P.errs);
        if (errs)
            *errs = e;
        else
            free(e);
        hr_profile_free(p);
        errno = EINVAL;
        return NULL;
    }
    hr_buf_free(&P.errs);
    return p;
out_oom:
    toks_free(&P);
    hr_buf_free(&P.errs);
    hr_profile_free(p);
    errno = ENOMEM;
    return NULL;
}

struct hr_profile *hr_profile_load(const char *path, char **errs)
{
    size_t len;
    char *text = hr_read_file(path, MAX_FILE + 1, &len);
    struct hr_profile *p;

    if (errs)
        *errs = NULL;
    if (!text) {
        struct hr_buf b = { 0 };
        int e = errno;
        hr_buf_printf(&b, "%s: %s\n", path, strerror(e));
        if (errs)
            *errs = hr_buf_take(&b);
        else
            hr_buf_free(&b);
        errno = e == EINVAL ? EIO : e;
        return NULL;
    }
    if (len > MAX_FILE) {
        struct hr_buf b = { 0 };
        hr_buf_printf(&b, "%s: larger than 1 MiB: not a profile\n", path);
        free(text);
        if (errs)
            *errs = hr_buf_take(&b);
        else
            hr_buf_free(&b);
        errno = EFBIG;
        return NULL;
    }
    p = hr_profile_parse(path, text, len, errs);
    free(text);
    return p;
}

void hr_profile_free(struct hr_profile *p)
{
    if (!p)
        return;
    free(p->name);
    free(p->description);
    free(p->path);
    for (size_t i = 0; i < p->nuses; i++)
        free(p->uses[i]);
    free(p->uses);
    for (size_t i = 0; i < p->ndetects; i++) {
        free(p->detects[i].oids);
        if (p->detects[i].pattern) {
            regfree(&p->detects[i].re);
            free(p->detects[i].pattern);
        }
    }
    free(p->detects);
    for (size_t i = 0; i < HR_PF_COUNT; i++) {
        struct hr_prof_source *s = p->src[i].next, *nx;
        source_free(&p->src[i]);
        for (; s; s = nx) {
            nx = s->next;
            source_free(s);
            free(s);
        }
    }
    for (size_t i = 0; i < p->nmaps; i++) {
        for (size_t k = 0; k < p->maps[i].n; k++) {
            free(p->maps[i].v[k].key);
            free(p->maps[i].v[k].value);
        }
        free(p->maps[i].v);
        free(p->maps[i].name);
    }
    free(p->maps);
    for (size_t i = 0; i < p->ntables; i++) {
        struct hr_prof_table *t = &p->tables[i];
        free(t->type_in);
        for (size_t k = 0; k < t->nfilters; k++) {
            regfree(&t->filters[k].re);
            free(t->filters[k].pattern);
        }
        free(t->filters);
        if (t->shared_pattern) {
            regfree(&t->shared_re);
            free(t->shared_pattern);
        }
    }
    free(p->tables);
    free(p);
}
