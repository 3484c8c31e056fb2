/* run_input.c - reads and validates the `glassmd run` input (docs/run-input.md).
 *
 * Three passes over the entries of the key = value file (include/glassmd/kvfile.h):
 *   1. key check: every key known (else the closest is suggested), none repeated except
 *      `stage`;
 *   2. settings: each non-stage key goes through its own small setter, which converts
 *      units (values may carry fs/ps/ns, K, K/ps, A, eV/A or be bare numbers in the
 *      documented unit) and range-checks; file paths are resolved against the input's
 *      folder and must exist;
 *   3. stages, in file order: `stage = KIND name=value ...`; step counts are derived only
 *      here, because dt_fs may be given after the stages.
 * Every message is "FILE:LINE: what is wrong; how to fix it". The result is a plain value
 * (gmd_run_input) with no pointers, so the caller can copy it freely.
 *
 * Every key is one row of KEYS: name, default (as text, read by the key's own setter, so
 * a default is exactly what writing it would give), example, role (what the key decides,
 * run_input.h), presence, type and field (how the value is held and written), setter and
 * printer. The reader, the defaults, the required-key check and the canonical texts (a
 * study job's run.in, the checkpoint's run hash, a study job's inputs hash) all walk that
 * one table. */
#define _POSIX_C_SOURCE 200809L
#include "glassmd/run_input.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "glassmd/checkpoint.h"
#include "glassmd/kvfile.h"
#include "glassmd/md.h"
#include "glassmd/run_values.h"

/* Where a value came from, for messages (at.what: the key or stage parameter). */
typedef gmd_value_at where;

/* ---- numbers and units (values.h, run_values.h) --------------------------------------------- */

/* A temperature in K; negative is always an error, zero too for a thermostat target. */
static gmd_status parse_temperature(const where *at, const char *text, int thermostat, double *out)
{
    gmd_status st = gmd_parse_quantity(at, text, GMD_UNITS_K, out);
    if (st != GMD_OK) return st;
    if (*out < 0.0)
        return gmd_value_fail(at, GMD_ERR_VALUE,
                              "%s: negative temperature '%s'; temperatures are absolute, in K",
                              at->what, text);
    if (thermostat && *out == 0.0)
        return gmd_value_fail(at, GMD_ERR_VALUE,
                              "%s: a thermostat target of 0 K is not possible; give a value > 0 K",
                              at->what);
    return GMD_OK;
}

/* ---- paths ------------------------------------------------------------------------ */

/* Resolves `value` against dir (the input's folder, "" when the input has none). */
static gmd_status resolve_path(const where *at, const char *dir, const char *value, char *out)
{
    if (value[0] == '\0')
        return gmd_value_fail(at, GMD_ERR_VALUE, "%s: empty path; give a file name", at->what);
    int n = (value[0] == '/' || dir[0] == '\0') ? snprintf(out, GMD_PATH_LEN, "%s", value)
                                                : snprintf(out, GMD_PATH_LEN, "%s/%s", dir, value);
    if (n < 0 || n >= GMD_PATH_LEN)
        return gmd_value_fail(at, GMD_ERR_VALUE,
                              "%s: path too long (over %d characters); shorten it", at->what,
                              GMD_PATH_LEN - 1);
    return GMD_OK;
}

static gmd_status resolve_existing_file(const where *at, const char *dir, const char *value,
                                        char *out)
{
    gmd_status st = resolve_path(at, dir, value, out);
    if (st != GMD_OK) return st;
    struct stat sb;
    if (stat(out, &sb) != 0)
        return gmd_value_fail(
            at, GMD_ERR_IO,
            "%s file '%s' does not exist (looked for %s); fix the path (relative paths "
            "are relative to the input file's folder)",
            at->what, value, out);
    if (!S_ISREG(sb.st_mode))
        return gmd_value_fail(at, GMD_ERR_IO, "%s: '%s' is not a regular file; give a file",
                              at->what, out);
    return GMD_OK;
}

/* The folder of path ("" when it has no '/'). */
static void dir_of(const char *path, char *dir)
{
    snprintf(dir, GMD_PATH_LEN, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        dir[0] = '\0';
    else if (slash == dir)
        dir[1] = '\0'; /* "/input" lives in "/" */
    else
        *slash = '\0';
}

/* "<folder>/<input name without extension>.out". */
static void default_output_dir(const char *path, char *out)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t keep = (dot && dot != base) ? (size_t)(dot - path) : strlen(path);
    snprintf(out, GMD_PATH_LEN, "%.*s.out", (int)keep, path);
}

/* ---- settings ---------------------------------------------------------------------- */

