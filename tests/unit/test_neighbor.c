/* test_neighbor.c - the cell-binned Verlet list against brute force.
 *
 * Every check compares with an O(N^2) double loop over all pairs with the minimum image
 * written here: the list must hold each pair within cutoff + skin exactly once and nothing
 * else, in cubic and non-cubic boxes, in the half-stencil mode (big boxes) and the
 * full-stencil mode (boxes barely twice the list radius), for atoms outside the box, and
 * must still hold every pair within the cut-off after atoms moved less than skin/2. The
 * inner list must be, row by row and in order, the pairs of the list within inner + skin. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassmd/neighbor.h"
#include "../../src/neighbor/neighbor_internal.h" /* rows compared word for word */
#include "glassmd/rng.h"
#include "testutil.h"

/* Uniform random atoms in an orthorhombic box (no minimum distance needed here). */
static void random_box_system(size_t n, const double len[3], unsigned long seed, gmd_box *box,
                              gmd_atoms *atoms)
{
    gmd_error err;
    assert_int_equal(gmd_atoms_init(atoms, n, &err), GMD_OK);
    gmd_rng rng;
    gmd_rng_seed(&rng, seed);
    for (int k = 0; k < 3; k++) {
        box->lo[k] = -0.5 * len[k]; /* a box not at the origin */
        box->len[k] = len[k];
    }
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 3; k++)
            atoms->r[k][i] = box->lo[k] + len[k] * gmd_rng_uniform(&rng);
        atoms->id[i] = (long)i + 1;
    }
}

static double min_image_dist2(const gmd_box *box, const gmd_atoms *atoms, size_t i, size_t j)
{
    double d2 = 0.0;
    for (int k = 0; k < 3; k++) {
        double d = gmd_min_image(atoms->r[k][i] - atoms->r[k][j], box->len[k]);
        d2 += d * d;
    }
    return d2;
}

/* mark[i * n + j] (i < j) counts how often the list holds the pair. */
static unsigned char *list_marks(const gmd_neighbor_list *nl, size_t n)
{
    unsigned char *mark = calloc(n * n, 1);
    assert_non_null(mark);
    for (size_t i = 0; i < n; i++)
        for (size_t p = nl->start[i]; p < nl->start[i + 1]; p++) {
            size_t j = (size_t)nl->index[p];
            assert_true(j < n);
            assert_true(j != i);
            size_t a = i < j ? i : j, b = i < j ? j : i;
            mark[a * n + b]++;
        }
    return mark;
}

/* The list holds exactly the pairs within rl (and each once). */
static void check_exact(const gmd_neighbor_list *nl, const gmd_box *box, const gmd_atoms *atoms)
{
    size_t n = atoms->n;
    double rl = nl->cutoff + nl->skin;
    unsigned char *mark = list_marks(nl, n);
    size_t expected = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            int inside = min_image_dist2(box, atoms, i, j) < rl * rl;
            expected += inside;
            if (mark[i * n + j] != inside)
                fail_msg("pair (%zu, %zu) at %g A listed %d times", i, j,
                         sqrt(min_image_dist2(box, atoms, i, j)), mark[i * n + j]);
        }
    assert_int_equal(nl->npairs, expected);
    assert_int_equal(nl->start[n], expected);
    free(mark);
}

static void build_and_check(const double len[3], size_t n, double cutoff, double skin,
                            unsigned long seed)
{
    gmd_box box;
    gmd_atoms atoms;
    random_box_system(n, len, seed, &box, &atoms);
    gmd_neighbor_list *nl;
    gmd_error err;
    assert_int_equal(gmd_neighbor_create(&nl, cutoff, skin, &err), GMD_OK);
    for (int threads = 1; threads <= 2; threads++) {
        assert_int_equal(gmd_neighbor_build(nl, &box, &atoms, threads, &err), GMD_OK);
        check_exact(nl, &box, &atoms);
    }
    gmd_neighbor_free(nl);
    gmd_atoms_free(&atoms);
}

static void test_cubic_half_stencil(void **state)
{
    (void)state;
    double len[3] = {30.0, 30.0, 30.0}; /* 7.5 cells per rl: half-stencil mode */
    build_and_check(len, 1200, 6.0, 1.0, 11);
}

