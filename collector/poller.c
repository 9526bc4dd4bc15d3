/* poller.c: the asynchronous fleet poller (contract in poller.h).
 *
 * One thread.  Each target in flight has its own net-snmp single session
 * (snmp_sess_open); we take the session's socket from its transport and
 * wait on all of them with epoll ourselves, so neither FD_SETSIZE nor
 * select() limits how many agents are in flight.  net-snmp does all BER, PDU matching, retries
 * (snmp_sess_timeout) and USM; this file only decides what to ask next and
 * turns the answers into hr_dev_row.
 *
 * Per target:
 *   v3 only: an empty noAuthNoPriv GET (RFC 3414 section 4 discovery) whose
 *            usmStatsUnknownEngineID Report gives the engine ID; then the USM
 *            user is localised for that engine through net-snmp's
 *            create_user_from_session().  Sessions are opened with
 *            SNMP_FLAGS_DONT_PROBE so snmp_sess_open never blocks.
 *   GET      sysUpTime.0, hdrmAgentVersion.0, hdrmDeviceCount.0
 *   walk     hdrmDeviceTable column-wise: GETBULK (v2c/v3) with several
 *            columns per PDU, or GETNEXT (v1); every column stops at the end
 *            of its own subtree.
 * With per_agent = 2 the columns are split into two streams that are walked
 * side by side (the GET goes first, alongside the first stream).
 *
 * net-snmp quirks handled here:
 *  - After a Report that is not notInTimeWindow, net-snmp 5.9's
 *    _sess_process_packet writes `((struct synch_state *)magic)->waiting = 0`
 *    even for asynchronous requests; our callback data therefore starts with
 *    an int that the library may clobber (struct req.lib_scratch).
 *  - The engine ID from a discovery Report is stored in the session only
 *    after our callback returned, so the USM user is created (and the next
 *    request sent) from the event loop, never from inside the callback.
 *  - snmp_sess_close() calls pending callbacks with TIMED_OUT; an agent that
 *    is closing ignores them.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "poller.h"
#include "hr_util.h"
#include "hdrm_oids.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>
/* net-snmp's types.h aliases these PDU fields by macro; the names clash
 * with hr_target.max_repetitions.  GETBULK's fields are errstat/errindex. */
#undef non_repeaters
#undef max_repetitions

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>

#define MAX_ROWS        10000      /* per target: a hostile agent cannot grow us */
/* All targets in flight together: 256 agents at MAX_ROWS would hold 3 GB of
 * rows; past this (about 300 MB) the agent asking for more fails instead. */
#define MAX_ROWS_HELD   262144
#define MAX_REQUESTS    4000       /* per target, retries not counted */
#define FIRST_COL       2          /* hdrmDevName */
#define LAST_COL        26         /* hdrmDevLastUpdate */
#define N_COLS          (LAST_COL - FIRST_COL + 1)
#define MAX_STREAMS     2
#define DEFAULT_REP     8
#define MAX_AUTO_REP    32

static const oid oid_sysuptime[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };
static const oid oid_agentversion[] = { HDRM_OID_hdrmAgentVersion, 0 };
static const oid oid_devcount[] = { HDRM_OID_hdrmDeviceCount, 0 };
static const oid oid_entry[] = { HDRM_OID_hdrmDeviceEntry };
#define ENTRY_LEN HDRM_OIDLEN_hdrmDeviceEntry

enum req_kind { REQ_DISCOVER, REQ_GET, REQ_WALK };

struct agent;
struct loop;

/* One request in flight.  lib_scratch must stay first: see the header. */
struct req {
    int lib_scratch;
    struct agent *a;
    enum req_kind kind;
    int used;
    unsigned stream;
    unsigned ncols;
    unsigned char cols[N_COLS];   /* column sub-ids in varbind order */
    unsigned rep;                 /* GETBULK max-repetitions sent */
    int64_t sent_us;
};

struct col {
    oid cur[MAX_OID_LEN];         /* last OID reached in this column */
    size_t cur_len;
    int done;
};

struct rowx {
    struct hr_dev_row r;
    uint32_t seen;                /* bit per column sub-id */
};

enum v3_state { V3_NONE, V3_DISCOVERING, V3_DISCOVERED, V3_READY };

struct agent {
    const struct hr_target *t;
    struct hr_poll_result res;
    void *sessp;
    int fd;
    int done;                     /* result decided */
    int closing;                  /* ignore callbacks */
    enum v3_state v3;
    int get_state;                /* 0 unsent, 1 in flight, 2 answered */
    int mib_seen;                 /* hdrmAgentVersion.0 or a table row exists */
    int v1_get_drop;              /* v1: varbinds dropped after noSuchName */
    uint32_t dev_count;
    int dev_count_known;
    unsigned per_agent, inflight;
    unsigned n_streams;
    unsigned stream_lo[MAX_STREAMS], stream_hi[MAX_STREAMS];
    int stream_busy[MAX_STREAMS];
    unsigned rep, maxcols;        /* GETBULK size, shrunk on tooBig */
    struct col cols[N_COLS];
    struct rowx *rows;
    size_t n_rows, cap_rows;
    struct req reqs[MAX_STREAMS + 1];
    int64_t t_timer_us;           /* next snmp_sess_timeout, 0 = none */
    int64_t deadline_us;          /* budget */
    int64_t start_us;
    int answered;
    int minimal;                  /* one object per request after a lost reply */
    int probing;                  /* counted in loop.n_probing */
    int has_slot;                 /* holds one of loop.conc walk slots */
    int queued;                   /* waiting for a walk slot */
    struct agent *wnext, *wprev;  /* the wait queue */
    struct loop *L;
    size_t slot;                  /* index in the event loop's list */
};

static int64_t mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    time_t now = hr_now();              /* stamps results: HEADROOM_NOW fixes it */

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)now * 1000 + (now == ts.tv_sec ? ts.tv_nsec / 1000000 : 0);
}

static void agent_fail(struct agent *a, enum hr_poll_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void agent_fail(struct agent *a, enum hr_poll_status st, const char *fmt, ...)
{
    va_list ap;

    if (a->done)
        return;
    a->done = 1;
    a->res.status = st;
    va_start(ap, fmt);
    vsnprintf(a->res.error, sizeof(a->res.error), fmt, ap);
    va_end(ap);
}

/* ---- library setup --------------------------------------------------- */

void hr_snmp_init(const char *appname)
{
    static int done;
    const char *pdir;
    netsnmp_log_handler *quiet;

    if (done)
        return;
    done = 1;
    /* No snmp.conf from the system or the user, no persistent state in
     * /var/lib/snmp unless asked, no MIB parsing: OIDs are compiled in. */
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_LOAD_HOST_FILES, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    pdir = getenv("SNMP_PERSISTENT_DIR");
    if (pdir && *pdir)
        netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_PERSISTENT_DIR, pdir);
    else
        netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIBDIRS, "/nonexistent");
    netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_WARNINGS, 0);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_ERRORS, 0);
    /* Quiet: nothing while init_snmp complains about the MIB modules it is
     * not given, then errors only, to stderr. */
    quiet = netsnmp_register_loghandler(NETSNMP_LOGHANDLER_NONE, LOG_DEBUG);
    init_snmp(appname && *appname ? appname : "headroom");
    if (quiet)
        netsnmp_remove_loghandler(quiet);
    netsnmp_register_loghandler(NETSNMP_LOGHANDLER_STDERR, LOG_ERR);
}

