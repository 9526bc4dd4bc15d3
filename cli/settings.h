/* settings.h: headroom.conf and the typed settings every command reads.
 *
 * One table (settings.c) lists each key of headroom.conf, the environment
 * variable that overrides it and its one built-in default (headroom.conf(5)
 * documents them).  cli/main.c loads the settings once, before dispatching:
 * default, then the config file, then the environment; each command's own
 * flags win over what it reads here.  So the precedence is
 *     command-line flag > environment variable > config file > default
 * and no command calls getenv for a setting.
 *
 * The file uses the hr_conf.h format with flat keys only (no sections);
 * key names are the long options of the subcommands where there is one
 * (rrd-dir = poll --rrd-dir, smtp-host = mail flush --smtp-host).
 */
#ifndef HR_SETTINGS_H
#define HR_SETTINGS_H

#include "hr_conf.h"

/* The built-in defaults that usage texts also print (one place). */
#include "hr_paths.h"

#include <stddef.h>

struct hr_config_key {
    const char *key;      /* name in headroom.conf */
    const char *env;      /* the environment variable it sets */
    enum hr_conf_kind kind;
    uint64_t min, max;    /* UINT: range; STRING: max length (0: any) */
    const char *def;      /* the built-in default ("" none) */
    size_t off;           /* the field of struct hr_settings */
};

/* The settings in effect.  Strings are NULL or "" when unset; numbers are
 * -1 when unset (the command then uses its per-target or built-in rule). */
struct hr_settings {
    char *db;                 /* db */
    char *rrd_dir;            /* rrd-dir */
    char *rrdcached;          /* rrdcached: "" none */
    long poll_concurrency;    /* poll-concurrency */
    long poll_timeout_ms;     /* poll-timeout: -1 per target */
    long poll_retries;        /* poll-retries: -1 per target */
    long poll_budget_ms;      /* poll-budget */
    long poll_interval_s;     /* poll-interval */
    long retention_raw_days;  /* retention-raw-days: 0 keep every poll */
    long retention_daily_years; /* retention-daily-years: 0 keep every day */
    char *smtp_host;          /* smtp-host: "" Maildir delivery */
    long smtp_port;           /* smtp-port */
    char *starttls;           /* starttls: required, opportunistic, off */
    char *smtp_user;          /* smtp-user */
    char *smtp_password_file; /* smtp-password-file */
    int smtp_auth_cleartext;  /* smtp-auth-cleartext */
    char *tls_ca;             /* tls-ca */
    char *maildir;            /* maildir */
    char *mail_from;          /* mail-from */
    char *fallback_to;        /* fallback-to */
    char *admin_cc;           /* admin-cc */
    char *rules;              /* rules */
    char *profile_dirs;       /* profile-dirs: colon-separated */
    char *log_level;          /* log-level */
    int syslog;               /* syslog */
    int src[32];              /* enum hr_config_src per key (table order) */
};

/* Where a key's effective value came from (for `headroom config show`). */
enum hr_config_src { HR_CONFIG_UNSET, HR_CONFIG_DEFAULT, HR_CONFIG_FILE, HR_CONFIG_ENV };

/* The key table; *N gets its length. */
const struct hr_config_key *hr_config_keys(size_t *n);

/* Fill S: defaults, then PATH, then the environment.  REQUIRED: the file
 * must exist (a path given with --config or $HEADROOM_CONFIG); else a
 * missing file is fine.  Warns (hr_log) when the file is world-writable.
 * Returns 0, -1 the file cannot be read, -2 the file has errors, -3 an
 * environment variable has a bad value.  On -1/-2/-3 *ERRS (if ERRS is not
 * NULL) is a malloc'd text, one "FILE:LINE: message\n" or "VAR: message\n"
 * per problem.  Free with hr_settings_free, also after an error. */
int hr_settings_load(struct hr_settings *s, const char *path, int required, char **errs);
void hr_settings_free(struct hr_settings *s);

/* The value in effect of the Ith key (table order) as text, or NULL when
 * unset; BUF holds numbers. */
const char *hr_settings_value(const struct hr_settings *s, size_t i, char *buf, size_t bufsz);

/* Nonzero if KEY (a headroom.conf key name) was set by the file or the
 * environment rather than left at its default. */
int hr_settings_explicit(const struct hr_settings *s, const char *key);

/* Parse PATH only (`headroom config check`): 0 clean, -1 unreadable, -2
 * errors listed in *ERRS. */
int hr_config_check(const char *path, char **errs);

#endif
