/* read.c: what an agent answered, read the way a profile says; see read.h
 * and docs/profiles.md ("Semantics"). */
#include "read.h"
#include "hr_util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The columns a table block can name. */
enum { C_NAME, C_TYPE, C_UNIT, C_SIZE, C_SIZE_LO, C_USED, C_USED_LO, C_FREE, C_FREE_LO,
       C_COUNT, C_N };

struct cell {
    int set;
    enum hr_vtype type;
    int64_t i;
    uint64_t u;
    char *s;                 /* string bytes (NUL-terminated copy), or */
    uint32_t *oid;           /* OID sub-identifiers */
    size_t len;
};

/* A row's index: up to IDX_INLINE sub-identifiers in the row (almost
 * every table: an integer or two), longer ones (string indexes) on the
 * heap, so a table of rows stays small and fast to grow. */
#define IDX_INLINE 6
struct row {
    uint32_t idx_in[IDX_INLINE];
    uint32_t *idx_heap;
    size_t idxlen;
    struct cell c[C_N];
};

static const uint32_t *row_idx(const struct row *w)
{
    return w->idxlen <= IDX_INLINE ? w->idx_in : w->idx_heap;
}

struct hr_prof_rows {
    const struct hr_prof_table *t;
    unsigned colno[C_N];     /* the table's column number of each role, 0 none */
    struct row *v;
    size_t n, cap;
};

struct hr_prof_rows *hr_prof_rows_new(const struct hr_prof_table *t)
{
    struct hr_prof_rows *r = calloc(1, sizeof *r);

    if (!r)
        return NULL;
    r->t = t;
    r->colno[C_NAME] = t->name_col;
    r->colno[C_TYPE] = t->type_col;
    r->colno[C_UNIT] = t->unit_col;
    r->colno[C_SIZE] = t->size.col;
    r->colno[C_SIZE_LO] = t->size.col_lo;
    r->colno[C_USED] = t->used.col;
    r->colno[C_USED_LO] = t->used.col_lo;
    r->colno[C_FREE] = t->free.col;
    r->colno[C_FREE_LO] = t->free.col_lo;
    r->colno[C_COUNT] = t->count_col;
    return r;
}

void hr_prof_rows_free(struct hr_prof_rows *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        for (int c = 0; c < C_N; c++) {
            free(r->v[i].c[c].s);
            free(r->v[i].c[c].oid);
        }
        free(r->v[i].idx_heap);
    }
    free(r->v);
    free(r);
}

size_t hr_prof_rows_count(const struct hr_prof_rows *r)
{
    return r ? r->n : 0;
}

