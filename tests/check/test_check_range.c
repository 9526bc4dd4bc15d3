/* Unit tests for check_headroom's threshold ranges (the Monitoring Plugins
 * Development Guidelines' syntax), its output sanitizing and its
 * performance data labels.  The plug-in's .c is included so the static
 * functions are reachable. */
#define CHECK_HEADROOM_NO_MAIN
#include "../../check/check_headroom.c"
#include "../tap.h"

/* alert(RANGE, V): 1 alert, 0 no alert, -1 the range did not parse. */
static int alert(const char *spec, double v)
{
    struct range r;
    const char *err = NULL;

    if (range_parse(spec, &r, &err) < 0)
        return -1;
    return range_alert(&r, v);
}

static int parses(const char *spec)
{
    struct range r;
    const char *err = NULL;
    int rc = range_parse(spec, &r, &err);

    if (rc < 0 && (!err || !*err))
        return -2;    /* a refusal must say why */
    return rc == 0;
}

static void test_forms(void)
{
    /* "10": outside 0..10 */
    TAP_INT(alert("10", -1), 1, "10: -1 alerts");
    TAP_INT(alert("10", 0), 0, "10: 0 is inside");
    TAP_INT(alert("10", 10), 0, "10: 10 is inside (ends included)");
    TAP_INT(alert("10", 10.5), 1, "10: 10.5 alerts");
    TAP_INT(alert("10", 11), 1, "10: 11 alerts");
    /* "10:": below 10 */
    TAP_INT(alert("10:", 9.99), 1, "10: (no end): 9.99 alerts");
    TAP_INT(alert("10:", 10), 0, "10: (no end): 10 ok");
    TAP_INT(alert("10:", 1e300), 0, "10: (no end): huge ok");
    /* "~:10": above 10, no lower bound */
    TAP_INT(alert("~:10", -1e300), 0, "~:10: very negative ok");
    TAP_INT(alert("~:10", 10), 0, "~:10: 10 ok");
    TAP_INT(alert("~:10", 10.01), 1, "~:10: 10.01 alerts");
    /* "10:20": outside */
    TAP_INT(alert("10:20", 9), 1, "10:20: 9 alerts");
    TAP_INT(alert("10:20", 10), 0, "10:20: 10 ok");
    TAP_INT(alert("10:20", 15), 0, "10:20: 15 ok");
    TAP_INT(alert("10:20", 20), 0, "10:20: 20 ok");
    TAP_INT(alert("10:20", 21), 1, "10:20: 21 alerts");
    /* "@10:20": inside, ends included */
    TAP_INT(alert("@10:20", 9), 0, "@10:20: 9 ok");
    TAP_INT(alert("@10:20", 10), 1, "@10:20: 10 alerts");
    TAP_INT(alert("@10:20", 15), 1, "@10:20: 15 alerts");
    TAP_INT(alert("@10:20", 20), 1, "@10:20: 20 alerts");
    TAP_INT(alert("@10:20", 20.5), 0, "@10:20: 20.5 ok");
    /* other forms the guidelines' grammar allows */
    TAP_INT(alert(":10", -1), 1, ":10 means 0:10: -1 alerts");
    TAP_INT(alert(":10", 5), 0, ":10 means 0:10: 5 ok");
    TAP_INT(alert("@10", 5), 1, "@10 means inside 0..10: 5 alerts");
    TAP_INT(alert("@10", 11), 0, "@10: 11 ok");
    TAP_INT(alert("@~:10", -50), 1, "@~:10: -50 alerts");
    TAP_INT(alert("@10:", 10), 1, "@10: (no end): 10 alerts");
    TAP_INT(alert("@10:", 9), 0, "@10: (no end): 9 ok");
    TAP_INT(alert("~:", 1e300), 0, "~: never alerts");
    TAP_INT(alert("@~:", 0), 1, "@~: always alerts");
    TAP_INT(alert("-10:-5", -7), 0, "negative range: -7 inside");
    TAP_INT(alert("-10:-5", -4), 1, "negative range: -4 alerts");
    TAP_INT(alert("0.5:1.5", 1.5), 0, "decimal range: 1.5 inside");
    TAP_INT(alert("0.5:1.5", 0.49), 1, "decimal range: 0.49 alerts");
    TAP_INT(alert("5:5", 5), 0, "5:5: 5 inside");
    TAP_INT(alert("5:5", 5.0001), 1, "5:5: 5.0001 alerts");
    TAP_INT(alert("1e3", 999), 0, "exponent 1e3: 999 ok");
    TAP_INT(alert("1e3", 1001), 1, "exponent 1e3: 1001 alerts");
    TAP_INT(alert("0", 0), 0, "0: 0 ok");
    TAP_INT(alert("0", 1), 1, "0: 1 alerts");
}

