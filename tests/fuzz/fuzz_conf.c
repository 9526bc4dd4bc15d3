/* libFuzzer harness of the configuration files: headroom.conf (the
 * settings, cli/settings.c, and `headroom config check`) and headroomd.conf
 * (subagent/config.c), both on the hr_conf parser.
 *
 *   make fuzz-conf
 *   build/fuzz/fuzz_conf tests/fuzz/corpus/conf -max_total_time=60
 *
 * The first input byte picks the file; the corpus is replayed by
 * build/tests/test_fuzz_conf in `make check` (tests/fuzz/replay.c). */
#include "settings.h"
#include "config.h"
#include "scratch.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], path[96];

static int write_input(const uint8_t *data, size_t size)
{
    int fd;

    if (!dir[0]) {
        if (scratch_make(dir, "fuzz_conf") < 0)
            return -1;
        snprintf(path, sizeof(path), "%s/headroom.conf", dir);
    }
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return -1;
    while (size > 0) {
        ssize_t w = write(fd, data, size);
        if (w <= 0)
            break;
        data += w;
        size -= (size_t)w;
    }
    close(fd);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *errs = NULL;

    if (size < 1 || write_input(data + 1, size - 1) < 0)
        return 0;
    if (data[0] % 2 == 0) {
        struct hr_settings s;
        char buf[256];
        size_t n;
        int rc;

        memset(&s, 0, sizeof(s));
        rc = hr_settings_load(&s, path, 1, &errs);
        if (rc < 0 && !errs)
            __builtin_trap();   /* a refusal says why */
        if (rc == 0) {
            hr_config_keys(&n);
            for (size_t i = 0; i < n; i++)
                (void)hr_settings_value(&s, i, buf, sizeof(buf));
        }
        hr_settings_free(&s);
        free(errs);
        errs = NULL;
        (void)hr_config_check(path, &errs);
    } else {
        struct hdrm_config c;

        memset(&c, 0, sizeof(c));
        if (hdrm_config_load(&c, path, &errs) < 0 && !errs)
            __builtin_trap();
        (void)hdrm_config_dev(&c, "S1", "registration-number");
        hdrm_config_free(&c);
    }
    free(errs);
    return 0;
}
