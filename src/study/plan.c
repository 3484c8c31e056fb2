/* plan.c - the jobs of a study, their dependencies, inputs hashes and the plan file.
 *
 * Layout (docs/study.md): per composition c and replica r, in this order,
 *   c/rR/build, c/rR/melt, c/rR/quench, c/rR/iso-<T>K (one per isotherm),
 *   c/rR/glass-<T>K, then one analysis per isotherm and glass job (<job>/analysis);
 * then c/arrhenius per composition (two isotherms or more), summary, report. Every job
 * comes after the jobs it depends on, so index order is a topological order.
 *
 * Inputs hash (FNV-1a, 64 bits) = hash(kind, canonical parameter text, the hashes of the
 * dependencies, and for MD jobs the bytes of the starting configuration). Hashing the
 * configuration's bytes rather than the producing job's parameters means that a job whose
 * start is byte-identical after an upstream change (an isotherm above a changed one, say)
 * is not redone. The parameter text covers everything that decides the job's output bit
 * for bit and leaves out what does not (jobs, output_dir). An MD job's text is not listed
 * here key by key: it is the force field's hash and the canonical text of the run inputs
 * the job writes as run.in (md_runs.c; GMD_RUN_TEXT_JOB: every run key that decides the
 * trajectory, threads and the checkpoint interval included, as a checkpoint forces a
 * neighbour-list rebuild), so a key that reaches a run cannot be missing from the hash. */
#define _POSIX_C_SOURCE 200809L
#include "glassmd/study_plan.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glassmd/build.h"
#include "glassmd/checkpoint.h"
#include "glassmd/model.h"
#include "study_internal.h"

const char *gmd_job_kind_name(gmd_job_kind kind)
{
    static const char *const names[] = {"build",    "melt",      "quench",  "isotherm", "glass",
                                        "analysis", "arrhenius", "summary", "report"};
    return (unsigned)kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}

const char *gmd_job_state_name(gmd_job_state state)
{
    static const char *const names[] = {"waiting", "running", "done",       "skipped",
                                        "failed",  "blocked", "interrupted"};
    return (unsigned)state < sizeof names / sizeof names[0] ? names[state] : "?";
}

/* ---- hashing ------------------------------------------------------------------------ */

int gmd_study_job_update_hash(gmd_study_plan *plan, int j)
{
    gmd_study_job *job = &plan->jobs[j];
    uint64_t h = GMD_FNV1A64_INIT;
    int kind = job->kind;
    h = gmd_fnv1a64(&kind, sizeof kind, h);
    h = gmd_fnv1a64(job->params, strlen(job->params), h);
    /* a job that starts from a file is identified by that file's bytes, not by how the
     * file was made: then an upstream change that leaves the file as it was redoes nothing */
    for (int d = 0; !job->input_file[0] && d < job->ndeps; d++) {
        const gmd_study_job *dep = &plan->jobs[job->deps[d]];
        if (!dep->hash_known) return job->hash_known = 0;
        h = gmd_fnv1a64(&dep->hash, sizeof dep->hash, h);
    }
    if (job->input_file[0]) {
        int ok;
        h = gmd_fnv1a64_file(job->input_file, h, &ok);
        if (!ok) return job->hash_known = 0;
    }
    job->hash = h;
    return job->hash_known = 1;
}

/* ---- job.json ------------------------------------------------------------------------ */

cJSON *gmd_study_read_json(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *text = NULL;
    size_t len = 0, cap = 0;
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = 2 * (len + n + 1);
            char *t = realloc(text, cap);
            if (!t) {
                free(text);
                fclose(f);
                return NULL;
            }
            text = t;
        }
        memcpy(text + len, buf, n);
        len += n;
    }
    fclose(f);
    if (!text) return NULL;
    text[len] = '\0';
    cJSON *j = cJSON_Parse(text);
    free(text);
    return j;
}

