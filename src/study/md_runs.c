/* md_runs.c - the run inputs of a study's MD jobs (melt, quench, isotherm, glass): the one
 * place where the study's settings become run settings (include/glassmd/run_input.h).
 *
 * jobs.c writes each of them as a run.in (their canonical text, GMD_RUN_TEXT_INPUT) and
 * runs it; plan.c puts their canonical text less the paths (GMD_RUN_TEXT_JOB) into the
 * job's inputs hash. So a setting that reaches a job's run.in is in its inputs hash by
 * construction, whatever key is added to the run input later. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
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
    return add_nvt(in, s->melt_time_ps, s->melt_T_K, err);
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
        st = add_ramp(in, from, T, s->quench_rate_K_ps, err);
        if (st == GMD_OK) st = add_write(in, T, err);
        from = T;
    }
    if (st == GMD_OK && from > s->glass_T_K)
        st = add_ramp(in, from, s->glass_T_K, s->quench_rate_K_ps, err);
    return st;
}

/* equil/ (no trajectory), then the production in the job folder from equil/final.data,
 * so that the trajectory holds production frames only. */
static gmd_status isotherm_runs(const gmd_study *s, const gmd_study_job *job,
                                gmd_study_md_runs *out, gmd_error *err)
{
    char equil[GMD_PATH_LEN + 16], start[GMD_PATH_LEN + 32];
    gmd_study_join(equil, sizeof equil, job->dir, "equil");
    gmd_study_join(start, sizeof start, equil, "final.data");
    gmd_run_input *first = &out->run[out->n++];
    gmd_status st = start_run(s, job, job->input_file, equil, 0, first, err);
    if (st == GMD_OK) st = add_nvt(first, s->isotherm_equil_ps, job->T_K, err);
    gmd_run_input *production = &out->run[out->n++];
    if (st == GMD_OK) st = start_run(s, job, start, job->dir, s->traj_every, production, err);
    if (st == GMD_OK) st = add_nvt(production, s->isotherm_time_ps, job->T_K, err);
    return st;
}

static gmd_status glass_runs(const gmd_study *s, const gmd_study_job *job, gmd_study_md_runs *out,
                             gmd_error *err)
{
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
