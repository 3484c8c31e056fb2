/* test_forcefield.c - the .ff parser: the shipped file against SPEC section 2's table,
 * defaults, the derived collapse distances (against scipy's root of dV/dr and a finite
 * difference check), and every error case (file name, line number and key phrase). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "glassmd/forcefield.h"
#include "glassmd/units.h"
#include "testutil.h"

enum { SI = 0, S = 1, NA = 2 };

/* |a - b| <= tol in double precision (cmocka's float comparison is single precision). */
#define assert_close(a, b, tol)                                                                    \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (tol)))                                                             \
            fail_msg("%s = %.17g, expected %.17g (tolerance %g)", #a, a_, b_, (double)(tol));      \
    } while (0)

static void test_shipped_file_matches_spec(void **state)
{
    (void)state;
    char path[1024];
    tu_source_path("data/forcefields/na2s-sis2.ff", path, sizeof path);
    gmd_forcefield ff;
    gmd_error err;
    assert_int_equal(gmd_forcefield_read(&ff, path, &err), GMD_OK);
    assert_string_equal(ff.path, path);
    assert_int_equal(ff.nspecies, 3);
    const char *names[3] = {"Si", "S", "Na"};
    const double mass[3] = {28.0855, 32.06, 22.98977}, charge[3] = {2.4, -1.2, 0.6};
    for (int s = 0; s < 3; s++) {
        assert_string_equal(ff.species[s].name, names[s]);
        assert_int_equal(gmd_forcefield_species_index(&ff, names[s]), s);
        assert_close(ff.species[s].mass, mass[s], 1e-12);
        assert_close(ff.species[s].charge, charge[s], 1e-12);
    }
    assert_int_equal(gmd_forcefield_species_index(&ff, "Li"), -1);
    /* SPEC table: pair, A, rho, C */
    struct {
        int i, j;
        double A, rho, C;
    } table[] = {{S, S, 42800, 0.284, 30},   {S, SI, 164000, 0.178, 80},
                 {S, NA, 833000, 0.182, 70}, {NA, NA, 13000, 0.300, 300},
                 {SI, SI, 0, 1.0, 0},        {SI, NA, 0, 1.0, 0}};
    for (size_t m = 0; m < sizeof table / sizeof table[0]; m++) {
        for (int swap = 0; swap < 2; swap++) {
            const gmd_pair_params *p =
                swap ? &ff.pair[table[m].j][table[m].i] : &ff.pair[table[m].i][table[m].j];
            assert_int_equal(p->defined, 1);
            assert_close(p->A, table[m].A, 1e-9);
            assert_close(p->C, table[m].C, 1e-12);
            if (table[m].A > 0) assert_close(p->rho, table[m].rho, 1e-12);
            assert_close(p->wall_D, 0.0, 0.0);
        }
    }
    assert_int_equal(ff.nthreebody, 1);
    assert_int_equal(ff.threebody[0].vertex, S);
    assert_int_equal(ff.threebody[0].end, SI);
    assert_close(ff.threebody[0].k, 1.5, 1e-12);
    assert_close(ff.threebody[0].theta0, GMD_PI / 3.0, 1e-12); /* 60 degrees */
    assert_close(ff.threebody[0].r3, 2.7, 1e-12);
    assert_close(ff.threebody[0].width, 0.2, 1e-12);
    assert_int_equal(ff.threebody[0].taper, GMD_TAPER_HARD); /* the paper's model, SPEC 2 */
    assert_close(ff.cutoff, 10.0, 0.0);
    assert_int_equal(ff.shift_energy, 0);
    assert_int_equal(ff.kspace, GMD_KSPACE_PPPM);
    assert_close(ff.kspace_accuracy, 1e-5, 1e-20);
    assert_int_equal(ff.has_composition, 1);
    assert_string_equal(ff.modifier.text, "Na2S");
    assert_int_equal(ff.modifier.count[NA], 2);
    assert_int_equal(ff.modifier.count[S], 1);
    assert_int_equal(ff.modifier.count[SI], 0);
    assert_int_equal(ff.modifier.natoms, 3);
    assert_string_equal(ff.former.text, "SiS2");
    assert_int_equal(ff.former.count[SI], 1);
    assert_int_equal(ff.former.count[S], 2);
    assert_int_equal(ff.former.natoms, 3);
}

/* Barrier tops of A exp(-r/rho) - C/r^6 from scipy.optimize.brentq on dV/dr (xtol 1e-15),
 * computed outside glassmd. */
