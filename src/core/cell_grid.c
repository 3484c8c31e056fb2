/* cell_grid.c - the cell binning shared by the neighbour list, the analyses and the builder
 * (see include/glassmd/cell_grid.h).
 *
 * A position's cell is floor((x - lo) inv_side), computed as a double and clamped far
 * outside the box before the conversion to int, then wrapped by whole boxes (floor
 * division), so an atom that has left the box is binned where its periodic image lies and
 * its wrapped copy lies in that cell to rounding. The sort places atoms in ascending index
 * into each cell: count per cell, running sum, fill (start[c] then runs to the end of cell
 * c and is shifted back by one cell), the classic counting sort in place of a linked list
 * per cell, so that a cell's atoms are contiguous. */
#include "glassmd/cell_grid.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void gmd_cell_grid_shape(gmd_cell_grid *g, const gmd_box *box, double min_side, double max_cells)
{
    for (int k = 0; k < 3; k++) {
        double c = min_side > 0.0 ? floor(box->len[k] / min_side) : GMD_CELL_GRID_MAX_PER_DIR;
        g->n[k] =
            c < 1.0 ? 1 : (c > GMD_CELL_GRID_MAX_PER_DIR ? GMD_CELL_GRID_MAX_PER_DIR : (int)c);
    }
    while ((double)g->n[0] * g->n[1] * g->n[2] > max_cells) {
        int k = g->n[0] >= g->n[1] ? (g->n[0] >= g->n[2] ? 0 : 2) : (g->n[1] >= g->n[2] ? 1 : 2);
        if (g->n[k] == 1) break;
        g->n[k] = g->n[k] * 7 / 8; /* larger cells stay valid: they only widen a scan */
    }
    g->ncells = (long)g->n[0] * g->n[1] * g->n[2];
    for (int k = 0; k < 3; k++) {
        g->lo[k] = box->lo[k];
        g->len[k] = box->len[k];
        g->inv_side[k] = g->n[k] / box->len[k];
    }
}

static int floor_div(int a, int n)
{
    return a >= 0 ? a / n : -((-a + n - 1) / n);
}

int gmd_cell_wrap(int c, int n, int *shift)
{
    *shift = floor_div(c, n);
    return c - *shift * n;
}

/* The cell coordinate of x along k, and in *shift the boxes it is wrapped by. */
static int coordinate(const gmd_cell_grid *g, int k, double x, int *shift)
{
    double raw = floor((x - g->lo[k]) * g->inv_side[k]);
    raw = fmax(fmin(raw, 1e9), -1e9); /* far outside the box: wrapped below */
    return gmd_cell_wrap((int)raw, g->n[k], shift);
}

int gmd_cell_grid_locate(const gmd_cell_grid *g, const double x[3])
{
    int c[3], shift;
    for (int k = 0; k < 3; k++)
        c[k] = coordinate(g, k, x[k], &shift);
    return (c[0] * g->n[1] + c[1]) * g->n[2] + c[2];
}

static gmd_status reserve(gmd_cell_grid *g, size_t n, gmd_error *err)
{
    if (g->ncells + 1 > g->cells_capacity || !g->start) {
        int *p = gmd_realloc(g->start, (size_t)g->ncells + 1, sizeof *p, "cell grid", err);
        if (!p) return GMD_ERR_NOMEM;
        g->start = p;
        g->cells_capacity = g->ncells + 1;
    }
    if (n <= g->atoms_capacity && g->atom) return GMD_OK;
    size_t cap = n ? n : 1;
    int **ints[6] = {&g->coord[0], &g->coord[1], &g->coord[2], &g->cell, &g->atom, &g->slot};
    for (int m = 0; m < 6; m++) {
        int *p = gmd_realloc(*ints[m], cap, sizeof *p, "cell grid", err);
        if (!p) return GMD_ERR_NOMEM;
        *ints[m] = p;
    }
    for (int k = 0; k < 3; k++) {
        double *p = gmd_realloc(g->wrapped[k], cap, sizeof *p, "cell grid", err);
        if (!p) return GMD_ERR_NOMEM;
        g->wrapped[k] = p;
    }
    g->atoms_capacity = cap;
    return GMD_OK;
}

/* Cell coordinates, flat cell and wrapped position of every atom. */
static void locate_all(gmd_cell_grid *g, const double *const r[3], size_t n)
{
    for (int k = 0; k < 3; k++) {
        const double *x = r[k];
        for (size_t i = 0; i < n; i++) {
            int shift;
            g->coord[k][i] = coordinate(g, k, x[i], &shift);
            g->wrapped[k][i] = x[i] - shift * g->len[k];
        }
    }
    for (size_t i = 0; i < n; i++)
        g->cell[i] = (g->coord[0][i] * g->n[1] + g->coord[1][i]) * g->n[2] + g->coord[2][i];
}

gmd_status gmd_cell_grid_bin(gmd_cell_grid *g, const double *const r[3], size_t n, gmd_error *err)
{
    gmd_status st = reserve(g, n, err);
    if (st != GMD_OK) return st;
    g->natoms = n;
    locate_all(g, r, n);
    int *start = g->start;
    size_t ncells = (size_t)g->ncells;
    memset(start, 0, (ncells + 1) * sizeof *start);
    for (size_t i = 0; i < n; i++)
        start[g->cell[i] + 1]++;
    for (size_t c = 0; c < ncells; c++)
        start[c + 1] += start[c];
    for (size_t i = 0; i < n; i++) /* start[c] runs to the end of cell c, then shifts back */
        g->atom[start[g->cell[i]]++] = (int)i;
    memmove(start + 1, start, ncells * sizeof *start);
    start[0] = 0;
    for (size_t s = 0; s < n; s++)
        g->slot[g->atom[s]] = (int)s;
    return GMD_OK;
}

/* The distinct cells along one direction around coordinate c: c-1, c, c+1 (periodic), or
 * all cells when there are fewer than 3. Returns their number. */
static int adjacent_range(int c, int n, int out[3])
{
    if (n < 3) {
        for (int m = 0; m < n; m++)
            out[m] = m;
        return n;
    }
    out[0] = (c + n - 1) % n;
    out[1] = c;
    out[2] = (c + 1) % n;
    return 3;
}

int gmd_cell_grid_adjacent(const gmd_cell_grid *g, int c, int out[27])
{
    int own[3] = {c / (g->n[1] * g->n[2]), (c / g->n[2]) % g->n[1], c % g->n[2]};
    int range[3][3], nr[3], count = 0;
    for (int k = 0; k < 3; k++)
        nr[k] = adjacent_range(own[k], g->n[k], range[k]);
    for (int ax = 0; ax < nr[0]; ax++)
        for (int ay = 0; ay < nr[1]; ay++)
            for (int az = 0; az < nr[2]; az++)
                out[count++] = (range[0][ax] * g->n[1] + range[1][ay]) * g->n[2] + range[2][az];
    return count;
}

void gmd_cell_grid_free(gmd_cell_grid *g)
{
    for (int k = 0; k < 3; k++) {
        free(g->coord[k]);
        free(g->wrapped[k]);
    }
    free(g->cell);
    free(g->start);
    free(g->atom);
    free(g->slot);
    memset(g, 0, sizeof *g);
}
