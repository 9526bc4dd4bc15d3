/* devdb.c: device records and the state file; see devdb.h.
 *
 * State file format (text, one record per line, version in the header):
 *
 *     headroomd-state 1
 *     next-index 5
 *     dev INDEX DAY CMAX PREV SUM WINDOWS REG KEY
 *
 * DAY is a load_daykey() value or "-"; REG and KEY are percent-encoded
 * (every byte outside printable ASCII, and '%', becomes %XX), REG "-" when
 * empty.  Blank lines and lines starting with '#' are ignored.
 */
#include "devdb.h"
#include "hr_util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define STATE_MAX (16 * 1024 * 1024)

void devdb_init(struct devdb *db)
{
    memset(db, 0, sizeof *db);
    db->next_index = 1;
}

void devdb_clear(struct devdb *db)
{
    for (size_t i = 0; i < db->n; i++)
        free(db->recs[i]);
    free(db->recs);
    devdb_init(db);
}

void devdb_key(const struct disk_info *d, char *key, size_t sz)
{
    if (d->serial[0])
        hr_strlcpy(key, d->serial, sz);
    else
        snprintf(key, sz, "name:%s", d->name);
}

struct dev_rec *devdb_find(const struct devdb *db, const char *key)
{
    for (size_t i = 0; i < db->n; i++)
        if (strcmp(db->recs[i]->key, key) == 0)
            return db->recs[i];
    return NULL;
}

struct dev_rec *devdb_find_index(const struct devdb *db, uint32_t index)
{
    for (size_t i = 0; i < db->n; i++)
        if (db->recs[i]->index == index)
            return db->recs[i];
    return NULL;
}

static struct dev_rec *add_rec(struct devdb *db, const char *key, uint32_t index)
{
    struct dev_rec **nv, *r;

    nv = realloc(db->recs, (db->n + 1) * sizeof *nv);
    if (!nv)
        return NULL;
    db->recs = nv;
    r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->index = index;
    hr_strlcpy(r->key, key, sizeof r->key);
    load_init(&r->load);
    db->recs[db->n++] = r;
    return r;
}

struct dev_rec *devdb_get(struct devdb *db, const char *key)
{
    struct dev_rec *r = devdb_find(db, key);

    if (r)
        return r;
    if (db->next_index == 0)              /* wrapped: 4294967295 devices seen */
        return NULL;
    r = add_rec(db, key, db->next_index);
    if (r)
        db->next_index++;
    return r;
}

/* ---- the text format ---- */

struct buf {
    char *s;
    size_t len, cap;
    int oom;
};

static void bprintf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void bprintf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (b->oom)
        return;
    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if (b->s && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t nc = (b->cap ? b->cap * 2 : 4096) + (size_t)n;
        char *ns = realloc(b->s, nc);
        if (!ns) {
            b->oom = 1;
            return;
        }
        b->s = ns;
        b->cap = nc;
    }
}

static void put_enc(struct buf *b, const char *s)
{
    if (!*s) {
        bprintf(b, "-");
        return;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p <= 0x20 || *p >= 0x7F || *p == '%' || (p == (const unsigned char *)s && *p == '-'))
            bprintf(b, "%%%02X", *p);
        else
            bprintf(b, "%c", *p);
    }
}

