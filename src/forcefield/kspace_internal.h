/* kspace_internal.h - set-up shared by the k-space terms (ewald.c, pppm.c). */
#ifndef GLASSMD_KSPACE_INTERNAL_H
#define GLASSMD_KSPACE_INTERNAL_H

#include <stddef.h>

#include "glassmd/kspace.h"

/* The first half of every k-space create(): params copied with the method set and the
 * rest chosen for this box and these atoms (gmd_kspace_choose) into *chosen, then *term =
 * a new term of `kind` with a zeroed state of state_size bytes (NULL on failure). */
gmd_status gmd_kspace_term_new(gmd_term **term, const gmd_term *kind, size_t state_size,
                               gmd_kspace_method method, const gmd_kspace_params *params,
                               const gmd_box *box, const gmd_atoms *atoms,
                               gmd_kspace_params *chosen, gmd_error *err);

/* The last step of every k-space compute(): adds the reciprocal energy e_recip and virial
 * (eV) and the self energy -k g/sqrt(pi) sum q^2 plus the neutralising background
 * -pi k (sum q)^2 / (2 V g^2) (energy, and the same on the diagonal of the virial) of these
 * charges to the tally, the energies to the slots of `term` (GMD_KSPACE_PART_*). */
void gmd_kspace_tally(gmd_tally *tally, const gmd_term *term, const gmd_atoms *atoms,
                      double g_ewald, double volume, double e_recip, const double virial[6]);

#endif
