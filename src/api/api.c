/* api.c - the flat entry points of api.h for callers outside C (the Python package): heap
 * handles around a force field, a configuration and a model with its own atoms, and the
 * conversions between row-major (n, 3) arrays and the library's structure of arrays.
 * Everything is a thin layer over the library's own calls (gmd_forcefield_read,
 * gmd_config_read, gmd_model_create / _compute, gmd_analyze, gmd_run_execute, the study's
 * plan and runner), so that a binding computes exactly what the command line does. */
#include "glassmd/api.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glassmd/analyze.h"
#include "glassmd/config_io.h"
#include "glassmd/model.h"
#include "glassmd/run_values.h"
#include "glassmd/study.h"
#include "glassmd/study_plan.h"
#include "glassmd/system.h"
#include "glassmd/version.h"

const char *gmd_api_version(void)
{
    return GLASSMD_VERSION;
}

/* ---- force field ------------------------------------------------------------------------ */

gmd_status gmd_api_forcefield_read(gmd_forcefield **out, const char *path, gmd_error *err)
{
    *out = NULL;
    if (!path) return gmd_fail(err, GMD_ERR_VALUE, "no force-field path given");
    gmd_forcefield *ff = gmd_calloc(1, sizeof *ff, "force field", err);
    if (!ff) return GMD_ERR_NOMEM;
    gmd_status st = gmd_forcefield_read(ff, path, err);
    if (st != GMD_OK) {
        free(ff);
        return st;
    }
    *out = ff;
    return GMD_OK;
}

void gmd_api_forcefield_free(gmd_forcefield *ff)
{
    free(ff);
}

int gmd_api_forcefield_nspecies(const gmd_forcefield *ff)
{
    return ff->nspecies;
}

const char *gmd_api_forcefield_species(const gmd_forcefield *ff, int s, double *mass,
                                       double *charge)
{
    if (s < 0 || s >= ff->nspecies) return NULL;
    if (mass) *mass = ff->species[s].mass;
    if (charge) *charge = ff->species[s].charge;
    return ff->species[s].name;
}

double gmd_api_forcefield_cutoff(const gmd_forcefield *ff)
{
    return ff->cutoff;
}

const char *gmd_api_forcefield_kspace(const gmd_forcefield *ff)
{
    return gmd_kspace_method_word(ff->kspace);
}

double gmd_api_forcefield_accuracy(const gmd_forcefield *ff)
{
    return ff->kspace_accuracy;
}

/* ---- configuration ---------------------------------------------------------------------- */

struct gmd_api_config {
    gmd_box box;
    gmd_atoms atoms;
};

gmd_status gmd_api_config_read(gmd_api_config **out, const char *path, const gmd_forcefield *ff,
                               const char *types_map, gmd_error *err)
{
    *out = NULL;
    gmd_api_config *c = gmd_calloc(1, sizeof *c, "configuration", err);
    if (!c) return GMD_ERR_NOMEM;
    gmd_status st = gmd_config_read(path, GMD_CONFIG_AUTO, ff, types_map, &c->box, &c->atoms, err);
    if (st != GMD_OK) {
        gmd_api_config_free(c);
        return st;
    }
    *out = c;
    return GMD_OK;
}

size_t gmd_api_config_natoms(const gmd_api_config *c)
{
    return c->atoms.n;
}

/* Row-major (n, 3) from the three arrays a[0..2]. */
static void interleave(double *out, double *const a[3], size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 3; k++)
            out[3 * i + (size_t)k] = a[k][i];
}

/* The three arrays a[0..2] from row-major (n, 3). */
static void deinterleave(double *const a[3], const double *in, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 3; k++)
            a[k][i] = in[3 * i + (size_t)k];
}

