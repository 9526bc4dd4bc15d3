/* db.c: opening, creating and upgrading headroom's SQLite database. */
#include "db.h"
#include "cmd.h"
#include "hr_util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int hr_db_latest_version(void)
{
    return hr_n_migrations ? hr_migrations[hr_n_migrations - 1].version : 0;
}

int64_t hr_db_now(void)
{
    return (int64_t)hr_now();
}

/* Create PATH with mode 0600 whatever the umask, and its directory (0750)
 * if missing.  SQLite gives the -wal and -shm files the mode of the main
 * file, so they are private too. */
static int create_private(const char *path, char *err, size_t errlen)
{
    char dir[PATH_MAX];
    char *slash;
    int fd;

    if (hr_strlcpy(dir, path, sizeof dir) >= sizeof dir) {
        snprintf(err, errlen, "%s: path too long", path);
        return -1;
    }
    slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (hr_mkdirs(dir, 0750) < 0) {
            snprintf(err, errlen, "%s: cannot create directory: %s", dir, strerror(errno));
            return -1;
        }
    }
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return 0;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (fchmod(fd, 0600) < 0) {
        snprintf(err, errlen, "%s: chmod: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

/* The file holds SNMP communities and USM passphrases: nobody outside the
 * owner and its group may read it.  A world-accessible file is tightened
 * (with a warning) or refused if we cannot. */
static int check_mode(const char *path, char *err, size_t errlen)
{
    struct stat st;

    if (stat(path, &st) < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        return -1;
    }
    if ((st.st_mode & 0007) == 0)
        return 0;
    if (chmod(path, st.st_mode & 0770) < 0) {
        snprintf(err, errlen, "%s: readable by everyone and cannot be made private (%s); "
                 "fix it with chmod o-rwx", path, strerror(errno));
        return -1;
    }
    hr_log(LOG_WARNING, "%s was accessible to everyone; removed the 'other' permissions "
           "(it holds SNMP secrets)", path);
    return 0;
}

int hr_db_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

int hr_db_version(sqlite3 *db)
{
    sqlite3_stmt *st;
    int v = -1;

    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

int hr_db_migrate(sqlite3 *db, int upto, char *err, size_t errlen)
{
    int cur = hr_db_version(db), applied = 0;
    char sql[64];

    if (upto <= 0)
        upto = hr_db_latest_version();
    if (cur < 0) {
        snprintf(err, errlen, "cannot read the schema version: %s", sqlite3_errmsg(db));
        return -1;
    }
    if (cur > hr_db_latest_version()) {
        snprintf(err, errlen, "the database has schema version %d, newer than this headroom "
                 "(%d); use a newer headroom", cur, hr_db_latest_version());
        return -1;
    }
    for (size_t i = 0; i < hr_n_migrations; i++) {
        const struct hr_migration *m = &hr_migrations[i];
        if (m->version <= cur || m->version > upto)
            continue;
        if (m->version != cur + 1) {
            snprintf(err, errlen, "schema step %d follows %d: the migration list is broken",
                     m->version, cur);
            return -1;
        }
        if (hr_db_exec(db, "BEGIN IMMEDIATE", err, errlen) < 0)
            return -1;
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", m->version);
        if (hr_db_exec(db, m->sql, err, errlen) < 0 ||
            hr_db_exec(db, sql, err, errlen) < 0) {
            char tmp[512];
            snprintf(tmp, sizeof tmp, "schema step %d (%s): %s", m->version, m->what, err);
            snprintf(err, errlen, "%s", tmp);
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
        if (hr_db_exec(db, "COMMIT", err, errlen) < 0) {
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
        hr_log(LOG_INFO, "database upgraded to schema %d: %s", m->version, m->what);
        cur = m->version;
        applied++;
    }
    return applied;
}

int hr_db_open(const char *path, int flags, sqlite3 **out, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    int rc;

    *out = NULL;
    if (flags & HR_DB_CREATE) {
        if (create_private(path, err, errlen) < 0)
            return -1;
    } else if (access(path, F_OK) < 0) {
        snprintf(err, errlen, "%s: %s (create it with 'headroom db init')", path,
                 strerror(errno));
        return -1;
    }
    if (check_mode(path, err, errlen) < 0)
        return -1;
    rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        goto out_close;
    }
    sqlite3_busy_timeout(db, 10000);
    /* WAL: readers (reports, the CLI) never block the poller; NORMAL
     * synchronous is durable across a process crash (SIGKILL) and loses
     * at most the last transactions on power loss, never consistency. */
    if (hr_db_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                       "PRAGMA foreign_keys=ON;", err, errlen) < 0) {
        char tmp[256];
        snprintf(tmp, sizeof tmp, "%s: %s", path, err);
        snprintf(err, errlen, "%s", tmp);
        goto out_close;
    }
    if (!(flags & HR_DB_NOMIGRATE)) {
        char merr[384];
        if (hr_db_migrate(db, 0, merr, sizeof merr) < 0) {
            snprintf(err, errlen, "%s: %s", path, merr);
            goto out_close;
        }
    }
    *out = db;
    return 0;
out_close:
    sqlite3_close(db);
    return -1;
}

void hr_db_close(sqlite3 *db)
{
    if (!db)
        return;
    if (sqlite3_close(db) != SQLITE_OK) {
        /* A statement was left unfinalized: a bug, but do not leak. */
        hr_log(LOG_WARNING, "database: %s", sqlite3_errmsg(db));
        sqlite3_close_v2(db);
    }
}

int hr_db_begin(sqlite3 *db)
{
    char err[256];

    if (hr_db_exec(db, "BEGIN IMMEDIATE", err, sizeof err) < 0) {
        hr_log(LOG_ERR, "database: begin: %s", err);
        return -1;
    }
    return 0;
}

int hr_db_commit(sqlite3 *db)
{
    char err[256];

    if (hr_db_exec(db, "COMMIT", err, sizeof err) < 0) {
        hr_log(LOG_ERR, "database: commit: %s", err);
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

void hr_db_rollback(sqlite3 *db)
{
    if (sqlite3_get_autocommit(db) == 0)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

const char *hr_db_path(const struct hr_ctx *ctx)
{
    if (ctx && ctx->db_path && *ctx->db_path)
        return ctx->db_path;
    return HR_DB_DEFAULT_PATH;
}

int hr_db_open_ctx(const struct hr_ctx *ctx, int flags, sqlite3 **db)
{
    char err[512];

    if (hr_db_open(hr_db_path(ctx), flags, db, err, sizeof err) < 0) {
        hr_log(LOG_ERR, "%s", err);
        return -1;
    }
    return 0;
}

int hr_db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    return sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}
