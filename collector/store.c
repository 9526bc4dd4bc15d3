/* store.c: poll results into the database and the RRD files; automatic
 * registration and double-registration conflicts (seed 004). */
#include "store.h"
#include "db.h"
#include "inventory.h"
#include "samples.h"
#include "daily.h"
#include "profdev.h"
#include "device.h"
#include "hr_rrd.h"
#include "hr_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The database side (db/inventory.c, db/samples.c) keeps the statements
 * of a cycle prepared in the handle: nothing is parsed per result. */
struct hr_store {
    struct hr_db *db;
    struct hr_rrd *rrd;
    unsigned batch, pending;
    unsigned load_window;       /* seconds: the t of Cmax for profile devices */
    int in_txn;
    struct hr_store_stats stats;
    unsigned rrd_logged;        /* RRD errors logged since the stats were reset */
    struct hr_setback *setbacks;
    size_t nsetbacks, capsetbacks;
};

/* What the target row says, for one result. */
struct target_info {
    struct hr_db_target_state st;
    int has_write;
};

/* A device read through a profile (NULL for HEADROOM-STORAGE-MIB rows):
 * what its synthetic hr_dev_row cannot say. */
struct prof_in {
    const struct hr_prof_device *dev;
    const char *profile;
    int capacity_known;
    unsigned peak_known;        /* HR_DB_S_PEAK, _PEAK_PREV, _RATE_AVG, _WINDOW */
    int64_t peak, peak_prev, rate_avg, window;
};

static int db_fail(struct hr_store *s, const char *what)
{
    hr_log(LOG_ERR, "database: %s: %s", what, hr_db_errmsg(s->db));
    s->stats.db_errors++;
    return -1;
}

/* A failed RRD update: the first ten of a cycle are logged (counted in
 * the stats where the failure is learnt). */
static void rrd_error(void *ctx, const char *msg)
{
    struct hr_store *s = ctx;

    if (s->rrd_logged++ < 10)
        hr_log(LOG_ERR, "rrd: %s", msg);
}

struct hr_store *hr_store_new(struct hr_db *db, const struct hr_store_opts *opts, char *err,
                              size_t errlen)
{
    struct hr_store *s = calloc(1, sizeof *s);

    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->db = db;
    s->batch = opts && opts->batch ? opts->batch : 200;
    s->load_window = opts && opts->load_window ? opts->load_window : HR_LOAD_WINDOW;
    if (opts && opts->rrd_dir) {
        s->rrd = hr_rrd_new(opts->rrd_dir, opts->rrdcached, err, errlen);
        if (!s->rrd) {
            free(s);
            return NULL;
        }
        hr_rrd_on_error(s->rrd, rrd_error, s);
    }
    return s;
}

void hr_store_free(struct hr_store *s)
{
    if (!s)
        return;
    hr_store_flush(s);
    hr_rrd_free(s->rrd);
    free(s->setbacks);
    free(s);
}

int hr_store_flush(struct hr_store *s)
{
    struct hr_rrd_tally t;
    int rc = 0;

    if (s->in_txn) {
        rc = hr_db_commit(s->db);
        if (rc < 0)
            s->stats.db_errors++;
        s->in_txn = 0;
    }
    s->pending = 0;
    /* The batch of RRD updates for rrdcached goes out with the
     * transaction.  Updates not sent because rrdcached is away count as
     * errors; hr_rrd logs the loss and the recovery once. */
    if (s->rrd) {
        hr_rrd_sync(s->rrd, &t);
        s->stats.rrd_updates += t.updated;
        s->stats.rrd_skipped += t.skipped;
        s->stats.rrd_errors += t.failed + t.down;
    }
    return rc;
}

const struct hr_store_stats *hr_store_stats(const struct hr_store *s)
{
    return &s->stats;
}

