/* trajectory.c - the trajectory front end: checks the atoms, puts them in id order with
 * unwrapped positions, and hands the frame to the format's back end
 * (trajectory_dump.c or trajectory_netcdf.c) through its function table.
 *
 * Id order: the MD code may reorder its arrays (e.g. for cache locality), so every frame
 * needs the permutation `order` with id[order[0]] < id[order[1]] < ... The writer keeps
 * the last one and checks it in O(n) (still strictly increasing ids means it is still the
 * sorted order, since ids are unique); only when that check fails is it rebuilt with a
 * sort. The frame arrays (ids, types, charges, unwrapped x/y/z in id order) are owned by
 * the writer and refilled every frame, so writing allocates nothing in steady state.
 *
 * The number of atoms is fixed when the writer opens (NetCDF stores it as a dimension);
 * a frame with another count is an error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glassmd/trajectory.h"
#include "io_util.h"
#include "trajectory_internal.h"

struct gmd_traj_writer {
    const gmd_traj_backend *backend;
    void *state;
    char path[512]; /* for messages */
    int nspecies;
    size_t n;
    size_t *order; /* atom indices in increasing id order */
    long *id;      /* the frame, in id order */
    int *type;
    double *charge;
    double *x[3];
};

static void free_writer(gmd_traj_writer *w)
{
    free(w->order);
    free(w->id);
    free(w->type);
    free(w->charge);
    for (int k = 0; k < 3; k++)
        free(w->x[k]);
    free(w);
}

static gmd_status alloc_frame(gmd_traj_writer *w, gmd_error *err)
{
    size_t n = w->n;
    w->id = gmd_calloc(n, sizeof *w->id, "trajectory frame", err);
    w->type = gmd_calloc(n, sizeof *w->type, "trajectory frame", err);
    w->charge = gmd_calloc(n, sizeof *w->charge, "trajectory frame", err);
    for (int k = 0; k < 3; k++)
        w->x[k] = gmd_calloc(n, sizeof *w->x[k], "trajectory frame", err);
    if (!w->id || !w->type || !w->charge || !w->x[0] || !w->x[1] || !w->x[2]) return GMD_ERR_NOMEM;
    return GMD_OK;
}

static int order_is_sorted(const gmd_traj_writer *w, const gmd_atoms *atoms)
{
    if (!w->order) return 0;
    for (size_t j = 1; j < w->n; j++)
        if (atoms->id[w->order[j - 1]] >= atoms->id[w->order[j]]) return 0;
    return 1;
}

/* Makes w->order the id order of atoms; rejects duplicate ids. */
static gmd_status update_order(gmd_traj_writer *w, const gmd_atoms *atoms, gmd_error *err)
{
    if (order_is_sorted(w, atoms)) return GMD_OK;
    free(w->order);
    w->order = gmd_io_order_by_id(atoms, err);
    if (!w->order) return GMD_ERR_NOMEM;
    for (size_t j = 1; j < w->n; j++)
        if (atoms->id[w->order[j - 1]] == atoms->id[w->order[j]])
            return gmd_fail(err, GMD_ERR_VALUE, "%s: atom id %ld appears twice; ids must be unique",
                            w->path, atoms->id[w->order[j]]);
    return GMD_OK;
}

static gmd_status check_atoms(const gmd_traj_writer *w, const gmd_atoms *atoms, gmd_error *err)
{
    if (atoms->n != w->n)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "%s: the trajectory was opened for %zu atoms but a frame has %zu; a "
                        "trajectory file holds a fixed number of atoms",
                        w->path, w->n, atoms->n);
    for (size_t i = 0; i < atoms->n; i++)
        if (atoms->type[i] < 0 || atoms->type[i] >= w->nspecies)
            return gmd_fail(err, GMD_ERR_VALUE,
                            "%s: atom id %ld has species index %d, outside the force field's "
                            "%d species",
                            w->path, atoms->id[i], atoms->type[i], w->nspecies);
    return GMD_OK;
}

