/* error.c - error values with messages (see include/glassmd/error.h). */
#include "glassmd/error.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

gmd_status gmd_fail(gmd_error *err, gmd_status code, const char *fmt, ...)
{
    if (err) {
        va_list args;
        va_start(args, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, args);
        va_end(args);
        err->code = code;
    }
    return code;
}

void gmd_error_clear(gmd_error *err)
{
    if (err) {
        err->code = GMD_OK;
        err->message[0] = '\0';
    }
}

const char *gmd_status_name(gmd_status code)
{
    switch (code) {
    case GMD_OK:
        return "ok";
    case GMD_ERR_IO:
        return "I/O error";
    case GMD_ERR_PARSE:
        return "parse error";
    case GMD_ERR_VALUE:
        return "invalid value";
    case GMD_ERR_NOMEM:
        return "out of memory";
    case GMD_ERR_PHYSICS:
        return "physics error";
    case GMD_ERR_INTERNAL:
        return "internal error";
    case GMD_ERR_INTERRUPTED:
        return "interrupted";
    }
    return "unknown error";
}

void *gmd_calloc(size_t count, size_t size, const char *what, gmd_error *err)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        gmd_fail(err, GMD_ERR_NOMEM, "out of memory allocating %zu x %zu bytes for %s", count, size,
                 what);
    return p;
}

void *gmd_realloc(void *ptr, size_t count, size_t size, const char *what, gmd_error *err)
{
    if (size && count > SIZE_MAX / size) {
        gmd_fail(err, GMD_ERR_NOMEM, "allocation overflow for %s", what);
        return NULL;
    }
    void *p = realloc(ptr, (count ? count : 1) * (size ? size : 1));
    if (!p)
        gmd_fail(err, GMD_ERR_NOMEM, "out of memory allocating %zu x %zu bytes for %s", count, size,
                 what);
    return p;
}
