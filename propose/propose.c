/* propose.c: `headroom propose` and `headroom proposals`.
 *
 * propose evaluates the rules over the fleet (hr_facts_db_foreach), lets
 * hr_rule_decide apply hysteresis and cooldown with the state kept per
 * (device, rule) in rule_state, and records every firing as a proposal:
 *
 *   new -> queued (its mail is in the outbox) -> sent | failed
 *   suppressed (reason: no consent, no recipient, sku unknown)
 *
 * A rule that is true but in cooldown or not rearmed makes no proposal
 * row (the table would grow every cycle); rule_state.last_decision says
 * so.  The whole run is one transaction: proposals, stock answers, flap
 * state and outbox rows are committed together or not at all.  Then the
 * outbox is flushed through `headroom mail flush` with the same transport
 * settings, and the outbox trigger of schema step 5 moves each proposal
 * to sent or failed with its message.  docs/proposals.md has the details. */
#include "cmd.h"
#include "hr_util.h"
#include "hr_graph.h"
#include "db.h"
#include "inventory.h"
#include "propose_db.h"
#include "facts_db.h"
#include "lang.h"
#include "mail.h"
#include "outbox.h"
#include "proposal_mail.h"
#include "route.h"
#include "settings.h"
#include "stock.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAX_ADMIN 8

/* A device with at least one firing: its read model, copied once (the
 * loader's lives only during the callback), and its graph, drawn at most
 * once per run and only for a device with mail to go: asked of the
 * graph pool as soon as the walk knows that, taken when its mail is
 * composed. */
struct pdev {
    struct hr_device *dev;
    long job;           /* its graph's job in the pool; -1 none asked */
    unsigned char *png;
    size_t pnglen;
    char alt[256];      /* the graph's text alternative */
    int graphed;        /* the job was taken */
};

/* One firing of a rule on a device. */
struct prop {
    struct pdev *pd;    /* the run's (struct run.devs) */
    const struct hr_device *dev;    /* pd->dev */
    int64_t id;
    char *rule, *family, *severity, *why, *subject, *text;
    char *skus[HR_RULES_MAX_SKUS];
    size_t nskus;
    int sku_unknown;
    struct hr_forecast fc;
    /* filled when routed */
    const char *reason;
    struct hr_route route;
    struct hr_stock_result stock[HR_RULES_MAX_SKUS];
    char *product_name, *product_line, *options, *supplies;
    int64_t rated_window;
};

struct opts {
    const char *rules, *customer, *device, *fallback, *from, *rrd_dir, *domain;
    const char *admin_cc[MAX_ADMIN];
    size_t nadmin_cc;
    char admin_env[4096];           /* $HEADROOM_ADMIN_CC, split in place */
    int no_admin_cc, no_mail, dry_run;
    int64_t now;
    struct hr_mail_transport t;     /* for the flush, as `mail flush` takes it */
};

struct customer {
    char *id, *name, *area_code, *assigned;
    int consent;
};

struct run {
    const struct opts *o;
    const struct hr_ctx *ctx;
    struct hr_db *db;
    int64_t device_id;              /* --device: the one device; 0 all */
    struct hr_ruleset *rs;
    struct prop *p;
    size_t np, cap;
    struct pdev **devs;
    size_t ndevs, capdevs;
    struct hr_graph_pool *pool;     /* NULL in a dry run */
    const struct hr_staff *staff;   /* routing, during the walk */
    size_t nstaff;
    struct customer cust;           /* the walk's customer (its devices are adjacent) */
    unsigned graphs;
    unsigned devices, fired, cooldown, not_rearmed;
    int oom;
};

/* ---- usage and options ---- */

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: headroom propose [OPTIONS]\n"
        "Evaluate the rules over the fleet, record proposals (hysteresis and cooldown\n"
        "per device and rule), route them to the right sales person and mail them,\n"
        "one mail per customer and recipient.\n"
        "\n"
        "  -r, --rules FILE        rule file (default $HEADROOM_RULES, else\n"
        "                          " HEADROOM_DATADIR "/headroom/default.rules)\n"
        "  -C, --customer C        only this customer (id or name)\n"
        "  -D, --device DEVICE     only this device (a serial, or its name without one)\n"
        "  -t, --at TIME           evaluate as of TIME (YYYY-MM-DD or Unix time)\n"
        "  -n, --dry-run           print what would be proposed; change nothing\n"
        "      --no-mail           record and queue, but do not flush the outbox\n"
        "      --fallback ADDR     recipient when routing finds nobody (default\n"
        "                          $HEADROOM_FALLBACK_TO)\n"
        "      --admin-cc ADDR     copy this administrator (repeatable; default:\n"
        "                          $HEADROOM_ADMIN_CC, comma-separated, else staff\n"
        "                          with role admin)\n"
        "      --no-admin-cc       copy nobody\n"
        "      --from ADDR         sender (default $HEADROOM_MAIL_FROM, else\n"
        "                          headroom@localhost.localdomain)\n"
        "      --domain DOMAIN     right side of Message-IDs\n"
        "  -R, --rrd-dir DIR       devices' RRD files (default $HEADROOM_RRD_DIR,\n"
        "                          else " HR_DEFAULT_RRD_DIR ")\n"
        "Transport for the flush, as for 'headroom mail flush': --smtp-host,\n"
        "--smtp-port, --starttls, --tls-ca, --smtp-user, --smtp-password-file,\n"
        "--timeout, --helo, --maildir (and the HEADROOM_SMTP_* variables).\n"
        "  -h, --help\n"
        "\n"
        "Exit status: 0 done, 1 failure, 2 usage, 3 bad rule file, 4 mail stayed\n"
        "queued or failed.\n");
}

enum { O_NOMAIL = 256, O_FALLBACK, O_ADMINCC, O_NOADMINCC, O_FROM, O_DOMAIN,
       O_FWD_ARG, O_FWD_NOARG };

