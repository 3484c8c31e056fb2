/* run.c - the driver of `glassmd run`.
 *
 * Exact resume. The uninterrupted run and a run resumed from a checkpoint must execute the
 * same floating-point operations in the same order. Two things could differ: the
 * neighbour list (built at other steps, so pairs summed in another order) and the
 * wrapping of positions into the box (done at each rebuild). Both are pinned by one rule:
 * the list is built at the checkpoint's positions, by the running run right after writing
 * it (unless its last build was at exactly those positions) and by a resumed run right
 * after reading it. The checkpoint stores the forces, so a resumed run needs no extra
 * force call, and the outputs are cut back to the byte / frame positions recorded in the
 * checkpoint.
 *
 * Stopping on request (gmd_run_options.stop: SIGTERM from a batch system, Ctrl-C). The MD
 * loop goes on to the next step whose force call rebuilt the list anyway (at 2000 K every
 * ten steps or so), writes a checkpoint there and returns GMD_ERR_INTERRUPTED: by the rule
 * above the resumed run then continues bit for bit as if never stopped. If no rebuild comes
 * within STOP_WAIT_S seconds (a cold glass may keep its list for thousands of steps), it
 * stops at once: the resume is then exact physics but matches an uninterrupted run only to
 * round-off. A minimisation stops at its current step and is redone on resume.
 * A checkpoint carries a hash of the run (gmd_run_checkpoint_hash: settings, stages, force
 * field and start file, not comments, output_dir or threads) and a resume refuses another
 * run's.
 * A resume that finds no checkpoint (killed before the first) starts from the beginning.
 *
 * Guard. After every step the energy must be finite, and no atom may have moved more
 * than GUARD_MAX_MOVE_A in the step (measured on unwrapped positions, net of the
 * barostat's scaling of the box, and on v dt), nor the volume more than GUARD_MAX_DLNV;
 * otherwise the run stops with the step, the atom (or the box) and the cure, leaving the
 * last good checkpoint in place.
 *
 * State and timing. The steps act on one gmd_sim (md.h), whose force field is the model's
 * (the one copy, with the cut-off used). Its timers cover disjoint parts of the session
 * (timer.h); their table ends run.log, after the "finished" line, so a resume that rewrites
 * that line rewrites the table with its own session's times. */
#define _POSIX_C_SOURCE 200809L
#include "glassmd/run.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <errno.h>

#include "glassmd/checkpoint.h"
#include "glassmd/config_io.h"
#include "glassmd/files.h"
#include "glassmd/md.h"
#include "glassmd/model.h"
#include "glassmd/trajectory.h"
#include "glassmd/units.h"
#include "glassmd/version.h"
#include "md_internal.h"

#define GUARD_MAX_MOVE_A 1.0
#define GUARD_MAX_DLNV 0.01 /* largest |ln(V_after / V_before)| of one step */
#define STOP_WAIT_S 5.0     /* longest wait for a list rebuild once a stop is asked */

enum { OUT_THERMO = 0, OUT_LOG, OUT_DUMP, OUT_NETCDF, OUT_COUNT };

typedef struct run_ctx {
    const gmd_run_input *in;
    const gmd_run_options *opt;
    gmd_sim sim; /* what the steps act on; sim.ff is the run's one force field */
    gmd_checkpoint_meta meta;
    gmd_text_writer *thermo, *log;
    gmd_traj_writer *dump, *netcdf;
    long total_steps;
    long steps_this_session;
    double *r_before;     /* unwrapped positions before the current step, 3 n (guard) */
    gmd_box box_before;   /* and the box then (NPT moves it) */
    long stop_asked_step; /* MD step at which a stop was first seen (-1: none) */
    double stop_asked_s;  /* and when (omp_get_wtime) */
    char path_buf[GMD_PATH_LEN + 64];
} run_ctx;

static const char *out_path(run_ctx *c, const char *name)
{
    snprintf(c->path_buf, sizeof c->path_buf, "%s/%s", c->in->output_dir, name);
    return c->path_buf;
}

/* The identity of a run, to refuse resuming a checkpoint with another one: the bytes of
 * the force field and starting configuration and the canonical text of every setting
 * and stage that decides the trajectory bit for bit (GMD_RUN_TEXT_CHECKPOINT, from the key
 * table of run_input.c). It leaves out what does not: comments, layout and line numbers
 * of the input, output_dir (a run folder may be moved), the input's own path, and threads
 * (a resume may use another thread count; it then matches the uninterrupted run to
 * round-off only). The chain length enters resolved, so that a checkpoint written with
 * `chain = auto` resumes with the number auto gives, and the other way round. */
gmd_status gmd_run_checkpoint_hash(const gmd_run_input *in, const gmd_forcefield *ff,
                                   unsigned long long *hash, gmd_error *err)
{
    gmd_run_input *resolved = gmd_calloc(1, sizeof *resolved, "run input", err);
    if (!resolved) return GMD_ERR_NOMEM;
    *resolved = *in;
    resolved->chain = gmd_run_chain_length(in, ff);
    gmd_status st = gmd_run_input_hash(resolved, GMD_RUN_TEXT_CHECKPOINT, hash, err);
    free(resolved);
    return st;
}

static gmd_model_options model_options(const gmd_run_input *in, const gmd_forcefield *ff)
{
    gmd_model_options o = gmd_model_default_options(ff);
    if (in->kspace_set) o.kspace = in->kspace;
    if (in->accuracy > 0) o.accuracy = in->accuracy;
    if (in->cutoff > 0) o.cutoff = in->cutoff;
    o.threebody = in->threebody;
    o.taper_override = in->taper;
    o.threads = in->threads > 0 ? in->threads : omp_get_max_threads();
    return o;
}

/* threebody_substeps: as given, or for `auto`, with a three-body term on the smooth taper,
 * enough substeps for an inner step of at most GMD_MTS_AUTO_INNER_FS (8 at dt = 1 fs): the
 * taper's switch needs that to conserve energy at 2000 K (docs/dynamics.md); otherwise 1
 * (the hard cut or no term: plain velocity Verlet, step for step as LAMMPS). */
