/* driver.c - gmd_analyze (include/glassmd/analyze.h): one trajectory through every
 * selected analysis, for `glassmd analyze` and the study's analysis jobs alike.
 *
 * Every frame carries its own box (a box that changes, NPT, is read per frame); the
 * analyses use it frame by frame (see each file's header), and results.json records the
 * box's range over the analysed frames ("box") beside the mean volume.
 * Prolog: with a thermo file, its whole-file mean temperature (a bad file fails before a
 * long trajectory is read, and sigma sees a temperature when it is created); the force
 * field (optional); the trajectory's first frame, which fixes the atoms and the species;
 * the output folder; the analyses, through a kind -> constructor table. Main loop: every
 * skip-th frame goes to every analysis (rdf and sq share one pair histogram, so each
 * frame's pairs are binned once; sq and fsdp one reciprocal-lattice S(k), so each frame is
 * transformed once; network and angles one table of bonds, so each frame's bonds are found
 * once; msd and sigma one stored trajectory, so the frames are stored and the species' MSD
 * and diffusion computed once). Epilog: the temperature measured over the analysed time
 * span, each analysis's finish (CSV curves, figures, scalars into one cJSON object), then
 * OUT/results.json with the run's description first.
 *
 * Without `only`, an analysis that cannot run on this trajectory (sigma without a
 * temperature or charges; network without the former species) is left out with its
 * reason under "skipped"; with it, that is an error. */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "glassmd/analyze.h"
#include "glassmd/files.h"
#include "glassmd/thermo_stats.h"
#include "glassmd/version.h"
#include "../io/json_util.h"

typedef struct analysis_kind_entry {
    const char *name;
    gmd_analysis_create_fn create;
} analysis_kind_entry;

/* In gmd_analysis_kind order. */
static const analysis_kind_entry KINDS[GMD_NANALYSES] = {
    {"rdf", gmd_rdf_create},       {"sq", gmd_sq_create},       {"fsdp", gmd_fsdp_create},
    {"msd", gmd_msd_create},       {"sigma", gmd_sigma_create}, {"network", gmd_network_create},
    {"angles", gmd_angles_create},
};

static const char NO_GNUPLOT_WARNING[] =
    "gnuplot not found on PATH; figures skipped (the .gp scripts are written: run gnuplot "
    "NAME.gp in the output folder)";

const char *gmd_analysis_kind_name(gmd_analysis_kind kind)
{
    return (unsigned)kind < GMD_NANALYSES ? KINDS[kind].name : NULL;
}

static int kind_of(const char *name, size_t len)
{
    for (int k = 0; k < GMD_NANALYSES; k++)
        if (strlen(KINDS[k].name) == len && !strncmp(name, KINDS[k].name, len)) return k;
    return -1;
}

gmd_status gmd_analysis_parse_list(const char *list, unsigned *mask, gmd_error *err)
{
    static const char SEPARATORS[] = ", ";
    *mask = 0;
    for (const char *p = list + strspn(list, SEPARATORS); *p; p += strspn(p, SEPARATORS)) {
        size_t len = strcspn(p, SEPARATORS);
        int k = kind_of(p, len);
        if (k < 0)
            return gmd_fail(err, GMD_ERR_VALUE,
                            "unknown analysis '%.*s'; choose from "
                            "rdf,sq,fsdp,msd,sigma,network,angles",
                            (int)len, p);
        *mask |= 1u << k;
        p += len;
    }
    return GMD_OK;
}

void gmd_analyze_default_options(gmd_analyze_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->format = GMD_TRAJ_IN_AUTO;
    opt->skip = 1;
    opt->analyses = GMD_ANALYZE_ALL;
    gmd_analysis_default_settings(&opt->settings);
}

void gmd_analyze_summary(const gmd_analyze_result *result, const char *out_dir, char *buf,
                         size_t len)
{
    snprintf(buf, len, "%ld of %ld frames, %zu atoms, %d analyses -> %s/results.json (%.1f s)",
             result->frames_used, result->frames_read, result->natoms, result->nanalyses, out_dir,
             result->wall_s);
}

