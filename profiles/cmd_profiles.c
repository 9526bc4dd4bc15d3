/* cmd_profiles.c: `headroom profiles list|check|show` (docs/profiles.md). */
#include "cmd.h"
#include "device.h"
#include "hr_util.h"
#include "profile.h"
#include "settings.h"
#include "snmp.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


static int usage(FILE *f)
{
    fprintf(f,
            "Usage: headroom profiles list\n"
            "       headroom profiles check FILE...\n"
            "       headroom profiles show NAME\n"
            "       headroom profiles test [OPTIONS] HOST\n"
            "Device profiles say how to read an agent that does not run headroomd\n"
            "(docs/profiles.md).  They are loaded from the directories of the setting\n"
            "profile-dirs ($HEADROOM_PROFILE_DIRS, colon-separated; a later directory's\n"
            "profile replaces an earlier one of the same name).\n"
            "\n"
            "list   every profile: name, priority, what it uses, its file, description\n"
            "check  parse each FILE; errors as FILE:LINE:COL: message; exit 0 clean,\n"
            "       3 errors, 1 a file cannot be read\n"
            "show   the profile NAME as headroom understood it\n"
            "test   read the agent at HOST now, as the poller would: the profile that\n"
            "       matches, identity, every volume (counted or why not), capacity, used,\n"
            "       write counters; nothing is stored.  Options:\n"
            "         -v, --version 1|2c|3     SNMP version (default 2c)\n"
            "         -c, --community C        v1/v2c community (default public)\n"
            "         -u, --user U             v3 user\n"
            "         -l, --level L            noAuthNoPriv, authNoPriv, authPriv\n"
            "         -a, --auth-proto P       %s (default SHA)\n"
            "         -A, --auth-pass S        v3 auth passphrase\n"
            "         -x, --priv-proto P       %s (default AES)\n"
            "         -X, --priv-pass S        v3 privacy passphrase\n"
            "         -n, --context C          v3 context\n"
            "         -p, --port N             UDP port (default 161)\n"
            "         -t, --timeout S          seconds per request (default 2)\n"
            "         -r, --retries N          retries per request (default 1)\n"
            "             --profile NAME       read with NAME instead of detecting\n"
            "       exit 0 read, 1 no answer or no profile matches, 2 usage\n",
            hr_snmp_auth_names(), hr_snmp_priv_names());
    return f == stdout ? HR_EXIT_OK : HR_EXIT_USAGE;
}

static struct hr_profile_set *load_set(const struct hr_ctx *ctx)
{
    char *errs = NULL;
    struct hr_profile_set *s =
        hr_profile_set_load_path(ctx->set->profile_dirs ? ctx->set->profile_dirs : "", &errs);

    if (!s) {
        /* Each line is already FILE:LINE:COL: message. */
        fputs(errs ? errs : "headroom: out of memory\n", stderr);
        log_warnx("profiles: fix the files above (profile-dirs: %s)", ctx->set->profile_dirs);
    }
    free(errs);
    return s;
}

/* S as a quoted string the parser reads back (\" and \\ escaped). */
static void print_quoted(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            putchar('\\');
        putchar(*s);
    }
    putchar('"');
}

static void print_oid(const struct hr_prof_oid *o)
{
    char buf[HR_PROF_OID_MAX * 11 + 1];
    fputs(hr_prof_oid_format(o, buf, sizeof buf), stdout);
}

static void print_value(const char *what, const struct hr_prof_value *v)
{
    if (!v->col)
        return;
    printf("        %s %u", what, v->col);
    if (v->col_lo)
        printf(":%u", v->col_lo);
    if (v->text)
        fputs(" text", stdout);
    printf(" %s", hr_prof_scale_name(v->scale));
    if (v->scale == HR_PS_BLOCKS)
        printf(" %llu", (unsigned long long)v->block);
    putchar('\n');
}

