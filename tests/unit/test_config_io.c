/* test_config_io.c - LAMMPS data and extended XYZ: exact write/read round trips, a file
 * written by LAMMPS itself (write_data, 2021 version: Pair Coeffs section, image flags,
 * velocities), each of the three type mappings, shuffled atom order, wrapping on read, and
 * the error messages (file, line, cause). */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "glassmd/config_io.h"
#include "glassmd/rng.h"
#include "testutil.h"

enum { SI = 0, S = 1, NA = 2 };

#define assert_close(a, b, tol)                                                                    \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (tol)))                                                             \
            fail_msg("%s = %.17g, expected %.17g (tolerance %g)", #a, a_, b_, (double)(tol));      \
    } while (0)

typedef struct fixture {
    char dir[512];
    gmd_forcefield ff;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    const char *base = getenv("GLASSMD_TEST_TMP");
    snprintf(fx->dir, sizeof fx->dir, "%s/glassmd-cfgio-XXXXXX", base ? base : "/tmp");
    if (base) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "mkdir -p '%s'", base);
        if (system(cmd) != 0) return -1;
    }
    if (!mkdtemp(fx->dir)) return -1;
    tu_reference_ff(&fx->ff);
    snprintf(fx->ff.path, sizeof fx->ff.path, "ref.ff");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    int rc = system(cmd);
    free(fx);
    return rc == 0 ? 0 : -1;
}

static const char *file_in(const fixture *fx, const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", fx->dir, name);
    return buf;
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* Index of the atom with this id, or fails the test. */
static size_t find_id(const gmd_atoms *a, long id)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->id[i] == id) return i;
    fail_msg("atom id %ld not found", id);
    return 0;
}

/* A neutral random system with velocities, image flags and ids in shuffled order. */
static void make_system(const gmd_forcefield *ff, unsigned long seed, gmd_box *box, gmd_atoms *a)
{
    long counts[3] = {10, 30, 20};
    tu_random_system(ff, counts, 0.043, 1.5, seed, box, a);
    gmd_rng rng;
    gmd_rng_seed(&rng, seed + 1);
    for (size_t i = 0; i < a->n; i++) {
        for (int k = 0; k < 3; k++) {
            a->v[k][i] = 10 * gmd_rng_normal(&rng);
            a->image[k][i] = (int)(gmd_rng_uniform(&rng) * 7) - 3;
        }
        a->id[i] = (long)(1000 - 7 * i); /* descending, not contiguous */
    }
    for (int k = 0; k < 3; k++) {
        box->lo[k] = -3.25 + k;
        for (size_t i = 0; i < a->n; i++)
            a->r[k][i] += box->lo[k];
    }
}

static void assert_same_atoms(const gmd_atoms *a, const gmd_atoms *b, int with_velocities)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        size_t j = find_id(b, a->id[i]);
        assert_int_equal(a->type[i], b->type[j]);
        assert_true(a->charge[i] == b->charge[j]);
        for (int k = 0; k < 3; k++) {
            assert_true(a->r[k][i] == b->r[k][j]); /* exact: %.17g */
            assert_int_equal(a->image[k][i], b->image[k][j]);
            if (with_velocities) assert_true(a->v[k][i] == b->v[k][j]);
        }
    }
}

static void test_lammps_round_trip_exact(void **state)
{
    fixture *fx = *state;
    gmd_box box, box2;
    gmd_atoms a, b;
    make_system(&fx->ff, 11, &box, &a);
    char path[600];
    gmd_error err;
    file_in(fx, "rt.data", path, sizeof path);
    assert_int_equal(gmd_lammps_data_write(path, &fx->ff, &box, &a, "round\ntrip", &err), GMD_OK);
    assert_int_equal(gmd_lammps_data_read(path, &fx->ff, NULL, &box2, &b, &err), GMD_OK);
    for (int k = 0; k < 3; k++) {
        assert_true(box.lo[k] == box2.lo[k]);
        assert_true(box.len[k] == box2.len[k]);
    }
    assert_same_atoms(&a, &b, 1);
    /* written in id order */
    for (size_t i = 1; i < b.n; i++)
        assert_true(b.id[i] > b.id[i - 1]);
    gmd_atoms_free(&a);
    gmd_atoms_free(&b);
}

/* Written by LAMMPS (29 Sep 2021) write_data after create_atoms random, velocity create and
 * displace_atoms: masses without comments, a Pair Coeffs section, image flags 1. */
