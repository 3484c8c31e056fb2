/* neighbor.c - Verlet neighbour lists by cell binning (see include/glassmd/neighbor.h).
 *
 * Algorithm
 * ---------
 * Let rl = cutoff + skin (the list radius). The box is cut into ncell[0] x ncell[1] x
 * ncell[2] cells, of side >= rl/2 across (x, y) and >= rl/8 along z (the 3000-atom, 41 A
 * reference box: 7 x 7 x 29 cells of 5.9 x 5.9 x 1.4 A). Partners of an atom lie at most
 * m = ceil(rl/side) cells away along each direction (2 across, 8 along z); the stencil
 * keeps the (dx, dy) columns whose closest points are nearer than rl, each with the run of
 * z offsets dz_lo..dz_hi that can reach the rl-sphere.
 *
 * Atoms are counting-sorted by cell (cell index (cx ny + cy) nz + cz), so the cells of one
 * column with consecutive z are one contiguous stretch of the sorted arrays (two if it
 * wraps around the box): the cost of a scan is a fixed cost per stretch plus a cost per
 * candidate. Per atom, each column's run is cut to the z extent of the rl-sphere over the
 * part of the column nearest to the atom (column_z_range), and columns farther than rl
 * are skipped: few wide columns keep the stretches few, thin z cells keep the candidates
 * near the sphere (measured on the 3000-atom melt: 2.1 candidates per pair found, 15
 * stretches per atom, 2.75 ms a build on one core; cells of side rl/3 in every direction
 * without the per-atom cut, the previous layout: about 3 candidates per pair, 29 stretches
 * per atom with the cut).
 *
 * Two modes:
 * - Half stencil (the usual case, every direction has at least 2m+1 cells): atom i scans
 *   its own cell and the "forward" half of the stencil (columns with dx > 0, or dx = 0
 *   and dy > 0, and the cells above its own in column (0, 0)). A pair in two different
 *   cells is found once, from the atom in the backward cell; a pair inside one cell goes
 *   to its owner (below). Displacements use the image shift of the whole stencil cell,
 *   taken from the cell's unwrapped index, on positions wrapped consistently with the
 *   cells: no per-pair minimum image.
 * - Full stencil (a small box, some direction has fewer than 2m+1 cells, so a cell and
 *   its mirror may coincide): the offsets along such a direction are its ncell distinct
 *   ones, every atom scans every stencil cell, each pair is seen twice and stored by its
 *   owner only, with a per-pair (branch-free) minimum image.
 * Owner rule: pair (i, j) belongs to the smaller index when i + j is even, to the larger
 * when it is odd. Either way each row holds about half of its atom's neighbours, so rows
 * are balanced for a static OpenMP schedule in the pair loop.
 *
 * Parallel build in one parallel region: each thread fills the rows of a contiguous block
 * of atoms into its own buffers, kept from build to build (a branch-free scan: every
 * candidate is written, the count advances only for hits), and writes the row lengths;
 * after a barrier, the thread offsets are summed in thread order and each thread turns its
 * own lengths into row offsets and copies its buffers into the compressed rows. The list
 * (rows and order) depends on the positions only, never on the thread count.
 *
 * Data layout
 * -----------
 * Rows are in atom order (atom order belongs to the caller and is never changed); within
 * a row neighbours come in stencil order, so consecutive j are close in space.
 * Cell workspace: the library's cell grid (glassmd/cell_grid.h) bins the atoms, so that
 * start[c] .. start[c+1]-1 are the slots of cell c in atom[], the atom indices sorted by
 * cell (a counting sort, ascending index within a cell, so that scans are contiguous);
 * the list copies the wrapped positions and the types into that slot order (sorted[],
 * sorted_type[]) so that a stretch is read contiguously.
 * r0 keeps the positions of the last build for gmd_neighbor_needs_rebuild, which compares
 * min-image displacements with skin/2: if no atom moved farther, no pair can have closed
 * in from beyond cutoff + skin to within the cut-off.
 * A box that changed since the build (a barostat scales the box and the positions with
 * it, to the same fractions of the box) is allowed for: each displacement is measured
 * from where the scaling alone took the build position, r0' = lo + (r0 - lo0) len/len0,
 * and the limit shrinks. A pair beyond rl at the build is, after the scaling, at least
 * s rl away (s: the smallest len/len0, when below 1) less the two displacements, so it
 * stays beyond the cut-off while every displacement is below (skin - (1 - s) rl) / 2.
 *
 * Inner list: filled in the same scan. A hit within inner_cutoff + skin (and, with a type
 * mask, of a wanted type pair: the types are sorted with the positions) is also appended
 * to the thread's inner buffer, a rare, well-predicted branch; the inner rows are the full
 * rows filtered, in the same order. A pair that comes within inner_cutoff before the next
 * rebuild was within inner_cutoff + skin at the build, by the same argument as for the
 * full list.
 *
 * Minimum image is exact while rl <= len/2 in every direction, which gmd_neighbor_build
 * checks: then a pair within rl has exactly one image within rl. */
