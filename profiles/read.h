/* read.h: turning what an agent answered into headroom's device model,
 * the way a profile says (docs/profiles.md, "Semantics").
 *
 * Pure functions over values already fetched: the poller (or `headroom
 * profiles test`) walks the tables a profile names and hands every varbind
 * to hr_prof_rows_add; this module applies the profile's filters, units and
 * de-duplication and gives volumes and per-row write counters.  No SNMP
 * library here, so every rule is unit-tested without an agent.
 */
#ifndef HR_PROFILE_READ_H
#define HR_PROFILE_READ_H

#include "profile.h"

#include <stddef.h>
#include <stdint.h>

/* Flags of a volume (why it is not counted, or how it was read). */
#define HR_PV_NEG_FIXED   0x01  /* a negative Integer32 size got 2^32 added */
#define HR_PV_DUPLICATE   0x02  /* repeats an earlier row's size and used: not counted */
#define HR_PV_ZERO        0x04  /* size 0: not counted */
#define HR_PV_BAD         0x08  /* a value missing, of the wrong type or not a number */
#define HR_PV_IMPLAUSIBLE 0x10  /* used above size: not counted */
/* How a counted volume was counted (not reasons to drop it): */
#define HR_PV_SHARED      0x20  /* shares its free space with its group (shared-free) */
#define HR_PV_KEEP_DUP    0x40  /* its table keeps duplicates (keep duplicates) */
#define HR_PV_COUNTED_AS  (HR_PV_NEG_FIXED | HR_PV_SHARED | HR_PV_KEEP_DUP)

struct hr_prof_volume {
    char name[128];             /* sanitized (hr_sanitize) */
    char group[64];             /* HR_PV_SHARED: the group's key */
    uint64_t size, used;        /* bytes */
    unsigned flags;
};

/* A write counter of one row. */
struct hr_prof_counter {
    char name[128];
    char index[64];             /* the row's index, as text: the key across polls */
    uint64_t value;
    int is64;                   /* Counter64 (no 32-bit wrap) */
};

struct hr_prof_rows;

/* Rows of table T (borrowed: T must outlive the rows). */
struct hr_prof_rows *hr_prof_rows_new(const struct hr_prof_table *t);
void hr_prof_rows_free(struct hr_prof_rows *r);

/* One varbind of the walk of T's entry: OID (LEN sub-identifiers) must lie
 * under the entry; its next arc is the column, the rest the row's index.
 * Columns the profile does not name are ignored.  0; 1 when OID is outside
 * the table (the walk is done); -1 out of memory. */
int hr_prof_rows_add(struct hr_prof_rows *r, const uint32_t *oid, size_t len,
                     const struct hr_value *v);
size_t hr_prof_rows_count(const struct hr_prof_rows *r);

/* The volumes of a volumes table, in index order, with flags; every row
 * that passes the type and name filters appears (counted or not).  *OUT is
 * malloc'd (NULL when none).  The count, or -1 out of memory. */
ssize_t hr_prof_volumes(const struct hr_prof_rows *r, struct hr_prof_volume **out);

/* Capacity and used of a device: the sums over VOLS that are counted
 * (no flag outside HR_PV_COUNTED_AS); a volume that repeats an earlier
 * one's size and used is flagged HR_PV_DUPLICATE here (unless its table
 * keeps duplicates).  The volumes of one shared-free group add their used
 * space and the group's free space once (the largest size - used among
 * them).  The number of volumes counted. */
size_t hr_prof_volumes_sum(struct hr_prof_volume *vols, size_t n, uint64_t *capacity,
                           uint64_t *used);

/* The counters of a writes table that pass its filters.  *OUT malloc'd.
 * The count, or -1 out of memory. */
ssize_t hr_prof_counters(const struct hr_prof_rows *r, struct hr_prof_counter **out);

/* Writes between two polls of the same counters: per row (matched by
 * index), a Counter32 that went back is a wrap (2^32 added), a Counter64
 * that went back is unknown; rows that appear or vanish count nothing.
 * RESTARTED (sysUpTime went back) makes the delta unknown.  0 with *DELTA
 * set, or -1 unknown. */
int hr_prof_counters_delta(const struct hr_prof_counter *prev, size_t nprev,
                           const struct hr_prof_counter *cur, size_t ncur, int restarted,
                           uint64_t *delta);

/* The text of an identity value VAL after the source's regex, sanitized,
 * into BUF.  0, or -1 when the value does not match the regex or is
 * empty. */
int hr_prof_source_text(const struct hr_prof_source *s, const struct hr_value *val,
                        char *buf, size_t bufsz);

/* A "text" value ("7.22 TB", "21247.7") in bytes, with SCALE the unit of a
 * bare number.  0 or -1. */
int hr_prof_text_bytes(const char *s, size_t len, enum hr_prof_scale scale, uint64_t *out);

#endif
