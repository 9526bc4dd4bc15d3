/* poll.c: `headroom poll`: the poller engine (poller.c) glued to storage
 * (store.c), once or as a daemon spreading targets over the interval. */
#include "db.h"
#include "daily.h"
#include "inventory.h"
#include "cmd.h"
#include "hr_util.h"
#include "poller.h"
#include "profile.h"
#include "settings.h"
#include "store.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>


static volatile int stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

struct poll_cfg {
    const char *customer, *target, *rrd_dir, *rrdcached;
    unsigned concurrency, batch, interval, load_window;
    const struct hr_profile_set *profiles;
    int64_t now;                /* when the targets were loaded */
    long timeout_ms, retries, budget_ms;
    long raw_days, daily_years; /* retention (db/daily.h) */
    int daemon, no_rrd, no_setback;
};

static void poll_usage(FILE *f)
{
    fprintf(f,
        "Usage: headroom poll [OPTIONS]\n"
        "Poll the enabled targets once (or keep polling with --daemon) and store what\n"
        "they report: target state, devices, registrations, history rows, RRD files.\n"
        "\n"
        "  -C, --customer C      only the targets of customer C\n"
        "  -t, --target NAME|ID  only this target\n"
        "  -c, --concurrency N   agents in flight at once (default 512)\n"
        "  -T, --timeout MS      per request, overriding each target's timeout_ms\n"
        "  -r, --retries N       per request, overriding each target's retries\n"
        "  -B, --budget MS       at most this long per target per cycle (default 10000)\n"
        "  -R, --rrd-dir DIR     RRD files here (default $HEADROOM_RRD_DIR, else\n"
        "                        " HR_DEFAULT_RRD_DIR ")\n"
        "      --no-rrd          do not write RRD files\n"
        "  -a, --rrdcached ADDR  write through rrdcached (default $RRDCACHED_ADDRESS)\n"
        "      --batch N         results per database transaction (default 200)\n"
        "      --no-setback      do not write registration numbers back to agents\n"
        "      --load-window S   the window t of the load derived for devices read\n"
        "                        through profiles (default 60, as headroomd's)\n"
        "  -d, --daemon          keep polling; SIGTERM/SIGINT finish the batch and exit\n"
        "  -i, --interval S      seconds between two polls of a target (default 300);\n"
        "                        each target keeps a fixed phase within the interval,\n"
        "                        so the fleet is spread evenly over it\n"
        "\n"
        "Agents without HEADROOM-STORAGE-MIB are read through the device profiles\n"
        "(docs/profiles.md) of profile-dirs; each target's profile is set with\n"
        "'headroom fleet add --profile'.\n"
        "\n"
        "$HEADROOM_POLL_CONCURRENCY, _TIMEOUT, _RETRIES, _BUDGET and _INTERVAL (or\n"
        "the config file's poll-* keys) replace the defaults above; flags win.\n"
        "\n"
        "Each cycle prints one line: targets, ok, failed, devices, new, conflicts,\n"
        "seconds and CPU milliseconds.  Exit status: 0 all targets answered, 4 some\n"
        "failed, 1 the cycle could not run or was interrupted.\n");
}

/* A number option into a long (hr_opt_num logs the refusal). */
static int parse_uint(const char *opt, const char *s, long lo, long hi, long *out)
{
    long long v;

    if (hr_opt_num(opt, s, lo, hi, &v) < 0)
        return -1;
    *out = (long)v;
    return 0;
}

/* The settings (flag > environment > headroom.conf > default, checked
 * when they were loaded) give the defaults; the flags override them. */
static void poll_settings(struct poll_cfg *c, const struct hr_settings *s)
{
    c->rrd_dir = s->rrd_dir;
    if (s->rrdcached && *s->rrdcached)
        c->rrdcached = s->rrdcached;
    c->concurrency = (unsigned)s->poll_concurrency;
    c->interval = (unsigned)s->poll_interval_s;
    c->timeout_ms = s->poll_timeout_ms;
    c->retries = s->poll_retries;
    c->budget_ms = s->poll_budget_ms;
    c->raw_days = s->retention_raw_days;
    c->daily_years = s->retention_daily_years;
}

