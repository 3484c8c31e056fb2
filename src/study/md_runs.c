/* md_runs.c - the run inputs of a study's MD jobs (melt, quench, isotherm, glass): the one
 * place where the study's settings become run settings (include/glassmd/run_input.h).
 *
 * jobs.c writes each of them as a run.in (their canonical text, GMD_RUN_TEXT_INPUT) and
 * runs it; plan.c puts their canonical text less the paths (GMD_RUN_TEXT_JOB) into the
 * job's inputs hash. So a setting that reaches a job's run.in is in its inputs hash by
 * construction, whatever key is added to the run input later.
 *
 * At constant pressure (study key pressure, docs/study.md) the melt is an npt stage and
 * the quench's ramps hold the pressure, so the density follows the temperature. An
 * isotherm or the glass then equilibrates under NPT in equil/ (isotherm_equil) and runs
 * its production under NVT at the settled volume: jobs.c checks that equil/'s volume has
 * settled (npt.c), writes the mean volume of its second half to density.json and scales
 * equil/final.data affinely to that volume as equil/settled.data, which the production
 * starts from. NVT rather than NPT production: the barostat's box motion perturbs the
 * dynamics (MSD, conductivity) the study measures, and every analysis then sees a fixed
 * box; the state is the NPT one to within the standard error of its mean volume. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "study_internal.h"

static gmd_status copy_path(char *out, const char *path, gmd_error *err)
{
    size_t n = strlen(path);
    if (n >= GMD_PATH_LEN)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "%s: path too long for a run input (over %d characters); give the study "
                        "a shorter output_dir",
                        path, GMD_PATH_LEN - 1);
    memcpy(out, path, n + 1);
    return GMD_OK;
}

/* The settings every MD run of the study shares, and the run's start, folder and
 * trajectory interval (0: no trajectory). The keys a study does not set (thermo_every,
 * types, velocity_K, tdamp_ps) keep the run input's defaults. */
static gmd_status start_run(const gmd_study *s, const gmd_study_job *job, const char *config,
                            const char *dir, long traj_every, gmd_run_input *in, gmd_error *err)
{
    gmd_status st = gmd_run_input_defaults(in, err);
    if (st == GMD_OK) st = copy_path(in->config, config, err);
    if (st == GMD_OK) st = copy_path(in->forcefield, s->forcefield, err);
    if (st == GMD_OK) st = copy_path(in->output_dir, dir, err);
    in->seed = s->seed + (uint64_t)job->replica - 1;
    in->kspace_set = s->kspace_set;
    in->kspace = s->kspace;
    in->accuracy = s->accuracy;
    in->cutoff = s->cutoff;
    in->threebody = s->threebody;
    in->taper = s->taper;
    in->threebody_substeps = s->threebody_substeps;
    in->chain = s->chain;
    in->dt_fs = s->dt_fs;
    in->traj_every = traj_every;
    in->traj_netcdf = traj_every > 0 && !s->traj_dump;
    in->traj_dump = traj_every > 0 && s->traj_dump;
    in->checkpoint_every = s->checkpoint_every;
    in->threads = s->threads_per_job;
    return st;
}

/* The next stage of in, or NULL (err set) when the run has GMD_MAX_STAGES already. */
static gmd_stage *add_stage(gmd_run_input *in, gmd_stage_kind kind, gmd_error *err)
{
    if (in->nstages == GMD_MAX_STAGES) {
        gmd_fail(err, GMD_ERR_VALUE, "%s: more than %d stages in one run; use fewer isotherms",
                 in->output_dir, GMD_MAX_STAGES);
        return NULL;
    }
    gmd_stage *g = &in->stages[in->nstages++];
    memset(g, 0, sizeof *g);
    g->kind = kind;
    return g;
}

static gmd_status add_nvt(gmd_run_input *in, double time_ps, double T_K, gmd_error *err)
{
    gmd_stage *g = add_stage(in, GMD_STAGE_NVT, err);
    if (!g) return GMD_ERR_VALUE;
    g->time_ps = time_ps;
    g->t_start_K = g->t_end_K = T_K;
    return GMD_OK;
}

/* An nvt stage, or an npt one at the study's pressure when it has one. */
static gmd_status add_hold(const gmd_study *s, gmd_run_input *in, double time_ps, double T_K,
                           gmd_error *err)
{
    gmd_status st = add_nvt(in, time_ps, T_K, err);
    if (st != GMD_OK || !s->pressure_set) return st;
    gmd_stage *g = &in->stages[in->nstages - 1];
    g->kind = GMD_STAGE_NPT;
    g->npt = 1;
    g->p_bar = s->pressure_bar;
    return GMD_OK;
}

static gmd_status add_ramp(gmd_run_input *in, double from_K, double to_K, double rate_K_ps,
                           gmd_error *err)
{
    gmd_stage *g = add_stage(in, GMD_STAGE_RAMP, err);
    if (!g) return GMD_ERR_VALUE;
    g->t_start_K = from_K;
    g->t_end_K = to_K;
    g->rate_K_ps = rate_K_ps;
    return GMD_OK;
}