void gmd_analyze_command_line(char *buf, size_t len, int argc, const char *const *argv)
{
    size_t used = (size_t)snprintf(buf, len, "glassmd");
    for (int i = 0; i < argc && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, strchr(argv[i], ' ') ? " '%s'" : " %s",
                                 argv[i]);
}

/* ---- the run ------------------------------------------------------------------------ */

typedef struct run_state {
    const gmd_analyze_options *opt;
    gmd_analysis_settings s; /* opt->settings, with the thermo file's temperature */
    gmd_analyze_result *res;
    gmd_forcefield ff;
    gmd_traj_reader *reader;
    gmd_frame frame;
    gmd_analysis_system sys;
    gmd_analysis *an[GMD_NANALYSES];
    gmd_pair_histogram *pairs;        /* shared by rdf and sq: each frame's pairs binned once */
    gmd_reciprocal_sq *reciprocal;    /* shared by sq and fsdp: each frame transformed once */
    gmd_bond_table *bonds;            /* shared by network and angles: each frame's bonds once */
    gmd_trajectory_store *trajectory; /* shared by msd and sigma: frames stored once */
    cJSON *skipped;                   /* name -> reason */
    gmd_figure_batch figures;         /* the figures, drawn together at the end */
    double volume_sum;
    gmd_box box_min, box_max, box_prev; /* edges' range over the analysed frames */
    long box_changes;                   /* analysed frames whose box differs from the last */
    double volume_min, volume_max;
    double t_first, t_last;
    gmd_thermo_mean thermo; /* with a thermo file: over the analysed time span */
} run_state;

static gmd_status check_options(const gmd_analyze_options *o, gmd_error *err)
{
    if (!o->traj || !o->settings.out_dir)
        return gmd_fail(err, GMD_ERR_VALUE, "give a trajectory file and an output folder");
    if (o->skip < 1 || o->max_frames < 0)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "skip %ld, max_frames %ld: give skip >= 1 and max_frames >= 0 (0: all)",
                        o->skip, o->max_frames);
    if (o->analyses & ~GMD_ANALYZE_ALL)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "analyses mask 0x%x names no analysis; use "
                        "GMD_ANALYZE_ALL or bits 1u << gmd_analysis_kind",
                        o->analyses);
    return GMD_OK;
}

/* The output folder, made when missing; it must end up a folder. */
static gmd_status make_dir(const char *dir, gmd_error *err)
{
    gmd_status st = gmd_make_dirs(dir, "output folder", err);
    if (st != GMD_OK) return st;
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return gmd_fail(err, GMD_ERR_IO, "%s: not a folder; choose another --out", dir);
    return GMD_OK;
}

/* The whole thermo file's mean until the frames' span is known (measure_temperature). */
static gmd_status whole_file_temperature(run_state *r, gmd_error *err)
{
    if (!r->opt->thermo_path) return GMD_OK;
    gmd_thermo_mean whole;
    if (gmd_thermo_mean_temperature(r->opt->thermo_path, NAN, NAN, 0, &whole, err) != GMD_OK) {
        char msg[GMD_ERROR_MSG_LEN];
        snprintf(msg, sizeof msg, "%s", err->message);
        return gmd_fail(err, err->code, "--temperature: %.1000s", msg);
    }
    r->s.temperature_K = whole.mean_K;
    return GMD_OK;
}

static void count_species(run_state *r)
{
    r->sys.species = gmd_traj_reader_species(r->reader);
    r->sys.natoms = r->frame.n;
    memset(r->sys.count, 0, sizeof r->sys.count);
    for (size_t i = 0; i < r->frame.n; i++)
        r->sys.count[r->frame.type[i]]++;
    r->res->natoms = r->sys.natoms;
}

