/* hr_csv.h: an RFC 4180 CSV reader for headroom's import commands.
 *
 * The whole input is read into memory (imports are small: a fleet of
 * 100,000 targets is a few MiB), then records are handed out one at a
 * time.  Quoted fields may hold commas, CR, LF and doubled quotes; a
 * record may end in CRLF or LF; blank lines are skipped.  Every error
 * names the input and the line where the bad record starts, so an import
 * can report "fleet.csv:17: ..." and refuse the whole file.
 *
 * Fields must be valid UTF-8 without NUL bytes (an import of a binary
 * file stops at the first bad record with a clear message).
 */
#ifndef HR_CSV_H
#define HR_CSV_H

#include <stddef.h>
#include <stdio.h>

struct hr_csv;

/* Read PATH ("-" is standard input), at most 256 MiB.  NULL with a
 * message in ERR on failure. */
struct hr_csv *hr_csv_open(const char *path, char *err, size_t errlen);
/* Parse LEN bytes of DATA (copied); NAME is used in messages. */
struct hr_csv *hr_csv_open_mem(const char *name, const char *data, size_t len);
void hr_csv_free(struct hr_csv *c);

/* The next record: 1 with *FIELDS and *N set (valid until the next call),
 * 0 at the end, -1 on a syntax error (see hr_csv_error). */
int hr_csv_next(struct hr_csv *c, char ***fields, size_t *n);

/* The line number where the last record returned (or the error) starts. */
unsigned hr_csv_line(const struct hr_csv *c);
/* The name given at open ("fleet.csv"). */
const char *hr_csv_name(const struct hr_csv *c);
/* The last syntax error, "" if none. */
const char *hr_csv_error(const struct hr_csv *c);

/* Map the header record to known column names.  KNOWN lists NKNOWN
 * names; on return COL[i] is the field index of KNOWN[i] in each record,
 * or -1 if the header lacks it.  Names compare case-insensitively with
 * surrounding blanks ignored.  Returns 0, or -1 with a message in ERR
 * ("line 1: unknown column 'foo'", "duplicate column", "no header"). */
int hr_csv_header(struct hr_csv *c, const char *const *known, size_t nknown,
                  int *col, char *err, size_t errlen);

/* Write S as one CSV field to F, quoted when it holds a separator, a quote
 * or a line end (RFC 4180 section 2, rules 5-7), then END (",", "\n" or
 * "\r\n").  Every CSV headroom writes goes through here, and so does the
 * defence against CSV injection (OWASP): a field that starts with =, +, -,
 * @, tab or CR is written quoted with a single quote in front ("'=1+2"),
 * unless the whole field is a plain decimal number ("-5", "+1.5e3"), which
 * a spreadsheet reads as that number and never as a formula, or that one
 * character alone ("-", the unknown value of list output); so negative
 * numbers stay numbers and device or customer text that looks like a
 * formula shows as text. */
void hr_csv_put(FILE *f, const char *s, const char *end);

/* Would hr_csv_put neutralise S?  1 or 0. */
int hr_csv_is_formula(const char *s);

#endif
