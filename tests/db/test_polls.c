/* test_polls.c: the packed raw polls (db/polls.h) and the raw_polls
 * virtual table (db/rawpolls.c), through their headers:
 *   - the block format: random blocks (NULLs coming and going, counters
 *     wrapping, extreme values) decode to what was encoded; a steady
 *     5-minute device costs a few bytes a poll; every truncation and
 *     thousands of corrupted blocks are refused or decode, never read out
 *     of bounds (run under ASan in check-asan-all);
 *   - storage: polls of three devices over three hours packed once their
 *     hour is over, merged when a late poll comes, a second already packed
 *     not stored twice (nor counted twice in its day), pruned by hour,
 *     unpacked back;
 *   - raw_polls gives the same rows as before packing, for every kind of
 *     bound, in time order by device; a corrupt block is an error that
 *     names the device and hour. */
#include "../tap.h"
#include "dbtest.h"
#include "db.h"
#include "daily.h"
#include "polls.h"
#include "samples.h"
#include "hr_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int same(const struct hr_db_sample *a, const struct hr_db_sample *b)
{
    unsigned k = a->known;

    if (a->time != b->time || a->known != b->known || a->status != b->status)
        return 0;
#define F(bit, m) if ((k & (bit)) && a->m != b->m) return 0
    F(HR_DB_S_CAPACITY, capacity); F(HR_DB_S_USED, used); F(HR_DB_S_USED_PCT, used_percent);
    F(HR_DB_S_WRITES, writes); F(HR_DB_S_DELTA, writes_delta); F(HR_DB_S_PEAK, peak);
    F(HR_DB_S_PEAK_PREV, peak_prev); F(HR_DB_S_RATE_AVG, rate_avg); F(HR_DB_S_WINDOW, window);
    F(HR_DB_S_UPTIME, sysuptime);
#undef F
    return 1;
}

/* A value: small, large, extreme or random. */
static uint64_t any(void)
{
    static const uint64_t edge[] = { 0, 1, UINT64_MAX, (uint64_t)INT64_MAX, (uint64_t)INT64_MIN,
                                     4294967295u, 10000000000000ull };
    switch (rnd() % 4) {
    case 0: return edge[rnd() % (sizeof edge / sizeof edge[0])];
    case 1: return rnd() % 1000;
    default: return rnd();
    }
}

/* N random polls of the hour at HOUR, in time order. */
static void random_block(struct hr_db_sample *v, size_t n, int64_t hour)
{
    int64_t t = hour + (int64_t)(rnd() % 10);

    for (size_t i = 0; i < n; i++) {
        struct hr_db_sample *s = &v[i];
        memset(s, 0, sizeof *s);
        s->time = t;
        t += 1 + (int64_t)(rnd() % (i % 5 == 0 ? 30 : 3));
        s->known = (unsigned)rnd() & 0x3ff;
        s->capacity = any();
        s->used = any();
        s->used_percent = (int)(rnd() % 3 == 0 ? (int)(uint32_t)rnd() : (int)(rnd() % 101));
        s->writes = any();
        s->writes_delta = any();
        s->peak = (int64_t)any();
        s->peak_prev = (int64_t)any();
        s->rate_avg = (int64_t)any();
        s->window = (int64_t)any();
        s->sysuptime = (int64_t)any();
        s->status = (unsigned)(rnd() % 3 == 0 ? (uint32_t)rnd() : rnd() % 4);
        /* Now and then a poll just like the previous one, predicted. */
        if (i > 0 && rnd() % 3 == 0) {
            int64_t dt = s->time - v[i - 1].time;
            *s = v[i - 1];
            s->time = v[i - 1].time + dt;
            s->writes = v[i - 1].writes + s->writes_delta;
            /* as the codec predicts it: 64-bit patterns, wrapping */
            s->sysuptime = (int64_t)((uint64_t)v[i - 1].sysuptime + (uint64_t)dt * 100);
        }
    }
}

