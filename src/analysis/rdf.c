/* rdf.c - partial pair distribution functions g_ab(r), coordination numbers and the
 * neutron- and X-ray-weighted totals (SPEC section 5), plus the frame grid that every
 * structural analysis uses to find neighbours.
 *
 * Frame grid
 * ----------
 * Frames hold unwrapped positions; the library's cell grid (glassmd/cell_grid.h) bins them
 * into floor(len[k] / rcut) cells per direction (side >= rcut) by a counting sort, so the
 * atoms of a cell are one contiguous range of slots, and the frame grid keeps a copy of the
 * positions wrapped into [0, len) and of the species in slot order. Partners of an atom
 * within rcut lie in its own cell or the adjacent ones (gmd_cell_grid_adjacent: along a
 * direction with fewer than 3 cells the distinct cells are visited once each, as offsets
 * -1 and +1 would name the same cell twice). Displacements take the minimum image, exact
 * because rcut <= len/2 is required: then at most one image of a pair lies within rcut.
 * gmd_frame_grid_neighbors lists the full neighbourhood of one atom; gmd_frame_grid_later_ranges
 * and gmd_frame_grid_neighbors_in the half of it met from the lower slot (bonds.c: the bonds
 * that network.c and angles.c read).
 *
 * Pair histogram (the cost of rdf and sq): every unordered pair is met once, from the
 * atom in the lower cell (half stencil: slot s visits the later slots of its own cell and
 * every neighbour cell with a higher index; the neighbour relation is symmetric). With the
 * default rmax = L/2 (2 cells per direction) this is the N (N - 1) / 2 pairs of the box.
 * The partner ranges are cut into chunks of RDF_CHUNK slots (buffers in L1); per chunk a
 * vectorised loop (pair_slots, compiled for AVX2 / AVX-512 too) computes the squared
 * minimum-image distances d^2 and the histogram slot of each, then a scalar loop makes one
 * increment per pair. The binning rule: bin m holds the pairs with E_m <= d^2 < E_(m+1),
 * E_m = (m dr)^2 as doubles (edge2_of; nondecreasing in m, so every d^2 has exactly one
 * bin); d^2 >= E_nbins is out of range. In real numbers the edge is d = m dr; the rounding
 * of E_m decides only pairs within an ulp of an edge (as every binning does in its own
 * way: LAMMPS's (int)(r / dr) differs there too). The bin is found without a square root
 * in double or a division per pair: an estimate b0 = (int)(sqrtf(d^2) / dr) in single
 * precision lies within one bin of the rule's (relative error < 3e-7, so for up to
 * GMD_RDF_MAX_BINS bins), and one comparison with each of E_b0 and E_(b0+1), computed in
 * double, corrects it. The pairs out of range go to GMD_RDF_SPARE spare slots of the row
 * in turn, so that their increments do not wait on each other. Where the CPU has AVX-512,
 * select_in_range_avx512 replaces pair_slots: sixteen pairs at a time in single precision
 * (positions in 32-bit fixed point, whose integer difference is the minimum image by
 * itself: a subtraction and a conversion per component, the scale once per root in a cubic
 * box; the distance to the nearest integer by one vreduceps), whose estimate of d / dr is
 * within a bounded error (~7e-4 bins, estimate_margin) of the exact one, so that every
 * pair whose estimate is farther than that from an integer has the rule's bin as its
 * floor; the few others (~1.4e-3 of the pairs), and those that may lie within a
 * coordination cut-off, are listed for the exact double pass (exact_lanes). The slots of
 * the pairs in range are packed by one compress, so that the scalar loop sees only them
 * (about half of the pairs with rmax = L/2). The counts are those of the portable loops,
 * pair for pair (tests/unit/test_structure.c); the single-precision pass is twice as fast as a
 * double one (16 lanes). A pair i in a, j in b adds one to the per-thread count (a, b) (row offset
 * precomputed per slot, row_of) and is turned into the ordered counts (a, b) and (b, a) at the
 * reduction.
 *
 * g_ab(r)
 * -------
 * For every ordered species pair (a, b), hist counts the pairs (i in a, j in b, j != i)
 * with d in [m dr, (m+1) dr), m < nbins (so d < rmax = nbins dr). Each frame's histogram is
 * normalised by the ideal-gas pair count of that frame's volume V,
 *     g_ab(r_m) = H_ab(m) / (N_a (N_b - delta_ab) / V * 4/3 pi ((m+1)^3 - m^3) dr^3),
 * and the frames' g are averaged (as LAMMPS `compute rdf` per frame with fix ave/time, and
 * MDAnalysis InterRDF, which both take each frame's own volume).
 * A box that changes between frames (NPT): every frame is binned with its own box (the
 * frame grid, the minimum image) and normalised with its own V, as above. The range must
 * fit every frame: without a given rmax it starts at half the first frame's smallest edge
 * and is lowered, bins dropped, whenever a frame's smallest edge is shorter (so every bin
 * holds every frame and the averages stay plain means); a given rmax (or a coordination
 * cut-off) longer than half a frame's smallest edge is refused at that frame, naming the
 * cure. Results "rdf" say which rule gave rmax and the volumes' range. N_b - delta_ab is the
 * ideal-gas pair density of a finite system (an atom is not its own neighbour), the normalisation
 * of LAMMPS `compute rdf`; it makes g -> 1 exactly for an uncorrelated gas. (MDAnalysis InterRDF
 * uses N_a N_b: its like-pair g is smaller by (N_a - 1)/N_a.) Counts are integers summed over
 * threads, so the histograms do not depend on the thread count at all. Running coordination n_ab(r)
 * = 4 pi rho_b int_0^r g_ab r'^2 dr' is the mean number of b within r of an a, computed from the
 * counts: sum_{m' <= m} H_ab(m') / (N_a frames). Coordination at a cut-off (SPEC: Si-S 2.7,
 * Na-S 3.5) is counted exactly (d < cut), not from the bins.
 *
 * Totals (Faber-Ziman weighting over ordered pairs, so that g -> 1 at large r):
 *     g_N(r) = sum_ab c_a c_b b_a b_b g_ab(r) / (sum_a c_a b_a)^2        (b: neutron lengths)
 *     g_X(r) = sum_ab c_a c_b Z_a Z_b g_ab(r) / (sum_a c_a Z_a)^2        (k = 0 weights f = Z)
 * They are written only when every species names a tabulated element (formfactors.c).
 *
 * Outputs: rdf.csv (r_A, g_ab for a <= b, g_N, g_X), coordination.csv (r_A, n_ab for every
 * ordered pair at the bin's upper edge), rdf.gp/png and coordination.gp/png; results keys
 * "rdf" (settings), "rdf_first_peak_A" and "coordination". */
#include <math.h>
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_BIN_AVX512 1
#define RDF_AVX512 __attribute__((target("avx2,avx512f,avx512vl,avx512dq,popcnt")))
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "glassmd/units.h"
#include "structure_internal.h"

/* ================================================================ cell grid */

static double wrap_coordinate(double x, double lo, double len)
{
    double u = x - lo;
    u -= len * floor(u / len);
    if (u >= len || u < 0.0) /* round-off at the upper edge */
        u = 0.0;
    return u;
}

/* 1 where the AVX-512 passes (RDF_AVX512) can run: compiled in, and the CPU has them. */
static int cpu_has_avx512(void)
{
#ifdef HAVE_BIN_AVX512
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx2") &&
           __builtin_cpu_supports("popcnt");
#else
    return 0;
#endif
}

/* Slots per chunk of the pair kernel's buffers (~20 KB with the doubles of pair_slots; a
 * cell's range with the default rmax = L/2 (2 x 2 x 2 cells of ~N/8 atoms) in one chunk:
 * 256 measured ~3 % slower on the 3000-atom melt, 128 ~8 %). */
#define RDF_CHUNK 1024

/* Cells at the most: a bound on the grid's memory whatever the frame. */
#define FRAME_GRID_MAX_CELLS 16777216.0