#define GMD_MTS_AUTO_INNER_FS 0.125
static int threebody_substeps(const gmd_run_input *in, const gmd_forcefield *ff)
{
    if (in->threebody_substeps > 0) return in->threebody_substeps;
    if (!in->threebody) return 1;
    for (int e = 0; e < ff->nthreebody; e++) {
        gmd_taper taper = gmd_threebody_taper(ff, e, in->taper);
        if (taper != GMD_TAPER_SMOOTH) continue;
        double n = ceil(in->dt_fs / GMD_MTS_AUTO_INNER_FS - 1e-9);
        return n < 1 ? 1 : n > GMD_MTS_MAX_SUBSTEPS ? GMD_MTS_MAX_SUBSTEPS : (int)n;
    }
    return 1;
}

/* A hard-cut three-body term in the run: on, with the cut forced (threebody = hard) or
 * the force field's taper of any of its entries hard. */
static int hard_cut_active(const gmd_run_input *in, const gmd_forcefield *ff)
{
    if (!in->threebody) return 0;
    for (int e = 0; e < ff->nthreebody; e++) {
        gmd_taper taper = gmd_threebody_taper(ff, e, in->taper);
        if (taper == GMD_TAPER_HARD) return 1;
    }
    return 0;
}

int gmd_run_chain_length(const gmd_run_input *in, const gmd_forcefield *ff)
{
    if (in->chain > 0) return in->chain;
    return hard_cut_active(in, ff) ? 1 : 3;
}

static long count_md_steps(const gmd_run_input *in)
{
    long n = 0;
    for (int s = 0; s < in->nstages; s++)
        if (in->stages[s].kind != GMD_STAGE_MINIMIZE) n += in->stages[s].nsteps;
    return n;
}

static gmd_status open_outputs(run_ctx *c, int resume, gmd_error *err)
{
    const long *pos = c->meta.output_position;
    gmd_status st =
        gmd_text_open(&c->thermo, out_path(c, "thermo.csv"), resume ? pos[OUT_THERMO] : -1, err);
    if (st == GMD_OK)
        st = gmd_text_open(&c->log, out_path(c, "run.log"), resume ? pos[OUT_LOG] : -1, err);
    if (st == GMD_OK && c->in->traj_every > 0 && c->in->traj_dump)
        st = gmd_traj_open(&c->dump, out_path(c, "traj.dump"), GMD_TRAJ_LAMMPS_DUMP, c->sim.ff,
                           &c->sim.atoms, resume ? pos[OUT_DUMP] : -1, err);
    if (st == GMD_OK && c->in->traj_every > 0 && c->in->traj_netcdf)
        st = gmd_traj_open(&c->netcdf, out_path(c, "traj.nc"), GMD_TRAJ_NETCDF, c->sim.ff,
                           &c->sim.atoms, resume ? pos[OUT_NETCDF] : -1, err);
    return st;
}

static gmd_status close_outputs(run_ctx *c, gmd_error *err)
{
    gmd_status st = GMD_OK, s2;
    gmd_error ignored;
    gmd_error *e = err;
    if (c->thermo && (s2 = gmd_text_close(c->thermo, e)) != GMD_OK && st == GMD_OK)
        st = s2, e = &ignored;
    if (c->log && (s2 = gmd_text_close(c->log, e)) != GMD_OK && st == GMD_OK) st = s2, e = &ignored;
    if (c->dump && (s2 = gmd_traj_close(c->dump, e)) != GMD_OK && st == GMD_OK)
        st = s2, e = &ignored;
    if (c->netcdf && (s2 = gmd_traj_close(c->netcdf, e)) != GMD_OK && st == GMD_OK) st = s2;
    c->thermo = c->log = NULL;
    c->dump = c->netcdf = NULL;
    return st;
}

static double initial_temperature(const gmd_run_input *in);

/* The three-body term as the run uses it, for run.log: the input's taper, else the force
 * field's (whose hard cut decides chain = auto). */
static const char *threebody_word(const gmd_run_input *in, const gmd_forcefield *ff)
{
    if (!in->threebody || ff->nthreebody == 0) return "off";
    gmd_taper taper = gmd_threebody_taper(ff, 0, in->taper);
    return taper == GMD_TAPER_HARD ? "hard" : "smooth";
}

/* Why the chain length is what it is, for run.log: "" when the input gave it. */
static const char *chain_note(const gmd_run_input *in, const gmd_forcefield *ff)
{
    if (in->chain > 0) return "";
    return hard_cut_active(in, ff) ? " (auto: a hard-cut three-body term)"
                                   : " (auto: no hard-cut three-body term)";
}

