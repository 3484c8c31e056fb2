/* pair_buck_coul.c - the pairwise short-range term "buckingham/coul" (see
 * include/glassmd/pair_buck_coul.h): Buckingham, optional walls and real-space Coulomb in
 * one pass over the half neighbour list.
 *
 * Per pair at distance r < rc (with k_e = GMD_COULOMB_EV_A, x = g r):
 *   E_buck = A exp(-r/rho) - C/r^6           r F_buck = A r/rho exp(-r/rho) - 6 C/r^6
 *   E_wall = D/r^n                           r F_wall = n D/r^n
 *   E_coul = k_e qi qj erfc(x)/r             r F_coul = k_e qi qj [erfc(x)/r
 *                                                         + 2 g/sqrt(pi) exp(-x^2)]
 * and fpair = (r F)/r^2, so that the force on i is fpair (r_i - r_j) and the virial
 * W_ab += d_a fpair d_b with d = r_i - r_j (min image). With shift_energy each part's
 * value at rc is subtracted from its energy (E_buck(rc), E_wall(rc), k_e qi qj
 * erfc(g rc)/rc), so every pair energy is zero at the cut-off; forces are unchanged, as
 * with LAMMPS pair_modify shift yes. Without it the energy is plainly truncated.
 *
 * Set-up (create) precomputes, per species pair, A, 1/rho, C, D, n and the shifts, once
 * (as LAMMPS init_one), stored as flat arrays indexed ti * nspecies + tj.
 *
 * Pair loop. Rows of the half list are split into one contiguous block of atoms per
 * OpenMP thread (the list's owner rule balances row lengths). Each thread adds forces
 * into its own force array (fbuf, 3 n doubles per thread), then the arrays are summed
 * atom by atom into atoms->f in a fixed thread order: no atomics, no races, and results
 * differ between thread counts only by round-off. A row is processed in chunks of CHUNK
 * neighbours, in three loops:
 *   1. min-image displacements, compacting the pairs inside the cut-off into local arrays
 *      (about 40 % of the list lies in the skin shell; a branch there would mispredict);
 *   2. the physics of the compacted pairs, a loop without branches or calls that the
 *      compiler vectorises (#pragma omp simd; with GCC on x86-64 the function is also
 *      compiled for AVX2 and AVX-512 and the best one is picked at load time);
 *   3. scatter of the pair forces to j and the virial tally.
 *
 * Accuracy: the engine is exact to double precision, no tables or low-order fits (LAMMPS
 * uses a 5-term erfc fit good to ~1e-6 and, by default, 12-bit tables).
 * - exp: our own, vectorisable: x = k ln2 + r with |r| <= ln2/2 (Cody-Waite two-part
 *   ln2), exp(r) by its Taylor series to degree 13 (remainder < 4e-18), times 2^k built
 *   from the exponent bits. Within about 1 ulp of libm's exp (the tests compare).
 * - erfc(x) = exp(-x^2) erfcx(x). exp(-x^2) is needed for the force anyway; x^2 is split
 *   exactly into hi + lo (Dekker), exp(-x^2) = exp(-hi) (1 - lo), so that the rounding
 *   of x^2 (up to 1e-15 relative at x = 3) does not reach erfc. erfcx = exp(x^2) erfc(x)
 *   is smooth and slowly varying: on each interval of width 1/8 of [0, g rc] it is a
 *   degree-9 polynomial, the Chebyshev interpolant fitted at set-up from libm's erfc
 *   (interpolation error < 1e-16 relative). Together erfc is within ~4e-16 relative of
 *   libm's, checked by the tests.
 * The kernel is specialised at compile time for Coulomb on/off and walls on/off, so the
 * common case (no walls) pays nothing for them. */
#include "glassmd/pair_buck_coul.h"

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glassmd/kspace.h"
#include "../neighbor/neighbor_internal.h" /* the rows, read in the loops */
#include "glassmd/units.h"

#define CHUNK 256   /* list slots per pass; longer rows take several */
#define SIMD_PAD 16 /* loop 2 runs to a multiple of this (the widest vector of ints) */
#define NPART 3     /* buckingham, wall, coul_real */
_Static_assert(NPART == GMD_PAIR_NPARTS, "the kernel's parts are the term's energy parts");
#define ALWAYS_INLINE __attribute__((always_inline)) inline
#define ERFCX_DEGREE 9 /* erfcx_poly is written out for this degree */
#define ERFCX_NCOEF (ERFCX_DEGREE + 1)
#define ERFCX_WIDTH 0.125
#define NPAIRS_MAX (GMD_MAX_SPECIES * GMD_MAX_SPECIES)

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define KERNEL_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define KERNEL_CLONES
#endif

