/* arrhenius.c - Arrhenius fits of D(T) and sigma(T) (SPEC section 5); the fit and its
 * standard errors are described in include/glassmd/arrhenius.h.
 *
 * The straight line ln y = a + b x, x = 1/T, is fitted in centred form (x - xbar), which
 * avoids the cancellation of S Sxx - Sx^2 when all x are close to each other (1/T spans
 * only 0.5e-3 .. 3e-3 1/K):
 *   xbar = sum w x / S, zbar = sum w z / S, Sxx_c = sum w (x - xbar)^2,
 *   b = sum w (x - xbar)(z - zbar) / Sxx_c, a = zbar - b xbar,
 *   var(b) = f / Sxx_c, var(a) = f (1/S + xbar^2 / Sxx_c),
 * which equal S/Delta and Sxx/Delta of the uncentred formulas; f is the scale factor
 * (Birge ratio or residual variance, see the header).
 *
 * From result folders: every DIR/results.json is parsed with cJSON into one row (T and, per
 * quantity, value and error, NaN where absent); rows are sorted by T; each quantity with at
 * least two usable points is fitted. Data layout: series s, row i at vals[s * n + i]. */
#include "glassmd/arrhenius.h"

#include <cjson/cJSON.h>

#include "../io/json_util.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glassmd/analysis.h"
#include "glassmd/units.h"

/* ================================================================ the fit */

static int all_errors_usable(const double *y, const double *y_err, int n)
{
    if (!y_err) return 0;
    for (int i = 0; i < n; i++)
        if (!(isfinite(y_err[i]) && y_err[i] > 0.0 && isfinite(y_err[i] / y[i]))) return 0;
    return 1;
}

static gmd_status check_points(const double *T_K, const double *y, int n, gmd_error *err)
{
    if (n < 2)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "an Arrhenius fit needs at least 2 temperatures, got %d", n);
    int distinct = 0;
    for (int i = 0; i < n; i++) {
        if (!(T_K[i] > 0.0) || !isfinite(T_K[i]))
            return gmd_fail(err, GMD_ERR_VALUE,
                            "Arrhenius fit: temperature %d is %g K; temperatures must be > 0", i,
                            T_K[i]);
        if (!(y[i] > 0.0) || !isfinite(y[i]))
            return gmd_fail(err, GMD_ERR_VALUE,
                            "Arrhenius fit: value %d (T = %g K) is %g; ln y needs y > 0", i, T_K[i],
                            y[i]);
        if (T_K[i] != T_K[0]) distinct = 1;
    }
    if (!distinct)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "an Arrhenius fit needs at least 2 different temperatures; all %d "
                        "points are at %g K",
                        n, T_K[0]);
    return GMD_OK;
}

gmd_status gmd_arrhenius_fit_points(const double *T_K, const double *y, const double *y_err, int n,
                                    gmd_arrhenius_fit *fit, gmd_error *err)
{
    memset(fit, 0, sizeof *fit);
    gmd_status st = check_points(T_K, y, n, err);
    if (st != GMD_OK) return st;
    fit->weighted = all_errors_usable(y, y_err, n);
    fit->npoints = n;
    double S = 0.0, sx = 0.0, sz = 0.0;
    for (int i = 0; i < n; i++) {
        double w = fit->weighted ? pow(y[i] / y_err[i], 2) : 1.0;
        S += w;
        sx += w / T_K[i];
        sz += w * log(y[i]);
    }
    double xbar = sx / S, zbar = sz / S, sxx = 0.0, sxz = 0.0;
    for (int i = 0; i < n; i++) {
        double w = fit->weighted ? pow(y[i] / y_err[i], 2) : 1.0;
        double dx = 1.0 / T_K[i] - xbar;
        sxx += w * dx * dx;
        sxz += w * dx * (log(y[i]) - zbar);
    }
    double b = sxz / sxx, a = zbar - b * xbar;
    for (int i = 0; i < n; i++) {
        double w = fit->weighted ? pow(y[i] / y_err[i], 2) : 1.0;
        double r = log(y[i]) - a - b / T_K[i];
        fit->chi2 += w * r * r;
    }
    double f;
    if (fit->weighted)
        f = n > 2 ? fmax(1.0, fit->chi2 / (n - 2)) : 1.0;
    else
        f = n > 2 ? fit->chi2 / (n - 2) : NAN;
    fit->E_A_eV = -b * GMD_KB_EV_K + 0.0; /* + 0.0: no "-0" for a flat line */
    fit->err_eV = GMD_KB_EV_K * sqrt(f / sxx);
    fit->ln_prefactor = a;
    fit->ln_prefactor_err = sqrt(f * (1.0 / S + xbar * xbar / sxx));
    fit->prefactor = exp(a);
    fit->prefactor_err = fit->prefactor * fit->ln_prefactor_err;
    return GMD_OK;
}

