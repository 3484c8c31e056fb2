/* lammps_data.c - LAMMPS data files, atom_style charge, orthorhombic box.
 *
 * Layout of the file (LAMMPS read_data): a title line, a header of `N atoms`,
 * `T atom types`, `lo hi xlo xhi` (y, z likewise) lines, then sections each introduced by
 * a keyword line, a blank line and a fixed number of data lines:
 *   Masses      T lines `type mass [# Name]`
 *   Atoms       N lines `id type q x y z [ix iy iz]` (keyword may carry `# charge`)
 *   Velocities  N lines `id vx vy vz` (optional)
 *   Atom Type Labels  T lines `type Name` (optional, LAMMPS 2023+; names types as the
 *               Masses comments do)
 *   Pair Coeffs / PairIJ Coeffs (as LAMMPS write_data emits them): skipped; the force
 *   field comes from the .ff file.
 * Sections may come in any order and atoms in any order; atoms are stored in file order
 * with their ids. Reading is two-phase: the raw file (types as numbers, file charges, the
 * line of each atom) is collected first, then types are mapped to species (explicit list,
 * Masses comments or masses, see config_io.h), charges checked against the force field
 * and replaced by its values, velocities attached by id, positions wrapped into the box.
 *
 * Writing produces the same layout in id order; positions and velocities with %.17g so
 * that a write/read round trip is exact. */
#include "glassmd/config_io.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "io_util.h"

#define MASS_TOLERANCE 0.05   /* g/mol, for mapping types by mass */
#define CHARGE_TOLERANCE 1e-6 /* e, file charge versus force-field charge */

typedef struct raw_type {
    double mass;
    int has_mass;
    char label[GMD_NAME_LEN]; /* first word of the Masses comment, or "" */
    int line;
} raw_type;

typedef struct velocity_line {
    long id;
    double v[3];
    int line;
} velocity_line;

/* Everything read from the file before types are mapped to species. */
typedef struct raw_data {
    long natoms;
    int ntypes;
    int have_box[3];
    gmd_box box;
    raw_type *types; /* [ntypes], index type-1 */
    int masses_line;
    int atoms_line;  /* 0 until the Atoms section is read */
    gmd_atoms atoms; /* type[] holds the LAMMPS type (1-based) until mapped */
    double *file_charge;
    int *atom_line;
    velocity_line *vel;
    long nvel;
} raw_data;

typedef struct data_reader {
    gmd_line_reader in;
    const gmd_forcefield *ff;
    raw_data raw;
    gmd_error *err;
} data_reader;

