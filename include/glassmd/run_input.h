/* run_input.h - the `glassmd run` input file: key = value lines (# comments), like a
 * GROMACS .mdp, with an ordered list of `stage = ...` lines. Format and every key:
 * docs/run-input.md. Paths are relative to the input file's folder. */
#ifndef GLASSMD_RUN_INPUT_H
#define GLASSMD_RUN_INPUT_H

#include <stdint.h>

#include "glassmd/error.h"
#include "glassmd/forcefield.h"

#define GMD_MAX_STAGES 64
#define GMD_PATH_LEN 1024

typedef enum gmd_stage_kind {
    GMD_STAGE_MINIMIZE = 0, /* FIRE to a force tolerance, capped step length */
    GMD_STAGE_NVE,
    GMD_STAGE_NVT,   /* constant target temperature */
    GMD_STAGE_RAMP,  /* NVT with a linear ramp of the target T */
    GMD_STAGE_WRITE, /* writes the current configuration (with velocities) */
} gmd_stage_kind;

typedef struct gmd_stage {
    gmd_stage_kind kind;
    int line;          /* line in the input file, for messages */
    long nsteps;       /* derived: time / dt, or |T1 - T0| / rate / dt, or max_steps */
    double time_ps;    /* nve / nvt / ramp (derived for ramp) */
    double t_start_K;  /* nvt: T; ramp: from */
    double t_end_K;    /* nvt: T; ramp: to */
    double rate_K_ps;  /* ramp */
    double ftol_eV_A;  /* minimize: stop when max |F| < ftol (default 0.1) */
    double max_step_A; /* minimize: cap on any atom's displacement per step (0.1) */
    char file[256];    /* write: LAMMPS data file name, written into output_dir */
} gmd_stage;

typedef struct gmd_run_input {
    char path[GMD_PATH_LEN];       /* the input file */
    char config[GMD_PATH_LEN];     /* starting configuration (resolved path) */
    char forcefield[GMD_PATH_LEN]; /* .ff file (resolved path) */
    char types[256];               /* LAMMPS type -> species list, may be empty */
    char output_dir[GMD_PATH_LEN]; /* where outputs go (default: input's folder/NAME.out) */
    gmd_kspace_method kspace;      /* meaningful only when kspace_set */
    int kspace_set;                /* 1: the input named kspace; 0: use the force field's */
    double accuracy;               /* <= 0: the force field's */
    double cutoff;                 /* <= 0: the force field's */
    int threebody;                 /* 1 (default) / 0 */
    int taper;                     /* -1 as in the file, or GMD_TAPER_* */
    int threebody_substeps;        /* multiple time stepping of the three-body term (md.h):
                                      inner steps per step; 0 = auto (an inner step of
                                      at most 0.125 fs with the smooth taper, 8 at
                                      dt = 1 fs; 1 with the hard cut) */
    double dt_fs;                  /* default 1.0 */
    uint64_t seed;                 /* required */
    double velocity_K;             /* initial velocities (<= 0: the first MD stage's T) */
    double tdamp_ps;               /* default 0.1 */
    int chain;                     /* Nose-Hoover chain length; 0 = auto (default): 1
                                      with a hard-cut three-body term, else 3
                                      (gmd_run_chain_length in run.h) */
    long thermo_every;             /* default 100 */
    long traj_every;               /* default 1000; 0 = no trajectory */
    int traj_netcdf, traj_dump;    /* formats (default netcdf on, dump on) */
    long checkpoint_every;         /* default 10000 */
    int threads;                   /* 0 = OMP default */
    int nstages;
    gmd_stage stages[GMD_MAX_STAGES];
} gmd_run_input;

/* Reads and validates an input; errors name the file, the line and the fix, and an
 * unknown key gets the closest known key suggested. */
gmd_status gmd_run_input_read(gmd_run_input *in, const char *path, gmd_error *err);

/* "minimize", "nve", "nvt" or "ramp". */
const char *gmd_stage_kind_name(gmd_stage_kind kind);

#endif
