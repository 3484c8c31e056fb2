/* test_structure.c - the structural analyses (rdf, sq, fsdp, network, angles) on cases
 * whose answers are known without glassmd:
 * - an ideal gas (uniform random atoms, many frames): g(r) = 1 within the Poisson error of
 *   every bin, running coordination = rho_b 4/3 pi r^3, S(k) = 1 (transform and direct);
 *   identical histograms with 1 and 2 threads;
 * - the antifluorite Na2S crystal (a = 6.54 A): exact coordination (Na-S 4, S-Na 8), first
 *   peaks at a sqrt(3)/4, a/2, a/sqrt(2), Bragg peaks of the direct S(k) where the fcc /
 *   simple-cubic sublattices allow them (S-S 111 and 200; Na-Na 200 only) with the
 *   exact heights N_S, N_Na, -sqrt(N_Na N_S), and zero where they are forbidden; the same
 *   from the gridded transform (sq_grid.c) to 1e-6 relative;
 * - gridded against direct S(k) on a random gas (three species, three different box
 *   edges): 1e-6 relative shell by shell, bitwise the same with 1 and 3 threads;
 * - a hand-built cluster of regular SiS4 tetrahedra (two edge-sharing links, one corner
 *   link, a homopolar S-S pair, a free S), straddling the periodic boundary: Q^n,
 *   bridging/non-bridging/free sulfur, corner/edge pairs counted by hand; S-Si-S angles
 *   all 109.47 deg, Si-S-Si 70.53 (edge) and 180 (corner);
 * - the hard-sphere step g = theta(r - sigma), whose S(k) is analytic;
 * - form factors f(0) = Z; the Wright R_X of a copy (0) and of a scaled copy (|s-1|/s);
 * - the FSDP finder on a Gaussian peak over a straight background;
 * - a box that changes between frames: the default rdf range drops to half the smallest
 *   edge, bit for bit as if given so from the start; a given range too long is refused. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "../../src/analysis/sq_grid.h"
#include "../../src/analysis/structure_internal.h"
#include "glassmd/rng.h"
#include "testutil.h"

#define PI 3.14159265358979323846

/* ------------------------------------------------------------------ frame helpers */

static void frame_alloc(gmd_frame *f, size_t n, double len)
{
    memset(f, 0, sizeof *f);
    f->n = n;
    for (int k = 0; k < 3; k++) {
        f->r[k] = calloc(n, sizeof(double));
        assert_non_null(f->r[k]);
        f->box.lo[k] = 0.0;
        f->box.len[k] = len;
    }
    f->id = calloc(n, sizeof(long));
    f->type = calloc(n, sizeof(int));
    assert_non_null(f->id);
    assert_non_null(f->type);
    for (size_t i = 0; i < n; i++)
        f->id[i] = (long)i + 1;
}

static void frame_release(gmd_frame *f)
{
    for (int k = 0; k < 3; k++)
        free(f->r[k]);
    free(f->id);
    free(f->type);
}

static void species2(gmd_species_table *sp, const char *a, const char *b, const char *c)
{
    memset(sp, 0, sizeof *sp);
    const char *names[3] = {a, b, c};
    for (int s = 0; s < 3 && names[s]; s++) {
        snprintf(sp->name[s], sizeof sp->name[s], "%s", names[s]);
        sp->n++;
    }
}

static void counts_of(const gmd_frame *f, int ns, long *count)
{
    for (int s = 0; s < ns; s++)
        count[s] = 0;
    for (size_t i = 0; i < f->n; i++)
        count[f->type[i]]++;
}

/* Settings filled here (not from gmd_analysis_default_settings) so the tests state them. */
static void test_settings(gmd_analysis_settings *s, const char *dir)
{
    memset(s, 0, sizeof *s);
    s->out_dir = dir;
    s->rdf_dr_A = 0.01;
    s->sq_kmax_invA = 20.0;
    s->sq_dk_invA = 0.02;
    s->direct_sq_kmax_invA = 4.0;
    snprintf(s->former, sizeof s->former, "Si");
    snprintf(s->bridge, sizeof s->bridge, "S");
    snprintf(s->modifier, sizeof s->modifier, "Na");
    s->cut_former_bridge_A = 2.7;
    s->cut_modifier_bridge_A = 3.5;
    s->cut_homopolar_A = 2.4;
    snprintf(s->fsdp_pair, sizeof s->fsdp_pair, "Na-Na");
    s->nangle_triplets = 2;
    snprintf(s->angle_triplets[0], sizeof s->angle_triplets[0], "S-Si-S");
    snprintf(s->angle_triplets[1], sizeof s->angle_triplets[1], "Si-S-Si");
    s->threads = 2;
}

static char *make_tmpdir(void)
{
    static char buf[256];
    const char *base = getenv("TMPDIR");
    snprintf(buf, sizeof buf, "%s/gmd_structure_XXXXXX", base ? base : "/tmp");
    assert_non_null(mkdtemp(buf));
    return buf;
}

/* ------------------------------------------------------------------ ideal gas */

/* Uniform positions over three box lengths per direction from one below the box's origin
 * (unwrapped: some atoms a box or two away), atom by atom. */
static void random_frame(gmd_frame *f, gmd_rng *rng)
{
    for (size_t i = 0; i < f->n; i++)
        for (int k = 0; k < 3; k++)
            f->r[k][i] = f->box.lo[k] + f->box.len[k] * (gmd_rng_uniform(rng) * 3.0 - 1.0);
}

static void test_ideal_gas_rdf(void **state)
{
    (void)state;
    const size_t n = 1000;
    const double len = 20.0, dr = 0.1;
    const int nframes = 100;
    gmd_frame f;
    frame_alloc(&f, n, len);
    for (size_t i = 0; i < n; i++)
        f.type[i] = i < 400 ? 0 : 1;
    long count[2] = {400, 600};
    gmd_rdf_acc acc1, acc2;
    gmd_error err;
    assert_int_equal(gmd_rdf_acc_init(&acc1, 2, count, n, 0.0, dr, &f, 1, &err), GMD_OK);
    assert_int_equal(gmd_rdf_acc_init(&acc2, 2, count, n, 0.0, dr, &f, 2, &err), GMD_OK);
    assert_int_equal(acc1.nbins, 100); /* rmax defaults to L/2 */
    gmd_rng rng;
    gmd_rng_seed(&rng, 12345);
    for (int t = 0; t < nframes; t++) {
        random_frame(&f, &rng);
        assert_int_equal(gmd_rdf_acc_add(&acc1, &f, &err), GMD_OK);
        assert_int_equal(gmd_rdf_acc_add(&acc2, &f, &err), GMD_OK);
    }
    /* thread count does not change a single count */
    assert_memory_equal(acc1.hist, acc2.hist, sizeof(uint64_t) * 4 * acc1.nbins);
    double g[100], nrun[100], v = len * len * len;
    double worst = 0.0;
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++) {
            gmd_rdf_acc_g(&acc1, a, b, g);
            gmd_rdf_acc_running(&acc1, a, b, nrun);
            double rho_b = (double)(count[b] - (a == b)) / v;
            double gmean = 0.0;
            int nmean = 0;
            for (int m = 10; m < 100; m++) {
                double shell = 4.0 / 3.0 * PI * dr * dr * dr * (pow(m + 1, 3) - pow(m, 3));
                double expected = nframes * count[a] * rho_b * shell;
                /* a like pair is counted from both atoms: counts come in twos */
                double z = (g[m] - 1.0) * sqrt(expected / (a == b ? 2.0 : 1.0));
                worst = fmax(worst, fabs(z));
                gmean += g[m];
                nmean++;
            }
            gmean /= nmean;
            assert_true(fabs(gmean - 1.0) < 0.01);
            /* g weighted by the expected counts for r >= 1 A: sensitive to the
             * N_b - delta_ab of the normalisation (a 1/N_a bias, here ~5 sigma) */
            double hsum = 0.0, esum = 0.0;
            for (int m = 10; m < 100; m++) {
                double e = nframes * count[a] * rho_b * 4.0 / 3.0 * PI * dr * dr * dr *
                           (pow(m + 1, 3) - pow(m, 3));
                hsum += g[m] * e; /* g-weighted: tests the normalisation of g itself */
                esum += e;
            }
            double sig = sqrt((a == b ? 2.0 : 1.0) / esum);
            print_message("ideal gas %d-%d: counts / ideal = 1 %+.5f (sigma %.5f)\n", a, b,
                          hsum / esum - 1.0, sig);
            assert_true(fabs(hsum / esum - 1.0) < 3.0 * sig);
            double r = 50 * dr; /* upper edge of bin 49 */
            double n_exact = rho_b * 4.0 / 3.0 * PI * r * r * r;
            assert_true(fabs(nrun[49] / n_exact - 1.0) < 0.02);
        }
    print_message("ideal gas: worst |g - 1| / sigma over bins r >= 1 A: %.2f\n", worst);
    assert_true(worst < 5.0);

    /* S(k) from g: 1 within the noise for k >= 2 */
    double k[200], s[200];
    for (int j = 0; j < 200; j++)
        k[j] = 2.0 + 0.09 * j;
    gmd_rdf_acc_g(&acc1, 0, 1, g);
    gmd_sq_from_gr(g, 100, dr, (double)n / v, 0, k, 200, s);
    double mean_dev = 0.0;
    for (int j = 0; j < 200; j++)
        mean_dev += fabs(s[j] - 1.0) / 200.0;
    print_message("ideal gas: mean |S_ab(k) - 1| for 2 <= k <= 20: %.4f\n", mean_dev);
    assert_true(mean_dev < 0.05);
    gmd_rdf_acc_free(&acc1);
    gmd_rdf_acc_free(&acc2);
    frame_release(&f);
}

