/* test_pair_buck_coul.c - the Buckingham + real-space Coulomb pair term.
 *
 * References, all independent of the term's own arithmetic:
 * - single() against the formulas written here with libm's exp and erfc (this also checks
 *   the term's own exp and its erfc = exp(-x^2) erfcx(x) to ~1e-15);
 * - the total energy and virial, and every atom's force (on each of the kernel's paths:
 *   few species, walls, many species), against an O(N^2) double loop with minimum image
 *   and libm;
 * - forces against central finite differences of the energy, with Buckingham alone and
 *   with Coulomb alone;
 * - the diagonal virial against the strain derivative of the energy, W_aa = -dE/de_aa;
 * - 1 and 2 threads agree to round-off; the shift makes every pair energy vanish at rc. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glassmd/neighbor.h"
#include "glassmd/pair_buck_coul.h"
#include "glassmd/rng.h"
#include "glassmd/units.h"
#include "testutil.h"

/* ---- helpers ---------------------------------------------------------------------------- */

/* The pair energy from the formulas, with libm: parts [buck, wall, coul]. */
static void reference_pair(const gmd_forcefield *ff, int ti, int tj, double qi, double qj,
                           int coulomb, double g, double r, double parts[3], double *fpair)
{
    const gmd_pair_params *p = &ff->pair[ti][tj];
    double bexp = p->A != 0.0 ? p->A * exp(-r / p->rho) : 0.0;
    double wall = p->wall_D != 0.0 ? p->wall_D / pow(r, p->wall_n) : 0.0;
    double qq = GMD_COULOMB_EV_A * qi * qj;
    parts[0] = bexp - p->C / pow(r, 6);
    parts[1] = wall;
    parts[2] = coulomb ? qq * erfc(g * r) / r : 0.0;
    /* -dE/dr / r */
    double dbuck = (p->A != 0.0 ? bexp / p->rho : 0.0) - 6.0 * p->C / pow(r, 7);
    double dwall = p->wall_n * wall / r;
    double dcoul =
        coulomb ? qq * (erfc(g * r) / (r * r) + 2.0 * g / sqrt(GMD_PI) * exp(-g * g * r * r) / r)
                : 0.0;
    *fpair = (dbuck + dwall + dcoul) / r;
}

typedef struct fixture {
    gmd_forcefield ff;
    gmd_box box;
    gmd_atoms atoms;
    gmd_neighbor_list *nl;
    gmd_term *term;
    gmd_pair_options opt;
} fixture;

/* 300 atoms of the reference glass at 0.043 /A^3 (a 19 A box): cut-off 6 A, skin 1 A. */
static void setup(fixture *fx, int coulomb, double g, int shift, unsigned long seed)
{
    tu_reference_ff(&fx->ff);
    fx->ff.cutoff = 6.0;
    fx->ff.shift_energy = shift;
    long counts[3] = {50, 150, 100};
    tu_random_system(&fx->ff, counts, 0.043, 1.8, seed, &fx->box, &fx->atoms);
    gmd_error err;
    assert_int_equal(gmd_neighbor_create(&fx->nl, fx->ff.cutoff, 1.0, &err), GMD_OK);
    assert_int_equal(gmd_neighbor_build(fx->nl, &fx->box, &fx->atoms, 2, &err), GMD_OK);
    fx->opt = (gmd_pair_options){.coulomb = coulomb, .g_ewald = g};
    assert_int_equal(gmd_pair_buck_coul_create(&fx->term, &fx->ff, &fx->opt, &err), GMD_OK);
}

static void teardown(fixture *fx)
{
    gmd_term_free(fx->term);
    gmd_neighbor_free(fx->nl);
    gmd_atoms_free(&fx->atoms);
}

/* Energy (and forces into atoms->f, tally into *t) of the current configuration. */
static double compute(fixture *fx, int threads, gmd_tally *t)
{
    gmd_tally local;
    if (!t) t = &local;
    gmd_tally_clear(t);
    gmd_atoms_zero_forces(&fx->atoms);
    gmd_compute_args args = {
        .box = &fx->box, .atoms = &fx->atoms, .nlist = fx->nl, .threads = threads};
    gmd_error err;
    gmd_status st = fx->term->compute(fx->term, &args, t, &err);
    if (st != GMD_OK) fail_msg("compute: %s", err.message);
    return gmd_tally_total(t);
}

