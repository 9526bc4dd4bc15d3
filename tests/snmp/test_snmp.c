/* test_snmp.c: unit tests of the SNMP client (snmp/): the protocol table
 * against net-snmp's own lookup, the USM key cache, credential checks and
 * the session fill, and the cell decoder with every column type, wrong
 * types and hostile values.  Sessions against real agents are tested by
 * tests/collector/test_fleet.sh, test_snmpd.sh and tests/check/. */
#include "snmp.h"
#include "hdrm.h"
#include "hr_util.h"
#include "hdrm_oids.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <stdlib.h>
#include <string.h>

#include "../tap.h"

/* ---- protocols ------------------------------------------------------------ */

/* How many of NAMES map to another OID than net-snmp's own lookup gives. */
static unsigned disagreements(const char *const *names, size_t n, int priv)
{
    unsigned bad = 0;

    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        int type = priv ? usm_lookup_priv_type(names[i]) : usm_lookup_auth_type(names[i]);
        oid *want = type < 0 ? NULL : priv ? sc_get_priv_oid(type, &len) : sc_get_auth_oid(type, &len);
        const struct hr_snmp_proto *p = priv ? hr_snmp_priv_proto(names[i])
                                             : hr_snmp_auth_proto(names[i]);

        if (!p || !want || p->len != len || snmp_oid_compare(p->oid, p->len, want, len) != 0) {
            bad++;
            TAP_OK(0, "%s protocol %s as net-snmp has it", priv ? "privacy" : "auth", names[i]);
        }
    }
    return bad;
}

static void test_protocols(void)
{
    static const char *const auth[] = { "MD5", "SHA", "SHA1", "SHA-1", "SHA-224", "SHA224",
                                        "SHA-256", "SHA256", "SHA-384", "SHA384",
                                        "SHA-512", "SHA512" };
    static const char *const priv[] = { "DES", "AES", "AES-128", "AES128",
#ifdef NETSNMP_DRAFT_BLUMENTHAL_AES_04
                                        "AES-192", "AES192", "AES-256", "AES256",
                                        "AES-192-C", "AES192C", "AES-256-C", "AES256C",
#endif
    };
    const struct hr_snmp_proto *p;

    TAP_INT(disagreements(auth, HR_ARRAY_LEN(auth), 0), 0,
            "%zu auth protocol names agree with net-snmp", HR_ARRAY_LEN(auth));
    TAP_INT(disagreements(priv, HR_ARRAY_LEN(priv), 1), 0,
            "%zu privacy protocol names agree with net-snmp", HR_ARRAY_LEN(priv));
    p = hr_snmp_auth_proto("sha-256");
    TAP_OK(p && strcmp(p->name, "SHA-256") == 0, "names match without case");
    p = hr_snmp_auth_proto(NULL);
    TAP_OK(p && p->oid == usmHMACSHA1AuthProtocol, "default auth protocol is SHA");
    p = hr_snmp_priv_proto("");
    TAP_OK(p && p->oid == usmAESPrivProtocol, "default privacy protocol is AES");
    TAP_OK(hr_snmp_auth_proto("SHA-1000") == NULL, "SHA-1000 unknown");
    TAP_OK(hr_snmp_auth_proto("AES") == NULL, "a privacy name is no auth protocol");
    TAP_OK(hr_snmp_priv_proto("MD5") == NULL, "an auth name is no privacy protocol");
    TAP_OK(hr_snmp_priv_proto("3DES") == NULL, "3DES unknown");
    TAP_OK(strstr(hr_snmp_auth_names(), "SHA-512") != NULL, "auth names listed");
}

/* ---- keys ------------------------------------------------------------------ */

