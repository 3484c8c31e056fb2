/* study_input.c - the study file of `glassmd study` (docs/study.md): key = value lines read
 * with the generic kvfile reader, checked key by key, then as a whole.
 *
 * Everything that could stop a study half-way is checked here, before any job runs: every
 * key is known (else the closest is suggested), numbers carry valid units, temperatures
 * are ordered and inside [glass_T, melt_T], every composition is a whole number of formula
 * units and neutral with the force field's charges, the cut-off fits in every box (it must
 * be less than half the box length), and every named file exists. Each error names the
 * file, the line and the fix. Paths are resolved against the study file's folder. */
#define _POSIX_C_SOURCE 200809L
#include "glassmd/study.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "glassmd/build.h"
#include "glassmd/term_registry.h"
#include "glassmd/kvfile.h"

#include "glassmd/run_values.h"

static const char *const KNOWN_KEYS[] = {"forcefield",
                                         "compositions",
                                         "counts",
                                         "atoms",
                                         "density",
                                         "replicas",
                                         "seed",
                                         "melt_T",
                                         "melt_time",
                                         "quench_rate",
                                         "isotherms",
                                         "isotherm_equil",
                                         "isotherm_time",
                                         "glass_T",
                                         "glass_time",
                                         "kspace",
                                         "accuracy",
                                         "cutoff",
                                         "threebody",
                                         "threebody_substeps",
                                         "dt_fs",
                                         "traj_every",
                                         "threads_per_job",
                                         "jobs",
                                         "exp_sq",
                                         "msd_fit",
                                         "output_dir",
                                         "checkpoint_every",
                                         "traj_format",
                                         "chain",
                                         "pressure",
                                         NULL};
static const char *const REPEATABLE[] = {"counts", NULL};

const char *const *gmd_study_keys(void)
{
    return KNOWN_KEYS;
}

#define MAX_LIST 64

/* Where a value came from, for messages (at.what: the key). */
typedef gmd_value_at where;

/* ---- numbers with units (values.h, run_values.h) ------------------------------------------ */

/* A comma-separated list of quantities. */
static gmd_status parse_list(const where *at, const char *text, const gmd_unit_def *units,
                             double *out, int max, int *n)
{
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", text);
    *n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char)*tok))
            tok++;
        size_t len = strlen(tok);
        while (len > 0 && isspace((unsigned char)tok[len - 1]))
            tok[--len] = '\0';
        if (*n >= max)
            return gmd_value_fail(at, GMD_ERR_VALUE, "%s: more than %d values; give at most %d",
                                  at->what, max, max);
        gmd_status st = gmd_parse_quantity(at, tok, units, &out[*n]);
        if (st != GMD_OK) return st;
        (*n)++;
    }
    if (*n == 0)
        return gmd_value_fail(at, GMD_ERR_VALUE, "%s: empty list; give comma-separated values",
                              at->what);
    return GMD_OK;
}

/* ---- paths ----------------------------------------------------------------------------- */

static void resolve_path(const char *study_path, const char *rel, char *out, size_t len)
{
    if (rel[0] == '/') {
        snprintf(out, len, "%s", rel);
        return;
    }
    const char *slash = strrchr(study_path, '/');
    if (!slash) {
        snprintf(out, len, "%s", rel);
        return;
    }
    snprintf(out, len, "%.*s/%s", (int)(slash - study_path), study_path, rel);
}

static gmd_status existing_file(const where *at, const char *study_path, const char *rel, char *out,
                                size_t len)
{
    resolve_path(study_path, rel, out, len);
    struct stat sb;
    if (stat(out, &sb) != 0 || !S_ISREG(sb.st_mode))
        return gmd_value_fail(
            at, GMD_ERR_IO,
            "%s file '%s' does not exist (looked for %s); fix the path (relative to the "
            "study file's folder)",
            at->what, rel, out);
    return GMD_OK;
}

/* ---- defaults (SPEC section 4) ------------------------------------------------------ */

