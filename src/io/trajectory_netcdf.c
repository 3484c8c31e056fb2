/* trajectory_netcdf.c - the NetCDF back end, AMBER trajectory convention 1.0
 * (https://ambermd.org/netcdf/nctraj.xhtml), as read by MDAnalysis, OVITO, VMD, cpptraj.
 *
 * File layout (netCDF classic with 64-bit offsets, which the convention requires):
 *
 *   dimensions: frame = UNLIMITED, spatial = 3, atom = n, cell_spatial = 3,
 *               cell_angular = 3, label = 5, species = nspecies, name_len = 16
 *   global attributes: Conventions "AMBER", ConventionVersion "1.0", program "glassmd",
 *               programVersion, title
 *   char   spatial(spatial) "xyz", cell_spatial(cell_spatial) "abc",
 *          cell_angular(cell_angular, label) "alpha", "beta ", "gamma"
 *   float  time(frame)                            picosecond
 *   float  coordinates(frame, atom, spatial)      angstrom, unwrapped
 *   double cell_lengths(frame, cell_spatial)      angstrom
 *   double cell_angles(frame, cell_angular)       degree (always 90: orthorhombic)
 *   double cell_origin(frame, cell_spatial)       angstrom, the box's lower corner
 *   int    atom_ids(atom), atom_types(atom) = species index + 1
 *   double atom_charges(atom)                     e
 *   char   species_names(species, name_len)       atom_types t is species_names[t - 1]
 *
 * The last five are glassmd's additions (readers of the convention ignore them). Atoms are
 * stored in id order; the per-atom constants are written once, at creation.
 *
 * Durability: a flush is nc_sync (data and the record count in the header reach the
 * kernel) followed by an fsync of the file, since netCDF itself does not fsync.
 *
 * Resume with keep frames: netCDF cannot shrink the unlimited dimension, so when the file
 * holds more than keep frames (written after the last checkpoint) the first keep frames
 * are copied, variable by variable and record by record, into PATH.tmp, which is fsynced
 * and renamed over PATH (atomic: PATH is always the old or the new file). The file is then
 * opened for writing and frames are appended from index keep (keep = 0 simply creates the
 * file anew). The copy is generic (every dimension, attribute and variable of the old
 * file), so it preserves whatever is there. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "glassmd/trajectory.h"
#include "glassmd/version.h"
#include "trajectory_internal.h"

typedef struct nc_state {
    int ncid;
    char *path;
    size_t n;
    long frames;  /* records written */
    long flushed; /* records on disk at the last flush */
    int v_time, v_coords, v_lengths, v_angles, v_origin;
    float *coords; /* one frame, atom-major: coords[3 j + k] */
} nc_state;

static gmd_status nc_fail(gmd_error *err, int status, const char *path, const char *what)
{
    return gmd_fail(err, GMD_ERR_IO, "%s: cannot %s: %s", path, what, nc_strerror(status));
}

/* In functions that have `path` and `err`: return an I/O error on a failed netCDF call. */
#define NC_CHECK(call, what)                                                                       \
    do {                                                                                           \
        int nc_status_ = (call);                                                                   \
        if (nc_status_ != NC_NOERR) return nc_fail(err, nc_status_, path, what);                   \
    } while (0)

/* ---- schema ------------------------------------------------------------------------- */

typedef struct nc_dims {
    int frame, spatial, atom, cell_spatial, cell_angular, label, species, name_len;
} nc_dims;

