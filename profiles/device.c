/* device.c: detection, `uses` closure and the synchronous reading of one
 * agent through the profiles; see device.h. */
#include "device.h"
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

int hr_profile_matches(const struct hr_profile *p, const struct hr_prof_facts *f)
{
    if (p->ndetects == 0)
        return 0;
    for (size_t i = 0; i < p->ndetects; i++) {
        const struct hr_prof_detect *d = &p->detects[i];
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
        if (!ok)
            return 0;
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

/* ---- the synchronous reading ---- */

struct probe {
    void *ss;
    char *err;
    size_t errlen;
    /* exists answers, cached per OID */
    struct { struct hr_prof_oid o; int found; enum hr_vtype type; } cache[128];
    size_t ncache;
};

struct next_arg {
    const struct hr_prof_oid *prefix;
    int found;
    enum hr_vtype type;
};

static int next_cb(void *arg, const uint32_t *name, size_t len, const struct hr_value *v)
{
    struct next_arg *a = arg;

    a->found = oid_under(name, len, a->prefix);
    a->type = v->type;
    return 0;
}

static int probe_exists(void *arg, const struct hr_prof_oid *o, enum hr_vtype *type)
{
    struct probe *P = arg;
    struct next_arg na = { o, 0, HR_VT_ANY };
    int rc;

    for (size_t i = 0; i < P->ncache; i++)
        if (P->cache[i].o.len == o->len && memcmp(P->cache[i].o.sub, o->sub, o->len * sizeof *o->sub) == 0) {
            *type = P->cache[i].type;
            return P->cache[i].found;
        }
    /* A GET finds the instance OID itself (a scalar's .0); else a GETNEXT
     * of the OID finds one under it (a column's first row). */
    const uint32_t *oids[1] = { o->sub };
    size_t lens[1] = { o->len };
    if (hr_snmp_sync_get(P->ss, oids, lens, 1, next_cb, &na, P->err, P->errlen) < 0)
        return -1;
    if (!na.found) {
        rc = hr_snmp_sync_getnext(P->ss, o->sub, o->len, next_cb, &na, P->err, P->errlen);
        if (rc < 0)
            return -1;
    }
    if (P->ncache < HR_ARRAY_LEN(P->cache)) {
        P->cache[P->ncache].o = *o;
        P->cache[P->ncache].found = na.found;
        P->cache[P->ncache].type = na.type;
        P->ncache++;
    }
    *type = na.type;
    return na.found;
}

static const uint32_t oid_sysdescr[] = { 1, 3, 6, 1, 2, 1, 1, 1, 0 };
static const uint32_t oid_sysobjectid[] = { 1, 3, 6, 1, 2, 1, 1, 2, 0 };
static const uint32_t oid_sysuptime[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };

struct sys_arg {
    struct hr_prof_facts *f;
    struct hr_prof_device *d;
};

static int sys_cb(void *arg, const uint32_t *name, size_t len, const struct hr_value *v)
{
    struct sys_arg *a = arg;

    if (len == 9 && memcmp(name, oid_sysdescr, sizeof oid_sysdescr) == 0 && v->type == HR_VT_STRING) {
        hr_sanitize(a->f->sysdescr, sizeof a->f->sysdescr, v->s, v->len);
        a->f->has_sysdescr = 1;
    } else if (len == 9 && memcmp(name, oid_sysobjectid, sizeof oid_sysobjectid) == 0 &&
               v->type == HR_VT_OID && v->len <= HR_PROF_OID_MAX) {
        memcpy(a->f->sysobjectid.sub, v->oid, v->len * sizeof *v->oid);
        a->f->sysobjectid.len = v->len;
        a->f->has_sysobjectid = 1;
    } else if (len == 9 && memcmp(name, oid_sysuptime, sizeof oid_sysuptime) == 0 &&
               v->type == HR_VT_TIMETICKS) {
        a->d->sysuptime = (uint32_t)v->u;
        a->d->sysuptime_known = 1;
    }
    return 0;
}

/* One identity field: a GET of the instance. */
struct field_arg {
    const struct hr_prof_source *src;
    char *buf;
    size_t bufsz;
    char *raw;
    size_t rawsz;
    int got;
};

static int field_cb(void *arg, const uint32_t *name, size_t len, const struct hr_value *v)
{
    struct field_arg *a = arg;
    struct hr_prof_source bare = { .set = 1 };

    (void)name;
    (void)len;
    if (a->raw)
        hr_prof_source_text(&bare, v, a->raw, a->rawsz);
    a->got = hr_prof_source_text(a->src, v, a->buf, a->bufsz) == 0;
    return 0;
}

/* A `where` source: the first row whose selector column reads the value. */
struct where_arg {
    const struct hr_prof_source *src;
    size_t collen;              /* sub-identifiers of the column OIDs */
    uint32_t idx[HR_PROF_OID_MAX];
    size_t idxlen;
    int found;
};

static int where_cb(void *arg, const uint32_t *name, size_t len, const struct hr_value *v)
{
    struct where_arg *a = arg;
    struct hr_prof_source bare = { .set = 1 };
    char text[256];

    if (a->found || len <= a->collen)
        return 0;
    if (hr_prof_source_text(&bare, v, text, sizeof text) == 0 &&
        strcmp(text, a->src->where_value) == 0) {
        a->idxlen = len - a->collen;
        memcpy(a->idx, name + a->collen, a->idxlen * sizeof *name);
        a->found = 1;
    }
    return 0;
}

static int read_field(struct probe *P, const struct hr_prof_source *s, char *buf, size_t bufsz,
                      char *raw, size_t rawsz)
{
    struct field_arg fa = { s, buf, bufsz, raw, rawsz, 0 };
    uint32_t inst[HR_PROF_OID_MAX];
    const uint32_t *oids[1];
    size_t lens[1];

    buf[0] = '\0';
    if (raw)
        raw[0] = '\0';
    if (s->constant)
        return hr_prof_source_text(s, NULL, buf, bufsz);
    if (!s->where) {
        oids[0] = s->oid.sub;
        lens[0] = s->oid.len;
    } else {
        struct where_arg wa = { s, s->where_col.len, { 0 }, 0, 0 };
        if (hr_snmp_sync_walk(P->ss, s->where_col.sub, s->where_col.len, 0, where_cb, &wa,
                              P->err, P->errlen) < 0)
            return -1;
        if (!wa.found || s->oid.len + wa.idxlen > HR_PROF_OID_MAX)
            return 0;
        memcpy(inst, s->oid.sub, s->oid.len * sizeof *inst);
        memcpy(inst + s->oid.len, wa.idx, wa.idxlen * sizeof *inst);
        oids[0] = inst;
        lens[0] = s->oid.len + wa.idxlen;
    }
    if (hr_snmp_sync_get(P->ss, oids, lens, 1, field_cb, &fa, P->err, P->errlen) < 0)
        return -1;
    return 0;
}

static int rows_cb(void *arg, const uint32_t *name, size_t len, const struct hr_value *v)
{
    return hr_prof_rows_add(arg, name, len, v) < 0 ? -1 : 0;
}

/* Walk the columns table T names into a row set. */
static struct hr_prof_rows *read_table(struct probe *P, const struct hr_prof_table *t)
{
    unsigned cols[] = { t->name_col, t->type_col, t->unit_col, t->size.col, t->size.col_lo,
                        t->used.col, t->used.col_lo, t->free.col, t->free.col_lo, t->count_col };
    struct hr_prof_rows *r = hr_prof_rows_new(t);
    uint32_t col[HR_PROF_OID_MAX];

    if (!r) {
        snprintf(P->err, P->errlen, "out of memory");
        return NULL;
    }
    if (t->entry.len + 1 > HR_PROF_OID_MAX)
        return r;
    memcpy(col, t->entry.sub, t->entry.len * sizeof *col);
    for (size_t i = 0; i < HR_ARRAY_LEN(cols); i++) {
        int dup = 0;
        for (size_t k = 0; k < i; k++)
            dup |= cols[k] == cols[i];
        if (!cols[i] || dup)
            continue;
        col[t->entry.len] = cols[i];
        if (hr_snmp_sync_walk(P->ss, col, t->entry.len + 1, 0, rows_cb, r, P->err, P->errlen) < 0) {
            hr_prof_rows_free(r);
            return NULL;
        }
    }
    return r;
}

/* The volumes (or counters) of P's tables of KIND into D.  Tables of one
 * kind are alternatives, in the order written: the first that gives a
 * counted volume (a counter) is used, so a profile can fall back from a
 * vendor table that older firmware does not fill to a standard one. */
static int read_tables(struct probe *P, const struct hr_profile *p, enum hr_prof_table_kind kind,
                       struct hr_prof_device *d)
{
    for (size_t i = 0; i < p->ntables; i++) {
        const struct hr_prof_table *t = &p->tables[i];
        struct hr_prof_rows *r;
        ssize_t n;
        if (t->kind != kind)
            continue;
        if (!(r = read_table(P, t)))
            return -1;
        if (kind == HR_TAB_VOLUMES) {
            free(d->vols);
            d->vols = NULL;
            d->nvols = 0;
            n = hr_prof_volumes(r, &d->vols);
            if (n > 0) {
                d->nvols = (size_t)n;
                d->counted = hr_prof_volumes_sum(d->vols, d->nvols, &d->capacity, &d->used);
            }
        } else {
            free(d->ctrs);
            d->ctrs = NULL;
            d->nctrs = 0;
            n = hr_prof_counters(r, &d->ctrs);
            if (n > 0)
                d->nctrs = (size_t)n;
        }
        hr_prof_rows_free(r);
        if (n < 0) {
            snprintf(P->err, P->errlen, "out of memory");
            return -1;
        }
        if (kind == HR_TAB_VOLUMES ? d->counted > 0 : d->nctrs > 0)
            break;
    }
    return 0;
}

static int has_table(const struct hr_profile *p, enum hr_prof_table_kind kind)
{
    for (size_t i = 0; i < p->ntables; i++)
        if (p->tables[i].kind == kind)
            return 1;
    return 0;
}

int hr_prof_read_sync(void *ss, const struct hr_profile_set *set, const char *named,
                      struct hr_prof_device *d, char *err, size_t errlen)
{
    struct probe P = { .ss = ss, .err = err, .errlen = errlen };
    struct hr_prof_facts f = { .exists = probe_exists, .arg = &P };
    struct sys_arg sa = { &f, d };
    const uint32_t *oids[] = { oid_sysdescr, oid_sysobjectid, oid_sysuptime };
    const size_t lens[] = { 9, 9, 9 };
    int failed;

    memset(d, 0, sizeof *d);
    if (hr_snmp_sync_get(ss, oids, lens, 3, sys_cb, &sa, err, errlen) < 0)
        return -1;
    if (named) {
        if (!(d->profile = hr_profile_set_find(set, named))) {
            snprintf(err, errlen, "no profile named '%s'", named);
            return -1;
        }
    } else if (!(d->profile = hr_profile_detect(set, &f, &failed))) {
        if (!failed)
            snprintf(err, errlen, "no profile matches this agent (sysObjectID %s)",
                     f.has_sysobjectid ? "known" : "absent");
        return -1;
    }
    d->nfrom = hr_profile_closure(set, d->profile, d->from, HR_PROF_CLOSURE_MAX);
    /* Each identity field from the first profile that names it. */
    for (int fi = 0; fi < HR_PF_COUNT; fi++)
        for (size_t k = 0; k < d->nfrom; k++) {
            const struct hr_prof_source *s = &d->from[k]->src[fi];
            if (!s->set)
                continue;
            int serial = fi == HR_PF_SERIAL;
            if (read_field(&P, s, d->field[fi], sizeof d->field[fi],
                           serial ? d->serial_raw : NULL, sizeof d->serial_raw) < 0)
                return -1;
            if (serial && d->field[fi][0] && hr_serial_is_placeholder(d->field[fi])) {
                d->serial_placeholder = 1;
                d->field[fi][0] = '\0';
            }
            if (d->field[fi][0])
                break;          /* else the next profile may know it */
        }
    /* Capacity from the first profile whose volume tables give a counted
     * volume: a vendor table the firmware does not fill (Synology's
     * raidTable before DSM 6.2) falls back to what the profile uses.
     * Writes likewise, from the first that gives a counter. */
    for (size_t k = 0; k < d->nfrom && !d->counted; k++) {
        if (!has_table(d->from[k], HR_TAB_VOLUMES))
            continue;
        d->volumes_from = d->from[k];
        if (read_tables(&P, d->from[k], HR_TAB_VOLUMES, d) < 0)
            return -1;
    }
    for (size_t k = 0; k < d->nfrom && !d->nctrs; k++) {
        if (!has_table(d->from[k], HR_TAB_WRITES))
            continue;
        d->writes_from = d->from[k];
        if (read_tables(&P, d->from[k], HR_TAB_WRITES, d) < 0)
            return -1;
    }
    return 0;
}
