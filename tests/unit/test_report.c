/* test_report.c - gmd_study_report on a fake finished study whose numbers are known.
 *
 * The fixture writes, in a temporary folder, what a finished study leaves (docs/study.md):
 * per composition and isotherm an analysis folder with results.json and msd.csv; per glass
 * results.json, rdf.csv, sq.csv, angles.csv, fsdp.csv and final.data (a random
 * configuration); one arrhenius/results.json; plan.json; an experimental S(k). The numbers
 * are chosen by hand: D follows an exact Arrhenius law (so the report's own fit must give
 * the chosen E_A back), peaks sit where Gaussians were put, one quantity is set far from
 * the paper (the report must say "no"; so is the corner-sharing angle peak), one
 * composition has no folders at all (notes, no crash). Checks:
 *  - index.html exists and holds every figure and table by id, the study and force-field
 *    text, units; every <img src> is a data: URI or an existing file, every link a file;
 *  - every figure and table has its CSV (and PNG + SVG when gnuplot is installed);
 *  - verdicts: the row set to agree is green, the one set to disagree red, missing grey;
 *  - the report's own Arrhenius fit returns the E_A the data were built from;
 *  - the snapshot PNG: signature, IHDR size, every chunk's CRC, the inflated scanlines,
 *    and pixels in the three species' colours (red Si, yellow S, blue Na);
 *  - without gnuplot (PATH emptied) the page still renders, with a note;
 *  - species names are data: the same study with Ge and Li gives fig-g-LiLi etc.
 * GLASSMD_REPORT_KEEP=DIR keeps the trees in DIR (tests/peer/test_report_chromium.py opens
 * the page in a browser). */
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
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "glassmd/config_io.h"
#include "glassmd/study.h"
#include "glassmd/units.h"
#include "testutil.h"

/* Fixture paths are short temporary folders; truncation cannot happen here. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

static const double ISO_T[3] = {1000, 750, 500};
static const double EA_NA_05 = 0.439, EA_NA_066 = 0.500; /* eV, the laws the data follow */

/* ---- writing the fixture ---------------------------------------------------------------- */

static void mkdirs(const char *path)
{
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(buf, 0777);
            *p = '/';
        }
    mkdir(buf, 0777);
}

