/* test_threebody.c - the end-vertex-end angle term (src/forcefield/threebody.c).
 *
 * References used here, all independent of the code under test:
 * - analytic energies of hand-made geometries (90, 60, 180 degrees; an octahedron around
 *   one S; an edge-sharing Si2S2 rhombus with 88 degree angles; a bond at mid-taper);
 * - central finite differences of the energy for forces, and of strained energies for the
 *   virial;
 * - a brute-force enumeration written here (for each vertex, all ends within r3 by a loop
 *   over all atoms, each unordered pair once, the angle from acos and the taper written
 *   out again), for energies on random systems;
 * - invariances: zero net force and torque, thread count, neighbour-list ownership. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glassmd/neighbor.h"
#include "../../src/neighbor/neighbor_internal.h" /* a list made by hand */
#include "glassmd/rng.h"
#include "glassmd/threebody.h"
#include "glassmd/units.h"
#include "testutil.h"

enum { SI = 0, S = 1, NA = 2 };

static const double DEG = GMD_PI / 180.0;

static gmd_threebody_params sis_params(gmd_taper taper)
{
    return (gmd_threebody_params){.vertex = S,
                                  .end = SI,
                                  .k = 1.5,
                                  .theta0 = 60.0 * DEG,
                                  .r3 = 2.7,
                                  .width = 0.2,
                                  .taper = taper};
}

/* ---------------------------------------------------------------- independent reference */

static double ref_taper(const gmd_threebody_params *p, double r)
{
    if (p->taper == GMD_TAPER_HARD) return r <= p->r3 ? 1.0 : 0.0;
    if (r <= p->r3 - p->width) return 1.0;
    if (r >= p->r3) return 0.0;
    return 0.5 * (1.0 + cos(GMD_PI * (r - p->r3 + p->width) / p->width));
}

static void min_image_vec(const gmd_box *box, const gmd_atoms *a, size_t from, size_t to,
                          double d[3])
{
    for (int k = 0; k < 3; k++)
        d[k] = gmd_min_image(a->r[k][to] - a->r[k][from], box->len[k]);
}

/* Brute force: for each vertex atom, every end atom within r3 (loop over all atoms), then
 * every unordered pair; the angle from acos. */
static double ref_energy(const gmd_threebody_params *p, int np, const gmd_box *box,
                         const gmd_atoms *a)
{
    double e = 0.0;
    size_t *ends = calloc(a->n, sizeof *ends);
    double(*d)[3] = calloc(a->n, sizeof *d);
    double *r = calloc(a->n, sizeof *r);
    assert_non_null(ends);
    assert_non_null(d);
    assert_non_null(r);
    for (int t = 0; t < np; t++) {
        for (size_t v = 0; v < a->n; v++) {
            if (a->type[v] != p[t].vertex) continue;
            size_t m = 0;
            for (size_t j = 0; j < a->n; j++) {
                if (j == v || a->type[j] != p[t].end) continue;
                min_image_vec(box, a, v, j, d[m]);
                r[m] = sqrt(d[m][0] * d[m][0] + d[m][1] * d[m][1] + d[m][2] * d[m][2]);
                if (r[m] <= p[t].r3) ends[m++] = j;
            }
            for (size_t x = 0; x < m; x++)
                for (size_t y = x + 1; y < m; y++) {
                    double c =
                        (d[x][0] * d[y][0] + d[x][1] * d[y][1] + d[x][2] * d[y][2]) / (r[x] * r[y]);
                    double th = acos(fmax(-1.0, fmin(1.0, c)));
                    double dth = th - p[t].theta0;
                    e += p[t].k * dth * dth * ref_taper(&p[t], r[x]) * ref_taper(&p[t], r[y]);
                }
        }
    }
    free(ends);
    free(d);
    free(r);
    return e;
}

/* ---------------------------------------------------------------- helpers */

static gmd_forcefield ff_with(const gmd_threebody_params *p, int np)
{
    gmd_forcefield ff;
    tu_reference_ff(&ff);
    ff.nthreebody = np;
    for (int t = 0; t < np; t++)
        ff.threebody[t] = p[t];
    return ff;
}

static gmd_term *make_term(const gmd_threebody_params *p, int np, int taper_override)
{
    gmd_forcefield ff = ff_with(p, np);
    gmd_term *term = NULL;
    gmd_error err;
    gmd_status st = gmd_threebody_create(&term, &ff, taper_override, &err);
    if (st != GMD_OK) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, GMD_OK);
    return term;
}

static void build_list(gmd_neighbor_list **nl, const gmd_box *box, const gmd_atoms *a,
                       double cutoff, double skin)
{
    gmd_error err;
    assert_int_equal(gmd_neighbor_create(nl, cutoff, skin, &err), GMD_OK);
    gmd_status st = gmd_neighbor_build(*nl, box, a, 1, &err);
    if (st != GMD_OK) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, GMD_OK);
}

/* A half list made here by brute force, every pair in the row of its LARGER index (the
 * opposite of most owners), to show the term does not depend on who owns a pair. */
static void build_brute_list(gmd_neighbor_list **out, const gmd_box *box, const gmd_atoms *a,
                             double cutoff)
{
    gmd_neighbor_list *nl = *out = calloc(1, sizeof *nl);
    assert_non_null(nl);
    nl->cutoff = cutoff;
    nl->natoms = a->n;
    nl->start = calloc(a->n + 1, sizeof *nl->start);
    nl->index = calloc(a->n * a->n / 2 + 1, sizeof *nl->index);
    assert_non_null(nl->start);
    assert_non_null(nl->index);
    size_t m = 0;
    for (size_t i = 0; i < a->n; i++) {
        nl->start[i] = m;
        for (size_t j = 0; j < i; j++) {
            double d[3];
            min_image_vec(box, a, i, j, d);
            if (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] <= cutoff * cutoff) nl->index[m++] = (int)j;
        }
    }
    nl->start[a->n] = m;
    nl->npairs = m;
    nl->builds = 1;
}

static void free_brute_list(gmd_neighbor_list *nl)
{
    free(nl->start);
    free(nl->index);
    free(nl);
}

