/* The rule language: every operator and unit evaluates as documented, and
 * every kind of error gives its exact "file:line:col: message near 'token'"
 * (rules/lexer.c, parser.c, eval.c). */
#include "../../rules/lang.h"
#include "../tap.h"

#include <math.h>
#include <stdlib.h>

#define NOW 1800000000LL

/* Parse SRC; return the error text ("" when it parsed). */
static char *errors_of(const char *src)
{
    static char buf[4096];
    struct hr_ruleset *rs = NULL;
    char *e = NULL;
    int rc = hr_rules_parse("t.rules", src, strlen(src), &rs, &e);
    snprintf(buf, sizeof buf, "%s", rc == 0 ? "" : e ? e : "(no text)");
    /* one message: drop the newline for readable comparisons */
    size_t l = strlen(buf);
    if (l && buf[l - 1] == '\n')
        buf[l - 1] = '\0';
    free(e);
    hr_ruleset_free(rs);
    return buf;
}

/* Wrap COND in a rule and evaluate it on F; -2 if it did not parse. */
static int cond_on(const char *cond, const struct hr_facts *f)
{
    char src[2048];
    struct hr_ruleset *rs = NULL;
    char *e = NULL;
    struct hr_evalctx ctx;
    struct hr_rule_result res;

    snprintf(src, sizeof src, "rule t {\n family x\n when %s\n propose \"p\"\n}\n", cond);
    if (hr_rules_parse("t.rules", src, strlen(src), &rs, &e) != 0) {
        printf("# %s", e ? e : "?\n");
        free(e);
        return -2;
    }
    hr_eval_begin(&ctx, f);
    hr_rule_eval(hr_ruleset_rule(rs, 0), &ctx, &res);
    hr_ruleset_free(rs);
    return res.when;
}

static struct hr_facts F;

#define TRUE_(c) TAP_INT(cond_on(c, &F), HR_TRUE, "true: %s", c)
#define FALSE_(c) TAP_INT(cond_on(c, &F), HR_FALSE, "false: %s", c)
#define UNKNOWN_(c) TAP_INT(cond_on(c, &F), HR_UNKNOWN, "unknown: %s", c)
#define ERR(src, want) TAP_STR(errors_of(src), want, "error: %.*s", (int)strcspn(want, "\n"), want)

/* An error inside a condition, at line 3 of the wrapper. */
static char *cond_err(const char *cond)
{
    char src[2048];
    snprintf(src, sizeof src, "rule t {\n family x\n when %s\n propose \"p\"\n}\n", cond);
    return errors_of(src);
}
#define CERR(cond, want) TAP_STR(cond_err(cond), want, "error in '%s'", cond)

static void operators(void)
{
    TRUE_("1 + 2 * 3 == 7");
    TRUE_("(1 + 2) * 3 == 9");
    TRUE_("10 - 4 - 3 == 3");
    TRUE_("12 / 4 / 3 == 1");
    TRUE_("-3 + 5 == 2");
    TRUE_("- -3 == 3");
    TRUE_("1 < 2");
    FALSE_("2 < 2");
    TRUE_("2 <= 2");
    TRUE_("3 > 2");
    TRUE_("2 >= 2");
    FALSE_("2 != 2");
    TRUE_("true and not false");
    TRUE_("false or true");
    FALSE_("false or false");
    TRUE_("not (1 > 2) and (2 > 1 or false)");
    TRUE_("not not true");
    TRUE_("true == (not false)");
    TRUE_("\"a\" != \"b\"");
    TRUE_("\"x\" == \"x\"");
    TRUE_("1 / 0 == 1 or true");        /* division by zero is unknown, 'or' true wins */
    UNKNOWN_("1 / 0 == 1");
}

