/* device.c: detection, `uses` closure and the synchronous reading of one
 * agent through the profiles; see device.h. */
#include "device.h"
#include "hr_hash.h"
#include "hr_util.h"
#include "snmp_sync.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- detection ---- */

static int oid_under(const uint32_t *o, size_t len, const struct hr_prof_oid *prefix)
{
    return len >= prefix->len && memcmp(o, prefix->sub, prefix->len * sizeof *o) == 0;
}

/* One detect line: 1 holds, 0 not, -1 an exists probe could not tell. */
static int detect_holds(const struct hr_prof_detect *d, const struct hr_prof_facts *f)
{
    int ok = 0;

    switch (d->kind) {
    case HR_PD_SYSOBJECTID:
        for (size_t k = 0; f->has_sysobjectid && k < d->noids && !ok; k++)
            ok = oid_under(f->sysobjectid.sub, f->sysobjectid.len, &d->oids[k]);
        break;
    case HR_PD_SYSDESCR:
        ok = f->has_sysdescr && regexec(&d->re, f->sysdescr, 0, NULL, 0) == 0;
        break;
    case HR_PD_EXISTS:
    case HR_PD_NOT_EXISTS: {
        enum hr_vtype t = HR_VT_ANY;
        int e = f->exists ? f->exists(f->arg, &d->oids[0], &t) : 0;
        if (e < 0)
            return -1;
        ok = e == 1 && (d->type == HR_VT_ANY || d->type == t);
        if (d->kind == HR_PD_NOT_EXISTS)
            ok = !ok;
        break;
    }
    }
    return ok;
}

int hr_profile_matches(const struct hr_profile *p, const struct hr_prof_facts *f)
{
    if (p->ndetects == 0)
        return 0;
    for (size_t i = 0; i < p->ndetects; i++) {
        int ok = detect_holds(&p->detects[i], f);
        if (ok <= 0)
            return ok;
    }
    return 1;
}

const struct hr_profile *hr_profile_detect(const struct hr_profile_set *set,
                                           const struct hr_prof_facts *facts, int *failed)
{
    const struct hr_profile *best = NULL;

    *failed = 0;
    for (size_t i = 0; i < hr_profile_set_count(set); i++) {
        const struct hr_profile *p = hr_profile_set_at(set, i);
        /* Only a profile that could win is probed: fewer requests. */
        if (best && (p->priority < best->priority ||
                     (p->priority == best->priority && strcmp(p->name, best->name) > 0)))
            continue;
        int m = hr_profile_matches(p, facts);
        if (m < 0) {
            *failed = 1;
            return NULL;
        }
        if (m)
            best = p;
    }
    return best;
}

static size_t closure_add(const struct hr_profile_set *set, const struct hr_profile *p,
                          const struct hr_profile **out, size_t n, size_t max)
{
    for (size_t i = 0; i < n; i++)
        if (out[i] == p)
            return n;
    if (n == max)
        return n;
    out[n++] = p;
    for (size_t k = 0; k < p->nuses; k++) {
        const struct hr_profile *u = hr_profile_set_find(set, p->uses[k]);
        if (u)
            n = closure_add(set, u, out, n, max);
    }
    return n;
}

size_t hr_profile_closure(const struct hr_profile_set *set, const struct hr_profile *p,
                          const struct hr_profile **out, size_t max)
{
    return closure_add(set, p, out, 0, max);
}

void hr_prof_device_free(struct hr_prof_device *d)
{
    if (!d)
        return;
    free(d->vols);
    free(d->ctrs);
    d->vols = NULL;
    d->ctrs = NULL;
    d->nvols = d->nctrs = 0;
}

/* ---- the reading: plan and assembly ----
 *
 * A reading is a short sequence of steps.  Each step is a list of items
 * (GETs, GETNEXTs, column walks) that do not depend on each other; the
 * transport (hr_prof_read_sync below, the poller's event loop) fetches
 * them as it likes and hands every varbind back; the next step is planned
 * from what came back.  The steps:
 *   1. GET sysDescr.0, sysObjectID.0, sysUpTime.0.
 *   2. detection (no profile named): a GET of the `detect exists` OIDs of
 *      the profiles whose sysObjectID and sysDescr lines hold, then
 *   3. a GETNEXT of those without an exact instance.
 *   4. and on: the identity GETs, the `where` column walks, and the walks
 *      of the volume and writes tables, the next alternative only when the
 *      one before gave nothing (docs/profiles.md, "Tables"). */

