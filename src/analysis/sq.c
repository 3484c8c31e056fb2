/* sq.c - structure factors (SPEC section 5): Faber-Ziman partials from g_ab(r), X-ray and
 * neutron totals, the reciprocal-lattice S_ab(k) computed from positions, and the Wright
 * R_X against an experimental curve.
 *
 * From g(r): S_ab(k) = 1 + 4 pi rho int_0^R r^2 (g_ab(r) - 1) sin(kr)/(kr) M(r) dr with rho
 * = N / <V> the total number density (<V> the mean volume of the frames; g itself is
 * normalised frame by frame with each frame's volume, rdf.c), R = rmax of the histogram, the
 * midpoint rule on the rdf bins, M = 1 or the Lorch window sin(pi r/R)/(pi r/R) (damps the
 * truncation ripples at the price of resolution). k = j dk, j = 1 .. kmax/dk. Totals: S_X(k) =
 * sum_ab c_a c_b f_a(k) f_b(k) S_ab(k) / (sum_a c_a f_a(k))^2, the sum over ordered pairs, f the
 * Waasmaier-Kirfel form factors (formfactors.c); S_N(k) the same with the k-independent coherent
 * neutron lengths.
 *
 * Directly on the reciprocal lattice of the box (needed below ~2 A^-1, where the transform
 * of a g(r) cut at R = L/2 cannot resolve the FSDP): for every k = 2 pi (n1/Lx, n2/Ly,
 * n3/Lz) with 0 < |k| <= kmax, one of each pair +-k (in the half space n1 > 0, or n1 = 0
 * and n2 > 0, or n1 = n2 = 0 and n3 > 0),
 *     rho_a(k) = sum_{i in a} exp(i k.r_i),  S^AL_ab(k) = Re(rho_a(k) conj(rho_b(k))) / sqrt(N_a
 * N_b) (Ashcroft-Langreth, -> delta_ab at large k), averaged over the vectors in shells [m dk,
 * (m+1) dk) and over frames; the shell's k is the mean |k| of its vectors. The lattice is
 * each frame's own (the vectors are listed anew whenever the box changes): when it does (NPT)
 * the shells, fixed in |k|, hold different vectors in different frames, a Bragg peak
 * moves with 2 pi / L(t) from shell to shell, and a shell's S is the mean over every
 * vector of every frame that fell in it (nvec in sq_direct.csv: vectors per frame, the
 * mean). It is reported in the
 * Faber-Ziman normalisation, S^FZ_ab = 1 + (S^AL_ab - delta_ab)/sqrt(c_a c_b), the same quantity as
 * the transform above (both -> 1 at large k), so the two curves can be overlaid.
 * Two ways to the rho_a(k) (settings sq_method): by default the gridded transform of
 * sq_grid.c (Kaiser-Bessel spreading and FFT, agreeing with the direct sum to ~1e-9 relative,
 * about 4 times faster on 3000 atoms), read mode by mode into the same shells in the same
 * order as the direct sum's per-vector values (grid_shells), so the shells, their k and
 * their vector counts are the same; or the direct sum, kept as the reference the tests
 * compare the grid with.
 * The direct sum costs N atoms x N_k vectors (~1e8 per frame for 3000 atoms up to 4 A^-1
 * in a 41 A box), done as in an Ewald sum: per frame and atom, tables of e^{i n u x}, e^{i n u y},
 * e^{i n u z} for n = 0 .. kmax/u (one sine and cosine per atom and axis, then the recurrence e^{i
 * n u x} = e^{i (n-1) u x} e^{i u x}). The vectors are grouped in columns (n1, n2) with n3 = -h ..
 * h; per column and atom A = e^{i n1 u x} e^{i n2 u y}, and the vectors +n3 and -n3 share the four
 * real products of A and e^{i n3 u z}: A Z = (ac - bd) + i(ad + bc), A conj(Z) = (ac + bd) + i(bc -
 * ad), so a vector costs 2 multiplications and 4 additions per atom, with no recurrence along the
 * column. Atoms are sorted by species (rho_a is a plain sum over a range) and cut into chunks of 64
 * whose e^{i n3 u z} rows stay in L1 while a group of up to 16 columns of the same n2 is summed;
 * the inner sum is compiled for AVX2 / AVX-512 beside the baseline on x86-64 glibc (target_clones).
 * Groups are shared among threads; each vector's values go to its own slot and are summed into
 * shells in a fixed order, so the result does not depend on the thread count. gmd_dsq_acc_select
 * restricts the sums to the atoms of one pair of species (fsdp.c).
 *
 * Wright R_X (SPEC Eq. 2): sqrt(sum (S_exp - S_calc)^2 / sum S_exp^2) over the experimental
 * points with 0.6 <= k <= 12 A^-1, S_calc (the X-ray total from g(r)) interpolated
 * linearly onto those k.
 *
 * Outputs: sq.csv (k_invA, S_ab for a <= b, S_N, S_X), sq_direct.csv (k_invA, nvec, S_ab FZ,
 * S_N, S_X), figures, sq_exp.csv + figure when an experimental file is given; results key
 * "sq" (settings, form-factor table) and "r_x". */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "glassmd/units.h"
#include "sq_grid.h"
#include "structure_internal.h"

typedef struct dsq_vectors dsq_vectors;
static void vectors_free(dsq_vectors *vs);

/* ================================================================ transform of g(r) */

/* k values transformed together (lanes of the vectorised loops in sq_lanes). */
#define SQ_LANES 8

/* S(k) of lanes k[0 .. nl - 1]: sum_m r_m^2 (g_p(r_m) - 1) M(r_m) sin(k r_m) / (k r_m),
 * sin((m + 1/2) k dr) by rotation from bin to bin (one sine and cosine per k instead of one
 * sine per bin: ~1e-13 relative after 10^3 bins, far below the histogram's statistics),
 * eight k at once; a bin's factor r^2 (g_p - 1) M(r) is shared by the eight. */
GMD_SIMD_CLONES
static void sq_lanes(const double *const *g, int ng, int nbins, double dr, int lorch, double scale,
                     const double *k, int nl, double *const *s, int j0)
{
    const double rmax = nbins * dr;
    double sn[SQ_LANES], cs[SQ_LANES], rot_s[SQ_LANES], rot_c[SQ_LANES], inv_t[SQ_LANES];
    double sum[GMD_MAX_SPECIES * (GMD_MAX_SPECIES + 1) / 2][SQ_LANES] = {{0}};
    for (int l = 0; l < SQ_LANES; l++) {
        const double t = l < nl ? k[l] * dr : 0.0;
        sn[l] = sin(0.5 * t);
        cs[l] = cos(0.5 * t);
        rot_s[l] = sin(t);
        rot_c[l] = cos(t);
        inv_t[l] = t > 1e-300 ? 1.0 / t : 0.0;
    }
    for (int m = 0; m < nbins; m++) {
        const double r = (m + 0.5) * dr, x = GMD_PI * r / rmax;
        const double window = lorch ? sin(x) / x : 1.0, inv_half = 1.0 / (m + 0.5);
        double sinc[SQ_LANES];
        for (int l = 0; l < SQ_LANES; l++) {
            /* k r = (m + 1/2) t; below 1e-12 the limit 1 (as sin(kr) / kr is there) */
            sinc[l] = inv_t[l] * inv_half < 1e12 ? sn[l] * inv_half * inv_t[l] : 1.0;
            const double s_next = sn[l] * rot_c[l] + cs[l] * rot_s[l];
            cs[l] = cs[l] * rot_c[l] - sn[l] * rot_s[l];
            sn[l] = s_next;
        }
        for (int p = 0; p < ng; p++) {
            const double f = r * r * (g[p][m] - 1.0) * window;
            for (int l = 0; l < SQ_LANES; l++)
                sum[p][l] += f * sinc[l];
        }
    }
    for (int p = 0; p < ng; p++)
        for (int l = 0; l < nl; l++)
            s[p][j0 + l] = 1.0 + scale * sum[p][l];
}

