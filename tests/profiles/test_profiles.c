/* test_profiles.c: the profile format (profiles/parse.c), the profile set
 * (profiles/set.c), placeholder serials, and the fuzz corpus replayed
 * through the libFuzzer harness (tests/profiles/fuzz_profiles.c). */
#include "../tap.h"
#include "profile.h"
#include "hr_util.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct hr_profile *parse(const char *text, char **errs)
{
    return hr_profile_parse("t.profile", text, strlen(text), errs);
}

/* The first error line of TEXT, or "" when it parses. */
static char err1[512];
static const char *first_error(const char *text)
{
    char *errs = NULL;
    struct hr_profile *p = parse(text, &errs);

    err1[0] = '\0';
    if (p) {
        hr_profile_free(p);
        return err1;
    }
    if (errs) {
        size_t n = strcspn(errs, "\n");
        if (n >= sizeof err1)
            n = sizeof err1 - 1;
        memcpy(err1, errs, n);
        err1[n] = '\0';
    }
    free(errs);
    return err1;
}

static void test_good(void)
{
    const char *text =
        "# a comment\n"
        "profile nas-x \"NAS X \\\"quoted\\\"\"   # trailing comment\n"
        "uses host-resources ucd-diskio\n"
        "priority 70\n"
        "detect sysobjectid .1.3.6.1.4.1.8072.3.2.10 1.3.6.1.4.1.99\n"
        "detect exists .1.3.6.1.4.1.6574.1.5.1.0 type string\n"
        "detect not exists .1.3.6.1.4.1.50536.1.1 type counter64\n"
        "detect sysdescr \"^Linux .*synology\"\n"
        "serial .1.3.6.1.4.1.6574.1.5.2.0\n"
        "vendor \"Synology\"\n"
        "model .1.3.6.1.2.1.47.1.1.1.1.13 where .1.3.6.1.2.1.47.1.1.1.1.5 = 3 regex \"^(DS[0-9]+)\"\n"
        "firmware .1.3.6.1.2.1.1.1.0 regex \"DSM ([0-9.]+)\"\n"
        "volumes .1.3.6.1.4.1.6574.3.1.1 {\n"
        "    name 2\n"
        "    type 3 in 1 2 .1.3.6.1.2.1.25.2.1.4\n"
        "    size 5:6 kib\n"
        "    free 4 text gib\n"
        "    exclude name \"^tmp\"\n"
        "    include name \"^vol\"\n"
        "}\n"
        "writes .1.3.6.1.4.1.2021.13.15.1.1 {\n"
        "    name 2\n"
        "    count 6\n"
        "}\n"
        "volumes .1.3.6.1.2.1.25.2.3.1 {\n"
        "  unit 4\n  size 5 units\n  used 6 units\n  }\n";
    char *errs = NULL;
    struct hr_profile *p = parse(text, &errs);
    char buf[256];

    TAP_OK(p != NULL, "a profile using every statement parses");
    if (!p) {
        printf("# %s", errs ? errs : "(no message)\n");
        free(errs);
        return;
    }
    TAP_STR(p->name, "nas-x", "name");
    TAP_STR(p->description, "NAS X \"quoted\"", "description with escapes");
    TAP_INT(p->nuses, 2, "two uses");
    TAP_STR(p->uses[1], "ucd-diskio", "... in order");
    TAP_INT(p->priority, 70, "priority");
    TAP_INT(p->ndetects, 4, "four detect lines");
    TAP_INT(p->detects[0].noids, 2, "sysobjectid takes several OIDs");
    TAP_STR(hr_prof_oid_format(&p->detects[0].oids[1], buf, sizeof buf), ".1.3.6.1.4.1.99",
            "an OID without the leading dot");
    TAP_INT(p->detects[1].type, HR_VT_STRING, "exists ... type string");
    TAP_INT(p->detects[2].kind, HR_PD_NOT_EXISTS, "not exists");
    TAP_INT(p->detects[2].type, HR_VT_COUNTER64, "... type counter64");
    TAP_INT(regexec(&p->detects[3].re, "LINUX box SYNOLOGY", 0, NULL, 0), 0,
            "sysdescr regex is case-insensitive");
    TAP_STR(p->src[HR_PF_VENDOR].constant, "Synology", "a constant vendor");
    TAP_OK(p->src[HR_PF_MODEL].where, "model: where");
    TAP_STR(p->src[HR_PF_MODEL].where_value, "3", "... = 3");
    TAP_STR(p->src[HR_PF_MODEL].pattern, "^(DS[0-9]+)", "... regex");
    TAP_OK(!p->src[HR_PF_MODEL_NUMBER].set, "model-number not given");
    TAP_INT(p->ntables, 3, "three tables");
    TAP_INT(p->tables[0].size.col, 5, "size high half");
    TAP_INT(p->tables[0].size.col_lo, 6, "size low half");
    TAP_INT(p->tables[0].size.scale, HR_PS_KIB, "size in KiB");
    TAP_OK(p->tables[0].free.text && p->tables[0].free.scale == HR_PS_GIB, "free: text gib");
    TAP_INT(p->tables[0].ntype_in, 3, "three type values");
    TAP_INT(p->tables[0].type_in[0].len, 1, "an integer type value is a 1-arc value");
    TAP_INT(p->tables[0].nfilters, 2, "two filters");
    TAP_OK(p->tables[0].filters[0].exclude && !p->tables[0].filters[1].exclude,
           "exclude, then include");
    TAP_INT(p->tables[1].kind, HR_TAB_WRITES, "a writes table");
    TAP_INT(p->tables[1].count_col, 6, "count column");
    TAP_INT(p->tables[2].used.scale, HR_PS_UNITS, "used in units");
    hr_profile_free(p);
    hr_profile_free(NULL);
    TAP_OK(first_error("profile x\n")[0] == '\0', "a bare 'profile NAME' parses");
    TAP_OK(first_error("profile x\ndetect sysdescr \"^(DS|RS)[0-9]{3,4}(\\\\+|xs\\\\+)? []a-z[]+(x|y)*$\"\n")[0]
           == '\0', "an ordinary regular expression with bounds, brackets and escapes parses");
}

