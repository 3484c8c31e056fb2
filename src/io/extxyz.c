/* extxyz.c - extended XYZ configurations (the format of ASE, OVITO and QUIP).
 *
 * Layout: line 1 the number of atoms N; line 2 `key=value` pairs (values may be quoted):
 *   Lattice="Lx 0 0 0 Ly 0 0 0 Lz"   the box vectors as rows (orthorhombic only here)
 *   Properties=species:S:1:pos:R:3:id:I:1   the per-atom columns as name:type:count
 *   Origin="x0 y0 z0"   the lower box corner (glassmd writes it; default 0 0 0)
 * then N lines of columns as Properties says. Species are force-field names; `pos` in A;
 * `id` is optional (1..N in file order without it). Other properties (velo, forces,
 * masses, ...) are skipped on reading: writers disagree on their units (ASE velocities are
 * in A per ASE time unit, not A/ps), so velocities start at zero. Charges come from the
 * force field, positions are wrapped into the box after reading.
 *
 * Writing emits species, pos and id in id order, positions with %.17g (exact round trip). */
#include "glassmd/config_io.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "extxyz_header.h"
#include "io_util.h"

typedef struct xyz_reader {
    gmd_line_reader in;
    const gmd_forcefield *ff;
    gmd_error *err;
} xyz_reader;

