/* analyze.h - the whole analysis of a trajectory in one call (gmd_analyze): what
 * `glassmd analyze` runs and what a study's analysis job runs in-process.
 *
 * The driver opens the trajectory (the first frame fixes the atoms and the species),
 * creates the selected analyses (analysis.h), streams every skip-th frame to each of
 * them, finishes them (CSV curves, gnuplot scripts and figures in the output folder) and
 * writes OUT/results.json with the run's description first (docs/analysis.md lists every
 * key). Only the reader's frame is in memory, plus what each analysis accumulates.
 *
 * As everywhere in the library, nothing is printed: progress reaches the caller through
 * an optional callback, and what a front end reports at the end (frames, atoms, the one
 * warning about figures) comes back in a gmd_analyze_result. */
#ifndef GLASSMD_ANALYZE_H
#define GLASSMD_ANALYZE_H

#include <stddef.h>

#include "glassmd/analysis.h"

/* The analyses the driver runs, in the order they run and are listed in results.json. */
typedef enum gmd_analysis_kind {
    GMD_ANALYSIS_RDF = 0, /* partial g(r), coordination numbers, neutron/X-ray g(r) */
    GMD_ANALYSIS_SQ,      /* Faber-Ziman S(k), neutron/X-ray S(k), R_X against exp_sq_path */
    GMD_ANALYSIS_FSDP,    /* S(k) on the reciprocal lattice, first sharp diffraction peak */
    GMD_ANALYSIS_MSD,     /* mean-square displacement per species, diffusion coefficients */
    GMD_ANALYSIS_SIGMA,   /* ionic conductivity (Einstein-Helfand), Nernst-Einstein, Haven */
    GMD_ANALYSIS_NETWORK, /* bridging sulfur, Q^n, corner/edge/face sharing, S-S bonds */
    GMD_ANALYSIS_ANGLES,  /* bond-angle distributions, Si-S-Si split by CS/ES/FS */
    GMD_NANALYSES
} gmd_analysis_kind;

/* Every analysis, as a selection mask (bit 1u << kind per analysis). */
#define GMD_ANALYZE_ALL ((1u << GMD_NANALYSES) - 1u)

/* The name of an analysis ("rdf", "sq", ...); NULL for a kind out of range. */
const char *gmd_analysis_kind_name(gmd_analysis_kind kind);

/* Parses a list of analysis names separated by commas or spaces ("rdf,msd") into a mask
 * of (1u << kind); an empty list selects none. GMD_ERR_VALUE names an unknown analysis
 * and lists the known ones. */
gmd_status gmd_analysis_parse_list(const char *list, unsigned *mask, gmd_error *err);

typedef struct gmd_analyze_result gmd_analyze_result;
typedef struct gmd_analyze_options gmd_analyze_options;

/* When the driver calls the progress callback. */
typedef enum gmd_analyze_event {
    GMD_ANALYZE_STARTED = 0, /* the analyses exist (result->warning is known); frames next */
    GMD_ANALYZE_FRAME,       /* one more frame of the file was read (used or skipped) */
    GMD_ANALYZE_FRAMES_DONE, /* the last frame was read; the analyses finish next */
} gmd_analyze_event;

typedef void (*gmd_analyze_progress_fn)(gmd_analyze_event event, const gmd_analyze_result *sofar,
                                        void *user);

struct gmd_analyze_options {
    const char *traj;          /* the trajectory file */
    gmd_traj_in_format format; /* GMD_TRAJ_IN_AUTO: from the file's content */
    const char *ff_path;       /* force field: species names, charges, masses (or NULL) */
    const char *types;         /* species of LAMMPS types 1, 2, ... ("Si,S,Na"), or NULL */
    long skip;                 /* use every skip-th frame (>= 1) */
    long max_frames;           /* stop after this many frames of the file; 0: all */
    unsigned analyses;         /* mask of (1u << gmd_analysis_kind) */
    /* 0: an analysis that cannot run on this trajectory (sigma without a temperature or
     * charges, network without its species) is left out, its reason in results.json
     * ("skipped"); 1: that is an error (`glassmd analyze --only`). */
    int only;
    gmd_analysis_settings settings; /* out_dir (created if missing), threads, ... */
    /* The temperature measured from this thermo CSV (the mean T_K over the analysed
     * frames' time span, with its error), instead of settings.temperature_K; or NULL. */
    const char *thermo_path;
    double setpoint_K;                /* the thermostat's set point, recorded beside it (0: none) */
    const char *command;              /* the command line recorded in results.json (NULL: "") */
    gmd_analyze_progress_fn progress; /* or NULL */
    void *progress_user;
};

/* Defaults: every analysis (only = 0), skip 1, all frames, the default settings
 * (gmd_analysis_default_settings: output in "."), no thermo file, no callback. */
void gmd_analyze_default_options(gmd_analyze_options *opt);

/* What a run did, filled as it goes (the progress callback sees it so far). */
struct gmd_analyze_result {
    long frames_read; /* frames of the file read */
    long frames_used; /* of which analysed (every skip-th) */
    size_t natoms;
    int nanalyses; /* analyses that ran (the skipped ones left out) */
    /* NULL, or the one warning for the user: gnuplot is missing, so only the figures'
     * scripts are written (set before GMD_ANALYZE_STARTED). */
    const char *warning;
    double wall_s; /* wall time of the whole call */
};

/* The options of `glassmd analyze` by name ("rdf-rmax", ...; takes_value 0 for a flag),
 * NULL-terminated: what gmd_analyze_set_option reads, and the command line's table. */
typedef struct gmd_analyze_option_def {
    const char *name;
    int takes_value;
} gmd_analyze_option_def;
const gmd_analyze_option_def *gmd_analyze_option_defs(void);

/* Sets the option `name` of opt (a name of gmd_analyze_option_defs, '_' standing for '-':
 * "rdf_rmax") from its text as `glassmd analyze --NAME VALUE` reads it (value NULL for a
 * flag such as lorch): format, ff, types, dt, temperature (K, or a thermo CSV), only,
 * skip, max-frames, out, threads and the analysis settings. Paths are kept by pointer, so
 * value must outlive opt. GMD_ERR_VALUE names the option and the cure; an unknown name
 * lists the known ones. */
gmd_status gmd_analyze_set_option(gmd_analyze_options *opt, const char *name, const char *value,
                                  gmd_error *err);

/* Runs the analysis of opt->traj into opt->settings.out_dir. The first error stops it:
 * its message names the analysis and the frame, or the file and the line; a bad thermo
 * file fails before the trajectory is opened. result (may be NULL) is filled as far as
 * the run got. */
gmd_status gmd_analyze(const gmd_analyze_options *opt, gmd_analyze_result *result, gmd_error *err);

/* The one-line summary of a finished run, "30 of 30 frames, 120 atoms, 7 analyses ->
 * OUT/results.json (1.2 s)", into buf (truncated to len). */
void gmd_analyze_summary(const gmd_analyze_result *result, const char *out_dir, char *buf,
                         size_t len);

/* "glassmd ARG ARG ..." (arguments with a space single-quoted) into buf (truncated to
 * len): the command line a run records in results.json, argv starting at "analyze". */
void gmd_analyze_command_line(char *buf, size_t len, int argc, const char *const *argv);

#endif
