/* trajectory.h - trajectory and thermo output that survives a crash and a resume.
 *
 * Formats: LAMMPS text dump (`ITEM: ATOMS id type element q xu yu zu`, unwrapped, sorted by
 * id, types numbered as the force field's species 1..n) and NetCDF in the AMBER
 * convention (Conventions "AMBER", ConventionVersion "1.0", variables time (ps),
 * coordinates (A, unwrapped, float), cell_lengths, cell_angles, plus atom_types (int),
 * atom_charges and a species-name table; readable by MDAnalysis, OVITO and VMD).
 *
 * Resume: a writer opened with keep >= 0 first cuts the existing file back to `keep`
 * (bytes for text files, frames for NetCDF) - the position recorded in the last
 * checkpoint - and appends from there, so nothing is written twice or lost.
 * gmd_traj_position() after gmd_traj_flush() is what a checkpoint records. */
#ifndef GLASSMD_TRAJECTORY_H
#define GLASSMD_TRAJECTORY_H

#include "glassmd/error.h"
#include "glassmd/forcefield.h"
#include "glassmd/system.h"

typedef enum gmd_traj_format {
    GMD_TRAJ_LAMMPS_DUMP = 0,
    GMD_TRAJ_NETCDF = 1,
} gmd_traj_format;

typedef struct gmd_traj_writer gmd_traj_writer;

/* keep < 0: create (truncate) the file; keep >= 0: resume as described above. */
gmd_status gmd_traj_open(gmd_traj_writer **out, const char *path, gmd_traj_format format,
                         const gmd_forcefield *ff, const gmd_atoms *atoms, long keep,
                         gmd_error *err);
/* Writes one frame of unwrapped positions (r + image * len), atoms sorted by id. */
gmd_status gmd_traj_write(gmd_traj_writer *w, long step, double time_ps, const gmd_box *box,
                          const gmd_atoms *atoms, gmd_error *err);
/* Pushes buffered data to the file and fsyncs it. */
gmd_status gmd_traj_flush(gmd_traj_writer *w, gmd_error *err);
/* Bytes (dump) or frames (NetCDF) in the file after the last flush. */
long gmd_traj_position(const gmd_traj_writer *w);
gmd_status gmd_traj_close(gmd_traj_writer *w, gmd_error *err);

/* A plain text output (thermo CSV, run log) with the same resume semantics: keep < 0
 * creates, keep >= 0 truncates to keep bytes and appends. */
typedef struct gmd_text_writer gmd_text_writer;
gmd_status gmd_text_open(gmd_text_writer **out, const char *path, long keep, gmd_error *err);
gmd_status gmd_text_printf(gmd_text_writer *w, gmd_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
gmd_status gmd_text_flush(gmd_text_writer *w, gmd_error *err);
/* Hands what was written to the kernel (fflush, no fsync): `tail -f` sees it at once; a
 * checkpoint still counts only what gmd_text_flush made durable. */
gmd_status gmd_text_push(gmd_text_writer *w, gmd_error *err);
long gmd_text_position(const gmd_text_writer *w);
gmd_status gmd_text_close(gmd_text_writer *w, gmd_error *err);

#endif