#include "neighbor_internal.h"

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Cells of side >= rl / CELL_DIVISOR_XY across and >= rl / CELL_DIVISOR_Z along z: partners
 * are at most that many cells apart. */
#ifndef CELL_DIVISOR_XY
#define CELL_DIVISOR_XY 2
#endif
#ifndef CELL_DIVISOR_Z
#define CELL_DIVISOR_Z 8
#endif
#define MAX_OFFSET (2 * CELL_DIVISOR_XY + 1)

typedef struct stencil_column {
    int dx, dy, dz_lo, dz_hi;
    int self; /* 1: the atom's own cell, where the owner rule decides */
} stencil_column;

typedef struct stencil {
    int n[3];                                           /* cells per direction */
    int full;                                           /* 1: full-stencil mode */
    int ncolumns;                                       /* columns kept */
    stencil_column column[MAX_OFFSET * MAX_OFFSET + 1]; /* the stencil */
} stencil;

/* Threads a build uses at the most. */
#define GMD_NEIGHBOR_MAX_THREADS 256

gmd_status gmd_neighbor_create(gmd_neighbor_list **out, double cutoff, double skin, gmd_error *err)
{
    *out = NULL;
    if (!(cutoff > 0.0) || !isfinite(cutoff))
        return gmd_fail(err, GMD_ERR_VALUE,
                        "neighbour list: cut-off %g A must be a positive number of Angstrom",
                        cutoff);
    if (!(skin >= 0.0) || !isfinite(skin))
        return gmd_fail(err, GMD_ERR_VALUE,
                        "neighbour list: skin %g A must be >= 0 (2 A is usual in metal units)",
                        skin);
    gmd_neighbor_list *nl = gmd_calloc(1, sizeof *nl, "neighbour list", err);
    if (!nl) return GMD_ERR_NOMEM;
    nl->cutoff = cutoff;
    nl->skin = skin;
    *out = nl;
    return GMD_OK;
}

gmd_status gmd_neighbor_set_inner(gmd_neighbor_list *nl, double inner_cutoff,
                                  const unsigned char (*types)[GMD_NEIGHBOR_MAX_TYPES],
                                  gmd_error *err)
{
    if (!(inner_cutoff >= 0.0) || inner_cutoff > nl->cutoff)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "neighbour list: inner cut-off %g A must lie between 0 and the cut-off "
                        "%g A",
                        inner_cutoff, nl->cutoff);
    nl->inner_cutoff = inner_cutoff;
    nl->inner_masked = types != NULL;
    if (types) memcpy(nl->inner_types, types, sizeof nl->inner_types);
    nl->stale = 1;
    return GMD_OK;
}

void gmd_neighbor_free(gmd_neighbor_list *nl)
{
    if (!nl) return;
    free(nl->start);
    free(nl->index);
    free(nl->inner_start);
    free(nl->inner_index);
    for (int k = 0; k < 3; k++)
        free(nl->r0[k]);
    gmd_cell_grid_free(&nl->cells);
    for (int k = 0; k < 3; k++)
        free(nl->sorted[k]);
    free(nl->sorted_type);
    for (int t = 0; t < nl->nwork; t++) {
        free(nl->work[t].index);
        free(nl->work[t].inner);
    }
    free(nl->work);
    free(nl);
}