static void units(void)
{
    TRUE_("80% == 80%");
    TRUE_("12h == 0.5d");
    TRUE_("30min * 48 == 1d");
    TRUE_("86400s == 1d");
    TRUE_("2w == 14d");
    TRUE_("1y == 365d");
    TRUE_("1KiB == 1024B");
    TRUE_("1TiB == 1024GiB");
    TRUE_("1PiB == 1024TiB");
    TRUE_("1MiB == 1024KiB");
    TRUE_("1KB == 1000B and 1MB == 1000KB and 1GB == 1000MB");
    TRUE_("1TB == 1000GB and 1PB == 1000TB");
    TRUE_("4TiB * 50% == 2TiB");          /* a percentage scales bytes */
    TRUE_("50% * 4TiB == 2TiB");
    TRUE_("500GB / 1d * 2d == 1TB");      /* bytes/day x days = bytes */
    TRUE_("1TB / (100GB / 1d) == 10d");   /* bytes / bytes-per-day = days */
    TRUE_("1TB / 100GB == 10");           /* same unit: a ratio */
    TRUE_("1TB / 50% == 2TB");
    TRUE_("50% * 2 == 100%");
    TRUE_("0 < 1TB and 0 < 80% and 0 < 1d");  /* a plain 0 compares with any unit */
}

static void facts(void)
{
    static struct hr_sample h[10];
    hr_facts_init(&F, NOW);
    TRUE_("used > 1B or true");
    UNKNOWN_("used > 1B");
    FALSE_("used > 1B and false");
    UNKNOWN_("not (used > 1B)");
    UNKNOWN_("firmware == \"1.0\"");
    UNKNOWN_("newer_firmware_exists");
    UNKNOWN_("days_to_full < 90d");
    UNKNOWN_("max_peak(30d) > 0");                  /* no history */
    F.capacity = 4e12;
    F.used = 3e12;
    F.firmware = "1.0";
    F.latest_firmware = "1.2";
    F.model = "FS-2000";
    F.peak = 800;
    F.rated_load = 1000;
    F.sale_date = NOW - 400 * 86400;
    F.firmware_release_date = NOW - 500 * 86400;
    for (int i = 0; i < 10; i++) {
        h[i].t = NOW - (9 - i) * 86400;
        h[i].capacity = 4e12;
        h[i].used = 3e12 - (9 - i) * 1e10;
        h[i].peak = 100 * (i + 1);
        h[i].rate_avg = i == 9 ? NAN : 5;
    }
    F.hist = h;
    F.n_hist = 10;
    TRUE_("used_percent == 75%");
    TRUE_("free == 1TB");
    TRUE_("used >= capacity * 75% and used < capacity * 76%");
    TRUE_("load_percent == 80%");
    TRUE_("firmware != latest_firmware and newer_firmware_exists");
    TRUE_("model == \"FS-2000\"");
    UNKNOWN_("device == \"x\"");
    F.serial = "S1";
    TRUE_("device == \"S1\"");        /* no name: the serial */
    F.name = "nas1";
    TRUE_("device == \"nas1\" and serial == \"S1\"");
    TRUE_("age_days == 400d and days_since_firmware_release == 500d");
    TRUE_("days_to_full == 100d");                  /* 1 TB free at 10 GB/day */
    TRUE_("growth_per_day == 10GB / 1d");
    TRUE_("forecast_points == 10 and forecast_r2 > 0.999");
    TRUE_("max_peak(30d) == 1000 and max_peak(3d) == 1000");
    TRUE_("avg_peak(2d) == 950");                   /* the last 2 days: 900, 1000 */
    TRUE_("max_used(30d) == 3TB and min_used(3d) == 2.98TB");
    TRUE_("max_used_percent(30d) == 75%");
    TRUE_("growth(5d) == 50GB and growth_per_day(5d) == 10GB / 1d");
    TRUE_("trend_days_to_full(5d) == 100d");
    TRUE_("samples(3d) == 3 and samples(30d) == 10");
    TRUE_("avg_rate(30d) == 5 and max_rate(30d) == 5");  /* the unknown day is skipped */
    TRUE_("history_days == 9d");
    TRUE_("samples(1s) == 1");                      /* the sample at NOW */
}

