/* traj_read_dump.c - reading LAMMPS text dumps (`dump custom`, `dump atom`) frame by frame.
 *
 * A frame is a sequence of ITEM sections, ending with the atoms:
 *
 *   ITEM: TIMESTEP                 step
 *   ITEM: NUMBER OF ATOMS          n
 *   ITEM: BOX BOUNDS pp pp pp      three lines `lo hi` (orthorhombic; a triclinic box,
 *                                  `BOX BOUNDS xy xz yz ...`, is rejected)
 *   ITEM: ATOMS <column names>     n lines, one atom each, in any order
 *
 * (`ITEM: TIME` and `ITEM: UNITS`, written by dump_modify time/units, are skipped.) The
 * columns may come in any order; the reader looks for id, type, element, q and the
 * positions, in this order of preference:
 *
 *   xu yu zu                 unwrapped
 *   x y z    + ix iy iz      wrapped with image flags: x + ix * len
 *   xs ys zs + ix iy iz      scaled with image flags:  lo + (xs + ix) * len
 *   xsu ysu zsu              scaled unwrapped:         lo + xsu * len
 *   x y z                    wrapped, no image flags: unwrapped by the front end
 *   xs ys zs                 scaled, no image flags:  likewise, after lo + xs * len
 *
 * Other columns (vx, fx, c_pe, ...) are ignored. The column map is rebuilt from every
 * ATOMS line, so frames may differ in their columns. Species come from the element column
 * when there is one, else from the type through the types map or the force field
 * (traj_species_by_type). Time = step * dt.
 *
 * Every message names FILE:LINE and the frame (1-based, counting frames in the file). */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_util.h"
#include "traj_read_internal.h"

#define POSITIONS_HINT                                                                             \
    "glassmd needs xu yu zu, or x y z with ix iy iz, or xs ys zs (with ix iy iz), or xsu ysu "     \
    "zsu (x y z or xs ys zs alone are unwrapped between frames)"

typedef struct dump_reader {
    gmd_line_reader in;
    char path[512];
    double dt_fs;
    long frame;     /* frames begun so far */
    int frame_line; /* line of the frame's first ITEM */
    gmd_error *err;
} dump_reader;

/* Where the columns of one ATOMS line are. */
typedef struct dump_columns {
    int ncols;
    int id, type, element, q;
    int pos[3], image[3];
    int scaled, images, unwrapped;
    const char *pos_names[3];
} dump_columns;

static gmd_status fail_at(const dump_reader *d, gmd_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static gmd_status fail_at(const dump_reader *d, gmd_status code, const char *fmt, ...)
{
    char msg[GMD_ERROR_MSG_LEN];
    va_list args;
    va_start(args, fmt);
    vsnprintf(msg, sizeof msg, fmt, args);
    va_end(args);
    return gmd_fail(d->err, code, "%s:%d: frame %ld: %s", d->path, d->in.line, d->frame, msg);
}

/* Next line; 0 at end of file, -1 on error (err set). */
static int next_line(dump_reader *d)
{
    return gmd_text_next_line(&d->in, d->err);
}

/* The next line of a frame that must go on: end of file means a truncated frame. */
static gmd_status truncated(dump_reader *d, const char *what)
{
    return fail_at(d, GMD_ERR_PARSE,
                   "truncated frame: the file ends before %s (the run was cut short?); "
                   "remove the incomplete frame (line %d on) or read the frames before it",
                   what, d->frame_line);
}

static gmd_status require_line(dump_reader *d, const char *what)
{
    int got = next_line(d);
    if (got < 0) return d->in.status;
    return got == 0 ? truncated(d, what) : GMD_OK;
}

/* ---- header sections ---------------------------------------------------------------- */

static gmd_status read_long_value(dump_reader *d, const char *item, long *value)
{
    char what[64];
    snprintf(what, sizeof what, "the value of ITEM: %s", item);
    gmd_status st = require_line(d, what);
    if (st) return st;
    if (gmd_text_to_long(gmd_text_trim(d->in.buf), value))
        return fail_at(d, GMD_ERR_PARSE, "ITEM: %s must be followed by an integer, not '%s'", item,
                       gmd_text_trim(d->in.buf));
    return GMD_OK;
}

static int has_word(char *text, const char *word)
{
    char copy[GMD_TEXT_LINE_LEN], *col[GMD_IO_MAX_COLUMNS];
    snprintf(copy, sizeof copy, "%s", text);
    int n = gmd_text_split(copy, col, GMD_IO_MAX_COLUMNS - 1);
    for (int i = 0; i < n && i < GMD_IO_MAX_COLUMNS - 1; i++)
        if (!strcmp(col[i], word)) return 1;
    return 0;
}

static gmd_status read_box(dump_reader *d, char *flags, gmd_box *box)
{
    if (has_word(flags, "xy") || has_word(flags, "xz") || has_word(flags, "yz") ||
        has_word(flags, "abc"))
        return fail_at(d, GMD_ERR_VALUE,
                       "the box is triclinic ('ITEM: BOX BOUNDS %s'); glassmd analyses "
                       "orthorhombic boxes only",
                       gmd_text_trim(flags));
    for (int k = 0; k < 3; k++) {
        gmd_status st = require_line(d, "the box bounds");
        if (st) return st;
        char *col[4];
        double lo, hi;
        int n = gmd_text_split(d->in.buf, col, 3);
        if (n != 2 || gmd_text_to_double(col[0], &lo) || gmd_text_to_double(col[1], &hi))
            return fail_at(d, GMD_ERR_PARSE,
                           "box bounds must be two numbers 'lo hi' (orthorhombic box)");
        if (!(hi > lo))
            return fail_at(d, GMD_ERR_VALUE, "box bounds %g %g: hi must exceed lo", lo, hi);
        box->lo[k] = lo;
        box->len[k] = hi - lo;
    }
    return GMD_OK;
}

/* ---- the ATOMS line ----------------------------------------------------------------- */

static int find_column(char **names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name)) return i;
    return -1;
}

