/* files.c - file-system helpers (files.h). */
#define _POSIX_C_SOURCE 200809L /* PATH_MAX from limits.h with every compiler */
#include "glassmd/files.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

gmd_status gmd_make_dirs(const char *path, const char *what, gmd_error *err)
{
    char part[PATH_MAX];
    if (snprintf(part, sizeof part, "%s", path) >= (int)sizeof part)
        return gmd_fail(err, GMD_ERR_VALUE, "%.64s...: the %s's path is too long", path, what);
    /* Each prefix ending at a '/' is made in turn, then the whole path; a leading '/' is
     * the root, which exists. */
    for (char *p = part + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(part, 0777) != 0 && errno != EEXIST)
            return gmd_fail(err, GMD_ERR_IO, "%s: cannot create the %s (%s)", part, what,
                            strerror(errno));
        *p = saved;
        if (!saved) break;
    }
    return GMD_OK;
}
