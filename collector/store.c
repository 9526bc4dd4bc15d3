/* store.c: poll results into the database and the RRD files; automatic
 * registration and double-registration conflicts (seed 004). */
#include "store.h"
#include "db.h"
#include "db_sqlite.h"
#include "hr_rrd.h"
#include "hr_util.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Prepared once, reused for every result: the statements of one cycle. */
enum {
    Q_TARGET_GET, Q_TARGET_SET, Q_DEV_BY_SERIAL, Q_DEV_BY_NAME, Q_DEV_INSERT, Q_DEV_UPDATE,
    Q_SAMPLE_INSERT, Q_CONFLICT_UPSERT, Q_REG_STATUS, Q_REG_SET, Q_N
};

static const char *const sqls[Q_N] = {
    [Q_TARGET_GET] =
        "SELECT name, customer, last_status, state_since FROM targets WHERE id = ?1",
    [Q_TARGET_SET] =
        "UPDATE targets SET last_status = ?2, last_error = ?3, last_rtt_ms = ?4,"
        " last_poll = ?5, last_ok = CASE WHEN ?2 = 'ok' THEN ?5 ELSE last_ok END,"
        " state_since = ?6, failures = CASE WHEN ?2 = 'ok' THEN 0 ELSE failures + 1 END"
        " WHERE id = ?1",
    [Q_DEV_BY_SERIAL] =
        "SELECT id, customer, target_id, reg_number, last_writes, last_uptime, last_sample,"
        " rrd_file, reported_customer, flags FROM devices WHERE serial = ?1",
    [Q_DEV_BY_NAME] =
        "SELECT id, customer, target_id, reg_number, last_writes, last_uptime, last_sample,"
        " rrd_file, reported_customer, flags FROM devices"
        " WHERE serial IS NULL AND target_id = ?1 AND name = ?2",
    [Q_DEV_INSERT] =
        "INSERT INTO devices (serial, customer, target_id, name, first_seen, last_seen,"
        " flags, rrd_file) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)",
    [Q_DEV_UPDATE] =
        "UPDATE devices SET target_id = ?2, agent_index = ?3, name = ?4, vendor = ?5,"
        " model_name = ?6, model_number = ?7, product_number = ?8, firmware = ?9,"
        " config = ?10, capacity = ?11, cache_size = ?12, sale_date = ?13, price = ?14,"
        " reported_customer = ?15, agent_reg_number = ?16, last_seen = ?17,"
        " flags = flags | ?18, last_writes = ?19, last_uptime = ?20, last_sample = ?21"
        " WHERE id = ?1",
    [Q_SAMPLE_INSERT] =
        "INSERT INTO samples (device_id, time, capacity, used, used_percent, writes,"
        " writes_delta, peak, peak_prev, rate_avg, window, sysuptime, status)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
        " ON CONFLICT DO NOTHING",
    /* A sighting at another customer: a new conflict, or one more sighting
     * of a known one (reopened if it had been settled by a transfer the
     * other way). */
    [Q_CONFLICT_UPSERT] =
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
        " RETURNING times_seen, resolution",
    [Q_REG_STATUS] =
        "SELECT agent_set, agent_set_time FROM registrations WHERE reg_number = ?1",
    [Q_REG_SET] =
        "UPDATE registrations SET agent_set = ?2, agent_set_time = ?3 WHERE reg_number = ?1",
};

struct hr_store {
    struct hr_db *hdb;
    sqlite3 *db;
    sqlite3_stmt *q[Q_N];
    struct hr_rrd *rrd;
    unsigned batch, pending;
    int in_txn;
    struct hr_store_stats stats;
    struct hr_setback *setbacks;
    size_t nsetbacks, capsetbacks;
};

/* What the target row says, for one result. */
struct target_info {
    char name[160];
    char customer[72];
    char last_status[32];
    int64_t state_since;
    int has_write;
};

/* What the devices row says before this sample. */
struct dev_info {
    int64_t id;
    char customer[72];
    int64_t target_id;
    char reg_number[40];
    int has_prev;
    uint64_t last_writes;
    int64_t last_uptime;
    int64_t last_sample;
    char rrd_file[200];
    char reported_customer[72];
};

static void col_text(sqlite3_stmt *st, int i, char *buf, size_t sz)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    hr_strlcpy(buf, t ? (const char *)t : "", sz);
}

static int db_fail(struct hr_store *s, const char *what)
{
    hr_log(LOG_ERR, "database: %s: %s", what, sqlite3_errmsg(s->db));
    s->stats.db_errors++;
    return -1;
}

