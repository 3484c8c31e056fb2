/* angles.c - bond-angle distributions A-B-C, the angle at the central atom B (SPEC
 * section 5; default triplets Si-S-Si, S-Si-S, Na-S-Na, S-Na-S from settings).
 *
 * A "bond" B-X exists when |r_X - r_B| < cut(B, X), with the cut-offs of the settings:
 * former-bridge (default 2.7 A, the first minimum of g_SiS) and modifier-bridge (3.5 A,
 * g_NaS); any other pair of species uses ANGLE_DEFAULT_CUT = 3.0 A (documented choice; set
 * the former/modifier cut-offs to cover the pairs that matter). For every B, every pair of
 * distinct bonded neighbours j (species A) and k (species C) gives one angle
 * theta = acos(u_j . u_k); when A == C each unordered pair counts once. The bonds are
 * read from the frame's table of bonds (bonds.c: every atom's neighbours within the
 * cut-offs, in the order met; shared with network by the driver), bond vectors minimum
 * images in each frame's own box, so a box that changes between frames (NPT) is followed
 * frame by frame.
 *
 * Histogram: 180 bins of 1 degree on [0, 180] (180 itself falls in the last bin), summed
 * over frames, normalised to a probability density per degree (sum P * 1 deg = 1). The
 * exact mean angle is kept beside it. Peak: the largest bin, refined by the parabola
 * through it and its neighbours. The per-thread histograms are integer counts stored in
 * doubles (exact below 2^53), so the result does not depend on the thread count.
 *
 * Sharing split. When the former-bridge-former triplet of the settings (Si-S-Si) is among
 * the triplets, its angles are also split by the link of the two formers (network.c,
 * gmd_sharing_angle_acc): corner-sharing (CS, the pair shares exactly this one anion),
 * edge-sharing (ES, exactly two) and face-sharing (FS, three or more), each with its own
 * histogram normalised as above (each to 1, so the peaks compare; the triplet counts give
 * the weights). CS + ES + FS = all former-bridge-former triplets.
 *
 * Outputs: angles.csv (theta_deg, P_<A-B-C> per triplet, then P_<F-B-F>_CS, _ES, _FS),
 * angles.gp/png (all but the FS curve); results keys "angles_peak_deg" and
 * "angles_mean_deg" per triplet, and "angles_former_bridge_former" {triplet,
 * cut_former_bridge_A, frames, corner / edge / face: {peak_deg, mean_deg,
 * triplets_per_frame, pairs_per_frame, triplet_fraction}}. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "../io/json_util.h"

#include "glassmd/units.h"
#include "structure_internal.h"

#define ANGLE_DEFAULT_CUT 3.0
#define MAX_TRIPLETS 8
#define MAX_COLUMNS (MAX_TRIPLETS + GMD_SHARE_KINDS)

/* The sharing classes: results.json key and angles.csv column suffix. */
static const char *const SHARE_KEY[GMD_SHARE_KINDS] = {"corner", "edge", "face"};
static const char *const SHARE_TAG[GMD_SHARE_KINDS] = {"CS", "ES", "FS"};

/* Cosines collected before their angles are taken (angle_block). */
#define ANGLE_BLOCK 64

/* The angles of the cosines c[0 .. m - 1] (overwritten by the angles in degrees): bin
 * counts into h, degrees added to *sum in order. acos is the cost: first every angle
 * (independent calls, which overlap), then the counts and the sum, which stay in
 * registers (across a call they would wait on memory, angle after angle). */
static void angle_block(double *c, int m, uint64_t *h, double *sum)
{
    for (int k = 0; k < m; k++)
        c[k] = acos(c[k]) * 180.0 / GMD_PI;
    double s = *sum;
    for (int k = 0; k < m; k++) {
        const int bin = (int)c[k];
        h[bin >= GMD_ANGLE_BINS ? GMD_ANGLE_BINS - 1 : bin]++;
        s += c[k];
    }
    *sum = s;
}

/* Adds the angles of one central atom i to h (local histogram) for triplet t. Its bonded
 * neighbours of species A and of species C are listed first (positions in the buffer, in
 * buffer order: la, lc, room for buf->count each), then every pair of them: the pairs of
 * a double loop over the buffer, in its order, so the sums do not change. The cosines go
 * through angle_block ANGLE_BLOCK at a time. */
