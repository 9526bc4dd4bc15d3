/* eval.c: evaluation of parsed rules on a device's facts, the "why" list,
 * template expansion, and the hysteresis/cooldown state machine.
 *
 * Three-valued logic: a fact that is unknown (a catalogue table not yet
 * imported, a device without history) makes every comparison that uses it
 * unknown; 'and' is false if either side is false, 'or' true if either
 * side is true, otherwise unknown.  Only a condition that is true fires.
 */
#include "lang_int.h"
#include "hr_buf.h"
#include "hr_util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY 86400.0

struct val {
    int known;
    enum ntype type;
    enum dim dim;
    double n;
    int b;
    const char *s;      /* a string fact or literal, else sbuf */
    char sbuf[32];      /* dates */
    const char *why_unknown;
};

static const char *val_str(const struct val *v)
{
    return v->s ? v->s : v->sbuf;
}

void hr_facts_init(struct hr_facts *f, int64_t now)
{
    memset(f, 0, sizeof *f);
    f->now = now;
    f->capacity = f->used = f->cache = NAN;
    f->peak = f->peak_prev = f->rate_avg = f->window_s = NAN;
    f->rated_load = f->max_capacity = NAN;
    f->newer_firmware_exists = -1;
    hr_forecast_opts_default(&f->fc);
}

void hr_eval_begin(struct hr_evalctx *ctx, const struct hr_facts *f)
{
    ctx->f = f;
    ctx->fc_done = 0;
    ctx->n_memo = 0;
}

static const struct hr_forecast *forecast(struct hr_evalctx *ctx)
{
    if (!ctx->fc_done) {
        if (hr_forecast_compute(ctx->f->hist, ctx->f->n_hist, ctx->f->now, &ctx->f->fc,
                                &ctx->fc) < 0)
            ctx->fc.status = HR_FC_TOO_FEW;
        ctx->fc_done = 1;
    }
    return &ctx->fc;
}

/* ---- facts ---- */

static void set_num(struct val *v, double x)
{
    if (isfinite(x)) {
        v->known = 1;
        v->n = x;
    }
}

static void set_str(struct val *v, const char *s)
{
    if (s) {
        v->known = 1;
        v->s = s;
    }
}

static void set_date(struct val *v, int64_t t)
{
    struct tm tm;
    time_t tt = (time_t)t;

    if (t == 0 || !gmtime_r(&tt, &tm) || tm.tm_year > 9999 - 1900 || tm.tm_year < -1900)
        return;
    snprintf(v->sbuf, sizeof v->sbuf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday);
    v->known = 1;
}

static int fc_has_slope(const struct hr_forecast *fc)
{
    return fc->status == HR_FC_OK || fc->status == HR_FC_FLAT ||
           fc->status == HR_FC_BEYOND_HORIZON;
}

static void forecast_fact(struct hr_evalctx *ctx, int id, struct val *v)
{
    const struct hr_forecast *fc = forecast(ctx);

    v->why_unknown = hr_forecast_status_name(fc->status);
    switch (id) {
    case F_DAYS_TO_FULL:
        if (fc->status == HR_FC_OK)
            set_num(v, fc->days_to_full);
        break;
    case F_FULL_DATE:
        if (fc->status == HR_FC_OK)
            set_date(v, fc->full_time);
        break;
    case F_GROWTH_PER_DAY:
        if (fc_has_slope(fc))
            set_num(v, fc->slope);
        break;
    case F_FORECAST_R2:
        if (fc_has_slope(fc))
            set_num(v, fc->r2);
        break;
    case F_FORECAST_POINTS:
        set_num(v, fc->points);
        break;
    }
}

static double ratio_pct(double a, double b)
{
    return b > 0 ? a / b * 100 : NAN;
}

