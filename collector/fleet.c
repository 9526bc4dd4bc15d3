/* fleet.c: `headroom fleet`, `headroom customers`, `headroom staff`: the
 * inventory of customers, sales staff and poll targets. */
#include "db.h"
#include "inventory.h"
#include "cmd.h"
#include "hr_util.h"
#include "import.h"
#include "store.h"
#include "output.h"
#include "profile.h"
#include "settings.h"

#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- targets ---------------------------------------------------------------- */

enum {
    TC_NAME, TC_CUSTOMER, TC_ADDRESS, TC_PORT, TC_TRANSPORT, TC_VERSION, TC_COMMUNITY,
    TC_WRITE_COMMUNITY, TC_V3_USER, TC_V3_LEVEL, TC_V3_AUTH_PROTO, TC_V3_AUTH_PASS,
    TC_V3_PRIV_PROTO, TC_V3_PRIV_PASS, TC_V3_CONTEXT, TC_V3_WRITE, TC_TIMEOUT, TC_RETRIES,
    TC_ENABLED, TC_PROFILE, TC_N
};

static const char *const target_cols[TC_N] = {
    "name", "customer", "address", "port", "transport", "version", "community",
    "write_community", "v3_user", "v3_level", "v3_auth_proto", "v3_auth_pass",
    "v3_priv_proto", "v3_priv_pass", "v3_context", "v3_write", "timeout_ms", "retries",
    "enabled", "profile",
};
static const char *const target_required[] = { "customer", "address", NULL };

struct target_import {
    struct hr_db *db;
    int add_customers;
    const struct hr_ctx *ctx;
    struct hr_profile_set *profiles;   /* loaded when a row names a profile */
    int profiles_failed;
};

static const char *nz(const char *s)
{
    return s ? s : "";
}

static int pick(const char *col, const char *v, const char *const *allowed, const char *dflt,
                const char **out, char *err, size_t errlen)
{
    if (!v || !*v) {
        *out = dflt;
        return 0;
    }
    for (; *allowed; allowed++) {
        if (strcasecmp(v, *allowed) == 0) {
            *out = *allowed;
            return 0;
        }
    }
    snprintf(err, errlen, "unknown %s '%.40s'", col, v);
    return -1;
}

static int check_version(const char *v, const char **out, char *err, size_t errlen)
{
    static const struct { const char *in, *out; } vs[] = {
        { "1", "1" }, { "v1", "1" }, { "2c", "2c" }, { "v2c", "2c" }, { "2", "2c" },
        { "3", "3" }, { "v3", "3" },
    };
    if (!v || !*v) {
        *out = "2c";
        return 0;
    }
    for (size_t i = 0; i < HR_ARRAY_LEN(vs); i++) {
        if (strcasecmp(v, vs[i].in) == 0) {
            *out = vs[i].out;
            return 0;
        }
    }
    snprintf(err, errlen, "unknown SNMP version '%.40s' (1, 2c or 3)", v);
    return -1;
}

static int check_address(const char *a, char *err, size_t errlen)
{
    if (!a || !*a) {
        snprintf(err, errlen, "address: empty");
        return -1;
    }
    if (strlen(a) > 255 || strpbrk(a, " \t\r\n/")) {
        snprintf(err, errlen, "address: '%.60s' is not a host name or IP address", a);
        return -1;
    }
    return 0;
}

static int ensure_customer(struct target_import *ti, const char *cust, char *err, size_t errlen)
{
    int rc;

    if (!cust || !*cust || strlen(cust) > 64) {
        snprintf(err, errlen, "customer: must be 1-64 characters");
        return -1;
    }
    rc = hr_db_customer_exists(ti->db, cust);
    if (rc == 1)
        return 0;
    if (rc < 0)
        return hr_db_refused(ti->db, err, errlen);
    if (!ti->add_customers) {
        snprintf(err, errlen, "unknown customer '%s' (import customers first, or give "
                 "--add-customers)", cust);
        return -1;
    }
    if (hr_db_customer_add_id(ti->db, cust) < 0)
        return hr_db_refused(ti->db, err, errlen);
    return 0;
}

/* "auto" (also for an empty value), "headroom", or a profile of the
 * profile directories. */
