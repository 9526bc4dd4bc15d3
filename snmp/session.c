/* session.c: library setup, credentials, SNMPv3 keys and session opening
 * for every SNMP client in headroom (contract in snmp.h).
 *
 * net-snmp does the USM work (key localisation per engine, digests,
 * encryption); what is ours is the protocol names, the checks that give a
 * clear message before net-snmp would give a vague one, and a cache of
 * generate_Ku results: a poll cycle over thousands of v3 devices sharing
 * one passphrase derives each key once, not once per device.
 */
#include "snmp.h"
#include "hr_util.h"
#include "log.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

_Static_assert(__builtin_types_compatible_p(oid, unsigned long),
               "snmp.h spells net-snmp's oid as unsigned long");

/* ---- library setup ---------------------------------------------------- */

static char log_who[300];
static int cut32;

int hr_snmp_cut32(void)
{
    return cut32;
}

void hr_snmp_cut32_clear(void)
{
    cut32 = 0;
}

/* An INTEGER, Gauge32, Counter32 or TimeTicks encoded wider than 32 bits:
 * net-snmp's parser would cut it to its low 32 bits (asn1.c's overflow
 * checks, which say so only in a debug message), so that 2^32 + 50 would
 * read as 50.  Each datagram a session receives is looked at first with
 * net-snmp's own ASN.1 parsers (the varbinds of an SNMPv1/v2c message;
 * an SNMPv3 scoped PDU may be encrypted and is not looked into). */
static int value_too_wide(u_char *val, size_t len)
{
    u_char type = *val, *p;
    size_t n = len;

    switch (type) {
    case ASN_INTEGER:
        /* Two's complement: an Integer32 fits 4 octets; octets before
         * those may only repeat the sign. */
        if (!(p = asn_parse_header(val, &n, &type)))
            return 1;
        for (size_t i = 0; n > 4 && i < n - 4; i++)
            if (p[i] != ((p[n - 4] & 0x80) ? 0xff : 0x00))
                return 1;
        return 0;
    case ASN_GAUGE:
    case ASN_COUNTER:
    case ASN_TIMETICKS:
        /* More than 4 octets, unless the fifth is the leading 0x00 of a
         * value with its top bit set (agents that leave it out send 4
         * octets, which net-snmp reads as intended). */
        if (!(p = asn_parse_header(val, &n, &type)))
            return 1;
        return n > 5 || (n == 5 && p[0] != 0x00);
    default:
        return 0;
    }
}

static void scan_wide(u_char *buf, size_t len)
{
    u_char type, comm[512], *p, *end, *vb;
    size_t n = len, cl = sizeof comm;
    long l;

    if (!(p = asn_parse_header(buf, &n, &type)) || n > len - (size_t)(p - buf))
        return;
    end = p + n;
    n = (size_t)(end - p);
    if (!(p = asn_parse_int(p, &n, &type, &l, sizeof l)) || l == SNMP_VERSION_3 ||
        !(p = asn_parse_string(p, &n, &type, comm, &cl)) ||
        !(p = asn_parse_header(p, &n, &type)))
        return;
    for (int i = 0; i < 3; i++)      /* request-id, error-status, error-index */
        if (!(p = asn_parse_int(p, &n, &type, &l, sizeof l)))
            return;
    if (!(p = asn_parse_header(p, &n, &type)) || p + n > end)
        return;
    end = p + n;                     /* the varbind list */
    for (vb = p; vb < end;) {
        size_t vl = (size_t)(end - vb), rest;
        oid name[MAX_OID_LEN];
        size_t nl = MAX_OID_LEN;
        u_char *c = asn_parse_header(vb, &vl, &type), *val;

        if (!c || c + vl > end)
            return;
        rest = vl;
        if (!(val = asn_parse_objid(c, &rest, &type, name, &nl)))
            return;
        if (rest > 0 && value_too_wide(val, rest)) {
            cut32 = 1;
            return;
        }
        vb = c + vl;
    }
}

static int (*udp_recv)(netsnmp_transport *, void *, int, void **, int *);

static int recv_watch(netsnmp_transport *t, void *buf, int size, void **opaque, int *olen)
{
    int rc = udp_recv(t, buf, size, opaque, olen);

    if (rc > 0)
        scan_wide(buf, (size_t)rc);
    return rc;
}