struct hr_store *hr_store_new(struct hr_db *hdb, const struct hr_store_opts *opts, char *err,
                              size_t errlen)
{
    sqlite3 *db = hr_db_sqlite(hdb);
    struct hr_store *s = calloc(1, sizeof *s);

    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->hdb = hdb;
    s->db = db;
    s->batch = opts && opts->batch ? opts->batch : 200;
    for (int i = 0; i < Q_N; i++) {
        if (sqlite3_prepare_v3(db, sqls[i], -1, SQLITE_PREPARE_PERSISTENT, &s->q[i], NULL)
            != SQLITE_OK) {
            snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
            goto out_free;
        }
    }
    if (opts && opts->rrd_dir) {
        s->rrd = hr_rrd_new(opts->rrd_dir, opts->rrdcached, err, errlen);
        if (!s->rrd)
            goto out_free;
    }
    return s;
out_free:
    for (int i = 0; i < Q_N; i++)
        sqlite3_finalize(s->q[i]);
    free(s);
    return NULL;
}

void hr_store_free(struct hr_store *s)
{
    if (!s)
        return;
    hr_store_flush(s);
    for (int i = 0; i < Q_N; i++)
        sqlite3_finalize(s->q[i]);
    hr_rrd_free(s->rrd);
    free(s->setbacks);
    free(s);
}

int hr_store_flush(struct hr_store *s)
{
    int rc = 0;

    if (s->in_txn) {
        rc = hr_db_commit(s->hdb);
        if (rc < 0)
            s->stats.db_errors++;
        s->in_txn = 0;
    }
    s->pending = 0;
    return rc;
}

const struct hr_store_stats *hr_store_stats(const struct hr_store *s)
{
    return &s->stats;
}

void hr_store_reset_stats(struct hr_store *s)
{
    memset(&s->stats, 0, sizeof s->stats);
}

/* ---- the counter rule ----------------------------------------------------------- */

unsigned hr_writes_delta(int prev_known, uint64_t prev, uint32_t prev_up, int64_t prev_t,
                         uint64_t cur, uint32_t up, int64_t t, int up_known, uint64_t *delta)
{
    uint64_t elapsed, limit, d;

    *delta = 0;
    if (!prev_known)
        return HR_SAMPLE_FIRST;
    /* Only a smaller sysUpTime proves a restart; the counter then starts
     * again from zero (or from wherever the host left it), and any
     * difference would be a fiction. */
    if (up_known && up < prev_up)
        return HR_SAMPLE_RESTART;
    elapsed = t > prev_t ? (uint64_t)(t - prev_t) : 1;
    limit = elapsed * HR_MAX_WRITES_PER_SEC;
    if (cur >= prev) {
        d = cur - prev;
        if (d > limit)
            return HR_SAMPLE_IMPLAUSIBLE;
        *delta = d;
        return 0;
    }
    /* Backwards without a restart: a Counter64 wrap, if the writes it
     * implies fit the time elapsed; otherwise the agent is confused (a
     * reset counter, a replaced device) and the delta is unknown. */
    d = cur + (UINT64_MAX - prev) + 1;
    if (d > limit)
        return HR_SAMPLE_IMPLAUSIBLE;
    *delta = d;
    return HR_SAMPLE_WRAP;
}

/* ---- registration numbers (seed 004, claim 7) ----------------------------------- */

/* ISO 7064 MOD 11-2 over the decimal digits of S: '0'-'9' or 'X'. */
static char check_char(const char *s)
{
    unsigned p = 0;

    for (; *s; s++)
        if (*s >= '0' && *s <= '9')
            p = ((p + (unsigned)(*s - '0')) * 2) % 11;
    p = (12 - p) % 11;
    return p == 10 ? 'X' : (char)('0' + p);
}

int hr_regno_format(char *buf, size_t bufsz, int year, uint64_t seq)
{
    char digits[40];
    int n;

    if (year < 1000 || year > 9999)
        return -1;
    snprintf(digits, sizeof digits, "%04d%06" PRIu64, year, seq);
    n = snprintf(buf, bufsz, "HR-%04d-%06" PRIu64 "-%c", year, seq, check_char(digits));
    return n < 0 || (size_t)n >= bufsz ? -1 : 0;
}

int hr_regno_valid(const char *s)
{
    char digits[40];
    size_t len = strlen(s), nd = 0;

    if (len < 16 || len > 32 || strncmp(s, "HR-", 3) != 0 || s[7] != '-' || s[len - 2] != '-')
        return 0;
    for (size_t i = 3; i < len - 2; i++) {
        if (i == 7)
            continue;
        if (s[i] < '0' || s[i] > '9')
            return 0;
        digits[nd++] = s[i];
    }
    digits[nd] = '\0';
    if (nd < 10)
        return 0;
    return check_char(digits) == s[len - 1];
}

