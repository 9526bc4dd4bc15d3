/* lexer.c: tokens of the rule language, and the error list.
 *
 * Hand-written: the language is small, and a hand-written lexer gives
 * the exact line and column of each token and a useful message for each
 * kind of bad input (unknown unit, unterminated string, stray byte). */
#include "lang_int.h"
#include "hr_util.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- diagnostics ---- */

static int diag_reserve(struct diag *d, size_t more)
{
    if (d->oom)
        return -1;
    if (d->len + more + 1 > d->cap) {
        size_t nc = d->cap ? d->cap : 256;
        while (nc < d->len + more + 1)
            nc *= 2;
        char *nb = realloc(d->buf, nc);
        if (!nb) {
            d->oom = 1;
            return -1;
        }
        d->buf = nb;
        d->cap = nc;
    }
    return 0;
}

static void diag_vappend(struct diag *d, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || diag_reserve(d, (size_t)n) < 0)
        return;
    vsnprintf(d->buf + d->len, (size_t)n + 1, fmt, ap);
    d->len += (size_t)n;
}

static void diag_append(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void diag_append(struct diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vappend(d, fmt, ap);
    va_end(ap);
}

/* The offending token, printable: at most 32 bytes, bytes that are not
 * printable ASCII as \xHH, so binary junk cannot garble a terminal. */
static void diag_near(struct diag *d, const char *near, size_t n)
{
    char out[32 * 4 + 8];
    size_t o = 0, lim = n > 32 ? 32 : n;

    if (!near) {
        diag_append(d, " near end of file");
        return;
    }
    for (size_t i = 0; i < lim; i++) {
        unsigned char c = (unsigned char)near[i];
        if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\')
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, sizeof out - o, "\\x%02x", c);
    }
    if (n > lim)
        o += (size_t)snprintf(out + o, sizeof out - o, "...");
    out[o] = '\0';
    diag_append(d, " near '%s'", out);
}

void diag_add(struct diag *d, int line, int col, const char *near, size_t nearlen,
              const char *fmt, ...)
{
    va_list ap;

    if (d->full)
        return;
    d->count++;
    if (d->count > HR_RULES_MAX_ERRORS) {
        diag_append(d, "%s:%d:%d: too many errors, giving up\n", d->fname, line, col);
        d->full = 1;
        return;
    }
    diag_append(d, "%s:%d:%d: ", d->fname, line, col);
    va_start(ap, fmt);
    diag_vappend(d, fmt, ap);
    va_end(ap);
    diag_near(d, near, nearlen);
    diag_append(d, "\n");
}

/* ---- names ---- */

const char *dim_name(enum dim d)
{
    static const char *const names[D__COUNT] = {
        [D_NONE] = "a plain number", [D_PCT] = "a percentage", [D_BYTES] = "bytes",
        [D_DAYS] = "a duration", [D_BPD] = "bytes per day",
    };
    return (unsigned)d < D__COUNT ? names[d] : "?";
}

const char *tok_name(enum tok t)
{
    switch (t) {
    case T_EOF: return "end of file";
    case T_ERROR: return "error";
    case T_IDENT: return "a name";
    case T_NAME: return "a rule name";
    case T_NUM: return "a number";
    case T_STR: return "a string";
    case T_LBRACE: return "'{'";
    case T_RBRACE: return "'}'";
    case T_LPAREN: return "'('";
    case T_RPAREN: return "')'";
    case T_COMMA: return "','";
    default: return "a token";
    }
}

static const struct { const char *kw; enum tok t; } keywords[] = {
    { "and", T_AND }, { "or", T_OR }, { "not", T_NOT }, { "true", T_TRUE },
    { "false", T_FALSE }, { "rule", T_RULE }, { "family", T_FAMILY },
    { "severity", T_SEVERITY }, { "when", T_WHEN }, { "rearm", T_REARM },
    { "cooldown", T_COOLDOWN }, { "propose", T_PROPOSE }, { "subject", T_SUBJECT },
    { "sku", T_SKU },
};

/* Units: value of one unit in the dimension's base (bytes, days, percent). */
static const struct { const char *u; enum dim dim; double mul; } units[] = {
    { "%", D_PCT, 1 },
    { "B", D_BYTES, 1 }, { "KB", D_BYTES, 1e3 }, { "MB", D_BYTES, 1e6 },
    { "GB", D_BYTES, 1e9 }, { "TB", D_BYTES, 1e12 }, { "PB", D_BYTES, 1e15 },
    { "KiB", D_BYTES, 1024.0 }, { "MiB", D_BYTES, 1048576.0 },
    { "GiB", D_BYTES, 1073741824.0 }, { "TiB", D_BYTES, 1099511627776.0 },
    { "PiB", D_BYTES, 1125899906842624.0 },
    { "s", D_DAYS, 1.0 / 86400 }, { "min", D_DAYS, 1.0 / 1440 }, { "h", D_DAYS, 1.0 / 24 },
    { "d", D_DAYS, 1 }, { "w", D_DAYS, 7 }, { "y", D_DAYS, 365 },
};

/* ---- the lexer ---- */