static const char lammps_header[] = "LAMMPS data file via write_data, version 29 Sep 2021, "
                                    "timestep = 0\n\n12 atoms\n3 atom types\n\n-2 6 xlo xhi\n"
                                    "0 7 ylo yhi\n1 9 zlo zhi\n\nMasses\n\n";
static const char lammps_masses[] = "1 28.0855\n2 32.06\n3 22.98977\n";
static const char lammps_pair_coeffs[] = "\nPair Coeffs # buck/coul/cut\n\n1 0 1 0\n"
                                         "2 42800 0.284 30\n3 0 1 0\n";
static const char *const lammps_atoms[12] = {
    "1 1 2.4 3.108233083089922 2.689249055781052 8.095863442446973 0 0 0",
    "2 1 2.4 -0.8231227937262142 0.6783051130726492 5.884611899445118 1 0 0",
    "3 2 -1.2 2.390799727007188 1.0246353335793295 2.1954873917603344 1 0 0",
    "4 2 -1.2 -0.44340668406496153 5.830878305170162 8.510485708485584 1 0 0",
    "5 2 -1.2 -0.2666974827957791 0.5384808199193706 8.139589011268498 1 0 0",
    "6 2 -1.2 -1.9274876103398793 6.751266390435056 7.324827476555867 1 0 0",
    "7 2 -1.2 0.37539847445459884 0.28189013864933055 7.5457831763409935 1 0 0",
    "8 2 -1.2 1.9778447630712037 4.057316320509331 5.931884343238494 1 0 0",
    "9 3 0.6 1.6733663709244535 6.360021611377607 4.295111341073696 1 0 0",
    "10 3 0.6 -0.06369057440370796 3.9834514972676764 3.136359517526049 1 0 0",
    "11 3 0.6 4.794411060304572 5.833354221579318 8.067888095540873 0 0 0",
    "12 3 0.6 0.9952217554651313 1.4805385896379775 7.185229766268856 1 0 0",
};
static const char *const lammps_velocities[12] = {
    "1 -8.10695291299885 2.164767456788036 7.799653304212238",
    "2 -2.076606096838716 2.291195048863377 -6.252038261774107",
    "3 -2.9213237822495297 -3.1125719524498097 0.08893339407178733",
    "4 5.514625712509239 6.958538310343943 3.9503897730874633",
    "5 -4.4689173108114835 -7.375635543079647 -2.397605101505959",
    "6 5.034089332842188 -3.8551553547024633 -6.802233968948835",
    "7 10.204081114717878 -4.269708509071308 -5.8601813973294785",
    "8 0.9024159837454093 7.485452895384364 5.011051756128655",
    "9 -3.943121525599448 1.982357756103947 1.1683427144527627",
    "10 -3.0620263847570937 -10.625803807719732 2.216929841793167",
    "11 3.348571109921422 5.991037796418416 -2.185959184379347",
    "12 -3.7956345664628923 3.0226935938997244 5.290690394250138",
};

/* The LAMMPS file with atoms listed in the order `perm` (and velocities reversed). */
static void lammps_text(char *buf, size_t len, const char *masses, const int *perm)
{
    snprintf(buf, len, "%s%s%s\nAtoms # charge\n\n", lammps_header, masses, lammps_pair_coeffs);
    for (int m = 0; m < 12; m++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s\n", lammps_atoms[perm ? perm[m] : m]);
    }
    strncat(buf, "\nVelocities\n\n", len - strlen(buf) - 1);
    for (int m = 0; m < 12; m++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s\n", lammps_velocities[perm ? 11 - m : m]);
    }
}

static void check_lammps_values(const gmd_box *box, const gmd_atoms *a)
{
    assert_close(box->lo[0], -2.0, 0);
    assert_close(box->len[0], 8.0, 0);
    assert_close(box->lo[2], 1.0, 0);
    assert_close(box->len[2], 8.0, 0);
    assert_int_equal(a->n, 12);
    size_t i2 = find_id(a, 2), i11 = find_id(a, 11), i5 = find_id(a, 5);
    assert_int_equal(a->type[i2], SI);
    assert_int_equal(a->type[i5], S);
    assert_int_equal(a->type[i11], NA);
    assert_close(a->charge[i5], -1.2, 1e-15);
    assert_true(a->r[0][i2] == -0.8231227937262142);
    assert_true(a->r[2][i2] == 5.884611899445118);
    assert_int_equal(a->image[0][i2], 1);
    assert_int_equal(a->image[1][i2], 0);
    assert_true(a->v[2][i2] == -6.252038261774107);
    assert_true(a->v[0][i11] == 3.348571109921422);
    /* unwrapped x = x + ix Lx: the displaced position of a LAMMPS run (x0 + 5) */
    assert_close(a->r[0][i2] + a->image[0][i2] * box->len[0], 7.1768772062737858, 1e-13);
}

