/* lang.h: headroom's rule language: parse rule files, evaluate them on a
 * device's facts, expand proposal templates, and decide (with hysteresis
 * and cooldown) whether a true condition becomes a new proposal.
 *
 * The language is described in docs/rules.md.  A rule file is parsed and
 * type-checked as a whole (hr_rules_parse); evaluation never fails: facts
 * that are unknown make the conditions that use them unknown, and an
 * unknown condition does not fire.
 *
 * Nothing here touches a database, a network or the clock: NOW comes in
 * with the facts, so tests and the benchmark are reproducible.
 */
#ifndef HR_RULES_LANG_H
#define HR_RULES_LANG_H

#include <stddef.h>
#include <stdint.h>

#include "forecast.h"

/* ---- facts ------------------------------------------------------------- */

/* What is known about one device at time NOW.  Numbers are NaN when
 * unknown, strings NULL, dates 0, tri-state ints -1.  Strings are used as
 * they are (the mail layer escapes them); they must stay valid while the
 * facts are evaluated. */
struct hr_facts {
    int64_t now;                    /* Unix time of the evaluation */
    /* identity */
    const char *serial, *vendor, *model, *model_number, *product_number;
    const char *customer, *customer_id, *name;
    /* current values (the device's latest sample) */
    double capacity, used;          /* bytes */
    double cache;                   /* bytes */
    double peak, peak_prev;         /* today's / yesterday's Cmax (writes per window) */
    double rate_avg;                /* average writes/s */
    double window_s;                /* the load window t, seconds */
    const char *firmware;           /* installed firmware version */
    int64_t sale_date;              /* Unix time, 0 unknown */
    /* catalogue data (absent tables leave these unknown) */
    double rated_load;              /* rated peak writes per window of the model */
    double max_capacity;            /* bytes the model can be expanded to */
    const char *latest_firmware;    /* newest firmware for the model */
    int64_t firmware_release_date;  /* release date of the installed firmware */
    int64_t latest_firmware_date;   /* release date of latest_firmware */
    int newer_firmware_exists;      /* -1: derive from firmware != latest_firmware */
    /* history, any order (daily rows: capacity, used, Cmax ...) */
    const struct hr_sample *hist;
    size_t n_hist;
    struct hr_forecast_opts fc;     /* forecast options for days_to_full etc. */
};

/* Everything unknown, no history, default forecast options. */
void hr_facts_init(struct hr_facts *f, int64_t now);

/* ---- rule sets ------------------------------------------------------------ */

struct hr_ruleset;
struct hr_rule;

/* Limits that keep hostile files bounded (errors, never crashes). */
#define HR_RULES_MAX_FILE   (16u << 20)  /* bytes in one file */
#define HR_RULES_MAX_DEPTH  64           /* nesting of expressions */
#define HR_RULES_MAX_ERRORS 100          /* messages before giving up */
#define HR_RULES_MAX_WHY    32           /* distinct facts in one condition */
#define HR_RULES_MAX_SKUS   16

/* Parse and type-check SRC (LEN bytes, NULs allowed: they are errors),
 * calling it FNAME in messages.  On success returns 0 and sets *OUT.  On
 * errors returns their count, sets *OUT to NULL and *ERRORS (if ERRORS is
 * not NULL) to a malloc'd text of lines "FNAME:LINE:COL: message near
 * 'token'\n".  -1 on ENOMEM. */
int hr_rules_parse(const char *fname, const char *src, size_t len,
                   struct hr_ruleset **out, char **errors);

/* Read PATH (at most HR_RULES_MAX_FILE bytes) and parse it.  A file that
 * cannot be read is one error, "PATH: reason". */
int hr_rules_load(const char *path, struct hr_ruleset **out, char **errors);

void hr_ruleset_free(struct hr_ruleset *rs);

size_t hr_ruleset_count(const struct hr_ruleset *rs);
const struct hr_rule *hr_ruleset_rule(const struct hr_ruleset *rs, size_t i);
const struct hr_rule *hr_ruleset_find(const struct hr_ruleset *rs, const char *name);

/* The longest history window (days) any rule or the forecast needs, so a
 * loader reads no more samples than necessary. */
