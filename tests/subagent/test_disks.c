/* Unit tests for subagent/disks.c: sysfs, udev data, mountinfo and
 * diskstats parsing against a fixture tree built here (by
 * tests/subagent/mkfixture.sh, plus a few extra odd files). */
#include "../../subagent/disks.h"
#include "hr_util.h"
#include "../tap.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define FFFD "\xEF\xBF\xBD"

static const struct disk_info *find(const struct disk_info *d, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(d[i].name, name) == 0)
            return &d[i];
    return NULL;
}

static int put(const char *root, const char *rel, const void *data, size_t len)
{
    char p[PATH_MAX];

    snprintf(p, sizeof p, "%s%s", root, rel);
    return hr_write_file_atomic(p, data, len, 0644);
}

static void check_sda(const struct disk_info *d, const char *root)
{
    struct statvfs sv;
    char p[PATH_MAX];

    TAP_OK(d != NULL, "sda found");
    if (!d)
        return;
    TAP_STR(d->vendor, "ATA", "sda vendor trimmed");
    TAP_STR(d->model, "Samsung SSD 860", "sda model trimmed");
    TAP_STR(d->firmware, "RVT04B6Q", "sda firmware from rev");
    TAP_STR(d->serial, "S3Z9NB0K123456", "sda serial from udev ID_SERIAL_SHORT");
    TAP_OK(d->size_bytes == 1953525168ULL * 512, "sda capacity = size * 512");
    TAP_INT(d->maj, 8, "sda major");
    TAP_OK(d->writes_known && d->writes == 5000, "sda writes from diskstats field 8");
    TAP_INT(d->nvols, 2, "sda: two file systems (bind mount counted once, sda3 unmounted)");
    if (d->nvols != 2)
        return;
    TAP_STR(d->vols[0].mount, "/mnt/boot", "first volume /mnt/boot");
    TAP_STR(d->vols[0].part, "sda1", "on sda1");
    TAP_STR(d->vols[0].fstype, "vfat", "vfat");
    TAP_STR(d->vols[1].mount, "/mnt/data disk", "\\040 unescaped to a space");
    TAP_STR(d->vols[1].part, "sda2", "on sda2");
    snprintf(p, sizeof p, "%s/mnt/boot", root);
    TAP_OK(statvfs(p, &sv) == 0, "statvfs of the fixture mount point");
    TAP_OK(d->vols[0].capacity == (uint64_t)sv.f_blocks * sv.f_frsize,
           "volume capacity from statvfs(ROOT + mount point)");
    TAP_OK(d->used_known && d->used == d->vols[0].used + d->vols[1].used,
           "disk used = sum of its volumes");
    TAP_OK(d->fs_capacity == d->vols[0].capacity + d->vols[1].capacity, "fs capacity summed");
}