static int parse_opts(const struct hr_settings *set, int argc, char **argv, struct opts *o)
{
    static const struct option opts[] = {
        { "rules", required_argument, NULL, 'r' },
        { "customer", required_argument, NULL, 'C' },
        { "device", required_argument, NULL, 'D' },
        { "at", required_argument, NULL, 't' },
        { "dry-run", no_argument, NULL, 'n' },
        { "no-mail", no_argument, NULL, O_NOMAIL },
        { "fallback", required_argument, NULL, O_FALLBACK },
        { "admin-cc", required_argument, NULL, O_ADMINCC },
        { "no-admin-cc", no_argument, NULL, O_NOADMINCC },
        { "from", required_argument, NULL, O_FROM },
        { "domain", required_argument, NULL, O_DOMAIN },
        { "rrd-dir", required_argument, NULL, 'R' },
        /* forwarded to `mail flush` */
        { "smtp-host", required_argument, NULL, O_FWD_ARG },
        { "smtp-port", required_argument, NULL, O_FWD_ARG },
        { "starttls", required_argument, NULL, O_FWD_ARG },
        { "tls-ca", required_argument, NULL, O_FWD_ARG },
        { "smtp-user", required_argument, NULL, O_FWD_ARG },
        { "smtp-password-file", required_argument, NULL, O_FWD_ARG },
        { "timeout", required_argument, NULL, O_FWD_ARG },
        { "helo", required_argument, NULL, O_FWD_ARG },
        { "maildir", required_argument, NULL, O_FWD_ARG },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *e;
    int c, idx;

    o->rules = set->rules;
    o->fallback = set->fallback_to && *set->fallback_to ? set->fallback_to : NULL;
    o->from = set->mail_from;
    o->rrd_dir = set->rrd_dir;
    o->now = (int64_t)hr_now();
    hr_mail_transport_defaults(&o->t, set);
    while ((c = getopt_long(argc, argv, "r:C:D:t:nR:h", opts, &idx)) != -1) {
        switch (c) {
        case 'r': o->rules = optarg; break;
        case 'C': o->customer = optarg; break;
        case 'D': o->device = optarg; break;
        case 't':
            if (hr_parse_time(optarg, &o->now) < 0) {
                log_warnx("propose: --at '%s': want YYYY-MM-DD[THH:MM[:SS]] or Unix time",
                          optarg);
                return HR_EXIT_USAGE;
            }
            break;
        case 'n': o->dry_run = 1; break;
        case 'R': o->rrd_dir = optarg; break;
        case O_NOMAIL: o->no_mail = 1; break;
        case O_FALLBACK: o->fallback = optarg; break;
        case O_ADMINCC:
            if (o->nadmin_cc >= MAX_ADMIN) {
                log_warnx("propose: at most %d --admin-cc", MAX_ADMIN);
                return HR_EXIT_USAGE;
            }
            o->admin_cc[o->nadmin_cc++] = optarg;
            break;
        case O_NOADMINCC: o->no_admin_cc = 1; break;
        case O_FROM: o->from = optarg; break;
        case O_DOMAIN: o->domain = optarg; break;
        case O_FWD_ARG:
            if (hr_mail_transport_option(&o->t, opts[idx].name, optarg) < 0)
                return HR_EXIT_USAGE;
            break;
        case 'h': usage(stdout); return HR_EXIT_OK;
        default: usage(stderr); return HR_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        log_warnx("propose: unexpected argument '%s'", argv[optind]);
        return HR_EXIT_USAGE;
    }
    /* The administrators to copy: --admin-cc, else $HEADROOM_ADMIN_CC (the
     * config key admin-cc: comma-separated), else staff with role admin. */
    e = set->admin_cc;
    if (o->nadmin_cc == 0 && e && *e) {
        char *save = NULL, *tok;
        if (hr_strlcpy(o->admin_env, e, sizeof o->admin_env) >= sizeof o->admin_env) {
            log_warnx("propose: HEADROOM_ADMIN_CC is too long");
            return HR_EXIT_USAGE;
        }
        for (tok = strtok_r(o->admin_env, ", \t", &save); tok;
             tok = strtok_r(NULL, ", \t", &save)) {
            if (o->nadmin_cc >= MAX_ADMIN) {
                log_warnx("propose: HEADROOM_ADMIN_CC: at most %d addresses", MAX_ADMIN);
                return HR_EXIT_USAGE;
            }
            o->admin_cc[o->nadmin_cc++] = tok;
        }
    }
    const char *addrs[] = { o->from, o->fallback };
    for (size_t i = 0; i < HR_ARRAY_LEN(addrs); i++)
        if (addrs[i] && !hr_mail_addr_valid(addrs[i])) {
            log_warnx("propose: '%s' is not a valid mail address", addrs[i]);
            return HR_EXIT_USAGE;
        }
    for (size_t i = 0; i < o->nadmin_cc; i++)
        if (!hr_mail_addr_valid(o->admin_cc[i])) {
            log_warnx("propose: admin cc '%s' is not a valid mail address", o->admin_cc[i]);
            return HR_EXIT_USAGE;
        }
    return -1;
}

/* A device string for the terminal: a serial may hold CR, LF or escape
 * sequences (hr_sanitize makes them U+FFFD). */
static const char *clean(const char *s, char *buf, size_t sz)
{
    hr_sanitize(buf, sz, s ? s : "", strlen(s ? s : ""));
    return buf;
}

/* ---- proposals in memory ---- */

static void prop_free(struct prop *p)
{
    char *s[] = { p->rule, p->family, p->severity, p->why, p->subject, p->text,
                  p->product_name, p->product_line, p->options, p->supplies };
    for (size_t i = 0; i < HR_ARRAY_LEN(s); i++)
        free(s[i]);
    for (size_t i = 0; i < p->nskus; i++) {
        free(p->skus[i]);
        hr_stock_result_free(&p->stock[i]);
    }
}

static void pdev_free(struct pdev *pd)
{
    if (!pd)
        return;
    hr_device_free(pd->dev);
    free(pd->png);
    free(pd);
}

/* The run's copy of D: the last one made when the walk is still on D. */
static struct pdev *pdev_of(struct run *R, const struct hr_device *d)
{
    struct pdev *pd;

    if (R->ndevs && R->devs[R->ndevs - 1]->dev->id == d->id)
        return R->devs[R->ndevs - 1];
    if (hr_array_grow(&R->devs, &R->capdevs, R->ndevs + 1, sizeof *R->devs) < 0)
        return NULL;
    if (!(pd = calloc(1, sizeof *pd)))
        return NULL;
    pd->job = -1;
    if (!(pd->dev = hr_device_copy(d, HR_DEVICE_COPY_ALL))) {
        free(pd);
        return NULL;
    }
    R->devs[R->ndevs++] = pd;
    return pd;
}

/* A string for a NOT NULL column or the mail: "" for unknown. */
static const char *nn(const char *s)
{
    return s ? s : "";
}

static char *dup0(const char *s, int *oom)
{
    char *d = strdup(s ? s : "");

    if (!d)
        *oom = 1;
    return d;
}

/* A template expansion carries device strings (a serial with CR LF):
 * subject and proposal are one line each, in the mail and the database. */
static char *one_line(char *s)
{
    char *o;
    size_t n;

    if (!s)
        return NULL;
    n = strlen(s);
    /* U+FFFD is 3 bytes for each replaced control byte. */
    if ((o = malloc(n * 3 + 1)))
        hr_sanitize(o, n * 3 + 1, s, n);
    free(s);
    return o;
}

/* Copy what a firing needs out of the facts. */
static int prop_make(struct run *R, const struct hr_device *d, const struct hr_rule *r, struct hr_evalctx *ec,
                     const struct hr_rule_result *res)
{
    struct prop *p;
    char why[2048];
    int oom = 0;

    if (hr_array_grow(&R->p, &R->cap, R->np + 1, sizeof *R->p) < 0)
        return -1;
    p = &R->p[R->np];
    memset(p, 0, sizeof *p);
    if (!(p->pd = pdev_of(R, d)))
        return -1;
    p->dev = p->pd->dev;
    p->rule = dup0(hr_rule_name(r), &oom);
    p->family = dup0(hr_rule_family(r), &oom);
    p->severity = dup0(hr_rule_severity(r), &oom);
    hr_rule_why_format(res, why, sizeof why);
    p->why = dup0(why, &oom);
    p->subject = one_line(hr_rule_subject(r, ec));
    p->text = one_line(hr_rule_proposal(r, ec));
    if (!p->subject || !p->text)
        oom = 1;
    for (size_t i = 0; i < hr_rule_sku_count(r) && i < HR_RULES_MAX_SKUS; i++) {
        errno = 0;
        char *s = hr_rule_sku(r, i, ec);
        if (!s) {
            if (errno != ENODATA)
                oom = 1;
            p->sku_unknown = 1;
            continue;
        }
        p->skus[p->nskus++] = s;
    }
    if (hr_forecast_compute(d->hist, d->n_hist, d->f.now, &d->f.fc, &p->fc) < 0)
        oom = 1;
    R->np++;    /* counted even on failure, so prop_free sees it */
    return oom ? -1 : 0;
}

/* ---- routing, stock and records ---- */

static void customer_free(struct customer *c)
{
    free(c->id);
    free(c->name);
    free(c->area_code);
    free(c->assigned);
    memset(c, 0, sizeof *c);
}

static int customer_load(struct hr_db *db, const char *id, struct customer *c)
{
    char *name = NULL, *area = NULL, *assigned = NULL;
    int oom = 0, rc;

    memset(c, 0, sizeof *c);
    rc = hr_db_customer_routing(db, id, &name, &area, &assigned, &c->consent);
    c->id = dup0(id, &oom);
    c->name = dup0(name, &oom);
    c->area_code = dup0(area, &oom);
    c->assigned = dup0(assigned, &oom);
    free(name);
    free(area);
    free(assigned);
    /* A device whose customer row is gone has no consent on record. */
    if (rc <= 0)
        c->consent = 0;
    return oom || rc < 0 ? -1 : 0;
}

/* Catalogue data of P's model: product line (routing), options and
 * supplies (mail).  Unknown models leave them NULL. */
static int catalog_load(struct hr_db *db, struct prop *p)
{
    struct hr_db_product cp = { 0 };
    int oom = 0, rc;

    rc = hr_db_catalog_product(db, nn(p->dev->model_number), &cp);
    if (rc > 0) {
        p->product_name = dup0(cp.name, &oom);
        p->product_line = dup0(cp.product_line, &oom);
        p->options = dup0(cp.options, &oom);
        p->supplies = dup0(cp.supplies, &oom);
        p->rated_window = cp.rated_window;
    }
    free(cp.name);
    free(cp.product_line);
    free(cp.options);
    free(cp.supplies);
    return oom || rc < 0 ? -1 : 0;
}

static int stock_load(struct run *R, struct prop *p, char *err, size_t errlen)
{
    for (size_t i = 0; i < p->nskus; i++)
        if (hr_stock_lookup(R->db, p->skus[i], 1, hr_day_of(R->o->now), &p->stock[i], err,
                            errlen) < 0)
            return -1;
    return 0;
}

static char *join_skus(const struct prop *p)
{
    size_t n = 1;
    char *s;

    for (size_t i = 0; i < p->nskus; i++)
        n += strlen(p->skus[i]) + 1;
    if (!(s = calloc(1, n)))
        return NULL;
    for (size_t i = 0; i < p->nskus; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, p->skus[i]);
    }
    return s;
}

static int insert_stock(struct run *R, const struct prop *p)
{
    char date[16];

    for (size_t i = 0; i < p->nskus; i++) {
        const struct hr_stock_result *r = &p->stock[i];
        for (size_t k = 0; k < (r->n ? r->n : 1); k++) {
            struct hr_db_proposal_stock ps = { .proposal_id = p->id, .rank = (int64_t)k,
                                               .sku = p->skus[i] };
            if (r->n) {
                const struct hr_stock_answer *a = &r->ans[k];
                hr_day_format(a->delivery_day, date, sizeof date);
                ps.store_id = a->row->store_id;
                ps.store_name = a->row->store_name;
                ps.quantity = a->row->quantity;
                ps.in_stock = a->in_stock;
                ps.delivery_date = date;
            }
            if (hr_db_proposal_stock_insert(R->db, &ps) < 0)
                return -1;
        }
    }
    return 0;
}

static int insert_proposal(struct run *R, struct prop *p)
{
    struct hr_db_proposal row;
    char *skus = join_skus(p);
    int rc = -1;

    if (!skus)
        return -1;
    row = (struct hr_db_proposal){
        .created = R->o->now, .device_id = p->dev->id,
        .full_time = p->fc.status == HR_FC_OK ? p->fc.full_time : 0,
        .serial = nn(p->dev->serial), .customer = nn(p->dev->customer_id), .rule = p->rule,
        .family = p->family, .severity = p->severity, .why = p->why, .subject = p->subject,
        .text = p->text, .skus = skus, .state = p->reason ? "suppressed" : "new",
        .reason = p->reason, .staff_id = p->route.staff ? p->route.staff->id : NULL,
        .recipient = p->route.email, .route = hr_route_how_name(p->route.how),
    };
    if ((p->id = hr_db_proposal_insert(R->db, &row)) > 0)
        rc = insert_stock(R, p);
    free(skus);
    return rc;
}

/* Route P for customer C and decide whether it may be mailed. */
static void route_prop(struct run *R, const struct customer *c, const struct hr_staff *staff,
                       size_t nstaff, struct prop *p)
{
    struct hr_route_in in = { c->assigned, c->area_code, p->product_line, R->o->fallback };

    hr_route_pick(staff, nstaff, &in, &p->route);
    if (!c->consent)
        p->reason = "no consent";       /* seed 002 FIG. 15: not ticked */
    else if (p->sku_unknown)
        p->reason = "sku unknown";
    else if (p->route.how == HR_ROUTE_NONE)
        p->reason = "no recipient";
}

/* ---- graphs ---- */

/* The graph request of P's device. */
static void graph_req(const struct run *R, const struct prop *p, struct hr_graph_usage *g,
                      char *path, size_t pathsz, char *title, size_t titlesz)
{
    const struct hr_device *d = p->pd->dev;

    memset(g, 0, sizeof *g);
    g->rrd = d->rrd_file && R->o->rrd_dir && !strchr(d->rrd_file, '/') &&
             snprintf(path, pathsz, "%s/%s", R->o->rrd_dir, d->rrd_file) < (int)pathsz
             ? path : NULL;
    g->hist = d->hist;
    g->n_hist = d->n_hist;
    g->now = R->o->now;
    g->start = d->n_hist ? d->hist[0].t : R->o->now - 30 * 86400;
    g->width = 480;
    g->height = 160;
    g->rrdcached = R->ctx->set->rrdcached;
    if (p->fc.status == HR_FC_OK) {
        g->fc_from = p->fc.baseline;
        g->fc_full = p->fc.full_time;
        g->fc_used = p->fc.intercept;
        g->fc_slope_per_day = p->fc.slope;
        g->fc_capacity = p->fc.capacity;
    }
    char lb[300];

    snprintf(title, titlesz, "%s %s: used vs capacity and peak load", nn(d->model),
             hr_facts_label(&d->f, lb, sizeof lb));
    g->title = title;
}

/* Ask the pool for P's device graph, once per device: the workers draw
 * it while this process goes on with the walk. */
static int graph_ask(struct run *R, const struct prop *p)
{
    struct hr_graph_usage g;
    char path[PATH_MAX], title[300];

    if (!R->pool || p->pd->job >= 0)
        return 0;
    graph_req(R, p, &g, path, sizeof path, title, sizeof title);
    p->pd->job = hr_graph_pool_submit(R->pool, &g);
    return p->pd->job < 0 ? -1 : 0;
}

/* P's device graph into its pdev, once.  One that cannot be drawn is
 * logged and the mail goes without it. */
static void graph_take(struct run *R, const struct prop *p)
{
    struct pdev *pd = p->pd;
    char err[256];

    if (pd->graphed || pd->job < 0)
        return;
    pd->graphed = 1;
    if (hr_graph_pool_take(R->pool, (size_t)pd->job, &pd->png, &pd->pnglen, pd->alt,
                           sizeof pd->alt, err, sizeof err) < 0) {
        char lb[300];
        log_warnx("propose: %s: no graph: %s", hr_facts_label(&pd->dev->f, lb, sizeof lb), err);
        return;
    }
    R->graphs++;
}

/* Route P, the walk's latest firing, as soon as it is made: whether it
 * will be mailed decides whether its device needs a graph, and the sooner
 * the pool has it the more of the drawing overlaps the walk. */
static int prop_route(struct run *R, struct prop *p)
{
    const char *cid = nn(p->dev->customer_id);

    if (!R->cust.id || strcmp(R->cust.id, cid) != 0) {
        customer_free(&R->cust);
        if (customer_load(R->db, cid, &R->cust) < 0) {
            log_warnx("propose: customer %s: %s", cid, hr_db_errmsg(R->db));
            return -1;
        }
    }
    if (catalog_load(R->db, p) < 0) {
        log_warnx("propose: catalogue: %s", hr_db_errmsg(R->db));
        return -1;
    }
    route_prop(R, &R->cust, R->staff, R->nstaff, p);
    if (!p->reason && graph_ask(R, p) < 0) {
        R->oom = 1;
        return -1;
    }
    return 0;
}

/* One drawing process per CPU: the graphs are most of the work, and this
 * process mostly waits on the database meanwhile. */
static unsigned graph_workers(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1 : n > 16 ? 16 : (unsigned)n;
}

/* ---- the walk: evaluate, decide, remember ---- */

static int state_get(struct run *R, int64_t dev, const char *rule, struct hr_flap_state *s)
{
    s->armed = 1;
    s->last_fired = 0;
    return hr_db_rule_state_get(R->db, dev, rule, &s->armed, &s->last_fired) < 0 ? -1 : 0;
}

static int state_put(struct run *R, int64_t dev, const char *rule,
                     const struct hr_flap_state *s, enum hr_decision d)
{
    return hr_db_rule_state_put(R->db, dev, rule, s->armed, s->last_fired, hr_decision_name(d),
                                R->o->now);
}

static void say_decision(const struct run *R, const struct hr_facts *f, const char *rule,
                         enum hr_decision d, const struct hr_flap_state *prev)
{
    char date[16];

    if (R->ctx->quiet || (d != HR_DECIDE_COOLDOWN && d != HR_DECIDE_NOT_REARMED))
        return;
    if (!R->ctx->verbose && !R->o->dry_run)
        return;
    char c1[128], c2[256];

    hr_day_format(hr_day_of(prev->last_fired), date, sizeof date);
    printf("%s\t%s\t%s\tnot proposed: %s (last proposed %s)\n",
           clean(f->customer_id, c1, sizeof c1), clean(f->serial, c2, sizeof c2), rule,
           hr_decision_name(d), date);
}

static int walk_device(const struct hr_device *dv, void *arg)
{
    const struct hr_facts *f = &dv->f;
    int64_t dev = dv->id;
    struct run *R = arg;
    struct hr_evalctx ec;

    R->devices++;
    hr_eval_begin(&ec, f);
    for (size_t i = 0; i < hr_ruleset_count(R->rs); i++) {
        const struct hr_rule *r = hr_ruleset_rule(R->rs, i);
        struct hr_rule_result res;
        struct hr_flap_state prev, next;
        enum hr_decision d;

        hr_rule_eval(r, &ec, &res);
        if (state_get(R, dev, hr_rule_name(r), &prev) < 0) {
            log_warnx("propose: rule_state: %s", hr_db_errmsg(R->db));
            return -1;
        }
        d = hr_rule_decide(r, &res, &prev, R->o->now, &next, NULL);
        if (!R->o->dry_run && state_put(R, dev, hr_rule_name(r), &next, d) < 0) {
            log_warnx("propose: rule_state: %s", hr_db_errmsg(R->db));
            return -1;
        }
        say_decision(R, f, hr_rule_name(r), d, &prev);
        if (d == HR_DECIDE_COOLDOWN)
            R->cooldown++;
        else if (d == HR_DECIDE_NOT_REARMED)
            R->not_rearmed++;
        if (d != HR_DECIDE_FIRE)
            continue;
        R->fired++;
        if (prop_make(R, dv, r, &ec, &res) < 0) {
            R->oom = 1;
            return -1;
        }
        if (!R->o->dry_run && prop_route(R, &R->p[R->np - 1]) < 0)
            return -1;
    }
    /* Between firings too: the workers should not wait for the next one. */
    if (R->pool && R->devices % 64 == 0)
        hr_graph_pool_poll(R->pool);
    return 0;
}

/* ---- mail ---- */

struct admins {
    struct hr_mail_addr a[MAX_ADMIN];
    size_t n;
};

static void admins_pick(const struct opts *o, const struct hr_staff *staff, size_t n,
                        struct admins *ad)
{
    ad->n = 0;
    if (o->no_admin_cc)
        return;
    for (size_t i = 0; i < o->nadmin_cc; i++)
        ad->a[ad->n++] = (struct hr_mail_addr){ NULL, o->admin_cc[i] };
    if (o->nadmin_cc)
        return;
    for (size_t i = 0; i < n && ad->n < MAX_ADMIN; i++)
        if (strcmp(staff[i].role, "admin") == 0 && hr_mail_addr_valid(staff[i].email))
            ad->a[ad->n++] = (struct hr_mail_addr){ staff[i].name, staff[i].email };
}

static void item_of(const struct prop *p, struct hr_pm_item *it)
{
    memset(it, 0, sizeof *it);
    it->proposal_id = p->id;
    it->rule = p->rule;
    it->severity = p->severity;
    it->subject = p->subject;
    it->text = p->text;
    it->why = p->why;
    it->serial = nn(p->dev->serial);
    it->name = nn(p->dev->name);
    it->model = nn(p->dev->model);
    it->model_number = nn(p->dev->model_number);
    it->firmware = nn(p->dev->firmware);
    it->capacity = p->dev->f.capacity;
    it->used = p->dev->f.used;
    it->peak = p->dev->f.peak;
    it->rated_load = p->dev->f.rated_load;
    it->rated_window = p->rated_window;
    if (p->fc.status == HR_FC_OK) {
        it->full_time = p->fc.full_time;
        it->days_to_full = p->fc.days_to_full;
    }
    it->product_name = p->product_name;
    it->product_line = p->product_line;
    it->options = p->options;
    it->supplies = p->supplies;
    it->skus = (const char *const *)p->skus;
    it->stock = p->stock;
    it->nskus = p->nskus;
    /* One graph per device: proposal_mail.c attaches a shared one once. */
    it->png = p->pd->png;
    it->pnglen = p->pd->pnglen;
    it->png_alt = p->pd->alt;
}

/* Mail the new proposals P[0..n) of customer C that go to address TO:
 * one message, the proposals marked queued with its outbox id. */
static int mail_group(struct run *R, const struct customer *c, struct prop **grp, size_t n,
                      const struct admins *ad)
{
    struct hr_pm_item *items = calloc(n, sizeof *items);
    struct hr_mail_addr to = { NULL, grp[0]->route.email }, cc[MAX_ADMIN];
    struct hr_pm_customer pc = { c->id, c->name, c->area_code };
    struct hr_pm pm = { 0 };
    char err[512], ccs[1024] = "";
    size_t ncc = 0;
    int64_t oid;
    int rc = -1;

    if (!items)
        return -1;
    if (grp[0]->route.staff)
        to.name = grp[0]->route.staff->name;
    /* No copy to the recipient himself. */
    for (size_t i = 0; i < ad->n; i++)
        if (strcasecmp(ad->a[i].addr, to.addr) != 0) {
            cc[ncc++] = ad->a[i];
            snprintf(ccs + strlen(ccs), sizeof ccs - strlen(ccs), "%s%s", ncc > 1 ? " " : "",
                     ad->a[i].addr);
        }
    for (size_t i = 0; i < n; i++)
        item_of(grp[i], &items[i]);
    pm.from = (struct hr_mail_addr){ "headroom", R->o->from };
    pm.to = &to;
    pm.cc = cc;
    pm.ncc = ncc;
    pm.customer = &pc;
    pm.items = items;
    pm.nitems = n;
    pm.now = R->o->now;
    pm.domain = R->o->domain;
    oid = hr_pm_queue(R->db, &pm, err, sizeof err);
    if (oid < 0) {
        log_warnx("propose: %s: mail: %s", c->id, err);
        goto out_free;
    }
    for (size_t i = 0; i < n; i++)
        if (hr_db_proposal_queued(R->db, grp[i]->id, oid, ccs) < 0) {
            log_warnx("propose: proposals: %s", hr_db_errmsg(R->db));
            goto out_free;
        }
    rc = 0;
out_free:
    free(items);
    return rc;
}

/* Seed 002: without consent nothing about the customer goes to sales.  The
 * administrators hear that proposals were held back, by number only: no
 * name, no serial, nothing a copy could leak. */
static int mail_consent_notice(struct run *R, const struct admins *ad, const int64_t *ids,
                               size_t n)
{
    struct hr_mail m = { 0 };
    char *text = NULL, err[256];
    size_t len = 0;
    FILE *f;

    if (!ad->n || !n)
        return 0;
    if (!(f = open_memstream(&text, &len)))
        return -1;
    fprintf(f, "headroom propose recorded %zu proposal%s for customers who have not consented"
            " to share their details with sales.\nThey were not mailed to anyone.  Proposal"
            " id%s:", n, n == 1 ? "" : "s", n == 1 ? "" : "s");
    for (size_t i = 0; i < n; i++)
        fprintf(f, " %lld", (long long)ids[i]);
    fprintf(f, "\n\nSee them with:  headroom proposals --state suppressed\n");
    if (fclose(f) != 0) {
        free(text);
        return -1;
    }
    m.from = (struct hr_mail_addr){ "headroom", R->o->from };
    m.to = ad->a;
    m.nto = ad->n;
    m.subject = "headroom: proposals held back (no consent)";
    m.text = text;
    m.domain = R->o->domain;
    int64_t id = hr_outbox_queue(R->db, &m, 0, err, sizeof err);
    free(text);
    if (id < 0) {
        log_warnx("propose: consent notice: %s", err);
        return -1;
    }
    return 0;
}

/* ---- one customer's proposals ---- */

struct tally {
    unsigned recorded, queued, suppressed, mails;
    int64_t *noconsent;
    size_t nnoconsent, capnoconsent;
};

static int note_noconsent(struct tally *t, int64_t id)
{
    if (hr_array_grow(&t->noconsent, &t->capnoconsent, t->nnoconsent + 1, sizeof *t->noconsent) < 0)
        return -1;
    t->noconsent[t->nnoconsent++] = id;
    return 0;
}

/* P[0..n): one customer's firings, routed by the walk.  Look up the
 * stock, record, then one mail per recipient. */
static int do_customer(struct run *R, struct prop *p, size_t n, const struct admins *ad,
                       struct tally *t)
{
    struct customer c = { 0 };
    struct prop **grp = calloc(n, sizeof *grp);
    char err[256];
    int rc = -1;

    if (!grp || customer_load(R->db, nn(p[0].dev->customer_id), &c) < 0) {
        log_warnx("propose: customer %s: %s", nn(p[0].dev->customer_id),
                  grp ? hr_db_errmsg(R->db) : "out of memory");
        free(grp);
        customer_free(&c);
        return -1;
    }
    /* Catalogue and routing were done by the walk (prop_route). */
    for (size_t i = 0; i < n; i++) {
        if (stock_load(R, &p[i], err, sizeof err) < 0) {
            log_warnx("propose: %s", err);
            goto out_free;
        }
        if (insert_proposal(R, &p[i]) < 0) {
            log_warnx("propose: proposals: %s", hr_db_errmsg(R->db));
            goto out_free;
        }
        t->recorded++;
        if (p[i].reason) {
            t->suppressed++;
            if (strcmp(p[i].reason, "no consent") == 0 && note_noconsent(t, p[i].id) < 0)
                goto out_free;
        }
        if (!R->ctx->quiet) {
            char c1[128], c2[256], lb[300];
            printf("%s\t%s\t%s\tproposal %lld: %s%s%s%s\n", clean(c.id, c1, sizeof c1),
                   clean(hr_facts_label(&p[i].dev->f, lb, sizeof lb), c2, sizeof c2), p[i].rule,
                   (long long)p[i].id,
                   p[i].reason ? "suppressed: " : "to ",
                   p[i].reason ? p[i].reason : p[i].route.email, p[i].reason ? "" : " via ",
                   p[i].reason ? "" : hr_route_how_name(p[i].route.how));
        }
    }
    /* Group the mailable ones by recipient, in order of first appearance. */
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        if (p[i].reason || !p[i].route.email)
            continue;
        int seen = 0;
        for (size_t j = 0; j < i; j++)
            if (!p[j].reason && strcasecmp(p[j].route.email, p[i].route.email) == 0)
                seen = 1;
        if (seen)
            continue;
        for (size_t j = i; j < n; j++)
            if (!p[j].reason && strcasecmp(p[j].route.email, p[i].route.email) == 0)
                grp[k++] = &p[j];
        /* Only mail actually queued gets a graph, once per device. */
        for (size_t j = 0; j < k; j++)
            graph_take(R, grp[j]);
        if (mail_group(R, &c, grp, k, ad) < 0)
            goto out_free;
        t->mails++;
        t->queued += (unsigned)k;
    }
    /* The outbox has the graphs now; a device is one customer's. */
    for (size_t i = 0; i < n; i++) {
        free(p[i].pd->png);
        p[i].pd->png = NULL;
        p[i].pd->pnglen = 0;
    }
    rc = 0;
out_free:
    customer_free(&c);
    free(grp);
    return rc;
}