static gmd_status define_dims(int ncid, const char *path, size_t n, int nspecies, nc_dims *d,
                              gmd_error *err)
{
    NC_CHECK(nc_def_dim(ncid, "frame", NC_UNLIMITED, &d->frame), "define dimension frame");
    NC_CHECK(nc_def_dim(ncid, "spatial", 3, &d->spatial), "define dimension spatial");
    NC_CHECK(nc_def_dim(ncid, "atom", n, &d->atom), "define dimension atom");
    NC_CHECK(nc_def_dim(ncid, "cell_spatial", 3, &d->cell_spatial), "define a dimension");
    NC_CHECK(nc_def_dim(ncid, "cell_angular", 3, &d->cell_angular), "define a dimension");
    NC_CHECK(nc_def_dim(ncid, "label", 5, &d->label), "define dimension label");
    NC_CHECK(nc_def_dim(ncid, "species", (size_t)nspecies, &d->species), "define a dimension");
    NC_CHECK(nc_def_dim(ncid, "name_len", GMD_NAME_LEN, &d->name_len), "define a dimension");
    return GMD_OK;
}

static gmd_status put_text_att(int ncid, int varid, const char *name, const char *value,
                               const char *path, gmd_error *err)
{
    NC_CHECK(nc_put_att_text(ncid, varid, name, strlen(value), value), "write an attribute");
    return GMD_OK;
}

static gmd_status define_global_atts(int ncid, const char *path, gmd_error *err)
{
    gmd_status st = put_text_att(ncid, NC_GLOBAL, "Conventions", "AMBER", path, err);
    if (st == GMD_OK) st = put_text_att(ncid, NC_GLOBAL, "ConventionVersion", "1.0", path, err);
    if (st == GMD_OK) st = put_text_att(ncid, NC_GLOBAL, "program", "glassmd", path, err);
    if (st == GMD_OK)
        st = put_text_att(ncid, NC_GLOBAL, "programVersion", GLASSMD_VERSION, path, err);
    if (st == GMD_OK) st = put_text_att(ncid, NC_GLOBAL, "title", "glassmd trajectory", path, err);
    return st;
}

/* Defines a variable and, when units is not NULL, its units attribute. */
static gmd_status def_var(int ncid, const char *name, nc_type type, int ndims, const int *dims,
                          const char *units, int *varid, const char *path, gmd_error *err)
{
    NC_CHECK(nc_def_var(ncid, name, type, ndims, dims, varid), "define a variable");
    if (units) return put_text_att(ncid, *varid, "units", units, path, err);
    return GMD_OK;
}

static gmd_status define_vars(int ncid, const nc_dims *d, nc_state *s, const char *path,
                              gmd_error *err)
{
    int v, dims[3];
    gmd_status st = def_var(ncid, "spatial", NC_CHAR, 1, &d->spatial, NULL, &v, path, err);
    if (st == GMD_OK)
        st = def_var(ncid, "cell_spatial", NC_CHAR, 1, &d->cell_spatial, NULL, &v, path, err);
    dims[0] = d->cell_angular, dims[1] = d->label;
    if (st == GMD_OK) st = def_var(ncid, "cell_angular", NC_CHAR, 2, dims, NULL, &v, path, err);
    if (st == GMD_OK)
        st = def_var(ncid, "time", NC_FLOAT, 1, &d->frame, "picosecond", &s->v_time, path, err);
    dims[0] = d->frame, dims[1] = d->atom, dims[2] = d->spatial;
    if (st == GMD_OK)
        st = def_var(ncid, "coordinates", NC_FLOAT, 3, dims, "angstrom", &s->v_coords, path, err);
    dims[1] = d->cell_spatial;
    if (st == GMD_OK)
        st =
            def_var(ncid, "cell_lengths", NC_DOUBLE, 2, dims, "angstrom", &s->v_lengths, path, err);
    dims[1] = d->cell_angular;
    if (st == GMD_OK)
        st = def_var(ncid, "cell_angles", NC_DOUBLE, 2, dims, "degree", &s->v_angles, path, err);
    dims[1] = d->cell_spatial;
    if (st == GMD_OK)
        st = def_var(ncid, "cell_origin", NC_DOUBLE, 2, dims, "angstrom", &s->v_origin, path, err);
    if (st == GMD_OK) st = def_var(ncid, "atom_ids", NC_INT, 1, &d->atom, NULL, &v, path, err);
    if (st == GMD_OK) st = def_var(ncid, "atom_types", NC_INT, 1, &d->atom, NULL, &v, path, err);
    if (st == GMD_OK)
        st = def_var(ncid, "atom_charges", NC_DOUBLE, 1, &d->atom, "e", &v, path, err);
    dims[0] = d->species, dims[1] = d->name_len;
    if (st == GMD_OK) st = def_var(ncid, "species_names", NC_CHAR, 2, dims, NULL, &v, path, err);
    return st;
}

