/* threebody.c - the end-vertex-end angle term (SPEC section 2, paper Eq. 3).
 *
 * What it computes
 * ----------------
 * For every entry (vertex species V, end species E, k, theta0, r3, w) and every atom v of
 * species V, let B(v) be the atoms of species E within r3 of v (minimum image). For every
 * UNORDERED pair {a, b} of B(v):
 *
 *     V3 = k (theta - theta0)^2 s(r1) s(r2),   theta = angle a-v-b at the vertex,
 *
 * with r1 = |r_a - r_v|, r2 = |r_b - r_v|. There is no factor 1/2 on k and each pair counts
 * once: this is what the paper writes and what LAMMPS pair_style nb3b/harmonic computes
 * (its loop runs over j < k in the full neighbour list of the vertex i, and its energy is
 * k_theta * dtheta^2). For Si-S-Si the vertex is S, so a bridging sulfur with two Si within
 * 2.7 A carries one angle term, one with three Si carries three.
 *
 * Why a taper
 * -----------
 * With a hard cut (s = 1 for r <= r3, else 0; taper "hard", LAMMPS's choice) the energy
 * jumps by k (theta - theta0)^2 whenever a bond crosses r3, so an NVE run cannot conserve
 * energy. The default taper "smooth" switches each bond off over r3 - w < r < r3:
 *     s(r) = 1/2 [1 + cos(pi (r - r3 + w) / w)],  s'(r) = -pi/(2w) sin(pi (r - r3 + w) / w),
 * which is C1 (s and s' are continuous at both ends), so forces are continuous and exactly
 * minus the gradient of the energy. The hard cut is kept for fidelity to the paper and for
 * the comparison with LAMMPS; with it the forces are those of the bonds inside r3 only
 * (the jump carries no force), as in LAMMPS.
 *
 * Derivatives
 * -----------
 * With d1 = r_a - r_v, d2 = r_b - r_v, u = d/|d|, c = u1.u2 and s = |u1 x u2| = sin(theta):
 *     theta = atan2(s, c)                 (accurate at every angle, unlike acos near 0, pi)
 *     dtheta/dd1 = -(u2 - c u1) / (r1 s),  dtheta/dd2 = -(u1 - c u2) / (r2 s).
 * |u2 - c u1| = s, so these gradients have the bounded length 1/r1 and 1/r2 at every angle;
 * only their direction is undefined at s = 0 exactly (collinear or folded ends), where
 * theta(positions) has a cone-like kink and no gradient. For s < SIN_FLOOR (1e-9, i.e. within
 * 1e-9 rad of 0 or pi) we take the angular force as zero, the mean of the one-sided
 * gradients; above it the formula is used as is (its rounding error is about 1e-16 / s).
 * LAMMPS instead clamps sin(theta) to 0.001, which scales the angular force down by
 * sin(theta)/0.001 within 0.001 rad of 0 or pi; the two agree everywhere else.
 * The forces on the ends are F1 = -dV/dd1, F2 = -dV/dd2:
 *     dV/dd1 = 2k (theta - theta0) s1 s2 dtheta/dd1 + k (theta - theta0)^2 s1' s2 u1,
 * and the vertex gets -(F1 + F2) (V depends only on d1 and d2: translation invariance; it
 * depends only on r1, r2 and theta, so there is no net torque either). The virial of a
 * triplet is W_ab = d1_a F1_b + d2_a F2_b, which equals sum over its three atoms of r_a F_b
 * and uses only minimum-image relative vectors, so it is right across periodic boundaries.
 *
 * Data layout and passes (per compute call)
 * -----------------------------------------
 * 1. Candidates: the half neighbour list (cut-off >= largest r3) is scanned in parallel
 *    over rows; rows of atoms whose species is in no entry (Na) are skipped. Each row's
 *    candidates are written at the start of the row's own slice of a buffer as long as the
 *    list (no counting pass), then the gaps are closed in order. When the list
 *    carries an inner list covering r3 and the entries' species pairs
 *    (gmd_neighbor_set_inner, which the model asks for), its rows are scanned instead: the
 *    same pairs in the same order, minus those that cannot reach r3 before the next
 *    rebuild or are of other species, two or three per atom instead of ~200. A pair (i, j)
 *    is a candidate when its species pair is (vertex, end) of some entry, in either order,
 *    and |d| <= that entry's r3; it is stored as (i, j, d = r_j - r_i, |d|^2). No atomics,
 *    and the order does not depend on the thread count.
 * 2. Bonds, per entry: the candidates are sorted by vertex atom with a counting sort into
 *    compressed rows (vertex_start[v] .. vertex_start[v+1]-1 hold the bonds of vertex v,
 *    each with its end atom, vertex->end vector and length). When vertex and end species
 *    coincide (an A-A-A term) a candidate gives a bond to both of its atoms.
 * 3. Triplets, per entry, in parallel over vertices: each vertex loops over its unordered
 *    bond pairs and adds the end forces into its own bonds' slots (bond_f) and the energy
 *    into its own slot (vertex_energy). A thread writes only to the slots of its vertices,
 *    so there is no race and no per-thread force copy.
 * 4. Scatter, serial: each bond adds bond_f to its end atom and -bond_f to its vertex and
 *    d (x) bond_f to the virial; energies are summed in vertex order. This pass is O(bonds),
 *    a few thousand for 3000 atoms, and makes the result bitwise independent of the number
 *    of threads.
 * The workspace arrays live in the term's state and grow as needed. */
