/* traj_read_netcdf.c - reading NetCDF trajectories in the AMBER convention, frame by frame.
 *
 * Variables read (dimensions frame, atom, spatial, cell_spatial, cell_angular):
 *
 *   coordinates(frame, atom, spatial)   A, float or double (times scale_factor if given)
 *   cell_lengths(frame, cell_spatial)   A; required (the analyses need a periodic box)
 *   cell_angles(frame, cell_angular)    optional; anything but 90 degrees is rejected
 *   cell_origin(frame, cell_spatial)    optional (glassmd, LAMMPS): the lower box corner
 *   time(frame)                         ps; optional (else the frame index times dt)
 *   atom_ids(atom) or id(frame, atom)   optional (else 1..n in file order)
 *   atom_types(atom) or type(frame, atom)   required: the species of each atom
 *   atom_charges(atom)                  optional, e
 *   species_names(species, name_len)    optional: type t is species_names[t - 1]
 *
 * glassmd's files (src/io/trajectory_netcdf.c) have all of these with per-atom constants
 * (atom_ids, atom_types, atom_charges, species_names) and a global attribute program =
 * "glassmd"; LAMMPS's dump netcdf writes id and type per frame. Types are named by
 * species_names when present, else through the types map or the force field.
 *
 * Unwrapping: glassmd writes unwrapped positions, so its files are taken as they are.
 * Other AMBER files may hold wrapped positions (LAMMPS, OpenMM) or unwrapped ones
 * (MDAnalysis writes what it is given); the reader takes them as wrapped, to be unwrapped
 * by minimum image, until some coordinate lies more than 10% of a box length outside the
 * box, which proves the file unwrapped; from then on positions are taken as they are. The
 * two readings agree on frames before that point whenever atoms move less than half a box
 * between frames.
 *
 * The step of a frame is round(time / dt). Messages name the file, the frame and the
 * variable (NetCDF has no lines).
 *
 * Damaged files: libnetcdf trusts the counts of a classic file's header (a flipped bit can
 * declare 2^31 variables, which it allocates before noticing the file is short), so the
 * header of a classic file (CDF1, CDF2, CDF5) is walked first and every count checked
 * against the bytes left; the atom count is checked against the file size; every variable
 * read must have the shape above (a wrong shape would make nc_get_var write past the
 * buffers), and every number read must be finite. */
#define _POSIX_C_SOURCE 200809L

#include <float.h>
#include <math.h>
#include <netcdf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "glassmd/forcefield.h"
#include "traj_read_internal.h"

#define WRAPPED_SLACK 0.1 /* box lengths outside the box that prove a file unwrapped */
#define MAX_CACHED_TYPE 64

typedef struct per_atom_var {
    int id;        /* -1: absent */
    int per_frame; /* 1: (frame, atom), 0: (atom) */
} per_atom_var;

typedef struct nc_reader {
    int ncid;
    char path[512];
    double dt_fs;
    size_t nframes, natoms;
    long next; /* index of the next frame */
    int v_coords, v_lengths, v_angles, v_origin, v_time;
    per_atom_var ids, types, charges;
    double scale;
    int glassmd, proven_unwrapped;
    int nnames;
    char names[GMD_MAX_SPECIES][GMD_NAME_LEN];
    double *xyz;
    int *ints;
    gmd_error *err;
} nc_reader;