static void set_defaults(gmd_study *s)
{
    memset(s, 0, sizeof *s);
    s->natoms = 3000;
    s->replicas = 1;
    s->seed = 1;
    s->melt_T_K = 2000.0;
    s->melt_time_ps = 100.0;
    s->quench_rate_K_ps = 1.0;
    static const double iso[] = {2000, 1750, 1500, 1250, 1000, 750, 500, 300};
    s->nisotherms = (int)(sizeof iso / sizeof iso[0]);
    memcpy(s->isotherm_K, iso, sizeof iso);
    s->isotherm_equil_ps = 50.0;
    s->isotherm_time_ps = 500.0;
    s->glass_T_K = 300.0;
    s->glass_time_ps = 10000.0;
    s->threebody = 1;
    s->taper = -1;
    s->dt_fs = 1.0;
    s->traj_every = 100;
    s->threads_per_job = 1;
    s->checkpoint_every = 10000;
}

/* ---- one key at a time -------------------------------------------------------------- */

typedef struct pending {
    double x[MAX_LIST];
    int nx, x_line;
    double density[MAX_LIST];
    int ndensity, density_line;
    int atoms_line, cutoff_line, iso_line, glass_line, melt_line;
} pending;

static gmd_status parse_msd_fit(const where *at, const char *v, gmd_study *s)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", v);
    char *colon = strchr(buf, ':');
    if (!colon)
        return gmd_value_fail(at, GMD_ERR_VALUE,
                              "msd_fit: '%s' is not T0:T1; write e.g. msd_fit = 10:100", v);
    *colon = '\0';
    gmd_status st = gmd_parse_quantity(at, buf, GMD_UNITS_PS, &s->msd_fit_t0_ps);
    if (st == GMD_OK) st = gmd_parse_quantity(at, colon + 1, GMD_UNITS_PS, &s->msd_fit_t1_ps);
    if (st == GMD_OK && !(s->msd_fit_t0_ps >= 0 && s->msd_fit_t1_ps > s->msd_fit_t0_ps))
        return gmd_value_fail(at, GMD_ERR_VALUE, "msd_fit: '%s' needs 0 <= T0 < T1 (ps)", v);
    return st;
}

static gmd_status parse_counts(const where *at, const char *v, gmd_study *s)
{
    if (s->ncompositions >= GMD_STUDY_MAX_COMPOSITIONS)
        return gmd_value_fail(at, GMD_ERR_VALUE, "more than %d compositions; split the study",
                              GMD_STUDY_MAX_COMPOSITIONS);
    gmd_study_composition *c = &s->comp[s->ncompositions];
    gmd_error e;
    if (gmd_counts_parse(&s->ff, v, c->counts, &e) != GMD_OK)
        return gmd_value_fail(at, GMD_ERR_VALUE, "counts: %s", e.message);
    if (gmd_forcefield_check_neutral(&s->ff, c->counts, &e) != GMD_OK)
        return gmd_value_fail(at, GMD_ERR_VALUE,
                              "counts '%s' is not neutral with the charges of %s (%s)", v,
                              s->forcefield, e.message);
    c->x = -1.0;
    s->ncompositions++;
    snprintf(c->label, sizeof c->label, "counts%d", s->ncompositions);
    return GMD_OK;
}

/* pressure: the barostat's target, in bar unless a unit says otherwise (kbar, GPa, MPa,
 * atm: as the P of a run input's npt stage). A melt under tension cavitates, and above
 * 100 GPa the force field is far outside what it was fitted to: both are refused. */
static gmd_status parse_pressure(const where *at, const char *v, gmd_study *s)
{
    gmd_status st = gmd_parse_quantity(at, v, GMD_UNITS_BAR, &s->pressure_bar);
    if (st != GMD_OK) return st;
    if (!(s->pressure_bar >= 0.0 && s->pressure_bar <= 1e6))
        return gmd_value_fail(at, GMD_ERR_VALUE,
                              "pressure: %g bar is outside 0 .. 1e6 bar (100 GPa); give the "
                              "pressure of interest, e.g. 'pressure = 1 bar' or 'pressure = 50 "
                              "kbar', or drop the key to keep the fixed density",
                              s->pressure_bar);
    s->pressure_set = 1;
    return GMD_OK;
}

