/* test_trajectory.c - the crash-safe output writers: LAMMPS dump, AMBER NetCDF, text.
 *
 * A small random system (20 atoms, ids shuffled and not contiguous, random image flags,
 * a box whose corner is not the origin) moves by random steps of up to 2.5 A, so atoms
 * cross the box and are re-wrapped, and two atoms trade places in the arrays every frame.
 * Beside the atoms the test keeps its own unwrapped trajectory (start + sum of steps),
 * which never looks at image counts; the writers must reproduce it from r + image * len,
 * in id order.
 *
 * Resume: an uninterrupted run writes 5 frames; an interrupted one writes 3, records the
 * position, then writes frames that differ (they stand for output written after the last
 * checkpoint) and stops. Reopened with keep = the recorded position and given frames 4-5,
 * the file must be byte-identical to the uninterrupted one (text, dump) or hold exactly
 * the same 5 frames (NetCDF, read back with the netCDF C API).
 *
 * With `--write-fixture DIR` the program writes DIR/fixture.{dump,nc,json} (the JSON with
 * the exact positions, %.17g) for tests/peer/test_traj_mdanalysis.py and exits. */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "glassmd/rng.h"
#include "glassmd/trajectory.h"
#include "testutil.h"

#define NATOMS 20
#define MAX_FRAMES 8
#define PATH_LEN 512
static const long COUNTS[3] = {4, 8, 8}; /* Si, S, Na: neutral */

/* ---- the moving system -------------------------------------------------------------- */

typedef struct scenario {
    gmd_forcefield ff;
    gmd_box box;
    gmd_atoms atoms;
    gmd_rng rng;
    double ux[3][NATOMS]; /* expected unwrapped position of the atom at each array index */
    long step;
    double time_ps;
} scenario;

static size_t rand_index(gmd_rng *rng, size_t n)
{
    return (size_t)(gmd_rng_next(rng) % n);
}

static void scenario_init(scenario *sc, unsigned long seed)
{
    const double lo[3] = {-3.25, 1.5, 0.125};
    tu_reference_ff(&sc->ff);
    tu_random_system(&sc->ff, COUNTS, 0.03, 1.5, seed, &sc->box, &sc->atoms);
    gmd_rng_seed(&sc->rng, seed + 17);
    long perm[NATOMS];
    for (size_t i = 0; i < NATOMS; i++)
        perm[i] = (long)i;
    for (size_t i = NATOMS - 1; i > 0; i--) {
        size_t j = rand_index(&sc->rng, i + 1);
        long t = perm[i];
        perm[i] = perm[j], perm[j] = t;
    }
    for (size_t i = 0; i < NATOMS; i++)
        sc->atoms.id[i] = 2 * perm[i] + 1; /* odd ids 1..39, shuffled */
    for (int k = 0; k < 3; k++) {
        sc->box.lo[k] = lo[k];
        for (size_t i = 0; i < NATOMS; i++) {
            sc->atoms.r[k][i] += lo[k];
            sc->atoms.image[k][i] = (int)rand_index(&sc->rng, 5) - 2;
            sc->ux[k][i] = sc->atoms.r[k][i] + sc->atoms.image[k][i] * sc->box.len[k];
        }
    }
    sc->step = 1000;
    sc->time_ps = 1.0;
}

static void swap_atoms(scenario *sc, size_t a, size_t b)
{
    gmd_atoms *at = &sc->atoms;
#define SWAP(type, x)                                                                              \
    do {                                                                                           \
        type t_ = (x)[a];                                                                          \
        (x)[a] = (x)[b], (x)[b] = t_;                                                              \
    } while (0)
    for (int k = 0; k < 3; k++) {
        SWAP(double, at->r[k]);
        SWAP(double, at->v[k]);
        SWAP(double, at->f[k]);
        SWAP(int, at->image[k]);
        SWAP(double, sc->ux[k]);
    }
    SWAP(double, at->charge);
    SWAP(int, at->type);
    SWAP(long, at->id);
#undef SWAP
}

