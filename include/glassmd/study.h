/* study.h - `glassmd study`: a whole study from a key = value file (docs/study.md): the
 * parsed study, its plan of jobs with dependencies, the runner (a local job pool or MPI
 * ranks), and the report. */
#ifndef GLASSMD_STUDY_H
#define GLASSMD_STUDY_H

#include <stdint.h>

#include "glassmd/error.h"
#include "glassmd/forcefield.h"
#include "glassmd/run_input.h"

#define GMD_STUDY_MAX_COMPOSITIONS 16
#define GMD_STUDY_MAX_ISOTHERMS 16

typedef struct gmd_study_composition {
    char label[32];               /* "x0.50" or "counts1" */
    double x;                     /* < 0 when given by counts */
    long counts[GMD_MAX_SPECIES]; /* atoms per species (derived for x) */
    double density;               /* atoms/A^3 */
} gmd_study_composition;

typedef struct gmd_study {
    char path[GMD_PATH_LEN]; /* the study file */
    char name[128];          /* file name without extension */
    char forcefield[GMD_PATH_LEN];
    char output_dir[GMD_PATH_LEN];
    char exp_sq[GMD_PATH_LEN]; /* empty: none */
    gmd_forcefield ff;
    int ncompositions;
    gmd_study_composition comp[GMD_STUDY_MAX_COMPOSITIONS];
    long natoms;
    int replicas;
    uint64_t seed;
    double melt_T_K, melt_time_ps, quench_rate_K_ps;
    int nisotherms;
    double isotherm_K[GMD_STUDY_MAX_ISOTHERMS]; /* descending */
    double isotherm_equil_ps, isotherm_time_ps;
    double glass_T_K, glass_time_ps;
    gmd_kspace_method kspace;
    int kspace_set;
    double accuracy, cutoff;
    int threebody, taper;
    int threebody_substeps; /* multiple time stepping of the term (0: auto, run-input.md) */
    int chain;              /* Nose-Hoover chain length of every MD job (0: auto, run-input.md) */
    double dt_fs;
    long traj_every;
    int threads_per_job;
    int jobs; /* concurrent jobs (0 = cores / threads_per_job) */
    double msd_fit_t0_ps, msd_fit_t1_ps;
    long checkpoint_every; /* MD steps between checkpoints (default 10000) */
    int traj_dump;         /* 1: trajectories as LAMMPS dump, 0: NetCDF (default) */
    int pressure_set;      /* 1: key pressure given: melt and quench at constant pressure,
                              each isotherm and the glass at its own settled density */
    double pressure_bar;   /* the barostat's target (bar), when pressure_set */
} gmd_study;

/* Reads and validates a study file; every error names the file, the line and the fix, and
 * nothing runs before the whole file is valid (neutral compositions, ordered temperatures,
 * existing files). */
gmd_status gmd_study_read(gmd_study *study, const char *path, gmd_error *err);

/* Every key a study file may hold, NULL-terminated (the reader's own list; the tests
 * enumerate it, so that a key added later is tested too). */
const char *const *gmd_study_keys(void);

/* The report: OUT/report/index.html (self-contained, figures embedded), every figure as
 * PNG and SVG and every table as CSV in OUT/report/, from the finished jobs' folders
 * (docs/study.md lays them out). wall_s: per-job wall times as recorded in plan.json. */
gmd_status gmd_study_report(const gmd_study *study, gmd_error *err);

#endif
