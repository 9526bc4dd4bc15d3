/* db.h: headroom's SQLite database (db/db.c, schema in schema.c).
 *
 * One file holds the inventory (customers, staff, poll targets), the
 * devices found and their registrations, and the sample history; later
 * modules add their tables through the migration list in schema.c.  Every
 * program opens it through hr_db_open, which creates it with mode 0600
 * (it holds SNMP secrets), switches it to WAL, turns foreign keys on and
 * upgrades an older schema in place.  Callers then use the sqlite3 API
 * directly with prepared statements.
 */
#ifndef HR_DB_H
#define HR_DB_H

#include <stddef.h>
#include <stdint.h>

struct sqlite3;
struct sqlite3_stmt;
struct hr_ctx;

/* Flags of hr_db_open. */
#define HR_DB_CREATE     0x1  /* create the file (and its directory) if missing */
#define HR_DB_NOMIGRATE  0x2  /* do not upgrade an older schema (db info) */

/* The default path when neither --db nor $HEADROOM_DB is given. */
#define HR_DB_DEFAULT_PATH "/var/lib/headroom/headroom.db"

/* One schema step: SQL run in one transaction to go from VERSION-1 to
 * VERSION.  The list lives in schema.c; each module appends its own. */
struct hr_migration {
    int version;
    const char *what;
    const char *sql;
};
extern const struct hr_migration hr_migrations[];
extern const size_t hr_n_migrations;

/* The schema version this build writes (the last migration's). */
int hr_db_latest_version(void);

/* Open (and with HR_DB_CREATE create) PATH; on success *DB is ready: WAL,
 * foreign_keys=ON, busy_timeout 10 s, synchronous=NORMAL, schema current
 * (unless HR_DB_NOMIGRATE).  0, or -1 with a message in ERR. */
int hr_db_open(const char *path, int flags, struct sqlite3 **db, char *err, size_t errlen);
void hr_db_close(struct sqlite3 *db);

/* PRAGMA user_version, -1 on error. */
int hr_db_version(struct sqlite3 *db);
/* Apply the migrations after the file's version up to UPTO (0 = latest),
 * each in its own transaction.  Returns the number applied, or -1 with a
 * message in ERR (the failing step is rolled back; earlier ones stay). */
int hr_db_migrate(struct sqlite3 *db, int upto, char *err, size_t errlen);

/* Run SQL (no results wanted).  0, or -1 with sqlite's message in ERR. */
int hr_db_exec(struct sqlite3 *db, const char *sql, char *err, size_t errlen);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK; 0 or -1 (logged). */
int hr_db_begin(struct sqlite3 *db);
int hr_db_commit(struct sqlite3 *db);
void hr_db_rollback(struct sqlite3 *db);

/* The database path for a command: --db, $HEADROOM_DB (both already in
 * ctx->db_path), else HR_DB_DEFAULT_PATH. */
const char *hr_db_path(const struct hr_ctx *ctx);
/* hr_db_open on hr_db_path(CTX), logging any failure as "headroom: PATH:
 * reason".  0 or -1. */
int hr_db_open_ctx(const struct hr_ctx *ctx, int flags, struct sqlite3 **db);

/* Convenience: an optional text column (NULL for "") and int64 binding. */
int hr_db_bind_text(struct sqlite3_stmt *st, int i, const char *s);

/* Now, in Unix seconds (one place, so tests can see it). */
int64_t hr_db_now(void);

#endif