static void test_lammps_written_by_lammps(void **state)
{
    fixture *fx = *state;
    char text[8192], path[600];
    lammps_text(text, sizeof text, lammps_masses, NULL);
    write_text(file_in(fx, "lmp.data", path, sizeof path), text);
    gmd_box box;
    gmd_atoms a;
    gmd_error err;
    /* mapping by masses (no comments in the file) */
    assert_int_equal(gmd_lammps_data_read(path, &fx->ff, NULL, &box, &a, &err), GMD_OK);
    check_lammps_values(&box, &a);
    gmd_atoms_free(&a);
}

static void test_lammps_shuffled_order(void **state)
{
    fixture *fx = *state;
    const int perm[12] = {7, 2, 11, 0, 5, 9, 1, 10, 3, 8, 6, 4};
    char text[8192], path[600];
    lammps_text(text, sizeof text, lammps_masses, perm);
    write_text(file_in(fx, "shuffled.data", path, sizeof path), text);
    gmd_box box;
    gmd_atoms a;
    gmd_error err;
    assert_int_equal(gmd_lammps_data_read(path, &fx->ff, NULL, &box, &a, &err), GMD_OK);
    check_lammps_values(&box, &a);
    for (int m = 0; m < 12; m++) /* stored as read */
        assert_int_equal(a.id[m], perm[m] + 1);
    gmd_atoms_free(&a);
}

static void test_type_mapping_comments_and_list(void **state)
{
    fixture *fx = *state;
    char text[8192], path[600];
    gmd_box box;
    gmd_atoms a;
    gmd_error err;
    /* comments win over masses: here they are the only way (types 1-3 relabelled) */
    const char *relabelled = "1 28.0855 # Si\n2 32.06 # S\n3 22.98977 # Na\n";
    lammps_text(text, sizeof text, relabelled, NULL);
    write_text(file_in(fx, "comments.data", path, sizeof path), text);
    assert_int_equal(gmd_lammps_data_read(path, &fx->ff, NULL, &box, &a, &err), GMD_OK);
    check_lammps_values(&box, &a);
    gmd_atoms_free(&a);
    /* a comment contradicting the mass is an error naming the Masses line */
    const char *wrong = "1 28.0855 # S\n2 32.06 # Si\n3 22.98977 # Na\n";
    lammps_text(text, sizeof text, wrong, NULL);
    write_text(path, text);
    assert_int_equal(gmd_lammps_data_read(path, &fx->ff, NULL, &box, &a, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "comments.data:12:"));
    assert_non_null(strstr(err.message, "labelled 'S'"));
    /* masses that match nothing: only the explicit list can map them */
    const char *odd = "1 1.0\n2 2.0\n3 3.0\n";
    lammps_text(text, sizeof text, odd, NULL);
    write_text(file_in(fx, "list.data", path, sizeof path), text);
    assert_int_equal(gmd_lammps_data_read(path, &fx->ff, NULL, &box, &a, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "list.data:12:"));
    assert_non_null(strstr(err.message, "matches no species"));
    assert_int_equal(gmd_lammps_data_read(path, &fx->ff, "Si, S,Na", &box, &a, &err), GMD_OK);
    check_lammps_values(&box, &a);
    gmd_atoms_free(&a);
    /* the list decides the species: swapping it changes the types (and then charges fail) */
    assert_int_equal(gmd_lammps_data_read(path, &fx->ff, "S,Si,Na", &box, &a, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "atom 1 (type 1 = S) has charge 2.4"));
    assert_non_null(strstr(err.message, "list.data:24:"));
    /* unknown name in the list: the known ones are listed */
    assert_int_equal(gmd_lammps_data_read(path, &fx->ff, "Si,X,Na", &box, &a, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "'X'"));
    assert_non_null(strstr(err.message, "Si, S, Na"));
    assert_int_equal(gmd_lammps_data_read(path, &fx->ff, "Si,S", &box, &a, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "names 2 species but the file has 3 atom types"));
}

