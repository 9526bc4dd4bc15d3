/* report_doc.c: the reports' document model; see report.h. */
#include "report.h"
#include "hr_util.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A device's strings can be 64 KiB; nobody reads a cell that long. */
#define CELL_MAX 4096

struct rpt_doc {
    char *title, *basename;
    struct rpt_block *b;
    size_t n, cap;
    int failed;
};

/* A sanitized copy of S: printable UTF-8 at most CELL_MAX-1 bytes. */
static char *clean_dup(const char *s)
{
    size_t len = strlen(s);
    size_t sz = (len < CELL_MAX / 3 ? len * 3 : CELL_MAX) + 1;
    char *o = malloc(sz);

    if (o)
        hr_sanitize(o, sz, s, len);
    return o;
}

struct rpt_doc *rpt_doc_new(const char *title, const char *basename)
{
    struct rpt_doc *d = calloc(1, sizeof *d);

    if (!d)
        return NULL;
    d->title = clean_dup(title);
    d->basename = strdup(basename);
    if (!d->title || !d->basename) {
        rpt_doc_free(d);
        return NULL;
    }
    return d;
}

static void table_free(struct rpt_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    for (size_t i = 0; i < t->ncols; i++) {
        free(t->head[i]);
        free(t->chead[i]);
    }
    free(t->cells);
    free(t->head);
    free(t->chead);
    free(t->type);
    free(t->prose);
    free(t->title);
    free(t->csv);
    free(t->key);
    free(t->keyval);
    free(t->empty);
    free(t);
}

void rpt_doc_free(struct rpt_doc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        free(d->b[i].text);
        free(d->b[i].png);
        table_free(d->b[i].table);
    }
    free(d->b);
    free(d->title);
    free(d->basename);
    free(d);
}

int rpt_doc_failed(const struct rpt_doc *d)
{
    return d->failed;
}

static struct rpt_block *block_add(struct rpt_doc *d, enum rpt_block_kind kind)
{
    if (hr_array_grow(&d->b, &d->cap, d->n + 1, sizeof *d->b) < 0) {
        d->failed = 1;
        return NULL;
    }
    memset(&d->b[d->n], 0, sizeof d->b[d->n]);
    d->b[d->n].kind = kind;
    return &d->b[d->n++];
}

static int block_text(struct rpt_doc *d, enum rpt_block_kind kind, int level,
                      const char *fmt, va_list ap)
{
    struct rpt_block *b;
    char *s;

    if (vasprintf(&s, fmt, ap) < 0) {
        d->failed = 1;
        return -1;
    }
    b = block_add(d, kind);
    if (b) {
        b->level = level;
        b->text = clean_dup(s);
    }
    free(s);
    if (!b || !b->text) {
        d->failed = 1;
        return -1;
    }
    return 0;
}

int rpt_heading(struct rpt_doc *d, int level, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = block_text(d, RPT_B_HEADING, level, fmt, ap);
    va_end(ap);
    return rc;
}

int rpt_para(struct rpt_doc *d, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = block_text(d, RPT_B_PARA, 0, fmt, ap);
    va_end(ap);
    return rc;
}

int rpt_image(struct rpt_doc *d, const unsigned char *png, size_t len, const char *alt)
{
    struct rpt_block *b = block_add(d, RPT_B_IMAGE);

    if (!b)
        return -1;
    b->png = malloc(len);
    b->text = clean_dup(alt);
    if (!b->png || !b->text) {
        d->failed = 1;
        return -1;
    }
    memcpy(b->png, png, len);
    b->pnglen = len;
    return 0;
}

struct rpt_table *rpt_table_add(struct rpt_doc *d, const char *title, const char *csv,
                                const char *key, const char *keyval, const char *empty)
{
    struct rpt_table *t = calloc(1, sizeof *t);
    struct rpt_block *b;

    if (!t) {
        d->failed = 1;
        return NULL;
    }
    t->title = clean_dup(title);
    t->csv = strdup(csv);
    t->key = key ? strdup(key) : NULL;
    t->keyval = keyval ? clean_dup(keyval) : NULL;
    t->empty = clean_dup(empty ? empty : "none");
    if (!t->title || !t->csv || !t->empty || (key && !t->key) || (keyval && !t->keyval) ||
        !(b = block_add(d, RPT_B_TABLE))) {
        d->failed = 1;
        table_free(t);
        return NULL;
    }
    b->table = t;
    return t;
}

void rpt_table_vertical(struct rpt_table *t)
{
    if (t)
        t->vertical = 1;
}

int rpt_col(struct rpt_table *t, const char *name, int type)
{
    const char *bar = strchr(name, '|');
    char **nh, **nch;
    enum rpt_type *nt;
    unsigned char *np;

    if (!t || t->nrows)
        return -1;
    if (!(nh = realloc(t->head, (t->ncols + 1) * sizeof *nh)))
        return -1;
    t->head = nh;
    if (!(nch = realloc(t->chead, (t->ncols + 1) * sizeof *nch)))
        return -1;
    t->chead = nch;
    if (!(nt = realloc(t->type, (t->ncols + 1) * sizeof *nt)))
        return -1;
    t->type = nt;
    if (!(np = realloc(t->prose, t->ncols + 1)))
        return -1;
    t->prose = np;
    t->chead[t->ncols] = bar ? strndup(name, (size_t)(bar - name)) : strdup(name);
    t->head[t->ncols] = strdup(bar ? bar + 1 : name);
    if (!t->head[t->ncols] || !t->chead[t->ncols]) {
        free(t->head[t->ncols]);
        free(t->chead[t->ncols]);
        return -1;
    }
    t->prose[t->ncols] = (type & RPT_PROSE) != 0;
    t->type[t->ncols++] = (enum rpt_type)(type & ~RPT_PROSE);
    return 0;
}