static gmd_status check_box(const gmd_neighbor_list *nl, const gmd_box *box, gmd_error *err)
{
    double rl = nl->cutoff + nl->skin;
    for (int k = 0; k < 3; k++) {
        if (!(box->len[k] > 0.0) || !isfinite(box->len[k]))
            return gmd_fail(err, GMD_ERR_VALUE,
                            "neighbour list: box length %g A along %c is not a positive number",
                            box->len[k], "xyz"[k]);
        if (rl > 0.5 * box->len[k])
            return gmd_fail(err, GMD_ERR_VALUE,
                            "neighbour list: the cut-off plus skin (%g + %g = %g A) is longer "
                            "than half the box (%g A along %c); use a larger system or a "
                            "shorter cut-off",
                            nl->cutoff, nl->skin, rl, 0.5 * box->len[k], "xyz"[k]);
    }
    return GMD_OK;
}

static gmd_status check_positions(const gmd_atoms *atoms, gmd_error *err)
{
    for (size_t i = 0; i < atoms->n; i++)
        if (!isfinite(atoms->r[0][i] + atoms->r[1][i] + atoms->r[2][i]))
            return gmd_fail(err, GMD_ERR_PHYSICS,
                            "neighbour list: atom %zu (id %ld) has a non-finite position; the "
                            "run has blown up (check the time step and the force field)",
                            i, atoms->id ? atoms->id[i] : (long)i + 1);
    return GMD_OK;
}

/* ---- the cell grid and its stencil ---------------------------------------------------- */

/* Squared distance between the closest points of two cells d cells apart (lower bound). */
static double gap2(int d, double side)
{
    int gap = abs(d) - 1;
    return gap > 0 ? (gap * side) * (gap * side) : 0.0;
}

/* Half-stencil mode keeps the forward half only; (0, 0) splits into self and above. */
static void add_column(stencil *g, int dx, int dy, int zlo, int zhi)
{
    if (g->full) {
        g->column[g->ncolumns++] = (stencil_column){dx, dy, zlo, zhi, 1};
    } else if (dx > 0 || (dx == 0 && dy > 0)) {
        g->column[g->ncolumns++] = (stencil_column){dx, dy, zlo, zhi, 0};
    } else if (dx == 0 && dy == 0) {
        g->column[g->ncolumns++] = (stencil_column){0, 0, 0, 0, 1};
        if (zhi >= 1) g->column[g->ncolumns++] = (stencil_column){0, 0, 1, zhi, 0};
    }
}

/* The cells (see the header comment) and the stencil for them. */
static void build_stencil(gmd_cell_grid *cells, const gmd_box *box, double rl, size_t natoms,
                          stencil *g)
{
    const double sides[3] = {rl / CELL_DIVISOR_XY, rl / CELL_DIVISOR_XY, rl / CELL_DIVISOR_Z};
    gmd_cell_grid_shape_sides(cells, box, sides, 4.0 * (double)natoms + 64.0);
    int lo[3], hi[3];
    double side[3];
    g->full = 0;
    for (int k = 0; k < 3; k++) {
        g->n[k] = cells->n[k];
        side[k] = box->len[k] / g->n[k];
        int m = (int)ceil(rl / side[k]);
        lo[k] = -m, hi[k] = m;
        if (2 * m + 1 > g->n[k]) { /* the ncell distinct offsets */
            lo[k] = -(g->n[k] - 1) / 2, hi[k] = g->n[k] / 2;
            g->full = 1;
        }
    }
    g->ncolumns = 0;
    for (int dx = lo[0]; dx <= hi[0]; dx++)
        for (int dy = lo[1]; dy <= hi[1]; dy++) {
            double base = gap2(dx, side[0]) + gap2(dy, side[1]);
            int zlo = 1, zhi = 0; /* the kept dz form one run: gap2 grows with |dz| */
            for (int dz = lo[2]; dz <= hi[2]; dz++) {
                if (base + gap2(dz, side[2]) < rl * rl) {
                    zlo = zlo > zhi ? dz : zlo;
                    zhi = dz;
                }
            }
            if (zlo <= zhi) add_column(g, dx, dy, zlo, zhi);
        }
}

/* ---- binning -------------------------------------------------------------------------- */

