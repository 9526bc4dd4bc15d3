/* profdev.h: what the store keeps of devices read through the device
 * profiles (db/profdev.c): their volumes, the per-row write counters of
 * the last poll, and the peaks of their history (docs/collector.md,
 * "Devices read through profiles").  -1 on a database error with the
 * reason in hr_db_errmsg.
 */
#ifndef HR_DB_PROFDEV_H
#define HR_DB_PROFDEV_H

#include <stddef.h>
#include <stdint.h>

struct hr_db;

/* Forget DEVICE's volumes (before adding this poll's). */
int hr_db_volumes_clear(struct hr_db *db, int64_t device);
/* Volume SEQ of DEVICE (CAPACITY, USED: bytes; FLAGS: HR_PV_*, 0 counted)
 * seen at NOW. */
int hr_db_volume_add(struct hr_db *db, int64_t device, unsigned seq, const char *name,
                     uint64_t capacity, uint64_t used, unsigned flags, int64_t now);

/* DEVICE's write counters of the last poll, to FN one by one (INDEX: the
 * row's index as text; VALUE the counter; IS64 a Counter64).  FN returns
 * 0 to go on, nonzero to stop (returned).  0 or -1. */
int hr_db_counters_foreach(struct hr_db *db, int64_t device,
                           int (*fn)(void *arg, const char *index, uint64_t value, int is64),
                           void *arg);
/* Forget DEVICE's counters, then record this poll's one by one. */
int hr_db_counters_clear(struct hr_db *db, int64_t device);
int hr_db_counter_add(struct hr_db *db, int64_t device, const char *index, uint64_t value,
                      int is64);

/* The peak and peak_prev of DEVICE's sample at TIME: a bit mask, 1 peak
 * known (into *PEAK), 2 peak_prev known (into *PEAK_PREV); 0 no such
 * sample or neither known. */
int hr_db_sample_peaks(struct hr_db *db, int64_t device, int64_t time, int64_t *peak,
                       int64_t *peak_prev);

#endif
