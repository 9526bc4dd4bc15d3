/* proposal_mail.c: the proposal mail; see proposal_mail.h. */
#include "proposal_mail.h"
#include "outbox.h"
#include "hr_util.h"
#include "hr_buf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- building the parts (common/hr_buf.h) ---- */

/* Append S HTML-escaped. */
static void sb_html(struct hr_buf *b, const char *s)
{
    char *e = hr_mail_html_escape(s ? s : "");

    if (!e) {
        b->oom = 1;
        return;
    }
    hr_buf_add(b, e, strlen(e));
    free(e);
}

/* ---- formatting ---- */

void hr_pm_bytes(double bytes, char *buf, size_t sz)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    size_t u = 0;

    if (isnan(bytes)) {
        hr_strlcpy(buf, "unknown", sz);
        return;
    }
    while (fabs(bytes) >= 1024 && u + 1 < HR_ARRAY_LEN(units)) {
        bytes /= 1024;
        u++;
    }
    snprintf(buf, sz, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
}

static void fmt_date(int64_t t, char *buf, size_t sz)
{
    hr_day_format(hr_day_of(t), buf, sz);
}

static const char *str_or(const char *s, const char *dflt)
{
    return s && *s ? s : dflt;
}

/* The one-line fields of a device (serial, model, firmware ...) as shown:
 * hr_sanitize turns CR, LF and other controls into U+FFFD, so a hostile
 * serial stays on its line in both parts. */
struct oneline {
    char serial[256], name[256], model[256], model_number[128], firmware[128];
};

static void oneline_of(const struct hr_pm_item *it, struct oneline *o)
{
    const char *src[] = { it->serial, it->name, it->model, it->model_number, it->firmware };
    char *dst[] = { o->serial, o->name, o->model, o->model_number, o->firmware };
    size_t sz[] = { sizeof o->serial, sizeof o->name, sizeof o->model,
                    sizeof o->model_number, sizeof o->firmware };

    for (size_t i = 0; i < HR_ARRAY_LEN(src); i++)
        hr_sanitize(dst[i], sz[i], src[i] ? src[i] : "", src[i] ? strlen(src[i]) : 0);
}

/* "MODEL MODEL_NUMBER", either alone, or "model unknown". */
static void model_of(const struct oneline *o, char *buf, size_t sz)
{
    if (*o->model && *o->model_number)
        snprintf(buf, sz, "%s %s", o->model, o->model_number);
    else
        hr_strlcpy(buf, *o->model ? o->model : *o->model_number ? o->model_number
                   : "model unknown", sz);
}

/* "82%" or "unknown" */
static void fmt_pct(double a, double b, char *buf, size_t sz)
{
    if (isnan(a) || isnan(b) || b <= 0)
        hr_strlcpy(buf, "unknown", sz);
    else
        snprintf(buf, sz, "%.0f%%", 100.0 * a / b);
}

static void fmt_num(double v, char *buf, size_t sz)
{
    if (isnan(v))
        hr_strlcpy(buf, "unknown", sz);
    else
        snprintf(buf, sz, "%.0f", v);
}

/* One stock answer line: "store S1 (Tokyo), 4 in stock, delivery 2026-11-25". */
static void fmt_answer(const struct hr_stock_answer *a, char *buf, size_t sz)
{
    char date[16];

    hr_day_format(a->delivery_day, date, sizeof date);
    if (a->in_stock)
        snprintf(buf, sz, "store %s (%s): %lld in stock, delivery %s", a->row->store_id,
                 a->row->store_name, (long long)a->row->quantity, date);
    else
        snprintf(buf, sz, "store %s (%s): not in stock, to order, delivery %s (lead time"
                 " %lld days)", a->row->store_id, a->row->store_name, date,
                 (long long)a->row->lead_time_days);
}

/* At most this many stores per part in the mail: the best ones. */
#define MAIL_STORES 3

/* ---- subject ---- */

char *hr_pm_subject(const struct hr_pm *pm)
{
    char *s = NULL, date[16];
    int64_t first = 0;

    if (pm->nitems == 1)
        return strdup(str_or(pm->items[0].subject, "headroom proposal"));
    for (size_t i = 0; i < pm->nitems; i++)
        if (pm->items[i].full_time > 0 && (!first || pm->items[i].full_time < first))
            first = pm->items[i].full_time;
    if (first) {
        fmt_date(first, date, sizeof date);
        if (asprintf(&s, "%s: %zu proposals (first device full around %s)",
                     str_or(pm->customer->name, pm->customer->id), pm->nitems, date) < 0)
            s = NULL;
    } else if (asprintf(&s, "%s: %zu proposals", str_or(pm->customer->name, pm->customer->id),
                        pm->nitems) < 0) {
        s = NULL;
    }
    return s;
}

