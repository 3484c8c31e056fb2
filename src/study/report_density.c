/* report_density.c - the report's densities of a study at constant pressure (study key
 * pressure): nothing without it.
 *
 * Sources: each isotherm's and glass's density.json (npt.c: the mean volume of the settled
 * half of its NPT equilibration, the volume its production ran at, with a block standard
 * error, and whether the volume had settled), and the quench's thermo.csv, cut into
 * GMD_QUENCH_BINS equal windows of the ramp's set point (melt_T - rate t) whose rows give
 * a mean measured temperature and a mean density with a block standard error (5 blocks;
 * the density drifts within a window as the ramp cools, which the error includes).
 * The figure puts a quench window at its set point's centre (its measured mean lags a
 * fast quench and scatters in a small system; both are in density-quench.csv) and a
 * state at its production's measured temperature.
 *
 * Outputs (OUT/report): the table density.csv (shown in the page, one row per isotherm and
 * glass of each composition, unsettled ones coloured and named in the notes and at the
 * top of the page), density-quench.csv (the quench windows), and the figures density-T
 * (against temperature: quench windows and states per composition) and density-x (the
 * glasses against x), in g/cm^3 with error bars. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "glassmd/analysis.h"
#include "report_internal.h"
#include "study_internal.h"

#define GMD_QUENCH_BINS 20
#define GMD_AMU_A3_G_CM3 1.66053906660 /* 1 g/mol per A^3 in g/cm^3 */

/* One state (isotherm or glass) of a composition, from its density.json. */
typedef struct state {
    int present, settled;
    double T_set_K, T_K, rho, rho_err, g, g_err;
} state;

static state load_state(const rpt_report *r, const rpt_comp *c, const rpt_run *run, const char *job)
{
    state s = {.T_set_K = run->T_set_K, .T_K = run->present ? run->T_K : run->T_set_K};
    char path[RPT_PATH + 160];
    snprintf(path, sizeof path, "%.3000s/%.32s/r1/%.64s/%s", r->out, c->c->label, job,
             GMD_STUDY_DENSITY_FILE);
    cJSON *o = gmd_study_read_json(path);
    if (!o) return s;
    s.present = 1;
    s.settled = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "volume_settled"));
    s.rho = rpt_num(o, "density_1_A3", NULL, NULL);
    s.rho_err = rpt_num(o, "density_err_1_A3", NULL, NULL);
    s.g = rpt_num(o, "density_g_cm3", NULL, NULL);
    s.g_err = rpt_num(o, "density_err_g_cm3", NULL, NULL);
    cJSON_Delete(o);
    return s;
}

/* ---- the quench windows ----------------------------------------------------------------- */

typedef struct qbin {
    double T_set_K, T_K, rho, rho_err;
    long n;
} qbin;

/* Mean of x[0..n) and its block standard error (5 blocks; NAN with under 10 rows). */
static double mean_se(const double *x, size_t n, double *se)
{
    double m;
    gmd_block_mean(x, (long)n, 5, 0, &m, se);
    if (n < 10) *se = NAN;
    return m;
}
/* The quench of composition c in GMD_QUENCH_BINS windows; the number filled (0: none). */
static int quench_bins(const rpt_report *r, const rpt_comp *c, qbin *out)
{
    const gmd_study *s = r->study;
    char path[RPT_PATH + 160];
    snprintf(path, sizeof path, "%.3000s/%.32s/r1/quench/thermo.csv", r->out, c->c->label);
    gmd_thermo_table t;
    gmd_error e;
    if (gmd_study_thermo_read(path, &t, &e) != GMD_OK) {
        gmd_thermo_table_free(&t);
        return 0;
    }
    double span = s->melt_T_K - s->glass_T_K, w = span / GMD_QUENCH_BINS;
    const size_t nrows = (size_t)t.n;
    double *buf = malloc(nrows * sizeof *buf), *tb = malloc(nrows * sizeof *tb);
    int nb = 0;
    for (int b = 0; buf && tb && w > 0 && b < GMD_QUENCH_BINS; b++) {
        double hi = s->melt_T_K - b * w, lo = hi - w;
        size_t n = 0;
        for (size_t i = 0; i < nrows; i++) {
            double set = s->melt_T_K - s->quench_rate_K_ps * t.col[0][i];
            if (set <= hi && (set > lo || (b == GMD_QUENCH_BINS - 1 && set >= lo)))
                buf[n] = t.col[3][i], tb[n++] = t.col[1][i];
        }
        if (n == 0) continue;
        qbin *q = &out[nb++];
        double unused;
        q->T_set_K = 0.5 * (lo + hi);
        q->T_K = mean_se(tb, n, &unused);
        q->rho = mean_se(buf, n, &q->rho_err);
        q->n = (long)n;
    }
    free(buf);
    free(tb);
    gmd_thermo_table_free(&t);
    return nb;
}

