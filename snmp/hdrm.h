/* hdrm.h: decoding SNMP table cells into headroom's models (snmp/decode.c).
 *
 * A table is described by data: one column spec per column sub-identifier
 * saying which ASN.1 type the MIB puts on the wire, which field of the row
 * struct receives the value, and in which unit.  One engine
 * (hr_snmp_cell) applies the rules every caller shares: wrong types are
 * ignored and counted, strings are sanitized, 32-bit "MiB" columns stand in
 * for their 64-bit byte columns only when those are absent, and a MiB
 * column at 4294967295 means "does not fit" (it is marked saturated).
 * hdrmDeviceTable is the first table; the profile engine's standard and
 * vendor tables are meant to be more specs next to it.
 *
 * Like snmp.h, this header does not include net-snmp.
 */
#ifndef HR_HDRM_H
#define HR_HDRM_H

#include <stddef.h>
#include <stdint.h>

struct variable_list;           /* netsnmp_variable_list */

/* Bits of hr_dev_row.flags. */
#define HR_ROW_USED_KNOWN    0x0001u  /* used valid: hdrmDevUsed, or its MiB column
                                         below saturation */
#define HR_ROW_SANITIZED     0x0002u  /* a string had bytes replaced or was cut */
#define HR_ROW_BAD_TYPE      0x0004u  /* a column had the wrong ASN.1 type: ignored */
#define HR_ROW_MISSING_COL   0x0008u  /* a mandatory column was absent */
#define HR_ROW_SALE_DATE     0x0010u  /* sale_date valid */
#define HR_ROW_LAST_UPDATE   0x0020u  /* last_update valid */
#define HR_ROW_WRITES        0x0040u  /* writes valid */
#define HR_ROW_PEAK          0x0080u  /* peak, peak_prev, window, rate_avg valid */
#define HR_ROW_CAPACITY_KNOWN 0x0100u /* capacity valid: hdrmDevCapacity, or its MiB
                                         column below 4294967295 ("does not fit") */

/* One row of hdrmDeviceTable as read; strings are sanitized UTF-8 (see
 * hr_sanitize in common/hr_util.h), never NULL. */
struct hr_dev_row {
    uint32_t index;
    char name[65];
    char serial[256];
    char vendor[65];
    char model_name[129];
    char model_number[65];
    char product_number[65];
    char firmware[65];
    char config[256];
    char price[33];
    char customer_id[65];
    char reg_number[33];
    uint64_t capacity;        /* bytes (hdrmDevCapacity, else MiB column x 2^20) */
    uint64_t cache_size;      /* bytes */
    uint64_t used;            /* bytes, valid if HR_ROW_USED_KNOWN */
    int used_percent;         /* -1 unknown */
    uint64_t writes;          /* Counter64 */
    uint32_t peak, peak_prev, window, rate_avg;
    int64_t sale_date;        /* Unix time, valid if HR_ROW_SALE_DATE */
    int64_t last_update;      /* Unix time, valid if HR_ROW_LAST_UPDATE */
    unsigned flags;
};

/* ---- the engine ---------------------------------------------------------- */

enum hr_cell_kind {
    HR_CELL_NONE = 0,         /* not a column we read */
    HR_CELL_STRING,           /* OCTET STRING -> sanitized char[size] */
    HR_CELL_KEY,              /* OCTET STRING -> sanitized char[size]; one too
                                 long is cut and ends with a hash of all of
                                 it (hr_key_fit): a serial never collides */
    HR_CELL_UNSIGNED,         /* Gauge32/Unsigned32 or Counter64 -> uint32_t
                                 or uint64_t, times 2^shift */
    HR_CELL_INTEGER,          /* INTEGER in min..max -> int */
    HR_CELL_DATE,             /* DateAndTime -> int64_t Unix time; empty =
                                 not set */
};

struct hr_snmp_col {
    const char *name;         /* the MIB's object name */
    enum hr_cell_kind kind;
    unsigned char asn_type;   /* what the MIB puts on the wire */
    unsigned char shift;      /* unit: value x 2^shift (MiB columns: 20) */
    unsigned char prefer;     /* sub-id of a column that wins over this one
                                 when both are present (MiB -> bytes); 0 none */
    size_t off, size;         /* the field in the row struct */
    long min, max;            /* HR_CELL_INTEGER range */
    unsigned flag;            /* row flag set when a value is stored */
};

struct hr_snmp_table {
    const char *name;
    const struct hr_snmp_col *cols;   /* indexed by column sub-id */
    unsigned ncols;                   /* sub-ids below ncols */
    size_t flags_off;                 /* the row's `unsigned flags` */
    unsigned bad_flag;                /* set with a wrong type or value */
    unsigned sanitized_flag;          /* set when a string was changed */
};

/* What the engine knows about one row beyond its fields. */
struct hr_row_state {
    uint64_t seen;            /* bit per sub-id: a value of the right type came */
    uint64_t sat;             /* bit per sub-id: a 32-bit unit column said
                                 "does not fit" (4294967295) */
    unsigned bad;             /* cells ignored: wrong type or value */
};

#define HR_COL_BIT(subid) ((uint64_t)1 << (subid))

/* Flags of hr_snmp_cell(). */
#define HR_CELL_ANY_UNSIGNED 0x1u  /* accept Gauge32, Counter32, TimeTicks and
                                      Counter64 for every unsigned column (a
                                      lenient reader: check_headroom) */

/* Decode V, a cell of column COL, into ROW.  0 stored, 1 not a column of
 * TABLE (ignored), -1 wrong type or value (counted in ST, bad_flag set). */
int hr_snmp_cell(const struct hr_snmp_table *table, void *row, struct hr_row_state *st,
                 unsigned col, const struct variable_list *v, unsigned flags);

/* DateAndTime (SNMPv2-TC) of LEN bytes to Unix time.  0 ok, 1 empty (not
 * set), -1 malformed or impossible (February 30). */
int hr_snmp_dateandtime(const unsigned char *p, size_t len, int64_t *out);

/* ---- hdrmDeviceTable ------------------------------------------------------ */

extern const struct hr_snmp_table hr_hdrm_dev_table;

#define HR_HDRM_FIRST_COL 2   /* hdrmDevName */
#define HR_HDRM_LAST_COL  26  /* hdrmDevLastUpdate */

/* A fresh row INDEX (used_percent -1) and its state. */
void hr_hdrm_row_init(struct hr_dev_row *r, struct hr_row_state *st, uint32_t index);

/* One cell of hdrmDeviceTable into R (hr_snmp_cell on hr_hdrm_dev_table). */
int hr_hdrm_cell(struct hr_dev_row *r, struct hr_row_state *st, unsigned col,
                 const struct variable_list *v, unsigned flags);

/* After the walk: the flags that depend on several columns (used known
 * from the MiB column, peak data complete, mandatory columns missing). */
void hr_hdrm_row_finish(struct hr_dev_row *r, const struct hr_row_state *st);

/* 1 if column COL has a value the MIB calls known: present with the right
 * type, and not "does not fit". */
static inline int hr_hdrm_known(const struct hr_row_state *st, unsigned col)
{
    return (st->seen & HR_COL_BIT(col)) && !(st->sat & HR_COL_BIT(col));
}

#endif