/* ---- single() ----------------------------------------------------------------------------- */

static void test_single_matches_formula(void **state)
{
    (void)state;
    gmd_forcefield ff;
    tu_reference_ff(&ff);
    ff.pair[1][2].wall_D = ff.pair[2][1].wall_D = 50.0; /* a wall on S-Na too */
    ff.pair[1][2].wall_n = ff.pair[2][1].wall_n = 12;
    const double g = 0.31;
    gmd_pair_options opt = {.coulomb = 1, .g_ewald = g};
    gmd_term *term;
    gmd_error err;
    assert_int_equal(gmd_pair_buck_coul_create(&term, &ff, &opt, &err), GMD_OK);
    double worst_e = 0.0, worst_f = 0.0, worst_coul = 0.0;
    for (int ti = 0; ti < 3; ti++)
        for (int tj = 0; tj < 3; tj++)
            for (double r = 0.8; r < ff.cutoff; r += 0.0137) {
                double qi = ff.species[ti].charge, qj = ff.species[tj].charge;
                double ref[3], fref, parts[3], f;
                reference_pair(&ff, ti, tj, qi, qj, 1, g, r, ref, &fref);
                double e = gmd_pair_buck_coul_single(term, ti, tj, qi, qj, r, &f, parts);
                /* scale: the sizes of the terms that are summed, so that cancellation
                 * between them does not count as an error */
                double scale = fabs(ref[0]) + fabs(ref[1]) + fabs(ref[2]) +
                               ff.pair[ti][tj].C / pow(r, 6) + 1e-300;
                worst_e = fmax(worst_e, fabs(e - (ref[0] + ref[1] + ref[2])) / scale);
                worst_f = fmax(worst_f, tu_rel_diff(f, fref, 1e-6 * fabs(fref) + 1e-12));
                worst_coul = fmax(worst_coul, tu_rel_diff(parts[2], ref[2], 1e-300));
                assert_true(tu_rel_diff(parts[1], ref[1], 1e-300) < 1e-13);
            }
    /* libm's erfc and exp are within 1 ulp; ours within a few */
    if (worst_coul > 4e-15 || worst_e > 4e-15 || worst_f > 1e-12)
        fail_msg("single(): worst relative errors energy %g, coulomb %g, fpair %g", worst_e,
                 worst_coul, worst_f);
    /* beyond the cut-off: nothing */
    double f = 1.0, parts[3] = {1, 1, 1};
    assert_true(gmd_pair_buck_coul_single(term, 1, 2, -1.2, 0.6, ff.cutoff, &f, parts) == 0.0);
    assert_true(f == 0.0 && parts[0] == 0.0 && parts[2] == 0.0);
    gmd_term_free(term);
}

/* Erfc over the whole range, for a large g (x up to 5: the piecewise table), the paper's
 * g (x up to 3.26: one polynomial), a small one and g = 0 (cut Coulomb). */
static void test_single_erfc_range(void **state)
{
    (void)state;
    gmd_forcefield ff;
    tu_reference_ff(&ff);
    const double gs[4] = {0.5, 0.3257, 0.1, 0.0};
    const char *form[4] = {"piecewise", "one", "one", NULL};
    for (int c = 0; c < 4; c++) {
        gmd_pair_options opt = {.coulomb = 1, .g_ewald = gs[c]};
        gmd_term *term;
        gmd_error err;
        assert_int_equal(gmd_pair_buck_coul_create(&term, &ff, &opt, &err), GMD_OK);
        char desc[512];
        term->describe(term, desc, sizeof desc);
        if (form[c] && !strstr(desc, form[c]))
            fail_msg("g = %g: expected the %s erfcx form: %s", gs[c], form[c], desc);
        double worst = 0.0;
        for (double r = 0.01; r < ff.cutoff; r += 0.000731) {
            double parts[3], f;
            gmd_pair_buck_coul_single(term, 0, 0, 1.0, 1.0, r, &f, parts); /* A = C = 0 */
            double ref = GMD_COULOMB_EV_A * erfc(gs[c] * r) / r;
            worst = fmax(worst, tu_rel_diff(parts[2], ref, 1e-300));
        }
        if (worst > 4e-15) fail_msg("g = %g: erfc relative error %g", gs[c], worst);
        gmd_term_free(term);
    }
}