static void angles_at(const gmd_angle_acc *t, const gmd_frame *f, const gmd_neigh_buf *buf, int *la,
                      int *lc, uint64_t *h, double *sum, long *total)
{
    int na = 0, nc = 0, m = 0;
    double cosine[ANGLE_BLOCK];
    for (size_t x = 0; x < buf->count; x++) {
        const int tx = f->type[buf->j[x]];
        if (tx == t->a && buf->d[x] < t->cut_ab) la[na++] = (int)x;
        if (tx == t->c && buf->d[x] < t->cut_cb) lc[nc++] = (int)x;
    }
    for (int p = 0; p < na; p++) {
        const int x = la[p];
        for (int q = 0; q < nc; q++) {
            const int y = lc[q];
            if (y == x) continue;
            if (t->a == t->c && y < x) continue; /* each unordered pair of like neighbours once */
            double dot = 0.0;
            for (int k = 0; k < 3; k++)
                dot += buf->dx[k][x] * buf->dx[k][y];
            double c = dot / (buf->d[x] * buf->d[y]);
            cosine[m++] = c > 1.0 ? 1.0 : (c < -1.0 ? -1.0 : c);
            if (m == ANGLE_BLOCK) {
                angle_block(cosine, m, h, sum);
                *total += m;
                m = 0;
            }
        }
    }
    angle_block(cosine, m, h, sum);
    *total += m;
}

/* Anion i's former neighbours within links->cut into links (its own row: thread-safe). */
static void anion_links_at(gmd_anion_links *links, const gmd_frame *f, size_t i,
                           const gmd_neigh_buf *buf)
{
    int nf = 0;
    for (size_t x = 0; x < buf->count; x++)
        if (f->type[buf->j[x]] == links->former && buf->d[x] < links->cut) {
            if (nf < links->max_nf) links->formers[i * (size_t)links->max_nf + nf] = buf->j[x];
            nf++;
        }
    links->nformer[i] = nf;
}

/* Asks bonds for what nacc triplets (and the links, when not NULL) need. */
static void angle_bond_needs(gmd_frame_bonds *bonds, const gmd_angle_acc *acc, int nacc,
                             const gmd_anion_links *links)
{
    for (int t = 0; t < nacc; t++) {
        gmd_frame_bonds_need(bonds, acc[t].a, acc[t].b, acc[t].cut_ab);
        gmd_frame_bonds_need(bonds, acc[t].c, acc[t].b, acc[t].cut_cb);
    }
    if (links) gmd_frame_bonds_need(bonds, links->former, links->bridge, links->cut);
}

/* gmd_angle_acc_add from the frame's bonds (built, with at least angle_bond_needs'): every
 * central atom's row of bonds (bonds.c) in place of a search. */
static gmd_status angles_from_bonds(gmd_angle_acc *acc, int nacc, const gmd_frame *frame,
                                    int threads, gmd_anion_links *links,
                                    const gmd_frame_bonds *bonds, gmd_error *err)
{
    /* The mean angle's sum is a floating-point sum, whose value depends on the order of
     * the additions: each thread sums a fixed contiguous block of atoms (static schedule)
     * and the partial sums are added in thread order after the loop, so a result does
     * not change from run to run at one thread count (and at one thread it is the plain
     * sequential sum). The histograms are exact integer counts in any order. */
    int nthreads = threads > 0 ? threads : 1;
    double(*part_sum)[MAX_TRIPLETS] = calloc((size_t)nthreads, sizeof *part_sum);
    if (!part_sum) return gmd_fail(err, GMD_ERR_NOMEM, "angles: out of memory for partial sums");
    int failed = 0;
#pragma omp parallel num_threads(nthreads)
    {
        gmd_neigh_buf row;
        uint64_t h[MAX_TRIPLETS][GMD_ANGLE_BINS] = {{0}}; /* counts, exact in any order */
        double *sum = part_sum[omp_get_thread_num()];
        long total[MAX_TRIPLETS] = {0};
        int *la = malloc((frame->n + 1) * sizeof(int)), *lc = malloc((frame->n + 1) * sizeof(int));
        const int ok = la && lc;
        if (!ok) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(static)
        for (size_t i = 0; i < frame->n; i++) {
            if (!ok) continue;
            gmd_frame_bonds_of(bonds, i, &row);
            if (links && frame->type[i] == links->bridge) anion_links_at(links, frame, i, &row);
            for (int t = 0; t < nacc; t++)
                if (frame->type[i] == acc[t].b)
                    angles_at(&acc[t], frame, &row, la, lc, h[t], &sum[t], &total[t]);
        } /* loop over central atoms */
#pragma omp critical(gmd_angles_reduce)
        for (int t = 0; ok && t < nacc; t++) {
            for (int m = 0; m < GMD_ANGLE_BINS; m++)
                acc[t].hist[m] += (double)h[t][m];
            acc[t].total += total[t];
        }
        free(la);
        free(lc);
    }
    for (int p = 0; p < nthreads; p++)
        for (int t = 0; t < nacc; t++)
            acc[t].sum_deg += part_sum[p][t];
    free(part_sum);
    if (failed) return gmd_fail(err, GMD_ERR_NOMEM, "angles: out of memory for neighbour lists");
    return GMD_OK;
}

