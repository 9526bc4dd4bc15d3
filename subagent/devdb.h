/* devdb.h: every device headroomd has ever seen, with its stable index,
 * its load figures and its registration number, and the state file that
 * keeps them across restarts.  No SNMP here.
 *
 * A device's key is its serial number, or "name:<kernel name>" when it has
 * none.  Indexes are handed out once and never reused: records of devices
 * that went away stay in the state file, so a disk that comes back gets
 * its old index.
 */
#ifndef HDRM_DEVDB_H
#define HDRM_DEVDB_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "disks.h"
#include "load.h"

#define DEVDB_KEY_SZ    (DISK_SERIAL_SZ + 8)
#define DEVDB_REG_SZ    33              /* hdrmDevRegNumber SIZE (0..32) */
#define DEVDB_VERSION   1

struct dev_rec {
    uint32_t index;
    char key[DEVDB_KEY_SZ];
    struct load_state load;
    char regnum[DEVDB_REG_SZ];          /* set by SNMP or from the state file */
    /* runtime only */
    int present;
    struct disk_info info;              /* latest scan; owns info.vols */
    time_t last_update;                 /* wall clock of the latest read */
};

struct devdb {
    struct dev_rec **recs;              /* pointers stay valid for the db's life */
    size_t n;
    uint32_t next_index;
};

void devdb_init(struct devdb *db);
void devdb_clear(struct devdb *db);

/* The key of disk D: its serial, or "name:NAME". */
void devdb_key(const struct disk_info *d, char *key, size_t sz);

struct dev_rec *devdb_find(const struct devdb *db, const char *key);
struct dev_rec *devdb_find_index(const struct devdb *db, uint32_t index);
/* Find or create the record of KEY (a new one gets the next index).
 * NULL on allocation failure or when the index space is exhausted. */
struct dev_rec *devdb_get(struct devdb *db, const char *key);

/* The state file text (malloc'd, NUL-terminated). */
char *devdb_format(const struct devdb *db);
/* Replace DB's records by those in TEXT; on error return -1 with
 * "LINE: message" in ERR and leave DB empty. */
int devdb_parse(struct devdb *db, const char *text, size_t len, char *err, size_t errsz);

/* Write PATH atomically.  0 or -1 with errno. */
int devdb_save(const struct devdb *db, const char *path);
/* Load PATH.  A missing file is an empty db (0).  A file that cannot be
 * parsed is renamed PATH.corrupt-<time>, reported in ERR, and the db starts
 * empty: 1.  -1 with errno if PATH exists but cannot be read. */
int devdb_load(struct devdb *db, const char *path, char *err, size_t errsz);

#endif
