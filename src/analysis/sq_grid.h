/* sq_grid.h - the species' structure-factor amplitudes rho_a(k) on the reciprocal lattice
 * of the box by a gridded transform (sq_grid.c), for the reciprocal-lattice S(k) of sq.c.
 * Internal: sq.c (and fsdp.c through it) and the unit tests use it. Plan, execute,
 * destroy: gmd_sq_grid_frame plans on the first frame (and again when the box changes
 * the modes needed), then transforms; gmd_sq_grid_free destroys. */
#ifndef GLASSMD_SQ_GRID_H
#define GLASSMD_SQ_GRID_H

#include "structure_internal.h" /* GMD_SIMD_CLONES */

typedef struct gmd_sq_grid gmd_sq_grid;

/* rho_a(k) of every species a with bit a of species_mask set, for every k = 2 pi (n1/Lx,
 * n2/Ly, n3/Lz) with |k| <= kmax (the sphere; the other modes of the box |n_d| <= floor(kmax
 * L_d / 2 pi) are left as they were), from the frame's positions. *g is created on the first call
 * (NULL before) and kept; threads share the work, the result does not depend on their number. */
gmd_status gmd_sq_grid_frame(gmd_sq_grid **g, const gmd_frame *frame, int nspecies,
                             unsigned species_mask, double kmax, int threads, gmd_error *err);
/* rho_a at (n1, n2, n3), n3 = 0 .. nmax_z, of the last frame: the real and imaginary
 * parts of n3 at [2 n3] and [2 n3 + 1]; at (-n1, -n2, -n3) it is the complex conjugate.
 * The column must lie in the box of gmd_sq_grid_frame; its modes beyond |k| = kmax are not
 * set. */
const double *gmd_sq_grid_column(const gmd_sq_grid *g, int a, int n1, int n2);
/* The mesh points in x and y (z is summed exactly), the kernel's width chosen (in mesh
 * points), and the bound on the aliased share of any rho_a(k) (sq_grid.c's header). */
void gmd_sq_grid_params(const gmd_sq_grid *g, int mesh[2], int *width, double *alias_bound);
/* The degree of the stencil weights' polynomials and their largest error found, relative to
 * the kernel's peak (sq_grid.c, poly_fit). */
void gmd_sq_grid_kernel_fit(const gmd_sq_grid *g, int *degree, double *error);
void gmd_sq_grid_free(gmd_sq_grid *g);

#endif
