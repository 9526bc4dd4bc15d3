/* libFuzzer harness of the packed raw polls' block format (db/polls.c):
 * blocks are read back from the database file, which may be damaged.
 *
 *   make fuzz; build-fuzz/fuzz/fuzz_polls tests/fuzz/corpus/polls -max_total_time=60
 *
 * First byte 0: the rest is a block: decoding it must not read out of
 * bounds, and a block that decodes holds 1..3600 polls of the hour in
 * time order and encodes back to a block that decodes to the same polls.
 * First byte 1: the rest drives the polls of an hour (times, NULLs,
 * values): they must encode and decode to themselves.  The corpus is
 * replayed by build/tests/test_fuzz_polls in `make check`. */
#include "polls.h"
#include "samples.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HOUR 1800000000
#define HOUR0 (HOUR - HOUR % HR_POLLS_SPAN)

static int same(const struct hr_db_sample *a, const struct hr_db_sample *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned k = a[i].known;
        if (a[i].time != b[i].time || k != b[i].known || a[i].status != b[i].status)
            return 0;
#define F(bit, m) if ((k & (bit)) && a[i].m != b[i].m) return 0
        F(HR_DB_S_CAPACITY, capacity); F(HR_DB_S_USED, used); F(HR_DB_S_USED_PCT, used_percent);
        F(HR_DB_S_WRITES, writes); F(HR_DB_S_DELTA, writes_delta); F(HR_DB_S_PEAK, peak);
        F(HR_DB_S_PEAK_PREV, peak_prev); F(HR_DB_S_RATE_AVG, rate_avg);
        F(HR_DB_S_WINDOW, window); F(HR_DB_S_UPTIME, sysuptime);
#undef F
    }
    return 1;
}

static uint64_t take(const uint8_t **p, const uint8_t *end, int bytes)
{
    uint64_t v = 0;

    for (int i = 0; i < bytes && *p < end; i++)
        v = v << 8 | *(*p)++;
    return v;
}

/* Polls from the bytes: per poll a time step, a known mask, then values
 * of 1, 2 or 8 bytes (the step's low bits pick the width). */
static size_t synth(const uint8_t *p, const uint8_t *end, struct hr_db_sample *v, size_t cap)
{
    int64_t t = HOUR0;
    size_t n = 0;

    while (p < end && n < cap) {
        struct hr_db_sample *s = &v[n];
        unsigned step = (unsigned)take(&p, end, 1);
        int w = (step & 3) == 0 ? 1 : (step & 3) == 1 ? 2 : 8;
        t += n ? 1 + (step >> 2) : (step >> 2);
        if (t >= HOUR0 + HR_POLLS_SPAN)
            break;
        memset(s, 0, sizeof *s);
        s->time = t;
        s->known = (unsigned)take(&p, end, 2) & 0x3ff;
        s->capacity = take(&p, end, w);
        s->used = take(&p, end, w);
        s->used_percent = (int)(int8_t)take(&p, end, 1);
        s->writes = take(&p, end, w);
        s->writes_delta = take(&p, end, w);
        s->peak = (int64_t)take(&p, end, w);
        s->peak_prev = (int64_t)take(&p, end, w);
        s->rate_avg = (int64_t)take(&p, end, w);
        s->window = (int64_t)take(&p, end, 1);
        s->sysuptime = (int64_t)take(&p, end, w);
        s->status = (unsigned)take(&p, end, 1);
        n++;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hr_db_sample *v = NULL, *w = NULL, mine[64];
    unsigned char *blk = NULL;
    size_t n = 0, m = 0, len;
    const char *why;

    if (size < 1)
        return 0;
    if (data[0] == 0) {
        if (hr_db_polls_decode(data + 1, size - 1, HOUR0, &v, &n, &why) < 0)
            return 0;
        if (n == 0 || n > HR_POLLS_SPAN)
            abort();
        for (size_t i = 0; i < n; i++)
            if (v[i].time < HOUR0 || v[i].time >= HOUR0 + HR_POLLS_SPAN ||
                (i && v[i].time <= v[i - 1].time))
                abort();
    } else {
        n = synth(data + 1, data + size, mine, sizeof mine / sizeof mine[0]);
        if (n == 0)
            return 0;
        if (!(v = malloc(n * sizeof *v)))
            return 0;
        memcpy(v, mine, n * sizeof *v);
    }
    if (hr_db_polls_encode(v, n, HOUR0, &blk, &len) < 0)
        abort();
    if (hr_db_polls_decode(blk, len, HOUR0, &w, &m, &why) < 0 || m != n || !same(v, w, n))
        abort();
    free(blk);
    free(v);
    free(w);
    return 0;
}
