/* pppm.c - particle-particle particle-mesh (P3M) reciprocal-space Coulomb, with FFTW3.
 *
 * Algorithm (Hockney & Eastwood; Deserno & Holm, J. Chem. Phys. 109, 7678 (1998)), for an
 * orthorhombic box of volume V and a mesh of nx x ny x nz points, spacing h_d = L_d / n_d:
 *   1. assignment: each charge is spread onto P^3 mesh points with the order-P cardinal
 *      B-spline weights W (P = 7 by default, kspace_choose.c): Q_m = sum_i q_i W(r_i - r_m);
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
 * factorises into 1-d sums, taken to |m| <= 200. G, and the virial factor
 * -2 (1/k^2 + 1/4g^2) of each k, are computed at creation and again whenever the box
 * changes (a barostat), as LAMMPS's setup() does, with g_ewald kept (the real-space pair
 * term uses it) and the mesh grown where the box grew enough to lose the k-space accuracy
 * asked for (follow_box). Self energy and neutralising background as in ewald.c (the background,
 * scaling as 1/V, also enters the diagonal virial). With ik differentiation the forces are not
 * exactly minus the gradient of the mesh energy: test them against Ewald, not against
 * finite differences.
 *
 * The 3-d FFTs are split so that glassmd's own threads share them and every number is
 * computed the same way whatever the thread count:
 *   forward:  a 2-d r2c (y, z) of each x-plane, then a c2c along x of each y-row
 *             (the nx x nzc points of one iy);
 *   k-space:  right after its x transform, each y-row gives its energy and virial (summed
 *             per row, the rows then added in order) and its three field components, which
 *             are transformed back along x at once, while the row is in cache;
 *   backward: a 2-d c2r of each x-plane of each component.
 * Each 1-d or 2-d transform is one FFTW plan executed on many arrays (the new-array
 * execute functions, which are thread-safe), planned once with FFTW_ESTIMATE: the plans,
 * hence the round-off, are the same in every run, as exact restarts need (FFTW_MEASURE
 * would pick plans by timing, differing between runs). FFTW's planner itself is not
 * thread-safe: do not create PPPM terms from several threads at once.
 *
 * Data layout: the charge mesh is [ix][iy][iz] with iz fastest, z-lines of nz + SPREAD_WIDTH
 * points (spreading adds a stencil's z-line as SPREAD_WIDTH contiguous points, one vector
 * multiply-add, the ghosts past nz then folded back onto iz - nz), each x-plane starting a
 * multiple of 8 doubles after the previous one so that every plane has the alignment its
 * FFTW plan (input row stride nz + SPREAD_WIDTH) was made for; the complex half-spectrum is
 * [ix][iy][iz <= nz/2], contiguous. The wrapped mesh indices of an atom's stencil and its P
 * weights per direction are kept (index[(3 p + d) P + j], weight[(3 p + d) P + j], p the
 * atom's place in its thread's part of these buffers, below) so that spreading and
 * interpolation use identical weights and need no modulo in the loops.
 * The field is not kept per component: the inverse plane transforms write its three
 * components interleaved (FFTW output stride 3) into field_lines, [ix][iy][iz][d] with
 * z-lines of nz_ghost = nz + P + 2 points whose points past nz are copies of iz - nz
 * (fill_ghosts), so that the P points of a stencil's z-line are 3 P contiguous doubles:
 * interpolation adds whole lines with vector instructions (measured on the 3000-atom melt:
 * the k-space time outside FFTW down by a third against per-component meshes read point by
 * point through the wrapped indices).
 * Each step the atoms are counting-sorted (serially, from the positions) by the (x, y) mesh
 * column where their stencil starts (order_of), and both spreading and interpolation visit
 * them in that order, which keeps the mesh lines they touch in cache.
 * Threads: each thread owns a slab of x-planes (slab_plan). It computes the stencils of the
 * atoms that reach its slab into its own part of the stencil buffers and adds their charges
 * in the sorted order (so every mesh sum has a fixed order), transforms its planes, and after
 * the row phase (shared out by y-rows) transforms its planes back and interpolates the atoms
 * whose stencils start in its slab, with the stencils it computed itself. Results are bitwise
 * independent of the thread count (and repeatable: the sort is stable and depends on the
 * positions only). Why slabs for everything: on the 2-core test machine (a VM), in some
 * periods every cache line one core reads after the other wrote it costs a slow transfer
 * (the same binary's 2-thread k-space time changes by 1.5x between such periods). With the
 * weights computed per atom index, spreading by slab, interpolation by atom count and the
 * atoms' positions and forces read and written in the scattered sorted order, most per-atom
 * data crossed cores a few times a step, one miss per atom: 2 threads were no faster than 1
 * (3000-atom melt, interleaved: 1.30 -> 1.23 ms; now 1.23 -> 0.81). The price: the stencils
 * of the atoms within P - 1 planes below a slab are computed by two threads, and the serial
 * sort copies positions and charges and adds the forces (~3% of the 1-thread time).
 * Cost (3000 atoms at 1e-5, the default 36 x 32 x 32 mesh at order 7, one core, perf
 * samples): about 40% in FFTW, 27% interpolation, 16% spreading, 7% the weights, 7% the
 * k-space products; 0.47 of the CPU time of the former default, 48^3 at order 5 (then 55%
 * FFTW). ik needs three inverse transforms, the price of its accuracy (analytic
 * differentiation needs one but a finer mesh for the same error, and LAMMPS's default,
 * which glassmd's accuracy is compared with, is ik). */
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
#include "../core/simd_clones.h" /* the interpolation */
#include "kspace_internal.h"

