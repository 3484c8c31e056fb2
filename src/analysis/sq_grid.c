/* sq_grid.c - rho_a(k) = sum_{i in a} exp(i k.r_i) on the reciprocal lattice of the box,
 * k = 2 pi (n1/Lx, n2/Ly, n3/Lz), |n_d| <= nmax_d = floor(kmax L_d / 2 pi), by a gridded
 * transform (a type-1 non-uniform FFT), for the reciprocal-lattice S(k) of sq.c; the direct
 * sum there is the reference it is tested against (tests/unit/test_structure.c).
 *
 * Algorithm, per species and frame (gridded in x and y, exact in z):
 *   1. spreading: each atom adds to the P x P mesh columns (ix, iy) around it the order-P
 *      cardinal B-spline weights W(u_x - ix) W(u_y - iy) (u = r M / L in mesh units, the
 *      stencil centred on u, as PPPM's charge assignment, src/forcefield/pppm.c) times its
 *      exact phases exp(-i n3 2 pi z / Lz), n3 = 0 .. nmax_z (one sine and cosine, then the
 *      recurrence, as the direct sum's tables): Q[ix][iy][n3];
 *   2. FFT of Q along y, then along x for the rows |n2| <= nmax_y only (pruned);
 *   3. deconvolution: by Poisson summation the transform at (n1, n2) is
 *      sum_j W^(2 pi (n + j M) / M) exp(-2 pi i (n + j M) u / M) per direction, summed over
 *      the atoms, with W^(t) = (sin(t/2) / (t/2))^P; the term j = 0 is W^(2 pi n / M)
 *      exp(-i k r), so rho_a = conj(transform) / (W^(2 pi n1 / Mx) W^(2 pi n2 / My)).
 * Why z is exact: a mesh in z costs an FFT of every (x, y) mesh line, ~40 flops per mesh
 * point, and the mesh has ~15 points per atom of a species at the oversampling B-splines
 * need; the exact phases cost P^2 (nmax_z + 1) complex multiply-adds per atom, contiguous
 * and vectorised, and leave no aliasing in z. (Gridded in all three directions this file
 * was 1.6 times slower on the 3000-atom melt.)
 * Error: what remains of the other terms (aliases) relative to the kept one is, per
 * direction, A_d(n) = sum_{j != 0} (|n| / |n + j M|)^P, largest at |n| = nmax:
 * about (nmax / (M - nmax))^P; in x and y the weights multiply: A = (1 + A_x)(1 + A_y) - 1.
 * Each alias carries rho_a at a wave vector beyond kmax, where the structure is featureless
 * and |rho_a| ~ sqrt(N_a) like rho_a(k) itself, so A bounds the relative error of rho_a(k)
 * and ~2A that of S_ab(k) (in a perfect crystal an alias can be a Bragg peak, |rho| = N_a:
 * still A relative at a Bragg vector, an absolute A^2 N_a in S elsewhere). Mesh and order
 * are chosen so that A <= SQG_ALIAS_BOUND = 1e-9, a thousand times below the 1e-6 the
 * shells of S(k) must agree to; the FFT's round-off (~1e-15 relative) is amplified by at
 * most 1 / W^ ~ 1e2 at the edge of the modes. Measured against the direct sum, shell by
 * shell: 9e-10 relative at worst on a random gas, 6e-11 on the Na2S crystal (tests), 2e-10
 * on the 3000-atom melt (the CSV's 10 digits).
 * Choice of order and mesh: B-splines suppress aliases only as a power of nmax / (M -
 * nmax), a trade between oversampling (FFT cost ~ M^2 log M (nmax_z + 1) per species) and
 * order (spreading cost ~ N P^2 (nmax_z + 1)). For each order P in SQG_MIN_ORDER ..
 * SQG_MAX_ORDER the smallest FFT-friendly even mesh (factors 2, 3, 5, 7) meeting the bound
 * in x and in y is taken, and the (P, M) of least estimated cost kept (the cost model's
 * two constants are measured ns per operation, SQG_COST_*). For 3000 atoms in a 41 A box
 * up to 4 A^-1 (nmax 26): P = 16, a 126 x 126 mesh (oversampling 2.4), about 12 ms per
 * frame for three species on one core against about 45 ms for the direct sum.
 *
 * Data layout: Q[ix][iy][n3] complex, n3 fastest, a column padded to `row` (a multiple of 4
 * complex numbers, 64 bytes) so that every column starts aligned and the spreading's
 * row update has a fixed length; x-planes plane_stride = My row apart. The transforms run
 * in place in Q (FFTW plans over the nmax_z + 1 columns at once). rho[a][((n1 + nmax_x)
 * (2 nmax_y + 1) + n2 + nmax_y)(nmax_z + 1) + n3] (complex: 2 doubles); n3 < 0 is the
 * conjugate of -n.
 * Threads: spreading gives each thread a slab of x-planes to which it alone adds, visiting
 * the atoms in one fixed order (sorted by the block of mesh columns their stencil starts
 * in, which keeps the columns they touch in cache), so every mesh sum has the same order
 * whatever the thread count; the transforms are the same FFTW plans on disjoint planes and
 * rows (new-array execute, thread-safe). Results are bitwise independent of the thread
 * count. FFTW plans are made with FFTW_ESTIMATE (the same plan, hence the same round-off,
 * in every run); the planner is not thread-safe, and is called from gmd_sq_grid_frame on
 * the first frame only (again if the box changes nmax). A box that changes (NPT) needs no
 * new grid while nmax stays: mesh, order, plans and deconvolution depend on the mode
 * counts only, and each frame's box lengths enter through its positions in mesh units
 * and its z phases (u = r M / L(t), exp(-i n3 2 pi z / Lz(t))); when a frame's box
 * changes nmax, the grid is made anew for it. */
