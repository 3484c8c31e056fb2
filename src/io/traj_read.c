/* traj_read.c - the trajectory reader front end (include/glassmd/analysis.h).
 *
 * Reading is streamed: the reader holds one frame as the file gives it (traj_raw, atoms
 * in file order, filled by a format back end: traj_read_dump.c, traj_read_netcdf.c,
 * traj_read_xyz.c) plus what it needs to put frames into a common form:
 *
 *   ids0[j], types0[j]   the atoms of frame 1 in increasing id order; every later frame
 *                        must hold the same ids with the same species
 *   order[j]             file index of the j-th atom in id order, for the last frame; it
 *                        is reused while the file keeps its atom order (the usual case),
 *                        so most frames cost one O(n) check instead of a sort
 *   prev_raw, prev_unw   positions of the previous frame as read and as unwrapped, in id
 *                        order, for files with wrapped positions and no image flags
 *
 * Unwrapping without image flags: u_i(t) = x_i(t) + n_i(t) L(t), the image count n_i
 * changed by the boxes crossed, -round((x_i(t) - x_i(t-1)) / L(t)) (the minimum image of
 * the step in the current box). It is right as long as no atom moves more than half a box
 * length between two stored frames. So u is what a file with image flags gives (LAMMPS's
 * x + image L(t)): u - x is a whole number of the frame's own box lengths even when the
 * box changes (NPT), and every analysis can take u modulo the frame's box; the dynamical
 * ones take the barostat's scaling of n L out themselves (src/analysis/
 * dynamics_internal.h). With a fixed box this is u_i(t-1) + minimg(x_i(t) - x_i(t-1)),
 * computed so.
 *
 * The species table is fixed when the reader is opened: the first frame is read then
 * (and delivered by the first gmd_traj_reader_next), so that names found in the file can
 * define the table. Charges come from the force field, else from the trajectory when all
 * atoms of each species carry the same charge (dump q column, NetCDF atom_charges). */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glassmd/analysis.h"
#include "traj_read_internal.h"

#define CHARGE_TOLERANCE 1e-6 /* e: atoms of one species share a charge within this */

struct gmd_traj_reader {
    char path[512];
    const traj_backend *be;
    void *state;
    traj_species sp;
    traj_raw raw;
    int pending; /* raw holds frame 1, not yet delivered */
    size_t n;
    long *ids0;
    int *types0;
    size_t *order;
    double *prev_raw[3], *prev_unw[3];
    double prev_len[3]; /* the previous frame's box edges */
    int have_prev;
};

/* ---- species ------------------------------------------------------------------------ */

/* Standard atomic weights (IUPAC, g/mol) for species named by element without a force
 * field; used only where an analysis wants masses. Unknown names get 0. */
