/* analysis.h - trajectory analysis: streamed frames, one accumulator per analysis.
 *
 * A trajectory is read frame by frame (gmd_traj_reader). Every analysis is a unit behind
 * one interface, like a force term: created with the settings and the first frame, fed
 * every frame (add_frame), then finish() writes its curves (CSV + figure) into the output
 * folder and its scalars into the results JSON object. Structural analyses keep only
 * histograms; dynamical ones (msd, sigma) keep the unwrapped positions they need.
 *
 * Frames hold UNWRAPPED positions (wrapped + image * len where the file had images), atoms
 * sorted by id, species as indices into the trajectory's species table. */
#ifndef GLASSMD_ANALYSIS_H
#define GLASSMD_ANALYSIS_H

#include <stddef.h>

#include "glassmd/error.h"
#include "glassmd/forcefield.h"
#include "glassmd/system.h"

struct cJSON;

typedef struct gmd_frame {
    long step;      /* MD step (TIMESTEP of a dump) */
    double time_ps; /* step * dt, or the file's own time */
    gmd_box box;
    size_t n;
    double *r[3]; /* unwrapped positions, A */
    long *id;     /* sorted ascending */
    int *type;    /* species index */
} gmd_frame;

typedef enum gmd_traj_in_format {
    GMD_TRAJ_IN_AUTO = 0,
    GMD_TRAJ_IN_LAMMPSDUMP,
    GMD_TRAJ_IN_NETCDF,
    GMD_TRAJ_IN_XYZ,
} gmd_traj_in_format;

/* The species of a trajectory: names, charges (e) and masses (g/mol). */
typedef struct gmd_species_table {
    int n;
    char name[GMD_MAX_SPECIES][GMD_NAME_LEN];
    double charge[GMD_MAX_SPECIES];
    double mass[GMD_MAX_SPECIES];
    int have_charges;
} gmd_species_table;

typedef struct gmd_traj_reader gmd_traj_reader;

/* Opens a trajectory. ff (may be NULL) gives species names, charges and masses; types_map
 * (may be NULL, "Si,S,Na") names LAMMPS types 1, 2, ...; dt_fs converts a dump's TIMESTEP
 * into time (<= 0: 1 fs). Errors name the file, the frame and the line. */
gmd_status gmd_traj_reader_open(gmd_traj_reader **out, const char *path, gmd_traj_in_format format,
                                const gmd_forcefield *ff, const char *types_map, double dt_fs,
                                gmd_error *err);
/* Reads the next frame into frame (allocated on first use, reused after); *eof = 1 and
 * GMD_OK when there is none. */
gmd_status gmd_traj_reader_next(gmd_traj_reader *r, gmd_frame *frame, int *eof, gmd_error *err);
const gmd_species_table *gmd_traj_reader_species(const gmd_traj_reader *r);
void gmd_traj_reader_close(gmd_traj_reader *r);
void gmd_frame_free(gmd_frame *frame);

#define GMD_MAX_PAIRS_REQUEST 16

/* How the reciprocal-lattice S(k) of sq and fsdp sums rho_a(k) = sum_i exp(i k.r_i): by a
 * gridded transform (kernel spreading + FFT, agreeing with the direct sum to ~1e-9
 * relative, several times faster) or by the direct sum over atoms and vectors. */
typedef enum gmd_sq_method { GMD_SQ_GRID = 0, GMD_SQ_DIRECT = 1 } gmd_sq_method;

/* The figures of one analysis run, queued by gmd_analysis_plot and drawn together by
 * gmd_figure_batch_draw: one gnuplot process for all of them (a gnuplot start-up, fonts
 * included, costs more CPU than drawing a curve: 9 figures took 0.86 s of CPU one process
 * each, 0.27 s in one). */
#define GMD_FIGURE_BATCH_MAX 32
typedef struct gmd_figure_batch {
    int n;
    char name[GMD_FIGURE_BATCH_MAX][64];
} gmd_figure_batch;

/* Settings shared by all analyses (defaults from gmd_analysis_default_settings). */
typedef struct gmd_analysis_settings {
    const char *out_dir;        /* where CSV / figures go */
    gmd_figure_batch *figures;  /* NULL (default): each figure drawn when written; else queued */
    double temperature_K;       /* for sigma (required for sigma) */
    double dt_fs;               /* MD step in fs (time of a frame = step * dt) */
    double rdf_rmax_A;          /* default: half the smallest box length */
    double rdf_dr_A;            /* default 0.02 */
    double sq_kmax_invA;        /* default 20 */
    double sq_dk_invA;          /* default 0.02 */
    int sq_lorch;               /* 1: Lorch window in the g -> S transform */
    double direct_sq_kmax_invA; /* reciprocal-lattice S(k) up to this k (default 4) */
    gmd_sq_method sq_method;    /* how that S(k) is summed (default GMD_SQ_GRID) */
    const char *exp_sq_path;    /* two columns k S for the Wright R_X (may be NULL) */
    double msd_fit_t0_ps, msd_fit_t1_ps; /* <= 0: find the diffusive regime */
    int msd_blocks;                      /* independent blocks for error bars (default 5) */
    char former[GMD_NAME_LEN];           /* network former species (default "Si") */
    char bridge[GMD_NAME_LEN];           /* bridging anion species (default "S") */
    char modifier[GMD_NAME_LEN];         /* mobile cation (default "Na") */
    double cut_former_bridge_A;          /* Si-S cut-off (default 2.7) */
    double cut_modifier_bridge_A;        /* Na-S cut-off (default 3.5) */
    double cut_homopolar_A;              /* S-S bond cut-off (default 2.4) */
    char fsdp_pair[2 * GMD_NAME_LEN];    /* default "Na-Na" */
    int nangle_triplets;
    char angle_triplets[8][3 * GMD_NAME_LEN]; /* "Si-S-Si" ... (default the four of SPEC) */
    int threads;
} gmd_analysis_settings;