static void test_key_cache(void)
{
    const struct hr_snmp_proto *sha = hr_snmp_auth_proto("SHA"), *md5 = hr_snmp_auth_proto("MD5");
    u_char k1[USM_AUTH_KU_LEN], k2[USM_AUTH_KU_LEN], want[USM_AUTH_KU_LEN];
    size_t l1 = sizeof k1, l2 = sizeof k2, lw = sizeof want, small = 4;
    unsigned long d0, h0, d, h;
    char err[128] = "";

    hr_snmp_ku_stats(&d0, &h0);
    TAP_INT(hr_snmp_ku(sha, "maplesyrup", k1, &l1, err, sizeof err), 0, "derive a SHA key");
    hr_snmp_ku_stats(&d, &h);
    TAP_OK(d == d0 + 1 && h == h0, "first use: a miss, one derivation");
    /* RFC 3414 A.3.2: Ku of "maplesyrup" with SHA-1. */
    TAP_INT(l1, 20, "SHA-1 Ku is 20 bytes");
    TAP_OK(memcmp(k1, "\x9f\xb5\xcc\x03\x81\x49\x7b\x37\x93\x52\x89\x39\xff\x78\x8d\x5d"
                      "\x79\x14\x52\x11", 20) == 0, "RFC 3414 A.3.2 test vector");
    TAP_INT(hr_snmp_ku(sha, "maplesyrup", k2, &l2, err, sizeof err), 0, "again");
    hr_snmp_ku_stats(&d, &h);
    TAP_OK(d == d0 + 1 && h == h0 + 1, "second use: a hit, no derivation");
    TAP_OK(l2 == l1 && memcmp(k1, k2, l1) == 0, "the cached key is the same");
    generate_Ku(usmHMACSHA1AuthProtocol, USM_AUTH_PROTO_SHA_LEN, (const u_char *)"maplesyrup",
                10, want, &lw);
    TAP_OK(lw == l1 && memcmp(want, k1, lw) == 0, "and what generate_Ku gives");
    l2 = sizeof k2;
    TAP_INT(hr_snmp_ku(md5, "maplesyrup", k2, &l2, err, sizeof err), 0, "same passphrase, MD5");
    hr_snmp_ku_stats(&d, &h);
    TAP_OK(d == d0 + 2, "another protocol: a miss");
    TAP_INT(l2, 16, "MD5 Ku is 16 bytes");
    TAP_OK(memcmp(k2, "\x9f\xaf\x32\x83\x88\x4e\x92\x83\x4e\xbc\x98\x47\xd8\xed\xd9\x63", 16) == 0,
           "RFC 3414 A.3.1 test vector");
    l2 = sizeof k2;
    TAP_INT(hr_snmp_ku(sha, "maplesyrup2", k2, &l2, err, sizeof err), 0, "another passphrase");
    hr_snmp_ku_stats(&d, &h);
    TAP_OK(d == d0 + 3 && memcmp(k1, k2, 20) != 0, "another passphrase: a miss, another key");
    TAP_INT(hr_snmp_ku(sha, "maplesyrup", k2, &small, err, sizeof err), -1, "a buffer too small");
    TAP_OK(err[0] != '\0', "says why: %s", err);
}

/* ---- credentials ------------------------------------------------------------ */

static int check(const struct hr_snmp_cred *c, const char *want)
{
    char err[200] = "";
    int rc = hr_snmp_cred_check(c, err, sizeof err);

    if (!want)
        return rc == 0;
    return rc == -1 && strstr(err, want) != NULL;
}

static void test_credentials(void)
{
    struct hr_snmp_cred c = { .version = HR_SNMP_V2C, .community = "public" };
    struct hr_snmp_cred v3 = { .version = HR_SNMP_V3, .sec_name = "u", .sec_level = HR_SEC_AUTHPRIV,
                               .auth_pass = "authpass1", .priv_pass = "privpass1" };
    struct hr_snmp_cred x;

    TAP_OK(check(&c, NULL), "v2c with a community");
    x = c, x.community = NULL;
    TAP_OK(check(&x, "no community"), "v2c without a community refused");
    x = c, x.community = "";
    TAP_OK(check(&x, NULL), "an empty community is legal SNMP");
    x = c, x.version = 4;
    TAP_OK(check(&x, "bad SNMP version 4"), "version 4 refused");
    TAP_OK(check(&v3, NULL), "v3 authPriv with defaults");
    x = v3, x.sec_name = "";
    TAP_OK(check(&x, "without a user name"), "v3 without a user refused");
    x = v3, x.sec_level = 7;
    TAP_OK(check(&x, "bad SNMPv3 security level 7"), "bad level refused");
    x = v3, x.auth_proto = "SHA-1000";
    TAP_OK(check(&x, "unknown SNMPv3 auth protocol 'SHA-1000'"), "unknown auth protocol");
    x = v3, x.priv_proto = "ROT13";
    TAP_OK(check(&x, "unknown SNMPv3 privacy protocol 'ROT13'"), "unknown privacy protocol");
    x = v3, x.auth_pass = "short";
    TAP_OK(check(&x, "auth passphrase shorter than 8"), "short auth passphrase");
    x = v3, x.auth_pass = NULL;
    TAP_OK(check(&x, "auth passphrase shorter than 8"), "no auth passphrase");
    x = v3, x.priv_pass = "1234567";
    TAP_OK(check(&x, "privacy passphrase shorter than 8"), "7-character privacy passphrase");
    x = v3, x.sec_level = HR_SEC_AUTHNOPRIV, x.priv_pass = NULL, x.priv_proto = "ROT13";
    TAP_OK(check(&x, NULL), "authNoPriv ignores the privacy settings");
    x = v3, x.sec_level = HR_SEC_NOAUTH, x.auth_pass = NULL, x.auth_proto = "nonsense";
    TAP_OK(check(&x, NULL), "noAuthNoPriv needs no passphrase");
}

