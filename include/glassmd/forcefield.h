/* forcefield.h - a Buckingham-Coulomb force field with optional repulsive walls and
 * three-body angle terms, as read from a plain-text .ff file (format: docs/forcefield.md).
 * Nothing here knows about Na, Si or S: species, pairs and triplets are all data. */
#ifndef GLASSMD_FORCEFIELD_H
#define GLASSMD_FORCEFIELD_H

#include "glassmd/error.h"

#define GMD_MAX_SPECIES 16
#define GMD_MAX_THREEBODY 16
#define GMD_NAME_LEN 16

typedef struct gmd_species {
    char name[GMD_NAME_LEN];
    double mass;   /* g/mol */
    double charge; /* e */
} gmd_species;

/* V(r) = A exp(-r/rho) - C/r^6 [+ D/r^n wall], symmetric in (i, j). */
typedef struct gmd_pair_params {
    int defined;   /* 1 when the file gave this pair */
    double A;      /* eV */
    double rho;    /* A (> 0 unless A == 0) */
    double C;      /* eV A^6 */
    double wall_D; /* eV A^n, 0 = no wall */
    int wall_n;    /* exponent of the wall, e.g. 12 */
    double r_safe; /* A: closer than this is a Buckingham collapse (0 = derived) */
} gmd_pair_params;

typedef enum gmd_taper { GMD_TAPER_SMOOTH = 0, GMD_TAPER_HARD = 1 } gmd_taper;

/* V3 = k (theta - theta0)^2 s(r1) s(r2) for end-vertex-end triplets, angle at the vertex,
 * each unordered pair of ends around one vertex counted once (SPEC section 2). */
typedef struct gmd_threebody_params {
    int vertex;    /* species index of the apex (S) */
    int end;       /* species index of both ends (Si) */
    double k;      /* eV/rad^2, no factor 1/2 */
    double theta0; /* rad (the file gives degrees) */
    double r3;     /* A, bond cut-off */
    double width;  /* A, taper width w (smooth taper acts on r3 - w < r < r3) */
    gmd_taper taper;
} gmd_threebody_params;

/* A formula unit of the [composition] section, e.g. "Na2S": count[s] atoms of species s. */
#define GMD_FORMULA_LEN 32
typedef struct gmd_formula {
    char text[GMD_FORMULA_LEN]; /* as written; empty when the file has no [composition] */
    int count[GMD_MAX_SPECIES]; /* atoms of each species in one formula unit */
    int natoms;                 /* atoms in one formula unit */
} gmd_formula;

typedef enum gmd_kspace_method {
    GMD_KSPACE_NONE = 0,
    GMD_KSPACE_EWALD = 1,
    GMD_KSPACE_PPPM = 2,
} gmd_kspace_method;

/* The one table of k-space method words ("none", "ewald", "pppm") that the force-field
 * file, run and study inputs and the command line share. */
const char *gmd_kspace_method_word(gmd_kspace_method method);
/* The method a word names; -1 (out unchanged) when it names none. */
int gmd_kspace_method_from_word(const char *word, gmd_kspace_method *out);

/* A section the built-in parser does not know, kept verbatim for the term kind that reads
 * it (a kind names its section in gmd_term_kind.section; the model refuses a force field
 * with a section no kind of its registry claims). */
#define GMD_FF_MAX_EXTRA_SECTIONS 8
#define GMD_FF_MAX_EXTRA_LINES 64
#define GMD_FF_EXTRA_LINE_LEN 160
typedef struct gmd_ff_extra_line {
    int line;                         /* line number in the file */
    char text[GMD_FF_EXTRA_LINE_LEN]; /* comment cut, trimmed */
} gmd_ff_extra_line;
typedef struct gmd_ff_extra_section {
    char name[32];
    int line;         /* of its [name] header */
    int first, count; /* its lines: extra_line[first .. first + count - 1] */
} gmd_ff_extra_section;

typedef struct gmd_forcefield {
    char path[512]; /* the file it was read from, for messages and provenance */
    int nspecies;
    gmd_species species[GMD_MAX_SPECIES];
    gmd_pair_params pair[GMD_MAX_SPECIES][GMD_MAX_SPECIES]; /* symmetric */
    int nthreebody;
    gmd_threebody_params threebody[GMD_MAX_THREEBODY];
    double cutoff;            /* A, Buckingham and real-space Coulomb (default 10) */
    int shift_energy;         /* 1: pair energy shifted to zero at the cut-off */
    gmd_kspace_method kspace; /* default Coulomb method (default pppm) */
    double kspace_accuracy;   /* relative RMS force accuracy (default 1e-5) */
    int has_composition;      /* 1 when [composition] gave modifier and former */
    gmd_formula modifier;     /* x modifier + (1 - x) former (e.g. Na2S) */
    gmd_formula former;       /* (e.g. SiS2) */
    int nextra_sections, nextra_lines;
    gmd_ff_extra_section extra_section[GMD_FF_MAX_EXTRA_SECTIONS];
    gmd_ff_extra_line extra_line[GMD_FF_MAX_EXTRA_LINES];
} gmd_forcefield;

/* The taper three-body entry e runs with: taper_override (a gmd_taper, from a run or study
 * input or --threebody) when >= 0, else the file's. One rule for every caller (runs,
 * eval, the report), so that they cannot disagree about which model ran. */
static inline gmd_taper gmd_threebody_taper(const gmd_forcefield *ff, int e, int taper_override)
{
    return taper_override >= 0 ? (gmd_taper)taper_override : ff->threebody[e].taper;
}

/* Reads a force field file. Every error names path, line and the fix. */
gmd_status gmd_forcefield_read(gmd_forcefield *ff, const char *path, gmd_error *err);
/* Parses the same format from a string; `name` stands for the file in messages. */
gmd_status gmd_forcefield_parse(gmd_forcefield *ff, const char *text, const char *name,
                                gmd_error *err);
/* The section [name] the built-in parser kept for a term kind, or NULL when the file has
 * none. Its lines are ff->extra_line[s->first .. s->first + s->count - 1]. */
const gmd_ff_extra_section *gmd_forcefield_section(const gmd_forcefield *ff, const char *name);
/* Index of a species by name, or -1. */
int gmd_forcefield_species_index(const gmd_forcefield *ff, const char *name);
/* The species' names as "Si, S, Na" (for messages), cut to len. */
void gmd_forcefield_species_list(const gmd_forcefield *ff, char *buf, size_t len);
/* Checks that counts[s] atoms of each species make a neutral system (|Q| < 1e-6 e). */
gmd_status gmd_forcefield_check_neutral(const gmd_forcefield *ff, const long *counts,
                                        gmd_error *err);
/* The pair energy A exp(-r/rho) - C/r^6 + D/r^n at distance r (unshifted, no Coulomb). */
double gmd_pair_short_energy(const gmd_pair_params *p, double r);

#endif
