/* io_util.h - helpers shared by the configuration readers and writers and the
 * force-field parser (internal to the library; implemented in config_io.c). Lines are read
 * whole with their number so that every message can say FILE:LINE. */
#ifndef GLASSMD_IO_UTIL_H
#define GLASSMD_IO_UTIL_H

#include <stddef.h>
#include <stdio.h>

#include "glassmd/error.h"
#include "glassmd/forcefield.h"
#include "glassmd/system.h"
#include "glassmd/text.h" /* the number readers every io parser uses */

#define GMD_IO_LINE_LEN 4096
#define GMD_IO_MAX_COLUMNS 64
/* Atoms further than this many box lengths from the box (image flags included) are
 * refused as damaged input: the image counts are ints. */
#define GMD_IO_MAX_IMAGE 1000000

typedef struct gmd_line_reader {
    FILE *fp;
    const char *path;
    int line; /* number of the line in buf, 1-based */
    char buf[GMD_IO_LINE_LEN];
    gmd_status status; /* the error of the last gmd_io_next_line returning -1 */
} gmd_line_reader;

/* Reads the next line into r->buf without its newline: 1 when a line was read, 0 at end
 * of file, -1 on an error (over-long line, read error; err filled). */
int gmd_io_next_line(gmd_line_reader *r, gmd_error *err);
/* Whether n more lines fit in what is left of the file after the current position (a line
 * takes at least 2 bytes): a declared atom count is checked with it before anything is
 * allocated, so that a damaged count (10^12 atoms in a 1 kB file) is refused instead of
 * allocated. 1 when the size is unknown (not a regular file). */
int gmd_io_lines_fit(const gmd_line_reader *r, long n);
/* Trims white space in place; returns the first non-blank character. */
char *gmd_io_trim(char *s);
/* Splits s in place at white space; returns the number of columns (> max: too many). */
int gmd_io_split(char *s, char **cols, int max);
/* Indices 0..n-1 sorted by atom id (caller frees); NULL on allocation failure. */
size_t *gmd_io_order_by_id(const gmd_atoms *atoms, gmd_error *err);
/* "Si, S, Na" */
void gmd_io_species_list(const gmd_forcefield *ff, char *buf, size_t len);
/* Fills charges from the species, wraps positions into the box (refusing atoms more than
 * GMD_IO_MAX_IMAGE box lengths away), checks neutrality; `path` prefixes the messages. */
gmd_status gmd_io_finish_atoms(const char *path, const gmd_forcefield *ff, const gmd_box *box,
                               gmd_atoms *atoms, gmd_error *err);

#endif
