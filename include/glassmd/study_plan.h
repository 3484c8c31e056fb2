/* study_plan.h - the plan of a study (docs/study.md): its jobs, their dependencies and
 * inputs hashes, and the runners that execute them (a local pool of forked workers, or MPI
 * ranks). The parsed study itself is in study.h.
 *
 * A job's inputs hash covers its own parameters (a canonical text: for an MD job, the
 * canonical text of the run inputs it writes as run.in, less their paths), the hashes of
 * the jobs it depends on and, for MD jobs, the bytes of the configuration they start from. A job
 * that finished (its folder's job.json says "done") with the same inputs hash is skipped.
 * Hashes of jobs that start from a file another job writes are known only once that job is
 * done; the scheduler computes them just before it starts or skips the job. */
#ifndef GLASSMD_STUDY_PLAN_H
#define GLASSMD_STUDY_PLAN_H

#include <signal.h>

#include "glassmd/study.h"

typedef enum gmd_job_kind {
    GMD_JOB_BUILD = 0, /* random start -> start.data */
    GMD_JOB_MELT,      /* minimise + nvt melt_time at melt_T */
    GMD_JOB_QUENCH,    /* ramp melt_T -> glass_T, writing T<K>.data at each isotherm */
    GMD_JOB_ISOTHERM,  /* equil/ (no trajectory) then production with traj.nc */
    GMD_JOB_GLASS,     /* nvt glass_time at glass_T with traj.nc */
    GMD_JOB_ANALYSIS,  /* gmd_analyze of an isotherm or glass trajectory */
    GMD_JOB_ARRHENIUS, /* fits over the isotherms of one composition */
    GMD_JOB_SUMMARY,   /* CSV tables across compositions */
    GMD_JOB_REPORT,    /* gmd_study_report */
} gmd_job_kind;

typedef enum gmd_job_state {
    GMD_JOB_WAITING = 0,
    GMD_JOB_RUNNING,
    GMD_JOB_DONE,    /* ran in this session */
    GMD_JOB_SKIPPED, /* finished earlier with the same inputs hash */
    GMD_JOB_FAILED,
    GMD_JOB_BLOCKED,     /* a job it depends on failed */
    GMD_JOB_INTERRUPTED, /* stopped on request (a signal), its checkpoint kept */
} gmd_job_state;

typedef struct gmd_study_job {
    char name[128];               /* path below the output folder, e.g. "x0.50/r1/iso-1000K" */
    char dir[GMD_PATH_LEN + 128]; /* absolute folder */
    gmd_job_kind kind;
    int comp, replica; /* -1 when not tied to one */
    double T_K;        /* isotherm / glass / analysed temperature, else 0 */
    int ndeps;
    int *deps;    /* indices of earlier jobs */
    char *params; /* canonical text of the job's own parameters (malloc'ed); of an MD job,
                     the canonical text of the run inputs it executes (run_input.h) */
    char input_file[GMD_PATH_LEN + 256]; /* configuration whose bytes enter the hash, or "" */
    unsigned long long hash;             /* valid when hash_known */
    int hash_known;
    double est_s; /* estimated wall time (dry run), < 0 unknown */
    gmd_job_state state;
    double wall_s;   /* measured (this session, or from job.json when skipped) */
    double progress; /* 0..1 while running */
} gmd_study_job;

typedef struct gmd_study_plan {
    const gmd_study *study;
    int njobs;
    gmd_study_job *jobs;
} gmd_study_plan;

/* Lays out the jobs of a study (does not touch the disk). */
gmd_status gmd_study_plan_make(gmd_study_plan *plan, const gmd_study *study, gmd_error *err);
void gmd_study_plan_free(gmd_study_plan *plan);

/* Computes job j's inputs hash if every dependency's hash and its input file are known;
 * returns 1 when known. */
int gmd_study_job_update_hash(gmd_study_plan *plan, int j);

/* 1 when job j's job.json says it finished with its current inputs hash (needs the hash);
 * *wall_s gets the recorded wall time. */
int gmd_study_job_is_current(const gmd_study_job *job, double *wall_s);

/* Reads the states already on disk (done jobs with matching hashes become SKIPPED), for a
 * dry run or before scheduling. */
void gmd_study_plan_refresh(gmd_study_plan *plan);

/* Times a few force evaluations of each composition at the study's settings with
 * threads_per_job threads and fills every job's est_s. Uses OpenMP in this process: call
 * it only in a process that will not fork workers afterwards (the dry run). */