static gmd_status put_labels(int ncid, const gmd_forcefield *ff, const char *path, gmd_error *err)
{
    int v;
    NC_CHECK(nc_inq_varid(ncid, "spatial", &v), "find variable spatial");
    NC_CHECK(nc_put_var_text(ncid, v, "xyz"), "write variable spatial");
    NC_CHECK(nc_inq_varid(ncid, "cell_spatial", &v), "find variable cell_spatial");
    NC_CHECK(nc_put_var_text(ncid, v, "abc"), "write variable cell_spatial");
    NC_CHECK(nc_inq_varid(ncid, "cell_angular", &v), "find variable cell_angular");
    NC_CHECK(nc_put_var_text(ncid, v, "alphabeta gamma"), "write variable cell_angular");
    char names[GMD_MAX_SPECIES][GMD_NAME_LEN];
    memset(names, 0, sizeof names);
    for (int t = 0; t < ff->nspecies; t++)
        memcpy(names[t], ff->species[t].name, GMD_NAME_LEN);
    NC_CHECK(nc_inq_varid(ncid, "species_names", &v), "find variable species_names");
    NC_CHECK(nc_put_var_text(ncid, v, &names[0][0]), "write variable species_names");
    return GMD_OK;
}

static gmd_status put_atom_var(int ncid, const char *name, const int *ints, const double *reals,
                               const char *path, gmd_error *err)
{
    int v;
    NC_CHECK(nc_inq_varid(ncid, name, &v), "find an atom table variable");
    NC_CHECK(ints ? nc_put_var_int(ncid, v, ints) : nc_put_var_double(ncid, v, reals),
             "write the atom table");
    return GMD_OK;
}

/* atom_ids, atom_types (1-based) and atom_charges, in id order. */
static gmd_status put_atoms(int ncid, const gmd_traj_frame *atoms, const char *path, gmd_error *err)
{
    int *ids = gmd_calloc(atoms->n, sizeof *ids, "netCDF atom table", err);
    int *types = gmd_calloc(atoms->n, sizeof *types, "netCDF atom table", err);
    gmd_status st = ids && types ? GMD_OK : GMD_ERR_NOMEM;
    for (size_t j = 0; j < atoms->n && st == GMD_OK; j++) {
        if (atoms->id[j] < 0 || atoms->id[j] > 2147483647L)
            st = gmd_fail(err, GMD_ERR_VALUE,
                          "%s: atom id %ld does not fit a netCDF int; renumber the atoms", path,
                          atoms->id[j]);
        ids[j] = (int)atoms->id[j];
        types[j] = atoms->type[j] + 1;
    }
    if (st == GMD_OK) st = put_atom_var(ncid, "atom_ids", ids, NULL, path, err);
    if (st == GMD_OK) st = put_atom_var(ncid, "atom_types", types, NULL, path, err);
    if (st == GMD_OK) st = put_atom_var(ncid, "atom_charges", NULL, atoms->charge, path, err);
    free(ids);
    free(types);
    return st;
}

