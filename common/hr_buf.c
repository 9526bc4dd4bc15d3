/* hr_buf.c: a growing string buffer; see hr_buf.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* vasprintf */
#endif
#include "hr_buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hr_buf_add(struct hr_buf *b, const void *s, size_t n)
{
    if (b->oom)
        return;
    if (n > SIZE_MAX - 1 - b->len) {
        b->oom = 1;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) {
            if (cap > SIZE_MAX / 2) {
                b->oom = 1;
                return;
            }
            cap *= 2;
        }
        char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void hr_buf_puts(struct hr_buf *b, const char *s)
{
    hr_buf_add(b, s, strlen(s));
}

void hr_buf_printf(struct hr_buf *b, const char *fmt, ...)
{
    char *s = NULL;
    va_list ap;
    int n;

    if (b->oom)
        return;
    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    hr_buf_add(b, s, (size_t)n);
    free(s);
}

char *hr_buf_take(struct hr_buf *b)
{
    char *p;

    if (!b->oom && !b->p)
        hr_buf_add(b, "", 0);
    if (b->oom) {
        hr_buf_free(b);
        return NULL;
    }
    p = b->p;
    memset(b, 0, sizeof *b);
    return p;
}

void hr_buf_free(struct hr_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}