#include "sq_grid.h"

#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "glassmd/units.h"

#define SQG_MIN_ORDER 8
#define SQG_MAX_ORDER 40
#define SQG_ALIAS_BOUND 1e-9
#define SQG_ALIAS_TERMS 64 /* j = 1 .. 64 in the alias sums; the rest is below 64^-P */
#define SQG_ALIGN 4        /* complex numbers: planes and lines start on 64-byte boundaries */
#define SQG_BLOCK 4        /* mesh points per side of the blocks atoms are sorted by */
/* Estimated ns per spreading multiply-add and per FFT point and log2 factor (one core,
 * measured on the 3000-atom melt). */
#define SQG_COST_SPREAD 0.1
#define SQG_COST_FFT 0.25

struct gmd_sq_grid {
    int order, mesh[2], nmax[3], nzk, ns, threads;
    int row;      /* complex numbers per mesh column [n3]: nzk rounded up to SQG_ALIGN */
    int nblk[2];  /* blocks of SQG_BLOCK^2 mesh points (the spreading order) */
    double alias; /* the bound A of the header for the chosen mesh and order */
    size_t plane_stride, nlines, nmodes;
    fftw_complex *q;   /* Q, mesh[0] planes [iy][n3] of plane_stride (fftw_malloc) */
    double *rho;       /* [a][mode][2], see the header */
    double *deconv[2]; /* [n + nmax_d]: 1 / W^(2 pi n / M_d) */
    fftw_plan y_c2c, x_c2c;
    size_t atom_cap;
    int *atom;      /* the atoms of one species */
    int *order_of;  /* spreading order: slots sorted by the block of the stencil's start */
    int *first;     /* [2 s + d]: first mesh index of slot s's stencil (wrapped), x and y */
    double *weight; /* [(2 s + d) P + j]: its weights */
    double *zphase; /* [s][n3][2]: exp(-i n3 u_z z) of slot s, n3 = 0 .. nmax_z */
    int *bcount;    /* nblk[0] nblk[1] + 1 counters of the sort */
};

/* ---------------------------------------------------------------- parameters */

/* sum_{j != 0} (|n| / |n + j m|)^P: the aliases of mode n relative to it, one direction. */
static double alias_sum(int n, int m, int order)
{
    double s = 0.0;
    for (int j = 1; j <= SQG_ALIAS_TERMS; j++)
        s += pow((double)n / (double)(j * m - n), order) +
             pow((double)n / (double)(j * m + n), order);
    return s;
}

/* Only the factors 2, 3, 5, 7 (sizes FFTW transforms fastest). */
static int fft_friendly(int m)
{
    static const int primes[4] = {2, 3, 5, 7};
    for (int p = 0; p < 4; p++)
        while (m % primes[p] == 0)
            m /= primes[p];
    return m == 1;
}

/* The smallest even FFT-friendly mesh >= P and > 2 nmax whose aliases at nmax stay within
 * share (of the bound). */
static int mesh_for(int nmax, int order, double share)
{
    int m = 2 * nmax + 2 > order ? 2 * nmax + 2 : order;
    for (;; m++)
        if (m % 2 == 0 && fft_friendly(m) && alias_sum(nmax, m, order) <= share) return m;
}

