/* model.c - assembles a force field into the terms that compute it, by asking the kinds
 * of a term registry (term_registry.h); nothing here knows any particular term.
 *
 * Set-up, in order:
 *   1. the Coulomb splitting: the k-space solver chooses g_ewald from the accuracy, and the
 *      real-space pair term must use the same one, so it is chosen before any term is made
 *      (both read it from the setup);
 *   2. the tally layout: each kind owns the next slots, in registry order;
 *   3. the terms: kinds in compute order (compute_rank, then registry order) are asked
 *      whether the force field and options want them, and make their term, which says
 *      what it needs (term.h);
 *   4. the neighbour list, cut at the largest cut-off a term needs, with one inner list at
 *      the largest inner cut-off asked for and every species pair some term marked. */
#include "glassmd/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glassmd/units.h"

struct gmd_model {
    gmd_forcefield ff; /* a copy, with the cut-off actually used */
    gmd_model_options options;
    gmd_kspace_params kspace;
    gmd_neighbor_list *nlist; /* reaching the largest cut-off a term needs */
    int nterms;
    gmd_term *terms[GMD_MODEL_MAX_TERMS];             /* in compute order */
    int nparts;                                       /* tally slots in use, 0 .. nparts - 1 */
    const gmd_energy_part *part[GMD_TALLY_MAX_PARTS]; /* slot by slot, from the kinds */
    gmd_timers *timers; /* where compute adds its wall time, per term and in the neighbour
                           list (NULL, as created: untimed); not owned */
    int forces_only;    /* passed to the terms (gmd_compute_args); 0 as created */
};

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

/* Step 1: the Coulomb parameters every Coulomb term must share. */
static gmd_status choose_coulomb(gmd_model *model, const gmd_box *box, const gmd_atoms *atoms,
                                 gmd_error *err)
{
    gmd_kspace_params *kp = &model->kspace;
    memset(kp, 0, sizeof *kp);
    kp->method = model->options.kspace;
    if (kp->method == GMD_KSPACE_NONE) return GMD_OK;
    kp->accuracy = model->options.accuracy;
    kp->cutoff = model->ff.cutoff;
    kp->order = 0; /* gmd_kspace_choose picks the default */
    return gmd_kspace_choose(kp, box, atoms, err);
}

/* Step 2: part names slot by slot, and the first slot of each kind. gmd_term_registry_add
 * keeps a registry within the limits; this guards one filled in by hand. */
static gmd_status lay_out_parts(gmd_model *model, const gmd_term_registry *registry,
                                int first_slot[GMD_REGISTRY_MAX_KINDS], gmd_error *err)
{
    if (registry->nkinds < 0 || registry->nkinds > GMD_REGISTRY_MAX_KINDS)
        return gmd_fail(err, GMD_ERR_INTERNAL, "term registry with %d kinds (at most %d)",
                        registry->nkinds, GMD_REGISTRY_MAX_KINDS);
    model->nparts = 0;
    for (int k = 0; k < registry->nkinds; k++) {
        const gmd_term_kind *kind = registry->kind[k];
        if (kind->nparts < 0 || kind->nparts > GMD_TALLY_MAX_PARTS - model->nparts)
            return gmd_fail(err, GMD_ERR_INTERNAL,
                            "term kind '%s': its %d energy parts overflow the tally (%d slots)",
                            kind->name, kind->nparts, GMD_TALLY_MAX_PARTS);
        first_slot[k] = model->nparts;
        for (int p = 0; p < kind->nparts; p++)
            model->part[model->nparts++] = &kind->parts[p];
    }
    return GMD_OK;
}

/* Kind indices by rising compute_rank, registry order among equal ranks (insertion sort:
 * a handful of kinds, and stable). */
static void order_kinds(const gmd_term_registry *registry, int order[GMD_REGISTRY_MAX_KINDS])
{
    for (int k = 0; k < registry->nkinds; k++) {
        int at = k;
        while (at > 0 &&
               registry->kind[order[at - 1]]->compute_rank > registry->kind[k]->compute_rank) {
            order[at] = order[at - 1];
            at--;
        }
        order[at] = k;
    }
}

