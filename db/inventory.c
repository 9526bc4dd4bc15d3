/* inventory.c: targets, devices, registrations and conflicts; see
 * inventory.h.  The SQL of the collector's inventory lives here only. */
#include "rows_int.h"
#include "inventory.h"
#include "samples.h"
#include "polls.h"
#include "daily.h"

#include <stdio.h>
#include <string.h>

/* ---- targets ---- */

static const char target_get_sql[] =
    "SELECT name, customer, last_status, state_since, profile, detected_profile FROM targets"
    " WHERE id = ?1";
static const char target_set_sql[] =
    "UPDATE targets SET last_status = ?2, last_error = ?3, last_rtt_ms = ?4,"
    " last_poll = ?5, last_ok = CASE WHEN ?2 = 'ok' THEN ?5 ELSE last_ok END,"
    " state_since = ?6, failures = CASE WHEN ?2 = 'ok' THEN 0 ELSE failures + 1 END"
    " WHERE id = ?1";
static const char targets_sql[] =
    "SELECT id, name, address, port, transport, version, community, write_community, v3_user,"
    " v3_level, v3_auth_proto, v3_auth_pass, v3_priv_proto, v3_priv_pass, v3_context,"
    " v3_write, timeout_ms, retries, profile, detected_profile, detected_time"
    " FROM targets WHERE enabled"
    " AND (?1 IS NULL OR customer = ?1)"
    " AND (?2 IS NULL OR name = ?2 OR CAST(id AS TEXT) = ?2)"
    /* Targets that timed out last time first: a dead device's timeout then
     * runs alongside the whole cycle instead of being paid at its end. */
    " ORDER BY coalesce(last_status = 'timeout', 0) DESC, id";

int hr_db_target_state_get(struct hr_db *db, int64_t id, struct hr_db_target_state *ts)
{
    sqlite3_stmt *st;
    int rc;

    memset(ts, 0, sizeof *ts);
    if ((rc = hr_db_row(db, &st, target_get_sql, "I", id)) <= 0)
        return rc;
    hr_db_cols(st, "cccIcc", ts->name, sizeof ts->name, ts->customer, sizeof ts->customer,
               ts->last_status, sizeof ts->last_status, &ts->state_since, ts->profile,
               sizeof ts->profile, ts->detected, sizeof ts->detected);
    sqlite3_reset(st);
    return 1;
}

int hr_db_target_state_set(struct hr_db *db, int64_t id, const char *status, const char *error,
                           double rtt_ms, int64_t now, int64_t since)
{
    return hr_db_run(db, target_set_sql, "IttDII", id, status, error, rtt_ms >= 0, rtt_ms,
                     now, since);
}

static const char target_upsert_sql[] =
    "INSERT INTO targets (name, customer, address, port, transport, version, community,"
    " write_community, v3_user, v3_level, v3_auth_proto, v3_auth_pass, v3_priv_proto,"
    " v3_priv_pass, v3_context, v3_write, timeout_ms, retries, enabled, profile)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,"
    " coalesce(?20, 'auto'))"
    " ON CONFLICT(name) DO UPDATE SET customer = excluded.customer,"
    " address = excluded.address, port = excluded.port, transport = excluded.transport,"
    " version = excluded.version, community = excluded.community,"
    " write_community = excluded.write_community, v3_user = excluded.v3_user,"
    " v3_level = excluded.v3_level, v3_auth_proto = excluded.v3_auth_proto,"
    " v3_auth_pass = excluded.v3_auth_pass, v3_priv_proto = excluded.v3_priv_proto,"
    " v3_priv_pass = excluded.v3_priv_pass, v3_context = excluded.v3_context,"
    " v3_write = excluded.v3_write, timeout_ms = excluded.timeout_ms,"
    " retries = excluded.retries, enabled = excluded.enabled,"
    /* Another profile configured: what was detected no longer says much. */
    " detected_profile = CASE WHEN profile = excluded.profile THEN detected_profile END,"
    " detected_time = CASE WHEN profile = excluded.profile THEN detected_time END,"
    " profile = excluded.profile";
