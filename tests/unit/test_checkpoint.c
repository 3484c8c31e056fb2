/* test_checkpoint.c - exact restart files.
 *
 * Round trips use random bit patterns for every double (so negative zero, subnormals,
 * infinities and NaN payloads all occur) plus those special values placed on purpose, and
 * compare bit for bit (memcmp), field by field. Damage is checked exhaustively on a small
 * file: flipping any single byte, cutting the file at any length or appending a byte must
 * each be rejected. The checksum is checked against published FNV-1a test vectors. The
 * atomic write is checked by making the write fail (PATH.tmp is a folder; a file-size
 * limit hit mid-write; a missing folder) and verifying the old file is still intact. */
#define _POSIX_C_SOURCE 200809L
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "glassmd/checkpoint.h"
#include "glassmd/rng.h"

static char g_dir[256];

static const char *in_dir(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", g_dir, name);
    return buf;
}

static int setup_dir(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/gmd-ckpt-XXXXXX", tmp ? tmp : "/tmp");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    (void)state;
    const char *names[] = {"a.ckpt", "a.ckpt.tmp", "b.ckpt",     "b.ckpt.tmp", "c.ckpt",
                           "d.ckpt", "e.ckpt",     "e.ckpt.tmp", "f.txt",      NULL};
    char p[512];
    for (int i = 0; names[i]; i++) {
        remove(in_dir(names[i], p, sizeof p));
    }
    rmdir(g_dir);
    return 0;
}

/* ---- a random state ------------------------------------------------------------------ */

typedef struct snapshot {
    gmd_md_state md;
    gmd_box box;
    gmd_tally tally;
    gmd_atoms atoms;
    gmd_checkpoint_meta meta;
    unsigned char *blob;
    size_t blob_len;
} snapshot;

