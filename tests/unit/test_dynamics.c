/* test_dynamics.c - MSD, self-diffusion, Einstein-Helfand / Nernst-Einstein conductivity
 * and Arrhenius fits (src/analysis/msd.c, sigma.c, arrhenius.c).
 *
 * References, none taken from the code under test:
 *  - the windowed MSD written directly from its definition, O(n^2), on random data;
 *  - Gaussian random walkers with a known D (step variance 2 D dt per dimension), whose
 *    MSD is exactly 6 D t on average; the spread of D over independent seeds checks the
 *    size of the block error bars;
 *  - independent charged walkers, for which Einstein-Helfand equals Nernst-Einstein
 *    (Haven ratio 1), and rigid neutral pairs (+q, -q moving together), whose collective
 *    charge displacement is constant: sigma_EH = 0 while sigma_NE > 0;
 *  - the S/cm conversion done by hand in SI units (e, kB from CODATA) on a 2-atom case;
 *  - Arrhenius data generated from a known E_A, and the standard errors recomputed from the
 *    uncentred normal equations (A^T W A)^-1.
 *  - atoms moved as NPT MD moves them in a box that changes every frame (the wrapped
 *    position scaled with the box, then a step), given as x + n L(t): the store must
 *    follow the true path; with a fixed box it must hold the frames bit for bit.
 * Every frame, the first included, is passed to add_frame, as the analyze driver does. */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/analysis/dynamics_internal.h"
#include "glassmd/analysis.h"
#include "glassmd/arrhenius.h"
#include "glassmd/rng.h"
#include "glassmd/units.h"

#define E_CHARGE_C 1.602176634e-19 /* exact (SI 2019) */
#define KB_J_K 1.380649e-23        /* exact (SI 2019) */

/* ---------------------------------------------------------------- helpers */

static void direct_msd(const double *const *x, int ndim, size_t n, double *out)
{
    for (size_t m = 0; m < n; m++) {
        double sum = 0.0;
        for (size_t t = 0; t + m < n; t++)
            for (int d = 0; d < ndim; d++) {
                double dx = x[d][t + m] - x[d][t];
                sum += dx * dx;
            }
        out[m] = sum / (double)(n - m);
    }
}

/* A trajectory of natoms atoms: pos[(t * 3 + k) * natoms + i], species type[i]. */
typedef struct test_traj {
    size_t natoms, nframes;
    double *pos;
    int *type;
    double dt_ps, box_len;
} test_traj;

static void traj_alloc(test_traj *tt, size_t natoms, size_t nframes, double dt_ps, double L)
{
    tt->natoms = natoms, tt->nframes = nframes, tt->dt_ps = dt_ps, tt->box_len = L;
    tt->pos = calloc(natoms * nframes * 3, sizeof *tt->pos);
    tt->type = calloc(natoms, sizeof *tt->type);
    assert_non_null(tt->pos);
    assert_non_null(tt->type);
}

static void traj_free(test_traj *tt)
{
    free(tt->pos);
    free(tt->type);
}

static double *tpos(test_traj *tt, size_t t, int k, size_t i)
{
    return &tt->pos[(t * 3 + (size_t)k) * tt->natoms + i];
}

/* Species counts[s] atoms in order; random walkers with D[s] (A^2/ps). */
static void make_walkers(test_traj *tt, const long *counts, const double *D, int nsp,
                         size_t nframes, double dt_ps, uint64_t seed)
{
    size_t natoms = 0;
    for (int s = 0; s < nsp; s++)
        natoms += (size_t)counts[s];
    traj_alloc(tt, natoms, nframes, dt_ps, 20.0);
    gmd_rng rng;
    gmd_rng_seed(&rng, seed);
    size_t i = 0;
    for (int s = 0; s < nsp; s++)
        for (long c = 0; c < counts[s]; c++, i++) {
            tt->type[i] = s;
            double sd = sqrt(2.0 * D[s] * dt_ps);
            for (int k = 0; k < 3; k++) {
                *tpos(tt, 0, k, i) = 20.0 * gmd_rng_uniform(&rng);
                for (size_t t = 1; t < nframes; t++)
                    *tpos(tt, t, k, i) = *tpos(tt, t - 1, k, i) + sd * gmd_rng_normal(&rng);
            }
        }
}

static gmd_species_table species3(void)
{
    gmd_species_table sp;
    memset(&sp, 0, sizeof sp);
    sp.n = 3;
    const char *names[3] = {"Si", "S", "Na"};
    const double q[3] = {2.4, -1.2, 0.6};
    for (int s = 0; s < 3; s++) {
        snprintf(sp.name[s], GMD_NAME_LEN, "%s", names[s]);
        sp.charge[s] = q[s];
        sp.mass[s] = 28.0;
    }
    sp.have_charges = 1;
    return sp;
}

static char g_outdir[256];

static void settings_for_test(gmd_analysis_settings *s, double T)
{
    gmd_analysis_default_settings(s);
    s->out_dir = g_outdir;
    s->temperature_K = T;
    s->threads = 2;
}

/* Frame t of tt (positions copied; ids 1..n). */
static void fill_frame(const test_traj *tt, size_t t, gmd_frame *f)
{
    f->step = (long)t * 10;
    f->time_ps = (double)t * tt->dt_ps;
    for (int k = 0; k < 3; k++) {
        f->box.lo[k] = 0.0;
        f->box.len[k] = tt->box_len;
        memcpy(f->r[k], tt->pos + (t * 3 + (size_t)k) * tt->natoms, tt->natoms * sizeof(double));
    }
}

