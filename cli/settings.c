/* settings.c: headroom.conf and the typed settings; see settings.h and
 * headroom.conf(5). */
#include "settings.h"
#include "hr_util.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef HEADROOM_SYSCONFDIR
#define HEADROOM_SYSCONFDIR "/usr/local/etc"
#endif
#ifndef HEADROOM_DATADIR
#define HEADROOM_DATADIR "/usr/local/share"
#endif

#define PATHLEN 4096

/* The one table: the config key, its environment variable and default.
 * headroom.conf(5) and cli/headroom.conf.example list the same keys;
 * tests/cli/test_config.sh checks that the example names every one. */
#define S(field) offsetof(struct hr_settings, field)
static const struct hr_config_key keys[] = {
    { "db", "HEADROOM_DB", HR_CONF_STRING, 0, PATHLEN, HR_DEFAULT_DB, S(db) },
    { "rrd-dir", "HEADROOM_RRD_DIR", HR_CONF_STRING, 0, PATHLEN, HR_DEFAULT_RRD_DIR,
      S(rrd_dir) },
    { "rrdcached", "RRDCACHED_ADDRESS", HR_CONF_STRING, 0, PATHLEN, "", S(rrdcached) },
    { "poll-concurrency", "HEADROOM_POLL_CONCURRENCY", HR_CONF_UINT, 1, 65536, "512",
      S(poll_concurrency) },
    { "poll-timeout", "HEADROOM_POLL_TIMEOUT", HR_CONF_UINT, 10, 60000, "", S(poll_timeout_ms) },
    { "poll-retries", "HEADROOM_POLL_RETRIES", HR_CONF_UINT, 0, 10, "", S(poll_retries) },
    { "poll-budget", "HEADROOM_POLL_BUDGET", HR_CONF_UINT, 10, 600000, "10000",
      S(poll_budget_ms) },
    { "poll-interval", "HEADROOM_POLL_INTERVAL", HR_CONF_UINT, 10, 86400, "300",
      S(poll_interval_s) },
    { "retention-raw-days", "HEADROOM_RETENTION_RAW_DAYS", HR_CONF_UINT, 0, 36500, "14",
      S(retention_raw_days) },
    { "retention-daily-years", "HEADROOM_RETENTION_DAILY_YEARS", HR_CONF_UINT, 0, 100, "5",
      S(retention_daily_years) },
    { "smtp-host", "HEADROOM_SMTP_HOST", HR_CONF_STRING, 0, 255, "", S(smtp_host) },
    { "smtp-port", "HEADROOM_SMTP_PORT", HR_CONF_UINT, 1, 65535, "25", S(smtp_port) },
    { "starttls", "HEADROOM_SMTP_STARTTLS", HR_CONF_STRING, 0, 32, "opportunistic",
      S(starttls) },
    { "smtp-user", "HEADROOM_SMTP_USER", HR_CONF_STRING, 0, 255, "", S(smtp_user) },
    { "smtp-password-file", "HEADROOM_SMTP_PASSWORD_FILE", HR_CONF_STRING, 0, PATHLEN, "",
      S(smtp_password_file) },
    { "smtp-auth-cleartext", "HEADROOM_SMTP_AUTH_CLEARTEXT", HR_CONF_BOOL, 0, 1, "no",
      S(smtp_auth_cleartext) },
    { "tls-ca", "HEADROOM_SMTP_TLS_CA", HR_CONF_STRING, 0, PATHLEN, "", S(tls_ca) },
    { "maildir", "HEADROOM_MAILDIR", HR_CONF_STRING, 0, PATHLEN, HR_DEFAULT_MAILDIR,
      S(maildir) },
    { "mail-from", "HEADROOM_MAIL_FROM", HR_CONF_STRING, 0, 254,
      HR_DEFAULT_MAIL_FROM, S(mail_from) },
    { "fallback-to", "HEADROOM_FALLBACK_TO", HR_CONF_STRING, 0, 254, "", S(fallback_to) },
    { "admin-cc", "HEADROOM_ADMIN_CC", HR_CONF_STRING, 0, 4096, "", S(admin_cc) },
    { "rules", "HEADROOM_RULES", HR_CONF_STRING, 0, PATHLEN,
      HEADROOM_DATADIR "/headroom/default.rules", S(rules) },
    { "profile-dirs", "HEADROOM_PROFILE_DIRS", HR_CONF_STRING, 0, 4 * PATHLEN,
      HEADROOM_DATADIR "/headroom/profiles:" HEADROOM_SYSCONFDIR "/headroom/profiles",
      S(profile_dirs) },
    { "log-level", "HEADROOM_LOG_LEVEL", HR_CONF_STRING, 0, 16, "notice", S(log_level) },
    { "syslog", "HEADROOM_SYSLOG", HR_CONF_BOOL, 0, 1, "no", S(syslog) },
};
#undef S

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
    /* Line 0: a value from the environment, FILE is the variable. */
    if (line > 0)
        err_add_raw(errs, "%s:%d: %s\n", file, line, msg);
    else
        err_add_raw(errs, "%s: %s\n", file, msg);
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
static int check_item(const char *file, const char *key, const char *v, int line, char **errs)
{

    for (size_t i = 0; i < HR_ARRAY_LEN(refused); i++)
        if (strcmp(key, refused[i].name) == 0) {
            err_add(errs, file, line, "%s: passwords do not belong in the config "
                    "file; put it in a file readable only by headroom's user and name "
                    "that file with smtp-password-file", key);
            return -1;
        }
    if (strcmp(key, "starttls") == 0 && strcasecmp(v, "required") != 0 &&
        strcasecmp(v, "opportunistic") != 0 && strcasecmp(v, "off") != 0) {
        err_add(errs, file, line, "starttls: '%s' is not required, opportunistic or off", v);
        return -1;
    }
    if (strcmp(key, "log-level") == 0 && hr_log_level(v) < 0) {
        err_add(errs, file, line, "log-level: '%s' is not one of debug, info, notice, "
                "warning, err", v);
        return -1;
    }
    if ((strcmp(key, "mail-from") == 0 || strcmp(key, "fallback-to") == 0) &&
        !addr_plausible(v)) {
        err_add(errs, file, line, "%s: '%s' is not a mail address", key, v);
        return -1;
    }
    if (strcmp(key, "admin-cc") == 0) {
        char *copy = strdup(v), *save = NULL;
        int bad = 0;
        if (!copy)
            return -1;
        for (char *t = strtok_r(copy, " ,", &save); t && !bad; t = strtok_r(NULL, " ,", &save))
            if (!addr_plausible(t)) {
                err_add(errs, file, line, "admin-cc: '%s' is not a mail address", t);
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
        if (check_item(path, g->items[i].key, g->items[i].value, g->items[i].line, errs) < 0)
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

/* Check VALUE of key K as check_item does for the file; the message goes
 * to *ERRS prefixed with WHERE (the variable's name). */
static int check_value(const struct hr_config_key *k, const char *where, const char *value,
                       char **errs)
{
    if (k->kind == HR_CONF_UINT) {
        long long v;
        if (hr_parse_num(value, (long long)k->min, (long long)k->max, &v, NULL) < 0) {
            err_add_raw(errs, "%s: '%s' is not a number from %llu to %llu\n", where, value,
                        (unsigned long long)k->min, (unsigned long long)k->max);
            return -1;
        }
        return 0;
    }
    if (k->kind == HR_CONF_BOOL) {
        if (hr_parse_bool(value) < 0) {
            err_add_raw(errs, "%s: '%s' is not yes or no\n", where, value);
            return -1;
        }
        return 0;
    }
    if (k->max && strlen(value) > k->max) {
        err_add_raw(errs, "%s: longer than %llu characters\n", where, (unsigned long long)k->max);
        return -1;
    }
    /* The same checks as a line of the file: "VAR: key: why". */
    return check_item(where, k->key, value, 0, errs);
}

/* Store VALUE (already checked) of key K into S. */
static int store_value(struct hr_settings *s, const struct hr_config_key *k, const char *value)
{
    char *base = (char *)s + k->off;

    if (k->kind == HR_CONF_UINT) {
        long long v = -1;
        if (*value)
            hr_parse_num(value, (long long)k->min, (long long)k->max, &v, NULL);
        *(long *)(void *)base = (long)v;
        return 0;
    }
    if (k->kind == HR_CONF_BOOL) {
        *(int *)(void *)base = hr_parse_bool(value) == 1;
        return 0;
    }
    char *copy = strdup(value);
    if (!copy)
        return -1;
    free(*(char **)(void *)base);
    *(char **)(void *)base = copy;
    return 0;
}

int hr_settings_load(struct hr_settings *s, const char *path, int required, char **errs)
{
    const struct hr_conf_section *g = NULL;
    struct hr_conf *conf;
    int rc, bad = 0;

    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < HR_ARRAY_LEN(keys); i++) {
        if (store_value(s, &keys[i], keys[i].def) < 0)
            return -1;
        s->src[i] = *keys[i].def ? HR_CONFIG_DEFAULT : HR_CONFIG_UNSET;
    }
    conf = load(path, required, &rc, errs);
    if (!conf && rc != 1)
        return rc;
    if (conf)
        g = hr_conf_section_find(conf, NULL, NULL);
    for (size_t i = 0; i < HR_ARRAY_LEN(keys); i++) {
        const struct hr_conf_item *it = g ? hr_conf_item_find(g, keys[i].key) : NULL;
        const char *e = getenv(keys[i].env);
        if (e && *e) {
            if (check_value(&keys[i], keys[i].env, e, errs) < 0) {
                bad = 1;
                continue;
            }
            if (store_value(s, &keys[i], e) < 0)
                goto out_nomem;
            s->src[i] = HR_CONFIG_ENV;
        } else if (it) {
            const char *v = keys[i].kind == HR_CONF_BOOL ? (it->num ? "yes" : "no") : it->value;
            if (store_value(s, &keys[i], v) < 0)
                goto out_nomem;
            s->src[i] = HR_CONFIG_FILE;
        }
    }
    hr_conf_free(conf);
    return bad ? -3 : 0;
out_nomem:
    hr_conf_free(conf);
    errno = ENOMEM;
    return -1;
}

void hr_settings_free(struct hr_settings *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < HR_ARRAY_LEN(keys); i++)
        if (keys[i].kind == HR_CONF_STRING) {
            char **p = (char **)(void *)((char *)s + keys[i].off);
            free(*p);
            *p = NULL;
        }
}

const char *hr_settings_value(const struct hr_settings *s, size_t i, char *buf, size_t bufsz)
{
    const char *base;

    if (i >= HR_ARRAY_LEN(keys))
        return NULL;
    base = (const char *)s + keys[i].off;
    switch (keys[i].kind) {
    case HR_CONF_UINT: {
        long v = *(const long *)(const void *)base;
        if (v < 0)
            return NULL;
        snprintf(buf, bufsz, "%ld", v);
        return buf;
    }
    case HR_CONF_BOOL:
        return *(const int *)(const void *)base ? "yes" : "no";
    default: {
        const char *v = *(char *const *)(const void *)base;
        return v && *v ? v : NULL;
    }
    }
}

int hr_settings_explicit(const struct hr_settings *s, const char *key)
{
    for (size_t i = 0; i < HR_ARRAY_LEN(keys); i++)
        if (strcmp(keys[i].key, key) == 0)
            return s->src[i] == HR_CONFIG_FILE || s->src[i] == HR_CONFIG_ENV;
    return 0;
}