typedef struct reader {
    gmd_run_input *in;
    char dir[GMD_PATH_LEN];
} reader;

typedef gmd_status (*setter)(reader *rd, const where *at, const char *value);

static gmd_status set_config(reader *rd, const where *at, const char *v)
{
    return resolve_existing_file(at, rd->dir, v, rd->in->config);
}

static gmd_status set_forcefield(reader *rd, const where *at, const char *v)
{
    return resolve_existing_file(at, rd->dir, v, rd->in->forcefield);
}

static gmd_status set_output_dir(reader *rd, const where *at, const char *v)
{
    return resolve_path(at, rd->dir, v, rd->in->output_dir);
}

static gmd_status set_types(reader *rd, const where *at, const char *v)
{
    if (strlen(v) >= sizeof rd->in->types)
        return gmd_value_fail(at, GMD_ERR_VALUE,
                              "types: list too long (over %zu characters); shorten it",
                              sizeof rd->in->types - 1);
    snprintf(rd->in->types, sizeof rd->in->types, "%s", v);
    return GMD_OK;
}

static gmd_status set_kspace(reader *rd, const where *at, const char *v)
{
    gmd_status st = gmd_parse_kspace_method(at, v, &rd->in->kspace);
    if (st == GMD_OK) rd->in->kspace_set = 1;
    return st;
}

static gmd_status set_accuracy(reader *rd, const where *at, const char *v)
{
    gmd_status st = gmd_parse_positive(at, v, GMD_UNITS_NONE, &rd->in->accuracy);
    if (st == GMD_OK && rd->in->accuracy >= 1.0)
        return gmd_value_fail(
            at, GMD_ERR_VALUE,
            "accuracy: %s is a relative force error and must be below 1; e.g. 1e-5", v);
    return st;
}

static gmd_status set_cutoff(reader *rd, const where *at, const char *v)
{
    return gmd_parse_positive(at, v, GMD_UNITS_A, &rd->in->cutoff);
}

static gmd_status set_threebody(reader *rd, const where *at, const char *v)
{
    return gmd_parse_threebody(at, v, &rd->in->threebody, &rd->in->taper);
}

static gmd_status set_threebody_substeps(reader *rd, const where *at, const char *v)
{
    return gmd_parse_substeps(at, v, &rd->in->threebody_substeps);
}

static gmd_status set_dt(reader *rd, const where *at, const char *v)
{
    return gmd_parse_positive(at, v, GMD_UNITS_FS, &rd->in->dt_fs);
}

static gmd_status set_seed(reader *rd, const where *at, const char *v)
{
    return gmd_parse_seed(at, v, &rd->in->seed);
}

static gmd_status set_velocity(reader *rd, const where *at, const char *v)
{
    return parse_temperature(at, v, 0, &rd->in->velocity_K);
}

static gmd_status set_tdamp(reader *rd, const where *at, const char *v)
{
    return gmd_parse_positive(at, v, GMD_UNITS_PS, &rd->in->tdamp_ps);
}

static gmd_status set_chain(reader *rd, const where *at, const char *v)
{
    return gmd_parse_chain(at, v, &rd->in->chain);
}

static gmd_status set_thermo_every(reader *rd, const where *at, const char *v)
{
    return gmd_parse_long(at, v, 1, 1000000000L, &rd->in->thermo_every);
}

static gmd_status set_traj_every(reader *rd, const where *at, const char *v)
{
    return gmd_parse_long(at, v, 0, 1000000000L, &rd->in->traj_every);
}

static gmd_status set_checkpoint_every(reader *rd, const where *at, const char *v)
{
    return gmd_parse_long(at, v, 0, 1000000000L, &rd->in->checkpoint_every);
}

static gmd_status set_threads(reader *rd, const where *at, const char *v)
{
    long x = 0;
    gmd_status st = gmd_parse_long(at, v, 0, 4096, &x);
    rd->in->threads = (int)x;
    return st;
}

static gmd_status set_traj_format(reader *rd, const where *at, const char *v)
{
    gmd_run_input *in = rd->in;
    if (strcmp(v, "netcdf") == 0)
        in->traj_netcdf = 1, in->traj_dump = 0;
    else if (strcmp(v, "dump") == 0)
        in->traj_netcdf = 0, in->traj_dump = 1;
    else if (strcmp(v, "both") == 0)
        in->traj_netcdf = 1, in->traj_dump = 1;
    else if (strcmp(v, "none") == 0)
        in->traj_netcdf = 0, in->traj_dump = 0;
    else
        return gmd_value_fail(at, GMD_ERR_VALUE,
                              "traj_format: unknown format '%s'; use netcdf, dump, both or none",
                              v);
    return GMD_OK;
}

