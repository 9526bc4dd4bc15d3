/* fuzz_rules.c: libFuzzer harness for the rule parser and evaluator.
 *
 *   make fuzz-rules && build/fuzz/fuzz_rules rules/fuzz/corpus
 *
 * Each input is parsed as a rule file; when it parses, every rule is
 * evaluated on a device with a short history and its templates are
 * expanded, so the evaluator sees whatever the parser accepts.  The same
 * function runs in the normal test build (tests/rules/test_hostile.c
 * replays the corpus). */
#include "../lang.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run_rules(const struct hr_ruleset *rs)
{
    struct hr_sample h[12];
    struct hr_facts f;
    struct hr_evalctx ctx;
    const int64_t now = 1800000000;

    hr_facts_init(&f, now);
    for (int i = 0; i < 12; i++) {
        h[i].t = now - (11 - i) * 86400;
        h[i].capacity = 4e12;
        h[i].used = 3e12 + i * 1e10;
        h[i].peak = i == 5 ? NAN : 1000 + 10 * i;
        h[i].rate_avg = 50;
    }
    f.hist = h;
    f.n_hist = 12;
    f.capacity = 4e12;
    f.used = 3.11e12;
    f.peak = 1200;
    f.serial = "SN1";
    f.model = "FS-2000";
    f.firmware = "1.0";
    f.latest_firmware = "1.2";
    f.sale_date = now - 400 * 86400;
    hr_eval_begin(&ctx, &f);
    for (size_t i = 0; i < hr_ruleset_count(rs); i++) {
        const struct hr_rule *r = hr_ruleset_rule(rs, i);
        struct hr_rule_result res;
        struct hr_flap_state st = { 1, 0 };
        char why[512];
        hr_rule_eval(r, &ctx, &res);
        hr_rule_why_format(&res, why, sizeof why);
        hr_rule_decide(r, &res, &st, now, &st, NULL);
        free(hr_rule_proposal(r, &ctx));
        free(hr_rule_subject(r, &ctx));
        for (size_t k = 0; k < hr_rule_sku_count(r); k++)
            free(hr_rule_sku(r, k, &ctx));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hr_ruleset *rs = NULL;
    char *errors = NULL;

    if (hr_rules_parse("fuzz", (const char *)data, size, &rs, &errors) == 0 && rs)
        run_rules(rs);
    free(errors);
    hr_ruleset_free(rs);
    return 0;
}
