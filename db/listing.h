/* listing.h: the listings of the `headroom` commands, as row iterators
 * (db/listing.c).
 *
 * A listing is named, not written in SQL by its caller: the query, its
 * column names and their order live here, so another backend can give
 * the same columns.  Values come as text (NULL for none), which is all a
 * text table or CSV needs (cli/output.c).
 */
#ifndef HR_DB_LISTING_H
#define HR_DB_LISTING_H

#include <stddef.h>
#include <stdint.h>

struct hr_db;
struct hr_db_rows;

enum hr_db_listing {
    HR_DB_LIST_TARGETS,    /* fleet list: customer (NULL all) */
    HR_DB_LIST_CONFLICTS,  /* fleet conflicts: all (NULL: only open ones) */
    HR_DB_LIST_CUSTOMERS,  /* customers list */
    HR_DB_LIST_STAFF,      /* staff list */
    HR_DB_LIST_HISTORY,    /* history --raw: customer or device, since <= time < until */
    HR_DB_LIST_DAILY,      /* history: the daily records of the days from since's
                              to before until, same filters */
};

struct hr_db_list_params {
    const char *customer;
    int64_t device;        /* a device id (hr_db_device_lookup); 0: all */
    int all;
    int64_t since, until;
    /* HISTORY, DAILY: samples.status (daily.flags) in words into BUF
     * (NULL: the number). */
    void (*status_text)(unsigned status, char *buf, size_t sz);
};

/* Start listing WHICH (P may be NULL).  NULL on error (hr_db_errmsg).
 * Only one iterator per listing may be open at a time on one handle. */
struct hr_db_rows *hr_db_list(struct hr_db *db, enum hr_db_listing which,
                              const struct hr_db_list_params *p);
int hr_db_rows_ncols(const struct hr_db_rows *r);
const char *hr_db_rows_name(const struct hr_db_rows *r, int i);
/* 1 a row is ready, 0 no more, -1 error (hr_db_errmsg). */
int hr_db_rows_next(struct hr_db_rows *r);
/* Column I of the current row as text; NULL for none. */
const char *hr_db_rows_text(const struct hr_db_rows *r, int i);
/* NULL is a no-op. */
void hr_db_rows_free(struct hr_db_rows *r);

#endif
