/* cmd_rules.c: `headroom rules check|eval|facts`.
 *
 * check validates rule files only (exit 0, or 3 with every error as
 * FILE:LINE:COL on stderr).  eval evaluates rules over devices of the fleet
 * database and prints what fires and why, sending nothing (facts_db.c
 * reads the facts).  facts lists the identifiers and functions a
 * condition or template may use, with their units. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strptime, timegm */
#endif
#include "cmd.h"
#include "settings.h"
#include "hr_util.h"
#include "lang_int.h"
#include "facts_db.h"
#include "db.h"
#include "inventory.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


static void usage(FILE *f)
{
    fprintf(f,
            "Usage: headroom rules check [-q] FILE...\n"
            "       headroom rules eval [--rules FILE] [--customer C] [--device DEVICE]\n"
            "                           [--db FILE] [--at TIME] [--all]\n"
            "                           [--forecast-window DAYS] [--forecast-method M]\n"
            "       headroom rules facts\n"
            "\n"
            "check   parse and type-check rule files; errors as FILE:LINE:COL: message\n"
            "eval    evaluate the rules on devices of the fleet database and print what\n"
            "        fires and why (the values the condition used); sends nothing\n"
            "facts   list the facts and functions rules can use, with their units\n"
            "\n"
            "Options:\n"
            "  -r, --rules FILE     rule file (default: $HEADROOM_RULES, else\n"
            "                       %s/headroom/default.rules, installed by make install)\n"
            "  -C, --customer C     only devices of customer C (ID or name)\n"
            "  -D, --device DEVICE  only this device: its serial, or without one its name\n"
            "                       (synology@nas1, or TARGET/NAME)\n"
            "  -d, --db FILE        the fleet database (default: headroom --db)\n"
            "  -t, --at TIME        evaluate as of TIME (Unix time or YYYY-MM-DD; default now)\n"
            "  -a, --all            also print rules that do not fire\n"
            "  -w, --forecast-window DAYS  window of days_to_full & co. (default 30)\n"
            "  -m, --forecast-method M     reject (least squares with one pass of outlier\n"
            "                       rejection, the default), lsq or theil-sen\n"
            "  -q, --quiet          check: print errors only\n"
            "  -h, --help           this help\n"
            "\n"
            "Exit status: 0 ok (eval: evaluated, whether or not anything fired),\n"
            "1 failure, 2 usage, 3 errors in a rule file.\n",
            HEADROOM_DATADIR);
}

static int cmd_check(int argc, char **argv, int quiet)
{
    int bad = 0;

    if (argc < 1) {
        log_warnx("rules check: no rule file given");
        return HR_EXIT_USAGE;
    }
    for (int i = 0; i < argc; i++) {
        struct hr_ruleset *rs = NULL;
        char *errors = NULL;
        int rc = hr_rules_load(argv[i], &rs, &errors);
        if (rc < 0) {
            log_warnx("rules check: %s: out of memory", argv[i]);
            return HR_EXIT_FAIL;
        }
        if (rc > 0) {
            fputs(errors ? errors : "", stderr);
            fprintf(stderr, "%s: %d error%s\n", argv[i], rc, rc == 1 ? "" : "s");
            bad = 1;
        } else if (!quiet) {
            printf("%s: %zu rule%s OK\n", argv[i], hr_ruleset_count(rs),
                   hr_ruleset_count(rs) == 1 ? "" : "s");
        }
        free(errors);
        hr_ruleset_free(rs);
    }
    return bad ? HR_EXIT_DATA : HR_EXIT_OK;
}

static const char *unit_of(const struct symdef *s)
{
    if (s->type == TY_STR) return "string";
    if (s->type == TY_BOOL) return "true/false";
    switch (s->dim) {
    case D_PCT: return "percent";
    case D_BYTES: return "bytes";
    case D_DAYS: return "days";
    case D_BPD: return "bytes/day";
    default: return "number";
    }
}

