/* hr_cli.h: the `headroom` command's subcommand interface.
 *
 * collector/main.c parses the global options and dispatches to a
 * subcommand.  Each subcommand is a function
 *     int hr_cmd_NAME(struct hr_ctx *ctx, int argc, char **argv);
 * with argv[0] the subcommand name ("fleet", "poll", ...), parsing its own
 * options with getopt_long (optind is reset before the call) and handling
 * --help itself.  It returns one of the exit codes below.
 */
#ifndef HR_CLI_H
#define HR_CLI_H

enum {
    HR_EXIT_OK = 0,       /* done */
    HR_EXIT_FAIL = 1,     /* runtime failure: database, network, I/O */
    HR_EXIT_USAGE = 2,    /* bad command line */
    HR_EXIT_DATA = 3,     /* bad input file (CSV, rules): nothing changed */
    HR_EXIT_PARTIAL = 4,  /* done, but some targets/messages failed */
};

struct hr_ctx {
    const char *db_path;      /* --db, else $HEADROOM_DB, else config "db" */
    const char *config_path;  /* --config, else $HEADROOM_CONFIG, else default */
    int verbose;              /* -v count */
    int quiet;                /* -q */
};

typedef int (*hr_cmd_fn)(struct hr_ctx *ctx, int argc, char **argv);

#endif
