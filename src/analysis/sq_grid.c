/* sq_grid.c - rho_a(k) = sum_{i in a} exp(i k.r_i) on the reciprocal lattice of the box,
 * k = 2 pi (n1/Lx, n2/Ly, n3/Lz), |n_d| <= nmax_d = floor(kmax L_d / 2 pi), by a gridded
 * transform (a type-1 non-uniform FFT), for the reciprocal-lattice S(k) of sq.c; the direct
 * sum there is the reference it is tested against (tests/unit/test_structure.c).
 *
 * Algorithm, per species and frame (gridded in x and y, exact in z):
 *   1. spreading: each atom adds to the w x w mesh columns (ix, iy) within a = w/2 of it
 *      the kernel weights phi(u_x - ix) phi(u_y - iy) (u = r M / L in mesh units) times its
 *      exact phases exp(-i n3 2 pi z / Lz), n3 = 0 .. nmax_z (one sine and cosine, then the
 *      recurrence, as the direct sum's tables): Q[ix][iy][n3]. Done as a gather: each
 *      plane ix is summed a tile of SQG_TILE columns at a time over the atoms that cover
 *      the tile, in registers, and stored once (gather_plane), instead of every atom
 *      adding to its w^2 columns in memory (one load and store per multiply-add, from L2:
 *      `--only sq` 1.58 -> 1.04 s on the melt with tiles of 4);
 *   2. FFT of Q along y, then along x for the rows |n2| <= nmax_y only (pruned). FFTW 3.3.10
 *      as Debian builds it takes 3.4 us a plane of 27 96-point transforms (it loops over
 *      them with AVX codelets, no SIMD across them; FFTW_MEASURE and an even count the
 *      same), ~30 % of this file's time on the melt;
 *   3. deconvolution: by Poisson summation the transform at (n1, n2) is
 *      sum_j phi^(2 pi (n + j M) / M) exp(-2 pi i (n + j M) u / M) per direction, summed
 *      over the atoms, phi^ the kernel's Fourier transform; the term j = 0 is
 *      phi^(2 pi n / M) exp(-i k r), so rho_a = conj(transform) / (phi^_x phi^_y).
 * The kernel (one per direction): phi(x) = I0(beta sqrt(1 - (x/a)^2)) - 1 for |x| <= a, 0
 * beyond: the Kaiser-Bessel window (Jackson et al., IEEE Trans. Med. Imaging 10 (1991)
 * 473; the NFFT library's), whose transform is known in closed form (kernel_hat), less its
 * value at the edge, 1, so that it is continuous there: its transform beyond the main lobe
 * then falls as 1/t^2 instead of 1/t, and the sum of the aliases converges. Like the
 * "exponential of semicircle" of FINUFFT (Barnett et al., SIAM J. Sci. Comput. 41 (2019)
 * C479), of which it is the exact-transform sibling, its aliases fall about as e^(-2.2 w)
 * at oversampling 2, where B-splines of order P fall as 3^-P = e^(-1.1 P): 1e-9 takes
 * w ~ 12 points against P ~ 16-19, half the spreading or less. The weights are the power series of
 * I0 (all terms positive, 40-60 of them, Horner's rule, vectorised over the w points). Why z is
 * exact: a mesh in z costs an FFT of every (x, y) mesh line, ~40 flops per mesh point, and the mesh
 * has ~15 points per atom of a species at twice the modes; the exact phases cost w^2 (nmax_z + 1)
 * complex multiply-adds per atom, contiguous and vectorised, and leave no aliasing in z. (With
 * B-splines gridded in all three directions this file was 1.6 times slower on the 3000-atom melt.)
 * Error: what remains of the other terms (aliases) relative to the kept one is, per
 * direction, A_d(n) = sum_{j != 0} |phi^(2 pi (n + j M) / M)| / phi^(2 pi n / M), summed
 * exactly for |j| <= 8 and bounded analytically beyond (alias_tail), taken at its largest
 * over the modes |n| <= nmax (it oscillates; largest near nmax); in x and y the weights
 * multiply: A = (1 + A_x)(1 + A_y) - 1. Each alias carries rho_a at a wave vector beyond
 * kmax, where the structure is featureless and |rho_a| ~ sqrt(N_a) like rho_a(k) itself,
 * so A bounds the relative error of rho_a(k) and ~2A that of S_ab(k) (in a perfect crystal
 * an alias can be a Bragg peak, |rho| = N_a: still A relative at a Bragg vector, an absolute
 * A^2 N_a in S elsewhere). Mesh and kernel are chosen so that A <= SQG_ALIAS_BOUND = 1e-9,
 * a thousand times below the 1e-6 the shells of S(k) must agree to. Unlike B-splines',
 * the bound is about as large at small |n| as at nmax, so the shells of few vectors at
 * small k carry errors of the size of the bound too. The FFT's round-off (~1e-15 relative)
 * is amplified by phi^(0) / phi^(2 pi nmax / M), about 4. Measured against the direct sum,
 * shell by shell: 1e-8 relative at worst on a random gas (a shell of S_ab near 0, where the
 * test counts against 1e-3), 2e-11 on the Na2S crystal (tests), 4e-10 on the 3000-atom melt
 * (the CSV's 10 digits).
 * Choice of width and mesh: for each width w in SQG_MIN_WIDTH .. SQG_MAX_WIDTH and
 * direction, the smallest FFT-friendly even mesh (factors 2, 3, 5, 7) meeting the bound,
 * with beta = gamma pi w (1 - nmax / M) (the main lobe ends at gamma times the nearest
 * alias; gamma in 0.94 .. 1, the first that meets the bound); the (w, M) of least
 * estimated cost is kept (spreading ~ N w^2 (nmax_z + 1), series ~ N w nterm, FFT ~ M^2
 * log M (nmax_z + 1) per species; the constants are measured ns per operation, SQG_COST_*).
 * For 3000 atoms in a 41 A box up to 4 A^-1 (nmax 26): w = 12, a 96 x 96 mesh (oversampling
 * 1.8); B-splines needed P = 16 on 126 x 126, 2.2 times the spreading.
 *
 * Data layout: a plane of Q, [iy][n3] complex, n3 fastest, a column padded to `row` (a
 * multiple of 4 complex numbers, 64 bytes: whole vectors of 8 doubles), one per thread
 * (a plane is gathered, then transformed in y at once). The atoms of a species are sorted
 * by the mesh column their stencil starts in (start[]), their weights and phases stored in
 * that order; a plane's atoms are those of w values of first_x, re-sorted by first_y
 * (plane_list), so a tile's atoms are one run of that list. The transforms run out of
 * place (FFTW plans over many columns at once): each plane's y transform into a thread's
 * buffer, its kept rows into qy[n2 + nmax_y][ix][n3], each row's x transform into a
 * thread's buffer, deconvolved from there (make_plans). Only the modes within |k| <= kmax
 * are kept (column_tops: a row's columns up to its top are copied and transformed in x, a
 * column's modes up to its top deconvolved; about half the box of modes).
 * rho[a][((n2 + nmax_y) (2 nmax_x + 1) + n1 + nmax_x)(nmax_z + 1) + n3] (complex: 2
 * doubles); n3 < 0 is the conjugate of -n.
 * Threads: each thread gathers and transforms whole x-planes; a column's sum runs over its
 * atoms in an order fixed by the sorts, whatever the thread count; the transforms are the
 * same FFTW plans on disjoint planes and rows, each thread writing to its own buffer
 * (new-array execute, thread-safe). Results
 * are bitwise independent of the thread count. FFTW plans are made with FFTW_ESTIMATE (the
 * same plan, hence the same round-off, in every run); the planner is not thread-safe, and
 * is called from gmd_sq_grid_frame on the first frame only (again if the box changes
 * nmax). A box that changes (NPT) needs no new grid while nmax stays: mesh, width, kernel,
 * plans and deconvolution depend on the mode counts only, and each frame's box lengths
 * enter through its positions in mesh units and its z phases (u = r M / L(t),
 * exp(-i n3 2 pi z / Lz(t))); when a frame's box changes nmax, the grid is made anew for
 * it. */
