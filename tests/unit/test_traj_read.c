/* test_traj_read.c - the trajectory readers (LAMMPS dump, NetCDF, extended XYZ) and the
 * analysis output helpers (CSV, gnuplot figures).
 *
 * The reference is a trajectory the test makes itself: 24 atoms with shuffled, non-
 * contiguous ids in an orthorhombic box whose corner is not the origin, starting with
 * random image counts and moving by random steps of up to 1.5 A per frame (less than half
 * the box), so atoms cross the box faces. The test keeps the true unwrapped positions u
 * and writes the same frames in every dump flavour a user may have: unwrapped, wrapped +
 * image flags, scaled + image flags, scaled unwrapped, shuffled columns (with an unused
 * column), shuffled atom order, an element column, types named by a types map, and plain
 * wrapped or scaled positions without image flags. Each must read back as u (to 1e-12
 * relative, the files holding %.17g); plain positions as the frame-1 wrapped positions
 * plus the true displacement, since without images the reader can only unwrap from
 * frame 1 on. NetCDF written by glassmd's own writer must read back exactly (float32),
 * a foreign AMBER file with wrapped positions is unwrapped, and extended XYZ likewise.
 * Plain wrapped positions in a box that changes every frame read back as x + n L(t).
 *
 * Error cases check that the message names the file, the frame and the line. The CSV
 * writer is checked by reading its file back; the figure helper by the script it writes
 * and, when gnuplot is installed, by the PNG and SVG it makes (and by a run with an empty
 * PATH, which must skip the figures and say so). */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "glassmd/analysis.h"
#include "glassmd/rng.h"
#include "glassmd/text.h"
#include "glassmd/trajectory.h"
#include "glassmd/version.h"
#include "testutil.h"

#define N 24
#define NF 5
#define PATH_LEN 512
#define DT_FS 2.0

/* ---- the reference trajectory ------------------------------------------------------- */

typedef struct truth {
    gmd_forcefield ff;
    gmd_box box;
    long id[N];     /* array (file) order */
    int species[N]; /* ff index */
    double u[NF][3][N];
    int img[NF][3][N];
    double x[NF][3][N]; /* wrapped: u - img * len */
    long step[NF];
    size_t by_id[N]; /* by_id[j]: array index of the j-th smallest id */
} truth;

static char g_dir[256];

/* origin_zero: the box starts at 0 (AMBER files have no origin). */
static void make_truth(truth *t, int origin_zero)
{
    const double corner[3] = {-3.25, 1.5, 0.125}, len[3] = {12.0, 13.5, 14.25};
    double lo[3];
    for (int k = 0; k < 3; k++)
        lo[k] = origin_zero ? 0.0 : corner[k];
    gmd_rng rng;
    gmd_rng_seed(&rng, 2024);
    tu_reference_ff(&t->ff);
    for (int k = 0; k < 3; k++)
        t->box.lo[k] = lo[k], t->box.len[k] = len[k];
    for (size_t i = 0; i < N; i++) {
        t->species[i] = i < 4 ? 0 : i < 16 ? 1 : 2; /* Si 4, S 12, Na 8 */
        t->id[i] = (long)(3 * ((i * 7) % N) + 2);   /* distinct, shuffled, not contiguous */
    }
    for (int f = 0; f < NF; f++) {
        t->step[f] = 1000 * f + 500;
        for (int k = 0; k < 3; k++)
            for (size_t i = 0; i < N; i++) {
                double u = f == 0 ? lo[k] + len[k] * (gmd_rng_uniform(&rng) +
                                                      (double)(gmd_rng_next(&rng) % 3) - 1.0)
                                  : t->u[f - 1][k][i] + 3.0 * (gmd_rng_uniform(&rng) - 0.5);
                int img = (int)floor((u - lo[k]) / len[k]);
                t->u[f][k][i] = u;
                t->img[f][k][i] = img;
                t->x[f][k][i] = u - (double)img * len[k];
            }
    }
    for (size_t j = 0; j < N; j++)
        t->by_id[j] = j;
    for (size_t a = 1; a < N; a++) /* insertion sort by id */
        for (size_t b = a; b > 0 && t->id[t->by_id[b]] < t->id[t->by_id[b - 1]]; b--) {
            size_t s = t->by_id[b];
            t->by_id[b] = t->by_id[b - 1], t->by_id[b - 1] = s;
        }
}

/* What a reader must deliver for atom i in frame f: u, or for files without image flags
 * the frame-1 wrapped position plus the true displacement. */
static double expected(const truth *t, int f, int k, size_t i, int plain)
{
    return plain ? t->x[0][k][i] + (t->u[f][k][i] - t->u[0][k][i]) : t->u[f][k][i];
}

static const char *tmp_path(const char *name, char *buf)
{
    snprintf(buf, PATH_LEN, "%s/%s", g_dir, name);
    return buf;
}

/* ---- writing dumps ------------------------------------------------------------------ */

typedef struct dump_style {
    const char *columns; /* as on the ATOMS line */
    int shuffle;         /* atoms in a new random order each frame */
    const int *type_of;  /* LAMMPS type of each species (NULL: species + 1) */
} dump_style;