static gmd_status write_log_header(run_ctx *c, gmd_error *err)
{
    const gmd_run_input *in = c->in;
    const gmd_sim *sim = &c->sim;
    char ks[1024];
    gmd_model_describe_kspace(sim->model, ks, sizeof ks);
    gmd_status st = gmd_text_printf(
        c->log, err,
        "# glassmd %s (%s build, %s, flags '%s', built %s)\n"
        "input = %s\nconfig = %s\nforcefield = %s\nnatoms = %zu\n"
        "box_A = %.10g %.10g %.10g\ncutoff_A = %g\nkspace = %s\nthreebody = %s\n"
        "threebody_substeps = %d\ndt_fs = %g\nseed = %llu\ntdamp_ps = %g\nchain = %d%s\n"
        "pdamp_ps = %g\n"
        "threads = %d\n"
        "thermo_every = %ld\ntraj_every = %ld\ncheckpoint_every = %ld\n"
        "output_dir = %s\ntypes = %s\nvelocity_K = %g\ntraj_format = %s\n",
        GLASSMD_VERSION, GLASSMD_BUILD_TYPE, GLASSMD_COMPILER, GLASSMD_BUILD_FLAGS,
        GLASSMD_BUILD_DATE, in->path, in->config, in->forcefield, sim->atoms.n, sim->box.len[0],
        sim->box.len[1], sim->box.len[2], sim->ff->cutoff, ks, threebody_word(in, sim->ff),
        sim->mts.substeps, in->dt_fs, (unsigned long long)in->seed, sim->md.nhc.tdamp_ps,
        sim->md.nhc.length, chain_note(in, sim->ff), in->pdamp_ps,
        gmd_model_settings(sim->model)->threads, in->thermo_every, in->traj_every,
        in->checkpoint_every, in->output_dir, in->types[0] ? in->types : "(from the data file)",
        initial_temperature(in),
        in->traj_netcdf ? (in->traj_dump ? "both" : "netcdf") : (in->traj_dump ? "dump" : "none"));
    for (int s = 0; st == GMD_OK && s < in->nstages; s++) {
        const gmd_stage *g = &in->stages[s];
        char extra[320] = "";
        if (g->kind == GMD_STAGE_MINIMIZE)
            snprintf(extra, sizeof extra, " ftol_eV_A=%g max_step_A=%g", g->ftol_eV_A,
                     g->max_step_A);
        else if (g->kind == GMD_STAGE_RAMP)
            snprintf(extra, sizeof extra, " rate_K_ps=%g", g->rate_K_ps);
        else if (g->kind == GMD_STAGE_WRITE)
            snprintf(extra, sizeof extra, " file=%s", g->file);
        if (g->npt) {
            size_t used = strlen(extra);
            snprintf(extra + used, sizeof extra - used, " P_bar=%g", g->p_bar);
        }
        st = gmd_text_printf(
            c->log, err, "stage %d = %s steps=%ld time_ps=%g T_start_K=%g T_end_K=%g%s\n", s + 1,
            gmd_stage_kind_name(g->kind), g->nsteps, g->time_ps, g->t_start_K, g->t_end_K, extra);
    }
    return st;
}

static gmd_status write_thermo(run_ctx *c, const char *stage, gmd_error *err)
{
    gmd_timer *thermo_time = &c->sim.timers.phase[GMD_TIMER_THERMO_IO];
    gmd_timer_start(thermo_time);
    gmd_thermo t;
    gmd_md_thermo(&c->sim, &t);
    gmd_status st = gmd_text_printf(
        c->thermo, err, "%ld,%.6f,%.6f,%.10g,%.10g,%.10g,%.10g,%.6f,%.10g,%.10g,%s\n",
        c->sim.md.step, c->sim.md.time_ps, t.temperature_K, t.pe_eV, t.ke_eV, t.etot_eV,
        t.conserved_eV, t.pressure_bar, t.volume_A3, t.density_1_A3, stage);
    /* row by row to the kernel, so that `tail -f thermo.csv` follows a batch job */
    if (st == GMD_OK) st = gmd_text_push(c->thermo, err);
    gmd_timer_stop(thermo_time);
    return st;
}

static gmd_status write_frame(run_ctx *c, gmd_error *err)
{
    const gmd_sim *sim = &c->sim;
    gmd_timer *traj_time = &c->sim.timers.phase[GMD_TIMER_TRAJ_IO];
    gmd_timer_start(traj_time);
    gmd_status st = GMD_OK;
    if (c->dump)
        st = gmd_traj_write(c->dump, sim->md.step, sim->md.time_ps, &sim->box, &sim->atoms, err);
    if (st == GMD_OK && c->netcdf)
        st = gmd_traj_write(c->netcdf, sim->md.step, sim->md.time_ps, &sim->box, &sim->atoms, err);
    gmd_timer_stop(traj_time);
    return st;
}

static gmd_status flush_outputs(run_ctx *c, gmd_error *err)
{
    gmd_status st = gmd_text_flush(c->thermo, err);
    if (st == GMD_OK) st = gmd_text_flush(c->log, err);
    if (st == GMD_OK && c->dump) st = gmd_traj_flush(c->dump, err);
    if (st == GMD_OK && c->netcdf) st = gmd_traj_flush(c->netcdf, err);
    long *pos = c->meta.output_position;
    c->meta.noutputs = OUT_COUNT;
    pos[OUT_THERMO] = gmd_text_position(c->thermo);
    pos[OUT_LOG] = gmd_text_position(c->log);
    pos[OUT_DUMP] = c->dump ? gmd_traj_position(c->dump) : 0;
    pos[OUT_NETCDF] = c->netcdf ? gmd_traj_position(c->netcdf) : 0;
    return st;
}

static gmd_status checkpoint(run_ctx *c, gmd_error *err)
{
    gmd_timer *checkpoint_time = &c->sim.timers.phase[GMD_TIMER_CHECKPOINT];
    gmd_timer_start(checkpoint_time);
    gmd_status st = flush_outputs(c, err);
    gmd_checkpoint_state cs = {&c->sim.md, &c->sim.box, &c->sim.atoms, &c->sim.tally};
    if (st == GMD_OK)
        st = gmd_checkpoint_write(out_path(c, "checkpoint.bin"), &cs, &c->meta, NULL, 0, err);
    gmd_timer_stop(checkpoint_time);
    /* the rule that makes resume exact: the list built at the checkpoint's positions */
    if (st == GMD_OK)
        st = gmd_model_rebuild_neighbors(c->sim.model, &c->sim.box, &c->sim.atoms, err);
    return st;
}

/* Unwrapped positions before a step, so that the guard sees how far each atom went. */
static void remember_positions(run_ctx *c)
{
    gmd_timer *guard_time = &c->sim.timers.phase[GMD_TIMER_GUARD];
    gmd_timer_start(guard_time);
    const gmd_atoms *atoms = &c->sim.atoms;
    size_t n = atoms->n;
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < n; i++)
            c->r_before[k * n + i] =
                atoms->r[k][i] + (double)atoms->image[k][i] * c->sim.box.len[k];
    c->box_before = c->sim.box;
    gmd_timer_stop(guard_time);
}

