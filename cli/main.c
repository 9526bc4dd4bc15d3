/* main.c: the `headroom` command: global options, then a subcommand in the
 * git style.  The commands are the table in cmd.h (HR_COMMANDS); each is
 * implemented by the module that owns it. */
#include "cmd.h"
#include "settings.h"
#include "hr_util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    hr_cmd_fn fn;
    const char *summary;
} commands[] = {
#define HR_CMD_ENTRY(name, owner, summary) { #name, hr_cmd_##name, summary },
    HR_COMMANDS(HR_CMD_ENTRY)
#undef HR_CMD_ENTRY
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
        fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nExit status: 0 done, 1 failure, 2 usage error, 3 bad input file "
               "(nothing changed),\n4 done but some targets or messages failed.\n");
}

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
    char buf[32];

    for (size_t i = 0; i < n; i++) {
        const char *v = hr_settings_value(ctx->set, i, buf, sizeof buf);
        int s = ctx->set->src[i];
        /* The one global flag that is also a key. */
        if (strcmp(k[i].env, "HEADROOM_DB") == 0 && ctx->db_path &&
            (!v || strcmp(v, ctx->db_path) != 0))
            printf("%-19s %-28s %s (flag)\n", k[i].key, k[i].env, ctx->db_path);
        else if (v)
            printf("%-19s %-28s %s (%s)\n", k[i].key, k[i].env, v, src_names[s & 3]);
        else
            printf("%-19s %-28s %s (default of the command)\n", k[i].key, k[i].env, "-");
    }
}

int hr_cmd_config(struct hr_ctx *ctx, int argc, char **argv)
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

/* Load the settings (settings.h) into *SET.  The file is required when
 * named by --config or $HEADROOM_CONFIG.  Returns -1 to go on, else the
 * exit code. */
static int load_settings(struct hr_ctx *ctx, struct hr_settings *set)
{
    const char *path = ctx->config_path;
    int required = path && *path;
    char *errs = NULL;
    int rc, err;

    if (!required)
        path = ctx->config_path = HEADROOM_SYSCONFDIR "/headroom/headroom.conf";
    rc = hr_settings_load(set, path, required, &errs);
    err = errno;
    if (errs)
        fputs(errs, stderr);
    free(errs);
    if (rc == -2)
        return HR_EXIT_DATA;
    if (rc == -3)
        return HR_EXIT_USAGE;
    if (rc == -1)
        /* A file the user named that does not exist is a usage error. */
        return err == ENOENT ? HR_EXIT_USAGE : HR_EXIT_FAIL;
    ctx->set = set;
    return -1;
}

/* Level and destination of the log: -q/-v win over log-level, --syslog
 * over syslog. */
static void setup_log(const struct hr_ctx *ctx, int syslog_flag)
{
    int level = hr_log_level(ctx->set->log_level); /* checked by the settings */

    if (ctx->quiet)
        level = LOG_ERR;
    else if (ctx->verbose)
        level = ctx->verbose > 1 ? LOG_DEBUG : LOG_INFO;
    log_init("headroom", syslog_flag || ctx->set->syslog, level < 0 ? LOG_NOTICE : level);
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
    struct hr_settings set;
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
    log_init("headroom", 0, ctx.quiet ? LOG_ERR : LOG_NOTICE);
    if (optind >= argc) {
        usage(stderr);
        return HR_EXIT_USAGE;
    }
    const char *name = argv[optind];
    if (strcmp(name, "help") == 0) {
        usage(stdout);
        return HR_EXIT_OK;
    }
    if ((rc = load_settings(&ctx, &set)) >= 0) {
        hr_settings_free(&set);
        return rc;
    }
    setup_log(&ctx, syslog_flag);
    ctx.db_path = db_flag ? db_flag : set.db;
    for (size_t i = 0; i < HR_ARRAY_LEN(commands); i++) {
        if (strcmp(commands[i].name, name) == 0) {
            int sub_argc = argc - optind;
            char **sub_argv = argv + optind;
            optind = 0; /* full getopt reset for the subcommand */
            rc = commands[i].fn(&ctx, sub_argc, sub_argv);
            hr_settings_free(&set);
            return rc;
        }
    }
    fprintf(stderr, "headroom: '%s' is not a headroom command; see 'headroom --help'\n", name);
    hr_settings_free(&set);
    return HR_EXIT_USAGE;
}
