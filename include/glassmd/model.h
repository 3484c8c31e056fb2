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

typedef struct gmd_model {
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
} gmd_model;

/* The model of the built-in kinds (gmd_term_registry_builtin). */
gmd_status gmd_model_create(gmd_model *model, const gmd_forcefield *ff,
                            const gmd_model_options *options, const gmd_box *box,
                            const gmd_atoms *atoms, gmd_error *err);
/* The model of the kinds of `registry`: each kind the force field and options want makes
 * its term, and the model provides what the terms say they need. The registry's kinds must
 * outlive the model (it keeps their part names). */
gmd_status gmd_model_create_from(gmd_model *model, const gmd_term_registry *registry,
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
/* 1 when some term belongs to `group`. */
int gmd_model_has_group(const gmd_model *model, unsigned group);
/* The tally slot of the energy part called `name`, or -1. */
int gmd_model_part_index(const gmd_model *model, const char *name);
/* A JSON object describing the k-space choice (method, g_ewald, mesh/kvectors, error). */
int gmd_model_describe_kspace(const gmd_model *model, char *buf, size_t len);
void gmd_model_free(gmd_model *model);

#endif
