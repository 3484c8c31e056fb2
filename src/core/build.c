/* build.c - starting configurations: stoichiometry and random placement.
 *
 * Counts (SPEC section 3, generalised): the force field's [composition] names a modifier
 * and a former formula unit of equal size u (Na2S and SiS2: u = 3). N atoms make M = N / u
 * formula units, n_mod = round(M x) (halves away from zero), n_form = M - n_mod, and each
 * species count is n_mod * (its count in the modifier) + n_form * (its count in the former).
 *
 * Placement: a cube of side (N / density)^(1/3), lower corner at the origin. Atoms are
 * placed one at a time, in a random order of the species-sorted list (so no species is
 * left for last when space is scarce), at uniformly random points; a point is accepted
 * when no placed atom is closer (minimum image) than the pair's minimum distance d_ij,
 * else redrawn, up to MAX_TRIES times. Placed atoms are kept in cells no smaller than
 * max d_ij (the library's cell grid), so a test looks at 27 cells at most: 3000 atoms take
 * milliseconds.
 *
 * Minimum distance d_ij (times options->min_distance_scale):
 *   d_ij = max(1.1 r_safe_ij, d_rep_ij), with d_rep_ij the distance at which the pair's
 *   repulsion (A exp(-r/rho), or the wall D/r^n) has fallen to REPULSION_EV = 10 eV: close
 *   enough for a dense random packing, far enough that the following capped minimisation
 *   starts from finite, moderate forces. For reference Na2S-SiS2: S-S 2.37, S-Na 2.06,
 *   Na-Na 2.15, S-Si 1.73 A. A pair with no repulsive term (Si-Si, Si-Na: like charges
 *   kept apart by Coulomb alone) gets 0.6 n^(-1/3), 0.6 times the mean spacing (1.72 A
 *   at 0.043 atoms/A^3).
 * Atoms are stored species by species (ids 1..N in that order), charges from the species.
 * The generator is gmd_rng seeded with options->seed: the same seed gives the same atoms. */
#include "glassmd/build.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glassmd/cell_grid.h"
#include "glassmd/rng.h"
#include "glassmd/text.h"

#define REPULSION_EV 10.0
#define SAFE_MARGIN 1.1
#define FALLBACK_SPACING_FRACTION 0.6
#define MAX_TRIES 20000

/* ---- counts ------------------------------------------------------------------------- */

gmd_status gmd_composition_counts(const gmd_forcefield *ff, double x, long natoms,
                                  long counts[GMD_MAX_SPECIES], gmd_error *err)
{
    if (!ff->has_composition)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "%s has no [composition] section; add 'modifier = FORMULA' and 'former "
                        "= FORMULA' to it, or give the counts per species (e.g. Si=500,S=1500)",
                        ff->path);
    if (!(x >= 0.0 && x <= 1.0))
        return gmd_fail(err, GMD_ERR_VALUE,
                        "composition x = %g must be in [0, 1] (x %s + (1 - x) %s)", x,
                        ff->modifier.text, ff->former.text);
    long unit = ff->modifier.natoms;
    if (natoms < unit || natoms % unit != 0) {
        long below = natoms / unit * unit, above = below + unit;
        long nearest = (below >= unit && natoms - below <= above - natoms) ? below : above;
        return gmd_fail(err, GMD_ERR_VALUE,
                        "%ld atoms is not a whole number of %ld-atom formula units (%s, %s); "
                        "use %ld atoms",
                        natoms, unit, ff->modifier.text, ff->former.text, nearest);
    }
    long m = natoms / unit;
    long n_mod = lround((double)m * x);
    long n_form = m - n_mod;
    memset(counts, 0, GMD_MAX_SPECIES * sizeof *counts);
    for (int s = 0; s < ff->nspecies; s++)
        counts[s] = n_mod * ff->modifier.count[s] + n_form * ff->former.count[s];
    return gmd_forcefield_check_neutral(ff, counts, err);
}

static gmd_status parse_one_count(const gmd_forcefield *ff, const char *text, char *item,
                                  long counts[GMD_MAX_SPECIES], int seen[GMD_MAX_SPECIES],
                                  gmd_error *err)
{
    char *eq = strchr(item, '=');
    if (!eq)
        return gmd_fail(err, GMD_ERR_VALUE, "counts '%s': '%s' is not 'Name=count'", text, item);
    *eq = '\0';
    char *name = gmd_text_trim(item), *value = gmd_text_trim(eq + 1);
    int s = gmd_forcefield_species_index(ff, name);
    if (s < 0) {
        char known[512];
        gmd_forcefield_species_list(ff, known, sizeof known);
        return gmd_fail(err, GMD_ERR_VALUE,
                        "counts '%s': unknown species '%s'; the force field %s defines %s", text,
                        name, ff->path, known);
    }
    if (seen[s])
        return gmd_fail(err, GMD_ERR_VALUE, "counts '%s': species '%s' is given twice", text, name);
    long n;
    if (gmd_text_to_long(value, &n) != 0 || n < 0)
        return gmd_fail(err, GMD_ERR_VALUE, "counts '%s': '%s' is not a whole number >= 0 for %s",
                        text, value, name);
    counts[s] = n;
    seen[s] = 1;
    return GMD_OK;
}

