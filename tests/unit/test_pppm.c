/* test_pppm.c - PPPM against a converged Ewald sum with the same g_ewald.
 *
 * With ik differentiation the PPPM forces are not the exact gradient of the PPPM energy,
 * so the reference is Ewald (tested against finite differences and Madelung constants in
 * test_ewald.c), run at accuracy 1e-10 with the g_ewald PPPM chose: the real-space part is
 * then identical and the reciprocal forces carry the whole difference.
 *
 * The key figure: 3000 Na2S-SiS2 atoms (Si 500, S 1500, Na 1000) at 0.043 atoms/A^3,
 * cut-off 10 A, accuracy 1e-5. glassmd's default must do no worse than LAMMPS 2022
 * `pppm 1e-5` on the same configuration, and no worse than its own estimate. LAMMPS's
 * figure on this test's random configuration was measured with LAMMPS itself (below):
 * 9.9955e-5 eV/A for the k-space part. Random configurations give larger PPPM errors than
 * melts: on a 2000 K melt of the same system LAMMPS gives 8.6e-5 (glassmd 6.8e-5 with its
 * default, order 7 on 36 x 32 x 32; see kspace_choose.c). Two comparisons, both on this
 * configuration: the k-space error against Ewald at each program's own g_ewald, and the total error
 * with the real-space truncation added, against glassmd at LAMMPS's setting (mesh_margin = 1 and
 * order 5, which reproduces LAMMPS's mesh, g_ewald and k-space error, as checked here).
 *
 * With GMD_PPPM_WRITE_DATA=file the test writes its 3000-atom configuration as a LAMMPS
 * data file (atom_style charge), for the comparison with LAMMPS described in the docs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "glassmd/kspace.h"
#include "glassmd/units.h"
#include "testutil.h"

#define LAMMPS_KSPACE_ERROR 9.9955e-5 /* eV/A, LAMMPS pppm 1e-5 on this configuration */

typedef struct big_system {
    gmd_box box;
    gmd_atoms atoms;
    gmd_kspace_params pppm; /* as chosen for accuracy 1e-5 */
    double *fref[3];        /* Ewald 1e-10 reciprocal forces at pppm.g_ewald */
    double eref;            /* Ewald recip + self energy */
    double wref[6];
} big_system;

static gmd_term *make_term(gmd_kspace_params *p, const gmd_box *box, const gmd_atoms *atoms)
{
    gmd_term *t = NULL;
    gmd_error err;
    gmd_error_clear(&err);
    gmd_status st = p->method == GMD_KSPACE_PPPM ? gmd_pppm_create(&t, p, box, atoms, &err)
                                                 : gmd_ewald_create(&t, p, box, atoms, &err);
    if (st != GMD_OK) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, GMD_OK);
    return t;
}

static double run_term(gmd_term *t, const gmd_box *box, gmd_atoms *atoms, int threads,
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

static gmd_kspace_params params(gmd_kspace_method method, double accuracy, double cutoff)
{
    gmd_kspace_params p;
    memset(&p, 0, sizeof p);
    p.method = method;
    p.accuracy = accuracy;
    p.cutoff = cutoff;
    return p;
}

/* Ewald reference forces (copied out) and energy at a given g. */
static double ewald_reference(const gmd_box *box, gmd_atoms *atoms, double g, double cutoff,
                              double *f[3], double virial[6])
{
    gmd_kspace_params p = params(GMD_KSPACE_EWALD, 1e-10, cutoff);
    p.g_ewald = g;
    gmd_term *t = make_term(&p, box, atoms);
    double e = run_term(t, box, atoms, 2, virial);
    for (int d = 0; d < 3; d++)
        memcpy(f[d], atoms->f[d], atoms->n * sizeof(double));
    gmd_term_free(t);
    return e;
}

/* RMS over atoms of |F - Fref| (vector norm), eV/A. */
static double rms_force_error(const gmd_atoms *atoms, double *const fref[3])
{
    double sum = 0.0;
    for (size_t i = 0; i < atoms->n; i++)
        for (int d = 0; d < 3; d++)
            sum += pow(atoms->f[d][i] - fref[d][i], 2);
    return sqrt(sum / (double)atoms->n);
}

static void write_lammps_data(const char *path, const gmd_box *box, const gmd_atoms *atoms)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "glassmd test_pppm configuration\n\n%zu atoms\n3 atom types\n\n", atoms->n);
    for (int d = 0; d < 3; d++)
        fprintf(fp, "%.12f %.12f %clo %chi\n", box->lo[d], box->lo[d] + box->len[d], "xyz"[d],
                "xyz"[d]);
    fprintf(fp, "\nMasses\n\n1 28.0855\n2 32.06\n3 22.98977\n\nAtoms # charge\n\n");
    for (size_t i = 0; i < atoms->n; i++)
        fprintf(fp, "%ld %d %.6f %.12f %.12f %.12f\n", atoms->id[i], atoms->type[i] + 1,
                atoms->charge[i], atoms->r[0][i], atoms->r[1][i], atoms->r[2][i]);
    fclose(fp);
}

