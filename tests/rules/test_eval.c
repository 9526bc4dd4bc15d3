/* rules/default.rules on synthetic devices: which rules fire, why, the
 * proposal text, and the hysteresis/cooldown state machine. */
#include "../../rules/lang.h"
#include "hr_util.h"
#include "../tap.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#define NOW 1800000000LL /* 2027-01-15 08:00 UTC */
#define DAY 86400LL
#define TB 1e12
#define GB 1e9

static struct hr_ruleset *rs;
static struct hr_sample hist[90];

/* 90 daily samples ending at NOW: capacity CAP, used U0 at NOW growing G
 * a day, Cmax PEAK (PEAK_RECENT over the last 7 days). */
static void history(struct hr_facts *f, double cap, double u0, double g, double peak,
                    double peak_recent)
{
    for (int k = 0; k < 90; k++) {
        struct hr_sample *s = &hist[89 - k];
        s->t = NOW - k * DAY;
        s->capacity = cap;
        s->used = u0 - g * k;
        s->peak = k < 7 ? peak_recent : peak;
        s->rate_avg = 50;
    }
    f->hist = hist;
    f->n_hist = 90;
    f->capacity = cap;
    f->used = u0;
    f->peak = peak_recent;
    f->peak_prev = peak_recent;
}

static void device(struct hr_facts *f, const char *kind)
{
    hr_facts_init(f, NOW);
    f->customer = "Acme Corp";
    f->customer_id = "ACME";
    f->model = "FS-2000";
    f->model_number = "FS2000";
    f->vendor = "Example";
    f->firmware = f->latest_firmware = "1.2";
    f->firmware_release_date = NOW - 100 * DAY;
    f->latest_firmware_date = NOW - 100 * DAY;
    f->sale_date = NOW - 200 * DAY;
    f->rated_load = 1000;
    f->max_capacity = 40 * TB;
    f->cache = 16 * 1073741824.0;
    f->serial = kind;
    if (strcmp(kind, "filling") == 0) {
        history(f, 10 * TB, 8 * TB, 50 * GB, 300, 300);
    } else if (strcmp(kind, "flat-92") == 0) {
        history(f, 10 * TB, 9.2 * TB, 0, 300, 300);
    } else if (strcmp(kind, "expanded") == 0) {
        history(f, 20 * TB, 9.5 * TB, 20 * GB, 300, 300);
        for (int i = 0; i < 80; i++)
            hist[i].capacity = 10 * TB;
    } else if (strcmp(kind, "hot") == 0 || strcmp(kind, "hot-no-catalogue") == 0) {
        history(f, 10 * TB, 2 * TB, 0, 400, 900);
        if (strcmp(kind, "hot-no-catalogue") == 0) {
            f->rated_load = NAN;
            f->max_capacity = NAN;
            f->latest_firmware = NULL;
            f->firmware_release_date = f->latest_firmware_date = 0;
        }
    } else if (strcmp(kind, "old-fw") == 0) {
        history(f, 10 * TB, 2 * TB, 0, 300, 300);
        f->firmware = "1.0";
        f->firmware_release_date = NOW - 500 * DAY;
        f->sale_date = NOW - 730 * DAY;
    } else if (strcmp(kind, "old-fw-old-device") == 0) {
        history(f, 10 * TB, 2 * TB, 0, 300, 300);
        f->firmware = "1.0";
        f->firmware_release_date = NOW - 200 * DAY;
        f->sale_date = NOW - 4 * 365 * DAY;
    } else if (strcmp(kind, "no-history") == 0) {
        f->capacity = 10 * TB;
        f->used = 7.5 * TB;
    }
}

/* Names of the rules that fire on F, space-separated. */
static const char *fired(const struct hr_facts *f)
{
    static char out[512];
    struct hr_evalctx ctx;
    size_t o = 0;

    out[0] = '\0';
    hr_eval_begin(&ctx, f);
    for (size_t i = 0; i < hr_ruleset_count(rs); i++) {
        struct hr_rule_result res;
        hr_rule_eval(hr_ruleset_rule(rs, i), &ctx, &res);
        if (res.when == HR_TRUE)
            o += (size_t)snprintf(out + o, sizeof out - o, "%s%s", o ? " " : "",
                                  hr_rule_name(res.rule));
    }
    return out;
}

static struct hr_rule_result eval_rule(const struct hr_facts *f, const char *name,
                                       char *why, size_t whysz)
{
    struct hr_evalctx ctx;
    struct hr_rule_result res;
    hr_eval_begin(&ctx, f);
    hr_rule_eval(hr_ruleset_find(rs, name), &ctx, &res);
    hr_rule_why_format(&res, why, whysz);
    return res;
}