#include "glassmd/threebody.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glassmd/model.h"
#include "../neighbor/neighbor_internal.h" /* the rows, read in the loops */
#include "glassmd/units.h"

/* Below this sin(theta) the angular force is taken as zero (see the header comment). */
#define SIN_FLOOR 1e-9
/* Below this many listed pairs the candidate scan runs on one thread: the masked inner list
 * of a 3000-atom glass holds ~5000 pairs, scanned in microseconds, less than a fork/join
 * costs, and multiple time stepping scans it 9 times per step. */
#define PARALLEL_SCAN_MIN_PAIRS 100000
/* Two atoms closer than this (A) make the angle undefined: reported as a physics error. */
#define COINCIDENT_DIST 1e-8

typedef struct workspace {
    size_t atom_cap;       /* allocated length of the per-atom arrays (natoms + 1) */
    size_t *row_start;     /* candidate slice of each half-list row, natoms + 1 */
    size_t *vertex_start;  /* bond rows per vertex atom, natoms + 1 */
    size_t *vertex_fill;   /* counting-sort cursor, natoms */
    double *vertex_energy; /* eV, natoms */
    size_t cand_cap;
    int *cand_i, *cand_j;        /* candidate pair, d = r_j - r_i */
    double *cand_d[3], *cand_r2; /* squared length, compared with r3^2 as LAMMPS does */
    size_t bond_cap;
    int *bond_end;
    double *bond_d[3], *bond_r; /* vertex -> end vector and its length */
    double *bond_f[3];          /* force on the end atom from this vertex's triplets */
} workspace;

typedef struct threebody_state {
    int nentries;
    gmd_threebody_params entry[GMD_MAX_THREEBODY];
    char vertex_name[GMD_MAX_THREEBODY][GMD_NAME_LEN];
    char end_name[GMD_MAX_THREEBODY][GMD_NAME_LEN];
    double max_r3;
    double cand_cut2[GMD_MAX_SPECIES][GMD_MAX_SPECIES]; /* < 0: species pair in no entry */
    int in_entry[GMD_MAX_SPECIES]; /* 1: the species is a vertex or an end of some entry */
    workspace ws;
} threebody_state;

/* ---------------------------------------------------------------- the one-triplet kernel */

static void taper(const gmd_threebody_params *p, double r, double *s, double *ds)
{
    *ds = 0.0;
    if (p->taper == GMD_TAPER_HARD) {
        *s = r <= p->r3 ? 1.0 : 0.0;
        return;
    }
    double inner = p->r3 - p->width;
    if (r <= inner) {
        *s = 1.0;
    } else if (r >= p->r3) {
        *s = 0.0;
    } else {
        double x = GMD_PI * (r - inner) / p->width;
        *s = 0.5 * (1.0 + cos(x));
        *ds = -0.5 * GMD_PI / p->width * sin(x);
    }
}

