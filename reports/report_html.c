/* report_html.c: a report document as one self-contained HTML page.
 *
 * No script, no external resource: the CSS is embedded, graphs are PNG
 * data: URIs, and a Content-Security-Policy forbids scripts outright, so
 * the page reads the same in a mail client, an air-gapped browser or a
 * text browser.  Every string written goes through rpt_html_escape; the
 * only unescaped text is this file's own markup.
 */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char css[] =
    "body{font-family:sans-serif;margin:1.5em;color:#222;max-width:80em}"
    "h1{font-size:1.5em;border-bottom:2px solid #4f81bd}"
    "h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}"
    "h3{font-size:1.05em;margin-top:1.2em}"
    "table{border-collapse:collapse;margin:.6em 0 1em;font-size:.9em}"
    "caption{text-align:left;font-weight:bold;padding:.2em 0}"
    "th,td{border:1px solid #bbb;padding:.15em .5em;vertical-align:top;white-space:nowrap}"
    /* Long strings (proposal texts, hostile 64 KiB serials) wrap anywhere
     * inside a bounded cell instead of widening the table. */
    "td.long{white-space:normal;overflow-wrap:anywhere;min-width:14em;max-width:36em}"
    "thead th{background:#e8eef7}"
    "table.kv th{text-align:left;background:#f3f3f3}"
    "td.num{text-align:right;font-variant-numeric:tabular-nums}"
    "tbody tr:nth-child(even){background:#fafafa}"
    "figure{margin:.5em 0}figcaption{font-size:.85em;color:#555}"
    "img{max-width:100%;height:auto}"
    /* Seed 000, 0047: the spec beside the usage over time. */
    "table.kv[data-table=devices]{float:left;margin-right:1.5em}"
    "h2,h3,table[data-table=history],table[data-table=volumes],p.empty,footer{clear:both}"
    "figure{display:inline-block;vertical-align:top}"
    "p.empty{color:#777;font-style:italic}"
    "footer{margin-top:2em;font-size:.8em;color:#777}";

void rpt_html_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* RFC 4648 base64 for the data: URIs. */
static void base64(FILE *f, const unsigned char *p, size_t n)
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        fputc(tab[v >> 18 & 63], f);
        fputc(tab[v >> 12 & 63], f);
        fputc(i + 1 < n ? tab[v >> 6 & 63] : '=', f);
        fputc(i + 2 < n ? tab[v & 63] : '=', f);
    }
}

/* A cell: escaped, and cut after HTML_CELL_MAX bytes (on a character
 * boundary) so a 64 KiB serial cannot swallow the page; CSV has it all. */
#define HTML_CELL_MAX 160
#define HTML_LONG 32
static void write_cell(FILE *f, const char *s)
{
    char buf[HTML_CELL_MAX + 8];
    size_t n = strlen(s);

    if (n <= HTML_CELL_MAX) {
        rpt_html_escape(f, s);
        return;
    }
    n = HTML_CELL_MAX;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    memcpy(buf, s, n);
    memcpy(buf + n, "\xe2\x80\xa6", 4);   /* U+2026 and the NUL */
    rpt_html_escape(f, buf);
}

/* <table ...><caption>TITLE</caption>: the CSV name (and the key value)
 * as data attributes, so a reader finds the table the CSV report names. */
static void table_open(FILE *f, const struct rpt_table *t, const char *class)
{
    fprintf(f, "<table%s data-table=\"", class);
    rpt_html_escape(f, t->csv);
    if (t->keyval) {
        fputs("\" data-key=\"", f);
        rpt_html_escape(f, t->keyval);
    }
    fputs("\"><caption>", f);
    rpt_html_escape(f, t->title);
    fputs("</caption>\n", f);
}

static void write_vertical(FILE *f, const struct rpt_table *t)
{
    char buf[64];

    table_open(f, t, " class=\"kv\"");
    for (size_t c = 0; c < t->ncols; c++) {
        fputs("<tr><th scope=\"row\">", f);
        rpt_html_escape(f, t->head[c]);
        const char *v = t->nrows ? rpt_show(t, 0, c, buf, sizeof buf) : "-";
        fputs(strlen(v) > HTML_LONG ? "</th><td class=\"long\">" : "</th><td>", f);
        write_cell(f, v);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

static void write_table(FILE *f, const struct rpt_table *t)
{
    char buf[64];

    if (t->vertical) {
        write_vertical(f, t);
        return;
    }
    if (t->nrows == 0) {
        fputs("<p class=\"empty\"><b>", f);
        rpt_html_escape(f, t->title);
        fputs(":</b> ", f);
        rpt_html_escape(f, t->empty);
        fputs("</p>\n", f);
        return;
    }
    table_open(f, t, "");
    fputs("<thead><tr>", f);
    for (size_t c = 0; c < t->ncols; c++) {
        fputs("<th scope=\"col\">", f);
        rpt_html_escape(f, t->head[c]);
        fputs("</th>", f);
    }
    fputs("</tr></thead>\n<tbody>\n", f);
    for (size_t r = 0; r < t->nrows; r++) {
        fputs("<tr>", f);
        for (size_t c = 0; c < t->ncols; c++) {
            const char *v = rpt_show(t, r, c, buf, sizeof buf);
            fputs(rpt_is_numeric(t->type[c]) ? "<td class=\"num\">"
                  : strlen(v) > HTML_LONG ? "<td class=\"long\">" : "<td>", f);
            write_cell(f, v);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
}

static void write_image(FILE *f, const struct rpt_block *b)
{
    fputs("<figure><img src=\"data:image/png;base64,", f);
    base64(f, b->png, b->pnglen);
    fputs("\" alt=\"", f);
    rpt_html_escape(f, b->text);
    fputs("\"><figcaption>", f);
    rpt_html_escape(f, b->text);
    fputs("</figcaption></figure>\n", f);
}

int rpt_write_html(const struct rpt_doc *d, FILE *f)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "img-src data:; style-src 'unsafe-inline'\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"headroom " HEADROOM_VERSION "\">\n<title>", f);
    rpt_html_escape(f, rpt_doc_title(d));
    fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", css);
    rpt_html_escape(f, rpt_doc_title(d));
    fputs("</h1>\n", f);
    for (size_t i = 0; i < rpt_doc_nblocks(d); i++) {
        const struct rpt_block *b = rpt_doc_block(d, i);
        switch (b->kind) {
        case RPT_B_HEADING: {
            int lv = b->level < 2 ? 2 : b->level > 4 ? 4 : b->level;
            fprintf(f, "<h%d>", lv);
            rpt_html_escape(f, b->text);
            fprintf(f, "</h%d>\n", lv);
            break;
        }
        case RPT_B_PARA:
            fputs("<p>", f);
            rpt_html_escape(f, b->text);
            fputs("</p>\n", f);
            break;
        case RPT_B_TABLE:
            write_table(f, b->table);
            break;
        case RPT_B_IMAGE:
            write_image(f, b);
            break;
        }
    }
    fputs("<footer>headroom " HEADROOM_VERSION "</footer>\n</body>\n</html>\n", f);
    if (fflush(f) != 0 || ferror(f))
        return -1;
    return 0;
}
