/* error.h - errors are values: every fallible call returns a gmd_status and fills a
 * gmd_error with a one-line message. The library never exits and never prints.
 * Messages about input files follow the form "FILE:LINE: what is wrong; how to fix it". */
#ifndef GLASSMD_ERROR_H
#define GLASSMD_ERROR_H

#include <stddef.h>

typedef enum gmd_status {
    GMD_OK = 0,
    GMD_ERR_IO,          /* a file cannot be opened, read or written */
    GMD_ERR_PARSE,       /* a file is malformed */
    GMD_ERR_VALUE,       /* a value is out of range or inconsistent */
    GMD_ERR_NOMEM,       /* an allocation failed */
    GMD_ERR_PHYSICS,     /* the simulation left the physical domain (collapse, NaN) */
    GMD_ERR_INTERNAL,    /* a bug: please report */
    GMD_ERR_INTERRUPTED, /* stopped on request (a signal), with its work saved to resume */
} gmd_status;

#define GMD_ERROR_MSG_LEN 1024

typedef struct gmd_error {
    gmd_status code;
    char message[GMD_ERROR_MSG_LEN];
} gmd_error;

/* Records code and a printf-style message in err (if err is not NULL); returns code so a
 * caller can write `return gmd_fail(err, GMD_ERR_VALUE, "...", ...);`. */
gmd_status gmd_fail(gmd_error *err, gmd_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clears err to GMD_OK with an empty message. */
void gmd_error_clear(gmd_error *err);

/* A short name for a status ("I/O error", ...). */
const char *gmd_status_name(gmd_status code);

/* calloc/realloc that report GMD_ERR_NOMEM through err with what was being allocated. */
void *gmd_calloc(size_t count, size_t size, const char *what, gmd_error *err);
void *gmd_realloc(void *ptr, size_t count, size_t size, const char *what, gmd_error *err);

#endif
