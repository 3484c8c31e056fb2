/* analyze_options.c - the options of an analysis run by name (gmd_analyze_set_option): the
 * one reader of `glassmd analyze`'s options, which the command line calls for each option
 * it parses and the Python package's analyze(path, **settings) for each keyword, so that
 * both accept the same values and refuse bad ones with the same messages. */
#define _POSIX_C_SOURCE 200809L /* strtok_r, access */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "glassmd/analyze.h"
#include "glassmd/text.h"

enum {
    OPT_FORMAT,
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
    OPT_COUNT
};

/* In the order of the enum above. */
static const gmd_analyze_option_def OPTIONS[OPT_COUNT + 1] = {
    {"format", 1},    {"ff", 1},          {"types", 1},
    {"dt", 1},        {"temperature", 1}, {"temperature-setpoint", 1},
    {"only", 1},      {"skip", 1},        {"max-frames", 1},
    {"out", 1},       {"threads", 1},     {"rdf-rmax", 1},
    {"rdf-dr", 1},    {"sq-kmax", 1},     {"sq-dk", 1},
    {"lorch", 0},     {"direct-kmax", 1}, {"sq-method", 1},
    {"exp-sq", 1},    {"msd-fit", 1},     {"msd-blocks", 1},
    {"former", 1},    {"bridge", 1},      {"modifier", 1},
    {"cut-si-s", 1},  {"cut-na-s", 1},    {"cut-s-s", 1},
    {"fsdp-pair", 1}, {"angles", 1},      {NULL, 0},
};

const gmd_analyze_option_def *gmd_analyze_option_defs(void)
{
    return OPTIONS;
}

/* A positive number (or >= 0 when zero_ok) for option c. */
static gmd_status positive(int c, const char *text, int zero_ok, double *out, gmd_error *err)
{
    double v;
    if (gmd_text_to_double(text, &v) || !isfinite(v) || v < 0 || (!zero_ok && v == 0))
        return gmd_fail(err, GMD_ERR_VALUE, "--%s '%s': give a %s number", OPTIONS[c].name, text,
                        zero_ok ? "non-negative" : "positive");
    *out = v;
    return GMD_OK;
}

static gmd_status count(int c, const char *text, long *out, gmd_error *err)
{
    if (gmd_text_to_long(text, out) || *out < 1)
        return gmd_fail(err, GMD_ERR_VALUE, "--%s '%s': give a whole number >= 1", OPTIONS[c].name,
                        text);
    return GMD_OK;
}

static gmd_status parse_format(const char *text, gmd_traj_in_format *f, gmd_error *err)
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
            return GMD_OK;
        }
    return gmd_fail(err, GMD_ERR_VALUE, "--format '%s': use auto, lammpsdump, netcdf or xyz", text);
}

static gmd_status parse_only(const char *text, gmd_analyze_options *a, gmd_error *err)
{
    gmd_error e;
    if (gmd_analysis_parse_list(text, &a->analyses, &e) != GMD_OK)
        return gmd_fail(err, e.code, "--only: %s", e.message);
    a->only = 1;
    return GMD_OK;
}

/* A species name, or names joined by '-' (parts of them), into dst. */
static gmd_status parse_name(int c, const char *text, int parts, char *dst, size_t len,
                             gmd_error *err)
{
    int dashes = 0, ok = *text && strlen(text) < len && text[0] != '-';
    for (const char *p = text; *p; p++) {
        dashes += *p == '-';
        ok = ok && *p != ' ' && *p != ',' && !(*p == '-' && (p[1] == '-' || p[1] == '\0'));
    }
    if (!ok || dashes != parts - 1)
        return gmd_fail(err, GMD_ERR_VALUE, "--%s '%s': give %s", OPTIONS[c].name, text,
                        parts == 1   ? "a species name, e.g. Si"
                        : parts == 2 ? "a pair A-B, e.g. Na-Na"
                                     : "a triplet A-B-C, e.g. Si-S-Si");
    snprintf(dst, len, "%s", text);
    return GMD_OK;
}

