/* report_figures.c - the paper's figures for the study that was run.
 *
 * Every figure is one CSV in OUT/report (so the numbers behind each plot are there to
 * read) and one gnuplot script drawn by gmd_plot_write (src/analysis/output.c) into PNG
 * and SVG. Two kinds:
 *  - curves: one column of an analysis CSV (rdf.csv, sq.csv, msd.csv, angles.csv,
 *    fsdp.csv) from several runs (compositions or isotherms). They are put on the x grid of
 *    the first run by linear interpolation (NaN outside its range, which gnuplot leaves
 *    out), so one CSV holds the figure;
 *  - scalars: a value (with its error bar when the analysis gives one) against x or 1000/T,
 *    one series per isotherm or species, from the results.json trees.
 * A figure whose data are missing keeps its place in the page with a note saying what is
 * missing; nothing here fails because a job did not run. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "glassmd/analysis.h"
#include "glassmd/units.h"
#include "report_internal.h"

#define MAX_SERIES 16
#define MAX_ROWS                                                                                   \
    (GMD_STUDY_MAX_COMPOSITIONS > GMD_STUDY_MAX_ISOTHERMS ? GMD_STUDY_MAX_COMPOSITIONS             \
                                                          : GMD_STUDY_MAX_ISOTHERMS)

rpt_figure *rpt_add_figure(rpt_report *r, const char *section, const char *id, const char *title)
{
    if (r->nfig >= RPT_MAX_FIGURES) return NULL;
    rpt_figure *f = &r->fig[r->nfig++];
    memset(f, 0, sizeof *f);
    snprintf(f->section, sizeof f->section, "%s", section);
    snprintf(f->id, sizeof f->id, "%s", id);
    snprintf(f->name, sizeof f->name, "%s", strncmp(id, "fig-", 4) == 0 ? id + 4 : id);
    snprintf(f->title, sizeof f->title, "%s", title);
    return f;
}

/* Draws f from its CSV; a gnuplot failure is a note on the figure, not an error. */
void rpt_draw(rpt_report *r, rpt_figure *f, gmd_plot *p)
{
    char path[RPT_PATH + 128];
    int skipped = 0;
    gmd_error perr;
    p->title = f->title;
    if (gmd_plot_write(r->dir, f->name, p, &skipped, &perr) != GMD_OK) {
        snprintf(f->note, sizeof f->note, "gnuplot failed: %.400s", perr.message);
        return;
    }
    if (skipped) r->gnuplot_missing = 1;
    snprintf(path, sizeof path, "%s/%s.png", r->dir, f->name);
    f->have_png = rpt_file_exists(path);
    snprintf(path, sizeof path, "%s/%s.svg", r->dir, f->name);
    f->have_svg = rpt_file_exists(path);
}

/* ---- curves from analysis CSVs -------------------------------------------------------- */

typedef struct curveset {
    int n;
    size_t nrows;
    double *x;
    double *y[MAX_SERIES];
    char col[MAX_SERIES + 1][64];
    char label[MAX_SERIES][96];
} curveset;

static double interp(const double *x, const double *y, size_t n, double at)
{
    if (n == 0 || at < x[0] || at > x[n - 1]) return NAN;
    size_t lo = 0, hi = n - 1;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (x[mid] <= at)
            lo = mid;
        else
            hi = mid;
    }
    double t = x[hi] > x[lo] ? (at - x[lo]) / (x[hi] - x[lo]) : 0.0;
    return y[lo] + t * (y[hi] - y[lo]);
}

/* Adds series y(x); the first one fixes the grid. 0 when full or out of memory. */
static int curve_add(curveset *cs, const double *x, const double *y, size_t n, const char *col,
                     const char *label)
{
    if (cs->n >= MAX_SERIES || n == 0) return 0;
    if (!cs->x) {
        cs->x = malloc(n * sizeof *cs->x);
        if (!cs->x) return 0;
        memcpy(cs->x, x, n * sizeof *x);
        cs->nrows = n;
    }
    double *v = malloc(cs->nrows * sizeof *v);
    if (!v) return 0;
    for (size_t i = 0; i < cs->nrows; i++)
        v[i] = interp(x, y, n, cs->x[i]);
    cs->y[cs->n] = v;
    snprintf(cs->col[cs->n + 1], sizeof cs->col[0], "%s", col);
    snprintf(cs->label[cs->n], sizeof cs->label[0], "%s", label);
    cs->n++;
    return 1;
}