/* ---- text ---- */

/* A device as both parts show it: the one-line strings and the numbers
 * formatted ("unknown" where unknown). */
struct devview {
    struct oneline o;
    char cap[32], used[32], pct[16], peak[32], rated[32], lpct[16], date[16];
};

static void devview_of(const struct hr_pm_item *it, struct devview *d)
{
    oneline_of(it, &d->o);
    hr_pm_bytes(it->capacity, d->cap, sizeof d->cap);
    hr_pm_bytes(it->used, d->used, sizeof d->used);
    fmt_pct(it->used, it->capacity, d->pct, sizeof d->pct);
    fmt_num(it->peak, d->peak, sizeof d->peak);
    fmt_num(it->rated_load, d->rated, sizeof d->rated);
    fmt_pct(it->peak, it->rated_load, d->lpct, sizeof d->lpct);
    d->date[0] = '\0';
    if (it->full_time > 0)
        fmt_date(it->full_time, d->date, sizeof d->date);
}

static void text_device(struct hr_buf *b, const struct hr_pm_item *it)
{
    char model[400];
    struct devview d;
    const struct oneline *o = &d.o;

    devview_of(it, &d);
    model_of(o, model, sizeof model);
    if (*o->serial)
        hr_buf_printf(b, "Device:   %s, serial %s%s%s\n", model, o->serial,
                      *o->name ? ", name " : "", o->name);
    else    /* read through a profile: its name is PROFILE@TARGET */
        hr_buf_printf(b, "Device:   %s, %s, no serial\n", str_or(o->name, "name unknown"),
                      model);
    if (it->product_name && *it->product_name)
        hr_buf_printf(b, "Product:  %s (line %s)\n", it->product_name,
                      str_or(it->product_line, "unknown"));
    hr_buf_printf(b, "Firmware: %s\n", str_or(o->firmware, "unknown"));
    hr_buf_printf(b, "Capacity: %s, used %s (%s)\n", d.cap, d.used, d.pct);
    hr_buf_printf(b, "Load:     peak %s writes per window, rated %s", d.peak, d.rated);
    if (it->rated_window > 0)
        hr_buf_printf(b, " per %lld s", (long long)it->rated_window);
    hr_buf_printf(b, " (%s of rated)\n", d.lpct);
    if (it->full_time > 0) {
        hr_buf_printf(b, "Forecast: full around %s (in %.0f days)\n", d.date, it->days_to_full);
    } else {
        hr_buf_printf(b, "Forecast: none (usage flat, shrinking or too little history)\n");
    }
}

static void text_parts(struct hr_buf *b, const struct hr_pm_item *it)
{
    char line[512];

    if (it->nskus)
        hr_buf_printf(b, "Parts and stock (best first):\n");
    for (size_t i = 0; i < it->nskus; i++) {
        const struct hr_stock_result *r = &it->stock[i];
        hr_buf_printf(b, "  %s\n", it->skus[i]);
        if (r->n == 0)
            hr_buf_printf(b, "    no store lists this part\n");
        for (size_t k = 0; k < r->n && k < MAIL_STORES; k++) {
            fmt_answer(&r->ans[k], line, sizeof line);
            hr_buf_printf(b, "    %s\n", line);
        }
    }
    if (it->options && *it->options)
        hr_buf_printf(b, "Related options: %s\n", it->options);
    if (it->supplies && *it->supplies)
        hr_buf_printf(b, "Supplies: %s\n", it->supplies);
}

char *hr_pm_text(const struct hr_pm *pm)
{
    struct hr_buf b = { 0 };
    const struct hr_pm_customer *c = pm->customer;

    hr_buf_printf(&b, "Customer: %s (id %s, area %s)\n\n", str_or(c->name, c->id), c->id,
                  str_or(c->area_code, "unknown"));
    for (size_t i = 0; i < pm->nitems; i++) {
        const struct hr_pm_item *it = &pm->items[i];
        hr_buf_printf(&b, "== Proposal %lld: %s (%s) ==\n\n", (long long)it->proposal_id, it->rule,
                      it->severity);
        text_device(&b, it);
        hr_buf_printf(&b, "\nWhat to propose:\n  %s\n\nWhy: %s\n\n", it->text, it->why);
        text_parts(&b, it);
        hr_buf_add(&b, "\n", 1);
    }
    hr_buf_printf(&b, "-- \nheadroom: this mail was written by `headroom propose`;"
                  " `headroom proposals` lists every proposal and its state.\n");
    return hr_buf_take(&b);
}

