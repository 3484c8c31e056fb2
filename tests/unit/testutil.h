/* testutil.h - helpers shared by the unit tests. */
#ifndef GLASSMD_TESTUTIL_H
#define GLASSMD_TESTUTIL_H

#include <stddef.h>

#include "glassmd/forcefield.h"
#include "glassmd/system.h"

/* Path of a file in the source tree (GLASSMD_SOURCE_DIR); returns buf. */
const char *tu_source_path(const char *rel, char *buf, size_t len);

/* The reference Na2S-SiS2 force field (SPEC section 2), filled in by hand so that tests of
 * the terms do not depend on the file parser. Species order Si, S, Na. */
void tu_reference_ff(gmd_forcefield *ff);

/* A random configuration: counts[s] atoms of species s in a cube of the given number
 * density, no two atoms closer than min_dist (A). Charges from ff. Exits the test on
 * failure (tests may exit; the library may not). */
void tu_random_system(const gmd_forcefield *ff, const long *counts, double density, double min_dist,
                      unsigned long seed, gmd_box *box, gmd_atoms *atoms);

/* Relative difference |a - b| / max(|a|, |b|, floor). */
double tu_rel_diff(double a, double b, double floor);

#endif