typedef struct buck_coul {
    int nspecies;
    double cutoff, cutsq;
    int shift;
    int coulomb;
    int has_wall;
    double g_ewald;
    double two_g_over_sqrtpi;
    double coul_shift; /* erfc(g rc)/rc when shifting, else 0 (times k_e qi qj) */
    /* per species pair ti * nspecies + tj */
    double A[NPAIRS_MAX], inv_rho[NPAIRS_MAX], C[NPAIRS_MAX], D[NPAIRS_MAX];
    int wall_n[NPAIRS_MAX];
    double rsafe2[NPAIRS_MAX];                 /* r_safe^2 of the collapse guard (0: no check) */
    char names[GMD_MAX_SPECIES][GMD_NAME_LEN]; /* species names, for messages */
    double shift_buck[NPAIRS_MAX], shift_wall[NPAIRS_MAX]; /* E(rc) when shifting, else 0 */
    /* erfcx on [0, erfcx_n * ERFCX_WIDTH): polynomial in t = 2 (x - centre)/width */
    int erfcx_n;
    double *erfcx_coef; /* erfcx_n * ERFCX_NCOEF, lowest power first */
    double *fbuf;       /* per-thread force arrays */
    size_t fbuf_len;
} buck_coul;

/* ---- elementary functions --------------------------------------------------------------- */

/* exp(x) for -708 <= x <= 0. No clamp (the compiler would turn it into a branch that
 * defeats vectorisation): create() checks that the arguments stay in range, rc/rho < 700
 * and (g rc)^2 < 700. */
static ALWAYS_INLINE double exp_nonpositive(double x)
{
    const double shifter = 0x1.8p52; /* adding it rounds to an integer in the low bits */
    const double ln2_hi = 0x1.62e42fee00000p-1, ln2_lo = 0x1.a39ef35793c76p-33;
    double kd = x * 0x1.71547652b82fep0 + shifter;
    uint64_t kbits;
    memcpy(&kbits, &kd, sizeof kbits);
    double k = kd - shifter;
    double r = (x - k * ln2_hi) - k * ln2_lo;
    double p = 1.0 / 6227020800.0; /* 1/13! */
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    /* k sits in the low bits of kbits (two's complement); 2^k has exponent field k+1023 */
    uint64_t sbits = (kbits + 1023u) << 52;
    double scale;
    memcpy(&scale, &sbits, sizeof scale);
    return p * scale;
}

/* x*x = hi + lo exactly (Dekker's product with Veltkamp's split). */
static ALWAYS_INLINE double square_lo(double x, double hi)
{
    double t = 134217729.0 * x; /* 2^27 + 1 */
    double xh = t - (t - x), xl = x - xh;
    return ((xh * xh - hi) + 2.0 * xh * xl) + xl * xl;
}

/* erfcx(x) = exp(x^2) erfc(x) for 0 <= x < erfcx_n * ERFCX_WIDTH. The table reaches one
 * interval beyond g rc, so x = g r with r < rc needs no clamp (which would cost the
 * vectoriser a conditional load). */
static ALWAYS_INLINE double erfcx_poly(const double *coef, double x)
{
    double u = x * (2.0 / ERFCX_WIDTH);
    int idx = (int)(0.5 * u);
    double t = u - (double)(2 * idx + 1);
    int o = idx * ERFCX_NCOEF; /* Horner, written out: plain gathers for the vectoriser */
    double p = coef[o + 9] * t + coef[o + 8];
    p = p * t + coef[o + 7];
    p = p * t + coef[o + 6];
    p = p * t + coef[o + 5];
    p = p * t + coef[o + 4];
    p = p * t + coef[o + 3];
    p = p * t + coef[o + 2];
    p = p * t + coef[o + 1];
    return p * t + coef[o];
}

/* x^n for 0 <= n < 128, without data-dependent loop counts (vectorisable). */
static ALWAYS_INLINE double int_power(double x, int n)
{
    double result = 1.0;
    for (int bit = 0; bit < 7; bit++) {
        result = (n >> bit) & 1 ? result * x : result;
        x *= x;
    }
    return result;
}

/* ---- one pair --------------------------------------------------------------------------- */

/* The tables as plain pointers and scalars, taken once per call: the vectoriser gathers
 * from a loop-invariant pointer, not from an array inside a struct. */