static gmd_status create_file(nc_state *s, const gmd_forcefield *ff, const gmd_traj_frame *atoms,
                              gmd_error *err)
{
    const char *path = s->path;
    int old_fill;
    nc_dims d;
    NC_CHECK(nc_create(path, NC_CLOBBER | NC_64BIT_OFFSET, &s->ncid), "create");
    NC_CHECK(nc_set_fill(s->ncid, NC_NOFILL, &old_fill), "set the fill mode");
    gmd_status st = define_dims(s->ncid, path, s->n, ff->nspecies, &d, err);
    if (st == GMD_OK) st = define_global_atts(s->ncid, path, err);
    if (st == GMD_OK) st = define_vars(s->ncid, &d, s, path, err);
    if (st != GMD_OK) return st;
    NC_CHECK(nc_enddef(s->ncid), "end the definitions");
    st = put_labels(s->ncid, ff, path, err);
    if (st == GMD_OK) st = put_atoms(s->ncid, atoms, path, err);
    if (st != GMD_OK) return st;
    NC_CHECK(nc_sync(s->ncid), "sync");
    st = gmd_fsync_path(path, err);
    return st == GMD_OK ? gmd_fsync_parent_dir(path, err) : st;
}

/* ---- resume ------------------------------------------------------------------------- */

static gmd_status copy_definitions(int in, int out, const char *path, gmd_error *err)
{
    int ndims, nvars, natts, unlim;
    char name[NC_MAX_NAME + 1];
    NC_CHECK(nc_inq(in, &ndims, &nvars, &natts, &unlim), "read the header");
    for (int d = 0; d < ndims; d++) {
        size_t len;
        int id;
        NC_CHECK(nc_inq_dim(in, d, name, &len), "read a dimension");
        NC_CHECK(nc_def_dim(out, name, d == unlim ? NC_UNLIMITED : len, &id), "copy a dimension");
    }
    for (int a = 0; a < natts; a++) {
        NC_CHECK(nc_inq_attname(in, NC_GLOBAL, a, name), "read an attribute");
        NC_CHECK(nc_copy_att(in, NC_GLOBAL, name, out, NC_GLOBAL), "copy an attribute");
    }
    for (int v = 0; v < nvars; v++) {
        nc_type type;
        int vdims[NC_MAX_VAR_DIMS], out_dims[NC_MAX_VAR_DIMS], vndims, vnatts, id;
        char dname[NC_MAX_NAME + 1];
        NC_CHECK(nc_inq_var(in, v, name, &type, &vndims, vdims, &vnatts), "read a variable");
        for (int k = 0; k < vndims; k++) {
            NC_CHECK(nc_inq_dimname(in, vdims[k], dname), "read a dimension");
            NC_CHECK(nc_inq_dimid(out, dname, &out_dims[k]), "copy a dimension");
        }
        NC_CHECK(nc_def_var(out, name, type, vndims, out_dims, &id), "copy a variable");
        for (int a = 0; a < vnatts; a++) {
            char aname[NC_MAX_NAME + 1];
            NC_CHECK(nc_inq_attname(in, v, a, aname), "read an attribute");
            NC_CHECK(nc_copy_att(in, v, aname, out, id), "copy an attribute");
        }
    }
    return GMD_OK;
}

/* Copies variable v; record variables only their first keep records, one at a time. */
static gmd_status copy_variable(int in, int out, int v, int unlim, long keep, void **buf,
                                size_t *cap, const char *path, gmd_error *err)
{
    char name[NC_MAX_NAME + 1];
    nc_type type;
    int dims[NC_MAX_VAR_DIMS], ndims, out_id;
    size_t start[NC_MAX_VAR_DIMS] = {0}, count[NC_MAX_VAR_DIMS], elem_size, nelems = 1;
    NC_CHECK(nc_inq_var(in, v, name, &type, &ndims, dims, NULL), "read a variable");
    NC_CHECK(nc_inq_varid(out, name, &out_id), "find a copied variable");
    NC_CHECK(nc_inq_type(in, type, NULL, &elem_size), "read a variable type");
    int record = ndims > 0 && dims[0] == unlim;
    for (int k = 0; k < ndims; k++) {
        NC_CHECK(nc_inq_dimlen(in, dims[k], &count[k]), "read a dimension");
        if (k == 0 && record) count[k] = 1;
        nelems *= count[k];
    }
    if (nelems == 0) return GMD_OK;
    if (nelems * elem_size > *cap) {
        void *p = gmd_realloc(*buf, nelems, elem_size, "netCDF copy buffer", err);
        if (!p) return GMD_ERR_NOMEM;
        *buf = p;
        *cap = nelems * elem_size;
    }
    long nrec = record ? keep : 1;
    for (long r = 0; r < nrec; r++) {
        start[0] = record ? (size_t)r : 0;
        NC_CHECK(nc_get_vara(in, v, start, count, *buf), "read a variable");
        NC_CHECK(nc_put_vara(out, out_id, start, count, *buf), "write a variable");
    }
    return GMD_OK;
}

