/* parser.c: recursive-descent parser and type checker of rule files.
 *
 *   file     := rule*
 *   rule     := 'rule' NAME '{' property* '}'
 *   property := 'family' IDENT | 'severity' IDENT | 'when' expr
 *             | 'rearm' expr | 'cooldown' expr | 'propose' STRING
 *             | 'subject' STRING | 'sku' STRING (',' STRING)*
 *   expr     := and ('or' and)*
 *   and      := not ('and' not)*
 *   not      := 'not' not | cmp
 *   cmp      := sum (('<'|'<='|'>'|'>='|'=='|'!=') sum)?
 *   sum      := prod (('+'|'-') prod)*
 *   prod     := unary (('*'|'/') unary)*
 *   unary    := '-' unary | primary
 *   primary  := NUMBER | STRING | 'true' | 'false' | IDENT
 *             | IDENT '(' expr ')' | '(' expr ')'
 *
 * Property keywords are reserved, so an expression ends where the next
 * property starts and no statement separator is needed.  After a syntax
 * error the parser skips to the next property keyword, '}' or 'rule', so
 * one run reports the errors of every property.  Type errors do not stop
 * parsing: the node becomes TY_ERR, which silences follow-up messages.
 */
#include "lang_int.h"
#include "hr_util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- symbols: facts and functions (docs/rules.md lists the same) ---- */

const struct symdef hr_facts_def[F__COUNT] = {
    [F_USED] = { "used", TY_NUM, D_BYTES, "used capacity now" },
    [F_CAPACITY] = { "capacity", TY_NUM, D_BYTES, "total capacity now" },
    [F_FREE] = { "free", TY_NUM, D_BYTES, "capacity - used" },
    [F_USED_PERCENT] = { "used_percent", TY_NUM, D_PCT, "used / capacity" },
    [F_CACHE] = { "cache", TY_NUM, D_BYTES, "cache size" },
    [F_PEAK] = { "peak", TY_NUM, D_NONE, "today's Cmax: peak writes completed per window" },
    [F_PEAK_PREV] = { "peak_prev", TY_NUM, D_NONE, "yesterday's Cmax" },
    [F_RATE_AVG] = { "rate_avg", TY_NUM, D_NONE, "average write rate, writes/s" },
    [F_RATED_LOAD] = { "rated_load", TY_NUM, D_NONE, "catalogue: rated peak writes per window" },
    [F_LOAD_PERCENT] = { "load_percent", TY_NUM, D_PCT, "peak / rated_load" },
    [F_MAX_CAPACITY] = { "max_capacity", TY_NUM, D_BYTES, "catalogue: largest capacity of the model" },
    [F_FIRMWARE] = { "firmware", TY_STR, D_NONE, "installed firmware version" },
    [F_LATEST_FIRMWARE] = { "latest_firmware", TY_STR, D_NONE, "catalogue: newest firmware of the model" },
    [F_FIRMWARE_RELEASE_DATE] = { "firmware_release_date", TY_STR, D_NONE,
                                  "catalogue: release date of the installed firmware, YYYY-MM-DD" },
    [F_LATEST_FIRMWARE_DATE] = { "latest_firmware_date", TY_STR, D_NONE,
                                 "catalogue: release date of latest_firmware, YYYY-MM-DD" },
    [F_DAYS_SINCE_FIRMWARE_RELEASE] = { "days_since_firmware_release", TY_NUM, D_DAYS,
                                        "age of the installed firmware" },
    [F_NEWER_FIRMWARE_EXISTS] = { "newer_firmware_exists", TY_BOOL, D_NONE,
                                  "firmware != latest_firmware (or the catalogue says so)" },
    [F_DAYS_TO_FULL] = { "days_to_full", TY_NUM, D_DAYS, "forecast: days until full" },
    [F_FULL_DATE] = { "full_date", TY_STR, D_NONE, "forecast: date full, YYYY-MM-DD" },
    [F_GROWTH_PER_DAY] = { "growth_per_day", TY_NUM, D_BPD, "forecast: trend slope" },
    [F_FORECAST_R2] = { "forecast_r2", TY_NUM, D_NONE, "forecast: r squared of the fit, 0..1" },
    [F_FORECAST_POINTS] = { "forecast_points", TY_NUM, D_NONE, "forecast: samples in the fit" },
    [F_AGE_DAYS] = { "age_days", TY_NUM, D_DAYS, "time since the sale date" },
    [F_SALE_DATE] = { "sale_date", TY_STR, D_NONE, "sale date, YYYY-MM-DD" },
    [F_MODEL] = { "model", TY_STR, D_NONE, "model name" },
    [F_MODEL_NUMBER] = { "model_number", TY_STR, D_NONE, "model number" },
    [F_PRODUCT_NUMBER] = { "product_number", TY_STR, D_NONE, "product number" },
    [F_SERIAL] = { "serial", TY_STR, D_NONE, "serial number" },
    [F_VENDOR] = { "vendor", TY_STR, D_NONE, "vendor" },
    [F_CUSTOMER] = { "customer", TY_STR, D_NONE, "customer name" },
    [F_CUSTOMER_ID] = { "customer_id", TY_STR, D_NONE, "customer ID" },
    [F_NAME] = { "name", TY_STR, D_NONE, "device name" },
    [F_DEVICE] = { "device", TY_STR, D_NONE, "the device's name, else its serial number" },
    [F_HISTORY_DAYS] = { "history_days", TY_NUM, D_DAYS, "span of the stored history" },
    [F_TODAY] = { "today", TY_STR, D_NONE, "the evaluation date, YYYY-MM-DD" },
};

