/* cli.c: output helpers shared by the headroom subcommands. */
#include "output.h"
#include "hr_csv.h"
#include "db.h"
#include "db_sqlite.h"
#include "cmd.h"
#include "hr_util.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hr_parse_format(const char *s, int *fmt)
{
    if (strcmp(s, "text") == 0)
        *fmt = HR_FMT_TEXT;
    else if (strcmp(s, "csv") == 0)
        *fmt = HR_FMT_CSV;
    else {
        fprintf(stderr, "headroom: --format: '%s' is not text or csv\n", s);
        return -1;
    }
    return 0;
}

/* One CSV field, quoted when needed (RFC 4180). */
void hr_csv_field(FILE *f, const char *s, int last)
{
    hr_csv_put(f, s, last ? "\n" : ",");
}

/* Print every row of ST: a text table with aligned columns, or CSV. */
int hr_print_rows(sqlite3_stmt *st, int fmt)
{
    int n = sqlite3_column_count(st), rc, rows = 0;
    size_t *w = calloc((size_t)n, sizeof *w);
    char ***cells = NULL;
    size_t ncap = 0;

    if (!w)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((size_t)rows == ncap) {
            ncap = ncap ? ncap * 2 : 64;
            char ***nc = realloc(cells, ncap * sizeof *nc);
            if (!nc)
                break;
            cells = nc;
        }
        cells[rows] = calloc((size_t)n, sizeof(char *));
        for (int i = 0; cells[rows] && i < n; i++) {
            const unsigned char *t = sqlite3_column_text(st, i);
            cells[rows][i] = strdup(t ? (const char *)t : "-");
        }
        rows++;
    }
    if (fmt == HR_FMT_CSV) {
        for (int i = 0; i < n; i++)
            hr_csv_field(stdout, sqlite3_column_name(st, i), i == n - 1);
    } else {
        for (int i = 0; i < n; i++)
            w[i] = strlen(sqlite3_column_name(st, i));
        for (int r = 0; r < rows; r++)
            for (int i = 0; cells[r] && i < n; i++)
                if (cells[r][i] && strlen(cells[r][i]) > w[i])
                    w[i] = strlen(cells[r][i]);
        for (int i = 0; i < n; i++) {
            if (i == n - 1)
                printf("%s\n", sqlite3_column_name(st, i));
            else
                printf("%-*s  ", (int)w[i], sqlite3_column_name(st, i));
        }
    }
    for (int r = 0; r < rows; r++) {
        for (int i = 0; cells[r] && i < n; i++) {
            const char *c = cells[r][i] ? cells[r][i] : "";
            if (fmt == HR_FMT_CSV)
                hr_csv_field(stdout, c, i == n - 1);
            else if (i == n - 1)
                printf("%s\n", c);
            else
                printf("%-*s  ", (int)w[i], c);
            free(cells[r][i]);
        }
        free(cells[r]);
    }
    free(cells);
    free(w);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Run a listing query with an optional text parameter ?1. */
int hr_list_query(struct hr_db *hdb, const char *sql, const char *param, int fmt)
{
    sqlite3 *db = hr_db_sqlite(hdb);
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        hr_log(LOG_ERR, "database: %s", sqlite3_errmsg(db));
        return HR_EXIT_FAIL;
    }
    if (param)
        hr_db_bind_text(st, 1, param);
    rc = hr_print_rows(st, fmt);
    if (rc < 0)
        hr_log(LOG_ERR, "database: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc < 0 ? HR_EXIT_FAIL : HR_EXIT_OK;
}

