/* cmd_profiles.c: `headroom profiles list|check|show` (docs/profiles.md). */
#include "cmd.h"
#include "hr_util.h"
#include "profile.h"
#include "settings.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DIRS 16

static int usage(FILE *f)
{
    fprintf(f,
            "Usage: headroom profiles list\n"
            "       headroom profiles check FILE...\n"
            "       headroom profiles show NAME\n"
            "Device profiles say how to read an agent that does not run headroomd\n"
            "(docs/profiles.md).  They are loaded from the directories of the setting\n"
            "profile-dirs ($HEADROOM_PROFILE_DIRS, colon-separated; a later directory's\n"
            "profile replaces an earlier one of the same name).\n"
            "\n"
            "list   every profile: name, priority, what it uses, its file, description\n"
            "check  parse each FILE; errors as FILE:LINE:COL: message; exit 0 clean,\n"
            "       3 errors, 1 a file cannot be read\n"
            "show   the profile NAME as headroom understood it\n");
    return f == stdout ? HR_EXIT_OK : HR_EXIT_USAGE;
}

/* Split the colon-separated DIRS (modified) into V; the count. */
static size_t split_dirs(char *dirs, const char **v)
{
    size_t n = 0;
    char *save = NULL;

    for (char *t = strtok_r(dirs, ":", &save); t && n < MAX_DIRS; t = strtok_r(NULL, ":", &save))
        v[n++] = t;
    return n;
}

static struct hr_profile_set *load_set(const struct hr_ctx *ctx)
{
    const char *v[MAX_DIRS];
    char *dirs = strdup(ctx->set->profile_dirs ? ctx->set->profile_dirs : "");
    char *errs = NULL;
    struct hr_profile_set *s;

    if (!dirs) {
        log_warnx("out of memory");
        return NULL;
    }
    s = hr_profile_set_load(v, split_dirs(dirs, v), &errs);
    if (!s) {
        /* Each line is already FILE:LINE:COL: message. */
        fputs(errs ? errs : "headroom: out of memory\n", stderr);
        log_warnx("profiles: fix the files above (profile-dirs: %s)", ctx->set->profile_dirs);
    }
    free(errs);
    free(dirs);
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
        const struct hr_prof_source *s = &p->src[f];
        if (!s->set)
            continue;
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
        putchar('\n');
    }
    for (size_t i = 0; i < p->ntables; i++) {
        const struct hr_prof_table *t = &p->tables[i];
        printf("%s ", t->kind == HR_PT_VOLUMES ? "volumes" : "writes");
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
