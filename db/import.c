/* import.c: all-or-nothing CSV import; see import.h. */
#include "import.h"
#include "db_int.h"
#include "cmd.h"
#include "hr_csv.h"
#include "hr_util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define IMPORT_MAX_ERRORS 20

static int check_required(const struct hr_import_spec *spec, const int *col,
                          const char *name, char *err, size_t errlen)
{
    for (const char *const *r = spec->required; r && *r; r++) {
        for (size_t k = 0; k < spec->ncolumns; k++) {
            if (strcasecmp(spec->columns[k], *r) == 0 && col[k] < 0) {
                snprintf(err, errlen, "%s:1: the header lacks the required column '%s'",
                         name, *r);
                return -1;
            }
        }
    }
    return 0;
}

int hr_import_csv(struct hr_db *db, const char *path, const struct hr_import_spec *spec,
                  unsigned *nrows)
{
    char err[512], rerr[384];
    struct hr_csv *c;
    int *col = NULL;
    const char **v = NULL;
    unsigned nerr = 0, n = 0;
    int rc = HR_EXIT_DATA;

    *nrows = 0;
    c = hr_csv_open(path, err, sizeof err);
    if (!c) {
        log_warnx("%s", err);
        return HR_EXIT_DATA;
    }
    col = calloc(spec->ncolumns, sizeof *col);
    v = calloc(spec->ncolumns, sizeof *v);
    if (!col || !v) {
        log_warnx("out of memory");
        rc = HR_EXIT_FAIL;
        goto out_free;
    }
    if (hr_csv_header(c, spec->columns, spec->ncolumns, col, err, sizeof err) < 0 ||
        check_required(spec, col, hr_csv_name(c), err, sizeof err) < 0) {
        log_warnx("%s", err);
        goto out_free;
    }
    if (hr_db_begin(db) < 0) {
        rc = HR_EXIT_FAIL;
        goto out_free;
    }
    for (;;) {
        char **f;
        size_t nf;
        int r = hr_csv_next(c, &f, &nf);
        if (r == 0)
            break;
        if (r < 0) {
            log_warnx("%s:%u: %s", hr_csv_name(c), hr_csv_line(c),
                    hr_csv_error(c));
            nerr++;
            break;
        }
        for (size_t k = 0; k < spec->ncolumns; k++) {
            if (col[k] < 0)
                v[k] = NULL;
            else if ((size_t)col[k] < nf)
                v[k] = hr_trim(f[col[k]]);
            else
                v[k] = "";
        }
        rerr[0] = '\0';
        /* RFC 4180 allows line breaks in quoted fields, but no inventory
         * value needs one, and one would end up in logs and mail headers. */
        for (size_t k = 0; k < spec->ncolumns && !rerr[0]; k++)
            if (v[k] && strpbrk(v[k], "\r\n"))
                snprintf(rerr, sizeof rerr, "%s: line break inside the value", spec->columns[k]);
        if (rerr[0] || spec->row(spec->arg, v, hr_csv_line(c), rerr, sizeof rerr) < 0) {
            log_warnx("%s:%u: %s", hr_csv_name(c), hr_csv_line(c),
                    rerr[0] ? rerr : "bad record");
            if (++nerr >= IMPORT_MAX_ERRORS) {
                log_warnx("%s: too many errors, stopped", hr_csv_name(c));
                break;
            }
            continue;
        }
        n++;
    }
    if (nerr) {
        hr_db_rollback(db);
        log_warnx("%s: %u error%s; nothing imported", hr_csv_name(c), nerr,
                nerr == 1 ? "" : "s");
        goto out_free;
    }
    if (hr_db_commit(db) < 0) {
        rc = HR_EXIT_FAIL;
        goto out_free;
    }
    *nrows = n;
    rc = HR_EXIT_OK;
out_free:
    free(col);
    free(v);
    hr_csv_free(c);
    return rc;
}

int hr_import_bool(const char *col, const char *v, int dflt, int *out, char *err, size_t errlen)
{
    static const char *yes[] = { "1", "yes", "true", "y", "on" };
    static const char *no[] = { "0", "no", "false", "n", "off" };

    if (!v || !*v) {
        *out = dflt;
        return 0;
    }
    for (size_t i = 0; i < HR_ARRAY_LEN(yes); i++) {
        if (strcasecmp(v, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(v, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    snprintf(err, errlen, "%s: '%.40s' is not a yes/no value (1/0, yes/no, true/false)", col, v);
    return -1;
}

int hr_import_int(const char *col, const char *v, int64_t lo, int64_t hi, int64_t dflt,
                  int64_t *out, char *err, size_t errlen)
{
    uint64_t u;
    int neg = 0;

    if (!v || !*v) {
        *out = dflt;
        return 0;
    }
    if (*v == '-' && lo < 0) {
        neg = 1;
        v++;
    }
    if (hr_parse_u64(v, &u) < 0 || u > (uint64_t)INT64_MAX ||
        (neg ? -(int64_t)u < lo : (int64_t)u > hi) || (!neg && (int64_t)u < lo)) {
        snprintf(err, errlen, "%s: '%s%.40s' is not a whole number from %" PRId64 " to %" PRId64,
                 col, neg ? "-" : "", v, lo, hi);
        return -1;
    }
    *out = neg ? -(int64_t)u : (int64_t)u;
    return 0;
}

int hr_import_time(const char *col, const char *v, int64_t *out, char *err, size_t errlen)
{
    struct tm tm;
    uint64_t u;
    const char *end;

    if (v && hr_parse_u64(v, &u) == 0 && u < (1ull << 40)) {
        *out = (int64_t)u;
        return 0;
    }
    memset(&tm, 0, sizeof tm);
    end = v ? strptime(v, "%Y-%m-%d", &tm) : NULL;
    if (end && (*end == 'T' || *end == ' '))
        end = strptime(end + 1, "%H:%M", &tm);
    if (end && *end == ':')
        end = strptime(end + 1, "%S", &tm);
    if (end && *end == 'Z')
        end++;
    if (!end || *end || tm.tm_year < 70 || tm.tm_year > 1100) {
        snprintf(err, errlen, "%s: '%.40s' is not a time (Unix seconds, YYYY-MM-DD or "
                 "YYYY-MM-DDTHH:MM:SSZ)", col, v ? v : "");
        return -1;
    }
    *out = (int64_t)timegm(&tm);
    return 0;
}