/* ---- the run ---- */

static void dry_print(const struct run *R)
{
    for (size_t i = 0; i < R->np; i++) {
        const struct prop *p = &R->p[i];
        char c1[128], c2[256], c3[512], lb[300];
        printf("%s\t%s\t%s\twould propose (%s): %s\n", clean(p->dev->customer_id, c1, sizeof c1),
               clean(hr_facts_label(&p->dev->f, lb, sizeof lb), c2, sizeof c2), p->rule,
               p->severity,
               clean(p->subject, c3, sizeof c3));
    }
}

/* Evaluate, record and queue, all in one transaction. */
static int run_record(struct run *R, struct tally *t)
{
    struct hr_facts_filter flt = { 0 };
    struct hr_staff *staff = NULL;
    struct admins ad;
    size_t nstaff = 0;
    char err[512];
    int rc;

    flt.customer = R->o->customer;
    flt.device = R->device_id;
    flt.now = R->o->now;
    hr_forecast_opts_default(&flt.fc);
    flt.window_days = hr_ruleset_max_window(R->rs, &flt.fc);
    if (hr_route_load(R->db, &staff, &nstaff, err, sizeof err) < 0) {
        log_warnx("propose: %s", err);
        return -1;
    }
    admins_pick(R->o, staff, nstaff, &ad);
    R->staff = staff;
    R->nstaff = nstaff;
    if (!R->o->dry_run && hr_db_begin(R->db) < 0)
        goto out_fail;
    rc = hr_device_foreach(R->db, &flt, walk_device, R, err, sizeof err);
    customer_free(&R->cust);
    if (rc != 0) {
        if (R->oom)
            log_warnx("propose: out of memory");
        else if (rc < 0)
            log_warnx("propose: %s", err);
        goto out_rollback;
    }
    if (R->o->dry_run) {
        dry_print(R);
        hr_route_free(staff, nstaff);
        return 0;
    }
    /* The walk goes in (customer, serial) order: a customer's firings are
     * adjacent. */
    for (size_t i = 0; i < R->np;) {
        size_t j = i + 1;
        while (j < R->np && strcmp(nn(R->p[j].dev->customer_id), nn(R->p[i].dev->customer_id)) == 0)
            j++;
        if (do_customer(R, &R->p[i], j - i, &ad, t) < 0)
            goto out_rollback;
        i = j;
    }
    if (mail_consent_notice(R, &ad, t->noconsent, t->nnoconsent) < 0)
        goto out_rollback;
    if (hr_db_commit(R->db) < 0)
        goto out_fail;
    hr_route_free(staff, nstaff);
    return 0;
out_rollback:
    if (!R->o->dry_run)
        hr_db_rollback(R->db);
out_fail:
    hr_route_free(staff, nstaff);
    return -1;
}

