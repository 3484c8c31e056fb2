/* summary.c - composition summaries of a study: CSV tables across compositions, one per
 * analysed temperature, from each analysis job's results.json; they feed the report.
 *
 * OUT/summary/iso-<T>K.csv and glass-<T>K.csv: one row per composition and replica, the
 * columns composition, x (empty for counts), replica, T_set_K (the set point), T_K and
 * T_err_K (the measured temperature the analysis used and its error), then every number of the
 * analysis results flattened to a dotted path, in the order first met, e.g.
 * diffusion_cm2_s.Na.D, diffusion_cm2_s.Na.err, conductivity_S_cm.einstein_helfand.value,
 * conductivity_S_cm.nernst_einstein.total, conductivity_S_cm.haven_ratio, qn.p.0 .. qn.p.4,
 * qn.mean_n, fsdp.k_invA, fsdp.intensity, coordination.Si-S.mean. A value missing in a row
 * (or null: no diffusive regime, say) is an empty cell. OUT/summary/arrhenius.csv does the
 * same for the Arrhenius fits, one row per composition. Flattening everything keeps the
 * tables in step with whatever the analyses report.
 *
 * At constant pressure (study key pressure) each row also gets its state from the MD job's
 * density.json (npt.c): density.density_1_A3, density.density_g_cm3 with their errors and
 * density.volume_settled (1, or 0 when the volume had NOT settled: such a row's results
 * are not those of the state at the pressure), and OUT/summary/density.csv lists every
 * isotherm and glass state with its density and verdict. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "study_internal.h"

typedef struct table {
    int nrows, ncols;
    char **cols;        /* column names */
    double **cells;     /* cells[row][col], NAN = empty */
    char (*label)[160]; /* leading text cells of each row */
    gmd_error *err;
} table;

static int column(table *t, const char *name)
{
    for (int c = 0; c < t->ncols; c++)
        if (!strcmp(t->cols[c], name)) return c;
    char **cols = gmd_realloc(t->cols, (size_t)t->ncols + 1, sizeof *cols, "summary", t->err);
    if (!cols) return -1;
    t->cols = cols;
    t->cols[t->ncols] = strdup(name);
    if (!t->cols[t->ncols]) return -1;
    for (int r = 0; r < t->nrows; r++) {
        double *row =
            gmd_realloc(t->cells[r], (size_t)t->ncols + 1, sizeof *row, "summary", t->err);
        if (!row) return -1;
        row[t->ncols] = NAN;
        t->cells[r] = row;
    }
    return t->ncols++;
}

static int add_row(table *t, const char *label)
{
    double **cells = gmd_realloc(t->cells, (size_t)t->nrows + 1, sizeof *cells, "summary", t->err);
    if (!cells) return -1;
    t->cells = cells;
    char(*labels)[160] =
        gmd_realloc(t->label, (size_t)t->nrows + 1, sizeof *labels, "summary", t->err);
    if (!labels) return -1;
    t->label = labels;
    snprintf(t->label[t->nrows], sizeof t->label[0], "%s", label);
    double *row = gmd_calloc((size_t)t->ncols + 1, sizeof *row, "summary", t->err);
    if (!row) return -1;
    for (int c = 0; c < t->ncols; c++)
        row[c] = NAN;
    t->cells[t->nrows] = row;
    return t->nrows++;
}

static int put(table *t, int row, const char *name, double v)
{
    int c = column(t, name);
    if (c < 0) return -1;
    t->cells[row][c] = v;
    return 0;
}

static int flatten(table *t, int row, const cJSON *item, const char *prefix)
{
    if (cJSON_IsNumber(item)) return put(t, row, prefix, item->valuedouble);
    if (cJSON_IsBool(item)) return put(t, row, prefix, cJSON_IsTrue(item) ? 1.0 : 0.0);
    if (cJSON_IsNull(item)) return put(t, row, prefix, NAN);
    if (!cJSON_IsObject(item) && !cJSON_IsArray(item)) return 0; /* strings: descriptions */
    int i = 0;
    for (const cJSON *c = item->child; c; c = c->next, i++) {
        char name[512];
        if (cJSON_IsArray(item))
            snprintf(name, sizeof name, "%s%s%d", prefix, prefix[0] ? "." : "", i);
        else
            snprintf(name, sizeof name, "%s%s%s", prefix, prefix[0] ? "." : "", c->string);
        if (flatten(t, row, c, name)) return -1;
    }
    return 0;
}