/* ---- HTML ---- */

static void html_row(struct hr_buf *b, const char *k, const char *v)
{
    hr_buf_printf(b, "<tr><th align=\"left\">%s</th><td>", k);
    sb_html(b, v);
    hr_buf_add(b, "</td></tr>\n", 11);
}

static void html_device(struct hr_buf *b, const struct hr_pm_item *it, int graph_no)
{
    char v[512];
    struct devview d;
    const struct oneline *o = &d.o;

    devview_of(it, &d);
    hr_buf_add(b, "<table>\n", 8);
    model_of(o, v, sizeof v);
    if (!*o->serial && *o->name)    /* read through a profile: PROFILE@TARGET */
        html_row(b, "Name", o->name);
    html_row(b, "Model", v);
    html_row(b, "Serial", str_or(o->serial, "no serial"));
    if (*o->serial && *o->name)
        html_row(b, "Name", o->name);
    if (it->product_name && *it->product_name) {
        snprintf(v, sizeof v, "%s (line %s)", it->product_name,
                 str_or(it->product_line, "unknown"));
        html_row(b, "Product", v);
    }
    html_row(b, "Firmware", str_or(o->firmware, "unknown"));
    snprintf(v, sizeof v, "%s, used %s (%s)", d.cap, d.used, d.pct);
    html_row(b, "Capacity", v);
    snprintf(v, sizeof v, "peak %s writes per window, rated %s (%s of rated)", d.peak, d.rated,
             d.lpct);
    html_row(b, "Load", v);
    if (it->full_time > 0) {
        snprintf(v, sizeof v, "full around %s (in %.0f days)", d.date, it->days_to_full);
    } else {
        hr_strlcpy(v, "none", sizeof v);
    }
    html_row(b, "Forecast", v);
    hr_buf_add(b, "</table>\n", 9);
    if (graph_no > 0) {
        hr_buf_printf(b, "<p><img src=\"cid:graph%d@headroom.proposal\" alt=\"", graph_no);
        sb_html(b, it->png_alt && *it->png_alt ? it->png_alt
                                               : "used vs capacity and peak load, with the forecast");
        hr_buf_add(b, "\"></p>\n", 7);
    }
}

static void html_parts(struct hr_buf *b, const struct hr_pm_item *it)
{
    char line[512];

    if (it->nskus)
        hr_buf_printf(b, "<p><b>Parts and stock</b> (best first):</p>\n<ul>\n");
    for (size_t i = 0; i < it->nskus; i++) {
        const struct hr_stock_result *r = &it->stock[i];
        hr_buf_add(b, "<li><code>", 10);
        sb_html(b, it->skus[i]);
        hr_buf_add(b, "</code><ul>\n", 12);
        if (r->n == 0)
            hr_buf_printf(b, "<li>no store lists this part</li>\n");
        for (size_t k = 0; k < r->n && k < MAIL_STORES; k++) {
            fmt_answer(&r->ans[k], line, sizeof line);
            hr_buf_add(b, "<li>", 4);
            sb_html(b, line);
            hr_buf_add(b, "</li>\n", 6);
        }
        hr_buf_add(b, "</ul></li>\n", 11);
    }
    if (it->nskus)
        hr_buf_add(b, "</ul>\n", 6);
    if (it->options && *it->options) {
        hr_buf_add(b, "<p>Related options: ", 20);
        sb_html(b, it->options);
        hr_buf_add(b, "</p>\n", 5);
    }
    if (it->supplies && *it->supplies) {
        hr_buf_add(b, "<p>Supplies: ", 13);
        sb_html(b, it->supplies);
        hr_buf_add(b, "</p>\n", 5);
    }
}

/* The graph number of item I: items of one device share the first one's. */
static int graph_of(const struct hr_pm *pm, size_t i)
{
    int n = 0;

    if (!pm->items[i].png)
        return 0;
    for (size_t k = 0; k <= i; k++) {
        if (!pm->items[k].png)
            continue;
        int dup = 0;
        for (size_t j = 0; j < k; j++)
            if (pm->items[j].png == pm->items[k].png)
                dup = 1;
        if (!dup)
            n++;
        if (pm->items[k].png == pm->items[i].png)
            return n;
    }
    return n;
}

