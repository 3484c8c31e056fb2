/* fuzz_exp_sq.c - libFuzzer harness of the experimental S(k) reader (gmd_read_xy, the
 * two-column file of `glassmd analyze --exp-sq` and the study key exp_sq). */
#include <stdlib.h>

#include "fuzz_util.h"
#include "structure_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_input("fuzz-sq.txt", data, size);
    if (!path) return 0;
    double *k = NULL, *s = NULL;
    size_t n = 0;
    gmd_error err;
    fuzz_verdict(gmd_read_xy(path, &k, &s, &n, &err), &err);
    free(k);
    free(s);
    fuzz_remove_input("fuzz-sq.txt");
    return 0;
}