static gmd_status open_input(run_state *r, gmd_error *err)
{
    const gmd_analyze_options *o = r->opt;
    gmd_status st = GMD_OK;
    if (o->ff_path && (st = gmd_forcefield_read(&r->ff, o->ff_path, err))) return st;
    st = gmd_traj_reader_open(&r->reader, o->traj, o->format, o->ff_path ? &r->ff : NULL, o->types,
                              r->s.dt_fs, err);
    int eof = 0;
    if (!st) st = gmd_traj_reader_next(r->reader, &r->frame, &eof, err);
    if (!st && eof) st = gmd_fail(err, GMD_ERR_PARSE, "%s: holds no frame", o->traj);
    if (!st) {
        r->res->frames_read = 1;
        count_species(r);
    }
    return st;
}

/* Why the default set must leave sigma out, or NULL. */
static const char *sigma_missing(const run_state *r)
{
    if (!(r->s.temperature_K > 0))
        return "no temperature: give --temperature K (the temperature of the run)";
    if (!r->sys.species->have_charges)
        return "no charges: give --ff FILE (or a trajectory with charges)";
    return NULL;
}

/* Prefixes err's message with the analysis name, and for a frame's error with the
 * trajectory and the frame (the message is copied first: gmd_fail formats into
 * err->message). */
static gmd_status prefix_error(const run_state *r, gmd_error *err, gmd_status st, const char *name,
                               long frame)
{
    char msg[GMD_ERROR_MSG_LEN];
    snprintf(msg, sizeof msg, "%s", err->message);
    if (frame > 0)
        return gmd_fail(err, st, "%.200s: frame %ld: %s: %.700s", r->opt->traj, frame, name, msg);
    return gmd_fail(err, st, "%s: %.900s", name, msg);
}

static int selected(const run_state *r, gmd_analysis_kind kind)
{
    return (r->opt->analyses >> kind) & 1u;
}

static gmd_status create_one(run_state *r, int k, gmd_error *err)
{
    const char *why = k == GMD_ANALYSIS_SIGMA && !r->opt->only ? sigma_missing(r) : NULL;
    if (why) {
        cJSON_AddStringToObject(r->skipped, KINDS[k].name, why);
        return GMD_OK;
    }
    gmd_status st = KINDS[k].create(&r->an[k], &r->s, &r->sys, &r->frame, err);
    if (st == GMD_ERR_VALUE && !r->opt->only) { /* cannot run on this system: note it */
        cJSON_AddStringToObject(r->skipped, KINDS[k].name, err->message);
        r->an[k] = NULL;
        return GMD_OK;
    }
    if (st) return prefix_error(r, err, st, KINDS[k].name, 0);
    r->res->nanalyses++;
    return GMD_OK;
}

static gmd_status create_analyses(run_state *r, gmd_error *err)
{
    if (selected(r, GMD_ANALYSIS_RDF) && selected(r, GMD_ANALYSIS_SQ)) {
        gmd_status st = gmd_pair_histogram_create(&r->pairs, &r->s, &r->sys, &r->frame, err);
        if (st) return prefix_error(r, err, st, "rdf", 0);
        r->sys.pairs = r->pairs;
    }
    if (selected(r, GMD_ANALYSIS_SQ) && selected(r, GMD_ANALYSIS_FSDP)) {
        gmd_status st = gmd_reciprocal_sq_create(&r->reciprocal, &r->s, &r->sys, err);
        if (st) return prefix_error(r, err, st, "sq", 0);
        r->sys.reciprocal = r->reciprocal;
    }
    if (selected(r, GMD_ANALYSIS_MSD) && selected(r, GMD_ANALYSIS_SIGMA)) {
        gmd_status st = gmd_trajectory_store_create(&r->trajectory, &r->frame, err);
        if (st) return prefix_error(r, err, st, "msd", 0);
        r->sys.trajectory = r->trajectory;
    }
    if (selected(r, GMD_ANALYSIS_NETWORK) && selected(r, GMD_ANALYSIS_ANGLES)) {
        gmd_status st = gmd_bond_table_create(&r->bonds, err);
        if (st) return prefix_error(r, err, st, "network", 0);
        r->sys.bonds = r->bonds;
    }
    for (int k = 0; k < GMD_NANALYSES; k++) {
        gmd_status st = selected(r, k) ? create_one(r, k, err) : GMD_OK;
        if (st) return st;
    }
    return GMD_OK;
}