static double random_bits_double(gmd_rng *rng)
{
    uint64_t bits = gmd_rng_next(rng);
    double x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

/* Random bit patterns, with the awkward values placed at the start of the list. */
static void fill_doubles(gmd_rng *rng, double *x, size_t n)
{
    const double special[] = {-0.0,    0.0,       DBL_MIN / 3.0, -DBL_TRUE_MIN,
                              DBL_MAX, -INFINITY, NAN,           1.0 / 3.0};
    for (size_t i = 0; i < n; i++)
        x[i] = i < sizeof special / sizeof special[0] ? special[i] : random_bits_double(rng);
}

static void make_snapshot(snapshot *s, size_t n, size_t blob_len, uint64_t seed)
{
    gmd_rng rng;
    gmd_rng_seed(&rng, seed);
    memset(s, 0, sizeof *s);
    gmd_md_state *md = &s->md;
    md->step = -(long)(gmd_rng_next(&rng) >> 2);
    fill_doubles(&rng, &md->time_ps, 1);
    md->dt_ps = random_bits_double(&rng);
    md->ensemble = GMD_ENSEMBLE_NVT;
    md->t_target_K = -0.0;
    md->nhc.length = 3;
    md->nhc.tdamp_ps = DBL_TRUE_MIN;
    fill_doubles(&rng, md->nhc.eta, GMD_NHC_MAX);
    fill_doubles(&rng, md->nhc.eta_dot, GMD_NHC_MAX);
    for (int i = 0; i < GMD_NHC_MAX; i++)
        md->nhc.mass[i] = random_bits_double(&rng);
    for (int i = 0; i < 4; i++)
        md->rng.s[i] = gmd_rng_next(&rng);
    md->dof = (long)(gmd_rng_next(&rng) >> 1);
    fill_doubles(&rng, &md->baro.p_target_bar, 1);
    md->baro.pdamp_ps = random_bits_double(&rng);
    md->baro.omega_dot = random_bits_double(&rng);
    md->baro.chain.length = (int)(uint32_t)gmd_rng_next(&rng);
    md->baro.chain.tdamp_ps = random_bits_double(&rng);
    fill_doubles(&rng, md->baro.chain.eta, GMD_NHC_MAX);
    fill_doubles(&rng, md->baro.chain.eta_dot, GMD_NHC_MAX);
    fill_doubles(&rng, md->baro.chain.mass, GMD_NHC_MAX);
    fill_doubles(&rng, md->box_ref.lo, 3);
    fill_doubles(&rng, md->box_ref.len, 3);
    fill_doubles(&rng, s->tally.energy, GMD_TALLY_MAX_PARTS);
    fill_doubles(&rng, s->tally.virial, 6);
    fill_doubles(&rng, s->box.lo, 3);
    for (int k = 0; k < 3; k++)
        s->box.len[k] = random_bits_double(&rng);
    gmd_error err;
    assert_int_equal(gmd_atoms_init(&s->atoms, n, &err), GMD_OK);
    gmd_atoms *a = &s->atoms;
    for (size_t i = 0; i < n; i++) {
        a->id[i] = (long)(gmd_rng_next(&rng)); /* any 64-bit pattern, negative too */
        a->type[i] = (int)(uint32_t)gmd_rng_next(&rng);
        for (int k = 0; k < 3; k++)
            a->image[k][i] = (int)(uint32_t)gmd_rng_next(&rng);
    }
    fill_doubles(&rng, a->charge, n);
    for (int k = 0; k < 3; k++) {
        fill_doubles(&rng, a->r[k], n);
        fill_doubles(&rng, a->v[k], n);
        fill_doubles(&rng, a->f[k], n);
    }
    s->meta.stage_index = 5;
    s->meta.stage_step = -123456789012L;
    s->meta.noutputs = 3;
    for (int i = 0; i < GMD_CHECKPOINT_MAX_OUTPUTS; i++)
        s->meta.output_position[i] = (long)gmd_rng_next(&rng);
    s->meta.input_hash = gmd_rng_next(&rng);
    s->blob_len = blob_len;
    s->blob = blob_len ? malloc(blob_len) : NULL;
    for (size_t i = 0; i < blob_len; i++)
        s->blob[i] = (unsigned char)gmd_rng_next(&rng); /* zero bytes included */
}

static void free_snapshot(snapshot *s)
{
    gmd_atoms_free(&s->atoms);
    free(s->blob);
}

static gmd_status write_snapshot(const char *path, const snapshot *s, gmd_error *err)
{
    snapshot *w = (snapshot *)s; /* the state's pointers are not const; nothing is written */
    gmd_checkpoint_state cs = {&w->md, &w->box, &w->atoms, &w->tally};
    return gmd_checkpoint_write(path, &cs, &s->meta, s->blob, s->blob_len, err);
}

static gmd_status read_snapshot(const char *path, snapshot *s, gmd_error *err)
{
    void *blob = NULL;
    gmd_checkpoint_state cs = {&s->md, &s->box, &s->atoms, &s->tally};
    gmd_status st = gmd_checkpoint_read(path, &cs, &s->meta, &blob, &s->blob_len, err);
    if (st == GMD_OK) s->blob = blob;
    return st;
}

#define SAME(a, b) (memcmp(&(a), &(b), sizeof(a)) == 0)

static void assert_same_md(const gmd_md_state *a, const gmd_md_state *b)
{
    assert_true(SAME(a->step, b->step));
    assert_true(SAME(a->time_ps, b->time_ps));
    assert_true(SAME(a->dt_ps, b->dt_ps));
    assert_true(SAME(a->ensemble, b->ensemble));
    assert_true(SAME(a->t_target_K, b->t_target_K));
    assert_true(SAME(a->nhc.length, b->nhc.length));
    assert_true(SAME(a->nhc.tdamp_ps, b->nhc.tdamp_ps));
    assert_true(SAME(a->nhc.eta, b->nhc.eta));
    assert_true(SAME(a->nhc.eta_dot, b->nhc.eta_dot));
    assert_true(SAME(a->nhc.mass, b->nhc.mass));
    assert_true(SAME(a->rng, b->rng));
    assert_true(SAME(a->dof, b->dof));
    assert_true(SAME(a->baro, b->baro));
    assert_true(SAME(a->box_ref, b->box_ref));
    /* both were zeroed before the fields were set, so padding agrees too: a field added to
     * gmd_md_state but not saved shows up here */
    assert_true(SAME(*a, *b));
}

static void assert_same_atoms(const gmd_atoms *a, const gmd_atoms *b)
{
    size_t n = a->n;
    assert_int_equal(b->n, n);
    assert_memory_equal(a->id, b->id, n * sizeof a->id[0]);
    assert_memory_equal(a->type, b->type, n * sizeof a->type[0]);
    assert_memory_equal(a->charge, b->charge, n * sizeof a->charge[0]);
    for (int k = 0; k < 3; k++) {
        assert_memory_equal(a->r[k], b->r[k], n * sizeof(double));
        assert_memory_equal(a->v[k], b->v[k], n * sizeof(double));
        assert_memory_equal(a->f[k], b->f[k], n * sizeof(double));
        assert_memory_equal(a->image[k], b->image[k], n * sizeof(int));
    }
}

static void assert_same_snapshot(const snapshot *a, const snapshot *b)
{
    assert_same_md(&a->md, &b->md);
    assert_true(SAME(a->box, b->box));
    assert_true(SAME(a->tally, b->tally));
    assert_same_atoms(&a->atoms, &b->atoms);
    assert_true(SAME(a->meta.stage_index, b->meta.stage_index));
    assert_true(SAME(a->meta.stage_step, b->meta.stage_step));
    assert_true(SAME(a->meta.noutputs, b->meta.noutputs));
    assert_true(SAME(a->meta.output_position, b->meta.output_position));
    assert_true(SAME(a->meta.input_hash, b->meta.input_hash));
    assert_int_equal(a->blob_len, b->blob_len);
    if (a->blob_len)
        assert_memory_equal(a->blob, b->blob, a->blob_len);
    else
        assert_null(b->blob);
}

static unsigned char *load(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    *len = (size_t)ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *buf = malloc(*len + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, *len, fp), *len);
    fclose(fp);
    return buf;
}

