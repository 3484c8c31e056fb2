/* traj_read_xyz.c - reading multi-frame extended XYZ (ASE, OVITO, QUIP, glassmd build),
 * frame by frame.
 *
 * A frame is: a line with the number of atoms N; a comment line of key=value pairs
 * (values may be "quoted"); N atom lines. Keys read (case-insensitive):
 *
 *   Lattice="Lx 0 0 0 Ly 0 0 0 Lz"   required; orthorhombic only
 *   Origin="x0 y0 z0"                the lower box corner (default 0 0 0)
 *   Properties=species:S:1:pos:R:3[:id:I:1][:charge:R:1]...   the columns as
 *                                    name:type:count triples (default species:S:1:pos:R:3)
 *   step= or timestep=               the MD step of the frame (default: frame index from 0)
 *
 * Atoms are named by species (element names); `id` is optional (1..N in file order); a
 * charge column (charge, q or initial_charges) gives charges when no force field does.
 * Other columns are skipped. Positions are taken as wrapped and unwrapped by the front end
 * by minimum image between frames (an XYZ file carries no image flags). Time = step * dt,
 * so without step keys dt is the time between frames. Blank lines between frames are
 * tolerated. Messages name FILE:LINE and the frame. */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io_util.h"
#include "traj_read_internal.h"

#define MAX_PROPERTIES 32

typedef struct xyz_columns {
    int ncols;
    int species, pos, id, q; /* first column of each, -1 when absent */
} xyz_columns;

typedef struct xyz_reader {
    gmd_line_reader in;
    char path[512];
    double dt_fs;
    long frame;
    int frame_line;
    gmd_error *err;
} xyz_reader;