/* `headroom mail flush` with the transport options given to propose. */
static int run_flush(const struct run *R, const struct hr_ctx *ctx)
{
    struct hr_outbox_opts oo = { 0 };

    return hr_mail_flush(R->db, &R->o->t, &oo, ctx->quiet);
}

int hr_cmd_propose(struct hr_ctx *ctx, int argc, char **argv)
{
    struct opts o = { 0 };
    struct run R = { 0 };
    struct tally t = { 0 };
    char *errors = NULL;
    int64_t first_id;
    int rc;

    if ((rc = parse_opts(ctx->set, argc, argv, &o)) >= 0)
        goto out_opts;
    R.o = &o;
    R.ctx = ctx;
    if ((rc = hr_rules_load(o.rules, &R.rs, &errors)) != 0) {
        fputs(errors ? errors : "out of memory\n", stderr);
        free(errors);
        rc = rc < 0 ? HR_EXIT_FAIL : HR_EXIT_DATA;
        goto out_opts;
    }
    /* The graph workers start before the database is open and anything is
     * loaded: what they inherit is small, and none of it is theirs to use. */
    if (!o.dry_run && !(R.pool = hr_graph_pool_new(graph_workers()))) {
        log_warnx("propose: out of memory");
        rc = HR_EXIT_FAIL;
        goto out_rules;
    }
    if (hr_db_open_ctx(ctx, 0, &R.db) < 0) {
        rc = HR_EXIT_FAIL;
        goto out_rules;
    }
    if (o.device) {
        char err[400];

        if (hr_db_device_lookup(R.db, o.device, &R.device_id, err, sizeof err) <= 0) {
            log_warnx("propose: %s", err);
            rc = HR_EXIT_FAIL;
            goto out_db;
        }
    }
    if ((first_id = hr_db_proposals_next_id(R.db)) < 0) {
        log_warnx("propose: proposals: %s", hr_db_errmsg(R.db));
        rc = HR_EXIT_FAIL;
        goto out_db;
    }
    rc = run_record(&R, &t);
    /* Every graph wanted was taken (or the run failed): the workers go. */
    hr_graph_pool_free(R.pool);
    R.pool = NULL;
    if (rc < 0) {
        rc = HR_EXIT_FAIL;
        goto out_db;
    }
    if (!ctx->quiet)
        fprintf(stderr, "%u devices evaluated, %u rules fired, %u in cooldown, %u not rearmed;"
                " %u proposals recorded (%u suppressed), %u queued in %u mails\n", R.devices,
                R.fired, R.cooldown, R.not_rearmed, t.recorded, t.suppressed, t.queued,
                t.mails);
    rc = HR_EXIT_OK;
    if (!o.dry_run && !o.no_mail) {
        /* The flush runs on our connection, which holds no transaction
         * (run_record committed). */
        /* The proposals are recorded and their mail is queued whatever the
         * flush does (busy lock, SMTP trouble): that is "done, but mail
         * stayed queued", not a failure of propose. */
        if (run_flush(&R, ctx) != HR_EXIT_OK)
            rc = HR_EXIT_PARTIAL;
    }
    if (rc == HR_EXIT_OK && !o.dry_run && !o.no_mail && hr_db_proposals_unsent(R.db, first_id) != 0)
        rc = HR_EXIT_PARTIAL;
out_db:
    for (size_t i = 0; i < R.np; i++)
        prop_free(&R.p[i]);
    free(R.p);
    for (size_t i = 0; i < R.ndevs; i++)
        pdev_free(R.devs[i]);
    free(R.devs);
    free(t.noconsent);
    hr_db_close(R.db);
out_rules:
    hr_graph_pool_free(R.pool);
    hr_ruleset_free(R.rs);
out_opts:
    return rc;
}