typedef struct pair_view {
    const double *A, *inv_rho, *C, *D, *shift_buck, *shift_wall, *erfcx;
    const int *wall_n;
    double g_ewald, coul_shift, two_g_over_sqrtpi;
} pair_view;

static pair_view view_of(const buck_coul *s)
{
    return (pair_view){
        s->A,          s->inv_rho, s->C,       s->D,          s->shift_buck,       s->shift_wall,
        s->erfcx_coef, s->wall_n,  s->g_ewald, s->coul_shift, s->two_g_over_sqrtpi};
}

/* Energy parts of one pair into e_buck, e_wall, e_coul; returns fpair = F/r.
 * p = species pair index, qq = k_e qi qj, 0 < r < rc. (r comes in already taken: with
 * errno semantics, GCC would keep a branch to libm's sqrt inside this vector loop.) */
static ALWAYS_INLINE double pair_eval(const pair_view v, int p, double qq, double r, int coulomb,
                                      int wall, double *e_buck, double *e_wall, double *e_coul)
{
    double rinv = 1.0 / r;
    double r2inv = rinv * rinv;
    double r6inv = r2inv * r2inv * r2inv;
    double bexp = v.A[p] * exp_nonpositive(-r * v.inv_rho[p]);
    double c6 = v.C[p] * r6inv;
    *e_buck = bexp - c6 - v.shift_buck[p];
    double force_r = bexp * r * v.inv_rho[p] - 6.0 * c6;
    if (wall) {
        double wn = v.D[p] * int_power(rinv, v.wall_n[p]);
        *e_wall = wn - v.shift_wall[p];
        force_r += v.wall_n[p] * wn;
    }
    if (coulomb) {
        double x = v.g_ewald * r;
        double x2 = x * x;
        double gauss = exp_nonpositive(-x2) * (1.0 - square_lo(x, x2)); /* exp(-x^2) */
        double erfc_x = gauss * erfcx_poly(v.erfcx, x);
        double qq_rinv = qq * rinv;
        *e_coul = qq_rinv * erfc_x - qq * v.coul_shift;
        force_r += qq_rinv * erfc_x + qq * v.two_g_over_sqrtpi * gauss;
    }
    return force_r * r2inv;
}

/* ---- the pair loop ---------------------------------------------------------------------- */

/* Minimum image without branches or calls: s rounded to the nearest integer by adding and
 * removing 1.5 * 2^52 (round-to-nearest mode, |s| < 2^51). */
static ALWAYS_INLINE double min_image(double d, double len, double inv_len)
{
    const double shifter = 0x1.8p52;
    double nearest = (d * inv_len + shifter) - shifter;
    return d - len * nearest;
}

typedef struct thread_sums {
    double e[NPART];
    double w[6];
    /* the collapse guard: the pair deepest inside its safe distance (r2 / r_safe^2 < 1) */
    double worst_ratio;
    int worst_i, worst_j;
    double worst_r;
} thread_sums;

typedef struct kernel_args {
    const buck_coul *s;
    const gmd_box *box;
    const gmd_atoms *atoms;
    const gmd_neighbor_list *nl;
} kernel_args;

/* Loop 1: displacements of list slots [p0, p1) from atom i into d[] and r2[] (a loop the
 * compiler vectorises, gathers included), then the slots within the cut-off listed in sel
 * (branch-free); returns how many. */
static ALWAYS_INLINE int select_chunk(const kernel_args *a, const double ri[3], size_t p0,
                                      size_t p1, double *restrict d[3], double *restrict r2,
                                      int *restrict sel)
{
    const double *x = a->atoms->r[0], *y = a->atoms->r[1], *z = a->atoms->r[2];
    const int *index = a->nl->index + p0;
    const double *len = a->box->len;
    const double ilx = 1.0 / len[0], ily = 1.0 / len[1], ilz = 1.0 / len[2];
    const double cutsq = a->s->cutsq;
    double *restrict dx = d[0], *restrict dy = d[1], *restrict dz = d[2];
    const int n = (int)(p1 - p0);
#pragma omp simd
    for (int k = 0; k < n; k++) {
        int j = index[k];
        dx[k] = min_image(ri[0] - x[j], len[0], ilx);
        dy[k] = min_image(ri[1] - y[j], len[1], ily);
        dz[k] = min_image(ri[2] - z[j], len[2], ilz);
        r2[k] = dx[k] * dx[k] + dy[k] * dy[k] + dz[k] * dz[k];
    }
    int m = 0;
    for (int k = 0; k < n; k++) {
        sel[m] = k;
        m += r2[k] < cutsq;
    }
    return m;
}

