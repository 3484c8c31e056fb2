/* api.h - flat entry points for callers outside C, such as the Python package's ctypes
 * binding (python/glassmd/_lib.py), that would otherwise have to mirror the library's
 * structs: a force field, a configuration and a model behind opaque handles; positions and
 * forces as one row-major (n, 3) array each, as numpy holds them; the model's settings as
 * the words of run inputs ("pppm", "off"); an analysis with its options by name; a run
 * with its progress callback; a study.
 * As everywhere in the library, nothing here prints or exits: every fallible call returns
 * a gmd_status and leaves its one-line message in err. */
#ifndef GLASSMD_API_H
#define GLASSMD_API_H

#include <stddef.h>

#include "glassmd/error.h"
#include "glassmd/forcefield.h"
#include "glassmd/run.h"

/* GLASSMD_VERSION of the library (a binding checks that it loaded the one it expects). */
const char *gmd_api_version(void);

/* ---- force field ------------------------------------------------------------------------ */

/* Reads a force field into a new heap copy (*out NULL on failure); free with
 * gmd_api_forcefield_free. Messages name the file and the line (gmd_forcefield_read). */
gmd_status gmd_api_forcefield_read(gmd_forcefield **out, const char *path, gmd_error *err);
void gmd_api_forcefield_free(gmd_forcefield *ff);
int gmd_api_forcefield_nspecies(const gmd_forcefield *ff);
/* The name of species s (NULL when out of range), its mass (g/mol) and charge (e). */
const char *gmd_api_forcefield_species(const gmd_forcefield *ff, int s, double *mass,
                                       double *charge);
/* The force field's cut-off (A), k-space method word and accuracy. */
double gmd_api_forcefield_cutoff(const gmd_forcefield *ff);
const char *gmd_api_forcefield_kspace(const gmd_forcefield *ff);
double gmd_api_forcefield_accuracy(const gmd_forcefield *ff);

/* ---- configuration ---------------------------------------------------------------------- */

/* A configuration as the library reads it (gmd_config_read: LAMMPS data or extended XYZ,
 * format from the content), atoms in the reader's order - the order `glassmd eval`
 * computes in, so that a model fed these positions gives its numbers bit for bit. */
typedef struct gmd_api_config gmd_api_config;
gmd_status gmd_api_config_read(gmd_api_config **out, const char *path, const gmd_forcefield *ff,
                               const char *types_map, gmd_error *err);
size_t gmd_api_config_natoms(const gmd_api_config *c);
/* Copies the box (lower corner, edge lengths) and per atom the positions (n x 3, row-major),
 * velocities (n x 3, A/ps), species indices and ids; NULL outputs are skipped. */
void gmd_api_config_get(const gmd_api_config *c, double lo[3], double len[3], double *positions,
                        double *velocities, int *types, long *ids);
void gmd_api_config_free(gmd_api_config *c);
/* Writes n atoms (ids 1..n, species indices `types`, positions and, unless NULL,
 * velocities as n x 3 row-major arrays) as a LAMMPS data file or extended XYZ (by the
 * name's extension: .xyz is XYZ). */
gmd_status gmd_api_config_write(const char *path, const gmd_forcefield *ff, const double lo[3],
                                const double len[3], size_t n, const int *types,
                                const double *positions, const double *velocities, gmd_error *err);

/* ---- model ------------------------------------------------------------------------------ */

/* A model (model.h) with its own atoms: n atoms of species `types` (indices into the
 * force field) in the box lo, len. kspace: "ewald", "pppm", "none" or NULL (the force
 * field's); accuracy, cutoff <= 0: the force field's; threebody: "on" (NULL), "off",
 * "smooth" or "hard" as in run inputs; threads < 1: OpenMP's default (as glassmd eval). */
typedef struct gmd_api_model gmd_api_model;
gmd_status gmd_api_model_create(gmd_api_model **out, const gmd_forcefield *ff, const double lo[3],
                                const double len[3], size_t n, const int *types, const char *kspace,
                                double accuracy, double cutoff, const char *threebody, int threads,
                                gmd_error *err);
size_t gmd_api_model_natoms(const gmd_api_model *m);
/* Energy, forces and virial at `positions` (n x 3, row-major, A; wrapped into the box as
 * gmd_model_compute's neighbour-list rebuild does). Writes forces (n x 3, eV/A) unless
 * NULL, energies[p] for each part p < gmd_api_model_nparts (eV) unless NULL, the virial
 * (6, eV, xx yy zz xy xz yz) unless NULL and the total energy *pe (eV, gmd_tally_total)
 * unless NULL. GMD_ERR_PHYSICS when the energy is not finite. */
gmd_status gmd_api_model_compute(gmd_api_model *m, const double *positions, double *forces,
                                 double *energies, double *virial, double *pe, gmd_error *err);
/* The energy parts: name of part p ("buckingham", ...), and the total it belongs to
 * ("coulomb") or NULL; both NULL for p out of range. */
int gmd_api_model_nparts(const gmd_api_model *m);
const char *gmd_api_model_part_name(const gmd_api_model *m, int p);
const char *gmd_api_model_part_sum(const gmd_api_model *m, int p);
/* The model's k-space choice as a JSON object (gmd_model_describe_kspace) into buf. */
int gmd_api_model_describe_kspace(const gmd_api_model *m, char *buf, size_t len);
/* The settings in use: cut-off (A), accuracy, threads, and the taper word ("off",
 * "smooth", "hard") the three-body terms run with. */
double gmd_api_model_cutoff(const gmd_api_model *m);
int gmd_api_model_threads(const gmd_api_model *m);
const char *gmd_api_model_taper(const gmd_api_model *m);
void gmd_api_model_free(gmd_api_model *m);

/* ---- analysis -------------------------------------------------------------------------- */

/* `glassmd analyze TRAJ --NAME VALUE ...` without its printing: options names[i] set to
 * values[i] (values[i] NULL for a flag) by gmd_analyze_set_option (names as the command
 * line's long options, '_' for '-'); outputs (results.json, CSV curves, figures) in the
 * "out" option's folder (default "analysis"). command (may be NULL) is recorded in
 * results.json; summary (may be NULL) gets gmd_analyze_summary's line. */
gmd_status gmd_api_analyze(const char *traj, int noptions, const char *const *names,
                           const char *const *values, const char *command, char *summary,
                           size_t summary_len, gmd_error *err);

/* ---- run -------------------------------------------------------------------------------- */

/* `glassmd run INPUT [--resume] [--threads N]` without its printing: reads the run input
 * and executes it (gmd_run_execute), calling progress (may be NULL) every progress_every
 * MD steps (<= 0: 100). threads < 1: the input's. */
gmd_status gmd_api_run(const char *input, int resume, int threads, gmd_run_progress_fn progress,
                       void *progress_user, long progress_every, gmd_error *err);

/* ---- study ------------------------------------------------------------------------------ */

/* `glassmd study STUDY` without its printing: reads the study and plans it; dry_run 1:
 * estimates every job's cost (gmd_study_plan_estimate: OpenMP in this process) and writes
 * OUT/plan.json, running nothing (as --dry-run with --only-plan); dry_run 0: runs every job
 * not current in a pool of `jobs` forked workers (<= 0: the study's, else cores / threads),
 * which writes OUT/plan.json as it goes. A process that has used OpenMP must not fork
 * workers that use it (libgomp), so call the run in a fresh process (the Python package
 * does). output_dir (may be NULL) gets OUT. */
gmd_status gmd_api_study(const char *path, int dry_run, int jobs, char *output_dir,
                         size_t output_dir_len, gmd_error *err);

#endif
