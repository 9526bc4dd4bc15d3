/* disks.c: disk discovery under a root directory; see disks.h. */
#include "disks.h"
#include "hr_util.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* sysfs attributes are at most a page; anything longer is not ours to trust. */
#define ATTR_MAX    4096
#define UDEV_MAX    (64 * 1024)
/* /proc tables are read whole (a cut line would read as a small number):
 * this is only the bound past which headroomd refuses the file. */
#define TABLE_MAX   (256 * 1024 * 1024)

const char *const disks_default_ignore[] = { "loop*", "ram*", "zram*" };
const size_t disks_default_nignore = HR_ARRAY_LEN(disks_default_ignore);

int disks_path(char *buf, size_t sz, const char *root, const char *path)
{
    int n;

    if (!root || strcmp(root, "/") == 0 || root[0] == '\0')
        n = snprintf(buf, sz, "%s", path);
    else
        n = snprintf(buf, sz, "%s%s%s", root, path[0] == '/' ? "" : "/", path);
    if (n < 0 || (size_t)n >= sz) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

/* Read ROOT/sys/block/DISK/REL (capped) and sanitize it into DST. */
static int read_attr(const char *root, const char *disk, const char *rel, char *dst, size_t dstsz)
{
    char rp[PATH_MAX], p[PATH_MAX];
    size_t len;
    char *s;

    dst[0] = '\0';
    if (snprintf(rp, sizeof rp, "/sys/block/%s/%s", disk, rel) >= (int)sizeof rp ||
        disks_path(p, sizeof p, root, rp) < 0)
        return -1;
    s = hr_read_regular(p, ATTR_MAX, HR_READ_CUT, &len);
    if (!s)
        return -1;
    /* sysfs ends values with a newline; one inside is hostile data */
    while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
        len--;
    hr_sanitize(dst, dstsz, s, len);
    free(s);
    return 0;
}

static int read_u64_attr(const char *root, const char *disk, const char *rel, uint64_t *v)
{
    char buf[64];

    if (read_attr(root, disk, rel, buf, sizeof buf) < 0)
        return -1;
    return hr_parse_u64(buf, v);
}

static int read_devnum(const char *root, const char *rel_dir, unsigned *maj, unsigned *min)
{
    char buf[32], tail;

    if (read_attr(root, rel_dir, "dev", buf, sizeof buf) < 0)
        return -1;
    if (sscanf(buf, "%u:%u%c", maj, min, &tail) != 2)
        return -1;
    return 0;
}

/* udev's ID_SERIAL_SHORT for block device MAJ:MIN, sanitized into DST. */
static void udev_serial(const char *root, unsigned maj, unsigned min, char *dst, size_t dstsz)
{
    static const char tag[] = "E:ID_SERIAL_SHORT=";
    char rp[64], p[PATH_MAX];
    size_t len;
    char *s, *line, *end;

    snprintf(rp, sizeof rp, "/run/udev/data/b%u:%u", maj, min);
    if (disks_path(p, sizeof p, root, rp) < 0)
        return;
    s = hr_read_regular(p, UDEV_MAX, HR_READ_CUT, &len);
    if (!s)
        return;
    for (line = s; line < s + len; line = end + 1) {
        end = memchr(line, '\n', (size_t)(s + len - line));
        if (!end)
            end = s + len;
        if ((size_t)(end - line) >= sizeof tag - 1 && memcmp(line, tag, sizeof tag - 1) == 0) {
            hr_sanitize(dst, dstsz, line + sizeof tag - 1, (size_t)(end - line) - (sizeof tag - 1));
            break;
        }
    }
    free(s);
}

static int name_ignored(const struct disks_opts *o, const char *name)
{
    for (size_t i = 0; i < o->nignore; i++)
        if (fnmatch(o->ignore[i], name, 0) == 0)
            return 1;
    return 0;
}

/* A block device number belonging to the disk (the disk or a partition). */
struct devnum {
    unsigned maj, min;
    char part[VOL_PART_SZ];
};

/* The disk's own number plus its partitions' (subdirectories with a
 * 'partition' file).  Returns a malloc'd array or NULL (then *n = 0). */
static struct devnum *disk_devnums(const char *root, const struct disk_info *d, size_t *n)
{
    char rp[PATH_MAX], p[PATH_MAX];
    struct devnum *v = malloc(sizeof *v);
    DIR *dir;
    struct dirent *e;

    *n = 0;
    if (!v)
        return NULL;
    v[0].maj = d->maj;
    v[0].min = d->min;
    hr_strlcpy(v[0].part, d->name, sizeof v[0].part);
    *n = 1;
    snprintf(rp, sizeof rp, "/sys/block/%s", d->name);
    if (disks_path(p, sizeof p, root, rp) < 0 || !(dir = opendir(p)))
        return v;
    while ((e = readdir(dir))) {
        char sub[PATH_MAX], pp[PATH_MAX];
        struct stat st;
        struct devnum *nv;

        if (e->d_name[0] == '.')
            continue;
        if (snprintf(sub, sizeof sub, "%s/%s", d->name, e->d_name) >= (int)sizeof sub)
            continue;
        if (snprintf(rp, sizeof rp, "/sys/block/%s/partition", sub) >= (int)sizeof rp ||
            disks_path(pp, sizeof pp, root, rp) < 0 || stat(pp, &st) < 0)
            continue;
        nv = realloc(v, (*n + 1) * sizeof *v);
        if (!nv)
            break;
        v = nv;
        if (read_devnum(root, sub, &v[*n].maj, &v[*n].min) < 0)
            continue;
        hr_sanitize(v[*n].part, sizeof v[*n].part, e->d_name, strlen(e->d_name));
        (*n)++;
    }
    closedir(dir);
    return v;
}

void disks_unescape_mount(char *s)
{
    char *w = s;

    for (char *r = s; *r;) {
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
            r[3] >= '0' && r[3] <= '7') {
            *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
            r += 4;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
}

/* One parsed mountinfo line. */
struct mnt {
    unsigned maj, min;
    char *point;      /* unescaped, raw bytes */
    char *fstype;
};

/* Split a mountinfo line in place: "ID PARENT MAJ:MIN ROOT POINT OPTS
 * [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS" (proc(5)).  0 or -1. */
static int parse_mountinfo_line(char *line, struct mnt *m)
{
    char *f[6], *save = NULL, *tok;
    int i = 0;
    char tail;

    for (tok = strtok_r(line, " ", &save); tok && i < 6; tok = strtok_r(NULL, " ", &save))
        f[i++] = tok;
    if (i < 6 || sscanf(f[2], "%u:%u%c", &m->maj, &m->min, &tail) != 2)
        return -1;
    m->point = f[4];
    /* optional fields end at a lone "-"; f[5] (options) is before them */
    while (tok && strcmp(tok, "-") != 0)
        tok = strtok_r(NULL, " ", &save);
    if (!tok || !(m->fstype = strtok_r(NULL, " ", &save)))
        return -1;
    disks_unescape_mount(m->point);
    disks_unescape_mount(m->fstype);
    return 0;
}

static int add_vol(struct disk_info *d, const char *root, const struct mnt *m, const char *part)
{
    char p[PATH_MAX];
    struct statvfs sv;
    struct disk_vol *nv, *v;

    /* In --root mode the fixture's mount points are real directories under
     * ROOT, so statvfs(ROOT + mount point); on a live host ROOT is "/". */
    if (disks_path(p, sizeof p, root, m->point) < 0 || statvfs(p, &sv) < 0)
        return -1;
    nv = realloc(d->vols, (d->nvols + 1) * sizeof *nv);
    if (!nv)
        return -1;
    d->vols = nv;
    v = &d->vols[d->nvols++];
    memset(v, 0, sizeof *v);
    hr_sanitize(v->mount, sizeof v->mount, m->point, strlen(m->point));
    hr_sanitize(v->part, sizeof v->part, part, strlen(part));
    hr_sanitize(v->fstype, sizeof v->fstype, m->fstype, strlen(m->fstype));
    v->capacity = (uint64_t)sv.f_blocks * sv.f_frsize;
    v->used = (uint64_t)(sv.f_blocks - (sv.f_bfree < sv.f_blocks ? sv.f_bfree : sv.f_blocks)) *
              sv.f_frsize;
    d->used += v->used;
    d->fs_capacity += v->capacity;
    d->used_known = 1;
    return 0;
}

/* Attach to each disk the file systems mounted from it or its partitions,
 * one volume per distinct device number (a file system mounted at several
 * places, or bind-mounted, counts once). */
static void scan_mounts(const char *root, struct disk_info *disks, size_t n)
{
    char p[PATH_MAX];
    size_t len;
    char *text, *line, *end;

    if (disks_path(p, sizeof p, root, "/proc/self/mountinfo") < 0 ||
        !(text = hr_read_regular(p, TABLE_MAX, HR_READ_WHOLE, &len)))
        return;
    struct devnum **nums = calloc(n ? n : 1, sizeof *nums);
    size_t *nnums = calloc(n ? n : 1, sizeof *nnums);
    /* device numbers already counted, per disk (so per disk: dedup) */
    if (!nums || !nnums)
        goto out;
    for (size_t i = 0; i < n; i++)
        nums[i] = disk_devnums(root, &disks[i], &nnums[i]);
    for (line = text; line < text + len; line = end + 1) {
        struct mnt m;

        end = memchr(line, '\n', (size_t)(text + len - line));
        if (!end)
            end = text + len;
        *end = '\0';
        if (strlen(line) != (size_t)(end - line) || parse_mountinfo_line(line, &m) < 0)
            continue;
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < nnums[i]; j++) {
                struct devnum *dn = &nums[i][j];
                if (dn->maj != m.maj || dn->min != m.min || dn->maj == UINT_MAX)
                    continue;
                if (add_vol(&disks[i], root, &m, dn->part) == 0)
                    dn->maj = UINT_MAX;           /* counted: later mounts are duplicates */
            }
        }
    }
out:
    if (nums)
        for (size_t i = 0; i < n; i++)
            free(nums[i]);
    free(nums);
    free(nnums);
    free(text);
}

