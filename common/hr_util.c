/* hr_util.c: small helpers shared by every headroom program. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nftw's FTW_DEPTH, FTW_PHYS */
#endif
#include "hr_util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* Length of the valid UTF-8 sequence at P (N bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    size_t len;
    unsigned cp;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    /* overlong, surrogates, beyond U+10FFFF */
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    /* C1 controls U+0080..U+009F */
    if (len == 2 && cp < 0xA0)
        return 0;
    return len;
}

static int is_ctl(unsigned char c)
{
    return c < 0x20 || c == 0x7F;
}

/* The code point of the valid sequence of LEN bytes at P. */
static unsigned utf8_cp(const unsigned char *p, size_t len)
{
    unsigned cp = len == 2 ? p[0] & 0x1Fu : len == 3 ? p[0] & 0x0Fu : p[0] & 0x07u;

    for (size_t i = 1; i < len; i++)
        cp = (cp << 6) | (p[i] & 0x3Fu);
    return cp;
}

/* Characters that change how the text around them reads without being
 * seen: Unicode's format characters (general category Cf: the direction
 * overrides and isolates, zero-width characters, the BOM, invisible
 * operators, tags) and the line and paragraph separators (Zl, Zp).  A
 * serial carrying U+202E would print another serial in a report. */
static int is_format_cp(unsigned cp)
{
    static const struct { unsigned lo, hi; } f[] = {
        { 0x00AD, 0x00AD }, { 0x0600, 0x0605 }, { 0x061C, 0x061C }, { 0x06DD, 0x06DD },
        { 0x070F, 0x070F }, { 0x0890, 0x0891 }, { 0x08E2, 0x08E2 }, { 0x180E, 0x180E },
        { 0x200B, 0x200F }, { 0x2028, 0x202E }, { 0x2060, 0x2064 }, { 0x2066, 0x206F },
        { 0xFEFF, 0xFEFF }, { 0xFFF9, 0xFFFB }, { 0x110BD, 0x110BD }, { 0x110CD, 0x110CD },
        { 0x13430, 0x1343F }, { 0x1BCA0, 0x1BCA3 }, { 0x1D173, 0x1D17A }, { 0xE0001, 0xE0001 },
        { 0xE0020, 0xE007F },
    };

    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (cp >= f[i].lo && cp <= f[i].hi)
            return 1;
    return 0;
}

size_t hr_sanitize(char *dst, size_t dstsz, const void *src, size_t srclen)
{
    static const char repl[] = "\xEF\xBF\xBD"; /* U+FFFD */
    const unsigned char *p = src, *end = p + srclen;
    size_t o = 0, last_nonblank = 0;
    int started = 0;

    if (dstsz == 0)
        return 0;
    while (p < end) {
        const char *chunk;
        size_t clen = utf8_len(p, (size_t)(end - p)), adv;

        if (clen == 0 || (clen == 1 && is_ctl(*p))) {
            chunk = repl;
            clen = 3;
            adv = 1;
        } else if (clen > 1 && is_format_cp(utf8_cp(p, clen))) {
            chunk = repl;       /* the whole character, one U+FFFD */
            adv = clen;
            clen = 3;
        } else {
            chunk = (const char *)p;
            adv = clen;
        }
        if (!started && clen == 1 && *chunk == ' ') {
            p += adv;
            continue;
        }
        started = 1;
        if (o + clen > dstsz - 1)
            break;
        memcpy(dst + o, chunk, clen);
        o += clen;
        if (!(clen == 1 && *chunk == ' '))
            last_nonblank = o;
        p += adv;
    }
    dst[last_nonblank] = '\0';
    return last_nonblank;
}

int hr_is_clean_utf8(const void *s, size_t len)
{
    const unsigned char *p = s, *end = p + len;

    while (p < end) {
        size_t l = utf8_len(p, (size_t)(end - p));
        if (l == 0 || (l == 1 && is_ctl(*p)) || (l > 1 && is_format_cp(utf8_cp(p, l))))
            return 0;
        p += l;
    }
    return 1;
}

