/* network.c - network topology of a glass former (SPEC section 5, paper Eq. 8), per frame
 * and averaged over frames. Species come from the settings (former "Si", bridging anion
 * "S", modifier "Na"), so an oxide (Si-O) or another sulfide works the same way.
 *
 * Every frame is taken in its own box (a box that changes, NPT, changes nothing here):
 * neighbours by the frame grid and bond vectors by the minimum image in that box.
 * Per frame, with the former-anion cut-off rc (default 2.7 A, the first minimum of
 * g_SiS):
 * - each anion's former neighbours within rc: >= 2 bridging (BS), 1 non-bridging (NBS),
 *   0 free (modifier-bound only, "Na2S-like");
 * - Q^n: each former's number n of bridging anions within rc; p_n = fraction of formers,
 *   <n> = sum n p_n;
 * - sharing: for every bridging anion, every unordered pair of its formers shares it; a
 *   former pair sharing exactly one anion is corner-sharing (CS), exactly two edge-sharing
 *   (ES), three or more face-sharing (FS; counted on its own, not as edge-sharing, as
 *   RINGS and Atomes do, so that ES keeps its meaning of two tetrahedra on one edge). The
 *   (pair, anion) links are listed, sorted and counted in runs; the fractions of formers
 *   that belong to at least one ES pair and to at least one FS pair;
 * - homopolar bonds: anion-anion pairs closer than cut_homopolar (default 2.4 A), each
 *   counted once.
 * Neighbours come from the frame's table of bonds (bonds.c: the former-anion and homopolar
 * bonds, found once per frame and shared with the angles analysis by the driver; cell
 * grid of rdf.c, minimum image on wrapped positions).
 * Fractions are computed per frame and averaged over frames; counts (corner/edge/face
 * pairs, homopolar bonds) are per-frame means.
 *
 * The same sorted link list classifies the former-bridge-former angles (angle at the
 * anion) by the sharing of their former pair: gmd_sharing_angle_acc_add, used by the
 * angles analysis (angles.c), so that the split and the pair counts here cannot disagree.
 *
 * Outputs: network.csv (one row per frame), network_qn.csv and its figure; results keys
 * "sulfur" {bridging, nonbridging, free}, "qn" {p: [...], mean_n}, "sharing"
 * {corner_pairs, edge_pairs, face_pairs, si_in_edge_fraction, si_in_face_fraction},
 * "homopolar_bonds", and "network" (species and cut-offs). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "glassmd/units.h"
#include "structure_internal.h"

/* One link: formers i < j both bonded to the anion. A pair sharing n anions has n links. */
typedef struct former_pair {
    int i, j; /* i < j */
    int anion;
} former_pair;

/* By pair, then anion: the links of a pair form one run, and the full key makes the order
 * unique although qsort is not stable (the angle sums are reproducible to the bit). */
static int pair_cmp(const void *x, const void *y)
{
    const former_pair *a = x, *b = y;
    if (a->i != b->i) return a->i < b->i ? -1 : 1;
    if (a->j != b->j) return a->j < b->j ? -1 : 1;
    return a->anion < b->anion ? -1 : (a->anion > b->anion);
}

/* End (one past) of the run of links of the pair at s. */
static size_t run_end(const former_pair *p, size_t np, size_t s)
{
    size_t e = s;
    while (e < np && p[e].i == p[s].i && p[e].j == p[s].j)
        e++;
    return e;
}

gmd_sharing_kind gmd_sharing_kind_of(long shared)
{
    return shared <= 1 ? GMD_SHARE_CORNER : (shared == 2 ? GMD_SHARE_EDGE : GMD_SHARE_FACE);
}

#define MAX_FORMERS_PER_ANION 8

/* Asks bonds for what the network needs: former-bridge bonds within cut_fb (when the
 * former is present) and bridge-bridge ones within cut_hp (when > 0). */
static void network_bond_needs(gmd_frame_bonds *bonds, int former, int bridge, double cut_fb,
                               double cut_hp)
{
    if (former >= 0) gmd_frame_bonds_need(bonds, former, bridge, cut_fb);
    if (cut_hp > 0.0) gmd_frame_bonds_need(bonds, bridge, bridge, cut_hp);
}

/* Every anion's former neighbours within cut_fb into links, and the homopolar bonds
 * (bridge-bridge within cut_hp, each once) into *homopolar, from the frame's bonds (a row
 * per anion: a short serial loop). */
