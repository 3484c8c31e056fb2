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
 * gmd_frame_grid_neighbors lists the full neighbourhood of one atom (network.c, angles.c).
 *
 * Pair histogram (the cost of rdf and sq): every unordered pair is met once, from the
 * atom in the lower cell (half stencil: slot s visits the later slots of its own cell and
 * every neighbour cell with a higher index; the neighbour relation is symmetric). For
 * each partner range the squared distances are computed in a vectorised loop, then the
 * bins (square roots two at a time with SSE2), then the counts; a pair i in a, j in b adds
 * one to the per-thread count (a, b) and is turned into the ordered counts (a, b) and
 * (b, a) at the reduction. With the default rmax = L/2 (2 cells per direction) this is
 * the N (N - 1) / 2 pairs of the box, half of the ordered search it replaces.
 *
 * g_ab(r)
 * -------
 * For every ordered species pair (a, b), hist counts the pairs (i in a, j in b, j != i)
 * with d in [m dr, (m+1) dr), m < nbins (so d < rmax = nbins dr). Each frame's histogram is
 * normalised by the ideal-gas pair count of that frame's volume V,
 *     g_ab(r_m) = H_ab(m) / (N_a (N_b - delta_ab) / V * 4/3 pi ((m+1)^3 - m^3) dr^3),
 * and the frames' g are averaged. N_b - delta_ab is the ideal-gas pair density of a finite
 * system (an atom is not its own neighbour), the normalisation of LAMMPS `compute rdf`; it
 * makes g -> 1 exactly for an uncorrelated gas. (MDAnalysis InterRDF uses N_a N_b: its
 * like-pair g is smaller by (N_a - 1)/N_a.) Counts are integers summed over threads, so
 * the histograms do not depend on the thread count at all.
 * Running coordination n_ab(r) = 4 pi rho_b int_0^r g_ab r'^2 dr' is the mean number of b
 * within r of an a, computed from the counts: sum_{m' <= m} H_ab(m') / (N_a frames).
 * Coordination at a cut-off (SPEC: Si-S 2.7, Na-S 3.5) is counted exactly (d < cut), not
 * from the bins.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
    size_t cap = capacity ? capacity : 1;
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

void gmd_frame_grid_neighbors(const gmd_frame_grid *g, size_t i, double rc, gmd_neigh_buf *b)
{
    const int s = g->cells.slot[i];
    int cells[27];
    const int ncells = gmd_cell_grid_adjacent(&g->cells, g->cells.cell[i], cells);
    const double rc2 = rc * rc;
    b->count = 0;
    for (int q = 0; q < ncells; q++)
        for (int j = g->cells.start[cells[q]]; j < g->cells.start[cells[q] + 1]; j++) {
            if (j == s) continue;
            double d[3], d2 = 0.0;
            for (int k = 0; k < 3; k++) {
                d[k] = gmd_min_image(g->x[k][j] - g->x[k][s], g->len[k]);
                d2 += d[k] * d[k];
            }
            if (d2 >= rc2) continue;
            size_t m = b->count++;
            b->j[m] = g->cells.atom[j];
            b->d[m] = sqrt(d2);
            for (int k = 0; k < 3; k++)
                b->dx[k][m] = d[k];
        } /* loop over atoms of the neighbour cells */
}

/* Squared minimum-image distances from (xi, yi, zi) to the slots j0 .. j1 - 1, into d2.
 * Wrapped coordinates differ by less than a box edge, so the image is the nearest integer
 * of dx / len, found by the round-to-nearest of adding and subtracting 1.5 * 2^52 (exact
 * IEEE arithmetic with no branch or library call, so the loop vectorises). */
static void distances2(const gmd_frame_grid *g, const double ri[3], int j0, int j1,
                       double *restrict d2)
{
    const double magic = 6755399441055744.0; /* 1.5 * 2^52 */
    const double *restrict x = g->x[0], *restrict y = g->x[1], *restrict z = g->x[2];
    const double lx = g->len[0], ly = g->len[1], lz = g->len[2];
    const double ilx = 1.0 / lx, ily = 1.0 / ly, ilz = 1.0 / lz;
#pragma omp simd
    for (int j = j0; j < j1; j++) {
        double dx = x[j] - ri[0], dy = y[j] - ri[1], dz = z[j] - ri[2];
        dx -= lx * ((dx * ilx + magic) - magic);
        dy -= ly * ((dy * ily + magic) - magic);
        dz -= lz * ((dz * ilz + magic) - magic);
        d2[j - j0] = dx * dx + dy * dy + dz * dz;
    }
}

