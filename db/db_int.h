/* db_int.h: inside db/ only: the handle and its statement cache. */
#ifndef HR_DB_INT_H
#define HR_DB_INT_H

#include <sqlite3.h>

#include "db.h"

/* One migration step: SQL run in one transaction to go from VERSION-1 to
 * VERSION.  The ordered list is in schema.c; the SQL in each module's
 * schema_*.c. */
struct hr_migration {
    int version;
    const char *what;
    const char *sql;
};
extern const struct hr_migration hr_migrations[];
extern const size_t hr_n_migrations;

/* Cached statements are keyed by the address of their SQL text (a static
 * string of a db/ file), so a lookup is a pointer compare, not a strcmp
 * or a parse. */
struct hr_db_cached {
    const char *sql;
    sqlite3_stmt *st;
};

struct hr_db {
    sqlite3 *sq;
    struct hr_db_cached *cache;
    size_t ncache, capcache;
    char errmsg[256];   /* a message of ours (not sqlite's), "" if none */
};

/* sqlite3_exec, its message into ERR.  0 or -1. */
int hr_db_exec_sq(sqlite3 *sq, const char *sql, char *err, size_t errlen);

/* The statement for SQL (a string with static storage), prepared once per
 * handle and reset on every call; NULL on error (the reason in
 * hr_db_errmsg; the caller logs).  Bindings are not cleared (that costs
 * more than the lookup on the poll path): bind every parameter, an
 * optional one with hr_db_bind_*_if. */
sqlite3_stmt *hr_db_stmt(struct hr_db *db, const char *sql);
/* An optional text parameter (NULL binds NULL), copied. */
int hr_db_bind_text(sqlite3_stmt *st, int i, const char *s);
/* Bind V to parameter I if KNOWN, else NULL. */
static inline int hr_db_bind_i64_if(sqlite3_stmt *st, int i, int known, int64_t v)
{
    return known ? sqlite3_bind_int64(st, i, v) : sqlite3_bind_null(st, i);
}
static inline int hr_db_bind_double_if(sqlite3_stmt *st, int i, int known, double v)
{
    return known ? sqlite3_bind_double(st, i, v) : sqlite3_bind_null(st, i);
}

/* Step ST to SQLITE_DONE and reset it: 0, or -1 (sqlite's message stays in
 * hr_db_errmsg). */
int hr_db_step_done(struct hr_db *db, sqlite3_stmt *st);
/* Keep our own message for hr_db_errmsg. */
void hr_db_seterr(struct hr_db *db, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