static void test_session_fill(void)
{
    struct hr_snmp_peer peer = { .host = "127.0.0.1", .port = 1161, .timeout_us = 300000,
                                 .retries = 2 };
    struct hr_snmp_peer peer6 = { .host = "::1", .tcp = 1, .timeout_us = 1000000 };
    struct hr_snmp_cred v2 = { .version = HR_SNMP_V2C, .community = "c0mm" };
    struct hr_snmp_cred v3 = { .version = HR_SNMP_V3, .sec_name = "mon", .sec_level = HR_SEC_AUTHPRIV,
                               .auth_proto = "SHA-256", .auth_pass = "authpass1",
                               .priv_proto = "AES", .priv_pass = "privpass1", .context = "ctx" };
    netsnmp_session s;
    char pb[HR_SNMP_PEERNAME_MAX], err[200] = "";
    u_char ku[USM_AUTH_KU_LEN];
    size_t kl = sizeof ku;
    void *sessp;

    snmp_sess_init(&s);
    TAP_INT(hr_snmp_session_fill(&s, pb, &peer, &v2, 0, err, sizeof err), 0, "fill v2c");
    TAP_STR(s.peername, "udp:127.0.0.1:1161", "peer name");
    TAP_OK(s.version == SNMP_VERSION_2c && s.community_len == 4 &&
           memcmp(s.community, "c0mm", 4) == 0, "version and community");
    TAP_OK(s.timeout == 300000 && s.retries == 2, "timeout and retries");
    TAP_OK(s.flags & SNMP_FLAGS_DONT_PROBE, "no probe unless asked");

    snmp_sess_init(&s);
    TAP_INT(hr_snmp_session_fill(&s, pb, &peer6, &v3, HR_SNMP_PROBE, err, sizeof err), 0, "fill v3");
    TAP_STR(s.peername, "tcp6:[::1]:161", "IPv6 over TCP, default port");
    TAP_OK(s.version == SNMP_VERSION_3 && s.securityLevel == SNMP_SEC_LEVEL_AUTHPRIV &&
           s.securityNameLen == 3 && s.contextNameLen == 3, "USM user, level, context");
    TAP_OK(snmp_oid_compare(s.securityAuthProto, s.securityAuthProtoLen,
                            usmHMAC192SHA256AuthProtocol,
                            OID_LENGTH(usmHMAC192SHA256AuthProtocol)) == 0, "SHA-256");
    TAP_OK(snmp_oid_compare(s.securityPrivProto, s.securityPrivProtoLen, usmAESPrivProtocol,
                            OID_LENGTH(usmAESPrivProtocol)) == 0, "AES");
    hr_snmp_ku(hr_snmp_auth_proto("SHA-256"), "privpass1", ku, &kl, err, sizeof err);
    TAP_OK(s.securityPrivKeyLen == kl && memcmp(s.securityPrivKey, ku, kl) == 0,
           "privacy Ku hashed with the auth protocol (RFC 3826 3.1.2.1)");

    v3.auth_pass = "short";
    snmp_sess_init(&s);
    TAP_INT(hr_snmp_session_fill(&s, pb, &peer, &v3, 0, err, sizeof err), -1, "bad credentials: -1");
    TAP_OK(strstr(err, "shorter than 8") != NULL, "with the reason");
    sessp = hr_snmp_open(&peer, &v3, 0, err, sizeof err);
    TAP_OK(sessp == NULL && strstr(err, "shorter than 8"), "hr_snmp_open refuses them too");
    sessp = hr_snmp_open(&peer, &v2, 0, err, sizeof err);
    TAP_OK(sessp != NULL, "opens a v2c session on loopback");
    if (sessp)
        snmp_sess_close(sessp);
    peer.host = "no such host.invalid";
    sessp = hr_snmp_open(&peer, &v2, 0, err, sizeof err);
    TAP_OK(sessp == NULL && strstr(err, "cannot open a session to udp:no such host.invalid:1161"),
           "an unresolvable host: %s", err);
}

/* ---- decoding ---------------------------------------------------------------- */

