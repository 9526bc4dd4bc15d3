/* rows_int.h: inside db/ only: hand a statement's rows to a callback as
 * text (db/rows.c), for the listings and report tables of propose_db.c,
 * outbox_db.c and reports_db.c. */
#ifndef HR_DB_ROWS_INT_H
#define HR_DB_ROWS_INT_H

#include "db_int.h"

/* Step ST (parameters bound) to the end, calling FN with each row's
 * columns as text (NULL for NULL; at most 32 columns), then reset it.
 * 0, FN's nonzero return, or -1. */
int hr_db_each_text(struct hr_db *db, sqlite3_stmt *st,
                    int (*fn)(void *arg, const char *const *vals), void *arg);

/* Column I of ST's row as a malloc'd string into *DST; NULL for NULL.
 * -1 on ENOMEM (the handle's message says so). */
int hr_db_col_dup(struct hr_db *db, sqlite3_stmt *st, int i, char **dst);

/* An optional text parameter: NULL (or "" when EMPTY_IS_NULL) binds NULL. */
void hr_db_bind_opt_text(sqlite3_stmt *st, int i, const char *s, int empty_is_null);

#endif