static int check_profile(struct target_import *ti, const char *v, const char **out, char *err,
                         size_t errlen)
{
    char *errs = NULL;

    if (!v || !*v || strcasecmp(v, "auto") == 0) {
        *out = "auto";
        return 0;
    }
    if (strcmp(v, "headroom") == 0) {
        *out = "headroom";
        return 0;
    }
    if (!ti->profiles && !ti->profiles_failed) {
        ti->profiles = hr_profile_set_load_path(ti->ctx ? ti->ctx->set->profile_dirs : NULL,
                                                &errs);
        if (!ti->profiles) {
            ti->profiles_failed = 1;
            log_warnx("the profiles could not be loaded (run 'headroom profiles list'):\n%s",
                      errs ? errs : "out of memory");
        }
        free(errs);
    }
    if (ti->profiles_failed) {
        snprintf(err, errlen, "profile '%.40s': the profiles could not be loaded", v);
        return -1;
    }
    if (!hr_profile_set_find(ti->profiles, v)) {
        snprintf(err, errlen, "unknown profile '%.40s' (auto, headroom, or one of "
                 "'headroom profiles list')", v);
        return -1;
    }
    *out = v;
    return 0;
}

/* Validate one target and store it (insert, or update the target of the
 * same name). */
static int target_row(void *arg, const char **v, unsigned line, char *err, size_t errlen)
{
    static const char *const transports[] = { "udp", "tcp", NULL };
    static const char *const levels[] = { "noAuthNoPriv", "authNoPriv", "authPriv", NULL };
    static const char *const auths[] = { "MD5", "SHA", "SHA-224", "SHA-256", "SHA-384",
                                         "SHA-512", NULL };
    static const char *const privs[] = { "DES", "AES", NULL };
    struct target_import *ti = arg;
    const char *transport, *version, *level, *auth, *priv, *profile;
    int64_t port, timeout, retries;
    int v3_write, enabled;
    unsigned first;
    char name[300];

    if (check_address(v[TC_ADDRESS], err, errlen) < 0 ||
        hr_import_int("port", v[TC_PORT], 1, 65535, 161, &port, err, errlen) < 0 ||
        pick("transport", v[TC_TRANSPORT], transports, "udp", &transport, err, errlen) < 0 ||
        check_version(v[TC_VERSION], &version, err, errlen) < 0 ||
        pick("v3_level", v[TC_V3_LEVEL], levels, "authPriv", &level, err, errlen) < 0 ||
        pick("v3_auth_proto", v[TC_V3_AUTH_PROTO], auths, "SHA", &auth, err, errlen) < 0 ||
        pick("v3_priv_proto", v[TC_V3_PRIV_PROTO], privs, "AES", &priv, err, errlen) < 0 ||
        hr_import_bool("v3_write", v[TC_V3_WRITE], 0, &v3_write, err, errlen) < 0 ||
        hr_import_bool("enabled", v[TC_ENABLED], 1, &enabled, err, errlen) < 0 ||
        hr_import_int("timeout_ms", v[TC_TIMEOUT], 10, 60000, 1000, &timeout, err, errlen) < 0 ||
        hr_import_int("retries", v[TC_RETRIES], 0, 10, 1, &retries, err, errlen) < 0 ||
        check_profile(ti, v[TC_PROFILE], &profile, err, errlen) < 0)
        return -1;
    if (strcmp(version, "3") != 0) {
        if (!v[TC_COMMUNITY] || !*v[TC_COMMUNITY]) {
            snprintf(err, errlen, "SNMP v%s needs a community", version);
            return -1;
        }
    } else {
        if (!v[TC_V3_USER] || !*v[TC_V3_USER] || strlen(v[TC_V3_USER]) > 63) {
            snprintf(err, errlen, "SNMPv3 needs a v3_user (1-63 characters)");
            return -1;
        }
        if (strcmp(level, "noAuthNoPriv") != 0 && strlen(nz(v[TC_V3_AUTH_PASS])) < 8) {
            snprintf(err, errlen, "v3_auth_pass: at least 8 characters for %s", level);
            return -1;
        }
        if (strcmp(level, "authPriv") == 0 && strlen(nz(v[TC_V3_PRIV_PASS])) < 8) {
            snprintf(err, errlen, "v3_priv_pass: at least 8 characters for authPriv");
            return -1;
        }
    }
    for (int k = TC_COMMUNITY; k <= TC_V3_CONTEXT; k++) {
        if (v[k] && strlen(v[k]) > 255) {
            snprintf(err, errlen, "%s: longer than 255 bytes", target_cols[k]);
            return -1;
        }
    }
    if (v[TC_NAME] && *v[TC_NAME])
        snprintf(name, sizeof name, "%s", v[TC_NAME]);
    else
        snprintf(name, sizeof name, strchr(v[TC_ADDRESS], ':') ? "[%s]:%" PRId64 : "%s:%" PRId64,
                 v[TC_ADDRESS], port);
    if (strlen(name) > 128) {
        snprintf(err, errlen, "name: longer than 128 characters");
        return -1;
    }
    /* Two records with one name would silently overwrite each other. */
    if (hr_db_import_key_seen(ti->db, name, line, &first) < 0)
        return hr_db_refused(ti->db, err, errlen);
    if (first != line) {
        snprintf(err, errlen, "target name '%s' already used on line %u (give each target "
                 "a distinct name)", name, first);
        return -1;
    }
    if (ensure_customer(ti, v[TC_CUSTOMER], err, errlen) < 0)
        return -1;

    struct hr_db_target t = {
        .name = name, .customer = v[TC_CUSTOMER], .address = v[TC_ADDRESS],
        .port = (int)port, .transport = transport, .version = version,
        .community = nz(v[TC_COMMUNITY]), .write_community = nz(v[TC_WRITE_COMMUNITY]),
        .v3_user = nz(v[TC_V3_USER]), .v3_level = level, .v3_auth_proto = auth,
        .v3_auth_pass = nz(v[TC_V3_AUTH_PASS]), .v3_priv_proto = priv,
        .v3_priv_pass = nz(v[TC_V3_PRIV_PASS]), .v3_context = nz(v[TC_V3_CONTEXT]),
        .v3_write = v3_write, .timeout_ms = (int)timeout, .retries = (int)retries,
        .enabled = enabled, .profile = profile,
    };
    if (hr_db_target_upsert(ti->db, &t) < 0)
        return hr_db_refused(ti->db, err, errlen);
    return 0;
}