static void test_bad(void)
{
    TAP_INT(parses(""), 0, "empty range refused");
    TAP_INT(parses("@"), 0, "lone @ refused");
    TAP_INT(parses("~"), 0, "lone ~ refused");
    TAP_INT(parses("20:10"), 0, "start > end refused");
    TAP_INT(parses("@20:10"), 0, "@ start > end refused");
    TAP_INT(parses("abc"), 0, "letters refused");
    TAP_INT(parses("10%"), 0, "unit suffix refused");
    TAP_INT(parses(" 10"), 0, "leading blank refused");
    TAP_INT(parses("10 "), 0, "trailing blank refused");
    TAP_INT(parses("1:2:3"), 0, "two colons refused");
    TAP_INT(parses("inf"), 0, "inf refused");
    TAP_INT(parses("nan"), 0, "nan refused");
    TAP_INT(parses("0x10"), 0, "hex refused");
    TAP_INT(parses("1e999"), 0, "overflowing number refused");
    TAP_INT(parses("~10"), 0, "~ without colon refused");
    TAP_INT(parses("10:~"), 0, "~ as end refused");
    TAP_INT(parses("@@10"), 0, "double @ refused");
    TAP_INT(parses("--5"), 0, "double sign refused");
    TAP_INT(parses("1.2.3"), 0, "two points refused");
    {
        char big[200];
        memset(big, '1', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        TAP_INT(parses(big), 0, "200-character range refused");
    }
    TAP_INT(parses("10:20"), 1, "10:20 accepted");
    TAP_INT(parses("~:"), 1, "~: accepted");
    TAP_INT(parses("+5"), 1, "+5 accepted");
}

static void test_text(void)
{
    struct range r;
    const char *err;

    TAP_INT(range_parse("@10:20", &r, &err), 0, "@10:20 parses");
    TAP_STR(r.text, "@10:20", "range text kept for the performance data");
    TAP_INT(r.inside, 1, "@ sets inside");
    TAP_INT(range_parse("~:7.5", &r, &err), 0, "~:7.5 parses");
    TAP_INT(r.start_inf, 1, "~ start is -infinity");
    TAP_OK(r.end == 7.5, "end is 7.5");

    /* state: critical wins over warning; unset ranges never alert */
    {
        struct range w, c, none;
        memset(&none, 0, sizeof none);
        range_parse("80", &w, &err);
        range_parse("90", &c, &err);
        TAP_INT(range_state(&w, &c, 50), ST_OK, "50 with -w 80 -c 90 is OK");
        TAP_INT(range_state(&w, &c, 85), ST_WARNING, "85 is WARNING");
        TAP_INT(range_state(&w, &c, 95), ST_CRITICAL, "95 is CRITICAL");
        TAP_INT(range_state(&none, &none, 1e12), ST_OK, "no ranges: OK");
        TAP_INT(range_state(&w, &none, 95), ST_WARNING, "warning only: WARNING");
    }
}

static void test_clean(void)
{
    char out[64];

    text_clean(out, sizeof out, "SN\r\n1|2", 7);
    TAP_STR(out, "SN\xEF\xBF\xBD\xEF\xBF\xBD" "1\xEF\xBF\xBD" "2",
            "CR, LF and | become U+FFFD");
    TAP_OK(!strchr(out, '\n') && !strchr(out, '|'), "no newline or pipe left");
    text_clean(out, 8, "abcdefghijk", 11);
    TAP_STR(out, "abcde", "cut to the buffer, leaving room for a replacement");
    text_clean(out, 8, "ab\xc3\xa9\xc3\xa9\xc3\xa9", 8);
    TAP_OK(hr_is_clean_utf8(out, strlen(out)), "cut never leaves broken UTF-8 (%s)", out);
    {
        char big[70000], res[200];
        for (size_t i = 0; i < sizeof big; i++)
            big[i] = (char)(i % 7 == 0 ? '\n' : i % 5 == 0 ? '|' : 'A' + i % 20);
        text_clean(res, sizeof res, big, sizeof big);
        TAP_OK(strlen(res) < sizeof res && hr_is_clean_utf8(res, strlen(res)) && !strchr(res, '|'),
               "64 KiB hostile string: bounded, clean");
    }
}

static void test_labels(void)
{
    struct devlist l = { NULL, 0, 0 };
    struct dev *d;
    size_t hint = 0;

    d = devlist_get(&l, 1, &hint); hr_strlcpy(d->name, "sda", sizeof d->name);
    d = devlist_get(&l, 2, &hint); hr_strlcpy(d->name, "we'ird=na me", sizeof d->name);
    d = devlist_get(&l, 3, &hint); d->name[0] = '\0';
    d = devlist_get(&l, 4, &hint); hr_strlcpy(d->name, "dup", sizeof d->name);
    d = devlist_get(&l, 5, &hint); hr_strlcpy(d->name, "dup", sizeof d->name);
    d = devlist_get(&l, 6, &hint); hr_strlcpy(d->name, "caf\xc3\xa9", sizeof d->name);
    TAP_INT(l.n, 6, "six devices");
    hint = 0;
    TAP_OK(devlist_get(&l, 1, &hint) == &l.v[0] && hint == 0, "devlist_get: the hinted row");
    TAP_OK(devlist_get(&l, 2, &hint) == &l.v[1] && hint == 1, "devlist_get: the row after the hint");
    TAP_OK(devlist_get(&l, 5, &hint) == &l.v[4] && hint == 4, "devlist_get: a row found by search");
    TAP_OK(devlist_get(&l, 1, &hint) == &l.v[0], "devlist_get: an earlier row");
    TAP_INT(l.n, 6, "no row added for existing indexes");
    make_labels(&l, &metrics[0]);
    TAP_STR(l.v[0].label, "sda_used_pct", "plain label");
    TAP_STR(l.v[1].label, "we_ird_na_me_used_pct", "quote, = and blank replaced");
    TAP_STR(l.v[2].label, "dev3_used_pct", "empty name becomes devINDEX");
    TAP_STR(l.v[3].label, "dup_4_used_pct", "duplicate name gets its index (1)");
    TAP_STR(l.v[4].label, "dup_5_used_pct", "duplicate name gets its index (2)");
    TAP_STR(l.v[5].label, "caf___used_pct", "non-ASCII bytes replaced");
    free(l.v);
}

/* One cell through store_cell. */
static void cell(struct dev *d, oid sub, u_char type, long ival, const char *str)
{
    netsnmp_variable_list vb;
    struct counter64 c64 = { (u_long)((uint64_t)ival >> 32), (u_long)((uint64_t)ival & 0xFFFFFFFFu) };

    memset(&vb, 0, sizeof vb);
    vb.type = type;
    u_char buf[256];

    if (type == ASN_OCTET_STR) {
        vb.val_len = strlen(str) < sizeof buf ? strlen(str) : sizeof buf;
        memcpy(buf, str, vb.val_len);
        vb.val.string = buf;
    } else if (type == ASN_COUNTER64) {
        vb.val.counter64 = &c64;
        vb.val_len = sizeof c64;
    } else {
        vb.val.integer = &ival;
        vb.val_len = sizeof ival;
    }
    store_cell(d, sub, &vb);
}

static void test_cells(void)
{
    struct dev d;

    memset(&d, 0, sizeof d);
    d.used_pct = -1;
    cell(&d, HDRM_SUBID_hdrmDevUsedPercent, ASN_INTEGER, 72, NULL);
    TAP_INT(d.used_pct, 72, "used percent stored");
    TAP_OK(d.have & HAVE_PCT, "used percent known");
    cell(&d, HDRM_SUBID_hdrmDevUsedPercent, ASN_OCTET_STR, 0, "99");
    TAP_INT(d.used_pct, 72, "used percent as a string ignored");
    TAP_INT(d.bad, 1, "and counted");
    cell(&d, HDRM_SUBID_hdrmDevUsedPercent, ASN_INTEGER, 101, NULL);
    TAP_INT(d.bad, 2, "used percent 101 refused (MIB range -1..100)");

    memset(&d, 0, sizeof d);
    cell(&d, HDRM_SUBID_hdrmDevCapacityMiB, ASN_GAUGE, 4294967295L, NULL);
    TAP_OK(!(d.have & HAVE_CAP), "saturated capacity MiB is unknown, not 4 PiB");
    cell(&d, HDRM_SUBID_hdrmDevUsedMiB, ASN_GAUGE, 4294967295L, NULL);
    TAP_OK(!(d.have & HAVE_USED), "saturated used MiB is unknown");
    cell(&d, HDRM_SUBID_hdrmDevUsedMiB, ASN_GAUGE, 3, NULL);
    TAP_OK((d.have & HAVE_USED) && d.used == 3u << 20, "used MiB x 2^20");
    cell(&d, HDRM_SUBID_hdrmDevUsed, ASN_COUNTER64, 3145729, NULL);
    TAP_OK(d.used == 3145729, "64-bit used bytes win over MiB");
    cell(&d, HDRM_SUBID_hdrmDevUsedMiB, ASN_GAUGE, 7, NULL);
    TAP_OK(d.used == 3145729, "a later MiB cell does not override bytes");
    cell(&d, HDRM_SUBID_hdrmDevCapacity, ASN_COUNTER64, 9007199254740992L, NULL);
    TAP_OK(d.capacity == 9007199254740992ull, "8 PiB capacity in 64 bits");
    cell(&d, HDRM_SUBID_hdrmDevPeakWrites, ASN_OCTET_STR, 0, "15230");
    TAP_OK(!(d.have & HAVE_PEAK), "peak as a string ignored");
    cell(&d, HDRM_SUBID_hdrmDevPeakWrites, ASN_GAUGE, 15230, NULL);
    TAP_OK((d.have & HAVE_PEAK) && d.peak == 15230, "peak stored");
    cell(&d, HDRM_SUBID_hdrmDevSerial, ASN_OCTET_STR, 0, "A\r\nB|C");
    TAP_STR(d.serial, "A\xEF\xBF\xBD\xEF\xBF\xBD" "B\xEF\xBF\xBD" "C", "serial sanitized for output");
    cell(&d, HDRM_SUBID_hdrmDevName, ASN_INTEGER, 5, NULL);
    TAP_OK(!(d.have & HAVE_NAME), "name as an integer ignored");
}

/* A deterministic torture: many random strings from the range alphabet
 * and random bytes through the sanitizer, checking invariants rather than
 * values (run under ASan/UBSan by make check-asan). */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static unsigned rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state >> 32);
}

