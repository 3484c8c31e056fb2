/* cmd_arrhenius.c - `glassmd analyze --arrhenius DIR... [--out OUT]`: Arrhenius fits of
 * D per species and of sigma (Einstein-Helfand and its Nernst-Einstein parts) over several
 * `glassmd analyze` result folders at different temperatures (include/glassmd/arrhenius.h).
 * Writes OUT/results.json (E_A with standard errors), OUT/arrhenius.csv and the figure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "commands.h"
#include "glassmd/arrhenius.h"
#include "glassmd/files.h"
#include "glassmd/version.h"

static int write_results(const char *out, cJSON *results)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/results.json", out);
    char *text = cJSON_Print(results);
    FILE *f = text ? fopen(path, "w") : NULL;
    int ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    if (f && fclose(f) != 0) ok = 0;
    free(text);
    return ok ? 0 : gmd_cli_error("analyze", "%s: cannot write the results", path);
}

int gmd_cmd_analyze_arrhenius(int argc, char **argv)
{
    const char *out = "arrhenius";
    const char **dirs = calloc((size_t)argc, sizeof *dirs);
    if (!dirs) return gmd_cli_error("analyze", "out of memory");
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--arrhenius")) continue;
        if (!strcmp(argv[i], "--out") && i + 1 < argc) {
            out = argv[++i];
        } else if (argv[i][0] == '-') {
            free(dirs);
            return gmd_cli_error("analyze",
                                 "--arrhenius takes result folders and --out DIR only, not '%s'",
                                 argv[i]);
        } else {
            dirs[n++] = argv[i];
        }
    }
    if (n < 2) {
        free(dirs);
        return gmd_cli_error("analyze", "--arrhenius needs at least two result folders of "
                                        "`glassmd analyze` runs at different temperatures");
    }
    gmd_error made = {0};
    if (gmd_make_dirs(out, "output folder", &made) != GMD_OK) {
        free(dirs);
        return gmd_cli_error("analyze", "%s", made.message);
    }
    cJSON *results = cJSON_CreateObject();
    cJSON_AddStringToObject(results, "glassmd_version", GLASSMD_VERSION);
    cJSON *inputs = cJSON_AddArrayToObject(results, "inputs");
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(inputs, cJSON_CreateString(dirs[i]));
    gmd_error err;
    gmd_error_clear(&err);
    gmd_status st = gmd_arrhenius_from_results(dirs, n, out, results, &err);
    int rc =
        st == GMD_OK ? write_results(out, results) : gmd_cli_error("analyze", "%s", err.message);
    if (rc == 0)
        fprintf(stderr, "glassmd analyze: Arrhenius fits of %d runs -> %s/results.json\n", n, out);
    cJSON_Delete(results);
    free(dirs);
    return rc;
}