static int poll_args(const struct hr_settings *set, int argc, char **argv, struct poll_cfg *c)
{
    static const struct option opts[] = {
        { "customer", required_argument, NULL, 'C' },
        { "target", required_argument, NULL, 't' },
        { "concurrency", required_argument, NULL, 'c' },
        { "timeout", required_argument, NULL, 'T' },
        { "retries", required_argument, NULL, 'r' },
        { "budget", required_argument, NULL, 'B' },
        { "rrd-dir", required_argument, NULL, 'R' },
        { "no-rrd", no_argument, NULL, 'N' },
        { "rrdcached", required_argument, NULL, 'a' },
        { "batch", required_argument, NULL, 'b' },
        { "no-setback", no_argument, NULL, 'S' },
        { "load-window", required_argument, NULL, 'W' },
        { "daemon", no_argument, NULL, 'd' },
        { "interval", required_argument, NULL, 'i' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    long v;
    int ch;

    memset(c, 0, sizeof *c);
    c->timeout_ms = c->retries = c->budget_ms = -1;
    c->interval = 300;
    poll_settings(c, set);
    while ((ch = getopt_long(argc, argv, "C:t:c:T:r:B:R:a:di:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'C': c->customer = optarg; break;
        case 't': c->target = optarg; break;
        case 'c':
            if (parse_uint("--concurrency", optarg, 1, 65536, &v) < 0) return -1;
            c->concurrency = (unsigned)v;
            break;
        case 'T':
            if (parse_uint("--timeout", optarg, 10, 60000, &c->timeout_ms) < 0) return -1;
            break;
        case 'r':
            if (parse_uint("--retries", optarg, 0, 10, &c->retries) < 0) return -1;
            break;
        case 'B':
            if (parse_uint("--budget", optarg, 10, 600000, &c->budget_ms) < 0) return -1;
            break;
        case 'R': c->rrd_dir = optarg; break;
        case 'N': c->no_rrd = 1; break;
        case 'a': c->rrdcached = optarg; break;
        case 'b':
            if (parse_uint("--batch", optarg, 1, 1000000, &v) < 0) return -1;
            c->batch = (unsigned)v;
            break;
        case 'S': c->no_setback = 1; break;
        case 'W':
            if (parse_uint("--load-window", optarg, 1, 86400, &v) < 0) return -1;
            c->load_window = (unsigned)v;
            break;
        case 'd': c->daemon = 1; break;
        case 'i':
            if (parse_uint("--interval", optarg, 10, 86400, &v) < 0) return -1;
            c->interval = (unsigned)v;
            break;
        case 'h': poll_usage(stdout); return 1;
        default: poll_usage(stderr); return -1;
        }
    }
    if (optind != argc) {
        log_warnx("poll: unexpected argument '%s'", argv[optind]);
        return -1;
    }
    return 0;
}

/* ---- targets from the database ---------------------------------------------------- */

/* How long a detected profile is named before the target is detected again. */
#define REDETECT_S 86400

static void fill_target(const struct hr_db_target *r, const struct poll_cfg *c,
                        struct hr_target *t)
{
    memset(t, 0, sizeof *t);
    t->id = r->id;
    hr_strlcpy(t->host, r->address, sizeof t->host);
    t->port = (uint16_t)r->port;
    t->tcp = strcmp(r->transport, "tcp") == 0;
    t->version = strcmp(r->version, "1") == 0 ? HR_SNMP_V1
                 : strcmp(r->version, "3") == 0 ? HR_SNMP_V3 : HR_SNMP_V2C;
    hr_strlcpy(t->community, r->community, sizeof t->community);
    hr_strlcpy(t->write_community, r->write_community, sizeof t->write_community);
    hr_strlcpy(t->sec_name, r->v3_user, sizeof t->sec_name);
    /* Checked at import; anything else is the strictest level. */
    int lv = hr_snmp_level_parse(r->v3_level);
    t->sec_level = lv < 0 ? HR_SEC_AUTHPRIV : lv;
    hr_strlcpy(t->auth_proto, r->v3_auth_proto, sizeof t->auth_proto);
    hr_strlcpy(t->auth_pass, r->v3_auth_pass, sizeof t->auth_pass);
    hr_strlcpy(t->priv_proto, r->v3_priv_proto, sizeof t->priv_proto);
    hr_strlcpy(t->priv_pass, r->v3_priv_pass, sizeof t->priv_pass);
    hr_strlcpy(t->context, r->v3_context, sizeof t->context);
    t->v3_write = r->v3_write;
    t->timeout_ms = c->timeout_ms >= 0 ? (unsigned)c->timeout_ms : (unsigned)r->timeout_ms;
    t->retries = c->retries >= 0 ? (unsigned)c->retries : (unsigned)r->retries;
    t->budget_ms = c->budget_ms >= 0 ? (unsigned)c->budget_ms : 0;
    t->profile[0] = '\0';
    if (r->profile && *r->profile && strcmp(r->profile, "auto") != 0) {
        hr_strlcpy(t->profile, r->profile, sizeof t->profile);
    } else if (r->detected_profile && *r->detected_profile &&
               c->now - r->detected_time < REDETECT_S &&
               (strcmp(r->detected_profile, "headroom") == 0 ||
                hr_profile_set_find(c->profiles, r->detected_profile))) {
        /* Name what was detected: a Linux host costs 3 requests instead of
         * 6.  Detected again once a day (headroomd installed, firmware
         * replaced) and when it no longer reads (collector/store.c). */
        hr_strlcpy(t->profile, r->detected_profile, sizeof t->profile);
    }
}

struct target_list {
    const struct poll_cfg *c;
    struct hr_target *v;
    size_t n, cap;
    int oom;
};

static int add_target(void *arg, const struct hr_db_target *r)
{
    struct target_list *l = arg;

    if (hr_array_grow(&l->v, &l->cap, l->n + 1, sizeof *l->v) < 0) {
        l->oom = 1;
        return -1;
    }
    fill_target(r, l->c, &l->v[l->n++]);
    return 0;
}

/* The enabled targets, those that timed out last time first (db/
 * inventory.c); an empty list is valid (not NULL).  NULL on error. */
static struct hr_target *load_targets(struct hr_db *db, struct poll_cfg *c, size_t *n)
{
    struct target_list l = { .c = c };

    *n = 0;
    c->now = hr_now();
    if (hr_db_targets_foreach(db, c->customer, c->target, add_target, &l) < 0) {
        if (l.oom)
            hr_log(LOG_ERR, "out of memory loading targets");
        else
            hr_log(LOG_ERR, "database: %s", hr_db_errmsg(db));
        free(l.v);
        return NULL;
    }
    if (!l.v)
        return calloc(1, sizeof *l.v);   /* no targets: an empty, valid list */
    *n = l.n;
    return l.v;
}

static int cmp_target_id(const void *a, const void *b)
{
    int64_t x = ((const struct hr_target *)a)->id, y = ((const struct hr_target *)b)->id;
    return x < y ? -1 : x > y;
}

/* Registration write-back: the SETs go through the poller's asynchronous
 * engine, all at once (within the cycle's concurrency), so an agent that
 * drops them costs one timeout x (retries + 1) for the whole batch, not one
 * per SET.  Bounds, per cycle: SET_MAX_TARGET SETs per target and
 * SET_MAX_CYCLE in all (the rest are written in the next cycles: the agent
 * still differs).  Back-off: a registration whose last SET got no answer is
 * not tried again for SET_BACKOFF_S (the outcome and its time are in the
 * registrations table, so this holds across `headroom poll` runs); a
 * target whose SETs all timed out in a cycle skips its SETs for 1, 2, 4, ...
 * up to 64 cycles of this process. */
#define SET_MAX_TARGET  32
#define SET_MAX_CYCLE   1024
#define SET_BACKOFF_S   3600

struct set_backoff {
    int64_t target_id;
    unsigned fails;             /* cycles in a row with every SET timed out */
    unsigned skip;              /* cycles of this target still to skip */
};
static struct set_backoff *backoffs;
static size_t nbackoffs, capbackoffs;

static struct set_backoff *backoff_find(int64_t id, int add)
{
    for (size_t i = 0; i < nbackoffs; i++)
        if (backoffs[i].target_id == id)
            return &backoffs[i];
    if (!add || hr_array_grow(&backoffs, &capbackoffs, nbackoffs + 1, sizeof *backoffs) < 0)
        return NULL;
    memset(&backoffs[nbackoffs], 0, sizeof *backoffs);
    backoffs[nbackoffs].target_id = id;
    return &backoffs[nbackoffs++];
}

/* The last SET of REGNO timed out less than SET_BACKOFF_S ago. */
static int set_timed_out_recently(struct hr_db *db, const char *regno, int64_t now)
{
    char status[300];
    int64_t when;

    if (hr_db_registration_status(db, regno, status, sizeof status, &when) <= 0)
        return 0;
    return strstr(status, "SET timed out") && now - when < SET_BACKOFF_S;
}

static int cmp_setback_target(const void *a, const void *b)
{
    int64_t x = ((const struct hr_setback *)a)->target_id, y = ((const struct hr_setback *)b)->target_id;
    return x < y ? -1 : x > y;
}

/* After the polls: write registration numbers back to agents that lack or
 * differ (never inside the polling loop). */
static void do_setbacks(struct hr_db *db, struct hr_store *s, const struct poll_cfg *c,
                        const struct hr_target *t, size_t n)
{
    const struct hr_setback *sb0;
    size_t ns = hr_store_setbacks(s, &sb0), nj = 0, *src = NULL;
    struct hr_setback *sb = NULL;
    struct hr_set_job *jobs = NULL;
    struct hr_poll_opts po = { .concurrency = c->concurrency, .stop = &stop_flag };
    int64_t now = hr_db_now();

    if (ns == 0 || stop_flag)
        goto out;
    sb = malloc(ns * sizeof *sb);
    jobs = calloc(ns, sizeof *jobs);
    src = malloc(ns * sizeof *src);
    if (!sb || !jobs || !src) {
        hr_log(LOG_ERR, "out of memory writing registration numbers back");
        goto out;
    }
    memcpy(sb, sb0, ns * sizeof *sb);
    qsort(sb, ns, sizeof *sb, cmp_setback_target);
    for (size_t i = 0, per = 0; i < ns && nj < SET_MAX_CYCLE; i++) {
        struct hr_target key = { .id = sb[i].target_id };
        const struct hr_target *tg = bsearch(&key, t, n, sizeof *t, cmp_target_id);
        struct set_backoff *bo;

        per = i > 0 && sb[i - 1].target_id == sb[i].target_id ? per + 1 : 0;
        if (!tg || per >= SET_MAX_TARGET || set_timed_out_recently(db, sb[i].regno, now))
            continue;
        if (per == 0 && (bo = backoff_find(tg->id, 0)) != NULL && bo->skip > 0) {
            bo->skip--;
            hr_log(LOG_INFO, "target %" PRId64 ": registration write-back backs off "
                   "(%u cycles of SET timeouts)", tg->id, bo->fails);
            while (i + 1 < ns && sb[i + 1].target_id == sb[i].target_id)
                i++;
            continue;
        }
        jobs[nj].target = tg;
        jobs[nj].index = sb[i].index;
        hr_strlcpy(jobs[nj].regno, sb[i].regno, sizeof jobs[nj].regno);
        src[nj++] = i;
    }
    if (nj && hr_poll_set_run(jobs, nj, &po) < 0) {
        hr_log(LOG_ERR, "registration write-back failed");
        goto out;
    }
    for (size_t j = 0; j < nj; j++) {
        int all_timed_out = 1;
        size_t k;

        hr_store_setback_done(s, &sb[src[j]], jobs[j].ok, jobs[j].error);
        if (j > 0 && jobs[j - 1].target == jobs[j].target)
            continue;
        for (k = j; k < nj && jobs[k].target == jobs[j].target; k++)
            all_timed_out &= jobs[k].timed_out;
        struct set_backoff *bo = backoff_find(jobs[j].target->id, all_timed_out);
        if (bo && all_timed_out) {
            bo->fails++;
            bo->skip = bo->fails >= 7 ? 64 : 1u << (bo->fails - 1);
        } else if (bo) {
            bo->fails = bo->skip = 0;
        }
    }
out:
    hr_store_clear_setbacks(s);
    free(sb);
    free(jobs);
    free(src);
}

static double cpu_ms(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) < 0)
        return 0;
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static double mono_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void summary(const struct hr_store_stats *s, double secs, double cpu)
{
    unsigned polls = s->devices ? s->devices : 1;

    printf("cycle: %u targets, %u ok, %u failed, %u devices (%u new, %u registered, "
           "%u conflicts), %u rrd updates, %.2f s, cpu %.1f ms (%.3f ms per device)\n",
           s->targets, s->ok, s->failed, s->devices, s->new_devices, s->registered,
           s->conflicts, s->rrd_updates, secs, cpu, cpu / polls);
    /* One sample per device per second: a cycle that starts within the
     * second of the previous one stores nothing new for those devices. */
    if (s->same_second)
        printf("cycle: %u device rows not stored: already sampled in this second\n",
               s->same_second);
    fflush(stdout);
}

/* Poll targets [FROM, TO) of T once and store the results. */
static int run_slice(struct hr_store *s, const struct poll_cfg *c, const struct hr_target *t,
                     size_t n)
{
    struct hr_poll_opts po = { .concurrency = c->concurrency, .stop = &stop_flag,
                               .profiles = c->profiles };
    int rc = 0;

    if (n == 0)
        return 0;
    if (hr_poll_run(t, n, &po, hr_store_result, s) < 0) {
        hr_log(LOG_ERR, "poll cycle failed");
        rc = -1;
    }
    if (hr_store_flush(s) < 0)
        rc = -1;
    return rc;
}

/* The retention policy, after a slice of polls (outside its batches): a
 * tenth of the slice's share of the interval, at most 5 s, so pruning and
 * packing never hold the poller up for long; what is left waits for the
 * next slice. */
static void prune_history(struct hr_db *db, const struct poll_cfg *c, unsigned nslots)
{
    long budget = (long)c->interval * 1000 / 10 / (nslots ? nslots : 1);
    int64_t raw, days, packed;

    if (hr_db_retention_apply(db, hr_db_now(), c->raw_days, c->daily_years,
                              budget < 5000 ? budget : 5000, &raw, &days, &packed) < 0) {
        hr_log(LOG_ERR, "history retention: %s", hr_db_errmsg(db));
        return;
    }
    if (raw || days)
        hr_log(LOG_INFO, "history retention: %" PRId64 " raw polls and %" PRId64
               " daily records pruned", raw, days);
    if (packed)
        hr_log(LOG_DEBUG, "history: %" PRId64 " raw polls packed", packed);
}

static int one_cycle(struct hr_db *db, struct hr_store *s, struct poll_cfg *c)
{
    size_t n;
    struct hr_target *t = load_targets(db, c, &n);
    double t0 = mono_s(), c0 = cpu_ms();
    int rc;

    if (!t)
        return HR_EXIT_FAIL;
    if (n == 0)
        hr_log(LOG_WARNING, "no enabled targets%s%s%s%s", c->customer ? " of customer " : "",
               c->customer ? c->customer : "", c->target ? " named " : "",
               c->target ? c->target : "");
    hr_store_reset_stats(s);
    rc = run_slice(s, c, t, n);
    if (!c->no_setback)
        do_setbacks(db, s, c, t, n);
    summary(hr_store_stats(s), mono_s() - t0, cpu_ms() - c0);
    if (!stop_flag)
        prune_history(db, c, 1);
    free(t);
    if (rc < 0 || stop_flag)
        return HR_EXIT_FAIL;
    return hr_store_stats(s)->failed ? HR_EXIT_PARTIAL : HR_EXIT_OK;
}

/* A target's fixed phase within the interval, from its id, so that its
 * polls stay one interval apart and the fleet spreads evenly. */
static unsigned phase_slot(int64_t id, unsigned nslots)
{
    uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull;
    return (unsigned)((h >> 32) % nslots);
}

static void sleep_until(double when)
{
    while (!stop_flag) {
        double left = when - mono_s();
        if (left <= 0)
            return;
        struct timespec ts = { (time_t)left, (long)((left - (double)(time_t)left) * 1e9) };
        nanosleep(&ts, NULL);   /* a signal cuts it short: stop_flag is checked */
    }
}

static int daemon_loop(struct hr_db *db, struct hr_store *s, struct poll_cfg *c)
{
    /* Slots of about 10 s: a target is polled at the start of its slot. */
    unsigned nslots = c->interval >= 20 ? c->interval / 10 : 1;
    double slot_len = (double)c->interval / nslots;

    hr_log(LOG_NOTICE, "polling every %u s in %u slots", c->interval, nslots);
    while (!stop_flag) {
        double start = mono_s(), c0 = cpu_ms();
        size_t n, m;
        struct hr_target *t = load_targets(db, c, &n), *sl;

        if (!t)
            return HR_EXIT_FAIL;
        sl = malloc((n ? n : 1) * sizeof *sl);
        if (!sl) {
            free(t);
            return HR_EXIT_FAIL;
        }
        hr_store_reset_stats(s);
        for (unsigned k = 0; k < nslots && !stop_flag; k++) {
            sleep_until(start + k * slot_len);
            m = 0;
            for (size_t i = 0; i < n; i++)
                if (phase_slot(t[i].id, nslots) == k)
                    sl[m++] = t[i];
            run_slice(s, c, sl, m);
            if (!c->no_setback)
                do_setbacks(db, s, c, t, n);
            if (!stop_flag)
                prune_history(db, c, nslots);
        }
        if (!stop_flag)
            summary(hr_store_stats(s), mono_s() - start, cpu_ms() - c0);
        free(sl);
        free(t);
        sleep_until(start + c->interval);
    }
    hr_log(LOG_NOTICE, "stopping: batch committed");
    return HR_EXIT_OK;
}

int hr_cmd_poll(struct hr_ctx *ctx, int argc, char **argv)
{
    struct poll_cfg c;
    struct hr_store_opts so = { 0 };
    struct sigaction sa;
    struct hr_profile_set *set;
    struct hr_store *s;
    char err[512], *errs = NULL;
    struct hr_db *db;
    int rc;

    rc = poll_args(ctx->set, argc, argv, &c);
    if (rc != 0)
        return rc > 0 ? HR_EXIT_OK : HR_EXIT_USAGE;
    /* The profiles once, before any target is polled: a broken file is
     * the admin's to fix, not a reason to poll half the fleet. */
    if (!(set = hr_profile_set_load_path(ctx->set->profile_dirs, &errs))) {
        char *save = NULL;
        for (char *l = strtok_r(errs, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
            log_warnx("%s", l);
        if (!errs)
            log_warnx("out of memory loading the profiles");
        log_warnx("poll: fix the profiles above (profile-dirs: %s)",
                  ctx->set->profile_dirs ? ctx->set->profile_dirs : "");
        free(errs);
        return HR_EXIT_DATA;
    }
    c.profiles = set;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a signal must cut poll(2) and nanosleep short. */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (hr_db_open_ctx(ctx, 0, &db) < 0) {
        hr_profile_set_free(set);
        return HR_EXIT_FAIL;
    }
    so.rrd_dir = c.no_rrd ? NULL : c.rrd_dir;
    so.rrdcached = c.rrdcached;
    so.batch = c.batch;
    so.load_window = c.load_window;
    s = hr_store_new(db, &so, err, sizeof err);
    if (!s) {
        hr_log(LOG_ERR, "%s", err);
        hr_db_close(db);
        hr_profile_set_free(set);
        return HR_EXIT_FAIL;
    }
    hr_snmp_init("headroom");
    rc = c.daemon ? daemon_loop(db, s, &c) : one_cycle(db, s, &c);
    hr_store_free(s);
    hr_db_close(db);
    hr_profile_set_free(set);
    return rc;
}
