/* fuzz_traj_netcdf.c - libFuzzer harness of the trajectory reader, format NETCDF
 * (gmd_traj_reader_open / _next); see fuzz_traj.h. */
#include "fuzz_traj.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_trajectory(data, size, GMD_TRAJ_IN_NETCDF, "traj.nc");
}