static const char target_detected_sql[] =
    "UPDATE targets SET detected_profile = ?2, detected_time = ?3 WHERE id = ?1";
/* Devices and their history stay: a device's records outlive the address
 * it was polled at. */
static const char target_remove_sql[] =
    "DELETE FROM targets WHERE name = ?1 OR (CAST(id AS TEXT) = ?1 AND NOT EXISTS"
    "  (SELECT 1 FROM targets WHERE name = ?1))";

int hr_db_target_upsert(struct hr_db *db, const struct hr_db_target *t)
{
    return hr_db_run(db, target_upsert_sql, "tttitttttttttttiiiie", t->name, t->customer,
                     t->address, t->port, t->transport, t->version, t->community,
                     t->write_community, t->v3_user, t->v3_level, t->v3_auth_proto,
                     t->v3_auth_pass, t->v3_priv_proto, t->v3_priv_pass, t->v3_context,
                     t->v3_write, t->timeout_ms, t->retries, t->enabled, t->profile);
}

int hr_db_target_detected_set(struct hr_db *db, int64_t id, const char *profile, int64_t when)
{
    return hr_db_run(db, target_detected_sql, "IeI", id, profile, when);
}

int hr_db_target_remove(struct hr_db *db, const char *name)
{
    int n = hr_db_changes(db, target_remove_sql, "t", name);

    return n < 0 ? -1 : n > 0;
}

