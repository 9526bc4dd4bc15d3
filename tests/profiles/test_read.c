/* test_read.c: the reading rules of profiles/read.c (docs/profiles.md,
 * "Semantics") on hand-made rows: units read per row, Windows' negative
 * Integer32 sizes, type and name filters, rows of size 0, repeated rows,
 * used above size, text sizes with units, 64-bit halves, free instead of
 * used, write counters with Counter32 wraps, restarts and rows that appear
 * or vanish, identity text through a regex. */
#include "../tap.h"
#include "hr_util.h"
#include "read.h"

#include <stdlib.h>
#include <string.h>

static struct hr_profile *parse(const char *text)
{
    char *errs = NULL;
    struct hr_profile *p = hr_profile_parse("t.profile", text, strlen(text), &errs);

    if (!p)
        printf("# %s", errs ? errs : "out of memory\n");
    free(errs);
    return p;
}

/* Add column COL of row IDX (one arc) under the table's entry. */
static void add(struct hr_prof_rows *r, const struct hr_prof_table *t, unsigned col,
                unsigned idx, struct hr_value v)
{
    uint32_t oid[HR_PROF_OID_MAX];
    size_t n = t->entry.len;

    memcpy(oid, t->entry.sub, n * sizeof *oid);
    oid[n++] = col;
    oid[n++] = idx;
    if (hr_prof_rows_add(r, oid, n, &v) != 0)
        printf("# add col %u idx %u: not added\n", col, idx);
}

static struct hr_value i32(int64_t i) { return (struct hr_value){ .type = HR_VT_INTEGER, .i = i }; }
static struct hr_value g32(uint64_t u) { return (struct hr_value){ .type = HR_VT_GAUGE32, .u = u }; }
static struct hr_value c32(uint64_t u) { return (struct hr_value){ .type = HR_VT_COUNTER32, .u = u }; }
static struct hr_value c64(uint64_t u) { return (struct hr_value){ .type = HR_VT_COUNTER64, .u = u }; }
static struct hr_value str(const char *s)
{
    return (struct hr_value){ .type = HR_VT_STRING, .s = (const unsigned char *)s, .len = strlen(s) };
}
static const uint32_t fixed_disk[] = { 1, 3, 6, 1, 2, 1, 25, 2, 1, 4 };
static const uint32_t ram[] = { 1, 3, 6, 1, 2, 1, 25, 2, 1, 2 };
static struct hr_value oidv(const uint32_t *o, size_t n)
{
    return (struct hr_value){ .type = HR_VT_OID, .oid = o, .len = n };
}

/* A host-resources-like table: type 2, name 3, unit 4, size 5, used 6. */
static void hr_row(struct hr_prof_rows *r, const struct hr_prof_table *t, unsigned idx,
                   const uint32_t *type, const char *name, int64_t unit, int64_t size, int64_t used)
{
    add(r, t, 2, idx, oidv(type, 10));
    add(r, t, 3, idx, str(name));
    add(r, t, 4, idx, i32(unit));
    add(r, t, 5, idx, i32(size));
    add(r, t, 6, idx, i32(used));
}