static void scan_one(const struct disks_opts *o, struct disk_info *d)
{
    const char *root = o->root;
    uint64_t sectors;

    if (read_u64_attr(root, d->name, "size", &sectors) == 0)
        d->size_bytes = sectors > UINT64_MAX / 512 ? UINT64_MAX : sectors * 512;
    if (read_devnum(root, d->name, &d->maj, &d->min) < 0)
        d->maj = d->min = UINT_MAX;
    read_attr(root, d->name, "device/vendor", d->vendor, sizeof d->vendor);
    read_attr(root, d->name, "device/model", d->model, sizeof d->model);
    if (read_attr(root, d->name, "device/rev", d->firmware, sizeof d->firmware) < 0 ||
        !d->firmware[0])
        read_attr(root, d->name, "device/firmware_rev", d->firmware, sizeof d->firmware);
    /* NVMe: device/ is the controller, which has the serial; SCSI/ATA
     * disks have none in sysfs, so ask udev's database like lsblk does */
    read_attr(root, d->name, "device/serial", d->serial, sizeof d->serial);
    if (!d->serial[0] && d->maj != UINT_MAX)
        udev_serial(root, d->maj, d->min, d->serial, sizeof d->serial);
}

static int cmp_disk(const void *a, const void *b)
{
    return strcmp(((const struct disk_info *)a)->name, ((const struct disk_info *)b)->name);
}

