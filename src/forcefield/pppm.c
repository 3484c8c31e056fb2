/* pppm.c - particle-particle particle-mesh (P3M) reciprocal-space Coulomb, with FFTW3.
 *
 * Algorithm (Hockney & Eastwood; Deserno & Holm, J. Chem. Phys. 109, 7678 (1998)), for an
 * orthorhombic box of volume V and a mesh of nx x ny x nz points, spacing h_d = L_d / n_d:
 *   1. assignment: each charge is spread onto P^3 mesh points with the order-P cardinal
 *      B-spline weights W (P = 5 by default): Q_m = sum_i q_i W(r_i - r_m);
 *   2. r2c FFT: Q^(k);
 *   3. energy E = k_e / (2V) sum_k G(k) |Q^(k)|^2, virial as for Ewald per mesh k-vector;
 *   4. ik differentiation: E_d(k) = -i k_d G(k) Q^(k) / V, three c2r FFTs give the field
 *      on the mesh (k_d = 0 at the Nyquist index of direction d, where a derivative has
 *      no sign);
 *   5. interpolation with the same weights: F_i = k_e q_i sum_m W(r_i - r_m) E(r_m).
 * G is the optimal influence function for ik differentiation (Hockney-Eastwood):
 *   G(k) = sum_m (k.k_m / k_m^2) R(k_m) U^2(k_m) / (k^2 [sum_m U^2(k_m)]^2),
 *   R(k) = 4 pi exp(-k^2/4g^2), U(k) = prod_d sinc(k_d h_d / 2)^P, k_m = k + 2 pi m / h,
 * with the numerator's alias sum over |m_d| <= 2 and the denominator's alias sum, which
 * factorises into 1-d sums, taken to |m| <= 200. G is computed at creation and again
 * whenever the box changes. Self energy and neutralising background as in ewald.c (the
 * background, scaling as 1/V, also enters the diagonal virial). With ik differentiation
 * the forces are not exactly minus the gradient of the mesh energy: test them against
 * Ewald, not against finite differences.
 *
 * Data layout: mesh arrays are C row-major [ix][iy][iz] as FFTW expects; the complex
 * half-spectrum is [ix][iy][iz <= nz/2]. Per atom, the first mesh index of its stencil and
 * its P weights per direction are kept (stencil_first[d][i], weight[d][i*P + j]) so that
 * spreading and interpolation use identical weights.
 * Threads: the weights and the interpolation run over atoms; the spreading partitions the
 * mesh into slabs of x-planes, each thread adding into its own slab only, visiting atoms
 * in order, so every mesh sum has a fixed order and the result does not depend on the
 * thread count. FFTs are serial (Debian's fftw3_omp is not linked) and planned once with
 * FFTW_ESTIMATE, which gives reproducible plans. FFTW's planner is not thread-safe: do not
 * create PPPM terms from several threads at once. */
#include "glassmd/kspace.h"

#include <fftw3.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "glassmd/units.h"

#define ALIAS_NUMERATOR 2
#define ALIAS_DENOMINATOR 200
#define MAX_ORDER 7

typedef struct pppm_state {
    gmd_kspace_params params;
    int n[3]; /* mesh points per direction */
    int nzc;  /* nz / 2 + 1 complex points along z */
    size_t nreal, ncomplex;
    int order;
    double len[3];      /* box lengths G belongs to */
    double *green;      /* G(k) on the half spectrum */
    double *kfold[3];   /* k_d for each index (folded to -n/2..n/2), 1/A */
    double *kdiff[3];   /* k_d used for differentiation (0 at Nyquist) */
    double *mesh;       /* charge on mesh points (fftw_malloc) */
    double *field[3];   /* field components on the mesh (fftw_malloc) */
    fftw_complex *qhat; /* FFT of the mesh charge */
    fftw_complex *work; /* one field component in k-space (destroyed by c2r) */
    fftw_plan forward, backward;
    size_t atom_cap;
    int *first[3]; /* first mesh index of each atom's stencil (may be outside 0..n-1) */
    double *weight[3];
} pppm_state;