static double dot3(const double a[3], const double b[3])
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/* Energy of one triplet from the vertex->end vectors d1, d2 (lengths r1, r2); the forces
 * on the two ends go to f1, f2 (the vertex gets -(f1 + f2)). */
static double triplet(const gmd_threebody_params *p, const double d1[3], double r1,
                      const double d2[3], double r2, double f1[3], double f2[3])
{
    double s1, ds1, s2, ds2;
    taper(p, r1, &s1, &ds1);
    taper(p, r2, &s2, &ds2);
    for (int k = 0; k < 3; k++)
        f1[k] = f2[k] = 0.0;
    if (s1 == 0.0 || s2 == 0.0 || r1 < COINCIDENT_DIST || r2 < COINCIDENT_DIST) return 0.0;

    double u1[3], u2[3];
    for (int k = 0; k < 3; k++) {
        u1[k] = d1[k] / r1;
        u2[k] = d2[k] / r2;
    }
    double c = dot3(u1, u2);
    double n[3] = {u1[1] * u2[2] - u1[2] * u2[1], u1[2] * u2[0] - u1[0] * u2[2],
                   u1[0] * u2[1] - u1[1] * u2[0]};
    double s = sqrt(dot3(n, n));
    double dtheta = atan2(s, c) - p->theta0;
    double e_angle = p->k * dtheta * dtheta;
    double de_dtheta = 2.0 * p->k * dtheta;

    /* -dV/dtheta * dtheta/dd = +dV/dtheta (u2 - c u1)/(r s) for end 1, likewise end 2. */
    double a1 = 0.0, a2 = 0.0;
    if (s > SIN_FLOOR) {
        a1 = de_dtheta * s1 * s2 / (r1 * s);
        a2 = de_dtheta * s1 * s2 / (r2 * s);
    }
    double radial1 = -e_angle * ds1 * s2; /* -dV/dr1 from the taper */
    double radial2 = -e_angle * s1 * ds2;
    for (int k = 0; k < 3; k++) {
        f1[k] = a1 * (u2[k] - c * u1[k]) + radial1 * u1[k];
        f2[k] = a2 * (u1[k] - c * u2[k]) + radial2 * u2[k];
    }
    return e_angle * s1 * s2;
}

double gmd_threebody_single(const gmd_threebody_params *p, const double rv[3], const double re1[3],
                            const double re2[3], double fv[3], double fe1[3], double fe2[3])
{
    double d1[3], d2[3], f1[3], f2[3];
    for (int k = 0; k < 3; k++) {
        d1[k] = re1[k] - rv[k];
        d2[k] = re2[k] - rv[k];
    }
    double e = triplet(p, d1, sqrt(dot3(d1, d1)), d2, sqrt(dot3(d2, d2)), f1, f2);
    for (int k = 0; k < 3; k++) {
        if (fe1) fe1[k] = f1[k];
        if (fe2) fe2[k] = f2[k];
        if (fv) fv[k] = -(f1[k] + f2[k]);
    }
    return e;
}

/* ---------------------------------------------------------------- workspace */

#define GROW(ptr, count, what)                                                                     \
    do {                                                                                           \
        void *grown = gmd_realloc((ptr), (count), sizeof *(ptr), (what), err);                     \
        if (!grown) return GMD_ERR_NOMEM;                                                          \
        (ptr) = grown;                                                                             \
    } while (0)

static gmd_status grow_atoms(workspace *ws, size_t natoms, gmd_error *err)
{
    if (natoms + 1 <= ws->atom_cap) return GMD_OK;
    size_t cap = natoms + 1;
    GROW(ws->row_start, cap, "three-body row offsets");
    GROW(ws->vertex_start, cap, "three-body vertex offsets");
    GROW(ws->vertex_fill, cap, "three-body sort cursor");
    GROW(ws->vertex_energy, cap, "three-body vertex energies");
    ws->atom_cap = cap;
    return GMD_OK;
}

static gmd_status grow_candidates(workspace *ws, size_t count, gmd_error *err)
{
    if (count <= ws->cand_cap && ws->cand_i) return GMD_OK;
    size_t cap = count + count / 4 + 64;
    GROW(ws->cand_i, cap, "three-body candidates");
    GROW(ws->cand_j, cap, "three-body candidates");
    GROW(ws->cand_r2, cap, "three-body candidates");
    for (int k = 0; k < 3; k++)
        GROW(ws->cand_d[k], cap, "three-body candidates");
    ws->cand_cap = cap;
    return GMD_OK;
}