/* A ramp that holds the study's pressure when it has one. */
static gmd_status add_quench_ramp(const gmd_study *s, gmd_run_input *in, double from_K, double to_K,
                                  gmd_error *err)
{
    gmd_status st = add_ramp(in, from_K, to_K, s->quench_rate_K_ps, err);
    if (st == GMD_OK && s->pressure_set) {
        in->stages[in->nstages - 1].npt = 1;
        in->stages[in->nstages - 1].p_bar = s->pressure_bar;
    }
    return st;
}

/* write T<label>.data: the quench's configuration at isotherm T */
static gmd_status add_write(gmd_run_input *in, double T_K, gmd_error *err)
{
    gmd_stage *g = add_stage(in, GMD_STAGE_WRITE, err);
    if (!g) return GMD_ERR_VALUE;
    char label[32];
    gmd_study_temp_label(T_K, label, sizeof label);
    snprintf(g->file, sizeof g->file, "T%s.data", label);
    return GMD_OK;
}

/* A minimisation, then the melt at melt_T. */
static gmd_status melt_runs(const gmd_study *s, const gmd_study_job *job, gmd_study_md_runs *out,
                            gmd_error *err)
{
    gmd_run_input *in = &out->run[out->n++];
    gmd_status st = start_run(s, job, job->input_file, job->dir, 0, in, err);
    if (st != GMD_OK) return st;
    gmd_stage *g = add_stage(in, GMD_STAGE_MINIMIZE, err);
    if (!g) return GMD_ERR_VALUE;
    g->ftol_eV_A = 0.1;
    g->max_step_A = 0.1;
    g->nsteps = 2000;
    return add_hold(s, in, s->melt_time_ps, s->melt_T_K, err);
}

/* At constant pressure the NPT equilibration writes a thermo row at least every 1/200 of
 * its length and the quench every 1/400 (at most every 100 steps, the run input's
 * default), so that the volume-settled check (npt.c) and the report's quench windows
 * (report_density.c) have rows enough to block-average even in short runs. */
static void settle_thermo_every(const gmd_study *s, gmd_run_input *in, double time_ps, long rows)
{
    long steps = (long)(time_ps * 1000.0 / s->dt_fs);
    long every = steps / rows;
    in->thermo_every = every < 1 ? 1 : every < in->thermo_every ? every : in->thermo_every;
}

/* The ramp melt_T -> glass_T cut at each isotherm below melt_T, with a write stage at
 * each cut: T<K>.data holds positions and velocities there. */
static gmd_status quench_runs(const gmd_study *s, const gmd_study_job *job, gmd_study_md_runs *out,
                              gmd_error *err)
{
    gmd_run_input *in = &out->run[out->n++];
    gmd_status st = start_run(s, job, job->input_file, job->dir, 0, in, err);
    double from = s->melt_T_K;
    for (int i = 0; st == GMD_OK && i < s->nisotherms; i++) {
        double T = s->isotherm_K[i];
        if (T >= s->melt_T_K) continue; /* taken from the melt */
        st = add_quench_ramp(s, in, from, T, err);
        if (st == GMD_OK) st = add_write(in, T, err);
        from = T;
    }
    if (st == GMD_OK && from > s->glass_T_K) st = add_quench_ramp(s, in, from, s->glass_T_K, err);
    if (st == GMD_OK && s->pressure_set)
        settle_thermo_every(s, in, (s->melt_T_K - s->glass_T_K) / s->quench_rate_K_ps, 400);
    return st;
}

/* equil/ (no trajectory), then the production in the job folder from equil/final.data,
 * so that the trajectory holds production frames only. At constant pressure equil/ is
 * NPT and the production starts from equil/settled.data (the settled volume, jobs.c). */
static gmd_status equil_production(const gmd_study *s, const gmd_study_job *job,
                                   double production_ps, gmd_study_md_runs *out, gmd_error *err)
{
    char equil[GMD_PATH_LEN + 16], start[GMD_PATH_LEN + 32];
    gmd_study_join(equil, sizeof equil, job->dir, "equil");
    gmd_study_join(start, sizeof start, equil,
                   s->pressure_set ? GMD_STUDY_SETTLED_FILE : "final.data");
    gmd_run_input *first = &out->run[out->n++];
    gmd_status st = start_run(s, job, job->input_file, equil, 0, first, err);
    if (st == GMD_OK) st = add_hold(s, first, s->isotherm_equil_ps, job->T_K, err);
    if (st == GMD_OK && s->pressure_set) settle_thermo_every(s, first, s->isotherm_equil_ps, 200);
    gmd_run_input *production = &out->run[out->n++];
    if (st == GMD_OK) st = start_run(s, job, start, job->dir, s->traj_every, production, err);
    if (st == GMD_OK) st = add_nvt(production, production_ps, job->T_K, err);
    return st;
}