static void test_torture(void)
{
    static const char alpha[] = "0123456789.:~@-+eE x";
    unsigned parsed = 0, bad_parse = 0, bad_flip = 0, bad_clean = 0;

    for (int n = 0; n < 200000; n++) {
        char spec[16], inv[20];
        size_t len = rng() % 12;
        struct range r, ri;
        const char *err = NULL;

        for (size_t i = 0; i < len; i++)
            spec[i] = alpha[rng() % (sizeof alpha - 1)];
        spec[len] = '\0';
        if (range_parse(spec, &r, &err) < 0) {
            bad_parse += !err || !*err;
            continue;
        }
        parsed++;
        bad_parse += strcmp(r.text, spec) != 0 ||
                     (!r.start_inf && !r.end_inf && r.start > r.end);
        /* '@' turns every alert into none and back */
        if (spec[0] != '@') {
            snprintf(inv, sizeof inv, "@%s", spec);
            if (range_parse(inv, &ri, &err) == 0) {
                double v = (double)((int)(rng() % 2001) - 1000) / 10.0;
                bad_flip += range_alert(&r, v) == range_alert(&ri, v);
            }
        }
    }
    TAP_OK(parsed > 1000, "torture: %u random ranges parsed", parsed);
    TAP_INT(bad_parse, 0, "torture: parsed ranges keep their text and order; refusals say why");
    TAP_INT(bad_flip, 0, "torture: '@' inverts every parsed range");
    for (int n = 0; n < 20000; n++) {
        unsigned char raw[300];
        char out[64];
        size_t len = rng() % sizeof raw, olen;

        for (size_t i = 0; i < len; i++)
            raw[i] = (unsigned char)rng();
        text_clean(out, 1 + rng() % sizeof out, raw, len);
        olen = strlen(out);
        bad_clean += olen >= sizeof out || !hr_is_clean_utf8(out, olen) || strchr(out, '|');
    }
    TAP_INT(bad_clean, 0, "torture: sanitized random bytes are clean, bounded, pipe-free");
}