static void test_ideal_gas_direct_sq(void **state)
{
    (void)state;
    const size_t n = 600;
    const double len = 18.0;
    gmd_frame f;
    frame_alloc(&f, n, len);
    for (size_t i = 0; i < n; i++)
        f.type[i] = i < 200 ? 0 : 1;
    long count[2] = {200, 400};
    gmd_dsq_acc acc;
    gmd_error err;
    assert_int_equal(gmd_dsq_acc_init(&acc, 2, count, n, 4.0, 0.05, 2, &err), GMD_OK);
    gmd_rng rng;
    gmd_rng_seed(&rng, 777);
    for (int t = 0; t < 10; t++) {
        random_frame(&f, &rng);
        assert_int_equal(gmd_dsq_acc_add(&acc, &f, &err), GMD_OK);
    }
    double k[200], sal[3 * 200];
    int nout = gmd_dsq_acc_result(&acc, k, sal);
    assert_true(nout > 20);
    /* vector-weighted means over all shells: S_aa^AL -> 1, S_ab^AL -> 0 */
    double mean[3] = {0}, nv = 0.0;
    for (int m = 0, j = 0; m < acc.nshell; m++) {
        if (!acc.nvec[m]) continue;
        for (int p = 0; p < 3; p++)
            mean[p] += sal[p * acc.nshell + j] * (double)acc.nvec[m];
        nv += (double)acc.nvec[m];
        j++;
    }
    for (int p = 0; p < 3; p++)
        mean[p] /= nv;
    print_message("ideal gas direct S_AL means: %.4f %.4f %.4f (over %.0f vectors)\n", mean[0],
                  mean[1], mean[2], nv);
    assert_true(fabs(mean[gmd_pair_index(2, 0, 0)] - 1.0) < 0.05);
    assert_true(fabs(mean[gmd_pair_index(2, 1, 1)] - 1.0) < 0.05);
    assert_true(fabs(mean[gmd_pair_index(2, 0, 1)]) < 0.05);
    gmd_dsq_acc_free(&acc);
    frame_release(&f);
}

/* ------------------------------------------------------------------ pair search vs brute force */

/* Ordered-pair histogram and cut-off counts by the plain O(N^2) double loop over i != j
 * with the minimum image by rint: the reference for the cell search with a half stencil. */
static void brute_rdf(const gmd_frame *f, int ns, int nb, double dr, double cut[2][2],
                      uint64_t *hist, uint64_t ncut[2][2])
{
    memset(hist, 0, sizeof(uint64_t) * (size_t)ns * ns * nb);
    memset(ncut, 0, sizeof(uint64_t) * 4);
    for (size_t i = 0; i < f->n; i++)
        for (size_t j = 0; j < f->n; j++) {
            if (i == j) continue;
            double d2 = 0.0;
            for (int k = 0; k < 3; k++) {
                double d = f->r[k][j] - f->r[k][i];
                d -= f->box.len[k] * rint(d / f->box.len[k]);
                d2 += d * d;
            }
            double d = sqrt(d2);
            int a = f->type[i], b = f->type[j];
            int bin = 0; /* the rule of rdf.c: the bin edges E_m = (m dr)^2 at or below d^2 */
            while (bin < nb && ((bin + 1) * dr) * ((bin + 1) * dr) <= d2)
                bin++;
            if (bin < nb) hist[((size_t)a * ns + b) * nb + bin]++;
            if (d < cut[a][b]) ncut[a][b]++;
        }
}

/* Boxes with 1 to 7 cells per direction (non-cubic), cut-offs that differ between a-b and
 * b-a: every ordered count equals the brute-force one, with 1 and 3 threads, and with the
 * portable binning loops where the AVX-512 ones run. */
static void test_rdf_cells_vs_brute(void **state)
{
    (void)state;
    const double boxes[3][3] = {{15.0, 9.0, 30.0}, {12.0, 12.0, 12.0}, {25.0, 25.0, 25.0}};
    const double rmaxes[3] = {4.3, 6.0, 3.1};
    gmd_rng rng;
    gmd_rng_seed(&rng, 4242);
    for (int c = 0; c < 3; c++) {
        gmd_frame f;
        frame_alloc(&f, 700, 1.0);
        for (int k = 0; k < 3; k++)
            f.box.len[k] = boxes[c][k];
        f.box.lo[0] = -3.0; /* a box that does not start at 0 */
        for (size_t i = 0; i < f.n; i++)
            f.type[i] = i % 3 == 0 ? 0 : 1;
        random_frame(&f, &rng);
        long count[2];
        counts_of(&f, 2, count);
        double cut[2][2] = {{0.0, 2.5}, {3.7, 1.9}};
        const double dr = 0.05;
        for (int run = 0; run < 3; run++) { /* 1 and 3 threads; then 1 without AVX-512 */
            const int threads = run == 1 ? 3 : 1;
            gmd_rdf_acc acc;
            gmd_error err;
            assert_int_equal(
                gmd_rdf_acc_init(&acc, 2, count, f.n, rmaxes[c], dr, &f, threads, &err), GMD_OK);
            if (run == 0) print_message("AVX-512 binning: %s\n", acc.bin_avx512 ? "yes" : "no");
            if (run == 2) acc.bin_avx512 = 0; /* the portable loops */
            for (int a = 0; a < 2; a++)
                for (int b = 0; b < 2; b++)
                    if (cut[a][b] > 0.0) gmd_rdf_acc_set_cut(&acc, a, b, cut[a][b]);
            assert_int_equal(gmd_rdf_acc_add(&acc, &f, &err), GMD_OK);
            print_message("box %g x %g x %g, rmax %g: %d x %d x %d cells\n", boxes[c][0],
                          boxes[c][1], boxes[c][2], acc.rmax, acc.grid.cells.n[0],
                          acc.grid.cells.n[1], acc.grid.cells.n[2]);
            uint64_t *ref = calloc((size_t)4 * acc.nbins, sizeof(uint64_t)), rcut[2][2];
            assert_non_null(ref);
            brute_rdf(&f, 2, acc.nbins, dr, cut, ref, rcut);
            assert_memory_equal(acc.hist, ref, sizeof(uint64_t) * 4 * acc.nbins);
            for (int a = 0; a < 2; a++)
                for (int b = 0; b < 2; b++)
                    assert_true(acc.ncut[a][b] == rcut[a][b]);
            free(ref);
            gmd_rdf_acc_free(&acc);
        }
        frame_release(&f);
    }
}

/* gmd_frame_bonds against a per-atom search (gmd_frame_grid_neighbors) filtered by the
 * cut-off of each species pair and an O(N^2) count: boxes of 1 to 15 cells per direction,
 * three species with different cut-offs (one pair without bonds), frames of different atom
 * counts through one gmd_frame_bonds (its buffers grow and shrink): every row holds exactly
 * the search's neighbours within the pair's cut-off, each once, with the search's distance
 * and displacement to the bit; every bond is in both rows, the displacement negated. */
static void test_frame_bonds_vs_search(void **state)
{
    (void)state;
    const double boxes[3][3] = {{15.0, 9.0, 30.0}, {6.0, 6.0, 6.0}, {40.0, 40.0, 40.0}};
    const double cut[3][3] = {{2.9, 2.4, 0.0}, {2.4, 1.8, 2.2}, {0.0, 2.2, 2.6}};
    const double rc = 2.9;
    gmd_rng rng;
    gmd_rng_seed(&rng, 78);
    gmd_frame_bonds bonds = {0};
    for (int x = 0; x < 3; x++)
        for (int y = 0; y < 3; y++)
            if (cut[x][y] > 0.0) gmd_frame_bonds_need(&bonds, x, y, cut[x][y]);
    assert_true(bonds.rc == rc);
    for (int c = 0; c < 3; c++) {
        gmd_frame f;
        frame_alloc(&f, c == 1 ? 60 : 900 + 300 * c, 1.0);
        for (int k = 0; k < 3; k++)
            f.box.len[k] = boxes[c][k];
        for (size_t i = 0; i < f.n; i++)
            f.type[i] = (int)(i % 3);
        random_frame(&f, &rng);
        gmd_error err;
        assert_int_equal(gmd_frame_bonds_build(&bonds, &f, &err), GMD_OK);
        gmd_frame_grid grid = {0};
        gmd_neigh_buf buf, row;
        assert_int_equal(gmd_frame_grid_build(&grid, &f, rc, &err), GMD_OK);
        assert_int_equal(gmd_neigh_buf_init(&buf, f.n, &err), GMD_OK);
        size_t entries = 0;
        long brute = 0;
        for (size_t i = 0; i < f.n; i++) {
            gmd_frame_grid_neighbors(&grid, i, rc, &buf);
            gmd_frame_bonds_of(&bonds, i, &row);
            size_t m = 0;
            for (size_t q = 0; q < buf.count; q++) { /* the search's bonds, each in the row */
                const int j = buf.j[q];
                if (!(buf.d[q] < cut[f.type[i]][f.type[j]])) continue;
                size_t e = 0;
                while (e < row.count && row.j[e] != j)
                    e++;
                if (e == row.count) fail_msg("atom %zu: bond to %d missing", i, j);
                for (size_t e2 = e + 1; e2 < row.count; e2++)
                    assert_int_not_equal(row.j[e2], j);
                assert_memory_equal(&row.d[e], &buf.d[q], sizeof(double));
                for (int k = 0; k < 3; k++)
                    assert_memory_equal(&row.dx[k][e], &buf.dx[k][q], sizeof(double));
                m++;
            }
            assert_int_equal(row.count, m);
            entries += row.count;
            for (size_t j = i + 1; j < f.n; j++) {
                double d2 = 0.0;
                for (int k = 0; k < 3; k++) {
                    const double d = gmd_min_image(f.r[k][j] - f.r[k][i], f.box.len[k]);
                    d2 += d * d;
                }
                const double cc = cut[f.type[i]][f.type[j]];
                brute += d2 < cc * cc;
            }
        }
        print_message("box %g x %g x %g: %zu bonds (brute force %ld)\n", boxes[c][0], boxes[c][1],
                      boxes[c][2], bonds.nbonds, brute);
        assert_int_equal(entries, 2 * bonds.nbonds);
        assert_true(labs((long)bonds.nbonds - brute) <= 1); /* sqrt vs squares at an edge */
        assert_true(bonds.nbonds > f.n / 10);
        gmd_neigh_buf_free(&buf);
        gmd_frame_grid_free(&grid);
        frame_release(&f);
    }
    gmd_frame_bonds_free(&bonds);
}