int disks_scan(const struct disks_opts *o, struct disk_info **out, size_t *n)
{
    char p[PATH_MAX];
    struct disk_info *v = NULL;
    struct disk_stat *st = NULL;
    size_t cnt = 0, nst = 0;
    DIR *dir;
    struct dirent *e;

    *out = NULL;
    *n = 0;
    if (disks_path(p, sizeof p, o->root, "/sys/block") < 0 || !(dir = opendir(p)))
        return -1;
    while ((e = readdir(dir))) {
        struct disk_info *nv, *d;

        if (e->d_name[0] == '.' || name_ignored(o, e->d_name) ||
            strlen(e->d_name) >= DISK_NAME_SZ)   /* no kernel name is that long */
            continue;
        if (!hr_is_clean_utf8(e->d_name, strlen(e->d_name)) || strchr(e->d_name, ' '))
            continue;
        nv = realloc(v, (cnt + 1) * sizeof *v);
        if (!nv)
            break;
        v = nv;
        d = &v[cnt];
        memset(d, 0, sizeof *d);
        hr_strlcpy(d->name, e->d_name, sizeof d->name);
        scan_one(o, d);
        if (d->size_bytes == 0 && !o->include_empty)
            continue;
        cnt++;
    }
    closedir(dir);
    if (cnt > 1)
        qsort(v, cnt, sizeof *v, cmp_disk);
    scan_mounts(o->root, v, cnt);
    if (disks_read_stats(o->root, &st, &nst) == 0) {
        for (size_t i = 0; i < cnt; i++)
            v[i].writes_known = disks_stat_find(st, nst, v[i].name, &v[i].writes) == 0;
        free(st);
    }
    *out = v;
    *n = cnt;
    return 0;
}