int gmd_study_job_is_current(const gmd_study_job *job, double *wall_s)
{
    if (!job->hash_known) return 0;
    char path[GMD_PATH_LEN + 16];
    gmd_study_join(path, sizeof path, job->dir, "job.json");
    cJSON *j = gmd_study_read_json(path);
    if (!j) return 0;
    char want[32];
    snprintf(want, sizeof want, "%016llx", job->hash);
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(j, "status");
    const cJSON *hash = cJSON_GetObjectItemCaseSensitive(j, "inputs_hash");
    const cJSON *wall = cJSON_GetObjectItemCaseSensitive(j, "wall_s");
    int current = cJSON_IsString(status) && !strcmp(status->valuestring, "done") &&
                  cJSON_IsString(hash) && !strcmp(hash->valuestring, want);
    if (current && wall_s) *wall_s = cJSON_IsNumber(wall) ? wall->valuedouble : 0.0;
    cJSON_Delete(j);
    return current;
}

void gmd_study_plan_refresh(gmd_study_plan *plan)
{
    for (int j = 0; j < plan->njobs; j++) {
        gmd_study_job *job = &plan->jobs[j];
        int deps_current = 1;
        for (int d = 0; d < job->ndeps; d++) {
            gmd_job_state s = plan->jobs[job->deps[d]].state;
            deps_current &= s == GMD_JOB_SKIPPED || s == GMD_JOB_DONE;
        }
        job->state = GMD_JOB_WAITING;
        if (deps_current && gmd_study_job_update_hash(plan, j) &&
            gmd_study_job_is_current(job, &job->wall_s))
            job->state = GMD_JOB_SKIPPED;
    }
}

/* ---- laying out the jobs ---------------------------------------------------------------- */

typedef struct builder {
    gmd_study_plan *plan;
    int cap;
    char ff_hash[32];
    gmd_error *err;
} builder;

static int add_job(builder *b, gmd_job_kind kind, int comp, int replica, const char *name)
{
    gmd_study_plan *p = b->plan;
    if (p->njobs == b->cap) {
        int cap = b->cap ? 2 * b->cap : 64;
        gmd_study_job *jobs = gmd_realloc(p->jobs, (size_t)cap, sizeof *jobs, "study jobs", b->err);
        if (!jobs) return -1;
        p->jobs = jobs;
        b->cap = cap;
    }
    gmd_study_job *job = &p->jobs[p->njobs];
    memset(job, 0, sizeof *job);
    job->kind = kind;
    job->comp = comp;
    job->replica = replica;
    job->est_s = -1.0;
    snprintf(job->name, sizeof job->name, "%s", name);
    snprintf(job->dir, sizeof job->dir, "%s/%s", p->study->output_dir, name);
    return p->njobs++;
}

static int add_dep(builder *b, int j, int dep)
{
    gmd_study_job *job = &b->plan->jobs[j];
    int *deps = gmd_realloc(job->deps, (size_t)job->ndeps + 1, sizeof *deps, "job deps", b->err);
    if (!deps) return -1;
    deps[job->ndeps++] = dep;
    job->deps = deps;
    return 0;
}

/* Gives job j the parameters text (malloc'ed), replacing what it had. */
static void replace_params(builder *b, int j, char *text)
{
    free(b->plan->jobs[j].params);
    b->plan->jobs[j].params = text;
}

/* printf into job j's params. */
__attribute__((format(printf, 3, 4))) static int set_params(builder *b, int j, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(NULL, 0, fmt, args);
    va_end(args);
    char *text = n >= 0 ? gmd_calloc((size_t)n + 1, 1, "job parameters", b->err) : NULL;
    if (!text) return -1;
    va_start(args, fmt);
    vsnprintf(text, (size_t)n + 1, fmt, args);
    va_end(args);
    replace_params(b, j, text);
    return 0;
}

/* The canonical text of an MD job's run inputs, less their paths, after the force field's
 * hash; malloc'ed, or NULL (err set). */
