/* files.h - file-system helpers every layer shares (runs, analyses, studies, the CLI), so
 * that each creates folders the same way and reports a failure the same way. */
#ifndef GLASSMD_FILES_H
#define GLASSMD_FILES_H

#include "glassmd/error.h"

/* Creates the folder `path` and any missing parent (as mkdir -p); an existing folder is
 * fine. On failure the message names the part that could not be made, as "PATH: cannot
 * create the WHAT (reason)"; a path longer than the system's limit is refused. */
gmd_status gmd_make_dirs(const char *path, const char *what, gmd_error *err);

#endif