/* Estimated ns per frame: spreading (natoms P^2 (nmax_z + 1) complex multiply-adds) and
 * the transforms along y and x of nsp meshes. */
static double cost_of(const int mesh[2], const int nmax[3], int order, size_t natoms, int nsp)
{
    const double mx = mesh[0], my = mesh[1], nzk = nmax[2] + 1;
    const double fft = mx * nzk * my * log2(my) + (2 * nmax[1] + 1) * nzk * mx * log2(mx);
    return SQG_COST_SPREAD * 2.0 * (double)natoms * order * order * nzk + SQG_COST_FFT * nsp * fft;
}

/* Order and mesh of least estimated cost meeting the alias bound. */
static void choose(gmd_sq_grid *g, size_t natoms, int nsp)
{
    double best = INFINITY;
    for (int p = SQG_MIN_ORDER; p <= SQG_MAX_ORDER; p++) {
        int mesh[2];
        double a = 1.0;
        for (int d = 0; d < 2; d++) {
            mesh[d] = mesh_for(g->nmax[d], p, SQG_ALIAS_BOUND / 2.1);
            a *= 1.0 + alias_sum(g->nmax[d], mesh[d], p);
        }
        double c = cost_of(mesh, g->nmax, p, natoms, nsp);
        if (c < best) {
            best = c;
            g->order = p;
            memcpy(g->mesh, mesh, sizeof mesh);
            g->alias = a - 1.0;
        }
    }
}

/* ---------------------------------------------------------------- set-up */

void gmd_sq_grid_free(gmd_sq_grid *g)
{
    if (!g) return;
    if (g->y_c2c) fftw_destroy_plan(g->y_c2c);
    if (g->x_c2c) fftw_destroy_plan(g->x_c2c);
    fftw_free(g->q);
    free(g->rho);
    for (int d = 0; d < 2; d++)
        free(g->deconv[d]);
    free(g->atom);
    free(g->order_of);
    free(g->first);
    free(g->weight);
    free(g->zphase);
    free(g->bcount);
    free(g);
}

static size_t round_up(size_t n, size_t to)
{
    return (n + to - 1) / to * to;
}

/* 1 / W^(2 pi n / m) = ((pi n / m) / sin(pi n / m))^P for n = -nmax .. nmax. */
static void fill_deconv(double *dc, int nmax, int m, int order)
{
    for (int n = -nmax; n <= nmax; n++) {
        double t = GMD_PI * n / m;
        dc[n + nmax] = n == 0 ? 1.0 : pow(t / sin(t), order);
    }
}

/* In place: y, the nmax_z + 1 columns of one x-plane [iy][n3]; x, the nmax_z + 1 lines
 * (n3) of one row iy across the planes. */
static gmd_status make_plans(gmd_sq_grid *g, gmd_error *err)
{
    const int mx = g->mesh[0], my = g->mesh[1], ps = (int)g->plane_stride;
    g->y_c2c = fftw_plan_many_dft(1, &my, g->nzk, g->q, NULL, g->row, 1, g->q, NULL, g->row, 1,
                                  FFTW_FORWARD, FFTW_ESTIMATE);
    g->x_c2c = fftw_plan_many_dft(1, &mx, g->nzk, g->q, NULL, ps, 1, g->q, NULL, ps, 1,
                                  FFTW_FORWARD, FFTW_ESTIMATE);
    if (!g->y_c2c || !g->x_c2c)
        return gmd_fail(err, GMD_ERR_NOMEM, "S(k) grid: FFTW could not plan a %d x %d mesh", mx,
                        my);
    return GMD_OK;
}