static int target_import_init(struct target_import *ti, const struct hr_ctx *ctx,
                              struct hr_db *db, int add_customers)
{
    memset(ti, 0, sizeof *ti);
    ti->ctx = ctx;
    ti->db = db;
    ti->add_customers = add_customers;
    if (hr_db_import_keys_begin(db) < 0) {
        log_warnx("database: %s", hr_db_errmsg(db));
        return -1;
    }
    return 0;
}

static void target_import_fini(struct target_import *ti)
{
    /* the statements stay cached in the handle */
    hr_profile_set_free(ti->profiles);
    ti->profiles = NULL;
}

static int import_cmd(const struct hr_ctx *ctx, const char *path,
                      const struct hr_import_spec *spec, const char *what,
                      int (*init)(void *, struct hr_db *), void (*fini)(void *))
{
    struct hr_db *db;
    unsigned n;
    int rc;

    if (hr_db_open_ctx(ctx, HR_DB_CREATE, &db) < 0)
        return HR_EXIT_FAIL;
    if (init(spec->arg, db) < 0) {
        fini(spec->arg);
        hr_db_close(db);
        return HR_EXIT_FAIL;
    }
    rc = hr_import_csv(db, path, spec, &n);
    fini(spec->arg);
    hr_db_close(db);
    if (rc == HR_EXIT_OK && !ctx->quiet)
        printf("%u %s imported from %s\n", n, what, path);
    return rc;
}

/* ---- headroom fleet ------------------------------------------------------------- */

static int ti_init(void *arg, struct hr_db *db)
{
    struct target_import *ti = arg;
    int add = ti->add_customers;
    const struct hr_ctx *ctx = ti->ctx;
    return target_import_init(ti, ctx, db, add);
}

static void ti_fini(void *arg)
{
    target_import_fini(arg);
}