#include "sq_grid.h"

#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "glassmd/units.h"

#define SQG_MIN_WIDTH 4
#define SQG_MAX_WIDTH 16
#define SQG_ALIAS_BOUND 1e-9
#define SQG_ALIAS_TERMS 8 /* |j| <= 8 summed exactly, the rest bounded (alias_tail) */
#define SQG_SERIES_MAX 96 /* terms of the I0 series at the most (80 reach 1e-17 at w = 16) */
#define SQG_ALIGN 4       /* complex numbers: planes and lines start on 64-byte boundaries */
#define SQG_TILE 4        /* mesh columns in y gathered at once (gather_tile) */
/* Estimated ns per spreading multiply-add, per term of the kernel's series and per FFT
 * point and log2 factor (one core, on the 3000-atom melt). They only rank the (w, M)
 * choices: with the gathering (gather_tile) a multiply-add costs less than the 0.1 here,
 * but the per-tile work grows with the mesh, and the two nearest choices on the melt
 * (w = 12 on 96 x 96, w = 13 on 84 x 84) measured the same, as did w = 14 on 80 x 80 and
 * w = 16 on 72 x 72 (session 11). The weights now come from polynomials of degree ~13
 * (kernel_weights), cheaper than the series this term counts; it is kept as it was, so
 * the choices stay those measured. */
#define SQG_COST_SPREAD 0.1
#define SQG_COST_SERIES 0.1
#define SQG_COST_FFT 0.25

/* The kernel of one direction: phi(x) = I0(beta sqrt(1 - (x/a)^2)) - 1, a = width / 2, as
 * the polynomial y (c[0] + y (c[1] + ... c[nterm - 1] y^(nterm - 1))) in y = beta^2 / 4
 * (1 - (x/a)^2), c[k] = 1 / ((k + 1)!)^2 (the power series of I0 less its constant). */
typedef struct sqg_kernel {
    double beta, c[SQG_SERIES_MAX];
    int nterm;
} sqg_kernel;

/* The stencil's weights as polynomials (kernel_weights): with x0 in [a - 1, a) the offset of
 * a stencil's first point, z = 2 (x0 - a + 1) - 1 in [-1, 1), weight j of direction d is
 * phi_d(x0 - j) = p(z), a polynomial of degree `degree` fitted to the kernel's series on
 * that unit interval (poly_fit), lane j < w for x (d = 0), w <= j < 2 w for y (d = 1);
 * p(z) = E(z^2) + z O(z^2), even[t][lane] and odd[t][lane] its coefficients of z^(2t) and
 * z^(2t+1), t = 0 .. top (zero past the degree and in the lanes past 2 w). */
#define SQG_LANES (2 * SQG_MAX_WIDTH)
#define SQG_POLY_MAX 31    /* degree at the most */
#define SQG_POLY_TOL 1e-14 /* largest error of a weight, relative to the kernel's peak */
typedef struct sqg_poly {
    double even[SQG_POLY_MAX / 2 + 1][SQG_LANES], odd[SQG_POLY_MAX / 2 + 1][SQG_LANES];
    int degree, top;
    double error; /* the largest error found (relative to the peak), over both directions */
} sqg_poly;

/* An atom that adds to one x-plane: its sorted slot, first mesh index in y, and weight in x
 * at that plane (plane_list). */
typedef struct sqg_entry {
    int k, first_y;
    double wx;
} sqg_entry;

struct gmd_sq_grid {
    int width, mesh[2], nmax[3], nzk, ns, threads;
    int row;      /* complex numbers per mesh column [n3]: nzk rounded up to SQG_ALIGN */
    int wstride;  /* doubles of a slot's weights: w in x, then w in y padded (stencil) */
    double alias; /* the bound A of the header for the chosen mesh and width */
    sqg_kernel kern[2];
    sqg_poly poly;
    size_t plane_stride, nlines, nmodes;
    fftw_complex *plane; /* per thread: one x-plane [iy][n3] gathered, plane_stride + a tile */
    fftw_complex *qy;    /* Q transformed in y, the kept rows: [n2 + nmax_y][ix][n3] */
    fftw_complex *buf;   /* per thread: one transform's output, max(mesh) x row */
    size_t buf_stride, thread_plane;
    double *rho;       /* [a][mode][2], see the header */
    double *deconv[2]; /* [n + nmax_d]: 1 / phi^(2 pi n / M_d) */
    fftw_plan y_c2c;
    fftw_plan *x_c2c; /* [h]: the x transform of the columns n3 = 0 .. h of a row */
    size_t atom_cap;
    int *atom;       /* the atoms of one species */
    int *key;        /* [s]: first_x M_y + first_y of atom slot s's stencil */
    int *sorted;     /* [k]: the atom slot s of sorted slot k (by key, stably) */
    int *first_y;    /* [k]: first mesh index in y of sorted slot k's stencil */
    double *weight;  /* [k wstride + ...]: its weights (stencil) */
    double *zphase;  /* [k][n3][2]: exp(-i n3 u_z z) of sorted slot k, n3 = 0 .. nmax_z */
    int *start;      /* [key]: the first sorted slot of that key; [M_x M_y] = the count */
    sqg_entry *list; /* per thread, atom_cap + 1: one plane's atoms (plane_list) */
    int *ycount;     /* per thread, M_y + 1 counters (plane_list) */
    int *ztop;       /* [(n2 + nmax_y) (2 nmax_x + 1) + n1 + nmax_x]: highest n3 kept (sphere) */
    int *ytop;       /* [n2 + nmax_y]: the highest of row n2 (its x transform's columns) */
};

