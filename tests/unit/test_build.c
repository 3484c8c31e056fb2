/* test_build.c - stoichiometry (SPEC section 3, counted by hand), the counts parser, and
 * random placement: every pair distance at least the documented minimum (recomputed here
 * from the formula in docs/forcefield.md with numbers from an independent python session),
 * box size, ids, charges, neutrality, reproducibility from the seed, speed, and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <math.h>

#include "glassmd/build.h"
#include "testutil.h"

enum { SI = 0, S = 1, NA = 2 };

#define assert_close(a, b, tol)                                                                    \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (tol)))                                                             \
            fail_msg("%s = %.17g, expected %.17g (tolerance %g)", #a, a_, b_, (double)(tol));      \
    } while (0)

static void read_shipped(gmd_forcefield *ff)
{
    char path[1024];
    gmd_error err;
    tu_source_path("data/forcefields/na2s-sis2.ff", path, sizeof path);
    if (gmd_forcefield_read(ff, path, &err) != GMD_OK) fail_msg("%s", err.message);
}

static void test_composition_counts(void **state)
{
    (void)state;
    gmd_forcefield ff;
    read_shipped(&ff);
    /* SPEC section 3 by hand, N = 3000, M = 1000 formula units:
     * x = 0.5: 500 Na2S + 500 SiS2 -> Si 500, S 500 + 1000, Na 1000
     * x = 0.66: 660 + 340 -> Si 340, S 660 + 680, Na 1320
     * x = 0.8: 800 + 200 -> Si 200, S 800 + 400, Na 1600
     * x = 1: Na2S only; x = 0: SiS2 only */
    struct {
        double x;
        long n, si, s, na;
    } cases[] = {{0.5, 3000, 500, 1500, 1000}, {0.66, 3000, 340, 1340, 1320},
                 {0.8, 3000, 200, 1200, 1600}, {1.0, 3000, 0, 1000, 2000},
                 {0.0, 3000, 1000, 2000, 0},   {0.7, 300, 30, 130, 140},
                 {0.5, 303, 50, 151, 102}}; /* M = 101: round(50.5) = 51 Na2S */
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        long counts[GMD_MAX_SPECIES];
        gmd_error err;
        assert_int_equal(gmd_composition_counts(&ff, cases[c].x, cases[c].n, counts, &err), GMD_OK);
        assert_int_equal(counts[SI], cases[c].si);
        assert_int_equal(counts[S], cases[c].s);
        assert_int_equal(counts[NA], cases[c].na);
    }
}

static void test_composition_errors(void **state)
{
    (void)state;
    gmd_forcefield ff;
    read_shipped(&ff);
    long counts[GMD_MAX_SPECIES];
    gmd_error err;
    assert_int_equal(gmd_composition_counts(&ff, 0.5, 3001, counts, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "3001 atoms"));
    assert_non_null(strstr(err.message, "use 3000 atoms"));
    assert_int_equal(gmd_composition_counts(&ff, 0.5, 3002, counts, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "use 3003 atoms"));
    assert_int_equal(gmd_composition_counts(&ff, 0.5, 2, counts, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "use 3 atoms"));
    assert_int_equal(gmd_composition_counts(&ff, 1.2, 3000, counts, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "[0, 1]"));
    assert_int_equal(gmd_composition_counts(&ff, NAN, 3000, counts, &err), GMD_ERR_VALUE);
    gmd_forcefield bare;
    tu_reference_ff(&bare); /* no [composition] */
    assert_int_equal(gmd_composition_counts(&bare, 0.5, 3000, counts, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "no [composition]"));
}

