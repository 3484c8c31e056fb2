/* fuzz_study.c - libFuzzer harness of the study input reader (gmd_study_read); the
 * input folder has ../data/forcefields/na2s-sis2.ff, as examples/ do. */
#include "fuzz_util.h"

#include "glassmd/study.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_input("fuzz.ini", data, size);
    if (!path) return 0;
    static gmd_study study; /* large: kept off the stack */
    gmd_error err;
    fuzz_verdict(gmd_study_read(&study, path, &err), &err);
    fuzz_remove_input("fuzz.ini");
    return 0;
}