static void test_errors(void)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        { "", "t.profile:1:1: no 'profile NAME' line" },
        { "uses a\n", "t.profile:1:1: the first statement is 'profile NAME'" },
        { "profile Bad_Name\n", "t.profile:1:9: 'Bad_Name' is not a profile name" },
        { "profile x\nprofile y\n", "t.profile:2:1: a second 'profile' line" },
        { "profile x\nfrobnicate 1\n", "t.profile:2:1: unknown keyword 'frobnicate'" },
        { "profile x\ndetect sysobjectid 1.3.6.x\n", "t.profile:2:20: '1.3.6.x' is not a numeric OID" },
        { "profile x\ndetect sysobjectid 1.3.6.99999999999\n", "t.profile:2:20: '1.3.6.99999999999': a sub-identifier is larger" },
        { "profile x\ndetect sysobjectid 3.1\n", "t.profile:2:20: '3.1': not a valid OID" },
        { "profile x\ndetect exists 1.3.6 type bogus\n", "t.profile:2:26: 'bogus' is not a type" },
        { "profile x\ndetect sysdescr \"(\"\n", "t.profile:2:17: bad regular expression" },
        { "profile x\ndetect sysdescr \"abc\n", "t.profile:2:17: unterminated string" },
        { "profile x\ndetect frob 1.3\n", "t.profile:2:8: 'frob': detect what?" },
        { "profile x\npriority 1001\n", "t.profile:2:10: priority: '1001' is not a number from 0 to 1000" },
        { "profile x\nserial 1.3.6.1 1.3.6.2\n", "t.profile:2:16: expected 'FIELD" },
        { "profile x\ndetect sysdescr \"a++\"\n", "t.profile:2:17: regular expression \"a++\" is too complex" },
        { "profile x\ndetect sysdescr \"((((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+)+)\"\n", "t.profile:2:17: regular expression" },
        { "profile x\ndetect sysdescr \"(a{100}){100}\"\n", "t.profile:2:17: regular expression \"(a{100}){100}\" is too complex" },
        { "profile x\nserial 1.3.6.1 where 1.3.6.2 =}\n", "t.profile:2:16: expected 'where COLUMN-OID = VALUE'" },
        { "profile x\nmodel 1.3.6.1 map m\n", "t.profile:2:19: no map named 'm' in this profile" },
        { "profile x\nmodel 1.3.6.1 map\n", "t.profile:2:15: expected 'FIELD" },
        { "profile x\nmap m {\n}\n", "t.profile:3:1: map m has no entry" },
        { "profile x\nmap m {\n 1 \"a\"\n 1 \"b\"\n}\n", "t.profile:4:2: '1' is already in map m" },
        { "profile x\nmap m {\n 1 2\n}\n", "t.profile:3:2: a map line is 'VALUE \"TEXT\"'" },
        { "profile x\nmap m {\n 1 \"a\"\n}\nmap m {\n}\n", "t.profile:5:5: map m is already given at line 2" },
        { "profile x\nmap m {\n 1 \"a\"\n", "t.profile:3:1: end of file inside the map opened at line 2" },
        { "profile x\nvolumes 1.3.6.1 {\n size 5\n used 6\n keep all\n}\n", "t.profile:5:7: expected 'keep duplicates'" },
        { "profile x\nvolumes 1.3.6.1 {\n size 5\n used 6\n shared-free name \"(a)(b)\"\n}\n", "t.profile:5:19: at most one capture group (the group's key)" },
        { "profile x\nvolumes 1.3.6.1 {\n size 5\n used 6\n shared-free name \"a\"\n}\n", "t.profile:2:1: shared-free groups rows by name: give 'name COL'" },
        { "profile x\nwrites 1.3.6.1 {\n count 5\n keep duplicates\n}\n", "t.profile:4:2: 'keep' is not a line of a writes block" },
        { "profile x\nserial 1.3.6.1 where 1.3.6.2 3\n", "t.profile:2:16: expected 'where COLUMN-OID = VALUE'" },
        { "profile x\nserial 1.3.6.1 regex \"(a)(b)\"\n", "t.profile:2:22: at most one capture group" },
        { "profile x\nvolumes 1.3.6.1 {\n size 5\n}\n", "t.profile:2:1: a volumes block needs 'used' or 'free'" },
        { "profile x\nvolumes 1.3.6.1 {\n used 5\n}\n", "t.profile:2:1: a volumes block needs 'size'" },
        { "profile x\nvolumes 1.3.6.1 {\n size 5 units\n used 6\n}\n", "t.profile:2:1: a value in 'units' needs a 'unit COL' line" },
        { "profile x\nvolumes 1.3.6.1 {\n size 5 parsecs\n}\n", "t.profile:3:9: 'parsecs' is not a scale" },
        { "profile x\nvolumes 1.3.6.1 {\n size 0\n}\n", "t.profile:3:7: size: '0' is not a number from 1 to 65535" },
        { "profile x\nvolumes 1.3.6.1 {\n count 5\n}\n", "t.profile:3:2: 'count' belongs in a writes block" },
        { "profile x\nwrites 1.3.6.1 {\n name 2\n}\n", "t.profile:2:1: a writes block needs 'count'" },
        { "profile x\nwrites 1.3.6.1 {\n count 2\n include name \"a\"\n}\n", "t.profile:2:1: include/exclude filter on the name: give 'name COL'" },
        { "profile x\nwrites 1.3.6.1 {\n count 2\n", "t.profile:3:1: end of file inside the block opened at line 2" },
        { "profile x\nwrites 1.3.6.1\n", "t.profile:2:1: expected 'writes ENTRY-OID {'" },
        { "profile x\n}\n", "t.profile:2:1: unexpected brace" },
        { "profile x\nvendor \"a\x01b\"\n", "t.profile:2:8: a string must be UTF-8 text without control characters" },
        { "profile x\nvendor caf\xc3\xa9\n", "t.profile:2:11: unexpected character 0xc3" },
        { "profile x\nuses x\n", "t.profile:2:6: a profile cannot use itself" },
    };
    for (size_t i = 0; i < HR_ARRAY_LEN(cases); i++) {
        const char *got;
        got = first_error(cases[i].text);
        TAP_OK(strncmp(got, cases[i].want, strlen(cases[i].want)) == 0, "error %zu: %s", i,
               cases[i].want);
        if (strncmp(got, cases[i].want, strlen(cases[i].want)) != 0)
            printf("#   got \"%s\"\n", got);
    }
}