static gmd_status grid_alloc(gmd_frame_grid *g, size_t n, gmd_error *err)
{
    if (g->n == n && g->x[0]) return GMD_OK;
    for (int k = 0; k < 3; k++) {
        free(g->x[k]);
        g->x[k] = gmd_calloc(n ? n : 1, sizeof(double), "cell grid positions", err);
        if (!g->x[k]) return GMD_ERR_NOMEM;
    }
    free(g->type);
    g->type = gmd_calloc(n ? n : 1, sizeof(int), "cell grid indices", err);
    if (!g->type) return GMD_ERR_NOMEM;
    g->n = n;
    return GMD_OK;
}

gmd_status gmd_frame_grid_build(gmd_frame_grid *g, const gmd_frame *frame, double rcut,
                                gmd_error *err)
{
    for (int k = 0; k < 3; k++) {
        double len = frame->box.len[k];
        if (!(len > 0.0) || rcut > 0.5 * len * (1.0 + 1e-12))
            return gmd_fail(err, GMD_ERR_VALUE,
                            "frame at step %ld: search radius %g A exceeds half the box edge "
                            "%g A; lower the radius (e.g. --rdf-rmax) or use a bigger box",
                            frame->step, rcut, len);
    }
    gmd_cell_grid_shape(&g->cells, &frame->box, rcut, FRAME_GRID_MAX_CELLS);
    gmd_status st = grid_alloc(g, frame->n, err);
    if (st == GMD_OK)
        st = gmd_cell_grid_bin(&g->cells, (const double *const *)frame->r, frame->n, err);
    if (st != GMD_OK) return st;
    for (int k = 0; k < 3; k++)
        g->len[k] = frame->box.len[k];
    g->rcut = rcut;
    g->avx512 = !g->portable && cpu_has_avx512();
    for (size_t s = 0; s < frame->n; s++) {
        int i = g->cells.atom[s];
        g->type[s] = frame->type[i];
        for (int k = 0; k < 3; k++)
            g->x[k][s] = wrap_coordinate(frame->r[k][i], frame->box.lo[k], g->len[k]);
    }
    return GMD_OK;
}

void gmd_frame_grid_free(gmd_frame_grid *g)
{
    for (int k = 0; k < 3; k++)
        free(g->x[k]);
    free(g->type);
    gmd_cell_grid_free(&g->cells);
    memset(g, 0, sizeof *g);
}

gmd_status gmd_neigh_buf_init(gmd_neigh_buf *b, size_t capacity, gmd_error *err)
{
    memset(b, 0, sizeof *b);
    size_t cap = capacity + GMD_NEIGH_PAD;
    b->j = gmd_calloc(cap, sizeof(int), "neighbour buffer", err);
    b->d = gmd_calloc(cap, sizeof(double), "neighbour buffer", err);
    for (int k = 0; k < 3; k++)
        b->dx[k] = gmd_calloc(cap, sizeof(double), "neighbour buffer", err);
    b->capacity = cap;
    if (!b->j || !b->d || !b->dx[0] || !b->dx[1] || !b->dx[2]) {
        gmd_neigh_buf_free(b);
        return GMD_ERR_NOMEM;
    }
    return GMD_OK;
}

void gmd_neigh_buf_free(gmd_neigh_buf *b)
{
    free(b->j);
    free(b->d);
    for (int k = 0; k < 3; k++)
        free(b->dx[k]);
    memset(b, 0, sizeof *b);
}

/* The run of consecutive cells (z fastest) of cells[] that starts at q: one range of slots
 * j0 .. j1 - 1, so fewer, longer loops; returns the index of the run's last cell. */
static int cell_run(const gmd_frame_grid *g, const int *cells, int ncells, int q, int *j0, int *j1)
{
    int last = q;
    while (last + 1 < ncells && cells[last + 1] == cells[last] + 1)
        last++;
    *j0 = g->cells.start[cells[q]];
    *j1 = g->cells.start[cells[last] + 1];
    return last;
}

/* The slot ranges of cells[] (runs of consecutive cells merged) into lo[], hi[]; returns
 * their number (<= ncells). */
static int cell_ranges(const gmd_frame_grid *g, const int *cells, int ncells, int *lo, int *hi)
{
    int nr = 0;
    for (int q = 0; q < ncells; q++, nr++)
        q = cell_run(g, cells, ncells, q, &lo[nr], &hi[nr]);
    return nr;
}

#ifdef HAVE_BIN_AVX512
/* d less its nearest multiple of len (il = 1 / len), by the round-to-nearest of adding and
 * subtracting magic = 1.5 * 2^52: the scalar loop's operations. */
RDF_AVX512 static inline __m512d image_round(__m512d d, __m512d len, __m512d il, __m512d magic)
{
    return _mm512_sub_pd(
        d, _mm512_mul_pd(len, _mm512_sub_pd(_mm512_add_pd(_mm512_mul_pd(d, il), magic), magic)));
}

/* gmd_frame_grid_neighbors' loops over the runs of cells with AVX-512, eight slots at a
 * time: the same operations (no fused multiply-add, as there), so the same d^2 and
 * displacements to the bit, and the neighbours packed by compress in the same order
 * (compress into registers, then plain stores, which may write GMD_NEIGH_PAD places past
 * the last neighbour). Returns the number of neighbours. */
RDF_AVX512 static size_t neighbors_avx512(const gmd_frame_grid *g, int s, const int *lo,
                                          const int *hi, int nr, double rc2, gmd_neigh_buf *b)
{
    const __m512d magic = _mm512_set1_pd(6755399441055744.0); /* 1.5 * 2^52 */
    const __m512d lx = _mm512_set1_pd(g->len[0]), ly = _mm512_set1_pd(g->len[1]),
                  lz = _mm512_set1_pd(g->len[2]);
    const __m512d ilx = _mm512_set1_pd(1.0 / g->len[0]), ily = _mm512_set1_pd(1.0 / g->len[1]),
                  ilz = _mm512_set1_pd(1.0 / g->len[2]);
    const __m512d xs = _mm512_set1_pd(g->x[0][s]), ys = _mm512_set1_pd(g->x[1][s]),
                  zs = _mm512_set1_pd(g->x[2][s]), cut = _mm512_set1_pd(rc2);
    const __m256i lane = _mm256_set_epi32(7, 6, 5, 4, 3, 2, 1, 0), self = _mm256_set1_epi32(s);
    size_t m = 0;
    for (int q = 0; q < nr; q++) {
        const int j0 = lo[q], j1 = hi[q];
        for (int j = j0; j < j1; j += 8) {
            const __mmask8 live = j1 - j >= 8 ? 0xff : (__mmask8)((1u << (j1 - j)) - 1);
            __m512d dx = _mm512_sub_pd(_mm512_maskz_loadu_pd(live, g->x[0] + j), xs);
            __m512d dy = _mm512_sub_pd(_mm512_maskz_loadu_pd(live, g->x[1] + j), ys);
            __m512d dz = _mm512_sub_pd(_mm512_maskz_loadu_pd(live, g->x[2] + j), zs);
            dx = image_round(dx, lx, ilx, magic);
            dy = image_round(dy, ly, ily, magic);
            dz = image_round(dz, lz, ilz, magic);
            const __m512d d2 = _mm512_add_pd(
                _mm512_add_pd(_mm512_mul_pd(dx, dx), _mm512_mul_pd(dy, dy)), _mm512_mul_pd(dz, dz));
            const __mmask8 not_self =
                _mm256_cmpneq_epi32_mask(_mm256_add_epi32(lane, _mm256_set1_epi32(j)), self);
            const __mmask8 keep = _mm512_mask_cmp_pd_mask(live & not_self, d2, cut, _CMP_LT_OQ);
            const __m256i atom = _mm256_maskz_loadu_epi32(live, g->cells.atom + j);
            _mm256_storeu_si256((__m256i *)(b->j + m), _mm256_maskz_compress_epi32(keep, atom));
            _mm512_storeu_pd(b->d + m, _mm512_maskz_compress_pd(keep, d2));
            _mm512_storeu_pd(b->dx[0] + m, _mm512_maskz_compress_pd(keep, dx));
            _mm512_storeu_pd(b->dx[1] + m, _mm512_maskz_compress_pd(keep, dy));
            _mm512_storeu_pd(b->dx[2] + m, _mm512_maskz_compress_pd(keep, dz));
            m += (size_t)__builtin_popcount(keep);
        } /* loop over atoms of the run */
    }
    return m;
}
#else
static size_t neighbors_avx512(const gmd_frame_grid *g, int s, const int *lo, const int *hi, int nr,
                               double rc2, gmd_neigh_buf *b)
{
    (void)g, (void)s, (void)lo, (void)hi, (void)nr, (void)rc2, (void)b;
    return 0; /* never called: avx512 stays 0 where this is compiled */
}
#endif