/* ================================================================ rdf accumulator */

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
    if (!(rmax > 0.0)) {
        rmax = first->box.len[0];
        for (int k = 1; k < 3; k++)
            rmax = fmin(rmax, first->box.len[k]);
        rmax *= 0.5;
    }
    acc->ns = nspecies;
    for (int s = 0; s < nspecies; s++)
        acc->count[s] = count[s];
    acc->natoms = natoms;
    acc->nbins = (int)floor(rmax / dr + 1e-9);
    if (acc->nbins < 1)
        return gmd_fail(err, GMD_ERR_VALUE, "rdf: rmax %g A is below one bin of %g A", rmax, dr);
    acc->dr = dr;
    acc->rmax = acc->nbins * dr;
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

/* Per-thread counts of one frame: local[((a * ns + b) * (nbins + 1) + bin] for the
 * unordered pairs met with the first atom of species a (bin nbins collects the pairs out of
 * range), lcut the ordered cut-off counts. */
typedef struct pair_counts {
    uint64_t *local;
    uint64_t lcut[GMD_MAX_SPECIES][GMD_MAX_SPECIES];
    double *d2; /* squared distances, one slot per atom */
    int *bin;   /* their bins */
} pair_counts;

/* bin[m] = (int)(sqrt(d2[m]) / dr) for d2 < rs2 and sqrt(d2) < rmax, else nbins. The
 * square roots are the cost of the histogram: on x86-64 they are taken two at a time with
 * SSE2 (compilers do not vectorise sqrt() without -fno-math-errno); the same IEEE
 * operations as the scalar loop, so the bins are the same. */
static void distance_bins(const double *restrict d2, int n, double rs2, double rmax, double dr,
                          int nbins, int *restrict bin)
{
    int m = 0;
#if defined(__SSE2__)
    const __m128d vrs2 = _mm_set1_pd(rs2), vrmax = _mm_set1_pd(rmax), vdr = _mm_set1_pd(dr);
    const __m128i vout = _mm_set1_epi32(nbins);
    for (; m + 2 <= n; m += 2) {
        __m128d x2 = _mm_loadu_pd(d2 + m), x = _mm_sqrt_pd(x2);
        __m128i q = _mm_cvttpd_epi32(_mm_div_pd(x, vdr)); /* two ints in the low half */
        __m128d in = _mm_and_pd(_mm_cmplt_pd(x2, vrs2), _mm_cmplt_pd(x, vrmax));
        __m128i in32 = _mm_shuffle_epi32(_mm_castpd_si128(in), _MM_SHUFFLE(2, 0, 2, 0));
        __m128i b = _mm_or_si128(_mm_and_si128(in32, q), _mm_andnot_si128(in32, vout));
        _mm_storel_epi64((__m128i *)(void *)(bin + m), b);
    }
#endif
    for (; m < n; m++) {
        double x = sqrt(d2[m]);
        bin[m] = (d2[m] < rs2 && x < rmax) ? (int)(x / dr) : nbins;
    }
}