/* Adds column ycol of DIR/FILE against xcol; 0 when the file or the column is missing. */
static int curve_from_csv(curveset *cs, const char *dir, const char *file, const char *xcol,
                          const char *ycol, const char *col, const char *label)
{
    char path[RPT_PATH + 64];
    rpt_csv csv;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (rpt_csv_read(path, &csv)) return 0;
    const double *x = rpt_csv_col(&csv, xcol), *y = rpt_csv_col(&csv, ycol);
    int ok = x && y && curve_add(cs, x, y, csv.nrows, col, label);
    rpt_csv_free(&csv);
    return ok;
}

static void curve_free(curveset *cs)
{
    free(cs->x);
    for (int i = 0; i < cs->n; i++)
        free(cs->y[i]);
}

/* Writes the curves' CSV and figure; a note when there is nothing to draw. */
static gmd_status curve_figure(rpt_report *r, rpt_figure *f, curveset *cs, const char *xname,
                               gmd_plot *p, const char *missing, gmd_error *err)
{
    gmd_status st = GMD_OK;
    if (cs->n == 0) {
        snprintf(f->note, sizeof f->note, "%s", missing);
        curve_free(cs);
        return GMD_OK;
    }
    const char *names[MAX_SERIES + 1] = {xname};
    const double *cols[MAX_SERIES + 1] = {cs->x};
    for (int i = 0; i < cs->n; i++) {
        names[i + 1] = cs->col[i + 1];
        cols[i + 1] = cs->y[i];
        p->ycols[i] = i + 2;
        p->labels[i] = cs->label[i];
    }
    p->xcol = 1;
    p->nseries = cs->n;
    st = gmd_csv_write(r->dir, f->name, f->title, cs->n + 1, names, cols, cs->nrows, err);
    if (!st) {
        f->have_csv = 1;
        rpt_draw(r, f, p);
    }
    curve_free(cs);
    return st;
}

/* One glass curve per composition: column ycol of FILE against xcol. */
static gmd_status glass_curves(rpt_report *r, rpt_figure *f, const char *file, const char *xcol,
                               const char *ycol, curveset *cs, gmd_plot *p, gmd_error *err)
{
    char col[64], missing[512];
    int lacking = 0;
    for (int i = 0; i < r->ncomp; i++) {
        const rpt_comp *c = &r->comp[i];
        snprintf(col, sizeof col, "%s_%s", ycol, c->id);
        if (!c->glass.present ||
            !curve_from_csv(cs, c->glass.dir, file, xcol, ycol, col, c->c->label))
            lacking++;
    }
    snprintf(missing, sizeof missing, "no glass analysis has %s in %s", ycol, file);
    if (lacking && cs->n)
        snprintf(f->note, sizeof f->note, "%d composition(s) lack %s in %s (glass job missing?)",
                 lacking, ycol, file);
    return curve_figure(r, f, cs, xcol, p, missing, err);
}

/* ---- structure ------------------------------------------------------------------------ */

/* The experimental S(k): two columns (white space or commas), '#' comments. */
static int read_exp(const char *path, double **k, double **s, size_t *n)
{
    char *text = rpt_slurp(path, NULL);
    if (!text) return 0;
    size_t cap = 1024;
    *n = 0;
    *k = malloc(cap * sizeof **k), *s = malloc(cap * sizeof **s);
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line && *k && *s;
         line = strtok_r(NULL, "\n", &save)) {
        double a, b;
        for (char *p = line; *p; p++)
            if (*p == ',') *p = ' ';
        if (line[0] == '#' || sscanf(line, "%lf %lf", &a, &b) != 2) continue;
        if (*n == cap) {
            cap *= 2;
            double *gk = realloc(*k, cap * sizeof **k), *gs = realloc(*s, cap * sizeof **s);
            *k = gk ? gk : *k, *s = gs ? gs : *s;
            if (!gk || !gs) break;
        }
        (*k)[*n] = a, (*s)[(*n)++] = b;
    }
    free(text);
    return *n > 1;
}

