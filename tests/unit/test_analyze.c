/* test_analyze.c - the analysis driver (gmd_analyze, include/glassmd/analyze.h) called
 * directly, as a program linked to libglassmd would.
 *
 * The trajectory is written by the test with the library's own dump writer: a rock-salt
 * crystal of 6 x 6 x 6 sites 2.3 A apart, the anion sites S, the cation sites Si and Na
 * in alternate (001) layers (Si 54, S 108, Na 54), each frame shaken by at most 0.05 A
 * per coordinate. Every cation then has its 6 anions at 2.3 +- 0.18 A, inside both
 * coordination cut-offs (Si-S 2.7, Na-S 3.5 A), and the next anions at 3.98 - 0.18 A,
 * outside both; so the coordination numbers are exact: Si-S = Na-S = 6 and, counting
 * the same bonds from the other end, S-Si = S-Na = 6 * 54 / 108 = 3. With skip 2 the six
 * frames give three analysed frames.
 *
 * Also: the default set of analyses without a temperature (sigma left out, its reason in
 * results.json), the warning about figures without gnuplot, progress events, and bad
 * input (a missing file, bad options), which must come back as an error with a message. */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "glassmd/analyze.h"
#include "glassmd/rng.h"
#include "glassmd/trajectory.h"
#include "testutil.h"

#define SIDE 6
#define NATOMS (SIDE * SIDE * SIDE)
#define SPACING_A 2.3
#define NFRAMES 6
#define SHAKE_A 0.05
#define PATH_LEN 512

enum { SI = 0, S = 1, NA = 2 }; /* species order of tu_reference_ff */

typedef struct fixture {
    char dir[256];
    char traj[PATH_LEN];
    char ff[PATH_LEN];
} fixture;

static const char *in_dir(const fixture *fx, const char *name, char *buf)
{
    snprintf(buf, PATH_LEN, "%s/%s", fx->dir, name);
    return buf;
}

/* ---- the crystal trajectory ---------------------------------------------------------- */

static int site_species(int i, int j, int k)
{
    if ((i + j + k) % 2) return S;
    return k % 2 ? NA : SI;
}

static void place_sites(const gmd_forcefield *ff, gmd_atoms *atoms)
{
    size_t n = 0;
    for (int i = 0; i < SIDE; i++)
        for (int j = 0; j < SIDE; j++)
            for (int k = 0; k < SIDE; k++, n++) {
                atoms->type[n] = site_species(i, j, k);
                atoms->charge[n] = ff->species[atoms->type[n]].charge;
                atoms->id[n] = (long)n + 1;
                atoms->r[0][n] = (i + 0.5) * SPACING_A;
                atoms->r[1][n] = (j + 0.5) * SPACING_A;
                atoms->r[2][n] = (k + 0.5) * SPACING_A;
            }
}

/* Frame f: the sites shaken by up to SHAKE_A per coordinate (positions stay in the box). */
static void shake(const gmd_atoms *sites, gmd_atoms *frame, gmd_rng *rng)
{
    for (size_t n = 0; n < sites->n; n++)
        for (int c = 0; c < 3; c++)
            frame->r[c][n] = sites->r[c][n] + SHAKE_A * (2.0 * gmd_rng_uniform(rng) - 1.0);
}

static void write_crystal(const fixture *fx)
{
    gmd_forcefield ff;
    tu_reference_ff(&ff);
    gmd_box box = {.lo = {0, 0, 0}, .len = {SIDE * SPACING_A, SIDE * SPACING_A, SIDE * SPACING_A}};
    gmd_atoms sites, frame;
    gmd_error err;
    memset(&sites, 0, sizeof sites);
    memset(&frame, 0, sizeof frame);
    if (gmd_atoms_init(&sites, NATOMS, &err) || gmd_atoms_init(&frame, NATOMS, &err))
        fail_msg("%s", err.message);
    place_sites(&ff, &sites);
    memcpy(frame.type, sites.type, NATOMS * sizeof *frame.type);
    memcpy(frame.id, sites.id, NATOMS * sizeof *frame.id);
    memcpy(frame.charge, sites.charge, NATOMS * sizeof *frame.charge);
    gmd_rng rng;
    gmd_rng_seed(&rng, 11);
    gmd_traj_writer *w = NULL;
    if (gmd_traj_open(&w, fx->traj, GMD_TRAJ_LAMMPS_DUMP, &ff, &frame, -1, &err))
        fail_msg("%s", err.message);
    for (int f = 0; f < NFRAMES; f++) {
        shake(&sites, &frame, &rng);
        if (gmd_traj_write(w, 100L * f, 0.1 * f, &box, &frame, &err)) fail_msg("%s", err.message);
    }
    if (gmd_traj_close(w, &err)) fail_msg("%s", err.message);
    gmd_atoms_free(&sites);
    gmd_atoms_free(&frame);
}

