/* bonds.c - the bonds of one frame (gmd_frame_bonds): every atom's neighbours within the
 * cut-off of their species pair, found once per frame for the network and angles analyses,
 * which the driver lets share one (gmd_analysis_system.bonds) as rdf and sq share the pair
 * histogram.
 *
 * Cut-offs are asked for per unordered species pair (gmd_frame_bonds_need; the largest asked
 * for holds; 0: no bond). Each frame: the frame grid (rdf.c) with cells of side >= rc, the
 * largest cut-off; every unordered pair within rc met once, from its lower slot, cell by
 * cell (the half stencil of the pair histogram: gmd_frame_grid_later_ranges once per cell,
 * gmd_frame_grid_neighbors_in per slot), with the operations of gmd_frame_grid_neighbors,
 * so a bond's length and its decision (d < cut) are those a per-atom search finds. The
 * search writes straight into the list of bonds, which keeps those within their pair's
 * cut-off in place; then each bond goes into the rows of both its atoms (a compressed row
 * layout: start[i] .. start[i + 1] - 1), the reverse displacement the exact negative of the
 * forward one (the subtraction and the minimum image by rounding are odd in floating point
 * too). A row's order is the order its bonds were met: the bonds from the atom's own slot
 * in the ranges' order, among those met from lower slots in slot order; a serial pass, so
 * the rows are the same at every thread count. gmd_frame_bonds_of gives a row as a
 * neighbour buffer (a view, no copy).
 * Cost on the 3000-atom 50Na2S-50SiS2 melt (cut-offs 3.5 and 2.7 A): the default analysis
 * 1.275 -> 1.217 s against per-atom searches in network (1500 anions) and angles (every
 * atom), each with its own frame grid. */
#include <stdlib.h>
#include <string.h>

#include "structure_internal.h"

void gmd_frame_bonds_need(gmd_frame_bonds *b, int x, int y, double cut)
{
    if (cut > b->cut[x][y]) b->cut[x][y] = b->cut[y][x] = cut;
    if (cut > b->rc) b->rc = cut;
}

void gmd_frame_bonds_free(gmd_frame_bonds *b)
{
    gmd_frame_grid_free(&b->grid);
    free(b->start);
    free(b->fill);
    free(b->pi);
    free(b->pj);
    free(b->pd);
    free(b->j);
    free(b->d);
    for (int k = 0; k < 3; k++) {
        free(b->pdx[k]);
        free(b->dx[k]);
    }
    const double rc = b->rc;
    double cut[GMD_MAX_SPECIES][GMD_MAX_SPECIES];
    memcpy(cut, b->cut, sizeof cut);
    memset(b, 0, sizeof *b);
    b->rc = rc; /* the cut-offs asked for stay */
    memcpy(b->cut, cut, sizeof cut);
}

/* Room for the rows of n atoms (kept while n does not grow). */
static gmd_status atom_space(gmd_frame_bonds *b, size_t n, gmd_error *err)
{
    if (b->start && n <= b->n_cap) return GMD_OK;
    free(b->start);
    free(b->fill);
    b->n_cap = 0;
    b->start = gmd_calloc(n + 1, sizeof(int), "bond rows", err);
    b->fill = gmd_calloc(n + 1, sizeof(int), "bond rows", err);
    if (!b->start || !b->fill) return GMD_ERR_NOMEM;
    b->n_cap = n;
    return GMD_OK;
}

static int grow_int(int **p, size_t n)
{
    int *q = realloc(*p, n * sizeof(int));
    if (q) *p = q;
    return q != NULL;
}

static int grow_double(double **p, size_t n)
{
    double *q = realloc(*p, n * sizeof(double));
    if (q) *p = q;
    return q != NULL;
}

/* Room for `pairs` bonds as met, and for the rows' two entries of each. */
static gmd_status pair_space(gmd_frame_bonds *b, size_t pairs, gmd_error *err)
{
    if (pairs <= b->pair_cap) return GMD_OK;
    size_t cap = b->pair_cap ? b->pair_cap : 1024;
    while (cap < pairs)
        cap *= 2;
    int ok = grow_int(&b->pi, cap) & grow_int(&b->pj, cap) & grow_double(&b->pd, cap) &
             grow_int(&b->j, 2 * cap) & grow_double(&b->d, 2 * cap);
    for (int k = 0; k < 3; k++)
        ok &= grow_double(&b->pdx[k], cap) & grow_double(&b->dx[k], 2 * cap);
    if (!ok) return gmd_fail(err, GMD_ERR_NOMEM, "bonds: out of memory for %zu bonds", pairs);
    b->pair_cap = cap;
    return GMD_OK;
}

/* Bond p into atom i's row (sign 1: displacement r_j - r_i as met) or j's (sign -1). */
static void put(gmd_frame_bonds *b, size_t p, int sign)
{
    const int i = sign > 0 ? b->pi[p] : b->pj[p], e = b->fill[i]++;
    b->j[e] = sign > 0 ? b->pj[p] : b->pi[p];
    b->d[e] = b->pd[p];
    for (int k = 0; k < 3; k++)
        b->dx[k][e] = sign > 0 ? b->pdx[k][p] : -b->pdx[k][p];
}