/* ---- the key table ------------------------------------------------------------------ */

/* How a key's value is held in gmd_run_input and written. The plain types are read at
 * the key's field; a CHOICE key has its own printer. */
typedef enum value_type {
    TEXT = 0,   /* char array; not set when empty */
    NUMBER,     /* double, the shortest text that reads back exactly; a key without a
                   default is not set at <= 0 (then the force field's value is used) */
    WHOLE,      /* long */
    COUNT,      /* int */
    AUTO_COUNT, /* int, 0 written "auto" */
    CHOICE,     /* its own printer */
} value_type;

/* A CHOICE printer writes the i-th value of its key (i > 0 only for `stage`) and returns
 * 1, or returns 0 when there is none. What it writes, the key's setter reads back. */
typedef int (*printer)(const gmd_run_input *in, int i, char *out, size_t len);

typedef struct key_def {
    gmd_run_key key;
    value_type type;
    size_t field; /* offsetof the value in gmd_run_input (plain types) */
    setter set;   /* NULL for `stage`, read in its own pass */
    printer print;
} key_def;

static int print_seed(const gmd_run_input *in, int i, char *out, size_t len)
{
    snprintf(out, len, "%llu", (unsigned long long)in->seed);
    return i == 0;
}

static int print_kspace(const gmd_run_input *in, int i, char *out, size_t len)
{
    snprintf(out, len, "%s", gmd_kspace_method_word(in->kspace));
    return i == 0 && in->kspace_set;
}

static int print_threebody(const gmd_run_input *in, int i, char *out, size_t len)
{
    snprintf(out, len, "%s", gmd_threebody_word(in->threebody, in->taper));
    return i == 0;
}

static int print_traj_format(const gmd_run_input *in, int i, char *out, size_t len)
{
    const char *word =
        in->traj_netcdf ? (in->traj_dump ? "both" : "netcdf") : (in->traj_dump ? "dump" : "none");
    snprintf(out, len, "%s", word);
    return i == 0;
}

static int print_stage(const gmd_run_input *in, int i, char *out, size_t len);
#define NVT_EXAMPLE "nvt time=100ps T=2000K" /* the example of a stage */

#define TRAJECTORY GMD_RUN_KEY_TRAJECTORY
#define RESOURCE GMD_RUN_KEY_RESOURCE
#define FILE_BYTES GMD_RUN_KEY_FILE
#define PLACE GMD_RUN_KEY_PLACE
#define REQUIRED GMD_RUN_KEY_REQUIRED
#define WRITTEN GMD_RUN_KEY_WRITTEN
#define OPTIONAL GMD_RUN_KEY_OPTIONAL
#define AT(name) offsetof(gmd_run_input, name)

/* One row per key: {name, default, example, role, presence}, type, field, setter,
 * printer; in the order of the canonical text, which is the order glassmd study wrote
 * its run.in files in before this table (so that they stay the same). The examples of
 * the required keys are the ones their "missing required key" messages suggest. */
