/* sync.c: synchronous GET and subtree walks over a single session (see
 * snmp_sync.h), for the tools that read one agent at a time: `headroom
 * profiles test` and check_headroom.  The poller has its own asynchronous
 * engine and shares the conversion of varbinds (hr_snmp_vb_deliver). */
#include "snmp_sync.h"
#include "snmp.h"
#include "hr_util.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VARBINDS 200000       /* per walk: a runaway agent ends here */

int hr_snmp_sync_exchange(void *ss, void *pdu_in, void **resp_out, char *err, size_t errlen)
{
    netsnmp_pdu *pdu = pdu_in, *resp = NULL;
    int st;

    hr_snmp_cut32_clear();      /* set again if this response's parse cuts a value */
    st = snmp_sess_synch_response(ss, pdu, &resp);

    *resp_out = NULL;
    if (st == STAT_SUCCESS && resp) {
        *resp_out = resp;
        return 0;
    }
    if (st == STAT_TIMEOUT) {
        snprintf(err, errlen, "timeout: no answer from the agent");
    } else {
        int liberr, syserr;
        char *e = NULL;
        snmp_sess_error(ss, &liberr, &syserr, &e);
        snprintf(err, errlen, "SNMP error: %s", e ? e : "unknown error");
        free(e);
    }
    if (resp)
        snmp_free_pdu(resp);
    return -1;
}

/* V as an hr_value; OIDBUF holds a converted OBJECT IDENTIFIER.  0, or -1
 * for an exception (noSuchObject, noSuchInstance, endOfMibView) or a type
 * headroom does not read. */
static int to_value(const netsnmp_variable_list *v, struct hr_value *out, uint32_t *oidbuf)
{
    memset(out, 0, sizeof *out);
    /* A 32-bit value of a PDU in which net-snmp cut one is not taken. */
    if ((v->type == ASN_INTEGER || v->type == ASN_COUNTER || v->type == ASN_GAUGE ||
         v->type == ASN_TIMETICKS) && hr_snmp_cut32())
        return -1;
    switch (v->type) {
    case ASN_INTEGER:
        out->type = HR_VT_INTEGER;
        out->i = *v->val.integer;
        return 0;
    case ASN_OCTET_STR:
    case ASN_IPADDRESS:
    case ASN_OPAQUE:
        out->type = v->type == ASN_OCTET_STR ? HR_VT_STRING
                    : v->type == ASN_IPADDRESS ? HR_VT_IPADDRESS : HR_VT_OPAQUE;
        out->s = v->val.string;
        out->len = v->val_len;
        return 0;
    case ASN_OBJECT_ID: {
        size_t n = v->val_len / sizeof(oid);
        if (n > MAX_OID_LEN)
            return -1;
        for (size_t i = 0; i < n; i++)
            oidbuf[i] = (uint32_t)(v->val.objid[i] & 0xffffffffUL);
        out->type = HR_VT_OID;
        out->oid = oidbuf;
        out->len = n;
        return 0;
    }
    case ASN_COUNTER:
    case ASN_GAUGE:
    case ASN_TIMETICKS:
        out->type = v->type == ASN_COUNTER ? HR_VT_COUNTER32
                    : v->type == ASN_GAUGE ? HR_VT_GAUGE32 : HR_VT_TIMETICKS;
        out->u = (uint64_t)(*v->val.integer & 0xffffffffUL);
        return 0;
    case ASN_COUNTER64:
        out->type = HR_VT_COUNTER64;
        out->u = (uint64_t)v->val.counter64->high << 32 | (v->val.counter64->low & 0xffffffffUL);
        return 0;
    default:
        return -1;
    }
}

int hr_snmp_vb_deliver(const void *vb, hr_snmp_vb_cb cb, void *arg)
{
    const netsnmp_variable_list *v = vb;
    uint32_t name[MAX_OID_LEN], oidbuf[MAX_OID_LEN];
    struct hr_value val;

    if (v->name_length > MAX_OID_LEN || to_value(v, &val, oidbuf) < 0)
        return 0;
    for (size_t i = 0; i < v->name_length; i++)
        name[i] = (uint32_t)(v->name[i] & 0xffffffffUL);
    return cb(arg, name, v->name_length, &val);
}

static int session_version(void *ss)
{
    netsnmp_session *s = snmp_sess_session(ss);
    return s ? (int)s->version : SNMP_VERSION_2c;
}

int hr_snmp_sync_get(void *ss, const uint32_t *const *oids, const size_t *lens, size_t n,
                     hr_snmp_vb_cb cb, void *arg, char *err, size_t errlen)
{
    int v1 = session_version(ss) == SNMP_VERSION_1;
    char *skip = calloc(n ? n : 1, 1);
    int rc = -1;

    if (!skip) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    /* SNMPv1 fails a whole GET for one missing object (noSuchName): ask
     * again without it, at most once per object. */
    for (size_t tries = 0; tries <= n; tries++) {
        netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET), *resp = NULL;
        size_t map[256], k = 0;
        void *r;

        if (!pdu) {
            snprintf(err, errlen, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < n && k < HR_ARRAY_LEN(map); i++) {
            oid o[MAX_OID_LEN];
            if (skip[i] || lens[i] > MAX_OID_LEN)
                continue;
            for (size_t j = 0; j < lens[i]; j++)
                o[j] = oids[i][j];
            snmp_add_null_var(pdu, o, lens[i]);
            map[k++] = i;
        }
        if (k == 0) {
            snmp_free_pdu(pdu);
            rc = 0;
            goto out;
        }
        if (hr_snmp_sync_exchange(ss, pdu, &r, err, errlen) < 0)
            goto out;
        resp = r;
        if (v1 && resp->errstat == SNMP_ERR_NOSUCHNAME && resp->errindex >= 1 &&
            (size_t)resp->errindex <= k) {
            skip[map[resp->errindex - 1]] = 1;
            snmp_free_pdu(resp);
            continue;
        }
        if (resp->errstat != SNMP_ERR_NOERROR) {
            snprintf(err, errlen, "GET failed: %s", snmp_errstring((int)resp->errstat));
            snmp_free_pdu(resp);
            goto out;
        }
        rc = 0;
        for (netsnmp_variable_list *v = resp->variables; v && rc == 0; v = v->next_variable)
            rc = hr_snmp_vb_deliver(v, cb, arg) < 0 ? -1 : 0;
        if (rc < 0)
            snprintf(err, errlen, "stopped by the caller");
        snmp_free_pdu(resp);
        goto out;
    }
out:
    free(skip);
    return rc;
}