/* Bins the atoms (gmd_cell_grid_bin) and copies their wrapped positions and their types in
 * cell order into the list's sorted arrays. */
static gmd_status bin_atoms(gmd_neighbor_list *nl, const gmd_atoms *atoms, int threads,
                            gmd_error *err)
{
    size_t n = atoms->n;
    gmd_status st = gmd_cell_grid_bin(&nl->cells, (const double *const *)atoms->r, n, err);
    if (st != GMD_OK) return st;
    const int *order = nl->cells.atom;
    double *const *wrapped = nl->cells.wrapped;
#pragma omp parallel for schedule(static) num_threads(threads) if (n > 20000)
    for (long p = 0; p < (long)n; p++) {
        int i = order[p];
        for (int k = 0; k < 3; k++)
            nl->sorted[k][p] = wrapped[k][i];
        nl->sorted_type[p] = atoms->type ? atoms->type[i] : 0;
    }
    return GMD_OK;
}

/* ---- scanning ------------------------------------------------------------------------- */

/* Grows *a (capacity *cap) to hold need entries, to `want` (>= need) when it grows; 0 if
 * out of memory (then *a is unchanged). */
static int grow_ints(int **a, size_t *cap, size_t need, size_t want)
{
    if (need <= *cap && *a) return 1;
    int *p = realloc(*a, want * sizeof *p);
    if (!p) return 0;
    *a = p;
    *cap = want;
    return 1;
}

/* Room for `extra` more entries in both of a thread's buffers; 0 if out of memory. */
static int work_reserve(gmd_neighbor_work *w, size_t extra)
{
    size_t need = w->count + extra, inner_need = w->inner_count + extra;
    return grow_ints(&w->index, &w->capacity, need, 2 * need + 1024) &&
           grow_ints(&w->inner, &w->inner_capacity, inner_need, 2 * inner_need + 1024);
}

/* Owner rule (see the header comment): j goes into row i when this holds (never j == i). */
static inline int owns_pair(int i, int j)
{
    return (j > i) != ((i + j) & 1);
}

/* Branch-free minimum image, valid for |d| < 1.5 len. */
static inline double min_image(double d, double len, double inv_len)
{
    double s = d * inv_len;
    return d - len * (double)(long)(s + copysign(0.5, s));
}

typedef struct scan_context {
    const gmd_neighbor_list *nl;
    const stencil *g;
    const gmd_box *box;
    double rl2;
    double rin2; /* inner radius squared; -1 without an inner list */
} scan_context;

/* 1 when the inner list keeps pairs of types a and b. */
static int inner_types_wanted(const gmd_neighbor_list *nl, int a, int b)
{
    if (!nl->inner_masked) return 1;
    if ((unsigned)a >= GMD_NEIGHBOR_MAX_TYPES || (unsigned)b >= GMD_NEIGHBOR_MAX_TYPES) return 0;
    return nl->inner_types[a][b] != 0;
}

/* Half-stencil scan of sorted slots [p0, p1): xi is atom i's position minus the image
 * shift of the scanned cells; own = 1 applies the owner rule (the atom's own cell). Every
 * candidate is written and the count advances for hits only (branch-free); the rare hits
 * within the inner radius also go to the inner row. */
static void scan_shifted(const scan_context *sc, int i, int ti, const double xi[3], size_t p0,
                         size_t p1, int own, gmd_neighbor_work *w)
{
    const gmd_neighbor_list *nl = sc->nl;
    const double *x = nl->sorted[0], *y = nl->sorted[1], *z = nl->sorted[2];
    const int *order = nl->cells.atom;
    const double rl2 = sc->rl2, rin2 = sc->rin2, xi0 = xi[0], xi1 = xi[1], xi2 = xi[2];
    int *out = w->index;
    size_t count = w->count;
    if (own) {
        for (size_t p = p0; p < p1; p++) {
            double dx = xi0 - x[p], dy = xi1 - y[p], dz = xi2 - z[p];
            double d2 = dx * dx + dy * dy + dz * dz;
            int j = order[p];
            int hit = (d2 < rl2) & owns_pair(i, j);
            out[count] = j;
            count += (size_t)hit;
            if (d2 <= rin2 && hit && inner_types_wanted(nl, ti, nl->sorted_type[p]))
                w->inner[w->inner_count++] = j;
        }
    } else {
        for (size_t p = p0; p < p1; p++) {
            double dx = xi0 - x[p], dy = xi1 - y[p], dz = xi2 - z[p];
            double d2 = dx * dx + dy * dy + dz * dz;
            int j = order[p];
            out[count] = j;
            count += (size_t)(d2 < rl2);
            if (d2 <= rin2 && d2 < rl2 && inner_types_wanted(nl, ti, nl->sorted_type[p]))
                w->inner[w->inner_count++] = j;
        }
    }
    w->count = count;
}

