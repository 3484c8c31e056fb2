/* rdf.c - partial pair distribution functions g_ab(r), coordination numbers and the
 * neutron- and X-ray-weighted totals (SPEC section 5), plus the cell grid that every
 * structural analysis uses to find neighbours.
 *
 * Cell grid
 * ---------
 * Frames hold unwrapped positions; the grid keeps a copy wrapped into [0, len) and bins it
 * into ncell[k] = floor(len[k] / rcut) cells per direction (side >= rcut), as linked lists
 * (head per cell, next per atom). Partners of an atom within rcut lie in its own cell or
 * the adjacent ones; along a direction with fewer than 3 cells the distinct cells are
 * visited once each (offsets -1 and +1 would name the same cell twice). Displacements
 * take the minimum image, exact because rcut <= len/2 is required: then at most one image
 * of a pair lies within rcut.
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

static gmd_status grid_alloc(gmd_cell_grid *g, size_t n, long ncells, gmd_error *err)
{
    if (g->n != n || !g->x[0]) {
        for (int k = 0; k < 3; k++) {
            free(g->x[k]);
            g->x[k] = gmd_calloc(n ? n : 1, sizeof(double), "cell grid positions", err);
            if (!g->x[k]) return GMD_ERR_NOMEM;
        }
        free(g->next);
        g->next = gmd_calloc(n ? n : 1, sizeof(int), "cell grid links", err);
        if (!g->next) return GMD_ERR_NOMEM;
        g->n = n;
    }
    free(g->head);
    g->head = gmd_calloc((size_t)ncells, sizeof(int), "cell grid heads", err);
    return g->head ? GMD_OK : GMD_ERR_NOMEM;
}

gmd_status gmd_cell_grid_build(gmd_cell_grid *g, const gmd_frame *frame, double rcut,
                               gmd_error *err)
{
    long ncells = 1;
    for (int k = 0; k < 3; k++) {
        double len = frame->box.len[k];
        if (!(len > 0.0) || rcut > 0.5 * len * (1.0 + 1e-12))
            return gmd_fail(err, GMD_ERR_VALUE,
                            "frame at step %ld: search radius %g A exceeds half the box edge "
                            "%g A; lower the radius (e.g. --rdf-rmax) or use a bigger box",
                            frame->step, rcut, len);
        int nc = (int)floor(len / rcut);
        g->ncell[k] = nc < 1 ? 1 : (nc > 256 ? 256 : nc);
        g->len[k] = len;
        ncells *= g->ncell[k];
    }
    gmd_status st = grid_alloc(g, frame->n, ncells, err);
    if (st != GMD_OK) return st;
    g->rcut = rcut;
    for (long c = 0; c < ncells; c++)
        g->head[c] = -1;
    for (size_t i = 0; i < frame->n; i++) {
        int cell[3];
        for (int k = 0; k < 3; k++) {
            g->x[k][i] = wrap_coordinate(frame->r[k][i], frame->box.lo[k], g->len[k]);
            int c = (int)(g->x[k][i] / g->len[k] * g->ncell[k]);
            cell[k] = c >= g->ncell[k] ? g->ncell[k] - 1 : c;
        }
        long c = ((long)cell[0] * g->ncell[1] + cell[1]) * g->ncell[2] + cell[2];
        g->next[i] = g->head[c];
        g->head[c] = (int)i;
    }
    return GMD_OK;
}

void gmd_cell_grid_free(gmd_cell_grid *g)
{
    for (int k = 0; k < 3; k++)
        free(g->x[k]);
    free(g->head);
    free(g->next);
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

/* The distinct cells along one direction around cell c: c-1, c, c+1 (periodic), or all
 * cells when there are fewer than 3. Returns their number. */
static int cell_range(int c, int ncell, int out[3])
{
    if (ncell < 3) {
        for (int m = 0; m < ncell; m++)
            out[m] = m;
        return ncell;
    }
    out[0] = (c + ncell - 1) % ncell;
    out[1] = c;
    out[2] = (c + 1) % ncell;
    return 3;
}