void disks_free(struct disk_info *disks, size_t n)
{
    if (!disks)
        return;
    for (size_t i = 0; i < n; i++)
        free(disks[i].vols);
    free(disks);
}

int disks_read_stats(const char *root, struct disk_stat **out, size_t *n)
{
    char p[PATH_MAX];
    size_t len, cnt = 0, cap = 0;
    char *text, *line, *end;
    struct disk_stat *v = NULL;

    *out = NULL;
    *n = 0;
    if (disks_path(p, sizeof p, root, "/proc/diskstats") < 0 ||
        !(text = hr_read_regular(p, TABLE_MAX, HR_READ_WHOLE, &len)))
        return -1;
    for (line = text; line < text + len; line = end + 1) {
        char *fld[8], *save = NULL, *tok;
        size_t nf = 0;
        uint64_t w;

        end = memchr(line, '\n', (size_t)(text + len - line));
        if (!end)
            end = text + len;
        *end = '\0';
        /* major minor name reads merged sectors ms writes ... (proc(5)).
         * A field that is not a whole unsigned number ("-5", "12abc",
         * 2^64) leaves that disk's writes unknown; sscanf would have read
         * 18446744073709551611, 12 and 2^64 - 1. */
        for (tok = strtok_r(line, " \t", &save); tok && nf < 8; tok = strtok_r(NULL, " \t", &save))
            fld[nf++] = tok;
        if (nf < 8 || strlen(fld[2]) >= DISK_NAME_SZ || hr_parse_u64(fld[7], &w) < 0)
            continue;
        if (hr_array_grow(&v, &cap, cnt + 1, sizeof *v) < 0)
            break;
        hr_strlcpy(v[cnt].name, fld[2], sizeof v[cnt].name);
        v[cnt].writes = w;
        cnt++;
    }
    free(text);
    *out = v;
    *n = cnt;
    return 0;
}

int disks_stat_find(const struct disk_stat *stats, size_t n, const char *name, uint64_t *writes)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(stats[i].name, name) == 0) {
            *writes = stats[i].writes;
            return 0;
        }
    }
    return -1;
}