static int setup_big(void **state)
{
    big_system *s = calloc(1, sizeof *s);
    if (!s) return -1;
    gmd_forcefield ff;
    tu_reference_ff(&ff);
    const long counts[3] = {500, 1500, 1000};
    tu_random_system(&ff, counts, 0.043, 1.8, 2024, &s->box, &s->atoms);
    const char *path = getenv("GMD_PPPM_WRITE_DATA");
    if (path) write_lammps_data(path, &s->box, &s->atoms);
    gmd_error err;
    s->pppm = params(GMD_KSPACE_PPPM, 1e-5, 10.0);
    if (gmd_kspace_choose(&s->pppm, &s->box, &s->atoms, &err) != GMD_OK) return -1;
    for (int d = 0; d < 3; d++) {
        s->fref[d] = malloc(s->atoms.n * sizeof(double));
        if (!s->fref[d]) return -1;
    }
    s->eref = ewald_reference(&s->box, &s->atoms, s->pppm.g_ewald, 10.0, s->fref, s->wref);
    *state = s;
    return 0;
}

static int teardown_big(void **state)
{
    big_system *s = *state;
    for (int d = 0; d < 3; d++)
        free(s->fref[d]);
    gmd_atoms_free(&s->atoms);
    free(s);
    return 0;
}

/* LAMMPS 2022, `kspace_style pppm 1e-5` with coul/long 10.0 on 3000 atoms of this
 * composition and density, printed: G vector = 0.3210114, grid = 45 45 45, estimated
 * absolute RMS force accuracy = 0.00015864863 (its estimate includes a negligible table
 * term). mesh_margin = 1 with order 5 must reproduce that; the default must be more accurate. */
static void test_choice_matches_lammps(void **state)
{
    big_system *s = *state;
    gmd_error err;
    gmd_kspace_params p = params(GMD_KSPACE_PPPM, 1e-5, 10.0);
    p.mesh_margin = 1.0;
    p.order = 5; /* LAMMPS's default order */
    assert_int_equal(gmd_kspace_choose(&p, &s->box, &s->atoms, &err), GMD_OK);
    printf("pppm lammps-like: g = %.7f mesh = %d %d %d est = %.8g\n", p.g_ewald, p.mesh[0],
           p.mesh[1], p.mesh[2], p.estimated_error);
    assert_true(fabs(p.g_ewald - 0.3210114) < 2e-7);
    for (int d = 0; d < 3; d++)
        assert_int_equal(p.mesh[d], 45);
    assert_int_equal(p.order, 5);
    assert_true(tu_rel_diff(p.estimated_error, 0.00015864863, 1e-30) < 1e-3);
    printf("pppm default:     g = %.7f mesh = %d %d %d est = %.6g (real %.3g, kspace %.3g)\n",
           s->pppm.g_ewald, s->pppm.mesh[0], s->pppm.mesh[1], s->pppm.mesh[2],
           s->pppm.estimated_error, s->pppm.estimated_error_real, s->pppm.estimated_error_kspace);
    /* order 7 on a coarser mesh (kspace_choose.c), more accurate by the estimate */
    assert_int_equal(s->pppm.order, 7);
    assert_true(s->pppm.estimated_error_kspace < p.estimated_error_kspace);
    assert_true(s->pppm.estimated_error < p.estimated_error);
    gmd_kspace_params bad = params(GMD_KSPACE_PPPM, 1e-5, 10.0);
    bad.order = 9;
    assert_int_equal(gmd_kspace_choose(&bad, &s->box, &s->atoms, &err), GMD_ERR_VALUE);
}