/* Every session's datagrams through recv_watch (sessions share one
 * transport type, UDP: one original function). */
static void watch_transport(void *sessp)
{
    netsnmp_transport *t = snmp_sess_transport(sessp);

    if (!t || !t->f_recv)
        return;
    if (!udp_recv && t->f_recv != recv_watch)
        udp_recv = t->f_recv;
    if (t->f_recv == udp_recv)
        t->f_recv = recv_watch;
}

void hr_snmp_log_context(const char *who)
{
    hr_strlcpy(log_who, who ? who : "", sizeof(log_who));
}

/* net-snmp's log callback: one line through our logger, with the target
 * the library was working for (never another target's). */
static int log_through(int major, int minor, void *server_arg, void *client_arg)
{
    const struct snmp_log_message *m = server_arg;
    size_t n;

    (void)major;
    (void)minor;
    (void)client_arg;
    if (!m || !m->msg)
        return 0;
    n = strlen(m->msg);
    while (n > 0 && (m->msg[n - 1] == '\n' || m->msg[n - 1] == '\r'))
        n--;
    if (n == 0)
        return 0;
    if (log_who[0])
        hr_log(m->priority, "net-snmp: %s: %.*s", log_who, (int)n, m->msg);
    else
        hr_log(m->priority, "net-snmp: %.*s", (int)n, m->msg);
    return 0;
}

void hr_snmp_setup(const char *appname, unsigned flags)
{
    static int done;
    const char *pdir = NULL;
    netsnmp_log_handler *quiet;

    if (done)
        return;
    done = 1;
    /* A client must behave the same on every host: no snmp.conf from the
     * system or the user, no MIB parsing (OIDs are compiled in), no
     * persistent state written under /var/lib/snmp, and no SIGALRM use by
     * the library (check_headroom owns the alarm). */
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_LOAD_HOST_FILES, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
    if (flags & HR_SNMP_STATE_ENV)
        pdir = getenv("SNMP_PERSISTENT_DIR");   /* net-snmp's own variable */
    if (pdir && *pdir)
        netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_PERSISTENT_DIR, pdir);
    else
        netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIBDIRS, "/nonexistent");
    netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_WARNINGS, 0);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_ERRORS, 0);
    if (flags & HR_SNMP_LOG_ALL) {
        snmp_enable_stderrlog();
        init_snmp(appname && *appname ? appname : "headroom");
        return;
    }
    /* Quiet while init_snmp complains about the MIB modules it is not
     * given; afterwards errors only, or nothing at all: a plug-in's stderr
     * may end up in the NMS's status text, and the reason reaches the
     * caller through snmp_sess_error anyway. */
    quiet = netsnmp_register_loghandler(NETSNMP_LOGHANDLER_NONE, LOG_DEBUG);
    if (!quiet)
        snmp_disable_log();
    init_snmp(appname && *appname ? appname : "headroom");
    if (flags & (HR_SNMP_LOG_ERRORS | HR_SNMP_LOG_LOGGER)) {
        if (quiet)
            netsnmp_remove_loghandler(quiet);
        if (!(flags & HR_SNMP_LOG_LOGGER)) {
            netsnmp_register_loghandler(NETSNMP_LOGHANDLER_STDERR, LOG_ERR);
        } else if (snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING,
                                          log_through, NULL) != SNMPERR_SUCCESS ||
                   !netsnmp_register_loghandler(NETSNMP_LOGHANDLER_CALLBACK, LOG_ERR)) {
            netsnmp_register_loghandler(NETSNMP_LOGHANDLER_STDERR, LOG_ERR);
        }
    }
}

void hr_snmp_init(const char *appname)
{
    hr_snmp_setup(appname, HR_SNMP_LOG_LOGGER | HR_SNMP_STATE_ENV);
}

/* ---- protocols --------------------------------------------------------- */

/* Every spelling net-snmp's own tools accept (usm_lookup_auth_type and
 * usm_lookup_priv_type), matched without case.  Our table rather than
 * theirs: libnetsnmp 5.9.3 declares usm_get_auth_oid() but does not export
 * it, and their lookup is case-sensitive where our configuration files were
 * not.  tests/snmp/test_snmp.c checks it against net-snmp's. */
