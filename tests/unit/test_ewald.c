/* test_ewald.c - the Ewald reciprocal sum against exact and independent references.
 *
 * - forces = -gradient of the energy (central finite differences);
 * - diagonal virial = -d E / d strain (central differences of a scaled box), also for a
 *   non-neutral system (neutralising background);
 * - Madelung energies of rock salt (M = 1.747564594633), CsCl (1.762675) and antifluorite
 *   Na2S (2.519392) lattices, with the real-space sum done here by brute force with erfc;
 * - two ions in a box: the total energy does not depend on the splitting parameter g;
 * - parameter choice: g_ewald and kmax as LAMMPS 2022 prints them for the same system;
 * - results independent of the thread count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glassmd/kspace.h"
#include "glassmd/units.h"
#include "testutil.h"

static gmd_term *make_ewald(const gmd_kspace_params *p, const gmd_box *box, const gmd_atoms *atoms)
{
    gmd_term *t = NULL;
    gmd_error err;
    gmd_error_clear(&err);
    gmd_status st = gmd_ewald_create(&t, p, box, atoms, &err);
    if (st != GMD_OK) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, GMD_OK);
    return t;
}

/* Recip + self energy; forces (zeroed first) and virial as the term returns them. */
static double kspace_energy(gmd_term *t, const gmd_box *box, gmd_atoms *atoms, int threads,
                            double virial[6])
{
    gmd_tally tally;
    gmd_tally_clear(&tally);
    gmd_atoms_zero_forces(atoms);
    gmd_compute_args args = {.box = box, .atoms = atoms, .nlist = NULL, .threads = threads};
    gmd_error err;
    assert_int_equal(t->compute(t, &args, &tally, &err), GMD_OK);
    if (virial) memcpy(virial, tally.virial, sizeof tally.virial);
    return tally.energy[GMD_KSPACE_PART_RECIP] + tally.energy[GMD_KSPACE_PART_SELF];
}

/* Real-space Ewald energy by brute force over all pairs and periodic images within rc. */
static double real_space_energy(const gmd_box *box, const gmd_atoms *a, double g, double rc)
{
    int nimg[3];
    for (int d = 0; d < 3; d++)
        nimg[d] = (int)ceil(rc / box->len[d]) + 1;
    double e = 0.0;
    for (size_t i = 0; i < a->n; i++)
        for (size_t j = i; j < a->n; j++) {
            double base[3];
            for (int d = 0; d < 3; d++)
                base[d] = a->r[d][j] - a->r[d][i];
            for (int nx = -nimg[0]; nx <= nimg[0]; nx++)
                for (int ny = -nimg[1]; ny <= nimg[1]; ny++)
                    for (int nz = -nimg[2]; nz <= nimg[2]; nz++) {
                        if (i == j && nx == 0 && ny == 0 && nz == 0) continue;
                        double dx = base[0] + nx * box->len[0];
                        double dy = base[1] + ny * box->len[1];
                        double dz = base[2] + nz * box->len[2];
                        double r = sqrt(dx * dx + dy * dy + dz * dz);
                        if (r >= rc) continue;
                        double w = (i == j) ? 0.5 : 1.0; /* self images: each pair twice */
                        e += w * GMD_COULOMB_EV_A * a->charge[i] * a->charge[j] * erfc(g * r) / r;
                    }
        }
    return e;
}

static void small_random_system(gmd_box *box, gmd_atoms *atoms, unsigned long seed)
{
    gmd_forcefield ff;
    tu_reference_ff(&ff);
    const long counts[3] = {8, 24, 16}; /* Si, S, Na: 48 atoms, neutral */
    tu_random_system(&ff, counts, 0.043, 1.8, seed, box, atoms);
}

static gmd_kspace_params ewald_params(double accuracy, double cutoff)
{
    gmd_kspace_params p;
    memset(&p, 0, sizeof p);
    p.method = GMD_KSPACE_EWALD;
    p.accuracy = accuracy;
    p.cutoff = cutoff;
    return p;
}

/* Forces against central differences of the energy: 48 atoms (one block of the force
 * pass), then 150 (blocks of 64, 64 and 22), probing atoms in every block. */
