/* text.h - reading text, shared by every parser (inputs, force fields, configurations,
 * trajectories, the command line):
 * - the one strict number reader, so that "1e-5", "2000" and " 3.5" read the same
 *   everywhere and "1.5x", "nan", "inf" or an out-of-range value is refused everywhere
 *   (each caller adds its own message: file, line, the fix);
 * - lines read whole with their number, so that every message can say FILE:LINE;
 * - trimming and splitting a line in place. */
#ifndef GLASSMD_TEXT_H
#define GLASSMD_TEXT_H

#include <stdio.h>

#include "glassmd/error.h"

#define GMD_TEXT_LINE_LEN 4096

typedef struct gmd_line_reader {
    FILE *fp;
    const char *path;
    int line; /* number of the line in buf, 1-based */
    char buf[GMD_TEXT_LINE_LEN];
    gmd_status status; /* the error of the last gmd_text_next_line returning -1 */
} gmd_line_reader;

/* The whole of text (leading white space allowed) as a finite double: 0, or -1 with out
 * unchanged. */
int gmd_text_to_double(const char *text, double *out);
/* The whole of text as a base-10 long: 0, or -1 with out unchanged. */
int gmd_text_to_long(const char *text, long *out);

/* Reads the next line into r->buf without its newline: 1 when a line was read, 0 at end
 * of file, -1 on an error (over-long line, read error; err filled). */
int gmd_text_next_line(gmd_line_reader *r, gmd_error *err);
/* Whether n more lines fit in what is left of the file after the current position (a line
 * takes at least 2 bytes): a declared atom count is checked with it before anything is
 * allocated, so that a damaged count (10^12 atoms in a 1 kB file) is refused instead of
 * allocated. 1 when the size is unknown (not a regular file). */
int gmd_text_lines_fit(const gmd_line_reader *r, long n);
/* Trims white space in place; returns the first non-blank character. */
char *gmd_text_trim(char *s);
/* Splits s in place at white space; returns the number of columns (> max: too many). */
int gmd_text_split(char *s, char **cols, int max);

#endif
