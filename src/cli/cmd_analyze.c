/* cmd_analyze.c - `glassmd analyze`: structure and dynamics from a trajectory.
 *
 * Prolog: parse the options into gmd_analysis_settings, read the force field (optional),
 * open the trajectory (gmd_traj_reader: LAMMPS dump, NetCDF or extended XYZ; the first
 * frame fixes the atoms and the species) and create the selected analyses through a
 * name -> constructor table. Main loop: stream the frames (every --skip-th one) to every
 * analysis; only the reader's frame is in memory, plus what each analysis accumulates.
 * Epilog: each analysis finishes (CSV curves, figures, scalars into one cJSON object) and
 * DIR/results.json is written with the run's description first (docs/analysis.md lists
 * every key).
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
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "commands.h"
#include "glassmd/analysis.h"
#include "glassmd/thermo_stats.h"
#include "glassmd/version.h"

#define NANALYSES 7

typedef struct analysis_kind {
    const char *name;
    gmd_analysis_create_fn create;
    const char *summary;
} analysis_kind;

static const analysis_kind ANALYSES[NANALYSES] = {
    {"rdf", gmd_rdf_create, "partial g(r), coordination numbers, neutron/X-ray g(r)"},
    {"sq", gmd_sq_create, "Faber-Ziman S(k), neutron/X-ray S(k), R_X against --exp-sq"},
    {"fsdp", gmd_fsdp_create, "S(k) on the reciprocal lattice, first sharp diffraction peak"},
    {"msd", gmd_msd_create, "mean-square displacement per species, diffusion coefficients"},
    {"sigma", gmd_sigma_create, "ionic conductivity (Einstein-Helfand), Nernst-Einstein, Haven"},
    {"network", gmd_network_create, "bridging sulfur, Q^n, corner/edge/face sharing, S-S bonds"},
    {"angles", gmd_angles_create, "bond-angle distributions, Si-S-Si split by CS/ES/FS"},
};

typedef struct analyze_args {
    const char *traj, *ff_path, *types;
    gmd_traj_in_format format;
    long skip, max_frames;
    int selected[NANALYSES];
    int only; /* 1: the selection came from --only (failures are errors) */
    gmd_analysis_settings s;
    const char *thermo_path; /* --temperature FILE: measured from this thermo CSV */
    double setpoint_K;       /* --temperature-setpoint (0: not given) */
} analyze_args;

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
    for (int a = 0; a < NANALYSES; a++)
        printf("%s%s", a ? "," : " ", ANALYSES[a].name);
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
    if (gmd_cli_parse_double(text, &v) || !isfinite(v) || v < 0 || (!zero_ok && v == 0))
        return gmd_cli_error("analyze", "--%s '%s': give a %s number", option_name(c), text,
                             zero_ok ? "non-negative" : "positive");
    *out = v;
    return 0;
}

static int count(int c, const char *text, long *out)
{
    if (gmd_cli_parse_long(text, out) || *out < 1)
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

static int parse_only(const char *text, analyze_args *a)
{
    char copy[256], *save = NULL;
    snprintf(copy, sizeof copy, "%s", text);
    memset(a->selected, 0, sizeof a->selected);
    a->only = 1;
    for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        int found = 0;
        for (int k = 0; k < NANALYSES; k++)
            if (!strcmp(tok, ANALYSES[k].name)) a->selected[k] = found = 1;
        if (!found)
            return gmd_cli_error("analyze",
                                 "--only: unknown analysis '%s'; choose from "
                                 "rdf,sq,fsdp,msd,sigma,network,angles",
                                 tok);
    }
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
    if (!colon || (*colon = '\0', gmd_cli_parse_double(copy, &t0)) ||
        gmd_cli_parse_double(colon + 1, &t1) || !(t0 >= 0 && t1 > t0))
        return gmd_cli_error("analyze", "--msd-fit '%s': give T0:T1 in ps with 0 <= T0 < T1", text);
    s->msd_fit_t0_ps = t0;
    s->msd_fit_t1_ps = t1;
    return 0;
}