#define P(name, o) { name, o, OID_LENGTH(o) }
static const struct hr_snmp_proto auth_protos[] = {
    P("SHA", usmHMACSHA1AuthProtocol),          /* the default first */
    P("SHA1", usmHMACSHA1AuthProtocol),
    P("SHA-1", usmHMACSHA1AuthProtocol),
    P("MD5", usmHMACMD5AuthProtocol),
    P("SHA-224", usmHMAC128SHA224AuthProtocol),
    P("SHA224", usmHMAC128SHA224AuthProtocol),
    P("SHA-256", usmHMAC192SHA256AuthProtocol),
    P("SHA256", usmHMAC192SHA256AuthProtocol),
    P("SHA-384", usmHMAC256SHA384AuthProtocol),
    P("SHA384", usmHMAC256SHA384AuthProtocol),
    P("SHA-512", usmHMAC384SHA512AuthProtocol),
    P("SHA512", usmHMAC384SHA512AuthProtocol),
}, priv_protos[] = {
    P("AES", usmAESPrivProtocol),               /* the default first */
    P("AES-128", usmAESPrivProtocol),
    P("AES128", usmAESPrivProtocol),
    P("DES", usmDESPrivProtocol),
#ifdef NETSNMP_DRAFT_BLUMENTHAL_AES_04
    /* draft-blumenthal-aes-usm-04, and the Cisco key extension ("-C") */
    P("AES-192", usmAES192PrivProtocol),
    P("AES192", usmAES192PrivProtocol),
    P("AES-256", usmAES256PrivProtocol),
    P("AES256", usmAES256PrivProtocol),
    P("AES-192-C", usmAES192CiscoPrivProtocol),
    P("AES192C", usmAES192CiscoPrivProtocol),
    P("AES-256-C", usmAES256CiscoPrivProtocol),
    P("AES256C", usmAES256CiscoPrivProtocol),
#endif
};
#undef P

static const struct hr_snmp_proto *proto_find(const struct hr_snmp_proto *tab, size_t n,
                                              const char *name)
{
    if (!name || !*name)
        return &tab[0];
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(tab[i].name, name) == 0)
            return &tab[i];
    return NULL;
}

const struct hr_snmp_proto *hr_snmp_auth_proto(const char *name)
{
    return proto_find(auth_protos, HR_ARRAY_LEN(auth_protos), name);
}

const struct hr_snmp_proto *hr_snmp_priv_proto(const char *name)
{
    return proto_find(priv_protos, HR_ARRAY_LEN(priv_protos), name);
}

const char *hr_snmp_auth_names(void)
{
    return "MD5|SHA|SHA-224|SHA-256|SHA-384|SHA-512";
}

const char *hr_snmp_priv_names(void)
{
#ifdef NETSNMP_DRAFT_BLUMENTHAL_AES_04
    return "DES|AES|AES-192|AES-256";
#else
    return "DES|AES";
#endif
}

/* ---- keys --------------------------------------------------------------- */

struct ku {
    const oid *proto;
    char pass[256];
    u_char key[USM_AUTH_KU_LEN];
    size_t len;
    struct ku *next;
};
static struct ku *ku_cache;
static unsigned long ku_derived, ku_hits;

int hr_snmp_ku(const struct hr_snmp_proto *auth, const char *pass,
               unsigned char *out, size_t *outlen, char *err, size_t errlen)
{
    struct ku *k;

    if (strlen(pass) >= sizeof(k->pass)) {
        snprintf(err, errlen, "SNMPv3 passphrase longer than %zu characters", sizeof(k->pass) - 1);
        return -1;
    }
    for (k = ku_cache; k; k = k->next)
        if (k->proto == auth->oid && strcmp(k->pass, pass) == 0) {
            ku_hits++;
            goto found;
        }
    k = calloc(1, sizeof(*k));
    if (!k) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    k->proto = auth->oid;
    hr_strlcpy(k->pass, pass, sizeof(k->pass));
    k->len = sizeof(k->key);
    if (generate_Ku(auth->oid, (u_int)auth->len, (const u_char *)pass, strlen(pass),
                    k->key, &k->len) != SNMPERR_SUCCESS) {
        free(k);
        snprintf(err, errlen, "cannot derive an SNMPv3 key with %s", auth->name);
        return -1;
    }
    ku_derived++;
    k->next = ku_cache;
    ku_cache = k;
found:
    if (k->len > *outlen) {
        snprintf(err, errlen, "SNMPv3 key buffer too small");
        return -1;
    }
    memcpy(out, k->key, k->len);
    *outlen = k->len;
    return 0;
}