static netsnmp_variable_list *cellv(u_char type, const void *val, size_t len)
{
    static netsnmp_variable_list v;
    static oid name[] = { HDRM_OID_hdrmDevName, 1 };

    memset(&v, 0, sizeof v);
    snmp_set_var_objid(&v, name, HR_ARRAY_LEN(name));
    snmp_set_var_typed_value(&v, type, val, len);
    return &v;
}

static int put_int(struct hr_dev_row *r, struct hr_row_state *st, unsigned col, u_char type,
                   long val)
{
    netsnmp_variable_list *v = cellv(type, &val, sizeof val);
    int rc = hr_hdrm_cell(r, st, col, v, 0);

    snmp_free_var_internals(v);
    return rc;
}

static int put_c64(struct hr_dev_row *r, struct hr_row_state *st, unsigned col, uint64_t val,
                   unsigned flags)
{
    struct counter64 c = { .high = (u_long)(val >> 32), .low = (u_long)(val & 0xffffffffu) };
    netsnmp_variable_list *v = cellv(ASN_COUNTER64, &c, sizeof c);
    int rc = hr_hdrm_cell(r, st, col, v, flags);

    snmp_free_var_internals(v);
    return rc;
}

static int put_str(struct hr_dev_row *r, struct hr_row_state *st, unsigned col,
                   const void *s, size_t len)
{
    netsnmp_variable_list *v = cellv(ASN_OCTET_STR, s, len);
    int rc = hr_hdrm_cell(r, st, col, v, 0);

    snmp_free_var_internals(v);
    return rc;
}