static void save(const char *path, const unsigned char *buf, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(buf, 1, len, fp), len);
    fclose(fp);
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* ---- tests -------------------------------------------------------------------------- */

static void test_fnv1a_vectors(void **state)
{
    (void)state;
    /* published FNV-1a 64 test vectors (Fowler/Noll/Vo reference test suite) */
    assert_true(gmd_fnv1a64("", 0, GMD_FNV1A64_INIT) == 0xcbf29ce484222325ULL);
    assert_true(gmd_fnv1a64("a", 1, GMD_FNV1A64_INIT) == 0xaf63dc4c8601ec8cULL);
    assert_true(gmd_fnv1a64("foobar", 6, GMD_FNV1A64_INIT) == 0x85944171f73967e8ULL);
    /* incremental use gives the same as one call */
    uint64_t h = gmd_fnv1a64("foo", 3, GMD_FNV1A64_INIT);
    assert_true(gmd_fnv1a64("bar", 3, h) == 0x85944171f73967e8ULL);
    /* over a file's bytes (70000 of them: more than one read buffer) */
    char p[512];
    FILE *f = fopen(in_dir("f.txt", p, sizeof p), "wb");
    assert_non_null(f);
    unsigned char bytes[70000];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (unsigned char)(i * 7 + 3);
    assert_int_equal(fwrite(bytes, 1, sizeof bytes, f), sizeof bytes);
    fclose(f);
    int ok = 0;
    assert_true(gmd_fnv1a64_file(p, GMD_FNV1A64_INIT, &ok) ==
                gmd_fnv1a64(bytes, sizeof bytes, GMD_FNV1A64_INIT));
    assert_int_equal(ok, 1);
    assert_true(gmd_fnv1a64_file(in_dir("missing.txt", p, sizeof p), 42, &ok) == 42);
    assert_int_equal(ok, 0);
}

static void test_round_trip_bit_exact(void **state)
{
    (void)state;
    char path[512], tmp[512];
    in_dir("a.ckpt", path, sizeof path);
    snapshot orig, back;
    make_snapshot(&orig, 1000, 777, 42);
    gmd_error err;
    assert_int_equal(write_snapshot(path, &orig, &err), GMD_OK);
    assert_false(exists(in_dir("a.ckpt.tmp", tmp, sizeof tmp))); /* no .tmp left behind */
    memset(&back, 0, sizeof back);
    assert_int_equal(read_snapshot(path, &back, &err), GMD_OK);
    assert_same_snapshot(&orig, &back);
    free_snapshot(&back);

    /* into atoms that already hold more atoms: reused, n set to the file's */
    memset(&back, 0, sizeof back);
    assert_int_equal(gmd_atoms_init(&back.atoms, 5000, &err), GMD_OK);
    assert_int_equal(read_snapshot(path, &back, &err), GMD_OK);
    assert_same_snapshot(&orig, &back);
    free_snapshot(&back);
    free_snapshot(&orig);
}