void gmd_sq_from_gr_many(const double *const *g, int ng, int nbins, double dr, double rho,
                         int lorch, const double *k, int nk, double *const *s)
{
    for (int j0 = 0; j0 < nk; j0 += SQ_LANES)
        sq_lanes(g, ng, nbins, dr, lorch, 4.0 * GMD_PI * rho * dr, k + j0,
                 nk - j0 < SQ_LANES ? nk - j0 : SQ_LANES, s, j0);
}

void gmd_sq_from_gr(const double *g, int nbins, double dr, double rho, int lorch, const double *k,
                    int nk, double *s)
{
    gmd_sq_from_gr_many(&g, 1, nbins, dr, rho, lorch, k, nk, &s);
}

/* ================================================================ direct S(k) */

int gmd_pair_index(int ns, int a, int b)
{
    if (a > b) {
        int t = a;
        a = b;
        b = t;
    }
    return a * ns - a * (a - 1) / 2 + (b - a);
}

double gmd_fz_from_al(double s_al, int same, double ca, double cb)
{
    return 1.0 + (s_al - (same ? 1.0 : 0.0)) / sqrt(ca * cb);
}

gmd_status gmd_dsq_acc_init(gmd_dsq_acc *acc, int nspecies, const long *count, size_t natoms,
                            double kmax, double dk, int threads, gmd_error *err)
{
    memset(acc, 0, sizeof *acc);
    if (!(kmax > 0.0) || !(dk > 0.0))
        return gmd_fail(err, GMD_ERR_VALUE,
                        "direct S(k): kmax %g and dk %g (A^-1) must be positive", kmax, dk);
    acc->ns = nspecies;
    for (int s = 0; s < nspecies; s++)
        acc->count[s] = count[s];
    acc->natoms = natoms;
    acc->kmax = kmax;
    acc->dk = dk;
    acc->nshell = (int)floor(kmax / dk) + 1;
    acc->npairs = nspecies * (nspecies + 1) / 2;
    acc->threads = threads > 0 ? threads : 1;
    acc->species_mask = (1u << nspecies) - 1u;
    acc->method = GMD_SQ_DIRECT;
    acc->sal = gmd_calloc((size_t)acc->npairs * acc->nshell, sizeof(double), "S(k) shells", err);
    acc->ksum = gmd_calloc((size_t)acc->nshell, sizeof(double), "S(k) shells", err);
    acc->nvec = gmd_calloc((size_t)acc->nshell, sizeof(long), "S(k) shells", err);
    if (!acc->sal || !acc->ksum || !acc->nvec) {
        gmd_dsq_acc_free(acc);
        return GMD_ERR_NOMEM;
    }
    return GMD_OK;
}

void gmd_dsq_acc_free(gmd_dsq_acc *acc)
{
    gmd_sq_grid_free(acc->grid);
    acc->grid = NULL;
    vectors_free(acc->vectors);
    acc->vectors = NULL;
    free(acc->sal);
    free(acc->ksum);
    free(acc->nvec);
    acc->sal = acc->ksum = NULL;
    acc->nvec = NULL;
}

void gmd_dsq_acc_select(gmd_dsq_acc *acc, int a, int b)
{
    acc->species_mask = (1u << a) | (1u << b);
}

void gmd_dsq_acc_set_method(gmd_dsq_acc *acc, gmd_sq_method method)
{
    acc->method = method;
}

/* One column (n1, n2) of k-vectors: n3 from lo to hi. */
typedef struct kcolumn {
    int n1, n2, lo, hi;
    size_t first; /* index of its first vector in the per-vector arrays */
} kcolumn;

/* Lists the columns of the half space within kmax; returns their number (-1: no memory). */
static long list_columns(const gmd_box *box, double kmax, kcolumn **out, size_t *nvec,
                         gmd_error *err)
{
    double u[3];
    int nmax[3];
    for (int k = 0; k < 3; k++) {
        u[k] = 2.0 * GMD_PI / box->len[k];
        nmax[k] = (int)floor(kmax / u[k]);
    }
    size_t cap = (size_t)(nmax[0] + 1) * (2 * nmax[1] + 1);
    kcolumn *col = gmd_calloc(cap, sizeof *col, "k-vector columns", err);
    if (!col) return -1;
    long nc = 0;
    size_t total = 0;
    for (int n2 = -nmax[1]; n2 <= nmax[1]; n2++) /* n2 outer: the grid's rows (sq_grid.c) */
        for (int n1 = (n2 < 0 ? 1 : 0); n1 <= nmax[0]; n1++) {
            double kxy2 = (n1 * u[0]) * (n1 * u[0]) + (n2 * u[1]) * (n2 * u[1]);
            if (kxy2 > kmax * kmax) continue;
            int h = (int)floor(sqrt(kmax * kmax - kxy2) / u[2]);
            int lo = (n1 == 0 && n2 == 0) ? 1 : -h;
            if (lo > h) continue;
            col[nc] = (kcolumn){n1, n2, lo, h, total};
            total += (size_t)(h - lo + 1);
            nc++;
        }
    *out = col;
    *nvec = total;
    return nc;
}

/* Atoms per chunk of the phase sums: a chunk's table of e^{i n3 u z} (up to ~30 rows of 64
 * complex numbers) stays in L1 while a group of columns is summed. */
#define DSQ_CHUNK 64
/* Columns (of one n2) summed together over each chunk: one unit of work for a thread. */
#define DSQ_GROUP 16

/* A run of atoms of one species in the species-sorted order. */
typedef struct dsq_chunk {
    int species, start, len;
} dsq_chunk;

/* Phase tables of one frame (as in an Ewald sum): the atoms of the selected species sorted
 * by species and cut into chunks, and e^{i n u_k x_k} for n = 0 .. nmax[k] along each axis
 * k, chunk-major: re[k][start * (nmax[k] + 1) + n * len + i] for atom i of the chunk
 * (start, len), so that a chunk's rows are contiguous. */
typedef struct phase_tables {
    int natoms, nmax[3];
    double *re[3], *im[3];
    dsq_chunk *chunk;
    int nchunk;
} phase_tables;

static void phase_tables_free(phase_tables *t)
{
    for (int k = 0; k < 3; k++) {
        free(t->re[k]);
        free(t->im[k]);
    }
    free(t->chunk);
}

/* Row n of axis k of chunk ch (real parts; the imaginary parts at the same offset in im). */
static size_t row_offset(const phase_tables *t, const dsq_chunk *ch, int k, int n)
{
    return (size_t)ch->start * (size_t)(t->nmax[k] + 1) + (size_t)n * (size_t)ch->len;
}

