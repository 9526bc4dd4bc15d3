/* test_db.c: the db/ layer on its own, through its headers: the handle
 * (mode 0600, WAL, foreign keys, a newer schema refused), transactions,
 * the statement cache (prepared once per handle, not per call), error
 * text, the migration list, the inventory and sample functions the
 * collector calls, the listing iterator, and the daily records: the fold
 * of each stored sample into its day (in order and shuffled), the same
 * days from the schema-7 roll-up of an older file, retention pruning.  It
 * includes db_int.h only to count cached statements. */
#include "../tap.h"
#include "dbtest.h"
#include "db.h"
#include "db_int.h"
#include "inventory.h"
#include "listing.h"
#include "samples.h"
#include "daily.h"
#include "hr_util.h"

#include <math.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


static const char *q_text(struct hr_db *db, const char *sql)
{
    static char buf[512];
    char err[256];

    if (hr_db_query_text(db, sql, buf, sizeof buf, err, sizeof err) < 0)
        printf("# %s: %s\n", sql, err);
    return buf;
}

static void test_open(void)
{
    char path[400], err[512];
    struct hr_db *db;
    struct stat st;

    snprintf(path, sizeof path, "%s/none/x.db", dir);
    TAP_INT(hr_db_open(path, 0, &db, err, sizeof err), -1, "missing file without CREATE");
    TAP_OK(strstr(err, "headroom db init") != NULL, "says how to create it: %s", err);
    db = fresh("open.db");
    TAP_OK(db != NULL, "created");
    if (!db)
        return;
    snprintf(path, sizeof path, "%s/open.db", dir);
    TAP_OK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "mode 0600");
    TAP_STR(q_text(db, "PRAGMA journal_mode"), "wal", "WAL");
    TAP_INT(q_int(db, "PRAGMA foreign_keys"), 1, "foreign keys on");
    TAP_INT(hr_db_version(db), hr_db_latest_version(), "schema current");
    TAP_INT((int64_t)hr_db_migration_count(), hr_db_latest_version(), "one step per version");
    for (size_t i = 0; i < hr_db_migration_count(); i++)
        if (hr_db_migration_version(i) != (int)i + 1)
            TAP_OK(0, "step %zu numbered %d", i, hr_db_migration_version(i));
    TAP_INT(hr_db_migration_version(hr_db_migration_count()), -1, "past the end: -1");
    /* Every module's steps are in: one table of each. */
    static const char *const tables[] = { "customers", "targets", "devices", "registrations",
                                          "conflicts", "samples", "outbox", "catalog_products",
                                          "stock", "proposals", "rule_state" };
    for (size_t i = 0; i < HR_ARRAY_LEN(tables); i++) {
        char sql[200];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_schema WHERE name = '%s'",
                 tables[i]);
        TAP_INT(q_int(db, sql), 1, "table %s", tables[i]);
    }
    TAP_INT(q_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"
                      " AND name = 'proposals_outbox_sync'"), 1, "mail/proposals trigger");
    exec(db, "PRAGMA user_version = 999");
    hr_db_close(db);
    TAP_INT(hr_db_open(path, 0, &db, err, sizeof err), -1, "newer schema refused");
    TAP_OK(strstr(err, "newer") != NULL, "reason: %s", err);
    hr_db_close(NULL);
    hr_db_rows_free(NULL);
    TAP_OK(hr_db_now() > 1600000000, "hr_db_now is a Unix time");
}

