/* hr_value.h: one SNMP value as headroom's code sees it, without net-snmp:
 * the SNMP client (snmp/) hands values over in this form and the profile
 * rules (profiles/) read them, so neither depends on the other's types. */
#ifndef HR_VALUE_H
#define HR_VALUE_H

#include <stddef.h>
#include <stdint.h>

/* SNMP value types (RFC 2578), and ANY for "no type required". */
enum hr_vtype {
    HR_VT_ANY = 0, HR_VT_INTEGER, HR_VT_STRING, HR_VT_OID, HR_VT_IPADDRESS,
    HR_VT_COUNTER32, HR_VT_GAUGE32, HR_VT_TIMETICKS, HR_VT_OPAQUE, HR_VT_COUNTER64,
};

struct hr_value {
    enum hr_vtype type;
    int64_t i;                  /* INTEGER */
    uint64_t u;                 /* Counter32, Gauge32, TimeTicks, Counter64 */
    const unsigned char *s;     /* OCTET STRING, IpAddress, Opaque (LEN bytes), or */
    const uint32_t *oid;        /* OBJECT IDENTIFIER (LEN sub-identifiers) */
    size_t len;
};

#endif
