/* fuzz_forcefield.c - libFuzzer harness of the force-field parser (gmd_forcefield_parse,
 * the text entry point gmd_forcefield_read reads files through). */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    gmd_forcefield ff;
    gmd_error err;
    fuzz_verdict(gmd_forcefield_parse(&ff, text, "fuzz.ff", &err), &err);
    free(text);
    return 0;
}