/* Rows [first, last) of the list; forces into f[3] (this thread's arrays). */
static ALWAYS_INLINE void kernel(const kernel_args *a, size_t first, size_t last,
                                 double *restrict f[3], thread_sums *sum, int coulomb, int wall)
{
    const buck_coul *s = a->s;
    const pair_view view = view_of(s);
    const double *q = a->atoms->charge;
    const int *type = a->atoms->type;
    const size_t *start = a->nl->start;
    const int *index = a->nl->index;
    double *restrict fx = f[0], *restrict fy = f[1], *restrict fz = f[2];
    double eb = 0.0, ew = 0.0, ec = 0.0;
    double w[6] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    const double *rsafe2 = s->rsafe2;
    sum->worst_ratio = 1.0;
    sum->worst_i = sum->worst_j = -1;

    int jc[CHUNK + SIMD_PAD], sel[CHUNK];
    double dxa[CHUNK], dya[CHUNK], dza[CHUNK], r2a[CHUNK];
    double rc_[CHUNK + SIMD_PAD], fpc[CHUNK + SIMD_PAD];
    double ebc[CHUNK + SIMD_PAD], ewc[CHUNK + SIMD_PAD], ecc[CHUNK + SIMD_PAD];
    double *da[3] = {dxa, dya, dza};
    for (size_t i = first; i < last; i++) {
        const double ri[3] = {a->atoms->r[0][i], a->atoms->r[1][i], a->atoms->r[2][i]};
        const double qi = GMD_COULOMB_EV_A * q[i];
        const int prow = type[i] * s->nspecies;
        double fxi = 0.0, fyi = 0.0, fzi = 0.0;
        for (size_t p0 = start[i]; p0 < start[i + 1]; p0 += CHUNK) {
            size_t p1 = p0 + CHUNK < start[i + 1] ? p0 + CHUNK : start[i + 1];
            int m = select_chunk(a, ri, p0, p1, da, r2a, sel);
            int mpad = (m + SIMD_PAD - 1) / SIMD_PAD * SIMD_PAD;
            for (int k = 0; k < m; k++) { /* scalar: libm sqrt may branch for errno */
                jc[k] = index[p0 + (size_t)sel[k]];
                rc_[k] = sqrt(r2a[sel[k]]);
            }
            for (int k = m; k < mpad; k++) /* harmless filler, never tallied */
                jc[k] = (int)i, rc_[k] = 0.5 * s->cutoff;
#pragma omp simd
            for (int k = 0; k < mpad; k++) { /* loop 2: the physics, vectorised */
                int j = jc[k];
                double qq = coulomb ? qi * q[j] : 0.0;
                double e_buck = 0.0, e_wall = 0.0, e_coul = 0.0;
                fpc[k] = pair_eval(view, prow + type[j], qq, rc_[k], coulomb, wall, &e_buck,
                                   &e_wall, &e_coul);
                ebc[k] = e_buck, ewc[k] = e_wall, ecc[k] = e_coul;
            }
            for (int k = 0; k < m; k++) { /* loop 3: scatter, energy and virial */
                int j = jc[k], slot = sel[k];
                double dx = dxa[slot], dy = dya[slot], dz = dza[slot], fpair = fpc[k];
                double safe2 = rsafe2[prow + type[j]];
                if (r2a[slot] < safe2 && r2a[slot] < sum->worst_ratio * safe2) {
                    sum->worst_ratio = r2a[slot] / safe2; /* rare: a collapsing pair */
                    sum->worst_i = (int)i, sum->worst_j = j, sum->worst_r = rc_[k];
                }
                double fxp = fpair * dx, fyp = fpair * dy, fzp = fpair * dz;
                fxi += fxp, fyi += fyp, fzi += fzp;
                fx[j] -= fxp, fy[j] -= fyp, fz[j] -= fzp;
                eb += ebc[k], ew += ewc[k], ec += ecc[k];
                w[0] += dx * fxp, w[1] += dy * fyp, w[2] += dz * fzp;
                w[3] += dx * fyp, w[4] += dx * fzp, w[5] += dy * fzp;
            }
        } // loop over chunks of row i
        fx[i] += fxi, fy[i] += fyi, fz[i] += fzi;
    } // loop over atoms i
    sum->e[0] = eb, sum->e[1] = ew, sum->e[2] = ec;
    for (int k = 0; k < 6; k++)
        sum->w[k] = w[k];
}