static char *md_runs_text(const builder *b, const gmd_study_md_runs *runs)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        gmd_fail(b->err, GMD_ERR_NOMEM, "out of memory for the parameters of a job");
        return NULL;
    }
    fprintf(f, "ff=%s\n", b->ff_hash);
    gmd_status st = GMD_OK;
    for (int k = 0; st == GMD_OK && k < runs->n; k++) {
        fprintf(f, "# run %d of %d\n", k + 1, runs->n);
        st = gmd_run_input_write(&runs->run[k], GMD_RUN_TEXT_JOB, f, "job parameters", b->err);
    }
    if (fclose(f) != 0 && st == GMD_OK)
        st = gmd_fail(b->err, GMD_ERR_NOMEM, "out of memory for the parameters of a job");
    if (st == GMD_OK) return text;
    free(text);
    return NULL;
}

/* An MD job's parameters: what md_runs.c makes of the study for it. Its T_K, input_file
 * and folder must be set. */
static int set_md_params(builder *b, int j)
{
    gmd_study_md_runs *runs = gmd_calloc(1, sizeof *runs, "run inputs", b->err);
    if (!runs) return -1;
    char *text = NULL;
    if (gmd_study_md_runs_make(b->plan->study, &b->plan->jobs[j], runs, b->err) == GMD_OK)
        text = md_runs_text(b, runs);
    free(runs);
    if (!text) return -1;
    replace_params(b, j, text);
    return 0;
}

void gmd_study_temp_label(double T, char *out, size_t len)
{
    snprintf(out, len, "%g", T);
}

static int make_build(builder *b, int c, int r, const char *base)
{
    const gmd_study *s = b->plan->study;
    char name[128], counts[256] = "";
    gmd_study_join(name, sizeof name, base, "build");
    int build = add_job(b, GMD_JOB_BUILD, c, r, name);
    if (build < 0) return -1;
    for (int k = 0; k < s->ff.nspecies; k++) {
        size_t used = strlen(counts);
        snprintf(counts + used, sizeof counts - used, "%ld,", s->comp[c].counts[k]);
    }
    if (set_params(b, build, "ff=%s counts=%s density=%.17g seed=%llu", b->ff_hash, counts,
                   s->comp[c].density, (unsigned long long)(s->seed + (uint64_t)r - 1)))
        return -1;
    return build;
}

/* An MD job starting from the file `start` (in the folder of dependency dep) at T_K. */
static int make_md_job(builder *b, gmd_job_kind kind, int c, int r, const char *name, int dep,
                       const char *start, double T_K)
{
    int j = add_job(b, kind, c, r, name);
    if (j < 0 || add_dep(b, j, dep)) return -1;
    gmd_study_job *job = &b->plan->jobs[j];
    job->T_K = T_K;
    gmd_study_join(job->input_file, sizeof job->input_file, b->plan->jobs[dep].dir, start);
    return set_md_params(b, j) ? -1 : j;
}

static int make_analysis(builder *b, int c, int r, int md)
{
    const gmd_study *s = b->plan->study;
    char name[160];
    gmd_study_join(name, sizeof name, b->plan->jobs[md].name, "analysis");
    int a = add_job(b, GMD_JOB_ANALYSIS, c, r, name);
    if (a < 0 || add_dep(b, a, md)) return -1;
    double T_K = b->plan->jobs[md].T_K;
    b->plan->jobs[a].T_K = T_K;
    /* T_from: the temperature is measured from the MD job's thermo.csv (a change of that
     * rule must redo analyses made under the old one) */
    if (set_params(b, a, "T=%.17g T_from=thermo dt=%.17g exp_sq=%s msd_fit=%.17g:%.17g", T_K,
                   s->dt_fs, s->exp_sq, s->msd_fit_t0_ps, s->msd_fit_t1_ps))
        return -1;
    return a;
}