#define ALIAS_NUMERATOR 2
#define ALIAS_DENOMINATOR 200
#define MAX_ORDER 7
#define PLANE_ALIGN 8  /* doubles: x-planes of real arrays start on 64-byte boundaries */
#define SPREAD_WIDTH 8 /* z points a stencil's line adds to (its P weights, zeros after) */
_Static_assert(SPREAD_WIDTH >= MAX_ORDER, "a stencil's z-line fits the spreading width");

/* One thread's share: the x-planes xlo..xhi-1, and the atoms whose stencils reach them
 * (nvisit, in the sorted order), kept from index/weight position first on; of those, the
 * nown from first + own_first on start in the slab and are interpolated by this thread. */
typedef struct slab_plan {
    int xlo, xhi;
    size_t first, nvisit, own_first, nown;
} slab_plan;

typedef struct pppm_state {
    gmd_kspace_params params;
    int n[3];               /* mesh points per direction */
    int nzc;                /* nz / 2 + 1 complex points along z */
    size_t plane_stride;    /* doubles between x-planes of the charge mesh */
    int nz_spread;          /* z points per line of the charge mesh: nz, then SPREAD_WIDTH ghosts */
    size_t nreal, ncomplex; /* allocated doubles of a real array; complex points */
    int order;
    double weight_poly[MAX_ORDER][SPREAD_WIDTH]; /* B-spline weights as polynomials */
    double len[3];                               /* box lengths G belongs to */
    int n_ref[3];                                /* the mesh chosen at creation, */
    double len_ref[3];                           /* for these box lengths (follow_box) */
    gmd_kspace_keep keep;                        /* what follow_box keeps */
    double *green;                               /* G(k) on the half spectrum */
    double *virial_factor;  /* -2 (1/k^2 + 1/4g^2) on the half spectrum (0 at k = 0) */
    double *kfold[3];       /* k_d for each index (folded to -n/2..n/2), 1/A */
    double *kdiff[3];       /* k_d used for differentiation (0 at Nyquist) */
    double *mesh;           /* charge on mesh points (fftw_malloc) */
    double *field_lines;    /* the field's three components interleaved, z-lines with ghosts */
    int nz_ghost;           /* z points per line of field_lines: nz and the wrapped copies */
    size_t lines_plane;     /* doubles between x-planes of field_lines */
    fftw_complex *qhat;     /* FFT of the mesh charge */
    fftw_complex *work[3];  /* field components in k-space (destroyed by c2r) */
    double (*row_sums)[7];  /* per y-row: energy and six virial components */
    fftw_plan plane_r2c;    /* 2-d (y, z) transforms of one x-plane */
    fftw_plan plane_c2r[3]; /* one per field component: into field_lines + d, stride 3 */
    fftw_plan row_forward;  /* 1-d transforms along x of one y-row (nzc columns) */
    fftw_plan row_backward;
    size_t atom_cap;
    int *column_of;      /* per atom: the (x, y) mesh column where its stencil starts */
    size_t *order_of;    /* atoms sorted by that column */
    double (*sorted)[4]; /* per sorted place k: the atom's mesh coordinates and charge */
    double (*kforce)[3]; /* per sorted place k: its k-space force, added to f at the end */
    size_t stencil_cap;  /* atoms the stencil buffers hold */
    int *index;          /* wrapped mesh index of each stencil point, per visit and direction */
    double *weight;      /* its weight */
    slab_plan *slabs;    /* per thread: its x-planes and its part of the stencil buffers */
    int slab_cap;
    size_t *column_start; /* nx ny + 1 offsets into order_of, one per column */
    size_t *column_fill;  /* work space of the counting sort */
} pppm_state;

/* ---------------------------------------------------------------- weights */

/* Cardinal B-spline M_P(w + j), j = 0..P-1, on 0 <= w < 1, as polynomials in w, from the
 * recursion M_k(x) = [x M_{k-1}(x) + (k - x) M_{k-1}(x - 1)] / (k - 1), M_1 = box on [0, 1),
 * run on the coefficients. poly[l][j] is the coefficient of w^l of the weight of stencil
 * point j (M_P(w + P - 1 - j)), zero for j >= P, so that the P weights of a coordinate are
 * P - 1 Horner steps on one vector of SPREAD_WIDTH lanes (the recursion on values, per atom,
 * was a chain of dependent scalar operations through memory: 10% of the k-space time at
 * order 7). Set once at creation (the order never changes). */
static void weight_polynomials(int order, double poly[MAX_ORDER][SPREAD_WIDTH])
{
    double m[MAX_ORDER][MAX_ORDER] = {{1.0}}; /* m[j][l]: M_k(w + j), coefficient of w^l */
    for (int k = 2; k <= order; k++) {
        double next[MAX_ORDER][MAX_ORDER] = {{0.0}};
        for (int j = 0; j < k; j++)
            for (int l = 0; l < k; l++) {
                double c = 0.0;
                if (j < k - 1) /* (w + j) M_{k-1}(w + j) */
                    c += j * m[j][l] + (l > 0 ? m[j][l - 1] : 0.0);
                if (j > 0) /* (k - j - w) M_{k-1}(w + j - 1) */
                    c += (k - j) * m[j - 1][l] - (l > 0 ? m[j - 1][l - 1] : 0.0);
                next[j][l] = c / (k - 1);
            }
        memcpy(m, next, sizeof m);
    }
    memset(poly, 0, sizeof(double) * MAX_ORDER * SPREAD_WIDTH);
    for (int j = 0; j < order; j++)
        for (int l = 0; l < order; l++)
            poly[l][j] = m[order - 1 - j][l];
}