static gmd_status copy_data(int in, int out, long keep, const char *path, gmd_error *err)
{
    int nvars, unlim;
    NC_CHECK(nc_inq_nvars(in, &nvars), "read the header");
    NC_CHECK(nc_inq_unlimdim(in, &unlim), "read the header");
    void *buf = NULL;
    size_t cap = 0;
    gmd_status st = GMD_OK;
    for (int v = 0; v < nvars && st == GMD_OK; v++)
        st = copy_variable(in, out, v, unlim, keep, &buf, &cap, path, err);
    free(buf);
    return st;
}

static gmd_status copy_file_prefix(const char *path, const char *tmp, long keep, gmd_error *err)
{
    int in, out, old_fill;
    NC_CHECK(nc_open(path, NC_NOWRITE, &in), "open for the resume");
    int status = nc_create(tmp, NC_CLOBBER | NC_64BIT_OFFSET, &out);
    if (status != NC_NOERR) {
        nc_close(in);
        return nc_fail(err, status, tmp, "create");
    }
    gmd_status st = GMD_OK;
    if ((status = nc_set_fill(out, NC_NOFILL, &old_fill)) != NC_NOERR)
        st = nc_fail(err, status, tmp, "set the fill mode");
    if (st == GMD_OK) st = copy_definitions(in, out, tmp, err);
    if (st == GMD_OK && (status = nc_enddef(out)) != NC_NOERR)
        st = nc_fail(err, status, tmp, "end the definitions");
    if (st == GMD_OK) st = copy_data(in, out, keep, tmp, err);
    nc_close(in);
    status = nc_close(out);
    if (st == GMD_OK && status != NC_NOERR) st = nc_fail(err, status, tmp, "close");
    return st;
}

/* Replaces PATH by a copy of its first keep frames, atomically. */
static gmd_status truncate_frames(const char *path, long keep, gmd_error *err)
{
    size_t len = strlen(path) + 5;
    char *tmp = gmd_calloc(len, 1, "file name", err);
    if (!tmp) return GMD_ERR_NOMEM;
    snprintf(tmp, len, "%s.tmp", path);
    gmd_status st = copy_file_prefix(path, tmp, keep, err);
    if (st == GMD_OK) st = gmd_fsync_path(tmp, err);
    if (st == GMD_OK && rename(tmp, path) != 0)
        st = gmd_fail(err, GMD_ERR_IO, "%s: cannot rename to %s: %s", tmp, path, strerror(errno));
    if (st == GMD_OK)
        st = gmd_fsync_parent_dir(path, err);
    else
        remove(tmp);
    free(tmp);
    return st;
}

/* 1 when the file's Conventions attribute is "AMBER". */
static int is_amber_file(int ncid)
{
    char conv[64] = {0};
    size_t len;
    return nc_inq_attlen(ncid, NC_GLOBAL, "Conventions", &len) == NC_NOERR && len < sizeof conv &&
           nc_get_att_text(ncid, NC_GLOBAL, "Conventions", conv) == NC_NOERR &&
           strcmp(conv, "AMBER") == 0;
}