/* What the model can provide: a finite list reach, an inner cut-off within it, one group. */
static gmd_status check_needs(const gmd_term *term, gmd_error *err)
{
    const gmd_term_needs *n = &term->needs;
    if (!(n->cutoff >= 0.0) || !isfinite(n->cutoff) || !(n->inner_cutoff >= 0.0) ||
        n->inner_cutoff > n->cutoff)
        return gmd_fail(err, GMD_ERR_INTERNAL,
                        "term %s needs cut-off %g A and inner cut-off %g A; both must be >= 0 "
                        "and the inner one at most the other",
                        term->name, n->cutoff, n->inner_cutoff);
    if (n->group != GMD_GROUP_SLOW && n->group != GMD_GROUP_FAST)
        return gmd_fail(err, GMD_ERR_INTERNAL,
                        "term %s declares time-stepping group %u; use GMD_GROUP_SLOW or "
                        "GMD_GROUP_FAST",
                        term->name, n->group);
    return GMD_OK;
}

/* Step 3: one term from each kind that is wanted, in compute order. */
static gmd_status create_terms(gmd_model *model, const gmd_term_registry *registry,
                               const gmd_term_setup *setup, const int first_slot[], gmd_error *err)
{
    int order[GMD_REGISTRY_MAX_KINDS];
    order_kinds(registry, order);
    for (int i = 0; i < registry->nkinds; i++) {
        const gmd_term_kind *kind = registry->kind[order[i]];
        if (!kind->wanted(kind, setup)) continue;
        gmd_term *term = NULL;
        gmd_status st = kind->create(kind, setup, &term, err);
        if (st != GMD_OK) return st;
        if (!term)
            return gmd_fail(err, GMD_ERR_INTERNAL, "term kind '%s' made no term", kind->name);
        model->terms[model->nterms++] = term;
        term->first_part = first_slot[order[i]];
        if ((st = check_needs(term, err)) != GMD_OK) return st;
    }
    return GMD_OK;
}

/* Step 4: one list for every term, with the inner list when some term asks for it. */
static gmd_status init_neighbor_list(gmd_model *model, gmd_error *err)
{
    double reach = 0.0, inner = 0.0;
    unsigned char pairs[GMD_NEIGHBOR_MAX_TYPES][GMD_NEIGHBOR_MAX_TYPES] = {{0}};
    for (int t = 0; t < model->nterms; t++) {
        const gmd_term_needs *n = &model->terms[t]->needs;
        reach = fmax(reach, n->cutoff);
        inner = fmax(inner, n->inner_cutoff);
        if (n->inner_cutoff > 0.0)
            for (int a = 0; a < GMD_MAX_SPECIES; a++)
                for (int b = 0; b < GMD_MAX_SPECIES; b++)
                    pairs[a][b] |= n->inner_pairs[a][b];
    }
    gmd_status st = gmd_neighbor_create(&model->nlist, reach, model->options.skin, err);
    if (st == GMD_OK && inner > 0.0) st = gmd_neighbor_set_inner(model->nlist, inner, pairs, err);
    return st;
}

/* Steps 1 to 4 into a zeroed model. */
static gmd_status assemble(gmd_model *model, const gmd_term_registry *registry,
                           const gmd_forcefield *ff, const gmd_model_options *options,
                           const gmd_box *box, const gmd_atoms *atoms, gmd_error *err)
{
    gmd_status cs = gmd_term_registry_check_sections(registry, ff, err);
    if (cs != GMD_OK) return cs;
    model->ff = *ff;
    model->options = *options;
    if (options->cutoff > 0) model->ff.cutoff = options->cutoff;
    if (model->options.accuracy <= 0) model->options.accuracy = ff->kspace_accuracy;
    if (model->options.threads < 1) model->options.threads = 1;
    if (model->options.skin < 0) model->options.skin = 1.0;
    if (!(model->ff.cutoff > 0))
        return gmd_fail(err, GMD_ERR_VALUE, "cut-off %g A must be positive", model->ff.cutoff);

    int first_slot[GMD_REGISTRY_MAX_KINDS];
    gmd_term_setup setup = {.ff = &model->ff,
                            .options = &model->options,
                            .kspace = &model->kspace,
                            .box = box,
                            .atoms = atoms};
    gmd_status st = lay_out_parts(model, registry, first_slot, err);
    if (st == GMD_OK) st = choose_coulomb(model, box, atoms, err);
    if (st == GMD_OK) st = create_terms(model, registry, &setup, first_slot, err);
    if (st == GMD_OK) st = init_neighbor_list(model, err);
    return st;
}