static double element_mass(const char *name)
{
    static const struct {
        const char *name;
        double mass;
    } table[] = {{"H", 1.008},     {"Li", 6.94},   {"B", 10.81},    {"C", 12.011},
                 {"N", 14.007},    {"O", 15.999},  {"F", 18.998},   {"Na", 22.98977},
                 {"Mg", 24.305},   {"Al", 26.982}, {"Si", 28.0855}, {"P", 30.974},
                 {"S", 32.06},     {"Cl", 35.45},  {"K", 39.098},   {"Ca", 40.078},
                 {"Ti", 47.867},   {"Zn", 65.38},  {"Ga", 69.723},  {"Ge", 72.630},
                 {"As", 74.922},   {"Se", 78.971}, {"Br", 79.904},  {"Rb", 85.468},
                 {"Ag", 107.8682}, {"Sn", 118.71}, {"Sb", 121.76},  {"Te", 127.60},
                 {"I", 126.90},    {"Cs", 132.91}, {"Ba", 137.33},  {"Pb", 207.2}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (!strcmp(table[i].name, name)) return table[i].mass;
    return 0.0;
}

static int table_find(const gmd_species_table *t, const char *name)
{
    for (int s = 0; s < t->n; s++)
        if (!strcmp(t->name[s], name)) return s;
    return -1;
}

static void table_list(const gmd_species_table *t, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int s = 0; s < t->n && used < len; s++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", s ? ", " : "", t->name[s]);
}

static int table_add(gmd_species_table *t, const char *name)
{
    if (t->n == GMD_MAX_SPECIES) return -1;
    int s = t->n++;
    snprintf(t->name[s], GMD_NAME_LEN, "%s", name);
    t->mass[s] = element_mass(name);
    t->charge[s] = 0.0;
    return s;
}

int traj_species_by_name(traj_species *sp, const char *name, long type, char *why, size_t whylen)
{
    int s = table_find(&sp->table, name);
    if (s >= 0) return s;
    char known[256];
    table_list(&sp->table, known, sizeof known);
    if (sp->growing) {
        if (strlen(name) >= GMD_NAME_LEN) {
            snprintf(why, whylen, "species name '%s' is longer than %d characters", name,
                     GMD_NAME_LEN - 1);
            return -1;
        }
        s = table_add(&sp->table, name);
        if (s < 0)
            snprintf(why, whylen, "more than %d species (%s, %s)", GMD_MAX_SPECIES, known, name);
        else
            sp->key[s] = type > 0 ? type : LONG_MAX / 2 + sp->next_key++;
        return s;
    }
    if (sp->ff)
        snprintf(why, whylen, "element '%s' is not a species of the force field %s (%s)", name,
                 sp->ff->path, known);
    else if (sp->nmap)
        snprintf(why, whylen, "element '%s' is not among --types %s", name, sp->map_text);
    else
        snprintf(why, whylen, "element '%s' did not appear in the first frame (%s)", name, known);
    return -1;
}

int traj_species_by_type(const traj_species *sp, long t, char *why, size_t whylen)
{
    if (sp->nmap) {
        if (t >= 1 && t <= sp->nmap) return sp->map_species[t - 1];
        snprintf(why, whylen,
                 "unknown atom type %ld: --types %s names types 1 to %d; name every type", t,
                 sp->map_text, sp->nmap);
        return -1;
    }
    if (sp->ff) {
        if (t >= 1 && t <= sp->ff->nspecies) return (int)(t - 1);
        char known[256];
        table_list(&sp->table, known, sizeof known);
        snprintf(why, whylen,
                 "unknown atom type %ld: the force field %s has %d species (%s) for types 1 to "
                 "%d; name the types with --types",
                 t, sp->ff->path, sp->ff->nspecies, known, sp->ff->nspecies);
        return -1;
    }
    snprintf(why, whylen,
             "atom type %ld has no species name: give --types Si,S,Na or --ff FILE (or write an "
             "element column)",
             t);
    return -1;
}

/* Parses "Si, S ,Na" into the types map; names must be force-field species when ff. */
static gmd_status species_map(traj_species *sp, const char *types_map, const char *path,
                              gmd_error *err)
{
    snprintf(sp->map_text, sizeof sp->map_text, "%s", types_map);
    char copy[256];
    snprintf(copy, sizeof copy, "%s", types_map);
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char)*tok))
            tok++;
        size_t len = strlen(tok);
        while (len && isspace((unsigned char)tok[len - 1]))
            tok[--len] = '\0';
        if (!len || len >= GMD_NAME_LEN || sp->nmap == GMD_MAX_SPECIES)
            return gmd_fail(err, GMD_ERR_VALUE,
                            "%s: --types '%s': give up to %d comma-separated species names, "
                            "e.g. Si,S,Na",
                            path, types_map, GMD_MAX_SPECIES);
        int s = table_find(&sp->table, tok);
        if (s < 0 && sp->ff) {
            char known[256];
            table_list(&sp->table, known, sizeof known);
            return gmd_fail(err, GMD_ERR_VALUE,
                            "%s: --types names '%s', which the force field %s does not define "
                            "(%s)",
                            path, tok, sp->ff->path, known);
        }
        if (s < 0) s = table_add(&sp->table, tok);
        sp->map_species[sp->nmap++] = s;
    }
    if (!sp->nmap)
        return gmd_fail(err, GMD_ERR_VALUE, "%s: --types is empty; give e.g. --types Si,S,Na",
                        path);
    return GMD_OK;
}

static gmd_status species_init(traj_species *sp, const gmd_forcefield *ff, const char *types_map,
                               const char *path, gmd_error *err)
{
    memset(sp, 0, sizeof *sp);
    sp->ff = ff;
    if (ff) {
        sp->table.n = ff->nspecies;
        for (int s = 0; s < ff->nspecies; s++) {
            snprintf(sp->table.name[s], GMD_NAME_LEN, "%s", ff->species[s].name);
            sp->table.charge[s] = ff->species[s].charge;
            sp->table.mass[s] = ff->species[s].mass;
        }
        sp->table.have_charges = 1;
    }
    if (types_map && *types_map) return species_map(sp, types_map, path, err);
    sp->growing = !ff;
    return GMD_OK;
}

