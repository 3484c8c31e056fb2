/* jobs.c - what each job of a study does, run in-process by a worker (a forked child of
 * the local pool, or an MPI rank).
 *
 * MD jobs write their run inputs (md_runs.c) as run.in files into their folders and hand
 * them to gmd_run_execute, so every MD job can be repeated with `glassmd run run.in`.
 * The isotherm job runs two such inputs: equil/ (NVT isotherm_equil, no trajectory) and
 * then the production in the job folder itself from equil/final.data, so the trajectory
 * holds production frames only. At constant pressure equil/ is NPT, and between the two
 * runs npt.c checks that its volume settled, writes density.json and scales equil/'s end
 * to the settled volume (equil/settled.data, the production's start). Analysis jobs run
 * gmd_analyze in-process with the options of the command line they record in results.json
 * (`glassmd analyze TRAJ --ff ...`, which repeats the job by hand); analyze.log gets the
 * lines that command would print.
 *
 * job.json is written by the worker only (one writer per file): "running" with the inputs
 * hash when it starts, "done" or "failed" (with the error) at the end. A job found
 * "running" or "failed" with the same inputs hash resumes from its checkpoints; with
 * another hash its checkpoints are removed and it starts over. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "glassmd/analyze.h"
#include "glassmd/arrhenius.h"
#include "glassmd/build.h"
#include "glassmd/config_io.h"
#include "glassmd/run.h"
#include "study_internal.h"

typedef struct job_ctx {
    const gmd_study_plan *plan;
    const gmd_study_job *job;
    int resumable;
    const volatile sig_atomic_t *stop;     /* passed to the runs (gmd_run_options.stop) */
    double progress_base, progress_weight; /* share of the job of the current sub-run */
    char path[GMD_PATH_LEN + 64];
} job_ctx;

static const char *in_dir(job_ctx *c, const char *dir, const char *name)
{
    gmd_study_join(c->path, sizeof c->path, dir, name);
    return c->path;
}

/* ---- progress and job.json ----------------------------------------------------------- */

static void write_progress(const gmd_study_job *job, double fraction)
{
    char path[GMD_PATH_LEN + 16], text[32];
    gmd_study_join(path, sizeof path, job->dir, "progress");
    int n = snprintf(text, sizeof text, "%8.6f\n", fraction);
    int fd = open(path, O_WRONLY | O_CREAT, 0666);
    if (fd < 0) return;
    if (pwrite(fd, text, (size_t)n, 0) < 0) { /* progress is best effort */
    }
    close(fd);
}

double gmd_study_job_read_progress(const gmd_study_job *job)
{
    char path[GMD_PATH_LEN + 16];
    gmd_study_join(path, sizeof path, job->dir, "progress");
    FILE *f = fopen(path, "r");
    double x = 0.0;
    if (f) {
        if (fscanf(f, "%lf", &x) != 1) x = 0.0;
        fclose(f);
    }
    return x;
}

static void on_run_progress(const gmd_run_progress *p, void *user)
{
    job_ctx *c = user;
    double f = p->total_steps > 0 ? (double)p->step / (double)p->total_steps : 0.0;
    write_progress(c->job, c->progress_base + c->progress_weight * f);
}

