/* term_registry.h - the kinds of force-field term a model can be made of, and the
 * registry that lists them.
 *
 * A kind says which energy parts its term tallies, whether a force field and model
 * options want the term (wanted), and how to make it (create); the term then states its
 * own needs (term.h). gmd_model_create asks every kind of a registry in turn, so adding a
 * term means writing its file and either listing its kind in the built-in table
 * (src/forcefield/term_registry.c) or registering it (gmd_term_registry_add, as
 * tests/unit/test_term_registry.c does with a harmonic wall); only a term that reads new
 * force-field data also needs the parser (docs/terms.md).
 *
 * Registry order fixes two things:
 *   - the tally layout: each kind owns the next nparts slots, in registry order, whether
 *     or not a force field wants it, so that the parts a model reports (eval's JSON keys,
 *     in order) do not change with the options: a run without three-body terms still
 *     reports threebody = 0;
 *   - the order terms are created and computed in, among kinds of the same compute_rank
 *     (lower ranks first). Floating-point sums depend on order; the k-space kind has rank
 *     -1 so that it adds its forces and virial before the pair term, as it always has,
 *     which keeps every result bitwise the same while its parts are listed after the
 *     pair term's.
 *
 * The built-in kinds, in order: buckingham/coul (buckingham, wall, coulomb_real),
 * kspace (coulomb_recip, coulomb_self) and threebody (threebody). A registry is a value
 * owned by its caller: the built-in table is constant and the kinds a caller adds are
 * pointers it keeps alive for as long as models made from the registry live. */
#ifndef GLASSMD_TERM_REGISTRY_H
#define GLASSMD_TERM_REGISTRY_H

#include "glassmd/error.h"
#include "glassmd/forcefield.h"
#include "glassmd/system.h"
#include "glassmd/term.h"

struct gmd_model_options;
struct gmd_kspace_params;

/* The most kinds one registry holds, built-in ones included (so also the most terms a
 * model holds: each kind makes at most one). */
#define GMD_REGISTRY_MAX_KINDS 8

/* What a kind sees when the model asks for its term. */
typedef struct gmd_term_setup {
    const gmd_forcefield *ff;                /* the model's copy, with the cut-off in use */
    const struct gmd_model_options *options; /* as completed by the model (model.h) */
    const struct gmd_kspace_params *kspace;  /* the Coulomb splitting the model chose
                                                (method GMD_KSPACE_NONE: no Coulomb) */
    const gmd_box *box;
    const gmd_atoms *atoms;
} gmd_term_setup;

typedef struct gmd_term_kind gmd_term_kind;
struct gmd_term_kind {
    const char *name;             /* unique in a registry: "buckingham/coul", "kspace" */
    int nparts;                   /* energy parts, 1 .. GMD_TALLY_MAX_PARTS */
    const gmd_energy_part *parts; /* their names, in slot order */
    int compute_rank;             /* lower ranks are created and computed first */
    /* 1 when the force field and options want this term. */
    int (*wanted)(const gmd_term_kind *self, const gmd_term_setup *setup);
    /* Makes the term, its needs filled in; GMD_OK, or an error with err filled. */
    gmd_status (*create)(const gmd_term_kind *self, const gmd_term_setup *setup, gmd_term **out,
                         gmd_error *err);
    const void *data; /* the kind's own constants (a registered kind's parameters) */
    /* The force-field section [section] this kind reads (gmd_forcefield_section), or NULL:
     * a section that no kind of the registry names makes the model refuse the file. */
    const char *section;
};

typedef struct gmd_term_registry {
    int nkinds;
    const gmd_term_kind *kind[GMD_REGISTRY_MAX_KINDS];
    int nparts; /* the slots all kinds own together */
} gmd_term_registry;

/* A registry of the built-in kinds. */
gmd_term_registry gmd_term_registry_builtin(void);

/* Appends `kind` (after every kind already there). Refuses, with err filled, a kind
 * without a name, parts, wanted or create, a name already registered, and a kind that
 * would overflow the registry or the tally. */
gmd_status gmd_term_registry_add(gmd_term_registry *registry, const gmd_term_kind *kind,
                                 gmd_error *err);

/* GMD_OK when every section the force-field parser kept for a kind (gmd_forcefield_section)
 * is one that a kind of the registry reads; else an error naming the file, the section's
 * line and the cure. gmd_model_create_from checks it; so do the programs that read a force
 * field without making a model of it (the study file check, glassmd build). */
gmd_status gmd_term_registry_check_sections(const gmd_term_registry *registry,
                                            const gmd_forcefield *ff, gmd_error *err);
/* The kind called `name`, or NULL. */
const gmd_term_kind *gmd_term_registry_find(const gmd_term_registry *registry, const char *name);

#endif