/* ---------------------------------------------------------------- parameters */

/* phi^(t) / (2 a): the Fourier transform of the kernel, int phi(x) e^{-i t x} dx, over 2 a.
 * With s = a |t|: sinh(r) / r - sin(s) / s, r = sqrt(beta^2 - s^2), inside the main lobe
 * (s < beta), and sin(r) / r - sin(s) / s, r = sqrt(s^2 - beta^2), beyond (the transform of
 * I0(beta sqrt(1 - (x/a)^2)) on [-a, a], the Kaiser-Bessel window's, less that of 1). */
static double kernel_hat(double t, double a, double beta)
{
    const double s = fabs(a * t), box = s > 0.0 ? sin(s) / s : 1.0;
    const double r = sqrt(fabs(beta * beta - s * s));
    if (r == 0.0) return 1.0 - box;
    return (s < beta ? sinh(r) / r : sin(r) / r) - box;
}

/* A bound on sum_{|j| > J} |phi^(2 pi (n + j m) / m)| / (2 a), J = SQG_ALIAS_TERMS, for
 * |n| <= m / 2. Beyond the main lobe |sin r / r - sin s / s| <= (s - r)(1 + 1/s) / r with
 * s - r = beta^2 / (s + r); for s >= 2 beta, r >= s sqrt(3) / 2, so a term is at most
 * 0.62 beta^2 (1 + 1/s) / s^2; s >= 2 pi a (|j| - 1/2) and sum_{j > J} (j - 1/2)^-2 <=
 * 1 / (J - 1/2), on both sides. INFINITY when the terms do not lie that far out. */
static double alias_tail(double a, double beta)
{
    const double smin = 2.0 * GMD_PI * a * (SQG_ALIAS_TERMS + 0.5);
    if (smin < 2.0 * beta) return INFINITY;
    const double tpa = 2.0 * GMD_PI * a;
    return 2.0 * 0.62 * beta * beta * (1.0 + 1.0 / smin) / (tpa * tpa * (SQG_ALIAS_TERMS - 0.5));
}

/* sum_{j != 0} |phi^(2 pi (n + j m) / m)| / phi^(2 pi n / m): the aliases of mode n relative
 * to it, one direction (kernel of width w = 2 a). */
static double alias_sum(int n, int m, double a, double beta)
{
    const double u = 2.0 * GMD_PI / m;
    double s = alias_tail(a, beta);
    for (int j = 1; j <= SQG_ALIAS_TERMS; j++)
        s +=
            fabs(kernel_hat(u * (n + j * m), a, beta)) + fabs(kernel_hat(u * (n - j * m), a, beta));
    return s / kernel_hat(u * n, a, beta);
}

/* The largest alias_sum over the modes |n| <= nmax (the aliases' transform oscillates, so
 * every mode is checked); the one at nmax, usually the largest, first, as a quick reject. */
