/* fuzz_run_input.c - libFuzzer harness of the run input reader (gmd_run_input_read). The
 * input folder holds an (empty) start-50.data, the configuration examples/quick-50.in
 * names, and ../data/forcefields/na2s-sis2.ff. */
#include "fuzz_util.h"

#include "glassmd/run_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int have_config;
    if (!have_config) have_config = fuzz_write_input("start-50.data", data, 0) != NULL;
    const char *path = fuzz_write_input("fuzz.in", data, size);
    if (!path) return 0;
    static gmd_run_input in; /* large: kept off the stack */
    gmd_error err;
    fuzz_verdict(gmd_run_input_read(&in, path, &err), &err);
    fuzz_remove_input("fuzz.in");
    return 0;
}
