/* proposal_mail.h: the proposal mail (seeds 001/002: customer
 * information, the product, the related options and supplies) with the
 * stock answer of seed 000 and a graph per device, composed through
 * mime.c and stored in the outbox (outbox.h).
 *
 * One mail carries one customer's new proposals for one recipient (see
 * docs/proposals.md, "Grouping").  Every string that comes from a device,
 * a customer or a catalogue is untrusted: the HTML part escapes it with
 * hr_mail_html_escape, and headers go through mime.c, which never lets a
 * CR or LF end a header line. */
#ifndef HR_PROPOSAL_MAIL_H
#define HR_PROPOSAL_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include "mail.h"
#include "stock.h"

struct hr_db;

struct hr_pm_customer {
    const char *id, *name, *area_code;
};

/* One proposal inside the mail. */
struct hr_pm_item {
    int64_t proposal_id;
    const char *rule, *severity, *subject, *text, *why;
    /* the device */
    const char *serial, *name, *model, *model_number, *firmware;
    double capacity, used, peak, rated_load;    /* NAN unknown */
    int64_t rated_window;                       /* seconds, 0 unknown */
    int64_t full_time;                          /* forecast full date, 0 none */
    double days_to_full;
    /* the catalogue (NULL or "" unknown) */
    const char *product_name, *product_line, *options, *supplies;
    /* the parts and their stock answers, STOCK[i] for SKUS[i] */
    const char *const *skus;
    const struct hr_stock_result *stock;
    size_t nskus;
    /* the device's graph (PNG), NULL if none could be drawn; items of the
     * same device may share one buffer: it is attached once */
    const unsigned char *png;
    size_t pnglen;
    const char *png_alt;    /* its text alternative (hr_graph_draw_usage's), NULL: generic */
};

struct hr_pm {
    struct hr_mail_addr from;
    const struct hr_mail_addr *to;   /* one */
    const struct hr_mail_addr *cc;
    size_t ncc;
    const struct hr_pm_customer *customer;
    const struct hr_pm_item *items;
    size_t nitems;
    int64_t now;
    const char *domain;              /* Message-ID domain; NULL: host name */
};

/* The subject: the only item's subject, or "CUSTOMER: N proposals (...)".
 * malloc'd, NULL on ENOMEM. */
char *hr_pm_subject(const struct hr_pm *pm);
/* The text and HTML bodies, malloc'd (NULL on ENOMEM). */
char *hr_pm_text(const struct hr_pm *pm);
char *hr_pm_html(const struct hr_pm *pm);

/* Compose and store the mail in the outbox (linked to the first item's
 * proposal).  Returns the outbox id, or -1 with ERR. */
int64_t hr_pm_queue(struct hr_db *db, const struct hr_pm *pm, char *err, size_t errlen);

/* "8.2 TiB" for BYTES (binary units, one decimal); "unknown" for NAN. */
void hr_pm_bytes(double bytes, char *buf, size_t sz);

#endif