/* gmd_frame_grid_neighbors against an O(N^2) loop with gmd_min_image: for boxes of 1 to 15
 * cells per direction (non-cubic, unwrapped positions), every atom's neighbours within rc
 * are the same atoms in the same count, each with its distance and displacement; the
 * AVX-512 search (where the CPU has it) gives the portable loop's buffers exactly. */
static void test_grid_neighbors_vs_brute(void **state)
{
    (void)state;
    const double boxes[3][3] = {{15.0, 9.0, 30.0}, {6.0, 6.0, 6.0}, {40.0, 40.0, 40.0}};
    const double rcs[3] = {2.7, 2.9, 2.6};
    gmd_rng rng;
    gmd_rng_seed(&rng, 77);
    for (int c = 0; c < 3; c++) {
        gmd_frame f;
        frame_alloc(&f, c == 1 ? 60 : 900, 1.0);
        for (int k = 0; k < 3; k++)
            f.box.len[k] = boxes[c][k];
        random_frame(&f, &rng);
        gmd_frame_grid grid = {0}, portable = {.portable = 1};
        gmd_neigh_buf buf, pbuf;
        gmd_error err;
        assert_int_equal(gmd_frame_grid_build(&grid, &f, rcs[c], &err), GMD_OK);
        assert_int_equal(gmd_frame_grid_build(&portable, &f, rcs[c], &err), GMD_OK);
        if (c == 0) print_message("AVX-512 search: %s\n", grid.avx512 ? "yes" : "no");
        assert_false(portable.avx512);
        assert_int_equal(gmd_neigh_buf_init(&buf, f.n, &err), GMD_OK);
        assert_int_equal(gmd_neigh_buf_init(&pbuf, f.n, &err), GMD_OK);
        long found = 0;
        for (size_t i = 0; i < f.n; i++) {
            gmd_frame_grid_neighbors(&grid, i, rcs[c], &buf);
            /* the AVX-512 search (where it runs) finds the portable loop's neighbours, in its
             * order, with its distances and displacements to the bit */
            gmd_frame_grid_neighbors(&portable, i, rcs[c], &pbuf);
            assert_int_equal(buf.count, pbuf.count);
            assert_memory_equal(buf.j, pbuf.j, buf.count * sizeof(int));
            assert_memory_equal(buf.d, pbuf.d, buf.count * sizeof(double));
            for (int k = 0; k < 3; k++)
                assert_memory_equal(buf.dx[k], pbuf.dx[k], buf.count * sizeof(double));
            size_t expected = 0;
            for (size_t j = 0; j < f.n; j++) {
                double d[3], d2 = 0.0;
                for (int k = 0; k < 3; k++) {
                    d[k] = gmd_min_image(f.r[k][j] - f.r[k][i], f.box.len[k]);
                    d2 += d[k] * d[k];
                }
                if (j == i || d2 >= rcs[c] * rcs[c]) continue;
                expected++;
                size_t m = 0;
                while (m < buf.count && (size_t)buf.j[m] != j)
                    m++;
                if (m == buf.count) fail_msg("atom %zu: neighbour %zu missing", i, j);
                assert_true(fabs(buf.d[m] - sqrt(d2)) < 1e-9);
                for (int k = 0; k < 3; k++)
                    assert_true(fabs(buf.dx[k][m] - d[k]) < 1e-9);
            }
            assert_int_equal(buf.count, expected);
            found += (long)expected;
        }
        assert_true(found > (long)f.n / 10); /* neighbours were compared */
        gmd_neigh_buf_free(&buf);
        gmd_neigh_buf_free(&pbuf);
        gmd_frame_grid_free(&grid);
        gmd_frame_grid_free(&portable);
        frame_release(&f);
    }
}

/* A box that changes between frames (edges 10, 11, then 9 A; 300 atoms of two species,
 * positions scaled with the box): the default range (rmax not given) starts at 5 A and
 * must drop to 4.5 A at the third frame, keeping the first frames' bins below 4.5 A, so
 * that it ends equal, bit for bit, to an accumulator given rmax = 4.5 A from the start
 * (checked against brute force frame by frame, each frame normalised with its own
 * volume). A given rmax of 4.8 A must be refused at the third frame, naming the cure. */
static void test_rdf_changing_box(void **state)
{
    (void)state;
    const double edges[3] = {10.0, 11.0, 9.0}, dr = 0.05;
    gmd_rng rng;
    gmd_rng_seed(&rng, 99);
    gmd_frame f;
    frame_alloc(&f, 300, edges[0]);
    double unit[3][300];
    for (size_t i = 0; i < f.n; i++) {
        f.type[i] = i % 3 == 0 ? 0 : 1;
        for (int k = 0; k < 3; k++)
            unit[k][i] = gmd_rng_uniform(&rng) * 3.0 - 1.0;
    }
    long count[2];
    counts_of(&f, 2, count);
    gmd_rdf_acc automatic, given, too_long;
    gmd_error err;
    assert_int_equal(gmd_rdf_acc_init(&automatic, 2, count, f.n, 0.0, dr, &f, 2, &err), GMD_OK);
    assert_int_equal(gmd_rdf_acc_init(&given, 2, count, f.n, 4.5, dr, &f, 2, &err), GMD_OK);
    assert_int_equal(gmd_rdf_acc_init(&too_long, 2, count, f.n, 4.8, dr, &f, 2, &err), GMD_OK);
    double cut[2][2] = {{0.0, 2.5}, {2.5, 0.0}};
    gmd_rdf_acc_set_cut(&automatic, 0, 1, 2.5);
    gmd_rdf_acc_set_cut(&given, 0, 1, 2.5);
    const int nb = 90; /* 4.5 A */
    uint64_t *ref = calloc((size_t)4 * nb, sizeof(uint64_t)), *one = calloc((size_t)4 * nb, 8);
    uint64_t rcut[2][2], cut_sum = 0;
    assert_true(ref && one);
    for (int t = 0; t < 3; t++) {
        for (int k = 0; k < 3; k++) {
            f.box.len[k] = edges[t];
            for (size_t i = 0; i < f.n; i++)
                f.r[k][i] = edges[t] * unit[k][i];
        }
        assert_int_equal(gmd_rdf_acc_add(&automatic, &f, &err), GMD_OK);
        assert_int_equal(automatic.nbins, t < 2 ? 100 : 90);
        assert_int_equal(gmd_rdf_acc_add(&given, &f, &err), GMD_OK);
        gmd_status st = gmd_rdf_acc_add(&too_long, &f, &err);
        if (t < 2)
            assert_int_equal(st, GMD_OK);
        else {
            assert_int_equal(st, GMD_ERR_VALUE);
            assert_non_null(strstr(err.message, "--rdf-rmax"));
            assert_non_null(strstr(err.message, "4.5 A"));
        }
        brute_rdf(&f, 2, nb, dr, cut, one, rcut);
        for (size_t m = 0; m < (size_t)4 * nb; m++)
            ref[m] += one[m];
        cut_sum += rcut[0][1];
    }
    assert_int_equal(automatic.nbins, nb);
    assert_true(automatic.rmax == given.rmax && automatic.shrunk_frames == 1);
    assert_memory_equal(automatic.hist, ref, sizeof(uint64_t) * 4 * nb);
    assert_memory_equal(automatic.hist, given.hist, sizeof(uint64_t) * 4 * nb);
    assert_memory_equal(automatic.gsum, given.gsum, sizeof(double) * 4 * nb);
    assert_true(automatic.ncut[0][1] == cut_sum && given.ncut[0][1] == cut_sum);
    assert_true(automatic.volume_min == 729.0 && automatic.volume_max == 1331.0);
    free(ref);
    free(one);
    gmd_rdf_acc_free(&automatic);
    gmd_rdf_acc_free(&given);
    gmd_rdf_acc_free(&too_long);
    frame_release(&f);
}

/* The AVX-512 pass estimates each pair's bin in single precision and leaves the pairs
 * within its error margin of a bin edge (estimate_margin in rdf.c) to the exact double
 * rule: on melt-sized frames (3000 atoms, 41 A box, 0.02 A bins, 4.5 M pairs each, where a
 * margin a hundred times too small misbins some pairs; the bound is loose, a tenth of it
 * still passes) its counts and cut-off counts must equal
 * the portable double loops' exactly. Passes trivially where the CPU lacks AVX-512. */
static void test_rdf_avx512_vs_portable(void **state)
{
    (void)state;
    const size_t n = 3000;
    gmd_frame f;
    frame_alloc(&f, n, 41.17);
    f.box.len[2] = 39.3;
    for (size_t i = 0; i < n; i++)
        f.type[i] = i < 500 ? 0 : 1;
    long count[2];
    counts_of(&f, 2, count);
    gmd_rng rng;
    gmd_rng_seed(&rng, 2026);
    gmd_rdf_acc acc[2];
    gmd_error err;
    for (int p = 0; p < 2; p++) {
        assert_int_equal(gmd_rdf_acc_init(&acc[p], 2, count, n, 0.0, 0.02, &f, 1, &err), GMD_OK);
        gmd_rdf_acc_set_cut(&acc[p], 0, 1, 2.7);
        gmd_rdf_acc_set_cut(&acc[p], 1, 1, 3.5);
    }
    print_message("AVX-512 binning: %s\n", acc[0].bin_avx512 ? "yes" : "no");
    acc[1].bin_avx512 = 0;
    for (int t = 0; t < 3; t++) {
        random_frame(&f, &rng);
        for (int p = 0; p < 2; p++)
            assert_int_equal(gmd_rdf_acc_add(&acc[p], &f, &err), GMD_OK);
    }
    assert_memory_equal(acc[0].hist, acc[1].hist, sizeof(uint64_t) * 4 * (size_t)acc[0].nbins);
    assert_memory_equal(acc[0].ncut, acc[1].ncut, sizeof acc[0].ncut);
    for (int p = 0; p < 2; p++)
        gmd_rdf_acc_free(&acc[p]);
    frame_release(&f);
}

/* Distances on the bin edges: a simple cubic lattice of spacing 5 dr (every distance
 * 5 dr sqrt(n), many of them exactly on an edge or an ulp away) jittered by a few ulps,
 * and a cut-off on an edge. The histogram's estimate-and-correct binning must give the
 * rule's bins (E_m = (m dr)^2 <= d^2 < E_(m+1)) and cut-off counts for every pair, with 1
 * and 2 threads, on the AVX-512 path (where the CPU has it) and the portable one. */