static int idx_cmp(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    for (size_t i = 0; i < na && i < nb; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return na < nb ? -1 : na > nb;
}

/* The row with index IDX, inserted in index order if new; NULL on OOM. */
static struct row *row_get(struct hr_prof_rows *r, const uint32_t *idx, size_t len)
{
    size_t lo = 0, hi = r->n;
    uint32_t *heap = NULL;

    /* Walks come in index order: try the end first. */
    if (r->n && idx_cmp(row_idx(&r->v[r->n - 1]), r->v[r->n - 1].idxlen, idx, len) < 0) {
        lo = hi = r->n;
    } else {
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            int c = idx_cmp(row_idx(&r->v[mid]), r->v[mid].idxlen, idx, len);
            if (c == 0)
                return &r->v[mid];
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    if (len > IDX_INLINE && !(heap = malloc(len * sizeof *idx)))
        return NULL;
    if (hr_array_grow(&r->v, &r->cap, r->n + 1, sizeof *r->v) < 0) {
        free(heap);
        return NULL;
    }
    memmove(&r->v[lo + 1], &r->v[lo], (r->n - lo) * sizeof *r->v);
    memset(&r->v[lo], 0, sizeof *r->v);
    r->v[lo].idx_heap = heap;
    memcpy(heap ? heap : r->v[lo].idx_in, idx, len * sizeof *idx);
    r->v[lo].idxlen = len;
    r->n++;
    return &r->v[lo];
}

int hr_prof_rows_add(struct hr_prof_rows *r, const uint32_t *oid, size_t len,
                     const struct hr_value *v)
{
    const struct hr_prof_oid *e = &r->t->entry;
    struct row *row;
    struct cell *c;

    if (len < e->len + 2 || memcmp(oid, e->sub, e->len * sizeof *oid) != 0)
        return 1;
    for (int k = 0; k < C_N; k++)
        if (r->colno[k] && r->colno[k] == oid[e->len]) {
            /* One column may play two roles (a writes table's name and a
             * filter, say): fill every role it has. */
            if (!(row = row_get(r, oid + e->len + 1, len - e->len - 1)))
                return -1;
            c = &row->c[k];
            free(c->s);
            free(c->oid);
            memset(c, 0, sizeof *c);
            c->set = 1;
            c->type = v->type;
            c->i = v->i;
            c->u = v->u;
            c->len = v->len;
            if (v->type == HR_VT_STRING || v->type == HR_VT_OPAQUE || v->type == HR_VT_IPADDRESS) {
                if (!(c->s = malloc(v->len + 1)))
                    return -1;
                if (v->len)
                    memcpy(c->s, v->s, v->len);
                c->s[v->len] = '\0';
            } else if (v->type == HR_VT_OID) {
                if (!(c->oid = malloc((v->len ? v->len : 1) * sizeof *c->oid)))
                    return -1;
                if (v->len)
                    memcpy(c->oid, v->oid, v->len * sizeof *c->oid);
            }
        }
    return 0;
}

/* ---- numbers ---- */

static const uint64_t KIB = 1024;

/* Bytes per unit of SCALE (UNIT for HR_PS_UNITS); 0 when unknown. */
static uint64_t scale_mult(const struct hr_prof_value *v, uint64_t unit)
{
    switch (v->scale) {
    case HR_PS_BYTES: return 1;
    case HR_PS_KIB: return KIB;
    case HR_PS_MIB: return KIB * KIB;
    case HR_PS_GIB: return KIB * KIB * KIB;
    case HR_PS_TIB: return KIB * KIB * KIB * KIB;
    case HR_PS_UNITS: return unit;
    case HR_PS_BLOCKS: return v->block;
    }
    return 0;
}

int hr_prof_text_bytes(const char *s, size_t len, enum hr_prof_scale scale, uint64_t *out)
{
    static const struct { const char *u; int pow; } units[] = {
        { "b", 0 }, { "bytes", 0 }, { "k", 1 }, { "kb", 1 }, { "kib", 1 }, { "m", 2 },
        { "mb", 2 }, { "mib", 2 }, { "g", 3 }, { "gb", 3 }, { "gib", 3 }, { "t", 4 },
        { "tb", 4 }, { "tib", 4 }, { "p", 5 }, { "pb", 5 }, { "pib", 5 },
    };
    char buf[64], *end;
    double v, mult;
    int pow = -1;

    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *p = hr_trim(buf);
    /* strtod takes "inf", "nan" and hex: a size is plain decimal. */
    if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1])))
        return -1;
    char *q = p;
    while (isdigit((unsigned char)*q) || *q == '.')
        q++;
    errno = 0;
    v = strtod(p, &end);
    /* Only digits and one point: strtod must stop where they stop ("0x10"
     * and "1e3" are not sizes). */
    if (errno || end != q || v < 0 || !isfinite(v))
        return -1;
    while (*end == ' ')
        end++;
    if (*end) {
        for (size_t i = 0; i < HR_ARRAY_LEN(units); i++)
            if (strcasecmp(end, units[i].u) == 0)
                pow = units[i].pow;
        if (pow < 0)
            return -1;
        mult = 1;
        for (int i = 0; i < pow; i++)
            mult *= 1024;
    } else {
        struct hr_prof_value sv = { .scale = scale };
        uint64_t m = scale_mult(&sv, 0);
        if (!m)
            return -1;
        mult = (double)m;
    }
    v = v * mult;
    if (v >= 18446744073709551616.0)
        return -1;
    *out = (uint64_t)llround(v);
    return 0;
}

/* The unsigned value of a numeric cell; *NEG set when an Integer32 was
 * negative and got 2^32 added (Windows' hrStorageSize overflows).  0 or -1. */
static int cell_u64(const struct cell *c, uint64_t *out, int *neg)
{
    if (!c->set)
        return -1;
    switch (c->type) {
    case HR_VT_INTEGER:
        if (c->i < 0) {
            if (c->i < INT32_MIN)
                return -1;
            *out = (uint64_t)(c->i + 4294967296LL);
            *neg = 1;
            return 0;
        }
        *out = (uint64_t)c->i;
        return 0;
    case HR_VT_COUNTER32:
    case HR_VT_GAUGE32:
    case HR_VT_COUNTER64:
        *out = c->u;
        return 0;
    default:
        return -1;
    }
}

