/* output.c: output helpers shared by the headroom subcommands. */
#include "output.h"
#include "hr_csv.h"
#include "db.h"
#include "cmd.h"
#include "hr_util.h"

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
        log_warnx("--format: '%s' is not text or csv", s);
        return -1;
    }
    return 0;
}

/* One CSV field, quoted when needed (RFC 4180). */
void hr_csv_field(FILE *f, const char *s, int last)
{
    hr_csv_put(f, s, last ? "\n" : ",");
}

/* Print every row of R: a text table with aligned columns, or CSV. */
int hr_print_rows(struct hr_db_rows *r, int fmt)
{
    int n = hr_db_rows_ncols(r), rc, rows = 0;
    size_t *w = calloc((size_t)n, sizeof *w);
    char ***cells = NULL;
    size_t ncap = 0;

    if (!w)
        return -1;
    while ((rc = hr_db_rows_next(r)) == 1) {
        if (hr_array_grow(&cells, &ncap, (size_t)rows + 1, sizeof *cells) < 0)
            break;
        cells[rows] = calloc((size_t)n, sizeof(char *));
        for (int i = 0; cells[rows] && i < n; i++) {
            const char *t = hr_db_rows_text(r, i);
            cells[rows][i] = strdup(t ? t : "-");
        }
        rows++;
    }
    if (fmt == HR_FMT_CSV) {
        for (int i = 0; i < n; i++)
            hr_csv_field(stdout, hr_db_rows_name(r, i), i == n - 1);
    } else {
        for (int i = 0; i < n; i++)
            w[i] = strlen(hr_db_rows_name(r, i));
        for (int k = 0; k < rows; k++)
            for (int i = 0; cells[k] && i < n; i++)
                if (cells[k][i] && strlen(cells[k][i]) > w[i])
                    w[i] = strlen(cells[k][i]);
        for (int i = 0; i < n; i++) {
            if (i == n - 1)
                printf("%s\n", hr_db_rows_name(r, i));
            else
                printf("%-*s  ", (int)w[i], hr_db_rows_name(r, i));
        }
    }
    for (int k = 0; k < rows; k++) {
        for (int i = 0; cells[k] && i < n; i++) {
            const char *c = cells[k][i] ? cells[k][i] : "";
            if (fmt == HR_FMT_CSV)
                hr_csv_field(stdout, c, i == n - 1);
            else if (i == n - 1)
                printf("%s\n", c);
            else
                printf("%-*s  ", (int)w[i], c);
            free(cells[k][i]);
        }
        free(cells[k]);
    }
    free(cells);
    free(w);
    return rc == 0 ? 0 : -1;
}

/* Run a named listing and print it. */
int hr_list_query(struct hr_db *db, enum hr_db_listing which,
                  const struct hr_db_list_params *p, int fmt)
{
    struct hr_db_rows *r = hr_db_list(db, which, p);
    int rc;

    if (!r) {
        log_warnx("database: %s", hr_db_errmsg(db));
        return HR_EXIT_FAIL;
    }
    rc = hr_print_rows(r, fmt);
    if (rc < 0)
        log_warnx("database: %s", hr_db_errmsg(db));
    hr_db_rows_free(r);
    return rc < 0 ? HR_EXIT_FAIL : HR_EXIT_OK;
}
