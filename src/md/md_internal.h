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
/* v *= factor for every atom. */
void gmd_md_scale_velocities(gmd_atoms *atoms, double factor, int threads);

/* ---- the coupling to the heat bath and the barostat (barostat.c) ---- */
/* The half step dt/2 of the thermostat (NVT) or thermostat and barostat (NPT) before the
 * first kick of a step, and the one after the last kick; nothing for NVE. NPT reads the
 * virial of the current forces in sim->tally. */
void gmd_md_couple_first(gmd_sim *sim, int threads);
void gmd_md_couple_second(gmd_sim *sim, int threads);
/* NPT only: box and positions scaled by exp(dt/2 omega_dot) about the box centre. */
void gmd_md_remap_half(gmd_sim *sim, int threads);
/* The barostat's energy: its kinetic energy, P_ext V and its chain's energy, eV. */
double gmd_baro_energy(const gmd_md_state *md, size_t natoms, double volume);
/* The barostat at rest with its chain (length 3, damping pdamp) at zero. */
void gmd_baro_init(gmd_barostat *b, double p_target_bar, double pdamp_ps);
/* The scalar pressure (bar) of 2 KE (eV) and the virial in tally, in a box of volume V. */
double gmd_md_pressure_bar(double ke2, const gmd_tally *tally, double volume);

#endif
