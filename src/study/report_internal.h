/* report_internal.h - the study report's working data, shared by report.c (the driver),
 * report_data.c (reading the finished study), report_figures.c, report_tables.c,
 * report_html.c, snapshot.c and png.c. Internal to src/study.
 *
 * Data flow: report_data.c loads every analysis folder's results.json (cJSON trees kept
 * in rpt_comp), the per-composition Arrhenius fits and plan.json; the figure and table
 * builders read those trees and the analysis CSVs, write OUT/report/NAME.{csv,gp,png,svg}
 * and append an rpt_figure / rpt_table entry; report_html.c finally writes index.html from
 * those entries, embedding each PNG as a base64 data: URI. Anything missing becomes a note
 * (rpt_note), never an error: only I/O failures on the report folder itself are errors. */
#ifndef GLASSMD_REPORT_INTERNAL_H
#define GLASSMD_REPORT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "glassmd/error.h"
#include "glassmd/study.h"

struct cJSON;

#define RPT_PATH 4096
#define RPT_MAX_FIGURES 128
#define RPT_MAX_TABLES 16
#define RPT_ID_LEN 96
#define RPT_MAX_COLS 16

/* One analysis folder (an isotherm or the glass of one composition, replica r1). */
typedef struct rpt_run {
    int present;        /* results.json was read */
    double T_K;         /* the temperature the analysis used (the run's measured mean), or
                           T_set_K when its results.json has none */
    double T_set_K;     /* the set point of the run */
    double T_err_K;     /* standard error of T_K; NAN when none */
    char dir[RPT_PATH]; /* the analysis folder */
    struct cJSON *json; /* results.json */
    int unsettled;      /* at constant pressure: its NPT volume had not settled (the tables
                           mark its row; report_density.c sets it) */
} rpt_run;

typedef struct rpt_comp {
    const gmd_study_composition *c;
    double x;    /* x, or the x its counts correspond to; NAN when unknown */
    char id[40]; /* label made safe for HTML ids and file names */
    rpt_run iso[GMD_STUDY_MAX_ISOTHERMS];
    rpt_run glass;
    char glass_job[RPT_PATH]; /* the glass job folder (for the snapshot) */
    struct cJSON *arrhenius;  /* the "arrhenius" object of OUT/LABEL/arrhenius, or NULL */
    struct cJSON *arr_root;
} rpt_comp;

/* Species roles: network former cation, bridging anion, modifier cation (-1: none). */
typedef struct rpt_roles {
    int former, bridge, modifier;
} rpt_roles;

typedef struct rpt_figure {
    char id[RPT_ID_LEN];
    char section[16];      /* "structure", "dynamics", "snapshot" */
    char name[RPT_ID_LEN]; /* file base name in OUT/report */
    char title[256];
    char caption[1024];
    char note[512]; /* why the figure is missing or incomplete (may be empty) */
    int have_png, have_svg, have_csv;
} rpt_figure;

typedef enum rpt_verdict { RPT_NONE = 0, RPT_AGREE, RPT_DISAGREE, RPT_MISSING } rpt_verdict;

typedef struct rpt_table {
    char id[RPT_ID_LEN];
    char name[RPT_ID_LEN]; /* CSV base name */
    char title[256];
    char caption[1024];
    int ncols, nrows, cap;
    char header[RPT_MAX_COLS][64];
    char **cells;         /* nrows * ncols strings */
    rpt_verdict *verdict; /* per row, for colouring */
} rpt_table;

typedef struct rpt_fit {
    int present;
    double E_A_eV, err_eV, prefactor;
    int npoints;
    int own; /* 1: fitted by the report (no arrhenius/results.json entry) */
} rpt_fit;

typedef struct rpt_report {
    const gmd_study *study;
    char out[RPT_PATH]; /* the study's output folder */
    char dir[RPT_PATH]; /* OUT/report */
    rpt_roles roles;
    int ncomp;
    rpt_comp comp[GMD_STUDY_MAX_COMPOSITIONS];
    struct cJSON *plan;
    int gnuplot_missing;
    int nfig;
    rpt_figure fig[RPT_MAX_FIGURES];
    int ntab;
    rpt_table tab[RPT_MAX_TABLES];
    int nnotes;
    char **notes;
    int nagree, ndisagree, nmissing;
    int nunsettled;      /* states whose NPT volume had not settled (report_density.c) */
    char unsettled[512]; /* their names, comma-separated */
} rpt_report;

