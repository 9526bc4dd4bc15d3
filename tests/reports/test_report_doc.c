/* test_report_doc.c: the reports' document model and its three renderers
 * without a database: sanitizing on the way in, the one HTML escape,
 * base64 images, RFC 4180 quoting and merged CSV tables, text alignment
 * by display columns (wide characters) and cutting with an ellipsis. */
#include "../tap.h"
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *render(const struct rpt_doc *d, int fmt, unsigned width)
{
    char *buf = NULL, err[256];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int rc;

    if (!f)
        return NULL;
    if (fmt == 0)
        rc = rpt_write_text(d, f, width);
    else if (fmt == 1)
        rc = rpt_write_csv(d, NULL, f, NULL, err, sizeof err);
    else
        rc = rpt_write_html(d, f);
    fclose(f);
    if (rc < 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* Display column where NEEDLE starts on the line holding it (UTF-8
 * continuation bytes skipped, CJK counted as 2: the test strings use
 * only ASCII, Latin-1 letters and CJK ideographs). */
static int column_of(const char *text, const char *needle)
{
    const char *p = strstr(text, needle), *l;
    int col = 0;

    if (!p)
        return -1;
    for (l = p; l > text && l[-1] != '\n'; l--)
        ;
    for (; l < p; l++) {
        unsigned char c = (unsigned char)*l;
        if ((c & 0xc0) == 0x80)
            continue;
        col += c >= 0xe3 && c <= 0xe9 ? 2 : 1;   /* U+3000..U+9FFF */
    }
    return col;
}

static struct rpt_doc *sample_doc(void)
{
    static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0xff };
    struct rpt_doc *d = rpt_doc_new("Report for <b>Acme</b> & \"Co\"", "report-x");
    struct rpt_table *t;

    rpt_heading(d, 2, "Devices");
    t = rpt_table_add(d, "History", "history", "serial", "SN,1", NULL);
    rpt_col(t, "name", RPT_STR);
    rpt_col(t, "capacity", RPT_BYTES);
    rpt_col(t, "model", RPT_STR);
    rpt_row(t);
    rpt_cell(t, "plain");
    rpt_cell_num(t, 1099511627776.0);
    rpt_cell(t, "M1");
    rpt_row(t);
    rpt_cell(t, "\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe");   /* 株式会社: 8 columns */
    rpt_cell_num(t, NAN);
    rpt_cell(t, "M2");
    rpt_row(t);
    rpt_cell(t, "line\r\nbreak, \"quoted\" <script>x</script>");
    rpt_cell_num(t, 512);
    rpt_cell(t, "M3");
    /* A second table of the same CSV name merges into history. */
    t = rpt_table_add(d, "History 2", "history", "serial", "SN2", NULL);
    rpt_col(t, "name", RPT_STR);
    rpt_col(t, "capacity", RPT_BYTES);
    rpt_col(t, "model", RPT_STR);
    rpt_row(t);
    rpt_cell(t, "M\xc3\xbcller");
    rpt_cell_num(t, 2048);
    rpt_cell(t, "M4");
    rpt_image(d, png, sizeof png, "graph of <SN>");
    t = rpt_table_add(d, "Empty", "empty", NULL, NULL, "nothing here");
    rpt_col(t, "a", RPT_STR);
    return d;
}

static void test_text(const struct rpt_doc *d)
{
    char *s = render(d, 0, 100);
    int c1, c2, c3, c4;

    TAP_OK(s != NULL, "text renders");
    if (!s)
        return;
    c1 = column_of(s, "M1");
    c2 = column_of(s, "M2");
    c3 = column_of(s, "M3");
    c4 = column_of(s, "model");
    TAP_OK(c1 > 0 && c1 == c2 && c2 == c3 && c3 == c4,
           "text: the model column starts at one display column (%d %d %d %d)", c1, c2, c3, c4);
    TAP_OK(strstr(s, "1.00 TiB") != NULL, "text: bytes shown in binary units");
    TAP_OK(strstr(s, "\r") == NULL, "text: CR from data replaced");
    TAP_OK(strstr(s, "\xef\xbf\xbd\xef\xbf\xbd") != NULL, "text: CR LF became U+FFFD");
    TAP_OK(strstr(s, "(nothing here)") != NULL, "text: an empty table says so");
    free(s);
    /* Narrow: the long cell is cut with an ellipsis, columns still align. */
    s = render(d, 0, 40);
    TAP_OK(s && strstr(s, "\xe2\x80\xa6") != NULL, "text at 40 columns: cut with an ellipsis");
    if (s) {
        c1 = column_of(s, "M1");
        c3 = column_of(s, "M3");
        TAP_OK(c1 > 0 && c1 == c3, "text at 40 columns: still aligned (%d %d)", c1, c3);
    }
    free(s);
}

static void test_csv(const struct rpt_doc *d)
{
    char *s = render(d, 1, 0);

    TAP_OK(s != NULL, "csv renders");
    if (!s)
        return;
    TAP_OK(strstr(s, "# history\r\nserial,name,capacity,model\r\n") != NULL,
           "csv: section and header with the key column");
    TAP_OK(strstr(s, "\"SN,1\",plain,1099511627776,M1\r\n") != NULL,
           "csv: key quoted, bytes raw");
    TAP_OK(strstr(s, "SN,1\",\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe,,M2\r\n") != NULL,
           "csv: unknown is an empty field");
    TAP_OK(strstr(s, "SN2,M\xc3\xbcller,2048,M4\r\n") != NULL, "csv: second table merged");
    TAP_OK(strstr(s, "\"\"quoted\"\"") != NULL, "csv: quotes doubled");
    TAP_OK(strstr(s, "# empty\r\na\r\n") != NULL, "csv: empty table is its header");
    free(s);
}

static void test_html(const struct rpt_doc *d)
{
    char *s = render(d, 2, 0);

    TAP_OK(s != NULL, "html renders");
    if (!s)
        return;
    TAP_OK(strstr(s, "<script>") == NULL, "html: no <script> from data");
    TAP_OK(strstr(s, "&lt;script&gt;x&lt;/script&gt;") != NULL, "html: cell escaped");
    TAP_OK(strstr(s, "<title>Report for &lt;b&gt;Acme&lt;/b&gt; &amp; &quot;Co&quot;</title>"),
           "html: title escaped");
    TAP_OK(strstr(s, "src=\"data:image/png;base64,iVBORw0KGgr/\"") != NULL,
           "html: image inline, base64 with padding");
    TAP_OK(strstr(s, "alt=\"graph of &lt;SN&gt;\"") != NULL, "html: alt escaped");
    TAP_OK(strstr(s, "data-key=\"SN,1\"") != NULL, "html: table carries its key");
    TAP_OK(strstr(s, "Content-Security-Policy") != NULL, "html: scripts forbidden by CSP");
    free(s);
}

static void test_escape(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (!f)
        return;
    rpt_html_escape(f, "<a href='x'>&\"</a>");
    fclose(f);
    TAP_STR(buf, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;", "html escape of every special");
    free(buf);
}

int main(void)
{
    struct rpt_doc *d = sample_doc();
    char b[64];

    TAP_OK(d && !rpt_doc_failed(d), "document built");
    if (!d)
        return TAP_DONE();
    test_text(d);
    test_csv(d);
    test_html(d);
    test_escape();
    rpt_fmt_bytes(b, sizeof b, 1536);
    TAP_STR(b, "1.50 KiB", "bytes 1536");
    rpt_fmt_date(b, sizeof b, 1795305600);
    TAP_STR(b, "2026-11-22", "date");
    rpt_doc_free(d);
    return TAP_DONE();
}