static void table(void)
{
    static const struct { const char *kind, *want; } cases[] = {
        { "filling", "capacity-full-soon capacity-fast-growth" },
        { "flat-92", "capacity-nearly-full" },
        { "expanded", "" },
        { "hot", "load-near-rated load-growing" },
        { "hot-no-catalogue", "load-growing" },
        { "old-fw", "firmware-outdated" },
        { "old-fw-old-device", "" },
        { "no-history", "" },
    };
    struct hr_facts f;

    for (size_t i = 0; i < HR_ARRAY_LEN(cases); i++) {
        device(&f, cases[i].kind);
        TAP_STR(fired(&f), cases[i].want, "%s: fires [%s]", cases[i].kind, cases[i].want);
    }
}

static void why_and_text(void)
{
    struct hr_facts f;
    struct hr_evalctx ctx;
    struct hr_rule_result res;
    char why[1024];
    const struct hr_rule *r = hr_ruleset_find(rs, "capacity-full-soon");

    device(&f, "filling");
    res = eval_rule(&f, "capacity-full-soon", why, sizeof why);
    TAP_INT(res.when, HR_TRUE, "filling: condition true");
    TAP_STR(why, "used_percent=80.0% days_to_full=40.0d forecast_r2=1", "filling: why");
    hr_eval_begin(&ctx, &f);
    char *s = hr_rule_proposal(r, &ctx);
    TAP_STR(s, "Expand FS-2000 filling for Acme Corp: 7.28 TiB of 9.09 TiB used (80.0%), "
               "growing 46.57 GiB/day; full around 2027-02-24 (40 days). Propose an "
               "expansion shelf or larger drives.", "filling: proposal text");
    free(s);
    s = hr_rule_subject(r, &ctx);
    TAP_STR(s, "Acme Corp: FS-2000 filling will be full around 2027-02-24", "filling: subject");
    free(s);
    TAP_INT(hr_rule_sku_count(r), 2, "two SKUs");
    s = hr_rule_sku(r, 0, &ctx);
    TAP_STR(s, "EXP-FS2000-SHELF", "SKU 1 expanded");
    free(s);
    s = hr_rule_sku(r, 1, &ctx);
    TAP_STR(s, "HDD-FS2000-8T", "SKU 2 expanded");
    free(s);
    TAP_OK(hr_rule_sku(r, 2, &ctx) == NULL, "no SKU 3");
    f.model_number = NULL;
    hr_eval_begin(&ctx, &f);
    errno = 0;
    TAP_OK(hr_rule_sku(r, 0, &ctx) == NULL && errno == ENODATA,
           "no SKU from an unknown model number");

    device(&f, "no-history");
    res = eval_rule(&f, "capacity-full-soon", why, sizeof why);
    TAP_INT(res.when, HR_UNKNOWN, "no history: forecast rule unknown");
    TAP_STR(why, "used_percent=75.0% days_to_full=unknown (too few points) "
                 "forecast_r2=unknown (too few points)", "no history: why says why");
    hr_eval_begin(&ctx, &f);
    s = hr_rule_subject(r, &ctx);
    TAP_STR(s, "Acme Corp: FS-2000 no-history will be full around unknown",
            "unknown values expand to 'unknown'");
    free(s);

    device(&f, "hot-no-catalogue");
    res = eval_rule(&f, "load-near-rated", why, sizeof why);
    TAP_INT(res.when, HR_UNKNOWN, "no catalogue: load rule unknown, not false");
    TAP_STR(why, "max_peak(7d)=900 rated_load=unknown avg_peak(7d)=900", "no catalogue: why");
    res = eval_rule(&f, "load-growing", why, sizeof why);
    TAP_STR(why, "avg_peak(7d)=900 avg_peak(90d)=439 samples(90d)=90", "load-growing: why");

    device(&f, "old-fw");
    res = eval_rule(&f, "firmware-outdated", why, sizeof why);
    TAP_STR(why, "newer_firmware_exists=true days_since_firmware_release=500.0d",
            "firmware: why");
    hr_eval_begin(&ctx, &f);
    s = hr_rule_proposal(hr_ruleset_find(rs, "firmware-outdated"), &ctx);
    TAP_STR(s, "FS-2000 old-fw at Acme Corp runs firmware 1.0 released 2025-09-02; 1.2 "
               "(2026-10-07) is available. Propose a firmware update.", "firmware: proposal");
    free(s);

    /* Device strings go in as they are: the mail layer escapes them. */
    device(&f, "filling");
    f.serial = "X\r\nBcc: someone@example.com";
    hr_eval_begin(&ctx, &f);
    s = hr_rule_subject(r, &ctx);
    TAP_STR(s, "Acme Corp: FS-2000 X\r\nBcc: someone@example.com will be full around 2027-02-24",
            "hostile serial inserted verbatim");
    free(s);
}