/* Real-space truncation error at g: forces of all pairs beyond rc (within the minimum
 * image; erfc(g L/2) is negligible here), which a cut-off pair term leaves out. */
static void truncation_forces(const big_system *s, double g, double rc, double *ft[3])
{
    const gmd_atoms *a = &s->atoms;
    for (int d = 0; d < 3; d++)
        memset(ft[d], 0, a->n * sizeof(double));
    for (size_t i = 0; i < a->n; i++)
        for (size_t j = i + 1; j < a->n; j++) {
            double dr[3], r2 = 0.0;
            for (int d = 0; d < 3; d++) {
                dr[d] = gmd_min_image(a->r[d][i] - a->r[d][j], s->box.len[d]);
                r2 += dr[d] * dr[d];
            }
            if (r2 < rc * rc) continue;
            double r = sqrt(r2);
            double fr = GMD_COULOMB_EV_A * a->charge[i] * a->charge[j] *
                        (erfc(g * r) / r + 2.0 * g / sqrt(GMD_PI) * exp(-g * g * r2)) / r2;
            for (int d = 0; d < 3; d++) {
                ft[d][i] += fr * dr[d];
                ft[d][j] -= fr * dr[d];
            }
        }
}

/* RMS over atoms of |F - Fref - Ftrunc|: the total error of PPPM plus a cut-off pair term. */
static double rms_total_error(const gmd_atoms *atoms, double *const fref[3], double *const ft[3])
{
    double total = 0.0;
    for (size_t i = 0; i < atoms->n; i++)
        for (int d = 0; d < 3; d++)
            total += pow(atoms->f[d][i] - fref[d][i] - ft[d][i], 2);
    return sqrt(total / (double)atoms->n);
}