static void put_value(FILE *fp, const truth *t, int f, size_t i, const char *col,
                      const int *type_of)
{
    int k = col[0] == 'i' ? col[1] - 'x' : col[0] - 'x';
    double lo = k >= 0 && k < 3 ? t->box.lo[k] : 0, len = k >= 0 && k < 3 ? t->box.len[k] : 1;
    if (!strcmp(col, "id"))
        fprintf(fp, "%ld", t->id[i]);
    else if (!strcmp(col, "type"))
        fprintf(fp, "%d", type_of ? type_of[t->species[i]] : t->species[i] + 1);
    else if (!strcmp(col, "element"))
        fprintf(fp, "%s", t->ff.species[t->species[i]].name);
    else if (!strcmp(col, "q"))
        fprintf(fp, "%.17g", t->ff.species[t->species[i]].charge);
    else if (col[0] == 'i')
        fprintf(fp, "%d", t->img[f][k][i]);
    else if (!strcmp(col + 1, "u"))
        fprintf(fp, "%.17g", t->u[f][k][i]);
    else if (!strcmp(col + 1, "su"))
        fprintf(fp, "%.17g", (t->u[f][k][i] - lo) / len);
    else if (!strcmp(col + 1, "s"))
        fprintf(fp, "%.17g", (t->x[f][k][i] - lo) / len);
    else if (col[1] == '\0' && k >= 0 && k < 3)
        fprintf(fp, "%.17g", t->x[f][k][i]);
    else
        fprintf(fp, "0.25"); /* a column the reader must ignore (vx, c_pe, ...) */
}

static void write_dump(const char *path, const truth *t, const dump_style *s)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    gmd_rng rng;
    gmd_rng_seed(&rng, 99);
    char cols[256], *name[16];
    for (int f = 0; f < NF; f++) {
        fprintf(fp, "ITEM: TIMESTEP\n%ld\nITEM: NUMBER OF ATOMS\n%d\nITEM: BOX BOUNDS pp pp pp\n",
                t->step[f], N);
        for (int k = 0; k < 3; k++)
            fprintf(fp, "%.17g %.17g\n", t->box.lo[k], t->box.lo[k] + t->box.len[k]);
        fprintf(fp, "ITEM: ATOMS %s\n", s->columns);
        snprintf(cols, sizeof cols, "%s", s->columns);
        int ncol = 0;
        for (char *tok = strtok(cols, " "); tok; tok = strtok(NULL, " "))
            name[ncol++] = tok;
        size_t order[N];
        for (size_t i = 0; i < N; i++)
            order[i] = i;
        for (size_t i = N - 1; s->shuffle && i > 0; i--) {
            size_t j = (size_t)(gmd_rng_next(&rng) % (i + 1)), tmp = order[i];
            order[i] = order[j], order[j] = tmp;
        }
        for (size_t a = 0; a < N; a++) {
            for (int c = 0; c < ncol; c++) {
                if (c) fputc(' ', fp);
                put_value(fp, t, f, order[a], name[c], s->type_of);
            }
            fputc('\n', fp);
        }
    }
    assert_int_equal(fclose(fp), 0);
}

/* ---- reading and comparing ---------------------------------------------------------- */

static void check_close(double got, double want, double floor)
{
    double tol = 1e-12 * fmax(fmax(fabs(got), fabs(want)), floor);
    if (!(fabs(got - want) <= tol)) fail_msg("got %.17g, want %.17g (tol %g)", got, want, tol);
}

/* Reads every frame and compares with the truth. plain: no image flags in the file;
 * exact: compare with (float) of the expected value (NetCDF). */
static void check_reader(const truth *t, const char *path, gmd_traj_in_format format,
                         const gmd_forcefield *ff, const char *types, int plain, int exact)
{
    gmd_traj_reader *r = NULL;
    gmd_error err;
    gmd_frame frame = {0};
    int eof = 0, f = 0;
    gmd_status st = gmd_traj_reader_open(&r, path, format, ff, types, DT_FS, &err);
    if (st) fail_msg("%s", err.message);
    const gmd_species_table *sp = gmd_traj_reader_species(r);
    while ((st = gmd_traj_reader_next(r, &frame, &eof, &err)) == GMD_OK && !eof) {
        assert_true(f < NF);
        assert_int_equal(frame.n, N);
        assert_int_equal(frame.step, t->step[f]);
        check_close(frame.time_ps,
                    exact ? (float)(t->step[f] * DT_FS * 1e-3) : t->step[f] * DT_FS * 1e-3, 1.0);
        for (int k = 0; k < 3; k++) {
            check_close(frame.box.lo[k], t->box.lo[k], t->box.len[k]);
            check_close(frame.box.len[k], t->box.len[k], t->box.len[k]);
        }
        for (size_t j = 0; j < N; j++) {
            size_t i = t->by_id[j];
            assert_int_equal(frame.id[j], t->id[i]);
            assert_string_equal(sp->name[frame.type[j]], t->ff.species[t->species[i]].name);
            for (int k = 0; k < 3; k++) {
                double want = expected(t, f, k, i, plain);
                if (exact)
                    assert_true(frame.r[k][j] == (double)(float)want);
                else
                    check_close(frame.r[k][j], want, t->box.len[k]);
            }
        }
        f++;
    }
    if (st) fail_msg("%s", err.message);
    assert_int_equal(f, NF);
    gmd_frame_free(&frame);
    gmd_traj_reader_close(r);
}

static void check_dump_style(const truth *t, const dump_style *s, const gmd_forcefield *ff,
                             const char *types, int plain)
{
    char path[PATH_LEN];
    write_dump(tmp_path("style.dump", path), t, s);
    check_reader(t, path, GMD_TRAJ_IN_AUTO, ff, types, plain, 0);
    check_reader(t, path, GMD_TRAJ_IN_LAMMPSDUMP, ff, types, plain, 0);
}

