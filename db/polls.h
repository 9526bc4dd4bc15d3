/* polls.h: the raw polls, packed an hour at a time (db/polls.c).
 *
 * A raw poll is written as one row of samples (db/samples.h), keyed
 * (device_id, time).  That row costs about 75 bytes with its index, which
 * is 31 GB for 14 days of 5-minute polls of 100,000 devices.  So samples is
 * only where the polls of the current hour wait: once an hour is over (and
 * HR_POLLS_DELAY seconds more, for a cycle still writing), each device's
 * polls of that hour go into one row of polls, keyed (hour, device_id), as
 * a block of delta-coded values (about 4-10 bytes a poll).  Blocks of one
 * hour go in device order, after every older hour, so the table is written
 * at its end and pruned at its start, and its pages stay full.
 *
 * The virtual table raw_polls (db/rawpolls.c) reads both as one table with
 * the columns of samples; every reader of raw polls reads it.
 *
 * -1 on a database error with the reason in hr_db_errmsg; nothing is
 * logged here.
 */
#ifndef HR_DB_POLLS_H
#define HR_DB_POLLS_H

#include <stddef.h>
#include <stdint.h>

struct hr_db;
struct hr_db_sample;

/* The span of a block (s).  NEVER change it: a stored block is found by the
 * start of its hour. */
#define HR_POLLS_SPAN 3600
/* An hour is packed this long after its end. */
#define HR_POLLS_DELAY 900

/* The start of the block holding T. */
int64_t hr_db_polls_hour(int64_t t);

/* ---- the block format ---- */

/* Encode the N polls V[] (times strictly increasing, all in the block
 * starting at HOUR) into a malloc'd *OUT of *LEN bytes.  device_id and
 * firmware are not stored.  0, or -1 (out of memory or polls out of
 * order). */
int hr_db_polls_encode(const struct hr_db_sample *v, size_t n, int64_t hour, unsigned char **out,
                       size_t *len);
/* Decode the block P[0..LEN) of HOUR into a malloc'd *V of *N polls
 * (device_id 0).  0, or -1 if the block is not well formed (nothing is
 * allocated then) or on out of memory; *WHY says which. */
int hr_db_polls_decode(const unsigned char *p, size_t len, int64_t hour,
                       struct hr_db_sample **v, size_t *n, const char **why);

/* ---- storage ---- */

/* Pack the raw polls of samples older than BEFORE (whole hours only: those
 * ending at or before BEFORE) into blocks, merging into a block already
 * stored for that hour, BATCH devices per transaction (0: 5000), until
 * none is left or BUDGET_MS of wall time has gone (0: no limit).  Call it
 * outside a transaction.  The polls packed into *PACKED (may be NULL); 1 if
 * polls are left for the next call, 0 done, -1 error. */
int hr_db_polls_pack(struct hr_db *db, int64_t before, unsigned batch, long budget_ms,
                     int64_t *packed);

/* Delete the blocks of hours ending at or before BEFORE, up to BATCH
 * blocks; the polls they held into *POLLS.  The blocks deleted, or -1. */
int hr_db_polls_prune(struct hr_db *db, int64_t before, unsigned batch, int64_t *polls);

/* 1 if DEVICE has a packed poll at TIME, 0 not, -1 error. */
int hr_db_polls_has(struct hr_db *db, int64_t device, int64_t time);

/* Move DEVICE's packed polls of the hours that end after SINCE back into
 * samples (the next pack packs them again), so that SQL on samples sees
 * them; for the rare writes that change a device's raw history (a
 * double registration's transfer).  Call it inside the caller's
 * transaction.  The polls moved, or -1. */
int hr_db_polls_unpack(struct hr_db *db, int64_t device, int64_t since);

/* Register the virtual table raw_polls on the connection (db.c at open):
 * 0 or -1. */
struct sqlite3;
int hr_db_rawpolls_register(struct sqlite3 *sq);

#endif