static gmd_status fail_line(const data_reader *d, int line, gmd_status code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static gmd_status fail_line(const data_reader *d, int line, gmd_status code, const char *fmt, ...)
{
    char msg[GMD_ERROR_MSG_LEN];
    va_list args;
    va_start(args, fmt);
    vsnprintf(msg, sizeof msg, fmt, args);
    va_end(args);
    return gmd_fail(d->err, code, "%s:%d: %s", d->in.path, line, msg);
}
#define FAIL(d, code, ...) fail_line((d), (d)->in.line, (code), __VA_ARGS__)

static void raw_free(raw_data *raw)
{
    free(raw->types);
    free(raw->file_charge);
    free(raw->atom_line);
    free(raw->vel);
    gmd_atoms_free(&raw->atoms);
}

/* Cuts a `#` comment off line; returns the comment text (trimmed) or "". */
static char *cut_comment(char *line)
{
    char *hash = strchr(line, '#');
    if (!hash) return line + strlen(line);
    *hash = '\0';
    return gmd_text_trim(hash + 1);
}

/* ---- header ------------------------------------------------------------------------- */

static gmd_status parse_count(data_reader *d, const char *text, const char *what, long *out)
{
    if (gmd_text_to_long(text, out) || *out < 0)
        return FAIL(d, GMD_ERR_PARSE, "'%s' is not a valid number of %s; write a whole number",
                    text, what);
    return GMD_OK;
}

static gmd_status parse_header_line(data_reader *d, char **col, int ncol)
{
    raw_data *raw = &d->raw;
    long n;
    gmd_status st;
    if (ncol == 2 && !strcmp(col[1], "atoms")) {
        if ((st = parse_count(d, col[0], "atoms", &n))) return st;
        if (!gmd_text_lines_fit(&d->in, n))
            return FAIL(d, GMD_ERR_PARSE,
                        "%ld atoms declared, more than the rest of the file can hold; the file "
                        "is cut or the count is wrong: fix the count or write the file again",
                        n);
        raw->natoms = n;
        return GMD_OK;
    }
    if (ncol == 3 && !strcmp(col[1], "atom") && !strcmp(col[2], "types")) {
        if ((st = parse_count(d, col[0], "atom types", &n))) return st;
        if (n < 1 || n > 1000) return FAIL(d, GMD_ERR_VALUE, "%ld atom types: need 1..1000", n);
        raw->ntypes = (int)n;
        return GMD_OK;
    }
    if (ncol == 4 && col[2][1] == 'l' && col[2][2] == 'o' && col[3][1] == 'h') {
        int k = col[2][0] - 'x';
        if (k >= 0 && k < 3 && col[2][0] == col[3][0] && !strcmp(col[2] + 1, "lo") &&
            !strcmp(col[3] + 1, "hi")) {
            double lo, hi;
            if (gmd_text_to_double(col[0], &lo) || gmd_text_to_double(col[1], &hi))
                return FAIL(d, GMD_ERR_PARSE, "box bounds '%s %s' are not numbers", col[0], col[1]);
            if (hi <= lo)
                return FAIL(d, GMD_ERR_VALUE, "box %s = %g must exceed %s = %g", col[3], hi, col[2],
                            lo);
            raw->box.lo[k] = lo;
            raw->box.len[k] = hi - lo;
            raw->have_box[k] = 1;
            return GMD_OK;
        }
    }
    if (ncol == 6 && !strcmp(col[3], "xy"))
        return FAIL(d, GMD_ERR_VALUE,
                    "triclinic box (xy xz yz tilt factors): glassmd supports orthorhombic boxes "
                    "only; remove the tilt (e.g. LAMMPS change_box all triclinic -> ortho)");
    return FAIL(d, GMD_ERR_PARSE,
                "unrecognised header line; atom_style charge files have 'N atoms', 'T atom "
                "types' and 'lo hi xlo xhi' (y, z) lines");
}

/* ---- sections ----------------------------------------------------------------------- */

/* Next non-blank line of a section body (comments kept); fails at end of file. */
static gmd_status body_line(data_reader *d, const char *section, long have, long want)
{
    for (;;) {
        int got = gmd_text_next_line(&d->in, d->err);
        if (got < 0) return d->in.status;
        if (got == 0)
            return FAIL(d, GMD_ERR_PARSE,
                        "file ends in the %s section after %ld of %ld lines; "
                        "complete the section or fix the count in the header",
                        section, have, want);
        const char *line = gmd_text_trim(d->in.buf);
        if (line[0] >= 'A' && line[0] <= 'Z') /* the next section keyword */
            return FAIL(d, GMD_ERR_PARSE,
                        "the %s section ends after %ld of %ld lines; fix the count in the "
                        "header or complete the section",
                        section, have, want);
        if (*line) return GMD_OK;
    }
}

static gmd_status read_masses(data_reader *d)
{
    raw_data *raw = &d->raw;
    if (raw->ntypes < 1)
        return FAIL(d, GMD_ERR_PARSE, "Masses before the 'T atom types' header line");
    raw->masses_line = d->in.line;
    for (int t = 0; t < raw->ntypes; t++) {
        gmd_status st = body_line(d, "Masses", t, raw->ntypes);
        if (st) return st;
        char *comment = cut_comment(d->in.buf);
        char *col[4];
        long type;
        double mass;
        if (gmd_text_split(d->in.buf, col, 3) != 2 || gmd_text_to_long(col[0], &type) ||
            gmd_text_to_double(col[1], &mass))
            return FAIL(d, GMD_ERR_PARSE, "Masses line must be 'type mass [# Name]'");
        if (type < 1 || type > raw->ntypes)
            return FAIL(d, GMD_ERR_VALUE, "type %ld is outside 1..%d (atom types)", type,
                        raw->ntypes);
        raw_type *rt = &raw->types[type - 1];
        if (rt->has_mass)
            return FAIL(d, GMD_ERR_VALUE, "type %ld has two Masses lines (first at line %d)", type,
                        rt->line);
        char *word[2];
        if (!rt->label[0] && gmd_text_split(comment, word, 1) == 1)
            snprintf(rt->label, sizeof rt->label, "%s", word[0]);
        rt->mass = mass;
        rt->has_mass = 1;
        rt->line = d->in.line;
    }
    return GMD_OK;
}

static gmd_status allocate_atoms(data_reader *d)
{
    raw_data *raw = &d->raw;
    size_t n = (size_t)raw->natoms;
    gmd_status st = gmd_atoms_init(&raw->atoms, n, d->err);
    if (st) return st;
    raw->file_charge = gmd_calloc(n, sizeof(double), "data-file charges", d->err);
    raw->atom_line = gmd_calloc(n, sizeof(int), "data-file lines", d->err);
    return raw->file_charge && raw->atom_line ? GMD_OK : GMD_ERR_NOMEM;
}

static gmd_status parse_atom_line(data_reader *d, size_t i)
{
    raw_data *raw = &d->raw;
    gmd_atoms *a = &raw->atoms;
    cut_comment(d->in.buf);
    char *col[10];
    int ncol = gmd_text_split(d->in.buf, col, 9);
    if (ncol != 6 && ncol != 9)
        return FAIL(d, GMD_ERR_PARSE,
                    "Atoms line has %d columns; atom_style charge needs 'id type q x y z "
                    "[ix iy iz]'",
                    ncol > 9 ? 10 : ncol);
    long id, type, img[3] = {0, 0, 0};
    double q, x[3];
    if (gmd_text_to_long(col[0], &id) || gmd_text_to_long(col[1], &type) ||
        gmd_text_to_double(col[2], &q) || gmd_text_to_double(col[3], &x[0]) ||
        gmd_text_to_double(col[4], &x[1]) || gmd_text_to_double(col[5], &x[2]) ||
        (ncol == 9 && (gmd_text_to_long(col[6], &img[0]) || gmd_text_to_long(col[7], &img[1]) ||
                       gmd_text_to_long(col[8], &img[2]))))
        return FAIL(d, GMD_ERR_PARSE,
                    "Atoms line has a non-numeric value; write 'id type q x y z [ix iy iz]'");
    if (id < 1) return FAIL(d, GMD_ERR_VALUE, "atom id %ld must be >= 1", id);
    if (type < 1 || type > raw->ntypes)
        return FAIL(d, GMD_ERR_VALUE, "atom %ld has type %ld outside 1..%d (atom types)", id, type,
                    raw->ntypes);
    for (int k = 0; k < 3; k++)
        if (labs(img[k]) > GMD_IO_MAX_IMAGE)
            return FAIL(d, GMD_ERR_VALUE,
                        "atom %ld has image flag %ld, beyond +-%d box lengths; the file is "
                        "damaged: fix the flag or write the file again",
                        id, img[k], GMD_IO_MAX_IMAGE);
    a->id[i] = id;
    a->type[i] = (int)type;
    raw->file_charge[i] = q;
    raw->atom_line[i] = d->in.line;
    for (int k = 0; k < 3; k++) {
        a->r[k][i] = x[k];
        a->image[k][i] = (int)img[k];
    }
    return GMD_OK;
}

static gmd_status read_atoms(data_reader *d, const char *comment)
{
    raw_data *raw = &d->raw;
    if (raw->atoms_line)
        return FAIL(d, GMD_ERR_PARSE, "a second Atoms section (the first is at line %d); keep one",
                    raw->atoms_line);
    if (*comment && strcmp(comment, "charge"))
        return FAIL(d, GMD_ERR_VALUE,
                    "Atoms section is '# %s'; glassmd reads atom_style charge ('id type q x y "
                    "z [ix iy iz]'): write the file with atom_style charge",
                    comment);
    if (raw->natoms < 1 || raw->ntypes < 1)
        return FAIL(d, GMD_ERR_PARSE,
                    "Atoms before the 'N atoms' and 'T atom types' header "
                    "lines; put the header first");
    raw->atoms_line = d->in.line;
    gmd_status st = allocate_atoms(d);
    for (long i = 0; !st && i < raw->natoms; i++)
        if (!(st = body_line(d, "Atoms", i, raw->natoms))) st = parse_atom_line(d, (size_t)i);
    return st;
}

static gmd_status read_velocities(data_reader *d)
{
    raw_data *raw = &d->raw;
    if (raw->natoms < 1)
        return FAIL(d, GMD_ERR_PARSE, "Velocities before the 'N atoms' header line");
    if (raw->vel) return FAIL(d, GMD_ERR_PARSE, "a second Velocities section; keep one");
    raw->vel = gmd_calloc((size_t)raw->natoms, sizeof *raw->vel, "velocities", d->err);
    if (!raw->vel) return GMD_ERR_NOMEM;
    for (long i = 0; i < raw->natoms; i++) {
        gmd_status st = body_line(d, "Velocities", i, raw->natoms);
        if (st) return st;
        cut_comment(d->in.buf);
        char *col[5];
        velocity_line *vl = &raw->vel[i];
        if (gmd_text_split(d->in.buf, col, 4) != 4 || gmd_text_to_long(col[0], &vl->id) ||
            gmd_text_to_double(col[1], &vl->v[0]) || gmd_text_to_double(col[2], &vl->v[1]) ||
            gmd_text_to_double(col[3], &vl->v[2]))
            return FAIL(d, GMD_ERR_PARSE, "Velocities line must be 'id vx vy vz' (numbers)");
        vl->line = d->in.line;
    }
    raw->nvel = raw->natoms;
    return GMD_OK;
}

/* `type Name` lines (LAMMPS 2023+ type labels): names the types like Masses comments. */
static gmd_status read_type_labels(data_reader *d)
{
    raw_data *raw = &d->raw;
    if (raw->ntypes < 1)
        return FAIL(d, GMD_ERR_PARSE, "Atom Type Labels before the 'T atom types' header line");
    for (int t = 0; t < raw->ntypes; t++) {
        gmd_status st = body_line(d, "Atom Type Labels", t, raw->ntypes);
        if (st) return st;
        cut_comment(d->in.buf);
        char *col[3];
        long type;
        if (gmd_text_split(d->in.buf, col, 2) != 2 || gmd_text_to_long(col[0], &type) || type < 1 ||
            type > raw->ntypes)
            return FAIL(d, GMD_ERR_PARSE,
                        "Atom Type Labels line must be 'type Name' with type "
                        "in 1..%d",
                        raw->ntypes);
        snprintf(raw->types[type - 1].label, GMD_NAME_LEN, "%s", col[1]);
    }
    return GMD_OK;
}

static gmd_status skip_lines(data_reader *d, const char *section, long count)
{
    for (long i = 0; i < count; i++) {
        gmd_status st = body_line(d, section, i, count);
        if (st) return st;
    }
    return GMD_OK;
}

static gmd_status read_section(data_reader *d, char *keyword, const char *comment)
{
    int nt = d->raw.ntypes;
    if (!strcmp(keyword, "Masses")) return read_masses(d);
    if (!strcmp(keyword, "Atoms")) return read_atoms(d, comment);
    if (!strcmp(keyword, "Velocities")) return read_velocities(d);
    if (!strcmp(keyword, "Atom Type Labels")) return read_type_labels(d);
    if (!strcmp(keyword, "Pair Coeffs")) return skip_lines(d, keyword, nt);
    if (!strcmp(keyword, "PairIJ Coeffs")) return skip_lines(d, keyword, (long)nt * (nt + 1) / 2);
    return FAIL(d, GMD_ERR_PARSE,
                "section '%s' is not supported (atom_style charge files have Masses, Atoms and "
                "Velocities); remove it",
                keyword);
}

static int is_section_keyword(const char *line)
{
    return (line[0] >= 'A' && line[0] <= 'Z');
}

static gmd_status read_file(data_reader *d)
{
    int got = gmd_text_next_line(&d->in, d->err); /* the title line */
    if (got <= 0)
        return got < 0 ? d->in.status
                       : gmd_fail(d->err, GMD_ERR_PARSE,
                                  "%s: empty file; expected a LAMMPS "
                                  "data file",
                                  d->in.path);
    gmd_status st = GMD_OK;
    int in_header = 1;
    while (!st && (got = gmd_text_next_line(&d->in, d->err)) > 0) {
        char *comment = cut_comment(d->in.buf);
        char *line = gmd_text_trim(d->in.buf);
        if (!*line) continue;
        if (is_section_keyword(line)) {
            in_header = 0;
            st = read_section(d, line, comment);
        } else if (in_header) {
            char *col[8];
            int ncol = gmd_text_split(line, col, 7);
            st = parse_header_line(d, col, ncol);
        } else {
            st = FAIL(d, GMD_ERR_PARSE,
                      "unexpected line after the sections (more lines than "
                      "the header counts?); fix the counts");
        }
    }
    return got < 0 ? d->in.status : st;
}

/* ---- from raw data to atoms ---------------------------------------------------------- */

static gmd_status species_by_name(data_reader *d, const char *name, const char *how, int *s)
{
    *s = gmd_forcefield_species_index(d->ff, name);
    if (*s >= 0) return GMD_OK;
    char known[512];
    gmd_forcefield_species_list(d->ff, known, sizeof known);
    return gmd_fail(d->err, GMD_ERR_VALUE,
                    "%s: %s names species '%s', which the force field %s does not define "
                    "(known species: %s)",
                    d->in.path, how, name, d->ff->path, known);
}

static gmd_status map_by_list(data_reader *d, const char *types_map, int *species)
{
    char list[1024];
    snprintf(list, sizeof list, "%s", types_map);
    int t = 0;
    for (char *tok = list, *next; tok; tok = next, t++) {
        next = strchr(tok, ',');
        if (next) *next++ = '\0';
        tok = gmd_text_trim(tok);
        if (t >= d->raw.ntypes)
            return gmd_fail(d->err, GMD_ERR_VALUE,
                            "%s: the type list '%s' names more species than the file's %d atom "
                            "types; give one name per type",
                            d->in.path, types_map, d->raw.ntypes);
        gmd_status st = species_by_name(d, tok, "the type list", &species[t]);
        if (st) return st;
    }
    if (t != d->raw.ntypes)
        return gmd_fail(d->err, GMD_ERR_VALUE,
                        "%s: the type list '%s' names %d species but the file has %d atom "
                        "types; give one name per type",
                        d->in.path, types_map, t, d->raw.ntypes);
    return GMD_OK;
}

static int all_labels_known(const data_reader *d)
{
    for (int t = 0; t < d->raw.ntypes; t++)
        if (gmd_forcefield_species_index(d->ff, d->raw.types[t].label) < 0) return 0;
    return 1;
}

static gmd_status map_by_labels(data_reader *d, int *species)
{
    for (int t = 0; t < d->raw.ntypes; t++) {
        const raw_type *rt = &d->raw.types[t];
        species[t] = gmd_forcefield_species_index(d->ff, rt->label);
        double want = d->ff->species[species[t]].mass;
        if (rt->has_mass && fabs(rt->mass - want) > MASS_TOLERANCE)
            return fail_line(d, rt->line, GMD_ERR_VALUE,
                             "type %d is labelled '%s' but its mass %g differs from %s's %g in "
                             "the force field; correct the mass or the label",
                             t + 1, rt->label, rt->mass, rt->label, want);
    }
    return GMD_OK;
}

static gmd_status map_by_mass(data_reader *d, int *species)
{
    char known[512] = "";
    for (int s = 0; s < d->ff->nspecies; s++) {
        size_t used = strlen(known);
        snprintf(known + used, sizeof known - used, "%s%s %g", s ? ", " : "",
                 d->ff->species[s].name, d->ff->species[s].mass);
    }
    for (int t = 0; t < d->raw.ntypes; t++) {
        const raw_type *rt = &d->raw.types[t];
        if (!rt->has_mass)
            return gmd_fail(d->err, GMD_ERR_VALUE,
                            "%s: type %d has no mass and no name; add a Masses line '%d mass # "
                            "Name' or give the type list (e.g. --types Si,S,Na)",
                            d->in.path, t + 1, t + 1);
        int found = -1, matches = 0;
        for (int s = 0; s < d->ff->nspecies; s++)
            if (fabs(rt->mass - d->ff->species[s].mass) <= MASS_TOLERANCE) found = s, matches++;
        if (matches != 1)
            return fail_line(d, rt->line, GMD_ERR_VALUE,
                             "type %d (mass %g) matches %s species of the force field within "
                             "%g g/mol (%s); name it with a comment '%d %g # Name' or the type "
                             "list (e.g. --types Si,S,Na)",
                             t + 1, rt->mass, matches ? "more than one" : "no", MASS_TOLERANCE,
                             known, t + 1, rt->mass);
        species[t] = found;
    }
    return GMD_OK;
}

static gmd_status map_types(data_reader *d, const char *types_map)
{
    int species[1000];
    gmd_status st;
    if (types_map && *types_map)
        st = map_by_list(d, types_map, species);
    else if (all_labels_known(d))
        st = map_by_labels(d, species);
    else
        st = map_by_mass(d, species);
    if (st) return st;
    gmd_atoms *a = &d->raw.atoms;
    for (size_t i = 0; i < a->n; i++) {
        int s = species[a->type[i] - 1];
        double q = d->ff->species[s].charge;
        if (fabs(d->raw.file_charge[i] - q) > CHARGE_TOLERANCE)
            return fail_line(d, d->raw.atom_line[i], GMD_ERR_VALUE,
                             "atom %ld (type %d = %s) has charge %.10g but the force field "
                             "gives %s %.10g; fix the charge or the type mapping",
                             a->id[i], a->type[i], d->ff->species[s].name, d->raw.file_charge[i],
                             d->ff->species[s].name, q);
        a->type[i] = s;
    }
    return GMD_OK;
}

/* Checks ids are unique and attaches velocities by id (binary search in id order). */
static gmd_status attach_velocities(data_reader *d)
{
    gmd_atoms *a = &d->raw.atoms;
    size_t *order = gmd_io_order_by_id(a, d->err);
    if (!order) return GMD_ERR_NOMEM;
    gmd_status st = GMD_OK;
    for (size_t k = 1; k < a->n && !st; k++)
        if (a->id[order[k]] == a->id[order[k - 1]])
            st = fail_line(d, d->raw.atom_line[order[k]], GMD_ERR_VALUE,
                           "atom id %ld appears twice (also at line %d); ids must be unique",
                           a->id[order[k]], d->raw.atom_line[order[k - 1]]);
    for (long m = 0; m < d->raw.nvel && !st; m++) {
        const velocity_line *vl = &d->raw.vel[m];
        size_t lo = 0, hi = a->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (a->id[order[mid]] < vl->id)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == a->n || a->id[order[lo]] != vl->id)
            st = fail_line(d, vl->line, GMD_ERR_VALUE,
                           "velocity for atom id %ld, which the Atoms section lacks", vl->id);
        else
            for (int k = 0; k < 3; k++)
                a->v[k][order[lo]] = vl->v[k];
    }
    free(order);
    return st;
}