static void find_links(const gmd_frame *f, const gmd_frame_bonds *bonds, int former, int bridge,
                       double cut_fb, double cut_hp, gmd_anion_links *links, long *homopolar)
{
    long hp = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (f->type[i] != bridge) continue;
        gmd_neigh_buf row;
        gmd_frame_bonds_of(bonds, i, &row);
        int nf = 0;
        for (size_t m = 0; m < row.count; m++) {
            int j = row.j[m], tj = f->type[j];
            if (tj == former && row.d[m] < cut_fb) {
                if (nf < links->max_nf) links->formers[i * (size_t)links->max_nf + nf] = j;
                nf++;
            } else if (tj == bridge && row.d[m] < cut_hp && (size_t)j > i) {
                hp++;
            }
        }
        links->nformer[i] = nf;
    } /* loop over anions */
    *homopolar = hp;
}

/* Every (former pair, shared anion) link of the frame, sorted by pair_cmp; *out is
 * allocated (free it), *np links. */
static gmd_status shared_links(const gmd_frame *f, int bridge, const gmd_anion_links *links,
                               former_pair **out, size_t *np, gmd_error *err)
{
    size_t npairs = 0;
    for (size_t i = 0; i < f->n; i++)
        if (f->type[i] == bridge) {
            size_t nf =
                (size_t)(links->nformer[i] < links->max_nf ? links->nformer[i] : links->max_nf);
            npairs += nf * (nf - (nf > 0)) / 2;
        }
    former_pair *pairs = gmd_calloc(npairs ? npairs : 1, sizeof *pairs, "former pairs", err);
    *out = pairs;
    *np = 0;
    if (!pairs) return GMD_ERR_NOMEM;
    size_t n = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (f->type[i] != bridge) continue;
        int nf = links->nformer[i] < links->max_nf ? links->nformer[i] : links->max_nf;
        const int *fm = &links->formers[i * (size_t)links->max_nf];
        for (int x = 0; x < nf; x++)
            for (int y = x + 1; y < nf; y++)
                pairs[n++] = (former_pair){fm[x] < fm[y] ? fm[x] : fm[y],
                                           fm[x] < fm[y] ? fm[y] : fm[x], (int)i};
    }
    qsort(pairs, n, sizeof *pairs, pair_cmp);
    *np = n;
    return GMD_OK;
}

/* Corner / edge / face pairs from the anion links; counts the formers in edge pairs and
 * in face pairs (a former may be in both). */
static gmd_status count_sharing(const gmd_frame *f, int bridge, const gmd_anion_links *links,
                                gmd_network_stats *out, gmd_error *err)
{
    former_pair *pairs = NULL;
    size_t np = 0;
    gmd_status st = shared_links(f, bridge, links, &pairs, &np, err);
    char *flag = st == GMD_OK ? gmd_calloc(f->n ? f->n : 1, 1, "sharing flags", err) : NULL;
    if (!flag) {
        free(pairs);
        return st == GMD_OK ? GMD_ERR_NOMEM : st;
    }
    enum { IN_EDGE = 1, IN_FACE = 2 };
    for (size_t s = 0; s < np;) {
        size_t e = run_end(pairs, np, s);
        gmd_sharing_kind k = gmd_sharing_kind_of((long)(e - s));
        char bit = k == GMD_SHARE_EDGE ? IN_EDGE : (k == GMD_SHARE_FACE ? IN_FACE : 0);
        out->corner_pairs += k == GMD_SHARE_CORNER;
        out->edge_pairs += k == GMD_SHARE_EDGE;
        out->face_pairs += k == GMD_SHARE_FACE;
        flag[pairs[s].i] |= bit;
        flag[pairs[s].j] |= bit;
        s = e;
    }
    for (size_t i = 0; i < f->n; i++) {
        out->formers_in_edge += (flag[i] & IN_EDGE) != 0;
        out->formers_in_face += (flag[i] & IN_FACE) != 0;
    }
    free(pairs);
    free(flag);
    return GMD_OK;
}