double hr_ruleset_max_window(const struct hr_ruleset *rs, const struct hr_forecast_opts *fc);

const char *hr_rule_name(const struct hr_rule *r);
const char *hr_rule_family(const struct hr_rule *r);
const char *hr_rule_severity(const struct hr_rule *r);  /* info notice warning critical */
int64_t hr_rule_cooldown(const struct hr_rule *r);      /* seconds, 0 = none */
int hr_rule_has_rearm(const struct hr_rule *r);
size_t hr_rule_sku_count(const struct hr_rule *r);
int hr_rule_line(const struct hr_rule *r);              /* where it starts */

/* ---- evaluation ------------------------------------------------------------ */

enum hr_tri { HR_FALSE = 0, HR_TRUE = 1, HR_UNKNOWN = -1 };

/* Per-device evaluation context: the facts plus values computed once
 * (the forecast).  Initialise with hr_eval_begin for each device; no
 * allocation survives it, so there is nothing to free. */
struct hr_evalctx {
    const struct hr_facts *f;
    int fc_done;
    struct hr_forecast fc;
    /* history functions already computed for this device (private) */
    int n_memo;
    struct {
        int fn, known;
        double days, v;
        const char *why_unknown;
    } memo[16];
};

void hr_eval_begin(struct hr_evalctx *ctx, const struct hr_facts *f);

struct hr_why {
    const char *name;               /* "used_percent", "max_peak(30d)" */
    char value[48];                 /* "83.2%", "41.3 days", "unknown" */
};

struct hr_rule_result {
    const struct hr_rule *rule;
    enum hr_tri when;               /* the condition */
    enum hr_tri rearm;              /* the rearm clause; HR_UNKNOWN if none */
    size_t n_why;                   /* facts the condition (and rearm) used */
    struct hr_why why[HR_RULES_MAX_WHY];
};

void hr_rule_eval(const struct hr_rule *r, struct hr_evalctx *ctx, struct hr_rule_result *res);

/* "name=value name=value ..." of RES into BUF (always terminated). */
size_t hr_rule_why_format(const struct hr_rule_result *res, char *buf, size_t bufsz);

/* Expand the rule's templates for the device in CTX: malloc'd strings,
 * NULL on ENOMEM.  Unknown values read "unknown" in the proposal and the
 * subject; a SKU that needs an unknown value is NULL with errno ENODATA
 * (no part number can be made up).  A rule without a subject gets
 * "CUSTOMER: MODEL SERIAL: RULE". */
char *hr_rule_proposal(const struct hr_rule *r, struct hr_evalctx *ctx);
char *hr_rule_subject(const struct hr_rule *r, struct hr_evalctx *ctx);
char *hr_rule_sku(const struct hr_rule *r, size_t i, struct hr_evalctx *ctx);

/* ---- flapping: hysteresis and cooldown ------------------------------------ */

/* Persisted per device and rule by the proposal layer.  A new pair starts
 * as { .armed = 1, .last_fired = 0 }. */
struct hr_flap_state {
    int armed;          /* may fire when the condition is true */
    int64_t last_fired; /* Unix time of the last firing, 0 never */
};

enum hr_decision {
    HR_DECIDE_QUIET = 0,        /* condition not true */
    HR_DECIDE_FIRE,             /* make a proposal */
    HR_DECIDE_COOLDOWN,         /* true, but fired less than cooldown ago */
    HR_DECIDE_NOT_REARMED,      /* true, but the rearm clause has not been
                                   true since the last firing */
};

/* Pure: from PREV and the evaluation RES at NOW, the decision and the new
 * state in *NEXT (NEXT may equal PREV).  A rule without a rearm clause
 * rearms when its condition is false (fires on the rising edge).  An
 * unknown rearm clause does not rearm.  *REARMED (may be NULL) is set to 1
 * when this step rearmed the rule. */
enum hr_decision hr_rule_decide(const struct hr_rule *r, const struct hr_rule_result *res,
                                const struct hr_flap_state *prev, int64_t now,
                                struct hr_flap_state *next, int *rearmed);

const char *hr_decision_name(enum hr_decision d);

#endif