/* After frame 1 of a table grown from names: sorts the species by key (LAMMPS type, else
 * first appearance) and renumbers the frame's atoms; the table is fixed from then on. */
static void species_freeze(traj_species *sp, traj_raw *raw)
{
    if (!sp->growing) return;
    sp->growing = 0;
    int n = sp->table.n, perm[GMD_MAX_SPECIES], newidx[GMD_MAX_SPECIES];
    for (int s = 0; s < n; s++)
        perm[s] = s;
    for (int a = 1; a < n; a++) /* insertion sort: at most 16 species */
        for (int b = a; b > 0 && sp->key[perm[b]] < sp->key[perm[b - 1]]; b--) {
            int t = perm[b];
            perm[b] = perm[b - 1], perm[b - 1] = t;
        }
    gmd_species_table old = sp->table;
    for (int s = 0; s < n; s++) {
        newidx[perm[s]] = s;
        memcpy(sp->table.name[s], old.name[perm[s]], GMD_NAME_LEN);
        sp->table.mass[s] = old.mass[perm[s]];
    }
    for (size_t i = 0; i < raw->n; i++)
        raw->type[i] = newidx[raw->type[i]];
}

/* Without a force field: charges from the trajectory when each species has one. */
static void species_charges(traj_species *sp, const traj_raw *raw)
{
    if (sp->ff || !raw->have_q) return;
    int seen[GMD_MAX_SPECIES] = {0};
    for (size_t i = 0; i < raw->n; i++) {
        int s = raw->type[i];
        if (!seen[s]) {
            seen[s] = 1;
            sp->table.charge[s] = raw->q[i];
        } else if (fabs(raw->q[i] - sp->table.charge[s]) > CHARGE_TOLERANCE) {
            return; /* charges differ within a species: not a fixed-charge model */
        }
    }
    sp->table.have_charges = 1;
}

/* ---- raw frames --------------------------------------------------------------------- */

gmd_status traj_raw_reserve(traj_raw *raw, size_t n, gmd_error *err)
{
    if (n <= raw->cap) return GMD_OK;
    for (int k = 0; k < 3; k++) {
        double *p = gmd_realloc(raw->r[k], n, sizeof *p, "trajectory frame", err);
        if (!p) return GMD_ERR_NOMEM;
        raw->r[k] = p;
    }
    long *id = gmd_realloc(raw->id, n, sizeof *id, "trajectory frame", err);
    if (!id) return GMD_ERR_NOMEM;
    raw->id = id;
    int *type = gmd_realloc(raw->type, n, sizeof *type, "trajectory frame", err);
    if (!type) return GMD_ERR_NOMEM;
    raw->type = type;
    double *q = gmd_realloc(raw->q, n, sizeof *q, "trajectory frame", err);
    if (!q) return GMD_ERR_NOMEM;
    raw->q = q;
    raw->cap = n;
    return GMD_OK;
}

static void raw_free(traj_raw *raw)
{
    for (int k = 0; k < 3; k++)
        free(raw->r[k]);
    free(raw->id);
    free(raw->type);
    free(raw->q);
    memset(raw, 0, sizeof *raw);
}

/* "FILE:LINE: frame N" for text formats, "FILE: frame N" otherwise. */
static void where(const gmd_traj_reader *r, int line, char *buf, size_t len)
{
    if (line > 0)
        snprintf(buf, len, "%s:%d: frame %ld", r->path, line, r->raw.frame);
    else
        snprintf(buf, len, "%s: frame %ld", r->path, r->raw.frame);
}

static int atom_line(const traj_raw *raw, size_t i)
{
    return raw->atom_line > 0 ? raw->atom_line + (int)i : 0;
}

/* ---- atom order --------------------------------------------------------------------- */