/* Picks the first usable set of position columns (see the header comment). */
static int choose_positions(char **names, int n, dump_columns *c)
{
    static const struct {
        const char *name[3];
        int scaled, images, unwrapped;
    } choices[] = {
        {{"xu", "yu", "zu"}, 0, 0, 1},    {{"x", "y", "z"}, 0, 1, 1}, {{"xs", "ys", "zs"}, 1, 1, 1},
        {{"xsu", "ysu", "zsu"}, 1, 0, 1}, {{"x", "y", "z"}, 0, 0, 0}, {{"xs", "ys", "zs"}, 1, 0, 0},
    };
    const char *image_names[3] = {"ix", "iy", "iz"};
    for (size_t ch = 0; ch < sizeof choices / sizeof choices[0]; ch++) {
        int ok = 1;
        for (int k = 0; k < 3; k++) {
            c->pos[k] = find_column(names, n, choices[ch].name[k]);
            c->image[k] = find_column(names, n, image_names[k]);
            ok = ok && c->pos[k] >= 0 && (!choices[ch].images || c->image[k] >= 0);
            c->pos_names[k] = choices[ch].name[k];
        }
        if (ok) {
            c->scaled = choices[ch].scaled;
            c->images = choices[ch].images;
            c->unwrapped = choices[ch].unwrapped;
            return 1;
        }
    }
    return 0;
}

static gmd_status parse_columns(dump_reader *d, char *text, dump_columns *c)
{
    char copy[GMD_TEXT_LINE_LEN], *names[GMD_IO_MAX_COLUMNS];
    snprintf(copy, sizeof copy, "%s", text);
    int n = gmd_text_split(copy, names, GMD_IO_MAX_COLUMNS - 1);
    if (n > GMD_IO_MAX_COLUMNS - 1)
        return fail_at(d, GMD_ERR_PARSE, "more than %d columns per atom; dump fewer",
                       GMD_IO_MAX_COLUMNS - 1);
    *c = (dump_columns){.ncols = n};
    c->id = find_column(names, n, "id");
    c->type = find_column(names, n, "type");
    c->element = find_column(names, n, "element");
    c->q = find_column(names, n, "q");
    if (c->id < 0)
        return fail_at(d, GMD_ERR_PARSE, "'ITEM: ATOMS %s' has no id column; dump with id",
                       gmd_text_trim(text));
    if (c->type < 0 && c->element < 0)
        return fail_at(d, GMD_ERR_PARSE,
                       "'ITEM: ATOMS %s' has neither a type nor an element column; dump one",
                       gmd_text_trim(text));
    if (!choose_positions(names, n, c))
        return fail_at(d, GMD_ERR_PARSE, "'ITEM: ATOMS %s' lacks positions; " POSITIONS_HINT,
                       gmd_text_trim(text));
    return GMD_OK;
}

