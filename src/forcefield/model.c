/* model.c - assembles a force field into the terms that compute it.
 *
 * Order of set-up matters: the k-space solver chooses the Ewald splitting parameter
 * g_ewald from the accuracy, and the real-space pair term must use the same one; the
 * neighbour list is cut at the larger of the pair cut-off and the three-body r3. */
#include "glassmd/model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "glassmd/pair_buck_coul.h"
#include "glassmd/threebody.h"
#include "glassmd/units.h"

_Static_assert(GMD_MAX_SPECIES <= GMD_NEIGHBOR_MAX_TYPES,
               "the inner neighbour list's type mask must cover every species");

gmd_model_options gmd_model_default_options(const gmd_forcefield *ff)
{
    gmd_model_options o = {
        .kspace = ff->kspace,
        .accuracy = ff->kspace_accuracy,
        .cutoff = ff->cutoff,
        .threebody = 1,
        .taper_override = -1,
        .threads = 1,
        .skin = 1.0,
    };
    return o;
}

static gmd_status add_term(gmd_model *model, gmd_term *term, unsigned group)
{
    model->group[model->nterms] = group;
    model->terms[model->nterms++] = term;
    return GMD_OK;
}

static gmd_status create_kspace(gmd_model *model, const gmd_box *box, const gmd_atoms *atoms,
                                gmd_error *err)
{
    gmd_kspace_params *kp = &model->kspace;
    memset(kp, 0, sizeof *kp);
    kp->method = model->options.kspace;
    if (kp->method == GMD_KSPACE_NONE) return GMD_OK;
    kp->accuracy = model->options.accuracy;
    kp->cutoff = model->ff.cutoff;
    kp->order = 5;
    gmd_status st = gmd_kspace_choose(kp, box, atoms, err);
    if (st != GMD_OK) return st;
    gmd_term *term = NULL;
    st = kp->method == GMD_KSPACE_EWALD ? gmd_ewald_create(&term, kp, box, atoms, err)
                                        : gmd_pppm_create(&term, kp, box, atoms, err);
    if (st != GMD_OK) return st;
    return add_term(model, term, GMD_GROUP_SLOW);
}

static double threebody_cutoff(const gmd_model *model)
{
    double r3 = 0.0;
    if (model->options.threebody)
        for (int t = 0; t < model->ff.nthreebody; t++)
            r3 = fmax(r3, model->ff.threebody[t].r3);
    return r3;
}

gmd_status gmd_model_create(gmd_model *model, const gmd_forcefield *ff,
                            const gmd_model_options *options, const gmd_box *box,
                            const gmd_atoms *atoms, gmd_error *err)
{
    memset(model, 0, sizeof *model);
    model->ff = *ff;
    model->options = *options;
    if (options->cutoff > 0) model->ff.cutoff = options->cutoff;
    if (model->options.accuracy <= 0) model->options.accuracy = ff->kspace_accuracy;
    if (model->options.threads < 1) model->options.threads = 1;
    if (model->options.skin < 0) model->options.skin = 1.0;
    if (!(model->ff.cutoff > 0))
        return gmd_fail(err, GMD_ERR_VALUE, "cut-off %g A must be positive", model->ff.cutoff);

    gmd_status st = create_kspace(model, box, atoms, err);
    if (st == GMD_OK) {
        gmd_pair_options po = {.coulomb = model->kspace.method != GMD_KSPACE_NONE,
                               .g_ewald = model->kspace.g_ewald};
        gmd_term *pair = NULL;
        st = gmd_pair_buck_coul_create(&pair, &model->ff, &po, err);
        if (st == GMD_OK) add_term(model, pair, GMD_GROUP_SLOW);
    }
    if (st == GMD_OK && model->options.threebody && model->ff.nthreebody > 0) {
        gmd_term *three = NULL;
        st = gmd_threebody_create(&three, &model->ff, model->options.taper_override, err);
        if (st == GMD_OK) add_term(model, three, GMD_GROUP_FAST);
    }
    double r3 = threebody_cutoff(model);
    if (st == GMD_OK)
        st = gmd_neighbor_init(&model->nlist, fmax(model->ff.cutoff, r3), model->options.skin, err);
    if (st == GMD_OK && r3 > 0.0) {
        unsigned char types[GMD_NEIGHBOR_MAX_TYPES][GMD_NEIGHBOR_MAX_TYPES] = {{0}};
        for (int t = 0; t < model->ff.nthreebody; t++) { /* the species pairs of the bonds */
            const gmd_threebody_params *p = &model->ff.threebody[t];
            types[p->vertex][p->end] = types[p->end][p->vertex] = 1;
        }
        st = gmd_neighbor_set_inner(&model->nlist, r3, types, err);
    }
    if (st != GMD_OK) gmd_model_free(model);
    return st;
}

