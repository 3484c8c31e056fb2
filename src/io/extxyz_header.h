/* extxyz_header.h - the comment line of extended XYZ (internal to src/io; implemented in
 * extxyz_header.c), shared by the configuration reader (extxyz.c) and the trajectory
 * reader (traj_read_xyz.c).
 *
 * The comment line holds key=value pairs; values may be "quoted"; keys are matched
 * ignoring case. Read here:
 *   Lattice="Lx 0 0 0 Ly 0 0 0 Lz"   required; orthorhombic only
 *   Origin="x0 y0 z0"                the lower box corner (default 0 0 0)
 *   Properties=name:type:count...    the per-atom columns (default species:S:1:pos:R:3)
 * The parsers know no file or line: on an error they put the message ("what is wrong;
 * how to fix it") into `why` and return the status, and the caller adds FILE:LINE. */
#ifndef GLASSMD_EXTXYZ_HEADER_H
#define GLASSMD_EXTXYZ_HEADER_H

#include <stddef.h>

#include "glassmd/error.h"
#include "glassmd/system.h"

/* Where the columns glassmd reads sit on an atom line. */
typedef struct gmd_xyz_columns {
    int ncols;               /* total columns per atom line (< GMD_IO_MAX_COLUMNS) */
    int species, pos, id, q; /* first column of each, -1 when absent; q is the column
                                charge, q or initial_charges */
} gmd_xyz_columns;

/* Copies the (possibly quoted) value of key= into value (cut to len); 0 when absent. */
int gmd_xyz_find_value(const char *line, const char *key, char *value, size_t len);
/* The box from Lattice= and Origin=. */
gmd_status gmd_xyz_parse_lattice(const char *line, gmd_box *box, char *why, size_t len);
/* The column map from Properties=; species and pos are required. */
gmd_status gmd_xyz_parse_properties(const char *line, gmd_xyz_columns *c, char *why, size_t len);

#endif