static int make_replica(builder *b, int c, int r, int *iso_analyses, int *niso_analyses,
                        int *all_analyses, int *nall)
{
    const gmd_study *s = b->plan->study;
    char base[64], name[128], T[24], start[40];
    snprintf(base, sizeof base, "%s/r%d", s->comp[c].label, r);
    int build = make_build(b, c, r, base);
    if (build < 0) return -1;
    gmd_study_join(name, sizeof name, base, "melt");
    int melt = make_md_job(b, GMD_JOB_MELT, c, r, name, build, "start.data", s->melt_T_K);
    if (melt < 0) return -1;
    gmd_study_join(name, sizeof name, base, "quench");
    int quench = make_md_job(b, GMD_JOB_QUENCH, c, r, name, melt, "final.data", 0.0);
    if (quench < 0) return -1;
    int md_jobs[GMD_STUDY_MAX_ISOTHERMS + 1], nmd = 0;
    for (int i = 0; i < s->nisotherms; i++) {
        double TK = s->isotherm_K[i];
        gmd_study_temp_label(TK, T, sizeof T);
        snprintf(name, sizeof name, "%s/iso-%sK", base, T);
        int from_melt = TK == s->melt_T_K;
        if (from_melt)
            snprintf(start, sizeof start, "final.data");
        else
            snprintf(start, sizeof start, "T%s.data", T); /* the quench's cut */
        int iso =
            make_md_job(b, GMD_JOB_ISOTHERM, c, r, name, from_melt ? melt : quench, start, TK);
        if (iso < 0) return -1;
        md_jobs[nmd++] = iso;
    }
    gmd_study_temp_label(s->glass_T_K, T, sizeof T);
    snprintf(name, sizeof name, "%s/glass-%sK", base, T);
    int glass = make_md_job(b, GMD_JOB_GLASS, c, r, name, quench, "final.data", s->glass_T_K);
    if (glass < 0) return -1;
    md_jobs[nmd++] = glass;
    for (int i = 0; i < nmd; i++) {
        int a = make_analysis(b, c, r, md_jobs[i]);
        if (a < 0) return -1;
        all_analyses[(*nall)++] = a;
        if (md_jobs[i] != glass) iso_analyses[(*niso_analyses)++] = a;
    }
    return 0;
}

static gmd_status build_plan(builder *b)
{
    const gmd_study *s = b->plan->study;
    size_t per_comp = (size_t)s->replicas * (GMD_STUDY_MAX_ISOTHERMS + 1);
    int *all = gmd_calloc(per_comp * (size_t)s->ncompositions + 1, sizeof *all, "plan", b->err);
    int *iso = gmd_calloc(per_comp + 1, sizeof *iso, "plan", b->err);
    int *arr = gmd_calloc((size_t)s->ncompositions + 1, sizeof *arr, "plan", b->err);
    gmd_status st = all && iso && arr ? GMD_OK : GMD_ERR_NOMEM;
    int nall = 0, narr = 0;
    for (int c = 0; st == GMD_OK && c < s->ncompositions; c++) {
        int niso = 0;
        for (int r = 1; st == GMD_OK && r <= s->replicas; r++)
            if (make_replica(b, c, r, iso, &niso, all, &nall)) st = GMD_ERR_NOMEM;
        if (st != GMD_OK || s->nisotherms < 2) continue;
        char name[96];
        gmd_study_join(name, sizeof name, s->comp[c].label, "arrhenius");
        int a = add_job(b, GMD_JOB_ARRHENIUS, c, -1, name);
        if (a < 0) st = GMD_ERR_NOMEM;
        for (int i = 0; st == GMD_OK && i < niso; i++)
            if (add_dep(b, a, iso[i])) st = GMD_ERR_NOMEM;
        if (st == GMD_OK && set_params(b, a, "v1")) st = GMD_ERR_NOMEM;
        arr[narr++] = a;
    }
    int summary = st == GMD_OK ? add_job(b, GMD_JOB_SUMMARY, -1, -1, "summary") : -1;
    if (st == GMD_OK && summary < 0) st = GMD_ERR_NOMEM;
    for (int i = 0; st == GMD_OK && i < nall; i++)
        if (add_dep(b, summary, all[i])) st = GMD_ERR_NOMEM;
    for (int i = 0; st == GMD_OK && i < narr; i++) /* the summary tabulates the fits too */
        if (add_dep(b, summary, arr[i])) st = GMD_ERR_NOMEM;
    if (st == GMD_OK && set_params(b, summary, "v1")) st = GMD_ERR_NOMEM;
    if (st == GMD_OK) {
        int rep = add_job(b, GMD_JOB_REPORT, -1, -1, "report");
        if (rep < 0 || add_dep(b, rep, summary)) st = GMD_ERR_NOMEM;
        if (st == GMD_OK && set_params(b, rep, "v1")) st = GMD_ERR_NOMEM;
    }
    free(all);
    free(iso);
    free(arr);
    return st;
}

