/* propose_db.h: the tables of the proposal layer (db/propose_db.c): rule
 * flap state, proposals and their stock answers, the product and
 * firmware catalogues, the stock table, and the customer and staff rows
 * that routing reads.
 *
 * -1 on a database error with the reason in hr_db_errmsg; nothing is
 * logged here.  Lookups return 1 found, 0 not found, and hand out copies;
 * strings given to a callback live until it returns.  No statement is
 * left active when a function returns: an autocommitted write (the
 * outbox's) after any of them is durable at once.  Statements are prepared once
 * per handle, so `propose` parses no SQL per device.
 */
#ifndef HR_DB_PROPOSE_H
#define HR_DB_PROPOSE_H

#include <stddef.h>
#include <stdint.h>

#include "inventory.h"      /* struct hr_db_staff */

struct hr_db;

/* ---- rule flap state, per (device, rule) ---- */

/* 1 with *ARMED and *LAST_FIRED, 0 none yet, -1 error. */
int hr_db_rule_state_get(struct hr_db *db, int64_t device, const char *rule, int *armed,
                         int64_t *last_fired);
/* Insert or update; DECISION is its name, NOW the evaluation time. */
int hr_db_rule_state_put(struct hr_db *db, int64_t device, const char *rule, int armed,
                         int64_t last_fired, const char *decision, int64_t now);

/* ---- what routing and the mail read ---- */

/* Customer ID: 1 with its name, area code and assigned staff (malloc'd
 * copies, the caller's; NULL for NULL) and consent_sales, 0 no such
 * customer, -1 error. */
int hr_db_customer_routing(struct hr_db *db, const char *id, char **name, char **area_code,
                           char **assigned, int *consent);

/* Staff in id order (any field NULL for NULL). */
/* 0, FN's nonzero return, or -1. */
int hr_db_staff_each(struct hr_db *db, int (*fn)(void *arg, const struct hr_db_staff *s),
                     void *arg);

/* The catalogue's product MODEL_NUMBER for the mail and routing: 1 with
 * name, product line, options, supplies (malloc'd copies, the caller's;
 * NULL for NULL) and rated window (0 for none), 0 unknown model, -1
 * error. */
struct hr_db_product {
    char *name, *product_line, *options, *supplies;
    int64_t rated_window;
};
int hr_db_catalog_product(struct hr_db *db, const char *model_number, struct hr_db_product *p);

/* ---- catalogue import and listing ---- */

/* One product; a negative RATED_LOAD / RATED_WINDOW / MAX_CAPACITY, or a
 * NULL or "" LATEST_FIRMWARE, is stored as unknown (NULL). */
struct hr_db_catalog_row {
    const char *model_number, *name, *product_line, *options, *supplies, *latest_firmware;
    int64_t rated_load, rated_window, max_capacity;
};
int hr_db_catalog_product_put(struct hr_db *db, const struct hr_db_catalog_row *r);
int hr_db_catalog_firmware_put(struct hr_db *db, const char *model_number,
                               const char *version, int64_t release_date);
/* Empty the product (or, with FIRMWARE, the firmware) catalogue. */
int hr_db_catalog_clear(struct hr_db *db, int firmware);
/* `catalog list`: per product in model order, VALS: model_number, name,
 * product_line, rated_load, rated_window, max_capacity, options,
 * supplies, latest_firmware, and its firmware releases
 * ("VERSION@YYYY-MM-DD ..."), NULL for none.  0, FN's return, or -1. */
int hr_db_catalog_list(struct hr_db *db, int (*fn)(void *arg, const char *const *vals),
                       void *arg);

/* ---- stock ---- */

struct hr_db_stock {
    const char *sku, *store_id, *store_name;
    int64_t quantity, lead_time_days, transit_days;
};
/* The rows of SKU by store id (SKU NULL: every row by sku and store). */
int hr_db_stock_each(struct hr_db *db, const char *sku,
                     int (*fn)(void *arg, const struct hr_db_stock *s), void *arg);
/* Add one row; *DUP set to 1 (and -1 returned) when the (sku, store) is
 * already there. */
int hr_db_stock_put(struct hr_db *db, const struct hr_db_stock *s, int *dup);
int hr_db_stock_clear(struct hr_db *db);

/* ---- proposals ---- */

/* The id the next proposal will get (ids only grow). */
int64_t hr_db_proposals_next_id(struct hr_db *db);

/* One proposal row; NULL strings are stored as NULL (REASON, STAFF_ID,
 * RECIPIENT); FULL_TIME 0 for none. */
struct hr_db_proposal {
    int64_t created, device_id, full_time;
    const char *serial, *customer, *rule, *family, *severity, *why, *subject, *text, *skus,
               *state, *reason, *staff_id, *recipient, *route;
};
/* The new id, or -1. */
int64_t hr_db_proposal_insert(struct hr_db *db, const struct hr_db_proposal *p);

/* One stock answer of a proposal: STORE_ID NULL for "no store lists the
 * SKU" (the other store fields are then ignored). */
struct hr_db_proposal_stock {
    int64_t proposal_id, rank, quantity;
    const char *sku, *store_id, *store_name, *delivery_date;
    int in_stock;
};
int hr_db_proposal_stock_insert(struct hr_db *db, const struct hr_db_proposal_stock *s);

/* Proposal ID's mail is outbox row OUTBOX_ID, copied to CC (blank
 * separated, "" for none): state queued. */
int hr_db_proposal_queued(struct hr_db *db, int64_t id, int64_t outbox_id, const char *cc);

/* Proposals with id >= FIRST_ID still queued or failed: the count, or -1. */
int hr_db_proposals_unsent(struct hr_db *db, int64_t first_id);

/* `headroom proposals`: the columns (hr_db_proposals_cols), one call per
 * proposal in id order, filtered by customer, state and staff (a staff
 * view never shows a proposal held back for want of consent); any filter
 * NULL for all.  0, FN's nonzero return, or -1. */
extern const char *const hr_db_proposals_cols[];
extern const size_t hr_db_proposals_ncols;
int hr_db_proposals_list(struct hr_db *db, const char *customer, const char *state,
                         const char *staff, int (*fn)(void *arg, const char *const *vals),
                         void *arg);

#endif