static void show(const struct hr_profile *p)
{
    printf("profile %s ", p->name);
    print_quoted(p->description);
    printf("\n# from %s\n", p->path);
    if (p->nuses) {
        fputs("uses", stdout);
        for (size_t i = 0; i < p->nuses; i++)
            printf(" %s", p->uses[i]);
        putchar('\n');
    }
    printf("priority %d\n", p->priority);
    for (size_t i = 0; i < p->ndetects; i++) {
        const struct hr_prof_detect *d = &p->detects[i];
        switch (d->kind) {
        case HR_PD_SYSOBJECTID:
            fputs("detect sysobjectid", stdout);
            for (size_t k = 0; k < d->noids; k++) {
                putchar(' ');
                print_oid(&d->oids[k]);
            }
            break;
        case HR_PD_EXISTS:
        case HR_PD_NOT_EXISTS:
            fputs(d->kind == HR_PD_EXISTS ? "detect exists " : "detect not exists ", stdout);
            print_oid(&d->oids[0]);
            if (d->type)
                printf(" type %s", hr_prof_type_name(d->type));
            break;
        case HR_PD_SYSDESCR:
            fputs("detect sysdescr ", stdout);
            print_quoted(d->pattern);
            break;
        }
        putchar('\n');
    }
    for (int f = 0; f < HR_PF_COUNT; f++) {
        for (const struct hr_prof_source *s = &p->src[f]; s && s->set; s = s->next) {
            printf("%s ", hr_prof_field_name((enum hr_prof_field)f));
            if (s->constant) {
                print_quoted(s->constant);
                putchar('\n');
                continue;
            }
            print_oid(&s->oid);
            if (s->where) {
                fputs(" where ", stdout);
                print_oid(&s->where_col);
                fputs(" = ", stdout);
                print_quoted(s->where_value);
            }
            if (s->pattern) {
                fputs(" regex ", stdout);
                print_quoted(s->pattern);
            }
            if (s->map)
                printf(" map %s", s->map->name);
            putchar('\n');
        }
    }
    for (size_t i = 0; i < p->nmaps; i++) {
        printf("map %s {\n", p->maps[i].name);
        for (size_t k = 0; k < p->maps[i].n; k++) {
            fputs("        ", stdout);
            print_quoted(p->maps[i].v[k].key);
            putchar(' ');
            print_quoted(p->maps[i].v[k].value);
            putchar('\n');
        }
        puts("}");
    }
    for (size_t i = 0; i < p->ntables; i++) {
        const struct hr_prof_table *t = &p->tables[i];
        printf("%s ", t->kind == HR_TAB_VOLUMES ? "volumes" : "writes");
        print_oid(&t->entry);
        puts(" {");
        if (t->name_col)
            printf("        name %u\n", t->name_col);
        if (t->type_col) {
            printf("        type %u in", t->type_col);
            for (size_t k = 0; k < t->ntype_in; k++) {
                putchar(' ');
                if (t->type_in[k].len == 1)
                    printf("%u", (unsigned)t->type_in[k].sub[0]);
                else
                    print_oid(&t->type_in[k]);
            }
            putchar('\n');
        }
        if (t->unit_col)
            printf("        unit %u\n", t->unit_col);
        print_value("size", &t->size);
        print_value("used", &t->used);
        print_value("free", &t->free);
        if (t->count_col)
            printf("        count %u\n", t->count_col);
        for (size_t k = 0; k < t->nfilters; k++) {
            printf("        %s name ", t->filters[k].exclude ? "exclude" : "include");
            print_quoted(t->filters[k].pattern);
            putchar('\n');
        }
        if (t->keep_duplicates)
            puts("        keep duplicates");
        if (t->shared_pattern) {
            fputs("        shared-free name ", stdout);
            print_quoted(t->shared_pattern);
            putchar('\n');
        }
        puts("}");
    }
}

static int cmd_list(const struct hr_ctx *ctx)
{
    struct hr_profile_set *s = load_set(ctx);

    if (!s)
        return HR_EXIT_DATA;
    printf("%-18s %4s %-26s %s\n", "NAME", "PRIO", "USES", "DESCRIPTION (FILE)");
    for (size_t i = 0; i < hr_profile_set_count(s); i++) {
        const struct hr_profile *p = hr_profile_set_at(s, i);
        char uses[256] = "-";
        size_t n = 0;
        for (size_t k = 0; k < p->nuses && n < sizeof uses; k++) {
            int w = snprintf(uses + n, sizeof uses - n, "%s%s", k ? "," : "", p->uses[k]);
            if (w < 0)
                break;
            n += (size_t)w;
        }
        printf("%-18s %4d %-26s %s (%s)\n", p->name, p->priority, uses, p->description,
               p->path);
    }
    hr_profile_set_free(s);
    return HR_EXIT_OK;
}

static int cmd_check(int argc, char **argv)
{
    int rc = HR_EXIT_OK;

    if (argc < 1) {
        log_warnx("profiles check: no file given");
        return HR_EXIT_USAGE;
    }
    for (int i = 0; i < argc; i++) {
        char *errs = NULL;
        struct hr_profile *p = hr_profile_load(argv[i], &errs);
        if (p) {
            printf("%s: OK (profile %s)\n", argv[i], p->name);
            hr_profile_free(p);
            continue;
        }
        int e = errno;
        fputs(errs ? errs : "headroom: out of memory\n", stderr);
        /* Errors in the text are bad input (3); a file that cannot be read
         * is a failure (1), which wins. */
        if (e == EINVAL || e == EFBIG)
            rc = rc == HR_EXIT_FAIL ? rc : HR_EXIT_DATA;
        else
            rc = HR_EXIT_FAIL;
        free(errs);
    }
    return rc;
}