gmd_status gmd_study_plan_estimate(gmd_study_plan *plan, gmd_error *err);

/* What an MD job runs, for the dry run: per run input (at most 2) its stages in words
 * ("equil/: npt 50 ps at 1000 K, 1 bar; the volume-settled check, ...") and its share of
 * the job's estimate (est_s by MD time; < 0 when the job has none). Returns the number
 * of runs (0 for a job that is not MD), or -1 (err set). */
typedef struct gmd_study_run_info {
    char what[512];
    double est_s;
} gmd_study_run_info;
int gmd_study_job_runs(const gmd_study_plan *plan, int j, gmd_study_run_info *out, int max,
                       gmd_error *err);

/* OUT/plan.json: every job's name, kind, dependencies, status, hash, wall time, estimate.
 * Written atomically (temporary file + rename) by the scheduler only. */
gmd_status gmd_study_plan_write_json(const gmd_study_plan *plan, gmd_error *err);

/* Runs job j in this process: writes job.json ("running", then "done", "failed" with the
 * error, or "interrupted"), resumes an MD job from its checkpoint when the folder holds one
 * of the same inputs hash. Sets exactly threads_per_job OpenMP threads. stop (NULL: none)
 * is passed to its runs (gmd_run_options.stop): they then stop with a checkpoint and the
 * job returns GMD_ERR_INTERRUPTED. */
gmd_status gmd_study_job_execute(const gmd_study_plan *plan, int j,
                                 const volatile sig_atomic_t *stop, gmd_error *err);

/* 1 (msg set, cut to len) when finished job j has a warning for the user: at constant
 * pressure, an isotherm or glass whose volume had not settled (its density.json). */
int gmd_study_job_warning(const gmd_study_job *job, char *msg, size_t len);

/* Scheduler events, for the front end's progress output. */
typedef enum gmd_study_event {
    GMD_STUDY_EV_STARTED = 0,
    GMD_STUDY_EV_DONE,    /* message: NULL, or a warning (a volume that had not settled) */
    GMD_STUDY_EV_SKIPPED, /* message: as for DONE */
    GMD_STUDY_EV_FAILED,
    GMD_STUDY_EV_TICK, /* about once a second: running jobs' progress updated */
} gmd_study_event;

typedef void (*gmd_study_event_fn)(const gmd_study_plan *plan, gmd_study_event ev, int job,
                                   const char *message, void *user);

typedef struct gmd_study_run_options {
    int jobs; /* concurrent jobs (local pool); <= 0: the study's, else cores/threads */
    /* Set (to the signal's number) by the caller's handler for SIGTERM or SIGINT: the local
     * pool starts no more jobs, passes the stop to its running jobs (which checkpoint and
     * stop), waits for them, marks them interrupted (not done) and returns
     * GMD_ERR_INTERRUPTED; the next run of the study resumes them. NULL: never. */
    const volatile sig_atomic_t *stop;
    gmd_study_event_fn event;
    void *event_user;
} gmd_study_run_options;

/* Runs every job not current, a pool of forked workers, dependencies first. Each worker
 * dies with the scheduler (PR_SET_PDEATHSIG). Fails (after running all it can) when a
 * job failed; the message names the first failed job and its error. */
gmd_status gmd_study_run_local(gmd_study_plan *plan, const gmd_study_run_options *opt,
                               gmd_error *err);

/* MPI (src/study/mpi.c): 1 when built with MPI and this process was started by mpirun
 * with more than one rank. */
int gmd_study_mpi_launched(void);
/* Rank 0 schedules, ranks >= 1 run jobs in-process; *is_root = 1 on rank 0. Initialises
 * and finalises MPI itself. */
gmd_status gmd_study_run_mpi(gmd_study_plan *plan, const gmd_study_run_options *opt, int *is_root,
                             gmd_error *err);

/* A Slurm submission script: one job array per dependency level, each level waiting for
 * the previous one (afterok); every array task runs `EXE study STUDY --job NAME`. */
gmd_status gmd_study_emit_slurm(const gmd_study_plan *plan, const char *path, const char *exe,
                                gmd_error *err);

/* Summaries across compositions (src/study/summary.c): OUT/summary/<T>.csv. */
gmd_status gmd_study_write_summary(const gmd_study_plan *plan, gmd_error *err);

const char *gmd_job_kind_name(gmd_job_kind kind);
const char *gmd_job_state_name(gmd_job_state state);

#endif