void hr_snmp_ku_stats(unsigned long *derived, unsigned long *hits)
{
    *derived = ku_derived;
    *hits = ku_hits;
}

/* ---- credentials -------------------------------------------------------- */

int hr_snmp_cred_check(const struct hr_snmp_cred *c, char *err, size_t errlen)
{
    switch (c->version) {
    case HR_SNMP_V1:
    case HR_SNMP_V2C:
        /* A zero-length community is legal SNMP; whether to send one is
         * the caller's policy (the poller refuses it, check_headroom not). */
        if (!c->community) {
            snprintf(err, errlen, "no community configured");
            return -1;
        }
        return 0;
    case HR_SNMP_V3:
        break;
    default:
        snprintf(err, errlen, "bad SNMP version %d", c->version);
        return -1;
    }
    if (!c->sec_name || !c->sec_name[0]) {
        snprintf(err, errlen, "SNMPv3 target without a user name");
        return -1;
    }
    if (c->sec_level < HR_SEC_NOAUTH || c->sec_level > HR_SEC_AUTHPRIV) {
        snprintf(err, errlen, "bad SNMPv3 security level %d", c->sec_level);
        return -1;
    }
    if (c->sec_level == HR_SEC_NOAUTH)
        return 0;
    if (!hr_snmp_auth_proto(c->auth_proto)) {
        snprintf(err, errlen, "unknown SNMPv3 auth protocol '%s'", c->auth_proto);
        return -1;
    }
    /* RFC 3414 section 11.2: passphrases of at least 8 characters;
     * net-snmp refuses shorter ones with a vaguer message. */
    if (!c->auth_pass || strlen(c->auth_pass) < 8) {
        snprintf(err, errlen, "SNMPv3 auth passphrase shorter than 8 characters");
        return -1;
    }
    if (c->sec_level != HR_SEC_AUTHPRIV)
        return 0;
    if (!hr_snmp_priv_proto(c->priv_proto)) {
        snprintf(err, errlen, "unknown SNMPv3 privacy protocol '%s'", c->priv_proto);
        return -1;
    }
    if (!c->priv_pass || strlen(c->priv_pass) < 8) {
        snprintf(err, errlen, "SNMPv3 privacy passphrase shorter than 8 characters");
        return -1;
    }
    return 0;
}

/* The USM part of S. */
static int session_v3(netsnmp_session *s, const struct hr_snmp_cred *c, char *err, size_t errlen)
{
    const struct hr_snmp_proto *ap, *pp;
    static const int level[] = {
        [HR_SEC_NOAUTH] = SNMP_SEC_LEVEL_NOAUTH,
        [HR_SEC_AUTHNOPRIV] = SNMP_SEC_LEVEL_AUTHNOPRIV,
        [HR_SEC_AUTHPRIV] = SNMP_SEC_LEVEL_AUTHPRIV,
    };

    s->version = SNMP_VERSION_3;
    s->securityModel = SNMP_SEC_MODEL_USM;
    /* net-snmp copies these in snmp_sess_open and never writes them. */
    s->securityName = (char *)(uintptr_t)c->sec_name;
    s->securityNameLen = strlen(c->sec_name);
    s->securityLevel = level[c->sec_level];
    if (c->context && c->context[0]) {
        s->contextName = (char *)(uintptr_t)c->context;
        s->contextNameLen = strlen(c->context);
    }
    if (c->sec_level == HR_SEC_NOAUTH)
        return 0;
    ap = hr_snmp_auth_proto(c->auth_proto);
    s->securityAuthProto = (oid *)(uintptr_t)ap->oid;
    s->securityAuthProtoLen = ap->len;
    s->securityAuthKeyLen = sizeof(s->securityAuthKey);
    if (hr_snmp_ku(ap, c->auth_pass, s->securityAuthKey, &s->securityAuthKeyLen, err, errlen) < 0)
        return -1;
    if (c->sec_level != HR_SEC_AUTHPRIV)
        return 0;
    pp = hr_snmp_priv_proto(c->priv_proto);
    s->securityPrivProto = (oid *)(uintptr_t)pp->oid;
    s->securityPrivProtoLen = pp->len;
    s->securityPrivKeyLen = sizeof(s->securityPrivKey);
    return hr_snmp_ku(ap, c->priv_pass, s->securityPrivKey, &s->securityPrivKeyLen, err, errlen);
}