static void table_free(table *t)
{
    for (int c = 0; c < t->ncols; c++)
        free(t->cols[c]);
    for (int r = 0; r < t->nrows; r++)
        free(t->cells[r]);
    free(t->cols);
    free(t->cells);
    free(t->label);
    memset(t, 0, sizeof *t);
}

static gmd_status table_write(const table *t, const char *path, const char *head, gmd_error *err)
{
    FILE *f = fopen(path, "w");
    if (!f) return gmd_fail(err, GMD_ERR_IO, "%s: cannot write (%s)", path, strerror(errno));
    fprintf(f, "%s", head);
    for (int c = 0; c < t->ncols; c++)
        fprintf(f, ",%s", t->cols[c]);
    fputc('\n', f);
    for (int r = 0; r < t->nrows; r++) {
        fprintf(f, "%s", t->label[r]);
        for (int c = 0; c < t->ncols; c++)
            if (isfinite(t->cells[r][c]))
                fprintf(f, ",%.10g", t->cells[r][c]);
            else
                fputc(',', f);
        fputc('\n', f);
    }
    if (fclose(f) != 0) return gmd_fail(err, GMD_ERR_IO, "%s: cannot write", path);
    return GMD_OK;
}

/* A number of results.json as a CSV cell ("" when absent or null). */
static void json_cell(const cJSON *json, const char *key, char *out, size_t len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(json, key);
    out[0] = '\0';
    if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) snprintf(out, len, "%.10g", v->valuedouble);
}

/* composition, x and, for an analysis (replica > 0), replica, the set point T_set and the
 * temperature the analysis used with its error (T_K, T_err_K: the measured mean of the
 * run's thermo.csv), side by side. */
static void row_label(const gmd_study *s, int comp, int replica, double T_set, const cJSON *json,
                      char *out, size_t len)
{
    char x[32] = "", T[32], T_err[32];
    if (s->comp[comp].x >= 0) snprintf(x, sizeof x, "%.10g", s->comp[comp].x);
    json_cell(json, "temperature_K", T, sizeof T);
    json_cell(json, "temperature_err_K", T_err, sizeof T_err);
    if (replica > 0)
        snprintf(out, len, "%s,%s,%d,%.10g,%s,%s", s->comp[comp].label, x, replica, T_set, T,
                 T_err);
    else
        snprintf(out, len, "%s,%s", s->comp[comp].label, x);
}

/* The numbers of the analysed MD job's density.json that say its state (a missing file:
 * empty cells). */
static int add_state(table *t, int row, const gmd_study_plan *plan, const gmd_study_job *job)
{
    static const char *const keys[] = {"density_1_A3", "density_err_1_A3", "density_g_cm3",
                                       "density_err_g_cm3", "volume_settled"};
    char path[GMD_PATH_LEN + 32], name[64];
    gmd_study_join(path, sizeof path, plan->jobs[job->deps[0]].dir, GMD_STUDY_DENSITY_FILE);
    cJSON *json = gmd_study_read_json(path);
    int bad = 0;
    for (size_t k = 0; !bad && k < sizeof keys / sizeof keys[0]; k++) {
        snprintf(name, sizeof name, "density.%s", keys[k]);
        const cJSON *v = json ? cJSON_GetObjectItemCaseSensitive(json, keys[k]) : NULL;
        bad = v ? flatten(t, row, v, name) : put(t, row, name, NAN);
    }
    cJSON_Delete(json);
    return bad;
}

static gmd_status add_results(table *t, const gmd_study_plan *plan, const gmd_study_job *job,
                              const char *key, gmd_error *err)
{
    char path[GMD_PATH_LEN + 32], label[160];
    gmd_study_join(path, sizeof path, job->dir, "results.json");
    cJSON *json = gmd_study_read_json(path);
    if (!json) return gmd_fail(err, GMD_ERR_IO, "%s: missing or not valid JSON", path);
    row_label(plan->study, job->comp, job->replica, job->T_K, json, label, sizeof label);
    int row = add_row(t, label);
    const cJSON *part = key ? cJSON_GetObjectItemCaseSensitive(json, key) : json;
    int bad = row < 0 || (part && flatten(t, row, part, ""));
    cJSON_Delete(json);
    if (!bad && !key && plan->study->pressure_set) bad = add_state(t, row, plan, job);
    return bad ? gmd_fail(err, GMD_ERR_NOMEM, "out of memory for the summary") : GMD_OK;
}

