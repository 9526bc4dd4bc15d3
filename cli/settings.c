/* hr_config.c: headroom.conf; see hr_config.h and headroom.conf(5). */
#include "hr_config.h"
#include "hr_util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef HEADROOM_DATADIR
#define HEADROOM_DATADIR "/usr/local/share"
#endif

#define PATHLEN 4096

/* The one table: the config key, its environment variable and default.
 * headroom.conf(5) and collector/headroom.conf.example list the same keys;
 * tests/ops/test_config.sh checks that the example names every one. */
static const struct hr_config_key keys[] = {
    { "db", "HEADROOM_DB", HR_CONF_STRING, 0, PATHLEN, "/var/lib/headroom/headroom.db" },
    { "rrd-dir", "HEADROOM_RRD_DIR", HR_CONF_STRING, 0, PATHLEN, "/var/lib/headroom/rrd" },
    { "rrdcached", "RRDCACHED_ADDRESS", HR_CONF_STRING, 0, PATHLEN, "" },
    { "poll-concurrency", "HEADROOM_POLL_CONCURRENCY", HR_CONF_UINT, 1, 65536, "512" },
    { "poll-timeout", "HEADROOM_POLL_TIMEOUT", HR_CONF_UINT, 10, 60000, "" },
    { "poll-retries", "HEADROOM_POLL_RETRIES", HR_CONF_UINT, 0, 10, "" },
    { "poll-budget", "HEADROOM_POLL_BUDGET", HR_CONF_UINT, 10, 600000, "10000" },
    { "poll-interval", "HEADROOM_POLL_INTERVAL", HR_CONF_UINT, 10, 86400, "300" },
    { "smtp-host", "HEADROOM_SMTP_HOST", HR_CONF_STRING, 0, 255, "" },
    { "smtp-port", "HEADROOM_SMTP_PORT", HR_CONF_UINT, 1, 65535, "25" },
    { "starttls", "HEADROOM_SMTP_STARTTLS", HR_CONF_STRING, 0, 32, "opportunistic" },
    { "smtp-user", "HEADROOM_SMTP_USER", HR_CONF_STRING, 0, 255, "" },
    { "smtp-password-file", "HEADROOM_SMTP_PASSWORD_FILE", HR_CONF_STRING, 0, PATHLEN, "" },
    { "tls-ca", "HEADROOM_SMTP_TLS_CA", HR_CONF_STRING, 0, PATHLEN, "" },
    { "maildir", "HEADROOM_MAILDIR", HR_CONF_STRING, 0, PATHLEN, "/var/lib/headroom/Maildir" },
    { "mail-from", "HEADROOM_MAIL_FROM", HR_CONF_STRING, 0, 254,
      "headroom@localhost.localdomain" },
    { "fallback-to", "HEADROOM_FALLBACK_TO", HR_CONF_STRING, 0, 254, "" },
    { "admin-cc", "HEADROOM_ADMIN_CC", HR_CONF_STRING, 0, 4096, "" },
    { "rules", "HEADROOM_RULES", HR_CONF_STRING, 0, PATHLEN,
      HEADROOM_DATADIR "/headroom/default.rules" },
    { "log-level", "HEADROOM_LOG_LEVEL", HR_CONF_STRING, 0, 16, "notice" },
    { "syslog", "HEADROOM_SYSLOG", HR_CONF_BOOL, 0, 1, "no" },
};

/* Keys that are accepted by the parser only to be refused with a useful
 * message: a password never goes into a file that is meant to be read by
 * everyone who runs headroom. */
static const struct hr_conf_key refused[] = {
    { "smtp-password", HR_CONF_STRING, HR_CONF_GLOBAL, 0, 0 },
    { "password", HR_CONF_STRING, HR_CONF_GLOBAL, 0, 0 },
};

const struct hr_config_key *hr_config_keys(size_t *n)
{
    *n = HR_ARRAY_LEN(keys);
    return keys;
}

/* Append printf(FMT, ...) to *ERRS (left as it was when out of memory). */
static void err_add_raw(char **errs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void err_add_raw(char **errs, const char *fmt, ...)
{
    size_t old;
    va_list ap;
    char *n;
    int len;

    if (!errs)
        return;
    old = *errs ? strlen(*errs) : 0;
    va_start(ap, fmt);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0 || !(n = realloc(*errs, old + (size_t)len + 1)))
        return;
    va_start(ap, fmt);
    vsnprintf(n + old, (size_t)len + 1, fmt, ap);
    va_end(ap);
    *errs = n;
}

