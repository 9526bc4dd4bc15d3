/* hr_buf.h: a growing string buffer.  An allocation failure latches: later
 * appends do nothing and hr_buf_take reports it once at the end, so
 * builders need not check every append. */
#ifndef HR_BUF_H
#define HR_BUF_H

#include <stddef.h>

struct hr_buf {
    char *p;        /* NUL-terminated once anything was added */
    size_t len, cap;
    int oom;        /* an allocation failed */
};

/* Append N bytes of S (NULs allowed). */
void hr_buf_add(struct hr_buf *b, const void *s, size_t n);
/* Append the C string S. */
void hr_buf_puts(struct hr_buf *b, const char *s);
void hr_buf_printf(struct hr_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the contents over as a malloc'd string ("" if nothing was added)
 * and empty B; NULL (and B emptied) if an allocation failed. */
char *hr_buf_take(struct hr_buf *b);
void hr_buf_free(struct hr_buf *b);

#endif