static void test_host_resources(void)
{
    struct hr_profile *p = parse(
        "profile hr\n"
        "volumes .1.3.6.1.2.1.25.2.3.1 {\n"
        " type 2 in .1.3.6.1.2.1.25.2.1.4\n name 3\n unit 4\n size 5 units\n used 6 units\n"
        " exclude name \"^/(proc|sys|dev|run)(/|$)\"\n}\n");
    const struct hr_prof_table *t = &p->tables[0];
    struct hr_prof_rows *r = hr_prof_rows_new(t);
    struct hr_prof_volume *v = NULL;
    uint64_t cap, used;

    /* Added column by column, as a GETBULK walk of the table delivers them. */
    hr_row(r, t, 1, ram, "Physical memory", 1024, 8000000, 4000000);
    hr_row(r, t, 31, fixed_disk, "/", 4096, 1000000, 250000);
    hr_row(r, t, 36, fixed_disk, "/dev/shm", 4096, 2000, 0);
    hr_row(r, t, 38, fixed_disk, "/srv/data", 65536, -1294967296, 100);    /* Windows overflow */
    hr_row(r, t, 39, fixed_disk, "/srv/bind", 65536, -1294967296, 100);    /* a bind mount */
    hr_row(r, t, 40, fixed_disk, "/empty", 4096, 0, 0);
    hr_row(r, t, 41, fixed_disk, "/broken", 4096, 10, 20);                 /* used > size */
    add(r, t, 2, 42, oidv(fixed_disk, 10));                                /* no size */
    add(r, t, 3, 42, str("/nosize"));
    TAP_INT(hr_prof_rows_count(r), 8, "eight rows collected");
    ssize_t n = hr_prof_volumes(r, &v);
    TAP_INT(n, 6, "six rows pass the type and name filters (RAM and /dev/shm do not)");
    if (n != 6)
        goto out;
    TAP_STR(v[0].name, "/", "first volume: /");
    TAP_INT(v[0].size, 4096ULL * 1000000, "units x size");
    TAP_INT(v[0].used, 4096ULL * 250000, "units x used");
    TAP_INT(v[1].flags & HR_PV_NEG_FIXED, HR_PV_NEG_FIXED, "a negative Integer32 size is flagged");
    TAP_INT(v[1].size, 65536ULL * 3000000000ULL, "... and read as size + 2^32");
    TAP_INT(v[3].flags, HR_PV_ZERO, "size 0 flagged");
    TAP_INT(v[4].flags, HR_PV_IMPLAUSIBLE, "used above size flagged");
    TAP_INT(v[5].flags, HR_PV_BAD, "a row without a size flagged bad");
    TAP_INT(hr_prof_volumes_sum(v, (size_t)n, &cap, &used), 2, "two volumes counted");
    TAP_OK(v[2].flags & HR_PV_DUPLICATE, "the bind mount repeating /srv/data is a duplicate");
    TAP_INT(cap, 4096ULL * 1000000 + 65536ULL * 3000000000ULL, "capacity: the sum, each once");
    TAP_INT(used, 4096ULL * 250000 + 65536ULL * 100, "used: the sum, each once");

    /* The allocation unit is read per poll: a new reading with another unit. */
    free(v);
    hr_prof_rows_free(r);
    r = hr_prof_rows_new(t);
    hr_row(r, t, 31, fixed_disk, "/", 8192, 500000, 125000);
    n = hr_prof_volumes(r, &v);
    TAP_OK(n == 1 && v[0].size == 8192ULL * 500000, "a changed allocation unit is used at once");
    free(v);
    v = NULL;
    hr_prof_rows_free(r);
    r = hr_prof_rows_new(t);
    hr_row(r, t, 31, fixed_disk, "/", 0, 500000, 125000);
    n = hr_prof_volumes(r, &v);
    TAP_OK(n == 1 && v[0].flags == HR_PV_BAD, "an allocation unit of 0 makes the row bad");
out:
    free(v);
    hr_prof_rows_free(r);
    hr_profile_free(p);
}