/* Fills the frame arrays from atoms in id order; positions unwrapped when box is given. */
static void fill_frame(gmd_traj_writer *w, const gmd_atoms *atoms, const gmd_box *box)
{
    for (size_t j = 0; j < w->n; j++) {
        size_t i = w->order[j];
        w->id[j] = atoms->id[i];
        w->type[j] = atoms->type[i];
        w->charge[j] = atoms->charge[i];
    }
    if (!box) return;
    for (int k = 0; k < 3; k++) {
        const double *r = atoms->r[k];
        const int *img = atoms->image[k];
        double len = box->len[k];
        for (size_t j = 0; j < w->n; j++) {
            size_t i = w->order[j];
            w->x[k][j] = r[i] + (double)img[i] * len;
        }
    }
}

static gmd_traj_frame frame_view(const gmd_traj_writer *w)
{
    gmd_traj_frame f = {.n = w->n, .id = w->id, .type = w->type, .charge = w->charge};
    for (int k = 0; k < 3; k++)
        f.x[k] = w->x[k];
    return f;
}

static gmd_status open_backend(gmd_traj_writer *w, const char *path, gmd_traj_format format,
                               const gmd_forcefield *ff, long keep, gmd_error *err)
{
    gmd_traj_frame atoms_in_order = frame_view(w);
    switch (format) {
    case GMD_TRAJ_LAMMPS_DUMP:
        w->backend = &gmd_traj_dump_backend;
        return gmd_traj_dump_open(&w->state, path, ff, keep, err);
    case GMD_TRAJ_NETCDF:
        w->backend = &gmd_traj_netcdf_backend;
        return gmd_traj_netcdf_open(&w->state, path, ff, &atoms_in_order, keep, err);
    }
    return gmd_fail(err, GMD_ERR_VALUE, "%s: unknown trajectory format %d", path, (int)format);
}

gmd_status gmd_traj_open(gmd_traj_writer **out, const char *path, gmd_traj_format format,
                         const gmd_forcefield *ff, const gmd_atoms *atoms, long keep,
                         gmd_error *err)
{
    *out = NULL;
    if (atoms->n == 0)
        return gmd_fail(err, GMD_ERR_VALUE, "%s: a trajectory needs at least one atom", path);
    gmd_traj_writer *w = gmd_calloc(1, sizeof *w, "trajectory writer", err);
    if (!w) return GMD_ERR_NOMEM;
    snprintf(w->path, sizeof w->path, "%s", path);
    w->nspecies = ff->nspecies;
    w->n = atoms->n;
    gmd_status st = alloc_frame(w, err);
    if (st == GMD_OK) st = check_atoms(w, atoms, err);
    if (st == GMD_OK) st = update_order(w, atoms, err);
    if (st == GMD_OK) {
        fill_frame(w, atoms, NULL);
        st = open_backend(w, path, format, ff, keep, err);
    }
    if (st != GMD_OK) {
        free_writer(w);
        return st;
    }
    *out = w;
    return GMD_OK;
}

gmd_status gmd_traj_write(gmd_traj_writer *w, long step, double time_ps, const gmd_box *box,
                          const gmd_atoms *atoms, gmd_error *err)
{
    gmd_status st = check_atoms(w, atoms, err);
    if (st == GMD_OK) st = update_order(w, atoms, err);
    if (st != GMD_OK) return st;
    fill_frame(w, atoms, box);
    gmd_traj_frame f = frame_view(w);
    f.step = step;
    f.time_ps = time_ps;
    f.box = *box;
    return w->backend->write(w->state, &f, err);
}

gmd_status gmd_traj_flush(gmd_traj_writer *w, gmd_error *err)
{
    return w->backend->flush(w->state, err);
}

long gmd_traj_position(const gmd_traj_writer *w)
{
    return w->backend->position(w->state);
}

gmd_status gmd_traj_close(gmd_traj_writer *w, gmd_error *err)
{
    if (!w) return GMD_OK;
    gmd_status st = w->backend->close(w->state, err);
    free_writer(w);
    return st;
}
