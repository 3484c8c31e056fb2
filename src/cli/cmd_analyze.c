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
           "  --rdf-rmax A      g(r) range (default half the smallest box length)\n"
           "  --rdf-dr A        g(r) bin width (default 0.02)\n"
           "  --sq-kmax K       S(k) range in 1/A (default 20)\n"
           "  --sq-dk K         S(k) step in 1/A (default 0.02)\n"
           "  --lorch           Lorch window in the g(r) -> S(k) transform\n"
           "  --direct-kmax K   reciprocal-lattice S(k) up to K 1/A (default 4)\n"
           "  --sq-method M     how that S(k) is summed: grid (B-spline mesh + FFT,\n"
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

enum {
    OPT_FORMAT = 1000,
    OPT_FF,
    OPT_TYPES,
    OPT_DT,
    OPT_TEMPERATURE,
    OPT_TEMPERATURE_SETPOINT,
    OPT_ONLY,
    OPT_SKIP,
    OPT_MAX_FRAMES,
    OPT_OUT,
    OPT_THREADS,
    OPT_RDF_RMAX,
    OPT_RDF_DR,
    OPT_SQ_KMAX,
    OPT_SQ_DK,
    OPT_LORCH,
    OPT_DIRECT_KMAX,
    OPT_SQ_METHOD,
    OPT_EXP_SQ,
    OPT_MSD_FIT,
    OPT_MSD_BLOCKS,
    OPT_FORMER,
    OPT_BRIDGE,
    OPT_MODIFIER,
    OPT_CUT_SI_S,
    OPT_CUT_NA_S,
    OPT_CUT_S_S,
    OPT_FSDP_PAIR,
    OPT_ANGLES,
};

static const struct option OPTIONS[] = {
    {"format", required_argument, 0, OPT_FORMAT},
    {"ff", required_argument, 0, OPT_FF},
    {"types", required_argument, 0, OPT_TYPES},
    {"dt", required_argument, 0, OPT_DT},
    {"temperature", required_argument, 0, OPT_TEMPERATURE},
    {"temperature-setpoint", required_argument, 0, OPT_TEMPERATURE_SETPOINT},
    {"only", required_argument, 0, OPT_ONLY},
    {"skip", required_argument, 0, OPT_SKIP},
    {"max-frames", required_argument, 0, OPT_MAX_FRAMES},
    {"out", required_argument, 0, OPT_OUT},
    {"threads", required_argument, 0, OPT_THREADS},
    {"rdf-rmax", required_argument, 0, OPT_RDF_RMAX},
    {"rdf-dr", required_argument, 0, OPT_RDF_DR},
    {"sq-kmax", required_argument, 0, OPT_SQ_KMAX},
    {"sq-dk", required_argument, 0, OPT_SQ_DK},
    {"lorch", no_argument, 0, OPT_LORCH},
    {"direct-kmax", required_argument, 0, OPT_DIRECT_KMAX},
    {"sq-method", required_argument, 0, OPT_SQ_METHOD},
    {"exp-sq", required_argument, 0, OPT_EXP_SQ},
    {"msd-fit", required_argument, 0, OPT_MSD_FIT},
    {"msd-blocks", required_argument, 0, OPT_MSD_BLOCKS},
    {"former", required_argument, 0, OPT_FORMER},
    {"bridge", required_argument, 0, OPT_BRIDGE},
    {"modifier", required_argument, 0, OPT_MODIFIER},
    {"cut-si-s", required_argument, 0, OPT_CUT_SI_S},
    {"cut-na-s", required_argument, 0, OPT_CUT_NA_S},
    {"cut-s-s", required_argument, 0, OPT_CUT_S_S},
    {"fsdp-pair", required_argument, 0, OPT_FSDP_PAIR},
    {"angles", required_argument, 0, OPT_ANGLES},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0},
};

static const char *option_name(int c)
{
    for (const struct option *o = OPTIONS; o->name; o++)
        if (o->val == c) return o->name;
    return "?";
}

/* A positive number (or >= 0 when zero_ok) for option c. */
static int positive(int c, const char *text, int zero_ok, double *out)
{
    double v;
    if (gmd_text_to_double(text, &v) || !isfinite(v) || v < 0 || (!zero_ok && v == 0))
        return gmd_cli_error("analyze", "--%s '%s': give a %s number", option_name(c), text,
                             zero_ok ? "non-negative" : "positive");
    *out = v;
    return 0;
}