static gmd_tally run_term(gmd_term *term, const gmd_box *box, gmd_atoms *a,
                          const gmd_neighbor_list *nl, int threads)
{
    gmd_tally t;
    gmd_tally_clear(&t);
    gmd_atoms_zero_forces(a);
    gmd_compute_args args = {.box = box, .atoms = a, .nlist = nl, .threads = threads};
    gmd_error err;
    gmd_status st = term->compute(term, &args, &t, &err);
    if (st != GMD_OK) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, GMD_OK);
    return t;
}

/* Energy of the term for the current positions (list rebuilt from scratch). */
static double term_energy(gmd_term *term, const gmd_box *box, gmd_atoms *a)
{
    gmd_neighbor_list *nl;
    build_list(&nl, box, a, 2.8, 0.2);
    gmd_tally t = run_term(term, box, a, nl, 1);
    gmd_neighbor_free(nl);
    return t.energy[GMD_THREEBODY_PART];
}

/* 150 Si and 150 S (and n_na Na) at 0.05 atoms/A^3, no two closer than 1.9 A: about one
 * S-Si-Si triplet per S without Na. */
static void random_sisna(gmd_box *box, gmd_atoms *a, long n_na, unsigned long seed)
{
    gmd_forcefield ff;
    tu_reference_ff(&ff);
    long counts[3] = {150, 150, n_na};
    tu_random_system(&ff, counts, 0.05, 1.9, seed, box, a);
}

static void random_sis(gmd_box *box, gmd_atoms *a, unsigned long seed)
{
    random_sisna(box, a, 0, seed);
}

static void count_bonds(const gmd_box *box, const gmd_atoms *a, double lo, double hi,
                        size_t *inside, size_t *in_band)
{
    *inside = *in_band = 0;
    for (size_t v = 0; v < a->n; v++)
        for (size_t j = 0; j < a->n && a->type[v] == S; j++) {
            if (a->type[j] != SI) continue;
            double d[3];
            min_image_vec(box, a, v, j, d);
            double r = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
            *inside += r <= hi;
            *in_band += r > lo && r < hi;
        }
}

/* ---------------------------------------------------------------- single(): analytic */

static void test_single_known_energies(void **state)
{
    (void)state;
    gmd_threebody_params p = sis_params(GMD_TAPER_SMOOTH);
    double v[3] = {0.3, -0.2, 0.1};
    double x[3] = {v[0] + 2.1, v[1], v[2]}, y[3] = {v[0], v[1] + 2.1, v[2]};
    double e = gmd_threebody_single(&p, v, x, y, NULL, NULL, NULL);
    double expect = 1.5 * pow(GMD_PI / 2 - GMD_PI / 3, 2);
    assert_true(fabs(e - expect) < 1e-14);

    /* 60 degrees: the minimum */
    double e60[3] = {v[0] + 2.1 * cos(60 * DEG), v[1] + 2.1 * sin(60 * DEG), v[2]};
    assert_true(fabs(gmd_threebody_single(&p, v, x, e60, NULL, NULL, NULL)) < 1e-20);
    /* 180 degrees: k (2 pi / 3)^2, with finite forces */
    double xm[3] = {v[0] - 2.0, v[1], v[2]};
    double f[3][3];
    e = gmd_threebody_single(&p, v, x, xm, f[0], f[1], f[2]);
    assert_true(fabs(e - 1.5 * pow(2 * GMD_PI / 3, 2)) < 1e-12);
    for (int a = 0; a < 3; a++)
        for (int k = 0; k < 3; k++)
            assert_true(isfinite(f[a][k]));

    /* r1 = 2.6 is mid-taper: s = 1/2 */
    double x26[3] = {v[0] + 2.6, v[1], v[2]};
    e = gmd_threebody_single(&p, v, x26, y, NULL, NULL, NULL);
    assert_true(fabs(e - 0.5 * expect) < 1e-14);
    /* both at 2.55: s = 1/2 [1 + cos(pi/4)] each */
    double x255[3] = {v[0] + 2.55, v[1], v[2]}, y255[3] = {v[0], v[1] + 2.55, v[2]};
    double s = 0.5 * (1 + cos(GMD_PI / 4));
    e = gmd_threebody_single(&p, v, x255, y255, NULL, NULL, NULL);
    assert_true(fabs(e - s * s * expect) < 1e-14);
    /* beyond r3: nothing */
    double x28[3] = {v[0] + 2.71, v[1], v[2]};
    assert_true(gmd_threebody_single(&p, v, x28, y, NULL, NULL, NULL) == 0.0);

    /* hard cut: full energy up to and including r3 (LAMMPS skips only rsq > cutsq) */
    p = sis_params(GMD_TAPER_HARD);
    assert_true(fabs(gmd_threebody_single(&p, v, x26, y, NULL, NULL, NULL) - expect) < 1e-14);
    double x27[3] = {2.7, 0, 0}, y0[3] = {0, 2.1, 0}, o[3] = {0, 0, 0};
    assert_true(fabs(gmd_threebody_single(&p, o, x27, y0, NULL, NULL, NULL) - expect) < 1e-14);
    assert_true(gmd_threebody_single(&p, v, x28, y, NULL, NULL, NULL) == 0.0);
}

/* ---------------------------------------------------------------- single(): forces */

static double single_energy_of(const gmd_threebody_params *p, const double pos[3][3])
{
    return gmd_threebody_single(p, pos[0], pos[1], pos[2], NULL, NULL, NULL);
}

/* Vertex at the origin, ends at distances r1, r2 and angle theta, then a generic rotation
 * and shift so that no coordinate is special. */