/* ---- SNMPv3 keys ------------------------------------------------------ */

/* Protocol names as hr_target spells them.  Looked up here rather than
 * with usm_get_auth_oid(), which libnetsnmp 5.9.3 declares but does not
 * export. */
static const struct proto {
    const char *name;
    const oid *oid;
    size_t len;
} auth_protos[] = {
    { "MD5", usmHMACMD5AuthProtocol, USM_AUTH_PROTO_MD5_LEN },
    { "SHA", usmHMACSHA1AuthProtocol, USM_AUTH_PROTO_SHA_LEN },
    { "SHA1", usmHMACSHA1AuthProtocol, USM_AUTH_PROTO_SHA_LEN },
    { "SHA-1", usmHMACSHA1AuthProtocol, USM_AUTH_PROTO_SHA_LEN },
    { "SHA-224", usmHMAC128SHA224AuthProtocol, OID_LENGTH(usmHMAC128SHA224AuthProtocol) },
    { "SHA-256", usmHMAC192SHA256AuthProtocol, OID_LENGTH(usmHMAC192SHA256AuthProtocol) },
    { "SHA-384", usmHMAC256SHA384AuthProtocol, OID_LENGTH(usmHMAC256SHA384AuthProtocol) },
    { "SHA-512", usmHMAC384SHA512AuthProtocol, OID_LENGTH(usmHMAC384SHA512AuthProtocol) },
}, priv_protos[] = {
    { "DES", usmDESPrivProtocol, USM_PRIV_PROTO_DES_LEN },
    { "AES", usmAESPrivProtocol, USM_PRIV_PROTO_AES_LEN },
    { "AES-128", usmAESPrivProtocol, USM_PRIV_PROTO_AES_LEN },
    { "AES128", usmAESPrivProtocol, USM_PRIV_PROTO_AES_LEN },
};

static const struct proto *proto_find(const struct proto *tab, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(tab[i].name, name) == 0)
            return &tab[i];
    return NULL;
}

/* generate_Ku runs 1 MB of hashing: once per distinct (protocol, passphrase),
 * not once per device. */
struct ku {
    const oid *proto;
    char pass[256];
    u_char key[USM_AUTH_KU_LEN];
    size_t len;
    struct ku *next;
};
static struct ku *ku_cache;

static int ku_get(const struct proto *p, const char *pass, u_char *out, size_t *outlen)
{
    struct ku *k;

    for (k = ku_cache; k; k = k->next)
        if (k->proto == p->oid && strcmp(k->pass, pass) == 0)
            goto found;
    k = calloc(1, sizeof(*k));
    if (!k)
        return -1;
    k->proto = p->oid;
    hr_strlcpy(k->pass, pass, sizeof(k->pass));
    k->len = sizeof(k->key);
    if (generate_Ku(p->oid, (u_int)p->len, (const u_char *)pass, strlen(pass),
                    k->key, &k->len) != SNMPERR_SUCCESS) {
        free(k);
        return -1;
    }
    k->next = ku_cache;
    ku_cache = k;
found:
    memcpy(out, k->key, k->len);
    *outlen = k->len;
    return 0;
}

/* Fill the v3 part of S from T.  0, or -1 with ERR. */
static int session_v3(netsnmp_session *s, const struct hr_target *t, char *err, size_t errlen)
{
    const struct proto *ap, *pp;
    const char *an = t->auth_proto[0] ? t->auth_proto : "SHA";
    const char *pn = t->priv_proto[0] ? t->priv_proto : "AES";

    if (!t->sec_name[0]) {
        snprintf(err, errlen, "SNMPv3 target without a user name");
        return -1;
    }
    s->securityModel = SNMP_SEC_MODEL_USM;
    s->securityName = (char *)t->sec_name;
    s->securityNameLen = strlen(t->sec_name);
    switch (t->sec_level) {
    case HR_SEC_NOAUTH: s->securityLevel = SNMP_SEC_LEVEL_NOAUTH; break;
    case HR_SEC_AUTHNOPRIV: s->securityLevel = SNMP_SEC_LEVEL_AUTHNOPRIV; break;
    case HR_SEC_AUTHPRIV: s->securityLevel = SNMP_SEC_LEVEL_AUTHPRIV; break;
    default:
        snprintf(err, errlen, "bad SNMPv3 security level %d", t->sec_level);
        return -1;
    }
    if (t->context[0]) {
        s->contextName = (char *)t->context;
        s->contextNameLen = strlen(t->context);
    }
    if (t->sec_level == HR_SEC_NOAUTH)
        return 0;
    if (!(ap = proto_find(auth_protos, HR_ARRAY_LEN(auth_protos), an))) {
        snprintf(err, errlen, "unknown SNMPv3 auth protocol '%s'", an);
        return -1;
    }
    s->securityAuthProto = (oid *)ap->oid;
    s->securityAuthProtoLen = ap->len;
    /* RFC 3414 section 11.2: passphrases of fewer than 8 characters. */
    if (strlen(t->auth_pass) < 8) {
        snprintf(err, errlen, "SNMPv3 auth passphrase shorter than 8 characters");
        return -1;
    }
    if (ku_get(ap, t->auth_pass, s->securityAuthKey, &s->securityAuthKeyLen) < 0) {
        snprintf(err, errlen, "cannot derive the SNMPv3 auth key");
        return -1;
    }
    if (t->sec_level != HR_SEC_AUTHPRIV)
        return 0;
    if (!(pp = proto_find(priv_protos, HR_ARRAY_LEN(priv_protos), pn))) {
        snprintf(err, errlen, "unknown SNMPv3 privacy protocol '%s'", pn);
        return -1;
    }
    s->securityPrivProto = (oid *)pp->oid;
    s->securityPrivProtoLen = pp->len;
    if (strlen(t->priv_pass) < 8) {
        snprintf(err, errlen, "SNMPv3 privacy passphrase shorter than 8 characters");
        return -1;
    }
    /* The privacy Ku is hashed with the authentication protocol (RFC 3414
     * 2.6, RFC 3826 3.1.2.1). */
    if (ku_get(ap, t->priv_pass, s->securityPrivKey, &s->securityPrivKeyLen) < 0) {
        snprintf(err, errlen, "cannot derive the SNMPv3 privacy key");
        return -1;
    }
    return 0;
}

/* Open a session for T; NULL with ERR.  WRITE selects the write community. */
static void *session_open(const struct hr_target *t, int write, int probe,
                          char *err, size_t errlen)
{
    netsnmp_session s;
    char peer[300];
    void *sessp;
    unsigned port = t->port ? t->port : 161;
    const char *comm;

    snmp_sess_init(&s);
    if (strchr(t->host, ':'))
        snprintf(peer, sizeof(peer), "%s:[%s]:%u", t->tcp ? "tcp6" : "udp6", t->host, port);
    else
        snprintf(peer, sizeof(peer), "%s:%s:%u", t->tcp ? "tcp" : "udp", t->host, port);
    s.peername = peer;
    s.timeout = (long)(t->timeout_ms ? t->timeout_ms : 1000) * 1000L;
    s.retries = (int)t->retries;
    if (!probe)
        s.flags |= SNMP_FLAGS_DONT_PROBE;
    switch (t->version) {
    case HR_SNMP_V1:
    case HR_SNMP_V2C:
        s.version = t->version == HR_SNMP_V1 ? SNMP_VERSION_1 : SNMP_VERSION_2c;
        comm = write ? t->write_community : t->community;
        if (!comm[0]) {
            snprintf(err, errlen, "no %scommunity configured", write ? "write " : "");
            return NULL;
        }
        s.community = (u_char *)comm;
        s.community_len = strlen(comm);
        break;
    case HR_SNMP_V3:
        s.version = SNMP_VERSION_3;
        if (session_v3(&s, t, err, errlen) < 0)
            return NULL;
        break;
    default:
        snprintf(err, errlen, "bad SNMP version %d", t->version);
        return NULL;
    }
    sessp = snmp_sess_open(&s);
    if (!sessp) {
        int e1 = 0, e2 = 0;
        char *msg = NULL;

        snmp_error(&s, &e1, &e2, &msg);
        snprintf(err, errlen, "cannot open a session to %s: %s", peer,
                 msg ? msg : "unknown error");
        free(msg);
    }
    return sessp;
}