/* Mesh, buffers and plans for the modes nmax (the order and mesh chosen first). */
static gmd_status grid_setup(gmd_sq_grid *g, size_t natoms, int nsp, gmd_error *err)
{
    choose(g, natoms, nsp);
    const int mx = g->mesh[0], my = g->mesh[1];
    g->nzk = g->nmax[2] + 1;
    g->row = (int)round_up((size_t)g->nzk, SQG_ALIGN);
    g->plane_stride = (size_t)my * (size_t)g->row;
    g->nlines = (size_t)(2 * g->nmax[1] + 1) * (size_t)g->nzk;
    g->nmodes = (size_t)(2 * g->nmax[0] + 1) * g->nlines;
    for (int d = 0; d < 2; d++)
        g->nblk[d] = (g->mesh[d] + SQG_BLOCK - 1) / SQG_BLOCK;
    g->q = fftw_malloc((size_t)mx * g->plane_stride * sizeof(fftw_complex));
    g->rho = gmd_calloc((size_t)g->ns * g->nmodes * 2, sizeof(double), "S(k) grid modes", err);
    g->bcount =
        gmd_calloc((size_t)g->nblk[0] * (size_t)g->nblk[1] + 1, sizeof(int), "S(k) grid", err);
    int ok = g->q && g->rho && g->bcount;
    for (int d = 0; d < 2 && ok; d++) {
        g->deconv[d] = gmd_calloc((size_t)(2 * g->nmax[d] + 1), sizeof(double), "S(k) grid", err);
        if ((ok = g->deconv[d] != NULL))
            fill_deconv(g->deconv[d], g->nmax[d], g->mesh[d], g->order);
    }
    if (!ok)
        return gmd_fail(err, GMD_ERR_NOMEM, "S(k) grid: out of memory for a %d x %d x %d mesh", mx,
                        my, g->nzk);
    return make_plans(g, err);
}

/* Modes of the frame's box: the same expression as the direct sum's list of vectors. */
static void modes_of(const gmd_box *box, double kmax, int nmax[3])
{
    for (int d = 0; d < 3; d++)
        nmax[d] = (int)floor(kmax / (2.0 * GMD_PI / box->len[d]));
}

/* A grid for the frame's modes: kept while nmax is unchanged, else made anew. */
static gmd_status grid_for(gmd_sq_grid **out, const gmd_frame *f, int ns, unsigned mask,
                           double kmax, int threads, gmd_error *err)
{
    int nmax[3];
    modes_of(&f->box, kmax, nmax);
    if (*out && memcmp((*out)->nmax, nmax, sizeof nmax) == 0) return GMD_OK;
    gmd_sq_grid_free(*out);
    gmd_sq_grid *g = *out = gmd_calloc(1, sizeof *g, "S(k) grid", err);
    if (!g) return GMD_ERR_NOMEM;
    memcpy(g->nmax, nmax, sizeof nmax);
    g->ns = ns;
    g->threads = threads > 0 ? threads : 1;
    size_t natoms = 0;
    int nsp = 0;
    for (size_t i = 0; i < f->n; i++)
        natoms += mask >> f->type[i] & 1u;
    for (int a = 0; a < ns; a++)
        nsp += (int)(mask >> a & 1u);
    gmd_status st = grid_setup(g, natoms, nsp, err);
    if (st != GMD_OK) {
        gmd_sq_grid_free(g);
        *out = NULL;
    }
    return st;
}

static gmd_status atom_space(gmd_sq_grid *g, size_t n, gmd_error *err)
{
    if (n <= g->atom_cap) return GMD_OK;
    free(g->atom);
    free(g->order_of);
    free(g->first);
    free(g->weight);
    free(g->zphase);
    g->atom = gmd_calloc(n, sizeof(int), "S(k) grid atoms", err);
    g->order_of = gmd_calloc(n, sizeof(int), "S(k) grid atoms", err);
    g->first = gmd_calloc(2 * n, sizeof(int), "S(k) grid stencils", err);
    g->weight = gmd_calloc(2 * n * (size_t)g->order, sizeof(double), "S(k) grid stencils", err);
    g->zphase = gmd_calloc(n * (size_t)g->row * 2, sizeof(double), "S(k) grid phases", err);
    g->atom_cap = (g->atom && g->order_of && g->first && g->weight && g->zphase) ? n : 0;
    return g->atom_cap ? GMD_OK : GMD_ERR_NOMEM;
}

/* ---------------------------------------------------------------- spreading */

/* The P weights of the stencil points first .. first + P - 1, ascending, for a position
 * v = u + P/2 = base + w (0 <= w < 1), by de Boor's recursion on the integer knots: the
 * B-splines of order k + 1 from those of order k, b_i <- ((i + 1 - w) b_i + (w + k - i)
 * b_{i-1}) / k, each a convex combination (stable at any order). */
static void bspline_weights(double w, int order, double *b)
{
    b[0] = 1.0;
    for (int k = 1; k < order; k++) {
        const double inv = 1.0 / k;
        double carry = 0.0;
        for (int i = 0; i < k; i++) {
            double t = b[i] * inv;
            b[i] = carry + (i + 1 - w) * t;
            carry = (w + k - 1 - i) * t;
        }
        b[k] = carry;
    }
}

