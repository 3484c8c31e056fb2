/* test_run_input.c - the key = value reader (kvfile) and the `glassmd run` input.
 *
 * Expected values are worked out by hand from the input text (unit conversions, step
 * counts time / dt), never taken from the code. Each error case checks that the message
 * names the file and line and carries the phrase that tells the user what to fix. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "glassmd/kvfile.h"
#include "glassmd/run.h"
#include "glassmd/run_input.h"

/* ---- a scratch folder with a config and a force field to point at -------------------- */

static char g_dir[256];

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static const char *in_dir(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", g_dir, name);
    return buf;
}

static int setup_dir(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/gmd-run-input-XXXXXX", tmp ? tmp : "/tmp");
    if (!mkdtemp(g_dir)) return -1;
    char p[512];
    write_text(in_dir("glass.data", p, sizeof p), "# a placeholder: only existence matters\n");
    write_text(in_dir("model.ff", p, sizeof p), "# placeholder\n");
    mkdir(in_dir("sub", p, sizeof p), 0755);
    return 0;
}

static int teardown_dir(void **state)
{
    (void)state;
    const char *names[] = {"glass.data", "model.ff", "full.in",     "min.in", "bad.in",
                           "order.in",   "tb.in",    "sub/deep.in", "sub",    NULL};
    char p[512];
    for (int i = 0; names[i]; i++)
        remove(in_dir(names[i], p, sizeof p));
    rmdir(g_dir);
    return 0;
}

/* Writes `text` to NAME in the scratch folder and reads it. */
static gmd_status read_input(const char *name, const char *text, gmd_run_input *in, gmd_error *err)
{
    char path[512];
    write_text(in_dir(name, path, sizeof path), text);
    gmd_error_clear(err);
    return gmd_run_input_read(in, path, err);
}

#define BASE "config = glass.data\nforcefield = model.ff\nseed = 7\n"

/* ---- kvfile ----------------------------------------------------------------------- */

static void test_kv_splits_lines(void **state)
{
    (void)state;
    const char *text = "# a comment line\n"
                       "\n"
                       "  alpha   =  one two  \r\n"
                       "beta=x=y # inline comment\n"
                       "gamma =\n"
                       "   # indented comment\n"
                       "alpha = again";
    gmd_kv_file kv;
    gmd_error err;
    assert_int_equal(gmd_kv_parse(&kv, text, "t.kv", &err), GMD_OK);
    assert_int_equal(kv.n, 4);
    assert_string_equal(kv.entries[0].key, "alpha");
    assert_string_equal(kv.entries[0].value, "one two");
    assert_int_equal(kv.entries[0].line, 3);
    assert_string_equal(kv.entries[1].key, "beta");
    assert_string_equal(kv.entries[1].value, "x=y");
    assert_int_equal(kv.entries[1].line, 4);
    assert_string_equal(kv.entries[2].key, "gamma");
    assert_string_equal(kv.entries[2].value, "");
    assert_int_equal(kv.entries[3].line, 7);
    assert_ptr_equal(gmd_kv_find(&kv, "alpha"), &kv.entries[0]);
    assert_null(gmd_kv_find(&kv, "delta"));
    gmd_kv_free(&kv);
}

static void test_kv_line_without_equals(void **state)
{
    (void)state;
    gmd_kv_file kv;
    gmd_error err;
    assert_int_equal(gmd_kv_parse(&kv, "a = 1\n\nseed 5\n", "t.kv", &err), GMD_ERR_PARSE);
    assert_non_null(strstr(err.message, "t.kv:3:"));
    assert_non_null(strstr(err.message, "key = value"));
    assert_int_equal(gmd_kv_parse(&kv, "a = 1\n = 2\n", "t.kv", &err), GMD_ERR_PARSE);
    assert_non_null(strstr(err.message, "t.kv:2:"));
    assert_int_equal(gmd_kv_parse(&kv, "thermo every = 2\n", "t.kv", &err), GMD_ERR_PARSE);
    assert_non_null(strstr(err.message, "t.kv:1:"));
    assert_non_null(strstr(err.message, "one word"));
}