size_t hr_strlcpy(char *dst, const char *src, size_t dstsz)
{
    size_t n = strlen(src);

    if (dstsz) {
        size_t c = n < dstsz - 1 ? n : dstsz - 1;
        memcpy(dst, src, c);
        dst[c] = '\0';
    }
    return n;
}

int hr_array_grow(void *vp, size_t *cap, size_t need, size_t elsize)
{
    void *p, *np;
    size_t nc;

    if (need <= *cap)
        return 0;
    for (nc = *cap ? *cap : 16; nc < need; nc *= 2)
        if (nc > SIZE_MAX / 2)
            goto out_nomem;
    if (elsize && nc > SIZE_MAX / elsize)
        goto out_nomem;
    memcpy(&p, vp, sizeof p);
    if (!(np = realloc(p, nc * elsize)))
        goto out_nomem;
    memcpy(vp, &np, sizeof np);
    *cap = nc;
    return 0;

out_nomem:
    errno = ENOMEM;
    return -1;
}

char *hr_trim(char *s)
{
    char *b = s, *e;

    while (isspace((unsigned char)*b))
        b++;
    e = b + strlen(b);
    while (e > b && isspace((unsigned char)e[-1]))
        e--;
    *e = '\0';
    if (b != s)
        memmove(s, b, (size_t)(e - b) + 1);
    return s;
}

/* Read FD to its end into a malloc'd NUL-terminated buffer grown as the
 * data comes (so a large bound costs nothing up front); more than MAXLEN
 * bytes is cut there (HR_READ_CUT) or refused with EFBIG.  Closes FD.
 * NULL with errno. */
static char *read_fd(int fd, size_t maxlen, enum hr_read_mode mode, size_t *len)
{
    char *buf = NULL, *nb;
    size_t n = 0, cap = 0;
    int e;

    for (;;) {
        ssize_t r;
        if (n == cap) {
            if (cap > maxlen) {
                if (mode == HR_READ_CUT)
                    break;
                errno = EFBIG;
                goto fail;
            }
            cap = cap ? cap * 2 : 4096;
            if (cap > maxlen + 1)
                cap = maxlen + 1;
            if (!(nb = realloc(buf, cap + 1))) {
                errno = ENOMEM;
                goto fail;
            }
            buf = nb;
        }
        r = read(fd, buf + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            goto fail;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    if (n > maxlen) {
        if (mode != HR_READ_CUT) {
            errno = EFBIG;
            goto fail;
        }
        n = maxlen;
    }
    close(fd);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
fail:
    e = errno;
    free(buf);
    close(fd);
    errno = e;
    return NULL;
}

char *hr_read_file(const char *path, size_t maxlen, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    return fd < 0 ? NULL : read_fd(fd, maxlen, HR_READ_CUT, len);
}

char *hr_read_regular(const char *path, size_t maxlen, enum hr_read_mode mode, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), e;
    struct stat st;

    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) < 0)
        e = errno;
    else if (!S_ISREG(st.st_mode))
        e = EINVAL;
    else
        return read_fd(fd, maxlen, mode, len);
    close(fd);
    errno = e;
    return NULL;
}

/* Create a new file named like ".BASE.XXXXXXXX" (8 random hex digits) in the
 * directory DIRFD for writing, never following or reusing an existing name:
 * O_CREAT|O_EXCL|O_NOFOLLOW, so a file or symlink planted under a guessed
 * name is an EEXIST and another try, not a file we write through.  The
 * name goes to TMP.  fd or -1 with errno. */