gmd_status gmd_study_plan_make(gmd_study_plan *plan, const gmd_study *study, gmd_error *err)
{
    memset(plan, 0, sizeof *plan);
    plan->study = study;
    builder b = {.plan = plan, .err = err};
    int ok;
    uint64_t h = gmd_fnv1a64_file(study->forcefield, GMD_FNV1A64_INIT, &ok);
    if (!ok) return gmd_fail(err, GMD_ERR_IO, "%s: cannot read the force field", study->forcefield);
    snprintf(b.ff_hash, sizeof b.ff_hash, "%016llx", (unsigned long long)h);
    gmd_status st = build_plan(&b);
    if (st != GMD_OK) gmd_study_plan_free(plan);
    return st;
}

void gmd_study_plan_free(gmd_study_plan *plan)
{
    for (int j = 0; j < plan->njobs; j++) {
        free(plan->jobs[j].deps);
        free(plan->jobs[j].params);
    }
    free(plan->jobs);
    plan->jobs = NULL;
    plan->njobs = 0;
}

/* ---- plan.json ------------------------------------------------------------------------- */

gmd_status gmd_study_write_json_atomic(const char *path, const cJSON *json, gmd_error *err)
{
    char *text = cJSON_Print(json);
    if (!text) return gmd_fail(err, GMD_ERR_NOMEM, "out of memory printing %s", path);
    char tmp[GMD_PATH_LEN + 16];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    int ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    if (f && fclose(f) != 0) ok = 0;
    free(text);
    if (!ok || rename(tmp, path) != 0)
        return gmd_fail(err, GMD_ERR_IO, "%s: cannot write (%s)", path, strerror(errno));
    return GMD_OK;
}

__attribute__((noinline)) void gmd_study_copy(char *out, size_t len, const char *text)
{
    size_t n = strlen(text);
    if (n >= len) n = len - 1;
    memcpy(out, text, n);
    out[n] = '\0';
}

__attribute__((noinline)) void gmd_study_join(char *out, size_t len, const char *dir,
                                              const char *name)
{
    size_t n = strlen(dir);
    if (n >= len) n = len - 1;
    memcpy(out, dir, n);
    out[n] = '\0';
    if (n + 1 < len) {
        out[n++] = '/';
        out[n] = '\0';
    }
    size_t m = strlen(name);
    if (n + m >= len) m = len - 1 - n;
    memcpy(out + n, name, m);
    out[n + m] = '\0';
}