static void frame_alloc(gmd_frame *f, const test_traj *tt)
{
    memset(f, 0, sizeof *f);
    f->n = tt->natoms;
    for (int k = 0; k < 3; k++)
        f->r[k] = calloc(tt->natoms, sizeof(double));
    f->id = calloc(tt->natoms, sizeof(long));
    f->type = calloc(tt->natoms, sizeof(int));
    for (size_t i = 0; i < tt->natoms; i++) {
        f->id[i] = (long)i + 1;
        f->type[i] = tt->type[i];
    }
}

static void frame_release(gmd_frame *f)
{
    for (int k = 0; k < 3; k++)
        free(f->r[k]);
    free(f->id);
    free(f->type);
}

static void release(gmd_analysis *a)
{
    gmd_analysis_free(a);
}

/* Runs one analysis over the whole trajectory; returns the status of the first failure
 * (err filled) and the results object in *results (caller deletes). */
static gmd_status run_analysis(gmd_analysis_create_fn create, const gmd_analysis_settings *s,
                               const gmd_species_table *sp, const test_traj *tt, cJSON **results,
                               gmd_error *err)
{
    gmd_analysis_system sys = {.species = sp, .natoms = tt->natoms};
    for (size_t i = 0; i < tt->natoms; i++)
        sys.count[tt->type[i]]++;
    gmd_frame f;
    frame_alloc(&f, tt);
    fill_frame(tt, 0, &f);
    gmd_analysis *a = NULL;
    *results = cJSON_CreateObject();
    gmd_status st = create(&a, s, &sys, &f, err);
    for (size_t t = 0; st == GMD_OK && t < tt->nframes; t++) {
        fill_frame(tt, t, &f);
        st = a->add_frame(a, &f, err);
    }
    if (st == GMD_OK) st = a->finish(a, *results, err);
    release(a);
    frame_release(&f);
    return st;
}

static double json_num(const cJSON *root, const char *a, const char *b, const char *c)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, a);
    if (b) o = cJSON_GetObjectItemCaseSensitive(o, b);
    if (c) o = cJSON_GetObjectItemCaseSensitive(o, c);
    if (!cJSON_IsNumber(o)) {
        print_error("missing number %s/%s/%s\n", a, b ? b : "", c ? c : "");
        fail();
    }
    return o->valuedouble;
}

/* ---------------------------------------------------------------- FFT == direct */

static void test_fft_equals_direct(void **state)
{
    (void)state;
    gmd_rng rng;
    gmd_rng_seed(&rng, 11);
    const size_t sizes[4] = {2, 7, 257, 600};
    for (int c = 0; c < 4; c++) {
        size_t n = sizes[c];
        double *x[3], *fft = calloc(n, sizeof *fft), *ref = calloc(n, sizeof *ref);
        for (int d = 0; d < 3; d++) {
            x[d] = calloc(n, sizeof *x[d]);
            double pos = 1000.0 * (d + 1); /* far from the origin: tests the mean shift */
            for (size_t t = 0; t < n; t++) {
                pos += gmd_rng_normal(&rng) * (d == 2 ? 1e-3 : 0.5);
                x[d][t] = pos;
            }
        }
        gmd_error err;
        assert_int_equal(gmd_dyn_msd_fft((const double *const *)x, 3, n, fft, &err), GMD_OK);
        direct_msd((const double *const *)x, 3, n, ref);
        double worst = 0.0;
        for (size_t m = 1; m < n; m++)
            worst = fmax(worst, fabs(fft[m] - ref[m]) / fabs(ref[m]));
        print_message("FFT vs direct MSD, n = %zu: max relative deviation %.3e\n", n, worst);
        assert_true(worst < 1e-10);
        assert_true(fft[0] == 0.0);
        for (int d = 0; d < 3; d++)
            free(x[d]);
        free(fft);
        free(ref);
    }
}

/* A box that changes every frame (scaled about its fixed centre, as the barostat does),
 * atoms moved as in NPT MD: the wrapped position scaled with the box, then a constant
 * step, then wrapped into the new box. Frames come as u = x + n L(t) (image counts n, the
 * LAMMPS convention); the store must give the true path (the sum of both moves) to
 * round-off, where u itself is off by n (L(t) - L(t-1)) per frame. Then the same atoms in
 * a fixed box: the store must hold the frames' positions bit for bit (the old path). */
#define NPT_ATOMS 16
#define NPT_FRAMES 40
static void npt_frames(int fixed, double *u, double *truth, double *len)
{
    gmd_rng rng;
    gmd_rng_seed(&rng, 77);
    double x[3][NPT_ATOMS], v[3][NPT_ATOMS], img[3][NPT_ATOMS] = {{0}}, L = 20.0, c = 10.0;
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < NPT_ATOMS; i++) {
            x[k][i] = c - L / 2 + L * gmd_rng_uniform(&rng);
            v[k][i] = 1.2 * gmd_rng_uniform(&rng) - 0.6;
        }
    for (int t = 0; t < NPT_FRAMES; t++) {
        double L1 =
            fixed || t == 0 ? L : fmin(22.0, fmax(18.0, L + 0.8 * gmd_rng_uniform(&rng) - 0.4));
        for (int k = 0; k < 3; k++)
            for (int i = 0; i < NPT_ATOMS; i++) {
                size_t j = ((size_t)t * 3 + (size_t)k) * NPT_ATOMS + (size_t)i;
                if (t > 0) {
                    double scaled = c - L1 / 2 + (x[k][i] - (c - L / 2)) * (L1 / L);
                    double moved = scaled + v[k][i], cross = floor((moved - (c - L1 / 2)) / L1);
                    truth[j] = truth[j - 3 * NPT_ATOMS] + (moved - x[k][i]);
                    x[k][i] = moved - cross * L1;
                    img[k][i] += cross;
                } else
                    truth[j] = x[k][i];
                u[j] = x[k][i] + img[k][i] * L1;
            }
        len[t] = L = L1;
    }
}