/* ---- tables ----------------------------------------------------------------------------- */

static gmd_status state_row(rpt_report *r, rpt_table *t, const rpt_comp *c, const char *what,
                            const state *s, gmd_error *err)
{
    char x[32], Ts[32], T[32], a[32], ae[32], g[32], ge[32];
    rpt_fmt(x, sizeof x, "%.6g", c->x);
    rpt_fmt(Ts, sizeof Ts, "%.6g", s->T_set_K);
    rpt_fmt(T, sizeof T, "%.6g", s->T_K);
    rpt_fmt(a, sizeof a, "%.6g", s->rho);
    rpt_fmt(ae, sizeof ae, "%.6g", s->rho_err);
    rpt_fmt(g, sizeof g, "%.6g", s->g);
    rpt_fmt(ge, sizeof ge, "%.6g", s->g_err);
    const char *settled = !s->present ? "missing" : s->settled ? "yes" : "NO";
    const char *cells[] = {c->c->label, x, what, Ts, T, a, ae, g, ge, settled};
    if (s->present && !s->settled) {
        rpt_note(r,
                 "%s %s (%g K): the volume had NOT settled in its NPT equilibration (see "
                 "%s/r1/%s/%s); its density and results are not those of the state at %g bar: "
                 "lengthen isotherm_equil",
                 c->c->label, what, s->T_set_K, c->c->label, what, GMD_STUDY_DENSITY_FILE,
                 r->study->pressure_bar);
        size_t used = strlen(r->unsettled);
        snprintf(r->unsettled + used, sizeof r->unsettled - used, "%s%s/%s", used ? ", " : "",
                 c->c->label, what);
        r->nunsettled++;
    }
    return rpt_table_row(t,
                         !s->present  ? RPT_MISSING
                         : s->settled ? RPT_NONE
                                      : RPT_DISAGREE,
                         cells, err);
}

/* ---- figures ---------------------------------------------------------------------------- */

#define DCOLS (2 * 2 * GMD_STUDY_MAX_COMPOSITIONS + 1)

/* The columns of a figure's CSV (the first is x) and the labels of its series. */
typedef struct dcols {
    int n;
    size_t nrows;
    char name[DCOLS][96];
    double *col[DCOLS];
    char label[16][96];
} dcols;

static void dcols_free(dcols *d)
{
    for (int i = 0; i < d->n; i++)
        free(d->col[i]);
}

/* A NaN-filled column; NULL when out of memory. */
static double *dcols_add(dcols *d, const char *name)
{
    double *v = malloc((d->nrows ? d->nrows : 1) * sizeof *v);
    if (!v) return NULL;
    for (size_t i = 0; i < d->nrows; i++)
        v[i] = NAN;
    snprintf(d->name[d->n], sizeof d->name[0], "%s", name);
    d->col[d->n++] = v;
    return v;
}

static gmd_status write_figure(rpt_report *r, rpt_figure *f, dcols *d, gmd_plot *p, gmd_error *err)
{
    const char *names[DCOLS];
    const double *cols[DCOLS];
    for (int i = 0; i < d->n; i++)
        names[i] = d->name[i], cols[i] = d->col[i];
    gmd_status st = gmd_csv_write(r->dir, f->name, f->title, d->n, names, cols, d->nrows, err);
    if (st == GMD_OK) {
        f->have_csv = 1;
        rpt_draw(r, f, p);
    }
    return st;
}

/* Density against temperature: per composition its quench windows (a line with error
 * bars) and its isotherms and glass (points with error bars), in g/cm^3. */