/* ================================================================ result folders */

#define ARR_MAX_SERIES (3 * GMD_MAX_SPECIES + 8)
#define ARR_NAME_LEN (GMD_NAME_LEN + 16)

typedef struct arr_table {
    int nrows, nseries;
    double *T;             /* nrows: temperature_K (measured where the analysis measured it) */
    double *T_set, *T_err; /* nrows: the set point and the error of T (NaN when absent) */
    char name[ARR_MAX_SERIES][ARR_NAME_LEN];
    int is_sigma[ARR_MAX_SERIES]; /* 1: a conductivity, 0: a diffusion coefficient */
    double *val, *err;            /* [series * nrows + row], NaN where absent */
} arr_table;

/* The whole file at path into *text (NUL-terminated, to be freed). */
static gmd_status read_text_file(const char *path, char **text, gmd_error *err)
{
    *text = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return gmd_fail(err, GMD_ERR_IO,
                        "%s: cannot open; give folders written by `glassmd analyze`", path);
    size_t cap = 4096, len = 0;
    char *buf = gmd_calloc(cap, 1, "results.json text", err);
    while (buf) {
        len += fread(buf + len, 1, cap - 1 - len, fp);
        if (len < cap - 1) break;
        char *grown = gmd_realloc(buf, 2 * cap, 1, "results.json text", err);
        if (!grown) free(buf);
        buf = grown;
        cap *= 2;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (!buf) return GMD_ERR_NOMEM;
    if (bad) {
        free(buf);
        return gmd_fail(err, GMD_ERR_IO, "%s: read error", path);
    }
    buf[len] = '\0';
    *text = buf;
    return GMD_OK;
}

static double number_or_nan(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static double run_temperature(const cJSON *root)
{
    double T = number_or_nan(root, "temperature_K");
    if (!isfinite(T))
        T = number_or_nan(cJSON_GetObjectItemCaseSensitive(root, "settings"), "temperature_K");
    if (!isfinite(T))
        T = number_or_nan(cJSON_GetObjectItemCaseSensitive(root, "conductivity_S_cm"),
                          "temperature_K");
    return T;
}

/* Index of the series called name, added (values NaN) when new; -1 when the table is full. */
static int series_index(arr_table *t, const char *name, int is_sigma)
{
    for (int s = 0; s < t->nseries; s++)
        if (strcmp(t->name[s], name) == 0) return s;
    if (t->nseries == ARR_MAX_SERIES) return -1;
    int s = t->nseries++;
    snprintf(t->name[s], ARR_NAME_LEN, "%s", name);
    t->is_sigma[s] = is_sigma;
    for (int i = 0; i < t->nrows; i++)
        t->val[s * t->nrows + i] = t->err[s * t->nrows + i] = NAN;
    return s;
}

static void put(arr_table *t, int row, const char *name, int is_sigma, double v, double e)
{
    int s = series_index(t, name, is_sigma);
    if (s < 0 || !isfinite(v)) return;
    t->val[s * t->nrows + row] = v;
    t->err[s * t->nrows + row] = e;
}

/* One folder's quantities into row `row` of the table. */
static void collect_row(arr_table *t, int row, const cJSON *root)
{
    char key[ARR_NAME_LEN];
    const cJSON *item;
    const cJSON *diff = cJSON_GetObjectItemCaseSensitive(root, "diffusion_cm2_s");
    cJSON_ArrayForEach(item, diff)
    {
        snprintf(key, sizeof key, "D_%s", item->string);
        put(t, row, key, 0, number_or_nan(item, "D"), number_or_nan(item, "err"));
    }
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(root, "conductivity_S_cm");
    const cJSON *eh = cJSON_GetObjectItemCaseSensitive(c, "einstein_helfand");
    if (eh) put(t, row, "sigma", 1, number_or_nan(eh, "value"), number_or_nan(eh, "err"));
    const cJSON *ne = cJSON_GetObjectItemCaseSensitive(c, "nernst_einstein");
    const cJSON *nerr = cJSON_GetObjectItemCaseSensitive(c, "nernst_einstein_err");
    cJSON_ArrayForEach(item, ne)
    {
        snprintf(key, sizeof key, "sigma_NE_%s", item->string);
        put(t, row, key, 1, cJSON_IsNumber(item) ? item->valuedouble : NAN,
            number_or_nan(nerr, item->string));
    }
}

static gmd_status read_run(arr_table *t, int row, const char *dir, gmd_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/results.json", dir);
    char *text;
    gmd_status st = read_text_file(path, &text, err);
    if (st != GMD_OK) return st;
    cJSON *root = cJSON_Parse(text);
    free(text);
    if (!root)
        return gmd_fail(err, GMD_ERR_PARSE, "%s: not valid JSON; rerun `glassmd analyze`", path);
    t->T[row] = run_temperature(root);
    t->T_set[row] = number_or_nan(root, "temperature_setpoint_K");
    t->T_err[row] = number_or_nan(root, "temperature_err_K");
    if (!(t->T[row] > 0.0))
        st = gmd_fail(err, GMD_ERR_VALUE,
                      "%s: no temperature_K > 0; analyse the run with its temperature "
                      "(--temperature K)",
                      path);
    else
        collect_row(t, row, root);
    cJSON_Delete(root);
    return st;
}

static void table_free(arr_table *t)
{
    free(t->T);
    free(t->T_set);
    free(t->T_err);
    free(t->val);
    free(t->err);
}

/* Sorts the rows by temperature (insertion sort: a handful of rows). */
static void sort_rows(arr_table *t)
{
    int n = t->nrows;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && t->T[j] < t->T[j - 1]; j--) {
            double tmp = t->T[j];
            t->T[j] = t->T[j - 1], t->T[j - 1] = tmp;
            tmp = t->T_set[j], t->T_set[j] = t->T_set[j - 1], t->T_set[j - 1] = tmp;
            tmp = t->T_err[j], t->T_err[j] = t->T_err[j - 1], t->T_err[j - 1] = tmp;
            for (int s = 0; s < t->nseries; s++) {
                double *v = t->val + s * n, *e = t->err + s * n;
                tmp = v[j], v[j] = v[j - 1], v[j - 1] = tmp;
                tmp = e[j], e[j] = e[j - 1], e[j - 1] = tmp;
            }
        }
}

/* ---------------------------------------------------------------- fits and output */

typedef struct arr_fitted {
    int series;
    gmd_arrhenius_fit fit;
} arr_fitted;

/* The points of one fit: T, y, its error, and beside T its set point and error. */
typedef struct arr_points {
    double *T, *y, *e, *T_set, *T_err;
} arr_points;

/* Fits series s over its usable rows (into p); 0 when it has too few. */
static int fit_series(const arr_table *t, int s, gmd_arrhenius_fit *fit, const arr_points *p)
{
    int m = 0;
    for (int i = 0; i < t->nrows; i++) {
        double v = t->val[s * t->nrows + i];
        if (!(v > 0.0) || !isfinite(v)) continue;
        p->T[m] = t->T[i], p->y[m] = v, p->e[m] = t->err[s * t->nrows + i];
        p->T_set[m] = t->T_set[i], p->T_err[m] = t->T_err[i];
        m++;
    }
    gmd_error ignored;
    return m >= 2 && gmd_arrhenius_fit_points(p->T, p->y, p->e, m, fit, &ignored) == GMD_OK;
}

static gmd_status add_fit_json(cJSON *arr, const char *name, const gmd_arrhenius_fit *f,
                               const arr_points *p, int m, gmd_error *err)
{
    cJSON *o = cJSON_AddObjectToObject(arr, name);
    cJSON *temps = cJSON_CreateDoubleArray(p->T, m);
    cJSON *set = cJSON_CreateDoubleArray(p->T_set, m); /* NaN is written as null */
    cJSON *terr = cJSON_CreateDoubleArray(p->T_err, m);
    if (!o || !temps || !set || !terr) {
        cJSON_Delete(temps);
        cJSON_Delete(set);
        cJSON_Delete(terr);
        return gmd_fail(err, GMD_ERR_NOMEM, "out of memory for the Arrhenius results");
    }
    cJSON_AddNumberToObject(o, "E_A_eV", f->E_A_eV);
    gmd_json_add_number_or_null(o, "err_eV", f->err_eV);
    cJSON_AddNumberToObject(o, "prefactor", f->prefactor);
    gmd_json_add_number_or_null(o, "prefactor_err", f->prefactor_err);
    cJSON_AddNumberToObject(o, "npoints", f->npoints);
    cJSON_AddBoolToObject(o, "weighted", f->weighted);
    cJSON_AddItemToObject(o, "T_K", temps);
    cJSON_AddItemToObject(o, "T_set_K", set);
    cJSON_AddItemToObject(o, "T_err_K", terr);
    return GMD_OK;
}

/* The leading CSV columns: the set point beside the temperature used and its error, then
 * 1000/T (the x axis of the figures). */
#define ARR_LEAD 4

/* CSV columns: T_set, T, T_err, 1000/T, then per fitted quantity ln y, its error, the
 * fitted line. */
static gmd_status write_outputs(const arr_table *t, const arr_fitted *fits, int nfit,
                                const char *out_dir, gmd_error *err)
{
    int n = t->nrows, ncol = ARR_LEAD + 3 * nfit;
    double *cols = gmd_calloc((size_t)ncol * (size_t)n, sizeof *cols, "Arrhenius CSV", err);
    if (!cols) return GMD_ERR_NOMEM;
    char names[ARR_LEAD + 3 * ARR_MAX_SERIES][ARR_NAME_LEN + 16];
    const char *cname[ARR_LEAD + 3 * ARR_MAX_SERIES] = {"T_set_K", "T_K", "T_err_K",
                                                        "inv_T_1000_per_K"};
    const double *cptr[ARR_LEAD + 3 * ARR_MAX_SERIES];
    for (int c = 0; c < ncol; c++)
        cptr[c] = cols + (size_t)c * (size_t)n;
    gmd_plot pd = {.title = "Arrhenius plot: diffusion",
                   .xlabel = "1000/T (1/K)",
                   .ylabel = "ln(D / (cm^2/s))",
                   .xcol = ARR_LEAD,
                   .csv = "arrhenius.csv"};
    gmd_plot ps = {.title = "Arrhenius plot: conductivity",
                   .xlabel = "1000/T (1/K)",
                   .ylabel = "ln(sigma / (S/cm))",
                   .xcol = ARR_LEAD,
                   .csv = "arrhenius.csv"};
    for (int i = 0; i < n; i++) {
        cols[i] = t->T_set[i];
        cols[n + i] = t->T[i];
        cols[2 * n + i] = t->T_err[i];
        cols[3 * n + i] = 1000.0 / t->T[i];
    }
    for (int k = 0; k < nfit; k++) {
        int s = fits[k].series, c = ARR_LEAD + 3 * k;
        const gmd_arrhenius_fit *f = &fits[k].fit;
        for (int i = 0; i < n; i++) {
            double v = t->val[s * n + i], e = t->err[s * n + i];
            cols[(size_t)c * n + i] = v > 0.0 ? log(v) : NAN;
            cols[(size_t)(c + 1) * n + i] = v > 0.0 && e > 0.0 ? e / v : NAN;
            cols[(size_t)(c + 2) * n + i] = f->ln_prefactor - f->E_A_eV / (GMD_KB_EV_K * t->T[i]);
        }
        snprintf(names[c], sizeof names[c], "ln_%s", t->name[s]);
        snprintf(names[c + 1], sizeof names[c + 1], "ln_%s_err", t->name[s]);
        snprintf(names[c + 2], sizeof names[c + 2], "fit_ln_%s", t->name[s]);
        for (int j = 0; j < 3; j++)
            cname[c + j] = names[c + j];
        gmd_plot *p = t->is_sigma[s] ? &ps : &pd;
        if (p->nseries + 2 <= 16) {
            p->ycols[p->nseries] = c + 1, p->errcols[p->nseries] = c + 2;
            p->labels[p->nseries++] = t->name[s];
            p->ycols[p->nseries] = c + 3, p->labels[p->nseries++] = "fit";
        }
    }
    gmd_status st = gmd_csv_write(out_dir, "arrhenius",
                                  "Arrhenius fits ln y = ln y0 - E_A/(kB T) (y in cm^2/s or S/cm)",
                                  ncol, cname, cptr, (size_t)n, err);
    int skipped;
    if (st == GMD_OK && pd.nseries) st = gmd_plot_write(out_dir, "arrhenius_D", &pd, &skipped, err);
    if (st == GMD_OK && ps.nseries)
        st = gmd_plot_write(out_dir, "arrhenius_sigma", &ps, &skipped, err);
    free(cols);
    return st;
}

static gmd_status fit_all(const arr_table *t, const char *out_dir, cJSON *results, gmd_error *err)
{
    cJSON *arr = cJSON_AddObjectToObject(results, "arrhenius");
    double *buf = gmd_calloc(5 * (size_t)t->nrows, sizeof *buf, "Arrhenius points", err);
    arr_fitted *fits = gmd_calloc(ARR_MAX_SERIES, sizeof *fits, "Arrhenius fits", err);
    gmd_status st = arr && buf && fits ? GMD_OK : GMD_ERR_NOMEM;
    if (!arr) gmd_fail(err, GMD_ERR_NOMEM, "out of memory for the Arrhenius results");
    int nfit = 0;
    for (int s = 0; st == GMD_OK && s < t->nseries; s++) {
        size_t n = (size_t)t->nrows;
        arr_points p = {buf, buf + n, buf + 2 * n, buf + 3 * n, buf + 4 * n};
        if (!fit_series(t, s, &fits[nfit].fit, &p)) continue;
        fits[nfit].series = s;
        st = add_fit_json(arr, t->name[s], &fits[nfit].fit, &p, fits[nfit].fit.npoints, err);
        nfit++;
    }
    if (st == GMD_OK && nfit == 0)
        st = gmd_fail(err, GMD_ERR_VALUE,
                      "no quantity (D, sigma) has positive values at 2 or more temperatures "
                      "in the %d result folders; run `glassmd analyze --only msd,sigma` on "
                      "trajectories at different temperatures first",
                      t->nrows);
    if (st == GMD_OK) st = write_outputs(t, fits, nfit, out_dir, err);
    free(buf);
    free(fits);
    return st;
}

gmd_status gmd_arrhenius_from_results(const char *const *dirs, int n, const char *out_dir,
                                      cJSON *results, gmd_error *err)
{
    if (n < 2)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "an Arrhenius fit needs the results of at least 2 temperatures, got "
                        "%d folder(s)",
                        n);
    arr_table t = {.nrows = n};
    t.T = gmd_calloc((size_t)n, sizeof *t.T, "Arrhenius temperatures", err);
    t.T_set = gmd_calloc((size_t)n, sizeof *t.T_set, "Arrhenius set points", err);
    t.T_err = gmd_calloc((size_t)n, sizeof *t.T_err, "Arrhenius temperature errors", err);
    t.val = gmd_calloc((size_t)n * ARR_MAX_SERIES, sizeof *t.val, "Arrhenius values", err);
    t.err = gmd_calloc((size_t)n * ARR_MAX_SERIES, sizeof *t.err, "Arrhenius errors", err);
    gmd_status st = t.T && t.T_set && t.T_err && t.val && t.err ? GMD_OK : GMD_ERR_NOMEM;
    for (int i = 0; st == GMD_OK && i < n; i++)
        st = read_run(&t, i, dirs[i], err);
    if (st == GMD_OK) {
        sort_rows(&t);
        st = fit_all(&t, out_dir, results, err);
    }
    table_free(&t);
    return st;
}
