/* libFuzzer harness for check_headroom's parsers of untrusted input: the
 * -w/-c ranges, the agent strings it prints, and the cells an agent sends
 * (any ASN.1 type and length for any column).
 *
 *   make fuzz-check
 *   build/fuzz/fuzz_check -max_total_time=60
 *
 * The first input byte picks the target. */
#define CHECK_HEADROOM_NO_MAIN
#include "../../check/check_headroom.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The plug-in's main path needs an agent: not fuzzed here. */
static void (*const keep_parse_args)(int, char **, struct opts *) __attribute__((unused)) = parse_args;
static int (*const keep_run)(const struct opts *) __attribute__((unused)) = run;

static void fuzz_range(const uint8_t *data, size_t size)
{
    char spec[80];
    struct range r;
    const char *err;
    size_t n = size < sizeof spec - 1 ? size : sizeof spec - 1;

    memcpy(spec, data, n);
    spec[n] = '\0';
    if (range_parse(spec, &r, &err) == 0) {
        (void)range_alert(&r, 0);
        (void)range_alert(&r, -1e300);
        (void)range_alert(&r, 1e300);
        if (!r.start_inf && !r.end_inf && r.start > r.end)
            __builtin_trap();
    } else if (!err || !*err) {
        __builtin_trap();
    }
}

static void fuzz_clean(const uint8_t *data, size_t size)
{
    char out[96];
    size_t sz = size ? 1 + data[0] % sizeof out : sizeof out;

    text_clean(out, sz, data, size);
    if (strlen(out) >= sz || !hr_is_clean_utf8(out, strlen(out)) || strchr(out, '|'))
        __builtin_trap();
}

/* A cell: column byte, ASN.1 type byte, then the value bytes. */
static void fuzz_cell(const uint8_t *data, size_t size)
{
    static const u_char types[] = {
        ASN_INTEGER, ASN_OCTET_STR, ASN_GAUGE, ASN_COUNTER, ASN_TIMETICKS,
        ASN_COUNTER64, ASN_OBJECT_ID, ASN_NULL, SNMP_NOSUCHINSTANCE,
    };
    netsnmp_variable_list vb;
    struct dev d;
    long ival = 0;
    struct counter64 c64 = { 0, 0 };
    u_char buf[300];

    if (size < 2)
        return;
    memset(&vb, 0, sizeof vb);
    memset(&d, 0, sizeof d);
    d.used_pct = -1;
    vb.type = types[data[1] % sizeof types];
    size -= 2;
    data += 2;
    if (size > sizeof buf)
        size = sizeof buf;
    memcpy(buf, data, size);
    memcpy(&ival, data, size < sizeof ival ? size : sizeof ival);
    memcpy(&c64, data, size < sizeof c64 ? size : sizeof c64);
    if (vb.type == ASN_OCTET_STR) {
        vb.val.string = buf;
        vb.val_len = size;
    } else if (vb.type == ASN_COUNTER64) {
        vb.val.counter64 = &c64;
        vb.val_len = sizeof c64;
    } else {
        vb.val.integer = &ival;
        vb.val_len = sizeof ival;
    }
    store_cell(&d, data[-2] % 30, &vb);
    if (d.used_pct < -1 || d.used_pct > 100 || !hr_is_clean_utf8(d.serial, strlen(d.serial)))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    switch (data[0] % 3) {
    case 0: fuzz_range(data + 1, size - 1); break;
    case 1: fuzz_clean(data + 1, size - 1); break;
    default: fuzz_cell(data + 1, size - 1); break;
    }
    return 0;
}