static void test_decode_types(void)
{
    struct hr_dev_row r;
    struct hr_row_state st;
    const u_char date[] = { 0x07, 0xe8, 3, 1, 0, 0, 0, 0 };
    const u_char feb30[] = { 0x07, 0xe8, 2, 30, 0, 0, 0, 0 };
    const u_char tz[] = { 0x07, 0xe8, 3, 1, 2, 30, 0, 0, '+', 2, 30 };
    int64_t t = 0;

    hr_hdrm_row_init(&r, &st, 7);
    TAP_OK(r.index == 7 && r.used_percent == -1 && r.flags == 0, "fresh row");
    TAP_INT(put_str(&r, &st, HDRM_SUBID_hdrmDevName, "sda", 3), 0, "string stored");
    TAP_STR(r.name, "sda", "name");
    TAP_INT(put_str(&r, &st, HDRM_SUBID_hdrmDevSerial, "S1", 2), 0, "serial");
    TAP_INT(put_str(&r, &st, HDRM_SUBID_hdrmDevVendor, "WD", 2), 0, "vendor");
    TAP_INT(put_str(&r, &st, HDRM_SUBID_hdrmDevModelName, "Red", 3), 0, "model name");
    TAP_INT(put_str(&r, &st, HDRM_SUBID_hdrmDevFirmware, "1.0", 3), 0, "firmware");
    TAP_INT(put_str(&r, &st, HDRM_SUBID_hdrmDevRegNumber, "R-1", 3), 0, "registration number");
    TAP_OK(strcmp(r.serial, "S1") == 0 && strcmp(r.vendor, "WD") == 0 &&
           strcmp(r.model_name, "Red") == 0 && strcmp(r.firmware, "1.0") == 0 &&
           strcmp(r.reg_number, "R-1") == 0, "strings in their fields");
    TAP_INT(put_c64(&r, &st, HDRM_SUBID_hdrmDevCapacity, UINT64_C(4000787030016), 0), 0,
            "Counter64 capacity");
    TAP_INT(put_c64(&r, &st, HDRM_SUBID_hdrmDevCacheSize, 268435456, 0), 0, "cache size");
    TAP_INT(put_c64(&r, &st, HDRM_SUBID_hdrmDevUsed, 1000, 0), 0, "used");
    TAP_INT(put_c64(&r, &st, HDRM_SUBID_hdrmDevWrites, UINT64_C(0xfffffffffffffffe), 0), 0,
            "writes");
    TAP_OK(r.capacity == UINT64_C(4000787030016) && r.cache_size == 268435456 &&
           r.used == 1000 && r.writes == UINT64_C(0xfffffffffffffffe), "64-bit values exact");
    TAP_OK((r.flags & HR_ROW_USED_KNOWN) && (r.flags & HR_ROW_WRITES), "used and writes flagged");
    TAP_INT(put_int(&r, &st, HDRM_SUBID_hdrmDevUsedPercent, ASN_INTEGER, 42), 0, "percent");
    TAP_INT(put_int(&r, &st, HDRM_SUBID_hdrmDevPeakWrites, ASN_GAUGE, 15230), 0, "peak");
    TAP_INT(put_int(&r, &st, HDRM_SUBID_hdrmDevPeakWritesPrev, ASN_GAUGE, 100), 0, "peak prev");
    TAP_INT(put_int(&r, &st, HDRM_SUBID_hdrmDevWindow, ASN_GAUGE, 60), 0, "window");
    TAP_INT(put_int(&r, &st, HDRM_SUBID_hdrmDevWriteRateAvg, ASN_GAUGE, 7), 0, "rate");
    TAP_OK(r.used_percent == 42 && r.peak == 15230 && r.peak_prev == 100 && r.window == 60 &&
           r.rate_avg == 7, "32-bit values");
    TAP_INT(put_str(&r, &st, HDRM_SUBID_hdrmDevSaleDate, date, sizeof date), 0, "sale date");
    TAP_OK((r.flags & HR_ROW_SALE_DATE) && r.sale_date == 1709251200, "2024-03-01 UTC");
    TAP_INT(put_str(&r, &st, HDRM_SUBID_hdrmDevLastUpdate, tz, sizeof tz), 0, "last update");
    TAP_OK((r.flags & HR_ROW_LAST_UPDATE) && r.last_update == 1709251200,
           "02:30 at UTC+02:30 is midnight UTC");
    TAP_INT(st.bad, 0, "no bad cell so far");
    TAP_OK(!(r.flags & (HR_ROW_BAD_TYPE | HR_ROW_SANITIZED)), "no bad or sanitized flag");
    hr_hdrm_row_finish(&r, &st);
    TAP_OK((r.flags & HR_ROW_PEAK) && !(r.flags & HR_ROW_MISSING_COL), "complete row");

    /* wrong types: ignored, counted, flagged; the value stays */
    TAP_INT(put_int(&r, &st, HDRM_SUBID_hdrmDevName, ASN_INTEGER, 5), -1, "INTEGER name refused");
    TAP_STR(r.name, "sda", "name kept");
    TAP_INT(put_int(&r, &st, HDRM_SUBID_hdrmDevCapacity, ASN_GAUGE, 5), -1,
            "Gauge32 for a Counter64 column refused");
    TAP_INT(put_int(&r, &st, HDRM_SUBID_hdrmDevPeakWrites, ASN_COUNTER, 5), -1,
            "Counter32 for a Gauge32 column refused");
    TAP_INT(put_c64(&r, &st, HDRM_SUBID_hdrmDevWindow, 5, 0), -1,
            "Counter64 for a Gauge32 column refused");
    TAP_INT(put_int(&r, &st, HDRM_SUBID_hdrmDevUsedPercent, ASN_INTEGER, 101), -1, "101 %% refused");
    TAP_INT(put_int(&r, &st, HDRM_SUBID_hdrmDevUsedPercent, ASN_INTEGER, -2), -1, "-2 %% refused");
    TAP_INT(put_int(&r, &st, HDRM_SUBID_hdrmDevUsedPercent, ASN_GAUGE, 50), -1,
            "Gauge32 percent refused");
    TAP_INT(put_str(&r, &st, HDRM_SUBID_hdrmDevSaleDate, feb30, sizeof feb30), -1,
            "February 30 refused");
    TAP_INT(put_str(&r, &st, HDRM_SUBID_hdrmDevSaleDate, date, 5), -1, "5-byte date refused");
    TAP_INT(put_int(&r, &st, HDRM_SUBID_hdrmDevSaleDate, ASN_INTEGER, 5), -1, "INTEGER date refused");
    TAP_OK(r.capacity == UINT64_C(4000787030016) && r.peak == 15230 && r.window == 60 &&
           r.used_percent == 42 && r.sale_date == 1709251200, "values kept");
    TAP_INT(st.bad, 10, "ten bad cells counted");
    TAP_OK(r.flags & HR_ROW_BAD_TYPE, "row flagged");
    TAP_INT(put_int(&r, &st, HDRM_SUBID_hdrmDevUsedPercent, ASN_INTEGER, -1), 0,
            "-1 %% (unknown) accepted");
    TAP_INT(put_str(&r, &st, HDRM_SUBID_hdrmDevSaleDate, "", 0), 0, "empty date: not set");
    TAP_INT(put_int(&r, &st, 1, ASN_GAUGE, 5), 1, "hdrmDevIndex is not a cell");
    TAP_INT(put_int(&r, &st, 27, ASN_GAUGE, 5), 1, "column 27 is unknown");
    TAP_INT(put_int(&r, &st, 4000000, ASN_GAUGE, 5), 1, "column 4000000 is unknown");
    TAP_INT(hr_snmp_dateandtime(date, sizeof date, &t), 0, "DateAndTime directly");
}

