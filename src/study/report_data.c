/* report_data.c - reading a finished study for the report.
 *
 * Folder layout (docs/study.md): OUT/LABEL/r1/iso-<T>K/analysis/results.json for every
 * isotherm, OUT/LABEL/r1/glass-<T>K/analysis/results.json for the glass,
 * OUT/LABEL/arrhenius/results.json for the fits and OUT/plan.json for the jobs. Only
 * replica r1 is shown (a note says so when there are more). Every missing file becomes a
 * note; nothing here fails but an allocation.
 *
 * Species roles come from the force field's [composition]: the cation of the modifier
 * formula that the former lacks is the modifier (Na in Na2S), the cation of the former
 * formula that the modifier lacks is the former (Si in SiS2), the anion both share is the
 * bridge (S). Without [composition], charges decide: the negative species is the bridge,
 * the most charged cation the former, another cation the modifier. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "glassmd/arrhenius.h"
#include "report_internal.h"

/* ---- small helpers ------------------------------------------------------------------- */

void rpt_note(rpt_report *r, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char **grown = realloc(r->notes, (size_t)(r->nnotes + 1) * sizeof *grown);
    if (!grown) return; /* a lost note is better than a failed report */
    r->notes = grown;
    r->notes[r->nnotes] = strdup(buf);
    if (r->notes[r->nnotes]) r->nnotes++;
}

int rpt_file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

char *rpt_slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown, cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, fp);
        n += got;
        if (got == 0) break;
    }
    fclose(fp);
    if (buf) buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

const char *rpt_species(const rpt_report *r, int s)
{
    return s >= 0 && s < r->study->ff.nspecies ? r->study->ff.species[s].name : "";
}

double rpt_num(const cJSON *o, const char *k1, const char *k2, const char *k3)
{
    const char *keys[3] = {k1, k2, k3};
    for (int i = 0; i < 3 && keys[i] && o; i++)
        o = cJSON_GetObjectItemCaseSensitive(o, keys[i]);
    return o && cJSON_IsNumber(o) ? o->valuedouble : NAN;
}

double rpt_pair_num(const cJSON *o, const char *a, const char *b)
{
    char key[64];
    snprintf(key, sizeof key, "%s-%s", a, b);
    double v = rpt_num(o, key, NULL, NULL);
    if (isnan(v)) {
        snprintf(key, sizeof key, "%s-%s", b, a);
        v = rpt_num(o, key, NULL, NULL);
    }
    return v;
}

/* ---- numeric CSV ---------------------------------------------------------------------- */

static int csv_header(rpt_csv *csv, char *line)
{
    int n = 1;
    for (char *p = line; *p; p++)
        n += *p == ',';
    csv->names = calloc((size_t)n, sizeof *csv->names);
    if (!csv->names) return -1;
    csv->ncols = 0;
    for (char *tok = strtok(line, ",\r\n"); tok; tok = strtok(NULL, ",\r\n"))
        snprintf(csv->names[csv->ncols++], sizeof csv->names[0], "%s", tok);
    return csv->ncols > 0 ? 0 : -1;
}

static size_t count_rows(const char *p)
{
    size_t rows = 0;
    for (; *p; p++)
        rows += *p == '\n';
    return rows + 1;
}