static int tmp_create(int dirfd, const char *base, int mode, char *tmp, size_t tmpsz)
{
    for (int tries = 0; tries < 32; tries++) {
        uint32_t r;
        int fd;

        if (getentropy(&r, sizeof r) < 0)
            return -1;
        if (snprintf(tmp, tmpsz, ".%s.%08" PRIx32, base, r) >= (int)tmpsz) {
            errno = ENAMETOOLONG;
            return -1;
        }
        fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    (mode_t)mode);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    errno = EEXIST;
    return -1;
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Root writing into a directory another user owns (report --out ~alice/x)
 * acts as that user for the create and the rename, so nothing that user
 * planted there can make root write or replace a file it could not.  Sets
 * *SWITCHED when it changed the effective ids.  0 or -1 with errno. */
static int become_dir_owner(int dfd, int *switched)
{
    struct stat st;

    *switched = 0;
    if (geteuid() != 0 || fstat(dfd, &st) < 0 || st.st_uid == 0)
        return 0;
    if (setegid(st.st_gid) < 0)
        return -1;
    if (seteuid(st.st_uid) < 0) {
        int e = errno;
        if (setegid(0) < 0)
            abort();    /* euid is still 0: cannot fail */
        errno = e;
        return -1;
    }
    *switched = 1;
    return 0;
}

static void back_to_root(int switched)
{
    int e = errno;

    if (switched && (seteuid(0) < 0 || setegid(0) < 0))
        abort();        /* half a privilege switch is no state to go on in */
    errno = e;
}

int hr_write_file_atomic(const char *path, const void *data, size_t len, int mode)
{
    char dir[PATH_MAX], name[PATH_MAX], tmp[NAME_MAX + 1];
    const char *base;
    int dfd, fd = -1, e, switched;

    /* Everything happens relative to one descriptor of the directory, so
     * the directory cannot be swapped under us between the steps. */
    if (hr_strlcpy(dir, path, sizeof dir) >= sizeof dir ||
        hr_strlcpy(name, path, sizeof name) >= sizeof name) {
        errno = ENAMETOOLONG;
        return -1;
    }
    base = basename(name);
    if (!*base || strcmp(base, "/") == 0 || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        errno = EISDIR;
        return -1;
    }
    dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -1;
    if (become_dir_owner(dfd, &switched) < 0) {
        e = errno;
        close(dfd);
        errno = e;
        return -1;
    }
    fd = tmp_create(dfd, base, mode, tmp, sizeof tmp);
    if (fd < 0) {
        e = errno;
        back_to_root(switched);
        close(dfd);
        errno = e;
        return -1;
    }
    if (write_all(fd, data, len) < 0 || fsync(fd) < 0)
        goto fail;
    if (close(fd) < 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    /* rename() replaces a symlink at BASE itself, never its target */
    if (renameat(dfd, tmp, dfd, base) < 0)
        goto fail;
    back_to_root(switched);
    fsync(dfd);
    close(dfd);
    return 0;
fail:
    e = errno;
    if (fd >= 0)
        close(fd);
    unlinkat(dfd, tmp, 0);
    back_to_root(switched);
    close(dfd);
    errno = e;
    return -1;
}

/* ---- secrets ---- */

#define SECRET_MAX 1024

int hr_secret_open(const char *path, struct stat *stp, char *err, size_t errsz)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

    if (fd < 0) {
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errsz, "%s: not a regular file", path);
        close(fd);
        return -1;
    }
    /* a secret others may read is no secret; one they may write is theirs */
    if (st.st_mode & (S_IROTH | S_IWOTH)) {
        snprintf(err, errsz, "%s: accessible by others (mode %03o): refused; chmod 600 it",
                 path, (unsigned)(st.st_mode & 0777));
        close(fd);
        return -1;
    }
    if (stp)
        *stp = st;
    return fd;
}