gmd_status gmd_angle_acc_add(gmd_angle_acc *acc, int nacc, const gmd_frame *frame, int threads,
                             gmd_anion_links *links, gmd_error *err)
{
    gmd_frame_bonds bonds = {0};
    angle_bond_needs(&bonds, acc, nacc, links);
    gmd_status st = gmd_frame_bonds_build(&bonds, frame, err);
    if (st == GMD_OK) st = angles_from_bonds(acc, nacc, frame, threads, links, &bonds, err);
    gmd_frame_bonds_free(&bonds);
    return st;
}

/* ================================================================ the analysis unit */

typedef struct angles_state {
    gmd_analysis_settings settings;
    int n;
    gmd_angle_acc acc[MAX_TRIPLETS];
    char label[MAX_TRIPLETS][3 * GMD_NAME_LEN + 4];
    int split;                   /* index of the former-bridge-former triplet, or -1 */
    gmd_sharing_angle_acc share; /* its CS / ES / FS split (when split >= 0) */
    gmd_anion_links links;       /* the split's links, read from the angles' bonds */
    gmd_frame_bonds own_bonds;   /* the frame's bonds when the driver shares none */
    gmd_frame_bonds *bonds;      /* &own_bonds or the driver's (gmd_analysis_system.bonds) */
} angles_state;

static gmd_status angles_add_frame(gmd_analysis *self, const gmd_frame *frame, gmd_error *err)
{
    angles_state *st = self->state;
    gmd_anion_links *links = NULL;
    if (st->split >= 0) { /* the split needs every anion's formers: found with the angles */
        gmd_status s = gmd_anion_links_reserve(&st->links, frame->n, err);
        if (s != GMD_OK) return s;
        links = &st->links;
    }
    gmd_status s = GMD_OK;
    if (st->bonds == &st->own_bonds) s = gmd_frame_bonds_build(st->bonds, frame, err);
    if (s == GMD_OK)
        s = angles_from_bonds(st->acc, st->n, frame, st->settings.threads, links, st->bonds, err);
    if (s == GMD_OK && links) s = gmd_sharing_angle_acc_add_links(&st->share, frame, links, err);
    return s;
}

/* The columns of angles.csv: theta, then one probability density per curve. */
typedef struct angles_table {
    int ncols;
    double theta[GMD_ANGLE_BINS], p[MAX_COLUMNS][GMD_ANGLE_BINS];
    char colname[MAX_COLUMNS][3 * GMD_NAME_LEN + 12];
    char label[MAX_COLUMNS][3 * GMD_NAME_LEN + 12]; /* figure legend */
    const char *names[MAX_COLUMNS + 1];
    const double *cols[MAX_COLUMNS + 1];
} angles_table;

/* Appends a histogram of total counts as a probability density per degree; returns its
 * parabola-refined maximum (NAN when empty). */
static double table_add(angles_table *t, const char *column, const char *label, const double *hist,
                        long total)
{
    int c = t->ncols++;
    for (int m = 0; m < GMD_ANGLE_BINS; m++)
        t->p[c][m] = total ? hist[m] / (double)total : 0.0;
    snprintf(t->colname[c], sizeof t->colname[c], "P_%s", column);
    snprintf(t->label[c], sizeof t->label[c], "%s", label);
    t->names[c + 1] = t->colname[c];
    t->cols[c + 1] = t->p[c];
    if (!total) return NAN;
    return gmd_first_peak(t->theta, t->p[c], GMD_ANGLE_BINS, GMD_ANGLE_BINS, -1.0);
}