static void test_dump_flavours(void **state)
{
    (void)state;
    truth t;
    make_truth(&t, 0);
    const int reversed[3] = {3, 2, 1}; /* Si is type 3, S 2, Na 1 */
    const dump_style with_images[] = {
        {"id type xu yu zu", 0, NULL},
        {"id type x y z ix iy iz", 0, NULL},
        {"id type xs ys zs ix iy iz", 0, NULL},
        {"id type xsu ysu zsu", 0, NULL},
        {"zu ix type iz xu vx id yu iy", 0, NULL}, /* shuffled columns, ignored vx */
        {"id type q x y z ix iy iz", 1, NULL},     /* shuffled atom order */
        {"id type xsu ysu zsu", 1, NULL},
    };
    for (size_t v = 0; v < sizeof with_images / sizeof with_images[0]; v++)
        check_dump_style(&t, &with_images[v], &t.ff, NULL, 0);
    /* types named by a map, in another order than the force field's */
    const dump_style mapped = {"id type xu yu zu", 1, reversed};
    check_dump_style(&t, &mapped, &t.ff, "Na, S ,Si", 0);
    check_dump_style(&t, &mapped, NULL, "Na,S,Si", 0);
    /* element column: with and without a force field; the type column is then ignored */
    const dump_style element = {"id element x y z ix iy iz", 1, NULL};
    check_dump_style(&t, &element, &t.ff, NULL, 0);
    check_dump_style(&t, &element, NULL, NULL, 0);
    const dump_style element_typed = {"id type element xu yu zu", 0, reversed};
    check_dump_style(&t, &element_typed, &t.ff, NULL, 0);
    /* no image flags: unwrapped by minimum image between frames */
    const dump_style plain[] = {{"id type x y z", 0, NULL}, {"id type xs ys zs", 1, NULL}};
    for (size_t v = 0; v < 2; v++)
        check_dump_style(&t, &plain[v], &t.ff, NULL, 1);
}

/* Plain wrapped positions (x y z, no image flags) in a box that changes every frame,
 * scaled about its fixed centre, the atoms moved as NPT MD moves them (the wrapped
 * position scaled with the box, a step of up to 0.8 A, then wrapped into the new box) and
 * their crossings counted: every frame must read back as x + n L(t), n the crossings since
 * frame 1, so that u is the wrapped position plus whole boxes of the frame's own box
 * (what the analyses' minimum images need); before, u - x was a sum of older boxes. */
#define NPT_N 8
#define NPT_NF 12
static void test_dump_changing_box(void **state)
{
    (void)state;
    char path[PATH_LEN];
    tmp_path("npt_wrapped.dump", path);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    gmd_rng rng;
    gmd_rng_seed(&rng, 5);
    double x[NPT_NF][3][NPT_N], len[NPT_NF], img[NPT_NF][3][NPT_N] = {{{0}}}, L = 15.0;
    const double c = 3.0;
    for (int f = 0; f < NPT_NF; f++) {
        double L1 = f == 0 ? L : L * (0.97 + 0.06 * gmd_rng_uniform(&rng));
        fprintf(fp, "ITEM: TIMESTEP\n%d\nITEM: NUMBER OF ATOMS\n%d\nITEM: BOX BOUNDS pp pp pp\n",
                10 * f, NPT_N);
        for (int k = 0; k < 3; k++)
            fprintf(fp, "%.17g %.17g\n", c - L1 / 2, c + L1 / 2);
        fprintf(fp, "ITEM: ATOMS id type x y z\n");
        for (int i = 0; i < NPT_N; i++) {
            for (int k = 0; k < 3; k++) {
                double step = 1.6 * gmd_rng_uniform(&rng) - 0.8;
                double moved = f == 0
                                   ? c - L1 / 2 + L1 * gmd_rng_uniform(&rng)
                                   : c - L1 / 2 + (x[f - 1][k][i] - (c - L / 2)) * (L1 / L) + step;
                double cross = floor((moved - (c - L1 / 2)) / L1);
                x[f][k][i] = moved - cross * L1;
                img[f][k][i] = (f ? img[f - 1][k][i] : 0.0) + cross;
            }
            fprintf(fp, "%d 1 %.17g %.17g %.17g\n", i + 1, x[f][0][i], x[f][1][i], x[f][2][i]);
        }
        len[f] = L = L1;
    }
    fclose(fp);
    gmd_traj_reader *r = NULL;
    gmd_error err;
    gmd_frame frame = {0};
    int eof = 0, f = 0;
    double crossings = 0.0;
    if (gmd_traj_reader_open(&r, path, GMD_TRAJ_IN_LAMMPSDUMP, NULL, "Na", DT_FS, &err))
        fail_msg("%s", err.message);
    while (gmd_traj_reader_next(r, &frame, &eof, &err) == GMD_OK && !eof) {
        for (int k = 0; k < 3; k++)
            for (int i = 0; i < NPT_N; i++) {
                check_close(frame.r[k][i], x[f][k][i] + img[f][k][i] * len[f], len[f]);
                crossings += fabs(img[f][k][i]);
            }
        f++;
    }
    assert_int_equal(f, NPT_NF);
    assert_true(crossings > 0.0); /* atoms crossed while the box changed */
    gmd_frame_free(&frame);
    gmd_traj_reader_close(r);
}

