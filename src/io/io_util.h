/* io_util.h - helpers shared by the configuration readers and writers (internal to
 * src/io; implemented in config_io.c). Lines, numbers and columns are read with the
 * library's text helpers (glassmd/text.h). */
#ifndef GLASSMD_IO_UTIL_H
#define GLASSMD_IO_UTIL_H

#include <stddef.h>
#include <stdio.h>

#include "glassmd/error.h"
#include "glassmd/forcefield.h"
#include "glassmd/system.h"
#include "glassmd/text.h" /* lines, numbers and columns every io parser reads */

#define GMD_IO_MAX_COLUMNS 64
/* Atoms further than this many box lengths from the box (image flags included) are
 * refused as damaged input: the image counts are ints. */
#define GMD_IO_MAX_IMAGE 1000000

/* Indices 0..n-1 sorted by atom id (caller frees); NULL on allocation failure. */
size_t *gmd_io_order_by_id(const gmd_atoms *atoms, gmd_error *err);
/* Fills charges from the species, wraps positions into the box (refusing atoms more than
 * GMD_IO_MAX_IMAGE box lengths away), checks neutrality; `path` prefixes the messages. */
gmd_status gmd_io_finish_atoms(const char *path, const gmd_forcefield *ff, const gmd_box *box,
                               gmd_atoms *atoms, gmd_error *err);

#endif