static void test_codec(void)
{
    enum { HOUR = 1800000000 - 1800000000 % 3600 };
    struct hr_db_sample v[200], *d;
    unsigned char *p;
    size_t len, n;
    const char *why;
    int bad = 0, sizes_ok = 1;

    for (int round = 0; round < 2000; round++) {
        size_t m = 1 + rnd() % 200;
        random_block(v, m, HOUR);
        if (hr_db_polls_encode(v, m, HOUR, &p, &len) < 0) {
            bad++;
            continue;
        }
        if (hr_db_polls_decode(p, len, HOUR, &d, &n, &why) < 0 || n != m) {
            bad++;
        } else {
            for (size_t i = 0; i < m; i++)
                if (!same(&v[i], &d[i])) {
                    bad++;
                    break;
                }
            free(d);
        }
        free(p);
    }
    TAP_INT(bad, 0, "2000 random blocks decode to what was encoded");

    /* A steady device every 300 s: used grows, Cmax moves. */
    for (size_t i = 0; i < 12; i++) {
        struct hr_db_sample *s = &v[i];
        memset(s, 0, sizeof *s);
        s->time = HOUR + 17 + (int64_t)i * 300;
        s->known = HR_DB_S_CAPACITY | HR_DB_S_USED | HR_DB_S_USED_PCT | HR_DB_S_WRITES |
                   HR_DB_S_DELTA | HR_DB_S_PEAK | HR_DB_S_PEAK_PREV | HR_DB_S_RATE_AVG |
                   HR_DB_S_WINDOW | HR_DB_S_UPTIME;
        s->capacity = 10000000000000ull;
        s->used = 4000000000000ull + i * 1048576;
        s->used_percent = 40;
        s->writes_delta = 15000 + (i % 3);
        s->writes = (i ? v[i - 1].writes : 123456789) + s->writes_delta;
        s->peak = 300 + (int64_t)(i % 7);
        s->peak_prev = 348;
        s->rate_avg = 50;
        s->window = 60;
        s->sysuptime = 987654 + (int64_t)i * 30000;
    }
    TAP_INT(hr_db_polls_encode(v, 12, HOUR, &p, &len), 0, "a steady hour encodes");
    printf("# a steady hour of 12 polls: %zu bytes\n", len);
    TAP_OK(len <= 12 * 12, "a steady hour costs at most 12 bytes a poll (%zu)", len);
    TAP_INT(hr_db_polls_decode(p, len, HOUR, &d, &n, &why), 0, "and decodes");
    if (n == 12)
        for (size_t i = 0; i < 12; i++)
            sizes_ok &= same(&v[i], &d[i]);
    TAP_OK(n == 12 && sizes_ok, "to the same polls");
    free(d);

    /* Every truncation is refused; corrupted blocks never read out of
     * bounds (ASan) and, when they decode, hold polls of the hour in
     * order. */
    int trunc_ok = 1, order_ok = 1, refused = 0;
    for (size_t cut = 0; cut < len; cut++)
        if (hr_db_polls_decode(p, cut, HOUR, &d, &n, &why) == 0) {
            trunc_ok = 0;
            free(d);
        }
    TAP_OK(trunc_ok, "every truncation of a block is refused");
    for (int round = 0; round < 5000; round++) {
        unsigned char q[512];
        size_t ql = len;
        memcpy(q, p, len);
        for (int f = 0; f < 1 + round % 4; f++)
            q[rnd() % ql] ^= (unsigned char)(1u << (rnd() % 8));
        if (round % 7 == 0)
            q[rnd() % ql] = 0xff;
        if (hr_db_polls_decode(q, ql, HOUR, &d, &n, &why) < 0) {
            refused++;
            continue;
        }
        for (size_t i = 0; i < n; i++)
            if (d[i].time < HOUR || d[i].time >= HOUR + HR_POLLS_SPAN ||
                (i && d[i].time <= d[i - 1].time))
                order_ok = 0;
        free(d);
    }
    TAP_OK(order_ok, "corrupted blocks that decode hold polls of the hour in order (%d of"
           " 5000 refused)", refused);
    TAP_OK(refused > 0, "corruption is noticed");
    TAP_INT(hr_db_polls_decode((const unsigned char *)"\x02\x01\x00\x00", 4, HOUR, &d, &n,
                               &why), -1, "another format is refused");
    TAP_STR(why, "not a block of format 1", "and said so");
    free(p);

    /* Out of order or out of the hour: not encoded. */
    v[1].time = v[0].time;
    TAP_INT(hr_db_polls_encode(v, 2, HOUR, &p, &len), -1, "two polls in one second refused");
    v[1].time = HOUR + HR_POLLS_SPAN;
    TAP_INT(hr_db_polls_encode(v, 2, HOUR, &p, &len), -1, "a poll of the next hour refused");
}

#define T0 1767225600   /* 2026-01-01T00:00Z */

/* Device D's poll at T (a steady shape with a NULL now and then). */
static struct hr_db_sample poll_of(int64_t d, int64_t t)
{
    struct hr_db_sample s = { .device_id = d, .time = t };

    s.known = HR_DB_S_CAPACITY | HR_DB_S_USED | HR_DB_S_WRITES | HR_DB_S_DELTA | HR_DB_S_PEAK;
    if ((t / 300) % 5 == 0)
        s.known &= ~HR_DB_S_USED;
    s.capacity = 1000000000000ull * (uint64_t)d;
    s.used = (uint64_t)(t - T0) * 1000 + (uint64_t)d;
    s.writes = (uint64_t)(t - T0) * 50;
    s.writes_delta = 15000;
    s.peak = 300 + (t / 300) % 9;
    s.status = (t / 300) % 11 == 0 ? 4 : 0;
    return s;
}