int hr_db_targets_foreach(struct hr_db *db, const char *customer, const char *name,
                          int (*fn)(void *arg, const struct hr_db_target *t), void *arg)
{
    sqlite3_stmt *st = hr_db_prep(db, targets_sql, "tt", customer, name);
    struct hr_db_target t;
    int rc;

    if (!st)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        hr_db_cols(st, "ISSiSSSSSSSSSSSiiiSSI", &t.id, &t.name, &t.address, &t.port,
                   &t.transport, &t.version, &t.community, &t.write_community, &t.v3_user,
                   &t.v3_level, &t.v3_auth_proto, &t.v3_auth_pass, &t.v3_priv_proto,
                   &t.v3_priv_pass, &t.v3_context, &t.v3_write, &t.timeout_ms, &t.retries,
                   &t.profile, &t.detected_profile, &t.detected_time);
        t.customer = NULL;
        t.enabled = 1;
        if (fn(arg, &t) < 0) {
            sqlite3_reset(st);
            hr_db_seterr(db, "stopped by the caller");
            return -1;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* ---- customers and staff ---- */

static const char customer_exists_sql[] = "SELECT 1 FROM customers WHERE id = ?1";
static const char device_by_serial_sql[] = "SELECT id FROM devices WHERE serial = ?1";
/* A device without a serial by what lists show of it: its name
 * (PROFILE@TARGET for a device read through a profile), "(NAME)", or
 * TARGET/NAME when two targets serve devices of the same name. */
static const char device_by_name_sql[] =
    "SELECT d.id FROM devices d LEFT JOIN targets t ON t.id = d.target_id"
    " WHERE d.serial IS NULL AND (d.name = ?1 OR t.name || '/' || d.name = ?1)"
    " ORDER BY d.id LIMIT 2";

static int exists(struct hr_db *db, const char *sql, const char *v)
{
    sqlite3_stmt *st;
    int rc = hr_db_row(db, &st, sql, "t", v);

    if (rc > 0)
        sqlite3_reset(st);
    return rc;
}

int hr_db_customer_exists(struct hr_db *db, const char *id)
{
    return exists(db, customer_exists_sql, id);
}

int hr_db_device_lookup(struct hr_db *db, const char *key, int64_t *id, char *err,
                        size_t errlen)
{
    sqlite3_stmt *st;
    char name[300];
    size_t n = strlen(key);
    int rc, found = 0;

    *id = 0;
    rc = hr_db_row(db, &st, device_by_serial_sql, "t", key);
    if (rc > 0) {
        *id = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        return 1;
    }
    if (rc < 0)
        goto dberr;
    /* What `history` and the reports print: "(NAME)", "NAME (no serial)". */
    if (n >= sizeof name)
        goto none;
    memcpy(name, key, n + 1);
    if (n > 12 && strcmp(name + n - 12, " (no serial)") == 0)
        name[n -= 12] = '\0';
    if (n > 2 && name[0] == '(' && name[n - 1] == ')') {
        memmove(name, name + 1, n - 2);
        name[n - 2] = '\0';
    }
    if (!(st = hr_db_prep(db, device_by_name_sql, "t", name)))
        goto dberr;
    while ((rc = hr_db_step_row(st)) == 1) {
        if (found++ == 0)
            *id = sqlite3_column_int64(st, 0);
    }
    if (rc < 0)
        goto dberr;
    if (found == 1)
        return 1;
    if (found > 1) {
        *id = 0;
        snprintf(err, errlen, "devices without a serial at several targets are named '%s': "
                 "give TARGET/%s", name, name);
        return 0;
    }
none:
    snprintf(err, errlen, "no device '%s' (give a serial, or for a device without one its "
             "name as 'headroom history' shows it, or TARGET/NAME)", key);
    return 0;
dberr:
    snprintf(err, errlen, "database: %s", hr_db_errmsg(db));
    return -1;
}

static const char customer_upsert_sql[] =
    "INSERT INTO customers (id, name, area_code, assigned_staff, consent_sales)"
    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(id) DO UPDATE SET"
    " name = excluded.name, area_code = excluded.area_code,"
    " assigned_staff = excluded.assigned_staff,"
    " consent_sales = excluded.consent_sales";
static const char customer_add_sql[] = "INSERT INTO customers (id, name) VALUES (?1, ?1)";
static const char staff_upsert_sql[] =
    "INSERT INTO staff (id, name, email, area_codes, product_lines, role)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE SET"
    " name = excluded.name, email = excluded.email,"
    " area_codes = excluded.area_codes, product_lines = excluded.product_lines,"
    " role = excluded.role";
static const char key_seen_sql[] =
    "INSERT INTO import_names VALUES (?1, ?2) ON CONFLICT(name)"
    " DO UPDATE SET name = name RETURNING line";

int hr_db_customer_upsert(struct hr_db *db, const struct hr_db_customer *c)
{
    return hr_db_run(db, customer_upsert_sql, "tttti", c->id, c->name, c->area_code,
                     c->assigned_staff, c->consent_sales);
}

int hr_db_customer_add_id(struct hr_db *db, const char *id)
{
    return hr_db_run(db, customer_add_sql, "t", id);
}

int hr_db_staff_upsert(struct hr_db *db, const struct hr_db_staff *s)
{
    return hr_db_run(db, staff_upsert_sql, "tttttt", s->id, s->name, s->email, s->area_codes,
                     s->product_lines, s->role);
}

int hr_db_import_keys_begin(struct hr_db *db)
{
    char err[256];

    if (hr_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS import_names"
                       " (name TEXT PRIMARY KEY, line INTEGER);"
                       "DELETE FROM import_names;", err, sizeof err) < 0) {
        hr_db_seterr(db, "%s", err);
        return -1;
    }
    return 0;
}

int hr_db_import_key_seen(struct hr_db *db, const char *key, unsigned line, unsigned *first)
{
    sqlite3_stmt *st;

    if (hr_db_row(db, &st, key_seen_sql, "ti", key, (int)line) <= 0)
        return -1;
    *first = (unsigned)sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    return 0;
}

/* ---- devices ---- */

#define DEVICE_COLS "SELECT id, customer, target_id, reg_number, last_writes, last_uptime," \
                    " last_sample, rrd_file, reported_customer, flags FROM devices"
static const char dev_by_serial_sql[] = DEVICE_COLS " WHERE serial = ?1";
static const char dev_by_name_sql[] =
    DEVICE_COLS " WHERE serial IS NULL AND target_id = ?1 AND name = ?2";
static const char dev_insert_sql[] =
    "INSERT INTO devices (serial, customer, target_id, name, first_seen, last_seen,"
    " flags, rrd_file) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)";
static const char dev_update_sql[] =
    "UPDATE devices SET target_id = ?2, agent_index = ?3, name = ?4, vendor = ?5,"
    " model_name = ?6, model_number = ?7, product_number = ?8, firmware = ?9,"
    " config = ?10, capacity = ?11, cache_size = ?12, sale_date = ?13, price = ?14,"
    " reported_customer = ?15, agent_reg_number = ?16, last_seen = ?17,"
    " flags = flags | ?18, last_writes = ?19, last_uptime = ?20, last_sample = ?21,"
    " profile = ?22"
    " WHERE id = ?1";

int hr_db_device_find(struct hr_db *db, const char *serial, int64_t target_id, const char *name,
                      struct hr_db_device_state *d)
{
    sqlite3_stmt *st;
    int64_t writes;
    int rc;

    memset(d, 0, sizeof *d);
    if (serial[0])
        rc = hr_db_row(db, &st, dev_by_serial_sql, "t", serial);
    else
        rc = hr_db_row(db, &st, dev_by_name_sql, "It", target_id, name);
    if (rc <= 0)
        return rc;
    /* The types first: reading a column may convert it. */
    d->has_prev = sqlite3_column_type(st, 4) != SQLITE_NULL &&
                  sqlite3_column_type(st, 6) != SQLITE_NULL;
    d->last_uptime = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1
                                                               : sqlite3_column_int64(st, 5);
    hr_db_cols(st, "IcIcI-Icc", &d->id, d->customer, sizeof d->customer, &d->target_id,
               d->reg_number, sizeof d->reg_number, &writes, &d->last_sample, d->rrd_file,
               sizeof d->rrd_file, d->reported_customer, sizeof d->reported_customer);
    d->last_writes = (uint64_t)writes;
    sqlite3_reset(st);
    return 1;
}

static const char dev_customer_sql[] = "SELECT customer FROM devices WHERE id = ?1";

int hr_db_device_customer(struct hr_db *db, int64_t id, char *buf, size_t sz)
{
    sqlite3_stmt *st;
    int rc = hr_db_row(db, &st, dev_customer_sql, "I", id);

    if (rc == 0)
        hr_db_seterr(db, "no device with id %lld", (long long)id);
    if (rc <= 0)
        return -1;
    hr_db_cols(st, "c", buf, sz);
    sqlite3_reset(st);
    return 0;
}

int hr_db_device_insert(struct hr_db *db, const char *serial, const char *customer,
                        int64_t target_id, const char *name, int64_t now, unsigned flags,
                        const char *rrd_file, int64_t *id)
{
    if (hr_db_run(db, dev_insert_sql, "ttjtIit", serial, customer, target_id > 0, target_id,
                  name, now, (int)flags, rrd_file) < 0)
        return -1;
    *id = sqlite3_last_insert_rowid(db->sq);
    return 0;
}

int hr_db_device_seen(struct hr_db *db, const struct hr_db_device_seen *s)
{
    /* Parameters 19-21: the next delta starts from here; no counter, no
     * next delta. */
    /* A device read through a profile has no cache size: unknown, not 0. */
    return hr_db_run(db, dev_update_sql, "IIItttttttjjjtttIijjIt", s->id, s->target_id,
                     s->agent_index, s->name, s->vendor, s->model_name, s->model_number,
                     s->product_number, s->firmware, s->config,
                     s->capacity_known, (int64_t)s->capacity,
                     !s->profile, (int64_t)s->cache_size, s->sale_date_known, s->sale_date,
                     s->price,
                     s->reported_customer, s->agent_reg_number, s->now, (int)s->flags,
                     s->writes_known, (int64_t)s->writes, s->uptime_known, s->uptime, s->now,
                     s->profile);
}

/* ---- registrations ---- */

static const char regseq_sql[] =
    "UPDATE reg_seq SET next = next + 1 WHERE id = 1 RETURNING next - 1";
static const char reg_insert_sql[] =
    "INSERT INTO registrations (reg_number, device_id, serial, customer, target_id,"
    " registered, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char dev_regno_sql[] = "UPDATE devices SET reg_number = ?2 WHERE id = ?1";
static const char reg_status_sql[] =
    "SELECT agent_set, agent_set_time FROM registrations WHERE reg_number = ?1";
static const char reg_set_sql[] =
    "UPDATE registrations SET agent_set = ?2, agent_set_time = ?3 WHERE reg_number = ?1";

int hr_db_regseq_next(struct hr_db *db, int64_t *seq)
{
    sqlite3_stmt *st;
    int rc;

    if ((rc = hr_db_row(db, &st, regseq_sql, "")) <= 0) {
        if (rc == 0)
            hr_db_seterr(db, "the registration sequence is missing");
        return -1;
    }
    *seq = sqlite3_column_int64(st, 0);
    /* RETURNING: the update is done only once the statement has run out. */
    return hr_db_step_done(db, st);
}

int hr_db_registration_add(struct hr_db *db, const char *regno, int64_t device_id,
                           const char *serial, const char *customer, int64_t target_id,
                           int64_t when, const char *source)
{
    if (hr_db_run(db, reg_insert_sql, "tIttjIt", regno, device_id, serial, customer,
                  target_id > 0, target_id, when, source) < 0)
        return -1;
    return hr_db_run(db, dev_regno_sql, "It", device_id, regno);
}

int hr_db_registration_status(struct hr_db *db, const char *regno, char *status, size_t sz,
                              int64_t *when)
{
    sqlite3_stmt *st;
    int rc;

    status[0] = '\0';
    *when = 0;
    if ((rc = hr_db_row(db, &st, reg_status_sql, "t", regno)) <= 0)
        return rc;
    hr_db_cols(st, "cI", status, sz, when);
    sqlite3_reset(st);
    return 1;
}

int hr_db_registration_set_status(struct hr_db *db, const char *regno, const char *status,
                                  int64_t when)
{
    return hr_db_run(db, reg_set_sql, "ttI", regno, status, when);
}

/* ---- double registrations ---- */

/* A sighting at another customer: a new conflict, or one more sighting of
 * a known one (reopened if it had been settled by a transfer the other
 * way). */
static const char conflict_upsert_sql[] =
    "INSERT INTO conflicts (serial, device_id, registered_customer, claiming_customer,"
    " claiming_target, claiming_index, first_seen, last_seen)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)"
    " ON CONFLICT(serial, claiming_customer) DO UPDATE SET"
    " registered_customer = excluded.registered_customer,"
    " claiming_target = excluded.claiming_target,"
    " claiming_index = excluded.claiming_index, last_seen = excluded.last_seen,"
    " times_seen = CASE WHEN resolution = 'transfer' THEN 1 ELSE times_seen + 1 END,"
    " first_seen = CASE WHEN resolution = 'transfer' THEN excluded.first_seen"
    "  ELSE first_seen END,"
    " resolved = CASE WHEN resolution = 'transfer' THEN NULL ELSE resolved END,"
    " resolution = CASE WHEN resolution = 'transfer' THEN NULL ELSE resolution END"
    " RETURNING times_seen, id";
static const char conflicts_open_sql[] =
    "SELECT id, device_id, registered_customer, claiming_customer, claiming_target,"
    " first_seen FROM conflicts WHERE serial = ?1 AND resolution IS NULL"
    " AND (?2 IS NULL OR claiming_customer = ?2)";
static const char reg_supersede_sql[] =
    "UPDATE registrations SET state = 'superseded' WHERE serial = ?1 AND state = 'active'";
/* The device's counters now come from another agent: start the deltas
 * afresh rather than compare two agents' counters. */
static const char dev_move_sql[] =
    "UPDATE devices SET customer = ?2, target_id = ?3, last_writes = NULL,"
    " last_uptime = NULL WHERE id = ?1";
/* Claims of third customers now stand against the new owner. */
static const char conflicts_reassign_sql[] =
    "UPDATE conflicts SET registered_customer = ?2 WHERE serial = ?1 AND resolution IS NULL";
static const char conflict_close_sql[] =
    "UPDATE conflicts SET resolution = ?2, resolved = ?3 WHERE id = ?1";

int hr_db_conflict_sighting(struct hr_db *db, const char *serial, int64_t device_id,
                            const char *registered, const char *claiming,
                            int64_t claiming_target, int64_t claiming_index, int64_t now,
                            int64_t *times_seen, int64_t *id)
{
    sqlite3_stmt *st;

    if (hr_db_row(db, &st, conflict_upsert_sql, "tIttIII", serial, device_id, registered,
                  claiming, claiming_target, claiming_index, now) <= 0)
        return -1;
    *times_seen = sqlite3_column_int64(st, 0);
    *id = sqlite3_column_int64(st, 1);
    sqlite3_reset(st);
    return 0;
}

int hr_db_conflicts_open(struct hr_db *db, const char *serial, const char *claiming,
                         struct hr_db_conflict *c, char *all, size_t allsz)
{
    sqlite3_stmt *st;
    int n = 0, rc;

    memset(c, 0, sizeof *c);
    all[0] = '\0';
    if (!(st = hr_db_prep(db, conflicts_open_sql, "tt", serial, claiming)))
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        size_t l = strlen(all);
        hr_db_cols(st, "IIccII", &c->id, &c->device_id, c->registered, sizeof c->registered,
                   c->claiming, sizeof c->claiming, &c->claiming_target, &c->first_seen);
        snprintf(all + l, allsz - l, "%s%s", n ? ", " : "", c->claiming);
        n++;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? n : -1;
}

int hr_db_device_transfer(struct hr_db *db, int64_t device_id, const char *serial,
                          const char *to, int64_t target)
{
    if (hr_db_run(db, reg_supersede_sql, "t", serial) < 0 ||
        hr_db_run(db, dev_move_sql, "Itj", device_id, to, target > 0, target) < 0)
        return -1;
    return hr_db_run(db, conflicts_reassign_sql, "tt", serial, to);
}

int hr_db_conflict_close(struct hr_db *db, int64_t id, const char *resolution, int64_t when)
{
    return hr_db_run(db, conflict_close_sql, "ItI", id, resolution, when);
}

/* ---- the samples of a double registration ---- */

static const char csample_add_sql[] =
    "INSERT INTO conflict_samples (conflict_id, side, target_id, " HR_DB_SAMPLE_COLS ")"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
    " ON CONFLICT DO NOTHING";
static const char csample_each_sql[] =
    "SELECT " HR_DB_SAMPLE_COLS " FROM conflict_samples WHERE conflict_id = ?1 AND side = ?2"
    " ORDER BY time";
static const char csample_drop_sql[] =
    "DELETE FROM conflict_samples WHERE conflict_id = ?1 AND side = ?2";
static const char samples_to_conflict_sql[] =
    "INSERT OR IGNORE INTO conflict_samples (conflict_id, side, target_id, " HR_DB_SAMPLE_COLS ")"
    " SELECT ?3, ?4, (SELECT target_id FROM devices WHERE id = ?1), " HR_DB_SAMPLE_COLS
    " FROM samples WHERE device_id = ?1 AND time >= ?2";
static const char samples_drop_since_sql[] =
    "DELETE FROM samples WHERE device_id = ?1 AND time >= ?2";
static const char counter_reset_sql[] =
    "UPDATE devices SET (last_writes, last_uptime, last_sample) ="
    " (SELECT writes, sysuptime, time FROM raw_polls WHERE device_id = ?1"
    "  ORDER BY time DESC LIMIT 1) WHERE id = ?1";

int hr_db_conflict_sample_add(struct hr_db *db, int64_t conflict, const char *side,
                              int64_t target, const struct hr_db_sample *s)
{
    unsigned k = s->known;

#define KNOWN(bit) ((k & (bit)) != 0)
    return hr_db_run(db, csample_add_sql, "ItjIjjjjjjjjjji", conflict, side, target > 0,
                     target, s->time, KNOWN(HR_DB_S_CAPACITY), (int64_t)s->capacity,
                     KNOWN(HR_DB_S_USED), (int64_t)s->used, KNOWN(HR_DB_S_USED_PCT),
                     (int64_t)s->used_percent, KNOWN(HR_DB_S_WRITES), (int64_t)s->writes,
                     KNOWN(HR_DB_S_DELTA), (int64_t)s->writes_delta, KNOWN(HR_DB_S_PEAK),
                     s->peak, KNOWN(HR_DB_S_PEAK_PREV), s->peak_prev, KNOWN(HR_DB_S_RATE_AVG),
                     s->rate_avg, KNOWN(HR_DB_S_WINDOW), s->window, KNOWN(HR_DB_S_UPTIME),
                     s->sysuptime, (int)s->status);
#undef KNOWN
}

int hr_db_conflict_samples_each(struct hr_db *db, int64_t conflict, const char *side,
                                int (*fn)(void *arg, const struct hr_db_sample *s), void *arg)
{
    sqlite3_stmt *st = hr_db_prep(db, csample_each_sql, "It", conflict, side);
    int rc = SQLITE_DONE, ret = 0;

    if (!st)
        return -1;
    while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct hr_db_sample s = { 0 };

        hr_db_sample_read(st, &s);
        ret = fn(arg, &s);
    }
    return hr_db_loop_end(st, ret ? SQLITE_DONE : rc, ret);
}

