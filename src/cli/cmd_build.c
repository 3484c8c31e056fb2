/* cmd_build.c - `glassmd build`: a random starting configuration for a composition.
 *
 * Prolog: parse options, read the force field; then counts (from --composition x and
 * --atoms N through the force field's [composition], or explicit --counts), random
 * placement (gmd_build_random), and the file (LAMMPS data or extended XYZ). The only
 * output is the file and one summary line on stderr; errors are one line on stderr. */
#define _GNU_SOURCE /* getopt_long */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "glassmd/build.h"
#include "glassmd/term_registry.h"
#include "glassmd/config_io.h"

#define DEFAULT_ATOMS 3000    /* SPEC section 3 */
#define DEFAULT_DENSITY 0.043 /* atoms/A^3, SPEC section 3 */

typedef struct build_args {
    const char *ff_path, *counts, *output;
    double x;    /* NAN unless --composition */
    long natoms; /* 0 unless --atoms */
    double density;
    unsigned long seed;
    double min_scale; /* <= 0: default 1 */
    gmd_config_format format;
} build_args;

static void build_usage(void)
{
    printf("usage: glassmd build --ff FILE (--composition X [--atoms N] | --counts A=n,B=m,...)\n"
           "                     [--density RHO] [--seed S] [--min-distance-scale F]\n"
           "                     -o OUT [--format lammps|xyz]\n\n"
           "Places atoms at random in a cube of the given number density, no two closer\n"
           "than a per-pair minimum distance (docs/forcefield.md), reproducibly from the seed.\n"
           "  --composition X  x modifier + (1-x) former, as the force field's [composition]\n"
           "  --atoms N        total atoms with --composition (default %d)\n"
           "  --counts LIST    atoms per species instead, e.g. Si=500,S=1500,Na=1000\n"
           "  --density RHO    atoms per A^3 (default %g)\n"
           "  --seed S         random seed (default 1)\n"
           "  --min-distance-scale F  multiply every minimum distance by F (default 1)\n"
           "  -o, --output OUT the configuration to write\n"
           "  --format F       lammps or xyz (default: from the extension, .xyz = xyz)\n",
           DEFAULT_ATOMS, DEFAULT_DENSITY);
}

static int parse_format(const char *text, gmd_config_format *format)
{
    if (!strcmp(text, "lammps"))
        *format = GMD_CONFIG_LAMMPS_DATA;
    else if (!strcmp(text, "xyz") || !strcmp(text, "extxyz"))
        *format = GMD_CONFIG_EXTXYZ;
    else
        return gmd_cli_error("build", "--format '%s': write lammps or xyz", text);
    return 0;
}

static int parse_number_option(int c, const char *text, build_args *a)
{
    long n;
    switch (c) {
    case 'x':
        if (gmd_text_to_double(text, &a->x) || !(a->x >= 0 && a->x <= 1))
            return gmd_cli_error("build", "--composition '%s': give x in [0, 1], e.g. 0.5", text);
        return 0;
    case 'N':
        if (gmd_text_to_long(text, &a->natoms) || a->natoms < 1)
            return gmd_cli_error("build", "--atoms '%s': give a positive number of atoms", text);
        return 0;
    case 'd':
        if (gmd_text_to_double(text, &a->density) || !(a->density > 0) || !isfinite(a->density))
            return gmd_cli_error("build", "--density '%s': give atoms per A^3 > 0, e.g. 0.043",
                                 text);
        return 0;
    case 's':
        if (gmd_text_to_long(text, &n) || n < 0)
            return gmd_cli_error("build", "--seed '%s': give a whole number >= 0", text);
        a->seed = (unsigned long)n;
        return 0;
    default:
        if (gmd_text_to_double(text, &a->min_scale) || !(a->min_scale > 0))
            return gmd_cli_error("build", "--min-distance-scale '%s': give a factor > 0", text);
        return 0;
    }
}