static const key_def KEYS[] = {
    {{"config", NULL, "glass.data", FILE_BYTES, REQUIRED}, TEXT, AT(config), set_config, NULL},
    {{"forcefield", NULL, "na2s-sis2.ff", FILE_BYTES, REQUIRED},
     TEXT,
     AT(forcefield),
     set_forcefield,
     NULL},
    {{"seed", NULL, "12345", TRAJECTORY, REQUIRED}, CHOICE, 0, set_seed, print_seed},
    {{"output_dir", NULL, "results/quench", PLACE, WRITTEN},
     TEXT,
     AT(output_dir),
     set_output_dir,
     NULL},
    {{"types", NULL, "Si,S,Na", TRAJECTORY, OPTIONAL}, TEXT, AT(types), set_types, NULL},
    {{"kspace", NULL, "ewald", TRAJECTORY, OPTIONAL}, CHOICE, 0, set_kspace, print_kspace},
    {{"accuracy", NULL, "1e-06", TRAJECTORY, OPTIONAL}, NUMBER, AT(accuracy), set_accuracy, NULL},
    {{"cutoff", NULL, "12", TRAJECTORY, OPTIONAL}, NUMBER, AT(cutoff), set_cutoff, NULL},
    {{"threebody", "on", "smooth", TRAJECTORY, WRITTEN}, CHOICE, 0, set_threebody, print_threebody},
    {{"dt_fs", "1", "0.5", TRAJECTORY, WRITTEN}, NUMBER, AT(dt_fs), set_dt, NULL},
    {{"thermo_every", "100", "50", TRAJECTORY, WRITTEN},
     WHOLE,
     AT(thermo_every),
     set_thermo_every,
     NULL},
    {{"threebody_substeps", "auto", "8", TRAJECTORY, OPTIONAL},
     AUTO_COUNT,
     AT(threebody_substeps),
     set_threebody_substeps,
     NULL},
    {{"chain", "auto", "3", TRAJECTORY, WRITTEN}, AUTO_COUNT, AT(chain), set_chain, NULL},
    {{"velocity_K", "0", "2000", TRAJECTORY, OPTIONAL}, NUMBER, AT(velocity_K), set_velocity, NULL},
    {{"tdamp_ps", "0.1", "0.2", TRAJECTORY, OPTIONAL}, NUMBER, AT(tdamp_ps), set_tdamp, NULL},
    {{"traj_every", "1000", "500", TRAJECTORY, WRITTEN},
     WHOLE,
     AT(traj_every),
     set_traj_every,
     NULL},
    {{"traj_format", "both", "netcdf", TRAJECTORY, WRITTEN},
     CHOICE,
     0,
     set_traj_format,
     print_traj_format},
    {{"checkpoint_every", "10000", "5000", TRAJECTORY, WRITTEN},
     WHOLE,
     AT(checkpoint_every),
     set_checkpoint_every,
     NULL},
    {{"threads", "0", "8", RESOURCE, WRITTEN}, COUNT, AT(threads), set_threads, NULL},
    {{"stage", NULL, NVT_EXAMPLE, TRAJECTORY, REQUIRED}, CHOICE, 0, NULL, print_stage},
};
#define NKEYS (sizeof KEYS / sizeof KEYS[0])

size_t gmd_run_key_count(void)
{
    return NKEYS;
}

const gmd_run_key *gmd_run_key_at(size_t i)
{
    return i < NKEYS ? &KEYS[i].key : NULL;
}

/* The i-th value of key d in canonical text; 0 when there is none (not set). */
static int print_value(const key_def *d, const gmd_run_input *in, int i, char *out, size_t len)
{
    if (d->type == CHOICE) return d->print(in, i, out, len);
    if (i > 0) return 0;
    const void *at = (const char *)in + d->field;
    switch (d->type) {
    case TEXT:
        snprintf(out, len, "%s", (const char *)at);
        return out[0] != '\0';
    case NUMBER:
        gmd_format_number(*(const double *)at, out, len);
        return d->key.fallback || *(const double *)at > 0;
    case WHOLE:
        snprintf(out, len, "%ld", *(const long *)at);
        return 1;
    case COUNT:
        snprintf(out, len, "%d", *(const int *)at);
        return 1;
    case AUTO_COUNT:
        gmd_format_auto_count(*(const int *)at, out, len);
        return 1;
    case CHOICE:
        break;
    }
    return 0;
}

/* ---- stages ------------------------------------------------------------------------ */

#define STAGE_MAX_ARGS 16
#define STAGE_TEXT_LEN 1024

typedef struct stage_args {
    char text[STAGE_TEXT_LEN]; /* the value, cut into NUL-terminated tokens */
    const char *kind;
    int n;
    const char *name[STAGE_MAX_ARGS];
    const char *value[STAGE_MAX_ARGS];
} stage_args;

static const char *const STAGE_KINDS[] = {"minimize", "nve", "nvt", "ramp", "write", NULL};
static const char *const STAGE_PARAMS[][4] = {
    {"ftol", "max_step", "max_steps", NULL}, /* minimize */
    {"time", NULL},                          /* nve */
    {"time", "T", NULL},                     /* nvt */
    {"from", "to", "rate", NULL},            /* ramp */
    {"file", NULL},                          /* write */
};
static const char *const STAGE_EXAMPLE[] = {
    "stage = minimize ftol=0.1 max_step=0.1 max_steps=5000",
    "stage = nve time=10ps",
    "stage = " NVT_EXAMPLE,
    "stage = ramp from=2000K to=300K rate=1K/ps",
    "stage = write file=T1000.data",
};

const char *gmd_stage_kind_name(gmd_stage_kind kind)
{
    return (unsigned)kind < 5 ? STAGE_KINDS[kind] : "unknown";
}

const char *gmd_stage_example(gmd_stage_kind kind)
{
    return (unsigned)kind < 5 ? STAGE_EXAMPLE[kind] : "";
}

/* Every parameter of the stage, in the documented units; derived values (nsteps of a
 * time, a ramp's time) are left out, since they follow from the others and dt_fs. */