/* The CS / ES / FS curves of the former-bridge-former triplet and their results object. */
static void angles_sharing(const angles_state *st, angles_table *t, cJSON *results)
{
    const gmd_sharing_angle_acc *sa = &st->share;
    cJSON *o = cJSON_AddObjectToObject(results, "angles_former_bridge_former");
    cJSON_AddStringToObject(o, "triplet", st->label[st->split]);
    cJSON_AddNumberToObject(o, "cut_former_bridge_A", sa->cut);
    cJSON_AddNumberToObject(o, "frames", (double)sa->nframes);
    cJSON_AddStringToObject(o, "box", "each frame's own box: bonds by minimum image in it");
    long all = 0;
    for (int k = 0; k < GMD_SHARE_KINDS; k++)
        all += sa->total[k];
    double nf = sa->nframes > 0 ? (double)sa->nframes : 1.0;
    for (int k = 0; k < GMD_SHARE_KINDS; k++) {
        char column[3 * GMD_NAME_LEN + 8], label[3 * GMD_NAME_LEN + 8];
        snprintf(column, sizeof column, "%s_%s", st->label[st->split], SHARE_TAG[k]);
        snprintf(label, sizeof label, "%s %s", st->label[st->split], SHARE_TAG[k]);
        double peak = table_add(t, column, label, sa->hist[k], sa->total[k]);
        cJSON *c = cJSON_AddObjectToObject(o, SHARE_KEY[k]);
        gmd_json_add_number_or_null(c, "peak_deg", peak);
        gmd_json_add_number_or_null(c, "mean_deg",
                                    sa->total[k] ? sa->sum_deg[k] / (double)sa->total[k] : NAN);
        cJSON_AddNumberToObject(c, "triplets_per_frame", (double)sa->total[k] / nf);
        cJSON_AddNumberToObject(c, "pairs_per_frame", (double)sa->pairs[k] / nf);
        cJSON_AddNumberToObject(c, "triplet_fraction",
                                all ? (double)sa->total[k] / (double)all : 0.0);
    }
}

static gmd_status angles_write(const angles_state *st, const angles_table *t, gmd_error *err)
{
    gmd_status status = gmd_csv_write(st->settings.out_dir, "angles",
                                      "bond-angle distributions, probability per degree",
                                      t->ncols + 1, t->names, t->cols, GMD_ANGLE_BINS, err);
    if (status != GMD_OK) return status;
    gmd_plot plot = {.title = "Bond-angle distributions",
                     .xlabel = "angle (degrees)",
                     .ylabel = "P(theta) (1/degree)",
                     .xcol = 1,
                     .nseries = t->ncols,
                     .extra = "set xrange [0:180]\nset xtics 30"};
    for (int c = 0; c < t->ncols; c++) {
        plot.ycols[c] = c + 2;
        plot.labels[c] = t->label[c];
    }
    /* The FS curve (last) is left out of the figure: face sharing is rare, so its few
     * triplets make one tall spike that squashes every other curve; it stays in the CSV. */
    if (st->split >= 0) plot.nseries--;
    return gmd_analysis_plot(&st->settings, "angles", &plot, err);
}

static gmd_status angles_finish(gmd_analysis *self, cJSON *results, gmd_error *err)
{
    angles_state *st = self->state;
    angles_table *t = gmd_calloc(1, sizeof *t, "angles table", err);
    if (!t) return GMD_ERR_NOMEM;
    t->names[0] = "theta_deg";
    t->cols[0] = t->theta;
    for (int m = 0; m < GMD_ANGLE_BINS; m++)
        t->theta[m] = m + 0.5;
    cJSON *peaks = cJSON_AddObjectToObject(results, "angles_peak_deg");
    cJSON *means = cJSON_AddObjectToObject(results, "angles_mean_deg");
    for (int k = 0; k < st->n; k++) {
        const gmd_angle_acc *a = &st->acc[k];
        double peak = table_add(t, st->label[k], st->label[k], a->hist, a->total);
        gmd_json_add_number_or_null(peaks, st->label[k], peak);
        gmd_json_add_number_or_null(means, st->label[k],
                                    a->total ? a->sum_deg / (double)a->total : NAN);
    }
    if (st->split >= 0) angles_sharing(st, t, results);
    gmd_status status = angles_write(st, t, err);
    free(t);
    return status;
}