static void test_forces_are_minus_gradient(void **state)
{
    (void)state;
    for (int system = 0; system < 2; system++) {
        gmd_box box;
        gmd_atoms atoms;
        if (system == 0)
            small_random_system(&box, &atoms, 11);
        else {
            gmd_forcefield ff;
            tu_reference_ff(&ff);
            const long counts[3] = {25, 75, 50};
            tu_random_system(&ff, counts, 0.043, 1.8, 13, &box, &atoms);
        }
        gmd_kspace_params p = ewald_params(1e-7, 5.0);
        gmd_term *t = make_ewald(&p, &box, &atoms);
        kspace_energy(t, &box, &atoms, 2, NULL);
        double *f[3];
        for (int d = 0; d < 3; d++) {
            f[d] = malloc(atoms.n * sizeof(double));
            assert_non_null(f[d]);
            memcpy(f[d], atoms.f[d], atoms.n * sizeof(double));
        }
        const double h = 1e-4;
        double diff2 = 0.0, norm2 = 0.0;
        const size_t probe[2][5] = {{0, 9, 30, 47, 47}, {0, 63, 64, 100, 149}};
        for (int a = 0; a < 5; a++)
            for (int d = 0; d < 3; d++) {
                size_t i = probe[system][a];
                double x0 = atoms.r[d][i];
                atoms.r[d][i] = x0 + h;
                double ep = kspace_energy(t, &box, &atoms, 2, NULL);
                atoms.r[d][i] = x0 - h;
                double em = kspace_energy(t, &box, &atoms, 2, NULL);
                atoms.r[d][i] = x0;
                double fd = -(ep - em) / (2.0 * h);
                diff2 += pow(fd - f[d][i], 2);
                norm2 += f[d][i] * f[d][i];
            }
        double rel = sqrt(diff2 / norm2);
        printf("ewald, %zu atoms: |F - F_fd| / |F| = %.3g (|F| = %.3g eV/A)\n", atoms.n, rel,
               sqrt(norm2));
        assert_true(norm2 > 1e-2);
        assert_true(rel < 1e-6);
        for (int d = 0; d < 3; d++)
            free(f[d]);
        gmd_term_free(t);
        gmd_atoms_free(&atoms);
    }
}

static void scale_axis(gmd_box *box, gmd_atoms *atoms, int axis, double factor)
{
    for (size_t i = 0; i < atoms->n; i++)
        atoms->r[axis][i] = box->lo[axis] + (atoms->r[axis][i] - box->lo[axis]) * factor;
    box->len[axis] *= factor;
}

static void check_virial_against_strain(size_t drop)
{
    gmd_box box;
    gmd_atoms atoms;
    small_random_system(&box, &atoms, 12);
    atoms.n -= drop; /* dropping atoms leaves a net charge: background term */
    gmd_kspace_params p = ewald_params(1e-8, 5.0);
    gmd_term *t = make_ewald(&p, &box, &atoms);
    double w[6];
    kspace_energy(t, &box, &atoms, 2, w);
    const double eps = 1e-5;
    for (int a = 0; a < 3; a++) {
        gmd_box b = box;
        scale_axis(&b, &atoms, a, 1.0 + eps);
        double ep = kspace_energy(t, &b, &atoms, 2, NULL);
        scale_axis(&b, &atoms, a, (1.0 - eps) / (1.0 + eps));
        double em = kspace_energy(t, &b, &atoms, 2, NULL);
        scale_axis(&b, &atoms, a, 1.0 / (1.0 - eps));
        double w_fd = -(ep - em) / (2.0 * eps);
        printf("ewald virial (drop %zu) W_%c%c = %.10g, -dE/de = %.10g\n", drop, "xyz"[a], "xyz"[a],
               w[a], w_fd);
        assert_true(fabs(w[a] - w_fd) < 1e-6 * (fabs(w[a]) + 1.0));
    }
    atoms.n += drop;
    gmd_term_free(t);
    gmd_atoms_free(&atoms);
}

static void test_virial_is_strain_derivative(void **state)
{
    (void)state;
    check_virial_against_strain(0);
    check_virial_against_strain(1); /* a Si removed: net charge -2.4 e */
}

/* Puts basis[b] + cell offsets of an ncell^3 replication of a cubic cell a into atoms. */
static void build_lattice(gmd_box *box, gmd_atoms *atoms, double a, int ncell, int nbasis,
                          const double basis[][3], const double *charge)
{
    size_t n = (size_t)nbasis * ncell * ncell * ncell;
    gmd_error err;
    assert_int_equal(gmd_atoms_init(atoms, n, &err), GMD_OK);
    for (int d = 0; d < 3; d++) {
        box->lo[d] = 0.0;
        box->len[d] = a * ncell;
    }
    size_t i = 0;
    for (int cx = 0; cx < ncell; cx++)
        for (int cy = 0; cy < ncell; cy++)
            for (int cz = 0; cz < ncell; cz++)
                for (int b = 0; b < nbasis; b++, i++) {
                    const int c[3] = {cx, cy, cz};
                    for (int d = 0; d < 3; d++)
                        atoms->r[d][i] = a * (c[d] + basis[b][d]);
                    atoms->charge[i] = charge[b];
                    atoms->id[i] = (long)i + 1;
                }
}