static const uint32_t oid_sysdescr[] = { 1, 3, 6, 1, 2, 1, 1, 1, 0 };
static const uint32_t oid_sysobjectid[] = { 1, 3, 6, 1, 2, 1, 1, 2, 0 };
static const uint32_t oid_sysuptime[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };

/* A value fetched by GET (or asked for and absent: !present). */
struct cached {
    uint32_t *name;
    size_t len;
    int present;
    int pending;                /* asked in the step being fetched */
    struct hr_value v;          /* s / oid point into owned */
    void *owned;
};

/* A `where` source: the row its selector found. */
struct wsrc {
    const struct hr_prof_source *s;
    int state;                  /* 0 not walked, 1 walking, 2 walked */
    uint32_t *inst;             /* OID + the row's index, once found */
    size_t instlen;
};

/* A table that is an alternative for capacity or writes. */
struct cand {
    const struct hr_profile *p;
    const struct hr_prof_table *t;
};

struct tabstate {
    struct cand *c;
    size_t n, pos;
    struct hr_prof_rows *rows;  /* of c[pos], while it is walked */
    int done;
};

enum phase { PH_INIT, PH_SYS, PH_PROBE_GET, PH_PROBE_NEXT, PH_DATA, PH_DONE, PH_FAILED };

struct hr_prof_reader {
    const struct hr_profile_set *set;
    enum phase ph;
    char err[256];
    struct hr_prof_device d;
    struct hr_prof_facts facts;
    struct cached *cache;
    size_t ncache, capcache;
    struct probe {
        const struct hr_prof_oid *o;
        int state;              /* 0 unknown, 1 found, 2 absent */
        enum hr_vtype type;
    } *probe;
    size_t nprobes, capprobes;
    struct wsrc *ws;
    size_t nws;
    struct tabstate vol, wr;
    unsigned char decided[HR_PF_COUNT];  /* the field's value is in d.field */
    int data_rounds;
    struct hr_prof_item *items;
    size_t nitems, capitems;
    uint32_t **owned;           /* column OIDs of this step's walks */
    size_t nowned, capowned;
};

static int oid_eq(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    return na == nb && memcmp(a, b, na * sizeof *a) == 0;
}

/* Room for one more element in *V (N used of *CAP, SIZE bytes each). */
static int room(void *v, size_t n, size_t *cap, size_t size)
{
    void **pv = v, *nv;
    size_t nc = *cap ? *cap * 2 : 16;

    if (n < *cap)
        return 0;
    if (!(nv = realloc(*pv, nc * size)))
        return -1;
    *pv = nv;
    *cap = nc;
    return 0;
}

static struct cached *cache_find(const struct hr_prof_reader *r, const uint32_t *o, size_t len)
{
    for (size_t i = 0; i < r->ncache; i++)
        if (oid_eq(r->cache[i].name, r->cache[i].len, o, len))
            return &r->cache[i];
    return NULL;
}

/* The entry for O, added (asked, not present) if new.  NULL: no memory. */
static struct cached *cache_get(struct hr_prof_reader *r, const uint32_t *o, size_t len)
{
    struct cached *c = cache_find(r, o, len);

    if (c)
        return c;
    if (room(&r->cache, r->ncache, &r->capcache, sizeof *r->cache) < 0)
        return NULL;
    c = &r->cache[r->ncache];
    memset(c, 0, sizeof *c);
    if (!(c->name = malloc((len ? len : 1) * sizeof *o)))
        return NULL;
    memcpy(c->name, o, len * sizeof *o);
    c->len = len;
    r->ncache++;
    return c;
}

static int cache_set(struct cached *c, const struct hr_value *v)
{
    size_t bytes = v->type == HR_VT_OID ? v->len * sizeof *v->oid : v->len;

    free(c->owned);
    c->owned = NULL;
    c->v = *v;
    c->present = 1;
    if ((v->type == HR_VT_OID && v->oid) || (v->type != HR_VT_OID && v->s)) {
        if (!(c->owned = malloc(bytes ? bytes : 1)))
            return -1;
        memcpy(c->owned, v->type == HR_VT_OID ? (const void *)v->oid : (const void *)v->s, bytes);
        if (v->type == HR_VT_OID)
            c->v.oid = c->owned;
        else
            c->v.s = c->owned;
    }
    return 0;
}