static gmd_status parse_angles(const char *text, gmd_analysis_settings *s, gmd_error *err)
{
    char copy[512], *save = NULL;
    snprintf(copy, sizeof copy, "%s", text);
    s->nangle_triplets = 0;
    for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        if (s->nangle_triplets == 8)
            return gmd_fail(err, GMD_ERR_VALUE, "--angles: at most 8 triplets");
        gmd_status st = parse_name(OPT_ANGLES, tok, 3, s->angle_triplets[s->nangle_triplets],
                                   sizeof s->angle_triplets[0], err);
        if (st != GMD_OK) return st;
        s->nangle_triplets++;
    }
    if (!s->nangle_triplets)
        return gmd_fail(err, GMD_ERR_VALUE, "--angles is empty; give e.g. Si-S-Si,S-Si-S");
    return GMD_OK;
}

static gmd_status parse_fit(const char *text, gmd_analysis_settings *s, gmd_error *err)
{
    char copy[128];
    snprintf(copy, sizeof copy, "%s", text);
    char *colon = strchr(copy, ':');
    double t0, t1;
    if (!colon || (*colon = '\0', gmd_text_to_double(copy, &t0)) ||
        gmd_text_to_double(colon + 1, &t1) || !(t0 >= 0 && t1 > t0))
        return gmd_fail(err, GMD_ERR_VALUE, "--msd-fit '%s': give T0:T1 in ps with 0 <= T0 < T1",
                        text);
    s->msd_fit_t0_ps = t0;
    s->msd_fit_t1_ps = t1;
    return GMD_OK;
}

/* --temperature: a number in K, or else the path of a thermo CSV whose mean T_K is taken
 * (over the trajectory's time span, once the frames are read). */
static gmd_status parse_temperature(const char *text, gmd_analyze_options *a, gmd_error *err)
{
    double v;
    if (gmd_text_to_double(text, &v) == 0) {
        a->thermo_path = NULL;
        return positive(OPT_TEMPERATURE, text, 0, &a->settings.temperature_K, err);
    }
    if (access(text, R_OK) != 0)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "--temperature '%s': neither a temperature in K nor a readable "
                        "thermo file (%s); give e.g. --temperature 1000 or the run's "
                        "thermo.csv",
                        text, strerror(errno));
    a->thermo_path = text;
    return GMD_OK;
}

/* The options that set a positive number, and those that set a species name or a pair,
 * by their place in gmd_analyze_options. */
#define FIELD(member) offsetof(gmd_analyze_options, member)
static const struct {
    int option;
    size_t offset;
} NUMBERS[] = {
    {OPT_RDF_RMAX, FIELD(settings.rdf_rmax_A)},
    {OPT_RDF_DR, FIELD(settings.rdf_dr_A)},
    {OPT_SQ_KMAX, FIELD(settings.sq_kmax_invA)},
    {OPT_SQ_DK, FIELD(settings.sq_dk_invA)},
    {OPT_DIRECT_KMAX, FIELD(settings.direct_sq_kmax_invA)},
    {OPT_CUT_SI_S, FIELD(settings.cut_former_bridge_A)},
    {OPT_CUT_NA_S, FIELD(settings.cut_modifier_bridge_A)},
    {OPT_CUT_S_S, FIELD(settings.cut_homopolar_A)},
    {OPT_TEMPERATURE_SETPOINT, FIELD(setpoint_K)},
    {OPT_DT, FIELD(settings.dt_fs)},
};
static const struct {
    int option;
    size_t offset, len;
    int parts;
} NAMES[] = {
    {OPT_FORMER, FIELD(settings.former), sizeof(((gmd_analysis_settings *)0)->former), 1},
    {OPT_BRIDGE, FIELD(settings.bridge), sizeof(((gmd_analysis_settings *)0)->bridge), 1},
    {OPT_MODIFIER, FIELD(settings.modifier), sizeof(((gmd_analysis_settings *)0)->modifier), 1},
    {OPT_FSDP_PAIR, FIELD(settings.fsdp_pair), sizeof(((gmd_analysis_settings *)0)->fsdp_pair), 2},
};
/* Options whose text is kept as it is (a path, or the types list). */
static const struct {
    int option;
    size_t offset;
} TEXTS[] = {
    {OPT_FF, FIELD(ff_path)},
    {OPT_TYPES, FIELD(types)},
    {OPT_OUT, FIELD(settings.out_dir)},
    {OPT_EXP_SQ, FIELD(settings.exp_sq_path)},
};
#undef FIELD