static void test_kv_edit_distance(void **state)
{
    (void)state;
    /* textbook values */
    assert_int_equal(gmd_kv_edit_distance("kitten", "sitting"), 3);
    assert_int_equal(gmd_kv_edit_distance("flaw", "lawn"), 2);
    assert_int_equal(gmd_kv_edit_distance("", "abc"), 3);
    assert_int_equal(gmd_kv_edit_distance("abc", ""), 3);
    assert_int_equal(gmd_kv_edit_distance("same", "same"), 0);
    assert_int_equal(gmd_kv_edit_distance("Seed", "seed"), 0); /* case ignored */
    assert_int_equal(gmd_kv_edit_distance("thermo_evry", "thermo_every"), 1);
}

static void test_kv_suggest(void **state)
{
    (void)state;
    const char *const known[] = {"seed", "thermo_every", "traj_every", "kspace", NULL};
    assert_string_equal(gmd_kv_suggest("thermo_evry", known), "thermo_every");
    assert_string_equal(gmd_kv_suggest("traj_evrey", known), "traj_every");
    assert_string_equal(gmd_kv_suggest("SEED", known), "seed");
    assert_string_equal(gmd_kv_suggest("kspac", known), "kspace");
    assert_null(gmd_kv_suggest("banana", known));
    assert_null(gmd_kv_suggest("xyzw", known)); /* 4 edits from "seed": too far */
}

static void test_kv_check_keys(void **state)
{
    (void)state;
    const char *const known[] = {"a", "stage", NULL};
    const char *const repeat[] = {"stage", NULL};
    gmd_kv_file kv;
    gmd_error err;
    assert_int_equal(gmd_kv_parse(&kv, "a = 1\nstage = x\nstage = y\n", "k", &err), GMD_OK);
    assert_int_equal(gmd_kv_check_keys(&kv, known, repeat, &err), GMD_OK);
    gmd_kv_free(&kv);
    assert_int_equal(gmd_kv_parse(&kv, "stage = x\na = 1\n\na = 2\n", "k", &err), GMD_OK);
    assert_int_not_equal(gmd_kv_check_keys(&kv, known, repeat, &err), GMD_OK);
    assert_non_null(strstr(err.message, "k:4:"));
    assert_non_null(strstr(err.message, "duplicate key 'a'"));
    assert_non_null(strstr(err.message, "line 2"));
    gmd_kv_free(&kv);
}

/* ---- a full input ---------------------------------------------------------------- */