int hr_register(struct hr_db *hdb, int64_t device_id, const char *serial, const char *customer,
                int64_t target_id, int64_t when, const char *source, char *regno, size_t regsz)
{
    sqlite3 *db = hr_db_sqlite(hdb);
    sqlite3_stmt *st = NULL;
    time_t tt = (time_t)when;
    struct tm tm;
    int64_t seq = -1;
    int rc = -1;

    /* The sequence only goes up, inside the caller's transaction: a number
     * is never handed out twice, even after deletes or a crash (a rolled
     * back registration rolls back its increment too). */
    if (sqlite3_prepare_v2(db, "UPDATE reg_seq SET next = next + 1 WHERE id = 1"
                               " RETURNING next - 1", -1, &st, NULL) != SQLITE_OK)
        goto out;
    if (sqlite3_step(st) == SQLITE_ROW)
        seq = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if (seq < 0 || !gmtime_r(&tt, &tm) ||
        hr_regno_format(regno, regsz, tm.tm_year + 1900, (uint64_t)seq) < 0)
        goto out;
    if (sqlite3_prepare_v2(db, "INSERT INTO registrations (reg_number, device_id, serial,"
                               " customer, target_id, registered, source)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1, &st, NULL) != SQLITE_OK)
        goto out;
    hr_db_bind_text(st, 1, regno);
    sqlite3_bind_int64(st, 2, device_id);
    hr_db_bind_text(st, 3, serial);
    hr_db_bind_text(st, 4, customer);
    if (target_id > 0)
        sqlite3_bind_int64(st, 5, target_id);
    sqlite3_bind_int64(st, 6, when);
    hr_db_bind_text(st, 7, source);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto out;
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, "UPDATE devices SET reg_number = ?2 WHERE id = ?1", -1, &st,
                           NULL) != SQLITE_OK)
        goto out;
    sqlite3_bind_int64(st, 1, device_id);
    hr_db_bind_text(st, 2, regno);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto out;
    rc = 0;
out:
    if (rc < 0)
        hr_log(LOG_ERR, "database: registering %s: %s", serial, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc;
}

/* ---- targets -------------------------------------------------------------------- */

static int target_has_write(const struct hr_target *t)
{
    if (t->version == HR_SNMP_V3)
        return t->v3_write;
    return t->write_community[0] != '\0';
}

/* Record the target's outcome; log only when its state changes (once
 * when it goes down, once when it is back, with how long it was down). */
static int store_target(struct hr_store *s, const struct hr_poll_result *r, int64_t now,
                        struct target_info *ti)
{
    sqlite3_stmt *st = s->q[Q_TARGET_GET];
    const char *status = hr_poll_status_name(r->status);
    int64_t since;

    memset(ti, 0, sizeof *ti);
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, r->target->id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        hr_log(LOG_WARNING, "target %" PRId64 " is not in the database (removed during "
               "the cycle?); result dropped", r->target->id);
        sqlite3_reset(st);
        return -1;
    }
    col_text(st, 0, ti->name, sizeof ti->name);
    col_text(st, 1, ti->customer, sizeof ti->customer);
    col_text(st, 2, ti->last_status, sizeof ti->last_status);
    ti->state_since = sqlite3_column_int64(st, 3);
    sqlite3_reset(st);
    ti->has_write = target_has_write(r->target);

    since = ti->state_since;
    if (strcmp(ti->last_status, status) != 0) {
        since = now;
        if (r->status != HR_POLL_OK)
            hr_log(LOG_WARNING, "target %s (%s): down: %s%s%s", ti->name, r->target->host,
                   status, r->error[0] ? ": " : "", r->error);
        else if (ti->last_status[0])
            hr_log(LOG_NOTICE, "target %s (%s): back up after %" PRId64 " s (%s)", ti->name,
                   r->target->host, now - ti->state_since, ti->last_status);
    }
    st = s->q[Q_TARGET_SET];
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, r->target->id);
    hr_db_bind_text(st, 2, status);
    if (r->status != HR_POLL_OK)
        hr_db_bind_text(st, 3, r->error);
    else
        sqlite3_bind_null(st, 3);
    if (r->status == HR_POLL_OK || r->rtt_ms > 0)
        sqlite3_bind_double(st, 4, r->rtt_ms);
    else
        sqlite3_bind_null(st, 4);
    sqlite3_bind_int64(st, 5, now);
    sqlite3_bind_int64(st, 6, since);
    if (sqlite3_step(st) != SQLITE_DONE)
        return db_fail(s, "target state");
    return 0;
}