/* ---- rows ------------------------------------------------------------- */

static size_t rows_held;          /* rows of every agent in flight */

static struct rowx *row_get(struct agent *a, uint32_t index)
{
    size_t lo = 0, hi = a->n_rows;

    /* Columns are walked in index order, so the answer is usually the end. */
    if (a->n_rows && a->rows[a->n_rows - 1].r.index < index) {
        lo = a->n_rows;
    } else {
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (a->rows[mid].r.index < index)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < a->n_rows && a->rows[lo].r.index == index)
            return &a->rows[lo];
    }
    if (a->n_rows >= MAX_ROWS || rows_held >= MAX_ROWS_HELD)
        return NULL;
    if (a->n_rows == a->cap_rows) {
        size_t nc = a->cap_rows ? a->cap_rows * 2 : 8;
        struct rowx *nr = realloc(a->rows, nc * sizeof(*nr));
        if (!nr)
            return NULL;
        a->rows = nr;
        a->cap_rows = nc;
    }
    memmove(&a->rows[lo + 1], &a->rows[lo], (a->n_rows - lo) * sizeof(*a->rows));
    a->n_rows++;
    rows_held++;
    memset(&a->rows[lo], 0, sizeof(a->rows[lo]));
    a->rows[lo].r.index = index;
    a->rows[lo].r.used_percent = -1;
    return &a->rows[lo];
}

static void put_str(struct rowx *x, char *dst, size_t dstsz, const netsnmp_variable_list *v)
{
    size_t n;

    if (v->type != ASN_OCTET_STR) {
        x->r.flags |= HR_ROW_BAD_TYPE;
        return;
    }
    n = hr_sanitize(dst, dstsz, v->val.string, v->val_len);
    if (n != v->val_len || !hr_is_clean_utf8(v->val.string, v->val_len))
        x->r.flags |= HR_ROW_SANITIZED;
}

static int get_u64(struct rowx *x, const netsnmp_variable_list *v, uint64_t *out)
{
    if (v->type != ASN_COUNTER64) {
        x->r.flags |= HR_ROW_BAD_TYPE;
        return -1;
    }
    *out = ((uint64_t)(v->val.counter64->high & 0xffffffffUL) << 32) |
           (v->val.counter64->low & 0xffffffffUL);
    return 0;
}

static int get_u32(struct rowx *x, const netsnmp_variable_list *v, uint32_t *out)
{
    if (v->type != ASN_GAUGE) {   /* Gauge32 and Unsigned32 share tag 0x42 */
        x->r.flags |= HR_ROW_BAD_TYPE;
        return -1;
    }
    *out = (uint32_t)(*v->val.integer & 0xffffffffUL);
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : d[m - 1];
}

/* DateAndTime (SNMPv2-TC) to Unix time.  0 ok, 1 empty, -1 bad. */
static int date_and_time(const u_char *p, size_t len, int64_t *out)
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

static void put_date(struct rowx *x, int64_t *dst, unsigned flag, const netsnmp_variable_list *v)
{
    int rc;

    if (v->type != ASN_OCTET_STR) {
        x->r.flags |= HR_ROW_BAD_TYPE;
        return;
    }
    rc = date_and_time(v->val.string, v->val_len, dst);
    if (rc < 0)
        x->r.flags |= HR_ROW_BAD_TYPE;
    else if (rc == 0)
        x->r.flags |= flag;
}

/* Store column COL of one row. */
static void row_store(struct rowx *x, unsigned col, const netsnmp_variable_list *v)
{
    struct hr_dev_row *r = &x->r;
    uint64_t u64;
    uint32_t u32;

    switch (col) {
    case HDRM_SUBID_hdrmDevName: put_str(x, r->name, sizeof(r->name), v); break;
    case HDRM_SUBID_hdrmDevSerial:
        if (v->type == ASN_OCTET_STR)
            x->seen |= 1u << col;
        put_str(x, r->serial, sizeof(r->serial), v);
        return;
    case HDRM_SUBID_hdrmDevVendor: put_str(x, r->vendor, sizeof(r->vendor), v); break;
    case HDRM_SUBID_hdrmDevModelName: put_str(x, r->model_name, sizeof(r->model_name), v); break;
    case HDRM_SUBID_hdrmDevModelNumber: put_str(x, r->model_number, sizeof(r->model_number), v); break;
    case HDRM_SUBID_hdrmDevProductNumber:
        put_str(x, r->product_number, sizeof(r->product_number), v);
        break;
    case HDRM_SUBID_hdrmDevFirmware: put_str(x, r->firmware, sizeof(r->firmware), v); break;
    case HDRM_SUBID_hdrmDevConfig: put_str(x, r->config, sizeof(r->config), v); break;
    case HDRM_SUBID_hdrmDevPrice: put_str(x, r->price, sizeof(r->price), v); break;
    case HDRM_SUBID_hdrmDevCustomerId: put_str(x, r->customer_id, sizeof(r->customer_id), v); break;
    case HDRM_SUBID_hdrmDevRegNumber: put_str(x, r->reg_number, sizeof(r->reg_number), v); break;
    case HDRM_SUBID_hdrmDevCapacity:
        if (get_u64(x, v, &u64) == 0) {
            r->capacity = u64;
            x->seen |= 1u << col;
        }
        return;
    case HDRM_SUBID_hdrmDevCacheSize:
        if (get_u64(x, v, &u64) == 0) {
            r->cache_size = u64;
            x->seen |= 1u << col;
        }
        return;
    case HDRM_SUBID_hdrmDevUsed:
        if (get_u64(x, v, &u64) == 0) {
            r->used = u64;
            r->flags |= HR_ROW_USED_KNOWN;
            x->seen |= 1u << col;
        }
        return;
    case HDRM_SUBID_hdrmDevWrites:
        if (get_u64(x, v, &u64) == 0) {
            r->writes = u64;
            r->flags |= HR_ROW_WRITES;
        }
        return;
    /* The MiB columns are read for SNMPv1 managers' sake; the 64-bit
     * columns win when both are present (resolved in row_finish). */
    case HDRM_SUBID_hdrmDevCapacityMiB:
    case HDRM_SUBID_hdrmDevCacheSizeMiB:
    case HDRM_SUBID_hdrmDevUsedMiB:
        if (get_u32(x, v, &u32) == 0) {
            u64 = (uint64_t)u32 << 20;
            if (col == HDRM_SUBID_hdrmDevCapacityMiB && !(x->seen & 1u << HDRM_SUBID_hdrmDevCapacity))
                r->capacity = u64;
            else if (col == HDRM_SUBID_hdrmDevCacheSizeMiB &&
                     !(x->seen & 1u << HDRM_SUBID_hdrmDevCacheSize))
                r->cache_size = u64;
            else if (col == HDRM_SUBID_hdrmDevUsedMiB && !(x->seen & 1u << HDRM_SUBID_hdrmDevUsed))
                r->used = u64;
            x->seen |= 1u << col;
        }
        return;
    case HDRM_SUBID_hdrmDevUsedPercent:
        if (v->type != ASN_INTEGER || *v->val.integer < -1 || *v->val.integer > 100)
            r->flags |= HR_ROW_BAD_TYPE;
        else
            r->used_percent = (int)*v->val.integer;
        return;
    case HDRM_SUBID_hdrmDevPeakWrites:
        if (get_u32(x, v, &u32) == 0) {
            r->peak = u32;
            x->seen |= 1u << col;
        }
        return;
    case HDRM_SUBID_hdrmDevPeakWritesPrev:
        if (get_u32(x, v, &u32) == 0)
            r->peak_prev = u32;
        return;
    case HDRM_SUBID_hdrmDevWindow:
        if (get_u32(x, v, &u32) == 0) {
            r->window = u32;
            x->seen |= 1u << col;
        }
        return;
    case HDRM_SUBID_hdrmDevWriteRateAvg:
        if (get_u32(x, v, &u32) == 0)
            r->rate_avg = u32;
        return;
    case HDRM_SUBID_hdrmDevSaleDate: put_date(x, &r->sale_date, HR_ROW_SALE_DATE, v); return;
    case HDRM_SUBID_hdrmDevLastUpdate: put_date(x, &r->last_update, HR_ROW_LAST_UPDATE, v); return;
    default:
        return;
    }
}