static void test_rdf_bin_edges(void **state)
{
    (void)state;
    const int side = 8;
    const double dr = 0.05, a = 5.0 * dr, len = side * a;
    gmd_rng rng;
    gmd_rng_seed(&rng, 77);
    gmd_frame f;
    frame_alloc(&f, (size_t)side * side * side, len);
    for (size_t i = 0; i < f.n; i++) {
        const size_t c[3] = {i % side, i / side % side, i / side / side};
        f.type[i] = (int)((c[0] + c[1] + c[2]) % 2);
        for (int k = 0; k < 3; k++)
            f.r[k][i] = c[k] * a * (1.0 + 4e-16 * (gmd_rng_uniform(&rng) - 0.5) * (i % 3));
    }
    long count[2];
    counts_of(&f, 2, count);
    double cut[2][2] = {{0.5, 0.75}, {0.75, 0.25 * 3.0}};
    for (int run = 0; run < 3; run++) { /* 1 and 2 threads; then 1 without AVX-512 */
        const int threads = run == 1 ? 2 : 1;
        gmd_rdf_acc acc;
        gmd_error err;
        assert_int_equal(gmd_rdf_acc_init(&acc, 2, count, f.n, 0.0, dr, &f, threads, &err), GMD_OK);
        if (run == 2) acc.bin_avx512 = 0;
        for (int x = 0; x < 2; x++)
            for (int y = 0; y < 2; y++)
                gmd_rdf_acc_set_cut(&acc, x, y, cut[x][y]);
        assert_int_equal(gmd_rdf_acc_add(&acc, &f, &err), GMD_OK);
        uint64_t *ref = calloc((size_t)4 * acc.nbins, sizeof(uint64_t)), rcut[2][2];
        assert_non_null(ref);
        brute_rdf(&f, 2, acc.nbins, dr, cut, ref, rcut);
        assert_memory_equal(acc.hist, ref, sizeof(uint64_t) * 4 * acc.nbins);
        for (int x = 0; x < 2; x++)
            for (int y = 0; y < 2; y++)
                assert_true(acc.ncut[x][y] == rcut[x][y]);
        free(ref);
        gmd_rdf_acc_free(&acc);
    }
    /* beyond GMD_RDF_MAX_BINS the estimate's bound fails: refused, naming the cure */
    gmd_rdf_acc big;
    gmd_error err;
    assert_int_equal(gmd_rdf_acc_init(&big, 2, count, f.n, 20.0, 1e-5, &f, 1, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "--rdf-dr"));
    frame_release(&f);
}

/* The direct S(k) with 1 and 3 threads is the same number for number; restricted to one
 * pair (the fsdp setting) it reproduces that pair's shells and leaves the others 0; and a
 * single vector checked against the plain double sum over atoms. */
static void test_direct_sq_threads_select(void **state)
{
    (void)state;
    const size_t n = 500;
    gmd_frame f;
    frame_alloc(&f, n, 14.0);
    f.box.len[1] = 17.0;
    for (size_t i = 0; i < n; i++)
        f.type[i] = (int)(i % 3);
    gmd_rng rng;
    gmd_rng_seed(&rng, 99);
    random_frame(&f, &rng);
    long count[3];
    counts_of(&f, 3, count);
    gmd_dsq_acc a1, a3, sel;
    gmd_error err;
    assert_int_equal(gmd_dsq_acc_init(&a1, 3, count, n, 3.0, 0.05, 1, &err), GMD_OK);
    assert_int_equal(gmd_dsq_acc_init(&a3, 3, count, n, 3.0, 0.05, 3, &err), GMD_OK);
    assert_int_equal(gmd_dsq_acc_init(&sel, 3, count, n, 3.0, 0.05, 2, &err), GMD_OK);
    gmd_dsq_acc_select(&sel, 2, 1);
    assert_int_equal(gmd_dsq_acc_add(&a1, &f, &err), GMD_OK);
    assert_int_equal(gmd_dsq_acc_add(&a3, &f, &err), GMD_OK);
    assert_int_equal(gmd_dsq_acc_add(&sel, &f, &err), GMD_OK);
    size_t len = (size_t)a1.npairs * a1.nshell;
    assert_memory_equal(a1.sal, a3.sal, len * sizeof(double));
    for (int p = 0; p < a1.npairs; p++) {
        int sel_pair = p == gmd_pair_index(3, 1, 1) || p == gmd_pair_index(3, 1, 2) ||
                       p == gmd_pair_index(3, 2, 2);
        for (int m = 0; m < a1.nshell; m++) {
            double v = sel.sal[(size_t)p * a1.nshell + m], ref = a1.sal[(size_t)p * a1.nshell + m];
            if (sel_pair)
                assert_true(fabs(v - ref) <= 1e-12 * (1.0 + fabs(ref)));
            else
                assert_true(v == 0.0);
        }
    }
    /* the lowest shell of the 17 A direction holds k = (0, 2 pi/17, 0) alone */
    double k0 = 2.0 * PI / 17.0, re[3] = {0}, im[3] = {0};
    for (size_t i = 0; i < n; i++) {
        re[f.type[i]] += cos(k0 * f.r[1][i]);
        im[f.type[i]] += sin(k0 * f.r[1][i]);
    }
    int m = (int)(k0 / 0.05);
    assert_int_equal(a1.nvec[m], 1);
    for (int a = 0; a < 3; a++)
        for (int b = a; b < 3; b++) {
            double ref = (re[a] * re[b] + im[a] * im[b]) / sqrt((double)count[a] * count[b]);
            double got = a1.sal[(size_t)gmd_pair_index(3, a, b) * a1.nshell + m];
            assert_true(fabs(got - ref) < 1e-10);
        }
    gmd_dsq_acc_free(&a1);
    gmd_dsq_acc_free(&a3);
    gmd_dsq_acc_free(&sel);
    frame_release(&f);
}

/* ------------------------------------------------------------------ Na2S antifluorite */

#define NA2S_A 6.54

/* 2 x 2 x 2 cells: S (type 0) on fcc, Na (type 1) on the tetrahedral sites, everything
 * shifted by an arbitrary offset and some atoms moved by whole boxes (unwrapped). */
static void na2s_crystal(gmd_frame *f, int cells)
{
    static const double fcc[4][3] = {{0, 0, 0}, {0, .5, .5}, {.5, 0, .5}, {.5, .5, 0}};
    const double a = NA2S_A, len = cells * a, offset[3] = {0.37, -1.21, 2.9};
    frame_alloc(f, (size_t)12 * cells * cells * cells, len);
    size_t i = 0;
    for (int cx = 0; cx < cells; cx++)
        for (int cy = 0; cy < cells; cy++)
            for (int cz = 0; cz < cells; cz++)
                for (int b = 0; b < 4; b++)
                    for (int site = 0; site < 3; site++) {
                        double shift = site == 0 ? 0.0 : (site == 1 ? 0.25 : 0.75);
                        int cell[3] = {cx, cy, cz};
                        for (int k = 0; k < 3; k++) {
                            double x = (cell[k] + fcc[b][k] + shift) * a + offset[k];
                            f->r[k][i] = x + (double)((int)(i % 3) - 1) * len;
                        }
                        f->type[i] = site == 0 ? 0 : 1;
                        i++;
                    }
}

static double shell_value(const gmd_dsq_acc *acc, const double *k, const double *sal, int nout,
                          int pair, double kwant)
{
    for (int j = 0; j < nout; j++)
        if (fabs(k[j] - kwant) < 1e-6) return sal[pair * acc->nshell + j];
    fail_msg("no k-shell at %g", kwant);
    return NAN;
}

static void test_na2s_rdf(void **state)
{
    (void)state;
    gmd_frame f;
    na2s_crystal(&f, 2);
    long count[2];
    counts_of(&f, 2, count);
    assert_int_equal(count[0], 32);
    assert_int_equal(count[1], 64);
    gmd_rdf_acc acc;
    gmd_error err;
    const double dr = 0.01;
    assert_int_equal(gmd_rdf_acc_init(&acc, 2, count, f.n, 0.0, dr, &f, 2, &err), GMD_OK);
    gmd_rdf_acc_set_cut(&acc, 1, 0, 3.5); /* Na-S */
    gmd_rdf_acc_set_cut(&acc, 0, 1, 3.5); /* S-Na */
    assert_int_equal(gmd_rdf_acc_add(&acc, &f, &err), GMD_OK);
    assert_true(fabs(gmd_rdf_acc_coordination(&acc, 1, 0) - 4.0) < 1e-12);
    assert_true(fabs(gmd_rdf_acc_coordination(&acc, 0, 1) - 8.0) < 1e-12);
    int nb = acc.nbins;
    double *g = calloc((size_t)nb, sizeof(double)), *r = calloc((size_t)nb, sizeof(double));
    double *nrun = calloc((size_t)nb, sizeof(double));
    for (int m = 0; m < nb; m++)
        r[m] = (m + 0.5) * dr;
    struct {
        int a, b;
        double d;
    } first[3] = {
        {1, 0, NA2S_A * sqrt(3.0) / 4.0}, {1, 1, NA2S_A / 2.0}, {0, 0, NA2S_A / sqrt(2.0)}};
    for (int c = 0; c < 3; c++) {
        gmd_rdf_acc_g(&acc, first[c].a, first[c].b, g);
        double peak = gmd_first_peak(r, g, nb, 15, 1.0);
        print_message("Na2S first peak %d-%d: %.4f A (exact %.4f)\n", first[c].a, first[c].b, peak,
                      first[c].d);
        assert_true(fabs(peak - first[c].d) <= 0.5 * dr + 1e-9);
    }
    gmd_rdf_acc_running(&acc, 0, 1, nrun);      /* S-Na */
    assert_true(fabs(nrun[299] - 8.0) < 1e-12); /* r = 3.00 */
    assert_true(fabs(nrun[250] - 0.0) < 1e-12); /* r = 2.51 */
    gmd_rdf_acc_running(&acc, 1, 1, nrun);      /* Na-Na: 6 at a/2 */
    assert_true(fabs(nrun[399] - 6.0) < 1e-12);
    free(g);
    free(r);
    free(nrun);
    gmd_rdf_acc_free(&acc);
    frame_release(&f);
}