/* ---------------------------------------------------------------- weights */

/* Cardinal B-spline M_P(w + j), j = 0..P-1, 0 <= w < 1, by the recursion
 * M_k(x) = [x M_{k-1}(x) + (k - x) M_{k-1}(x - 1)] / (k - 1), M_1 = box on [0, 1). */
static void bspline_values(double w, int order, double *m)
{
    m[0] = 1.0;
    for (int j = 1; j < order; j++)
        m[j] = 0.0;
    for (int k = 2; k <= order; k++) {
        for (int j = k - 1; j >= 0; j--) {
            double x = w + j;
            double left = j > 0 ? m[j - 1] : 0.0;
            m[j] = (x * m[j] + (k - x) * left) / (k - 1);
        }
    }
}

/* Stencil of one coordinate: with v = u + P/2 (u in mesh units), the points floor(v) - j
 * get weight M_P(frac(v) + j); the stencil is centred on u. Stored in ascending order. */
static void stencil(double u, int order, int *first, double *weight)
{
    double m[MAX_ORDER];
    double v = u + 0.5 * order;
    double base = floor(v);
    bspline_values(v - base, order, m);
    *first = (int)base - (order - 1);
    for (int j = 0; j < order; j++)
        weight[j] = m[order - 1 - j];
}

static inline int wrap_index(int m, int n)
{
    m %= n;
    return m < 0 ? m + n : m;
}

static void compute_stencils(pppm_state *s, const gmd_box *box, const gmd_atoms *atoms, int threads)
{
    const long natoms = (long)atoms->n;
    const int P = s->order;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (long i = 0; i < natoms; i++) {
        for (int d = 0; d < 3; d++) {
            double u = (atoms->r[d][i] - box->lo[d]) * s->n[d] / box->len[d];
            stencil(u, P, &s->first[d][i], &s->weight[d][(size_t)i * P]);
        }
    }
}

/* ---------------------------------------------------------------- spreading */

static void spread_charges(pppm_state *s, const gmd_atoms *atoms, int threads)
{
    const int nx = s->n[0], ny = s->n[1], nz = s->n[2], P = s->order;
    memset(s->mesh, 0, s->nreal * sizeof(double));
#pragma omp parallel num_threads(threads)
    {
        int nthreads = 1, me = 0;
#ifdef _OPENMP
        nthreads = omp_get_num_threads();
        me = omp_get_thread_num();
#endif
        const int xlo = (int)((long)me * nx / nthreads);
        const int xhi = (int)((long)(me + 1) * nx / nthreads);
        for (size_t i = 0; i < atoms->n; i++) {
            const double *wx = &s->weight[0][i * P], *wy = &s->weight[1][i * P];
            const double *wz = &s->weight[2][i * P];
            for (int a = 0; a < P; a++) {
                int ix = wrap_index(s->first[0][i] + a, nx);
                if (ix < xlo || ix >= xhi) continue;
                double qa = atoms->charge[i] * wx[a];
                for (int b = 0; b < P; b++) {
                    int iy = wrap_index(s->first[1][i] + b, ny);
                    double qab = qa * wy[b];
                    double *row = s->mesh + ((size_t)ix * ny + iy) * nz;
                    for (int c = 0; c < P; c++)
                        row[wrap_index(s->first[2][i] + c, nz)] += qab * wz[c];
                }
            }
        } /* loop over atoms */
    }
}

/* ---------------------------------------------------------------- influence function */

static double sinc(double x)
{
    return fabs(x) < 1e-12 ? 1.0 : sin(x) / x;
}

static void fold_wavevectors(pppm_state *s, const gmd_box *box)
{
    for (int d = 0; d < 3; d++) {
        int n = s->n[d];
        double unit = 2.0 * GMD_PI / box->len[d];
        for (int i = 0; i < n; i++) {
            int per = i <= n / 2 ? i : i - n;
            if (2 * i == n) per = -i;
            s->kfold[d][i] = unit * per;
            s->kdiff[d][i] = (2 * i == n) ? 0.0 : unit * per;
        }
    }
}