static void test_halves_text_free(void)
{
    struct hr_profile *p = parse(
        "profile x\n"
        "volumes .1.3.6.1.4.1.99.1 {\n name 2\n size 5:4 mib\n used 7:6 mib\n}\n"
        "volumes .1.3.6.1.4.1.99.2 {\n name 2\n size 3 text gib\n free 4 text gib\n"
        " include name \"^/data\"\n}\n"
        "volumes .1.3.6.1.4.1.99.3 {\n name 2\n size 3 blocks 512\n free 4 blocks 512\n}\n");
    struct hr_prof_rows *r;
    struct hr_prof_volume *v = NULL;
    ssize_t n;

    r = hr_prof_rows_new(&p->tables[0]);
    add(r, &p->tables[0], 2, 1, str("vol1"));
    add(r, &p->tables[0], 4, 1, g32(5));        /* low */
    add(r, &p->tables[0], 5, 1, g32(1));        /* high */
    add(r, &p->tables[0], 6, 1, g32(0));
    add(r, &p->tables[0], 7, 1, g32(1));
    n = hr_prof_volumes(r, &v);
    TAP_OK(n == 1 && v[0].size == ((1ULL << 32) + 5) * 1048576, "high:low halves in MiB");
    TAP_OK(n == 1 && v[0].used == (1ULL << 32) * 1048576, "... used too");
    free(v);
    hr_prof_rows_free(r);

    r = hr_prof_rows_new(&p->tables[1]);
    add(r, &p->tables[1], 2, 1, str("/data: post-comp"));
    add(r, &p->tables[1], 3, 1, str("21247.7"));
    add(r, &p->tables[1], 4, 1, str("16411.8"));
    add(r, &p->tables[1], 2, 2, str("/ddvar"));
    add(r, &p->tables[1], 3, 2, str("49.2"));
    add(r, &p->tables[1], 4, 2, str("40"));
    add(r, &p->tables[1], 2, 3, str("/data: pre-comp"));
    add(r, &p->tables[1], 3, 3, str("7.22 TB"));
    add(r, &p->tables[1], 4, 3, str("lots"));
    n = hr_prof_volumes(r, &v);
    TAP_INT(n, 2, "the include filter keeps two rows");
    TAP_OK(n >= 1 && v[0].size == 22814544153805ULL, "text GiB \"21247.7\" in bytes");
    TAP_OK(n >= 1 && v[0].used == 22814544153805ULL - 17622036067123ULL, "used = size - free");
    TAP_OK(n == 2 && v[1].flags == HR_PV_BAD, "a free that is not a number: bad");
    free(v);
    hr_prof_rows_free(r);

    r = hr_prof_rows_new(&p->tables[2]);
    add(r, &p->tables[2], 2, 7, str("pool"));
    add(r, &p->tables[2], 3, 7, c64(1000));
    add(r, &p->tables[2], 4, 7, c64(2000));
    n = hr_prof_volumes(r, &v);
    TAP_OK(n == 1 && v[0].flags == HR_PV_IMPLAUSIBLE, "free above size: implausible");
    free(v);
    hr_prof_rows_free(r);

    uint64_t b;
    TAP_OK(hr_prof_text_bytes("7.22 TB", 7, HR_PS_BYTES, &b) == 0 && b == 7938473952543ULL,
           "\"7.22 TB\": the unit in the text wins (powers of 1024)");
    TAP_OK(hr_prof_text_bytes("512 MiB", 7, HR_PS_GIB, &b) == 0 && b == 536870912ULL,
           "\"512 MiB\"");
    TAP_OK(hr_prof_text_bytes("1.5", 3, HR_PS_KIB, &b) == 0 && b == 1536, "bare number: the scale");
    TAP_OK(hr_prof_text_bytes("-1", 2, HR_PS_BYTES, &b) < 0, "negative text refused");
    TAP_OK(hr_prof_text_bytes("inf", 3, HR_PS_BYTES, &b) < 0, "inf refused");
    TAP_OK(hr_prof_text_bytes("0x10", 4, HR_PS_BYTES, &b) < 0, "hex refused");
    TAP_OK(hr_prof_text_bytes("3 parsecs", 9, HR_PS_BYTES, &b) < 0, "unknown unit refused");
    TAP_OK(hr_prof_text_bytes("99999999999 PB", 14, HR_PS_BYTES, &b) < 0, "overflow refused");
    hr_profile_free(p);
}