/* Sorts the selected atoms by species into chunks of at most DSQ_CHUNK; fills slot_atom. */
static gmd_status sort_species(const gmd_dsq_acc *acc, const gmd_frame *f, phase_tables *t,
                               int *slot_atom, gmd_error *err)
{
    int count[GMD_MAX_SPECIES] = {0}, start[GMD_MAX_SPECIES + 1] = {0};
    for (size_t i = 0; i < f->n; i++)
        if (acc->species_mask >> f->type[i] & 1u) count[f->type[i]]++;
    int nchunk = 0;
    for (int a = 0; a < acc->ns; a++) {
        start[a + 1] = start[a] + count[a];
        nchunk += (count[a] + DSQ_CHUNK - 1) / DSQ_CHUNK;
    }
    t->natoms = start[acc->ns];
    t->chunk = gmd_calloc(nchunk ? (size_t)nchunk : 1, sizeof *t->chunk, "S(k) chunks", err);
    if (!t->chunk) return GMD_ERR_NOMEM;
    for (int a = 0; a < acc->ns; a++)
        for (int s = 0; s < count[a]; s += DSQ_CHUNK)
            t->chunk[t->nchunk++] =
                (dsq_chunk){a, start[a] + s, count[a] - s < DSQ_CHUNK ? count[a] - s : DSQ_CHUNK};
    for (size_t i = 0; i < f->n; i++)
        if (acc->species_mask >> f->type[i] & 1u) slot_atom[start[f->type[i]]++] = (int)i;
    return GMD_OK;
}

/* e^{i n u x} for n = 0 .. nmax of every atom, by the recurrence e^{i n u x} = e^{i (n-1) u x}
 * e^{i u x} from one sine and cosine per atom and axis (positions wrapped into the box
 * first: a phase is periodic in the box, and the wrapped argument is small). */
static gmd_status fill_axis(phase_tables *t, const gmd_frame *f, const int *slot_atom, int k,
                            double u, gmd_error *err)
{
    const int rows = t->nmax[k] + 1;
    const size_t size = (size_t)rows * (size_t)(t->natoms ? t->natoms : 1);
    double *re = gmd_calloc(size, sizeof(double), "S(k) phases", err);
    double *im = re ? gmd_calloc(size, sizeof(double), "S(k) phases", err) : NULL;
    t->re[k] = re;
    t->im[k] = im;
    if (!im) return GMD_ERR_NOMEM;
    const double len = f->box.len[k];
    for (int q = 0; q < t->nchunk; q++) {
        const dsq_chunk *ch = &t->chunk[q];
        double *r0 = re + row_offset(t, ch, k, 0), *i0 = im + row_offset(t, ch, k, 0);
        for (int i = 0; i < ch->len; i++) {
            double x = f->r[k][slot_atom[ch->start + i]];
            x -= len * floor(x / len);
            r0[i] = 1.0;
            i0[i] = 0.0;
            if (rows > 1) {
                r0[ch->len + i] = cos(u * x);
                i0[ch->len + i] = sin(u * x);
            }
        }
        const double *r1 = r0 + ch->len, *i1 = i0 + ch->len;
        for (int m = 2; m < rows; m++) {
            const double *pr = r0 + (size_t)(m - 1) * ch->len, *pi = i0 + (size_t)(m - 1) * ch->len;
            double *qr = r0 + (size_t)m * ch->len, *qi = i0 + (size_t)m * ch->len;
            for (int i = 0; i < ch->len; i++) {
                qr[i] = pr[i] * r1[i] - pi[i] * i1[i];
                qi[i] = pr[i] * i1[i] + pi[i] * r1[i];
            }
        }
    }
    return GMD_OK;
}

/* The sums of one chunk over the vector pairs (n1, n2, +-n3), n3 = 1 .. h: with A = a + ib
 * the chunk's phase e^{i (n1 u x + n2 u y)} and Z = c + id = e^{i n3 u z} from the table,
 * A Z = (ac - bd) + i(ad + bc) and A conj(Z) = (ac + bd) + i(bc - ad) share their four
 * products, so a vector costs two multiplications and four additions per atom.
 * out[n3 * 4 + {0, 1, 2, 3}] += (Re, Im) at +n3, (Re, Im) at -n3. The whole cost of the
 * direct sum: compiled for AVX2 / AVX-512 too (GMD_SIMD_CLONES). */
GMD_SIMD_CLONES
static void chunk_pm_sums(const double *restrict ar, const double *restrict ai, int len,
                          const double *restrict zr, const double *restrict zi, int h,
                          double *restrict out)
{
    for (int n3 = 1; n3 <= h; n3++) {
        const double *restrict c = zr + (size_t)n3 * len, *restrict d = zi + (size_t)n3 * len;
        double pr = 0.0, pi = 0.0, mr = 0.0, mi = 0.0;
#pragma omp simd reduction(+ : pr, pi, mr, mi)
        for (int i = 0; i < len; i++) {
            double ac = ar[i] * c[i], bd = ai[i] * d[i], ad = ar[i] * d[i], bc = ai[i] * c[i];
            pr += ac - bd;
            pi += ad + bc;
            mr += ac + bd;
            mi += bc - ad;
        }
        out[4 * n3] += pr;
        out[4 * n3 + 1] += pi;
        out[4 * n3 + 2] += mr;
        out[4 * n3 + 3] += mi;
    } /* loop over n3 */
}

/* Adds the chunk's share of rho_a(k) to every vector of column c: rho[(m * ns + a) * 2 +
 * {0, 1}] for n3 = lo + m. The phase A = e^{i n1 u x} e^{i n2 u y} comes from the tables
 * (n2 < 0 by conjugation), the sums over n3 = -h .. h from chunk_pm_sums. pm: scratch for
 * (h + 1) * 4 values. */
static void column_chunk(const phase_tables *t, const dsq_chunk *ch, const kcolumn *c, int ns,
                         double *rho, double *pm)
{
    const int n2 = abs(c->n2), h = c->hi;
    const double sy = c->n2 < 0 ? -1.0 : 1.0;
    double ar[DSQ_CHUNK], ai[DSQ_CHUNK];
    const double *xr = t->re[0] + row_offset(t, ch, 0, c->n1);
    const double *xi = t->im[0] + row_offset(t, ch, 0, c->n1);
    const double *yr = t->re[1] + row_offset(t, ch, 1, n2);
    const double *yi = t->im[1] + row_offset(t, ch, 1, n2);
    double sr = 0.0, si = 0.0;
    for (int i = 0; i < ch->len; i++) {
        ar[i] = xr[i] * yr[i] - xi[i] * (sy * yi[i]);
        ai[i] = xr[i] * (sy * yi[i]) + xi[i] * yr[i];
        sr += ar[i];
        si += ai[i];
    }
    memset(pm, 0, (size_t)(h + 1) * 4 * sizeof(double));
    chunk_pm_sums(ar, ai, ch->len, t->re[2] + row_offset(t, ch, 2, 0),
                  t->im[2] + row_offset(t, ch, 2, 0), h, pm);
    for (int n3 = c->lo; n3 <= h; n3++) {
        double *r = rho + ((size_t)(n3 - c->lo) * ns + ch->species) * 2;
        const double *v = n3 == 0 ? NULL : pm + 4 * abs(n3) + (n3 > 0 ? 0 : 2);
        r[0] += v ? v[0] : sr;
        r[1] += v ? v[1] : si;
    }
}

/* The pairs a <= b in gmd_pair_index order: offsets 2 a and 2 b of rho_a and rho_b in a
 * vector's values, and 1 / sqrt(N_a N_b) (0 for an empty species). Returns their number. */
static int pair_table(const gmd_dsq_acc *acc, int *pa, int *pb, double *inv_norm)
{
    const int ns = acc->ns;
    for (int a = 0; a < ns; a++)
        for (int b = a; b < ns; b++) {
            const int p = gmd_pair_index(ns, a, b);
            const double norm = sqrt((double)acc->count[a] * (double)acc->count[b]);
            pa[p] = 2 * a;
            pb[p] = 2 * b;
            inv_norm[p] = norm > 0.0 ? 1.0 / norm : 0.0; /* a product per vector, not a division */
        }
    return acc->npairs;
}