static const struct hr_value *cached_value(const struct hr_prof_reader *r, const uint32_t *o,
                                           size_t len)
{
    const struct cached *c = cache_find(r, o, len);
    return c && c->present ? &c->v : NULL;
}

static int item_add(struct hr_prof_reader *r, enum hr_prof_req kind, const uint32_t *o, size_t len)
{
    for (size_t i = 0; i < r->nitems; i++)
        if (r->items[i].kind == kind && oid_eq(r->items[i].oid, r->items[i].len, o, len))
            return 0;
    if (room(&r->items, r->nitems, &r->capitems, sizeof *r->items) < 0)
        return -1;
    r->items[r->nitems].kind = kind;
    r->items[r->nitems].oid = o;
    r->items[r->nitems].len = len;
    r->nitems++;
    return 0;
}

/* A GET of O unless it was asked before. */
static int plan_get(struct hr_prof_reader *r, const uint32_t *o, size_t len)
{
    struct cached *c = cache_find(r, o, len);

    if (c)
        return 0;
    if (!(c = cache_get(r, o, len)))
        return -1;
    c->pending = 1;
    return item_add(r, HR_PRQ_GET, c->name, c->len);
}

static void items_clear(struct hr_prof_reader *r)
{
    for (size_t i = 0; i < r->ncache; i++)
        r->cache[i].pending = 0;
    for (size_t i = 0; i < r->nowned; i++)
        free(r->owned[i]);
    r->nowned = 0;
    r->nitems = 0;
}

static int plan_table(struct hr_prof_reader *r, const struct hr_prof_table *t)
{
    const unsigned cols[] = { t->name_col, t->type_col, t->unit_col, t->size.col, t->size.col_lo,
                              t->used.col, t->used.col_lo, t->free.col, t->free.col_lo,
                              t->count_col };

    if (t->entry.len + 1 > HR_PROF_OID_MAX)
        return 0;
    for (size_t i = 0; i < HR_ARRAY_LEN(cols); i++) {
        uint32_t *o;
        if (!cols[i])
            continue;
        if (room(&r->owned, r->nowned, &r->capowned, sizeof *r->owned) < 0 ||
            !(o = malloc((t->entry.len + 1) * sizeof *o)))
            return -1;
        memcpy(o, t->entry.sub, t->entry.len * sizeof *o);
        o[t->entry.len] = cols[i];
        r->owned[r->nowned++] = o;
        if (item_add(r, HR_PRQ_WALK, o, t->entry.len + 1) < 0)
            return -1;
    }
    return 0;
}

/* ---- detection ---- */

static int reader_exists(void *arg, const struct hr_prof_oid *o, enum hr_vtype *type)
{
    struct hr_prof_reader *r = arg;

    for (size_t i = 0; i < r->nprobes; i++)
        if (r->probe[i].o == o || oid_eq(r->probe[i].o->sub, r->probe[i].o->len, o->sub, o->len)) {
            *type = r->probe[i].type;
            return r->probe[i].state == 1;
        }
    return 0;       /* not probed: its profile cannot match on sysObjectID/sysDescr */
}

/* The exists OIDs of the profiles that could still match: those whose
 * sysObjectID and sysDescr lines hold (a profile with none is probed in
 * full).  Probing them all in one request costs varbinds, not requests. */
