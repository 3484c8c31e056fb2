/* test_mts.c - multiple time stepping of the three-body term (md.h, gmd_md_step_mts).
 *
 * Exact cases: one substep is plain velocity Verlet, bit for bit; with the slow forces
 * switched off (no pair, no Coulomb) k substeps of one step are k plain Verlet steps of
 * dt/k; the scheme is time reversible (run forward, reverse the velocities, run back: the
 * start returns). Physics: on a 600-atom 2000 K melt with the smooth taper at dt = 1 fs,
 * the total energy wanders far less with 8 substeps than with plain Verlet, and about as
 * little as without the term (docs/dynamics.md has the 3000-atom figures). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "glassmd/md.h"
#include "glassmd/model.h"
#include "testutil.h"

typedef struct melt_spec {
    int threebody;      /* include the three-body term */
    int pairs;          /* 0: Buckingham and Coulomb switched off (three-body only) */
    int minimize;       /* FIRE first */
    int substeps;       /* for the workspace */
    unsigned long seed; /* configuration and velocities */
} melt_spec;

static void make_system(gmd_sim *f, const melt_spec *spec)
{
    gmd_error err;
    gmd_forcefield ff;
    memset(f, 0, sizeof *f);
    tu_reference_ff(&ff);
    if (!spec->pairs)
        for (int a = 0; a < ff.nspecies; a++)
            for (int b = 0; b < ff.nspecies; b++) {
                ff.pair[a][b].A = 0.0;
                ff.pair[a][b].C = 0.0;
            }
    long counts[3] = {100, 300, 200}; /* Si, S, Na: 50Na2S-50SiS2 */
    tu_random_system(&ff, counts, 0.043, 2.0, spec->seed, &f->box, &f->atoms);
    gmd_model_options o = gmd_model_default_options(&ff);
    o.kspace = spec->pairs ? GMD_KSPACE_PPPM : GMD_KSPACE_NONE;
    o.accuracy = 1e-5;
    o.threebody = spec->threebody;
    o.threads = 1;
    assert_int_equal(gmd_sim_create_model(f, &ff, &o, &err), GMD_OK);
    if (spec->minimize) {
        gmd_fire_options fo = gmd_fire_default_options();
        fo.ftol_eV_A = 0.5;
        fo.max_steps = 300;
        gmd_fire_result r;
        assert_int_equal(gmd_fire_minimize(f, &fo, &r, &err), GMD_OK);
    }
    gmd_md_init(&f->md, f->atoms.n, 0.001, spec->seed);
    gmd_md_velocities(f, 2000.0);
    assert_int_equal(gmd_mts_init(&f->mts, spec->substeps, f->atoms.n, &err), GMD_OK);
    assert_int_equal(gmd_sim_compute(f, &err), GMD_OK);
}

static void step_mts(gmd_sim *f)
{
    gmd_error err;
    gmd_status st = gmd_md_step_mts(f, &err);
    if (st != GMD_OK) fail_msg("%s", err.message);
}

static void step_plain(gmd_sim *f)
{
    gmd_error err;
    gmd_status st = gmd_md_step(f, &err);
    if (st != GMD_OK) fail_msg("%s", err.message);
}

static double unwrapped(const gmd_sim *f, int k, size_t i)
{
    return f->atoms.r[k][i] + f->atoms.image[k][i] * f->box.len[k];
}

/* Largest difference of unwrapped positions (A) and of velocities (A/ps). */
static void max_differences(const gmd_sim *a, const gmd_sim *b, double *dr, double *dv)
{
    *dr = *dv = 0.0;
    for (size_t i = 0; i < a->atoms.n; i++)
        for (int k = 0; k < 3; k++) {
            *dr = fmax(*dr, fabs(unwrapped(a, k, i) - unwrapped(b, k, i)));
            *dv = fmax(*dv, fabs(a->atoms.v[k][i] - b->atoms.v[k][i]));
        }
}

static void test_one_substep_is_verlet(void **state)
{
    (void)state;
    melt_spec spec = {.threebody = 1, .pairs = 1, .minimize = 1, .substeps = 1, .seed = 11};
    gmd_sim a, b;
    make_system(&a, &spec);
    make_system(&b, &spec);
    a.md.ensemble = b.md.ensemble = GMD_ENSEMBLE_NVT;
    a.md.t_target_K = b.md.t_target_K = 2000.0;
    for (int s = 0; s < 30; s++) {
        step_plain(&a);
        step_mts(&b);
    }
    double dr, dv;
    max_differences(&a, &b, &dr, &dv);
    assert_true(dr == 0.0 && dv == 0.0);
    assert_true(gmd_tally_total(&a.tally) == gmd_tally_total(&b.tally));
    gmd_sim_free(&a);
    gmd_sim_free(&b);
}

