/* Unit tests for subagent/load.c (seed 000 0026-0033 window/Cmax logic)
 * and subagent/devdb.c (stable indexes, state file). */
#include "../../subagent/load.h"
#include "../../subagent/devdb.h"
#include "hr_util.h"
#include "../tap.h"

#include <stdlib.h>
#include <unistd.h>

#define T 60                      /* window, seconds */
#define MS(s) ((int64_t)(s) * 1000)

static struct tm mk_tm(int y, int mon, int d, int h, int m)
{
    struct tm tm = { 0 };

    tm.tm_year = y - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = m;
    return tm;
}

static void test_daykey(void)
{
    struct tm a = mk_tm(1970, 1, 1, 12, 0), b = mk_tm(2024, 3, 1, 0, 0),
              c = mk_tm(2024, 2, 29, 23, 59), d = mk_tm(2025, 1, 1, 0, 0),
              e = mk_tm(2024, 12, 31, 12, 0);

    TAP_INT(load_daykey(&a, 0), 0, "day key of 1970-01-01 is 0");
    TAP_INT(load_daykey(&b, 0) - load_daykey(&c, 0), 1, "leap day to March 1st is one day");
    TAP_INT(load_daykey(&d, 0) - load_daykey(&e, 0), 1, "year boundary is one day");
    /* reset at 06:30: 06:29 still belongs to the day before */
    struct tm f = mk_tm(2024, 3, 1, 6, 29), g = mk_tm(2024, 3, 1, 6, 30);
    TAP_INT(load_daykey(&f, 390), load_daykey(&c, 390), "06:29 before a 06:30 reset is yesterday");
    TAP_INT(load_daykey(&g, 390), load_daykey(&c, 390) + 1, "06:30 is the new day");
}

static void test_windows(void)
{
    struct load_state ls;
    int32_t day = 20000;

    load_init(&ls);
    TAP_INT(load_sample(&ls, 1000, MS(0), day, T), LOAD_STARTED, "first sample starts a window");
    TAP_INT(ls.cmax, 0, "no Cmax before a window closed");
    TAP_INT(load_sample(&ls, 1100, MS(60), day, T), LOAD_COUNTED, "window of 100 counted");
    TAP_INT(ls.cmax, 100, "Cmax 100");
    TAP_INT(load_sample(&ls, 1150, MS(120), day, T), LOAD_COUNTED, "window of 50 counted");
    TAP_INT(ls.cmax, 100, "Cmax keeps the maximum (steps a8-a9)");
    TAP_INT(load_average(&ls), 75, "average of 100 and 50 is 75");
    TAP_INT(load_sample(&ls, 1400, MS(181), day, T), LOAD_COUNTED, "slightly late window counted");
    TAP_INT(ls.cmax, 250, "Cmax rises to 250");
    TAP_INT(load_sample(&ls, 1401, MS(190), day, T), LOAD_TOO_EARLY, "sample after 9 s ignored");
    TAP_INT(load_sample(&ls, 1500, MS(241), day, T), LOAD_COUNTED, "window continues after an early call");
    TAP_INT(ls.day_windows, 4, "four windows counted");
    TAP_INT(ls.day_sum, 500, "day sum 500");

    /* counter went back: device reset */
    TAP_INT(load_sample(&ls, 10, MS(301), day, T), LOAD_WENT_BACK, "counter going back is not counted");
    TAP_INT(ls.cmax, 250, "Cmax unchanged after a reset");
    TAP_INT(load_sample(&ls, 70, MS(361), day, T), LOAD_COUNTED, "next window counts from the new value");
    TAP_INT(ls.cmax, 250, "60 writes after the reset do not change Cmax");
    TAP_INT(ls.day_sum, 560, "day sum grew by 60");

    /* a window that lasted 100 s (> 1.5 t): suspend or stall */
    TAP_INT(load_sample(&ls, 100070, MS(461), day, T), LOAD_TOO_LONG, "a 100 s window is not counted");
    TAP_INT(ls.cmax, 250, "long window does not make a fake peak");
    TAP_INT(load_sample(&ls, 100370, MS(521), day, T), LOAD_COUNTED, "counting resumes");
    TAP_INT(ls.cmax, 300, "Cmax 300");
}