static void make_triplet(double r1, double r2, double theta, double pos[3][3])
{
    double raw[3][3] = {{0, 0, 0}, {r1, 0, 0}, {r2 * cos(theta), r2 * sin(theta), 0}};
    double a = 0.7, b = -1.1, c = 0.4; /* Euler-like angles */
    double rz[3][3] = {{cos(a), -sin(a), 0}, {sin(a), cos(a), 0}, {0, 0, 1}};
    double rx[3][3] = {{1, 0, 0}, {0, cos(b), -sin(b)}, {0, sin(b), cos(b)}};
    double ry[3][3] = {{cos(c), 0, sin(c)}, {0, 1, 0}, {-sin(c), 0, cos(c)}};
    double shift[3] = {1.3, -0.4, 2.2};
    for (int t = 0; t < 3; t++) {
        double u[3], w[3];
        for (int i = 0; i < 3; i++)
            u[i] = rz[i][0] * raw[t][0] + rz[i][1] * raw[t][1] + rz[i][2] * raw[t][2];
        for (int i = 0; i < 3; i++)
            w[i] = rx[i][0] * u[0] + rx[i][1] * u[1] + rx[i][2] * u[2];
        for (int i = 0; i < 3; i++)
            pos[t][i] = ry[i][0] * w[0] + ry[i][1] * w[1] + ry[i][2] * w[2] + shift[i];
    }
}

/* Max |F - (-grad E)| over the 9 coordinates, relative to max |F|. */
static double single_fd_error(const gmd_threebody_params *p, double pos[3][3], double h)
{
    double f[3][3];
    gmd_threebody_single(p, pos[0], pos[1], pos[2], f[0], f[1], f[2]);
    double worst = 0.0, scale = 1e-12;
    for (int a = 0; a < 3; a++)
        for (int k = 0; k < 3; k++) {
            double keep = pos[a][k];
            pos[a][k] = keep + h;
            double ep = single_energy_of(p, (const double(*)[3])pos);
            pos[a][k] = keep - h;
            double em = single_energy_of(p, (const double(*)[3])pos);
            pos[a][k] = keep;
            double fd = -(ep - em) / (2 * h);
            worst = fmax(worst, fabs(fd - f[a][k]));
            scale = fmax(scale, fabs(f[a][k]));
        }
    return worst / scale;
}

static void test_single_forces_finite_difference(void **state)
{
    (void)state;
    struct {
        double r1, r2, theta_deg;
        gmd_taper taper;
    } cases[] = {
        {2.1, 2.2, 90, GMD_TAPER_SMOOTH},    {2.0, 2.3, 108, GMD_TAPER_SMOOTH},
        {2.55, 2.2, 75, GMD_TAPER_SMOOTH},   /* r1 in the taper */
        {2.52, 2.68, 130, GMD_TAPER_SMOOTH}, /* both in the taper */
        {2.65, 2.45, 40, GMD_TAPER_SMOOTH},  {2.1, 2.2, 30, GMD_TAPER_SMOOTH},
        {2.1, 2.2, 179.9, GMD_TAPER_SMOOTH}, /* nearly linear */
        {2.1, 2.2, 0.5, GMD_TAPER_SMOOTH},   /* nearly folded */
        {2.1, 2.2, 88, GMD_TAPER_HARD},      {2.6, 2.65, 140, GMD_TAPER_HARD},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        gmd_threebody_params p = sis_params(cases[c].taper);
        double pos[3][3];
        make_triplet(cases[c].r1, cases[c].r2, cases[c].theta_deg * DEG, pos);
        double err = single_fd_error(&p, pos, 1e-6);
        if (err > 1e-7) fprintf(stderr, "case %zu: relative force error %.3g\n", c, err);
        assert_true(err < 1e-7);
    }
}

static void test_single_newton_and_torque(void **state)
{
    (void)state;
    gmd_threebody_params p = sis_params(GMD_TAPER_SMOOTH);
    double cases[][3] = {{2.1, 2.2, 90}, {2.6, 2.3, 120}, {2.55, 2.65, 20}, {2.2, 2.2, 179.99}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        double pos[3][3], f[3][3];
        make_triplet(cases[c][0], cases[c][1], cases[c][2] * DEG, pos);
        gmd_threebody_single(&p, pos[0], pos[1], pos[2], f[0], f[1], f[2]);
        double fmag = 0;
        for (int a = 0; a < 3; a++)
            fmag = fmax(fmag, sqrt(f[a][0] * f[a][0] + f[a][1] * f[a][1] + f[a][2] * f[a][2]));
        assert_true(fmag > 1e-3);
        for (int k = 0; k < 3; k++) {
            double sum = f[0][k] + f[1][k] + f[2][k];
            double torque = 0;
            int k1 = (k + 1) % 3, k2 = (k + 2) % 3;
            for (int a = 0; a < 3; a++)
                torque += pos[a][k1] * f[a][k2] - pos[a][k2] * f[a][k1];
            assert_true(fabs(sum) < 1e-13 * fmag);
            assert_true(fabs(torque) < 1e-12 * fmag);
        }
    }
}

/* ---------------------------------------------------------------- random systems */

static void test_random_system_against_brute_force(void **state)
{
    (void)state;
    gmd_box box;
    gmd_atoms a;
    random_sisna(&box, &a, 60, 11); /* Na atoms take part in no triplet */
    size_t inside, in_band;
    count_bonds(&box, &a, 2.5, 2.7, &inside, &in_band);
    assert_true(inside > 120); /* about one bond per S */
    assert_true(in_band > 10); /* the taper is exercised */

    for (int taper = 0; taper < 2; taper++) {
        gmd_threebody_params p = sis_params((gmd_taper)taper);
        gmd_term *term = make_term(&p, 1, -1);
        double ref = ref_energy(&p, 1, &box, &a);
        assert_true(ref > 10.0);
        /* the library's list (cut-off exactly r3, and a larger one) and the brute list */
        gmd_neighbor_list *nl;
        build_list(&nl, &box, &a, 2.7, 0.0);
        gmd_tally t1 = run_term(term, &box, &a, nl, 1);
        gmd_neighbor_free(nl);
        build_list(&nl, &box, &a, 6.0, 1.0);
        gmd_tally t2 = run_term(term, &box, &a, nl, 1);
        gmd_neighbor_free(nl);
        build_brute_list(&nl, &box, &a, 3.5);
        gmd_tally t3 = run_term(term, &box, &a, nl, 1);
        free_brute_list(nl);
        double e1 = t1.energy[GMD_THREEBODY_PART], e2 = t2.energy[GMD_THREEBODY_PART],
               e3 = t3.energy[GMD_THREEBODY_PART];
        fprintf(stderr, "taper %d: E = %.12f eV, brute force %.12f eV\n", taper, e1, ref);
        assert_true(tu_rel_diff(e1, ref, 1e-12) < 1e-10);
        assert_true(tu_rel_diff(e2, ref, 1e-12) < 1e-10);
        assert_true(tu_rel_diff(e3, ref, 1e-12) < 1e-10);
        for (int part = 0; part < GMD_TALLY_MAX_PARTS; part++)
            if (part != GMD_THREEBODY_PART) assert_true(t1.energy[part] == 0.0);
        gmd_term_free(term);
    }
    gmd_atoms_free(&a);
}