/* No slow forces: one step of dt with k substeps is k plain steps of dt/k. */
static void test_fast_only_is_fine_verlet(void **state)
{
    (void)state;
    const int k = 5;
    melt_spec spec = {.threebody = 1, .pairs = 0, .minimize = 0, .substeps = k, .seed = 13};
    gmd_sim coarse, fine;
    make_system(&coarse, &spec);
    make_system(&fine, &spec);
    assert_true(gmd_model_has_group(coarse.model, GMD_GROUP_FAST));
    fine.md.dt_ps = coarse.md.dt_ps / k;
    for (int s = 0; s < 40; s++) {
        step_mts(&coarse);
        for (int j = 0; j < k; j++)
            step_plain(&fine);
    }
    double dr, dv;
    max_differences(&coarse, &fine, &dr, &dv);
    printf("three-body only, 40 steps of 1 fs x %d substeps vs %d steps of %g fs: "
           "max |dr| %.3g A, max |dv| %.3g A/ps, energies %.12g / %.12g eV\n",
           k, 40 * k, 1.0 / k, dr, dv, gmd_tally_total(&coarse.tally),
           gmd_tally_total(&fine.tally));
    assert_true(dr < 1e-12 && dv < 1e-9);
    assert_true(tu_rel_diff(gmd_tally_total(&coarse.tally), gmd_tally_total(&fine.tally), 1.0) <
                1e-12);
    assert_true(fabs(coarse.md.time_ps - fine.md.time_ps) < 1e-12);
    gmd_sim_free(&coarse);
    gmd_sim_free(&fine);
}

static void reverse_velocities(gmd_sim *f)
{
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < f->atoms.n; i++)
            f->atoms.v[k][i] = -f->atoms.v[k][i];
}

static void test_time_reversible(void **state)
{
    (void)state;
    melt_spec spec = {.threebody = 1, .pairs = 1, .minimize = 1, .substeps = 8, .seed = 17};
    gmd_sim f, start;
    make_system(&f, &spec);
    make_system(&start, &spec);
    for (int s = 0; s < 60; s++)
        step_mts(&f);
    double dr, dv;
    max_differences(&f, &start, &dr, &dv);
    assert_true(dr > 0.05); /* it went somewhere */
    reverse_velocities(&f);
    for (int s = 0; s < 60; s++)
        step_mts(&f);
    reverse_velocities(&f);
    max_differences(&f, &start, &dr, &dv);
    printf("60 steps forward, 60 back (8 substeps): max |dr| %.3g A, max |dv| %.3g A/ps\n", dr, dv);
    assert_true(dr < 1e-9 && dv < 1e-6);
    gmd_sim_free(&f);
    gmd_sim_free(&start);
}

/* RMS of E_total - E(0) per atom over n NVE steps. */
static double energy_wander(int threebody, int substeps, long n)
{
    melt_spec spec = {
        .threebody = threebody, .pairs = 1, .minimize = 1, .substeps = substeps, .seed = 19};
    gmd_sim f;
    make_system(&f, &spec);
    gmd_thermo t;
    gmd_md_thermo(&f, &t);
    double e0 = t.etot_eV, sum2 = 0.0;
    for (long s = 0; s < n; s++) {
        step_mts(&f);
        gmd_md_thermo(&f, &t);
        sum2 += (t.etot_eV - e0) * (t.etot_eV - e0);
    }
    double rms = sqrt(sum2 / (double)n) / (double)f.atoms.n;
    gmd_sim_free(&f);
    return rms;
}

static void test_energy_conservation(void **state)
{
    (void)state;
    const long n = 600;
    double none = energy_wander(0, 1, n);
    double plain = energy_wander(1, 1, n);
    double mts = energy_wander(1, 8, n);
    printf("600 atoms, 2000 K, dt 1 fs, 0.6 ps NVE, rms E - E(0) per atom: no three-body "
           "%.3g eV, smooth taper plain Verlet %.3g eV, 8 substeps %.3g eV\n",
           none, plain, mts);
    assert_true(plain > 3.0 * mts);
    assert_true(mts < 2.0 * none);
}

static void test_bad_substeps(void **state)
{
    (void)state;
    gmd_mts mts;
    gmd_error err;
    assert_int_equal(gmd_mts_init(&mts, 0, 10, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "substeps"));
    assert_int_equal(gmd_mts_init(&mts, GMD_MTS_MAX_SUBSTEPS + 1, 10, &err), GMD_ERR_VALUE);
    assert_int_equal(gmd_mts_init(&mts, GMD_MTS_MAX_SUBSTEPS, 10, &err), GMD_OK);
    gmd_mts_free(&mts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_substep_is_verlet),
        cmocka_unit_test(test_fast_only_is_fine_verlet),
        cmocka_unit_test(test_time_reversible),
        cmocka_unit_test(test_energy_conservation),
        cmocka_unit_test(test_bad_substeps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