static void fleet_usage(FILE *f)
{
    fprintf(f,
        "Usage: headroom fleet add --customer C --address HOST [OPTIONS]\n"
        "       headroom fleet import [--add-customers] FILE.csv\n"
        "       headroom fleet list [--customer C] [--format text|csv]\n"
        "       headroom fleet remove NAME|ID...\n"
        "       headroom fleet conflicts [--all] [--format text|csv]\n"
        "       headroom fleet resolve SERIAL --keep|--transfer [--customer CLAIMING]\n"
        "Poll targets (SNMP agents: HEADROOM-STORAGE-MIB, or read through the device\n"
        "profiles) and double registrations.\n"
        "\n"
        "add options (the same names as the CSV columns):\n"
        "  --name N --customer C --address HOST --port P --transport udp|tcp\n"
        "  --version 1|2c|3 --community S --write-community S\n"
        "  --v3-user U --v3-level noAuthNoPriv|authNoPriv|authPriv\n"
        "  --v3-auth-proto MD5|SHA|SHA-224|SHA-256|SHA-384|SHA-512 --v3-auth-pass P\n"
        "  --v3-priv-proto DES|AES --v3-priv-pass P --v3-context C --v3-write\n"
        "  Secrets given as options are visible to every user in ps(1); instead:\n"
        "  --community-file F --write-community-file F --v3-auth-pass-file F\n"
        "  --v3-priv-pass-file F  (the first line of F; F must not be readable by\n"
        "                 others), or the variables HEADROOM_COMMUNITY,\n"
        "                 HEADROOM_WRITE_COMMUNITY, HEADROOM_V3_AUTH_PASS,\n"
        "                 HEADROOM_V3_PRIV_PASS; a community or passphrase still\n"
        "                 missing is asked for (echo off) when run at a terminal\n"
        "  --timeout-ms MS --retries N --disabled --add-customers\n"
        "  --profile auto|headroom|NAME   how to read the agent (default auto: our MIB\n"
        "                 when served, else the profile detection finds; headroom: our\n"
        "                 MIB only; NAME: that profile of 'headroom profiles list')\n"
        "\n"
        "import: a CSV file with a header line naming its columns: name, customer*,\n"
        "address*, port, transport, version, community, write_community, v3_user,\n"
        "v3_level, v3_auth_proto, v3_auth_pass, v3_priv_proto, v3_priv_pass, v3_context,\n"
        "v3_write, timeout_ms, retries, enabled, profile (* required; an empty\n"
        "profile is auto).  A target with the name\n"
        "of an existing one updates it.  One transaction: any bad line is reported as\n"
        "FILE:LINE and nothing is imported (exit 3).  See docs/collector.md.\n"
        "\n"
        "list shows each target's profile and the one its last poll detected; it\n"
        "never prints communities or passphrases.  conflicts lists serials seen\n"
        "at a customer other than the one they are registered to; resolve --keep\n"
        "leaves the registration as it is (and ignores further sightings from the\n"
        "claiming customer), --transfer moves the device to the claiming customer and\n"
        "issues a new registration number.\n");
}

/* The secret options of fleet add: the column, its option (the file
 * option is OPT-file) and its environment variable. */
enum { SECRET_FILE_OPT = 1000 };
static const struct {
    int col;
    const char *opt, *env, *what;
} add_secrets[] = {
    { TC_COMMUNITY, "community", "HEADROOM_COMMUNITY", "Community" },
    { TC_WRITE_COMMUNITY, "write-community", "HEADROOM_WRITE_COMMUNITY", "Write community" },
    { TC_V3_AUTH_PASS, "v3-auth-pass", "HEADROOM_V3_AUTH_PASS",
      "SNMPv3 authentication passphrase" },
    { TC_V3_PRIV_PASS, "v3-priv-pass", "HEADROOM_V3_PRIV_PASS", "SNMPv3 privacy passphrase" },
};

/* Is secret I needed by the target V describes (so worth a prompt)? */
static int secret_needed(const char *const *v, size_t i)
{
    const char *ver = v[TC_VERSION] ? v[TC_VERSION] : "2c";
    const char *level = v[TC_V3_LEVEL] ? v[TC_V3_LEVEL] : "authPriv";
    int v3 = strcmp(ver, "3") == 0 || strcasecmp(ver, "v3") == 0;

    switch (add_secrets[i].col) {
    case TC_COMMUNITY: return !v3;
    case TC_V3_AUTH_PASS: return v3 && strcasecmp(level, "noAuthNoPriv") != 0;
    case TC_V3_PRIV_PASS: return v3 && strcasecmp(level, "authPriv") == 0;
    default: return 0;
    }
}

/* Fill the secrets of V not given as options: from the file options
 * (FILES), else the environment (a secret, not a setting: it has no
 * config-file key, so it is not in hr_settings), else a prompt at a
 * terminal when the target needs it.  What is read goes to OWNED[i]
 * (the caller frees it).  0, or -1 logged. */
static int add_secrets_fill(const char **v, const char *const *files, char **owned)
{
    char err[PATH_MAX + 128], prompt[80];

    for (size_t i = 0; i < HR_ARRAY_LEN(add_secrets); i++) {
        int col = add_secrets[i].col;
        const char *env;

        if (files[i] && v[col]) {
            log_warnx("give --%s or --%s-file, not both", add_secrets[i].opt,
                      add_secrets[i].opt);
            return -1;
        }
        if (files[i]) {
            owned[i] = hr_secret_file(files[i], NULL, err, sizeof err);
            if (!owned[i]) {
                log_warnx("--%s-file %s", add_secrets[i].opt, err);
                return -1;
            }
        } else if (v[col]) {
            continue;
        } else if ((env = getenv(add_secrets[i].env)) && *env) {
            v[col] = env;
            continue;
        } else if (secret_needed(v, i)) {
            snprintf(prompt, sizeof prompt, "%s: ", add_secrets[i].what);
            owned[i] = hr_secret_prompt(prompt, err, sizeof err);
            if (!owned[i] && strcmp(err, "not interactive") != 0) {
                log_warnx("%s: %s", add_secrets[i].what, err);
                return -1;
            }
        }
        if (owned[i])
            v[col] = owned[i];
    }
    return 0;
}

