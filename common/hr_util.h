/* hr_util.h: small helpers shared by every headroom program. */
#ifndef HR_UTIL_H
#define HR_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <syslog.h>

#define HR_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- strings from untrusted sources (sysfs, SNMP agents, CSV files) ---- */

/* Copy SRC (SRCLEN bytes, NULs allowed) to DST as a printable UTF-8 C string
 * of at most DSTSZ-1 bytes: bytes that are not valid UTF-8 and control
 * characters (C0 including CR, LF, TAB and NUL; DEL; C1) each become U+FFFD,
 * leading and trailing blanks are removed, and truncation never splits a
 * character.  Returns the length written.  DSTSZ must be at least 1. */
size_t hr_sanitize(char *dst, size_t dstsz, const void *src, size_t srclen);

/* Nonzero if S (LEN bytes) is valid UTF-8 with no control characters. */
int hr_is_clean_utf8(const void *s, size_t len);

/* strlcpy semantics: always terminates, returns strlen(src). */
size_t hr_strlcpy(char *dst, const char *src, size_t dstsz);

/* Remove leading and trailing white space in place; returns S. */
char *hr_trim(char *s);

/* ---- files ---- */

/* Read at most MAXLEN bytes of PATH into a malloc'd NUL-terminated buffer
 * (the file may hold NULs; *LEN gets the byte count).  NULL with errno set
 * on failure. */
char *hr_read_file(const char *path, size_t maxlen, size_t *len);

/* Replace PATH atomically with DATA: write PATH.tmp.PID, fsync, rename,
 * fsync the directory.  MODE for a new file.  0 or -1 with errno. */
int hr_write_file_atomic(const char *path, const void *data, size_t len, int mode);

/* mkdir -p with MODE for created components.  0 or -1 with errno. */
int hr_mkdirs(const char *path, int mode);

/* ---- numbers ---- */

/* Parse an unsigned decimal 64-bit integer, the whole string, no sign.
 * 0 on success, -1 on anything else (empty, junk, overflow). */
int hr_parse_u64(const char *s, uint64_t *out);

/* Parse a size with an optional binary or decimal unit: "512", "4KiB",
 * "4 KiB", "2MB", "1.5TiB", "8T" (bare letters are binary: K=2^10 ...).
 * 0 or -1. */
int hr_parse_size(const char *s, uint64_t *out);

/* ---- logging ---- */

/* Log to stderr (the default) or to syslog.  Messages below LEVEL (a syslog
 * priority; LOG_INFO by default) are dropped. */
void hr_log_init(const char *ident, int use_syslog, int level);
void hr_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hr_vlog(int prio, const char *fmt, va_list ap);
/* Parse a level name ("debug", "info", "notice", "warning", "err", ...). */
int hr_log_level(const char *name);

#endif