/* One MD "frame": random steps, re-wrapping, a reordering of the arrays. */
static void scenario_advance(scenario *sc)
{
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < NATOMS; i++) {
            double d = 5.0 * (gmd_rng_uniform(&sc->rng) - 0.5);
            sc->atoms.r[k][i] += d;
            sc->ux[k][i] += d;
        }
    gmd_atoms_wrap(&sc->atoms, &sc->box);
    swap_atoms(sc, rand_index(&sc->rng, NATOMS), rand_index(&sc->rng, NATOMS));
    sc->step += 50;
    sc->time_ps += 0.05;
}

/* Array index of the atom with the given id (ids are 2 j + 1 for the j-th in id order). */
static size_t index_of_id(const scenario *sc, long id)
{
    for (size_t i = 0; i < NATOMS; i++)
        if (sc->atoms.id[i] == id) return i;
    fail_msg("no atom with id %ld", id);
    return 0;
}

typedef struct expected_frame {
    long step;
    double time_ps;
    gmd_box box;
    int type[NATOMS];
    double charge[NATOMS];
    double x[3][NATOMS]; /* id order */
} expected_frame;

static void scenario_expect(const scenario *sc, expected_frame *e)
{
    e->step = sc->step;
    e->time_ps = sc->time_ps;
    e->box = sc->box;
    for (size_t j = 0; j < NATOMS; j++) {
        size_t i = index_of_id(sc, 2 * (long)j + 1);
        e->type[j] = sc->atoms.type[i];
        e->charge[j] = sc->atoms.charge[i];
        for (int k = 0; k < 3; k++)
            e->x[k][j] = sc->ux[k][i];
    }
}

/* ---- scratch files ------------------------------------------------------------------ */

static char scratch[256];

static int make_scratch(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR");
    snprintf(scratch, sizeof scratch, "%s/glassmd-traj-XXXXXX", base ? base : "/tmp");
    return mkdtemp(scratch) ? 0 : -1;
}

static int remove_scratch(void **state)
{
    (void)state;
    char cmd[PATH_LEN];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *scratch_path(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", scratch, name);
    return buf;
}

static char *slurp(const char *path, long *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    *len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)*len + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)*len, fp), (size_t)*len);
    buf[*len] = '\0';
    fclose(fp);
    return buf;
}

static long file_size(const char *path)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    return (long)sb.st_size;
}

