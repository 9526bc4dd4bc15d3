/* test_poller.c: unit tests of the poller's pure parts (the .c is included
 * so its static functions are reachable, as collectd's tests do): varbind
 * decoding into rows, DateAndTime, row ordering and the row cap, the walk's
 * guards against hostile OIDs, and the same guards and SNMPv1's noSuchName
 * handling for the reading through the profiles.  The event loop itself is tested against
 * real agents by tests/collector/test_*.sh. */
#include "../../collector/poller.c"
#include "../tap.h"

static netsnmp_variable_list *vb(const oid *name, size_t len, u_char type,
                                 const void *val, size_t vlen)
{
    netsnmp_variable_list *v = calloc(1, sizeof(*v));

    if (!v)
        abort();
    snmp_set_var_objid(v, name, len);
    snmp_set_var_typed_value(v, type, val, vlen);
    return v;
}

static struct agent *agent_new(void)
{
    static struct hr_target t;
    struct agent *a = calloc(1, sizeof(*a));

    if (!a)
        abort();
    t.version = HR_SNMP_V2C;
    a->t = &t;
    a->rep = DEFAULT_REP;
    a->maxcols = N_COLS;
    for (unsigned c = FIRST_COL; c <= LAST_COL; c++) {
        struct col *cc = &a->cols[c - FIRST_COL];
        memcpy(cc->cur, oid_entry, sizeof(oid_entry));
        cc->cur[ENTRY_LEN] = c;
        cc->cur_len = ENTRY_LEN + 1;
    }
    return a;
}

static void test_dates(void)
{
    const u_char d8[] = { 0x07, 0xe8, 3, 1, 0, 0, 0, 0 };          /* 2024-03-01 */
    const u_char d11[] = { 0x07, 0xe8, 3, 1, 2, 30, 0, 0, '+', 2, 30 };
    const u_char bad[] = { 0x07, 0xe8, 2, 30, 0, 0, 0, 0 };        /* Feb 30 */
    const u_char leap[] = { 0x07, 0xe8, 2, 29, 12, 0, 0, 0 };
    int64_t t = 0;

    TAP_INT(hr_snmp_dateandtime(d8, sizeof(d8), &t), 0, "8-byte DateAndTime parses");
    TAP_INT(t, 1709251200, "2024-03-01 00:00 UTC");
    TAP_INT(hr_snmp_dateandtime(d11, sizeof(d11), &t), 0, "11-byte DateAndTime parses");
    TAP_INT(t, 1709251200, "02:30 at UTC+02:30 is midnight UTC");
    TAP_INT(hr_snmp_dateandtime(bad, sizeof(bad), &t), -1, "February 30 refused");
    TAP_INT(hr_snmp_dateandtime(leap, sizeof(leap), &t), 0, "February 29 of a leap year");
    TAP_INT(hr_snmp_dateandtime(d8, 0, &t), 1, "empty = not configured");
    TAP_INT(hr_snmp_dateandtime(d8, 5, &t), -1, "5 bytes refused");
}

static void test_store(void)
{
    struct rowx x;
    oid name[] = { HDRM_OID_hdrmDevSerial, 1 };
    struct counter64 big = { .high = 0xffffffffUL, .low = 0xfffffffeUL };
    long l = 5;
    netsnmp_variable_list *v;

    memset(&x, 0, sizeof(x));
    x.r.used_percent = -1;
    v = vb(name, HR_ARRAY_LEN(name), ASN_OCTET_STR, "X\r\nBcc: a@b", 11);
    row_store(&x, HDRM_SUBID_hdrmDevSerial, v);
    snmp_free_var(v);
    TAP_OK(strchr(x.r.serial, '\r') == NULL && strchr(x.r.serial, '\n') == NULL, "CR/LF removed");
    TAP_OK(x.r.flags & HR_ROW_SANITIZED, "and flagged");

    v = vb(name, HR_ARRAY_LEN(name), ASN_COUNTER64, &big, sizeof(big));
    row_store(&x, HDRM_SUBID_hdrmDevWrites, v);
    row_store(&x, HDRM_SUBID_hdrmDevCapacity, v);
    snmp_free_var(v);
    TAP_OK(x.r.writes == UINT64_C(0xfffffffffffffffe), "Counter64 near 2^64 exact");
    TAP_OK(x.r.flags & HR_ROW_WRITES, "writes valid");

    v = vb(name, HR_ARRAY_LEN(name), ASN_INTEGER, &l, sizeof(l));
    row_store(&x, HDRM_SUBID_hdrmDevUsed, v);
    snmp_free_var(v);
    TAP_OK(x.r.flags & HR_ROW_BAD_TYPE, "INTEGER for a Counter64 column: bad type");
    TAP_OK(!(x.r.flags & HR_ROW_USED_KNOWN), "and used stays unknown");

    l = 101;
    v = vb(name, HR_ARRAY_LEN(name), ASN_INTEGER, &l, sizeof(l));
    row_store(&x, HDRM_SUBID_hdrmDevUsedPercent, v);
    snmp_free_var(v);
    TAP_INT(x.r.used_percent, -1, "used percent 101 refused");

    row_finish(&x);
    TAP_OK(!(x.r.flags & HR_ROW_MISSING_COL), "serial and capacity present");
    memset(&x, 0, sizeof(x));
    row_finish(&x);
    TAP_OK(x.r.flags & HR_ROW_MISSING_COL, "empty row: missing columns");
}