/* Where the barostat's scaling alone would have taken the unwrapped coordinate u (axis k)
 * of the box before the step: the same fraction of the current box (barostat.c). */
static double scaled_before(const run_ctx *c, int k, double u)
{
    const gmd_box *a = &c->box_before, *b = &c->sim.box;
    if (a->len[k] == b->len[k] && a->lo[k] == b->lo[k]) return u;
    return b->lo[k] + (u - a->lo[k]) / a->len[k] * b->len[k];
}

/* The largest of an atom's displacement in the last step and its speed times dt (where
 * the next step would take it), squared; both, since a thermostat can stop atoms dead
 * after a blow-up (velocities scaled to zero) while the positions have already jumped. */
static double move2_of_atom(const run_ctx *c, size_t i)
{
    const gmd_atoms *atoms = &c->sim.atoms;
    size_t n = atoms->n;
    double d2 = 0.0, v2 = 0.0;
    for (int k = 0; k < 3; k++) {
        double d = atoms->r[k][i] + (double)atoms->image[k][i] * c->sim.box.len[k] -
                   scaled_before(c, k, c->r_before[k * n + i]);
        double v = atoms->v[k][i] * c->sim.md.dt_ps;
        d2 += d * d;
        v2 += v * v;
    }
    return !(d2 <= v2) ? d2 : v2; /* NaN propagates */
}

/* The atom that moved farthest in the last step (*worst) and its move squared. */
static double largest_move2(const run_ctx *c, size_t *worst)
{
    double max2 = 0.0;
    *worst = 0;
    for (size_t i = 0; i < c->sim.atoms.n; i++) {
        double m2 = move2_of_atom(c, i);
        if (!(m2 <= max2)) { /* catches NaN too */
            max2 = m2;
            *worst = i;
        }
    }
    return max2;
}

/* NPT: the volume may change by at most GUARD_MAX_DLNV in one step (a barostat running
 * away: far from equilibrium with too light a barostat). */
static gmd_status guard_box(run_ctx *c, const char *stage, gmd_error *err)
{
    double v0 = gmd_box_volume(&c->box_before), v1 = gmd_box_volume(&c->sim.box);
    double change = fabs(log(v1 / v0));
    if (change <= GUARD_MAX_DLNV) return GMD_OK; /* NaN fails too */
    return gmd_fail(err, GMD_ERR_PHYSICS,
                    "step %ld (stage %s): the box volume went from %.6g to %.6g A^3 in one "
                    "step (the barostat runs away). Cure: a larger pdamp_ps, an nvt stage "
                    "before the npt one, or a target pressure nearer the state's (thermo.csv: "
                    "pressure_bar). The last good checkpoint is kept in %s",
                    c->sim.md.step, stage, v0, v1, c->in->output_dir);
}

static gmd_status guard(run_ctx *c, const char *stage, gmd_error *err)
{
    gmd_timer *guard_time = &c->sim.timers.phase[GMD_TIMER_GUARD];
    gmd_timer_start(guard_time);
    double pe = gmd_tally_total(&c->sim.tally);
    size_t worst;
    double move = sqrt(largest_move2(c, &worst));
    gmd_status box_st = guard_box(c, stage, err);
    gmd_timer_stop(guard_time);
    if (box_st != GMD_OK) return box_st;
    if (isfinite(pe) && move <= GUARD_MAX_MOVE_A) return GMD_OK;
    return gmd_fail(err, GMD_ERR_PHYSICS,
                    "step %ld (stage %s): %s; atom id %ld (%s) moved %.3g A in one step. "
                    "Cure: add a repulsive wall (wall D n) to the pair in the force field, "
                    "use a smaller dt_fs, or start with a minimize stage. The last good "
                    "checkpoint is kept in %s",
                    c->sim.md.step, stage,
                    isfinite(pe) ? "an atom moves too fast" : "the energy is not finite",
                    c->sim.atoms.id[worst], c->sim.ff->species[c->sim.atoms.type[worst]].name, move,
                    c->in->output_dir);
}

/* Prefixes a physics error from the force terms with where it happened in the run. */
static gmd_status locate_failure(run_ctx *c, const char *stage, gmd_status st, gmd_error *err)
{
    if (!err) return st;
    char msg[GMD_ERROR_MSG_LEN];
    snprintf(msg, sizeof msg, "%s", err->message);
    return gmd_fail(err, st, "step %ld (stage %s): %s. The last good checkpoint is kept in %s",
                    c->sim.md.step + 1, stage, msg, c->in->output_dir);
}

static int velocities_zero(const gmd_atoms *atoms)
{
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < atoms->n; i++)
            if (atoms->v[k][i] != 0.0) return 0;
    return 1;
}

static void report(run_ctx *c, int s, long stage_step, double t0, long step0)
{
    const gmd_run_options *o = c->opt;
    if (!o->progress) return;
    gmd_thermo t;
    gmd_md_thermo(&c->sim, &t);
    double elapsed = omp_get_wtime() - t0;
    long done = c->sim.md.step - step0;
    double per_step = done > 0 ? elapsed / (double)done : 0.0;
    gmd_run_progress p = {.stage_index = s,
                          .nstages = c->in->nstages,
                          .stage_kind = gmd_stage_kind_name(c->in->stages[s].kind),
                          .stage_step = stage_step,
                          .stage_steps = c->in->stages[s].nsteps,
                          .step = c->sim.md.step,
                          .total_steps = c->total_steps,
                          .time_ps = c->sim.md.time_ps,
                          .temperature_K = t.temperature_K,
                          .pe_eV = t.pe_eV,
                          .conserved_eV = t.conserved_eV,
                          .ns_per_day =
                              per_step > 0 ? c->sim.md.dt_ps * 1e-3 * 86400.0 / per_step : 0.0,
                          .eta_s = per_step * (double)(c->total_steps - c->sim.md.step)};
    o->progress(&p, o->progress_user);
}

