/* store.h: what a poll cycle leaves behind (collector/store.c).
 *
 * hr_store_result is the poller's callback: per target it records the
 * outcome (and the profile an "auto" target was read through) and logs
 * state changes once; per device row, or per device read through a
 * profile (docs/collector.md, "Devices read through profiles"), it registers new
 * serials (seed 004), records double registrations as conflicts, writes a
 * history row and updates the device's RRD file.  Results are committed
 * in batches (one transaction per BATCH results and at hr_store_flush),
 * so a process killed at any moment loses at most one uncommitted batch
 * and never leaves a half-written device.
 */
#ifndef HR_STORE_H
#define HR_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "poller.h"

struct hr_db;
struct hr_store;

/* Bits of samples.status (docs/collector.md). */
#define HR_SAMPLE_FIRST       0x0001u  /* no previous sample: no delta */
#define HR_SAMPLE_RESTART     0x0002u  /* sysUpTime went back: agent/host restarted */
#define HR_SAMPLE_WRAP        0x0004u  /* the 64-bit counter wrapped (plausibly) */
#define HR_SAMPLE_IMPLAUSIBLE 0x0008u  /* counter jump too large to be real: no delta */
#define HR_SAMPLE_NO_WRITES   0x0010u  /* hdrmDevWrites missing or of a wrong type */
#define HR_SAMPLE_USED_UNKNOWN 0x0020u /* hdrmDevUsed absent (nothing mounted) */
#define HR_SAMPLE_SANITIZED   0x0040u  /* a string of the row was cleaned or cut */
#define HR_SAMPLE_BAD_TYPE    0x0080u  /* a column had the wrong type */
#define HR_SAMPLE_MISSING_COL 0x0100u  /* a mandatory column was absent */
#define HR_SAMPLE_IMPORTED    0x0200u  /* from `headroom history import` */
#define HR_SAMPLE_OUT_OF_RANGE 0x0400u /* a size did not fit (above 2^63 - 1 bytes)
                                          or contradicted another (used above
                                          capacity): stored unknown */

/* Bits of devices.flags. */
#define HR_DEV_NOSERIAL   0x0001u  /* keyed by target + name, never registered */
#define HR_DEV_SANITIZED  0x0002u  /* its strings were cleaned */
#define HR_DEV_BAD_DATA   0x0004u  /* wrong types or missing columns seen */

/* A device completes at most this many writes per second; a counter step
 * beyond it (forwards, or a "wrap") is not believed. */
#define HR_MAX_WRITES_PER_SEC 10000000ull

struct hr_store_opts {
    const char *rrd_dir;    /* NULL: no RRD files */
    const char *rrdcached;  /* NULL: $RRDCACHED_ADDRESS; "": direct */
    unsigned batch;         /* results per transaction; 0 = 200 */
    unsigned load_window;   /* seconds: the window t of the load (Cmax) derived
                               for devices read through profiles; 0 =
                               HR_LOAD_WINDOW */
};

/* Our agent's default window t (seed 000): Cmax is writes per t. */
#define HR_LOAD_WINDOW 60

/* registrations.agent_set of a device read through a profile: the number
 * is written back only into HEADROOM-STORAGE-MIB. */
#define HR_SETBACK_NA "not applicable: no HEADROOM-STORAGE-MIB"

struct hr_store_stats {
    unsigned targets, ok, failed;
    unsigned devices, samples, new_devices, registered, conflicts;
    unsigned rrd_updates, rrd_skipped, rrd_errors, db_errors;
    unsigned same_second;   /* rows not stored: device already sampled at
                               this second (cycles less than 1 s apart) */
};

/* A registration number to write back to an agent after the cycle. */
struct hr_setback {
    int64_t target_id;
    uint32_t index;            /* hdrmDevIndex on that agent */
    char regno[33];
    char serial[256];
};

struct hr_store *hr_store_new(struct hr_db *db, const struct hr_store_opts *opts,
                              char *err, size_t errlen);
/* Commit what is pending, close the RRD writer, free.  NULL is a no-op. */
void hr_store_free(struct hr_store *s);

/* The hr_poll_cb: ARG is the struct hr_store. */
void hr_store_result(const struct hr_poll_result *r, void *arg);
/* Commit the open batch.  0 or -1. */
int hr_store_flush(struct hr_store *s);

const struct hr_store_stats *hr_store_stats(const struct hr_store *s);
void hr_store_reset_stats(struct hr_store *s);

/* Registration numbers that differ on the agent, for targets with write
 * credentials; valid until hr_store_clear_setbacks. */
size_t hr_store_setbacks(const struct hr_store *s, const struct hr_setback **list);
/* Record the outcome of writing SB back (MSG: the error, if !OK). */
void hr_store_setback_done(struct hr_store *s, const struct hr_setback *sb, int ok,
                           const char *msg);
void hr_store_clear_setbacks(struct hr_store *s);

/* ---- the rules, exposed for tests and for history import ---- */

/* The writes completed between two samples.  PREV_* describe the previous
 * sample (PREV_KNOWN 0: none); UP_KNOWN says whether both sysUpTimes are
 * known.  Returns the HR_SAMPLE_* bits to add (0 if *DELTA is valid):
 * FIRST, RESTART (sysUpTime smaller), WRAP (counter smaller, sysUpTime
 * not smaller, and 2^64 - prev + cur plausible: *DELTA set), IMPLAUSIBLE. */
unsigned hr_writes_delta(int prev_known, uint64_t prev, uint32_t prev_up, int64_t prev_t,
                         uint64_t cur, uint32_t up, int64_t t, int up_known, uint64_t *delta);

/* "HR-YYYY-NNNNNN-C": year, sequence (at least 6 digits), ISO 7064
 * MOD 11-2 check character over the digits.  0 or -1 (buffer). */
int hr_regno_format(char *buf, size_t bufsz, int year, uint64_t seq);
/* 1 if S is a well-formed registration number with a correct check. */
int hr_regno_valid(const char *s);
/* Issue the next number for SERIAL/DEVICE_ID to CUSTOMER (inside the
 * caller's transaction).  0 or -1 (logged). */
int hr_register(struct hr_db *db, int64_t device_id, const char *serial, const char *customer,
                int64_t target_id, int64_t when, const char *source, char *regno, size_t regsz);

/* Resolve the open conflict(s) of SERIAL: TRANSFER 0 keeps the
 * registration, 1 moves the device to the claiming customer with a new
 * number.  CLAIMING selects the claiming customer when several claim it.
 * 0 with a summary in MSG; -2 no such/ambiguous conflict; -1 failure. */
int hr_conflict_resolve(struct hr_db *db, const char *serial, const char *claiming,
                        int transfer, char *msg, size_t msglen);

#endif