static inline int wrap_index(int m, int n)
{
    m %= n;
    return m < 0 ? m + n : m;
}

/* First (lowest) mesh point of the stencil of mesh coordinate u, wrapped into 0..n-1: the
 * sort and the weights take it from this one expression, so they agree bit for bit. */
static inline int stencil_first(double u, int order, int n, double *frac)
{
    double v = u + 0.5 * order;
    double base = floor(v);
    *frac = v - base;
    int first = (int)base - (order - 1);
    return first < 0 || first >= n ? wrap_index(first, n) : first;
}

/* Stencil of one coordinate: with v = u + P/2 (u in mesh units), the points floor(v) - j
 * get weight M_P(frac(v) + j); the stencil is centred on u. Stored in ascending order of
 * the unwrapped index, each index wrapped into 0..n-1. */
static inline void stencil(const double poly[MAX_ORDER][SPREAD_WIDTH], double u, int order, int n,
                           int *index, double *weight)
{
    double w;
    int first = stencil_first(u, order, n, &w);
    double acc[SPREAD_WIDTH];
#pragma omp simd
    for (int j = 0; j < SPREAD_WIDTH; j++)
        acc[j] = poly[order - 1][j];
    for (int l = order - 2; l >= 0; l--) {
#pragma omp simd
        for (int j = 0; j < SPREAD_WIDTH; j++)
            acc[j] = acc[j] * w + poly[l][j];
    }
    for (int j = 0; j < order; j++) {
        weight[j] = acc[j];
        index[j] = first + j < n ? first + j : wrap_index(first + j, n);
    }
}

/* Mesh coordinate (in mesh spacings from the box's low corner) of atom i along d: the one
 * expression the sort and the weights share. */
static inline double mesh_coord(const pppm_state *s, const gmd_box *box, const gmd_atoms *atoms,
                                int d, size_t i)
{
    return (atoms->r[d][i] - box->lo[d]) * (s->n[d] / box->len[d]);
}

/* Stencils of the atom at sorted place k (3 directions) into position p of index/weight.
 * P is a literal at the call sites, so that the compiler unrolls the Horner steps of the
 * common orders. */
static inline void atom_stencils(pppm_state *s, size_t k, size_t p, int P)
{
    for (int d = 0; d < 3; d++) {
        size_t at = (p * 3 + (size_t)d) * (size_t)P;
        stencil(s->weight_poly, s->sorted[k][d], P, s->n[d], &s->index[at], &s->weight[at]);
    }
}

/* Counting sort of the atoms by the mesh column (first x index, first y index) of their
 * stencil, stable, so the order depends on the positions only. Spreading and interpolation
 * visit atoms in this order: neighbouring atoms touch the same mesh lines, which stay in
 * cache (40% faster interpolation than in the input order of a melt). Serial: ~N steps on
 * the positions and a per-atom column array (no stencils needed yet). The mesh coordinates
 * and charges are copied in the sorted order: the threads then read them as contiguous runs
 * (in `glassmd run` the positions were just written by another core; read in the scattered
 * sorted order they cost a cross-core miss per atom). */
static void sort_atoms_by_column(pppm_state *s, const gmd_box *box, const gmd_atoms *atoms)
{
    const size_t natoms = atoms->n, ny = (size_t)s->n[1], ncolumns = (size_t)s->n[0] * ny;
    size_t *start = s->column_start, *fill = s->column_fill;
    memset(start, 0, (ncolumns + 1) * sizeof *start);
    for (size_t i = 0; i < natoms; i++) {
        double frac;
        int fx = stencil_first(mesh_coord(s, box, atoms, 0, i), s->order, s->n[0], &frac);
        int fy = stencil_first(mesh_coord(s, box, atoms, 1, i), s->order, s->n[1], &frac);
        s->column_of[i] = fx * (int)ny + fy;
        start[s->column_of[i] + 1]++;
    }
    for (size_t c = 0; c < ncolumns; c++) {
        start[c + 1] += start[c];
        fill[c] = start[c];
    }
    for (size_t i = 0; i < natoms; i++) {
        size_t k = fill[s->column_of[i]]++;
        s->order_of[k] = i;
        for (int d = 0; d < 3; d++)
            s->sorted[k][d] = mesh_coord(s, box, atoms, d, i);
        s->sorted[k][3] = atoms->charge[i];
    }
}

/* ---------------------------------------------------------------- spreading */

/* Adds the charge q of the atom at position p of the stencil buffers to the x-planes
 * xlo..xhi-1. A stencil's z-line is SPREAD_WIDTH
 * contiguous points from its first (the P weights, then zeros), ghosts past nz included
 * (folded back by fold_ghosts), so the innermost loop is one vector multiply-add. P is a
 * literal at the call sites below, so that the compiler unrolls the common order. */
