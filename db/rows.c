/* rows.c: statement rows as text for callbacks; see rows_int.h. */
#include "rows_int.h"

#include <stdlib.h>
#include <string.h>

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
    sqlite3_reset(st);
    if (ret)
        return ret;
    return rc == SQLITE_DONE ? 0 : -1;
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

void hr_db_bind_opt_text(sqlite3_stmt *st, int i, const char *s, int empty_is_null)
{
    if (!s || (empty_is_null && !*s))
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}