static int count(int c, const char *text, long *out)
{
    if (gmd_text_to_long(text, out) || *out < 1)
        return gmd_cli_error("analyze", "--%s '%s': give a whole number >= 1", option_name(c),
                             text);
    return 0;
}

static int parse_format(const char *text, gmd_traj_in_format *f)
{
    static const struct {
        const char *name;
        gmd_traj_in_format format;
    } names[] = {{"auto", GMD_TRAJ_IN_AUTO},       {"lammpsdump", GMD_TRAJ_IN_LAMMPSDUMP},
                 {"dump", GMD_TRAJ_IN_LAMMPSDUMP}, {"netcdf", GMD_TRAJ_IN_NETCDF},
                 {"nc", GMD_TRAJ_IN_NETCDF},       {"xyz", GMD_TRAJ_IN_XYZ},
                 {"extxyz", GMD_TRAJ_IN_XYZ}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(text, names[i].name)) {
            *f = names[i].format;
            return 0;
        }
    return gmd_cli_error("analyze", "--format '%s': use auto, lammpsdump, netcdf or xyz", text);
}

static int parse_only(const char *text, gmd_analyze_options *a)
{
    gmd_error err;
    if (gmd_analysis_parse_list(text, &a->analyses, &err) != GMD_OK)
        return gmd_cli_error("analyze", "--only: %s", err.message);
    a->only = 1;
    return 0;
}

/* A species name, or names joined by '-' (parts of them), into dst. */
static int parse_name(int c, const char *text, int parts, char *dst, size_t len)
{
    int dashes = 0, ok = *text && strlen(text) < len && text[0] != '-';
    for (const char *p = text; *p; p++) {
        dashes += *p == '-';
        ok = ok && *p != ' ' && *p != ',' && !(*p == '-' && (p[1] == '-' || p[1] == '\0'));
    }
    if (!ok || dashes != parts - 1)
        return gmd_cli_error("analyze", "--%s '%s': give %s", option_name(c), text,
                             parts == 1   ? "a species name, e.g. Si"
                             : parts == 2 ? "a pair A-B, e.g. Na-Na"
                                          : "a triplet A-B-C, e.g. Si-S-Si");
    snprintf(dst, len, "%s", text);
    return 0;
}

static int parse_angles(const char *text, gmd_analysis_settings *s)
{
    char copy[512], *save = NULL;
    snprintf(copy, sizeof copy, "%s", text);
    s->nangle_triplets = 0;
    for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        if (s->nangle_triplets == 8)
            return gmd_cli_error("analyze", "--angles: at most 8 triplets");
        if (parse_name(OPT_ANGLES, tok, 3, s->angle_triplets[s->nangle_triplets],
                       sizeof s->angle_triplets[0]))
            return 1;
        s->nangle_triplets++;
    }
    if (!s->nangle_triplets)
        return gmd_cli_error("analyze", "--angles is empty; give e.g. Si-S-Si,S-Si-S");
    return 0;
}

static int parse_fit(const char *text, gmd_analysis_settings *s)
{
    char copy[128];
    snprintf(copy, sizeof copy, "%s", text);
    char *colon = strchr(copy, ':');
    double t0, t1;
    if (!colon || (*colon = '\0', gmd_text_to_double(copy, &t0)) ||
        gmd_text_to_double(colon + 1, &t1) || !(t0 >= 0 && t1 > t0))
        return gmd_cli_error("analyze", "--msd-fit '%s': give T0:T1 in ps with 0 <= T0 < T1", text);
    s->msd_fit_t0_ps = t0;
    s->msd_fit_t1_ps = t1;
    return 0;
}

/* --temperature: a number in K, or else the path of a thermo CSV whose mean T_K is taken
 * (over the trajectory's time span, once the frames are read). */
static int parse_temperature(const char *text, gmd_analyze_options *a)
{
    double v;
    if (gmd_text_to_double(text, &v) == 0) {
        a->thermo_path = NULL;
        return positive(OPT_TEMPERATURE, text, 0, &a->settings.temperature_K);
    }
    if (access(text, R_OK) != 0)
        return gmd_cli_error("analyze",
                             "--temperature '%s': neither a temperature in K nor a readable "
                             "thermo file (%s); give e.g. --temperature 1000 or the run's "
                             "thermo.csv",
                             text, strerror(errno));
    a->thermo_path = text;
    return 0;
}