/* Reads the ITEM sections up to and including the ATOMS line. */
static gmd_status read_header(dump_reader *d, traj_raw *raw, long *natoms, dump_columns *c)
{
    int have_step = 0, have_n = 0, have_box = 0;
    for (;;) {
        char *line = gmd_text_trim(d->in.buf);
        if (strncmp(line, "ITEM:", 5) != 0)
            return fail_at(d, GMD_ERR_PARSE, "expected an 'ITEM:' line, found '%.60s'", line);
        char *item = gmd_text_trim(line + 5);
        gmd_status st = GMD_OK;
        if (!strcmp(item, "TIMESTEP")) {
            st = read_long_value(d, "TIMESTEP", &raw->step);
            have_step = 1;
        } else if (!strcmp(item, "NUMBER OF ATOMS")) {
            st = read_long_value(d, "NUMBER OF ATOMS", natoms);
            raw->count_line = d->in.line;
            if (!st && *natoms < 1)
                st = fail_at(d, GMD_ERR_VALUE, "the number of atoms must be positive");
            if (!st && !gmd_text_lines_fit(&d->in, *natoms))
                st = fail_at(d, GMD_ERR_PARSE,
                             "NUMBER OF ATOMS is %ld, more than the rest of the file can hold; "
                             "the file is cut or the count is wrong: fix the count or write the "
                             "file again",
                             *natoms);
            have_n = 1;
        } else if (!strncmp(item, "BOX BOUNDS", 10)) {
            st = read_box(d, item + 10, &raw->box);
            have_box = 1;
        } else if (!strcmp(item, "TIME") || !strcmp(item, "UNITS")) {
            st = require_line(d, "the value of ITEM: TIME/UNITS");
        } else if (!strncmp(item, "ATOMS", 5) && (item[5] == ' ' || item[5] == '\t')) {
            if (!have_step || !have_n || !have_box)
                return fail_at(d, GMD_ERR_PARSE,
                               "ITEM: ATOMS before ITEM: %s; each frame needs TIMESTEP, NUMBER "
                               "OF ATOMS and BOX BOUNDS first",
                               !have_step ? "TIMESTEP"
                               : !have_n  ? "NUMBER OF ATOMS"
                                          : "BOX BOUNDS");
            return parse_columns(d, item + 5, c);
        } else {
            return fail_at(d, GMD_ERR_PARSE,
                           "unknown section 'ITEM: %.60s' (expected TIMESTEP, NUMBER OF ATOMS, BOX "
                           "BOUNDS or ATOMS)",
                           item);
        }
        if (st) return st;
        if ((st = require_line(d, "ITEM: ATOMS"))) return st;
    }
}

/* ---- atom lines --------------------------------------------------------------------- */

static gmd_status parse_real(dump_reader *d, const char *text, const char *column, double *out)
{
    if (gmd_text_to_double(text, out))
        return fail_at(d, GMD_ERR_PARSE, "column %s holds '%s', not a number", column, text);
    return GMD_OK;
}

static gmd_status parse_integer(dump_reader *d, const char *text, const char *column, long lo,
                                long hi, long *out)
{
    if (gmd_text_to_long(text, out) || *out < lo || *out > hi)
        return fail_at(d, GMD_ERR_PARSE, "column %s holds '%s', not an integer in [%ld, %ld]",
                       column, text, lo, hi);
    return GMD_OK;
}

static gmd_status atom_species(dump_reader *d, traj_species *sp, const dump_columns *c, char **col,
                               int *species)
{
    long type = 0;
    char why[512];
    gmd_status st = GMD_OK;
    if (c->type >= 0 && (st = parse_integer(d, col[c->type], "type", 1, INT_MAX, &type))) return st;
    *species = c->element >= 0 ? traj_species_by_name(sp, col[c->element], type, why, sizeof why)
                               : traj_species_by_type(sp, type, why, sizeof why);
    if (*species < 0) return fail_at(d, GMD_ERR_VALUE, "%s", why);
    return GMD_OK;
}

static gmd_status atom_position(dump_reader *d, const dump_columns *c, char **col,
                                const gmd_box *box, double x[3])
{
    for (int k = 0; k < 3; k++) {
        gmd_status st = parse_real(d, col[c->pos[k]], c->pos_names[k], &x[k]);
        if (st) return st;
        if (c->scaled) x[k] = box->lo[k] + x[k] * box->len[k];
        if (c->images) {
            long image;
            const char *names[3] = {"ix", "iy", "iz"};
            if ((st = parse_integer(d, col[c->image[k]], names[k], INT_MIN, INT_MAX, &image)))
                return st;
            x[k] += (double)image * box->len[k];
        }
    }
    return GMD_OK;
}

