/* test_study_keys.c - every key of a study file, enumerated from the study reader's own
 * list (gmd_study_keys), so that a key added later is tested too, redoes exactly the jobs
 * that depend on it.
 *
 * For each key the test plans a small study and the same study with that one key changed,
 * computes every job's inputs hash by the real mechanism (gmd_study_job_update_hash over
 * the plan, in plan order) and compares the jobs that would run again (a new name, or
 * another hash) with EFFECTS, written here by hand: the job kinds whose own parameters
 * use the key; they, everything downstream of them, and every job new in the changed plan
 * (with what depends on it) must run again, and nothing else. A key missing from EFFECTS
 * fails the test until someone states what it must redo.
 *
 * The files jobs start from (start.data, final.data, T<K>.data) are not made by running
 * jobs: each holds its producer's inputs hash, since a job's outputs are a function of its
 * inputs. (A real run may leave such a file byte-identical, e.g. the start of an isotherm
 * above a changed one, and then skips more; EFFECTS states the upper bound.) */
#define _POSIX_C_SOURCE 200809L
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

#include "glassmd/study.h"
#include "glassmd/study_plan.h"
#include "testutil.h"

#define KIND(k) (1u << GMD_JOB_##k)
#define MD_JOBS (KIND(MELT) | KIND(QUENCH) | KIND(ISOTHERM) | KIND(GLASS))

/* A key changed to `value` (@NAME: the file NAME in the scratch folder) must redo the jobs
 * of the kinds in `direct` (of the compositions whose label starts with `scope`, or all),
 * and what follows them. */
typedef struct effect {
    const char *key, *value;
    unsigned direct;
    const char *scope;
} effect;

static const effect EFFECTS[] = {
    {"forcefield", "@other.ff", KIND(BUILD) | MD_JOBS, NULL},
    {"compositions", "0.6", 0, NULL}, /* x0.50 becomes x0.60: new jobs */
    {"counts", "Si=20,S=70,Na=60", KIND(BUILD), "counts"},
    {"atoms", "150", KIND(BUILD), "x"}, /* counts compositions give their own */
    {"density", "0.042", KIND(BUILD), NULL},
    {"replicas", "2", 0, NULL}, /* r2: new jobs, and the fits over replicas */
    {"seed", "2", KIND(BUILD) | MD_JOBS, NULL},
    {"melt_T", "2100", KIND(MELT) | KIND(QUENCH), NULL},
    {"melt_time", "3", KIND(MELT), NULL},
    {"quench_rate", "500", KIND(QUENCH), NULL},
    {"isotherms", "2000, 1500, 1100", KIND(QUENCH), NULL}, /* the cuts; iso-1100K is new */
    {"isotherm_equil", "1", KIND(ISOTHERM), NULL},
    {"isotherm_time", "3", KIND(ISOTHERM), NULL},
    {"glass_T", "250", KIND(QUENCH) | KIND(GLASS), NULL},
    {"glass_time", "3", KIND(GLASS), NULL},
    {"kspace", "pppm", MD_JOBS, NULL},
    {"accuracy", "1e-5", MD_JOBS, NULL},
    {"cutoff", "5.5", MD_JOBS, NULL},
    {"threebody", "smooth", MD_JOBS, NULL},
    {"threebody_substeps", "4", MD_JOBS, NULL},
    {"dt_fs", "0.5", MD_JOBS | KIND(ANALYSIS), NULL},
    {"traj_every", "10", KIND(ISOTHERM) | KIND(GLASS), NULL}, /* melt, quench: none */
    {"threads_per_job", "2", MD_JOBS, NULL}, /* results are bitwise at a fixed count */
    {"jobs", "3", 0, NULL},
    {"exp_sq", "@exp.sq", KIND(ANALYSIS), NULL},
    {"msd_fit", "1:2", KIND(ANALYSIS), NULL},
    {"output_dir", "@moved.study", 0, NULL},    /* a study folder may be moved */
    {"checkpoint_every", "100", MD_JOBS, NULL}, /* a checkpoint rebuilds the neighbour list */
    {"traj_format", "dump", KIND(ISOTHERM) | KIND(GLASS), NULL},
    {"chain", "1", MD_JOBS, NULL},
    {"pressure", "1 bar", MD_JOBS, NULL}, /* NPT melt, quench and equilibrations */
};
#define NEFFECTS (sizeof EFFECTS / sizeof EFFECTS[0])

