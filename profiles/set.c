/* set.c: the set of profiles loaded from the shipped and local directories,
 * and the one list of placeholder serials. */
#include "profile.h"
#include "hr_buf.h"
#include "hr_util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct hr_profile_set {
    struct hr_profile **v;
    size_t n;
};

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The "*.profile" names of DIR, sorted; *N their count.  NULL with *N = 0
 * for a directory that does not exist; NULL with errno for other errors. */
static char **dir_list(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **v = NULL;

    *n = 0;
    if (!d) {
        if (errno == ENOENT)
            errno = 0;
        return NULL;
    }
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len <= 8 || e->d_name[0] == '.' || strcmp(e->d_name + len - 8, ".profile") != 0)
            continue;
        char **nv = realloc(v, (*n + 1) * sizeof *v);
        if (!nv || !(nv[*n] = strdup(e->d_name))) {
            v = nv ? nv : v;
            goto out_nomem;
        }
        v = nv;
        (*n)++;
    }
    closedir(d);
    if (*n)
        qsort(v, *n, sizeof *v, by_name);
    return v;
out_nomem:
    closedir(d);
    for (size_t i = 0; i < *n; i++)
        free(v[i]);
    free(v);
    *n = 0;
    errno = ENOMEM;
    return NULL;
}

static ssize_t set_index(const struct hr_profile_set *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i]->name, name) == 0)
            return (ssize_t)i;
    return -1;
}

/* Depth-first search for a `uses` cycle through profile I; STATE: 0 new,
 * 1 on the path, 2 done.  Nonzero on a cycle (reported). */
static int find_cycle(const struct hr_profile_set *s, size_t i, int *state, struct hr_buf *errs)
{
    const struct hr_profile *p = s->v[i];

    if (state[i] == 2)
        return 0;
    if (state[i] == 1) {
        hr_buf_printf(errs, "%s: profile %s uses itself through other profiles\n", p->path,
                      p->name);
        return 1;
    }
    state[i] = 1;
    for (size_t k = 0; k < p->nuses; k++) {
        ssize_t j = set_index(s, p->uses[k]);
        if (j >= 0 && find_cycle(s, (size_t)j, state, errs))
            return 1;
    }
    state[i] = 2;
    return 0;
}

struct hr_profile_set *hr_profile_set_load_path(const char *dirs, char **errs)
{
    const char *v[16];
    char *copy = strdup(dirs ? dirs : ""), *save = NULL;
    struct hr_profile_set *s;
    size_t n = 0;

    if (errs)
        *errs = NULL;
    if (!copy)
        return NULL;
    for (char *t = strtok_r(copy, ":", &save); t && n < HR_ARRAY_LEN(v);
         t = strtok_r(NULL, ":", &save))
        v[n++] = t;
    s = hr_profile_set_load(v, n, errs);
    free(copy);
    return s;
}

struct hr_profile_set *hr_profile_set_load(const char *const *dirs, size_t ndirs, char **errs)
{
    struct hr_profile_set *s = calloc(1, sizeof *s);
    struct hr_buf eb = { 0 };
    int bad = 0;

    if (errs)
        *errs = NULL;
    if (!s)
        return NULL;
    for (size_t d = 0; d < ndirs; d++) {
        size_t n;
        char **names = dir_list(dirs[d], &n);
        size_t first_of_dir = s->n;
        if (!names && errno) {
            hr_buf_printf(&eb, "%s: %s\n", dirs[d], strerror(errno));
            bad = 1;
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            struct hr_buf path = { 0 };
            char *perrs = NULL, *pp;
            struct hr_profile *p;
            hr_buf_printf(&path, "%s/%s", dirs[d], names[i]);
            pp = hr_buf_take(&path);
            p = pp ? hr_profile_load(pp, &perrs) : NULL;
            free(pp);
            free(names[i]);
            if (!p) {
                hr_buf_puts(&eb, perrs ? perrs : "out of memory\n");
                free(perrs);
                bad = 1;
                continue;
            }
            ssize_t j = set_index(s, p->name);
            if (j >= (ssize_t)first_of_dir) {
                hr_buf_printf(&eb, "%s: profile %s is also defined in %s\n", p->path, p->name,
                              s->v[j]->path);
                hr_profile_free(p);
                bad = 1;
            } else if (j >= 0) {
                /* A later directory (local) replaces the shipped one. */
                hr_profile_free(s->v[j]);
                s->v[j] = p;
            } else {
                struct hr_profile **nv = realloc(s->v, (s->n + 1) * sizeof *nv);
                if (!nv) {
                    hr_profile_free(p);
                    bad = 1;
                    hr_buf_puts(&eb, "out of memory\n");
                    continue;
                }
                s->v = nv;
                s->v[s->n++] = p;
            }
        }
        free(names);
    }
    for (size_t i = 0; i < s->n; i++)
        for (size_t k = 0; k < s->v[i]->nuses; k++)
            if (set_index(s, s->v[i]->uses[k]) < 0) {
                hr_buf_printf(&eb, "%s: profile %s uses '%s', which is not loaded\n",
                              s->v[i]->path, s->v[i]->name, s->v[i]->uses[k]);
                bad = 1;
            }
    if (!bad && s->n) {
        int *state = calloc(s->n, sizeof *state);
        for (size_t i = 0; state && i < s->n && !bad; i++)
            bad = find_cycle(s, i, state, &eb);
        if (!state) {
            hr_buf_puts(&eb, "out of memory\n");
            bad = 1;
        }
        free(state);
    }
    if (bad) {
        char *e = hr_buf_take(&eb);
        if (errs)
            *errs = e;
        else
            free(e);
        hr_profile_set_free(s);
        return NULL;
    }
    hr_buf_free(&eb);
    return s;
}