/* Full-stencil scan: minimum image per pair, owner rule always. */
static void scan_min_image(const scan_context *sc, int i, int ti, const double xi[3], size_t p0,
                           size_t p1, gmd_neighbor_work *w)
{
    const gmd_neighbor_list *nl = sc->nl;
    const double *x = nl->sorted[0], *y = nl->sorted[1], *z = nl->sorted[2];
    const int *order = nl->cells.atom;
    const double *len = sc->box->len;
    const double ilx = 1.0 / len[0], ily = 1.0 / len[1], ilz = 1.0 / len[2];
    int *out = w->index;
    size_t count = w->count;
    for (size_t p = p0; p < p1; p++) {
        double dx = min_image(xi[0] - x[p], len[0], ilx);
        double dy = min_image(xi[1] - y[p], len[1], ily);
        double dz = min_image(xi[2] - z[p], len[2], ilz);
        double d2 = dx * dx + dy * dy + dz * dz;
        int j = order[p];
        int hit = (d2 < sc->rl2) & owns_pair(i, j);
        out[count] = j;
        count += (size_t)hit;
        if (d2 <= sc->rin2 && hit && inner_types_wanted(nl, ti, nl->sorted_type[p]))
            w->inner[w->inner_count++] = j;
    }
    w->count = count;
}

/* Cell c + d wrapped into [0, n) for |d| < n, the box shift in *shift. */
static inline int wrap_near(int c, int n, int *shift)
{
    *shift = c < 0 ? -1 : (c >= n ? 1 : 0);
    return c - *shift * n;
}

/* The cells (offsets from the atom's own, along z) of column (dx, dy) that can hold a
 * partner of the atom at u (position relative to the grid corner) in cell c: the stencil's
 * run, cut to the z extent of the rl-sphere over the part of the column nearest to the
 * atom. A small margin keeps pairs at exactly rl a matter of the distance test alone. */
static void column_z_range(const stencil_column *col, const double u[3], const int c[3],
                           const double side[3], const double inv_side[3], double rl2, int *zlo,
                           int *zhi)
{
    double gx = 0.0, gy = 0.0;
    if (col->dx > 0) gx = (c[0] + col->dx) * side[0] - u[0];
    if (col->dx < 0) gx = u[0] - (c[0] + col->dx + 1) * side[0];
    if (col->dy > 0) gy = (c[1] + col->dy) * side[1] - u[1];
    if (col->dy < 0) gy = u[1] - (c[1] + col->dy + 1) * side[1];
    gx = gx > 0.0 ? gx : 0.0;
    gy = gy > 0.0 ? gy : 0.0;
    double rest = rl2 * (1.0 + 1e-12) - gx * gx - gy * gy;
    *zlo = col->dz_lo;
    *zhi = col->dz_hi;
    if (rest <= 0.0) {
        *zhi = *zlo - 1;
        return;
    }
    double rz = sqrt(rest) * (1.0 + 1e-12) + 1e-9;
    int lo = (int)floor((u[2] - rz) * inv_side[2]) - c[2];
    int hi = (int)floor((u[2] + rz) * inv_side[2]) - c[2];
    *zlo = lo > *zlo ? lo : *zlo;
    *zhi = hi < *zhi ? hi : *zhi;
}

