/* hr_util.h: small helpers shared by every headroom program. */
#ifndef HR_UTIL_H
#define HR_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>

#define HR_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- strings from untrusted sources (sysfs, SNMP agents, CSV files) ---- */

/* Copy SRC (SRCLEN bytes, NULs allowed) to DST as a printable UTF-8 C string
 * of at most DSTSZ-1 bytes: bytes that are not valid UTF-8 and control
 * characters (C0 including CR, LF, TAB and NUL; DEL; C1) each become U+FFFD,
 * and so does each invisible character that changes how the text around
 * it reads (Unicode format characters: U+202E and the other direction
 * overrides, zero-width characters, the BOM; U+2028, U+2029), leading and
 * trailing blanks are removed, and truncation never splits a character.  Returns the length written.  DSTSZ must be at least 1. */
size_t hr_sanitize(char *dst, size_t dstsz, const void *src, size_t srclen);

/* Nonzero if S (LEN bytes) is valid UTF-8 with no control or format
 * characters (what hr_sanitize would change, blanks aside). */
int hr_is_clean_utf8(const void *s, size_t len);

/* strlcpy semantics: always terminates, returns strlen(src). */
size_t hr_strlcpy(char *dst, const char *src, size_t dstsz);

/* Make the array *VP (a pointer to the array's pointer) hold at least
 * NEED elements of ELSIZE bytes: nothing if *CAP already does, else
 * realloc to the capacity doubled (16 the first time) until it does.  0,
 * or -1 with errno ENOMEM and the array as it was. */
int hr_array_grow(void *vp, size_t *cap, size_t need, size_t elsize);

/* Remove leading and trailing white space in place; returns S. */
char *hr_trim(char *s);

/* ---- files ---- */

/* Read at most MAXLEN bytes of PATH into a malloc'd NUL-terminated buffer
 * (the file may hold NULs; *LEN gets the byte count).  NULL with errno set
 * on failure. */
char *hr_read_file(const char *path, size_t maxlen, size_t *len);

/* Read PATH, a regular file such as a /proc or sysfs file (which report
 * size 0), into a malloc'd NUL-terminated buffer: opened without blocking
 * (a FIFO or device where a sysfs attribute should be is refused with
 * EINVAL, not waited on) and read to its end.  More than MAXLEN bytes is
 * refused with EFBIG (HR_READ_WHOLE: a table whose cut line would read as
 * another number), or cut at MAXLEN (HR_READ_CUT: a string attribute,
 * sanitized and cut anyway).  NULL with errno. */
enum hr_read_mode { HR_READ_WHOLE, HR_READ_CUT };
char *hr_read_regular(const char *path, size_t maxlen, enum hr_read_mode mode, size_t *len);

/* Replace PATH atomically with DATA: create a new temporary file with an
 * unpredictable name next to it (O_EXCL|O_NOFOLLOW, relative to one
 * descriptor of the directory), write, fsync, rename over PATH (a symlink
 * at PATH is replaced, not followed), fsync the directory.  MODE (less the
 * umask) for the new file.  Run as root in a directory another user owns,
 * it creates and renames as that user (effective ids, restored after).
 * 0 or -1 with errno. */
int hr_write_file_atomic(const char *path, const void *data, size_t len, int mode);

/* ---- secrets (communities, passphrases) kept off the command line ---- */

/* Open PATH for reading a secret: a regular file (not followed if a
 * symlink, not waited on if a FIFO) that others can neither read nor
 * write (mode bits 007 set: refused).  The descriptor, its status into *ST
 * (may be NULL); -1 with "PATH: why" in ERR. */
int hr_secret_open(const char *path, struct stat *st, char *err, size_t errsz);

/* The first line of PATH, opened by hr_secret_open (its status into *ST,
 * may be NULL).  malloc'd, free with hr_secret_free; NULL with "PATH:
 * why" in ERR. */
char *hr_secret_file(const char *path, struct stat *st, char *err, size_t errsz);

/* Ask for a secret on the terminal, echo off (termios; not the obsolete
 * getpass(3)), when standard input is a terminal.  malloc'd, or NULL with
 * a message in ERR ("not interactive", "nothing entered" ...). */
char *hr_secret_prompt(const char *prompt, char *err, size_t errsz);

/* Wipe and free a secret; NULL is a no-op. */
void hr_secret_free(char *s);

/* mkdir -p with MODE for created components.  0 or -1 with errno. */
int hr_mkdirs(const char *path, int mode);
/* rm -rf: DIR and everything under it, symlinks removed, never followed.
 * Best effort; a missing DIR is fine. */
void hr_rmtree(const char *dir);

/* ---- numbers ---- */

/* Parse an unsigned decimal 64-bit integer, the whole string, no sign.
 * 0 on success, -1 on anything else (empty, junk, overflow). */
int hr_parse_u64(const char *s, uint64_t *out);

/* Parse a size with an optional binary or decimal unit: "512", "4KiB",
 * "4 KiB", "2MB", "1.5TiB", "8T" (bare letters are binary: K=2^10 ...).
 * 0 or -1. */
int hr_parse_size(const char *s, uint64_t *out);

/* Parse a decimal integer, the whole string, in [MIN, MAX] (strtonum(3)
 * semantics: no atoi).  0, or -1 with *ERRSTR (if not NULL) set to
 * "invalid", "too small" or "too large". */
int hr_parse_num(const char *s, long long min, long long max, long long *out,
                 const char **errstr);

/* "yes", "1", "true", "on" -> 1; "no", "0", "false", "off" -> 0 (any
 * case); anything else -1. */
int hr_parse_bool(const char *s);

/* A command-line number: hr_parse_num, and on failure one log line
 * "OPT: 'S' is not a number from LO to HI".  0 or -1. */
int hr_opt_num(const char *opt, const char *s, long long lo, long long hi, long long *out);

/* ---- dates and the clock ---- */

/* Parse a calendar date "YYYY-MM-DD" (UTC midnight into *OUT).  Only real
 * dates: 2026-02-31 and 2026-2-3 are refused.  0 or -1. */
int hr_parse_date(const char *s, time_t *out);

/* Parse Unix seconds ("1700000000" or "@1700000000"), "YYYY-MM-DD",
 * "YYYY-MM-DDTHH:MM[:SS]" or "YYYY-MM-DD HH:MM[:SS]" (UTC).  The one time
 * parser of every --at, --since and $HEADROOM_NOW.  0 or -1. */
int hr_parse_time(const char *s, int64_t *out);

/* Now, in seconds since the epoch.  $HEADROOM_NOW (any form hr_parse_time
 * takes) fixes the clock, so tests can step days and seconds without
 * sleeping; read once per process.  Never set it in production. */
time_t hr_now(void);

/* A monotonic clock in milliseconds, for budgets and durations. */
double hr_mono_ms(void);

#include "log.h"

#endif