static void test_orthorhombic(void **state)
{
    (void)state;
    double len[3] = {33.0, 21.5, 15.2}; /* non-cubic, z only just over 2 rl: mixed modes */
    build_and_check(len, 900, 6.0, 1.5, 12);
}

static void test_small_box_full_stencil(void **state)
{
    (void)state;
    double len[3] = {14.0, 14.5, 15.0}; /* rl = 7: 6 cells per direction < 2m+1 */
    build_and_check(len, 400, 5.5, 1.5, 13);
}

static void test_reference_glass(void **state)
{
    (void)state;
    gmd_forcefield ff;
    tu_reference_ff(&ff);
    long counts[3] = {100, 300, 200};
    gmd_box box;
    gmd_atoms atoms;
    tu_random_system(&ff, counts, 0.043, 1.8, 5, &box, &atoms);
    gmd_neighbor_list *nl;
    gmd_error err;
    assert_int_equal(gmd_neighbor_create(&nl, 10.0, 2.5, &err), GMD_OK);
    /* 600 atoms at 0.043 /A^3: a 24.07 A box is too small for 10 + 2.5 A */
    assert_int_equal(gmd_neighbor_build(nl, &box, &atoms, 1, &err), GMD_ERR_VALUE);
    gmd_neighbor_free(nl);
    assert_int_equal(gmd_neighbor_create(&nl, 8.0, 2.0, &err), GMD_OK);
    assert_int_equal(gmd_neighbor_build(nl, &box, &atoms, 2, &err), GMD_OK);
    check_exact(nl, &box, &atoms);
    gmd_neighbor_free(nl);
    gmd_atoms_free(&atoms);
}

/* Atoms outside the box (not yet wrapped) are found through their images. */
static void test_unwrapped_positions(void **state)
{
    (void)state;
    double len[3] = {25.0, 22.0, 27.0};
    gmd_box box;
    gmd_atoms atoms;
    random_box_system(700, len, 21, &box, &atoms);
    for (size_t i = 0; i < atoms.n; i += 3) /* shift a third by whole boxes or a little */
        atoms.r[i % 3][i] += (i % 2 ? len[i % 3] : -0.7);
    gmd_neighbor_list *nl;
    gmd_error err;
    assert_int_equal(gmd_neighbor_create(&nl, 6.0, 2.0, &err), GMD_OK);
    assert_int_equal(gmd_neighbor_build(nl, &box, &atoms, 2, &err), GMD_OK);
    check_exact(nl, &box, &atoms);
    gmd_neighbor_free(nl);
    gmd_atoms_free(&atoms);
}

/* The same list (same rows, same order) with 1 and 2 threads. */
static void test_thread_independent(void **state)
{
    (void)state;
    double len[3] = {28.0, 28.0, 28.0};
    gmd_box box;
    gmd_atoms atoms;
    random_box_system(1000, len, 31, &box, &atoms);
    gmd_neighbor_list *a, *b;
    gmd_error err;
    assert_int_equal(gmd_neighbor_create(&a, 6.0, 2.0, &err), GMD_OK);
    assert_int_equal(gmd_neighbor_create(&b, 6.0, 2.0, &err), GMD_OK);
    assert_int_equal(gmd_neighbor_build(a, &box, &atoms, 1, &err), GMD_OK);
    assert_int_equal(gmd_neighbor_build(b, &box, &atoms, 2, &err), GMD_OK);
    assert_int_equal(a->npairs, b->npairs);
    assert_memory_equal(a->start, b->start, (atoms.n + 1) * sizeof(size_t));
    assert_memory_equal(a->index, b->index, a->npairs * sizeof(int));
    gmd_neighbor_free(a);
    gmd_neighbor_free(b);
    gmd_atoms_free(&atoms);
}

/* After moves below skin/2 the old list still holds every pair within the cut-off, and
 * no rebuild is asked for; one atom moved farther asks for it. */
