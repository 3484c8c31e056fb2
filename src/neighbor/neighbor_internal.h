/* neighbor_internal.h - the layout of the neighbour list (include/glassmd/neighbor.h),
 * for the code that walks its rows in hot loops: src/neighbor/neighbor.c, which builds it,
 * and the force kernels (src/forcefield/pair_buck_coul.c, threebody.c), which read start[]
 * and index[] directly so that an opaque list costs them nothing. Everyone else uses the
 * functions of neighbor.h. Not installed. */
#ifndef GLASSMD_NEIGHBOR_INTERNAL_H
#define GLASSMD_NEIGHBOR_INTERNAL_H

#include "glassmd/cell_grid.h"
#include "glassmd/neighbor.h"

struct gmd_neighbor_list {
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
};

#endif