static gmd_status check_complete(data_reader *d)
{
    static const char axis[3] = {'x', 'y', 'z'};
    for (int k = 0; k < 3; k++)
        if (!d->raw.have_box[k])
            return gmd_fail(d->err, GMD_ERR_PARSE,
                            "%s: the header lacks '%clo %chi'; add 'lo hi %clo %chi'", d->in.path,
                            axis[k], axis[k], axis[k], axis[k]);
    if (!d->raw.atoms_line)
        return gmd_fail(d->err, GMD_ERR_PARSE, "%s: no Atoms section; add one", d->in.path);
    return GMD_OK;
}

gmd_status gmd_lammps_data_read(const char *path, const gmd_forcefield *ff, const char *types_map,
                                gmd_box *box, gmd_atoms *atoms, gmd_error *err)
{
    data_reader d = {.in = {.path = path}, .ff = ff, .err = err};
    d.in.fp = fopen(path, "r");
    if (!d.in.fp)
        return gmd_fail(err, GMD_ERR_IO, "%s: cannot open data file (%s); check the path", path,
                        strerror(errno));
    d.raw.types = gmd_calloc(1000, sizeof *d.raw.types, "atom types", err);
    gmd_status st = d.raw.types ? read_file(&d) : GMD_ERR_NOMEM;
    fclose(d.in.fp);
    if (!st) st = check_complete(&d);
    if (!st) st = map_types(&d, types_map);
    if (!st) st = attach_velocities(&d);
    if (!st) st = gmd_io_finish_atoms(path, ff, &d.raw.box, &d.raw.atoms, err);
    if (!st) {
        *box = d.raw.box;
        *atoms = d.raw.atoms;
        memset(&d.raw.atoms, 0, sizeof d.raw.atoms); /* ownership moved to the caller */
    }
    raw_free(&d.raw);
    return st;
}

