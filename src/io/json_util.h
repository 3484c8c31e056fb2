/* json_util.h - cJSON helpers shared by the writers of results.json and the study's JSON
 * files. JSON has no NaN or infinity, so a number that is missing (an error bar that could
 * not be estimated, a fit that failed: NaN) is written as null. Library-internal. */
#ifndef GLASSMD_JSON_UTIL_H
#define GLASSMD_JSON_UTIL_H

#include <cjson/cJSON.h>

/* v as a number item, or a null item when v is not finite; NULL when out of memory. */
cJSON *gmd_json_number_or_null(double v);

/* Adds key: v to object o, null when v is not finite. */
void gmd_json_add_number_or_null(cJSON *o, const char *key, double v);

#endif
