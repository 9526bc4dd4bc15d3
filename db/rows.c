/* rows.c: the shared steps of a typed query; see rows_int.h. */
#include "rows_int.h"
#include "hr_util.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int vbind(struct hr_db *db, sqlite3_stmt *st, const char *fmt, va_list ap)
{
    int i = 1, rc = SQLITE_OK, known;
    int64_t v;
    double d;

    /* A format that does not match the statement is a bug of ours: say so
     * rather than bind the wrong arguments. */
    if (strlen(fmt) != (size_t)sqlite3_bind_parameter_count(st)) {
        hr_db_seterr(db, "%zu parameters for a statement of %d", strlen(fmt),
                     sqlite3_bind_parameter_count(st));
        return -1;
    }
    for (const char *f = fmt; *f && rc == SQLITE_OK; f++, i++) {
        switch (*f) {
        case 't':
            hr_db_bind_opt_text(st, i, va_arg(ap, const char *), 0);
            break;
        case 'e':
            hr_db_bind_opt_text(st, i, va_arg(ap, const char *), 1);
            break;
        case 'i':
            rc = sqlite3_bind_int(st, i, va_arg(ap, int));
            break;
        case 'I':
            rc = sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
            break;
        case 'j':
            known = va_arg(ap, int);
            v = va_arg(ap, int64_t);
            rc = hr_db_bind_i64_if(st, i, known, v);
            break;
        case 'D':
            known = va_arg(ap, int);
            d = va_arg(ap, double);
            rc = hr_db_bind_double_if(st, i, known, d);
            break;
        default:
            hr_db_seterr(db, "bad bind format '%c'", *f);
            return -1;
        }
    }
    if (rc != SQLITE_OK) {
        hr_db_seterr(db, "cannot bind parameter %d: %s", i - 1, sqlite3_errstr(rc));
        return -1;
    }
    return 0;
}

int hr_db_bind(struct hr_db *db, sqlite3_stmt *st, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = vbind(db, st, fmt, ap);
    va_end(ap);
    return rc;
}

static sqlite3_stmt *vprep(struct hr_db *db, const char *sql, const char *fmt, va_list ap)
{
    sqlite3_stmt *st = hr_db_stmt(db, sql);

    if (st && vbind(db, st, fmt, ap) < 0)
        return NULL;
    return st;
}

sqlite3_stmt *hr_db_prep(struct hr_db *db, const char *sql, const char *fmt, ...)
{
    sqlite3_stmt *st;
    va_list ap;

    va_start(ap, fmt);
    st = vprep(db, sql, fmt, ap);
    va_end(ap);
    return st;
}

int hr_db_run(struct hr_db *db, const char *sql, const char *fmt, ...)
{
    sqlite3_stmt *st;
    va_list ap;

    va_start(ap, fmt);
    st = vprep(db, sql, fmt, ap);
    va_end(ap);
    return st ? hr_db_step_done(db, st) : -1;
}

int hr_db_changes(struct hr_db *db, const char *sql, const char *fmt, ...)
{
    sqlite3_stmt *st;
    va_list ap;

    va_start(ap, fmt);
    st = vprep(db, sql, fmt, ap);
    va_end(ap);
    if (!st || hr_db_step_done(db, st) < 0)
        return -1;
    return sqlite3_changes(db->sq);
}

int hr_db_row(struct hr_db *db, sqlite3_stmt **stp, const char *sql, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    *stp = vprep(db, sql, fmt, ap);
    va_end(ap);
    return *stp ? hr_db_step_row(*stp) : -1;
}

int hr_db_step_row(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW)
        return 1;
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int hr_db_loop_end(sqlite3_stmt *st, int rc, int ret)
{
    sqlite3_reset(st);
    if (ret)
        return ret;
    return rc == SQLITE_DONE ? 0 : -1;
}

void hr_db_cols(sqlite3_stmt *st, const char *fmt, ...)
{
    va_list ap;
    const char *t, **tp;
    char *buf;
    size_t sz;

    va_start(ap, fmt);
    for (int i = 0; fmt[i]; i++) {
        switch (fmt[i]) {
        case 'I':
            *va_arg(ap, int64_t *) = sqlite3_column_int64(st, i);
            break;
        case 'i':
            *va_arg(ap, int *) = sqlite3_column_int(st, i);
            break;
        case 'n':
            *va_arg(ap, double *) = sqlite3_column_type(st, i) == SQLITE_NULL
                                        ? NAN : sqlite3_column_double(st, i);
            break;
        case 's':
        case 'S':
            tp = va_arg(ap, const char **);
            t = (const char *)sqlite3_column_text(st, i);
            *tp = t || fmt[i] == 's' ? t : "";
            break;
        case 'c':
            buf = va_arg(ap, char *);
            sz = va_arg(ap, size_t);
            t = (const char *)sqlite3_column_text(st, i);
            hr_strlcpy(buf, t ? t : "", sz);
            break;
        default:    /* '-': skip the column */
            break;
        }
    }
    va_end(ap);
}

int hr_db_each_text(struct hr_db *db, sqlite3_stmt *st,
                    int (*fn)(void *arg, const char *const *vals), void *arg)
{
    const char *v[32];
    int n = sqlite3_column_count(st), rc, ret = 0;

    if (n > 32) {
        sqlite3_reset(st);
        hr_db_seterr(db, "too many columns");
        return -1;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < n; i++)
            v[i] = (const char *)sqlite3_column_text(st, i);
        if ((ret = fn(arg, v)) != 0)
            break;
    }
    return hr_db_loop_end(st, rc, ret);
}

int hr_db_col_dup(struct hr_db *db, sqlite3_stmt *st, int i, char **dst)
{
    const char *t = (const char *)sqlite3_column_text(st, i);

    *dst = NULL;
    if (!t)
        return 0;
    if (!(*dst = strdup(t))) {
        hr_db_seterr(db, "out of memory");
        return -1;
    }
    return 0;
}

int hr_db_cols_dup(struct hr_db *db, sqlite3_stmt *st, char **const *dst, size_t n)
{
    int rc = 0;

    for (size_t i = 0; i < n; i++)
        rc |= hr_db_col_dup(db, st, (int)i, dst[i]);
    return rc < 0 ? -1 : 0;
}

void hr_db_bind_opt_text(sqlite3_stmt *st, int i, const char *s, int empty_is_null)
{
    if (!s || (empty_is_null && !*s))
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}
