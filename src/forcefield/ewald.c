/* ewald.c - the reciprocal-space part of the Ewald sum, the exact reference for PPPM.
 *
 * With the structure factor S(k) = sum_j q_j exp(i k.r_j) over the reciprocal lattice
 * k = 2 pi (kx/Lx, ky/Ly, kz/Lz) of an orthorhombic box of volume V,
 *   E_recip = (2 pi k_e / V) sum_{k != 0} exp(-k^2 / 4g^2) / k^2 |S(k)|^2
 *           = sum_{half space} u_k |S(k)|^2,  u_k = (4 pi k_e / V) exp(-k^2/4g^2) / k^2,
 * since S(-k) = S(k)*: only one of each pair +-k is stored (kx > 0, or kx = 0 and ky > 0,
 * or kx = ky = 0 and kz > 0). Forces and the virial W_ab = sum_k u_k |S|^2
 * (delta_ab - 2 k_a k_b (1/k^2 + 1/4g^2)) follow analytically:
 *   F_i = q_i sum_k 2 u_k k (sin(k.r_i) Re S - cos(k.r_i) Im S).
 * The self energy -k_e g / sqrt(pi) sum q^2 goes to GMD_KSPACE_PART_SELF, together with the
 * energy of the neutralising background -pi k_e Q^2 / (2 V g^2) that a non-neutral system
 * (net charge Q) needs; that term scales as 1/V, so it adds E_bg to each diagonal virial
 * component (LAMMPS leaves it out of the virial; here the virial stays the strain
 * derivative of the energy).
 *
 * Which k-vectors: integer indices |kd| <= kmax[d] inside the sphere of radius
 * max_d(2 pi kmax[d] / L_d) (LAMMPS's choice). The set of integer vectors is fixed at
 * creation; if the box changes later, only the coefficients are recomputed, so the energy
 * stays a smooth function of the box (needed by barostats and by the strain test) - until
 * the box has grown so far that the limits no longer keep the k-space accuracy asked
 * for: then the set of the larger limits that do (follow_box), in the sphere of the
 * creation box, so that the set depends on the limits alone.
 *
 * Data layout: the k-vectors are grouped in "columns" of equal (kx, ky) with a contiguous
 * range of kz, stored consecutively. Per atom, exp(i kd rd) for every index is built by
 * the recurrence e^{i m x} = e^{i (m-1) x} e^{i x} (one sin/cos per atom and direction),
 * into tables with one row per index m and the atoms along the row, real and imaginary
 * parts apart (re[d][m][i], im[d][m][i], m = 0..kmax in x, -kmax..kmax in y and z), so
 * that every loop below runs over consecutive atoms and vectorises. Then
 *   pass 1 (OpenMP over columns): S(k) for every k of a column, atoms in blocks of
 *          EWALD_BLOCK: q exp(i (kx x + ky y)) of the block once, then per kz two dot
 *          products with the block's z row (vector sums; the blocks added in order);
 *   pass 2 (serial over k): energy and virial;
 *   pass 3 (OpenMP over blocks of EWALD_BLOCK atoms): forces, each block's atoms summing
 *          over the columns and kz in k order, vectorised across the block.
 * (Measured on the quick study's 300-atom melt, 1054 k-vectors: 1.0 ms a call with the
 * atom-major complex tables, whose short kz loops did not vectorise; see git history.)
 * Every sum has a fixed order, so the results do not depend on the thread count. */
#include "glassmd/kspace.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glassmd/units.h"
#include "../core/simd_clones.h" /* the per-column and per-block work */
#include "kspace_internal.h"

typedef struct ewald_column {
    int kx, ky;     /* indices of the column */
    int kzlo, kzhi; /* kz range, inclusive */
    long first;     /* index of its first k-vector */
} ewald_column;

typedef struct ewald_state {
    gmd_kspace_params params;
    double len[3];        /* box lengths the coefficients belong to */
    int kmax_ref[3];      /* the limits chosen at creation, */
    gmd_box box_ref;      /* for this box (follow_box) */
    gmd_kspace_keep keep; /* what follow_box keeps */
    long ncol, nk;
    ewald_column *col;
    double *u;       /* energy coefficient u_k, eV A (times |S|^2 in e^2) */
    double *kvec[3]; /* k components, 1/A */
    double *s_re, *s_im;
    size_t table_cap;      /* atoms the tables can hold: the length of a row */
    int width[3];          /* rows: kmax+1, 2 kmax+1, 2 kmax+1 */
    double *re[3], *im[3]; /* [m][i]: row m (x: m = 0..kmax; y, z: m + kmax) */
} ewald_state;

