/* term.h - the one interface every force-field term implements, and what a term declares
 * about itself.
 *
 * A term is a struct of function pointers (as CoMD's potentials, LAMMPS's styles):
 * created once from the force field and the box (expensive set-up: tables, meshes, FFT
 * plans), then compute() every step, describe() for logs and JSON, destroy() at the end.
 * compute() ADDS forces into atoms->f and ADDS energy and virial into the tally slots it
 * owns, so terms can be summed in any order. The virial is W_ab = sum r_a f_b over pairs
 * (eV), ordered xx yy zz xy xz yz; pressure_virial = W / V * GMD_EV_A3_TO_BAR.
 *
 * A term describes itself, as LAMMPS's init_one / init_style do, so that the model that
 * assembles terms (model.h) needs no code per term:
 *   - needs: the neighbour-list reach it needs (its cut-off, 0 for none), the inner list and
 *     species pairs it scans (the three-body bonds), and its time-stepping group (fast
 *     terms are integrated with inner steps, md.h);
 *   - energy parts: a term owns the contiguous tally slots first_part .. first_part +
 *     nparts - 1, one per energy part its kind names (term_registry.h). The model assigns
 *     first_part; a term made on its own, without a model, tallies from slot 0.
 * The tally is a fixed array of GMD_TALLY_MAX_PARTS slots, so that clearing, adding and
 * copying it stays as cheap as before terms named their parts; unused slots stay 0. */
#ifndef GLASSMD_TERM_H
#define GLASSMD_TERM_H

#include <stddef.h>

#include "glassmd/error.h"
#include "glassmd/forcefield.h"
#include "glassmd/system.h"

struct gmd_neighbor_list;

/* The most energy parts all the kinds of one registry may name together. */
#define GMD_TALLY_MAX_PARTS 16

typedef struct gmd_tally {
    double energy[GMD_TALLY_MAX_PARTS]; /* eV, slot by slot (names: the model's parts) */
    double virial[6];                   /* eV, xx yy zz xy xz yz, summed over all parts */
} gmd_tally;

void gmd_tally_clear(gmd_tally *t);
/* The sum of every slot, in slot order (so equal tallies give bitwise equal totals). */
double gmd_tally_total(const gmd_tally *t);
/* to += from, part by part and virial component by component. */
void gmd_tally_add(gmd_tally *to, const gmd_tally *from);

/* One energy part a term tallies, by name (the key `glassmd eval` prints it under). */
typedef struct gmd_energy_part {
    const char *name; /* "buckingham", "coulomb_real", ... */
    const char *sum;  /* NULL, or a total over several parts ("coulomb") that is listed too,
                         before the first part that belongs to it */
} gmd_energy_part;

/* Groups of terms for multiple time stepping (md.h): the three-body angle terms are FAST
 * (stiff through their taper, and cheap), the pair and k-space terms SLOW. */
enum { GMD_GROUP_SLOW = 1u, GMD_GROUP_FAST = 2u, GMD_GROUP_ALL = 3u };

/* What a term needs from the model around it, filled in by its create function. */
typedef struct gmd_term_needs {
    double cutoff;       /* A: the neighbour list must hold every pair within this; 0: none */
    double inner_cutoff; /* A, <= cutoff: > 0 asks for the inner list (neighbor.h) of the
                            pairs within it whose species pair is marked in inner_pairs.
                            Terms asking share one inner list (the largest cut-off, every
                            marked pair), so a term still checks its own distances. */
    unsigned char inner_pairs[GMD_MAX_SPECIES][GMD_MAX_SPECIES]; /* both orders set */
    unsigned group;                                              /* GMD_GROUP_SLOW or _FAST */
} gmd_term_needs;

/* What a term needs at compute time. The neighbour list is a half list built with the
 * largest cut-off the terms need plus a skin; terms that need no list ignore it. */
typedef struct gmd_compute_args {
    const gmd_box *box;
    gmd_atoms *atoms; /* forces are added to atoms->f */
    const struct gmd_neighbor_list *nlist;
    int threads; /* OpenMP threads to use (>= 1) */
    /* 1: only the forces are wanted (an MD step between thermo lines): a term may then
     * leave its energies and virial out of the tally, as LAMMPS does without eflag and
     * vflag; the forces must be the same as with 0. */
    int forces_only;
} gmd_compute_args;

typedef struct gmd_term gmd_term;
struct gmd_term {
    const char *name; /* "buckingham/coul", "ewald", "pppm", "threebody" */
    void *state;      /* owned by the term */
    gmd_term_needs needs;
    int first_part; /* its energy parts go to tally slots first_part, first_part + 1, ... */
    gmd_status (*compute)(gmd_term *self, const gmd_compute_args *args, gmd_tally *tally,
                          gmd_error *err);
    /* Writes a JSON object (no trailing newline) describing the chosen parameters. */
    int (*describe)(const gmd_term *self, char *buf, size_t len);
    void (*destroy)(gmd_term *self);
};

/* A new term with the name, functions and needs of `kind` and a zeroed state of
 * state_size bytes, for the create functions of the terms; NULL (err filled) when out of
 * memory. The caller builds the state in place and, on a later failure, releases
 * everything with gmd_term_free, so kind->destroy must accept a partly built (zeroed)
 * state. */
gmd_term *gmd_term_new(const gmd_term *kind, size_t state_size, gmd_error *err);

/* Calls self->destroy and frees the term itself; NULL is fine. */
void gmd_term_free(gmd_term *term);

#endif