static void test_shift(void **state)
{
    (void)state;
    gmd_forcefield ff;
    tu_reference_ff(&ff);
    const double g = 0.3, rc = ff.cutoff;
    gmd_pair_options opt = {.coulomb = 1, .g_ewald = g};
    gmd_term *plain, *shifted;
    gmd_error err;
    assert_int_equal(gmd_pair_buck_coul_create(&plain, &ff, &opt, &err), GMD_OK);
    ff.shift_energy = 1;
    assert_int_equal(gmd_pair_buck_coul_create(&shifted, &ff, &opt, &err), GMD_OK);
    for (int ti = 0; ti < 3; ti++)
        for (int tj = 0; tj < 3; tj++) {
            double qi = ff.species[ti].charge, qj = ff.species[tj].charge, f0, f1, ref[3], fr;
            double just_inside = rc * (1.0 - 1e-12);
            double e_rc[3];
            gmd_pair_buck_coul_single(shifted, ti, tj, qi, qj, just_inside, &f0, e_rc);
            for (int p = 0; p < 3; p++)
                assert_true(fabs(e_rc[p]) < 1e-10);
            /* elsewhere: the plain energy minus its value at rc; forces unchanged */
            reference_pair(&ff, ti, tj, qi, qj, 1, g, rc, ref, &fr);
            double e_cut = ref[0] + ref[1] + ref[2];
            double e0 = gmd_pair_buck_coul_single(plain, ti, tj, qi, qj, 3.1, &f0, NULL);
            double e1 = gmd_pair_buck_coul_single(shifted, ti, tj, qi, qj, 3.1, &f1, NULL);
            assert_true(fabs(e1 - (e0 - e_cut)) < 1e-12 * (fabs(e0) + 1.0));
            assert_true(f0 == f1);
            if (ti == 1 && tj == 2)              /* S-Na: the shift is really there */
                assert_true(fabs(e_cut) > 5e-5); /* about -9e-5 eV */
        }
    gmd_term_free(plain);
    gmd_term_free(shifted);
}

/* ---- whole configurations --------------------------------------------------------------- */

/* Energy, and the virial, of every pair by an O(N^2) double loop with libm. */
static void brute_force(const fixture *fx, double parts[3], double virial[6])
{
    const gmd_atoms *a = &fx->atoms;
    memset(parts, 0, 3 * sizeof(double));
    memset(virial, 0, 6 * sizeof(double));
    double rc = fx->ff.cutoff;
    for (size_t i = 0; i < a->n; i++)
        for (size_t j = i + 1; j < a->n; j++) {
            double d[3], r2 = 0.0;
            for (int k = 0; k < 3; k++) {
                d[k] = gmd_min_image(a->r[k][i] - a->r[k][j], fx->box.len[k]);
                r2 += d[k] * d[k];
            }
            if (r2 >= rc * rc) continue;
            double e[3], ecut[3], fpair, fcut;
            reference_pair(&fx->ff, a->type[i], a->type[j], a->charge[i], a->charge[j],
                           fx->opt.coulomb, fx->opt.g_ewald, sqrt(r2), e, &fpair);
            reference_pair(&fx->ff, a->type[i], a->type[j], a->charge[i], a->charge[j],
                           fx->opt.coulomb, fx->opt.g_ewald, rc, ecut, &fcut);
            for (int p = 0; p < 3; p++)
                parts[p] += e[p] - (fx->ff.shift_energy ? ecut[p] : 0.0);
            const int ka[6] = {0, 1, 2, 0, 0, 1}, kb[6] = {0, 1, 2, 1, 2, 2};
            for (int v = 0; v < 6; v++)
                virial[v] += d[ka[v]] * fpair * d[kb[v]];
        }
}

