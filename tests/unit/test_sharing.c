/* test_sharing.c - corner-, edge- and face-sharing of former pairs and the former-bridge-
 * former angles split by them (src/analysis/network.c, angles.c), on a hand-built frame
 * whose answers are known without glassmd:
 * - corner (CS): two SiS4 tetrahedra sharing one S, the Si-S-Si angle set to 107.8 deg;
 * - edge (ES): an Si2S2 rhombus (Si-S 2.13 A, Si-Si 2.97 A), each Si capped by two more S:
 *   Si-S-Si = 2 asin(2.97 / (2 * 2.13)) = 88.40 deg at both shared S;
 * - face (FS): two Si on either side of an S3 triangle (Si-Si 2.60 A), each capped by one
 *   S: Si-S-Si = acos(1 - 2 (1.30 / 2.13)^2) = 75.23 deg at all three shared S.
 * The units lie apart in a 40 A box, the edge unit across the periodic boundary, and every
 * other atom is written one box length away (unwrapped coordinates). By hand: 6 Si, 18 S
 * (6 bridging, 12 non-bridging), Q1 = Q2 = Q3 = 2 Si; one pair of each kind; 2 of 6 Si in
 * edge-sharing and 2 of 6 in face-sharing units (the face pair is NOT an edge pair);
 * Si-S-Si triplets CS 1, ES 2, FS 3, each histogram a single 1-degree bin, so the peak is
 * that bin's centre and the mean the exact angle. The same frame with Ge/Se names checks
 * that the species come from the settings, not from "Si"/"S". */
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

#include <cJSON.h>

#include "../../src/analysis/structure_internal.h"
#include "testutil.h"

#define PI 3.14159265358979323846
#define BOX 40.0
#define D_SIS 2.13 /* Si-S bond length of every unit, A */

/* The three analytic angles (degrees). */
#define THETA_CS 107.8
static double theta_es(void)
{
    return 2.0 * asin(2.97 / (2.0 * D_SIS)) * 180.0 / PI;
}
static double theta_fs(void)
{
    double h = 1.30 / D_SIS;
    return acos(1.0 - 2.0 * h * h) * 180.0 / PI;
}

/* ------------------------------------------------------------------ building the frame */

typedef struct builder {
    size_t n;
    int type[64];
    double r[64][3];
} builder;

static void put(builder *b, int type, const double origin[3], double x, double y, double z)
{
    assert_true(b->n < 64);
    b->type[b->n] = type;
    const double p[3] = {x, y, z};
    for (int k = 0; k < 3; k++)
        b->r[b->n][k] = origin[k] + p[k];
    b->n++;
}

/* Three S around the Si at si (relative to origin), at the tetrahedral angle from the
 * unit bond direction bond (Si -> its shared S), 120 degrees apart around it. */
static void cap3(builder *b, const double origin[3], const double si[3], const double bond[3])
{
    double e1[3] = {bond[1], -bond[0], 0.0}; /* bond x z: bond lies in the xy plane */
    double n1 = sqrt(e1[0] * e1[0] + e1[1] * e1[1]);
    e1[0] /= n1, e1[1] /= n1;
    const double e2[3] = {bond[1] * e1[2] - bond[2] * e1[1], bond[2] * e1[0] - bond[0] * e1[2],
                          bond[0] * e1[1] - bond[1] * e1[0]};
    const double ct = -1.0 / 3.0, st = sqrt(8.0) / 3.0;
    for (int m = 0; m < 3; m++) {
        double phi = 2.0 * PI * m / 3.0, u[3];
        for (int k = 0; k < 3; k++)
            u[k] = ct * bond[k] + st * (cos(phi) * e1[k] + sin(phi) * e2[k]);
        put(b, 1, origin, si[0] + D_SIS * u[0], si[1] + D_SIS * u[1], si[2] + D_SIS * u[2]);
    }
}

/* Corner: shared S at the origin, the two Si at +-theta/2 from the y axis. */
static void corner_unit(builder *b, const double o[3])
{
    double half = 0.5 * THETA_CS * PI / 180.0;
    put(b, 1, o, 0.0, 0.0, 0.0);
    for (int side = -1; side <= 1; side += 2) {
        double si[3] = {side * D_SIS * sin(half), D_SIS * cos(half), 0.0};
        double bond[3] = {-si[0] / D_SIS, -si[1] / D_SIS, 0.0};
        put(b, 0, o, si[0], si[1], si[2]);
        cap3(b, o, si, bond);
    }
}