static int mul_ok(uint64_t a, uint64_t b, uint64_t *out)
{
    if (b && a > UINT64_MAX / b)
        return -1;
    *out = a * b;
    return 0;
}

/* The bytes of value V (cells HI and, for halves, LO) of ROW. */
static int row_value(const struct row *row, const struct hr_prof_value *v, int hi, int lo,
                     uint64_t unit, uint64_t *out, int *neg)
{
    uint64_t raw, mult;

    if (v->text) {
        const struct cell *c = &row->c[hi];
        if (!c->set || !c->s)
            return -1;
        return hr_prof_text_bytes(c->s, c->len, v->scale, out);
    }
    if (v->col_lo) {
        uint64_t h, l;
        int n1 = 0, n2 = 0;
        if (cell_u64(&row->c[hi], &h, &n1) < 0 || cell_u64(&row->c[lo], &l, &n2) < 0 ||
            h > UINT32_MAX || l > UINT32_MAX)
            return -1;
        raw = h << 32 | l;
    } else if (cell_u64(&row->c[hi], &raw, neg) < 0) {
        return -1;
    }
    if (!(mult = scale_mult(v, unit)))
        return -1;
    return mul_ok(raw, mult, out);
}

/* ---- filters ---- */

static int type_ok(const struct hr_prof_table *t, const struct cell *c)
{
    if (!t->type_col)
        return 1;
    if (!c->set)
        return 0;
    for (size_t i = 0; i < t->ntype_in; i++) {
        const struct hr_prof_oid *w = &t->type_in[i];
        if (c->type == HR_VT_OID && c->len == w->len &&
            memcmp(c->oid, w->sub, w->len * sizeof *c->oid) == 0)
            return 1;
        if (c->type == HR_VT_INTEGER && w->len == 1 && c->i == (int64_t)w->sub[0])
            return 1;
    }
    return 0;
}

static int name_ok(const struct hr_prof_table *t, const char *name)
{
    int includes = 0, included = 0;

    for (size_t i = 0; i < t->nfilters; i++) {
        int m = regexec(&t->filters[i].re, name, 0, NULL, 0) == 0;
        if (t->filters[i].exclude) {
            if (m)
                return 0;
        } else {
            includes = 1;
            included |= m;
        }
    }
    return !includes || included;
}

static void row_name(const struct row *row, char *buf, size_t bufsz)
{
    const struct cell *c = &row->c[C_NAME];

    if (c->set && c->s) {
        hr_sanitize(buf, bufsz, c->s, c->len);
    } else if (c->set && c->type == HR_VT_INTEGER) {
        snprintf(buf, bufsz, "%lld", (long long)c->i);
    } else {
        /* No name column: the index. */
        size_t n = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < row->idxlen && n + 12 < bufsz; i++)
            n += (size_t)snprintf(buf + n, bufsz - n, "%s%u", i ? "." : "",
                                  (unsigned)row_idx(row)[i]);
    }
}

/* A row kept by the type and name filters; its name into NAME. */
static int row_kept(const struct hr_prof_table *t, const struct row *row, char *name,
                    size_t namesz)
{
    if (!type_ok(t, &row->c[C_TYPE]))
        return 0;
    row_name(row, name, namesz);
    return name_ok(t, name);
}

