/* load.c: the write-load detector (seed 000, 0026-0033); see load.h. */
#include "load.h"

#include <string.h>

void load_init(struct load_state *ls)
{
    memset(ls, 0, sizeof *ls);
    ls->day = LOAD_NO_DAY;
}

/* Days since 1970-01-01 of the proleptic Gregorian date Y-M-D (Howard
 * Hinnant's days_from_civil); no time zone or DST involved. */
static int32_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

int32_t load_daykey(const struct tm *tm, unsigned reset_min)
{
    int32_t key = days_from_civil(tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday);
    unsigned now_min = (unsigned)(tm->tm_hour * 60 + tm->tm_min);

    /* before the reset time we are still in the day that began yesterday */
    if (now_min < reset_min)
        key--;
    return key;
}

void load_set_day(struct load_state *ls, int32_t day)
{
    if (ls->day != LOAD_NO_DAY && day <= ls->day)
        return;
    /* Cmax of a day we did not see to its end still is that day's Cmax;
     * but it only becomes "the previous day" for the very next day. */
    ls->prev = (ls->day != LOAD_NO_DAY && day == ls->day + 1) ? ls->cmax : 0;
    ls->day = day;
    ls->cmax = 0;
    ls->day_sum = 0;
    ls->day_windows = 0;
}

static void restart(struct load_state *ls, uint64_t counter, int64_t now_ms)
{
    ls->have_last = 1;
    ls->last_count = counter;
    ls->win_start_ms = now_ms;
}

enum load_result load_sample(struct load_state *ls, uint64_t counter, int64_t now_ms,
                             int32_t day, uint32_t window_s)
{
    int64_t t_ms = (int64_t)window_s * 1000, elapsed;
    uint64_t c;

    load_set_day(ls, day);
    if (!ls->have_last) {                 /* steps a1-a4: start timer and counter */
        restart(ls, counter, now_ms);
        return LOAD_STARTED;
    }
    elapsed = now_ms - ls->win_start_ms;
    if (counter < ls->last_count) {
        /* the kernel's counter only goes back when the device was reset or
         * re-attached: the window's count is unknown */
        restart(ls, counter, now_ms);
        return LOAD_WENT_BACK;
    }
    if (elapsed < t_ms / 2)
        return LOAD_TOO_EARLY;
    if (elapsed > t_ms + t_ms / 2) {
        /* host suspended or agent stalled: the writes spread over a longer
         * time would overstate nothing but also mean nothing per window */
        restart(ls, counter, now_ms);
        return LOAD_TOO_LONG;
    }
    c = counter - ls->last_count;
    if (c > UINT32_MAX)
        c = UINT32_MAX;                   /* Gauge32 latches */
    if (c > ls->cmax)                     /* steps a8-a9 */
        ls->cmax = (uint32_t)c;
    ls->day_sum += c;
    ls->day_windows++;
    restart(ls, counter, now_ms);
    return LOAD_COUNTED;
}

void load_forget_window(struct load_state *ls)
{
    ls->have_last = 0;
}

uint32_t load_average(const struct load_state *ls)
{
    if (ls->day_windows == 0)
        return 0;
    uint64_t avg = (ls->day_sum + ls->day_windows / 2) / ls->day_windows;
    return avg > UINT32_MAX ? UINT32_MAX : (uint32_t)avg;
}