static void test_decode_units(void)
{
    struct hr_dev_row r;
    struct hr_row_state st;

    /* MiB columns stand in for the byte columns (SNMPv1) */
    hr_hdrm_row_init(&r, &st, 1);
    TAP_INT(put_int(&r, &st, HDRM_SUBID_hdrmDevCapacityMiB, ASN_GAUGE, 3), 0, "capacity MiB");
    TAP_OK(r.capacity == 3u << 20 && hr_hdrm_known(&st, HDRM_SUBID_hdrmDevCapacityMiB),
           "MiB x 2^20");
    TAP_INT(put_c64(&r, &st, HDRM_SUBID_hdrmDevCapacity, 3145729, 0), 0, "then bytes");
    TAP_OK(r.capacity == 3145729, "bytes win");
    TAP_INT(put_int(&r, &st, HDRM_SUBID_hdrmDevCapacityMiB, ASN_GAUGE, 7), 0, "MiB again");
    TAP_OK(r.capacity == 3145729, "a later MiB cell does not override bytes");
    TAP_INT(put_int(&r, &st, HDRM_SUBID_hdrmDevUsedMiB, ASN_GAUGE, 2), 0, "used MiB");
    TAP_OK(r.used == 2u << 20 && !(r.flags & HR_ROW_USED_KNOWN), "used from MiB, flag at finish");
    TAP_INT(put_int(&r, &st, HDRM_SUBID_hdrmDevCacheSizeMiB, ASN_GAUGE, 1), 0, "cache MiB");
    TAP_OK(r.cache_size == 1u << 20, "cache from MiB");
    hr_hdrm_row_finish(&r, &st);
    TAP_OK(r.flags & HR_ROW_USED_KNOWN, "used known from the MiB column");
    TAP_OK(r.flags & HR_ROW_MISSING_COL, "no serial: missing column");
    TAP_OK(!(r.flags & HR_ROW_PEAK), "no peak data");

    /* 4294967295 MiB: "does not fit" */
    hr_hdrm_row_init(&r, &st, 2);
    TAP_INT(put_int(&r, &st, HDRM_SUBID_hdrmDevCapacityMiB, ASN_GAUGE, 4294967295L), 0,
            "saturated capacity MiB");
    TAP_OK(!hr_hdrm_known(&st, HDRM_SUBID_hdrmDevCapacityMiB), "is not a known value");
    TAP_OK(r.capacity == UINT64_C(4294967295) << 20, "kept as a lower bound");
    TAP_INT(put_int(&r, &st, HDRM_SUBID_hdrmDevCapacityMiB, ASN_GAUGE, 9), 0, "a real value");
    TAP_OK(hr_hdrm_known(&st, HDRM_SUBID_hdrmDevCapacityMiB) && r.capacity == 9u << 20,
           "replaces it");
    TAP_INT(put_int(&r, &st, HDRM_SUBID_hdrmDevCapacityMiB, ASN_GAUGE, 4294967295L), 0,
            "saturated after a value");
    TAP_OK(hr_hdrm_known(&st, HDRM_SUBID_hdrmDevCapacityMiB) && r.capacity == 9u << 20,
           "does not overwrite it");
    TAP_INT(put_c64(&r, &st, HDRM_SUBID_hdrmDevUsed, UINT64_C(9007199254740992), 0), 0,
            "8 PiB used in bytes");
    TAP_INT(put_int(&r, &st, HDRM_SUBID_hdrmDevUsedMiB, ASN_GAUGE, 4294967295L), 0,
            "with a saturated MiB column");
    TAP_OK(r.used == UINT64_C(9007199254740992), "bytes kept");
    hr_hdrm_row_finish(&r, &st);
    TAP_OK(r.flags & HR_ROW_MISSING_COL, "no serial");
    TAP_OK((r.flags & HR_ROW_CAPACITY_KNOWN) && (r.flags & HR_ROW_USED_KNOWN),
           "capacity and used known at finish");

    /* SNMPv1: only the MiB columns, both saturated: unknown, not 4 PiB. */
    hr_hdrm_row_init(&r, &st, 4);
    put_int(&r, &st, HDRM_SUBID_hdrmDevCapacityMiB, ASN_GAUGE, 4294967295L);
    put_int(&r, &st, HDRM_SUBID_hdrmDevUsedMiB, ASN_GAUGE, 4294967295L);
    hr_hdrm_row_finish(&r, &st);
    TAP_OK(!(r.flags & HR_ROW_CAPACITY_KNOWN) && r.capacity == 0,
           "a saturated capacity MiB alone: capacity unknown");
    TAP_OK(!(r.flags & HR_ROW_USED_KNOWN) && r.used == 0,
           "a saturated used MiB alone: used unknown");
    /* A Gauge32 wider than 32 bits (net-snmp takes up to a long): out of
     * the type's range, refused, not cut to its low half. */
    hr_hdrm_row_init(&r, &st, 6);
    {
        long zero = 0;
        netsnmp_variable_list *wide = cellv(ASN_GAUGE, &zero, sizeof zero);
        *wide->val.integer = 4294967296L + 7;   /* as asn_parse_unsigned_int leaves it */
        TAP_INT(hr_hdrm_cell(&r, &st, HDRM_SUBID_hdrmDevCapacityMiB, wide, 0), -1,
                "a Gauge32 of 2^32 + 7: refused");
        snmp_free_var_internals(wide);
    }
    TAP_OK(r.capacity == 0 && (r.flags & HR_ROW_BAD_TYPE), "... not 7 MiB, flagged bad");
    TAP_INT(put_int(&r, &st, HDRM_SUBID_hdrmDevPeakWrites, ASN_GAUGE, 4294967295L), 0,
            "4294967295 is a Gauge32");
    /* No capacity column at all: unknown. */
    hr_hdrm_row_init(&r, &st, 5);
    hr_hdrm_row_finish(&r, &st);
    TAP_OK(!(r.flags & HR_ROW_CAPACITY_KNOWN), "no capacity column: capacity unknown");

    /* the lenient reader (check_headroom) */
    hr_hdrm_row_init(&r, &st, 3);
    {
        long v = 77;
        netsnmp_variable_list *vl = cellv(ASN_COUNTER, &v, sizeof v);
        TAP_INT(hr_hdrm_cell(&r, &st, HDRM_SUBID_hdrmDevPeakWrites, vl, HR_CELL_ANY_UNSIGNED), 0,
                "lenient: Counter32 peak accepted");
        snmp_free_var_internals(vl);
    }
    TAP_INT(r.peak, 77, "peak 77");
    TAP_INT(put_c64(&r, &st, HDRM_SUBID_hdrmDevUsedMiB, UINT64_C(1) << 40, HR_CELL_ANY_UNSIGNED), 0,
            "lenient: Counter64 beyond 32 bits in a MiB column");
    TAP_OK(!hr_hdrm_known(&st, HDRM_SUBID_hdrmDevUsedMiB) && r.used == 0,
           "does not fit: unknown, not stored");
    TAP_INT(put_str(&r, &st, HDRM_SUBID_hdrmDevPeakWrites, "5", 1), -1,
            "lenient: a string is still refused");
}