int hr_snmp_sync_getnext(void *ss, const uint32_t *o, size_t len, hr_snmp_vb_cb cb, void *arg,
                         char *err, size_t errlen)
{
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GETNEXT), *resp;
    oid name[MAX_OID_LEN];
    void *r;
    int rc = 1;

    if (!pdu || len == 0 || len > MAX_OID_LEN) {
        if (pdu)
            snmp_free_pdu(pdu);
        snprintf(err, errlen, pdu ? "bad OID" : "out of memory");
        return -1;
    }
    for (size_t i = 0; i < len; i++)
        name[i] = o[i];
    snmp_add_null_var(pdu, name, len);
    if (hr_snmp_sync_exchange(ss, pdu, &r, err, errlen) < 0)
        return -1;
    resp = r;
    if (resp->errstat == SNMP_ERR_NOSUCHNAME && session_version(ss) == SNMP_VERSION_1) {
        snmp_free_pdu(resp);
        return 1;
    }
    if (resp->errstat != SNMP_ERR_NOERROR) {
        snprintf(err, errlen, "GETNEXT failed: %s", snmp_errstring((int)resp->errstat));
        snmp_free_pdu(resp);
        return -1;
    }
    netsnmp_variable_list *v = resp->variables;
    if (v && v->type != SNMP_ENDOFMIBVIEW && v->type != SNMP_NOSUCHOBJECT &&
        v->type != SNMP_NOSUCHINSTANCE)
        rc = hr_snmp_vb_deliver(v, cb, arg) < 0 ? -1 : 0;
    if (rc < 0)
        snprintf(err, errlen, "stopped by the caller");
    snmp_free_pdu(resp);
    return rc;
}

long hr_snmp_sync_walk(void *ss, const uint32_t *root, size_t rootlen, unsigned max_rep,
                       hr_snmp_vb_cb cb, void *arg, char *err, size_t errlen)
{
    int v1 = session_version(ss) == SNMP_VERSION_1;
    oid cur[MAX_OID_LEN], top[MAX_OID_LEN];
    size_t curlen = rootlen;
    long n = 0;

    if (rootlen == 0 || rootlen > MAX_OID_LEN) {
        snprintf(err, errlen, "bad OID to walk");
        return -1;
    }
    for (size_t i = 0; i < rootlen; i++)
        cur[i] = top[i] = root[i];
    if (max_rep == 0)
        max_rep = 25;
    for (;;) {
        netsnmp_pdu *pdu = snmp_pdu_create(v1 ? SNMP_MSG_GETNEXT : SNMP_MSG_GETBULK), *resp;
        void *r;
        int ended = 0;

        if (!pdu) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        if (!v1) {
            pdu->non_repeaters = 0;
            pdu->max_repetitions = (long)max_rep;
        }
        snmp_add_null_var(pdu, cur, curlen);
        if (hr_snmp_sync_exchange(ss, pdu, &r, err, errlen) < 0)
            return -1;
        resp = r;
        if (v1 && resp->errstat == SNMP_ERR_NOSUCHNAME) {
            snmp_free_pdu(resp);            /* SNMPv1's end of the MIB view */
            return n;
        }
        if (resp->errstat == SNMP_ERR_TOOBIG && max_rep > 1) {
            max_rep /= 2;
            snmp_free_pdu(resp);
            continue;
        }
        if (resp->errstat != SNMP_ERR_NOERROR) {
            snprintf(err, errlen, "%s failed: %s", v1 ? "GETNEXT" : "GETBULK",
                     snmp_errstring((int)resp->errstat));
            snmp_free_pdu(resp);
            return -1;
        }
        if (!resp->variables) {
            snprintf(err, errlen, "empty response to a walk request");
            snmp_free_pdu(resp);
            return -1;
        }
        for (netsnmp_variable_list *v = resp->variables; v; v = v->next_variable) {
            if (v->type == SNMP_ENDOFMIBVIEW || v->type == SNMP_NOSUCHOBJECT ||
                v->type == SNMP_NOSUCHINSTANCE ||
                snmp_oidtree_compare(top, rootlen, v->name, v->name_length) != 0) {
                ended = 1;
                break;
            }
            if (snmp_oid_compare(v->name, v->name_length, cur, curlen) <= 0) {
                snprintf(err, errlen, "the agent returned a non-increasing OID");
                snmp_free_pdu(resp);
                return -1;
            }
            memcpy(cur, v->name, v->name_length * sizeof(oid));
            curlen = v->name_length;
            if (++n > MAX_VARBINDS) {
                snprintf(err, errlen, "more than %d objects under one table", MAX_VARBINDS);
                snmp_free_pdu(resp);
                return -1;
            }
            if (hr_snmp_vb_deliver(v, cb, arg) < 0) {
                snprintf(err, errlen, "stopped by the caller");
                snmp_free_pdu(resp);
                return -1;
            }
        }
        snmp_free_pdu(resp);
        if (ended)
            return n;
    }
}