void gmd_cell_grid_neighbors(const gmd_cell_grid *g, size_t i, double rc, gmd_neigh_buf *b)
{
    int own[3], range[3][3], nr[3];
    for (int k = 0; k < 3; k++) {
        int c = (int)(g->x[k][i] / g->len[k] * g->ncell[k]);
        own[k] = c >= g->ncell[k] ? g->ncell[k] - 1 : c;
        nr[k] = cell_range(own[k], g->ncell[k], range[k]);
    }
    double rc2 = rc * rc;
    b->count = 0;
    for (int ax = 0; ax < nr[0]; ax++)
        for (int ay = 0; ay < nr[1]; ay++)
            for (int az = 0; az < nr[2]; az++) {
                long c =
                    ((long)range[0][ax] * g->ncell[1] + range[1][ay]) * g->ncell[2] + range[2][az];
                for (int j = g->head[c]; j >= 0; j = g->next[j]) {
                    if ((size_t)j == i) continue;
                    double d[3], d2 = 0.0;
                    for (int k = 0; k < 3; k++) {
                        d[k] = gmd_min_image(g->x[k][j] - g->x[k][i], g->len[k]);
                        d2 += d[k] * d[k];
                    }
                    if (d2 >= rc2) continue;
                    size_t m = b->count++;
                    b->j[m] = j;
                    b->d[m] = sqrt(d2);
                    for (int k = 0; k < 3; k++)
                        b->dx[k][m] = d[k];
                } /* loop over atoms of cell c */
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

/* Histograms one frame into fhist (ordered pairs) and ncut; integer counts. */
static gmd_status rdf_count_frame(gmd_rdf_acc *acc, const gmd_frame *frame, uint64_t *fhist,
                                  gmd_error *err)
{
    const int ns = acc->ns, nb = acc->nbins;
    const size_t hlen = (size_t)ns * ns * nb;
    int failed = 0;
#pragma omp parallel num_threads(acc->threads)
    {
        gmd_neigh_buf buf;
        uint64_t *local = calloc(hlen, sizeof(uint64_t));
        uint64_t lcut[GMD_MAX_SPECIES][GMD_MAX_SPECIES] = {{0}};
        int ok = local && gmd_neigh_buf_init(&buf, frame->n, NULL) == GMD_OK;
        if (!ok) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 64)
        for (size_t i = 0; i < frame->n; i++) {
            if (!ok) continue;
            int a = frame->type[i];
            gmd_cell_grid_neighbors(&acc->grid, i, acc->rsearch, &buf);
            for (size_t m = 0; m < buf.count; m++) {
                int b = frame->type[buf.j[m]];
                double d = buf.d[m];
                if (d < acc->rmax) {
                    int bin = (int)(d / acc->dr);
                    if (bin < nb) local[((size_t)a * ns + b) * nb + bin]++;
                }
                if (d < acc->cut[a][b]) lcut[a][b]++;
            }
        } /* loop over atoms */
#pragma omp critical(gmd_rdf_reduce)
        if (ok) {
            for (size_t m = 0; m < hlen; m++)
                fhist[m] += local[m];
            for (int a = 0; a < ns; a++)
                for (int b = 0; b < ns; b++)
                    acc->ncut[a][b] += lcut[a][b];
        }
        if (local) gmd_neigh_buf_free(&buf);
        free(local);
    }
    if (failed) return gmd_fail(err, GMD_ERR_NOMEM, "rdf: out of memory for per-thread histograms");
    return GMD_OK;
}

gmd_status gmd_rdf_acc_add(gmd_rdf_acc *acc, const gmd_frame *frame, gmd_error *err)
{
    gmd_status st = gmd_cell_grid_build(&acc->grid, frame, acc->rsearch, err);
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
    gmd_cell_grid_free(&acc->grid);
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
    gmd_rdf_acc acc;
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
    return gmd_rdf_acc_add(&st->acc, frame, err);
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
    const gmd_rdf_acc *acc = &st->acc;
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
    const gmd_rdf_acc *acc = &st->acc;
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
    if (st->acc.nframes == 0) return gmd_fail(err, GMD_ERR_VALUE, "rdf: no frames were read");
    cJSON *info = cJSON_AddObjectToObject(results, "rdf");
    cJSON_AddNumberToObject(info, "frames", (double)st->acc.nframes);
    cJSON_AddNumberToObject(info, "dr_A", st->acc.dr);
    cJSON_AddNumberToObject(info, "rmax_A", st->acc.rmax);
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
    if (st) gmd_rdf_acc_free(&st->acc);
    free(st);
    self->state = NULL;
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
    gmd_status status =
        gmd_rdf_acc_init(&st->acc, sys->species->n, sys->count, sys->natoms, settings->rdf_rmax_A,
                         settings->rdf_dr_A, first, settings->threads, err);
    if (status != GMD_OK) {
        free(st);
        free(a);
        return status;
    }
    rdf_set_cuts(&st->acc, settings, sys->species);
    a->name = "rdf";
    a->state = st;
    a->add_frame = rdf_add_frame;
    a->finish = rdf_finish;
    a->destroy = rdf_destroy;
    *out = a;
    return GMD_OK;
}
