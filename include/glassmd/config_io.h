/* config_io.h - reading and writing configurations: LAMMPS data files (atom_style charge,
 * orthorhombic box, any atom order, optional image flags) and extended XYZ.
 *
 * Type numbers in a LAMMPS data file are mapped to force-field species by, in order of
 * preference: an explicit list ("Si,S,Na": type 1 is Si, ...), the comments of the Masses
 * section ("1 28.0855 # Si"), or the masses themselves (nearest species mass within
 * 0.05 g/mol, unambiguous). Charges always come from the force field's species (a data
 * file whose charges differ by more than 1e-6 e is reported as an error). */
#ifndef GLASSMD_CONFIG_IO_H
#define GLASSMD_CONFIG_IO_H

#include "glassmd/error.h"
#include "glassmd/forcefield.h"
#include "glassmd/system.h"

typedef enum gmd_config_format {
    GMD_CONFIG_AUTO = 0,
    GMD_CONFIG_LAMMPS_DATA,
    GMD_CONFIG_EXTXYZ,
} gmd_config_format;

/* types_map: NULL or a comma-separated species list naming LAMMPS types 1, 2, ... */
gmd_status gmd_config_read(const char *path, gmd_config_format format, const gmd_forcefield *ff,
                           const char *types_map, gmd_box *box, gmd_atoms *atoms, gmd_error *err);
/* Writes atoms in id order; unwrapped positions are not written (image flags are). */
gmd_status gmd_config_write(const char *path, gmd_config_format format, const gmd_forcefield *ff,
                            const gmd_box *box, const gmd_atoms *atoms, const char *comment,
                            gmd_error *err);

gmd_status gmd_lammps_data_read(const char *path, const gmd_forcefield *ff, const char *types_map,
                                gmd_box *box, gmd_atoms *atoms, gmd_error *err);
gmd_status gmd_lammps_data_write(const char *path, const gmd_forcefield *ff, const gmd_box *box,
                                 const gmd_atoms *atoms, const char *comment, gmd_error *err);
gmd_status gmd_extxyz_read(const char *path, const gmd_forcefield *ff, gmd_box *box,
                           gmd_atoms *atoms, gmd_error *err);
gmd_status gmd_extxyz_write(const char *path, const gmd_forcefield *ff, const gmd_box *box,
                            const gmd_atoms *atoms, const char *comment, gmd_error *err);

#endif
