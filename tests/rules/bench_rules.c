/* bench_rules: evaluate a rule file over N generated devices with D days
 * of daily history each (bench/rules.sh runs it).  Histories are generated
 * per device into one reused buffer, so the figure is the engine's cost
 * (forecast, history functions, three-valued evaluation, why strings,
 * proposal text of the rules that fire) and the RSS is the engine's, not
 * a 100,000-device array's. */
#include "../../rules/lang.h"
#include "hr_util.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define NOW 1800000000LL
#define DAY 86400LL

static unsigned long long rng = 88172645463325252ULL;
static double urand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A device: a mix of growing, flat, shrinking, expanded and noisy
 * histories; load near or far from the rating; old and new firmware;
 * a fifth without catalogue data. */
static void gen(struct hr_facts *f, struct hr_sample *h, int days, char *serial, size_t sl,
                long i)
{
    double cap = (1 + (int)(urand() * 16)) * 1e12;
    double used = cap * (0.2 + 0.75 * urand());
    double g = (urand() < 0.2 ? -0.001 : urand() < 0.3 ? 0 : 0.004 * urand()) * cap;
    double noise = urand() * 0.005 * cap;
    int expand_at = urand() < 0.1 ? (int)(urand() * days) : -1;
    double peak = 200 + 800 * urand(), jump = urand() < 0.1 ? 2 : 1;

    hr_facts_init(f, NOW);
    snprintf(serial, sl, "SN%07ld", i);
    f->serial = serial;
    f->customer = "Bench Customer";
    f->model = "FS-2000";
    f->model_number = "FS2000";
    f->firmware = urand() < 0.5 ? "1.0" : "1.2";
    f->sale_date = NOW - (int64_t)(urand() * 2000) * DAY;
    if (urand() < 0.8) {
        f->latest_firmware = "1.2";
        f->rated_load = 1000;
        f->max_capacity = 64e12;
        f->firmware_release_date = NOW - (int64_t)(urand() * 900) * DAY;
    }
    for (int k = 0; k < days; k++) {
        struct hr_sample *s = &h[days - 1 - k];
        s->t = NOW - k * DAY;
        s->capacity = (expand_at >= 0 && k > expand_at) ? cap / 2 : cap;
        s->used = fmin(cap, fmax(0, used - g * k + (urand() - 0.5) * noise));
        s->peak = peak * (k < 7 ? jump : 1) * (0.8 + 0.4 * urand());
        s->rate_avg = s->peak / 10;
    }
    f->hist = h;
    f->n_hist = (size_t)days;
    f->capacity = cap;
    f->used = h[days - 1].used;
    f->peak = h[days - 1].peak;
    f->peak_prev = h[days - 2].peak;
}

static void usage(FILE *o)
{
    fprintf(o, "Usage: bench_rules [-n DEVICES] [-d DAYS] [-m lsq|reject|theil-sen] RULEFILE\n");
}

int main(int argc, char **argv)
{
    long n = 100000;
    int days = 90, c;
    enum hr_fc_method method = HR_FC_LSQ_REJECT;
    uint64_t v;

    while ((c = getopt(argc, argv, "n:d:m:h")) != -1) {
        switch (c) {
        case 'n':
            if (hr_parse_u64(optarg, &v) < 0 || v < 1 || v > 100000000) { usage(stderr); return 2; }
            n = (long)v;
            break;
        case 'd':
            if (hr_parse_u64(optarg, &v) < 0 || v < 2 || v > 3650) { usage(stderr); return 2; }
            days = (int)v;
            break;
        case 'm':
            if (strcmp(optarg, "lsq") == 0) method = HR_FC_LSQ;
            else if (strcmp(optarg, "reject") == 0) method = HR_FC_LSQ_REJECT;
            else if (strcmp(optarg, "theil-sen") == 0) method = HR_FC_THEIL_SEN;
            else { usage(stderr); return 2; }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return 2;
    }
    struct hr_ruleset *rs;
    char *errors = NULL;
    if (hr_rules_load(argv[optind], &rs, &errors) != 0) {
        fputs(errors ? errors : "out of memory\n", stderr);
        return 3;
    }
    size_t nr = hr_ruleset_count(rs);
    unsigned long *fired = calloc(nr, sizeof *fired);
    struct hr_sample *h = malloc((size_t)days * sizeof *h);
    if (!fired || !h)
        return 1;
    double t_gen = 0, t_eval = 0;
    unsigned long total_fired = 0, unknown = 0;
    char serial[32], why[2048];

    for (long i = 0; i < n; i++) {
        struct hr_facts f;
        struct hr_evalctx ctx;
        double t0 = now_s();
        gen(&f, h, days, serial, sizeof serial, i);
        f.fc.method = method;
        double t1 = now_s();
        hr_eval_begin(&ctx, &f);
        for (size_t r = 0; r < nr; r++) {
            const struct hr_rule *rule = hr_ruleset_rule(rs, r);
            struct hr_rule_result res;
            hr_rule_eval(rule, &ctx, &res);
            hr_rule_why_format(&res, why, sizeof why);
            if (res.when == HR_TRUE) {
                fired[r]++;
                total_fired++;
                free(hr_rule_proposal(rule, &ctx));
            } else if (res.when == HR_UNKNOWN) {
                unknown++;
            }
        }
        t_eval += now_s() - t1;
        t_gen += t1 - t0;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("devices %ld, days %d, rules %zu, forecast %s\n", n, days, nr,
           method == HR_FC_LSQ ? "lsq" : method == HR_FC_THEIL_SEN ? "theil-sen" : "lsq+reject");
    printf("generate  %.3f s\n", t_gen);
    printf("evaluate  %.3f s  %.0f devices/s  %.0f rule evaluations/s\n", t_eval,
           (double)n / t_eval, (double)n * (double)nr / t_eval);
    printf("fired     %lu (%lu unknown)\n", total_fired, unknown);
    for (size_t r = 0; r < nr; r++)
        printf("  %-28s %lu\n", hr_rule_name(hr_ruleset_rule(rs, r)), fired[r]);
    printf("peak RSS  %.1f MiB\n", (double)ru.ru_maxrss / 1024);
    free(fired);
    free(h);
    hr_ruleset_free(rs);
    return 0;
}