static void test_rows(void)
{
    struct agent *a = agent_new();
    uint32_t order[] = { 5, 2, 9, 2, 7, 1 };
    int sorted = 1, found = 1;

    for (size_t i = 0; i < HR_ARRAY_LEN(order); i++)
        TAP_OK(row_get(a, order[i]) != NULL, "row %u", order[i]);
    TAP_INT(a->n_rows, 5, "duplicates share a row");
    qsort(a->rows, a->n_rows, sizeof(*a->rows), rowx_cmp);   /* as agent_finish */
    for (size_t i = 1; i < a->n_rows; i++)
        sorted &= a->rows[i - 1].r.index < a->rows[i].r.index;
    TAP_OK(sorted, "rows sorted by index at the end");
    rows_drop(a);
    /* The worst order for a sorted array: every row before the others. */
    for (uint32_t i = MAX_ROWS; i >= 1; i--)
        if (!row_get(a, i * 7))
            break;
    TAP_INT(a->n_rows, MAX_ROWS, "rows up to the cap, in descending order");
    for (uint32_t i = 1; i <= MAX_ROWS; i++) {
        struct rowx *x = row_get(a, i * 7);
        found &= x && x->r.index == i * 7;
    }
    TAP_OK(found, "every row found again, none added");
    TAP_INT(a->n_rows, MAX_ROWS, "still the cap");
    TAP_OK(row_get(a, 3) == NULL, "no row beyond the cap");
    rows_drop(a);
    rows_held = MAX_ROWS_HELD;
    TAP_OK(row_get(a, 1) == NULL, "no row beyond the cycle's cap (no loop: nobody to fail)");
    rows_held = 0;
    TAP_OK(row_get(a, 1) != NULL, "rows again once others are freed");
    rows_drop(a);
    free(a);
}

static void test_walk_guards(void)
{
    struct agent *a = agent_new();
    oid in[] = { HDRM_OID_hdrmDevSerial, 3 };
    oid back[] = { HDRM_OID_hdrmDevSerial, 2 };
    oid twopart[] = { HDRM_OID_hdrmDevSerial, 4, 1 };
    oid next_col[] = { HDRM_OID_hdrmDevVendor, 1 };
    struct col *c = &a->cols[HDRM_SUBID_hdrmDevSerial - FIRST_COL];
    netsnmp_variable_list *v;

    v = vb(in, HR_ARRAY_LEN(in), ASN_OCTET_STR, "S3", 2);
    TAP_INT(walk_vb(a, HDRM_SUBID_hdrmDevSerial, c->cur, c->cur_len, v), 0, "row 3 taken");
    snmp_free_var(v);
    v = vb(back, HR_ARRAY_LEN(back), ASN_OCTET_STR, "S2", 2);
    TAP_INT(walk_vb(a, HDRM_SUBID_hdrmDevSerial, c->cur, c->cur_len, v), -1, "going back refused");
    snmp_free_var(v);
    TAP_INT(a->res.status, HR_POLL_MALFORMED, "malformed");
    a->done = 0;
    v = vb(twopart, HR_ARRAY_LEN(twopart), ASN_OCTET_STR, "S4", 2);
    TAP_INT(walk_vb(a, HDRM_SUBID_hdrmDevSerial, c->cur, c->cur_len, v), -1, "two-part index refused");
    snmp_free_var(v);
    a->done = 0;
    v = vb(next_col, HR_ARRAY_LEN(next_col), ASN_OCTET_STR, "V", 1);
    TAP_INT(walk_vb(a, HDRM_SUBID_hdrmDevSerial, c->cur, c->cur_len, v), 1, "next column ends the walk");
    snmp_free_var(v);
    rows_drop(a);
    free(a);
}

