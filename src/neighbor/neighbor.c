/* neighbor.c - Verlet neighbour lists by cell binning (see include/glassmd/neighbor.h).
 *
 * Algorithm
 * ---------
 * Let rl = cutoff + skin (the list radius). The box is cut into ncell[0] x ncell[1] x
 * ncell[2] cells of side len/ncell >= rl/3 (small cells with a stencil, rather than cells
 * of side rl: for the 3000-atom, 41 A reference box, 27 cells of side rl would be the
 * whole box). Partners of an atom lie at most m = ceil(rl/side) <= 3 cells away in each
 * direction; of that 7x7x7 block the stencil keeps only the cells whose closest points
 * are nearer than rl, about 1/3 of the block, and 3x the volume of the rl-sphere.
 *
 * The stencil is stored as columns: for each (dx, dy), the run of z offsets dz_lo..dz_hi
 * kept. Atoms are counting-sorted by cell (cell index (cx ny + cy) nz + cz), so one
 * column is one contiguous stretch of the sorted arrays (two if it wraps around the box).
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
 * Parallel build without synchronisation: each thread fills the rows of a contiguous
 * block of atoms into its own buffer (a branch-free scan: every candidate is written,
 * the count advances only for hits), then the buffers are copied one after another into
 * the compressed rows.
 *
 * Data layout
 * -----------
 * Rows are in atom order (atom order belongs to the caller and is never changed); within
 * a row neighbours come in stencil order, so consecutive j are close in space.
 * Cell workspace: the library's cell grid (glassmd/cell_grid.h) bins the atoms, so that
 * start[c] .. start[c+1]-1 are the slots of cell c in atom[], the atom indices sorted by
 * cell (a counting sort, ascending index within a cell, so that scans are contiguous).
 * r0 keeps the positions of the last build for gmd_neighbor_needs_rebuild, which compares
 * min-image displacements with skin/2: if no atom moved farther, no pair can have closed
 * in from beyond cutoff + skin to within the cut-off.
 *
 * Inner list: after the build, each row is filtered once more, keeping (in order) the
 * pairs within inner_cutoff + skin of each other at the build positions (and, with a type
 * mask, of the wanted type pairs only), in two parallel
 * passes (count per row, prefix sum, fill) so that neither atomics nor the thread count
 * change the result. A pair that comes within inner_cutoff before the next rebuild was
 * within inner_cutoff + skin at the build, by the same argument as for the full list.
 *
 * Minimum image is exact while rl <= len/2 in every direction, which gmd_neighbor_build
 * checks: then a pair within rl has exactly one image within rl. */
#include "neighbor_internal.h"

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Cells of side >= rl / CELL_DIVISOR: partners are at most CELL_DIVISOR cells apart. */
#define CELL_DIVISOR 3
#define MAX_OFFSET (2 * CELL_DIVISOR + 1)

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

/* Positions in cell order (the grid's wrapped positions, slot by slot). */
typedef struct sorted_atoms {
    double *r[3];
} sorted_atoms;

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

