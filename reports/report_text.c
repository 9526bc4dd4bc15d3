/* report_text.c: a report document as text for a terminal.
 *
 * Tables are aligned by display columns, not bytes: a customer name in
 * Japanese takes two columns per character, an accented one one column.
 * Cells wider than their column are cut with an ellipsis so a table fits
 * the terminal; numbers are right-aligned and never cut.
 */
#include "report.h"
#include "hr_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COL_SEP   "  "
#define STR_MAX   40      /* widest string column before cutting */
#define STR_MIN   8       /* narrowest a column is squeezed to */

/* Decode one UTF-8 character at S (the document holds only valid UTF-8);
 * returns its length and the code point in *CP. */
static size_t u8_next(const char *s, unsigned *cp)
{
    const unsigned char *u = (const unsigned char *)s;

    if (u[0] < 0x80) { *cp = u[0]; return 1; }
    if ((u[0] & 0xe0) == 0xc0 && u[1]) { *cp = (u[0] & 0x1fu) << 6 | (u[1] & 0x3fu); return 2; }
    if ((u[0] & 0xf0) == 0xe0 && u[1] && u[2]) {
        *cp = (u[0] & 0x0fu) << 12 | (u[1] & 0x3fu) << 6 | (u[2] & 0x3fu);
        return 3;
    }
    if ((u[0] & 0xf8) == 0xf0 && u[1] && u[2] && u[3]) {
        *cp = (u[0] & 0x07u) << 18 | (u[1] & 0x3fu) << 12 | (u[2] & 0x3fu) << 6 | (u[3] & 0x3fu);
        return 4;
    }
    *cp = 0xfffd;
    return 1;
}

/* Terminal columns of one code point: East Asian wide and fullwidth
 * ranges take two, combining marks none (the ranges of Unicode's
 * EastAsianWidth W/F that terminals draw double; no locale needed). */
static unsigned cp_width(unsigned c)
{
    if ((c >= 0x300 && c <= 0x36f) || (c >= 0x200b && c <= 0x200f) || c == 0xfeff)
        return 0;
    if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0x303e) ||
        (c >= 0x3041 && c <= 0x33ff) || (c >= 0x3400 && c <= 0x4dbf) ||
        (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xa000 && c <= 0xa4cf) ||
        (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
        (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
        (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) ||
        (c >= 0x20000 && c <= 0x3fffd))
        return 2;
    return 1;
}

static size_t str_width(const char *s)
{
    size_t w = 0;
    unsigned cp;

    while (*s) {
        s += u8_next(s, &cp);
        w += cp_width(cp);
    }
    return w;
}

/* Print S in exactly W columns: cut with "…" if wider, padded with
 * blanks (on the left when RIGHT) if narrower; no padding when LAST. */
static void put_cell(FILE *f, const char *s, size_t w, int right, int last)
{
    size_t sw = str_width(s), used = 0;
    unsigned cp;

    if (sw <= w) {
        if (right)
            fprintf(f, "%*s", (int)(w - sw), "");
        fputs(s, f);
        if (!right && !last)
            fprintf(f, "%*s", (int)(w - sw), "");
        return;
    }
    while (*s) {
        size_t n = u8_next(s, &cp), cw = cp_width(cp);
        if (used + cw > w - 1)
            break;
        fwrite(s, 1, n, f);
        used += cw;
        s += n;
    }
    fputs("\xe2\x80\xa6", f);   /* U+2026 HORIZONTAL ELLIPSIS, one column */
    used++;
    if (!last)
        fprintf(f, "%*s", (int)(w - used), "");
}

/* Column widths: the widest cell, strings capped; then, while the table
 * is wider than WIDTH, the widest column that can give is narrowed.  A
 * string gives down to STR_MIN columns; a number, date or time only down
 * to its widest value (its header is cut instead: values never are). */
static void col_widths(const struct rpt_table *t, size_t *w, unsigned width)
{
    char buf[64];
    size_t total = 0, *min = calloc(t->ncols, sizeof *min);

    for (size_t c = 0; c < t->ncols; c++) {
        size_t vw = 0;
        if (t->prose[c]) {
            w[c] = 0;
            if (min)
                min[c] = 0;
            continue;
        }
        for (size_t r = 0; r < t->nrows; r++) {
            size_t cw = str_width(rpt_show(t, r, c, buf, sizeof buf));
            if (cw > vw)
                vw = cw;
        }
        w[c] = vw > str_width(t->head[c]) ? vw : str_width(t->head[c]);
        if (t->type[c] == RPT_STR && w[c] > STR_MAX)
            w[c] = STR_MAX;
        if (min)
            min[c] = t->type[c] == RPT_STR ? STR_MIN : vw > 2 ? vw : 2;
        total += w[c] + (total ? strlen(COL_SEP) : 0);
    }
    while (min && total + 2 > width) {
        size_t widest = t->ncols;
        for (size_t c = 0; c < t->ncols; c++)
            if (w[c] > min[c] && (widest == t->ncols || w[c] > w[widest]))
                widest = c;
        if (widest == t->ncols)
            break;
        w[widest]--;
        total--;
    }
    free(min);
}

