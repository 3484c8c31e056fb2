/* network.c - network topology of a glass former (SPEC section 5, paper Eq. 8), per frame
 * and averaged over frames. Species come from the settings (former "Si", bridging anion
 * "S", modifier "Na"), so an oxide (Si-O) or another sulfide works the same way.
 *
 * Per frame, with the former-anion cut-off rc (default 2.7 A, the first minimum of
 * g_SiS):
 * - each anion's former neighbours within rc: >= 2 bridging (BS), 1 non-bridging (NBS),
 *   0 free (modifier-bound only, "Na2S-like");
 * - Q^n: each former's number n of bridging anions within rc; p_n = fraction of formers,
 *   <n> = sum n p_n;
 * - sharing: for every bridging anion, every unordered pair of its formers shares it; a
 *   former pair sharing exactly one anion is corner-sharing, two or more edge-sharing
 *   (the pairs are listed, sorted and counted in runs); the fraction of formers that belong
 *   to at least one edge-sharing pair;
 * - homopolar bonds: anion-anion pairs closer than cut_homopolar (default 2.4 A), each
 *   counted once.
 * Neighbours come from the cell grid of rdf.c (minimum image on wrapped positions).
 * Fractions are computed per frame and averaged over frames; counts (corner/edge pairs,
 * homopolar bonds) are per-frame means.
 *
 * Outputs: network.csv (one row per frame), network_qn.csv and its figure; results keys
 * "sulfur" {bridging, nonbridging, free}, "qn" {p: [...], mean_n}, "sharing"
 * {corner_pairs, edge_pairs, si_in_edge_fraction}, "homopolar_bonds", and "network"
 * (species and cut-offs). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "structure_internal.h"

typedef struct former_pair {
    int i, j; /* i < j */
} former_pair;

static int pair_cmp(const void *x, const void *y)
{
    const former_pair *a = x, *b = y;
    if (a->i != b->i) return a->i < b->i ? -1 : 1;
    return a->j < b->j ? -1 : (a->j > b->j);
}

/* Per-anion former neighbours (at most max_nf kept per anion; more are counted). */
typedef struct anion_links {
    int *nformer; /* per atom (anions only) */
    int *formers; /* [atom * max_nf + m] */
    int max_nf;
} anion_links;

#define MAX_FORMERS_PER_ANION 8

static gmd_status find_links(const gmd_frame *f, const gmd_cell_grid *g, int former, int bridge,
                             double cut_fb, double cut_hp, int threads, anion_links *links,
                             long *homopolar, gmd_error *err)
{
    int failed = 0;
    long hp = 0;
    double rc = fmax(cut_fb, cut_hp);
#pragma omp parallel num_threads(threads) reduction(+ : hp)
    {
        gmd_neigh_buf buf;
        int ok = gmd_neigh_buf_init(&buf, f->n, NULL) == GMD_OK;
        if (!ok) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 64)
        for (size_t i = 0; i < f->n; i++) {
            if (!ok || f->type[i] != bridge) continue;
            gmd_cell_grid_neighbors(g, i, rc, &buf);
            int nf = 0;
            for (size_t m = 0; m < buf.count; m++) {
                int j = buf.j[m], tj = f->type[j];
                if (tj == former && buf.d[m] < cut_fb) {
                    if (nf < links->max_nf) links->formers[i * (size_t)links->max_nf + nf] = j;
                    nf++;
                } else if (tj == bridge && buf.d[m] < cut_hp && (size_t)j > i) {
                    hp++;
                }
            }
            links->nformer[i] = nf;
        } /* loop over anions */
        if (ok) gmd_neigh_buf_free(&buf);
    }
    *homopolar = hp;
    if (failed) return gmd_fail(err, GMD_ERR_NOMEM, "network: out of memory for neighbour buffers");
    return GMD_OK;
}