gmd_status gmd_counts_parse(const gmd_forcefield *ff, const char *text,
                            long counts[GMD_MAX_SPECIES], gmd_error *err)
{
    char buf[1024];
    if (strlen(text) >= sizeof buf) return gmd_fail(err, GMD_ERR_VALUE, "counts list is too long");
    snprintf(buf, sizeof buf, "%s", text);
    memset(counts, 0, GMD_MAX_SPECIES * sizeof *counts);
    int seen[GMD_MAX_SPECIES] = {0};
    long total = 0;
    for (char *item = buf, *next; item; item = next) {
        next = strchr(item, ',');
        if (next) *next++ = '\0';
        gmd_status st = parse_one_count(ff, text, item, counts, seen, err);
        if (st) return st;
    }
    for (int s = 0; s < ff->nspecies; s++)
        total += counts[s];
    if (total <= 0)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "counts '%s' give no atoms; write e.g. "
                        "Si=500,S=1500,Na=1000",
                        text);
    return GMD_OK;
}

/* ---- minimum distances ------------------------------------------------------------- */

/* Distance at which the pair's repulsion has fallen to REPULSION_EV (0: no repulsion). */
static double repulsion_distance(const gmd_pair_params *p)
{
    double d = 0;
    if (p->A > REPULSION_EV) d = p->rho * log(p->A / REPULSION_EV);
    if (p->wall_D > 0) d = fmax(d, pow(p->wall_D / REPULSION_EV, 1.0 / p->wall_n));
    return d;
}

static void min_distances(const gmd_forcefield *ff, double density, double scale,
                          double d[GMD_MAX_SPECIES][GMD_MAX_SPECIES])
{
    double fallback = FALLBACK_SPACING_FRACTION * cbrt(1.0 / density);
    for (int i = 0; i < ff->nspecies; i++)
        for (int j = 0; j < ff->nspecies; j++) {
            const gmd_pair_params *p = &ff->pair[i][j];
            double rep = repulsion_distance(p);
            if (rep == 0) rep = fallback;
            d[i][j] = scale * fmax(SAFE_MARGIN * p->r_safe, rep);
        }
}

/* ---- placement ---------------------------------------------------------------------- */

/* The placed atoms by cell: the library's cell grid (cells of side >= the largest minimum
 * distance) says which cell a point lies in and which cells are adjacent; atoms arrive one
 * at a time, so each cell keeps them as a chain (head, next) rather than sorted. */
typedef struct placed {
    gmd_cell_grid g;
    int *head; /* first atom in each cell, -1 when empty */
    int *next; /* next atom in the same cell */
} placed;

static int fits(const placed *p, const gmd_atoms *a, const double *x, int type,
                double d[GMD_MAX_SPECIES][GMD_MAX_SPECIES])
{
    int cells[27];
    int ncells = gmd_cell_grid_adjacent(&p->g, gmd_cell_grid_locate(&p->g, x), cells);
    for (int q = 0; q < ncells; q++)
        for (int j = p->head[cells[q]]; j >= 0; j = p->next[j]) {
            double r2 = 0;
            for (int k = 0; k < 3; k++) {
                double dk = gmd_min_image(x[k] - a->r[k][j], p->g.len[k]);
                r2 += dk * dk;
            }
            double dmin = d[type][a->type[j]];
            if (r2 < dmin * dmin) return 0;
        } // loop over adjacent cells
    return 1;
}

static void placed_insert(placed *p, const gmd_atoms *a, int i)
{
    const double x[3] = {a->r[0][i], a->r[1][i], a->r[2][i]};
    int cell = gmd_cell_grid_locate(&p->g, x);
    p->next[i] = p->head[cell];
    p->head[cell] = i;
}

/* Cells of side >= dmax, at most a few per atom. */
static gmd_status placed_init(placed *p, double len, double dmax, size_t natoms, gmd_error *err)
{
    gmd_box box = {{0.0, 0.0, 0.0}, {len, len, len}};
    gmd_cell_grid_shape(&p->g, &box, dmax, 4.0 * (double)natoms + 64.0);
    p->head = gmd_calloc((size_t)p->g.ncells, sizeof(int), "build cell grid", err);
    p->next = gmd_calloc(natoms, sizeof(int), "build cell grid", err);
    if (!p->head || !p->next) return GMD_ERR_NOMEM;
    for (long c = 0; c < p->g.ncells; c++)
        p->head[c] = -1;
    return GMD_OK;
}

