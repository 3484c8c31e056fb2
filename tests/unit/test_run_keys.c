/* test_run_keys.c - every key of the run input, enumerated from the key table itself
 * (gmd_run_key_count / gmd_run_key_at), so that a key added later is tested too:
 *   - its example value is written back by the canonical text, which reads back as the
 *     same text (printer and parser agree), and setting a key to its default changes
 *     nothing;
 *   - changing it changes the checkpoint's run hash (a resume must refuse) and a study MD
 *     job's canonical text (the job is redone) exactly as EXPECTED below says. EXPECTED is
 *     written by hand, not read from the table's roles: a key missing from it fails the
 *     test until someone states what the key must invalidate.
 * Also: every stage kind's example is canonical, and the checkpoint hash takes the chain
 * length resolved (chain = auto and the number it gives resume each other). */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "glassmd/run.h"
#include "glassmd/run_input.h"
#include "testutil.h"

/* What changing a key must invalidate. */
typedef struct expectation {
    const char *key;
    int checkpoint; /* the checkpoint's run hash changes: --resume refuses */
    int job;        /* a study MD job's canonical text changes: the job runs again */
} expectation;

static const expectation EXPECTED[] = {
    /* files: the checkpoint hash takes their bytes; a study job hashes its start file's
     * and the force field's bytes itself, so their paths are in neither */
    {"config", 1, 0},
    {"forcefield", 1, 0},
    {"seed", 1, 1},
    {"output_dir", 0, 0}, /* a run folder may be moved */
    {"types", 1, 1},
    {"kspace", 1, 1},
    {"accuracy", 1, 1},
    {"cutoff", 1, 1},
    {"threebody", 1, 1},
    {"dt_fs", 1, 1},
    {"thermo_every", 1, 1}, /* thermo.csv is cut back to its recorded size on resume */
    {"threebody_substeps", 1, 1},
    {"chain", 1, 1},
    {"velocity_K", 1, 1},
    {"tdamp_ps", 1, 1},
    {"pdamp_ps", 1, 1},
    {"traj_every", 1, 1},
    {"traj_format", 1, 1},
    {"checkpoint_every", 1, 1}, /* a checkpoint forces a neighbour-list rebuild */
    {"threads", 0, 1},          /* a resume may change it; the round-off follows it */
    {"stage", 1, 1},
};
#define NEXPECTED (sizeof EXPECTED / sizeof EXPECTED[0])

/* The base input: the required keys, and output_dir, which would otherwise follow the
 * input's file name. */
static const char *const BASE_LINES[] = {
    "config = start.data", "forcefield = base.ff",         "seed = 5",
    "output_dir = out",    "stage = nvt time=1ps T=1000K", NULL,
};

static char g_dir[256];