static void test_derived_safe_distance(void **state)
{
    (void)state;
    char path[1024];
    tu_source_path("data/forcefields/na2s-sis2.ff", path, sizeof path);
    gmd_forcefield ff;
    gmd_error err;
    assert_int_equal(gmd_forcefield_read(&ff, path, &err), GMD_OK);
    struct {
        int i, j;
        double r;
    } ref[] = {{S, S, 0.4889502471124696},
               {S, SI, 0.5123244572383843},
               {S, NA, 0.3483199399081014},
               {NA, NA, 1.0432436678847394}};
    for (size_t m = 0; m < 4; m++) {
        const gmd_pair_params *p = &ff.pair[ref[m].i][ref[m].j];
        assert_close(p->r_safe, ref[m].r, 1e-9);
        assert_close(ff.pair[ref[m].j][ref[m].i].r_safe, ref[m].r, 1e-9);
        /* a maximum of the short-range energy, written out here independently */
        double r = p->r_safe, h = 1e-5;
#define V(x) (p->A * exp(-(x) / p->rho) - p->C / pow((x), 6))
        double slope = (V(r + h) - V(r - h)) / (2 * h);
        assert_true(fabs(slope) < 1e-4 * fabs(V(r)) / r);
        assert_true(V(r) > V(r + 0.01) && V(r) > V(r - 0.01));
#undef V
    }
    assert_close(ff.pair[SI][SI].r_safe, 0.0, 0.0);
    assert_close(ff.pair[SI][NA].r_safe, 0.0, 0.0);
}

static const char *const base_lines[] = {
    "cutoff = 10", /* 1 */
    "[species]",   /* 2 */
    "Si 28.0855 2.4",
    "S 32.06 -1.2",
    "Na 22.98977 0.6", /* 5 */
    "[pairs]",         /* 6 */
    "S S 42800 0.284 30",
    "S Si 164000 0.178 80",
    "S Na 833000 0.182 70",
    "Na Na 13000 0.3 300", /* 10 */
    "Si Si 0 1.0 0",
    "Si Na 0 1.0 0",
    "[threebody]", /* 13 */
    "S Si 1.5 60 2.7 0.2 smooth",
    "[composition]", /* 15 */
    "modifier = Na2S",
    "former = SiS2", /* 17 */
};
#define NBASE (int)(sizeof base_lines / sizeof base_lines[0])

/* The base file with line `line` (1-based; 0: none) replaced. */
static void make_text(char *buf, size_t len, int line, const char *replacement)
{
    buf[0] = '\0';
    for (int l = 1; l <= NBASE; l++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s\n", l == line ? replacement : base_lines[l - 1]);
    }
}

static void test_base_text_and_options(void **state)
{
    (void)state;
    char text[4096];
    make_text(text, sizeof text, 0, NULL);
    gmd_forcefield ff;
    gmd_error err;
    assert_int_equal(gmd_forcefield_parse(&ff, text, "t.ff", &err), GMD_OK);
    assert_close(ff.cutoff, 10.0, 0.0);
    /* options: wall, explicit safe distance, hard taper with default width, globals */
    make_text(text, sizeof text, 7, "S S 42800 0.284 30 wall 5.0 12 safe 0.9");
    char *p = strstr(text, "smooth");
    memcpy(p, "hard  ", 6);
    char full[4200];
    snprintf(full, sizeof full, "shift = yes\nkspace = ewald\naccuracy = 1e-6\n%s", text);
    assert_int_equal(gmd_forcefield_parse(&ff, full, "t.ff", &err), GMD_OK);
    assert_close(ff.pair[S][S].wall_D, 5.0, 0.0);
    assert_int_equal(ff.pair[S][S].wall_n, 12);
    assert_close(ff.pair[S][S].r_safe, 0.9, 0.0);
    assert_int_equal(ff.threebody[0].taper, GMD_TAPER_HARD);
    assert_int_equal(ff.shift_energy, 1);
    assert_int_equal(ff.kspace, GMD_KSPACE_EWALD);
    assert_close(ff.kspace_accuracy, 1e-6, 1e-20);
    /* a wall without an explicit safe distance: half the barrier radius */
    make_text(text, sizeof text, 7, "S S 42800 0.284 30 wall 5.0 12");
    assert_int_equal(gmd_forcefield_parse(&ff, text, "t.ff", &err), GMD_OK);
    assert_close(ff.pair[S][S].r_safe, 0.5 * 0.4889502471124696, 1e-9);
}