static void test_accuracy_figure(void **state)
{
    big_system *s = *state;
    const double target = 1e-5 * GMD_COULOMB_EV_A;
    gmd_term *t = make_term(&s->pppm, &s->box, &s->atoms);
    double e = run_term(t, &s->box, &s->atoms, 2, NULL);
    double achieved = rms_force_error(&s->atoms, s->fref);
    /* total error: add the truncation error of the real-space part */
    double *ft[3];
    for (int d = 0; d < 3; d++) {
        ft[d] = malloc(s->atoms.n * sizeof(double));
        assert_non_null(ft[d]);
    }
    truncation_forces(s, s->pppm.g_ewald, 10.0, ft);
    double total = rms_total_error(&s->atoms, s->fref, ft);
    printf("pppm 1e-5 (mesh %d): achieved kspace RMS error %.4g eV/A, with real-space "
           "truncation %.4g eV/A; estimate %.3g (kspace %.3g); target %.3g\n",
           s->pppm.mesh[0], achieved, total, s->pppm.estimated_error,
           s->pppm.estimated_error_kspace, target);
    printf("pppm energy %.10g eV, ewald %.10g eV, difference %.3g eV\n", e, s->eref, e - s->eref);
    gmd_term_free(t);

    /* LAMMPS's own setting (g 0.3210114, mesh 45^3) against an Ewald reference at that g.
     * LAMMPS 2022 itself, run on this configuration (written with GMD_PPPM_WRITE_DATA;
     * pppm 1e-5 vs ewald 1e-10 with kspace_modify gewald 0.3210114, pair_modify table 0),
     * gave 9.9955e-5 eV/A: the same algorithm must give the same error. */
    gmd_kspace_params p = params(GMD_KSPACE_PPPM, 1e-5, 10.0);
    p.mesh_margin = 1.0;
    p.order = 5;
    gmd_error err;
    assert_int_equal(gmd_kspace_choose(&p, &s->box, &s->atoms, &err), GMD_OK);
    double *fl[3];
    for (int d = 0; d < 3; d++) {
        fl[d] = malloc(s->atoms.n * sizeof(double));
        assert_non_null(fl[d]);
    }
    ewald_reference(&s->box, &s->atoms, p.g_ewald, 10.0, fl, NULL);
    t = make_term(&p, &s->box, &s->atoms);
    run_term(t, &s->box, &s->atoms, 2, NULL);
    double lammps_setting = rms_force_error(&s->atoms, fl);
    truncation_forces(s, p.g_ewald, 10.0, ft);
    double lammps_total = rms_total_error(&s->atoms, fl, ft);
    printf("pppm at LAMMPS's setting (g %.7f, mesh %d): kspace RMS error %.5g eV/A "
           "(LAMMPS on this configuration: %.5g), with truncation %.4g eV/A\n",
           p.g_ewald, p.mesh[0], lammps_setting, LAMMPS_KSPACE_ERROR, lammps_total);
    assert_true(fabs(lammps_setting - LAMMPS_KSPACE_ERROR) < 0.01 * LAMMPS_KSPACE_ERROR);
    gmd_term_free(t);
    for (int d = 0; d < 3; d++)
        free(fl[d]);
    for (int d = 0; d < 3; d++)
        free(ft[d]);
    /* the default is more accurate than LAMMPS, by a real margin */
    assert_true(achieved <= 0.9 * LAMMPS_KSPACE_ERROR);
    assert_true(total <= 0.9 * lammps_total);
    assert_true(achieved <= s->pppm.estimated_error_kspace);
    assert_true(total <= s->pppm.estimated_error);
    assert_true(fabs(e - s->eref) < 5e-6 * fabs(s->eref));
}

static void test_virial_matches_ewald(void **state)
{
    big_system *s = *state;
    gmd_term *t = make_term(&s->pppm, &s->box, &s->atoms);
    double w[6];
    run_term(t, &s->box, &s->atoms, 2, w);
    double scale = fabs(s->wref[0]) + fabs(s->wref[1]) + fabs(s->wref[2]);
    for (int a = 0; a < 6; a++) {
        printf("virial %d: pppm %.8g ewald %.8g\n", a, w[a], s->wref[a]);
        assert_true(fabs(w[a] - s->wref[a]) < 1e-5 * scale);
    }
    gmd_term_free(t);
}

/* The big system with its box (about its lower corner) and positions scaled by s. */
static void scaled_copy(const big_system *b, double s, gmd_box *box, gmd_atoms *atoms)
{
    gmd_error err;
    assert_int_equal(gmd_atoms_init(atoms, b->atoms.n, &err), GMD_OK);
    *box = b->box;
    for (int k = 0; k < 3; k++) {
        box->len[k] *= s;
        for (size_t i = 0; i < atoms->n; i++)
            atoms->r[k][i] = box->lo[k] + (b->atoms.r[k][i] - b->box.lo[k]) * s;
    }
    memcpy(atoms->charge, b->atoms.charge, atoms->n * sizeof(double));
    memcpy(atoms->type, b->atoms.type, atoms->n * sizeof(int));
}

/* The k-space term made for one box and then used at a box 1.2 times longer (a barostat
 * that let the melt expand by 73 % in volume): g_ewald is kept, the mesh (PPPM) and the
 * k-vector limits (Ewald) grow to keep the accuracy asked for (kspace_internal.h), so the
 * forces agree with an Ewald sum at 1e-10 at that box within the target, and closer than
 * with the mesh or limits of the start kept (LAMMPS's setup() keeps them). The describe()
 * text names the grown mesh and limits. */