static void test_counters(void)
{
    struct hr_profile *p = parse(
        "profile x\nwrites .1.3.6.1.4.1.2021.13.15.1.1 {\n name 2\n count 6\n"
        " include name \"^(sd[a-z]+|nvme[0-9]+n[0-9]+)$\"\n}\n");
    const struct hr_prof_table *t = &p->tables[0];
    struct hr_prof_rows *r = hr_prof_rows_new(t);
    struct hr_prof_counter *a = NULL, *b = NULL;
    uint64_t d;

    add(r, t, 2, 1, str("sda"));
    add(r, t, 6, 1, c32(4294967000U));
    add(r, t, 2, 2, str("sda1"));           /* a partition: not counted */
    add(r, t, 6, 2, c32(100));
    add(r, t, 2, 3, str("nvme0n1"));
    add(r, t, 6, 3, c32(1000));
    add(r, t, 2, 4, str("loop0"));
    add(r, t, 6, 4, c32(5));
    ssize_t na = hr_prof_counters(r, &a);
    TAP_INT(na, 2, "whole disks only: sda and nvme0n1");
    hr_prof_rows_free(r);

    r = hr_prof_rows_new(t);
    add(r, t, 2, 1, str("sda"));
    add(r, t, 6, 1, c32(200));              /* wrapped */
    add(r, t, 2, 3, str("nvme0n1"));
    add(r, t, 6, 3, c32(1500));
    add(r, t, 2, 5, str("sdb"));            /* appeared */
    add(r, t, 6, 5, c32(999999));
    ssize_t nb = hr_prof_counters(r, &b);
    TAP_INT(nb, 3, "second poll: three disks");
    TAP_INT(hr_prof_counters_delta(a, (size_t)na, b, (size_t)nb, 0, &d), 0, "delta known");
    TAP_INT(d, (4294967296ULL - 4294967000ULL + 200) + 500,
            "a Counter32 that went back is a wrap; a new disk adds no jump");
    TAP_INT(hr_prof_counters_delta(a, (size_t)na, b, (size_t)nb, 1, &d), -1,
            "sysUpTime went back: a restart, unknown");
    TAP_INT(hr_prof_counters_delta(b, (size_t)nb, a, 1, 0, &d), 0, "a vanished disk: no jump");
    struct hr_prof_counter c64a = { "x", ".1", 1000, 1 }, c64b = { "x", ".1", 10, 1 };
    TAP_INT(hr_prof_counters_delta(&c64a, 1, &c64b, 1, 0, &d), -1,
            "a Counter64 that went back: unknown, never a spike");
    TAP_INT(hr_prof_counters_delta(&c64a, 1, &c64a, 0, 0, &d), -1, "no row in common: unknown");
    free(a);
    free(b);
    hr_prof_rows_free(r);
    hr_profile_free(p);
}

static void test_source_text(void)
{
    struct hr_profile *p = parse(
        "profile x\n"
        "serial .1.3.6.1.4.1.1.1.0\n"
        "vendor \"ACME\"\n"
        "firmware .1.3.6.1.2.1.1.1.0 regex \"software version ([^ ]+)\"\n"
        "model .1.3.6.1.2.1.1.1.0 regex \"^[A-Za-z]+\"\n");
    char buf[64];
    struct hr_value d = str("Nimble Storage g1 running software version 2.3.14.0-325711-opt");
    struct hr_value hostile = { .type = HR_VT_STRING, .s = (const unsigned char *)"AB\r\nC\0D", .len = 7 };

    TAP_OK(hr_prof_source_text(&p->src[HR_PF_FIRMWARE], &d, buf, sizeof buf) == 0 &&
           strcmp(buf, "2.3.14.0-325711-opt") == 0, "regex: the capture group");
    TAP_OK(hr_prof_source_text(&p->src[HR_PF_MODEL], &d, buf, sizeof buf) == 0 &&
           strcmp(buf, "Nimble") == 0, "regex without a group: the whole match");
    struct hr_value other = str("Linux box");
    TAP_INT(hr_prof_source_text(&p->src[HR_PF_FIRMWARE], &other, buf, sizeof buf), -1,
            "no match: no value");
    TAP_OK(hr_prof_source_text(&p->src[HR_PF_VENDOR], NULL, buf, sizeof buf) == 0 &&
           strcmp(buf, "ACME") == 0, "a constant");
    TAP_OK(hr_prof_source_text(&p->src[HR_PF_SERIAL], &hostile, buf, sizeof buf) == 0 &&
           !strpbrk(buf, "\r\n"), "CR, LF and NUL never reach the value");
    struct hr_value blank = str("   ");
    TAP_INT(hr_prof_source_text(&p->src[HR_PF_SERIAL], &blank, buf, sizeof buf), -1,
            "blanks only: no value");
    struct hr_value num = i32(42);
    TAP_OK(hr_prof_source_text(&p->src[HR_PF_SERIAL], &num, buf, sizeof buf) == 0 &&
           strcmp(buf, "42") == 0, "an integer as text");
    hr_profile_free(p);
}