/* Species named by elements alone get table order by type, not by file order. */
static void test_dump_species_table(void **state)
{
    (void)state;
    truth t;
    make_truth(&t, 0);
    char path[PATH_LEN];
    const int reversed[3] = {3, 2, 1};
    const dump_style s = {"id type element q xu yu zu", 0, reversed}; /* Si first in file */
    write_dump(tmp_path("species.dump", path), &t, &s);
    gmd_traj_reader *r = NULL;
    gmd_error err;
    if (gmd_traj_reader_open(&r, path, GMD_TRAJ_IN_AUTO, NULL, NULL, DT_FS, &err))
        fail_msg("%s", err.message);
    const gmd_species_table *sp = gmd_traj_reader_species(r);
    assert_int_equal(sp->n, 3);
    assert_string_equal(sp->name[0], "Na"); /* type 1 */
    assert_string_equal(sp->name[1], "S");
    assert_string_equal(sp->name[2], "Si");
    assert_int_equal(sp->have_charges, 1); /* from the q column */
    assert_true(sp->charge[0] == 0.6 && sp->charge[1] == -1.2 && sp->charge[2] == 2.4);
    assert_true(fabs(sp->mass[2] - 28.0855) < 1e-3); /* standard atomic weight of Si */
    gmd_traj_reader_close(r);
    /* with a force field the table is the force field's, charges included */
    if (gmd_traj_reader_open(&r, path, GMD_TRAJ_IN_AUTO, &t.ff, NULL, DT_FS, &err))
        fail_msg("%s", err.message);
    sp = gmd_traj_reader_species(r);
    assert_int_equal(sp->n, 3);
    assert_string_equal(sp->name[0], "Si");
    assert_int_equal(sp->have_charges, 1);
    gmd_traj_reader_close(r);
}

/* ---- NetCDF ------------------------------------------------------------------------- */

static void test_netcdf_glassmd(void **state)
{
    (void)state;
    truth t;
    make_truth(&t, 0);
    gmd_atoms atoms = {0};
    gmd_error err;
    char path[PATH_LEN];
    assert_int_equal(gmd_atoms_init(&atoms, N, &err), GMD_OK);
    for (size_t i = 0; i < N; i++) {
        atoms.id[i] = t.id[i];
        atoms.type[i] = t.species[i];
        atoms.charge[i] = t.ff.species[t.species[i]].charge;
    }
    gmd_traj_writer *w = NULL;
    tmp_path("glassmd.nc", path);
    if (gmd_traj_open(&w, path, GMD_TRAJ_NETCDF, &t.ff, &atoms, -1, &err))
        fail_msg("%s", err.message);
    for (int f = 0; f < NF; f++) {
        for (int k = 0; k < 3; k++)
            for (size_t i = 0; i < N; i++) {
                atoms.r[k][i] = t.x[f][k][i];
                atoms.image[k][i] = t.img[f][k][i];
            }
        if (gmd_traj_write(w, t.step[f], t.step[f] * DT_FS * 1e-3, &t.box, &atoms, &err))
            fail_msg("%s", err.message);
    }
    assert_int_equal(gmd_traj_close(w, &err), GMD_OK);
    /* the writer stores x + img * len as float; that is what must come back */
    for (int f = 0; f < NF; f++)
        for (int k = 0; k < 3; k++)
            for (size_t i = 0; i < N; i++)
                t.u[f][k][i] = t.x[f][k][i] + (double)t.img[f][k][i] * t.box.len[k];
    check_reader(&t, path, GMD_TRAJ_IN_AUTO, NULL, NULL, 0, 1);
    check_reader(&t, path, GMD_TRAJ_IN_NETCDF, &t.ff, NULL, 0, 1);
    gmd_traj_reader *r = NULL;
    assert_int_equal(gmd_traj_reader_open(&r, path, GMD_TRAJ_IN_AUTO, NULL, NULL, DT_FS, &err), 0);
    const gmd_species_table *sp = gmd_traj_reader_species(r);
    assert_int_equal(sp->n, 3);
    assert_string_equal(sp->name[0], "Si"); /* species_names, in type order */
    assert_string_equal(sp->name[2], "Na");
    assert_int_equal(sp->have_charges, 1); /* from atom_charges */
    assert_true(sp->charge[1] == -1.2);
    gmd_traj_reader_close(r);
    gmd_atoms_free(&atoms);
}

#define NC(call) assert_int_equal((call), NC_NOERR)

/* A foreign AMBER file (no program attribute, no names): wrapped float positions, types
 * named by a types map, atoms in array order with ids. Unwrapped by minimum image. */
static void write_foreign_nc(const char *path, const truth *t, int unwrapped, double gamma)
{
    int nc, dframe, datom, dsp, dcs, vc, vl, va, vt, vtype, vid;
    NC(nc_create(path, NC_CLOBBER | NC_64BIT_OFFSET, &nc));
    NC(nc_put_att_text(nc, NC_GLOBAL, "Conventions", 5, "AMBER"));
    NC(nc_def_dim(nc, "frame", NC_UNLIMITED, &dframe));
    NC(nc_def_dim(nc, "atom", N, &datom));
    NC(nc_def_dim(nc, "spatial", 3, &dsp));
    NC(nc_def_dim(nc, "cell_spatial", 3, &dcs));
    int d3[3] = {dframe, datom, dsp}, d2[2] = {dframe, dcs};
    NC(nc_def_var(nc, "coordinates", NC_FLOAT, 3, d3, &vc));
    NC(nc_def_var(nc, "cell_lengths", NC_DOUBLE, 2, d2, &vl));
    NC(nc_def_var(nc, "cell_angles", NC_DOUBLE, 2, d2, &va));
    NC(nc_def_var(nc, "time", NC_FLOAT, 1, &dframe, &vt));
    NC(nc_def_var(nc, "atom_types", NC_INT, 1, &datom, &vtype));
    NC(nc_def_var(nc, "atom_ids", NC_INT, 1, &datom, &vid));
    NC(nc_enddef(nc));
    int types[N], ids[N];
    for (size_t i = 0; i < N; i++)
        types[i] = t->species[i] + 1, ids[i] = (int)t->id[i];
    NC(nc_put_var_int(nc, vtype, types));
    NC(nc_put_var_int(nc, vid, ids));
    for (size_t f = 0; f < NF; f++) {
        float xyz[N][3], time = (float)(t->step[f] * DT_FS * 1e-3);
        for (size_t i = 0; i < N; i++)
            for (int k = 0; k < 3; k++)
                xyz[i][k] = (float)(unwrapped ? t->u[f][k][i] : t->x[f][k][i]);
        size_t start[3] = {f, 0, 0}, count[3] = {1, N, 3};
        NC(nc_put_vara_float(nc, vc, start, count, &xyz[0][0]));
        count[1] = 3;
        const double angles[3] = {90.0, 90.0, gamma};
        NC(nc_put_vara_double(nc, vl, start, count, t->box.len));
        NC(nc_put_vara_double(nc, va, start, count, angles));
        NC(nc_put_var1_float(nc, vt, &f, &time));
    }
    NC(nc_close(nc));
}