static void test_txn_and_errors(struct hr_db *db)
{
    char err[256];

    TAP_INT(hr_db_in_transaction(db), 0, "autocommit at rest");
    TAP_INT(hr_db_begin(db), 0, "begin");
    TAP_INT(hr_db_in_transaction(db), 1, "in a transaction");
    exec(db, "INSERT INTO customers (id) VALUES ('GONE')");
    hr_db_rollback(db);
    TAP_INT(q_int(db, "SELECT count(*) FROM customers WHERE id = 'GONE'"), 0, "rolled back");
    hr_db_rollback(db);
    TAP_INT(hr_db_in_transaction(db), 0, "rollback outside a transaction: no-op");
    TAP_INT(hr_db_begin(db), 0, "begin again");
    struct hr_db_customer c = { "A", "Alpha", "03", "", 1 };
    TAP_INT(hr_db_customer_upsert(db, &c), 0, "customer A");
    c.name = "Alpha 2";
    TAP_INT(hr_db_customer_upsert(db, &c), 0, "customer A again: an update");
    TAP_INT(hr_db_customer_add_id(db, "B"), 0, "customer B by id");
    TAP_INT(hr_db_commit(db), 0, "commit");
    TAP_STR(q_text(db, "SELECT name FROM customers WHERE id = 'A'"), "Alpha 2", "updated");
    TAP_STR(q_text(db, "SELECT name FROM customers WHERE id = 'B'"), "B", "name = id");
    TAP_INT(hr_db_customer_exists(db, "A"), 1, "A exists");
    TAP_INT(hr_db_customer_exists(db, "Z"), 0, "Z does not");

    /* A refused write: -1 and sqlite's reason, through the typed API. */
    int64_t id = 0;
    TAP_INT(hr_db_device_insert(db, "S-X", "NOBODY", 0, "", 1, 0, NULL, &id), -1,
            "device of an unknown customer refused");
    TAP_OK(strstr(hr_db_errmsg(db), "FOREIGN KEY") != NULL, "errmsg: %s", hr_db_errmsg(db));
    TAP_INT(hr_db_refused(db, err, sizeof err), -1, "hr_db_refused returns -1");
    TAP_OK(strncmp(err, "the database refused it: ", 25) == 0, "and says so: %s", err);
    TAP_INT(hr_db_exec(db, "SELECT nonsense FROM nowhere", err, sizeof err), -1, "bad SQL");
    TAP_OK(strstr(err, "nowhere") != NULL, "message: %s", err);
}

