/* system.h - the state of a simulated system: an orthorhombic periodic box and the atoms.
 *
 * Data layout: structure of arrays. Coordinate k (0=x, 1=y, 2=z) of atom i is r[k][i];
 * the same for velocities v and forces f. Hot loops read r[0], r[1], r[2] and write
 * f[0..2] contiguously. Atoms keep the ids they were read with (id[i]); their order in the
 * arrays is free and may change. type[i] is a 0-based index into the force field's
 * species table. image[k][i] counts box crossings so that unwrapped = r + image * len. */
#ifndef GLASSMD_SYSTEM_H
#define GLASSMD_SYSTEM_H

#include <stddef.h>

#include "glassmd/error.h"

typedef struct gmd_box {
    double lo[3];  /* lower corner, A */
    double len[3]; /* edge lengths, A (orthorhombic) */
} gmd_box;

typedef struct gmd_atoms {
    size_t n;        /* number of atoms */
    size_t capacity; /* allocated length of every array */
    double *r[3];    /* positions, A (wrapped into the box by gmd_atoms_wrap) */
    double *v[3];    /* velocities, A/ps */
    double *f[3];    /* forces, eV/A */
    double *charge;  /* charge, e (copied from the species table) */
    int *type;       /* species index, 0-based */
    long *id;        /* ids from the input, 1-based in LAMMPS files */
    int *image[3];   /* periodic image counts */
} gmd_atoms;

double gmd_box_volume(const gmd_box *box);
/* 1 when a and b have the same origin and edges, bit for bit. */
int gmd_box_equal(const gmd_box *a, const gmd_box *b);

/* Allocates n atoms (all fields zeroed). */
gmd_status gmd_atoms_init(gmd_atoms *atoms, size_t n, gmd_error *err);
/* Grows to at least n atoms, keeping contents. */
gmd_status gmd_atoms_resize(gmd_atoms *atoms, size_t n, gmd_error *err);
void gmd_atoms_free(gmd_atoms *atoms);
/* Sets every force component to zero. */
void gmd_atoms_zero_forces(gmd_atoms *atoms);
/* Wraps positions into [lo, lo+len) and updates image counts accordingly. */
void gmd_atoms_wrap(gmd_atoms *atoms, const gmd_box *box);

/* Minimum-image displacement component: d reduced into [-len/2, len/2]. */
static inline double gmd_min_image(double d, double len)
{
    double half = 0.5 * len;
    if (d > half)
        d -= len * (double)(long)((d + half) / len);
    else if (d < -half)
        d += len * (double)(long)((half - d) / len);
    return d;
}

#endif