static double npt_store(int fixed, double *stored_vs_u)
{
    static double u[NPT_FRAMES * 3 * NPT_ATOMS], truth[NPT_FRAMES * 3 * NPT_ATOMS];
    double len[NPT_FRAMES], r[3][NPT_ATOMS];
    long id[NPT_ATOMS];
    int type[NPT_ATOMS] = {0};
    npt_frames(fixed, u, truth, len);
    for (int i = 0; i < NPT_ATOMS; i++)
        id[i] = i + 1;
    gmd_frame f = {.n = NPT_ATOMS, .r = {r[0], r[1], r[2]}, .id = id, .type = type};
    gmd_dyn_traj tr;
    gmd_error err;
    double worst = 0.0;
    *stored_vs_u = 0.0;
    for (int t = 0; t < NPT_FRAMES; t++) {
        f.time_ps = 0.01 * t;
        f.step = 10 * t;
        for (int k = 0; k < 3; k++) {
            f.box.lo[k] = 10.0 - len[t] / 2;
            f.box.len[k] = len[t];
            memcpy(r[k], u + ((size_t)t * 3 + (size_t)k) * NPT_ATOMS, sizeof r[k]);
        }
        if (t == 0) assert_int_equal(gmd_dyn_traj_init(&tr, &f, &err), GMD_OK);
        assert_int_equal(gmd_dyn_traj_add(&tr, &f, &err), GMD_OK);
    }
    for (size_t j = 0; j < (size_t)NPT_FRAMES * 3 * NPT_ATOMS; j++) {
        worst = fmax(worst, fabs(tr.pos[j] - truth[j]));
        *stored_vs_u = fmax(*stored_vs_u, fabs(tr.pos[j] - u[j]));
    }
    assert_int_equal(tr.box_changes, fixed ? 0 : NPT_FRAMES - 1);
    gmd_dyn_traj_free(&tr);
    return worst;
}

static void test_changing_box_unwrapping(void **state)
{
    (void)state;
    double off = 0.0;
    double worst = npt_store(0, &off);
    print_message("changing box: stored vs true path %.3e A; the frames' u were off by up to "
                  "%.3g A\n",
                  worst, off);
    assert_true(worst < 1e-11);
    assert_true(off > 1.0); /* the frames' u alone would be wrong: the test can fail */
    worst = npt_store(1, &off);
    print_message("fixed box: stored vs true path %.3e A, vs the frames %.1e A\n", worst, off);
    assert_true(worst < 1e-11);
    assert_true(off == 0.0);
}

/* Species-averaged MSD of stored frames against the direct formula per atom, for 1 and
 * 3 threads. */
static void test_species_msd_direct_and_threads(void **state)
{
    (void)state;
    test_traj tt;
    const long counts[3] = {3, 5, 4};
    const double D[3] = {0.01, 0.1, 1.0};
    make_walkers(&tt, counts, D, 3, 123, 0.01, 5);
    gmd_frame f;
    frame_alloc(&f, &tt);
    fill_frame(&tt, 0, &f);
    gmd_dyn_traj tr;
    gmd_error err;
    assert_int_equal(gmd_dyn_traj_init(&tr, &f, &err), GMD_OK);
    for (size_t t = 0; t < tt.nframes; t++) {
        fill_frame(&tt, t, &f);
        assert_int_equal(gmd_dyn_traj_add(&tr, &f, &err), GMD_OK);
    }
    size_t n = tt.nframes, first = 10, len = 100;
    double *m1 = calloc(3 * len, sizeof *m1), *m3 = calloc(3 * len, sizeof *m3);
    double *ref = calloc(3 * len, sizeof *ref), *one = calloc(len, sizeof *one);
    assert_int_equal(gmd_dyn_species_msd(&tr, 3, first, len, 1, m1, &err), GMD_OK);
    assert_int_equal(gmd_dyn_species_msd(&tr, 3, first, len, 3, m3, &err), GMD_OK);
    for (size_t i = 0; i < tt.natoms; i++) {
        const double *x[3];
        for (int k = 0; k < 3; k++)
            x[k] = tt.pos + 0; /* replaced below */
        double *series[3];
        for (int k = 0; k < 3; k++) {
            series[k] = calloc(len, sizeof(double));
            for (size_t t = 0; t < len; t++)
                series[k][t] = *tpos(&tt, first + t, k, i);
            x[k] = series[k];
        }
        direct_msd(x, 3, len, one);
        for (size_t m = 0; m < len; m++)
            ref[(size_t)tt.type[i] * len + m] += one[m] / (double)counts[tt.type[i]];
        for (int k = 0; k < 3; k++)
            free(series[k]);
    }
    double worst = 0.0, threads = 0.0;
    for (int s = 0; s < 3; s++)
        for (size_t m = 1; m < len; m++) {
            size_t j = (size_t)s * len + m;
            worst = fmax(worst, fabs(m1[j] - ref[j]) / ref[j]);
            threads = fmax(threads, fabs(m1[j] - m3[j]) / ref[j]);
        }
    print_message("species MSD vs direct: %.3e; 1 vs 3 threads: %.3e (n = %zu)\n", worst, threads,
                  n);
    assert_true(worst < 1e-10);
    assert_true(threads < 1e-13);
    free(m1), free(m3), free(ref), free(one);
    gmd_dyn_traj_free(&tr);
    frame_release(&f);
    traj_free(&tt);
}

