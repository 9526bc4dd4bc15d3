/* libFuzzer harness of headroomd's parsers of untrusted input: the state
 * file (devdb_parse), /proc/diskstats, /proc/self/mountinfo and the sysfs
 * attributes of a disk (disks_scan over a scratch root).
 *
 *   make fuzz-subagent
 *   build/fuzz/fuzz_subagent tests/fuzz/corpus/subagent -max_total_time=60
 *
 * The first input byte picks the parser; the corpus is replayed by
 * build/tests/test_fuzz_subagent in `make check` (tests/fuzz/replay.c). */
#include "devdb.h"
#include "disks.h"
#include "scratch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[64];

/* A scratch root with an empty sda disk: sys/block/sda, proc. */
static int root_init(void)
{
    char p[256];

    if (root[0])
        return 0;
    if (scratch_make(root, "fuzz_subagent") < 0)
        return -1;
    snprintf(p, sizeof(p), "%s/sys", root);
    mkdir(p, 0700);
    snprintf(p, sizeof(p), "%s/sys/block", root);
    mkdir(p, 0700);
    snprintf(p, sizeof(p), "%s/sys/block/sda", root);
    mkdir(p, 0700);
    snprintf(p, sizeof(p), "%s/sys/block/sda/device", root);
    mkdir(p, 0700);
    snprintf(p, sizeof(p), "%s/proc", root);
    mkdir(p, 0700);
    snprintf(p, sizeof(p), "%s/proc/self", root);
    mkdir(p, 0700);
    return 0;
}

static void put(const char *rel, const uint8_t *data, size_t size)
{
    char p[256];
    int fd;

    snprintf(p, sizeof(p), "%s/%s", root, rel);
    fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return;
    while (size > 0) {
        ssize_t w = write(fd, data, size);
        if (w <= 0)
            break;
        data += w;
        size -= (size_t)w;
    }
    close(fd);
}

static void fuzz_state(const uint8_t *data, size_t size)
{
    struct devdb db, db2;
    char err[256];
    char *t1, *t2;

    devdb_init(&db);
    devdb_init(&db2);
    if (devdb_parse(&db, (const char *)data, size, err, sizeof(err)) == 0) {
        /* What we write we read back the same. */
        t1 = devdb_format(&db);
        if (t1) {
            if (devdb_parse(&db2, t1, strlen(t1), err, sizeof(err)) != 0)
                __builtin_trap();
            t2 = devdb_format(&db2);
            if (t2 && strcmp(t1, t2) != 0)
                __builtin_trap();
            free(t2);
        }
        free(t1);
    } else if (!err[0]) {
        __builtin_trap();       /* a refusal says why */
    }
    devdb_clear(&db);
    devdb_clear(&db2);
}

static void fuzz_diskstats(const uint8_t *data, size_t size)
{
    struct disk_stat *st = NULL;
    size_t n = 0;
    uint64_t w;

    put("proc/diskstats", data, size);
    if (disks_read_stats(root, &st, &n) == 0) {
        for (size_t i = 0; i < n; i++)
            if (disks_stat_find(st, n, st[i].name, &w) < 0)
                __builtin_trap();
        free(st);
    }
}

static void fuzz_scan(const uint8_t *data, size_t size, int what)
{
    static const char *const attrs[] = { "sys/block/sda/size", "sys/block/sda/device/serial",
                                         "sys/block/sda/device/model", "sys/block/sda/dev" };
    struct disks_opts o = { .root = root, .include_empty = 1 };
    struct disk_info *d = NULL;
    size_t n = 0;

    if (what == 0) {
        put("proc/self/mountinfo", data, size);
    } else {
        put("proc/self/mountinfo", (const uint8_t *)"", 0);
        put(attrs[(what - 1) % 4], data, size);
    }
    if (disks_scan(&o, &d, &n) == 0)
        disks_free(d, n);
    if (what != 0)
        put(attrs[(what - 1) % 4], (const uint8_t *)"1\n", 2);
}

static void fuzz_unescape(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    if (!s)
        return;
    memcpy(s, data, size);
    s[size] = '\0';
    disks_unescape_mount(s);
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || root_init() < 0)
        return 0;
    switch (data[0] % 8) {
    case 0: fuzz_state(data + 1, size - 1); break;
    case 1: fuzz_diskstats(data + 1, size - 1); break;
    case 2: fuzz_unescape(data + 1, size - 1); break;
    default: fuzz_scan(data + 1, size - 1, data[0] % 8 - 3); break;
    }
    return 0;
}