/* --temperature: a number in K, or else the path of a thermo CSV whose mean T_K is taken
 * (over the trajectory's time span, once the frames are read). */
static int parse_temperature(const char *text, analyze_args *a)
{
    double v;
    if (gmd_cli_parse_double(text, &v) == 0) {
        a->thermo_path = NULL;
        return positive(OPT_TEMPERATURE, text, 0, &a->s.temperature_K);
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

static int parse_setting(int c, const char *v, analyze_args *a)
{
    gmd_analysis_settings *s = &a->s;
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

static int parse_run_option(int c, const char *v, analyze_args *a)
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
        a->s.out_dir = v;
        return 0;
    case OPT_THREADS:
        if (count(c, v, &n) || n > 1024)
            return n > 1024 ? gmd_cli_error("analyze", "--threads '%s': at most 1024", v) : 1;
        a->s.threads = (int)n;
        return 0;
    }
    return parse_setting(c, v, a);
}

static int parse_analyze_args(int argc, char **argv, analyze_args *a)
{
    memset(a, 0, sizeof *a);
    gmd_analysis_default_settings(&a->s);
    a->s.out_dir = "analysis";
    a->skip = 1;
    for (int k = 0; k < NANALYSES; k++)
        a->selected[k] = 1;
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

typedef struct run_state {
    gmd_forcefield ff;
    gmd_traj_reader *reader;
    gmd_frame frame;
    gmd_analysis_system sys;
    gmd_analysis *an[NANALYSES];
    gmd_pair_histogram *pairs; /* shared by rdf and sq: each frame's pairs binned once */
    cJSON *skipped;            /* name -> reason */
    long frames_read, frames_used;
    double volume_sum;
    double t_first, t_last;
    gmd_thermo_mean thermo; /* with --temperature FILE: over the analysed time span */
} run_state;

/* mkdir -p */
static gmd_status make_dir(const char *dir, gmd_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return gmd_fail(err, GMD_ERR_IO, "%s: cannot create the output folder (%s)", path,
                            strerror(errno));
        *p = saved;
        if (!saved) break;
    }
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return gmd_fail(err, GMD_ERR_IO, "%s: not a folder; choose another --out", dir);
    return GMD_OK;
}

static void count_species(run_state *r)
{
    r->sys.species = gmd_traj_reader_species(r->reader);
    r->sys.natoms = r->frame.n;
    memset(r->sys.count, 0, sizeof r->sys.count);
    for (size_t i = 0; i < r->frame.n; i++)
        r->sys.count[r->frame.type[i]]++;
}

/* Why the default set must leave sigma out, or NULL. */
static const char *sigma_missing(const analyze_args *a, const run_state *r)
{
    if (!(a->s.temperature_K > 0))
        return "no temperature: give --temperature K (the temperature of the run)";
    if (!r->sys.species->have_charges)
        return "no charges: give --ff FILE (or a trajectory with charges)";
    return NULL;
}

/* Prefixes err's message with the analysis name (the message is copied first: gmd_fail
 * formats into err->message). */
static gmd_status prefix_error(gmd_error *err, gmd_status st, const char *name, long frame)
{
    char msg[GMD_ERROR_MSG_LEN];
    snprintf(msg, sizeof msg, "%s", err->message);
    if (frame > 0) return gmd_fail(err, st, "%s: frame %ld: %.900s", name, frame, msg);
    return gmd_fail(err, st, "%s: %.900s", name, msg);
}

static int selected(const analyze_args *a, const char *name)
{
    for (int k = 0; k < NANALYSES; k++)
        if (a->selected[k] && !strcmp(ANALYSES[k].name, name)) return 1;
    return 0;
}

static gmd_status create_analyses(const analyze_args *a, run_state *r, gmd_error *err)
{
    if (selected(a, "rdf") && selected(a, "sq")) {
        gmd_status st = gmd_pair_histogram_create(&r->pairs, &a->s, &r->sys, &r->frame, err);
        if (st) return prefix_error(err, st, "rdf", 0);
        r->sys.pairs = r->pairs;
    }
    for (int k = 0; k < NANALYSES; k++) {
        if (!a->selected[k]) continue;
        const char *why =
            !strcmp(ANALYSES[k].name, "sigma") && !a->only ? sigma_missing(a, r) : NULL;
        if (why) {
            cJSON_AddStringToObject(r->skipped, ANALYSES[k].name, why);
            continue;
        }
        gmd_status st = ANALYSES[k].create(&r->an[k], &a->s, &r->sys, &r->frame, err);
        if (st == GMD_ERR_VALUE && !a->only) { /* cannot run on this system: note it */
            cJSON_AddStringToObject(r->skipped, ANALYSES[k].name, err->message);
            r->an[k] = NULL;
            continue;
        }
        if (st) return prefix_error(err, st, ANALYSES[k].name, 0);
    }
    return GMD_OK;
}

static gmd_status feed_frame(run_state *r, gmd_error *err)
{
    if (r->pairs) {
        gmd_status st = gmd_pair_histogram_add(r->pairs, &r->frame, err);
        if (st) return prefix_error(err, st, "rdf", r->frames_read);
    }
    for (int k = 0; k < NANALYSES; k++) {
        if (!r->an[k]) continue;
        gmd_status st = r->an[k]->add_frame(r->an[k], &r->frame, err);
        if (st) return prefix_error(err, st, ANALYSES[k].name, r->frames_read);
    }
    r->volume_sum += gmd_box_volume(&r->frame.box);
    if (r->frames_used == 0) r->t_first = r->frame.time_ps;
    r->t_last = r->frame.time_ps;
    r->frames_used++;
    return GMD_OK;
}

static void show_progress(const run_state *r, int done)
{
    if (!isatty(STDERR_FILENO)) return;
    if (done)
        fprintf(stderr, "\r%60s\r", "");
    else if (r->frames_read % 20 == 0)
        fprintf(stderr, "\rglassmd analyze: frame %ld (%ld used)", r->frames_read, r->frames_used);
}

/* Streams every frame after the first (already read) through the analyses. */
static gmd_status stream_frames(const analyze_args *a, run_state *r, gmd_error *err)
{
    gmd_status st = feed_frame(r, err);
    int eof = 0;
    while (st == GMD_OK && (a->max_frames == 0 || r->frames_read < a->max_frames)) {
        st = gmd_traj_reader_next(r->reader, &r->frame, &eof, err);
        if (st || eof) break;
        r->frames_read++;
        if ((r->frames_read - 1) % a->skip == 0) st = feed_frame(r, err);
        show_progress(r, 0);
    }
    show_progress(r, 1);
    return st;
}

/* With --temperature FILE: the mean T_K of the thermo rows within the analysed frames'
 * time span (all rows when the times are not comparable), handed to sigma, which was
 * created with the whole file's mean (the span is known only now). */
static gmd_status measure_temperature(const analyze_args *a, run_state *r, gmd_error *err)
{
    if (!a->thermo_path) return GMD_OK;
    gmd_status st =
        gmd_thermo_mean_temperature(a->thermo_path, r->t_first, r->t_last, 0, &r->thermo, err);
    for (int k = 0; st == GMD_OK && k < NANALYSES; k++)
        if (r->an[k] && !strcmp(ANALYSES[k].name, "sigma"))
            st = gmd_sigma_set_temperature(r->an[k], r->thermo.mean_K, err);
    return st;
}

static void add_number_or_null(cJSON *o, const char *key, double v)
{
    if (isfinite(v) && v > 0)
        cJSON_AddNumberToObject(o, key, v);
    else
        cJSON_AddNullToObject(o, key);
}

/* temperature_K (the one used: measured or given), its error, the set point, the source. */
static void describe_temperature(const analyze_args *a, const run_state *r, cJSON *o)
{
    int measured = a->thermo_path != NULL;
    add_number_or_null(o, "temperature_K", measured ? r->thermo.mean_K : a->s.temperature_K);
    add_number_or_null(o, "temperature_err_K", measured ? r->thermo.err_K : NAN);
    add_number_or_null(o, "temperature_setpoint_K", a->setpoint_K);
    if (measured) {
        char source[4200];
        snprintf(source, sizeof source, "thermo %s", a->thermo_path);
        cJSON_AddStringToObject(o, "temperature_source", source);
        cJSON *t = cJSON_AddObjectToObject(o, "temperature_thermo");
        double span[2] = {r->thermo.t0_ps, r->thermo.t1_ps};
        cJSON_AddNumberToObject(t, "rows", (double)r->thermo.nrows);
        cJSON_AddNumberToObject(t, "blocks", r->thermo.nblocks);
        cJSON_AddItemToObject(t, "time_ps", cJSON_CreateDoubleArray(span, 2));
        cJSON_AddBoolToObject(t, "whole_file", r->thermo.whole_file);
    } else if (a->s.temperature_K > 0) {
        cJSON_AddStringToObject(o, "temperature_source", "given");
    } else {
        cJSON_AddNullToObject(o, "temperature_source");
    }
}

/* The run's description, first in results.json. */
static cJSON *describe_run(const analyze_args *a, const run_state *r, int argc, char **argv)
{
    cJSON *o = cJSON_CreateObject(), *species = cJSON_CreateObject();
    char command[4096] = "glassmd";
    size_t used = strlen(command);
    for (int i = 0; i < argc && used < sizeof command; i++)
        used += (size_t)snprintf(command + used, sizeof command - used,
                                 strchr(argv[i], ' ') ? " '%s'" : " %s", argv[i]);
    cJSON_AddStringToObject(o, "glassmd_version", GLASSMD_VERSION);
    cJSON_AddStringToObject(o, "command", command);
    cJSON_AddStringToObject(o, "input", a->traj);
    cJSON_AddStringToObject(o, "forcefield", a->ff_path ? a->ff_path : "");
    cJSON_AddNumberToObject(o, "frames", (double)r->frames_used);
    cJSON_AddNumberToObject(o, "frames_read", (double)r->frames_read);
    cJSON_AddNumberToObject(o, "skip", (double)a->skip);
    cJSON_AddNumberToObject(o, "natoms", (double)r->sys.natoms);
    for (int s = 0; s < r->sys.species->n; s++)
        cJSON_AddNumberToObject(species, r->sys.species->name[s], (double)r->sys.count[s]);
    cJSON_AddItemToObject(o, "species", species);
    cJSON_AddNumberToObject(o, "volume_A3", r->volume_sum / (double)r->frames_used);
    describe_temperature(a, r, o);
    cJSON_AddNumberToObject(o, "dt_fs", a->s.dt_fs);
    cJSON_AddNumberToObject(o, "time_span_ps", r->t_last - r->t_first);
    cJSON_AddBoolToObject(o, "figures", gmd_plot_available());
    cJSON *names = cJSON_CreateArray();
    for (int k = 0; k < NANALYSES; k++)
        if (r->an[k]) cJSON_AddItemToArray(names, cJSON_CreateString(ANALYSES[k].name));
    cJSON_AddItemToObject(o, "analyses", names);
    return o;
}

static gmd_status write_json(const char *dir, cJSON *o, gmd_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/results.json", dir);
    char *text = cJSON_Print(o);
    if (!text) return gmd_fail(err, GMD_ERR_NOMEM, "out of memory writing %s", path);
    FILE *fp = fopen(path, "w");
    gmd_status st = GMD_OK;
    if (!fp)
        st = gmd_fail(err, GMD_ERR_IO, "%s: cannot create (%s)", path, strerror(errno));
    else if (fprintf(fp, "%s\n", text) < 0 || fclose(fp) != 0)
        st = gmd_fail(err, GMD_ERR_IO, "%s: write failed (disk full?)", path);
    free(text);
    return st;
}

static gmd_status finish_all(const analyze_args *a, run_state *r, int argc, char **argv,
                             gmd_error *err)
{
    cJSON *results = describe_run(a, r, argc, argv);
    gmd_status st = results ? GMD_OK : gmd_fail(err, GMD_ERR_NOMEM, "out of memory");
    for (int k = 0; k < NANALYSES && st == GMD_OK; k++) {
        if (!r->an[k]) continue;
        st = r->an[k]->finish(r->an[k], results, err);
        if (st) st = prefix_error(err, st, ANALYSES[k].name, 0);
    }
    if (st == GMD_OK) {
        cJSON_AddItemToObject(results, "skipped", r->skipped);
        r->skipped = NULL;
        st = write_json(a->s.out_dir, results, err);
    }
    cJSON_Delete(results);
    return st;
}

static gmd_status open_input(const analyze_args *a, run_state *r, gmd_error *err)
{
    gmd_status st = GMD_OK;
    if (a->ff_path && (st = gmd_forcefield_read(&r->ff, a->ff_path, err))) return st;
    st = gmd_traj_reader_open(&r->reader, a->traj, a->format, a->ff_path ? &r->ff : NULL, a->types,
                              a->s.dt_fs, err);
    int eof = 0;
    if (!st) st = gmd_traj_reader_next(r->reader, &r->frame, &eof, err);
    if (!st && eof) st = gmd_fail(err, GMD_ERR_PARSE, "%s: holds no frame", a->traj);
    if (!st) {
        r->frames_read = 1;
        count_species(r);
    }
    return st;
}

static void run_free(run_state *r)
{
    for (int k = 0; k < NANALYSES; k++)
        gmd_analysis_free(r->an[k]);
    gmd_pair_histogram_free(r->pairs);
    gmd_frame_free(&r->frame);
    gmd_traj_reader_close(r->reader);
    cJSON_Delete(r->skipped);
}

static int analyze_run(const analyze_args *a, int argc, char **argv, gmd_error *err)
{
    run_state *r = calloc(1, sizeof *r);
    if (!r) return gmd_fail(err, GMD_ERR_NOMEM, "out of memory");
    r->skipped = cJSON_CreateObject();
    double t0 = omp_get_wtime();
    gmd_status st = open_input(a, r, err);
    if (!st) st = make_dir(a->s.out_dir, err);
    if (!st) st = create_analyses(a, r, err);
    if (!st && !gmd_plot_available())
        fprintf(stderr,
                "glassmd analyze: warning: gnuplot not found on PATH; figures skipped "
                "(the .gp scripts are written: run gnuplot NAME.gp in the output folder)\n");
    if (!st) st = stream_frames(a, r, err);
    if (!st) st = measure_temperature(a, r, err);
    if (!st) st = finish_all(a, r, argc, argv, err);
    if (!st) {
        int n = 0;
        for (int k = 0; k < NANALYSES; k++)
            n += r->an[k] != NULL;
        fprintf(stderr,
                "glassmd analyze: %ld of %ld frames, %zu atoms, %d analyses -> %s/results.json "
                "(%.1f s)\n",
                r->frames_used, r->frames_read, r->sys.natoms, n, a->s.out_dir,
                omp_get_wtime() - t0);
    }
    run_free(r);
    free(r);
    return st;
}

int gmd_cmd_analyze(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--arrhenius")) return gmd_cmd_analyze_arrhenius(argc, argv);
    analyze_args a;
    int rc = parse_analyze_args(argc, argv, &a);
    if (rc) return rc < 0 ? 0 : rc;
    gmd_error err;
    gmd_error_clear(&err);
    gmd_thermo_mean whole;
    /* the whole file's mean until the frames' span is known: a bad thermo file fails here,
     * before a long trajectory is read, and sigma sees a temperature when it is created */
    if (a.thermo_path &&
        gmd_thermo_mean_temperature(a.thermo_path, NAN, NAN, 0, &whole, &err) != GMD_OK)
        return gmd_cli_error("analyze", "--temperature: %s", err.message);
    if (a.thermo_path) a.s.temperature_K = whole.mean_K;
    if (analyze_run(&a, argc, argv, &err) != GMD_OK)
        return gmd_cli_error("analyze", "%s", err.message);
    return 0;
}