static void fact_value(struct hr_evalctx *ctx, int id, struct val *v)
{
    const struct hr_facts *f = ctx->f;

    memset(v, 0, sizeof *v);
    v->type = hr_facts_def[id].type;
    v->dim = hr_facts_def[id].dim;
    switch (id) {
    case F_USED: set_num(v, f->used); break;
    case F_CAPACITY: set_num(v, f->capacity); break;
    case F_FREE: set_num(v, f->capacity - f->used); break;
    case F_USED_PERCENT: set_num(v, ratio_pct(f->used, f->capacity)); break;
    case F_CACHE: set_num(v, f->cache); break;
    case F_PEAK: set_num(v, f->peak); break;
    case F_PEAK_PREV: set_num(v, f->peak_prev); break;
    case F_RATE_AVG: set_num(v, f->rate_avg); break;
    case F_RATED_LOAD: set_num(v, f->rated_load); break;
    case F_LOAD_PERCENT: set_num(v, ratio_pct(f->peak, f->rated_load)); break;
    case F_MAX_CAPACITY: set_num(v, f->max_capacity); break;
    case F_FIRMWARE: set_str(v, f->firmware); break;
    case F_LATEST_FIRMWARE: set_str(v, f->latest_firmware); break;
    case F_FIRMWARE_RELEASE_DATE: set_date(v, f->firmware_release_date); break;
    case F_LATEST_FIRMWARE_DATE: set_date(v, f->latest_firmware_date); break;
    case F_DAYS_SINCE_FIRMWARE_RELEASE:
        if (f->firmware_release_date)
            set_num(v, ((double)f->now - (double)f->firmware_release_date) / DAY);
        break;
    case F_NEWER_FIRMWARE_EXISTS:
        if (f->newer_firmware_exists >= 0) {
            v->known = 1;
            v->b = f->newer_firmware_exists > 0;
        } else if (f->firmware && f->latest_firmware) {
            v->known = 1;
            v->b = strcmp(f->firmware, f->latest_firmware) != 0;
        }
        break;
    case F_DAYS_TO_FULL: case F_FULL_DATE: case F_GROWTH_PER_DAY:
    case F_FORECAST_R2: case F_FORECAST_POINTS:
        forecast_fact(ctx, id, v);
        break;
    case F_AGE_DAYS:
        if (f->sale_date)
            set_num(v, ((double)f->now - (double)f->sale_date) / DAY);
        break;
    case F_SALE_DATE: set_date(v, f->sale_date); break;
    case F_MODEL: set_str(v, f->model); break;
    case F_MODEL_NUMBER: set_str(v, f->model_number); break;
    case F_PRODUCT_NUMBER: set_str(v, f->product_number); break;
    case F_SERIAL: set_str(v, f->serial); break;
    case F_VENDOR: set_str(v, f->vendor); break;
    case F_CUSTOMER: set_str(v, f->customer); break;
    case F_CUSTOMER_ID: set_str(v, f->customer_id); break;
    case F_NAME: set_str(v, f->name); break;
    case F_DEVICE: set_str(v, f->name ? f->name : f->serial); break;
    case F_HISTORY_DAYS:
        if (f->n_hist) {
            int64_t lo = f->hist[0].t, hi = f->hist[0].t;
            for (size_t i = 1; i < f->n_hist; i++) {
                lo = f->hist[i].t < lo ? f->hist[i].t : lo;
                hi = f->hist[i].t > hi ? f->hist[i].t : hi;
            }
            set_num(v, ((double)hi - (double)lo) / DAY);
        }
        break;
    case F_TODAY: set_date(v, f->now); break;
    }
}

/* ---- functions over history ---- */

static double sample_field(const struct hr_sample *s, int fn)
{
    switch (fn) {
    case FN_MAX_PEAK: case FN_AVG_PEAK: return s->peak;
    case FN_MAX_RATE: case FN_AVG_RATE: return s->rate_avg;
    case FN_MAX_USED: case FN_MIN_USED: return s->used;
    case FN_MAX_USED_PERCENT: return ratio_pct(s->used, s->capacity);
    default: return 0;
    }
}