/* Indices sorted by id: a merge sort (stable, O(n log n) always; qsort_r is not C17). */
static void sort_indices(size_t *idx, size_t *tmp, size_t n, const long *id)
{
    if (n < 2) return;
    size_t h = n / 2;
    sort_indices(idx, tmp, h, id);
    sort_indices(idx + h, tmp, n - h, id);
    size_t a = 0, b = h, k = 0;
    while (a < h && b < n)
        tmp[k++] = id[idx[b]] < id[idx[a]] ? idx[b++] : idx[a++];
    while (a < h)
        tmp[k++] = idx[a++];
    while (b < n)
        tmp[k++] = idx[b++];
    memcpy(idx, tmp, n * sizeof *idx);
}

static gmd_status sort_by_id(gmd_traj_reader *r, gmd_error *err)
{
    size_t n = r->raw.n;
    size_t *tmp = gmd_calloc(n, sizeof *tmp, "atom order", err);
    if (!tmp) return GMD_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        r->order[i] = i;
    sort_indices(r->order, tmp, n, r->raw.id);
    free(tmp);
    return GMD_OK;
}

/* 1 when order[] still puts this frame's atoms into the ids of frame 1. */
static int order_still_valid(const gmd_traj_reader *r)
{
    for (size_t j = 0; j < r->n; j++)
        if (r->raw.id[r->order[j]] != r->ids0[j]) return 0;
    return 1;
}

/* Positions further than this many box lengths from the box are refused as damaged: the
 * minimum image and unwrapping turn box-length counts into integers. */
#define MAX_BOX_LENGTHS_AWAY 1e6

static gmd_status check_positions(const gmd_traj_reader *r, gmd_error *err)
{
    const traj_raw *raw = &r->raw;
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < raw->n; i++) {
            double away = (raw->r[k][i] - raw->box.lo[k]) / raw->box.len[k];
            if (fabs(away) <= MAX_BOX_LENGTHS_AWAY) continue;
            char at[640];
            where(r, atom_line(raw, i), at, sizeof at);
            return gmd_fail(err, GMD_ERR_VALUE,
                            "%s: atom id %ld lies %g box lengths from the box (over %g); the file "
                            "is damaged: fix the position or write the trajectory again",
                            at, raw->id[i], away, MAX_BOX_LENGTHS_AWAY);
        }
    return GMD_OK;
}

static gmd_status check_same_atoms(const gmd_traj_reader *r, gmd_error *err)
{
    char at[640];
    if (r->raw.n != r->n) {
        where(r, r->raw.count_line, at, sizeof at);
        return gmd_fail(err, GMD_ERR_VALUE,
                        "%s: holds %zu atoms, but frame 1 held %zu; glassmd analyses a fixed "
                        "set of atoms (cut the trajectory where the count changes)",
                        at, r->raw.n, r->n);
    }
    for (size_t j = 0; j < r->n; j++) {
        size_t i = r->order[j];
        if (r->raw.id[i] != r->ids0[j]) {
            where(r, atom_line(&r->raw, i), at, sizeof at);
            return gmd_fail(err, GMD_ERR_VALUE,
                            "%s: atom id %ld is not among the ids of frame 1 (or one is "
                            "missing or repeated); every frame must hold the same atoms",
                            at, r->raw.id[i]);
        }
        if (r->raw.type[i] != r->types0[j]) {
            where(r, atom_line(&r->raw, i), at, sizeof at);
            return gmd_fail(err, GMD_ERR_VALUE, "%s: atom id %ld is %s here but %s in frame 1", at,
                            r->raw.id[i], r->sp.table.name[r->raw.type[i]],
                            r->sp.table.name[r->types0[j]]);
        }
    }
    return GMD_OK;
}

/* ---- the first frame ---------------------------------------------------------------- */

static gmd_status alloc_state(gmd_traj_reader *r, size_t n, gmd_error *err)
{
    r->n = n;
    r->ids0 = gmd_calloc(n, sizeof *r->ids0, "trajectory ids", err);
    r->types0 = gmd_calloc(n, sizeof *r->types0, "trajectory types", err);
    r->order = gmd_calloc(n, sizeof *r->order, "trajectory order", err);
    if (!r->ids0 || !r->types0 || !r->order) return GMD_ERR_NOMEM;
    for (int k = 0; k < 3; k++) {
        r->prev_raw[k] = gmd_calloc(n, sizeof(double), "trajectory unwrapping", err);
        r->prev_unw[k] = gmd_calloc(n, sizeof(double), "trajectory unwrapping", err);
        if (!r->prev_raw[k] || !r->prev_unw[k]) return GMD_ERR_NOMEM;
    }
    return GMD_OK;
}

