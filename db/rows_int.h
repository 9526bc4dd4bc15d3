/* rows_int.h: inside db/ only: the shared steps of a typed query (db/rows.c):
 * bind a statement's parameters from a format, run it, read a row's
 * columns, hand rows to a callback as text.  Every query of inventory.c,
 * samples.c, facts.c, propose_db.c, outbox_db.c and reports_db.c is made
 * of these, so a statement is prepared once (hr_db_stmt's cache) and a
 * result code means the same everywhere. */
#ifndef HR_DB_ROWS_INT_H
#define HR_DB_ROWS_INT_H

#include "db_int.h"

/* Bind parameters 1, 2, ... of ST from the arguments, one letter of FMT
 * each:
 *   t  const char *       text, copied; NULL binds NULL
 *   e  const char *       text, copied; NULL or "" binds NULL
 *   i  int
 *   I  int64_t
 *   j  int, int64_t       the int64_t if the int is nonzero, else NULL
 *   D  int, double        the double if the int is nonzero, else NULL
 * Pass exactly these types (cast a field of another width).  FMT must
 * name every parameter of ST (checked).  0, or -1 (the reason in
 * hr_db_errmsg). */
int hr_db_bind(struct hr_db *db, sqlite3_stmt *st, const char *fmt, ...);

/* The cached statement for SQL (see hr_db_stmt) with FMT's parameters
 * bound as hr_db_bind does; NULL on error. */
sqlite3_stmt *hr_db_prep(struct hr_db *db, const char *sql, const char *fmt, ...);

/* Run SQL with FMT's parameters to the end: 0 or -1. */
int hr_db_run(struct hr_db *db, const char *sql, const char *fmt, ...);

/* Run SQL with FMT's parameters to the end: the rows it changed, or -1. */
int hr_db_changes(struct hr_db *db, const char *sql, const char *fmt, ...);

/* A one-row lookup: run SQL with FMT's parameters; 1 with *STP on the
 * row (the caller reads it, then resets *STP), 0 no row, -1 error (both
 * reset). */
int hr_db_row(struct hr_db *db, sqlite3_stmt **stp, const char *sql, const char *fmt, ...);

/* Step ST once: 1 a row (left for the caller to read, then reset), 0 done
 * (reset), -1 error (reset). */
int hr_db_step_row(sqlite3_stmt *st);

/* Reset ST after a loop of sqlite3_step that ended with RC or was stopped
 * by a callback's nonzero RET: RET, else 0 if RC is SQLITE_DONE, else -1. */
int hr_db_loop_end(sqlite3_stmt *st, int rc, int ret);

/* Read columns 0, 1, ... of ST's current row into the arguments, one
 * letter of FMT each:
 *   I  int64_t *
 *   i  int *
 *   n  double *           NULL reads as NAN
 *   s  const char **      text, NULL for NULL (valid until the next step
 *                         or reset)
 *   S  const char **      text, "" for NULL (likewise)
 *   c  char *, size_t     text copied into the buffer, "" for NULL
 *   -  (no argument)      skip the column */
void hr_db_cols(sqlite3_stmt *st, const char *fmt, ...);

/* Step ST (parameters bound) to the end, calling FN with each row's
 * columns as text (NULL for NULL; at most 32 columns), then reset it.
 * 0, FN's nonzero return, or -1. */
int hr_db_each_text(struct hr_db *db, sqlite3_stmt *st,
                    int (*fn)(void *arg, const char *const *vals), void *arg);

/* Column I of ST's row as a malloc'd string into *DST; NULL for NULL.
 * -1 on ENOMEM (the handle's message says so). */
int hr_db_col_dup(struct hr_db *db, sqlite3_stmt *st, int i, char **dst);

/* Columns 0 .. N-1 of ST's row into *DST[0] .. *DST[N-1] (hr_db_col_dup).
 * -1 on ENOMEM, with those copied so far left for the caller to free. */
int hr_db_cols_dup(struct hr_db *db, sqlite3_stmt *st, char **const *dst, size_t n);

/* The raw sample rows (samples.c).  hr_db_sample_put: the row only (no
 * daily record, no look at the packed polls): 1 stored, 0 the second was
 * there, -1 error.  hr_db_sample_read: the sample in ST's current row,
 * whose columns 0-11 are HR_DB_SAMPLE_COLS (of samples, conflict_samples
 * or raw_polls); S's other members are left alone. */
#define HR_DB_SAMPLE_COLS "time, capacity, used, used_percent, writes, writes_delta, peak," \
                          " peak_prev, rate_avg, window, sysuptime, status"
struct hr_db_sample;
int hr_db_sample_put(struct hr_db *db, const struct hr_db_sample *s);
void hr_db_sample_read(sqlite3_stmt *st, struct hr_db_sample *s);

/* An optional text parameter: NULL (or "" when EMPTY_IS_NULL) binds NULL. */
void hr_db_bind_opt_text(sqlite3_stmt *st, int i, const char *s, int empty_is_null);

#endif