static void test_defaults_and_minimal_file(void **state)
{
    (void)state;
    const char *text = "# only what is required\n[species]\nA 10 1\nB 20 -1\n[pairs]\n"
                       "A B 100 0.3 0\nA A 0 1 0\nB B 0 1 0\n";
    gmd_forcefield ff;
    gmd_error err;
    assert_int_equal(gmd_forcefield_parse(&ff, text, "min.ff", &err), GMD_OK);
    assert_close(ff.cutoff, 10.0, 0.0);
    assert_int_equal(ff.shift_energy, 0);
    assert_int_equal(ff.kspace, GMD_KSPACE_PPPM);
    assert_close(ff.kspace_accuracy, 1e-5, 1e-20);
    assert_int_equal(ff.nthreebody, 0);
    assert_int_equal(ff.has_composition, 0);
    assert_close(ff.pair[0][1].r_safe, 0.0, 0.0); /* repulsive only: no check */
    /* three-body defaults: width 0.2 (for a smooth override), the hard cut */
    const char *t3 = "[species]\nA 10 1\nB 20 -1\n[pairs]\nA B 100 0.3 0\nA A 0 1 0\nB B 0 "
                     "1 0\n[threebody]\nB A 2 109.47 3.0\n";
    assert_int_equal(gmd_forcefield_parse(&ff, t3, "min.ff", &err), GMD_OK);
    assert_close(ff.threebody[0].width, 0.2, 0.0);
    assert_int_equal(ff.threebody[0].taper, GMD_TAPER_HARD);
    assert_close(ff.threebody[0].theta0, 109.47 * GMD_PI / 180, 1e-12);
    /* an explicit taper column wins over that default, both ways */
    const char *t3s = "[species]\nA 10 1\nB 20 -1\n[pairs]\nA B 100 0.3 0\nA A 0 1 0\nB B 0 "
                      "1 0\n[threebody]\nB A 2 109.47 3.0 0.3 smooth\n";
    assert_int_equal(gmd_forcefield_parse(&ff, t3s, "min.ff", &err), GMD_OK);
    assert_int_equal(ff.threebody[0].taper, GMD_TAPER_SMOOTH);
    assert_close(ff.threebody[0].width, 0.3, 0.0);
}

static void test_pair_short_energy(void **state)
{
    (void)state;
    gmd_pair_params p = {.defined = 1, .A = 42800, .rho = 0.284, .C = 30};
    double r = 2.5;
    assert_close(gmd_pair_short_energy(&p, r),
                 42800 * exp(-2.5 / 0.284) - 30 / (2.5 * 2.5 * 2.5 * 2.5 * 2.5 * 2.5), 1e-12);
    p.wall_D = 3.0, p.wall_n = 12;
    assert_close(gmd_pair_short_energy(&p, r),
                 42800 * exp(-2.5 / 0.284) - 30 / pow(2.5, 6) + 3.0 / pow(2.5, 12), 1e-12);
    gmd_pair_params none = {.defined = 1, .A = 0, .rho = 0, .C = 0};
    assert_close(gmd_pair_short_energy(&none, 1.0), 0.0, 0.0);
}

typedef struct error_case {
    int line;           /* base line replaced */
    const char *text;   /* replacement */
    int report_line;    /* line the message must name */
    const char *phrase; /* must appear in the message */
} error_case;

