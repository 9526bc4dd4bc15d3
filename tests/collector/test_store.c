/* test_store.c: the collector's storage rules on a temporary database:
 * counter restart vs wrap, registration numbers (unique, never reused),
 * double registration, batch commits, RRD files, schema upgrade. */
#include "../tap.h"
#include "db.h"
#include "hr_rrd.h"
#include "hr_util.h"
#include "polls.h"
#include "store.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

/* LeakSanitizer: fontconfig (loaded by librrd's graph code) keeps its
 * configuration cache for the life of the process by design, and librrd
 * 1.7.2's rrd_graph_v itself leaks a few legend strings per call (a few
 * hundred bytes, inside the library; our own buffers are all freed). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\nleak:rrd_graph_v\n";
}

/* librrd has no frame pointers: the slow unwinder is needed for the
 * suppression above to see rrd_graph_v in the allocation stacks. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "fast_unwind_on_malloc=0";
}

static int64_t q_int(struct hr_db *db, const char *sql)
{
    char err[256];
    int64_t v = -999;

    if (hr_db_query_int(db, sql, &v, err, sizeof err) < 0) {
        printf("# %s: %s\n", sql, err);
        return -998;
    }
    return v;
}

static char *q_text(struct hr_db *db, const char *sql, char *buf, size_t sz)
{
    char err[256];

    if (hr_db_query_text(db, sql, buf, sz, err, sizeof err) < 0)
        printf("# %s: %s\n", sql, err);
    return buf;
}

static void exec(struct hr_db *db, const char *sql)
{
    char err[256];
    if (hr_db_exec(db, sql, err, sizeof err) < 0)
        printf("# exec %s: %s\n", sql, err);
}

static void test_delta_rule(void)
{
    uint64_t d;
    unsigned f;

    f = hr_writes_delta(0, 0, 0, 0, 100, 500, 1000, 1, &d);
    TAP_INT(f, HR_SAMPLE_FIRST, "no previous sample: FIRST");
    f = hr_writes_delta(1, 100, 500, 1000, 250, 30500, 1300, 1, &d);
    TAP_OK(f == 0 && d == 150, "forward counter: delta 150");
    f = hr_writes_delta(1, 1000000, 90000, 1000, 20, 100, 1300, 1, &d);
    TAP_INT(f, HR_SAMPLE_RESTART, "backwards with smaller sysUpTime: RESTART, no spike");
    f = hr_writes_delta(1, 1000, 90000, 1000, 5000, 100, 1300, 1, &d);
    TAP_INT(f, HR_SAMPLE_RESTART, "smaller sysUpTime even with a larger counter: RESTART");
    f = hr_writes_delta(1, UINT64_MAX - 99, 1000, 1000, 50, 31000, 1300, 1, &d);
    TAP_OK(f == HR_SAMPLE_WRAP && d == 150, "near 2^64 then small, uptime larger: WRAP, delta 150");
    f = hr_writes_delta(1, 5000000000ull, 1000, 1000, 7, 31000, 1300, 1, &d);
    TAP_INT(f, HR_SAMPLE_IMPLAUSIBLE, "backwards far from 2^64, uptime larger: unknown, not a wrap");
    f = hr_writes_delta(1, 10, 1000, 1000, UINT64_MAX / 2, 31000, 1300, 1, &d);
    TAP_INT(f, HR_SAMPLE_IMPLAUSIBLE, "a jump beyond 10^7 writes/s: unknown");
    f = hr_writes_delta(1, 1000, 0, 1000, 10, 0, 1300, 0, &d);
    TAP_INT(f, HR_SAMPLE_IMPLAUSIBLE, "backwards without sysUpTime: unknown");
}

static void test_regno(void)
{
    char a[40], b[40];

    TAP_OK(hr_regno_format(a, sizeof a, 2026, 42) == 0, "format a registration number");
    TAP_OK(strncmp(a, "HR-2026-000042-", 15) == 0 && strlen(a) == 16, "format HR-YYYY-NNNNNN-C (%s)", a);
    TAP_OK(hr_regno_valid(a), "the check character verifies");
    strcpy(b, a);
    b[10] = b[10] == '9' ? '8' : (char)(b[10] + 1);
    TAP_OK(!hr_regno_valid(b), "one changed digit fails the check (%s)", b);
    strcpy(b, a);
    b[9] = a[10];
    b[10] = a[9];
    TAP_OK(a[9] == a[10] || !hr_regno_valid(b), "swapped digits fail the check");
    TAP_OK(hr_regno_format(a, sizeof a, 2026, 1234567) == 0 && hr_regno_valid(a),
           "7-digit sequence still valid (%s)", a);
    TAP_OK(!hr_regno_valid("HR-2026-00004-1") && !hr_regno_valid("XX-2026-000042-1") &&
           !hr_regno_valid(""), "malformed numbers rejected");
}

static void test_filenames(void)
{
    char a[300], b[300], big[70000];

    TAP_OK(hr_rrd_filename("SN-001.a_b", a, sizeof a) == 0 && strcmp(a, "SN-001.a_b.rrd") == 0,
           "plain serial kept: %s", a);
    TAP_OK(hr_rrd_filename("../../etc/passwd", a, sizeof a) == 0 && !strchr(a, '/') &&
           a[0] != '.', "traversal escaped: %s", a);
    TAP_OK(hr_rrd_filename("_x", a, sizeof a) == 0 && a[0] != '_', "leading _ escaped: %s", a);
    TAP_OK(hr_rrd_filename("a b\r\n\xef\xbf\xbd", a, sizeof a) == 0 && strcmp(a, "a%20b%0D%0A%EF%BF%BD.rrd") == 0,
           "blanks, CR/LF, U+FFFD escaped: %s", a);
    memset(big, 'A', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    TAP_OK(hr_rrd_filename(big, a, sizeof a) == 0 && strlen(a) <= 140, "65 KiB serial -> %zu bytes",
           strlen(a));
    big[5000] = 'B';
    TAP_OK(hr_rrd_filename(big, b, sizeof b) == 0 && strcmp(a, b) != 0,
           "long serials differing after the cut get different names");
    TAP_OK(hr_rrd_filename("", a, sizeof a) < 0, "empty serial refused");
    TAP_OK(hr_rrd_filename_noserial(7, "sda", a, sizeof a) == 0 && strcmp(a, "_t7_sda.rrd") == 0,
           "serial-less device: %s", a);
}

/* ---- synthetic poll results ---- */