static gmd_status run_minimize(run_ctx *c, const gmd_stage *g, gmd_error *err)
{
    gmd_fire_options fo = gmd_fire_default_options();
    fo.ftol_eV_A = g->ftol_eV_A;
    fo.max_step_A = g->max_step_A;
    fo.max_steps = g->nsteps;
    fo.stop = c->opt->stop;
    gmd_fire_result r;
    gmd_status st = gmd_fire_minimize(&c->sim, &fo, &r, err);
    if (st == GMD_ERR_INTERRUPTED)
        return gmd_fail(err, st,
                        "stopped on request during the minimisation (step %ld of it); "
                        "--resume in %s redoes it from the last checkpoint (or the start)",
                        r.steps, c->in->output_dir);
    if (st == GMD_OK)
        st = gmd_text_printf(c->log, err,
                             "minimize: %ld steps, %s, pe %.10g -> %.10g eV, max force %.4g eV/A\n",
                             r.steps, r.converged ? "converged" : "NOT converged (max_steps)",
                             r.pe_start_eV, r.pe_end_eV, r.fmax_eV_A);
    if (st == GMD_OK) st = gmd_sim_compute(&c->sim, err);
    return st;
}

static double stage_target(const gmd_stage *g, long stage_step)
{
    if (g->kind != GMD_STAGE_RAMP || g->nsteps == 0) return g->t_start_K;
    double frac = (double)stage_step / (double)g->nsteps;
    return g->t_start_K + frac * (g->t_end_K - g->t_start_K);
}

/* velocity_K, else the first thermostatted stage's starting temperature */
static double initial_temperature(const gmd_run_input *in)
{
    if (in->velocity_K > 0) return in->velocity_K;
    for (int s = 0; s < in->nstages; s++)
        if (in->stages[s].kind == GMD_STAGE_NVT || in->stages[s].kind == GMD_STAGE_RAMP ||
            in->stages[s].kind == GMD_STAGE_NPT)
            return in->stages[s].t_start_K;
    return 0.0;
}

/* Whether the step that ends at `step` (the k-th of a stage of nsteps) needs energies
 * and virial: a thermo line, a checkpoint (the guard checks the energy before one is
 * written), a trajectory frame or the end of a stage reads them; other steps need only
 * forces, which the pair term computes a quarter faster. */
static int step_needs_tally(const gmd_run_input *in, long step, long k, long nsteps)
{
    return k == nsteps || (in->thermo_every > 0 && step % in->thermo_every == 0) ||
           (in->traj_every > 0 && step % in->traj_every == 0) ||
           (in->checkpoint_every > 0 && step % in->checkpoint_every == 0);
}

/* A stop was asked (gmd_run_options.stop). */
static int stop_asked(const run_ctx *c)
{
    return c->opt->stop && *c->opt->stop;
}

/* After a step, with a stop asked: 1 when the run should stop here (see the header). */
static int stop_here(run_ctx *c)
{
    if (c->stop_asked_step < 0) {
        c->stop_asked_step = c->sim.md.step;
        c->stop_asked_s = omp_get_wtime();
    }
    return gmd_model_neighbors_built_at(c->sim.model, &c->sim.atoms) ||
           omp_get_wtime() - c->stop_asked_s > STOP_WAIT_S;
}

/* Stops the run at this step: a checkpoint (unless the step just wrote one), a line in
 * run.log, GMD_ERR_INTERRUPTED. */
static gmd_status stop_run(run_ctx *c, const char *stage, int checkpoint_written, gmd_error *err)
{
    int exact = gmd_model_neighbors_built_at(c->sim.model, &c->sim.atoms);
    gmd_status st = checkpoint_written ? GMD_OK : checkpoint(c, err);
    if (st != GMD_OK) return st;
    return gmd_fail(err, GMD_ERR_INTERRUPTED,
                    "stopped on request at step %ld (stage %s; asked at step %ld), with a "
                    "checkpoint in %s; continue with --resume%s",
                    c->sim.md.step, stage, c->stop_asked_step, c->in->output_dir,
                    exact ? " (bit for bit as if never stopped)"
                          : " (exact physics; no neighbour-list rebuild came within "
                            "the wait, so it matches an uninterrupted run to round-off only)");
}

/* The ensemble of stage g. An npt stage (or ramp with P) that follows a stage at
 * constant volume starts its barostat at rest, with the stage's pressure and pdamp; one
 * that follows another at constant pressure continues its barostat with the new target.
 * first_step > 0 (a resume within the stage): the checkpoint's state as it is. */
static void start_ensemble(gmd_md_state *md, const gmd_stage *g, double pdamp_ps, long first_step)
{
    gmd_ensemble next = g->kind == GMD_STAGE_NVE ? GMD_ENSEMBLE_NVE
                        : g->npt                 ? GMD_ENSEMBLE_NPT
                                                 : GMD_ENSEMBLE_NVT;
    if (next == GMD_ENSEMBLE_NPT && first_step == 0) {
        if (md->ensemble != GMD_ENSEMBLE_NPT) gmd_baro_init(&md->baro, g->p_bar, pdamp_ps);
        md->baro.p_target_bar = g->p_bar;
    }
    md->ensemble = next;
}