void hr_store_reset_stats(struct hr_store *s)
{
    memset(&s->stats, 0, sizeof s->stats);
    s->rrd_logged = 0;
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

int hr_register(struct hr_db *db, int64_t device_id, const char *serial, const char *customer,
                int64_t target_id, int64_t when, const char *source, char *regno, size_t regsz)
{
    time_t tt = (time_t)when;
    struct tm tm;
    int64_t seq = -1;

    /* The sequence only goes up, inside the caller's transaction: a number
     * is never handed out twice, even after deletes or a crash (a rolled
     * back registration rolls back its increment too). */
    if (hr_db_regseq_next(db, &seq) < 0)
        goto out_fail;
    if (seq < 0 || !gmtime_r(&tt, &tm) ||
        hr_regno_format(regno, regsz, tm.tm_year + 1900, (uint64_t)seq) < 0) {
        hr_log(LOG_ERR, "registering %s: cannot format number %" PRId64, serial, seq);
        return -1;
    }
    if (hr_db_registration_add(db, regno, device_id, serial, customer, target_id, when,
                               source) < 0)
        goto out_fail;
    return 0;
out_fail:
    hr_log(LOG_ERR, "database: registering %s: %s", serial, hr_db_errmsg(db));
    return -1;
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
    const char *status = hr_poll_status_name(r->status);
    int64_t since;
    int rc;

    memset(ti, 0, sizeof *ti);
    rc = hr_db_target_state_get(s->db, r->target->id, &ti->st);
    if (rc < 0)
        return db_fail(s, "target lookup");
    if (rc == 0) {
        hr_log(LOG_WARNING, "target %" PRId64 " is not in the database (removed during "
               "the cycle?); result dropped", r->target->id);
        return -1;
    }
    ti->has_write = target_has_write(r->target);

    since = ti->st.state_since;
    if (strcmp(ti->st.last_status, status) != 0) {
        since = now;
        if (r->status != HR_POLL_OK)
            hr_log(LOG_WARNING, "target %s (%s): down: %s%s%s", ti->st.name, r->target->host,
                   status, r->error[0] ? ": " : "", r->error);
        else if (ti->st.last_status[0])
            hr_log(LOG_NOTICE, "target %s (%s): back up after %" PRId64 " s (%s)", ti->st.name,
                   r->target->host, now - ti->st.state_since, ti->st.last_status);
    }
    if (hr_db_target_state_set(s->db, r->target->id, status,
                               r->status != HR_POLL_OK ? r->error : NULL,
                               r->status == HR_POLL_OK || r->rtt_ms > 0 ? r->rtt_ms : -1.0,
                               now, since) < 0)
        return db_fail(s, "target state");
    return 0;
}

/* ---- devices -------------------------------------------------------------------- */

static int find_device(struct hr_store *s, const struct hr_poll_result *r,
                       const struct hr_dev_row *row, struct hr_db_device_state *d)
{
    int rc = hr_db_device_find(s->db, row->serial, r->target->id, row->name, d);

    if (rc < 0)
        return db_fail(s, "device lookup");
    return rc;
}

static int new_device(struct hr_store *s, const struct hr_poll_result *r,
                      const struct hr_dev_row *row, const struct target_info *ti, int64_t now,
                      const struct prof_in *px, const char *placeholder,
                      struct hr_db_device_state *d)
{
    unsigned flags = 0;
    char file[200];
    int64_t id;

    if (row->serial[0]) {
        if (hr_rrd_filename(row->serial, file, sizeof file) < 0)
            file[0] = '\0';
    } else {
        flags |= HR_DEV_NOSERIAL;
        if (hr_rrd_filename_noserial(r->target->id, row->name, file, sizeof file) < 0)
            file[0] = '\0';
    }
    if (hr_db_device_insert(s->db, row->serial[0] ? row->serial : NULL, ti->st.customer,
                            r->target->id, row->name, now, flags, file, &id) < 0)
        return db_fail(s, "new device");
    memset(d, 0, sizeof *d);
    d->id = id;
    hr_strlcpy(d->customer, ti->st.customer, sizeof d->customer);
    d->target_id = r->target->id;
    d->last_uptime = -1;
    hr_strlcpy(d->rrd_file, file, sizeof d->rrd_file);
    s->stats.new_devices++;
    if (!row->serial[0]) {
        if (px)
            hr_log(LOG_NOTICE, "target %s: the device read through profile %s has no serial "
                   "number%s%s%s; kept by target and profile, not registered", ti->st.name,
                   px->profile, px->dev->serial_placeholder ? " ('" : "",
                   px->dev->serial_placeholder ? px->dev->serial_raw : "",
                   px->dev->serial_placeholder ? "' is a placeholder)" : "");
        else
            hr_log(LOG_NOTICE, "target %s: device '%s' reports no serial number%s%s%s; kept "
                   "by name, not registered", ti->st.name, row->name,
                   placeholder[0] ? " ('" : "", placeholder, placeholder[0] ? "' is none)" : "");
        return 0;
    }
    if (hr_register(s->db, d->id, row->serial, ti->st.customer, r->target->id, now, "poll",
                    d->reg_number, sizeof d->reg_number) < 0) {
        s->stats.db_errors++;
        return -1;
    }
    s->stats.registered++;
    hr_log(LOG_INFO, "registered %s (%s %s) to %s as %s", row->serial, row->vendor,
           row->model_name, ti->st.customer, d->reg_number);
    /* The number is written back only into HEADROOM-STORAGE-MIB: a device
     * read through a profile has no place for it, which is no failure. */
    if (px && hr_db_registration_set_status(s->db, d->reg_number, HR_SETBACK_NA, now) < 0)
        return db_fail(s, "registration");
    if (!px && !ti->has_write &&
        hr_db_registration_set_status(s->db, d->reg_number, "no write access", now) < 0)
        return db_fail(s, "registration");
    return 0;
}

/* The serial is registered to another customer: record (or count) the
 * conflict, log it once, and leave the device where it is (seed 004
 * claim 4: a double registration is refused with a clear error). */
/* An agent that refused the number as notWritable (its configuration pins
 * another one) is asked again once a day, not every cycle. */
static int refused_recently(struct hr_store *s, const char *regno, int64_t now)
{
    char status[300];
    int64_t when;

    if (hr_db_registration_status(s->db, regno, status, sizeof status, &when) <= 0)
        return 0;
    return strstr(status, "notWritable") && now - when < 86400;
}

static void queue_setback(struct hr_store *s, const struct hr_poll_result *r,
                          const struct hr_dev_row *row, const struct hr_db_device_state *d)
{
    struct hr_setback *sb;

    if (hr_array_grow(&s->setbacks, &s->capsetbacks, s->nsetbacks + 1, sizeof *s->setbacks) < 0)
        return;
    sb = &s->setbacks[s->nsetbacks++];
    sb->target_id = r->target->id;
    sb->index = row->index;
    hr_strlcpy(sb->regno, d->reg_number, sizeof sb->regno);
    hr_strlcpy(sb->serial, row->serial, sizeof sb->serial);
}

static void rrd_write(struct hr_store *s, const struct hr_dev_row *row, const struct hr_db_device_state *d,
                      int64_t now, unsigned sflags, const struct prof_in *px)
{
    struct hr_rrd_sample rs = { 0 };
    char err[512];
    int rc;

    if (!s->rrd || !d->rrd_file[0])
        return;
    rs.time = now;
    rs.capacity = row->capacity;
    rs.known = (px ? px->capacity_known : (row->flags & HR_ROW_CAPACITY_KNOWN) != 0)
               ? 1u << HR_RRD_DS_CAPACITY : 0;
    if (row->flags & HR_ROW_USED_KNOWN) {
        rs.used = row->used;
        rs.known |= 1u << HR_RRD_DS_USED;
    }
    if (row->flags & HR_ROW_PEAK) {
        rs.peak = row->peak;
        rs.rate_avg = row->rate_avg;
        rs.known |= 1u << HR_RRD_DS_PEAK | 1u << HR_RRD_DS_RATE_AVG;
    }
    if (px && (px->peak_known & HR_DB_S_PEAK)) {
        rs.peak = (uint64_t)px->peak;
        rs.known |= 1u << HR_RRD_DS_PEAK;
    }
    if (px && (px->peak_known & HR_DB_S_RATE_AVG)) {
        rs.rate_avg = (uint64_t)px->rate_avg;
        rs.known |= 1u << HR_RRD_DS_RATE_AVG;
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
    else if (rc < 0) {
        s->stats.rrd_errors++;
        rrd_error(s, err);
    }
    /* HR_RRD_QUEUED: counted when the batch goes out (hr_store_flush) */
}

/* Values of our MIB's row that do not fit: a byte count above 2^63 - 1
 * (no disk holds 8 EiB, and SQLite's INTEGER is signed: it would read back
 * as a negative number), or used above capacity (one of the two is wrong,
 * and nothing says which).  They become unknown, and the sample says why;
 * rules and forecasts never see them.  The writes counter is a Counter64
 * and uses its whole range (it wraps at 2^64): it is kept as its 64 bits
 * and read back as unsigned (deltas, RRD); no reader prints it. */
static unsigned row_in_range(struct hr_dev_row *row)
{
    unsigned f = 0;

    if ((row->flags & HR_ROW_CAPACITY_KNOWN) && row->capacity > INT64_MAX) {
        row->flags &= ~HR_ROW_CAPACITY_KNOWN;
        row->capacity = 0;
        f = HR_SAMPLE_OUT_OF_RANGE;
    }
    if ((row->flags & HR_ROW_USED_KNOWN) && row->used > INT64_MAX) {
        row->flags &= ~HR_ROW_USED_KNOWN;
        row->used = 0;
        f = HR_SAMPLE_OUT_OF_RANGE;
    }
    if ((row->flags & HR_ROW_CAPACITY_KNOWN) && (row->flags & HR_ROW_USED_KNOWN) &&
        row->used > row->capacity) {
        row->flags &= ~(HR_ROW_CAPACITY_KNOWN | HR_ROW_USED_KNOWN);
        row->capacity = row->used = 0;
        f = HR_SAMPLE_OUT_OF_RANGE;
    }
    if (row->cache_size > INT64_MAX) {
        row->cache_size = 0;
        f = HR_SAMPLE_OUT_OF_RANGE;
    }
    if (f)
        row->used_percent = -1;
    return f;
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

/* The sample of ROW at NOW, as samples and conflict_samples keep it. */
static void sample_of(const struct hr_poll_result *r, const struct hr_dev_row *row,
                      int64_t device, int64_t now, unsigned sflags, int delta_ok,
                      uint64_t delta, const struct prof_in *px, struct hr_db_sample *out)
{
    struct hr_db_sample smp = {
        .device_id = device, .time = now, .known = HR_DB_S_CAPACITY,
        .capacity = row->capacity, .used = row->used, .used_percent = row->used_percent,
        .writes = row->writes, .writes_delta = delta, .peak = row->peak,
        .peak_prev = row->peak_prev, .rate_avg = row->rate_avg, .window = row->window,
        .sysuptime = r->sysuptime, .status = sflags, .firmware = row->firmware,
    };

    if (row->flags & HR_ROW_USED_KNOWN)
        smp.known |= HR_DB_S_USED;
    if (row->used_percent >= 0)
        smp.known |= HR_DB_S_USED_PCT;
    if (row->flags & HR_ROW_WRITES)
        smp.known |= HR_DB_S_WRITES;
    if (delta_ok)
        smp.known |= HR_DB_S_DELTA;
    if (row->flags & HR_ROW_PEAK)
        smp.known |= HR_DB_S_PEAKS;
    if (r->sysuptime_known)
        smp.known |= HR_DB_S_UPTIME;
    if (!px && !(row->flags & HR_ROW_CAPACITY_KNOWN))
        smp.known &= ~HR_DB_S_CAPACITY;
    if (px) {
        if (!px->capacity_known)
            smp.known &= ~HR_DB_S_CAPACITY;
        smp.known |= px->peak_known;
        smp.peak = px->peak;
        smp.peak_prev = px->peak_prev;
        smp.rate_avg = px->rate_avg;
        smp.window = px->window;
    }
    *out = smp;
}

static int insert_sample(struct hr_store *s, const struct hr_poll_result *r,
                         const struct hr_dev_row *row, const struct hr_db_device_state *d,
                         int64_t now, unsigned sflags, int delta_ok, uint64_t delta,
                         const struct prof_in *px)
{
    struct hr_db_sample smp;

    sample_of(r, row, d->id, now, sflags, delta_ok, delta, px, &smp);
    if (hr_db_sample_insert(s->db, &smp) < 0)
        return db_fail(s, "sample");
    s->stats.samples++;
    return 0;
}

static int update_device(struct hr_store *s, const struct hr_poll_result *r,
                         const struct hr_dev_row *row, const struct hr_db_device_state *d,
                         int64_t now, const struct prof_in *px)
{
    struct hr_db_device_seen u = {
        .id = d->id, .target_id = r->target->id, .agent_index = row->index,
        .name = row->name, .vendor = row->vendor, .model_name = row->model_name,
        .model_number = row->model_number, .product_number = row->product_number,
        .firmware = row->firmware, .config = row->config, .price = row->price,
        .reported_customer = row->customer_id, .agent_reg_number = row->reg_number,
        .capacity = row->capacity, .cache_size = row->cache_size,
        .sale_date_known = (row->flags & HR_ROW_SALE_DATE) != 0, .sale_date = row->sale_date,
        .now = now,
        .writes_known = (row->flags & HR_ROW_WRITES) != 0, .writes = row->writes,
        .uptime_known = r->sysuptime_known, .uptime = r->sysuptime,
        .profile = px ? px->profile : NULL, .capacity_known = px ? px->capacity_known
                                                   : (row->flags & HR_ROW_CAPACITY_KNOWN) != 0,
    };

    if (row->flags & HR_ROW_SANITIZED)
        u.flags |= HR_DEV_SANITIZED;
    if (row->flags & (HR_ROW_BAD_TYPE | HR_ROW_MISSING_COL))
        u.flags |= HR_DEV_BAD_DATA;
    if (hr_db_device_seen(s->db, &u) < 0)
        return db_fail(s, "device update");
    return 0;
}

/* The sighting is kept with its sample (conflict_samples, side
 * "claiming"): a double registration loses no data, and settling it by a
 * transfer makes these samples the device's history. */
static int conflict(struct hr_store *s, const struct hr_poll_result *r,
                    struct hr_dev_row *row, const struct target_info *ti,
                    const struct hr_db_device_state *d, int64_t now, const struct prof_in *px)
{
    struct hr_db_sample smp;
    int64_t seen, id;
    unsigned sflags;

    if (hr_db_conflict_sighting(s->db, row->serial, d->id, d->customer, ti->st.customer,
                                r->target->id, row->index, now, &seen, &id) < 0)
        return db_fail(s, "conflict");
    sflags = px ? 0 : row_in_range(row) | row_sample_flags(row);
    sample_of(r, row, d->id, now, sflags, 0, 0, px, &smp);
    if (hr_db_conflict_sample_add(s->db, id, "claiming", r->target->id, &smp) < 0)
        return db_fail(s, "conflict sample");
    if (seen == 1) {
        s->stats.conflicts++;
        hr_log(LOG_WARNING, "double registration: serial %s, registered to %s as %s, is "
               "reported by target %s of customer %s; not moved, its samples kept apart "
               "(see 'headroom fleet conflicts')", row->serial, d->customer, d->reg_number,
               ti->st.name,
               ti->st.customer);
    }
    return 0;
}

static int prof_writes(struct hr_store *s, const struct hr_poll_result *r, struct hr_dev_row *row,
                       const struct hr_db_device_state *d, int64_t now, struct prof_in *px,
                       unsigned *sflags, uint64_t *delta);
static int prof_volumes(struct hr_store *s, const struct prof_in *px,
                        const struct hr_db_device_state *d, int64_t now);

static void store_row(struct hr_store *s, const struct hr_poll_result *r,
                      struct hr_dev_row *row, const struct target_info *ti, int64_t now,
                      struct prof_in *px)
{
    struct hr_db_device_state d;
    unsigned sflags;
    uint64_t delta = 0;
    char placeholder[sizeof row->serial] = "";
    int found, delta_ok;

    /* A serial with nothing readable in it (NUL bytes, blanks, controls:
     * U+FFFD after decoding) or a placeholder is no serial: the device is
     * kept by name, never registered under it. */
    if (!px && row->serial[0] && hr_serial_is_placeholder(row->serial)) {
        memcpy(placeholder, row->serial, sizeof placeholder);
        row->serial[0] = '\0';
    }
    found = find_device(s, r, row, &d);
    if (found < 0)
        return;
    if (found == 0) {
        if (new_device(s, r, row, ti, now, px, placeholder, &d) < 0)
            return;
    } else if (strcmp(d.customer, ti->st.customer) != 0) {
        conflict(s, r, row, ti, &d, now, px);
        return;
    } else if (d.last_sample >= now) {
        /* Twice in one second: the same serial twice in one table, or
         * two targets of one customer reaching the same device. */
        hr_log(LOG_DEBUG, "target %s: serial %s already sampled at %" PRId64 "; row %u skipped",
               ti->st.name, row->serial, now, row->index);
        s->stats.same_second++;
        return;
    }
    s->stats.devices++;
    if (row->customer_id[0] && strcmp(row->customer_id, ti->st.customer) != 0 &&
        strcmp(row->customer_id, d.reported_customer) != 0)
        hr_log(LOG_NOTICE, "target %s: device %s says its customer is '%s', the target "
               "belongs to '%s'; registered to '%s'", ti->st.name,
               row->serial[0] ? row->serial : row->name, row->customer_id, ti->st.customer,
               d.customer);
    if (px) {
        if (prof_writes(s, r, row, &d, now, px, &sflags, &delta) < 0)
            return;
    } else {
        unsigned range = row_in_range(row);
        sflags = row_sample_flags(row) | range;
        if (range)
            hr_log(LOG_INFO, "target %s: device %s: a size out of its range (above 2^63 - 1 "
                   "bytes, or used above capacity): stored unknown", ti->st.name,
                   row->serial[0] ? row->serial : row->name);
        if (row->flags & HR_ROW_WRITES)
            sflags |= hr_writes_delta(d.has_prev, d.last_writes, (uint32_t)d.last_uptime,
                                      d.last_sample, row->writes, r->sysuptime, now,
                                      r->sysuptime_known && d.last_uptime >= 0, &delta);
    }
    if (sflags & HR_SAMPLE_RESTART)
        hr_log(LOG_INFO, "target %s: sysUpTime went back: agent restarted; no write delta "
               "for %s", ti->st.name, row->serial[0] ? row->serial : row->name);
    delta_ok = (row->flags & HR_ROW_WRITES) &&
               !(sflags & (HR_SAMPLE_FIRST | HR_SAMPLE_RESTART | HR_SAMPLE_IMPLAUSIBLE));
    if (insert_sample(s, r, row, &d, now, sflags, delta_ok, delta, px) < 0 ||
        update_device(s, r, row, &d, now, px) < 0 || (px && prof_volumes(s, px, &d, now) < 0))
        return;
    rrd_write(s, row, &d, now, sflags, px);
    /* A registration number is written back only into our MIB. */
    if (!px && row->serial[0] && d.reg_number[0] && strcmp(row->reg_number, d.reg_number) != 0 &&
        ti->has_write && !refused_recently(s, d.reg_number, now))
        queue_setback(s, r, row, &d);
}

/* ---- devices read through a profile --------------------------------------------- */

struct ctr_list {
    struct hr_prof_counter *v;
    size_t n, cap;
};

static int ctr_one(void *arg, const char *index, uint64_t value, int is64)
{
    struct ctr_list *l = arg;
    struct hr_prof_counter *c;

    if (hr_array_grow(&l->v, &l->cap, l->n + 1, sizeof *l->v) < 0)
        return 1;
    c = &l->v[l->n++];
    memset(c, 0, sizeof *c);
    hr_strlcpy(c->index, index, sizeof c->index);
    c->value = value;
    c->is64 = is64;
    return 0;
}

/* UTC day of T, as facts_db.c folds samples into days. */
static int64_t day_start(int64_t t)
{
    return (t >= 0 ? t / 86400 : (t - 86399) / 86400) * 86400;
}

/* The writes of a profile device: its per-row counters against those of
 * the last poll (kept in the database, so a one-shot poll works too),
 * accumulated into the device's 64-bit writes counter, which samples and
 * the RRD DERIVE data source read as they read hdrmDevWrites.  Then the
 * load: the writes of the poll interval scaled to the window t, kept as
 * the sample's rate_avg; peak is the day's largest so far, peak_prev the
 * previous day's (UTC days, from the history).  Sets *SFLAGS and *DELTA. */
static int prof_writes(struct hr_store *s, const struct hr_poll_result *r, struct hr_dev_row *row,
                       const struct hr_db_device_state *d, int64_t now, struct prof_in *px,
                       unsigned *sflags, uint64_t *delta)
{
    const struct hr_prof_device *dev = px->dev;
    struct ctr_list prev = { 0 };
    int64_t elapsed = now - d->last_sample, today = day_start(now), pk = 0, pprev = 0;
    int ok = 0, rc;

    *sflags = 0;
    *delta = 0;
    if (!px->capacity_known)
        *sflags |= HR_SAMPLE_USED_UNKNOWN;
    if (!dev->writes_from || dev->nctrs == 0) {
        /* No counter rows (the table is empty on this agent): unknown;
         * the next poll with rows starts the deltas afresh. */
        *sflags |= HR_SAMPLE_NO_WRITES;
        return 0;
    }
    row->flags |= HR_ROW_WRITES;
    row->writes = d->has_prev ? d->last_writes : 0;
    if (!d->has_prev) {
        *sflags |= HR_SAMPLE_FIRST;
    } else if (r->sysuptime_known && d->last_uptime >= 0 &&
               r->sysuptime < (uint64_t)d->last_uptime) {
        *sflags |= HR_SAMPLE_RESTART;
    } else {
        rc = hr_db_counters_foreach(s->db, d->id, ctr_one, &prev);
        if (rc != 0) {
            free(prev.v);
            if (rc > 0) {
                hr_log(LOG_ERR, "out of memory reading write counters");
                return -1;
            }
            return db_fail(s, "write counters");
        }
        if (hr_prof_counters_delta(prev.v, prev.n, dev->ctrs, dev->nctrs, 0, delta) < 0 ||
            *delta > (uint64_t)(elapsed > 0 ? elapsed : 1) * HR_MAX_WRITES_PER_SEC) {
            *sflags |= HR_SAMPLE_IMPLAUSIBLE;
            *delta = 0;
        } else {
            row->writes += *delta;
            ok = 1;
        }
        free(prev.v);
    }
    if (hr_db_counters_clear(s->db, d->id) < 0)
        return db_fail(s, "write counters");
    for (size_t i = 0; i < dev->nctrs; i++)
        if (hr_db_counter_add(s->db, d->id, dev->ctrs[i].index, dev->ctrs[i].value,
                              dev->ctrs[i].is64) < 0)
            return db_fail(s, "write counters");

    px->window = s->load_window;
    px->peak_known = HR_DB_S_WINDOW;
    if (ok && elapsed > 0) {
        px->rate_avg = (int64_t)((*delta * px->window + (uint64_t)elapsed / 2) /
                                 (uint64_t)elapsed);
        px->peak = px->rate_avg;
        px->peak_known |= HR_DB_S_RATE_AVG | HR_DB_S_PEAK;
    }
    /* The day's Cmax so far and the previous day's, from the device's
     * previous sample (one row by its key, not a scan of the days): the
     * same day carries both on; the day before hands its peak over. */
    rc = d->last_sample > 0 ? hr_db_sample_peaks(s->db, d->id, d->last_sample, &pk, &pprev) : 0;
    if (rc < 0)
        return db_fail(s, "peaks");
    if (day_start(d->last_sample) == today) {
        if ((rc & 1) && (!(px->peak_known & HR_DB_S_PEAK) || pk > px->peak)) {
            px->peak = pk;
            px->peak_known |= HR_DB_S_PEAK;
        }
        if (rc & 2) {
            px->peak_prev = pprev;
            px->peak_known |= HR_DB_S_PEAK_PREV;
        }
    } else if (day_start(d->last_sample) == today - 86400 && (rc & 1)) {
        px->peak_prev = pk;
        px->peak_known |= HR_DB_S_PEAK_PREV;
    }
    return 0;
}

/* Each volume of the reading, replacing those of the last poll. */
static int prof_volumes(struct hr_store *s, const struct prof_in *px,
                        const struct hr_db_device_state *d, int64_t now)
{
    const struct hr_prof_device *dev = px->dev;

    if (hr_db_volumes_clear(s->db, d->id) < 0)
        return db_fail(s, "volumes");
    for (size_t i = 0; i < dev->nvols; i++)
        if (hr_db_volume_add(s->db, d->id, (unsigned)i, dev->vols[i].name, dev->vols[i].size,
                             dev->vols[i].used, dev->vols[i].flags, now) < 0)
            return db_fail(s, "volumes");
    return 0;
}

/* The one device of a reading through a profile, as a row of our MIB
 * would be stored: keyed by its serial, or without one by (target,
 * profile). */
static void store_prof(struct hr_store *s, const struct hr_poll_result *r,
                       const struct target_info *ti, int64_t now)
{
    const struct hr_prof_device *dev = r->device;
    struct hr_dev_row row;
    struct prof_in px = { .dev = dev, .profile = r->profile };

    memset(&row, 0, sizeof row);
    /* PROFILE@TARGET: the key of a device without a serial (with the
     * target's id), and a name that tells two Linux hosts apart in lists
     * and mails.  A target keeps its name (the fleet updates by name). */
    {
        size_t pl = strlen(r->profile);
        hr_strlcpy(row.name, r->profile, sizeof row.name);
        if (pl + 1 < sizeof row.name) {
            row.name[pl] = '@';
            hr_strlcpy(row.name + pl + 1, ti->st.name, sizeof row.name - pl - 1);
        }
    }
    if (!hr_serial_is_placeholder(dev->field[HR_PF_SERIAL]))
        hr_strlcpy(row.serial, dev->field[HR_PF_SERIAL], sizeof row.serial);
    hr_strlcpy(row.vendor, dev->field[HR_PF_VENDOR], sizeof row.vendor);
    hr_strlcpy(row.model_name, dev->field[HR_PF_MODEL], sizeof row.model_name);
    /* Most vendor MIBs give one model string ("DS918+", "TVS-871U-RP"),
     * which is also what the catalogue and the rules' SKUs are keyed by. */
    hr_strlcpy(row.model_number, dev->field[HR_PF_MODEL_NUMBER][0]
                                 ? dev->field[HR_PF_MODEL_NUMBER] : dev->field[HR_PF_MODEL],
               sizeof row.model_number);
    hr_strlcpy(row.product_number, dev->field[HR_PF_PRODUCT_NUMBER], sizeof row.product_number);
    hr_strlcpy(row.firmware, dev->field[HR_PF_FIRMWARE], sizeof row.firmware);
    row.used_percent = -1;
    /* Unknown stays unknown: no volume counted is no capacity, not 0; a
     * sum above 2^63 - 1 bytes is no capacity either. */
    if (dev->volumes_from && dev->counted > 0 && dev->capacity <= INT64_MAX) {
        px.capacity_known = 1;
        row.capacity = dev->capacity;
        row.used = dev->used;
        row.flags |= HR_ROW_USED_KNOWN;
        if (dev->capacity > 0)
            row.used_percent = (int)((dev->used * 100 + dev->capacity / 2) / dev->capacity);
    }
    store_row(s, r, &row, ti, now, &px);
}

/* Keep the profile an "auto" target was read through, so that the next
 * poll names it (3 requests for a Linux host instead of 6); forget it when
 * a reading through it finds nothing, so that the next poll detects
 * again (collector/poll.c also detects again once a day). */
static void keep_detected(struct hr_store *s, const struct hr_poll_result *r,
                          const struct target_info *ti, int64_t now)
{
    const char *conf = ti->st.profile, *asked = r->target->profile, *got = NULL;
    const struct hr_prof_device *dev = r->device;
    int detecting = !asked[0] || strcmp(asked, "auto") == 0, empty;

    if (conf[0] && strcmp(conf, "auto") != 0)
        return;             /* configured: nothing to keep */
    if (r->status == HR_POLL_OK)
        got = dev ? r->profile : "headroom";
    else if (r->status != HR_POLL_NOMIB)
        return;             /* timeout and the like say nothing of the agent */
    if (detecting) {
        if (got && strcmp(got, ti->st.detected) != 0)
            hr_log(LOG_INFO, "target %s: read through profile %s", ti->st.name, got);
    } else {
        /* Nothing measured and no serial: the agent is something else now
         * (a vendor or firmware that a sysDescr regex still reads proves
         * nothing). */
        empty = dev && dev->nvols == 0 && dev->nctrs == 0 && !dev->field[HR_PF_SERIAL][0];
        if (got && !empty)
            return;         /* it still reads: keep it (and its time) */
        hr_log(LOG_NOTICE, "target %s: profile %s no longer reads it; detecting again",
               ti->st.name, asked);
        got = NULL;
    }
    if (!got && !ti->st.detected[0])
        return;             /* nothing kept, nothing to forget */
    if (hr_db_target_detected_set(s->db, r->target->id, got, now) < 0)
        db_fail(s, "target profile");
}

void hr_store_result(const struct hr_poll_result *r, void *arg)
{
    struct hr_store *s = arg;
    struct target_info ti;
    int64_t now = r->finished > 0 ? r->finished / 1000 : hr_db_now();

    if (!s->in_txn) {
        if (hr_db_begin(s->db) < 0) {
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
    if (store_target(s, r, now, &ti) == 0) {
        if (r->status == HR_POLL_OK && r->device)
            store_prof(s, r, &ti, now);
        else if (r->status == HR_POLL_OK)
            for (size_t i = 0; i < r->n_rows; i++)
                store_row(s, r, &r->rows[i], &ti, now, NULL);
        keep_detected(s, r, &ti, now);
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
    int64_t when;

    snprintf(status, sizeof status, "%s%s", ok ? "ok" : "failed: ", ok ? "" : msg ? msg : "");
    hr_db_registration_status(s->db, sb->regno, prev, sizeof prev, &when);
    /* Log a failure once per change of outcome, not every cycle. */
    if (strcmp(prev, status) != 0) {
        if (ok)
            hr_log(LOG_INFO, "wrote registration number %s to device %s", sb->regno, sb->serial);
        else
            hr_log(LOG_WARNING, "could not write registration number %s to device %s: %s",
                   sb->regno, sb->serial, msg ? msg : "?");
    }
    if (hr_db_registration_set_status(s->db, sb->regno, status, hr_db_now()) < 0)
        db_fail(s, "registration write-back");
}

/* ---- resolving a double registration -------------------------------------------- */

/* Replaying the claiming side's samples as the device's history: the
 * write deltas between them by the counter rule, the first one without. */
struct replay {
    struct hr_db *db;
    int64_t device;
    int have_prev;
    uint64_t prev_writes;
    int64_t prev_uptime, prev_time;
    unsigned n;
};

static int replay_one(void *arg, const struct hr_db_sample *cs)
{
    struct replay *rp = arg;
    struct hr_db_sample smp = *cs;
    uint64_t delta = 0;
    unsigned f = 0;

    smp.device_id = rp->device;
    smp.known &= ~HR_DB_S_DELTA;
    smp.status &= ~(HR_SAMPLE_FIRST | HR_SAMPLE_RESTART | HR_SAMPLE_WRAP | HR_SAMPLE_IMPLAUSIBLE);
    if (smp.known & HR_DB_S_WRITES) {
        f = hr_writes_delta(rp->have_prev, rp->prev_writes, (uint32_t)rp->prev_uptime,
                            rp->prev_time, smp.writes, (uint32_t)smp.sysuptime, smp.time,
                            rp->have_prev && rp->prev_uptime >= 0 &&
                            (smp.known & HR_DB_S_UPTIME), &delta);
        if (!(f & (HR_SAMPLE_FIRST | HR_SAMPLE_RESTART | HR_SAMPLE_IMPLAUSIBLE))) {
            smp.writes_delta = delta;
            smp.known |= HR_DB_S_DELTA;
        }
        rp->have_prev = 1;
        rp->prev_writes = smp.writes;
        rp->prev_uptime = smp.known & HR_DB_S_UPTIME ? smp.sysuptime : -1;
        rp->prev_time = smp.time;
    }
    smp.status |= f;
    if (hr_db_sample_insert(rp->db, &smp) < 0)
        return -1;
    rp->n++;
    return 0;
}

int hr_conflict_resolve(struct hr_db *db, const char *serial, const char *claiming,
                        int transfer, char *msg, size_t msglen)
{
    struct hr_db_conflict c;
    int64_t now = hr_db_now();
    char all[256], regno[40];
    int n, moved;

    if (hr_db_begin(db) < 0) {
        snprintf(msg, msglen, "database is busy");
        return -1;
    }
    n = hr_db_conflicts_open(db, serial, claiming, &c, all, sizeof all);
    if (n < 0)
        goto out_db;
    if (n != 1) {
        if (n == 0)
            snprintf(msg, msglen, "no open conflict for serial '%s'%s%s", serial,
                     claiming ? " claimed by " : "", claiming ? claiming : "");
        else
            snprintf(msg, msglen, "serial '%s' is claimed by several customers (%s): give "
                     "--customer", serial, all);
        hr_db_rollback(db);
        return -2;
    }
    if (transfer) {
        /* The claiming side's samples become the device's history from
         * the first sighting on; what the registered side recorded in that
         * period is set aside under the conflict, not deleted. */
        struct replay rp = { .db = db, .device = c.device_id };
        if ((moved = hr_db_samples_to_conflict(db, c.device_id, c.first_seen, c.id,
                                               "registered")) < 0 ||
            hr_db_conflict_days_rebuild(db, c.device_id, hr_db_day_of(c.first_seen), c.id) < 0 ||
            hr_db_device_transfer(db, c.device_id, serial, c.claiming, c.claiming_target) < 0 ||
            hr_db_conflict_samples_each(db, c.id, "claiming", replay_one, &rp) != 0 ||
            hr_db_conflict_samples_drop(db, c.id, "claiming") < 0 ||
            hr_db_device_counter_reset(db, c.device_id) < 0)
            goto out_db;
        if (hr_register(db, c.device_id, serial, c.claiming, c.claiming_target, now,
                        "transfer", regno, sizeof regno) < 0) {
            snprintf(msg, msglen, "database: registering %s failed", serial);
            goto out_rollback;
        }
        snprintf(msg, msglen, "%s transferred from %s to %s, registration number %s; its "
                 "history from the first sighting on is the %u sample%s seen at %s (%d of %s "
                 "kept apart)", serial, c.registered, c.claiming, regno, rp.n,
                 rp.n == 1 ? "" : "s", c.claiming, moved, c.registered);
    } else {
        snprintf(msg, msglen, "%s stays registered to %s; the samples seen at %s stay apart "
                 "(fleet conflicts --all)", serial, c.registered, c.claiming);
    }
    if (hr_db_conflict_close(db, c.id, transfer ? "transfer" : "keep", now) < 0)
        goto out_db;
    if (hr_db_commit(db) < 0) {
        snprintf(msg, msglen, "database: commit failed");
        return -1;
    }
    hr_log(LOG_INFO, "conflict resolved: %s", msg);
    return 0;
out_db:
    snprintf(msg, msglen, "database: %s", hr_db_errmsg(db));
out_rollback:
    hr_db_rollback(db);
    return -1;
}