/* Appends the neighbours owned by atom i to w; returns 0 if out of memory. */
static int find_neighbours(const scan_context *sc, int i, gmd_neighbor_work *w)
{
    const stencil *g = sc->g;
    const gmd_cell_grid *cells = &sc->nl->cells;
    const int *head = cells->start;
    const double *len = sc->box->len;
    const int ti = sc->nl->sorted_type[cells->slot[i]];
    int c[3];
    double ri[3], u[3], side[3];
    for (int k = 0; k < 3; k++) {
        c[k] = cells->coord[k][i];
        ri[k] = cells->wrapped[k][i];
        u[k] = ri[k] - cells->lo[k];
        side[k] = len[k] / g->n[k];
    }
    for (int s = 0; s < g->ncolumns; s++) {
        const stencil_column *col = &g->column[s];
        int shift[3], cx, cy, dz_lo = col->dz_lo, dz_hi = col->dz_hi;
        if (g->full) {
            cx = gmd_cell_wrap(c[0] + col->dx, g->n[0], &shift[0]);
            cy = gmd_cell_wrap(c[1] + col->dy, g->n[1], &shift[1]);
        } else { /* |offsets| < cells per direction */
            cx = wrap_near(c[0] + col->dx, g->n[0], &shift[0]);
            cy = wrap_near(c[1] + col->dy, g->n[1], &shift[1]);
            column_z_range(col, u, c, side, cells->inv_side, sc->rl2, &dz_lo, &dz_hi);
        }
        int base = (cx * g->n[1] + cy) * g->n[2];
        for (int z0 = c[2] + dz_lo, z1 = c[2] + dz_hi; z0 <= z1;) {
            int zw =
                g->full ? gmd_cell_wrap(z0, g->n[2], &shift[2]) : wrap_near(z0, g->n[2], &shift[2]);
            int run = g->n[2] - zw < z1 - z0 + 1 ? g->n[2] - zw : z1 - z0 + 1;
            size_t p0 = (size_t)head[base + zw], p1 = (size_t)head[base + zw + run];
            if (!work_reserve(w, p1 - p0)) return 0;
            if (g->full) {
                scan_min_image(sc, i, ti, ri, p0, p1, w);
            } else {
                double xi[3];
                for (int k = 0; k < 3; k++)
                    xi[k] = ri[k] - shift[k] * len[k];
                scan_shifted(sc, i, ti, xi, p0, p1, col->self, w);
            }
            z0 += run; /* a run ends where the box wraps */
        }
    } // loop over stencil columns
    return 1;
}

/* ---- assembling the list -------------------------------------------------------------- */

static gmd_status ensure_capacity(gmd_neighbor_list *nl, size_t natoms, int threads, gmd_error *err)
{
    if (threads > nl->nwork) {
        gmd_neighbor_work *w =
            gmd_realloc(nl->work, (size_t)threads, sizeof *w, "neighbour build", err);
        if (!w) return GMD_ERR_NOMEM;
        memset(w + nl->nwork, 0, (size_t)(threads - nl->nwork) * sizeof *w);
        nl->work = w;
        nl->nwork = threads;
    }
    if (natoms == nl->natoms && nl->start && nl->inner_start && nl->sorted_type) return GMD_OK;
    size_t *start = gmd_realloc(nl->start, natoms + 1, sizeof *start, "neighbour rows", err);
    if (!start) return GMD_ERR_NOMEM;
    nl->start = start;
    start = gmd_realloc(nl->inner_start, natoms + 1, sizeof *start, "inner neighbour rows", err);
    if (!start) return GMD_ERR_NOMEM;
    nl->inner_start = start;
    double **reals[6] = {&nl->r0[0],     &nl->r0[1],     &nl->r0[2],
                         &nl->sorted[0], &nl->sorted[1], &nl->sorted[2]};
    for (int m = 0; m < 6; m++) { /* positions at the build; positions in slot order */
        double *p = gmd_realloc(*reals[m], natoms, sizeof *p, "neighbour positions", err);
        if (!p) return GMD_ERR_NOMEM;
        *reals[m] = p;
    }
    int *type = gmd_realloc(nl->sorted_type, natoms, sizeof *type, "neighbour build", err);
    if (!type) return GMD_ERR_NOMEM;
    nl->sorted_type = type;
    nl->natoms = natoms;
    return GMD_OK;
}