static gmd_status fig_density_T(rpt_report *r, qbin (*q)[GMD_QUENCH_BINS], const int *nq,
                                state (*st)[GMD_STUDY_MAX_ISOTHERMS + 1], gmd_error *err)
{
    rpt_figure *f = rpt_add_figure(r, "density", "fig-density-T", "Density against temperature");
    if (!f) return GMD_OK;
    const gmd_study *s = r->study;
    snprintf(f->caption, sizeof f->caption,
             "Mass density at %g bar: the quench (NPT ramp at %g K/ps; the mean over each "
             "window of the set point, plotted at the window's centre: the measured mean "
             "temperature of each window is in density-quench.csv) and each isotherm and glass "
             "(the settled volume of its NPT equilibration, at which its production ran, "
             "against its production's measured temperature), with block standard errors. "
             "Numbers: density-T.csv, density-quench.csv and density.csv.",
             s->pressure_bar, s->quench_rate_K_ps);
    dcols d = {0};
    for (int i = 0; i < r->ncomp; i++)
        d.nrows += (size_t)nq[i] + (size_t)s->nisotherms + 1;
    double *T = dcols_add(&d, "T_K");
    gmd_plot p = {.xcol = 1,
                  .xlabel = "T (K)",
                  .ylabel = "density (g/cm^3)",
                  .extra = "set key top right\nset offsets 50, 50, 0, 0"};
    size_t row = 0;
    int ok = T != NULL;
    for (int i = 0; ok && i < r->ncomp; i++) {
        const rpt_comp *c = &r->comp[i];
        double to_g = gmd_study_mass_per_atom(s, (int)(c->c - s->comp)) * GMD_AMU_A3_G_CM3;
        char name[96];
        for (int k = 0; ok && k < 2; k++) {
            snprintf(name, sizeof name, "density_g_cm3_%s_%s", c->id, k ? "states" : "quench");
            double *y = dcols_add(&d, name);
            snprintf(name, sizeof name, "density_err_g_cm3_%s_%s", c->id, k ? "states" : "quench");
            double *e = y ? dcols_add(&d, name) : NULL;
            if (!(ok = e != NULL)) break;
            int n = k ? s->nisotherms + 1 : nq[i];
            for (int m = 0; m < n; m++, row++) {
                T[row] = k ? st[i][m].T_K : q[i][m].T_set_K;
                y[row] = k ? st[i][m].g : q[i][m].rho * to_g;
                e[row] = k ? st[i][m].g_err : q[i][m].rho_err * to_g;
            }
            if (p.nseries < 16) { /* gnuplot's series; the CSV has them all */
                int sr = p.nseries++;
                snprintf(d.label[sr], sizeof d.label[0], "%s %s", c->c->label,
                         k ? "isotherms, glass" : "quench");
                p.ycols[sr] = d.n - 1;
                p.errcols[sr] = d.n;
                p.labels[sr] = d.label[sr];
            }
        }
    }
    gmd_status rc = ok ? write_figure(r, f, &d, &p, err)
                       : gmd_fail(err, GMD_ERR_NOMEM, "out of memory for the density figure");
    dcols_free(&d);
    return rc;
}

/* The glasses' density against x (compositions given by x, in increasing x). */
static gmd_status fig_density_x(rpt_report *r, const state *glass, gmd_error *err)
{
    rpt_figure *f =
        rpt_add_figure(r, "density", "fig-density-x", "Density of the glasses against composition");
    if (!f) return GMD_OK;
    const gmd_study *s = r->study;
    snprintf(f->caption, sizeof f->caption,
             "Mass density of each glass at %g K and %g bar (the settled volume of its NPT "
             "equilibration) against x, with block standard errors.",
             s->glass_T_K, s->pressure_bar);
    int order[GMD_STUDY_MAX_COMPOSITIONS], n = 0;
    for (int i = 0; i < r->ncomp; i++)
        if (isfinite(r->comp[i].x)) {
            int j = n++;
            for (; j > 0 && r->comp[order[j - 1]].x > r->comp[i].x; j--)
                order[j] = order[j - 1];
            order[j] = i;
        }
    if (n == 0) {
        snprintf(f->note, sizeof f->note, "no composition has an x (all given by counts)");
        return GMD_OK;
    }
    dcols d = {.nrows = (size_t)n};
    double *x = dcols_add(&d, "x");
    double *y = x ? dcols_add(&d, "density_g_cm3") : NULL;
    double *e = y ? dcols_add(&d, "density_err_g_cm3") : NULL;
    gmd_status st = GMD_OK;
    if (e) {
        for (int k = 0; k < n; k++) {
            x[k] = r->comp[order[k]].x;
            y[k] = glass[order[k]].g;
            e[k] = glass[order[k]].g_err;
        }
        snprintf(d.label[0], sizeof d.label[0], "glass at %g K", s->glass_T_K);
        gmd_plot p = {.xcol = 1,
                      .xlabel = "x (modifier fraction)",
                      .ylabel = "density (g/cm^3)",
                      .nseries = 1,
                      .ycols = {2},
                      .errcols = {3},
                      .labels = {d.label[0]},
                      .extra = "set offsets 0.02, 0.02, 0, 0"};
        st = write_figure(r, f, &d, &p, err);
    } else {
        st = gmd_fail(err, GMD_ERR_NOMEM, "out of memory for the density figure");
    }
    dcols_free(&d);
    return st;
}

static const char *const STATE_HEAD[] = {"composition",
                                         "x",
                                         "state",
                                         "T_set_K",
                                         "T_K",
                                         "density_1_A3",
                                         "density_err_1_A3",
                                         "density_g_cm3",
                                         "density_err_g_cm3",
                                         "volume_settled"};
static const char *const QUENCH_HEAD[] = {"composition", "T_set_K",      "T_K",
                                          "rows",        "density_1_A3", "density_err_1_A3"};

