/* cell_grid.h - the one cell binning of the library: the MD neighbour list (cells of side
 * >= rl/3 and a stencil), the structural analyses (cells of side >= the search radius) and
 * the random builder (cells of side >= the largest minimum distance) all cut an
 * orthorhombic periodic box into cells the same way, find an atom's cell the same way and
 * ask for the same neighbourhoods.
 *
 * Cells: n[k] cells along direction k, of side len[k] / n[k] >= the asked side (fewer
 * cells, so larger ones, when a cap on their number is reached: larger cells only widen a
 * scan). A cell is (cx, cy, cz), flat index (cx n[1] + cy) n[2] + cz. A position x goes
 * into cell floor((x - lo) n / len), wrapped periodically, so positions outside the box are
 * binned too; its "wrapped" copy is x shifted by the same whole boxes.
 *
 * Binning (gmd_cell_grid_bin) is a counting sort: the atoms of cell c are the slots
 * start[c] .. start[c + 1] - 1 of atom[], in ascending atom index, so a scan over a cell is
 * a scan over one contiguous range and the order of any scan is fixed by the positions
 * alone (never by threads). */
#ifndef GLASSMD_CELL_GRID_H
#define GLASSMD_CELL_GRID_H

#include <stddef.h>

#include "glassmd/error.h"
#include "glassmd/system.h"

/* Cells along one direction at the most (and one cell at the least). */
#define GMD_CELL_GRID_MAX_PER_DIR 1024

typedef struct gmd_cell_grid {
    int n[3];           /* cells per direction */
    long ncells;        /* n[0] n[1] n[2] */
    double lo[3];       /* box corner */
    double len[3];      /* box edges */
    double inv_side[3]; /* n[k] / len[k] */
    /* filled by gmd_cell_grid_bin, per atom (atom order) or per slot (cell order): */
    size_t natoms;
    int *coord[3];      /* per atom: cell coordinates */
    int *cell;          /* per atom: flat cell index */
    double *wrapped[3]; /* per atom: position shifted by whole boxes into its cell */
    int *start;         /* per cell, ncells + 1: first slot of each cell */
    int *atom;          /* per slot: the atom */
    int *slot;          /* per atom: its slot */
    size_t atoms_capacity;
    long cells_capacity;
} gmd_cell_grid;

/* Sets the grid's cells for box: side >= min_side (min_side <= 0: as many as allowed), at
 * most max_cells cells in all. Keeps the binning buffers (a grid is reused frame after frame
 * or build after build); zero-initialise a grid once, free with gmd_cell_grid_free. */
void gmd_cell_grid_shape(gmd_cell_grid *g, const gmd_box *box, double min_side, double max_cells);
/* Bins the n positions r[0..2][i] into the cells set by gmd_cell_grid_shape. */
gmd_status gmd_cell_grid_bin(gmd_cell_grid *g, const double *const r[3], size_t n, gmd_error *err);
/* The flat cell of one position (as gmd_cell_grid_bin would put it). */
int gmd_cell_grid_locate(const gmd_cell_grid *g, const double x[3]);
/* The distinct cells at most one cell away from cell c along each direction, c included:
 * c-1, c, c+1 along a direction of 3 or more cells, else each of its cells once, nested x,
 * y, z in that order. Returns their number (<= 27). */
int gmd_cell_grid_adjacent(const gmd_cell_grid *g, int c, int out[27]);
/* Wraps cell coordinate c into [0, n); *shift receives the number of boxes wrapped. */
int gmd_cell_wrap(int c, int n, int *shift);
void gmd_cell_grid_free(gmd_cell_grid *g);

#endif