void gmd_api_config_get(const gmd_api_config *c, double lo[3], double len[3], double *positions,
                        double *velocities, int *types, long *ids)
{
    const gmd_atoms *a = &c->atoms;
    for (int k = 0; k < 3; k++) {
        if (lo) lo[k] = c->box.lo[k];
        if (len) len[k] = c->box.len[k];
    }
    if (positions) interleave(positions, a->r, a->n);
    if (velocities) interleave(velocities, a->v, a->n);
    if (types && a->n) memcpy(types, a->type, a->n * sizeof *types);
    if (ids && a->n) memcpy(ids, a->id, a->n * sizeof *ids);
}

void gmd_api_config_free(gmd_api_config *c)
{
    if (!c) return;
    gmd_atoms_free(&c->atoms);
    free(c);
}

/* Atoms of the given species (checked against ff) with ids 1..n and the species' charges;
 * positions, velocities (n x 3) copied when not NULL. */
static gmd_status make_atoms(gmd_atoms *a, const gmd_forcefield *ff, size_t n, const int *types,
                             const double *positions, const double *velocities, gmd_error *err)
{
    if (n == 0) return gmd_fail(err, GMD_ERR_VALUE, "no atoms given");
    for (size_t i = 0; i < n; i++)
        if (types[i] < 0 || types[i] >= ff->nspecies)
            return gmd_fail(err, GMD_ERR_VALUE,
                            "atom %zu: species index %d out of range; %s has %d species", i,
                            types[i], ff->path, ff->nspecies);
    gmd_status st = gmd_atoms_init(a, n, err);
    if (st != GMD_OK) return st;
    for (size_t i = 0; i < n; i++) {
        a->type[i] = types[i];
        a->charge[i] = ff->species[types[i]].charge;
        a->id[i] = (long)i + 1;
    }
    if (positions) deinterleave(a->r, positions, n);
    if (velocities) deinterleave(a->v, velocities, n);
    return GMD_OK;
}

/* The box from lo (NULL: the origin) and len, checked. */
static gmd_status make_box(gmd_box *box, const double lo[3], const double len[3], gmd_error *err)
{
    for (int k = 0; k < 3; k++) {
        box->lo[k] = lo ? lo[k] : 0.0;
        box->len[k] = len[k];
        if (!(isfinite(len[k]) && len[k] > 0) || !isfinite(box->lo[k]))
            return gmd_fail(err, GMD_ERR_VALUE,
                            "box edge %d: length %g; give three positive finite lengths in A", k,
                            len[k]);
    }
    return GMD_OK;
}

gmd_status gmd_api_config_write(const char *path, const gmd_forcefield *ff, const double lo[3],
                                const double len[3], size_t n, const int *types,
                                const double *positions, const double *velocities, gmd_error *err)
{
    gmd_box box;
    gmd_atoms atoms = {0};
    gmd_status st = make_box(&box, lo, len, err);
    if (st == GMD_OK) st = make_atoms(&atoms, ff, n, types, positions, velocities, err);
    size_t plen = strlen(path);
    gmd_config_format format =
        plen > 4 && !strcmp(path + plen - 4, ".xyz") ? GMD_CONFIG_EXTXYZ : GMD_CONFIG_LAMMPS_DATA;
    if (st == GMD_OK)
        st = gmd_config_write(path, format, ff, &box, &atoms, "written by the glassmd API", err);
    gmd_atoms_free(&atoms);
    return st;
}

/* ---- model ------------------------------------------------------------------------------ */

struct gmd_api_model {
    gmd_model *model;
    gmd_box box;
    gmd_atoms atoms;
    gmd_tally tally;
};