/* S_AL of every pair for the vectors of column c (slots c->first ...); the pairs' species
 * and norms are found once per column, not per vector. */
static void column_results(const gmd_dsq_acc *acc, const kcolumn *c, const double *rho, double *sal)
{
    const int ns = acc->ns;
    int pa[GMD_MAX_SPECIES * GMD_MAX_SPECIES], pb[GMD_MAX_SPECIES * GMD_MAX_SPECIES];
    double inv_norm[GMD_MAX_SPECIES * GMD_MAX_SPECIES];
    const int np = pair_table(acc, pa, pb, inv_norm);
    for (int n3 = c->lo; n3 <= c->hi; n3++) {
        const double *r = rho + (size_t)(n3 - c->lo) * ns * 2;
        double *out = sal + (c->first + (size_t)(n3 - c->lo)) * (size_t)np;
        for (int p = 0; p < np; p++) {
            const double re = r[pa[p]] * r[pb[p]] + r[pa[p] + 1] * r[pb[p] + 1];
            out[p] = re * inv_norm[p];
        }
    } /* loop over n3 */
}

/* A group of at most DSQ_GROUP consecutive columns of the same n2: chunk by chunk (the
 * chunk's table of e^{i n3 u z} is reused by every column of the group), then the results.
 * rho: scratch for DSQ_GROUP columns of (2 nmax_z + 1) vectors. */
static void column_group(const gmd_dsq_acc *acc, const phase_tables *t, const kcolumn *col,
                         int ncol, double *rho, double *pm, double *sal)
{
    const size_t stride = (size_t)(2 * t->nmax[2] + 1) * acc->ns * 2;
    memset(rho, 0, (size_t)ncol * stride * sizeof(double));
    for (int q = 0; q < t->nchunk; q++)
        for (int c = 0; c < ncol; c++)
            column_chunk(t, &t->chunk[q], &col[c], acc->ns, rho + (size_t)c * stride, pm);
    for (int c = 0; c < ncol; c++)
        column_results(acc, &col[c], rho + (size_t)c * stride, sal);
}

/* Splits the column list into groups (same n2, at most DSQ_GROUP); returns their number and
 * fills first[] (size nc + 1). */
static long group_columns(const kcolumn *col, long nc, long *first)
{
    long ng = 0;
    for (long c = 0; c < nc; c++)
        if (c == 0 || col[c].n2 != col[c - 1].n2 || c - first[ng - 1] >= DSQ_GROUP) first[ng++] = c;
    first[ng] = nc;
    return ng;
}

/* The phase sums of every column into sal. Groups are shared among threads; each
 * group is summed by one thread in a fixed order, so the result does not depend on the
 * thread count. */
static gmd_status all_columns(const gmd_dsq_acc *acc, const phase_tables *t, const kcolumn *col,
                              long nc, double *sal, gmd_error *err)
{
    long *first = gmd_calloc((size_t)nc + 1, sizeof(long), "k-vector groups", err);
    if (!first) return GMD_ERR_NOMEM;
    const long ng = group_columns(col, nc, first);
    const size_t rholen = (size_t)DSQ_GROUP * (2 * t->nmax[2] + 1) * acc->ns * 2;
    int failed = 0;
#pragma omp parallel num_threads(acc->threads)
    {
        double *rho = malloc(rholen * sizeof(double));
        double *pm = malloc((size_t)(t->nmax[2] + 1) * 4 * sizeof(double));
        if (!rho || !pm) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (long g = 0; g < ng; g++)
            if (rho && pm)
                column_group(acc, t, &col[first[g]], (int)(first[g + 1] - first[g]), rho, pm, sal);
        free(rho);
        free(pm);
    }
    free(first);
    return failed ? gmd_fail(err, GMD_ERR_NOMEM, "direct S(k): out of memory for phase sums")
                  : GMD_OK;
}

/* The vectors of one box within kmax: its columns (list_columns), each vector's |k| and
 * shell (-1 beyond the last). Listed anew only when the box's edges change (NPT), so in a
 * run at constant volume once. */
struct dsq_vectors {
    double len[3];
    kcolumn *col;
    long nc;
    int maxlen; /* vectors of the longest column */
    size_t nvec;
    double *kabs;
    int *shell;
};

static void vectors_free(dsq_vectors *vs)
{
    if (!vs) return;
    free(vs->col);
    free(vs->kabs);
    free(vs->shell);
    free(vs);
}

/* acc->vectors for the frame's box: kept when its edges are those of the last list. */
static gmd_status vectors_for(gmd_dsq_acc *acc, const gmd_box *box, gmd_error *err)
{
    dsq_vectors *vs = acc->vectors;
    if (vs && memcmp(vs->len, box->len, sizeof vs->len) == 0) return GMD_OK;
    vectors_free(vs);
    vs = acc->vectors = gmd_calloc(1, sizeof *vs, "k-vectors", err);
    if (!vs) return GMD_ERR_NOMEM;
    memcpy(vs->len, box->len, sizeof vs->len);
    vs->nc = list_columns(box, acc->kmax, &vs->col, &vs->nvec, err);
    const size_t n = vs->nvec ? vs->nvec : 1;
    vs->kabs = vs->nc < 0 ? NULL : gmd_calloc(n, sizeof(double), "k-vectors", err);
    vs->shell = vs->kabs ? gmd_calloc(n, sizeof(int), "k-vectors", err) : NULL;
    if (!vs->shell) {
        vectors_free(vs);
        acc->vectors = NULL;
        return GMD_ERR_NOMEM;
    }
    double u[3];
    for (int k = 0; k < 3; k++)
        u[k] = 2.0 * GMD_PI / box->len[k];
    for (long c = 0; c < vs->nc; c++) {
        const kcolumn *col = &vs->col[c];
        const double kx = col->n1 * u[0], ky = col->n2 * u[1], kxy2 = kx * kx + ky * ky;
        if (col->hi - col->lo + 1 > vs->maxlen) vs->maxlen = col->hi - col->lo + 1;
        for (int n3 = col->lo; n3 <= col->hi; n3++) {
            const size_t v = col->first + (size_t)(n3 - col->lo);
            const double kz = n3 * u[2];
            vs->kabs[v] = sqrt(kxy2 + kz * kz);
            const int m = (int)(vs->kabs[v] / acc->dk);
            vs->shell[v] = m < acc->nshell ? m : -1;
        }
    }
    return GMD_OK;
}

/* Adds vector v's |k| to its shell (counted once per frame). */
static inline void count_vector(gmd_dsq_acc *acc, const dsq_vectors *vs, size_t v)
{
    const int m = vs->shell[v];
    acc->nvec[m]++;
    acc->ksum[m] += vs->kabs[v];
}

/* The per-vector S_AL of sal summed into the shells, vector by vector in list order. */
static void shell_sums(gmd_dsq_acc *acc, const dsq_vectors *vs, const double *sal)
{
    for (size_t v = 0; v < vs->nvec; v++) {
        const int m = vs->shell[v];
        if (m < 0) continue;
        count_vector(acc, vs, v);
        for (int p = 0; p < acc->npairs; p++)
            acc->sal[(size_t)p * acc->nshell + m] += sal[v * acc->npairs + p];
    }
}

