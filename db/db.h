/* db.h: headroom's database, behind an opaque handle (db/db.c).
 *
 * One file holds the inventory (customers, staff, poll targets), the
 * devices found and their registrations, and the sample history; each
 * module adds its tables through its own migration file (db/schema_*.c,
 * the ordered list in db/schema.c).  Every program opens it through
 * hr_db_open, which creates it with mode 0600 (it holds SNMP secrets),
 * switches it to WAL, turns foreign keys on and upgrades an older schema
 * in place.
 *
 * This header names no SQLite type: callers hold a struct hr_db and call
 * the typed functions of the area they need (db/inventory.h, db/samples.h,
 * db/listing.h, ...), which keep their statements prepared in the handle.
 * A second backend (PostgreSQL) implements this header and those area
 * headers; docs/collector.md, "The storage interface", lists them.
 */
#ifndef HR_DB_H
#define HR_DB_H

#include <stddef.h>
#include <stdint.h>

struct hr_db;
struct hr_ctx;

/* Flags of hr_db_open. */
#define HR_DB_CREATE     0x1  /* create the file (and its directory) if missing */
#define HR_DB_NOMIGRATE  0x2  /* do not upgrade an older schema (db info) */

/* The default path when neither --db nor $HEADROOM_DB is given. */
#include "hr_paths.h"
#define HR_DB_DEFAULT_PATH HR_DEFAULT_DB

/* Open (and with HR_DB_CREATE create) PATH; on success *DB is ready: WAL,
 * foreign_keys=ON, busy_timeout 10 s, synchronous=NORMAL, schema current
 * (unless HR_DB_NOMIGRATE).  0, or -1 with a message in ERR. */
int hr_db_open(const char *path, int flags, struct hr_db **db, char *err, size_t errlen);
/* Finalize the cached statements and close.  NULL is a no-op. */
void hr_db_close(struct hr_db *db);

/* The database path for a command: --db, $HEADROOM_DB (both already in
 * ctx->db_path), else HR_DB_DEFAULT_PATH. */
const char *hr_db_path(const struct hr_ctx *ctx);
/* hr_db_open on hr_db_path(CTX), logging any failure as "PATH: reason".
 * 0 or -1. */
int hr_db_open_ctx(const struct hr_ctx *ctx, int flags, struct hr_db **db);

/* The schema version this build writes (the last migration's). */
int hr_db_latest_version(void);
/* The file's schema version, -1 on error. */
int hr_db_version(struct hr_db *db);
/* Apply the migrations after the file's version up to UPTO (0 = latest),
 * each in its own transaction.  Returns the number applied, or -1 with a
 * message in ERR (the failing step is rolled back; earlier ones stay). */
int hr_db_migrate(struct hr_db *db, int upto, char *err, size_t errlen);

/* Run SQL with no results wanted (migrations, tests, tools).  0, or -1
 * with the database's message in ERR. */
int hr_db_exec(struct hr_db *db, const char *sql, char *err, size_t errlen);

/* The first column of the first row of SQL (tests, tools): *OUT is the
 * integer (-1 for NULL); BUF the text ("" for NULL or no row).  0 (also
 * when there is no row: *OUT untouched), or -1 with the message in ERR. */
int hr_db_query_int(struct hr_db *db, const char *sql, int64_t *out, char *err, size_t errlen);
int hr_db_query_text(struct hr_db *db, const char *sql, char *buf, size_t bufsz, char *err,
                     size_t errlen);

/* The migration list (schema.c): how many steps, and step I's number. */
size_t hr_db_migration_count(void);
int hr_db_migration_version(size_t i);

/* Transactions: BEGIN IMMEDIATE / COMMIT / ROLLBACK.  begin and commit
 * return 0 or -1 (logged; a failed commit is rolled back); rollback
 * outside a transaction is a no-op. */
int hr_db_begin(struct hr_db *db);
int hr_db_commit(struct hr_db *db);
void hr_db_rollback(struct hr_db *db);
/* 1 inside a transaction. */
int hr_db_in_transaction(struct hr_db *db);

/* The message of the last failed call on DB (never NULL). */
const char *hr_db_errmsg(struct hr_db *db);
/* ERR = "the database refused it: <hr_db_errmsg>"; returns -1.  For CSV
 * import row callbacks (db/import.h). */
int hr_db_refused(struct hr_db *db, char *err, size_t errlen);

/* Now, in Unix seconds: hr_now(), so $HEADROOM_NOW fixes it for tests. */
int64_t hr_db_now(void);

#endif