/* ---- devices -------------------------------------------------------------------- */

static int find_device(struct hr_store *s, const struct hr_poll_result *r,
                       const struct hr_dev_row *row, struct dev_info *d)
{
    sqlite3_stmt *st;
    int rc;

    memset(d, 0, sizeof *d);
    if (row->serial[0]) {
        st = s->q[Q_DEV_BY_SERIAL];
        sqlite3_reset(st);
        hr_db_bind_text(st, 1, row->serial);
    } else {
        st = s->q[Q_DEV_BY_NAME];
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, r->target->id);
        hr_db_bind_text(st, 2, row->name);
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return 0;
    }
    if (rc != SQLITE_ROW)
        return db_fail(s, "device lookup");
    d->id = sqlite3_column_int64(st, 0);
    col_text(st, 1, d->customer, sizeof d->customer);
    d->target_id = sqlite3_column_int64(st, 2);
    col_text(st, 3, d->reg_number, sizeof d->reg_number);
    d->has_prev = sqlite3_column_type(st, 4) != SQLITE_NULL &&
                  sqlite3_column_type(st, 6) != SQLITE_NULL;
    d->last_writes = (uint64_t)sqlite3_column_int64(st, 4);
    d->last_uptime = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1
                                                               : sqlite3_column_int64(st, 5);
    d->last_sample = sqlite3_column_int64(st, 6);
    col_text(st, 7, d->rrd_file, sizeof d->rrd_file);
    col_text(st, 8, d->reported_customer, sizeof d->reported_customer);
    sqlite3_reset(st);
    return 1;
}

static int new_device(struct hr_store *s, const struct hr_poll_result *r,
                      const struct hr_dev_row *row, const struct target_info *ti, int64_t now,
                      struct dev_info *d)
{
    sqlite3_stmt *st = s->q[Q_DEV_INSERT];
    unsigned flags = 0;
    char file[200];

    if (row->serial[0]) {
        if (hr_rrd_filename(row->serial, file, sizeof file) < 0)
            file[0] = '\0';
    } else {
        flags |= HR_DEV_NOSERIAL;
        if (hr_rrd_filename_noserial(r->target->id, row->name, file, sizeof file) < 0)
            file[0] = '\0';
    }
    sqlite3_reset(st);
    if (row->serial[0])
        hr_db_bind_text(st, 1, row->serial);
    else
        sqlite3_bind_null(st, 1);
    hr_db_bind_text(st, 2, ti->customer);
    sqlite3_bind_int64(st, 3, r->target->id);
    hr_db_bind_text(st, 4, row->name);
    sqlite3_bind_int64(st, 5, now);
    sqlite3_bind_int(st, 6, (int)flags);
    hr_db_bind_text(st, 7, file);
    if (sqlite3_step(st) != SQLITE_DONE)
        return db_fail(s, "new device");
    memset(d, 0, sizeof *d);
    d->id = sqlite3_last_insert_rowid(s->db);
    hr_strlcpy(d->customer, ti->customer, sizeof d->customer);
    d->target_id = r->target->id;
    d->last_uptime = -1;
    hr_strlcpy(d->rrd_file, file, sizeof d->rrd_file);
    s->stats.new_devices++;
    if (!row->serial[0]) {
        hr_log(LOG_NOTICE, "target %s: device '%s' reports no serial number; kept by name, "
               "not registered", ti->name, row->name);
        return 0;
    }
    if (hr_register(s->hdb, d->id, row->serial, ti->customer, r->target->id, now, "poll",
                    d->reg_number, sizeof d->reg_number) < 0) {
        s->stats.db_errors++;
        return -1;
    }
    s->stats.registered++;
    hr_log(LOG_INFO, "registered %s (%s %s) to %s as %s", row->serial, row->vendor,
           row->model_name, ti->customer, d->reg_number);
    if (!ti->has_write) {
        sqlite3_stmt *q = s->q[Q_REG_SET];
        sqlite3_reset(q);
        hr_db_bind_text(q, 1, d->reg_number);
        hr_db_bind_text(q, 2, "no write access");
        sqlite3_bind_int64(q, 3, now);
        if (sqlite3_step(q) != SQLITE_DONE)
            return db_fail(s, "registration");
    }
    return 0;
}

/* The serial is registered to another customer: record (or count) the
 * conflict, log it once, and leave the device where it is (seed 004
 * claim 4: a double registration is refused with a clear error). */