static gmd_status write_job_json(const job_ctx *c, const char *status, double wall_s,
                                 const char *error, gmd_error *err)
{
    const gmd_study_job *job = c->job;
    cJSON *o = cJSON_CreateObject();
    if (!o) return gmd_fail(err, GMD_ERR_NOMEM, "out of memory for job.json");
    cJSON_AddStringToObject(o, "name", job->name);
    cJSON_AddStringToObject(o, "kind", gmd_job_kind_name(job->kind));
    cJSON *deps = cJSON_AddArrayToObject(o, "deps");
    for (int d = 0; d < job->ndeps; d++)
        cJSON_AddItemToArray(deps, cJSON_CreateString(c->plan->jobs[job->deps[d]].name));
    char hash[32];
    snprintf(hash, sizeof hash, "%016llx", job->hash);
    cJSON_AddStringToObject(o, "inputs_hash", hash);
    cJSON_AddStringToObject(o, "params", job->params);
    if (job->input_file[0]) cJSON_AddStringToObject(o, "input_file", job->input_file);
    cJSON_AddStringToObject(o, "status", status);
    cJSON_AddNumberToObject(o, "wall_s", wall_s);
    cJSON_AddNumberToObject(o, "threads", c->plan->study->threads_per_job);
    cJSON_AddBoolToObject(o, "resumed", c->resumable);
    if (error) cJSON_AddStringToObject(o, "error", error);
    char path[GMD_PATH_LEN + 16];
    gmd_study_join(path, sizeof path, job->dir, "job.json");
    gmd_status st = gmd_study_write_json_atomic(path, o, err);
    cJSON_Delete(o);
    return st;
}

void gmd_study_job_read_error(const gmd_study_job *job, char *msg, size_t len)
{
    char path[GMD_PATH_LEN + 16];
    gmd_study_join(path, sizeof path, job->dir, "job.json");
    cJSON *o = gmd_study_read_json(path);
    const cJSON *e = o ? cJSON_GetObjectItemCaseSensitive(o, "error") : NULL;
    if (cJSON_IsString(e))
        snprintf(msg, len, "%s", e->valuestring);
    else
        snprintf(msg, len, "the job stopped without a message (killed? see %s)", job->dir);
    cJSON_Delete(o);
}

/* Same inputs hash, and not finished: the job continues from its checkpoints. */
static int previous_run_resumable(const gmd_study_job *job)
{
    char path[GMD_PATH_LEN + 16], want[32];
    gmd_study_join(path, sizeof path, job->dir, "job.json");
    snprintf(want, sizeof want, "%016llx", job->hash);
    cJSON *o = gmd_study_read_json(path);
    const cJSON *h = o ? cJSON_GetObjectItemCaseSensitive(o, "inputs_hash") : NULL;
    const cJSON *s = o ? cJSON_GetObjectItemCaseSensitive(o, "status") : NULL;
    int yes = cJSON_IsString(h) && !strcmp(h->valuestring, want) && cJSON_IsString(s) &&
              strcmp(s->valuestring, "done") != 0;
    cJSON_Delete(o);
    return yes;
}

/* ---- MD jobs ------------------------------------------------------------------------------ */

/* Writes run.in (the run input's canonical text) into its output folder and executes it,
 * resuming when allowed. */
static gmd_status run_md(job_ctx *c, const gmd_run_input *run, gmd_error *err)
{
    const char *dir = run->output_dir;
    gmd_status st = gmd_make_dirs(dir, "folder", err);
    if (st != GMD_OK) return st;
    if (!c->resumable) unlink(in_dir(c, dir, "checkpoint.bin"));
    char input[GMD_PATH_LEN + 16];
    gmd_study_join(input, sizeof input, dir, "run.in");
    FILE *f = fopen(input, "w");
    if (!f) return gmd_fail(err, GMD_ERR_IO, "%s: cannot write (%s)", input, strerror(errno));
    fprintf(f, "# written by glassmd study for the job %s; rerun by hand: glassmd run run.in\n",
            c->job->name);
    st = gmd_run_input_write(run, GMD_RUN_TEXT_INPUT, f, input, err);
    if (fclose(f) != 0 && st == GMD_OK) st = gmd_fail(err, GMD_ERR_IO, "%s: cannot write", input);
    if (st != GMD_OK) return st;
    gmd_run_input *in = gmd_calloc(1, sizeof *in, "run input", err);
    if (!in) return GMD_ERR_NOMEM;
    st = gmd_run_input_read(in, input, err);
    if (st == GMD_OK) {
        gmd_run_options opt = {.resume = c->resumable,
                               .progress = on_run_progress,
                               .progress_user = c,
                               .progress_every = 200,
                               .stop = c->stop};
        st = gmd_run_execute(in, &opt, err);
    }
    free(in);
    return st;
}

