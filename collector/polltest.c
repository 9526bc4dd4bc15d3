/* polltest.c: hr-polltest, a driver for the poller engine used by the
 * tests and the benchmark (not installed).  It reads targets from a fleet
 * CSV (tests/fleet/gen_fleet.py writes one) or from the command line, runs
 * one hr_poll_run cycle and prints one line per target and per row in a
 * stable tab-separated format (see usage()). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "poller.h"
#include "hr_util.h"
#include "log.h"
#include "../profiles/device.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

struct opts {
    struct hr_target tmpl;
    struct hr_poll_opts po;
    unsigned repeat;
    int context_from_community;
    int quiet_rows;
    int show_cpu;
    unsigned set_index;         /* --set-reg: SET instead of polling */
    const char *set_value;
    const char *profile_dirs;   /* --profiles */
    unsigned slow_ms;           /* --slow-store */
};

struct stats {
    size_t n, by_status[HR_POLL_ERROR + 1], rows;
    int quiet_rows;
    unsigned slow_ms;   /* --slow-store: the first result takes this long */
};

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: hr-polltest [OPTIONS] (--csv FILE | HOST:PORT:COMMUNITY[:PROFILE]...)\n"
        "Poll SNMP agents once with headroom's poller and print what it read.\n"
        "\n"
        "  -f, --csv FILE          fleet CSV: customer_id,customer_name,address,port,community\n"
        "  -V, --snmp-version V    1, 2c (default) or 3\n"
        "  -u, --user NAME         SNMPv3 user\n"
        "  -l, --level L           noAuthNoPriv, authNoPriv, authPriv (default)\n"
        "  -a, --auth-proto P      MD5, SHA (default), SHA-256, ...\n"
        "  -A, --auth-pass S       SNMPv3 authentication passphrase\n"
        "  -x, --priv-proto P      DES, AES (default)\n"
        "  -X, --priv-pass S       SNMPv3 privacy passphrase\n"
        "  -C, --context-from-community  SNMPv3 context name = the community column\n"
        "  -t, --timeout MS        per request (default 1000)\n"
        "  -r, --retries N         per request (default 1)\n"
        "  -b, --budget MS         per target (default 10000)\n"
        "  -m, --max-rep N         GETBULK max-repetitions (default automatic)\n"
        "  -c, --concurrency N     agents in flight (default 256)\n"
        "  -p, --per-agent N       requests in flight per agent, 1 or 2 (default 1)\n"
        "  -n, --repeat N          poll every target N times in the same cycle\n"
        "  -q, --quiet             target lines only, no row lines\n"
        "      --slow-store MS     the first result's handling takes MS (a stalled store)\n"
        "  -R, --rusage            print '# cpu_us=... wall_us=... targets=...' at the end\n"
        "  -w, --write-community C SNMPv1/v2c community for --set-reg\n"
        "  -P, --profiles DIR[:DIR] read agents without HEADROOM-STORAGE-MIB through the\n"
        "                          device profiles of these directories\n"
        "  -F, --profile NAME      the targets' profile: auto (default), headroom, or a\n"
        "                          profile's name (HOST:PORT:COMMUNITY:PROFILE sets one)\n"
        "  -M, --max-rows N        rows per target (default 10000)\n"
        "  -H, --max-rows-held N   rows of all targets in flight (default 262144)\n"
        "  -S, --set-reg INDEX=REG instead of polling, SET hdrmDevRegNumber.INDEX to REG on\n"
        "                          every target and print 'S id ok|fail message'\n"
        "  -h, --help              this help\n"
        "\n"
        "Output (tab-separated, strings are sanitized and never hold tabs):\n"
        "  T id community host:port status rows requests rtt_ms started_ms finished_ms\n"
        "    sysuptime|- agent_version error\n"
        "  R id index flags serial name vendor model_name model_number product_number\n"
        "    firmware config capacity cache used|- used_pct writes|- peak peak_prev\n"
        "    window rate_avg sale_date|- price customer_id reg_number last_update|-\n"
        "  P id profile serial vendor model model_number product_number firmware\n"
        "    volumes_counted volumes capacity|- used|- counters writes_sum|-\n"
        "    volumes_from|- writes_from|- serial_raw|-   (a device read through a profile)\n"
        "  V id name size used flags                     (each of its volumes)\n"
        "flags: comma-separated used,sanitized,bad_type,missing_col,sale_date,\n"
        "last_update,writes,peak (or '-'); a volume's flags are read.h's HR_PV_* in hex.\n"
        "Exit status: 0 all targets ok, 4 some were not, 2 usage, 1 failure.\n");
}

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
    long long v;

    if (hr_parse_num(s, 0, max, &v, NULL) < 0)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static void print_flags(unsigned f)
{
    static const struct { unsigned bit; const char *name; } names[] = {
        { HR_ROW_USED_KNOWN, "used" }, { HR_ROW_SANITIZED, "sanitized" },
        { HR_ROW_BAD_TYPE, "bad_type" }, { HR_ROW_MISSING_COL, "missing_col" },
        { HR_ROW_SALE_DATE, "sale_date" }, { HR_ROW_LAST_UPDATE, "last_update" },
        { HR_ROW_WRITES, "writes" }, { HR_ROW_PEAK, "peak" },
        { HR_ROW_CAPACITY_KNOWN, "capacity" },
    };
    int any = 0;

    for (size_t i = 0; i < HR_ARRAY_LEN(names); i++)
        if (f & names[i].bit) {
            printf("%s%s", any ? "," : "", names[i].name);
            any = 1;
        }
    if (!any)
        printf("-");
}