static const error_case error_cases[] = {
    {1, "cutof = 10", 1, "did you mean 'cutoff'"},
    {1, "acuracy = 1e-5", 1, "did you mean 'accuracy'"},
    {1, "shift = maybe", 1, "'shift = yes' or 'no'"},
    {1, "kspace = p3m", 1, "ewald, pppm or none"},
    {1, "cutoff = ten", 1, "'ten' is not a number"},
    {1, "cutoff = -1", 1, "cutoff = -1 must be > 0"},
    {1, "accuracy = 2", 1, "must be in (0, 1)"},
    {1, "bogus line", 1, "neither 'key = value' nor a section header"},
    {2, "[specie]", 2, "did you mean [species]"},
    {3, "Si 28.0855", 3, "has 2 columns"},
    {3, "Si abc 2.4", 3, "'abc' is not a number"},
    {3, "Si 0 2.4", 3, "mass = 0 must be > 0"},
    {3, "Si -28 2.4", 3, "mass = -28 must be > 0"},
    {5, "S 22.98977 0.6", 5, "species 'S' is defined twice (first at line 4)"},
    {7, "S X 42800 0.284 30", 7, "unknown species 'X'"},
    {7, "S S 42800 0.284", 7, "has 4 columns"},
    {7, "S S 42800 -0.284 30", 7, "rho = -0.284 must be > 0"},
    {7, "S S 42800 0.284 abc", 7, "'abc' is not a number"},
    {7, "S S -5 0.284 30", 7, "must be >= 0"},
    {7, "S S 42800 0.284 30 wall -1 12", 7, "D > 0"},
    {7, "S S 42800 0.284 30 wall 1 6", 7, "n >= 7"},
    {7, "S S 42800 0.284 30 glue 3", 7, "unexpected column 'glue'"},
    {7, "S S 1 0.284 30", 7, "collapses"},
    {8, "cutoff = 12", 8, "settings go before the first section"},
    {12, "Na S 1 1 0", 12, "pair 'Na S' is given twice (first at line 9)"},
    {12, "# Si Na removed", 6, "lacks the pair 'Si Na'"},
    {14, "S X 1.5 60 2.7 0.2 smooth", 14, "unknown species 'X'"},
    {14, "S Si 1.5 60", 14, "has 4 columns"},
    {14, "S Si 1.5 60 2.7 0.2 soft", 14, "taper 'soft'"},
    {14, "S Si 1.5 60 2.7 3.0 smooth", 14, "width = 3 must be in (0, r3)"},
    {16, "modifier = Li2S", 16, "unknown species at 'Li2S'"},
    {16, "modifier = Na3S", 16, "not neutral"},
    {16, "modifer = Na2S", 16, "did you mean 'modifier'"},
    {17, "former = Si2S4", 17, "equal size"},
    {17, "", 15, "lacks 'former"},
};

static void test_error_cases(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof error_cases / sizeof error_cases[0]; c++) {
        const error_case *e = &error_cases[c];
        char text[4096], where[64];
        make_text(text, sizeof text, e->line, e->text);
        gmd_forcefield ff;
        gmd_error err;
        gmd_error_clear(&err);
        gmd_status st = gmd_forcefield_parse(&ff, text, "case.ff", &err);
        snprintf(where, sizeof where, "case.ff:%d:", e->report_line);
        if (st == GMD_OK || !strstr(err.message, where) || !strstr(err.message, e->phrase))
            fail_msg("case %zu ('%s'): status %d, message '%s'; expected '%s' and '%s'", c, e->text,
                     st, err.message, where, e->phrase);
        assert_int_equal(err.code, st);
        if (getenv("GLASSMD_TEST_VERBOSE")) printf("  %s\n", err.message);
    }
}

static void test_missing_sections_and_file(void **state)
{
    (void)state;
    gmd_forcefield ff;
    gmd_error err;
    assert_int_not_equal(gmd_forcefield_parse(&ff, "cutoff = 9\n", "e.ff", &err), GMD_OK);
    assert_non_null(strstr(err.message, "e.ff:1:"));
    assert_non_null(strstr(err.message, "no species"));
    assert_int_not_equal(gmd_forcefield_parse(&ff, "[species]\nA 1 0\n", "e.ff", &err), GMD_OK);
    assert_non_null(strstr(err.message, "no [pairs] section"));
    assert_int_equal(gmd_forcefield_read(&ff, "/nonexistent/x.ff", &err), GMD_ERR_IO);
    assert_non_null(strstr(err.message, "/nonexistent/x.ff"));
    assert_non_null(strstr(err.message, "cannot open"));
}

static void test_check_neutral(void **state)
{
    (void)state;
    gmd_forcefield ff;
    tu_reference_ff(&ff);
    gmd_error err;
    long ok[3] = {500, 1500, 1000}; /* x = 0.5, N = 3000 */
    assert_int_equal(gmd_forcefield_check_neutral(&ff, ok, &err), GMD_OK);
    long bad[3] = {500, 1500, 1001};
    assert_int_equal(gmd_forcefield_check_neutral(&ff, bad, &err), GMD_ERR_VALUE);
    assert_non_null(strstr(err.message, "+0.6"));
    assert_non_null(strstr(err.message, "Na 1001"));
    assert_non_null(strstr(err.message, "not neutral"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_file_matches_spec),
        cmocka_unit_test(test_derived_safe_distance),
        cmocka_unit_test(test_base_text_and_options),
        cmocka_unit_test(test_defaults_and_minimal_file),
        cmocka_unit_test(test_pair_short_energy),
        cmocka_unit_test(test_error_cases),
        cmocka_unit_test(test_missing_sections_and_file),
        cmocka_unit_test(test_check_neutral),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