/* Corner / edge pairs from the anion links; marks formers in edge pairs. */
static gmd_status count_sharing(const gmd_frame *f, int bridge, const anion_links *links,
                                gmd_network_stats *out, gmd_error *err)
{
    size_t npairs = 0;
    for (size_t i = 0; i < f->n; i++)
        if (f->type[i] == bridge) {
            size_t nf =
                (size_t)(links->nformer[i] < links->max_nf ? links->nformer[i] : links->max_nf);
            npairs += nf * (nf - (nf > 0)) / 2;
        }
    former_pair *pairs = gmd_calloc(npairs ? npairs : 1, sizeof *pairs, "former pairs", err);
    char *in_edge = gmd_calloc(f->n ? f->n : 1, 1, "edge flags", err);
    if (!pairs || !in_edge) {
        free(pairs);
        free(in_edge);
        return GMD_ERR_NOMEM;
    }
    size_t np = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (f->type[i] != bridge) continue;
        int nf = links->nformer[i] < links->max_nf ? links->nformer[i] : links->max_nf;
        const int *fm = &links->formers[i * (size_t)links->max_nf];
        for (int x = 0; x < nf; x++)
            for (int y = x + 1; y < nf; y++)
                pairs[np++] =
                    (former_pair){fm[x] < fm[y] ? fm[x] : fm[y], fm[x] < fm[y] ? fm[y] : fm[x]};
    }
    qsort(pairs, np, sizeof *pairs, pair_cmp);
    for (size_t s = 0; s < np;) {
        size_t e = s;
        while (e < np && pairs[e].i == pairs[s].i && pairs[e].j == pairs[s].j)
            e++;
        if (e - s == 1) {
            out->corner_pairs++;
        } else {
            out->edge_pairs++;
            in_edge[pairs[s].i] = in_edge[pairs[s].j] = 1;
        }
        s = e;
    }
    for (size_t i = 0; i < f->n; i++)
        out->formers_in_edge += in_edge[i];
    free(pairs);
    free(in_edge);
    return GMD_OK;
}

/* Q^n: bridging anions around each former, from the anion side. */
static void count_qn(const gmd_frame *f, int bridge, const anion_links *links,
                     gmd_network_stats *out, int *nbridging)
{
    for (size_t i = 0; i < f->n; i++) {
        if (f->type[i] != bridge) continue;
        int nf = links->nformer[i];
        if (nf >= 2)
            out->bridging++;
        else if (nf == 1)
            out->nonbridging++;
        else
            out->free++;
        if (nf >= 2) {
            int kept = nf < links->max_nf ? nf : links->max_nf;
            for (int m = 0; m < kept; m++)
                nbridging[links->formers[i * (size_t)links->max_nf + m]]++;
        }
    }
}

gmd_status gmd_network_frame(const gmd_frame *frame, int former, int bridge, double cut_fb,
                             double cut_homopolar, int threads, gmd_network_stats *out,
                             gmd_error *err)
{
    memset(out, 0, sizeof *out);
    gmd_cell_grid grid = {0};
    anion_links links = {0};
    links.max_nf = MAX_FORMERS_PER_ANION;
    links.nformer = gmd_calloc(frame->n ? frame->n : 1, sizeof(int), "network links", err);
    links.formers = gmd_calloc((frame->n ? frame->n : 1) * (size_t)links.max_nf, sizeof(int),
                               "network links", err);
    int *nbridging = gmd_calloc(frame->n ? frame->n : 1, sizeof(int), "network Q^n", err);
    gmd_status st = (links.nformer && links.formers && nbridging) ? GMD_OK : GMD_ERR_NOMEM;
    if (st == GMD_OK) st = gmd_cell_grid_build(&grid, frame, fmax(cut_fb, cut_homopolar), err);
    if (st == GMD_OK)
        st = find_links(frame, &grid, former, bridge, cut_fb, cut_homopolar,
                        threads > 0 ? threads : 1, &links, &out->homopolar, err);
    if (st == GMD_OK) {
        count_qn(frame, bridge, &links, out, nbridging);
        for (size_t i = 0; i < frame->n; i++) {
            if (frame->type[i] == bridge) out->bridge_atoms++;
            if (frame->type[i] != former) continue;
            out->former++;
            int n = nbridging[i] > GMD_QN_MAX ? GMD_QN_MAX : nbridging[i];
            out->qn[n]++;
        }
        st = count_sharing(frame, bridge, &links, out, err);
    }
    gmd_cell_grid_free(&grid);
    free(links.nformer);
    free(links.formers);
    free(nbridging);
    return st;
}

/* ================================================================ the analysis unit */

typedef struct network_state {
    gmd_analysis_settings settings;
    const gmd_species_table *species;
    int former, bridge;
    gmd_network_stats *frames;
    long *steps;
    size_t nframes, cap;
} network_state;