/* Coordinate d of atom i wrapped into [0, len): the phases are periodic in the box. */
static double wrapped(const gmd_frame *f, size_t i, int d)
{
    const double len = f->box.len[d];
    double x = f->r[d][i];
    return x - len * floor(x / len);
}

/* Stencil of slot s (atom i): first mesh index and weights in x and y, and the phases
 * exp(-i n3 u_z z) (as the direct sum's tables: one sine and cosine, then the recurrence). */
static void stencil(gmd_sq_grid *g, const gmd_frame *f, size_t i, size_t s)
{
    const int p = g->order;
    for (int d = 0; d < 2; d++) {
        double v = wrapped(f, i, d) * (g->mesh[d] / f->box.len[d]) + 0.5 * p, base = floor(v);
        int first = ((int)base - (p - 1)) % g->mesh[d];
        g->first[2 * s + (size_t)d] = first < 0 ? first + g->mesh[d] : first;
        bspline_weights(v - base, p, g->weight + (2 * s + (size_t)d) * (size_t)p);
    }
    const double t = 2.0 * GMD_PI / f->box.len[2] * wrapped(f, i, 2), c = cos(t), sn = -sin(t);
    double *z = g->zphase + s * (size_t)g->row * 2; /* zero past nzk */
    z[0] = 1.0;
    z[1] = 0.0;
    for (int n = 1; n < g->nzk; n++) {
        z[2 * n] = z[2 * n - 2] * c - z[2 * n - 1] * sn;
        z[2 * n + 1] = z[2 * n - 2] * sn + z[2 * n - 1] * c;
    }
}

/* Block (of SQG_BLOCK^2 mesh columns) where slot s's stencil starts. */
static size_t block_of(const gmd_sq_grid *g, size_t s)
{
    const int *first = g->first + 2 * s;
    return (size_t)(first[0] / SQG_BLOCK) * (size_t)g->nblk[1] + (size_t)(first[1] / SQG_BLOCK);
}

/* The atoms of species a into g->atom, their stencils, and the spreading order: a stable
 * counting sort by block, so that consecutive atoms update overlapping parts of the mesh,
 * which stay in cache. Returns the number of atoms. */
static size_t species_stencils(gmd_sq_grid *g, const gmd_frame *f, int a)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n; i++)
        if (f->type[i] == a) g->atom[n++] = (int)i;
    const long nl = (long)n;
#pragma omp parallel for num_threads(g->threads) schedule(static)
    for (long s = 0; s < nl; s++)
        stencil(g, f, (size_t)g->atom[s], (size_t)s);
    const size_t nb = (size_t)g->nblk[0] * (size_t)g->nblk[1];
    memset(g->bcount, 0, (nb + 1) * sizeof(int));
    for (size_t s = 0; s < n; s++)
        g->bcount[block_of(g, s) + 1]++;
    for (size_t b = 0; b < nb; b++)
        g->bcount[b + 1] += g->bcount[b];
    for (size_t s = 0; s < n; s++)
        g->order_of[g->bcount[block_of(g, s)]++] = (int)s;
    return n;
}

/* Adds w_x w_y(jy) exp(-i n3 u_z z) to the P columns (fy ...) of one x-plane, rows wrapped
 * in y: the cost of spreading, hence compiled for AVX2 / AVX-512 too (GMD_SIMD_CLONES). */
GMD_SIMD_CLONES
static void spread_plane(double *restrict plane, int my, size_t row, int order, double wx,
                         const double *restrict wy, int fy, const double *restrict z, int nz2)
{
    for (int jy = 0; jy < order; jy++) {
        const int iy = fy + jy < my ? fy + jy : fy + jy - my;
        double *restrict q = plane + (size_t)iy * row;
        const double w = wx * wy[jy];
        for (int j = 0; j < nz2; j++)
            q[j] += w * z[j];
    }
}

/* Q of n atoms (slots of g->atom): each thread zeroes its slab of x-planes and adds every
 * atom's share to it, atoms in the spreading order. */