static void test_days(void)
{
    struct load_state ls;
    int32_t day = 20000;

    load_init(&ls);
    load_sample(&ls, 0, MS(0), day, T);
    load_sample(&ls, 500, MS(60), day, T);
    TAP_INT(ls.cmax, 500, "day 1 Cmax 500");
    /* the window ending after the reset time counts for the new day */
    TAP_INT(load_sample(&ls, 520, MS(120), day + 1, T), LOAD_COUNTED, "window into day 2 counted");
    TAP_INT(ls.prev, 500, "prev = yesterday's Cmax");
    TAP_INT(ls.cmax, 20, "Cmax restarted from the window of day 2");
    TAP_INT(ls.day_windows, 1, "day 2 has one window");

    /* wall clock set back to day 1: ignored, day 2 goes on */
    load_sample(&ls, 600, MS(180), day, T);
    TAP_INT(ls.day, day + 1, "a backwards wall clock does not reopen yesterday");
    TAP_INT(ls.cmax, 80, "and the window still counts for today");
    TAP_INT(ls.prev, 500, "prev kept");

    /* wall clock jumps forward by three days: previous day not observed */
    load_sample(&ls, 650, MS(240), day + 4, T);
    TAP_INT(ls.prev, 0, "prev = 0 when the previous day was not observed");
    TAP_INT(ls.cmax, 50, "Cmax of the new day");

    /* the day changes with no sample at all (device absent) */
    load_set_day(&ls, day + 5);
    TAP_INT(ls.prev, 50, "load_set_day alone rolls over");
    TAP_INT(ls.cmax, 0, "and restarts Cmax");
    TAP_INT(load_average(&ls), 0, "average 0 with no windows");

    /* a restart within the day: state restored, window restarted */
    struct load_state saved = ls;
    saved.cmax = 42;
    load_forget_window(&saved);
    TAP_INT(load_sample(&saved, 9999, MS(5), day + 5, T), LOAD_STARTED, "restart opens a new window");
    TAP_INT(saved.cmax, 42, "restart within the day keeps Cmax");
}

