/* md.h - time integration: velocity Verlet (NVE), a Nose-Hoover chain thermostat (NVT, as
 * LAMMPS fix nvt: chain length 3, damping 0.1 ps, Trotter-split half steps around the
 * Verlet step), a linear ramp of the thermostat target, Maxwell-Boltzmann velocities and the
 * kinetic observables. Everything a run needs to continue bit for bit is in gmd_md_state,
 * so a checkpoint is this struct plus the atoms. The step functions take one gmd_sim: the
 * state of a whole simulation (system, model, integrator, timers). */
#ifndef GLASSMD_MD_H
#define GLASSMD_MD_H

#include <signal.h>
#include <stdint.h>

#include "glassmd/forcefield.h"
#include "glassmd/model.h"
#include "glassmd/rng.h"
#include "glassmd/system.h"
#include "glassmd/term.h"
#include "glassmd/timer.h"

#define GMD_NHC_MAX 8

typedef struct gmd_nhc {
    int length;                  /* chain length M (default 3) */
    double tdamp_ps;             /* damping time (default 0.1 ps) */
    double eta[GMD_NHC_MAX];     /* thermostat positions */
    double eta_dot[GMD_NHC_MAX]; /* thermostat velocities, 1/ps */
    double mass[GMD_NHC_MAX];    /* thermostat masses, eV ps^2 (set from T each step) */
} gmd_nhc;

typedef enum gmd_ensemble { GMD_ENSEMBLE_NVE = 0, GMD_ENSEMBLE_NVT = 1 } gmd_ensemble;

typedef struct gmd_md_state {
    long step;      /* steps done since the start of the run */
    double time_ps; /* simulated time since the start of the run */
    double dt_ps;   /* time step */
    gmd_ensemble ensemble;
    double t_target_K; /* thermostat target at the current step */
    gmd_nhc nhc;
    gmd_rng rng; /* for velocity draws */
    long dof;    /* degrees of freedom, 3N - 3 */
} gmd_md_state;

typedef struct gmd_thermo {
    double ke_eV, pe_eV, etot_eV, conserved_eV;
    double temperature_K;
    double pressure_bar; /* scalar pressure, kinetic + virial */
    double pressure_tensor_bar[6];
} gmd_thermo;

/* Initialises the state (chain length 3, damping 0.1 ps, dt) for n atoms. */
void gmd_md_init(gmd_md_state *md, size_t natoms, double dt_ps, uint64_t seed);

/* Multiple time stepping (reversible RESPA: Tuckerman, Berne and Martyna, J. Chem. Phys.
 * 97, 1990 (1992); LAMMPS run_style respa) of the model's FAST terms (the three-body
 * angle terms, model.h). One step of dt:
 *   [chain half step]  v += dt/2 F_slow/m
 *   substeps times:    v += h/2 F_fast/m;  r += h v;  F_fast = F_fast(r);  v += h/2 F_fast/m
 *   F_slow = F_slow(r);  v += dt/2 F_slow/m  [chain half step]        (h = dt / substeps)
 * The pair and k-space forces, the expensive ones, are computed once per step as in plain
 * velocity Verlet; the stiff switch of the three-body taper (up to tens of eV/A varying over
 * 0.1 A) is integrated with the short step h, which is what energy conservation needs at
 * dt = 1 fs (docs/dynamics.md). The state between steps is atoms->f, the total force, as
 * for plain Verlet: the fast forces are recomputed at the start of each step (the same
 * values as at the end of the last one, at the cost of one cheap extra evaluation) and
 * F_slow = F - F_fast, so checkpoints and resume need nothing more. */
typedef struct gmd_mts {
    int substeps;      /* inner steps per step for the fast terms (1: plain Verlet) */
    size_t n;          /* atoms the workspace holds */
    double *f_fast[3]; /* fast forces, eV/A (workspace) */
} gmd_mts;

#define GMD_MTS_MAX_SUBSTEPS 64

/* Workspace for n atoms; substeps must be 1 .. GMD_MTS_MAX_SUBSTEPS. */
gmd_status gmd_mts_init(gmd_mts *mts, int substeps, size_t natoms, gmd_error *err);
void gmd_mts_free(gmd_mts *mts);