static gmd_status fig_sx(rpt_report *r, gmd_error *err)
{
    rpt_figure *f =
        rpt_add_figure(r, "structure", "fig-sx", "X-ray structure factor S_X(k) of the glasses");
    if (!f) return GMD_OK;
    curveset cs = {0};
    char label[96], col[64];
    for (int i = 0; i < r->ncomp; i++) {
        const rpt_comp *c = &r->comp[i];
        double rx = c->glass.present ? rpt_num(c->glass.json, "r_x", NULL, NULL) : NAN;
        snprintf(label, sizeof label, isfinite(rx) ? "%s (R_X = %.4f)" : "%s", c->c->label, rx);
        snprintf(col, sizeof col, "S_X_%s", c->id);
        if (!c->glass.present ||
            !curve_from_csv(&cs, c->glass.dir, "sq.csv", "k_invA", "S_X", col, label))
            snprintf(f->note, sizeof f->note, "no S_X(k) for %.32s (glass job missing?)",
                     c->c->label);
    }
    double *k = NULL, *s = NULL;
    size_t n = 0;
    const char *exp = r->study->exp_sq;
    if (cs.n && exp[0] && read_exp(exp, &k, &s, &n))
        curve_add(&cs, k, s, n, "S_exp", "experiment");
    else if (cs.n && exp[0])
        rpt_note(r, "the experimental S(k) %s could not be read (two columns k S expected)", exp);
    free(k);
    free(s);
    gmd_plot p = {.xlabel = "k (1/A)", .ylabel = "S_X(k)", .extra = "set xrange [0:12]"};
    snprintf(f->caption, sizeof f->caption,
             "Faber-Ziman S_X(k) with k-dependent X-ray form factors, from the partial g(r) of "
             "each glass at %g K%s.",
             r->study->glass_T_K,
             exp[0] ? "; R_X is the Wright parameter against the experimental curve over "
                      "0.6-12 1/A"
                    : "; no experimental S(k) was given (study key exp_sq), so no R_X");
    return curve_figure(r, f, &cs, "k_invA", &p, "no glass has an S_X(k) (sq.csv)", err);
}

static gmd_status fig_gr(rpt_report *r, gmd_error *err)
{
    rpt_figure *f =
        rpt_add_figure(r, "structure", "fig-gr", "Total X-ray weighted g(r) of the glasses");
    if (!f) return GMD_OK;
    snprintf(f->caption, sizeof f->caption,
             "Total pair distribution g_X(r) (partials weighted by atomic numbers, Faber-Ziman) "
             "of each glass at %g K.",
             r->study->glass_T_K);
    curveset cs = {0};
    gmd_plot p = {.xlabel = "r (A)", .ylabel = "g_X(r)", .extra = "set xrange [0:10]"};
    return glass_curves(r, f, "rdf.csv", "r_A", "g_X", &cs, &p, err);
}

static gmd_status fig_partial(rpt_report *r, int a, int b, gmd_error *err)
{
    if (a < 0 || b < 0) return GMD_OK;
    if (a > b) {
        int t = a;
        a = b, b = t;
    }
    char id[RPT_ID_LEN], title[256], col[64];
    snprintf(id, sizeof id, "fig-g-%s%s", rpt_species(r, a), rpt_species(r, b));
    snprintf(title, sizeof title, "Partial g_%s%s(r) against composition", rpt_species(r, a),
             rpt_species(r, b));
    rpt_figure *f = rpt_add_figure(r, "structure", id, title);
    if (!f) return GMD_OK;
    snprintf(f->caption, sizeof f->caption,
             "Partial pair distribution of %s-%s pairs in each glass.", rpt_species(r, a),
             rpt_species(r, b));
    snprintf(col, sizeof col, "g_%s%s", rpt_species(r, a), rpt_species(r, b));
    curveset cs = {0};
    gmd_plot p = {.xlabel = "r (A)", .ylabel = "g(r)", .extra = "set xrange [0:10]"};
    return glass_curves(r, f, "rdf.csv", "r_A", col, &cs, &p, err);
}

static gmd_status fig_angles(rpt_report *r, int end, int apex, gmd_error *err)
{
    if (end < 0 || apex < 0) return GMD_OK;
    char trip[64], id[RPT_ID_LEN], title[256], col[80];
    snprintf(trip, sizeof trip, "%s-%s-%s", rpt_species(r, end), rpt_species(r, apex),
             rpt_species(r, end));
    snprintf(id, sizeof id, "fig-angles-%s", trip);
    snprintf(title, sizeof title, "Bond-angle distribution %s against composition", trip);
    rpt_figure *f = rpt_add_figure(r, "structure", id, title);
    if (!f) return GMD_OK;
    snprintf(f->caption, sizeof f->caption,
             "Distribution of %s angles (at %s, both bonds within the cut-offs), probability "
             "per degree.",
             trip, rpt_species(r, apex));
    snprintf(col, sizeof col, "P_%s", trip);
    curveset cs = {0};
    gmd_plot p = {.xlabel = "angle (degrees)",
                  .ylabel = "P (1/degree)",
                  .extra = "set xrange [0:180]\nset xtics 30"};
    return glass_curves(r, f, "angles.csv", "theta_deg", col, &cs, &p, err);
}