char *hr_secret_file(const char *path, struct stat *st, char *err, size_t errsz)
{
    char buf[SECRET_MAX + 1], *s;
    size_t n = 0;
    int fd = hr_secret_open(path, st, err, errsz);

    if (fd < 0)
        return NULL;
    while (n < SECRET_MAX) {
        ssize_t r = read(fd, buf + n, SECRET_MAX - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(err, errsz, "%s: %s", path, strerror(errno));
            close(fd);
            explicit_bzero(buf, sizeof buf);
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    if (!buf[0]) {
        snprintf(err, errsz, "%s: empty first line", path);
        return NULL;
    }
    s = strdup(buf);
    explicit_bzero(buf, sizeof buf);
    if (!s)
        snprintf(err, errsz, "out of memory");
    return s;
}

char *hr_secret_prompt(const char *prompt, char *err, size_t errsz)
{
    struct termios old, quiet;
    char buf[SECRET_MAX + 1], *s = NULL;
    FILE *tty;
    int fd;

    /* interactive: standard input is a terminal, and we have one to ask on */
    if (!isatty(STDIN_FILENO) || (fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
        snprintf(err, errsz, "not interactive");
        return NULL;
    }
    tty = fdopen(fd, "r+");
    if (!tty) {
        close(fd);
        snprintf(err, errsz, "/dev/tty: %s", strerror(errno));
        return NULL;
    }
    if (tcgetattr(fd, &old) < 0) {
        snprintf(err, errsz, "/dev/tty: %s", strerror(errno));
        fclose(tty);
        return NULL;
    }
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
    quiet.c_lflag |= ICANON;
    /* echo off first, then the prompt: an answer typed after the prompt
     * is never flushed away, nor echoed */
    if (tcsetattr(fd, TCSAFLUSH, &quiet) < 0) {
        snprintf(err, errsz, "/dev/tty: %s", strerror(errno));
        fclose(tty);
        return NULL;
    }
    fputs(prompt, tty);
    fflush(tty);
    if (fgets(buf, sizeof buf, tty)) {
        buf[strcspn(buf, "\r\n")] = '\0';
        s = buf[0] ? strdup(buf) : NULL;
        if (!s)
            snprintf(err, errsz, "%s", buf[0] ? "out of memory" : "nothing entered");
    } else {
        snprintf(err, errsz, "no answer (end of input)");
    }
    tcsetattr(fd, TCSAFLUSH, &old);
    fputs("\n", tty);
    explicit_bzero(buf, sizeof buf);
    fclose(tty);
    return s;
}

void hr_secret_free(char *s)
{
    if (!s)
        return;
    explicit_bzero(s, strlen(s));
    free(s);
}

int hr_mkdirs(const char *path, int mode)
{
    char buf[PATH_MAX];
    size_t n = hr_strlcpy(buf, path, sizeof buf);

    if (n >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, (mode_t)mode) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, (mode_t)mode) < 0 && errno != EEXIST)
        return -1;
    return 0;
}

static int rmtree_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    remove(path);
    return 0;
}

void hr_rmtree(const char *dir)
{
    nftw(dir, rmtree_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int hr_parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;

    if (!s || !*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int hr_parse_size(const char *s, uint64_t *out)
{
    static const struct { const char *u; double m; } units[] = {
        { "", 1 }, { "B", 1 },
        { "K", 1024.0 }, { "KiB", 1024.0 }, { "KB", 1e3 }, { "kB", 1e3 },
        { "M", 1048576.0 }, { "MiB", 1048576.0 }, { "MB", 1e6 },
        { "G", 1073741824.0 }, { "GiB", 1073741824.0 }, { "GB", 1e9 },
        { "T", 1099511627776.0 }, { "TiB", 1099511627776.0 }, { "TB", 1e12 },
        { "P", 1125899906842624.0 }, { "PiB", 1125899906842624.0 }, { "PB", 1e15 },
    };
    char *end;
    double v;

    if (!s)
        return -1;
    while (isspace((unsigned char)*s))
        s++;
    if (!isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s)
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    for (size_t i = 0; i < HR_ARRAY_LEN(units); i++) {
        if (strcmp(end, units[i].u) == 0) {
            double r = v * units[i].m;
            if (r >= 18446744073709551616.0)
                return -1;
            *out = (uint64_t)r;
            return 0;
        }
    }
    return -1;
}

int hr_parse_num(const char *s, long long min, long long max, long long *out,
                 const char **errstr)
{
    const char *dummy;
    char *end;
    long long v;

    if (!errstr)
        errstr = &dummy;
    *errstr = "invalid";
    /* strtoll skips leading blanks and takes "+"; a number here is bare. */
    if (!s || !*s || !(isdigit((unsigned char)*s) || (*s == '-' && isdigit((unsigned char)s[1]))))
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (*end)
        return -1;
    if ((errno == ERANGE && v == LLONG_MIN) || v < min) {
        *errstr = "too small";
        return -1;
    }
    if ((errno == ERANGE && v == LLONG_MAX) || v > max) {
        *errstr = "too large";
        return -1;
    }
    *errstr = NULL;
    *out = v;
    return 0;
}

/* N digits at S into *V; 0 or -1. */
static int digits(const char *s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        *v = *v * 10 + (s[i] - '0');
    }
    return 0;
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil); no timegm, no TZ. */
static long long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

/* "YYYY-MM-DD" at the start of S (exactly 10 characters). */
static int parse_ymd(const char *s, long long *days)
{
    static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int y, m, d;

    if (digits(s, 4, &y) < 0 || s[4] != '-' || digits(s + 5, 2, &m) < 0 || s[7] != '-' ||
        digits(s + 8, 2, &d) < 0)
        return -1;
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && is_leap(y)))
        return -1;
    *days = days_from_civil(y, m, d);
    return 0;
}