static int fleet_add(const struct hr_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        { "name", required_argument, NULL, TC_NAME },
        { "customer", required_argument, NULL, TC_CUSTOMER },
        { "address", required_argument, NULL, TC_ADDRESS },
        { "port", required_argument, NULL, TC_PORT },
        { "transport", required_argument, NULL, TC_TRANSPORT },
        { "version", required_argument, NULL, TC_VERSION },
        { "community", required_argument, NULL, TC_COMMUNITY },
        { "write-community", required_argument, NULL, TC_WRITE_COMMUNITY },
        { "v3-user", required_argument, NULL, TC_V3_USER },
        { "v3-level", required_argument, NULL, TC_V3_LEVEL },
        { "v3-auth-proto", required_argument, NULL, TC_V3_AUTH_PROTO },
        { "v3-auth-pass", required_argument, NULL, TC_V3_AUTH_PASS },
        { "v3-priv-proto", required_argument, NULL, TC_V3_PRIV_PROTO },
        { "v3-priv-pass", required_argument, NULL, TC_V3_PRIV_PASS },
        { "community-file", required_argument, NULL, SECRET_FILE_OPT + 0 },
        { "write-community-file", required_argument, NULL, SECRET_FILE_OPT + 1 },
        { "v3-auth-pass-file", required_argument, NULL, SECRET_FILE_OPT + 2 },
        { "v3-priv-pass-file", required_argument, NULL, SECRET_FILE_OPT + 3 },
        { "v3-context", required_argument, NULL, TC_V3_CONTEXT },
        { "v3-write", no_argument, NULL, TC_V3_WRITE },
        { "timeout-ms", required_argument, NULL, TC_TIMEOUT },
        { "retries", required_argument, NULL, TC_RETRIES },
        { "disabled", no_argument, NULL, TC_ENABLED },
        { "profile", required_argument, NULL, TC_PROFILE },
        { "add-customers", no_argument, NULL, 'A' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *v[TC_N] = { 0 };
    const char *files[HR_ARRAY_LEN(add_secrets)] = { 0 };
    char *owned[HR_ARRAY_LEN(add_secrets)] = { 0 };
    struct target_import ti;
    char err[384];
    struct hr_db *db;
    int c, add = 0, rc;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            fleet_usage(stdout);
            return HR_EXIT_OK;
        } else if (c == 'A') {
            add = 1;
        } else if (c == TC_V3_WRITE) {
            v[c] = "1";
        } else if (c == TC_ENABLED) {
            v[c] = "0";
        } else if (c >= SECRET_FILE_OPT && c < SECRET_FILE_OPT + (int)HR_ARRAY_LEN(add_secrets)) {
            files[c - SECRET_FILE_OPT] = optarg;
        } else if (c >= 0 && c < TC_N) {
            v[c] = hr_trim(optarg);
        } else {
            fleet_usage(stderr);
            return HR_EXIT_USAGE;
        }
    }
    if (optind != argc || !v[TC_CUSTOMER] || !v[TC_ADDRESS]) {
        log_warnx("fleet add needs --customer and --address");
        return HR_EXIT_USAGE;
    }
    if (add_secrets_fill(v, files, owned) < 0) {
        rc = HR_EXIT_USAGE;
        goto out_secrets;
    }
    /* What a CSV import refuses, an option refuses too: these strings are
     * printed in lists, reports and mails. */
    for (size_t i = 0; opts[i].name; i++)
        if (opts[i].val >= 0 && opts[i].val < TC_N && v[opts[i].val] &&
            !hr_is_clean_utf8(v[opts[i].val], strlen(v[opts[i].val]))) {
            log_warnx("fleet add: --%s: control character, invisible formatting character "
                      "(such as U+202E) or invalid UTF-8", opts[i].name);
            rc = HR_EXIT_USAGE;
            goto out_secrets;
        }
    if (hr_db_open_ctx(ctx, HR_DB_CREATE, &db) < 0) {
        rc = HR_EXIT_FAIL;
        goto out_secrets;
    }
    if (target_import_init(&ti, ctx, db, add) < 0 || hr_db_begin(db) < 0) {
        rc = HR_EXIT_FAIL;
    } else if (target_row(&ti, v, 0, err, sizeof err) < 0) {
        hr_db_rollback(db);
        log_warnx("fleet add: %s", err);
        rc = HR_EXIT_USAGE;
    } else {
        rc = hr_db_commit(db) < 0 ? HR_EXIT_FAIL : HR_EXIT_OK;
    }
    target_import_fini(&ti);
    hr_db_close(db);
