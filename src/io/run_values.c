/* run_values.c - the run settings' own values (see include/glassmd/run_values.h): each
 * word or count is checked here and any number read by the generic readers (values.h). */
#include "glassmd/run_values.h"

#include <stdio.h>
#include <string.h>

#include "glassmd/forcefield.h"
#include "glassmd/md.h"
#include "glassmd/text.h"

gmd_status gmd_parse_kspace_method(const gmd_value_at *at, const char *text, gmd_kspace_method *out)
{
    if (gmd_kspace_method_from_word(text, out) == 0) return GMD_OK;
    return gmd_value_fail(at, GMD_ERR_VALUE, "%s: unknown method '%s'; use ewald, pppm or none",
                          at->what, text);
}

gmd_status gmd_parse_threebody(const gmd_value_at *at, const char *text, int *threebody, int *taper)
{
    if (strcmp(text, "smooth") == 0)
        *threebody = 1, *taper = GMD_TAPER_SMOOTH;
    else if (strcmp(text, "hard") == 0)
        *threebody = 1, *taper = GMD_TAPER_HARD;
    else if (strcmp(text, "on") == 0)
        *threebody = 1, *taper = -1;
    else if (strcmp(text, "off") == 0)
        *threebody = 0, *taper = -1;
    else
        return gmd_value_fail(at, GMD_ERR_VALUE,
                              "%s: unknown setting '%s'; use smooth, hard, on (as in the force "
                              "field) or off",
                              at->what, text);
    return GMD_OK;
}

gmd_status gmd_parse_substeps(const gmd_value_at *at, const char *text, int *out)
{
    if (strcmp(text, "auto") == 0) {
        *out = 0;
        return GMD_OK;
    }
    long x = 0;
    gmd_status st = gmd_parse_long(at, text, 1, GMD_MTS_MAX_SUBSTEPS, &x);
    if (st == GMD_OK) *out = (int)x;
    return st;
}

gmd_status gmd_parse_chain(const gmd_value_at *at, const char *text, int *out)
{
    if (strcmp(text, "auto") == 0) {
        *out = 0;
        return GMD_OK;
    }
    long x;
    if (gmd_text_to_long(text, &x) != 0 || x < 1 || x > GMD_NHC_MAX)
        return gmd_value_fail(at, GMD_ERR_VALUE,
                              "%s: '%s' is not auto or a whole number from 1 to %d; give auto "
                              "(1 with the hard-cut three-body term, else 3) or a chain length",
                              at->what, text, GMD_NHC_MAX);
    *out = (int)x;
    return GMD_OK;
}

const char *gmd_threebody_word(int threebody, int taper)
{
    if (!threebody) return "off";
    return taper == GMD_TAPER_SMOOTH ? "smooth" : taper == GMD_TAPER_HARD ? "hard" : "on";
}