static void test_full_input(void **state)
{
    (void)state;
    char ff[512], text[4096];
    in_dir("model.ff", ff, sizeof ff);
    snprintf(text, sizeof text,
             "# every key\n"
             "config = glass.data\n"
             "forcefield = %s   # absolute\n"
             "types = Si,S,Na\n"
             "output_dir = results/run1\n"
             "kspace = ewald\n"
             "accuracy = 1e-6\n"
             "cutoff = 1.2 nm\n"
             "threebody = hard\n"
             "dt_fs = 0.002 ps\n"
             "seed = 18446744073709551615\n"
             "velocity_K = 2500K\n"
             "tdamp_ps = 200fs\n"
             "chain = 5\n"
             "thermo_every = 50\n"
             "traj_every = 0\n"
             "traj_format = dump\n"
             "checkpoint_every = 2000\n"
             "threads = 2\n"
             "stage = minimize ftol=0.05 max_step=0.2 max_steps=300\n" /* line 20 */
             "stage = nve time=10ps\n"
             "stage = nvt time=0.1ns T=2000K\n"
             "stage = ramp from=2000K to=300K rate=1K/ps\n"
             "stage = ramp from=300 to=600 rate=0.5K/fs\n"
             "stage = nvt   time=3.0011ps    T=300\n" /* line 25 */
             "stage = minimize\n"
             "stage = write file=T300.data\n",
             ff);
    gmd_run_input in;
    gmd_error err;
    gmd_status st = read_input("full.in", text, &in, &err);
    if (st != GMD_OK) print_error("%s\n", err.message);
    assert_int_equal(st, GMD_OK);

    char want[512];
    assert_string_equal(in.path, in_dir("full.in", want, sizeof want));
    assert_string_equal(in.config, in_dir("glass.data", want, sizeof want));
    assert_string_equal(in.forcefield, ff);
    assert_string_equal(in.types, "Si,S,Na");
    assert_string_equal(in.output_dir, in_dir("results/run1", want, sizeof want));
    assert_int_equal(in.kspace, GMD_KSPACE_EWALD);
    assert_int_equal(in.kspace_set, 1);
    assert_true(in.accuracy == 1e-6);
    assert_true(in.cutoff == 12.0);
    assert_int_equal(in.threebody, 1);
    assert_int_equal(in.taper, GMD_TAPER_HARD);
    assert_true(in.dt_fs == 2.0);
    assert_true(in.seed == UINT64_MAX);
    assert_true(in.velocity_K == 2500.0);
    assert_true(fabs(in.tdamp_ps - 0.2) < 1e-15);
    assert_int_equal(in.chain, 5);
    assert_int_equal(in.thermo_every, 50);
    assert_int_equal(in.traj_every, 0);
    assert_int_equal(in.traj_netcdf, 0);
    assert_int_equal(in.traj_dump, 1);
    assert_int_equal(in.checkpoint_every, 2000);
    assert_int_equal(in.threads, 2);

    assert_int_equal(in.nstages, 8);
    const gmd_stage *s = in.stages;
    assert_int_equal(s[0].kind, GMD_STAGE_MINIMIZE);
    assert_int_equal(s[0].line, 20);
    assert_true(s[0].ftol_eV_A == 0.05 && s[0].max_step_A == 0.2);
    assert_int_equal(s[0].nsteps, 300);
    /* nve 10 ps / 2 fs = 5000 steps */
    assert_int_equal(s[1].kind, GMD_STAGE_NVE);
    assert_int_equal(s[1].nsteps, 5000);
    assert_true(fabs(s[1].time_ps - 10.0) < 1e-12);
    /* nvt 0.1 ns = 100 ps -> 50000 steps at 2000 K */
    assert_int_equal(s[2].kind, GMD_STAGE_NVT);
    assert_int_equal(s[2].nsteps, 50000);
    assert_true(fabs(s[2].time_ps - 100.0) < 1e-9);
    assert_true(s[2].t_start_K == 2000.0 && s[2].t_end_K == 2000.0);
    /* ramp 2000 -> 300 K at 1 K/ps: 1700 ps = 850000 steps */
    assert_int_equal(s[3].kind, GMD_STAGE_RAMP);
    assert_true(s[3].t_start_K == 2000.0 && s[3].t_end_K == 300.0);
    assert_true(s[3].rate_K_ps == 1.0);
    assert_true(fabs(s[3].time_ps - 1700.0) < 1e-9);
    assert_int_equal(s[3].nsteps, 850000);
    /* ramp 300 -> 600 K at 0.5 K/fs = 500 K/ps: 0.6 ps = 300 steps */
    assert_true(fabs(s[4].rate_K_ps - 500.0) < 1e-12);
    assert_true(fabs(s[4].time_ps - 0.6) < 1e-12);
    assert_int_equal(s[4].nsteps, 300);
    /* 3.0011 ps / 2 fs = 1500.55 -> rounded to 1501 */
    assert_int_equal(s[5].line, 25);
    assert_int_equal(s[5].nsteps, 1501);
    assert_true(s[5].t_start_K == 300.0);
    /* minimize defaults */
    assert_int_equal(s[6].kind, GMD_STAGE_MINIMIZE);
    assert_true(s[6].ftol_eV_A == 0.1 && s[6].max_step_A == 0.1);
    assert_int_equal(s[6].nsteps, 5000);
    /* write: a file name, no steps */
    assert_int_equal(s[7].kind, GMD_STAGE_WRITE);
    assert_string_equal(s[7].file, "T300.data");
    assert_int_equal(s[7].nsteps, 0);
    assert_string_equal(gmd_stage_kind_name(s[3].kind), "ramp");
}

