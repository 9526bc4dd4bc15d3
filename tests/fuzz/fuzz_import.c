/* libFuzzer harness of the CSV importers, run as `headroom` runs them (the
 * command functions, the shared CSV reader, each importer's checks and one
 * transaction into a scratch SQLite database): fleet import, customers
 * import, history import, catalog import (products and firmware) and stock
 * import.
 *
 *   make fuzz-import
 *   build/fuzz/fuzz_import tests/fuzz/corpus/import -max_total_time=60
 *
 * The first input byte picks the importer, the rest is the CSV file.  The
 * corpus is replayed by build/tests/test_fuzz_import in `make check`
 * (tests/fuzz/replay.c).  A bad file must be refused with exit 3 (or
 * imported), never anything else. */
#include "cmd.h"
#include "log.h"
#include "settings.h"
#include "scratch.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], csv[96], db[96];
static struct hr_settings set;
static struct hr_ctx ctx;

static int setup(void)
{
    char *errs = NULL;

    if (dir[0])
        return 0;
    if (scratch_make(dir, "fuzz_import") < 0)
        return -1;
    snprintf(csv, sizeof(csv), "%s/in.csv", dir);
    snprintf(db, sizeof(db), "%s/hr.db", dir);
    log_init("fuzz_import", 0, LOG_CRIT);
    if (hr_settings_load(&set, "/nonexistent/headroom.conf", 0, &errs) < 0) {
        fputs(errs ? errs : "settings\n", stderr);
        free(errs);
        return -1;
    }
    ctx.set = &set;
    ctx.db_path = db;
    ctx.quiet = 1;
    return 0;
}

static int run(int (*fn)(struct hr_ctx *, int, char **), int argc, char **argv)
{
    optind = 0;
    return fn(&ctx, argc, argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f;
    int rc;

    if (size < 1 || setup() < 0)
        return 0;
    if (!(f = fopen(csv, "wb")))
        return 0;
    fwrite(data + 1, 1, size - 1, f);
    fclose(f);
    switch (data[0] % 6) {
    case 0: {
        char *a[] = { "fleet", "import", "--add-customers", csv, NULL };
        rc = run(hr_cmd_fleet, 4, a);
        break;
    }
    case 1: {
        char *a[] = { "customers", "import", csv, NULL };
        rc = run(hr_cmd_customers, 3, a);
        break;
    }
    case 2: {
        char *a[] = { "history", "import", csv, NULL };
        rc = run(hr_cmd_history, 3, a);
        break;
    }
    case 3: {
        char *a[] = { "catalog", "import", csv, NULL };
        rc = run(hr_cmd_catalog, 3, a);
        break;
    }
    case 4: {
        char *a[] = { "catalog", "import", "--firmware", csv, NULL };
        rc = run(hr_cmd_catalog, 4, a);
        break;
    }
    default: {
        char *a[] = { "stock", "import", csv, NULL };
        rc = run(hr_cmd_stock, 3, a);
        break;
    }
    }
    if (rc != HR_EXIT_OK && rc != HR_EXIT_DATA)
        __builtin_trap();       /* a file is imported or refused as data */
    return 0;
}
