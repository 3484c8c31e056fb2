/* test_study_input.c - the study file parser (gmd_study_read): defaults from SPEC section
 * 4, units, compositions from x and from counts (stoichiometry worked out by hand), and
 * the errors that must stop a study before it runs, each with file:line and the fix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "glassmd/study.h"
#include "glassmd/study_plan.h"
#include "testutil.h"

static char dir[256];

/* Writes STUDY text (with the reference force field prepended) into dir/name. */
static const char *write_study(const char *name, const char *text)
{
    static char path[512];
    char ff[512];
    tu_source_path("data/forcefields/na2s-sis2.ff", ff, sizeof ff);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "forcefield = %s\n%s", ff, text);
    fclose(f);
    return path;
}

static gmd_status read_study(gmd_study *s, const char *text, gmd_error *err)
{
    return gmd_study_read(s, write_study("s.ini", text), err);
}

static void expect_error(const char *text, const char *part)
{
    gmd_study *s = calloc(1, sizeof *s);
    gmd_error err;
    gmd_error_clear(&err);
    assert_int_not_equal(read_study(s, text, &err), GMD_OK);
    if (!strstr(err.message, part)) fail_msg("message '%s' lacks '%s'", err.message, part);
    free(s);
}

static void test_defaults_are_spec_section_4(void **state)
{
    (void)state;
    gmd_study *s = calloc(1, sizeof *s);
    gmd_error err;
    assert_int_equal(read_study(s, "compositions = 0.5\n", &err), GMD_OK);
    assert_int_equal(s->natoms, 3000);
    assert_true(s->melt_T_K == 2000 && s->melt_time_ps == 100 && s->quench_rate_K_ps == 1);
    assert_int_equal(s->nisotherms, 8);
    double iso[] = {2000, 1750, 1500, 1250, 1000, 750, 500, 300};
    for (int i = 0; i < 8; i++)
        assert_true(s->isotherm_K[i] == iso[i]);
    assert_true(s->glass_T_K == 300 && s->glass_time_ps == 10000 && s->dt_fs == 1);
    assert_true(s->comp[0].density == 0.043);
    assert_int_equal(s->threads_per_job, 1);
    assert_int_equal(s->chain, 0);        /* auto */
    assert_int_equal(s->pressure_set, 0); /* the fixed density of SPEC section 3 */
    /* 3000 atoms of 50Na2S-50SiS2: 1000 formula units of 3 atoms, 500 of each */
    assert_int_equal(s->comp[0].counts[0], 500);  /* Si */
    assert_int_equal(s->comp[0].counts[1], 1500); /* S  */
    assert_int_equal(s->comp[0].counts[2], 1000); /* Na */
    assert_string_equal(s->comp[0].label, "x0.50");
    assert_non_null(strstr(s->output_dir, "/s.study"));
    free(s);
}

static void test_values_units_and_counts(void **state)
{
    (void)state;
    gmd_study *s = calloc(1, sizeof *s);
    gmd_error err;
    gmd_status st = read_study(s,
                               "compositions = 0.8, 0.5\natoms = 120\n"
                               "counts = Si=20,S=80,Na=80\n"
                               "density = 0.04, 0.041, 0.042\nmelt_time = 0.1 ns\n"
                               "quench_rate = 0.01K/fs\nisotherms = 1500K, 1000\n"
                               "glass_time = 2000fs\ncutoff = 0.6 nm\nkspace = ewald\n"
                               "threebody = off\nmsd_fit = 1:5\nseed = 7\nreplicas = 2\n"
                               "threebody_substeps = 12\nchain = 2\npressure = 0.5 GPa\n",
                               &err);
    if (st != GMD_OK) fail_msg("%s", err.message);
    assert_int_equal(s->ncompositions, 3);
    /* x = 0.8 of 120 atoms: 40 units, 32 Na2S + 8 SiS2 -> Si 8, S 48, Na 64 */
    assert_int_equal(s->comp[0].counts[0], 8);
    assert_int_equal(s->comp[0].counts[1], 48);
    assert_int_equal(s->comp[0].counts[2], 64);
    assert_string_equal(s->comp[2].label, "counts1");
    assert_true(s->comp[2].x < 0 && s->comp[2].counts[1] == 80);
    assert_true(s->comp[1].density == 0.041 && s->comp[2].density == 0.042);
    assert_true(s->melt_time_ps == 100.0);
    assert_true(s->quench_rate_K_ps == 10.0);
    assert_true(s->glass_time_ps == 2.0);
    assert_true(s->cutoff == 6.0 && s->kspace_set && s->kspace == GMD_KSPACE_EWALD);
    assert_int_equal(s->threebody, 0);
    assert_int_equal(s->threebody_substeps, 12);
    assert_int_equal(s->chain, 2);
    assert_true(s->pressure_set && s->pressure_bar == 5000.0); /* 1 GPa = 10 kbar */
    assert_true(s->msd_fit_t0_ps == 1 && s->msd_fit_t1_ps == 5);
    assert_int_equal(s->replicas, 2);
    assert_int_equal(s->nisotherms, 2);
    free(s);
}