/* ---------------------------------------------------------------- D of random walkers */

static void test_walkers_diffusion(void **state)
{
    (void)state;
    test_traj tt;
    const long counts[3] = {200, 400, 400};
    const double D[3] = {0.004, 0.02, 0.1}; /* A^2/ps */
    make_walkers(&tt, counts, D, 3, 1000, 0.05, 2024);
    gmd_species_table sp = species3();
    gmd_analysis_settings s;
    settings_for_test(&s, 1000.0);
    cJSON *res;
    gmd_error err;
    gmd_status st = run_analysis(gmd_msd_create, &s, &sp, &tt, &res, &err);
    if (st != GMD_OK) print_error("%s\n", err.message);
    assert_int_equal(st, GMD_OK);
    for (int k = 0; k < 3; k++) {
        double got = json_num(res, "diffusion_cm2_s", sp.name[k], "D");
        double e = json_num(res, "diffusion_cm2_s", sp.name[k], "err");
        double want = D[k] * 1e-4;
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(res, "diffusion_cm2_s"), sp.name[k]);
        const cJSON *fit = cJSON_GetObjectItemCaseSensitive(o, "fit_ps");
        print_message("D_%s = %.5e +- %.2e cm^2/s (exact %.5e, dev %.2f err, %.2f %%), fit "
                      "%.3g..%.3g ps, diffusive %d\n",
                      sp.name[k], got, e, want, (got - want) / e, 100 * (got / want - 1),
                      cJSON_GetArrayItem(fit, 0)->valuedouble,
                      cJSON_GetArrayItem(fit, 1)->valuedouble,
                      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "diffusive")));
        assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "diffusive")));
        assert_true(fabs(got - want) < 3.0 * e);
        assert_true(fabs(got / want - 1.0) < 0.05);
    }
    cJSON_Delete(res);
    traj_free(&tt);
}

/* The block error bar against the spread of D over independent trajectories. */
static void test_error_bar_size(void **state)
{
    (void)state;
    enum { NSEED = 24 };
    const long counts[1] = {60};
    const double D[1] = {0.05};
    double dval[NSEED], errsum = 0.0;
    gmd_species_table sp = species3();
    sp.n = 1;
    gmd_analysis_settings s;
    settings_for_test(&s, 1000.0);
    for (int k = 0; k < NSEED; k++) {
        test_traj tt;
        make_walkers(&tt, counts, D, 1, 400, 0.05, 100 + (uint64_t)k);
        cJSON *res;
        gmd_error err;
        assert_int_equal(run_analysis(gmd_msd_create, &s, &sp, &tt, &res, &err), GMD_OK);
        dval[k] = json_num(res, "diffusion_cm2_s", "Si", "D");
        errsum += json_num(res, "diffusion_cm2_s", "Si", "err");
        cJSON_Delete(res);
        traj_free(&tt);
    }
    double mean, sem;
    gmd_dyn_mean_sem(dval, NSEED, &mean, &sem);
    double spread = sem * sqrt((double)NSEED), reported = errsum / NSEED;
    print_message("D over %d seeds: mean %.4e (exact %.4e), spread %.3e, mean reported err "
                  "%.3e, ratio %.2f\n",
                  NSEED, mean, D[0] * 1e-4, spread, reported, reported / spread);
    /* measured 1.17; the spread itself is known to ~15 % (24 seeds); the standard
     * deviation of the blocks instead of the error of their mean (x2.2) falls outside */
    assert_true(reported / spread > 0.7 && reported / spread < 1.7);
    assert_true(fabs(mean / (D[0] * 1e-4) - 1.0) < 3.0 * sem / mean + 1e-12);
}

/* ---------------------------------------------------------------- conductivity */

