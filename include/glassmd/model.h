/* model.h - a force field made ready to compute: the terms the registry's kinds made of it
 * (pair, k-space, three-body, ...), the neighbour list they need, the names of the tally's
 * energy parts and the chosen Coulomb parameters. gmd_model_compute is what an integrator
 * or `glassmd eval` calls: it zeroes forces, rebuilds the neighbour list when atoms moved
 * more than half the skin, and sums every term. */
#ifndef GLASSMD_MODEL_H
#define GLASSMD_MODEL_H

#include <stddef.h>

#include "glassmd/forcefield.h"
#include "glassmd/kspace.h"
#include "glassmd/neighbor.h"
#include "glassmd/term.h"
#include "glassmd/term_registry.h"
#include "glassmd/timer.h"

#define GMD_MODEL_MAX_TERMS GMD_REGISTRY_MAX_KINDS

typedef struct gmd_model_options {
    gmd_kspace_method kspace; /* GMD_KSPACE_NONE: no Coulomb at all */
    double accuracy;          /* relative force accuracy (<= 0: the force field's) */
    double cutoff;            /* A (<= 0: the force field's) */
    int threebody;            /* 1: include the force field's three-body terms */
    int taper_override;       /* -1: as in the file; GMD_TAPER_SMOOTH / GMD_TAPER_HARD */
    int threads;              /* OpenMP threads (>= 1) */
    double skin;              /* neighbour-list skin, A (< 0: default 1.0) */
} gmd_model_options;

/* Options with the force field's defaults: its k-space method and accuracy, cut-off,
 * three-body terms on, one thread, skin 1 A. */
gmd_model_options gmd_model_default_options(const gmd_forcefield *ff);

/* Opaque: callers use the functions below (no force kernel reads the model). */
typedef struct gmd_model gmd_model;

/* The model of the built-in kinds (gmd_term_registry_builtin); *model is NULL on failure.
 * Free with gmd_model_free. */
gmd_status gmd_model_create(gmd_model **model, const gmd_forcefield *ff,
                            const gmd_model_options *options, const gmd_box *box,
                            const gmd_atoms *atoms, gmd_error *err);
/* The model of the kinds of `registry`: each kind the force field and options want makes
 * its term, and the model provides what the terms say they need. The registry's kinds must
 * outlive the model (it keeps their part names). */
gmd_status gmd_model_create_from(gmd_model **model, const gmd_term_registry *registry,
                                 const gmd_forcefield *ff, const gmd_model_options *options,
                                 const gmd_box *box, const gmd_atoms *atoms, gmd_error *err);
/* Zeroes atoms->f, then adds every term's forces; fills tally (cleared first). */
gmd_status gmd_model_compute(gmd_model *model, const gmd_box *box, gmd_atoms *atoms,
                             gmd_tally *tally, gmd_error *err);
/* The same for the terms of `groups` only (GMD_GROUP_* or'ed), with the forces going to
 * forces[0..2] (n each, zeroed first) instead of atoms->f; the neighbour list is checked
 * and rebuilt as by gmd_model_compute. */
gmd_status gmd_model_compute_group(gmd_model *model, unsigned groups, const gmd_box *box,
                                   gmd_atoms *atoms, double *const forces[3], gmd_tally *tally,
                                   gmd_error *err);
/* Wraps the atoms into the box and builds the neighbour list at their positions now (as a
 * compute does when they moved too far), unless it was built at exactly these positions:
 * the rule of exact resume (run.c). Timed as the neighbour list. */
gmd_status gmd_model_rebuild_neighbors(gmd_model *model, const gmd_box *box, gmd_atoms *atoms,
                                       gmd_error *err);
/* 1 when the neighbour list was built at exactly the atoms' current positions. */
int gmd_model_neighbors_built_at(const gmd_model *model, const gmd_atoms *atoms);
/* With forces_only = 1 the following computes may leave energies and virial out of the
 * tally (each term decides; the forces do not change); 0 (as created) gives the full
 * tally. An integrator sets it for the steps whose energies nobody reads. */
void gmd_model_set_forces_only(gmd_model *model, int forces_only);
/* 1 when some term belongs to `group`. */
int gmd_model_has_group(const gmd_model *model, unsigned group);
/* The tally slot of the energy part called `name`, or -1. */
int gmd_model_part_index(const gmd_model *model, const char *name);
/* A JSON object describing the k-space choice (method, g_ewald, mesh/kvectors, error). */
int gmd_model_describe_kspace(const gmd_model *model, char *buf, size_t len);
/* Frees the model (NULL is fine). */
void gmd_model_free(gmd_model *model);

/* ---- reading a model ------------------------------------------------------------------ */
/* The model's copy of the force field, with the cut-off actually used. */
const gmd_forcefield *gmd_model_forcefield(const gmd_model *model);
/* The options as completed at creation (accuracy, threads and skin filled in). */
const gmd_model_options *gmd_model_settings(const gmd_model *model);
/* The neighbour list the terms share (to invalidate it, e.g. after a checkpoint). */
gmd_neighbor_list *gmd_model_neighbor_list(gmd_model *model);
/* The terms in compute order: term t of nterms. */
int gmd_model_nterms(const gmd_model *model);
const gmd_term *gmd_model_term(const gmd_model *model, int t);
/* The tally's energy parts, slot by slot: part p of nparts. */
int gmd_model_nparts(const gmd_model *model);
const gmd_energy_part *gmd_model_part(const gmd_model *model, int p);
/* Where compute adds its wall time, per term and in the neighbour list (NULL, as created:
 * untimed); not owned. */
void gmd_model_set_timers(gmd_model *model, gmd_timers *timers);

#endif