static gmd_status grow_bonds(workspace *ws, size_t count, gmd_error *err)
{
    if (count <= ws->bond_cap && ws->bond_end) return GMD_OK;
    size_t cap = count + count / 4 + 64;
    GROW(ws->bond_end, cap, "three-body bonds");
    GROW(ws->bond_r, cap, "three-body bonds");
    for (int k = 0; k < 3; k++) {
        GROW(ws->bond_d[k], cap, "three-body bonds");
        GROW(ws->bond_f[k], cap, "three-body bonds");
    }
    ws->bond_cap = cap;
    return GMD_OK;
}
#undef GROW

static void free_workspace(workspace *ws)
{
    free(ws->row_start);
    free(ws->vertex_start);
    free(ws->vertex_fill);
    free(ws->vertex_energy);
    free(ws->cand_i);
    free(ws->cand_j);
    free(ws->cand_r2);
    free(ws->bond_end);
    free(ws->bond_r);
    for (int k = 0; k < 3; k++) {
        free(ws->cand_d[k]);
        free(ws->bond_d[k]);
        free(ws->bond_f[k]);
    }
    memset(ws, 0, sizeof *ws);
}

/* ---------------------------------------------------------------- pass 1: candidates */

/* Squared distance of (i, j) if it is a candidate pair, else -1; d = r_j - r_i. */
static double candidate_distance2(const threebody_state *st, const gmd_box *box,
                                  const gmd_atoms *atoms, int i, int j, double d[3])
{
    double cut2 = st->cand_cut2[atoms->type[i]][atoms->type[j]];
    if (cut2 < 0.0) return -1.0;
    for (int k = 0; k < 3; k++)
        d[k] = gmd_min_image(atoms->r[k][j] - atoms->r[k][i], box->len[k]);
    double r2 = dot3(d, d);
    return r2 <= cut2 ? r2 : -1.0;
}

/* 1 when the list's inner list holds every pair the term needs: cut-off at least r3, and
 * every (vertex, end) species pair of the entries in its type mask. */
static int inner_list_covers(const threebody_state *st, const gmd_neighbor_list *nl)
{
    if (!nl->inner_start || nl->inner_cutoff < st->max_r3) return 0;
    if (!nl->inner_masked) return 1;
    for (int e = 0; e < st->nentries; e++) {
        int v = st->entry[e].vertex, en = st->entry[e].end;
        if (v >= GMD_NEIGHBOR_MAX_TYPES || en >= GMD_NEIGHBOR_MAX_TYPES ||
            !nl->inner_types[v][en] || !nl->inner_types[en][v])
            return 0;
    }
    return 1;
}

static gmd_status collect_candidates(threebody_state *st, const gmd_compute_args *args,
                                     size_t *ncand, gmd_error *err)
{
    const gmd_neighbor_list *nl = args->nlist;
    const gmd_atoms *atoms = args->atoms;
    workspace *ws = &st->ws;
    long n = (long)atoms->n;
    size_t *row = ws->row_start;
    int inner = inner_list_covers(st, nl);
    const size_t *rows = inner ? nl->inner_start : nl->start;
    const int *index = inner ? nl->inner_index : nl->index;
    gmd_status status = grow_candidates(ws, rows[n], err); /* a row's candidates fit in it */
    if (status != GMD_OK) return status;

    row[0] = 0;
#pragma omp parallel for schedule(dynamic, 64)                                                     \
    num_threads(args->threads) if (rows[n] >= PARALLEL_SCAN_MIN_PAIRS)
    for (long i = 0; i < n; i++) {
        size_t slot = rows[i];
        double d[3];
        size_t end = st->in_entry[atoms->type[i]] ? rows[i + 1] : rows[i];
        for (size_t m = rows[i]; m < end; m++) { /* rows of other species hold none */
            int j = index[m];
            double r2 = candidate_distance2(st, args->box, atoms, (int)i, j, d);
            if (r2 < 0.0) continue;
            ws->cand_i[slot] = (int)i;
            ws->cand_j[slot] = j;
            ws->cand_r2[slot] = r2;
            for (int k = 0; k < 3; k++)
                ws->cand_d[k][slot] = d[k];
            slot++;
        }
        row[i + 1] = slot - rows[i];
    } /* fill candidates at the start of each row's slice */
    for (long i = 0; i < n; i++) {
        size_t count = row[i + 1], from = rows[i], to = row[i];
        row[i + 1] += row[i];
        if (from == to || count == 0) continue;
        memmove(ws->cand_i + to, ws->cand_i + from, count * sizeof *ws->cand_i);
        memmove(ws->cand_j + to, ws->cand_j + from, count * sizeof *ws->cand_j);
        memmove(ws->cand_r2 + to, ws->cand_r2 + from, count * sizeof *ws->cand_r2);
        for (int k = 0; k < 3; k++)
            memmove(ws->cand_d[k] + to, ws->cand_d[k] + from, count * sizeof *ws->cand_d[k]);
    } /* close the gaps, in order (to <= from) */
    *ncand = row[n];
    return GMD_OK;
}

