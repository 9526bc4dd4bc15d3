/* profile.h: device profiles, the data that says how to read one kind of
 * SNMP agent into headroom's device model (docs/profiles.md).
 *
 * This module parses profile files and loads the set of profiles from the
 * shipped and the local directories.  It does no SNMP: the profile engine
 * (matching an agent, walking and decoding its tables) uses these
 * structures.  OIDs are kept as arrays of uint32_t sub-identifiers, so the
 * module needs no net-snmp header.
 */
#ifndef HR_PROFILE_H
#define HR_PROFILE_H

#include "hr_value.h"

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#define HR_PROF_OID_MAX 128   /* sub-identifiers (RFC 2578 7.1.3) */
#define HR_PROF_NAME_MAX 32

struct hr_prof_oid {
    size_t len;
    uint32_t sub[HR_PROF_OID_MAX];
};

enum hr_prof_detect_kind {
    HR_PD_SYSOBJECTID,   /* sysObjectID.0 equals or lies under one of oids */
    HR_PD_EXISTS,        /* an instance at or under oids[0] (of type, if set) */
    HR_PD_NOT_EXISTS,    /* no such instance */
    HR_PD_SYSDESCR,      /* sysDescr.0 matches re */
};

struct hr_prof_detect {
    enum hr_prof_detect_kind kind;
    struct hr_prof_oid *oids;
    size_t noids;
    enum hr_vtype type;
    char *pattern;           /* SYSDESCR: the regex text */
    regex_t re;              /* compiled, REG_EXTENDED | REG_ICASE */
    int line;
};

/* Identity fields, in the order of the keywords. */
enum hr_prof_field {
    HR_PF_SERIAL, HR_PF_VENDOR, HR_PF_MODEL, HR_PF_MODEL_NUMBER, HR_PF_PRODUCT_NUMBER,
    HR_PF_FIRMWARE, HR_PF_COUNT
};

/* A value map: the text a source read (after its regex) to what the
 * field holds ("61" -> "OceanStor 5300 V5"); a text not in the map leaves
 * the source without a value. */
struct hr_prof_map_entry {
    char *key, *value;
};
struct hr_prof_map {
    char *name;
    struct hr_prof_map_entry *v;
    size_t n;
    int line;
};

struct hr_prof_source {
    int set;                 /* the profile names this field */
    char *constant;          /* "TEXT", or NULL */
    struct hr_prof_oid oid;  /* else the instance to GET, or with `where` a column */
    int where;               /* OID is a column: the first row (lowest index) whose */
    struct hr_prof_oid where_col;  /* column WHERE_COL ... */
    char *where_value;       /* ... reads WHERE_VALUE (an integer as decimal text) */
    char *pattern;           /* regex "RE", or NULL */
    regex_t re;              /* compiled when pattern */
    char *map_name;          /* `map NAME`, or NULL */
    const struct hr_prof_map *map;  /* ... resolved once the file is read */
    int map_col;
    int line;
    /* The field given again in the same profile: the next alternative,
     * tried when this one gets no value (malloc'd, owned by this one). */
    struct hr_prof_source *next;
};

enum hr_prof_scale {
    HR_PS_BYTES, HR_PS_KIB, HR_PS_MIB, HR_PS_GIB, HR_PS_TIB,
    HR_PS_UNITS,             /* times the unit column */
    HR_PS_BLOCKS,            /* times block bytes */
};

struct hr_prof_value {
    unsigned col;            /* 0: not given */
    unsigned col_lo;         /* nonzero: col is the high half, col_lo the low */
    enum hr_prof_scale scale;
    uint64_t block;          /* HR_PS_BLOCKS: bytes per block */
    int text;                /* the column is a decimal string */
};

struct hr_prof_filter {
    int exclude;             /* 0 include, 1 exclude */
    char *pattern;
    regex_t re;              /* REG_EXTENDED | REG_NOSUB */
};

enum hr_prof_table_kind { HR_TAB_VOLUMES, HR_TAB_WRITES };

struct hr_prof_table {
    enum hr_prof_table_kind kind;
    struct hr_prof_oid entry;        /* the conceptual row's OID (...Entry) */
    unsigned name_col;
    unsigned type_col;
    struct hr_prof_oid *type_in;     /* type values kept (OIDs; an integer is a 1-arc OID) */
    size_t ntype_in;
    unsigned unit_col;               /* volumes: allocation unit */
    struct hr_prof_value size, used, free;
    unsigned count_col;              /* writes */
    struct hr_prof_filter *filters;
    size_t nfilters;
    int keep_duplicates;             /* volumes: rows that repeat another are volumes too */
    char *shared_pattern;            /* volumes: `shared-free name "RE"`, or NULL */
    regex_t shared_re;               /* rows whose names give one group share free space */
    int line;
};

struct hr_profile {
    char *name;
    char *description;       /* "" if none */
    char *path;              /* the file it came from */
    char **uses;             /* NAMEs of `uses`, in order */
    size_t nuses;
    int priority;            /* 0-1000, default 100 */
    struct hr_prof_detect *detects;
    size_t ndetects;
    struct hr_prof_source src[HR_PF_COUNT];
    struct hr_prof_table *tables;
    size_t ntables;
    struct hr_prof_map *maps;
    size_t nmaps;
};

/* Parse TEXT (LEN bytes, from PATH, used in messages).  Returns the profile,
 * or NULL with every problem appended to *ERRS as
 * "PATH:LINE:COL: message\n" (ERRS may be NULL; a malloc'd string the
 * caller frees).  NULL without a message only when out of memory. */
struct hr_profile *hr_profile_parse(const char *path, const char *text, size_t len,
                                    char **errs);
/* Read and parse PATH (at most 1 MiB). */
struct hr_profile *hr_profile_load(const char *path, char **errs);
void hr_profile_free(struct hr_profile *p);

/* The keyword of an identity field, a type, a scale. */
const char *hr_prof_field_name(enum hr_prof_field f);
const char *hr_prof_type_name(enum hr_vtype t);
const char *hr_prof_scale_name(enum hr_prof_scale s);
/* "1.3.6.1..." into BUF. */
const char *hr_prof_oid_format(const struct hr_prof_oid *o, char *buf, size_t bufsz);

/* ---- the set of profiles ---- */

struct hr_profile_set;

/* Load every "*.profile" of the directories DIRS (in order; a directory that
 * does not exist is skipped; a profile of a later directory replaces one of
 * the same name from an earlier one).  Checks that every `uses` names a
 * loaded profile and that no profile uses itself through others.  NULL
 * with *ERRS set when any file has errors (all are reported). */
struct hr_profile_set *hr_profile_set_load(const char *const *dirs, size_t ndirs, char **errs);
/* The same for a colon-separated list of directories (the profile-dirs
 * setting; at most 16). */
struct hr_profile_set *hr_profile_set_load_path(const char *dirs, char **errs);
void hr_profile_set_free(struct hr_profile_set *s);
size_t hr_profile_set_count(const struct hr_profile_set *s);
const struct hr_profile *hr_profile_set_at(const struct hr_profile_set *s, size_t i);
const struct hr_profile *hr_profile_set_find(const struct hr_profile_set *s, const char *name);

/* ---- serials ---- */

/* Nonzero if S is not a real serial: empty, nothing readable in it
 * (blanks, control characters, U+FFFD for bytes that were not text), a
 * known placeholder ("<private>", "XXXXXX", "SRVTAG", "N/A",
 * "Not Specified", "To be filled by O.E.M.", "Default string", ...), all
 * zeros or one repeated character.  The one list, documented in
 * docs/profiles.md. */
int hr_serial_is_placeholder(const char *s);

#endif