/* Fixes the species table and the atoms (ids, species) from frame 1. */
static gmd_status first_frame(gmd_traj_reader *r, gmd_error *err)
{
    gmd_status st = check_positions(r, err);
    if (st != GMD_OK) return st;
    species_freeze(&r->sp, &r->raw);
    species_charges(&r->sp, &r->raw);
    st = alloc_state(r, r->raw.n, err);
    if (st == GMD_OK) st = sort_by_id(r, err);
    if (st != GMD_OK) return st;
    for (size_t j = 0; j < r->n; j++) {
        size_t i = r->order[j];
        r->ids0[j] = r->raw.id[i];
        r->types0[j] = r->raw.type[i];
        if (j > 0 && r->ids0[j] == r->ids0[j - 1]) {
            char at[640];
            where(r, atom_line(&r->raw, i), at, sizeof at);
            return gmd_fail(err, GMD_ERR_VALUE, "%s: atom id %ld appears twice; ids must be unique",
                            at, r->ids0[j]);
        }
    }
    return GMD_OK;
}

static gmd_status detect_format(const char *path, gmd_traj_in_format *format, gmd_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return gmd_fail(err, GMD_ERR_IO, "%s: cannot open the trajectory (%s); check the path",
                        path, strerror(errno));
    char head[256] = {0};
    size_t got = fread(head, 1, sizeof head - 1, fp);
    fclose(fp);
    const char *p = head;
    while (*p && isspace((unsigned char)*p))
        p++;
    if (got >= 4 &&
        (!memcmp(head, "CDF\001", 4) || !memcmp(head, "CDF\002", 4) || !memcmp(head, "\211HDF", 4)))
        *format = GMD_TRAJ_IN_NETCDF;
    else if (!strncmp(p, "ITEM:", 5))
        *format = GMD_TRAJ_IN_LAMMPSDUMP;
    else if (isdigit((unsigned char)*p))
        *format = GMD_TRAJ_IN_XYZ;
    else
        return gmd_fail(err, GMD_ERR_PARSE,
                        "%s: cannot tell the format (not a LAMMPS dump, NetCDF or extended XYZ "
                        "file); give --format lammpsdump|netcdf|xyz",
                        path);
    return GMD_OK;
}

static gmd_status open_backend(gmd_traj_reader *r, gmd_traj_in_format format, double dt_fs,
                               gmd_error *err)
{
    gmd_status st = GMD_OK;
    if (format == GMD_TRAJ_IN_AUTO && (st = detect_format(r->path, &format, err))) return st;
    switch (format) {
    case GMD_TRAJ_IN_LAMMPSDUMP:
        r->be = &traj_dump_backend;
        return traj_dump_open(&r->state, r->path, dt_fs, err);
    case GMD_TRAJ_IN_NETCDF:
        r->be = &traj_netcdf_backend;
        return traj_netcdf_open(&r->state, r->path, dt_fs, err);
    case GMD_TRAJ_IN_XYZ:
        r->be = &traj_xyz_backend;
        return traj_xyz_open(&r->state, r->path, dt_fs, err);
    default:
        return gmd_fail(err, GMD_ERR_VALUE, "%s: unknown trajectory format %d", r->path,
                        (int)format);
    }
}

gmd_status gmd_traj_reader_open(gmd_traj_reader **out, const char *path, gmd_traj_in_format format,
                                const gmd_forcefield *ff, const char *types_map, double dt_fs,
                                gmd_error *err)
{
    *out = NULL;
    gmd_traj_reader *r = gmd_calloc(1, sizeof *r, "trajectory reader", err);
    if (!r) return GMD_ERR_NOMEM;
    snprintf(r->path, sizeof r->path, "%s", path);
    int eof = 0;
    gmd_status st = species_init(&r->sp, ff, types_map, path, err);
    if (st == GMD_OK) st = open_backend(r, format, dt_fs > 0 ? dt_fs : 1.0, err);
    if (st == GMD_OK) st = r->be->read(r->state, &r->sp, &r->raw, &eof, err);
    if (st == GMD_OK && eof)
        st = gmd_fail(err, GMD_ERR_PARSE, "%s: holds no frame; check the file", path);
    if (st == GMD_OK) st = first_frame(r, err);
    if (st != GMD_OK) {
        gmd_traj_reader_close(r);
        return st;
    }
    r->pending = 1;
    *out = r;
    return GMD_OK;
}

