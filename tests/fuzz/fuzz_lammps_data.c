/* fuzz_lammps_data.c - libFuzzer harness of the LAMMPS data reader (gmd_lammps_data_read
 * through gmd_config_read); see fuzz_config.h. */
#include "fuzz_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_configuration(data, size, GMD_CONFIG_LAMMPS_DATA, "fuzz.data");
}