static void test_sigma_independent_walkers(void **state)
{
    (void)state;
    test_traj tt;
    const long counts[3] = {100, 200, 200};
    const double D[3] = {0.004, 0.02, 0.1};
    make_walkers(&tt, counts, D, 3, 3000, 0.05, 77);
    gmd_species_table sp = species3();
    gmd_analysis_settings s;
    settings_for_test(&s, 1500.0);
    /* a short window: the collective displacement has no average over atoms, and its
     * statistical error grows as sqrt(window / trajectory length) */
    s.msd_fit_t0_ps = 0.05, s.msd_fit_t1_ps = 1.0;
    cJSON *res;
    gmd_error err;
    gmd_status st = run_analysis(gmd_sigma_create, &s, &sp, &tt, &res, &err);
    if (st != GMD_OK) print_error("%s\n", err.message);
    assert_int_equal(st, GMD_OK);
    double eh = json_num(res, "conductivity_S_cm", "einstein_helfand", "value");
    double eh_err = json_num(res, "conductivity_S_cm", "einstein_helfand", "err");
    double ne = json_num(res, "conductivity_S_cm", "nernst_einstein", "total");
    double h = json_num(res, "conductivity_S_cm", "haven_ratio", NULL);
    double h_err = json_num(res, "conductivity_S_cm", "haven_ratio_err", NULL);
    /* the exact NE value from the known D: e^2 N q^2 D / (V kB T), by hand in SI */
    double V = 20.0 * 20.0 * 20.0, exact = 0.0, net = 0.0;
    for (int k = 0; k < 3; k++) {
        double sk = E_CHARGE_C * E_CHARGE_C * counts[k] * sp.charge[k] * sp.charge[k] *
                    (D[k] * 1e-8) / (V * 1e-30 * KB_J_K * 1500.0) / 100.0;
        double got = json_num(res, "conductivity_S_cm", "nernst_einstein", sp.name[k]);
        print_message("sigma_NE_%s = %.5e S/cm (exact %.5e)\n", sp.name[k], got, sk);
        assert_true(fabs(got / sk - 1.0) < 0.06);
        exact += sk;
        if (k < 2) net += got;
    }
    assert_true(fabs(json_num(res, "conductivity_S_cm", "nernst_einstein", "network") - net) <
                1e-12 * net);
    print_message("sigma_EH = %.4e +- %.2e, sigma_NE = %.4e (exact %.4e), H = %.3f +- %.3f\n", eh,
                  eh_err, ne, exact, h, h_err);
    assert_true(fabs(eh - exact) < 3.0 * eh_err);
    assert_true(fabs(h - 1.0) < 3.0 * h_err);
    assert_true(h_err < 0.25);
    cJSON_Delete(res);
    traj_free(&tt);
}

/* msd and sigma on one shared trajectory store (as the driver runs them): the frames go
 * into the store only, msd finishes first and keeps the species' MSD and D, sigma reuses
 * them; every number of both results is that of each analysis on its own. With sigma's
 * msd_blocks different from msd's, it computes its own (the store's cache is keyed on the
 * settings), again as on its own. */
static void test_shared_trajectory_store(void **state)
{
    (void)state;
    test_traj tt;
    const long counts[3] = {50, 100, 100};
    const double D[3] = {0.004, 0.02, 0.1};
    make_walkers(&tt, counts, D, 3, 400, 0.05, 99);
    gmd_species_table sp = species3();
    gmd_analysis_settings s, s_sigma;
    settings_for_test(&s, 1500.0);
    for (int variant = 0; variant < 2; variant++) {
        s_sigma = s;
        if (variant == 1) s_sigma.msd_blocks = 4;
        cJSON *alone_msd, *alone_sigma, *shared = cJSON_CreateObject();
        gmd_error err;
        assert_int_equal(run_analysis(gmd_msd_create, &s, &sp, &tt, &alone_msd, &err), GMD_OK);
        assert_int_equal(run_analysis(gmd_sigma_create, &s_sigma, &sp, &tt, &alone_sigma, &err),
                         GMD_OK);
        gmd_analysis_system sys = {.species = &sp, .natoms = tt.natoms};
        for (size_t i = 0; i < tt.natoms; i++)
            sys.count[tt.type[i]]++;
        gmd_frame f;
        frame_alloc(&f, &tt);
        fill_frame(&tt, 0, &f);
        assert_int_equal(gmd_trajectory_store_create(&sys.trajectory, &f, &err), GMD_OK);
        gmd_analysis *msd = NULL, *sigma = NULL;
        assert_int_equal(gmd_msd_create(&msd, &s, &sys, &f, &err), GMD_OK);
        assert_int_equal(gmd_sigma_create(&sigma, &s_sigma, &sys, &f, &err), GMD_OK);
        for (size_t t = 0; t < tt.nframes; t++) {
            fill_frame(&tt, t, &f);
            assert_int_equal(gmd_trajectory_store_add(sys.trajectory, &f, &err), GMD_OK);
            assert_int_equal(msd->add_frame(msd, &f, &err), GMD_OK);
            assert_int_equal(sigma->add_frame(sigma, &f, &err), GMD_OK);
        }
        assert_int_equal(msd->finish(msd, shared, &err), GMD_OK);
        assert_int_equal(sigma->finish(sigma, shared, &err), GMD_OK);
        for (int k = 0; k < 3; k++) {
            assert_true(json_num(shared, "diffusion_cm2_s", sp.name[k], "D") ==
                        json_num(alone_msd, "diffusion_cm2_s", sp.name[k], "D"));
            assert_true(json_num(shared, "diffusion_cm2_s", sp.name[k], "err") ==
                        json_num(alone_msd, "diffusion_cm2_s", sp.name[k], "err"));
            assert_true(json_num(shared, "conductivity_S_cm", "nernst_einstein", sp.name[k]) ==
                        json_num(alone_sigma, "conductivity_S_cm", "nernst_einstein", sp.name[k]));
        }
        assert_true(json_num(shared, "conductivity_S_cm", "haven_ratio_err", NULL) ==
                    json_num(alone_sigma, "conductivity_S_cm", "haven_ratio_err", NULL));
        release(msd);
        release(sigma);
        gmd_trajectory_store_free(sys.trajectory);
        frame_release(&f);
        cJSON_Delete(shared);
        cJSON_Delete(alone_msd);
        cJSON_Delete(alone_sigma);
    }
    traj_free(&tt);
}