static gmd_status parse_atom(dump_reader *d, traj_species *sp, const dump_columns *c, traj_raw *raw,
                             size_t i)
{
    char *col[GMD_IO_MAX_COLUMNS];
    const char *first = d->in.buf; /* the line's first word (not trimmed: split skips spaces) */
    while (isspace((unsigned char)*first))
        first++;
    if (!strncmp(first, "ITEM:", 5))
        return fail_at(d, GMD_ERR_PARSE,
                       "truncated frame: '%.40s' after %zu of the %zu atoms that NUMBER OF ATOMS "
                       "announced",
                       d->in.buf, i, raw->n);
    int n = gmd_text_split(d->in.buf, col, GMD_IO_MAX_COLUMNS - 1);
    if (n != c->ncols)
        return fail_at(d, GMD_ERR_PARSE, "atom line has %d columns; the ATOMS line names %d%s", n,
                       c->ncols, n < c->ncols ? " (a truncated line?)" : "");
    double x[3];
    gmd_status st = parse_integer(d, col[c->id], "id", 1, LONG_MAX, &raw->id[i]);
    if (!st) st = atom_species(d, sp, c, col, &raw->type[i]);
    if (!st && c->q >= 0) st = parse_real(d, col[c->q], "q", &raw->q[i]);
    if (!st) st = atom_position(d, c, col, &raw->box, x);
    for (int k = 0; k < 3; k++)
        raw->r[k][i] = x[k];
    return st;
}

static gmd_status read_atoms(dump_reader *d, traj_species *sp, const dump_columns *c, traj_raw *raw)
{
    raw->atom_line = d->in.line + 1;
    for (size_t i = 0; i < raw->n; i++) {
        gmd_status st = GMD_OK;
        int got = next_line(d);
        if (got <= 0) { /* the message only when it is needed: one line per atom is hot */
            char what[96];
            snprintf(what, sizeof what, "atom %zu of %zu", i + 1, raw->n);
            st = got < 0 ? d->in.status : truncated(d, what);
        }
        if (!st) st = parse_atom(d, sp, c, raw, i);
        if (st) return st;
    }
    raw->have_q = c->q >= 0;
    raw->unwrapped = c->unwrapped;
    return GMD_OK;
}

static gmd_status dump_read(void *state, traj_species *sp, traj_raw *raw, int *eof, gmd_error *err)
{
    dump_reader *d = state;
    d->err = err;
    int got;
    do { /* blank lines between frames are tolerated */
        got = next_line(d);
    } while (got > 0 && *gmd_text_trim(d->in.buf) == '\0');
    if (got < 0) return d->in.status;
    if (got == 0) {
        *eof = 1;
        return GMD_OK;
    }
    d->frame++;
    d->frame_line = d->in.line;
    raw->frame = d->frame;
    long natoms = 0;
    dump_columns c;
    gmd_status st = read_header(d, raw, &natoms, &c);
    if (!st) st = traj_raw_reserve(raw, (size_t)natoms, err);
    if (st) return st;
    raw->n = (size_t)natoms;
    raw->time_ps = (double)raw->step * d->dt_fs * 1e-3;
    return read_atoms(d, sp, &c, raw);
}

static void dump_close(void *state)
{
    dump_reader *d = state;
    if (d->in.fp) fclose(d->in.fp);
    free(d);
}

gmd_status traj_dump_open(void **state, const char *path, double dt_fs, gmd_error *err)
{
    *state = NULL;
    dump_reader *d = gmd_calloc(1, sizeof *d, "dump reader", err);
    if (!d) return GMD_ERR_NOMEM;
    snprintf(d->path, sizeof d->path, "%s", path);
    d->in.path = d->path;
    d->dt_fs = dt_fs;
    d->in.fp = fopen(path, "r");
    if (!d->in.fp) {
        free(d);
        return gmd_fail(err, GMD_ERR_IO, "%s: cannot open the dump (%s); check the path", path,
                        strerror(errno));
    }
    *state = d;
    return GMD_OK;
}

const traj_backend traj_dump_backend = {.read = dump_read, .close = dump_close};