ssize_t hr_prof_volumes(const struct hr_prof_rows *r, struct hr_prof_volume **out)
{
    const struct hr_prof_table *t = r->t;
    struct hr_prof_volume *v;
    size_t n = 0;

    *out = NULL;
    if (t->kind != HR_TAB_VOLUMES || r->n == 0)
        return 0;
    if (!(v = calloc(r->n, sizeof *v)))
        return -1;
    for (size_t i = 0; i < r->n; i++) {
        const struct row *row = &r->v[i];
        struct hr_prof_volume *vol = &v[n];
        uint64_t unit = 1, size = 0, used = 0, fr = 0;
        int neg = 0, bad = 0, unused_neg = 0;

        if (!row_kept(t, row, vol->name, sizeof vol->name))
            continue;
        n++;
        if (t->keep_duplicates)
            vol->flags |= HR_PV_KEEP_DUP;
        if (t->shared_pattern) {
            regmatch_t m[2];
            if (regexec(&t->shared_re, vol->name, 2, m, 0) == 0) {
                int g = t->shared_re.re_nsub >= 1 && m[1].rm_so >= 0 ? 1 : 0;
                size_t len = (size_t)(m[g].rm_eo - m[g].rm_so);
                if (len >= sizeof vol->group)
                    len = sizeof vol->group - 1;
                memcpy(vol->group, vol->name + m[g].rm_so, len);
                vol->group[len] = '\0';
                vol->flags |= HR_PV_SHARED;
            }
        }
        if (t->unit_col && (cell_u64(&row->c[C_UNIT], &unit, &unused_neg) < 0 || unit == 0 ||
                            unused_neg))
            bad = 1;
        if (!bad && row_value(row, &t->size, C_SIZE, C_SIZE_LO, unit, &size, &neg) < 0)
            bad = 1;
        if (!bad && t->used.col &&
            row_value(row, &t->used, C_USED, C_USED_LO, unit, &used, &neg) < 0)
            bad = 1;
        if (!bad && t->free.col) {
            if (row_value(row, &t->free, C_FREE, C_FREE_LO, unit, &fr, &neg) < 0)
                bad = 1;
            else if (fr > size)
                vol->flags |= HR_PV_IMPLAUSIBLE;
            else
                used = size - fr;
        }
        if (bad) {
            vol->flags |= HR_PV_BAD;
            continue;
        }
        vol->size = size;
        vol->used = vol->flags & HR_PV_IMPLAUSIBLE ? 0 : used;
        if (neg)
            vol->flags |= HR_PV_NEG_FIXED;
        if (size == 0)
            vol->flags |= HR_PV_ZERO;
        else if (!(vol->flags & HR_PV_IMPLAUSIBLE) && used > size)
            vol->flags |= HR_PV_IMPLAUSIBLE;
    }
    if (n == 0) {
        free(v);
        return 0;
    }
    *out = v;
    return (ssize_t)n;
}

static int counted(const struct hr_prof_volume *v)
{
    return !(v->flags & ~(unsigned)HR_PV_COUNTED_AS);
}

size_t hr_prof_volumes_sum(struct hr_prof_volume *vols, size_t n, uint64_t *capacity,
                           uint64_t *used)
{
    size_t nc = 0;

    *capacity = *used = 0;
    for (size_t i = 0; i < n; i++) {
        struct hr_prof_volume *v = &vols[i];

        if (!counted(v))
            continue;
        /* Bind mounts and datasets that report their pool's figures repeat
         * an earlier row exactly: count each storage area once (SAN
         * volume tables keep them: two full volumes of one size are two). */
        for (size_t j = 0; j < i && !(v->flags & HR_PV_KEEP_DUP); j++)
            if (counted(&vols[j]) && vols[j].size == v->size && vols[j].used == v->used) {
                v->flags |= HR_PV_DUPLICATE;
                break;
            }
        if (v->flags & HR_PV_DUPLICATE)
            continue;
        /* A member of a shared-free group adds its used space here and
         * the group's free space once, below. */
        uint64_t add = v->flags & HR_PV_SHARED ? v->used : v->size;
        if (*capacity + add < *capacity || *used + v->used < *used) {
            v->flags |= HR_PV_IMPLAUSIBLE;
            continue;
        }
        *capacity += add;
        *used += v->used;
        nc++;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t fr = 0;
        int first = 1;

        if (!(vols[i].flags & HR_PV_SHARED) || !counted(&vols[i]))
            continue;
        for (size_t j = 0; j < n && first; j++)
            if (j < i && (vols[j].flags & HR_PV_SHARED) && counted(&vols[j]) &&
                strcmp(vols[j].group, vols[i].group) == 0)
                first = 0;
        if (!first)
            continue;
        for (size_t j = i; j < n; j++)
            if ((vols[j].flags & HR_PV_SHARED) && counted(&vols[j]) &&
                strcmp(vols[j].group, vols[i].group) == 0 && vols[j].size - vols[j].used > fr)
                fr = vols[j].size - vols[j].used;
        if (*capacity + fr < *capacity) {
            vols[i].flags |= HR_PV_IMPLAUSIBLE;
            continue;
        }
        *capacity += fr;
    }
    return nc;
}