static int plan_probes(struct hr_prof_reader *r)
{
    const struct hr_prof_facts *f = &r->facts;

    for (size_t i = 0; i < hr_profile_set_count(r->set); i++) {
        const struct hr_profile *p = hr_profile_set_at(r->set, i);
        int could = p->ndetects > 0;
        for (size_t k = 0; k < p->ndetects && could; k++) {
            const struct hr_prof_detect *d = &p->detects[k];
            if (d->kind == HR_PD_SYSOBJECTID || d->kind == HR_PD_SYSDESCR)
                could = detect_holds(d, f) == 1;
        }
        for (size_t k = 0; k < p->ndetects && could; k++) {
            const struct hr_prof_oid *o = p->detects[k].oids;
            int dup = 0;
            if (p->detects[k].kind != HR_PD_EXISTS && p->detects[k].kind != HR_PD_NOT_EXISTS)
                continue;
            for (size_t j = 0; j < r->nprobes; j++)
                dup |= oid_eq(r->probe[j].o->sub, r->probe[j].o->len, o->sub, o->len);
            if (dup)
                continue;
            if (room(&r->probe, r->nprobes, &r->capprobes, sizeof *r->probe) < 0)
                return -1;
            r->probe[r->nprobes].o = o;
            r->probe[r->nprobes].state = 0;
            r->probe[r->nprobes].type = HR_VT_ANY;
            r->nprobes++;
        }
    }
    return 0;
}

static void facts_from_cache(struct hr_prof_reader *r)
{
    const struct hr_value *v;

    if ((v = cached_value(r, oid_sysdescr, 9)) && v->type == HR_VT_STRING) {
        hr_sanitize(r->facts.sysdescr, sizeof r->facts.sysdescr, v->s, v->len);
        r->facts.has_sysdescr = 1;
    }
    if ((v = cached_value(r, oid_sysobjectid, 9)) && v->type == HR_VT_OID &&
        v->len <= HR_PROF_OID_MAX) {
        memcpy(r->facts.sysobjectid.sub, v->oid, v->len * sizeof *v->oid);
        r->facts.sysobjectid.len = v->len;
        r->facts.has_sysobjectid = 1;
    }
    if ((v = cached_value(r, oid_sysuptime, 9)) && v->type == HR_VT_TIMETICKS) {
        r->d.sysuptime = (uint32_t)v->u;
        r->d.sysuptime_known = 1;
    }
}

/* ---- identity ---- */

static struct wsrc *wsrc_of(struct hr_prof_reader *r, const struct hr_prof_source *s)
{
    for (size_t i = 0; i < r->nws; i++)
        if (r->ws[i].s == s)
            return &r->ws[i];
    return NULL;
}

/* The text of field FI from source S: a serial too long for the field is
 * cut and ends with a hash of all of it (hr_key_fit), so two long serials
 * never become one device. */
static int field_text(int fi, const struct hr_prof_source *s, const struct hr_value *v,
                      char *dst, size_t sz)
{
    char whole[1024], *big;
    size_t n;
    int rc;

    if (fi != HR_PF_SERIAL)
        return hr_prof_source_text(s, v, dst, sz);
    if (!s->constant && !s->pattern && !s->map && v &&
        (v->type == HR_VT_STRING || v->type == HR_VT_OPAQUE) && v->len * 3 >= sizeof whole) {
        /* A long string as it is: sanitized whole, however long. */
        if (!(big = malloc(v->len * 3 + 1)))
            return -1;
        n = hr_sanitize(big, v->len * 3 + 1, v->s, v->len);
        rc = n ? hr_key_fit(big, n, dst, sz) : -1;
        free(big);
        return rc < 0 ? -1 : 0;
    }
    if (hr_prof_source_text(s, v, whole, sizeof whole) < 0)
        return -1;
    return hr_key_fit(whole, strlen(whole), dst, sz) < 0 ? -1 : 0;
}

/* Field FI through the closure's sources in order: with PLAN, ask for what
 * the first undecided source needs; without, fill D (the end). */
