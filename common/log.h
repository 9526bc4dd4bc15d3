/* log.h: the one log module of every headroom program.
 *
 * Messages go to stderr as "IDENT: LEVEL: message" in the foreground, or
 * to syslog (facility daemon) when log_init was told so (--syslog,
 * 'syslog yes', a daemon).  log_warn appends ": strerror(errno)", log_warnx
 * does not (OpenBSD's log.c).  Messages below the level given to log_init
 * (LOG_NOTICE unless set) are dropped.  Formats are printf-checked.
 *
 * Usage text (--help, a usage error's synopsis) and a command's own output
 * are not log messages: they go to stdout/stderr directly.
 */
#ifndef HR_LOG_H
#define HR_LOG_H

#include <stdarg.h>
#include <syslog.h>

#define HR_PRINTF(f, a) __attribute__((format(printf, f, a)))

void log_init(const char *ident, int use_syslog, int level);

void log_warn(const char *fmt, ...) HR_PRINTF(1, 2);     /* LOG_ERR + strerror(errno) */
void log_warnx(const char *fmt, ...) HR_PRINTF(1, 2);    /* LOG_ERR */
void log_notice(const char *fmt, ...) HR_PRINTF(1, 2);   /* LOG_NOTICE */
void log_info(const char *fmt, ...) HR_PRINTF(1, 2);     /* LOG_INFO */
void log_debug(const char *fmt, ...) HR_PRINTF(1, 2);    /* LOG_DEBUG */

/* Any syslog priority (LOG_WARNING for "kept going, but look"). */
void hr_log(int prio, const char *fmt, ...) HR_PRINTF(2, 3);
void hr_vlog(int prio, const char *fmt, va_list ap);

/* Parse a level name ("debug", "info", "notice", "warning", "err", ...);
 * -1 if unknown. */
int hr_log_level(const char *name);

/* Older name of log_init. */
#define hr_log_init log_init

#endif