/* Two compositions (one from x, one from counts), three isotherms (2000 K from the melt),
 * 26 jobs. */
static const char *const BASE_LINES[] = {
    "forcefield = @base.ff",
    "compositions = 0.5",
    "counts = Si=20,S=80,Na=80",
    "atoms = 120",
    "density = 0.043",
    "melt_time = 2",
    "quench_rate = 1000",
    "isotherms = 2000, 1500, 1000",
    "isotherm_equil = 0.5",
    "isotherm_time = 2",
    "glass_time = 2",
    "cutoff = 6",
    "traj_every = 20",
    "output_dir = @base.study",
    NULL,
};

static char g_dir[256];

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/gmd-study-keys-XXXXXX", tmp ? tmp : "/tmp");
    if (!mkdtemp(g_dir)) return -1;
    char ff[512], cmd[2048];
    tu_source_path("data/forcefields/na2s-sis2.ff", ff, sizeof ff);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && cp '%s' base.ff && cp base.ff other.ff && "
             "echo '# other bytes, the same model' >> other.ff && echo '1.0 1.0' > exp.sq",
             g_dir, ff);
    return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* "key = value" with @NAME resolved to the scratch folder. */
static int put_line(char *out, size_t len, const char *key, const char *value)
{
    if (value[0] == '@') return snprintf(out, len, "%s = %s/%s\n", key, g_dir, value + 1);
    return snprintf(out, len, "%s = %s\n", key, value);
}

/* The base study with the line of `key` set to value (replaced, or added); key NULL:
 * the base itself. */
static void study_text(const char *key, const char *value, char *out, size_t len)
{
    size_t used = 0, klen = key ? strlen(key) : 0;
    int replaced = 0;
    for (int i = 0; BASE_LINES[i]; i++) {
        const char *line = BASE_LINES[i], *eq = strstr(line, " = ");
        int same_key = key && (size_t)(eq - line) == klen && strncmp(line, key, klen) == 0;
        char line_key[64];
        snprintf(line_key, sizeof line_key, "%.*s", (int)(eq - line), line);
        used += (size_t)put_line(out + used, len - used, line_key, same_key ? value : eq + 3);
        replaced |= same_key;
        assert_true(used < len);
    }
    if (key && !replaced) put_line(out + used, len - used, key, value);
}

typedef struct planned {
    gmd_study *study;
    gmd_study_plan plan;
} planned;

/* mkdir -p of the folder of path */
static void make_folder_of(const char *path)
{
    char dir[2048];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        mkdir(dir, 0777);
        *p = '/';
    }
}

/* What a job that starts from a file finds there: its producer's inputs hash. */
static void write_start_file(const gmd_study_plan *plan, const gmd_study_job *job)
{
    make_folder_of(job->input_file);
    FILE *f = fopen(job->input_file, "w");
    assert_non_null(f);
    fprintf(f, "%016llx %s\n", plan->jobs[job->deps[0]].hash, strrchr(job->input_file, '/'));
    fclose(f);
}