/* Branch-free: every candidate is written at the next free place and the count advances
 * only for those within rc (as the MD pair kernel's compaction; the branch on d^2 < rc^2
 * mispredicted for most candidates). The minimum image by rounding to nearest (positions
 * are wrapped, so it is gmd_min_image's up to ties at exactly half a box edge, beyond any
 * rc). The buffer holds n places, and the candidates are the other n - 1 atoms at most.
 * Returns the number of neighbours, their squared distances in b->d. */
static size_t neighbors_portable(const gmd_frame_grid *g, int s, const int *lo, const int *hi,
                                 int nr, double rc2, gmd_neigh_buf *b)
{
    const double magic = 6755399441055744.0; /* 1.5 * 2^52 */
    const double xs = g->x[0][s], ys = g->x[1][s], zs = g->x[2][s];
    const double lx = g->len[0], ly = g->len[1], lz = g->len[2];
    const double ilx = 1.0 / lx, ily = 1.0 / ly, ilz = 1.0 / lz;
    const int *atom = g->cells.atom;
    int *restrict bj = b->j;
    double *restrict bd = b->d, *restrict bx = b->dx[0], *restrict by = b->dx[1],
                     *restrict bz = b->dx[2];
    size_t m = 0;
    for (int q = 0; q < nr; q++) {
        for (int j = lo[q]; j < hi[q]; j++) {
            double dx = g->x[0][j] - xs, dy = g->x[1][j] - ys, dz = g->x[2][j] - zs;
            dx -= lx * ((dx * ilx + magic) - magic);
            dy -= ly * ((dy * ily + magic) - magic);
            dz -= lz * ((dz * ilz + magic) - magic);
            const double d2 = dx * dx + dy * dy + dz * dz;
            bj[m] = atom[j];
            bd[m] = d2;
            bx[m] = dx, by[m] = dy, bz[m] = dz;
            m += (d2 < rc2) & (j != s);
        } /* loop over atoms of the run */
    }
    return m;
}

/* The neighbours of slot s within rc among the slot ranges lo[q] .. hi[q] - 1 by
 * neighbors_avx512 where the CPU has AVX-512 (the same neighbours, in the same order, to
 * the bit), else by neighbors_portable; the distances' square roots taken afterwards in one
 * vectorised pass. */
void gmd_frame_grid_neighbors_in(const gmd_frame_grid *g, int s, const int *lo, const int *hi,
                                 int nr, double rc, gmd_neigh_buf *b)
{
    const double rc2 = rc * rc;
    const size_t m = g->avx512 ? neighbors_avx512(g, s, lo, hi, nr, rc2, b)
                               : neighbors_portable(g, s, lo, hi, nr, rc2, b);
    for (size_t k = 0; k < m; k++)
        b->d[k] = sqrt(b->d[k]);
    b->count = m;
}

void gmd_frame_grid_neighbors(const gmd_frame_grid *g, size_t i, double rc, gmd_neigh_buf *b)
{
    const int s = g->cells.slot[i];
    int cells[27], lo[27], hi[27];
    const int ncells = gmd_cell_grid_adjacent(&g->cells, g->cells.cell[i], cells);
    gmd_frame_grid_neighbors_in(g, s, lo, hi, cell_ranges(g, cells, ncells, lo, hi), rc, b);
}

int gmd_frame_grid_later_ranges(const gmd_frame_grid *g, int c, int *lo, int *hi)
{
    int cells[27], later[27], nl = 0;
    const int ncells = gmd_cell_grid_adjacent(&g->cells, c, cells);
    for (int q = 0; q < ncells; q++)
        if (cells[q] > c) later[nl++] = cells[q];
    return cell_ranges(g, later, nl, lo, hi);
}

/* The squared lower edge of bin m, E_m = (m dr)^2 in doubles: the binning rule of the
 * header. Nondecreasing in m (each rounding is). */
static inline double edge2_of(int m, double dr)
{
    const double e = (double)m * dr;
    return e * e;
}

/* The rule's bin of d2 from a single-precision estimate: b0 = (int)(sqrtf(d2) / dr)
 * (the estimate capped at top = nbins + 1.5, also for a NaN: then surely out of range),
 * within one bin of the rule's, then corrected by one comparison with each of its edges.
 * Returns nbins or more when out of range. */
static inline int bin_of(double d2, float inv_dr, float top, double dr)
{
    float est = sqrtf((float)d2) * inv_dr;
    est = est < top ? est : top;
    const int b = (int)est;
    return b + (d2 >= edge2_of(b + 1, dr)) - (d2 < edge2_of(b, dr));
}

/* The minimum-image distance along one edge of two wrapped coordinates, whose difference
 * d lies in (-len, len): min(|d|, len - |d|), len - |d| exact where it is the smaller
 * (Sterbenz: |d| >= len / 2). Branch-free, so the loops vectorise. */
static inline double min_image(double d, double len)
{
    const double a = fabs(d), b = len - a;
    return a < b ? a : b;
}

/* For the slots j0 .. j1 - 1 seen from ri: the squared minimum-image distance of each
 * pair into d2 and its histogram slot into slot (row_of plus the bin, or one of the row's
 * GMD_RDF_SPARE spare slots in turn when out of range); returns the number of pairs with
 * d^2 < cut2. */
GMD_SIMD_CLONES
static int pair_slots(const gmd_rdf_acc *acc, const double ri[3], int j0, int j1, double cut2,
                      double *restrict d2, int *restrict slot)
{
    const gmd_frame_grid *g = &acc->grid;
    const double *restrict x = g->x[0], *restrict y = g->x[1], *restrict z = g->x[2];
    const int *restrict row_of = acc->row_of;
    const double lx = g->len[0], ly = g->len[1], lz = g->len[2];
    const double xi = ri[0], yi = ri[1], zi = ri[2], dr = acc->dr;
    const int nbins = acc->nbins;
    const float inv_dr = (float)(1.0 / dr), top = (float)nbins + 1.5f;
    int close = 0;
#pragma omp simd reduction(+ : close)
    for (int j = j0; j < j1; j++) {
        const double dx = min_image(x[j] - xi, lx), dy = min_image(y[j] - yi, ly),
                     dz = min_image(z[j] - zi, lz);
        const double r2 = dx * dx + dy * dy + dz * dz;
        const int b = bin_of(r2, inv_dr, top, dr);
        d2[j - j0] = r2;
        slot[j - j0] = row_of[j] + (b < nbins ? b : nbins + (j & (GMD_RDF_SPARE - 1)));
        close += r2 < cut2;
    }
    return close;
}

/* The frame grid's wrapped positions in fixed point: round(x 2^32 / L) modulo 2^32, as the
 * bits of an int32 (x in [0, L]; L itself is 0 again). */
static void fixed_point_positions(gmd_rdf_acc *acc, int n)
{
    for (int k = 0; k < 3; k++) {
        const double to_fixed = 4294967296.0 / acc->grid.len[k];
        for (int s = 0; s < n; s++) {
            const uint32_t q = (uint32_t)(uint64_t)llrint(acc->grid.x[k][s] * to_fixed);
            memcpy(&acc->xq[k][s], &q, sizeof q);
        }
    }
}

#ifdef HAVE_BIN_AVX512
/* How far (in bins) the single-precision estimate of select_in_range_avx512 may lie from
 * the rule's d / dr, u = 2^-24 the unit round-off of floats, L the longest box edge: a
 * fixed-point coordinate is off by (1/2 + 2^-20) L 2^-32, a difference by L 2^-32 = u L /
 * 256 (the integer minimum image is then exact), its conversion to float and the scale (a
 * float) by 3 u relative, so a component by (2^-8 + 1.5) u L / dr bins and the distance
 * by sqrt(3) times that, < 3 u L / dr; d^2's two fused multiply-adds and the square root
 * add 2.5 u relative (5 u (nbins + 2) bins taken, as the estimate is capped at nbins +
 * 1.5); 1e-9 covers the rule's own rounding of its edges (3e-16 relative). In a cubic box
 * the scale multiplies the root instead (select_lanes): a component is then off by
 * (2^-8 + 1/2) u L / dr, the estimate by 4 u relative, within the same margin. */