static void check_against_brute_force(int coulomb, int shift, double g)
{
    fixture fx;
    setup(&fx, coulomb, g, shift, 7);
    gmd_tally t;
    compute(&fx, 2, &t);
    double parts[3], virial[6];
    brute_force(&fx, parts, virial);
    assert_true(tu_rel_diff(t.energy[GMD_PAIR_PART_BUCKINGHAM], parts[0], 1.0) < 1e-12);
    assert_true(tu_rel_diff(t.energy[GMD_PAIR_PART_WALL], parts[1], 1.0) < 1e-12);
    assert_true(tu_rel_diff(t.energy[GMD_PAIR_PART_COUL_REAL], parts[2], 1.0) < 1e-12);
    if (!coulomb)
        assert_true(t.energy[GMD_PAIR_PART_COUL_REAL] == 0.0);
    else
        assert_true(fabs(parts[2]) > 1.0);
    for (int v = 0; v < 6; v++)
        if (tu_rel_diff(t.virial[v], virial[v], 1e-6 * fabs(virial[0])) > 1e-11)
            fail_msg("virial %d: %.15g vs brute force %.15g", v, t.virial[v], virial[v]);
    /* forces sum to zero (Newton's third law, pair by pair) */
    for (int k = 0; k < 3; k++) {
        double sum = 0.0, norm = 0.0;
        for (size_t i = 0; i < fx.atoms.n; i++)
            sum += fx.atoms.f[k][i], norm += fabs(fx.atoms.f[k][i]);
        assert_true(fabs(sum) < 1e-12 * norm);
    }
    teardown(&fx);
}

static void test_energy_brute_force(void **state)
{
    (void)state;
    check_against_brute_force(1, 0, 0.35); /* g rc = 2.1: erfcx as one polynomial */
    check_against_brute_force(0, 0, 0.35);
    check_against_brute_force(1, 1, 0.35);
    check_against_brute_force(1, 0, 0.8); /* g rc = 4.8: erfcx from the table */
}

/* Every atom's force against an O(N^2) double loop with minimum image and libm's exp and
 * erfc (reference_pair): the kernel's paths are picked by the force field, so this runs
 * the few-species path (coefficients by selects), the wall path and, with the species
 * split into 5 (copies of S and Na on every other atom), the many-species path (gathers). */
static void check_forces_brute_force(fixture *fx)
{
    const gmd_atoms *a = &fx->atoms;
    size_t n = a->n;
    double *ref = calloc(3 * n, sizeof *ref);
    assert_non_null(ref);
    double rc = fx->ff.cutoff;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            double d[3], r2 = 0.0;
            for (int k = 0; k < 3; k++) {
                d[k] = gmd_min_image(a->r[k][i] - a->r[k][j], fx->box.len[k]);
                r2 += d[k] * d[k];
            }
            if (r2 >= rc * rc) continue;
            double e[3], fpair;
            reference_pair(&fx->ff, a->type[i], a->type[j], a->charge[i], a->charge[j],
                           fx->opt.coulomb, fx->opt.g_ewald, sqrt(r2), e, &fpair);
            for (int k = 0; k < 3; k++)
                ref[3 * i + k] += fpair * d[k], ref[3 * j + k] -= fpair * d[k];
        }
    for (int threads = 1; threads <= 2; threads++) {
        compute(fx, threads, NULL);
        double worst = 0.0, norm = 0.0;
        for (size_t i = 0; i < n; i++)
            for (int k = 0; k < 3; k++) {
                /* floor 1e-3 eV/A: the sum's round-off over ~100 partners of ~10 eV/A */
                worst = fmax(worst, tu_rel_diff(a->f[k][i], ref[3 * i + k], 1e-3));
                norm = fmax(norm, fabs(ref[3 * i + k]));
            }
        assert_true(norm > 1.0); /* real forces were compared */
        if (worst > 1e-11)
            fail_msg("forces vs brute force (%d threads): worst relative error %g", threads, worst);
    }
    free(ref);
}

/* The fixture's force field with S and Na each split into two species of equal parameters
 * (5 species: more than the kernel's select path takes); every other S and Na atom moves
 * to the copy. */
static void split_species(fixture *fx)
{
    gmd_forcefield *ff = &fx->ff;
    const int from[5] = {0, 1, 2, 1, 2};
    ff->nspecies = 5;
    ff->species[3] = ff->species[1];
    ff->species[4] = ff->species[2];
    strcpy(ff->species[3].name, "S2");
    strcpy(ff->species[4].name, "Na2");
    for (int x = 0; x < 5; x++)
        for (int y = 0; y < 5; y++)
            ff->pair[x][y] = ff->pair[from[x]][from[y]];
    for (size_t i = 0; i < fx->atoms.n; i += 2)
        if (fx->atoms.type[i] == 1 || fx->atoms.type[i] == 2) fx->atoms.type[i] += 2;
    gmd_term_free(fx->term);
    gmd_error err;
    assert_int_equal(gmd_pair_buck_coul_create(&fx->term, ff, &fx->opt, &err), GMD_OK);
}