static void print_size(const char *label, uint64_t b)
{
    static const char *const u[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    double v = (double)b;
    int i = 0;

    while (v >= 1024 && i < 6) {
        v /= 1024;
        i++;
    }
    printf("%-12s%llu bytes (%.2f %s)\n", label, (unsigned long long)b, v, u[i]);
}

static const char *vol_why(unsigned flags)
{
    if (flags & HR_PV_BAD)
        return "not counted: a value is missing or not a number";
    if (flags & HR_PV_ZERO)
        return "not counted: size 0";
    if (flags & HR_PV_IMPLAUSIBLE)
        return "not counted: used above size";
    if (flags & HR_PV_DUPLICATE)
        return "not counted: repeats an earlier volume";
    if (flags & HR_PV_NEG_FIXED)
        return "counted (negative Integer32 size + 2^32)";
    if (flags & HR_PV_SHARED)
        return "counted (used; the free space once for its shared-free group)";
    return "counted";
}

static void print_device(const char *host, const struct hr_prof_device *d)
{
    printf("%-12s%s\n", "agent", host);
    printf("%-12s%s (priority %d)\n", "profile", d->profile->name, d->profile->priority);
    printf("%-12s", "reads");
    for (size_t i = 0; i < d->nfrom; i++)
        printf("%s%s", i ? ", " : "", d->from[i]->name);
    putchar('\n');
    for (int f = 0; f < HR_PF_COUNT; f++) {
        const char *v = d->field[f];
        if (f == HR_PF_SERIAL && !*v) {
            if (d->serial_placeholder)
                printf("%-12snone (the agent says '%s', a placeholder: not registered)\n",
                       "serial", d->serial_raw);
            else
                printf("%-12snone (not registered)\n", "serial");
            continue;
        }
        printf("%-12s%s\n", hr_prof_field_name((enum hr_prof_field)f), *v ? v : "-");
    }
    if (!d->volumes_from) {
        printf("%-12sunknown (no profile here reads capacity)\n", "capacity");
    } else {
        printf("%-12s%zu counted of %zu (from %s)\n", "volumes", d->counted, d->nvols,
               d->volumes_from->name);
        for (size_t i = 0; i < d->nvols; i++)
            printf("  %-30s %20llu %20llu  %s\n", d->vols[i].name,
                   (unsigned long long)d->vols[i].size, (unsigned long long)d->vols[i].used,
                   vol_why(d->vols[i].flags));
        if (d->counted) {
            print_size("capacity", d->capacity);
            print_size("used", d->used);
        } else {
            printf("%-12sunknown (no volume counted)\n", "capacity");
        }
    }
    if (!d->writes_from || d->nctrs == 0) {
        printf("%-12snone (no write counter here)\n", "writes");
    } else {
        printf("%-12s%zu counters (from %s):", "writes", d->nctrs, d->writes_from->name);
        for (size_t i = 0; i < d->nctrs; i++)
            printf(" %s=%llu%s", d->ctrs[i].name, (unsigned long long)d->ctrs[i].value,
                   d->ctrs[i].is64 ? "" : "(32-bit)");
        putchar('\n');
    }
}

static int cmd_test(const struct hr_ctx *ctx, int argc, char **argv)
{
    enum { O_PROFILE = 256 };
    static const struct option opts[] = {
        { "version", required_argument, NULL, 'v' },
        { "community", required_argument, NULL, 'c' },
        { "user", required_argument, NULL, 'u' },
        { "level", required_argument, NULL, 'l' },
        { "auth-proto", required_argument, NULL, 'a' },
        { "auth-pass", required_argument, NULL, 'A' },
        { "priv-proto", required_argument, NULL, 'x' },
        { "priv-pass", required_argument, NULL, 'X' },
        { "context", required_argument, NULL, 'n' },
        { "port", required_argument, NULL, 'p' },
        { "timeout", required_argument, NULL, 't' },
        { "retries", required_argument, NULL, 'r' },
        { "profile", required_argument, NULL, O_PROFILE },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct hr_snmp_cred cred = { .version = HR_SNMP_V2C, .community = "public",
                                 .sec_level = HR_SEC_NOAUTH };
    struct hr_snmp_peer peer = { .timeout_us = 2000000L, .retries = 1 };
    const char *named = NULL;
    char err[512];
    long long v;
    int c;

    optind = 0;
    while ((c = getopt_long(argc, argv, "+v:c:u:l:a:A:x:X:n:p:t:r:h", opts, NULL)) != -1) {
        switch (c) {
        case 'v':
            if ((cred.version = hr_snmp_version_parse(optarg)) < 0) {
                log_warnx("profiles test: --version: '%s' is not 1, 2c or 3", optarg);
                return HR_EXIT_USAGE;
            }
            break;
        case 'c': cred.community = optarg; break;
        case 'u': cred.sec_name = optarg; break;
        case 'l':
            if ((cred.sec_level = hr_snmp_level_parse(optarg)) < 0) {
                log_warnx("profiles test: --level: '%s' is not noAuthNoPriv, authNoPriv or "
                          "authPriv", optarg);
                return HR_EXIT_USAGE;
            }
            break;
        case 'a': cred.auth_proto = optarg; break;
        case 'A': cred.auth_pass = optarg; break;
        case 'x': cred.priv_proto = optarg; break;
        case 'X': cred.priv_pass = optarg; break;
        case 'n': cred.context = optarg; break;
        case 'p':
            if (hr_parse_num(optarg, 1, 65535, &v, NULL) < 0) {
                log_warnx("profiles test: --port: '%s' is not a number from 1 to 65535", optarg);
                return HR_EXIT_USAGE;
            }
            peer.port = (unsigned)v;
            break;
        case 't':
            if (hr_parse_num(optarg, 1, 60, &v, NULL) < 0) {
                log_warnx("profiles test: --timeout: '%s' is not a number from 1 to 60", optarg);
                return HR_EXIT_USAGE;
            }
            peer.timeout_us = (long)v * 1000000L;
            break;
        case 'r':
            if (hr_parse_num(optarg, 0, 10, &v, NULL) < 0) {
                log_warnx("profiles test: --retries: '%s' is not a number from 0 to 10", optarg);
                return HR_EXIT_USAGE;
            }
            peer.retries = (int)v;
            break;
        case O_PROFILE: named = optarg; break;
        case 'h': return usage(stdout);
        default: return usage(stderr);
        }
    }
    if (optind != argc - 1)
        return usage(stderr);
    peer.host = argv[optind];
    if (hr_snmp_cred_check(&cred, err, sizeof err) < 0) {
        log_warnx("profiles test: %s", err);
        return HR_EXIT_USAGE;
    }

    struct hr_profile_set *s = load_set(ctx);
    struct hr_prof_device d;
    void *ss;
    int rc = HR_EXIT_FAIL;

    if (!s)
        return HR_EXIT_DATA;
    hr_snmp_setup("headroom", HR_SNMP_LOG_ERRORS);
    if (!(ss = hr_snmp_open(&peer, &cred, HR_SNMP_PROBE, err, sizeof err))) {
        log_warnx("profiles test: %s: %s", peer.host, err);
        hr_profile_set_free(s);
        return HR_EXIT_FAIL;
    }
    if (hr_prof_read_sync(ss, s, named, &d, err, sizeof err) < 0) {
        log_warnx("profiles test: %s: %s", peer.host, err);
    } else {
        print_device(peer.host, &d);
        rc = HR_EXIT_OK;
    }
    hr_prof_device_free(&d);
    hr_snmp_close(ss);
    hr_profile_set_free(s);
    return rc;
}

int hr_cmd_profiles(struct hr_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1)
        return usage(c == 'h' ? stdout : stderr);
    argc -= optind;
    argv += optind;
    if (argc < 1)
        return usage(stderr);
    if (strcmp(argv[0], "list") == 0 && argc == 1)
        return cmd_list(ctx);
    if (strcmp(argv[0], "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    if (strcmp(argv[0], "test") == 0)
        return cmd_test(ctx, argc, argv);
    if (strcmp(argv[0], "show") == 0 && argc == 2) {
        struct hr_profile_set *s = load_set(ctx);
        const struct hr_profile *p;
        if (!s)
            return HR_EXIT_DATA;
        if (!(p = hr_profile_set_find(s, argv[1]))) {
            log_warnx("profiles show: no profile named '%s' (see 'headroom profiles list')",
                      argv[1]);
            hr_profile_set_free(s);
            return HR_EXIT_FAIL;
        }
        show(p);
        hr_profile_set_free(s);
        return HR_EXIT_OK;
    }
    return usage(stderr);
}