static void test_defaults(void **state)
{
    (void)state;
    gmd_run_input in;
    gmd_error err;
    assert_int_equal(read_input("min.in", BASE "stage = nve time=1ps\n", &in, &err), GMD_OK);
    char want[512];
    assert_string_equal(in.output_dir, in_dir("min.out", want, sizeof want));
    assert_int_equal(in.kspace_set, 0);
    assert_true(in.accuracy <= 0.0 && in.cutoff <= 0.0);
    assert_int_equal(in.threebody, 1);
    assert_int_equal(in.taper, -1);
    assert_true(in.dt_fs == 1.0);
    assert_true(in.seed == 7);
    assert_true(in.velocity_K <= 0.0);
    assert_true(in.tdamp_ps == 0.1);
    assert_int_equal(in.chain, 0); /* auto */
    assert_int_equal(in.thermo_every, 100);
    assert_int_equal(in.traj_every, 1000);
    assert_int_equal(in.traj_netcdf, 1);
    assert_int_equal(in.traj_dump, 1);
    assert_int_equal(in.checkpoint_every, 10000);
    assert_int_equal(in.threads, 0);
    assert_string_equal(in.types, "");
    assert_int_equal(in.nstages, 1);
    assert_int_equal(in.stages[0].nsteps, 1000); /* 1 ps / 1 fs */
    assert_int_equal(in.stages[0].line, 4);
}

static void test_paths_relative_to_input(void **state)
{
    (void)state;
    gmd_run_input in;
    gmd_error err;
    gmd_status st = read_input("sub/deep.in",
                               "config = ../glass.data\nforcefield = ../model.ff\nseed = 1\n"
                               "stage = nve time=5fs\n",
                               &in, &err);
    assert_int_equal(st, GMD_OK);
    char want[512];
    assert_string_equal(in.config, in_dir("sub/../glass.data", want, sizeof want));
    assert_string_equal(in.output_dir, in_dir("sub/deep.out", want, sizeof want));
    assert_int_equal(in.stages[0].nsteps, 5);
}

static void test_dt_after_stages(void **state)
{
    (void)state;
    gmd_run_input in;
    gmd_error err;
    /* the step count uses dt_fs even when dt_fs comes after the stage */
    assert_int_equal(read_input("order.in", BASE "stage = nve time=1ps\ndt_fs = 0.5\n", &in, &err),
                     GMD_OK);
    assert_int_equal(in.stages[0].nsteps, 2000);
}

static void test_threebody_settings(void **state)
{
    (void)state;
    gmd_run_input in;
    gmd_error err;
    assert_int_equal(read_input("tb.in", BASE "threebody = off\nstage = nve time=1ps\n", &in, &err),
                     GMD_OK);
    assert_int_equal(in.threebody, 0);
    assert_int_equal(
        read_input("tb.in", BASE "threebody = smooth\nstage = nve time=1ps\n", &in, &err), GMD_OK);
    assert_int_equal(in.threebody, 1);
    assert_int_equal(in.taper, GMD_TAPER_SMOOTH);
    assert_int_equal(read_input("tb.in",
                                BASE "traj_format = both\nkspace = none\n"
                                     "stage = nve time=1ps\n",
                                &in, &err),
                     GMD_OK);
    assert_int_equal(in.traj_netcdf + in.traj_dump, 2);
    assert_int_equal(in.kspace, GMD_KSPACE_NONE);
    assert_int_equal(in.kspace_set, 1);
    assert_int_equal(in.threebody_substeps, 0); /* auto */
    assert_int_equal(
        read_input("tb.in", BASE "threebody_substeps = 12\nstage = nve time=1ps\n", &in, &err),
        GMD_OK);
    assert_int_equal(in.threebody_substeps, 12);
    assert_int_equal(
        read_input("tb.in", BASE "threebody_substeps = auto\nstage = nve time=1ps\n", &in, &err),
        GMD_OK);
    assert_int_equal(in.threebody_substeps, 0);
}

