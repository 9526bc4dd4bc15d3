/* device.h: reading one agent through the profiles (profiles/device.c):
 * detection (which profile fits an agent), the profiles a reading combines
 * (`uses`), and a synchronous reading over an open SNMP session for the
 * tools that look at one agent: `headroom profiles test` and
 * check_headroom.  The poller's asynchronous reading uses the same
 * detection and rules (read.h). */
#ifndef HR_PROFILE_DEVICE_H
#define HR_PROFILE_DEVICE_H

#include "profile.h"
#include "read.h"

#include <stddef.h>
#include <stdint.h>

#define HR_PROF_CLOSURE_MAX 16

/* What detection needs to know of an agent. */
struct hr_prof_facts {
    int has_sysobjectid;
    struct hr_prof_oid sysobjectid;
    int has_sysdescr;
    char sysdescr[1024];                /* sanitized */
    /* Does the agent have an instance at or under O?  1 with *TYPE set, 0
     * no, -1 could not tell (the agent did not answer). */
    int (*exists)(void *arg, const struct hr_prof_oid *o, enum hr_vtype *type);
    void *arg;
};

/* Nonzero if every `detect` line of P holds for FACTS (a profile without
 * detect lines never matches by itself).  -1 when an exists probe failed. */
int hr_profile_matches(const struct hr_profile *p, const struct hr_prof_facts *facts);

/* The profile of the highest priority that matches (ties: the first by
 * name), or NULL.  -1 in *FAILED when an exists probe could not be
 * answered (the agent went silent): then NULL says nothing. */
const struct hr_profile *hr_profile_detect(const struct hr_profile_set *set,
                                           const struct hr_prof_facts *facts, int *failed);

/* P and, depth first in the order given, the profiles it uses, each once:
 * the order in which a reading takes each field from them.  The count. */
size_t hr_profile_closure(const struct hr_profile_set *set, const struct hr_profile *p,
                          const struct hr_profile **out, size_t max);

/* What a reading found. */
struct hr_prof_device {
    const struct hr_profile *profile;       /* the one detected or named */
    const struct hr_profile *from[HR_PROF_CLOSURE_MAX];
    size_t nfrom;
    char field[HR_PF_COUNT][256];           /* "" unknown */
    int serial_placeholder;                 /* a serial was read but is no serial */
    char serial_raw[256];                   /* what the agent said */
    const struct hr_profile *volumes_from;  /* NULL: no profile reads capacity */
    struct hr_prof_volume *vols;
    size_t nvols, counted;
    uint64_t capacity, used;                /* valid when counted > 0 */
    const struct hr_profile *writes_from;   /* NULL: no write counters */
    struct hr_prof_counter *ctrs;
    size_t nctrs;
    uint32_t sysuptime;                     /* centiseconds */
    int sysuptime_known;
};

void hr_prof_device_free(struct hr_prof_device *d);

/* Read the agent on session SS (from hr_snmp_open): sysObjectID, sysDescr
 * and the detect probes, then the profile NAMED (NULL: detection) and what
 * it uses.  0, or -1 with ERR (no answer, no profile matches, an unknown
 * name). */
int hr_prof_read_sync(void *ss, const struct hr_profile_set *set, const char *named,
                      struct hr_prof_device *d, char *err, size_t errlen);

#endif