static void call_compute(struct hr_evalctx *ctx, const struct node *n, struct val *v);

/* Rules of one device often share calls (max_peak(7d) in a condition and
 * its rearm clause): compute each (function, window) once. */
static void call_value(struct hr_evalctx *ctx, const struct node *n, struct val *v)
{
    for (int i = 0; i < ctx->n_memo; i++)
        if (ctx->memo[i].fn == n->id && ctx->memo[i].days == n->arg_days) {
            memset(v, 0, sizeof *v);
            v->type = TY_NUM;
            v->dim = n->dim;
            v->known = ctx->memo[i].known;
            v->n = ctx->memo[i].v;
            v->why_unknown = ctx->memo[i].why_unknown;
            return;
        }
    call_compute(ctx, n, v);
    if (ctx->n_memo < (int)HR_ARRAY_LEN(ctx->memo)) {
        int i = ctx->n_memo++;
        ctx->memo[i].fn = n->id;
        ctx->memo[i].days = n->arg_days;
        ctx->memo[i].known = v->known;
        ctx->memo[i].v = v->n;
        ctx->memo[i].why_unknown = v->why_unknown;
    }
}

static void call_compute(struct hr_evalctx *ctx, const struct node *n, struct val *v)
{
    const struct hr_facts *f = ctx->f;
    double from = (double)f->now - n->arg_days * DAY;
    double acc = 0, cnt = 0;
    int fn = n->id;

    memset(v, 0, sizeof *v);
    v->type = TY_NUM;
    v->dim = n->dim;
    if (fn == FN_GROWTH || fn == FN_GROWTH_PER_DAY || fn == FN_TREND_DAYS_TO_FULL) {
        struct hr_forecast_opts o = f->fc;
        struct hr_forecast fc;
        o.window_days = n->arg_days;
        if (o.window_days == f->fc.window_days)
            fc = *forecast(ctx);
        else if (hr_forecast_compute(f->hist, f->n_hist, f->now, &o, &fc) < 0)
            return;
        v->why_unknown = hr_forecast_status_name(fc.status);
        if (fn == FN_TREND_DAYS_TO_FULL && fc.status == HR_FC_OK)
            set_num(v, fc.days_to_full);
        else if (fn == FN_GROWTH && fc_has_slope(&fc))
            set_num(v, fc.slope * n->arg_days);
        else if (fn == FN_GROWTH_PER_DAY && fc_has_slope(&fc))
            set_num(v, fc.slope);
        return;
    }
    v->why_unknown = "no samples in window";
    acc = (fn == FN_MIN_USED) ? INFINITY : (fn == FN_AVG_PEAK || fn == FN_AVG_RATE) ? 0 : -INFINITY;
    for (size_t i = 0; i < f->n_hist; i++) {
        const struct hr_sample *s = &f->hist[i];
        if ((double)s->t <= from || s->t > f->now)
            continue;
        if (fn == FN_SAMPLES) {
            cnt++;
            continue;
        }
        double x = sample_field(s, fn);
        if (!isfinite(x))
            continue;
        cnt++;
        if (fn == FN_MIN_USED)
            acc = fmin(acc, x);
        else if (fn == FN_AVG_PEAK || fn == FN_AVG_RATE)
            acc += x;
        else
            acc = fmax(acc, x);
    }
    if (fn == FN_SAMPLES)
        set_num(v, cnt);
    else if (cnt > 0)
        set_num(v, (fn == FN_AVG_PEAK || fn == FN_AVG_RATE) ? acc / cnt : acc);
}

/* ---- formatting ---- */

