/* values.c - the values of `key = value` inputs (see include/glassmd/values.h).
 *
 * strtod reads the number; whatever follows it (after white space) must be one of the
 * unit names of the table, compared ignoring ASCII case, and the number is multiplied by
 * that unit's factor. Range checks beyond "finite" and "positive" are the caller's. */
#include "glassmd/values.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glassmd/text.h"

const gmd_unit_def GMD_UNITS_NONE[] = {{NULL, 0}};
const gmd_unit_def GMD_UNITS_PS[] = {{"ps", 1.0}, {"fs", 1e-3}, {"ns", 1e3}, {NULL, 0}};
const gmd_unit_def GMD_UNITS_FS[] = {{"fs", 1.0}, {"ps", 1e3}, {"ns", 1e6}, {NULL, 0}};
const gmd_unit_def GMD_UNITS_K[] = {{"K", 1.0}, {NULL, 0}};
const gmd_unit_def GMD_UNITS_K_PS[] = {{"K/ps", 1.0}, {"K/fs", 1e3}, {"K/ns", 1e-3}, {NULL, 0}};
const gmd_unit_def GMD_UNITS_A[] = {{"A", 1.0}, {"nm", 10.0}, {NULL, 0}};
const gmd_unit_def GMD_UNITS_EV_A[] = {{"eV/A", 1.0}, {NULL, 0}};

gmd_status gmd_value_fail(const gmd_value_at *at, gmd_status code, const char *fmt, ...)
{
    char msg[GMD_ERROR_MSG_LEN];
    va_list args;
    va_start(args, fmt);
    vsnprintf(msg, sizeof msg, fmt, args);
    va_end(args);
    if (at->line > 0) return gmd_fail(at->err, code, "%s:%d: %s", at->file, at->line, msg);
    return gmd_fail(at->err, code, "%s: %s", at->file, msg);
}

/* "ps, fs, ns" */
static void unit_list(const gmd_unit_def *units, char *buf, size_t len)
{
    buf[0] = '\0';
    for (int i = 0; units[i].name; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s", i ? ", " : "", units[i].name);
    }
}

static const gmd_unit_def *find_unit(const gmd_unit_def *units, const char *name)
{
    for (int i = 0; units[i].name; i++) {
        const char *a = units[i].name, *b = name;
        while (*a && *b && tolower((unsigned char)*a) == tolower((unsigned char)*b))
            a++, b++;
        if (*a == '\0' && *b == '\0') return &units[i];
    }
    return NULL;
}

gmd_status gmd_parse_quantity(const gmd_value_at *at, const char *text, const gmd_unit_def *units,
                              double *out)
{
    char accepted[128];
    unit_list(units, accepted, sizeof accepted);
    char *end = NULL;
    errno = 0;
    double x = strtod(text, &end);
    if (end == text || !isfinite(x) || errno == ERANGE)
        return gmd_value_fail(at, GMD_ERR_VALUE,
                              "%s: '%s' is not a valid number; give a number%s%s", at->what, text,
                              units[0].name ? " with an optional unit: " : "", accepted);
    while (isspace((unsigned char)*end))
        end++;
    if (*end == '\0') {
        *out = x;
        return GMD_OK;
    }
    const gmd_unit_def *u = units[0].name ? find_unit(units, end) : NULL;
    if (u) {
        *out = x * u->factor;
        return GMD_OK;
    }
    if (!units[0].name)
        return gmd_value_fail(at, GMD_ERR_VALUE, "%s: '%s' takes no unit; give a bare number",
                              at->what, text);
    return gmd_value_fail(at, GMD_ERR_VALUE,
                          "%s: unknown unit '%s' in '%s'; use one of %s, or a bare number in %s",
                          at->what, end, text, accepted, units[0].name);
}

gmd_status gmd_parse_positive(const gmd_value_at *at, const char *text, const gmd_unit_def *units,
                              double *out)
{
    gmd_status st = gmd_parse_quantity(at, text, units, out);
    if (st == GMD_OK && !(*out > 0.0))
        return gmd_value_fail(at, GMD_ERR_VALUE, "%s: '%s' must be positive; give a value > 0",
                              at->what, text);
    return st;
}

gmd_status gmd_parse_long(const gmd_value_at *at, const char *text, long min, long max, long *out)
{
    long x;
    if (gmd_text_to_long(text, &x) != 0)
        return gmd_value_fail(at, GMD_ERR_VALUE, "%s: '%s' is not a whole number; give an integer",
                              at->what, text);
    if (x < min || x > max)
        return gmd_value_fail(at, GMD_ERR_VALUE,
                              "%s: %ld is out of range; give a value from %ld to %ld", at->what, x,
                              min, max);
    *out = x;
    return GMD_OK;
}

gmd_status gmd_parse_seed(const gmd_value_at *at, const char *text, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long x = strtoull(text, &end, 10);
    /* strtoull accepts "-1" (as 2^64-1): refuse a sign explicitly */
    if (end == text || *end != '\0' || errno == ERANGE || text[0] == '-')
        return gmd_value_fail(at, GMD_ERR_VALUE,
                              "%s: '%s' is not a valid seed; give a whole number from 0 to 2^64-1",
                              at->what, text);
    *out = (uint64_t)x;
    return GMD_OK;
}

/* ---- canonical text ------------------------------------------------------------------ */

void gmd_format_number(double x, char *out, size_t len)
{
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(out, len, "%.*g", digits, x);
        if (strtod(out, NULL) == x) return;
    }
}

void gmd_format_auto_count(int count, char *out, size_t len)
{
    if (count == 0)
        snprintf(out, len, "auto");
    else
        snprintf(out, len, "%d", count);
}