/* ---------------------------------------------------------------- pass 2: bonds per vertex */

/* Which of the candidate's atoms are vertices of a bond of entry p (bit 0: i, bit 1: j). */
static int bond_roles(const gmd_threebody_params *p, const workspace *ws, const int *type, size_t c)
{
    if (ws->cand_r2[c] > p->r3 * p->r3) return 0;
    int ti = type[ws->cand_i[c]], tj = type[ws->cand_j[c]];
    int roles = 0;
    if (ti == p->vertex && tj == p->end) roles |= 1;
    if (tj == p->vertex && ti == p->end) roles |= 2;
    return roles;
}

static void put_bond(workspace *ws, int vertex, int end, size_t c, double sign)
{
    size_t b = ws->vertex_fill[vertex]++;
    ws->bond_end[b] = end;
    ws->bond_r[b] = sqrt(ws->cand_r2[c]);
    for (int k = 0; k < 3; k++)
        ws->bond_d[k][b] = sign * ws->cand_d[k][c];
}

static gmd_status sort_bonds(const gmd_threebody_params *p, workspace *ws, const gmd_atoms *atoms,
                             size_t ncand, gmd_error *err)
{
    size_t n = atoms->n;
    size_t *start = ws->vertex_start;
    memset(start, 0, (n + 1) * sizeof *start);
    for (size_t c = 0; c < ncand; c++) {
        int roles = bond_roles(p, ws, atoms->type, c);
        if (roles && ws->cand_r2[c] < COINCIDENT_DIST * COINCIDENT_DIST)
            return gmd_fail(err, GMD_ERR_PHYSICS,
                            "three-body term: atoms %ld and %ld are at the same position; "
                            "the configuration has collapsed (check the minimum distance "
                            "of the start configuration and the time step)",
                            atoms->id[ws->cand_i[c]], atoms->id[ws->cand_j[c]]);
        if (roles & 1) start[ws->cand_i[c] + 1]++;
        if (roles & 2) start[ws->cand_j[c] + 1]++;
    }
    for (size_t v = 0; v < n; v++) {
        start[v + 1] += start[v];
        ws->vertex_fill[v] = start[v];
    }
    gmd_status status = grow_bonds(ws, start[n], err);
    if (status != GMD_OK) return status;
    for (size_t c = 0; c < ncand; c++) {
        int roles = bond_roles(p, ws, atoms->type, c);
        if (roles & 1) put_bond(ws, ws->cand_i[c], ws->cand_j[c], c, 1.0);
        if (roles & 2) put_bond(ws, ws->cand_j[c], ws->cand_i[c], c, -1.0);
    }
    return GMD_OK;
}

/* ---------------------------------------------------------------- pass 3 and 4 */