static void test_decode_hostile(void)
{
    struct hr_dev_row r;
    struct hr_row_state st;
    u_char big[2000], bad[300];
    unsigned clean = 1;

    hr_hdrm_row_init(&r, &st, 4);
    TAP_INT(put_str(&r, &st, HDRM_SUBID_hdrmDevSerial, "X\r\nBcc: a@b", 11), 0, "CR/LF serial");
    TAP_OK(!strchr(r.serial, '\r') && !strchr(r.serial, '\n'), "CR/LF removed");
    TAP_OK(r.flags & HR_ROW_SANITIZED, "and flagged");
    memset(big, 'A', sizeof big);
    TAP_INT(put_str(&r, &st, HDRM_SUBID_hdrmDevName, big, sizeof big), 0, "2000-byte name");
    TAP_INT(strlen(r.name), sizeof r.name - 1, "cut to the field");
    for (size_t i = 0; i < sizeof bad; i++)
        bad[i] = (u_char)(0x80 + i % 0x40);
    TAP_INT(put_str(&r, &st, HDRM_SUBID_hdrmDevConfig, bad, sizeof bad), 0, "invalid UTF-8");
    TAP_OK(strlen(r.config) < sizeof r.config && hr_is_clean_utf8(r.config, strlen(r.config)),
           "stored as clean UTF-8, bounded");
    TAP_INT(put_str(&r, &st, HDRM_SUBID_hdrmDevPrice, "1\0002", 3), 0, "NUL inside a string");
    TAP_OK(strlen(r.price) < 3 || hr_is_clean_utf8(r.price, strlen(r.price)), "no NUL surprise");
    /* every type in every column: nothing crashes, sanitizer watches */
    for (unsigned col = 0; col < 32; col++) {
        static const u_char types[] = { ASN_INTEGER, ASN_OCTET_STR, ASN_GAUGE, ASN_COUNTER,
                                        ASN_TIMETICKS, ASN_COUNTER64, ASN_OBJECT_ID, ASN_NULL,
                                        ASN_IPADDRESS, SNMP_NOSUCHINSTANCE, SNMP_ENDOFMIBVIEW };
        for (size_t k = 0; k < sizeof types; k++) {
            long l = -1;
            oid o[] = { 1, 3, 6 };
            struct counter64 c = { 0xffffffffUL, 0xffffffffUL };
            netsnmp_variable_list *v;

            if (types[k] == ASN_COUNTER64)
                v = cellv(types[k], &c, sizeof c);
            else if (types[k] == ASN_OBJECT_ID)
                v = cellv(types[k], o, sizeof o);
            else if (types[k] == ASN_OCTET_STR || types[k] == ASN_IPADDRESS)
                v = cellv(types[k], bad, types[k] == ASN_IPADDRESS ? 4 : 11);
            else if (types[k] == ASN_NULL || types[k] >= SNMP_NOSUCHOBJECT)
                v = cellv(types[k], NULL, 0);
            else
                v = cellv(types[k], &l, sizeof l);
            hr_hdrm_cell(&r, &st, col, v, k & 1 ? HR_CELL_ANY_UNSIGNED : 0);
            snmp_free_var_internals(v);
        }
    }
    clean = r.used_percent >= -1 && r.used_percent <= 100;
    for (const char *s = r.name; s && clean; s = NULL)
        clean = hr_is_clean_utf8(s, strlen(s)) && hr_is_clean_utf8(r.serial, strlen(r.serial));
    TAP_OK(clean, "every type in every column: row stays within its rules");
}

