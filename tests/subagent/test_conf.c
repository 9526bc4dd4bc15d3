/* Unit tests for common/hr_conf.c and headroomd's schema (subagent/config.c):
 * a good file, and each kind of bad line reported as FILE:LINE. */
#include "hr_conf.h"
#include "hr_util.h"
#include "../../subagent/config.h"
#include "../tap.h"

#include <stdlib.h>
#include <unistd.h>

static const struct hr_conf_key keys[] = {
    { "window", HR_CONF_UINT, HR_CONF_GLOBAL, 1, 86400 },
    { "reset-time", HR_CONF_TIMEOFDAY, HR_CONF_GLOBAL, 0, 0 },
    { "flag", HR_CONF_BOOL, HR_CONF_GLOBAL, 0, 1 },
    { "name", HR_CONF_STRING, HR_CONF_GLOBAL | HR_CONF_SECTION, 0, 8 },
    { "size", HR_CONF_SIZE, HR_CONF_SECTION, 0, UINT64_MAX },
    { "date", HR_CONF_DATE, HR_CONF_SECTION, 0, 0 },
};
static const char *const types[] = { "device", NULL };
static const struct hr_conf_schema schema = { keys, HR_ARRAY_LEN(keys), types };

static void good(void)
{
    static const char text[] =
        "# a comment\n"
        "   \n"
        "window 60   # trailing comment\n"
        "reset-time 6:30\r\n"
        "flag yes\n"
        "name \"a \\\"b\\\" \\\\\"  # quoted\n"
        "[device *]\n"
        "name default\n"
        "[ device \"SER 1\" ]\n"
        "name x#y\n"
        "size 8GiB\n"
        "date 2024-02-29\n";
    char *errs = NULL;
    struct hr_conf *c = hr_conf_parse("good.conf", text, sizeof text - 1, &schema, &errs);
    const struct hr_conf_section *g, *s, *w;
    const struct hr_conf_item *it;

    TAP_OK(c != NULL, "good file parses (%s)", errs ? errs : "");
    free(errs);
    if (!c)
        return;
    TAP_INT(c->nsections, 3, "global + two sections");
    g = hr_conf_section_find(c, NULL, NULL);
    it = hr_conf_item_find(g, "window");
    TAP_INT(it ? it->num : 0, 60, "window 60, comment stripped");
    TAP_INT(it ? it->line : 0, 3, "line numbers kept");
    it = hr_conf_item_find(g, "reset-time");
    TAP_INT(it ? it->num : 0, 390, "6:30 is 390 minutes (CRLF line)");
    it = hr_conf_item_find(g, "flag");
    TAP_INT(it ? it->num : 9, 1, "bool yes");
    it = hr_conf_item_find(g, "name");
    TAP_STR(it ? it->value : NULL, "a \"b\" \\", "quoted value with escapes");
    w = hr_conf_section_find(c, "device", "*");
    TAP_STR(hr_conf_item_find(w, "name") ? hr_conf_item_find(w, "name")->value : NULL, "default",
            "wildcard section");
    s = hr_conf_section_find(c, "device", "SER 1");
    TAP_OK(s != NULL, "quoted section name");
    it = hr_conf_item_find(s, "name");
    TAP_STR(it ? it->value : NULL, "x#y", "'#' inside a word is not a comment");
    it = hr_conf_item_find(s, "size");
    TAP_OK(it && it->num == 8589934592ULL, "size 8GiB");
    it = hr_conf_item_find(s, "date");
    TAP_INT(it ? it->num : 0, 20240229, "date 2024-02-29");
    TAP_OK(hr_conf_item_find(s, "nothing") == NULL, "absent key is absent");
    hr_conf_free(c);
}

/* TEXT must fail with exactly WANT among its errors. */
static void bad(const char *text, const char *want, const char *what)
{
    char *errs = NULL;
    struct hr_conf *c = hr_conf_parse("bad.conf", text, strlen(text), &schema, &errs);

    TAP_OK(c == NULL && errs && strstr(errs, want), "%s -> %s", what, want);
    if (errs && !strstr(errs, want))
        printf("#   got: %s", errs);
    hr_conf_free(c);
    free(errs);
}