static void check_others(const struct disk_info *v, size_t n)
{
    const struct disk_info *d;

    d = find(v, n, "nvme0n1");
    TAP_OK(d != NULL, "nvme0n1 found");
    if (d) {
        TAP_STR(d->serial, "S4EWNX0R123456", "NVMe serial from the controller, blanks trimmed");
        TAP_STR(d->model, "Samsung SSD 970 EVO Plus 1TB", "NVMe model");
        TAP_STR(d->firmware, "2B2QEXM7", "NVMe firmware_rev");
        TAP_STR(d->vendor, "", "NVMe has no vendor attribute");
        TAP_INT(d->nvols, 1, "NVMe mounted whole");
    }
    d = find(v, n, "sdb");
    TAP_OK(d != NULL, "sdb found");
    if (d) {
        TAP_OK(!d->used_known && d->nvols == 0, "nothing mounted: used unknown");
        TAP_STR(d->serial, "", "no serial anywhere");
    }
    d = find(v, n, "sdc");
    TAP_OK(d != NULL, "hostile sdc found");
    if (d) {
        TAP_STR(d->serial, "EVIL" FFFD FFFD "Bcc: x" FFFD FFFD, "CR/LF and 8-bit bytes replaced");
        TAP_STR(d->vendor, "Ven" FFFD "dor", "NUL replaced");
        TAP_INT(strlen(d->model), DISK_MODEL_SZ - 1, "4 KiB model cut to the MIB's 128 bytes");
        TAP_STR(d->firmware, FFFD FFFD FFFD, "binary rev replaced");
        TAP_OK(hr_is_clean_utf8(d->serial, strlen(d->serial)), "serial is clean UTF-8");
    }
    d = find(v, n, "sde");
    TAP_OK(d && d->size_bytes == 17592186044416ULL * 512, "8 PiB disk: 64-bit capacity");
    d = find(v, n, "sdf");
    TAP_OK(d != NULL, "disk with only a size file still listed");
    if (d)
        TAP_OK(!d->vendor[0] && !d->model[0] && !d->serial[0] && !d->writes_known,
               "missing attributes are empty, no writes");
    TAP_OK(!find(v, n, "loop0") && !find(v, n, "ram0") && !find(v, n, "zram0"),
           "loop, ram, zram skipped");
    TAP_OK(!find(v, n, "sdd"), "size 0 skipped");
}