/* Each variant twice: with the pair selection the CPU runs fastest (AVX-512 where it has
 * it) and with the portable scalar one (opt.portable), each against the brute force. */
static void test_forces_brute_force(void **state)
{
    (void)state;
    for (int variant = 0; variant < 3; variant++)
        for (int portable = 0; portable <= 1; portable++) {
            fixture fx;
            setup(&fx, 1, 0.35, 0, 11);
            if (variant == 1) { /* a wall on S-Na */
                fx.ff.pair[1][2].wall_D = fx.ff.pair[2][1].wall_D = 50.0;
                fx.ff.pair[1][2].wall_n = fx.ff.pair[2][1].wall_n = 12;
            }
            fx.opt.portable = portable;
            gmd_term_free(fx.term);
            gmd_error err;
            assert_int_equal(gmd_pair_buck_coul_create(&fx.term, &fx.ff, &fx.opt, &err), GMD_OK);
            if (variant == 2) split_species(&fx);
            check_forces_brute_force(&fx);
            teardown(&fx);
        }
}

/* -dE/dx of atom i along k: central differences with steps h and h/2, combined by
 * Richardson extrapolation, which removes the h^2 error (steep Buckingham walls at
 * 1.8 A have third derivatives ~1e3 eV/A^3) and leaves h^4 and round-off ~1e-8 eV/A. */
static double fd_force(fixture *fx, size_t i, int k, double h)
{
    double x0 = fx->atoms.r[k][i], d[2];
    for (int s = 0; s < 2; s++) {
        double step = s ? 0.5 * h : h;
        fx->atoms.r[k][i] = x0 + step;
        double ep = compute(fx, 1, NULL);
        fx->atoms.r[k][i] = x0 - step;
        double em = compute(fx, 1, NULL);
        d[s] = -(ep - em) / (2.0 * step);
    }
    fx->atoms.r[k][i] = x0;
    return (4.0 * d[1] - d[0]) / 3.0;
}

/* Forces = -dE/dr by central differences, on random atoms and directions. */
static void check_forces_fd(fixture *fx)
{
    compute(fx, 2, NULL);
    size_t n = fx->atoms.n;
    double *f[3];
    for (int k = 0; k < 3; k++) {
        f[k] = malloc(n * sizeof(double));
        memcpy(f[k], fx->atoms.f[k], n * sizeof(double));
    }
    /* h: round-off of E (1e-16 x ~1e4 eV summed) / h stays ~1e-8 eV/A; Richardson keeps
     * the truncation at h^4 */
    const double h = 1e-4;
    gmd_rng rng;
    gmd_rng_seed(&rng, 99);
    double worst = 0.0;
    for (int trial = 0; trial < 24; trial++) {
        size_t i = (size_t)(gmd_rng_uniform(&rng) * (double)n);
        int k = trial % 3;
        double fd = fd_force(fx, i, k, h);
        /* floor: 1e-2 eV/A, well above the difference's round-off (1e-16 |E| / h) */
        worst = fmax(worst, tu_rel_diff(f[k][i], fd, 1e-2));
    }
    if (worst > 1e-6) fail_msg("forces vs finite differences: worst relative error %g", worst);
    for (int k = 0; k < 3; k++)
        free(f[k]);
}

static void test_forces_buckingham_fd(void **state)
{
    (void)state;
    fixture fx;
    setup(&fx, 0, 0.0, 1, 3); /* shifted: no energy jumps at rc under the FD steps */
    check_forces_fd(&fx);
    teardown(&fx);
}

static void test_forces_coulomb_fd(void **state)
{
    (void)state;
    fixture fx;
    setup(&fx, 1, 0.4, 1, 4);
    for (int a = 0; a < 3; a++) /* Coulomb alone: no Buckingham */
        for (int b = 0; b < 3; b++)
            fx.ff.pair[a][b].A = fx.ff.pair[a][b].C = 0.0;
    gmd_term_free(fx.term);
    gmd_error err;
    assert_int_equal(gmd_pair_buck_coul_create(&fx.term, &fx.ff, &fx.opt, &err), GMD_OK);
    gmd_tally t;
    compute(&fx, 2, &t);
    assert_true(t.energy[GMD_PAIR_PART_BUCKINGHAM] == 0.0);
    check_forces_fd(&fx);
    teardown(&fx);
}

