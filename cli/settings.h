/* hr_config.h: headroom.conf, the `headroom` command's one config file.
 *
 * Every key of the file stands for exactly one environment variable (the
 * table in hr_config.c, documented in headroom.conf(5)).  Loading the file
 * exports each key it sets with setenv(VAR, value, 0): a variable already
 * in the environment wins, and the subcommands read only the environment
 * and their own flags.  So the precedence is
 *     command-line flag > environment variable > config file > default
 * without any subcommand knowing that a config file exists.
 *
 * The file uses the hr_conf.h format with flat keys only (no sections);
 * key names are the long options of the subcommands where there is one
 * (rrd-dir = poll --rrd-dir, smtp-host = mail flush --smtp-host).
 */
#ifndef HR_CONFIG_H
#define HR_CONFIG_H

#include "hr_conf.h"

#include <stddef.h>

struct hr_config_key {
    const char *key;      /* name in headroom.conf */
    const char *env;      /* the environment variable it sets */
    enum hr_conf_kind kind;
    uint64_t min, max;    /* UINT: range; STRING: max length (0: any) */
    const char *def;      /* built-in default, for documentation and `config show` */
};

/* Where a key's effective value came from (for `headroom config show`). */
enum hr_config_src { HR_CONFIG_UNSET, HR_CONFIG_DEFAULT, HR_CONFIG_FILE, HR_CONFIG_ENV };

/* The key table; *N gets its length. */
const struct hr_config_key *hr_config_keys(size_t *n);

/* Load PATH and export its keys (setenv(VAR, value, 0)).  REQUIRED: the
 * file must exist (a path given with --config or $HEADROOM_CONFIG); else a
 * missing file is fine.  SRC, if not NULL, gets one entry per key of the
 * table.  Warns (hr_log) when the file is world-writable.
 * Returns 0 (loaded), 1 (absent and not required), -1 the file cannot be
 * read, -2 the file has errors.  On -1/-2 *ERRS (if ERRS is not NULL) is
 * a malloc'd text, one "FILE:LINE: message\n" per problem. */
int hr_config_apply(const char *path, int required, enum hr_config_src *src, char **errs);

/* Parse PATH only, exporting nothing (`headroom config check`).  Same
 * return values as hr_config_apply with REQUIRED set. */
int hr_config_check(const char *path, char **errs);

/* Export the built-in defaults that other modules cannot know by
 * themselves (install paths), again with setenv(VAR, value, 0).  Call
 * after hr_config_apply. */
void hr_config_defaults(enum hr_config_src *src);

#endif
