/* report_csv.c: a report document as CSV (RFC 4180) for spreadsheets.
 *
 * Tables sharing a CSV name are one file: the per-device history tables
 * of a customer become history.csv with the serial as its first column.
 * Values are raw (bytes, percent, counts) so a spreadsheet can compute
 * with them; dates are ISO 8601 text; unknown is an empty field.
 */
#include "report.h"
#include "hr_util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hr_csv.h"

/* One field (RFC 4180); CRLF ends each record (section 2, rule 1). */
static void csv_field(FILE *f, const char *s, int last)
{
    hr_csv_put(f, s, last ? "\r\n" : ",");
}

static const char *csv_value(const struct rpt_table *t, size_t r, size_t c, char *buf,
                             size_t sz)
{
    const char *s = t->cells[r * t->ncols + c];
    char *end;
    long long v;

    if (!s)
        return "";
    if (t->type[c] != RPT_DATE && t->type[c] != RPT_TIME)
        return s;
    v = strtoll(s, &end, 10);
    if (end == s || *end)
        return s;
    if (t->type[c] == RPT_DATE)
        rpt_fmt_date(buf, sz, v);
    else {
        rpt_fmt_time(buf, sz, v);
        /* "2026-11-22 10:04Z" -> ISO 8601 "2026-11-22T10:04Z" */
        char *sp = strchr(buf, ' ');
        if (sp)
            *sp = 'T';
    }
    return buf;
}

static void write_header(FILE *f, const struct rpt_table *t)
{
    if (t->key)
        csv_field(f, t->key, t->ncols == 0);
    for (size_t c = 0; c < t->ncols; c++)
        csv_field(f, t->chead[c], c + 1 == t->ncols);
}

static void write_rows(FILE *f, const struct rpt_table *t)
{
    char buf[64];

    for (size_t r = 0; r < t->nrows; r++) {
        if (t->key)
            csv_field(f, t->keyval ? t->keyval : "", t->ncols == 0);
        for (size_t c = 0; c < t->ncols; c++)
            csv_field(f, csv_value(t, r, c, buf, sizeof buf), c + 1 == t->ncols);
    }
}

/* Every table named NAME from block FIRST on, header once. */
static void write_group(FILE *f, const struct rpt_doc *d, size_t first, const char *name)
{
    const struct rpt_table *t0 = rpt_doc_block(d, first)->table;

    write_header(f, t0);
    for (size_t i = first; i < rpt_doc_nblocks(d); i++) {
        const struct rpt_block *b = rpt_doc_block(d, i);
        if (b->kind == RPT_B_TABLE && strcmp(b->table->csv, name) == 0 &&
            b->table->ncols == t0->ncols)
            write_rows(f, b->table);
    }
}

/* Has a table named NAME appeared before block I? */
static int seen_before(const struct rpt_doc *d, size_t i, const char *name)
{
    for (size_t k = 0; k < i; k++) {
        const struct rpt_block *b = rpt_doc_block(d, k);
        if (b->kind == RPT_B_TABLE && strcmp(b->table->csv, name) == 0)
            return 1;
    }
    return 0;
}

static int write_file(const struct rpt_doc *d, size_t first, const char *dir, const char *name,
                      FILE *listing, char *err, size_t errlen)
{
    char path[PATH_MAX], *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);

    if (!m) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    write_group(m, d, first, name);
    if (fclose(m) != 0) {
        free(buf);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (snprintf(path, sizeof path, "%s/%s.csv", dir, name) >= (int)sizeof path ||
        hr_write_file_atomic(path, buf, len, 0644) < 0) {
        snprintf(err, errlen, "%s/%s.csv: %s", dir, name, strerror(errno));
        free(buf);
        return -1;
    }
    free(buf);
    if (listing)
        fprintf(listing, "%s\n", path);
    return 0;
}

int rpt_write_csv(const struct rpt_doc *d, const char *dir, FILE *f, FILE *listing,
                  char *err, size_t errlen)
{
    int sections = 0;

    for (size_t i = 0; i < rpt_doc_nblocks(d); i++) {
        const struct rpt_block *b = rpt_doc_block(d, i);
        if (b->kind != RPT_B_TABLE || seen_before(d, i, b->table->csv))
            continue;
        if (dir) {
            if (write_file(d, i, dir, b->table->csv, listing, err, errlen) < 0)
                return -1;
            continue;
        }
        /* Sections on one stream: a "# name" line, the records, a blank
         * line; a reader splits on the blank lines. */
        fprintf(f, "%s# %s\r\n", sections++ ? "\r\n" : "", b->table->csv);
        write_group(f, d, i, b->table->csv);
    }
    if (!dir && (fflush(f) != 0 || ferror(f))) {
        snprintf(err, errlen, "write: %s", strerror(errno));
        return -1;
    }
    return 0;
}