/* All unordered bond pairs of vertex v; writes only v's own slots. */
static void vertex_triplets(const gmd_threebody_params *p, workspace *ws, size_t v)
{
    size_t lo = ws->vertex_start[v], hi = ws->vertex_start[v + 1];
    double energy = 0.0;
    for (size_t b = lo; b < hi; b++)
        for (int k = 0; k < 3; k++)
            ws->bond_f[k][b] = 0.0;
    for (size_t a = lo; a + 1 < hi; a++) {
        double da[3] = {ws->bond_d[0][a], ws->bond_d[1][a], ws->bond_d[2][a]};
        for (size_t b = a + 1; b < hi; b++) {
            double db[3] = {ws->bond_d[0][b], ws->bond_d[1][b], ws->bond_d[2][b]};
            double fa[3], fb[3];
            energy += triplet(p, da, ws->bond_r[a], db, ws->bond_r[b], fa, fb);
            for (int k = 0; k < 3; k++) {
                ws->bond_f[k][a] += fa[k];
                ws->bond_f[k][b] += fb[k];
            }
        } /* second end */
    }     /* first end */
    ws->vertex_energy[v] = energy;
}

/* Adds the bond forces to the atoms, the energy to tally slot `slot` and the virial. */
static void scatter(const workspace *ws, gmd_atoms *atoms, gmd_tally *tally, int slot)
{
    double energy = 0.0;
    double w[6] = {0};
    for (size_t v = 0; v < atoms->n; v++) {
        energy += ws->vertex_energy[v];
        for (size_t b = ws->vertex_start[v]; b < ws->vertex_start[v + 1]; b++) {
            int e = ws->bond_end[b];
            double f[3] = {ws->bond_f[0][b], ws->bond_f[1][b], ws->bond_f[2][b]};
            double d[3] = {ws->bond_d[0][b], ws->bond_d[1][b], ws->bond_d[2][b]};
            for (int k = 0; k < 3; k++) {
                atoms->f[k][e] += f[k];
                atoms->f[k][v] -= f[k];
            }
            w[0] += d[0] * f[0];
            w[1] += d[1] * f[1];
            w[2] += d[2] * f[2];
            w[3] += d[0] * f[1];
            w[4] += d[0] * f[2];
            w[5] += d[1] * f[2];
        } /* bonds of v */
    }     /* vertices */
    tally->energy[slot] += energy;
    for (int c = 0; c < 6; c++)
        tally->virial[c] += w[c];
}

static gmd_status check_args(const threebody_state *st, const gmd_compute_args *args,
                             gmd_error *err)
{
    const gmd_neighbor_list *nl = args->nlist;
    if (!nl || !nl->start)
        return gmd_fail(err, GMD_ERR_INTERNAL, "three-body term called without a neighbour list");
    if (nl->natoms != args->atoms->n)
        return gmd_fail(err, GMD_ERR_INTERNAL,
                        "three-body term: neighbour list holds %zu atoms, the system %zu; "
                        "rebuild the list after changing the atoms",
                        nl->natoms, args->atoms->n);
    /* the cut-off, not cutoff + skin: only pairs within the cut-off are sure to be listed
     * until the next rebuild */
    if (nl->cutoff < st->max_r3)
        return gmd_fail(err, GMD_ERR_INTERNAL,
                        "three-body term: neighbour-list cut-off %g A is below r3 = %g A; build "
                        "the list with a cut-off of at least r3",
                        nl->cutoff, st->max_r3);
    for (size_t i = 0; i < args->atoms->n; i++)
        if (args->atoms->type[i] < 0 || args->atoms->type[i] >= GMD_MAX_SPECIES)
            return gmd_fail(err, GMD_ERR_VALUE, "three-body term: atom %ld has species %d",
                            args->atoms->id[i], args->atoms->type[i]);
    return GMD_OK;
}

static gmd_status threebody_compute(gmd_term *self, const gmd_compute_args *args, gmd_tally *tally,
                                    gmd_error *err)
{
    threebody_state *st = self->state;
    gmd_status status = check_args(st, args, err);
    if (status == GMD_OK) status = grow_atoms(&st->ws, args->atoms->n, err);
    size_t ncand = 0;
    if (status == GMD_OK) status = collect_candidates(st, args, &ncand, err);
    for (int e = 0; e < st->nentries && status == GMD_OK; e++) {
        const gmd_threebody_params *p = &st->entry[e];
        status = sort_bonds(p, &st->ws, args->atoms, ncand, err);
        if (status != GMD_OK) break;
        long n = (long)args->atoms->n;
#pragma omp parallel for schedule(dynamic, 64) num_threads(args->threads)
        for (long v = 0; v < n; v++)
            vertex_triplets(p, &st->ws, (size_t)v);
        scatter(&st->ws, args->atoms, tally, self->first_part + GMD_THREEBODY_PART);
    } /* entries */
    return status;
}