KERNEL_CLONES
static void kernel_dispatch(const kernel_args *a, size_t first, size_t last, double *restrict f[3],
                            thread_sums *sum)
{
    int coulomb = a->s->coulomb, wall = a->s->has_wall;
    if (coulomb && !wall)
        kernel(a, first, last, f, sum, 1, 0);
    else if (!coulomb && !wall)
        kernel(a, first, last, f, sum, 0, 0);
    else if (coulomb && wall)
        kernel(a, first, last, f, sum, 1, 1);
    else
        kernel(a, first, last, f, sum, 0, 1);
}

static gmd_status check_inputs(const buck_coul *s, const gmd_compute_args *args, gmd_error *err)
{
    const gmd_neighbor_list *nl = args->nlist;
    const gmd_atoms *atoms = args->atoms;
    if (!nl || !nl->start || nl->builds == 0 || nl->natoms != atoms->n)
        return gmd_fail(err, GMD_ERR_INTERNAL,
                        "buckingham/coul: the neighbour list is missing or was built for "
                        "another system; build it (gmd_neighbor_build) before compute");
    if (nl->cutoff + 1e-12 < s->cutoff)
        return gmd_fail(err, GMD_ERR_INTERNAL,
                        "buckingham/coul: the neighbour list cut-off %g A is shorter than the "
                        "pair cut-off %g A; build the list with the force field's cut-off",
                        nl->cutoff, s->cutoff);
    for (int k = 0; k < 3; k++)
        if (s->cutoff > 0.5 * args->box->len[k])
            return gmd_fail(err, GMD_ERR_VALUE,
                            "buckingham/coul: the cut-off %g A is longer than half the box "
                            "(%g A along %c); use a larger system or a shorter cut-off",
                            s->cutoff, 0.5 * args->box->len[k], "xyz"[k]);
    for (size_t i = 0; i < atoms->n; i++)
        if (atoms->type[i] < 0 || atoms->type[i] >= s->nspecies)
            return gmd_fail(err, GMD_ERR_VALUE,
                            "buckingham/coul: atom %zu has species index %d, but the force "
                            "field has %d species; fix the configuration's atom types",
                            i, atoms->type[i], s->nspecies);
    return GMD_OK;
}

static gmd_status ensure_buffers(buck_coul *s, size_t n, int threads, gmd_error *err)
{
    size_t need = 3 * n * (size_t)threads;
    if (need <= s->fbuf_len && s->fbuf) return GMD_OK;
    double *p = gmd_realloc(s->fbuf, need, sizeof *p, "per-thread forces", err);
    if (!p) return GMD_ERR_NOMEM;
    s->fbuf = p;
    s->fbuf_len = need;
    return GMD_OK;
}

/* Sums the per-thread force arrays of nt threads into atoms->f; called inside the
 * parallel region by every thread. */
static void reduce_forces(const buck_coul *s, gmd_atoms *atoms, int nt)
{
    size_t n = atoms->n;
    for (int k = 0; k < 3; k++) {
        double *restrict f = atoms->f[k];
#pragma omp for schedule(static)
        for (size_t i = 0; i < n; i++) {
            double sum = 0.0;
            for (int t = 0; t < nt; t++)
                sum += s->fbuf[(size_t)t * 3 * n + (size_t)k * n + i];
            f[i] += sum;
        }
    }
}

/* The Buckingham-catastrophe guard (SPEC section 2): a pair closer than its safe distance
 * (the top of the A exp(-r/rho) - C/r^6 barrier, see docs/forcefield.md) has fallen, or
 * is about to fall, into the -C/r^6 well. Report the deepest such pair. */
static gmd_status check_collapse(const buck_coul *s, const gmd_atoms *atoms,
                                 const thread_sums *sums, int used, gmd_error *err)
{
    const thread_sums *worst = NULL;
    for (int t = 0; t < used; t++)
        if (sums[t].worst_i >= 0 && (!worst || sums[t].worst_ratio < worst->worst_ratio))
            worst = &sums[t];
    if (!worst) return GMD_OK;
    int i = worst->worst_i, j = worst->worst_j;
    int p = atoms->type[i] * s->nspecies + atoms->type[j];
    return gmd_fail(err, GMD_ERR_PHYSICS,
                    "Buckingham collapse: atoms %ld (%s) and %ld (%s) are %.4f A apart, inside "
                    "their safe distance %.4f A (the top of the Buckingham barrier). Cure: add "
                    "a repulsive wall to this pair in the force field ('wall D n'), use a "
                    "smaller time step, or minimise first",
                    atoms->id[i], s->names[atoms->type[i]], atoms->id[j], s->names[atoms->type[j]],
                    worst->worst_r, sqrt(s->rsafe2[p]));
}