static double estimate_margin(const gmd_rdf_acc *acc)
{
    const double u = 0x1p-24,
                 len = fmax(acc->grid.len[0], fmax(acc->grid.len[1], acc->grid.len[2]));
    return 3.0 * u * len / acc->dr + 5.0 * u * (acc->nbins + 2) + 1e-9;
}

/* select_in_range_avx512's loop; cubic (all edges the same float scale): the components
 * squared and summed in fixed-point units, the scale applied once to the root. */
RDF_AVX512 static inline __attribute__((always_inline)) int
select_lanes(const gmd_rdf_acc *acc, int s, int j0, int n, double cut2, double margin,
             int *restrict slot, int *restrict near, int *nnear, int *restrict close, int *nclose,
             const int cubic)
{
    const gmd_frame_grid *g = &acc->grid;
    const int32_t *x = acc->xq[0] + j0, *y = acc->xq[1] + j0, *z = acc->xq[2] + j0;
    const int *row_of = acc->row_of + j0;
    const double to_bins = 0x1p-32 / acc->dr, unit2 = g->len[0] * to_bins * g->len[0] * to_bins;
    const __m512 sx = _mm512_set1_ps((float)(g->len[0] * to_bins)),
                 sy = _mm512_set1_ps((float)(g->len[1] * to_bins)),
                 sz = _mm512_set1_ps((float)(g->len[2] * to_bins));
    const __m512i xi = _mm512_set1_epi32(acc->xq[0][s]), yi = _mm512_set1_epi32(acc->xq[1][s]),
                  zi = _mm512_set1_epi32(acc->xq[2][s]);
    /* the cut-off prefilter in the units of r2 below: bins^2, or fixed-point units^2 */
    const double cut_units = cut2 / (acc->dr * acc->dr) / (cubic ? unit2 : 1.0);
    const __m512 cut = _mm512_set1_ps((float)(cut_units * (1.0 + 1e-4)));
    const __m512 top = _mm512_set1_ps((float)acc->nbins + 1.5f),
                 lim = _mm512_set1_ps((float)margin), sign = _mm512_set1_ps(-0.0f);
    const __m512i nbins = _mm512_set1_epi32(acc->nbins),
                  lane = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    int m = 0, nn = 0, nc = 0;
    for (int k = 0; k < n; k += 16) {
        const __mmask16 live = n - k >= 16 ? 0xffff : (__mmask16)((1u << (n - k)) - 1);
        __m512 dx = _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_maskz_loadu_epi32(live, x + k), xi));
        __m512 dy = _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_maskz_loadu_epi32(live, y + k), yi));
        __m512 dz = _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_maskz_loadu_epi32(live, z + k), zi));
        if (!cubic) {
            dx = _mm512_mul_ps(dx, sx);
            dy = _mm512_mul_ps(dy, sy);
            dz = _mm512_mul_ps(dz, sz);
        }
        const __m512 r2 = _mm512_fmadd_ps(dz, dz, _mm512_fmadd_ps(dy, dy, _mm512_mul_ps(dx, dx)));
        /* the estimate of d / dr, capped (min gives top for a NaN) at nbins + 1.5: surely out
         * of range and not near an integer */
        __m512 root = _mm512_sqrt_ps(r2);
        if (cubic) root = _mm512_mul_ps(root, sx);
        const __m512 est = _mm512_min_ps(root, top);
        /* near an integer: |est - nearest integer| (vreduceps, exact) within the margin */
        const __mmask16 is_near = _mm512_mask_cmp_ps_mask(
            live, _mm512_andnot_ps(sign, _mm512_reduce_ps(est, _MM_FROUND_TO_NEAREST_INT)), lim,
            _CMP_LT_OQ);
        const __mmask16 is_close = _mm512_mask_cmp_ps_mask(live, r2, cut, _CMP_LT_OQ);
        const __m512i b = _mm512_cvttps_epi32(est);
        const __mmask16 in = _mm512_mask_cmplt_epi32_mask(_kandn_mask16(is_near, live), b, nbins);
        const __m512i sl = _mm512_add_epi32(b, _mm512_maskz_loadu_epi32(live, row_of + k));
        _mm512_storeu_si512(slot + m, _mm512_maskz_compress_epi32(in, sl));
        m += __builtin_popcount(in);
        if (is_near | is_close) { /* rare: their slot indices for the exact passes */
            const __m512i j = _mm512_add_epi32(lane, _mm512_set1_epi32(j0 + k));
            _mm512_storeu_si512(near + nn, _mm512_maskz_compress_epi32(is_near, j));
            nn += __builtin_popcount(is_near);
            _mm512_storeu_si512(close + nc, _mm512_maskz_compress_epi32(is_close, j));
            nc += __builtin_popcount(is_close);
        }
    }
    *nnear = nn;
    *nclose = nc;
    return m;
}

/* The pairs of slot s with the slots j0 .. j0 + n - 1, sixteen at a time in single
 * precision (acc->xq, the wrapped positions in fixed point): the histogram slots of the pairs
 * in range packed by one compress into slot (returns their number), for the scalar
 * increments; the pairs out of range (about half of them with the default rmax = L/2: the
 * box's corners) are dropped. A lane whose estimate of d / dr lies within the margin of an
 * integer (estimate_margin: ~7e-4 bins, ~1.4e-3 of the pairs) is left out of slot and its
 * slot index goes to near[] (*nnear), for the exact double binning of the portable rule; a
 * lane that may lie within the cut-off (d^2 < cut2 (1 + 1e-4) in floats, a superset of the
 * pairs within it) goes to close[] (*nclose) for the exact test. Every other lane's
 * estimate is more than its error from an integer, so its floor is the rule's bin and the
 * counts are those of pair_slots (tests/unit/test_structure.c compares both paths with
 * brute force). (Compress into registers, then a plain store: a compress to memory is
 * microcoded on AMD Zen 4, as are masked stores.) */
RDF_AVX512 __attribute__((noinline)) static int
select_in_range_avx512(const gmd_rdf_acc *acc, int s, int j0, int n, double cut2, double margin,
                       int *restrict slot, int *restrict near, int *nnear, int *restrict close,
                       int *nclose)
{
    const gmd_frame_grid *g = &acc->grid;
    const double to_bins = 0x1p-32 / acc->dr;
    const float fx = (float)(g->len[0] * to_bins), fy = (float)(g->len[1] * to_bins),
                fz = (float)(g->len[2] * to_bins);
    if (fx == fy && fx == fz)
        return select_lanes(acc, s, j0, n, cut2, margin, slot, near, nnear, close, nclose, 1);
    return select_lanes(acc, s, j0, n, cut2, margin, slot, near, nnear, close, nclose, 0);
}
#else
/* Never called: bin_avx512 stays 0 where this is compiled. */
static int select_in_range_avx512(const gmd_rdf_acc *acc, int s, int j0, int n, double cut2,
                                  double margin, int *restrict slot, int *restrict near, int *nnear,
                                  int *restrict close, int *nclose)
{
    (void)acc, (void)s, (void)j0, (void)n, (void)cut2, (void)margin, (void)slot, (void)near,
        (void)close;
    *nnear = *nclose = 0;
    return 0;
}
#endif

/* ================================================================ rdf accumulator */

static double half_smallest_edge(const gmd_box *box)
{
    return 0.5 * fmin(box->len[0], fmin(box->len[1], box->len[2]));
}