/* Returns -1 to go on, else the exit status. */
static int check_args(const build_args *a)
{
    if (!a->ff_path) return gmd_cli_error("build", "no force field; give --ff FILE");
    if (!a->output) return gmd_cli_error("build", "no output file; give -o FILE");
    if (a->counts && (!isnan(a->x) || a->natoms))
        return gmd_cli_error("build", "--counts excludes --composition and --atoms; give one");
    if (!a->counts && isnan(a->x))
        return gmd_cli_error("build", "no composition; give --composition X or --counts LIST");
    return -1;
}

/* Returns -1 to go on, else the exit status. */
static int parse_build_args(int argc, char **argv, build_args *a)
{
    enum { OPT_FORMAT = 1000, OPT_MIN };
    static const struct option opts[] = {{"ff", required_argument, 0, 'f'},
                                         {"composition", required_argument, 0, 'x'},
                                         {"atoms", required_argument, 0, 'N'},
                                         {"counts", required_argument, 0, 'c'},
                                         {"density", required_argument, 0, 'd'},
                                         {"seed", required_argument, 0, 's'},
                                         {"output", required_argument, 0, 'o'},
                                         {"format", required_argument, 0, OPT_FORMAT},
                                         {"min-distance-scale", required_argument, 0, OPT_MIN},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    *a = (build_args){.x = NAN, .density = DEFAULT_DENSITY, .seed = 1};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        int status = 0;
        switch (c) {
        case 'h':
            build_usage();
            return 0;
        case 'f':
            a->ff_path = optarg;
            break;
        case 'c':
            a->counts = optarg;
            break;
        case 'o':
            a->output = optarg;
            break;
        case OPT_FORMAT:
            status = parse_format(optarg, &a->format);
            break;
        case 'x':
        case 'N':
        case 'd':
        case 's':
        case OPT_MIN:
            status = parse_number_option(c, optarg, a);
            break;
        default:
            return gmd_cli_error("build",
                                 "unknown or incomplete option '%s'; see glassmd build "
                                 "--help",
                                 argv[optind - 1]);
        }
        if (status) return status;
    }
    if (optind < argc)
        return gmd_cli_error("build", "unexpected argument '%s'; see glassmd build --help",
                             argv[optind]);
    return check_args(a);
}

static void summarise(const build_args *a, const gmd_forcefield *ff, const long *counts,
                      const gmd_box *box, size_t natoms)
{
    char list[512] = "";
    for (int s = 0; s < ff->nspecies; s++) {
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s %ld", s ? ", " : "", ff->species[s].name,
                 counts[s]);
    }
    fprintf(stderr,
            "glassmd build: wrote %s: %zu atoms (%s), cube %.6g A, density %g /A^3, seed %lu\n",
            a->output, natoms, list, box->len[0], a->density, a->seed);
}

int gmd_cmd_build(int argc, char **argv)
{
    build_args a;
    int status = parse_build_args(argc, argv, &a);
    if (status >= 0) return status;
    gmd_forcefield ff;
    gmd_error err;
    gmd_error_clear(&err);
    long counts[GMD_MAX_SPECIES];
    gmd_box box;
    gmd_atoms atoms = {0};
    gmd_build_options opt = {
        .density = a.density, .seed = a.seed, .min_distance_scale = a.min_scale};
    char comment[256];
    snprintf(comment, sizeof comment, "glassmd build seed %lu density %g", a.seed, a.density);
    gmd_term_registry builtin = gmd_term_registry_builtin();
    if (gmd_forcefield_read(&ff, a.ff_path, &err) ||
        gmd_term_registry_check_sections(&builtin, &ff, &err) ||
        (a.counts ? gmd_counts_parse(&ff, a.counts, counts, &err)
                  : gmd_composition_counts(&ff, a.x, a.natoms ? a.natoms : DEFAULT_ATOMS, counts,
                                           &err)) ||
        gmd_build_random(&ff, counts, &opt, &box, &atoms, &err) ||
        gmd_config_write(a.output, a.format, &ff, &box, &atoms, comment, &err)) {
        gmd_atoms_free(&atoms);
        return gmd_cli_error("build", "%s", err.message);
    }
    summarise(&a, &ff, counts, &box, atoms.n);
    gmd_atoms_free(&atoms);
    return 0;
}