static void row_finish(struct rowx *x)
{
    struct hr_dev_row *r = &x->r;

    if (x->seen & (1u << HDRM_SUBID_hdrmDevUsedMiB))
        r->flags |= HR_ROW_USED_KNOWN;
    if ((x->seen & (1u << HDRM_SUBID_hdrmDevPeakWrites)) &&
        (x->seen & (1u << HDRM_SUBID_hdrmDevWindow)))
        r->flags |= HR_ROW_PEAK;
    if (!(x->seen & (1u << HDRM_SUBID_hdrmDevSerial)) ||
        !(x->seen & ((1u << HDRM_SUBID_hdrmDevCapacity) | (1u << HDRM_SUBID_hdrmDevCapacityMiB))))
        r->flags |= HR_ROW_MISSING_COL;
}

/* ---- responses -------------------------------------------------------- */

static void probing_end(struct agent *a);

static void note_answer(struct agent *a, struct req *q)
{
    probing_end(a);
    if (!a->answered) {
        a->answered = 1;
        a->res.rtt_ms = (double)(mono_us() - q->sent_us) / 1000.0;
    }
}

static const char *report_text(netsnmp_pdu *pdu)
{
    return snmp_api_errstring(snmpv3_get_report_type(pdu));
}

static void on_get(struct agent *a, struct req *q, netsnmp_pdu *pdu)
{
    netsnmp_variable_list *v;

    if (pdu->errstat == SNMP_ERR_NOSUCHNAME && a->t->version == HR_SNMP_V1 &&
        pdu->errindex >= 2 && a->v1_get_drop < 2) {
        /* SNMPv1 fails the whole GET for one missing object: ask again
         * without the objects from the failing one on. */
        a->v1_get_drop = 4 - (int)pdu->errindex;
        if (a->v1_get_drop < 1)
            a->v1_get_drop = 1;
        a->get_state = 0;
        return;
    }
    if (pdu->errstat != SNMP_ERR_NOERROR) {
        agent_fail(a, pdu->errstat == SNMP_ERR_AUTHORIZATIONERROR ? HR_POLL_AUTH : HR_POLL_MALFORMED,
                   "GET failed: %s", snmp_errstring((int)pdu->errstat));
        return;
    }
    (void)q;
    for (v = pdu->variables; v; v = v->next_variable) {
        if (snmp_oid_compare(v->name, v->name_length, oid_sysuptime, HR_ARRAY_LEN(oid_sysuptime)) == 0) {
            if (v->type == ASN_TIMETICKS) {
                a->res.sysuptime = (uint32_t)(*v->val.integer & 0xffffffffUL);
                a->res.sysuptime_known = 1;
            }
        } else if (snmp_oid_compare(v->name, v->name_length, oid_agentversion,
                                    HR_ARRAY_LEN(oid_agentversion)) == 0) {
            if (v->type == ASN_OCTET_STR) {
                hr_sanitize(a->res.agent_version, sizeof(a->res.agent_version),
                            v->val.string, v->val_len);
                a->mib_seen = 1;
            }
        } else if (snmp_oid_compare(v->name, v->name_length, oid_devcount,
                                    HR_ARRAY_LEN(oid_devcount)) == 0) {
            if (v->type == ASN_GAUGE) {
                a->dev_count = (uint32_t)(*v->val.integer & 0xffffffffUL);
                a->dev_count_known = 1;
            }
        }
    }
    a->get_state = 2;
    /* Size GETBULK so one request sees every row of a column plus its end. */
    if (a->dev_count_known && !a->t->max_repetitions && a->rep == DEFAULT_REP)
        a->rep = a->dev_count >= MAX_AUTO_REP ? MAX_AUTO_REP : a->dev_count + 1;
}

static void on_too_big(struct agent *a)
{
    if (a->rep > 1)
        a->rep /= 2;
    else if (a->maxcols > 1)
        a->maxcols /= 2;
    else
        agent_fail(a, HR_POLL_MALFORMED, "tooBig even for one object per request");
}

/* One varbind of a walk for column COL.  0 go on, 1 column ended, -1 fail. */
static int walk_vb(struct agent *a, unsigned col, const oid *prev, size_t prev_len,
                   netsnmp_variable_list *v)
{
    struct col *c = &a->cols[col - FIRST_COL];
    struct rowx *x;

    if (v->type == SNMP_ENDOFMIBVIEW || v->type == SNMP_NOSUCHOBJECT ||
        v->type == SNMP_NOSUCHINSTANCE)
        return 1;
    if (snmp_oid_compare(v->name, v->name_length, prev, prev_len) <= 0) {
        agent_fail(a, HR_POLL_MALFORMED, "agent returned a non-increasing OID in column %u", col);
        return -1;
    }
    if (v->name_length <= ENTRY_LEN + 1 ||
        snmp_oid_compare(v->name, ENTRY_LEN, oid_entry, ENTRY_LEN) != 0 ||
        v->name[ENTRY_LEN] != col)
        return 1;   /* left the column */
    if (v->name_length != ENTRY_LEN + 2 || v->name[ENTRY_LEN + 1] == 0 ||
        v->name[ENTRY_LEN + 1] > 0xffffffffUL) {
        agent_fail(a, HR_POLL_MALFORMED, "bad hdrmDevIndex in column %u", col);
        return -1;
    }
    memcpy(c->cur, v->name, v->name_length * sizeof(oid));
    c->cur_len = v->name_length;
    x = row_get(a, (uint32_t)v->name[ENTRY_LEN + 1]);
    if (!x) {
        if (a->n_rows >= MAX_ROWS)
            agent_fail(a, HR_POLL_MALFORMED, "more than %d rows", MAX_ROWS);
        else
            agent_fail(a, HR_POLL_ERROR, "out of row memory (%zu rows held by the cycle)",
                       rows_held);
        return -1;
    }
    a->mib_seen = 1;
    row_store(x, col, v);
    return 0;
}