/* chain: auto (0) or 1 .. 8 as written; auto resolves against the force field's taper and
 * the threebody setting (1 with an active hard cut, else 3). */
static void test_chain(void **state)
{
    (void)state;
    gmd_run_input in;
    gmd_error err;
    const char *values[] = {"auto", "1", "3", "8"};
    const int want[] = {0, 1, 3, 8};
    for (int i = 0; i < 4; i++) {
        char text[256];
        snprintf(text, sizeof text, BASE "chain = %s\nstage = nve time=1ps\n", values[i]);
        assert_int_equal(read_input("tb.in", text, &in, &err), GMD_OK);
        assert_int_equal(in.chain, want[i]);
    }
    gmd_forcefield *ff = calloc(1, sizeof *ff);
    assert_non_null(ff);
    ff->nthreebody = 1;
    struct {
        const char *threebody; /* the run input's setting */
        gmd_taper taper;       /* the force field's */
        int nthreebody, chain;
    } cases[] = {
        {"on", GMD_TAPER_HARD, 1, 1},     {"on", GMD_TAPER_SMOOTH, 1, 3},
        {"hard", GMD_TAPER_SMOOTH, 1, 1}, {"smooth", GMD_TAPER_HARD, 1, 3},
        {"off", GMD_TAPER_HARD, 1, 3},    {"on", GMD_TAPER_HARD, 0, 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, BASE "threebody = %s\nstage = nve time=1ps\n",
                 cases[i].threebody);
        assert_int_equal(read_input("tb.in", text, &in, &err), GMD_OK);
        ff->threebody[0].taper = cases[i].taper;
        ff->nthreebody = cases[i].nthreebody;
        if (gmd_run_chain_length(&in, ff) != cases[i].chain)
            fail_msg("threebody = %s, force field taper %d, %d entries: chain %d, want %d",
                     cases[i].threebody, (int)cases[i].taper, cases[i].nthreebody,
                     gmd_run_chain_length(&in, ff), cases[i].chain);
    }
    /* a chain given by hand is kept, hard cut or not */
    assert_int_equal(read_input("tb.in", BASE "chain = 5\nstage = nve time=1ps\n", &in, &err),
                     GMD_OK);
    ff->nthreebody = 1;
    ff->threebody[0].taper = GMD_TAPER_HARD;
    assert_int_equal(gmd_run_chain_length(&in, ff), 5);
    free(ff);
}

/* ---- errors ----------------------------------------------------------------------- */

/* Reads `text` as bad.in; expects failure with "bad.in:LINE:" (line 0: just the file) and
 * every phrase in the message. */
static void expect_error(const char *text, int line, const char *phrase1, const char *phrase2)
{
    gmd_run_input in;
    gmd_error err;
    gmd_status st = read_input("bad.in", text, &in, &err);
    char where[600], path[512];
    in_dir("bad.in", path, sizeof path);
    if (line > 0)
        snprintf(where, sizeof where, "%s:%d: ", path, line);
    else
        snprintf(where, sizeof where, "%s: ", path);
    int ok = st != GMD_OK && strstr(err.message, where) && strstr(err.message, phrase1) &&
             (!phrase2 || strstr(err.message, phrase2));
    if (!ok)
        print_error("input:\n%s\nstatus %d, message: %s\nwanted: %s ... %s ... %s\n", text, (int)st,
                    err.message, where, phrase1, phrase2 ? phrase2 : "");
    assert_true(ok);
}

