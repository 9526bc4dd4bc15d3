/* disks.h: the host's disks as lsblk sees them, read from sysfs, udev's
 * database, the mount table and /proc/diskstats under a root directory
 * ("/" normally, a fixture tree in tests).  No SNMP here.
 *
 * Every string from the host passes through hr_sanitize() with the size
 * limit of the MIB object that will carry it, and every attribute is read
 * with a size cap, so binary or huge attributes are harmless.
 */
#ifndef HDRM_DISKS_H
#define HDRM_DISKS_H

#include <stddef.h>
#include <stdint.h>

/* Buffer sizes: the MIB's SIZE limits plus the terminating NUL. */
#define DISK_NAME_SZ    65
#define DISK_SERIAL_SZ  256
#define DISK_VENDOR_SZ  65
#define DISK_MODEL_SZ   129
#define DISK_FW_SZ      65
#define VOL_MOUNT_SZ    256
#define VOL_PART_SZ     65
#define VOL_FSTYPE_SZ   33

struct disk_vol {
    char mount[VOL_MOUNT_SZ];
    char part[VOL_PART_SZ];
    char fstype[VOL_FSTYPE_SZ];
    uint64_t capacity;        /* bytes */
    uint64_t used;            /* bytes */
};

struct disk_info {
    char name[DISK_NAME_SZ];
    char serial[DISK_SERIAL_SZ];   /* "" when the device reports none */
    char vendor[DISK_VENDOR_SZ];
    char model[DISK_MODEL_SZ];
    char firmware[DISK_FW_SZ];
    unsigned maj, min;
    uint64_t size_bytes;
    int used_known;                /* something of the disk is mounted */
    uint64_t used, fs_capacity;    /* sums over vols */
    int writes_known;
    uint64_t writes;
    struct disk_vol *vols;
    size_t nvols;
};

struct disks_opts {
    const char *root;              /* "/" or a fixture tree */
    int include_empty;             /* keep devices of size 0 */
    const char *const *ignore;     /* fnmatch patterns of names to skip */
    size_t nignore;
};

/* The default ignore list: loop*, ram*, zram*. */
extern const char *const disks_default_ignore[];
extern const size_t disks_default_nignore;

/* Scan the disks, sorted by name.  -1 with errno if ROOT/sys/block cannot
 * be read; a disk whose attributes are missing or odd is still listed with
 * what could be read. */
int disks_scan(const struct disks_opts *opts, struct disk_info **out, size_t *n);
void disks_free(struct disk_info *disks, size_t n);

/* One line of /proc/diskstats. */
struct disk_stat {
    char name[DISK_NAME_SZ];
    uint64_t writes;          /* field 8: writes completed */
};

/* Read ROOT/proc/diskstats (one read).  -1 with errno on failure. */
int disks_read_stats(const char *root, struct disk_stat **out, size_t *n);

/* The writes counter of NAME in STATS, or -1 if absent. */
int disks_stat_find(const struct disk_stat *stats, size_t n, const char *name, uint64_t *writes);

/* ROOT + PATH ("/" root: PATH itself) into BUF; -1 if it does not fit. */
int disks_path(char *buf, size_t sz, const char *root, const char *path);

/* Undo the mount table's octal escapes (\040 etc.) in place. */
void disks_unescape_mount(char *s);

#endif
