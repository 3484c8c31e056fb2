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

/* A box that changed during a run (a barostat) keeps g_ewald (the pair term's real space
 * uses it) and the k-space accuracy: the mesh points (PPPM) or k-vector index limit
 * (Ewald) of one direction, n_ref at creation for box length len_ref, stay n_ref at
 * length len while the direction's error estimate (kspace_choose.c) is within the
 * target (or within what it was at creation, if that was more), else become the smallest
 * larger value (for PPPM a product of 2, 3 and 5) that brings it back within. A function
 * of its arguments only, so that a run and its resumption choose alike. */
typedef struct gmd_kspace_keep {
    double g_ewald; /* 1/A */
    double target;  /* absolute RMS force error, eV/A: accuracy times GMD_COULOMB_EV_A */
    double natoms;
    double q2; /* k_e sum q^2, eV A */
} gmd_kspace_keep;

gmd_kspace_keep gmd_kspace_keep_of(const gmd_kspace_params *params, const gmd_atoms *atoms);
int gmd_pppm_mesh_keeping(const gmd_kspace_keep *keep, int order, double len_ref, int n_ref,
                          double len);
int gmd_ewald_kmax_keeping(const gmd_kspace_keep *keep, double len_ref, int kmax_ref, double len);
/* The error estimates of p (its mesh or kmax, order and cut-off) refreshed for box. */
void gmd_kspace_estimate(gmd_kspace_params *p, const gmd_kspace_keep *keep, const gmd_box *box);

#endif