/* ---- headroom proposals ---- */

static void proposals_usage(FILE *f)
{
    fprintf(f,
        "Usage: headroom proposals [--customer C] [--state S] [--staff ID]\n"
        "                          [--format text|csv]\n"
        "List proposals with their state (new, queued, sent, failed, suppressed), the\n"
        "reason a suppressed one was not mailed, the recipient and the stock answer.\n"
        "The database is the administrator's view: every proposal is listed,\n"
        "including those held back because the customer has not consented.\n"
        "\n"
        "  -C, --customer C    only this customer (id)\n"
        "  -s, --state S       only this state\n"
        "  -S, --staff ID      a sales person's view: proposals routed to ID, never\n"
        "                      one held back for want of consent\n"
        "  -f, --format F      text (default) or csv (RFC 4180, with a header)\n"
        "  -h, --help\n");
}

static void csv_field(const char *s, int last)
{
    s = s ? s : "";
    if (strpbrk(s, ",\"\r\n")) {
        putchar('"');
        for (; *s; s++) {
            if (*s == '"')
                putchar('"');
            putchar(*s);
        }
        putchar('"');
    } else {
        fputs(s, stdout);
    }
    putchar(last ? '\n' : ',');
}

struct list_arg {
    int csv;
};

static int proposal_line(void *arg, const char *const *col)
{
    const struct list_arg *la = arg;
    const size_t nc = hr_db_proposals_ncols;
    char who[300], c1[128], c2[256];

    if (la->csv) {
        for (size_t i = 0; i < nc; i++)
            csv_field(col[i], i + 1 == nc);
        return 0;
    }
    if (col[7])
        snprintf(who, sizeof who, "%s", col[7]);
    else
        snprintf(who, sizeof who, "%s (%s)%s%s", col[8] ? col[8] : "-",
                 col[9] ? col[9] : "-", col[10] && *col[10] ? " cc " : "",
                 col[10] ? col[10] : "");
    printf("%-5s %-10s %-16s %-26s %-10s %-10s %s\n", col[0], clean(col[2], c1, sizeof c1),
           clean(col[3], c2, sizeof c2), col[4], col[6], col[11] ? col[11] : "-", who);
    printf("%5s stock: %s\n", "", col[13] ? col[13] : "-");
    return 0;
}

