/* test_thermo_stats.c - the measured temperature of a run from its thermo CSV
 * (gmd_thermo_mean_temperature): the mean over a time window and its block standard error
 * on synthetic files whose answers are worked out by hand, the fall-back to every row when
 * the window does not fit the file's times, and the errors, each naming file and line;
 * the named-column reader (gmd_thermo_table_read) and gmd_block_mean that the study shares. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "glassmd/thermo_stats.h"

static char g_dir[256];
static char g_path[512];

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/gmd-thermo-XXXXXX", tmp ? tmp : "/tmp");
    if (!mkdtemp(g_dir)) return -1;
    snprintf(g_path, sizeof g_path, "%s/thermo.csv", g_dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    remove(g_path);
    rmdir(g_dir);
    return 0;
}

static const char *write_file(const char *text)
{
    FILE *fp = fopen(g_path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    return g_path;
}

/* 20 rows at t = 0.0, 0.1, ..., 1.9 ps. Within [0.5, 1.4] (rows 5..14): pairs of rows at
 * 1000, 1010, 1020, 1030, 1040 K; outside it 9999 K, which would show at once in a mean.
 * Columns in another order than glassmd writes them, with a comment and a blank line. */
static const char *windowed_file(void)
{
    static char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "# a comment line\n\nstep,T_K,time_ps,stage\n");
    for (int i = 0; i < 20; i++) {
        double T = (i >= 5 && i <= 14) ? 1000.0 + 10.0 * ((i - 5) / 2) : 9999.0;
        n += (size_t)snprintf(text + n, sizeof text - n, "%d,%.6f,%.6f,nvt\n", 100 * i, T, 0.1 * i);
    }
    return write_file(text);
}

static void test_window_mean_and_block_error(void **state)
{
    (void)state;
    gmd_thermo_mean m;
    gmd_error err;
    assert_int_equal(gmd_thermo_mean_temperature(windowed_file(), 0.5, 1.4, 5, &m, &err), GMD_OK);
    /* block means 1000 .. 1040: mean 1020, deviations -20 -10 0 10 20, sum of squares
     * 1000, err = sqrt(1000 / (5 * 4)) = sqrt(50) */
    assert_int_equal(m.whole_file, 0);
    assert_int_equal(m.nrows, 10);
    assert_int_equal(m.nrows_file, 20);
    assert_int_equal(m.nblocks, 5);
    assert_true(fabs(m.mean_K - 1020.0) < 1e-9);
    assert_true(fabs(m.err_K - sqrt(50.0)) < 1e-9);
    assert_true(fabs(m.t0_ps - 0.5) < 1e-12 && fabs(m.t1_ps - 1.4) < 1e-12);
}

static void test_window_times_with_rounding(void **state)
{
    (void)state;
    gmd_thermo_mean m;
    gmd_error err;
    /* a trajectory's times a little off the printed ones (float32 frame times) */
    assert_int_equal(
        gmd_thermo_mean_temperature(windowed_file(), 0.5 + 3e-7, 1.4 - 3e-7, 5, &m, &err), GMD_OK);
    assert_int_equal(m.nrows, 10);
    assert_true(fabs(m.mean_K - 1020.0) < 1e-9);
}

static void test_remainder_rows_in_mean_not_blocks(void **state)
{
    (void)state;
    /* 11 rows, 5 blocks of 2: the earliest row (500 K) is in the mean, not in a block;
     * blocks 1000, 1000, 1000, 1000, 1010 -> mean 1002, ss = 4*4 + 8*8 = 80,
     * err = sqrt(80 / 20) = 2 */
    const char *text = "step,time_ps,T_K\n0,0,500\n1,1,1000\n2,2,1000\n3,3,1000\n4,4,1000\n"
                       "5,5,1000\n6,6,1000\n7,7,1000\n8,8,1000\n9,9,1010\n10,10,1010\n";
    gmd_thermo_mean m;
    gmd_error err;
    assert_int_equal(gmd_thermo_mean_temperature(write_file(text), 0, 10, 5, &m, &err), GMD_OK);
    assert_int_equal(m.nrows, 11);
    assert_true(fabs(m.mean_K - (500.0 + 8 * 1000.0 + 2 * 1010.0) / 11.0) < 1e-9);
    assert_true(fabs(m.err_K - 2.0) < 1e-12);
}