static void on_walk(struct agent *a, struct req *q, netsnmp_pdu *pdu)
{
    netsnmp_variable_list *v;
    unsigned i = 0, k = q->ncols;
    int ended[N_COLS] = { 0 };

    if (pdu->errstat == SNMP_ERR_TOOBIG) {
        on_too_big(a);
        return;
    }
    if (pdu->errstat == SNMP_ERR_NOSUCHNAME && a->t->version == HR_SNMP_V1 &&
        pdu->errindex >= 1 && (unsigned)pdu->errindex <= k) {
        /* SNMPv1 end of MIB view for that column. */
        a->cols[q->cols[pdu->errindex - 1] - FIRST_COL].done = 1;
        return;
    }
    if (pdu->errstat != SNMP_ERR_NOERROR) {
        agent_fail(a, pdu->errstat == SNMP_ERR_AUTHORIZATIONERROR ? HR_POLL_AUTH : HR_POLL_MALFORMED,
                   "%s failed: %s", a->t->version == HR_SNMP_V1 ? "GETNEXT" : "GETBULK",
                   snmp_errstring((int)pdu->errstat));
        return;
    }
    if (!pdu->variables) {
        agent_fail(a, HR_POLL_MALFORMED, "empty response to a walk request");
        return;
    }
    /* Varbinds come row-major: repetition r, column j is number r*k + j. */
    for (v = pdu->variables; v; v = v->next_variable, i++) {
        unsigned j = i % k, col = q->cols[j];
        struct col *c = &a->cols[col - FIRST_COL];
        int rc;

        if (i >= k * q->rep)
            break;              /* more than asked for: ignore the excess */
        if (ended[j])
            continue;
        rc = walk_vb(a, col, c->cur, c->cur_len, v);
        if (rc < 0)
            return;
        if (rc > 0) {
            ended[j] = 1;
            c->done = 1;
        }
    }
}

static int on_response(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu, void *magic)
{
    struct req *q = magic;
    struct agent *a = q->a;

    (void)s;
    (void)reqid;
    if (op == NETSNMP_CALLBACK_OP_RESEND) {
        /* net-snmp retransmitted this request: count the PDU. */
        if (!a->closing && q->used)
            a->res.requests++;
        return 1;
    }
    if (a->closing || !q->used)
        return 1;
    q->used = 0;
    a->inflight--;
    if (q->kind == REQ_WALK)
        a->stream_busy[q->stream] = 0;
    if (a->done)
        return 1;
    if (op == NETSNMP_CALLBACK_OP_TIMED_OUT) {
        if (q->kind == REQ_WALK && a->answered && !a->minimal) {
            /* Some agents (snmpsim among them) drop a response that would
             * not fit a datagram instead of answering tooBig: go on with
             * one object per request before giving up. */
            a->minimal = 1;
            a->rep = 1;
            a->maxcols = 1;
            return 1;
        }
        if (!a->answered)
            agent_fail(a, HR_POLL_TIMEOUT, "no response (timeout %u ms, %u retries)",
                       a->t->timeout_ms ? a->t->timeout_ms : 1000, a->t->retries);
        else if (a->v3 == V3_READY && a->get_state != 2 && a->n_rows == 0)
            /* The engine answered discovery but drops every authenticated
             * request: what an agent does with a wrong privacy key. */
            agent_fail(a, HR_POLL_AUTH, "SNMPv3 engine answers discovery but not "
                       "authenticated requests (wrong passphrase or protocol?)");
        else
            agent_fail(a, HR_POLL_TIMEOUT, "agent stopped answering after %zu rows", a->n_rows);
        return 1;
    }
    if (q->kind == REQ_DISCOVER) {
        /* net-snmp 5.9 parses the discovery Report into the session
         * (engine ID, boots, time) and then reports it as a security error
         * (unknown engine ID) or as a Report: either way the session says
         * whether discovery worked; agent_step() checks. */
        note_answer(a, q);
        a->v3 = V3_DISCOVERED;
        return 1;
    }
    if (op == NETSNMP_CALLBACK_OP_SEC_ERROR) {
        /* USM refused the answer: unknown user, wrong digest, ... */
        netsnmp_session *ss = snmp_sess_session(a->sessp);
        int e = pdu && pdu->command == SNMP_MSG_REPORT ? snmpv3_get_report_type(pdu)
                : ss && ss->s_snmp_errno ? ss->s_snmp_errno : SNMPERR_AUTHENTICATION_FAILURE;

        note_answer(a, q);
        agent_fail(a, HR_POLL_AUTH, "SNMPv3 security error: %s", snmp_api_errstring(e));
        return 1;
    }
    if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || !pdu) {
        agent_fail(a, HR_POLL_ERROR, "request could not be sent (%d)", op);
        return 1;
    }
    note_answer(a, q);
    if (pdu->command == SNMP_MSG_REPORT) {
        int rt = snmpv3_get_report_type(pdu);

        if (rt == SNMPERR_NOT_IN_TIME_WINDOW) {
            /* net-snmp resends it by itself with the engine's clock. */
            q->used = 1;
            a->inflight++;
            if (q->kind == REQ_WALK)
                a->stream_busy[q->stream] = 1;
            return 1;
        }
        agent_fail(a, HR_POLL_AUTH, "SNMPv3 report: %s", report_text(pdu));
        return 1;
    }
    if (pdu->command != SNMP_MSG_RESPONSE) {
        agent_fail(a, HR_POLL_MALFORMED, "unexpected PDU type 0x%02x", (unsigned)pdu->command);
        return 1;
    }
    switch (q->kind) {
    case REQ_DISCOVER:
        break;
    case REQ_GET: on_get(a, q, pdu); break;
    case REQ_WALK: on_walk(a, q, pdu); break;
    }
    return 1;
}

/* ---- requests --------------------------------------------------------- */

static struct req *req_new(struct agent *a, enum req_kind kind)
{
    for (size_t i = 0; i < HR_ARRAY_LEN(a->reqs); i++) {
        struct req *q = &a->reqs[i];
        if (!q->used) {
            memset(q, 0, sizeof(*q));
            q->a = a;
            q->kind = kind;
            return q;
        }
    }
    return NULL;
}

static int req_send(struct agent *a, struct req *q, netsnmp_pdu *pdu)
{
    if (a->res.requests >= MAX_REQUESTS) {
        snmp_free_pdu(pdu);
        agent_fail(a, HR_POLL_MALFORMED, "walk did not end after %u requests", MAX_REQUESTS);
        return -1;
    }
    q->sent_us = mono_us();
    q->used = 1;
    if (snmp_sess_async_send(a->sessp, pdu, on_response, q) == 0) {
        netsnmp_session *s = snmp_sess_session(a->sessp);

        q->used = 0;
        snmp_free_pdu(pdu);    /* net-snmp frees it only on success */
        agent_fail(a, HR_POLL_ERROR, "send failed: %s",
                   snmp_api_errstring(s ? s->s_snmp_errno : snmp_errno));
        return -1;
    }
    a->inflight++;
    a->res.requests++;
    return 0;
}