/* ---- reading results.json ------------------------------------------------------------ */

static cJSON *read_results(const char *out_dir)
{
    char path[PATH_LEN + 16];
    snprintf(path, sizeof path, "%s/results.json", out_dir);
    FILE *f = fopen(path, "r");
    if (!f) fail_msg("%s: not written", path);
    char *text = calloc(1, 1 << 20);
    assert_non_null(text);
    size_t n = fread(text, 1, (1 << 20) - 1, f);
    fclose(f);
    assert_true(n > 0);
    cJSON *o = cJSON_Parse(text);
    free(text);
    if (!o) fail_msg("%s: not JSON", path);
    return o;
}

static double number_at(const cJSON *o, const char *key, const char *sub)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (sub) v = cJSON_GetObjectItemCaseSensitive(v, sub);
    if (!cJSON_IsNumber(v))
        fail_msg("results.json: %s%s%s is not a number", key, sub ? "." : "", sub ? sub : "");
    return v->valuedouble;
}

static double coordination(const cJSON *o, const char *pair)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "coordination");
    return number_at(c, pair, "mean");
}

/* ---- the tests ----------------------------------------------------------------------- */

typedef struct event_count {
    int started, frames, done;
    long last_read;
} event_count;

static void count_event(gmd_analyze_event event, const gmd_analyze_result *sofar, void *user)
{
    event_count *c = user;
    c->started += event == GMD_ANALYZE_STARTED;
    c->frames += event == GMD_ANALYZE_FRAME;
    c->done += event == GMD_ANALYZE_FRAMES_DONE;
    c->last_read = sofar->frames_read;
}

static void test_crystal_coordination(void **state)
{
    const fixture *fx = *state;
    char out[PATH_LEN];
    gmd_analyze_options opt;
    gmd_analyze_default_options(&opt);
    event_count events = {0};
    opt.traj = fx->traj;
    opt.ff_path = fx->ff;
    opt.skip = 2;
    opt.analyses = 1u << GMD_ANALYSIS_RDF;
    opt.only = 1;
    opt.settings.out_dir = in_dir(fx, "rdf/out", out);
    opt.settings.threads = 2;
    opt.command = "glassmd analyze (test)";
    opt.progress = count_event;
    opt.progress_user = &events;
    gmd_analyze_result r;
    gmd_error err;
    if (gmd_analyze(&opt, &r, &err) != GMD_OK) fail_msg("%s", err.message);
    assert_int_equal(r.frames_read, NFRAMES);
    assert_int_equal(r.frames_used, NFRAMES / 2);
    assert_int_equal(r.natoms, NATOMS);
    assert_int_equal(r.nanalyses, 1);
    assert_int_equal(events.started, 1);
    assert_int_equal(events.frames, NFRAMES - 1); /* the first frame is read before */
    assert_int_equal(events.done, 1);
    assert_int_equal(events.last_read, NFRAMES);

    cJSON *o = read_results(out);
    const char *keys[] = {"glassmd_version", "command",          "input",     "frames",
                          "natoms",          "species",          "volume_A3", "analyses",
                          "coordination",    "rdf_first_peak_A", "skipped"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        if (!cJSON_HasObjectItem(o, keys[k])) fail_msg("results.json lacks %s", keys[k]);
    assert_string_equal(cJSON_GetObjectItem(o, "command")->valuestring, opt.command);
    assert_true(number_at(o, "frames", NULL) == NFRAMES / 2);
    assert_true(number_at(o, "frames_read", NULL) == NFRAMES);
    assert_true(number_at(o, "natoms", NULL) == NATOMS);
    assert_true(number_at(o, "species", "Si") == 54 && number_at(o, "species", "S") == 108 &&
                number_at(o, "species", "Na") == 54);
    double L = SIDE * SPACING_A;
    assert_true(tu_rel_diff(number_at(o, "volume_A3", NULL), L * L * L, 1.0) < 1e-12);
    assert_true(coordination(o, "Si-S") == 6.0 && coordination(o, "Na-S") == 6.0);
    assert_true(coordination(o, "S-Si") == 3.0 && coordination(o, "S-Na") == 3.0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "analyses")), 1);
    cJSON_Delete(o);
    char csv[PATH_LEN + 16];
    snprintf(csv, sizeof csv, "%s/rdf.csv", out);
    assert_int_equal(access(csv, R_OK), 0);
}