/* One table per analysed MD job name pattern: "iso-1000K" or "glass-300K". */
static gmd_status temperature_table(const gmd_study_plan *plan, const char *md_leaf,
                                    const char *out_dir, gmd_error *err)
{
    table t = {.err = err};
    gmd_status st = GMD_OK;
    for (int j = 0; st == GMD_OK && j < plan->njobs; j++) {
        const gmd_study_job *job = &plan->jobs[j];
        if (job->kind != GMD_JOB_ANALYSIS) continue;
        const gmd_study_job *md = &plan->jobs[job->deps[0]];
        const char *leaf = strrchr(md->name, '/');
        if (leaf && !strcmp(leaf + 1, md_leaf)) st = add_results(&t, plan, job, NULL, err);
    }
    char path[GMD_PATH_LEN + 128];
    snprintf(path, sizeof path, "%s/%s.csv", out_dir, md_leaf);
    if (st == GMD_OK) st = table_write(&t, path, "composition,x,replica,T_set_K,T_K,T_err_K", err);
    table_free(&t);
    return st;
}

/* A number of density.json as a CSV cell ("" when absent or null). */
static void state_cell(FILE *f, const cJSON *json, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(json, key);
    if (cJSON_IsBool(v))
        fprintf(f, ",%d", cJSON_IsTrue(v));
    else if (cJSON_IsNumber(v))
        fprintf(f, ",%.10g", v->valuedouble);
    else
        fputc(',', f);
}

/* OUT/summary/density.csv: every isotherm and glass state at the study's pressure. */
static gmd_status density_table(const gmd_study_plan *plan, const char *out_dir, gmd_error *err)
{
    static const char *const keys[] = {
        "pressure_bar",     "volume_A3",     "volume_err_A3",     "density_1_A3",
        "density_err_1_A3", "density_g_cm3", "density_err_g_cm3", "z",
        "volume_settled"};
    char path[GMD_PATH_LEN + 32];
    gmd_study_join(path, sizeof path, out_dir, "density.csv");
    FILE *f = fopen(path, "w");
    if (!f) return gmd_fail(err, GMD_ERR_IO, "%s: cannot write (%s)", path, strerror(errno));
    fprintf(f, "composition,x,replica,state,T_set_K");
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        fprintf(f, ",%s", keys[k]);
    fputc('\n', f);
    for (int j = 0; j < plan->njobs; j++) {
        const gmd_study_job *job = &plan->jobs[j];
        if (job->kind != GMD_JOB_ISOTHERM && job->kind != GMD_JOB_GLASS) continue;
        char json_path[GMD_PATH_LEN + 32], label[160];
        gmd_study_join(json_path, sizeof json_path, job->dir, GMD_STUDY_DENSITY_FILE);
        cJSON *json = gmd_study_read_json(json_path);
        row_label(plan->study, job->comp, 0, 0.0, NULL, label, sizeof label);
        fprintf(f, "%s,%d,%s,%.10g", label, job->replica, strrchr(job->name, '/') + 1, job->T_K);
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            state_cell(f, json, keys[k]);
        fputc('\n', f);
        cJSON_Delete(json);
    }
    if (fclose(f) != 0) return gmd_fail(err, GMD_ERR_IO, "%s: cannot write", path);
    return GMD_OK;
}

gmd_status gmd_study_write_summary(const gmd_study_plan *plan, gmd_error *err)
{
    char out[GMD_PATH_LEN + 16];
    gmd_study_join(out, sizeof out, plan->study->output_dir, "summary");
    gmd_status st = gmd_make_dirs(out, "folder", err);
    if (st == GMD_OK && plan->study->pressure_set) st = density_table(plan, out, err);
    /* every distinct MD leaf name (iso-<T>K, glass-<T>K) once, in plan order */
    for (int j = 0; st == GMD_OK && j < plan->njobs; j++) {
        const gmd_study_job *job = &plan->jobs[j];
        if (job->kind != GMD_JOB_ANALYSIS || job->comp != 0 || job->replica != 1) continue;
        const char *leaf = strrchr(plan->jobs[job->deps[0]].name, '/');
        if (leaf) st = temperature_table(plan, leaf + 1, out, err);
    }
    table t = {.err = err};
    int any = 0;
    for (int j = 0; st == GMD_OK && j < plan->njobs; j++)
        if (plan->jobs[j].kind == GMD_JOB_ARRHENIUS) {
            st = add_results(&t, plan, &plan->jobs[j], "arrhenius", err);
            any = 1;
        }
    char path[GMD_PATH_LEN + 64];
    gmd_study_join(path, sizeof path, out, "arrhenius.csv");
    if (st == GMD_OK && any) st = table_write(&t, path, "composition,x", err);
    table_free(&t);
    return st;
}
