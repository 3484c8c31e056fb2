/* study_internal.h - helpers shared by the files of src/study that run a study (plan.c,
 * jobs.c, md_runs.c, runner.c, mpi.c, summary.c); not a public contract. */
#ifndef GLASSMD_STUDY_INTERNAL_H
#define GLASSMD_STUDY_INTERNAL_H

#include <stdint.h>

#include "glassmd/thermo_stats.h"
#include "glassmd/files.h"
#include "glassmd/study_plan.h"

#include <stddef.h>

struct cJSON;

/* Parses a JSON file; NULL when missing or malformed. */
struct cJSON *gmd_study_read_json(const char *path);
/* Writes PATH.tmp then renames it over PATH. */
gmd_status gmd_study_write_json_atomic(const char *path, const struct cJSON *json, gmd_error *err);
/* DIR/NAME into out (cut to len: study paths are far shorter than GMD_PATH_LEN). */
void gmd_study_join(char *out, size_t len, const char *dir, const char *name);
/* text into out, cut to len */
void gmd_study_copy(char *out, size_t len, const char *text);
/* "1000" for 1000 K: how temperatures appear in file and folder names. */
void gmd_study_temp_label(double T, char *out, size_t len);

/* The run inputs an MD job executes, in order (src/study/md_runs.c): melt, quench and
 * glass one, an isotherm two (equil/, then the production); other jobs none. */
#define GMD_STUDY_MAX_RUNS 2
typedef struct gmd_study_md_runs {
    int n;
    gmd_run_input run[GMD_STUDY_MAX_RUNS];
} gmd_study_md_runs;

/* Fills out with job's run inputs (config, output_dir and every setting and stage), the
 * same for the job's run.in files (jobs.c) and its inputs hash (plan.c). */
gmd_status gmd_study_md_runs_make(const gmd_study *s, const gmd_study_job *job,
                                  gmd_study_md_runs *out, gmd_error *err);
/* MD time of a run in ps: its nvt, npt and nve stages' times plus its ramps' (span / rate). */
double gmd_study_run_time_ps(const gmd_run_input *run);

/* ---- constant pressure (npt.c) ---- */

#define GMD_STUDY_SETTLED_FILE "settled.data" /* in equil/: the production's start */
#define GMD_STUDY_DENSITY_FILE "density.json" /* in an isotherm's or the glass's folder */

/* The volume-settled check of an NPT equilibration's thermo.csv (npt.c says how). */
typedef struct gmd_study_settle {
    long nrows;            /* rows in the settled part (the last half by time) */
    double t0_ps, t1_ps;   /* its first and last times */
    double natoms;         /* density x volume of the last row */
    double volume_A3;      /* mean volume of the settled part */
    double volume_err_A3;  /* its block standard error; NAN with too few rows */
    double half_A3[2];     /* mean volumes of its two halves (NAN: too few rows) */
    double half_err_A3[2]; /* their block standard errors */
    double z, z_limit;     /* |difference| / combined error, and the limit */
    int settled;           /* 1: z <= z_limit */
} gmd_study_settle;

gmd_status gmd_study_settle_volume(const char *thermo, gmd_study_settle *out, gmd_error *err);
/* The check of job's NPT equilibration (folder equil): writes job/density.json and
 * equil/settled.data (equil/final.data at the settled volume). */
gmd_status gmd_study_settle_job(const gmd_study *s, const gmd_study_job *job, const char *equil,
                                gmd_error *err);
/* Mean mass of an atom of composition comp, g/mol. */
double gmd_study_mass_per_atom(const gmd_study *s, int comp);

/* The columns of a thermo.csv the density figures and the check use, col[0..3]: time_ps,
 * T_K, volume_A3, density_1_A3 (gmd_thermo_table_read with the study's cure); free with
 * gmd_thermo_table_free. */
gmd_status gmd_study_thermo_read(const char *path, gmd_thermo_table *t, gmd_error *err);

/* Reads job j's progress file (0..1), 0 when absent. */
double gmd_study_job_read_progress(const gmd_study_job *job);
/* Reads the error message of a failed job from its job.json (or a generic one). */
void gmd_study_job_read_error(const gmd_study_job *job, char *msg, size_t len);

/* The scheduler, shared by the local pool and MPI: a backend starts jobs in slots and
 * reports finished ones. */
typedef struct gmd_study_backend {
    int nslots;
    void *ctx;
    /* starts job j (its hash known) in a free slot */
    gmd_status (*start)(void *ctx, gmd_study_plan *plan, int j, int slot, gmd_error *err);
    /* waits at most timeout_s for a finished job: returns its slot (and *ok = 1 when it
     * succeeded, 0 when it failed, -1 when it was interrupted; *wall_s its wall time) or -1
     * when none finished */
    int (*wait)(void *ctx, double timeout_s, int *ok, double *wall_s);
    /* passes a stop (signal signo) to the running jobs; NULL: the backend cannot */
    void (*interrupt)(void *ctx, int signo);
} gmd_study_backend;

gmd_status gmd_study_schedule(gmd_study_plan *plan, const gmd_study_run_options *opt,
                              gmd_study_backend *backend, gmd_error *err);

/* Monotonic seconds (no OpenMP: the scheduler must not start an OpenMP runtime). */
double gmd_study_now(void);

#endif
