/* neighbor.h - Verlet neighbour lists built by cell binning, with a skin.
 *
 * A half list: each pair (i, j) within cutoff + skin appears once, under the smaller of
 * the two indices' owner as the build decides. Storage is compressed rows: the neighbours
 * of atom i are index[start[i]] .. index[start[i+1]-1]. Displacements are taken with the
 * minimum-image convention (gmd_min_image), which is exact while cutoff + skin <= len/2 in
 * every direction; gmd_neighbor_build refuses a box that is smaller than that.
 * The list stays valid until some atom has moved more than skin/2 since the build
 * (gmd_neighbor_needs_rebuild).
 *
 * An optional inner list (gmd_neighbor_set_inner) holds, in the same row layout and order,
 * the pairs of the list that were within inner_cutoff + skin at the build: a short-range
 * term (the three-body bonds, r3 = 2.7 A against a 10 A list) scans a few neighbours per
 * atom instead of all of them, which matters when it is evaluated several times per step
 * (multiple time stepping). It is valid exactly as long as the full list. */
#ifndef GLASSMD_NEIGHBOR_H
#define GLASSMD_NEIGHBOR_H

#include <stddef.h>

#include "glassmd/cell_grid.h"
#include "glassmd/error.h"
#include "glassmd/system.h"

/* Atom types (gmd_atoms.type) an inner-list type mask covers. */
#define GMD_NEIGHBOR_MAX_TYPES 16

typedef struct gmd_neighbor_list {
    double cutoff; /* interaction cut-off, A */
    double skin;   /* extra shell, A */
    size_t natoms;
    size_t *start; /* natoms + 1 row offsets */
    int *index;    /* neighbour indices */
    size_t npairs; /* number of stored pairs */
    size_t capacity;
    double *r0[3]; /* positions at the last build */
    long builds;   /* how many times the list was built */
    /* inner list: pairs within inner_cutoff + skin at the build (inner_cutoff 0: none),
     * of the type pairs marked in inner_types when inner_masked (else of any types) */
    double inner_cutoff;
    int inner_masked;
    unsigned char inner_types[GMD_NEIGHBOR_MAX_TYPES][GMD_NEIGHBOR_MAX_TYPES];
    size_t *inner_start; /* natoms + 1 row offsets into inner_index */
    int *inner_index;
    size_t inner_npairs, inner_capacity;
    int stale;           /* 1: rebuild at the next check (gmd_neighbor_invalidate) */
    gmd_cell_grid cells; /* cell binning workspace */
} gmd_neighbor_list;

gmd_status gmd_neighbor_init(gmd_neighbor_list *nl, double cutoff, double skin, gmd_error *err);
/* Asks every later build for an inner list of the pairs within inner_cutoff (A, at most
 * the cut-off; 0 turns it off) whose types (a, b) have types[a][b] set (types NULL: all
 * pairs; the mask is used as given, so set both orders); the next needs_rebuild answers 1. */
gmd_status gmd_neighbor_set_inner(gmd_neighbor_list *nl, double inner_cutoff,
                                  const unsigned char (*types)[GMD_NEIGHBOR_MAX_TYPES],
                                  gmd_error *err);
/* Builds the list; the atoms must be wrapped into the box (gmd_atoms_wrap). */
gmd_status gmd_neighbor_build(gmd_neighbor_list *nl, const gmd_box *box, const gmd_atoms *atoms,
                              int threads, gmd_error *err);
/* 1 when some atom moved more than skin/2 since the last build (or never built). */
int gmd_neighbor_needs_rebuild(const gmd_neighbor_list *nl, const gmd_box *box,
                               const gmd_atoms *atoms);
/* Forces the next gmd_neighbor_needs_rebuild to answer 1 (used after checkpoints so that a
 * resumed run and an uninterrupted one rebuild at the same step). */
void gmd_neighbor_invalidate(gmd_neighbor_list *nl);
void gmd_neighbor_free(gmd_neighbor_list *nl);

#endif