/* The rows of QUERY as "device time used status;" text. */
static const char *rows(struct hr_db *db, const char *where)
{
    static char buf[65536];
    char sql[512], err[256];

    snprintf(sql, sizeof sql, "SELECT coalesce(group_concat(r, ';'), '') FROM (SELECT"
             " device_id || ' ' || (time - %d) || ' ' || coalesce(used, '-') || ' ' || status"
             " AS r FROM %s)", T0, where);
    buf[0] = '\0';
    if (hr_db_query_text(db, sql, buf, sizeof buf, err, sizeof err) < 0)
        snprintf(buf, sizeof buf, "ERROR %s", err);
    return buf;
}

static void test_storage(void)
{
    struct hr_db *db = fresh("polls.db");
    char before[65536], sql[512];
    int64_t packed = -1, polls = -1;
    int stored = 0;

    if (!db)
        return;
    exec(db, "INSERT INTO customers (id) VALUES ('C');"
             "INSERT INTO devices (id, serial, customer, first_seen, last_seen)"
             " VALUES (1, 'A', 'C', 1, 1), (2, 'B', 'C', 1, 1), (3, 'X', 'C', 1, 1);");
    /* Three hours of 5-minute polls, each device at its own second. */
    hr_db_begin(db);
    for (int64_t t = T0; t < T0 + 3 * 3600; t += 300)
        for (int64_t d = 1; d <= 3; d++) {
            struct hr_db_sample s = poll_of(d, t + d * 7);
            stored += hr_db_sample_insert(db, &s) == 1;
        }
    hr_db_commit(db);
    TAP_INT(stored, 108, "108 polls stored");
    snprintf(before, sizeof before, "%s",
             rows(db, "raw_polls ORDER BY device_id, time"));
    TAP_STR(rows(db, "samples ORDER BY device_id, time"), before,
            "raw_polls before packing: the rows of samples");
    exec(db, "CREATE TEMP TABLE ref AS SELECT * FROM samples");

    /* Two hours are over (and the delay): they are packed, two devices
     * a batch. */
    TAP_INT(hr_db_polls_pack(db, T0 + 2 * 3600 + 10, 2, 0, &packed), 0, "packed");
    TAP_INT(packed, 72, "two hours of three devices: 72 polls");
    TAP_INT(q_int(db, "SELECT count(*) FROM polls"), 6, "in six blocks");
    TAP_INT(q_int(db, "SELECT sum(n) FROM polls"), 72, "holding 72 polls");
    TAP_INT(q_int(db, "SELECT count(*) FROM samples"), 36, "the third hour waits in samples");
    TAP_STR(rows(db, "raw_polls ORDER BY device_id, time"), before,
            "raw_polls after packing: the same rows");
    printf("# 12 polls packed in %lld bytes a block on average\n",
           (long long)q_int(db, "SELECT avg(length(data)) FROM polls"));
    TAP_INT(hr_db_polls_pack(db, T0 + 2 * 3600 + 10, 0, 0, &packed), 0, "packing again");
    TAP_INT(packed, 0, "finds nothing more");

    /* Bounds, by device and not: the same rows as a copy of samples made
     * before packing (ref). */
    static const char *const where[] = {
        "device_id = 2 AND time >= 1767228600 AND time < 1767229600",   /* across hours */
        "device_id = 2 AND time > 1767228914.5 AND time <= 1767229514.5",
        "device_id = 3 AND time = 1767225621",
        "device_id = 1 AND time < 1767229200",
        "device_id = 1 AND time > 1767229199 AND time < 1767229500",
        "device_id = 3",
        "time >= 1767229200 AND time < 1767230000",
        "device_id = 2.5", "device_id = 'x'", "time > NULL", "device_id IN (3, 1)",
    };
    for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
        char a[400], b[400], got[65536];
        snprintf(a, sizeof a, "raw_polls WHERE %s", where[i]);
        snprintf(b, sizeof b, "ref WHERE %s ORDER BY device_id, time", where[i]);
        snprintf(got, sizeof got, "%s", rows(db, a));
        TAP_STR(got, rows(db, b), "raw_polls WHERE %s: the rows in order", where[i]);
    }
    TAP_STR(rows(db, "raw_polls WHERE device_id = 2.5"), "", "a device id that is no"
            " whole number: nothing");
    TAP_INT(q_int(db, "SELECT count(*) FROM raw_polls WHERE time >= 1767229200"
                      " AND time < 1767236400"), 72, "all devices, two hours over both tables");
    TAP_INT(q_int(db, "SELECT count(*) FROM raw_polls r JOIN devices d ON d.id = r.device_id"
                      " WHERE d.serial = 'B'"), 36, "joined with devices");
    TAP_INT(q_int(db, "SELECT max(time) - min(time) FROM raw_polls WHERE device_id = 1"),
            3 * 3600 - 300, "three hours of device 1");
    TAP_STR(rows(db, "(SELECT * FROM raw_polls WHERE device_id = 1 ORDER BY time DESC LIMIT 2)"),
            rows(db, "(SELECT * FROM ref WHERE device_id = 1 ORDER BY time DESC LIMIT 2)"),
            "ORDER BY time DESC");

    /* A late poll of a packed hour: stored in samples, merged at the next
     * pack; a second already packed is not stored again, nor counted in
     * its day again. */
    struct hr_db_sample late = poll_of(1, T0 + 100), dup = poll_of(1, T0 + 7);
    int64_t day_n = q_int(db, "SELECT samples FROM daily WHERE device_id = 1");
    hr_db_begin(db);
    TAP_INT(hr_db_sample_insert(db, &late), 1, "a late poll of a packed hour is stored");
    TAP_INT(hr_db_sample_insert(db, &dup), 0, "a second already packed is not");
    hr_db_commit(db);
    TAP_INT(q_int(db, "SELECT samples FROM daily WHERE device_id = 1"), day_n + 1,
            "the day counts the late poll once, the duplicate not");
    TAP_INT(hr_db_polls_has(db, 1, T0 + 7), 1, "the packed second is found");
    TAP_INT(hr_db_polls_has(db, 1, T0 + 8), 0, "another is not");
    TAP_INT(hr_db_polls_pack(db, T0 + 2 * 3600 + 10, 0, 0, &packed), 0, "packed again");
    TAP_INT(packed, 1, "the late poll, merged");
    TAP_INT(q_int(db, "SELECT n FROM polls WHERE device_id = 1 AND hour = 1767225600"), 13,
            "into its hour's block");
    snprintf(sql, sizeof sql, "raw_polls WHERE device_id = 1 AND time < %d", T0 + 400);
    TAP_STR(rows(db, sql), "1 7 7001 0;1 100 100001 0;1 307 307001 4", "in time order");

    /* Unpack: the blocks from an hour back into samples. */
    hr_db_begin(db);
    TAP_INT(hr_db_polls_unpack(db, 2, T0 + 3600 + 5), 12, "device 2's second hour unpacked");
    hr_db_commit(db);
    TAP_INT(q_int(db, "SELECT count(*) FROM polls WHERE device_id = 2"), 1, "one block left");
    TAP_INT(q_int(db, "SELECT count(*) FROM samples WHERE device_id = 2"), 24,
            "its polls in samples again");
    snprintf(sql, sizeof sql, "%s", rows(db, "raw_polls WHERE device_id = 2 ORDER BY time"));
    TAP_OK(strstr(before, sql) != NULL, "raw_polls unchanged for device 2");

    /* Prune: hours ending by the first hour's end. */
    TAP_INT(hr_db_polls_prune(db, T0 + 3600, 100, &polls), 3, "three blocks of the first hour");
    TAP_INT(polls, 37, "holding 37 polls");
    TAP_INT(q_int(db, "SELECT count(*) FROM raw_polls WHERE time < 1767229200"), 0,
            "none left of that hour");

    /* A corrupt block: an error naming it, not a crash or a silent gap. */
    exec(db, "UPDATE polls SET data = X'0105' WHERE device_id = 3");
    TAP_OK(strstr(rows(db, "raw_polls WHERE device_id = 3"),
                  "raw_polls: the block of device 3 for the hour at 1767229200") != NULL,
           "a corrupt block is an error: %s", rows(db, "raw_polls WHERE device_id = 3"));
    int64_t dummy;
    TAP_INT(hr_db_polls_has(db, 3, T0 + 3600 + 21), -1, "and the insert probe says so");
    TAP_OK(strstr(hr_db_errmsg(db), "the raw polls of device 3") != NULL, "%s",
           hr_db_errmsg(db));
    (void)dummy;

    /* A deleted device's blocks go with it. */
    exec(db, "DELETE FROM samples WHERE device_id = 3; DELETE FROM daily WHERE device_id = 3;"
             "DELETE FROM devices WHERE id = 3");
    TAP_INT(q_int(db, "SELECT count(*) FROM polls WHERE device_id = 3"), 0,
            "a deleted device's blocks are deleted");
    hr_db_close(db);
}

int main(void)
{
    if (dbtest_begin("hrpolls") < 0)
        return 1;
    hr_log_init("test_polls", 0, LOG_CRIT);
    test_codec();
    test_storage();
    dbtest_end();
    return TAP_DONE();
}
