/* text.c - strict number reading (text.h). */
#include "glassmd/text.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

int gmd_text_to_double(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

int gmd_text_to_long(const char *text, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno == ERANGE) return -1;
    *out = v;
    return 0;
}