gmd_status gmd_study_plan_write_json(const gmd_study_plan *plan, gmd_error *err)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *jobs = root ? cJSON_AddArrayToObject(root, "jobs") : NULL;
    if (!jobs) {
        cJSON_Delete(root);
        return gmd_fail(err, GMD_ERR_NOMEM, "out of memory for plan.json");
    }
    cJSON_AddStringToObject(root, "study", plan->study->path);
    cJSON_AddStringToObject(root, "output_dir", plan->study->output_dir);
    for (int j = 0; j < plan->njobs; j++) {
        const gmd_study_job *job = &plan->jobs[j];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(jobs, o);
        cJSON_AddStringToObject(o, "name", job->name);
        cJSON_AddStringToObject(o, "kind", gmd_job_kind_name(job->kind));
        cJSON *deps = cJSON_AddArrayToObject(o, "deps");
        for (int d = 0; d < job->ndeps; d++)
            cJSON_AddItemToArray(deps, cJSON_CreateString(plan->jobs[job->deps[d]].name));
        cJSON_AddStringToObject(o, "status", gmd_job_state_name(job->state));
        char hash[32] = "";
        if (job->hash_known) snprintf(hash, sizeof hash, "%016llx", job->hash);
        cJSON_AddStringToObject(o, "inputs_hash", hash);
        cJSON_AddNumberToObject(o, "wall_s", job->wall_s);
        if (job->est_s >= 0) cJSON_AddNumberToObject(o, "estimate_s", job->est_s);
    }
    char path[GMD_PATH_LEN + 16];
    gmd_study_join(path, sizeof path, plan->study->output_dir, "plan.json");
    gmd_status st = gmd_make_dirs(plan->study->output_dir, "folder", err);
    if (st == GMD_OK) st = gmd_study_write_json_atomic(path, root, err);
    cJSON_Delete(root);
    return st;
}

/* ---- the dry run's cost estimate -------------------------------------------------------- */

/* Seconds per MD step for composition c: a few force evaluations at the study's settings
 * with threads_per_job threads (the integrator adds little to the force cost). */
static gmd_status time_step(const gmd_study *s, int c, double *per_step, gmd_error *err)
{
    gmd_box box;
    gmd_atoms atoms;
    memset(&atoms, 0, sizeof atoms);
    gmd_build_options bo = {
        .density = s->comp[c].density, .seed = s->seed, .min_distance_scale = 1.0};
    gmd_status st = gmd_build_random(&s->ff, s->comp[c].counts, &bo, &box, &atoms, err);
    if (st != GMD_OK) return st;
    gmd_model_options mo = gmd_model_default_options(&s->ff);
    if (s->kspace_set) mo.kspace = s->kspace;
    if (s->accuracy > 0) mo.accuracy = s->accuracy;
    if (s->cutoff > 0) mo.cutoff = s->cutoff;
    mo.threebody = s->threebody;
    mo.taper_override = s->taper;
    mo.threads = s->threads_per_job;
    gmd_model *model = NULL;
    st = gmd_model_create(&model, &s->ff, &mo, &box, &atoms, err);
    if (st == GMD_OK) {
        gmd_tally tally;
        st = gmd_model_compute(model, &box, &atoms, &tally, err); /* warm-up, list build */
        double t0 = omp_get_wtime();
        int n = 0;
        while (st == GMD_OK && (n < 3 || omp_get_wtime() - t0 < 0.5) && n < 50) {
            st = gmd_model_compute(model, &box, &atoms, &tally, err);
            n++;
        }
        *per_step = 1.05 * (omp_get_wtime() - t0) / n;
        gmd_model_free(model);
    }
    gmd_atoms_free(&atoms);
    return st;
}

/* Rough work of one job in MD steps (minimisation counted as 500 force calls; analysis as
 * half a force call per frame). */
static double job_steps(const gmd_study *s, const gmd_study_job *job)
{
    double per_ps = 1000.0 / s->dt_fs;
    switch (job->kind) {
    case GMD_JOB_MELT:
        return 500.0 + s->melt_time_ps * per_ps;
    case GMD_JOB_QUENCH:
        return (s->melt_T_K - s->glass_T_K) / s->quench_rate_K_ps * per_ps;
    case GMD_JOB_ISOTHERM:
        return (s->isotherm_equil_ps + s->isotherm_time_ps) * per_ps;
    case GMD_JOB_GLASS: /* at constant pressure after an NPT equilibration (md_runs.c) */
        return (s->glass_time_ps + (s->pressure_set ? s->isotherm_equil_ps : 0.0)) * per_ps;
    case GMD_JOB_ANALYSIS: {
        double t = job->T_K == s->glass_T_K && strstr(job->name, "glass-") ? s->glass_time_ps
                                                                           : s->isotherm_time_ps;
        return 0.5 * t * per_ps / (double)s->traj_every;
    }
    default:
        return 0.0;
    }
}