/* A field given twice is tried in order; a map turns codes into names. */
static void test_alternatives_and_maps(void)
{
    struct hr_profile *p = parse(
        "profile x\n"
        "firmware .1.3.6.1.4.1.1.3.0\n"
        "firmware .1.3.6.1.2.1.1.1.0 regex \"^Data Domain OS ([0-9][^ ]*)\"\n"
        "model .1.3.6.1.4.1.1.2.0 map models\n"
        "model \"unknown model\"\n"
        "map models {\n"
        " 61 \"OceanStor 5300 V5\"\n"
        " \"x 1\" \"Spaced\"\n"
        "}\n");
    const struct hr_prof_source *fw, *m;
    char buf[64];

    if (!p) {
        TAP_OK(0, "alternatives and maps parse");
        return;
    }
    fw = &p->src[HR_PF_FIRMWARE];
    m = &p->src[HR_PF_MODEL];
    TAP_OK(fw->next && !fw->next->next && fw->next->pattern, "firmware: two alternatives, in order");
    TAP_OK(m->map && m->map->n == 2 && m->next && m->next->constant, "model: a map, then a constant");
    struct hr_value code = i32(61), unknown = i32(62), spaced = str(" x 1 ");
    TAP_OK(hr_prof_source_text(m, &code, buf, sizeof buf) == 0 &&
           strcmp(buf, "OceanStor 5300 V5") == 0, "map: 61 is its name");
    TAP_INT(hr_prof_source_text(m, &unknown, buf, sizeof buf), -1,
            "map: a code not in the map gives no value (the next alternative decides)");
    TAP_OK(hr_prof_source_text(m, &spaced, buf, sizeof buf) == 0 && strcmp(buf, "Spaced") == 0,
           "map: a quoted key, after trimming the agent's text");
    hr_profile_free(p);
}

/* shared-free: a pool's datasets add their used space and the pool's free
 * space once; keep duplicates: a SAN's equal volumes are all volumes. */
static void test_shared_free_keep_dup(void)
{
    struct hr_profile *p = parse(
        "profile zfs\n"
        "volumes .1.3.6.1.2.1.25.2.3.1 {\n"
        " type 2 in .1.3.6.1.2.1.25.2.1.4\n name 3\n unit 4\n size 5 units\n used 6 units\n"
        " include name \"^/mnt/\"\n"
        " shared-free name \"^/mnt/([^/]+)\"\n}\n"
        "volumes .1.3.6.1.4.1.37447.1.2.1 {\n name 3\n size 5 mib\n used 7 mib\n"
        " keep duplicates\n}\n");
    struct hr_prof_rows *r;
    struct hr_prof_volume *v = NULL;
    uint64_t cap, used;
    ssize_t n;

    if (!p) {
        TAP_OK(0, "shared-free and keep duplicates parse");
        return;
    }
    const struct hr_prof_table *t = &p->tables[0];
    r = hr_prof_rows_new(t);
    /* TrueNAS SCALE's walk: /mnt/juandipool 70008 / 1, a dataset 87043 /
     * 17036 (both 70007 units free), a dataset repeating the first. */
    hr_row(r, t, 66, fixed_disk, "/mnt/juandipool", 131072, 70008, 1);
    hr_row(r, t, 78, fixed_disk, "/mnt/juandipool/DatasetTerminator", 131072, 87043, 17036);
    hr_row(r, t, 79, fixed_disk, "/mnt/juandipool/ai", 131072, 70008, 1);
    /* A second pool with a little less free in one dataset (a quota). */
    hr_row(r, t, 80, fixed_disk, "/mnt/tank", 131072, 1100, 100);
    hr_row(r, t, 81, fixed_disk, "/mnt/tank/quota", 131072, 700, 200);
    n = hr_prof_volumes(r, &v);
    TAP_INT(n, 5, "five datasets");
    if (n == 5) {
        TAP_OK((v[0].flags & HR_PV_SHARED) && strcmp(v[0].group, "juandipool") == 0,
               "grouped by pool: juandipool");
        TAP_STR(v[4].group, "tank", "... and tank");
        TAP_INT(hr_prof_volumes_sum(v, (size_t)n, &cap, &used), 4, "four counted (one repeats)");
        TAP_OK(v[2].flags & HR_PV_DUPLICATE, "the repeating dataset is a duplicate");
        TAP_INT(cap, 131072ULL * ((1 + 17036 + 70007) + (100 + 200 + 1000)),
                "capacity: used of each dataset + each pool's free once (the largest)");
        TAP_INT(used, 131072ULL * (1 + 17036 + 100 + 200), "used: the datasets' sum");
    }
    free(v);
    v = NULL;
    hr_prof_rows_free(r);

    t = &p->tables[1];
    r = hr_prof_rows_new(t);
    add(r, t, 3, 1, str("DB1"));
    add(r, t, 5, 1, g32(204800));
    add(r, t, 7, 1, g32(204770));
    add(r, t, 3, 2, str("DB3"));
    add(r, t, 5, 2, g32(204800));
    add(r, t, 7, 2, g32(204770));
    n = hr_prof_volumes(r, &v);
    TAP_INT(n, 2, "two SAN volumes of one size");
    if (n == 2) {
        TAP_INT(hr_prof_volumes_sum(v, (size_t)n, &cap, &used), 2, "keep duplicates: both counted");
        TAP_INT(cap, 2 * 204800ULL << 20, "capacity: both");
        TAP_OK(v[1].flags == HR_PV_KEEP_DUP, "flagged as counted under keep duplicates");
    }
    free(v);
    hr_prof_rows_free(r);
    hr_profile_free(p);
}