/* 1-d alias sum of U^2 = sinc^{2P}(k h / 2) over k + 2 pi m / h, |m| <= ALIAS_DENOMINATOR. */
static double alias_u2_sum(double kh_half, int order)
{
    double sum = 0.0;
    for (int m = -ALIAS_DENOMINATOR; m <= ALIAS_DENOMINATOR; m++)
        sum += pow(sinc(kh_half + GMD_PI * m), 2 * order);
    return sum;
}

/* Per direction and index: the 1-d alias sum of U^2 (denominator) and, for the
 * numerator's aliases m, k_m and exp(-k_m^2/4g^2) U^2(k_m). */
typedef struct alias_tables {
    double *denom[3], *km[3], *fac[3];
} alias_tables;

static void free_alias_tables(alias_tables *t)
{
    for (int d = 0; d < 3; d++) {
        free(t->denom[d]);
        free(t->km[d]);
        free(t->fac[d]);
    }
}

static gmd_status build_alias_tables(const pppm_state *s, const gmd_box *box, alias_tables *t,
                                     gmd_error *err)
{
    const int nalias = 2 * ALIAS_NUMERATOR + 1, P = s->order;
    const double g = s->params.g_ewald;
    memset(t, 0, sizeof *t);
    for (int d = 0; d < 3; d++) {
        size_t n = (size_t)s->n[d];
        t->denom[d] = gmd_calloc(n, sizeof(double), "pppm alias sums", err);
        t->km[d] = gmd_calloc(n * nalias, sizeof(double), "pppm alias sums", err);
        t->fac[d] = gmd_calloc(n * nalias, sizeof(double), "pppm alias sums", err);
        if (!t->denom[d] || !t->km[d] || !t->fac[d]) {
            free_alias_tables(t);
            return err ? err->code : GMD_ERR_NOMEM;
        }
        double h = box->len[d] / s->n[d];
        for (size_t i = 0; i < n; i++) {
            double k = s->kfold[d][i];
            t->denom[d][i] = alias_u2_sum(0.5 * k * h, P);
            for (int m = -ALIAS_NUMERATOR; m <= ALIAS_NUMERATOR; m++) {
                double q = k + 2.0 * GMD_PI * m / h;
                size_t at = i * nalias + (size_t)(m + ALIAS_NUMERATOR);
                t->km[d][at] = q;
                t->fac[d][at] = exp(-0.25 * q * q / (g * g)) * pow(sinc(0.5 * q * h), 2 * P);
            }
        }
    }
    return GMD_OK;
}

static double green_at(const pppm_state *s, const alias_tables *t, int ix, int iy, int iz)
{
    const int nalias = 2 * ALIAS_NUMERATOR + 1;
    const double k[3] = {s->kfold[0][ix], s->kfold[1][iy], s->kfold[2][iz]};
    const double k2 = k[0] * k[0] + k[1] * k[1] + k[2] * k[2];
    if (k2 == 0.0) return 0.0;
    const double *kx = &t->km[0][(size_t)ix * nalias], *fx = &t->fac[0][(size_t)ix * nalias];
    const double *ky = &t->km[1][(size_t)iy * nalias], *fy = &t->fac[1][(size_t)iy * nalias];
    const double *kz = &t->km[2][(size_t)iz * nalias], *fz = &t->fac[2][(size_t)iz * nalias];
    double num = 0.0;
    for (int a = 0; a < nalias; a++)
        for (int b = 0; b < nalias; b++)
            for (int c = 0; c < nalias; c++) {
                double q2 = kx[a] * kx[a] + ky[b] * ky[b] + kz[c] * kz[c];
                double dot = k[0] * kx[a] + k[1] * ky[b] + k[2] * kz[c];
                num += dot / q2 * fx[a] * fy[b] * fz[c];
            }
    double den = t->denom[0][ix] * t->denom[1][iy] * t->denom[2][iz];
    return 4.0 * GMD_PI * num / (k2 * den * den);
}