/* 1 when the file holds exactly these atoms: same count, same ids in id order. */
static int holds_atoms(int ncid, const gmd_traj_frame *atoms, int *ids)
{
    int dim, v;
    size_t len;
    if (nc_inq_dimid(ncid, "atom", &dim) || nc_inq_dimlen(ncid, dim, &len) || len != atoms->n)
        return 0;
    if (nc_inq_varid(ncid, "atom_ids", &v) || nc_get_var_int(ncid, v, ids)) return 0;
    for (size_t j = 0; j < atoms->n; j++)
        if (ids[j] != atoms->id[j]) return 0;
    return 1;
}

/* Checks that the file at path was written for these atoms; returns its frame count. */
static gmd_status inspect_file(const char *path, const gmd_traj_frame *atoms, long *frames,
                               gmd_error *err)
{
    int ncid, dim, status;
    size_t len = 0;
    NC_CHECK(nc_open(path, NC_NOWRITE, &ncid), "open for the resume");
    int *ids = gmd_calloc(atoms->n, sizeof *ids, "netCDF atom ids", err);
    gmd_status st = ids ? GMD_OK : GMD_ERR_NOMEM;
    if (st == GMD_OK && !is_amber_file(ncid))
        st = gmd_fail(err, GMD_ERR_IO,
                      "%s: not an AMBER-convention trajectory; remove it or start the run afresh",
                      path);
    if (st == GMD_OK && !holds_atoms(ncid, atoms, ids))
        st = gmd_fail(err, GMD_ERR_IO,
                      "%s: does not hold the %zu atoms (ids %ld..%ld) of this run, so it belongs "
                      "to another run; remove it or start the run afresh",
                      path, atoms->n, atoms->id[0], atoms->id[atoms->n - 1]);
    if (st == GMD_OK && ((status = nc_inq_dimid(ncid, "frame", &dim)) != NC_NOERR ||
                         (status = nc_inq_dimlen(ncid, dim, &len)) != NC_NOERR))
        st = nc_fail(err, status, path, "read the frame count");
    *frames = (long)len;
    nc_close(ncid);
    free(ids);
    return st;
}

static gmd_status reopen_file(nc_state *s, long keep, gmd_error *err)
{
    const char *path = s->path;
    int old_fill;
    NC_CHECK(nc_open(path, NC_WRITE, &s->ncid), "open for appending");
    NC_CHECK(nc_set_fill(s->ncid, NC_NOFILL, &old_fill), "set the fill mode");
    NC_CHECK(nc_inq_varid(s->ncid, "time", &s->v_time), "find variable time");
    NC_CHECK(nc_inq_varid(s->ncid, "coordinates", &s->v_coords), "find variable coordinates");
    NC_CHECK(nc_inq_varid(s->ncid, "cell_lengths", &s->v_lengths), "find cell_lengths");
    NC_CHECK(nc_inq_varid(s->ncid, "cell_angles", &s->v_angles), "find cell_angles");
    NC_CHECK(nc_inq_varid(s->ncid, "cell_origin", &s->v_origin), "find cell_origin");
    s->frames = s->flushed = keep;
    return GMD_OK;
}

static gmd_status resume_file(nc_state *s, const gmd_forcefield *ff, const gmd_traj_frame *atoms,
                              long keep, gmd_error *err)
{
    /* nothing before the checkpoint: whatever is there (perhaps a file cut short while
     * being created) is replaced */
    if (keep == 0) return create_file(s, ff, atoms, err);
    if (access(s->path, F_OK) != 0)
        return gmd_fail(err, GMD_ERR_IO,
                        "%s: missing, but the checkpoint says it held %ld frames; restore the "
                        "file or start the run afresh",
                        s->path, keep);
    long frames = 0;
    gmd_status st = inspect_file(s->path, atoms, &frames, err);
    if (st == GMD_OK && frames < keep)
        st = gmd_fail(err, GMD_ERR_IO,
                      "%s: holds %ld frames, but the checkpoint says %ld were written; the "
                      "file was truncated or replaced since; restore it or start the run afresh",
                      s->path, frames, keep);
    if (st == GMD_OK && frames > keep) st = truncate_frames(s->path, keep, err);
    return st == GMD_OK ? reopen_file(s, keep, err) : st;
}

