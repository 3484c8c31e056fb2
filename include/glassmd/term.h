/* term.h - the one interface every force-field term implements.
 *
 * A term is a struct of function pointers (as CoMD's potentials, LAMMPS's styles):
 * created once from the force field and the box (expensive set-up: tables, meshes, FFT
 * plans), then compute() every step, describe() for logs and JSON, destroy() at the end.
 * compute() ADDS forces into atoms->f and ADDS energy and virial into the tally slots it
 * owns, so terms can be summed in any order. The virial is W_ab = sum r_a f_b over pairs
 * (eV), ordered xx yy zz xy xz yz; pressure_virial = W / V * GMD_EV_A3_TO_BAR. */
#ifndef GLASSMD_TERM_H
#define GLASSMD_TERM_H

#include <stddef.h>

#include "glassmd/error.h"
#include "glassmd/forcefield.h"
#include "glassmd/system.h"

struct gmd_neighbor_list;

typedef enum gmd_energy_part {
    GMD_PART_BUCKINGHAM = 0, /* A exp(-r/rho) - C/r^6 */
    GMD_PART_WALL,           /* D/r^n repulsive cores */
    GMD_PART_COUL_REAL,      /* erfc-screened real-space Ewald sum */
    GMD_PART_COUL_RECIP,     /* reciprocal-space sum (Ewald or mesh) */
    GMD_PART_COUL_SELF,      /* self energy (and neutralising background, if any) */
    GMD_PART_THREEBODY,      /* angle terms */
    GMD_PART_COUNT
} gmd_energy_part;

typedef struct gmd_tally {
    double energy[GMD_PART_COUNT]; /* eV */
    double virial[6];              /* eV, xx yy zz xy xz yz, summed over all parts */
} gmd_tally;

void gmd_tally_clear(gmd_tally *t);
double gmd_tally_total(const gmd_tally *t);
/* to += from, part by part and virial component by component. */
void gmd_tally_add(gmd_tally *to, const gmd_tally *from);

/* What a term needs at compute time. The neighbour list is a half list built with the
 * force field's cut-off plus a skin; terms that need no list ignore it. */
typedef struct gmd_compute_args {
    const gmd_box *box;
    gmd_atoms *atoms; /* forces are added to atoms->f */
    const struct gmd_neighbor_list *nlist;
    int threads; /* OpenMP threads to use (>= 1) */
} gmd_compute_args;

typedef struct gmd_term gmd_term;
struct gmd_term {
    const char *name; /* "buckingham/coul", "ewald", "pppm", "threebody" */
    void *state;      /* owned by the term */
    gmd_status (*compute)(gmd_term *self, const gmd_compute_args *args, gmd_tally *tally,
                          gmd_error *err);
    /* Writes a JSON object (no trailing newline) describing the chosen parameters. */
    int (*describe)(const gmd_term *self, char *buf, size_t len);
    void (*destroy)(gmd_term *self);
};

/* A new term with the name and functions of `kind` and a zeroed state of state_size
 * bytes, for the create functions of the terms; NULL (err filled) when out of memory. The
 * caller builds the state in place and, on a later failure, releases everything with
 * gmd_term_free, so kind->destroy must accept a partly built (zeroed) state. */
gmd_term *gmd_term_new(const gmd_term *kind, size_t state_size, gmd_error *err);

/* Calls self->destroy and frees the term itself; NULL is fine. */
void gmd_term_free(gmd_term *term);

#endif