static int col_of(const struct lexer *lx, size_t pos)
{
    size_t c = pos - lx->line_start + 1;
    return c > (size_t)0x7fffffff ? 0x7fffffff : (int)c;
}

/* N bytes from POS, clamped to the end of the source. */
static size_t clamp(const struct lexer *lx, size_t pos, size_t n)
{
    return pos >= lx->len ? 0 : n < lx->len - pos ? n : lx->len - pos;
}

static void lex_error(struct lexer *lx, struct token *t, size_t pos, size_t n,
                      const char *msg)
{
    diag_add(lx->d, t->line, col_of(lx, pos), lx->src + pos, clamp(lx, pos, n), "%s", msg);
    t->type = T_ERROR;
}

static void skip_blank(struct lexer *lx)
{
    while (lx->pos < lx->len) {
        char c = lx->src[lx->pos];
        if (c == '\n') {
            lx->pos++;
            lx->line++;
            lx->line_start = lx->pos;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            lx->pos++;
        } else if (c == '#') {
            while (lx->pos < lx->len && lx->src[lx->pos] != '\n')
                lx->pos++;
        } else {
            break;
        }
    }
}

static int is_word(int c, int name_mode)
{
    return isalnum(c) || c == '_' || (name_mode && (c == '-' || c == '.'));
}

static void lex_word(struct lexer *lx, struct token *t, int name_mode)
{
    while (lx->pos < lx->len && is_word((unsigned char)lx->src[lx->pos], name_mode))
        lx->pos++;
    t->len = (size_t)(lx->src + lx->pos - t->start);
    if (t->len > 64) {
        lex_error(lx, t, (size_t)(t->start - lx->src), t->len, "name longer than 64 characters");
        return;
    }
    t->type = name_mode ? T_NAME : T_IDENT;
    if (name_mode)
        return;
    for (size_t i = 0; i < HR_ARRAY_LEN(keywords); i++)
        if (strlen(keywords[i].kw) == t->len && memcmp(keywords[i].kw, t->start, t->len) == 0)
            t->type = keywords[i].t;
}

static void lex_number(struct lexer *lx, struct token *t)
{
    size_t b = lx->pos, ub;
    char tmp[72];

    while (lx->pos < lx->len && isdigit((unsigned char)lx->src[lx->pos]))
        lx->pos++;
    if (lx->pos < lx->len && lx->src[lx->pos] == '.') {
        lx->pos++;
        if (lx->pos >= lx->len || !isdigit((unsigned char)lx->src[lx->pos])) {
            lex_error(lx, t, b, lx->pos - b, "malformed number (digits must follow '.')");
            return;
        }
        while (lx->pos < lx->len && isdigit((unsigned char)lx->src[lx->pos]))
            lx->pos++;
    }
    ub = lx->pos;
    while (lx->pos < lx->len && (isalpha((unsigned char)lx->src[lx->pos]) || lx->src[lx->pos] == '%'))
        lx->pos++;
    t->len = lx->pos - b;
    if (ub - b >= 64) {
        lex_error(lx, t, b, t->len, "number longer than 64 digits");
        return;
    }
    memcpy(tmp, lx->src + b, ub - b);
    tmp[ub - b] = '\0';
    t->num = strtod(tmp, NULL);
    t->dim = D_NONE;
    t->zero_literal = 0;
    if (ub < lx->pos) {
        size_t ul = lx->pos - ub, i;
        for (i = 0; i < HR_ARRAY_LEN(units); i++)
            if (strlen(units[i].u) == ul && memcmp(units[i].u, lx->src + ub, ul) == 0)
                break;
        if (i == HR_ARRAY_LEN(units)) {
            lex_error(lx, t, b, t->len,
                      "unknown unit (use %, B, KB, MB, GB, TB, PB, KiB, MiB, GiB, TiB, PiB, "
                      "s, min, h, d, w or y)");
            return;
        }
        t->num *= units[i].mul;
        t->dim = units[i].dim;
    } else {
        t->zero_literal = t->num == 0;
    }
    if (!isfinite(t->num) || t->num > 1e30) {
        lex_error(lx, t, b, t->len, "number out of range");
        return;
    }
    t->type = T_NUM;
}

/* A decoded string being built, at most 64 KiB. */
struct strbuf {
    char *s;
    size_t n, cap;
};

/* Append C; -1 on ENOMEM, 1 if the string is too long (C dropped). */
static int strbuf_push(struct strbuf *sb, char c)
{
    if (sb->n + 1 > sb->cap && sb->cap >= 65536)
        return 1;
    if (hr_array_grow(&sb->s, &sb->cap, sb->n + 1, 1) < 0)
        return -1;
    sb->s[sb->n++] = c;
    return 0;
}

/* The character after a backslash at lx->pos; reports an unknown escape
 * (once per string, BAD says whether one was reported). */