static void test_counts_parse(void **state)
{
    (void)state;
    gmd_forcefield ff;
    read_shipped(&ff);
    long counts[GMD_MAX_SPECIES];
    gmd_error err;
    assert_int_equal(gmd_counts_parse(&ff, "Si=500,S=1500,Na=1000", counts, &err), GMD_OK);
    assert_int_equal(counts[SI], 500);
    assert_int_equal(counts[S], 1500);
    assert_int_equal(counts[NA], 1000);
    assert_int_equal(gmd_counts_parse(&ff, " Na = 2 , S=1", counts, &err), GMD_OK);
    assert_int_equal(counts[SI], 0);
    assert_int_equal(counts[S], 1);
    assert_int_equal(counts[NA], 2);
    static const struct {
        const char *text, *phrase;
    } bad[] = {{"Si=500,X=3", "unknown species 'X'"}, {"Si=abc", "'abc' is not a whole number"},
               {"Si=-1", "not a whole number >= 0"},  {"Si=1,Si=2", "given twice"},
               {"Si500", "not 'Name=count'"},         {"Si=0", "give no atoms"}};
    for (size_t c = 0; c < sizeof bad / sizeof bad[0]; c++) {
        gmd_error_clear(&err);
        if (gmd_counts_parse(&ff, bad[c].text, counts, &err) == GMD_OK ||
            !strstr(err.message, bad[c].phrase))
            fail_msg("'%s': message '%s', expected '%s'", bad[c].text, err.message, bad[c].phrase);
    }
    gmd_counts_parse(&ff, "Si=500,X=3", counts, &err);
    assert_non_null(strstr(err.message, "Si, S, Na")); /* the known species are listed */
}

/* The documented minimum distances for the reference force field at density 0.043:
 * rho ln(A / 10 eV) (python: numpy.log) for pairs with a Born-Mayer term, else
 * 0.6 (1/0.043)^(1/3); all exceed 1.1 r_safe. */
static double expected_min(int a, int b)
{
    if (a > b) {
        int t = a;
        a = b, b = t;
    }
    if (a == S && b == S) return 2.374725153955539;
    if (a == SI && b == S) return 1.7274965172585874;
    if (a == S && b == NA) return 2.062097096724198;
    if (a == NA && b == NA) return 2.1510358630348883;
    return 0.6 * cbrt(1.0 / 0.043);
}

/* Smallest distance over pairs of each species pair (minimum image). */
static void pair_minima(const gmd_box *box, const gmd_atoms *a, double dmin[3][3])
{
    for (int p = 0; p < 3; p++)
        for (int q = 0; q < 3; q++)
            dmin[p][q] = INFINITY;
    for (size_t i = 0; i < a->n; i++)
        for (size_t j = i + 1; j < a->n; j++) {
            double r2 = 0;
            for (int k = 0; k < 3; k++) {
                double d = a->r[k][i] - a->r[k][j];
                d -= box->len[k] * round(d / box->len[k]);
                r2 += d * d;
            }
            double r = sqrt(r2);
            int p = a->type[i], q = a->type[j];
            if (r < dmin[p][q]) dmin[p][q] = dmin[q][p] = r;
        }
}

static void test_build_random(void **state)
{
    (void)state;
    gmd_forcefield ff;
    read_shipped(&ff);
    long counts[GMD_MAX_SPECIES] = {500, 1500, 1000};
    gmd_build_options opt = {.density = 0.043, .seed = 42, .min_distance_scale = 1.0};
    gmd_box box;
    gmd_atoms a;
    gmd_error err;
    clock_t t0 = clock();
    assert_int_equal(gmd_build_random(&ff, counts, &opt, &box, &a, &err), GMD_OK);
    double seconds = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_true(seconds < 1.0);
    assert_int_equal(a.n, 3000);
    for (int k = 0; k < 3; k++) {
        assert_close(box.len[k], cbrt(3000 / 0.043), 1e-12);
        assert_close(box.lo[k], 0.0, 0.0);
    }
    long seen[3] = {0, 0, 0};
    double q = 0;
    int *id_seen = calloc(3001, sizeof(int));
    for (size_t i = 0; i < a.n; i++) {
        assert_true(a.id[i] >= 1 && a.id[i] <= 3000);
        assert_int_equal(id_seen[a.id[i]]++, 0);
        seen[a.type[i]]++;
        assert_close(a.charge[i], ff.species[a.type[i]].charge, 0.0);
        q += a.charge[i];
        for (int k = 0; k < 3; k++)
            assert_true(a.r[k][i] >= 0 && a.r[k][i] < box.len[k]);
    }
    free(id_seen);
    assert_int_equal(seen[SI], 500);
    assert_int_equal(seen[S], 1500);
    assert_int_equal(seen[NA], 1000);
    assert_close(q, 0.0, 1e-9);
    double dmin[3][3];
    pair_minima(&box, &a, dmin);
    for (int p = 0; p < 3; p++)
        for (int r = p; r < 3; r++) {
            if (dmin[p][r] < expected_min(p, r))
                fail_msg("pair %d-%d: %.4f A closer than %.4f", p, r, dmin[p][r],
                         expected_min(p, r));
            /* 3000 atoms fill the space: the bound is reached, not far exceeded */
            assert_true(dmin[p][r] < expected_min(p, r) * 1.1);
        }
    gmd_atoms_free(&a);
}