/* ---- the back end ------------------------------------------------------------------- */

static void free_state(nc_state *s)
{
    free(s->coords);
    free(s->path);
    free(s);
}

gmd_status gmd_traj_netcdf_open(void **state, const char *path, const gmd_forcefield *ff,
                                const gmd_traj_frame *atoms, long keep, gmd_error *err)
{
    *state = NULL;
    nc_state *s = gmd_calloc(1, sizeof *s, "netCDF writer", err);
    if (!s) return GMD_ERR_NOMEM;
    s->ncid = -1;
    s->n = atoms->n;
    s->path = gmd_calloc(strlen(path) + 1, 1, "netCDF writer path", err);
    s->coords = gmd_calloc(3 * atoms->n, sizeof *s->coords, "netCDF frame", err);
    gmd_status st = s->path && s->coords ? GMD_OK : GMD_ERR_NOMEM;
    if (st == GMD_OK) {
        strcpy(s->path, path);
        st = keep < 0 ? create_file(s, ff, atoms, err) : resume_file(s, ff, atoms, keep, err);
    }
    if (st != GMD_OK) {
        if (s->ncid >= 0) nc_close(s->ncid);
        free_state(s);
        return st;
    }
    *state = s;
    return GMD_OK;
}

static gmd_status nc_write_frame(void *state, const gmd_traj_frame *f, gmd_error *err)
{
    nc_state *s = state;
    const char *path = s->path;
    for (size_t j = 0; j < s->n; j++)
        for (int k = 0; k < 3; k++)
            s->coords[3 * j + k] = (float)f->x[k][j];
    size_t rec = (size_t)s->frames;
    size_t start[3] = {rec, 0, 0}, count[3] = {1, s->n, 3};
    float time = (float)f->time_ps;
    const double angles[3] = {90.0, 90.0, 90.0};
    NC_CHECK(nc_put_vara_float(s->ncid, s->v_coords, start, count, s->coords), "write coordinates");
    NC_CHECK(nc_put_var1_float(s->ncid, s->v_time, &rec, &time), "write time");
    count[1] = 3;
    NC_CHECK(nc_put_vara_double(s->ncid, s->v_lengths, start, count, f->box.len),
             "write cell_lengths");
    NC_CHECK(nc_put_vara_double(s->ncid, s->v_angles, start, count, angles), "write cell_angles");
    NC_CHECK(nc_put_vara_double(s->ncid, s->v_origin, start, count, f->box.lo),
             "write cell_origin");
    s->frames++;
    return GMD_OK;
}

static gmd_status nc_flush(void *state, gmd_error *err)
{
    nc_state *s = state;
    const char *path = s->path;
    NC_CHECK(nc_sync(s->ncid), "sync");
    gmd_status st = gmd_fsync_path(path, err);
    if (st == GMD_OK) s->flushed = s->frames;
    return st;
}

static long nc_position(const void *state)
{
    const nc_state *s = state;
    return s->flushed;
}

static gmd_status nc_close_writer(void *state, gmd_error *err)
{
    nc_state *s = state;
    gmd_status st = nc_flush(s, err);
    int status = nc_close(s->ncid);
    if (st == GMD_OK && status != NC_NOERR) st = nc_fail(err, status, s->path, "close");
    free_state(s);
    return st;
}

const gmd_traj_backend gmd_traj_netcdf_backend = {
    .write = nc_write_frame,
    .flush = nc_flush,
    .position = nc_position,
    .close = nc_close_writer,
};