/* Column c's rho_a of every vector (n3 = lo .. hi) from the grid into re[a * len + t] and
 * im[...], t = n3 - lo: n3 >= 0 from the column (n1, n2), n3 < 0 from (-n1, -n2) at -n3,
 * not conjugated (S_AL = Re(rho_a conj rho_b) is the same for rho and its conjugate). */
static void column_rho(const gmd_sq_grid *g, int ns, const kcolumn *c, double *re, double *im)
{
    const int len = c->hi - c->lo + 1;
    for (int a = 0; a < ns; a++) {
        const double *plus = gmd_sq_grid_column(g, a, c->n1, c->n2);
        const double *minus = gmd_sq_grid_column(g, a, -c->n1, -c->n2);
        double *r = re + (size_t)a * (size_t)len, *i = im + (size_t)a * (size_t)len;
        for (int n3 = c->lo; n3 < 0; n3++) {
            r[n3 - c->lo] = minus[-2 * n3];
            i[n3 - c->lo] = minus[-2 * n3 + 1];
        }
        for (int n3 = c->lo > 0 ? c->lo : 0; n3 <= c->hi; n3++) {
            r[n3 - c->lo] = plus[2 * n3];
            i[n3 - c->lo] = plus[2 * n3 + 1];
        }
    }
}

/* The gridded transform's rho_a(k) (sq_grid.c), column by column: S_AL of every pair and
 * vector of the column (column_rho, then one vectorised loop per pair into val), then
 * summed into the shells vector by vector, in the list's order: the sums of shell_sums
 * after column_results, to the bit, without the per-vector arrays of the whole list.
 * Serial: ~0.1 ms a frame on the 3000-atom melt. */
static gmd_status grid_shells(gmd_dsq_acc *acc, const dsq_vectors *vs, gmd_error *err)
{
    const gmd_sq_grid *g = acc->grid;
    const int ns = acc->ns;
    const size_t nshell = (size_t)acc->nshell;
    int pa[GMD_MAX_SPECIES * GMD_MAX_SPECIES], pb[GMD_MAX_SPECIES * GMD_MAX_SPECIES];
    double inv_norm[GMD_MAX_SPECIES * GMD_MAX_SPECIES];
    const int np = pair_table(acc, pa, pb, inv_norm);
    /* the sums apart from everything read (no aliasing: they stay in registers between a
     * vector's loads and stores) */
    double *restrict sal = acc->sal, *restrict ksum = acc->ksum;
    long *restrict nvec = acc->nvec;
    const int *restrict shell = vs->shell;
    const double *restrict kabs = vs->kabs;
    const size_t maxlen = (size_t)(vs->maxlen > 0 ? vs->maxlen : 1);
    double *scratch = malloc((2 * (size_t)ns + (size_t)np) * maxlen * sizeof(double));
    if (!scratch) return gmd_fail(err, GMD_ERR_NOMEM, "S(k): out of memory for a column's sums");
    double *re = scratch, *im = re + (size_t)ns * maxlen, *val = im + (size_t)ns * maxlen;
    for (long c = 0; c < vs->nc; c++) {
        const kcolumn *col = &vs->col[c];
        const int len = col->hi - col->lo + 1;
        column_rho(g, ns, col, re, im);
        for (int p = 0; p < np; p++) {
            const double *ra = re + (size_t)(pa[p] / 2) * (size_t)len,
                         *ia = im + (size_t)(pa[p] / 2) * (size_t)len;
            const double *rb = re + (size_t)(pb[p] / 2) * (size_t)len,
                         *ib = im + (size_t)(pb[p] / 2) * (size_t)len;
            double *out = val + (size_t)p * (size_t)len;
            for (int t = 0; t < len; t++)
                out[t] = (ra[t] * rb[t] + ia[t] * ib[t]) * inv_norm[p];
        }
        for (int t = 0; t < len; t++) {
            const size_t v = col->first + (size_t)t;
            const int m = shell[v];
            if (m < 0) continue;
            nvec[m]++;
            ksum[m] += kabs[v];
            for (int p = 0; p < np; p++)
                sal[(size_t)p * nshell + (size_t)m] += val[(size_t)p * (size_t)len + (size_t)t];
        }
    }
    free(scratch);
    return GMD_OK;
}

/* The direct sum of every vector's rho_a, then the shells. */
static gmd_status direct_shells(gmd_dsq_acc *acc, const gmd_frame *f, const dsq_vectors *vs,
                                gmd_error *err)
{
    phase_tables t = {0};
    for (int k = 0; k < 3; k++)
        t.nmax[k] = (int)floor(acc->kmax / (2.0 * GMD_PI / f->box.len[k]));
    if (t.nmax[2] < 1) t.nmax[2] = 1; /* the step e^{i u z} */
    double *sal = gmd_calloc((vs->nvec ? vs->nvec : 1) * (size_t)acc->npairs, sizeof(double),
                             "S(k) per vector", err);
    int *slot_atom = gmd_calloc(f->n ? f->n : 1, sizeof(int), "S(k) atom order", err);
    gmd_status st = (sal && slot_atom) ? GMD_OK : GMD_ERR_NOMEM;
    if (st == GMD_OK) st = sort_species(acc, f, &t, slot_atom, err);
    for (int k = 0; k < 3 && st == GMD_OK; k++)
        st = fill_axis(&t, f, slot_atom, k, 2.0 * GMD_PI / f->box.len[k], err);
    if (st == GMD_OK) st = all_columns(acc, &t, vs->col, vs->nc, sal, err);
    if (st == GMD_OK) shell_sums(acc, vs, sal);
    phase_tables_free(&t);
    free(sal);
    free(slot_atom);
    return st;
}

gmd_status gmd_dsq_acc_add(gmd_dsq_acc *acc, const gmd_frame *f, gmd_error *err)
{
    gmd_status st = vectors_for(acc, &f->box, err);
    if (st != GMD_OK) return st;
    if (acc->method == GMD_SQ_GRID) {
        st = gmd_sq_grid_frame(&acc->grid, f, acc->ns, acc->species_mask, acc->kmax, acc->threads,
                               err);
        if (st == GMD_OK) st = grid_shells(acc, acc->vectors, err);
    } else
        st = direct_shells(acc, f, acc->vectors, err);
    if (st == GMD_OK) acc->nframes++;
    return st;
}

int gmd_dsq_acc_result(const gmd_dsq_acc *acc, double *k, double *s_al)
{
    int nout = 0;
    for (int m = 0; m < acc->nshell; m++) {
        if (acc->nvec[m] == 0) continue;
        k[nout] = acc->ksum[m] / (double)acc->nvec[m];
        for (int p = 0; p < acc->npairs; p++)
            s_al[(size_t)p * acc->nshell + nout] =
                acc->sal[(size_t)p * acc->nshell + m] / (double)acc->nvec[m];
        nout++;
    }
    return nout;
}

/* ================================================================ experiment, R_X */

