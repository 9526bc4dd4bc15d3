/* device.h: reading one agent through the profiles (profiles/device.c):
 * detection (which profile fits an agent), the profiles a reading combines
 * (`uses`), and the reading itself as a plan of steps with no transport
 * (struct hr_prof_reader): the synchronous transport here serves the tools
 * that look at one agent (`headroom profiles test`, check_headroom), the
 * poller's event loop (collector/poller.c) is the asynchronous one.  Both
 * fetch the same objects and assemble the device the same way. */
#ifndef HR_PROFILE_DEVICE_H
#define HR_PROFILE_DEVICE_H

#include "profile.h"
#include "read.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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

/* ---- a reading, step by step ---- */

enum hr_prof_req {
    HR_PRQ_GET,     /* GET the instance OID (exceptions are absent objects) */
    HR_PRQ_NEXT,    /* one GETNEXT of OID: the object after it, if any */
    HR_PRQ_WALK,    /* every object under OID, in order, to the subtree's end */
};

struct hr_prof_item {
    enum hr_prof_req kind;
    const uint32_t *oid;        /* valid until the next hr_prof_reader_step */
    size_t len;
};

struct hr_prof_reader;

/* A reading through profile NAMED (NULL: detection) of SET (which must
 * outlive it).  NULL with ERR when NAMED is no profile of SET. */
struct hr_prof_reader *hr_prof_reader_new(const struct hr_profile_set *set, const char *named,
                                          char *err, size_t errlen);
void hr_prof_reader_free(struct hr_prof_reader *r);

/* The answers of the last step are all in: plan the next.  *ITEMS are what
 * it needs, independent of each other (fetch them in any order, batched as
 * the transport likes).  The count; 0 when the reading is complete
 * (hr_prof_reader_device), -1 when it ended without a device
 * (hr_prof_reader_error: no profile matches, out of memory).  A transport
 * that fails (timeout, error status) simply stops. */
ssize_t hr_prof_reader_step(struct hr_prof_reader *r, const struct hr_prof_item **items);

/* One answer to item ITEM (an index into the step's items) of the current
 * step: for GET the object (never an exception; SNMPv1's noSuchName: no
 * call), for NEXT the object after the OID (endOfMibView: no call), for
 * WALK each object of the subtree.  0, or -1 out of memory. */
int hr_prof_reader_add(struct hr_prof_reader *r, size_t item, const uint32_t *name, size_t len,
                       const struct hr_value *v);

const char *hr_prof_reader_error(const struct hr_prof_reader *r);
/* The device read, once hr_prof_reader_step returned 0 (else NULL); owned
 * by the reader. */
const struct hr_prof_device *hr_prof_reader_device(const struct hr_prof_reader *r);
/* Move the device into D (the caller frees it with hr_prof_device_free). */
void hr_prof_reader_take(struct hr_prof_reader *r, struct hr_prof_device *d);

/* Read the agent on session SS (from hr_snmp_open): sysObjectID, sysDescr
 * and the detect probes, then the profile NAMED (NULL: detection) and what
 * it uses.  0, or -1 with ERR (no answer, no profile matches, an unknown
 * name). */
int hr_prof_read_sync(void *ss, const struct hr_profile_set *set, const char *named,
                      struct hr_prof_device *d, char *err, size_t errlen);

#endif