static int print_stage(const gmd_run_input *in, int i, char *out, size_t len)
{
    if (i >= in->nstages) return 0;
    const gmd_stage *g = &in->stages[i];
    char a[32], b[32], c[32];
    switch (g->kind) {
    case GMD_STAGE_MINIMIZE:
        gmd_format_number(g->ftol_eV_A, a, sizeof a);
        gmd_format_number(g->max_step_A, b, sizeof b);
        snprintf(out, len, "minimize ftol=%s max_step=%s max_steps=%ld", a, b, g->nsteps);
        break;
    case GMD_STAGE_NVE:
        gmd_format_number(g->time_ps, a, sizeof a);
        snprintf(out, len, "nve time=%sps", a);
        break;
    case GMD_STAGE_NVT:
        gmd_format_number(g->time_ps, a, sizeof a);
        gmd_format_number(g->t_start_K, b, sizeof b);
        snprintf(out, len, "nvt time=%sps T=%sK", a, b);
        break;
    case GMD_STAGE_RAMP:
        gmd_format_number(g->t_start_K, a, sizeof a);
        gmd_format_number(g->t_end_K, b, sizeof b);
        gmd_format_number(g->rate_K_ps, c, sizeof c);
        snprintf(out, len, "ramp from=%sK to=%sK rate=%sK/ps", a, b, c);
        break;
    case GMD_STAGE_WRITE:
        snprintf(out, len, "write file=%s", g->file);
        break;
    }
    return 1;
}

static gmd_status tokenize_stage(const where *at, const char *value, stage_args *args)
{
    memset(args, 0, sizeof *args);
    if (strlen(value) >= sizeof args->text)
        return gmd_value_fail(at, GMD_ERR_VALUE, "stage: line too long; shorten it");
    strcpy(args->text, value);
    char *p = args->text;
    int ntok = 0;
    while (*p) {
        while (isspace((unsigned char)*p))
            *p++ = '\0';
        if (!*p) break;
        char *tok = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        if (ntok++ == 0) {
            args->kind = tok;
            continue;
        }
        if (args->n == STAGE_MAX_ARGS)
            return gmd_value_fail(at, GMD_ERR_VALUE,
                                  "stage: too many parameters; see docs/run-input.md");
        args->name[args->n++] = tok;
    }
    if (!args->kind)
        return gmd_value_fail(at, GMD_ERR_VALUE,
                              "stage: empty; give a kind and its parameters, e.g. '%s'",
                              STAGE_EXAMPLE[2]);
    return GMD_OK;
}

static gmd_status stage_kind_of(const where *at, const char *kind, gmd_stage_kind *out)
{
    for (int i = 0; STAGE_KINDS[i]; i++)
        if (strcmp(kind, STAGE_KINDS[i]) == 0) {
            *out = (gmd_stage_kind)i;
            return GMD_OK;
        }
    const char *guess = gmd_kv_suggest(kind, STAGE_KINDS);
    if (guess)
        return gmd_value_fail(at, GMD_ERR_VALUE,
                              "stage: unknown stage kind '%s'; did you mean '%s'?", kind, guess);
    return gmd_value_fail(at, GMD_ERR_VALUE,
                          "stage: unknown stage kind '%s'; use minimize, nve, nvt, ramp or write",
                          kind);
}

/* Splits each parameter token at '=' and checks names: known to this kind, not repeated. */
static gmd_status check_stage_params(const where *at, gmd_stage_kind kind, stage_args *args)
{
    const char *const *known = STAGE_PARAMS[kind];
    const char *kname = STAGE_KINDS[kind];
    for (int i = 0; i < args->n; i++) {
        char *tok = (char *)args->name[i];
        char *eq = strchr(tok, '=');
        if (!eq || eq == tok)
            return gmd_value_fail(
                at, GMD_ERR_VALUE,
                "stage %s: '%s' is not a name=value parameter; write it without spaces, "
                "e.g. '%s'",
                kname, tok, STAGE_EXAMPLE[kind]);
        *eq = '\0';
        args->value[i] = eq + 1;
        int found = 0;
        for (int k = 0; known[k]; k++)
            found |= strcmp(tok, known[k]) == 0;
        if (!found) {
            const char *guess = gmd_kv_suggest(tok, known);
            char hint[128];
            if (guess)
                snprintf(hint, sizeof hint, "did you mean '%s'?", guess);
            else
                snprintf(hint, sizeof hint, "e.g. '%s'", STAGE_EXAMPLE[kind]);
            return gmd_value_fail(at, GMD_ERR_VALUE, "stage %s: unknown stage parameter '%s'; %s",
                                  kname, tok, hint);
        }
        for (int j = 0; j < i; j++)
            if (strcmp(args->name[j], tok) == 0)
                return gmd_value_fail(at, GMD_ERR_VALUE,
                                      "stage %s: parameter '%s' given twice; keep only one", kname,
                                      tok);
    }
    return GMD_OK;
}