static void test_box_follows_accuracy(void **state)
{
    big_system *b = *state;
    const double target = 1e-5 * GMD_COULOMB_EV_A;
    gmd_box box;
    gmd_atoms atoms;
    scaled_copy(b, 1.2, &box, &atoms);
    double *fref[3];
    for (int d = 0; d < 3; d++)
        fref[d] = malloc(atoms.n * sizeof(double));
    ewald_reference(&box, &atoms, b->pppm.g_ewald, 10.0, fref, NULL);
    for (int m = 0; m < 2; m++) {
        gmd_kspace_params p = b->pppm;
        if (m == 1) { /* Ewald at the same g: its limits for 1e-5 */
            p = params(GMD_KSPACE_EWALD, 1e-5, 10.0);
            p.g_ewald = b->pppm.g_ewald;
        }
        gmd_term *t = make_term(&p, &b->box, &b->atoms);
        char before[1024], after[1024];
        t->describe(t, before, sizeof before);
        run_term(t, &box, &atoms, 2, NULL); /* the new box */
        double followed = rms_force_error(&atoms, fref);
        t->describe(t, after, sizeof after);
        gmd_term_free(t);
        gmd_kspace_params fixed = p; /* the start's mesh (b->pppm has it) or limits */
        if (m == 1) {
            gmd_kspace_params chosen = p;
            gmd_error err;
            assert_int_equal(gmd_kspace_choose(&chosen, &b->box, &b->atoms, &err), GMD_OK);
            memcpy(fixed.kmax, chosen.kmax, sizeof fixed.kmax);
        }
        gmd_term *tf = make_term(&fixed, &box, &atoms);
        run_term(tf, &box, &atoms, 2, NULL);
        double kept = rms_force_error(&atoms, fref);
        gmd_term_free(tf);
        printf("%s at 1.2 x the box: start %s\n  now %s\n  rms error %.3g eV/A (start's "
               "mesh/limits kept: %.3g), target %.3g\n",
               m ? "ewald" : "pppm", before, after, followed, kept, target);
        assert_true(followed < target);
        assert_true(followed < kept);
        assert_true(strcmp(before, after) != 0);
    }
    for (int d = 0; d < 3; d++)
        free(fref[d]);
    gmd_atoms_free(&atoms);
}

static void test_thread_count_independent(void **state)
{
    big_system *s = *state;
    gmd_term *t = make_term(&s->pppm, &s->box, &s->atoms);
    double w1[6], w3[6];
    double e1 = run_term(t, &s->box, &s->atoms, 1, w1);
    double *f1[3];
    for (int d = 0; d < 3; d++) {
        f1[d] = malloc(s->atoms.n * sizeof(double));
        assert_non_null(f1[d]);
        memcpy(f1[d], s->atoms.f[d], s->atoms.n * sizeof(double));
    }
    double e3 = run_term(t, &s->box, &s->atoms, 3, w3);
    assert_true(e1 == e3);
    for (int a = 0; a < 6; a++)
        assert_true(w1[a] == w3[a]);
    for (int d = 0; d < 3; d++) {
        for (size_t i = 0; i < s->atoms.n; i++)
            assert_true(s->atoms.f[d][i] == f1[d][i]);
        free(f1[d]);
    }
    char buf[512];
    assert_true(t->describe(t, buf, sizeof buf) > 0);
    assert_non_null(strstr(buf, "\"pppm\""));
    gmd_term_free(t);
}

/* Small orthorhombic, non-neutral system, every assignment order: forces within the
 * estimate of the reciprocal error, energy (with background) close to Ewald's. */