/* LAMMPS 2023+ names types in an "Atom Type Labels" section; here there are no Masses. */
static void test_type_labels_section(void **state)
{
    fixture *fx = *state;
    char text[8192], edited[8400], path[600];
    lammps_text(text, sizeof text, lammps_masses, NULL);
    const char *find = "Masses\n\n1 28.0855\n2 32.06\n3 22.98977\n";
    const char *at = strstr(text, find);
    assert_non_null(at);
    snprintf(edited, sizeof edited, "%.*s%s%s", (int)(at - text), text,
             "Atom Type Labels\n\n1 Si\n2 S\n3 Na\n", at + strlen(find));
    write_text(file_in(fx, "labels.data", path, sizeof path), edited);
    gmd_box box;
    gmd_atoms a;
    gmd_error err;
    assert_int_equal(gmd_lammps_data_read(path, &fx->ff, NULL, &box, &a, &err), GMD_OK);
    check_lammps_values(&box, &a);
    gmd_atoms_free(&a);
    /* neither masses nor names: the message says how to name the types */
    snprintf(edited, sizeof edited, "%.*s%s", (int)(at - text), text, at + strlen(find));
    write_text(path, edited);
    assert_int_equal(gmd_lammps_data_read(path, &fx->ff, NULL, &box, &a, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "type 1 has no mass and no name"));
    assert_non_null(strstr(err.message, "labels.data"));
}

typedef struct data_error {
    const char *find, *replace; /* edit of the LAMMPS text */
    const char *phrase;         /* expected in the message, with the file name */
} data_error;

static void test_lammps_errors(void **state)
{
    fixture *fx = *state;
    static const data_error cases[] = {
        {"3 2 -1.2 2.390799727007188", "3 2 -1.1 2.390799727007188",
         "bad.data:26: atom 3 (type 2 = S) has charge -1.1"},
        {"12 3 0.6 0.99", "12 1 2.4 0.99", "bad.data: the system is not neutral"},
        {"1 9 zlo zhi", "1 9 zlo zhi\n0 0 0 xy xz yz", "bad.data:9: triclinic"},
        {"Atoms # charge", "Atoms # full", "atom_style charge"},
        {"5 2 -1.2 -0.2666974827957791 0.5384808199193706 8.139589011268498 1 0 0",
         "5 2 -1.2 -0.2666974827957791 0.5384808199193706",
         "bad.data:28: Atoms line has 5 columns"},
        {"5 2 -1.2 -0.2666974827957791", "4 2 -1.2 -0.2666974827957791", "atom id 4 appears twice"},
        {"5 2 -1.2 -0.2666974827957791", "5 2 -1.2 -0.26xx", "bad.data:28: Atoms line has a non"},
        {"5 -4.4689173108114835", "55 -4.4689173108114835", "bad.data:43: velocity for atom id 55"},
        {"12 atoms", "13 atoms", "bad.data:37: the Atoms section ends after 12 of 13 lines"},
        {"Pair Coeffs", "Bond Coeffs", "section 'Bond Coeffs' is not supported"},
        {"0 7 ylo yhi", "7 0 ylo yhi", "yhi = 0 must exceed ylo = 7"},
    };
    char text[8192], edited[8400], path[600];
    lammps_text(text, sizeof text, lammps_masses, NULL);
    file_in(fx, "bad.data", path, sizeof path);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const char *at = strstr(text, cases[c].find);
        assert_non_null(at);
        snprintf(edited, sizeof edited, "%.*s%s%s", (int)(at - text), text, cases[c].replace,
                 at + strlen(cases[c].find));
        write_text(path, edited);
        gmd_box box;
        gmd_atoms a;
        gmd_error err;
        gmd_error_clear(&err);
        gmd_status st = gmd_lammps_data_read(path, &fx->ff, NULL, &box, &a, &err);
        if (st == GMD_OK || !strstr(err.message, cases[c].phrase) || !strstr(err.message, path))
            fail_msg("case %zu: status %d, message '%s', expected '%s'", c, st, err.message,
                     cases[c].phrase);
        if (getenv("GLASSMD_TEST_VERBOSE")) printf("  %s\n", err.message);
    }
    gmd_box box;
    gmd_atoms a;
    gmd_error err;
    assert_int_equal(gmd_lammps_data_read("/nonexistent/a.data", &fx->ff, NULL, &box, &a, &err),
                     GMD_ERR_IO);
    assert_non_null(strstr(err.message, "/nonexistent/a.data"));
}

