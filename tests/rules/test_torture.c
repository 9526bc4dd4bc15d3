/* Allocation torture (after curl's): parse and evaluate with the Nth
 * allocation failing, for every N, until a run needs fewer allocations
 * than N.  Every run must end in a clean ENOMEM (-1) or in the normal
 * result, without a crash or a leak (ASan's leak checker in make
 * check-asan).  Linked with -Wl,--wrap=malloc,--wrap=realloc,--wrap=calloc
 * so only our code's allocations are counted. */
#include "../../rules/lang.h"
#include "hr_util.h"
#include "../tap.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);
void *__real_calloc(size_t a, size_t b);
void *__wrap_malloc(size_t n);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_calloc(size_t a, size_t b);

static long fail_at = -1, calls;

static int should_fail(void)
{
    return fail_at >= 0 && ++calls == fail_at;
}

void *__wrap_malloc(size_t n) { return should_fail() ? NULL : __real_malloc(n); }
void *__wrap_realloc(void *p, size_t n) { return should_fail() ? NULL : __real_realloc(p, n); }
void *__wrap_calloc(size_t a, size_t b) { return should_fail() ? NULL : __real_calloc(a, b); }

#define NOW 1800000000LL

/* Parse SRC and, when it parsed, evaluate every rule and expand its texts
 * on a device with history.  Returns the parse result. */
static int run(const char *src, size_t len, int *texts_ok)
{
    struct hr_ruleset *rs = NULL;
    char *errors = NULL;
    struct hr_sample h[40];
    int rc = hr_rules_parse("t.rules", src, len, &rs, &errors);

    *texts_ok = 1;
    if (rc > 0 && !errors)
        *texts_ok = 0; /* errors without their text */
    free(errors);
    if (rc != 0)
        return rc;
    struct hr_facts f;
    struct hr_evalctx ctx;
    hr_facts_init(&f, NOW);
    for (int i = 0; i < 40; i++) {
        h[i].t = NOW - (39 - i) * 86400;
        h[i].capacity = 10e12;
        h[i].used = 8e12 - (39 - i) * 5e10 + (i == 20 ? 2e12 : 0);
        h[i].peak = 900;
        h[i].rate_avg = 5;
    }
    f.hist = h;
    f.n_hist = 40;
    f.capacity = 10e12;
    f.used = 8e12;
    f.model = "FS-2000";
    f.model_number = "FS2000";
    f.serial = "SN1";
    f.customer = "Acme";
    hr_eval_begin(&ctx, &f);
    for (size_t i = 0; i < hr_ruleset_count(rs); i++) {
        const struct hr_rule *r = hr_ruleset_rule(rs, i);
        struct hr_rule_result res;
        hr_rule_eval(r, &ctx, &res);
        char *p = hr_rule_proposal(r, &ctx), *s = hr_rule_subject(r, &ctx);
        free(p);
        free(s);
        for (size_t k = 0; k < hr_rule_sku_count(r); k++)
            free(hr_rule_sku(r, k, &ctx));
    }
    hr_ruleset_free(rs);
    return 0;
}

static void torture(const char *name, const char *src, size_t len, int want)
{
    int bad = 0, texts_ok, steps = 0;

    for (long k = 1;; k++) {
        calls = 0;
        fail_at = k;
        int rc = run(src, len, &texts_ok);
        fail_at = -1;
        if (calls < k) {
            TAP_INT(rc, want, "%s: result without failures", name);
            break;
        }
        steps++;
        if (!((rc == -1) || (rc == want && texts_ok)))
            bad++;
    }
    TAP_OK(steps > 5 && bad == 0, "%s: %d allocations failed in turn, all clean", name, steps);
}

int main(void)
{
    const char *top = getenv("TOP");
    char path[1024];
    size_t len;

    snprintf(path, sizeof path, "%s/rules/default.rules", top ? top : ".");
    char *src = hr_read_file(path, 1 << 20, &len);
    TAP_OK(src != NULL, "read default.rules");
    if (!src)
        return TAP_DONE();
    torture("default.rules", src, len, 0);
    free(src);
    static const char bad[] =
        "rule a { family x when used_percent >= 80 and frob(3d) propose \"{modle}\" }\n"
        "rule b { when (((1 propose \"unterminated\n"
        "rule c { family y when max_peak(7d) > 1 propose \"x\" sku \"S-{serial}\" }\n";
    torture("a file with seven errors", bad, sizeof bad - 1, 7);
    return TAP_DONE();
}