static gmd_status isotherm_runs(const gmd_study *s, const gmd_study_job *job,
                                gmd_study_md_runs *out, gmd_error *err)
{
    return equil_production(s, job, s->isotherm_time_ps, out, err);
}

/* The glass: NVT from the quench's end; at constant pressure first an NPT equilibration
 * of isotherm_equil at glass_T, as an isotherm. */
static gmd_status glass_runs(const gmd_study *s, const gmd_study_job *job, gmd_study_md_runs *out,
                             gmd_error *err)
{
    if (s->pressure_set) return equil_production(s, job, s->glass_time_ps, out, err);
    gmd_run_input *in = &out->run[out->n++];
    gmd_status st = start_run(s, job, job->input_file, job->dir, s->traj_every, in, err);
    if (st == GMD_OK) st = add_nvt(in, s->glass_time_ps, job->T_K, err);
    return st;
}

gmd_status gmd_study_md_runs_make(const gmd_study *s, const gmd_study_job *job,
                                  gmd_study_md_runs *out, gmd_error *err)
{
    out->n = 0;
    switch (job->kind) {
    case GMD_JOB_MELT:
        return melt_runs(s, job, out, err);
    case GMD_JOB_QUENCH:
        return quench_runs(s, job, out, err);
    case GMD_JOB_ISOTHERM:
        return isotherm_runs(s, job, out, err);
    case GMD_JOB_GLASS:
        return glass_runs(s, job, out, err);
    default:
        return GMD_OK; /* not an MD job: no run */
    }
}

/* ---- the dry run's description ------------------------------------------------------------ */

/* MD time of a stage (a ramp's from its span and rate: stages made here carry no derived
 * time). */
static double stage_ps(const gmd_stage *g)
{
    if (g->kind == GMD_STAGE_RAMP) return fabs(g->t_end_K - g->t_start_K) / g->rate_K_ps;
    return g->kind == GMD_STAGE_MINIMIZE || g->kind == GMD_STAGE_WRITE ? 0.0 : g->time_ps;
}

double gmd_study_run_time_ps(const gmd_run_input *run)
{
    double t = 0.0;
    for (int g = 0; g < run->nstages; g++)
        t += stage_ps(&run->stages[g]);
    return t;
}

static void describe_stage(const gmd_stage *g, char *out, size_t len)
{
    char P[48] = "";
    if (g->npt) snprintf(P, sizeof P, ", %g bar", g->p_bar);
    switch (g->kind) {
    case GMD_STAGE_MINIMIZE:
        snprintf(out, len, "minimize");
        break;
    case GMD_STAGE_RAMP:
        snprintf(out, len, "ramp%s %g -> %g K at %g K/ps%s", g->npt ? " (npt)" : "", g->t_start_K,
                 g->t_end_K, g->rate_K_ps, P);
        break;
    case GMD_STAGE_WRITE:
        out[0] = '\0';
        break;
    default:
        snprintf(out, len, "%s %g ps at %g K%s", gmd_stage_kind_name(g->kind), g->time_ps,
                 g->t_start_K, P);
    }
}

int gmd_study_job_runs(const gmd_study_plan *plan, int j, gmd_study_run_info *out, int max,
                       gmd_error *err)
{
    const gmd_study *s = plan->study;
    const gmd_study_job *job = &plan->jobs[j];
    gmd_study_md_runs *runs = gmd_calloc(1, sizeof *runs, "run inputs", err);
    if (!runs || gmd_study_md_runs_make(s, job, runs, err) != GMD_OK) {
        free(runs);
        return -1;
    }
    double t[GMD_STUDY_MAX_RUNS] = {0}, total = 0.0;
    int n = runs->n < max ? runs->n : max;
    for (int k = 0; k < n; k++) {
        const gmd_run_input *in = &runs->run[k];
        char *w = out[k].what;
        size_t used = 0;
        w[0] = '\0';
        if (k == 0 && n == 2) used = (size_t)snprintf(w, sizeof out[k].what, "equil/: ");
        t[k] = gmd_study_run_time_ps(in);
        for (int g = 0; g < in->nstages && used < sizeof out[k].what; g++) {
            char text[160];
            describe_stage(&in->stages[g], text, sizeof text);
            if (text[0])
                used += (size_t)snprintf(w + used, sizeof out[k].what - used, "%s%s",
                                         used && w[used - 1] != ' ' ? "; " : "", text);
        }
        if (k == 0 && n == 2 && s->pressure_set && used < sizeof out[k].what)
            snprintf(w + used, sizeof out[k].what - used,
                     "; the volume-settled check, the box scaled to the settled mean volume");
        total += t[k];
    }
    for (int k = 0; k < n; k++)
        out[k].est_s = job->est_s >= 0 && total > 0 ? job->est_s * t[k] / total : job->est_s;
    free(runs);
    return n;
}