/* W_aa = -dE/de_aa: stretch the box and the positions along a by (1 + e). */
static void test_virial_strain_derivative(void **state)
{
    (void)state;
    fixture fx;
    setup(&fx, 1, 0.35, 1, 5);
    gmd_tally t;
    compute(&fx, 2, &t);
    const double eps = 1e-6;
    for (int a = 0; a < 3; a++) {
        double e[2];
        for (int s = 0; s < 2; s++) {
            double scale = 1.0 + (s ? -eps : eps);
            fixture strained = fx;
            gmd_atoms copy;
            gmd_error err;
            assert_int_equal(gmd_atoms_init(&copy, fx.atoms.n, &err), GMD_OK);
            for (int k = 0; k < 3; k++)
                memcpy(copy.r[k], fx.atoms.r[k], fx.atoms.n * sizeof(double));
            memcpy(copy.type, fx.atoms.type, fx.atoms.n * sizeof(int));
            memcpy(copy.charge, fx.atoms.charge, fx.atoms.n * sizeof(double));
            for (size_t i = 0; i < copy.n; i++)
                copy.r[a][i] = fx.box.lo[a] + (copy.r[a][i] - fx.box.lo[a]) * scale;
            strained.box.len[a] *= scale;
            strained.atoms = copy;
            e[s] = compute(&strained, 1, NULL);
            gmd_atoms_free(&copy);
        }
        double dE = (e[0] - e[1]) / (2.0 * eps);
        if (tu_rel_diff(t.virial[a], -dE, 1.0) > 1e-6)
            fail_msg("W_%c%c = %.12g but -dE/de = %.12g", "xyz"[a], "xyz"[a], t.virial[a], -dE);
    }
    teardown(&fx);
}

static void test_threads_agree(void **state)
{
    (void)state;
    fixture fx;
    setup(&fx, 1, 0.3, 0, 6);
    size_t n = fx.atoms.n;
    gmd_tally t1, t2;
    compute(&fx, 1, &t1);
    double *f1 = malloc(3 * n * sizeof(double));
    for (int k = 0; k < 3; k++)
        memcpy(f1 + k * n, fx.atoms.f[k], n * sizeof(double));
    compute(&fx, 2, &t2);
    double fmax_abs = 0.0;
    for (size_t i = 0; i < 3 * n; i++)
        fmax_abs = fmax(fmax_abs, fabs(f1[i]));
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < n; i++)
            assert_true(fabs(fx.atoms.f[k][i] - f1[k * n + i]) <= 1e-12 * fmax_abs);
    for (int p = 0; p < GMD_TALLY_MAX_PARTS; p++)
        assert_true(tu_rel_diff(t1.energy[p], t2.energy[p], 1e-300) <= 1e-12);
    for (int v = 0; v < 6; v++)
        assert_true(tu_rel_diff(t1.virial[v], t2.virial[v], 1e-300) <= 1e-12);
    free(f1);
    teardown(&fx);
}

/* compute() adds into forces and tallies instead of overwriting them. */
static void test_compute_accumulates(void **state)
{
    (void)state;
    fixture fx;
    setup(&fx, 1, 0.3, 0, 8);
    gmd_tally t;
    compute(&fx, 2, &t);
    double f0 = fx.atoms.f[0][5], e0 = t.energy[GMD_PAIR_PART_COUL_REAL];
    gmd_compute_args args = {.box = &fx.box, .atoms = &fx.atoms, .nlist = fx.nl, .threads = 2};
    gmd_error err;
    assert_int_equal(fx.term->compute(fx.term, &args, &t, &err), GMD_OK);
    assert_true(fabs(fx.atoms.f[0][5] - 2.0 * f0) <= 1e-12 * fabs(f0));
    assert_true(fabs(t.energy[GMD_PAIR_PART_COUL_REAL] - 2.0 * e0) <= 1e-12 * fabs(e0));
    teardown(&fx);
}

/* forces_only: the same forces bit for bit, with a wall and without, at 1 and 2 threads,
 * and nothing in the tally (the MD steps between thermo lines use it). */