static struct hr_target tg[3];
static struct hr_dev_row rows[4];

static void mkrow(struct hr_dev_row *r, uint32_t idx, const char *serial, uint64_t writes)
{
    memset(r, 0, sizeof *r);
    r->index = idx;
    snprintf(r->name, sizeof r->name, "dev%u", idx);
    hr_strlcpy(r->serial, serial, sizeof r->serial);
    hr_strlcpy(r->vendor, "ACME", sizeof r->vendor);
    hr_strlcpy(r->model_name, "Array 9000", sizeof r->model_name);
    r->capacity = 4000000000000ull;
    r->used = 1000000000000ull;
    r->used_percent = 25;
    r->writes = writes;
    r->peak = 1200;
    r->peak_prev = 1100;
    r->window = 60;
    r->rate_avg = 300;
    r->flags = HR_ROW_USED_KNOWN | HR_ROW_CAPACITY_KNOWN | HR_ROW_WRITES | HR_ROW_PEAK;
}

static void feed(struct hr_store *s, int t, enum hr_poll_status st, struct hr_dev_row *r,
                 size_t n, int64_t when, uint32_t uptime)
{
    struct hr_poll_result res;

    memset(&res, 0, sizeof res);
    res.target = &tg[t];
    res.status = st;
    if (st != HR_POLL_OK)
        snprintf(res.error, sizeof res.error, "no answer");
    res.rtt_ms = 1.5;
    res.started = when * 1000 - 10;
    res.finished = when * 1000;
    res.sysuptime = uptime;
    res.sysuptime_known = 1;
    res.rows = r;
    res.n_rows = n;
    hr_store_result(&res, s);
}