static void test_na2s_direct_sq(void **state)
{
    (void)state;
    gmd_frame f;
    na2s_crystal(&f, 2);
    long count[2];
    counts_of(&f, 2, count);
    gmd_dsq_acc acc;
    gmd_error err;
    assert_int_equal(gmd_dsq_acc_init(&acc, 2, count, f.n, 4.0, 0.02, 2, &err), GMD_OK);
    assert_int_equal(gmd_dsq_acc_add(&acc, &f, &err), GMD_OK);
    double k[400], sal[3 * 400];
    int nout = gmd_dsq_acc_result(&acc, k, sal);
    const double u = 2.0 * PI / NA2S_A; /* crystal reciprocal unit */
    int ss = gmd_pair_index(2, 0, 0), nn = gmd_pair_index(2, 1, 1), ns = gmd_pair_index(2, 0, 1);
    double tol = 1e-9 * 64;
    /* 111: S-S allowed (fcc, all odd), Na-Na forbidden (sc of a/2 offset by a/4) */
    double k111 = u * sqrt(3.0), k200 = 2.0 * u, k220 = u * sqrt(8.0), k100 = u,
           k110 = u * sqrt(2.0);
    assert_true(fabs(shell_value(&acc, k, sal, nout, ss, k111) - 32.0) < tol);
    assert_true(fabs(shell_value(&acc, k, sal, nout, nn, k111)) < tol);
    assert_true(fabs(shell_value(&acc, k, sal, nout, ns, k111)) < tol);
    /* 200 and 220: both allowed; cross term -sqrt(N_Na N_S) at 200, + at 220 */
    assert_true(fabs(shell_value(&acc, k, sal, nout, ss, k200) - 32.0) < tol);
    assert_true(fabs(shell_value(&acc, k, sal, nout, nn, k200) - 64.0) < tol);
    assert_true(fabs(shell_value(&acc, k, sal, nout, ns, k200) + sqrt(2048.0)) < tol);
    assert_true(fabs(shell_value(&acc, k, sal, nout, nn, k220) - 64.0) < tol);
    assert_true(fabs(shell_value(&acc, k, sal, nout, ns, k220) - sqrt(2048.0)) < tol);
    /* 100, 110 forbidden for both */
    for (int p = 0; p < 3; p++) {
        assert_true(fabs(shell_value(&acc, k, sal, nout, p, k100)) < tol);
        assert_true(fabs(shell_value(&acc, k, sal, nout, p, k110)) < tol);
    }
    /* no other peak: every other shell is zero (the 2x2x2 supercell's extra vectors) */
    double kallowed[] = {k111, k200, k220, u * sqrt(11.0), u * sqrt(12.0), u * 4.0};
    for (int j = 0; j < nout; j++) {
        int allowed = 0;
        for (int q = 0; q < 6; q++)
            allowed |= fabs(k[j] - kallowed[q]) < 1e-6;
        if (!allowed)
            for (int p = 0; p < 3; p++)
                assert_true(fabs(sal[p * acc.nshell + j]) < tol);
    }
    /* FZ normalisation of a like pair: 1 + (S_AL - 1)/c */
    assert_true(fabs(gmd_fz_from_al(1.0, 1, 0.5, 0.5) - 1.0) < 1e-15);
    assert_true(fabs(gmd_fz_from_al(0.0, 0, 0.25, 0.25) - 1.0) < 1e-15);
    gmd_dsq_acc_free(&acc);
    frame_release(&f);
}

/* ------------------------------------------------------------------ gridded vs direct S(k) */

/* Largest relative difference of the gridded shells from the direct ones over every pair;
 * shells whose mean |S_AL| is below 1e-3 count against 1e-3 (an absolute 1e-9 at 1e-6).
 * The vectors (count, sum of |k|) must be the same. */
static double grid_vs_direct(const gmd_dsq_acc *ref, const gmd_dsq_acc *got)
{
    assert_int_equal(ref->nshell, got->nshell);
    assert_int_equal(ref->nframes, got->nframes);
    double worst = 0.0;
    for (int m = 0; m < ref->nshell; m++) {
        assert_int_equal(ref->nvec[m], got->nvec[m]);
        assert_true(ref->ksum[m] == got->ksum[m]);
        const double floor = 1e-3 * (double)ref->nvec[m];
        for (int p = 0; p < ref->npairs; p++) {
            double a = ref->sal[(size_t)p * ref->nshell + m],
                   b = got->sal[(size_t)p * got->nshell + m];
            worst = fmax(worst, fabs(b - a) / fmax(fabs(a), floor));
        }
    }
    return worst;
}

static void dsq_pair(gmd_dsq_acc acc[2], int ns, const long *count, size_t n, double kmax,
                     int threads)
{
    gmd_error err;
    for (int m = 0; m < 2; m++) {
        assert_int_equal(gmd_dsq_acc_init(&acc[m], ns, count, n, kmax, 0.02, threads, &err),
                         GMD_OK);
        gmd_dsq_acc_set_method(&acc[m], m ? GMD_SQ_GRID : GMD_SQ_DIRECT);
    }
}

/* A random gas of three species in a box with three different edges (different meshes and
 * mode counts per direction), unwrapped positions, three frames, kmax 5 A^-1: the gridded
 * S(k) agrees with the direct sum to 1e-6 (the bound of sq_grid.c is 1e-9), bit for bit
 * with 1 and 3 threads, and for a selected pair of species. */
static void test_grid_sq_random(void **state)
{
    (void)state;
    const size_t n = 900;
    gmd_frame f;
    frame_alloc(&f, n, 14.0);
    f.box.len[1] = 17.0;
    f.box.len[2] = 15.5;
    for (size_t i = 0; i < n; i++)
        f.type[i] = i % 6 == 0 ? 0 : (i % 6 < 3 ? 2 : 1);
    long count[3];
    counts_of(&f, 3, count);
    gmd_dsq_acc acc[2], one, sel[2];
    gmd_error err;
    dsq_pair(acc, 3, count, n, 5.0, 3);
    dsq_pair(sel, 3, count, n, 5.0, 2);
    for (int m = 0; m < 2; m++)
        gmd_dsq_acc_select(&sel[m], 0, 2);
    assert_int_equal(gmd_dsq_acc_init(&one, 3, count, n, 5.0, 0.02, 1, &err), GMD_OK);
    gmd_dsq_acc_set_method(&one, GMD_SQ_GRID);
    gmd_rng rng;
    gmd_rng_seed(&rng, 4242);
    for (int t = 0; t < 3; t++) {
        random_frame(&f, &rng);
        for (int m = 0; m < 2; m++) {
            assert_int_equal(gmd_dsq_acc_add(&acc[m], &f, &err), GMD_OK);
            assert_int_equal(gmd_dsq_acc_add(&sel[m], &f, &err), GMD_OK);
        }
        assert_int_equal(gmd_dsq_acc_add(&one, &f, &err), GMD_OK);
    }
    double rel = grid_vs_direct(&acc[0], &acc[1]), rel_sel = grid_vs_direct(&sel[0], &sel[1]);
    int mesh[2], order;
    double alias;
    gmd_sq_grid_params(acc[1].grid, mesh, &order, &alias);
    int degree;
    double fit;
    gmd_sq_grid_kernel_fit(acc[1].grid, &degree, &fit);
    print_message("gridded S(k), random gas: mesh %d x %d, kernel width %d, alias bound %.2e; max "
                  "relative difference from the direct sum %.2e (selected pair %.2e); weights "
                  "of degree %d, error %.1e of the kernel's peak\n",
                  mesh[0], mesh[1], order, alias, rel, rel_sel, degree, fit);
    assert_true(alias <= 1e-9);
    assert_true(fit <= 1e-14); /* the weights' polynomials: far below the alias bound */
    assert_true(rel <= 1e-6);
    assert_true(rel_sel <= 1e-6);
    assert_memory_equal(one.sal, acc[1].sal, (size_t)one.npairs * one.nshell * sizeof(double));
    for (int m = 0; m < 2; m++) {
        gmd_dsq_acc_free(&acc[m]);
        gmd_dsq_acc_free(&sel[m]);
    }
    gmd_dsq_acc_free(&one);
    frame_release(&f);
}

/* Meshes barely wider than the kernel (a small box and kmax: M_y < w + SQG_TILE - 1, so the
 * atoms whose stencils wrap round and those that do not both add to one tile of columns):
 * the gridded S(k) still agrees with the direct sum to 1e-6. */
static void test_grid_sq_small_mesh(void **state)
{
    (void)state;
    const size_t n = 8; /* few atoms: the transforms cost most, so the mesh is kept small */
    gmd_frame f;
    frame_alloc(&f, n, 9.0);
    f.box.len[1] = 10.0;
    for (size_t i = 0; i < n; i++)
        f.type[i] = (int)(i % 2);
    long count[2];
    counts_of(&f, 2, count);
    gmd_rng rng;
    gmd_rng_seed(&rng, 77);
    for (int c = 0; c < 2; c++) {
        const double kmax = c ? 3.0 : 1.5;
        gmd_dsq_acc acc[2];
        dsq_pair(acc, 2, count, n, kmax, 2);
        random_frame(&f, &rng);
        gmd_error err;
        for (int m = 0; m < 2; m++)
            assert_int_equal(gmd_dsq_acc_add(&acc[m], &f, &err), GMD_OK);
        int mesh[2], width;
        double alias, rel = grid_vs_direct(&acc[0], &acc[1]);
        gmd_sq_grid_params(acc[1].grid, mesh, &width, &alias);
        print_message("gridded S(k), small box, kmax %.1f: mesh %d x %d, kernel width %d; max "
                      "relative difference from the direct sum %.2e\n",
                      kmax, mesh[0], mesh[1], width, rel);
        assert_true(mesh[1] < width + 3); /* the case this test is for */
        assert_true(rel <= 1e-6);
        for (int m = 0; m < 2; m++)
            gmd_dsq_acc_free(&acc[m]);
    }
    frame_release(&f);
}

