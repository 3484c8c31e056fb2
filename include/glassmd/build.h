/* build.h - starting configurations: exact stoichiometry from a composition, random
 * placement with a per-pair minimum distance, reproducible from a seed. */
#ifndef GLASSMD_BUILD_H
#define GLASSMD_BUILD_H

#include "glassmd/error.h"
#include "glassmd/forcefield.h"
#include "glassmd/system.h"

/* Counts per species for x modifier + (1-x) former (formula units named in the force
 * field's [composition] section, e.g. Na2S and SiS2) with natoms atoms in total, following
 * SPEC section 3: M formula units of equal size, n_mod = round(M x), n_form = M - n_mod.
 * Fails (with the nearest valid N) when natoms is not a whole number of formula units. */
gmd_status gmd_composition_counts(const gmd_forcefield *ff, double x, long natoms,
                                  long counts[GMD_MAX_SPECIES], gmd_error *err);

/* Parses "Si=500,S=1500,Na=1000" into counts per species index. */
gmd_status gmd_counts_parse(const gmd_forcefield *ff, const char *text,
                            long counts[GMD_MAX_SPECIES], gmd_error *err);

typedef struct gmd_build_options {
    double density; /* atoms per A^3 */
    unsigned long seed;
    double min_distance_scale; /* fraction of the per-pair safe distance (default 1) */
} gmd_build_options;

/* Random placement in a cube of the given number density; neutral check included. */
gmd_status gmd_build_random(const gmd_forcefield *ff, const long counts[GMD_MAX_SPECIES],
                            const gmd_build_options *opt, gmd_box *box, gmd_atoms *atoms,
                            gmd_error *err);

#endif