static void test_whole_file_fallbacks(void **state)
{
    (void)state;
    gmd_thermo_mean m;
    gmd_error err;
    double all = (10 * 1020.0 + 10 * 9999.0) / 20.0;
    /* no window */
    assert_int_equal(gmd_thermo_mean_temperature(windowed_file(), NAN, NAN, 0, &m, &err), GMD_OK);
    assert_int_equal(m.whole_file, 1);
    assert_int_equal(m.nrows, 20);
    assert_int_equal(m.nblocks, GMD_THERMO_BLOCKS);
    assert_true(fabs(m.mean_K - all) < 1e-9);
    /* a window past the file's last time: times not comparable */
    assert_int_equal(gmd_thermo_mean_temperature(windowed_file(), 0.5, 29, 0, &m, &err), GMD_OK);
    assert_int_equal(m.whole_file, 1);
    assert_true(fabs(m.mean_K - all) < 1e-9);
    /* a window holding one row only (times that count frames, not ps) */
    assert_int_equal(gmd_thermo_mean_temperature(windowed_file(), 0.0, 0.029, 0, &m, &err), GMD_OK);
    assert_int_equal(m.whole_file, 1);
    assert_int_equal(m.nrows, 20);
}

static void test_single_row_has_no_error(void **state)
{
    (void)state;
    gmd_thermo_mean m;
    gmd_error err;
    assert_int_equal(
        gmd_thermo_mean_temperature(write_file("time_ps,T_K\n0.5,1234.5\n"), NAN, NAN, 0, &m, &err),
        GMD_OK);
    assert_true(m.mean_K == 1234.5);
    assert_true(isnan(m.err_K));
    assert_int_equal(m.nblocks, 1);
}

static void expect_error(const char *text, const char *where, const char *phrase)
{
    gmd_thermo_mean m;
    gmd_error err;
    gmd_error_clear(&err);
    gmd_status st = gmd_thermo_mean_temperature(write_file(text), NAN, NAN, 0, &m, &err);
    char want[600];
    snprintf(want, sizeof want, "%s%s", g_path, where);
    if (st == GMD_OK || !strstr(err.message, want) || !strstr(err.message, phrase))
        fail_msg("status %d, message '%s'; wanted '%s' and '%s'", (int)st, err.message, want,
                 phrase);
}

static void test_errors_name_file_and_line(void **state)
{
    (void)state;
    expect_error("step,time_ps,temp\n0,0,1000\n", ":1:", "no T_K column");
    expect_error("# c\nstep,T_K\n0,1000\n", ":2:", "no time_ps column");
    expect_error("time_ps,T_K\n0,1000\n0.1,hot\n", ":3:", "'hot' is not a number");
    expect_error("step,time_ps,T_K\n0,0,1000\n1,0.1\n", ":3:", "too few fields");
    expect_error("step,time_ps,T_K\n", ":", "no data rows");
    expect_error("", ":", "no data rows");
    gmd_thermo_mean m;
    gmd_error err;
    assert_int_equal(gmd_thermo_mean_temperature("/nonexistent/thermo.csv", NAN, NAN, 0, &m, &err),
                     GMD_ERR_IO);
    assert_non_null(strstr(err.message, "/nonexistent/thermo.csv"));
}

/* gmd_thermo_table_read: columns by name in the order asked; an unfinished last line (no
 * newline) left out and said so, a finished one kept; a bad row before the last is an
 * error at its line. */
