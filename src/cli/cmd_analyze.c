/* cmd_analyze.c - `glassmd analyze`: structure and dynamics from a trajectory.
 *
 * The options become one gmd_analyze_options and the whole analysis is one gmd_analyze
 * call (include/glassmd/analyze.h, src/analysis/driver.c), which writes DIR/results.json
 * (docs/analysis.md lists every key), one CSV, gnuplot script and figure per curve.
 *
 * Default analyses: all of them. In the default set an analysis that cannot run on this
 * trajectory (sigma without --temperature or charges; network without the former species)
 * is skipped with its reason in results.json ("skipped"); one asked for by --only is an
 * error instead. stdout stays empty; stderr has progress (only on a terminal), at most one
 * warning about figures, one summary line, or one error line. */
#define _GNU_SOURCE /* getopt_long */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "glassmd/analyze.h"

static void analyze_usage(void)
{
    printf("usage: glassmd analyze TRAJ [--format auto|lammpsdump|netcdf|xyz] [--ff FILE]\n"
           "                       [--types Si,S,Na] [--dt FS] [--temperature K|THERMO]\n"
           "                       [--temperature-setpoint K]\n"
           "                       [--only LIST] [--skip N] [--max-frames N] [--out DIR]\n"
           "                       [--threads N] [analysis settings]\n\n"
           "Reads a trajectory frame by frame and writes into DIR one CSV per curve, a\n"
           "figure per curve (PNG, SVG and the gnuplot script), and results.json.\n"
           "  --format F        trajectory format (default auto: from the file's content)\n"
           "  --ff FILE         force field: species names, charges and masses\n"
           "  --types LIST      species of LAMMPS types 1, 2, ... (e.g. Si,S,Na)\n"
           "  --dt FS           MD time step in fs: time of a dump frame = TIMESTEP * dt\n"
           "                    (default 1)\n"
           "  --temperature K   temperature of the run (needed by sigma), or the run's\n"
           "                    thermo.csv: the mean of T_K over the trajectory's time span\n"
           "  --temperature-setpoint K  the thermostat's set point, reported beside it\n"
           "  --only LIST       analyses to run (default all):");
    for (int k = 0; k < GMD_NANALYSES; k++)
        printf("%s%s", k ? "," : " ", gmd_analysis_kind_name(k));
    printf("\n  --skip N          use every N-th frame (default 1)\n"
           "  --max-frames N    stop after N frames of the file\n"
           "  --out DIR         output folder (default analysis; created if missing)\n"
           "  --threads N       OpenMP threads (default: all)\n"
           "settings:\n"
           "  --rdf-rmax A      g(r) range (default half the smallest box edge of any frame)\n"
           "  --rdf-dr A        g(r) bin width (default 0.02)\n"
           "  --sq-kmax K       S(k) range in 1/A (default 20)\n"
           "  --sq-dk K         S(k) step in 1/A (default 0.02)\n"
           "  --lorch           Lorch window in the g(r) -> S(k) transform\n"
           "  --direct-kmax K   reciprocal-lattice S(k) up to K 1/A (default 4)\n"
           "  --sq-method M     how that S(k) is summed: grid (kernel mesh + FFT,\n"
           "                    default) or direct (over atoms and k-vectors; slower)\n"
           "  --exp-sq FILE     experimental S(k) (two columns k S) for the Wright R_X\n"
           "  --msd-fit T0:T1   fit window in ps for D and sigma (default: found)\n"
           "  --msd-blocks N    blocks for error bars (default 5)\n"
           "  --former A, --bridge B, --modifier C   network species (default Si, S, Na)\n"
           "  --cut-si-s R      former-bridge bond cut-off in A (default 2.7)\n"
           "  --cut-na-s R      modifier-bridge cut-off in A (default 3.5)\n"
           "  --cut-s-s R       homopolar bridge-bridge bond cut-off in A (default 2.4)\n"
           "  --fsdp-pair A-B   partial whose FSDP is measured (default Na-Na)\n"
           "  --angles LIST     bond angles A-B-C, angle at B (default\n"
           "                    Si-S-Si,S-Si-S,Na-S-Na,S-Na-S); former-bridge-former is also\n"
           "                    split by corner/edge/face sharing of its two formers\n");
}