static void test_skin_and_rebuild(void **state)
{
    (void)state;
    double len[3] = {26.0, 24.0, 30.0};
    const double cutoff = 6.0, skin = 2.0;
    gmd_box box;
    gmd_atoms atoms;
    random_box_system(900, len, 41, &box, &atoms);
    gmd_neighbor_list *nl;
    gmd_error err;
    assert_int_equal(gmd_neighbor_create(&nl, cutoff, skin, &err), GMD_OK);
    assert_true(gmd_neighbor_needs_rebuild(nl, &box, &atoms)); /* never built */
    assert_int_equal(gmd_neighbor_build(nl, &box, &atoms, 2, &err), GMD_OK);
    assert_false(gmd_neighbor_needs_rebuild(nl, &box, &atoms));

    gmd_rng rng;
    gmd_rng_seed(&rng, 42);
    for (size_t i = 0; i < atoms.n; i++) { /* random moves of length just under skin/2 */
        double u[3], norm = 0.0;
        for (int k = 0; k < 3; k++) {
            u[k] = gmd_rng_normal(&rng);
            norm += u[k] * u[k];
        }
        for (int k = 0; k < 3; k++)
            atoms.r[k][i] += 0.499 * skin * u[k] / sqrt(norm);
    }
    gmd_atoms_wrap(&atoms, &box); /* crossing the boundary changes nothing */
    assert_false(gmd_neighbor_needs_rebuild(nl, &box, &atoms));
    unsigned char *mark = list_marks(nl, atoms.n);
    for (size_t i = 0; i < atoms.n; i++)
        for (size_t j = i + 1; j < atoms.n; j++)
            if (min_image_dist2(&box, &atoms, i, j) < cutoff * cutoff)
                assert_int_equal(mark[i * atoms.n + j], 1);
    free(mark);

    atoms.r[1][17] += 0.51 * skin;
    assert_true(gmd_neighbor_needs_rebuild(nl, &box, &atoms));
    assert_int_equal(gmd_neighbor_build(nl, &box, &atoms, 1, &err), GMD_OK);
    assert_false(gmd_neighbor_needs_rebuild(nl, &box, &atoms));
    assert_int_equal(nl->builds, 2);
    gmd_neighbor_free(nl);
    gmd_atoms_free(&atoms);
}

/* Row by row, the inner list is the full row filtered to inner + skin, in the same order;
 * after moves below skin/2 it still holds every pair within the inner cut-off. */
static void test_inner_list(void **state)
{
    (void)state;
    double len[3] = {26.0, 24.0, 30.0};
    const double cutoff = 6.0, skin = 1.0, inner = 2.7;
    gmd_box box;
    gmd_atoms atoms;
    random_box_system(1200, len, 71, &box, &atoms);
    gmd_neighbor_list *nl;
    gmd_error err;
    assert_int_equal(gmd_neighbor_create(&nl, cutoff, skin, &err), GMD_OK);
    assert_int_equal(gmd_neighbor_set_inner(nl, cutoff + 0.1, NULL, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "inner cut-off"));
    assert_int_equal(gmd_neighbor_set_inner(nl, inner, NULL, &err), GMD_OK);
    double rin2 = (inner + skin) * (inner + skin);
    for (size_t i = 0; i < atoms.n; i++)
        atoms.type[i] = (int)(i % 3);
    unsigned char mixed[GMD_NEIGHBOR_MAX_TYPES][GMD_NEIGHBOR_MAX_TYPES] = {{0}};
    mixed[0][1] = mixed[1][0] = 1; /* only type 0 - type 1 pairs */
    for (int pass = 0; pass < 4; pass++) {
        int threads = 1 + pass % 2, masked = pass >= 2;
        if (pass == 2) assert_int_equal(gmd_neighbor_set_inner(nl, inner, mixed, &err), GMD_OK);
        assert_int_equal(gmd_neighbor_build(nl, &box, &atoms, threads, &err), GMD_OK);
        size_t total = 0;
        for (size_t i = 0; i < atoms.n; i++) {
            size_t q = nl->inner_start[i];
            for (size_t p = nl->start[i]; p < nl->start[i + 1]; p++) {
                size_t j = (size_t)nl->index[p];
                if (min_image_dist2(&box, &atoms, i, j) > rin2) continue;
                if (masked && !mixed[atoms.type[i]][atoms.type[j]]) continue;
                assert_true(q < nl->inner_start[i + 1]);
                assert_int_equal(nl->inner_index[q++], j);
            }
            assert_int_equal(q, nl->inner_start[i + 1]);
            total += q - nl->inner_start[i];
        }
        assert_int_equal(total, nl->inner_npairs);
        assert_true(total > atoms.n / 8); /* not trivially empty */
    }
    assert_int_equal(gmd_neighbor_set_inner(nl, inner, NULL, &err), GMD_OK);
    assert_int_equal(gmd_neighbor_build(nl, &box, &atoms, 2, &err), GMD_OK);
    gmd_rng rng;
    gmd_rng_seed(&rng, 72);
    for (size_t i = 0; i < atoms.n; i++)
        for (int k = 0; k < 3; k++)
            atoms.r[k][i] += 0.28 * skin * (2.0 * gmd_rng_uniform(&rng) - 1.0); /* < skin/2 */
    assert_false(gmd_neighbor_needs_rebuild(nl, &box, &atoms));
    unsigned char *mark = calloc(atoms.n * atoms.n, 1);
    assert_non_null(mark);
    for (size_t i = 0; i < atoms.n; i++)
        for (size_t p = nl->inner_start[i]; p < nl->inner_start[i + 1]; p++) {
            size_t j = (size_t)nl->inner_index[p];
            mark[(i < j ? i : j) * atoms.n + (i < j ? j : i)] = 1;
        }
    for (size_t i = 0; i < atoms.n; i++)
        for (size_t j = i + 1; j < atoms.n; j++)
            if (min_image_dist2(&box, &atoms, i, j) < inner * inner)
                assert_int_equal(mark[i * atoms.n + j], 1);
    free(mark);
    gmd_neighbor_free(nl);
    gmd_atoms_free(&atoms);
}