/* Room for the concatenated rows (total full, inner_total inner entries). */
static int reserve_rows(gmd_neighbor_list *nl, size_t total, size_t inner_total)
{
    return grow_ints(&nl->index, &nl->capacity, total, total + total / 8 + 16) &&
           grow_ints(&nl->inner_index, &nl->inner_capacity, inner_total,
                     inner_total + inner_total / 8 + 16);
}

/* Fills every row in one parallel region: each thread scans a contiguous block of atoms
 * into its own buffers, writing the row lengths into start[i + 1] and inner_start[i + 1];
 * once every thread is done, the thread offsets are summed (in thread order) and each
 * thread turns its lengths into offsets and copies its buffers into place. */
static gmd_status fill_rows(gmd_neighbor_list *nl, const scan_context *sc, int n, int threads,
                            gmd_error *err)
{
    int failed = 0;
    size_t *start = nl->start, *inner_start = nl->inner_start;
    size_t offset[GMD_NEIGHBOR_MAX_THREADS + 1][2];
    if (threads > GMD_NEIGHBOR_MAX_THREADS) threads = GMD_NEIGHBOR_MAX_THREADS;
#pragma omp parallel num_threads(threads)
    {
        int t = omp_get_thread_num(), nt = omp_get_num_threads();
        int first = (int)((long)n * t / nt), last = (int)((long)n * (t + 1) / nt);
        gmd_neighbor_work *w = &nl->work[t];
        w->count = w->inner_count = 0;
        int ok = 1;
        for (int i = first; i < last && ok; i++) {
            size_t before = w->count, inner_before = w->inner_count;
            ok = find_neighbours(sc, i, w);
            start[i + 1] = w->count - before;
            inner_start[i + 1] = w->inner_count - inner_before;
        }
        if (!ok) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp barrier
#pragma omp single
        {
            offset[0][0] = offset[0][1] = 0;
            for (int u = 0; u < nt; u++) {
                offset[u + 1][0] = offset[u][0] + nl->work[u].count;
                offset[u + 1][1] = offset[u][1] + nl->work[u].inner_count;
            }
            if (!failed && !reserve_rows(nl, offset[nt][0], offset[nt][1])) failed = 1;
            start[0] = inner_start[0] = 0;
        } /* implicit barrier */
        if (!failed) {
            size_t at = offset[t][0], inner_at = offset[t][1];
            for (int i = first; i < last; i++) {
                at += start[i + 1];
                inner_at += inner_start[i + 1];
                start[i + 1] = at;
                inner_start[i + 1] = inner_at;
            }
            if (w->count) memcpy(nl->index + offset[t][0], w->index, w->count * sizeof(int));
            if (w->inner_count)
                memcpy(nl->inner_index + offset[t][1], w->inner, w->inner_count * sizeof(int));
        }
    }
    if (failed) return gmd_fail(err, GMD_ERR_NOMEM, "out of memory building the neighbour list");
    nl->npairs = start[n];
    nl->inner_npairs = inner_start[n];
    return GMD_OK;
}

gmd_status gmd_neighbor_build(gmd_neighbor_list *nl, const gmd_box *box, const gmd_atoms *atoms,
                              int threads, gmd_error *err)
{
    threads =
        threads < 1 ? 1 : (threads > GMD_NEIGHBOR_MAX_THREADS ? GMD_NEIGHBOR_MAX_THREADS : threads);
    gmd_status st = check_box(nl, box, err);
    if (st == GMD_OK && atoms->n > (size_t)INT32_MAX)
        st = gmd_fail(err, GMD_ERR_VALUE,
                      "neighbour list: %zu atoms exceed the 2^31-1 the list can index", atoms->n);
    if (st == GMD_OK) st = check_positions(atoms, err);
    if (st == GMD_OK) st = ensure_capacity(nl, atoms->n, threads, err);
    if (st != GMD_OK) return st;
    nl->stale = 1; /* until the build below completes */
    double rl = nl->cutoff + nl->skin, rin = nl->inner_cutoff + nl->skin;
    stencil sten;
    build_stencil(&nl->cells, box, rl, atoms->n, &sten);
    st = bin_atoms(nl, atoms, threads, err);
    if (st == GMD_OK) {
        scan_context sc = {nl, &sten, box, rl * rl, nl->inner_cutoff > 0.0 ? rin * rin : -1.0};
        st = fill_rows(nl, &sc, (int)atoms->n, threads, err);
    }
    if (st != GMD_OK) return st;
    for (int k = 0; k < 3; k++)
        if (atoms->n) memcpy(nl->r0[k], atoms->r[k], atoms->n * sizeof(double));
    nl->box0 = *box;
    nl->builds++;
    nl->stale = 0;
    return GMD_OK;
}