int hr_snmp_session_fill(netsnmp_session *s, char *peerbuf,
                         const struct hr_snmp_peer *peer, const struct hr_snmp_cred *c,
                         unsigned flags, char *err, size_t errlen)
{
    unsigned port = peer->port ? peer->port : 161;

    if (hr_snmp_cred_check(c, err, errlen) < 0)
        return -1;
    if (strchr(peer->host, ':'))
        snprintf(peerbuf, HR_SNMP_PEERNAME_MAX, "%s:[%s]:%u", peer->tcp ? "tcp6" : "udp6",
                 peer->host, port);
    else
        snprintf(peerbuf, HR_SNMP_PEERNAME_MAX, "%s:%s:%u", peer->tcp ? "tcp" : "udp",
                 peer->host, port);
    s->peername = peerbuf;
    s->timeout = peer->timeout_us;
    s->retries = peer->retries;
    if (!(flags & HR_SNMP_PROBE))
        s->flags |= SNMP_FLAGS_DONT_PROBE;
    if (c->version == HR_SNMP_V3)
        return session_v3(s, c, err, errlen);
    s->version = c->version == HR_SNMP_V1 ? SNMP_VERSION_1 : SNMP_VERSION_2c;
    s->community = (u_char *)(uintptr_t)c->community;
    s->community_len = strlen(c->community);
    return 0;
}

void *hr_snmp_open(const struct hr_snmp_peer *peer, const struct hr_snmp_cred *c,
                   unsigned flags, char *err, size_t errlen)
{
    netsnmp_session s;
    char peerbuf[HR_SNMP_PEERNAME_MAX];
    void *sessp;

    snmp_sess_init(&s);
    if (hr_snmp_session_fill(&s, peerbuf, peer, c, flags, err, errlen) < 0)
        return NULL;
    sessp = snmp_sess_open(&s);
    if (!sessp) {
        int e1 = 0, e2 = 0;
        char *msg = NULL;

        snmp_error(&s, &e1, &e2, &msg);
        snprintf(err, errlen, "cannot open a session to %s: %s", peerbuf,
                 msg ? msg : "unknown error");
        free(msg);
    }
    /* The keys were copied into the session by snmp_sess_open. */
    memset(s.securityAuthKey, 0, sizeof(s.securityAuthKey));
    memset(s.securityPrivKey, 0, sizeof(s.securityPrivKey));
    watch_transport(sessp);
    return sessp;
}

void hr_snmp_close(void *ss)
{
    if (ss)
        snmp_sess_close(ss);
}

int hr_snmp_version_parse(const char *s)
{
    static const struct { const char *name; int v; } names[] = {
        { "1", HR_SNMP_V1 }, { "v1", HR_SNMP_V1 }, { "2c", HR_SNMP_V2C }, { "v2c", HR_SNMP_V2C },
        { "2", HR_SNMP_V2C }, { "3", HR_SNMP_V3 }, { "v3", HR_SNMP_V3 },
    };
    for (size_t i = 0; s && i < HR_ARRAY_LEN(names); i++)
        if (strcasecmp(s, names[i].name) == 0)
            return names[i].v;
    return -1;
}

int hr_snmp_level_parse(const char *s)
{
    static const struct { const char *name; int l; } names[] = {
        { "noAuthNoPriv", HR_SEC_NOAUTH }, { "authNoPriv", HR_SEC_AUTHNOPRIV },
        { "authPriv", HR_SEC_AUTHPRIV },
    };
    for (size_t i = 0; s && i < HR_ARRAY_LEN(names); i++)
        if (strcasecmp(s, names[i].name) == 0)
            return names[i].l;
    return -1;
}
