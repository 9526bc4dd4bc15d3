/* main.c: the `headroom` command: global options, then a subcommand in the
 * git style.  Subcommands live in the module that owns them and are linked
 * in as weak symbols, so the table below lists everything headroom can do
 * and a build without a module simply lacks its commands. */
#include "hr_cli.h"
#include "hr_config.h"
#include "hr_util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HR_CMD(name) int hr_cmd_##name(struct hr_ctx *, int, char **) __attribute__((weak))
HR_CMD(fleet);
HR_CMD(customers);
HR_CMD(staff);
HR_CMD(poll);
HR_CMD(history);
HR_CMD(db);
HR_CMD(rules);
HR_CMD(catalog);
HR_CMD(stock);
HR_CMD(propose);
HR_CMD(proposals);
HR_CMD(mail);
HR_CMD(report);
static int cmd_config(struct hr_ctx *, int, char **);

static const struct {
    const char *name;
    int (*fn)(struct hr_ctx *, int, char **);
    const char *summary;
} commands[] = {
    { "fleet", hr_cmd_fleet, "poll targets: add, import, list, remove, conflicts, resolve" },
    { "customers", hr_cmd_customers, "customers: import, list" },
    { "staff", hr_cmd_staff, "sales staff: import, list" },
    { "poll", hr_cmd_poll, "poll the fleet once, or keep polling (--daemon)" },
    { "history", hr_cmd_history, "a device's or customer's records in date order; import" },
    { "db", hr_cmd_db, "database: init, migrate, info" },
    { "rules", hr_cmd_rules, "rule files: check, eval" },
    { "catalog", hr_cmd_catalog, "product and firmware catalogues: import, list" },
    { "stock", hr_cmd_stock, "stock per SKU and store: import, list, check" },
    { "propose", hr_cmd_propose, "evaluate rules over the fleet and record proposals" },
    { "proposals", hr_cmd_proposals, "list proposals and their state" },
    { "mail", hr_cmd_mail, "the outbox: list, flush" },
    { "report", hr_cmd_report, "customer and fleet reports" },
    { "config", cmd_config, "the config file: check, show (each key's value and source)" },
};

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: headroom [OPTIONS] COMMAND [ARGS...]\n"
            "Inventory, polling, rules and proposals for a fleet of storage devices.\n"
            "\n"
            "Options:\n"
            "  -d, --db FILE       the SQLite database (default: $HEADROOM_DB, else the\n"
            "                      config file's 'db', else /var/lib/headroom/headroom.db)\n"
            "  -c, --config FILE   the config file (default: $HEADROOM_CONFIG, else\n"
            "                      " HEADROOM_SYSCONFDIR "/headroom/headroom.conf if it exists)\n"
            "  -v, --verbose       say more (repeat for debug output)\n"
            "  -q, --quiet         errors only\n"
            "      --syslog        log to syslog (facility daemon), not stderr; also\n"
            "                      $HEADROOM_SYSLOG=yes or 'syslog yes' in the config file\n"
            "  -h, --help          this help; 'headroom COMMAND --help' for a command\n"
            "  -V, --version       print the version\n"
            "\n"
            "Settings: command-line flag > environment variable > config file > default;\n"
            "each config key sets one environment variable (see headroom.conf(5)).\n"
            "\n"
            "Commands:\n");
    for (size_t i = 0; i < HR_ARRAY_LEN(commands); i++)
        if (commands[i].fn)
            fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nExit status: 0 done, 1 failure, 2 usage error, 3 bad input file "
               "(nothing changed),\n4 done but some targets or messages failed.\n");
}

/* Where each config key's value came from (hr_config_keys() order). */
static enum hr_config_src key_src[64];

static int config_usage(FILE *f)
{
    fprintf(f,
            "Usage: headroom config check [FILE]\n"
            "       headroom config show\n"
            "check  parse FILE (default: the config file in effect) and report every\n"
            "       problem as FILE:LINE: message; exit 0 clean, 3 errors, 1 unreadable\n"
            "show   each key, its environment variable, the value in effect and where it\n"
            "       came from (env, file, default); flags given to a subcommand still win\n");
    return f == stdout ? HR_EXIT_OK : HR_EXIT_USAGE;
}

static int config_check(const char *path)
{
    char *errs = NULL;
    int rc = hr_config_check(path, &errs);

    if (errs)
        fputs(errs, stderr);
    free(errs);
    if (rc == 0)
        printf("%s: OK\n", path);
    return rc == 0 ? HR_EXIT_OK : rc == -2 ? HR_EXIT_DATA : HR_EXIT_FAIL;
}

static void config_show(const struct hr_ctx *ctx)
{
    static const char *const src_names[] = { "unset", "default", "file", "env" };
    size_t n;
    const struct hr_config_key *k = hr_config_keys(&n);

    for (size_t i = 0; i < n; i++) {
        const char *v = getenv(k[i].env);
        enum hr_config_src s = i < HR_ARRAY_LEN(key_src) ? key_src[i] : HR_CONFIG_UNSET;
        /* The one global flag that is also a key. */
        if (strcmp(k[i].env, "HEADROOM_DB") == 0 && ctx->db_path &&
            (!v || strcmp(v, ctx->db_path) != 0))
            printf("%-19s %-28s %s (flag)\n", k[i].key, k[i].env, ctx->db_path);
        else if (v)
            printf("%-19s %-28s %s (%s)\n", k[i].key, k[i].env, v, src_names[s]);
        else
            printf("%-19s %-28s %s (default of the command)\n", k[i].key, k[i].env,
                   *k[i].def ? k[i].def : "-");
    }
}