static gmd_status fail_at(const xyz_reader *x, gmd_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static gmd_status fail_at(const xyz_reader *x, gmd_status code, const char *fmt, ...)
{
    char msg[GMD_ERROR_MSG_LEN];
    va_list args;
    va_start(args, fmt);
    vsnprintf(msg, sizeof msg, fmt, args);
    va_end(args);
    return gmd_fail(x->err, code, "%s:%d: frame %ld: %s", x->path, x->in.line, x->frame, msg);
}

static gmd_status require_line(xyz_reader *x, const char *what)
{
    int got = gmd_io_next_line(&x->in, x->err);
    if (got < 0) return x->in.status;
    if (got == 0)
        return fail_at(x, GMD_ERR_PARSE,
                       "truncated frame: the file ends before %s (the run was cut short?); "
                       "remove the incomplete frame (line %d on) or read the frames before it",
                       what, x->frame_line);
    return GMD_OK;
}

/* ---- the comment line --------------------------------------------------------------- */

/* Copies the (possibly quoted) value of key= into value; 0 when the key is absent. */
static int find_value(const char *line, const char *key, char *value, size_t len)
{
    size_t klen = strlen(key);
    const char *c = line;
    while (*c) {
        while (isspace((unsigned char)*c))
            c++;
        const char *start = c;
        while (*c && *c != '=' && !isspace((unsigned char)*c))
            c++;
        int match = (size_t)(c - start) == klen && !strncasecmp(start, key, klen);
        if (*c != '=') continue;
        const char *v = ++c;
        if (*c == '"') {
            v = ++c;
            while (*c && *c != '"')
                c++;
        } else {
            while (*c && !isspace((unsigned char)*c))
                c++;
        }
        if (match) {
            size_t n = (size_t)(c - v) < len - 1 ? (size_t)(c - v) : len - 1;
            memcpy(value, v, n);
            value[n] = '\0';
            return 1;
        }
        if (*c == '"') c++;
    }
    return 0;
}

static gmd_status parse_numbers(xyz_reader *x, char *text, const char *key, double *out, int count)
{
    char *col[16];
    int n = gmd_io_split(text, col, 15);
    int ok = n == count;
    for (int i = 0; ok && i < n; i++)
        ok = !gmd_io_parse_double(col[i], &out[i]);
    if (!ok) return fail_at(x, GMD_ERR_PARSE, "%s must hold %d numbers", key, count);
    return GMD_OK;
}

static gmd_status parse_lattice(xyz_reader *x, const char *line, gmd_box *box)
{
    char value[1024];
    double m[9], origin[3] = {0, 0, 0};
    if (!find_value(line, "Lattice", value, sizeof value))
        return fail_at(x, GMD_ERR_PARSE,
                       "no Lattice=\"Lx 0 0 0 Ly 0 0 0 Lz\" on the comment line; the analyses "
                       "need the periodic box");
    gmd_status st = parse_numbers(x, value, "Lattice", m, 9);
    if (st) return st;
    double scale = fmax(fabs(m[0]), fmax(fabs(m[4]), fabs(m[8])));
    for (int i = 0; i < 9; i++)
        if (i % 4 != 0 && fabs(m[i]) > 1e-10 * scale)
            return fail_at(x, GMD_ERR_VALUE,
                           "Lattice is not orthorhombic (off-diagonal %g); glassmd analyses "
                           "orthorhombic boxes only",
                           m[i]);
    if (!(m[0] > 0 && m[4] > 0 && m[8] > 0))
        return fail_at(x, GMD_ERR_VALUE, "Lattice diagonal %g %g %g must be positive", m[0], m[4],
                       m[8]);
    if (find_value(line, "Origin", value, sizeof value) &&
        (st = parse_numbers(x, value, "Origin", origin, 3)))
        return st;
    for (int k = 0; k < 3; k++) {
        box->lo[k] = origin[k];
        box->len[k] = m[4 * k];
    }
    return GMD_OK;
}

static gmd_status note_property(xyz_reader *x, const char *name, char type, long count,
                                xyz_columns *c)
{
    int *slot = NULL, want_count = 1;
    char want_type = 'R';
    if (!strcmp(name, "species"))
        slot = &c->species, want_type = 'S';
    else if (!strcmp(name, "pos"))
        slot = &c->pos, want_count = 3;
    else if (!strcmp(name, "id"))
        slot = &c->id, want_type = 'I';
    else if (!strcmp(name, "charge") || !strcmp(name, "q") || !strcmp(name, "initial_charges"))
        slot = &c->q;
    if (slot) {
        if (toupper((unsigned char)type) != want_type || count != want_count)
            return fail_at(x, GMD_ERR_VALUE, "property %s must be %s:%c:%d", name, name, want_type,
                           want_count);
        *slot = c->ncols;
    }
    c->ncols += (int)count;
    return GMD_OK;
}

static gmd_status parse_properties(xyz_reader *x, const char *line, xyz_columns *c)
{
    char value[1024], *fields[3 * MAX_PROPERTIES + 1];
    *c = (xyz_columns){0, -1, -1, -1, -1};
    if (!find_value(line, "Properties", value, sizeof value))
        snprintf(value, sizeof value, "species:S:1:pos:R:3");
    int n = 0;
    for (char *tok = value, *next; tok && n <= 3 * MAX_PROPERTIES; tok = next) {
        next = strchr(tok, ':');
        if (next) *next++ = '\0';
        fields[n++] = tok;
    }
    if (n % 3 != 0 || n > 3 * MAX_PROPERTIES)
        return fail_at(x, GMD_ERR_PARSE, "Properties must be name:type:count triples");
    for (int p = 0; p < n; p += 3) {
        long count;
        if (gmd_io_parse_long(fields[p + 2], &count) || count < 1 || count > 16 ||
            strlen(fields[p + 1]) != 1)
            return fail_at(x, GMD_ERR_PARSE, "Properties entry '%s:%s:%s' is malformed", fields[p],
                           fields[p + 1], fields[p + 2]);
        gmd_status st = note_property(x, fields[p], fields[p + 1][0], count, c);
        if (st) return st;
    }
    if (c->species < 0 || c->pos < 0)
        return fail_at(x, GMD_ERR_VALUE, "Properties lack species:S:1 or pos:R:3");
    if (c->ncols > GMD_IO_MAX_COLUMNS - 1)
        return fail_at(x, GMD_ERR_VALUE, "more than %d columns per atom", GMD_IO_MAX_COLUMNS - 1);
    return GMD_OK;
}

static gmd_status parse_step(xyz_reader *x, const char *line, long *step)
{
    char value[64];
    if (!find_value(line, "step", value, sizeof value) &&
        !find_value(line, "timestep", value, sizeof value)) {
        *step = x->frame - 1;
        return GMD_OK;
    }
    if (gmd_io_parse_long(value, step))
        return fail_at(x, GMD_ERR_PARSE, "step='%s' is not an integer", value);
    return GMD_OK;
}

/* ---- atom lines --------------------------------------------------------------------- */

static gmd_status parse_atom(xyz_reader *x, traj_species *sp, const xyz_columns *c, traj_raw *raw,
                             size_t i)
{
    char *col[GMD_IO_MAX_COLUMNS], why[512];
    int n = gmd_io_split(x->in.buf, col, GMD_IO_MAX_COLUMNS - 1);
    if (n != c->ncols)
        return fail_at(x, GMD_ERR_PARSE, "atom line has %d columns; Properties say %d%s", n,
                       c->ncols, n < c->ncols ? " (a truncated line?)" : "");
    raw->type[i] = traj_species_by_name(sp, col[c->species], 0, why, sizeof why);
    if (raw->type[i] < 0) return fail_at(x, GMD_ERR_VALUE, "%s", why);
    for (int k = 0; k < 3; k++)
        if (gmd_io_parse_double(col[c->pos + k], &raw->r[k][i]))
            return fail_at(x, GMD_ERR_PARSE, "position '%s' is not a number", col[c->pos + k]);
    raw->id[i] = (long)i + 1;
    if (c->id >= 0 && (gmd_io_parse_long(col[c->id], &raw->id[i]) || raw->id[i] < 1))
        return fail_at(x, GMD_ERR_PARSE, "id '%s' is not a positive integer", col[c->id]);
    if (c->q >= 0 && gmd_io_parse_double(col[c->q], &raw->q[i]))
        return fail_at(x, GMD_ERR_PARSE, "charge '%s' is not a number", col[c->q]);
    return GMD_OK;
}

static gmd_status read_atoms(xyz_reader *x, traj_species *sp, const xyz_columns *c, traj_raw *raw)
{
    raw->atom_line = x->in.line + 1;
    for (size_t i = 0; i < raw->n; i++) {
        char what[96];
        snprintf(what, sizeof what, "atom %zu of %zu", i + 1, raw->n);
        gmd_status st = require_line(x, what);
        if (!st) st = parse_atom(x, sp, c, raw, i);
        if (st) return st;
    }
    raw->have_q = c->q >= 0;
    raw->unwrapped = 0;
    return GMD_OK;
}

static gmd_status xyz_read(void *state, traj_species *sp, traj_raw *raw, int *eof, gmd_error *err)
{
    xyz_reader *x = state;
    x->err = err;
    int got;
    do {
        got = gmd_io_next_line(&x->in, err);
    } while (got > 0 && *gmd_io_trim(x->in.buf) == '\0');
    if (got < 0) return x->in.status;
    if (got == 0) {
        *eof = 1;
        return GMD_OK;
    }
    x->frame++;
    x->frame_line = x->in.line;
    raw->frame = x->frame;
    raw->count_line = x->in.line;
    long natoms;
    if (gmd_io_parse_long(gmd_io_trim(x->in.buf), &natoms) || natoms < 1)
        return fail_at(x, GMD_ERR_PARSE,
                       "expected the number of atoms (a positive integer), found '%.40s'",
                       gmd_io_trim(x->in.buf));
    xyz_columns c;
    gmd_status st = require_line(x, "the comment line");
    if (!st) st = parse_lattice(x, x->in.buf, &raw->box);
    if (!st) st = parse_properties(x, x->in.buf, &c);
    if (!st) st = parse_step(x, x->in.buf, &raw->step);
    if (!st) st = traj_raw_reserve(raw, (size_t)natoms, err);
    if (st) return st;
    raw->n = (size_t)natoms;
    raw->time_ps = (double)raw->step * x->dt_fs * 1e-3;
    return read_atoms(x, sp, &c, raw);
}

static void xyz_close(void *state)
{
    xyz_reader *x = state;
    if (x->in.fp) fclose(x->in.fp);
    free(x);
}

gmd_status traj_xyz_open(void **state, const char *path, double dt_fs, gmd_error *err)
{
    *state = NULL;
    xyz_reader *x = gmd_calloc(1, sizeof *x, "XYZ reader", err);
    if (!x) return GMD_ERR_NOMEM;
    snprintf(x->path, sizeof x->path, "%s", path);
    x->in.path = x->path;
    x->dt_fs = dt_fs;
    x->in.fp = fopen(path, "r");
    if (!x->in.fp) {
        free(x);
        return gmd_fail(err, GMD_ERR_IO, "%s: cannot open the XYZ file (%s); check the path", path,
                        strerror(errno));
    }
    *state = x;
    return GMD_OK;
}

const traj_backend traj_xyz_backend = {.read = xyz_read, .close = xyz_close};