#define EWALD_BLOCK 64 /* atoms per block in the passes over atoms */

static gmd_status build_columns(ewald_state *s, const gmd_box *box, gmd_error *err)
{
    const int *kmax = s->params.kmax;
    double unit[3], gsqmax = 0.0;
    for (int d = 0; d < 3; d++) {
        unit[d] = 2.0 * GMD_PI / box->len[d];
        gsqmax = fmax(gsqmax, pow(unit[d] * kmax[d], 2));
    }
    gsqmax *= 1.00001; /* keep the limiting vectors themselves despite round-off */
    long maxcol = (long)(kmax[0] + 1) * (2 * kmax[1] + 1);
    s->col = gmd_calloc((size_t)maxcol, sizeof *s->col, "ewald k-vector columns", err);
    if (!s->col) return err ? err->code : GMD_ERR_NOMEM;
    s->ncol = s->nk = 0;
    for (int kx = 0; kx <= kmax[0]; kx++) {
        for (int ky = -kmax[1]; ky <= kmax[1]; ky++) {
            if (kx == 0 && ky < 0) continue;
            double rest = gsqmax - pow(kx * unit[0], 2) - pow(ky * unit[1], 2);
            if (rest < 0.0) continue;
            int kzmax = (int)floor(sqrt(rest) / unit[2]);
            if (kzmax > kmax[2]) kzmax = kmax[2];
            int kzlo = (kx == 0 && ky == 0) ? 1 : -kzmax;
            if (kzlo > kzmax) continue;
            s->col[s->ncol] = (ewald_column){kx, ky, kzlo, kzmax, s->nk};
            s->nk += kzmax - kzlo + 1;
            s->ncol++;
        }
    }
    return GMD_OK;
}

/* u_k and k for the current box (called at creation and whenever the box changes). */
static void update_coefficients(ewald_state *s, const gmd_box *box)
{
    const double g = s->params.g_ewald;
    const double prefactor = 4.0 * GMD_PI * GMD_COULOMB_EV_A / gmd_box_volume(box);
    double unit[3];
    for (int d = 0; d < 3; d++) {
        unit[d] = 2.0 * GMD_PI / box->len[d];
        s->len[d] = box->len[d];
    }
    for (long c = 0; c < s->ncol; c++) {
        const ewald_column *col = &s->col[c];
        for (int kz = col->kzlo; kz <= col->kzhi; kz++) {
            long k = col->first + (kz - col->kzlo);
            double kv[3] = {col->kx * unit[0], col->ky * unit[1], kz * unit[2]};
            double k2 = kv[0] * kv[0] + kv[1] * kv[1] + kv[2] * kv[2];
            s->u[k] = prefactor * exp(-k2 / (4.0 * g * g)) / k2;
            for (int d = 0; d < 3; d++)
                s->kvec[d][k] = kv[d];
        }
    }
}

static gmd_status ensure_tables(ewald_state *s, size_t n, gmd_error *err)
{
    if (n <= s->table_cap) return GMD_OK;
    for (int d = 0; d < 3; d++) {
        size_t len = n * (size_t)s->width[d];
        double *re = gmd_realloc(s->re[d], len, sizeof(double), "ewald exp(ik.r) tables", err);
        if (!re) return err ? err->code : GMD_ERR_NOMEM;
        s->re[d] = re;
        double *im = gmd_realloc(s->im[d], len, sizeof(double), "ewald exp(ik.r) tables", err);
        if (!im) return err ? err->code : GMD_ERR_NOMEM;
        s->im[d] = im;
    }
    s->table_cap = n;
    return GMD_OK;
}

/* Row m of direction d (m from -kmax for y and z). */
static inline size_t row_at(const ewald_state *s, int d, int m)
{
    const int zero = d == 0 ? 0 : s->params.kmax[d];
    return (size_t)(m + zero) * s->table_cap;
}