#define NVE "stage = nve time=1ps\n"

static void test_error_unknown_key(void **state)
{
    (void)state;
    expect_error(BASE "thermo_evry = 10\n" NVE, 4, "unknown key 'thermo_evry'",
                 "did you mean 'thermo_every'?");
    expect_error(BASE NVE "Seed = 3\n", 5, "unknown key 'Seed'", "did you mean 'seed'?");
    expect_error(BASE "banana = 3\n" NVE, 4, "unknown key 'banana'", "known keys are");
}

static void test_error_duplicate_key(void **state)
{
    (void)state;
    expect_error(BASE "dt_fs = 1\n" NVE "dt_fs = 2\n", 6, "duplicate key 'dt_fs'", "line 4");
}

static void test_error_bad_numbers(void **state)
{
    (void)state;
    expect_error(BASE "dt_fs = abc\n" NVE, 4, "not a valid number", "dt_fs");
    expect_error(BASE "dt_fs = 1 min\n" NVE, 4, "unknown unit 'min'", "fs, ps, ns");
    expect_error(BASE "thermo_every = 10.5\n" NVE, 4, "not a whole number", NULL);
    expect_error(BASE "chain = 0\n" NVE, 4, "'0' is not auto or a whole number from 1 to 8", NULL);
    expect_error(BASE "chain = 9\n" NVE, 4, "'9' is not auto or a whole number from 1 to 8", NULL);
    expect_error(BASE "chain = 2.5\n" NVE, 4, "not auto or a whole number", NULL);
    expect_error(BASE "chain = Auto\n" NVE, 4, "give auto", "chain length");
    expect_error(BASE "chain = -3\n" NVE, 4, "not auto or a whole number", NULL);
    expect_error(BASE "threebody_substeps = 0\n" NVE, 4, "out of range", "from 1 to 64");
    expect_error(BASE "threebody_substeps = many\n" NVE, 4, "not a whole number", NULL);
    expect_error(BASE "threebody_substep = 4\n" NVE, 4, "did you mean 'threebody_substeps'?", NULL);
    expect_error(BASE "accuracy = 1e-5 K\n" NVE, 4, "takes no unit", NULL);
    expect_error(BASE "cutoff = nan\n" NVE, 4, "not a valid number", NULL);
    expect_error("config = glass.data\nforcefield = model.ff\nseed = -4\n" NVE, 3,
                 "not a valid seed", NULL);
    expect_error(BASE "config_extra = 1\n" NVE, 4, "unknown key", NULL);
    expect_error(BASE "velocity_K = -1\n" NVE, 4, "negative temperature", NULL);
    expect_error(BASE "types =\n" NVE, 4, "has no value", NULL);
    expect_error(BASE "dt_fs = 0\n" NVE, 4, "must be positive", NULL);
}

static void test_error_choices(void **state)
{
    (void)state;
    expect_error(BASE "kspace = p3m\n" NVE, 4, "unknown method 'p3m'", "ewald, pppm or none");
    expect_error(BASE "traj_format = xyz\n" NVE, 4, "unknown format 'xyz'", NULL);
    expect_error(BASE "threebody = soft\n" NVE, 4, "unknown setting 'soft'", NULL);
}

static void test_error_stage_times(void **state)
{
    (void)state;
    expect_error(BASE "stage = nve time=-5ps\n", 4, "must be positive", "time");
    expect_error(BASE "stage = nvt time=0 T=300\n", 4, "must be positive", NULL);
    expect_error(BASE "stage = nve time=0.5fs\n", 4, "shorter than one time step", NULL);
    expect_error(BASE "stage = nve time=10min\n", 4, "unknown unit 'min'", NULL);
    expect_error(BASE NVE "stage = nvt time=1ps T=-5K\n", 5, "negative temperature", NULL);
    expect_error(BASE "stage = nvt time=1ps T=0\n", 4, "0 K", NULL);
    expect_error(BASE "stage = ramp from=1000 to=300 rate=0\n", 4, "must be positive", "rate");
    expect_error(BASE "stage = ramp from=1000 to=300 rate=-1K/ps\n", 4, "must be positive", NULL);
    expect_error(BASE "stage = ramp from=300 to=300 rate=1\n", 4, "takes no time", NULL);
    expect_error(BASE "stage = ramp from=300K to=1000K rate=1K/min\n", 4, "unknown unit", "K/ps");
}

