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

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extxyz_header.h"
#include "io_util.h"
#include "traj_read_internal.h"

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
    int got = gmd_text_next_line(&x->in, x->err);
    if (got < 0) return x->in.status;
    if (got == 0)
        return fail_at(x, GMD_ERR_PARSE,
                       "truncated frame: the file ends before %s (the run was cut short?); "
                       "remove the incomplete frame (line %d on) or read the frames before it",
                       what, x->frame_line);
    return GMD_OK;
}

/* ---- the comment line --------------------------------------------------------------- */

/* The box and the column map (extxyz_header.h). */
static gmd_status parse_comment_line(xyz_reader *x, gmd_box *box, gmd_xyz_columns *c)
{
    char why[512];
    gmd_status st = gmd_xyz_parse_lattice(x->in.buf, box, why, sizeof why);
    if (!st) st = gmd_xyz_parse_properties(x->in.buf, c, why, sizeof why);
    if (st) return fail_at(x, st, "%s", why);
    return GMD_OK;
}

static gmd_status parse_step(xyz_reader *x, const char *line, long *step)
{
    char value[64];
    if (!gmd_xyz_find_value(line, "step", value, sizeof value) &&
        !gmd_xyz_find_value(line, "timestep", value, sizeof value)) {
        *step = x->frame - 1;
        return GMD_OK;
    }
    if (gmd_text_to_long(value, step))
        return fail_at(x, GMD_ERR_PARSE, "step='%s' is not an integer", value);
    return GMD_OK;
}

/* ---- atom lines --------------------------------------------------------------------- */

static gmd_status parse_atom(xyz_reader *x, traj_species *sp, const gmd_xyz_columns *c,
                             traj_raw *raw, size_t i)
{
    char *col[GMD_IO_MAX_COLUMNS], why[512];
    int n = gmd_text_split(x->in.buf, col, GMD_IO_MAX_COLUMNS - 1);
    if (n != c->ncols)
        return fail_at(x, GMD_ERR_PARSE, "atom line has %d columns; Properties say %d%s", n,
                       c->ncols, n < c->ncols ? " (a truncated line?)" : "");
    raw->type[i] = traj_species_by_name(sp, col[c->species], 0, why, sizeof why);
    if (raw->type[i] < 0) return fail_at(x, GMD_ERR_VALUE, "%s", why);
    for (int k = 0; k < 3; k++)
        if (gmd_text_to_double(col[c->pos + k], &raw->r[k][i]))
            return fail_at(x, GMD_ERR_PARSE, "position '%s' is not a number", col[c->pos + k]);
    raw->id[i] = (long)i + 1;
    if (c->id >= 0 && (gmd_text_to_long(col[c->id], &raw->id[i]) || raw->id[i] < 1))
        return fail_at(x, GMD_ERR_PARSE, "id '%s' is not a positive integer", col[c->id]);
    if (c->q >= 0 && gmd_text_to_double(col[c->q], &raw->q[i]))
        return fail_at(x, GMD_ERR_PARSE, "charge '%s' is not a number", col[c->q]);
    return GMD_OK;
}

static gmd_status read_atoms(xyz_reader *x, traj_species *sp, const gmd_xyz_columns *c,
                             traj_raw *raw)
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
        got = gmd_text_next_line(&x->in, err);
    } while (got > 0 && *gmd_text_trim(x->in.buf) == '\0');
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
    if (gmd_text_to_long(gmd_text_trim(x->in.buf), &natoms) || natoms < 1)
        return fail_at(x, GMD_ERR_PARSE,
                       "expected the number of atoms (a positive integer), found '%.40s'",
                       gmd_text_trim(x->in.buf));
    if (!gmd_text_lines_fit(&x->in, natoms))
        return fail_at(x, GMD_ERR_PARSE,
                       "%ld atoms declared, more than the rest of the file can hold; the file "
                       "is cut or the count is wrong: fix the count or write the file again",
                       natoms);
    gmd_xyz_columns c;
    gmd_status st = require_line(x, "the comment line");
    if (!st) st = parse_comment_line(x, &raw->box, &c);
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