gmd_status gmd_rdf_acc_init(gmd_rdf_acc *acc, int nspecies, const long *count, size_t natoms,
                            double rmax, double dr, const gmd_frame *first, int threads,
                            gmd_error *err)
{
    memset(acc, 0, sizeof *acc);
    if (nspecies < 1 || nspecies > GMD_MAX_SPECIES)
        return gmd_fail(err, GMD_ERR_VALUE, "rdf: %d species; need 1..%d", nspecies,
                        GMD_MAX_SPECIES);
    if (!(dr > 0.0))
        return gmd_fail(err, GMD_ERR_VALUE, "rdf: bin width %g A must be positive", dr);
    acc->rmax_auto = !(rmax > 0.0);
    if (acc->rmax_auto) rmax = half_smallest_edge(&first->box);
    acc->ns = nspecies;
    for (int s = 0; s < nspecies; s++)
        acc->count[s] = count[s];
    acc->natoms = natoms;
    const double bins = floor(rmax / dr + 1e-9);
    if (!(bins <= GMD_RDF_MAX_BINS)) /* the binning's estimate holds up to there (header) */
        return gmd_fail(err, GMD_ERR_VALUE,
                        "rdf: rmax %g A in bins of %g A makes %.0f bins, more than %d; give a "
                        "wider bin (--rdf-dr)",
                        rmax, dr, bins, GMD_RDF_MAX_BINS);
    acc->nbins = (int)bins;
    if (acc->nbins < 1)
        return gmd_fail(err, GMD_ERR_VALUE, "rdf: rmax %g A is below one bin of %g A", rmax, dr);
    acc->dr = dr;
    acc->rmax = acc->nbins * dr;
    acc->bin_avx512 = cpu_has_avx512();
    acc->rsearch = acc->rmax;
    acc->threads = threads > 0 ? threads : 1;
    size_t len = (size_t)nspecies * nspecies * acc->nbins;
    acc->hist = gmd_calloc(len, sizeof(uint64_t), "rdf histogram", err);
    acc->gsum = gmd_calloc(len, sizeof(double), "rdf g(r) sum", err);
    if (!acc->hist || !acc->gsum) {
        gmd_rdf_acc_free(acc);
        return GMD_ERR_NOMEM;
    }
    return GMD_OK;
}

void gmd_rdf_acc_set_cut(gmd_rdf_acc *acc, int a, int b, double cut)
{
    acc->cut[a][b] = cut;
    if (cut > acc->rsearch) acc->rsearch = cut;
}

/* Per-thread counts of one frame: local[(a * ns + b) * row + bin], row = nbins +
 * GMD_RDF_SPARE, for the unordered pairs met with the first atom of species a (the spare
 * slots collect the pairs out of range), lcut the ordered cut-off counts; d2, slot, near
 * and close the kernels' buffers of one chunk. */
typedef struct pair_counts {
    uint64_t *local;
    double cut2[GMD_MAX_SPECIES];      /* bin_pairs' prefilter of the cut-offs of species a */
    double margin;                     /* estimate_margin, for select_in_range_avx512 */
    int cell, nranges, lo[27], hi[27]; /* count_slot's last cell, its higher cells' slots */
    uint64_t lcut[GMD_MAX_SPECIES][GMD_MAX_SPECIES];
    double d2[RDF_CHUNK];
    /* 16 more: select_in_range_avx512 stores 16 at a time; near and close its slot indices
     * for the exact passes */
    int slot[RDF_CHUNK + 16], near[RDF_CHUNK + 16], close[RDF_CHUNK + 16];
} pair_counts;

/* The cut-off counts of a pair of slots of species a and b at squared distance d2. */
static void count_cut(const gmd_rdf_acc *acc, int a, int b, double d2, pair_counts *pc)
{
    const double d = sqrt(d2);
    if (d < acc->cut[a][b]) pc->lcut[a][b]++; /* both orders, each with its cut-off */
    if (d < acc->cut[b][a]) pc->lcut[b][a]++;
}

/* The cut-off counts of slot s (species a) with the chunk's slots j0 ... (d^2 in pc->d2) */
static void count_cuts(const gmd_rdf_acc *acc, int a, int j0, int n, double cut2, pair_counts *pc)
{
    const int *type = acc->grid.type + j0;
    for (int m = 0; m < n; m++)
        if (pc->d2[m] < cut2) count_cut(acc, a, type[m], pc->d2[m], pc);
}

/* The squared minimum-image distance of slots s and j by pair_slots' operations. */
static double slot_d2(const gmd_frame_grid *g, int s, int j)
{
    const double dx = min_image(g->x[0][j] - g->x[0][s], g->len[0]),
                 dy = min_image(g->x[1][j] - g->x[1][s], g->len[1]),
                 dz = min_image(g->x[2][j] - g->x[2][s], g->len[2]);
    return dx * dx + dy * dy + dz * dz;
}

/* The lanes select_in_range_avx512 left to the exact passes: those near a bin edge binned
 * by the rule (bin_of) in double, those that may lie within a cut-off tested exactly. */
static void exact_lanes(const gmd_rdf_acc *acc, int s, double cut2, uint64_t *restrict hist,
                        int nnear, int nclose, pair_counts *pc)
{
    const gmd_frame_grid *g = &acc->grid;
    const float inv_dr = (float)(1.0 / acc->dr), top = (float)acc->nbins + 1.5f;
    for (int k = 0; k < nnear; k++) {
        const int j = pc->near[k], b = bin_of(slot_d2(g, s, j), inv_dr, top, acc->dr);
        if (b < acc->nbins) hist[acc->row_of[j] + b]++;
    }
    for (int k = 0; k < nclose; k++) {
        const int j = pc->close[k];
        const double d2 = slot_d2(g, s, j);
        if (d2 < cut2) count_cut(acc, g->type[s], g->type[j], d2, pc);
    }
}

/* Bins the pairs of slot s with the slots j0 .. j1 - 1, a chunk at a time: distances and
 * histogram slots (vectorised), then one increment per pair. */
static void bin_pairs(const gmd_rdf_acc *acc, int s, int j0, int j1, pair_counts *pc)
{
    const gmd_frame_grid *g = &acc->grid;
    const int ns = acc->ns, row = acc->nbins + GMD_RDF_SPARE, a = g->type[s];
    const double ri[3] = {g->x[0][s], g->x[1][s], g->x[2][s]}, cut2 = pc->cut2[a];
    uint64_t *restrict hist = pc->local + (size_t)a * ns * row;
    for (int c0 = j0; c0 < j1; c0 += RDF_CHUNK) {
        const int n = j1 - c0 < RDF_CHUNK ? j1 - c0 : RDF_CHUNK;
        if (acc->bin_avx512) {
            int nnear, nclose;
            const int m = select_in_range_avx512(acc, s, c0, n, cut2, pc->margin, pc->slot,
                                                 pc->near, &nnear, pc->close, &nclose);
            for (int k = 0; k < m; k++)
                hist[pc->slot[k]]++;
            exact_lanes(acc, s, cut2, hist, nnear, nclose, pc);
        } else {
            const int close = pair_slots(acc, ri, c0, c0 + n, cut2, pc->d2, pc->slot);
            for (int k = 0; k < n; k++)
                hist[pc->slot[k]]++;
            if (close) count_cuts(acc, a, c0, n, cut2, pc);
        }
    }
}

/* Every unordered pair once: slot s meets the later slots of its own cell and every slot of
 * the neighbour cells with a higher index (the relation "neighbour cell" is symmetric). */
static void count_slot(const gmd_rdf_acc *acc, int s, pair_counts *pc)
{
    const gmd_cell_grid *g = &acc->grid.cells;
    const int c = g->cell[g->atom[s]];
    if (c != pc->cell) { /* slots run cell by cell: the same higher cells as the last one's */
        pc->cell = c;
        pc->nranges = gmd_frame_grid_later_ranges(&acc->grid, c, pc->lo, pc->hi);
    }
    bin_pairs(acc, s, s + 1, g->start[c + 1], pc);
    for (int q = 0; q < pc->nranges; q++)
        bin_pairs(acc, s, pc->lo[q], pc->hi[q], pc);
}

/* A thread's pair_counts for one frame: its histogram and the frame's constants. */
static void frame_constants(const gmd_rdf_acc *acc, uint64_t *local, pair_counts *pc)
{
    pc->local = local;
    pc->cell = -1;
    for (int a = 0; a < acc->ns; a++) {
        double cutmax = 0.0;
        for (int b = 0; b < acc->ns; b++)
            cutmax = fmax(cutmax, fmax(acc->cut[a][b], acc->cut[b][a]));
        pc->cut2[a] = cutmax * cutmax * (1.0 + 1e-9); /* a prefilter; exact test after */
    }
#ifdef HAVE_BIN_AVX512
    pc->margin = estimate_margin(acc);
#endif
}