/* Without gnuplot on PATH: the warning comes back (and nothing is printed). */
static void run_without_gnuplot(const gmd_analyze_options *opt, gmd_analyze_result *r)
{
    const char *path = getenv("PATH");
    char *saved = path ? strdup(path) : NULL;
    setenv("PATH", "/nonexistent", 1);
    gmd_error err;
    gmd_status st = gmd_analyze(opt, r, &err);
    if (saved) setenv("PATH", saved, 1);
    free(saved);
    if (st != GMD_OK) fail_msg("%s", err.message);
}

static void test_default_set(void **state)
{
    const fixture *fx = *state;
    char out[PATH_LEN];
    gmd_analyze_options opt;
    gmd_analyze_default_options(&opt);
    opt.traj = fx->traj;
    opt.ff_path = fx->ff;
    opt.settings.out_dir = in_dir(fx, "default", out);
    opt.settings.threads = 1;
    gmd_analyze_result r;
    run_without_gnuplot(&opt, &r);
    assert_non_null(r.warning);
    assert_non_null(strstr(r.warning, "gnuplot"));
    assert_int_equal(r.frames_used, NFRAMES);
    assert_int_equal(r.nanalyses, GMD_NANALYSES - 1);
    cJSON *o = read_results(out);
    const cJSON *sigma = cJSON_GetObjectItem(cJSON_GetObjectItem(o, "skipped"), "sigma");
    assert_true(cJSON_IsString(sigma) && strstr(sigma->valuestring, "temperature"));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "temperature_K")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(o, "figures")));
    assert_string_equal(cJSON_GetObjectItem(o, "command")->valuestring, "");
    cJSON_Delete(o);
}

/* The two columns of an analysis CSV (comment lines and the header skipped); the rows. */
static int read_two_columns(const char *out_dir, const char *name, double *x, double *y, int cap)
{
    char path[PATH_LEN + 32], line[512];
    snprintf(path, sizeof path, "%s/%s", out_dir, name);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    int n = 0, header = 0;
    while (fgets(line, sizeof line, fp) && n < cap) {
        if (line[0] == '#') continue;
        if (!header++) continue;
        assert_int_equal(sscanf(line, "%lf,%lf", &x[n], &y[n]), 2);
        n++;
    }
    fclose(fp);
    return n;
}

/* sq and fsdp together read one shared reciprocal-lattice S(k) (every pair up to 4 A^-1);
 * fsdp alone transforms its pair only, up to 2.5 A^-1: the same shells and, within the
 * gridded transform's accuracy, the same S_NaNa and peak. */