static void test_orders_orthorhombic_non_neutral(void **state)
{
    (void)state;
    gmd_forcefield ff;
    tu_reference_ff(&ff);
    const long counts[3] = {60, 180, 119}; /* one Na short: net charge -0.6 e */
    gmd_box box;
    gmd_atoms atoms;
    tu_random_system(&ff, counts, 0.043, 1.8, 7, &box, &atoms);
    /* stretch into a 1 : 1.3 : 0.8 box (density changes; irrelevant here) */
    const double stretch[3] = {1.0, 1.3, 0.8};
    for (int d = 0; d < 3; d++) {
        for (size_t i = 0; i < atoms.n; i++)
            atoms.r[d][i] *= stretch[d];
        box.len[d] *= stretch[d];
    }
    double *fref[3];
    for (int d = 0; d < 3; d++) {
        fref[d] = malloc(atoms.n * sizeof(double));
        assert_non_null(fref[d]);
    }
    for (int order = 2; order <= 7; order++) {
        gmd_kspace_params p = params(GMD_KSPACE_PPPM, 1e-4, 7.0);
        p.order = order;
        if (order == 2) { /* its automatic mesh (~300^3) would be slow to test */
            p.mesh[0] = 128;
            p.mesh[1] = 160;
            p.mesh[2] = 100;
        }
        gmd_error e_choose;
        assert_int_equal(gmd_kspace_choose(&p, &box, &atoms, &e_choose), GMD_OK);
        gmd_term *t = make_term(&p, &box, &atoms);
        double e = run_term(t, &box, &atoms, 2, NULL);
        double eref = ewald_reference(&box, &atoms, p.g_ewald, 7.0, fref, NULL);
        run_term(t, &box, &atoms, 2, NULL);
        double err = rms_force_error(&atoms, fref);
        printf("order %d mesh %d %d %d: RMS error %.3g (estimate %.3g), dE = %.3g of %.6g eV\n",
               order, p.mesh[0], p.mesh[1], p.mesh[2], err, p.estimated_error_kspace, e - eref,
               eref);
        /* the estimate is a statistical one for large random systems: allow 1.5x here; a
         * wrong weight or influence function is off by orders of magnitude */
        assert_true(err <= 1.5 * p.estimated_error_kspace);
        assert_true(fabs(e - eref) < 1e-4 * fabs(eref));
        gmd_term_free(t);
    }
    for (int d = 0; d < 3; d++)
        free(fref[d]);
    gmd_atoms_free(&atoms);
}

/* 3000 atoms at accuracy 1e-8 (about 25000 k-vectors) must take at most a few seconds. */
static void test_ewald_speed(void **state)
{
    big_system *s = *state;
    gmd_kspace_params p = params(GMD_KSPACE_EWALD, 1e-8, 10.0);
    gmd_error err;
    assert_int_equal(gmd_kspace_choose(&p, &s->box, &s->atoms, &err), GMD_OK);
    p.g_ewald = 0.0; /* let create choose again, as a user would */
    p.kmax[0] = p.kmax[1] = p.kmax[2] = 0;
    double t0 = omp_get_wtime();
    gmd_term *t = make_term(&p, &s->box, &s->atoms);
    run_term(t, &s->box, &s->atoms, 2, NULL);
    double elapsed = omp_get_wtime() - t0;
    gmd_kspace_params q = params(GMD_KSPACE_PPPM, 1e-5, 10.0);
    gmd_term *mesh = make_term(&q, &s->box, &s->atoms);
    run_term(mesh, &s->box, &s->atoms, 2, NULL);
    double t1 = omp_get_wtime();
    run_term(mesh, &s->box, &s->atoms, 2, NULL);
    double pppm_step = omp_get_wtime() - t1;
    printf("ewald 1e-8, 3000 atoms, %ld k-vectors: %.2f s (create + compute, 2 threads); "
           "pppm 1e-5 step: %.3f s\n",
           p.nkvectors, elapsed, pppm_step);
    assert_true(elapsed < 20.0);
    gmd_term_free(t);
    gmd_term_free(mesh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_choice_matches_lammps),
        cmocka_unit_test(test_accuracy_figure),
        cmocka_unit_test(test_virial_matches_ewald),
        cmocka_unit_test(test_box_follows_accuracy),
        cmocka_unit_test(test_thread_count_independent),
        cmocka_unit_test(test_orders_orthorhombic_non_neutral),
        cmocka_unit_test(test_ewald_speed),
    };
    return cmocka_run_group_tests(tests, setup_big, teardown_big);
}