static int ident_field(struct hr_prof_reader *r, int fi, int plan)
{
    struct hr_prof_device *d = &r->d;
    int serial = fi == HR_PF_SERIAL;

    if (r->decided[fi])
        return 0;               /* read once: every round and the end keep it */
    for (size_t k = 0; k < d->nfrom; k++) {
        for (const struct hr_prof_source *s = &d->from[k]->src[fi]; s && s->set; s = s->next) {
            struct hr_prof_source bare = { .set = 1 };
            const struct hr_value *v = NULL;
            struct wsrc *w = NULL;
            struct cached *c;

            if (serial && !plan)
                d->serial_raw[0] = '\0';     /* what the source tried last said */
            if (!s->constant && s->where) {
                if (!(w = wsrc_of(r, s)))
                    continue;
                if (w->state < 2) {
                    if (!plan)
                        continue;
                    if (w->state == 0) {
                        /* Sources selecting on one column share its walk. */
                        for (size_t i = 0; i < r->nws; i++)
                            if (r->ws[i].state == 0 &&
                                oid_eq(r->ws[i].s->where_col.sub, r->ws[i].s->where_col.len,
                                       s->where_col.sub, s->where_col.len))
                                r->ws[i].state = 1;
                        if (item_add(r, HR_PRQ_WALK, s->where_col.sub, s->where_col.len) < 0)
                            return -1;
                    }
                    return 0;
                }
                if (!w->inst)
                    continue;       /* no row is selected */
            }
            if (!s->constant) {
                const uint32_t *o = w ? w->inst : s->oid.sub;
                size_t len = w ? w->instlen : s->oid.len;
                c = cache_find(r, o, len);
                if (!c) {
                    if (plan)
                        return plan_get(r, o, len);
                    continue;
                }
                if (c->pending)
                    return 0;       /* answer still to come */
                v = c->present ? &c->v : NULL;
            }
            if (plan) {
                char tmp[sizeof d->field[fi]];
                if ((s->constant || v) && field_text(fi, s, v, tmp, sizeof tmp) == 0 &&
                    !(serial && hr_serial_is_placeholder(tmp))) {
                    /* Decided: keep it, so that later rounds and the end
                     * run no regex again. */
                    memcpy(d->field[fi], tmp, sizeof tmp);
                    if (serial && v)
                        hr_prof_source_text(&bare, v, d->serial_raw, sizeof d->serial_raw);
                    r->decided[fi] = 1;
                    return 0;
                }
                continue;
            }
            if (!s->constant && !v)
                continue;           /* the agent has no such object */
            if (serial)
                hr_prof_source_text(&bare, v, d->serial_raw, sizeof d->serial_raw);
            if (field_text(fi, s, v, d->field[fi], sizeof d->field[fi]) < 0)
                d->field[fi][0] = '\0';
            if (serial && d->field[fi][0] && hr_serial_is_placeholder(d->field[fi])) {
                d->serial_placeholder = 1;
                d->field[fi][0] = '\0';
            }
            if (d->field[fi][0])
                return 0;       /* else the next alternative or profile may know it */
        }
    }
    return 0;
}

/* ---- tables ---- */

/* The tables of KIND, in the order they are alternatives: by profile in
 * closure order, then as written. */
static int cands_init(struct hr_prof_reader *r, struct tabstate *ts, enum hr_prof_table_kind kind)
{
    const struct hr_prof_device *d = &r->d;
    size_t n = 0;

    for (size_t k = 0; k < d->nfrom; k++)
        for (size_t i = 0; i < d->from[k]->ntables; i++)
            n += d->from[k]->tables[i].kind == kind;
    if (n && !(ts->c = calloc(n, sizeof *ts->c)))
        return -1;
    for (size_t k = 0; k < d->nfrom; k++)
        for (size_t i = 0; i < d->from[k]->ntables; i++)
            if (d->from[k]->tables[i].kind == kind) {
                ts->c[ts->n].p = d->from[k];
                ts->c[ts->n++].t = &d->from[k]->tables[i];
            }
    ts->done = ts->n == 0;
    return 0;
}

/* The walked alternative into D.  Capacity comes from the first table
 * that gives a counted volume (Synology's raidTable before DSM 6.2 has no
 * sizes: its hrStorage block follows), writes from the first that gives a
 * counter.  0, or -1 out of memory. */
static int table_apply(struct hr_prof_reader *r, struct tabstate *ts, enum hr_prof_table_kind kind)
{
    struct hr_prof_device *d = &r->d;
    ssize_t n;

    if (kind == HR_TAB_VOLUMES) {
        d->volumes_from = ts->c[ts->pos].p;
        free(d->vols);
        d->vols = NULL;
        d->nvols = 0;
        n = hr_prof_volumes(ts->rows, &d->vols);
        if (n > 0) {
            d->nvols = (size_t)n;
            d->counted = hr_prof_volumes_sum(d->vols, d->nvols, &d->capacity, &d->used);
        }
    } else {
        d->writes_from = ts->c[ts->pos].p;
        free(d->ctrs);
        d->ctrs = NULL;
        d->nctrs = 0;
        n = hr_prof_counters(ts->rows, &d->ctrs);
        if (n > 0)
            d->nctrs = (size_t)n;
    }
    hr_prof_rows_free(ts->rows);
    ts->rows = NULL;
    if (n < 0)
        return -1;
    if ((kind == HR_TAB_VOLUMES ? d->counted > 0 : d->nctrs > 0) || ++ts->pos == ts->n)
        ts->done = 1;
    return 0;
}

