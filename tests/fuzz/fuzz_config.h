/* fuzz_config.h - the body the two configuration harnesses share: read the input as a
 * configuration of one format (gmd_config_read), species through the reference force
 * field. */
#ifndef GLASSMD_FUZZ_CONFIG_H
#define GLASSMD_FUZZ_CONFIG_H

#include "fuzz_util.h"

#include "glassmd/config_io.h"

static int fuzz_configuration(const uint8_t *data, size_t size, gmd_config_format format,
                              const char *name)
{
    const gmd_forcefield *ff = fuzz_forcefield();
    const char *path = fuzz_write_input(name, data, size);
    if (!path) return 0;
    gmd_box box;
    gmd_atoms atoms = {0};
    gmd_error err;
    fuzz_verdict(gmd_config_read(path, format, ff, NULL, &box, &atoms, &err), &err);
    gmd_atoms_free(&atoms);
    fuzz_remove_input(name);
    return 0;
}

#endif