/* ---- writing ------------------------------------------------------------------------ */

static void write_title(FILE *fp, const char *comment)
{
    fputs("glassmd LAMMPS data file (atom_style charge)", fp);
    if (comment && *comment) {
        fputs(": ", fp);
        for (const char *c = comment; *c; c++)
            fputc(*c == '\n' || *c == '\r' ? ' ' : *c, fp);
    }
    fputc('\n', fp);
}

static void write_body(FILE *fp, const gmd_forcefield *ff, const gmd_box *box, const gmd_atoms *a,
                       const size_t *order)
{
    static const char axis[3] = {'x', 'y', 'z'};
    fprintf(fp, "\n%zu atoms\n%d atom types\n\n", a->n, ff->nspecies);
    for (int k = 0; k < 3; k++)
        fprintf(fp, "%.17g %.17g %clo %chi\n", box->lo[k], box->lo[k] + box->len[k], axis[k],
                axis[k]);
    fputs("\nMasses\n\n", fp);
    for (int s = 0; s < ff->nspecies; s++)
        fprintf(fp, "%d %.12g # %s\n", s + 1, ff->species[s].mass, ff->species[s].name);
    fputs("\nAtoms # charge\n\n", fp);
    for (size_t m = 0; m < a->n; m++) {
        size_t i = order[m];
        fprintf(fp, "%ld %d %.12g %.17g %.17g %.17g %d %d %d\n", a->id[i], a->type[i] + 1,
                a->charge[i], a->r[0][i], a->r[1][i], a->r[2][i], a->image[0][i], a->image[1][i],
                a->image[2][i]);
    }
    fputs("\nVelocities\n\n", fp);
    for (size_t m = 0; m < a->n; m++) {
        size_t i = order[m];
        fprintf(fp, "%ld %.17g %.17g %.17g\n", a->id[i], a->v[0][i], a->v[1][i], a->v[2][i]);
    }
}

gmd_status gmd_lammps_data_write(const char *path, const gmd_forcefield *ff, const gmd_box *box,
                                 const gmd_atoms *atoms, const char *comment, gmd_error *err)
{
    size_t *order = gmd_io_order_by_id(atoms, err);
    if (!order) return GMD_ERR_NOMEM;
    FILE *fp = fopen(path, "w");
    if (!fp) {
        free(order);
        return gmd_fail(err, GMD_ERR_IO, "%s: cannot create data file (%s); check the directory",
                        path, strerror(errno));
    }
    write_title(fp, comment);
    write_body(fp, ff, box, atoms, order);
    free(order);
    int bad = ferror(fp);
    if (fclose(fp) != 0 || bad)
        return gmd_fail(err, GMD_ERR_IO, "%s: write failed (disk full?)", path);
    return GMD_OK;
}