static gmd_status network_add_frame(gmd_analysis *self, const gmd_frame *frame, gmd_error *err)
{
    network_state *st = self->state;
    if (st->nframes == st->cap) {
        size_t cap = st->cap ? 2 * st->cap : 64;
        gmd_network_stats *f = gmd_realloc(st->frames, cap, sizeof *f, "network frames", err);
        if (!f) return GMD_ERR_NOMEM;
        st->frames = f;
        long *s = gmd_realloc(st->steps, cap, sizeof *s, "network frames", err);
        if (!s) return GMD_ERR_NOMEM;
        st->steps = s;
        st->cap = cap;
    }
    gmd_status s = gmd_network_frame(frame, st->former, st->bridge,
                                     st->settings.cut_former_bridge_A, st->settings.cut_homopolar_A,
                                     st->settings.threads, &st->frames[st->nframes], err);
    if (s == GMD_OK) st->steps[st->nframes++] = frame->step;
    return s;
}

static double ratio(long a, long b)
{
    return b > 0 ? (double)a / (double)b : 0.0;
}

/* Frame means of the fractions and counts. */
typedef struct network_means {
    double bs, nbs, free, qn[GMD_QN_MAX + 1], mean_n, corner, edge, in_edge, homopolar;
    int nmax;
} network_means;

static void network_average(const network_state *st, network_means *m)
{
    memset(m, 0, sizeof *m);
    double nf = (double)st->nframes;
    for (size_t t = 0; t < st->nframes; t++) {
        const gmd_network_stats *s = &st->frames[t];
        m->bs += ratio(s->bridging, s->bridge_atoms) / nf;
        m->nbs += ratio(s->nonbridging, s->bridge_atoms) / nf;
        m->free += ratio(s->free, s->bridge_atoms) / nf;
        for (int n = 0; n <= GMD_QN_MAX; n++) {
            m->qn[n] += ratio(s->qn[n], s->former) / nf;
            m->mean_n += n * ratio(s->qn[n], s->former) / nf;
            if (s->qn[n] > 0 && n > m->nmax) m->nmax = n;
        }
        m->corner += (double)s->corner_pairs / nf;
        m->edge += (double)s->edge_pairs / nf;
        m->in_edge += ratio(s->formers_in_edge, s->former) / nf;
        m->homopolar += (double)s->homopolar / nf;
    }
}

static void network_json(const network_state *st, const network_means *m, cJSON *results)
{
    cJSON *info = cJSON_AddObjectToObject(results, "network");
    cJSON_AddStringToObject(info, "former", st->settings.former);
    cJSON_AddStringToObject(info, "bridge", st->settings.bridge);
    cJSON_AddNumberToObject(info, "cut_former_bridge_A", st->settings.cut_former_bridge_A);
    cJSON_AddNumberToObject(info, "cut_homopolar_A", st->settings.cut_homopolar_A);
    cJSON_AddNumberToObject(info, "frames", (double)st->nframes);
    cJSON *s = cJSON_AddObjectToObject(results, "sulfur");
    cJSON_AddNumberToObject(s, "bridging", m->bs);
    cJSON_AddNumberToObject(s, "nonbridging", m->nbs);
    cJSON_AddNumberToObject(s, "free", m->free);
    cJSON *q = cJSON_AddObjectToObject(results, "qn");
    cJSON *p = cJSON_AddArrayToObject(q, "p");
    for (int n = 0; n <= m->nmax; n++)
        cJSON_AddItemToArray(p, cJSON_CreateNumber(m->qn[n]));
    cJSON_AddNumberToObject(q, "mean_n", m->mean_n);
    cJSON *sh = cJSON_AddObjectToObject(results, "sharing");
    cJSON_AddNumberToObject(sh, "corner_pairs", m->corner);
    cJSON_AddNumberToObject(sh, "edge_pairs", m->edge);
    cJSON_AddNumberToObject(sh, "si_in_edge_fraction", m->in_edge);
    cJSON_AddNumberToObject(results, "homopolar_bonds", m->homopolar);
}