/* ---- later frames ------------------------------------------------------------------- */

static gmd_status frame_reserve(gmd_frame *f, size_t n, gmd_error *err)
{
    if (f->r[0] && f->n == n) return GMD_OK;
    for (int k = 0; k < 3; k++) {
        double *p = gmd_realloc(f->r[k], n, sizeof *p, "frame positions", err);
        if (!p) return GMD_ERR_NOMEM;
        f->r[k] = p;
    }
    long *id = gmd_realloc(f->id, n, sizeof *id, "frame ids", err);
    if (!id) return GMD_ERR_NOMEM;
    f->id = id;
    int *type = gmd_realloc(f->type, n, sizeof *type, "frame types", err);
    if (!type) return GMD_ERR_NOMEM;
    f->type = type;
    f->n = n;
    return GMD_OK;
}

/* Position j of a wrapped file along axis k: u = x + n L with the image count n of the
 * previous frame, n_prev = round((u_prev - x_prev) / L_prev), less the boxes the minimum
 * image says the atom crossed since. With a fixed box this is u_prev + minimg(x - x_prev),
 * as it always was (kept so, bit for bit); with a box that changed it keeps u - x a whole
 * number of the frame's own box lengths. */
static double unwrap_one(double x, double x_prev, double u_prev, double len, double len_prev)
{
    const double step = x - x_prev;
    if (len == len_prev) return u_prev + gmd_min_image(step, len);
    const double n_prev = round((u_prev - x_prev) / len_prev);
    return x + (n_prev + round((gmd_min_image(step, len) - step) / len)) * len;
}

/* Positions in id order; unwrapped by minimum image where the file has wrapped ones. */
static void place_atoms(gmd_traj_reader *r, gmd_frame *f)
{
    const traj_raw *raw = &r->raw;
    int unwrap = !raw->unwrapped && r->have_prev;
    for (int k = 0; k < 3; k++) {
        const double *x = raw->r[k];
        double len = raw->box.len[k], len_prev = r->prev_len[k];
        double *u = f->r[k], *pr = r->prev_raw[k], *pu = r->prev_unw[k];
        for (size_t j = 0; j < r->n; j++) {
            double xj = x[r->order[j]];
            u[j] = unwrap ? unwrap_one(xj, pr[j], pu[j], len, len_prev) : xj;
            pr[j] = xj;
            pu[j] = u[j];
        }
        r->prev_len[k] = len;
    }
    r->have_prev = 1;
}

gmd_status gmd_traj_reader_next(gmd_traj_reader *r, gmd_frame *frame, int *eof, gmd_error *err)
{
    *eof = 0;
    gmd_status st = GMD_OK;
    if (!r->pending) {
        st = r->be->read(r->state, &r->sp, &r->raw, eof, err);
        if (st != GMD_OK || *eof) return st;
        if ((st = check_positions(r, err))) return st;
        if (r->raw.n == r->n && !order_still_valid(r) && (st = sort_by_id(r, err))) return st;
        if ((st = check_same_atoms(r, err))) return st;
    }
    r->pending = 0;
    if ((st = frame_reserve(frame, r->n, err))) return st;
    place_atoms(r, frame);
    memcpy(frame->id, r->ids0, r->n * sizeof *frame->id);
    memcpy(frame->type, r->types0, r->n * sizeof *frame->type);
    frame->step = r->raw.step;
    frame->time_ps = r->raw.time_ps;
    frame->box = r->raw.box;
    return GMD_OK;
}

const gmd_species_table *gmd_traj_reader_species(const gmd_traj_reader *r)
{
    return &r->sp.table;
}

void gmd_traj_reader_close(gmd_traj_reader *r)
{
    if (!r) return;
    if (r->be && r->state) r->be->close(r->state);
    raw_free(&r->raw);
    free(r->ids0);
    free(r->types0);
    free(r->order);
    for (int k = 0; k < 3; k++) {
        free(r->prev_raw[k]);
        free(r->prev_unw[k]);
    }
    free(r);
}

void gmd_frame_free(gmd_frame *frame)
{
    if (!frame) return;
    for (int k = 0; k < 3; k++)
        free(frame->r[k]);
    free(frame->id);
    free(frame->type);
    memset(frame, 0, sizeof *frame);
}