/* exp(i m 2 pi r / L) for m = 0..kmax (x) or -kmax..kmax (y, z), by recurrence. */
static void fill_tables(ewald_state *s, const gmd_atoms *atoms, int threads)
{
    const long n = (long)atoms->n;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (long i0 = 0; i0 < n; i0 += EWALD_BLOCK) {
        const long i1 = i0 + EWALD_BLOCK < n ? i0 + EWALD_BLOCK : n;
        for (int d = 0; d < 3; d++) {
            const int kmax = s->params.kmax[d];
            double *re = s->re[d], *im = s->im[d];
            const size_t r0 = row_at(s, d, 0), r1 = row_at(s, d, 1);
            for (long i = i0; i < i1; i++) {
                double phase = 2.0 * GMD_PI * atoms->r[d][i] / s->len[d];
                re[r0 + (size_t)i] = 1.0, im[r0 + (size_t)i] = 0.0;
                re[r1 + (size_t)i] = cos(phase), im[r1 + (size_t)i] = sin(phase);
            }
            for (int m = 2; m <= kmax; m++) {
                const size_t rm = row_at(s, d, m), rp = row_at(s, d, m - 1);
#pragma omp simd
                for (long i = i0; i < i1; i++) {
                    const double ar = re[rp + (size_t)i], ai = im[rp + (size_t)i];
                    const double br = re[r1 + (size_t)i], bi = im[r1 + (size_t)i];
                    re[rm + (size_t)i] = ar * br - ai * bi;
                    im[rm + (size_t)i] = ar * bi + ai * br;
                }
            }
            for (int m = 1; d > 0 && m <= kmax; m++) {
                const size_t rm = row_at(s, d, m), rn = row_at(s, d, -m);
#pragma omp simd
                for (long i = i0; i < i1; i++) {
                    re[rn + (size_t)i] = re[rm + (size_t)i];
                    im[rn + (size_t)i] = -im[rm + (size_t)i];
                }
            }
        }
    }
}

/* exp(i (kx x + ky y)) of atoms [i0, i0 + len) for column col, times w[i] when w. */
static inline void exp_xy(const ewald_state *s, const ewald_column *col, size_t i0, int len,
                          const double *w, double *restrict er, double *restrict ei)
{
    const size_t rx = row_at(s, 0, col->kx) + i0, ry = row_at(s, 1, col->ky) + i0;
    const double *xr = s->re[0] + rx, *xi = s->im[0] + rx;
    const double *yr = s->re[1] + ry, *yi = s->im[1] + ry;
#pragma omp simd
    for (int i = 0; i < len; i++) {
        const double q = w ? w[i0 + (size_t)i] : 1.0;
        er[i] = (xr[i] * yr[i] - xi[i] * yi[i]) * q;
        ei[i] = (xr[i] * yi[i] + xi[i] * yr[i]) * q;
    }
}

/* S(k) of the column's k-vectors. */
GMD_SIMD_CLONES
static void column_factors(ewald_state *s, const gmd_atoms *atoms, const ewald_column *col)
{
    const size_t n = atoms->n;
    double *sre = s->s_re + col->first - col->kzlo;
    double *sim = s->s_im + col->first - col->kzlo;
    for (int kz = col->kzlo; kz <= col->kzhi; kz++)
        sre[kz] = sim[kz] = 0.0;
    double qr[EWALD_BLOCK], qi[EWALD_BLOCK];
    for (size_t i0 = 0; i0 < n; i0 += EWALD_BLOCK) {
        const int len = (int)(n - i0 < EWALD_BLOCK ? n - i0 : EWALD_BLOCK);
        exp_xy(s, col, i0, len, atoms->charge, qr, qi);
        for (int kz = col->kzlo; kz <= col->kzhi; kz++) {
            const size_t rz = row_at(s, 2, kz) + i0;
            const double *zr = s->re[2] + rz, *zi = s->im[2] + rz;
            double a = 0.0, b = 0.0;
#pragma omp simd reduction(+ : a, b)
            for (int i = 0; i < len; i++) {
                a += qr[i] * zr[i] - qi[i] * zi[i];
                b += qr[i] * zi[i] + qi[i] * zr[i];
            }
            sre[kz] += a;
            sim[kz] += b;
        }
    } /* blocks of atoms */
}

static void structure_factors(ewald_state *s, const gmd_atoms *atoms, int threads)
{
#pragma omp parallel for num_threads(threads) schedule(dynamic, 4)
    for (long c = 0; c < s->ncol; c++)
        column_factors(s, atoms, &s->col[c]);
}