/* Q^n: bridging anions around each former, from the anion side. */
static void count_qn(const gmd_frame *f, int bridge, const gmd_anion_links *links,
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

void gmd_anion_links_free(gmd_anion_links *links)
{
    free(links->nformer);
    free(links->formers);
    links->nformer = links->formers = NULL;
    links->cap = 0;
}

gmd_status gmd_anion_links_reserve(gmd_anion_links *links, size_t natoms, gmd_error *err)
{
    const size_t n = natoms ? natoms : 1;
    if (n <= links->cap && links->formers) return GMD_OK;
    gmd_anion_links_free(links);
    links->max_nf = MAX_FORMERS_PER_ANION;
    links->nformer = gmd_calloc(n, sizeof(int), "network links", err);
    links->formers = links->nformer
                         ? gmd_calloc(n * (size_t)links->max_nf, sizeof(int), "network links", err)
                         : NULL;
    if (!links->formers) return GMD_ERR_NOMEM;
    links->cap = n;
    return GMD_OK;
}

/* The former neighbours of every anion of the frame (and the homopolar bonds) from bonds,
 * the frame's (NULL: found here); links is allocated here, free it with
 * gmd_anion_links_free also on failure. */
static gmd_status frame_links(const gmd_frame *frame, int former, int bridge, double cut_fb,
                              double cut_homopolar, const gmd_frame_bonds *bonds,
                              gmd_anion_links *links, long *homopolar, gmd_error *err)
{
    gmd_status st = gmd_anion_links_reserve(links, frame->n, err);
    if (st != GMD_OK) return st;
    gmd_frame_bonds own = {0};
    if (!bonds) {
        network_bond_needs(&own, former, bridge, cut_fb, cut_homopolar);
        st = gmd_frame_bonds_build(&own, frame, err);
        bonds = &own;
    }
    if (st == GMD_OK)
        find_links(frame, bonds, former, bridge, cut_fb, cut_homopolar, links, homopolar);
    gmd_frame_bonds_free(&own);
    return st;
}

/* gmd_network_frame from the frame's bonds (NULL: found here). */
static gmd_status network_frame(const gmd_frame *frame, int former, int bridge, double cut_fb,
                                double cut_homopolar, const gmd_frame_bonds *bonds,
                                gmd_network_stats *out, gmd_error *err)
{
    memset(out, 0, sizeof *out);
    gmd_anion_links links = {0};
    int *nbridging = gmd_calloc(frame->n ? frame->n : 1, sizeof(int), "network Q^n", err);
    gmd_status st = nbridging ? frame_links(frame, former, bridge, cut_fb, cut_homopolar, bonds,
                                            &links, &out->homopolar, err)
                              : GMD_ERR_NOMEM;
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
    gmd_anion_links_free(&links);
    free(nbridging);
    return st;
}

gmd_status gmd_network_frame(const gmd_frame *frame, int former, int bridge, double cut_fb,
                             double cut_homopolar, int threads, gmd_network_stats *out,
                             gmd_error *err)
{
    (void)threads; /* the bonds' pass is serial (bonds.c) */
    return network_frame(frame, former, bridge, cut_fb, cut_homopolar, NULL, out, err);
}

/* ============================================== former-bridge-former angles by sharing */

/* The angle (degrees) at anion k between formers i and j, from minimum-image bond vectors
 * (the bonds are shorter than half the box: the cell grid refused anything else). */
static double angle_at_anion(const gmd_frame *f, int k, int i, int j)
{
    double uv = 0.0, uu = 0.0, vv = 0.0;
    for (int c = 0; c < 3; c++) {
        double u = gmd_min_image(f->r[c][i] - f->r[c][k], f->box.len[c]);
        double v = gmd_min_image(f->r[c][j] - f->r[c][k], f->box.len[c]);
        uv += u * v, uu += u * u, vv += v * v;
    }
    double c = uv / sqrt(uu * vv);
    c = c > 1.0 ? 1.0 : (c < -1.0 ? -1.0 : c);
    return acos(c) * 180.0 / GMD_PI;
}

/* Bins the angles of the links of one former pair (links s .. e - 1) into class k. */
static void bin_pair_angles(gmd_sharing_angle_acc *acc, const gmd_frame *f, const former_pair *p,
                            size_t s, size_t e, gmd_sharing_kind k)
{
    acc->pairs[k]++;
    for (size_t m = s; m < e; m++) {
        double deg = angle_at_anion(f, p[m].anion, p[m].i, p[m].j);
        int bin = (int)deg; /* as gmd_angle_acc: 180 itself goes into the last bin */
        acc->hist[k][bin >= GMD_ANGLE_BINS ? GMD_ANGLE_BINS - 1 : bin] += 1.0;
        acc->sum_deg[k] += deg;
        acc->total[k]++;
    }
}

gmd_status gmd_sharing_angle_acc_add_links(gmd_sharing_angle_acc *acc, const gmd_frame *frame,
                                           const gmd_anion_links *links, gmd_error *err)
{
    former_pair *pairs = NULL;
    size_t np = 0;
    gmd_status st = shared_links(frame, acc->bridge, links, &pairs, &np, err);
    for (size_t s = 0; st == GMD_OK && s < np;) {
        size_t e = run_end(pairs, np, s);
        bin_pair_angles(acc, frame, pairs, s, e, gmd_sharing_kind_of((long)(e - s)));
        s = e;
    }
    if (st == GMD_OK) acc->nframes++;
    free(pairs);
    return st;
}

gmd_status gmd_sharing_angle_acc_add(gmd_sharing_angle_acc *acc, const gmd_frame *frame,
                                     int threads, gmd_error *err)
{
    gmd_anion_links links = {0};
    long homopolar = 0; /* cut-off 0: none asked for */
    (void)threads;      /* the bonds' pass is serial (bonds.c) */
    gmd_status st =
        frame_links(frame, acc->former, acc->bridge, acc->cut, 0.0, NULL, &links, &homopolar, err);
    if (st == GMD_OK) st = gmd_sharing_angle_acc_add_links(acc, frame, &links, err);
    gmd_anion_links_free(&links);
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
    gmd_frame_bonds own_bonds; /* the frame's bonds when the driver shares none */
    gmd_frame_bonds *bonds;    /* &own_bonds or the driver's (gmd_analysis_system.bonds) */
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
    gmd_status s = GMD_OK;
    if (st->bonds == &st->own_bonds) s = gmd_frame_bonds_build(st->bonds, frame, err);
    if (s == GMD_OK)
        s = network_frame(frame, st->former, st->bridge, st->settings.cut_former_bridge_A,
                          st->settings.cut_homopolar_A, st->bonds, &st->frames[st->nframes], err);
    if (s == GMD_OK) st->steps[st->nframes++] = frame->step;
    return s;
}

static double ratio(long a, long b)
{
    return b > 0 ? (double)a / (double)b : 0.0;
}

/* Frame means of the fractions and counts. */
typedef struct network_means {
    double bs, nbs, free, qn[GMD_QN_MAX + 1], mean_n, corner, edge, face, in_edge, in_face;
    double homopolar;
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
        m->face += (double)s->face_pairs / nf;
        m->in_edge += ratio(s->formers_in_edge, s->former) / nf;
        m->in_face += ratio(s->formers_in_face, s->former) / nf;
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
    cJSON_AddStringToObject(info, "box", "each frame's own box: bonds by minimum image in it");
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
    cJSON_AddNumberToObject(sh, "face_pairs", m->face);
    cJSON_AddNumberToObject(sh, "si_in_edge_fraction", m->in_edge);
    cJSON_AddNumberToObject(sh, "si_in_face_fraction", m->in_face);
    cJSON_AddNumberToObject(results, "homopolar_bonds", m->homopolar);
}

static gmd_status network_write_frames(const network_state *st, int nmax, gmd_error *err)
{
    enum { FIXED = 11 };
    int ncol = FIXED + nmax + 1;
    char names[FIXED + GMD_QN_MAX + 1][24] = {"step",
                                              "bridging",
                                              "nonbridging",
                                              "free",
                                              "mean_n",
                                              "corner_pairs",
                                              "edge_pairs",
                                              "face_pairs",
                                              "si_in_edge_fraction",
                                              "si_in_face_fraction",
                                              "homopolar_bonds"};
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
                           (double)s->face_pairs,
                           ratio(s->formers_in_edge, s->former),
                           ratio(s->formers_in_face, s->former),
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
    return gmd_analysis_plot(&st->settings, "network_qn", &plot, err);
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
        gmd_frame_bonds_free(&st->own_bonds);
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
    st->bonds = sys->bonds ? sys->bonds : &st->own_bonds;
    network_bond_needs(st->bonds, former, bridge, settings->cut_former_bridge_A,
                       settings->cut_homopolar_A);
    a->name = "network";
    a->state = st;
    a->add_frame = network_add_frame;
    a->finish = network_finish;
    a->destroy = network_destroy;
    *out = a;
    return GMD_OK;
}