/* A profile walk of hrStorageDescr: in order, to the subtree's end. */
static void test_prof_walk_guards(void)
{
    static const uint32_t root[] = { 1, 3, 6, 1, 2, 1, 25, 2, 3, 1, 3 };
    oid in[] = { 1, 3, 6, 1, 2, 1, 25, 2, 3, 1, 3, 31 };
    oid back[] = { 1, 3, 6, 1, 2, 1, 25, 2, 3, 1, 3, 7 };
    oid out[] = { 1, 3, 6, 1, 2, 1, 25, 2, 3, 1, 4, 1 };
    struct agent *a = agent_new();
    char err[64];
    netsnmp_variable_list *v;

    a->prof = 1;
    a->pr = hr_prof_reader_new(NULL, NULL, err, sizeof(err));
    a->pcols = calloc(1, sizeof(*a->pcols));
    if (!a->pr || !a->pcols)
        abort();
    a->pcols[0].root = root;
    a->pcols[0].root_len = a->pcols[0].cur_len = HR_ARRAY_LEN(root);
    for (size_t i = 0; i < HR_ARRAY_LEN(root); i++)
        a->pcols[0].cur[i] = root[i];
    a->wc = a->pcols;
    a->nwc = 1;
    v = vb(in, HR_ARRAY_LEN(in), ASN_OCTET_STR, "/", 1);
    TAP_INT(prof_walk_vb(a, 0, v), 0, "profile walk: a row taken");
    TAP_INT(a->pcols[0].cur[HR_ARRAY_LEN(root)], 31, "... the column moved on");
    TAP_INT(prof_walk_vb(a, 0, v), -1, "the same OID again refused");
    snmp_free_var(v);
    TAP_INT(a->res.status, HR_POLL_MALFORMED, "malformed");
    a->done = 0;
    v = vb(back, HR_ARRAY_LEN(back), ASN_OCTET_STR, "/boot", 5);
    TAP_INT(prof_walk_vb(a, 0, v), -1, "going back refused");
    snmp_free_var(v);
    a->done = 0;
    v = vb(out, HR_ARRAY_LEN(out), ASN_INTEGER, NULL, 0);
    TAP_INT(prof_walk_vb(a, 0, v), 1, "the next column ends the walk");
    snmp_free_var(v);
    hr_prof_reader_free(a->pr);
    free(a->pcols);
    free(a);
}

static void answer(struct agent *a, struct req *q, netsnmp_pdu *pdu, long errstat, long errindex)
{
    pdu->errstat = errstat;
    pdu->errindex = errindex;
    on_pitems(a, q, pdu);
}

/* GET of three profile items: SNMPv1's noSuchName answers the one named
 * as absent and asks the others again; tooBig halves the batch. */
static void test_prof_pitems(void)
{
    static const uint32_t o1[] = { 1, 3, 6, 1, 2, 1, 1, 1, 0 };
    struct hr_prof_item it[3] = {
        { HR_PRQ_GET, o1, 9 }, { HR_PRQ_GET, o1, 9 }, { HR_PRQ_GET, o1, 9 },
    };
    unsigned char pst[3] = { 1, 1, 1 };
    struct agent *a = agent_new();
    static struct hr_target t1;
    struct req q = { .kind = REQ_PGET, .ncols = 3, .cols = { 0, 1, 2 } };
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_RESPONSE);

    t1.version = HR_SNMP_V1;
    a->t = &t1;
    a->prof = 1;
    a->pit = it, a->npit = HR_ARRAY_LEN(it);
    a->pst = pst, a->pchunk = MAX_VB;
    answer(a, &q, pdu, SNMP_ERR_NOSUCHNAME, 2);
    TAP_OK(pst[0] == 0 && pst[1] == 2 && pst[2] == 0, "v1 noSuchName: item 2 absent, 1 and 3 asked again");
    TAP_OK(!a->done, "... the poll goes on");
    memset(pst, 1, sizeof(pst));
    answer(a, &q, pdu, SNMP_ERR_TOOBIG, 0);
    TAP_OK(pst[0] == 0 && pst[1] == 0 && pst[2] == 0 && a->pchunk == MAX_VB / 2,
           "tooBig: all asked again, half as many per request");
    a->pchunk = 1;
    answer(a, &q, pdu, SNMP_ERR_TOOBIG, 0);
    TAP_INT(a->res.status, HR_POLL_MALFORMED, "tooBig for one object: malformed");
    snmp_free_pdu(pdu);
    free(a);
}

int main(void)
{
    hr_snmp_init("test_poller");
    test_dates();
    test_store();
    test_rows();
    test_walk_guards();
    test_prof_walk_guards();
    test_prof_pitems();
    return TAP_DONE();
}