static void angles_destroy(gmd_analysis *self)
{
    if (!self) return;
    angles_state *st = self->state;
    if (st) {
        gmd_anion_links_free(&st->links);
        gmd_frame_bonds_free(&st->own_bonds);
    }
    free(self->state);
    self->state = NULL;
}

/* The bond cut-off between species x and y from the settings. */
static double bond_cut(const gmd_analysis_settings *s, const gmd_species_table *sp, int x, int y)
{
    int former = gmd_species_find(sp, s->former), bridge = gmd_species_find(sp, s->bridge);
    int modifier = gmd_species_find(sp, s->modifier);
    if (bridge >= 0 && ((x == former && y == bridge) || (x == bridge && y == former)))
        return s->cut_former_bridge_A;
    if (bridge >= 0 && ((x == modifier && y == bridge) || (x == bridge && y == modifier)))
        return s->cut_modifier_bridge_A;
    return ANGLE_DEFAULT_CUT;
}

/* Finds the former-bridge-former triplet among the requested ones (st->split, -1 when it
 * is not asked for or the species are absent) and sets up its sharing split. */
static void angles_find_split(angles_state *st, const gmd_species_table *sp)
{
    int former = gmd_species_find(sp, st->settings.former);
    int bridge = gmd_species_find(sp, st->settings.bridge);
    st->split = -1;
    for (int t = 0; t < st->n && st->split < 0 && former >= 0 && bridge >= 0; t++)
        if (st->acc[t].a == former && st->acc[t].b == bridge && st->acc[t].c == former)
            st->split = t;
    if (st->split < 0) return;
    st->share.former = former;
    st->share.bridge = bridge;
    st->share.cut = st->acc[st->split].cut_ab; /* the former-bridge cut-off */
    st->links.former = former;                 /* what the angles' rows list for the split */
    st->links.bridge = bridge;
    st->links.cut = st->share.cut;
}

gmd_status gmd_angles_create(gmd_analysis **out, const gmd_analysis_settings *settings,
                             const gmd_analysis_system *sys, const gmd_frame *first, gmd_error *err)
{
    (void)first;
    *out = NULL;
    angles_state *st = gmd_calloc(1, sizeof *st, "angles state", err);
    if (!st) return GMD_ERR_NOMEM;
    st->settings = *settings;
    int n = settings->nangle_triplets > MAX_TRIPLETS ? MAX_TRIPLETS : settings->nangle_triplets;
    for (int t = 0; t < n; t++) {
        char names[3][GMD_NAME_LEN];
        int idx[3] = {-1, -1, -1};
        if (gmd_split_names(settings->angle_triplets[t], names) == 3)
            for (int k = 0; k < 3; k++)
                idx[k] = gmd_species_find(sys->species, names[k]);
        if (idx[0] < 0 || idx[1] < 0 || idx[2] < 0) {
            free(st);
            return gmd_fail(err, GMD_ERR_VALUE,
                            "angles: triplet '%s' is not three species of the trajectory "
                            "joined by '-' (angle at the middle one), e.g. Si-S-Si",
                            settings->angle_triplets[t]);
        }
        gmd_angle_acc *a = &st->acc[st->n];
        a->a = idx[0];
        a->b = idx[1];
        a->c = idx[2];
        a->cut_ab = bond_cut(settings, sys->species, idx[0], idx[1]);
        a->cut_cb = bond_cut(settings, sys->species, idx[2], idx[1]);
        snprintf(st->label[st->n], sizeof st->label[st->n], "%s", settings->angle_triplets[t]);
        st->n++;
    }
    if (st->n == 0) {
        free(st);
        return gmd_fail(err, GMD_ERR_VALUE, "angles: no triplets requested; give e.g. Si-S-Si");
    }
    angles_find_split(st, sys->species);
    st->bonds = sys->bonds ? sys->bonds : &st->own_bonds;
    angle_bond_needs(st->bonds, st->acc, st->n, st->split >= 0 ? &st->links : NULL);
    gmd_analysis *a = gmd_calloc(1, sizeof *a, "angles analysis", err);
    if (!a) {
        free(st);
        return GMD_ERR_NOMEM;
    }
    a->name = "angles";
    a->state = st;
    a->add_frame = angles_add_frame;
    a->finish = angles_finish;
    a->destroy = angles_destroy;
    *out = a;
    return GMD_OK;
}