static gmd_status buck_coul_compute(gmd_term *self, const gmd_compute_args *args, gmd_tally *tally,
                                    gmd_error *err)
{
    buck_coul *s = self->state;
    gmd_status st = check_inputs(s, args, err);
    if (st != GMD_OK) return st;
    int threads = args->threads < 1 ? 1 : args->threads;
    size_t n = args->atoms->n;
    if ((st = ensure_buffers(s, n, threads, err)) != GMD_OK) return st;
    thread_sums *sums = gmd_calloc((size_t)threads, sizeof *sums, "pair tallies", err);
    if (!sums) return GMD_ERR_NOMEM;
    kernel_args ka = {s, args->box, args->atoms, args->nlist};
    int used = 1;
#pragma omp parallel num_threads(threads)
    {
        int t = omp_get_thread_num(), nt = omp_get_num_threads();
        double *f[3];
        for (int k = 0; k < 3; k++) {
            f[k] = s->fbuf + (size_t)t * 3 * n + (size_t)k * n;
            memset(f[k], 0, n * sizeof(double));
        }
        size_t first = n * (size_t)t / (size_t)nt, last = n * (size_t)(t + 1) / (size_t)nt;
        kernel_dispatch(&ka, first, last, f, &sums[t]);
        if (t == 0) used = nt;
#pragma omp barrier
        reduce_forces(s, args->atoms, nt);
    }
    st = check_collapse(s, args->atoms, sums, used, err);
    for (int t = 0; t < used; t++) {
        double *energy = tally->energy + self->first_part;
        energy[GMD_PAIR_PART_BUCKINGHAM] += sums[t].e[0];
        energy[GMD_PAIR_PART_WALL] += sums[t].e[1];
        energy[GMD_PAIR_PART_COUL_REAL] += sums[t].e[2];
        for (int k = 0; k < 6; k++)
            tally->virial[k] += sums[t].w[k];
    }
    free(sums);
    return st;
}

double gmd_pair_buck_coul_single(const gmd_term *term, int type_i, int type_j, double qi, double qj,
                                 double r, double *fpair, double parts[3])
{
    const buck_coul *s = term->state;
    double e[NPART] = {0.0, 0.0, 0.0};
    double f = 0.0;
    if (r < s->cutoff) {
        int p = type_i * s->nspecies + type_j;
        double qq = GMD_COULOMB_EV_A * qi * qj;
        if (s->D[p] != 0.0)
            f = pair_eval(view_of(s), p, qq, r, s->coulomb, 1, &e[0], &e[1], &e[2]);
        else
            f = pair_eval(view_of(s), p, qq, r, s->coulomb, 0, &e[0], &e[1], &e[2]);
    }
    if (fpair) *fpair = f;
    if (parts)
        for (int k = 0; k < NPART; k++)
            parts[k] = e[k];
    return e[0] + e[1] + e[2];
}

static int buck_coul_describe(const gmd_term *self, char *buf, size_t len)
{
    const buck_coul *s = self->state;
    return snprintf(buf, len,
                    "{\"style\": \"%s\", \"cutoff\": %.17g, \"shift\": %s, \"coulomb\": %s, "
                    "\"g_ewald\": %.17g, \"walls\": %s, \"erfc\": \"exp(-x^2) erfcx, "
                    "piecewise degree-%d Chebyshev\"}",
                    self->name, s->cutoff, s->shift ? "true" : "false",
                    s->coulomb ? "true" : "false", s->coulomb ? s->g_ewald : 0.0,
                    s->has_wall ? "true" : "false", ERFCX_DEGREE);
}

static void buck_coul_destroy(gmd_term *self)
{
    buck_coul *s = self->state;
    if (s) {
        free(s->fbuf);
        free(s->erfcx_coef);
    }
    free(s);
    self->state = NULL;
}

/* erfcx(x) = exp(x^2) erfc(x) from libm, with x^2 split exactly (set-up only). */
static double erfcx_reference(double x)
{
    double hi = x * x, lo = fma(x, x, -hi);
    return erfc(x) * exp(hi) * (1.0 + lo);
}