static void test_lammps_wraps_on_read(void **state)
{
    fixture *fx = *state;
    char text[8192], edited[8400], path[600];
    lammps_text(text, sizeof text, lammps_masses, NULL);
    /* atom 2 moved one box length up in x with its image count lowered: same unwrapped */
    const char *find = "2 1 2.4 -0.8231227937262142 0.6783051130726492 5.884611899445118 1 0 0";
    const char *repl = "2 1 2.4 7.1768772062737858 0.6783051130726492 -3.115388100554882 0 0 0";
    const char *at = strstr(text, find);
    assert_non_null(at);
    snprintf(edited, sizeof edited, "%.*s%s%s", (int)(at - text), text, repl, at + strlen(find));
    write_text(file_in(fx, "outside.data", path, sizeof path), edited);
    gmd_box box;
    gmd_atoms a;
    gmd_error err;
    assert_int_equal(gmd_lammps_data_read(path, &fx->ff, NULL, &box, &a, &err), GMD_OK);
    size_t i = find_id(&a, 2);
    for (int k = 0; k < 3; k++)
        assert_true(a.r[k][i] >= box.lo[k] && a.r[k][i] < box.lo[k] + box.len[k]);
    assert_int_equal(a.image[0][i], 1); /* 7.18 is beyond [-2, 6): wrapped down */
    assert_close(a.r[0][i] + a.image[0][i] * 8.0, 7.1768772062737858, 1e-12);
    assert_close(a.r[2][i] + a.image[2][i] * 8.0, -3.115388100554882, 1e-12);
    assert_int_equal(a.image[2][i], -1);
    gmd_atoms_free(&a);
}

static void test_extxyz_round_trip(void **state)
{
    fixture *fx = *state;
    gmd_box box, box2;
    gmd_atoms a, b;
    make_system(&fx->ff, 21, &box, &a);
    char path[600];
    gmd_error err;
    file_in(fx, "rt.xyz", path, sizeof path);
    assert_int_equal(gmd_config_write(path, GMD_CONFIG_AUTO, &fx->ff, &box, &a, "say \"hi\"", &err),
                     GMD_OK);
    FILE *fp = fopen(path, "r");
    char first[64];
    assert_non_null(fgets(first, sizeof first, fp));
    fclose(fp);
    assert_int_equal(atoi(first), 60); /* AUTO chose extended XYZ for .xyz */
    assert_int_equal(gmd_config_read(path, GMD_CONFIG_AUTO, &fx->ff, NULL, &box2, &b, &err),
                     GMD_OK);
    for (int k = 0; k < 3; k++) {
        assert_true(box.lo[k] == box2.lo[k]);
        assert_true(box.len[k] == box2.len[k]);
    }
    /* image flags are not part of extended XYZ: compare positions and types only */
    for (size_t i = 0; i < a.n; i++)
        for (int k = 0; k < 3; k++)
            b.image[k][find_id(&b, a.id[i])] = a.image[k][i];
    assert_same_atoms(&a, &b, 0);
    /* AUTO writes LAMMPS data for other names */
    file_in(fx, "rt.data", path, sizeof path);
    assert_int_equal(gmd_config_write(path, GMD_CONFIG_AUTO, &fx->ff, &box, &a, NULL, &err),
                     GMD_OK);
    gmd_atoms_free(&b);
    assert_int_equal(gmd_config_read(path, GMD_CONFIG_AUTO, &fx->ff, NULL, &box2, &b, &err),
                     GMD_OK);
    assert_same_atoms(&a, &b, 1);
    gmd_atoms_free(&a);
    gmd_atoms_free(&b);
}

/* As ASE writes it: no id column, extra velo and forces columns, an atom outside the box. */
static const char ase_xyz[] =
    "3\n"
    "Lattice=\"10.0 0.0 0.0 0.0 12.0 0.0 0.0 0.0 14.0\" "
    "Properties=species:S:1:pos:R:3:velo:R:3:forces:R:3 energy=-1.5 pbc=\"T T T\"\n"
    "Na 1.0 2.0 3.0 0.1 0.2 0.3 1 2 3\n"
    "Si 11.5 -1.0 3.0 0.1 0.2 0.3 1 2 3\n"
    "S 0.5 0.5 0.5 0.1 0.2 0.3 1 2 3\n";