/* Pairs (+q, -q) that move together: M(t) is constant, sigma_EH vanishes. */
static void test_sigma_rigid_neutral_pairs(void **state)
{
    (void)state;
    test_traj tt;
    const long counts[2] = {50, 50};
    const double D[2] = {0.05, 0.05};
    make_walkers(&tt, counts, D, 2, 400, 0.05, 9);
    for (size_t i = 0; i < 50; i++) /* atom 50 + i follows atom i at a fixed offset */
        for (size_t t = 0; t < tt.nframes; t++)
            for (int k = 0; k < 3; k++)
                *tpos(&tt, t, k, 50 + i) = *tpos(&tt, t, k, i) + 2.1 + 0.3 * k;
    gmd_species_table sp = species3();
    sp.n = 2;
    sp.charge[0] = 1.0, sp.charge[1] = -1.0;
    gmd_analysis_settings s;
    settings_for_test(&s, 800.0);
    snprintf(s.modifier, GMD_NAME_LEN, "Si");
    cJSON *res;
    gmd_error err;
    gmd_status st = run_analysis(gmd_sigma_create, &s, &sp, &tt, &res, &err);
    if (st != GMD_OK) print_error("%s\n", err.message);
    assert_int_equal(st, GMD_OK);
    double eh = json_num(res, "conductivity_S_cm", "einstein_helfand", "value");
    double ne = json_num(res, "conductivity_S_cm", "nernst_einstein", "total");
    print_message("rigid pairs: sigma_EH = %.3e, sigma_NE = %.3e S/cm\n", eh, ne);
    assert_true(ne > 0.0);
    assert_true(fabs(eh) < 1e-10 * ne);
    cJSON_Delete(res);
    traj_free(&tt);
}

/* Two atoms, six frames, a given fit window: the S/cm value by hand in SI units. */
static void test_sigma_units_by_hand(void **state)
{
    (void)state;
    test_traj tt;
    traj_alloc(&tt, 2, 6, 0.5, 10.0);
    tt.type[0] = 0, tt.type[1] = 1;
    const double x0[6] = {0.0, 0.7, 0.4, 1.9, 2.2, 3.0};
    const double x1[6] = {5.0, 4.8, 5.3, 4.1, 4.4, 3.9};
    for (size_t t = 0; t < 6; t++) {
        *tpos(&tt, t, 0, 0) = x0[t], *tpos(&tt, t, 0, 1) = x1[t];
        *tpos(&tt, t, 1, 0) = 0.1 * (double)t, *tpos(&tt, t, 1, 1) = 1.0;
    }
    gmd_species_table sp = species3();
    sp.n = 2;
    sp.charge[0] = 1.0, sp.charge[1] = -2.0;
    gmd_analysis_settings s;
    settings_for_test(&s, 300.0);
    s.msd_fit_t0_ps = 0.5, s.msd_fit_t1_ps = 2.0; /* lags 1..4 */
    /* by hand: M_x = x0 - 2 x1, M_y = 0.1 t - 2 */
    double mx[6], my[6], dm2[6];
    for (int t = 0; t < 6; t++)
        mx[t] = x0[t] - 2.0 * x1[t], my[t] = 0.1 * t - 2.0;
    for (int m = 1; m <= 4; m++) {
        double sum = 0.0;
        for (int t = 0; t + m < 6; t++)
            sum += pow(mx[t + m] - mx[t], 2) + pow(my[t + m] - my[t], 2);
        dm2[m] = sum / (6 - m);
    }
    double tbar = 0.5 * (1 + 2 + 3 + 4) / 4.0, ybar = (dm2[1] + dm2[2] + dm2[3] + dm2[4]) / 4;
    double sty = 0.0, stt = 0.0;
    for (int m = 1; m <= 4; m++)
        sty += (0.5 * m - tbar) * (dm2[m] - ybar), stt += pow(0.5 * m - tbar, 2);
    double slope_si = sty / stt * E_CHARGE_C * E_CHARGE_C * 1e-20 / 1e-12; /* C^2 m^2/s */
    double sigma = slope_si / (6.0 * 1000.0e-30 * KB_J_K * 300.0) / 100.0; /* S/cm */
    cJSON *res;
    gmd_error err;
    gmd_status st = run_analysis(gmd_sigma_create, &s, &sp, &tt, &res, &err);
    if (st != GMD_OK) print_error("%s\n", err.message);
    assert_int_equal(st, GMD_OK);
    double got = json_num(res, "conductivity_S_cm", "einstein_helfand", "value");
    print_message("2-atom case: sigma_EH = %.8e S/cm, by hand (SI) %.8e, rel %.2e\n", got, sigma,
                  fabs(got / sigma - 1));
    /* 1e-5: LAMMPS's kB (8.617343e-5 eV/K) differs from CODATA 2018 by 1.1e-6 */
    assert_true(fabs(got / sigma - 1.0) < 1e-5);
    cJSON_Delete(res);
    traj_free(&tt);
}

static void test_sigma_needs_temperature_and_charges(void **state)
{
    (void)state;
    test_traj tt;
    traj_alloc(&tt, 2, 6, 0.5, 10.0);
    gmd_species_table sp = species3();
    gmd_analysis_settings s;
    settings_for_test(&s, 0.0);
    cJSON *res;
    gmd_error err;
    assert_int_equal(run_analysis(gmd_sigma_create, &s, &sp, &tt, &res, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "temperature"));
    cJSON_Delete(res);
    settings_for_test(&s, 300.0);
    sp.have_charges = 0;
    assert_int_equal(run_analysis(gmd_sigma_create, &s, &sp, &tt, &res, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "charges"));
    cJSON_Delete(res);
    traj_free(&tt);
}