static void send_discover(struct agent *a)
{
    struct req *q = req_new(a, REQ_DISCOVER);
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);

    if (!q || !pdu) {
        snmp_free_pdu(pdu);
        agent_fail(a, HR_POLL_ERROR, "out of memory");
        return;
    }
    /* What net-snmp's own probe sends: no user, no varbinds, noAuthNoPriv. */
    pdu->version = SNMP_VERSION_3;
    pdu->securityModel = SNMP_SEC_MODEL_USM;
    pdu->securityLevel = SNMP_SEC_LEVEL_NOAUTH;
    pdu->securityName = strdup("");
    pdu->securityNameLen = 0;
    if (!pdu->securityName) {
        snmp_free_pdu(pdu);
        agent_fail(a, HR_POLL_ERROR, "out of memory");
        return;
    }
    if (req_send(a, q, pdu) == 0)
        a->v3 = V3_DISCOVERING;
}

static void send_get(struct agent *a)
{
    struct req *q = req_new(a, REQ_GET);
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);
    int n = 3 - a->v1_get_drop;

    if (!q || !pdu) {
        snmp_free_pdu(pdu);
        agent_fail(a, HR_POLL_ERROR, "out of memory");
        return;
    }
    snmp_add_null_var(pdu, oid_sysuptime, HR_ARRAY_LEN(oid_sysuptime));
    if (n >= 2)
        snmp_add_null_var(pdu, oid_agentversion, HR_ARRAY_LEN(oid_agentversion));
    if (n >= 3)
        snmp_add_null_var(pdu, oid_devcount, HR_ARRAY_LEN(oid_devcount));
    if (req_send(a, q, pdu) == 0)
        a->get_state = 1;
}

/* Walk the columns of stream S that are not done.  0 if nothing to do. */
static int send_walk(struct agent *a, unsigned s)
{
    struct req *q;
    netsnmp_pdu *pdu;
    int v1 = a->t->version == HR_SNMP_V1;

    q = req_new(a, REQ_WALK);
    if (!q)
        return 0;
    for (unsigned c = a->stream_lo[s]; c <= a->stream_hi[s] && q->ncols < a->maxcols; c++)
        if (!a->cols[c - FIRST_COL].done)
            q->cols[q->ncols++] = (unsigned char)c;
    if (q->ncols == 0)
        return 0;
    pdu = snmp_pdu_create(v1 ? SNMP_MSG_GETNEXT : SNMP_MSG_GETBULK);
    if (!pdu) {
        agent_fail(a, HR_POLL_ERROR, "out of memory");
        return 0;
    }
    q->stream = s;
    q->rep = v1 ? 1 : a->rep;
    if (!v1) {
        pdu->errstat = 0;               /* non-repeaters */
        pdu->errindex = (long)q->rep;   /* max-repetitions */
    }
    for (unsigned j = 0; j < q->ncols; j++) {
        struct col *c = &a->cols[q->cols[j] - FIRST_COL];
        snmp_add_null_var(pdu, c->cur, c->cur_len);
    }
    if (req_send(a, q, pdu) < 0)
        return 0;
    a->stream_busy[s] = 1;
    return 1;
}

static int walk_done(const struct agent *a)
{
    for (unsigned i = 0; i < N_COLS; i++)
        if (!a->cols[i].done)
            return 0;
    return 1;
}

static int slot_take(struct agent *a);

/* Decide what to send next; called from the event loop only. */
static void agent_step(struct agent *a)
{
    if (a->done)
        return;
    if (a->v3 == V3_DISCOVERED) {
        netsnmp_session *s = snmp_sess_session(a->sessp);

        if (!s || s->securityEngineIDLen == 0) {
            agent_fail(a, HR_POLL_AUTH, "agent did not report its SNMPv3 engine ID");
            return;
        }
        /* Remember the engine's clock so the first authenticated request is
         * in its time window, then localise the keys for this engine ID. */
        if (s->engineBoots || s->engineTime)
            set_enginetime(s->securityEngineID, (u_int)s->securityEngineIDLen,
                           s->engineBoots, s->engineTime, TRUE);
        if (create_user_from_session(s) != SNMPERR_SUCCESS) {
            agent_fail(a, HR_POLL_ERROR, "cannot set up the SNMPv3 user for this engine");
            return;
        }
        a->v3 = V3_READY;
    }
    if (a->v3 == V3_DISCOVERING)
        return;
    if (a->get_state == 0 && a->inflight < a->per_agent)
        send_get(a);
    for (unsigned s = 0; s < a->n_streams && !a->done; s++) {
        if (a->inflight >= a->per_agent)
            break;
        /* The second stream waits for the GET: it may size GETBULK. */
        if (s > 0 && a->get_state != 2)
            break;
        if (a->stream_busy[s])
            continue;
        /* Walks take one of the `concurrency` slots; first contacts do not. */
        if (!a->has_slot && !slot_take(a))
            break;
        send_walk(a, s);
    }
    if (a->done || a->inflight > 0)
        return;
    if (a->get_state == 2 && walk_done(a)) {
        a->done = 1;
        if (a->n_rows == 0 && !a->mib_seen) {
            a->res.status = HR_POLL_NOMIB;
            snprintf(a->res.error, sizeof(a->res.error),
                     "agent serves no hdrmDeviceTable (HEADROOM-STORAGE-MIB absent)");
        } else {
            a->res.status = HR_POLL_OK;
        }
    }
}

