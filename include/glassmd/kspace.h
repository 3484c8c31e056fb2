/* kspace.h - long-range Coulomb: Ewald summation (exact reference) and PPPM (mesh, FFTW3).
 *
 * Both are set up from a relative RMS force accuracy as in LAMMPS kspace_style: accuracy
 * times the force between two unit charges 1 A apart (GMD_COULOMB_EV_A eV/A) is the
 * target absolute RMS force error. The splitting parameter g_ewald is chosen first (from
 * the accuracy, the real-space cut-off, N, sum q^2 and the box); the real-space pair term
 * must use the same g_ewald. Energies go to the term's two slots (GMD_KSPACE_PART_*); no
 * neighbour list; slow group. */
#ifndef GLASSMD_KSPACE_H
#define GLASSMD_KSPACE_H

#include "glassmd/forcefield.h"
#include "glassmd/system.h"
#include "glassmd/term.h"
#include "glassmd/term_registry.h"

/* Its energy parts, in slot order from the term's first_part. */
enum { GMD_KSPACE_PART_RECIP, GMD_KSPACE_PART_SELF, GMD_KSPACE_NPARTS };

typedef struct gmd_kspace_params {
    gmd_kspace_method method;
    double accuracy;               /* requested relative accuracy */
    double cutoff;                 /* real-space cut-off, A */
    double g_ewald;                /* splitting parameter, 1/A (0 = choose automatically) */
    int kmax[3];                   /* Ewald: k-vector index limits (0 = choose) */
    int mesh[3];                   /* PPPM: grid points per direction (0 = choose) */
    int order;                     /* PPPM: assignment order (0 = 7, or 5 on small meshes) */
    double mesh_margin;            /* PPPM: mesh sized for accuracy * margin (0 = default 0.7;
                                      1 reproduces LAMMPS's mesh choice) */
    double estimated_error;        /* absolute RMS force error estimate, eV/A (output) */
    double estimated_error_real;   /* its real-space part, eV/A (output) */
    double estimated_error_kspace; /* its reciprocal part, eV/A (output) */
    long nkvectors;                /* Ewald: k-vectors used, one of each +-k; PPPM: mesh
                                      points (output) */
} gmd_kspace_params;

/* Fills the unset fields (g_ewald, kmax or mesh) and the error estimates for this box and
 * these atoms. */
gmd_status gmd_kspace_choose(gmd_kspace_params *params, const gmd_box *box, const gmd_atoms *atoms,
                             gmd_error *err);

gmd_status gmd_ewald_create(gmd_term **out, const gmd_kspace_params *params, const gmd_box *box,
                            const gmd_atoms *atoms, gmd_error *err);
gmd_status gmd_pppm_create(gmd_term **out, const gmd_kspace_params *params, const gmd_box *box,
                           const gmd_atoms *atoms, gmd_error *err);

/* The kind (term_registry.h): wanted when the model chose a k-space method; Ewald or PPPM
 * as chosen. Rank -1: computed before the pair term (see term_registry.h). */
extern const gmd_term_kind gmd_kspace_kind;

#endif