const struct symdef hr_fns_def[FN__COUNT] = {
    [FN_MAX_PEAK] = { "max_peak", TY_NUM, D_NONE, "largest daily Cmax in the window" },
    [FN_AVG_PEAK] = { "avg_peak", TY_NUM, D_NONE, "mean daily Cmax in the window" },
    [FN_MAX_RATE] = { "max_rate", TY_NUM, D_NONE, "largest daily average write rate" },
    [FN_AVG_RATE] = { "avg_rate", TY_NUM, D_NONE, "mean daily average write rate" },
    [FN_MAX_USED] = { "max_used", TY_NUM, D_BYTES, "largest used in the window" },
    [FN_MIN_USED] = { "min_used", TY_NUM, D_BYTES, "smallest used in the window" },
    [FN_MAX_USED_PERCENT] = { "max_used_percent", TY_NUM, D_PCT, "largest used/capacity" },
    [FN_GROWTH] = { "growth", TY_NUM, D_BYTES, "trend growth over the window (slope x window)" },
    [FN_GROWTH_PER_DAY] = { "growth_per_day", TY_NUM, D_BPD, "trend slope over the window" },
    [FN_TREND_DAYS_TO_FULL] = { "trend_days_to_full", TY_NUM, D_DAYS,
                                "days until full, forecast over this window" },
    [FN_SAMPLES] = { "samples", TY_NUM, D_NONE, "samples in the window" },
};

/* ---- arena ---- */

struct arena_blk {
    struct arena_blk *next;
    size_t used, size;
    max_align_t data[];
};

#define ARENA_BLK 16384