static void agent_timer_refresh(struct agent *a, netsnmp_large_fd_set *scratch, int64_t now)
{
    struct timeval tv = { 0, 0 };
    int block = 1, numfds = 0;

    a->t_timer_us = 0;
    if (!a->sessp || a->done)
        return;
    if (a->fd >= (int)scratch->lfs_setsize)
        netsnmp_large_fd_set_resize(scratch, a->fd + 1024);
    snmp_sess_select_info2_flags(a->sessp, &numfds, scratch, &tv, &block, NETSNMP_SELECT_NOALARMS);
    if (a->fd >= 0)
        NETSNMP_LARGE_FD_CLR(a->fd, scratch);
    if (!block)
        a->t_timer_us = now + (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* ---- the cycle -------------------------------------------------------- */

static struct agent *agent_start(const struct hr_target *t, const struct hr_poll_opts *o,
                                 struct loop *L)
{
    struct agent *a = calloc(1, sizeof(*a));
    netsnmp_transport *tr;
    unsigned budget;

    if (!a)
        return NULL;
    a->t = t;
    a->L = L;
    a->res.target = t;
    a->res.started = wall_ms();
    a->start_us = mono_us();
    budget = t->budget_ms ? t->budget_ms : 10000;
    a->deadline_us = a->start_us + (int64_t)budget * 1000;
    a->fd = -1;
    a->per_agent = o && o->per_agent >= 2 ? 2 : 1;
    a->n_streams = t->version == HR_SNMP_V1 ? 1 : a->per_agent;
    a->rep = t->max_repetitions ? t->max_repetitions : DEFAULT_REP;
    a->maxcols = N_COLS;
    if (a->n_streams == 1) {
        a->stream_lo[0] = FIRST_COL, a->stream_hi[0] = LAST_COL;
    } else {
        unsigned mid = FIRST_COL + N_COLS / 2;
        a->stream_lo[0] = FIRST_COL, a->stream_hi[0] = mid - 1;
        a->stream_lo[1] = mid, a->stream_hi[1] = LAST_COL;
    }
    for (unsigned c = FIRST_COL; c <= LAST_COL; c++) {
        struct col *cc = &a->cols[c - FIRST_COL];
        memcpy(cc->cur, oid_entry, sizeof(oid_entry));
        cc->cur[ENTRY_LEN] = c;
        cc->cur_len = ENTRY_LEN + 1;
    }
    a->sessp = session_open(t, 0, 0, a->res.error, sizeof(a->res.error));
    if (!a->sessp) {
        a->done = 1;
        a->res.status = HR_POLL_ERROR;
        return a;
    }
    /* snmp_sess_open may clear the flag; keep net-snmp from probing
     * synchronously inside snmp_sess_async_send. */
    snmp_sess_session(a->sessp)->flags |= SNMP_FLAGS_DONT_PROBE;
    tr = snmp_sess_transport(a->sessp);
    a->fd = tr ? tr->sock : -1;
    if (a->fd < 0) {
        agent_fail(a, HR_POLL_ERROR, "session has no socket");
        return a;
    }
    if (t->version == HR_SNMP_V3)
        send_discover(a);
    else
        agent_step(a);
    return a;
}

static void agent_finish(struct agent *a, hr_poll_cb cb, void *arg)
{
    struct hr_dev_row *out = NULL;

    a->closing = 1;
    if (a->sessp)
        snmp_sess_close(a->sessp);
    a->sessp = NULL;
    a->res.finished = wall_ms();
    if (a->res.status == HR_POLL_OK && a->n_rows) {
        out = malloc(a->n_rows * sizeof(*out));
        if (!out) {
            a->res.status = HR_POLL_ERROR;
            snprintf(a->res.error, sizeof(a->res.error), "out of memory");
        } else {
            for (size_t i = 0; i < a->n_rows; i++) {
                row_finish(&a->rows[i]);
                out[i] = a->rows[i].r;
            }
            a->res.rows = out;
            a->res.n_rows = a->n_rows;
        }
    }
    if (a->res.status != HR_POLL_OK) {
        a->res.rows = NULL;
        a->res.n_rows = 0;
    }
    cb(&a->res, arg);
    free(out);
    rows_held -= a->n_rows;
    free(a->rows);
    free(a);
}

static void report_unpolled(const struct hr_target *t, hr_poll_cb cb, void *arg, const char *why)
{
    struct hr_poll_result r;

    memset(&r, 0, sizeof(r));
    r.target = t;
    r.status = HR_POLL_ERROR;
    r.started = r.finished = wall_ms();
    snprintf(r.error, sizeof(r.error), "%s", why);
    cb(&r, arg);
}

/* Enough descriptors for CONC sessions plus the caller's own files. */
static void raise_nofile(size_t conc)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < conc + 64) {
        rlim_t want = conc + 64;
        if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max)
            want = rl.rlim_max;
        rl.rlim_cur = want;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            hr_log(LOG_WARNING, "poller: cannot raise the open file limit to %zu", (size_t)want);
    }
}

/* The event loop.  epoll tells which sessions have a datagram, so the
 * work per wakeup follows the answers, not the number of agents in flight;
 * timers (net-snmp's retransmissions, the budgets) are checked by a full
 * pass only when the earliest one noted may have come due. */
struct loop {
    struct agent **act;           /* agents in flight; agent.slot indexes it */
    size_t n_act, conc;
    size_t n_probing, max_open;   /* see park_us() */
    size_t slots_used;            /* walk slots held, at most conc */
    struct agent *wq_head, *wq_tail;
    int epfd;
    struct epoll_event *ev;
    int64_t next_due_us;          /* no timer is due before this */
    netsnmp_large_fd_set rset, scratch;
    hr_poll_cb cb;
    void *arg;
};

/* Scheduling.  `concurrency` bounds two things separately: agents waiting
 * for the answer to their first request ("probing"), and agents walking
 * their table (walk slots).  An agent that answered waits in a FIFO for a
 * walk slot, holding its session; an agent silent for a quarter of its
 * timeout stops counting as probing.  So a dead device's timeout and retry
 * overlap the rest of the cycle wherever it is in the list, and live agents
 * are never queued behind dead ones.  Sessions open at once are bounded by
 * max_open (4 x concurrency).  A quarter of the timeout is far above any
 * real round trip and well below the timeout. */
static int64_t park_us(const struct agent *a)
{
    return (int64_t)(a->t->timeout_ms ? a->t->timeout_ms : 1000) * 250;
}

static void probing_end(struct agent *a)
{
    if (a->probing) {
        a->probing = 0;
        if (a->L)
            a->L->n_probing--;
    }
}

/* Take a walk slot, or queue for one.  Nonzero if taken. */
static int slot_take(struct agent *a)
{
    struct loop *L = a->L;

    if (!L) {                   /* unit tests: no loop, no limit */
        a->has_slot = 1;
        return 1;
    }
    if (!a->queued && L->slots_used < L->conc) {
        a->has_slot = 1;
        L->slots_used++;
        return 1;
    }
    if (!a->queued) {
        a->queued = 1;
        a->wnext = NULL;
        a->wprev = L->wq_tail;
        if (L->wq_tail)
            L->wq_tail->wnext = a;
        else
            L->wq_head = a;
        L->wq_tail = a;
    }
    return 0;
}

static void queue_unlink(struct loop *L, struct agent *a)
{
    if (!a->queued)
        return;
    if (a->wprev)
        a->wprev->wnext = a->wnext;
    else
        L->wq_head = a->wnext;
    if (a->wnext)
        a->wnext->wprev = a->wprev;
    else
        L->wq_tail = a->wprev;
    a->queued = 0;
    a->wnext = a->wprev = NULL;
}

static void loop_note_timers(struct loop *L, const struct agent *a)
{
    if (a->probing && a->start_us + park_us(a) < L->next_due_us)
        L->next_due_us = a->start_us + park_us(a);
    if (a->t_timer_us && a->t_timer_us < L->next_due_us)
        L->next_due_us = a->t_timer_us;
    if (a->deadline_us < L->next_due_us)
        L->next_due_us = a->deadline_us;
}

static void loop_remove(struct loop *L, struct agent *a)
{
    size_t i = a->slot;

    if (a->fd >= 0)
        epoll_ctl(L->epfd, EPOLL_CTL_DEL, a->fd, NULL);
    probing_end(a);
    queue_unlink(L, a);
    if (a->has_slot) {
        a->has_slot = 0;
        L->slots_used--;
    }
    L->act[i] = L->act[--L->n_act];
    L->act[i]->slot = i;
    agent_finish(a, L->cb, L->arg);
}

static void loop_add(struct loop *L, struct agent *a)
{
    struct epoll_event e = { .events = EPOLLIN, .data.ptr = a };

    a->slot = L->n_act;
    L->act[L->n_act++] = a;
    if (!a->done && !a->answered) {
        a->probing = 1;
        L->n_probing++;
    }
    if (!a->done && epoll_ctl(L->epfd, EPOLL_CTL_ADD, a->fd, &e) < 0)
        agent_fail(a, HR_POLL_ERROR, "epoll: %s", strerror(errno));
    if (a->done) {
        loop_remove(L, a);
        return;
    }
    agent_timer_refresh(a, &L->scratch, mono_us());
    loop_note_timers(L, a);
}

/* A datagram for A: let net-snmp read it, then decide what comes next. */
static void loop_read(struct loop *L, struct agent *a)
{
    if (a->fd >= (int)L->rset.lfs_setsize)
        netsnmp_large_fd_set_resize(&L->rset, a->fd + 1024);
    NETSNMP_LARGE_FD_SET(a->fd, &L->rset);
    snmp_sess_read2(a->sessp, &L->rset);
    NETSNMP_LARGE_FD_CLR(a->fd, &L->rset);
    if (!a->done) {
        agent_step(a);
        agent_timer_refresh(a, &L->scratch, mono_us());
        loop_note_timers(L, a);
    }
    if (a->done)
        loop_remove(L, a);
}

