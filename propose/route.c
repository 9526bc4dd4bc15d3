/* route.c: the recipient of a proposal; see route.h. */
#include "route.h"
#include "db.h"
#include "propose_db.h"
#include "hr_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hr_route_word_in(const char *list, const char *word)
{
    size_t wl;

    if (!list || !word || !*word)
        return 0;
    wl = strlen(word);
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *e = p;
        while (*e && *e != ' ' && *e != '\t')
            e++;
        if ((size_t)(e - p) == wl && memcmp(p, word, wl) == 0)
            return 1;
        p = e;
    }
    return 0;
}

static int has_email(const struct hr_staff *s)
{
    return s->email && strchr(s->email, '@');
}

static int empty(const char *s)
{
    return !s || !*s;
}

/* Step 2: the first sales person serving the area and (when known) the
 * line.  An empty product_lines serves every line. */
static const struct hr_staff *by_area(const struct hr_staff *staff, size_t n,
                                      const char *area, const char *line)
{
    if (empty(area))
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const struct hr_staff *s = &staff[i];
        if (strcmp(s->role, "sales") != 0 || !has_email(s) ||
            !hr_route_word_in(s->area_codes, area))
            continue;
        if (empty(line) || empty(s->product_lines) || hr_route_word_in(s->product_lines, line))
            return s;
    }
    return NULL;
}

void hr_route_pick(const struct hr_staff *staff, size_t n, const struct hr_route_in *in,
                   struct hr_route *out)
{
    const struct hr_staff *s;

    memset(out, 0, sizeof *out);
    if (!empty(in->assigned_staff))
        for (size_t i = 0; i < n; i++)
            if (strcmp(staff[i].id, in->assigned_staff) == 0 && has_email(&staff[i])) {
                *out = (struct hr_route){ HR_ROUTE_ASSIGNED, &staff[i], staff[i].email };
                return;
            }
    if ((s = by_area(staff, n, in->area_code, in->product_line))) {
        out->how = empty(in->product_line) ? HR_ROUTE_AREA : HR_ROUTE_AREA_LINE;
        out->staff = s;
        out->email = s->email;
        return;
    }
    if (!empty(in->fallback)) {
        out->how = HR_ROUTE_FALLBACK;
        out->email = in->fallback;
    }
}

const char *hr_route_how_name(enum hr_route_how how)
{
    switch (how) {
    case HR_ROUTE_ASSIGNED: return "assigned";
    case HR_ROUTE_AREA_LINE: return "area+line";
    case HR_ROUTE_AREA: return "area";
    case HR_ROUTE_FALLBACK: return "fallback";
    case HR_ROUTE_NONE: break;
    }
    return "none";
}

void hr_route_free(struct hr_staff *staff, size_t n)
{
    for (size_t i = 0; staff && i < n; i++) {
        free(staff[i].id);
        free(staff[i].name);
        free(staff[i].email);
        free(staff[i].area_codes);
        free(staff[i].product_lines);
        free(staff[i].role);
    }
    free(staff);
}

static char *dup_or_empty(const char *t, int *oom)
{
    char *s = strdup(t ? t : "");

    if (!s)
        *oom = 1;
    return s;
}

struct staff_load {
    struct hr_staff *v;
    size_t n, cap;
};

static int staff_one(void *arg, const struct hr_db_staff *r)
{
    struct staff_load *l = arg;
    int oom = 0;

    if (hr_array_grow(&l->v, &l->cap, l->n + 1, sizeof *l->v) < 0)
        return 1;
    struct hr_staff *s = &l->v[l->n++];
    s->id = dup_or_empty(r->id, &oom);
    s->name = dup_or_empty(r->name, &oom);
    s->email = dup_or_empty(r->email, &oom);
    s->area_codes = dup_or_empty(r->area_codes, &oom);
    s->product_lines = dup_or_empty(r->product_lines, &oom);
    s->role = dup_or_empty(r->role, &oom);
    return oom;
}

int hr_route_load(struct hr_db *db, struct hr_staff **staff, size_t *n, char *err,
                  size_t errlen)
{
    struct staff_load l = { 0 };
    int rc;

    *staff = NULL;
    *n = 0;
    rc = hr_db_staff_each(db, staff_one, &l);
    if (rc != 0) {
        snprintf(err, errlen, "staff: %s", rc > 0 ? "out of memory" : hr_db_errmsg(db));
        hr_route_free(l.v, l.n);
        return -1;
    }
    *staff = l.v;
    *n = l.n;
    return 0;
}
