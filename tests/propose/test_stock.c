/* test_stock.c: the stock answer of seed 000 (in stock vs lead time,
 * best-first order, dates across month and year ends) and the stock table
 * lookup on a real database. */
#include "../tap.h"
#include "../../propose/stock.h"
#include "../../db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int64_t day(const char *s)
{
    int64_t d = 0;
    if (hr_day_parse(s, &d) < 0)
        printf("# bad date %s\n", s);
    return d;
}

static const char *fmt(int64_t d)
{
    static char buf[4][16];
    static int k;
    k = (k + 1) % 4;
    hr_day_format(d, buf[k], sizeof buf[k]);
    return buf[k];
}

static void test_dates(void)
{
    int64_t d;

    TAP_STR(fmt(day("2026-11-22")), "2026-11-22", "date round trip");
    TAP_STR(fmt(day("2026-01-31") + 1), "2026-02-01", "January end");
    TAP_STR(fmt(day("2028-02-28") + 1), "2028-02-29", "leap day");
    TAP_STR(fmt(day("2027-02-28") + 1), "2027-03-01", "no leap day in 2027");
    TAP_STR(fmt(day("2026-12-30") + 5), "2027-01-04", "year end");
    TAP_INT(hr_day_parse("2026-02-31", &d), -1, "2026-02-31 is not a date");
    TAP_INT(hr_day_parse("2026-13-01", &d), -1, "month 13 is not a date");
    TAP_INT(hr_day_parse("2026-1-1", &d), -1, "short form refused");
    TAP_INT(hr_day_parse("", &d), -1, "empty refused");
    TAP_INT(hr_day_of(-1), -1, "one second before the epoch is day -1");
    TAP_INT(hr_day_of(86399), 0, "last second of day 0");
}

static void test_answer(void)
{
    struct hr_stock_row rows[] = {
        { "EXP-1", "S1", "Tokyo", 0, 14, 1 },
        { "EXP-1", "S2", "Osaka", 3, 10, 2 },
        { "EXP-1", "S3", "Nagoya", 5, 7, 2 },
        { "EXP-1", "S4", "Sendai", 1, 5, 0 },
    };
    struct hr_stock_answer a[4];
    int64_t at = day("2026-11-29");
    size_t n;

    n = hr_stock_answer(rows, 4, 1, at, a);
    TAP_INT(n, 3, "qty 1: three stores hold it");
    TAP_STR(a[0].row->store_id, "S4", "best: Sendai, no transit");
    TAP_STR(fmt(a[0].delivery_day), "2026-11-29", "same day");
    TAP_STR(a[1].row->store_id, "S3", "tie on date: larger quantity first");
    TAP_STR(a[2].row->store_id, "S2", "then Osaka");
    TAP_STR(fmt(a[2].delivery_day), "2026-12-01", "transit across the month end");
    TAP_OK(a[0].in_stock && a[1].in_stock && a[2].in_stock, "all from the shelf");

    n = hr_stock_answer(rows, 4, 4, at, a);
    TAP_INT(n, 1, "qty 4: only Nagoya");
    TAP_STR(a[0].row->store_id, "S3", "Nagoya");

    n = hr_stock_answer(rows, 4, 6, at, a);
    TAP_INT(n, 4, "qty 6: nobody holds it, every store can order");
    TAP_OK(!a[0].in_stock, "to order");
    TAP_STR(a[0].row->store_id, "S4", "shortest lead time first");
    TAP_STR(fmt(a[0].delivery_day), "2026-12-04", "lead time 5 days");
    TAP_STR(a[3].row->store_id, "S1", "longest lead time last");
    TAP_STR(fmt(a[3].delivery_day), "2026-12-13", "lead time 14 days");

    n = hr_stock_answer(rows, 0, 1, at, a);
    TAP_INT(n, 0, "no store lists the part");
    n = hr_stock_answer(rows, 4, 0, day("2026-12-31"), a);
    TAP_STR(fmt(a[2].delivery_day), "2027-01-02", "qty 0 counts as 1; year end");
}

static void test_db(void)
{
    char path[] = "/tmp/test_stock.XXXXXX", dbp[64], err[256];
    struct hr_stock_result r;
    struct hr_db *db;
    int n;

    if (!mkdtemp(path)) {
        TAP_OK(0, "mkdtemp");
        return;
    }
    snprintf(dbp, sizeof dbp, "%s/hr.db", path);
    TAP_INT(hr_db_open(dbp, HR_DB_CREATE, &db, err, sizeof err), 0, "database created");
    TAP_INT(hr_db_exec(db, "INSERT INTO stock VALUES ('P1', 'A', 'Alpha', 2, 9, 3),"
                       " ('P1', 'B', 'Beta', 0, 4, 1), ('P2', 'A', 'Alpha', 1, 1, 1)",
                       err, sizeof err), 0, "stock rows");
    n = hr_stock_lookup(db, "P1", 1, day("2026-02-27"), &r, err, sizeof err);
    TAP_INT(n, 1, "P1: one store holds it");
    TAP_STR(n == 1 ? r.ans[0].row->store_name : NULL, "Alpha", "Alpha");
    TAP_STR(n == 1 ? fmt(r.ans[0].delivery_day) : NULL, "2026-03-02", "Feb end + 3 days");
    hr_stock_result_free(&r);
    n = hr_stock_lookup(db, "P1", 3, day("2026-02-27"), &r, err, sizeof err);
    TAP_INT(n, 2, "P1 x3: both can order");
    TAP_STR(n == 2 ? r.ans[0].row->store_id : NULL, "B", "Beta's lead time is shorter");
    hr_stock_result_free(&r);
    TAP_INT(hr_stock_lookup(db, "NOPE", 1, 0, &r, err, sizeof err), 0, "unknown part: 0");
    hr_stock_result_free(&r);
    hr_db_close(db);
    unlink(dbp);
    char side[80];
    snprintf(side, sizeof side, "%s-wal", dbp);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", dbp);
    unlink(side);
    rmdir(path);
}

int main(void)
{
    test_dates();
    test_answer();
    test_db();
    return TAP_DONE();
}
