/* reports_db.h: what `headroom report` reads beyond the device read
 * model (db/reports_db.c): the customer's row, per-device registration
 * details, the fleet counts, and the report tables as rows of text.
 *
 * -1 on a database error with the reason in hr_db_errmsg; nothing is
 * logged here.  Lookups hand out copies; strings given to a callback live
 * until it returns.  No statement is left active when a function returns.
 */
#ifndef HR_DB_REPORTS_H
#define HR_DB_REPORTS_H

#include <stdint.h>

struct hr_db;

/* The tables of the reports, each a fixed list of columns (their names
 * and order are the report's; see reports/report_customer.c). */
enum hr_db_report_rows {
    HR_DB_RPT_CUSTOMER,         /* KEY: customer id; one row */
    HR_DB_RPT_PROPOSALS,        /* KEY: customer id; not suppressed */
    HR_DB_RPT_PROPOSAL_STOCK,   /* KEY: customer id; their stock answers */
    HR_DB_RPT_REGISTRATIONS,    /* KEY: customer id */
    HR_DB_RPT_CONFLICTS,        /* KEY: customer id, registered or claiming */
    HR_DB_RPT_UNREACHABLE,      /* KEY unused: enabled targets not answering */
    HR_DB_RPT_VOLUMES,          /* KEY: device id as text; volumes of a profile
                                 * device, a value not read as NULL */
};
/* Call FN with each row's columns as text (NULL for NULL).  0, FN's
 * nonzero return, or -1. */
int hr_db_report_rows(struct hr_db *db, enum hr_db_report_rows which, const char *key,
                      int (*fn)(void *arg, const char *const *vals), void *arg);

/* Tables a report section needs, present once their migration ran. */
enum hr_db_report_table {
    HR_DB_RPT_T_PROPOSALS, HR_DB_RPT_T_PROPOSAL_STOCK, HR_DB_RPT_T_CATALOG_PRODUCTS,
    HR_DB_RPT_T_CATALOG_FIRMWARE,
};
/* 1 the table exists, 0 not, -1 error. */
int hr_db_report_has(struct hr_db *db, enum hr_db_report_table t);

/* Customer ID's display name (its name, else its id) as a malloc'd copy
 * in *NAME: 1, 0 no such customer, -1 error. */
int hr_db_report_customer_name(struct hr_db *db, const char *id, char **name);

/* A device's registration number, RRD file, configuration, price (NULL
 * for empty), poll target's name and last_seen (Unix time as text), as
 * malloc'd copies (hr_db_device_extra_clear). */
struct hr_db_device_extra {
    char *reg_number, *rrd_file, *config, *price, *target, *last_seen;
};
/* 1 filled, 0 no such device, -1 error.  *X is cleared first. */
int hr_db_report_device_extra(struct hr_db *db, int64_t device, struct hr_db_device_extra *x);
/* Free what X holds; a zeroed X is fine. */
void hr_db_device_extra_clear(struct hr_db_device_extra *x);

/* The fleet report's summary counts. */
struct hr_db_fleet_counts {
    int64_t customers, targets, devices, targets_ok, targets_failed, targets_never,
            open_conflicts;
};
int hr_db_report_fleet_counts(struct hr_db *db, struct hr_db_fleet_counts *c);

#endif