/* ---------------------------------------------------------------- spacing */

static void test_unequal_spacing_rejected(void **state)
{
    (void)state;
    test_traj tt;
    traj_alloc(&tt, 3, 6, 0.1, 10.0);
    gmd_species_table sp = species3();
    gmd_analysis_settings s;
    settings_for_test(&s, 300.0);
    gmd_analysis_system sys = {.species = &sp, .natoms = 3, .count = {3}};
    gmd_frame f;
    frame_alloc(&f, &tt);
    fill_frame(&tt, 0, &f);
    gmd_analysis *a;
    gmd_error err;
    assert_int_equal(gmd_msd_create(&a, &s, &sys, &f, &err), GMD_OK);
    const double times[4] = {0.0, 0.1, 0.2, 0.35};
    gmd_status st = GMD_OK;
    for (int t = 0; t < 4 && st == GMD_OK; t++) {
        f.time_ps = times[t];
        f.step = lround(times[t] / 0.01);
        st = a->add_frame(a, &f, &err);
        if (t < 3) assert_int_equal(st, GMD_OK);
    }
    assert_int_equal(st, GMD_ERR_VALUE);
    print_message("unequal spacing: %s\n", err.message);
    assert_non_null(strstr(err.message, "equally spaced"));
    assert_non_null(strstr(err.message, "frame 3"));
    release(a);
    frame_release(&f);
    traj_free(&tt);
}

/* ---------------------------------------------------------------- Arrhenius */

/* Standard errors of the line z = a + b x by the uncentred normal equations: the inverse
 * of [[S, Sx], [Sx, Sxx]] times the scale factor f. */
static void normal_equation_errors(const double *x, const double *z, const double *w, int n,
                                   int birge_floor_one, double *se_b, double *b_out)
{
    double S = 0, Sx = 0, Sxx = 0, Sz = 0, Sxz = 0;
    for (int i = 0; i < n; i++) {
        S += w[i], Sx += w[i] * x[i], Sxx += w[i] * x[i] * x[i];
        Sz += w[i] * z[i], Sxz += w[i] * x[i] * z[i];
    }
    double det = S * Sxx - Sx * Sx;
    double b = (S * Sxz - Sx * Sz) / det, a = (Sxx * Sz - Sx * Sxz) / det;
    double chi2 = 0;
    for (int i = 0; i < n; i++)
        chi2 += w[i] * pow(z[i] - a - b * x[i], 2);
    double f = chi2 / (n - 2);
    if (birge_floor_one) f = fmax(f, 1.0);
    *se_b = sqrt(f * S / det);
    *b_out = b;
}

static void test_arrhenius_exact_and_errors(void **state)
{
    (void)state;
    const double T[5] = {500, 750, 1000, 1250, 1500};
    const double EA = 0.35, y0 = 2.5e-3;
    double y[5], ye[5], x[5], z[5], w[5];
    for (int i = 0; i < 5; i++)
        y[i] = y0 * exp(-EA / (GMD_KB_EV_K * T[i]));
    gmd_arrhenius_fit fit;
    gmd_error err;
    assert_int_equal(gmd_arrhenius_fit_points(T, y, NULL, 5, &fit, &err), GMD_OK);
    print_message("exact data: E_A = %.12f eV (set %.12f), y0 = %.6e, err %.2e\n", fit.E_A_eV, EA,
                  fit.prefactor, fit.err_eV);
    assert_true(fabs(fit.E_A_eV / EA - 1.0) < 1e-10);
    assert_true(fabs(fit.prefactor / y0 - 1.0) < 1e-9);
    assert_true(fit.err_eV < 1e-8);
    /* noisy data, unweighted and weighted */
    const double noise[5] = {0.08, -0.05, 0.11, -0.02, -0.09};
    const double rel_err[5] = {0.2, 0.1, 0.05, 0.07, 0.04};
    for (int i = 0; i < 5; i++) {
        y[i] *= exp(noise[i]);
        ye[i] = rel_err[i] * y[i];
        x[i] = 1.0 / T[i], z[i] = log(y[i]);
    }
    double se, b;
    for (int i = 0; i < 5; i++)
        w[i] = 1.0;
    normal_equation_errors(x, z, w, 5, 0, &se, &b);
    assert_int_equal(gmd_arrhenius_fit_points(T, y, NULL, 5, &fit, &err), GMD_OK);
    print_message("unweighted: E_A %.6f +- %.6f eV (normal equations %.6f +- %.6f)\n", fit.E_A_eV,
                  fit.err_eV, -b * GMD_KB_EV_K, se * GMD_KB_EV_K);
    assert_int_equal(fit.weighted, 0);
    assert_true(fabs(fit.E_A_eV + b * GMD_KB_EV_K) < 1e-9 * EA);
    assert_true(fabs(fit.err_eV / (se * GMD_KB_EV_K) - 1.0) < 1e-8);
    for (int i = 0; i < 5; i++)
        w[i] = 1.0 / (rel_err[i] * rel_err[i]);
    normal_equation_errors(x, z, w, 5, 1, &se, &b);
    assert_int_equal(gmd_arrhenius_fit_points(T, y, ye, 5, &fit, &err), GMD_OK);
    print_message("weighted: E_A %.6f +- %.6f eV (normal equations %.6f +- %.6f), chi2 %.3f\n",
                  fit.E_A_eV, fit.err_eV, -b * GMD_KB_EV_K, se * GMD_KB_EV_K, fit.chi2);
    assert_int_equal(fit.weighted, 1);
    assert_true(fabs(fit.E_A_eV + b * GMD_KB_EV_K) < 1e-9 * EA);
    assert_true(fabs(fit.err_eV / (se * GMD_KB_EV_K) - 1.0) < 1e-8);
    /* bad inputs */
    const double same[2] = {500, 500};
    assert_int_equal(gmd_arrhenius_fit_points(same, y, NULL, 2, &fit, &err), GMD_ERR_VALUE);
    y[1] = -1.0;
    assert_int_equal(gmd_arrhenius_fit_points(T, y, NULL, 5, &fit, &err), GMD_ERR_VALUE);
}

