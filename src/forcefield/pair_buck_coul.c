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
 * Data layout. Each call first packs positions and charges as (x, y, z, q) per atom into
 * xq (32 bytes an atom, 64-byte aligned), so that a partner costs one cache line, not
 * four lines of four arrays; each thread's force array holds (fx, fy, fz) per atom for
 * the same reason. The atom order is the caller's (the list's rows are in cell order).
 *
 * Pair loop. Rows of the half list are split into one contiguous block of atoms per
 * OpenMP thread (the list's owner rule balances row lengths). Each thread adds forces
 * into its own force array (fbuf, 3 n doubles per thread), then the arrays are summed
 * atom by atom into atoms->f in a fixed thread order: no atomics, no races, and results
 * differ between thread counts only by round-off. A row is processed in chunks of CHUNK
 * neighbours, in three loops:
 *   1. one scalar pass: min-image displacement, r^2, and compaction of the pairs inside
 *      the cut-off (partner, species, charge, displacement, r^2) into local arrays (about
 *      a quarter of the list lies in the skin shell; a branch there would mispredict).
 *      (measured on the 3000-atom melt, AVX-512: a separate displacement loop and
 *      compaction pass, with the arrays between them, took ~7 % more kernel time).
 *      Where the CPU has AVX-512 (and gmd_pair_options.portable is 0) the same pass runs
 *      eight slots at a time with a compress (select_chunk_avx512): the same pairs in the
 *      same order, forces bit for bit the same under GCC 12; this loop was 43 % of the
 *      kernel, and the pair time per step on the 3000-atom melt fell from 2.71 to 1.96 ms
 *      (1 thread, bench/bench_nvt.sh);
 *   2. the physics of the compacted pairs, a loop without branches or calls that the
 *      compiler vectorises (#pragma omp simd; with GCC on x86-64 the function is also
 *      compiled for AVX2 and AVX-512 and the best one is picked at load time), with the
 *      force on i, the energies, the virial and the collapse check as vector sums (the
 *      chunk is padded to a multiple of SIMD_PAD with masked filler pairs). With at most
 *      SMALL_SPECIES species and no walls (the usual case) the per-species-pair
 *      coefficients of row i are held as scalars and picked by two selects (blends),
 *      instead of five gathers per pair;
 *   3. scatter of the pair forces to j.
 * With gmd_compute_args.forces_only (MD steps between thermo lines) loop 2 leaves out the
 * energies and the virial, about a fifth of its work. The forces are the same bit for bit.
 *
 * Accuracy: the engine is exact to double precision, no tables or low-order fits (LAMMPS
 * uses a 5-term erfc fit good to ~1e-6 and, by default, 12-bit tables).
 * - exp: our own, vectorisable: x = k ln2 + r with |r| <= ln2/2 (Cody-Waite two-part
 *   ln2), exp(r) by its Taylor series to degree 13 (remainder < 4e-18), times 2^k built
 *   from the exponent bits. Within about 1 ulp of libm's exp (the tests compare).
 * - erfc(x) = exp(-x^2) erfcx(x). exp(-x^2) is needed for the force anyway; x^2 is split
 *   exactly into hi + lo (Dekker), exp(-x^2) = exp(-hi) (1 - lo), so that the rounding
 *   of x^2 (up to 1e-15 relative at x = 3) does not reach erfc. erfcx = exp(x^2) erfc(x)
 *   is smooth and slowly varying. When g rc <= ~4.2 (the usual case: 3.26 for the paper's
 *   10 A and 1e-5) one polynomial of degree 27 in t = 2 x/(g rc) - 1 covers [0, g rc]:
 *   the Chebyshev interpolant fitted at set-up from libm's erfc in long double, converted
 *   to monomials and evaluated by Estrin's scheme, accepted only if it is within 1.2e-15
 *   of the reference everywhere; its coefficients are broadcast, not gathered. Otherwise
 *   each interval of width 1/8 of [0, g rc] has its own degree-9 interpolant (a table,
 *   ten gathers per pair). Either way erfc is within ~1e-15 relative of libm's, checked by
 *   the tests.
 * The kernel is specialised at compile time for Coulomb on/off and walls on/off, so the
 * common case (no walls) pays nothing for them. */
#include "glassmd/pair_buck_coul.h"

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif

#include "glassmd/kspace.h"
#include "../core/simd_clones.h"
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
#define ERFCX_WIDE_DEGREE 27 /* erfcx_wide's Estrin tree is written for this degree */
#define ERFCX_WIDE_NCOEF (ERFCX_WIDE_DEGREE + 1)
#define NPAIRS_MAX (GMD_MAX_SPECIES * GMD_MAX_SPECIES)

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
    /* erfcx on all of [0, g rc] as one Chebyshev series in t = 2 x/(g rc) - 1, when that
     * series is as accurate as the table (g rc up to about 4.5): no gathers in the kernel */
    int erfcx_single;
    double erfcx_wide[ERFCX_WIDE_NCOEF];
    double erfcx_wide_scale; /* 2/(g rc) */
    double *fbuf;            /* per-thread force arrays, (fx, fy, fz) per atom */
    size_t fbuf_len;
    double *xq_raw, *xq; /* (x, y, z, q) per atom, xq 64-byte aligned: one line a partner */
    size_t xq_len;
    int select_avx512; /* 1: loop 1 by select_chunk_avx512 (the CPU has it, not portable) */
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

/* erfcx(x) for 0 <= x <= g rc from the one wide polynomial in t = x scale - 1, by Estrin's
 * scheme (pairs of terms, then pairs of pairs, ...: a dependency chain of 5 steps instead
 * of Horner's 27, which the out-of-order core cannot hide). The coefficients are the same
 * for every lane, so the vector loop loads no table. */
static ALWAYS_INLINE double erfcx_wide(const double *c, double scale, double x)
{
    _Static_assert(ERFCX_WIDE_NCOEF == 28, "the Estrin tree below is written for 28 terms");
    double t = x * scale - 1.0;
    double q[14], r[7];
#pragma GCC unroll 14
    for (int k = 0; k < 14; k++)
        q[k] = c[2 * k] + c[2 * k + 1] * t;
    double t2 = t * t;
#pragma GCC unroll 7
    for (int k = 0; k < 7; k++)
        r[k] = q[2 * k] + q[2 * k + 1] * t2;
    double t4 = t2 * t2, t8 = t4 * t4;
    double s0 = r[0] + r[1] * t4, s1 = r[2] + r[3] * t4, s2 = r[4] + r[5] * t4, s3 = r[6];
    return (s0 + s1 * t8) + (s2 + s3 * t8) * (t8 * t8);
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
    const double *A, *inv_rho, *C, *D, *shift_buck, *shift_wall, *erfcx, *erfcx_wide;
    const int *wall_n;
    double g_ewald, coul_shift, two_g_over_sqrtpi, erfcx_wide_scale;
} pair_view;

static pair_view view_of(const buck_coul *s)
{
    return (pair_view){.A = s->A,
                       .inv_rho = s->inv_rho,
                       .C = s->C,
                       .D = s->D,
                       .shift_buck = s->shift_buck,
                       .shift_wall = s->shift_wall,
                       .erfcx = s->erfcx_coef,
                       .erfcx_wide = s->erfcx_wide,
                       .wall_n = s->wall_n,
                       .g_ewald = s->g_ewald,
                       .coul_shift = s->coul_shift,
                       .two_g_over_sqrtpi = s->two_g_over_sqrtpi,
                       .erfcx_wide_scale = s->erfcx_wide_scale};
}

/* The coefficients of one species pair. */
typedef struct pair_coeffs {
    double A, inv_rho, C, shift_buck, D, shift_wall;
    int wall_n;
} pair_coeffs;

/* Those of species pair p, from the tables (gathers, in the vector loop). */
static ALWAYS_INLINE pair_coeffs coeffs_at(const pair_view v, int p, int wall)
{
    pair_coeffs c = {v.A[p], v.inv_rho[p], v.C[p], v.shift_buck[p], 0.0, 0.0, 0};
    if (wall) c.D = v.D[p], c.shift_wall = v.shift_wall[p], c.wall_n = v.wall_n[p];
    return c;
}

/* The coefficients of row ti (species pairs ti * nspecies + tj, tj < SMALL_SPECIES) as
 * loop-invariant scalars: with few species, picking one by two selects (blends in the
 * vector loop) is much cheaper than the gathers of coeffs_at. */
#define SMALL_SPECIES 4
typedef struct coeff_row {
    double A[SMALL_SPECIES], inv_rho[SMALL_SPECIES], C[SMALL_SPECIES], shift_buck[SMALL_SPECIES],
        rsafe2[SMALL_SPECIES];
} coeff_row;

static coeff_row row_of(const pair_view v, const double *rsafe2, int prow, int nspecies)
{
    coeff_row c = {{0.0}, {0.0}, {0.0}, {0.0}, {0.0}};
    for (int t = 0; t < nspecies && t < SMALL_SPECIES; t++) {
        c.A[t] = v.A[prow + t], c.inv_rho[t] = v.inv_rho[prow + t], c.C[t] = v.C[prow + t];
        c.shift_buck[t] = v.shift_buck[prow + t], c.rsafe2[t] = rsafe2[prow + t];
    }
    return c;
}

/* v[t] for 0 <= t < 4, branch-free. */
static ALWAYS_INLINE double pick(const double v[SMALL_SPECIES], int t)
{
    double lo = t & 1 ? v[1] : v[0], hi = t & 1 ? v[3] : v[2];
    return t & 2 ? hi : lo;
}

/* Energy parts of one pair into e_buck, e_wall, e_coul; returns fpair = F/r.
 * c = the pair's coefficients, qq = k_e qi qj, 0 < r < rc. (r comes in already taken: with
 * errno semantics, GCC would keep a branch to libm's sqrt inside this vector loop.) */
static ALWAYS_INLINE double pair_eval(const pair_view v, const pair_coeffs c, double qq, double r,
                                      int coulomb, int wall, int wide, double *e_buck,
                                      double *e_wall, double *e_coul)
{
    double rinv = 1.0 / r;
    double r2inv = rinv * rinv;
    double r6inv = r2inv * r2inv * r2inv;
    double bexp = c.A * exp_nonpositive(-r * c.inv_rho);
    double c6 = c.C * r6inv;
    *e_buck = bexp - c6 - c.shift_buck;
    double force_r = bexp * r * c.inv_rho - 6.0 * c6;
    if (wall) {
        double wn = c.D * int_power(rinv, c.wall_n);
        *e_wall = wn - c.shift_wall;
        force_r += c.wall_n * wn;
    }
    if (coulomb) {
        double x = v.g_ewald * r;
        double x2 = x * x;
        double gauss = exp_nonpositive(-x2) * (1.0 - square_lo(x, x2)); /* exp(-x^2) */
        double erfc_x = gauss * (wide ? erfcx_wide(v.erfcx_wide, v.erfcx_wide_scale, x)
                                      : erfcx_poly(v.erfcx, x));
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
    const double *xq; /* s->xq, filled for this call */
    const gmd_neighbor_list *nl;
    int tally; /* 0: forces only (gmd_compute_args.forces_only), energies and virial left 0 */
} kernel_args;

/* Loop 1: displacements of list slots [p0, p1) from atom i, and the slots within the
 * cut-off compacted into c with their partner's charge and species (branch-free: every
 * slot is written, the count advances only for those inside); returns how many. */
typedef struct compact {
    int j[CHUNK + SIMD_PAD], t[CHUNK + SIMD_PAD];
    double d[3][CHUNK + SIMD_PAD], r2[CHUNK + SIMD_PAD], q[CHUNK + SIMD_PAD];
} compact;

/* Slots [k, n) of index (a row's slots from p0), appended to c from m; returns the new
 * count. */
static ALWAYS_INLINE int select_slots(const kernel_args *a, const double ri[3], const int *index,
                                      int k, int n, compact *restrict c, int m)
{
    const double *xq = a->xq;
    const int *type = a->atoms->type;
    const double *len = a->box->len;
    const double ilx = 1.0 / len[0], ily = 1.0 / len[1], ilz = 1.0 / len[2];
    const double cutsq = a->s->cutsq;
    for (; k < n; k++) { /* one line of xq per partner; every slot is written */
        int j = index[k];
        const double *rj = xq + 4 * (size_t)j;
        double ex = min_image(ri[0] - rj[0], len[0], ilx);
        double ey = min_image(ri[1] - rj[1], len[1], ily);
        double ez = min_image(ri[2] - rj[2], len[2], ilz);
        double rr = ex * ex + ey * ey + ez * ez;
        c->j[m] = j;
        c->t[m] = type[j];
        c->q[m] = rj[3];
        c->d[0][m] = ex, c->d[1][m] = ey, c->d[2][m] = ez;
        c->r2[m] = rr;
        m += rr < cutsq;
    }
    return m;
}

static ALWAYS_INLINE int select_chunk(const kernel_args *a, const double ri[3], size_t p0,
                                      size_t p1, compact *restrict c)
{
    return select_slots(a, ri, a->nl->index + p0, 0, (int)(p1 - p0), c, 0);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_SELECT_AVX512 1
/* Loop 1 with AVX-512, eight list slots at a time: the eight partners' (x, y, z, q) lines
 * are loaded whole and transposed into four vectors (two unpacks and two two-source
 * permutes per pair of vectors; gathers are slower on the machines measured), the
 * minimum image and r^2 are vector operations, and the slots inside the cut-off are packed
 * by compress into registers, then stored unaligned at the running count (a compress
 * straight to memory is microcoded and slow on AMD Zen 4); the stores past the count are
 * overwritten by the next group or by pad_chunk. The last n % 8 slots take the scalar
 * loop. The same pairs in the same order as select_chunk, with the same operations: the
 * fused multiply-adds are those GCC 12 makes of select_chunk's expressions in its AVX-512
 * clone, so the forces are bit for bit those of the scalar pass there (another compiler
 * may contract differently: then they differ in the last bits, ~1e-14 eV/A). */
__attribute__((target("avx2,avx512f,avx512vl,fma,popcnt"), noinline)) static int
select_chunk_avx512(const kernel_args *a, const double ri[3], size_t p0, size_t p1,
                    compact *restrict c)
{
    const double *xq = a->xq;
    const int *type = a->atoms->type;
    const int *index = a->nl->index + p0;
    const double *len = a->box->len;
    const int n = (int)(p1 - p0);
    const __m512d rx = _mm512_set1_pd(ri[0]), ry = _mm512_set1_pd(ri[1]),
                  rz = _mm512_set1_pd(ri[2]);
    const __m512d lx = _mm512_set1_pd(len[0]), ly = _mm512_set1_pd(len[1]),
                  lz = _mm512_set1_pd(len[2]);
    const __m512d ilx = _mm512_set1_pd(1.0 / len[0]), ily = _mm512_set1_pd(1.0 / len[1]),
                  ilz = _mm512_set1_pd(1.0 / len[2]);
    const __m512d cutsq = _mm512_set1_pd(a->s->cutsq);
    const __m512i even_pairs = _mm512_setr_epi64(0, 1, 8, 9, 4, 5, 12, 13);
    const __m512i odd_pairs = _mm512_setr_epi64(2, 3, 10, 11, 6, 7, 14, 15);
    const __m512d shifter = _mm512_set1_pd(0x1.8p52); /* as min_image */
    int m = 0, k = 0;
    for (; k + 8 <= n; k += 8) {
        const int *jk = index + k;
#define XQ_LINE(l) _mm256_load_pd(xq + 4 * (size_t)jk[l])
        /* a_l = (x y z q) of partners l and l + 4 */
        __m512d a0 = _mm512_insertf64x4(_mm512_castpd256_pd512(XQ_LINE(0)), XQ_LINE(4), 1);
        __m512d a1 = _mm512_insertf64x4(_mm512_castpd256_pd512(XQ_LINE(1)), XQ_LINE(5), 1);
        __m512d a2 = _mm512_insertf64x4(_mm512_castpd256_pd512(XQ_LINE(2)), XQ_LINE(6), 1);
        __m512d a3 = _mm512_insertf64x4(_mm512_castpd256_pd512(XQ_LINE(3)), XQ_LINE(7), 1);
#undef XQ_LINE
        __m512d xz01 = _mm512_unpacklo_pd(a0, a1); /* x0 x1 z0 z1 x4 x5 z4 z5 */
        __m512d yq01 = _mm512_unpackhi_pd(a0, a1); /* y0 y1 q0 q1 y4 y5 q4 q5 */
        __m512d xz23 = _mm512_unpacklo_pd(a2, a3);
        __m512d yq23 = _mm512_unpackhi_pd(a2, a3);
        __m512d x = _mm512_permutex2var_pd(xz01, even_pairs, xz23);
        __m512d z = _mm512_permutex2var_pd(xz01, odd_pairs, xz23);
        __m512d y = _mm512_permutex2var_pd(yq01, even_pairs, yq23);
        __m512d q = _mm512_permutex2var_pd(yq01, odd_pairs, yq23);
        __m512d ex = _mm512_sub_pd(rx, x), ey = _mm512_sub_pd(ry, y), ez = _mm512_sub_pd(rz, z);
        ex = _mm512_fnmadd_pd(lx, _mm512_sub_pd(_mm512_fmadd_pd(ex, ilx, shifter), shifter), ex);
        ey = _mm512_fnmadd_pd(ly, _mm512_sub_pd(_mm512_fmadd_pd(ey, ily, shifter), shifter), ey);
        ez = _mm512_fnmadd_pd(lz, _mm512_sub_pd(_mm512_fmadd_pd(ez, ilz, shifter), shifter), ez);
        __m512d rr = _mm512_fmadd_pd(ez, ez, _mm512_fmadd_pd(ex, ex, _mm512_mul_pd(ey, ey)));
        __mmask8 in = _mm512_cmp_pd_mask(rr, cutsq, _CMP_LT_OQ);
        __m256i j = _mm256_loadu_si256((const __m256i *)jk);
        __m256i t = _mm256_i32gather_epi32(type, j, 4);
        _mm256_storeu_si256((__m256i *)(c->j + m), _mm256_maskz_compress_epi32(in, j));
        _mm256_storeu_si256((__m256i *)(c->t + m), _mm256_maskz_compress_epi32(in, t));
        _mm512_storeu_pd(c->q + m, _mm512_maskz_compress_pd(in, q));
        _mm512_storeu_pd(c->d[0] + m, _mm512_maskz_compress_pd(in, ex));
        _mm512_storeu_pd(c->d[1] + m, _mm512_maskz_compress_pd(in, ey));
        _mm512_storeu_pd(c->d[2] + m, _mm512_maskz_compress_pd(in, ez));
        _mm512_storeu_pd(c->r2 + m, _mm512_maskz_compress_pd(in, rr));
        m += __builtin_popcount(in);
    }
    return select_slots(a, ri, index, k, n, c, m); /* the last n % 8 slots */
}
#endif

/* Pads the compacted pairs [m, mpad) with harmless filler (partner i itself at half the
 * cut-off, zero displacement): loop 2 then has no remainder, and the filler's energies
 * are masked out. */
static ALWAYS_INLINE void pad_chunk(compact *restrict c, int m, int mpad, int i, double cutsq,
                                    double *restrict live)
{
    for (int k = 0; k < mpad; k++)
        live[k] = k < m ? 1.0 : 0.0;
    for (int k = m; k < mpad; k++) {
        c->j[k] = i;
        c->t[k] = 0;
        c->q[k] = 0.0;
        c->d[0][k] = c->d[1][k] = c->d[2][k] = 0.0;
        c->r2[k] = 0.25 * cutsq;
    }
}

/* Rows [first, last) of the list; forces into f[3] (this thread's arrays). Per chunk:
 * loop 1 (select_chunk), loop 2 the physics with the forces on i, the energies and the
 * virial as vector sums, loop 3 the scatter of the pair forces to j. */
static ALWAYS_INLINE void kernel(const kernel_args *a, size_t first, size_t last,
                                 double *restrict f, thread_sums *sum, int coulomb, int wall,
                                 int tally, int wide, int small)
{
    const buck_coul *s = a->s;
    const pair_view view = view_of(s);
    const double *xq = a->xq;
    const int *type = a->atoms->type;
    const size_t *start = a->nl->start;
    double eb = 0.0, ew = 0.0, ec = 0.0;
    double w0 = 0.0, w1 = 0.0, w2 = 0.0, w3 = 0.0, w4 = 0.0, w5 = 0.0;
    const double *rsafe2 = s->rsafe2;
    double margin = 1.0; /* smallest r^2 - r_safe^2 seen: negative when a pair collapsed */
    sum->worst_ratio = 1.0;
    sum->worst_i = sum->worst_j = -1;

    compact c;
    double fxc[CHUNK + SIMD_PAD], fyc[CHUNK + SIMD_PAD], fzc[CHUNK + SIMD_PAD];
    double live[CHUNK + SIMD_PAD];
    for (size_t i = first; i < last; i++) {
        const double ri[3] = {xq[4 * i], xq[4 * i + 1], xq[4 * i + 2]};
        const double qi = GMD_COULOMB_EV_A * xq[4 * i + 3];
        const int prow = type[i] * s->nspecies;
        const coeff_row row = small ? row_of(view, rsafe2, prow, s->nspecies) : (coeff_row){0};
        double fxi = 0.0, fyi = 0.0, fzi = 0.0;
        for (size_t p0 = start[i]; p0 < start[i + 1]; p0 += CHUNK) {
            size_t p1 = p0 + CHUNK < start[i + 1] ? p0 + CHUNK : start[i + 1];
            int m;
#ifdef HAVE_SELECT_AVX512
            if (s->select_avx512)
                m = select_chunk_avx512(a, ri, p0, p1, &c);
            else
#endif
                m = select_chunk(a, ri, p0, p1, &c);
            int mpad = (m + SIMD_PAD - 1) / SIMD_PAD * SIMD_PAD;
            pad_chunk(&c, m, mpad, (int)i, s->cutsq, live);
#pragma omp simd reduction(+ : eb, ew, ec, w0, w1, w2, w3, w4, w5, fxi, fyi, fzi) \
    reduction(min : margin)
            for (int k = 0; k < mpad; k++) { /* loop 2: the physics, vectorised */
                int p = prow + c.t[k];
                double qq = coulomb ? qi * c.q[k] : 0.0;
                double e_buck = 0.0, e_wall = 0.0, e_coul = 0.0;
                double r2 = c.r2[k];
                pair_coeffs cf;
                double safe2;
                if (small) { /* a compile-time constant */
                    int tj = c.t[k];
                    cf = (pair_coeffs){pick(row.A, tj),
                                       pick(row.inv_rho, tj),
                                       pick(row.C, tj),
                                       pick(row.shift_buck, tj),
                                       0.0,
                                       0.0,
                                       0};
                    safe2 = pick(row.rsafe2, tj);
                } else {
                    cf = coeffs_at(view, p, wall);
                    safe2 = rsafe2[p];
                }
                double fpair = pair_eval(view, cf, qq, sqrt(r2), coulomb, wall, wide, &e_buck,
                                         &e_wall, &e_coul);
                double dx = c.d[0][k], dy = c.d[1][k], dz = c.d[2][k];
                double fxp = fpair * dx, fyp = fpair * dy, fzp = fpair * dz;
                fxc[k] = fxp, fyc[k] = fyp, fzc[k] = fzp;
                fxi += fxp, fyi += fyp, fzi += fzp;
                if (tally) { /* a compile-time constant: no branch in the loop */
                    eb += live[k] * e_buck, ew += live[k] * e_wall, ec += live[k] * e_coul;
                    w0 += dx * fxp, w1 += dy * fyp, w2 += dz * fzp;
                    w3 += dx * fyp, w4 += dx * fzp, w5 += dy * fzp;
                }
                double mk = r2 - safe2 + (1.0 - live[k]);
                margin = mk < margin ? mk : margin;
            }
            for (int k = 0; k < m; k++) { /* loop 3: scatter to the partners */
                double *fj = f + 3 * (size_t)c.j[k];
                fj[0] -= fxc[k], fj[1] -= fyc[k], fj[2] -= fzc[k];
            }
            if (margin < 0.0) { /* rare: a collapsing pair; find the deepest, scalar */
                for (int k = 0; k < m; k++) {
                    int j = c.j[k];
                    double safe2 = rsafe2[prow + c.t[k]];
                    if (c.r2[k] < safe2 && c.r2[k] < sum->worst_ratio * safe2) {
                        sum->worst_ratio = c.r2[k] / safe2;
                        sum->worst_i = (int)i, sum->worst_j = j, sum->worst_r = sqrt(c.r2[k]);
                    }
                }
                margin = 1.0;
            }
        } // loop over chunks of row i
        f[3 * i] += fxi, f[3 * i + 1] += fyi, f[3 * i + 2] += fzi;
    } // loop over atoms i
    sum->e[0] = eb, sum->e[1] = ew, sum->e[2] = ec;
    const double w[6] = {w0, w1, w2, w3, w4, w5};
    for (int k = 0; k < 6; k++)
        sum->w[k] = w[k];
}

/* One specialisation of the kernel: every flag a compile-time constant, so that each has no
 * branch inside (small: few species and no walls, coefficients picked by selects). */
#define KERNEL_CASE(coulomb, wall, tally, wide, small)                                             \
    case (coulomb) << 4 | (wall) << 3 | (tally) << 2 | (wide) << 1 | (small):                      \
        kernel(a, first, last, f, sum, coulomb, wall, tally, wide, small);                         \
        break

GMD_SIMD_CLONES
static void kernel_dispatch(const kernel_args *a, size_t first, size_t last, double *restrict f,
                            thread_sums *sum)
{
    int coulomb = a->s->coulomb, wall = a->s->has_wall, wide = coulomb && a->s->erfcx_single;
    int small = !wall && a->s->nspecies <= SMALL_SPECIES;
    switch (coulomb << 4 | wall << 3 | a->tally << 2 | wide << 1 | small) {
        KERNEL_CASE(0, 0, 0, 0, 0);
        KERNEL_CASE(0, 0, 1, 0, 0);
        KERNEL_CASE(0, 0, 0, 0, 1);
        KERNEL_CASE(0, 0, 1, 0, 1);
        KERNEL_CASE(0, 1, 0, 0, 0);
        KERNEL_CASE(0, 1, 1, 0, 0);
        KERNEL_CASE(1, 0, 0, 0, 0);
        KERNEL_CASE(1, 0, 1, 0, 0);
        KERNEL_CASE(1, 0, 0, 1, 0);
        KERNEL_CASE(1, 0, 1, 1, 0);
        KERNEL_CASE(1, 0, 0, 0, 1);
        KERNEL_CASE(1, 0, 1, 0, 1);
        KERNEL_CASE(1, 0, 0, 1, 1);
        KERNEL_CASE(1, 0, 1, 1, 1);
        KERNEL_CASE(1, 1, 0, 0, 0);
        KERNEL_CASE(1, 1, 1, 0, 0);
        KERNEL_CASE(1, 1, 0, 1, 0);
    default:
        kernel(a, first, last, f, sum, 1, 1, 1, 1, 0);
        break;
    }
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
    if (need > s->fbuf_len || !s->fbuf) {
        double *p = gmd_realloc(s->fbuf, need, sizeof *p, "per-thread forces", err);
        if (!p) return GMD_ERR_NOMEM;
        s->fbuf = p;
        s->fbuf_len = need;
    }
    if (4 * n > s->xq_len || !s->xq_raw) { /* 8 doubles more, to align to 64 bytes */
        double *p = gmd_realloc(s->xq_raw, 4 * n + 8, sizeof *p, "packed positions", err);
        if (!p) return GMD_ERR_NOMEM;
        s->xq_raw = p;
        s->xq = p + (64 - (uintptr_t)p % 64) % 64 / sizeof *p;
        s->xq_len = 4 * n;
    }
    return GMD_OK;
}

/* Packs positions and charges of atoms [first, last) into s->xq. */
static void pack_atoms(buck_coul *s, const gmd_atoms *atoms, size_t first, size_t last)
{
    double *restrict xq = s->xq;
    for (size_t i = first; i < last; i++) {
        xq[4 * i] = atoms->r[0][i];
        xq[4 * i + 1] = atoms->r[1][i];
        xq[4 * i + 2] = atoms->r[2][i];
        xq[4 * i + 3] = atoms->charge[i];
    }
}

/* Sums the per-thread force arrays of nt threads into atoms->f; called inside the
 * parallel region by every thread. */
static void reduce_forces(const buck_coul *s, gmd_atoms *atoms, int nt)
{
    size_t n = atoms->n;
    double *restrict fx = atoms->f[0], *restrict fy = atoms->f[1], *restrict fz = atoms->f[2];
#pragma omp for schedule(static)
    for (size_t i = 0; i < n; i++) {
        double sx = 0.0, sy = 0.0, sz = 0.0;
        for (int t = 0; t < nt; t++) {
            const double *ft = s->fbuf + (size_t)t * 3 * n + 3 * i;
            sx += ft[0], sy += ft[1], sz += ft[2];
        }
        fx[i] += sx, fy[i] += sy, fz[i] += sz;
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
    kernel_args ka = {s, args->box, args->atoms, s->xq, args->nlist, !args->forces_only};
    int used = 1;
#pragma omp parallel num_threads(threads)
    {
        int t = omp_get_thread_num(), nt = omp_get_num_threads();
        double *f = s->fbuf + (size_t)t * 3 * n;
        memset(f, 0, 3 * n * sizeof(double));
        size_t first = n * (size_t)t / (size_t)nt, last = n * (size_t)(t + 1) / (size_t)nt;
        pack_atoms(s, args->atoms, first, last);
#pragma omp barrier
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
        int wide = s->coulomb && s->erfcx_single;
        if (s->D[p] != 0.0)
            f = pair_eval(view_of(s), coeffs_at(view_of(s), p, 1), qq, r, s->coulomb, 1, wide,
                          &e[0], &e[1], &e[2]);
        else
            f = pair_eval(view_of(s), coeffs_at(view_of(s), p, 0), qq, r, s->coulomb, 0, wide,
                          &e[0], &e[1], &e[2]);
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
                    "%s degree-%d Chebyshev\"}",
                    self->name, s->cutoff, s->shift ? "true" : "false",
                    s->coulomb ? "true" : "false", s->coulomb ? s->g_ewald : 0.0,
                    s->has_wall ? "true" : "false", s->erfcx_single ? "one" : "piecewise",
                    s->erfcx_single ? ERFCX_WIDE_DEGREE : ERFCX_DEGREE);
}

static void buck_coul_destroy(gmd_term *self)
{
    buck_coul *s = self->state;
    if (s) {
        free(s->fbuf);
        free(s->xq_raw);
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

/* Chebyshev interpolant of erfcx at n points of [a, a + width], as the n monomial
 * coefficients of t in [-1, 1] (t = 2 (x - a)/width - 1). The sums run in long double: the
 * conversion to monomials cancels, and the table's accuracy rests on it. */
static void fit_interval(double a, double width, int n, double *mono)
{
    /* pi to long double: with double's pi the phases k (j + 1/2) pi / n of the high terms
     * would be off by ~1e-14 and their coefficients noisy at the 1e-15 level */
    const long double pi = 3.141592653589793238462643383279502884L;
    long double cheb[ERFCX_WIDE_NCOEF] = {0}, value[ERFCX_WIDE_NCOEF];
    for (int j = 0; j < n; j++)
        value[j] = erfcx_reference(a + 0.5 * width * (double)(1.0L + cosl(pi * (j + 0.5L) / n)));
    for (int k = 0; k < n; k++) {
        for (int j = 0; j < n; j++)
            cheb[k] += value[j] * cosl(pi * k * (j + 0.5L) / n);
        cheb[k] *= (k == 0 ? 1.0L : 2.0L) / n;
    }
    /* T_k as monomials by T_{k+1} = 2 t T_k - T_{k-1}; accumulate sum cheb_k T_k */
    long double tprev[ERFCX_WIDE_NCOEF] = {1.0L}, tcur[ERFCX_WIDE_NCOEF] = {0.0L, 1.0L};
    long double sum[ERFCX_WIDE_NCOEF];
    for (int p = 0; p < n; p++)
        sum[p] = cheb[0] * tprev[p] + cheb[1] * tcur[p];
    for (int k = 2; k < n; k++) {
        long double tnext[ERFCX_WIDE_NCOEF];
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

/* The Chebyshev interpolant of erfcx on all of [0, xmax] with ERFCX_WIDE_NCOEF terms, as
 * monomials in t = 2 x/xmax - 1; 1 when it matches erfcx_reference to 1.2e-15 relative on
 * a fine grid (both ends included; the reference itself is good to ~2e-16), else 0 (the
 * table is used: for g rc above about 4.2 the series would need a higher degree). */
static int fit_wide(buck_coul *s, double xmax)
{
    fit_interval(0.0, xmax, ERFCX_WIDE_NCOEF, s->erfcx_wide);
    s->erfcx_wide_scale = 2.0 / xmax;
    const int samples = 4000;
    for (int i = 0; i <= samples; i++) {
        double x = xmax * i / samples;
        double ref = erfcx_reference(x);
        if (fabs(erfcx_wide(s->erfcx_wide, s->erfcx_wide_scale, x) - ref) > 1.2e-15 * ref) return 0;
    }
    return 1;
}

/* Tables erfcx on [0, g rc + one interval] (x = g r < g rc inside the cut-off). */
static gmd_status build_erfcx_table(buck_coul *s, gmd_error *err)
{
    double xmax = s->g_ewald * s->cutoff; /* <= 26, checked by create */
    s->erfcx_n = (int)(xmax / ERFCX_WIDTH) + 2;
    s->erfcx_coef = gmd_calloc((size_t)s->erfcx_n * ERFCX_NCOEF, sizeof(double), "erfc table", err);
    if (!s->erfcx_coef) return GMD_ERR_NOMEM;
    for (int k = 0; k < s->erfcx_n; k++)
        fit_interval(k * ERFCX_WIDTH, ERFCX_WIDTH, ERFCX_NCOEF,
                     s->erfcx_coef + (size_t)k * ERFCX_NCOEF);
    s->erfcx_single = xmax > 0.0 && fit_wide(s, xmax);
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
#ifdef HAVE_SELECT_AVX512
    __builtin_cpu_init();
    s->select_avx512 = !opt->portable && __builtin_cpu_supports("avx512f") &&
                       __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx2") &&
                       __builtin_cpu_supports("fma") && __builtin_cpu_supports("popcnt");
#endif
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