static int cmd_config(struct hr_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1)
        return config_usage(c == 'h' ? stdout : stderr);
    if (optind >= argc)
        return config_usage(stderr);
    if (strcmp(argv[optind], "check") == 0 && argc - optind <= 2)
        return config_check(argc - optind == 2 ? argv[optind + 1] : ctx->config_path);
    if (strcmp(argv[optind], "show") == 0 && argc - optind == 1) {
        printf("config file: %s\n", ctx->config_path);
        config_show(ctx);
        return HR_EXIT_OK;
    }
    return config_usage(stderr);
}

/* Load the config file and export its keys (hr_config.h).  The file is
 * required when named by --config or $HEADROOM_CONFIG.  Returns -1 to go
 * on, else the exit code. */
static int load_config(struct hr_ctx *ctx)
{
    const char *path = ctx->config_path;
    int required = path && *path;
    char *errs = NULL;
    int rc, err;

    if (!required)
        path = ctx->config_path = HEADROOM_SYSCONFDIR "/headroom/headroom.conf";
    rc = hr_config_apply(path, required, key_src, &errs);
    err = errno;
    if (errs)
        fputs(errs, stderr);
    free(errs);
    if (rc == -2)
        return HR_EXIT_DATA;
    if (rc == -1)
        /* A file the user named that does not exist is a usage error. */
        return err == ENOENT ? HR_EXIT_USAGE : HR_EXIT_FAIL;
    hr_config_defaults(key_src);
    return -1;
}

/* Level and destination of the log, once the config is in the
 * environment: -q/-v win over HEADROOM_LOG_LEVEL, --syslog over
 * HEADROOM_SYSLOG.  0, or -1 after a message. */
static int setup_log(const struct hr_ctx *ctx, int syslog_flag)
{
    const char *e = getenv("HEADROOM_LOG_LEVEL");
    int level = LOG_NOTICE, use_syslog = syslog_flag;

    if (ctx->quiet)
        level = LOG_ERR;
    else if (ctx->verbose)
        level = ctx->verbose > 1 ? LOG_DEBUG : LOG_INFO;
    else if (e && *e && (level = hr_log_level(e)) < 0) {
        fprintf(stderr, "headroom: HEADROOM_LOG_LEVEL: '%s' is not one of debug, info, "
                "notice, warning, err\n", e);
        return -1;
    }
    e = getenv("HEADROOM_SYSLOG");
    if (!use_syslog && e && *e) {
        if (!strcmp(e, "yes") || !strcmp(e, "1") || !strcmp(e, "true") || !strcmp(e, "on"))
            use_syslog = 1;
        else if (strcmp(e, "no") && strcmp(e, "0") && strcmp(e, "false") && strcmp(e, "off")) {
            fprintf(stderr, "headroom: HEADROOM_SYSLOG: '%s' is not yes or no\n", e);
            return -1;
        }
    }
    hr_log_init("headroom", use_syslog, level);
    return 0;
}

int main(int argc, char **argv)
{
    enum { O_SYSLOG = 256 };
    static const struct option opts[] = {
        { "db", required_argument, NULL, 'd' },
        { "config", required_argument, NULL, 'c' },
        { "verbose", no_argument, NULL, 'v' },
        { "quiet", no_argument, NULL, 'q' },
        { "syslog", no_argument, NULL, O_SYSLOG },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    struct hr_ctx ctx = { 0 };
    const char *db_flag = NULL;
    int c, rc, syslog_flag = 0;

    ctx.config_path = getenv("HEADROOM_CONFIG");
    /* '+': stop at the first non-option, the subcommand. */
    while ((c = getopt_long(argc, argv, "+d:c:vqhV", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db_flag = optarg; break;
        case 'c': ctx.config_path = optarg; break;
        case 'v': ctx.verbose++; break;
        case 'q': ctx.quiet = 1; break;
        case O_SYSLOG: syslog_flag = 1; break;
        case 'h': usage(stdout); return HR_EXIT_OK;
        case 'V': printf("headroom %s\n", HEADROOM_VERSION); return HR_EXIT_OK;
        default: usage(stderr); return HR_EXIT_USAGE;
        }
    }
    /* stderr until the config has said where the log goes. */
    hr_log_init("headroom", 0, ctx.quiet ? LOG_ERR : LOG_NOTICE);
    if (optind >= argc) {
        usage(stderr);
        return HR_EXIT_USAGE;
    }
    const char *name = argv[optind];
    if (strcmp(name, "help") == 0) {
        usage(stdout);
        return HR_EXIT_OK;
    }
    if ((rc = load_config(&ctx)) >= 0)
        return rc;
    if (setup_log(&ctx, syslog_flag) < 0)
        return HR_EXIT_USAGE;
    ctx.db_path = db_flag ? db_flag : getenv("HEADROOM_DB");
    for (size_t i = 0; i < HR_ARRAY_LEN(commands); i++) {
        if (strcmp(commands[i].name, name) == 0 && commands[i].fn) {
            int sub_argc = argc - optind;
            char **sub_argv = argv + optind;
            optind = 0; /* full getopt reset for the subcommand */
            return commands[i].fn(&ctx, sub_argc, sub_argv);
        }
    }
    fprintf(stderr, "headroom: '%s' is not a headroom command; see 'headroom --help'\n", name);
    return HR_EXIT_USAGE;
}