static int table_plan(struct hr_prof_reader *r, struct tabstate *ts)
{
    if (ts->done)
        return 0;
    if (!(ts->rows = hr_prof_rows_new(ts->c[ts->pos].t)))
        return -1;
    return plan_table(r, ts->c[ts->pos].t);
}

/* ---- the steps ---- */

static int start_data(struct hr_prof_reader *r)
{
    struct hr_prof_device *d = &r->d;
    size_t nw = 0;

    d->nfrom = hr_profile_closure(r->set, d->profile, d->from, HR_PROF_CLOSURE_MAX);
    for (size_t k = 0; k < d->nfrom; k++)
        for (int fi = 0; fi < HR_PF_COUNT; fi++)
            for (const struct hr_prof_source *s = &d->from[k]->src[fi]; s && s->set; s = s->next)
                nw += !s->constant && s->where;
    if (nw && !(r->ws = calloc(nw, sizeof *r->ws)))
        return -1;
    for (size_t k = 0; k < d->nfrom; k++)
        for (int fi = 0; fi < HR_PF_COUNT; fi++)
            for (const struct hr_prof_source *s = &d->from[k]->src[fi]; s && s->set; s = s->next)
                if (!s->constant && s->where)
                    r->ws[r->nws++].s = s;
    if (cands_init(r, &r->vol, HR_TAB_VOLUMES) < 0 || cands_init(r, &r->wr, HR_TAB_WRITES) < 0)
        return -1;
    r->ph = PH_DATA;
    return 0;
}

static int plan_data(struct hr_prof_reader *r)
{
    const struct hr_prof_device *d = &r->d;

    if (r->data_rounds++ == 0)
        /* Every plain identity OID in the first GET: more varbinds, not
         * more requests, and the fallbacks need no second round. */
        for (size_t k = 0; k < d->nfrom; k++)
            for (int fi = 0; fi < HR_PF_COUNT; fi++)
                for (const struct hr_prof_source *s = &d->from[k]->src[fi]; s && s->set;
                     s = s->next)
                    if (!s->constant && !s->where && plan_get(r, s->oid.sub, s->oid.len) < 0)
                        return -1;
    for (int fi = 0; fi < HR_PF_COUNT; fi++)
        if (ident_field(r, fi, 1) < 0)
            return -1;
    if (table_plan(r, &r->vol) < 0 || table_plan(r, &r->wr) < 0)
        return -1;
    return 0;
}

