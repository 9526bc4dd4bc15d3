/* decode.c: SNMP cells into headroom's row structs, driven by column specs
 * (contract in hdrm.h).  Agents are untrusted: every cell is checked
 * against the type the MIB gives its column, strings are sanitized, and a
 * wrong cell is ignored and counted without hiding the row's other cells.
 */
#include "hdrm.h"
#include "snmp.h"
#include "hr_hash.h"
#include "hr_util.h"
#include "hdrm_oids.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <stdlib.h>
#include <string.h>

static int days_in_month(int y, int m)
{
    static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : d[m - 1];
}

int hr_snmp_dateandtime(const unsigned char *p, size_t len, int64_t *out)
{
    int y, mo, d, h, mi, s;
    int64_t days;

    if (len == 0)
        return 1;
    if (len != 8 && len != 11)
        return -1;
    y = p[0] << 8 | p[1];
    mo = p[2], d = p[3], h = p[4], mi = p[5], s = p[6];
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
        h > 23 || mi > 59 || s > 60 || p[7] > 9)
        return -1;
    /* Days since the epoch, civil calendar (proleptic Gregorian). */
    {
        int yy = mo <= 2 ? y - 1 : y;
        int era = yy / 400, yoe = yy - era * 400;
        int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        days = (int64_t)era * 146097 + doe - 719468;
    }
    *out = days * 86400 + h * 3600 + mi * 60 + s;
    if (len == 11) {
        int off;

        if ((p[8] != '+' && p[8] != '-') || p[9] > 13 || p[10] > 59)
            return -1;
        off = p[9] * 3600 + p[10] * 60;
        /* The value is local time at UTC+off: UTC = local - off. */
        *out -= p[8] == '+' ? off : -off;
    }
    return 0;
}

/* The unsigned value of V if its type may carry column C.  0 or -1. */
static int cell_unsigned(const struct hr_snmp_col *c, const netsnmp_variable_list *v,
                         unsigned flags, uint64_t *out)
{
    if (!(flags & HR_CELL_ANY_UNSIGNED) && v->type != c->asn_type)
        return -1;
    switch (v->type) {
    case ASN_GAUGE:             /* Gauge32 and Unsigned32 share tag 0x42 */
    case ASN_COUNTER:
    case ASN_TIMETICKS:
        /* 2^32 + 7 in a Gauge32 is out of the type's range, not 7: refused
         * when it arrives whole, and when net-snmp cut it while parsing
         * the PDU (hr_snmp_cut32). */
        if ((unsigned long)*v->val.integer > 0xffffffffUL || hr_snmp_cut32())
            return -1;
        *out = (uint32_t)*v->val.integer;
        return 0;
    case ASN_COUNTER64:
        *out = ((uint64_t)(v->val.counter64->high & 0xffffffffUL) << 32) |
               (v->val.counter64->low & 0xffffffffUL);
        return 0;
    default:
        return -1;
    }
}

/* Store an unsigned cell.  A column with a unit (shift) is a 32-bit stand-in
 * for a byte column: at 4294967295 it only says "does not fit" (the MIB's
 * rule), which is kept as a value (a lower bound) but marked saturated, and
 * a value already known is not overwritten by it. */
static void put_unsigned(const struct hr_snmp_col *c, char *row, struct hr_row_state *st,
                         unsigned col, uint64_t u)
{
    if (c->shift) {
        if (u >= UINT32_MAX) {
            if (hr_hdrm_known(st, col))
                return;                 /* a real value came first */
            st->seen |= HR_COL_BIT(col);
            st->sat |= HR_COL_BIT(col);
            if (u > UINT32_MAX)
                return;                 /* lenient reader, Counter64: no bound */
        } else {
            st->sat &= ~HR_COL_BIT(col);
        }
        u <<= c->shift;
    }
    st->seen |= HR_COL_BIT(col);
    if (c->prefer && (st->seen & HR_COL_BIT(c->prefer)))
        return;
    if (c->size == sizeof(uint64_t)) {
        memcpy(row + c->off, &u, sizeof(u));
    } else {
        uint32_t u32 = (uint32_t)u;
        memcpy(row + c->off, &u32, sizeof(u32));
    }
}