int hr_db_conflict_samples_drop(struct hr_db *db, int64_t conflict, const char *side)
{
    return hr_db_run(db, csample_drop_sql, "It", conflict, side);
}

int hr_db_samples_to_conflict(struct hr_db *db, int64_t device, int64_t since,
                              int64_t conflict, const char *side)
{
    int n;

    /* The packed polls of that period back into samples first. */
    if (hr_db_polls_unpack(db, device, since) < 0)
        return -1;
    n = hr_db_changes(db, samples_to_conflict_sql, "IIIt", device, since, conflict, side);
    if (n < 0 || hr_db_run(db, samples_drop_since_sql, "II", device, since) < 0)
        return -1;
    return n;
}

static const char days_drop_sql[] =
    "DELETE FROM daily WHERE device_id = ?1 AND day >= ?2 AND ("
    " EXISTS (SELECT 1 FROM samples s WHERE s.device_id = ?1 AND s.time >= daily.day"
    "  AND s.time < daily.day + 86400) OR"
    " EXISTS (SELECT 1 FROM conflict_samples k WHERE k.conflict_id = ?3"
    "  AND k.side = 'registered' AND k.time >= daily.day AND k.time < daily.day + 86400))";
static const char days_refold_sql[] =
    "SELECT " HR_DB_SAMPLE_COLS " FROM samples WHERE device_id = ?1 AND time >= ?2 ORDER BY time";

int hr_db_conflict_days_rebuild(struct hr_db *db, int64_t device, int64_t from_day,
                                int64_t conflict)
{
    sqlite3_stmt *st;
    int rc = SQLITE_DONE, ret = 0;

    if (hr_db_polls_unpack(db, device, from_day) < 0 ||
        hr_db_run(db, days_drop_sql, "III", device, from_day, conflict) < 0 ||
        !(st = hr_db_prep(db, days_refold_sql, "II", device, from_day)))
        return -1;
    while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct hr_db_sample s = { .device_id = device };

        hr_db_sample_read(st, &s);
        /* The day is gone: folding its polls again starts it afresh. */
        if (hr_db_daily_add(db, &s) < 0)
            ret = -1;
    }
    return hr_db_loop_end(st, ret ? SQLITE_DONE : rc, ret);
}

int hr_db_device_counter_reset(struct hr_db *db, int64_t device)
{
    return hr_db_run(db, counter_reset_sql, "I", device);
}