static double alias_max(int nmax, int m, double a, double beta, double share)
{
    double worst = alias_sum(nmax, m, a, beta);
    for (int n = 0; n < nmax && worst <= share; n++)
        worst = fmax(worst, alias_sum(n, m, a, beta));
    return worst;
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

/* For width w: the smallest even FFT-friendly mesh >= w and > 2 nmax, with a shape beta,
 * whose aliases stay within share at every mode; beta = gamma pi w (1 - nmax / m), which
 * puts the main lobe's edge at gamma times the nearest alias, for gamma in a few steps
 * below 1. Returns the alias sum (*m, *beta set); INFINITY when no mesh up to 8 nmax + 8
 * does. */
static double mesh_for(int nmax, int w, double share, int *m_out, double *beta_out)
{
    static const double gamma[] = {0.94, 0.96, 0.98, 1.0};
    const double a = 0.5 * w;
    for (int m = 2 * nmax + 2 > w ? 2 * nmax + 2 : w; m <= 8 * nmax + 8; m++) {
        if (m % 2 || !fft_friendly(m)) continue;
        for (size_t q = 0; q < sizeof gamma / sizeof gamma[0]; q++) {
            double beta = gamma[q] * GMD_PI * w * (1.0 - (double)nmax / m);
            double s = alias_max(nmax, m, a, beta, share);
            if (s <= share) {
                *m_out = m;
                *beta_out = beta;
                return s;
            }
        }
    }
    return INFINITY;
}

/* The series of the kernel (sqg_kernel): terms while they exceed 1e-17 of the sum at the
 * kernel's peak, y = beta^2 / 4. */
static void kernel_series(sqg_kernel *k, double beta)
{
    const double ymax = 0.25 * beta * beta;
    double term = 1.0, sum = 0.0;
    memset(k, 0, sizeof *k); /* zeros above the last term (kernel_weights) */
    k->beta = beta;
    k->nterm = 0;
    for (int j = 1; j <= SQG_SERIES_MAX; j++) {
        k->c[j - 1] = 1.0 / ((double)j * j) * (j > 1 ? k->c[j - 2] : 1.0);
        term *= ymax / ((double)j * j);
        sum += term;
        k->nterm = j;
        if (term < 1e-17 * sum) break;
    }
}

/* The kernel phi(x) = y P(y), y = beta^2 / 4 (1 - (x/a)^2) clamped at 0, by its series
 * (sqg_kernel): the reference the polynomials are fitted to. */
static double kernel_value(const sqg_kernel *k, double x, double a)
{
    const double q = x / a, y0 = 0.25 * k->beta * k->beta * (1.0 - q * q), y = y0 > 0.0 ? y0 : 0.0;
    double p = 0.0;
    for (int t = k->nterm - 1; t >= 0; t--)
        p = p * y + k->c[t];
    return p * y;
}

/* Monomial coefficients b[0 .. deg] in z of the Chebyshev interpolant of degree deg of
 * phi(left + (z + 1) / 2), z in [-1, 1] (nodes cos(pi (i + 1/2) / (deg + 1))): the
 * Chebyshev coefficients, then T_k's monomial coefficients (integers, exact) summed. */
static void interval_poly(const sqg_kernel *k, double a, double left, int deg, double *b)
{
    double f[SQG_POLY_MAX + 1], c[SQG_POLY_MAX + 1], tprev[SQG_POLY_MAX + 1],
        tcur[SQG_POLY_MAX + 1], tnext[SQG_POLY_MAX + 1];
    const int n = deg + 1;
    for (int i = 0; i < n; i++)
        f[i] = kernel_value(k, left + 0.5 * (cos(GMD_PI * (i + 0.5) / n) + 1.0), a);
    for (int m = 0; m < n; m++) {
        double sum = 0.0;
        for (int i = 0; i < n; i++)
            sum += f[i] * cos(GMD_PI * m * (i + 0.5) / n);
        c[m] = (m == 0 ? 1.0 : 2.0) * sum / n;
    }
    memset(tprev, 0, sizeof tprev);
    memset(tcur, 0, sizeof tcur);
    memset(b, 0, (size_t)n * sizeof *b);
    tprev[0] = 1.0; /* T_0 */
    tcur[1] = 1.0;  /* T_1 */
    b[0] = c[0];
    for (int m = 1; m < n; m++) {
        for (int e = 0; e <= m; e++)
            b[e] += c[m] * tcur[e];
        for (int e = 0; e <= SQG_POLY_MAX; e++) /* T_(m+1) = 2 z T_m - T_(m-1) */
            tnext[e] = (e > 0 ? 2.0 * tcur[e - 1] : 0.0) - tprev[e];
        memcpy(tprev, tcur, sizeof tcur);
        memcpy(tcur, tnext, sizeof tnext);
    }
}

/* The stencil's polynomials (sqg_poly) for the chosen width and kernels: the lowest degree
 * (from 8 on) whose largest error over 129 points of every interval, both directions, is
 * within SQG_POLY_TOL of the kernel's peak (the error it reaches is kept). The kernel is
 * entire, so its Chebyshev coefficients fall faster than geometrically: for w = 11 .. 13
 * the error is ~1e-9 at degree 8, ~3e-12 at 10, ~1e-14 at 12 and 3-5e-15 from 13 on (the
 * series' own round-off in double): degree 13. Errors of 1e-14 of the kernel's peak in the
 * weights are ~1e-5 of the alias bound's share of rho. */
static void poly_fit(gmd_sq_grid *g)
{
    const int w = g->width;
    const double a = 0.5 * w;
    sqg_poly *P = &g->poly;
    for (int deg = 8; deg <= SQG_POLY_MAX; deg++) {
        memset(P, 0, sizeof *P);
        P->degree = deg;
        P->top = deg / 2;
        double worst = 0.0;
        for (int lane = 0; lane < 2 * w; lane++) {
            const int d = lane >= w, j = lane - d * w;
            const sqg_kernel *k = &g->kern[d];
            double b[SQG_POLY_MAX + 1];
            const double left = a - 1.0 - j;
            interval_poly(k, a, left, deg, b);
            for (int e = 0; e <= deg; e++)
                (e % 2 ? P->odd : P->even)[e / 2][lane] = b[e];
            const double peak = kernel_value(k, 0.0, a);
            for (int q = 0; q <= 128; q++) {
                const double z = -1.0 + 2.0 * q / 128.0;
                double p = 0.0;
                for (int e = deg; e >= 0; e--)
                    p = p * z + b[e];
                worst = fmax(worst, fabs(p - kernel_value(k, left + 0.5 * (z + 1.0), a)) / peak);
            }
        }
        P->error = worst;
        if (worst <= SQG_POLY_TOL) return;
    }
}

/* Estimated ns per frame: spreading (natoms w^2 (nmax_z + 1) complex multiply-adds), the
 * kernel's series (natoms w nterm, nterm of both directions) and the transforms along y and x of
 * nsp meshes. */
static double cost_of(const int mesh[2], const int nmax[3], int w, int nterm, size_t natoms,
                      int nsp)
{
    const double mx = mesh[0], my = mesh[1], nzk = nmax[2] + 1;
    const double fft = mx * nzk * my * log2(my) + (2 * nmax[1] + 1) * nzk * mx * log2(mx);
    return SQG_COST_SPREAD * 2.0 * (double)natoms * w * w * nzk +
           SQG_COST_SERIES * (double)natoms * w * nterm + SQG_COST_FFT * nsp * fft;
}

/* Width, meshes and shapes of least estimated cost meeting the alias bound (a width that
 * cannot is skipped; the widest always can: its aliases fall as e^-(pi w) at twice the
 * modes). */
static void choose(gmd_sq_grid *g, size_t natoms, int nsp)
{
    double best = INFINITY;
    for (int w = SQG_MIN_WIDTH; w <= SQG_MAX_WIDTH; w++) {
        int mesh[2];
        double a = 1.0, beta[2];
        for (int d = 0; d < 2; d++)
            a *= 1.0 + mesh_for(g->nmax[d], w, SQG_ALIAS_BOUND / 2.1, &mesh[d], &beta[d]);
        if (!isfinite(a)) continue;
        sqg_kernel k[2];
        for (int d = 0; d < 2; d++)
            kernel_series(&k[d], beta[d]);
        double c = cost_of(mesh, g->nmax, w, k[0].nterm + k[1].nterm, natoms, nsp);
        if (c < best) {
            best = c;
            g->width = w;
            memcpy(g->mesh, mesh, sizeof mesh);
            memcpy(g->kern, k, sizeof k);
            g->alias = a - 1.0;
        }
    }
}

/* ---------------------------------------------------------------- set-up */

void gmd_sq_grid_free(gmd_sq_grid *g)
{
    if (!g) return;
    if (g->y_c2c) fftw_destroy_plan(g->y_c2c);
    for (int h = 0; g->x_c2c && h < g->nzk; h++)
        if (g->x_c2c[h]) fftw_destroy_plan(g->x_c2c[h]);
    free(g->x_c2c);
    fftw_free(g->plane);
    fftw_free(g->qy);
    fftw_free(g->buf);
    free(g->rho);
    for (int d = 0; d < 2; d++)
        free(g->deconv[d]);
    free(g->atom);
    free(g->key);
    free(g->sorted);
    free(g->first_y);
    free(g->weight);
    free(g->zphase);
    free(g->start);
    free(g->list);
    free(g->ycount);
    free(g->ztop);
    free(g->ytop);
    free(g);
}

static size_t round_up(size_t n, size_t to)
{
    return (n + to - 1) / to * to;
}

/* 1 / phi^(2 pi n / m) for n = -nmax .. nmax (kernel_hat, the factor 2 a included). */
static void fill_deconv(double *dc, int nmax, int m, int width, double beta)
{
    const double a = 0.5 * width;
    for (int n = -nmax; n <= nmax; n++)
        dc[n + nmax] = 1.0 / (2.0 * a * kernel_hat(2.0 * GMD_PI * n / m, a, beta));
}

/* Out of place (in place, FFTW copies through buffers of its own; this is 2.5 times
 * faster on the 3000-atom melt): y, the nmax_z + 1 columns of one x-plane [iy][n3] into a
 * thread's buffer, whose kept rows are then copied into qy; x, the lines [ix][n3] of one
 * row of qy into a thread's buffer, n3 up to the row's top only (a plan per count of
 * columns: ~20 % fewer x transforms on the melt). All with the stride row. (Writing the
 * y transform straight into qy, stride mesh[0] row, or reading the x lines from the planes
 * of a transformed copy of q, stride plane_stride, was slower still.) */
static gmd_status make_plans(gmd_sq_grid *g, gmd_error *err)
{
    const int mx = g->mesh[0], my = g->mesh[1];
    g->y_c2c = fftw_plan_many_dft(1, &my, g->nzk, g->plane, NULL, g->row, 1, g->buf, NULL, g->row,
                                  1, FFTW_FORWARD, FFTW_ESTIMATE);
    g->x_c2c = gmd_calloc((size_t)g->nzk, sizeof *g->x_c2c, "S(k) grid plans", err);
    int ok = g->y_c2c && g->x_c2c;
    for (int h = 0; ok && h < g->nzk; h++) /* h + 1 columns: those a row's top needs */
        ok = (g->x_c2c[h] = fftw_plan_many_dft(1, &mx, h + 1, g->qy, NULL, g->row, 1, g->buf, NULL,
                                               g->row, 1, FFTW_FORWARD, FFTW_ESTIMATE)) != NULL;
    if (!ok)
        return gmd_fail(err, GMD_ERR_NOMEM, "S(k) grid: FFTW could not plan a %d x %d mesh", mx,
                        my);
    return GMD_OK;
}

/* Mesh, buffers and plans for the modes nmax (the width, meshes and shapes chosen first). */
static gmd_status grid_setup(gmd_sq_grid *g, size_t natoms, int nsp, gmd_error *err)
{
    choose(g, natoms, nsp);
    if (g->width) poly_fit(g);
    if (g->width == 0)
        return gmd_fail(err, GMD_ERR_VALUE, "S(k) grid: no kernel meets the alias bound %g",
                        SQG_ALIAS_BOUND);
    const int mx = g->mesh[0], my = g->mesh[1];
    g->nzk = g->nmax[2] + 1;
    g->row = (int)round_up((size_t)g->nzk, SQG_ALIGN);
    g->plane_stride = (size_t)my * (size_t)g->row;
    g->nlines = (size_t)(2 * g->nmax[1] + 1) * (size_t)g->nzk;
    g->nmodes = (size_t)(2 * g->nmax[0] + 1) * g->nlines;
    g->wstride = 2 * g->width + 2 * (SQG_TILE - 1);
    g->thread_plane = g->plane_stride + (size_t)SQG_TILE * (size_t)g->row;
    g->plane = fftw_malloc((size_t)g->threads * g->thread_plane * sizeof(fftw_complex));
    g->qy = fftw_malloc(g->nlines / (size_t)g->nzk * (size_t)mx * (size_t)g->row *
                        sizeof(fftw_complex));
    g->buf_stride = (size_t)(mx > my ? mx : my) * (size_t)g->row;
    g->buf = fftw_malloc((size_t)g->threads * g->buf_stride * sizeof(fftw_complex));
    g->rho = gmd_calloc((size_t)g->ns * g->nmodes * 2, sizeof(double), "S(k) grid modes", err);
    g->start = gmd_calloc((size_t)mx * (size_t)my + 1, sizeof(int), "S(k) grid", err);
    g->ycount = gmd_calloc((size_t)g->threads * (size_t)(my + 1), sizeof(int), "S(k) grid", err);
    g->ztop = gmd_calloc(g->nlines / (size_t)g->nzk * (size_t)(2 * g->nmax[0] + 1), sizeof(int),
                         "S(k) grid", err);
    g->ytop = gmd_calloc((size_t)(2 * g->nmax[1] + 1), sizeof(int), "S(k) grid", err);
    int ok = g->plane && g->qy && g->buf && g->rho && g->start && g->ycount && g->ztop && g->ytop;
    if (g->qy) /* the columns past a row's top are transformed but never copied: zeros */
        memset(g->qy, 0,
               g->nlines / (size_t)g->nzk * (size_t)mx * (size_t)g->row * sizeof(fftw_complex));
    for (int d = 0; d < 2 && ok; d++) {
        g->deconv[d] = gmd_calloc((size_t)(2 * g->nmax[d] + 1), sizeof(double), "S(k) grid", err);
        if ((ok = g->deconv[d] != NULL))
            fill_deconv(g->deconv[d], g->nmax[d], g->mesh[d], g->width, g->kern[d].beta);
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
    free(g->key);
    free(g->sorted);
    free(g->first_y);
    free(g->weight);
    free(g->zphase);
    free(g->list);
    g->list = gmd_calloc((size_t)g->threads * (n + 1), sizeof(sqg_entry), "S(k) grid", err);
    g->atom = gmd_calloc(n, sizeof(int), "S(k) grid atoms", err);
    g->key = gmd_calloc(n, sizeof(int), "S(k) grid atoms", err);
    g->sorted = gmd_calloc(n, sizeof(int), "S(k) grid atoms", err);
    g->first_y = gmd_calloc(n, sizeof(int), "S(k) grid stencils", err);
    g->weight = gmd_calloc(n * (size_t)g->wstride, sizeof(double), "S(k) grid stencils", err);
    g->zphase = gmd_calloc(n * (size_t)g->row * 2, sizeof(double), "S(k) grid phases", err);
    g->atom_cap =
        (g->atom && g->key && g->sorted && g->first_y && g->weight && g->zphase && g->list) ? n : 0;
    return g->atom_cap ? GMD_OK : GMD_ERR_NOMEM;
}

/* ---------------------------------------------------------------- spreading */

/* The w weights phi_d(x0[d] - j), j = 0 .. w - 1 (x0[d] - j within [-a, a]), of both
 * directions into out[d w + j]: each weight's polynomial in z = 2 (x0[d] - a + 1) - 1
 * (sqg_poly), split into its even and odd powers, E(z^2) + z O(z^2), by Horner's rule over
 * all SQG_LANES lanes at once (whole vectors; the lanes past 2 w have zero coefficients):
 * two independent chains of half the degree (was the kernel's series in y, ~40 terms on
 * the melt: 3 times the multiply-adds). */
GMD_SIMD_CLONES
static void kernel_weights(const gmd_sq_grid *g, const double x0[2], double *restrict out)
{
    const sqg_poly *P = &g->poly;
    const int w = g->width;
    const double base = 0.5 * w - 1.0;
    double z[SQG_LANES], z2[SQG_LANES], e[SQG_LANES], o[SQG_LANES];
    for (int j = 0; j < SQG_LANES; j++) {
        z[j] = 2.0 * (x0[j >= w] - base) - 1.0;
        z2[j] = z[j] * z[j];
        e[j] = P->even[P->top][j];
        o[j] = P->odd[P->top][j];
    }
    for (int t = P->top - 1; t >= 0; t--)
        for (int j = 0; j < SQG_LANES; j++) {
            e[j] = e[j] * z2[j] + P->even[t][j];
            o[j] = o[j] * z2[j] + P->odd[t][j];
        }
    for (int j = 0; j < 2 * w; j++)
        out[j] = e[j] + z[j] * o[j];
}

/* Coordinate d of atom i wrapped into [0, len): the phases are periodic in the box. */
static double wrapped(const gmd_frame *f, size_t i, int d)
{
    const double len = f->box.len[d];
    double x = f->r[d][i];
    return x - len * floor(x / len);
}

/* First mesh index of atom i's stencil in x and y (the w mesh points within a of u = r M /
 * L: u - first in [a - 1, a)), and u - first into x0 (may be NULL). */
static void stencil_first(const gmd_sq_grid *g, const gmd_frame *f, size_t i, int first[2],
                          double *x0)
{
    for (int d = 0; d < 2; d++) {
        const double u = wrapped(f, i, d) * (g->mesh[d] / f->box.len[d]);
        const double base = floor(u - 0.5 * g->width) + 1.0;
        const int m = (int)base % g->mesh[d];
        first[d] = m < 0 ? m + g->mesh[d] : m;
        if (x0) x0[d] = u - base;
    }
}

/* Stencil of sorted slot k (atom i): its first mesh index in y, its weights (w in x, then
 * SQG_TILE - 1 zeros, w in y and SQG_TILE - 1 zeros: gather_tile reads a tile's columns
 * at fixed offsets, those beyond the stencil weigh 0), and the phases exp(-i n3 u_z z) (as
 * the direct sum's tables: one sine and cosine, then the recurrence). */
static void stencil(gmd_sq_grid *g, const gmd_frame *f, size_t i, size_t k)
{
    const int w = g->width;
    int first[2];
    double x0[2], both[2 * SQG_MAX_WIDTH];
    stencil_first(g, f, i, first, x0);
    g->first_y[k] = first[1];
    kernel_weights(g, x0, both);
    double *wt = g->weight + k * (size_t)g->wstride;
    memset(wt, 0, (size_t)g->wstride * sizeof(double));
    memcpy(wt, both, (size_t)w * sizeof(double));
    memcpy(wt + w + SQG_TILE - 1, both + w, (size_t)w * sizeof(double));
    const double t = 2.0 * GMD_PI / f->box.len[2] * wrapped(f, i, 2), c = cos(t), sn = -sin(t);
    double *z = g->zphase + k * (size_t)g->row * 2; /* zero past nzk */
    z[0] = 1.0;
    z[1] = 0.0;
    for (int n = 1; n < g->nzk; n++) {
        z[2 * n] = z[2 * n - 2] * c - z[2 * n - 1] * sn;
        z[2 * n + 1] = z[2 * n - 2] * sn + z[2 * n - 1] * c;
    }
}

/* The atoms of species a into g->atom, sorted (stably, by counting) by the mesh column
 * their stencil starts in, key = first_x M_y + first_y, and their stencils in that order;
 * start[key] is the first sorted slot of the key, so the atoms of one first_x whose
 * first_y lies in a range are one run of slots (tile_runs). Returns the number of atoms. */
static size_t species_stencils(gmd_sq_grid *g, const gmd_frame *f, int a)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n; i++)
        if (f->type[i] == a) g->atom[n++] = (int)i;
    const size_t nkey = (size_t)g->mesh[0] * (size_t)g->mesh[1];
    memset(g->start, 0, (nkey + 1) * sizeof(int));
    for (size_t s = 0; s < n; s++) {
        int first[2];
        stencil_first(g, f, (size_t)g->atom[s], first, NULL);
        g->key[s] = first[0] * g->mesh[1] + first[1];
        g->start[g->key[s] + 1]++;
    }
    for (size_t b = 0; b < nkey; b++)
        g->start[b + 1] += g->start[b];
    for (size_t s = 0; s < n; s++)
        g->sorted[g->start[g->key[s]]++] = (int)s;
    for (size_t b = nkey; b > 0; b--) /* back to the first slot of each key */
        g->start[b] = g->start[b - 1];
    g->start[0] = 0;
    const long nl = (long)n;
#pragma omp parallel for num_threads(g->threads) schedule(static)
    for (long k = 0; k < nl; k++)
        stencil(g, f, (size_t)g->atom[g->sorted[k]], (size_t)k);
    return n;
}

