/* test_model.c - the assembled force field against exact results.
 *
 * Two ions +1/-1 at distance r in a cubic box of side L: with Ewald's tin-foil boundary
 * the periodic Coulomb potential near the origin is psi(r) = 1/r + xi/L + (2 pi / 3)
 * r^2/L^3 + c4 K4(r)/L^5 + O(r^6/L^7), where K4 = x^4 + y^4 + z^4 - 3 r^4/5 is the cubic
 * harmonic. The self-image terms xi/L cancel for a neutral pair, so along a direction with
 * K4 = 0 the energy is, up to the next cubic term ~ k_e r^6 / L^7,
 *   E = A exp(-r/rho) - C/r^6 - k_e/r - k_e (2 pi / 3) r^2 / L^3   (to ~1e-10 relative).
 * This checks the real-space, reciprocal and self parts together and the Buckingham term. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "glassmd/model.h"
#include "glassmd/units.h"
#include "testutil.h"

static void two_ion_ff(gmd_forcefield *ff)
{
    tu_reference_ff(ff);
    ff->nspecies = 2;
    ff->species[0] = (gmd_species){"Na", 22.98977, 1.0};
    ff->species[1] = (gmd_species){"S", 32.06, -1.0};
    gmd_pair_params nas = {.defined = 1, .A = 833000, .rho = 0.182, .C = 70};
    gmd_pair_params none = {.defined = 1, .A = 0, .rho = 1, .C = 0};
    ff->pair[0][1] = ff->pair[1][0] = nas;
    ff->pair[0][0] = ff->pair[1][1] = none;
    ff->nthreebody = 0;
}

static double two_ion_energy(gmd_kspace_method method, double accuracy, double r, double len,
                             double *force_along)
{
    gmd_forcefield ff;
    two_ion_ff(&ff);
    /* a direction with x^4 + y^4 = 0.6 (x^2 + y^2 = 1): the cubic harmonic K4 vanishes */
    double u = (2.0 + sqrt(0.8)) / 4.0;
    double dir[3] = {sqrt(u), sqrt(1.0 - u), 0.0};
    gmd_box box = {{0, 0, 0}, {len, len, len}};
    gmd_atoms atoms;
    gmd_error err;
    assert_int_equal(gmd_atoms_init(&atoms, 2, &err), GMD_OK);
    for (int i = 0; i < 2; i++) {
        atoms.type[i] = i;
        atoms.charge[i] = ff.species[i].charge;
        atoms.id[i] = i + 1;
        for (int k = 0; k < 3; k++)
            atoms.r[k][i] = 0.37 * len + i * r * dir[k];
    }
    gmd_model_options o = gmd_model_default_options(&ff);
    o.kspace = method;
    o.accuracy = accuracy;
    o.cutoff = 0.45 * len - 1.0;
    gmd_model *model;
    gmd_tally tally;
    assert_int_equal(gmd_model_create(&model, &ff, &o, &box, &atoms, &err), GMD_OK);
    assert_int_equal(gmd_model_compute(model, &box, &atoms, &tally, &err), GMD_OK);
    *force_along = 0.0; /* force on atom 2 along dir: -dE/dr */
    for (int k = 0; k < 3; k++)
        *force_along += atoms.f[k][1] * dir[k];
    gmd_model_free(model);
    gmd_atoms_free(&atoms);
    return gmd_tally_total(&tally);
}

static double exact_energy(double r, double len, double *force_along)
{
    const double A = 833000, rho = 0.182, C = 70, ke = GMD_COULOMB_EV_A;
    double a = 2.0 * GMD_PI / 3.0 / (len * len * len);
    *force_along =
        -(-A / rho * exp(-r / rho) + 6.0 * C / pow(r, 7) + ke / (r * r) - 2.0 * ke * a * r);
    return A * exp(-r / rho) - C / pow(r, 6) - ke / r - ke * a * r * r;
}

static void test_two_ions_ewald_exact(void **state)
{
    (void)state;
    const double len = 60.0; /* the next term, ~r^6/L^7, stays below 1e-9 eV */
    for (double r = 2.0; r <= 3.01; r += 0.5) {
        double f_ref, f;
        double e_ref = exact_energy(r, len, &f_ref);
        double e = two_ion_energy(GMD_KSPACE_EWALD, 1e-12, r, len, &f);
        printf("two ions r = %.2f A: E = %.12f eV, exact %.12f eV (rel %.2e); F = %.10f, "
               "exact %.10f eV/A\n",
               r, e, e_ref, tu_rel_diff(e, e_ref, 1.0), f, f_ref);
        assert_true(tu_rel_diff(e, e_ref, 1.0) < 1e-9);
        assert_true(fabs(f - f_ref) < 1e-7 * fmax(1.0, fabs(f_ref)));
        /* the image correction is resolved: dropping it would fail the check above */
        assert_true(fabs(GMD_COULOMB_EV_A * 2.0 * GMD_PI / 3.0 * r * r / pow(len, 3)) >
                    1e3 * 1e-9 * fabs(e_ref));
    }
}

static void test_two_ions_pppm_within_accuracy(void **state)
{
    (void)state;
    double f_ref, f;
    double e_ref = exact_energy(2.5, 40.0, &f_ref);
    double e = two_ion_energy(GMD_KSPACE_PPPM, 1e-5, 2.5, 40.0, &f);
    printf("two ions, pppm 1e-5: E error %.3g eV, F error %.3g eV/A\n", e - e_ref, f - f_ref);
    assert_true(fabs(f - f_ref) < 1e-5 * GMD_COULOMB_EV_A);
    assert_true(fabs(e - e_ref) < 1e-3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_ions_ewald_exact),
        cmocka_unit_test(test_two_ions_pppm_within_accuracy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