static gmd_status compute_green(pppm_state *s, const gmd_box *box, int threads, gmd_error *err)
{
    const int nx = s->n[0], ny = s->n[1], nzc = s->nzc;
    fold_wavevectors(s, box);
    alias_tables t;
    gmd_status st = build_alias_tables(s, box, &t, err);
    if (st != GMD_OK) return st;
    for (int d = 0; d < 3; d++)
        s->len[d] = box->len[d];
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int ix = 0; ix < nx; ix++)
        for (int iy = 0; iy < ny; iy++)
            for (int iz = 0; iz < nzc; iz++)
                s->green[((size_t)ix * ny + iy) * nzc + iz] = green_at(s, &t, ix, iy, iz);
    free_alias_tables(&t);
    return GMD_OK;
}

/* ---------------------------------------------------------------- solve */

/* Energy and virial from the half spectrum (entries 0 < iz < nz/2 stand for two). */
static double mesh_energy(const pppm_state *s, double volume, double virial[6])
{
    const int nx = s->n[0], ny = s->n[1], nz = s->n[2], nzc = s->nzc;
    const double g = s->params.g_ewald, scale = GMD_COULOMB_EV_A / (2.0 * volume);
    double energy = 0.0;
    for (int ix = 0; ix < nx; ix++)
        for (int iy = 0; iy < ny; iy++)
            for (int iz = 0; iz < nzc; iz++) {
                size_t at = ((size_t)ix * ny + iy) * nzc + iz;
                if (s->green[at] == 0.0) continue;
                double mult = (iz == 0 || 2 * iz == nz) ? 1.0 : 2.0;
                double re = s->qhat[at][0], im = s->qhat[at][1];
                double ek = mult * scale * s->green[at] * (re * re + im * im);
                double kx = s->kfold[0][ix], ky = s->kfold[1][iy], kz = s->kfold[2][iz];
                double b = -2.0 * (1.0 / (kx * kx + ky * ky + kz * kz) + 0.25 / (g * g));
                energy += ek;
                virial[0] += ek * (1.0 + b * kx * kx);
                virial[1] += ek * (1.0 + b * ky * ky);
                virial[2] += ek * (1.0 + b * kz * kz);
                virial[3] += ek * b * kx * ky;
                virial[4] += ek * b * kx * kz;
                virial[5] += ek * b * ky * kz;
            }
    return energy;
}

/* field_d on the mesh = c2r( -i k_d G Q^ / V ). */
static void mesh_field(pppm_state *s, double volume, int threads)
{
    const int nx = s->n[0], ny = s->n[1], nzc = s->nzc;
    for (int d = 0; d < 3; d++) {
#pragma omp parallel for num_threads(threads) schedule(static)
        for (int ix = 0; ix < nx; ix++)
            for (int iy = 0; iy < ny; iy++)
                for (int iz = 0; iz < nzc; iz++) {
                    size_t at = ((size_t)ix * ny + iy) * nzc + iz;
                    const int idx[3] = {ix, iy, iz};
                    double c = s->kdiff[d][idx[d]] * s->green[at] / volume;
                    /* (re + i im) * (-i c) = c im - i c re */
                    s->work[at][0] = c * s->qhat[at][1];
                    s->work[at][1] = -c * s->qhat[at][0];
                }
        fftw_execute_dft_c2r(s->backward, s->work, s->field[d]);
    }
}

static void interpolate_forces(const pppm_state *s, gmd_atoms *atoms, int threads)
{
    const int nx = s->n[0], ny = s->n[1], nz = s->n[2], P = s->order;
    const long natoms = (long)atoms->n;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (long i = 0; i < natoms; i++) {
        const double *wx = &s->weight[0][(size_t)i * P], *wy = &s->weight[1][(size_t)i * P];
        const double *wz = &s->weight[2][(size_t)i * P];
        double e[3] = {0.0, 0.0, 0.0};
        for (int a = 0; a < P; a++) {
            int ix = wrap_index(s->first[0][i] + a, nx);
            for (int b = 0; b < P; b++) {
                int iy = wrap_index(s->first[1][i] + b, ny);
                double wab = wx[a] * wy[b];
                size_t row = ((size_t)ix * ny + iy) * nz;
                for (int c = 0; c < P; c++) {
                    size_t at = row + (size_t)wrap_index(s->first[2][i] + c, nz);
                    double w = wab * wz[c];
                    e[0] += w * s->field[0][at];
                    e[1] += w * s->field[1][at];
                    e[2] += w * s->field[2][at];
                }
            }
        }
        double qk = GMD_COULOMB_EV_A * atoms->charge[i];
        for (int d = 0; d < 3; d++)
            atoms->f[d][i] += qk * e[d];
    } /* loop over atoms */
}

