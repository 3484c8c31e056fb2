/* run_input.h - the `glassmd run` input file: key = value lines (# comments), like a
 * GROMACS .mdp, with an ordered list of `stage = ...` lines. Format and every key:
 * docs/run-input.md. Paths are relative to the input file's folder.
 *
 * The run settings are one record (gmd_run_input) and one key table (src/io/run_input.c:
 * per key its name, default, example, role, parser and printer). Everything that lists
 * the settings walks that table: the reader, the canonical text (a study job's run.in),
 * the checkpoint's run hash and a study job's inputs hash. A key is added in the table
 * only, and the unit tests enumerate it from there (tests/unit/test_run_keys.c). */
#ifndef GLASSMD_RUN_INPUT_H
#define GLASSMD_RUN_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
    GMD_STAGE_NPT,   /* constant target temperature and pressure (MTK barostat, md.h) */
} gmd_stage_kind;

typedef struct gmd_stage {
    gmd_stage_kind kind;
    int line;          /* line in the input file, for messages */
    long nsteps;       /* derived: time / dt, or |T1 - T0| / rate / dt, or max_steps */
    double time_ps;    /* nve / nvt / ramp (derived for ramp) */
    double t_start_K;  /* nvt: T; ramp: from */
    double t_end_K;    /* nvt: T; ramp: to */
    double rate_K_ps;  /* ramp */
    int npt;           /* 1: at constant pressure p_bar (an npt stage, or a ramp given P) */
    double p_bar;      /* npt, ramp with P: the barostat's target pressure */
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
    double pdamp_ps;               /* barostat damping time, default 1 */
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

/* Every key at its default; the required ones (config, forcefield, seed, stages) empty or
 * zero, output_dir empty. For building a run input in code (glassmd study). */
gmd_status gmd_run_input_defaults(gmd_run_input *in, gmd_error *err);

/* "minimize", "nve", "nvt", "ramp", "write" or "npt". */
const char *gmd_stage_kind_name(gmd_stage_kind kind);
/* A stage line of that kind with every parameter, as in docs/run-input.md ("stage = nvt
 * time=100ps T=2000K"); canonical, i.e. the canonical text writes it back unchanged. */
const char *gmd_stage_example(gmd_stage_kind kind);

/* ---- the key table ------------------------------------------------------------------- */

/* What a key's value decides, hence which canonical texts (gmd_run_text) carry it. */
typedef enum gmd_run_key_role {
    GMD_RUN_KEY_TRAJECTORY = 0, /* the trajectory, bit for bit: in every text */
    GMD_RUN_KEY_RESOURCE,       /* the round-off only (threads): a resume may change it, a
                                   study job's output depends on it (run.in, job text) */
    GMD_RUN_KEY_FILE,           /* a file read whole (config, forcefield): its path is in
                                   run.in only; the hashes take the file's bytes instead,
                                   so that a moved or copied file changes nothing */
    GMD_RUN_KEY_PLACE,          /* where outputs go (output_dir): run.in only */
} gmd_run_key_role;

/* Whether a key must be given, and whether the canonical text writes it at its default.
 * Which optional keys are written at their default keeps the run.in files glassmd study
 * wrote before the table byte for byte. */
typedef enum gmd_run_key_presence {
    GMD_RUN_KEY_REQUIRED = 0, /* must be given; always written */
    GMD_RUN_KEY_WRITTEN,      /* optional; always written, its default too */
    GMD_RUN_KEY_OPTIONAL,     /* optional; written only when set to other than the default */
} gmd_run_key_presence;

typedef struct gmd_run_key {
    const char *name;
    const char *fallback; /* the default, as canonical text; NULL: none (required, not set,
                             or derived, as output_dir from the input's name) */
    const char *example;  /* a valid value other than the default (messages, tests) */
    gmd_run_key_role role;
    gmd_run_key_presence presence;
} gmd_run_key;

/* The key table, in the order of the canonical text (stage last): its length, and key
 * i (NULL when i is past the end). */
size_t gmd_run_key_count(void);
const gmd_run_key *gmd_run_key_at(size_t i);

/* The canonical texts of a run input: one `key = value` line per key in table order
 * (`stage` once per stage, in order), values as the parser reads them back (numbers in
 * the shortest form that reads back exactly, the documented units), so that a record
 * read from a text writes that text again, and two inputs that read the same write the
 * same text. Which keys, by role: */
typedef enum gmd_run_text {
    GMD_RUN_TEXT_INPUT = 0,  /* every key: a complete run input (a study job's run.in) */
    GMD_RUN_TEXT_CHECKPOINT, /* TRAJECTORY keys: what a resume needs unchanged (with the
                                bytes of the FILE keys' files, gmd_run_input_hash) */
    GMD_RUN_TEXT_JOB,        /* TRAJECTORY and RESOURCE keys: what decides a study MD job's
                                output bit for bit, less its files (the study hashes the
                                start configuration's and the force field's bytes) */
} gmd_run_text;

/* Writes the canonical text `which` of in to f; name (the file) is for the message when
 * writing fails. */
gmd_status gmd_run_input_write(const gmd_run_input *in, gmd_run_text which, FILE *f,
                               const char *name, gmd_error *err);
/* The same text as a NUL-terminated string (malloc'ed: free it), or NULL (err set). */
char *gmd_run_input_text(const gmd_run_input *in, gmd_run_text which, gmd_error *err);
/* FNV-1a 64 of the bytes of every FILE key's file (table order), then of the text
 * `which`: the identity of a run (the checkpoint's run hash, run.h). */
gmd_status gmd_run_input_hash(const gmd_run_input *in, gmd_run_text which, unsigned long long *hash,
                              gmd_error *err);

#endif