int hr_parse_date(const char *s, time_t *out)
{
    long long days;

    if (!s || strlen(s) != 10 || parse_ymd(s, &days) < 0)
        return -1;
    *out = (time_t)(days * 86400);
    return 0;
}

int hr_parse_time(const char *s, int64_t *out)
{
    long long days, v;
    int h, mi, sec = 0;
    size_t n;

    if (!s)
        return -1;
    if (*s == '@' || (*s >= '0' && *s <= '9' && strspn(s, "0123456789") == strlen(s))) {
        if (hr_parse_num(s + (*s == '@'), 0, (long long)1 << 40, &v, NULL) < 0)
            return -1;
        *out = v;
        return 0;
    }
    n = strlen(s);
    if (n == 10) {
        if (parse_ymd(s, &days) < 0)
            return -1;
        *out = days * 86400;
        return 0;
    }
    if ((n != 16 && n != 19) || parse_ymd(s, &days) < 0 || (s[10] != 'T' && s[10] != ' ') ||
        digits(s + 11, 2, &h) < 0 || s[13] != ':' || digits(s + 14, 2, &mi) < 0 || h > 23 ||
        mi > 59)
        return -1;
    if (n == 19 && (s[16] != ':' || digits(s + 17, 2, &sec) < 0 || sec > 59))
        return -1;
    *out = days * 86400 + h * 3600 + mi * 60 + sec;
    return 0;
}

double hr_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

time_t hr_now(void)
{
    static int read;
    static time_t fixed = (time_t)-1;

    if (!read) {
        const char *e = getenv("HEADROOM_NOW");
        int64_t t;
        read = 1;
        if (e && *e) {
            if (hr_parse_time(e, &t) == 0)
                fixed = (time_t)t;
            else
                log_warnx("HEADROOM_NOW: '%s' is not a time (YYYY-MM-DD[THH:MM[:SS]] or "
                          "@EPOCH); using the real clock", e);
        }
    }
    return fixed != (time_t)-1 ? fixed : time(NULL);
}

int hr_parse_bool(const char *s)
{
    static const char *const yes[] = { "yes", "1", "true", "on" };
    static const char *const no[] = { "no", "0", "false", "off" };

    for (size_t i = 0; s && i < HR_ARRAY_LEN(yes); i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return 1;
        if (strcasecmp(s, no[i]) == 0)
            return 0;
    }
    return -1;
}

int hr_opt_num(const char *opt, const char *s, long long lo, long long hi, long long *out)
{
    if (hr_parse_num(s, lo, hi, out, NULL) == 0)
        return 0;
    log_warnx("%s: '%s' is not a number from %lld to %lld", opt, s, lo, hi);
    return -1;
}