static gmd_status job_build(job_ctx *c, gmd_error *err)
{
    const gmd_study *s = c->plan->study;
    const gmd_study_composition *comp = &s->comp[c->job->comp];
    gmd_box box;
    gmd_atoms atoms;
    memset(&atoms, 0, sizeof atoms);
    gmd_build_options bo = {.density = comp->density,
                            .seed = (unsigned long)(s->seed + (uint64_t)c->job->replica - 1),
                            .min_distance_scale = 1.0};
    gmd_status st = gmd_build_random(&s->ff, comp->counts, &bo, &box, &atoms, err);
    if (st == GMD_OK)
        st = gmd_config_write(in_dir(c, c->job->dir, "start.data"), GMD_CONFIG_LAMMPS_DATA, &s->ff,
                              &box, &atoms, "random start written by glassmd study", err);
    gmd_atoms_free(&atoms);
    return st;
}

/* One of a job's runs, with that share of the job's progress. A run that is not the
 * job's last leaves DONE in its folder, so that a resumed job skips it (the isotherm's
 * equil/). */
static gmd_status run_part(job_ctx *c, const gmd_run_input *run, int last, double share,
                           gmd_error *err)
{
    char done[GMD_PATH_LEN + 16];
    gmd_study_join(done, sizeof done, run->output_dir, "DONE");
    struct stat sb;
    if (!last && !c->resumable) unlink(done);
    if (!last && stat(done, &sb) == 0) return GMD_OK;
    c->progress_weight = share;
    gmd_status st = run_md(c, run, err);
    FILE *f = st == GMD_OK && !last ? fopen(done, "w") : NULL;
    if (f) fclose(f);
    return st;
}

/* Melt, quench, isotherm, glass: the job's runs (md_runs.c) in order. */
static gmd_status job_md(job_ctx *c, gmd_error *err)
{
    gmd_study_md_runs *runs = gmd_calloc(1, sizeof *runs, "run inputs", err);
    if (!runs) return GMD_ERR_NOMEM;
    gmd_status st = gmd_study_md_runs_make(c->plan->study, c->job, runs, err);
    double total = 0.0;
    for (int k = 0; k < runs->n; k++)
        total += gmd_study_run_time_ps(&runs->run[k]);
    for (int k = 0; st == GMD_OK && k < runs->n; k++) {
        double share =
            runs->n > 1 && total > 0 ? gmd_study_run_time_ps(&runs->run[k]) / total : 1.0;
        st = run_part(c, &runs->run[k], k == runs->n - 1, share, err);
        /* at constant pressure: the state the NPT equilibration settled at (npt.c), also
         * when a resumed job skipped equil/ (the same bytes again) */
        if (st == GMD_OK && k == 0 && runs->n == 2 && c->plan->study->pressure_set)
            st = gmd_study_settle_job(c->plan->study, c->job, runs->run[0].output_dir, err);
        c->progress_base += share;
    }
    free(runs);
    return st;
}

/* ---- analysis jobs --------------------------------------------------------------------------- */

/* The study's options of an analysis job, and the paths they point to. */
typedef struct analysis_job {
    gmd_analyze_options opt;
    char traj[GMD_PATH_LEN + 16], thermo[GMD_PATH_LEN + 16], log[GMD_PATH_LEN + 16];
    char dt[64], T[64], threads[32], fit[96];
    char command[4 * GMD_PATH_LEN];
} analysis_job;

/* results.json's record of the job: the `glassmd analyze` command line that repeats it,
 * its numbers written with %.17g (read back to the same doubles), the trajectory last as
 * the command records it (getopt_long moves operands behind the options). */