static void test_inventory(struct hr_db *db)
{
    struct hr_db_target t = {
        .name = "ta", .customer = "A", .address = "127.0.0.1", .port = 161,
        .transport = "udp", .version = "2c", .community = "public", .write_community = "",
        .v3_user = "", .v3_level = "authPriv", .v3_auth_proto = "SHA", .v3_auth_pass = "",
        .v3_priv_proto = "AES", .v3_priv_pass = "", .v3_context = "", .timeout_ms = 500,
        .retries = 2, .enabled = 1,
    };
    struct hr_db_target_state ts;
    struct hr_db_device_state d;
    int64_t dev = 0, seq1 = 0, seq2 = 0, seen = 0;
    unsigned first = 0;
    size_t n;

    TAP_INT(hr_db_target_upsert(db, &t), 0, "target ta");
    t.timeout_ms = 700;
    TAP_INT(hr_db_target_upsert(db, &t), 0, "target ta again (update by name)");
    TAP_INT(q_int(db, "SELECT count(*) FROM targets"), 1, "one target");
    TAP_INT(q_int(db, "SELECT timeout_ms FROM targets WHERE name = 'ta'"), 700, "updated");
    TAP_INT(hr_db_target_state_get(db, 1, &ts), 1, "target 1 found");
    TAP_STR(ts.customer, "A", "its customer");
    TAP_STR(ts.last_status, "", "never polled");
    TAP_INT(hr_db_target_state_get(db, 99, &ts), 0, "target 99: none");
    TAP_INT(hr_db_target_state_set(db, 1, "timeout", "no answer", -1, 1000, 1000), 0,
            "state: timeout");
    TAP_INT(q_int(db, "SELECT failures FROM targets WHERE id = 1"), 1, "failure counted");
    TAP_INT(q_int(db, "SELECT last_rtt_ms IS NULL FROM targets WHERE id = 1"), 1,
            "unknown rtt stored as NULL");
    TAP_INT(hr_db_target_state_set(db, 1, "ok", NULL, 3.5, 1010, 1010), 0, "state: ok");
    TAP_INT(q_int(db, "SELECT failures + 10 * last_ok FROM targets WHERE id = 1"), 10100,
            "failures reset, last_ok set");

    /* The statement cache: the same lookup a thousand times prepares once. */
    hr_db_device_find(db, "NONE", 0, "", &d);
    n = db->ncache;
    for (int i = 0; i < 1000; i++)
        hr_db_device_find(db, "NONE", 0, "", &d);
    TAP_INT((int64_t)db->ncache, (int64_t)n, "1000 lookups: no new statement (%zu cached)", n);

    TAP_INT(hr_db_begin(db), 0, "begin");
    TAP_INT(hr_db_device_insert(db, "S-1", "A", 1, "d1", 1000, 0, "S-1.rrd", &dev), 0,
            "device S-1");
    TAP_INT(hr_db_device_find(db, "S-1", 0, "", &d), 1, "found by serial");
    TAP_INT(d.id, dev, "same id");
    TAP_INT(d.has_prev, 0, "no counter yet");
    TAP_INT(d.last_uptime, -1, "uptime unknown");
    TAP_INT(hr_db_regseq_next(db, &seq1), 0, "sequence");
    TAP_INT(hr_db_regseq_next(db, &seq2), 0, "sequence again");
    TAP_INT(seq2, seq1 + 1, "goes up by one");
    TAP_INT(hr_db_registration_add(db, "HR-2026-000001-X", dev, "S-1", "A", 1, 1000, "poll"), 0,
            "registration");
    struct hr_db_device_seen u = {
        .id = dev, .target_id = 1, .agent_index = 3, .name = "d1", .vendor = "v",
        .model_name = "m", .model_number = "AR-100", .product_number = "p", .firmware = "1.0",
        .config = "", .price = "", .reported_customer = "A", .agent_reg_number = "",
        .capacity = 1000, .capacity_known = 1, .cache_size = 10, .now = 1010, .writes_known = 1, .writes = 77,
        .uptime_known = 1, .uptime = 5000,
    };
    TAP_INT(hr_db_device_seen(db, &u), 0, "device seen");
    TAP_INT(hr_db_commit(db), 0, "commit");
    TAP_INT(hr_db_device_find(db, "S-1", 0, "", &d), 1, "found again");
    TAP_STR(d.reg_number, "HR-2026-000001-X", "registration number on the device");
    TAP_OK(d.has_prev && d.last_writes == 77 && d.last_uptime == 5000 && d.last_sample == 1010,
           "counter baseline stored");
    TAP_INT(hr_db_device_find(db, "", 1, "nameless", &d), 0, "no such nameless device");

    char status[64];
    int64_t when;
    TAP_INT(hr_db_registration_status(db, "HR-2026-000001-X", status, sizeof status, &when), 1,
            "registration status");
    TAP_STR(status, "", "not written back yet");
    hr_db_registration_set_status(db, "HR-2026-000001-X", "ok", 1020);
    hr_db_registration_status(db, "HR-2026-000001-X", status, sizeof status, &when);
    TAP_OK(strcmp(status, "ok") == 0 && when == 1020, "written back: %s at %lld", status,
           (long long)when);

    /* Samples: one per device and second. */
    struct hr_db_sample s = { .device_id = dev, .time = 1010, .known = HR_DB_S_CAPACITY,
                              .capacity = 1000, .status = 1 };
    TAP_INT(hr_db_sample_insert(db, &s), 1, "sample stored");
    TAP_INT(hr_db_sample_insert(db, &s), 0, "same second: already there");
    TAP_INT(q_int(db, "SELECT used IS NULL AND capacity = 1000 FROM samples"), 1,
            "unknown columns stored as NULL");

    /* A double registration and its transfer. */
    int64_t cid = 0, cid2 = 0;
    TAP_INT(hr_db_conflict_sighting(db, "S-1", dev, "A", "B", 1, 3, 1030, &seen, &cid), 0,
            "sighting");
    TAP_INT(seen, 1, "new conflict");
    hr_db_conflict_sighting(db, "S-1", dev, "A", "B", 1, 3, 1040, &seen, &cid2);
    TAP_INT(seen, 2, "seen twice");
    TAP_OK(cid > 0 && cid == cid2, "the same conflict id");
    struct hr_db_conflict c;
    char all[100];
    TAP_INT(hr_db_conflicts_open(db, "S-1", NULL, &c, all, sizeof all), 1, "one open conflict");
    TAP_STR(c.claiming, "B", "claimed by B");
    TAP_INT(hr_db_device_transfer(db, dev, "S-1", "B", 1), 0, "transfer");
    TAP_INT(hr_db_conflict_close(db, c.id, "transfer", 1050), 0, "close");
    TAP_INT(hr_db_conflicts_open(db, "S-1", NULL, &c, all, sizeof all), 0, "none open");
    TAP_STR(q_text(db, "SELECT customer || '/' || (last_writes IS NULL) FROM devices"), "B/1",
            "device moved, counter restarted");

    /* Naming a device: by serial, or without one by name or TARGET/NAME. */
    {
        int64_t n1 = 0, n2 = 0, got = 0;
        char err[300] = "";

        t.name = "tb";
        TAP_INT(hr_db_target_upsert(db, &t), 0, "target tb");
        t.name = "ta";
        TAP_INT(hr_db_device_insert(db, NULL, "A", 1, "shelf", 1000, 0, NULL, &n1), 0,
                "device 'shelf' without a serial at ta");
        TAP_INT(hr_db_device_lookup(db, "S-1", &got, err, sizeof err), 1, "lookup by serial");
        TAP_INT(got, dev, "... the right device");
        TAP_INT(hr_db_device_lookup(db, "shelf", &got, err, sizeof err), 1, "lookup by name");
        TAP_INT(got, n1, "... the right device");
        TAP_INT(hr_db_device_lookup(db, "shelf (no serial)", &got, err, sizeof err), 1,
                "lookup by the label lists show");
        TAP_INT(hr_db_device_insert(db, NULL, "A", 2, "shelf", 1000, 0, NULL, &n2), 0,
                "device 'shelf' without a serial at tb");
        TAP_INT(hr_db_device_lookup(db, "shelf", &got, err, sizeof err), 0,
                "two devices named 'shelf': not found");
        TAP_OK(strstr(err, "give TARGET/shelf") != NULL, "... and the message says why: %s", err);
        TAP_INT(hr_db_device_lookup(db, "tb/shelf", &got, err, sizeof err), 1, "tb/shelf");
        TAP_INT(got, n2, "... the one at tb");
        TAP_INT(hr_db_device_lookup(db, "(shelf)", &got, err, sizeof err), 0, "(shelf): ambiguous");
        TAP_INT(hr_db_device_lookup(db, "S-2", &got, err, sizeof err), 0, "no such serial");
        TAP_OK(strstr(err, "no device 'S-2'") != NULL, "... says so: %s", err);
        TAP_INT(sqlite3_exec(db->sq, "DELETE FROM devices WHERE serial IS NULL", NULL, NULL, NULL),
                0, "cleanup");
        TAP_INT(hr_db_target_remove(db, "tb"), 1, "remove tb");
    }

    /* Import keys: the first line that used a key. */
    TAP_INT(hr_db_import_keys_begin(db), 0, "import keys");
    hr_db_import_key_seen(db, "k", 2, &first);
    TAP_INT(first, 2, "new key: its own line");
    hr_db_import_key_seen(db, "k", 5, &first);
    TAP_INT(first, 2, "again: the first line");
    TAP_INT(hr_db_import_keys_begin(db), 0, "begin again forgets");
    hr_db_import_key_seen(db, "k", 7, &first);
    TAP_INT(first, 7, "forgotten");

    TAP_INT(hr_db_target_remove(db, "1"), 1, "remove by id");
    TAP_INT(hr_db_target_remove(db, "ta"), 0, "already gone");
    TAP_INT(q_int(db, "SELECT count(*) FROM devices"), 1, "its device stays");
}

