/* route.h: who gets a proposal (seeds 001/002: the sales person assigned
 * to the customer, else the one in charge of the customer's area and the
 * product line, else a configured fallback; an administrator may be
 * copied).
 *
 * The choice is a pure function over the staff list (hr_route_pick), so it
 * is unit-tested without a database; hr_route_load reads the staff table.
 * The order, in full (docs/proposals.md, "Routing"):
 *   1. the customer's assigned_staff, if it names a staff row with an
 *      address (any role: an assignment is deliberate);
 *   2. else sales staff whose area_codes hold the customer's area_code and
 *      whose product_lines hold the device's product line (from the
 *      catalogue by model number); an empty product_lines serves every
 *      line.  If the catalogue does not know the model, the product line
 *      is unknown and the area alone decides (a proposal to the area's
 *      sales person beats none).  Several matches: the lowest staff id;
 *   3. else the fallback address;
 *   4. else nobody: the proposal is suppressed with reason 'no recipient'.
 */
#ifndef HR_ROUTE_H
#define HR_ROUTE_H

#include <stddef.h>

struct hr_db;

struct hr_staff {
    char *id, *name, *email, *area_codes, *product_lines, *role;
};

enum hr_route_how {
    HR_ROUTE_NONE = 0,
    HR_ROUTE_ASSIGNED,
    HR_ROUTE_AREA_LINE,
    HR_ROUTE_AREA,          /* product line unknown: area only */
    HR_ROUTE_FALLBACK,
};

struct hr_route_in {
    const char *assigned_staff;     /* customers.assigned_staff, may be "" */
    const char *area_code;          /* customers.area_code, may be "" */
    const char *product_line;       /* NULL or "": unknown */
    const char *fallback;           /* address, NULL or "": none */
};

struct hr_route {
    enum hr_route_how how;
    const struct hr_staff *staff;   /* NULL for FALLBACK and NONE */
    const char *email;              /* NULL for NONE */
};

/* Nonzero if WORD is one of the blank-separated words of LIST. */
int hr_route_word_in(const char *list, const char *word);

/* Pure: pick the recipient from STAFF[0..N) (in id order). */
void hr_route_pick(const struct hr_staff *staff, size_t n, const struct hr_route_in *in,
                   struct hr_route *out);

/* "assigned", "area+line", "area", "fallback", "none" */
const char *hr_route_how_name(enum hr_route_how how);

/* Load the staff table in id order into *STAFF (*N rows).  0, or -1 with
 * ERR. */
int hr_route_load(struct hr_db *db, struct hr_staff **staff, size_t *n, char *err,
                  size_t errlen);
void hr_route_free(struct hr_staff *staff, size_t n);

#endif