static void analysis_command(const job_ctx *c, analysis_job *a)
{
    const gmd_study *s = c->plan->study;
    snprintf(a->dt, sizeof a->dt, "%.17g", s->dt_fs);
    snprintf(a->T, sizeof a->T, "%.17g", c->job->T_K);
    snprintf(a->threads, sizeof a->threads, "%d", s->threads_per_job);
    snprintf(a->fit, sizeof a->fit, "%.17g:%.17g", s->msd_fit_t0_ps, s->msd_fit_t1_ps);
    const char *options[][2] = {
        {"--ff", s->forcefield},
        {"--dt", a->dt},
        {"--temperature", a->thermo},
        {"--temperature-setpoint", a->T},
        {"--out", c->job->dir},
        {"--threads", a->threads},
        {"--exp-sq", s->exp_sq[0] ? s->exp_sq : NULL},
        {"--msd-fit", s->msd_fit_t1_ps > 0 ? a->fit : NULL},
    };
    const char *argv[2 + 2 * sizeof options / sizeof options[0]] = {"analyze"};
    int argc = 1;
    for (size_t k = 0; k < sizeof options / sizeof options[0]; k++)
        if (options[k][1]) {
            argv[argc++] = options[k][0];
            argv[argc++] = options[k][1];
        }
    argv[argc++] = a->traj;
    gmd_analyze_command_line(a->command, sizeof a->command, argc, argv);
}

static void analysis_options(const job_ctx *c, analysis_job *a)
{
    const gmd_study *s = c->plan->study;
    const gmd_study_job *job = c->job;
    const gmd_study_job *md = &c->plan->jobs[job->deps[0]];
    gmd_study_join(a->traj, sizeof a->traj, md->dir, s->traj_dump ? "traj.dump" : "traj.nc");
    /* the temperature the run had (its thermo.csv over the trajectory's span), not the set
     * point: with the hard cut a thermostat need not hold it (docs/run-input.md, chain) */
    gmd_study_join(a->thermo, sizeof a->thermo, md->dir, "thermo.csv");
    gmd_study_join(a->log, sizeof a->log, job->dir, "analyze.log");
    gmd_analyze_options *o = &a->opt;
    gmd_analyze_default_options(o);
    o->traj = a->traj;
    o->ff_path = s->forcefield;
    o->thermo_path = a->thermo;
    o->setpoint_K = job->T_K;
    o->settings.dt_fs = s->dt_fs;
    o->settings.out_dir = job->dir;
    o->settings.threads = s->threads_per_job;
    if (s->exp_sq[0]) o->settings.exp_sq_path = s->exp_sq;
    if (s->msd_fit_t1_ps > 0) {
        o->settings.msd_fit_t0_ps = s->msd_fit_t0_ps;
        o->settings.msd_fit_t1_ps = s->msd_fit_t1_ps;
    }
    analysis_command(c, a);
    o->command = a->command;
}

/* analyze.log: what `glassmd analyze` prints on stderr, bar the progress. */
static void write_analysis_log(FILE *log, const gmd_analyze_result *r, const char *out_dir,
                               const gmd_error *err)
{
    char summary[GMD_PATH_LEN + 256];
    if (r->warning) fprintf(log, "glassmd analyze: warning: %s\n", r->warning);
    if (err) {
        fprintf(log, "glassmd analyze: error: %s\n", err->message);
        return;
    }
    gmd_analyze_summary(r, out_dir, summary, sizeof summary);
    fprintf(log, "glassmd analyze: %s\n", summary);
}