/* The exact Bragg peaks of test_na2s_direct_sq (2 x 2 x 2 cells) to 1e-6 relative, and
 * zero (within 1e-6) in every other shell. */
static void check_na2s_bragg(const gmd_dsq_acc *acc, const long *count)
{
    double k[400], sal[3 * 400];
    int nout = gmd_dsq_acc_result(acc, k, sal);
    const double u = 2.0 * PI / NA2S_A, nna = (double)count[1], nsu = (double)count[0];
    int ss = gmd_pair_index(2, 0, 0), nn = gmd_pair_index(2, 1, 1), ns = gmd_pair_index(2, 0, 1);
    struct {
        double k, s[3]; /* S-S, S-Na, Na-Na at a Bragg shell */
    } bragg[] = {{u * sqrt(3.0), {nsu, 0.0, 0.0}},
                 {2.0 * u, {nsu, -sqrt(nna * nsu), nna}},
                 {u * sqrt(8.0), {nsu, sqrt(nna * nsu), nna}}};
    for (int b = 0; b < 3; b++) {
        double got[3] = {shell_value(acc, k, sal, nout, ss, bragg[b].k),
                         shell_value(acc, k, sal, nout, ns, bragg[b].k),
                         shell_value(acc, k, sal, nout, nn, bragg[b].k)};
        for (int p = 0; p < 3; p++)
            assert_true(fabs(got[p] - bragg[b].s[p]) <= 1e-6 * fmax(fabs(bragg[b].s[p]), 1.0));
    }
    double kallowed[] = {u * sqrt(3.0),  2.0 * u,        u * sqrt(8.0),
                         u * sqrt(11.0), u * sqrt(12.0), u * 4.0};
    for (int j = 0; j < nout; j++) {
        int allowed = 0;
        for (int q = 0; q < 6; q++)
            allowed |= fabs(k[j] - kallowed[q]) < 1e-6;
        for (int p = 0; p < 3 && !allowed; p++)
            assert_true(fabs(sal[p * acc->nshell + j]) <= 1e-6);
    }
}

/* The Na2S crystal (2 x 2 x 2 and 3 x 3 x 3 cells, kmax 4): the gridded S(k) agrees with
 * the direct sum shell by shell to 1e-6, and has the exact Bragg peaks. */
static void test_grid_sq_crystal(void **state)
{
    (void)state;
    for (int cells = 2; cells <= 3; cells++) {
        gmd_frame f;
        na2s_crystal(&f, cells);
        long count[2];
        counts_of(&f, 2, count);
        gmd_dsq_acc acc[2];
        gmd_error err;
        dsq_pair(acc, 2, count, f.n, 4.0, 2);
        for (int m = 0; m < 2; m++)
            assert_int_equal(gmd_dsq_acc_add(&acc[m], &f, &err), GMD_OK);
        double rel = grid_vs_direct(&acc[0], &acc[1]), alias;
        int mesh[2], width;
        gmd_sq_grid_params(acc[1].grid, mesh, &width, &alias);
        int degree;
        double fit;
        gmd_sq_grid_kernel_fit(acc[1].grid, &degree, &fit);
        print_message("gridded S(k), Na2S crystal %d^3 cells: mesh %d x %d, kernel width %d; max "
                      "relative difference from the direct sum %.2e; weights of degree %d, "
                      "error %.1e\n",
                      cells, mesh[0], mesh[1], width, rel, degree, fit);
        assert_true(rel <= 1e-6);
        assert_true(fit <= 1e-14);
        if (cells == 2) check_na2s_bragg(&acc[1], count);
        for (int m = 0; m < 2; m++)
            gmd_dsq_acc_free(&acc[m]);
        frame_release(&f);
    }
}

/* ------------------------------------------------------------------ tetrahedral network */

/* Species: Si 0, S 1, Na 2. The cluster (a = 2.13/sqrt 3; tetrahedron vertices at +-a):
 * Si1 (0,0,0), Si2 (2a,0,0), Si3 (4a,0,0) in a chain of edge-sharing tetrahedra, Si4
 * (6a,2a,2a) corner-linked to Si3 through S (5a,a,a); a homopolar S-S pair (2.05 A) and a
 * lone S far away; 3 Na. By hand: S 14 = 5 bridging + 6 non-bridging + 3 free; Q1..Q4 one
 * Si each (Si4, Si1, Si3, Si2); 2 edge pairs (1-2, 2-3), 1 corner pair (3-4); 3 of 4 Si in
 * edge-sharing units; 1 homopolar bond. */
static void network_cluster(gmd_frame *f, double len)
{
    const double a = 2.13 / sqrt(3.0);
    static const double at[][4] = {
        /* type, x, y, z in units of a (Si, S) */
        {0, 0, 0, 0},  {0, 2, 0, 0},   {0, 4, 0, 0},   {0, 6, 2, 2},   /* Si1..Si4 */
        {1, 1, 1, 1},  {1, 1, -1, -1}, {1, -1, 1, -1}, {1, -1, -1, 1}, /* Si1 */
        {1, 3, 1, -1}, {1, 3, -1, 1},                                  /* Si2-Si3 edge */
        {1, 5, 1, 1},  {1, 5, -1, -1},                                 /* Si3 */
        {1, 5, 3, 3},  {1, 7, 1, 3},   {1, 7, 3, 1},                   /* Si4 */
    };
    const size_t ncl = sizeof at / sizeof at[0];
    frame_alloc(f, ncl + 3 + 3, len);
    const double origin[3] = {len - 3.0, 0.5, len - 1.0}; /* cluster crosses the boundary */
    size_t i = 0;
    for (; i < ncl; i++) {
        f->type[i] = (int)at[i][0];
        for (int k = 0; k < 3; k++)
            f->r[k][i] = origin[k] + a * at[i][k + 1] + (i % 2 ? len : 0.0);
    }
    const double extra[6][4] = {{1, 0, 10, 0}, {1, 2.05, 10, 0}, {1, 0, -10, 0},
                                {2, 0, 0, 10}, {2, 3, 0, 10},    {2, 0, 3, 10}};
    for (int e = 0; e < 6; e++, i++) {
        f->type[i] = (int)extra[e][0];
        for (int k = 0; k < 3; k++)
            f->r[k][i] = origin[k] + extra[e][k + 1] - (e % 2 ? 2.0 * len : 0.0);
    }
}

static void test_network_counts(void **state)
{
    (void)state;
    gmd_frame f;
    network_cluster(&f, 30.0);
    gmd_network_stats s;
    gmd_error err;
    assert_int_equal(gmd_network_frame(&f, 0, 1, 2.7, 2.4, 2, &s, &err), GMD_OK);
    assert_int_equal(s.former, 4);
    assert_int_equal(s.bridge_atoms, 14);
    assert_int_equal(s.bridging, 5);
    assert_int_equal(s.nonbridging, 6);
    assert_int_equal(s.free, 3);
    assert_int_equal(s.qn[0], 0);
    for (int n = 1; n <= 4; n++)
        assert_int_equal(s.qn[n], 1);
    assert_int_equal(s.corner_pairs, 1);
    assert_int_equal(s.edge_pairs, 2);
    assert_int_equal(s.formers_in_edge, 3);
    assert_int_equal(s.homopolar, 1);
    frame_release(&f);
}

static void test_network_analysis_json(void **state)
{
    (void)state;
    gmd_frame f;
    network_cluster(&f, 30.0);
    gmd_species_table sp;
    species2(&sp, "Si", "S", "Na");
    gmd_analysis_system sys = {.species = &sp, .natoms = f.n};
    counts_of(&f, 3, sys.count);
    gmd_analysis_settings set;
    test_settings(&set, make_tmpdir());
    gmd_analysis *an = NULL;
    gmd_error err;
    assert_int_equal(gmd_network_create(&an, &set, &sys, &f, &err), GMD_OK);
    for (int t = 0; t < 3; t++)
        assert_int_equal(an->add_frame(an, &f, &err), GMD_OK);
    cJSON *res = cJSON_CreateObject();
    assert_int_equal(an->finish(an, res, &err), GMD_OK);
    cJSON *p = cJSON_GetObjectItem(cJSON_GetObjectItem(res, "qn"), "p");
    assert_int_equal(cJSON_GetArraySize(p), 5);
    assert_true(fabs(cJSON_GetArrayItem(p, 0)->valuedouble) < 1e-12);
    for (int n = 1; n <= 4; n++)
        assert_true(fabs(cJSON_GetArrayItem(p, n)->valuedouble - 0.25) < 1e-12);
    double mean_n = cJSON_GetObjectItem(cJSON_GetObjectItem(res, "qn"), "mean_n")->valuedouble;
    assert_true(fabs(mean_n - 2.5) < 1e-12);
    cJSON *sul = cJSON_GetObjectItem(res, "sulfur");
    assert_true(fabs(cJSON_GetObjectItem(sul, "bridging")->valuedouble - 5.0 / 14.0) < 1e-12);
    assert_true(fabs(cJSON_GetObjectItem(sul, "free")->valuedouble - 3.0 / 14.0) < 1e-12);
    cJSON *sh = cJSON_GetObjectItem(res, "sharing");
    assert_true(fabs(cJSON_GetObjectItem(sh, "edge_pairs")->valuedouble - 2.0) < 1e-12);
    assert_true(fabs(cJSON_GetObjectItem(sh, "si_in_edge_fraction")->valuedouble - 0.75) < 1e-12);
    assert_true(fabs(cJSON_GetObjectItem(res, "homopolar_bonds")->valuedouble - 1.0) < 1e-12);
    char path[512];
    snprintf(path, sizeof path, "%s/network.csv", set.out_dir);
    assert_int_equal(access(path, R_OK), 0);
    cJSON_Delete(res);
    gmd_analysis_free(an);
    frame_release(&f);
}

/* Every number of a JSON tree b equals a's within tol (relative), key by key. */
static void json_close(const cJSON *a, const cJSON *b, double tol, const char *where)
{
    if (cJSON_IsNumber(a)) {
        assert_true(cJSON_IsNumber(b));
        const double x = a->valuedouble, y = b->valuedouble;
        if (!(fabs(x - y) <= tol * fmax(fabs(x), fabs(y))))
            fail_msg("%s: %.17g against %.17g", where, x, y);
        return;
    }
    for (const cJSON *c = a->child, *d = b->child; c; c = c->next, d = d ? d->next : NULL) {
        assert_non_null(d);
        json_close(c, d, tol, c->string ? c->string : where);
    }
}

