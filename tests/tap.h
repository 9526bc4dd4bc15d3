/* tap.h: minimal checks for headroom's C unit tests; see tests/run.sh. */
#ifndef HR_TAP_H
#define HR_TAP_H
#include <stdio.h>
#include <string.h>
#include <inttypes.h>

static int tap_failed;

#define TAP_OK(cond, ...) do {                                           \
        int tap_c_ = !!(cond);                                           \
        printf("%s - ", tap_c_ ? "ok" : "not ok");                       \
        printf(__VA_ARGS__);                                             \
        printf("\n");                                                    \
        if (!tap_c_) {                                                   \
            printf("#   %s:%d: %s\n", __FILE__, __LINE__, #cond);        \
            tap_failed++;                                                \
        }                                                                \
    } while (0)

#define TAP_INT(got, want, ...) do {                                     \
        long long tap_g_ = (long long)(got), tap_w_ = (long long)(want); \
        TAP_OK(tap_g_ == tap_w_, __VA_ARGS__);                           \
        if (tap_g_ != tap_w_)                                            \
            printf("#   got %lld, want %lld\n", tap_g_, tap_w_);         \
    } while (0)

#define TAP_STR(got, want, ...) do {                                     \
        const char *tap_g_ = (got), *tap_w_ = (want);                    \
        int tap_e_ = tap_g_ && tap_w_ && strcmp(tap_g_, tap_w_) == 0;    \
        TAP_OK(tap_e_, __VA_ARGS__);                                     \
        if (!tap_e_)                                                     \
            printf("#   got \"%s\", want \"%s\"\n",                      \
                   tap_g_ ? tap_g_ : "(null)", tap_w_ ? tap_w_ : "(null)"); \
    } while (0)

/* TAP_SKIP(...): a check that could not run here, and why; run.sh counts
 * it apart ("ok - why # SKIP"), neither passed nor failed. */
#define TAP_SKIP(...) do {                                               \
        printf("ok - ");                                                 \
        printf(__VA_ARGS__);                                             \
        printf(" # SKIP\n");                                             \
    } while (0)

#define TAP_DONE() (tap_failed ? 1 : 0)
#endif