/* Ewald total (brute-force real part + this term) with g and kmax fixed tightly. */
static double ewald_total(const gmd_box *box, gmd_atoms *atoms, double g, double rc)
{
    gmd_kspace_params p = ewald_params(1e-13, rc);
    p.g_ewald = g;
    gmd_term *t = make_ewald(&p, box, atoms);
    double e = kspace_energy(t, box, atoms, 2, NULL) + real_space_energy(box, atoms, g, rc);
    gmd_term_free(t);
    return e;
}

static void test_madelung_rock_salt(void **state)
{
    (void)state;
    const double a = 5.64, M = 1.747564594633; /* M per nearest-neighbour distance a/2 */
    const double basis[8][3] = {{0, 0, 0},   {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5},
                                {0.5, 0, 0}, {0, 0.5, 0},   {0, 0, 0.5},   {0.5, 0.5, 0.5}};
    const double q[8] = {1, 1, 1, 1, -1, -1, -1, -1};
    gmd_box box;
    gmd_atoms atoms;
    build_lattice(&box, &atoms, a, 3, 8, basis, q);
    double e = ewald_total(&box, &atoms, 0.7, 8.0);
    double expect = -0.5 * (double)atoms.n * M * GMD_COULOMB_EV_A / (0.5 * a);
    printf("rock salt: E = %.12g eV, Madelung %.12g eV\n", e, expect);
    assert_true(tu_rel_diff(e, expect, 1e-30) < 1e-9);
    gmd_atoms_free(&atoms);
}

/* Antifluorite Na2S: S2- on fcc sites, Na+ on the 8 tetrahedral sites. Convention
 * (fluorite CaF2 in Johnson & Templeton, J. Chem. Phys. 34, 2004 (1961), and Kittel):
 * E per formula unit = -M |z+ z-| k_e / r0, r0 = sqrt(3) a / 4, M = 2.519392. */
