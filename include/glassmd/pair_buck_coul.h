/* pair_buck_coul.h - the pairwise short-range term: Buckingham A exp(-r/rho) - C/r^6,
 * optional repulsive walls D/r^n, and the real-space part of the Ewald-split Coulomb
 * energy k_e q_i q_j erfc(g r)/r, all truncated at the force field's cut-off (as LAMMPS
 * pair_style buck/coul/long with pair_modify table 0), energy-shifted when ff->shift_energy.
 * One pass over the half neighbour list evaluates every part; energies are tallied into
 * the term's three slots (GMD_PAIR_PART_*). Needs a neighbour list reaching the cut-off;
 * slow group. */
#ifndef GLASSMD_PAIR_BUCK_COUL_H
#define GLASSMD_PAIR_BUCK_COUL_H

#include "glassmd/forcefield.h"
#include "glassmd/term.h"
#include "glassmd/term_registry.h"

/* Its energy parts, in slot order from the term's first_part. */
enum { GMD_PAIR_PART_BUCKINGHAM, GMD_PAIR_PART_WALL, GMD_PAIR_PART_COUL_REAL, GMD_PAIR_NPARTS };

/* The kind (term_registry.h): always wanted; Coulomb as the model's k-space choice. */
extern const gmd_term_kind gmd_pair_buck_coul_kind;

typedef struct gmd_pair_options {
    int coulomb;    /* 0: no Coulomb at all (pair_style buck); 1: erfc-screened real space */
    double g_ewald; /* Ewald splitting parameter, 1/A (used when coulomb = 1) */
    int portable;   /* 1: never the AVX-512 pair selection, even where the CPU has it (the
                       tests compare both paths); 0: the fastest the CPU runs */
} gmd_pair_options;

gmd_status gmd_pair_buck_coul_create(gmd_term **out, const gmd_forcefield *ff,
                                     const gmd_pair_options *opt, gmd_error *err);

/* One pair (LAMMPS single()): energy parts and the scalar force magnitude F/r (so that the
 * force on i is fpair * (r_i - r_j)). Returns the total pair energy in eV, including any
 * shift; parts may be NULL, else receives [buckingham, wall, coul_real]. */
double gmd_pair_buck_coul_single(const gmd_term *term, int type_i, int type_j, double qi, double qj,
                                 double r, double *fpair, double parts[3]);

#endif
