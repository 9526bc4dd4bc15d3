/* output.h: output helpers shared by the headroom subcommands (output.c). */
#ifndef HR_CLI_OUTPUT_H
#define HR_CLI_OUTPUT_H

#include <stdio.h>

#include "listing.h"

enum { HR_FMT_TEXT, HR_FMT_CSV };

/* "text" or "csv" into *FMT; -1 (message logged) otherwise. */
int hr_parse_format(const char *s, int *fmt);
/* One CSV field, quoted when needed (RFC 4180), then ',' or '\n'. */
void hr_csv_field(FILE *f, const char *s, int last);
/* Read R to the end, printing its rows as an aligned table or CSV (with
 * a header of the column names).  NULLs print as '-'.  0 or -1. */
int hr_print_rows(struct hr_db_rows *r, int fmt);
/* Run listing WHICH with P (may be NULL) and print it; an HR_EXIT_* code
 * (database errors logged). */
int hr_list_query(struct hr_db *db, enum hr_db_listing which,
                  const struct hr_db_list_params *p, int fmt);

#endif
