/* poller.h: the asynchronous fleet poller (collector/poller.c).
 *
 * One thread, net-snmp's single-session API (snmp_sess_*) driven by epoll,
 * many agents in flight at once, at most HR_POLL_PER_AGENT requests in
 * flight per agent.  The poller reads sysUpTime and walks hdrmAgent +
 * hdrmDeviceTable of the HEADROOM-STORAGE-MIB (GETBULK for v2c/v3, GETNEXT
 * for v1), or, with profiles, reads an agent without that MIB through the
 * device profiles (profiles/device.h), and hands one hr_poll_result per
 * target to a callback, in the order targets finish.  It knows nothing about the database or RRD files:
 * collector/store.c does that from the callback.
 *
 * Contract between poller.c (the engine) and the rest of the collector.
 */
#ifndef HR_POLLER_H
#define HR_POLLER_H

#include <stddef.h>
#include <stdint.h>

/* The versions, security levels and the device row (struct hr_dev_row and
 * its HR_ROW_* flags) belong to the SNMP client; relative paths so that
 * every includer of this contract finds them without an include path. */
#include "../snmp/snmp.h"
#include "../snmp/hdrm.h"

/* Device profiles (profiles/device.h): include it to read a device. */
struct hr_profile_set;
struct hr_prof_device;

/* One poll target: an SNMP agent that serves HEADROOM-STORAGE-MIB, or one
 * read through the device profiles. */
struct hr_target {
    int64_t id;                 /* database id; opaque to the poller */
    char host[256];             /* IPv4/IPv6 literal or name */
    uint16_t port;              /* 0 = 161 */
    int tcp;                    /* 0 UDP, 1 TCP */
    int version;                /* enum hr_snmp_version */
    char community[256];        /* v1/v2c read community */
    char write_community[256];  /* v1/v2c write community, "" = none */
    /* SNMPv3 (USM) */
    char sec_name[64];
    int sec_level;              /* enum hr_sec_level */
    char auth_proto[16];        /* "MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512" */
    char auth_pass[256];
    char priv_proto[16];        /* "DES", "AES" (AES-128) */
    char priv_pass[256];
    char context[64];
    int v3_write;               /* the v3 user may SET */
    unsigned timeout_ms;        /* per request; 0 = 1000 */
    unsigned retries;           /* per request; default 1 */
    unsigned budget_ms;         /* whole poll of this target; 0 = 10000 */
    unsigned max_repetitions;   /* GETBULK; 0 = automatic */
    /* With hr_poll_opts.profiles: "" or "auto": HEADROOM-STORAGE-MIB when
     * served, else the profile detection finds; "headroom": our MIB only;
     * any other NAME: that profile only (the native walk is skipped).
     * Without profiles: ignored (our MIB only). */
    char profile[33];
};

enum hr_poll_status {
    HR_POLL_OK = 0,        /* walked the device table (possibly empty), or
                              read the device through a profile */
    HR_POLL_TIMEOUT,       /* no answer within timeout x retries, or budget spent */
    HR_POLL_AUTH,          /* SNMPv3 authentication/privacy failure, or v1/v2c
                              authorizationError */
    HR_POLL_NOMIB,         /* agent answers but serves no hdrmDeviceTable
                              (and, with profiles, no profile matches it) */
    HR_POLL_MALFORMED,     /* replies could not be used (wrong types for key
                              columns, broken packets, non-increasing OIDs) */
    HR_POLL_ERROR,         /* local error: resolve, socket, bad target config */
};

struct hr_poll_result {
    const struct hr_target *target;
    enum hr_poll_status status;
    char error[256];          /* human-readable detail when status != OK */
    double rtt_ms;            /* round-trip time of the first answered request */
    int64_t started, finished; /* Unix time in milliseconds */
    uint32_t sysuptime;       /* centiseconds, valid if sysuptime_known */
    int sysuptime_known;
    char agent_version[65];   /* hdrmAgentVersion, "" if absent */
    size_t n_rows;
    struct hr_dev_row *rows;  /* owned by the poller; valid during the callback */
    unsigned requests;        /* PDUs sent, retries included */
    /* A reading through the profiles: the profile detected or named, and
     * the one device it read (owned by the poller, valid during the
     * callback).  "" and NULL for HEADROOM-STORAGE-MIB (rows above). */
    char profile[33];
    const struct hr_prof_device *device;
};

/* "ok", "timeout", "auth", "nomib", "malformed" or "error": the words the
 * database (targets.last_status), logs and tools use.  Inline, so storage
 * code can use it without linking the engine. */
static inline const char *hr_poll_status_name(enum hr_poll_status s)
{
    switch (s) {
    case HR_POLL_OK: return "ok";
    case HR_POLL_TIMEOUT: return "timeout";
    case HR_POLL_AUTH: return "auth";
    case HR_POLL_NOMIB: return "nomib";
    case HR_POLL_MALFORMED: return "malformed";
    case HR_POLL_ERROR: return "error";
    }
    return "error";
}

typedef void (*hr_poll_cb)(const struct hr_poll_result *r, void *arg);

struct hr_poll_opts {
    unsigned concurrency;     /* agents walking their table at once, and
                                 agents awaiting their first answer at once
                                 (one silent for a quarter of its timeout
                                 stops counting, so dead devices overlap the
                                 cycle); 0 = 512.  At most 4 x concurrency
                                 sessions are open. */
    unsigned per_agent;       /* requests in flight per agent (1 or 2); 0 = 1 */
    volatile int *stop;       /* if non-NULL and set, finish early (signals) */
    const struct hr_profile_set *profiles; /* NULL: HEADROOM-STORAGE-MIB only,
                                 target.profile ignored */
    size_t max_rows;          /* rows per target; 0 = 10,000 */
    size_t max_rows_held;     /* rows of all targets in flight; 0 = 262,144.
                                 When spent, the target holding the most
                                 rows fails (docs/poller.md). */
};

/* Poll N targets once each; CB is called exactly once per target.  Returns
 * 0, or -1 on a local failure that stopped the cycle (errors of single
 * targets are reported through CB, not here). */
int hr_poll_run(const struct hr_target *targets, size_t n,
                const struct hr_poll_opts *opts, hr_poll_cb cb, void *arg);

/* One SET of hdrmDevRegNumber.INDEX to REGNO on TARGET (write_community
 * for v1/v2c, the v3 user when v3_write), for hr_poll_set_run. */
struct hr_set_job {
    const struct hr_target *target;
    uint32_t index;
    char regno[33];
    /* out */
    int ok;                   /* written */
    int timed_out;            /* no answer (timeout x (retries + 1)) */
    char error[256];          /* why not: "SET timed out", "SET refused:
                                 notWritable", ... */
    unsigned requests;        /* PDUs sent, retries included */
};

/* Send N SETs through the same asynchronous engine as hr_poll_run: up to
 * opts->concurrency at once (opts may be NULL), each bounded by its
 * target's timeout x (retries + 1) and budget, replies accepted on the same
 * terms.  Returns 0 (outcomes in JOBS), or -1 on a local failure. */
int hr_poll_set_run(struct hr_set_job *jobs, size_t n, const struct hr_poll_opts *opts);

/* One SET (hr_poll_set_run of one job).  0, or -1 with a message in ERR. */
int hr_snmp_set_regnumber(const struct hr_target *target, uint32_t index,
                          const char *regno, char *err, size_t errlen);

#endif