static void test_forces_only(void **state)
{
    (void)state;
    for (int wall = 0; wall < 2; wall++)
        for (int threads = 1; threads <= 2; threads++) {
            fixture fx;
            setup(&fx, 1, 0.3, 0, 10 + (unsigned long)wall);
            if (wall) { /* the same system with a wall on S-Na: a new term */
                gmd_error err0;
                gmd_term_free(fx.term);
                fx.ff.pair[1][2].wall_D = fx.ff.pair[2][1].wall_D = 50.0;
                fx.ff.pair[1][2].wall_n = fx.ff.pair[2][1].wall_n = 12;
                assert_int_equal(gmd_pair_buck_coul_create(&fx.term, &fx.ff, &fx.opt, &err0),
                                 GMD_OK);
            }
            size_t n = fx.atoms.n;
            gmd_tally full;
            compute(&fx, threads, &full);
            assert_true(full.energy[GMD_PAIR_PART_COUL_REAL] != 0.0 && full.virial[0] != 0.0);
            double *f1 = malloc(3 * n * sizeof(double));
            assert_non_null(f1);
            for (int k = 0; k < 3; k++)
                memcpy(f1 + k * n, fx.atoms.f[k], n * sizeof(double));
            gmd_tally t;
            gmd_tally_clear(&t);
            gmd_atoms_zero_forces(&fx.atoms);
            gmd_compute_args args = {.box = &fx.box,
                                     .atoms = &fx.atoms,
                                     .nlist = fx.nl,
                                     .threads = threads,
                                     .forces_only = 1};
            gmd_error err;
            assert_int_equal(fx.term->compute(fx.term, &args, &t, &err), GMD_OK);
            for (int k = 0; k < 3; k++)
                assert_memory_equal(fx.atoms.f[k], f1 + k * n, n * sizeof(double));
            for (int p = 0; p < GMD_TALLY_MAX_PARTS; p++)
                assert_true(t.energy[p] == 0.0);
            for (int v = 0; v < 6; v++)
                assert_true(t.virial[v] == 0.0);
            free(f1);
            teardown(&fx);
        }
}

static void test_describe_and_errors(void **state)
{
    (void)state;
    fixture fx;
    setup(&fx, 1, 0.3, 0, 9);
    char buf[512];
    int len = fx.term->describe(fx.term, buf, sizeof buf);
    assert_true(len > 0 && (size_t)len < sizeof buf);
    assert_non_null(strstr(buf, "\"cutoff\": 6"));
    assert_non_null(strstr(buf, "\"shift\": false"));
    assert_non_null(strstr(buf, "\"g_ewald\": 0.29999"));
    assert_string_equal(fx.term->name, "buckingham/coul");

    gmd_error err;
    gmd_tally t;
    gmd_compute_args args = {
        .box = &fx.box, .atoms = &fx.atoms, .nlist = NULL, .threads = 1}; /* no list */
    assert_int_not_equal(fx.term->compute(fx.term, &args, &t, &err), GMD_OK);
    fx.atoms.type[3] = 7; /* not a species */
    args.nlist = fx.nl;
    assert_int_equal(fx.term->compute(fx.term, &args, &t, &err), GMD_ERR_VALUE);
    fx.atoms.type[3] = 0;

    gmd_forcefield ff = fx.ff;
    gmd_term *term;
    ff.pair[1][2].rho = ff.pair[2][1].rho = -0.1;
    assert_int_equal(gmd_pair_buck_coul_create(&term, &ff, &fx.opt, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "rho"));
    ff = fx.ff;
    ff.pair[0][2].defined = ff.pair[2][0].defined = 0;
    assert_int_equal(gmd_pair_buck_coul_create(&term, &ff, &fx.opt, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "Si Na"));
    teardown(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_matches_formula),
        cmocka_unit_test(test_single_erfc_range),
        cmocka_unit_test(test_shift),
        cmocka_unit_test(test_energy_brute_force),
        cmocka_unit_test(test_forces_brute_force),
        cmocka_unit_test(test_forces_buckingham_fd),
        cmocka_unit_test(test_forces_coulomb_fd),
        cmocka_unit_test(test_virial_strain_derivative),
        cmocka_unit_test(test_threads_agree),
        cmocka_unit_test(test_compute_accumulates),
        cmocka_unit_test(test_forces_only),
        cmocka_unit_test(test_describe_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
