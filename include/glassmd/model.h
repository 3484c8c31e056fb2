/* model.h - a force field made ready to compute: the list of terms (pair, k-space,
 * three-body), the neighbour list and the chosen Coulomb parameters. gmd_model_compute is
 * what an integrator or `glassmd eval` calls: it zeroes forces, rebuilds the neighbour list
 * when atoms moved more than half the skin, and sums every term. */
#ifndef GLASSMD_MODEL_H
#define GLASSMD_MODEL_H

#include <stddef.h>

#include "glassmd/forcefield.h"
#include "glassmd/kspace.h"
#include "glassmd/neighbor.h"
#include "glassmd/term.h"
#include "glassmd/timer.h"

#define GMD_MODEL_MAX_TERMS 4

/* Groups of terms for multiple time stepping (md.h): the three-body angle terms are FAST
 * (stiff through their taper, and cheap), the pair and k-space terms SLOW. */
enum { GMD_GROUP_SLOW = 1u, GMD_GROUP_FAST = 2u, GMD_GROUP_ALL = 3u };

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
    gmd_neighbor_list nlist;
    int nterms;
    gmd_term *terms[GMD_MODEL_MAX_TERMS];
    unsigned group[GMD_MODEL_MAX_TERMS]; /* GMD_GROUP_SLOW or GMD_GROUP_FAST */
    gmd_timers *timers; /* where compute adds its wall time, per term and in the neighbour
                           list (NULL, as created: untimed); not owned */
} gmd_model;

gmd_status gmd_model_create(gmd_model *model, const gmd_forcefield *ff,
                            const gmd_model_options *options, const gmd_box *box,
                            const gmd_atoms *atoms, gmd_error *err);
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
/* A JSON object describing the k-space choice (method, g_ewald, mesh/kvectors, error). */
int gmd_model_describe_kspace(const gmd_model *model, char *buf, size_t len);
void gmd_model_free(gmd_model *model);

#endif