static void bads(void)
{
    bad("window 60\nbogus 1\n", "bad.conf:2: unknown key 'bogus'", "unknown key");
    bad("window sixty\n", "bad.conf:1: window: 'sixty' is not a whole number from 1 to 86400",
        "bad number");
    bad("window 0\n", "bad.conf:1: window:", "number below range");
    bad("window 86401\n", "bad.conf:1: window:", "number above range");
    bad("\n\nname \"abc\n", "bad.conf:3: unterminated quoted string", "unterminated quote");
    bad("name \"a\\nb\"\n", "bad.conf:1: unknown escape '\\n'", "unknown escape");
    bad("name \"a\" junk\n", "bad.conf:1: unexpected text after the closing quote", "text after quote");
    bad("size 1G\n", "bad.conf:1: key 'size' is not allowed outside a section", "key outside section");
    bad("[device x]\nwindow 5\n", "bad.conf:2: key 'window' is not allowed inside a section",
        "global key inside section");
    bad("[disk x]\n", "bad.conf:1: unknown section type 'disk'", "unknown section");
    bad("[device x\n", "bad.conf:1: section header without ']'", "unclosed header");
    bad("[device x]\n[device x]\n", "bad.conf:2: section [device x] already defined at line 1",
        "duplicate section");
    bad("window 5\nwindow 6\n", "bad.conf:2: duplicate key 'window' (first at line 1)", "duplicate key");
    bad("name\n", "bad.conf:1: key 'name' needs a value", "missing value");
    bad("name 123456789\n", "bad.conf:1: name: value too long (9 bytes, at most 8)", "too long");
    bad("name caf\xe9\n", "bad.conf:1: name: value is not printable UTF-8", "latin-1 byte");
    bad("reset-time 24:00\n", "bad.conf:1: reset-time: '24:00' is not a time of day", "bad time");
    bad("[device a]\ndate 2023-02-29\n", "bad.conf:2: date: '2023-02-29' is not a date", "bad date");
    bad("flag maybe\n", "bad.conf:1: flag: 'maybe' is not yes or no", "bad bool");
    bad("[device a]\nsize 3 parsecs\n", "bad.conf:2: size:", "bad size");
    bad("= 5\n", "bad.conf:1: expected 'key value'", "junk line");
    {
        static const char nul[] = "window 5\nname a\0b\n";
        char *errs = NULL;
        struct hr_conf *c = hr_conf_parse("bad.conf", nul, sizeof nul - 1, &schema, &errs);
        TAP_OK(!c && errs && strstr(errs, "bad.conf:2: NUL byte"), "NUL byte -> bad.conf:2");
        free(errs);
        hr_conf_free(c);
    }
    {
        /* every error is reported, not just the first */
        char *errs = NULL;
        struct hr_conf *c = hr_conf_parse("bad.conf", "bogus 1\nwindow x\n", 17, &schema, &errs);
        TAP_OK(!c && errs && strstr(errs, "bad.conf:1:") && strstr(errs, "bad.conf:2:"),
               "all errors reported");
        free(errs);
        hr_conf_free(c);
    }
}