static void test_nul(void)
{
    const char *want = "t.profile:1:1: a NUL byte";
    char *errs = NULL;
    struct hr_profile *p = hr_profile_parse("t.profile", "profile x\0\n", 11, &errs);

    TAP_OK(!p && errs && strncmp(errs, want, strlen(want)) == 0, "error: a NUL byte");
    if (errs && strncmp(errs, want, strlen(want)) != 0)
        printf("#   got %s", errs);
    hr_profile_free(p);
    free(errs);
}

static void test_all_errors_reported(void)
{
    char *errs = NULL;
    struct hr_profile *p = parse("profile x\nbogus1\nserial 1.x\nbogus2\n", &errs);
    int lines = 0;

    for (const char *s = errs; s && *s; s++)
        lines += *s == '\n';
    TAP_OK(!p && lines == 3, "every error of a file is reported (3 lines)");
    TAP_OK(errs && strstr(errs, "t.profile:4:1:"), "... down to the last line");
    free(errs);

    /* Many bad lines stop at a bound, with a message. */
    char *big = malloc(200 * 8 + 16);
    size_t n = (size_t)sprintf(big, "profile x\n");
    for (int i = 0; i < 200; i++)
        n += (size_t)sprintf(big + n, "bogus%d\n", i % 10);
    p = hr_profile_parse("t.profile", big, n, &errs);
    TAP_OK(!p && errs && strstr(errs, "too many errors"), "200 bad lines: stops with 'too many errors'");
    free(errs);
    free(big);
}