static void test_random_forces_finite_difference(void **state)
{
    (void)state;
    gmd_box box;
    gmd_atoms a;
    random_sis(&box, &a, 23);
    gmd_threebody_params p = sis_params(GMD_TAPER_SMOOTH);
    gmd_term *term = make_term(&p, 1, -1);
    gmd_neighbor_list *nl;
    build_list(&nl, &box, &a, 2.7, 0.5);
    run_term(term, &box, &a, nl, 2);
    gmd_neighbor_free(nl);
    double *f[3];
    for (int k = 0; k < 3; k++) {
        f[k] = malloc(a.n * sizeof(double));
        assert_non_null(f[k]);
        memcpy(f[k], a.f[k], a.n * sizeof(double));
    }
    /* FD of the brute-force reference energy, every coordinate of every atom */
    double h = 1e-5, worst = 0.0, fmax_all = 0.0, sum[3] = {0};
    for (size_t i = 0; i < a.n; i++)
        for (int k = 0; k < 3; k++) {
            double keep = a.r[k][i];
            a.r[k][i] = keep + h;
            double ep = ref_energy(&p, 1, &box, &a);
            a.r[k][i] = keep - h;
            double em = ref_energy(&p, 1, &box, &a);
            a.r[k][i] = keep;
            worst = fmax(worst, fabs(-(ep - em) / (2 * h) - f[k][i]));
            fmax_all = fmax(fmax_all, fabs(f[k][i]));
            sum[k] += f[k][i];
        }
    fprintf(stderr, "forces vs FD of brute-force energy: max error %.3g eV/A (max |F| %.3g)\n",
            worst, fmax_all);
    assert_true(fmax_all > 1.0);
    assert_true(worst / fmax_all < 1e-6);
    for (int k = 0; k < 3; k++)
        assert_true(fabs(sum[k]) < 1e-11 * fmax_all);

    /* and against FD of the term's own total energy, for a few atoms */
    for (size_t i = 0; i < a.n; i += 37)
        for (int k = 0; k < 3; k++) {
            double keep = a.r[k][i];
            a.r[k][i] = keep + h;
            double ep = term_energy(term, &box, &a);
            a.r[k][i] = keep - h;
            double em = term_energy(term, &box, &a);
            a.r[k][i] = keep;
            assert_true(fabs(-(ep - em) / (2 * h) - f[k][i]) < 1e-6 * fmax_all);
        }
    for (int k = 0; k < 3; k++)
        free(f[k]);
    gmd_term_free(term);
    gmd_atoms_free(&a);
}

/* Box and positions stretched by (1 + eps) along axis ax. */
static double strained_energy(gmd_term *term, const gmd_box *box, const gmd_atoms *a, int ax,
                              double eps)
{
    gmd_box b = *box;
    gmd_atoms c;
    gmd_error err;
    assert_int_equal(gmd_atoms_init(&c, a->n, &err), GMD_OK);
    for (size_t i = 0; i < a->n; i++) {
        for (int k = 0; k < 3; k++)
            c.r[k][i] = a->r[k][i];
        c.type[i] = a->type[i];
        c.id[i] = a->id[i];
        c.r[ax][i] = box->lo[ax] + (a->r[ax][i] - box->lo[ax]) * (1 + eps);
    }
    b.len[ax] *= 1 + eps;
    double e = term_energy(term, &b, &c);
    gmd_atoms_free(&c);
    return e;
}

static void test_virial_periodic_diagonal(void **state)
{
    (void)state;
    gmd_box box;
    gmd_atoms a;
    random_sis(&box, &a, 5);
    gmd_threebody_params p = sis_params(GMD_TAPER_SMOOTH);
    gmd_term *term = make_term(&p, 1, -1);
    gmd_neighbor_list *nl;
    build_list(&nl, &box, &a, 2.7, 0.5);
    gmd_tally t = run_term(term, &box, &a, nl, 2);
    gmd_neighbor_free(nl);
    for (int ax = 0; ax < 3; ax++) {
        double h = 1e-6;
        double de =
            (strained_energy(term, &box, &a, ax, h) - strained_energy(term, &box, &a, ax, -h)) /
            (2 * h);
        fprintf(stderr, "W_%d%d = %.10f eV, -dE/deps = %.10f eV\n", ax, ax, t.virial[ax], -de);
        assert_true(fabs(t.virial[ax]) > 1.0);
        assert_true(tu_rel_diff(t.virial[ax], -de, 1e-3) < 1e-6);
    }
    gmd_term_free(term);
    gmd_atoms_free(&a);
}