static void headroomd_schema(void)
{
    char dir[] = "/tmp/hrconfXXXXXX", path[256];
    struct hdrm_config cfg;
    char *errs = NULL;
    static const char text[] =
        "window 2\nreset-time 23:15\nstate-dir /tmp/x\ncache-timeout 1\n"
        "agentx-ping-interval 1\nignore-devices loop* sr*\n"
        "[device *]\ncustomer-id ACME-0001\nprice \"48000.00 EUR\"\n"
        "[device S3Z9]\ncustomer-id OTHER\ncache-size 8GiB\nsale-date 2024-03-01\n";

    TAP_OK(mkdtemp(dir) != NULL, "temp dir");
    snprintf(path, sizeof path, "%s/headroomd.conf", dir);
    TAP_INT(hdrm_config_load(&cfg, NULL, &errs), 0, "defaults without a file");
    TAP_INT(cfg.window, 60, "default window 60");
    TAP_INT(cfg.nignore, 3, "default ignore list loop* ram* zram*");
    hdrm_config_free(&cfg);
    TAP_INT(hdrm_config_load(&cfg, path, &errs), -1, "missing -c file is an error");
    TAP_OK(errs && strstr(errs, "No such file"), "and says so");
    free(errs);
    TAP_INT(hr_write_file_atomic(path, text, sizeof text - 1, 0644), 0, "write config");
    TAP_INT(hdrm_config_load(&cfg, path, &errs), 0, "headroomd.conf parses (%s)", errs ? errs : "");
    free(errs);
    TAP_INT(cfg.window, 2, "window 2");
    TAP_INT(cfg.reset_min, 23 * 60 + 15, "reset 23:15");
    TAP_STR(cfg.state_dir, "/tmp/x", "state dir");
    TAP_INT(cfg.nignore, 2, "ignore list replaced");
    const struct hr_conf_item *it = hdrm_config_dev(&cfg, "S3Z9", "customer-id");
    TAP_STR(it ? it->value : NULL, "OTHER", "per-serial value wins over the wildcard");
    it = hdrm_config_dev(&cfg, "S3Z9", "price");
    TAP_STR(it ? it->value : NULL, "48000.00 EUR", "wildcard fills what the serial lacks");
    it = hdrm_config_dev(&cfg, "name:sdz", "customer-id");
    TAP_STR(it ? it->value : NULL, "ACME-0001", "other devices get the wildcard");
    TAP_OK(hdrm_config_dev(&cfg, "name:sdz", "model-number") == NULL, "unset stays unset");
    hdrm_config_free(&cfg);

    static const char badtext[] = "window 2\n[device X]\nprice \"123456789012345678901234567890123\"\n";
    TAP_INT(hr_write_file_atomic(path, badtext, sizeof badtext - 1, 0644), 0, "write bad config");
    TAP_INT(hdrm_config_load(&cfg, path, &errs), -1, "bad headroomd.conf refused");
    char want[300];
    snprintf(want, sizeof want, "%s:3: price: value too long", path);
    TAP_OK(errs && strstr(errs, want), "price longer than the MIB's 32 bytes -> FILE:3");
    free(errs);
    unlink(path);
    rmdir(dir);
}

/* Mutate a good file byte by byte (fixed seed): the parser must never
 * crash, leak or accept a file with a NUL; run under ASan by check-asan. */
static void mutations(void)
{
    static const char base[] =
        "window 60\nreset-time 6:30\nname \"a \\\"b\\\" x\"\n[device *]\nname d\n"
        "[device \"S 1\"]\nsize 8GiB\ndate 2024-02-29\n";
    static const char alphabet[] = "\"\\[]# \t\n\r\0\xff\xc3:-*az09";
    char buf[sizeof base + 8];
    unsigned seed = 12345, parsed = 0, refused = 0;

    for (int i = 0; i < 20000; i++) {
        size_t len = sizeof base - 1;
        memcpy(buf, base, len);
        for (int k = 0; k < 1 + i % 4; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t pos = (seed >> 8) % len;
            seed = seed * 1103515245u + 12345u;
            buf[pos] = alphabet[(seed >> 8) % (sizeof alphabet - 1)];
        }
        if (i % 7 == 0)
            len = (seed >> 4) % len;        /* truncated file */
        char *errs = NULL;
        struct hr_conf *c = hr_conf_parse("m.conf", buf, len, &schema, &errs);
        if (c) {
            parsed++;
            if (memchr(buf, '\0', len))
                TAP_OK(0, "mutation %d with a NUL was accepted", i);
        } else {
            refused++;
            if (!errs || strncmp(errs, "m.conf:", 7) != 0)
                TAP_OK(0, "mutation %d refused without a FILE:LINE message", i);
        }
        hr_conf_free(c);
        free(errs);
    }
    TAP_OK(parsed > 0 && refused > 0, "20000 mutated files: %u parsed, %u refused, no crash",
           parsed, refused);
}

int main(void)
{
    good();
    mutations();
    bads();
    headroomd_schema();
    return TAP_DONE();
}
