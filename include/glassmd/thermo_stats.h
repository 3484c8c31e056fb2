/* thermo_stats.h - the temperature a run actually had, from glassmd's thermo.csv
 * (docs/run-input.md: columns step,time_ps,T_K,...): the mean of T_K over the rows of a
 * time window and its standard error from block averaging. Results that depend on the
 * temperature (conductivity, Arrhenius fits) use this measured mean rather than the
 * thermostat's set point, which a thermostat need not hold (SPEC section 2, hard cut). */
#ifndef GLASSMD_THERMO_STATS_H
#define GLASSMD_THERMO_STATS_H

#include "glassmd/error.h"

#define GMD_THERMO_BLOCKS 10       /* default number of blocks of the error estimate */
#define GMD_THERMO_MAX_BLOCKS 1000 /* more are taken as this many */

typedef struct gmd_thermo_mean {
    double mean_K;       /* mean of T_K over the rows used (every row weighs the same) */
    double err_K;        /* standard error of the mean from blocks; NAN with under 2 rows */
    long nrows;          /* rows used */
    long nrows_file;     /* data rows in the file */
    int nblocks;         /* blocks of the error estimate */
    int whole_file;      /* 1: every row (the window was not given or not in the file) */
    double t0_ps, t1_ps; /* times of the first and the last row used */
} gmd_thermo_mean;

/* Reads the thermo CSV at path (lines starting with '#' and blank lines skipped; the first
 * other line is the header, which must name the columns time_ps and T_K) and averages T_K
 * over the rows with t0_ps <= time_ps <= t1_ps (a relative tolerance of 1e-6 absorbs the
 * rounding of times written with few digits). Every row is used instead (whole_file = 1)
 * when the window is not given (t0_ps > t1_ps, or either not finite) or not comparable
 * with the file's times: the window does not lie within the file's first and last times,
 * or holds fewer than 2 rows (a trajectory whose times count frames, not ps).
 *
 * Error: the n rows used are cut into B = min(nblocks, n) consecutive blocks of
 * m = n / B rows (the n - B m earliest rows, the least equilibrated, are left out of the
 * blocks but not out of the mean); err = sqrt(sum_k (b_k - bbar)^2 / (B (B - 1))) over
 * the block means b_k, the standard error of their mean, which stays honest when
 * neighbouring rows are correlated as long as the blocks are longer than the correlation
 * time. nblocks <= 0 takes GMD_THERMO_BLOCKS, above GMD_THERMO_MAX_BLOCKS that many.
 *
 * Errors name the file and line (a missing column, a value that is not a number, a row
 * with too few columns, no data row) and say what to give instead. */
gmd_status gmd_thermo_mean_temperature(const char *path, double t0_ps, double t1_ps, int nblocks,
                                       gmd_thermo_mean *out, gmd_error *err);

/* Mean of x[0..n) and the standard error of that mean from B = min(nblocks, n,
 * GMD_THERMO_MAX_BLOCKS) consecutive blocks of m = n / B rows, the n - B m earliest rows
 * left out of the blocks but not out of the mean: err = sqrt(sum_k (b_k - bbar)^2 / (B (B -
 * p))) over the block means b_k. detrend 0: p = 1. detrend 1: the block means are taken of
 * the residuals about the least-squares line through the rows (against the row index), so
 * that a drift shows as a difference of means rather than as noise, and p = 2 (the line's
 * two parameters). err is NAN when B <= p. */
void gmd_block_mean(const double *x, long n, int nblocks, int detrend, double *mean, double *err);

/* Named columns of a thermo CSV, read whole: col[c][row] for the c-th name asked for. */
#define GMD_THERMO_MAX_COLUMNS 8
typedef struct gmd_thermo_table {
    int ncols;
    double *col[GMD_THERMO_MAX_COLUMNS];
    long n, cap;   /* rows read; allocated */
    int torn_last; /* 1: the last line was incomplete (no newline: a run killed while
                      writing it) and was left out */
} gmd_thermo_table;

/* Reads the columns names[0 .. ncols) of the thermo CSV at path (the file format of
 * gmd_thermo_mean_temperature). An incomplete last line (no newline at its end) whose
 * fields are not all numbers is left out; any other row with a missing field or one that is
 * not a number is an error naming the file and line, as are a header without one of the
 * names and a file without data rows. cure ends the messages of a missing file, column or
 * data (what the caller's user should give instead). Free with gmd_thermo_table_free, also
 * after a failure. */
gmd_status gmd_thermo_table_read(const char *path, const char *const *names, int ncols,
                                 const char *cure, gmd_thermo_table *t, gmd_error *err);
void gmd_thermo_table_free(gmd_thermo_table *t);

#endif
