/* mts.c - multiple time stepping of the fast (three-body) terms: reversible RESPA.
 *
 * The algorithm and why it is here are in md.h (gmd_mts). Order of operations, for the
 * exact-resume rule of run.c (the first force computation after a checkpoint rebuilds the
 * neighbour list): the first computation of a step is the fast one at the step's starting
 * positions, in an uninterrupted run and in a resumed one alike. Between steps only
 * atoms->f (the total force) carries over, so F_slow = F - F_fast is formed from the same
 * numbers in both runs.
 *
 * Data: f_fast is three arrays of n doubles (structure of arrays, like gmd_atoms), reused
 * every step. */
#include <stdlib.h>
#include <string.h>

#include "glassmd/md.h"
#include "md_internal.h"

gmd_status gmd_mts_init(gmd_mts *mts, int substeps, size_t natoms, gmd_error *err)
{
    memset(mts, 0, sizeof *mts);
    if (substeps < 1 || substeps > GMD_MTS_MAX_SUBSTEPS)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "multiple time stepping: %d substeps; use 1 (plain velocity Verlet) to "
                        "%d",
                        substeps, GMD_MTS_MAX_SUBSTEPS);
    mts->substeps = substeps;
    mts->n = natoms;
    for (int k = 0; k < 3; k++) {
        mts->f_fast[k] = gmd_calloc(natoms ? natoms : 1, sizeof(double), "fast forces", err);
        if (!mts->f_fast[k]) {
            gmd_mts_free(mts);
            return GMD_ERR_NOMEM;
        }
    }
    return GMD_OK;
}

void gmd_mts_free(gmd_mts *mts)
{
    for (int k = 0; k < 3; k++)
        free(mts->f_fast[k]);
    memset(mts, 0, sizeof *mts);
}

static void add_forces(gmd_atoms *atoms, double *const f_fast[3], int threads)
{
    for (int k = 0; k < 3; k++) {
        double *f = atoms->f[k];
        const double *add = f_fast[k];
#pragma omp parallel for num_threads(threads) schedule(static) if (atoms->n >= GMD_MD_OMP_MIN_ATOMS)
        for (size_t i = 0; i < atoms->n; i++)
            f[i] += add[i];
    }
}

/* The inner loop: substeps steps of h with the fast forces only; on return f_fast and
 * fast hold the fast forces and energies at the new positions. */
static gmd_status fast_steps(gmd_sim *sim, double h, gmd_tally *fast, gmd_error *err)
{
    const gmd_forcefield *ff = sim->ff;
    gmd_atoms *atoms = &sim->atoms;
    gmd_mts *mts = &sim->mts;
    gmd_timer *integrate_time = &sim->timers.phase[GMD_TIMER_INTEGRATE];
    const int threads = gmd_model_settings(sim->model)->threads;
    for (int s = 0; s < mts->substeps; s++) {
        gmd_timer_start(integrate_time);
        gmd_md_kick(ff, atoms, mts->f_fast, NULL, 0.5 * h, threads);
        gmd_md_drift(atoms, h, threads);
        gmd_timer_stop(integrate_time);
        gmd_status st = gmd_model_compute_group(sim->model, GMD_GROUP_FAST, &sim->box, atoms,
                                                mts->f_fast, fast, err);
        if (st != GMD_OK) return st;
        gmd_timer_start(integrate_time);
        gmd_md_kick(ff, atoms, mts->f_fast, NULL, 0.5 * h, threads);
        gmd_timer_stop(integrate_time);
    }
    return GMD_OK;
}

/* The outer step around fast_steps; as in gmd_md_step, the integrator's own work is timed
 * apart from the force calls. */
gmd_status gmd_md_step_mts(gmd_sim *sim, gmd_error *err)
{
    gmd_mts *mts = &sim->mts;
    if (mts->substeps <= 1 || !gmd_model_has_group(sim->model, GMD_GROUP_FAST))
        return gmd_md_step(sim, err);
    gmd_atoms *atoms = &sim->atoms;
    if (mts->n != atoms->n)
        return gmd_fail(err, GMD_ERR_INTERNAL,
                        "multiple time stepping: workspace for %zu atoms, system of %zu", mts->n,
                        atoms->n);
    gmd_md_state *md = &sim->md;
    const gmd_forcefield *ff = sim->ff;
    gmd_model *model = sim->model;
    gmd_timer *integrate_time = &sim->timers.phase[GMD_TIMER_INTEGRATE];
    const int threads = gmd_model_settings(model)->threads;
    const double dt = md->dt_ps;
    gmd_tally fast, slow;
    gmd_timer_start(integrate_time);
    gmd_md_thermostat_half(md, ff, atoms, threads);
    gmd_timer_stop(integrate_time);
    gmd_status st =
        gmd_model_compute_group(model, GMD_GROUP_FAST, &sim->box, atoms, mts->f_fast, &fast, err);
    if (st != GMD_OK) return st;
    gmd_timer_start(integrate_time);
    gmd_md_kick(ff, atoms, atoms->f, mts->f_fast, 0.5 * dt, threads); /* F_slow */
    gmd_timer_stop(integrate_time);
    st = fast_steps(sim, dt / mts->substeps, &fast, err);
    if (st == GMD_OK)
        st = gmd_model_compute_group(model, GMD_GROUP_SLOW, &sim->box, atoms, atoms->f, &slow, err);
    if (st != GMD_OK) return st;
    gmd_timer_start(integrate_time);
    gmd_md_kick(ff, atoms, atoms->f, NULL, 0.5 * dt, threads);
    add_forces(atoms, mts->f_fast, threads);
    sim->tally = slow;
    gmd_tally_add(&sim->tally, &fast);
    gmd_md_thermostat_half(md, ff, atoms, threads);
    md->step++;
    md->time_ps += dt;
    gmd_timer_stop(integrate_time);
    return GMD_OK;
}