static void placed_free(placed *p)
{
    free(p->head);
    free(p->next);
    gmd_cell_grid_free(&p->g);
}

static void shuffle(size_t *order, size_t n, gmd_rng *rng)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(gmd_rng_uniform(rng) * (double)i);
        size_t t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
}

static gmd_status place_all(const gmd_forcefield *ff, const gmd_build_options *opt,
                            double d[GMD_MAX_SPECIES][GMD_MAX_SPECIES], placed *p, size_t *order,
                            gmd_atoms *a, gmd_error *err)
{
    gmd_rng rng;
    gmd_rng_seed(&rng, (uint64_t)opt->seed);
    for (size_t i = 0; i < a->n; i++)
        order[i] = i;
    shuffle(order, a->n, &rng);
    for (size_t m = 0; m < a->n; m++) {
        size_t i = order[m];
        double x[3];
        int tries = 0, t = a->type[i];
        double reach = 0;
        for (int s = 0; s < ff->nspecies; s++)
            reach = fmax(reach, d[t][s]);
        do {
            if (++tries > MAX_TRIES)
                return gmd_fail(err, GMD_ERR_VALUE,
                                "density %g atoms/A^3 is too high to place atoms at random: "
                                "atom %zu of %zu (%s) found no free spot in %d tries (minimum "
                                "distances up to %.3g A); lower the density or the minimum-"
                                "distance scale",
                                opt->density, m + 1, a->n, ff->species[t].name, MAX_TRIES, reach);
            for (int k = 0; k < 3; k++)
                x[k] = p->g.len[k] * gmd_rng_uniform(&rng);
        } while (!fits(p, a, x, t, d));
        for (int k = 0; k < 3; k++)
            a->r[k][i] = x[k];
        placed_insert(p, a, (int)i);
    }
    return GMD_OK;
}

static gmd_status check_inputs(const gmd_forcefield *ff, const long *counts,
                               const gmd_build_options *opt, size_t *natoms, gmd_error *err)
{
    if (!(opt->density > 0) || !isfinite(opt->density))
        return gmd_fail(err, GMD_ERR_VALUE, "density %g must be > 0 (atoms per A^3, e.g. 0.043)",
                        opt->density);
    long total = 0;
    for (int s = 0; s < ff->nspecies; s++) {
        if (counts[s] < 0)
            return gmd_fail(err, GMD_ERR_VALUE, "count %ld of %s must be >= 0", counts[s],
                            ff->species[s].name);
        total += counts[s];
    }
    if (total <= 0 || total > 2000000000L)
        return gmd_fail(err, GMD_ERR_VALUE, "%ld atoms: need between 1 and 2e9", total);
    *natoms = (size_t)total;
    return gmd_forcefield_check_neutral(ff, counts, err);
}

static void fill_species(const gmd_forcefield *ff, const long *counts, gmd_atoms *a)
{
    size_t i = 0;
    for (int s = 0; s < ff->nspecies; s++)
        for (long c = 0; c < counts[s]; c++, i++) {
            a->type[i] = s;
            a->charge[i] = ff->species[s].charge;
            a->id[i] = (long)i + 1;
        }
}

gmd_status gmd_build_random(const gmd_forcefield *ff, const long counts[GMD_MAX_SPECIES],
                            const gmd_build_options *opt, gmd_box *box, gmd_atoms *atoms,
                            gmd_error *err)
{
    size_t n = 0;
    gmd_status st = check_inputs(ff, counts, opt, &n, err);
    if (st) return st;
    double scale = opt->min_distance_scale > 0 ? opt->min_distance_scale : 1.0;
    double d[GMD_MAX_SPECIES][GMD_MAX_SPECIES], dmax = 0;
    min_distances(ff, opt->density, scale, d);
    for (int i = 0; i < ff->nspecies; i++)
        for (int j = 0; j < ff->nspecies; j++)
            if (counts[i] > 0 && counts[j] > 0) dmax = fmax(dmax, d[i][j]);
    double len = cbrt((double)n / opt->density);
    gmd_atoms a = {0};
    placed cells = {0};
    size_t *order = NULL;
    if (!(st = gmd_atoms_init(&a, n, err)) && !(st = placed_init(&cells, len, dmax, n, err))) {
        order = gmd_calloc(n, sizeof *order, "build order", err);
        st = order ? GMD_OK : GMD_ERR_NOMEM;
    }
    if (!st) {
        fill_species(ff, counts, &a);
        st = place_all(ff, opt, d, &cells, order, &a, err);
    }
    free(order);
    placed_free(&cells);
    if (st) {
        gmd_atoms_free(&a);
        return st;
    }
    for (int k = 0; k < 3; k++)
        box->lo[k] = 0.0, box->len[k] = len;
    *atoms = a;
    return GMD_OK;
}
