/* Unit tests for subagent/entity.c: the ENTITY-MIB rows built from disk
 * records and from a host tree (DMI, hostname), with no agent: index
 * mapping, capacity text, SnmpAdminString limits (255 and 32 bytes, cut
 * on a character boundary), hostile and placeholder strings, the UUID. */
#include "../../subagent/entity.h"
#include "hr_util.h"
#include "../tap.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#define FFFD "\xEF\xBF\xBD"

static void check_index(void)
{
    TAP_INT(ent_disk_index(0), -1, "devdb index 0 (never handed out): no row");
    TAP_INT(ent_disk_index(1), 2, "devdb index 1 -> entPhysicalIndex 2 (1 is the chassis)");
    TAP_INT(ent_disk_index(2147483646), 2147483647, "largest index that fits PhysicalIndex");
    TAP_INT(ent_disk_index(2147483647), -1, "beyond PhysicalIndex: no row");
    TAP_INT(ent_disk_index(UINT32_MAX), -1, "UINT32_MAX: no row");
}

static void check_capacity(void)
{
    static const struct { uint64_t b; const char *want; } c[] = {
        { 0, "0 B" }, { 999, "999 B" }, { 1000, "1.0 kB" },
        { 512110190592ULL, "512.1 GB" }, { 1000204886016ULL, "1.0 TB" },
        { 999960000000ULL, "1.0 TB" },          /* not "1000.0 GB" */
        { 9007199254740992ULL, "9.0 PB" }, { UINT64_MAX, "18.4 EB" },
    };
    char buf[32];

    for (size_t i = 0; i < HR_ARRAY_LEN(c); i++) {
        ent_capacity_str(c[i].b, buf, sizeof buf);
        TAP_STR(buf, c[i].want, "capacity %" PRIu64 " bytes", c[i].b);
    }
}

static void check_disk(void)
{
    struct disk_info d;
    struct ent_phys e;
    char model[300];

    memset(&d, 0, sizeof d);
    hr_strlcpy(d.name, "sda", sizeof d.name);
    hr_strlcpy(d.firmware, "RVT04B6Q", sizeof d.firmware);
    hr_strlcpy(d.serial, "S3Z9NB0K123456", sizeof d.serial);
    d.size_bytes = 1000204886016ULL;
    TAP_INT(ent_phys_disk(&e, 2, &d, "ATA", "Samsung SSD 860"), 0, "disk row built");
    TAP_INT(e.index, 3, "index devdb + 1");
    TAP_INT(e.phys_class, ENT_CLASS_STORAGE_DRIVE, "storageDrive(15)");
    TAP_INT(e.contained_in, ENT_CHASSIS_INDEX, "contained in the chassis");
    TAP_INT(e.parent_rel_pos, -1, "position unknown");
    TAP_INT(e.is_fru, ENT_TRUE, "a disk is a FRU");
    TAP_STR(e.descr, "ATA Samsung SSD 860, 1.0 TB", "descr: vendor model, capacity");
    TAP_STR(e.name, "sda", "name: kernel name");
    TAP_STR(e.firmware_rev, "RVT04B6Q", "firmware");
    TAP_STR(e.serial, "S3Z9NB0K123456", "serial");
    TAP_STR(e.mfg, "ATA", "mfg = hdrmDevVendor");
    TAP_STR(e.model, "Samsung SSD 860", "model");
    TAP_STR(e.hardware_rev, "", "no hardware revision");
    TAP_INT(e.uuid_len, 0, "no UUID for a disk");

    TAP_INT(ent_phys_disk(&e, 2, &d, "", ""), 0, "no vendor, no model");
    TAP_STR(e.descr, "disk, 1.0 TB", "descr falls back to 'disk'");

    /* serial of 255 bytes (what hdrmDevSerial may carry) -> 32 */
    memset(d.serial, 'S', DISK_SERIAL_SZ - 1);
    d.serial[DISK_SERIAL_SZ - 1] = '\0';
    ent_phys_disk(&e, 2, &d, "", "");
    TAP_INT(strlen(e.serial), 32, "255-byte serial cut to entPhysicalSerialNum's 32");
    /* 2-byte characters: 32 bytes end on a boundary; 3-byte ones do not */
    d.serial[0] = '\0';
    for (int i = 0; i < 20; i++)
        strcat(d.serial, "\xC3\x84");            /* U+00C4 */
    ent_phys_disk(&e, 2, &d, "", "");
    TAP_INT(strlen(e.serial), 32, "20 two-byte characters: 16 kept");
    d.serial[0] = '\0';
    for (int i = 0; i < 20; i++)
        strcat(d.serial, FFFD);
    ent_phys_disk(&e, 2, &d, "", "");
    TAP_INT(strlen(e.serial), 30, "three-byte characters never split (30 bytes)");
    TAP_OK(hr_is_clean_utf8(e.serial, strlen(e.serial)), "cut serial is valid UTF-8");

    /* a model that fills SnmpAdminString: descr stays <= 255 and keeps
     * the capacity at its end */
    memset(model, 'M', 254);
    model[254] = '\0';
    d.size_bytes = 2000398934016ULL;
    ent_phys_disk(&e, 5, &d, "WDC", model);
    TAP_OK(strlen(e.descr) <= 255, "long model: descr within 255 bytes (%zu)", strlen(e.descr));
    TAP_OK(strlen(e.descr) > 8 && strcmp(e.descr + strlen(e.descr) - 8, ", 2.0 TB") == 0,
           "long model: descr ends with the capacity");
    TAP_INT(strlen(e.model), 254, "model kept whole (within 255)");
    TAP_INT(ent_phys_disk(&e, 2147483647, &d, "", ""), -1, "no row beyond PhysicalIndex");
}