/* npt stages and ramps at constant pressure: P in bar or another pressure unit, pdamp_ps
 * (default 1 ps); the canonical stage text carries P in bar. */
static void test_npt_stages(void **state)
{
    (void)state;
    gmd_run_input in;
    gmd_error err;
    const char *text = BASE "pdamp_ps = 2\n"
                            "stage = npt time=2ps T=2000K P=50kbar\n"
                            "stage = ramp from=2000K to=1000K rate=500K/ps P=1atm\n"
                            "stage = npt time=1ps T=300 P=-100\n"
                            "stage = ramp from=1000K to=900K rate=100K/ps\n";
    assert_int_equal(read_input("npt.in", text, &in, &err), GMD_OK);
    assert_true(in.pdamp_ps == 2.0);
    assert_int_equal(in.nstages, 4);
    const gmd_stage *s = in.stages;
    assert_int_equal(s[0].kind, GMD_STAGE_NPT);
    assert_int_equal(s[0].npt, 1);
    assert_true(s[0].p_bar == 50000.0 && s[0].t_start_K == 2000.0 && s[0].t_end_K == 2000.0);
    assert_int_equal(s[0].nsteps, 2000);
    assert_int_equal(s[1].kind, GMD_STAGE_RAMP);
    assert_int_equal(s[1].npt, 1);
    assert_true(s[1].p_bar == 1.01325);
    assert_int_equal(s[1].nsteps, 2000);
    assert_true(s[2].p_bar == -100.0); /* tension is allowed */
    assert_int_equal(s[3].npt, 0);     /* a ramp without P: constant volume */
    assert_string_equal(gmd_stage_kind_name(s[0].kind), "npt");
    char *canon = gmd_run_input_text(&in, GMD_RUN_TEXT_INPUT, &err);
    assert_non_null(canon);
    assert_non_null(strstr(canon, "pdamp_ps = 2\n"));
    assert_non_null(strstr(canon, "stage = npt time=2ps T=2000K P=50000bar\n"));
    assert_non_null(strstr(canon, "stage = ramp from=2000K to=1000K rate=500K/ps P=1.01325bar\n"));
    assert_non_null(strstr(canon, "stage = ramp from=1000K to=900K rate=100K/ps\n"));
    free(canon);
    assert_int_equal(read_input("nvt.in", BASE "stage = nvt time=1ps T=300K\n", &in, &err), GMD_OK);
    assert_true(in.pdamp_ps == 1.0);
    expect_error(BASE "stage = npt time=1ps T=300K\n", 4, "missing parameter 'P'",
                 "stage = npt time=100ps T=2000K P=1bar");
    expect_error(BASE "stage = npt time=1ps T=300K P=1psi\n", 4, "unknown unit 'psi'", "bar");
    expect_error(BASE "stage = nvt time=1ps T=300K P=1bar\n", 4, "unknown stage parameter 'P'",
                 NULL);
    expect_error(BASE "pdamp_ps = 0\n" NVE, 4, "pdamp_ps", "positive");
}