static void test_listing(struct hr_db *db)
{
    struct hr_db_rows *r = hr_db_list(db, HR_DB_LIST_CUSTOMERS, NULL);
    int rows = 0, rc;

    TAP_OK(r != NULL, "customer listing");
    if (!r)
        return;
    TAP_INT(hr_db_rows_ncols(r), 7, "seven columns");
    TAP_STR(hr_db_rows_name(r, 4), "consent_sales", "named");
    while ((rc = hr_db_rows_next(r)) == 1) {
        if (rows == 0)
            TAP_STR(hr_db_rows_text(r, 4), "yes", "A consents");
        rows++;
    }
    TAP_INT(rc, 0, "ends cleanly");
    TAP_INT(rows, 2, "two customers");
    hr_db_rows_free(r);
    r = hr_db_list(db, HR_DB_LIST_CONFLICTS, NULL);
    TAP_INT(r ? hr_db_rows_next(r) : -1, 0, "no open conflicts");
    hr_db_rows_free(r);
    struct hr_db_list_params p = { .all = 1 };
    r = hr_db_list(db, HR_DB_LIST_CONFLICTS, &p);
    TAP_INT(r ? hr_db_rows_next(r) : -1, 1, "--all lists the settled one");
    TAP_STR(r ? hr_db_rows_text(r, 8) : NULL, "transfer", "its resolution");
    hr_db_rows_free(r);
    p = (struct hr_db_list_params){ .until = INT64_MAX };
    r = hr_db_list(db, HR_DB_LIST_HISTORY, &p);
    TAP_INT(r ? hr_db_rows_next(r) : -1, 1, "history: one sample");
    TAP_STR(r ? hr_db_rows_text(r, 10) : NULL, "1", "status as a number without words");
    TAP_OK(r && hr_db_rows_text(r, 4) == NULL, "unknown used: NULL");
    hr_db_rows_free(r);
}