static int cmd_facts(void)
{
    printf("Facts (identifiers):\n");
    for (int i = 0; i < F__COUNT; i++)
        printf("  %-28s %-11s %s\n", hr_facts_def[i].name, unit_of(&hr_facts_def[i]),
               hr_facts_def[i].doc);
    printf("\nFunctions over the history (argument: a window such as 30d):\n");
    for (int i = 0; i < FN__COUNT; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s(DAYS)", hr_fns_def[i].name);
        printf("  %-28s %-11s %s\n", name, unit_of(&hr_fns_def[i]), hr_fns_def[i].doc);
    }
    return HR_EXIT_OK;
}

/* One device: evaluate every rule and print what fires and why. */
static void print_device(const struct hr_ruleset *rs, const struct hr_facts *f, int all,
                         unsigned *fired)
{
    struct hr_evalctx ctx;
    char why[2048], label[300];

    hr_eval_begin(&ctx, f);
    for (size_t i = 0; i < hr_ruleset_count(rs); i++) {
        const struct hr_rule *r = hr_ruleset_rule(rs, i);
        struct hr_rule_result res;
        hr_rule_eval(r, &ctx, &res);
        if (res.when != HR_TRUE && !all)
            continue;
        hr_rule_why_format(&res, why, sizeof why);
        printf("%s\t%s\t%s\t%s\t%s\t%s\n", f->customer ? f->customer : "-",
               hr_facts_label(f, label, sizeof label), hr_rule_name(r),
               res.when == HR_TRUE ? "FIRES" : res.when == HR_FALSE ? "no" : "unknown",
               hr_rule_severity(r), why);
        if (res.when == HR_TRUE) {
            char *text = hr_rule_proposal(r, &ctx);
            printf("\tproposal: %s\n", text ? text : "(out of memory)");
            free(text);
            for (size_t k = 0; k < hr_rule_sku_count(r); k++) {
                char *sku = hr_rule_sku(r, k, &ctx);
                printf("\tsku: %s\n", sku ? sku : errno == ENODATA
                       ? "(none: the template uses an unknown value)" : "(out of memory)");
                free(sku);
            }
            (*fired)++;
        }
    }
}

struct eval_cb_arg {
    const struct hr_ruleset *rs;
    int all;
    unsigned devices, fired;
};

static int eval_one(const struct hr_facts *f, int64_t device_id, void *arg)
{
    (void)device_id;
    struct eval_cb_arg *a = arg;
    a->devices++;
    print_device(a->rs, f, a->all, &a->fired);
    return 0;
}

struct eval_opts {
    const char *rules, *db, *device;
    int all;
    struct hr_facts_filter flt;
};

static int parse_method(const char *s, enum hr_fc_method *m)
{
    if (strcmp(s, "reject") == 0) *m = HR_FC_LSQ_REJECT;
    else if (strcmp(s, "lsq") == 0) *m = HR_FC_LSQ;
    else if (strcmp(s, "theil-sen") == 0) *m = HR_FC_THEIL_SEN;
    else return -1;
    return 0;
}