static void write_text(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* The reference force field, plus `extra` (a comment makes other bytes, the same model). */
static void write_forcefield(const char *name, const char *extra)
{
    char src[512], cmd[1536];
    tu_source_path("data/forcefields/na2s-sis2.ff", src, sizeof src);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s/%s' && printf '%s' >> '%s/%s'", src, g_dir, name, extra,
             g_dir, name);
    assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/gmd-run-keys-XXXXXX", tmp ? tmp : "/tmp");
    if (!mkdtemp(g_dir)) return -1;
    write_text("start.data", "# the base start: only its bytes matter here\n");
    write_text("glass.data", "# the example start: other bytes\n");
    write_forcefield("base.ff", "");
    write_forcefield("na2s-sis2.ff", "# the example force field: other bytes\n");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* The three canonical texts of a run input and its checkpoint hash. */
typedef struct texts {
    char *input, *checkpoint, *job;
    unsigned long long hash;
} texts;

static gmd_run_input *read_text(const char *text)
{
    write_text("key.in", text);
    char path[512];
    snprintf(path, sizeof path, "%s/key.in", g_dir);
    gmd_run_input *in = calloc(1, sizeof *in);
    assert_non_null(in);
    gmd_error err;
    gmd_error_clear(&err);
    if (gmd_run_input_read(in, path, &err) != GMD_OK) fail_msg("%s\n%s", err.message, text);
    return in;
}

static texts texts_of(const char *text)
{
    gmd_run_input *in = read_text(text);
    gmd_forcefield *ff = calloc(1, sizeof *ff);
    assert_non_null(ff);
    gmd_error err;
    if (gmd_forcefield_read(ff, in->forcefield, &err) != GMD_OK) fail_msg("%s", err.message);
    texts t = {.input = gmd_run_input_text(in, GMD_RUN_TEXT_INPUT, &err),
               .checkpoint = gmd_run_input_text(in, GMD_RUN_TEXT_CHECKPOINT, &err),
               .job = gmd_run_input_text(in, GMD_RUN_TEXT_JOB, &err)};
    assert_true(t.input && t.checkpoint && t.job);
    assert_int_equal(gmd_run_checkpoint_hash(in, ff, &t.hash, &err), GMD_OK);
    free(ff);
    free(in);
    return t;
}

static void texts_free(texts *t)
{
    free(t->input);
    free(t->checkpoint);
    free(t->job);
}

/* The base input with the line of `key` set to value (replaced where the base has one,
 * else added); key NULL: the base itself. */
static void with_key(const char *key, const char *value, char *out, size_t len)
{
    size_t used = 0, klen = key ? strlen(key) : 0;
    int replaced = 0;
    for (int i = 0; BASE_LINES[i]; i++) {
        const char *line = BASE_LINES[i];
        int same_key = key && strncmp(line, key, klen) == 0 && strncmp(line + klen, " = ", 3) == 0;
        if (same_key)
            used += (size_t)snprintf(out + used, len - used, "%s = %s\n", key, value);
        else
            used += (size_t)snprintf(out + used, len - used, "%s\n", line);
        replaced |= same_key;
        assert_true(used < len);
    }
    if (key && !replaced) snprintf(out + used, len - used, "%s = %s\n", key, value);
}

/* 1 when text holds the line "key = value". */
static int has_line(const char *text, const char *key, const char *value)
{
    char line[1400];
    snprintf(line, sizeof line, "%s = %s\n", key, value);
    size_t n = strlen(line);
    for (const char *p = text; *p; p++) {
        if (strncmp(p, line, n) == 0) return 1;
        p = strchr(p, '\n');
        if (!p) return 0;
    }
    return 0;
}

static const expectation *expectation_of(const char *key)
{
    for (size_t e = 0; e < NEXPECTED; e++)
        if (strcmp(EXPECTED[e].key, key) == 0) return &EXPECTED[e];
    return NULL;
}

/* The value the canonical text gives an example: paths come back resolved against the
 * input's folder. */
static void canonical_example(const gmd_run_key *key, char *out, size_t len)
{
    if (key->role == GMD_RUN_KEY_FILE || key->role == GMD_RUN_KEY_PLACE)
        snprintf(out, len, "%s/%s", g_dir, key->example);
    else
        snprintf(out, len, "%s", key->example);
}

static void test_expectations_name_every_key(void **state)
{
    (void)state;
    size_t n = gmd_run_key_count();
    assert_true(n >= NEXPECTED);
    for (size_t k = 0; k < n; k++)
        if (!expectation_of(gmd_run_key_at(k)->name))
            fail_msg("run key '%s' is not in EXPECTED: state whether changing it must "
                     "invalidate a checkpoint and redo a study job",
                     gmd_run_key_at(k)->name);
    for (size_t e = 0; e < NEXPECTED; e++) {
        size_t k = 0;
        while (k < n && strcmp(gmd_run_key_at(k)->name, EXPECTED[e].key) != 0)
            k++;
        if (k == n) fail_msg("EXPECTED names '%s', which is no run key", EXPECTED[e].key);
    }
    assert_null(gmd_run_key_at(n));
}

/* One key changed to its example: what the texts and the hash do. */
static void check_key(const gmd_run_key *key, const texts *base)
{
    const expectation *want = expectation_of(key->name);
    if (key->fallback && strcmp(key->example, key->fallback) == 0)
        fail_msg("%s: the example '%s' is the default; give another value", key->name,
                 key->example);
    char text[4096], value[1200];
    with_key(key->name, key->example, text, sizeof text);
    texts t = texts_of(text);
    canonical_example(key, value, sizeof value);
    if (!has_line(t.input, key->name, value))
        fail_msg("%s: the run input text lacks '%s = %s':\n%s", key->name, key->name, value,
                 t.input);
    texts again = texts_of(t.input); /* printer and parser agree */
    assert_string_equal(again.input, t.input);
    texts_free(&again);
    if ((t.hash != base->hash) != want->checkpoint)
        fail_msg("%s = %s %s the checkpoint hash; expected it %s", key->name, key->example,
                 t.hash != base->hash ? "changes" : "leaves alone",
                 want->checkpoint ? "to change" : "unchanged");
    if ((strcmp(t.job, base->job) != 0) != want->job)
        fail_msg("%s = %s %s a study job's text; expected it %s", key->name, key->example,
                 strcmp(t.job, base->job) ? "changes" : "leaves alone",
                 want->job ? "to change" : "unchanged");
    texts_free(&t);
}

/* A key set to its default: the same texts, written (or left out) as the table says. */
static void check_default(const gmd_run_key *key, const texts *base)
{
    if (!key->fallback) return;
    char text[4096];
    with_key(key->name, key->fallback, text, sizeof text);
    texts t = texts_of(text);
    assert_string_equal(t.input, base->input);
    assert_true(t.hash == base->hash);
    int written = has_line(base->input, key->name, key->fallback);
    if (written != (key->presence == GMD_RUN_KEY_WRITTEN))
        fail_msg("%s: its default is %s the run input text", key->name,
                 written ? "written into" : "left out of");
    texts_free(&t);
}

static void test_every_key_round_trips_and_invalidates_as_stated(void **state)
{
    (void)state;
    char text[4096];
    with_key(NULL, NULL, text, sizeof text);
    texts base = texts_of(text);
    for (size_t k = 0; k < gmd_run_key_count(); k++) {
        check_key(gmd_run_key_at(k), &base);
        check_default(gmd_run_key_at(k), &base);
    }
    texts_free(&base);
}

static void test_stage_examples_are_canonical(void **state)
{
    (void)state;
    for (int kind = GMD_STAGE_MINIMIZE; kind <= GMD_STAGE_NPT; kind++) {
        const char *line = gmd_stage_example((gmd_stage_kind)kind);
        assert_true(strncmp(line, "stage = ", 8) == 0);
        char text[1024];
        with_key("stage", line + 8, text, sizeof text);
        texts t = texts_of(text);
        if (!has_line(t.input, "stage", line + 8))
            fail_msg("'%s' is not written back as itself:\n%s", line, t.input);
        texts_free(&t);
    }
}

/* The reference force field cuts the three-body term hard, so auto is a chain of 1. */
static void test_checkpoint_takes_the_chain_resolved(void **state)
{
    (void)state;
    char text[1024];
    with_key(NULL, NULL, text, sizeof text);
    texts base = texts_of(text); /* chain = auto */
    with_key("chain", "1", text, sizeof text);
    texts one = texts_of(text);
    with_key("chain", "3", text, sizeof text);
    texts three = texts_of(text);
    assert_true(one.hash == base.hash);
    assert_true(three.hash != base.hash);
    assert_string_not_equal(one.job, base.job); /* a study job takes chain as written */
    texts_free(&base);
    texts_free(&one);
    texts_free(&three);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expectations_name_every_key),
        cmocka_unit_test(test_every_key_round_trips_and_invalidates_as_stated),
        cmocka_unit_test(test_stage_examples_are_canonical),
        cmocka_unit_test(test_checkpoint_takes_the_chain_resolved),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