/* ---- daily records ---- */

#define NS 240
#define DAY0 1767225600     /* 2026-01-01T00:00:00Z */

/* A small deterministic generator: 2 devices, 3 days, polls at irregular
 * times, unknown values here and there. */
static uint64_t lcg = 12345;
static unsigned rnd(unsigned n)
{
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)((lcg >> 33) % n);
}

static void gen_samples(struct hr_db_sample *v, char fw[][16])
{
    for (int i = 0; i < NS; i++) {
        struct hr_db_sample *s = &v[i];
        memset(s, 0, sizeof *s);
        s->device_id = 1 + i % 2;
        s->time = DAY0 + (int64_t)(i / 2) * 2160 + rnd(1000);   /* 40 a day per device, 3 days */
        s->capacity = 1000000 + rnd(3) * 1000;
        s->used = 1000 + rnd(500000);
        s->writes_delta = rnd(10000);
        s->peak = rnd(900);
        s->peak_prev = rnd(900);
        s->rate_avg = rnd(300);
        s->window = 60;
        s->status = 1u << rnd(10);
        s->known = HR_DB_S_WINDOW;
        if (rnd(5)) s->known |= HR_DB_S_CAPACITY;
        if (rnd(4)) s->known |= HR_DB_S_USED;
        if (rnd(3)) s->known |= HR_DB_S_PEAK | HR_DB_S_PEAK_PREV;
        if (rnd(4)) s->known |= HR_DB_S_RATE_AVG;
        if (rnd(2)) s->known |= HR_DB_S_DELTA;
        snprintf(fw[i], sizeof fw[i], "1.%d", i / 80);
        s->firmware = fw[i];
    }
}

static void daily_devices(struct hr_db *db)
{
    exec(db, "INSERT INTO customers (id) VALUES ('D');"
             "INSERT INTO devices (id, serial, customer, first_seen, last_seen, firmware)"
             " VALUES (1, 'DS-1', 'D', 1, 1, '1.2'), (2, NULL, 'D', 1, 1, '1.2');");
}

struct day_expect {
    int64_t n, last_time;
    double cap, used, cmax, rate_sum, rate_n, last_used;
    int walked;
};

/* The walk's history columns of day 1 agree with the whole record. */
static int day_light(void *arg, const struct hr_db_day *d)
{
    struct day_expect *e = arg;

    e->walked++;
    if (d->day == DAY0)
        TAP_OK(d->last_time == e->last_time && d->capacity == e->cap && d->used == e->used &&
               d->cmax == e->cmax && d->rate_avg == e->rate_sum / e->rate_n,
               "the walk gives day 1's history columns");
    return 0;
}