gmd_status gmd_study_plan_estimate(gmd_study_plan *plan, gmd_error *err)
{
    const gmd_study *s = plan->study;
    double per_step[GMD_STUDY_MAX_COMPOSITIONS];
    for (int c = 0; c < s->ncompositions; c++) {
        gmd_status st = time_step(s, c, &per_step[c], err);
        if (st != GMD_OK) return st;
    }
    for (int j = 0; j < plan->njobs; j++) {
        gmd_study_job *job = &plan->jobs[j];
        double steps = job_steps(s, job);
        job->est_s = job->comp >= 0 && steps > 0 ? steps * per_step[job->comp] : 1.0;
    }
    return GMD_OK;
}

/* ---- Slurm ------------------------------------------------------------------------------ */

gmd_status gmd_study_emit_slurm(const gmd_study_plan *plan, const char *path, const char *exe,
                                gmd_error *err)
{
    const gmd_study *s = plan->study;
    int *level = gmd_calloc((size_t)plan->njobs + 1, sizeof *level, "levels", err);
    if (!level) return GMD_ERR_NOMEM;
    int nlevels = 0;
    for (int j = 0; j < plan->njobs; j++) {
        for (int d = 0; d < plan->jobs[j].ndeps; d++)
            if (level[plan->jobs[j].deps[d]] + 1 > level[j])
                level[j] = level[plan->jobs[j].deps[d]] + 1;
        if (level[j] + 1 > nlevels) nlevels = level[j] + 1;
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        free(level);
        return gmd_fail(err, GMD_ERR_IO, "%s: cannot write the Slurm script (%s)", path,
                        strerror(errno));
    }
    fprintf(f,
            "#!/usr/bin/env bash\n"
            "# Slurm submission of the study %s, written by glassmd study --emit-slurm.\n"
            "# One job array per dependency level; each level starts when the previous one\n"
            "# finished (afterok). Every task runs one job: glassmd study STUDY --job NAME\n"
            "# (a finished job with unchanged inputs returns at once). Run: bash %s\n"
            "set -euo pipefail\n"
            "EXE='%s'\nSTUDY='%s'\nprev=''\n"
            "submit() { # level, then job names\n"
            "  local level=$1; shift\n"
            "  local list=\"%s/slurm-level-$level.txt\"\n"
            "  printf '%%s\\n' \"$@\" > \"$list\"\n"
            "  local dep=()\n"
            "  if [ -n \"$prev\" ]; then dep=(--dependency=afterok:$prev); fi\n"
            "  prev=$(sbatch --parsable \"${dep[@]}\" --job-name=glassmd-L$level "
            "--cpus-per-task=%d --array=0-$(($# - 1)) --output=\"%s/slurm-%%A_%%a.out\" "
            "--wrap=\"OMP_NUM_THREADS=%d \\\"$EXE\\\" study \\\"$STUDY\\\" --job "
            "\\\"\\$(sed -n \\\"\\$((SLURM_ARRAY_TASK_ID + 1))p\\\" \\\"$list\\\")\\\"\")\n"
            "  echo \"level $level: job $prev ($# tasks)\"\n"
            "}\n",
            s->path, path, exe, s->path, s->output_dir, s->threads_per_job, s->output_dir,
            s->threads_per_job);
    fprintf(f, "mkdir -p '%s'\n", s->output_dir);
    for (int l = 0; l < nlevels; l++) {
        fprintf(f, "submit %d", l);
        for (int j = 0; j < plan->njobs; j++)
            if (level[j] == l) fprintf(f, " '%s'", plan->jobs[j].name);
        fputc('\n', f);
    }
    free(level);
    if (fclose(f) != 0) return gmd_fail(err, GMD_ERR_IO, "%s: cannot write", path);
    return GMD_OK;
}