/* parse_args on good command lines (bad ones exit, tested by the shell
 * tests). */
static void test_args(void)
{
    struct opts o;
    char *v3[] = { "check_headroom", "-H", "::1", "-P", "3", "-U", "mon", "-A", "authpass1",
                   "-X", "privpass1", "-a", "SHA-256", "-x", "AES", "-m", "peak",
                   "-w", "10:", "-c", "@5:6", "-s", "S1", "-t", "5", "-r", "0", NULL };
    char *plain[] = { "check_headroom", "--hostname=h", "--index=7", NULL };

    optind = 1;
    parse_args((int)HR_ARRAY_LEN(v3) - 1, v3, &o);
    TAP_INT(o.version, SNMP_VERSION_3, "-P 3");
    TAP_INT(o.seclevel, SNMP_SEC_LEVEL_AUTHPRIV, "-X implies authPriv");
    TAP_INT(o.metric->id, M_PEAK, "-m peak");
    TAP_STR(o.warn.text, "10:", "-w kept");
    TAP_INT(o.crit.inside, 1, "-c @5:6 inside");
    TAP_INT(o.timeout, 5, "-t 5");
    TAP_INT(o.retries, 0, "-r 0");
    TAP_STR(o.serial, "S1", "-s");
    optind = 1;
    parse_args((int)HR_ARRAY_LEN(plain) - 1, plain, &o);
    TAP_INT(o.version, SNMP_VERSION_2c, "default version 2c");
    TAP_INT(o.index, 7, "--index=7");
    TAP_STR(o.warn.text, "80", "used-percent default warning 80");
    TAP_STR(o.crit.text, "90", "used-percent default critical 90");
    TAP_INT(o.port, 161, "default port 161");
}

int main(void)
{
    (void)run;  /* needs an agent: tested by tests/check/test_check.sh */
    test_args();
    test_forms();
    test_bad();
    test_text();
    test_clean();
    test_labels();
    test_cells();
    test_torture();
    return TAP_DONE();
}