static int conflict(struct hr_store *s, const struct hr_poll_result *r,
                    const struct hr_dev_row *row, const struct target_info *ti,
                    const struct dev_info *d, int64_t now)
{
    sqlite3_stmt *st = s->q[Q_CONFLICT_UPSERT];
    int rc;

    sqlite3_reset(st);
    hr_db_bind_text(st, 1, row->serial);
    sqlite3_bind_int64(st, 2, d->id);
    hr_db_bind_text(st, 3, d->customer);
    hr_db_bind_text(st, 4, ti->customer);
    sqlite3_bind_int64(st, 5, r->target->id);
    sqlite3_bind_int64(st, 6, row->index);
    sqlite3_bind_int64(st, 7, now);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW)
        return db_fail(s, "conflict");
    if (sqlite3_column_int(st, 0) == 1) {
        s->stats.conflicts++;
        hr_log(LOG_WARNING, "double registration: serial %s, registered to %s as %s, is "
               "reported by target %s of customer %s; not moved (see 'headroom fleet "
               "conflicts')", row->serial, d->customer, d->reg_number, ti->name, ti->customer);
    }
    sqlite3_reset(st);
    return 0;
}

/* An agent that refused the number as notWritable (its configuration pins
 * another one) is asked again once a day, not every cycle. */
static int refused_recently(struct hr_store *s, const char *regno, int64_t now)
{
    sqlite3_stmt *st = s->q[Q_REG_STATUS];
    int skip = 0;

    sqlite3_reset(st);
    hr_db_bind_text(st, 1, regno);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(st, 0);
        skip = v && strstr((const char *)v, "notWritable") &&
               now - sqlite3_column_int64(st, 1) < 86400;
    }
    sqlite3_reset(st);
    return skip;
}

static void queue_setback(struct hr_store *s, const struct hr_poll_result *r,
                          const struct hr_dev_row *row, const struct dev_info *d)
{
    struct hr_setback *sb;

    if (s->nsetbacks == s->capsetbacks) {
        size_t n = s->capsetbacks ? s->capsetbacks * 2 : 16;
        struct hr_setback *ns = realloc(s->setbacks, n * sizeof *ns);
        if (!ns)
            return;
        s->setbacks = ns;
        s->capsetbacks = n;
    }
    sb = &s->setbacks[s->nsetbacks++];
    sb->target_id = r->target->id;
    sb->index = row->index;
    hr_strlcpy(sb->regno, d->reg_number, sizeof sb->regno);
    hr_strlcpy(sb->serial, row->serial, sizeof sb->serial);
}

static void rrd_write(struct hr_store *s, const struct hr_dev_row *row, const struct dev_info *d,
                      int64_t now, unsigned sflags)
{
    struct hr_rrd_sample rs = { 0 };
    char err[512];
    int rc;

    if (!s->rrd || !d->rrd_file[0])
        return;
    rs.time = now;
    rs.capacity = row->capacity;
    rs.known = 1u << HR_RRD_DS_CAPACITY;
    if (row->flags & HR_ROW_USED_KNOWN) {
        rs.used = row->used;
        rs.known |= 1u << HR_RRD_DS_USED;
    }
    if (row->flags & HR_ROW_PEAK) {
        rs.peak = row->peak;
        rs.rate_avg = row->rate_avg;
        rs.known |= 1u << HR_RRD_DS_PEAK | 1u << HR_RRD_DS_RATE_AVG;
    }
    /* After a restart the counter is fed as unknown: DERIVE then starts
     * over from the next sample instead of seeing a jump. */
    if ((row->flags & HR_ROW_WRITES) && !(sflags & (HR_SAMPLE_RESTART | HR_SAMPLE_IMPLAUSIBLE))) {
        rs.writes = row->writes;
        rs.known |= 1u << HR_RRD_DS_WRITES;
    }
    rc = hr_rrd_update(s->rrd, d->rrd_file, &rs, err, sizeof err);
    if (rc == 0)
        s->stats.rrd_updates++;
    else if (rc == 1)
        s->stats.rrd_skipped++;
    else if (rc == HR_RRD_DOWN)
        s->stats.rrd_errors++;   /* hr_rrd logs the loss and the recovery once */
    else if (s->stats.rrd_errors++ < 10)
        hr_log(LOG_ERR, "rrd: %s", err);
}

static unsigned row_sample_flags(const struct hr_dev_row *row)
{
    unsigned f = 0;

    if (!(row->flags & HR_ROW_USED_KNOWN))
        f |= HR_SAMPLE_USED_UNKNOWN;
    if (!(row->flags & HR_ROW_WRITES))
        f |= HR_SAMPLE_NO_WRITES;
    if (row->flags & HR_ROW_SANITIZED)
        f |= HR_SAMPLE_SANITIZED;
    if (row->flags & HR_ROW_BAD_TYPE)
        f |= HR_SAMPLE_BAD_TYPE;
    if (row->flags & HR_ROW_MISSING_COL)
        f |= HR_SAMPLE_MISSING_COL;
    return f;
}