/* Three result folders with exact Arrhenius values: the fit read from results.json. */
static void test_arrhenius_from_results(void **state)
{
    (void)state;
    const double T[3] = {1500, 750, 1000}; /* unsorted on purpose */
    const double EA_D = 0.4, EA_S = 0.3;
    char dirs[3][300];
    const char *dptr[3];
    for (int i = 0; i < 3; i++) {
        snprintf(dirs[i], sizeof dirs[i], "%s/run%d", g_outdir, i);
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "mkdir -p %s", dirs[i]);
        assert_int_equal(system(cmd), 0);
        dptr[i] = dirs[i];
        double dna = 1e-3 * exp(-EA_D / (GMD_KB_EV_K * T[i]));
        double sig = 50.0 * exp(-EA_S / (GMD_KB_EV_K * T[i]));
        char path[1024];
        snprintf(path, sizeof path, "%s/results.json", dirs[i]);
        FILE *fp = fopen(path, "w");
        assert_non_null(fp);
        fprintf(fp,
                "{\"temperature_K\": %.17g, \"diffusion_cm2_s\": {\"Na\": {\"D\": %.17g, "
                "\"err\": %.17g, \"fit_ps\": [1, 10]}, \"Si\": {\"D\": %s, \"err\": null}},"
                " \"conductivity_S_cm\": {\"einstein_helfand\": {\"value\": %.17g, \"err\": "
                "%.17g}, \"nernst_einstein\": {\"total\": %.17g, \"Na\": %.17g}}}\n",
                T[i], dna, 0.05 * dna, i == 0 ? "1e-9" : "-1e-12", sig, 0.1 * sig, 2 * sig,
                1.5 * sig);
        fclose(fp);
    }
    cJSON *res = cJSON_CreateObject();
    gmd_error err;
    gmd_status st = gmd_arrhenius_from_results(dptr, 3, g_outdir, res, &err);
    if (st != GMD_OK) print_error("%s\n", err.message);
    assert_int_equal(st, GMD_OK);
    double ed = json_num(res, "arrhenius", "D_Na", "E_A_eV");
    double es = json_num(res, "arrhenius", "sigma", "E_A_eV");
    double en = json_num(res, "arrhenius", "sigma_NE_Na", "E_A_eV");
    print_message("from results: E_A(D_Na) = %.10f, E_A(sigma) = %.10f, E_A(NE Na) = %.10f\n", ed,
                  es, en);
    assert_true(fabs(ed / EA_D - 1) < 1e-9);
    assert_true(fabs(es / EA_S - 1) < 1e-9);
    assert_true(fabs(en / EA_S - 1) < 1e-9);
    assert_true(fabs(json_num(res, "arrhenius", "D_Na", "prefactor") / 1e-3 - 1) < 1e-8);
    /* D_Si has one positive value only: no fit */
    assert_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(res, "arrhenius"),
                                                 "D_Si"));
    cJSON_Delete(res);
    /* a folder without results */
    const char *bad[2] = {dirs[0], "/nonexistent/glassmd"};
    res = cJSON_CreateObject();
    assert_int_equal(gmd_arrhenius_from_results(bad, 2, g_outdir, res, &err), GMD_ERR_IO);
    assert_non_null(strstr(err.message, "/nonexistent/glassmd/results.json"));
    cJSON_Delete(res);
}

static int setup(void **state)
{
    (void)state;
    snprintf(g_outdir, sizeof g_outdir, "/tmp/glassmd-test-dynamics-XXXXXX");
    return mkdtemp(g_outdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_outdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fft_equals_direct),
        cmocka_unit_test(test_species_msd_direct_and_threads),
        cmocka_unit_test(test_changing_box_unwrapping),
        cmocka_unit_test(test_walkers_diffusion),
        cmocka_unit_test(test_error_bar_size),
        cmocka_unit_test(test_sigma_independent_walkers),
        cmocka_unit_test(test_shared_trajectory_store),
        cmocka_unit_test(test_sigma_rigid_neutral_pairs),
        cmocka_unit_test(test_sigma_units_by_hand),
        cmocka_unit_test(test_sigma_needs_temperature_and_charges),
        cmocka_unit_test(test_unequal_spacing_rejected),
        cmocka_unit_test(test_arrhenius_exact_and_errors),
        cmocka_unit_test(test_arrhenius_from_results),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
