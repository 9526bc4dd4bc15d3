/* Unit tests for common/hr_util.c. */
#include "hr_util.h"
#include "hr_buf.h"
#include "../tap.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

int main(void)
{
    char out[64];
    uint64_t v;

    hr_sanitize(out, sizeof out, "  WD-123  ", 10);
    TAP_STR(out, "WD-123", "sanitize trims blanks");
    hr_sanitize(out, sizeof out, "X\r\nBcc: a@b", 11);
    TAP_STR(out, "X\xEF\xBF\xBD\xEF\xBF\xBD" "Bcc: a@b", "CR/LF become U+FFFD");
    hr_sanitize(out, sizeof out, "a\0b", 3);
    TAP_STR(out, "a\xEF\xBF\xBD" "b", "NUL becomes U+FFFD");
    hr_sanitize(out, sizeof out, "caf\xe9", 4);
    TAP_STR(out, "caf\xEF\xBF\xBD", "latin-1 byte becomes U+FFFD");
    hr_sanitize(out, sizeof out, "caf\xc3\xa9", 5);
    TAP_STR(out, "caf\xc3\xa9", "valid UTF-8 kept");
    hr_sanitize(out, 6, "abcd\xc3\xa9", 6);
    TAP_STR(out, "abcd", "truncation does not split a character");
    hr_sanitize(out, sizeof out, "\xc0\xaf", 2);
    TAP_STR(out, "\xEF\xBF\xBD\xEF\xBF\xBD", "overlong encoding refused");
    {
        char *big = malloc(65536), small[256];
        memset(big, 'A', 65536);
        size_t n = hr_sanitize(small, sizeof small, big, 65536);
        TAP_INT(n, 255, "64 KiB input truncated to buffer");
        free(big);
    }
    /* "SN-1" U+202E "2-NS": a right-to-left override would print "SN-12-NS"
     * reversed in a report; U+2028 breaks a line in some readers. */
    hr_sanitize(out, sizeof out, "SN-1\xE2\x80\xAE" "2-NS", 11);
    TAP_STR(out, "SN-1\xEF\xBF\xBD" "2-NS", "U+202E (right-to-left override) becomes one U+FFFD");
    hr_sanitize(out, sizeof out, "a\xE2\x80\xA8" "b\xE2\x81\xA6" "c\xEF\xBB\xBF" "d\xE2\x80\x8B" "e", 17);
    TAP_STR(out, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD" "d\xEF\xBF\xBD" "e",
            "U+2028, U+2066, U+FEFF, U+200B: each one U+FFFD");
    hr_sanitize(out, sizeof out, "\xF3\xA0\x80\x81" "x", 5);
    TAP_STR(out, "\xEF\xBF\xBD" "x", "a tag character (U+E0001) becomes U+FFFD");
    hr_sanitize(out, sizeof out, "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xE2\x82\xAC", 12);
    TAP_STR(out, "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xE2\x82\xAC", "Hebrew letters and the euro sign are kept");
    TAP_OK(!hr_is_clean_utf8("a\xE2\x80\xAE" "b", 5), "U+202E is not clean");
    TAP_OK(hr_is_clean_utf8("caf\xc3\xa9", 5), "an accent is clean");
    TAP_OK(hr_is_clean_utf8("abc", 3), "clean utf8");
    TAP_OK(!hr_is_clean_utf8("a\nb", 3), "LF is not clean");

    TAP_OK(hr_parse_u64("18446744073709551615", &v) == 0 && v == UINT64_MAX, "u64 max");
    TAP_OK(hr_parse_u64("18446744073709551616", &v) < 0, "u64 overflow refused");
    TAP_OK(hr_parse_u64("-1", &v) < 0 && hr_parse_u64("", &v) < 0 && hr_parse_u64("1x", &v) < 0,
           "u64 junk refused");
    TAP_OK(hr_parse_size("4TiB", &v) == 0 && v == 4398046511104ULL, "size 4TiB");
    TAP_OK(hr_parse_size("512 MiB", &v) == 0 && v == 536870912ULL, "size 512 MiB");
    TAP_OK(hr_parse_size("2GB", &v) == 0 && v == 2000000000ULL, "size 2GB");
    TAP_OK(hr_parse_size("3 parsecs", &v) < 0, "size junk refused");

    {
        char dir[] = "/tmp/hrutilXXXXXX", path[128];
        size_t len;
        TAP_OK(mkdtemp(dir) != NULL, "mkdtemp");
        snprintf(path, sizeof path, "%s/a/b/c", dir);
        TAP_OK(hr_mkdirs(path, 0755) == 0, "mkdirs");
        snprintf(path, sizeof path, "%s/a/state", dir);
        TAP_OK(hr_write_file_atomic(path, "one", 3, 0600) == 0, "atomic write");
        TAP_OK(hr_write_file_atomic(path, "two\0x", 5, 0600) == 0, "atomic rewrite");
        char *s = hr_read_file(path, 100, &len);
        TAP_OK(s && len == 5 && memcmp(s, "two\0x", 5) == 0, "read back with NUL");
        free(s);
        s = hr_read_file(path, 2, &len);
        TAP_OK(s && len == 2, "read honours maxlen");
        free(s);
        char cmd[160];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        TAP_OK(system(cmd) == 0, "cleanup");
    }
    {
        struct hr_buf b = { 0 };
        char *p = hr_buf_take(&b);
        TAP_STR(p, "", "empty buffer gives an empty string");
        free(p);
        hr_buf_puts(&b, "a");
        hr_buf_add(&b, "b\0c", 3);
        hr_buf_printf(&b, "-%d-%s", 42, "x");
        TAP_INT(b.len, 9, "adds and printf: length");
        TAP_OK(memcmp(b.p, "ab\0c-42-x", 10) == 0, "adds and printf: bytes, NUL kept");
        for (int i = 0; i < 1000; i++)
            hr_buf_puts(&b, "0123456789");
        TAP_INT(b.len, 10009, "grows past its first allocation");
        p = hr_buf_take(&b);
        TAP_OK(p && b.p == NULL && b.len == 0, "take hands over and empties");
        free(p);
        b.oom = 1;
        hr_buf_puts(&b, "lost");
        TAP_OK(hr_buf_take(&b) == NULL && !b.oom, "a latched failure: take gives NULL, resets");
    }
    {
        int64_t *a = NULL;
        size_t cap = 0, n;

        TAP_OK(hr_array_grow(&a, &cap, 1, sizeof *a) == 0 && a && cap == 16,
               "array_grow: first allocation holds 16");
        for (n = 0; n < 1000; n++) {
            if (hr_array_grow(&a, &cap, n + 1, sizeof *a) < 0)
                break;
            a[n] = (int64_t)n;
        }
        TAP_OK(n == 1000 && cap == 1024 && a[999] == 999, "array_grow: doubles, keeps the data");
        TAP_OK(hr_array_grow(&a, &cap, 10, sizeof *a) == 0 && cap == 1024,
               "array_grow: a smaller need changes nothing");
        errno = 0;
        TAP_OK(hr_array_grow(&a, &cap, SIZE_MAX / 2, sizeof *a) < 0 && errno == ENOMEM &&
                   cap == 1024 && a[999] == 999,
               "array_grow: an impossible size fails, the array as it was");
        free(a);
    }
    /* The one number parser: whole string, range-checked, why it failed. */
    {
        long long n;
        const char *why;
        TAP_OK(hr_parse_num("42", 0, 100, &n, &why) == 0 && n == 42 && !why, "num: 42");
        TAP_OK(hr_parse_num("-5", -10, 10, &n, NULL) == 0 && n == -5, "num: -5 in range");
        TAP_OK(hr_parse_num("101", 0, 100, &n, &why) < 0 && !strcmp(why, "too large"), "num: too large");
        TAP_OK(hr_parse_num("-1", 0, 100, &n, &why) < 0 && !strcmp(why, "too small"), "num: too small");
        TAP_OK(hr_parse_num("12abc", 0, 100, &n, &why) < 0 && !strcmp(why, "invalid"), "num: junk");
        TAP_OK(hr_parse_num(" 1", 0, 100, &n, NULL) < 0, "num: leading blank refused");
        TAP_OK(hr_parse_num("+1", 0, 100, &n, NULL) < 0, "num: plus sign refused");
        TAP_OK(hr_parse_num("", 0, 100, &n, NULL) < 0, "num: empty refused");
        TAP_OK(hr_parse_num("99999999999999999999", 0, LLONG_MAX, &n, &why) < 0 &&
               !strcmp(why, "too large"), "num: overflow is too large");
    }
    /* The one date and time parser. */
    {
        time_t t;
        int64_t tt;
        TAP_OK(hr_parse_date("2026-02-28", &t) == 0 && t == 1772236800, "date: 2026-02-28");
        TAP_OK(hr_parse_date("2026-02-31", &t) < 0, "date: 2026-02-31 refused");
        TAP_OK(hr_parse_date("2024-02-29", &t) == 0, "date: leap day 2024");
        TAP_OK(hr_parse_date("2100-02-29", &t) < 0, "date: 2100 is not a leap year");
        TAP_OK(hr_parse_date("2026-2-3", &t) < 0, "date: unpadded refused");
        TAP_OK(hr_parse_date("2026-13-01", &t) < 0, "date: month 13 refused");
        TAP_OK(hr_parse_time("2026-02-28T12:34:56", &tt) == 0 && tt == 1772236800 + 45296,
               "time: date and time");
        TAP_OK(hr_parse_time("2026-02-28 12:34", &tt) == 0 && tt == 1772236800 + 45240,
               "time: date and minutes");
        TAP_OK(hr_parse_time("1700000000", &tt) == 0 && tt == 1700000000, "time: Unix seconds");
        TAP_OK(hr_parse_time("@1700000000", &tt) == 0 && tt == 1700000000, "time: @seconds");
        TAP_OK(hr_parse_time("2026-02-31T00:00", &tt) < 0, "time: a day the month lacks");
        TAP_OK(hr_parse_time("2026-02-28T24:00", &tt) < 0, "time: hour 24 refused");
        TAP_OK(hr_parse_time("yesterday", &tt) < 0, "time: words refused");
        TAP_INT(hr_parse_bool("Yes"), 1, "bool: Yes");
        TAP_INT(hr_parse_bool("off"), 0, "bool: off");
        TAP_INT(hr_parse_bool("maybe"), -1, "bool: maybe refused");
    }
    /* The settable clock. */
    setenv("HEADROOM_NOW", "2026-12-06T01:02:03", 1);
    TAP_INT(hr_now(), 1796518923, "clock: $HEADROOM_NOW fixes it");
    setenv("HEADROOM_NOW", "2030-01-01", 1);
    TAP_INT(hr_now(), 1796518923, "clock: read once per process");
    return TAP_DONE();
}