/* A cluster in the middle of a large box: every strain, shear included, is allowed. */
static void test_virial_cluster_all_components(void **state)
{
    (void)state;
    gmd_box box;
    gmd_atoms a;
    random_sis(&box, &a, 8);
    /* keep the atoms of a 9 A cube, move them into the middle of a 40 A box */
    gmd_box big = {{0, 0, 0}, {40, 40, 40}};
    size_t m = 0;
    for (size_t i = 0; i < a.n; i++) {
        if (a.r[0][i] > 9 || a.r[1][i] > 9 || a.r[2][i] > 9) continue;
        for (int k = 0; k < 3; k++)
            a.r[k][m] = a.r[k][i] + 15.0;
        a.type[m] = a.type[i];
        a.id[m] = a.id[i];
        m++;
    }
    a.n = m;
    gmd_threebody_params p = sis_params(GMD_TAPER_SMOOTH);
    gmd_term *term = make_term(&p, 1, -1);
    gmd_neighbor_list *nl;
    build_list(&nl, &big, &a, 2.7, 0.5);
    gmd_tally t = run_term(term, &big, &a, nl, 1);
    gmd_neighbor_free(nl);
    assert_true(t.energy[GMD_THREEBODY_PART] > 1.0);
    /* W_ab = sum r_a f_b with absolute positions must agree for a cluster */
    const int comp[6][2] = {{0, 0}, {1, 1}, {2, 2}, {0, 1}, {0, 2}, {1, 2}};
    for (int c = 0; c < 6; c++) {
        double w = 0;
        for (size_t i = 0; i < a.n; i++)
            w += a.r[comp[c][0]][i] * a.f[comp[c][1]][i];
        assert_true(fabs(w - t.virial[c]) < 1e-9 * (1 + fabs(w)));
    }
    /* shear strain x_a += eps x_b: dE/deps = -W_ba = -W_ab (torque-free) */
    double *r0[3];
    for (int k = 0; k < 3; k++) {
        r0[k] = malloc(a.n * sizeof(double));
        assert_non_null(r0[k]);
        memcpy(r0[k], a.r[k], a.n * sizeof(double));
    }
    for (int c = 3; c < 6; c++) {
        int ia = comp[c][0], ib = comp[c][1];
        double h = 1e-6, e[2];
        for (int s = 0; s < 2; s++) {
            double eps = s ? -h : h;
            for (size_t i = 0; i < a.n; i++)
                a.r[ia][i] = r0[ia][i] + eps * (r0[ib][i] - 20.0);
            e[s] = term_energy(term, &big, &a);
            for (size_t i = 0; i < a.n; i++)
                a.r[ia][i] = r0[ia][i];
        }
        double de = (e[0] - e[1]) / (2 * h);
        fprintf(stderr, "W[%d] = %.10f eV, -dE/deps = %.10f eV\n", c, t.virial[c], -de);
        assert_true(fabs(t.virial[c]) > 0.01);
        assert_true(fabs(t.virial[c] + de) < 1e-6 * fmax(1.0, fabs(de)));
    }
    for (int k = 0; k < 3; k++)
        free(r0[k]);
    gmd_term_free(term);
    gmd_atoms_free(&a);
}

static void test_threads_identical(void **state)
{
    (void)state;
    gmd_box box;
    gmd_atoms a;
    random_sis(&box, &a, 31);
    gmd_threebody_params p = sis_params(GMD_TAPER_SMOOTH);
    gmd_term *term = make_term(&p, 1, -1);
    gmd_neighbor_list *nl;
    build_list(&nl, &box, &a, 2.7, 1.0);
    gmd_tally t1 = run_term(term, &box, &a, nl, 1);
    double *f1[3];
    for (int k = 0; k < 3; k++) {
        f1[k] = malloc(a.n * sizeof(double));
        assert_non_null(f1[k]);
        memcpy(f1[k], a.f[k], a.n * sizeof(double));
    }
    for (int threads = 2; threads <= 3; threads++) {
        gmd_tally t2 = run_term(term, &box, &a, nl, threads);
        assert_true(fabs(t1.energy[GMD_THREEBODY_PART] - t2.energy[GMD_THREEBODY_PART]) < 1e-12);
        for (int c = 0; c < 6; c++)
            assert_true(fabs(t1.virial[c] - t2.virial[c]) < 1e-12);
        for (size_t i = 0; i < a.n; i++)
            for (int k = 0; k < 3; k++)
                assert_true(fabs(f1[k][i] - a.f[k][i]) < 1e-12);
    }
    /* compute ADDS into the tally and the forces */
    gmd_tally t;
    gmd_tally_clear(&t);
    t.energy[GMD_THREEBODY_PART] = 1.0;
    t.virial[0] = 2.0;
    gmd_atoms_zero_forces(&a);
    a.f[1][7] = 3.0;
    gmd_compute_args args = {.box = &box, .atoms = &a, .nlist = nl, .threads = 2};
    gmd_error err;
    assert_int_equal(term->compute(term, &args, &t, &err), GMD_OK);
    assert_true(fabs(t.energy[GMD_THREEBODY_PART] - 1.0 - t1.energy[GMD_THREEBODY_PART]) < 1e-10);
    assert_true(fabs(t.virial[0] - 2.0 - t1.virial[0]) < 1e-10);
    assert_true(fabs(a.f[1][7] - 3.0 - f1[1][7]) < 1e-12);
    gmd_neighbor_free(nl);
    for (int k = 0; k < 3; k++)
        free(f1[k]);
    gmd_term_free(term);
    gmd_atoms_free(&a);
}

/* With an inner list (as the model asks for) the term gives the same forces, energy and
 * virial bit for bit as from the full list, also after atoms moved without a rebuild. */