static void print_row(int64_t id, const struct hr_dev_row *r)
{
    printf("R\t%" PRId64 "\t%" PRIu32 "\t", id, r->index);
    print_flags(r->flags);
    printf("\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%" PRIu64 "\t%" PRIu64 "\t",
           r->serial, r->name, r->vendor, r->model_name, r->model_number,
           r->product_number, r->firmware, r->config, r->capacity, r->cache_size);
    if (r->flags & HR_ROW_USED_KNOWN)
        printf("%" PRIu64, r->used);
    else
        printf("-");
    printf("\t%d\t", r->used_percent);
    if (r->flags & HR_ROW_WRITES)
        printf("%" PRIu64, r->writes);
    else
        printf("-");
    printf("\t%" PRIu32 "\t%" PRIu32 "\t%" PRIu32 "\t%" PRIu32 "\t",
           r->peak, r->peak_prev, r->window, r->rate_avg);
    if (r->flags & HR_ROW_SALE_DATE)
        printf("%" PRId64, r->sale_date);
    else
        printf("-");
    printf("\t%s\t%s\t%s\t", r->price, r->customer_id, r->reg_number);
    if (r->flags & HR_ROW_LAST_UPDATE)
        printf("%" PRId64, r->last_update);
    else
        printf("-");
    printf("\n");
}

static const char *dash(const char *s)
{
    return s && *s ? s : "-";
}

static void print_device(int64_t id, const struct hr_prof_device *d, int quiet)
{
    uint64_t sum = 0;

    printf("P\t%" PRId64 "\t%s", id, d->profile->name);
    for (int f = 0; f < HR_PF_COUNT; f++)
        printf("\t%s", dash(d->field[f]));
    printf("\t%zu\t%zu\t", d->counted, d->nvols);
    if (d->counted)
        printf("%" PRIu64 "\t%" PRIu64, d->capacity, d->used);
    else
        printf("-\t-");
    for (size_t i = 0; i < d->nctrs; i++)
        sum += d->ctrs[i].value;
    printf("\t%zu\t", d->nctrs);
    if (d->nctrs)
        printf("%" PRIu64, sum);
    else
        printf("-");
    printf("\t%s\t%s\t%s\n", d->volumes_from ? d->volumes_from->name : "-",
           d->writes_from ? d->writes_from->name : "-", dash(d->serial_raw));
    if (!quiet)
        for (size_t i = 0; i < d->nvols; i++)
            printf("V\t%" PRId64 "\t%s\t%" PRIu64 "\t%" PRIu64 "\t%x\n", id, d->vols[i].name,
                   d->vols[i].size, d->vols[i].used, d->vols[i].flags);
}

