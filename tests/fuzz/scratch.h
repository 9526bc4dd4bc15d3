/* scratch.h: a fuzz target's scratch directory under /tmp, made once and
 * removed with everything in it when the process exits (the replay in
 * make check, or libFuzzer's own exit). */
#ifndef HR_FUZZ_SCRATCH_H
#define HR_FUZZ_SCRATCH_H

#include <stdio.h>
#include <stdlib.h>

#include "hr_util.h"

static char scratch_dir_[64];

static void scratch_cleanup_(void)
{
    hr_rmtree(scratch_dir_);
}

/* Make /tmp/NAME.XXXXXX into DIR (64 bytes); 0, or -1. */
static int scratch_make(char *dir, const char *name)
{
    snprintf(scratch_dir_, sizeof scratch_dir_, "/tmp/%s.XXXXXX", name);
    if (!mkdtemp(scratch_dir_))
        return -1;
    atexit(scratch_cleanup_);
    snprintf(dir, sizeof scratch_dir_, "%s", scratch_dir_);
    return 0;
}

#endif