/* capacity-nearly-full: when >= 90%, rearm < 85%, cooldown 14d. */
static void hysteresis(void)
{
    static const struct { int day; double pct; enum hr_decision want; } steps[] = {
        { 0, 89, HR_DECIDE_QUIET },
        { 1, 91, HR_DECIDE_FIRE },
        { 2, 89.5, HR_DECIDE_QUIET },        /* hovering below: not rearmed */
        { 3, 91, HR_DECIDE_NOT_REARMED },    /* back above: no second proposal */
        { 4, 84, HR_DECIDE_QUIET },          /* rearms */
        { 5, 91, HR_DECIDE_COOLDOWN },       /* armed, but fired 4 days ago */
        { 6, 92, HR_DECIDE_COOLDOWN },
        { 15, 92, HR_DECIDE_FIRE },          /* 14 days after day 1 */
        { 16, 95, HR_DECIDE_NOT_REARMED },
    };
    const struct hr_rule *r = hr_ruleset_find(rs, "capacity-nearly-full");
    struct hr_flap_state st = { 1, 0 };
    int rearmed;

    for (size_t i = 0; i < HR_ARRAY_LEN(steps); i++) {
        struct hr_facts f;
        struct hr_evalctx ctx;
        struct hr_rule_result res;
        int64_t now = NOW + steps[i].day * DAY;
        hr_facts_init(&f, now);
        f.capacity = 10 * TB;
        f.used = steps[i].pct / 100 * 10 * TB;
        hr_eval_begin(&ctx, &f);
        hr_rule_eval(r, &ctx, &res);
        enum hr_decision d = hr_rule_decide(r, &res, &st, now, &st, &rearmed);
        TAP_STR(hr_decision_name(d), hr_decision_name(steps[i].want), "day %d at %.1f%%: %s",
                steps[i].day, steps[i].pct, hr_decision_name(steps[i].want));
        if (steps[i].day == 4)
            TAP_OK(rearmed && st.armed, "day 4: rearmed");
    }
    TAP_INT(st.last_fired, NOW + 15 * DAY, "last firing recorded");

    /* Without a rearm clause (firmware-outdated, cooldown 90d) the rule
     * fires on the rising edge; unknown does not rearm it. */
    r = hr_ruleset_find(rs, "firmware-outdated");
    static const struct { int day; int state; enum hr_decision want; } edge[] = {
        { 0, 1, HR_DECIDE_FIRE },
        { 1, 1, HR_DECIDE_NOT_REARMED },
        { 2, -1, HR_DECIDE_QUIET },          /* catalogue gone: unknown */
        { 3, 1, HR_DECIDE_NOT_REARMED },     /* unknown did not rearm */
        { 4, 0, HR_DECIDE_QUIET },           /* firmware updated: rearms */
        { 5, 1, HR_DECIDE_COOLDOWN },        /* downgraded again within 90 days */
        { 95, 1, HR_DECIDE_FIRE },
    };
    st = (struct hr_flap_state){ 1, 0 };
    for (size_t i = 0; i < HR_ARRAY_LEN(edge); i++) {
        struct hr_facts f;
        struct hr_evalctx ctx;
        struct hr_rule_result res;
        int64_t now = NOW + edge[i].day * DAY;
        hr_facts_init(&f, now);
        f.firmware_release_date = NOW - 400 * DAY;
        f.newer_firmware_exists = edge[i].state;
        hr_eval_begin(&ctx, &f);
        hr_rule_eval(r, &ctx, &res);
        enum hr_decision d = hr_rule_decide(r, &res, &st, now, &st, NULL);
        TAP_STR(hr_decision_name(d), hr_decision_name(edge[i].want), "edge day %d: %s",
                edge[i].day, hr_decision_name(edge[i].want));
    }
}

int main(void)
{
    char *errors = NULL;
    const char *top = getenv("TOP");
    char path[1024];

    snprintf(path, sizeof path, "%s/rules/default.rules", top ? top : ".");
    int rc = hr_rules_load(path, &rs, &errors);
    TAP_INT(rc, 0, "default.rules parses");
    if (rc) {
        printf("# %s", errors ? errors : "?");
        return 1;
    }
    TAP_INT(hr_ruleset_count(rs), 7, "seven default rules");
    TAP_STR(hr_rule_family(hr_ruleset_find(rs, "load-near-rated")), "load", "family");
    TAP_STR(hr_rule_severity(hr_ruleset_find(rs, "capacity-nearly-full")), "critical",
            "severity");
    TAP_INT(hr_rule_cooldown(hr_ruleset_find(rs, "capacity-nearly-full")), 14 * DAY,
            "cooldown in seconds");
    TAP_OK(hr_rule_has_rearm(hr_ruleset_find(rs, "capacity-full-soon")) &&
           !hr_rule_has_rearm(hr_ruleset_find(rs, "firmware-outdated")), "rearm clauses");
    {
        struct hr_forecast_opts o;
        hr_forecast_opts_default(&o);
        TAP_OK(hr_ruleset_max_window(rs, &o) == 90, "history to load: 90 days (avg_peak(90d))");
        o.window_days = 120;
        TAP_OK(hr_ruleset_max_window(rs, &o) == 120, "history to load: the forecast window if longer");
    }
    table();
    why_and_text();
    hysteresis();
    hr_ruleset_free(rs);
    return TAP_DONE();
}