/* The states of composition c (isotherms, then the glass) as rows of t. */
static gmd_status state_rows(rpt_report *r, rpt_table *t, int i, state *out, gmd_error *err)
{
    const gmd_study *s = r->study;
    rpt_comp *c = &r->comp[i];
    char job[64];
    gmd_status st = GMD_OK;
    for (int k = 0; st == GMD_OK && k <= s->nisotherms; k++) {
        rpt_run *run = k < s->nisotherms ? &c->iso[k] : &c->glass;
        if (k < s->nisotherms)
            snprintf(job, sizeof job, "iso-%gK", s->isotherm_K[k]);
        else
            snprintf(job, sizeof job, "glass-%gK", s->glass_T_K);
        out[k] = load_state(r, c, run, job);
        run->unsettled = out[k].present && !out[k].settled;
        st = state_row(r, t, c, job, &out[k], err);
    }
    return st;
}

static gmd_status quench_rows(rpt_table *t, const rpt_comp *c, const qbin *q, int n, gmd_error *err)
{
    gmd_status st = GMD_OK;
    for (int m = 0; st == GMD_OK && m < n; m++) {
        char Ts[32], T[32], rows[32], a[32], ae[32];
        rpt_fmt(Ts, sizeof Ts, "%.6g", q[m].T_set_K);
        rpt_fmt(T, sizeof T, "%.6g", q[m].T_K);
        snprintf(rows, sizeof rows, "%ld", q[m].n);
        rpt_fmt(a, sizeof a, "%.6g", q[m].rho);
        rpt_fmt(ae, sizeof ae, "%.6g", q[m].rho_err);
        const char *cells[] = {c->c->label, Ts, T, rows, a, ae};
        st = rpt_table_row(t, RPT_NONE, cells, err);
    }
    return st;
}

typedef struct density_data {
    qbin q[GMD_STUDY_MAX_COMPOSITIONS][GMD_QUENCH_BINS];
    int nq[GMD_STUDY_MAX_COMPOSITIONS];
    state st[GMD_STUDY_MAX_COMPOSITIONS][GMD_STUDY_MAX_ISOTHERMS + 1];
    state glass[GMD_STUDY_MAX_COMPOSITIONS];
} density_data;

gmd_status rpt_density(rpt_report *r, gmd_error *err)
{
    const gmd_study *s = r->study;
    if (!s->pressure_set) return GMD_OK;
    rpt_table *t = rpt_add_table(r, "tab-density", "Densities of the isotherms and glasses",
                                 (int)(sizeof STATE_HEAD / sizeof STATE_HEAD[0]), STATE_HEAD);
    rpt_table *tq = rpt_add_table(r, "tab-density-quench", "Density along the quench",
                                  (int)(sizeof QUENCH_HEAD / sizeof QUENCH_HEAD[0]), QUENCH_HEAD);
    density_data *d = gmd_calloc(1, sizeof *d, "density data", err);
    if (!d) return GMD_ERR_NOMEM;
    gmd_status st = t && tq ? GMD_OK : gmd_fail(err, GMD_ERR_INTERNAL, "too many report tables");
    for (int i = 0; st == GMD_OK && i < r->ncomp; i++) {
        st = state_rows(r, t, i, d->st[i], err);
        d->glass[i] = d->st[i][s->nisotherms];
        d->nq[i] = quench_bins(r, &r->comp[i], d->q[i]);
        if (d->nq[i] == 0)
            rpt_note(r,
                     "%s: no quench thermo.csv with volume columns; the quench is left out of "
                     "the density figure",
                     r->comp[i].c->label);
        if (st == GMD_OK) st = quench_rows(tq, &r->comp[i], d->q[i], d->nq[i], err);
    }
    if (st == GMD_OK) {
        snprintf(t->caption, sizeof t->caption,
                 "At %g bar. The density is N / V at the mean volume V of the second half of the "
                 "state's NPT equilibration (isotherm_equil), at which its production ran (NVT); "
                 "errors are block standard errors; T_K is the production's measured mean. "
                 "volume_settled NO (red): the mean volumes of that half's two halves differed "
                 "by more than 4 standard errors, or it had too few thermo rows: the volume was "
                 "still drifting. The quench windows are in density-quench.csv.",
                 s->pressure_bar);
        snprintf(tq->caption, sizeof tq->caption,
                 "The quench's thermo.csv in %d windows of the set point: mean measured "
                 "temperature and density with block standard errors.",
                 GMD_QUENCH_BINS);
        st = fig_density_T(r, d->q, d->nq, d->st, err);
    }
    if (st == GMD_OK) st = fig_density_x(r, d->glass, err);
    free(d);
    return st;
}
