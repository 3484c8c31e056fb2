/* test_cell_grid.c - the one cell binning (cell_grid.h): cells are at least the asked side
 * and capped in number; binning puts every atom, also one outside the box, in the cell its
 * wrapped position lies in, each cell's atoms as one ascending range; the adjacent cells
 * are distinct and, with 3 or more cells per direction, the 27 around a cell. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "glassmd/cell_grid.h"

static void test_shape(void **state)
{
    (void)state;
    gmd_cell_grid g = {0};
    gmd_box box = {{-1.0, 0.0, 2.0}, {20.0, 9.0, 3.0}};
    gmd_cell_grid_shape(&g, &box, 3.0, 1e9);
    assert_int_equal(g.n[0], 6);
    assert_int_equal(g.n[1], 3);
    assert_int_equal(g.n[2], 1);
    assert_int_equal(g.ncells, 18);
    gmd_cell_grid_shape(&g, &box, 0.5, 100.0); /* capped: fewer, larger cells */
    assert_true(g.ncells <= 100);
    for (int k = 0; k < 3; k++)
        assert_true(box.len[k] / g.n[k] >= 0.5);
    gmd_cell_grid_free(&g);
}

static void test_bin(void **state)
{
    (void)state;
    enum { N = 500 };
    gmd_box box = {{-3.0, 1.0, 0.5}, {12.0, 10.0, 7.0}};
    double *r[3];
    srand(7);
    for (int k = 0; k < 3; k++) {
        r[k] = malloc(N * sizeof(double));
        assert_non_null(r[k]);
        for (int i = 0; i < N; i++) /* up to a box and a half outside on either side */
            r[k][i] = box.lo[k] + box.len[k] * (4.0 * rand() / RAND_MAX - 1.5);
    }
    gmd_cell_grid g = {0};
    gmd_error err;
    for (int pass = 0; pass < 2; pass++) { /* a reused grid bins the same way */
        gmd_cell_grid_shape(&g, &box, 2.5, 1e9);
        assert_int_equal(gmd_cell_grid_bin(&g, (const double *const *)r, N, &err), GMD_OK);
        assert_int_equal(g.start[0], 0);
        assert_int_equal(g.start[g.ncells], N);
        for (long c = 0; c < g.ncells; c++)
            for (int s = g.start[c]; s < g.start[c + 1]; s++) {
                int i = g.atom[s];
                assert_int_equal(g.slot[i], s);
                assert_int_equal(g.cell[i], c);
                if (s > g.start[c]) assert_true(g.atom[s - 1] < i);
                assert_int_equal(gmd_cell_grid_locate(&g, (double[3]){r[0][i], r[1][i], r[2][i]}),
                                 c);
                for (int k = 0; k < 3; k++) {
                    double side = box.len[k] / g.n[k];
                    double u = (g.wrapped[k][i] - box.lo[k]) / side;
                    assert_true(u > g.coord[k][i] - 1e-9 && u < g.coord[k][i] + 1 + 1e-9);
                }
            }
    }
    gmd_cell_grid_free(&g);
    for (int k = 0; k < 3; k++)
        free(r[k]);
}

static void test_adjacent(void **state)
{
    (void)state;
    gmd_cell_grid g = {0};
    gmd_box box = {{0.0, 0.0, 0.0}, {10.0, 4.0, 2.0}};
    gmd_cell_grid_shape(&g, &box, 2.0, 1e9); /* 5 x 2 x 1 cells */
    for (int c = 0; c < g.ncells; c++) {
        int out[27];
        int n = gmd_cell_grid_adjacent(&g, c, out);
        assert_int_equal(n, 3 * 2 * 1);
        int seen_self = 0;
        for (int a = 0; a < n; a++) {
            seen_self |= out[a] == c;
            for (int b = 0; b < a; b++)
                assert_int_not_equal(out[a], out[b]);
        }
        assert_true(seen_self);
    }
    gmd_box cube = {{0.0, 0.0, 0.0}, {9.0, 9.0, 9.0}};
    gmd_cell_grid_shape(&g, &cube, 3.0, 1e9);
    int out[27];
    assert_int_equal(gmd_cell_grid_adjacent(&g, 0, out), 27);
    gmd_cell_grid_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape),
        cmocka_unit_test(test_bin),
        cmocka_unit_test(test_adjacent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
