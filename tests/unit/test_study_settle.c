/* test_study_settle.c - the volume-settled check of a study at constant pressure
 * (src/study/npt.c) on synthetic thermo.csv files whose answer is known by construction:
 *  - a stationary volume (independent Gaussian noise) is settled; its mean is the plain
 *    mean of the rows of the second half (computed here) and its standard error is
 *    sigma / sqrt(n) to within the scatter of a 10-block estimate;
 *  - a volume drifting linearly by a few noise widths over the window is NOT settled;
 *  - an exponential relaxation that ended well before the window is settled;
 *  - too few rows to judge are NOT settled, and z is NAN;
 *  - a thermo.csv without the NPT columns is refused with the file and the cure. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/study/study_internal.h"
#include "testutil.h"

/* Standard normal deviates from a fixed 64-bit LCG (Box-Muller): the same every run. */
static double gauss(uint64_t *s)
{
    double u[2];
    for (int k = 0; k < 2; k++) {
        *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
        u[k] = ((double)(*s >> 11) + 0.5) / 9007199254740992.0;
    }
    return sqrt(-2.0 * log(u[0])) * cos(6.283185307179586 * u[1]);
}

typedef double (*volume_fn)(double t_ps, uint64_t *seed);

/* n rows 0.01 ps apart of a thermo.csv as glassmd writes it, volume V(t); the plain mean
 * and count of the rows of the second half (t >= t_last / 2) into *mean, *count. */
static const char *write_thermo(int n, volume_fn V, double *mean, long *count)
{
    static char path[256]; /* one file per process, removed by main */
    snprintf(path, sizeof path, "/tmp/test_study_settle.%d.csv", (int)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "step,time_ps,T_K,pe_eV,ke_eV,etot_eV,conserved_eV,pressure_bar,volume_A3,"
               "density_1_A3,stage\n");
    uint64_t seed = 42;
    double sum = 0.0, t_last = 0.01 * (n - 1);
    *count = 0;
    for (int i = 0; i < n; i++) {
        double t = 0.01 * i, v = V(t, &seed);
        fprintf(f, "%d,%.6f,1000,-900,10,-890,-890,1.0,%.10g,%.10g,npt\n", 10 * i, t, v, 120.0 / v);
        if (t >= 0.5 * t_last) sum += v, ++*count;
    }
    fclose(f);
    *mean = sum / (double)*count;
    return path;
}

/* The check of n rows of V(t); the plain mean and count of the rows it should use. */
static gmd_study_settle check(int n, volume_fn V, double *mean, long *count)
{
    gmd_study_settle g;
    gmd_error err;
    const char *path = write_thermo(n, V, mean, count);
    if (gmd_study_settle_volume(path, &g, &err) != GMD_OK) fail_msg("%s", err.message);
    return g;
}

static double stationary(double t, uint64_t *s)
{
    (void)t;
    return 3000.0 + 10.0 * gauss(s);
}

static double drifting(double t, uint64_t *s) /* 3 noise widths per ps */
{
    return 3000.0 + 30.0 * t + 10.0 * gauss(s);
}

static double relaxed(double t, uint64_t *s) /* tau = 0.1 ps, window from 2 ps */
{
    return 3000.0 + 800.0 * exp(-t / 0.1) + 10.0 * gauss(s);
}

static void test_stationary_is_settled(void **state)
{
    (void)state;
    double mean;
    long count;
    gmd_study_settle g = check(400, stationary, &mean, &count);
    assert_int_equal(g.nrows, count);
    assert_true(fabs(g.volume_A3 - mean) < 1e-9 * mean);
    assert_true(g.settled && g.z <= g.z_limit);
    double expected = 10.0 / sqrt((double)count);
    assert_true(g.volume_err_A3 > 0.5 * expected && g.volume_err_A3 < 2.0 * expected);
    assert_true(fabs(g.natoms - 120.0) < 1e-6);
}

static void test_drift_is_not_settled(void **state)
{
    (void)state;
    double mean;
    long count;
    gmd_study_settle g = check(400, drifting, &mean, &count);
    /* the halves' means are 1 ps apart: 30 A^3, against errors of about 1 A^3 */
    assert_false(g.settled);
    assert_true(g.z > 10.0);
    assert_true(g.half_A3[1] > g.half_A3[0] + 20.0);
}

static void test_finished_relaxation_is_settled(void **state)
{
    (void)state;
    double mean;
    long count;
    gmd_study_settle g = check(400, relaxed, &mean, &count);
    assert_true(g.settled);
    assert_true(fabs(g.volume_A3 - 3000.0) < 5.0 * g.volume_err_A3);
}

static void test_too_few_rows_are_not_settled(void **state)
{
    (void)state;
    double mean;
    long count;
    gmd_study_settle g = check(30, stationary, &mean, &count);
    assert_false(g.settled);
    assert_true(isnan(g.z));
    assert_true(fabs(g.volume_A3 - mean) < 1e-9 * mean); /* the state is still given */
}

static void test_thermo_without_volume_is_refused(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "/tmp/test_study_settle.%d.csv", (int)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "step,time_ps,T_K,pe_eV\n0,0,1000,-900\n");
    fclose(f);
    gmd_study_settle g;
    gmd_error err;
    assert_int_not_equal(gmd_study_settle_volume(path, &g, &err), GMD_OK);
    assert_non_null(strstr(err.message, path));
    assert_non_null(strstr(err.message, ":1: the header has no volume_A3 column"));
    assert_non_null(strstr(err.message, "rerun the job"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stationary_is_settled),
        cmocka_unit_test(test_drift_is_not_settled),
        cmocka_unit_test(test_finished_relaxation_is_settled),
        cmocka_unit_test(test_too_few_rows_are_not_settled),
        cmocka_unit_test(test_thermo_without_volume_is_refused),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    char path[256];
    snprintf(path, sizeof path, "/tmp/test_study_settle.%d.csv", (int)getpid());
    remove(path);
    return failed;
}