/* Histograms one frame into fhist (ordered pairs) and ncut; integer counts. */
static gmd_status rdf_count_frame(gmd_rdf_acc *acc, const gmd_frame *frame, uint64_t *fhist,
                                  gmd_error *err)
{
    const int ns = acc->ns, nb = acc->nbins, row = nb + GMD_RDF_SPARE;
    const size_t hlen = (size_t)ns * ns * row;
    const int n = (int)frame->n;
    if (acc->row_cap < frame->n || !acc->row_of) {
        free(acc->row_of);
        acc->row_cap = 0;
        const size_t cap = frame->n ? frame->n : 1;
        acc->row_of = gmd_calloc(cap, sizeof(int), "rdf rows", err);
        int ok = acc->row_of != NULL;
        for (int k = 0; k < 3; k++) {
            free(acc->xq[k]);
            acc->xq[k] = gmd_calloc(cap, sizeof(int32_t), "rdf positions", err);
            ok = ok && acc->xq[k];
        }
        if (!ok) return GMD_ERR_NOMEM;
        acc->row_cap = frame->n;
    }
    for (int s = 0; s < n; s++)
        acc->row_of[s] = acc->grid.type[s] * row;
    if (acc->bin_avx512) fixed_point_positions(acc, n); /* what the AVX-512 pass reads */
    int failed = 0;
#pragma omp parallel num_threads(acc->threads)
    {
        /* page-aligned: calloc's blocks at some heap offsets (which other analyses' memory
         * decides) made the AVX-512 pass ~15 % slower on Zen 4 (its compressed stores into
         * pc->slot against its loads, measured: the whole analysis 1.12 s or 1.18 s with
         * the same code); at a page's start it runs at the fast speed */
        const size_t pc_size = (sizeof(pair_counts) + 4095) / 4096 * 4096;
        pair_counts *pc = aligned_alloc(4096, pc_size);
        if (pc) memset(pc, 0, pc_size);
        uint64_t *local = calloc(hlen, sizeof(uint64_t));
        int ok = pc && local;
        if (!ok) {
#pragma omp atomic write
            failed = 1;
        } else
            frame_constants(acc, local, pc);
#pragma omp for schedule(dynamic, 16)
        for (int s = 0; s < n; s++)
            if (ok) count_slot(acc, s, pc);
#pragma omp critical(gmd_rdf_reduce)
        if (ok) { /* an unordered a-b pair is the ordered pairs (a, b) and (b, a) */
            for (int a = 0; a < ns; a++)
                for (int b = 0; b < ns; b++)
                    for (int m = 0; m < nb; m++)
                        fhist[((size_t)a * ns + b) * nb + m] +=
                            local[((size_t)a * ns + b) * row + m] +
                            local[((size_t)b * ns + a) * row + m];
            for (int a = 0; a < ns; a++)
                for (int b = 0; b < ns; b++)
                    acc->ncut[a][b] += pc->lcut[a][b];
        }
        free(local);
        free(pc);
    }
    if (failed) return gmd_fail(err, GMD_ERR_NOMEM, "rdf: out of memory for per-thread histograms");
    return GMD_OK;
}

/* The default range follows the smallest box: the bins past half the frame's smallest
 * edge are dropped from every histogram (they would be incomplete in this frame), so that
 * in the end rmax <= half the smallest edge over all frames and every bin holds every
 * frame. */
static gmd_status shrink_to_box(gmd_rdf_acc *acc, const gmd_frame *frame, gmd_error *err)
{
    const double half = half_smallest_edge(&frame->box);
    if (acc->rmax <= half * (1.0 + 1e-12)) return GMD_OK;
    const int nb = acc->nbins, keep = (int)floor(half / acc->dr + 1e-9);
    if (keep < 1)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "frame at step %ld: half the smallest box edge, %g A, is below one rdf "
                        "bin of %g A; lower --rdf-dr",
                        frame->step, half, acc->dr);
    for (size_t row = 0; row < (size_t)acc->ns * (size_t)acc->ns; row++) {
        memmove(acc->hist + row * (size_t)keep, acc->hist + row * (size_t)nb,
                (size_t)keep * sizeof *acc->hist);
        memmove(acc->gsum + row * (size_t)keep, acc->gsum + row * (size_t)nb,
                (size_t)keep * sizeof *acc->gsum);
    }
    acc->nbins = keep;
    acc->rmax = keep * acc->dr;
    acc->rsearch = acc->rmax;
    for (int a = 0; a < acc->ns; a++)
        for (int b = 0; b < acc->ns; b++)
            acc->rsearch = fmax(acc->rsearch, acc->cut[a][b]);
    acc->shrunk_frames++;
    return GMD_OK;
}

/* A range given by the user, or a coordination cut-off, that this frame's box cannot hold:
 * the minimum image would miss pairs. */
static gmd_status check_range(const gmd_rdf_acc *acc, const gmd_frame *frame, gmd_error *err)
{
    const double half = half_smallest_edge(&frame->box);
    if (acc->rsearch <= half * (1.0 + 1e-12)) return GMD_OK;
    if (acc->rsearch > acc->rmax)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "frame at step %ld: a coordination cut-off of %g A exceeds half the "
                        "smallest box edge, %g A, of this frame; lower the cut-off or use a "
                        "bigger box",
                        frame->step, acc->rsearch, half);
    return gmd_fail(err, GMD_ERR_VALUE,
                    "frame at step %ld: the rdf range rmax %g A (given) exceeds half the "
                    "smallest box edge, %g A, of this frame (the box changes between frames); "
                    "give --rdf-rmax at most half the smallest edge over all frames, or leave "
                    "it out: rmax then follows the smallest box",
                    frame->step, acc->rmax, half);
}

gmd_status gmd_rdf_acc_add(gmd_rdf_acc *acc, const gmd_frame *frame, gmd_error *err)
{
    gmd_status st = acc->rmax_auto ? shrink_to_box(acc, frame, err) : GMD_OK;
    if (st == GMD_OK) st = check_range(acc, frame, err);
    if (st == GMD_OK) st = gmd_frame_grid_build(&acc->grid, frame, acc->rsearch, err);
    if (st != GMD_OK) return st;
    const int ns = acc->ns, nb = acc->nbins;
    uint64_t *fhist = gmd_calloc((size_t)ns * ns * nb, sizeof(uint64_t), "rdf frame", err);
    if (!fhist) return GMD_ERR_NOMEM;
    st = rdf_count_frame(acc, frame, fhist, err);
    if (st == GMD_OK) {
        double volume = gmd_box_volume(&frame->box);
        for (int a = 0; a < ns; a++)
            for (int b = 0; b < ns; b++) {
                double pairs = (double)acc->count[a] * (double)(acc->count[b] - (a == b));
                double density = pairs / volume;
                for (int m = 0; m < nb; m++) {
                    size_t idx = ((size_t)a * ns + b) * nb + m;
                    double shell = 4.0 / 3.0 * GMD_PI * acc->dr * acc->dr * acc->dr *
                                   ((double)(m + 1) * (m + 1) * (m + 1) - (double)m * m * m);
                    acc->hist[idx] += fhist[idx];
                    if (density > 0.0) acc->gsum[idx] += (double)fhist[idx] / (density * shell);
                }
            }
        acc->volume_min = acc->nframes ? fmin(acc->volume_min, volume) : volume;
        acc->volume_max = acc->nframes ? fmax(acc->volume_max, volume) : volume;
        acc->nframes++;
        acc->volume_sum += volume;
    }
    free(fhist);
    return st;
}

void gmd_rdf_acc_g(const gmd_rdf_acc *acc, int a, int b, double *g)
{
    const size_t base = ((size_t)a * acc->ns + b) * acc->nbins;
    for (int m = 0; m < acc->nbins; m++)
        g[m] = acc->nframes ? acc->gsum[base + m] / (double)acc->nframes : 0.0;
}