static gmd_status parse_key(const where *at, const char *k, const char *v, gmd_study *s, pending *p)
{
    long n = 0;
    gmd_status st = GMD_OK;
    if (!strcmp(k, "compositions")) {
        p->x_line = at->line;
        st = parse_list(at, v, GMD_UNITS_NONE, p->x, GMD_STUDY_MAX_COMPOSITIONS, &p->nx);
        for (int i = 0; st == GMD_OK && i < p->nx; i++)
            if (!(p->x[i] >= 0.0 && p->x[i] <= 1.0))
                return gmd_value_fail(
                    at, GMD_ERR_VALUE,
                    "compositions: x = %g is outside [0, 1]; x is the modifier fraction", p->x[i]);
    } else if (!strcmp(k, "counts")) {
        st = parse_counts(at, v, s);
    } else if (!strcmp(k, "atoms")) {
        p->atoms_line = at->line;
        st = gmd_parse_long(at, v, 2, 100000000, &s->natoms);
    } else if (!strcmp(k, "density")) {
        p->density_line = at->line;
        st = parse_list(at, v, GMD_UNITS_NONE, p->density, MAX_LIST, &p->ndensity);
        for (int i = 0; st == GMD_OK && i < p->ndensity; i++)
            if (!(p->density[i] > 0.0 && p->density[i] < 1.0))
                return gmd_value_fail(
                    at, GMD_ERR_VALUE,
                    "density: %g atoms/A^3 is implausible; give a number density such as "
                    "0.043",
                    p->density[i]);
    } else if (!strcmp(k, "replicas")) {
        st = gmd_parse_long(at, v, 1, 64, &n);
        s->replicas = (int)n;
    } else if (!strcmp(k, "seed")) {
        st = gmd_parse_seed(at, v, &s->seed);
    } else if (!strcmp(k, "melt_T")) {
        p->melt_line = at->line;
        st = gmd_parse_positive(at, v, GMD_UNITS_K, &s->melt_T_K);
    } else if (!strcmp(k, "melt_time")) {
        st = gmd_parse_positive(at, v, GMD_UNITS_PS, &s->melt_time_ps);
    } else if (!strcmp(k, "quench_rate")) {
        st = gmd_parse_positive(at, v, GMD_UNITS_K_PS, &s->quench_rate_K_ps);
    } else if (!strcmp(k, "isotherms")) {
        p->iso_line = at->line;
        st = parse_list(at, v, GMD_UNITS_K, s->isotherm_K, GMD_STUDY_MAX_ISOTHERMS, &s->nisotherms);
    } else if (!strcmp(k, "isotherm_equil")) {
        st = gmd_parse_positive(at, v, GMD_UNITS_PS, &s->isotherm_equil_ps);
    } else if (!strcmp(k, "isotherm_time")) {
        st = gmd_parse_positive(at, v, GMD_UNITS_PS, &s->isotherm_time_ps);
    } else if (!strcmp(k, "glass_T")) {
        p->glass_line = at->line;
        st = gmd_parse_positive(at, v, GMD_UNITS_K, &s->glass_T_K);
    } else if (!strcmp(k, "glass_time")) {
        st = gmd_parse_positive(at, v, GMD_UNITS_PS, &s->glass_time_ps);
    } else if (!strcmp(k, "kspace")) {
        s->kspace_set = 1;
        st = gmd_parse_kspace_method(at, v, &s->kspace);
    } else if (!strcmp(k, "accuracy")) {
        st = gmd_parse_positive(at, v, GMD_UNITS_NONE, &s->accuracy);
        if (st == GMD_OK && s->accuracy >= 1.0)
            return gmd_value_fail(at, GMD_ERR_VALUE,
                                  "accuracy: give a relative accuracy < 1, e.g. 1e-5");
    } else if (!strcmp(k, "cutoff")) {
        p->cutoff_line = at->line;
        st = gmd_parse_positive(at, v, GMD_UNITS_A, &s->cutoff);
    } else if (!strcmp(k, "threebody")) {
        st = gmd_parse_threebody(at, v, &s->threebody, &s->taper);
    } else if (!strcmp(k, "threebody_substeps")) {
        st = gmd_parse_substeps(at, v, &s->threebody_substeps);
    } else if (!strcmp(k, "chain")) {
        st = gmd_parse_chain(at, v, &s->chain);
    } else if (!strcmp(k, "dt_fs")) {
        st = gmd_parse_positive(at, v, GMD_UNITS_FS, &s->dt_fs);
    } else if (!strcmp(k, "traj_every")) {
        st = gmd_parse_long(at, v, 1, LONG_MAX, &s->traj_every);
    } else if (!strcmp(k, "traj_format")) {
        if (strcmp(v, "netcdf") && strcmp(v, "dump"))
            return gmd_value_fail(at, GMD_ERR_VALUE, "traj_format: '%s' is not netcdf or dump", v);
        s->traj_dump = !strcmp(v, "dump");
    } else if (!strcmp(k, "checkpoint_every")) {
        st = gmd_parse_long(at, v, 1, LONG_MAX, &s->checkpoint_every);
    } else if (!strcmp(k, "threads_per_job")) {
        st = gmd_parse_long(at, v, 1, 1024, &n);
        s->threads_per_job = (int)n;
    } else if (!strcmp(k, "jobs")) {
        st = gmd_parse_long(at, v, 0, 4096, &n);
        s->jobs = (int)n;
    } else if (!strcmp(k, "exp_sq")) {
        st = existing_file(at, s->path, v, s->exp_sq, sizeof s->exp_sq);
    } else if (!strcmp(k, "msd_fit")) {
        st = parse_msd_fit(at, v, s);
    } else if (!strcmp(k, "pressure")) {
        st = parse_pressure(at, v, s);
    } else if (!strcmp(k, "output_dir")) {
        resolve_path(s->path, v, s->output_dir, sizeof s->output_dir);
    }
    return st;
}