/* network and angles on one shared table of bonds (as the driver runs them: the table fed
 * first, each analysis asking for its own cut-offs) give every number of each on its own
 * (its own table, its cut-offs only): three frames of a random 3-species gas at the melt's
 * density; the counts to the bit, the mean angles to 1e-13 (their bonds met in another
 * order where the tables' cells differ). (At five times that density an anion can have
 * more formers than the links keep, MAX_FORMERS_PER_ANION, and which are kept then
 * depends on that order.) */
static void test_shared_bond_table(void **state)
{
    (void)state;
    gmd_species_table sp;
    species2(&sp, "Si", "S", "Na");
    gmd_frame f;
    frame_alloc(&f, 1200, 30.0); /* 0.044 atoms/A^3, the melt's density */
    for (size_t i = 0; i < f.n; i++)
        f.type[i] = i % 4 == 0 ? 0 : (i % 4 == 3 ? 2 : 1);
    gmd_analysis_system alone = {.species = &sp, .natoms = f.n}, shared = alone;
    counts_of(&f, 3, alone.count);
    counts_of(&f, 3, shared.count);
    gmd_analysis_settings set;
    test_settings(&set, make_tmpdir());
    set.nangle_triplets = 3;
    snprintf(set.angle_triplets[2], sizeof set.angle_triplets[2], "Na-S-Na");
    gmd_error err;
    assert_int_equal(gmd_bond_table_create(&shared.bonds, &err), GMD_OK);
    gmd_analysis *net[2] = {NULL, NULL}, *ang[2] = {NULL, NULL};
    for (int m = 0; m < 2; m++) {
        const gmd_analysis_system *sys = m ? &shared : &alone;
        assert_int_equal(gmd_network_create(&net[m], &set, sys, &f, &err), GMD_OK);
        assert_int_equal(gmd_angles_create(&ang[m], &set, sys, &f, &err), GMD_OK);
    }
    gmd_rng rng;
    gmd_rng_seed(&rng, 79);
    for (int t = 0; t < 3; t++) {
        random_frame(&f, &rng);
        assert_int_equal(gmd_bond_table_add(shared.bonds, &f, &err), GMD_OK);
        for (int m = 0; m < 2; m++) {
            assert_int_equal(net[m]->add_frame(net[m], &f, &err), GMD_OK);
            assert_int_equal(ang[m]->add_frame(ang[m], &f, &err), GMD_OK);
        }
    }
    cJSON *res[2];
    for (int m = 0; m < 2; m++) {
        res[m] = cJSON_CreateObject();
        assert_int_equal(net[m]->finish(net[m], res[m], &err), GMD_OK);
        assert_int_equal(ang[m]->finish(ang[m], res[m], &err), GMD_OK);
    }
    print_message("shared bond table: %zu bonds in the last frame; homopolar bonds %g\n",
                  shared.bonds->nbonds,
                  cJSON_GetObjectItem(res[1], "homopolar_bonds")->valuedouble);
    assert_true(shared.bonds->nbonds > f.n / 4); /* bonds were compared */
    json_close(res[0], res[1], 1e-13, "results");
    for (int m = 0; m < 2; m++) {
        cJSON_Delete(res[m]);
        gmd_analysis_free(net[m]);
        gmd_analysis_free(ang[m]);
    }
    gmd_bond_table_free(shared.bonds);
    frame_release(&f);
}

static void test_angles_tetrahedra(void **state)
{
    (void)state;
    gmd_frame f;
    network_cluster(&f, 30.0);
    gmd_species_table sp;
    species2(&sp, "Si", "S", "Na");
    gmd_analysis_system sys = {.species = &sp, .natoms = f.n};
    counts_of(&f, 3, sys.count);
    gmd_analysis_settings set;
    test_settings(&set, make_tmpdir());
    gmd_analysis *an = NULL;
    gmd_error err;
    assert_int_equal(gmd_angles_create(&an, &set, &sys, &f, &err), GMD_OK);
    assert_int_equal(an->add_frame(an, &f, &err), GMD_OK);
    cJSON *res = cJSON_CreateObject();
    assert_int_equal(an->finish(an, res, &err), GMD_OK);
    double tetra = acos(-1.0 / 3.0) * 180.0 / PI, edge = acos(1.0 / 3.0) * 180.0 / PI;
    cJSON *mean = cJSON_GetObjectItem(res, "angles_mean_deg");
    cJSON *peak = cJSON_GetObjectItem(res, "angles_peak_deg");
    double m_ssis = cJSON_GetObjectItem(mean, "S-Si-S")->valuedouble;
    double p_ssis = cJSON_GetObjectItem(peak, "S-Si-S")->valuedouble;
    double m_sissi = cJSON_GetObjectItem(mean, "Si-S-Si")->valuedouble;
    print_message("S-Si-S mean %.6f peak %.3f (exact %.6f); Si-S-Si mean %.6f\n", m_ssis, p_ssis,
                  tetra, m_sissi);
    assert_true(fabs(m_ssis - tetra) < 1e-9);
    assert_true(fabs(p_ssis - tetra) < 0.5);
    assert_true(fabs(m_sissi - (4.0 * edge + 180.0) / 5.0) < 1e-6);
    /* the histograms themselves: 24 S-Si-S angles all in bin 109 */
    gmd_angle_acc acc[2] = {{.a = 1, .b = 0, .c = 1, .cut_ab = 2.7, .cut_cb = 2.7},
                            {.a = 0, .b = 1, .c = 0, .cut_ab = 2.7, .cut_cb = 2.7}};
    assert_int_equal(gmd_angle_acc_add(acc, 2, &f, 2, NULL, &err), GMD_OK);
    assert_int_equal(acc[0].total, 24);
    assert_true(acc[0].hist[109] == 24.0);
    assert_int_equal(acc[1].total, 5);
    assert_true(acc[1].hist[70] == 4.0 && acc[1].hist[179] == 1.0);
    cJSON_Delete(res);
    gmd_analysis_free(an);
    frame_release(&f);
}

/* ------------------------------------------------------------------ S(k), R_X, FSDP */

static void test_hard_sphere_transform(void **state)
{
    (void)state;
    const double sigma = 2.5, dr = 0.001, rho = 0.05;
    const int nbins = 8000;
    double *g = calloc(nbins, sizeof(double));
    for (int m = 0; m < nbins; m++)
        g[m] = (m + 0.5) * dr < sigma ? 0.0 : 1.0;
    double k[40], s[40], worst = 0.0;
    for (int j = 0; j < 40; j++)
        k[j] = 0.5 * (j + 1);
    gmd_sq_from_gr(g, nbins, dr, rho, 0, k, 40, s);
    for (int j = 0; j < 40; j++) {
        double ks = k[j] * sigma;
        double exact = 1.0 - 4.0 * PI * rho * (sin(ks) - ks * cos(ks)) / pow(k[j], 3);
        worst = fmax(worst, fabs(s[j] - exact));
    }
    print_message("hard-sphere step: max |S - exact| = %.2e\n", worst);
    assert_true(worst < 1e-5);
    free(g);
}

/* gmd_sq_from_gr_many (sines by rotation from bin to bin, eight k at once, any count of
 * k) against the plain sum of the header's formula, one sine per bin, for three random
 * g(r) on 1500 bins, with and without the Lorch window, at 37 k values (not a multiple
 * of the lanes) from 0.05 to 40 1/A: the same S to 1e-11 of the largest |S - 1|. */
static void test_transform_against_plain_sum(void **state)
{
    (void)state;
    enum { NB = 1500, NK = 37, NG = 3 };
    const double dr = 0.01, rho = 0.07, rmax = NB * dr;
    static double g[NG][NB], s[NG][NK];
    double k[NK];
    const double *gp[NG];
    double *sp[NG];
    unsigned seed = 12345;
    for (int p = 0; p < NG; p++) {
        for (int m = 0; m < NB; m++) {
            seed = seed * 1103515245u + 12345u;
            g[p][m] = (m < 150 ? 0.0 : 1.0) + 0.5 * ((seed >> 8) / 16777216.0 - 0.5);
        }
        gp[p] = g[p];
        sp[p] = s[p];
    }
    for (int j = 0; j < NK; j++)
        k[j] = 0.05 + 40.0 * j / (NK - 1);
    for (int lorch = 0; lorch < 2; lorch++) {
        gmd_sq_from_gr_many(gp, NG, NB, dr, rho, lorch, k, NK, sp);
        double worst = 0.0, scale = 0.0;
        for (int p = 0; p < NG; p++)
            for (int j = 0; j < NK; j++) {
                double sum = 0.0;
                for (int m = 0; m < NB; m++) {
                    const double r = (m + 0.5) * dr, kr = k[j] * r, x = PI * r / rmax;
                    sum += r * r * (g[p][m] - 1.0) * sin(kr) / kr * (lorch ? sin(x) / x : 1.0);
                }
                const double plain = 1.0 + 4.0 * PI * rho * sum * dr;
                worst = fmax(worst, fabs(s[p][j] - plain));
                scale = fmax(scale, fabs(plain - 1.0));
            }
        print_message("transform (lorch %d) vs plain sum: max |dS| = %.2e of max |S - 1| %.2e\n",
                      lorch, worst, scale);
        assert_true(worst < 1e-11 * scale);
    }
}