static void test_placeholders(void)
{
    static const char *const bad[] = {
        "", "   ", "\t\r\n", "<private>", "XXXXXX", "xxxxxxxxxx", "SRVTAG", "N/A",
        "Not Specified", "To be filled by O.E.M.", "Default string", "000000000",
        "  0000  ", "1", "-", "..........", "\x01\x02",
        /* NUL bytes and control characters as hr_sanitize leaves them */
        "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", " \xEF\xBF\xBD \xEF\xBF\xBD ",
        "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9",
    };
    static const char *const good[] = {
        "S3Z9NB0K123456", "2130PCN012345", "ABC-0001", "00000001", "CN0X1234", "1234567890A",
        "\xEF\xBF\xBDSN123", "\xC3\xA9\xC3\xA8\xC3\xA9",
    };
    for (size_t i = 0; i < HR_ARRAY_LEN(bad); i++)
        TAP_OK(hr_serial_is_placeholder(bad[i]), "placeholder serial %zu", i);
    for (size_t i = 0; i < HR_ARRAY_LEN(good); i++)
        TAP_OK(!hr_serial_is_placeholder(good[i]), "real serial '%s'", good[i]);
    TAP_OK(hr_serial_is_placeholder(NULL), "NULL is no serial");
}

static int write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (!(f = fopen(path, "w")))
        return -1;
    fputs(text, f);
    return fclose(f);
}

