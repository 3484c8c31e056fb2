/* run.h - a whole `glassmd run`: stages in order (minimise, NVE, NVT, ramps), thermo and
 * trajectory output, atomic checkpoints, exact resume, and the collapse guard.
 * The library reports progress through a callback and never prints. */
#ifndef GLASSMD_RUN_H
#define GLASSMD_RUN_H

#include <signal.h>

#include "glassmd/error.h"
#include "glassmd/run_input.h"

typedef struct gmd_run_progress {
    int stage_index, nstages;
    const char *stage_kind; /* "minimize", "nve", "nvt", "ramp" */
    long stage_step, stage_steps;
    long step;        /* MD steps done in the whole run */
    long total_steps; /* MD steps of the whole schedule */
    double time_ps;
    double temperature_K, pe_eV, conserved_eV;
    double ns_per_day; /* speed over the current stage */
    double eta_s;      /* estimated seconds left */
} gmd_run_progress;

typedef void (*gmd_run_progress_fn)(const gmd_run_progress *p, void *user);

typedef struct gmd_run_options {
    int resume;                   /* continue from output_dir/checkpoint.bin */
    gmd_run_progress_fn progress; /* called every progress_every steps (may be NULL) */
    void *progress_user;
    long progress_every;
    long stop_after_steps; /* testing aid: stop (as if killed) after so many steps; 0 = off */
    /* Set by the caller's signal handler (SIGTERM from a batch system, SIGINT from Ctrl-C):
     * when *stop becomes non-zero the run finishes its current MD step, writes a
     * checkpoint and returns GMD_ERR_INTERRUPTED; a minimisation in progress stops and is
     * redone on resume. NULL: never. The library installs no handler itself. */
    const volatile sig_atomic_t *stop;
} gmd_run_options;

/* The Nose-Hoover chain length of a run: in->chain, or for auto (0) 1 when a hard-cut
 * three-body term is active (threebody on with the force field's taper hard, or
 * threebody = hard), else 3. Why: the hard cut does not conserve energy, and a chain of 3
 * then settles about 5 % above its set point (2112 K at 2000 K), while a single
 * thermostat holds it on average (the mean of its friction's time derivative, which is
 * proportional to KE - KE0, must vanish); docs/run-input.md. */
int gmd_run_chain_length(const gmd_run_input *in, const gmd_forcefield *ff);

/* The run's identity in its checkpoints (a resume refuses a checkpoint with another):
 * the bytes of the force field and starting configuration and the canonical text of the
 * settings and stages that decide the trajectory (GMD_RUN_TEXT_CHECKPOINT, run_input.h),
 * with the chain length resolved against ff. */
gmd_status gmd_run_checkpoint_hash(const gmd_run_input *in, const gmd_forcefield *ff,
                                   unsigned long long *hash, gmd_error *err);

/* Output files in in->output_dir: thermo.csv, traj.nc and/or traj.dump, final.data,
 * checkpoint.bin, run.log. */
gmd_status gmd_run_execute(const gmd_run_input *in, const gmd_run_options *opt, gmd_error *err);

#endif