static inline void spread_atom(pppm_state *s, double q, size_t p, int P, int xlo, int xhi)
{
    const size_t nzs = (size_t)s->nz_spread;
    const size_t base = p * 3 * (size_t)P;
    const int *ix = &s->index[base], *iy = ix + P, *iz = iy + P;
    const double *wx = &s->weight[base], *wy = wx + P, *wz = wy + P;
    double wline[SPREAD_WIDTH] = {0};
    for (int c = 0; c < P; c++)
        wline[c] = wz[c];
    for (int a = 0; a < P; a++) {
        if (ix[a] < xlo || ix[a] >= xhi) continue;
        double *plane = s->mesh + (size_t)ix[a] * s->plane_stride + (size_t)iz[0];
        double qa = q * wx[a];
        for (int b = 0; b < P; b++) {
            double *row = plane + (size_t)iy[b] * nzs;
            double qab = qa * wy[b];
#pragma omp simd
            for (int c = 0; c < SPREAD_WIDTH; c++)
                row[c] += qab * wline[c];
        }
    }
}

/* Adds the ghost points of the charge mesh's x-planes xlo..xhi-1 (past nz on each z-line)
 * to the points they stand for, iz - nz. */
static void fold_ghosts(pppm_state *s, int xlo, int xhi)
{
    const int ny = s->n[1], nz = s->n[2], nzs = s->nz_spread;
    for (int ix = xlo; ix < xhi; ix++)
        for (int iy = 0; iy < ny; iy++) {
            double *line = s->mesh + (size_t)ix * s->plane_stride + (size_t)iy * nzs;
            for (int g = 0; g < nzs - nz; g++)
                line[g] += line[nz + g];
        }
}

/* Reallocates the array `field` to n elements, or returns from the calling function with
 * the error. */
#define GROW_ARRAY(field, n, what)                                                                 \
    do {                                                                                           \
        void *grown_ = gmd_realloc(field, n, sizeof *(field), what, err);                          \
        if (!grown_) return err ? err->code : GMD_ERR_NOMEM;                                       \
        (field) = grown_;                                                                          \
    } while (0)

/* Whether a stencil starting at x-plane fx reaches the planes xlo..xhi-1. */
static int reaches_slab(int fx, int P, int nx, int xlo, int xhi)
{
    for (int a = 0; a < P; a++) {
        int x = (fx + a) % nx;
        if (x >= xlo && x < xhi) return 1;
    }
    return 0;
}

/* Each thread's slab of x-planes (the same split for spreading, the plane transforms and
 * interpolation) and the atoms it visits, with their places in the stencil buffers, which
 * grow to hold them all (each thread's part starts on a new cache line). After the sort. */
static gmd_status plan_slabs(pppm_state *s, int threads, gmd_error *err)
{
    const int nx = s->n[0], ny = s->n[1], P = s->order;
    if (threads > s->slab_cap) {
        GROW_ARRAY(s->slabs, (size_t)threads, "pppm slabs");
        s->slab_cap = threads;
    }
    size_t total = 0;
    for (int t = 0; t < threads; t++) {
        slab_plan *sl = &s->slabs[t];
        sl->xlo = (int)((long)t * nx / threads);
        sl->xhi = (int)((long)(t + 1) * nx / threads);
        sl->first = (total + 15) / 16 * 16;
        sl->nvisit = sl->own_first = sl->nown = 0;
        for (int fx = 0; fx < nx && sl->xhi > sl->xlo; fx++) {
            if (!reaches_slab(fx, P, nx, sl->xlo, sl->xhi)) continue;
            if (fx == sl->xlo) sl->own_first = sl->nvisit;
            sl->nvisit += s->column_start[(size_t)(fx + 1) * ny] - s->column_start[(size_t)fx * ny];
        }
        if (sl->xhi > sl->xlo)
            sl->nown =
                s->column_start[(size_t)sl->xhi * ny] - s->column_start[(size_t)sl->xlo * ny];
        total = sl->first + sl->nvisit;
    }
    if (total <= s->stencil_cap) return GMD_OK;
    GROW_ARRAY(s->index, total * 3 * (size_t)P, "pppm stencils");
    GROW_ARRAY(s->weight, total * 3 * (size_t)P, "pppm weights");
    s->stencil_cap = total;
    return GMD_OK;
}

/* One thread: zeroes its slab of x-planes, computes the stencils of the atoms that reach
 * it (into its own part of the buffers) and adds their charges in the global sorted order,
 * then transforms its planes (y, z). Each mesh sum thus has the same order whatever the
 * thread count, and a thread touches no data another thread wrote this step until the
 * row transforms (atoms near the slab's low edge get their stencils computed by two
 * threads: cheaper than sharing them between cores). Called inside a parallel region. */