/* Chebyshev interpolant of erfcx on [a, a + ERFCX_WIDTH], as monomials in t in [-1, 1]. */
static void fit_interval(double a, double mono[ERFCX_NCOEF])
{
    const int n = ERFCX_NCOEF;
    long double cheb[ERFCX_NCOEF] = {0}, value[ERFCX_NCOEF];
    for (int j = 0; j < n; j++)
        value[j] = erfcx_reference(a + 0.5 * ERFCX_WIDTH * (1.0 + cos(GMD_PI * (j + 0.5) / n)));
    for (int k = 0; k < n; k++) {
        for (int j = 0; j < n; j++)
            cheb[k] += value[j] * cosl((long double)GMD_PI * k * (j + 0.5L) / n);
        cheb[k] *= (k == 0 ? 1.0L : 2.0L) / n;
    }
    /* T_k as monomials by T_{k+1} = 2 t T_k - T_{k-1}; accumulate sum cheb_k T_k */
    long double tprev[ERFCX_NCOEF] = {1.0L}, tcur[ERFCX_NCOEF] = {0.0L, 1.0L}, sum[ERFCX_NCOEF];
    for (int p = 0; p < n; p++)
        sum[p] = cheb[0] * tprev[p] + cheb[1] * tcur[p];
    for (int k = 2; k < n; k++) {
        long double tnext[ERFCX_NCOEF];
        for (int p = 0; p < n; p++)
            tnext[p] = (p > 0 ? 2.0L * tcur[p - 1] : 0.0L) - tprev[p];
        for (int p = 0; p < n; p++) {
            sum[p] += cheb[k] * tnext[p];
            tprev[p] = tcur[p];
            tcur[p] = tnext[p];
        }
    }
    for (int p = 0; p < n; p++)
        mono[p] = (double)sum[p];
}

/* Tables erfcx on [0, g rc + one interval] (x = g r < g rc inside the cut-off). */
static gmd_status build_erfcx_table(buck_coul *s, gmd_error *err)
{
    double xmax = s->g_ewald * s->cutoff; /* <= 26, checked by create */
    s->erfcx_n = (int)(xmax / ERFCX_WIDTH) + 2;
    s->erfcx_coef = gmd_calloc((size_t)s->erfcx_n * ERFCX_NCOEF, sizeof(double), "erfc table", err);
    if (!s->erfcx_coef) return GMD_ERR_NOMEM;
    for (int k = 0; k < s->erfcx_n; k++)
        fit_interval(k * ERFCX_WIDTH, s->erfcx_coef + (size_t)k * ERFCX_NCOEF);
    return GMD_OK;
}

static gmd_status check_pair(const gmd_forcefield *ff, int a, int b, gmd_error *err)
{
    const gmd_pair_params *p = &ff->pair[a][b];
    const char *na = ff->species[a].name, *nb = ff->species[b].name;
    if (!p->defined)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "%s: pair '%s %s' has no parameters; add a line '%s %s A rho C' to "
                        "[pairs] ('%s %s 0 1.0 0' for none)",
                        ff->path, na, nb, na, nb, na, nb);
    if (p->A != 0.0 && !(p->rho > 0.0))
        return gmd_fail(err, GMD_ERR_VALUE,
                        "%s: pair '%s %s': rho = %g must be > 0 (the Buckingham decay length "
                        "in A)",
                        ff->path, na, nb, p->rho);
    if (p->wall_D != 0.0 && (p->wall_n < 1 || p->wall_n > 64))
        return gmd_fail(err, GMD_ERR_VALUE,
                        "%s: pair '%s %s': wall exponent %d must be between 1 and 64 "
                        "(12 is usual)",
                        ff->path, na, nb, p->wall_n);
    if (p->A != 0.0 && ff->cutoff / p->rho > 700.0)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "%s: pair '%s %s': rho = %g A is too short for the cut-off %g A "
                        "(exp(-rc/rho) underflows); rho must exceed cutoff/700",
                        ff->path, na, nb, p->rho, ff->cutoff);
    return GMD_OK;
}

static gmd_status fill_coeffs(buck_coul *s, const gmd_forcefield *ff, gmd_error *err)
{
    double rc = s->cutoff;
    for (int a = 0; a < ff->nspecies; a++)
        snprintf(s->names[a], sizeof s->names[a], "%s", ff->species[a].name);
    for (int a = 0; a < ff->nspecies; a++)
        for (int b = 0; b < ff->nspecies; b++) {
            gmd_status st = check_pair(ff, a, b, err);
            if (st != GMD_OK) return st;
            const gmd_pair_params *p = &ff->pair[a][b];
            int k = a * ff->nspecies + b;
            s->A[k] = p->A;
            s->inv_rho[k] = p->A != 0.0 ? 1.0 / p->rho : 0.0;
            s->C[k] = p->C;
            s->D[k] = p->wall_D;
            s->wall_n[k] = p->wall_D != 0.0 ? p->wall_n : 0;
            s->has_wall |= s->D[k] != 0.0;
            s->rsafe2[k] = p->r_safe * p->r_safe;
            if (s->shift) {
                s->shift_buck[k] = s->A[k] * exp(-rc * s->inv_rho[k]) - s->C[k] / pow(rc, 6.0);
                s->shift_wall[k] = s->D[k] * pow(rc, -(double)s->wall_n[k]);
            }
        }
    return GMD_OK;
}