/* ---------------------------------------------------------------- describe, create */

/* snprintf at offset *total of buf (len bytes), keeping snprintf's "length it would have"
 * semantics: *total grows by the full length even when buf is too short. */
static void append(char *buf, size_t len, int *total, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t len, int *total, const char *fmt, ...)
{
    char scratch[1];
    size_t used = (size_t)*total;
    char *out = scratch;
    size_t room = sizeof scratch;
    if (buf && used < len) {
        out = buf + used;
        room = len - used;
    }
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(out, room, fmt, ap);
    va_end(ap);
    if (w > 0) *total += w;
}

static int threebody_describe(const gmd_term *self, char *buf, size_t len)
{
    const threebody_state *st = self->state;
    int total = 0;
    append(buf, len, &total, "{\"term\":\"threebody\",\"entries\":[");
    for (int e = 0; e < st->nentries; e++) {
        const gmd_threebody_params *p = &st->entry[e];
        append(buf, len, &total,
               "%s{\"vertex\":\"%s\",\"end\":\"%s\",\"k\":%.10g,\"theta0_deg\":%.10g,"
               "\"r3\":%.10g,\"width\":%.10g,\"taper\":\"%s\"}",
               e ? "," : "", st->vertex_name[e], st->end_name[e], p->k, p->theta0 * 180.0 / GMD_PI,
               p->r3, p->width, p->taper == GMD_TAPER_HARD ? "hard" : "smooth");
    }
    append(buf, len, &total, "]}");
    return total;
}

static void threebody_destroy(gmd_term *self)
{
    threebody_state *st = self->state;
    if (!st) return;
    free_workspace(&st->ws);
    free(st);
    self->state = NULL;
}

static gmd_status check_entry(const gmd_forcefield *ff, const gmd_threebody_params *p, int e,
                              gmd_error *err)
{
    if (p->vertex < 0 || p->vertex >= ff->nspecies || p->end < 0 || p->end >= ff->nspecies)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "%s: three-body entry %d names species %d and %d, but the force field "
                        "has %d; use species from the [species] section",
                        ff->path, e + 1, p->vertex, p->end, ff->nspecies);
    const char *v = ff->species[p->vertex].name, *en = ff->species[p->end].name;
    if (!(p->k >= 0.0) || !isfinite(p->k))
        return gmd_fail(err, GMD_ERR_VALUE,
                        "%s: three-body entry %s-%s: k = %g must be >= 0 (eV/rad^2)", ff->path, v,
                        en, p->k);
    if (!(p->theta0 >= 0.0 && p->theta0 <= GMD_PI))
        return gmd_fail(err, GMD_ERR_VALUE,
                        "%s: three-body entry %s-%s: theta0 = %g deg must lie in [0, 180]",
                        ff->path, v, en, p->theta0 * 180.0 / GMD_PI);
    if (!(p->r3 > 0.0) || !isfinite(p->r3))
        return gmd_fail(err, GMD_ERR_VALUE, "%s: three-body entry %s-%s: r3 = %g must be > 0 (A)",
                        ff->path, v, en, p->r3);
    if (p->taper == GMD_TAPER_SMOOTH && !(p->width > 0.0 && p->width <= p->r3))
        return gmd_fail(err, GMD_ERR_VALUE,
                        "%s: three-body entry %s-%s: taper width %g must be > 0 and <= r3 = "
                        "%g (A); give a positive width or use the hard taper",
                        ff->path, v, en, p->width, p->r3);
    if (p->taper != GMD_TAPER_SMOOTH && p->taper != GMD_TAPER_HARD)
        return gmd_fail(err, GMD_ERR_VALUE, "%s: three-body entry %s-%s: unknown taper %d",
                        ff->path, v, en, (int)p->taper);
    return GMD_OK;
}