static void test_netcdf_foreign(void **state)
{
    (void)state;
    truth t;
    make_truth(&t, 1); /* AMBER has no cell_origin: the box starts at 0 */
    char path[PATH_LEN];
    tmp_path("foreign.nc", path);
    /* wrapped positions: the expected values are the float positions unwrapped from
     * frame 1, i.e. float(x0) + displacement; compare at float precision */
    write_foreign_nc(path, &t, 0, 90.0);
    gmd_traj_reader *r = NULL;
    gmd_error err;
    gmd_frame fr = {0};
    int eof = 0, f = 0;
    if (gmd_traj_reader_open(&r, path, GMD_TRAJ_IN_AUTO, NULL, "Si,S,Na", DT_FS, &err))
        fail_msg("%s", err.message);
    while (gmd_traj_reader_next(r, &fr, &eof, &err) == GMD_OK && !eof) {
        assert_int_equal(fr.step, t.step[f]);
        for (size_t j = 0; j < N; j++) {
            size_t i = t.by_id[j];
            for (int k = 0; k < 3; k++) {
                double want = t.x[0][k][i] + (t.u[f][k][i] - t.u[0][k][i]);
                if (fabs(fr.r[k][j] - want) > 1e-5 * t.box.len[k])
                    fail_msg("frame %d atom %ld: %g, want %g", f, fr.id[j], fr.r[k][j], want);
            }
        }
        f++;
    }
    assert_int_equal(f, NF);
    gmd_traj_reader_close(r);
    /* unwrapped positions (some far outside the box, which proves them unwrapped): taken
     * as they are, even where an atom jumps by more than half a box between frames */
    for (int g = 2; g < NF; g++)
        t.u[g][0][0] += 0.7 * t.box.len[0];
    write_foreign_nc(path, &t, 1, 90.0);
    if (gmd_traj_reader_open(&r, path, GMD_TRAJ_IN_NETCDF, &t.ff, NULL, DT_FS, &err))
        fail_msg("%s", err.message);
    for (f = 0; gmd_traj_reader_next(r, &fr, &eof, &err) == GMD_OK && !eof; f++)
        for (size_t j = 0; j < N; j++)
            for (int k = 0; k < 3; k++)
                assert_true(fr.r[k][j] == (double)(float)t.u[f][k][t.by_id[j]]);
    assert_int_equal(f, NF);
    gmd_traj_reader_close(r);
    gmd_frame_free(&fr);
    /* a triclinic cell is refused, naming the file and the frame */
    write_foreign_nc(path, &t, 0, 60.0);
    assert_int_not_equal(gmd_traj_reader_open(&r, path, GMD_TRAJ_IN_AUTO, &t.ff, NULL, 1, &err), 0);
    char where[PATH_LEN + 64];
    snprintf(where, sizeof where, "%s: frame 1: cell_angles", path);
    if (!strstr(err.message, where) || !strstr(err.message, "triclinic"))
        fail_msg("unexpected message: %s", err.message);
}

/* ---- extended XYZ ------------------------------------------------------------------- */

static void test_extxyz(void **state)
{
    (void)state;
    truth t;
    make_truth(&t, 0);
    char path[PATH_LEN];
    FILE *fp = fopen(tmp_path("traj.xyz", path), "w");
    assert_non_null(fp);
    for (int f = 0; f < NF; f++) {
        fprintf(fp,
                "%d\nLattice=\"%.17g 0 0 0 %.17g 0 0 0 %.17g\" Origin=\"%.17g %.17g %.17g\" "
                "Properties=species:S:1:pos:R:3:velo:R:3:id:I:1 step=%ld pbc=\"T T T\"\n",
                N, t.box.len[0], t.box.len[1], t.box.len[2], t.box.lo[0], t.box.lo[1], t.box.lo[2],
                t.step[f]);
        for (size_t a = 0; a < N; a++) {
            size_t i = (a * 5 + (size_t)f) % N; /* another atom order each frame */
            fprintf(fp, "%s %.17g %.17g %.17g 0.1 0.2 0.3 %ld\n", t.ff.species[t.species[i]].name,
                    t.x[f][0][i], t.x[f][1][i], t.x[f][2][i], t.id[i]);
        }
        if (f == 1) fputc('\n', fp); /* a blank line between frames is tolerated */
    }
    assert_int_equal(fclose(fp), 0);
    check_reader(&t, path, GMD_TRAJ_IN_AUTO, &t.ff, NULL, 1, 0);
    check_reader(&t, path, GMD_TRAJ_IN_XYZ, NULL, NULL, 1, 0);
}

/* ---- errors ------------------------------------------------------------------------- */

