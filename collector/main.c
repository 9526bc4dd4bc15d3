/* main.c: the `headroom` command: global options, then a subcommand in the
 * git style.  Subcommands live in the module that owns them and are linked
 * in as weak symbols, so the table below lists everything headroom can do
 * and a build without a module simply lacks its commands. */
#include "hr_cli.h"
#include "hr_util.h"

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
            "  -h, --help          this help; 'headroom COMMAND --help' for a command\n"
            "  -V, --version       print the version\n"
            "\n"
            "Commands:\n");
    for (size_t i = 0; i < HR_ARRAY_LEN(commands); i++)
        if (commands[i].fn)
            fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nExit status: 0 done, 1 failure, 2 usage error, 3 bad input file "
               "(nothing changed),\n4 done but some targets or messages failed.\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "db", required_argument, NULL, 'd' },
        { "config", required_argument, NULL, 'c' },
        { "verbose", no_argument, NULL, 'v' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    struct hr_ctx ctx = { 0 };
    int c;

    ctx.db_path = getenv("HEADROOM_DB");
    ctx.config_path = getenv("HEADROOM_CONFIG");
    /* '+': stop at the first non-option, the subcommand. */
    while ((c = getopt_long(argc, argv, "+d:c:vqhV", opts, NULL)) != -1) {
        switch (c) {
        case 'd': ctx.db_path = optarg; break;
        case 'c': ctx.config_path = optarg; break;
        case 'v': ctx.verbose++; break;
        case 'q': ctx.quiet = 1; break;
        case 'h': usage(stdout); return HR_EXIT_OK;
        case 'V': printf("headroom %s\n", HEADROOM_VERSION); return HR_EXIT_OK;
        default: usage(stderr); return HR_EXIT_USAGE;
        }
    }
    hr_log_init("headroom", 0, ctx.quiet ? LOG_ERR : ctx.verbose > 1 ? LOG_DEBUG
                                        : ctx.verbose ? LOG_INFO : LOG_NOTICE);
    if (optind >= argc) {
        usage(stderr);
        return HR_EXIT_USAGE;
    }
    const char *name = argv[optind];
    if (strcmp(name, "help") == 0) {
        usage(stdout);
        return HR_EXIT_OK;
    }
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
