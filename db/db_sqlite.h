/* db_sqlite.h: the SQLite handle under a struct hr_db, for code that is
 * not yet behind db/'s typed functions.
 *
 * Transitional: every file that includes this header is a file still to
 * convert (docs/collector.md, "The storage interface", lists them).  New
 * code calls the typed functions of db/ instead.
 */
#ifndef HR_DB_SQLITE_H
#define HR_DB_SQLITE_H

#include <stddef.h>

#include "db.h"

/* Names only: a caller that uses the sqlite3 API includes <sqlite3.h>
 * itself (sqlite3 is a typedef of struct sqlite3). */
struct sqlite3;
struct sqlite3_stmt;

/* The connection DB wraps; owned by DB (do not close it).  Statements the
 * caller prepares on it must be finalized before hr_db_close. */
struct sqlite3 *hr_db_sqlite(struct hr_db *db);

/* An optional text parameter, copied (SQLITE_TRANSIENT). */
int hr_db_bind_text(struct sqlite3_stmt *st, int i, const char *s);

/* Record the error of a failed sqlite step on DB into ERR ("the database
 * refused it: ..."); returns -1. */
int hr_import_dberr(struct sqlite3 *db, char *err, size_t errlen);

#endif