/* ---- option parsing ----------------------------------------------------------------- */

/* getopt's table from the library's (gmd_analyze_option_defs): option k has value
 * OPTION_VAL + k, and gmd_analyze_set_option reads it. */
#define MAX_OPTIONS 64
#define OPTION_VAL 1000
static int option_table(struct option *opts)
{
    const gmd_analyze_option_def *defs = gmd_analyze_option_defs();
    int n = 0;
    for (; defs[n].name && n < MAX_OPTIONS - 2; n++)
        opts[n] = (struct option){
            defs[n].name, defs[n].takes_value ? required_argument : no_argument, 0, OPTION_VAL + n};
    opts[n] = (struct option){"help", no_argument, 0, 'h'};
    opts[n + 1] = (struct option){0, 0, 0, 0};
    return n;
}

static int parse_analyze_args(int argc, char **argv, gmd_analyze_options *a)
{
    gmd_analyze_default_options(a);
    a->settings.out_dir = "analysis";
    struct option opts[MAX_OPTIONS];
    int nopts = option_table(opts);
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            analyze_usage();
            return -1;
        }
        if (c == '?' || c == ':')
            return gmd_cli_error("analyze",
                                 "unknown or incomplete option '%s'; see glassmd analyze --help",
                                 argv[optind - 1]);
        gmd_error err;
        if (c < OPTION_VAL || c >= OPTION_VAL + nopts)
            return gmd_cli_error("analyze", "option '%s' has no reader", argv[optind - 1]);
        if (gmd_analyze_set_option(a, opts[c - OPTION_VAL].name, optarg, &err) != GMD_OK)
            return gmd_cli_error("analyze", "%s", err.message);
    }
    if (optind != argc - 1)
        return gmd_cli_error("analyze",
                             "give exactly one trajectory file; see glassmd analyze --help");
    a->traj = argv[optind];
    return 0;
}

/* ---- the run ------------------------------------------------------------------------ */

/* The figures warning once the analyses exist, then progress (only on a terminal). */
static void show_progress(gmd_analyze_event event, const gmd_analyze_result *sofar, void *user)
{
    (void)user;
    if (event == GMD_ANALYZE_STARTED && sofar->warning)
        fprintf(stderr, "glassmd analyze: warning: %s\n", sofar->warning);
    if (event == GMD_ANALYZE_STARTED || !isatty(STDERR_FILENO)) return;
    if (event == GMD_ANALYZE_FRAMES_DONE)
        fprintf(stderr, "\r%60s\r", "");
    else if (sofar->frames_read % 20 == 0)
        fprintf(stderr, "\rglassmd analyze: frame %ld (%ld used)", sofar->frames_read,
                sofar->frames_used);
}

int gmd_cmd_analyze(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--arrhenius")) return gmd_cmd_analyze_arrhenius(argc, argv);
    gmd_analyze_options a;
    int rc = parse_analyze_args(argc, argv, &a);
    if (rc) return rc < 0 ? 0 : rc;
    char command[4096];
    gmd_analyze_command_line(command, sizeof command, argc, (const char *const *)argv);
    a.command = command;
    a.progress = show_progress;
    gmd_analyze_result result;
    gmd_error err;
    if (gmd_analyze(&a, &result, &err) != GMD_OK)
        return gmd_cli_error("analyze", "%s", err.message);
    char summary[4096 + 256];
    gmd_analyze_summary(&result, a.settings.out_dir, summary, sizeof summary);
    fprintf(stderr, "glassmd analyze: %s\n", summary);
    return 0;
}