static int insert_sample(struct hr_store *s, const struct hr_poll_result *r,
                         const struct hr_dev_row *row, const struct dev_info *d, int64_t now,
                         unsigned sflags, int delta_ok, uint64_t delta)
{
    sqlite3_stmt *st = s->q[Q_SAMPLE_INSERT];

    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_int64(st, 1, d->id);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, (int64_t)row->capacity);
    if (row->flags & HR_ROW_USED_KNOWN)
        sqlite3_bind_int64(st, 4, (int64_t)row->used);
    if (row->used_percent >= 0)
        sqlite3_bind_int(st, 5, row->used_percent);
    if (row->flags & HR_ROW_WRITES)
        sqlite3_bind_int64(st, 6, (int64_t)row->writes);
    if (delta_ok)
        sqlite3_bind_int64(st, 7, (int64_t)delta);
    if (row->flags & HR_ROW_PEAK) {
        sqlite3_bind_int64(st, 8, row->peak);
        sqlite3_bind_int64(st, 9, row->peak_prev);
        sqlite3_bind_int64(st, 10, row->rate_avg);
        sqlite3_bind_int64(st, 11, row->window);
    }
    if (r->sysuptime_known)
        sqlite3_bind_int64(st, 12, r->sysuptime);
    sqlite3_bind_int(st, 13, (int)sflags);
    if (sqlite3_step(st) != SQLITE_DONE)
        return db_fail(s, "sample");
    s->stats.samples++;
    return 0;
}

static int update_device(struct hr_store *s, const struct hr_poll_result *r,
                         const struct hr_dev_row *row, const struct dev_info *d, int64_t now)
{
    sqlite3_stmt *st = s->q[Q_DEV_UPDATE];
    unsigned flags = 0;

    if (row->flags & HR_ROW_SANITIZED)
        flags |= HR_DEV_SANITIZED;
    if (row->flags & (HR_ROW_BAD_TYPE | HR_ROW_MISSING_COL))
        flags |= HR_DEV_BAD_DATA;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_int64(st, 1, d->id);
    sqlite3_bind_int64(st, 2, r->target->id);
    sqlite3_bind_int64(st, 3, row->index);
    hr_db_bind_text(st, 4, row->name);
    hr_db_bind_text(st, 5, row->vendor);
    hr_db_bind_text(st, 6, row->model_name);
    hr_db_bind_text(st, 7, row->model_number);
    hr_db_bind_text(st, 8, row->product_number);
    hr_db_bind_text(st, 9, row->firmware);
    hr_db_bind_text(st, 10, row->config);
    sqlite3_bind_int64(st, 11, (int64_t)row->capacity);
    sqlite3_bind_int64(st, 12, (int64_t)row->cache_size);
    if (row->flags & HR_ROW_SALE_DATE)
        sqlite3_bind_int64(st, 13, row->sale_date);
    hr_db_bind_text(st, 14, row->price);
    hr_db_bind_text(st, 15, row->customer_id);
    hr_db_bind_text(st, 16, row->reg_number);
    sqlite3_bind_int64(st, 17, now);
    sqlite3_bind_int(st, 18, (int)flags);
    /* The next delta starts from here; no counter, no next delta. */
    if (row->flags & HR_ROW_WRITES)
        sqlite3_bind_int64(st, 19, (int64_t)row->writes);
    if (r->sysuptime_known)
        sqlite3_bind_int64(st, 20, r->sysuptime);
    sqlite3_bind_int64(st, 21, now);
    if (sqlite3_step(st) != SQLITE_DONE)
        return db_fail(s, "device update");
    return 0;
}