static gmd_status set_setting(int c, const char *v, gmd_analyze_options *a, gmd_error *err)
{
    gmd_analysis_settings *s = &a->settings;
    char *base = (char *)a;
    for (size_t i = 0; i < sizeof NUMBERS / sizeof NUMBERS[0]; i++)
        if (NUMBERS[i].option == c)
            return positive(c, v, 0, (double *)(base + NUMBERS[i].offset), err);
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++)
        if (NAMES[i].option == c)
            return parse_name(c, v, NAMES[i].parts, base + NAMES[i].offset, NAMES[i].len, err);
    for (size_t i = 0; i < sizeof TEXTS / sizeof TEXTS[0]; i++)
        if (TEXTS[i].option == c) {
            *(const char **)(base + TEXTS[i].offset) = v;
            return GMD_OK;
        }
    long n;
    gmd_status st;
    switch (c) {
    case OPT_LORCH:
        s->sq_lorch = 1;
        return GMD_OK;
    case OPT_SQ_METHOD:
        if (strcmp(v, "grid") == 0 || strcmp(v, "direct") == 0) {
            s->sq_method = v[0] == 'g' ? GMD_SQ_GRID : GMD_SQ_DIRECT;
            return GMD_OK;
        }
        return gmd_fail(err, GMD_ERR_VALUE, "--sq-method '%s': give grid or direct", v);
    case OPT_MSD_FIT:
        return parse_fit(v, s, err);
    case OPT_MSD_BLOCKS:
        if ((st = count(c, v, &n, err)) != GMD_OK) return st;
        s->msd_blocks = (int)(n > 1000 ? 1000 : n);
        return GMD_OK;
    case OPT_ANGLES:
        return parse_angles(v, s, err);
    case OPT_TEMPERATURE:
        return parse_temperature(v, a, err);
    }
    return gmd_fail(err, GMD_ERR_INTERNAL, "analysis option %d has no reader", c);
}

static gmd_status set_run_option(int c, const char *v, gmd_analyze_options *a, gmd_error *err)
{
    long n;
    gmd_status st;
    switch (c) {
    case OPT_FORMAT:
        return parse_format(v, &a->format, err);
    case OPT_ONLY:
        return parse_only(v, a, err);
    case OPT_SKIP:
        return count(c, v, &a->skip, err);
    case OPT_MAX_FRAMES:
        return count(c, v, &a->max_frames, err);
    case OPT_THREADS:
        if ((st = count(c, v, &n, err)) != GMD_OK) return st;
        if (n > 1024) return gmd_fail(err, GMD_ERR_VALUE, "--threads '%s': at most 1024", v);
        a->settings.threads = (int)n;
        return GMD_OK;
    }
    return set_setting(c, v, a, err);
}

/* 1 when name is the option's name, '_' standing for '-'. */
static int same_name(const char *name, const char *option)
{
    for (; *name && *option; name++, option++)
        if (*name != *option && !(*name == '_' && *option == '-')) return 0;
    return *name == '\0' && *option == '\0';
}

gmd_status gmd_analyze_set_option(gmd_analyze_options *opt, const char *name, const char *value,
                                  gmd_error *err)
{
    for (int c = 0; c < OPT_COUNT; c++) {
        if (!same_name(name, OPTIONS[c].name)) continue;
        if (OPTIONS[c].takes_value && !value)
            return gmd_fail(err, GMD_ERR_VALUE, "--%s needs a value", OPTIONS[c].name);
        return set_run_option(c, value, opt, err);
    }
    char known[1024] = "";
    for (int c = 0; c < OPT_COUNT; c++) {
        size_t used = strlen(known);
        snprintf(known + used, sizeof known - used, "%s%s", c ? ", " : "", OPTIONS[c].name);
    }
    return gmd_fail(err, GMD_ERR_VALUE, "unknown analysis option '%s'; the options are %s", name,
                    known);
}