/* Append "FILE:LINE: message\n" to *ERRS. */
static void err_add(char **errs, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void err_add(char **errs, const char *file, int line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    err_add_raw(errs, "%s:%d: %s\n", file, line, msg);
}

/* A bare address check: the subcommands check addresses fully; this one
 * only catches a value that cannot be an address at all, so the mistake
 * is reported with its line here rather than later without one. */
static int addr_plausible(const char *a)
{
    const char *at = strchr(a, '@');
    return at && at != a && at[1] && !strpbrk(a, " \t,;<>\"");
}

/* Checks the schema cannot express; each problem goes to *ERRS. */
static int check_item(const char *file, const struct hr_conf_item *it, char **errs)
{
    const char *v = it->value;

    for (size_t i = 0; i < HR_ARRAY_LEN(refused); i++)
        if (strcmp(it->key, refused[i].name) == 0) {
            err_add(errs, file, it->line, "%s: passwords do not belong in the config "
                    "file; put it in a file readable only by headroom's user and name "
                    "that file with smtp-password-file", it->key);
            return -1;
        }
    if (strcmp(it->key, "starttls") == 0 && strcasecmp(v, "required") != 0 &&
        strcasecmp(v, "opportunistic") != 0 && strcasecmp(v, "off") != 0) {
        err_add(errs, file, it->line, "starttls: '%s' is not required, opportunistic or off", v);
        return -1;
    }
    if (strcmp(it->key, "log-level") == 0 && hr_log_level(v) < 0) {
        err_add(errs, file, it->line, "log-level: '%s' is not one of debug, info, notice, "
                "warning, err", v);
        return -1;
    }
    if ((strcmp(it->key, "mail-from") == 0 || strcmp(it->key, "fallback-to") == 0) &&
        !addr_plausible(v)) {
        err_add(errs, file, it->line, "%s: '%s' is not a mail address", it->key, v);
        return -1;
    }
    if (strcmp(it->key, "admin-cc") == 0) {
        char *copy = strdup(v), *save = NULL;
        int bad = 0;
        if (!copy)
            return -1;
        for (char *t = strtok_r(copy, " ,", &save); t && !bad; t = strtok_r(NULL, " ,", &save))
            if (!addr_plausible(t)) {
                err_add(errs, file, it->line, "admin-cc: '%s' is not a mail address", t);
                bad = 1;
            }
        free(copy);
        return bad ? -1 : 0;
    }
    return 0;
}

/* Parse PATH; NULL with *RC set (1 absent, -1 unreadable, -2 errors). */
static struct hr_conf *load(const char *path, int required, int *rc, char **errs)
{
    struct hr_conf_key schema_keys[HR_ARRAY_LEN(keys) + HR_ARRAY_LEN(refused)];
    static const char *const no_sections[] = { NULL };
    struct hr_conf_schema schema = { schema_keys, 0, no_sections };
    const struct hr_conf_section *g;
    struct hr_conf *conf;
    struct stat st;
    int bad = 0;

    for (size_t i = 0; i < HR_ARRAY_LEN(keys); i++)
        schema_keys[schema.nkeys++] = (struct hr_conf_key){ keys[i].key, keys[i].kind,
                                                            HR_CONF_GLOBAL, keys[i].min,
                                                            keys[i].max };
    for (size_t i = 0; i < HR_ARRAY_LEN(refused); i++)
        schema_keys[schema.nkeys++] = refused[i];

    if (stat(path, &st) < 0) {
        int e = errno;
        *rc = e == ENOENT && !required ? 1 : -1;
        if (*rc < 0 && errs)
            err_add_raw(errs, "%s: %s\n", path, strerror(e));
        errno = e;
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        if (errs)
            err_add_raw(errs, "%s: not a regular file\n", path);
        *rc = -1;
        errno = EINVAL;
        return NULL;
    }
    conf = hr_conf_load(path, &schema, errs);
    if (!conf) {
        /* Unreadable (errno set by hr_conf_load), or errors in the text. */
        int e = errno;
        *rc = access(path, R_OK) == 0 ? -2 : -1;
        errno = e;
        return NULL;
    }
    g = hr_conf_section_find(conf, NULL, NULL);
    for (size_t i = 0; g && i < g->nitems; i++)
        if (check_item(path, &g->items[i], errs) < 0)
            bad = 1;
    if (bad) {
        hr_conf_free(conf);
        *rc = -2;
        return NULL;
    }
    /* Whoever can write it can point the poller at another database or
     * make headroom mail through their server. */
    if (stat(path, &st) == 0 && (st.st_mode & S_IWOTH))
        hr_log(LOG_WARNING, "%s is world-writable: anyone on this machine can change "
               "headroom's settings (chmod o-w)", path);
    *rc = 0;
    return conf;
}

int hr_config_check(const char *path, char **errs)
{
    int rc;
    struct hr_conf *conf = load(path, 1, &rc, errs);

    hr_conf_free(conf);
    return rc;
}

int hr_config_apply(const char *path, int required, enum hr_config_src *src, char **errs)
{
    const struct hr_conf_section *g;
    struct hr_conf *conf;
    int rc;

    if (src)
        for (size_t i = 0; i < HR_ARRAY_LEN(keys); i++) {
            const char *e = getenv(keys[i].env);
            src[i] = e ? HR_CONFIG_ENV : HR_CONFIG_UNSET;
        }
    conf = load(path, required, &rc, errs);
    if (!conf)
        return rc;
    g = hr_conf_section_find(conf, NULL, NULL);
    for (size_t i = 0; i < HR_ARRAY_LEN(keys); i++) {
        const struct hr_conf_item *it = hr_conf_item_find(g, keys[i].key);
        if (!it || getenv(keys[i].env))
            continue;
        /* Booleans reach the environment in one spelling. */
        const char *v = keys[i].kind == HR_CONF_BOOL ? (it->num ? "yes" : "no") : it->value;
        if (setenv(keys[i].env, v, 0) < 0) {
            err_add(errs, path, it->line, "%s: %s", keys[i].env, strerror(errno));
            hr_conf_free(conf);
            return -1;
        }
        if (src)
            src[i] = HR_CONFIG_FILE;
    }
    hr_conf_free(conf);
    return 0;
}

void hr_config_defaults(enum hr_config_src *src)
{
    for (size_t i = 0; i < HR_ARRAY_LEN(keys); i++) {
        /* Only the rules path depends on where headroom is installed;
         * every other default lives in the module that uses it. */
        if (strcmp(keys[i].key, "rules") != 0 || getenv(keys[i].env))
            continue;
        if (setenv(keys[i].env, keys[i].def, 0) == 0 && src)
            src[i] = HR_CONFIG_DEFAULT;
    }
}