gmd_status gmd_model_compute_group(gmd_model *model, unsigned groups, const gmd_box *box,
                                   gmd_atoms *atoms, double *const forces[3], gmd_tally *tally,
                                   gmd_error *err)
{
    gmd_tally_clear(tally);
    for (int k = 0; k < 3; k++)
        if (atoms->n) memset(forces[k], 0, atoms->n * sizeof(double));
    gmd_timer *neighbor_time = gmd_timers_phase(model->timers, GMD_TIMER_NEIGHBOR);
    gmd_timer_start(neighbor_time);
    if (gmd_neighbor_needs_rebuild(&model->nlist, box, atoms)) {
        gmd_atoms_wrap(atoms, box);
        gmd_status st = gmd_neighbor_build(&model->nlist, box, atoms, model->options.threads, err);
        if (st != GMD_OK) return st;
    }
    gmd_timer_stop(neighbor_time);
    gmd_atoms view = *atoms; /* the same atoms, with the forces going to `forces` */
    for (int k = 0; k < 3; k++)
        view.f[k] = forces[k];
    gmd_compute_args args = {
        .box = box, .atoms = &view, .nlist = &model->nlist, .threads = model->options.threads};
    for (int t = 0; t < model->nterms; t++) {
        if (!(model->group[t] & groups)) continue;
        gmd_timer *term_time = gmd_timers_term(model->timers, t);
        gmd_timer_start(term_time);
        gmd_status st = model->terms[t]->compute(model->terms[t], &args, tally, err);
        gmd_timer_stop(term_time);
        if (st != GMD_OK) return st;
    }
    return GMD_OK;
}

gmd_status gmd_model_compute(gmd_model *model, const gmd_box *box, gmd_atoms *atoms,
                             gmd_tally *tally, gmd_error *err)
{
    return gmd_model_compute_group(model, GMD_GROUP_ALL, box, atoms, atoms->f, tally, err);
}

int gmd_model_has_group(const gmd_model *model, unsigned group)
{
    for (int t = 0; t < model->nterms; t++)
        if (model->group[t] & group) return 1;
    return 0;
}

int gmd_model_describe_kspace(const gmd_model *model, char *buf, size_t len)
{
    const gmd_kspace_params *kp = &model->kspace;
    if (kp->method == GMD_KSPACE_NONE) return snprintf(buf, len, "{\"method\": \"none\"}");
    if (kp->method == GMD_KSPACE_EWALD)
        return snprintf(buf, len,
                        "{\"method\": \"ewald\", \"accuracy\": %g, \"g_ewald_invA\": %.17g, "
                        "\"kmax\": [%d, %d, %d], \"kvectors\": %ld, "
                        "\"estimated_error_eV_A\": %.4g, \"estimated_error_relative\": %.4g}",
                        kp->accuracy, kp->g_ewald, kp->kmax[0], kp->kmax[1], kp->kmax[2],
                        kp->nkvectors, kp->estimated_error, kp->estimated_error / GMD_COULOMB_EV_A);
    return snprintf(buf, len,
                    "{\"method\": \"pppm\", \"accuracy\": %g, \"g_ewald_invA\": %.17g, "
                    "\"mesh\": [%d, %d, %d], \"order\": %d, "
                    "\"estimated_error_eV_A\": %.4g, \"estimated_error_relative\": %.4g}",
                    kp->accuracy, kp->g_ewald, kp->mesh[0], kp->mesh[1], kp->mesh[2], kp->order,
                    kp->estimated_error, kp->estimated_error / GMD_COULOMB_EV_A);
}

void gmd_model_free(gmd_model *model)
{
    for (int t = 0; t < model->nterms; t++)
        gmd_term_free(model->terms[t]);
    model->nterms = 0;
    gmd_neighbor_free(&model->nlist);
}
