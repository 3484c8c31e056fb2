/* test_md.c - integrators: initial velocities, velocity-Verlet energy conservation (and
 * its dt^2 error scaling), Nose-Hoover chain temperature control and conserved quantity,
 * temperature ramps and FIRE minimisation, on a small Na2S-SiS2 melt (600 atoms, PPPM).
 * These drive plain velocity Verlet (gmd_md_step); energy conservation is tested without the
 * three-body term, whose smooth taper (w = 0.2 A) is too stiff for plain Verlet at dt = 1 fs
 * (docs/dynamics.md; test_mts.c tests the multiple time stepping that cures it); the ramp
 * test keeps it. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "glassmd/md.h"
#include "glassmd/model.h"
#include "glassmd/units.h"
#include "testutil.h"

static void make_melt(gmd_sim *f, int threebody, unsigned long seed)
{
    gmd_error err;
    gmd_forcefield ff;
    memset(f, 0, sizeof *f);
    tu_reference_ff(&ff);
    long counts[3] = {100, 300, 200}; /* Si, S, Na: 50Na2S-50SiS2 */
    tu_random_system(&ff, counts, 0.043, 2.0, seed, &f->box, &f->atoms);
    gmd_model_options o = gmd_model_default_options(&ff);
    o.kspace = GMD_KSPACE_PPPM;
    o.accuracy = 1e-5;
    o.threebody = threebody;
    o.threads = 1; /* thread independence is tested per term; ctest runs tests side by side */
    assert_int_equal(gmd_sim_create_model(f, &ff, &o, &err), GMD_OK);
    gmd_fire_options fo = gmd_fire_default_options();
    fo.ftol_eV_A = 0.5;
    fo.max_steps = 300;
    gmd_fire_result r;
    assert_int_equal(gmd_fire_minimize(f, &fo, &r, &err), GMD_OK);
    assert_true(r.pe_end_eV < r.pe_start_eV);
    gmd_md_init(&f->md, f->atoms.n, 0.001, seed);
    assert_int_equal(gmd_sim_compute(f, &err), GMD_OK);
}

static double run_steps(gmd_sim *f, long n, double *sum_t, double *cons_first, double *cons_last)
{
    gmd_error err;
    gmd_thermo t;
    double tsum = 0.0;
    for (long s = 0; s < n; s++) {
        assert_int_equal(gmd_md_step(f, &err), GMD_OK);
        gmd_md_thermo(f, &t);
        tsum += t.temperature_K;
        if (s == 0 && cons_first) *cons_first = t.conserved_eV;
    }
    if (cons_last) *cons_last = t.conserved_eV;
    if (sum_t) *sum_t = tsum;
    return t.temperature_K;
}

static void test_velocities(void **state)
{
    (void)state;
    gmd_sim f;
    make_melt(&f, 0, 3);
    gmd_md_velocities(&f, 1500.0);
    gmd_thermo t;
    gmd_md_thermo(&f, &t);
    assert_true(fabs(t.temperature_K - 1500.0) < 1e-9);
    double p[3] = {0, 0, 0};
    for (size_t i = 0; i < f.atoms.n; i++)
        for (int k = 0; k < 3; k++)
            p[k] += f.ff->species[f.atoms.type[i]].mass * f.atoms.v[k][i];
    for (int k = 0; k < 3; k++)
        assert_true(fabs(p[k]) < 1e-9);
    /* same seed, same velocities */
    double v0 = f.atoms.v[0][17];
    gmd_md_init(&f.md, f.atoms.n, 0.001, 3);
    gmd_md_velocities(&f, 1500.0);
    assert_true(f.atoms.v[0][17] == v0);
    gmd_sim_free(&f);
}

/* Velocity Verlet is second order: the energy fluctuation shrinks ~4x when dt halves. */
static double nve_fluctuation(double dt_ps, long steps)
{
    gmd_sim f;
    make_melt(&f, 0, 5);
    f.md.dt_ps = dt_ps;
    gmd_md_velocities(&f, 2000.0);
    gmd_error err;
    assert_int_equal(gmd_sim_compute(&f, &err), GMD_OK);
    gmd_thermo t;
    gmd_md_thermo(&f, &t);
    double e0 = t.etot_eV, dev2 = 0.0;
    for (long s = 0; s < steps; s++) {
        assert_int_equal(gmd_md_step(&f, &err), GMD_OK);
        gmd_md_thermo(&f, &t);
        dev2 += (t.etot_eV - e0) * (t.etot_eV - e0);
    }
    gmd_sim_free(&f);
    return sqrt(dev2 / (double)steps);
}

static void test_nve_second_order(void **state)
{
    (void)state;
    double big = nve_fluctuation(0.001, 200);
    double small = nve_fluctuation(0.0005, 400);
    printf("NVE rms energy deviation over 0.2 ps: dt=1 fs %.3g eV, dt=0.5 fs %.3g eV, ratio %.2f\n",
           big, small, big / small);
    assert_true(big / 600.0 < 3e-4); /* eV/atom: fluctuation of a fresh 2000 K melt */
    assert_true(big / small > 3.0 && big / small < 5.5);
}

static void test_nvt_temperature(void **state)
{
    (void)state;
    gmd_sim f;
    make_melt(&f, 0, 7);
    f.md.ensemble = GMD_ENSEMBLE_NVT;
    f.md.t_target_K = 2000.0;
    gmd_md_velocities(&f, 2000.0);
    run_steps(&f, 1000, NULL, NULL, NULL); /* equilibrate 1 ps */
    double tsum, c0, c1;
    long n = 6000;
    run_steps(&f, n, &tsum, &c0, &c1);
    double tmean = tsum / (double)n;
    printf(
        "NVT 2000 K, 600 atoms, 6 ps: mean T %.2f K (%.2f %%), conserved drift %.3g eV/atom/ps\n",
        tmean, 100.0 * (tmean / 2000.0 - 1.0), (c1 - c0) / 600.0 / 6.0);
    assert_true(fabs(tmean / 2000.0 - 1.0) < 0.01);
    assert_true(fabs(c1 - c0) / 600.0 < 1e-3);
    gmd_sim_free(&f);
}

static void test_ramp_follows_target(void **state)
{
    (void)state;
    gmd_sim f;
    make_melt(&f, 1, 9);
    f.md.ensemble = GMD_ENSEMBLE_NVT;
    gmd_md_velocities(&f, 2000.0);
    /* 2000 K -> 1000 K over 4 ps (250 K/ps); the thermostat lags by about tdamp * rate */
    long n = 4000;
    double window = 0.0;
    gmd_error err;
    gmd_thermo t;
    for (long s = 0; s < n; s++) {
        f.md.t_target_K = 2000.0 - 1000.0 * (double)(s + 1) / (double)n;
        assert_int_equal(gmd_md_step(&f, &err), GMD_OK);
        gmd_md_thermo(&f, &t);
        if (s >= n - 500) window += t.temperature_K - f.md.t_target_K;
    }
    double lag = window / 500.0;
    printf("ramp 250 K/ps: mean T - target over the last 0.5 ps = %.1f K\n", lag);
    assert_true(fabs(lag) < 60.0);
    gmd_sim_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_velocities),
        cmocka_unit_test(test_nve_second_order),
        cmocka_unit_test(test_nvt_temperature),
        cmocka_unit_test(test_ramp_follows_target),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