static gmd_status fig_smm(rpt_report *r, gmd_error *err)
{
    const char *m = rpt_species(r, r->roles.modifier);
    char id[RPT_ID_LEN], title[256], col[64];
    snprintf(id, sizeof id, "fig-s-%s%s", m, m);
    snprintf(title, sizeof title, "Partial S_%s%s(k) and its first sharp diffraction peak", m, m);
    rpt_figure *f = rpt_add_figure(r, "structure", id, title);
    if (!f) return GMD_OK;
    snprintf(f->caption, sizeof f->caption,
             "Faber-Ziman S_%s%s(k) on the reciprocal lattice of the box (needed at low k for "
             "the FSDP), each glass.",
             m, m);
    snprintf(col, sizeof col, "S_%s%s", m, m);
    curveset cs = {0};
    gmd_plot p = {.xlabel = "k (1/A)", .ylabel = "S(k)", .extra = "set xrange [0:6]"};
    return glass_curves(r, f, "fsdp.csv", "k_invA", col, &cs, &p, err);
}

/* ---- scalar figures ------------------------------------------------------------------- */

typedef struct scalarset {
    int nrows, n;
    double x[MAX_ROWS];
    double y[MAX_SERIES][MAX_ROWS], e[MAX_SERIES][MAX_ROWS];
    int has_err[MAX_SERIES];
    char col[MAX_SERIES][64], label[MAX_SERIES][96];
} scalarset;

static int scalar_series(scalarset *ss, const char *col, const char *label, int with_err)
{
    if (ss->n >= MAX_SERIES) return -1;
    int s = ss->n++;
    snprintf(ss->col[s], sizeof ss->col[s], "%s", col);
    snprintf(ss->label[s], sizeof ss->label[s], "%s", label);
    ss->has_err[s] = with_err;
    for (int i = 0; i < MAX_ROWS; i++)
        ss->y[s][i] = ss->e[s][i] = NAN;
    return s;
}

static int series_has_data(const scalarset *ss, int s)
{
    for (int i = 0; i < ss->nrows; i++)
        if (isfinite(ss->y[s][i])) return 1;
    return 0;
}

static gmd_status scalar_figure(rpt_report *r, rpt_figure *f, const scalarset *ss,
                                const char *xname, gmd_plot *p, const char *missing, gmd_error *err)
{
    const char *names[1 + 2 * MAX_SERIES] = {xname};
    const double *cols[1 + 2 * MAX_SERIES] = {ss->x};
    char errname[MAX_SERIES][80];
    int nc = 1;
    p->nseries = 0;
    for (int s = 0; s < ss->n; s++) {
        if (!series_has_data(ss, s)) continue;
        names[nc] = ss->col[s], cols[nc++] = ss->y[s];
        p->ycols[p->nseries] = nc, p->labels[p->nseries] = ss->label[s];
        if (ss->has_err[s]) {
            snprintf(errname[s], sizeof errname[s], "%s_err", ss->col[s]);
            names[nc] = errname[s], cols[nc++] = ss->e[s];
            p->errcols[p->nseries] = nc;
        }
        p->nseries++;
    }
    if (p->nseries == 0 || ss->nrows == 0) {
        snprintf(f->note, sizeof f->note, "%s", missing);
        return GMD_OK;
    }
    p->xcol = 1;
    gmd_status st =
        gmd_csv_write(r->dir, f->name, f->title, nc, names, cols, (size_t)ss->nrows, err);
    if (!st) {
        f->have_csv = 1;
        rpt_draw(r, f, p);
    }
    return st;
}

