/* trajectory_internal.h - what the trajectory front end (trajectory.c) shares with its
 * format back ends (trajectory_dump.c, trajectory_netcdf.c) and the text writer
 * (text_writer.c). Internal to src/io.
 *
 * The front end turns the atoms (in whatever order the MD code keeps them) into a frame
 * in id order with unwrapped positions; a back end only formats and stores frames.
 * A back end is a struct of function pointers (CoMD's potential style): the front end
 * holds the state pointer returned by the back end's open function and calls through the
 * table, never looking inside the state. */
#ifndef GLASSMD_TRAJECTORY_INTERNAL_H
#define GLASSMD_TRAJECTORY_INTERNAL_H

#include <stddef.h>

#include "glassmd/error.h"
#include "glassmd/forcefield.h"
#include "glassmd/system.h"

/* One frame, atoms in increasing id order. x[k][j] is the unwrapped coordinate k of the
 * j-th atom in id order. At open time the same struct carries the per-atom constants
 * (id, type, charge) and x is unset. */
typedef struct gmd_traj_frame {
    long step;
    double time_ps;
    gmd_box box;
    size_t n;
    const long *id;
    const int *type;      /* species index, 0-based */
    const double *charge; /* e */
    const double *x[3];   /* A, unwrapped */
} gmd_traj_frame;

typedef struct gmd_traj_backend {
    gmd_status (*write)(void *state, const gmd_traj_frame *frame, gmd_error *err);
    gmd_status (*flush)(void *state, gmd_error *err);
    long (*position)(const void *state);
    /* Flushes, closes and frees the state (also when it fails). */
    gmd_status (*close)(void *state, gmd_error *err);
} gmd_traj_backend;

extern const gmd_traj_backend gmd_traj_dump_backend;
extern const gmd_traj_backend gmd_traj_netcdf_backend;

/* keep has the meaning of gmd_traj_open(): < 0 create, >= 0 cut back to keep and append. */
gmd_status gmd_traj_dump_open(void **state, const char *path, const gmd_forcefield *ff, long keep,
                              gmd_error *err);
gmd_status gmd_traj_netcdf_open(void **state, const char *path, const gmd_forcefield *ff,
                                const gmd_traj_frame *atoms, long keep, gmd_error *err);

/* fsyncs the directory that holds path, so that a file just created or renamed there
 * survives a crash (implemented in text_writer.c). */
gmd_status gmd_fsync_parent_dir(const char *path, gmd_error *err);
/* fsyncs the file at path through a fresh descriptor (for files written by libraries
 * that do not fsync themselves). */
gmd_status gmd_fsync_path(const char *path, gmd_error *err);

#endif
