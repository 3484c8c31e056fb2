/* bonds.c - the bonds of one frame (gmd_frame_bonds): every atom's neighbours within the
 * cut-off of their species pair, found once per frame for the network and angles analyses,
 * which the driver lets share one (gmd_analysis_system.bonds) as rdf and sq share the pair
 * histogram.
 *
 * Cut-offs are asked for per unordered species pair (gmd_frame_bonds_need; the largest asked
 * for holds; 0: no bond). Each frame: the frame grid (rdf.c) with cells of side >= rc, the
 * largest cut-off; every unordered pair within rc met once, from its lower slot
 * (gmd_frame_grid_later_neighbors: the half stencil of the pair histogram), with the
 * operations of gmd_frame_grid_neighbors, so a bond's length and its decision (d < cut) are
 * those a per-atom search finds; then each bond into the rows of both its atoms (a
 * compressed row layout: start[i] .. start[i + 1] - 1), the reverse displacement the exact
 * negative of the forward one (r_i - r_j = -(r_j - r_i) in floating point too: the
 * subtraction and the minimum image by rounding are odd), each row sorted by neighbour
 * index, so that a row does not depend on how the pairs were met. gmd_frame_bonds_of gives
 * a row as a neighbour buffer (a view, no copy).
 * Cost: on the 3000-atom 50Na2S-50SiS2 melt (cut-offs 3.5 and 2.7 A) ~0.1 ms a frame,
 * where the per-atom searches of network and angles (4500 atoms, each over 27 cells) took
 * ~0.7 ms. One thread: the pass is short, and its rows are then the same at every thread
 * count. */
#include <math.h>
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
    gmd_neigh_buf_free(&b->search);
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

/* Room for n atoms and the search buffer (kept while n does not grow). */
static gmd_status atom_space(gmd_frame_bonds *b, size_t n, gmd_error *err)
{
    if (b->start && n <= b->n_cap) return GMD_OK;
    free(b->start);
    free(b->fill);
    gmd_neigh_buf_free(&b->search);
    b->n_cap = 0;
    b->start = gmd_calloc(n + 1, sizeof(int), "bond rows", err);
    b->fill = gmd_calloc(n + 1, sizeof(int), "bond rows", err);
    if (!b->start || !b->fill) return GMD_ERR_NOMEM;
    gmd_status st = gmd_neigh_buf_init(&b->search, n, err);
    if (st == GMD_OK) b->n_cap = n;
    return st;
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

/* The bonds met from slot s (its later neighbours within rc, in b->search) kept where
 * d < cut of the pair's species; returns the new count. */
static size_t slot_bonds(gmd_frame_bonds *b, const gmd_frame *f, int s, size_t np)
{
    const gmd_neigh_buf *nb = &b->search;
    const int i = b->grid.cells.atom[s], a = f->type[i];
    for (size_t m = 0; m < nb->count; m++) {
        const int j = nb->j[m];
        if (!(nb->d[m] < b->cut[a][f->type[j]])) continue;
        b->pi[np] = i;
        b->pj[np] = j;
        b->pd[np] = nb->d[m];
        for (int k = 0; k < 3; k++)
            b->pdx[k][np] = nb->dx[k][m];
        np++;
    }
    return np;
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

/* Row i sorted by neighbour index (insertion sort: a row holds a few bonds). */
static void sort_row(gmd_frame_bonds *b, size_t i)
{
    for (int e = b->start[i] + 1; e < b->start[i + 1]; e++) {
        const int j = b->j[e];
        const double d = b->d[e], x[3] = {b->dx[0][e], b->dx[1][e], b->dx[2][e]};
        int f = e;
        for (; f > b->start[i] && b->j[f - 1] > j; f--) {
            b->j[f] = b->j[f - 1];
            b->d[f] = b->d[f - 1];
            for (int k = 0; k < 3; k++)
                b->dx[k][f] = b->dx[k][f - 1];
        }
        b->j[f] = j;
        b->d[f] = d;
        for (int k = 0; k < 3; k++)
            b->dx[k][f] = x[k];
    }
}

gmd_status gmd_frame_bonds_build(gmd_frame_bonds *b, const gmd_frame *f, gmd_error *err)
{
    const size_t n = f->n;
    gmd_status st = atom_space(b, n, err);
    if (st == GMD_OK) st = pair_space(b, 1, err);
    if (st == GMD_OK && b->rc > 0.0) st = gmd_frame_grid_build(&b->grid, f, b->rc, err);
    if (st != GMD_OK) return st;
    size_t np = 0;
    for (int s = 0; b->rc > 0.0 && s < (int)n; s++) {
        gmd_frame_grid_later_neighbors(&b->grid, s, b->rc, &b->search);
        if ((st = pair_space(b, np + b->search.count, err)) != GMD_OK) return st;
        np = slot_bonds(b, f, s, np);
    }
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
    for (size_t i = 0; i < n; i++)
        sort_row(b, i);
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