void gmd_rdf_acc_running(const gmd_rdf_acc *acc, int a, int b, double *n)
{
    const size_t base = ((size_t)a * acc->ns + b) * acc->nbins;
    double norm = (double)acc->count[a] * (double)acc->nframes;
    uint64_t sum = 0;
    for (int m = 0; m < acc->nbins; m++) {
        sum += acc->hist[base + m];
        n[m] = norm > 0.0 ? (double)sum / norm : 0.0;
    }
}

double gmd_rdf_acc_coordination(const gmd_rdf_acc *acc, int a, int b)
{
    double norm = (double)acc->count[a] * (double)acc->nframes;
    return norm > 0.0 ? (double)acc->ncut[a][b] / norm : 0.0;
}

void gmd_rdf_acc_free(gmd_rdf_acc *acc)
{
    free(acc->hist);
    free(acc->gsum);
    free(acc->row_of);
    acc->row_of = NULL;
    for (int k = 0; k < 3; k++) {
        free(acc->xq[k]);
        acc->xq[k] = NULL;
    }
    acc->row_cap = 0;
    gmd_frame_grid_free(&acc->grid);
    acc->hist = NULL;
    acc->gsum = NULL;
}

/* ================================================================ peaks */

double gmd_parabola_vertex(double xm, double ym, double x0, double y0, double xp, double yp)
{
    /* Vertex of the parabola through three points with arbitrary spacing. */
    double d1 = (ym - y0) / (xm - x0), d2 = (yp - y0) / (xp - x0);
    double curv = (d2 - d1) / (xp - xm);
    if (!(curv < 0.0)) return x0;
    double slope0 = d1 - curv * (xm - x0); /* slope of the parabola at x0 ... */
    /* p(x) = y0 + s (x - x0) + curv (x - x0)^2 with s = d1 - curv (xm - x0) */
    double v = x0 - slope0 / (2.0 * curv);
    return (v < xm || v > xp) ? x0 : v;
}

double gmd_first_peak(const double *x, const double *y, int n, int window, double threshold)
{
    int best = -1;
    for (int i = 1; i + 1 < n && best < 0; i++) {
        if (!(y[i] > threshold) || !(y[i] > y[i - 1])) continue;
        int is_max = 1;
        for (int j = i - window; j <= i + window && is_max; j++)
            if (j >= 0 && j < n && y[j] > y[i]) is_max = 0;
        if (is_max) best = i;
    }
    if (best < 0) {
        best = 0;
        for (int i = 1; i < n; i++)
            if (y[i] > y[best]) best = i;
    }
    if (best == 0 || best == n - 1) return x[best];
    return gmd_parabola_vertex(x[best - 1], y[best - 1], x[best], y[best], x[best + 1],
                               y[best + 1]);
}

/* ================================================================ the analysis unit */

typedef struct rdf_state {
    gmd_analysis_settings settings;
    const gmd_species_table *species;
    gmd_rdf_acc own;  /* used when the driver shares no histogram */
    gmd_rdf_acc *acc; /* &own or the driver's gmd_analysis_system.pairs */
} rdf_state;

/* Sets the coordination cut-offs of SPEC section 5 (both orders of each pair). */
static void rdf_set_cuts(gmd_rdf_acc *acc, const gmd_analysis_settings *s,
                         const gmd_species_table *sp)
{
    int former = gmd_species_find(sp, s->former), bridge = gmd_species_find(sp, s->bridge);
    int modifier = gmd_species_find(sp, s->modifier);
    if (former >= 0 && bridge >= 0 && s->cut_former_bridge_A > 0.0) {
        gmd_rdf_acc_set_cut(acc, former, bridge, s->cut_former_bridge_A);
        gmd_rdf_acc_set_cut(acc, bridge, former, s->cut_former_bridge_A);
    }
    if (modifier >= 0 && bridge >= 0 && s->cut_modifier_bridge_A > 0.0) {
        gmd_rdf_acc_set_cut(acc, modifier, bridge, s->cut_modifier_bridge_A);
        gmd_rdf_acc_set_cut(acc, bridge, modifier, s->cut_modifier_bridge_A);
    }
}

static gmd_status rdf_add_frame(gmd_analysis *self, const gmd_frame *frame, gmd_error *err)
{
    rdf_state *st = self->state;
    return gmd_rdf_acc_add_own(st->acc, &st->own, frame, err);
}

/* Neutron (which = 0) or X-ray k = 0 (which = 1) weights; 0 if some species is unknown. */
static int total_weights(const gmd_species_table *sp, int which, double *w)
{
    for (int s = 0; s < sp->n; s++) {
        const gmd_element *el = gmd_element_lookup(sp->name[s]);
        if (!el) return 0;
        w[s] = which == 0 ? el->b_coh_fm : (double)el->z;
    }
    return 1;
}

/* Faber-Ziman weighted total of the partial curves part[a * ns + b][m]. */
static void weighted_total(const gmd_rdf_acc *acc, const double *w, double *const *part, int nm,
                           double *out)
{
    double norm = 0.0;
    for (int a = 0; a < acc->ns; a++)
        norm += (double)acc->count[a] / (double)acc->natoms * w[a];
    norm *= norm;
    for (int m = 0; m < nm; m++) {
        double sum = 0.0;
        for (int a = 0; a < acc->ns; a++)
            for (int b = 0; b < acc->ns; b++) {
                double ca = (double)acc->count[a] / (double)acc->natoms;
                double cb = (double)acc->count[b] / (double)acc->natoms;
                sum += ca * cb * w[a] * w[b] * part[a * acc->ns + b][m];
            }
        out[m] = norm != 0.0 ? sum / norm : 0.0;
    }
}

typedef struct column_set {
    int n;
    char names[GMD_MAX_SPECIES * GMD_MAX_SPECIES + 4][2 * GMD_NAME_LEN + 8];
    const char *name_ptr[GMD_MAX_SPECIES * GMD_MAX_SPECIES + 4];
    double *col[GMD_MAX_SPECIES * GMD_MAX_SPECIES + 4];
} column_set;

static double *column_add(column_set *c, const char *name, int nrows, gmd_error *err)
{
    int i = c->n++;
    snprintf(c->names[i], sizeof c->names[i], "%s", name);
    c->name_ptr[i] = c->names[i];
    c->col[i] = gmd_calloc((size_t)(nrows ? nrows : 1), sizeof(double), "output column", err);
    return c->col[i];
}

static void column_free(column_set *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->col[i]);
    c->n = 0;
}

static gmd_status rdf_write_g(rdf_state *st, cJSON *results, gmd_error *err)
{
    const gmd_rdf_acc *acc = st->acc;
    const gmd_species_table *sp = st->species;
    const int ns = acc->ns, nb = acc->nbins;
    column_set cs = {0};
    double *part[GMD_MAX_SPECIES * GMD_MAX_SPECIES] = {0};
    char name[2 * GMD_NAME_LEN + 8];
    gmd_status status = GMD_ERR_NOMEM;
    double *r = column_add(&cs, "r_A", nb, err);
    if (!r) goto done;
    for (int m = 0; m < nb; m++)
        r[m] = (m + 0.5) * acc->dr;
    cJSON *peaks = cJSON_AddObjectToObject(results, "rdf_first_peak_A");
    int window = (int)lround(0.15 / acc->dr);
    for (int a = 0; a < ns; a++)
        for (int b = a; b < ns; b++) {
            snprintf(name, sizeof name, "g_%s%s", sp->name[a], sp->name[b]);
            double *g = column_add(&cs, name, nb, err);
            if (!g) goto done;
            gmd_rdf_acc_g(acc, a, b, g);
            part[a * ns + b] = part[b * ns + a] = g;
            snprintf(name, sizeof name, "%s-%s", sp->name[a], sp->name[b]);
            if (acc->count[a] > (a == b) && acc->count[b] > 0)
                cJSON_AddNumberToObject(peaks, name,
                                        gmd_first_peak(r, g, nb, window < 1 ? 1 : window, 1.0));
        }
    double w[GMD_MAX_SPECIES];
    const char *tot_names[2] = {"g_N", "g_X"};
    for (int which = 0; which < 2; which++)
        if (total_weights(sp, which, w)) {
            double *t = column_add(&cs, tot_names[which], nb, err);
            if (!t) goto done;
            weighted_total(acc, w, part, nb, t);
        }
    status = gmd_csv_write(st->settings.out_dir, "rdf", "partial and total pair distributions",
                           cs.n, cs.name_ptr, (const double *const *)cs.col, (size_t)nb, err);
    if (status == GMD_OK) {
        gmd_plot plot = {
            .title = "Pair distribution functions", .xlabel = "r (A)", .ylabel = "g(r)", .xcol = 1};
        for (int c = 1; c < cs.n && c <= 16; c++) {
            plot.ycols[plot.nseries] = c + 1;
            plot.labels[plot.nseries++] = cs.names[c];
        }
        status = gmd_analysis_plot(&st->settings, "rdf", &plot, err);
    }
done:
    column_free(&cs);
    return status;
}