static void test_devdb(void)
{
    struct devdb db, db2;
    struct dev_rec *a, *b, *c;
    char err[256], dir[] = "/tmp/hrdevdbXXXXXX", path[256];

    devdb_init(&db);
    devdb_init(&db2);
    a = devdb_get(&db, "S3Z9NB0K123456");
    b = devdb_get(&db, "name:sdb");
    c = devdb_get(&db, "odd key with spaces % and \xc3\xa9");
    TAP_OK(a && b && c, "three records");
    if (!a || !b || !c)
        return;
    TAP_INT(a->index, 1, "first index 1");
    TAP_INT(c->index, 3, "third index 3");
    TAP_OK(devdb_get(&db, "name:sdb") == b, "same key, same record");
    a->load.day = 20000;
    a->load.cmax = 4000000000u;
    a->load.prev = 7;
    a->load.day_sum = 12345678901ULL;
    a->load.day_windows = 99;
    hr_strlcpy(b->regnum, "REG-0001 x", sizeof b->regnum);
    hr_strlcpy(c->regnum, "-", sizeof c->regnum);

    TAP_OK(mkdtemp(dir) != NULL, "temp dir");
    snprintf(path, sizeof path, "%s/state", dir);
    TAP_INT(devdb_save(&db, path), 0, "save");
    TAP_INT(devdb_load(&db2, path, err, sizeof err), 0, "load");
    TAP_INT(db2.n, 3, "three records back");
    TAP_INT(db2.next_index, 4, "next index back");
    struct dev_rec *a2 = devdb_find(&db2, "S3Z9NB0K123456");
    struct dev_rec *b2 = devdb_find(&db2, "name:sdb");
    struct dev_rec *c2 = devdb_find(&db2, "odd key with spaces % and \xc3\xa9");
    TAP_OK(a2 && b2 && c2, "keys round trip (spaces, %%, UTF-8)");
    if (a2 && b2 && c2) {
        TAP_INT(a2->index, 1, "index round trip");
        TAP_INT(a2->load.day, 20000, "day round trip");
        TAP_INT(a2->load.cmax, 4000000000u, "Cmax round trip");
        TAP_INT(a2->load.prev, 7, "prev round trip");
        TAP_OK(a2->load.day_sum == 12345678901ULL, "day sum round trip");
        TAP_INT(a2->load.day_windows, 99, "windows round trip");
        TAP_STR(b2->regnum, "REG-0001 x", "registration number round trip");
        TAP_STR(c2->regnum, "-", "registration number '-' is not 'empty'");
        TAP_STR(a2->regnum, "", "empty registration number");
        TAP_INT(c2->load.day, LOAD_NO_DAY, "no day round trip");
    }
    /* indexes are never reused: a new key after reload gets 4 */
    struct dev_rec *d = devdb_get(&db2, "NEW");
    TAP_INT(d ? d->index : 0, 4, "a new device after reload gets a new index");

    /* corrupt files */
    static const char *bad[] = {
        "garbage\n",
        "headroomd-state 2\nnext-index 1\n",
        "headroomd-state 1\nnext-index 3\ndev 1 - 0 0 0 0 - A\ndev 1 - 0 0 0 0 - B\n",
        "headroomd-state 1\nnext-index 3\ndev 5 - 0 0 0 0 - A\n",
        "headroomd-state 1\nnext-index 3\ndev 1 - x 0 0 0 - A\n",
        "headroomd-state 1\nnext-index 3\ndev 1 - 0 0 0 0 - %0A\n",
        "headroomd-state 1\n",
        "headroomd-state 1\nnext-index 3\ndev 1 - 0 0 0 0 - A\ndev 2 - 0 0 0 0 - A\n",
        "headroomd-state 1\nnext-index 3\ndev 1 - 0 0 0 0 -",
    };
    for (size_t i = 0; i < HR_ARRAY_LEN(bad); i++) {
        char b2err[128];
        TAP_INT(devdb_parse(&db2, bad[i], strlen(bad[i]), b2err, sizeof b2err), -1,
                "corrupt state %zu refused (%s)", i, b2err);
        TAP_INT(db2.n, 0, "and the db is empty");
    }
    TAP_INT(hr_write_file_atomic(path, "headroomd-state 1\nnext-index x\n", 31, 0644), 0,
            "write a corrupt state file");
    TAP_INT(devdb_load(&db2, path, err, sizeof err), 1, "corrupt file: load says so");
    TAP_OK(strstr(err, ":2: bad next-index") != NULL, "error names line 2 (%s)", err);
    TAP_OK(access(path, F_OK) != 0, "corrupt file moved aside");
    TAP_INT(devdb_load(&db2, path, err, sizeof err), 0, "then a missing file is an empty db");

    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    TAP_INT(system(cmd), 0, "cleanup");
    devdb_clear(&db);
    devdb_clear(&db2);
}

/* Mutated state files never crash the parser and never leave half a db. */
static void state_mutations(void)
{
    static const char base[] = "headroomd-state 1\nnext-index 4\n"
                               "dev 1 20000 5 6 7 8 REG%20X S3Z9\ndev 3 - 0 0 0 0 - name:sdb\n";
    static const char alphabet[] = " %-0123456789\n\0\xff" "AZ";
    char buf[sizeof base], err[128];
    struct devdb db;
    unsigned seed = 99, ok_n = 0, bad_n = 0;

    devdb_init(&db);
    for (int i = 0; i < 20000; i++) {
        size_t len = sizeof base - 1;
        memcpy(buf, base, len);
        seed = seed * 1103515245u + 12345u;
        buf[(seed >> 8) % len] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        if (i % 5 == 0)
            len = (seed >> 3) % len;
        if (devdb_parse(&db, buf, len, err, sizeof err) == 0) {
            ok_n++;
            for (size_t k = 0; k < db.n; k++)
                if (db.recs[k]->index == 0 || db.recs[k]->index >= db.next_index)
                    TAP_OK(0, "mutation %d: index %u outside 1..next-index", i, db.recs[k]->index);
        } else {
            bad_n++;
            if (db.n != 0)
                TAP_OK(0, "mutation %d refused but left %zu records", i, db.n);
        }
    }
    devdb_clear(&db);
    TAP_OK(ok_n > 0 && bad_n > 0, "20000 mutated state files: %u loaded, %u refused", ok_n, bad_n);
}

int main(void)
{
    state_mutations();
    test_daykey();
    test_windows();
    test_days();
    test_devdb();
    return TAP_DONE();
}