/* Compositions with a known x, in increasing x. */
static int comps_by_x(const rpt_report *r, const rpt_comp **out)
{
    int n = 0;
    for (int i = 0; i < r->ncomp; i++)
        if (isfinite(r->comp[i].x)) out[n++] = &r->comp[i];
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && out[j]->x < out[j - 1]->x; j--) {
            const rpt_comp *t = out[j];
            out[j] = out[j - 1], out[j - 1] = t;
        }
    return n;
}

/* Count-weighted mean D of the network species (former + bridge) and its error. */
static void network_D(const rpt_report *r, const rpt_comp *c, const rpt_run *run, double *D,
                      double *e)
{
    int sp[2] = {r->roles.former, r->roles.bridge};
    double num = 0, var = 0, n = 0;
    *D = *e = NAN;
    for (int k = 0; k < 2; k++) {
        char key[40];
        double v, ve;
        if (sp[k] < 0) return;
        snprintf(key, sizeof key, "D_%s", rpt_species(r, sp[k]));
        rpt_quantity(run, key, &v, &ve);
        if (!isfinite(v)) return;
        double w = (double)c->c->counts[sp[k]];
        num += w * v, n += w;
        var += isfinite(ve) ? w * w * ve * ve : NAN;
    }
    if (n > 0) *D = num / n, *e = sqrt(var) / n;
}

/* One series per isotherm of quantity `what` against x. */
typedef enum x_quantity { XQ_D_MOD, XQ_D_NET, XQ_SIGMA, XQ_RATIO } x_quantity;

static void x_value(const rpt_report *r, const rpt_comp *c, const rpt_run *run, x_quantity q,
                    double *v, double *e)
{
    char key[40];
    snprintf(key, sizeof key, "D_%s", rpt_species(r, r->roles.modifier));
    if (q == XQ_D_MOD) rpt_quantity(run, key, v, e);
    if (q == XQ_SIGMA) rpt_quantity(run, "sigma", v, e);
    if (q == XQ_D_NET) network_D(r, c, run, v, e);
    if (q == XQ_RATIO) {
        double dm, em, dn, en;
        rpt_quantity(run, key, &dm, &em);
        network_D(r, c, run, &dn, &en);
        *v = dn / dm;
        *e = *v * sqrt(pow(en / dn, 2) + pow(em / dm, 2));
    }
}

static gmd_status fig_against_x(rpt_report *r, const char *id, const char *title,
                                const char *ylabel, const char *colbase, x_quantity q, int logy,
                                const char *caption, gmd_error *err)
{
    rpt_figure *f = rpt_add_figure(r, "dynamics", id, title);
    if (!f) return GMD_OK;
    snprintf(f->caption, sizeof f->caption, "%s", caption);
    const rpt_comp *c[GMD_STUDY_MAX_COMPOSITIONS];
    scalarset *ss = gmd_calloc(1, sizeof *ss, "figure data", err);
    if (!ss) return GMD_ERR_NOMEM;
    ss->nrows = comps_by_x(r, c);
    for (int i = 0; i < ss->nrows; i++)
        ss->x[i] = c[i]->x;
    for (int t = 0; t < r->study->nisotherms; t++) {
        char col[64], label[96];
        snprintf(col, sizeof col, "%s_%gK", colbase, r->study->isotherm_K[t]);
        snprintf(label, sizeof label, "%g K", r->study->isotherm_K[t]);
        int s = scalar_series(ss, col, label, 1);
        for (int i = 0; s >= 0 && i < ss->nrows; i++)
            x_value(r, c[i], &c[i]->iso[t], q, &ss->y[s][i], &ss->e[s][i]);
    }
    gmd_plot p = {.xlabel = "x (modifier fraction)", .ylabel = ylabel, .logy = logy};
    gmd_status st = scalar_figure(r, f, ss, "x", &p, "no isotherm results with this quantity", err);
    free(ss);
    return st;
}