static void test_extxyz_ase_style(void **state)
{
    fixture *fx = *state;
    char path[600];
    gmd_box box;
    gmd_atoms a;
    gmd_error err;
    /* three atoms, not neutral: +0.6 + 2.4 - 1.2 */
    write_text(file_in(fx, "ase.extxyz", path, sizeof path), ase_xyz);
    assert_int_equal(gmd_config_read(path, GMD_CONFIG_AUTO, &fx->ff, NULL, &box, &a, &err),
                     GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "not neutral"));
    assert_non_null(strstr(err.message, "ase.extxyz"));
    /* the same with a neutral set: Na Na S */
    char text[1024];
    snprintf(text, sizeof text, "%s", ase_xyz);
    memcpy(strstr(text, "Si 11.5"), "Na", 2);
    write_text(path, text);
    assert_int_equal(gmd_extxyz_read(path, &fx->ff, &box, &a, &err), GMD_OK);
    assert_int_equal(a.n, 3);
    assert_close(box.len[1], 12.0, 0);
    assert_close(box.lo[0], 0.0, 0);
    assert_int_equal(a.type[0], NA);
    assert_int_equal(a.type[2], S);
    assert_int_equal(a.id[1], 2);
    assert_close(a.charge[1], 0.6, 0);
    assert_close(a.r[0][1], 1.5, 1e-12); /* 11.5 wrapped into [0, 10) */
    assert_int_equal(a.image[0][1], 1);
    assert_close(a.r[1][1], 11.0, 1e-12); /* -1 wrapped into [0, 12) */
    assert_int_equal(a.image[1][1], -1);
    assert_close(a.v[0][0], 0.0, 0); /* velocities are not read (units differ by writer) */
    gmd_atoms_free(&a);
}

static void test_extxyz_errors(void **state)
{
    fixture *fx = *state;
    static const struct {
        const char *find, *replace, *phrase;
    } cases[] = {
        {"Na 1.0", "Li 1.0", "e.xyz:3: unknown species 'Li'"},
        {"0.0 12.0 0.0", "0.5 12.0 0.0", "e.xyz:2: Lattice is not orthorhombic"},
        {"Lattice=", "Box=", "e.xyz:2: no Lattice="},
        {"S 0.5 0.5 0.5 0.1", "S 0.5 0.5 0.5",
         "e.xyz:5: atom line has 9 columns; Properties say 10"},
        {"3\n", "4\n", "file ends after line 5, before atom 4 of 4"},
        {"species:S:1:pos:R:3", "species:S:1:pos:R:2", "property pos must be pos:R:3"},
        {"S 0.5 0.5", "S 0.5 abc", "e.xyz:5: position 'abc' is not a number"},
    };
    char text[1024], path[600];
    file_in(fx, "e.xyz", path, sizeof path);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        snprintf(text, sizeof text, "%s", ase_xyz);
        char *at = strstr(text, cases[c].find);
        assert_non_null(at);
        char edited[1100];
        snprintf(edited, sizeof edited, "%.*s%s%s", (int)(at - text), text, cases[c].replace,
                 at + strlen(cases[c].find));
        write_text(path, edited);
        gmd_box box;
        gmd_atoms a;
        gmd_error err;
        gmd_error_clear(&err);
        gmd_status st = gmd_extxyz_read(path, &fx->ff, &box, &a, &err);
        if (st == GMD_OK || !strstr(err.message, cases[c].phrase))
            fail_msg("case %zu: status %d, message '%s', expected '%s'", c, st, err.message,
                     cases[c].phrase);
        if (getenv("GLASSMD_TEST_VERBOSE")) printf("  %s\n", err.message);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lammps_round_trip_exact),
        cmocka_unit_test(test_lammps_written_by_lammps),
        cmocka_unit_test(test_lammps_shuffled_order),
        cmocka_unit_test(test_type_mapping_comments_and_list),
        cmocka_unit_test(test_type_labels_section),
        cmocka_unit_test(test_lammps_errors),
        cmocka_unit_test(test_lammps_wraps_on_read),
        cmocka_unit_test(test_extxyz_round_trip),
        cmocka_unit_test(test_extxyz_ase_style),
        cmocka_unit_test(test_extxyz_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