int main(void)
{
    char root[] = "/tmp/hrdisksXXXXXX", cmd[PATH_MAX + 64], p[PATH_MAX];
    const char *top = getenv("TOP");
    struct disk_info *v;
    size_t n;
    struct disks_opts o = { 0 };

    TAP_OK(mkdtemp(root) != NULL, "temp dir");
    snprintf(cmd, sizeof cmd, "%s/tests/subagent/mkfixture.sh %s", top ? top : ".", root);
    TAP_INT(system(cmd), 0, "fixture built");
    snprintf(p, sizeof p, "%s/sys/block/sdf", root);
    mkdir(p, 0755);
    TAP_INT(put(root, "/sys/block/sdf/size", "100\n", 4), 0, "bare sdf");

    o.root = root;
    o.ignore = disks_default_ignore;
    o.nignore = disks_default_nignore;
    TAP_INT(disks_scan(&o, &v, &n), 0, "scan");
    TAP_INT(n, 6, "six disks: sda nvme0n1 sdb sdc sde sdf");
    TAP_OK(n >= 2 && strcmp(v[0].name, "nvme0n1") == 0 && strcmp(v[1].name, "sda") == 0,
           "sorted by name");
    check_sda(find(v, n, "sda"), root);
    check_others(v, n);
    disks_free(v, n);

    o.include_empty = 1;
    o.nignore = 0;
    TAP_INT(disks_scan(&o, &v, &n), 0, "scan with everything");
    TAP_INT(n, 10, "include-empty and no ignore list: ten devices");
    const struct disk_info *lp = find(v, n, "loop0");
    TAP_OK(lp && lp->nvols == 1, "loop0 then has its mount");
    disks_free(v, n);

    /* diskstats alone */
    struct disk_stat *st;
    uint64_t w = 0;
    TAP_INT(disks_read_stats(root, &st, &n), 0, "read diskstats");
    TAP_OK(disks_stat_find(st, n, "nvme0n1", &w) == 0 && w == 7000, "nvme0n1 writes 7000");
    TAP_INT(disks_stat_find(st, n, "sdz", &w), -1, "absent name");
    free(st);
    TAP_INT(put(root, "/proc/diskstats", "junk\n 8 0 sda 1 2\n 8 0 sda 1 2 3 4 18446744073709551615 6\n", 57), 0,
            "odd diskstats");
    TAP_INT(disks_read_stats(root, &st, &n), 0, "read odd diskstats");
    TAP_INT(n, 1, "short and junk lines skipped");
    TAP_OK(n == 1 && st[0].writes == UINT64_MAX, "64-bit counter kept");
    free(st);

    /* Fields that do not parse whole leave the disk's writes unknown. */
    {
        static const char hostile[] =
            " 8 0 sda 1 2 3 4 -5 6\n"
            " 8 16 sdb 1 2 3 4 12abc 6\n"
            " 8 32 sdc 1 2 3 4 18446744073709551616 6\n"
            " 8 48 sdd 1 2 3 4 42 6\n";
        TAP_INT(put(root, "/proc/diskstats", hostile, sizeof hostile - 1), 0, "hostile diskstats");
        TAP_INT(disks_read_stats(root, &st, &n), 0, "read hostile diskstats");
        TAP_INT(disks_stat_find(st, n, "sda", &w), -1, "'-5': unknown, not 18446744073709551611");
        TAP_INT(disks_stat_find(st, n, "sdb", &w), -1, "'12abc': unknown, not 12");
        TAP_INT(disks_stat_find(st, n, "sdc", &w), -1, "2^64: unknown, not 2^64 - 1");
        TAP_OK(disks_stat_find(st, n, "sdd", &w) == 0 && w == 42, "a whole number is read");
        free(st);
    }
    /* Read whole whatever the size: 10 MiB of diskstats (past the old
     * 8 MiB cap), the disk that matters on the last line. */
    {
        size_t big = 10u << 20, off = 0;
        char *text = malloc(big + 100);
        while (off < big)
            off += (size_t)sprintf(text + off, " 7 %zu loop%zu 1 2 3 4 5 6\n", off % 1000, off);
        off += (size_t)sprintf(text + off, " 8 0 sdlast 1 2 3 4 987654321 6\n");
        TAP_INT(put(root, "/proc/diskstats", text, off), 0, "a 10 MiB diskstats");
        TAP_INT(disks_read_stats(root, &st, &n), 0, "read it");
        TAP_OK(disks_stat_find(st, n, "sdlast", &w) == 0 && w == 987654321,
               "the last line read whole (%zu lines)", n);
        free(st);
        free(text);
    }
    /* A FIFO where a file should be: refused at once, never waited on. */
    {
        char fifo[PATH_MAX];
        size_t len;
        snprintf(fifo, sizeof fifo, "%s/proc/diskstats", root);
        unlink(fifo);
        TAP_INT(mkfifo(fifo, 0644), 0, "diskstats replaced by a FIFO");
        TAP_INT(disks_read_stats(root, &st, &n), -1, "read_stats returns at once with an error");
        TAP_OK(hr_read_regular(fifo, 4096, HR_READ_CUT, &len) == NULL && errno == EINVAL,
               "hr_read_regular refuses a FIFO (EINVAL)");
        unlink(fifo);
        snprintf(fifo, sizeof fifo, "%s/proc/toolong", root);
        TAP_INT(put(root, "/proc/toolong", "12345", 5), 0, "a 5-byte file");
        TAP_OK(hr_read_regular(fifo, 4, HR_READ_WHOLE, &len) == NULL && errno == EFBIG,
               "a table past its bound: refused (EFBIG), never cut");
        char *ok = hr_read_regular(fifo, 5, HR_READ_WHOLE, &len);
        TAP_OK(ok && len == 5 && strcmp(ok, "12345") == 0, "exactly the bound: read");
        free(ok);
        ok = hr_read_regular(fifo, 3, HR_READ_CUT, &len);
        TAP_OK(ok && len == 3 && strcmp(ok, "123") == 0, "a string attribute is cut at its bound");
        free(ok);
    }

    char esc[] = "/a\\040b\\011c\\134d\\0";
    disks_unescape_mount(esc);
    TAP_STR(esc, "/a b\tc\\d\\0", "octal escapes; a short one left alone");

    /* no sys/block at all */
    o.root = "/nonexistent-root";
    TAP_INT(disks_scan(&o, &v, &n), -1, "missing sys/block is an error, not a crash");

    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    TAP_INT(system(cmd), 0, "cleanup");
    return TAP_DONE();
}