void hr_profile_set_free(struct hr_profile_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        hr_profile_free(s->v[i]);
    free(s->v);
    free(s);
}

size_t hr_profile_set_count(const struct hr_profile_set *s)
{
    return s ? s->n : 0;
}

const struct hr_profile *hr_profile_set_at(const struct hr_profile_set *s, size_t i)
{
    return s && i < s->n ? s->v[i] : NULL;
}

const struct hr_profile *hr_profile_set_find(const struct hr_profile_set *s, const char *name)
{
    ssize_t i = s ? set_index(s, name) : -1;
    return i >= 0 ? s->v[i] : NULL;
}

/* ---- serials ---- */

/* Values that agents serve where a serial should be but that identify
 * nothing: anonymised captures, unfilled DMI fields, vendor defaults.
 * Compared without case, after trimming blanks. */
static const char *const placeholders[] = {
    "<private>", "private", "xxxxxx", "srvtag", "n/a", "na", "none", "null", "unknown",
    "not specified", "not available", "not applicable", "to be filled by o.e.m.",
    "to be filled by oem", "default string", "system serial number", "chassis serial number",
    "serial number", "0123456789", "123456789", "1234567890", "no asset tag",
    "empty", "invalid", "-",
};

/* The length of the character at S (UTF-8 as hr_sanitize leaves it: a
 * lead byte and its continuation bytes), at least 1. */
static size_t char_len(const char *s)
{
    size_t n = 1;

    while (((unsigned char)s[n] & 0xC0) == 0x80)
        n++;
    return n;
}

/* Blank, control or U+FFFD (what hr_sanitize puts for bytes that were not
 * text): nothing a person could read. */
static int unreadable(const char *s, size_t n)
{
    unsigned char c = (unsigned char)s[0];

    return (n == 1 && (c <= 0x20 || c == 0x7f)) ||
           (n == 3 && memcmp(s, "\xEF\xBF\xBD", 3) == 0);
}

int hr_serial_is_placeholder(const char *s)
{
    size_t b = 0, e, printable = 0, first;

    if (!s)
        return 1;
    e = strlen(s);
    while (b < e && isspace((unsigned char)s[b]))
        b++;
    while (e > b && isspace((unsigned char)s[e - 1]))
        e--;
    for (size_t i = b; i < e; i += char_len(s + i))
        printable += !unreadable(s + i, char_len(s + i));
    if (printable == 0)
        return 1;
    for (size_t i = 0; i < HR_ARRAY_LEN(placeholders); i++)
        if (strlen(placeholders[i]) == e - b && strncasecmp(s + b, placeholders[i], e - b) == 0)
            return 1;
    /* One character repeated (000000, XXXXXXXX, ........, or any other
     * character of any length) is a fill. */
    first = char_len(s + b);
    for (size_t i = b + first; i < e; i += char_len(s + i)) {
        if (char_len(s + i) != first)
            return 0;
        if (first == 1 ? tolower((unsigned char)s[i]) != tolower((unsigned char)s[b])
                       : memcmp(s + i, s + b, first) != 0)
            return 0;
    }
    return 1;
}