/* The model options from the words of a run input; messages name the setting. */
static gmd_status model_options(gmd_model_options *opt, const gmd_forcefield *ff,
                                const char *kspace, double accuracy, double cutoff,
                                const char *threebody, int threads, gmd_error *err)
{
    *opt = gmd_model_default_options(ff);
    gmd_value_at at = {.file = "model settings", .line = 0, .what = "kspace", .err = err};
    gmd_status st = kspace ? gmd_parse_kspace_method(&at, kspace, &opt->kspace) : GMD_OK;
    at.what = "threebody";
    if (st == GMD_OK && threebody)
        st = gmd_parse_threebody(&at, threebody, &opt->threebody, &opt->taper_override);
    if (st != GMD_OK) return st;
    if (accuracy > 0) {
        if (!(accuracy < 1))
            return gmd_fail(err, GMD_ERR_VALUE,
                            "model settings: accuracy %g: give a relative accuracy in (0, 1), "
                            "e.g. 1e-5",
                            accuracy);
        opt->accuracy = accuracy;
    }
    if (cutoff > 0) opt->cutoff = cutoff;
    opt->threads = threads >= 1 ? threads : omp_get_max_threads();
    return GMD_OK;
}

gmd_status gmd_api_model_create(gmd_api_model **out, const gmd_forcefield *ff, const double lo[3],
                                const double len[3], size_t n, const int *types, const char *kspace,
                                double accuracy, double cutoff, const char *threebody, int threads,
                                gmd_error *err)
{
    *out = NULL;
    gmd_model_options opt;
    gmd_status st = model_options(&opt, ff, kspace, accuracy, cutoff, threebody, threads, err);
    if (st != GMD_OK) return st;
    gmd_api_model *m = gmd_calloc(1, sizeof *m, "model", err);
    if (!m) return GMD_ERR_NOMEM;
    st = make_box(&m->box, lo, len, err);
    if (st == GMD_OK) st = make_atoms(&m->atoms, ff, n, types, NULL, NULL, err);
    if (st == GMD_OK) st = gmd_model_create(&m->model, ff, &opt, &m->box, &m->atoms, err);
    if (st != GMD_OK) {
        gmd_api_model_free(m);
        return st;
    }
    *out = m;
    return GMD_OK;
}

size_t gmd_api_model_natoms(const gmd_api_model *m)
{
    return m->atoms.n;
}

gmd_status gmd_api_model_compute(gmd_api_model *m, const double *positions, double *forces,
                                 double *energies, double *virial, double *pe, gmd_error *err)
{
    gmd_atoms *a = &m->atoms;
    for (size_t i = 0; i < 3 * a->n; i++)
        if (!isfinite(positions[i]))
            return gmd_fail(err, GMD_ERR_VALUE, "atom %zu: position %g is not finite", i / 3,
                            positions[i]);
    deinterleave(a->r, positions, a->n);
    memset(a->image[0], 0, a->n * sizeof(int));
    memset(a->image[1], 0, a->n * sizeof(int));
    memset(a->image[2], 0, a->n * sizeof(int));
    gmd_atoms_wrap(a, &m->box);
    gmd_status st = gmd_model_compute(m->model, &m->box, a, &m->tally, err);
    if (st != GMD_OK) return st;
    double total = gmd_tally_total(&m->tally);
    if (!isfinite(total))
        return gmd_fail(err, GMD_ERR_PHYSICS,
                        "the energy is not finite (atoms overlap?); check the positions");
    if (forces) interleave(forces, a->f, a->n);
    if (energies)
        for (int p = 0; p < gmd_model_nparts(m->model); p++)
            energies[p] = m->tally.energy[p];
    if (virial) memcpy(virial, m->tally.virial, sizeof m->tally.virial);
    if (pe) *pe = total;
    return GMD_OK;
}

int gmd_api_model_nparts(const gmd_api_model *m)
{
    return gmd_model_nparts(m->model);
}

const char *gmd_api_model_part_name(const gmd_api_model *m, int p)
{
    if (p < 0 || p >= gmd_model_nparts(m->model)) return NULL;
    return gmd_model_part(m->model, p)->name;
}

const char *gmd_api_model_part_sum(const gmd_api_model *m, int p)
{
    if (p < 0 || p >= gmd_model_nparts(m->model)) return NULL;
    return gmd_model_part(m->model, p)->sum;
}