static gmd_status fig_network_x(rpt_report *r, gmd_error *err)
{
    const rpt_comp *c[GMD_STUDY_MAX_COMPOSITIONS];
    scalarset *ss = gmd_calloc(2, sizeof *ss, "figure data", err);
    if (!ss) return GMD_ERR_NOMEM;
    scalarset *mn = ss + 1;
    ss->nrows = mn->nrows = comps_by_x(r, c);
    for (int n = 0; n <= 4; n++) {
        char col[24], label[24]; /* room for any int: -O1 checks the bound */
        snprintf(col, sizeof col, "Q%d_percent", n);
        snprintf(label, sizeof label, "Q^%d", n);
        scalar_series(ss, col, label, 0);
    }
    scalar_series(mn, "mean_n", "<n>", 0);
    for (int i = 0; i < ss->nrows; i++) {
        ss->x[i] = mn->x[i] = c[i]->x;
        const cJSON *p = c[i]->glass.present
                             ? cJSON_GetObjectItemCaseSensitive(
                                   cJSON_GetObjectItemCaseSensitive(c[i]->glass.json, "qn"), "p")
                             : NULL;
        for (int n = 0; n <= 4; n++) {
            const cJSON *v = p ? cJSON_GetArrayItem(p, n) : NULL;
            ss->y[n][i] = v && cJSON_IsNumber(v) ? 100.0 * v->valuedouble : (p ? 0.0 : NAN);
        }
        mn->y[0][i] = c[i]->glass.present ? rpt_num(c[i]->glass.json, "qn", "mean_n", NULL) : NAN;
    }
    const char *F = rpt_species(r, r->roles.former), *B = rpt_species(r, r->roles.bridge);
    char title[256];
    snprintf(title, sizeof title, "Q^n distribution of %s against composition", F);
    rpt_figure *f = rpt_add_figure(r, "structure", "fig-qn-x", title);
    gmd_status st = GMD_OK;
    if (f) {
        snprintf(f->caption, sizeof f->caption,
                 "Percentage of %s with n bridging %s (%s bonded to two or more %s) in each glass.",
                 F, B, B, F);
        gmd_plot p = {.xlabel = "x (modifier fraction)", .ylabel = "Q^n (%)"};
        st = scalar_figure(r, f, ss, "x", &p, "no glass has a Q^n distribution", err);
    }
    snprintf(title, sizeof title, "Mean number <n> of bridging %s per %s against composition", B,
             F);
    f = st ? NULL : rpt_add_figure(r, "structure", "fig-meann-x", title);
    if (f) {
        snprintf(f->caption, sizeof f->caption, "<n> = sum n p_n (paper Eq. 8) in each glass.");
        gmd_plot p = {.xlabel = "x (modifier fraction)", .ylabel = "<n>"};
        st = scalar_figure(r, f, mn, "x", &p, "no glass has a Q^n distribution", err);
    }
    free(ss);
    return st;
}

static gmd_status fig_fsdp_x(rpt_report *r, gmd_error *err)
{
    const char *m = rpt_species(r, r->roles.modifier);
    char title[256];
    snprintf(title, sizeof title, "FSDP intensity of S_%s%s(k) against composition", m, m);
    rpt_figure *f = rpt_add_figure(r, "structure", "fig-fsdp-x", title);
    if (!f) return GMD_OK;
    snprintf(f->caption, sizeof f->caption,
             "Height of the first sharp diffraction peak of S_%s%s(k) above the straight line "
             "between the minima on either side (0.5-2 1/A), each glass; 0 where no peak was "
             "found. The paper finds it falling linearly to zero at x = 0.8.",
             m, m);
    const rpt_comp *c[GMD_STUDY_MAX_COMPOSITIONS];
    scalarset *ss = gmd_calloc(1, sizeof *ss, "figure data", err);
    if (!ss) return GMD_ERR_NOMEM;
    ss->nrows = comps_by_x(r, c);
    int s = scalar_series(ss, "fsdp_intensity", "FSDP intensity", 0);
    for (int i = 0; i < ss->nrows; i++) {
        ss->x[i] = c[i]->x;
        const cJSON *o =
            c[i]->glass.present ? cJSON_GetObjectItemCaseSensitive(c[i]->glass.json, "fsdp") : NULL;
        const cJSON *found = o ? cJSON_GetObjectItemCaseSensitive(o, "found") : NULL;
        ss->y[s][i] = cJSON_IsFalse(found) ? 0.0 : rpt_num(o, "intensity", NULL, NULL);
    }
    gmd_plot p = {
        .xlabel = "x (modifier fraction)", .ylabel = "FSDP intensity", .extra = "set yrange [0:*]"};
    gmd_status st = scalar_figure(r, f, ss, "x", &p, "no glass has an FSDP result", err);
    free(ss);
    return st;
}

/* ---- per composition: MSD and Arrhenius ------------------------------------------------ */