static char lex_escape(struct lexer *lx, struct token *t, int *bad)
{
    char e = lx->pos < lx->len ? lx->src[lx->pos] : '\0', c = e;

    if (e == 'n')
        c = '\n';
    else if (e == 't')
        c = '\t';
    else if (e != '\\' && e != '"' && !*bad) {
        diag_add(lx->d, t->line, col_of(lx, lx->pos - 1), lx->src + lx->pos - 1,
                 clamp(lx, lx->pos - 1, 2), "unknown escape in string (use \\\\, \\\", \\n or \\t)");
        *bad = 1;
    }
    if (lx->pos < lx->len)
        lx->pos++;
    return c;
}

/* Valid UTF-8 apart from the newlines and tabs allowed in strings. */
static int utf8_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j < n && s[j] != '\n' && s[j] != '\t')
            j++;
        if (!hr_is_clean_utf8(s + i, j - i))
            return 0;
        i = j;
    }
    return 1;
}

/* Strings: "..." on one line; escapes \\ \" \n \t.  Decoded into a
 * malloc'd buffer that must be valid UTF-8 with no control characters
 * other than the escaped newline and tab (and a literal tab). */
static void lex_string(struct lexer *lx, struct token *t)
{
    size_t b = lx->pos++;
    struct strbuf sb = { 0 };
    int bad = 0, r;

    for (;;) {
        if (lx->pos >= lx->len || lx->src[lx->pos] == '\n') {
            free(sb.s);
            lex_error(lx, t, b, lx->pos - b, "unterminated string");
            return;
        }
        char c = lx->src[lx->pos++];
        if (c == '"')
            break;
        if (c == '\\') {
            c = lex_escape(lx, t, &bad);
        } else if (((unsigned char)c < 0x20 && c != '\t') || c == 0x7f) {
            if (!bad)
                diag_add(lx->d, t->line, col_of(lx, lx->pos - 1), lx->src + lx->pos - 1, 1,
                         "control character in string");
            bad = 1;
        }
        if ((r = strbuf_push(&sb, c)) < 0) {
            free(sb.s);
            lx->d->oom = 1;
            t->type = T_ERROR;
            return;
        }
        if (r > 0 && !bad)
            diag_add(lx->d, t->line, col_of(lx, b), lx->src + b, clamp(lx, b, 16),
                     "string longer than 64 KiB");
        bad |= r;
    }
    t->len = lx->pos - b;
    if (!bad) {
        r = strbuf_push(&sb, '\0');
        if (r < 0)
            lx->d->oom = 1;
        else if (r > 0)
            lex_error(lx, t, b, 16, "string longer than 64 KiB");
        else if (!utf8_ok(sb.s, sb.n - 1))
            lex_error(lx, t, b, t->len, "string is not valid UTF-8");
        bad = r != 0 || t->type == T_ERROR;
    }
    if (bad) {
        free(sb.s);
        t->type = T_ERROR;
        return;
    }
    t->type = T_STR;
    t->str = sb.s;
    t->slen = sb.n - 1;
}

static void lex_punct(struct lexer *lx, struct token *t)
{
    const char *p = lx->src + lx->pos;
    char c = *p, c2 = lx->pos + 1 < lx->len ? p[1] : '\0';

    t->len = 1;
    switch (c) {
    case '{': t->type = T_LBRACE; break;
    case '}': t->type = T_RBRACE; break;
    case '(': t->type = T_LPAREN; break;
    case ')': t->type = T_RPAREN; break;
    case ',': t->type = T_COMMA; break;
    case '+': t->type = T_PLUS; break;
    case '-': t->type = T_MINUS; break;
    case '*': t->type = T_STAR; break;
    case '/': t->type = T_SLASH; break;
    case '<': t->type = c2 == '=' ? T_LE : T_LT; t->len = c2 == '=' ? 2 : 1; break;
    case '>': t->type = c2 == '=' ? T_GE : T_GT; t->len = c2 == '=' ? 2 : 1; break;
    case '=':
        if (c2 == '=') {
            t->type = T_EQ;
            t->len = 2;
        } else {
            lx->pos++;
            lex_error(lx, t, lx->pos - 1, 1, "unexpected '=' (comparison is '==')");
            return;
        }
        break;
    case '!':
        if (c2 == '=') {
            t->type = T_NE;
            t->len = 2;
        } else {
            lx->pos++;
            lex_error(lx, t, lx->pos - 1, 1, "unexpected '!' (negation is 'not')");
            return;
        }
        break;
    default:
        lx->pos++;
        lex_error(lx, t, lx->pos - 1, 1, "unexpected character");
        return;
    }
    lx->pos += t->len;
}

void lex_next(struct lexer *lx, struct token *t, int name_mode)
{
    memset(t, 0, sizeof *t);
    skip_blank(lx);
    t->line = lx->line;
    t->col = col_of(lx, lx->pos);
    t->start = lx->src + lx->pos;
    if (lx->pos >= lx->len) {
        t->type = T_EOF;
        t->start = NULL;
        return;
    }
    unsigned char c = (unsigned char)lx->src[lx->pos];
    if (is_word(c, name_mode) && (name_mode || !isdigit(c)))
        lex_word(lx, t, name_mode);
    else if (isdigit(c))
        lex_number(lx, t);
    else if (c == '"')
        lex_string(lx, t);
    else
        lex_punct(lx, t);
}
