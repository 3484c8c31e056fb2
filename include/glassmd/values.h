/* values.h - the values of `key = value` inputs, read the same way by run inputs, study
 * files and the CLI (so that they accept the same values and say the same things about
 * bad ones): numbers with units, whole numbers, seeds, and the canonical text of numbers
 * (the printer beside the parsers, so that what is printed reads back as the same value).
 *
 * A number is finite, optionally followed by a unit ("10ps", "10 ps", "10"). A unit table
 * lists the accepted unit names (matched ignoring ASCII case) with their factor to the
 * target unit; the first entry is the unit a bare number is taken in (factor 1). An empty
 * table (first name NULL) means a bare number only. Every message is
 * "FILE:LINE: WHAT: what is wrong; how to fix it" (or "FILE: ..." when line is 0). The
 * run settings' own words (k-space method, three-body, ...) are in run_values.h. */
#ifndef GLASSMD_VALUES_H
#define GLASSMD_VALUES_H

#include <stddef.h>
#include <stdint.h>

#include "glassmd/error.h"

/* Where a value came from, for messages. */
typedef struct gmd_value_at {
    const char *file;
    int line;         /* 1-based; 0 for a message about the whole file */
    const char *what; /* the key or parameter, as the user wrote it */
    gmd_error *err;
} gmd_value_at;

typedef struct gmd_unit_def {
    const char *name;
    double factor;
} gmd_unit_def;

extern const gmd_unit_def GMD_UNITS_NONE[]; /* a bare number */
extern const gmd_unit_def GMD_UNITS_PS[];   /* ps, fs, ns */
extern const gmd_unit_def GMD_UNITS_FS[];   /* fs, ps, ns */
extern const gmd_unit_def GMD_UNITS_K[];    /* K */
extern const gmd_unit_def GMD_UNITS_K_PS[]; /* K/ps, K/fs, K/ns */
extern const gmd_unit_def GMD_UNITS_A[];    /* A, nm */
extern const gmd_unit_def GMD_UNITS_EV_A[]; /* eV/A */

/* Fails with "FILE:LINE: message" (or "FILE: message" when at->line is 0). */
__attribute__((format(printf, 3, 4))) gmd_status
gmd_value_fail(const gmd_value_at *at, gmd_status code, const char *fmt, ...);

/* A finite number with an optional unit from `units`, converted to the first unit. */
gmd_status gmd_parse_quantity(const gmd_value_at *at, const char *text, const gmd_unit_def *units,
                              double *out);
/* The same, and > 0. */
gmd_status gmd_parse_positive(const gmd_value_at *at, const char *text, const gmd_unit_def *units,
                              double *out);
/* A whole number in [min, max]. */
gmd_status gmd_parse_long(const gmd_value_at *at, const char *text, long min, long max, long *out);
/* A random seed: a whole number from 0 to 2^64-1. */
gmd_status gmd_parse_seed(const gmd_value_at *at, const char *text, uint64_t *out);

/* The shortest of %.15g, %.16g and %.17g that reads back as x exactly ("0.1", "2000",
 * "1e-05"); out holds at least 32 characters. */
void gmd_format_number(double x, char *out, size_t len);
/* "auto" for 0, else the number (threebody_substeps, chain); out holds 16 characters. */
void gmd_format_auto_count(int count, char *out, size_t len);

#endif