/* Retransmissions and budgets: a pass over every agent in flight. */
static void loop_timers(struct loop *L)
{
    int64_t now = mono_us();

    L->next_due_us = now + 1000000;
    for (size_t i = 0; i < L->n_act;) {
        struct agent *a = L->act[i];

        if (!a->done && a->t_timer_us && now >= a->t_timer_us) {
            snmp_sess_timeout(a->sessp);
            if (!a->done)
                agent_step(a);
            agent_timer_refresh(a, &L->scratch, mono_us());
        }
        if (!a->done && now >= a->deadline_us)
            agent_fail(a, HR_POLL_TIMEOUT, "poll budget of %u ms spent after %zu rows",
                       a->t->budget_ms ? a->t->budget_ms : 10000, a->n_rows);
        if (a->done) {
            loop_remove(L, a);     /* moves the last agent into slot i */
            continue;
        }
        if (a->probing && now >= a->start_us + park_us(a))
            probing_end(a);     /* silent so far: probably dead */
        loop_note_timers(L, a);
        i++;
    }
}

/* Give free walk slots to the agents waiting for one, oldest first. */
static void loop_resume(struct loop *L)
{
    while (L->slots_used < L->conc && L->wq_head) {
        struct agent *a = L->wq_head;

        queue_unlink(L, a);
        agent_step(a);          /* takes the slot and sends */
        if (!a->done) {
            agent_timer_refresh(a, &L->scratch, mono_us());
            loop_note_timers(L, a);
        } else {
            loop_remove(L, a);
        }
    }
}

static int loop_wait(struct loop *L)
{
    int64_t now = mono_us();
    int ms = L->next_due_us <= now ? 0 : (int)((L->next_due_us - now + 999) / 1000);
    int n = epoll_wait(L->epfd, L->ev, (int)L->max_open, ms);

    if (n < 0) {
        if (errno == EINTR)
            return 0;
        hr_log(LOG_ERR, "poller: epoll_wait: %s", strerror(errno));
        return -1;
    }
    for (int i = 0; i < n; i++) {
        struct agent *a = L->ev[i].data.ptr;
        /* Each agent shows up at most once per batch and is freed only
         * when its own event is handled, so the pointers stay valid. */
        if (!a->done)
            loop_read(L, a);
    }
    if (mono_us() >= L->next_due_us)
        loop_timers(L);
    loop_resume(L);
    return 0;
}

static void loop_fail_all(struct loop *L, const char *why)
{
    while (L->n_act > 0) {
        struct agent *a = L->act[L->n_act - 1];
        agent_fail(a, HR_POLL_ERROR, "%s", why);
        loop_remove(L, a);
    }
}

int hr_poll_run(const struct hr_target *targets, size_t n,
                const struct hr_poll_opts *opts, hr_poll_cb cb, void *arg)
{
    struct loop L;
    size_t next = 0;
    int rc = 0;

    hr_snmp_init(NULL);
    memset(&L, 0, sizeof(L));
    L.cb = cb;
    L.arg = arg;
    L.conc = opts && opts->concurrency ? opts->concurrency : 512;
    if (L.conc > n)
        L.conc = n ? n : 1;
    L.max_open = L.conc * 4 > n ? (n ? n : 1) : L.conc * 4;
    raise_nofile(L.max_open);
    L.act = calloc(L.max_open, sizeof(*L.act));
    L.ev = calloc(L.max_open, sizeof(*L.ev));
    L.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (!L.act || !L.ev || L.epfd < 0) {
        hr_log(LOG_ERR, "poller: cannot set up the event loop: %s", strerror(errno));
        if (L.epfd >= 0)
            close(L.epfd);
        free(L.act);
        free(L.ev);
        return -1;
    }
    netsnmp_large_fd_set_init(&L.rset, 1024);
    netsnmp_large_fd_set_init(&L.scratch, 1024);
    L.next_due_us = mono_us() + 1000000;
    while (next < n || L.n_act > 0) {
        if (opts && opts->stop && *opts->stop) {
            loop_fail_all(&L, "cycle stopped");
            for (; next < n; next++)
                report_unpolled(&targets[next], cb, arg, "cycle stopped before this target");
            break;
        }
        while (L.n_probing < L.conc && L.n_act < L.max_open && next < n) {
            struct agent *a = agent_start(&targets[next], opts, &L);
            if (!a)
                report_unpolled(&targets[next], cb, arg, "out of memory");
            else
                loop_add(&L, a);
            next++;
        }
        if (L.n_act == 0)
            continue;
        if (loop_wait(&L) < 0) {
            rc = -1;
            loop_fail_all(&L, "poller failure");
            for (; next < n; next++)
                report_unpolled(&targets[next], cb, arg, "poller failure");
        }
    }
    netsnmp_large_fd_set_cleanup(&L.rset);
    netsnmp_large_fd_set_cleanup(&L.scratch);
    close(L.epfd);
    free(L.act);
    free(L.ev);
    return rc;
}

/* ---- SET of the registration number ------------------------------------ */

int hr_snmp_set_regnumber(const struct hr_target *target, uint32_t index,
                          const char *regno, char *err, size_t errlen)
{
    oid name[] = { HDRM_OID_hdrmDevRegNumber, 0 };
    netsnmp_pdu *pdu, *resp = NULL;
    void *sessp;
    int st, rc = -1;

    hr_snmp_init(NULL);
    if (index == 0) {
        snprintf(err, errlen, "bad device index 0");
        return -1;
    }
    if (strlen(regno) > 32) {
        snprintf(err, errlen, "registration number longer than 32 bytes");
        return -1;
    }
    if (target->version == HR_SNMP_V3 && !target->v3_write) {
        snprintf(err, errlen, "the SNMPv3 user of this target may not write");
        return -1;
    }
    name[HR_ARRAY_LEN(name) - 1] = index;
    /* A one-off SET may block: the probe is fine here. */
    sessp = session_open(target, target->version != HR_SNMP_V3, 1, err, errlen);
    if (!sessp)
        return -1;
    pdu = snmp_pdu_create(SNMP_MSG_SET);
    if (!pdu || !snmp_pdu_add_variable(pdu, name, HR_ARRAY_LEN(name), ASN_OCTET_STR,
                                       regno, strlen(regno))) {
        snmp_free_pdu(pdu);
        snprintf(err, errlen, "out of memory");
        goto out_close;
    }
    st = snmp_sess_synch_response(sessp, pdu, &resp);
    if (st == STAT_TIMEOUT) {
        snprintf(err, errlen, "SET timed out");
    } else if (st != STAT_SUCCESS || !resp) {
        netsnmp_session *s = snmp_sess_session(sessp);
        snprintf(err, errlen, "SET failed: %s",
                 snmp_api_errstring(s ? s->s_snmp_errno : snmp_errno));
    } else if (resp->command == SNMP_MSG_REPORT) {
        snprintf(err, errlen, "SET refused: %s", report_text(resp));
    } else if (resp->errstat != SNMP_ERR_NOERROR) {
        snprintf(err, errlen, "SET refused: %s", snmp_errstring((int)resp->errstat));
    } else {
        rc = 0;
    }
    snmp_free_pdu(resp);
out_close:
    snmp_sess_close(sessp);
    return rc;
}
