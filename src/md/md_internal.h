/* md_internal.h - pieces of the integrators shared between src/md files. */
#ifndef GLASSMD_MD_INTERNAL_H
#define GLASSMD_MD_INTERNAL_H

#include "glassmd/md.h"

/* Advances the chain by a half step dt/2 given 2 KE of the particles; returns the factor
 * by which the particle velocities must be scaled. */
double gmd_nhc_half_step(gmd_nhc *c, double t_target_K, long dof, double ke2, double dt);
/* Energy stored in the chain (see nosehoover.c). */
double gmd_nhc_energy(const gmd_nhc *c, double t_target_K, long dof);
/* Twice the kinetic energy sum m v^2 in eV. */
double gmd_kinetic2(const gmd_forcefield *ff, const gmd_atoms *atoms, int threads);

#endif