static int parse_setting(int c, const char *v, gmd_analyze_options *a)
{
    gmd_analysis_settings *s = &a->settings;
    long n;
    switch (c) {
    case OPT_RDF_RMAX:
        return positive(c, v, 0, &s->rdf_rmax_A);
    case OPT_RDF_DR:
        return positive(c, v, 0, &s->rdf_dr_A);
    case OPT_SQ_KMAX:
        return positive(c, v, 0, &s->sq_kmax_invA);
    case OPT_SQ_DK:
        return positive(c, v, 0, &s->sq_dk_invA);
    case OPT_LORCH:
        s->sq_lorch = 1;
        return 0;
    case OPT_DIRECT_KMAX:
        return positive(c, v, 0, &s->direct_sq_kmax_invA);
    case OPT_SQ_METHOD:
        if (strcmp(v, "grid") == 0 || strcmp(v, "direct") == 0) {
            s->sq_method = v[0] == 'g' ? GMD_SQ_GRID : GMD_SQ_DIRECT;
            return 0;
        }
        return gmd_cli_error("analyze", "--sq-method '%s': give grid or direct", v);
    case OPT_EXP_SQ:
        s->exp_sq_path = v;
        return 0;
    case OPT_MSD_FIT:
        return parse_fit(v, s);
    case OPT_MSD_BLOCKS:
        if (count(c, v, &n)) return 1;
        s->msd_blocks = (int)(n > 1000 ? 1000 : n);
        return 0;
    case OPT_FORMER:
        return parse_name(c, v, 1, s->former, sizeof s->former);
    case OPT_BRIDGE:
        return parse_name(c, v, 1, s->bridge, sizeof s->bridge);
    case OPT_MODIFIER:
        return parse_name(c, v, 1, s->modifier, sizeof s->modifier);
    case OPT_CUT_SI_S:
        return positive(c, v, 0, &s->cut_former_bridge_A);
    case OPT_CUT_NA_S:
        return positive(c, v, 0, &s->cut_modifier_bridge_A);
    case OPT_CUT_S_S:
        return positive(c, v, 0, &s->cut_homopolar_A);
    case OPT_FSDP_PAIR:
        return parse_name(c, v, 2, s->fsdp_pair, sizeof s->fsdp_pair);
    case OPT_ANGLES:
        return parse_angles(v, s);
    case OPT_TEMPERATURE:
        return parse_temperature(v, a);
    case OPT_TEMPERATURE_SETPOINT:
        return positive(c, v, 0, &a->setpoint_K);
    case OPT_DT:
        return positive(c, v, 0, &s->dt_fs);
    }
    return gmd_cli_error("analyze", "unknown option; see glassmd analyze --help");
}

static int parse_run_option(int c, const char *v, gmd_analyze_options *a)
{
    long n;
    switch (c) {
    case OPT_FORMAT:
        return parse_format(v, &a->format);
    case OPT_FF:
        a->ff_path = v;
        return 0;
    case OPT_TYPES:
        a->types = v;
        return 0;
    case OPT_ONLY:
        return parse_only(v, a);
    case OPT_SKIP:
        return count(c, v, &a->skip);
    case OPT_MAX_FRAMES:
        return count(c, v, &a->max_frames);
    case OPT_OUT:
        a->settings.out_dir = v;
        return 0;
    case OPT_THREADS:
        if (count(c, v, &n) || n > 1024)
            return n > 1024 ? gmd_cli_error("analyze", "--threads '%s': at most 1024", v) : 1;
        a->settings.threads = (int)n;
        return 0;
    }
    return parse_setting(c, v, a);
}

static int parse_analyze_args(int argc, char **argv, gmd_analyze_options *a)
{
    gmd_analyze_default_options(a);
    a->settings.out_dir = "analysis";
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", OPTIONS, NULL)) != -1) {
        if (c == 'h') {
            analyze_usage();
            return -1;
        }
        if (c == '?' || c == ':')
            return gmd_cli_error("analyze",
                                 "unknown or incomplete option '%s'; see glassmd analyze --help",
                                 argv[optind - 1]);
        if (parse_run_option(c, optarg, a)) return 1;
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