static void test_inner_list_same_result(void **state)
{
    (void)state;
    gmd_box box;
    gmd_atoms a;
    random_sisna(&box, &a, 100, 37);
    gmd_threebody_params p = sis_params(GMD_TAPER_SMOOTH);
    gmd_term *term = make_term(&p, 1, -1);
    gmd_neighbor_list *full, *inner;
    gmd_error err;
    build_list(&full, &box, &a, 6.0, 1.0);
    assert_int_equal(gmd_neighbor_create(&inner, 6.0, 1.0, &err), GMD_OK);
    unsigned char types[GMD_NEIGHBOR_MAX_TYPES][GMD_NEIGHBOR_MAX_TYPES] = {{0}};
    types[p.vertex][p.end] = types[p.end][p.vertex] = 1;
    assert_int_equal(gmd_neighbor_set_inner(inner, p.r3, types, &err), GMD_OK);
    assert_int_equal(gmd_neighbor_build(inner, &box, &a, 1, &err), GMD_OK);
    assert_true(inner->inner_npairs < full->npairs / 4);
    gmd_rng rng;
    gmd_rng_seed(&rng, 38);
    double *f1[3];
    for (int k = 0; k < 3; k++) {
        f1[k] = malloc(a.n * sizeof(double));
        assert_non_null(f1[k]);
    }
    for (int round = 0; round < 2; round++) {
        gmd_tally t1 = run_term(term, &box, &a, full, 1);
        for (int k = 0; k < 3; k++)
            memcpy(f1[k], a.f[k], a.n * sizeof(double));
        gmd_tally t2 = run_term(term, &box, &a, inner, 2);
        assert_true(t1.energy[GMD_THREEBODY_PART] > 1.0);
        assert_true(t1.energy[GMD_THREEBODY_PART] == t2.energy[GMD_THREEBODY_PART]);
        for (int c = 0; c < 6; c++)
            assert_true(t1.virial[c] == t2.virial[c]);
        for (size_t i = 0; i < a.n; i++)
            for (int k = 0; k < 3; k++)
                assert_true(f1[k][i] == a.f[k][i]);
        for (size_t i = 0; i < a.n; i++) /* moves below skin/2: both lists stay valid */
            for (int k = 0; k < 3; k++)
                a.r[k][i] += 0.13 * (2.0 * gmd_rng_uniform(&rng) - 1.0);
        assert_false(gmd_neighbor_needs_rebuild(inner, &box, &a));
    }
    /* an inner list of other species pairs does not cover the term: it uses the full rows */
    unsigned char other[GMD_NEIGHBOR_MAX_TYPES][GMD_NEIGHBOR_MAX_TYPES] = {{0}};
    other[2][2] = 1;
    assert_int_equal(gmd_neighbor_set_inner(inner, p.r3, other, &err), GMD_OK);
    assert_int_equal(gmd_neighbor_build(inner, &box, &a, 1, &err), GMD_OK);
    gmd_neighbor_free(full);
    build_list(&full, &box, &a, 6.0, 1.0);
    gmd_tally t1 = run_term(term, &box, &a, full, 1);
    gmd_tally t2 = run_term(term, &box, &a, inner, 1);
    assert_true(t1.energy[GMD_THREEBODY_PART] == t2.energy[GMD_THREEBODY_PART]);
    for (int k = 0; k < 3; k++)
        free(f1[k]);
    gmd_neighbor_free(full);
    gmd_neighbor_free(inner);
    gmd_term_free(term);
    gmd_atoms_free(&a);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Hard and smooth agree when no bond lies in the taper band: r3 and w are put into a gap of
 * the S-Si distance distribution of a random system. */
static void test_hard_equals_smooth_without_band_bonds(void **state)
{
    (void)state;
    gmd_box box;
    gmd_atoms a;
    random_sis(&box, &a, 17);
    double *dist = malloc(a.n * a.n * sizeof(double));
    assert_non_null(dist);
    size_t nd = 0;
    for (size_t v = 0; v < a.n; v++)
        for (size_t j = 0; j < a.n && a.type[v] == S; j++)
            if (a.type[j] == SI) {
                double d[3];
                min_image_vec(&box, &a, v, j, d);
                double r = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
                if (r < 3.0) dist[nd++] = r;
            }
    /* the widest gap between consecutive distances in 2.3..2.9 A */
    qsort(dist, nd, sizeof *dist, compare_doubles);
    double gap_lo = 0, gap_hi = 0;
    for (size_t i = 0; i + 1 < nd; i++)
        if (dist[i] > 2.3 && dist[i + 1] < 2.9 && dist[i + 1] - dist[i] > gap_hi - gap_lo) {
            gap_lo = dist[i];
            gap_hi = dist[i + 1];
        }
    free(dist);
    assert_true(gap_hi - gap_lo > 0.004);
    gmd_threebody_params p = sis_params(GMD_TAPER_SMOOTH);
    double margin = 0.1 * (gap_hi - gap_lo);
    p.r3 = gap_hi - margin;
    p.width = p.r3 - gap_lo - margin;
    gmd_term *smooth = make_term(&p, 1, -1);
    gmd_term *hard = make_term(&p, 1, GMD_TAPER_HARD);
    gmd_neighbor_list *nl;
    build_list(&nl, &box, &a, 3.0, 0.0);
    gmd_tally ts = run_term(smooth, &box, &a, nl, 1);
    double fs = a.f[0][3], fs2 = a.f[2][100];
    gmd_tally th = run_term(hard, &box, &a, nl, 1);
    fprintf(stderr, "r3 = %.4f, w = %.4f: smooth %.12f, hard %.12f eV\n", p.r3, p.width,
            ts.energy[GMD_THREEBODY_PART], th.energy[GMD_THREEBODY_PART]);
    assert_true(ts.energy[GMD_THREEBODY_PART] > 1.0);
    assert_true(fabs(ts.energy[GMD_THREEBODY_PART] - th.energy[GMD_THREEBODY_PART]) < 1e-12);
    assert_true(fabs(fs - a.f[0][3]) < 1e-12 && fabs(fs2 - a.f[2][100]) < 1e-12);
    for (int c = 0; c < 6; c++)
        assert_true(fabs(ts.virial[c] - th.virial[c]) < 1e-12);
    gmd_neighbor_free(nl);
    gmd_term_free(smooth);
    gmd_term_free(hard);
    gmd_atoms_free(&a);
}

/* ---------------------------------------------------------------- ideal geometries */

/* An SSi6 octahedron straddling the periodic corner of the box, an edge-sharing Si2S2
 * rhombus with 88 degree Si-S-Si angles, one Si at 2.8 A (outside r3) and one at 2.6 A
 * (in the taper) of an isolated S. */
static void ideal_system(gmd_box *box, gmd_atoms *a, int with_taper_bond)
{
    gmd_error err;
    double pos[16][3];
    int type[16];
    size_t n = 0;
    double c[3] = {0.1, 19.9, 0.05}; /* octahedron centre near a corner */
    pos[n][0] = c[0], pos[n][1] = c[1], pos[n][2] = c[2], type[n++] = S;
    for (int k = 0; k < 3; k++)
        for (int sgn = -1; sgn <= 1; sgn += 2) {
            for (int q = 0; q < 3; q++)
                pos[n][q] = c[q] + (q == k ? sgn * 2.3 : 0.0);
            type[n++] = SI;
        }
    double hx = 2.13 * sin(44 * DEG), hy = 2.13 * cos(44 * DEG);
    double r[3] = {10, 10, 10}; /* rhombus in the xy plane */
    double rh[4][3] = {{hx, 0, 0}, {-hx, 0, 0}, {0, hy, 0}, {0, -hy, 0}};
    for (int q = 0; q < 4; q++) {
        for (int k = 0; k < 3; k++)
            pos[n][k] = r[k] + rh[q][k];
        type[n++] = q < 2 ? SI : S;
    }
    double lone[3] = {10, 10, 3}; /* an S with one Si at 2.8 A and maybe one at 2.6 A */
    pos[n][0] = lone[0], pos[n][1] = lone[1], pos[n][2] = lone[2], type[n++] = S;
    pos[n][0] = lone[0] + 2.8, pos[n][1] = lone[1], pos[n][2] = lone[2], type[n++] = SI;
    if (with_taper_bond)
        pos[n][0] = lone[0], pos[n][1] = lone[1] + 2.6, pos[n][2] = lone[2], type[n++] = SI;
    *box = (gmd_box){{0, 0, 0}, {20, 20, 20}};
    assert_int_equal(gmd_atoms_init(a, n, &err), GMD_OK);
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 3; k++)
            a->r[k][i] = pos[i][k];
        a->type[i] = type[i];
        a->id[i] = (long)i + 1;
    }
    gmd_atoms_wrap(a, box);
}