int rpt_csv_read(const char *path, rpt_csv *csv)
{
    memset(csv, 0, sizeof *csv);
    char *text = rpt_slurp(path, NULL);
    if (!text) return -1;
    char *save = NULL, *line = strtok_r(text, "\n", &save);
    while (line && line[0] == '#')
        line = strtok_r(NULL, "\n", &save);
    int status = line && csv_header(csv, line) == 0 ? 0 : -1;
    size_t cap = status ? 0 : count_rows(save ? save : "");
    if (!status) csv->data = calloc((size_t)csv->ncols * (cap ? cap : 1), sizeof(double));
    if (!csv->data) status = -1;
    double *rows = status ? NULL : calloc((size_t)csv->ncols * (cap ? cap : 1), sizeof(double));
    if (!status && !rows) status = -1;
    while (!status && (line = strtok_r(NULL, "\n", &save)) && csv->nrows < cap) {
        if (line[0] == '#' || line[0] == '\r') continue;
        char *p = line;
        for (int c = 0; c < csv->ncols; c++) {
            char *end;
            rows[csv->nrows * (size_t)csv->ncols + (size_t)c] = strtod(p, &end);
            if (end == p) rows[csv->nrows * (size_t)csv->ncols + (size_t)c] = NAN;
            p = strchr(end, ',');
            if (!p) break;
            p++;
        }
        csv->nrows++;
    }
    for (size_t i = 0; !status && i < csv->nrows; i++) /* row-major -> column-major */
        for (int c = 0; c < csv->ncols; c++)
            csv->data[(size_t)c * csv->nrows + i] = rows[i * (size_t)csv->ncols + (size_t)c];
    free(rows);
    free(text);
    if (status) rpt_csv_free(csv);
    return status;
}

const double *rpt_csv_col(const rpt_csv *csv, const char *name)
{
    for (int c = 0; c < csv->ncols; c++)
        if (strcmp(csv->names[c], name) == 0) return csv->data + (size_t)c * csv->nrows;
    return NULL;
}

void rpt_csv_free(rpt_csv *csv)
{
    free(csv->names);
    free(csv->data);
    memset(csv, 0, sizeof *csv);
}

/* ---- roles --------------------------------------------------------------------------- */

static void roles_from_formulas(const gmd_forcefield *ff, rpt_roles *ro)
{
    for (int s = 0; s < ff->nspecies; s++) {
        int in_mod = ff->modifier.count[s] > 0, in_form = ff->former.count[s] > 0;
        if (in_mod && !in_form && ff->species[s].charge > 0) ro->modifier = s;
        if (in_form && !in_mod && ff->species[s].charge > 0) ro->former = s;
        if (in_form && ff->species[s].charge < 0) ro->bridge = s;
    }
}

static void roles_from_charges(const gmd_forcefield *ff, rpt_roles *ro)
{
    for (int s = 0; s < ff->nspecies; s++) {
        double q = ff->species[s].charge;
        if (q < 0 && ro->bridge < 0) ro->bridge = s;
        if (q > 0 && (ro->former < 0 || q > ff->species[ro->former].charge)) ro->former = s;
    }
    for (int s = 0; s < ff->nspecies; s++)
        if (ff->species[s].charge > 0 && s != ro->former && ro->modifier < 0) ro->modifier = s;
}

static void find_roles(rpt_report *r)
{
    const gmd_forcefield *ff = &r->study->ff;
    rpt_roles ro = {-1, -1, -1};
    if (ff->has_composition) roles_from_formulas(ff, &ro);
    if (ro.former < 0 || ro.bridge < 0 || ro.modifier < 0) {
        ro = (rpt_roles){-1, -1, -1};
        roles_from_charges(ff, &ro);
        rpt_note(r,
                 "species roles taken from the charges (the force field's [composition] "
                 "does not name them): former %s, bridging anion %s, modifier %s",
                 rpt_species(r, ro.former), rpt_species(r, ro.bridge), rpt_species(r, ro.modifier));
    }
    r->roles = ro;
}

/* x of a composition given by counts: modifier formula units over all formula units. */
static double comp_x(const rpt_report *r, const gmd_study_composition *c)
{
    const gmd_forcefield *ff = &r->study->ff;
    if (c->x >= 0) return c->x;
    int m = r->roles.modifier, f = r->roles.former;
    if (!ff->has_composition || m < 0 || f < 0 || !ff->modifier.count[m] || !ff->former.count[f])
        return NAN;
    double nmod = (double)c->counts[m] / ff->modifier.count[m];
    double nform = (double)c->counts[f] / ff->former.count[f];
    return nmod + nform > 0 ? nmod / (nmod + nform) : NAN;
}

