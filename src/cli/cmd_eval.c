/* cmd_eval.c - `glassmd eval`: single-point energy, forces and virial of a configuration.
 *
 * A stable contract for scripts and tests: one JSON object on stdout (energies in eV,
 * the virial-only pressure tensor in bar, the Coulomb method's chosen parameters), forces
 * optionally written as `id fx fy fz` in eV/A sorted by id. Energies, pressures and forces
 * are printed so that they read back exactly (the Python package is tested against them
 * bit for bit). --repeat N evaluates N times (the neighbour list is kept, as in MD between
 * rebuilds) and reports the time per evaluation and its parts (neighbour list, each term:
 * "timing"), for benchmarks. */
#define _GNU_SOURCE /* qsort_r */
#include <getopt.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "commands.h"
#include "glassmd/config_io.h"
#include "glassmd/md.h"
#include "glassmd/model.h"
#include "glassmd/units.h"
#include "glassmd/values.h"
#include "glassmd/version.h"

typedef struct eval_args {
    const char *config, *ff_path, *types, *forces_out;
    gmd_config_format format;
    const char *kspace; /* NULL: the force field's */
    double accuracy;    /* <= 0: the force field's */
    double cutoff;      /* <= 0: the force field's */
    int threebody;      /* 0 / 1 */
    int taper;          /* -1 / GMD_TAPER_* */
    int threads;
    long repeat;
} eval_args;

static void eval_usage(void)
{
    printf("usage: glassmd eval CONFIG --ff FILE [--types Si,S,Na] [--format lammps|xyz]\n"
           "                    [--kspace ewald|pppm|none] [--accuracy A] [--cutoff R]\n"
           "                    [--no-threebody] [--threebody smooth|hard] [--threads N]\n"
           "                    [--forces OUT] [--repeat N]\n\n"
           "Prints one JSON object: natoms, volume (A^3), pe, buckingham, wall, coulomb\n"
           "(= coulomb_real + coulomb_recip + coulomb_self), threebody (all eV),\n"
           "pressure_virial (bar: xx yy zz xy xz yz) and the k-space parameters.\n"
           "--forces OUT writes 'id fx fy fz' (eV/A) sorted by id.\n");
}