/* Cells of side >= rl / CELL_DIVISOR, at most a few per atom; the stencil for them. */
static void build_stencil(gmd_cell_grid *cells, const gmd_box *box, double rl, size_t natoms,
                          stencil *g)
{
    gmd_cell_grid_shape(cells, box, rl / CELL_DIVISOR, 4.0 * (double)natoms + 64.0);
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

/* Bins the atoms (gmd_cell_grid_bin) and copies their wrapped positions in cell order into
 * s->r. */
static gmd_status bin_atoms(gmd_neighbor_list *nl, const gmd_atoms *atoms, sorted_atoms *s,
                            gmd_error *err)
{
    gmd_status st = gmd_cell_grid_bin(&nl->cells, (const double *const *)atoms->r, atoms->n, err);
    if (st != GMD_OK) return st;
    const int *order = nl->cells.atom;
    for (int k = 0; k < 3; k++)
        for (size_t p = 0; p < atoms->n; p++)
            s->r[k][p] = nl->cells.wrapped[k][order[p]];
    return GMD_OK;
}

/* ---- scanning ------------------------------------------------------------------------- */

/* A thread's share of the rows: neighbours of atoms [first, last) behind one another. */
typedef struct row_buffer {
    int *index;
    size_t count, capacity;
} row_buffer;

static int row_buffer_reserve(row_buffer *b, size_t extra)
{
    if (b->count + extra <= b->capacity) return 1;
    size_t cap = 2 * (b->count + extra) + 1024;
    int *p = realloc(b->index, cap * sizeof *p);
    if (!p) return 0;
    b->index = p;
    b->capacity = cap;
    return 1;
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
    const sorted_atoms *s;
    double rl2;
} scan_context;

/* Half-stencil scan of sorted slots [p0, p1): xi is atom i's position minus the image
 * shift of the scanned cells; own = 1 applies the owner rule (the atom's own cell). */
static void scan_shifted(const scan_context *sc, int i, const double xi[3], size_t p0, size_t p1,
                         int own, row_buffer *b)
{
    const double *x = sc->s->r[0], *y = sc->s->r[1], *z = sc->s->r[2];
    const int *order = sc->nl->cells.atom;
    const double rl2 = sc->rl2, xi0 = xi[0], xi1 = xi[1], xi2 = xi[2];
    int *out = b->index;
    size_t count = b->count;
    for (size_t p = p0; p < p1; p++) {
        double dx = xi0 - x[p], dy = xi1 - y[p], dz = xi2 - z[p];
        int j = order[p];
        out[count] = j;
        count += (dx * dx + dy * dy + dz * dz < rl2) & (owns_pair(i, j) | !own);
    }
    b->count = count;
}

/* Full-stencil scan: minimum image per pair, owner rule always. */
static void scan_min_image(const scan_context *sc, int i, const double xi[3], size_t p0, size_t p1,
                           row_buffer *b)
{
    const double *x = sc->s->r[0], *y = sc->s->r[1], *z = sc->s->r[2];
    const int *order = sc->nl->cells.atom;
    const double *len = sc->box->len;
    const double ilx = 1.0 / len[0], ily = 1.0 / len[1], ilz = 1.0 / len[2];
    int *out = b->index;
    size_t count = b->count;
    for (size_t p = p0; p < p1; p++) {
        double dx = min_image(xi[0] - x[p], len[0], ilx);
        double dy = min_image(xi[1] - y[p], len[1], ily);
        double dz = min_image(xi[2] - z[p], len[2], ilz);
        int j = order[p];
        out[count] = j;
        count += (dx * dx + dy * dy + dz * dz < sc->rl2) & owns_pair(i, j);
    }
    b->count = count;
}

/* Appends the neighbours owned by atom i to b; returns 0 if out of memory. */
static int find_neighbours(const scan_context *sc, int i, row_buffer *b)
{
    const stencil *g = sc->g;
    const gmd_cell_grid *cells = &sc->nl->cells;
    const int *head = cells->start;
    const double *len = sc->box->len;
    int c[3];
    double ri[3];
    for (int k = 0; k < 3; k++) {
        c[k] = cells->coord[k][i];
        ri[k] = cells->wrapped[k][i];
    }
    for (int s = 0; s < g->ncolumns; s++) {
        const stencil_column *col = &g->column[s];
        int shift[3];
        int cx = gmd_cell_wrap(c[0] + col->dx, g->n[0], &shift[0]);
        int cy = gmd_cell_wrap(c[1] + col->dy, g->n[1], &shift[1]);
        int base = (cx * g->n[1] + cy) * g->n[2];
        for (int z0 = c[2] + col->dz_lo, z1 = c[2] + col->dz_hi; z0 <= z1;) {
            int zw = gmd_cell_wrap(z0, g->n[2], &shift[2]); /* a run ends where the box wraps */
            int run = g->n[2] - zw < z1 - z0 + 1 ? g->n[2] - zw : z1 - z0 + 1;
            size_t p0 = (size_t)head[base + zw], p1 = (size_t)head[base + zw + run];
            if (!row_buffer_reserve(b, p1 - p0)) return 0;
            if (g->full) {
                scan_min_image(sc, i, ri, p0, p1, b);
            } else {
                double xi[3];
                for (int k = 0; k < 3; k++)
                    xi[k] = ri[k] - shift[k] * len[k];
                scan_shifted(sc, i, xi, p0, p1, col->self, b);
            }
            z0 += run;
        }
    } // loop over stencil columns
    return 1;
}

/* ---- assembling the list -------------------------------------------------------------- */

static gmd_status ensure_capacity(gmd_neighbor_list *nl, size_t natoms, gmd_error *err)
{
    if (natoms == nl->natoms && nl->start) return GMD_OK;
    size_t *start = gmd_realloc(nl->start, natoms + 1, sizeof *start, "neighbour rows", err);
    if (!start) return GMD_ERR_NOMEM;
    nl->start = start;
    for (int k = 0; k < 3; k++) {
        double *r0 = gmd_realloc(nl->r0[k], natoms, sizeof *r0, "neighbour positions", err);
        if (!r0) return GMD_ERR_NOMEM;
        nl->r0[k] = r0;
    }
    nl->natoms = natoms;
    return GMD_OK;
}

/* Concatenates the thread buffers (thread t holds a contiguous block of rows). */
static gmd_status gather_rows(gmd_neighbor_list *nl, row_buffer *buf, int nthreads, gmd_error *err)
{
    size_t total = 0;
    for (int t = 0; t < nthreads; t++)
        total += buf[t].count;
    if (total > nl->capacity || !nl->index) {
        size_t cap = total + total / 8 + 16;
        int *index = gmd_realloc(nl->index, cap, sizeof *index, "neighbour list", err);
        if (!index) return GMD_ERR_NOMEM;
        nl->index = index;
        nl->capacity = cap;
    }
    size_t at = 0;
    for (int t = 0; t < nthreads; t++) {
        if (buf[t].count) memcpy(nl->index + at, buf[t].index, buf[t].count * sizeof(int));
        at += buf[t].count;
    }
    nl->npairs = total;
    return GMD_OK;
}

/* Fills every row: each thread scans a contiguous block of atoms into its own buffer;
 * start[1..n] first receive the row lengths, then their running sum. */
static gmd_status fill_rows(gmd_neighbor_list *nl, const scan_context *sc, int n, int threads,
                            gmd_error *err)
{
    row_buffer *buf = gmd_calloc((size_t)threads, sizeof *buf, "neighbour build", err);
    if (!buf) return GMD_ERR_NOMEM;
    int failed = 0;
    size_t *count = nl->start + 1;
#pragma omp parallel num_threads(threads) reduction(| : failed)
    {
        int t = omp_get_thread_num(), nt = omp_get_num_threads();
        int first = (int)((long)n * t / nt), last = (int)((long)n * (t + 1) / nt);
        for (int i = first; i < last && !failed; i++) {
            size_t before = buf[t].count;
            failed |= !find_neighbours(sc, i, &buf[t]);
            count[i] = buf[t].count - before;
        }
    }
    gmd_status st = GMD_OK;
    if (failed) {
        st = gmd_fail(err, GMD_ERR_NOMEM, "out of memory building the neighbour list");
    } else {
        nl->start[0] = 0;
        for (int i = 0; i < n; i++)
            nl->start[i + 1] += nl->start[i];
        st = gather_rows(nl, buf, threads, err);
    }
    for (int t = 0; t < threads; t++)
        free(buf[t].index);
    free(buf);
    return st;
}

static void sorted_free(sorted_atoms *s)
{
    for (int k = 0; k < 3; k++)
        free(s->r[k]);
}

static gmd_status sorted_alloc(sorted_atoms *s, size_t n, gmd_error *err)
{
    memset(s, 0, sizeof *s);
    for (int k = 0; k < 3; k++) {
        s->r[k] = gmd_calloc(n, sizeof(double), "neighbour build", err);
        if (!s->r[k]) return GMD_ERR_NOMEM;
    }
    return GMD_OK;
}

/* 1 when pair (i, j) of the list is of a wanted type pair and was within the inner radius
 * rin2 (squared) at the build. */
static int inner_pair(const gmd_neighbor_list *nl, const gmd_box *box, const int *type, size_t i,
                      int j, double rin2)
{
    if (nl->inner_masked) {
        unsigned ti = (unsigned)type[i], tj = (unsigned)type[j];
        if (ti >= GMD_NEIGHBOR_MAX_TYPES || tj >= GMD_NEIGHBOR_MAX_TYPES ||
            !nl->inner_types[ti][tj])
            return 0;
    }
    double d2 = 0.0;
    for (int k = 0; k < 3; k++) {
        double d = gmd_min_image(nl->r0[k][j] - nl->r0[k][i], box->len[k]);
        d2 += d * d;
    }
    return d2 <= rin2;
}

static gmd_status build_inner(gmd_neighbor_list *nl, const gmd_box *box, const int *type,
                              int threads, gmd_error *err)
{
    size_t n = nl->natoms;
    size_t *start = gmd_realloc(nl->inner_start, n + 1, sizeof *start, "inner neighbour rows", err);
    if (!start) return GMD_ERR_NOMEM;
    nl->inner_start = start;
    double rin = nl->inner_cutoff + nl->skin, rin2 = rin * rin;
    start[0] = 0;
#pragma omp parallel for schedule(static) num_threads(threads)
    for (long i = 0; i < (long)n; i++) {
        size_t count = 0;
        for (size_t m = nl->start[i]; m < nl->start[i + 1]; m++)
            count += (size_t)inner_pair(nl, box, type, (size_t)i, nl->index[m], rin2);
        start[i + 1] = count;
    } /* count per row */
    for (size_t i = 0; i < n; i++)
        start[i + 1] += start[i];
    if (start[n] > nl->inner_capacity || !nl->inner_index) {
        size_t cap = start[n] + start[n] / 8 + 16;
        int *index = gmd_realloc(nl->inner_index, cap, sizeof *index, "inner neighbour list", err);
        if (!index) return GMD_ERR_NOMEM;
        nl->inner_index = index;
        nl->inner_capacity = cap;
    }
#pragma omp parallel for schedule(static) num_threads(threads)
    for (long i = 0; i < (long)n; i++) {
        size_t slot = start[i];
        for (size_t m = nl->start[i]; m < nl->start[i + 1]; m++)
            if (inner_pair(nl, box, type, (size_t)i, nl->index[m], rin2))
                nl->inner_index[slot++] = nl->index[m];
    } /* fill per row */
    nl->inner_npairs = start[n];
    return GMD_OK;
}

gmd_status gmd_neighbor_build(gmd_neighbor_list *nl, const gmd_box *box, const gmd_atoms *atoms,
                              int threads, gmd_error *err)
{
    gmd_status st = check_box(nl, box, err);
    if (st == GMD_OK && atoms->n > (size_t)INT32_MAX)
        st = gmd_fail(err, GMD_ERR_VALUE,
                      "neighbour list: %zu atoms exceed the 2^31-1 the list can index", atoms->n);
    if (st == GMD_OK) st = check_positions(atoms, err);
    if (st == GMD_OK) st = ensure_capacity(nl, atoms->n, err);
    if (st != GMD_OK) return st;
    double rl = nl->cutoff + nl->skin;
    stencil sten;
    build_stencil(&nl->cells, box, rl, atoms->n, &sten);
    sorted_atoms sorted;
    st = sorted_alloc(&sorted, atoms->n, err);
    if (st == GMD_OK) st = bin_atoms(nl, atoms, &sorted, err);
    if (st == GMD_OK) {
        scan_context sc = {nl, &sten, box, &sorted, rl * rl};
        st = fill_rows(nl, &sc, (int)atoms->n, threads < 1 ? 1 : threads, err);
    }
    sorted_free(&sorted);
    if (st != GMD_OK) return st;
    for (int k = 0; k < 3; k++)
        if (atoms->n) memcpy(nl->r0[k], atoms->r[k], atoms->n * sizeof(double));
    if (nl->inner_cutoff > 0.0) {
        st = build_inner(nl, box, atoms->type, threads < 1 ? 1 : threads, err);
        if (st != GMD_OK) {
            nl->stale = 1;
            return st;
        }
    }
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

int gmd_neighbor_needs_rebuild(const gmd_neighbor_list *nl, const gmd_box *box,
                               const gmd_atoms *atoms)
{
    if (nl->stale || nl->builds == 0 || nl->natoms != atoms->n || !nl->start) return 1;
    double limit2 = 0.25 * nl->skin * nl->skin;
    for (size_t i = 0; i < atoms->n; i++) {
        double d2 = 0.0;
        for (int k = 0; k < 3; k++) {
            double d = gmd_min_image(atoms->r[k][i] - nl->r0[k][i], box->len[k]);
            d2 += d * d;
        }
        if (d2 > limit2) return 1;
    }
    return 0;
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
    if (!start || nl->builds == 0 || i >= nl->natoms) {
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
