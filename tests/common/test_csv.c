/* test_csv.c: the RFC 4180 reader behind every import (common/hr_csv.c). */
#include "../tap.h"
#include "hr_csv.h"

#include <string.h>

static struct hr_csv *mem(const char *s)
{
    return hr_csv_open_mem("t.csv", s, strlen(s));
}

int main(void)
{
    struct hr_csv *c;
    char **f;
    size_t n;
    int col[3];
    char err[256];
    static const char *const known[] = { "name", "customer", "address" };

    c = mem("a,b,c\r\n\"x, y\",\"he said \"\"hi\"\"\",\"two\nlines\"\n\nlast,,\n");
    TAP_INT(hr_csv_next(c, &f, &n), 1, "header record");
    TAP_OK(n == 3 && strcmp(f[2], "c") == 0, "CRLF record split into 3 fields");
    TAP_INT(hr_csv_next(c, &f, &n), 1, "quoted record");
    TAP_STR(f[0], "x, y", "comma inside quotes");
    TAP_STR(f[1], "he said \"hi\"", "doubled quote");
    TAP_STR(f[2], "two\nlines", "newline inside quotes");
    TAP_INT(hr_csv_line(c), 2, "record starts on line 2");
    TAP_INT(hr_csv_next(c, &f, &n), 1, "record after a blank line");
    TAP_INT(hr_csv_line(c), 5, "line numbers count the embedded newline and the blank line");
    TAP_OK(n == 3 && f[1][0] == '\0' && f[2][0] == '\0', "empty trailing fields");
    TAP_INT(hr_csv_next(c, &f, &n), 0, "end");
    hr_csv_free(c);

    c = mem("a\n\"open\n");
    hr_csv_next(c, &f, &n);
    TAP_INT(hr_csv_next(c, &f, &n), -1, "unterminated quote is an error");
    TAP_INT(hr_csv_line(c), 2, "error on line 2");
    TAP_OK(strstr(hr_csv_error(c), "unterminated") != NULL, "message: %s", hr_csv_error(c));
    hr_csv_free(c);

    c = mem("ab\"c\n");
    TAP_INT(hr_csv_next(c, &f, &n), -1, "quote inside an unquoted field");
    hr_csv_free(c);
    c = mem("\"a\"b\n");
    TAP_INT(hr_csv_next(c, &f, &n), -1, "text after a closing quote");
    hr_csv_free(c);
    c = hr_csv_open_mem("t.csv", "a\0b\n", 4);
    TAP_INT(hr_csv_next(c, &f, &n), -1, "NUL byte refused");
    hr_csv_free(c);
    c = mem("\xff\xfe\n");
    TAP_INT(hr_csv_next(c, &f, &n), -1, "invalid UTF-8 refused");
    hr_csv_free(c);
    c = mem("\"a\x01\"\n");
    TAP_INT(hr_csv_next(c, &f, &n), -1, "control character refused");
    hr_csv_free(c);
    c = mem("ACME,Evil\xE2\x80\xAE" "corp\n");
    TAP_INT(hr_csv_next(c, &f, &n), -1, "U+202E (right-to-left override) in a field refused");
    hr_csv_free(c);
    c = mem("\xEF\xBB\xBFname\n");
    TAP_OK(hr_csv_next(c, &f, &n) == 1 && strcmp(f[0], "name") == 0, "byte order mark skipped");
    hr_csv_free(c);

    c = mem(" Address ,NAME\n1.2.3.4,x\n");
    TAP_INT(hr_csv_header(c, known, 3, col, err, sizeof err), 0, "header mapped");
    TAP_OK(col[0] == 1 && col[1] == -1 && col[2] == 0, "columns by name, case and blanks ignored");
    hr_csv_free(c);
    c = mem("name,colour\n");
    TAP_INT(hr_csv_header(c, known, 3, col, err, sizeof err), -1, "unknown column");
    TAP_STR(err, "t.csv:1: unknown column 'colour'", "file:line message");
    hr_csv_free(c);
    c = mem("name,Name\n");
    TAP_INT(hr_csv_header(c, known, 3, col, err, sizeof err), -1, "duplicate column");
    hr_csv_free(c);
    c = mem("");
    TAP_INT(hr_csv_header(c, known, 3, col, err, sizeof err), -1, "empty file");
    hr_csv_free(c);
    return TAP_DONE();
}