/* ---- loading ------------------------------------------------------------------------- */

static cJSON *read_json(const char *path)
{
    char *text = rpt_slurp(path, NULL);
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    free(text);
    return j;
}

static void load_run(rpt_report *r, rpt_run *run, const char *label, const char *job, double T)
{
    char path[RPT_PATH + 64];
    snprintf(run->dir, sizeof run->dir, "%.3000s/%.32s/r1/%.64s/analysis", r->out, label, job);
    snprintf(path, sizeof path, "%s/results.json", run->dir);
    run->json = read_json(path);
    run->present = run->json != NULL;
    /* results depend on the temperature the run had, not the one it was asked for */
    run->T_set_K = T;
    run->T_K = T;
    run->T_err_K = NAN;
    double measured = rpt_num(run->json, "temperature_K", NULL, NULL);
    if (measured > 0) {
        run->T_K = measured;
        run->T_err_K = rpt_num(run->json, "temperature_err_K", NULL, NULL);
    }
    if (!run->present)
        rpt_note(r,
                 "%s/r1/%s: no analysis results (%s missing or unreadable); its points are "
                 "left out",
                 label, job, rpt_file_exists(path) ? "results.json unreadable" : "results.json");
}

static int isalnum_ascii(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static void safe_id(char *dst, size_t len, const char *src)
{
    size_t n = 0;
    for (; *src && n + 1 < len; src++)
        dst[n++] = (isalnum_ascii(*src) || *src == '-' || *src == '_' || *src == '.') ? *src : '_';
    dst[n] = '\0';
}

static void load_comp(rpt_report *r, rpt_comp *c, const gmd_study_composition *sc)
{
    const gmd_study *s = r->study;
    char job[64], path[RPT_PATH + 64];
    c->c = sc;
    c->x = comp_x(r, sc);
    safe_id(c->id, sizeof c->id, sc->label);
    for (int i = 0; i < s->nisotherms; i++) {
        snprintf(job, sizeof job, "iso-%gK", s->isotherm_K[i]);
        load_run(r, &c->iso[i], sc->label, job, s->isotherm_K[i]);
    }
    snprintf(job, sizeof job, "glass-%gK", s->glass_T_K);
    snprintf(c->glass_job, sizeof c->glass_job, "%.3000s/%.32s/r1/%.64s", r->out, sc->label, job);
    load_run(r, &c->glass, sc->label, job, s->glass_T_K);
    snprintf(path, sizeof path, "%s/%s/arrhenius/results.json", r->out, sc->label);
    c->arr_root = read_json(path);
    c->arrhenius = c->arr_root ? cJSON_GetObjectItemCaseSensitive(c->arr_root, "arrhenius") : NULL;
    if (!c->arrhenius && s->nisotherms >= 2)
        rpt_note(r, "%s: no Arrhenius results (%s); the report fits the isotherms itself",
                 sc->label, path);
}

gmd_status rpt_load(rpt_report *r, gmd_error *err)
{
    (void)err;
    find_roles(r);
    r->ncomp = r->study->ncompositions;
    for (int i = 0; i < r->ncomp; i++)
        load_comp(r, &r->comp[i], &r->study->comp[i]);
    char path[RPT_PATH + 32];
    snprintf(path, sizeof path, "%s/plan.json", r->out);
    r->plan = read_json(path);
    if (!r->plan) rpt_note(r, "%s missing or unreadable: no wall times of the jobs", path);
    if (r->study->replicas > 1)
        rpt_note(r,
                 "the study has %d replicas; the report shows replica r1 (the others' "
                 "results are in their own folders)",
                 r->study->replicas);
    return GMD_OK;
}

void rpt_free(rpt_report *r)
{
    for (int i = 0; i < r->ncomp; i++) {
        rpt_comp *c = &r->comp[i];
        for (int k = 0; k < GMD_STUDY_MAX_ISOTHERMS; k++)
            cJSON_Delete(c->iso[k].json);
        cJSON_Delete(c->glass.json);
        cJSON_Delete(c->arr_root);
    }
    cJSON_Delete(r->plan);
    for (int i = 0; i < r->nnotes; i++)
        free(r->notes[i]);
    free(r->notes);
    for (int t = 0; t < r->ntab; t++) {
        for (int i = 0; i < r->tab[t].nrows * r->tab[t].ncols; i++)
            free(r->tab[t].cells[i]);
        free(r->tab[t].cells);
        free(r->tab[t].verdict);
    }
}

/* ---- lookups ------------------------------------------------------------------------- */

const rpt_comp *rpt_comp_at(const rpt_report *r, double x, double tol)
{
    const rpt_comp *best = NULL;
    for (int i = 0; i < r->ncomp; i++)
        if (isfinite(r->comp[i].x) && fabs(r->comp[i].x - x) <= tol &&
            (!best || fabs(r->comp[i].x - x) < fabs(best->x - x)))
            best = &r->comp[i];
    return best;
}

int rpt_iso_at(const rpt_report *r, double T)
{
    for (int i = 0; i < r->study->nisotherms; i++)
        if (fabs(r->study->isotherm_K[i] - T) < 0.5) return i;
    return -1;
}

void rpt_quantity(const rpt_run *run, const char *key, double *v, double *e)
{
    *v = *e = NAN;
    if (!run->present) return;
    const cJSON *j = run->json;
    if (strncmp(key, "D_", 2) == 0) {
        *v = rpt_num(j, "diffusion_cm2_s", key + 2, "D");
        *e = rpt_num(j, "diffusion_cm2_s", key + 2, "err");
    } else if (strcmp(key, "sigma") == 0) {
        *v = rpt_num(j, "conductivity_S_cm", "einstein_helfand", "value");
        *e = rpt_num(j, "conductivity_S_cm", "einstein_helfand", "err");
    } else if (strncmp(key, "sigma_NE_", 9) == 0) {
        *v = rpt_num(j, "conductivity_S_cm", "nernst_einstein", key + 9);
        *e = rpt_num(j, "conductivity_S_cm", "nernst_einstein_err", key + 9);
    }
}

static rpt_fit own_fit(const rpt_report *r, const rpt_comp *c, const char *key)
{
    rpt_fit f = {0};
    double T[GMD_STUDY_MAX_ISOTHERMS], y[GMD_STUDY_MAX_ISOTHERMS], e[GMD_STUDY_MAX_ISOTHERMS];
    int n = 0;
    for (int i = 0; i < r->study->nisotherms; i++) {
        double v, ve;
        rpt_quantity(&c->iso[i], key, &v, &ve);
        if (!(v > 0) || !isfinite(v)) continue;
        T[n] = c->iso[i].T_K, y[n] = v, e[n++] = ve;
    }
    gmd_arrhenius_fit fit;
    gmd_error ignored;
    if (n >= 2 && gmd_arrhenius_fit_points(T, y, e, n, &fit, &ignored) == GMD_OK)
        f = (rpt_fit){1, fit.E_A_eV, fit.err_eV, fit.prefactor, fit.npoints, 1};
    return f;
}

rpt_fit rpt_arrhenius(const rpt_report *r, const rpt_comp *c, const char *key)
{
    const cJSON *o = c->arrhenius ? cJSON_GetObjectItemCaseSensitive(c->arrhenius, key) : NULL;
    if (!o) return own_fit(r, c, key);
    rpt_fit f = {1,
                 rpt_num(o, "E_A_eV", NULL, NULL),
                 rpt_num(o, "err_eV", NULL, NULL),
                 rpt_num(o, "prefactor", NULL, NULL),
                 (int)rpt_num(o, "npoints", NULL, NULL),
                 0};
    f.present = isfinite(f.E_A_eV);
    return f;
}