static int day_check(void *arg, const struct hr_db_day *d)
{
    struct day_expect *e = arg;

    if (d->day != DAY0)
        return 0;
    TAP_INT(d->samples, e->n, "day 1 of device 1: polls counted");
    TAP_INT(d->last_time, e->last_time, "its last poll time");
    TAP_OK(d->capacity == e->cap && d->used == e->used, "last known capacity and used");
    TAP_OK(d->cmax == e->cmax, "Cmax: the largest peak (%g, want %g)", d->cmax, e->cmax);
    TAP_OK(d->rate_avg == e->rate_sum / e->rate_n, "mean rate of the known ones");
    TAP_OK(d->last_used == e->last_used || (isnan(d->last_used) && isnan(e->last_used)),
           "last poll's used as it was");
    TAP_STR(d->firmware, "1.0", "firmware last seen");
    return 0;
}

static void test_daily(void)
{
    static struct hr_db_sample v[NS], sh[NS];
    static char fw[NS][16];
    struct hr_db *inc = fresh("daily_inc.db"), *shuf = fresh("daily_shuf.db"), *old;
    char path[400], err[512], sql[600];
    struct day_expect e = { 0 };
    int stored = 0;

    gen_samples(v, fw);
    if (!inc || !shuf)
        return;
    daily_devices(inc);
    daily_devices(shuf);
    hr_db_begin(inc);
    for (int i = 0; i < NS; i++)
        stored += hr_db_sample_insert(inc, &v[i]);
    hr_db_commit(inc);
    TAP_INT(stored, NS, "samples stored and folded");
    TAP_INT(q_int(inc, "SELECT count(*) FROM daily"), 6, "2 devices x 3 days");
    TAP_INT(q_int(inc, "SELECT sum(samples) FROM daily"), NS, "every poll counted once");
    TAP_INT(hr_db_sample_insert(inc, &v[0]), 0, "a poll stored again: not folded twice");
    TAP_INT(q_int(inc, "SELECT sum(samples) FROM daily"), NS, "still counted once");

    /* What the day should hold, computed here. */
    e.cap = e.used = e.cmax = e.last_used = NAN;
    for (int i = 0; i < NS; i++) {
        const struct hr_db_sample *s = &v[i];
        if (s->device_id != 1 || s->time >= DAY0 + 86400)
            continue;
        e.n++;
        e.last_time = s->time;
        if (s->known & HR_DB_S_CAPACITY) e.cap = (double)s->capacity;
        if (s->known & HR_DB_S_USED) e.used = (double)s->used;
        e.last_used = (s->known & HR_DB_S_USED) ? (double)s->used : NAN;
        if (s->known & HR_DB_S_PEAK) if (isnan(e.cmax) || (double)s->peak > e.cmax) e.cmax = (double)s->peak;
        if (s->known & HR_DB_S_RATE_AVG) { e.rate_sum += (double)s->rate_avg; e.rate_n++; }
    }
    struct hr_db_day full;
    TAP_INT(hr_db_device_day_get(inc, 1, DAY0, &full), 1, "the whole record of day 1");
    day_check(&e, &full);
    TAP_INT(hr_db_device_day_get(inc, 1, DAY0 - 86400, &full), 0, "no record the day before");
    TAP_INT(hr_db_device_days(inc, 1, DAY0, DAY0 + 2 * 86400, day_light, &e), 0, "days read");
    TAP_INT(e.walked, 3, "three days walked");

    /* Shuffled arrival: the same days. */
    memcpy(sh, v, sizeof sh);
    for (int i = NS - 1; i > 0; i--) {
        int j = (int)rnd((unsigned)i + 1);
        struct hr_db_sample t = sh[i];
        sh[i] = sh[j];
        sh[j] = t;
    }
    hr_db_begin(shuf);
    for (int i = 0; i < NS; i++)
        hr_db_sample_insert(shuf, &sh[i]);
    hr_db_commit(shuf);
    hr_db_close(shuf);
    snprintf(sql, sizeof sql, "ATTACH '%s/daily_shuf.db' AS shuf", dir);
    exec(inc, sql);
    TAP_INT(q_int(inc, "SELECT count(*) FROM (SELECT * FROM daily EXCEPT SELECT * FROM shuf.daily)"),
            0, "polls in any order: the same days");
    exec(inc, "DETACH shuf");

    /* An older file (schema 6) holding the same samples, upgraded in place:
     * the roll-up gives the same days (firmware aside: not kept per sample). */
    snprintf(path, sizeof path, "%s/daily_old.db", dir);
    unlink(path);
    TAP_INT(hr_db_open(path, HR_DB_CREATE | HR_DB_NOMIGRATE, &old, err, sizeof err), 0,
            "an empty file");
    TAP_INT(hr_db_migrate(old, 6, err, sizeof err), 6, "upgraded to schema 6 only");
    daily_devices(old);
    snprintf(sql, sizeof sql, "ATTACH '%s/daily_inc.db' AS inc", dir);
    exec(old, sql);
    exec(old, "INSERT INTO samples SELECT * FROM inc.samples; DETACH inc;");
    TAP_INT(hr_db_migrate(old, 7, err, sizeof err), 1, "step 7 applied");
    TAP_INT(hr_db_migrate(old, 0, err, sizeof err), hr_db_latest_version() - 7, "then the rest");
    snprintf(sql, sizeof sql, "ATTACH '%s/daily_old.db' AS old", dir);
    exec(inc, sql);
#define COLS "device_id, day, first_time, last_time, samples, capacity, capacity_time, used," \
             " used_time, used_max, cmax, cmax_prev, rate_sum, rate_n, writes_delta, flags," \
             " last_used, last_peak, last_rate, last_window"
    TAP_INT(q_int(inc, "SELECT count(*) FROM (SELECT " COLS " FROM daily EXCEPT SELECT " COLS
                       " FROM old.daily)"), 0, "roll-up = the days folded as the polls came");
    TAP_INT(q_int(inc, "SELECT count(*) FROM old.daily"), 6, "six days rolled up");
#undef COLS
    TAP_STR(q_text(inc, "SELECT group_concat(coalesce(firmware, '-'), ' ') FROM"
                        " (SELECT firmware FROM old.daily ORDER BY device_id, day)"),
            "- - 1.2 - - 1.2", "roll-up: firmware on each device's latest day only");
    exec(inc, "DETACH old");
    hr_db_close(old);

    /* Listing. */
    struct hr_db_list_params p = { .since = DAY0 + 86400 + 5, .until = INT64_MAX };
    struct hr_db_rows *r = hr_db_list(inc, HR_DB_LIST_DAILY, &p);
    int rows = 0;
    TAP_OK(r != NULL, "daily listing");
    while (r && hr_db_rows_next(r) == 1)
        rows++;
    TAP_INT(rows, 4, "--since mid-day: from that whole day");
    hr_db_rows_free(r);

    /* Retention: batches of 7 until done. */
    int64_t raw = -1, days = -1;
    int64_t before_day2 = q_int(inc, "SELECT count(*) FROM samples WHERE time < 1767398400");
    TAP_INT(hr_db_history_prune(inc, DAY0 + 2 * 86400, 0, 7, 0, &raw, &days), 0, "pruned");
    TAP_INT(raw, before_day2, "raw polls before day 3 deleted");
    TAP_INT(days, 0, "no day deleted");
    TAP_INT(q_int(inc, "SELECT count(*) FROM samples WHERE time < 1767398400"), 0, "none left");
    TAP_INT(q_int(inc, "SELECT count(*) FROM daily"), 6, "the days stay");
    TAP_INT(hr_db_retention_apply(inc, DAY0 + 86400 * 400, 14, 1, 0, &raw, &days, NULL), 0,
            "retention a year later");
    TAP_INT(q_int(inc, "SELECT count(*) FROM samples") * 10 + days, 6,
            "every poll and every day older than a year gone");
    hr_db_close(inc);
}

int main(void)
{
    struct hr_db *db;

    if (dbtest_begin("hrdb") < 0)
        return 1;
    hr_log_init("test_db", 0, LOG_CRIT);
    test_open();
    db = fresh("inv.db");
    TAP_OK(db != NULL, "inventory database");
    if (db) {
        test_txn_and_errors(db);
        test_inventory(db);
        test_listing(db);
        hr_db_close(db);
    }
    test_daily();
    dbtest_end();
    return TAP_DONE();
}