static void test_build_reproducible(void **state)
{
    (void)state;
    gmd_forcefield ff;
    read_shipped(&ff);
    long counts[GMD_MAX_SPECIES] = {100, 300, 200};
    gmd_build_options opt = {.density = 0.043, .seed = 7};
    gmd_box box;
    gmd_atoms a, b, c;
    gmd_error err;
    assert_int_equal(gmd_build_random(&ff, counts, &opt, &box, &a, &err), GMD_OK);
    assert_int_equal(gmd_build_random(&ff, counts, &opt, &box, &b, &err), GMD_OK);
    opt.seed = 8;
    assert_int_equal(gmd_build_random(&ff, counts, &opt, &box, &c, &err), GMD_OK);
    size_t differ = 0;
    for (size_t i = 0; i < a.n; i++)
        for (int k = 0; k < 3; k++) {
            assert_true(a.r[k][i] == b.r[k][i]);
            differ += a.r[k][i] != c.r[k][i];
        }
    assert_int_equal(differ, 3 * a.n);
    gmd_atoms_free(&a);
    gmd_atoms_free(&b);
    gmd_atoms_free(&c);
}

static void test_build_scale_and_errors(void **state)
{
    (void)state;
    gmd_forcefield ff;
    read_shipped(&ff);
    long counts[GMD_MAX_SPECIES] = {500, 1500, 1000};
    gmd_box box;
    gmd_atoms a;
    gmd_error err;
    /* a scale of 0.5 halves every minimum distance (and is used: S-S comes closer) */
    gmd_build_options half = {.density = 0.043, .seed = 3, .min_distance_scale = 0.5};
    assert_int_equal(gmd_build_random(&ff, counts, &half, &box, &a, &err), GMD_OK);
    double dmin[3][3];
    pair_minima(&box, &a, dmin);
    for (int p = 0; p < 3; p++)
        for (int r = p; r < 3; r++)
            assert_true(dmin[p][r] >= 0.5 * expected_min(p, r));
    assert_true(dmin[S][S] < expected_min(S, S));
    gmd_atoms_free(&a);
    gmd_build_options dense = {.density = 0.2, .seed = 3};
    assert_int_equal(gmd_build_random(&ff, counts, &dense, &box, &a, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "too high"));
    assert_non_null(strstr(err.message, "lower the density"));
    long charged[GMD_MAX_SPECIES] = {500, 1500, 1001};
    gmd_build_options opt = {.density = 0.043, .seed = 3};
    assert_int_equal(gmd_build_random(&ff, charged, &opt, &box, &a, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "not neutral"));
    gmd_build_options zero = {.density = 0, .seed = 3};
    assert_int_equal(gmd_build_random(&ff, counts, &zero, &box, &a, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "density"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_composition_counts), cmocka_unit_test(test_composition_errors),
        cmocka_unit_test(test_counts_parse),       cmocka_unit_test(test_build_random),
        cmocka_unit_test(test_build_reproducible), cmocka_unit_test(test_build_scale_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