/* Plans the study `text` and computes every job's inputs hash. */
static void plan_study(const char *text, planned *p)
{
    char path[512];
    snprintf(path, sizeof path, "%s/study.ini", g_dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    p->study = calloc(1, sizeof *p->study);
    assert_non_null(p->study);
    gmd_error err;
    gmd_error_clear(&err);
    if (gmd_study_read(p->study, path, &err) != GMD_OK) fail_msg("%s\n%s", err.message, text);
    if (gmd_study_plan_make(&p->plan, p->study, &err) != GMD_OK) fail_msg("%s", err.message);
    for (int j = 0; j < p->plan.njobs; j++) {
        if (p->plan.jobs[j].input_file[0]) write_start_file(&p->plan, &p->plan.jobs[j]);
        if (!gmd_study_job_update_hash(&p->plan, j))
            fail_msg("no inputs hash for %s", p->plan.jobs[j].name);
    }
}

static void planned_free(planned *p)
{
    gmd_study_plan_free(&p->plan);
    free(p->study);
}

static int job_named(const gmd_study_plan *plan, const char *name)
{
    for (int j = 0; j < plan->njobs; j++)
        if (strcmp(plan->jobs[j].name, name) == 0) return j;
    return -1;
}

static int uses_key_directly(const effect *e, const planned *p, const gmd_study_job *job)
{
    if (!(e->direct & (1u << job->kind))) return 0;
    if (!e->scope) return 1;
    const char *label = job->comp >= 0 ? p->study->comp[job->comp].label : "";
    return strncmp(label, e->scope, strlen(e->scope)) == 0;
}

/* Adds ", name" to list (of size LIST_LEN), or "..." once it is full. */
#define LIST_LEN 1024
static void list_add(char *list, const char *name)
{
    size_t used = strlen(list);
    if (used + strlen(name) + 8 < LIST_LEN)
        snprintf(list + used, LIST_LEN - used, "%s%s", used ? ", " : "", name);
    else if (!strstr(list, "..."))
        snprintf(list + used, LIST_LEN - used, ", ...");
}

/* Changes one key and prints the jobs whose fate differs from EFFECTS; 1 when any. */
static int check_effect(const effect *e, const planned *base)
{
    char text[4096], not_redone[LIST_LEN] = "", not_kept[LIST_LEN] = "";
    study_text(e->key, e->value, text, sizeof text);
    planned changed;
    plan_study(text, &changed);
    int n = changed.plan.njobs;
    int *expected = calloc((size_t)n, sizeof *expected);
    assert_non_null(expected);
    for (int j = 0; j < n; j++) {
        const gmd_study_job *job = &changed.plan.jobs[j];
        int old = job_named(&base->plan, job->name);
        int redone = old < 0 || base->plan.jobs[old].hash != job->hash;
        expected[j] = old < 0 || uses_key_directly(e, &changed, job);
        for (int d = 0; d < job->ndeps; d++)
            expected[j] |= expected[job->deps[d]];
        if (redone != expected[j]) list_add(redone ? not_kept : not_redone, job->name);
    }
    free(expected);
    planned_free(&changed);
    if (not_redone[0])
        print_error("study key %s = %s keeps jobs it must redo: %s\n", e->key, e->value,
                    not_redone);
    if (not_kept[0])
        print_error("study key %s = %s redoes jobs it must keep: %s\n", e->key, e->value, not_kept);
    return not_redone[0] || not_kept[0];
}

static const effect *effect_of(const char *key)
{
    for (size_t e = 0; e < NEFFECTS; e++)
        if (strcmp(EFFECTS[e].key, key) == 0) return &EFFECTS[e];
    return NULL;
}

static void test_effects_name_every_key(void **state)
{
    (void)state;
    const char *const *keys = gmd_study_keys();
    size_t n = 0;
    for (; keys[n]; n++)
        if (!effect_of(keys[n]))
            fail_msg("study key '%s' is not in EFFECTS: state which jobs changing it redoes",
                     keys[n]);
    assert_int_equal(n, NEFFECTS); /* and EFFECTS names no key that does not exist */
}

static void test_every_key_redoes_exactly_its_jobs(void **state)
{
    (void)state;
    char text[4096];
    study_text(NULL, NULL, text, sizeof text);
    planned base;
    plan_study(text, &base);
    assert_int_equal(base.plan.njobs, 26);
    planned again; /* the same study: nothing to redo */
    plan_study(text, &again);
    for (int j = 0; j < base.plan.njobs; j++)
        assert_true(again.plan.jobs[j].hash == base.plan.jobs[j].hash);
    planned_free(&again);
    int nwrong = 0;
    for (const char *const *key = gmd_study_keys(); *key; key++) {
        const effect *e = effect_of(*key);
        if (e) nwrong += check_effect(e, &base);
    }
    planned_free(&base);
    if (nwrong) fail_msg("%d study key(s) redo other jobs than stated (listed above)", nwrong);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_effects_name_every_key),
        cmocka_unit_test(test_every_key_redoes_exactly_its_jobs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