int rpt_row(struct rpt_table *t)
{
    if (!t || !t->ncols)
        return -1;
    if (t->nrows == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 16;
        char **ncell = realloc(t->cells, nc * t->ncols * sizeof *ncell);
        if (!ncell)
            return -1;
        t->cells = ncell;
        t->cap = nc;
    }
    memset(&t->cells[t->nrows * t->ncols], 0, t->ncols * sizeof *t->cells);
    t->nrows++;
    t->cur = 0;
    return 0;
}

/* Take S (malloc'd or NULL for unknown) as the next cell. */
static int cell_take(struct rpt_table *t, char *s, int unknown)
{
    if (!t || !t->nrows || t->cur >= t->ncols) {
        free(s);
        return -1;
    }
    if (!s && !unknown)
        return -1;
    t->cells[(t->nrows - 1) * t->ncols + t->cur++] = s;
    return 0;
}

int rpt_cell(struct rpt_table *t, const char *s)
{
    return cell_take(t, s ? clean_dup(s) : NULL, !s);
}

int rpt_cellf(struct rpt_table *t, const char *fmt, ...)
{
    va_list ap;
    char *s;
    int rc;

    va_start(ap, fmt);
    rc = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (rc < 0)
        return cell_take(t, NULL, 0);
    rc = rpt_cell(t, s);
    free(s);
    return rc;
}

int rpt_cell_num(struct rpt_table *t, double v)
{
    if (isnan(v) || isinf(v))
        return rpt_cell(t, NULL);
    char buf[64];
    size_t n;

    if (v == floor(v) && fabs(v) < 9e15)
        return rpt_cellf(t, "%.0f", v);
    /* Plain decimals a spreadsheet reads, no exponent, no trailing 0s. */
    snprintf(buf, sizeof buf, "%.6f", v);
    n = strlen(buf);
    while (n > 1 && buf[n - 1] == '0')
        buf[--n] = '\0';
    if (n > 1 && buf[n - 1] == '.')
        buf[--n] = '\0';
    return rpt_cell(t, buf);
}

int rpt_cell_int(struct rpt_table *t, int64_t v)
{
    return rpt_cellf(t, "%" PRId64, v);
}

/* ---- reading ---- */

const char *rpt_doc_title(const struct rpt_doc *d) { return d->title; }
const char *rpt_doc_basename(const struct rpt_doc *d) { return d->basename; }
size_t rpt_doc_nblocks(const struct rpt_doc *d) { return d->n; }
const struct rpt_block *rpt_doc_block(const struct rpt_doc *d, size_t i)
{
    return i < d->n ? &d->b[i] : NULL;
}

int rpt_is_numeric(enum rpt_type type)
{
    return type != RPT_STR && type != RPT_DATE && type != RPT_TIME;
}

void rpt_fmt_bytes(char *buf, size_t sz, double v)
{
    static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    size_t u = 0;
    int neg = v < 0;

    v = fabs(v);
    while (v >= 1024 && u + 1 < HR_ARRAY_LEN(unit)) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, sz, "%s%.0f B", neg ? "-" : "", v);
    else
        snprintf(buf, sz, "%s%.2f %s", neg ? "-" : "", v, unit[u]);
}

void rpt_fmt_date(char *buf, size_t sz, int64_t t)
{
    struct tm tm;
    time_t tt = (time_t)t;

    if (!gmtime_r(&tt, &tm) || strftime(buf, sz, "%Y-%m-%d", &tm) == 0)
        snprintf(buf, sz, "%" PRId64, t);
}

void rpt_fmt_time(char *buf, size_t sz, int64_t t)
{
    struct tm tm;
    time_t tt = (time_t)t;

    if (!gmtime_r(&tt, &tm) || strftime(buf, sz, "%Y-%m-%d %H:%MZ", &tm) == 0)
        snprintf(buf, sz, "%" PRId64, t);
}

/* A raw cell parsed as a number; 0 on success. */
static int cell_number(const char *s, double *v)
{
    char *end;

    *v = strtod(s, &end);
    return end != s && *end == '\0' ? 0 : -1;
}

const char *rpt_show(const struct rpt_table *t, size_t row, size_t col, char *buf, size_t sz)
{
    const char *s = t->cells[row * t->ncols + col];
    double v;

    if (!s)
        return "-";
    if (t->type[col] == RPT_STR || cell_number(s, &v) < 0)
        return s;
    switch (t->type[col]) {
    case RPT_BYTES: rpt_fmt_bytes(buf, sz, v); break;
    case RPT_PCT: snprintf(buf, sz, "%.1f%%", v); break;
    case RPT_REAL:
        snprintf(buf, sz, v == floor(v) && fabs(v) < 1e15 ? "%.0f" : "%.1f", v);
        break;
    case RPT_DATE: rpt_fmt_date(buf, sz, (int64_t)v); break;
    case RPT_TIME: rpt_fmt_time(buf, sz, (int64_t)v); break;
    default: return s;
    }
    return buf;
}