/* Serials longer than the column: two 300-byte serials that differ only
 * after byte 255 stay two keys (cut, then "~" and a SHA-256 prefix). */
static void test_decode_long_serial(void)
{
    struct hr_dev_row a, b, c;
    struct hr_row_state sa, sb, sc;
    char s1[300], s2[300];

    memset(s1, 'A', sizeof s1);
    memcpy(s1, "SER", 3);
    memcpy(s2, s1, sizeof s2);
    s2[280] = 'B';
    hr_hdrm_row_init(&a, &sa, 1);
    hr_hdrm_row_init(&b, &sb, 2);
    hr_hdrm_row_init(&c, &sc, 3);
    TAP_INT(put_str(&a, &sa, HDRM_SUBID_hdrmDevSerial, s1, sizeof s1), 0, "300-byte serial");
    TAP_INT(put_str(&b, &sb, HDRM_SUBID_hdrmDevSerial, s2, sizeof s2), 0, "another, differing at 280");
    TAP_INT(put_str(&c, &sc, HDRM_SUBID_hdrmDevSerial, s1, sizeof s1), 0, "the first again");
    TAP_OK(strlen(a.serial) <= 255 && strlen(b.serial) <= 255, "keys fit the column (%zu bytes)",
           strlen(a.serial));
    TAP_OK(strcmp(a.serial, b.serial) != 0, "different serials, different keys");
    TAP_STR(a.serial, c.serial, "the same serial, the same key");
    TAP_OK(strncmp(a.serial, "SERAAA", 6) == 0 && strchr(a.serial, '~') &&
           strlen(strchr(a.serial, '~')) == 33, "the serial's start, '~' and 32 hex digits: %s",
           strchr(a.serial, '~') ? strchr(a.serial, '~') : "(none)");
    TAP_OK(a.flags & HR_ROW_SANITIZED, "flagged as changed");
    hr_hdrm_row_init(&a, &sa, 4);
    memset(s1, 'Z', 255);
    s1[0] = 'Q';
    TAP_INT(put_str(&a, &sa, HDRM_SUBID_hdrmDevSerial, s1, 255), 0, "a 255-byte serial");
    TAP_OK(strlen(a.serial) == 255 && !strchr(a.serial, '~') && !(a.flags & HR_ROW_SANITIZED),
           "fits: kept as it is");
}

int main(void)
{
    hr_snmp_setup("test_snmp", 0);
    test_protocols();
    test_key_cache();
    test_credentials();
    test_session_fill();
    test_decode_types();
    test_decode_units();
    test_decode_hostile();
    test_decode_long_serial();
    return TAP_DONE();
}
