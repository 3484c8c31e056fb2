/* test_guard.c - the Buckingham-catastrophe guard of the pair term: a pair inside its safe
 * distance stops the computation with GMD_ERR_PHYSICS naming both atoms; the same pair just
 * outside passes. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "glassmd/model.h"
#include "testutil.h"

static gmd_status eval_pair_at(double r, gmd_error *err)
{
    gmd_forcefield ff;
    tu_reference_ff(&ff);
    ff.pair[1][2].r_safe = ff.pair[2][1].r_safe = 0.3483; /* S-Na barrier top */
    gmd_box box = {{0, 0, 0}, {30, 30, 30}};
    gmd_atoms atoms;
    assert_int_equal(gmd_atoms_init(&atoms, 3, err), GMD_OK);
    const int type[3] = {1, 2, 2}; /* S, Na, Na: neutral */
    const double x[3] = {10.0, 10.0 + r, 20.0};
    for (int i = 0; i < 3; i++) {
        atoms.type[i] = type[i];
        atoms.charge[i] = ff.species[type[i]].charge;
        atoms.id[i] = 101 + i;
        atoms.r[0][i] = x[i];
        atoms.r[1][i] = atoms.r[2][i] = 10.0 + i;
    }
    atoms.r[1][1] = atoms.r[2][1] = 10.0; /* atom 102 on the x axis through 101 */
    gmd_model_options o = gmd_model_default_options(&ff);
    o.kspace = GMD_KSPACE_EWALD;
    o.threebody = 0;
    gmd_model *model;
    gmd_tally tally;
    assert_int_equal(gmd_model_create(&model, &ff, &o, &box, &atoms, err), GMD_OK);
    gmd_status st = gmd_model_compute(model, &box, &atoms, &tally, err);
    gmd_model_free(model);
    gmd_atoms_free(&atoms);
    return st;
}

static void test_collapse_detected(void **state)
{
    (void)state;
    gmd_error err;
    gmd_error_clear(&err);
    assert_int_equal(eval_pair_at(0.30, &err), GMD_ERR_PHYSICS);
    assert_non_null(strstr(err.message, "101 (S)"));
    assert_non_null(strstr(err.message, "102 (Na)"));
    assert_non_null(strstr(err.message, "0.3000 A"));
    assert_non_null(strstr(err.message, "wall"));
}

static void test_outside_safe_distance_passes(void **state)
{
    (void)state;
    gmd_error err;
    gmd_error_clear(&err);
    assert_int_equal(eval_pair_at(0.40, &err), GMD_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_collapse_detected),
        cmocka_unit_test(test_outside_safe_distance_passes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