char *devdb_format(const struct devdb *db)
{
    struct buf b = { 0 };

    bprintf(&b, "# headroomd state: device indexes and daily write peaks.\n"
                "# Written by headroomd; edit only while it is stopped.\n"
                "headroomd-state %d\nnext-index %" PRIu32 "\n", DEVDB_VERSION, db->next_index);
    for (size_t i = 0; i < db->n; i++) {
        const struct dev_rec *r = db->recs[i];
        bprintf(&b, "dev %" PRIu32 " ", r->index);
        if (r->load.day == LOAD_NO_DAY)
            bprintf(&b, "-");
        else
            bprintf(&b, "%" PRId32, r->load.day);
        bprintf(&b, " %" PRIu32 " %" PRIu32 " %" PRIu64 " %" PRIu32 " ", r->load.cmax,
                r->load.prev, r->load.day_sum, r->load.day_windows);
        put_enc(&b, r->regnum);
        bprintf(&b, " ");
        put_enc(&b, r->key);
        bprintf(&b, "\n");
    }
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* Decode percent-encoded TOK into DST (SZ bytes); "-" is empty.  0 or -1. */
static int get_enc(const char *tok, char *dst, size_t sz)
{
    size_t o = 0;

    if (strcmp(tok, "-") == 0) {
        dst[0] = '\0';
        return 0;
    }
    for (const char *p = tok; *p; p++) {
        int c = (unsigned char)*p;
        if (c == '%') {
            int h = hexval(p[1]), l = h < 0 ? -1 : hexval(p[2]);
            if (l < 0)
                return -1;
            c = h * 16 + l;
            p += 2;
        }
        if (c == 0 || o + 1 >= sz)
            return -1;
        dst[o++] = (char)c;
    }
    dst[o] = '\0';
    return hr_is_clean_utf8(dst, o) ? 0 : -1;
}

static int parse_u32(const char *s, uint32_t *v)
{
    uint64_t x;

    if (hr_parse_u64(s, &x) < 0 || x > UINT32_MAX)
        return -1;
    *v = (uint32_t)x;
    return 0;
}

static int parse_day(const char *s, int32_t *v)
{
    char *end;
    long x;

    if (strcmp(s, "-") == 0) {
        *v = LOAD_NO_DAY;
        return 0;
    }
    errno = 0;
    x = strtol(s, &end, 10);
    if (errno || end == s || *end || x <= INT32_MIN || x > INT32_MAX)
        return -1;
    *v = (int32_t)x;
    return 0;
}

/* A "dev ..." line split into 10 tokens. */
static const char *parse_dev(struct devdb *db, char **t)
{
    uint32_t index;
    char key[DEVDB_KEY_SZ];
    struct dev_rec *r;
    struct load_state ls;
    char reg[DEVDB_REG_SZ];

    load_init(&ls);
    if (parse_u32(t[1], &index) < 0 || index == 0)
        return "bad index";
    if (parse_day(t[2], &ls.day) < 0)
        return "bad day";
    if (parse_u32(t[3], &ls.cmax) < 0 || parse_u32(t[4], &ls.prev) < 0 ||
        hr_parse_u64(t[5], &ls.day_sum) < 0 || parse_u32(t[6], &ls.day_windows) < 0)
        return "bad number";
    if (get_enc(t[7], reg, sizeof reg) < 0)
        return "bad registration number";
    if (get_enc(t[8], key, sizeof key) < 0 || !key[0])
        return "bad key";
    if (devdb_find(db, key))
        return "duplicate key";
    if (devdb_find_index(db, index))
        return "duplicate index";
    if (index >= db->next_index)
        return "index not below next-index";
    r = add_rec(db, key, index);
    if (!r)
        return "out of memory";
    r->load = ls;
    hr_strlcpy(r->regnum, reg, sizeof r->regnum);
    return NULL;
}

int devdb_parse(struct devdb *db, const char *text, size_t len, char *err, size_t errsz)
{
    char *copy = malloc(len + 1), *line, *end;
    int lineno = 0, seen_version = 0, seen_next = 0;
    const char *why = NULL;

    devdb_clear(db);
    if (!copy) {
        snprintf(err, errsz, "out of memory");
        return -1;
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    if (strlen(copy) != len) {
        snprintf(err, errsz, "NUL byte in file");
        free(copy);
        return -1;
    }
    for (line = copy; !why && line < copy + len; line = end + 1) {
        char *t[11], *save = NULL;
        int nt = 0;

        end = strchr(line, '\n');
        if (!end)
            end = copy + len;
        *end = '\0';
        lineno++;
        if (line[0] == '#' || line[0] == '\0')
            continue;
        for (char *tok = strtok_r(line, " ", &save); tok && nt < 11; tok = strtok_r(NULL, " ", &save))
            t[nt++] = tok;
        if (!seen_version) {
            if (nt != 2 || strcmp(t[0], "headroomd-state") != 0)
                why = "not a headroomd state file";
            else if (strcmp(t[1], "1") != 0)
                why = "unsupported state file version";
            seen_version = 1;
        } else if (nt == 2 && strcmp(t[0], "next-index") == 0 && !seen_next) {
            if (parse_u32(t[1], &db->next_index) < 0 || db->next_index == 0)
                why = "bad next-index";
            seen_next = 1;
        } else if (nt == 9 && strcmp(t[0], "dev") == 0 && seen_next) {
            why = parse_dev(db, t);
        } else {
            why = "unexpected line";
        }
    }
    if (!why && !seen_next) {
        why = "truncated (no next-index)";
        lineno++;
    }
    free(copy);
    if (why) {
        snprintf(err, errsz, "%d: %s", lineno, why);
        devdb_clear(db);
        return -1;
    }
    return 0;
}

int devdb_save(const struct devdb *db, const char *path)
{
    char *text = devdb_format(db);
    int rc;

    if (!text) {
        errno = ENOMEM;
        return -1;
    }
    rc = hr_write_file_atomic(path, text, strlen(text), 0644);
    free(text);
    return rc;
}

int devdb_load(struct devdb *db, const char *path, char *err, size_t errsz)
{
    size_t len;
    char *text;
    char why[256], aside[4096];
    struct stat st;

    devdb_clear(db);
    err[0] = '\0';
    /* A symlink, FIFO or device is nothing headroomd wrote: it is set aside
     * like a corrupt file, never opened (the directory may belong to a user
     * who planted it, and a FIFO would block the start). */
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, sizeof why, "0: not a regular file");
        goto set_aside;
    }
    text = hr_read_file(path, STATE_MAX + 1, &len);
    if (!text)
        return errno == ENOENT ? 0 : -1;
    if (len > STATE_MAX)
        snprintf(why, sizeof why, "0: larger than %d bytes", STATE_MAX);
    else if (devdb_parse(db, text, len, why, sizeof why) == 0) {
        free(text);
        return 0;
    }
    free(text);
set_aside:
    snprintf(aside, sizeof aside, "%s.corrupt-%ld", path, (long)time(NULL));
    if (rename(path, aside) < 0)
        snprintf(err, errsz, "%s:%s; could not rename it aside: %s", path, why, strerror(errno));
    else
        snprintf(err, errsz, "%s:%s; moved to %s, starting afresh", path, why, aside);
    return 1;
}