void gmd_analysis_default_settings(gmd_analysis_settings *s);

/* A pair-distance histogram per ordered species pair (the g(r) accumulator), which the rdf
 * and sq analyses can share so that a run of both bins the pairs of each frame once (the
 * binning is most of their cost). A driver that runs either creates one, passes it in
 * gmd_analysis_system.pairs before creating the analyses, and adds every frame to it
 * (gmd_pair_histogram_add) before the analyses' add_frame; rdf sets its coordination
 * cut-offs on it. With pairs NULL each analysis keeps its own. */
typedef struct gmd_rdf_acc gmd_pair_histogram;

/* The reciprocal-lattice S(k) (rho_a(k) of every species on the box's reciprocal lattice up
 * to settings->direct_sq_kmax_invA, summed into shells of settings->sq_dk_invA), which the
 * sq and fsdp analyses can share in the same way, so that a run of both transforms each
 * frame once (fsdp alone computes only its pair, up to 2.5 A^-1). A driver creates it,
 * passes it in gmd_analysis_system.reciprocal and adds every frame to it
 * (gmd_reciprocal_sq_add) before the analyses' add_frame. */
typedef struct gmd_dsq_acc gmd_reciprocal_sq;

/* The bonds of each frame (every atom's neighbours within the cut-offs of its species
 * pairs), which the network and angles analyses can share in the same way, so that a run
 * of both finds each frame's bonds once: a driver creates an empty one, passes it in
 * gmd_analysis_system.bonds before creating the analyses (each asks it for the cut-offs it
 * needs) and adds every frame to it (gmd_bond_table_add) before their add_frame. */
typedef struct gmd_frame_bonds gmd_bond_table;

/* The stored trajectory (unwrapped positions of every frame) with its species' MSD and
 * diffusion, which the msd and sigma analyses can share in the same way: the frames are
 * stored once and the MSD and D computed once (gmd_trajectory_store_add every frame). */
typedef struct gmd_dyn_shared gmd_trajectory_store;

/* What every analysis sees about the system (constant over the trajectory). */
typedef struct gmd_analysis_system {
    const gmd_species_table *species;
    size_t natoms;
    long count[GMD_MAX_SPECIES];   /* atoms per species */
    gmd_pair_histogram *pairs;     /* shared histogram fed by the driver, or NULL */
    gmd_reciprocal_sq *reciprocal; /* shared reciprocal-lattice S(k) fed by the driver, or NULL */
    gmd_bond_table *bonds;         /* shared bonds fed by the driver, or NULL */
    gmd_trajectory_store *trajectory; /* shared stored trajectory fed by the driver, or NULL */
} gmd_analysis_system;

/* Bins of settings->rdf_rmax_A / rdf_dr_A, as the rdf and sq analyses use. */
gmd_status gmd_pair_histogram_create(gmd_pair_histogram **out,
                                     const gmd_analysis_settings *settings,
                                     const gmd_analysis_system *sys, const gmd_frame *first,
                                     gmd_error *err);
gmd_status gmd_pair_histogram_add(gmd_pair_histogram *h, const gmd_frame *frame, gmd_error *err);
void gmd_pair_histogram_free(gmd_pair_histogram *h);

/* Every species pair up to settings->direct_sq_kmax_invA, by settings->sq_method. */
gmd_status gmd_reciprocal_sq_create(gmd_reciprocal_sq **out, const gmd_analysis_settings *settings,
                                    const gmd_analysis_system *sys, gmd_error *err);
gmd_status gmd_reciprocal_sq_add(gmd_reciprocal_sq *r, const gmd_frame *frame, gmd_error *err);
void gmd_reciprocal_sq_free(gmd_reciprocal_sq *r);

gmd_status gmd_trajectory_store_create(gmd_trajectory_store **out, const gmd_frame *first,
                                       gmd_error *err);
gmd_status gmd_trajectory_store_add(gmd_trajectory_store *s, const gmd_frame *frame,
                                    gmd_error *err);
void gmd_trajectory_store_free(gmd_trajectory_store *s);

gmd_status gmd_bond_table_create(gmd_bond_table **out, gmd_error *err);
gmd_status gmd_bond_table_add(gmd_bond_table *b, const gmd_frame *frame, gmd_error *err);
void gmd_bond_table_free(gmd_bond_table *b);