static gmd_status rdf_write_running(rdf_state *st, cJSON *results, gmd_error *err)
{
    const gmd_rdf_acc *acc = st->acc;
    const gmd_species_table *sp = st->species;
    const int ns = acc->ns, nb = acc->nbins;
    column_set cs = {0};
    char name[2 * GMD_NAME_LEN + 8];
    gmd_status status = GMD_ERR_NOMEM;
    double *r = column_add(&cs, "r_A", nb, err);
    if (!r) goto done;
    for (int m = 0; m < nb; m++)
        r[m] = (m + 1) * acc->dr;
    for (int a = 0; a < ns; a++)
        for (int b = 0; b < ns; b++) {
            snprintf(name, sizeof name, "n_%s%s", sp->name[a], sp->name[b]);
            double *n = column_add(&cs, name, nb, err);
            if (!n) goto done;
            gmd_rdf_acc_running(acc, a, b, n);
        }
    cJSON *coord = cJSON_AddObjectToObject(results, "coordination");
    for (int a = 0; a < ns; a++)
        for (int b = 0; b < ns; b++)
            if (acc->cut[a][b] > 0.0) {
                snprintf(name, sizeof name, "%s-%s", sp->name[a], sp->name[b]);
                cJSON *o = cJSON_AddObjectToObject(coord, name);
                cJSON_AddNumberToObject(o, "cutoff", acc->cut[a][b]);
                cJSON_AddNumberToObject(o, "mean", gmd_rdf_acc_coordination(acc, a, b));
            }
    status = gmd_csv_write(st->settings.out_dir, "coordination",
                           "running coordination n_ab(r): mean number of b within r of an a", cs.n,
                           cs.name_ptr, (const double *const *)cs.col, (size_t)nb, err);
    if (status == GMD_OK) {
        gmd_plot plot = {.title = "Running coordination numbers",
                         .xlabel = "r (A)",
                         .ylabel = "n_{ab}(r)",
                         .xcol = 1};
        for (int c = 1; c < cs.n && plot.nseries < 16; c++) {
            plot.ycols[plot.nseries] = c + 1;
            plot.labels[plot.nseries++] = cs.names[c];
        }
        status = gmd_analysis_plot(&st->settings, "coordination", &plot, err);
    }
done:
    column_free(&cs);
    return status;
}

static gmd_status rdf_finish(gmd_analysis *self, cJSON *results, gmd_error *err)
{
    rdf_state *st = self->state;
    if (st->acc->nframes == 0) return gmd_fail(err, GMD_ERR_VALUE, "rdf: no frames were read");
    cJSON *info = cJSON_AddObjectToObject(results, "rdf");
    cJSON_AddNumberToObject(info, "frames", (double)st->acc->nframes);
    cJSON_AddNumberToObject(info, "dr_A", st->acc->dr);
    cJSON_AddNumberToObject(info, "rmax_A", st->acc->rmax);
    cJSON_AddStringToObject(info, "rmax_rule",
                            st->acc->rmax_auto
                                ? "half the smallest box edge over all frames (floored to bins)"
                                : "given; every frame's box checked to hold it");
    cJSON_AddNumberToObject(info, "rmax_lowered_frames", (double)st->acc->shrunk_frames);
    cJSON_AddNumberToObject(info, "volume_min_A3", st->acc->volume_min);
    cJSON_AddNumberToObject(info, "volume_max_A3", st->acc->volume_max);
    cJSON_AddStringToObject(info, "normalisation",
                            "ideal-gas pair density N_a (N_b - delta_ab) / V per frame, V the "
                            "frame's own volume; the frames' g averaged");
    cJSON_AddStringToObject(info, "box",
                            "each frame's own box: distances by minimum image in it; "
                            "coordination numbers counted per atom and frame");
    cJSON_AddStringToObject(info, "g_N_weights",
                            "coherent neutron lengths, NIST (Sears 1992), Faber-Ziman");
    cJSON_AddStringToObject(info, "g_X_weights", "atomic numbers Z (f at k = 0), Faber-Ziman");
    gmd_status status = rdf_write_g(st, results, err);
    if (status == GMD_OK) status = rdf_write_running(st, results, err);
    return status;
}

static void rdf_destroy(gmd_analysis *self)
{
    if (!self) return;
    rdf_state *st = self->state;
    if (st) gmd_rdf_acc_free(&st->own);
    free(st);
    self->state = NULL;
}

/* An accumulator with the bins of the rdf settings. */
static gmd_status init_for_settings(gmd_rdf_acc *acc, const gmd_analysis_settings *settings,
                                    const gmd_analysis_system *sys, const gmd_frame *first,
                                    gmd_error *err)
{
    return gmd_rdf_acc_init(acc, sys->species->n, sys->count, sys->natoms, settings->rdf_rmax_A,
                            settings->rdf_dr_A, first, settings->threads, err);
}

gmd_status gmd_rdf_acc_attach(gmd_rdf_acc *own, gmd_rdf_acc **acc,
                              const gmd_analysis_settings *settings, const gmd_analysis_system *sys,
                              const gmd_frame *first, gmd_error *err)
{
    *acc = sys->pairs ? sys->pairs : own;
    return sys->pairs ? GMD_OK : init_for_settings(own, settings, sys, first, err);
}

gmd_status gmd_rdf_acc_add_own(gmd_rdf_acc *acc, const gmd_rdf_acc *own, const gmd_frame *frame,
                               gmd_error *err)
{
    return acc == own ? gmd_rdf_acc_add(acc, frame, err) : GMD_OK;
}

gmd_status gmd_pair_histogram_create(gmd_pair_histogram **out,
                                     const gmd_analysis_settings *settings,
                                     const gmd_analysis_system *sys, const gmd_frame *first,
                                     gmd_error *err)
{
    *out = gmd_calloc(1, sizeof **out, "pair histogram", err);
    if (!*out) return GMD_ERR_NOMEM;
    gmd_status st = init_for_settings(*out, settings, sys, first, err);
    if (st != GMD_OK) {
        free(*out);
        *out = NULL;
    }
    return st;
}

gmd_status gmd_pair_histogram_add(gmd_pair_histogram *h, const gmd_frame *frame, gmd_error *err)
{
    return gmd_rdf_acc_add(h, frame, err);
}

void gmd_pair_histogram_free(gmd_pair_histogram *h)
{
    if (!h) return;
    gmd_rdf_acc_free(h);
    free(h);
}

gmd_status gmd_rdf_create(gmd_analysis **out, const gmd_analysis_settings *settings,
                          const gmd_analysis_system *sys, const gmd_frame *first, gmd_error *err)
{
    *out = NULL;
    gmd_analysis *a = gmd_calloc(1, sizeof *a, "rdf analysis", err);
    rdf_state *st = a ? gmd_calloc(1, sizeof *st, "rdf state", err) : NULL;
    if (!st) {
        free(a);
        return GMD_ERR_NOMEM;
    }
    st->settings = *settings;
    st->species = sys->species;
    gmd_status status = gmd_rdf_acc_attach(&st->own, &st->acc, settings, sys, first, err);
    if (status != GMD_OK) {
        free(st);
        free(a);
        return status;
    }
    rdf_set_cuts(st->acc, settings, sys->species);
    a->name = "rdf";
    a->state = st;
    a->add_frame = rdf_add_frame;
    a->finish = rdf_finish;
    a->destroy = rdf_destroy;
    *out = a;
    return GMD_OK;
}
