/* md_internal.h - pieces of the integrators shared between src/md files. */
#ifndef GLASSMD_MD_INTERNAL_H
#define GLASSMD_MD_INTERNAL_H

#include "glassmd/md.h"

/* Below this many atoms the O(N) update loops (kicks, drifts, velocity scaling) run on one
 * thread: they take a few microseconds, less than waking a team of threads (tens of
 * microseconds with OMP_WAIT_POLICY=passive), and multiple time stepping runs them many
 * times per step. */
#define GMD_MD_OMP_MIN_ATOMS 20000

/* Advances the chain by a half step dt/2 given 2 KE of the particles; returns the factor
 * by which the particle velocities must be scaled. */
double gmd_nhc_half_step(gmd_nhc *c, double t_target_K, long dof, double ke2, double dt);
/* Energy stored in the chain (see nosehoover.c). */
double gmd_nhc_energy(const gmd_nhc *c, double t_target_K, long dof);
/* Twice the kinetic energy sum m v^2 in eV. */
double gmd_kinetic2(const gmd_forcefield *ff, const gmd_atoms *atoms, int threads);

/* v += half_dt (f - f_minus) / m for every atom (f, f_minus: three arrays of n forces,
 * eV/A; f_minus NULL: v += half_dt f / m). */
void gmd_md_kick(const gmd_forcefield *ff, gmd_atoms *atoms, double *const f[3],
                 double *const f_minus[3], double half_dt, int threads);
/* r += dt v. */
void gmd_md_drift(gmd_atoms *atoms, double dt, int threads);
/* NVT only: a half step dt/2 of the chain and the matching scaling of the velocities. */
void gmd_md_thermostat_half(gmd_md_state *md, const gmd_forcefield *ff, gmd_atoms *atoms,
                            int threads);

#endif