/* The bonds met from slot s of cell c (ranges: [0] the later slots of c, set here, then
 * those of the higher cells): the search writes its neighbours within rc straight after
 * the *np bonds kept so far, and those within their pair's cut-off are kept in place. */
static gmd_status slot_bonds(gmd_frame_bonds *b, const gmd_frame *f, int s, int c, int *lo, int *hi,
                             int nr, size_t *np, gmd_error *err)
{
    const gmd_frame_grid *g = &b->grid;
    lo[0] = s + 1;
    hi[0] = g->cells.start[c + 1];
    size_t room = GMD_NEIGH_PAD;
    for (int q = 0; q < nr; q++)
        room += (size_t)(hi[q] - lo[q]);
    gmd_status st = pair_space(b, *np + room, err);
    if (st != GMD_OK) return st;
    const size_t at = *np;
    gmd_neigh_buf found = {.j = b->pj + at, .d = b->pd + at};
    for (int k = 0; k < 3; k++)
        found.dx[k] = b->pdx[k] + at;
    gmd_frame_grid_neighbors_in(g, s, lo, hi, nr, b->rc, &found);
    const int i = g->cells.atom[s];
    const double *cut = b->cut[f->type[i]];
    size_t kept = at;
    for (size_t m = at; m < at + found.count; m++) {
        if (!(b->pd[m] < cut[f->type[b->pj[m]]])) continue;
        b->pi[kept] = i;
        b->pj[kept] = b->pj[m];
        b->pd[kept] = b->pd[m];
        for (int k = 0; k < 3; k++)
            b->pdx[k][kept] = b->pdx[k][m];
        kept++;
    }
    *np = kept;
    return GMD_OK;
}

/* Every bond of the frame into pi .. pdx[] (*np), cell by cell, slot by slot. */
static gmd_status find_bonds(gmd_frame_bonds *b, const gmd_frame *f, size_t *np, gmd_error *err)
{
    const gmd_cell_grid *cells = &b->grid.cells;
    *np = 0;
    for (int c = 0; c < cells->ncells; c++) {
        int lo[28], hi[28]; /* [0]: the later slots of c; then the higher cells' ranges */
        const int nr = 1 + gmd_frame_grid_later_ranges(&b->grid, c, lo + 1, hi + 1);
        for (int s = cells->start[c]; s < cells->start[c + 1]; s++) {
            gmd_status st = slot_bonds(b, f, s, c, lo, hi, nr, np, err);
            if (st != GMD_OK) return st;
        }
    }
    return GMD_OK;
}

gmd_status gmd_frame_bonds_build(gmd_frame_bonds *b, const gmd_frame *f, gmd_error *err)
{
    const size_t n = f->n;
    size_t np = 0;
    gmd_status st = atom_space(b, n, err);
    if (st == GMD_OK) st = pair_space(b, 1, err);
    if (st == GMD_OK && b->rc > 0.0) st = gmd_frame_grid_build(&b->grid, f, b->rc, err);
    if (st == GMD_OK && b->rc > 0.0) st = find_bonds(b, f, &np, err);
    if (st != GMD_OK) return st;
    memset(b->start, 0, (n + 1) * sizeof(int));
    for (size_t p = 0; p < np; p++) {
        b->start[b->pi[p] + 1]++;
        b->start[b->pj[p] + 1]++;
    }
    for (size_t i = 0; i < n; i++)
        b->start[i + 1] += b->start[i];
    memcpy(b->fill, b->start, n * sizeof(int));
    for (size_t p = 0; p < np; p++) {
        put(b, p, 1);
        put(b, p, -1);
    }
    b->n = n;
    b->nbonds = np;
    return GMD_OK;
}

void gmd_frame_bonds_of(const gmd_frame_bonds *b, size_t i, gmd_neigh_buf *view)
{
    const int e = b->start[i];
    view->count = (size_t)(b->start[i + 1] - e);
    view->capacity = view->count;
    view->j = b->j + e;
    view->d = b->d + e;
    for (int k = 0; k < 3; k++)
        view->dx[k] = b->dx[k] + e;
}

gmd_status gmd_bond_table_create(gmd_bond_table **out, gmd_error *err)
{
    *out = gmd_calloc(1, sizeof **out, "bond table", err);
    return *out ? GMD_OK : GMD_ERR_NOMEM;
}

gmd_status gmd_bond_table_add(gmd_bond_table *b, const gmd_frame *frame, gmd_error *err)
{
    return gmd_frame_bonds_build(b, frame, err);
}

void gmd_bond_table_free(gmd_bond_table *b)
{
    if (!b) return;
    gmd_frame_bonds_free(b);
    free(b);
}