static void write_vertical(FILE *f, const struct rpt_table *t, unsigned width)
{
    char buf[64];
    size_t kw = 0;

    for (size_t c = 0; c < t->ncols; c++)
        if (str_width(t->head[c]) > kw)
            kw = str_width(t->head[c]);
    for (size_t c = 0; c < t->ncols; c++) {
        const char *v = t->nrows ? rpt_show(t, 0, c, buf, sizeof buf) : "-";
        size_t room = width > kw + 6 + STR_MIN ? width - kw - 6 : STR_MIN;
        fputs("  ", f);
        put_cell(f, t->head[c], kw, 0, 0);
        fputs(": ", f);
        put_cell(f, v, room, 0, 1);
        fputc('\n', f);
    }
}

/* The last column shown in the aligned table (prose ones are not). */
static size_t last_col(const struct rpt_table *t)
{
    size_t last = 0;

    for (size_t c = 0; c < t->ncols; c++)
        if (!t->prose[c])
            last = c;
    return last;
}

static void write_row(FILE *f, const struct rpt_table *t, const size_t *w, size_t r)
{
    char buf[64];
    size_t last = last_col(t);
    int first = 1;

    fputs("  ", f);
    for (size_t c = 0; c < t->ncols; c++) {
        if (t->prose[c])
            continue;
        if (!first)
            fputs(COL_SEP, f);
        first = 0;
        put_cell(f, r == (size_t)-1 ? t->head[c] : rpt_show(t, r, c, buf, sizeof buf), w[c],
                 rpt_is_numeric(t->type[c]), c == last);
    }
    fputc('\n', f);
}

static void write_para(FILE *f, const char *s, unsigned width, unsigned indent);

/* Prose columns below the table: "  KEY, header: text", folded. */
static void write_prose(FILE *f, const struct rpt_table *t, unsigned width)
{
    char buf[64], *line;

    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < t->ncols; c++) {
            if (!t->prose[c])
                continue;
            char key[64];
            hr_strlcpy(key, rpt_show(t, r, 0, buf, sizeof buf), sizeof key);
            if (asprintf(&line, "%s %s, %s: %s", t->head[0], key, t->head[c],
                         rpt_show(t, r, c, buf, sizeof buf)) < 0)
                continue;
            write_para(f, line, width, 2);
            free(line);
        }
}

static int write_table(FILE *f, const struct rpt_table *t, unsigned width)
{
    size_t *w;
    int prose = 0;

    fprintf(f, "%s\n", t->title);
    if (t->vertical) {
        write_vertical(f, t, width);
        return 0;
    }
    if (t->nrows == 0) {
        fprintf(f, "  (%s)\n", t->empty);
        return 0;
    }
    if (!(w = calloc(t->ncols, sizeof *w)))
        return -1;
    col_widths(t, w, width);
    write_row(f, t, w, (size_t)-1);
    for (size_t r = 0; r < t->nrows; r++)
        write_row(f, t, w, r);
    free(w);
    for (size_t c = 0; c < t->ncols; c++)
        prose |= t->prose[c];
    if (prose) {
        fputc('\n', f);
        write_prose(f, t, width);
    }
    return 0;
}

/* S folded at blanks so no line is wider than WIDTH (a word longer than
 * the line stays whole); lines after the first indented INDENT + 2. */
static void write_para(FILE *f, const char *s, unsigned width, unsigned indent)
{
    size_t col = indent;

    fprintf(f, "%*s", (int)indent, "");
    while (*s) {
        const char *e = strchr(s, ' ');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        char *word = strndup(s, n);
        size_t ww = word ? str_width(word) : n;
        if (col > indent && col + 1 + ww > width) {
            fprintf(f, "\n%*s", (int)indent + 2, "");
            col = indent + 2;
        } else if (col > indent) {
            fputc(' ', f);
            col++;
        }
        fwrite(s, 1, n, f);
        col += ww;
        free(word);
        s += n;
        while (*s == ' ')
            s++;
    }
    fputc('\n', f);
}

static void underline(FILE *f, const char *s, char ch)
{
    for (size_t i = str_width(s); i > 0; i--)
        fputc(ch, f);
    fputc('\n', f);
}

int rpt_write_text(const struct rpt_doc *d, FILE *f, unsigned width)
{
    if (width < 40)
        width = 40;
    fprintf(f, "%s\n", rpt_doc_title(d));
    underline(f, rpt_doc_title(d), '=');
    for (size_t i = 0; i < rpt_doc_nblocks(d); i++) {
        const struct rpt_block *b = rpt_doc_block(d, i);
        switch (b->kind) {
        case RPT_B_HEADING:
            fprintf(f, "\n%s\n", b->text);
            underline(f, b->text, b->level <= 2 ? '-' : '.');
            break;
        case RPT_B_PARA:
            write_para(f, b->text, width, 0);
            break;
        case RPT_B_TABLE:
            fputc('\n', f);
            if (write_table(f, b->table, width) < 0)
                return -1;
            break;
        case RPT_B_IMAGE:
            /* Graphs are for HTML; text says where they are. */
            break;
        }
    }
    if (fflush(f) != 0 || ferror(f))
        return -1;
    return 0;
}