int hr_snmp_cell(const struct hr_snmp_table *t, void *rowp, struct hr_row_state *st,
                 unsigned col, const netsnmp_variable_list *v, unsigned flags)
{
    const struct hr_snmp_col *c;
    char *row = rowp;
    unsigned *rflags = (unsigned *)(void *)(row + t->flags_off);
    uint64_t u;
    int64_t when;
    size_t n;
    int rc;

    if (col >= t->ncols || t->cols[col].kind == HR_CELL_NONE)
        return 1;
    c = &t->cols[col];
    switch (c->kind) {
    case HR_CELL_STRING:
        if (v->type != ASN_OCTET_STR)
            goto bad;
        n = hr_sanitize(row + c->off, c->size, v->val.string, v->val_len);
        if (n != v->val_len || !hr_is_clean_utf8(v->val.string, v->val_len))
            *rflags |= t->sanitized_flag;
        break;
    case HR_CELL_KEY: {
        size_t cap = v->val_len * 3 + 1;
        char *whole;
        if (v->type != ASN_OCTET_STR)
            goto bad;
        /* The common case, a clean value that fits: as a string column. */
        if (v->val_len < c->size &&
            hr_sanitize(row + c->off, c->size, v->val.string, v->val_len) == v->val_len &&
            hr_is_clean_utf8(v->val.string, v->val_len))
            break;
        /* Else sanitized whole (a replaced byte takes 3), then fitted. */
        if (!(whole = malloc(cap)))
            goto bad;
        n = hr_sanitize(whole, cap, v->val.string, v->val_len);
        if (n != v->val_len || !hr_is_clean_utf8(v->val.string, v->val_len))
            *rflags |= t->sanitized_flag;
        rc = hr_key_fit(whole, n, row + c->off, c->size);
        free(whole);
        if (rc < 0)
            goto bad;
        if (rc > 0)
            *rflags |= t->sanitized_flag;
        break;
    }
    case HR_CELL_UNSIGNED:
        if (cell_unsigned(c, v, flags, &u) < 0)
            goto bad;
        put_unsigned(c, row, st, col, u);
        *rflags |= c->flag;
        return 0;
    case HR_CELL_INTEGER:
        if (v->type != ASN_INTEGER || *v->val.integer < c->min || *v->val.integer > c->max ||
            hr_snmp_cut32())
            goto bad;
        {
            int iv = (int)*v->val.integer;
            memcpy(row + c->off, &iv, sizeof(iv));
        }
        break;
    case HR_CELL_DATE:
        if (v->type != ASN_OCTET_STR)
            goto bad;
        rc = hr_snmp_dateandtime(v->val.string, v->val_len, &when);
        if (rc < 0)
            goto bad;
        if (rc > 0)
            return 0;           /* empty: not configured */
        memcpy(row + c->off, &when, sizeof(when));
        break;
    case HR_CELL_NONE:
        return 1;
    }
    st->seen |= HR_COL_BIT(col);
    *rflags |= c->flag;
    return 0;
bad:
    *rflags |= t->bad_flag;
    st->bad++;
    return -1;
}

/* ---- hdrmDeviceTable ------------------------------------------------------ */

#define F(field) .off = offsetof(struct hr_dev_row, field), \
                 .size = sizeof(((struct hr_dev_row *)0)->field)
#define COL(sub) [HDRM_SUBID_##sub] = { .name = #sub
#define STR(sub, field)  COL(sub), .kind = HR_CELL_STRING, .asn_type = ASN_OCTET_STR, F(field) }
#define G64(sub, field, fl) \
    COL(sub), .kind = HR_CELL_UNSIGNED, .asn_type = ASN_COUNTER64, F(field), .flag = fl }
#define G32(sub, field)  COL(sub), .kind = HR_CELL_UNSIGNED, .asn_type = ASN_GAUGE, F(field) }
/* The MiB columns are read for SNMPv1 managers' sake (RFC 3584 4.2.2.1: no
 * Counter64 in v1); the byte columns win when both are present. */
#define MIBCOL(sub, field, bytes) COL(sub), .kind = HR_CELL_UNSIGNED, .asn_type = ASN_GAUGE, \
    .shift = 20, .prefer = HDRM_SUBID_##bytes, F(field) }
#define DATE(sub, field, fl) COL(sub), .kind = HR_CELL_DATE, .asn_type = ASN_OCTET_STR, \
    F(field), .flag = fl }