static void report_progress(const run_state *r, gmd_analyze_event event)
{
    if (r->opt->progress) r->opt->progress(event, r->res, r->opt->progress_user);
}

/* The box's range over the analysed frames, and how often it changed, for results.json. */
static void track_box(run_state *r)
{
    const gmd_box *b = &r->frame.box;
    const double v = gmd_box_volume(b);
    const int first = r->res->frames_used == 0;
    const int changed = !gmd_box_equal(b, &r->box_prev);
    for (int k = 0; k < 3; k++) {
        r->box_min.len[k] = first ? b->len[k] : fmin(r->box_min.len[k], b->len[k]);
        r->box_max.len[k] = first ? b->len[k] : fmax(r->box_max.len[k], b->len[k]);
    }
    r->box_changes += !first && changed;
    r->box_prev = *b;
    r->volume_min = first ? v : fmin(r->volume_min, v);
    r->volume_max = first ? v : fmax(r->volume_max, v);
    r->volume_sum += v;
}

static gmd_status feed_frame(run_state *r, gmd_error *err)
{
    long frame = r->res->frames_read;
    if (r->pairs) {
        gmd_status st = gmd_pair_histogram_add(r->pairs, &r->frame, err);
        if (st) return prefix_error(r, err, st, "rdf", frame);
    }
    if (r->reciprocal) {
        gmd_status st = gmd_reciprocal_sq_add(r->reciprocal, &r->frame, err);
        if (st) return prefix_error(r, err, st, "sq", frame);
    }
    if (r->trajectory) {
        gmd_status st = gmd_trajectory_store_add(r->trajectory, &r->frame, err);
        if (st) return prefix_error(r, err, st, "msd", frame);
    }
    if (r->bonds) {
        gmd_status st = gmd_bond_table_add(r->bonds, &r->frame, err);
        if (st) return prefix_error(r, err, st, "network", frame);
    }
    for (int k = 0; k < GMD_NANALYSES; k++) {
        if (!r->an[k]) continue;
        gmd_status st = r->an[k]->add_frame(r->an[k], &r->frame, err);
        if (st) return prefix_error(r, err, st, KINDS[k].name, frame);
    }
    track_box(r);
    if (r->res->frames_used == 0) r->t_first = r->frame.time_ps;
    r->t_last = r->frame.time_ps;
    r->res->frames_used++;
    return GMD_OK;
}

/* Streams every frame after the first (already read) through the analyses. */
static gmd_status stream_frames(run_state *r, gmd_error *err)
{
    const gmd_analyze_options *o = r->opt;
    gmd_analyze_result *res = r->res;
    gmd_status st = feed_frame(r, err);
    int eof = 0;
    while (st == GMD_OK && (o->max_frames == 0 || res->frames_read < o->max_frames)) {
        st = gmd_traj_reader_next(r->reader, &r->frame, &eof, err);
        if (st || eof) break;
        res->frames_read++;
        if ((res->frames_read - 1) % o->skip == 0) st = feed_frame(r, err);
        report_progress(r, GMD_ANALYZE_FRAME);
    }
    report_progress(r, GMD_ANALYZE_FRAMES_DONE);
    return st;
}

/* With a thermo file: the mean T_K of its rows within the analysed frames' time span (all
 * rows when the times are not comparable), handed to sigma, which was created with the
 * whole file's mean (the span is known only now). */