GMD_SIMD_CLONES
static void spread_and_transform_slab(pppm_state *s, const slab_plan *sl)
{
    const int nx = s->n[0], ny = s->n[1], nzc = s->nzc, P = s->order;
    const int xlo = sl->xlo, xhi = sl->xhi;
    if (xhi <= xlo) return;
    memset(s->mesh + (size_t)xlo * s->plane_stride, 0,
           (size_t)(xhi - xlo) * s->plane_stride * sizeof(double));
    size_t p = sl->first;
    for (int fx = 0; fx < nx; fx++) {
        if (!reaches_slab(fx, P, nx, xlo, xhi)) continue;
        const size_t first = s->column_start[(size_t)fx * ny];
        const size_t last = s->column_start[(size_t)(fx + 1) * ny];
        for (size_t k = first; k < last; k++, p++) {
            const double q = s->sorted[k][3];
            if (P == 7) {
                atom_stencils(s, k, p, 7);
                spread_atom(s, q, p, 7, xlo, xhi);
            } else if (P == 5) {
                atom_stencils(s, k, p, 5);
                spread_atom(s, q, p, 5, xlo, xhi);
            } else {
                atom_stencils(s, k, p, P);
                spread_atom(s, q, p, P, xlo, xhi);
            }
        }
    }
    fold_ghosts(s, xlo, xhi);
    for (int ix = xlo; ix < xhi; ix++)
        fftw_execute_dft_r2c(s->plane_r2c, s->mesh + (size_t)ix * s->plane_stride,
                             s->qhat + (size_t)ix * ny * nzc);
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

static double virial_factor_at(const pppm_state *s, int ix, int iy, int iz)
{
    double kx = s->kfold[0][ix], ky = s->kfold[1][iy], kz = s->kfold[2][iz];
    double k2 = kx * kx + ky * ky + kz * kz, g = s->params.g_ewald;
    return k2 == 0.0 ? 0.0 : -2.0 * (1.0 / k2 + 0.25 / (g * g));
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
            for (int iz = 0; iz < nzc; iz++) {
                size_t at = ((size_t)ix * ny + iy) * nzc + iz;
                s->green[at] = green_at(s, &t, ix, iy, iz);
                s->virial_factor[at] = virial_factor_at(s, ix, iy, iz);
            }
    free_alias_tables(&t);
    return GMD_OK;
}

/* ---------------------------------------------------------------- solve */

/* One y-row of the half spectrum (all ix, iz at this iy), after its x transform: adds its
 * energy and virial to sums[7] (entries 0 < iz < nz/2 stand for two) and writes the three
 * field components -i k_d G Q^ / V. Per k the virial is e_k (delta_ab + b_k k_a k_b) with
 * b_k = -2 (1/k^2 + 1/4g^2); along one z-line kx and ky are fixed, so the line needs only
 * the sums of e_k, e_k b_k, e_k b_k kz and e_k b_k kz^2. */
static void solve_row(pppm_state *s, int iy, double volume, double sums[7])
{
    const int nx = s->n[0], ny = s->n[1], nz = s->n[2], nzc = s->nzc;
    const double scale = GMD_COULOMB_EV_A / (2.0 * volume), inv_volume = 1.0 / volume;
    const double ky = s->kfold[1][iy], kdy = s->kdiff[1][iy];
    const double *kz = s->kfold[2], *kdz = s->kdiff[2];
    for (int ix = 0; ix < nx; ix++) {
        const double kx = s->kfold[0][ix], kdx = s->kdiff[0][ix];
        const size_t row = ((size_t)ix * ny + iy) * nzc;
        const double *green = s->green + row, *bk = s->virial_factor + row;
        const fftw_complex *q = s->qhat + row;
        fftw_complex *wx = s->work[0] + row, *wy = s->work[1] + row, *wz = s->work[2] + row;
        double e = 0.0, eb = 0.0, ebz = 0.0, ebzz = 0.0;
        for (int iz = 0; iz < nzc; iz++) {
            const double re = q[iz][0], im = q[iz][1];
            const double mult = (iz == 0 || 2 * iz == nz) ? 1.0 : 2.0;
            const double ek = mult * green[iz] * (re * re + im * im);
            const double ekb = ek * bk[iz];
            e += ek;
            eb += ekb;
            ebz += ekb * kz[iz];
            ebzz += ekb * kz[iz] * kz[iz];
            /* (re + i im) * (-i c) = c im - i c re */
            const double c = green[iz] * inv_volume;
            const double cx = kdx * c, cy = kdy * c, cz = kdz[iz] * c;
            wx[iz][0] = cx * im;
            wx[iz][1] = -cx * re;
            wy[iz][0] = cy * im;
            wy[iz][1] = -cy * re;
            wz[iz][0] = cz * im;
            wz[iz][1] = -cz * re;
        }
        sums[0] += scale * e;
        sums[1] += scale * (e + kx * kx * eb);
        sums[2] += scale * (e + ky * ky * eb);
        sums[3] += scale * (e + ebzz);
        sums[4] += scale * kx * ky * eb;
        sums[5] += scale * kx * ebz;
        sums[6] += scale * ky * ebz;
    }
}

/* Fills the ghost points of x-plane ix of field_lines: on each z-line, the points past nz
 * are copies of points iz - nz, so the P points of any stencil's z-line are 3 P contiguous
 * doubles. */
static void fill_ghosts(pppm_state *s, int ix)
{
    const int ny = s->n[1], nz = s->n[2], nzg = s->nz_ghost;
    for (int iy = 0; iy < ny; iy++) {
        double *line = s->field_lines + (size_t)ix * s->lines_plane + (size_t)iy * nzg * 3;
        memcpy(line + 3 * (size_t)nz, line, 3 * (size_t)(nzg - nz) * sizeof(double));
    }
}

/* x transforms, energy and fields per y-row. Called inside a parallel region, after the
 * forward plane transforms. */
static void solve_and_transform_back(pppm_state *s, double volume)
{
    const int ny = s->n[1], nzc = s->nzc;
#pragma omp for schedule(static)
    for (int iy = 0; iy < ny; iy++) {
        fftw_complex *q = s->qhat + (size_t)iy * nzc;
        fftw_execute_dft(s->row_forward, q, q);
        double sums[7] = {0};
        solve_row(s, iy, volume, sums);
        memcpy(s->row_sums[iy], sums, sizeof sums);
        for (int d = 0; d < 3; d++) {
            fftw_complex *w = s->work[d] + (size_t)iy * nzc;
            fftw_execute_dft(s->row_backward, w, w);
        }
    } /* implicit barrier: every row is done before any plane is transformed */
}

/* The inverse (y, z) transforms of a slab's planes, after all the rows. */
static void transform_back_slab(pppm_state *s, const slab_plan *sl)
{
    const int ny = s->n[1], nzc = s->nzc;
    for (int ix = sl->xlo; ix < sl->xhi; ix++) {
        for (int d = 0; d < 3; d++)
            fftw_execute_dft_c2r(s->plane_c2r[d], s->work[d] + (size_t)ix * ny * nzc,
                                 s->field_lines + (size_t)ix * s->lines_plane + d);
        fill_ghosts(s, ix);
    }
}

/* ---------------------------------------------------------------- interpolation */

/* Doubles read per z-line: 3 P rounded up to whole vectors of 8 (the reads beyond 3 P fall
 * on ghost points and are never used). */
#define LINE_DOUBLES(P) ((3 * (P) + 7) / 8 * 8)

/* Field at atom i: E = sum_a sum_b wx[a] wy[b] sum_c wz[c] E(line ab, point c). The z-line
 * of P points is 3 P contiguous doubles of field_lines (components interleaved, ghosts past
 * nz), so the sum over (a, b) adds whole lines into acc, a fixed-length loop the compiler
 * vectorises; the z weights are applied once at the end. */
static inline void interpolate_atom(const pppm_state *s, size_t p, int P, double e[3])
{
    const size_t line_stride = (size_t)s->nz_ghost * 3;
    const size_t base = p * 3 * (size_t)P;
    const int *ix = &s->index[base], *iy = ix + P, *iz = iy + P;
    const double *wx = &s->weight[base], *wy = wx + P, *wz = wy + P;
    const double *lines = s->field_lines + 3 * (size_t)iz[0];
    double acc[LINE_DOUBLES(MAX_ORDER)] = {0};
    for (int a = 0; a < P; a++) {
        const double *plane = lines + (size_t)ix[a] * s->lines_plane;
        for (int b = 0; b < P; b++) {
            const double *line = plane + (size_t)iy[b] * line_stride;
            const double wab = wx[a] * wy[b];
#pragma omp simd
            for (int k = 0; k < LINE_DOUBLES(P); k++)
                acc[k] += wab * line[k];
        }
    }
    double ex = 0.0, ey = 0.0, ez = 0.0;
    for (int c = 0; c < P; c++) {
        ex += wz[c] * acc[3 * c];
        ey += wz[c] * acc[3 * c + 1];
        ez += wz[c] * acc[3 * c + 2];
    }
    e[0] = ex;
    e[1] = ey;
    e[2] = ez;
}

/* The atoms whose stencils start in this thread's slab, with the stencils it computed
 * for them; their forces go to kforce in the sorted order (contiguous, no cache line
 * written by two cores), added to the atoms' forces by add_forces. Called inside a
 * parallel region, after all the plane transforms. */
GMD_SIMD_CLONES
static void interpolate_forces(pppm_state *s, const slab_plan *sl)
{
    const int P = s->order;
    const size_t k0 = sl->nown ? s->column_start[(size_t)sl->xlo * s->n[1]] : 0;
    const size_t p0 = sl->first + sl->own_first;
    for (size_t j = 0; j < sl->nown; j++) {
        const size_t k = k0 + j, p = p0 + j;
        double e[3];
        if (P == 7)
            interpolate_atom(s, p, 7, e);
        else if (P == 5)
            interpolate_atom(s, p, 5, e);
        else
            interpolate_atom(s, p, P, e);
        double qk = GMD_COULOMB_EV_A * s->sorted[k][3];
        for (int d = 0; d < 3; d++)
            s->kforce[k][d] = qk * e[d];
    } /* loop over atoms */
}

/* The k-space forces into the atoms' forces, serially: the atoms' arrays were last written
 * by the serial code around the terms, on this core. */
static void add_forces(const pppm_state *s, gmd_atoms *atoms)
{
    for (size_t k = 0; k < atoms->n; k++) {
        size_t i = s->order_of[k];
        for (int d = 0; d < 3; d++)
            atoms->f[d][i] += s->kforce[k][d];
    }
}

/* ---------------------------------------------------------------- compute */

static gmd_status ensure_atom_arrays(pppm_state *s, size_t n, gmd_error *err)
{
    if (n <= s->atom_cap) return GMD_OK;
    GROW_ARRAY(s->column_of, n, "pppm atom columns");
    GROW_ARRAY(s->order_of, n, "pppm atom order");
    GROW_ARRAY(s->sorted, n, "pppm sorted atoms");
    GROW_ARRAY(s->kforce, n, "pppm forces");
    s->atom_cap = n;
    return GMD_OK;
}

/* Energy and virial: the rows' sums added in row order (independent of the threads). */
static double sum_rows(const pppm_state *s, double virial[6])
{
    double energy = 0.0;
    for (int iy = 0; iy < s->n[1]; iy++) {
        energy += s->row_sums[iy][0];
        for (int a = 0; a < 6; a++)
            virial[a] += s->row_sums[iy][a + 1];
    }
    return energy;
}

static gmd_status allocate_mesh(pppm_state *s, gmd_error *err);
static void free_mesh(pppm_state *s);

/* A new box: the mesh that keeps the k-space accuracy (kspace_internal.h: the points of
 * each direction as at creation while they hold the accuracy asked for, else more), rebuilt (arrays
 * and FFT plans) when it changes, and the influence function for the box. The mesh is a function of
 * the creation mesh and box and the current box only, so a resumed run (set up at the run's first
 * box, md.h) uses the same mesh as the uninterrupted one. */
static gmd_status follow_box(pppm_state *s, const gmd_box *box, int threads, gmd_error *err)
{
    int n[3], same = 1;
    for (int d = 0; d < 3; d++) {
        n[d] = gmd_pppm_mesh_keeping(&s->keep, s->order, s->len_ref[d], s->n_ref[d], box->len[d]);
        same &= n[d] == s->n[d];
    }
    if (!same) {
        free_mesh(s);
        for (int d = 0; d < 3; d++)
            s->n[d] = s->params.mesh[d] = n[d];
        s->params.nkvectors = (long)n[0] * n[1] * n[2];
        gmd_status st = allocate_mesh(s, err);
        if (st != GMD_OK) return st;
    }
    gmd_kspace_estimate(&s->params, &s->keep, box);
    return compute_green(s, box, threads, err);
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
        st = follow_box(s, box, threads, err);
    if (st == GMD_OK) st = ensure_atom_arrays(s, atoms->n, err);
    if (st != GMD_OK) return st;
    sort_atoms_by_column(s, box, atoms);
    st = plan_slabs(s, threads, err);
    if (st != GMD_OK) return st;
    const double volume = gmd_box_volume(box);
#pragma omp parallel num_threads(threads)
    {
        int me = 0, team = 1; /* a smaller team than asked takes several slabs each */
#ifdef _OPENMP
        me = omp_get_thread_num();
        team = omp_get_num_threads();
#endif
        for (int t = me; t < threads; t += team)
            spread_and_transform_slab(s, &s->slabs[t]);
#pragma omp barrier
        solve_and_transform_back(s, volume);
        for (int t = me; t < threads; t += team)
            transform_back_slab(s, &s->slabs[t]);
#pragma omp barrier
        for (int t = me; t < threads; t += team)
            interpolate_forces(s, &s->slabs[t]);
    }
    add_forces(s, atoms);
    double virial[6] = {0};
    double e_recip = sum_rows(s, virial);
    gmd_kspace_tally(tally, self, atoms, s->params.g_ewald, volume, e_recip, virial);
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

/* ---------------------------------------------------------------- set-up */

/* Everything allocate_mesh made (the plans too), set to NULL. */
static void free_mesh(pppm_state *s)
{
    fftw_plan *plans[6] = {&s->plane_r2c,    &s->plane_c2r[0], &s->plane_c2r[1],
                           &s->plane_c2r[2], &s->row_forward,  &s->row_backward};
    for (int k = 0; k < 6; k++) {
        if (*plans[k]) fftw_destroy_plan(*plans[k]);
        *plans[k] = NULL;
    }
    fftw_free(s->mesh);
    fftw_free(s->qhat);
    fftw_free(s->field_lines);
    s->mesh = NULL;
    s->qhat = NULL;
    s->field_lines = NULL;
    for (int d = 0; d < 3; d++) {
        fftw_free(s->work[d]);
        free(s->kfold[d]);
        free(s->kdiff[d]);
        s->work[d] = NULL;
        s->kfold[d] = s->kdiff[d] = NULL;
    }
    free(s->column_start);
    free(s->column_fill);
    free(s->green);
    free(s->virial_factor);
    free(s->row_sums);
    s->column_start = s->column_fill = NULL;
    s->green = s->virial_factor = NULL;
    s->row_sums = NULL;
}

static void pppm_destroy(gmd_term *self)
{
    pppm_state *s = self->state;
    if (!s) return;
    free_mesh(s);
    free(s->index);
    free(s->weight);
    free(s->column_of);
    free(s->order_of);
    free(s->sorted);
    free(s->kforce);
    free(s->slabs);
    free(s);
    self->state = NULL;
}

/* The four plans: (y, z) plane transforms and x transforms of one y-row (nzc columns,
 * stride ny nzc), all planned on the first plane or row and executed on every other. */
static gmd_status make_plans(pppm_state *s, gmd_error *err)
{
    const int nx = s->n[0], ny = s->n[1], nz = s->n[2], nzc = s->nzc;
    const int plane_n[2] = {ny, nz}, mesh_n[2] = {ny, s->nz_spread}, lines_n[2] = {ny, s->nz_ghost};
    s->plane_r2c = fftw_plan_many_dft_r2c(2, plane_n, 1, s->mesh, mesh_n, 1, 0, s->qhat, NULL, 1, 0,
                                          FFTW_ESTIMATE);
    for (int d = 0; d < 3; d++)
        s->plane_c2r[d] = fftw_plan_many_dft_c2r(2, plane_n, 1, s->work[d], NULL, 1, 0,
                                                 s->field_lines + d, lines_n, 3, 0, FFTW_ESTIMATE);
    fftw_iodim along_x = {.n = nx, .is = ny * nzc, .os = ny * nzc};
    fftw_iodim columns = {.n = nzc, .is = 1, .os = 1};
    s->row_forward =
        fftw_plan_guru_dft(1, &along_x, 1, &columns, s->qhat, s->qhat, FFTW_FORWARD, FFTW_ESTIMATE);
    s->row_backward = fftw_plan_guru_dft(1, &along_x, 1, &columns, s->work[0], s->work[0],
                                         FFTW_BACKWARD, FFTW_ESTIMATE);
    if (!s->plane_r2c || !s->plane_c2r[0] || !s->plane_c2r[1] || !s->plane_c2r[2] ||
        !s->row_forward || !s->row_backward)
        return gmd_fail(err, GMD_ERR_INTERNAL, "pppm: FFTW could not plan a %d x %d x %d FFT", nx,
                        ny, nz);
    /* every plane and row must share the alignment its plan was made for */
    if (nx > 1 &&
        (fftw_alignment_of(s->mesh + s->plane_stride) != fftw_alignment_of(s->mesh) ||
         fftw_alignment_of(s->field_lines + s->lines_plane) != fftw_alignment_of(s->field_lines)))
        return gmd_fail(err, GMD_ERR_INTERNAL, "pppm: misaligned mesh planes");
    return GMD_OK;
}

static gmd_status allocate_mesh(pppm_state *s, gmd_error *err)
{
    const size_t nx = (size_t)s->n[0], ny = (size_t)s->n[1];
    s->nzc = s->n[2] / 2 + 1;
    s->nz_spread = s->n[2] + SPREAD_WIDTH;
    s->plane_stride = (ny * (size_t)s->nz_spread + PLANE_ALIGN - 1) / PLANE_ALIGN * PLANE_ALIGN;
    s->nreal = nx * s->plane_stride;
    s->ncomplex = nx * ny * (size_t)s->nzc;
    s->mesh = fftw_malloc(s->nreal * sizeof(double));
    s->qhat = fftw_malloc(s->ncomplex * sizeof(fftw_complex));
    /* ghosts: a z-line read from its first point, up to LINE_DOUBLES(P) doubles, stays in
     * its own line of field_lines */
    s->nz_ghost = s->n[2] + s->order + 2;
    s->lines_plane = (ny * (size_t)s->nz_ghost * 3 + PLANE_ALIGN - 1) / PLANE_ALIGN * PLANE_ALIGN;
    s->field_lines = fftw_malloc(nx * s->lines_plane * sizeof(double));
    int ok = s->mesh && s->qhat && s->field_lines;
    for (int d = 0; d < 3; d++) {
        s->work[d] = fftw_malloc(s->ncomplex * sizeof(fftw_complex));
        s->kfold[d] = gmd_calloc((size_t)s->n[d], sizeof(double), "pppm wave vectors", err);
        s->kdiff[d] = gmd_calloc((size_t)s->n[d], sizeof(double), "pppm wave vectors", err);
        ok = ok && s->work[d] && s->kfold[d] && s->kdiff[d];
    }
    s->green = gmd_calloc(s->ncomplex, sizeof(double), "pppm influence function", err);
    s->virial_factor = gmd_calloc(s->ncomplex, sizeof(double), "pppm influence function", err);
    s->row_sums = gmd_calloc(ny, sizeof *s->row_sums, "pppm row sums", err);
    s->column_start = gmd_calloc(nx * ny + 1, sizeof(size_t), "pppm mesh columns", err);
    s->column_fill = gmd_calloc(nx * ny, sizeof(size_t), "pppm mesh columns", err);
    ok = ok && s->column_start && s->column_fill;
    if (!ok || !s->green || !s->virial_factor || !s->row_sums)
        return gmd_fail(err, GMD_ERR_NOMEM, "pppm: cannot allocate a %d x %d x %d mesh", s->n[0],
                        s->n[1], s->n[2]);
    return make_plans(s, err);
}

gmd_status gmd_pppm_create(gmd_term **out, const gmd_kspace_params *params, const gmd_box *box,
                           const gmd_atoms *atoms, gmd_error *err)
{
    *out = NULL;
    static const gmd_term kind = {.name = "pppm",
                                  .needs = {.group = GMD_GROUP_SLOW},
                                  .compute = pppm_compute,
                                  .describe = pppm_describe,
                                  .destroy = pppm_destroy};
    gmd_kspace_params p;
    gmd_term *term = NULL;
    gmd_status st = gmd_kspace_term_new(&term, &kind, sizeof(pppm_state), GMD_KSPACE_PPPM, params,
                                        box, atoms, &p, err);
    if (st != GMD_OK) return st;
    pppm_state *s = term->state;
    s->params = p;
    s->order = p.order;
    weight_polynomials(s->order, s->weight_poly);
    s->keep = gmd_kspace_keep_of(&p, atoms);
    for (int d = 0; d < 3; d++) {
        s->n[d] = s->n_ref[d] = p.mesh[d];
        s->len_ref[d] = box->len[d];
    }
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