/* Bins the pairs of slot s with the slots j0 .. j1 - 1. */
static void bin_pairs(const gmd_rdf_acc *acc, int s, int j0, int j1, pair_counts *pc)
{
    const gmd_frame_grid *g = &acc->grid;
    const int ns = acc->ns, nb = acc->nbins, a = g->type[s];
    const double ri[3] = {g->x[0][s], g->x[1][s], g->x[2][s]};
    double cutmax = 0.0;
    for (int b = 0; b < ns; b++)
        cutmax = fmax(cutmax, fmax(acc->cut[a][b], acc->cut[b][a]));
    const double cut2 = cutmax * cutmax * (1.0 + 1e-9); /* a prefilter; exact test below */
    distances2(g, ri, j0, j1, pc->d2);
    distance_bins(pc->d2, j1 - j0, acc->rsearch * acc->rsearch, acc->rmax, acc->dr, nb, pc->bin);
    uint64_t *row = pc->local + (size_t)a * ns * (nb + 1);
    const int *restrict type = g->type + j0, *restrict bin = pc->bin;
    for (int m = 0; m < j1 - j0; m++)
        row[(size_t)type[m] * (nb + 1) + bin[m]]++;
    if (!(cutmax > 0.0)) return;
    for (int m = 0; m < j1 - j0; m++) {
        if (!(pc->d2[m] < cut2)) continue;
        double d = sqrt(pc->d2[m]);
        int b = type[m];
        if (d < acc->cut[a][b]) pc->lcut[a][b]++; /* both orders, each with its cut-off */
        if (d < acc->cut[b][a]) pc->lcut[b][a]++;
    }
}

/* Every unordered pair once: slot s meets the later slots of its own cell and every slot of
 * the neighbour cells with a higher index (the relation "neighbour cell" is symmetric). */
static void count_slot(const gmd_rdf_acc *acc, int s, pair_counts *pc)
{
    const gmd_cell_grid *g = &acc->grid.cells;
    const int c = g->cell[g->atom[s]];
    int cells[27];
    const int nc = gmd_cell_grid_adjacent(g, c, cells);
    for (int q = 0; q < nc; q++) {
        if (cells[q] < c) continue;
        int j0 = cells[q] == c ? s + 1 : g->start[cells[q]];
        bin_pairs(acc, s, j0, g->start[cells[q] + 1], pc);
    }
}

/* Histograms one frame into fhist (ordered pairs) and ncut; integer counts. */
static gmd_status rdf_count_frame(gmd_rdf_acc *acc, const gmd_frame *frame, uint64_t *fhist,
                                  gmd_error *err)
{
    const int ns = acc->ns, nb = acc->nbins;
    const size_t hlen = (size_t)ns * ns * (nb + 1);
    const int n = (int)frame->n;
    int failed = 0;
#pragma omp parallel num_threads(acc->threads)
    {
        pair_counts pc = {.local = calloc(hlen, sizeof(uint64_t)),
                          .d2 = malloc((size_t)(n ? n : 1) * sizeof(double)),
                          .bin = malloc((size_t)(n ? n : 1) * sizeof(int))};
        int ok = pc.local && pc.d2 && pc.bin;
        if (!ok) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 16)
        for (int s = 0; s < n; s++)
            if (ok) count_slot(acc, s, &pc);
#pragma omp critical(gmd_rdf_reduce)
        if (ok) { /* an unordered a-b pair is the ordered pairs (a, b) and (b, a) */
            for (int a = 0; a < ns; a++)
                for (int b = 0; b < ns; b++)
                    for (int m = 0; m < nb; m++)
                        fhist[((size_t)a * ns + b) * nb + m] +=
                            pc.local[((size_t)a * ns + b) * (nb + 1) + m] +
                            pc.local[((size_t)b * ns + a) * (nb + 1) + m];
            for (int a = 0; a < ns; a++)
                for (int b = 0; b < ns; b++)
                    acc->ncut[a][b] += pc.lcut[a][b];
        }
        free(pc.local);
        free(pc.d2);
        free(pc.bin);
    }
    if (failed) return gmd_fail(err, GMD_ERR_NOMEM, "rdf: out of memory for per-thread histograms");
    return GMD_OK;
}

gmd_status gmd_rdf_acc_add(gmd_rdf_acc *acc, const gmd_frame *frame, gmd_error *err)
{
    gmd_status st = gmd_frame_grid_build(&acc->grid, frame, acc->rsearch, err);
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
        int skipped = 0;
        status = gmd_plot_write(st->settings.out_dir, "rdf", &plot, &skipped, err);
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
        int skipped = 0;
        status = gmd_plot_write(st->settings.out_dir, "coordination", &plot, &skipped, err);
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
    cJSON_AddStringToObject(info, "normalisation",
                            "ideal-gas pair density N_a (N_b - delta_ab) / V per frame");
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
