/* log.c: the one log module; see log.h. */
#include "log.h"
#include "hr_util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *log_ident = "headroom";
static int log_syslog;
static int log_level = LOG_NOTICE;

void log_init(const char *ident, int use_syslog, int level)
{
    log_ident = ident;
    log_syslog = use_syslog;
    log_level = level;
    if (use_syslog)
        openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void hr_vlog(int prio, const char *fmt, va_list ap)
{
    static const char *names[] = { "emerg", "alert", "crit", "error",
                                   "warning", "notice", "info", "debug" };
    if (prio > log_level)
        return;
    if (log_syslog) {
        vsyslog(prio, fmt, ap);
        return;
    }
    fprintf(stderr, "%s: %s: ", log_ident, names[prio & 7]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void hr_log(int prio, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    hr_vlog(prio, fmt, ap);
    va_end(ap);
}

/* log_warn: the message, then ": strerror(errno)" of the errno at entry. */
void log_warn(const char *fmt, ...)
{
    int saved = errno;
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    hr_log(LOG_ERR, "%s: %s", msg, strerror(saved));
    errno = saved;
}

#define LOG_AT(name, prio)                                                     \
    void name(const char *fmt, ...)                                            \
    {                                                                          \
        va_list ap;                                                            \
        va_start(ap, fmt);                                                     \
        hr_vlog(prio, fmt, ap);                                                \
        va_end(ap);                                                            \
    }
LOG_AT(log_warnx, LOG_ERR)
LOG_AT(log_notice, LOG_NOTICE)
LOG_AT(log_info, LOG_INFO)
LOG_AT(log_debug, LOG_DEBUG)

int hr_log_level(const char *name)
{
    static const struct { const char *n; int l; } lv[] = {
        { "emerg", LOG_EMERG }, { "alert", LOG_ALERT }, { "crit", LOG_CRIT },
        { "err", LOG_ERR }, { "error", LOG_ERR }, { "warning", LOG_WARNING },
        { "warn", LOG_WARNING }, { "notice", LOG_NOTICE }, { "info", LOG_INFO },
        { "debug", LOG_DEBUG },
    };
    for (size_t i = 0; i < HR_ARRAY_LEN(lv); i++)
        if (strcasecmp(name, lv[i].n) == 0)
            return lv[i].l;
    return -1;
}