static int proposals_list(struct hr_db *db, const char *cust, const char *state,
                          const char *staff, int csv)
{
    struct list_arg la = { csv };
    const size_t nc = hr_db_proposals_ncols;

    if (csv)
        for (size_t i = 0; i < nc; i++)
            csv_field(hr_db_proposals_cols[i], i + 1 == nc);
    else
        printf("%-5s %-10s %-16s %-26s %-10s %-10s %s\n", "ID", "CUSTOMER", "SERIAL", "RULE",
               "STATE", "FULL", "TO / REASON");
    if (hr_db_proposals_list(db, cust, state, staff, proposal_line, &la) < 0) {
        log_warnx("proposals: %s", hr_db_errmsg(db));
        return HR_EXIT_FAIL;
    }
    return HR_EXIT_OK;
}

int hr_cmd_proposals(struct hr_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        { "customer", required_argument, NULL, 'C' },
        { "state", required_argument, NULL, 's' },
        { "staff", required_argument, NULL, 'S' },
        { "format", required_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    static const char *const states[] = { "new", "queued", "sent", "failed", "suppressed" };
    const char *cust = NULL, *state = NULL, *staff = NULL;
    int csv = 0, c, rc, ok;
    struct hr_db *db;

    while ((c = getopt_long(argc, argv, "C:s:S:f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'C': cust = optarg; break;
        case 'S': staff = optarg; break;
        case 's':
            ok = 0;
            for (size_t i = 0; i < HR_ARRAY_LEN(states); i++)
                ok |= strcmp(optarg, states[i]) == 0;
            if (!ok) {
                log_warnx("proposals: --state '%s': want new, queued, sent, failed or"
                          " suppressed", optarg);
                return HR_EXIT_USAGE;
            }
            state = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "csv") != 0 && strcmp(optarg, "text") != 0) {
                log_warnx("proposals: --format '%s': want text or csv", optarg);
                return HR_EXIT_USAGE;
            }
            csv = strcmp(optarg, "csv") == 0;
            break;
        case 'h': proposals_usage(stdout); return HR_EXIT_OK;
        default: proposals_usage(stderr); return HR_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        proposals_usage(stderr);
        return HR_EXIT_USAGE;
    }
    if (hr_db_open_ctx(ctx, 0, &db) < 0)
        return HR_EXIT_FAIL;
    rc = proposals_list(db, cust, state, staff, csv);
    hr_db_close(db);
    return rc;
}