static void test_table_columns_and_torn_last_line(void **state)
{
    (void)state;
    static const char *const names[2] = {"T_K", "time_ps"};
    gmd_thermo_table t;
    gmd_error err;
    write_file("step,time_ps,T_K\n0,0,1000\n1,0.1,1001\n2,0.2,10");
    assert_int_equal(gmd_thermo_table_read(g_path, names, 2, "cure", &t, &err), GMD_OK);
    assert_int_equal(t.n, 3); /* the last line lacks its newline but is whole: kept */
    assert_int_equal(t.torn_last, 0);
    assert_true(t.col[0][1] == 1001.0 && t.col[1][1] == 0.1 && t.col[0][2] == 10.0);
    gmd_thermo_table_free(&t);
    write_file("step,time_ps,T_K\n0,0,1000\n1,0.1,1001\n2,0.2,");
    assert_int_equal(gmd_thermo_table_read(g_path, names, 2, "cure", &t, &err), GMD_OK);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.torn_last, 1);
    gmd_thermo_table_free(&t);
    write_file("step,time_ps,T_K\n0,0,1000\n1,0.1,\n2,0.2,1002\n");
    assert_int_not_equal(gmd_thermo_table_read(g_path, names, 2, "cure", &t, &err), GMD_OK);
    assert_non_null(strstr(err.message, ":3:"));
    gmd_thermo_table_free(&t);
    write_file("step,time_ps\n0,0\n");
    assert_int_not_equal(gmd_thermo_table_read(g_path, names, 2, "do this", &t, &err), GMD_OK);
    assert_non_null(strstr(err.message, ":1: the header has no T_K column; do this"));
    gmd_thermo_table_free(&t);
}

/* gmd_block_mean on series worked out by hand. */
static void test_block_mean(void **state)
{
    (void)state;
    /* 1..8 in 4 blocks: block means 1.5 3.5 5.5 7.5, mean 4.5, sum of squares 20 */
    const double x[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    double m, e;
    gmd_block_mean(x, 8, 4, 0, &m, &e);
    assert_true(fabs(m - 4.5) < 1e-15);
    assert_true(fabs(e - sqrt(20.0 / 12.0)) < 1e-15);
    /* detrended, a straight line has no scatter left */
    gmd_block_mean(x, 8, 4, 1, &m, &e);
    assert_true(fabs(e) < 1e-14);
    /* a line plus residuals orthogonal to it, +-1 in blocks of 2: block means 1 -1 -1 1,
     * sum of squares 4, two degrees of freedom taken by the line: sqrt(4 / (4 (4 - 2))) */
    const double r[8] = {1, 1, -1, -1, -1, -1, 1, 1};
    double z[8];
    for (int i = 0; i < 8; i++)
        z[i] = 3.0 + 0.5 * i + r[i];
    gmd_block_mean(z, 8, 4, 1, &m, &e);
    assert_true(fabs(m - 4.75) < 1e-14);
    assert_true(fabs(e - sqrt(0.5)) < 1e-14);
    /* 10 rows in 3 blocks of 3: the first row is left out of the blocks, not the mean */
    const double y[10] = {100, 1, 1, 1, 2, 2, 2, 3, 3, 3};
    gmd_block_mean(y, 10, 3, 0, &m, &e);
    assert_true(fabs(m - 11.8) < 1e-12);
    assert_true(fabs(e - sqrt(2.0 / 6.0)) < 1e-15);
    /* too few blocks for an error */
    gmd_block_mean(y, 10, 1, 0, &m, &e);
    assert_true(isnan(e));
    gmd_block_mean(y, 10, 2, 1, &m, &e);
    assert_true(isnan(e));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window_mean_and_block_error),
        cmocka_unit_test(test_window_times_with_rounding),
        cmocka_unit_test(test_remainder_rows_in_mean_not_blocks),
        cmocka_unit_test(test_whole_file_fallbacks),
        cmocka_unit_test(test_single_row_has_no_error),
        cmocka_unit_test(test_errors_name_file_and_line),
        cmocka_unit_test(test_table_columns_and_torn_last_line),
        cmocka_unit_test(test_block_mean),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