static gmd_status run_md_stage(run_ctx *c, int s, long first_step, gmd_error *err)
{
    const gmd_run_input *in = c->in;
    const gmd_stage *g = &in->stages[s];
    const char *name = gmd_stage_kind_name(g->kind);
    start_ensemble(&c->sim.md, g, in->pdamp_ps, first_step);
    if (first_step == 0 && velocities_zero(&c->sim.atoms))
        gmd_md_velocities(&c->sim, initial_temperature(in));
    double t0 = omp_get_wtime();
    long step0 = c->sim.md.step;
    for (long k = first_step; k < g->nsteps; k++) {
        if (c->opt->stop_after_steps > 0 && c->steps_this_session >= c->opt->stop_after_steps)
            return gmd_fail(err, GMD_ERR_INTERNAL, "stopped after %ld steps as asked (test)",
                            c->steps_this_session);
        c->sim.md.t_target_K = stage_target(g, k + 1);
        remember_positions(c);
        /* the barostat reads the virial of every step's forces */
        gmd_model_set_forces_only(
            c->sim.model, !g->npt && !step_needs_tally(in, c->sim.md.step + 1, k + 1, g->nsteps));
        gmd_status st = gmd_md_step_mts(&c->sim, err);
        gmd_model_set_forces_only(c->sim.model, 0);
        if (st == GMD_ERR_PHYSICS) st = locate_failure(c, name, st, err);
        if (st == GMD_OK) st = guard(c, name, err);
        c->steps_this_session++;
        c->meta.stage_index = s;
        c->meta.stage_step = k + 1;
        if (st == GMD_OK && in->thermo_every > 0 && c->sim.md.step % in->thermo_every == 0)
            st = write_thermo(c, name, err);
        if (st == GMD_OK && in->traj_every > 0 && c->sim.md.step % in->traj_every == 0)
            st = write_frame(c, err);
        int wrote = in->checkpoint_every > 0 && c->sim.md.step % in->checkpoint_every == 0;
        if (st == GMD_OK && wrote) st = checkpoint(c, err);
        if (st != GMD_OK) return st;
        if (stop_asked(c) && stop_here(c)) return stop_run(c, name, wrote, err);
        if (c->opt->progress_every > 0 && (k + 1) % c->opt->progress_every == 0)
            report(c, s, k + 1, t0, step0);
    }
    return GMD_OK;
}

static gmd_status run_stages(run_ctx *c, gmd_error *err)
{
    long first_step = c->meta.stage_step;
    for (int s = c->meta.stage_index; s < c->in->nstages; s++, first_step = 0) {
        const gmd_stage *g = &c->in->stages[s];
        gmd_status st;
        if (g->kind == GMD_STAGE_WRITE) {
            /* no checkpoint: a resume from the previous one writes the same file again */
            gmd_timer_start(&c->sim.timers.phase[GMD_TIMER_CONFIG_IO]);
            st = gmd_config_write(out_path(c, g->file), GMD_CONFIG_LAMMPS_DATA, c->sim.ff,
                                  &c->sim.box, &c->sim.atoms,
                                  "configuration written by a glassmd run stage", err);
            gmd_timer_stop(&c->sim.timers.phase[GMD_TIMER_CONFIG_IO]);
            c->meta.stage_index = s + 1;
            c->meta.stage_step = 0;
        } else if (g->kind == GMD_STAGE_MINIMIZE) {
            st = run_minimize(c, g, err);
            c->meta.stage_index = s + 1;
            c->meta.stage_step = 0;
            if (st == GMD_OK) st = checkpoint(c, err);
        } else {
            st = run_md_stage(c, s, first_step, err);
        }
        if (st != GMD_OK) return st;
    }
    return GMD_OK;
}

static gmd_status start_fresh(run_ctx *c, const gmd_forcefield *ff, gmd_error *err)
{
    const gmd_run_input *in = c->in;
    gmd_sim *sim = &c->sim;
    gmd_status st = gmd_config_read(in->config, GMD_CONFIG_AUTO, ff,
                                    in->types[0] ? in->types : NULL, &sim->box, &sim->atoms, err);
    if (st != GMD_OK) return st;
    gmd_md_init(&sim->md, sim->atoms.n, in->dt_fs * 1e-3, in->seed);
    sim->md.box_ref = sim->box;
    sim->md.nhc.tdamp_ps = in->tdamp_ps;
    sim->md.nhc.length = gmd_run_chain_length(in, ff);
    memset(&c->meta, 0, sizeof c->meta);
    return gmd_run_checkpoint_hash(in, ff, &c->meta.input_hash, err);
}

/* What makes a checkpoint with a sound checksum unusable for this run (written by another
 * program, or damaged and summed again): NULL when the values the run indexes or divides
 * by are possible. The checkpoint format itself stores any bit pattern. */
static const char *implausible_checkpoint(const gmd_sim *sim, const gmd_checkpoint_meta *meta,
                                          const gmd_forcefield *ff)
{
    const gmd_md_state *md = &sim->md;
    const gmd_atoms *a = &sim->atoms;
    if (a->n < 1) return "no atoms";
    if (md->nhc.length < 0 || md->nhc.length > GMD_NHC_MAX) return "a thermostat chain length";
    if (md->ensemble != GMD_ENSEMBLE_NVE && md->ensemble != GMD_ENSEMBLE_NVT &&
        md->ensemble != GMD_ENSEMBLE_NPT)
        return "an ensemble";
    if (md->baro.chain.length < 0 || md->baro.chain.length > GMD_NHC_MAX ||
        !(md->baro.pdamp_ps > 0) || !isfinite(md->baro.pdamp_ps) || !isfinite(md->baro.omega_dot) ||
        !isfinite(md->baro.p_target_bar))
        return "a barostat";
    for (int k = 0; k < 3; k++)
        if (!isfinite(md->box_ref.lo[k]) || !(md->box_ref.len[k] > 0) ||
            !isfinite(md->box_ref.len[k]))
            return "a reference box";
    if (!(md->dt_ps > 0) || !isfinite(md->dt_ps) || !isfinite(md->time_ps) || md->step < 0)
        return "a step, time or time step";
    for (int k = 0; k < 3; k++)
        if (!isfinite(sim->box.lo[k]) || !(sim->box.len[k] > 0) || !isfinite(sim->box.len[k]))
            return "a box";
    if (meta->noutputs < 0 || meta->noutputs > GMD_CHECKPOINT_MAX_OUTPUTS ||
        meta->stage_index < 0 || meta->stage_step < 0)
        return "a stage or output position";
    for (size_t i = 0; i < a->n; i++) {
        if (a->type[i] < 0 || a->type[i] >= ff->nspecies) return "an atom type";
        for (int k = 0; k < 3; k++)
            if (!isfinite(a->r[k][i]) || !isfinite(a->v[k][i])) return "a position or velocity";
    }
    return NULL;
}

