/* run_values.h - the run settings' own values (k-space method, three-body, substeps, chain)
 * as run inputs (src/io/run_input.c) and study files (src/study/study_input.c) read and
 * print them; implemented in src/io/run_values.c on top of the generic readers of
 * values.h, whose messages they share. */
#ifndef GLASSMD_RUN_VALUES_H
#define GLASSMD_RUN_VALUES_H

#include "glassmd/kspace.h"
#include "glassmd/values.h"

/* "ewald", "pppm" or "none". */
gmd_status gmd_parse_kspace_method(const gmd_value_at *at, const char *text,
                                   gmd_kspace_method *out);
/* "smooth" or "hard" (three-body on with that taper), "on" (as in the force field: taper
 * -1) or "off" (threebody 0, taper -1). */
gmd_status gmd_parse_threebody(const gmd_value_at *at, const char *text, int *threebody,
                               int *taper);
/* threebody_substeps: "auto" (0) or a whole number 1 .. GMD_MTS_MAX_SUBSTEPS. */
gmd_status gmd_parse_substeps(const gmd_value_at *at, const char *text, int *out);
/* chain (Nose-Hoover chain length): "auto" (0) or a whole number 1 .. GMD_NHC_MAX. */
gmd_status gmd_parse_chain(const gmd_value_at *at, const char *text, int *out);

/* ---- canonical text: what the parsers above read back as the same value ---------------- */

/* "off", "smooth", "hard" or "on" (the force field's taper), as gmd_parse_threebody reads. */
const char *gmd_threebody_word(int threebody, int taper);

#endif
