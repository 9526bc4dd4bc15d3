/* replay.c: the corpus replayer of a libFuzzer harness, for `make check`.
 *
 * Linked with one harness (tests/fuzz/fuzz_NAME.c, or another module's)
 * instead of libFuzzer: without arguments it feeds every file of the
 * harness's corpus (FUZZ_CORPUS, tests/fuzz/corpus/NAME) to
 * LLVMFuzzerTestOneInput and prints one TAP line per file; with arguments,
 * those files.  A crash or a sanitizer report ends the program (run.sh
 * counts it as a failure); an input that returns is "ok".  Inputs are
 * replayed in name order, so a run is the same every time.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_CORPUS
#error "FUZZ_CORPUS: the corpus directory"
#endif
#ifndef FUZZ_NAME
#define FUZZ_NAME "fuzz"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int replay(const char *path, const char *label)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0, n;

    if (!f) {
        printf("not ok - %s: cannot open %s\n", FUZZ_NAME, path);
        return -1;
    }
    for (;;) {
        if (len == cap) {
            unsigned char *nb = realloc(buf, cap ? cap * 2 : 4096);
            if (!nb) {
                free(buf);
                fclose(f);
                printf("not ok - %s: out of memory reading %s\n", FUZZ_NAME, path);
                return -1;
            }
            buf = nb;
            cap = cap ? cap * 2 : 4096;
        }
        n = fread(buf + len, 1, cap - len, f);
        if (n == 0)
            break;
        len += n;
    }
    fclose(f);
    fflush(stdout);
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    printf("ok - %s: %s\n", FUZZ_NAME, label);
    return 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    const char *dir = FUZZ_CORPUS;
    char **names = NULL, path[4096];
    size_t n = 0, cap = 0;
    struct dirent *e;
    DIR *d;
    int bad = 0;

    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            bad |= replay(argv[i], argv[i]) < 0;
        return bad;
    }
    if (!(d = opendir(dir))) {
        printf("not ok - %s: corpus %s missing\n", FUZZ_NAME, dir);
        return 1;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*nn));
            if (!nn)
                return 1;
            names = nn;
        }
        if (!(names[n++] = strdup(e->d_name)))
            return 1;
    }
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_name);
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        bad |= replay(path, names[i]) < 0;
        free(names[i]);
    }
    free(names);
    if (n == 0)
        printf("not ok - %s: corpus %s is empty\n", FUZZ_NAME, dir);
    return bad || n == 0;
}