static gmd_status start_resumed(run_ctx *c, const gmd_forcefield *ff, gmd_error *err)
{
    const char *path = out_path(c, "checkpoint.bin");
    void *blob = NULL; /* no accumulators yet: the run keeps no blob */
    size_t blob_len = 0;
    gmd_checkpoint_state cs = {&c->sim.md, &c->sim.box, &c->sim.atoms, &c->sim.tally};
    gmd_status st = gmd_checkpoint_read(path, &cs, &c->meta, &blob, &blob_len, err);
    free(blob);
    if (st != GMD_OK) return st;
    const char *bad = implausible_checkpoint(&c->sim, &c->meta, ff);
    if (bad)
        return gmd_fail(err, GMD_ERR_PARSE,
                        "checkpoint %s holds an impossible value (%s): it was not written by "
                        "this run or is damaged; delete it to start over or restore a backup",
                        path, bad);
    unsigned long long hash;
    if ((st = gmd_run_checkpoint_hash(c->in, ff, &hash, err)) != GMD_OK) return st;
    if (c->meta.input_hash != hash)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "%s: the input %s (a setting, a stage, the force field or the starting "
                        "configuration) changed since this checkpoint was written (or the "
                        "checkpoint comes from a glassmd before the run-settings key table, "
                        "which hashed the run another way); resume needs the same run (or run "
                        "without --resume to start over)",
                        path, c->in->path);
    return GMD_OK;
}

/* Reads the force field and the starting state (the configuration, or the checkpoint to
 * resume) and builds the model. The force field as read lives only here: the model keeps
 * the one copy the run uses from then on (sim.ff, with the cut-off actually used). */
static gmd_status load_sim(run_ctx *c, int resume, gmd_error *err)
{
    const gmd_run_input *in = c->in;
    gmd_forcefield ff;
    gmd_status st = gmd_forcefield_read(&ff, in->forcefield, err);
    if (st == GMD_OK) st = gmd_make_dirs(in->output_dir, "output folder", err);
    if (st == GMD_OK) st = resume ? start_resumed(c, &ff, err) : start_fresh(c, &ff, err);
    if (st != GMD_OK) return st;
    gmd_model_options mo = model_options(in, &ff);
    /* set up at the run's starting box (md.h: box_ref), then used at the current one */
    gmd_box current = c->sim.box;
    c->sim.box = c->sim.md.box_ref;
    st = gmd_sim_create_model(&c->sim, &ff, &mo, err);
    c->sim.box = current;
    if (st != GMD_OK) return st;
    /* the rule of exact resume: the list built at the checkpoint's positions */
    if (resume &&
        (st = gmd_model_rebuild_neighbors(c->sim.model, &c->sim.box, &c->sim.atoms, err)) != GMD_OK)
        return st;
    return gmd_mts_init(&c->sim.mts, threebody_substeps(in, c->sim.ff), c->sim.atoms.n, err);
}

/* Everything before the first step: the simulation state, the guard's buffer, the outputs
 * and, for a fresh start, the headers of run.log and thermo.csv. */
static gmd_status set_up(run_ctx *c, int resume, int no_checkpoint, gmd_error *err)
{
    const gmd_run_input *in = c->in;
    gmd_status st = load_sim(c, resume, err);
    if (st != GMD_OK) return st;
    c->r_before = gmd_calloc(3 * (c->sim.atoms.n ? c->sim.atoms.n : 1), sizeof *c->r_before,
                             "positions before a step", err);
    if (!c->r_before) return GMD_ERR_NOMEM;
    c->total_steps = count_md_steps(in);
    if ((st = open_outputs(c, resume, err)) != GMD_OK || resume) return st;
    st = write_log_header(c, err);
    if (st == GMD_OK && no_checkpoint)
        st = gmd_text_printf(c->log, err,
                             "resume asked, but %s holds no checkpoint yet: started from "
                             "the beginning\n",
                             in->output_dir);
    if (st == GMD_OK)
        st = gmd_text_printf(c->thermo, err,
                             "step,time_ps,T_K,pe_eV,ke_eV,etot_eV,conserved_eV,"
                             "pressure_bar,volume_A3,density_1_A3,stage\n");
    return st;
}

/* A fresh start: the forces of the starting configuration and the first thermo line. */
static gmd_status first_forces(run_ctx *c, gmd_error *err)
{
    const char *config = c->in->config;
    gmd_status st = gmd_sim_compute(&c->sim, err);
    if (st == GMD_ERR_PHYSICS && err) { /* e.g. overlapping atoms: say where they are */
        char msg[GMD_ERROR_MSG_LEN];
        snprintf(msg, sizeof msg, "%s", err->message);
        st = gmd_fail(err, st, "%s: in the starting configuration: %s", config, msg);
    }
    if (st == GMD_OK && !isfinite(gmd_tally_total(&c->sim.tally)))
        st = gmd_fail(err, GMD_ERR_PHYSICS,
                      "%s: the starting energy is not finite: atoms overlap; start with a "
                      "minimize stage or rebuild the configuration",
                      config);
    if (st == GMD_OK) st = write_thermo(c, "start", err);
    return st;
}

/* The timing table at the end of run.log: each part of this session (they do not overlap,
 * timer.h) with its seconds and share of the total, and the speed of the MD steps. */