/* -1 to go on, else the exit status. */
static int eval_parse_opts(const struct hr_settings *set, int argc, char **argv,
                           struct eval_opts *o)
{
    static const struct option opts[] = {
        { "rules", required_argument, NULL, 'r' },
        { "customer", required_argument, NULL, 'C' },
        { "device", required_argument, NULL, 'D' },
        { "db", required_argument, NULL, 'd' },
        { "at", required_argument, NULL, 't' },
        { "all", no_argument, NULL, 'a' },
        { "forecast-window", required_argument, NULL, 'w' },
        { "forecast-method", required_argument, NULL, 'm' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *bad = NULL;
    long long w = 0;
    int c;

    memset(o, 0, sizeof *o);
    o->rules = set->rules;
    o->flt.now = (int64_t)hr_now();
    hr_forecast_opts_default(&o->flt.fc);
    while (!bad && (c = getopt_long(argc, argv, "r:C:D:d:t:aw:m:h", opts, NULL)) != -1) {
        switch (c) {
        case 'r': o->rules = optarg; break;
        case 'C': o->flt.customer = optarg; break;
        case 'D': o->device = optarg; break;
        case 'd': o->db = optarg; break;
        case 't':
            if (hr_parse_time(optarg, &o->flt.now) < 0)
                bad = "--at: not a time (Unix seconds or YYYY-MM-DD)";
            break;
        case 'a': o->all = 1; break;
        case 'w':
            if (hr_parse_num(optarg, 2, 3660, &w, NULL) < 0)
                bad = "--forecast-window: 2 to 3660 days";
            o->flt.fc.window_days = (double)w;
            break;
        case 'm':
            if (parse_method(optarg, &o->flt.fc.method) < 0)
                bad = "--forecast-method: reject, lsq or theil-sen";
            break;
        case 'h': usage(stdout); return HR_EXIT_OK;
        default: usage(stderr); return HR_EXIT_USAGE;
        }
    }
    if (!bad && optind < argc)
        bad = "unexpected argument";
    if (bad) {
        log_warnx("rules eval: %s", bad);
        return HR_EXIT_USAGE;
    }
    return -1;
}

static int cmd_eval(struct hr_ctx *ctx, int argc, char **argv)
{
    struct eval_opts o;
    struct eval_cb_arg a = { 0 };
    struct hr_ruleset *rs = NULL;
    struct hr_ctx c2 = *ctx;
    struct hr_db *db;
    char *errors = NULL, err[512] = "";
    int rc;

    if ((rc = eval_parse_opts(ctx->set, argc, argv, &o)) >= 0)
        return rc;
    if ((rc = hr_rules_load(o.rules, &rs, &errors)) != 0) {
        fputs(errors ? errors : "out of memory\n", stderr);
        free(errors);
        return rc < 0 ? HR_EXIT_FAIL : HR_EXIT_DATA;
    }
    a.rs = rs;
    a.all = o.all;
    o.flt.window_days = hr_ruleset_max_window(rs, &o.flt.fc);
    if (o.db)
        c2.db_path = o.db;
    if (hr_db_open(hr_db_path(&c2), 0, &db, err, sizeof err) < 0) {
        log_warnx("rules eval: %s", err);
        hr_ruleset_free(rs);
        return HR_EXIT_FAIL;
    }
    if (o.device && hr_db_device_lookup(db, o.device, &o.flt.device, err, sizeof err) <= 0) {
        log_warnx("rules eval: %s", err);
        hr_db_close(db);
        hr_ruleset_free(rs);
        return HR_EXIT_FAIL;
    }
    printf("# customer\tserial\trule\tresult\tseverity\twhy\n");
    rc = hr_facts_db_foreach(db, &o.flt, eval_one, &a, err, sizeof err);
    hr_db_close(db);
    hr_ruleset_free(rs);
    if (rc < 0) {
        log_warnx("rules eval: %s", err);
        return HR_EXIT_FAIL;
    }
    if ((o.flt.customer || o.device) && a.devices == 0) {
        log_warnx("rules eval: no device matches");
        return HR_EXIT_FAIL;
    }
    if (!ctx->quiet)
        fprintf(stderr, "%u device%s evaluated, %u rule%s fired\n", a.devices,
                a.devices == 1 ? "" : "s", a.fired, a.fired == 1 ? "" : "s");
    return HR_EXIT_OK;
}

int hr_cmd_rules(struct hr_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int quiet = ctx->quiet, c;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? HR_EXIT_USAGE : HR_EXIT_OK;
    }
    const char *sub = argv[1];
    argc--;
    argv++;
    if (strcmp(sub, "eval") == 0)
        return cmd_eval(ctx, argc, argv);
    if (strcmp(sub, "facts") == 0)
        return cmd_facts();
    if (strcmp(sub, "check") != 0) {
        log_warnx("rules: unknown subcommand '%s' (check, eval, facts)", sub);
        return HR_EXIT_USAGE;
    }
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (c) {
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return HR_EXIT_OK;
        default: usage(stderr); return HR_EXIT_USAGE;
        }
    }
    return cmd_check(argc - optind, argv + optind, quiet);
}
