/* report_tables.c - the report's tables, each written as OUT/report/NAME.csv and shown in
 * the page: glassmd beside the paper (SPEC section 6), activation energies, dynamics and
 * structure per composition, the jobs' wall times and the build.
 *
 * The comparison with the paper. For each number the paper reports, glassmd's value comes
 * from the study's results; a verdict is decided by a rule fixed here, before any result is
 * seen, and printed beside it:
 *  - when glassmd's value has a standard error s: agreement when its distance to the
 *    paper's value (or range) is at most 2 s; the distance is shown in units of s;
 *  - when it has none (peak positions, Q^n, R_X): agreement within a stated tolerance
 *    (the resolution of the analysis or the precision the paper's wording implies), shown
 *    in the table.
 * The paper's numbers carry no error bars. Missing results say which job is missing.
 * Nothing is adjusted toward the paper: the gaps are the finding. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "glassmd/version.h"
#include "report_internal.h"

/* ---- generic tables ------------------------------------------------------------------ */

rpt_table *rpt_add_table(rpt_report *r, const char *id, const char *title, int ncols,
                         const char *const *header)
{
    if (r->ntab >= RPT_MAX_TABLES || ncols > RPT_MAX_COLS) return NULL;
    rpt_table *t = &r->tab[r->ntab++];
    memset(t, 0, sizeof *t);
    snprintf(t->id, sizeof t->id, "%s", id);
    snprintf(t->name, sizeof t->name, "%s", strncmp(id, "tab-", 4) == 0 ? id + 4 : id);
    snprintf(t->title, sizeof t->title, "%s", title);
    t->ncols = ncols;
    for (int c = 0; c < ncols; c++)
        snprintf(t->header[c], sizeof t->header[c], "%s", header[c]);
    return t;
}

gmd_status rpt_table_row(rpt_table *t, rpt_verdict v, const char *const *cells, gmd_error *err)
{
    if (t->nrows == t->cap) {
        int cap = t->cap ? 2 * t->cap : 16;
        char **cl = gmd_realloc(t->cells, (size_t)cap * t->ncols, sizeof *cl, "table", err);
        if (!cl) return GMD_ERR_NOMEM;
        t->cells = cl;
        rpt_verdict *vd = gmd_realloc(t->verdict, (size_t)cap, sizeof *vd, "table", err);
        if (!vd) return GMD_ERR_NOMEM;
        t->verdict = vd, t->cap = cap;
    }
    for (int c = 0; c < t->ncols; c++) {
        char *s = strdup(cells[c] ? cells[c] : "");
        if (!s) return gmd_fail(err, GMD_ERR_NOMEM, "out of memory for a table cell");
        t->cells[t->nrows * t->ncols + c] = s;
    }
    t->verdict[t->nrows++] = v;
    return GMD_OK;
}

