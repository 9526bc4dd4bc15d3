/* lang_int.h: internals shared by rules/lexer.c, parser.c and eval.c.
 * Not for users of the rule engine: they include lang.h. */
#ifndef HR_RULES_LANG_INT_H
#define HR_RULES_LANG_INT_H

#include "lang.h"

#include <stdarg.h>

/* ---- diagnostics: "file:line:col: message near 'token'" lines ---- */
struct diag {
    const char *fname;
    char *buf;
    size_t len, cap;
    int count;
    int full;   /* HR_RULES_MAX_ERRORS reached: the parser stops */
    int oom;
};

void diag_add(struct diag *d, int line, int col, const char *near, size_t nearlen,
              const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* ---- units: every number carries one dimension ---- */
enum dim { D_NONE, D_PCT, D_BYTES, D_DAYS, D_BPD, D__COUNT };
const char *dim_name(enum dim d);

/* ---- tokens ---- */
enum tok {
    T_EOF, T_ERROR, T_IDENT, T_NAME, T_NUM, T_STR,
    T_LBRACE, T_RBRACE, T_LPAREN, T_RPAREN, T_COMMA,
    T_PLUS, T_MINUS, T_STAR, T_SLASH,
    T_LT, T_LE, T_GT, T_GE, T_EQ, T_NE,
    T_AND, T_OR, T_NOT, T_TRUE, T_FALSE,
    /* rule structure */
    T_RULE, T_FAMILY, T_SEVERITY, T_WHEN, T_REARM, T_COOLDOWN, T_PROPOSE,
    T_SUBJECT, T_SKU,
};
const char *tok_name(enum tok t);

struct token {
    enum tok type;
    int line, col;
    const char *start;  /* in the source */
    size_t len;
    double num;         /* T_NUM: value in the base unit of DIM */
    enum dim dim;
    int zero_literal;   /* T_NUM: a plain 0 (compares with any unit) */
    char *str;          /* T_STR: decoded, malloc'd; the parser owns it */
    size_t slen;
};

struct lexer {
    const char *src;
    size_t len, pos;
    int line;
    size_t line_start;
    struct diag *d;
};

/* Lex the next token; NAME_MODE lexes a rule name (letters, digits, '_',
 * '-', '.').  Errors are reported to the diag and give T_ERROR. */
void lex_next(struct lexer *lx, struct token *t, int name_mode);

/* ---- AST ---- */
enum ntype { TY_ERR, TY_BOOL, TY_NUM, TY_STR };
enum nkind { N_NUM, N_STR, N_BOOL, N_FACT, N_CALL, N_NEG, N_NOT, N_BIN };

struct node {
    enum nkind kind;
    enum ntype type;
    enum dim dim;
    enum tok op;        /* N_BIN */
    int line, col, depth;
    int zero;           /* literal 0 */
    double num;
    const char *str;    /* N_STR */
    int b;              /* N_BOOL */
    int id;             /* N_FACT: enum fact, N_CALL: enum fn */
    int why;            /* N_FACT/N_CALL: index into rule->why_names */
    double arg_days;    /* N_CALL: its window */
    struct node *l, *r;
};

/* Facts (identifiers) and functions over history. */
enum fact {
    F_USED, F_CAPACITY, F_FREE, F_USED_PERCENT, F_CACHE, F_PEAK, F_PEAK_PREV,
    F_RATE_AVG, F_RATED_LOAD, F_LOAD_PERCENT, F_MAX_CAPACITY, F_FIRMWARE,
    F_LATEST_FIRMWARE, F_FIRMWARE_RELEASE_DATE, F_LATEST_FIRMWARE_DATE,
    F_DAYS_SINCE_FIRMWARE_RELEASE, F_NEWER_FIRMWARE_EXISTS, F_DAYS_TO_FULL,
    F_FULL_DATE, F_GROWTH_PER_DAY, F_FORECAST_R2, F_FORECAST_POINTS, F_AGE_DAYS,
    F_SALE_DATE, F_MODEL, F_MODEL_NUMBER, F_PRODUCT_NUMBER, F_SERIAL, F_VENDOR,
    F_CUSTOMER, F_CUSTOMER_ID, F_NAME, F_DEVICE, F_HISTORY_DAYS, F_TODAY,
    F__COUNT
};
enum fn {
    FN_MAX_PEAK, FN_AVG_PEAK, FN_MAX_RATE, FN_AVG_RATE, FN_MAX_USED, FN_MIN_USED,
    FN_MAX_USED_PERCENT, FN_GROWTH, FN_GROWTH_PER_DAY, FN_TREND_DAYS_TO_FULL,
    FN_SAMPLES,
    FN__COUNT
};

struct symdef {
    const char *name;
    enum ntype type;
    enum dim dim;
    const char *doc;
};
extern const struct symdef hr_facts_def[F__COUNT];
extern const struct symdef hr_fns_def[FN__COUNT];

/* A template: literal text and {fact} references. */
struct tpart {
    int fact;           /* -1 for literal text */
    const char *text;
    size_t len;
};
struct tmpl {
    size_t n;
    struct tpart *parts;
};

enum severity { SEV_INFO, SEV_NOTICE, SEV_WARNING, SEV_CRITICAL };

struct hr_rule {
    const char *name, *family;
    enum severity severity;
    int line;
    struct node *when, *rearm;
    int64_t cooldown;
    struct tmpl *propose, *subject;
    struct tmpl *sku[HR_RULES_MAX_SKUS];
    size_t n_sku;
    size_t n_why;
    const char *why_names[HR_RULES_MAX_WHY];
};

/* Bump allocator: a rule set's nodes and strings live and die together. */
struct arena_blk;
struct arena {
    struct arena_blk *head;
};
void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
void arena_free(struct arena *a);

struct hr_ruleset {
    struct arena arena;
    struct hr_rule **rules;
    size_t n, cap;
};

/* eval.c, for the parser's constant expressions (cooldown, windows):
 * 0 and *OUT on success, -1 if not a known number. */
int eval_const_num(const struct node *n, double *out);

#endif