gmd_status gmd_read_xy(const char *path, double **x, double **y, size_t *n, gmd_error *err)
{
    *x = *y = NULL;
    *n = 0;
    FILE *fp = fopen(path, "r");
    if (!fp)
        return gmd_fail(err, GMD_ERR_IO, "%s: cannot open (%s); check the path", path,
                        strerror(errno));
    char line[4096];
    size_t cap = 0;
    long lineno = 0;
    gmd_status st = GMD_OK;
    while (st == GMD_OK && fgets(line, sizeof line, fp)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash) *hash = '\0';
        for (char *c = line; *c; c++)
            if (*c == ',' || *c == ';') *c = ' '; /* CSV is read too */
        char *p = line, *end;
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        if (*p == '\0') continue;
        double a = strtod(p, &end);
        if (end == p) {
            st = gmd_fail(err, GMD_ERR_PARSE,
                          "%s:%ld: expected two numbers 'k S'; remove or comment ('#') the "
                          "line",
                          path, lineno);
            break;
        }
        p = end;
        double b = strtod(p, &end);
        if (end == p || !isfinite(a) || !isfinite(b)) {
            st = gmd_fail(err, GMD_ERR_PARSE,
                          "%s:%ld: expected two numbers 'k S'; give k (A^-1) and S(k)", path,
                          lineno);
            break;
        }
        if (*n == cap) {
            cap = cap ? 2 * cap : 256;
            double *nx = gmd_realloc(*x, cap, sizeof(double), "experimental S(k)", err);
            if (nx) *x = nx;
            double *ny = nx ? gmd_realloc(*y, cap, sizeof(double), "experimental S(k)", err) : NULL;
            if (ny) *y = ny;
            if (!nx || !ny) {
                st = GMD_ERR_NOMEM;
                break;
            }
        }
        (*x)[*n] = a;
        (*y)[*n] = b;
        (*n)++;
    }
    fclose(fp);
    if (st == GMD_OK && *n < 2)
        st = gmd_fail(err, GMD_ERR_PARSE, "%s:%ld: fewer than two data points 'k S'", path, lineno);
    if (st != GMD_OK) {
        free(*x);
        free(*y);
        *x = *y = NULL;
        *n = 0;
    }
    return st;
}