static void test_madelung_antifluorite(void **state)
{
    (void)state;
    const double a = 6.54, M = 2.519392;
    double basis[12][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    double q[12] = {-2, -2, -2, -2};
    int nb = 4;
    for (int x = 0; x < 2; x++)
        for (int y = 0; y < 2; y++)
            for (int z = 0; z < 2; z++, nb++) {
                basis[nb][0] = 0.25 + 0.5 * x;
                basis[nb][1] = 0.25 + 0.5 * y;
                basis[nb][2] = 0.25 + 0.5 * z;
                q[nb] = 1.0;
            }
    gmd_box box;
    gmd_atoms atoms;
    build_lattice(&box, &atoms, a, 3, 12, (const double(*)[3])basis, q);
    double e = ewald_total(&box, &atoms, 0.7, 9.0);
    double r0 = sqrt(3.0) * a / 4.0, units = (double)atoms.n / 3.0;
    double expect = -units * M * 2.0 * GMD_COULOMB_EV_A / r0;
    printf("antifluorite: E = %.12g eV, Madelung %.12g eV (M_fit = %.9f)\n", e, expect,
           -e * r0 / (units * 2.0 * GMD_COULOMB_EV_A));
    assert_true(tu_rel_diff(e, expect, 1e-30) < 1e-6);
    gmd_atoms_free(&atoms);
}

static void two_ions(gmd_box *box, gmd_atoms *atoms, double len, const double r1[3],
                     const double r2[3])
{
    gmd_error err;
    assert_int_equal(gmd_atoms_init(atoms, 2, &err), GMD_OK);
    for (int d = 0; d < 3; d++) {
        box->lo[d] = 0.0;
        box->len[d] = len;
        atoms->r[d][0] = r1[d] * len;
        atoms->r[d][1] = r2[d] * len;
    }
    atoms->charge[0] = 1.0;
    atoms->charge[1] = -1.0;
}

/* Two ions at body-centre positions form a CsCl lattice: E = -M k_e / r0 per ion pair,
 * M = 1.762675 (r0 = sqrt(3) L / 2). At a generic position the total cannot depend on g. */
static void test_two_ions(void **state)
{
    (void)state;
    gmd_box box;
    gmd_atoms atoms;
    const double L = 10.0;
    const double o[3] = {0, 0, 0}, c[3] = {0.5, 0.5, 0.5};
    two_ions(&box, &atoms, L, o, c);
    double e = ewald_total(&box, &atoms, 0.5, 13.0);
    double expect = -1.762675 * GMD_COULOMB_EV_A / (sqrt(3.0) * L / 2.0);
    printf("CsCl: E = %.10g eV, Madelung %.10g eV\n", e, expect);
    assert_true(tu_rel_diff(e, expect, 1e-30) < 1e-6);
    gmd_atoms_free(&atoms);

    const double r1[3] = {0.1, 0.2, 0.3}, r2[3] = {0.55, 0.4, 0.8};
    two_ions(&box, &atoms, L, r1, r2);
    const double gs[4] = {0.3, 0.4, 0.5, 0.65};
    double e0 = 0.0;
    for (int k = 0; k < 4; k++) {
        double ek = ewald_total(&box, &atoms, gs[k], 6.5 / gs[k]);
        printf("two ions: g = %.2f  E = %.13g eV\n", gs[k], ek);
        if (k == 0) e0 = ek;
        assert_true(tu_rel_diff(ek, e0, 1e-30) < 1e-9);
    }
    gmd_atoms_free(&atoms);
}

/* The same N, sum q^2, volume, cut-off and accuracy as a LAMMPS 2022 run of
 * `pair_style coul/long 10.0; kspace_style ewald 1e-5` on 3000 Na2S-SiS2 atoms at 0.043
 * atoms/A^3, which printed G vector = 0.31732143 and kxmax kymax kzmax = 14 14 14, and
 * for ewald 1e-8: 0.41203209, 23 23 23 (positions do not enter the choice). */
static void test_choice_matches_lammps(void **state)
{
    (void)state;
    gmd_box box = {{0, 0, 0}, {0, 0, 0}};
    gmd_atoms atoms;
    gmd_error err;
    assert_int_equal(gmd_atoms_init(&atoms, 3000, &err), GMD_OK);
    for (size_t i = 0; i < 3000; i++)
        atoms.charge[i] = i < 500 ? 2.4 : (i < 2000 ? -1.2 : 0.6);
    double len = cbrt(3000.0 / 0.043);
    for (int d = 0; d < 3; d++)
        box.len[d] = len;
    const double acc[2] = {1e-5, 1e-8}, g_lmp[2] = {0.31732143, 0.41203209};
    const int k_lmp[2] = {14, 23};
    const long kvec_lmp[2] = {5756, 25441};
    for (int c = 0; c < 2; c++) {
        gmd_kspace_params p = ewald_params(acc[c], 10.0);
        assert_int_equal(gmd_kspace_choose(&p, &box, &atoms, &err), GMD_OK);
        printf("ewald %.0e: g = %.8f kmax = %d %d %d nk = %ld est = %.4g (real %.3g, k %.3g)\n",
               acc[c], p.g_ewald, p.kmax[0], p.kmax[1], p.kmax[2], p.nkvectors, p.estimated_error,
               p.estimated_error_real, p.estimated_error_kspace);
        assert_true(fabs(p.g_ewald - g_lmp[c]) < 1e-7);
        for (int d = 0; d < 3; d++)
            assert_int_equal(p.kmax[d], k_lmp[c]);
        assert_int_equal(p.nkvectors, kvec_lmp[c]);
        assert_true(p.estimated_error <= sqrt(2.0) * acc[c] * GMD_COULOMB_EV_A);
    }
    gmd_kspace_params bad = ewald_params(0.0, 10.0);
    assert_int_equal(gmd_kspace_choose(&bad, &box, &atoms, &err), GMD_ERR_VALUE);
    gmd_atoms_free(&atoms);
}

static void test_thread_count_independent(void **state)
{
    (void)state;
    gmd_forcefield ff;
    tu_reference_ff(&ff);
    const long counts[3] = {50, 150, 100};
    gmd_box box;
    gmd_atoms atoms;
    tu_random_system(&ff, counts, 0.043, 1.8, 21, &box, &atoms);
    gmd_kspace_params p = ewald_params(1e-6, 8.0);
    gmd_term *t = make_ewald(&p, &box, &atoms);
    double w1[6], w3[6];
    double e1 = kspace_energy(t, &box, &atoms, 1, w1);
    double *f1 = malloc(3 * atoms.n * sizeof(double));
    assert_non_null(f1);
    for (int d = 0; d < 3; d++)
        memcpy(f1 + d * atoms.n, atoms.f[d], atoms.n * sizeof(double));
    double e3 = kspace_energy(t, &box, &atoms, 3, w3);
    assert_true(e1 == e3);
    for (int a = 0; a < 6; a++)
        assert_true(w1[a] == w3[a]);
    for (int d = 0; d < 3; d++)
        for (size_t i = 0; i < atoms.n; i++)
            assert_true(atoms.f[d][i] == f1[d * atoms.n + i]);
    char buf[512];
    assert_true(t->describe(t, buf, sizeof buf) > 0);
    assert_non_null(strstr(buf, "\"ewald\""));
    free(f1);
    gmd_term_free(t);
    gmd_atoms_free(&atoms);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forces_are_minus_gradient),
        cmocka_unit_test(test_virial_is_strain_derivative),
        cmocka_unit_test(test_madelung_rock_salt),
        cmocka_unit_test(test_madelung_antifluorite),
        cmocka_unit_test(test_two_ions),
        cmocka_unit_test(test_choice_matches_lammps),
        cmocka_unit_test(test_thread_count_independent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