/* The atoms whose stencils cover x-plane ix (first_x = ix - jx, jx = 0 .. w - 1), sorted
 * (stably, by counting) by the first mesh index in y of their stencils, into list; the
 * atoms of first_y = j are list[ycount[j] .. ycount[j + 1]), so those that add to a tile
 * of columns are one run of the list (two where the stencils wrap round). */
static void plane_list(const gmd_sq_grid *g, int ix, sqg_entry *list, int *ycount)
{
    const int mx = g->mesh[0], my = g->mesh[1], w = g->width;
    memset(ycount, 0, (size_t)(my + 1) * sizeof(int));
    for (int jx = 0; jx < w; jx++) {
        const int bx = ix - jx < 0 ? ix - jx + mx : ix - jx;
        const int *st = g->start + (size_t)bx * (size_t)my;
        for (int k = st[0]; k < st[my]; k++)
            ycount[g->first_y[k] + 1]++;
    }
    for (int j = 0; j < my; j++)
        ycount[j + 1] += ycount[j];
    for (int jx = 0; jx < w; jx++) {
        const int bx = ix - jx < 0 ? ix - jx + mx : ix - jx;
        const int *st = g->start + (size_t)bx * (size_t)my;
        for (int k = st[0]; k < st[my]; k++)
            list[ycount[g->first_y[k]]++] =
                (sqg_entry){k, g->first_y[k], g->weight[(size_t)k * (size_t)g->wstride + jx]};
    }
    for (int j = my; j > 0; j--) /* back to the first entry of each first_y */
        ycount[j] = ycount[j - 1];
    ycount[0] = 0;
}