static void assert_same_bytes(const char *a, const char *b)
{
    long na, nb;
    char *da = slurp(a, &na), *db = slurp(b, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(da, db, (size_t)na);
    free(da);
    free(db);
}

/* ---- one interface over the three kinds of output ----------------------------------- */

enum { SINK_TEXT, SINK_DUMP, SINK_NETCDF };

typedef struct sink {
    int kind;
    gmd_text_writer *text;
    gmd_traj_writer *traj;
} sink;

static void sink_open(sink *s, int kind, const char *path, scenario *sc, long keep)
{
    gmd_error err;
    gmd_status st;
    s->kind = kind;
    if (kind == SINK_TEXT)
        st = gmd_text_open(&s->text, path, keep, &err);
    else
        st = gmd_traj_open(&s->traj, path,
                           kind == SINK_DUMP ? GMD_TRAJ_LAMMPS_DUMP : GMD_TRAJ_NETCDF, &sc->ff,
                           &sc->atoms, keep, &err);
    if (st != GMD_OK) fail_msg("open %s: %s", path, err.message);
}

/* A thermo-like text frame: two CSV lines from the system's state. */
static gmd_status text_frame(gmd_text_writer *w, const scenario *sc, gmd_error *err)
{
    gmd_status st =
        gmd_text_printf(w, err, "%ld,%.6f,%.17g\n", sc->step, sc->time_ps, sc->ux[0][0]);
    return st == GMD_OK ? gmd_text_printf(w, err, "# id %ld\n", sc->atoms.id[0]) : st;
}

static void sink_frame(sink *s, scenario *sc)
{
    gmd_error err;
    gmd_status st = s->kind == SINK_TEXT ? text_frame(s->text, sc, &err)
                                         : gmd_traj_write(s->traj, sc->step, sc->time_ps, &sc->box,
                                                          &sc->atoms, &err);
    if (st != GMD_OK) fail_msg("write: %s", err.message);
}

static void sink_flush(sink *s)
{
    gmd_error err;
    gmd_status st =
        s->kind == SINK_TEXT ? gmd_text_flush(s->text, &err) : gmd_traj_flush(s->traj, &err);
    if (st != GMD_OK) fail_msg("flush: %s", err.message);
}

static long sink_position(const sink *s)
{
    return s->kind == SINK_TEXT ? gmd_text_position(s->text) : gmd_traj_position(s->traj);
}

static void sink_close(sink *s)
{
    gmd_error err;
    gmd_status st =
        s->kind == SINK_TEXT ? gmd_text_close(s->text, &err) : gmd_traj_close(s->traj, &err);
    if (st != GMD_OK) fail_msg("close: %s", err.message);
}

/* Uninterrupted run: frames 1..nframes, flushed one by one; pos[f] after frame f. */
static void write_reference(int kind, const char *path, int nframes, long *pos,
                            expected_frame *expect)
{
    scenario sc;
    sink s;
    scenario_init(&sc, 42);
    sink_open(&s, kind, path, &sc, -1);
    pos[0] = sink_position(&s);
    for (int f = 1; f <= nframes; f++) {
        scenario_advance(&sc);
        sink_frame(&s, &sc);
        long before = sink_position(&s);
        sink_flush(&s);
        pos[f] = sink_position(&s);
        assert_int_equal(before, pos[f - 1]); /* unflushed data is not counted */
        if (expect) scenario_expect(&sc, &expect[f - 1]);
    }
    sink_close(&s);
    gmd_atoms_free(&sc.atoms);
}

/* Interrupted run: frames 1..3 and a checkpoint, then frames that the resumed run will not
 * reproduce (the state is advanced twice per frame), the last one never flushed.
 * Returns the checkpointed position. */
static long write_interrupted(int kind, const char *path)
{
    scenario sc;
    sink s;
    scenario_init(&sc, 42);
    sink_open(&s, kind, path, &sc, -1);
    for (int f = 1; f <= 3; f++) {
        scenario_advance(&sc);
        sink_frame(&s, &sc);
        sink_flush(&s);
    }
    long checkpoint = sink_position(&s);
    for (int f = 4; f <= 6; f++) {
        scenario_advance(&sc);
        scenario_advance(&sc);
        sink_frame(&s, &sc);
        if (f < 6) sink_flush(&s);
    }
    sink_close(&s);
    gmd_atoms_free(&sc.atoms);
    return checkpoint;
}

/* The run resumed from the checkpoint after frame 3: frames 4..last. */
static void write_resumed(int kind, const char *path, long keep, int last)
{
    scenario sc;
    sink s;
    scenario_init(&sc, 42);
    for (int f = 1; f <= 3; f++)
        scenario_advance(&sc);
    sink_open(&s, kind, path, &sc, keep);
    assert_int_equal(sink_position(&s), keep);
    for (int f = 4; f <= last; f++) {
        scenario_advance(&sc);
        sink_frame(&s, &sc);
        sink_flush(&s);
    }
    sink_close(&s);
    gmd_atoms_free(&sc.atoms);
}

/* ---- a LAMMPS dump reader, written from the format description ---------------------- */

typedef struct dump_frame {
    long step;
    size_t n;
    double lo[3], hi[3];
    long id[NATOMS];
    int type[NATOMS];
    char name[NATOMS][GMD_NAME_LEN];
    double q[NATOMS];
    double x[3][NATOMS];
} dump_frame;

static void expect_line(FILE *fp, const char *want)
{
    char line[256];
    assert_non_null(fgets(line, sizeof line, fp));
    assert_string_equal(line, want);
}

static int read_dump(const char *path, dump_frame *frames, int max)
{
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    int nf = 0;
    char line[256];
    while (fgets(line, sizeof line, fp)) {
        assert_true(nf < max);
        dump_frame *d = &frames[nf++];
        assert_string_equal(line, "ITEM: TIMESTEP\n");
        assert_int_equal(fscanf(fp, "%ld\n", &d->step), 1);
        expect_line(fp, "ITEM: NUMBER OF ATOMS\n");
        assert_int_equal(fscanf(fp, "%zu\n", &d->n), 1);
        assert_int_equal(d->n, NATOMS);
        expect_line(fp, "ITEM: BOX BOUNDS pp pp pp\n");
        for (int k = 0; k < 3; k++)
            assert_int_equal(fscanf(fp, "%lf %lf\n", &d->lo[k], &d->hi[k]), 2);
        expect_line(fp, "ITEM: ATOMS id type element q xu yu zu\n");
        for (size_t j = 0; j < d->n; j++)
            assert_int_equal(fscanf(fp, "%ld %d %15s %lf %lf %lf %lf\n", &d->id[j], &d->type[j],
                                    d->name[j], &d->q[j], &d->x[0][j], &d->x[1][j], &d->x[2][j]),
                             7);
    }
    fclose(fp);
    return nf;
}

static void check_dump_frame(const dump_frame *d, const expected_frame *e, const gmd_forcefield *ff)
{
    assert_int_equal(d->step, e->step);
    for (int k = 0; k < 3; k++) {
        assert_true(tu_rel_diff(d->lo[k], e->box.lo[k], 1.0) < 1e-15);
        assert_true(tu_rel_diff(d->hi[k] - d->lo[k], e->box.len[k], 1.0) < 1e-14);
    }
    for (size_t j = 0; j < NATOMS; j++) {
        assert_int_equal(d->id[j], 2 * (long)j + 1);
        assert_int_equal(d->type[j], e->type[j] + 1);
        assert_string_equal(d->name[j], ff->species[e->type[j]].name);
        assert_true(fabs(d->q[j] - e->charge[j]) < 1e-12);
        for (int k = 0; k < 3; k++)
            assert_true(fabs(d->x[k][j] - e->x[k][j]) < 1e-9 * fmax(1.0, fabs(e->x[k][j])));
    }
}

static void test_dump_unwrapped_in_id_order(void **state)
{
    (void)state;
    char path[PATH_LEN];
    long pos[6];
    expected_frame expect[5];
    dump_frame frames[MAX_FRAMES];
    scratch_path("content.dump", path, sizeof path);
    write_reference(SINK_DUMP, path, 5, pos, expect);
    assert_int_equal(read_dump(path, frames, MAX_FRAMES), 5);
    gmd_forcefield ff;
    tu_reference_ff(&ff);
    int crossed = 0;
    for (int f = 0; f < 5; f++) {
        check_dump_frame(&frames[f], &expect[f], &ff);
        /* the test means something only if unwrapped positions leave the box */
        for (size_t j = 0; j < NATOMS; j++)
            crossed += expect[f].x[0][j] < expect[f].box.lo[0] ||
                       expect[f].x[0][j] >= expect[f].box.lo[0] + expect[f].box.len[0];
    }
    assert_true(crossed > 10);
    assert_int_equal(pos[5], file_size(path));
}

/* ---- resume semantics, bytes -------------------------------------------------------- */

static void check_byte_resume(int kind, const char *name)
{
    char ref[PATH_LEN], run[PATH_LEN], name2[64];
    long pos[6];
    scratch_path(name, ref, sizeof ref);
    snprintf(name2, sizeof name2, "resumed-%s", name);
    scratch_path(name2, run, sizeof run);
    write_reference(kind, ref, 5, pos, NULL);
    long checkpoint = write_interrupted(kind, run);
    assert_int_equal(checkpoint, pos[3]);
    assert_true(file_size(run) > checkpoint); /* the doomed frames reached the file */
    write_resumed(kind, run, checkpoint, 5);
    assert_same_bytes(ref, run);
    /* a resume that stops after frame 4 leaves exactly the first 4 frames */
    write_interrupted(kind, run);
    write_resumed(kind, run, checkpoint, 4);
    assert_int_equal(file_size(run), pos[4]);
    long n;
    char *a = slurp(ref, &n), *b = slurp(run, &n);
    assert_memory_equal(a, b, (size_t)pos[4]);
    free(a);
    free(b);
}

static void test_text_resume_byte_identical(void **state)
{
    (void)state;
    check_byte_resume(SINK_TEXT, "thermo.csv");
}

static void test_dump_resume_byte_identical(void **state)
{
    (void)state;
    check_byte_resume(SINK_DUMP, "traj.dump");
}

static void test_text_resume_errors(void **state)
{
    (void)state;
    char path[PATH_LEN];
    gmd_text_writer *w;
    gmd_error err;
    scratch_path("missing.csv", path, sizeof path);
    remove(path);
    assert_int_equal(gmd_text_open(&w, path, 10, &err), GMD_ERR_IO);
    assert_non_null(strstr(err.message, path));
    assert_null(w);
    /* keep = 0 on a missing file: nothing was written before, so it is created */
    assert_int_equal(gmd_text_open(&w, path, 0, &err), GMD_OK);
    assert_int_equal(gmd_text_printf(w, &err, "abc\n"), GMD_OK);
    assert_int_equal(gmd_text_close(w, &err), GMD_OK);
    assert_int_equal(file_size(path), 4);
    /* shorter than the checkpoint says */
    assert_int_equal(gmd_text_open(&w, path, 5, &err), GMD_ERR_IO);
    assert_non_null(strstr(err.message, path));
    assert_int_equal(file_size(path), 4); /* and left alone */
    /* the same rules through the dump writer */
    scenario sc;
    gmd_traj_writer *t;
    scenario_init(&sc, 7);
    assert_int_equal(gmd_traj_open(&t, path, GMD_TRAJ_LAMMPS_DUMP, &sc.ff, &sc.atoms, 5, &err),
                     GMD_ERR_IO);
    gmd_atoms_free(&sc.atoms);
}

/* ---- NetCDF, read back with the netCDF C API ---------------------------------------- */

static void nc_ok(int status)
{
    if (status != NC_NOERR) fail_msg("netCDF: %s", nc_strerror(status));
}

static size_t nc_dim(int ncid, const char *name)
{
    int d;
    size_t len;
    nc_ok(nc_inq_dimid(ncid, name, &d));
    nc_ok(nc_inq_dimlen(ncid, d, &len));
    return len;
}

static void nc_text_att(int ncid, int varid, const char *name, const char *want)
{
    char buf[128] = {0};
    size_t len;
    nc_ok(nc_inq_attlen(ncid, varid, name, &len));
    assert_true(len < sizeof buf);
    nc_ok(nc_get_att_text(ncid, varid, name, buf));
    assert_string_equal(buf, want);
}

static int nc_var(int ncid, const char *name)
{
    int v;
    nc_ok(nc_inq_varid(ncid, name, &v));
    return v;
}

static void check_nc_header(int ncid, const gmd_forcefield *ff)
{
    int format;
    nc_ok(nc_inq_format(ncid, &format));
    assert_int_equal(format, NC_FORMAT_64BIT_OFFSET); /* the convention requires it */
    nc_text_att(ncid, NC_GLOBAL, "Conventions", "AMBER");
    nc_text_att(ncid, NC_GLOBAL, "ConventionVersion", "1.0");
    nc_text_att(ncid, NC_GLOBAL, "program", "glassmd");
    nc_text_att(ncid, nc_var(ncid, "time"), "units", "picosecond");
    nc_text_att(ncid, nc_var(ncid, "coordinates"), "units", "angstrom");
    nc_text_att(ncid, nc_var(ncid, "cell_lengths"), "units", "angstrom");
    nc_text_att(ncid, nc_var(ncid, "cell_angles"), "units", "degree");
    assert_int_equal(nc_dim(ncid, "spatial"), 3);
    assert_int_equal(nc_dim(ncid, "atom"), NATOMS);
    char spatial[4] = {0}, angular[16] = {0}, names[GMD_MAX_SPECIES][GMD_NAME_LEN];
    nc_ok(nc_get_var_text(ncid, nc_var(ncid, "spatial"), spatial));
    assert_string_equal(spatial, "xyz");
    nc_ok(nc_get_var_text(ncid, nc_var(ncid, "cell_angular"), angular));
    assert_memory_equal(angular, "alphabeta gamma", 15);
    assert_int_equal(nc_dim(ncid, "species"), ff->nspecies);
    nc_ok(nc_get_var_text(ncid, nc_var(ncid, "species_names"), &names[0][0]));
    for (int s = 0; s < ff->nspecies; s++)
        assert_string_equal(names[s], ff->species[s].name);
}

static void check_nc_atoms(int ncid, const expected_frame *e)
{
    int ids[NATOMS], types[NATOMS];
    double q[NATOMS];
    nc_ok(nc_get_var_int(ncid, nc_var(ncid, "atom_ids"), ids));
    nc_ok(nc_get_var_int(ncid, nc_var(ncid, "atom_types"), types));
    nc_ok(nc_get_var_double(ncid, nc_var(ncid, "atom_charges"), q));
    for (size_t j = 0; j < NATOMS; j++) {
        assert_int_equal(ids[j], 2 * (long)j + 1);
        assert_int_equal(types[j], e->type[j] + 1);
        assert_true(q[j] == e->charge[j]);
    }
}

static void check_nc_frame(int ncid, size_t f, const expected_frame *e)
{
    float coords[NATOMS][3], time;
    double len[3], angles[3], origin[3];
    size_t start[3] = {f, 0, 0}, count[3] = {1, NATOMS, 3};
    nc_ok(nc_get_vara_float(ncid, nc_var(ncid, "coordinates"), start, count, &coords[0][0]));
    nc_ok(nc_get_var1_float(ncid, nc_var(ncid, "time"), &f, &time));
    count[1] = 3;
    nc_ok(nc_get_vara_double(ncid, nc_var(ncid, "cell_lengths"), start, count, len));
    nc_ok(nc_get_vara_double(ncid, nc_var(ncid, "cell_angles"), start, count, angles));
    nc_ok(nc_get_vara_double(ncid, nc_var(ncid, "cell_origin"), start, count, origin));
    assert_true(fabs(time - e->time_ps) < 1e-6 * e->time_ps);
    for (int k = 0; k < 3; k++) {
        assert_true(len[k] == e->box.len[k]);
        assert_true(origin[k] == e->box.lo[k]);
        assert_true(angles[k] == 90.0);
    }
    for (size_t j = 0; j < NATOMS; j++)
        for (int k = 0; k < 3; k++) /* float: 2^-24 relative rounding */
            assert_true(fabs(coords[j][k] - e->x[k][j]) < 1.2e-7 * fmax(1.0, fabs(e->x[k][j])));
}

static void test_netcdf_content(void **state)
{
    (void)state;
    char path[PATH_LEN];
    long pos[6];
    expected_frame expect[5];
    scratch_path("content.nc", path, sizeof path);
    write_reference(SINK_NETCDF, path, 5, pos, expect);
    for (int f = 0; f <= 5; f++)
        assert_int_equal(pos[f], f); /* positions count frames */
    gmd_forcefield ff;
    tu_reference_ff(&ff);
    int ncid;
    nc_ok(nc_open(path, NC_NOWRITE, &ncid));
    check_nc_header(ncid, &ff);
    check_nc_atoms(ncid, &expect[0]);
    assert_int_equal(nc_dim(ncid, "frame"), 5);
    for (size_t f = 0; f < 5; f++)
        check_nc_frame(ncid, f, &expect[f]);
    nc_close(ncid);
}

/* Every variable of a equals that of b over the first nframes records, bit for bit. */
static void assert_same_netcdf(const char *a, const char *b, size_t nframes)
{
    int na, nb, nvars, nvars_b, unlim;
    nc_ok(nc_open(a, NC_NOWRITE, &na));
    nc_ok(nc_open(b, NC_NOWRITE, &nb));
    assert_int_equal(nc_dim(nb, "frame"), nframes);
    nc_ok(nc_inq_nvars(na, &nvars));
    nc_ok(nc_inq_nvars(nb, &nvars_b));
    assert_int_equal(nvars, nvars_b);
    nc_ok(nc_inq_unlimdim(na, &unlim));
    for (int v = 0; v < nvars; v++) {
        char name[NC_MAX_NAME + 1];
        int dims[NC_MAX_VAR_DIMS], ndims;
        nc_type type;
        size_t start[NC_MAX_VAR_DIMS] = {0}, count[NC_MAX_VAR_DIMS], size, total = 1;
        nc_ok(nc_inq_var(na, v, name, &type, &ndims, dims, NULL));
        nc_ok(nc_inq_type(na, type, NULL, &size));
        for (int k = 0; k < ndims; k++) {
            nc_ok(nc_inq_dimlen(na, dims[k], &count[k]));
            if (k == 0 && dims[0] == unlim) count[k] = nframes;
            total *= count[k];
        }
        char *da = calloc(total, size), *db = calloc(total, size);
        assert_true(da && db);
        nc_ok(nc_get_vara(na, v, start, count, da));
        nc_ok(nc_get_vara(nb, nc_var(nb, name), start, count, db));
        if (memcmp(da, db, total * size) != 0) fail_msg("variable %s differs", name);
        free(da);
        free(db);
    }
    nc_close(na);
    nc_close(nb);
}

static void test_netcdf_resume(void **state)
{
    (void)state;
    char ref[PATH_LEN], run[PATH_LEN], tmp[PATH_LEN + 8];
    long pos[6];
    scratch_path("ref.nc", ref, sizeof ref);
    scratch_path("run.nc", run, sizeof run);
    snprintf(tmp, sizeof tmp, "%s.tmp", run);
    write_reference(SINK_NETCDF, ref, 5, pos, NULL);
    long checkpoint = write_interrupted(SINK_NETCDF, run);
    assert_int_equal(checkpoint, 3);
    int ncid;
    nc_ok(nc_open(run, NC_NOWRITE, &ncid));
    assert_int_equal(nc_dim(ncid, "frame"), 6); /* the doomed frames are there */
    nc_close(ncid);
    write_resumed(SINK_NETCDF, run, checkpoint, 5);
    assert_same_netcdf(ref, run, 5);
    assert_int_not_equal(access(tmp, F_OK), 0);
    /* a resume that writes fewer frames than were lost: the file must shrink */
    write_interrupted(SINK_NETCDF, run);
    write_resumed(SINK_NETCDF, run, checkpoint, 4);
    assert_same_netcdf(ref, run, 4);
    /* keep equal to the frames in the file: plain append */
    write_reference(SINK_NETCDF, run, 3, pos, NULL);
    write_resumed(SINK_NETCDF, run, 3, 5);
    assert_same_netcdf(ref, run, 5);
}

static void test_netcdf_resume_errors(void **state)
{
    (void)state;
    char path[PATH_LEN];
    long pos[6];
    scenario sc;
    gmd_traj_writer *w;
    gmd_error err;
    scratch_path("errors.nc", path, sizeof path);
    write_reference(SINK_NETCDF, path, 2, pos, NULL);
    scenario_init(&sc, 42);
    /* more frames than the file holds */
    assert_int_equal(gmd_traj_open(&w, path, GMD_TRAJ_NETCDF, &sc.ff, &sc.atoms, 3, &err),
                     GMD_ERR_IO);
    assert_non_null(strstr(err.message, path));
    /* another system (one atom fewer) */
    sc.atoms.n--;
    assert_int_equal(gmd_traj_open(&w, path, GMD_TRAJ_NETCDF, &sc.ff, &sc.atoms, 1, &err),
                     GMD_ERR_IO);
    sc.atoms.n++;
    /* another id set */
    sc.atoms.id[0] += 1000;
    assert_int_equal(gmd_traj_open(&w, path, GMD_TRAJ_NETCDF, &sc.ff, &sc.atoms, 1, &err),
                     GMD_ERR_IO);
    sc.atoms.id[0] -= 1000;
    int ncid;
    nc_ok(nc_open(path, NC_NOWRITE, &ncid));
    assert_int_equal(nc_dim(ncid, "frame"), 2); /* refused resumes leave the file alone */
    nc_close(ncid);
    /* keep = 0: nothing counted yet, even a file cut short while being created is replaced */
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("CDF", fp);
    fclose(fp);
    assert_int_equal(gmd_traj_open(&w, path, GMD_TRAJ_NETCDF, &sc.ff, &sc.atoms, 0, &err), GMD_OK);
    assert_int_equal(gmd_traj_close(w, &err), GMD_OK);
    nc_ok(nc_open(path, NC_NOWRITE, &ncid));
    assert_int_equal(nc_dim(ncid, "frame"), 0);
    nc_close(ncid);
    /* a missing file */
    remove(path);
    assert_int_equal(gmd_traj_open(&w, path, GMD_TRAJ_NETCDF, &sc.ff, &sc.atoms, 1, &err),
                     GMD_ERR_IO);
    assert_non_null(strstr(err.message, path));
    gmd_atoms_free(&sc.atoms);
}

static void test_write_rejects_bad_atoms(void **state)
{
    (void)state;
    char path[PATH_LEN];
    scenario sc;
    gmd_traj_writer *w;
    gmd_error err;
    scratch_path("bad.dump", path, sizeof path);
    scenario_init(&sc, 3);
    assert_int_equal(gmd_traj_open(&w, path, GMD_TRAJ_LAMMPS_DUMP, &sc.ff, &sc.atoms, -1, &err),
                     GMD_OK);
    sc.atoms.n--;
    assert_int_equal(gmd_traj_write(w, 0, 0.0, &sc.box, &sc.atoms, &err), GMD_ERR_VALUE);
    sc.atoms.n++;
    long saved = sc.atoms.id[1];
    sc.atoms.id[1] = sc.atoms.id[0];
    assert_int_equal(gmd_traj_write(w, 0, 0.0, &sc.box, &sc.atoms, &err), GMD_ERR_VALUE);
    sc.atoms.id[1] = saved;
    sc.atoms.type[2] = 3; /* the reference force field has 3 species */
    assert_int_equal(gmd_traj_write(w, 0, 0.0, &sc.box, &sc.atoms, &err), GMD_ERR_VALUE);
    assert_int_equal(gmd_traj_close(w, &err), GMD_OK);
    gmd_atoms_free(&sc.atoms);
}

/* ---- fixture for the MDAnalysis peer test ------------------------------------------- */

static void json_frame(FILE *js, const expected_frame *e, int last)
{
    fprintf(js, "  {\"step\": %ld, \"time\": %.17g,\n   \"box_lo\": [%.17g, %.17g, %.17g],\n",
            e->step, e->time_ps, e->box.lo[0], e->box.lo[1], e->box.lo[2]);
    fprintf(js, "   \"box_len\": [%.17g, %.17g, %.17g],\n   \"pos\": [", e->box.len[0],
            e->box.len[1], e->box.len[2]);
    for (size_t j = 0; j < NATOMS; j++)
        fprintf(js, "%s[%.17g, %.17g, %.17g]", j ? ", " : "", e->x[0][j], e->x[1][j], e->x[2][j]);
    fprintf(js, "]}%s\n", last ? "" : ",");
}

static int write_fixture(const char *dir)
{
    enum { NF = 4 };
    expected_frame expect[NF];
    long pos[NF + 1];
    char path[PATH_LEN];
    snprintf(scratch, sizeof scratch, "%s", dir);
    write_reference(SINK_DUMP, scratch_path("fixture.dump", path, sizeof path), NF, pos, NULL);
    write_reference(SINK_NETCDF, scratch_path("fixture.nc", path, sizeof path), NF, pos, expect);
    FILE *js = fopen(scratch_path("fixture.json", path, sizeof path), "w");
    if (!js) return 1;
    gmd_forcefield ff;
    tu_reference_ff(&ff);
    fprintf(js, "{\"natoms\": %d,\n \"species\": [", NATOMS);
    for (int s = 0; s < ff.nspecies; s++)
        fprintf(js, "%s\"%s\"", s ? ", " : "", ff.species[s].name);
    fprintf(js, "],\n \"ids\": [");
    for (size_t j = 0; j < NATOMS; j++)
        fprintf(js, "%s%zu", j ? ", " : "", 2 * j + 1);
    fprintf(js, "],\n \"types\": [");
    for (size_t j = 0; j < NATOMS; j++)
        fprintf(js, "%s%d", j ? ", " : "", expect[0].type[j] + 1);
    fprintf(js, "],\n \"charges\": [");
    for (size_t j = 0; j < NATOMS; j++)
        fprintf(js, "%s%.17g", j ? ", " : "", expect[0].charge[j]);
    fprintf(js, "],\n \"frames\": [\n");
    for (int f = 0; f < NF; f++)
        json_frame(js, &expect[f], f == NF - 1);
    fprintf(js, " ]}\n");
    return fclose(js) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write-fixture") == 0) return write_fixture(argv[2]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dump_unwrapped_in_id_order),
        cmocka_unit_test(test_text_resume_byte_identical),
        cmocka_unit_test(test_dump_resume_byte_identical),
        cmocka_unit_test(test_text_resume_errors),
        cmocka_unit_test(test_netcdf_content),
        cmocka_unit_test(test_netcdf_resume),
        cmocka_unit_test(test_netcdf_resume_errors),
        cmocka_unit_test(test_write_rejects_bad_atoms),
    };
    return cmocka_run_group_tests(tests, make_scratch, remove_scratch);
}