out_secrets:
    for (size_t i = 0; i < HR_ARRAY_LEN(owned); i++)
        hr_secret_free(owned[i]);
    return rc;
}

static int fleet_remove(const struct hr_ctx *ctx, int argc, char **argv)
{
    struct hr_db *db;
    int rc = HR_EXIT_OK;

    if (argc < 2) {
        log_warnx("fleet remove needs a target name or id");
        return HR_EXIT_USAGE;
    }
    if (hr_db_open_ctx(ctx, 0, &db) < 0)
        return HR_EXIT_FAIL;
    for (int i = 1; i < argc; i++) {
        int r = hr_db_target_remove(db, argv[i]);
        if (r < 0) {
            log_warnx("%s: %s", argv[i], hr_db_errmsg(db));
            rc = HR_EXIT_FAIL;
        } else if (r == 0) {
            log_warnx("no target named '%s'", argv[i]);
            rc = HR_EXIT_USAGE;
        } else if (!ctx->quiet) {
            printf("removed %s\n", argv[i]);
        }
    }
    hr_db_close(db);
    return rc;
}

static int fleet_resolve(const struct hr_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        { "keep", no_argument, NULL, 'k' },
        { "transfer", no_argument, NULL, 't' },
        { "customer", required_argument, NULL, 'c' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *claiming = NULL;
    int c, action = -1, rc;
    char err[384];
    struct hr_db *db;

    while ((c = getopt_long(argc, argv, "ktc:h", opts, NULL)) != -1) {
        switch (c) {
        case 'k': action = 0; break;
        case 't': action = 1; break;
        case 'c': claiming = optarg; break;
        case 'h': fleet_usage(stdout); return HR_EXIT_OK;
        default: fleet_usage(stderr); return HR_EXIT_USAGE;
        }
    }
    if (optind != argc - 1 || action < 0) {
        log_warnx("fleet resolve SERIAL --keep|--transfer [--customer C]");
        return HR_EXIT_USAGE;
    }
    if (hr_db_open_ctx(ctx, 0, &db) < 0)
        return HR_EXIT_FAIL;
    rc = hr_conflict_resolve(db, argv[optind], claiming, action, err, sizeof err);
    if (rc < 0)
        log_warnx("%s", err);
    else if (!ctx->quiet)
        printf("%s\n", err);
    hr_db_close(db);
    return rc == -2 ? HR_EXIT_USAGE : rc < 0 ? HR_EXIT_FAIL : HR_EXIT_OK;
}



static int fleet_listing(const struct hr_ctx *ctx, int argc, char **argv, int conflicts)
{
    static const struct option opts[] = {
        { "customer", required_argument, NULL, 'c' },
        { "all", no_argument, NULL, 'a' },
        { "format", required_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *param = NULL;
    int c, fmt = HR_FMT_TEXT, rc;
    struct hr_db *db;

    while ((c = getopt_long(argc, argv, "c:af:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': param = optarg; break;
        case 'a': param = "all"; break;
        case 'f': if (hr_parse_format(optarg, &fmt) < 0) return HR_EXIT_USAGE; break;
        case 'h': fleet_usage(stdout); return HR_EXIT_OK;
        default: fleet_usage(stderr); return HR_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fleet_usage(stderr);
        return HR_EXIT_USAGE;
    }
    if (hr_db_open_ctx(ctx, 0, &db) < 0)
        return HR_EXIT_FAIL;
    if (conflicts) {
        struct hr_db_list_params p = { .all = param != NULL };
        rc = hr_list_query(db, HR_DB_LIST_CONFLICTS, &p, fmt);
    } else {
        struct hr_db_list_params p = { .customer = param };
        rc = hr_list_query(db, HR_DB_LIST_TARGETS, &p, fmt);
    }
    hr_db_close(db);
    return rc;
}

static int import_args(int argc, char **argv, void (*usage)(FILE *), int *add_customers,
                       const char **path)
{
    static const struct option opts[] = {
        { "add-customers", no_argument, NULL, 'A' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'A' && add_customers) {
            *add_customers = 1;
        } else if (c == 'h') {
            usage(stdout);
            return 1;
        } else {
            usage(stderr);
            return -1;
        }
    }
    if (optind != argc - 1) {
        log_warnx("import needs one file name ('-' for standard input)");
        return -1;
    }
    *path = argv[optind];
    return 0;
}

int hr_cmd_fleet(struct hr_ctx *ctx, int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : NULL;

    if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 ||
        strcmp(sub, "help") == 0) {
        fleet_usage(sub ? stdout : stderr);
        return sub ? HR_EXIT_OK : HR_EXIT_USAGE;
    }
    argc--;
    argv++;
    optind = 0;
    if (strcmp(sub, "add") == 0)
        return fleet_add(ctx, argc, argv);
    if (strcmp(sub, "list") == 0)
        return fleet_listing(ctx, argc, argv, 0);
    if (strcmp(sub, "conflicts") == 0)
        return fleet_listing(ctx, argc, argv, 1);
    if (strcmp(sub, "remove") == 0)
        return fleet_remove(ctx, argc, argv);
    if (strcmp(sub, "resolve") == 0)
        return fleet_resolve(ctx, argc, argv);
    if (strcmp(sub, "import") == 0) {
        struct target_import ti = { .ctx = ctx };
        struct hr_import_spec spec = { target_cols, TC_N, target_required, target_row, &ti };
        const char *path;
        int r = import_args(argc, argv, fleet_usage, &ti.add_customers, &path);
        if (r != 0)
            return r > 0 ? HR_EXIT_OK : HR_EXIT_USAGE;
        return import_cmd(ctx, path, &spec, "targets", ti_init, ti_fini);
    }
    log_warnx("fleet: unknown subcommand '%s'", sub);
    fleet_usage(stderr);
    return HR_EXIT_USAGE;
}

/* ---- headroom customers --------------------------------------------------------- */

enum { CC_ID, CC_NAME, CC_AREA, CC_STAFF, CC_CONSENT, CC_N };
static const char *const customer_cols[CC_N] = {
    "id", "name", "area_code", "assigned_staff", "consent_sales",
};
static const char *const id_required[] = { "id", NULL };

struct simple_import {
    struct hr_db *db;
};

static int simple_init(void *arg, struct hr_db *db)
{
    struct simple_import *si = arg;

    si->db = db;
    if (hr_db_import_keys_begin(db) < 0) {
        log_warnx("database: %s", hr_db_errmsg(db));
        return -1;
    }
    return 0;
}

static void simple_fini(void *arg)
{
    (void)arg;   /* the statements stay cached in the handle */
}

static int check_id(struct simple_import *si, const char *id, unsigned line, char *err,
                    size_t errlen)
{
    unsigned first;

    if (!id || !*id || strlen(id) > 64) {
        snprintf(err, errlen, "id: must be 1-64 characters");
        return -1;
    }
    if (hr_db_import_key_seen(si->db, id, line, &first) < 0)
        return hr_db_refused(si->db, err, errlen);
    if (first != line) {
        snprintf(err, errlen, "id '%s' already used on line %u", id, first);
        return -1;
    }
    return 0;
}

static int customer_row(void *arg, const char **v, unsigned line, char *err, size_t errlen)
{
    struct simple_import *si = arg;
    int consent;

    if (check_id(si, v[CC_ID], line, err, errlen) < 0 ||
        hr_import_bool("consent_sales", v[CC_CONSENT], 0, &consent, err, errlen) < 0)
        return -1;
    struct hr_db_customer c = { nz(v[CC_ID]), nz(v[CC_NAME]), nz(v[CC_AREA]),
                                nz(v[CC_STAFF]), consent };
    if (hr_db_customer_upsert(si->db, &c) < 0)
        return hr_db_refused(si->db, err, errlen);
    return 0;
}

static void customers_usage(FILE *f)
{
    fprintf(f,
        "Usage: headroom customers import FILE.csv\n"
        "       headroom customers list [--format text|csv]\n"
        "Customers: the CSV header names its columns: id* (1-64 characters), name,\n"
        "area_code, assigned_staff (a staff id), consent_sales (1/0, yes/no: may the\n"
        "customer's details go to sales staff).  An existing id is updated.  One\n"
        "transaction: a bad line is reported as FILE:LINE and nothing is imported\n"
        "(exit 3).\n");
}

static int simple_list(const struct hr_ctx *ctx, int argc, char **argv, void (*usage)(FILE *),
                       enum hr_db_listing which)
{
    static const struct option opts[] = {
        { "format", required_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, fmt = HR_FMT_TEXT, rc;
    struct hr_db *db;

    while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
        if (c == 'f') {
            if (hr_parse_format(optarg, &fmt) < 0)
                return HR_EXIT_USAGE;
        } else if (c == 'h') {
            usage(stdout);
            return HR_EXIT_OK;
        } else {
            usage(stderr);
            return HR_EXIT_USAGE;
        }
    }
    if (hr_db_open_ctx(ctx, 0, &db) < 0)
        return HR_EXIT_FAIL;
    rc = hr_list_query(db, which, NULL, fmt);
    hr_db_close(db);
    return rc;
}

static int simple_cmd(struct hr_ctx *ctx, int argc, char **argv, void (*usage)(FILE *),
                      struct hr_import_spec *spec, const char *what, enum hr_db_listing list)
{
    const char *sub = argc > 1 ? argv[1] : NULL;
    const char *path;
    int r;

    if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        usage(sub ? stdout : stderr);
        return sub ? HR_EXIT_OK : HR_EXIT_USAGE;
    }
    argc--;
    argv++;
    optind = 0;
    if (strcmp(sub, "list") == 0)
        return simple_list(ctx, argc, argv, usage, list);
    if (strcmp(sub, "import") == 0) {
        r = import_args(argc, argv, usage, NULL, &path);
        if (r != 0)
            return r > 0 ? HR_EXIT_OK : HR_EXIT_USAGE;
        return import_cmd(ctx, path, spec, what, simple_init, simple_fini);
    }
    log_warnx("%s: unknown subcommand '%s'", argv[0], sub);
    usage(stderr);
    return HR_EXIT_USAGE;
}

int hr_cmd_customers(struct hr_ctx *ctx, int argc, char **argv)
{
    struct simple_import si = { NULL };
    struct hr_import_spec spec = { customer_cols, CC_N, id_required, customer_row, &si };

    return simple_cmd(ctx, argc, argv, customers_usage, &spec, "customers",
                      HR_DB_LIST_CUSTOMERS);
}

/* ---- headroom staff ------------------------------------------------------------- */

enum { SC_ID, SC_NAME, SC_EMAIL, SC_AREAS, SC_LINES, SC_ROLE, SC_N };
static const char *const staff_cols[SC_N] = {
    "id", "name", "email", "area_codes", "product_lines", "role",
};
static const char *const staff_required[] = { "id", "email", NULL };

static int staff_row(void *arg, const char **v, unsigned line, char *err, size_t errlen)
{
    static const char *const roles[] = { "sales", "admin", NULL };
    struct simple_import *si = arg;
    const char *role, *at;

    if (check_id(si, v[SC_ID], line, err, errlen) < 0 ||
        pick("role", v[SC_ROLE], roles, "sales", &role, err, errlen) < 0)
        return -1;
    at = strchr(nz(v[SC_EMAIL]), '@');
    if (!at || at == v[SC_EMAIL] || !at[1] || strchr(at + 1, '@') ||
        strpbrk(v[SC_EMAIL], " \t\r\n<>,;")) {
        snprintf(err, errlen, "email: '%.60s' is not a mail address", nz(v[SC_EMAIL]));
        return -1;
    }
    struct hr_db_staff sf = { nz(v[SC_ID]), nz(v[SC_NAME]), nz(v[SC_EMAIL]), nz(v[SC_AREAS]),
                              nz(v[SC_LINES]), role };
    if (hr_db_staff_upsert(si->db, &sf) < 0)
        return hr_db_refused(si->db, err, errlen);
    return 0;
}

static void staff_usage(FILE *f)
{
    fprintf(f,
        "Usage: headroom staff import FILE.csv\n"
        "       headroom staff list [--format text|csv]\n"
        "Sales staff: the CSV header names its columns: id* (1-64 characters), name,\n"
        "email*, area_codes and product_lines (each a blank-separated list), role\n"
        "(sales or admin; admins receive copies).  An existing id is updated.  One\n"
        "transaction: a bad line is reported as FILE:LINE and nothing is imported\n"
        "(exit 3).\n");
}

int hr_cmd_staff(struct hr_ctx *ctx, int argc, char **argv)
{
    struct simple_import si = { NULL };
    struct hr_import_spec spec = { staff_cols, SC_N, staff_required, staff_row, &si };

    return simple_cmd(ctx, argc, argv, staff_usage, &spec, "staff", HR_DB_LIST_STAFF);
}