/* The answers of the step just fetched, and the next step. */
static int advance(struct hr_prof_reader *r)
{
    int failed;

    switch (r->ph) {
    case PH_INIT:
        r->ph = PH_SYS;
        if (plan_get(r, oid_sysdescr, 9) < 0 || plan_get(r, oid_sysobjectid, 9) < 0 ||
            plan_get(r, oid_sysuptime, 9) < 0)
            return -1;
        return 0;
    case PH_SYS:
        facts_from_cache(r);
        if (r->d.profile)
            break;              /* named */
        if (plan_probes(r) < 0)
            return -1;
        r->ph = PH_PROBE_GET;
        for (size_t i = 0; i < r->nprobes; i++)
            if (plan_get(r, r->probe[i].o->sub, r->probe[i].o->len) < 0)
                return -1;
        if (r->nitems)
            return 0;
        /* nothing to probe */
        /* fall through */
    case PH_PROBE_GET:
        r->ph = PH_PROBE_NEXT;
        /* A GET finds the instance OID itself (a scalar's .0); else a
         * GETNEXT of the OID finds one under it (a column's first row). */
        for (size_t i = 0; i < r->nprobes; i++) {
            const struct hr_value *v = cached_value(r, r->probe[i].o->sub, r->probe[i].o->len);
            if (v) {
                r->probe[i].state = 1;
                r->probe[i].type = v->type;
            } else {
                r->probe[i].state = 2;
                if (item_add(r, HR_PRQ_NEXT, r->probe[i].o->sub, r->probe[i].o->len) < 0)
                    return -1;
            }
        }
        if (r->nitems)
            return 0;
        /* fall through */
    case PH_PROBE_NEXT:
        r->facts.exists = reader_exists;
        r->facts.arg = r;
        if (!(r->d.profile = hr_profile_detect(r->set, &r->facts, &failed))) {
            snprintf(r->err, sizeof r->err, "no profile matches this agent (sysObjectID %s)",
                     r->facts.has_sysobjectid ? "known" : "absent");
            r->ph = PH_FAILED;
            return 0;
        }
        break;
    case PH_DATA:
        if (r->vol.rows && table_apply(r, &r->vol, HR_TAB_VOLUMES) < 0)
            return -1;
        if (r->wr.rows && table_apply(r, &r->wr, HR_TAB_WRITES) < 0)
            return -1;
        for (size_t i = 0; i < r->nws; i++)
            if (r->ws[i].state == 1)
                r->ws[i].state = 2;
        if (plan_data(r) < 0)
            return -1;
        if (r->nitems == 0) {
            for (int fi = 0; fi < HR_PF_COUNT; fi++)
                ident_field(r, fi, 0);
            r->ph = PH_DONE;
        }
        return 0;
    case PH_DONE:
    case PH_FAILED:
        return 0;
    }
    if (start_data(r) < 0)
        return -1;
    return advance(r);
}

struct hr_prof_reader *hr_prof_reader_new(const struct hr_profile_set *set, const char *named,
                                          char *err, size_t errlen)
{
    const struct hr_profile *p = named ? hr_profile_set_find(set, named) : NULL;
    struct hr_prof_reader *r;

    if (named && !p)
        snprintf(err, errlen, "no profile named '%s'", named);
    else if (!(r = calloc(1, sizeof *r)))
        snprintf(err, errlen, "out of memory");
    else {
        r->set = set;
        r->d.profile = p;       /* NULL: detection */
        return r;
    }
    return NULL;
}

void hr_prof_reader_free(struct hr_prof_reader *r)
{
    if (!r)
        return;
    items_clear(r);
    free(r->owned);
    free(r->items);
    for (size_t i = 0; i < r->ncache; i++) {
        free(r->cache[i].name);
        free(r->cache[i].owned);
    }
    free(r->cache);
    free(r->probe);
    for (size_t i = 0; i < r->nws; i++)
        free(r->ws[i].inst);
    free(r->ws);
    hr_prof_rows_free(r->vol.rows);
    hr_prof_rows_free(r->wr.rows);
    free(r->vol.c);
    free(r->wr.c);
    hr_prof_device_free(&r->d);
    free(r);
}

ssize_t hr_prof_reader_step(struct hr_prof_reader *r, const struct hr_prof_item **items)
{
    items_clear(r);
    if (advance(r) < 0) {
        snprintf(r->err, sizeof r->err, "out of memory");
        r->ph = PH_FAILED;
    }
    *items = r->items;
    if (r->ph == PH_FAILED)
        return -1;
    return (ssize_t)r->nitems;
}

static int where_add(struct hr_prof_reader *r, const uint32_t *name, size_t len,
                     const struct hr_value *v)
{
    struct hr_prof_source bare = { .set = 1 };
    char text[256];
    int have = 0;

    for (size_t i = 0; i < r->nws; i++) {
        struct wsrc *w = &r->ws[i];
        const struct hr_prof_oid *col = &w->s->where_col;
        size_t idxlen = len - col->len;
        if (w->state != 1 || w->inst || len <= col->len ||
            memcmp(name, col->sub, col->len * sizeof *name) != 0 ||
            w->s->oid.len + idxlen > HR_PROF_OID_MAX)
            continue;
        if (!have && hr_prof_source_text(&bare, v, text, sizeof text) < 0)
            continue;
        have = 1;
        if (strcmp(text, w->s->where_value) != 0)
            continue;
        if (!(w->inst = malloc((w->s->oid.len + idxlen) * sizeof *name)))
            return -1;
        memcpy(w->inst, w->s->oid.sub, w->s->oid.len * sizeof *name);
        memcpy(w->inst + w->s->oid.len, name + col->len, idxlen * sizeof *name);
        w->instlen = w->s->oid.len + idxlen;
    }
    return 0;
}