/* A snapshot (n atoms, blob_len, seed) written to NAME in the test folder (path filled),
 * and the file's bytes (*len of them; free them). */
static unsigned char *written_bytes(const char *name, char path[512], snapshot *s, size_t n,
                                    size_t blob_len, uint64_t seed, size_t *len)
{
    in_dir(name, path, 512);
    make_snapshot(s, n, blob_len, seed);
    gmd_error err;
    assert_int_equal(write_snapshot(path, s, &err), GMD_OK);
    return load(path, len);
}

static void test_file_layout(void **state)
{
    (void)state;
    char path[512];
    snapshot s;
    size_t len;
    unsigned char *buf = written_bytes("b.ckpt", path, &s, 10, 3, 7, &len);
    assert_memory_equal(buf, "GLASSMD-CKPT", 12);
    assert_int_equal(buf[12], GMD_CHECKPOINT_VERSION); /* little-endian u32 */
    assert_int_equal(buf[13] | buf[14] | buf[15], 0);
    assert_int_equal(buf[16], 10); /* natoms, little-endian u64 */
    /* the last 8 bytes are FNV-1a 64 of everything before them, little-endian */
    uint64_t want = gmd_fnv1a64(buf, len - 8, GMD_FNV1A64_INIT), got = 0;
    for (int i = 0; i < 8; i++)
        got |= (uint64_t)buf[len - 8 + i] << (8 * i);
    assert_true(got == want);
    free(buf);
    free_snapshot(&s);
}

/* A version-1 file (before the barostat: no barostat and tally sections), made here from
 * a version-2 one by cutting those sections out (offsets of checkpoint.c's layout) and
 * fixing version, size and checksum: it reads back with everything it holds, the
 * barostat at gmd_md_init's rest state (1 bar, 1 ps, chain 3), box_ref = box and a zero
 * tally. */
static void test_reads_version_1(void **state)
{
    (void)state;
    enum { HEADER = 40, MD = 280, BARO = 276, BOX = 48, TALLY = 176 };
    char path[512];
    snapshot s;
    size_t len;
    unsigned char *v2 = written_bytes("c.ckpt", path, &s, 4, 2, 13, &len);
    gmd_error err;
    unsigned char *v1 = malloc(len);
    assert_non_null(v1);
    size_t at = 0;
    memcpy(v1, v2, HEADER + MD); /* header, md */
    at = HEADER + MD;
    memcpy(v1 + at, v2 + HEADER + MD + BARO, BOX); /* box */
    at += BOX;
    size_t rest = len - (HEADER + MD + BARO + BOX + TALLY) - 8; /* atoms, meta, blob */
    memcpy(v1 + at, v2 + HEADER + MD + BARO + BOX + TALLY, rest);
    at += rest;
    size_t v1_len = at + 8;
    v1[12] = 1;
    for (int i = 0; i < 8; i++)
        v1[32 + i] = (unsigned char)((uint64_t)v1_len >> (8 * i));
    uint64_t sum = gmd_fnv1a64(v1, at, GMD_FNV1A64_INIT);
    for (int i = 0; i < 8; i++)
        v1[at + i] = (unsigned char)(sum >> (8 * i));
    save(path, v1, v1_len);
    snapshot back;
    memset(&back, 0, sizeof back);
    assert_int_equal(read_snapshot(path, &back, &err), GMD_OK);
    assert_true(SAME(back.md.step, s.md.step) && SAME(back.md.nhc, s.md.nhc));
    assert_true(SAME(back.md.rng, s.md.rng) && SAME(back.md.dof, s.md.dof));
    assert_true(SAME(back.box, s.box) && SAME(back.md.box_ref, s.box));
    assert_same_atoms(&s.atoms, &back.atoms);
    assert_int_equal(back.blob_len, s.blob_len);
    assert_true(back.md.baro.p_target_bar == 1.0 && back.md.baro.pdamp_ps == 1.0);
    assert_true(back.md.baro.omega_dot == 0.0 && back.md.baro.chain.length == 3);
    for (int i = 0; i < GMD_TALLY_MAX_PARTS; i++)
        assert_true(back.tally.energy[i] == 0.0);
    free(v1);
    free(v2);
    free_snapshot(&back);
    free_snapshot(&s);
}