void *arena_alloc(struct arena *a, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (!a->head || a->head->size - a->head->used < n) {
        size_t sz = n > ARENA_BLK ? n : ARENA_BLK;
        struct arena_blk *b = malloc(sizeof *b + sz);
        if (!b)
            return NULL;
        b->next = a->head;
        b->used = 0;
        b->size = sz;
        a->head = b;
    }
    void *p = (char *)a->head->data + a->head->used;
    a->head->used += n;
    memset(p, 0, n);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *d = arena_alloc(a, n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

void arena_free(struct arena *a)
{
    struct arena_blk *b = a->head, *nx;
    for (; b; b = nx) {
        nx = b->next;
        free(b);
    }
    a->head = NULL;
}

/* ---- parser state ---- */

struct parser {
    struct lexer lx;
    struct token tok;
    struct diag d;
    struct hr_ruleset *rs;
    struct hr_rule *rule;   /* being built */
    int depth;
    int collect_why;        /* inside when/rearm: record facts for "why" */
};

static void advance_mode(struct parser *p, int name_mode)
{
    free(p->tok.str);
    p->tok.str = NULL;
    if (p->d.full || p->d.oom) {
        /* Too many errors: pretend the file ends here. */
        memset(&p->tok, 0, sizeof p->tok);
        p->tok.type = T_EOF;
        p->tok.line = p->lx.line;
        return;
    }
    lex_next(&p->lx, &p->tok, name_mode);
}

static void advance(struct parser *p)
{
    advance_mode(p, 0);
}

/* Report at the current token (no message for T_ERROR: the lexer spoke). */
static void err_tok(struct parser *p, const char *msg)
{
    if (p->tok.type == T_ERROR)
        return;
    diag_add(&p->d, p->tok.line, p->tok.col, p->tok.start, p->tok.len, "%s", msg);
}

static void err_at(struct parser *p, const struct token *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void err_at(struct parser *p, const struct token *t, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_add(&p->d, t->line, t->col, t->start, t->len, "%s", msg);
}

static int is_prop(enum tok t)
{
    return t >= T_FAMILY && t <= T_SKU;
}

static void sync_prop(struct parser *p)
{
    while (p->tok.type != T_EOF && p->tok.type != T_RBRACE && p->tok.type != T_RULE &&
           !is_prop(p->tok.type))
        advance(p);
}

static struct node *new_node(struct parser *p, enum nkind k, const struct token *t)
{
    struct node *n = arena_alloc(&p->rs->arena, sizeof *n);
    if (!n) {
        p->d.oom = 1;
        return NULL;
    }
    n->kind = k;
    n->line = t->line;
    n->col = t->col;
    n->depth = 1;
    n->why = -1;
    return n;
}

static const char *type_desc(const struct node *n)
{
    switch (n->type) {
    case TY_BOOL: return "true/false";
    case TY_STR: return "a string";
    case TY_NUM: return dim_name(n->dim);
    default: return "?";
    }
}

/* ---- expressions ---- */

static struct node *parse_expr(struct parser *p);

/* Record NAME for the rule's "why" list; returns its index. */
static int why_index(struct parser *p, const char *name, const struct token *t)
{
    struct hr_rule *r = p->rule;
    for (size_t i = 0; i < r->n_why; i++)
        if (strcmp(r->why_names[i], name) == 0)
            return (int)i;
    if (r->n_why >= HR_RULES_MAX_WHY) {
        err_at(p, t, "condition uses more than %d distinct facts", HR_RULES_MAX_WHY);
        return -1;
    }
    r->why_names[r->n_why] = name;
    return (int)r->n_why++;
}

static int find_sym(const struct symdef *tab, size_t n, const char *s, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(tab[i].name) == len && memcmp(tab[i].name, s, len) == 0)
            return (int)i;
    return -1;
}

static struct node *parse_call(struct parser *p, const struct token *name, int fn)
{
    struct node *n = new_node(p, N_CALL, name), *arg;
    struct token argtok;
    double days = 1;

    if (!n)
        return NULL;
    advance(p); /* '(' */
    argtok = p->tok;
    argtok.str = NULL;
    if (!(arg = parse_expr(p)))
        return NULL;
    if (p->tok.type != T_RPAREN) {
        err_tok(p, "expected ')' after the window of a function");
        return NULL;
    }
    n->kind = N_CALL;
    n->id = fn;
    n->type = hr_fns_def[fn].type;
    n->dim = hr_fns_def[fn].dim;
    n->depth = arg->depth + 1;
    if (arg->type != TY_ERR &&
        (arg->type != TY_NUM || arg->dim != D_DAYS || eval_const_num(arg, &days) < 0 ||
         !(days > 0 && days <= 3660))) {
        err_at(p, &argtok, "the window of %s() must be a constant duration from 1s to 3660d, "
               "such as 30d", hr_fns_def[fn].name);
        n->type = TY_ERR;
    } else {
        n->arg_days = days;
    }
    const char *text = arena_strndup(&p->rs->arena, name->start,
                                     (size_t)(p->tok.start + 1 - name->start));
    if (!text) {
        p->d.oom = 1;
        return NULL;
    }
    advance(p); /* ')' */
    if (p->collect_why)
        n->why = why_index(p, text, name);
    return n;
}

static struct node *parse_ident(struct parser *p)
{
    struct token name = p->tok;
    name.str = NULL;
    int fact = find_sym(hr_facts_def, F__COUNT, name.start, name.len);
    int fn = find_sym(hr_fns_def, FN__COUNT, name.start, name.len);

    advance(p);
    if (p->tok.type == T_LPAREN) {
        if (fn < 0) {
            err_at(p, &name, fact >= 0 ? "'%.*s' is a fact, not a function"
                                       : "unknown function '%.*s'", (int)name.len, name.start);
            return NULL;
        }
        return parse_call(p, &name, fn);
    }
    if (fact < 0) {
        if (fn >= 0)
            err_at(p, &name, "%s is a function of a window: write %s(30d)",
                   hr_fns_def[fn].name, hr_fns_def[fn].name);
        else
            err_at(p, &name, "unknown fact (see docs/rules.md for the list)");
        return NULL;
    }
    struct node *n = new_node(p, N_FACT, &name);
    if (!n)
        return NULL;
    n->id = fact;
    n->type = hr_facts_def[fact].type;
    n->dim = hr_facts_def[fact].dim;
    if (p->collect_why)
        n->why = why_index(p, hr_facts_def[fact].name, &name);
    return n;
}

static struct node *parse_primary(struct parser *p)
{
    struct node *n;

    switch (p->tok.type) {
    case T_NUM:
        if (!(n = new_node(p, N_NUM, &p->tok)))
            return NULL;
        n->type = TY_NUM;
        n->dim = p->tok.dim;
        n->num = p->tok.num;
        n->zero = p->tok.zero_literal;
        advance(p);
        return n;
    case T_STR:
        if (!(n = new_node(p, N_STR, &p->tok)))
            return NULL;
        n->type = TY_STR;
        if (!(n->str = arena_strndup(&p->rs->arena, p->tok.str, p->tok.slen))) {
            p->d.oom = 1;
            return NULL;
        }
        advance(p);
        return n;
    case T_TRUE:
    case T_FALSE:
        if (!(n = new_node(p, N_BOOL, &p->tok)))
            return NULL;
        n->type = TY_BOOL;
        n->b = p->tok.type == T_TRUE;
        advance(p);
        return n;
    case T_IDENT:
        return parse_ident(p);
    case T_LPAREN: {
        struct token open = p->tok;
        advance(p);
        if (!(n = parse_expr(p)))
            return NULL;
        if (p->tok.type != T_RPAREN) {
            if (p->tok.type == T_EOF || is_prop(p->tok.type) || p->tok.type == T_RBRACE)
                err_at(p, &open, "unclosed '('");
            else
                err_tok(p, "expected ')'");
            return NULL;
        }
        advance(p);
        return n;
    }
    default:
        err_tok(p, "expected a value (number, string, fact, function or '(')");
        return NULL;
    }
}

static struct node *mk_unary(struct parser *p, enum nkind k, const struct token *op,
                             struct node *a)
{
    struct node *n = new_node(p, k, op);
    if (!n)
        return NULL;
    n->l = a;
    n->depth = a->depth + 1;
    n->type = a->type;
    n->dim = a->dim;
    if (a->type == TY_ERR)
        return n;
    if (k == N_NOT && a->type != TY_BOOL) {
        err_at(p, op, "'not' needs true/false, not %s", type_desc(a));
        n->type = TY_ERR;
    } else if (k == N_NEG && a->type != TY_NUM) {
        err_at(p, op, "'-' needs a number, not %s", type_desc(a));
        n->type = TY_ERR;
    }
    return n;
}

static int depth_ok(struct parser *p, const struct token *t)
{
    if (p->depth >= HR_RULES_MAX_DEPTH) {
        err_at(p, t, "expression nested deeper than %d levels", HR_RULES_MAX_DEPTH);
        return 0;
    }
    return 1;
}

static struct node *parse_unary(struct parser *p)
{
    if (p->tok.type == T_MINUS || p->tok.type == T_LPAREN) {
        struct token op = p->tok;
        struct node *a;
        if (!depth_ok(p, &op))
            return NULL;
        p->depth++;
        if (op.type == T_LPAREN) {
            a = parse_primary(p);
            p->depth--;
            return a;
        }
        advance(p);
        a = parse_unary(p);
        p->depth--;
        return a ? mk_unary(p, N_NEG, &op, a) : NULL;
    }
    return parse_primary(p);
}

static int is_cmp(enum tok t)
{
    return t >= T_LT && t <= T_NE;
}

static const char *op_text(enum tok t)
{
    static const char *const s[] = { "+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!=",
                                     "and", "or" };
    return t >= T_PLUS && t <= T_OR && t != T_NOT ? s[t - T_PLUS] : "?";
}

/* Result dimension of A*B or A/B, or -1 when the units do not combine. */
static int mul_dim(enum tok op, enum dim a, enum dim b)
{
    if (op == T_STAR) {
        if (a == D_NONE) return (int)b;
        if (b == D_NONE) return (int)a;
        if (a == D_PCT && b != D_PCT) return (int)b;
        if (b == D_PCT && a != D_PCT) return (int)a;
        if ((a == D_BPD && b == D_DAYS) || (a == D_DAYS && b == D_BPD)) return D_BYTES;
        return -1;
    }
    if (b == D_NONE) return (int)a;
    if (a == b) return D_NONE;
    if (b == D_PCT) return (int)a;
    if (a == D_BYTES && b == D_DAYS) return D_BPD;
    if (a == D_BYTES && b == D_BPD) return D_DAYS;
    return -1;
}

/* Type rules of binary operators; see docs/rules.md "Units". */
static void check_bin(struct parser *p, struct node *n, const struct token *op)
{
    struct node *a = n->l, *b = n->r;

    n->type = TY_ERR;
    if (a->type == TY_ERR || b->type == TY_ERR)
        return;
    if (op->type == T_AND || op->type == T_OR) {
        if (a->type != TY_BOOL || b->type != TY_BOOL)
            err_at(p, op, "'%s' needs true/false on both sides, not %s and %s",
                   op_text(op->type), type_desc(a), type_desc(b));
        else
            n->type = TY_BOOL;
        return;
    }
    if (is_cmp(op->type)) {
        if (a->type != b->type)
            err_at(p, op, "cannot compare %s with %s", type_desc(a), type_desc(b));
        else if (a->type != TY_NUM && op->type != T_EQ && op->type != T_NE)
            err_at(p, op, "%s can only be compared with == or !=", type_desc(a));
        else if (a->type == TY_NUM && a->dim != b->dim && !a->zero && !b->zero)
            err_at(p, op, "cannot compare %s with %s", dim_name(a->dim), dim_name(b->dim));
        else
            n->type = TY_BOOL;
        return;
    }
    if (a->type != TY_NUM || b->type != TY_NUM) {
        err_at(p, op, "'%s' needs numbers, not %s and %s", op_text(op->type),
               type_desc(a), type_desc(b));
        return;
    }
    if (op->type == T_PLUS || op->type == T_MINUS) {
        if (a->dim != b->dim && !a->zero && !b->zero) {
            err_at(p, op, "cannot %s %s and %s", op->type == T_PLUS ? "add" : "subtract",
                   dim_name(a->dim), dim_name(b->dim));
            return;
        }
        n->type = TY_NUM;
        n->dim = a->zero ? b->dim : a->dim;
        return;
    }
    int d = mul_dim(op->type, a->dim, b->dim);
    if (d < 0) {
        err_at(p, op, "cannot %s %s by %s", op->type == T_STAR ? "multiply" : "divide",
               dim_name(a->dim), dim_name(b->dim));
        return;
    }
    n->type = TY_NUM;
    n->dim = (enum dim)d;
}

static struct node *mk_bin(struct parser *p, const struct token *op, struct node *a,
                           struct node *b)
{
    struct node *n = new_node(p, N_BIN, op);
    if (!n)
        return NULL;
    n->op = op->type;
    n->l = a;
    n->r = b;
    n->depth = 1 + (a->depth > b->depth ? a->depth : b->depth);
    /* Long flat chains (a + a + a ...) do not recurse in the parser but
     * would in the evaluator: bound the tree depth too. */
    if (n->depth > HR_RULES_MAX_DEPTH) {
        err_at(p, op, "expression nested deeper than %d levels", HR_RULES_MAX_DEPTH);
        return NULL;
    }
    check_bin(p, n, op);
    return n;
}

typedef struct node *(*parse_fn)(struct parser *);

/* Left-associative level: operand (OP operand)* for OPS[0..nops). */
static struct node *parse_level(struct parser *p, parse_fn sub, const enum tok *ops, int nops)
{
    struct node *a = sub(p);

    while (a) {
        int hit = 0;
        for (int i = 0; i < nops; i++)
            hit |= p->tok.type == ops[i];
        if (!hit)
            break;
        struct token op = p->tok;
        op.str = NULL;
        advance(p);
        struct node *b = sub(p);
        if (!b)
            return NULL;
        a = mk_bin(p, &op, a, b);
    }
    return a;
}

static struct node *parse_prod(struct parser *p)
{
    static const enum tok ops[] = { T_STAR, T_SLASH };
    return parse_level(p, parse_unary, ops, 2);
}

static struct node *parse_sum(struct parser *p)
{
    static const enum tok ops[] = { T_PLUS, T_MINUS };
    return parse_level(p, parse_prod, ops, 2);
}

static struct node *parse_cmp(struct parser *p)
{
    struct node *a = parse_sum(p), *b;

    if (!a || !is_cmp(p->tok.type))
        return a;
    struct token op = p->tok;
    op.str = NULL;
    advance(p);
    if (!(b = parse_sum(p)))
        return NULL;
    if (is_cmp(p->tok.type)) {
        err_tok(p, "comparisons cannot be chained; use 'and'");
        return NULL;
    }
    return mk_bin(p, &op, a, b);
}

static struct node *parse_not(struct parser *p)
{
    if (p->tok.type == T_NOT) {
        struct token op = p->tok;
        op.str = NULL;
        if (!depth_ok(p, &op))
            return NULL;
        advance(p);
        p->depth++;
        struct node *a = parse_not(p);
        p->depth--;
        return a ? mk_unary(p, N_NOT, &op, a) : NULL;
    }
    return parse_cmp(p);
}

static struct node *parse_and(struct parser *p)
{
    static const enum tok ops[] = { T_AND };
    return parse_level(p, parse_not, ops, 1);
}

static struct node *parse_expr(struct parser *p)
{
    static const enum tok ops[] = { T_OR };
    return parse_level(p, parse_and, ops, 1);
}

/* ---- templates ---- */

/* Column of decoded byte I of string token T: escapes take two source
 * bytes for one decoded byte. */
static int str_col(const struct token *t, size_t i)
{
    size_t raw = 1; /* the opening quote */
    for (size_t k = 0; k < i && raw < t->len; k++)
        raw += t->start[raw] == '\\' ? 2 : 1;
    return t->col + (int)raw;
}

/* "{name}" references facts; "{{" and "}}" are literal braces. */
static struct tmpl *parse_template(struct parser *p, const struct token *t)
{
    const char *s = t->str;
    size_t n = t->slen, np = 0;
    struct tpart parts[256];
    int bad = 0;

    for (size_t i = 0; i < n && !bad;) {
        if (np >= HR_ARRAY_LEN(parts)) {
            err_at(p, t, "template has more than %zu parts", HR_ARRAY_LEN(parts));
            return NULL;
        }
        if (s[i] == '{' && i + 1 < n && s[i + 1] == '{') {
            parts[np++] = (struct tpart){ -1, s + i, 1 };
            i += 2;
        } else if (s[i] == '}' && i + 1 < n && s[i + 1] == '}') {
            parts[np++] = (struct tpart){ -1, s + i, 1 };
            i += 2;
        } else if (s[i] == '}') {
            diag_add(&p->d, t->line, str_col(t, i), s + i, 1,
                     "unmatched '}' in template (write '}}' for a brace)");
            bad = 1;
        } else if (s[i] == '{') {
            size_t j = i + 1;
            while (j < n && s[j] != '}' && s[j] != '{')
                j++;
            if (j >= n || s[j] != '}') {
                diag_add(&p->d, t->line, str_col(t, i), s + i, j - i,
                         "unterminated '{' in template (write '{{' for a brace)");
                bad = 1;
                break;
            }
            int f = find_sym(hr_facts_def, F__COUNT, s + i + 1, j - i - 1);
            if (f < 0) {
                diag_add(&p->d, t->line, str_col(t, i), s + i, j - i + 1,
                         "unknown variable in template");
                bad = 1;
                break;
            }
            parts[np++] = (struct tpart){ f, NULL, 0 };
            i = j + 1;
        } else {
            size_t j = i;
            while (j < n && s[j] != '{' && s[j] != '}')
                j++;
            parts[np++] = (struct tpart){ -1, s + i, j - i };
            i = j;
        }
    }
    if (bad)
        return NULL;
    struct tmpl *tp = arena_alloc(&p->rs->arena, sizeof *tp);
    struct tpart *pp = arena_alloc(&p->rs->arena, (np ? np : 1) * sizeof *pp);
    if (!tp || !pp) {
        p->d.oom = 1;
        return NULL;
    }
    for (size_t i = 0; i < np; i++) {
        pp[i] = parts[i];
        if (pp[i].fact < 0 && !(pp[i].text = arena_strndup(&p->rs->arena, parts[i].text,
                                                            parts[i].len))) {
            p->d.oom = 1;
            return NULL;
        }
    }
    tp->n = np;
    tp->parts = pp;
    return tp;
}

/* ---- rules ---- */

static const char *const sev_names[] = { "info", "notice", "warning", "critical" };

static int prop_seen(struct parser *p, unsigned *seen, const struct token *kw)
{
    unsigned bit = 1u << (kw->type - T_FAMILY);
    if (*seen & bit) {
        err_at(p, kw, "property given twice in one rule");
        return 1;
    }
    *seen |= bit;
    return 0;
}

static struct tmpl *parse_string_prop(struct parser *p)
{
    if (p->tok.type != T_STR) {
        err_tok(p, "expected a string in double quotes");
        return NULL;
    }
    struct tmpl *t = parse_template(p, &p->tok);
    advance(p);
    return t;
}

/* After an expression: the next property, '}' or the end, else a syntax
 * error (reported here unless the lexer already did). */
static int expr_end_ok(struct parser *p)
{
    enum tok t = p->tok.type;
    if (is_prop(t) || t == T_RBRACE || t == T_RULE || t == T_EOF)
        return 1;
    err_tok(p, "expected an operator, the next property or '}'");
    return 0;
}

static int parse_cond(struct parser *p, const struct token *kw, struct node **out)
{
    struct token start = p->tok;
    start.str = NULL;
    p->collect_why = 1;
    p->depth = 0;
    struct node *n = parse_expr(p);
    p->collect_why = 0;
    if (!n || !expr_end_ok(p))
        return -1;
    if (n->type != TY_ERR && n->type != TY_BOOL)
        err_at(p, &start, "'%.*s' needs a true/false condition, not %s", (int)kw->len,
               kw->start, type_desc(n));
    *out = n;
    return 0;
}

static int parse_cooldown(struct parser *p, struct hr_rule *r)
{
    struct token start = p->tok;
    double days;
    start.str = NULL;
    p->depth = 0;
    struct node *n = parse_expr(p);
    if (!n || !expr_end_ok(p))
        return -1;
    if (n->type == TY_ERR)
        return 0;
    if (n->type != TY_NUM || (n->dim != D_DAYS && !n->zero) || eval_const_num(n, &days) < 0 ||
        !(days >= 0 && days <= 3650)) {
        err_at(p, &start, "cooldown must be a constant duration from 0 to 3650d, such as 14d");
        return 0;
    }
    r->cooldown = (int64_t)llround(days * 86400);
    return 0;
}

static int parse_word_prop(struct parser *p, struct hr_rule *r, enum tok kw)
{
    if (p->tok.type != T_IDENT) {
        err_tok(p, kw == T_FAMILY ? "expected a family name such as capacity, load or firmware"
                                  : "expected a severity: info, notice, warning or critical");
        return -1;
    }
    if (kw == T_FAMILY) {
        if (!(r->family = arena_strndup(&p->rs->arena, p->tok.start, p->tok.len))) {
            p->d.oom = 1;
            return -1;
        }
    } else {
        size_t i;
        for (i = 0; i < HR_ARRAY_LEN(sev_names); i++)
            if (strlen(sev_names[i]) == p->tok.len &&
                memcmp(sev_names[i], p->tok.start, p->tok.len) == 0)
                break;
        if (i == HR_ARRAY_LEN(sev_names)) {
            err_tok(p, "unknown severity (info, notice, warning or critical)");
            advance(p);
            return 0;
        }
        r->severity = (enum severity)i;
    }
    advance(p);
    return 0;
}

static int parse_skus(struct parser *p, struct hr_rule *r)
{
    for (;;) {
        if (r->n_sku >= HR_RULES_MAX_SKUS) {
            err_tok(p, "more than 16 SKUs in one rule");
            return -1;
        }
        if (p->tok.type != T_STR) {
            err_tok(p, "expected a SKU template in double quotes");
            return -1;
        }
        struct tmpl *t = parse_string_prop(p);
        if (t)
            r->sku[r->n_sku++] = t;
        if (p->tok.type != T_COMMA)
            return 0;
        advance(p);
    }
}

/* One property; -1 after a syntax error (the caller resynchronises). */
static int parse_prop(struct parser *p, struct hr_rule *r, unsigned *seen)
{
    struct token kw = p->tok;
    kw.str = NULL;
    int dup = prop_seen(p, seen, &kw);

    advance(p);
    (void)dup;
    switch (kw.type) {
    case T_FAMILY:
    case T_SEVERITY:
        return parse_word_prop(p, r, kw.type);
    case T_WHEN:
        return parse_cond(p, &kw, &r->when);
    case T_REARM:
        return parse_cond(p, &kw, &r->rearm);
    case T_COOLDOWN:
        return parse_cooldown(p, r);
    case T_PROPOSE:
        if (p->tok.type != T_STR) {
            err_tok(p, "expected a proposal template in double quotes");
            return -1;
        }
        r->propose = parse_string_prop(p);
        return 0;
    case T_SUBJECT:
        if (p->tok.type != T_STR) {
            err_tok(p, "expected a subject template in double quotes");
            return -1;
        }
        r->subject = parse_string_prop(p);
        return 0;
    case T_SKU:
        return parse_skus(p, r);
    default:
        return -1;
    }
}

static int add_rule(struct parser *p, struct hr_rule *r)
{
    struct hr_ruleset *rs = p->rs;
    if (hr_array_grow(&rs->rules, &rs->cap, rs->n + 1, sizeof *rs->rules) < 0) {
        p->d.oom = 1;
        return -1;
    }
    rs->rules[rs->n++] = r;
    return 0;
}

static void check_rule_complete(struct parser *p, struct hr_rule *r, const struct token *name,
                                unsigned seen)
{
    if (!(seen & (1u << (T_WHEN - T_FAMILY))))
        err_at(p, name, "rule has no 'when' condition");
    if (!(seen & (1u << (T_PROPOSE - T_FAMILY))))
        err_at(p, name, "rule has no 'propose' text");
    if (!(seen & (1u << (T_FAMILY - T_FAMILY))))
        err_at(p, name, "rule has no 'family' (capacity, load, firmware ...)");
    if (hr_ruleset_find(p->rs, r->name))
        err_at(p, name, "a rule of this name is already defined");
}

static void parse_rule(struct parser *p)
{
    int errs = p->d.count;
    unsigned seen = 0;
    struct hr_rule *r = arena_alloc(&p->rs->arena, sizeof *r);
    struct token name;

    if (!r) {
        p->d.oom = 1;
        return;
    }
    r->line = p->tok.line;
    r->severity = SEV_WARNING;
    advance_mode(p, 1);
    name = p->tok;
    name.str = NULL;
    if (p->tok.type != T_NAME) {
        err_tok(p, "expected a rule name after 'rule'");
        sync_prop(p);
        if (p->tok.type == T_RBRACE)
            advance(p);
        return;
    }
    if (!(r->name = arena_strndup(&p->rs->arena, name.start, name.len))) {
        p->d.oom = 1;
        return;
    }
    advance(p);
    if (p->tok.type != T_LBRACE)
        err_tok(p, "expected '{' after the rule name");
    else
        advance(p);
    p->rule = r;
    for (;;) {
        if (p->tok.type == T_RBRACE) {
            advance(p);
            break;
        }
        if (p->tok.type == T_EOF) {
            err_at(p, &name, "rule is not closed with '}'");
            break;
        }
        if (p->tok.type == T_RULE) {
            err_tok(p, "missing '}' before the next rule");
            break;
        }
        if (!is_prop(p->tok.type)) {
            err_tok(p, "expected a property (family, severity, when, rearm, cooldown, "
                       "propose, subject, sku) or '}'");
            advance(p);
            sync_prop(p);
            continue;
        }
        if (parse_prop(p, r, &seen) < 0)
            sync_prop(p);
    }
    p->rule = NULL;
    check_rule_complete(p, r, &name, seen);
    if (p->d.count == errs)
        add_rule(p, r);
}

static void parse_file(struct parser *p)
{
    advance(p);
    while (p->tok.type != T_EOF) {
        if (p->tok.type == T_RULE) {
            parse_rule(p);
            continue;
        }
        err_tok(p, "expected 'rule'");
        while (p->tok.type != T_EOF && p->tok.type != T_RULE)
            advance(p);
    }
    if (p->d.count == 0 && p->rs->n == 0)
        diag_add(&p->d, p->lx.line, 1, NULL, 0, "no rule in file");
}

/* ---- public API ---- */

int hr_rules_parse(const char *fname, const char *src, size_t len,
                   struct hr_ruleset **out, char **errors)
{
    struct parser p;
    int rc;

    memset(&p, 0, sizeof p);
    *out = NULL;
    if (errors)
        *errors = NULL;
    p.d.fname = fname;
    p.lx.src = src;
    p.lx.len = len;
    p.lx.line = 1;
    p.lx.d = &p.d;
    if (!(p.rs = calloc(1, sizeof *p.rs))) {
        errno = ENOMEM;
        return -1;
    }
    parse_file(&p);
    free(p.tok.str);
    if (p.d.oom) {
        free(p.d.buf);
        hr_ruleset_free(p.rs);
        errno = ENOMEM;
        return -1;
    }
    rc = p.d.count > HR_RULES_MAX_ERRORS ? HR_RULES_MAX_ERRORS + 1 : p.d.count;
    if (rc) {
        hr_ruleset_free(p.rs);
        if (errors)
            *errors = p.d.buf;
        else
            free(p.d.buf);
        return rc;
    }
    free(p.d.buf);
    *out = p.rs;
    return 0;
}

int hr_rules_load(const char *path, struct hr_ruleset **out, char **errors)
{
    size_t len;
    char *buf = hr_read_file(path, HR_RULES_MAX_FILE + 1, &len);

    *out = NULL;
    if (errors)
        *errors = NULL;
    if (!buf || len > HR_RULES_MAX_FILE) {
        const char *why = buf ? "file larger than 16 MiB" : strerror(errno);
        free(buf);
        if (errors) {
            size_t n = strlen(path) + strlen(why) + 4;
            if ((*errors = malloc(n)))
                snprintf(*errors, n, "%s: %s\n", path, why);
        }
        return 1;
    }
    int rc = hr_rules_parse(path, buf, len, out, errors);
    free(buf);
    return rc;
}

void hr_ruleset_free(struct hr_ruleset *rs)
{
    if (!rs)
        return;
    arena_free(&rs->arena);
    free(rs->rules);
    free(rs);
}

size_t hr_ruleset_count(const struct hr_ruleset *rs) { return rs->n; }

const struct hr_rule *hr_ruleset_rule(const struct hr_ruleset *rs, size_t i)
{
    return i < rs->n ? rs->rules[i] : NULL;
}

const struct hr_rule *hr_ruleset_find(const struct hr_ruleset *rs, const char *name)
{
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->rules[i]->name, name) == 0)
            return rs->rules[i];
    return NULL;
}

const char *hr_rule_name(const struct hr_rule *r) { return r->name; }
const char *hr_rule_family(const struct hr_rule *r) { return r->family ? r->family : ""; }
const char *hr_rule_severity(const struct hr_rule *r) { return sev_names[r->severity]; }
int64_t hr_rule_cooldown(const struct hr_rule *r) { return r->cooldown; }
int hr_rule_has_rearm(const struct hr_rule *r) { return r->rearm != NULL; }
size_t hr_rule_sku_count(const struct hr_rule *r) { return r->n_sku; }
int hr_rule_line(const struct hr_rule *r) { return r->line; }

static double node_max_window(const struct node *n)
{
    if (!n)
        return 0;
    double w = n->kind == N_CALL ? n->arg_days : 0;
    return fmax(w, fmax(node_max_window(n->l), node_max_window(n->r)));
}

double hr_ruleset_max_window(const struct hr_ruleset *rs, const struct hr_forecast_opts *fc)
{
    double w = fc ? fc->window_days : 30;
    for (size_t i = 0; i < rs->n; i++)
        w = fmax(w, fmax(node_max_window(rs->rules[i]->when), node_max_window(rs->rules[i]->rearm)));
    return w;
}