static gmd_status ensure_atom_arrays(pppm_state *s, size_t n, gmd_error *err)
{
    if (n <= s->atom_cap) return GMD_OK;
    for (int d = 0; d < 3; d++) {
        int *f = gmd_realloc(s->first[d], n, sizeof(int), "pppm stencils", err);
        if (!f) return err ? err->code : GMD_ERR_NOMEM;
        s->first[d] = f;
        double *w =
            gmd_realloc(s->weight[d], n * (size_t)s->order, sizeof(double), "pppm weights", err);
        if (!w) return err ? err->code : GMD_ERR_NOMEM;
        s->weight[d] = w;
    }
    s->atom_cap = n;
    return GMD_OK;
}

static double self_and_background(const gmd_atoms *atoms, double g, double volume,
                                  double *background)
{
    double qsum = 0.0, qsqsum = 0.0;
    for (size_t i = 0; i < atoms->n; i++) {
        qsum += atoms->charge[i];
        qsqsum += atoms->charge[i] * atoms->charge[i];
    }
    *background = -GMD_PI * GMD_COULOMB_EV_A * qsum * qsum / (2.0 * volume * g * g);
    return -GMD_COULOMB_EV_A * g / sqrt(GMD_PI) * qsqsum + *background;
}

static gmd_status pppm_compute(gmd_term *self, const gmd_compute_args *args, gmd_tally *tally,
                               gmd_error *err)
{
    pppm_state *s = self->state;
    const gmd_box *box = args->box;
    gmd_atoms *atoms = args->atoms;
    const int threads = args->threads > 0 ? args->threads : 1;
    gmd_status st = GMD_OK;
    if (box->len[0] != s->len[0] || box->len[1] != s->len[1] || box->len[2] != s->len[2])
        st = compute_green(s, box, threads, err);
    if (st == GMD_OK) st = ensure_atom_arrays(s, atoms->n, err);
    if (st != GMD_OK) return st;
    const double volume = gmd_box_volume(box);
    compute_stencils(s, box, atoms, threads);
    spread_charges(s, atoms, threads);
    fftw_execute(s->forward);
    double virial[6] = {0};
    double e_recip = mesh_energy(s, volume, virial);
    mesh_field(s, volume, threads);
    interpolate_forces(s, atoms, threads);
    double background;
    double e_self = self_and_background(atoms, s->params.g_ewald, volume, &background);
    tally->energy[GMD_PART_COUL_RECIP] += e_recip;
    tally->energy[GMD_PART_COUL_SELF] += e_self;
    for (int a = 0; a < 6; a++)
        tally->virial[a] += virial[a] + (a < 3 ? background : 0.0);
    return GMD_OK;
}

static int pppm_describe(const gmd_term *self, char *buf, size_t len)
{
    const pppm_state *s = self->state;
    const gmd_kspace_params *p = &s->params;
    return snprintf(buf, len,
                    "{\"style\": \"pppm\", \"accuracy\": %.6g, \"cutoff\": %.6g, "
                    "\"g_ewald\": %.10g, \"mesh\": [%d, %d, %d], \"order\": %d, "
                    "\"mesh_margin\": %.3g, \"differentiation\": \"ik\", "
                    "\"estimated_error\": %.6g, \"estimated_error_real\": %.6g, "
                    "\"estimated_error_kspace\": %.6g}",
                    p->accuracy, p->cutoff, p->g_ewald, s->n[0], s->n[1], s->n[2], s->order,
                    p->mesh_margin, p->estimated_error, p->estimated_error_real,
                    p->estimated_error_kspace);
}

