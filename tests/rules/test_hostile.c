/* Hostile rule files give errors, never crashes (run under ASan/UBSan by
 * make check-asan), and the fuzz corpus replays through the libFuzzer
 * harness (rules/fuzz/fuzz_rules.c) in the normal build. */
#include "../../rules/lang.h"
#include "hr_util.h"
#include "../tap.h"

#include <dirent.h>
#include <math.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse BUF; the number of errors (0 if it parsed), -1 on ENOMEM.  The
 * error text must be present, end in a newline and hold only printable
 * bytes. */
static int parse(const char *buf, size_t len, int *text_ok)
{
    struct hr_ruleset *rs = NULL;
    char *e = NULL;
    int rc = hr_rules_parse("h.rules", buf, len, &rs, &e);

    *text_ok = rc == 0 && e == NULL;
    if (rc > 0 && e && *e && e[strlen(e) - 1] == '\n') {
        /* clean apart from the newlines separating messages */
        int clean = 1;
        for (const char *p = e; *p; p++)
            if ((unsigned char)*p < 0x20 && *p != '\n')
                clean = 0;
        *text_ok = clean && strncmp(e, "h.rules:", 8) == 0;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)buf, len); /* evaluates what parses */
    free(e);
    hr_ruleset_free(rs);
    return rc;
}

static unsigned seed = 2026;
static unsigned rnd(void)
{
    seed = seed * 1103515245u + 12345u;
    return seed >> 8;
}

#define BIG (1u << 20)

static void expect_errors(const char *name, const char *buf, size_t len)
{
    int ok;
    int rc = parse(buf, len, &ok);
    TAP_OK(rc > 0 && ok, "%s: %d error(s), clear text", name, rc);
}

/* Text without NULs; the inputs above with NULs pass their exact length. */
static void expect_str(const char *name, const char *s)
{
    expect_errors(name, s, strlen(s));
}

static void repeat(char *buf, const char *head, const char *unit, size_t total,
                   const char *tail, size_t *len)
{
    size_t o = (size_t)snprintf(buf, BIG, "%s", head), ul = strlen(unit);
    while (o + ul + strlen(tail) + 1 < total) {
        memcpy(buf + o, unit, ul);
        o += ul;
    }
    o += (size_t)snprintf(buf + o, BIG - o, "%s", tail);
    *len = o;
}

static void hostile(void)
{
    char *buf = malloc(BIG + 64);
    size_t len;
    int ok, bad = 0;

    expect_errors("empty file", "", 0);
    expect_errors("only NUL bytes", "\0\0\0\0", 4);
    expect_errors("NUL inside a rule", "rule a { family x when\0 true propose \"p\" }", 42);
    expect_str("unterminated brace", "rule a { family x when true propose \"p\"");
    expect_str("unterminated string at EOF", "rule a { propose \"abc");
    expect_str("backslash at EOF", "rule a { propose \"abc\\");
    expect_str("lone rule", "rule");
    expect_str("huge number", "rule a { family x when used > 99999999999999999999999999999999999TB "
               "propose \"p\" }");
    expect_str("number of 100 digits",
               "rule a { family x when 1000000000000000000000000000000000000000000000000000"
               "000000000000000000000000000000000000000000000000 > 0 propose \"p\" }");

    /* Random bytes: 300 files of 1 to 4096 bytes. */
    for (int i = 0; i < 300; i++) {
        size_t n = 1 + rnd() % 4096;
        for (size_t k = 0; k < n; k++)
            buf[k] = (char)rnd();
        if (parse(buf, n, &ok) <= 0 || !ok)
            bad++;
    }
    TAP_INT(bad, 0, "300 files of random bytes: all refused with clear errors");

    /* Deep nesting far beyond the limit: no stack overflow. */
    repeat(buf, "rule a { family x when ", "(", BIG, "true propose \"p\" }", &len);
    expect_errors("1 MB of '('", buf, len);
    repeat(buf, "rule a { family x when ", "not ", BIG, "true propose \"p\" }", &len);
    expect_errors("1 MB of 'not'", buf, len);
    repeat(buf, "rule a { family x when ", "- ", BIG, "1 > 0 propose \"p\" }", &len);
    expect_errors("1 MB of '-'", buf, len);
    repeat(buf, "rule a { family x when 1", " + 1", BIG, " > 0 propose \"p\" }", &len);
    expect_errors("1 MB line of '+ 1'", buf, len);
    repeat(buf, "rule a { family x when true or", " true or", BIG, " true propose \"p\" }", &len);
    expect_errors("1 MB chain of 'or'", buf, len);
    repeat(buf, "rule a { family x when true propose \"", "x", BIG, "\" }", &len);
    expect_errors("1 MB string", buf, len);
    {
        /* The longest string allowed is 65535 bytes. */
        size_t o = (size_t)snprintf(buf, BIG, "rule a { family x when true propose \"");
        memset(buf + o, 'x', 65535);
        o += 65535;
        o += (size_t)snprintf(buf + o, BIG - o, "\" }");
        TAP_INT(parse(buf, o, &ok), 0, "a string of 65535 bytes is accepted");
        memmove(buf + o - 2, buf + o - 3, 3);
        buf[o - 3] = 'x';
        expect_errors("a string of 65536 bytes", buf, o + 1);
    }
    repeat(buf, "rule ", "a", BIG, " { }", &len);
    expect_errors("1 MB rule name", buf, len);
    repeat(buf, "# ", "comment ", BIG, "\n", &len);
    expect_errors("1 MB comment and no rule", buf, len);
    repeat(buf, "", "@", BIG, "", &len);
    expect_errors("1 MB of stray characters (error cap)", buf, len);
    repeat(buf, "", "rule a { family x when true propose \"p\" }\n", BIG, "", &len);
    expect_errors("24000 rules of the same name (error cap)", buf, len);
    repeat(buf, "rule a { family x when true propose \"", "{{", 4000, "\" }", &len);
    expect_errors("template with too many parts", buf, len);
    repeat(buf, "rule a { family x when true propose \"p\" sku ", "\"s\", ", 200, "\"s\" }", &len);
    expect_errors("more than 16 SKUs", buf, len);
    {
        /* 40 distinct facts in one condition: over the "why" limit. */
        static const char *const names[] = { "used", "capacity", "free", "cache", "max_capacity",
                                             "days_to_full", "age_days", "history_days" };
        size_t o = (size_t)snprintf(buf, BIG, "rule a { family x when true");
        for (int i = 0; i < 40; i++)
            o += (size_t)snprintf(buf + o, BIG - o, " and max_used(%dd) >= %s", i + 1,
                                  names[0]);
        o += (size_t)snprintf(buf + o, BIG - o, " propose \"p\" }");
        expect_errors("40 distinct facts in one condition", buf, o);
        (void)names;
    }

    /* Every truncation of the default rules, and byte flips in it. */
    {
        const char *top = getenv("TOP");
        char path[1024];
        size_t dlen;
        snprintf(path, sizeof path, "%s/rules/default.rules", top ? top : ".");
        char *def = hr_read_file(path, BIG, &dlen);
        TAP_OK(def != NULL, "read default.rules");
        if (def) {
            int crashed_not = 1;
            for (size_t cut = 0; cut < dlen; cut += 3)
                if (parse(def, cut, &ok) < 0 || !ok)
                    crashed_not = 0;
            TAP_OK(crashed_not, "every truncation of default.rules parses or errs cleanly");
            bad = 0;
            for (int i = 0; i < 500; i++) {
                memcpy(buf, def, dlen);
                for (int k = 0; k < 4; k++)
                    buf[rnd() % dlen] = (char)rnd();
                if (parse(buf, dlen, &ok) < 0 || !ok)
                    bad++;
            }
            TAP_INT(bad, 0, "500 mutants of default.rules: parse or err cleanly");
            free(def);
        }
    }
    free(buf);
}