/* Frame text of a 4-atom dump: header lines 1-9 of the frame, atoms on lines 10-13. */
static void put_small_frame(FILE *fp, long step, const char *box_item, const char *columns,
                            int natoms, const char *const *atoms, int nlines)
{
    fprintf(fp, "ITEM: TIMESTEP\n%ld\nITEM: NUMBER OF ATOMS\n%d\nITEM: BOX BOUNDS %s\n", step,
            natoms, box_item);
    fprintf(fp, "0 10\n0 10\n0 10\nITEM: ATOMS %s\n", columns);
    for (int a = 0; a < nlines; a++)
        fprintf(fp, "%s\n", atoms[a]);
}

static const char *const GOOD[4] = {"1 1 1.0 1.0 1.0", "2 2 3.0 1.0 1.0", "3 2 5.0 1.0 1.0",
                                    "4 3 7.0 1.0 1.0"};

/* Reads the whole file; returns the error message (must fail). */
static const char *read_error(const char *path, const gmd_forcefield *ff, gmd_error *err)
{
    gmd_traj_reader *r = NULL;
    gmd_frame fr = {0};
    int eof = 0;
    gmd_status st = gmd_traj_reader_open(&r, path, GMD_TRAJ_IN_AUTO, ff, NULL, 1.0, err);
    while (st == GMD_OK && !eof)
        st = gmd_traj_reader_next(r, &fr, &eof, err);
    gmd_traj_reader_close(r);
    gmd_frame_free(&fr);
    if (st == GMD_OK) fail_msg("%s: read without error", path);
    return err->message;
}

static void expect_in(const char *message, const char *part)
{
    if (!strstr(message, part)) fail_msg("message lacks '%s': %s", part, message);
}

/* Frame 1 good; frame 2 written by the caller's arguments; checks the message. */
static void check_dump_error(const char *name, const char *box_item, const char *columns,
                             int natoms, const char *const *atoms, int nlines, int frame, int line,
                             const char *part)
{
    char path[PATH_LEN], where[PATH_LEN + 64];
    gmd_forcefield ff;
    gmd_error err;
    tu_reference_ff(&ff);
    FILE *fp = fopen(tmp_path(name, path), "w");
    assert_non_null(fp);
    if (frame == 2) put_small_frame(fp, 0, "pp pp pp", "id type xu yu zu", 4, GOOD, 4);
    put_small_frame(fp, 100, box_item, columns, natoms, atoms, nlines);
    assert_int_equal(fclose(fp), 0);
    const char *msg = read_error(path, &ff, &err);
    snprintf(where, sizeof where, "%s:%d: frame %d", path, line, frame);
    expect_in(msg, where);
    expect_in(msg, part);
}

static void test_dump_errors(void **state)
{
    (void)state;
    const char *const unknown_type[4] = {GOOD[0], GOOD[1], "3 4 5.0 1.0 1.0", GOOD[3]};
    const char *const not_number[4] = {"1 1 1.5x 1.0 1.0", GOOD[1], GOOD[2], GOOD[3]};
    const char *const short_line[4] = {GOOD[0], "2 2 3.0 1.0", GOOD[2], GOOD[3]};
    const char *const unknown_elem[1] = {"1 Xx 1 1 1"};
    /* frame 2 of 13-line frames: header lines 14-22, atoms 23-26 */
    check_dump_error("missing.dump", "pp pp pp", "id type xu yu", 4, GOOD, 4, 2, 22,
                     "needs xu yu zu, or x y z with ix iy iz, or xs ys zs");
    check_dump_error("truncated.dump", "pp pp pp", "id type xu yu zu", 4, GOOD, 2, 2, 24,
                     "truncated frame");
    check_dump_error("type.dump", "pp pp pp", "id type xu yu zu", 4, unknown_type, 4, 1, 12,
                     "unknown atom type 4");
    check_dump_error("count.dump", "pp pp pp", "id type xu yu zu", 3, GOOD, 3, 2, 17,
                     "holds 3 atoms, but frame 1 held 4");
    check_dump_error("number.dump", "pp pp pp", "id type xu yu zu", 4, not_number, 4, 2, 23,
                     "column xu holds '1.5x', not a number");
    check_dump_error("short.dump", "pp pp pp", "id type xu yu zu", 4, short_line, 4, 2, 24,
                     "atom line has 4 columns; the ATOMS line names 5");
    check_dump_error("triclinic.dump", "xy xz yz pp pp pp", "id type xu yu zu", 4, GOOD, 4, 1, 5,
                     "triclinic");
    check_dump_error("noid.dump", "pp pp pp", "type xu yu zu", 4, GOOD, 4, 2, 22, "no id column");
    check_dump_error("element.dump", "pp pp pp", "id element xu yu zu", 1, unknown_elem, 1, 1, 10,
                     "element 'Xx' is not a species of the force field");
    /* the same atom id changing species between frames */
    const char *const swapped[4] = {"1 2 1.0 1.0 1.0", GOOD[1], GOOD[2], GOOD[3]};
    check_dump_error("swap.dump", "pp pp pp", "id type xu yu zu", 4, swapped, 4, 2, 23,
                     "atom id 1 is S here but Si in frame 1");
}