static void test_error_stage_syntax(void **state)
{
    (void)state;
    expect_error(BASE "stage = anneal time=1ps\n", 4, "unknown stage kind 'anneal'",
                 "minimize, nve, nvt, npt, ramp or write");
    expect_error(BASE "stage = minimise\n", 4, "unknown stage kind", "did you mean 'minimize'");
    expect_error(BASE "stage = nvt time=1ps temp=300K\n", 4, "unknown stage parameter 'temp'",
                 NULL);
    expect_error(BASE "stage = nvt time=1ps t=300K\n", 4, "unknown stage parameter 't'",
                 "did you mean 'T'");
    expect_error(BASE "stage = nvt time=1ps\n", 4, "missing parameter 'T'", NULL);
    expect_error(BASE "stage = nve time = 1ps\n", 4, "name=value", NULL);
    expect_error(BASE "stage = nve time=1ps time=2ps\n", 4, "given twice", NULL);
    expect_error(BASE "stage = minimize max_steps=1.5\n", 4, "not a whole number", NULL);
    expect_error(BASE "stage =\n", 4, "empty", NULL);
    expect_error(BASE "stage = write\n", 4, "missing parameter 'file'", NULL);
    expect_error(BASE "stage = write file=../T.data\n", 4, "plain file name", NULL);
}

static void test_error_missing(void **state)
{
    (void)state;
    expect_error("config = glass.data\nforcefield = model.ff\n" NVE, 0,
                 "missing required key 'seed'", NULL);
    expect_error("forcefield = model.ff\nseed = 1\n" NVE, 0, "missing required key 'config'", NULL);
    expect_error("config = glass.data\nseed = 1\n" NVE, 0, "missing required key 'forcefield'",
                 NULL);
    expect_error(BASE, 0, "missing required key 'stage'", NULL);
}

static void test_error_missing_files(void **state)
{
    (void)state;
    char want[512];
    expect_error("config = nothere.data\nforcefield = model.ff\nseed = 1\n" NVE, 1,
                 "does not exist", in_dir("nothere.data", want, sizeof want));
    expect_error("config = glass.data\nforcefield = ff/none.ff\nseed = 1\n" NVE, 2,
                 "does not exist", "relative to the input file's folder");
    expect_error("config = sub\nforcefield = model.ff\nseed = 1\n" NVE, 1, "not a regular file",
                 NULL);
}

static void test_error_too_many_stages(void **state)
{
    (void)state;
    size_t cap = 64 * (GMD_MAX_STAGES + 8);
    char *text = malloc(cap);
    assert_non_null(text);
    strcpy(text, BASE);
    for (int i = 0; i < GMD_MAX_STAGES; i++)
        strcat(text, NVE);
    gmd_run_input *in = malloc(sizeof *in);
    assert_non_null(in);
    gmd_error err;
    assert_int_equal(read_input("bad.in", text, in, &err), GMD_OK); /* exactly the maximum */
    assert_int_equal(in->nstages, GMD_MAX_STAGES);
    strcat(text, NVE);
    expect_error(text, 3 + GMD_MAX_STAGES + 1, "more than 64 stages", NULL);
    free(in);
    free(text);
}

static void test_error_line_without_equals(void **state)
{
    (void)state;
    expect_error(BASE "dt_fs 2\n" NVE, 4, "not a 'key = value' line", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kv_splits_lines),
        cmocka_unit_test(test_kv_line_without_equals),
        cmocka_unit_test(test_kv_edit_distance),
        cmocka_unit_test(test_kv_suggest),
        cmocka_unit_test(test_kv_check_keys),
        cmocka_unit_test(test_full_input),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_paths_relative_to_input),
        cmocka_unit_test(test_dt_after_stages),
        cmocka_unit_test(test_threebody_settings),
        cmocka_unit_test(test_error_unknown_key),
        cmocka_unit_test(test_error_duplicate_key),
        cmocka_unit_test(test_error_bad_numbers),
        cmocka_unit_test(test_error_choices),
        cmocka_unit_test(test_error_stage_times),
        cmocka_unit_test(test_chain),
        cmocka_unit_test(test_npt_stages),
        cmocka_unit_test(test_error_stage_syntax),
        cmocka_unit_test(test_error_missing),
        cmocka_unit_test(test_error_missing_files),
        cmocka_unit_test(test_error_too_many_stages),
        cmocka_unit_test(test_error_line_without_equals),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