/* Eight doubles (GCC's vector extension: one AVX-512 register, two AVX2 ones); loads and
 * stores need only a double's alignment. */
typedef double sqg_v8 __attribute__((vector_size(64), aligned(8)));

/* Mesh columns iy0 .. iy0 + SQG_TILE - 1 of one plane, doubles [8 v0, 8 (v0 + R)) of each,
 * summed over the runs' atoms in a fixed order (runs, then slots), in registers:
 * out[c][v] = sum_k w_x(k) w_y(k, c) z_k[v]. Only columns below `ncol` are stored. */
static inline __attribute__((always_inline)) void gather_tile_r(const gmd_sq_grid *g,
                                                                const sqg_entry *list,
                                                                const int run[4], int iy0, int v0,
                                                                double *out, int ncol, const int R)
{
    const size_t rowd = 2 * (size_t)g->row;
    const int w = g->width;
    sqg_v8 acc[SQG_TILE][8];
#pragma GCC unroll 8
    for (int v = 0; v < R; v++)
        for (int c = 0; c < SQG_TILE; c++)
            acc[c][v] = (sqg_v8){0};
    for (int r = 0; r < 2; r++) { /* the wrapped run (first_y - M_y), then the other */
        const int base = iy0 + SQG_TILE - 1 + w + (r == 0 ? g->mesh[1] : 0);
        for (int e = run[2 * r]; e < run[2 * r + 1]; e++) {
            const size_t k = (size_t)list[e].k;
            const double *wy = g->weight + k * (size_t)g->wstride + base - list[e].first_y;
            const sqg_v8 *z = (const sqg_v8 *)(g->zphase + k * rowd) + v0;
            double wc[SQG_TILE];
            for (int c = 0; c < SQG_TILE; c++)
                wc[c] = list[e].wx * wy[c];
#pragma GCC unroll 8
            for (int v = 0; v < R; v++) {
                const sqg_v8 zv = z[v];
                for (int c = 0; c < SQG_TILE; c++)
                    acc[c][v] += wc[c] * zv;
            }
        }
    }
    for (int c = 0; c < ncol; c++) {
        sqg_v8 *o = (sqg_v8 *)(out + (size_t)c * rowd) + v0;
#pragma GCC unroll 8
        for (int v = 0; v < R; v++)
            o[v] = acc[c][v];
    }
}