gmd_status gmd_pair_buck_coul_create(gmd_term **out, const gmd_forcefield *ff,
                                     const gmd_pair_options *opt, gmd_error *err)
{
    *out = NULL;
    if (ff->nspecies < 1 || ff->nspecies > GMD_MAX_SPECIES)
        return gmd_fail(err, GMD_ERR_VALUE, "%s: %d species; a force field needs 1 to %d", ff->path,
                        ff->nspecies, GMD_MAX_SPECIES);
    if (!(ff->cutoff > 0.0) || !isfinite(ff->cutoff))
        return gmd_fail(err, GMD_ERR_VALUE, "%s: cutoff = %g must be a positive length in A",
                        ff->path, ff->cutoff);
    if (opt->coulomb &&
        (!(opt->g_ewald >= 0.0) || !isfinite(opt->g_ewald) || opt->g_ewald * ff->cutoff > 26.0))
        return gmd_fail(err, GMD_ERR_VALUE,
                        "buckingham/coul: g_ewald = %g 1/A must be >= 0 (0 = plain cut "
                        "Coulomb) and below 26/cutoff (beyond, erfc(g rc) < 1e-295)",
                        opt->g_ewald);
    static const gmd_term kind = {.name = "buckingham/coul",
                                  .needs = {.group = GMD_GROUP_SLOW},
                                  .compute = buck_coul_compute,
                                  .describe = buck_coul_describe,
                                  .destroy = buck_coul_destroy};
    gmd_term *term = gmd_term_new(&kind, sizeof(buck_coul), err);
    if (!term) return GMD_ERR_NOMEM;
    term->needs.cutoff = ff->cutoff;
    buck_coul *s = term->state;
    s->nspecies = ff->nspecies;
    s->cutoff = ff->cutoff;
    s->cutsq = ff->cutoff * ff->cutoff;
    s->shift = ff->shift_energy != 0;
    s->coulomb = opt->coulomb != 0;
    s->g_ewald = s->coulomb ? opt->g_ewald : 0.0;
    s->two_g_over_sqrtpi = 2.0 * s->g_ewald / sqrt(GMD_PI);
    s->coul_shift = s->shift && s->coulomb ? erfc(s->g_ewald * s->cutoff) / s->cutoff : 0.0;
    gmd_status st = fill_coeffs(s, ff, err);
    if (st == GMD_OK && s->coulomb) st = build_erfcx_table(s, err);
    if (st != GMD_OK) {
        gmd_term_free(term);
        return st;
    }
    *out = term;
    return GMD_OK;
}

/* ---- the kind ---------------------------------------------------------------------- */

static const gmd_energy_part pair_parts[GMD_PAIR_NPARTS] = {
    [GMD_PAIR_PART_BUCKINGHAM] = {"buckingham", NULL},
    [GMD_PAIR_PART_WALL] = {"wall", NULL},
    [GMD_PAIR_PART_COUL_REAL] = {"coulomb_real", "coulomb"},
};

/* Every force field gives every pair, so the term is always there (with Coulomb off it
 * still computes the Buckingham and wall parts). */
static int pair_wanted(const gmd_term_kind *self, const gmd_term_setup *setup)
{
    (void)self;
    (void)setup;
    return 1;
}

static gmd_status pair_create_from_setup(const gmd_term_kind *self, const gmd_term_setup *setup,
                                         gmd_term **out, gmd_error *err)
{
    (void)self;
    gmd_pair_options po = {.coulomb = setup->kspace->method != GMD_KSPACE_NONE,
                           .g_ewald = setup->kspace->g_ewald};
    return gmd_pair_buck_coul_create(out, setup->ff, &po, err);
}

const gmd_term_kind gmd_pair_buck_coul_kind = {
    .name = "buckingham/coul",
    .nparts = GMD_PAIR_NPARTS,
    .parts = pair_parts,
    .wanted = pair_wanted,
    .create = pair_create_from_setup,
};
