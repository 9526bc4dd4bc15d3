/* load.h: the write-load detector of seed 000, paragraphs 0026-0033.
 *
 * Every window of t seconds the caller passes the device's "writes
 * completed" counter; the difference from the previous sample is the
 * count C of the window.  Cmax keeps the largest C of the current day,
 * prev the Cmax of the day before, and the day's sum and number of counted
 * windows give the average.  Pure logic: no I/O, no clock reads; the
 * caller passes a monotonic time (CLOCK_BOOTTIME, ms) for window lengths
 * and a day key (load_daykey) derived from the wall clock, so a wall clock
 * that jumps changes at most which day a window counts for, never its
 * length.
 */
#ifndef HDRM_LOAD_H
#define HDRM_LOAD_H

#include <stdint.h>
#include <time.h>

#define LOAD_NO_DAY INT32_MIN

struct load_state {
    /* persisted */
    int32_t  day;           /* day key of the current day, LOAD_NO_DAY: none yet */
    uint32_t cmax;          /* largest window count of the day */
    uint32_t prev;          /* cmax of the previous day, 0 if not observed */
    uint64_t day_sum;       /* writes in the day's counted windows */
    uint32_t day_windows;   /* number of counted windows */
    /* not persisted: the open window */
    int      have_last;
    uint64_t last_count;
    int64_t  win_start_ms;
};

/* What load_sample did with the window that ended (for logs and tests). */
enum load_result {
    LOAD_STARTED,      /* first sample: a window starts */
    LOAD_COUNTED,      /* window closed and counted */
    LOAD_TOO_EARLY,    /* less than t/2 since the window started: ignored */
    LOAD_TOO_LONG,     /* window lasted more than 1.5 t: not counted, restarted */
    LOAD_WENT_BACK,    /* counter decreased (device reset): not counted, restarted */
};

void load_init(struct load_state *ls);

/* The day key of local time TM with the day starting RESET_MIN minutes
 * after midnight: days since 1970-01-01 of the calendar date, minus one
 * before the reset time.  Consecutive days have consecutive keys. */
int32_t load_daykey(const struct tm *tm, unsigned reset_min);

/* Move to day DAY if it is later than the current one: prev becomes the
 * old Cmax if DAY is exactly the next day, else 0; the day's figures
 * restart from 0.  An earlier DAY (wall clock set back) is ignored: the
 * current day goes on until the clock reaches a later day. */
void load_set_day(struct load_state *ls, int32_t day);

/* A sample of COUNTER at monotonic time NOW_MS, on day DAY, for windows
 * of WINDOW_S seconds.  The window that ends here is counted for DAY. */
enum load_result load_sample(struct load_state *ls, uint64_t counter, int64_t now_ms,
                             int32_t day, uint32_t window_s);

/* Forget the open window (device gone); the day's figures stay. */
void load_forget_window(struct load_state *ls);

/* Average writes per counted window of the day, rounded; 0 if none. */
uint32_t load_average(const struct load_state *ls);

#endif