static void test_form_factors(void **state)
{
    (void)state;
    int ne;
    const gmd_element *tab = gmd_element_table(&ne);
    for (int e = 0; e < ne; e++) {
        double f0 = gmd_xray_form_factor(&tab[e], 0.0);
        assert_true(fabs(f0 - tab[e].z) < 0.1);
        /* decreasing with k up to 25 A^-1 */
        double prev = f0;
        for (double k = 0.5; k <= 25.0; k += 0.5) {
            double fk = gmd_xray_form_factor(&tab[e], k);
            assert_true(fk < prev + 1e-9);
            prev = fk;
        }
    }
    assert_string_equal(gmd_element_lookup("Si")->symbol, "Si");
    assert_string_equal(gmd_element_lookup("S")->symbol, "S");
    assert_string_equal(gmd_element_lookup("S2")->symbol, "S");
    assert_string_equal(gmd_element_lookup("Na1")->symbol, "Na");
    assert_null(gmd_element_lookup("Xx"));
    assert_null(gmd_element_lookup("si"));
    assert_true(fabs(gmd_element_lookup("Na")->b_coh_fm - 3.63) < 1e-12);
    assert_true(fabs(gmd_element_lookup("Si")->b_coh_fm - 4.1491) < 1e-12);
    assert_true(fabs(gmd_element_lookup("S")->b_coh_fm - 2.847) < 1e-12);
}

static void test_wright_rx(void **state)
{
    (void)state;
    double kc[400], sc[400], ke[400], se[400];
    for (int j = 0; j < 400; j++) {
        kc[j] = 0.05 * (j + 1);
        sc[j] = 1.0 + 0.6 * sin(2.0 * kc[j]) * exp(-kc[j] / 4.0);
    }
    double rx;
    size_t used;
    gmd_error err;
    assert_int_equal(gmd_wright_rx(kc, sc, 400, kc, sc, 400, 0.6, 12.0, &rx, &used, &err), GMD_OK);
    assert_true(rx < 1e-15);
    assert_int_equal(used, 229); /* k = 0.60 .. 12.00 in steps of 0.05 */
    for (int j = 0; j < 400; j++)
        se[j] = 1.1 * sc[j];
    assert_int_equal(gmd_wright_rx(kc, se, 400, kc, sc, 400, 0.6, 12.0, &rx, &used, &err), GMD_OK);
    assert_true(fabs(rx - 0.1 / 1.1) < 1e-12);
    /* interpolation: a straight line sampled off-grid is reproduced exactly */
    for (int j = 0; j < 400; j++) {
        sc[j] = 2.0 - 0.05 * kc[j];
        ke[j] = kc[j] + 0.013;
        se[j] = 2.0 - 0.05 * ke[j];
    }
    assert_int_equal(gmd_wright_rx(ke, se, 400, kc, sc, 400, 0.6, 12.0, &rx, &used, &err), GMD_OK);
    assert_true(rx < 1e-13);
    /* the file reader and its error message */
    char path[512];
    snprintf(path, sizeof path, "%s/exp.dat", make_tmpdir());
    FILE *fp = fopen(path, "w");
    fprintf(fp, "# k S\n1.0 1.5\n2.0 oops\n");
    fclose(fp);
    double *x, *y;
    size_t n;
    assert_int_equal(gmd_read_xy(path, &x, &y, &n, &err), GMD_ERR_PARSE);
    assert_non_null(strstr(err.message, "exp.dat:3:"));
    fp = fopen(path, "w");
    fprintf(fp, "# k S\n1.0 1.5  # first\n\n2.0 0.5\n");
    fclose(fp);
    assert_int_equal(gmd_read_xy(path, &x, &y, &n, &err), GMD_OK);
    assert_int_equal(n, 2);
    assert_true(x[1] == 2.0 && y[1] == 0.5);
    free(x);
    free(y);
}

static void test_fsdp_find(void **state)
{
    (void)state;
    double k[200], s[200];
    for (int j = 0; j < 200; j++) {
        k[j] = 0.02 * j;
        s[j] = 0.3 + 0.2 * k[j] + 0.8 * exp(-pow(k[j] - 1.107, 2) / (2 * 0.08 * 0.08));
    }
    double kp, amp;
    assert_int_equal(gmd_fsdp_find(k, s, 200, 0.5, 2.0, &kp, &amp), 1);
    print_message("FSDP of a Gaussian at 1.107, height 0.8: k = %.4f, intensity = %.4f\n", kp, amp);
    assert_true(fabs(kp - 1.107) < 0.003);
    assert_true(fabs(amp - 0.8) < 0.01);
    /* a monotonic curve has no peak */
    for (int j = 0; j < 200; j++)
        s[j] = 1.0 - exp(-k[j]);
    assert_int_equal(gmd_fsdp_find(k, s, 200, 0.5, 2.0, &kp, &amp), 0);
}

/* The rdf and sq units end to end on the crystal: JSON keys and CSV files. */
static void test_rdf_sq_units(void **state)
{
    (void)state;
    gmd_frame f;
    na2s_crystal(&f, 2);
    gmd_species_table sp;
    species2(&sp, "S", "Na", NULL);
    gmd_analysis_system sys = {.species = &sp, .natoms = f.n};
    counts_of(&f, 2, sys.count);
    gmd_analysis_settings set;
    test_settings(&set, make_tmpdir());
    set.rdf_dr_A = 0.02;
    gmd_error err;
    gmd_analysis *rdf = NULL, *sq = NULL, *fsdp = NULL;
    assert_int_equal(gmd_rdf_create(&rdf, &set, &sys, &f, &err), GMD_OK);
    assert_int_equal(gmd_sq_create(&sq, &set, &sys, &f, &err), GMD_OK);
    assert_int_equal(gmd_fsdp_create(&fsdp, &set, &sys, &f, &err), GMD_OK);
    assert_int_equal(rdf->add_frame(rdf, &f, &err), GMD_OK);
    assert_int_equal(sq->add_frame(sq, &f, &err), GMD_OK);
    assert_int_equal(fsdp->add_frame(fsdp, &f, &err), GMD_OK);
    cJSON *res = cJSON_CreateObject();
    assert_int_equal(rdf->finish(rdf, res, &err), GMD_OK);
    /* write the computed S_X as "experiment", then R_X must be 0 */
    char exp_path[512];
    snprintf(exp_path, sizeof exp_path, "%s/sq.csv", set.out_dir);
    set.exp_sq_path = exp_path; /* the sq unit keeps its own copy: recreate it below */
    assert_int_equal(sq->finish(sq, res, &err), GMD_OK);
    assert_int_equal(fsdp->finish(fsdp, res, &err), GMD_OK);
    cJSON *coord = cJSON_GetObjectItem(res, "coordination");
    assert_true(fabs(cJSON_GetObjectItem(cJSON_GetObjectItem(coord, "Na-S"), "mean")->valuedouble -
                     4.0) < 1e-12);
    assert_true(fabs(cJSON_GetObjectItem(cJSON_GetObjectItem(coord, "S-Na"), "mean")->valuedouble -
                     8.0) < 1e-12);
    cJSON *peaks = cJSON_GetObjectItem(res, "rdf_first_peak_A");
    assert_true(fabs(cJSON_GetObjectItem(peaks, "S-Na")->valuedouble - NA2S_A * sqrt(3) / 4) <
                0.011);
    assert_non_null(cJSON_GetObjectItem(res, "fsdp"));
    assert_non_null(
        strstr(cJSON_GetObjectItem(cJSON_GetObjectItem(res, "sq"), "form_factors")->valuestring,
               "Waasmaier"));
    /* sq.csv holds k in column 1 and S_X in the last column: extract as 'k S' */
    char xs_path[512];
    snprintf(xs_path, sizeof xs_path, "%s/sx.dat", set.out_dir);
    FILE *in = fopen(exp_path, "r"), *out = fopen(xs_path, "w");
    assert_non_null(in);
    char line[4096];
    int rows = 0;
    while (fgets(line, sizeof line, in)) {
        if (line[0] == '#' || !strchr("0123456789.-", line[0])) continue;
        double v[8];
        int nv = sscanf(line, "%lf,%lf,%lf,%lf,%lf,%lf", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]);
        assert_int_equal(nv, 6); /* k, S_SS, S_SNa, S_NaNa, S_N, S_X */
        fprintf(out, "%.17g %.17g\n", v[0], 1.05 * v[5]);
        rows++;
    }
    fclose(in);
    fclose(out);
    assert_int_equal(rows, 1000);
    gmd_analysis_free(sq);
    set.exp_sq_path = xs_path;
    assert_int_equal(gmd_sq_create(&sq, &set, &sys, &f, &err), GMD_OK);
    assert_int_equal(sq->add_frame(sq, &f, &err), GMD_OK);
    cJSON *res2 = cJSON_CreateObject();
    assert_int_equal(sq->finish(sq, res2, &err), GMD_OK);
    double rx = cJSON_GetObjectItem(res2, "r_x")->valuedouble;
    print_message("R_X of the computed S_X scaled by 1.05: %.8f (exact %.8f; CSV rounding)\n", rx,
                  0.05 / 1.05);
    assert_true(fabs(rx - 0.05 / 1.05) < 1e-7);
    cJSON_Delete(res);
    cJSON_Delete(res2);
    gmd_analysis_free(rdf);
    gmd_analysis_free(sq);
    gmd_analysis_free(fsdp);
    frame_release(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form_factors),
        cmocka_unit_test(test_hard_sphere_transform),
        cmocka_unit_test(test_transform_against_plain_sum),
        cmocka_unit_test(test_frame_bonds_vs_search),
        cmocka_unit_test(test_shared_bond_table),
        cmocka_unit_test(test_wright_rx),
        cmocka_unit_test(test_fsdp_find),
        cmocka_unit_test(test_ideal_gas_rdf),
        cmocka_unit_test(test_ideal_gas_direct_sq),
        cmocka_unit_test(test_na2s_rdf),
        cmocka_unit_test(test_na2s_direct_sq),
        cmocka_unit_test(test_network_counts),
        cmocka_unit_test(test_network_analysis_json),
        cmocka_unit_test(test_angles_tetrahedra),
        cmocka_unit_test(test_rdf_sq_units),
        cmocka_unit_test(test_rdf_cells_vs_brute),
        cmocka_unit_test(test_grid_neighbors_vs_brute),
        cmocka_unit_test(test_rdf_changing_box),
        cmocka_unit_test(test_rdf_bin_edges),
        cmocka_unit_test(test_rdf_avx512_vs_portable),
        cmocka_unit_test(test_direct_sq_threads_select),
        cmocka_unit_test(test_grid_sq_random),
        cmocka_unit_test(test_grid_sq_crystal),
        cmocka_unit_test(test_grid_sq_small_mesh),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