static void test_fsdp_shared_equals_own(void **state)
{
    const fixture *fx = *state;
    char out[2][PATH_LEN];
    const unsigned sets[2] = {1u << GMD_ANALYSIS_SQ | 1u << GMD_ANALYSIS_FSDP,
                              1u << GMD_ANALYSIS_FSDP};
    static double k[2][400], sv[2][400];
    int n[2];
    double peak[2];
    for (int v = 0; v < 2; v++) {
        gmd_analyze_options opt;
        gmd_analyze_default_options(&opt);
        opt.traj = fx->traj;
        opt.ff_path = fx->ff;
        opt.analyses = sets[v];
        opt.only = 1;
        opt.settings.out_dir = in_dir(fx, v ? "fsdp-own" : "fsdp-shared", out[v]);
        opt.settings.threads = 1;
        gmd_analyze_result r;
        run_without_gnuplot(&opt, &r);
        n[v] = read_two_columns(out[v], "fsdp.csv", k[v], sv[v], 400);
        cJSON *o = read_results(out[v]);
        peak[v] = number_at(o, "fsdp", "k_invA");
        cJSON_Delete(o);
    }
    assert_true(n[0] > 20);
    assert_int_equal(n[0], n[1]);
    for (int j = 0; j < n[0]; j++) {
        assert_true(k[0][j] == k[1][j]);
        if (tu_rel_diff(sv[0][j], sv[1][j], 1.0) > 1e-8)
            fail_msg("shell %d (k %g): shared %.10g, own %.10g", j, k[0][j], sv[0][j], sv[1][j]);
    }
    assert_true(isfinite(peak[0]) == isfinite(peak[1]));
    if (isfinite(peak[0])) assert_true(tu_rel_diff(peak[0], peak[1], 1.0) < 1e-8);
}

static void test_missing_file(void **state)
{
    const fixture *fx = *state;
    char traj[PATH_LEN], out[PATH_LEN], json[PATH_LEN + 16];
    gmd_analyze_options opt;
    gmd_analyze_default_options(&opt);
    opt.traj = in_dir(fx, "absent.dump", traj);
    opt.ff_path = fx->ff;
    opt.settings.out_dir = in_dir(fx, "absent", out);
    gmd_analyze_result r;
    gmd_error err;
    gmd_error_clear(&err);
    assert_int_equal(gmd_analyze(&opt, &r, &err), GMD_ERR_IO);
    assert_non_null(strstr(err.message, traj));
    assert_non_null(strstr(err.message, "cannot open"));
    assert_int_equal(r.frames_read, 0);
    snprintf(json, sizeof json, "%s/results.json", out);
    assert_int_not_equal(access(json, F_OK), 0);
    /* err may be NULL: the status alone comes back */
    assert_int_equal(gmd_analyze(&opt, NULL, NULL), GMD_ERR_IO);
}

static void test_bad_options(void **state)
{
    const fixture *fx = *state;
    gmd_analyze_options opt;
    gmd_analyze_default_options(&opt);
    opt.traj = fx->traj;
    opt.skip = 0;
    gmd_error err;
    assert_int_equal(gmd_analyze(&opt, NULL, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "skip"));
    opt.skip = 1;
    opt.thermo_path = fx->ff; /* not a thermo CSV: fails before the trajectory is read */
    assert_int_not_equal(gmd_analyze(&opt, NULL, &err), GMD_OK);
    assert_true(strncmp(err.message, "--temperature: ", 15) == 0);
}

static void test_names(void **state)
{
    (void)state;
    unsigned mask = 0;
    gmd_error err;
    assert_int_equal(gmd_analysis_parse_list("rdf, msd,angles", &mask, &err), GMD_OK);
    assert_int_equal(mask, (1u << GMD_ANALYSIS_RDF) | (1u << GMD_ANALYSIS_MSD) |
                               (1u << GMD_ANALYSIS_ANGLES));
    assert_int_equal(gmd_analysis_parse_list("", &mask, &err), GMD_OK);
    assert_int_equal(mask, 0);
    assert_int_equal(gmd_analysis_parse_list("rdf,gr", &mask, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "unknown analysis 'gr'"));
    assert_string_equal(gmd_analysis_kind_name(GMD_ANALYSIS_SIGMA), "sigma");
    assert_null(gmd_analysis_kind_name(GMD_NANALYSES));
    const char *argv[] = {"analyze", "--out", "my folder", "t.dump"};
    char line[64];
    gmd_analyze_command_line(line, sizeof line, 4, argv);
    assert_string_equal(line, "glassmd analyze --out 'my folder' t.dump");
}

