/* dbtest.h: the helpers the db/ unit tests share (test_db.c, test_polls.c):
 * a scratch directory, a fresh database in it, and SQL for checks. */
#ifndef HR_DBTEST_H
#define HR_DBTEST_H

#include "db.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[256];

/* The scratch directory $TMPDIR/NAME.XXXXXX: 0, or -1 (said). */
static inline int dbtest_begin(const char *name)
{
    snprintf(dir, sizeof dir, "%s/%s.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             name);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return -1;
    }
    return 0;
}

static inline void dbtest_end(void)
{
    char cmd[300];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("# cleanup of %s failed\n", dir);
}

/* A query's one integer, or -999 (said) on error. */
static inline int64_t q_int(struct hr_db *db, const char *sql)
{
    char err[256];
    int64_t v = -999;

    if (hr_db_query_int(db, sql, &v, err, sizeof err) < 0)
        printf("# %s: %s\n", sql, err);
    return v;
}

static inline void exec(struct hr_db *db, const char *sql)
{
    char err[256];
    if (hr_db_exec(db, sql, err, sizeof err) < 0)
        printf("# exec %s: %s\n", sql, err);
}

/* A new database NAME in dir (an old one is removed first). */
static inline struct hr_db *fresh(const char *name)
{
    char path[400], err[512];
    struct hr_db *db = NULL;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
    if (hr_db_open(path, HR_DB_CREATE, &db, err, sizeof err) < 0)
        printf("# %s\n", err);
    return db;
}

#endif