static void test_blob_round_trip(void **state)
{
    (void)state;
    char path[512];
    in_dir("c.ckpt", path, sizeof path);
    gmd_error err;
    size_t lens[] = {0, 1, 4096};
    for (int t = 0; t < 3; t++) {
        snapshot orig, back;
        make_snapshot(&orig, 4, lens[t], 100 + (uint64_t)t);
        assert_int_equal(write_snapshot(path, &orig, &err), GMD_OK);
        memset(&back, 0, sizeof back);
        back.blob_len = 12345;
        assert_int_equal(read_snapshot(path, &back, &err), GMD_OK);
        assert_same_snapshot(&orig, &back);
        free_snapshot(&back);
        free_snapshot(&orig);
    }
    /* no atoms at all */
    snapshot orig, back;
    make_snapshot(&orig, 0, 16, 9);
    assert_int_equal(write_snapshot(path, &orig, &err), GMD_OK);
    memset(&back, 0, sizeof back);
    assert_int_equal(read_snapshot(path, &back, &err), GMD_OK);
    assert_same_snapshot(&orig, &back);
    free_snapshot(&back);
    free_snapshot(&orig);
}

/* Every single-byte change, every truncation and an extra byte are rejected, with the
 * path and the right diagnosis in the message; the outputs stay untouched. */
static void test_damage_detected(void **state)
{
    (void)state;
    char good[512], bad[512];
    in_dir("d.ckpt", good, sizeof good);
    in_dir("e.ckpt", bad, sizeof bad);
    snapshot s;
    make_snapshot(&s, 3, 5, 11);
    gmd_error err;
    assert_int_equal(write_snapshot(good, &s, &err), GMD_OK);
    size_t len;
    unsigned char *buf = load(good, &len);
    snapshot back;
    memset(&back, 0, sizeof back);
    back.md.step = 99;
    for (size_t pos = 0; pos < len; pos++) {
        buf[pos] ^= 0x10;
        save(bad, buf, len);
        buf[pos] ^= 0x10;
        gmd_error_clear(&err);
        assert_int_not_equal(read_snapshot(bad, &back, &err), GMD_OK);
        assert_non_null(strstr(err.message, bad));
        /* a damaged size field (bytes 32-39) may also read as "truncated" */
        int sized = pos >= 32 && pos < 40 && strstr(err.message, "truncated");
        if (pos >= 16 && !sized && !strstr(err.message, "checksum mismatch"))
            fail_msg("byte %zu: %s", pos, err.message);
    }
    assert_non_null(strstr(err.message, "delete it to start over or restore a backup"));
    for (size_t cut = 0; cut < len; cut++) {
        save(bad, buf, cut);
        assert_int_not_equal(read_snapshot(bad, &back, &err), GMD_OK);
        if (!strstr(err.message, "truncated")) fail_msg("cut at %zu: %s", cut, err.message);
    }
    unsigned char *longer = malloc(len + 1);
    assert_non_null(longer);
    memcpy(longer, buf, len);
    longer[len] = 0;
    save(bad, longer, len + 1);
    assert_int_not_equal(read_snapshot(bad, &back, &err), GMD_OK);
    assert_non_null(strstr(err.message, "corrupt"));
    free(longer);
    /* nothing was written into the outputs by any rejected read */
    assert_true(back.md.step == 99 && back.atoms.n == 0 && back.blob == NULL);
    /* a foreign file */
    save(bad, (const unsigned char *)"GLASSMD-CKPX and more bytes", 27);
    assert_int_not_equal(read_snapshot(bad, &back, &err), GMD_OK);
    assert_non_null(strstr(err.message, "not a glassmd checkpoint"));
    /* a missing file */
    assert_int_equal(read_snapshot(in_dir("missing.ckpt", bad, sizeof bad), &back, &err),
                     GMD_ERR_IO);
    free(buf);
    free_snapshot(&s);
}

