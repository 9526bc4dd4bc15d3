/* db.c: opening, creating and upgrading headroom's SQLite database; the
 * handle, its transactions and its statement cache. */
#include "db_int.h"
#include "cmd.h"
#include "polls.h"
#include "hr_util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int64_t hr_db_now(void)
{
    return (int64_t)hr_now();
}

void hr_db_seterr(struct hr_db *db, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(db->errmsg, sizeof db->errmsg, fmt, ap);
    va_end(ap);
}

const char *hr_db_errmsg(struct hr_db *db)
{
    if (db->errmsg[0])
        return db->errmsg;
    return sqlite3_errmsg(db->sq);
}

int hr_db_refused(struct hr_db *db, char *err, size_t errlen)
{
    snprintf(err, errlen, "the database refused it: %s", hr_db_errmsg(db));
    return -1;
}

sqlite3_stmt *hr_db_stmt(struct hr_db *db, const char *sql)
{
    struct hr_db_cached *c;
    sqlite3_stmt *st;

    db->errmsg[0] = '\0';
    for (size_t i = 0; i < db->ncache; i++) {
        if (db->cache[i].sql == sql) {
            st = db->cache[i].st;
            sqlite3_reset(st);
            return st;
        }
    }
    if (db->ncache == db->capcache) {
        size_t ncap = db->capcache ? db->capcache * 2 : 32;
        c = realloc(db->cache, ncap * sizeof *c);
        if (!c) {
            hr_db_seterr(db, "out of memory");
            return NULL;
        }
        db->cache = c;
        db->capcache = ncap;
    }
    if (sqlite3_prepare_v3(db->sq, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        return NULL;
    db->cache[db->ncache].sql = sql;
    db->cache[db->ncache].st = st;
    db->ncache++;
    return st;
}

int hr_db_step_done(struct hr_db *db, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);

    /* reset returns the step's error again and leaves its message in
     * place, so hr_db_errmsg still tells why. */
    db->errmsg[0] = '\0';
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
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

int hr_db_exec_sq(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

int hr_db_exec(struct hr_db *db, const char *sql, char *err, size_t errlen)
{
    db->errmsg[0] = '\0';
    return hr_db_exec_sq(db->sq, sql, err, errlen);
}

int hr_db_open(const char *path, int flags, struct hr_db **out, char *err, size_t errlen)
{
    struct hr_db *h = NULL;
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
     * at most the last transactions on power loss, never consistency.  A
     * page cache of up to 64 MiB (SQLite's default is 2 MiB): packing an
     * hour of 100,000 devices' polls re-read its pages through pread()
     * and spent more time in the kernel than in SQLite. */
    if (hr_db_exec_sq(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                       "PRAGMA cache_size=-65536; PRAGMA foreign_keys=ON;", err, errlen) < 0) {
        char tmp[256];
        snprintf(tmp, sizeof tmp, "%s: %s", path, err);
        snprintf(err, errlen, "%s", tmp);
        goto out_close;
    }
    if (hr_db_rawpolls_register(db) < 0) {
        snprintf(err, errlen, "%s: cannot register raw_polls: %s", path, sqlite3_errmsg(db));
        goto out_close;
    }
    h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto out_close;
    }
    h->sq = db;
    if (!(flags & HR_DB_NOMIGRATE)) {
        char merr[384];
        if (hr_db_migrate(h, 0, merr, sizeof merr) < 0) {
            snprintf(err, errlen, "%s: %s", path, merr);
            goto out_free;
        }
    }
    *out = h;
    return 0;
out_free:
    free(h);
out_close:
    sqlite3_close(db);
    return -1;
}

void hr_db_close(struct hr_db *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->ncache; i++)
        sqlite3_finalize(h->cache[i].st);
    free(h->cache);
    if (sqlite3_close(h->sq) != SQLITE_OK) {
        /* A statement was left unfinalized: a bug, but do not leak. */
        hr_log(LOG_WARNING, "database: %s", sqlite3_errmsg(h->sq));
        sqlite3_close_v2(h->sq);
    }
    free(h);
}

int hr_db_begin(struct hr_db *db)
{
    char err[256];

    if (hr_db_exec(db, "BEGIN IMMEDIATE", err, sizeof err) < 0) {
        hr_log(LOG_ERR, "database: begin: %s", err);
        return -1;
    }
    return 0;
}

int hr_db_commit(struct hr_db *db)
{
    char err[256];

    if (hr_db_exec(db, "COMMIT", err, sizeof err) < 0) {
        hr_log(LOG_ERR, "database: commit: %s", err);
        sqlite3_exec(db->sq, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

void hr_db_rollback(struct hr_db *db)
{
    if (sqlite3_get_autocommit(db->sq) == 0)
        sqlite3_exec(db->sq, "ROLLBACK", NULL, NULL, NULL);
}

int hr_db_in_transaction(struct hr_db *db)
{
    return sqlite3_get_autocommit(db->sq) == 0;
}

const char *hr_db_path(const struct hr_ctx *ctx)
{
    if (ctx && ctx->db_path && *ctx->db_path)
        return ctx->db_path;
    return HR_DB_DEFAULT_PATH;
}

int hr_db_open_ctx(const struct hr_ctx *ctx, int flags, struct hr_db **db)
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

int hr_db_query_int(struct hr_db *db, const char *sql, int64_t *out, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    int rc;

    db->errmsg[0] = '\0';
    if (sqlite3_prepare_v2(db->sq, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db->sq));
        return -1;
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_DONE)
        snprintf(err, errlen, "%s", sqlite3_errmsg(db->sq));
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int hr_db_query_text(struct hr_db *db, const char *sql, char *buf, size_t bufsz, char *err,
                     size_t errlen)
{
    sqlite3_stmt *st;
    int rc;

    db->errmsg[0] = '\0';
    buf[0] = '\0';
    if (sqlite3_prepare_v2(db->sq, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db->sq));
        return -1;
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
        hr_strlcpy(buf, (const char *)sqlite3_column_text(st, 0), bufsz);
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        snprintf(err, errlen, "%s", sqlite3_errmsg(db->sq));
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}