static void test_other_errors(void **state)
{
    (void)state;
    char path[PATH_LEN], where[PATH_LEN + 64];
    gmd_forcefield ff;
    gmd_error err;
    tu_reference_ff(&ff);
    /* a missing file */
    expect_in(read_error(tmp_path("absent.dump", path), &ff, &err), "absent.dump: cannot open");
    /* type numbers without any name */
    FILE *fp = fopen(tmp_path("noname.dump", path), "w");
    put_small_frame(fp, 0, "pp pp pp", "id type xu yu zu", 4, GOOD, 4);
    fclose(fp);
    expect_in(read_error(path, NULL, &err), "give --types Si,S,Na or --ff FILE");
    /* extended XYZ: a truncated second frame, an unknown species */
    fp = fopen(tmp_path("bad.xyz", path), "w");
    fprintf(fp, "2\nLattice=\"10 0 0 0 10 0 0 0 10\"\nSi 1 1 1\nS 2 2 2\n"
                "2\nLattice=\"10 0 0 0 10 0 0 0 10\"\nSi 1 1 1\n");
    fclose(fp);
    snprintf(where, sizeof where, "%s:7: frame 2", path);
    const char *msg = read_error(path, &ff, &err);
    expect_in(msg, where);
    expect_in(msg, "truncated frame");
    fp = fopen(tmp_path("bad.xyz", path), "w");
    fprintf(fp, "2\nLattice=\"10 0 0 0 10 0 0 0 10\"\nSi 1 1 1\nO 2 2 2\n");
    fclose(fp);
    snprintf(where, sizeof where, "%s:4: frame 1", path);
    msg = read_error(path, &ff, &err);
    expect_in(msg, where);
    expect_in(msg, "element 'O' is not a species");
    /* not a trajectory at all */
    fp = fopen(tmp_path("junk.txt", path), "w");
    fprintf(fp, "hello\n");
    fclose(fp);
    expect_in(read_error(path, &ff, &err), "give --format");
}

/* ---- CSV and figures ---------------------------------------------------------------- */

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return NULL;
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static void test_csv(void **state)
{
    (void)state;
    const double a[4] = {0.0, 1.0 / 3.0, -2.5e-300, 12345.678901234},
                 b[4] = {1e10, -0.125, NAN, 7.0};
    const char *const names[2] = {"r_A", "g_SiS"};
    const double *const cols[2] = {a, b};
    gmd_error err;
    char path[PATH_LEN];
    if (gmd_csv_write(g_dir, "curve", "g(r) test", 2, names, cols, 4, &err))
        fail_msg("%s", err.message);
    char *text = slurp(tmp_path("curve.csv", path));
    assert_non_null(text);
    char first[128];
    snprintf(first, sizeof first, "# glassmd %s: g(r) test\nr_A,g_SiS\n", GLASSMD_VERSION);
    assert_memory_equal(text, first, strlen(first));
    char *line = text + strlen(first);
    for (int row = 0; row < 4; row++) {
        char *end;
        double x = strtod(line, &end);
        assert_int_equal(*end, ',');
        double y = strtod(end + 1, &end);
        assert_int_equal(*end, '\n');
        assert_true(fabs(x - a[row]) <= 1e-9 * fabs(a[row]));
        if (isnan(b[row]))
            assert_true(isnan(y));
        else
            assert_true(fabs(y - b[row]) <= 1e-9 * fabs(b[row]));
        line = end + 1;
    }
    assert_int_equal(*line, '\0');
    /* a column name with a comma would break the file */
    const char *const bad[2] = {"r,A", "g"};
    assert_int_not_equal(gmd_csv_write(g_dir, "bad", "x", 2, bad, cols, 4, &err), GMD_OK);
}

static int has_gnuplot(void)
{
    return system("command -v gnuplot >/dev/null 2>&1") == 0;
}