static gmd_status fig_msd(rpt_report *r, const rpt_comp *c, gmd_error *err)
{
    const char *m = rpt_species(r, r->roles.modifier);
    char id[RPT_ID_LEN], title[256], ycol[64], col[64], label[64];
    snprintf(id, sizeof id, "fig-msd-%s", c->id);
    snprintf(title, sizeof title, "%s mean-square displacement per isotherm, %s", m, c->c->label);
    rpt_figure *f = rpt_add_figure(r, "dynamics", id, title);
    if (!f) return GMD_OK;
    snprintf(f->caption, sizeof f->caption,
             "MSD of %s (all time origins, unwrapped positions) at each isotherm of %s.", m,
             c->c->label);
    snprintf(ycol, sizeof ycol, "msd_%s_A2", m);
    curveset cs = {0};
    for (int t = 0; t < r->study->nisotherms; t++) {
        snprintf(col, sizeof col, "msd_%gK_A2", c->iso[t].T_set_K);
        snprintf(label, sizeof label, "%g K", c->iso[t].T_set_K);
        if (c->iso[t].present)
            curve_from_csv(&cs, c->iso[t].dir, "msd.csv", "time_ps", ycol, col, label);
    }
    gmd_plot p = {.xlabel = "t (ps)",
                  .ylabel = "MSD (A^2)",
                  .logx = 1,
                  .logy = 1,
                  .extra = "set key top left"};
    return curve_figure(r, f, &cs, "time_ps", &p, "no isotherm has an MSD (msd.csv)", err);
}

/* Points and fitted line of one Arrhenius quantity into series s (value), s+1 (fit). */
static void arrhenius_series(const rpt_report *r, const rpt_comp *c, const char *key,
                             const char *label, scalarset *ss)
{
    rpt_fit fit = rpt_arrhenius(r, c, key);
    char lab[96], col[64];
    if (fit.present)
        snprintf(lab, sizeof lab, "%s (E_A = %.3f +- %.3f eV)", label, fit.E_A_eV, fit.err_eV);
    else
        snprintf(lab, sizeof lab, "%s", label);
    int s = scalar_series(ss, key, lab, 1);
    snprintf(col, sizeof col, "fit_%s", key);
    int sf = fit.present ? scalar_series(ss, col, "fit", 0) : -1;
    for (int t = 0; s >= 0 && t < ss->nrows; t++) {
        rpt_quantity(&c->iso[t], key, &ss->y[s][t], &ss->e[s][t]);
        if (!(ss->y[s][t] > 0)) ss->y[s][t] = NAN; /* not diffusive: off a log axis */
        if (sf >= 0)
            ss->y[sf][t] = fit.prefactor * exp(-fit.E_A_eV / (GMD_KB_EV_K * c->iso[t].T_K));
    }
}

static gmd_status fig_arrhenius(rpt_report *r, const rpt_comp *c, int sigma, gmd_error *err)
{
    char id[RPT_ID_LEN], title[256], key[48];
    snprintf(id, sizeof id, "fig-arrhenius-%s-%s", sigma ? "sigma" : "D", c->id);
    snprintf(title, sizeof title,
             sigma ? "Arrhenius plot of the conductivity, %s"
                   : "Arrhenius plot of the diffusion coefficients, %s",
             c->c->label);
    rpt_figure *f = rpt_add_figure(r, "dynamics", id, title);
    if (!f) return GMD_OK;
    scalarset *ss = gmd_calloc(1, sizeof *ss, "figure data", err);
    if (!ss) return GMD_ERR_NOMEM;
    ss->nrows = r->study->nisotherms;
    for (int t = 0; t < ss->nrows; t++) /* the measured T, as in the fits */
        ss->x[t] = 1000.0 / (c->iso[t].present ? c->iso[t].T_K : r->study->isotherm_K[t]);
    const char *m = rpt_species(r, r->roles.modifier);
    if (!sigma) {
        for (int s = 0; s < r->study->ff.nspecies; s++) {
            snprintf(key, sizeof key, "D_%s", rpt_species(r, s));
            arrhenius_series(r, c, key, rpt_species(r, s), ss);
        }
        snprintf(f->caption, sizeof f->caption,
                 "D per species (cm^2/s) against 1000/T with the Arrhenius fits D0 exp(-E_A/kB T)"
                 "; error bars from the MSD blocks.");
    } else {
        arrhenius_series(r, c, "sigma", "sigma (Einstein-Helfand)", ss);
        snprintf(key, sizeof key, "sigma_NE_%s", m);
        char label[64];
        snprintf(label, sizeof label, "sigma_%s (Nernst-Einstein)", m);
        arrhenius_series(r, c, key, label, ss);
        arrhenius_series(r, c, "sigma_NE_network", "sigma_network (Nernst-Einstein)", ss);
        snprintf(f->caption, sizeof f->caption,
                 "Conductivity (S/cm) against 1000/T: the collective Einstein-Helfand value and "
                 "its Nernst-Einstein split into the %s and network (%s + %s) parts, with fits.",
                 m, rpt_species(r, r->roles.former), rpt_species(r, r->roles.bridge));
    }
    gmd_plot p = {.xlabel = "1000/T (1/K)",
                  .ylabel = sigma ? "sigma (S/cm)" : "D (cm^2/s)",
                  .logy = 1,
                  .extra = "set key bottom left"};
    gmd_status st = scalar_figure(r, f, ss, "inv_T_1000_per_K", &p, "no isotherm results", err);
    free(ss);
    return st;
}