static gmd_status measure_temperature(run_state *r, gmd_error *err)
{
    if (!r->opt->thermo_path) return GMD_OK;
    gmd_status st =
        gmd_thermo_mean_temperature(r->opt->thermo_path, r->t_first, r->t_last, 0, &r->thermo, err);
    if (st == GMD_OK && r->an[GMD_ANALYSIS_SIGMA])
        st = gmd_sigma_set_temperature(r->an[GMD_ANALYSIS_SIGMA], r->thermo.mean_K, err);
    return st;
}

/* key: v when it is a positive number, else null (no temperature, or none given). */
static void add_positive_or_null(cJSON *o, const char *key, double v)
{
    gmd_json_add_number_or_null(o, key, v > 0 ? v : NAN);
}

static void describe_thermo(const run_state *r, cJSON *o)
{
    char source[4200];
    snprintf(source, sizeof source, "thermo %s", r->opt->thermo_path);
    cJSON_AddStringToObject(o, "temperature_source", source);
    cJSON *t = cJSON_AddObjectToObject(o, "temperature_thermo");
    double span[2] = {r->thermo.t0_ps, r->thermo.t1_ps};
    cJSON_AddNumberToObject(t, "rows", (double)r->thermo.nrows);
    cJSON_AddNumberToObject(t, "blocks", r->thermo.nblocks);
    cJSON_AddItemToObject(t, "time_ps", cJSON_CreateDoubleArray(span, 2));
    cJSON_AddBoolToObject(t, "whole_file", r->thermo.whole_file);
}

/* temperature_K (the one used: measured or given), its error, the set point, the source. */
static void describe_temperature(const run_state *r, cJSON *o)
{
    int measured = r->opt->thermo_path != NULL;
    add_positive_or_null(o, "temperature_K", measured ? r->thermo.mean_K : r->s.temperature_K);
    add_positive_or_null(o, "temperature_err_K", measured ? r->thermo.err_K : NAN);
    add_positive_or_null(o, "temperature_setpoint_K", r->opt->setpoint_K);
    if (measured)
        describe_thermo(r, o);
    else if (r->s.temperature_K > 0)
        cJSON_AddStringToObject(o, "temperature_source", "given");
    else
        cJSON_AddNullToObject(o, "temperature_source");
}

/* The box over the analysed frames: its range and what the analyses do when it changes. */
static void describe_box(const run_state *r, cJSON *o)
{
    cJSON *b = cJSON_AddObjectToObject(o, "box");
    cJSON_AddNumberToObject(b, "changes", (double)r->box_changes);
    cJSON_AddItemToObject(b, "len_min_A", cJSON_CreateDoubleArray(r->box_min.len, 3));
    cJSON_AddItemToObject(b, "len_max_A", cJSON_CreateDoubleArray(r->box_max.len, 3));
    cJSON_AddNumberToObject(b, "volume_min_A3", r->volume_min);
    cJSON_AddNumberToObject(b, "volume_max_A3", r->volume_max);
    cJSON_AddStringToObject(b, "per_frame",
                            "every analysis takes each frame's own box (minimum image, "
                            "g(r) normalised by the frame's volume, the frame's reciprocal "
                            "lattice); msd and sigma follow a changing box frame by frame; "
                            "volume_A3 is the mean");
}

/* The run's description, first in results.json. */
static cJSON *describe_run(const run_state *r)
{
    const gmd_analyze_options *a = r->opt;
    cJSON *o = cJSON_CreateObject(), *species = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "glassmd_version", GLASSMD_VERSION);
    cJSON_AddStringToObject(o, "command", a->command ? a->command : "");
    cJSON_AddStringToObject(o, "input", a->traj);
    cJSON_AddStringToObject(o, "forcefield", a->ff_path ? a->ff_path : "");
    cJSON_AddNumberToObject(o, "frames", (double)r->res->frames_used);
    cJSON_AddNumberToObject(o, "frames_read", (double)r->res->frames_read);
    cJSON_AddNumberToObject(o, "skip", (double)a->skip);
    cJSON_AddNumberToObject(o, "natoms", (double)r->sys.natoms);
    for (int s = 0; s < r->sys.species->n; s++)
        cJSON_AddNumberToObject(species, r->sys.species->name[s], (double)r->sys.count[s]);
    cJSON_AddItemToObject(o, "species", species);
    cJSON_AddNumberToObject(o, "volume_A3", r->volume_sum / (double)r->res->frames_used);
    describe_box(r, o);
    describe_temperature(r, o);
    cJSON_AddNumberToObject(o, "dt_fs", r->s.dt_fs);
    cJSON_AddNumberToObject(o, "time_span_ps", r->t_last - r->t_first);
    cJSON_AddBoolToObject(o, "figures", gmd_plot_available());
    cJSON *names = cJSON_CreateArray();
    for (int k = 0; k < GMD_NANALYSES; k++)
        if (r->an[k]) cJSON_AddItemToArray(names, cJSON_CreateString(KINDS[k].name));
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