/* A failed write never replaces the good file and leaves no partial PATH.tmp. */
static void test_atomic_write_failures(void **state)
{
    (void)state;
    char path[512], tmp[512];
    in_dir("a.ckpt", path, sizeof path);
    in_dir("a.ckpt.tmp", tmp, sizeof tmp);
    snapshot good, newer, back;
    make_snapshot(&good, 50, 10, 1);
    make_snapshot(&newer, 2000, 10, 2);
    gmd_error err;
    assert_int_equal(write_snapshot(path, &good, &err), GMD_OK);

    /* 1. PATH.tmp cannot be created (a folder is in the way; works as root too) */
    assert_int_equal(mkdir(tmp, 0755), 0);
    assert_int_equal(write_snapshot(path, &newer, &err), GMD_ERR_IO);
    assert_non_null(strstr(err.message, tmp));
    assert_int_equal(rmdir(tmp), 0);
    memset(&back, 0, sizeof back);
    assert_int_equal(read_snapshot(path, &back, &err), GMD_OK);
    assert_same_snapshot(&good, &back);
    free_snapshot(&back);

    /* 2. the write fails part way (file-size limit, like a full disk) */
    struct rlimit saved, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
    small = saved;
    small.rlim_cur = 8192; /* the new file needs ~200 kB */
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    gmd_status st = write_snapshot(path, &newer, &err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
    signal(SIGXFSZ, old_handler);
    assert_int_equal(st, GMD_ERR_IO);
    assert_non_null(strstr(err.message, "unchanged"));
    assert_false(exists(tmp));
    memset(&back, 0, sizeof back);
    assert_int_equal(read_snapshot(path, &back, &err), GMD_OK);
    assert_same_snapshot(&good, &back);
    free_snapshot(&back);

    /* 3. a folder that does not exist */
    char nowhere[600];
    snprintf(nowhere, sizeof nowhere, "%s/no/such/folder/x.ckpt", g_dir);
    assert_int_equal(write_snapshot(nowhere, &newer, &err), GMD_ERR_IO);
    assert_non_null(strstr(err.message, "no/such/folder"));

    /* 4. a read-only folder (meaningless as root, who may write anyway) */
    if (geteuid() != 0) {
        assert_int_equal(chmod(g_dir, 0555), 0);
        st = write_snapshot(path, &newer, &err);
        chmod(g_dir, 0755);
        assert_int_equal(st, GMD_ERR_IO);
        assert_false(exists(tmp));
        memset(&back, 0, sizeof back);
        assert_int_equal(read_snapshot(path, &back, &err), GMD_OK);
        assert_same_snapshot(&good, &back);
        free_snapshot(&back);
    } else {
        print_message("running as root: read-only folder case skipped\n");
    }

    /* and a write that can succeed replaces the file completely */
    assert_int_equal(write_snapshot(path, &newer, &err), GMD_OK);
    assert_false(exists(tmp));
    memset(&back, 0, sizeof back);
    assert_int_equal(read_snapshot(path, &back, &err), GMD_OK);
    assert_same_snapshot(&newer, &back);
    free_snapshot(&back);
    free_snapshot(&newer);
    free_snapshot(&good);
}

/* A stale PATH.tmp from a crash does not disturb the next write. */
static void test_stale_tmp_overwritten(void **state)
{
    (void)state;
    char path[512], tmp[512];
    in_dir("b.ckpt", path, sizeof path);
    in_dir("b.ckpt.tmp", tmp, sizeof tmp);
    save(tmp, (const unsigned char *)"half a checkpoint from a crash, much longer than...", 51);
    snapshot s, back;
    make_snapshot(&s, 20, 0, 3);
    gmd_error err;
    assert_int_equal(write_snapshot(path, &s, &err), GMD_OK);
    assert_false(exists(tmp));
    memset(&back, 0, sizeof back);
    assert_int_equal(read_snapshot(path, &back, &err), GMD_OK);
    assert_same_snapshot(&s, &back);
    free_snapshot(&back);
    free_snapshot(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fnv1a_vectors),         cmocka_unit_test(test_round_trip_bit_exact),
        cmocka_unit_test(test_file_layout),           cmocka_unit_test(test_reads_version_1),
        cmocka_unit_test(test_blob_round_trip),       cmocka_unit_test(test_damage_detected),
        cmocka_unit_test(test_atomic_write_failures), cmocka_unit_test(test_stale_tmp_overwritten),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