/* gmd_analyze_set_option: the command line's option names ('_' for '-'), each kind of
 * value (number, name, pair, flag, list, path), and the refusals naming the option. */
static void test_set_option(void **state)
{
    (void)state;
    gmd_analyze_options opt;
    gmd_analyze_default_options(&opt);
    gmd_error err;
    assert_int_equal(gmd_analyze_set_option(&opt, "rdf_rmax", "7.5", &err), GMD_OK);
    assert_true(opt.settings.rdf_rmax_A == 7.5);
    assert_int_equal(gmd_analyze_set_option(&opt, "cut-na-s", "3.25", &err), GMD_OK);
    assert_true(opt.settings.cut_modifier_bridge_A == 3.25);
    assert_int_equal(gmd_analyze_set_option(&opt, "temperature_setpoint", "900", &err), GMD_OK);
    assert_true(opt.setpoint_K == 900);
    assert_int_equal(gmd_analyze_set_option(&opt, "modifier", "Li", &err), GMD_OK);
    assert_string_equal(opt.settings.modifier, "Li");
    assert_int_equal(gmd_analyze_set_option(&opt, "fsdp_pair", "Si-Si", &err), GMD_OK);
    assert_string_equal(opt.settings.fsdp_pair, "Si-Si");
    assert_int_equal(gmd_analyze_set_option(&opt, "lorch", NULL, &err), GMD_OK);
    assert_int_equal(opt.settings.sq_lorch, 1);
    assert_int_equal(gmd_analyze_set_option(&opt, "only", "rdf,msd", &err), GMD_OK);
    assert_int_equal(opt.only, 1);
    assert_int_equal(opt.analyses, (1u << GMD_ANALYSIS_RDF) | (1u << GMD_ANALYSIS_MSD));
    assert_int_equal(gmd_analyze_set_option(&opt, "out", "elsewhere", &err), GMD_OK);
    assert_string_equal(opt.settings.out_dir, "elsewhere");
    assert_int_equal(gmd_analyze_set_option(&opt, "msd_fit", "1:4", &err), GMD_OK);
    assert_true(opt.settings.msd_fit_t0_ps == 1 && opt.settings.msd_fit_t1_ps == 4);

    assert_int_equal(gmd_analyze_set_option(&opt, "rdf_dr", "-1", &err), GMD_ERR_VALUE);
    assert_string_equal(err.message, "--rdf-dr '-1': give a positive number");
    assert_int_equal(gmd_analyze_set_option(&opt, "fsdp-pair", "Na", &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "--fsdp-pair 'Na': give a pair A-B"));
    assert_int_equal(gmd_analyze_set_option(&opt, "dt", NULL, &err), GMD_ERR_VALUE);
    assert_string_equal(err.message, "--dt needs a value");
    assert_int_equal(gmd_analyze_set_option(&opt, "rdf_max", "5", &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "unknown analysis option 'rdf_max'"));
    assert_non_null(strstr(err.message, "rdf-rmax"));
    const gmd_analyze_option_def *defs = gmd_analyze_option_defs();
    int n = 0;
    while (defs[n].name)
        n++;
    assert_true(n > 20);
}

/* ---- set-up ------------------------------------------------------------------------- */

static int set_up(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx) return -1;
    const char *base = getenv("TMPDIR");
    snprintf(fx->dir, sizeof fx->dir, "%s/test_analyze.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(fx->dir)) {
        free(fx);
        return -1;
    }
    in_dir(fx, "crystal.dump", fx->traj);
    tu_source_path("data/forcefields/na2s-sis2.ff", fx->ff, sizeof fx->ff);
    write_crystal(fx);
    *state = fx;
    return 0;
}

static int tear_down(void **state)
{
    fixture *fx = *state;
    char cmd[PATH_LEN + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    int rc = system(cmd) == 0 ? 0 : -1;
    free(fx);
    return rc;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crystal_coordination),
        cmocka_unit_test(test_default_set),
        cmocka_unit_test(test_fsdp_shared_equals_own),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_set_option),
    };
    return cmocka_run_group_tests(tests, set_up, tear_down);
}
