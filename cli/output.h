/* cli.h: output helpers shared by the headroom subcommands (cli.c). */
#ifndef HR_CLI_OUTPUT_H
#define HR_CLI_OUTPUT_H

#include <stdio.h>

struct hr_db;
struct sqlite3_stmt;

enum { HR_FMT_TEXT, HR_FMT_CSV };

/* "text" or "csv" into *FMT; -1 (message printed) otherwise. */
int hr_parse_format(const char *s, int *fmt);
/* One CSV field, quoted when needed (RFC 4180), then ',' or '\n'. */
void hr_csv_field(FILE *f, const char *s, int last);
/* Step ST to the end, printing its rows as an aligned table or CSV (with
 * a header of the column names).  NULLs print as '-'.  0 or -1. */
int hr_print_rows(struct sqlite3_stmt *st, int fmt);
/* Prepare SQL, bind PARAM (if not NULL) to ?1, print the rows; an
 * HR_EXIT_* code. */
int hr_list_query(struct hr_db *db, const char *sql, const char *param, int fmt);

#endif