/* ---- all figures ---------------------------------------------------------------------- */

static gmd_status structure_figures(rpt_report *r, gmd_error *err)
{
    const rpt_roles *ro = &r->roles;
    gmd_status st = fig_sx(r, err);
    if (!st) st = fig_gr(r, err);
    if (!st) st = fig_partial(r, ro->bridge, ro->bridge, err);
    if (!st) st = fig_partial(r, ro->former, ro->former, err);
    if (!st) st = fig_partial(r, ro->modifier, ro->modifier, err);
    if (!st) st = fig_network_x(r, err);
    if (!st) st = fig_angles(r, ro->former, ro->bridge, err);
    if (!st) st = fig_angles(r, ro->bridge, ro->former, err);
    if (!st) st = fig_angles(r, ro->modifier, ro->bridge, err);
    if (!st) st = fig_angles(r, ro->bridge, ro->modifier, err);
    if (!st) st = fig_smm(r, err);
    if (!st) st = fig_fsdp_x(r, err);
    return st;
}

static gmd_status dynamics_figures(rpt_report *r, gmd_error *err)
{
    const char *m = rpt_species(r, r->roles.modifier);
    char title[256], ylabel[64], cap[512];
    gmd_status st = GMD_OK;
    for (int i = 0; !st && i < r->ncomp; i++) {
        st = fig_msd(r, &r->comp[i], err);
        if (!st) st = fig_arrhenius(r, &r->comp[i], 0, err);
        if (!st) st = fig_arrhenius(r, &r->comp[i], 1, err);
    }
    snprintf(title, sizeof title, "D_%s against composition, per isotherm", m);
    snprintf(ylabel, sizeof ylabel, "D_%s (cm^2/s)", m);
    snprintf(cap, sizeof cap, "Diffusion coefficient of %s (cm^2/s) against x on each isotherm.",
             m);
    if (!st) st = fig_against_x(r, "fig-D-x", title, ylabel, "D", XQ_D_MOD, 1, cap, err);
    snprintf(cap, sizeof cap,
             "Network diffusion D_N (cm^2/s): the count-weighted mean of D_%s and D_%s, against x.",
             rpt_species(r, r->roles.former), rpt_species(r, r->roles.bridge));
    if (!st)
        st = fig_against_x(r, "fig-DN-x", "Network D_N against composition, per isotherm",
                           "D_N (cm^2/s)", "D_N", XQ_D_NET, 1, cap, err);
    if (!st)
        st = fig_against_x(r, "fig-sigma-x", "Conductivity against composition, per isotherm",
                           "sigma (S/cm)", "sigma", XQ_SIGMA, 1,
                           "Einstein-Helfand conductivity (S/cm) against x on each isotherm.", err);
    snprintf(title, sizeof title, "D_N / D_%s against composition, per isotherm", m);
    snprintf(ylabel, sizeof ylabel, "D_N / D_%s", m);
    snprintf(cap, sizeof cap,
             "Ratio of the network diffusion D_N to D_%s (the paper's Fig. 5 inset); error "
             "propagated from both.",
             m);
    if (!st) st = fig_against_x(r, "fig-dratio-x", title, ylabel, "ratio", XQ_RATIO, 0, cap, err);
    return st;
}

gmd_status rpt_figures(rpt_report *r, gmd_error *err)
{
    gmd_status st = structure_figures(r, err);
    return st ? st : dynamics_figures(r, err);
}
