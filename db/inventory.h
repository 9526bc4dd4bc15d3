/* inventory.h: targets, devices, registrations and conflicts (db/inventory.c).
 *
 * Typed reads and writes for the collector: the poll store's per-result
 * path (target state, device lookup and update, registration, conflicts),
 * the resolution of a double registration, the poll target list, and the
 * inventory imports (customers, staff, targets).  Every function returns
 * -1 on a database error with the reason in hr_db_errmsg (the caller logs
 * it once); lookups return 1 found, 0 not found.  Statements stay prepared
 * in the handle, so the poller's hot path never re-parses SQL.
 */
#ifndef HR_DB_INVENTORY_H
#define HR_DB_INVENTORY_H

#include <stddef.h>
#include <stdint.h>

struct hr_db;

/* ---- targets ---- */

/* What a poll needs of a target row. */
struct hr_db_target_state {
    char name[160];
    char customer[72];
    char last_status[32];      /* "" never polled */
    int64_t state_since;
    char profile[33];          /* configured: "auto", "headroom" or a profile name */
    char detected[33];         /* what the last poll read it through ("" none yet) */
};
int hr_db_target_state_get(struct hr_db *db, int64_t id, struct hr_db_target_state *ts);
/* Record a poll outcome: STATUS ("ok", "timeout", ...), ERROR (NULL when
 * ok), RTT_MS (< 0: unknown), when, and since when the state holds.  last_ok
 * and failures follow STATUS. */
int hr_db_target_state_set(struct hr_db *db, int64_t id, const char *status, const char *error,
                           double rtt_ms, int64_t now, int64_t since);

/* A poll target with its credentials (targets table).  customer and
 * enabled are only used by hr_db_target_upsert. */
struct hr_db_target {
    int64_t id;
    const char *name, *customer, *address, *transport, *version, *community, *write_community;
    const char *v3_user, *v3_level, *v3_auth_proto, *v3_auth_pass, *v3_priv_proto;
    const char *v3_priv_pass, *v3_context;
    int port, v3_write, timeout_ms, retries, enabled;
    const char *profile;       /* "auto" (NULL too), "headroom" or a profile name */
    /* Read by hr_db_targets_foreach only: the profile the last poll
     * detected ("" none) and when. */
    const char *detected_profile;
    int64_t detected_time;
};
/* Record the profile target ID was read through (PROFILE "headroom" for
 * HEADROOM-STORAGE-MIB; NULL forgets it, so the next poll detects again)
 * at WHEN. */
int hr_db_target_detected_set(struct hr_db *db, int64_t id, const char *profile, int64_t when);
/* Insert T, or update the target of the same name (T->id unused). */
int hr_db_target_upsert(struct hr_db *db, const struct hr_db_target *t);
/* Remove the target named NAME (or numbered NAME when no target has that
 * name); its devices and history stay.  1 removed, 0 no such target. */
int hr_db_target_remove(struct hr_db *db, const char *name);
/* Call FN for each enabled target (of CUSTOMER if not NULL, named or
 * numbered NAME if not NULL): those that timed out last time first, then
 * by id.  The strings live until FN returns.  FN
 * returns 0 to go on, -1 to stop (hr_db_targets_foreach then returns -1
 * without touching hr_db_errmsg).  0 or -1. */
int hr_db_targets_foreach(struct hr_db *db, const char *customer, const char *name,
                          int (*fn)(void *arg, const struct hr_db_target *t), void *arg);

/* ---- customers and staff ---- */

/* 1 if customer ID exists, 0 not. */
int hr_db_customer_exists(struct hr_db *db, const char *id);
/* The device a person names by KEY (docs/collector.md, "Naming a
 * device"): its serial, or for a device without one its name as lists
 * show it (PROFILE@TARGET, "(NAME)", "NAME (no serial)") or TARGET/NAME.
 * 1 found (*ID); 0 none, or several devices without a serial have that
 * name; -1 database error; ERR says which for a person. */
int hr_db_device_lookup(struct hr_db *db, const char *key, int64_t *id, char *err,
                        size_t errlen);

struct hr_db_customer {
    const char *id, *name, *area_code, *assigned_staff;
    int consent_sales;
};
/* Insert C, or update the customer of the same id. */
int hr_db_customer_upsert(struct hr_db *db, const struct hr_db_customer *c);
/* A customer known only by its id (name = id), for `fleet --add-customers`. */
int hr_db_customer_add_id(struct hr_db *db, const char *id);

struct hr_db_staff {
    const char *id, *name, *email, *area_codes, *product_lines, *role;
};
int hr_db_staff_upsert(struct hr_db *db, const struct hr_db_staff *s);

/* CSV imports: a key (target name, customer or staff id) used twice in one
 * file would silently overwrite itself.  begin forgets the keys seen;
 * seen records KEY at LINE and gives the line that first used it (LINE
 * itself when new) in *FIRST. */
int hr_db_import_keys_begin(struct hr_db *db);
int hr_db_import_key_seen(struct hr_db *db, const char *key, unsigned line, unsigned *first);

/* ---- devices ---- */

/* A device row as the store needs it before a new sample. */
struct hr_db_device_state {
    int64_t id;
    char customer[72];
    int64_t target_id;
    char reg_number[40];
    int has_prev;              /* last_writes and last_sample known */
    uint64_t last_writes;
    int64_t last_uptime;       /* -1 unknown */
    int64_t last_sample;
    char rrd_file[200];
    char reported_customer[72];
};
/* By SERIAL, or (SERIAL "") by TARGET_ID and NAME. */
int hr_db_device_find(struct hr_db *db, const char *serial, int64_t target_id, const char *name,
                      struct hr_db_device_state *d);