static void store_row(struct hr_store *s, const struct hr_poll_result *r,
                      const struct hr_dev_row *row, const struct target_info *ti, int64_t now)
{
    struct dev_info d;
    unsigned sflags;
    uint64_t delta = 0;
    int found = find_device(s, r, row, &d);

    if (found < 0)
        return;
    if (found == 0) {
        if (new_device(s, r, row, ti, now, &d) < 0)
            return;
    } else if (strcmp(d.customer, ti->customer) != 0) {
        conflict(s, r, row, ti, &d, now);
        return;
    } else if (d.last_sample >= now) {
        /* Twice in one second: the same serial twice in one table, or
         * two targets of one customer reaching the same device. */
        hr_log(LOG_DEBUG, "target %s: serial %s already sampled at %" PRId64 "; row %u skipped",
               ti->name, row->serial, now, row->index);
        s->stats.same_second++;
        return;
    }
    s->stats.devices++;
    if (row->customer_id[0] && strcmp(row->customer_id, ti->customer) != 0 &&
        strcmp(row->customer_id, d.reported_customer) != 0)
        hr_log(LOG_NOTICE, "target %s: device %s says its customer is '%s', the target "
               "belongs to '%s'; registered to '%s'", ti->name,
               row->serial[0] ? row->serial : row->name, row->customer_id, ti->customer,
               d.customer);
    sflags = row_sample_flags(row);
    if (row->flags & HR_ROW_WRITES) {
        sflags |= hr_writes_delta(d.has_prev, d.last_writes, (uint32_t)d.last_uptime,
                                  d.last_sample, row->writes, r->sysuptime, now,
                                  r->sysuptime_known && d.last_uptime >= 0, &delta);
    }
    if (sflags & HR_SAMPLE_RESTART)
        hr_log(LOG_INFO, "target %s: sysUpTime went back: agent restarted; no write delta "
               "for %s", ti->name, row->serial[0] ? row->serial : row->name);
    if (insert_sample(s, r, row, &d, now, sflags,
                      (row->flags & HR_ROW_WRITES) &&
                      !(sflags & (HR_SAMPLE_FIRST | HR_SAMPLE_RESTART | HR_SAMPLE_IMPLAUSIBLE)),
                      delta) < 0 ||
        update_device(s, r, row, &d, now) < 0)
        return;
    rrd_write(s, row, &d, now, sflags);
    if (row->serial[0] && d.reg_number[0] && strcmp(row->reg_number, d.reg_number) != 0 &&
        ti->has_write && !refused_recently(s, d.reg_number, now))
        queue_setback(s, r, row, &d);
}

void hr_store_result(const struct hr_poll_result *r, void *arg)
{
    struct hr_store *s = arg;
    struct target_info ti;
    int64_t now = r->finished > 0 ? r->finished / 1000 : hr_db_now();

    if (!s->in_txn) {
        if (hr_db_begin(s->hdb) < 0) {
            s->stats.db_errors++;
            return;
        }
        s->in_txn = 1;
    }
    s->stats.targets++;
    if (r->status == HR_POLL_OK)
        s->stats.ok++;
    else
        s->stats.failed++;
    if (store_target(s, r, now, &ti) == 0 && r->status == HR_POLL_OK) {
        for (size_t i = 0; i < r->n_rows; i++)
            store_row(s, r, &r->rows[i], &ti, now);
    }
    if (++s->pending >= s->batch)
        hr_store_flush(s);
}

/* ---- write-back outcome --------------------------------------------------------- */

size_t hr_store_setbacks(const struct hr_store *s, const struct hr_setback **list)
{
    *list = s->setbacks;
    return s->nsetbacks;
}

void hr_store_clear_setbacks(struct hr_store *s)
{
    s->nsetbacks = 0;
}

void hr_store_setback_done(struct hr_store *s, const struct hr_setback *sb, int ok,
                           const char *msg)
{
    char status[300], prev[300];
    sqlite3_stmt *st = s->q[Q_REG_STATUS];

    snprintf(status, sizeof status, "%s%s", ok ? "ok" : "failed: ", ok ? "" : msg ? msg : "");
    sqlite3_reset(st);
    hr_db_bind_text(st, 1, sb->regno);
    prev[0] = '\0';
    if (sqlite3_step(st) == SQLITE_ROW)
        col_text(st, 0, prev, sizeof prev);
    sqlite3_reset(st);
    /* Log a failure once per change of outcome, not every cycle. */
    if (strcmp(prev, status) != 0) {
        if (ok)
            hr_log(LOG_INFO, "wrote registration number %s to device %s", sb->regno, sb->serial);
        else
            hr_log(LOG_WARNING, "could not write registration number %s to device %s: %s",
                   sb->regno, sb->serial, msg ? msg : "?");
    }
    st = s->q[Q_REG_SET];
    sqlite3_reset(st);
    hr_db_bind_text(st, 1, sb->regno);
    hr_db_bind_text(st, 2, status);
    sqlite3_bind_int64(st, 3, hr_db_now());
    if (sqlite3_step(st) != SQLITE_DONE)
        db_fail(s, "registration write-back");
    sqlite3_reset(st);
}

/* ---- resolving a double registration -------------------------------------------- */