char *hr_pm_html(const struct hr_pm *pm)
{
    struct hr_buf b = { 0 };
    const struct hr_pm_customer *c = pm->customer;

    hr_buf_add(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>", 57);
    {
        char *subj = hr_pm_subject(pm);
        sb_html(&b, subj ? subj : "");
        free(subj);
    }
    hr_buf_add(&b, "</title></head><body>\n<h2>", 26);
    sb_html(&b, str_or(c->name, c->id));
    hr_buf_add(&b, "</h2>\n<p>Customer id ", 21);
    sb_html(&b, c->id);
    hr_buf_add(&b, ", area ", 7);
    sb_html(&b, str_or(c->area_code, "unknown"));
    hr_buf_add(&b, "</p>\n", 5);
    for (size_t i = 0; i < pm->nitems; i++) {
        const struct hr_pm_item *it = &pm->items[i];
        hr_buf_printf(&b, "<hr>\n<h3>Proposal %lld: ", (long long)it->proposal_id);
        sb_html(&b, it->rule);
        hr_buf_add(&b, " (", 2);
        sb_html(&b, it->severity);
        hr_buf_add(&b, ")</h3>\n", 7);
        html_device(&b, it, graph_of(pm, i));
        hr_buf_add(&b, "<p><b>What to propose:</b> ", 27);
        sb_html(&b, it->text);
        hr_buf_add(&b, "</p>\n<p><small>Why: ", 20);
        sb_html(&b, it->why);
        hr_buf_add(&b, "</small></p>\n", 13);
        html_parts(&b, it);
    }
    hr_buf_add(&b, "</body></html>\n", 15);
    return hr_buf_take(&b);
}

/* ---- queue ---- */

int64_t hr_pm_queue(struct hr_db *db, const struct hr_pm *pm, char *err, size_t errlen)
{
    struct hr_mail_part *parts = calloc(pm->nitems ? pm->nitems : 1, sizeof *parts);
    char (*cids)[48] = calloc(pm->nitems ? pm->nitems : 1, sizeof *cids);
    char (*fnames)[160] = calloc(pm->nitems ? pm->nitems : 1, sizeof *fnames);
    char *subject = hr_pm_subject(pm), *text = hr_pm_text(pm), *html = hr_pm_html(pm);
    char ids[512] = "";
    struct hr_mail m = { 0 };
    struct hr_mail_header hdr[2];
    size_t np = 0, il = 0;
    int64_t id = -1;
    int last = 0;

    if (!parts || !cids || !fnames || !subject || !text || !html) {
        snprintf(err, errlen, "out of memory");
        goto out_free;
    }
    for (size_t i = 0; i < pm->nitems; i++) {
        int g = graph_of(pm, i);
        if (g > last) {   /* a device's first item: attach its graph */
            last = g;
            snprintf(cids[np], sizeof cids[np], "graph%d@headroom.proposal", g);
            /* mime.c reduces the name to [A-Za-z0-9._-]. */
            snprintf(fnames[np], sizeof fnames[np], "%s.png", str_or(pm->items[i].serial,
                     str_or(pm->items[i].name, "device")));
            parts[np] = (struct hr_mail_part){ "image/png", fnames[np], cids[np],
                                               pm->items[i].png, pm->items[i].pnglen };
            np++;
        }
        if (il + 24 < sizeof ids)
            il += (size_t)snprintf(ids + il, sizeof ids - il, "%s%lld", i ? ", " : "",
                                   (long long)pm->items[i].proposal_id);
    }
    hdr[0] = (struct hr_mail_header){ "X-Headroom-Proposal-Id", ids };
    hdr[1] = (struct hr_mail_header){ "X-Headroom-Customer", pm->customer->id };
    m.from = pm->from;
    m.to = pm->to;
    m.nto = 1;
    m.cc = pm->cc;
    m.ncc = pm->ncc;
    m.subject = subject;
    m.text = text;
    m.html = html;
    m.parts = parts;
    m.nparts = np;
    m.headers = hdr;
    m.nheaders = 2;
    m.domain = pm->domain;
    m.date = 0;     /* written now, whatever --at evaluated */
    id = hr_outbox_queue(db, &m, pm->nitems ? pm->items[0].proposal_id : 0, err, errlen);
out_free:
    free(parts);
    free(cids);
    free(fnames);
    free(subject);
    free(text);
    free(html);
    return id;
}