/* The customer device ID belongs to, into BUF: 0, or -1 (no such device,
 * or a database error). */
int hr_db_device_customer(struct hr_db *db, int64_t id, char *buf, size_t sz);
/* A new device first seen NOW (SERIAL NULL: keyed by target and name;
 * TARGET_ID <= 0: none; RRD_FILE NULL: none); its id into *ID. */
int hr_db_device_insert(struct hr_db *db, const char *serial, const char *customer,
                        int64_t target_id, const char *name, int64_t now, unsigned flags,
                        const char *rrd_file, int64_t *id);

/* What one sighting of a device updates (the agent's columns, the counter
 * baseline for the next delta). */
struct hr_db_device_seen {
    int64_t id, target_id, agent_index;
    const char *name, *vendor, *model_name, *model_number, *product_number, *firmware;
    const char *config, *price, *reported_customer, *agent_reg_number;
    uint64_t capacity, cache_size;
    int sale_date_known;
    int64_t sale_date;
    int64_t now;
    unsigned flags;            /* ORed into devices.flags */
    int writes_known, uptime_known;
    uint64_t writes;
    int64_t uptime;
    const char *profile;       /* read through this profile; NULL: our MIB */
    int capacity_known;        /* 0: devices.capacity becomes NULL (unknown) */
};
int hr_db_device_seen(struct hr_db *db, const struct hr_db_device_seen *s);

/* ---- registrations ---- */

/* The next number of the never-decreasing sequence (inside the caller's
 * transaction: a rollback gives it back). */
int hr_db_regseq_next(struct hr_db *db, int64_t *seq);
/* Record REGNO for the device and set devices.reg_number.  TARGET_ID <= 0:
 * none; SOURCE: "poll", "import" or "transfer". */
int hr_db_registration_add(struct hr_db *db, const char *regno, int64_t device_id,
                           const char *serial, const char *customer, int64_t target_id,
                           int64_t when, const char *source);
/* The outcome of writing REGNO back to its agent ("" none yet). */
int hr_db_registration_status(struct hr_db *db, const char *regno, char *status, size_t sz,
                              int64_t *when);
int hr_db_registration_set_status(struct hr_db *db, const char *regno, const char *status,
                                  int64_t when);

/* ---- double registrations ---- */

/* One more sighting of SERIAL (registered to REGISTERED) at CLAIMING; a
 * conflict settled by a transfer the other way is reopened.  The number
 * of sightings into *TIMES_SEEN (1: new), the conflict's id into *ID. */
int hr_db_conflict_sighting(struct hr_db *db, const char *serial, int64_t device_id,
                            const char *registered, const char *claiming,
                            int64_t claiming_target, int64_t claiming_index, int64_t now,
                            int64_t *times_seen, int64_t *id);
struct hr_db_conflict {
    int64_t id, device_id, claiming_target, first_seen;
    char registered[72], claiming[72];
};
/* The open conflicts of SERIAL (claimed by CLAIMING if not NULL): their
 * number, the last one into *C, all claiming customers into ALL
 * (", "-separated, cut to ALLSZ). */
int hr_db_conflicts_open(struct hr_db *db, const char *serial, const char *claiming,
                         struct hr_db_conflict *c, char *all, size_t allsz);
/* Move the device to customer TO (TARGET <= 0: none): its active
 * registrations superseded, its counters restarted, the other open claims
 * on SERIAL standing against TO. */
int hr_db_device_transfer(struct hr_db *db, int64_t device_id, const char *serial,
                          const char *to, int64_t target);
/* Settle conflict ID: RESOLUTION "keep" or "transfer". */
int hr_db_conflict_close(struct hr_db *db, int64_t id, const char *resolution, int64_t when);

/* ---- the samples of a double registration (conflict_samples) ----
 * SIDE "claiming": the claiming customer's sightings; "registered": the
 * registered customer's samples of the disputed period, set aside by a
 * transfer.  S as for hr_db_sample_insert (its device_id unused). */
struct hr_db_sample;
int hr_db_conflict_sample_add(struct hr_db *db, int64_t conflict, const char *side,
                              int64_t target, const struct hr_db_sample *s);
/* CONFLICT's samples of SIDE in time order to FN (0 go on; else stop and
 * return it).  0 or -1. */
int hr_db_conflict_samples_each(struct hr_db *db, int64_t conflict, const char *side,
                                int (*fn)(void *arg, const struct hr_db_sample *s), void *arg);
int hr_db_conflict_samples_drop(struct hr_db *db, int64_t conflict, const char *side);
/* Move DEVICE's samples from SINCE on to CONFLICT's SIDE.  The count, or -1. */
int hr_db_samples_to_conflict(struct hr_db *db, int64_t device, int64_t since,
                              int64_t conflict, const char *side);
/* The daily records of DEVICE from FROM_DAY on, after a transfer moved
 * the samples of CONFLICT's registered side out: every day that had raw
 * polls (still in samples, or moved) is folded again from the polls
 * left (days whose polls retention already pruned keep their record).
 * 0 or -1. */
int hr_db_conflict_days_rebuild(struct hr_db *db, int64_t device, int64_t from_day,
                                int64_t conflict);
/* Where DEVICE's counter stands after its last sample (for the next
 * poll's delta): from the samples table.  0 or -1. */
int hr_db_device_counter_reset(struct hr_db *db, int64_t device);

#endif