static struct hr_db *setup_db(const char *path)
{
    char err[512];
    struct hr_db *db;

    unlink(path);
    if (hr_db_open(path, HR_DB_CREATE, &db, err, sizeof err) < 0) {
        printf("# %s\n", err);
        return NULL;
    }
    exec(db, "INSERT INTO customers (id, name) VALUES ('A', 'Alpha'), ('B', 'Beta');"
             "INSERT INTO targets (id, name, customer, address, community)"
             " VALUES (1, 'ta', 'A', '127.0.0.1', 'public');"
             "INSERT INTO targets (id, name, customer, address, community, write_community)"
             " VALUES (2, 'tb', 'B', '127.0.0.1', 'public', 'private');"
             "INSERT INTO targets (id, name, customer, address, community)"
             " VALUES (3, 'ta2', 'A', '127.0.0.2', 'public');");
    for (int i = 0; i < 3; i++) {
        tg[i].id = i + 1;
        hr_strlcpy(tg[i].host, "127.0.0.1", sizeof tg[i].host);
        tg[i].version = HR_SNMP_V2C;
    }
    hr_strlcpy(tg[1].write_community, "private", sizeof tg[1].write_community);
    return db;
}

static void test_store(void)
{
    char path[300], rrddir[300], buf[256], err[256];
    struct hr_store_opts so = { 0 };
    struct hr_store *s;
    struct hr_db *db, *other;
    const struct hr_setback *sb;
    int64_t t0 = 1700000000;

    snprintf(path, sizeof path, "%s/store.db", dir);
    snprintf(rrddir, sizeof rrddir, "%s/rrd", dir);
    db = setup_db(path);
    TAP_OK(db != NULL, "temp database created");
    if (!db)
        return;
    struct stat st;
    TAP_OK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "database file mode 0600");
    so.rrd_dir = rrddir;
    so.rrdcached = "";
    so.batch = 2;
    s = hr_store_new(db, &so, err, sizeof err);
    TAP_OK(s != NULL, "store created (%s)", s ? "ok" : err);
    if (!s)
        return;

    /* Cycle 1: target 1 (customer A) with two devices, target 2 (B) with one. */
    mkrow(&rows[0], 1, "SER-1", 1000);
    mkrow(&rows[1], 2, "SER-2", 5000);
    feed(s, 0, HR_POLL_OK, rows, 2, t0, 100000);
    mkrow(&rows[2], 1, "SER-3", 10);
    feed(s, 1, HR_POLL_OK, &rows[2], 1, t0, 5000);
    /* batch = 2: both results are committed; another connection sees them. */
    TAP_OK(hr_db_open(path, 0, &other, err, sizeof err) == 0,
           "second connection");
    TAP_INT(q_int(other, "SELECT count(*) FROM samples"), 3, "batch of 2 results committed: 3 samples visible");
    feed(s, 2, HR_POLL_TIMEOUT, NULL, 0, t0, 0);
    TAP_INT(q_int(other, "SELECT count(*) FROM targets WHERE last_poll IS NOT NULL"), 2,
            "third result not yet committed (open batch)");
    hr_store_flush(s);
    TAP_INT(q_int(other, "SELECT count(*) FROM targets WHERE last_poll IS NOT NULL"), 3,
            "flush commits the open batch");
    TAP_STR(q_text(other, "SELECT last_status FROM targets WHERE id = 3", buf, sizeof buf),
            "timeout", "timeout recorded for target 3");
    TAP_INT(q_int(other, "SELECT failures FROM targets WHERE id = 3"), 1, "failure counted");

    TAP_INT(q_int(db, "SELECT count(*) FROM devices"), 3, "three devices");
    TAP_INT(q_int(db, "SELECT count(*) FROM registrations"), 3, "three registrations");
    TAP_INT(q_int(db, "SELECT count(DISTINCT reg_number) FROM devices"), 3, "registration numbers unique");
    TAP_STR(q_text(db, "SELECT customer FROM devices WHERE serial = 'SER-3'", buf, sizeof buf), "B",
            "SER-3 registered to the target's customer B");
    q_text(db, "SELECT reg_number FROM devices WHERE serial = 'SER-1'", buf, sizeof buf);
    TAP_OK(hr_regno_valid(buf), "issued number is well formed: %s", buf);
    TAP_INT(q_int(db, "SELECT status FROM samples WHERE device_id = 1"), HR_SAMPLE_FIRST,
            "first sample: FIRST, no delta");
    TAP_INT(q_int(db, "SELECT count(*) FROM registrations WHERE agent_set = 'no write access'"), 2,
            "targets without write access noted");
    TAP_INT(hr_store_setbacks(s, &sb), 1, "one write-back queued (target with write community)");
    TAP_OK(hr_store_setbacks(s, &sb) == 1 && sb[0].target_id == 2 && sb[0].index == 1,
           "write-back for target 2 index 1");
    hr_store_setback_done(s, &sb[0], 0, "SET timed out");
    hr_store_clear_setbacks(s);
    TAP_STR(q_text(db, "SELECT agent_set FROM registrations WHERE serial = 'SER-3'", buf, sizeof buf),
            "failed: SET timed out", "write-back failure recorded");

    /* Cycle 2 (+300 s): normal deltas; target 2's agent restarted. */
    mkrow(&rows[0], 1, "SER-1", 1600);
    mkrow(&rows[1], 2, "SER-2", 5000 + 7);
    feed(s, 0, HR_POLL_OK, rows, 2, t0 + 300, 130000);
    mkrow(&rows[2], 1, "SER-3", 3);
    hr_strlcpy(rows[2].reg_number, "HR-OLD", sizeof rows[2].reg_number);
    feed(s, 1, HR_POLL_OK, &rows[2], 1, t0 + 300, 200);
    hr_store_flush(s);
    TAP_INT(q_int(db, "SELECT writes_delta FROM samples WHERE device_id = 1 AND time = 1700000300"), 600,
            "delta 600 between cycles");
    TAP_INT(q_int(db, "SELECT writes_delta FROM samples WHERE device_id = 3 AND time = 1700000300"), -1,
            "restart: delta NULL, not a spike");
    TAP_INT(q_int(db, "SELECT status & 2 FROM samples WHERE device_id = 3 AND time = 1700000300"),
            HR_SAMPLE_RESTART, "restart flagged");
    /* The RRD file got U for the counter, so DERIVE draws no jump. */
    char cmd[700], line[256] = "", last_line[256] = "";
    snprintf(cmd, sizeof cmd, "rrdtool lastupdate '%s/SER-3.rrd'", rrddir);
    FILE *lp = popen(cmd, "r");
    while (lp && fgets(line, sizeof line, lp))
        hr_strlcpy(last_line, line, sizeof last_line);
    if (lp)
        pclose(lp);
    TAP_OK(strstr(last_line, "1700000300:") && strstr(last_line, " U "),
           "RRD fed U for the writes after the restart: %s", last_line);
    hr_store_clear_setbacks(s);

    /* Cycle 3: a 64-bit wrap (plausible) and an implausible backwards step. */
    mkrow(&rows[0], 1, "SER-1", 1600);
    rows[0].writes = UINT64_MAX - 9;
    feed(s, 0, HR_POLL_OK, rows, 1, t0 + 600, 160000);
    mkrow(&rows[0], 1, "SER-1", 20);
    feed(s, 0, HR_POLL_OK, rows, 1, t0 + 900, 190000);
    hr_store_flush(s);
    TAP_INT(q_int(db, "SELECT writes_delta FROM samples WHERE device_id = 1 AND time = 1700000600"), -1,
            "jump to near 2^64 in 300 s: implausible, NULL");
    TAP_INT(q_int(db, "SELECT writes_delta FROM samples WHERE device_id = 1 AND time = 1700000900"), 30,
            "wrap past 2^64: delta 30");
    TAP_INT(q_int(db, "SELECT status FROM samples WHERE device_id = 1 AND time = 1700000900"),
            HR_SAMPLE_WRAP, "wrap flagged");

    /* Double registration: customer B's target reports SER-1 (customer A). */
    mkrow(&rows[3], 5, "SER-1", 99);
    feed(s, 1, HR_POLL_OK, &rows[3], 1, t0 + 1200, 30000);
    /* Customer A's target still reports it too, in the disputed period. */
    mkrow(&rows[0], 1, "SER-1", 25);
    feed(s, 0, HR_POLL_OK, rows, 1, t0 + 1350, 210000);
    rows[3].writes = 150;
    feed(s, 1, HR_POLL_OK, &rows[3], 1, t0 + 1500, 60000);
    hr_store_flush(s);
    TAP_INT(q_int(db, "SELECT count(*) FROM conflicts WHERE serial = 'SER-1'"), 1, "one conflict row");
    TAP_INT(q_int(db, "SELECT times_seen FROM conflicts WHERE serial = 'SER-1'"), 2, "seen twice");
    TAP_STR(q_text(db, "SELECT registered_customer || '/' || claiming_customer FROM conflicts", buf,
                   sizeof buf), "A/B", "both sides recorded");
    TAP_STR(q_text(db, "SELECT customer FROM devices WHERE serial = 'SER-1'", buf, sizeof buf), "A",
            "device not moved");
    TAP_INT(q_int(db, "SELECT count(*) FROM samples WHERE device_id = 1 AND time >= 1700001200"), 1,
            "the device's history has only its own customer's sample");
    TAP_INT(q_int(db, "SELECT count(*) FROM conflict_samples WHERE side = 'claiming'"
                      " AND target_id = 2"), 2,
            "the claiming side's two samples are kept apart, not lost");
    TAP_INT(q_int(db, "SELECT writes FROM conflict_samples WHERE time = 1700001500"), 150,
            "... with their values");
    TAP_INT(hr_store_stats(s)->conflicts, 1, "conflict counted once");

    /* The hour packed first, as the retention packs it once it is over:
     * the transfer works on packed polls too (read through raw_polls). */
    TAP_INT(hr_db_polls_pack(db, 1700002800, 0, 0, NULL), 0, "the hour packed before the transfer");
    TAP_INT(q_int(db, "SELECT count(*) FROM samples WHERE device_id = 1"), 0,
            "... nothing of the device left in samples");
    /* Resolve by transfer: new number, old one superseded, never reused. */
    char before[40], after[40], msg[256];
    q_text(db, "SELECT reg_number FROM devices WHERE serial = 'SER-1'", before, sizeof before);
    TAP_INT(hr_conflict_resolve(db, "SER-1", NULL, 1, msg, sizeof msg), 0, "transfer: %s", msg);
    q_text(db, "SELECT reg_number FROM devices WHERE serial = 'SER-1'", after, sizeof after);
    TAP_OK(strcmp(before, after) != 0 && hr_regno_valid(after), "new number %s after %s", after, before);
    TAP_STR(q_text(db, "SELECT customer FROM devices WHERE serial = 'SER-1'", buf, sizeof buf), "B",
            "device now with B");
    TAP_INT(q_int(db, "SELECT count(*) FROM registrations WHERE serial = 'SER-1' AND state = 'active'"),
            1, "one active registration");
    TAP_INT(q_int(db, "SELECT count(*) FROM raw_polls WHERE device_id = 1 AND time >= 1700001200"), 2,
            "after the transfer the claiming side's samples are the device's history");
    TAP_INT(q_int(db, "SELECT writes_delta FROM raw_polls WHERE device_id = 1 AND time = 1700001500"),
            51, "... with their write deltas (99 -> 150)");
    TAP_INT(q_int(db, "SELECT status & 1 FROM raw_polls WHERE device_id = 1 AND time = 1700001200"),
            1, "... the first of them without a delta");
    TAP_INT(q_int(db, "SELECT count(*) FROM conflict_samples WHERE side = 'registered'"
                      " AND time = 1700001350 AND writes = 25"), 1,
            "customer A's sample of the disputed period is kept apart, not deleted");
    TAP_INT(q_int(db, "SELECT count(*) FROM conflict_samples WHERE side = 'claiming'"), 0,
            "nothing left on the claiming side");
    TAP_INT(q_int(db, "SELECT last_writes FROM devices WHERE serial = 'SER-1'"), 150,
            "the next poll's delta starts from the last sample");
    TAP_INT(q_int(db, "SELECT d.samples = (SELECT count(*) FROM raw_polls s WHERE s.device_id = 1"
                      " AND s.time >= d.day AND s.time < d.day + 86400)"
                      " AND d.last_time = 1700001500 AND d.last_used IS NOT NULL"
                      " FROM daily d WHERE d.device_id = 1 AND d.day = 1699920000"), 1,
            "the day's record is folded again from the history it now has");
    TAP_INT(q_int(db, "SELECT count(*) FROM daily d WHERE d.device_id = 1 AND d.samples <>"
                      " (SELECT count(*) FROM raw_polls s WHERE s.device_id = 1"
                      " AND s.time >= d.day AND s.time < d.day + 86400)"), 0,
            "every day of the device counts exactly its polls");
    TAP_INT(hr_conflict_resolve(db, "SER-1", NULL, 0, msg, sizeof msg), -2, "nothing left to resolve");

    /* Numbers are never reused, even after deleting devices. */
    exec(db, "DELETE FROM registrations; DELETE FROM devices;");
    mkrow(&rows[0], 9, "SER-NEW", 1);
    feed(s, 0, HR_POLL_OK, rows, 1, t0 + 1800, 400000);
    hr_store_flush(s);
    q_text(db, "SELECT reg_number FROM devices WHERE serial = 'SER-NEW'", buf, sizeof buf);
    TAP_OK(strcmp(buf, before) != 0 && strcmp(buf, after) != 0 && strncmp(buf + 8, "000005", 6) == 0,
           "after deletes the sequence goes on: %s", buf);

    /* RRD: one file per device, last update = the sample time. */
    char f[600];
    int64_t last;
    snprintf(f, sizeof f, "%s/SER-NEW.rrd", rrddir);
    last = hr_rrd_last(f, err, sizeof err);
    TAP_INT(last, t0 + 1800, "RRD file created and updated at the sample time");
    /* Older sample for the same file: skipped, not an error. */
    struct hr_rrd *w = hr_rrd_new(rrddir, "", err, sizeof err);
    struct hr_rrd_sample rs = { .time = t0 + 1700, .capacity = 1, .known = 1 };
    TAP_INT(hr_rrd_update(w, "SER-NEW.rrd", &rs, err, sizeof err), 0, "older update skipped quietly");
    TAP_INT(hr_rrd_last(f, err, sizeof err), t0 + 1800, "file unchanged by the older update");
    rs.time = t0 + 2100;
    TAP_INT(hr_rrd_update(w, "SER-NEW.rrd", &rs, err, sizeof err), 0, "newer update");
    struct hr_rrd_series ser;
    TAP_INT(hr_rrd_fetch(f, "", "AVERAGE", t0 + 1800, t0 + 2100, 300, &ser, err, sizeof err), 0,
            "fetch back");
    TAP_INT(ser.nds, HR_RRD_NDS, "five data sources");
    TAP_STR(ser.nds > 3 ? ser.names[3] : "", "writes", "DS 3 is writes");
    hr_rrd_series_free(&ser);

    /* Graphs: a PNG into a file and into memory, trend and forecast mark. */
    for (int k = 1; k <= 24; k++) {
        rs.time = t0 + 2100 + 300 * k;
        rs.used = 1000000000ull * (uint64_t)k;
        rs.capacity = 100000000000ull;
        rs.peak = 100u * (unsigned)k;
        rs.rate_avg = 10;
        rs.known = 0x1f;
        rs.writes = 1000u * (uint64_t)k;
        hr_rrd_update(w, "SER-NEW.rrd", &rs, err, sizeof err);
    }
    /* The usage graph from the file the store wrote: used vs capacity, the
     * forecast line to a full date, the peak load on the right axis. */
    struct hr_rrd_usage_graph g = {
        .rrd = f, .start = t0 + 2100, .end = t0 + 2100 + 300 * 48,
        .title = "SER-NEW: used vs capacity", .fc_now = t0 + 2100 + 300 * 24,
        .fc_from = t0 + 2100, .fc_full = t0 + 2100 + 300 * 40, .fc_used = 24e9,
        .fc_slope_per_day = 288e9, .fc_capacity = 100e9, .peak_scale = 1e7,
    };
    unsigned char *png = NULL, *png2 = NULL;
    size_t pnglen = 0, pnglen2 = 0;
    err[0] = '\0';
    TAP_INT(hr_rrd_graph_usage(&g, &png, &pnglen, err, sizeof err), 0, "usage graph of the RRD %s", err);
    TAP_OK(png && pnglen > 100 && memcmp(png, "\x89PNG\r\n\x1a\n", 8) == 0, "a PNG (%zu bytes)", pnglen);
    g.peak_scale = 0;
    g.fc_full = 0;
    TAP_INT(hr_rrd_graph_usage(&g, &png2, &pnglen2, err, sizeof err), 0, "without forecast and peak %s", err);
    TAP_OK(png && png2 && (pnglen != pnglen2 || memcmp(png, png2, pnglen) != 0),
           "the forecast and peak change the picture");
    free(png);
    free(png2);
    png = NULL;
    g.rrd = "/nonexistent/x.rrd";
    TAP_INT(hr_rrd_graph_usage(&g, &png, &pnglen, err, sizeof err), -1,
            "missing file and no history: error");
    TAP_OK(err[0] != '\0', "with a message: %s", err);
    free(png);
    hr_rrd_free(w);

    /* Serials with nothing readable in them (NUL bytes and controls, as
     * the decoder leaves them: U+FFFD), or a placeholder, are no serial:
     * kept by name, never registered. */
    {
        int regs = (int)q_int(db, "SELECT count(*) FROM registrations");
        mkrow(&rows[0], 7, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 1);
        mkrow(&rows[1], 8, "To be filled by O.E.M.", 1);
        mkrow(&rows[2], 9, "   ", 1);
        feed(s, 2, HR_POLL_OK, rows, 3, t0 + 9000, 100);
        hr_store_flush(s);
        TAP_INT(q_int(db, "SELECT count(*) FROM devices WHERE target_id = 3 AND serial IS NULL"
                          " AND name IN ('dev7', 'dev8', 'dev9')"), 3,
                "unreadable and placeholder serials: three devices kept by name");
        TAP_INT(q_int(db, "SELECT count(*) FROM registrations"), regs, "... none registered");
        TAP_INT(q_int(db, "SELECT count(*) FROM devices WHERE serial LIKE '%' || char(65533) || '%'"
                          " OR serial = 'To be filled by O.E.M.'"), 0,
                "... and no such serial in the database");
    }

    /* Values that do not fit are never numbers: 2^64 - 12345 bytes of
     * capacity, a counter above 2^63, used above capacity. */
    mkrow(&rows[0], 21, "BIG-1", 1);
    rows[0].capacity = UINT64_MAX - 12344;
    mkrow(&rows[1], 22, "BIG-2", (uint64_t)INT64_MAX + 987654321u);
    mkrow(&rows[2], 23, "BIG-3", 5);
    rows[2].used = rows[2].capacity + 1;
    feed(s, 2, HR_POLL_OK, rows, 3, t0 + 9600, 100);
    hr_store_flush(s);
    TAP_INT(q_int(db, "SELECT count(*) FROM samples s JOIN devices d ON d.id = s.device_id"
                      " WHERE d.serial = 'BIG-1' AND s.capacity IS NULL AND s.status & 1024"), 1,
            "capacity 2^64 - 12345: stored unknown (NULL), flagged out of range");
    TAP_INT(q_int(db, "SELECT count(*) FROM devices WHERE serial = 'BIG-1' AND capacity IS NULL"),
            1, "... the device's capacity too, never -12345");
    TAP_INT(q_int(db, "SELECT count(*) FROM samples s JOIN devices d ON d.id = s.device_id"
                      " WHERE d.serial = 'BIG-2' AND s.status & 1024 = 0"
                      " AND s.capacity = 4000000000000"), 1,
            "a writes counter above 2^63 is a Counter64 value, not out of range");
    TAP_INT(q_int(db, "SELECT (SELECT last_writes FROM devices WHERE serial = 'BIG-2')"
                      " = -9223372035867121488"), 1,
            "... kept as its 64 bits (2^63 + 987654320), read back unsigned for deltas");
    TAP_INT(q_int(db, "SELECT count(*) FROM samples s JOIN devices d ON d.id = s.device_id"
                      " WHERE d.serial = 'BIG-3' AND s.capacity IS NULL AND s.used IS NULL"
                      " AND s.used_percent IS NULL AND s.status & 1024"), 1,
            "used above capacity: neither is used, flagged");
    TAP_INT(q_int(db, "SELECT count(*) FROM samples WHERE capacity < 0 OR used < 0"), 0,
            "no negative size anywhere");

    hr_db_close(other);
    hr_store_free(s);
    hr_db_close(db);
}

