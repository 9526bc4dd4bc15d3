/* entity.c: ENTITY-MIB entPhysicalTable rows; see entity.h.
 *
 * Choices (RFC 6933 section 5 and IANA-ENTITY-MIB):
 * - a disk is storageDrive(15), the class IANA added for "disk drive (HDD),
 *   solid state device (SSD) ..."; module(9) would be the older habit, but
 *   it means a self-contained sub-system such as a line card, and
 *   LibreNMS ships IANA-ENTITY-MIB with storageDrive, so it names the class;
 * - the host is a chassis(3) row at index 1 and every disk is contained in
 *   it, the tree NMS inventory views draw;
 * - entPhysicalParentRelPos is -1: sysfs does not tell the bay a disk sits
 *   in, and the RFC asks for -1 when the position is unknown (and for a
 *   row contained in nothing);
 * - disks are FRUs, the chassis is not.
 */
#include "entity.h"
#include "hr_util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* DMI placeholders firmware vendors leave in unset fields: no information. */
static const char *const dmi_junk[] = {
    "To Be Filled By O.E.M.", "To be filled by O.E.M.", "Default string",
    "Not Specified", "Not Applicable", "System Product Name", "System Serial Number",
    "System Version", "None", "0123456789",
};

int32_t ent_disk_index(uint32_t devidx)
{
    if (devidx == 0 || devidx >= ENT_INDEX_MAX)
        return -1;
    return (int32_t)devidx + 1;
}

void ent_capacity_str(uint64_t bytes, char *buf, size_t sz)
{
    static const char *const unit[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
    double v = (double)bytes;
    size_t u = 0;

    if (bytes < 1000) {
        snprintf(buf, sz, "%u B", (unsigned)bytes);
        return;
    }
    while (v >= 999.95 && u + 1 < HR_ARRAY_LEN(unit)) {
        v /= 1000.0;
        u++;
    }
    snprintf(buf, sz, "%.1f %s", v, unit[u]);
}

/* "A B" of the non-empty ones, sanitized into DST (DSTSZ). */
static void join2(char *dst, size_t dstsz, const char *a, const char *b)
{
    char tmp[2 * ENT_STR_SZ + 2];

    snprintf(tmp, sizeof tmp, "%s%s%s", a, (*a && *b) ? " " : "", b);
    hr_sanitize(dst, dstsz, tmp, strlen(tmp));
}

/* SRC cut to DSTSZ - 1 bytes on a character boundary (the disk strings are
 * already clean; this only shortens, e.g. a 255-byte serial to 32). */
static void put(char *dst, size_t dstsz, const char *src)
{
    hr_sanitize(dst, dstsz, src, strlen(src));
}

int ent_phys_disk(struct ent_phys *e, uint32_t devidx, const struct disk_info *d,
                  const char *vendor, const char *model)
{
    char cap[32], what[ENT_STR_SZ], descr[ENT_STR_SZ + 40];
    int32_t idx = ent_disk_index(devidx);

    memset(e, 0, sizeof *e);
    if (idx < 0)
        return -1;
    e->index = idx;
    e->contained_in = ENT_CHASSIS_INDEX;
    e->parent_rel_pos = -1;
    e->phys_class = ENT_CLASS_STORAGE_DRIVE;
    e->is_fru = ENT_TRUE;
    ent_capacity_str(d->size_bytes, cap, sizeof cap);
    join2(what, sizeof what, vendor, model);
    /* "ATA Samsung SSD 860, 1.0 TB": the capacity survives a long model */
    snprintf(descr, sizeof descr, "%s, %s", what[0] ? what : "disk", cap);
    if (strlen(descr) >= sizeof e->descr) {
        size_t keep = sizeof e->descr - 1 - strlen(cap) - 2;
        char cut[ENT_STR_SZ];
        put(cut, keep + 1, what);
        snprintf(descr, sizeof descr, "%s, %s", cut, cap);
    }
    put(e->descr, sizeof e->descr, descr);
    put(e->name, sizeof e->name, d->name);
    put(e->firmware_rev, sizeof e->firmware_rev, d->firmware);
    put(e->serial, sizeof e->serial, d->serial);
    put(e->mfg, sizeof e->mfg, vendor);
    put(e->model, sizeof e->model, model);
    return 0;
}

/* ROOT/REL, sanitized into DST; "" when missing, unreadable or a DMI
 * placeholder. */
static void read_attr(char *dst, size_t dstsz, const char *root, const char *rel)
{
    char path[PATH_MAX];
    size_t len;
    char *s;

    dst[0] = '\0';
    if (disks_path(path, sizeof path, root, rel) < 0)
        return;
    s = hr_read_regular(path, 4096, HR_READ_CUT, &len);
    if (!s)
        return;
    hr_sanitize(dst, dstsz, s, len && s[len - 1] == '\n' ? len - 1 : len);
    free(s);
    for (size_t i = 0; i < HR_ARRAY_LEN(dmi_junk); i++)
        if (strcmp(dst, dmi_junk[i]) == 0)
            dst[0] = '\0';
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The text form 8-4-4-4-12 into 16 octets in network order (RFC 4122, as
 * UUIDorZero wants); 0 on success. */
static int parse_uuid(const char *s, uint8_t out[16])
{
    size_t n = 0;

    for (; *s && n < 32; s++) {
        int v;
        if (*s == '-')
            continue;
        if ((v = hexval((unsigned char)*s)) < 0)
            return -1;
        if (n % 2 == 0)
            out[n / 2] = (uint8_t)(v << 4);
        else
            out[n / 2] |= (uint8_t)v;
        n++;
    }
    return n == 32 && *s == '\0' ? 0 : -1;
}

void ent_phys_chassis(struct ent_phys *e, const char *root)
{
    char vendor[ENT_STR_SZ], product[ENT_STR_SZ], os[ENT_STR_SZ], uuid[64];

    memset(e, 0, sizeof *e);
    e->index = ENT_CHASSIS_INDEX;
    e->contained_in = 0;
    e->parent_rel_pos = -1;
    e->phys_class = ENT_CLASS_CHASSIS;
    e->is_fru = ENT_FALSE;
    read_attr(vendor, sizeof vendor, root, "/sys/class/dmi/id/sys_vendor");
    read_attr(product, sizeof product, root, "/sys/class/dmi/id/product_name");
    read_attr(e->hardware_rev, sizeof e->hardware_rev, root, "/sys/class/dmi/id/product_version");
    read_attr(e->serial, sizeof e->serial, root, "/sys/class/dmi/id/product_serial");
    read_attr(e->firmware_rev, sizeof e->firmware_rev, root, "/sys/class/dmi/id/bios_version");
    read_attr(e->name, sizeof e->name, root, "/proc/sys/kernel/hostname");
    read_attr(os, sizeof os, root, "/proc/sys/kernel/osrelease");
    read_attr(uuid, sizeof uuid, root, "/sys/class/dmi/id/product_uuid");
    put(e->mfg, sizeof e->mfg, vendor);
    put(e->model, sizeof e->model, product);
    if (os[0])
        join2(e->software_rev, sizeof e->software_rev, "Linux", os);
    join2(e->descr, sizeof e->descr, vendor, product);
    if (!e->descr[0])
        hr_strlcpy(e->descr, "Linux host", sizeof e->descr);
    if (parse_uuid(uuid, e->uuid) == 0)
        e->uuid_len = 16;
}