ssize_t hr_prof_counters(const struct hr_prof_rows *r, struct hr_prof_counter **out)
{
    const struct hr_prof_table *t = r->t;
    struct hr_prof_counter *v;
    size_t n = 0;

    *out = NULL;
    if (t->kind != HR_TAB_WRITES || r->n == 0)
        return 0;
    if (!(v = calloc(r->n, sizeof *v)))
        return -1;
    for (size_t i = 0; i < r->n; i++) {
        const struct row *row = &r->v[i];
        const struct cell *c = &row->c[C_COUNT];
        struct hr_prof_counter *k = &v[n];
        size_t len = 0;

        if (!c->set || (c->type != HR_VT_COUNTER32 && c->type != HR_VT_COUNTER64))
            continue;
        if (!row_kept(t, row, k->name, sizeof k->name))
            continue;
        k->value = c->u;
        k->is64 = c->type == HR_VT_COUNTER64;
        for (size_t j = 0; j < row->idxlen && len + 12 < sizeof k->index; j++)
            len += (size_t)snprintf(k->index + len, sizeof k->index - len, ".%u",
                                    (unsigned)row_idx(row)[j]);
        n++;
    }
    if (n == 0) {
        free(v);
        return 0;
    }
    *out = v;
    return (ssize_t)n;
}

int hr_prof_counters_delta(const struct hr_prof_counter *prev, size_t nprev,
                           const struct hr_prof_counter *cur, size_t ncur, int restarted,
                           uint64_t *delta)
{
    uint64_t sum = 0;
    size_t matched = 0;

    if (restarted)
        return -1;
    for (size_t i = 0; i < ncur; i++) {
        const struct hr_prof_counter *p = NULL;
        uint64_t d;
        /* Same position first (the usual case), then a search. */
        if (i < nprev && strcmp(prev[i].index, cur[i].index) == 0)
            p = &prev[i];
        for (size_t j = 0; !p && j < nprev; j++)
            if (strcmp(prev[j].index, cur[i].index) == 0)
                p = &prev[j];
        if (!p || p->is64 != cur[i].is64)
            continue;            /* a row that appeared: no jump */
        matched++;
        if (cur[i].value >= p->value)
            d = cur[i].value - p->value;
        else if (!cur[i].is64 && p->value <= UINT32_MAX && cur[i].value <= UINT32_MAX)
            d = cur[i].value + 4294967296ULL - p->value;   /* a Counter32 wrap */
        else
            return -1;           /* a Counter64 went back: no honest delta */
        sum += d;
    }
    if (matched == 0)
        return -1;
    *delta = sum;
    return 0;
}

int hr_prof_source_text(const struct hr_prof_source *s, const struct hr_value *val,
                        char *buf, size_t bufsz)
{
    char raw[1024];
    size_t n;

    if (s->constant) {
        hr_strlcpy(buf, s->constant, bufsz);
        return *buf ? 0 : -1;
    }
    switch (val->type) {
    case HR_VT_STRING:
    case HR_VT_OPAQUE:
        hr_sanitize(raw, sizeof raw, val->s, val->len);
        break;
    case HR_VT_INTEGER:
        snprintf(raw, sizeof raw, "%lld", (long long)val->i);
        break;
    case HR_VT_COUNTER32:
    case HR_VT_GAUGE32:
    case HR_VT_TIMETICKS:
    case HR_VT_COUNTER64:
        snprintf(raw, sizeof raw, "%llu", (unsigned long long)val->u);
        break;
    case HR_VT_OID:
        n = 0;
        raw[0] = '\0';
        for (size_t i = 0; i < val->len && n + 12 < sizeof raw; i++)
            n += (size_t)snprintf(raw + n, sizeof raw - n, ".%u", (unsigned)val->oid[i]);
        break;
    default:
        return -1;
    }
    if (s->pattern) {
        regmatch_t m[2];
        int g;
        if (regexec(&s->re, raw, 2, m, 0) != 0)
            return -1;
        g = s->re.re_nsub >= 1 && m[1].rm_so >= 0 ? 1 : 0;
        n = (size_t)(m[g].rm_eo - m[g].rm_so);
        if (n >= sizeof raw)
            n = sizeof raw - 1;
        memmove(raw, raw + m[g].rm_so, n);
        raw[n] = '\0';
    }
    n = strlen(hr_trim(raw));
    if (n == 0)
        return -1;
    if (s->map) {
        for (size_t k = 0; k < s->map->n; k++)
            if (strcmp(s->map->v[k].key, hr_trim(raw)) == 0) {
                hr_strlcpy(buf, s->map->v[k].value, bufsz);
                return *buf ? 0 : -1;
            }
        return -1;              /* not in the map: no value from this source */
    }
    hr_strlcpy(buf, hr_trim(raw), bufsz);
    return 0;
}