static void write_text(const char *dir, const char *name, const char *text)
{
    char path[2300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static double gauss(double x, double mu, double w)
{
    return exp(-0.5 * (x - mu) * (x - mu) / (w * w));
}

typedef struct names {
    const char *F, *B, *M; /* former, bridge, modifier */
} names;

static void write_iso(const char *dir, const names *n, double T, double ea, int off)
{
    mkdirs(dir);
    double dm = 3.54e-5 * exp(-ea / GMD_KB_EV_K * (1 / T - 1 / 1000.0));
    if (off && T == 1000) dm = 1.0e-5; /* far from the paper's 3.54e-5 on purpose */
    double df = 5.0e-6 * exp(-0.6 / GMD_KB_EV_K * (1 / T - 1 / 1000.0));
    double db = 5.0e-6 * exp(-0.647 / GMD_KB_EV_K * (1 / T - 1 / 1000.0));
    double sm = 0.5 * exp(-0.274 / GMD_KB_EV_K * (1 / T - 1 / 1000.0));
    char j[4096];
    snprintf(j, sizeof j,
             "{\"temperature_K\": %g, \"diffusion_cm2_s\": {\"%s\": {\"D\": %.6g, \"err\": %.6g},"
             " \"%s\": {\"D\": %.6g, \"err\": %.6g}, \"%s\": {\"D\": %.6g, \"err\": %.6g}},"
             " \"conductivity_S_cm\": {\"einstein_helfand\": {\"value\": %.6g, \"err\": %.6g},"
             " \"nernst_einstein\": {\"total\": %.6g, \"%s\": %.6g, \"network\": %.6g},"
             " \"nernst_einstein_err\": {\"total\": %.6g, \"%s\": %.6g, \"network\": %.6g},"
             " \"haven_ratio\": 0.5}}",
             T, n->M, dm, 0.02 * dm, n->F, df, 0.02 * df, n->B, db, 0.02 * db, sm, 0.02 * sm,
             2 * sm, n->M, 0.54 * sm, 1.46 * sm, 0.04 * sm, n->M, 0.02 * sm, 0.04 * sm);
    write_text(dir, "results.json", j);
    char path[2300];
    snprintf(path, sizeof path, "%s/msd.csv", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "# glassmd test: msd\ntime_ps,msd_%s_A2,beta_%s\n", n->M, n->M);
    for (int i = 1; i <= 40; i++) {
        double t = 0.01 * pow(1.25, i);
        fprintf(fp, "%g,%g,1\n", t, 6 * dm / 1.0e-4 * t /* A^2/ps */ + 0.5);
    }
    fclose(fp);
}

static void write_curves(const char *dir, const names *n)
{
    char path[2300];
    snprintf(path, sizeof path, "%s/rdf.csv", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "# test\nr_A,g_%s%s,g_%s%s,g_%s%s,g_%s%s,g_%s%s,g_%s%s,g_N,g_X\n", n->F, n->F, n->F,
            n->B, n->F, n->M, n->B, n->B, n->B, n->M, n->M, n->M);
    for (int i = 0; i < 500; i++) {
        double r = (i + 0.5) * 0.02;
        fprintf(fp, "%g,%g,%g,%g,%g,%g,%g,%g,%g\n", r, 3 * gauss(r, 3.0, 0.1),
                9 * gauss(r, 2.13, 0.05), gauss(r, 3.5, 0.2), 3 * gauss(r, 3.6, 0.2),
                4 * gauss(r, 2.91, 0.1), 2 * gauss(r, 3.8, 0.3), gauss(r, 3.47, 0.2),
                2 * gauss(r, 2.13, 0.05) + gauss(r, 3.47, 0.15));
    }
    fclose(fp);
    snprintf(path, sizeof path, "%s/sq.csv", dir);
    fp = fopen(path, "w");
    fprintf(fp, "# test\nk_invA,S_X\n");
    for (int i = 1; i < 1000; i++) {
        double k = i * 0.02;
        fprintf(fp, "%g,%g\n", k,
                1 + 0.5 * gauss(k, 1.13, 0.15) + gauss(k, 2.5, 0.3) + 0.6 * gauss(k, 4.0, 0.3));
    }
    fclose(fp);
    snprintf(path, sizeof path, "%s/angles.csv", dir);
    fp = fopen(path, "w");
    fprintf(fp, "# test\ntheta_deg,P_%s-%s-%s,P_%s-%s-%s,P_%s-%s-%s,P_%s-%s-%s\n", n->F, n->B, n->F,
            n->B, n->F, n->B, n->M, n->B, n->M, n->B, n->M, n->B);
    for (int i = 0; i < 180; i++)
        fprintf(fp, "%g,%g,%g,%g,%g\n", i + 0.5,
                0.02 * gauss(i + 0.5, 88, 4) + 0.03 * gauss(i + 0.5, 108, 6),
                0.04 * gauss(i + 0.5, 109.5, 5), 0.02 * gauss(i + 0.5, 75, 15),
                0.02 * gauss(i + 0.5, 95, 20));
    fclose(fp);
    snprintf(path, sizeof path, "%s/fsdp.csv", dir);
    fp = fopen(path, "w");
    fprintf(fp, "# test\nk_invA,S_%s%s\n", n->M, n->M);
    for (int i = 1; i < 300; i++)
        fprintf(fp, "%g,%g\n", i * 0.02, 0.2 * gauss(i * 0.02, 1.0, 0.15) + 0.8);
    fclose(fp);
}

static void write_glass(const char *job, const names *n, const gmd_forcefield *ff, double x,
                        const long *counts)
{
    char dir[2300], j[2048];
    snprintf(dir, sizeof dir, "%s/analysis", job);
    mkdirs(dir);
    double q0 = x > 0.6 ? 0.50 : 0.05;
    snprintf(
        j, sizeof j,
        "{\"rdf_first_peak_A\": {\"%s-%s\": 2.13, \"%s-%s\": 2.95},"
        " \"coordination\": {\"%s-%s\": {\"cutoff\": 2.7, \"mean\": 4.0}},"
        " \"qn\": {\"p\": [%g, 0.375, 0.11, %g], \"mean_n\": 0.7},"
        " \"sulfur\": {\"bridging\": 0.3, \"nonbridging\": 0.6, \"free\": 0.1},"
        " \"sharing\": {\"corner_pairs\": 10, \"edge_pairs\": 5, \"si_in_edge_fraction\": 0.2},"
        " \"angles_former_bridge_former\": {\"edge\": {\"peak_deg\": 88.4},"
        " \"corner\": {\"peak_deg\": 115.0}, \"face\": {\"peak_deg\": null}},"
        " \"fsdp\": {\"pair\": \"%s-%s\", \"found\": true, \"k_invA\": 1.02, \"intensity\": %g},"
        " \"r_x\": 0.006}",
        n->F, n->B, n->B, n->M, n->F, n->B, q0, 1 - q0 - 0.485, n->M, n->M, x > 0.6 ? 0.1 : 0.2);
    write_text(dir, "results.json", j);
    write_curves(dir, n);
    gmd_box box;
    gmd_atoms atoms = {0};
    tu_random_system(ff, counts, 0.043, 1.5, 7, &box, &atoms);
    char path[2100];
    snprintf(path, sizeof path, "%s/final.data", job);
    gmd_error err;
    assert_int_equal(gmd_lammps_data_write(path, ff, &box, &atoms, "test glass", &err), GMD_OK);
    gmd_atoms_free(&atoms);
}

static const char *FF_TEXT =
    "cutoff = 10.0\nkspace = ewald\naccuracy = 1e-5\n[species]\n%s 28.0855 +2.4\nS 32.06 -1.2\n"
    "%s 22.98977 +0.6\n[pairs]\nS S 42800 0.284 30\nS %s 164000 0.178 80\nS %s 833000 0.182 70\n"
    "%s %s 13000 0.300 300\n%s %s 0 1.0 0\n%s %s 0 1.0 0\n[composition]\nmodifier = %s2S\nformer = "
    "%sS2\n";

/* Fills study and writes the whole tree into dir. */
static void make_study(gmd_study *s, const char *dir, const names *n, int off)
{
    char ff_text[1024], path[2048];
    memset(s, 0, sizeof *s);
    snprintf(ff_text, sizeof ff_text, FF_TEXT, n->F, n->M, n->F, n->M, n->M, n->M, n->F, n->F, n->F,
             n->M, n->M, n->F);
    mkdirs(dir);
    write_text(dir, "test.ff", ff_text);
    snprintf(s->forcefield, sizeof s->forcefield, "%s/test.ff", dir);
    gmd_error err;
    if (gmd_forcefield_read(&s->ff, s->forcefield, &err)) fail_msg("%s", err.message);
    write_text(dir, "test.study",
               "forcefield = test.ff\ncompositions = 0.5, 0.66, 0.8\n"
               "atoms = 300\nisotherms = 1000, 750, 500\nexp_sq = exp_sq.txt\n");
    snprintf(s->path, sizeof s->path, "%s/test.study", dir);
    snprintf(s->name, sizeof s->name, "test");
    snprintf(s->output_dir, sizeof s->output_dir, "%s/test.study.out", dir);
    snprintf(s->exp_sq, sizeof s->exp_sq, "%s/exp_sq.txt", dir);
    FILE *fp = fopen(s->exp_sq, "w");
    for (int i = 30; i < 600; i++)
        fprintf(fp, "%g %g\n", i * 0.02, 1 + 0.9 * gauss(i * 0.02, 2.5, 0.3));
    fclose(fp);
    s->natoms = 300, s->replicas = 1, s->nisotherms = 3, s->glass_T_K = 300;
    s->glass_time_ps = 10;
    memcpy(s->isotherm_K, ISO_T, sizeof ISO_T);
    const double xs[3] = {0.5, 0.66, 0.8};
    s->ncompositions = 3;
    int iF = gmd_forcefield_species_index(&s->ff, n->F),
        iB = gmd_forcefield_species_index(&s->ff, n->B),
        iM = gmd_forcefield_species_index(&s->ff, n->M);
    for (int c = 0; c < 3; c++) {
        gmd_study_composition *sc = &s->comp[c];
        snprintf(sc->label, sizeof sc->label, "x%.2f", xs[c]);
        sc->x = xs[c];
        long mod = lround(100 * xs[c]);
        sc->counts[iM] = 2 * mod, sc->counts[iB] = mod + 2 * (100 - mod),
        sc->counts[iF] = 100 - mod;
        sc->density = 0.043;
        if (c == 2) continue; /* x0.80: nothing ran */
        for (int t = 0; t < 3; t++) {
            snprintf(path, sizeof path, "%s/%s/r1/iso-%gK/analysis", s->output_dir, sc->label,
                     ISO_T[t]);
            write_iso(path, n, ISO_T[t], c ? EA_NA_066 : EA_NA_05, off && c == 0);
        }
        snprintf(path, sizeof path, "%s/%s/r1/glass-300K", s->output_dir, sc->label);
        write_glass(path, n, &s->ff, xs[c], sc->counts);
    }
    snprintf(path, sizeof path, "%s/x0.50/arrhenius", s->output_dir);
    mkdirs(path);
    char j[512];
    snprintf(j, sizeof j,
             "{\"arrhenius\": {\"D_%s\": {\"E_A_eV\": %g, \"err_eV\": 0.01, "
             "\"prefactor\": 0.01, \"npoints\": 3}}}",
             n->M, EA_NA_05);
    write_text(path, "results.json", j);
    write_text(s->output_dir, "plan.json",
               "{\"jobs\": [{\"name\": \"x0.50/r1/melt\", \"status\": \"done\", \"wall_s\": 12.5},"
               " {\"name\": \"x0.80/r1/melt\", \"status\": \"failed\", \"wall_s\": 3.25}]}");
}

/* ---- reading the result ------------------------------------------------------------- */

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static int file_exists(const char *dir, const char *name)
{
    char path[2300];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0;
}

/* Every src="..." and href="..." is a data: URI, an anchor, or a file in dir. */
static void check_references(const char *html, const char *dir)
{
    const char *keys[2] = {"src=\"", "href=\""};
    for (int k = 0; k < 2; k++)
        for (const char *p = strstr(html, keys[k]); p; p = strstr(p + 1, keys[k])) {
            const char *v = p + strlen(keys[k]);
            const char *end = strchr(v, '"');
            assert_non_null(end);
            if (strncmp(v, "data:image/png;base64,", 22) == 0 || v[0] == '#') continue;
            assert_int_equal(k, 1); /* an <img> must be embedded */
            char name[256];
            snprintf(name, sizeof name, "%.*s", (int)(end - v), v);
            if (!file_exists(dir, name)) fail_msg("broken link %s", name);
        }
}

/* The row of the comparison table whose text contains both a and b. */
static const char *row_with(const char *html, const char *a, const char *b, char *row, size_t len)
{
    const char *t = strstr(html, "id=\"tab-paper\"");
    assert_non_null(t);
    const char *end = strstr(t, "</table>");
    for (const char *p = strstr(t, "<tr"); p && p < end; p = strstr(p + 1, "<tr")) {
        const char *q = strstr(p, "</tr>");
        snprintf(row, len, "%.*s", (int)(q - p), p);
        if (strstr(row, a) && strstr(row, b)) return row;
    }
    fail_msg("no comparison row with '%s' and '%s'", a, b);
    return NULL;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Decodes our PNG (RGB, 8 bit, filter 0) and counts pixels of the three role colours. */
static void check_png(const char *path, int want_w, int want_h)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static unsigned char buf[4 << 20];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    assert_memory_equal(buf, sig, 8);
    size_t pos = 8, zlen = 0;
    unsigned char *z = malloc(n);
    int w = 0, h = 0, iend = 0;
    while (pos + 12 <= n && !iend) {
        uint32_t len = be32(buf + pos);
        const unsigned char *type = buf + pos + 4, *data = buf + pos + 8;
        uLong crc = crc32(crc32(0L, Z_NULL, 0), type, 4 + len);
        assert_int_equal((uint32_t)crc, be32(data + len));
        if (memcmp(type, "IHDR", 4) == 0) {
            w = (int)be32(data), h = (int)be32(data + 4);
            assert_int_equal(data[8], 8);
            assert_int_equal(data[9], 2);
        }
        if (memcmp(type, "IDAT", 4) == 0) memcpy(z + zlen, data, len), zlen += len;
        iend = memcmp(type, "IEND", 4) == 0;
        pos += 12 + len;
    }
    assert_true(iend);
    assert_int_equal(w, want_w);
    assert_int_equal(h, want_h);
    uLongf rawlen = (uLongf)h * (1 + 3 * (uLongf)w);
    unsigned char *raw = malloc(rawlen);
    assert_int_equal(uncompress(raw, &rawlen, z, zlen), Z_OK);
    assert_int_equal(rawlen, (uLongf)h * (1 + 3 * (uLongf)w));
    long red = 0, yellow = 0, blue = 0;
    for (int y = 0; y < h; y++) {
        const unsigned char *row = raw + (size_t)y * (1 + 3 * (size_t)w);
        assert_int_equal(row[0], 0);
        for (int x = 0; x < w; x++) {
            int R = row[1 + 3 * x], G = row[2 + 3 * x], B = row[3 + 3 * x];
            red += R > 120 && G < 60 && B < 60;
            yellow += R > 120 && G > 100 && B < 50 && abs(R - G) < 60;
            blue += B > 120 && R < 60 && G < 110;
        }
    }
    assert_true(red > 100);
    assert_true(yellow > 100);
    assert_true(blue > 100);
    free(raw);
    free(z);
}

/* ---- the tests -------------------------------------------------------------------------- */

static void test_dir(char *dir, size_t len, const char *name)
{
    const char *keep = getenv("GLASSMD_REPORT_KEEP");
    if (keep && *keep) {
        snprintf(dir, len, "%s/%s", keep, name);
        mkdirs(dir);
        return;
    }
    const char *base = getenv("GLASSMD_TEST_TMP");
    snprintf(dir, len, "%s/report-%s-XXXXXX", base && *base ? base : "/tmp", name);
    if (base && *base) mkdirs(base);
    assert_non_null(mkdtemp(dir));
}

static int have_gnuplot(void)
{
    return system("command -v gnuplot >/dev/null 2>&1") == 0;
}

static const char *FIGURES[] = {"fig-sx",
                                "fig-gr",
                                "fig-g-SS",
                                "fig-g-SiSi",
                                "fig-g-NaNa",
                                "fig-qn-x",
                                "fig-meann-x",
                                "fig-angles-Si-S-Si",
                                "fig-angles-S-Si-S",
                                "fig-angles-Na-S-Na",
                                "fig-s-NaNa",
                                "fig-fsdp-x",
                                "fig-msd-x0.50",
                                "fig-arrhenius-D-x0.50",
                                "fig-arrhenius-sigma-x0.50",
                                "fig-D-x",
                                "fig-DN-x",
                                "fig-sigma-x",
                                "fig-dratio-x",
                                "fig-snapshot-x0.50"};
static const char *TABLES[] = {"tab-paper",     "tab-activation", "tab-dynamics",
                               "tab-structure", "tab-jobs",       "tab-build"};

static void test_full_report(void **state)
{
    (void)state;
    static gmd_study s;
    char dir[1024], rep[1200], id[128];
    test_dir(dir, sizeof dir, "full");
    names n = {"Si", "S", "Na"};
    make_study(&s, dir, &n, 1);
    gmd_error err;
    assert_int_equal(gmd_study_report(&s, &err), GMD_OK);
    snprintf(rep, sizeof rep, "%s/report", s.output_dir);
    char path[1300];
    snprintf(path, sizeof path, "%s/index.html", rep);
    char *html = slurp(path);
    assert_non_null(html);
    int gp = have_gnuplot();
    for (size_t i = 0; i < sizeof FIGURES / sizeof *FIGURES; i++) {
        snprintf(id, sizeof id, "id=\"%s\"", FIGURES[i]);
        if (!strstr(html, id)) fail_msg("index.html lacks %s", id);
        char file[128];
        snprintf(file, sizeof file, "%s.%s", FIGURES[i] + 4,
                 strncmp(FIGURES[i], "fig-snapshot", 12) ? "csv" : "png");
        if (!file_exists(rep, file)) fail_msg("report lacks %s", file);
        snprintf(file, sizeof file, "%s.png", FIGURES[i] + 4);
        if (gp && !file_exists(rep, file)) fail_msg("report lacks %s", file);
        snprintf(file, sizeof file, "%s.svg", FIGURES[i] + 4);
        if (gp && !file_exists(rep, file)) fail_msg("report lacks %s", file);
    }
    for (size_t i = 0; i < sizeof TABLES / sizeof *TABLES; i++) {
        snprintf(id, sizeof id, "id=\"%s\"", TABLES[i]);
        if (!strstr(html, id)) fail_msg("index.html lacks %s", id);
        char file[128];
        snprintf(file, sizeof file, "%s.csv", TABLES[i] + 4);
        assert_true(file_exists(rep, file));
    }
    check_references(html, rep);
    assert_non_null(strstr(html, "id=\"input-study\">forcefield = test.ff"));
    assert_non_null(strstr(html, "id=\"input-forcefield\">cutoff = 10.0"));
    assert_non_null(strstr(html, "cm^2/s"));
    assert_non_null(strstr(html, "E_A (eV)"));
    assert_non_null(strstr(html, "12.5")); /* wall time from plan.json */
    /* verdicts: E_A(Na) = 0.439 +- 0.01 agrees; D_Na(1000 K) = 1e-5 is 64 sigma off */
    char row[4096];
    assert_non_null(
        strstr(row_with(html, "activation energy of D_Na<", "x = 0.50", row, sizeof row),
               "class=\"agree\""));
    assert_non_null(
        strstr(row_with(html, "D_Na<", "1000 K", row, sizeof row), "class=\"disagree\""));
    assert_non_null(strstr(row_with(html, "Q^0", "0.66", row, sizeof row), "class=\"agree\""));
    assert_non_null(strstr(row_with(html, "Q^0", "0.66", row, sizeof row), ">50.0<"));
    assert_non_null(strstr(row_with(html, "third peak", "g_X", row, sizeof row), ">3.47<"));
    assert_non_null(
        strstr(row_with(html, "FSDP intensity", "0.80", row, sizeof row), "class=\"missing\""));
    /* the ES / CS angle rows read the split peaks of results.json (88.4 agrees; 115 is 7 deg
     * from 108, although angles.csv's whole distribution has its maximum at 108) */
    row_with(html, "edge-sharing (ES) angle", "x = 0.50", row, sizeof row);
    assert_non_null(strstr(row, "class=\"agree\""));
    assert_non_null(strstr(row, ">88<"));
    row_with(html, "corner-sharing (CS) angle", "x = 0.50", row, sizeof row);
    assert_non_null(strstr(row, "class=\"disagree\""));
    assert_non_null(strstr(row, ">115<"));
    /* the report's own fit of x0.66 (no arrhenius/results.json) returns the law's E_A */
    assert_non_null(strstr(html, "<td>x0.66</td><td>0.66</td><td>D_Na</td><td>0.500</td>"));
    assert_non_null(strstr(html, "x0.80/r1/iso-1000K")); /* the missing composition's note */
    snprintf(path, sizeof path, "%s/snapshot-x0.50.png", rep);
    check_png(path, 640, 640);
    free(html);
}

static void test_without_gnuplot(void **state)
{
    (void)state;
    static gmd_study s;
    char dir[1024], path[1300];
    test_dir(dir, sizeof dir, "nognuplot");
    names n = {"Si", "S", "Na"};
    make_study(&s, dir, &n, 0);
    char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
    setenv("PATH", "/nonexistent", 1);
    gmd_error err;
    gmd_status st = gmd_study_report(&s, &err);
    if (old) setenv("PATH", old, 1);
    free(old);
    assert_int_equal(st, GMD_OK);
    snprintf(path, sizeof path, "%s/report/index.html", s.output_dir);
    char *html = slurp(path);
    assert_non_null(html);
    assert_non_null(strstr(html, "gnuplot is not installed"));
    assert_non_null(strstr(html, "id=\"fig-sx\""));
    assert_non_null(strstr(html, "id=\"tab-paper\""));
    /* the snapshot is glassmd's own: still embedded */
    const char *snap = strstr(html, "id=\"fig-snapshot-x0.50\"");
    assert_non_null(snap);
    assert_non_null(strstr(snap, "data:image/png;base64,"));
    snprintf(path, sizeof path, "%s/report", s.output_dir);
    check_references(html, path);
    free(html);
}

static void test_other_species(void **state)
{
    (void)state;
    static gmd_study s;
    char dir[1024], path[1300];
    test_dir(dir, sizeof dir, "ge-li");
    names n = {"Ge", "S", "Li"};
    make_study(&s, dir, &n, 0);
    gmd_error err;
    assert_int_equal(gmd_study_report(&s, &err), GMD_OK);
    snprintf(path, sizeof path, "%s/report/index.html", s.output_dir);
    char *html = slurp(path);
    assert_non_null(html);
    const char *ids[] = {"id=\"fig-g-LiLi\"", "id=\"fig-g-GeGe\"", "id=\"fig-angles-Ge-S-Ge\"",
                         "id=\"fig-s-LiLi\"", "for orientation only"};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++)
        if (!strstr(html, ids[i])) fail_msg("index.html lacks %s", ids[i]);
    char row[4096];
    assert_non_null(strstr(row_with(html, "activation energy of D_Li<", "0.50", row, sizeof row),
                           "class=\"agree\""));
    free(html);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_report),
        cmocka_unit_test(test_without_gnuplot),
        cmocka_unit_test(test_other_species),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