static gmd_status finish_all(run_state *r, gmd_error *err)
{
    cJSON *results = describe_run(r);
    gmd_status st = results ? GMD_OK : gmd_fail(err, GMD_ERR_NOMEM, "out of memory");
    for (int k = 0; k < GMD_NANALYSES && st == GMD_OK; k++) {
        if (!r->an[k]) continue;
        st = r->an[k]->finish(r->an[k], results, err);
        if (st) st = prefix_error(r, err, st, KINDS[k].name, 0);
    }
    if (st == GMD_OK) st = gmd_figure_batch_draw(r->s.figures, r->s.out_dir, err);
    if (st == GMD_OK) {
        cJSON_AddItemToObject(results, "skipped", r->skipped);
        r->skipped = NULL;
        st = write_json(r->s.out_dir, results, err);
    }
    cJSON_Delete(results);
    return st;
}

static void run_free(run_state *r)
{
    for (int k = 0; k < GMD_NANALYSES; k++)
        gmd_analysis_free(r->an[k]);
    gmd_pair_histogram_free(r->pairs);
    gmd_reciprocal_sq_free(r->reciprocal);
    gmd_bond_table_free(r->bonds);
    gmd_trajectory_store_free(r->trajectory);
    gmd_frame_free(&r->frame);
    gmd_traj_reader_close(r->reader);
    cJSON_Delete(r->skipped);
}

static gmd_status run_all(run_state *r, gmd_error *err)
{
    gmd_status st = whole_file_temperature(r, err);
    if (!st) st = open_input(r, err);
    if (!st) st = make_dir(r->s.out_dir, err);
    if (!st) st = create_analyses(r, err);
    if (st) return st;
    if (!gmd_plot_available()) r->res->warning = NO_GNUPLOT_WARNING;
    report_progress(r, GMD_ANALYZE_STARTED);
    st = stream_frames(r, err);
    if (!st) st = measure_temperature(r, err);
    if (!st) st = finish_all(r, err);
    return st;
}

gmd_status gmd_analyze(const gmd_analyze_options *opt, gmd_analyze_result *result, gmd_error *err)
{
    double t0 = omp_get_wtime();
    gmd_analyze_result local;
    gmd_analyze_result *res = result ? result : &local;
    memset(res, 0, sizeof *res);
    gmd_error e; /* the steps read back the message: err may be NULL */
    gmd_error_clear(&e);
    gmd_status st = check_options(opt, &e);
    run_state *r = st ? NULL : gmd_calloc(1, sizeof *r, "analysis run", &e);
    if (r) {
        r->opt = opt;
        r->s = opt->settings;
        r->s.figures = &r->figures; /* one gnuplot for all the run's figures */
        r->res = res;
        r->skipped = cJSON_CreateObject();
        st = r->skipped ? run_all(r, &e) : gmd_fail(&e, GMD_ERR_NOMEM, "out of memory");
        run_free(r);
        free(r);
    } else if (!st) {
        st = GMD_ERR_NOMEM;
    }
    res->wall_s = omp_get_wtime() - t0;
    if (st && err) *err = e;
    return st;
}