static gmd_status job_analysis(job_ctx *c, gmd_error *err)
{
    analysis_job *a = gmd_calloc(1, sizeof *a, "analysis job", err);
    if (!a) return GMD_ERR_NOMEM;
    analysis_options(c, a);
    gmd_status st;
    FILE *log = fopen(a->log, "w");
    if (!log) {
        st = gmd_fail(err, GMD_ERR_IO, "%s: cannot write (%s)", a->log, strerror(errno));
    } else {
        gmd_analyze_result r;
        gmd_error e;
        st = gmd_analyze(&a->opt, &r, &e);
        write_analysis_log(log, &r, c->job->dir, st == GMD_OK ? NULL : &e);
        fclose(log);
        if (st != GMD_OK)
            gmd_fail(err, st, "analysis of %s failed: %.700s (log in %s)", a->traj, e.message,
                     a->log);
    }
    free(a);
    return st;
}

static gmd_status job_arrhenius(job_ctx *c, gmd_error *err)
{
    const gmd_study_job *job = c->job;
    const char **dirs = gmd_calloc((size_t)job->ndeps + 1, sizeof *dirs, "arrhenius dirs", err);
    cJSON *results = cJSON_CreateObject();
    gmd_status st = dirs && results ? GMD_OK : gmd_fail(err, GMD_ERR_NOMEM, "out of memory");
    for (int d = 0; st == GMD_OK && d < job->ndeps; d++)
        dirs[d] = c->plan->jobs[job->deps[d]].dir;
    if (st == GMD_OK) st = gmd_arrhenius_from_results(dirs, job->ndeps, job->dir, results, err);
    if (st == GMD_OK)
        st = gmd_study_write_json_atomic(in_dir(c, job->dir, "results.json"), results, err);
    cJSON_Delete(results);
    free(dirs);
    return st;
}

static gmd_status job_report(job_ctx *c, gmd_error *err)
{
    return gmd_study_report(c->plan->study, err);
}

/* ---- the entry point ------------------------------------------------------------------------- */

static gmd_status dispatch(job_ctx *c, gmd_error *err)
{
    switch (c->job->kind) {
    case GMD_JOB_BUILD:
        return job_build(c, err);
    case GMD_JOB_MELT:
    case GMD_JOB_QUENCH:
    case GMD_JOB_ISOTHERM:
    case GMD_JOB_GLASS:
        return job_md(c, err);
    case GMD_JOB_ANALYSIS:
        return job_analysis(c, err);
    case GMD_JOB_ARRHENIUS:
        return job_arrhenius(c, err);
    case GMD_JOB_SUMMARY:
        return gmd_study_write_summary(c->plan, err);
    case GMD_JOB_REPORT:
        return job_report(c, err);
    }
    return gmd_fail(err, GMD_ERR_INTERNAL, "unknown job kind %d", (int)c->job->kind);
}

gmd_status gmd_study_job_execute(const gmd_study_plan *plan, int j,
                                 const volatile sig_atomic_t *stop, gmd_error *err)
{
    job_ctx c = {.plan = plan, .job = &plan->jobs[j], .stop = stop, .progress_weight = 1.0};
    if (!c.job->hash_known)
        return gmd_fail(err, GMD_ERR_INTERNAL, "job %s started before its inputs were known",
                        c.job->name);
    gmd_status st = gmd_make_dirs(c.job->dir, "folder", err);
    if (st != GMD_OK) return st;
    omp_set_num_threads(plan->study->threads_per_job);
    c.resumable = previous_run_resumable(c.job);
    if ((st = write_job_json(&c, "running", 0.0, NULL, err)) != GMD_OK) return st;
    double t0 = gmd_study_now();
    st = dispatch(&c, err);
    double wall = gmd_study_now() - t0;
    gmd_error jerr;
    const char *state = st == GMD_OK                ? "done"
                        : st == GMD_ERR_INTERRUPTED ? "interrupted"
                                                    : "failed";
    gmd_status js = write_job_json(&c, state, wall,
                                   st == GMD_OK ? NULL : (err ? err->message : "failed"), &jerr);
    unlink(in_dir(&c, c.job->dir, "progress"));
    if (st == GMD_OK && js != GMD_OK) {
        if (err) *err = jerr;
        st = js;
    }
    return st;
}