/* ---- whole-file checks ----------------------------------------------------------------- */

static gmd_status add_x_compositions(gmd_study *s, const pending *p, const where *file_at)
{
    /* x compositions come first, then the counts ones, in the order written */
    int ncounts = s->ncompositions;
    if (p->nx + ncounts > GMD_STUDY_MAX_COMPOSITIONS)
        return gmd_value_fail(file_at, GMD_ERR_VALUE, "more than %d compositions; split the study",
                              GMD_STUDY_MAX_COMPOSITIONS);
    memmove(&s->comp[p->nx], &s->comp[0], (size_t)ncounts * sizeof s->comp[0]);
    for (int i = 0; i < p->nx; i++) {
        gmd_study_composition *c = &s->comp[i];
        memset(c, 0, sizeof *c);
        c->x = p->x[i];
        snprintf(c->label, sizeof c->label, "x%.2f", c->x);
        if (fabs(round(c->x * 100) - c->x * 100) > 1e-9)
            snprintf(c->label, sizeof c->label, "x%.4g", c->x);
        gmd_error e;
        where at = {file_at->file, p->atoms_line ? p->atoms_line : p->x_line, "atoms",
                    file_at->err};
        if (!s->ff.has_composition)
            return gmd_value_fail(
                &at, GMD_ERR_VALUE,
                "compositions: the force field %s has no [composition] section; give "
                "the compositions as counts = Si=..,S=..,Na=..",
                s->forcefield);
        if (gmd_composition_counts(&s->ff, c->x, s->natoms, c->counts, &e) != GMD_OK)
            return gmd_value_fail(&at, GMD_ERR_VALUE, "composition x = %g: %s", c->x, e.message);
    }
    s->ncompositions += p->nx;
    for (int i = 0; i < s->ncompositions; i++)
        for (int j = 0; j < i; j++)
            if (!strcmp(s->comp[i].label, s->comp[j].label)) {
                where at = {file_at->file, p->x_line, "compositions", file_at->err};
                return gmd_value_fail(&at, GMD_ERR_VALUE,
                                      "compositions: %s is given twice; list each composition once",
                                      s->comp[i].label);
            }
    return GMD_OK;
}