/* Edge: Si at (+-w, 0, 0), shared S at (0, +-h, 0), two more S on the far side of each Si. */
static void edge_unit(builder *b, const double o[3])
{
    double w = 0.5 * 2.97, h = sqrt(D_SIS * D_SIS - w * w), beta = 0.5 * acos(-1.0 / 3.0);
    put(b, 1, o, 0.0, h, 0.0);
    put(b, 1, o, 0.0, -h, 0.0);
    for (int side = -1; side <= 1; side += 2) {
        put(b, 0, o, side * w, 0.0, 0.0);
        for (int up = -1; up <= 1; up += 2)
            put(b, 1, o, side * (w + D_SIS * cos(beta)), 0.0, up * D_SIS * sin(beta));
    }
}

/* Face: Si at (0, 0, +-hf), three shared S on a circle in z = 0, one apical S per Si. */
static void face_unit(builder *b, const double o[3])
{
    double hf = 1.30, rho = sqrt(D_SIS * D_SIS - hf * hf);
    for (int m = 0; m < 3; m++)
        put(b, 1, o, rho * cos(2.0 * PI * m / 3.0), rho * sin(2.0 * PI * m / 3.0), 0.0);
    for (int side = -1; side <= 1; side += 2) {
        put(b, 0, o, 0.0, 0.0, side * hf);
        put(b, 1, o, 0.0, 0.0, side * (hf + D_SIS));
    }
}

/* The three units in one frame; species 0 former, 1 bridge. */
static void sharing_frame(gmd_frame *f)
{
    static builder b;
    memset(&b, 0, sizeof b);
    const double oc[3] = {10.0, 10.0, 10.0}, oe[3] = {0.4, 25.0, 20.0}, of[3] = {25.0, 12.0, 30.0};
    corner_unit(&b, oc);
    edge_unit(&b, oe); /* straddles x = 0 */
    face_unit(&b, of);
    memset(f, 0, sizeof *f);
    f->n = b.n;
    for (int k = 0; k < 3; k++) {
        f->r[k] = calloc(b.n, sizeof(double));
        assert_non_null(f->r[k]);
        f->box.len[k] = BOX;
    }
    f->id = calloc(b.n, sizeof(long));
    f->type = calloc(b.n, sizeof(int));
    assert_non_null(f->id);
    assert_non_null(f->type);
    for (size_t i = 0; i < b.n; i++) {
        f->id[i] = (long)i + 1;
        f->type[i] = b.type[i];
        for (int k = 0; k < 3; k++) /* unwrapped: every other atom one box away */
            f->r[k][i] = b.r[i][k] + (i % 2 ? BOX : 0.0);
    }
}

static void frame_release(gmd_frame *f)
{
    for (int k = 0; k < 3; k++)
        free(f->r[k]);
    free(f->id);
    free(f->type);
}

/* A system of species names F, B (and a modifier M absent from the frame). */
static void system_of(gmd_analysis_system *sys, gmd_species_table *sp, const gmd_frame *f,
                      const char *F, const char *B, const char *M)
{
    memset(sp, 0, sizeof *sp);
    const char *names[3] = {F, B, M};
    for (int s = 0; s < 3; s++)
        snprintf(sp->name[s], sizeof sp->name[s], "%s", names[s]);
    sp->n = 3;
    memset(sys, 0, sizeof *sys);
    sys->species = sp;
    sys->natoms = f->n;
    for (size_t i = 0; i < f->n; i++)
        sys->count[f->type[i]]++;
}

static void settings_of(gmd_analysis_settings *s, const char *dir, const char *F, const char *B,
                        const char *M)
{
    memset(s, 0, sizeof *s);
    s->out_dir = dir;
    snprintf(s->former, sizeof s->former, "%s", F);
    snprintf(s->bridge, sizeof s->bridge, "%s", B);
    snprintf(s->modifier, sizeof s->modifier, "%s", M);
    s->cut_former_bridge_A = 2.7;
    s->cut_modifier_bridge_A = 3.5;
    s->cut_homopolar_A = 2.4;
    s->nangle_triplets = 2;
    snprintf(s->angle_triplets[0], sizeof s->angle_triplets[0], "%s-%s-%s", B, F, B);
    snprintf(s->angle_triplets[1], sizeof s->angle_triplets[1], "%s-%s-%s", F, B, F);
    s->threads = 2;
}