/* Absurd facts (as a corrupt database could hold) through the default
 * rules: no crash, no undefined arithmetic (UBSan), no NaN in the text. */
static void hostile_facts(void)
{
    const char *top = getenv("TOP");
    char path[1024], why[2048];
    struct hr_ruleset *rs = NULL;
    struct hr_sample h[6];
    int bad = 0;

    snprintf(path, sizeof path, "%s/rules/default.rules", top ? top : ".");
    if (hr_rules_load(path, &rs, NULL) != 0) {
        TAP_OK(0, "load default.rules");
        return;
    }
    static const int64_t times[] = { INT64_MIN, -1, 0, 1, INT64_MAX, 1800000000 };
    static const double nums[] = { NAN, INFINITY, -INFINITY, -1, 0, 1e300 };
    for (int a = 0; a < 6; a++) {
        for (int b = 0; b < 6; b++) {
            struct hr_facts f;
            struct hr_evalctx ctx;
            hr_facts_init(&f, times[(a + b) % 6]);
            f.capacity = nums[a];
            f.used = nums[b];
            f.peak = nums[(a + 1) % 6];
            f.rated_load = nums[(b + 2) % 6];
            f.sale_date = times[a];
            f.firmware_release_date = times[b];
            f.firmware = "1";
            f.latest_firmware = b % 2 ? "1" : "2";
            for (int k = 0; k < 6; k++) {
                h[k].t = times[(k + a) % 6];
                h[k].capacity = nums[(k + b) % 6];
                h[k].used = nums[(k + a) % 6];
                h[k].peak = nums[k];
                h[k].rate_avg = nums[(k + 3) % 6];
            }
            f.hist = h;
            f.n_hist = 6;
            hr_eval_begin(&ctx, &f);
            for (size_t i = 0; i < hr_ruleset_count(rs); i++) {
                const struct hr_rule *r = hr_ruleset_rule(rs, i);
                struct hr_rule_result res;
                struct hr_flap_state st = { 0, times[b] };
                hr_rule_eval(r, &ctx, &res);
                hr_rule_why_format(&res, why, sizeof why);
                hr_rule_decide(r, &res, &st, f.now, &st, NULL);
                char *text = hr_rule_proposal(r, &ctx);
                if (!text || strstr(text, "nan") || strstr(why, "nan"))
                    bad++;
                free(text);
            }
        }
    }
    TAP_INT(bad, 0, "36 devices of absurd facts: evaluated, no NaN in texts");
    hr_ruleset_free(rs);
}

static void corpus(void)
{
    const char *top = getenv("TOP");
    char dir[1024];
    DIR *d;
    struct dirent *de;
    int n = 0;

    snprintf(dir, sizeof dir, "%s/rules/fuzz/corpus", top ? top : ".");
    d = opendir(dir);
    TAP_OK(d != NULL, "open %s", dir);
    if (!d)
        return;
    while ((de = readdir(d))) {
        char path[2048];
        size_t len;
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        char *buf = hr_read_file(path, BIG, &len);
        if (!buf)
            continue;
        LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
        free(buf);
        n++;
    }
    closedir(d);
    TAP_OK(n >= 8, "replayed %d corpus files through the fuzz harness", n);
}

int main(void)
{
    hostile();
    hostile_facts();
    corpus();
    return TAP_DONE();
}