typedef struct gmd_analysis gmd_analysis;
struct gmd_analysis {
    const char *name; /* "rdf", "sq", "fsdp", "msd", "sigma", "network", "angles" */
    void *state;
    gmd_status (*add_frame)(gmd_analysis *self, const gmd_frame *frame, gmd_error *err);
    /* Writes curves into settings->out_dir and scalars into results (a cJSON object). */
    gmd_status (*finish)(gmd_analysis *self, struct cJSON *results, gmd_error *err);
    /* Frees the state only (as gmd_term's destroy); gmd_analysis_free frees self. */
    void (*destroy)(gmd_analysis *self);
};

/* Constructors, one per analysis file in src/analysis/. */
typedef gmd_status (*gmd_analysis_create_fn)(gmd_analysis **out,
                                             const gmd_analysis_settings *settings,
                                             const gmd_analysis_system *sys, const gmd_frame *first,
                                             gmd_error *err);
gmd_status gmd_rdf_create(gmd_analysis **out, const gmd_analysis_settings *settings,
                          const gmd_analysis_system *sys, const gmd_frame *first, gmd_error *err);
gmd_status gmd_sq_create(gmd_analysis **out, const gmd_analysis_settings *settings,
                         const gmd_analysis_system *sys, const gmd_frame *first, gmd_error *err);
gmd_status gmd_fsdp_create(gmd_analysis **out, const gmd_analysis_settings *settings,
                           const gmd_analysis_system *sys, const gmd_frame *first, gmd_error *err);
gmd_status gmd_msd_create(gmd_analysis **out, const gmd_analysis_settings *settings,
                          const gmd_analysis_system *sys, const gmd_frame *first, gmd_error *err);
gmd_status gmd_sigma_create(gmd_analysis **out, const gmd_analysis_settings *settings,
                            const gmd_analysis_system *sys, const gmd_frame *first, gmd_error *err);
/* Replaces the temperature a sigma analysis divides by (T_K > 0), before finish: a
 * temperature measured over the analysed frames (gmd_thermo_mean_temperature) is known
 * only after the last frame. GMD_ERR_VALUE for T_K <= 0, GMD_ERR_INTERNAL for another
 * analysis. */
gmd_status gmd_sigma_set_temperature(gmd_analysis *sigma, double T_K, gmd_error *err);
gmd_status gmd_network_create(gmd_analysis **out, const gmd_analysis_settings *settings,
                              const gmd_analysis_system *sys, const gmd_frame *first,
                              gmd_error *err);
gmd_status gmd_angles_create(gmd_analysis **out, const gmd_analysis_settings *settings,
                             const gmd_analysis_system *sys, const gmd_frame *first,
                             gmd_error *err);
/* Calls a->destroy and frees the analysis itself; NULL is fine. */
void gmd_analysis_free(gmd_analysis *a);

/* Output helpers shared by every analysis (src/analysis/output.c). */

/* Writes DIR/NAME.csv: a first comment line "# glassmd VERSION: WHAT", a header line with
 * the column names (units in the names, e.g. r_A, g_SiS), then nrows rows of ncols
 * values (column-major: columns[c][row]) with %.10g. */
gmd_status gmd_csv_write(const char *dir, const char *name, const char *what, int ncols,
                         const char *const *names, const double *const *columns, size_t nrows,
                         gmd_error *err);

/* A figure from a CSV written by gmd_csv_write: DIR/NAME.gp (the gnuplot script, beside
 * the data so a user can restyle it) and DIR/NAME.png, DIR/NAME.svg when gnuplot is
 * installed. Plots columns ycols[] against column xcol (1-based, gnuplot style).
 * Returns GMD_OK without figures when gnuplot is missing and sets *skipped = 1. */
typedef struct gmd_plot {
    const char *title, *xlabel, *ylabel;
    int xcol;
    int nseries;
    int ycols[16];
    const char *labels[16];
    int errcols[16]; /* 0, or the column of the y error bar */
    int logx, logy;
    const char *extra; /* extra gnuplot lines (may be NULL) */
    const char *csv;   /* the CSV file name within DIR; NULL: NAME.csv */
} gmd_plot;
gmd_status gmd_plot_write(const char *dir, const char *name, const gmd_plot *plot, int *skipped,
                          gmd_error *err);
/* 1 when gnuplot is on PATH (gmd_plot_write will draw figures), so that a caller can warn
 * once instead of once per figure. */
int gmd_plot_available(void);
/* A figure of an analysis into s->out_dir: gmd_plot_write when s->figures is NULL (or
 * full), else the script is written and NAME queued in s->figures. */
gmd_status gmd_analysis_plot(const gmd_analysis_settings *s, const char *name, const gmd_plot *plot,
                             gmd_error *err);
/* Draws the queued figures of DIR with one gnuplot process (nothing without gnuplot). If
 * gnuplot fails, each script is run alone so that the error names the one at fault. */
gmd_status gmd_figure_batch_draw(const gmd_figure_batch *batch, const char *dir, gmd_error *err);

#endif
