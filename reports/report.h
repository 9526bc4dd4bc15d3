/* report.h: the reports' document model (reports/report_doc.c) and its
 * three renderers (report_text.c, report_csv.c, report_html.c).
 *
 * `headroom report` (report.c, report_fleet.c) reads the database once
 * into a document: headings, paragraphs, tables and PNG images.  Every
 * string that enters a document is sanitized on the way in (hr_sanitize:
 * control characters and invalid UTF-8 become U+FFFD), so a renderer
 * only has to quote for its own format: CSV (RFC 4180), HTML (one escape
 * function for every string) or text (aligned columns, long cells cut
 * with an ellipsis).  Numbers are stored raw (bytes, Unix seconds) and
 * typed per column, so CSV carries values a spreadsheet can compute with
 * while text and HTML show "1.50 TiB" and "2026-11-22".
 */
#ifndef HR_REPORT_H
#define HR_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Column types: how a raw cell is shown in text and HTML. */
enum rpt_type {
    RPT_STR,      /* as is */
    RPT_INT,      /* integer, right-aligned */
    RPT_REAL,     /* number with one decimal, right-aligned */
    RPT_BYTES,    /* bytes: "1.50 TiB" (CSV: the integer) */
    RPT_PCT,      /* percent with one decimal */
    RPT_DATE,     /* Unix seconds: "2026-11-22" (CSV: the same text) */
    RPT_TIME,     /* Unix seconds: "2026-11-22 10:04Z" (CSV: ISO 8601) */
};
/* Or'ed into a column's type: long prose (a proposal's text).  Text shows
 * it below the table, one folded line per row, instead of cutting it to a
 * column; CSV and HTML keep it in the table. */
#define RPT_PROSE 0x100

struct rpt_table;
struct rpt_doc;

/* ---- building (report_doc.c) ---- */

/* A new document titled TITLE, to be written as BASENAME.{txt,html} with
 * --out.  NULL on ENOMEM. */
struct rpt_doc *rpt_doc_new(const char *title, const char *basename);
void rpt_doc_free(struct rpt_doc *d);
/* Blocks, in order.  0 or -1 (ENOMEM; the document records it too). */
int rpt_heading(struct rpt_doc *d, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int rpt_para(struct rpt_doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A PNG (copied) with its alternative text. */
int rpt_image(struct rpt_doc *d, const unsigned char *png, size_t len, const char *alt);

/* A table added to D now (its rows may come later).  CSV: tables with the
 * same CSV name go to one file NAME.csv; KEY (if not NULL, e.g. "serial")
 * is then written as an extra first column holding KEYVAL, so per-device
 * tables merge into one.  EMPTY is shown instead of an empty table. */
struct rpt_table *rpt_table_add(struct rpt_doc *d, const char *title, const char *csv,
                                const char *key, const char *keyval, const char *empty);
/* Show the (single-row) table as "name: value" lines in text and HTML. */
void rpt_table_vertical(struct rpt_table *t);
/* Columns, before any row.  NAME is "csv_name|Display name", or one name
 * for both. */
int rpt_col(struct rpt_table *t, const char *name, int type);
/* Start a row, then set its cells left to right (a cell never set is
 * unknown: "-" in text and HTML, empty in CSV). */
int rpt_row(struct rpt_table *t);
int rpt_cell(struct rpt_table *t, const char *s);               /* NULL: unknown */
int rpt_cellf(struct rpt_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int rpt_cell_num(struct rpt_table *t, double v);                /* NAN: unknown */
int rpt_cell_int(struct rpt_table *t, int64_t v);
/* Nonzero if building ran out of memory somewhere. */
int rpt_doc_failed(const struct rpt_doc *d);

/* ---- reading (renderers) ---- */

enum rpt_block_kind { RPT_B_HEADING, RPT_B_PARA, RPT_B_TABLE, RPT_B_IMAGE };

struct rpt_block {
    enum rpt_block_kind kind;
    int level;                  /* heading: 1, 2, 3 */
    char *text;                 /* heading, paragraph, image alt */
    struct rpt_table *table;
    unsigned char *png;
    size_t pnglen;
};

struct rpt_table {
    char *title, *csv, *key, *keyval, *empty;
    int vertical;
    size_t ncols, nrows, cur;   /* cur: next cell of the last row */
    char **head;                /* shown in text and HTML */
    char **chead;               /* CSV header */
    enum rpt_type *type;
    unsigned char *prose;       /* RPT_PROSE columns */
    char **cells;               /* nrows x ncols; NULL = unknown */
    size_t cap;                 /* rows allocated */
};

const char *rpt_doc_title(const struct rpt_doc *d);
const char *rpt_doc_basename(const struct rpt_doc *d);
size_t rpt_doc_nblocks(const struct rpt_doc *d);
const struct rpt_block *rpt_doc_block(const struct rpt_doc *d, size_t i);
/* The cell as text and HTML show it, into BUF; "-" when unknown. */
const char *rpt_show(const struct rpt_table *t, size_t row, size_t col, char *buf, size_t sz);
/* Right-aligned in text? */
int rpt_is_numeric(enum rpt_type type);

/* Human formats. */
void rpt_fmt_bytes(char *buf, size_t sz, double v);
void rpt_fmt_date(char *buf, size_t sz, int64_t t);
void rpt_fmt_time(char *buf, size_t sz, int64_t t);

/* ---- rendering ---- */

/* Text: aligned tables no wider than WIDTH columns where possible (cells
 * cut with an ellipsis).  0 or -1 (I/O error, errno). */
int rpt_write_text(const struct rpt_doc *d, FILE *f, unsigned width);
/* CSV: with DIR, one NAME.csv per table name (replaced atomically), the
 * paths appended to LISTING if not NULL; without, every table on F as a
 * section "# NAME" followed by its records and a blank line.  0 or -1
 * with ERR. */
int rpt_write_csv(const struct rpt_doc *d, const char *dir, FILE *f, FILE *listing,
                  char *err, size_t errlen);
/* HTML: one self-contained page (CSS embedded, images as data: URIs, no
 * script).  0 or -1 (errno). */
int rpt_write_html(const struct rpt_doc *d, FILE *f);
/* The one HTML escape every string goes through (& < > " '). */
void rpt_html_escape(FILE *f, const char *s);

#endif