static const char *stage_arg(const stage_args *args, const char *name)
{
    for (int i = 0; i < args->n; i++)
        if (strcmp(args->name[i], name) == 0) return args->value[i];
    return NULL;
}

/* Reads one required or optional parameter through `parse`; a missing required one is an
 * error quoting the stage's example. */
typedef struct stage_ctx {
    where at; /* at.what is rewritten per parameter */
    char what[64];
    const stage_args *args;
    gmd_stage_kind kind;
} stage_ctx;

static const char *stage_value(stage_ctx *c, const char *name, int required, gmd_status *st)
{
    snprintf(c->what, sizeof c->what, "stage %s %s", STAGE_KINDS[c->kind], name);
    c->at.what = c->what;
    const char *v = stage_arg(c->args, name);
    if (!v && required)
        *st = gmd_value_fail(&c->at, GMD_ERR_VALUE, "stage %s: missing parameter '%s'; e.g. '%s'",
                             STAGE_KINDS[c->kind], name, STAGE_EXAMPLE[c->kind]);
    return v;
}

static gmd_status fill_minimize(stage_ctx *c, gmd_stage *s)
{
    gmd_status st = GMD_OK;
    s->ftol_eV_A = 0.1;
    s->max_step_A = 0.1;
    s->nsteps = 5000;
    const char *v = stage_value(c, "ftol", 0, &st);
    if (v && st == GMD_OK) st = gmd_parse_positive(&c->at, v, GMD_UNITS_EV_A, &s->ftol_eV_A);
    if (st == GMD_OK && (v = stage_value(c, "max_step", 0, &st)))
        st = gmd_parse_positive(&c->at, v, GMD_UNITS_A, &s->max_step_A);
    if (st == GMD_OK && (v = stage_value(c, "max_steps", 0, &st)))
        st = gmd_parse_long(&c->at, v, 1, 1000000000L, &s->nsteps);
    return st;
}

static gmd_status fill_time(stage_ctx *c, gmd_stage *s)
{
    gmd_status st = GMD_OK;
    const char *v = stage_value(c, "time", 1, &st);
    if (st == GMD_OK) st = gmd_parse_positive(&c->at, v, GMD_UNITS_PS, &s->time_ps);
    return st;
}

static gmd_status fill_nvt(stage_ctx *c, gmd_stage *s)
{
    gmd_status st = fill_time(c, s);
    const char *v = st == GMD_OK ? stage_value(c, "T", 1, &st) : NULL;
    if (st == GMD_OK) st = parse_temperature(&c->at, v, 1, &s->t_start_K);
    s->t_end_K = s->t_start_K;
    return st;
}

static gmd_status fill_ramp(stage_ctx *c, gmd_stage *s)
{
    gmd_status st = GMD_OK;
    const char *v = stage_value(c, "from", 1, &st);
    if (st == GMD_OK) st = parse_temperature(&c->at, v, 1, &s->t_start_K);
    if (st == GMD_OK && (v = stage_value(c, "to", 1, &st)))
        st = parse_temperature(&c->at, v, 1, &s->t_end_K);
    if (st == GMD_OK && (v = stage_value(c, "rate", 1, &st)))
        st = gmd_parse_positive(&c->at, v, GMD_UNITS_K_PS, &s->rate_K_ps);
    if (st != GMD_OK) return st;
    if (s->t_start_K == s->t_end_K)
        return gmd_value_fail(
            &c->at, GMD_ERR_VALUE,
            "stage ramp: from and to are both %g K, so the ramp takes no time; use "
            "'stage = nvt time=... T=%gK' to hold a temperature",
            s->t_start_K, s->t_start_K);
    s->time_ps = fabs(s->t_end_K - s->t_start_K) / s->rate_K_ps;
    return GMD_OK;
}

static gmd_status fill_write(stage_ctx *c, gmd_stage *s)
{
    gmd_status st = GMD_OK;
    const char *v = stage_value(c, "file", 1, &st);
    if (st != GMD_OK) return st;
    if (strlen(v) >= sizeof s->file || strchr(v, '/'))
        return gmd_value_fail(
            &c->at, GMD_ERR_VALUE,
            "stage write: file '%s' must be a plain file name (no folders, under %zu "
            "characters); it is written into output_dir",
            v, sizeof s->file);
    snprintf(s->file, sizeof s->file, "%s", v);
    return GMD_OK;
}

