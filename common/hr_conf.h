/* hr_conf.h: a small line-oriented configuration file format, shared by
 * headroomd.conf and headroom.conf.
 *
 *     # comment                    (also after a value: "window 60  # secs")
 *     key value                    global keys, before any section
 *     [type name]                  a section, e.g. [device S3Z9NB0K123456]
 *     key "quoted \"value\" \\ x"  "..." with \" and \\ escapes
 *
 * One key per line; the value is the rest of the line (trimmed), or one
 * quoted string.  A '#' starts a comment at the start of a line or after
 * white space, outside quotes.  The caller describes the keys it accepts in
 * a schema; the parser checks names, places, kinds and ranges and reports
 * every problem as "FILE:LINE: message".  Keys that are absent are simply
 * absent: defaults are the caller's business.
 */
#ifndef HR_CONF_H
#define HR_CONF_H

#include <stddef.h>
#include <stdint.h>

enum hr_conf_kind {
    HR_CONF_STRING,     /* UTF-8 text; max = longest length in bytes (0: any) */
    HR_CONF_UINT,       /* decimal, min..max */
    HR_CONF_SIZE,       /* hr_parse_size() syntax ("8GiB"), min..max bytes */
    HR_CONF_BOOL,       /* yes/no, true/false, on/off, 1/0 -> num 1/0 */
    HR_CONF_TIMEOFDAY,  /* HH:MM -> num = minutes after midnight */
    HR_CONF_DATE,       /* YYYY-MM-DD -> num = YYYYMMDD (a real date) */
};

/* Where a key may appear. */
#define HR_CONF_GLOBAL  1u
#define HR_CONF_SECTION 2u

struct hr_conf_key {
    const char *name;
    enum hr_conf_kind kind;
    unsigned where;          /* HR_CONF_GLOBAL and/or HR_CONF_SECTION */
    uint64_t min, max;
};

struct hr_conf_schema {
    const struct hr_conf_key *keys;
    size_t nkeys;
    const char *const *section_types;  /* NULL-terminated list, e.g. "device" */
};

struct hr_conf_item {
    char *key;
    char *value;             /* the text after unquoting */
    uint64_t num;            /* parsed value for the non-STRING kinds */
    int line;
};

struct hr_conf_section {
    char *type;              /* NULL for the global section */
    char *name;              /* "" when the header has no name */
    int line;
    struct hr_conf_item *items;
    size_t nitems;
};

struct hr_conf {
    char *file;
    struct hr_conf_section *sections;  /* sections[0] is the global one */
    size_t nsections;
};

/* Parse TEXT (LEN bytes) named NAME (used in messages).  On any error
 * returns NULL and, if ERRS is not NULL, sets *ERRS to a malloc'd list of
 * "NAME:LINE: message\n" lines (all errors found, not just the first). */
struct hr_conf *hr_conf_parse(const char *name, const char *text, size_t len,
                              const struct hr_conf_schema *schema, char **errs);

/* Read and parse PATH (at most 1 MiB).  A file that cannot be read gives
 * NULL with "PATH: strerror" in *ERRS and errno set. */
struct hr_conf *hr_conf_load(const char *path, const struct hr_conf_schema *schema,
                             char **errs);

void hr_conf_free(struct hr_conf *conf);

/* The section [TYPE NAME] (TYPE NULL: the global section), or NULL. */
const struct hr_conf_section *hr_conf_section_find(const struct hr_conf *conf,
                                                   const char *type, const char *name);

/* The item KEY of SEC, or NULL (SEC may be NULL). */
const struct hr_conf_item *hr_conf_item_find(const struct hr_conf_section *sec,
                                             const char *key);

#endif