static char *make_tmpdir(void)
{
    static char buf[256];
    const char *base = getenv("TMPDIR");
    snprintf(buf, sizeof buf, "%s/gmd_sharing_XXXXXX", base ? base : "/tmp");
    assert_non_null(mkdtemp(buf));
    return buf;
}

/* ------------------------------------------------------------------ reading outputs back */

static double num(const cJSON *o, const char *k1, const char *k2)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k1);
    if (k2) v = cJSON_GetObjectItemCaseSensitive(v, k2);
    if (!cJSON_IsNumber(v)) fail_msg("results lack number %s.%s", k1, k2 ? k2 : "");
    return v->valuedouble;
}

/* The value of column col in the row of DIR/FILE whose first column equals x (NAN if the
 * column or row is missing). */
static double csv_at(const char *dir, const char *file, const char *col, double x)
{
    char path[512], line[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    int want = -1, header = 1;
    double found = NAN;
    while (fgets(line, sizeof line, fp)) {
        if (line[0] == '#') continue;
        line[strcspn(line, "\n")] = '\0';
        int c = 0;
        double row0 = NAN, v = NAN;
        for (char *save = NULL, *tok = strtok_r(line, ",", &save); tok;
             tok = strtok_r(NULL, ",", &save), c++) {
            if (header && strcmp(tok, col) == 0) want = c;
            if (!header && c == 0) row0 = strtod(tok, NULL);
            if (!header && c == want) v = strtod(tok, NULL);
        }
        if (!header && want >= 0 && row0 == x) found = v;
        header = 0;
    }
    fclose(fp);
    return found;
}

/* ------------------------------------------------------------------ the tests */

/* The frame itself: each Si has exactly four S within the cut-off (the units are
 * tetrahedra, not accidentally bonded to each other). */
static void test_frame_is_what_it_claims(void **state)
{
    (void)state;
    gmd_frame f;
    sharing_frame(&f);
    assert_int_equal(f.n, 24);
    for (size_t i = 0; i < f.n; i++) {
        if (f.type[i] != 0) continue;
        int bonded = 0;
        for (size_t j = 0; j < f.n; j++) {
            double d2 = 0.0;
            for (int k = 0; k < 3; k++) {
                double d = gmd_min_image(f.r[k][j] - f.r[k][i], BOX);
                d2 += d * d;
            }
            if (f.type[j] != 1 || !(d2 < 2.7 * 2.7)) continue;
            bonded++;
            assert_true(fabs(sqrt(d2) - D_SIS) < 1e-9);
        }
        assert_int_equal(bonded, 4);
    }
    frame_release(&f);
}

static void test_network_face_not_edge(void **state)
{
    (void)state;
    gmd_frame f;
    sharing_frame(&f);
    gmd_network_stats s;
    gmd_error err;
    assert_int_equal(gmd_network_frame(&f, 0, 1, 2.7, 2.4, 2, &s, &err), GMD_OK);
    assert_int_equal(s.former, 6);
    assert_int_equal(s.bridge_atoms, 18);
    assert_int_equal(s.bridging, 6);
    assert_int_equal(s.nonbridging, 12);
    assert_int_equal(s.free, 0);
    assert_int_equal(s.qn[1], 2);
    assert_int_equal(s.qn[2], 2);
    assert_int_equal(s.qn[3], 2);
    assert_int_equal(s.corner_pairs, 1);
    assert_int_equal(s.edge_pairs, 1); /* the face pair is not an edge pair */
    assert_int_equal(s.face_pairs, 1);
    assert_int_equal(s.formers_in_edge, 2);
    assert_int_equal(s.formers_in_face, 2);
    assert_int_equal(s.homopolar, 0);
    assert_int_equal(gmd_sharing_kind_of(1), GMD_SHARE_CORNER);
    assert_int_equal(gmd_sharing_kind_of(2), GMD_SHARE_EDGE);
    assert_int_equal(gmd_sharing_kind_of(3), GMD_SHARE_FACE);
    assert_int_equal(gmd_sharing_kind_of(4), GMD_SHARE_FACE);
    frame_release(&f);
}

/* The accumulator: each class holds its own triplets, each in the bin of its exact angle. */
static void test_sharing_angle_acc(void **state)
{
    (void)state;
    gmd_frame f;
    sharing_frame(&f);
    gmd_error err;
    gmd_sharing_angle_acc acc = {.former = 0, .bridge = 1, .cut = 2.7};
    assert_int_equal(gmd_sharing_angle_acc_add(&acc, &f, 2, &err), GMD_OK);
    const double theta[GMD_SHARE_KINDS] = {THETA_CS, theta_es(), theta_fs()};
    const long triplets[GMD_SHARE_KINDS] = {1, 2, 3};
    print_message("exact Si-S-Si: CS %.4f ES %.4f FS %.4f deg\n", theta[0], theta[1], theta[2]);
    for (int k = 0; k < GMD_SHARE_KINDS; k++) {
        assert_int_equal(acc.pairs[k], 1);
        assert_int_equal(acc.total[k], triplets[k]);
        assert_true(acc.hist[k][(int)theta[k]] == (double)triplets[k]);
        assert_true(fabs(acc.sum_deg[k] / (double)triplets[k] - theta[k]) < 1e-9);
    }
    assert_int_equal(acc.nframes, 1);
    /* all former-bridge-former angles of the plain accumulator, none lost or doubled */
    gmd_angle_acc all = {.a = 0, .b = 1, .c = 0, .cut_ab = 2.7, .cut_cb = 2.7};
    gmd_anion_links links = {.former = 0, .bridge = 1, .cut = 2.7};
    assert_int_equal(gmd_anion_links_reserve(&links, f.n, &err), GMD_OK);
    assert_int_equal(gmd_angle_acc_add(&all, 1, &f, 2, &links, &err), GMD_OK);
    assert_int_equal(all.total, acc.total[0] + acc.total[1] + acc.total[2]);
    for (int m = 0; m < GMD_ANGLE_BINS; m++)
        assert_true(all.hist[m] == acc.hist[0][m] + acc.hist[1][m] + acc.hist[2][m]);
    /* the split from the links the angles' searches found: the same, to the bit */
    gmd_sharing_angle_acc from_links = {.former = 0, .bridge = 1, .cut = 2.7};
    assert_int_equal(gmd_sharing_angle_acc_add_links(&from_links, &f, &links, &err), GMD_OK);
    assert_memory_equal(&from_links, &acc, sizeof acc);
    gmd_anion_links_free(&links);
    frame_release(&f);
}

/* The network analysis: results.json "sharing" and network.csv. */
static void test_network_outputs(void **state)
{
    (void)state;
    gmd_frame f;
    sharing_frame(&f);
    gmd_species_table sp;
    gmd_analysis_system sys;
    system_of(&sys, &sp, &f, "Si", "S", "Na");
    gmd_analysis_settings set;
    settings_of(&set, make_tmpdir(), "Si", "S", "Na");
    gmd_analysis *an = NULL;
    gmd_error err;
    assert_int_equal(gmd_network_create(&an, &set, &sys, &f, &err), GMD_OK);
    for (int t = 0; t < 2; t++) {
        f.step = 100 * t;
        assert_int_equal(an->add_frame(an, &f, &err), GMD_OK);
    }
    cJSON *res = cJSON_CreateObject();
    assert_int_equal(an->finish(an, res, &err), GMD_OK);
    assert_true(num(res, "sharing", "corner_pairs") == 1.0);
    assert_true(num(res, "sharing", "edge_pairs") == 1.0);
    assert_true(num(res, "sharing", "face_pairs") == 1.0);
    assert_true(fabs(num(res, "sharing", "si_in_edge_fraction") - 1.0 / 3.0) < 1e-12);
    assert_true(fabs(num(res, "sharing", "si_in_face_fraction") - 1.0 / 3.0) < 1e-12);
    assert_true(csv_at(set.out_dir, "network.csv", "face_pairs", 100.0) == 1.0);
    assert_true(csv_at(set.out_dir, "network.csv", "edge_pairs", 100.0) == 1.0);
    assert_true(fabs(csv_at(set.out_dir, "network.csv", "si_in_face_fraction", 0.0) - 1.0 / 3.0) <
                1e-9);
    assert_true(fabs(csv_at(set.out_dir, "network.csv", "si_in_edge_fraction", 0.0) - 1.0 / 3.0) <
                1e-9);
    cJSON_Delete(res);
    gmd_analysis_free(an);
    frame_release(&f);
}

/* The angles analysis with species F, B: the split object and the CSV columns. */
static void check_angles(const char *F, const char *B, const char *M)
{
    gmd_frame f;
    sharing_frame(&f);
    gmd_species_table sp;
    gmd_analysis_system sys;
    system_of(&sys, &sp, &f, F, B, M);
    gmd_analysis_settings set;
    settings_of(&set, make_tmpdir(), F, B, M);
    gmd_analysis *an = NULL;
    gmd_error err;
    assert_int_equal(gmd_angles_create(&an, &set, &sys, &f, &err), GMD_OK);
    for (int t = 0; t < 3; t++)
        assert_int_equal(an->add_frame(an, &f, &err), GMD_OK);
    cJSON *res = cJSON_CreateObject();
    assert_int_equal(an->finish(an, res, &err), GMD_OK);
    char trip[64];
    snprintf(trip, sizeof trip, "%s-%s-%s", F, B, F);
    const cJSON *o = cJSON_GetObjectItem(res, "angles_former_bridge_former");
    assert_non_null(o);
    assert_string_equal(cJSON_GetObjectItem(o, "triplet")->valuestring, trip);
    assert_true(num(o, "frames", NULL) == 3.0);
    const char *key[3] = {"corner", "edge", "face"}, *tag[3] = {"CS", "ES", "FS"};
    const double theta[3] = {THETA_CS, theta_es(), theta_fs()}, trips[3] = {1, 2, 3};
    for (int k = 0; k < 3; k++) {
        double peak = num(o, key[k], "peak_deg"), mean = num(o, key[k], "mean_deg");
        print_message("%s %s: peak %.4f mean %.6f (exact %.6f)\n", trip, tag[k], peak, mean,
                      theta[k]);
        assert_true(fabs(peak - (floor(theta[k]) + 0.5)) < 1e-9); /* its bin's centre */
        assert_true(fabs(peak - theta[k]) <= 0.5);
        assert_true(fabs(mean - theta[k]) < 1e-9);
        assert_true(num(o, key[k], "triplets_per_frame") == trips[k]);
        assert_true(num(o, key[k], "pairs_per_frame") == 1.0);
        assert_true(fabs(num(o, key[k], "triplet_fraction") - trips[k] / 6.0) < 1e-12);
        char col[80];
        snprintf(col, sizeof col, "P_%s_%s", trip, tag[k]);
        assert_true(csv_at(set.out_dir, "angles.csv", col, floor(theta[k]) + 0.5) == 1.0);
    }
    double all = (THETA_CS + 2 * theta_es() + 3 * theta_fs()) / 6.0;
    assert_true(fabs(num(res, "angles_mean_deg", trip) - all) < 1e-9);
    cJSON_Delete(res);
    gmd_analysis_free(an);
    frame_release(&f);
}

static void test_angles_split_si_s(void **state)
{
    (void)state;
    check_angles("Si", "S", "Na");
}

/* The same frame named Ge/Se/Li: the split follows --former / --bridge. */
static void test_angles_split_named_by_settings(void **state)
{
    (void)state;
    check_angles("Ge", "Se", "Li");
}

/* Without the former-bridge-former triplet among --angles there is no split. */
static void test_angles_no_split_unless_asked(void **state)
{
    (void)state;
    gmd_frame f;
    sharing_frame(&f);
    gmd_species_table sp;
    gmd_analysis_system sys;
    system_of(&sys, &sp, &f, "Si", "S", "Na");
    gmd_analysis_settings set;
    settings_of(&set, make_tmpdir(), "Si", "S", "Na");
    set.nangle_triplets = 1; /* S-Si-S only */
    gmd_analysis *an = NULL;
    gmd_error err;
    assert_int_equal(gmd_angles_create(&an, &set, &sys, &f, &err), GMD_OK);
    assert_int_equal(an->add_frame(an, &f, &err), GMD_OK);
    cJSON *res = cJSON_CreateObject();
    assert_int_equal(an->finish(an, res, &err), GMD_OK);
    assert_null(cJSON_GetObjectItem(res, "angles_former_bridge_former"));
    assert_true(isnan(csv_at(set.out_dir, "angles.csv", "P_Si-S-Si_ES", 88.5)));
    cJSON_Delete(res);
    gmd_analysis_free(an);
    frame_release(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_is_what_it_claims),
        cmocka_unit_test(test_network_face_not_edge),
        cmocka_unit_test(test_sharing_angle_acc),
        cmocka_unit_test(test_network_outputs),
        cmocka_unit_test(test_angles_split_si_s),
        cmocka_unit_test(test_angles_split_named_by_settings),
        cmocka_unit_test(test_angles_no_split_unless_asked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