gmd_status gmd_model_create_from(gmd_model **out, const gmd_term_registry *registry,
                                 const gmd_forcefield *ff, const gmd_model_options *options,
                                 const gmd_box *box, const gmd_atoms *atoms, gmd_error *err)
{
    *out = NULL;
    gmd_model *model = gmd_calloc(1, sizeof *model, "model", err);
    if (!model) return GMD_ERR_NOMEM;
    gmd_status st = assemble(model, registry, ff, options, box, atoms, err);
    if (st != GMD_OK) {
        gmd_model_free(model);
        return st;
    }
    *out = model;
    return GMD_OK;
}

gmd_status gmd_model_create(gmd_model **model, const gmd_forcefield *ff,
                            const gmd_model_options *options, const gmd_box *box,
                            const gmd_atoms *atoms, gmd_error *err)
{
    gmd_term_registry builtin = gmd_term_registry_builtin();
    return gmd_model_create_from(model, &builtin, ff, options, box, atoms, err);
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
    if (gmd_neighbor_needs_rebuild(model->nlist, box, atoms)) {
        gmd_atoms_wrap(atoms, box);
        gmd_status st = gmd_neighbor_build(model->nlist, box, atoms, model->options.threads, err);
        if (st != GMD_OK) return st;
    }
    gmd_timer_stop(neighbor_time);
    gmd_atoms view = *atoms; /* the same atoms, with the forces going to `forces` */
    for (int k = 0; k < 3; k++)
        view.f[k] = forces[k];
    gmd_compute_args args = {.box = box,
                             .atoms = &view,
                             .nlist = model->nlist,
                             .threads = model->options.threads,
                             .forces_only = model->forces_only};
    for (int t = 0; t < model->nterms; t++) {
        if (!(model->terms[t]->needs.group & groups)) continue;
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

gmd_status gmd_model_rebuild_neighbors(gmd_model *model, const gmd_box *box, gmd_atoms *atoms,
                                       gmd_error *err)
{
    if (gmd_neighbor_built_at(model->nlist, atoms)) return GMD_OK;
    gmd_timer *neighbor_time = gmd_timers_phase(model->timers, GMD_TIMER_NEIGHBOR);
    gmd_timer_start(neighbor_time);
    gmd_atoms_wrap(atoms, box);
    gmd_status st = gmd_neighbor_build(model->nlist, box, atoms, model->options.threads, err);
    gmd_timer_stop(neighbor_time);
    return st;
}

int gmd_model_neighbors_built_at(const gmd_model *model, const gmd_atoms *atoms)
{
    return gmd_neighbor_built_at(model->nlist, atoms);
}

void gmd_model_set_forces_only(gmd_model *model, int forces_only)
{
    model->forces_only = forces_only != 0;
}

int gmd_model_has_group(const gmd_model *model, unsigned group)
{
    for (int t = 0; t < model->nterms; t++)
        if (model->terms[t]->needs.group & group) return 1;
    return 0;
}

int gmd_model_part_index(const gmd_model *model, const char *name)
{
    for (int p = 0; p < model->nparts; p++)
        if (!strcmp(model->part[p]->name, name)) return p;
    return -1;
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
    if (!model) return;
    for (int t = 0; t < model->nterms; t++)
        gmd_term_free(model->terms[t]);
    gmd_neighbor_free(model->nlist);
    free(model);
}

/* ---- reading a model ------------------------------------------------------------------ */

const gmd_forcefield *gmd_model_forcefield(const gmd_model *model)
{
    return &model->ff;
}

const gmd_model_options *gmd_model_settings(const gmd_model *model)
{
    return &model->options;
}

gmd_neighbor_list *gmd_model_neighbor_list(gmd_model *model)
{
    return model->nlist;
}

int gmd_model_nterms(const gmd_model *model)
{
    return model->nterms;
}

const gmd_term *gmd_model_term(const gmd_model *model, int t)
{
    return model->terms[t];
}

int gmd_model_nparts(const gmd_model *model)
{
    return model->nparts;
}

const gmd_energy_part *gmd_model_part(const gmd_model *model, int p)
{
    return model->part[p];
}

void gmd_model_set_timers(gmd_model *model, gmd_timers *timers)
{
    model->timers = timers;
}