static gmd_status write_timing(run_ctx *c, gmd_error *err)
{
    gmd_timing_table table;
    gmd_sim_timing(&c->sim, &table);
    gmd_status st =
        gmd_text_printf(c->log, err,
                        "timing of this session (wall clock; the parts do not overlap):\n"
                        "  %-20s %12s %10s %10s\n",
                        "part", "seconds", "% total", "calls");
    for (int i = 0; st == GMD_OK && i < table.nrows; i++) {
        const gmd_timing_row *r = &table.row[i];
        st = gmd_text_printf(c->log, err, "  %-20s %12.6f %10.2f %10ld\n", r->name, r->seconds,
                             r->percent, r->calls);
    }
    double steps_per_s = table.total_s > 0.0 ? (double)c->steps_this_session / table.total_s : 0.0;
    double ns_per_day = steps_per_s * c->sim.md.dt_ps * 1e-3 * 86400.0;
    if (st == GMD_OK)
        st = gmd_text_printf(c->log, err,
                             "  %-20s %12.6f %10.2f\n"
                             "  md_steps = %ld, steps_per_s = %.6g, ns_per_day = %.6g\n",
                             "total", table.total_s, 100.0, c->steps_this_session, steps_per_s,
                             ns_per_day);
    return st;
}

/* When the box moved (NPT): the k-space solver as it ends, at the final box (its mesh or
 * k-vector limits grown to keep the accuracy, and the error estimates there), after the
 * final checkpoint like the "finished" line, so that a resume after the end writes it
 * once. The forces are computed once more first, so that the solver has seen the final
 * box in every run that gets here, resumed at the end or not. */
static gmd_status log_final_kspace(run_ctx *c, gmd_error *err)
{
    const gmd_box *a = &c->sim.box, *b = &c->sim.md.box_ref;
    if (memcmp(a->len, b->len, sizeof a->len) == 0) return GMD_OK;
    gmd_status st = gmd_sim_compute(&c->sim, err);
    if (st != GMD_OK) return st;
    for (int t = 0; t < gmd_model_nterms(c->sim.model); t++) {
        const gmd_term *term = gmd_model_term(c->sim.model, t);
        if (strcmp(term->name, "pppm") != 0 && strcmp(term->name, "ewald") != 0) continue;
        char text[1024];
        term->describe(term, text, sizeof text);
        return gmd_text_printf(c->log, err, "kspace_final_box = %s\n", text);
    }
    return GMD_OK;
}

/* After the last stage: final.data, the final checkpoint and the "finished" line. */
static gmd_status finish(run_ctx *c, gmd_error *err)
{
    gmd_timer *config_time = &c->sim.timers.phase[GMD_TIMER_CONFIG_IO];
    /* wrapped as after a checkpoint, so that a run resumed after its end (which wraps when
     * it reads the final checkpoint) writes the same final.data */
    gmd_status st = gmd_model_rebuild_neighbors(c->sim.model, &c->sim.box, &c->sim.atoms, err);
    if (st != GMD_OK) return st;
    gmd_timer_start(config_time);
    st = gmd_config_write(out_path(c, "final.data"), GMD_CONFIG_LAMMPS_DATA, c->sim.ff, &c->sim.box,
                          &c->sim.atoms, "final configuration of glassmd run", err);
    gmd_timer_stop(config_time);
    /* the final checkpoint records the log before the "finished" line, so that resuming a
     * run killed after it (or one that had ended) writes that line (and the timing table)
     * exactly once */
    if (st == GMD_OK) st = checkpoint(c, err);
    if (st == GMD_OK) st = log_final_kspace(c, err);
    if (st == GMD_OK)
        st = gmd_text_printf(c->log, err, "finished at step %ld, time %.6f ps\n", c->sim.md.step,
                             c->sim.md.time_ps);
    return st;
}

static gmd_status run_body(run_ctx *c, gmd_error *err)
{
    gmd_timers *timers = &c->sim.timers;
    int resume = c->opt->resume;
    struct stat sb;
    /* killed before the first checkpoint (e.g. during a minimize): nothing to continue */
    int no_checkpoint = resume && stat(out_path(c, "checkpoint.bin"), &sb) != 0 && errno == ENOENT;
    if (no_checkpoint) resume = 0;
    gmd_timer_start(&timers->phase[GMD_TIMER_TOTAL]);
    gmd_timer_start(&timers->phase[GMD_TIMER_SETUP]);
    gmd_status st = set_up(c, resume, no_checkpoint, err);
    gmd_timer_stop(&timers->phase[GMD_TIMER_SETUP]);
    if (st != GMD_OK) return st;
    if (!resume) {
        st = first_forces(c, err);
    } else {
        /* the tally of the stored forces came with the checkpoint */
        st = gmd_text_printf(c->log, err, "resumed at step %ld (stage %d, step %ld in it)\n",
                             c->sim.md.step, c->meta.stage_index + 1, c->meta.stage_step);
    }
    if (st == GMD_OK) st = run_stages(c, err);
    if (st == GMD_OK) st = finish(c, err);
    gmd_timer_stop(&timers->phase[GMD_TIMER_TOTAL]);
    if (st == GMD_OK) st = write_timing(c, err);
    return st;
}

gmd_status gmd_run_execute(const gmd_run_input *in, const gmd_run_options *opt, gmd_error *err)
{
    run_ctx *c = gmd_calloc(1, sizeof *c, "run state", err);
    if (!c) return GMD_ERR_NOMEM;
    c->in = in;
    c->opt = opt;
    c->stop_asked_step = -1;
    gmd_status st = run_body(c, err);
    if (st != GMD_OK && c->log) {
        gmd_error ignored;
        gmd_text_printf(c->log, &ignored, "%s: %s\n",
                        st == GMD_ERR_INTERRUPTED ? "stopped" : "error", err ? err->message : "");
    }
    gmd_error close_err;
    gmd_status cst = close_outputs(c, &close_err);
    if (st == GMD_OK && cst != GMD_OK) {
        st = cst;
        if (err) *err = close_err;
    }
    gmd_sim_free(&c->sim);
    free(c->r_before);
    free(c);
    return st;
}