/* Everything a step touches, in one place (as CoMD's SimFlat), so that the step functions
 * take one argument a reader can follow: the system, the model that computes its forces,
 * the integrator's state, the multiple-time-stepping workspace, the energies of the current
 * forces and the timers. The force field exists once per run: the model's copy, with the
 * cut-off actually used; ff points at it. The model's timing points at the struct's
 * timers, so a gmd_sim is set up in place (gmd_sim_create_model) and never copied. */
typedef struct gmd_sim {
    const gmd_forcefield *ff; /* the model's force field once it exists, else NULL */
    gmd_box box;
    gmd_atoms atoms;
    gmd_model *model; /* NULL until gmd_sim_create_model */
    gmd_md_state md;
    gmd_mts mts;     /* zeroed (no workspace): plain velocity Verlet */
    gmd_tally tally; /* energies and virial of the forces in atoms.f */
    gmd_timers timers;
} gmd_sim;

/* Builds sim->model from ff for sim->box and sim->atoms (already read), points sim->ff at
 * the model's force field and the model's timing at sim->timers. */
gmd_status gmd_sim_create_model(gmd_sim *sim, const gmd_forcefield *ff,
                                const gmd_model_options *options, gmd_error *err);
/* The forces (atoms.f) and tally of the current positions. */
gmd_status gmd_sim_compute(gmd_sim *sim, gmd_error *err);
/* The timing table of what the timers saw: each phase and each term that ran (terms under
 * their own names, e.g. "pppm"), then "other"; the total is the TOTAL timer's. */
void gmd_sim_timing(const gmd_sim *sim, gmd_timing_table *table);
/* Frees the model (when made), the workspace and the atoms. */
void gmd_sim_free(gmd_sim *sim);

/* Draws velocities from a Gaussian at T (seeded by sim->md.rng), removes the centre-of-mass
 * momentum and rescales to exactly T over 3N - 3 degrees of freedom. */
void gmd_md_velocities(gmd_sim *sim, double t_K);

/* One velocity-Verlet step (with the chain half steps when ensemble is NVT); on entry the
 * forces are those of the current positions, on return those of the new positions. */
gmd_status gmd_md_step(gmd_sim *sim, gmd_error *err);

/* One step as gmd_md_step, with the fast terms sub-stepped (gmd_mts above). With
 * sim->mts.substeps <= 1 or no fast term in the model, exactly gmd_md_step. */
gmd_status gmd_md_step_mts(gmd_sim *sim, gmd_error *err);

/* Kinetic energy, temperature, pressure and the conserved quantity. */
void gmd_md_thermo(const gmd_sim *sim, gmd_thermo *out);

/* FIRE minimisation (Bitzek et al., PRL 97, 170201 (2006)) with a cap on the distance any
 * atom moves in one step, so that raw random structures with overlapping atoms relax
 * safely. Stops when max |F| < ftol or after max_steps. Velocities are zeroed on return. */
typedef struct gmd_fire_options {
    double ftol_eV_A;  /* convergence: max force component norm (default 0.1) */
    double max_step_A; /* displacement cap per step (default 0.1) */
    long max_steps;    /* default 5000 */
    double dt_ps;      /* initial step (default 0.001) */
    /* when *stop becomes non-zero (a caller's signal handler), return GMD_ERR_INTERRUPTED
     * after the current step (NULL: never) */
    const volatile sig_atomic_t *stop;
} gmd_fire_options;

typedef struct gmd_fire_result {
    long steps;
    int converged;
    double pe_start_eV, pe_end_eV, fmax_eV_A;
} gmd_fire_result;

gmd_fire_options gmd_fire_default_options(void);
/* Minimises sim->atoms with sim->model; on return sim->tally holds the energies of the
 * final positions, whose forces are in atoms.f. */
gmd_status gmd_fire_minimize(gmd_sim *sim, const gmd_fire_options *opt, gmd_fire_result *result,
                             gmd_error *err);

#endif
