/* fuzz_extxyz.c - libFuzzer harness of the extended XYZ configuration reader
 * (gmd_extxyz_read through gmd_config_read); see fuzz_config.h. */
#include "fuzz_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_configuration(data, size, GMD_CONFIG_EXTXYZ, "fuzz.xyz");
}