int gmd_api_model_describe_kspace(const gmd_api_model *m, char *buf, size_t len)
{
    return gmd_model_describe_kspace(m->model, buf, len);
}

double gmd_api_model_cutoff(const gmd_api_model *m)
{
    return gmd_model_forcefield(m->model)->cutoff;
}

int gmd_api_model_threads(const gmd_api_model *m)
{
    return gmd_model_settings(m->model)->threads;
}

const char *gmd_api_model_taper(const gmd_api_model *m)
{
    const gmd_forcefield *ff = gmd_model_forcefield(m->model);
    const gmd_model_options *o = gmd_model_settings(m->model);
    if (!o->threebody || ff->nthreebody == 0) return "off";
    return gmd_threebody_taper(ff, 0, o->taper_override) == GMD_TAPER_HARD ? "hard" : "smooth";
}

void gmd_api_model_free(gmd_api_model *m)
{
    if (!m) return;
    gmd_model_free(m->model);
    gmd_atoms_free(&m->atoms);
    free(m);
}

/* ---- analysis -------------------------------------------------------------------------- */

gmd_status gmd_api_analyze(const char *traj, int noptions, const char *const *names,
                           const char *const *values, const char *command, char *summary,
                           size_t summary_len, gmd_error *err)
{
    gmd_analyze_options opt;
    gmd_analyze_default_options(&opt);
    opt.settings.out_dir = "analysis";
    opt.traj = traj;
    opt.command = command;
    for (int i = 0; i < noptions; i++) {
        gmd_status st = gmd_analyze_set_option(&opt, names[i], values[i], err);
        if (st != GMD_OK) return st;
    }
    gmd_analyze_result result;
    gmd_status st = gmd_analyze(&opt, &result, err);
    if (st == GMD_OK && summary && summary_len)
        gmd_analyze_summary(&result, opt.settings.out_dir, summary, summary_len);
    return st;
}

/* ---- run -------------------------------------------------------------------------------- */

gmd_status gmd_api_run(const char *input, int resume, int threads, gmd_run_progress_fn progress,
                       void *progress_user, long progress_every, gmd_error *err)
{
    gmd_run_input *in = gmd_calloc(1, sizeof *in, "run input", err);
    if (!in) return GMD_ERR_NOMEM;
    gmd_status st = gmd_run_input_read(in, input, err);
    if (st == GMD_OK) {
        if (threads >= 1) in->threads = threads;
        gmd_run_options opt = {.resume = resume,
                               .progress = progress,
                               .progress_user = progress_user,
                               .progress_every = progress_every > 0 ? progress_every : 100};
        st = gmd_run_execute(in, &opt, err);
    }
    free(in);
    return st;
}

/* ---- study ------------------------------------------------------------------------------ */

gmd_status gmd_api_study(const char *path, int dry_run, int jobs, char *output_dir,
                         size_t output_dir_len, gmd_error *err)
{
    gmd_study *study = gmd_calloc(1, sizeof *study, "study", err);
    if (!study) return GMD_ERR_NOMEM;
    gmd_study_plan plan;
    gmd_status st = gmd_study_read(study, path, err);
    if (st == GMD_OK) st = gmd_study_plan_make(&plan, study, err);
    if (st != GMD_OK) {
        free(study);
        return st;
    }
    if (output_dir && output_dir_len) snprintf(output_dir, output_dir_len, "%s", study->output_dir);
    if (dry_run) {
        gmd_study_plan_refresh(&plan);
        st = gmd_study_plan_estimate(&plan, err);
        if (st == GMD_OK) st = gmd_study_plan_write_json(&plan, err);
    } else {
        gmd_study_run_options opt = {.jobs = jobs};
        st = gmd_study_run_local(&plan, &opt, err);
    }
    gmd_study_plan_free(&plan);
    free(study);
    return st;
}
