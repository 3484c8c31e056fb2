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

#include "glassmd/error.h"
#include "glassmd/system.h"

/* Atom types (gmd_atoms.type) an inner-list type mask covers. */
#define GMD_NEIGHBOR_MAX_TYPES 16

/* Opaque: callers use the functions below; the force kernels, which walk the rows in
 * their inner loops, see the layout in src/neighbor/neighbor_internal.h. */
typedef struct gmd_neighbor_list gmd_neighbor_list;

/* A list for pairs within cutoff (A), with a skin (A); *out is NULL on failure. Free with
 * gmd_neighbor_free. */
gmd_status gmd_neighbor_create(gmd_neighbor_list **out, double cutoff, double skin, gmd_error *err);
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
/* 1 when the list was last built at exactly these positions (bit for bit), so that a
 * build now would give the same list. */
int gmd_neighbor_built_at(const gmd_neighbor_list *nl, const gmd_atoms *atoms);
/* Forces the next gmd_neighbor_needs_rebuild to answer 1 (used after checkpoints so that a
 * resumed run and an uninterrupted one rebuild at the same step). */
void gmd_neighbor_invalidate(gmd_neighbor_list *nl);
/* Frees the list (NULL is fine). */
void gmd_neighbor_free(gmd_neighbor_list *nl);

/* ---- reading a list ------------------------------------------------------------------- */
double gmd_neighbor_cutoff(const gmd_neighbor_list *nl);
double gmd_neighbor_skin(const gmd_neighbor_list *nl);
/* Builds so far. */
long gmd_neighbor_builds(const gmd_neighbor_list *nl);
/* Stored pairs (of the full list; inner 1: of the inner list). */
size_t gmd_neighbor_pairs(const gmd_neighbor_list *nl, int inner);
/* The neighbours of atom i (*count of them) in the full list, or (inner 1) the inner list;
 * NULL with *count 0 before a build or when there is no inner list. */
const int *gmd_neighbor_row(const gmd_neighbor_list *nl, size_t i, int inner, size_t *count);
double gmd_neighbor_inner_cutoff(const gmd_neighbor_list *nl);
/* 1 when the inner list keeps pairs of types (a, b): the mask set, or every pair when no
 * mask was given. */
int gmd_neighbor_inner_has_types(const gmd_neighbor_list *nl, int a, int b);

#endif
