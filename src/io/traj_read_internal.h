/* traj_read_internal.h - what the trajectory reader front end (traj_read.c) shares with
 * its format back ends (traj_read_dump.c, traj_read_netcdf.c, traj_read_xyz.c). Internal
 * to src/io.
 *
 * A back end parses one frame at a time into a traj_raw: atoms in FILE order, positions
 * in A (already unwrapped with image flags where the file had them, and converted from
 * scaled coordinates), species already resolved to indices of the reader's species table
 * through the traj_species resolver below. The front end then sorts the atoms by id,
 * checks them against the first frame (count, ids, species) and, for files that store
 * wrapped positions without image flags, unwraps them by the minimum image of the
 * displacement since the previous frame. */
#ifndef GLASSMD_TRAJ_READ_INTERNAL_H
#define GLASSMD_TRAJ_READ_INTERNAL_H

#include <stddef.h>

#include "glassmd/analysis.h"

/* One frame as a back end delivers it. Arrays have room for cap atoms; the back end grows
 * them with traj_raw_reserve. */
typedef struct traj_raw {
    long step;
    double time_ps;
    gmd_box box;
    size_t n, cap;
    double *r[3]; /* A; unwrapped when `unwrapped`, else wrapped (or anywhere) */
    long *id;
    int *type; /* species index */
    double *q; /* e, valid when have_q */
    int have_q;
    int unwrapped;  /* 1: positions are unwrapped; 0: unwrap by minimum image */
    long frame;     /* 1-based index of the frame in the file */
    int atom_line;  /* text formats: line of the first atom (atom i is on atom_line + i) */
    int count_line; /* text formats: line of the atom count */
} traj_raw;

gmd_status traj_raw_reserve(traj_raw *raw, size_t n, gmd_error *err);

/* Species resolution, shared by the back ends. Order of preference: names in the file
 * (element column, species names), then the types map, then the force field's species in
 * type order. Without a force field or a types map the table grows as names appear, and
 * is sorted once after the first frame by `key` (the LAMMPS type, or the order of first
 * appearance) so that species indices do not depend on the atom order of the file. */
typedef struct traj_species {
    gmd_species_table table;
    const gmd_forcefield *ff;
    int nmap;                         /* types named by types_map (0: none) */
    int map_species[GMD_MAX_SPECIES]; /* type t (1-based) -> table index of map entry t-1 */
    char map_text[256];               /* the map as given, for messages */
    int growing;                      /* 1: names not in the table are added */
    long key[GMD_MAX_SPECIES];        /* sort key of each grown species */
    long next_key;                    /* first-appearance counter */
} traj_species;

/* Index of species `name` (registering it with sort key `type` when the table grows;
 * type <= 0: order of first appearance); -1 with a reason in why. */
int traj_species_by_name(traj_species *sp, const char *name, long type, char *why, size_t whylen);
/* Index of the species of LAMMPS type t (1-based) through the types map or the force
 * field; -1 with a reason in why. */
int traj_species_by_type(const traj_species *sp, long t, char *why, size_t whylen);

/* A format back end: a struct of function pointers, state owned by the back end. */
typedef struct traj_backend {
    /* Reads the next frame into raw; *eof = 1 (and GMD_OK) at a clean end of file. */
    gmd_status (*read)(void *state, traj_species *sp, traj_raw *raw, int *eof, gmd_error *err);
    void (*close)(void *state);
} traj_backend;

gmd_status traj_dump_open(void **state, const char *path, double dt_fs, gmd_error *err);
gmd_status traj_netcdf_open(void **state, const char *path, double dt_fs, gmd_error *err);
gmd_status traj_xyz_open(void **state, const char *path, double dt_fs, gmd_error *err);
extern const traj_backend traj_dump_backend;
extern const traj_backend traj_netcdf_backend;
extern const traj_backend traj_xyz_backend;

#endif