/* Rows indexed by strings (a length and the bytes: longer than the
 * inline index) and by integers, mixed and out of order. */
static void test_long_index(void)
{
    struct hr_profile *p = parse(
        "profile x\nwrites .1.3.6.1.4.1.99.1 {\n name 2\n count 3\n}\n");
    const struct hr_prof_table *t = p ? &p->tables[0] : NULL;
    struct hr_prof_rows *r;
    struct hr_prof_counter *k = NULL;
    static const char *const names[] = { "volume-zeta", "vol-a", "volume-alpha" };
    ssize_t n;

    if (!t) {
        TAP_OK(0, "long index profile parses");
        return;
    }
    r = hr_prof_rows_new(t);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < HR_ARRAY_LEN(names); i++) {
            uint32_t oid[HR_PROF_OID_MAX];
            size_t len = t->entry.len, sl = strlen(names[i]);
            memcpy(oid, t->entry.sub, len * sizeof *oid);
            oid[len++] = pass ? 3 : 2;
            oid[len++] = (uint32_t)sl;
            for (size_t j = 0; j < sl; j++)
                oid[len++] = (unsigned char)names[i][j];
            struct hr_value v = pass ? c64(1000 + i) : str(names[i]);
            hr_prof_rows_add(r, oid, len, &v);
        }
    TAP_INT(hr_prof_rows_count(r), 3, "three rows by long string index (both columns joined)");
    n = hr_prof_counters(r, &k);
    TAP_INT(n, 3, "three counters");
    if (n == 3) {
        /* Index order: by length first (5 < 11 = 12 bytes), then bytes. */
        TAP_STR(k[0].name, "vol-a", "shortest index first");
        TAP_STR(k[0].index, ".5.118.111.108.45.97", "... its index as text");
        TAP_OK(k[0].value == 1001, "... and its own counter");
        TAP_STR(k[1].name, "volume-zeta", "then volume-zeta (11 bytes)");
        TAP_OK(k[2].value == 1002 && strcmp(k[2].name, "volume-alpha") == 0,
               "volume-alpha (12 bytes) last, with its counter");
    }
    free(k);
    hr_prof_rows_free(r);
    hr_profile_free(p);
}

int main(void)
{
    test_long_index();
    test_alternatives_and_maps();
    test_shared_free_keep_dup();
    test_host_resources();
    test_halves_text_free();
    test_counters();
    test_source_text();
    return TAP_DONE();
}