static gmd_status fail_here(const xyz_reader *x, gmd_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static gmd_status fail_here(const xyz_reader *x, gmd_status code, const char *fmt, ...)
{
    char msg[GMD_ERROR_MSG_LEN];
    va_list args;
    va_start(args, fmt);
    vsnprintf(msg, sizeof msg, fmt, args);
    va_end(args);
    return gmd_fail(x->err, code, "%s:%d: %s", x->in.path, x->in.line, msg);
}

/* The box and the column map from the comment line (extxyz_header.h). */
static gmd_status parse_comment_line(const xyz_reader *x, gmd_box *box, gmd_xyz_columns *map)
{
    char why[512];
    gmd_status st = gmd_xyz_parse_lattice(x->in.buf, box, why, sizeof why);
    if (!st) st = gmd_xyz_parse_properties(x->in.buf, map, why, sizeof why);
    if (st) return fail_here(x, st, "%s", why);
    return GMD_OK;
}

static gmd_status parse_atom(xyz_reader *x, const gmd_xyz_columns *map, gmd_atoms *a, size_t i)
{
    char *col[GMD_IO_MAX_COLUMNS];
    int n = gmd_text_split(x->in.buf, col, GMD_IO_MAX_COLUMNS - 1);
    if (n != map->ncols)
        return fail_here(x, GMD_ERR_PARSE, "atom line has %d columns; Properties say %d", n,
                         map->ncols);
    int s = gmd_forcefield_species_index(x->ff, col[map->species]);
    if (s < 0) {
        char known[512];
        gmd_forcefield_species_list(x->ff, known, sizeof known);
        return fail_here(x, GMD_ERR_VALUE, "unknown species '%s'; the force field %s defines %s",
                         col[map->species], x->ff->path, known);
    }
    for (int k = 0; k < 3; k++)
        if (gmd_text_to_double(col[map->pos + k], &a->r[k][i]))
            return fail_here(x, GMD_ERR_PARSE, "position '%s' is not a number", col[map->pos + k]);
    a->id[i] = (long)i + 1;
    if (map->id >= 0 && (gmd_text_to_long(col[map->id], &a->id[i]) || a->id[i] < 1))
        return fail_here(x, GMD_ERR_PARSE, "id '%s' is not a positive integer", col[map->id]);
    a->type[i] = s;
    return GMD_OK;
}

static gmd_status require_line(xyz_reader *x, const char *what)
{
    int got = gmd_text_next_line(&x->in, x->err);
    if (got < 0) return x->in.status;
    if (got == 0)
        return gmd_fail(x->err, GMD_ERR_PARSE, "%s: file ends after line %d, before %s", x->in.path,
                        x->in.line, what);
    return GMD_OK;
}

static gmd_status read_count(xyz_reader *x, long *natoms)
{
    gmd_status st = require_line(x, "the atom count");
    if (st) return st;
    if (gmd_text_to_long(gmd_text_trim(x->in.buf), natoms) || *natoms < 1)
        return fail_here(x, GMD_ERR_PARSE,
                         "the first line must be the number of atoms (a positive integer)");
    if (!gmd_text_lines_fit(&x->in, *natoms))
        return fail_here(x, GMD_ERR_PARSE,
                         "%ld atoms declared, more than the rest of the file can hold; the file "
                         "is cut or the count is wrong: fix the count or write the file again",
                         *natoms);
    return GMD_OK;
}

static gmd_status check_unique_ids(const xyz_reader *x, const gmd_atoms *a)
{
    size_t *order = gmd_io_order_by_id(a, x->err);
    if (!order) return GMD_ERR_NOMEM;
    gmd_status st = GMD_OK;
    for (size_t k = 1; k < a->n && !st; k++)
        if (a->id[order[k]] == a->id[order[k - 1]])
            st = gmd_fail(x->err, GMD_ERR_VALUE,
                          "%s: atom id %ld appears twice; ids must be "
                          "unique",
                          x->in.path, a->id[order[k]]);
    free(order);
    return st;
}

static gmd_status read_xyz(xyz_reader *x, gmd_box *box, gmd_atoms *a)
{
    long natoms;
    gmd_xyz_columns map;
    gmd_status st;
    if ((st = read_count(x, &natoms)) || (st = require_line(x, "the comment line")) ||
        (st = parse_comment_line(x, box, &map)) || (st = gmd_atoms_init(a, (size_t)natoms, x->err)))
        return st;
    for (size_t i = 0; i < (size_t)natoms; i++) {
        char what[64];
        snprintf(what, sizeof what, "atom %zu of %ld", i + 1, natoms);
        if ((st = require_line(x, what)) || (st = parse_atom(x, &map, a, i))) return st;
    }
    return check_unique_ids(x, a);
}

gmd_status gmd_extxyz_read(const char *path, const gmd_forcefield *ff, gmd_box *box,
                           gmd_atoms *atoms, gmd_error *err)
{
    xyz_reader x = {.in = {.path = path}, .ff = ff, .err = err};
    x.in.fp = fopen(path, "r");
    if (!x.in.fp)
        return gmd_fail(err, GMD_ERR_IO,
                        "%s: cannot open extended XYZ file (%s); check the "
                        "path",
                        path, strerror(errno));
    gmd_atoms a = {0};
    gmd_box b;
    gmd_status st = read_xyz(&x, &b, &a);
    fclose(x.in.fp);
    if (!st) st = gmd_io_finish_atoms(path, ff, &b, &a, err);
    if (st) {
        gmd_atoms_free(&a);
        return st;
    }
    *box = b;
    *atoms = a;
    return GMD_OK;
}

gmd_status gmd_extxyz_write(const char *path, const gmd_forcefield *ff, const gmd_box *box,
                            const gmd_atoms *atoms, const char *comment, gmd_error *err)
{
    size_t *order = gmd_io_order_by_id(atoms, err);
    if (!order) return GMD_ERR_NOMEM;
    FILE *fp = fopen(path, "w");
    if (!fp) {
        free(order);
        return gmd_fail(err, GMD_ERR_IO, "%s: cannot create file (%s); check the directory", path,
                        strerror(errno));
    }
    fprintf(fp,
            "%zu\nLattice=\"%.17g 0 0 0 %.17g 0 0 0 %.17g\" Origin=\"%.17g %.17g %.17g\" "
            "Properties=species:S:1:pos:R:3:id:I:1 pbc=\"T T T\"",
            atoms->n, box->len[0], box->len[1], box->len[2], box->lo[0], box->lo[1], box->lo[2]);
    if (comment && *comment) {
        fputs(" comment=\"", fp);
        for (const char *c = comment; *c; c++)
            fputc(*c == '"' ? '\'' : (*c == '\n' || *c == '\r') ? ' ' : *c, fp);
        fputc('"', fp);
    }
    fputc('\n', fp);
    for (size_t m = 0; m < atoms->n; m++) {
        size_t i = order[m];
        fprintf(fp, "%s %.17g %.17g %.17g %ld\n", ff->species[atoms->type[i]].name, atoms->r[0][i],
                atoms->r[1][i], atoms->r[2][i], atoms->id[i]);
    }
    free(order);
    int bad = ferror(fp);
    if (fclose(fp) != 0 || bad)
        return gmd_fail(err, GMD_ERR_IO, "%s: write failed (disk full?)", path);
    return GMD_OK;
}