static void test_migration(void)
{
    char path[300], err[512];
    struct hr_db *db;

    snprintf(path, sizeof path, "%s/old.db", dir);
    unlink(path);
    /* A file as the first release wrote it: schema 1 only. */
    TAP_OK(hr_db_open(path, HR_DB_CREATE | HR_DB_NOMIGRATE, &db, err, sizeof err) == 0, "open bare");
    TAP_INT(hr_db_migrate(db, 1, err, sizeof err), 1, "apply step 1 only");
    exec(db, "INSERT INTO customers (id, name) VALUES ('OLD', 'Old Customer');"
             "INSERT INTO targets (name, customer, address, community) VALUES ('t', 'OLD', 'h', 'c')");
    TAP_INT(hr_db_version(db), 1, "schema 1");
    hr_db_close(db);
    TAP_OK(hr_db_open(path, 0, &db, err, sizeof err) == 0, "reopen upgrades (%s)", err);
    TAP_INT(hr_db_version(db), hr_db_latest_version(), "now at the latest schema");
    TAP_INT(q_int(db, "SELECT count(*) FROM customers WHERE id = 'OLD'"), 1, "data preserved");
    TAP_INT(q_int(db, "SELECT failures FROM targets WHERE name = 't'"), 0, "new column with its default");
    hr_db_close(db);
    {
        size_t misnumbered = 0;
        for (size_t i = 0; i < hr_db_migration_count(); i++)
            if (hr_db_migration_version(i) != (int)i + 1) {
                printf("# migration %zu numbered %d\n", i, hr_db_migration_version(i));
                misnumbered++;
            }
        TAP_OK(hr_db_migration_count() > 0 && misnumbered == 0 &&
               hr_db_latest_version() == (int)hr_db_migration_count(),
               "migrations numbered 1..%d", hr_db_latest_version());
    }

    /* A newer file is refused, not damaged. */
    TAP_OK(hr_db_open(path, 0, &db, err, sizeof err) == 0, "open again");
    exec(db, "PRAGMA user_version = 999");
    hr_db_close(db);
    TAP_OK(hr_db_open(path, 0, &db, err, sizeof err) < 0 && strstr(err, "newer"),
           "newer schema refused: %s", err);
}

int main(void)
{
    char cmd[300];

    snprintf(dir, sizeof dir, "%s/hrstore.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    hr_log_init("test_store", 0, LOG_ERR);
    test_delta_rule();
    test_regno();
    test_filenames();
    test_store();
    test_migration();
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
    return TAP_DONE();
}