static void spread(gmd_sq_grid *g, size_t n)
{
    const int mx = g->mesh[0], p = g->order;
#pragma omp parallel num_threads(g->threads)
    {
        int tid = 0, nt = 1;
#ifdef _OPENMP
        tid = omp_get_thread_num();
        nt = omp_get_num_threads();
#endif
        const int x0 = (int)((long)mx * tid / nt), x1 = (int)((long)mx * (tid + 1) / nt);
        memset(g->q + (size_t)x0 * g->plane_stride, 0,
               (size_t)(x1 - x0) * g->plane_stride * sizeof(fftw_complex));
        for (size_t k = 0; k < n; k++) {
            const size_t s = (size_t)g->order_of[k];
            const int *first = g->first + 2 * s;
            const double *w = g->weight + 2 * s * (size_t)p;
            for (int jx = 0; jx < p; jx++) {
                const int ix = first[0] + jx < mx ? first[0] + jx : first[0] + jx - mx;
                if (ix < x0 || ix >= x1) continue;
                spread_plane((double *)(g->q + (size_t)ix * g->plane_stride), g->mesh[1],
                             2 * (size_t)g->row, p, w[jx], w + p, first[1],
                             g->zphase + s * (size_t)g->row * 2, 2 * g->row);
            }
        }
    }
}

/* ---------------------------------------------------------------- transform */

static int wrap_mode(int n, int m)
{
    return n < 0 ? n + m : n;
}

/* y transform of each x-plane, in place. */
static void transform_planes(gmd_sq_grid *g)
{
    const int mx = g->mesh[0];
#pragma omp parallel for num_threads(g->threads) schedule(static)
    for (int ix = 0; ix < mx; ix++) {
        fftw_complex *pl = g->q + (size_t)ix * g->plane_stride;
        fftw_execute_dft(g->y_c2c, pl, pl);
    }
}

/* x transform of the kept rows |n2| <= nmax_y, deconvolved and conjugated into rho of
 * species a. */
static void transform_rows(gmd_sq_grid *g, int a)
{
    const int mx = g->mesh[0], my = g->mesh[1], nx = g->nmax[0], ny = g->nmax[1], nzk = g->nzk;
    double *rho = g->rho + (size_t)a * g->nmodes * 2;
#pragma omp parallel for num_threads(g->threads) schedule(static)
    for (int n2 = -ny; n2 <= ny; n2++) {
        fftw_complex *r0 = g->q + (size_t)wrap_mode(n2, my) * (size_t)g->row;
        fftw_execute_dft(g->x_c2c, r0, r0);
        const double dy = g->deconv[1][n2 + ny];
        for (int n1 = -nx; n1 <= nx; n1++) {
            const fftw_complex *c = r0 + (size_t)wrap_mode(n1, mx) * g->plane_stride;
            const double s = dy * g->deconv[0][n1 + nx];
            double *r = rho + ((size_t)(n1 + nx) * g->nlines + (size_t)(n2 + ny) * nzk) * 2;
            for (int n3 = 0; n3 < nzk; n3++) {
                r[2 * n3] = c[n3][0] * s;
                r[2 * n3 + 1] = -c[n3][1] * s;
            }
        }
    }
}

/* ---------------------------------------------------------------- the interface */

gmd_status gmd_sq_grid_frame(gmd_sq_grid **out, const gmd_frame *f, int nspecies,
                             unsigned species_mask, double kmax, int threads, gmd_error *err)
{
    gmd_status st = grid_for(out, f, nspecies, species_mask, kmax, threads, err);
    if (st != GMD_OK) return st;
    gmd_sq_grid *g = *out;
    if ((st = atom_space(g, f->n, err)) != GMD_OK) return st;
    for (int a = 0; a < nspecies; a++) {
        if (!(species_mask >> a & 1u)) {
            memset(g->rho + (size_t)a * g->nmodes * 2, 0, g->nmodes * 2 * sizeof(double));
            continue;
        }
        spread(g, species_stencils(g, f, a));
        transform_planes(g);
        transform_rows(g, a);
    }
    return GMD_OK;
}

void gmd_sq_grid_rho(const gmd_sq_grid *g, int a, int n1, int n2, int n3, double out[2])
{
    const double sign = n3 < 0 ? -1.0 : 1.0; /* rho(-k) = conj rho(k) */
    if (n3 < 0) {
        n1 = -n1;
        n2 = -n2;
        n3 = -n3;
    }
    const size_t mode =
        ((size_t)(n1 + g->nmax[0]) * (size_t)(2 * g->nmax[1] + 1) + (size_t)(n2 + g->nmax[1])) *
            (size_t)g->nzk +
        (size_t)n3;
    const double *r = g->rho + ((size_t)a * g->nmodes + mode) * 2;
    out[0] = r[0];
    out[1] = sign * r[1];
}

void gmd_sq_grid_params(const gmd_sq_grid *g, int mesh[2], int *order, double *alias_bound)
{
    memcpy(mesh, g->mesh, 2 * sizeof(int));
    *order = g->order;
    *alias_bound = g->alias;
}
