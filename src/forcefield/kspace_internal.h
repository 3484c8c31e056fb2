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

#endif