static void on_result(const struct hr_poll_result *r, void *arg)
{
    struct stats *st = arg;
    const struct hr_target *t = r->target;

    /* A store that stalls the loop (RRD files being created, a commit),
     * while the other agents' answers wait in their sockets. */
    if (st->n == 0 && st->slow_ms) {
        struct timespec ts = { st->slow_ms / 1000, (long)(st->slow_ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
            ;
    }
    st->n++;
    st->by_status[r->status]++;
    st->rows += r->n_rows;
    printf("T\t%" PRId64 "\t%s\t%s:%u\t%s\t%zu\t%u\t%.3f\t%" PRId64 "\t%" PRId64 "\t",
           t->id, t->version == HR_SNMP_V3 ? t->context : t->community, t->host,
           t->port ? t->port : 161, hr_poll_status_name(r->status), r->n_rows, r->requests,
           r->rtt_ms, r->started, r->finished);
    if (r->sysuptime_known)
        printf("%" PRIu32, r->sysuptime);
    else
        printf("-");
    printf("\t%s\t%s\n", r->agent_version, r->error);
    if (r->device)
        print_device(t->id, r->device, st->quiet_rows);
    if (!st->quiet_rows)
        for (size_t i = 0; i < r->n_rows; i++)
            print_row(t->id, &r->rows[i]);
}

struct tlist {
    struct hr_target *v;
    size_t n, cap;
};

static int tlist_add(struct tlist *l, const struct opts *o, const char *host,
                     unsigned port, const char *community, const char *profile)
{
    struct hr_target *t;

    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        struct hr_target *nv = realloc(l->v, nc * sizeof(*nv));
        if (!nv)
            return -1;
        l->v = nv;
        l->cap = nc;
    }
    t = &l->v[l->n++];
    *t = o->tmpl;
    t->id = (int64_t)l->n;
    hr_strlcpy(t->host, host, sizeof(t->host));
    t->port = (uint16_t)port;
    hr_strlcpy(t->community, community, sizeof(t->community));
    if (profile)
        hr_strlcpy(t->profile, profile, sizeof(t->profile));
    if (o->context_from_community)
        hr_strlcpy(t->context, community, sizeof(t->context));
    return 0;
}

/* HOST:PORT:COMMUNITY[:PROFILE] (HOST may not hold ':'). */
static int add_arg(struct tlist *l, const struct opts *o, char *s)
{
    char *p1 = strchr(s, ':'), *p2, *p3 = NULL;
    unsigned port;

    if (!p1 || !(p2 = strchr(p1 + 1, ':'))) {
        log_warnx("'%s': want HOST:PORT:COMMUNITY", s);
        return -1;
    }
    *p1 = *p2 = '\0';
    if ((p3 = strchr(p2 + 1, ':')))
        *p3++ = '\0';
    if (parse_uint(p1 + 1, 65535, &port) < 0 || port == 0) {
        log_warnx("'%s': bad port", p1 + 1);
        return -1;
    }
    return tlist_add(l, o, s, port, p2 + 1, p3);
}

static int read_csv(struct tlist *l, const struct opts *o, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    unsigned lineno = 0;

    if (!f) {
        log_warn("%s", path);
        return -1;
    }
    while (fgets(line, sizeof(line), f)) {
        char *fld[5], *p = line, *save = NULL;
        unsigned port, nf = 0;

        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (lineno == 1 && strncmp(line, "customer_id,", 12) == 0)
            continue;
        if (!*line || *line == '#')
            continue;
        for (char *tok = strtok_r(p, ",", &save); tok && nf < 5; tok = strtok_r(NULL, ",", &save))
            fld[nf++] = tok;
        if (nf != 5 || parse_uint(fld[3], 65535, &port) < 0 || port == 0) {
            log_warnx("%s:%u: want customer_id,customer_name,address,port,community", path, lineno);
            fclose(f);
            return -1;
        }
        if (tlist_add(l, o, fld[2], port, fld[4], NULL) < 0) {
            fclose(f);
            return -1;
        }
    }
    fclose(f);
    return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o, const char **csv)
{
    static const struct option lo[] = {
        { "csv", required_argument, NULL, 'f' },
        { "snmp-version", required_argument, NULL, 'V' },
        { "user", required_argument, NULL, 'u' },
        { "level", required_argument, NULL, 'l' },
        { "auth-proto", required_argument, NULL, 'a' },
        { "auth-pass", required_argument, NULL, 'A' },
        { "priv-proto", required_argument, NULL, 'x' },
        { "priv-pass", required_argument, NULL, 'X' },
        { "context-from-community", no_argument, NULL, 'C' },
        { "timeout", required_argument, NULL, 't' },
        { "retries", required_argument, NULL, 'r' },
        { "budget", required_argument, NULL, 'b' },
        { "max-rep", required_argument, NULL, 'm' },
        { "concurrency", required_argument, NULL, 'c' },
        { "per-agent", required_argument, NULL, 'p' },
        { "repeat", required_argument, NULL, 'n' },
        { "quiet", no_argument, NULL, 'q' },
        { "slow-store", required_argument, NULL, 1001 },
        { "rusage", no_argument, NULL, 'R' },
        { "write-community", required_argument, NULL, 'w' },
        { "set-reg", required_argument, NULL, 'S' },
        { "profiles", required_argument, NULL, 'P' },
        { "profile", required_argument, NULL, 'F' },
        { "max-rows", required_argument, NULL, 'M' },
        { "max-rows-held", required_argument, NULL, 'H' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct hr_target *t = &o->tmpl;
    int c, lv;

    while ((c = getopt_long(argc, argv, "f:V:u:l:a:A:x:X:Ct:r:b:m:c:p:n:qRw:S:P:F:M:H:h", lo, NULL)) != -1) {
        switch (c) {
        case 'f': *csv = optarg; break;
        case 'V':
            if (strcmp(optarg, "1") == 0) t->version = HR_SNMP_V1;
            else if (strcmp(optarg, "2c") == 0) t->version = HR_SNMP_V2C;
            else if (strcmp(optarg, "3") == 0) t->version = HR_SNMP_V3;
            else goto bad;
            break;
        case 'u': hr_strlcpy(t->sec_name, optarg, sizeof(t->sec_name)); break;
        case 'l':
            if ((lv = hr_snmp_level_parse(optarg)) < 0)
                goto bad;
            t->sec_level = lv;
            break;
        case 'a': hr_strlcpy(t->auth_proto, optarg, sizeof(t->auth_proto)); break;
        case 'A': hr_strlcpy(t->auth_pass, optarg, sizeof(t->auth_pass)); break;
        case 'x': hr_strlcpy(t->priv_proto, optarg, sizeof(t->priv_proto)); break;
        case 'X': hr_strlcpy(t->priv_pass, optarg, sizeof(t->priv_pass)); break;
        case 'C': o->context_from_community = 1; break;
        case 't': if (parse_uint(optarg, 600000, &t->timeout_ms) < 0) goto bad; break;
        case 'r': if (parse_uint(optarg, 20, &t->retries) < 0) goto bad; break;
        case 'b': if (parse_uint(optarg, 3600000, &t->budget_ms) < 0) goto bad; break;
        case 'm': if (parse_uint(optarg, 1000, &t->max_repetitions) < 0) goto bad; break;
        case 'c': if (parse_uint(optarg, 100000, &o->po.concurrency) < 0) goto bad; break;
        case 'p': if (parse_uint(optarg, 2, &o->po.per_agent) < 0) goto bad; break;
        case 'n': if (parse_uint(optarg, 100000, &o->repeat) < 0 || !o->repeat) goto bad; break;
        case 'q': o->quiet_rows = 1; break;
        case 1001: if (parse_uint(optarg, 60000, &o->slow_ms) < 0) goto bad; break;
        case 'R': o->show_cpu = 1; break;
        case 'w': hr_strlcpy(t->write_community, optarg, sizeof(t->write_community)); break;
        case 'S': {
            char *eq = strchr(optarg, '=');
            if (!eq)
                goto bad;
            *eq = '\0';
            if (parse_uint(optarg, 0xffffffffu, &o->set_index) < 0 || o->set_index == 0)
                goto bad;
            o->set_value = eq + 1;
            t->v3_write = 1;
            break;
        }
        case 'P': o->profile_dirs = optarg; break;
        case 'M': case 'H': {
            unsigned v;
            if (parse_uint(optarg, 10000000, &v) < 0)
                goto bad;
            *(c == 'M' ? &o->po.max_rows : &o->po.max_rows_held) = v;
            break;
        }
        case 'F':
            if (strlen(optarg) >= sizeof(t->profile))
                goto bad;
            hr_strlcpy(t->profile, optarg, sizeof(t->profile));
            break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return -1;
        }
    }
    return 0;
bad:
    log_warnx("bad value '%s' for -%c", optarg, c);
    return -1;
}

/* DIRS: directories separated by ':'. */
static int load_profiles(const char *dirs, struct hr_profile_set **out)
{
    char buf[4096], *save = NULL, *errs = NULL;
    const char *v[16];
    size_t nv = 0;

    hr_strlcpy(buf, dirs, sizeof(buf));
    for (char *t = strtok_r(buf, ":", &save); t && nv < HR_ARRAY_LEN(v); t = strtok_r(NULL, ":", &save))
        v[nv++] = t;
    if (!(*out = hr_profile_set_load(v, nv, &errs))) {
        log_warnx("device profiles: %s", errs ? errs : "out of memory");
        free(errs);
        return -1;
    }
    return 0;
}

static int64_t now_us(int clk)
{
    struct timespec ts;

    clock_gettime(clk, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
    struct opts o;
    struct tlist l = { 0 }, all = { 0 };
    struct stats st;
    const char *csv = NULL;
    struct hr_profile_set *set = NULL;
    int64_t w0, c0;
    int rc;

    memset(&o, 0, sizeof(o));
    memset(&st, 0, sizeof(st));
    o.tmpl.version = HR_SNMP_V2C;
    o.tmpl.sec_level = HR_SEC_AUTHPRIV;
    o.tmpl.retries = 1;
    o.repeat = 1;
    log_init("hr-polltest", 0, LOG_INFO);
    if (parse_opts(argc, argv, &o, &csv) < 0)
        return 2;
    st.slow_ms = o.slow_ms;
    if (csv && read_csv(&l, &o, csv) < 0)
        return 2;
    for (int i = optind; i < argc; i++)
        if (add_arg(&l, &o, argv[i]) < 0)
            return 2;
    if (l.n == 0) {
        log_warnx("no targets");
        usage(stderr);
        return 2;
    }
    /* --repeat: the same agents again, with ids continuing. */
    for (unsigned r = 0; r < o.repeat; r++)
        for (size_t i = 0; i < l.n; i++) {
            if (tlist_add(&all, &o, l.v[i].host, l.v[i].port, l.v[i].community,
                          l.v[i].profile) < 0)
                return 1;
            hr_strlcpy(all.v[all.n - 1].context, l.v[i].context, sizeof(all.v[0].context));
        }
    st.quiet_rows = o.quiet_rows;
    hr_snmp_init("hr-polltest");
    if (o.set_value) {
        size_t failed = 0;
        for (size_t i = 0; i < all.n; i++) {
            char err[256] = "";
            int r = hr_snmp_set_regnumber(&all.v[i], o.set_index, o.set_value, err, sizeof(err));
            printf("S\t%" PRId64 "\t%s\t%s\n", all.v[i].id, r == 0 ? "ok" : "fail", err);
            failed += r != 0;
        }
        free(l.v);
        free(all.v);
        return failed ? 4 : 0;
    }
    if (o.profile_dirs && load_profiles(o.profile_dirs, &set) < 0)
        return 1;
    o.po.profiles = set;
    w0 = now_us(CLOCK_MONOTONIC);
    c0 = now_us(CLOCK_PROCESS_CPUTIME_ID);
    rc = hr_poll_run(all.v, all.n, &o.po, on_result, &st);
    if (o.show_cpu)
        printf("# cpu_us=%" PRId64 " wall_us=%" PRId64 " targets=%zu ok=%zu timeout=%zu rows=%zu\n",
               now_us(CLOCK_PROCESS_CPUTIME_ID) - c0, now_us(CLOCK_MONOTONIC) - w0, st.n,
               st.by_status[HR_POLL_OK], st.by_status[HR_POLL_TIMEOUT], st.rows);
    fflush(stdout);
    free(l.v);
    free(all.v);
    hr_profile_set_free(set);
    if (rc < 0)
        return 1;
    return st.by_status[HR_POLL_OK] == st.n ? 0 : 4;
}