static void csv_cell(FILE *fp, const char *s)
{
    if (!strpbrk(s, ",\"\n")) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"') fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

gmd_status rpt_table_write_csv(const rpt_report *r, const rpt_table *t, gmd_error *err)
{
    char path[RPT_PATH + 128];
    snprintf(path, sizeof path, "%s/%s.csv", r->dir, t->name);
    FILE *fp = fopen(path, "w");
    if (!fp) return gmd_fail(err, GMD_ERR_IO, "%s: cannot create (%s)", path, strerror(errno));
    fprintf(fp, "# glassmd %s: %s\n", GLASSMD_VERSION, t->title);
    for (int row = -1; row < t->nrows; row++)
        for (int c = 0; c < t->ncols; c++) {
            csv_cell(fp, row < 0 ? t->header[c] : t->cells[row * t->ncols + c]);
            fputc(c + 1 < t->ncols ? ',' : '\n', fp);
        }
    if (fclose(fp) != 0) return gmd_fail(err, GMD_ERR_IO, "%s: write failed", path);
    return GMD_OK;
}

void rpt_fmt(char *buf, size_t len, const char *f, double v)
{
    if (isfinite(v))
        snprintf(buf, len, f, v);
    else
        snprintf(buf, len, "-");
}

/* ---- the comparison with the paper ---------------------------------------------------- */

typedef struct cmp_row {
    char quantity[96], system[64];
    double lo, hi; /* the paper's value (lo == hi) or range */
    double v, e;   /* glassmd: value, standard error (NAN: none) */
    const char *unit, *f;
    double tol; /* tolerance when there is no error bar (0: none) */
    const char *tol_why;
    char missing[160]; /* why v is missing */
} cmp_row;

static gmd_status cmp_add(rpt_report *r, rpt_table *t, const cmp_row *w, gmd_error *err)
{
    char paper[72], val[224], e[48], crit[256], verdict[96], a[32], b[32];
    rpt_verdict v = RPT_NONE;
    rpt_fmt(a, sizeof a, w->f, w->lo), rpt_fmt(b, sizeof b, w->f, w->hi);
    if (w->hi > w->lo)
        snprintf(paper, sizeof paper, "%s to %s", a, b);
    else
        snprintf(paper, sizeof paper, "%s", a);
    rpt_fmt(val, sizeof val, w->f, w->v);
    rpt_fmt(e, sizeof e, "%.2g", w->e);
    double dist = w->v < w->lo ? w->lo - w->v : (w->v > w->hi ? w->v - w->hi : 0.0);
    snprintf(crit, sizeof crit, "-");
    if (!isfinite(w->v)) {
        v = RPT_MISSING;
        snprintf(verdict, sizeof verdict, "not computed");
        snprintf(val, sizeof val, "- (%s)", w->missing[0] ? w->missing : "no result");
    } else if (isfinite(w->e) && w->e > 0) {
        v = dist <= 2 * w->e ? RPT_AGREE : RPT_DISAGREE;
        snprintf(crit, sizeof crit, "within 2 sigma (sigma: glassmd's standard error)");
        snprintf(verdict, sizeof verdict, "%s (%.1f sigma)", v == RPT_AGREE ? "yes" : "no",
                 dist / w->e);
    } else if (w->tol > 0) {
        v = dist <= w->tol ? RPT_AGREE : RPT_DISAGREE;
        rpt_fmt(a, sizeof a, w->f, w->tol);
        snprintf(crit, sizeof crit, "|difference| <= %s %s (%s; no error bar)", a, w->unit,
                 w->tol_why);
        snprintf(verdict, sizeof verdict, "%s", v == RPT_AGREE ? "yes" : "no");
    } else {
        snprintf(verdict, sizeof verdict, "no error bar to judge");
    }
    r->nagree += v == RPT_AGREE, r->ndisagree += v == RPT_DISAGREE, r->nmissing += v == RPT_MISSING;
    const char *cells[8] = {w->quantity, w->system, paper, val, e, w->unit, crit, verdict};
    return rpt_table_row(t, v, cells, err);
}

/* The local maximum of column y of DIR/FILE with x in [x0, x1], parabola-refined; NAN when
 * the largest value sits on the window's edge (no peak inside). */
static double window_peak(const rpt_run *run, const char *file, const char *xc, const char *yc,
                          double x0, double x1)
{
    char path[RPT_PATH + 64];
    rpt_csv csv;
    if (!run->present) return NAN;
    snprintf(path, sizeof path, "%s/%s", run->dir, file);
    if (rpt_csv_read(path, &csv)) return NAN;
    const double *x = rpt_csv_col(&csv, xc), *y = rpt_csv_col(&csv, yc);
    long best = -1, first = -1, last = -1;
    for (size_t i = 0; x && y && i < csv.nrows; i++) {
        if (x[i] < x0 || x[i] > x1 || !isfinite(y[i])) continue;
        if (first < 0) first = (long)i;
        last = (long)i;
        if (best < 0 || y[i] > y[best]) best = (long)i;
    }
    double peak = NAN;
    if (best > first && best < last) {
        double ym = y[best - 1], y0 = y[best], yp = y[best + 1], den = ym - 2 * y0 + yp;
        double shift = den < 0 ? 0.5 * (ym - yp) / den : 0.0;
        peak = x[best] + shift * 0.5 * (x[best + 1] - x[best - 1]);
    }
    rpt_csv_free(&csv);
    return peak;
}

static const char *why_glass(const rpt_comp *c, double x, char *buf, size_t len)
{
    if (!c)
        snprintf(buf, len, "the study has no composition x = %.2f", x);
    else if (!c->glass.present)
        snprintf(buf, len, "no glass analysis for %s", c->c->label);
    else
        snprintf(buf, len, "not in the %s glass results", c->c->label);
    return buf;
}

/* The peak of the former-bridge-former angles of one sharing class ("edge", "corner") in
 * the glass results (glassmd analyze splits them by the former pair's link,
 * docs/analysis.md); NAN when there is none, with the reason in why. */
static double sharing_peak(const rpt_comp *c, const char *kind, const char *trip, char *why,
                           size_t len)
{
    const rpt_run *g = c ? &c->glass : NULL;
    why[0] = '\0';
    if (!g || !g->present) return why_glass(c, 0.5, why, len), NAN;
    const cJSON *o = cJSON_GetObjectItem(g->json, "angles_former_bridge_former");
    double v = rpt_num(o, kind, "peak_deg", NULL);
    if (!o)
        snprintf(why, len,
                 "no sharing split in the %s glass results (analysed without %s in --angles, "
                 "or by an older glassmd)",
                 c->c->label, trip);
    else if (isnan(v))
        snprintf(why, len, "no %s-sharing pairs in the %s glass", kind, c->c->label);
    return v;
}

/* Structure of the glass at x = 0.5 (paper Figs. 1-3). */
static gmd_status cmp_structure(rpt_report *r, rpt_table *t, gmd_error *err)
{
    const char *F = rpt_species(r, r->roles.former), *B = rpt_species(r, r->roles.bridge),
               *M = rpt_species(r, r->roles.modifier);
    const rpt_comp *c = rpt_comp_at(r, 0.5, 0.005);
    const rpt_run *g = c ? &c->glass : NULL;
    const cJSON *peaks = g && g->present ? cJSON_GetObjectItem(g->json, "rdf_first_peak_A") : NULL;
    char sys[64], why[160], trip[64], why_es[160], why_cs[160];
    snprintf(sys, sizeof sys, "glass x = 0.50, %g K", r->study->glass_T_K);
    why_glass(c, 0.5, why, sizeof why);
    snprintf(trip, sizeof trip, "%s-%s-%s", F, B, F);
    /* ES and CS peaks of the angles split by the formers' link, not windows of the whole
     * distribution: there the two overlap, and a window finds no inner maximum */
    double es = sharing_peak(c, "edge", trip, why_es, sizeof why_es);
    double cs = sharing_peak(c, "corner", trip, why_cs, sizeof why_cs);
    struct {
        const char *q;
        double paper, v, tol;
        const char *unit, *why, *f;
        const char *missing; /* why v is missing, when not the glass's absence */
    } s[] = {
        {"partial g(r) first peak %s-%s", 2.13, peaks ? rpt_pair_num(peaks, F, B) : NAN, 0.05, "A",
         "histogram resolution", "%.2f", NULL},
        {"partial g(r) first peak %s-%s", 2.91, peaks ? rpt_pair_num(peaks, M, B) : NAN, 0.05, "A",
         "histogram resolution", "%.2f", NULL},
        {"total g_X(r) third peak (3.2-3.8 A)", 3.47,
         g ? window_peak(g, "rdf.csv", "r_A", "g_X", 3.2, 3.8) : NAN, 0.05, "A",
         "histogram resolution", "%.2f", NULL},
        {"S_X(k) first sharp diffraction peak (0.8-1.6 1/A)", 1.13,
         g ? window_peak(g, "sq.csv", "k_invA", "S_X", 0.8, 1.6) : NAN, 0.1, "1/A",
         "k resolution of a 3000-atom box", "%.2f", NULL},
        {"S_X(k) principal peak (1.8-3.2 1/A)", 2.5,
         g ? window_peak(g, "sq.csv", "k_invA", "S_X", 1.8, 3.2) : NAN, 0.1, "1/A",
         "k resolution of a 3000-atom box", "%.2f", NULL},
        {"S_X(k) third peak (3.3-4.8 1/A)", 4.0,
         g ? window_peak(g, "sq.csv", "k_invA", "S_X", 3.3, 4.8) : NAN, 0.1, "1/A",
         "k resolution of a 3000-atom box", "%.2f", NULL},
        {"Wright R_X against experiment", 0.0052,
         g && g->present ? rpt_num(g->json, "r_x", NULL, NULL) : NAN, 0.0052, "",
         "at most twice the paper's", "%.4f", NULL},
        {"%s edge-sharing (ES) angle peak", 88, es, 5, "deg", "the paper's 'near'", "%.0f", why_es},
        {"%s corner-sharing (CS) angle peak", 108, cs, 5, "deg", "the paper's 'near'", "%.0f",
         why_cs},
    };
    gmd_status st = GMD_OK;
    for (size_t i = 0; !st && i < sizeof s / sizeof s[0]; i++) {
        cmp_row w = {.lo = s[i].paper,
                     .hi = s[i].paper,
                     .v = s[i].v,
                     .e = NAN,
                     .unit = s[i].unit,
                     .f = s[i].f,
                     .tol = s[i].tol,
                     .tol_why = s[i].why};
        if (i < 2)
            snprintf(w.quantity, sizeof w.quantity, s[i].q, i ? M : F, B);
        else
            snprintf(w.quantity, sizeof w.quantity, s[i].q, trip);
        snprintf(w.system, sizeof w.system, "%s", sys);
        snprintf(w.missing, sizeof w.missing, "%s",
                 s[i].missing ? s[i].missing
                 : c && c->glass.present && i == 6 && !r->study->exp_sq[0]
                     ? "no experimental S(k) given"
                     : why);
        st = cmp_add(r, t, &w, err);
    }
    return st;
}

static void iso_value(const rpt_report *r, const rpt_comp *c, double T, const char *key, double *v,
                      double *e, char *why, size_t len)
{
    int i = rpt_iso_at(r, T);
    *v = *e = NAN;
    if (!c)
        snprintf(why, len, "no composition x = 0.50");
    else if (i < 0)
        snprintf(why, len, "no %g K isotherm in the study", T);
    else if (!c->iso[i].present)
        snprintf(why, len, "no analysis of %s at %g K", c->c->label, T);
    else {
        rpt_quantity(&c->iso[i], key, v, e);
        snprintf(why, len, "%s not in the %g K results", key, T);
    }
}

/* "melt x = X, T K", with the temperature the run had beside its set point when the
 * analysis measured one (the comparison is at the paper's set point, the result at the
 * measured temperature). */
static void iso_system(const rpt_report *r, const rpt_comp *c, double x, double T, char *out,
                       size_t len)
{
    int i = c ? rpt_iso_at(r, T) : -1;
    const rpt_run *run = i >= 0 ? &c->iso[i] : NULL;
    if (!run || !run->present || run->T_K == run->T_set_K)
        snprintf(out, len, "melt x = %.2f, %g K", x, T);
    else if (isfinite(run->T_err_K))
        snprintf(out, len, "melt x = %.2f, %g K (measured %.0f +- %.0f K)", x, T, run->T_K,
                 run->T_err_K);
    else
        snprintf(out, len, "melt x = %.2f, %g K (measured %.0f K)", x, T, run->T_K);
}

static gmd_status cmp_fit(rpt_report *r, rpt_table *t, const rpt_comp *c, const char *key,
                          const char *q, double lo, double hi, gmd_error *err)
{
    cmp_row w = {.lo = lo, .hi = hi, .v = NAN, .e = NAN, .unit = "eV", .f = "%.3f"};
    snprintf(w.quantity, sizeof w.quantity, "%s", q);
    snprintf(w.system, sizeof w.system, "melt x = %.2f, isotherms", c ? c->x : 0.5);
    rpt_fit fit = c ? rpt_arrhenius(r, c, key) : (rpt_fit){0};
    if (fit.present) w.v = fit.E_A_eV, w.e = fit.err_eV;
    snprintf(w.missing, sizeof w.missing, c ? "no Arrhenius fit of %s" : "no composition x = 0.50",
             key);
    return cmp_add(r, t, &w, err);
}

/* Dynamics of the melt (paper Figs. 4-7 and section 3.2). */
static gmd_status cmp_dynamics(rpt_report *r, rpt_table *t, gmd_error *err)
{
    const char *F = rpt_species(r, r->roles.former), *B = rpt_species(r, r->roles.bridge),
               *M = rpt_species(r, r->roles.modifier);
    const rpt_comp *c = rpt_comp_at(r, 0.5, 0.005);
    char key[48], q[96];
    const char *sp[3] = {M, B, F};
    const double ea[3] = {0.439, 0.647, 0.600};
    gmd_status st = GMD_OK;
    for (int k = 0; !st && k < 3; k++) {
        snprintf(key, sizeof key, "D_%s", sp[k]);
        snprintf(q, sizeof q, "activation energy of D_%s", sp[k]);
        st = cmp_fit(r, t, c, key, q, ea[k], ea[k], err);
    }
    for (int k = 0; !st && k < 3; k++) {
        cmp_row w = {.lo = k ? 4.49e-6 : 3.54e-5,
                     .hi = k ? 5.62e-6 : 3.54e-5,
                     .unit = "cm^2/s",
                     .f = "%.3g"};
        snprintf(key, sizeof key, "D_%s", sp[k]);
        snprintf(w.quantity, sizeof w.quantity, "D_%s%s", sp[k], k ? " (network)" : "");
        iso_system(r, c, 0.5, 1000, w.system, sizeof w.system);
        iso_value(r, c, 1000, key, &w.v, &w.e, w.missing, sizeof w.missing);
        st = cmp_add(r, t, &w, err);
    }
    if (!st) {
        cmp_row w = {.lo = 2.7, .hi = 2.7, .unit = "", .f = "%.2f"};
        double n, ne, m, me;
        snprintf(w.quantity, sizeof w.quantity, "sigma_N / sigma_%s (Nernst-Einstein)", M);
        iso_system(r, c, 0.5, 750, w.system, sizeof w.system);
        snprintf(key, sizeof key, "sigma_NE_%s", M);
        iso_value(r, c, 750, "sigma_NE_network", &n, &ne, w.missing, sizeof w.missing);
        iso_value(r, c, 750, key, &m, &me, w.missing, sizeof w.missing);
        w.v = n / m;
        w.e = w.v * sqrt(pow(ne / n, 2) + pow(me / m, 2));
        st = cmp_add(r, t, &w, err);
    }
    if (!st) st = cmp_fit(r, t, c, "sigma", "activation energy of sigma", 0.274, 0.274, err);
    return st;
}

/* Across compositions: Q^n at 66 %, the FSDP, E_A and D of the modifier against x. */
static gmd_status cmp_network(rpt_report *r, rpt_table *t, gmd_error *err)
{
    const rpt_comp *c = rpt_comp_at(r, 0.66, 0.005);
    const double qn[3] = {50.0, 37.5, 11.0};
    char why[160];
    gmd_status st = GMD_OK;
    why_glass(c, 0.66, why, sizeof why);
    for (int n = 0; !st && n < 3; n++) {
        cmp_row w = {.lo = qn[n],
                     .hi = qn[n],
                     .v = NAN,
                     .e = NAN,
                     .unit = "%",
                     .f = "%.1f",
                     .tol = 5.0,
                     .tol_why = "one 3000-atom glass"};
        snprintf(w.quantity, sizeof w.quantity, "Q^%d of %s", n, rpt_species(r, r->roles.former));
        snprintf(w.system, sizeof w.system, "glass x = 0.66, %g K", r->study->glass_T_K);
        const cJSON *p = c && c->glass.present
                             ? cJSON_GetObjectItem(cJSON_GetObjectItem(c->glass.json, "qn"), "p")
                             : NULL;
        if (p) {
            const cJSON *v = cJSON_GetArrayItem(p, n);
            w.v = v && cJSON_IsNumber(v) ? 100.0 * v->valuedouble : 0.0;
        }
        snprintf(w.missing, sizeof w.missing, "%s", why);
        st = cmp_add(r, t, &w, err);
    }
    const char *M = rpt_species(r, r->roles.modifier);
    const rpt_comp *c5 = rpt_comp_at(r, 0.5, 0.005), *c8 = rpt_comp_at(r, 0.8, 0.005);
    if (!st) {
        cmp_row w = {.lo = 1.0,
                     .hi = 1.0,
                     .v = NAN,
                     .e = NAN,
                     .unit = "1/A",
                     .f = "%.2f",
                     .tol = 0.15,
                     .tol_why = "the paper's 'near'"};
        snprintf(w.quantity, sizeof w.quantity, "FSDP position of S_%s%s(k)", M, M);
        snprintf(w.system, sizeof w.system, "glass x = 0.50");
        if (c5 && c5->glass.present) w.v = rpt_num(c5->glass.json, "fsdp", "k_invA", NULL);
        why_glass(c5, 0.5, w.missing, sizeof w.missing);
        st = cmp_add(r, t, &w, err);
    }
    if (!st) {
        cmp_row w = {.lo = 0,
                     .hi = 0,
                     .v = NAN,
                     .e = NAN,
                     .unit = "",
                     .f = "%.2f",
                     .tol = 0.2,
                     .tol_why = "noise of one glass"};
        snprintf(w.quantity, sizeof w.quantity, "FSDP intensity I(0.8) / I(0.5), S_%s%s", M, M);
        snprintf(w.system, sizeof w.system, "glasses x = 0.50 and 0.80");
        if (c5 && c8 && c5->glass.present && c8->glass.present) {
            double i5 = rpt_num(c5->glass.json, "fsdp", "intensity", NULL);
            double i8 = rpt_num(c8->glass.json, "fsdp", "intensity", NULL);
            const cJSON *f8 =
                cJSON_GetObjectItem(cJSON_GetObjectItem(c8->glass.json, "fsdp"), "found");
            w.v = (cJSON_IsFalse(f8) ? 0.0 : i8) / i5;
        }
        int lacks5 = !c5 || !c5->glass.present;
        why_glass(lacks5 ? c5 : c8, lacks5 ? 0.5 : 0.8, w.missing, sizeof w.missing);
        st = cmp_add(r, t, &w, err);
    }
    for (int i = 0; !st && i < r->ncomp; i++) {
        const rpt_comp *ci = &r->comp[i];
        if (!(ci->x > 0.505 && ci->x < 0.805)) continue;
        char key[48], q[96];
        snprintf(key, sizeof key, "D_%s", M);
        snprintf(q, sizeof q, "activation energy of D_%s (x = 0.5-0.8: 0.438-0.482)", M);
        st = cmp_fit(r, t, ci, key, q, 0.438, 0.482, err);
        if (st) break;
        cmp_row w = {.lo = 3.0e-5, .hi = 3.0e-5, .unit = "cm^2/s", .f = "%.3g"};
        snprintf(w.quantity, sizeof w.quantity, "D_%s, about constant with x", M);
        iso_system(r, ci, ci->x, 1000, w.system, sizeof w.system);
        iso_value(r, ci, 1000, key, &w.v, &w.e, w.missing, sizeof w.missing);
        st = cmp_add(r, t, &w, err);
    }
    return st;
}

static gmd_status table_paper(rpt_report *r, gmd_error *err)
{
    static const char *h[8] = {"quantity",        "system", "paper",     "glassmd",
                               "error (1 sigma)", "unit",   "criterion", "agrees within error?"};
    rpt_table *t =
        rpt_add_table(r, "tab-paper", "glassmd beside the numbers the paper reports", 8, h);
    if (!t) return GMD_OK;
    int paper_species = strcmp(rpt_species(r, r->roles.former), "Si") == 0 &&
                        strcmp(rpt_species(r, r->roles.bridge), "S") == 0 &&
                        strcmp(rpt_species(r, r->roles.modifier), "Na") == 0;
    snprintf(t->caption, sizeof t->caption,
             "Numbers from the paper (SPEC section 6) and glassmd's for the same quantity. The "
             "rule: with a glassmd standard error, agreement within 2 sigma; without one, within "
             "the stated tolerance, fixed before looking at the results. Green agrees, red does "
             "not, grey is missing. Nothing was tuned toward the paper.%s",
             paper_species ? ""
                           : " This study's glass is not Na2S-SiS2: the paper's numbers "
                             "are shown for orientation only, with its species mapped by "
                             "role (former, bridging anion, modifier).");
    gmd_status st = cmp_structure(r, t, err);
    if (!st) st = cmp_dynamics(r, t, err);
    if (!st) st = cmp_network(r, t, err);
    return st;
}

/* ---- activation energies -------------------------------------------------------------- */

static gmd_status table_activation(rpt_report *r, gmd_error *err)
{
    static const char *h[8] = {"composition",    "x",         "quantity", "E_A (eV)",
                               "std error (eV)", "prefactor", "points",   "source"};
    rpt_table *t = rpt_add_table(r, "tab-activation", "Activation energies (Arrhenius fits)", 8, h);
    if (!t) return GMD_OK;
    snprintf(t->caption, sizeof t->caption,
             "y = y0 exp(-E_A / kB T) fitted over the isotherms (weighted by the error bars when "
             "all are given); prefactor in the unit of y (cm^2/s for D, S/cm for sigma).");
    const char *M = rpt_species(r, r->roles.modifier);
    char keys[GMD_MAX_SPECIES + 3][48];
    int nk = 0;
    for (int s = 0; s < r->study->ff.nspecies; s++)
        snprintf(keys[nk++], sizeof keys[0], "D_%s", rpt_species(r, s));
    snprintf(keys[nk++], sizeof keys[0], "sigma");
    snprintf(keys[nk++], sizeof keys[0], "sigma_NE_%s", M);
    snprintf(keys[nk++], sizeof keys[0], "sigma_NE_network");
    gmd_status st = GMD_OK;
    for (int i = 0; !st && i < r->ncomp; i++)
        for (int k = 0; !st && k < nk; k++) {
            const rpt_comp *c = &r->comp[i];
            rpt_fit f = rpt_arrhenius(r, c, keys[k]);
            char x[16], e[32], se[32], pf[32], np[16];
            rpt_fmt(x, sizeof x, "%.2f", c->x);
            rpt_fmt(e, sizeof e, "%.3f", f.present ? f.E_A_eV : NAN);
            rpt_fmt(se, sizeof se, "%.3f", f.present ? f.err_eV : NAN);
            rpt_fmt(pf, sizeof pf, "%.3g", f.present ? f.prefactor : NAN);
            snprintf(np, sizeof np, "%d", f.present ? f.npoints : 0);
            const char *cells[8] = {c->c->label,
                                    x,
                                    keys[k],
                                    e,
                                    se,
                                    pf,
                                    np,
                                    !f.present ? "missing (fewer than 2 isotherms)"
                                    : f.own    ? "fitted by the report"
                                               : "arrhenius/results.json"};
            st = rpt_table_row(t, f.present ? RPT_NONE : RPT_MISSING, cells, err);
        }
    return st;
}

/* ---- dynamics and structure per composition ------------------------------------------ */

static void val_err(char *v, char *e, size_t len, const rpt_run *run, const char *key)
{
    double x, s;
    rpt_quantity(run, key, &x, &s);
    rpt_fmt(v, len, "%.3g", x);
    rpt_fmt(e, len, "%.2g", s);
}

/* A row's colour: missing results grey; at constant pressure a state whose volume had not
 * settled red (its results are not those of the state at the pressure). */
static rpt_verdict unsettled_verdict(const rpt_run *run)
{
    return !run->present ? RPT_MISSING : run->unsettled ? RPT_DISAGREE : RPT_NONE;
}

static gmd_status table_dynamics(rpt_report *r, gmd_error *err)
{
    const rpt_roles *ro = &r->roles;
    int sp[3] = {ro->modifier, ro->former, ro->bridge};
    char h[13][64], key[48];
    snprintf(h[0], 64, "composition");
    snprintf(h[1], 64, "T set (K)");
    snprintf(h[2], 64, "T measured (K)");
    snprintf(h[3], 64, "+- (K)");
    for (int k = 0; k < 3; k++) {
        snprintf(h[4 + 2 * k], 64, "D_%s (cm^2/s)", rpt_species(r, sp[k]));
        snprintf(h[5 + 2 * k], 64, "+- (cm^2/s)");
    }
    snprintf(h[10], 64, "sigma (S/cm)");
    snprintf(h[11], 64, "+- (S/cm)");
    snprintf(h[12], 64, "Haven ratio");
    const char *hp[13];
    for (int c = 0; c < 13; c++)
        hp[c] = h[c];
    rpt_table *t =
        rpt_add_table(r, "tab-dynamics", "Diffusion and conductivity per isotherm", 13, hp);
    if (!t) return GMD_OK;
    snprintf(t->caption, sizeof t->caption,
             "D from the MSD slope in the diffusive regime, sigma from the Einstein-Helfand "
             "collective displacement; errors are standard errors from independent blocks; "
             "Haven ratio = sigma_NE / sigma. T measured: the mean of the run's thermo.csv "
             "over the analysed frames (block error), which sigma and the Arrhenius fits "
             "use; the thermostat's set point beside it.");
    gmd_status st = GMD_OK;
    for (int i = 0; !st && i < r->ncomp; i++)
        for (int j = 0; !st && j < r->study->nisotherms; j++) {
            const rpt_run *run = &r->comp[i].iso[j];
            char cell[13][48];
            snprintf(cell[0], 48, "%s", r->comp[i].c->label);
            snprintf(cell[1], 48, run->unsettled ? "%g (volume NOT settled)" : "%g", run->T_set_K);
            rpt_fmt(cell[2], 48, "%.1f", run->present ? run->T_K : NAN);
            rpt_fmt(cell[3], 48, "%.1f", run->T_err_K);
            for (int k = 0; k < 3; k++) {
                snprintf(key, sizeof key, "D_%s", rpt_species(r, sp[k]));
                val_err(cell[4 + 2 * k], cell[5 + 2 * k], 48, run, key);
            }
            val_err(cell[10], cell[11], 48, run, "sigma");
            rpt_fmt(cell[12], 48, "%.2f",
                    run->present ? rpt_num(run->json, "conductivity_S_cm", "haven_ratio", NULL)
                                 : NAN);
            const char *cp[13];
            for (int c = 0; c < 13; c++)
                cp[c] = cell[c];
            st = rpt_table_row(t, unsettled_verdict(run), cp, err);
        }
    return st;
}

static gmd_status table_structure(rpt_report *r, gmd_error *err)
{
    const char *F = rpt_species(r, r->roles.former), *B = rpt_species(r, r->roles.bridge),
               *M = rpt_species(r, r->roles.modifier);
    char h[12][64];
    snprintf(h[0], 64, "composition");
    snprintf(h[1], 64, "x");
    snprintf(h[2], 64, "r %s-%s peak (A)", F, B);
    snprintf(h[3], 64, "r %s-%s peak (A)", M, B);
    snprintf(h[4], 64, "%s-%s coordination", F, B);
    snprintf(h[5], 64, "<n>");
    snprintf(h[6], 64, "bridging %s (%%)", B);
    snprintf(h[7], 64, "non-bridging %s (%%)", B);
    snprintf(h[8], 64, "free %s (%%)", B);
    snprintf(h[9], 64, "%s in edge-sharing units (%%)", F);
    snprintf(h[10], 64, "FSDP k (1/A)");
    snprintf(h[11], 64, "FSDP intensity");
    const char *hp[12];
    for (int c = 0; c < 12; c++)
        hp[c] = h[c];
    rpt_table *t = rpt_add_table(r, "tab-structure", "Structure of each glass", 12, hp);
    if (!t) return GMD_OK;
    snprintf(t->caption, sizeof t->caption,
             "From the glass runs at %g K: first peaks of the partial g(r), mean coordination "
             "within the cut-off, network topology (fractions of %s and of %s), FSDP of S_%s%s(k).",
             r->study->glass_T_K, B, F, M, M);
    gmd_status st = GMD_OK;
    for (int i = 0; !st && i < r->ncomp; i++) {
        const rpt_comp *c = &r->comp[i];
        const cJSON *j = c->glass.present ? c->glass.json : NULL;
        const cJSON *pk = j ? cJSON_GetObjectItem(j, "rdf_first_peak_A") : NULL;
        const cJSON *co = j ? cJSON_GetObjectItem(j, "coordination") : NULL;
        char key[64], cell[12][48];
        snprintf(key, sizeof key, "%s-%s", F, B);
        const cJSON *cfb = co ? cJSON_GetObjectItem(co, key) : NULL;
        if (!cfb && co) {
            snprintf(key, sizeof key, "%s-%s", B, F);
            cfb = cJSON_GetObjectItem(co, key);
        }
        snprintf(cell[0], 48, c->glass.unsettled ? "%s (volume NOT settled)" : "%s", c->c->label);
        rpt_fmt(cell[1], 48, "%.2f", c->x);
        rpt_fmt(cell[2], 48, "%.2f", pk ? rpt_pair_num(pk, F, B) : NAN);
        rpt_fmt(cell[3], 48, "%.2f", pk ? rpt_pair_num(pk, M, B) : NAN);
        rpt_fmt(cell[4], 48, "%.2f", rpt_num(cfb, "mean", NULL, NULL));
        rpt_fmt(cell[5], 48, "%.2f", rpt_num(j, "qn", "mean_n", NULL));
        rpt_fmt(cell[6], 48, "%.1f", 100 * rpt_num(j, "sulfur", "bridging", NULL));
        rpt_fmt(cell[7], 48, "%.1f", 100 * rpt_num(j, "sulfur", "nonbridging", NULL));
        rpt_fmt(cell[8], 48, "%.1f", 100 * rpt_num(j, "sulfur", "free", NULL));
        rpt_fmt(cell[9], 48, "%.1f", 100 * rpt_num(j, "sharing", "si_in_edge_fraction", NULL));
        rpt_fmt(cell[10], 48, "%.2f", rpt_num(j, "fsdp", "k_invA", NULL));
        rpt_fmt(cell[11], 48, "%.3g", rpt_num(j, "fsdp", "intensity", NULL));
        const char *cp[12];
        for (int k = 0; k < 12; k++)
            cp[k] = cell[k];
        st = rpt_table_row(t, unsettled_verdict(&c->glass), cp, err);
    }
    return st;
}

/* ---- jobs and build ------------------------------------------------------------------- */

static gmd_status table_jobs(rpt_report *r, gmd_error *err)
{
    static const char *h[3] = {"job", "status", "wall time (s)"};
    rpt_table *t = rpt_add_table(r, "tab-jobs", "Jobs and their wall times", 3, h);
    if (!t) return GMD_OK;
    const cJSON *jobs = r->plan ? cJSON_GetObjectItem(r->plan, "jobs") : NULL;
    snprintf(t->caption, sizeof t->caption, "%s",
             jobs ? "From plan.json: every job of the study, its status and its wall time."
                  : "plan.json is missing or has no \"jobs\" array: no wall times.");
    double total = 0;
    const cJSON *job;
    gmd_status st = GMD_OK;
    cJSON_ArrayForEach(job, jobs)
    {
        const cJSON *name = cJSON_GetObjectItem(job, "name"),
                    *status = cJSON_GetObjectItem(job, "status");
        double w = rpt_num(job, "wall_s", NULL, NULL);
        char wall[32];
        rpt_fmt(wall, sizeof wall, "%.1f", w);
        if (isfinite(w)) total += w;
        const char *cells[3] = {cJSON_IsString(name) ? name->valuestring : "?",
                                cJSON_IsString(status) ? status->valuestring : "?", wall};
        if ((st = rpt_table_row(t, RPT_NONE, cells, err))) return st;
    }
    if (jobs) {
        char tot[32];
        snprintf(tot, sizeof tot, "%.1f", total);
        const char *cells[3] = {"all jobs (sum)", "", tot};
        st = rpt_table_row(t, RPT_NONE, cells, err);
    }
    return st;
}

void rpt_model_text(const gmd_study *s, char *buf, size_t size)
{
    const gmd_forcefield *ff = &s->ff;
    int hard = 0;
    if (s->threebody && ff->nthreebody > 0) {
        gmd_taper taper = gmd_threebody_taper(ff, 0, s->taper);
        hard = taper == GMD_TAPER_HARD;
        const gmd_threebody_params *p = &ff->threebody[0];
        if (hard)
            snprintf(buf, size,
                     "Three-body term: the hard cut at r3 = %g A (the paper's model, as LAMMPS "
                     "nb3b/harmonic). ",
                     p->r3);
        else
            snprintf(buf, size,
                     "Three-body term: the smooth taper of width %g A below r3 = %g A (another "
                     "model than the paper's hard cut: it weakens the glass network). ",
                     p->width, p->r3);
    } else {
        snprintf(buf, size, "No three-body term. ");
    }
    size_t n = strlen(buf);
    int chain = s->chain > 0 ? s->chain : hard ? 1 : 3;
    snprintf(buf + n, size - n,
             "NVT: Nose-Hoover %s (chain = %d%s); every temperature in the results is the mean "
             "measured over the production run.",
             chain == 1 ? "thermostat" : "chain", chain, s->chain > 0 ? "" : ", auto");
}

static gmd_status table_build(rpt_report *r, gmd_error *err)
{
    static const char *h[2] = {"item", "value"};
    rpt_table *t = rpt_add_table(r, "tab-build", "Build and inputs", 2, h);
    if (!t) return GMD_OK;
    snprintf(t->caption, sizeof t->caption, "The glassmd that wrote this report and its inputs.");
    const gmd_study *s = r->study;
    char natoms[32], model[512];
    snprintf(natoms, sizeof natoms, "%ld", s->natoms);
    rpt_model_text(s, model, sizeof model);
    const char *rows[][2] = {
        {"model", model},
        {"glassmd version", GLASSMD_VERSION},
        {"build type", GLASSMD_BUILD_TYPE},
        {"compiler", GLASSMD_COMPILER},
        {"compiler flags", GLASSMD_BUILD_FLAGS},
        {"build date", GLASSMD_BUILD_DATE},
        {"study file", s->path},
        {"force field", s->forcefield},
        {"output folder", s->output_dir},
        {"experimental S(k)", s->exp_sq[0] ? s->exp_sq : "none"},
        {"atoms per composition", natoms},
    };
    gmd_status st = GMD_OK;
    for (size_t i = 0; !st && i < sizeof rows / sizeof rows[0]; i++)
        st = rpt_table_row(t, RPT_NONE, rows[i], err);
    return st;
}

gmd_status rpt_tables(rpt_report *r, gmd_error *err)
{
    gmd_status st = table_paper(r, err);
    if (!st) st = table_activation(r, err);
    if (!st) st = table_dynamics(r, err);
    if (!st) st = table_structure(r, err);
    if (!st) st = table_jobs(r, err);
    if (!st) st = table_build(r, err);
    for (int i = 0; !st && i < r->ntab; i++)
        st = rpt_table_write_csv(r, &r->tab[i], err);
    return st;
}