/* Linear interpolation of (xc, yc), xc ascending; 0 if x is outside. */
static int interpolate(const double *xc, const double *yc, size_t n, double x, double *y)
{
    if (n < 2 || x < xc[0] || x > xc[n - 1]) return 0;
    size_t lo = 0, hi = n - 1;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (xc[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    double t = (x - xc[lo]) / (xc[hi] - xc[lo]);
    *y = yc[lo] + t * (yc[hi] - yc[lo]);
    return 1;
}

gmd_status gmd_wright_rx(const double *kexp, const double *sexp, size_t nexp, const double *kcalc,
                         const double *scalc, size_t ncalc, double kmin, double kmax, double *rx,
                         size_t *nused, gmd_error *err)
{
    double num = 0.0, den = 0.0;
    *nused = 0;
    for (size_t i = 0; i < nexp; i++) {
        double sc;
        if (kexp[i] < kmin || kexp[i] > kmax || !interpolate(kcalc, scalc, ncalc, kexp[i], &sc))
            continue;
        num += (sexp[i] - sc) * (sexp[i] - sc);
        den += sexp[i] * sexp[i];
        (*nused)++;
    }
    if (*nused == 0 || !(den > 0.0))
        return gmd_fail(err, GMD_ERR_VALUE,
                        "R_X: no experimental point with %g <= k <= %g A^-1 inside the computed "
                        "range; check the file's k unit (A^-1) and sq kmax",
                        kmin, kmax);
    *rx = sqrt(num / den);
    return GMD_OK;
}

/* ================================================================ shared S(k) */

/* Every species pair up to direct_sq_kmax_invA in shells of sq_dk_invA, by sq_method. */
static gmd_status dsq_init_for_settings(gmd_dsq_acc *acc, const gmd_analysis_settings *settings,
                                        const gmd_analysis_system *sys, gmd_error *err)
{
    gmd_status s = gmd_dsq_acc_init(acc, sys->species->n, sys->count, sys->natoms,
                                    settings->direct_sq_kmax_invA, settings->sq_dk_invA,
                                    settings->threads, err);
    gmd_dsq_acc_set_method(acc, settings->sq_method);
    return s;
}

/* The shared S(k) is a gmd_dsq_acc initialised as sq's own would be: made on the stack,
 * then moved to the heap once it is complete. */
gmd_status gmd_reciprocal_sq_create(gmd_reciprocal_sq **out, const gmd_analysis_settings *settings,
                                    const gmd_analysis_system *sys, gmd_error *err)
{
    gmd_dsq_acc acc;
    *out = NULL;
    gmd_status st = dsq_init_for_settings(&acc, settings, sys, err);
    if (st != GMD_OK) return st;
    gmd_reciprocal_sq *heap = gmd_calloc(1, sizeof *heap, "reciprocal-lattice S(k)", err);
    if (heap)
        *heap = acc;
    else
        gmd_dsq_acc_free(&acc);
    *out = heap;
    return heap ? GMD_OK : GMD_ERR_NOMEM;
}

gmd_status gmd_reciprocal_sq_add(gmd_reciprocal_sq *r, const gmd_frame *frame, gmd_error *err)
{
    return gmd_dsq_acc_add(r, frame, err);
}

void gmd_reciprocal_sq_free(gmd_reciprocal_sq *r)
{
    if (r) gmd_dsq_acc_free(r);
    free(r);
}

/* ================================================================ the analysis unit */

typedef struct sq_state {
    gmd_analysis_settings settings;
    const gmd_species_table *species;
    gmd_rdf_acc own_rdf; /* used when the driver shares no histogram */
    gmd_rdf_acc *rdf;    /* &own_rdf or the driver's gmd_analysis_system.pairs */
    gmd_dsq_acc own_dsq; /* used when the driver shares no reciprocal-lattice S(k) */
    gmd_dsq_acc *dsq;    /* &own_dsq or the driver's gmd_analysis_system.reciprocal */
} sq_state;

static gmd_status sq_add_frame(gmd_analysis *self, const gmd_frame *frame, gmd_error *err)
{
    sq_state *st = self->state;
    gmd_status s = gmd_rdf_acc_add_own(st->rdf, &st->own_rdf, frame, err);
    if (s == GMD_OK && st->dsq == &st->own_dsq) s = gmd_dsq_acc_add(st->dsq, frame, err);
    return s;
}

/* Element of every species, 0 if one is not tabulated. */
static int species_elements(const gmd_species_table *sp, const gmd_element **el)
{
    for (int s = 0; s < sp->n; s++)
        if (!(el[s] = gmd_element_lookup(sp->name[s]))) return 0;
    return 1;
}

/* S_N and S_X at one k from the Faber-Ziman partials sab[pair]. */
static void sq_totals(const gmd_species_table *sp, const long *count, size_t natoms,
                      const gmd_element **el, double k, const double *sab, double *sn, double *sx)
{
    double nnorm = 0.0, xnorm = 0.0, nsum = 0.0, xsum = 0.0, f[GMD_MAX_SPECIES];
    for (int a = 0; a < sp->n; a++) {
        double c = (double)count[a] / (double)natoms;
        f[a] = gmd_xray_form_factor(el[a], k);
        nnorm += c * el[a]->b_coh_fm;
        xnorm += c * f[a];
    }
    for (int a = 0; a < sp->n; a++)
        for (int b = 0; b < sp->n; b++) {
            double cc = (double)count[a] * (double)count[b] / ((double)natoms * natoms);
            double s = sab[gmd_pair_index(sp->n, a, b)];
            nsum += cc * el[a]->b_coh_fm * el[b]->b_coh_fm * s;
            xsum += cc * f[a] * f[b] * s;
        }
    *sn = nsum / (nnorm * nnorm);
    *sx = xsum / (xnorm * xnorm);
}

typedef struct sq_table {
    int ncols;
    char names[GMD_MAX_SPECIES * (GMD_MAX_SPECIES + 1) / 2 + 4][2 * GMD_NAME_LEN + 8];
    const char *name_ptr[GMD_MAX_SPECIES * (GMD_MAX_SPECIES + 1) / 2 + 4];
    double *col[GMD_MAX_SPECIES * (GMD_MAX_SPECIES + 1) / 2 + 4];
} sq_table;

static double *table_col(sq_table *t, const char *name, size_t nrows, gmd_error *err)
{
    int i = t->ncols++;
    snprintf(t->names[i], sizeof t->names[i], "%s", name);
    t->name_ptr[i] = t->names[i];
    t->col[i] = gmd_calloc(nrows ? nrows : 1, sizeof(double), "S(k) column", err);
    return t->col[i];
}

static void table_free(sq_table *t)
{
    for (int i = 0; i < t->ncols; i++)
        free(t->col[i]);
    t->ncols = 0;
}

/* Columns k, S_ab (a <= b), then S_N, S_X when every element is known. */
static gmd_status table_partials(sq_table *t, const gmd_species_table *sp, size_t nrows,
                                 const char *first, gmd_error *err)
{
    char name[2 * GMD_NAME_LEN + 8];
    if (!table_col(t, "k_invA", nrows, err)) return GMD_ERR_NOMEM;
    if (first && !table_col(t, first, nrows, err)) return GMD_ERR_NOMEM;
    for (int a = 0; a < sp->n; a++)
        for (int b = a; b < sp->n; b++) {
            snprintf(name, sizeof name, "S_%s%s", sp->name[a], sp->name[b]);
            if (!table_col(t, name, nrows, err)) return GMD_ERR_NOMEM;
        }
    return GMD_OK;
}

/* Fills the totals columns (last two) of t from the partial columns starting at p0. */
static void table_totals(sq_table *t, const sq_state *st, const gmd_element **el, size_t nrows,
                         int p0)
{
    int npairs = st->species->n * (st->species->n + 1) / 2;
    double sab[GMD_MAX_SPECIES * (GMD_MAX_SPECIES + 1) / 2];
    for (size_t j = 0; j < nrows; j++) {
        for (int p = 0; p < npairs; p++)
            sab[p] = t->col[p0 + p][j];
        sq_totals(st->species, st->rdf->count, st->rdf->natoms, el, t->col[0][j], sab,
                  &t->col[t->ncols - 2][j], &t->col[t->ncols - 1][j]);
    }
}

static gmd_status write_table(const gmd_analysis_settings *s, const char *name, const char *what,
                              const sq_table *t, size_t nrows, int first_y, const char *title,
                              gmd_error *err)
{
    gmd_status st = gmd_csv_write(s->out_dir, name, what, t->ncols, t->name_ptr,
                                  (const double *const *)t->col, nrows, err);
    if (st != GMD_OK) return st;
    gmd_plot plot = {.title = title, .xlabel = "k (A^{-1})", .ylabel = "S(k)", .xcol = 1};
    for (int c = first_y; c < t->ncols && plot.nseries < 16; c++) {
        plot.ycols[plot.nseries] = c + 1;
        plot.labels[plot.nseries++] = t->names[c];
    }
    return gmd_analysis_plot(s, name, &plot, err);
}

/* sq.csv: the transform of the averaged g_ab. Leaves k and S_X in kx, sx for R_X. */
static gmd_status sq_write_transform(sq_state *st, const gmd_element **el, int have_el, double **kx,
                                     double **sx, size_t *nk, gmd_error *err)
{
    const gmd_species_table *sp = st->species;
    const gmd_rdf_acc *r = st->rdf;
    size_t nrows = (size_t)floor(st->settings.sq_kmax_invA / st->settings.sq_dk_invA + 1e-9);
    sq_table t = {0};
    const int np = sp->n * (sp->n + 1) / 2;
    double *g = gmd_calloc((size_t)r->nbins * (size_t)np, sizeof(double), "g(r)", err);
    gmd_status status = g ? table_partials(&t, sp, nrows, NULL, err) : GMD_ERR_NOMEM;
    if (status == GMD_OK && have_el &&
        (!table_col(&t, "S_N", nrows, err) || !table_col(&t, "S_X", nrows, err)))
        status = GMD_ERR_NOMEM;
    if (status == GMD_OK) {
        double rho = (double)r->natoms / (r->volume_sum / (double)r->nframes);
        for (size_t j = 0; j < nrows; j++)
            t.col[0][j] = (double)(j + 1) * st->settings.sq_dk_invA;
        const double *gp[GMD_MAX_SPECIES * (GMD_MAX_SPECIES + 1) / 2];
        for (int a = 0; a < sp->n; a++)
            for (int b = a; b < sp->n; b++) {
                const int p = gmd_pair_index(sp->n, a, b);
                gmd_rdf_acc_g(r, a, b, g + (size_t)p * (size_t)r->nbins);
                gp[p] = g + (size_t)p * (size_t)r->nbins;
            }
        /* every partial in one pass: sin(k r) once per k and bin, not once per pair */
        gmd_sq_from_gr_many(gp, np, r->nbins, r->dr, rho, st->settings.sq_lorch, t.col[0],
                            (int)nrows, t.col + 1);
        if (have_el) table_totals(&t, st, el, nrows, 1);
        status = write_table(&st->settings, "sq",
                             st->settings.sq_lorch ? "Faber-Ziman S(k) from g(r), Lorch window"
                                                   : "Faber-Ziman S(k) from g(r), no window",
                             &t, nrows, 1, "Structure factors (from g(r))", err);
    }
    if (status == GMD_OK && have_el) {
        *kx = t.col[0];
        *sx = t.col[t.ncols - 1];
        *nk = nrows;
        t.col[0] = t.col[t.ncols - 1] = NULL;
    }
    free(g);
    table_free(&t);
    return status;
}

static gmd_status sq_write_direct(sq_state *st, const gmd_element **el, int have_el, gmd_error *err)
{
    const gmd_species_table *sp = st->species;
    const gmd_dsq_acc *d = st->dsq;
    size_t cap = (size_t)d->nshell;
    sq_table t = {0};
    double *k = gmd_calloc(cap, sizeof(double), "S(k) shells", err);
    double *sal = gmd_calloc(cap * (size_t)d->npairs, sizeof(double), "S(k) shells", err);
    gmd_status status = (k && sal) ? table_partials(&t, sp, cap, "nvec", err) : GMD_ERR_NOMEM;
    if (status == GMD_OK && have_el &&
        (!table_col(&t, "S_N", cap, err) || !table_col(&t, "S_X", cap, err)))
        status = GMD_ERR_NOMEM;
    if (status == GMD_OK) {
        int nout = gmd_dsq_acc_result(d, k, sal), row = 0;
        for (int m = 0; m < d->nshell; m++) {
            if (d->nvec[m] == 0) continue;
            t.col[0][row] = k[row];
            t.col[1][row] = (double)d->nvec[m] / (double)(d->nframes ? d->nframes : 1);
            row++;
        }
        for (int a = 0; a < sp->n; a++)
            for (int b = a; b < sp->n; b++) {
                int p = gmd_pair_index(sp->n, a, b);
                double ca = (double)d->count[a] / (double)d->natoms;
                double cb = (double)d->count[b] / (double)d->natoms;
                for (int j = 0; j < nout; j++)
                    t.col[2 + p][j] =
                        gmd_fz_from_al(sal[(size_t)p * d->nshell + j], a == b, ca, cb);
            }
        if (have_el) table_totals(&t, st, el, (size_t)nout, 2);
        status = write_table(&st->settings, "sq_direct",
                             "S(k) on the reciprocal lattice of the box, Faber-Ziman "
                             "normalised, shells of width dk (nvec: vectors per frame)",
                             &t, (size_t)nout, 2, "Structure factors (reciprocal lattice)", err);
    }
    free(k);
    free(sal);
    table_free(&t);
    return status;
}

static gmd_status sq_write_rx(sq_state *st, const double *kx, const double *sx, size_t nk,
                              cJSON *results, gmd_error *err)
{
    double *ke = NULL, *se = NULL, rx = 0.0;
    size_t ne = 0, nused = 0;
    gmd_status status = gmd_read_xy(st->settings.exp_sq_path, &ke, &se, &ne, err);
    if (status == GMD_OK)
        status = gmd_wright_rx(ke, se, ne, kx, sx, nk, 0.6, 12.0, &rx, &nused, err);
    double *sc = status == GMD_OK ? gmd_calloc(ne, sizeof(double), "S_X on k_exp", err) : NULL;
    if (status == GMD_OK && !sc) status = GMD_ERR_NOMEM;
    if (status == GMD_OK) {
        cJSON_AddNumberToObject(results, "r_x", rx);
        cJSON *o = cJSON_GetObjectItem(results, "sq");
        if (o) {
            cJSON_AddStringToObject(o, "r_x_file", st->settings.exp_sq_path);
            cJSON_AddNumberToObject(o, "r_x_points", (double)nused);
            cJSON_AddStringToObject(o, "r_x_range_invA", "0.6 <= k <= 12");
        }
        for (size_t i = 0; i < ne; i++)
            if (!interpolate(kx, sx, nk, ke[i], &sc[i])) sc[i] = NAN;
        const char *names[3] = {"k_invA", "S_exp", "S_X_calc"};
        const double *cols[3] = {ke, se, sc};
        status =
            gmd_csv_write(st->settings.out_dir, "sq_exp",
                          "experimental S(k) and glassmd S_X on its grid", 3, names, cols, ne, err);
    }
    if (status == GMD_OK) {
        char title[160];
        snprintf(title, sizeof title, "X-ray S(k): experiment and glassmd (R_X = %.4f)", rx);
        gmd_plot plot = {.title = title,
                         .xlabel = "k (A^{-1})",
                         .ylabel = "S_X(k)",
                         .xcol = 1,
                         .nseries = 2,
                         .ycols = {2, 3},
                         .labels = {"experiment", "glassmd"}};
        status = gmd_analysis_plot(&st->settings, "sq_exp", &plot, err);
    }
    free(ke);
    free(se);
    free(sc);
    return status;
}

/* How the reciprocal-lattice S(k) was summed; for the grid, its mesh, kernel width and the bound
 * on the aliased share of rho_a(k) (sq_grid.c). */
static void sq_method_json(cJSON *info, const gmd_dsq_acc *d)
{
    cJSON_AddStringToObject(info, "direct_method", d->grid ? "grid" : "direct");
    if (!d->grid) return;
    int mesh[2], width;
    double alias;
    gmd_sq_grid_params(d->grid, mesh, &width, &alias);
    cJSON_AddItemToObject(info, "direct_grid_mesh_xy", cJSON_CreateIntArray(mesh, 2));
    cJSON_AddNumberToObject(info, "direct_grid_width", width);
    cJSON_AddNumberToObject(info, "direct_grid_alias_bound", alias);
}

static gmd_status sq_finish(gmd_analysis *self, cJSON *results, gmd_error *err)
{
    sq_state *st = self->state;
    if (st->rdf->nframes == 0) return gmd_fail(err, GMD_ERR_VALUE, "sq: no frames were read");
    const gmd_element *el[GMD_MAX_SPECIES];
    int have_el = species_elements(st->species, el);
    cJSON *info = cJSON_AddObjectToObject(results, "sq");
    cJSON_AddNumberToObject(info, "frames", (double)st->rdf->nframes);
    cJSON_AddNumberToObject(info, "rmax_A", st->rdf->rmax);
    cJSON_AddBoolToObject(info, "lorch", st->settings.sq_lorch != 0);
    cJSON_AddNumberToObject(info, "direct_kmax_invA", st->dsq->kmax);
    sq_method_json(info, st->dsq);
    cJSON_AddStringToObject(info, "form_factors",
                            have_el ? GMD_FORM_FACTOR_TABLE
                                    : "none: some species is not a tabulated element");
    cJSON_AddStringToObject(info, "direct_normalisation",
                            "Faber-Ziman: 1 + (S_AL - delta_ab) / sqrt(c_a c_b)");
    cJSON_AddStringToObject(info, "transform_density",
                            "rho = N / <V>, <V> the mean volume of the frames; g(r) normalised "
                            "per frame with its own volume (rdf)");
    cJSON_AddStringToObject(info, "direct_box",
                            "each frame's reciprocal lattice 2 pi n / L(t), in shells of |k| "
                            "fixed over the run: with a changing box a shell holds different "
                            "vectors in different frames; S is the mean over every vector of "
                            "every frame in the shell, k their mean |k|, nvec the vectors per "
                            "frame (mean)");
    double *kx = NULL, *sx = NULL;
    size_t nk = 0;
    gmd_status status = sq_write_transform(st, el, have_el, &kx, &sx, &nk, err);
    if (status == GMD_OK) status = sq_write_direct(st, el, have_el, err);
    if (status == GMD_OK && st->settings.exp_sq_path && st->settings.exp_sq_path[0]) {
        if (!have_el)
            status = gmd_fail(err, GMD_ERR_VALUE,
                              "sq: R_X needs X-ray form factors, but some species name is not "
                              "a tabulated element; name species by element symbols");
        else
            status = sq_write_rx(st, kx, sx, nk, results, err);
    }
    free(kx);
    free(sx);
    return status;
}

static void sq_destroy(gmd_analysis *self)
{
    if (!self) return;
    sq_state *st = self->state;
    if (st) {
        gmd_rdf_acc_free(&st->own_rdf);
        gmd_dsq_acc_free(&st->own_dsq);
    }
    free(st);
    self->state = NULL;
}

gmd_status gmd_sq_create(gmd_analysis **out, const gmd_analysis_settings *settings,
                         const gmd_analysis_system *sys, const gmd_frame *first, gmd_error *err)
{
    *out = NULL;
    if (!(settings->sq_kmax_invA > 0.0) || !(settings->sq_dk_invA > 0.0))
        return gmd_fail(err, GMD_ERR_VALUE, "sq: kmax %g and dk %g (A^-1) must be positive",
                        settings->sq_kmax_invA, settings->sq_dk_invA);
    gmd_analysis *a = gmd_calloc(1, sizeof *a, "sq analysis", err);
    sq_state *st = a ? gmd_calloc(1, sizeof *st, "sq state", err) : NULL;
    if (!st) {
        free(a);
        return GMD_ERR_NOMEM;
    }
    st->settings = *settings;
    st->species = sys->species;
    gmd_status s = gmd_rdf_acc_attach(&st->own_rdf, &st->rdf, settings, sys, first, err);
    st->dsq = sys->reciprocal ? sys->reciprocal : &st->own_dsq;
    if (s == GMD_OK && !sys->reciprocal)
        s = dsq_init_for_settings(&st->own_dsq, settings, sys, err);
    a->name = "sq";
    a->state = st;
    a->add_frame = sq_add_frame;
    a->finish = sq_finish;
    a->destroy = sq_destroy;
    if (s != GMD_OK) {
        sq_destroy(a);
        free(a);
        return s;
    }
    *out = a;
    return GMD_OK;
}