static void test_errors_name_line_and_fix(void **state)
{
    (void)state;
    expect_error("compositions = 0.5\nmelt_tmie = 5\n",
                 "s.ini:3: unknown key 'melt_tmie'; did you mean 'melt_time'?");
    expect_error("counts = Si=10,S=20,Na=5\n", "s.ini:2: counts 'Si=10,S=20,Na=5' is not neutral");
    expect_error("compositions = 0.5\nisotherms = 1000, 1500\n",
                 "s.ini:3: isotherms: 1500 K follows 1000 K");
    expect_error("compositions = 0.5\nisotherms = 2500, 1000\n", "outside the quench");
    expect_error("compositions = 0.5\nexp_sq = nothing.dat\n",
                 "s.ini:3: exp_sq file 'nothing.dat' does not exist");
    expect_error("compositions = 0.5\natoms = 120\n", "is not less than half the");
    expect_error("compositions = 0.5\natoms = 100\n", "s.ini:3: composition x = 0.5");
    expect_error("compositions = 0.5, 0.6\ndensity = 0.04, 0.04, 0.04\n",
                 "3 values for 2 compositions");
    expect_error("compositions = 1.5\n", "s.ini:2: compositions: x = 1.5 is outside [0, 1]");
    expect_error("compositions = 0.5\nthreebody_substeps = 0\n",
                 "s.ini:3: threebody_substeps: 0 is out of range; give a value from 1 to 64");
    expect_error("compositions = 0.5\nmelt_time = 5 min\n", "unknown unit 'min'");
    expect_error("compositions = 0.5\nchain = 9\n",
                 "s.ini:3: chain: '9' is not auto or a whole number from 1 to 8");
    expect_error("compositions = 0.5\nglass_T = 2500\n", "glass_T = 2500 K is above melt_T");
    expect_error("atoms = 120\n", "no composition");
    /* pressure: bar (kbar, GPa, MPa, atm) as a run input's P, 0 .. 100 GPa */
    expect_error("compositions = 0.5\npressure = -1 bar\n",
                 "s.ini:3: pressure: -1 bar is outside 0 .. 1e6 bar (100 GPa); give the pressure "
                 "of interest, e.g. 'pressure = 1 bar'");
    expect_error("compositions = 0.5\npressure = 2000 GPa\n", "s.ini:3: pressure: 2e+07 bar");
    expect_error("compositions = 0.5\npressure = 1 psi\n", "s.ini:3: pressure: unknown unit 'psi'");
    expect_error("compositions = 0.5\npressure = nan\n", "s.ini:3: pressure:");
}

/* The inputs hash of the melt job (an MD job) of a study with `extra` appended; its start
 * file (the build job's start.data) is written first, since its bytes enter the hash. */
static unsigned long long melt_hash(const char *extra)
{
    char text[512];
    snprintf(text, sizeof text, "compositions = 0.5\noutput_dir = hash.study\n%s", extra);
    gmd_study *s = calloc(1, sizeof *s);
    gmd_error err;
    if (read_study(s, text, &err) != GMD_OK) fail_msg("%s", err.message);
    gmd_study_plan plan;
    assert_int_equal(gmd_study_plan_make(&plan, s, &err), GMD_OK);
    int melt = -1;
    for (int j = 0; j < plan.njobs; j++)
        if (plan.jobs[j].kind == GMD_JOB_MELT) melt = j;
    assert_true(melt >= 0);
    char cmd[3 * sizeof plan.jobs[melt].input_file];
    snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\" && echo start > '%s'",
             plan.jobs[melt].input_file, plan.jobs[melt].input_file);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(gmd_study_job_update_hash(&plan, melt), 1);
    unsigned long long h = plan.jobs[melt].hash;
    gmd_study_plan_free(&plan);
    free(s);
    return h;
}

/* Every setting that changes an MD job's output changes its inputs hash, so that the job
 * runs again: chain and threebody_substeps among them (substeps was once left out). */
static void test_md_job_hash_covers_chain_and_substeps(void **state)
{
    (void)state;
    unsigned long long base = melt_hash("");
    assert_true(melt_hash("") == base); /* the same study: the same hash */
    const char *changes[] = {"chain = 1\n", "chain = 3\n", "threebody_substeps = 4\n",
                             "threebody_substeps = 1\n"};
    for (int i = 0; i < 4; i++)
        if (melt_hash(changes[i]) == base)
            fail_msg("'%.*s' left the MD job hash unchanged", (int)strlen(changes[i]) - 1,
                     changes[i]);
    assert_true(melt_hash("chain = 1\n") != melt_hash("chain = 2\n"));
    assert_true(melt_hash("chain = auto\n") == base); /* auto is the default */
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/test_study_input.%d", (int)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    if (system(cmd) != 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_are_spec_section_4),
        cmocka_unit_test(test_values_units_and_counts),
        cmocka_unit_test(test_errors_name_line_and_fix),
        cmocka_unit_test(test_md_job_hash_covers_chain_and_substeps),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) return 1;
    return rc;
}