static double energy_and_virial(const ewald_state *s, double virial[6])
{
    const double g = s->params.g_ewald;
    double energy = 0.0;
    for (long k = 0; k < s->nk; k++) {
        double ek = s->u[k] * (s->s_re[k] * s->s_re[k] + s->s_im[k] * s->s_im[k]);
        const double kx = s->kvec[0][k], ky = s->kvec[1][k], kz = s->kvec[2][k];
        double k2 = kx * kx + ky * ky + kz * kz;
        double b = -2.0 * (1.0 / k2 + 0.25 / (g * g));
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

/* The forces on atoms [i0, i0 + len), summed over the k-vectors in order. */
GMD_SIMD_CLONES
static void block_forces(const ewald_state *s, gmd_atoms *atoms, size_t i0, int len)
{
    double fx[EWALD_BLOCK] = {0}, fy[EWALD_BLOCK] = {0}, fz[EWALD_BLOCK] = {0};
    double er[EWALD_BLOCK], ei[EWALD_BLOCK];
    for (long c = 0; c < s->ncol; c++) {
        const ewald_column *col = &s->col[c];
        exp_xy(s, col, i0, len, NULL, er, ei);
        for (int kz = col->kzlo; kz <= col->kzhi; kz++) {
            const long k = col->first + (kz - col->kzlo);
            const size_t rz = row_at(s, 2, kz) + i0;
            const double *zr = s->re[2] + rz, *zi = s->im[2] + rz;
            const double u2 = 2.0 * s->u[k], sr = s->s_re[k], si = s->s_im[k];
            const double kx = s->kvec[0][k], ky = s->kvec[1][k], kzv = s->kvec[2][k];
#pragma omp simd
            for (int i = 0; i < len; i++) {
                double cosine = er[i] * zr[i] - ei[i] * zi[i];
                double sine = er[i] * zi[i] + ei[i] * zr[i];
                double partial = u2 * (sine * sr - cosine * si);
                fx[i] += partial * kx;
                fy[i] += partial * ky;
                fz[i] += partial * kzv;
            }
        }
    } /* loop over columns */
    for (int i = 0; i < len; i++) {
        const double q = atoms->charge[i0 + (size_t)i];
        atoms->f[0][i0 + (size_t)i] += q * fx[i];
        atoms->f[1][i0 + (size_t)i] += q * fy[i];
        atoms->f[2][i0 + (size_t)i] += q * fz[i];
    }
}

static void add_forces(const ewald_state *s, gmd_atoms *atoms, int threads)
{
    const long n = (long)atoms->n;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (long i0 = 0; i0 < n; i0 += EWALD_BLOCK)
        block_forces(s, atoms, (size_t)i0, (int)(n - i0 < EWALD_BLOCK ? n - i0 : EWALD_BLOCK));
}

static gmd_status allocate_kspace_arrays(ewald_state *s, gmd_error *err);
static void free_kspace_arrays(ewald_state *s);

/* The k-vectors for kmax, in the sphere of the creation box (so that the set is a
 * function of kmax alone), with their arrays and per-atom tables. */
static gmd_status make_kvectors(ewald_state *s, const int kmax[3], size_t natoms, gmd_error *err)
{
    for (int d = 0; d < 3; d++) {
        s->params.kmax[d] = kmax[d];
        s->width[d] = d == 0 ? kmax[0] + 1 : 2 * kmax[d] + 1;
    }
    gmd_status st = build_columns(s, &s->box_ref, err);
    if (st == GMD_OK) st = allocate_kspace_arrays(s, err);
    s->table_cap = 0; /* the widths may have changed */
    if (st == GMD_OK) st = ensure_tables(s, natoms, err);
    s->params.nkvectors = s->nk;
    return st;
}

/* A new box (a barostat): the k-vector set of the creation while its limits keep the
 * k-space accuracy asked for (kspace_internal.h), else the set of the larger limits that
 * do; then the coefficients for the box. */
static gmd_status follow_box(ewald_state *s, const gmd_box *box, size_t natoms, gmd_error *err)
{
    int kmax[3], same = 1;
    for (int d = 0; d < 3; d++) {
        kmax[d] = gmd_ewald_kmax_keeping(&s->keep, s->box_ref.len[d], s->kmax_ref[d], box->len[d]);
        same &= kmax[d] == s->params.kmax[d];
    }
    if (!same) {
        free_kspace_arrays(s);
        gmd_status st = make_kvectors(s, kmax, natoms, err);
        if (st != GMD_OK) return st;
    }
    update_coefficients(s, box);
    gmd_kspace_estimate(&s->params, &s->keep, box);
    return GMD_OK;
}

static gmd_status ewald_compute(gmd_term *self, const gmd_compute_args *args, gmd_tally *tally,
                                gmd_error *err)
{
    ewald_state *s = self->state;
    const gmd_box *box = args->box;
    gmd_atoms *atoms = args->atoms;
    int threads = args->threads > 0 ? args->threads : 1;
    gmd_status st = GMD_OK;
    if (box->len[0] != s->len[0] || box->len[1] != s->len[1] || box->len[2] != s->len[2])
        st = follow_box(s, box, atoms->n, err);
    if (st == GMD_OK) st = ensure_tables(s, atoms->n, err);
    if (st != GMD_OK) return st;
    fill_tables(s, atoms, threads);
    structure_factors(s, atoms, threads);
    double virial[6] = {0};
    double e_recip = energy_and_virial(s, virial);
    add_forces(s, atoms, threads);
    gmd_kspace_tally(tally, self, atoms, s->params.g_ewald, gmd_box_volume(box), e_recip, virial);
    return GMD_OK;
}

static int ewald_describe(const gmd_term *self, char *buf, size_t len)
{
    const ewald_state *s = self->state;
    const gmd_kspace_params *p = &s->params;
    return snprintf(buf, len,
                    "{\"style\": \"ewald\", \"accuracy\": %.6g, \"cutoff\": %.6g, "
                    "\"g_ewald\": %.10g, \"kmax\": [%d, %d, %d], \"nkvectors\": %ld, "
                    "\"estimated_error\": %.6g, \"estimated_error_real\": %.6g, "
                    "\"estimated_error_kspace\": %.6g}",
                    p->accuracy, p->cutoff, p->g_ewald, p->kmax[0], p->kmax[1], p->kmax[2], s->nk,
                    p->estimated_error, p->estimated_error_real, p->estimated_error_kspace);
}

/* The k-vector arrays and per-atom tables, set to NULL. */
static void free_kspace_arrays(ewald_state *s)
{
    free(s->col);
    free(s->u);
    free(s->s_re);
    free(s->s_im);
    s->col = NULL;
    s->u = s->s_re = s->s_im = NULL;
    for (int d = 0; d < 3; d++) {
        free(s->kvec[d]);
        free(s->re[d]);
        free(s->im[d]);
        s->kvec[d] = NULL;
        s->re[d] = s->im[d] = NULL;
    }
    s->table_cap = 0;
}

static void ewald_destroy(gmd_term *self)
{
    ewald_state *s = self->state;
    if (!s) return;
    free_kspace_arrays(s);
    free(s);
    self->state = NULL;
}

static gmd_status allocate_kspace_arrays(ewald_state *s, gmd_error *err)
{
    size_t nk = (size_t)(s->nk > 0 ? s->nk : 1);
    s->u = gmd_calloc(nk, sizeof(double), "ewald coefficients", err);
    s->s_re = gmd_calloc(nk, sizeof(double), "ewald structure factors", err);
    s->s_im = gmd_calloc(nk, sizeof(double), "ewald structure factors", err);
    for (int d = 0; d < 3; d++)
        s->kvec[d] = gmd_calloc(nk, sizeof(double), "ewald k-vectors", err);
    if (!s->u || !s->s_re || !s->s_im || !s->kvec[0] || !s->kvec[1] || !s->kvec[2])
        return err ? err->code : GMD_ERR_NOMEM;
    return GMD_OK;
}

gmd_status gmd_ewald_create(gmd_term **out, const gmd_kspace_params *params, const gmd_box *box,
                            const gmd_atoms *atoms, gmd_error *err)
{
    *out = NULL;
    static const gmd_term kind = {.name = "ewald",
                                  .needs = {.group = GMD_GROUP_SLOW},
                                  .compute = ewald_compute,
                                  .describe = ewald_describe,
                                  .destroy = ewald_destroy};
    gmd_kspace_params p;
    gmd_term *term = NULL;
    gmd_status st = gmd_kspace_term_new(&term, &kind, sizeof(ewald_state), GMD_KSPACE_EWALD, params,
                                        box, atoms, &p, err);
    if (st != GMD_OK) return st;
    ewald_state *s = term->state;
    s->params = p;
    s->box_ref = *box;
    s->keep = gmd_kspace_keep_of(&p, atoms);
    for (int d = 0; d < 3; d++)
        s->kmax_ref[d] = p.kmax[d];
    st = make_kvectors(s, p.kmax, atoms->n, err);
    if (st != GMD_OK) {
        gmd_term_free(term);
        return st;
    }
    update_coefficients(s, box);
    *out = term;
    return GMD_OK;
}