static const struct hr_snmp_col dev_cols[HR_HDRM_LAST_COL + 1] = {
    STR(hdrmDevName, name),
    COL(hdrmDevSerial), .kind = HR_CELL_KEY, .asn_type = ASN_OCTET_STR, F(serial) },
    STR(hdrmDevVendor, vendor),
    STR(hdrmDevModelName, model_name),
    STR(hdrmDevModelNumber, model_number),
    STR(hdrmDevProductNumber, product_number),
    STR(hdrmDevFirmware, firmware),
    STR(hdrmDevConfig, config),
    G64(hdrmDevCapacity, capacity, HR_ROW_CAPACITY_KNOWN),
    MIBCOL(hdrmDevCapacityMiB, capacity, hdrmDevCapacity),
    G64(hdrmDevCacheSize, cache_size, 0),
    MIBCOL(hdrmDevCacheSizeMiB, cache_size, hdrmDevCacheSize),
    G64(hdrmDevUsed, used, HR_ROW_USED_KNOWN),
    MIBCOL(hdrmDevUsedMiB, used, hdrmDevUsed),
    COL(hdrmDevUsedPercent), .kind = HR_CELL_INTEGER, .asn_type = ASN_INTEGER,
        F(used_percent), .min = -1, .max = 100 },
    G64(hdrmDevWrites, writes, HR_ROW_WRITES),
    G32(hdrmDevPeakWrites, peak),
    G32(hdrmDevPeakWritesPrev, peak_prev),
    G32(hdrmDevWindow, window),
    G32(hdrmDevWriteRateAvg, rate_avg),
    DATE(hdrmDevSaleDate, sale_date, HR_ROW_SALE_DATE),
    STR(hdrmDevPrice, price),
    STR(hdrmDevCustomerId, customer_id),
    STR(hdrmDevRegNumber, reg_number),
    DATE(hdrmDevLastUpdate, last_update, HR_ROW_LAST_UPDATE),
};
#undef F
#undef COL
#undef STR
#undef G64
#undef G32
#undef MIBCOL
#undef DATE

_Static_assert(HDRM_SUBID_hdrmDevName == HR_HDRM_FIRST_COL &&
               HDRM_SUBID_hdrmDevLastUpdate == HR_HDRM_LAST_COL,
               "hdrmDeviceTable columns moved in the MIB");

const struct hr_snmp_table hr_hdrm_dev_table = {
    .name = "hdrmDeviceTable",
    .cols = dev_cols,
    .ncols = HR_ARRAY_LEN(dev_cols),
    .flags_off = offsetof(struct hr_dev_row, flags),
    .bad_flag = HR_ROW_BAD_TYPE,
    .sanitized_flag = HR_ROW_SANITIZED,
};

void hr_hdrm_row_init(struct hr_dev_row *r, struct hr_row_state *st, uint32_t index)
{
    memset(r, 0, sizeof(*r));
    memset(st, 0, sizeof(*st));
    r->index = index;
    r->used_percent = -1;
}

int hr_hdrm_cell(struct hr_dev_row *r, struct hr_row_state *st, unsigned col,
                 const netsnmp_variable_list *v, unsigned flags)
{
    return hr_snmp_cell(&hr_hdrm_dev_table, r, st, col, v, flags);
}

void hr_hdrm_row_finish(struct hr_dev_row *r, const struct hr_row_state *st)
{
    /* A MiB column at 4294967295 says only "does not fit": without the
     * byte column that value is unknown, not 4 PiB. */
    if (hr_hdrm_known(st, HDRM_SUBID_hdrmDevUsedMiB))
        r->flags |= HR_ROW_USED_KNOWN;
    if (hr_hdrm_known(st, HDRM_SUBID_hdrmDevCapacityMiB))
        r->flags |= HR_ROW_CAPACITY_KNOWN;
    if (!(r->flags & HR_ROW_USED_KNOWN))
        r->used = 0;
    if (!(r->flags & HR_ROW_CAPACITY_KNOWN))
        r->capacity = 0;
    if ((st->seen & HR_COL_BIT(HDRM_SUBID_hdrmDevPeakWrites)) &&
        (st->seen & HR_COL_BIT(HDRM_SUBID_hdrmDevWindow)))
        r->flags |= HR_ROW_PEAK;
    if (!(st->seen & HR_COL_BIT(HDRM_SUBID_hdrmDevSerial)) ||
        !(st->seen & (HR_COL_BIT(HDRM_SUBID_hdrmDevCapacity) |
                      HR_COL_BIT(HDRM_SUBID_hdrmDevCapacityMiB))))
        r->flags |= HR_ROW_MISSING_COL;
}