int gmd_neighbor_built_at(const gmd_neighbor_list *nl, const gmd_atoms *atoms)
{
    if (nl->stale || nl->builds == 0 || nl->natoms != atoms->n || !nl->start) return 0;
    for (int k = 0; k < 3; k++)
        if (atoms->n && memcmp(nl->r0[k], atoms->r[k], atoms->n * sizeof(double)) != 0) return 0;
    return 1;
}

/* The largest displacement allowed since the build (see the header), A; <= 0: rebuild. */
static double allowed_move(const gmd_neighbor_list *nl, const gmd_box *box)
{
    double s = 1.0;
    for (int k = 0; k < 3; k++)
        s = fmin(s, box->len[k] / nl->box0.len[k]);
    return 0.5 * (nl->skin - (1.0 - s) * (nl->cutoff + nl->skin));
}

/* Any atom farther than `limit` from its build position scaled into `box`. */
static int moved_beyond(const gmd_neighbor_list *nl, const gmd_box *box, const gmd_atoms *atoms,
                        double limit)
{
    const double limit2 = limit * limit;
    double scale[3];
    for (int k = 0; k < 3; k++)
        scale[k] = box->len[k] / nl->box0.len[k];
    const int scaled = !gmd_box_equal(box, &nl->box0);
    for (size_t i = 0; i < atoms->n; i++) {
        double d2 = 0.0;
        for (int k = 0; k < 3; k++) {
            double r0 = nl->r0[k][i];
            if (scaled) r0 = box->lo[k] + (r0 - nl->box0.lo[k]) * scale[k];
            double d = gmd_min_image(atoms->r[k][i] - r0, box->len[k]);
            d2 += d * d;
        }
        if (d2 > limit2) return 1;
    }
    return 0;
}

int gmd_neighbor_needs_rebuild(const gmd_neighbor_list *nl, const gmd_box *box,
                               const gmd_atoms *atoms)
{
    if (nl->stale || nl->builds == 0 || nl->natoms != atoms->n || !nl->start) return 1;
    double limit = allowed_move(nl, box);
    return !(limit > 0.0) || moved_beyond(nl, box, atoms, limit);
}

void gmd_neighbor_invalidate(gmd_neighbor_list *nl)
{
    nl->stale = 1;
}

/* ---- reading a list ------------------------------------------------------------------- */

double gmd_neighbor_cutoff(const gmd_neighbor_list *nl)
{
    return nl->cutoff;
}

double gmd_neighbor_skin(const gmd_neighbor_list *nl)
{
    return nl->skin;
}

long gmd_neighbor_builds(const gmd_neighbor_list *nl)
{
    return nl->builds;
}

size_t gmd_neighbor_pairs(const gmd_neighbor_list *nl, int inner)
{
    return inner ? nl->inner_npairs : nl->npairs;
}

const int *gmd_neighbor_row(const gmd_neighbor_list *nl, size_t i, int inner, size_t *count)
{
    const size_t *start = inner ? nl->inner_start : nl->start;
    const int *index = inner ? nl->inner_index : nl->index;
    if (!start || nl->builds == 0 || i >= nl->natoms || (inner && !(nl->inner_cutoff > 0.0))) {
        *count = 0;
        return NULL;
    }
    *count = start[i + 1] - start[i];
    return index + start[i];
}

double gmd_neighbor_inner_cutoff(const gmd_neighbor_list *nl)
{
    return nl->inner_cutoff;
}

int gmd_neighbor_inner_has_types(const gmd_neighbor_list *nl, int a, int b)
{
    if (!nl->inner_masked) return 1;
    if (a < 0 || b < 0 || a >= GMD_NEIGHBOR_MAX_TYPES || b >= GMD_NEIGHBOR_MAX_TYPES) return 0;
    return nl->inner_types[a][b] != 0;
}