int hr_prof_reader_add(struct hr_prof_reader *r, size_t item, const uint32_t *name, size_t len,
                       const struct hr_value *v)
{
    const struct hr_prof_item *it = item < r->nitems ? &r->items[item] : NULL;

    if (it && it->kind == HR_PRQ_NEXT) {
        for (size_t i = 0; i < r->nprobes; i++)
            if (oid_eq(r->probe[i].o->sub, r->probe[i].o->len, it->oid, it->len)) {
                r->probe[i].state = len > it->len && memcmp(name, it->oid, it->len * sizeof *name)
                                    == 0 ? 1 : 2;
                r->probe[i].type = v->type;
            }
        return 0;
    }
    if (it && it->kind == HR_PRQ_GET) {
        struct cached *c = cache_find(r, name, len);
        return c && cache_set(c, v) < 0 ? -1 : 0;
    }
    if ((r->vol.rows && hr_prof_rows_add(r->vol.rows, name, len, v) < 0) ||
        (r->wr.rows && hr_prof_rows_add(r->wr.rows, name, len, v) < 0))
        return -1;
    return where_add(r, name, len, v);
}

const char *hr_prof_reader_error(const struct hr_prof_reader *r)
{
    return r->err;
}

const struct hr_prof_device *hr_prof_reader_device(const struct hr_prof_reader *r)
{
    return r->ph == PH_DONE ? &r->d : NULL;
}

void hr_prof_reader_take(struct hr_prof_reader *r, struct hr_prof_device *d)
{
    *d = r->d;
    memset(&r->d, 0, sizeof r->d);
}

/* ---- the synchronous transport ---- */

struct sync_arg {
    struct hr_prof_reader *r;
    size_t item;
};

static int sync_cb(void *arg, const uint32_t *name, size_t len, const struct hr_value *v)
{
    struct sync_arg *a = arg;
    return hr_prof_reader_add(a->r, a->item, name, len, v);
}

/* Fetch the items of one step over session SS. */
static int sync_fetch(void *ss, struct hr_prof_reader *r, const struct hr_prof_item *it, size_t n,
                      char *err, size_t errlen)
{
    const uint32_t **oids = calloc(n, sizeof *oids);
    size_t *lens = calloc(n, sizeof *lens), ng = 0, first = 0;
    int rc = -1;

    if (!oids || !lens) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (it[i].kind == HR_PRQ_GET) {
            if (ng == 0)
                first = i;
            oids[ng] = it[i].oid;
            lens[ng++] = it[i].len;
        }
    struct sync_arg a = { r, first };
    if (ng && hr_snmp_sync_get(ss, oids, lens, ng, sync_cb, &a, err, errlen) < 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        a.item = i;
        if (it[i].kind == HR_PRQ_NEXT &&
            hr_snmp_sync_getnext(ss, it[i].oid, it[i].len, sync_cb, &a, err, errlen) < 0)
            goto out;
        if (it[i].kind == HR_PRQ_WALK &&
            hr_snmp_sync_walk(ss, it[i].oid, it[i].len, 0, sync_cb, &a, err, errlen) < 0)
            goto out;
    }
    rc = 0;
out:
    free(oids);
    free(lens);
    return rc;
}

int hr_prof_read_sync(void *ss, const struct hr_profile_set *set, const char *named,
                      struct hr_prof_device *d, char *err, size_t errlen)
{
    struct hr_prof_reader *r;
    const struct hr_prof_item *items;
    ssize_t n;
    int rc = -1;

    memset(d, 0, sizeof *d);
    if (!(r = hr_prof_reader_new(set, named, err, errlen)))
        return -1;
    while ((n = hr_prof_reader_step(r, &items)) > 0)
        if (sync_fetch(ss, r, items, (size_t)n, err, errlen) < 0)
            goto out;
    if (n < 0) {
        snprintf(err, errlen, "%s", hr_prof_reader_error(r));
        goto out;
    }
    hr_prof_reader_take(r, d);
    rc = 0;
out:
    hr_prof_reader_free(r);
    return rc;
}