/* nsteps = time / dt rounded to the nearest step; shorter than one step is an error. */
static gmd_status derive_steps(const where *at, gmd_stage *s, double dt_fs)
{
    double dt_ps = dt_fs * 1e-3;
    double steps = s->time_ps / dt_ps;
    const char *kind = gmd_stage_kind_name(s->kind);
    if (steps < 1.0 - 1e-9)
        return gmd_value_fail(
            at, GMD_ERR_VALUE,
            "stage %s: its time %g ps is shorter than one time step (dt_fs = %g); give "
            "a longer time or a smaller dt_fs",
            kind, s->time_ps, dt_fs);
    if (steps > 1e15)
        return gmd_value_fail(
            at, GMD_ERR_VALUE,
            "stage %s: %g ps is %.3g steps of %g fs, more than can be run; shorten it", kind,
            s->time_ps, steps, dt_fs);
    s->nsteps = (long)llround(steps);
    return GMD_OK;
}

static gmd_status read_stage(gmd_run_input *in, const char *file, const gmd_kv_entry *e,
                             gmd_error *err)
{
    stage_ctx c = {.at = {.file = file, .line = e->line, .what = "stage", .err = err}};
    if (in->nstages == GMD_MAX_STAGES)
        return gmd_value_fail(&c.at, GMD_ERR_VALUE,
                              "stage: more than %d stages; merge some (e.g. one longer nvt stage)",
                              GMD_MAX_STAGES);
    stage_args args;
    gmd_status st = tokenize_stage(&c.at, e->value, &args);
    if (st == GMD_OK) st = stage_kind_of(&c.at, args.kind, &c.kind);
    if (st == GMD_OK) st = check_stage_params(&c.at, c.kind, &args);
    if (st != GMD_OK) return st;
    c.args = &args;
    gmd_stage *s = &in->stages[in->nstages];
    memset(s, 0, sizeof *s);
    s->kind = c.kind;
    s->line = e->line;
    switch (c.kind) {
    case GMD_STAGE_MINIMIZE:
        st = fill_minimize(&c, s);
        break;
    case GMD_STAGE_NVE:
        st = fill_time(&c, s);
        break;
    case GMD_STAGE_NVT:
        st = fill_nvt(&c, s);
        break;
    case GMD_STAGE_RAMP:
        st = fill_ramp(&c, s);
        break;
    case GMD_STAGE_WRITE:
        st = fill_write(&c, s);
        break;
    }
    if (st == GMD_OK && c.kind != GMD_STAGE_MINIMIZE && c.kind != GMD_STAGE_WRITE)
        st = derive_steps(&c.at, s, in->dt_fs);
    if (st == GMD_OK) in->nstages++;
    return st;
}

/* ---- the whole file ---------------------------------------------------------------- */

static gmd_status check_keys(const gmd_kv_file *kv, gmd_error *err)
{
    const char *known[NKEYS + 1];
    for (size_t i = 0; i < NKEYS; i++)
        known[i] = KEYS[i].key.name;
    known[NKEYS] = NULL;
    static const char *const repeatable[] = {"stage", NULL};
    return gmd_kv_check_keys(kv, known, repeatable, err);
}

static gmd_status apply_settings(reader *rd, const gmd_kv_file *kv, gmd_error *err)
{
    for (size_t i = 0; i < kv->n; i++) {
        const gmd_kv_entry *e = &kv->entries[i];
        for (size_t k = 0; k < NKEYS; k++) {
            if (strcmp(e->key, KEYS[k].key.name) != 0 || !KEYS[k].set) continue;
            where at = {.file = kv->name, .line = e->line, .what = e->key, .err = err};
            if (e->value[0] == '\0')
                return gmd_value_fail(&at, GMD_ERR_VALUE, "'%s' has no value; write %s = VALUE",
                                      e->key, e->key);
            gmd_status st = KEYS[k].set(rd, &at, e->value);
            if (st != GMD_OK) return st;
        }
    }
    return GMD_OK;
}

static gmd_status check_required(const gmd_kv_file *kv, gmd_error *err)
{
    for (size_t k = 0; k < NKEYS; k++) {
        const gmd_run_key *key = &KEYS[k].key;
        if (key->presence != REQUIRED || gmd_kv_find(kv, key->name)) continue;
        return gmd_fail(err, GMD_ERR_VALUE,
                        "%s: missing required key '%s'; add a line such as '%s = %s'", kv->name,
                        key->name, key->name, key->example);
    }
    return GMD_OK;
}