static int put(const char *root, const char *rel, const void *data, size_t len)
{
    char p[PATH_MAX];

    snprintf(p, sizeof p, "%s%s", root, rel);
    return hr_write_file_atomic(p, data, len, 0644);
}

static void check_chassis(const char *root)
{
    struct ent_phys e;
    char dmi[PATH_MAX], kern[PATH_MAX], big[200];

    ent_phys_chassis(&e, root);
    TAP_INT(e.index, 1, "chassis index 1");
    TAP_INT(e.phys_class, ENT_CLASS_CHASSIS, "chassis(3)");
    TAP_INT(e.contained_in, 0, "chassis contained in nothing");
    TAP_INT(e.is_fru, ENT_FALSE, "the host is not a FRU");
    TAP_STR(e.descr, "Linux host", "empty tree: descr 'Linux host'");
    TAP_STR(e.name, "", "empty tree: no host name");
    TAP_INT(e.uuid_len, 0, "empty tree: no UUID");

    snprintf(dmi, sizeof dmi, "%s/sys/class/dmi/id", root);
    snprintf(kern, sizeof kern, "%s/proc/sys/kernel", root);
    TAP_OK(hr_mkdirs(dmi, 0755) == 0 && hr_mkdirs(kern, 0755) == 0, "host tree");
    put(root, "/sys/class/dmi/id/sys_vendor", "Evil\r\nCorp\0X\xff\n", 14);
    put(root, "/sys/class/dmi/id/product_name", "To Be Filled By O.E.M.\n", 23);
    put(root, "/sys/class/dmi/id/product_version", "  v2  \n", 7);
    memset(big, 'Z', sizeof big);
    put(root, "/sys/class/dmi/id/product_serial", big, sizeof big);
    put(root, "/sys/class/dmi/id/product_uuid", "4C4C4544-0031-3410-8052-B4C04F4E4332\n", 37);
    put(root, "/proc/sys/kernel/hostname", "web1\n", 5);
    put(root, "/proc/sys/kernel/osrelease", "6.1.0-18-amd64\n", 15);
    ent_phys_chassis(&e, root);
    TAP_STR(e.mfg, "Evil" FFFD FFFD "Corp" FFFD "X" FFFD, "DMI vendor: CR, LF, NUL, 8-bit replaced");
    TAP_STR(e.model, "", "DMI placeholder 'To Be Filled By O.E.M.' dropped");
    TAP_STR(e.descr, "Evil" FFFD FFFD "Corp" FFFD "X" FFFD, "descr: vendor alone");
    TAP_STR(e.hardware_rev, "v2", "product_version trimmed");
    TAP_INT(strlen(e.serial), 32, "200-byte DMI serial cut to 32");
    TAP_STR(e.name, "web1", "name: host name");
    TAP_STR(e.software_rev, "Linux 6.1.0-18-amd64", "software: kernel release");
    TAP_INT(e.uuid_len, 16, "UUID parsed");
    TAP_OK(e.uuid_len == 16 && e.uuid[0] == 0x4C && e.uuid[4] == 0x00 && e.uuid[15] == 0x32,
           "UUID octets in text order");
    put(root, "/sys/class/dmi/id/product_uuid", "4C4C4544-0031-3410-8052-B4C04F4E43\n", 35);
    ent_phys_chassis(&e, root);
    TAP_INT(e.uuid_len, 0, "short UUID ignored");
    put(root, "/sys/class/dmi/id/product_uuid", "4C4C4544-0031-3410-8052-B4C04F4E43ZZ\n", 37);
    ent_phys_chassis(&e, root);
    TAP_INT(e.uuid_len, 0, "non-hex UUID ignored");
}

int main(void)
{
    char root[] = "/tmp/test_entity.XXXXXX";
    char cmd[PATH_MAX + 16];

    check_index();
    check_capacity();
    check_disk();
    if (!mkdtemp(root)) {
        TAP_OK(0, "mkdtemp");
        return TAP_DONE();
    }
    check_chassis(root);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", root);
    return TAP_DONE();
}