static gmd_status assign_densities(gmd_study *s, const pending *p, const where *file_at)
{
    where at = {file_at->file, p->density_line, "density", file_at->err};
    if (p->ndensity > 1 && p->ndensity != s->ncompositions)
        return gmd_value_fail(&at, GMD_ERR_VALUE,
                              "density: %d values for %d compositions; give one value, or one per "
                              "composition in the order x compositions then counts",
                              p->ndensity, s->ncompositions);
    for (int i = 0; i < s->ncompositions; i++)
        s->comp[i].density = p->ndensity == 0   ? 0.0430
                             : p->ndensity == 1 ? p->density[0]
                                                : p->density[i];
    return GMD_OK;
}

static gmd_status check_temperatures(const gmd_study *s, const pending *p, const where *file_at)
{
    where at = {file_at->file, p->iso_line, "isotherms", file_at->err};
    if (!(s->glass_T_K <= s->melt_T_K)) {
        where g = {file_at->file, p->glass_line ? p->glass_line : p->melt_line, "glass_T",
                   file_at->err};
        return gmd_value_fail(&g, GMD_ERR_VALUE,
                              "glass_T = %g K is above melt_T = %g K; the quench cools",
                              s->glass_T_K, s->melt_T_K);
    }
    for (int i = 0; i < s->nisotherms; i++) {
        double T = s->isotherm_K[i];
        if (i > 0 && !(T < s->isotherm_K[i - 1]))
            return gmd_value_fail(
                &at, GMD_ERR_VALUE,
                "isotherms: %g K follows %g K; list the temperatures once each in "
                "descending order (they are taken from the quench as it cools)",
                T, s->isotherm_K[i - 1]);
        if (T > s->melt_T_K || T < s->glass_T_K)
            return gmd_value_fail(
                &at, GMD_ERR_VALUE,
                "isotherms: %g K is outside the quench from melt_T = %g K to glass_T = "
                "%g K; give isotherms between the two",
                T, s->melt_T_K, s->glass_T_K);
    }
    return GMD_OK;
}

/* The real-space cut-off plus the neighbour-list skin (1 A) must be less than half of
 * every box (minimum image). */
static gmd_status check_boxes(const gmd_study *s, const pending *p, const where *file_at)
{
    const double skin = 1.0;
    double rc = s->cutoff > 0 ? s->cutoff : s->ff.cutoff;
    for (int i = 0; i < s->ncompositions; i++) {
        long n = 0;
        for (int k = 0; k < s->ff.nspecies; k++)
            n += s->comp[i].counts[k];
        double L = cbrt((double)n / s->comp[i].density);
        if (rc + skin >= 0.5 * L) {
            where at = {file_at->file, p->cutoff_line ? p->cutoff_line : p->atoms_line, "cutoff",
                        file_at->err};
            return gmd_value_fail(
                &at, GMD_ERR_VALUE,
                "the cut-off %g A plus the neighbour skin (%g A) is not less than half the "
                "box (%.2f A) of %s (%ld atoms at %g atoms/A^3); set cutoff below %.2f A "
                "or use more atoms",
                rc, skin, 0.5 * L, s->comp[i].label, n, s->comp[i].density, 0.5 * L - skin);
        }
    }
    return GMD_OK;
}