/* gather_tile_r with R known to the compiler (the accumulators then stay in registers), in
 * chunks of at most 8 vectors of a column. The cost of spreading, hence GMD_SIMD_CLONES. */
GMD_SIMD_CLONES
static void gather_tile(const gmd_sq_grid *g, const sqg_entry *list, const int run[4], int iy0,
                        double *out, int ncol)
{
    const int nvec = g->row / 4; /* row: a multiple of SQG_ALIGN = 4 complex, 8 doubles */
    for (int v0 = 0; v0 < nvec; v0 += 8) {
/* one case per vector count: the count is a constant in each (gather_tile_r) */
#define SQG_GATHER_CASE(R)                                                                         \
    case R:                                                                                        \
        gather_tile_r(g, list, run, iy0, v0, out, ncol, R);                                        \
        break
        switch (nvec - v0 < 8 ? nvec - v0 : 8) {
            SQG_GATHER_CASE(1);
            SQG_GATHER_CASE(2);
            SQG_GATHER_CASE(3);
            SQG_GATHER_CASE(4);
            SQG_GATHER_CASE(5);
            SQG_GATHER_CASE(6);
            SQG_GATHER_CASE(7);
            SQG_GATHER_CASE(8);
        }
#undef SQG_GATHER_CASE
    }
}

/* Q of x-plane ix, [iy][n3], gathered tile by tile into plane: every column is the sum of
 * the weighted phases of the atoms whose stencils cover it, in an order fixed by the
 * sorts (not by the threads). A tile's atoms: first_y in [iy0 - w + 1, min(iy0 + SQG_TILE,
 * M_y) - 1], those below 0 wrapped (first_y - M_y: the run from lo + M_y to the end). */
static void gather_plane(const gmd_sq_grid *g, int ix, fftw_complex *plane, sqg_entry *list,
                         int *ycount)
{
    const int my = g->mesh[1], w = g->width;
    plane_list(g, ix, list, ycount);
    for (int iy0 = 0; iy0 < my; iy0 += SQG_TILE) {
        const int lo = iy0 - w + 1, hi = iy0 + SQG_TILE - 1 < my ? iy0 + SQG_TILE - 1 : my - 1;
        const int run[4] = {lo < 0 ? ycount[lo + my] : 0, lo < 0 ? ycount[my] : 0,
                            ycount[lo < 0 ? 0 : lo], ycount[hi + 1]};
        gather_tile(g, list, run, iy0, (double *)(plane + (size_t)iy0 * (size_t)g->row),
                    my - iy0 < SQG_TILE ? my - iy0 : SQG_TILE);
    }
}