static void test_box_too_small(void **state)
{
    (void)state;
    double len[3] = {40.0, 23.0, 40.0};
    gmd_box box;
    gmd_atoms atoms;
    random_box_system(50, len, 51, &box, &atoms);
    gmd_neighbor_list *nl;
    gmd_error err;
    assert_int_equal(gmd_neighbor_create(&nl, 10.0, 2.0, &err), GMD_OK);
    assert_int_equal(gmd_neighbor_build(nl, &box, &atoms, 1, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "half the box"));
    assert_non_null(strstr(err.message, "12 A")); /* cut-off + skin */
    assert_non_null(strstr(err.message, "11.5 A along y"));
    assert_non_null(strstr(err.message, "larger system or a shorter cut-off"));
    gmd_neighbor_free(nl);
    /* exactly half the box is still fine */
    assert_int_equal(gmd_neighbor_create(&nl, 9.5, 2.0, &err), GMD_OK);
    assert_int_equal(gmd_neighbor_build(nl, &box, &atoms, 1, &err), GMD_OK);
    check_exact(nl, &box, &atoms);
    gmd_neighbor_free(nl);
    gmd_atoms_free(&atoms);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    gmd_neighbor_list *nl;
    gmd_error err;
    assert_int_equal(gmd_neighbor_create(&nl, -1.0, 2.0, &err), GMD_ERR_VALUE);
    assert_int_equal(gmd_neighbor_create(&nl, 5.0, -0.1, &err), GMD_ERR_VALUE);
    double len[3] = {20.0, 20.0, 20.0};
    gmd_box box;
    gmd_atoms atoms;
    random_box_system(20, len, 61, &box, &atoms);
    atoms.r[0][3] = NAN;
    assert_int_equal(gmd_neighbor_create(&nl, 5.0, 1.0, &err), GMD_OK);
    assert_int_equal(gmd_neighbor_build(nl, &box, &atoms, 1, &err), GMD_ERR_PHYSICS);
    assert_non_null(strstr(err.message, "id 4"));
    gmd_neighbor_free(nl);
    gmd_atoms_free(&atoms);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cubic_half_stencil),     cmocka_unit_test(test_orthorhombic),
        cmocka_unit_test(test_small_box_full_stencil), cmocka_unit_test(test_reference_glass),
        cmocka_unit_test(test_unwrapped_positions),    cmocka_unit_test(test_thread_independent),
        cmocka_unit_test(test_skin_and_rebuild),       cmocka_unit_test(test_box_too_small),
        cmocka_unit_test(test_bad_arguments),          cmocka_unit_test(test_inner_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