static void test_set(void)
{
    char base[] = "/tmp/hrprof.XXXXXX", a[600], b[600], c[600];
    char *errs = NULL;
    const char *dirs[3];
    struct hr_profile_set *s;

    if (!mkdtemp(base)) {
        TAP_OK(0, "mkdtemp");
        return;
    }
    snprintf(a, sizeof a, "%s/shipped", base);
    snprintf(b, sizeof b, "%s/local", base);
    snprintf(c, sizeof c, "%s/absent", base);
    mkdir(a, 0700);
    mkdir(b, 0700);
    write_file(a, "one.profile", "profile one \"shipped one\"\n");
    write_file(a, "two.profile", "profile two\nuses one\n");
    write_file(a, "README", "not a profile: ignored\n");
    write_file(b, "one-local.profile", "profile one \"local one\"\n");
    dirs[0] = a;
    dirs[1] = c;
    dirs[2] = b;
    s = hr_profile_set_load(dirs, 3, &errs);
    TAP_OK(s != NULL, "set: two directories and an absent one load");
    if (errs)
        printf("# %s", errs);
    free(errs);
    TAP_INT(hr_profile_set_count(s), 2, "set: two profiles (the local one replaced one)");
    TAP_STR(hr_profile_set_find(s, "one") ? hr_profile_set_find(s, "one")->description : NULL,
            "local one", "set: a later directory's profile replaces an earlier one");
    TAP_OK(hr_profile_set_find(s, "nope") == NULL, "set: find an unknown name");
    hr_profile_set_free(s);

    write_file(b, "three.profile", "profile three\nuses missing\n");
    s = hr_profile_set_load(dirs, 3, &errs);
    TAP_OK(!s && errs && strstr(errs, "uses 'missing', which is not loaded"),
           "set: an unknown 'uses' is an error");
    free(errs);
    write_file(b, "three.profile", "profile three\nuses four\n");
    write_file(b, "four.profile", "profile four\nuses three\n");
    s = hr_profile_set_load(dirs, 3, &errs);
    TAP_OK(!s && errs && strstr(errs, "uses itself through other profiles"),
           "set: a cycle of 'uses' is an error");
    free(errs);
    write_file(b, "four.profile", "profile three\n");
    s = hr_profile_set_load(dirs, 3, &errs);
    TAP_OK(!s && errs && strstr(errs, "is also defined in"), "set: one name twice in a directory");
    free(errs);
    write_file(b, "four.profile", "profile four\nbogus\n");
    s = hr_profile_set_load(dirs, 3, &errs);
    TAP_OK(!s && errs && strstr(errs, "four.profile:2:1: unknown keyword"),
           "set: a file's error carries FILE:LINE:COL");
    free(errs);

    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    TAP_INT(system(cmd), 0, "cleanup");
}

/* The shipped profiles all parse (TOP is set by tests/run.sh). */
static void test_shipped(void)
{
    const char *top = getenv("TOP");
    char dir[1024], *errs = NULL;
    const char *dirs[1];
    struct hr_profile_set *s;

    snprintf(dir, sizeof dir, "%s/profiles", top ? top : ".");
    dirs[0] = dir;
    s = hr_profile_set_load(dirs, 1, &errs);
    TAP_OK(s != NULL, "every shipped profile parses and its 'uses' resolve");
    if (errs)
        printf("# %s", errs);
    free(errs);
    static const char *const must[] = { "host-resources", "ucd-diskio", "entity", "linux-host", "synology", "qnap", "truenas", "truenas-scale", "netapp", "nimble", "huawei-oceanstor", "datadomain", "dell-me4",
                                        "windows-host", "esxi-host" };
    for (size_t i = 0; i < HR_ARRAY_LEN(must); i++)
        TAP_OK(hr_profile_set_find(s, must[i]) != NULL, "shipped: %s", must[i]);
    hr_profile_set_free(s);
}

/* Every file of the fuzz corpus through the harness: no crash, no leak. */
static void test_corpus(void)
{
    const char *top = getenv("TOP");
    char dir[1024];
    DIR *d;
    struct dirent *e;
    int n = 0;

    snprintf(dir, sizeof dir, "%s/tests/profiles/corpus", top ? top : ".");
    if (!(d = opendir(dir))) {
        TAP_OK(0, "corpus directory %s", dir);
        return;
    }
    while ((e = readdir(d))) {
        char path[1400];
        size_t len;
        char *data;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (!(data = hr_read_file(path, 1 << 20, &len)))
            continue;
        LLVMFuzzerTestOneInput((const uint8_t *)data, len);
        free(data);
        n++;
    }
    closedir(d);
    TAP_OK(n >= 20, "fuzz corpus replayed (%d inputs)", n);
}

int main(void)
{
    test_good();
    test_errors();
    test_nul();
    test_all_errors_reported();
    test_placeholders();
    test_set();
    test_shipped();
    test_corpus();
    return TAP_DONE();
}