static gmd_status fail_frame(const nc_reader *s, gmd_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static gmd_status fail_frame(const nc_reader *s, gmd_status code, const char *fmt, ...)
{
    char msg[GMD_ERROR_MSG_LEN];
    va_list args;
    va_start(args, fmt);
    vsnprintf(msg, sizeof msg, fmt, args);
    va_end(args);
    return gmd_fail(s->err, code, "%s: frame %ld: %s", s->path, s->next + 1, msg);
}

static gmd_status nc_check(const nc_reader *s, int status, const char *what)
{
    if (status == NC_NOERR) return GMD_OK;
    return fail_frame(s, GMD_ERR_IO, "cannot read %s: %s", what, nc_strerror(status));
}

/* ---- opening: what the file holds --------------------------------------------------- */

static int var_or_absent(int ncid, const char *name)
{
    int v;
    return nc_inq_varid(ncid, name, &v) == NC_NOERR ? v : -1;
}

/* Finds a per-atom variable as (atom) under one name or (frame, atom) under another. */
static per_atom_var find_atom_var(int ncid, const char *constant, const char *per_frame)
{
    per_atom_var p = {var_or_absent(ncid, constant), 0};
    if (p.id < 0 && per_frame) p = (per_atom_var){var_or_absent(ncid, per_frame), 1};
    return p;
}

/* ---- the classic header, checked before libnetcdf reads it -------------------------- */

typedef struct cdf_walk {
    const unsigned char *p;
    size_t len, pos;
    int wide;     /* CDF5: 64-bit counts and sizes */
    int offset64; /* CDF2 and CDF5: 64-bit begin offsets */
} cdf_walk;

/* Reads a big-endian integer of `bytes` bytes; 0 when the header ends before it. */
static int cdf_take(cdf_walk *w, int bytes, unsigned long long *x)
{
    if (w->len - w->pos < (size_t)bytes) return 0;
    *x = 0;
    for (int i = 0; i < bytes; i++)
        *x = (*x << 8) | w->p[w->pos++];
    return 1;
}

static int cdf_skip(cdf_walk *w, unsigned long long n)
{
    if (n > w->len - w->pos) return 0;
    w->pos += (size_t)n;
    return 1;
}

/* A count of elements that each take at least `least` bytes: at most what is left. */
static int cdf_count(cdf_walk *w, unsigned long long least, unsigned long long *n)
{
    return cdf_take(w, w->wide ? 8 : 4, n) && *n <= (w->len - w->pos) / least;
}

static int cdf_name(cdf_walk *w)
{
    unsigned long long n;
    return cdf_count(w, 1, &n) && cdf_skip(w, (n + 3) / 4 * 4);
}

/* An attribute list (absent, or tag 12 and its attributes). */
static int cdf_atts(cdf_walk *w)
{
    unsigned long long tag, n, type, nvalues;
    if (!cdf_take(w, 4, &tag) || !cdf_count(w, 12, &n) || (tag != 12 && !(tag == 0 && n == 0)))
        return 0;
    static const int type_bytes[] = {0, 1, 1, 2, 4, 4, 8, 1, 2, 4, 8, 8};
    for (unsigned long long i = 0; i < n; i++) {
        if (!cdf_name(w) || !cdf_take(w, 4, &type) || type < 1 || type > 11 ||
            !cdf_count(w, 1, &nvalues) || nvalues > (w->len - w->pos) / type_bytes[type] ||
            !cdf_skip(w, (nvalues * type_bytes[type] + 3) / 4 * 4))
            return 0;
    }
    return 1;
}

/* One variable's entry: its dimension ids must name dimensions, the record dimension
 * (length 0) may come first only (elsewhere libnetcdf divides by the zero length), and its
 * type must be one the format has. */
static int cdf_var(cdf_walk *w, const unsigned long long *dimlen, unsigned long long ndims_file)
{
    unsigned long long ndims, id, type;
    if (!cdf_name(w) || !cdf_count(w, 4, &ndims)) return 0;
    for (unsigned long long j = 0; j < ndims; j++)
        if (!cdf_take(w, w->wide ? 8 : 4, &id) || id >= ndims_file || (j > 0 && dimlen[id] == 0))
            return 0;
    return cdf_atts(w) && cdf_take(w, 4, &type) && type >= 1 && type <= (w->wide ? 11u : 6u) &&
           cdf_skip(w, (w->wide ? 8 : 4) + (w->offset64 ? 8 : 4));
}

/* 1 when the header of a classic file is whole and its counts fit the file; other files
 * (NetCDF-4 / HDF5) are left to libnetcdf. */
static int cdf_header_sound(const unsigned char *p, size_t len)
{
    if (len < 4 || memcmp(p, "CDF", 3) != 0) return 1;
    cdf_walk w = {p, len, 4, p[3] == 5, p[3] == 2 || p[3] == 5};
    if (p[3] != 1 && !w.offset64) return 0;
    unsigned long long x, tag, n, ndims;
    if (!cdf_take(&w, w.wide ? 8 : 4, &x)) return 0; /* numrecs */
    if (!cdf_take(&w, 4, &tag) || !cdf_count(&w, 8, &ndims) ||
        (tag != 10 && !(tag == 0 && ndims == 0)))
        return 0; /* the dimensions */
    unsigned long long *dimlen = malloc((ndims ? ndims : 1) * sizeof *dimlen);
    if (!dimlen) return 1; /* unchecked: libnetcdf will see */
    int sound = 1;
    for (unsigned long long i = 0; sound && i < ndims; i++)
        sound = cdf_name(&w) && cdf_take(&w, w.wide ? 8 : 4, &dimlen[i]);
    sound = sound && cdf_atts(&w); /* global attributes */
    if (sound &&
        (!cdf_take(&w, 4, &tag) || !cdf_count(&w, 24, &n) || (tag != 11 && !(tag == 0 && n == 0))))
        sound = 0; /* the variables */
    for (unsigned long long i = 0; sound && i < n; i++)
        sound = cdf_var(&w, dimlen, ndims);
    free(dimlen);
    return sound;
}

/* The file's size in *size; GMD_OK when it is not a classic NetCDF file with a damaged
 * header. Only the header is read (at most 1 MiB: larger headers are left unchecked). */
static gmd_status check_header(nc_reader *s, size_t *size)
{
    FILE *fp = fopen(s->path, "rb");
    struct stat sb;
    if (!fp || fstat(fileno(fp), &sb) != 0) {
        if (fp) fclose(fp);
        *size = (size_t)-1; /* let nc_open say what is wrong */
        return GMD_OK;
    }
    *size = (size_t)sb.st_size;
    size_t want = *size < (1u << 20) ? *size : (1u << 20);
    unsigned char *head = gmd_calloc(want + 1, 1, "NetCDF header", s->err);
    if (!head) {
        fclose(fp);
        return GMD_ERR_NOMEM;
    }
    size_t got = fread(head, 1, want, fp);
    fclose(fp);
    int sound = got < (1u << 20) ? cdf_header_sound(head, got) : 1;
    free(head);
    if (!sound)
        return gmd_fail(s->err, GMD_ERR_PARSE,
                        "%s: the NetCDF header is damaged (truncated, a count larger than the "
                        "file, or an impossible dimension or type); the file cannot be read: "
                        "write the trajectory again",
                        s->path);
    return GMD_OK;
}

/* Whether variable v has exactly the dimensions dims[0..ndims-1] (ids); a last dimension
 * of -3 means any dimension of length 3. */
static gmd_status expect_shape(const nc_reader *s, int v, const char *name, int ndims,
                               const int *dims, const char *shape)
{
    int n, have[NC_MAX_VAR_DIMS];
    if (v < 0) return GMD_OK;
    int ok = nc_inq_varndims(s->ncid, v, &n) == NC_NOERR && n == ndims &&
             nc_inq_vardimid(s->ncid, v, have) == NC_NOERR;
    for (int k = 0; ok && k < ndims; k++) {
        size_t len = 0;
        if (dims[k] == -3)
            ok = nc_inq_dimlen(s->ncid, have[k], &len) == NC_NOERR && len == 3;
        else
            ok = have[k] == dims[k];
    }
    if (ok) return GMD_OK;
    return gmd_fail(s->err, GMD_ERR_PARSE,
                    "%s: variable %s must have the dimensions %s; the file does not follow the "
                    "AMBER convention: write it again",
                    s->path, name, shape);
}

static gmd_status check_shapes(nc_reader *s)
{
    int frame, atom;
    if (nc_inq_dimid(s->ncid, "frame", &frame) != NC_NOERR ||
        nc_inq_dimid(s->ncid, "atom", &atom) != NC_NOERR)
        return GMD_ERR_INTERNAL; /* read_dims found both */
    const int coords[] = {frame, atom, -3}, cell[] = {frame, -3}, per_frame[] = {frame, atom};
    const int *per_atom = per_frame + 1;
    gmd_status st =
        expect_shape(s, s->v_coords, "coordinates", 3, coords, "(frame, atom, spatial = 3)");
    if (!st) st = expect_shape(s, s->v_lengths, "cell_lengths", 2, cell, "(frame, 3)");
    if (!st) st = expect_shape(s, s->v_angles, "cell_angles", 2, cell, "(frame, 3)");
    if (!st) st = expect_shape(s, s->v_origin, "cell_origin", 2, cell, "(frame, 3)");
    if (!st) st = expect_shape(s, s->v_time, "time", 1, per_frame, "(frame)");
    const per_atom_var *vars[] = {&s->ids, &s->types, &s->charges};
    const char *names[][2] = {{"atom_ids", "id"}, {"atom_types", "type"}, {"atom_charges", ""}};
    for (int i = 0; i < 3 && !st; i++) {
        const per_atom_var *v = vars[i];
        st = v->per_frame ? expect_shape(s, v->id, names[i][1], 2, per_frame, "(frame, atom)")
                          : expect_shape(s, v->id, names[i][0], 1, per_atom, "(atom)");
    }
    return st;
}

static gmd_status read_dims(nc_reader *s)
{
    int dim;
    gmd_status st = nc_check(s, nc_inq_dimid(s->ncid, "frame", &dim), "dimension frame");
    if (!st) st = nc_check(s, nc_inq_dimlen(s->ncid, dim, &s->nframes), "dimension frame");
    if (!st) st = nc_check(s, nc_inq_dimid(s->ncid, "atom", &dim), "dimension atom");
    if (!st) st = nc_check(s, nc_inq_dimlen(s->ncid, dim, &s->natoms), "dimension atom");
    if (!st && s->natoms == 0) st = fail_frame(s, GMD_ERR_VALUE, "the file holds no atoms");
    return st;
}

static void read_attributes(nc_reader *s)
{
    char text[64] = {0};
    size_t len;
    s->glassmd = nc_inq_attlen(s->ncid, NC_GLOBAL, "program", &len) == NC_NOERR &&
                 len < sizeof text &&
                 nc_get_att_text(s->ncid, NC_GLOBAL, "program", text) == NC_NOERR &&
                 !strcmp(text, "glassmd");
    s->scale = 1.0;
    float f;
    if (nc_get_att_float(s->ncid, s->v_coords, "scale_factor", &f) == NC_NOERR && f != 0)
        s->scale = f;
}

static gmd_status read_species_names(nc_reader *s)
{
    int v = var_or_absent(s->ncid, "species_names"), dims[2], ndims;
    size_t n = 0, len = 0;
    if (v < 0) return GMD_OK;
    gmd_status st = nc_check(s, nc_inq_var(s->ncid, v, NULL, NULL, &ndims, dims, NULL),
                             "variable species_names");
    if (!st && ndims != 2) return fail_frame(s, GMD_ERR_PARSE, "species_names must be 2-D");
    if (!st) st = nc_check(s, nc_inq_dimlen(s->ncid, dims[0], &n), "species_names");
    if (!st) st = nc_check(s, nc_inq_dimlen(s->ncid, dims[1], &len), "species_names");
    if (!st && (n > GMD_MAX_SPECIES || len == 0 || len > 256))
        return fail_frame(s, GMD_ERR_VALUE, "species_names holds %zu names of %zu characters", n,
                          len);
    char *text = st ? NULL : gmd_calloc(n * len + 1, 1, "species names", s->err);
    if (!st && !text) return GMD_ERR_NOMEM;
    if (!st) st = nc_check(s, nc_get_var_text(s->ncid, v, text), "species_names");
    for (size_t t = 0; !st && t < n; t++) {
        char *name = text + t * len;
        size_t k = 0;
        while (k < len && k < GMD_NAME_LEN - 1 && name[k] && name[k] != ' ')
            k++;
        memcpy(s->names[t], name, k);
        s->names[t][k] = '\0';
    }
    s->nnames = (int)n;
    free(text);
    return st;
}

static gmd_status find_variables(nc_reader *s)
{
    s->v_coords = var_or_absent(s->ncid, "coordinates");
    s->v_lengths = var_or_absent(s->ncid, "cell_lengths");
    s->v_angles = var_or_absent(s->ncid, "cell_angles");
    s->v_origin = var_or_absent(s->ncid, "cell_origin");
    s->v_time = var_or_absent(s->ncid, "time");
    s->ids = find_atom_var(s->ncid, "atom_ids", "id");
    s->types = find_atom_var(s->ncid, "atom_types", "type");
    s->charges = find_atom_var(s->ncid, "atom_charges", NULL);
    if (s->v_coords < 0)
        return fail_frame(s, GMD_ERR_PARSE, "no variable 'coordinates'; not an AMBER trajectory");
    if (s->v_lengths < 0)
        return fail_frame(s, GMD_ERR_PARSE,
                          "no variable 'cell_lengths': the analyses need a periodic box");
    if (s->types.id < 0)
        return fail_frame(s, GMD_ERR_PARSE,
                          "no atom types (variable atom_types or type); glassmd needs the "
                          "species of every atom");
    return GMD_OK;
}

/* ---- one frame ---------------------------------------------------------------------- */

static gmd_status read_box(nc_reader *s, size_t f, gmd_box *box)
{
    size_t start[2] = {f, 0}, count[2] = {1, 3};
    double len[3], angles[3] = {90, 90, 90}, lo[3] = {0, 0, 0};
    gmd_status st =
        nc_check(s, nc_get_vara_double(s->ncid, s->v_lengths, start, count, len), "cell_lengths");
    if (!st && s->v_angles >= 0)
        st = nc_check(s, nc_get_vara_double(s->ncid, s->v_angles, start, count, angles),
                      "cell_angles");
    if (!st && s->v_origin >= 0)
        st = nc_check(s, nc_get_vara_double(s->ncid, s->v_origin, start, count, lo), "cell_origin");
    for (int k = 0; k < 3 && !st; k++) {
        if (!(fabs(angles[k] - 90.0) <= 1e-3)) /* NaN too */
            return fail_frame(s, GMD_ERR_VALUE,
                              "cell_angles %g %g %g: the box is triclinic; glassmd analyses "
                              "orthorhombic boxes only",
                              angles[0], angles[1], angles[2]);
        if (!(len[k] > 0) || !isfinite(len[k]) || !isfinite(lo[k]))
            return fail_frame(s, GMD_ERR_VALUE,
                              "cell_lengths %g %g %g must be positive and cell_origin %g %g %g "
                              "finite; the file is damaged: write it again",
                              len[0], len[1], len[2], lo[0], lo[1], lo[2]);
        box->lo[k] = lo[k];
        box->len[k] = len[k];
    }
    return st;
}

static gmd_status read_ints(nc_reader *s, per_atom_var v, size_t f, const char *what)
{
    size_t start[2] = {f, 0}, count[2] = {1, s->natoms};
    if (v.per_frame)
        return nc_check(s, nc_get_vara_int(s->ncid, v.id, start, count, s->ints), what);
    return nc_check(s, nc_get_var_int(s->ncid, v.id, s->ints), what);
}

static gmd_status read_ids(nc_reader *s, size_t f, traj_raw *raw)
{
    if (s->ids.id < 0) {
        for (size_t i = 0; i < s->natoms; i++)
            raw->id[i] = (long)i + 1;
        return GMD_OK;
    }
    gmd_status st = read_ints(s, s->ids, f, "atom ids");
    for (size_t i = 0; i < s->natoms && !st; i++)
        raw->id[i] = s->ints[i];
    return st;
}

/* Species of type t: species_names[t-1] when the file has them, else types map / ff. */
static int type_species(nc_reader *s, traj_species *sp, long t, char *why, size_t len)
{
    if (s->nnames == 0) return traj_species_by_type(sp, t, why, len);
    if (t < 1 || t > s->nnames) {
        snprintf(why, len, "unknown atom type %ld: species_names names types 1 to %d", t,
                 s->nnames);
        return -1;
    }
    return traj_species_by_name(sp, s->names[t - 1], t, why, len);
}

static gmd_status read_types(nc_reader *s, traj_species *sp, size_t f, traj_raw *raw)
{
    int cache[MAX_CACHED_TYPE + 1]; /* per frame: the table may be re-sorted after frame 1 */
    for (int t = 0; t <= MAX_CACHED_TYPE; t++)
        cache[t] = -2;
    gmd_status st = read_ints(s, s->types, f, "atom types");
    for (size_t i = 0; i < s->natoms && !st; i++) {
        int t = s->ints[i], in_cache = t >= 0 && t <= MAX_CACHED_TYPE;
        if (in_cache && cache[t] != -2) {
            raw->type[i] = cache[t];
            continue;
        }
        char why[512];
        int species = type_species(s, sp, t, why, sizeof why);
        if (species < 0)
            return fail_frame(s, GMD_ERR_VALUE, "atom %zu (id %ld): %s", i + 1, raw->id[i], why);
        if (in_cache) cache[t] = species;
        raw->type[i] = species;
    }
    return st;
}

static gmd_status read_charges(nc_reader *s, traj_raw *raw)
{
    raw->have_q = s->charges.id >= 0;
    if (!raw->have_q) return GMD_OK;
    return nc_check(s, nc_get_var_double(s->ncid, s->charges.id, raw->q), "atom_charges");
}

static gmd_status read_positions(nc_reader *s, size_t f, traj_raw *raw)
{
    size_t start[3] = {f, 0, 0}, count[3] = {1, s->natoms, 3};
    gmd_status st =
        nc_check(s, nc_get_vara_double(s->ncid, s->v_coords, start, count, s->xyz), "coordinates");
    int outside = 0;
    for (size_t i = 0; i < s->natoms && !st; i++)
        for (int k = 0; k < 3; k++) {
            double x = s->xyz[3 * i + k] * s->scale, lo = raw->box.lo[k], len = raw->box.len[k];
            if (!isfinite(x))
                return fail_frame(s, GMD_ERR_VALUE, "coordinates of atom %zu are not finite",
                                  i + 1);
            outside |= x < lo - WRAPPED_SLACK * len || x > lo + (1 + WRAPPED_SLACK) * len;
            raw->r[k][i] = x;
        }
    if (outside) s->proven_unwrapped = 1;
    raw->unwrapped = s->glassmd || s->proven_unwrapped;
    return st;
}

static gmd_status nc_read(void *state, traj_species *sp, traj_raw *raw, int *eof, gmd_error *err)
{
    nc_reader *s = state;
    s->err = err;
    if ((size_t)s->next >= s->nframes) {
        *eof = 1;
        return GMD_OK;
    }
    size_t f = (size_t)s->next;
    gmd_status st = traj_raw_reserve(raw, s->natoms, err);
    if (st) return st;
    raw->n = s->natoms;
    raw->frame = s->next + 1;
    raw->atom_line = raw->count_line = 0;
    float time = (float)((double)f * s->dt_fs * 1e-3);
    if (s->v_time >= 0) st = nc_check(s, nc_get_var1_float(s->ncid, s->v_time, &f, &time), "time");
    if (!st && !isfinite(time))
        st = fail_frame(s, GMD_ERR_VALUE,
                        "time is not finite; the file is damaged: write it "
                        "again");
    raw->time_ps = time;
    raw->step = s->v_time >= 0 ? lround(raw->time_ps * 1e3 / s->dt_fs) : (long)f;
    /* AMBER stores time as float: 7 digits, so frame 17 of a 0.02 ps series reads as
     * 0.34000000357. When the stored time is the MD step grid's value to float precision,
     * use the exact double step * dt instead, so equally spaced frames stay equally spaced
     * for the MSD's all-origin average. */
    double on_grid = (double)raw->step * s->dt_fs * 1e-3;
    if (fabs(on_grid - raw->time_ps) <= 4.0 * FLT_EPSILON * fabs(on_grid)) raw->time_ps = on_grid;
    if (!st) st = read_box(s, f, &raw->box);
    if (!st) st = read_ids(s, f, raw);
    if (!st) st = read_types(s, sp, f, raw);
    if (!st) st = read_charges(s, raw);
    if (!st) st = read_positions(s, f, raw);
    if (!st) s->next++;
    return st;
}

static void nc_close_reader(void *state)
{
    nc_reader *s = state;
    if (s->ncid >= 0) nc_close(s->ncid);
    free(s->xyz);
    free(s->ints);
    free(s);
}

gmd_status traj_netcdf_open(void **state, const char *path, double dt_fs, gmd_error *err)
{
    *state = NULL;
    nc_reader *s = gmd_calloc(1, sizeof *s, "NetCDF reader", err);
    if (!s) return GMD_ERR_NOMEM;
    s->ncid = -1;
    s->err = err;
    s->dt_fs = dt_fs;
    snprintf(s->path, sizeof s->path, "%s", path);
    size_t size = 0;
    gmd_status st = check_header(s, &size);
    int status = st ? NC_NOERR : nc_open(path, NC_NOWRITE, &s->ncid);
    if (status != NC_NOERR)
        st = gmd_fail(err, GMD_ERR_IO, "%s: cannot open as NetCDF (%s); check the path and format",
                      path, nc_strerror(status));
    if (!st) st = read_dims(s);
    /* every atom takes at least a float per coordinate per frame, or an int type */
    if (!st && s->natoms > size / (s->nframes ? 12 : 4))
        st = gmd_fail(err, GMD_ERR_PARSE,
                      "%s: the header declares %zu atoms, more than the file's %zu bytes can "
                      "hold; the file is damaged: write it again",
                      path, s->natoms, size);
    if (!st) st = find_variables(s);
    if (!st) st = check_shapes(s);
    if (!st) read_attributes(s);
    if (!st) st = read_species_names(s);
    if (!st) {
        s->xyz = gmd_calloc(3 * s->natoms, sizeof *s->xyz, "NetCDF frame", err);
        s->ints = gmd_calloc(s->natoms, sizeof *s->ints, "NetCDF frame", err);
        if (!s->xyz || !s->ints) st = GMD_ERR_NOMEM;
    }
    if (st) {
        nc_close_reader(s);
        return st;
    }
    *state = s;
    return GMD_OK;
}

const traj_backend traj_netcdf_backend = {.read = nc_read, .close = nc_close_reader};
