/* entity.h: the ENTITY-MIB (RFC 6933) entPhysicalTable rows headroomd
 * serves -- one chassis row for this host and one row per disk -- built
 * as plain structs so that they can be tested without an agent.  No SNMP
 * here; agent.c registers the table and maps columns to these fields.
 */
#ifndef HDRM_ENTITY_H
#define HDRM_ENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "disks.h"

/* IANAPhysicalClass (IANA-ENTITY-MIB, the TC RFC 6933 moved to IANA). */
#define ENT_CLASS_CHASSIS        3
#define ENT_CLASS_STORAGE_DRIVE  15     /* added by IANA in 2015-07 */

/* TruthValue (SNMPv2-TC) */
#define ENT_TRUE   1
#define ENT_FALSE  2

/* The host is entPhysicalIndex 1; the disk with devdb index N is N + 1. */
#define ENT_CHASSIS_INDEX  1
#define ENT_INDEX_MAX      2147483647   /* PhysicalIndex: Integer32 (1..2147483647) */

/* Buffer sizes: SnmpAdminString is SIZE (0..255); entPhysicalSerialNum,
 * entPhysicalAlias and entPhysicalAssetID are SIZE (0..32); plus the NUL. */
#define ENT_STR_SZ    256
#define ENT_SHORT_SZ  33

struct ent_phys {
    int32_t index;
    int32_t contained_in;           /* 0: not contained in anything */
    int32_t parent_rel_pos;         /* -1: unknown */
    int phys_class;
    int is_fru;                     /* ENT_TRUE / ENT_FALSE */
    char descr[ENT_STR_SZ];
    char name[ENT_STR_SZ];
    char hardware_rev[ENT_STR_SZ];
    char firmware_rev[ENT_STR_SZ];
    char software_rev[ENT_STR_SZ];
    char serial[ENT_SHORT_SZ];
    char mfg[ENT_STR_SZ];
    char model[ENT_STR_SZ];
    uint8_t uuid[16];
    size_t uuid_len;                /* 0 (unknown) or 16 */
};

/* The entPhysicalIndex of the disk with devdb index DEVIDX, or -1 when
 * it does not fit PhysicalIndex. */
int32_t ent_disk_index(uint32_t devidx);

/* Capacity as disk vendors print it: decimal units, one decimal
 * ("1.0 TB", "512.1 GB", "0 B"). */
void ent_capacity_str(uint64_t bytes, char *buf, size_t sz);

/* The row of a disk.  VENDOR and MODEL are what hdrmDevVendor and
 * hdrmDevModelName carry (sysfs, else the configuration).  -1 when DEVIDX
 * has no entPhysicalIndex. */
int ent_phys_disk(struct ent_phys *e, uint32_t devidx, const struct disk_info *d,
                  const char *vendor, const char *model);

/* The chassis row for the host, from ROOT/sys/class/dmi/id (vendor,
 * product, version, serial, BIOS version, UUID) and ROOT/proc/sys/kernel
 * (hostname, osrelease).  Missing or unreadable files leave fields empty
 * (the DMI serial and UUID are readable by root only). */
void ent_phys_chassis(struct ent_phys *e, const char *root);

#endif
