/* hr_cli.h: the `headroom` command's subcommand interface.
 *
 * cli/main.c parses the global options and dispatches to a
 * subcommand.  Each subcommand is a function
 *     int hr_cmd_NAME(struct hr_ctx *ctx, int argc, char **argv);
 * with argv[0] the subcommand name ("fleet", "poll", ...), parsing its own
 * options with getopt_long (optind is reset before the call) and handling
 * --help itself.  It returns one of the exit codes below.
 */
#ifndef HR_CMD_H
#define HR_CMD_H

enum {
    HR_EXIT_OK = 0,       /* done */
    HR_EXIT_FAIL = 1,     /* runtime failure: database, network, I/O */
    HR_EXIT_USAGE = 2,    /* bad command line */
    HR_EXIT_DATA = 3,     /* bad input file (CSV, rules): nothing changed */
    HR_EXIT_PARTIAL = 4,  /* done, but some targets/messages failed */
};

struct hr_settings;

struct hr_ctx {
    const struct hr_settings *set; /* loaded once by main (settings.h) */
    const char *db_path;      /* --db, else $HEADROOM_DB, else config "db" */
    const char *config_path;  /* --config, else $HEADROOM_CONFIG, else default */
    int verbose;              /* -v count */
    int quiet;                /* -q */
};

typedef int (*hr_cmd_fn)(struct hr_ctx *ctx, int argc, char **argv);

/* The command table: one line per command, in the order `headroom --help`
 * lists them.  Each entry names the function that implements it, so a
 * misspelt or missing command fails the link.  X(name, owner, summary). */
#define HR_COMMANDS(X)                                                                 \
    X(fleet, collector, "poll targets: add, import, list, remove, conflicts, resolve") \
    X(customers, collector, "customers: import, list")                                 \
    X(staff, collector, "sales staff: import, list")                                   \
    X(poll, collector, "poll the fleet once, or keep polling (--daemon)")              \
    X(history, collector, "a device's or customer's records in date order; import")    \
    X(db, db, "database: init, migrate, info")                                         \
    X(rules, rules, "rule files: check, eval")                                         \
    X(catalog, propose, "product and firmware catalogues: import, list")               \
    X(stock, propose, "stock per SKU and store: import, list, check")                  \
    X(propose, propose, "evaluate rules over the fleet and record proposals")          \
    X(proposals, propose, "list proposals and their state")                            \
    X(mail, mail, "the outbox: list, flush")                                           \
    X(report, reports, "customer and fleet reports")                                   \
    X(profiles, profiles, "device profiles for agents without headroomd: list, check, show") \
    X(config, cli, "the config file: check, show (each key's value and source)")

#define HR_CMD_DECLARE(name, owner, summary) \
    int hr_cmd_##name(struct hr_ctx *ctx, int argc, char **argv);
HR_COMMANDS(HR_CMD_DECLARE)
#undef HR_CMD_DECLARE

#endif