static gmd_status network_write_frames(const network_state *st, int nmax, gmd_error *err)
{
    enum { FIXED = 9 };
    int ncol = FIXED + nmax + 1;
    char names[FIXED + GMD_QN_MAX + 1][24] = {
        "step",         "bridging",   "nonbridging",         "free",           "mean_n",
        "corner_pairs", "edge_pairs", "si_in_edge_fraction", "homopolar_bonds"};
    const char *name_ptr[FIXED + GMD_QN_MAX + 1];
    double *col[FIXED + GMD_QN_MAX + 1] = {0};
    gmd_status status = GMD_OK;
    for (int c = 0; c < ncol; c++) {
        if (c >= FIXED) snprintf(names[c], sizeof names[c], "Q%d", c - FIXED);
        name_ptr[c] = names[c];
        col[c] = gmd_calloc(st->nframes ? st->nframes : 1, sizeof(double), "network", err);
        if (!col[c]) status = GMD_ERR_NOMEM;
    }
    for (size_t t = 0; status == GMD_OK && t < st->nframes; t++) {
        const gmd_network_stats *s = &st->frames[t];
        double mean_n = 0.0;
        for (int n = 0; n <= GMD_QN_MAX; n++)
            mean_n += n * ratio(s->qn[n], s->former);
        double v[FIXED] = {(double)st->steps[t],
                           ratio(s->bridging, s->bridge_atoms),
                           ratio(s->nonbridging, s->bridge_atoms),
                           ratio(s->free, s->bridge_atoms),
                           mean_n,
                           (double)s->corner_pairs,
                           (double)s->edge_pairs,
                           ratio(s->formers_in_edge, s->former),
                           (double)s->homopolar};
        for (int c = 0; c < FIXED; c++)
            col[c][t] = v[c];
        for (int n = 0; n <= nmax; n++)
            col[FIXED + n][t] = ratio(s->qn[n], s->former);
    }
    if (status == GMD_OK)
        status = gmd_csv_write(st->settings.out_dir, "network",
                               "network topology per frame (fractions of anions / formers)", ncol,
                               name_ptr, (const double *const *)col, st->nframes, err);
    for (int c = 0; c < ncol; c++)
        free(col[c]);
    return status;
}

static gmd_status network_write_qn(const network_state *st, const network_means *m, gmd_error *err)
{
    double n[GMD_QN_MAX + 1], p[GMD_QN_MAX + 1];
    for (int i = 0; i <= m->nmax; i++) {
        n[i] = i;
        p[i] = m->qn[i];
    }
    const char *names[2] = {"n", "p_n"};
    const double *cols[2] = {n, p};
    gmd_status status =
        gmd_csv_write(st->settings.out_dir, "network_qn", "Q^n distribution averaged over frames",
                      2, names, cols, (size_t)m->nmax + 1, err);
    if (status != GMD_OK) return status;
    char title[96];
    snprintf(title, sizeof title, "Q^n of %s (<n> = %.3f)", st->settings.former, m->mean_n);
    gmd_plot plot = {.title = title,
                     .xlabel = "n (bridging anions)",
                     .ylabel = "p_n",
                     .xcol = 1,
                     .nseries = 1,
                     .ycols = {2},
                     .labels = {"Q^n"},
                     .extra = "set style data histeps\nset xtics 1"};
    int skipped = 0;
    return gmd_plot_write(st->settings.out_dir, "network_qn", &plot, &skipped, err);
}

static gmd_status network_finish(gmd_analysis *self, cJSON *results, gmd_error *err)
{
    network_state *st = self->state;
    if (st->nframes == 0) return gmd_fail(err, GMD_ERR_VALUE, "network: no frames were read");
    network_means m;
    network_average(st, &m);
    network_json(st, &m, results);
    gmd_status status = network_write_frames(st, m.nmax, err);
    return status == GMD_OK ? network_write_qn(st, &m, err) : status;
}

static void network_destroy(gmd_analysis *self)
{
    if (!self) return;
    network_state *st = self->state;
    if (st) {
        free(st->frames);
        free(st->steps);
    }
    free(st);
    self->state = NULL;
}

gmd_status gmd_network_create(gmd_analysis **out, const gmd_analysis_settings *settings,
                              const gmd_analysis_system *sys, const gmd_frame *first,
                              gmd_error *err)
{
    (void)first;
    *out = NULL;
    int former = gmd_species_find(sys->species, settings->former);
    int bridge = gmd_species_find(sys->species, settings->bridge);
    if (former < 0 || bridge < 0)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "network: former '%s' or bridging anion '%s' is not a species of the "
                        "trajectory; set them (e.g. --former Si --bridge O)",
                        settings->former, settings->bridge);
    if (!(settings->cut_former_bridge_A > 0.0))
        return gmd_fail(err, GMD_ERR_VALUE, "network: former-anion cut-off %g A must be > 0",
                        settings->cut_former_bridge_A);
    gmd_analysis *a = gmd_calloc(1, sizeof *a, "network analysis", err);
    network_state *st = a ? gmd_calloc(1, sizeof *st, "network state", err) : NULL;
    if (!st) {
        free(a);
        return GMD_ERR_NOMEM;
    }
    st->settings = *settings;
    st->species = sys->species;
    st->former = former;
    st->bridge = bridge;
    a->name = "network";
    a->state = st;
    a->add_frame = network_add_frame;
    a->finish = network_finish;
    a->destroy = network_destroy;
    *out = a;
    return GMD_OK;
}