/* ---- report_data.c ---- */
gmd_status rpt_load(rpt_report *r, gmd_error *err);
void rpt_free(rpt_report *r);
void rpt_note(rpt_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *rpt_species(const rpt_report *r, int s); /* "" for s < 0 */
/* A number at o.k1.k2.k3 (NULL keys end the path); NAN when absent or null. */
double rpt_num(const struct cJSON *o, const char *k1, const char *k2, const char *k3);
/* A pair value stored as "A-B" or "B-A" in object o. */
double rpt_pair_num(const struct cJSON *o, const char *a, const char *b);
/* An Arrhenius fit for key ("D_Na", "sigma", "sigma_NE_network") of composition c. */
rpt_fit rpt_arrhenius(const rpt_report *r, const rpt_comp *c, const char *key);
/* Value and error of an Arrhenius quantity in one run's results (NAN when absent). */
void rpt_quantity(const rpt_run *run, const char *key, double *v, double *e);
/* The composition nearest to x within tol, or NULL. */
const rpt_comp *rpt_comp_at(const rpt_report *r, double x, double tol);
/* The isotherm index of temperature T (within 0.5 K), or -1. */
int rpt_iso_at(const rpt_report *r, double T);
/* Reads a whole file (NUL-terminated; *len its size); NULL on failure. */
char *rpt_slurp(const char *path, size_t *len);
int rpt_file_exists(const char *path);

/* A numeric CSV as written by gmd_csv_write, column-major. */
typedef struct rpt_csv {
    int ncols;
    size_t nrows;
    char (*names)[64];
    double *data; /* data[c * nrows + row] */
} rpt_csv;
int rpt_csv_read(const char *path, rpt_csv *csv); /* 0 on success */
const double *rpt_csv_col(const rpt_csv *csv, const char *name);
void rpt_csv_free(rpt_csv *csv);

/* ---- report_figures.c ---- */
gmd_status rpt_figures(rpt_report *r, gmd_error *err);
rpt_figure *rpt_add_figure(rpt_report *r, const char *section, const char *id, const char *title);
struct gmd_plot;
/* Draws f from its CSV (OUT/report/NAME.csv) with p; a gnuplot failure is a note. */
void rpt_draw(rpt_report *r, rpt_figure *f, struct gmd_plot *p);

/* ---- report_density.c ---- */
/* At constant pressure: the density table and figures (nothing without the key). */
gmd_status rpt_density(rpt_report *r, gmd_error *err);

/* ---- report_tables.c ---- */
gmd_status rpt_tables(rpt_report *r, gmd_error *err);
/* v printed with the printf format f into buf, "-" when not finite (report_tables.c). */
void rpt_fmt(char *buf, size_t len, const char *f, double v);
/* One sentence naming the model the study ran: the three-body taper (the hard cut is the
 * paper's model, the smooth taper another) and the thermostat chain. */
void rpt_model_text(const gmd_study *s, char *buf, size_t size);
rpt_table *rpt_add_table(rpt_report *r, const char *id, const char *title, int ncols,
                         const char *const *header);
gmd_status rpt_table_row(rpt_table *t, rpt_verdict v, const char *const *cells, gmd_error *err);
gmd_status rpt_table_write_csv(const rpt_report *r, const rpt_table *t, gmd_error *err);

/* ---- snapshot.c ---- */
gmd_status rpt_snapshots(rpt_report *r, gmd_error *err);
/* Base colour (RGB) of species s in the snapshot (by role: former red, bridge yellow,
 * modifier blue, as in the paper's Fig. 10). */
void rpt_species_colour(const rpt_report *r, int s, uint8_t rgb[3]);

/* ---- png.c ---- */
gmd_status rpt_png_write(const char *path, int width, int height, const uint8_t *rgb,
                         gmd_error *err);

/* ---- report_html.c ---- */
gmd_status rpt_html(rpt_report *r, gmd_error *err);

#endif