static int resolve_transfer(struct hr_db *hdb, int64_t device_id, const char *serial,
                            const char *from, const char *to, int64_t target, int64_t now,
                            char *msg, size_t msglen)
{
    sqlite3 *db = hr_db_sqlite(hdb);
    char regno[40];
    sqlite3_stmt *st = NULL;
    int rc = -1;

    if (sqlite3_prepare_v2(db, "UPDATE registrations SET state = 'superseded'"
                               " WHERE serial = ?1 AND state = 'active'", -1, &st, NULL)
        != SQLITE_OK)
        goto out;
    hr_db_bind_text(st, 1, serial);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto out;
    sqlite3_finalize(st);
    /* The device's counters now come from another agent: start the
     * deltas afresh rather than compare two agents' counters. */
    if (sqlite3_prepare_v2(db, "UPDATE devices SET customer = ?2, target_id = ?3,"
                               " last_writes = NULL, last_uptime = NULL WHERE id = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        goto out;
    sqlite3_bind_int64(st, 1, device_id);
    hr_db_bind_text(st, 2, to);
    if (target > 0)
        sqlite3_bind_int64(st, 3, target);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto out;
    sqlite3_finalize(st);
    /* Claims of third customers now stand against the new owner. */
    if (sqlite3_prepare_v2(db, "UPDATE conflicts SET registered_customer = ?2"
                               " WHERE serial = ?1 AND resolution IS NULL", -1, &st, NULL)
        != SQLITE_OK)
        goto out;
    hr_db_bind_text(st, 1, serial);
    hr_db_bind_text(st, 2, to);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto out;
    sqlite3_finalize(st);
    st = NULL;
    if (hr_register(hdb, device_id, serial, to, target, now, "transfer", regno, sizeof regno) < 0)
        return -1;
    snprintf(msg, msglen, "%s transferred from %s to %s, registration number %s", serial,
             from, to, regno);
    rc = 0;
out:
    if (rc < 0)
        snprintf(msg, msglen, "database: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc;
}

int hr_conflict_resolve(struct hr_db *hdb, const char *serial, const char *claiming,
                        int transfer, char *msg, size_t msglen)
{
    sqlite3 *db = hr_db_sqlite(hdb);
    sqlite3_stmt *st = NULL;
    int64_t cid = 0, device_id = 0, target = 0, now = hr_db_now();
    char from[72] = "", to[72] = "", all[256] = "";
    int n = 0, rc = -1;

    if (hr_db_begin(hdb) < 0) {
        snprintf(msg, msglen, "database is busy");
        return -1;
    }
    if (sqlite3_prepare_v2(db, "SELECT id, device_id, registered_customer, claiming_customer,"
                               " claiming_target FROM conflicts WHERE serial = ?1 AND"
                               " resolution IS NULL AND (?2 IS NULL OR claiming_customer = ?2)",
                           -1, &st, NULL) != SQLITE_OK)
        goto out_db;
    hr_db_bind_text(st, 1, serial);
    if (claiming)
        hr_db_bind_text(st, 2, claiming);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cid = sqlite3_column_int64(st, 0);
        device_id = sqlite3_column_int64(st, 1);
        col_text(st, 2, from, sizeof from);
        col_text(st, 3, to, sizeof to);
        target = sqlite3_column_int64(st, 4);
        size_t l = strlen(all);
        snprintf(all + l, sizeof all - l, "%s%s", n ? ", " : "", to);
        n++;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (n != 1) {
        if (n == 0)
            snprintf(msg, msglen, "no open conflict for serial '%s'%s%s", serial,
                     claiming ? " claimed by " : "", claiming ? claiming : "");
        else
            snprintf(msg, msglen, "serial '%s' is claimed by several customers (%s): give "
                     "--customer", serial, all);
        hr_db_rollback(hdb);
        return -2;
    }
    if (transfer) {
        if (resolve_transfer(hdb, device_id, serial, from, to, target, now, msg, msglen) < 0)
            goto out;
    } else {
        snprintf(msg, msglen, "%s stays registered to %s; sightings at %s are ignored", serial,
                 from, to);
    }
    if (sqlite3_prepare_v2(db, "UPDATE conflicts SET resolution = ?2, resolved = ?3"
                               " WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
        goto out_db;
    sqlite3_bind_int64(st, 1, cid);
    hr_db_bind_text(st, 2, transfer ? "transfer" : "keep");
    sqlite3_bind_int64(st, 3, now);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto out_db;
    sqlite3_finalize(st);
    st = NULL;
    if (hr_db_commit(hdb) < 0) {
        snprintf(msg, msglen, "database: commit failed");
        return -1;
    }
    hr_log(LOG_INFO, "conflict resolved: %s", msg);
    return 0;
out_db:
    snprintf(msg, msglen, "database: %s", sqlite3_errmsg(db));
out:
    sqlite3_finalize(st);
    hr_db_rollback(hdb);
    return rc;
}
