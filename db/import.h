/* import.h: CSV import into the database, all or nothing.
 *
 * hr_import_csv reads a CSV file whose header names its columns, checks
 * the header against a spec, and hands each record to a callback inside
 * one transaction.  Any bad record (a callback error, a constraint the
 * database refuses) is reported as "FILE:LINE: reason" on stderr; the
 * import goes on checking the remaining records (up to 20 errors) so the
 * user can fix them all at once, then rolls back: nothing is imported.
 * Used by customers, staff, fleet and history import, and open to other
 * modules (catalog, stock).
 */
#ifndef HR_IMPORT_H
#define HR_IMPORT_H

#include <stddef.h>
#include <stdint.h>

struct hr_db;

struct hr_import_spec {
    const char *const *columns;   /* every column name the format knows */
    size_t ncolumns;
    const char *const *required;  /* NULL-terminated: columns the header must name */
    /* One record: V[i] is the (trimmed) value of columns[i], or NULL when
     * the header lacks that column; LINE is where the record starts.  0,
     * or -1 with a reason in ERR. */
    int (*row)(void *arg, const char **v, unsigned line, char *err, size_t errlen);
    void *arg;
};

/* Returns an HR_EXIT_* code: OK (committed; *NROWS records), DATA (bad
 * file: nothing changed), FAIL (database trouble). */
int hr_import_csv(struct hr_db *db, const char *path, const struct hr_import_spec *spec,
                  unsigned *nrows);

/* Field parsers for row callbacks: 0, or -1 with a reason in ERR naming
 * the column. */
int hr_import_bool(const char *col, const char *v, int dflt, int *out, char *err, size_t errlen);
int hr_import_int(const char *col, const char *v, int64_t lo, int64_t hi, int64_t dflt,
                  int64_t *out, char *err, size_t errlen);
/* A time: Unix seconds, YYYY-MM-DD, or YYYY-MM-DD[T ]HH:MM[:SS][Z] (UTC). */
int hr_import_time(const char *col, const char *v, int64_t *out, char *err, size_t errlen);

/* A row callback's database error: hr_db_refused (db.h). */

#endif
