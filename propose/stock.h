/* stock.h: the stock check of seed 000 (paragraphs 0050-0054): for a part
 * (SKU) and a quantity, the store(s) that can hand it over and the date
 * it can be delivered, best first -- the "order identification
 * information" the manufacturing site answers a sales terminal with.
 *
 * The rule (docs/proposals.md, "Stock answer"):
 *   - stores holding at least the quantity can hand it over after their
 *     transit time: delivery = AT + transit_days;
 *   - only if no store holds enough, every store that lists the SKU can
 *     order it: delivery = AT + lead_time_days;
 *   - best first: earliest date, then larger quantity, then store id.
 * Dates are whole UTC days, so a month or year end needs no care beyond
 * timegm's. */
#ifndef HR_STOCK_H
#define HR_STOCK_H

#include <stddef.h>
#include <stdint.h>

struct hr_db;

struct hr_stock_row {
    const char *sku, *store_id, *store_name;
    int64_t quantity, lead_time_days, transit_days;
};

struct hr_stock_answer {
    const struct hr_stock_row *row;   /* the store */
    int in_stock;                     /* 1: from the shelf; 0: to be ordered */
    int64_t delivery_day;             /* days since 1970-01-01 (UTC) */
};

/* Pure: answer for QTY of the rows ROWS[0..N) (all of one SKU) at day
 * AT_DAY.  Fills OUT (room for N) best first and returns the count. */
size_t hr_stock_answer(const struct hr_stock_row *rows, size_t n, int64_t qty,
                       int64_t at_day, struct hr_stock_answer *out);

/* ---- days ---- */

/* Unix time -> day number (floor, UTC). */
int64_t hr_day_of(int64_t t);
/* "YYYY-MM-DD" of DAY into BUF (at least 11 bytes). */
void hr_day_format(int64_t day, char *buf, size_t sz);
/* "YYYY-MM-DD" (a real calendar date, hr_parse_date) -> day; 0 or -1. */
int hr_day_parse(const char *s, int64_t *day);

/* ---- the stock table ---- */

/* One SKU's stock answer from the database: RES->ans[0..n) best first,
 * pointing into RES->rows (both owned by RES; hr_stock_result_free).
 * Returns the count (0: no store lists the SKU), -1 with ERR. */
struct hr_stock_result {
    struct hr_stock_row *rows;        /* strings malloc'd */
    size_t cap;
    struct hr_stock_answer *ans;
    size_t n;
};
int hr_stock_lookup(struct hr_db *db, const char *sku, int64_t qty, int64_t at_day,
                    struct hr_stock_result *res, char *err, size_t errlen);
void hr_stock_result_free(struct hr_stock_result *res);

/* A part number or store id: 1-64 printable ASCII characters, no blanks,
 * commas or quotes (it sits in blank-separated lists and in mail as is). */
int hr_stock_valid_id(const char *s);

#endif