static void fmt_bytes(char *buf, size_t sz, double b, const char *suffix)
{
    static const char *const u[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    size_t i = 0;
    double a = fabs(b);

    while (a >= 1024 && i + 1 < HR_ARRAY_LEN(u)) {
        a /= 1024;
        b /= 1024;
        i++;
    }
    if (i == 0)
        snprintf(buf, sz, "%.0f %s%s", b, u[i], suffix);
    else
        snprintf(buf, sz, "%.2f %s%s", b, u[i], suffix);
}

/* LONG: template style ("41 days"), else the compact "why" style. */
static void fmt_val(const struct val *v, char *buf, size_t sz, int quote, int lng)
{
    if (!v->known) {
        if (v->why_unknown && !lng)
            snprintf(buf, sz, "unknown (%s)", v->why_unknown);
        else
            snprintf(buf, sz, "unknown");
        return;
    }
    switch (v->type) {
    case TY_BOOL:
        snprintf(buf, sz, "%s", v->b ? "true" : "false");
        return;
    case TY_STR:
        snprintf(buf, sz, quote ? "\"%s\"" : "%s", val_str(v));
        return;
    case TY_NUM:
        break;
    default:
        snprintf(buf, sz, "?");
        return;
    }
    switch (v->dim) {
    case D_BYTES: fmt_bytes(buf, sz, v->n, ""); break;
    case D_BPD: fmt_bytes(buf, sz, v->n, "/day"); break;
    case D_PCT: snprintf(buf, sz, "%.1f%%", v->n); break;
    case D_DAYS:
        if (lng)
            snprintf(buf, sz, "%.0f days", v->n);
        else
            snprintf(buf, sz, "%.1fd", v->n);
        break;
    default:
        if (v->n == floor(v->n) && fabs(v->n) < 1e15)
            snprintf(buf, sz, "%.0f", v->n);
        else
            snprintf(buf, sz, "%.3g", v->n);
    }
}

/* ---- expressions ---- */

static void eval_node(const struct node *n, struct hr_evalctx *ctx, struct val *out,
                      struct hr_rule_result *res);

static void record_why(const struct node *n, const struct val *v, struct hr_rule_result *res)
{
    if (res && n->why >= 0 && (size_t)n->why < res->n_why)
        fmt_val(v, res->why[n->why].value, sizeof res->why[n->why].value, 1, 0);
}

static void eval_arith(const struct node *n, const struct val *a, const struct val *b,
                       struct val *out)
{
    double x = a->n, y = b->n, r = NAN;

    switch (n->op) {
    case T_PLUS: r = x + y; break;
    case T_MINUS: r = x - y; break;
    case T_STAR:
        /* 80% * capacity: a percentage scales the other operand. */
        if (a->dim == D_PCT && b->dim != D_PCT && b->dim != D_NONE)
            x /= 100;
        else if (b->dim == D_PCT && a->dim != D_PCT && a->dim != D_NONE)
            y /= 100;
        r = x * y;
        break;
    case T_SLASH:
        if (b->dim == D_PCT && a->dim != D_PCT)
            y /= 100;
        r = y != 0 ? x / y : NAN;
        break;
    default: break;
    }
    set_num(out, r);
}

static int cmp_num(enum tok op, double x, double y)
{
    switch (op) {
    case T_LT: return x < y;
    case T_LE: return x <= y;
    case T_GT: return x > y;
    case T_GE: return x >= y;
    case T_EQ: return x == y;
    default: return x != y;
    }
}

static void eval_bin(const struct node *n, struct hr_evalctx *ctx, struct val *out,
                     struct hr_rule_result *res)
{
    struct val a, b;

    eval_node(n->l, ctx, &a, res);
    eval_node(n->r, ctx, &b, res);
    if (n->op == T_AND || n->op == T_OR) {
        int dominant = n->op == T_OR; /* true dominates 'or', false 'and' */
        if ((a.known && a.b == dominant) || (b.known && b.b == dominant)) {
            out->known = 1;
            out->b = dominant;
        } else if (a.known && b.known) {
            out->known = 1;
            out->b = !dominant;
        }
        return;
    }
    if (!a.known || !b.known)
        return;
    if (n->op >= T_LT && n->op <= T_NE) {
        out->known = 1;
        if (a.type == TY_STR) {
            int c = strcmp(val_str(&a), val_str(&b));
            out->b = n->op == T_EQ ? c == 0 : c != 0;
        } else if (a.type == TY_BOOL) {
            out->b = n->op == T_EQ ? a.b == b.b : a.b != b.b;
        } else {
            out->b = cmp_num(n->op, a.n, b.n);
        }
        return;
    }
    eval_arith(n, &a, &b, out);
}

static void eval_node(const struct node *n, struct hr_evalctx *ctx, struct val *out,
                      struct hr_rule_result *res)
{
    struct val a;

    memset(out, 0, sizeof *out);
    out->type = n->type;
    out->dim = n->dim;
    switch (n->kind) {
    case N_NUM:
        set_num(out, n->num);
        break;
    case N_STR:
        set_str(out, n->str);
        break;
    case N_BOOL:
        out->known = 1;
        out->b = n->b;
        break;
    case N_FACT:
        fact_value(ctx, n->id, out);
        record_why(n, out, res);
        break;
    case N_CALL:
        call_value(ctx, n, out);
        record_why(n, out, res);
        break;
    case N_NEG:
        eval_node(n->l, ctx, &a, res);
        if (a.known)
            set_num(out, -a.n);
        break;
    case N_NOT:
        eval_node(n->l, ctx, &a, res);
        out->known = a.known;
        out->b = !a.b;
        break;
    case N_BIN:
        eval_bin(n, ctx, out, res);
        break;
    }
}

int eval_const_num(const struct node *n, double *out)
{
    struct val v;

    switch (n->kind) {
    case N_FACT: case N_CALL: case N_STR: case N_BOOL: case N_NOT:
        return -1;
    case N_NEG:
        if (eval_const_num(n->l, out) < 0)
            return -1;
        break;
    case N_BIN:
        if (eval_const_num(n->l, out) < 0 || eval_const_num(n->r, out) < 0)
            return -1;
        break;
    default:
        break;
    }
    eval_node(n, NULL, &v, NULL);
    if (!v.known || v.type != TY_NUM)
        return -1;
    *out = v.n;
    return 0;
}

/* ---- rules ---- */

void hr_rule_eval(const struct hr_rule *r, struct hr_evalctx *ctx, struct hr_rule_result *res)
{
    struct val v;

    res->rule = r;
    res->n_why = r->n_why;
    for (size_t i = 0; i < r->n_why; i++) {
        res->why[i].name = r->why_names[i];
        snprintf(res->why[i].value, sizeof res->why[i].value, "unknown");
    }
    eval_node(r->when, ctx, &v, res);
    res->when = v.known ? (v.b ? HR_TRUE : HR_FALSE) : HR_UNKNOWN;
    res->rearm = HR_UNKNOWN;
    if (r->rearm) {
        eval_node(r->rearm, ctx, &v, res);
        res->rearm = v.known ? (v.b ? HR_TRUE : HR_FALSE) : HR_UNKNOWN;
    }
}

size_t hr_rule_why_format(const struct hr_rule_result *res, char *buf, size_t bufsz)
{
    size_t o = 0;

    if (bufsz == 0)
        return 0;
    buf[0] = '\0';
    for (size_t i = 0; i < res->n_why; i++) {
        int n = snprintf(buf + o, bufsz - o, "%s%s=%s", i ? " " : "", res->why[i].name,
                         res->why[i].value);
        if (n < 0 || (size_t)n >= bufsz - o) {
            o = strlen(buf);
            break;
        }
        o += (size_t)n;
    }
    return o;
}

/* ---- templates ---- */

/* Append FACT's value; returns 0 if it was unknown. */
static int sb_fact(struct hr_buf *b, struct hr_evalctx *ctx, int fact)
{
    struct val v;
    char tmp[64];

    fact_value(ctx, fact, &v);
    if (v.known && v.type == TY_STR) {
        const char *s = val_str(&v);
        hr_buf_add(b, s, strlen(s));
        return 1;
    }
    fmt_val(&v, tmp, sizeof tmp, 0, 1);
    hr_buf_add(b, tmp, strlen(tmp));
    return v.known;
}

/* STRICT: NULL with errno ENODATA when a variable is unknown. */
static char *expand(const struct tmpl *t, struct hr_evalctx *ctx, int strict)
{
    struct hr_buf b = { 0 };
    int unknown = 0;

    hr_buf_add(&b, "", 0);
    for (size_t i = 0; t && i < t->n; i++) {
        if (t->parts[i].fact < 0)
            hr_buf_add(&b, t->parts[i].text, t->parts[i].len);
        else if (!sb_fact(&b, ctx, t->parts[i].fact))
            unknown = 1;
    }
    if (b.oom || (strict && unknown)) {
        errno = b.oom ? ENOMEM : ENODATA;
        hr_buf_free(&b);
        return NULL;
    }
    return hr_buf_take(&b);
}

char *hr_rule_proposal(const struct hr_rule *r, struct hr_evalctx *ctx)
{
    return expand(r->propose, ctx, 0);
}

char *hr_rule_subject(const struct hr_rule *r, struct hr_evalctx *ctx)
{
    struct hr_buf b = { 0 };

    if (r->subject)
        return expand(r->subject, ctx, 0);
    /* "Acme Corp: FS-2000 SN123: capacity-full-soon" */
    sb_fact(&b, ctx, F_CUSTOMER);
    hr_buf_add(&b, ": ", 2);
    sb_fact(&b, ctx, F_MODEL);
    hr_buf_add(&b, " ", 1);
    sb_fact(&b, ctx, F_SERIAL);
    hr_buf_add(&b, ": ", 2);
    hr_buf_add(&b, r->name, strlen(r->name));
    return hr_buf_take(&b);
}

char *hr_rule_sku(const struct hr_rule *r, size_t i, struct hr_evalctx *ctx)
{
    if (i >= r->n_sku) {
        errno = EINVAL;
        return NULL;
    }
    /* A part number with "unknown" in it would be looked up in the stock
     * tables as if it were real: refuse it instead. */
    return expand(r->sku[i], ctx, 1);
}

/* ---- flapping ---- */

enum hr_decision hr_rule_decide(const struct hr_rule *r, const struct hr_rule_result *res,
                                const struct hr_flap_state *prev, int64_t now,
                                struct hr_flap_state *next, int *rearmed)
{
    struct hr_flap_state st = *prev;
    enum hr_decision d;
    int re = 0;

    if (!st.armed) {
        /* Hysteresis: after a firing the rule waits for its rearm clause
         * (or, without one, for its condition to be false) before it may
         * fire again, so a value hovering at the threshold fires once. */
        int can = r->rearm ? res->rearm == HR_TRUE : res->when == HR_FALSE;
        if (can) {
            st.armed = 1;
            re = 1;
        }
    }
    if (res->when != HR_TRUE)
        d = HR_DECIDE_QUIET;
    else if (!st.armed)
        d = HR_DECIDE_NOT_REARMED;
    else if (st.last_fired && r->cooldown &&
             (double)now - (double)st.last_fired < (double)r->cooldown)
        d = HR_DECIDE_COOLDOWN;     /* also when the clock went back */
    else {
        d = HR_DECIDE_FIRE;
        st.armed = 0;
        st.last_fired = now;
    }
    *next = st;
    if (rearmed)
        *rearmed = re;
    return d;
}

const char *hr_decision_name(enum hr_decision d)
{
    switch (d) {
    case HR_DECIDE_QUIET: return "quiet";
    case HR_DECIDE_FIRE: return "fire";
    case HR_DECIDE_COOLDOWN: return "suppressed (cooldown)";
    case HR_DECIDE_NOT_REARMED: return "suppressed (not rearmed)";
    }
    return "?";
}
