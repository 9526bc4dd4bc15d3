/* fuzz_profiles.c: libFuzzer harness for the profile parser.
 *
 *   make fuzz-profiles && build/fuzz/fuzz_profiles tests/profiles/corpus
 *
 * Each input is parsed as a profile file; what parses is walked field by
 * field (formatting every OID), so whatever the parser accepts is read the
 * way `headroom profiles show` reads it.  tests/profiles/test_profiles.c
 * replays the corpus through the same function in the normal and the ASan
 * build. */
#include "profile.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *errs = NULL, buf[HR_PROF_OID_MAX * 11 + 1];
    struct hr_profile *p = hr_profile_parse("fuzz", (const char *)data, size, &errs);

    free(errs);
    if (!p)
        return 0;
    for (size_t i = 0; i < p->ndetects; i++)
        for (size_t k = 0; k < p->detects[i].noids; k++)
            hr_prof_oid_format(&p->detects[i].oids[k], buf, sizeof buf);
    for (size_t i = 0; i < HR_PF_COUNT; i++)
        if (p->src[i].set && !p->src[i].constant)
            hr_prof_oid_format(&p->src[i].oid, buf, sizeof buf);
    for (size_t i = 0; i < p->ntables; i++) {
        hr_prof_oid_format(&p->tables[i].entry, buf, sizeof buf);
        for (size_t k = 0; k < p->tables[i].ntype_in; k++)
            hr_prof_oid_format(&p->tables[i].type_in[k], buf, sizeof buf);
    }
    hr_profile_free(p);
    return 0;
}
