/* snmp_sync.h: synchronous requests over a session from hr_snmp_open
 * (snmp/sync.c), for tools that read one agent at a time.  Values reach
 * the caller as struct hr_value (common/hr_value.h), OIDs as uint32_t
 * arrays: no net-snmp type crosses this interface. */
#ifndef HR_SNMP_SYNC_H
#define HR_SNMP_SYNC_H

#include "hr_value.h"

#include <stddef.h>
#include <stdint.h>

/* One varbind: its name (LEN sub-identifiers) and value, both valid during
 * the call only.  Return 0 to go on, -1 to stop. */
typedef int (*hr_snmp_vb_cb)(void *arg, const uint32_t *name, size_t len,
                             const struct hr_value *v);

/* Hand the varbind VB (a const netsnmp_variable_list *) to CB as a name
 * and an hr_value.  0 without calling CB for an exception (noSuchObject,
 * noSuchInstance, endOfMibView) or a type headroom does not read; else
 * what CB returned. */
int hr_snmp_vb_deliver(const void *vb, hr_snmp_vb_cb cb, void *arg);

/* Send PDU (a netsnmp_pdu *, always consumed) on session SS and wait for
 * the answer: 0 with *RESP (a netsnmp_pdu * the caller frees), or -1 with
 * ERR ("timeout: no answer from the agent", "SNMP error: ..."). */
int hr_snmp_sync_exchange(void *ss, void *pdu, void **resp, char *err, size_t errlen);

/* GET the N objects OIDS[i] (LENS[i] sub-identifiers); CB sees each one
 * the agent has (noSuchObject/noSuchInstance are skipped; on SNMPv1 a
 * missing object is dropped and the GET asked again).  0, or -1 with ERR. */
int hr_snmp_sync_get(void *ss, const uint32_t *const *oids, const size_t *lens, size_t n,
                     hr_snmp_vb_cb cb, void *arg, char *err, size_t errlen);

/* One GETNEXT of OID: CB sees the next object (its name may lie anywhere
 * after OID).  1 when there is none (end of the MIB view), 0 after CB, -1
 * with ERR. */
int hr_snmp_sync_getnext(void *ss, const uint32_t *oid, size_t len, hr_snmp_vb_cb cb, void *arg,
                         char *err, size_t errlen);

/* Walk the subtree ROOT (GETBULK of MAX_REP, 0 = 25, halved on tooBig;
 * GETNEXT on SNMPv1), CB for each object in it, in order.  The number of
 * objects, or -1 with ERR (a non-increasing OID, an error status, more
 * than 200,000 objects, CB stopping). */
long hr_snmp_sync_walk(void *ss, const uint32_t *root, size_t rootlen, unsigned max_rep,
                       hr_snmp_vb_cb cb, void *arg, char *err, size_t errlen);

#endif