static void test_ideal_geometry(void **state)
{
    (void)state;
    double k = 1.5, t0 = GMD_PI / 3;
    double e_oct = k * (12 * pow(GMD_PI / 2 - t0, 2) + 3 * pow(GMD_PI - t0, 2));
    double e_rh = 2 * k * pow(88 * DEG - t0, 2);
    for (int taper = 0; taper < 2; taper++) {
        gmd_box box;
        gmd_atoms a;
        ideal_system(&box, &a, 0);
        gmd_threebody_params p = sis_params((gmd_taper)taper);
        gmd_term *term = make_term(&p, 1, -1);
        gmd_neighbor_list *nl;
        build_list(&nl, &box, &a, 2.7, 1.0);
        gmd_tally t = run_term(term, &box, &a, nl, 2);
        double e = t.energy[GMD_THREEBODY_PART];
        fprintf(stderr, "ideal (%s): %.12f eV, expected %.12f eV\n", taper ? "hard" : "smooth", e,
                e_oct + e_rh);
        assert_true(fabs(e - (e_oct + e_rh)) < 1e-12);
        /* by symmetry: no force on the octahedron's S, the rhombus Si feel equal and
         * opposite forces along x */
        for (int q = 0; q < 3; q++)
            assert_true(fabs(a.f[q][0]) < 1e-12);
        assert_true(fabs(a.f[0][7] + a.f[0][8]) < 1e-12 && fabs(a.f[0][7]) > 0.1);
        gmd_neighbor_free(nl);
        gmd_term_free(term);
        gmd_atoms_free(&a);
    }
    /* one more Si at 2.6 A of the lone S and r3 = 2.9: the smooth taper adds s(2.8) = 1/2
     * of a 90 degree term, the hard cut the whole of it */
    double e90 = k * pow(GMD_PI / 2 - t0, 2);
    for (int taper = 0; taper < 2; taper++) {
        gmd_box box;
        gmd_atoms a;
        ideal_system(&box, &a, 1);
        gmd_threebody_params p = sis_params(GMD_TAPER_SMOOTH);
        p.r3 = 2.9; /* the 2.8 A bond is mid-band: s(2.8) = 1/2, s(2.6) = 1 */
        p.width = 0.2;
        gmd_term *term = make_term(&p, 1, taper ? GMD_TAPER_HARD : -1);
        gmd_neighbor_list *nl;
        build_list(&nl, &box, &a, 2.9, 1.0);
        gmd_tally t = run_term(term, &box, &a, nl, 1);
        double expect = e_oct + e_rh + (taper ? e90 : 0.5 * e90);
        assert_true(fabs(t.energy[GMD_THREEBODY_PART] - expect) < 1e-12);
        gmd_neighbor_free(nl);
        gmd_term_free(term);
        gmd_atoms_free(&a);
    }
}

/* ---------------------------------------------------------------- several entries */

static void test_several_entries(void **state)
{
    (void)state;
    gmd_box box;
    gmd_atoms a;
    random_sis(&box, &a, 41);
    gmd_threebody_params p[3] = {sis_params(GMD_TAPER_SMOOTH), sis_params(GMD_TAPER_HARD),
                                 sis_params(GMD_TAPER_SMOOTH)};
    p[1].vertex = SI; /* S-Si-S at the silicon */
    p[1].end = S;
    p[1].k = 0.7;
    p[1].theta0 = 109.47 * DEG;
    p[1].r3 = 2.6;
    p[2].vertex = S; /* S-S-S: vertex and ends of one species */
    p[2].end = S;
    p[2].k = 0.3;
    p[2].theta0 = 100 * DEG;
    p[2].r3 = 3.2;
    p[2].width = 0.4;
    gmd_term *all = make_term(p, 3, -1);
    gmd_neighbor_list *nl;
    build_list(&nl, &box, &a, 3.2, 0.5);
    gmd_tally t = run_term(all, &box, &a, nl, 2);
    double ref = ref_energy(p, 3, &box, &a);
    double sum = 0.0;
    for (int e = 0; e < 3; e++) {
        double part = ref_energy(&p[e], 1, &box, &a);
        fprintf(stderr, "entry %d: %.10f eV\n", e, part);
        assert_true(part > 0.5);
        sum += part;
    }
    assert_true(tu_rel_diff(sum, ref, 1e-12) < 1e-12);
    assert_true(tu_rel_diff(t.energy[GMD_THREEBODY_PART], ref, 1e-12) < 1e-10);
    /* forces: FD of the brute-force energy (smooth entries only; keep hard bonds away from
     * their cut) for a few atoms */
    double h = 1e-5;
    for (size_t i = 0; i < a.n; i += 29)
        for (int k = 0; k < 3; k++) {
            double keep = a.r[k][i];
            a.r[k][i] = keep + h;
            double ep = ref_energy(p, 3, &box, &a);
            a.r[k][i] = keep - h;
            double em = ref_energy(p, 3, &box, &a);
            a.r[k][i] = keep;
            assert_true(fabs(-(ep - em) / (2 * h) - a.f[k][i]) < 1e-6 * (1 + fabs(a.f[k][i])));
        }
    gmd_neighbor_free(nl);
    gmd_term_free(all);
    gmd_atoms_free(&a);
}