static void errors(void)
{
    ERR("", "t.rules:1:1: no rule in file near end of file");
    ERR("# only a comment\n", "t.rules:2:1: no rule in file near end of file");
    ERR("frobnicate", "t.rules:1:1: expected 'rule' near 'frobnicate'");
    ERR("rule {", "t.rules:1:6: expected a rule name after 'rule' near '{'");
    ERR("rule a family", "t.rules:1:8: expected '{' after the rule name near 'family'\n"
        "t.rules:1:14: expected a family name such as capacity, load or firmware near end of file\n"
        "t.rules:1:6: rule is not closed with '}' near 'a'\n"
        "t.rules:1:6: rule has no 'when' condition near 'a'\n"
        "t.rules:1:6: rule has no 'propose' text near 'a'");
    ERR("rule a { family x when true propose \"p\"",
        "t.rules:1:6: rule is not closed with '}' near 'a'");
    ERR("rule a { family x when true propose \"p\" rule b { }",
        "t.rules:1:41: missing '}' before the next rule near 'rule'\n"
        "t.rules:1:46: rule has no 'when' condition near 'b'\n"
        "t.rules:1:46: rule has no 'propose' text near 'b'\n"
        "t.rules:1:46: rule has no 'family' (capacity, load, firmware ...) near 'b'");
    ERR("rule a { family x when true propose \"p\" }\nrule a { family x when true propose \"p\" }",
        "t.rules:2:6: a rule of this name is already defined near 'a'");
    ERR("rule a { family x family y when true propose \"p\" }",
        "t.rules:1:19: property given twice in one rule near 'family'");
    ERR("rule a { family x severity huge when true propose \"p\" }",
        "t.rules:1:28: unknown severity (info, notice, warning or critical) near 'huge'");
    ERR("rule a { family x when true propose \"p\" frob }",
        "t.rules:1:41: expected a property (family, severity, when, rearm, cooldown, propose, "
        "subject, sku) or '}' near 'frob'");
    ERR("rule a { family x when true propose 42 }",
        "t.rules:1:37: expected a proposal template in double quotes near '42'");
    ERR("rule a { family x when true propose \"p\" cooldown 14 }",
        "t.rules:1:50: cooldown must be a constant duration from 0 to 3650d, such as 14d near '14'");
    ERR("rule a { family x when true propose \"p\" cooldown used }",
        "t.rules:1:50: cooldown must be a constant duration from 0 to 3650d, such as 14d near 'used'");
    ERR("rule a { family x when true propose \"{modle} is full\" }",
        "t.rules:1:38: unknown variable in template near '{modle}'");
    ERR("rule a { family x when true propose \"a {serial\" }",
        "t.rules:1:40: unterminated '{' in template (write '{{' for a brace) near '{serial'");
    ERR("rule a { family x when true propose \"\\\"q\\\" {x}\" }",
        "t.rules:1:44: unknown variable in template near '{x}'");
    ERR("rule a { family x when true propose \"a } b\" }",
        "t.rules:1:40: unmatched '}' in template (write '}}' for a brace) near '}'");
    ERR("rule a { family x when true propose \"p\" sku \"A\", }",
        "t.rules:1:50: expected a SKU template in double quotes near '}'");
    ERR("rule a { family x when true propose \"unterminated }\n}\n",
        "t.rules:1:37: unterminated string near '\"unterminated }'");
    ERR("rule a { family x when true propose \"bad \\q\" }",
        "t.rules:1:42: unknown escape in string (use \\\\, \\\", \\n or \\t) near '\\x5cq'");
    ERR("rule a { family x when true propose \"ctl \x01\" }",
        "t.rules:1:42: control character in string near '\\x01'");
    ERR("rule a { family x when true propose \"latin \xe9\" }",
        "t.rules:1:37: string is not valid UTF-8 near '\"latin \\xe9\"'");
    ERR("rule a-very-long-name-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa { }",
        "t.rules:1:6: name longer than 64 characters near "
        "'a-very-long-name-aaaaaaaaaaaaaaa...'");
    CERR("used_percent >= 80", "t.rules:3:20: cannot compare a percentage with a plain number near '>='");
    CERR("used >= 80%", "t.rules:3:12: cannot compare bytes with a percentage near '>='");
    CERR("used + 1d > 0", "t.rules:3:12: cannot add bytes and a duration near '+'");
    CERR("used - 1% > 0", "t.rules:3:12: cannot subtract bytes and a percentage near '-'");
    CERR("used * used > 0", "t.rules:3:12: cannot multiply bytes by bytes near '*'");
    CERR("1d / used > 0", "t.rules:3:10: cannot divide a duration by bytes near '/'");
    CERR("firmware < \"2\"", "t.rules:3:16: a string can only be compared with == or != near '<'");
    CERR("firmware == 2", "t.rules:3:16: cannot compare a string with a plain number near '=='");
    CERR("used and true",
         "t.rules:3:12: 'and' needs true/false on both sides, not bytes and true/false near 'and'");
    CERR("true or 1", "t.rules:3:12: 'or' needs true/false on both sides, not true/false and a plain number near 'or'");
    CERR("not used", "t.rules:3:7: 'not' needs true/false, not bytes near 'not'");
    CERR("-firmware == 1", "t.rules:3:7: '-' needs a number, not a string near '-'");
    CERR("used", "t.rules:3:7: 'when' needs a true/false condition, not bytes near 'used'");
    CERR("1 < 2 < 3", "t.rules:3:13: comparisons cannot be chained; use 'and' near '<'");
    CERR("(1 < 2", "t.rules:3:7: unclosed '(' near '('");
    CERR("(1 < 2 3)", "t.rules:3:14: expected ')' near '3'");
    CERR("used >=", "t.rules:4:2: expected a value (number, string, fact, function or '(') near 'propose'");
    CERR("usde > 0", "t.rules:3:7: unknown fact (see docs/rules.md for the list) near 'usde'");
    CERR("frob(3d) > 0", "t.rules:3:7: unknown function 'frob' near 'frob'");
    CERR("used(3d) > 0", "t.rules:3:7: 'used' is a fact, not a function near 'used'");
    CERR("max_peak > 0", "t.rules:3:7: max_peak is a function of a window: write max_peak(30d) near 'max_peak'");
    CERR("max_peak(30) > 0",
         "t.rules:3:16: the window of max_peak() must be a constant duration from 1s to 3660d, "
         "such as 30d near '30'");
    CERR("max_peak(used) > 0",
         "t.rules:3:16: the window of max_peak() must be a constant duration from 1s to 3660d, "
         "such as 30d near 'used'");
    CERR("max_peak(9999d) > 0",
         "t.rules:3:16: the window of max_peak() must be a constant duration from 1s to 3660d, "
         "such as 30d near '9999d'");
    CERR("max_peak(30d > 0", "t.rules:4:2: expected ')' after the window of a function near 'propose'");
    CERR("used > 4XB", "t.rules:3:14: unknown unit (use %, B, KB, MB, GB, TB, PB, KiB, MiB, GiB, "
         "TiB, PiB, s, min, h, d, w or y) near '4XB'");
    CERR("used > 12.", "t.rules:3:14: malformed number (digits must follow '.') near '12.'");
    CERR("used > 1000000000000000000000000000000000000000B",
         "t.rules:3:14: number out of range near '10000000000000000000000000000000...'");
    CERR("1 = 1", "t.rules:3:9: unexpected '=' (comparison is '==') near '='");
    CERR("!true", "t.rules:3:7: unexpected '!' (negation is 'not') near '!'");
    CERR("1 @ 1", "t.rules:3:9: unexpected character near '@'");
}

static void limits(void)
{
    char cond[1024];
    size_t o = 0;

    for (int i = 0; i < 70; i++)
        cond[o++] = '(';
    o += (size_t)snprintf(cond + o, sizeof cond - o, "true");
    for (int i = 0; i < 70; i++)
        cond[o++] = ')';
    cond[o] = '\0';
    CERR(cond, "t.rules:3:71: expression nested deeper than 64 levels near '('");
    o = (size_t)snprintf(cond, sizeof cond, "1");
    for (int i = 0; i < 70; i++)
        o += (size_t)snprintf(cond + o, sizeof cond - o, " + 1");
    snprintf(cond + o, sizeof cond - o, " > 0");
    CERR(cond, "t.rules:3:261: expression nested deeper than 64 levels near '+'");
    /* 64 nested levels are fine. */
    o = 0;
    for (int i = 0; i < 30; i++)
        cond[o++] = '(';
    o += (size_t)snprintf(cond + o, sizeof cond - o, "true");
    for (int i = 0; i < 30; i++)
        cond[o++] = ')';
    cond[o] = '\0';
    TRUE_(cond);
}

int main(void)
{
    hr_facts_init(&F, NOW);
    operators();
    units();
    facts();
    errors();
    limits();
    return TAP_DONE();
}