static gmd_status read_entries(gmd_run_input *in, const gmd_kv_file *kv, gmd_error *err)
{
    reader rd = {.in = in};
    dir_of(in->path, rd.dir);
    default_output_dir(in->path, in->output_dir);
    gmd_status st = check_keys(kv, err);
    if (st == GMD_OK) st = apply_settings(&rd, kv, err);
    if (st == GMD_OK) st = check_required(kv, err);
    for (size_t i = 0; st == GMD_OK && i < kv->n; i++)
        if (strcmp(kv->entries[i].key, "stage") == 0)
            st = read_stage(in, kv->name, &kv->entries[i], err);
    return st;
}

/* The defaults are the table's: each key's default text through its own setter. */
gmd_status gmd_run_input_defaults(gmd_run_input *in, gmd_error *err)
{
    memset(in, 0, sizeof *in);
    reader rd = {.in = in}; /* dir "": no default is a path */
    for (size_t k = 0; k < NKEYS; k++) {
        const key_def *d = &KEYS[k];
        if (!d->set || !d->key.fallback) continue;
        where at = {.file = "the run input defaults", .what = d->key.name, .err = err};
        gmd_status st = d->set(&rd, &at, d->key.fallback);
        if (st != GMD_OK) return st;
    }
    return GMD_OK;
}

gmd_status gmd_run_input_read(gmd_run_input *in, const char *path, gmd_error *err)
{
    gmd_status st = gmd_run_input_defaults(in, err);
    if (st != GMD_OK) return st;
    if (strlen(path) >= sizeof in->path)
        return gmd_fail(err, GMD_ERR_VALUE, "%s: input path too long; shorten it", path);
    strcpy(in->path, path);
    gmd_kv_file kv;
    st = gmd_kv_read(&kv, path, err);
    if (st != GMD_OK) return st;
    st = read_entries(in, &kv, err);
    gmd_kv_free(&kv);
    return st;
}

/* ---- the canonical texts ------------------------------------------------------------ */

static int key_in_text(gmd_run_key_role role, gmd_run_text which)
{
    switch (which) {
    case GMD_RUN_TEXT_INPUT:
        return 1;
    case GMD_RUN_TEXT_CHECKPOINT:
        return role == GMD_RUN_KEY_TRAJECTORY;
    case GMD_RUN_TEXT_JOB:
        return role == GMD_RUN_KEY_TRAJECTORY || role == GMD_RUN_KEY_RESOURCE;
    }
    return 0;
}

/* A value line long enough for any path or stage. */
#define VALUE_LEN (2 * GMD_PATH_LEN)

static void write_key(const gmd_run_input *in, const key_def *d, FILE *f)
{
    char value[VALUE_LEN];
    for (int i = 0; print_value(d, in, i, value, sizeof value); i++) {
        int at_default = d->key.fallback && strcmp(value, d->key.fallback) == 0;
        if (d->key.presence == OPTIONAL && at_default) continue;
        fprintf(f, "%s = %s\n", d->key.name, value);
    }
}

gmd_status gmd_run_input_write(const gmd_run_input *in, gmd_run_text which, FILE *f,
                               const char *name, gmd_error *err)
{
    for (size_t k = 0; k < NKEYS; k++)
        if (key_in_text(KEYS[k].key.role, which)) write_key(in, &KEYS[k], f);
    if (ferror(f)) return gmd_fail(err, GMD_ERR_IO, "%s: cannot write the run input", name);
    return GMD_OK;
}

char *gmd_run_input_text(const gmd_run_input *in, gmd_run_text which, gmd_error *err)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        gmd_fail(err, GMD_ERR_NOMEM, "out of memory for the text of a run input");
        return NULL;
    }
    gmd_status st = gmd_run_input_write(in, which, f, "(memory)", err);
    if (fclose(f) != 0 && st == GMD_OK)
        st = gmd_fail(err, GMD_ERR_NOMEM, "out of memory for the text of a run input");
    if (st != GMD_OK) {
        free(text);
        return NULL;
    }
    return text;
}

gmd_status gmd_run_input_hash(const gmd_run_input *in, gmd_run_text which, unsigned long long *hash,
                              gmd_error *err)
{
    uint64_t h = GMD_FNV1A64_INIT;
    char path[VALUE_LEN];
    for (size_t k = 0; k < NKEYS; k++)
        if (KEYS[k].key.role == GMD_RUN_KEY_FILE && print_value(&KEYS[k], in, 0, path, sizeof path))
            h = gmd_fnv1a64_file(path, h, NULL); /* unreadable: the read reports it */
    char *text = gmd_run_input_text(in, which, err);
    if (!text) return GMD_ERR_NOMEM;
    *hash = gmd_fnv1a64(text, strlen(text), h);
    free(text);
    return GMD_OK;
}