/* ---------------------------------------------------------------- create, describe, errors */

static void test_describe_and_override(void **state)
{
    (void)state;
    gmd_threebody_params p = sis_params(GMD_TAPER_SMOOTH);
    gmd_term *term = make_term(&p, 1, GMD_TAPER_HARD);
    assert_string_equal(term->name, "threebody");
    char buf[1024];
    int len = term->describe(term, buf, sizeof buf);
    assert_true(len > 0 && (size_t)len < sizeof buf);
    cJSON *j = cJSON_Parse(buf);
    assert_non_null(j);
    cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "entries"), 0);
    assert_non_null(e);
    assert_string_equal(cJSON_GetObjectItem(e, "vertex")->valuestring, "S");
    assert_string_equal(cJSON_GetObjectItem(e, "end")->valuestring, "Si");
    assert_string_equal(cJSON_GetObjectItem(e, "taper")->valuestring, "hard");
    assert_true(fabs(cJSON_GetObjectItem(e, "theta0_deg")->valuedouble - 60.0) < 1e-9);
    assert_true(fabs(cJSON_GetObjectItem(e, "k")->valuedouble - 1.5) < 1e-12);
    assert_true(fabs(cJSON_GetObjectItem(e, "r3")->valuedouble - 2.7) < 1e-12);
    cJSON_Delete(j);
    /* truncation reports the full length, like snprintf */
    char small[8];
    assert_int_equal(term->describe(term, small, sizeof small), len);
    assert_int_equal(strlen(small), 7);
    gmd_term_free(term);

    term = make_term(&p, 1, -1);
    term->describe(term, buf, sizeof buf);
    assert_non_null(strstr(buf, "\"taper\":\"smooth\""));
    gmd_term_free(term);
    /* no entries: a term that does nothing */
    term = make_term(&p, 0, -1);
    gmd_box box;
    gmd_atoms a;
    random_sis(&box, &a, 3);
    gmd_neighbor_list *nl;
    build_list(&nl, &box, &a, 2.7, 0.0);
    gmd_tally t = run_term(term, &box, &a, nl, 1);
    assert_true(t.energy[GMD_THREEBODY_PART] == 0.0);
    gmd_neighbor_free(nl);
    gmd_atoms_free(&a);
    gmd_term_free(term);
}

static void expect_create_error(gmd_threebody_params p, int override, const char *needle)
{
    gmd_forcefield ff = ff_with(&p, 1);
    gmd_term *term = (gmd_term *)&ff; /* must be reset to NULL */
    gmd_error err;
    gmd_error_clear(&err);
    assert_int_not_equal(gmd_threebody_create(&term, &ff, override, &err), GMD_OK);
    assert_null(term);
    if (!strstr(err.message, needle)) fprintf(stderr, "message: %s\n", err.message);
    assert_non_null(strstr(err.message, needle));
}

static void test_create_errors(void **state)
{
    (void)state;
    gmd_threebody_params p = sis_params(GMD_TAPER_SMOOTH);
    p.width = 0.0;
    expect_create_error(p, -1, "width");
    p = sis_params(GMD_TAPER_SMOOTH);
    p.width = 3.0;
    expect_create_error(p, -1, "width");
    p = sis_params(GMD_TAPER_SMOOTH);
    p.r3 = -1;
    expect_create_error(p, -1, "r3");
    p = sis_params(GMD_TAPER_SMOOTH);
    p.k = -1;
    expect_create_error(p, -1, "k = ");
    p = sis_params(GMD_TAPER_SMOOTH);
    p.theta0 = 4.0;
    expect_create_error(p, -1, "theta0");
    p = sis_params(GMD_TAPER_SMOOTH);
    p.end = 7;
    expect_create_error(p, -1, "species");
    expect_create_error(sis_params(GMD_TAPER_SMOOTH), 5, "override");
    /* a zero width is fine with the hard cut */
    p = sis_params(GMD_TAPER_HARD);
    p.width = 0.0;
    gmd_term *term = make_term(&p, 1, -1);
    gmd_term_free(term);

    /* compute refuses a list that does not reach r3 */
    p = sis_params(GMD_TAPER_SMOOTH);
    term = make_term(&p, 1, -1);
    gmd_box box;
    gmd_atoms a;
    random_sis(&box, &a, 3);
    gmd_neighbor_list *nl;
    build_list(&nl, &box, &a, 2.0, 0.5);
    gmd_tally t;
    gmd_tally_clear(&t);
    gmd_compute_args args = {.box = &box, .atoms = &a, .nlist = nl, .threads = 1};
    gmd_error err;
    assert_int_not_equal(term->compute(term, &args, &t, &err), GMD_OK);
    assert_non_null(strstr(err.message, "r3"));
    args.nlist = NULL;
    assert_int_not_equal(term->compute(term, &args, &t, &err), GMD_OK);
    gmd_neighbor_free(nl);
    /* two atoms on top of each other are a collapse, not a NaN */
    for (int k = 0; k < 3; k++)
        a.r[k][0] = a.r[k][200]; /* atom 0 is Si, atom 200 is S */
    build_list(&nl, &box, &a, 2.7, 0.5);
    args.nlist = nl;
    assert_int_equal(term->compute(term, &args, &t, &err), GMD_ERR_PHYSICS);
    assert_non_null(strstr(err.message, "same position"));
    gmd_neighbor_free(nl);
    gmd_atoms_free(&a);
    gmd_term_free(term);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_known_energies),
        cmocka_unit_test(test_single_forces_finite_difference),
        cmocka_unit_test(test_single_newton_and_torque),
        cmocka_unit_test(test_random_system_against_brute_force),
        cmocka_unit_test(test_random_forces_finite_difference),
        cmocka_unit_test(test_virial_periodic_diagonal),
        cmocka_unit_test(test_virial_cluster_all_components),
        cmocka_unit_test(test_threads_identical),
        cmocka_unit_test(test_inner_list_same_result),
        cmocka_unit_test(test_hard_equals_smooth_without_band_bonds),
        cmocka_unit_test(test_ideal_geometry),
        cmocka_unit_test(test_several_entries),
        cmocka_unit_test(test_describe_and_override),
        cmocka_unit_test(test_create_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