static int parse_eval_args(int argc, char **argv, eval_args *a)
{
    enum { OPT_NO3B = 1000, OPT_3B, OPT_REPEAT, OPT_FORMAT };
    static const struct option opts[] = {{"ff", required_argument, 0, 'f'},
                                         {"types", required_argument, 0, 't'},
                                         {"kspace", required_argument, 0, 'k'},
                                         {"accuracy", required_argument, 0, 'a'},
                                         {"cutoff", required_argument, 0, 'c'},
                                         {"no-threebody", no_argument, 0, OPT_NO3B},
                                         {"threebody", required_argument, 0, OPT_3B},
                                         {"threads", required_argument, 0, 'n'},
                                         {"forces", required_argument, 0, 'o'},
                                         {"repeat", required_argument, 0, OPT_REPEAT},
                                         {"format", required_argument, 0, OPT_FORMAT},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    *a = (eval_args){.threebody = 1, .taper = -1, .threads = omp_get_max_threads(), .repeat = 1};
    long lval;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            a->ff_path = optarg;
            break;
        case 't':
            a->types = optarg;
            break;
        case 'k':
            a->kspace = optarg;
            break;
        case 'o':
            a->forces_out = optarg;
            break;
        case OPT_NO3B:
            a->threebody = 0;
            break;
        case 'a':
            if (gmd_text_to_double(optarg, &a->accuracy) || !(a->accuracy > 0 && a->accuracy < 1))
                return gmd_cli_error(
                    "eval", "--accuracy '%s': give a relative accuracy in (0, 1), e.g. 1e-5",
                    optarg);
            break;
        case 'c':
            if (gmd_text_to_double(optarg, &a->cutoff) || !(a->cutoff > 0))
                return gmd_cli_error("eval", "--cutoff '%s': give a positive distance in A",
                                     optarg);
            break;
        case 'n':
            if (gmd_text_to_long(optarg, &lval) || lval < 1 || lval > 1024)
                return gmd_cli_error("eval", "--threads '%s': give a thread count from 1 to 1024",
                                     optarg);
            a->threads = (int)lval;
            break;
        case OPT_REPEAT:
            if (gmd_text_to_long(optarg, &a->repeat) || a->repeat < 1)
                return gmd_cli_error("eval", "--repeat '%s': give a count >= 1", optarg);
            break;
        case OPT_3B:
            if (!strcmp(optarg, "smooth"))
                a->taper = GMD_TAPER_SMOOTH;
            else if (!strcmp(optarg, "hard"))
                a->taper = GMD_TAPER_HARD;
            else
                return gmd_cli_error("eval", "--threebody '%s': use smooth or hard", optarg);
            break;
        case OPT_FORMAT:
            if (!strcmp(optarg, "lammps"))
                a->format = GMD_CONFIG_LAMMPS_DATA;
            else if (!strcmp(optarg, "xyz"))
                a->format = GMD_CONFIG_EXTXYZ;
            else
                return gmd_cli_error("eval", "--format '%s': use lammps or xyz", optarg);
            break;
        case 'h':
            eval_usage();
            return -1;
        default:
            return gmd_cli_error("eval",
                                 "unknown or incomplete option '%s'; see glassmd eval --help",
                                 argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return gmd_cli_error("eval",
                             "give exactly one configuration file; see glassmd eval --help");
    a->config = argv[optind];
    if (!a->ff_path)
        return gmd_cli_error("eval",
                             "no force field: add --ff FILE (e.g. data/forcefields/na2s-sis2.ff)");
    return 0;
}

static int compare_by_id(const void *a, const void *b, void *ctx)
{
    const long *id = ctx;
    long ia = id[*(const size_t *)a], ib = id[*(const size_t *)b];
    return (ia > ib) - (ia < ib);
}

static gmd_status write_forces(const char *path, const gmd_atoms *atoms, gmd_error *err)
{
    size_t *order = gmd_calloc(atoms->n, sizeof *order, "force output order", err);
    if (!order) return GMD_ERR_NOMEM;
    for (size_t i = 0; i < atoms->n; i++)
        order[i] = i;
    qsort_r(order, atoms->n, sizeof *order, compare_by_id, atoms->id);
    FILE *out = fopen(path, "w");
    if (!out) {
        free(order);
        return gmd_fail(err, GMD_ERR_IO, "%s: cannot open for writing forces", path);
    }
    fprintf(out, "# id fx_eV_A fy_eV_A fz_eV_A (glassmd %s)\n", GLASSMD_VERSION);
    for (size_t k = 0; k < atoms->n; k++) {
        size_t i = order[k];
        fprintf(out, "%ld %.17g %.17g %.17g\n", atoms->id[i], atoms->f[0][i], atoms->f[1][i],
                atoms->f[2][i]);
    }
    free(order);
    if (fclose(out) != 0) return gmd_fail(err, GMD_ERR_IO, "%s: error while writing forces", path);
    return GMD_OK;
}

/* The taper the model uses: --threebody's, else the force field's (the first entry's;
 * the file's entries may differ only when written so by hand). */
static const char *effective_taper(const gmd_sim *sim, int taper_option)
{
    if (!gmd_model_settings(sim->model)->threebody || sim->ff->nthreebody == 0) return "off";
    gmd_taper taper = gmd_threebody_taper(sim->ff, 0, taper_option);
    return taper == GMD_TAPER_HARD ? "hard" : "smooth";
}

/* key: x, printed so that it reads back as exactly x (cJSON's own printing keeps 15
 * digits when they read back within a relative epsilon, which loses the last bits that
 * bit-for-bit comparisons - the Python package's tests - look at); null when not finite. */
static void add_exact(cJSON *o, const char *key, double x)
{
    char buf[40];
    if (!isfinite(x)) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    gmd_format_number(x, buf, sizeof buf);
    cJSON_AddRawToObject(o, key, buf);
}

/* An array of n numbers printed as add_exact does. */
static cJSON *exact_array(const double *x, int n)
{
    cJSON *a = cJSON_CreateArray();
    char buf[40];
    for (int i = 0; a && i < n; i++) {
        gmd_format_number(x[i], buf, sizeof buf);
        cJSON_AddItemToArray(a, isfinite(x[i]) ? cJSON_CreateRaw(buf) : cJSON_CreateNull());
    }
    return a;
}

/* 1 when the part in slot p belongs to the same total as the part in slot q. */
static int same_sum(const gmd_model *model, int p, int q)
{
    const char *a = gmd_model_part(model, p)->sum, *b = gmd_model_part(model, q)->sum;
    return a && b && !strcmp(a, b);
}

/* The total that the part in slot `first` opens: its parts summed in slot order. */
static double part_sum(const gmd_model *model, const gmd_tally *t, int first)
{
    double e = t->energy[first];
    for (int p = first + 1; p < gmd_model_nparts(model); p++)
        if (same_sum(model, first, p)) e += t->energy[p];
    return e;
}

/* 1 when no slot before p belongs to p's total. */
static int opens_sum(const gmd_model *model, int p)
{
    for (int q = 0; q < p; q++)
        if (same_sum(model, p, q)) return 0;
    return 1;
}

/* Every energy part by name, in slot order; a total of several parts ("coulomb") comes
 * just before the first of them. */
static void add_energy_parts(cJSON *o, const gmd_model *model, const gmd_tally *t)
{
    for (int p = 0; p < gmd_model_nparts(model); p++) {
        const gmd_energy_part *part = gmd_model_part(model, p);
        if (part->sum && opens_sum(model, p)) add_exact(o, part->sum, part_sum(model, t, p));
        add_exact(o, part->name, t->energy[p]);
    }
}

/* "timing": the seconds of all evaluations, and each part (neighbour list, each term,
 * "other") with its seconds, seconds per evaluation, share of the total and calls. */
static cJSON *timing_json(const gmd_sim *sim, long repeat)
{
    gmd_timing_table table;
    gmd_sim_timing(sim, &table);
    cJSON *o = cJSON_CreateObject();
    cJSON *parts = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "total_s", table.total_s);
    for (int i = 0; i < table.nrows; i++) {
        const gmd_timing_row *r = &table.row[i];
        cJSON *part = cJSON_CreateObject();
        cJSON_AddNumberToObject(part, "seconds", r->seconds);
        cJSON_AddNumberToObject(part, "per_eval_s", r->seconds / (double)repeat);
        cJSON_AddNumberToObject(part, "percent", r->percent);
        cJSON_AddNumberToObject(part, "calls", (double)r->calls);
        cJSON_AddItemToObject(parts, r->name, part);
    }
    cJSON_AddItemToObject(o, "parts", parts);
    return o;
}

static cJSON *result_json(const eval_args *a, const gmd_sim *sim, double seconds)
{
    const gmd_model *model = sim->model;
    const gmd_atoms *atoms = &sim->atoms;
    const gmd_tally *t = &sim->tally;
    cJSON *o = cJSON_CreateObject();
    double volume = gmd_box_volume(&sim->box);
    cJSON_AddStringToObject(o, "glassmd_version", GLASSMD_VERSION);
    cJSON_AddStringToObject(o, "config", a->config);
    cJSON_AddStringToObject(o, "forcefield", a->ff_path);
    cJSON_AddNumberToObject(o, "natoms", (double)atoms->n);
    cJSON_AddNumberToObject(o, "volume", volume);
    cJSON_AddNumberToObject(o, "cutoff", sim->ff->cutoff);
    add_exact(o, "pe", gmd_tally_total(t));
    add_energy_parts(o, model, t);
    double p[6];
    for (int k = 0; k < 6; k++)
        p[k] = t->virial[k] / volume * GMD_EV_A3_TO_BAR;
    cJSON_AddItemToObject(o, "pressure_virial", exact_array(p, 6));
    char buf[1024];
    gmd_model_describe_kspace(model, buf, sizeof buf);
    cJSON *ks = cJSON_Parse(buf);
    cJSON_AddItemToObject(o, "kspace", ks ? ks : cJSON_CreateNull());
    cJSON_AddStringToObject(o, "threebody_taper", effective_taper(sim, a->taper));
    cJSON_AddStringToObject(o, "threebody_taper_from",
                            a->taper == -1 ? "force field" : "--threebody");
    cJSON_AddNumberToObject(o, "threads", gmd_model_settings(model)->threads);
    cJSON_AddNumberToObject(o, "repeat", (double)a->repeat);
    cJSON_AddNumberToObject(o, "time_per_eval_s", seconds / (double)a->repeat);
    cJSON_AddItemToObject(o, "timing", timing_json(sim, a->repeat));
    return o;
}

/* The model from the force field and the options; the force field as read lives only
 * here, the model keeps the copy used (sim->ff, with the cut-off actually used). */
static gmd_status eval_setup(const eval_args *a, gmd_sim *sim, gmd_error *err)
{
    gmd_forcefield ff;
    gmd_status st = gmd_forcefield_read(&ff, a->ff_path, err);
    if (st == GMD_OK)
        st = gmd_config_read(a->config, a->format, &ff, a->types, &sim->box, &sim->atoms, err);
    if (st != GMD_OK) return st;
    gmd_model_options opt = gmd_model_default_options(&ff);
    if (a->kspace && gmd_kspace_method_from_word(a->kspace, &opt.kspace))
        return gmd_fail(err, GMD_ERR_VALUE, "--kspace '%s': use ewald, pppm or none", a->kspace);
    if (a->accuracy > 0) opt.accuracy = a->accuracy;
    if (a->cutoff > 0) opt.cutoff = a->cutoff;
    opt.threebody = a->threebody;
    opt.taper_override = a->taper;
    opt.threads = a->threads;
    return gmd_sim_create_model(sim, &ff, &opt, err);
}

static gmd_status print_result(const eval_args *a, const gmd_sim *sim, gmd_error *err)
{
    double seconds = sim->timers.phase[GMD_TIMER_TOTAL].seconds;
    cJSON *o = result_json(a, sim, seconds);
    char *text = o ? cJSON_Print(o) : NULL;
    gmd_status st = GMD_OK;
    if (text)
        printf("%s\n", text);
    else
        st = gmd_fail(err, GMD_ERR_NOMEM, "out of memory writing the JSON result");
    free(text);
    cJSON_Delete(o);
    return st;
}

/* The TOTAL timer covers the force calls only, so the parts (neighbour list, terms) and
 * "other" (zeroing the forces) add up to it. */
static int eval_run(const eval_args *a, gmd_error *err)
{
    gmd_sim *sim = gmd_calloc(1, sizeof *sim, "simulation state", err);
    if (!sim) return GMD_ERR_NOMEM;
    gmd_status st = eval_setup(a, sim, err);
    gmd_timer *total = &sim->timers.phase[GMD_TIMER_TOTAL];
    for (long rep = 0; st == GMD_OK && rep < a->repeat; rep++) {
        gmd_timer_start(total);
        st = gmd_sim_compute(sim, err);
        gmd_timer_stop(total);
    }
    if (st == GMD_ERR_PHYSICS && err) { /* e.g. two atoms at one place: name the file */
        char msg[GMD_ERROR_MSG_LEN];
        snprintf(msg, sizeof msg, "%s", err->message);
        st = gmd_fail(err, st, "%s: %s", a->config, msg);
    }
    if (st == GMD_OK && !isfinite(gmd_tally_total(&sim->tally)))
        st = gmd_fail(err, GMD_ERR_PHYSICS, "%s: the energy is not finite (atoms overlap?)",
                      a->config);
    if (st == GMD_OK && a->forces_out) st = write_forces(a->forces_out, &sim->atoms, err);
    if (st == GMD_OK) st = print_result(a, sim, err);
    gmd_sim_free(sim);
    free(sim);
    return st;
}

int gmd_cmd_eval(int argc, char **argv)
{
    eval_args a;
    int rc = parse_eval_args(argc, argv, &a);
    if (rc) return rc < 0 ? 0 : rc;
    gmd_error err;
    gmd_error_clear(&err);
    if (eval_run(&a, &err) != GMD_OK) return gmd_cli_error("eval", "%s", err.message);
    return 0;
}
