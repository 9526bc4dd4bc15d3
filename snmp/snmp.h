/* snmp.h: the one SNMP client of headroom (snmp/session.c).
 *
 * Library setup, credentials, the SNMPv3 protocol names, USM key
 * derivation with a cache, and the opening of a net-snmp single session
 * (snmp_sess_open) for v1, v2c or v3.  The poller drives the session
 * asynchronously, check_headroom synchronously; neither fills a
 * netsnmp_session by hand.  Decoding of HEADROOM-STORAGE-MIB rows is in
 * hdrm.h (snmp/decode.c).
 *
 * This header names net-snmp's structures but does not include net-snmp,
 * so code that only needs the versions and levels (the store, the CLI)
 * stays free of it.
 */
#ifndef HR_SNMP_H
#define HR_SNMP_H

#include <stddef.h>

struct snmp_session;            /* netsnmp_session */

enum hr_snmp_version { HR_SNMP_V1 = 1, HR_SNMP_V2C = 2, HR_SNMP_V3 = 3 };

enum hr_sec_level { HR_SEC_NOAUTH = 1, HR_SEC_AUTHNOPRIV = 2, HR_SEC_AUTHPRIV = 3 };

/* Who we are to the agent.  The strings are borrowed: they must live until
 * hr_snmp_open() returns (net-snmp copies them into the session). */
struct hr_snmp_cred {
    int version;                /* enum hr_snmp_version */
    const char *community;      /* v1/v2c */
    const char *sec_name;       /* v3 (USM) user */
    int sec_level;              /* enum hr_sec_level */
    const char *auth_proto;     /* NULL or "" = SHA; see hr_snmp_auth_proto() */
    const char *auth_pass;
    const char *priv_proto;     /* NULL or "" = AES */
    const char *priv_pass;
    const char *context;        /* NULL or "" = the default context */
};

/* Where the agent is and how patient to be with it. */
struct hr_snmp_peer {
    const char *host;           /* IPv4/IPv6 literal or name */
    unsigned port;              /* 0 = 161 */
    int tcp;                    /* 0 UDP, 1 TCP */
    long timeout_us;            /* per request */
    int retries;                /* per request */
};

/* Flags of hr_snmp_open(). */
#define HR_SNMP_PROBE     0x1u  /* let snmp_sess_open discover the v3 engine
                                   (blocks); without it the session is
                                   opened with SNMP_FLAGS_DONT_PROBE */

/* Flags of hr_snmp_init(). */
#define HR_SNMP_LOG_ERRORS 0x1u /* after setup, net-snmp logs errors to stderr */
#define HR_SNMP_LOG_ALL    0x2u /* net-snmp logs everything to stderr */
#define HR_SNMP_STATE_ENV  0x4u /* load persistent state (engine boots) from
                                   $SNMP_PERSISTENT_DIR when set */
#define HR_SNMP_LOG_LOGGER 0x8u /* after setup, net-snmp's errors go through
                                   headroom's logger (log.h), attributed to
                                   hr_snmp_log_context()'s target */

/* Set net-snmp up once per process: no snmp.conf, no MIB files (our OIDs
 * are compiled in), no persistent state written, no SIGALRM.  Idempotent:
 * the first call's flags win. */
void hr_snmp_setup(const char *appname, unsigned flags);

/* The collector's setup: net-snmp's errors through the logger,
 * $SNMP_PERSISTENT_DIR honoured. */
void hr_snmp_init(const char *appname);

/* Who net-snmp's messages are about from now on ("target NAME"), or
 * NULL/"" for none: the poller sets it around each session's work. */
void hr_snmp_log_context(const char *who);

/* Nonzero when net-snmp cut an integer wider than 32 bits to 32 bits since
 * the last clear (while it parsed a PDU): the 32-bit values of that PDU
 * are not to be trusted.  The decoders (hr_snmp_cell, the profiles'
 * values) refuse them while it is set; clear it after each PDU. */
int hr_snmp_cut32(void);
void hr_snmp_cut32_clear(void);

/* An SNMPv3 protocol as net-snmp knows it. */
struct hr_snmp_proto {
    const char *name;           /* as users write it, matched without case */
    const unsigned long *oid;   /* net-snmp's usm*Protocol */
    size_t len;
};

/* The protocol called NAME (NULL or "" gives the default, SHA and AES), or
 * NULL if unknown or not built into this net-snmp. */
const struct hr_snmp_proto *hr_snmp_auth_proto(const char *name);
const struct hr_snmp_proto *hr_snmp_priv_proto(const char *name);

/* "MD5|SHA|..." for help texts and messages. */
const char *hr_snmp_auth_names(void);
const char *hr_snmp_priv_names(void);

/* The localisation-free key Ku of PASS for the hash of AUTH (RFC 3414
 * section 2.6; the privacy key uses the auth protocol's hash too, RFC 3826
 * 3.1.2.1).  generate_Ku hashes 1 MB, so keys are cached per (protocol,
 * passphrase) for the life of the process.  OUT holds at least *OUTLEN
 * bytes on entry.  0, or -1 with ERR. */
int hr_snmp_ku(const struct hr_snmp_proto *auth, const char *pass,
               unsigned char *out, size_t *outlen, char *err, size_t errlen);

/* Cache statistics, for tests: derivations done and cache hits. */
void hr_snmp_ku_stats(unsigned long *derived, unsigned long *hits);

/* Check CRED without opening anything: version, user, level, protocols,
 * passphrase lengths.  0, or -1 with ERR. */
int hr_snmp_cred_check(const struct hr_snmp_cred *cred, char *err, size_t errlen);

/* Fill S (after snmp_sess_init) from PEER and CRED, keys derived; PEERBUF
 * (at least HR_SNMP_PEERNAME_MAX bytes) receives the transport string S
 * points at.  0, or -1 with ERR. */
#define HR_SNMP_PEERNAME_MAX 300
int hr_snmp_session_fill(struct snmp_session *s, char *peerbuf,
                         const struct hr_snmp_peer *peer, const struct hr_snmp_cred *cred,
                         unsigned flags, char *err, size_t errlen);

/* Open a single session (snmp_sess_open) to PEER: the handle for
 * snmp_sess_*(), or NULL with ERR. */
void *hr_snmp_open(const struct hr_snmp_peer *peer, const struct hr_snmp_cred *cred,
                   unsigned flags, char *err, size_t errlen);
/* "1", "2c", "3" (also "v1", "2", "v2c", "v3") as an enum hr_snmp_version;
 * -1 otherwise. */
int hr_snmp_version_parse(const char *s);
/* "noAuthNoPriv", "authNoPriv", "authPriv" (any case) as an enum
 * hr_sec_level; -1 otherwise. */
int hr_snmp_level_parse(const char *s);

/* Close a session from hr_snmp_open; NULL is a no-op. */
void hr_snmp_close(void *ss);

#endif