static void set_candidate_cuts(threebody_state *st)
{
    for (int a = 0; a < GMD_MAX_SPECIES; a++)
        for (int b = 0; b < GMD_MAX_SPECIES; b++)
            st->cand_cut2[a][b] = -1.0;
    memset(st->in_entry, 0, sizeof st->in_entry);
    st->max_r3 = 0.0;
    for (int e = 0; e < st->nentries; e++) {
        const gmd_threebody_params *p = &st->entry[e];
        double r2 = p->r3 * p->r3;
        double *ab = &st->cand_cut2[p->vertex][p->end], *ba = &st->cand_cut2[p->end][p->vertex];
        *ab = fmax(*ab, r2);
        *ba = fmax(*ba, r2);
        st->max_r3 = fmax(st->max_r3, p->r3);
        st->in_entry[p->vertex] = st->in_entry[p->end] = 1;
    }
}

/* The list must reach the largest r3; the inner list holds the entries' bonds, so that the
 * candidate scan reads a few pairs per atom (see the header comment, pass 1). */
static void declare_needs(gmd_term *term, const threebody_state *st)
{
    term->needs.cutoff = st->max_r3;
    term->needs.inner_cutoff = st->max_r3;
    for (int e = 0; e < st->nentries; e++) {
        const gmd_threebody_params *p = &st->entry[e];
        term->needs.inner_pairs[p->vertex][p->end] = term->needs.inner_pairs[p->end][p->vertex] = 1;
    }
}

gmd_status gmd_threebody_create(gmd_term **out, const gmd_forcefield *ff, int taper_override,
                                gmd_error *err)
{
    *out = NULL;
    if (taper_override != -1 && taper_override != GMD_TAPER_SMOOTH &&
        taper_override != GMD_TAPER_HARD)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "three-body taper override %d: use -1 (as in the file), smooth or hard",
                        taper_override);
    if (ff->nthreebody < 0 || ff->nthreebody > GMD_MAX_THREEBODY)
        return gmd_fail(err, GMD_ERR_VALUE, "%s: %d three-body entries; at most %d are allowed",
                        ff->path, ff->nthreebody, GMD_MAX_THREEBODY);
    static const gmd_term kind = {.name = "threebody",
                                  .needs = {.group = GMD_GROUP_FAST},
                                  .compute = threebody_compute,
                                  .describe = threebody_describe,
                                  .destroy = threebody_destroy};
    gmd_term *term = gmd_term_new(&kind, sizeof(threebody_state), err);
    if (!term) return GMD_ERR_NOMEM;
    threebody_state *st = term->state;
    st->nentries = ff->nthreebody;
    for (int e = 0; e < ff->nthreebody; e++) {
        st->entry[e] = ff->threebody[e];
        if (taper_override != -1) st->entry[e].taper = (gmd_taper)taper_override;
        gmd_status status = check_entry(ff, &st->entry[e], e, err);
        if (status != GMD_OK) {
            gmd_term_free(term);
            return status;
        }
        snprintf(st->vertex_name[e], GMD_NAME_LEN, "%s", ff->species[st->entry[e].vertex].name);
        snprintf(st->end_name[e], GMD_NAME_LEN, "%s", ff->species[st->entry[e].end].name);
    }
    set_candidate_cuts(st);
    declare_needs(term, st);
    *out = term;
    return GMD_OK;
}

/* ---------------------------------------------------------------- the kind */

static const gmd_energy_part threebody_parts[GMD_THREEBODY_NPARTS] = {
    [GMD_THREEBODY_PART] = {"threebody", NULL},
};

static int threebody_wanted(const gmd_term_kind *self, const gmd_term_setup *setup)
{
    (void)self;
    return setup->options->threebody && setup->ff->nthreebody > 0;
}

static gmd_status threebody_create_from_setup(const gmd_term_kind *self,
                                              const gmd_term_setup *setup, gmd_term **out,
                                              gmd_error *err)
{
    (void)self;
    return gmd_threebody_create(out, setup->ff, setup->options->taper_override, err);
}

const gmd_term_kind gmd_threebody_kind = {
    .name = "threebody",
    .nparts = GMD_THREEBODY_NPARTS,
    .parts = threebody_parts,
    .wanted = threebody_wanted,
    .create = threebody_create_from_setup,
};