/* ---------------------------------------------------------------- transform */

static int wrap_mode(int n, int m)
{
    return n < 0 ? n + m : n;
}

static int thread_id(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* Each x-plane gathered into the thread's plane, its y transform into the thread's buffer,
 * and the kept rows |n2| <= nmax_y of it into qy. */
static void transform_planes(gmd_sq_grid *g)
{
    const int mx = g->mesh[0], my = g->mesh[1], ny = g->nmax[1];
#pragma omp parallel num_threads(g->threads)
    {
        const size_t tid = (size_t)thread_id();
        fftw_complex *out = g->buf + tid * g->buf_stride;
        fftw_complex *plane = g->plane + tid * g->thread_plane;
        sqg_entry *list = g->list + tid * (g->atom_cap + 1);
        int *ycount = g->ycount + tid * (size_t)(my + 1);
#pragma omp for schedule(static)
        for (int ix = 0; ix < mx; ix++) {
            gather_plane(g, ix, plane, list, ycount);
            fftw_execute_dft(g->y_c2c, plane, out);
            for (int n2 = -ny; n2 <= ny; n2++)
                memcpy(g->qy + ((size_t)(n2 + ny) * (size_t)mx + (size_t)ix) * (size_t)g->row,
                       out + (size_t)wrap_mode(n2, my) * (size_t)g->row,
                       (size_t)(g->ytop[n2 + ny] + 1) * sizeof(fftw_complex));
        }
    }
}

/* x transform of the kept rows |n2| <= nmax_y, deconvolved and conjugated into rho of
 * species a. */
static void transform_rows(gmd_sq_grid *g, int a)
{
    const int mx = g->mesh[0], nx = g->nmax[0], ny = g->nmax[1], nzk = g->nzk;
    double *rho = g->rho + (size_t)a * g->nmodes * 2;
#pragma omp parallel num_threads(g->threads)
    {
        fftw_complex *out = g->buf + (size_t)thread_id() * g->buf_stride;
#pragma omp for schedule(static)
        for (int n2 = -ny; n2 <= ny; n2++) {
            if (g->ytop[n2 + ny] < 0) continue; /* no mode of the row within kmax */
            fftw_execute_dft(g->x_c2c[g->ytop[n2 + ny]],
                             g->qy + (size_t)(n2 + ny) * (size_t)mx * (size_t)g->row, out);
            const double dy = g->deconv[1][n2 + ny];
            for (int n1 = -nx; n1 <= nx; n1++) {
                const fftw_complex *c = out + (size_t)wrap_mode(n1, mx) * (size_t)g->row;
                const double s = dy * g->deconv[0][n1 + nx];
                const size_t line = (size_t)(n2 + ny) * (size_t)(2 * nx + 1) + (size_t)(n1 + nx);
                double *r = rho + line * (size_t)nzk * 2;
                for (int n3 = 0; n3 <= g->ztop[line]; n3++) {
                    r[2 * n3] = c[n3][0] * s;
                    r[2 * n3 + 1] = -c[n3][1] * s;
                }
            }
        }
    }
}

/* ---------------------------------------------------------------- the interface */

/* The highest n3 of every column (n1, n2) within |k| <= kmax in this frame's box (-1: none),
 * with the expressions of sq.c's list of vectors, one more for safety, at most nmax_z; and
 * of every row n2. Only those modes are copied and deconvolved: ~half the box of modes. */
static void column_tops(gmd_sq_grid *g, const gmd_box *box, double kmax)
{
    const int nx = g->nmax[0], ny = g->nmax[1];
    double u[3];
    for (int k = 0; k < 3; k++)
        u[k] = 2.0 * GMD_PI / box->len[k];
    for (int n2 = -ny; n2 <= ny; n2++) {
        int row = -1;
        for (int n1 = -nx; n1 <= nx; n1++) {
            const double kxy2 = (n1 * u[0]) * (n1 * u[0]) + (n2 * u[1]) * (n2 * u[1]);
            int h = kxy2 > kmax * kmax ? -1 : (int)floor(sqrt(kmax * kmax - kxy2) / u[2]);
            h = h + 1 < g->nzk - 1 ? h + 1 : g->nzk - 1;
            g->ztop[(size_t)(n2 + ny) * (size_t)(2 * nx + 1) + (size_t)(n1 + nx)] = h;
            row = h > row ? h : row;
        }
        g->ytop[n2 + ny] = row;
    }
}

gmd_status gmd_sq_grid_frame(gmd_sq_grid **out, const gmd_frame *f, int nspecies,
                             unsigned species_mask, double kmax, int threads, gmd_error *err)
{
    gmd_status st = grid_for(out, f, nspecies, species_mask, kmax, threads, err);
    if (st != GMD_OK) return st;
    gmd_sq_grid *g = *out;
    if ((st = atom_space(g, f->n, err)) != GMD_OK) return st;
    column_tops(g, &f->box, kmax);
    for (int a = 0; a < nspecies; a++) {
        if (!(species_mask >> a & 1u)) {
            memset(g->rho + (size_t)a * g->nmodes * 2, 0, g->nmodes * 2 * sizeof(double));
            continue;
        }
        species_stencils(g, f, a);
        transform_planes(g);
        transform_rows(g, a);
    }
    return GMD_OK;
}

const double *gmd_sq_grid_column(const gmd_sq_grid *g, int a, int n1, int n2)
{
    const size_t line =
        (size_t)(n2 + g->nmax[1]) * (size_t)(2 * g->nmax[0] + 1) + (size_t)(n1 + g->nmax[0]);
    return g->rho + ((size_t)a * g->nmodes + line * (size_t)g->nzk) * 2;
}

void gmd_sq_grid_kernel_fit(const gmd_sq_grid *g, int *degree, double *error)
{
    *degree = g->poly.degree;
    *error = g->poly.error;
}

void gmd_sq_grid_params(const gmd_sq_grid *g, int mesh[2], int *width, double *alias_bound)
{
    memcpy(mesh, g->mesh, 2 * sizeof(int));
    *width = g->width;
    *alias_bound = g->alias;
}