static void pppm_destroy(gmd_term *self)
{
    pppm_state *s = self->state;
    if (!s) return;
    if (s->forward) fftw_destroy_plan(s->forward);
    if (s->backward) fftw_destroy_plan(s->backward);
    fftw_free(s->mesh);
    fftw_free(s->qhat);
    fftw_free(s->work);
    for (int d = 0; d < 3; d++) {
        fftw_free(s->field[d]);
        free(s->kfold[d]);
        free(s->kdiff[d]);
        free(s->first[d]);
        free(s->weight[d]);
    }
    free(s->green);
    free(s);
    self->state = NULL;
}

static gmd_status allocate_mesh(pppm_state *s, gmd_error *err)
{
    s->nzc = s->n[2] / 2 + 1;
    s->nreal = (size_t)s->n[0] * s->n[1] * s->n[2];
    s->ncomplex = (size_t)s->n[0] * s->n[1] * s->nzc;
    s->mesh = fftw_malloc(s->nreal * sizeof(double));
    s->qhat = fftw_malloc(s->ncomplex * sizeof(fftw_complex));
    s->work = fftw_malloc(s->ncomplex * sizeof(fftw_complex));
    int ok = s->mesh && s->qhat && s->work;
    for (int d = 0; d < 3; d++) {
        s->field[d] = fftw_malloc(s->nreal * sizeof(double));
        s->kfold[d] = gmd_calloc((size_t)s->n[d], sizeof(double), "pppm wave vectors", err);
        s->kdiff[d] = gmd_calloc((size_t)s->n[d], sizeof(double), "pppm wave vectors", err);
        ok = ok && s->field[d] && s->kfold[d] && s->kdiff[d];
    }
    s->green = gmd_calloc(s->ncomplex, sizeof(double), "pppm influence function", err);
    if (!ok || !s->green)
        return gmd_fail(err, GMD_ERR_NOMEM, "pppm: cannot allocate a %d x %d x %d mesh", s->n[0],
                        s->n[1], s->n[2]);
    s->forward = fftw_plan_dft_r2c_3d(s->n[0], s->n[1], s->n[2], s->mesh, s->qhat, FFTW_ESTIMATE);
    s->backward =
        fftw_plan_dft_c2r_3d(s->n[0], s->n[1], s->n[2], s->work, s->field[0], FFTW_ESTIMATE);
    if (!s->forward || !s->backward)
        return gmd_fail(err, GMD_ERR_INTERNAL, "pppm: FFTW could not plan a %d x %d x %d FFT",
                        s->n[0], s->n[1], s->n[2]);
    return GMD_OK;
}

gmd_status gmd_pppm_create(gmd_term **out, const gmd_kspace_params *params, const gmd_box *box,
                           const gmd_atoms *atoms, gmd_error *err)
{
    *out = NULL;
    gmd_kspace_params p = *params;
    p.method = GMD_KSPACE_PPPM;
    gmd_status st = gmd_kspace_choose(&p, box, atoms, err);
    if (st != GMD_OK) return st;
    gmd_term *term = gmd_calloc(1, sizeof *term, "pppm term", err);
    pppm_state *s = gmd_calloc(1, sizeof *s, "pppm state", err);
    if (!term || !s) {
        free(term);
        free(s);
        return err ? err->code : GMD_ERR_NOMEM;
    }
    term->name = "pppm";
    term->state = s;
    term->compute = pppm_compute;
    term->describe = pppm_describe;
    term->destroy = pppm_destroy;
    s->params = p;
    s->order = p.order;
    for (int d = 0; d < 3; d++)
        s->n[d] = p.mesh[d];
    st = allocate_mesh(s, err);
    if (st == GMD_OK) st = compute_green(s, box, 1, err);
    if (st == GMD_OK) st = ensure_atom_arrays(s, atoms->n, err);
    if (st != GMD_OK) {
        gmd_term_free(term);
        return st;
    }
    *out = term;
    return GMD_OK;
}