static void test_plot(void **state)
{
    (void)state;
    const double x[5] = {1, 2, 3, 4, 5}, y1[5] = {1, 4, 9, 16, 25}, y2[5] = {2, 3, 4, 5, 6},
                 e2[5] = {0.1, 0.2, 0.3, 0.2, 0.1};
    const char *const names[4] = {"t_ps", "msd_Na_A2", "msd_Si_A2", "msd_Si_err_A2"};
    const double *const cols[4] = {x, y1, y2, e2};
    gmd_error err;
    char path[PATH_LEN];
    assert_int_equal(gmd_csv_write(g_dir, "msd", "test", 4, names, cols, 5, &err), GMD_OK);
    gmd_plot p = {.title = "MSD (it's a test)",
                  .xlabel = "t (ps)",
                  .ylabel = "MSD (A^2)",
                  .xcol = 1,
                  .nseries = 2,
                  .ycols = {2, 3},
                  .labels = {"Na", NULL},
                  .errcols = {0, 4},
                  .logx = 1,
                  .logy = 1,
                  .extra = "set key left"};
    int skipped = -1;
    if (gmd_plot_write(g_dir, "msd", &p, &skipped, &err)) fail_msg("%s", err.message);
    char *gp = slurp(tmp_path("msd.gp", path));
    assert_non_null(gp);
    const char *parts[] = {"set datafile separator comma",
                           "set title 'MSD (it''s a test)'",
                           "set xlabel 't (ps)'",
                           "set logscale x",
                           "set logscale y",
                           "set key left",
                           "set terminal pngcairo",
                           "set output 'msd.png'",
                           "plot 'msd.csv' using 1:2 with lines linewidth 2 title 'Na'",
                           "'msd.csv' using 1:3:4 with yerrorlines",
                           "set terminal svg",
                           "set output 'msd.svg'"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        expect_in(gp, parts[i]);
    assert_true(strstr(gp, "pngcairo") < strstr(gp, "set terminal svg"));
    char png[PATH_LEN], svg[PATH_LEN];
    tmp_path("msd.png", png);
    tmp_path("msd.svg", svg);
    if (has_gnuplot()) {
        assert_int_equal(skipped, 0);
        char *text = slurp(png);
        assert_non_null(text);
        assert_memory_equal(text, "\211PNG", 4);
        text = slurp(svg);
        assert_non_null(text);
        expect_in(text, "<svg");
    } else {
        assert_int_equal(skipped, 1);
        print_message("gnuplot is not installed: figures not checked\n");
    }
    /* without gnuplot on PATH: the script only, *skipped set, no figures */
    unlink(png);
    unlink(svg);
    char *old = getenv("PATH"), saved[4096];
    snprintf(saved, sizeof saved, "%s", old ? old : "");
    setenv("PATH", g_dir, 1);
    skipped = -1;
    gmd_status st = gmd_plot_write(g_dir, "msd", &p, &skipped, &err);
    setenv("PATH", saved, 1);
    assert_int_equal(st, GMD_OK);
    assert_int_equal(skipped, 1);
    assert_int_not_equal(access(png, F_OK), 0);
    assert_int_equal(access(tmp_path("msd.gp", path), F_OK), 0);
    /* a broken script (bad extra line) is reported with gnuplot's complaint */
    if (has_gnuplot()) {
        p.extra = "set nonsense_option";
        assert_int_not_equal(gmd_plot_write(g_dir, "msd", &p, &skipped, &err), GMD_OK);
        expect_in(err.message, "gnuplot failed");
    }
}

/* ---- set-up ------------------------------------------------------------------------- */

/* gmd_text_to_double against strtod, bit for bit, on numbers as writers print them (%g, %f,
 * %e at every precision) and on random digit strings (signs, points, exponents, up to 19
 * digits: inside and outside the exact fast path of text.c), and both refuse the same
 * malformed texts; gmd_text_to_long against strtol likewise (up to 20 digits). */
static int strtod_whole(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

static void check_as_strtod(const char *text)
{
    double want = 0.0, got = 0.0;
    int rw = strtod_whole(text, &want), rg = gmd_text_to_double(text, &got);
    if (rw != rg || (rw == 0 && memcmp(&want, &got, sizeof want) != 0))
        fail_msg("'%s': strtod %d %.17g, gmd_text_to_double %d %.17g", text, rw, want, rg, got);
}

/* gmd_text_to_long against strtol (whole text, no overflow), value and refusal alike. */
static void check_as_strtol(const char *text)
{
    char *end;
    errno = 0;
    long want = strtol(text, &end, 10), got = 0;
    int rw = (end == text || *end != '\0' || errno == ERANGE) ? -1 : 0;
    int rg = gmd_text_to_long(text, &got);
    if (rw != rg || (rw == 0 && want != got))
        fail_msg("'%s': strtol %d %ld, gmd_text_to_long %d %ld", text, rw, want, rg, got);
}

static void test_text_to_double_as_strtod(void **state)
{
    (void)state;
    static const char *fixed[] = {"9007199254740992",
                                  "9007199254740993",
                                  "-0",
                                  "-0.0",
                                  "+1.5",
                                  "1e22",
                                  "1e23",
                                  "1e-22",
                                  "1e-23",
                                  "0.1",
                                  "1.",
                                  ".5",
                                  ".",
                                  "-",
                                  "1e",
                                  "1e+",
                                  "1e0005",
                                  "12345678901234567890",
                                  "1x",
                                  " 2.5",
                                  "2.5 ",
                                  "0x10",
                                  "inf",
                                  "nan",
                                  "4.9e-324",
                                  "1e400",
                                  "0",
                                  "+7",
                                  "",
                                  "999999999999999999",
                                  "9223372036854775807",
                                  "9223372036854775808",
                                  "-9223372036854775808",
                                  "12 "};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        check_as_strtod(fixed[i]);
        check_as_strtol(fixed[i]);
    }
    gmd_rng rng;
    gmd_rng_seed(&rng, 2026);
    char text[96];
    for (int t = 0; t < 200000; t++) {
        const double x =
            (gmd_rng_uniform(&rng) - 0.5) * pow(10.0, (int)(gmd_rng_next(&rng) % 30) - 12);
        const int prec = (int)(gmd_rng_next(&rng) % 18);
        static const char *formats[3] = {"%.*g", "%.*f", "%.*e"};
        snprintf(text, sizeof text, formats[t % 3], prec, x);
        check_as_strtod(text);
        int n = 0; /* random digits: [sign] int [. frac] [e [sign] exp] */
        const uint64_t r = gmd_rng_next(&rng);
        if (r & 1) text[n++] = r & 2 ? '-' : '+';
        const int nint = (int)(r >> 2 & 15), nfrac = (int)(r >> 6 & 15);
        for (int d = 0; d < nint; d++)
            text[n++] = (char)('0' + gmd_rng_next(&rng) % 10);
        if (r >> 10 & 1) {
            text[n++] = '.';
            for (int d = 0; d < nfrac; d++)
                text[n++] = (char)('0' + gmd_rng_next(&rng) % 10);
        }
        if (r >> 11 & 1)
            n += snprintf(text + n, sizeof text - (size_t)n, "%c%d", r >> 12 & 1 ? 'e' : 'E',
                          (int)(r >> 13 & 63) - 32);
        text[n] = '\0';
        check_as_strtod(text);
        n = 0; /* an integer: [sign] up to 20 digits */
        if (r >> 19 & 1) text[n++] = r >> 20 & 1 ? '-' : '+';
        for (int d = 0; d < (int)(r >> 21 & 31) % 21; d++)
            text[n++] = (char)('0' + gmd_rng_next(&rng) % 10);
        text[n] = '\0';
        check_as_strtol(text);
    }
}

static int make_dir(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/test_traj_read.XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[PATH_LEN + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dump_flavours),
        cmocka_unit_test(test_dump_changing_box),
        cmocka_unit_test(test_dump_species_table),
        cmocka_unit_test(test_netcdf_glassmd),
        cmocka_unit_test(test_netcdf_foreign),
        cmocka_unit_test(test_extxyz),
        cmocka_unit_test(test_dump_errors),
        cmocka_unit_test(test_other_errors),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_plot),
        cmocka_unit_test(test_text_to_double_as_strtod),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