/* Jobs run in other folders (and on other ranks): every path they use is absolute. */
static void make_absolute(char *path, size_t len)
{
    if (path[0] == '\0' || path[0] == '/') return;
    char cwd[GMD_PATH_LEN], rel[GMD_PATH_LEN];
    if (!getcwd(cwd, sizeof cwd)) return;
    memcpy(rel, path, sizeof rel);
    const char *r = strncmp(rel, "./", 2) ? rel : rel + 2;
    size_t n = strlen(cwd);
    if (n + 1 + strlen(r) < len) {
        memcpy(path, cwd, n);
        path[n] = '/';
        memcpy(path + n + 1, r, strlen(r) + 1);
    }
}

static void study_name(gmd_study *s)
{
    const char *base = strrchr(s->path, '/');
    base = base ? base + 1 : s->path;
    size_t n = strlen(base) < sizeof s->name - 1 ? strlen(base) : sizeof s->name - 1;
    memcpy(s->name, base, n);
    s->name[n] = '\0';
    char *dot = strrchr(s->name, '.');
    if (dot && dot != s->name) *dot = '\0';
}

static gmd_status check_all(gmd_study *s, const pending *p, const where *file_at)
{
    if (s->ncompositions == 0 && p->nx == 0)
        return gmd_value_fail(file_at, GMD_ERR_VALUE,
                              "no composition; add a line such as 'compositions = 0.5, 0.6' or "
                              "'counts = Si=500,S=1500,Na=1000'");
    gmd_status st = add_x_compositions(s, p, file_at);
    if (st == GMD_OK) st = assign_densities(s, p, file_at);
    if (st == GMD_OK) st = check_temperatures(s, p, file_at);
    if (st == GMD_OK) st = check_boxes(s, p, file_at);
    if (st != GMD_OK) return st;
    if (s->output_dir[0] == '\0') {
        char rel[300];
        snprintf(rel, sizeof rel, "%s.study", s->name);
        resolve_path(s->path, rel, s->output_dir, sizeof s->output_dir);
    }
    make_absolute(s->output_dir, sizeof s->output_dir);
    make_absolute(s->forcefield, sizeof s->forcefield);
    make_absolute(s->exp_sq, sizeof s->exp_sq);
    return GMD_OK;
}

gmd_status gmd_study_read(gmd_study *study, const char *path, gmd_error *err)
{
    set_defaults(study);
    snprintf(study->path, sizeof study->path, "%s", path);
    study_name(study);
    gmd_kv_file kv;
    gmd_status st = gmd_kv_read(&kv, path, err);
    if (st != GMD_OK) return st;
    where file_at = {path, 0, "", err};
    st = gmd_kv_check_keys(&kv, KNOWN_KEYS, REPEATABLE, err);
    const gmd_kv_entry *ffe = gmd_kv_find(&kv, "forcefield");
    if (st == GMD_OK && !ffe)
        st = gmd_value_fail(&file_at, GMD_ERR_VALUE,
                            "missing required key 'forcefield'; add a line such as 'forcefield = "
                            "na2s-sis2.ff'");
    if (st == GMD_OK) { /* the force field first: counts and neutrality need it */
        where at = {path, ffe->line, "forcefield", err};
        st = existing_file(&at, path, ffe->value, study->forcefield, sizeof study->forcefield);
        gmd_error e;
        gmd_term_registry builtin = gmd_term_registry_builtin();
        if (st == GMD_OK && (gmd_forcefield_read(&study->ff, study->forcefield, &e) != GMD_OK ||
                             gmd_term_registry_check_sections(&builtin, &study->ff, &e) != GMD_OK))
            st = gmd_value_fail(&at, GMD_ERR_PARSE, "forcefield: %s", e.message);
    }
    pending p;
    memset(&p, 0, sizeof p);
    for (size_t i = 0; st == GMD_OK && i < kv.n; i++) {
        const gmd_kv_entry *e = &kv.entries[i];
        if (!strcmp(e->key, "forcefield")) continue;
        where at = {path, e->line, e->key, err};
        st = parse_key(&at, e->key, e->value, study, &p);
    }
    if (st == GMD_OK) st = check_all(study, &p, &file_at);
    gmd_kv_free(&kv);
    return st;
}
