/* sim.c - the simulation state the step functions act on (gmd_sim, md.h): setting it up
 * around one force field, and the timing table of its timers. */
#include <string.h>

#include "glassmd/md.h"

/* every term of a model needs its own timer */
_Static_assert(GMD_MODEL_MAX_TERMS <= GMD_TIMERS_MAX_TERMS,
               "gmd_timers must hold a timer for each term of a model");

gmd_status gmd_sim_create_model(gmd_sim *sim, const gmd_forcefield *ff,
                                const gmd_model_options *options, gmd_error *err)
{
    gmd_status st = gmd_model_create(&sim->model, ff, options, &sim->box, &sim->atoms, err);
    if (st != GMD_OK) return st;
    sim->ff = gmd_model_forcefield(sim->model);
    gmd_model_set_timers(sim->model, &sim->timers);
    return GMD_OK;
}

gmd_status gmd_sim_compute(gmd_sim *sim, gmd_error *err)
{
    return gmd_model_compute(sim->model, &sim->box, &sim->atoms, &sim->tally, err);
}

/* The phases in enum order, the terms (the force computation) right after the neighbour
 * list. */
void gmd_sim_timing(const gmd_sim *sim, gmd_timing_table *table)
{
    const gmd_timers *tm = &sim->timers;
    gmd_timing_begin(table, tm->phase[GMD_TIMER_TOTAL].seconds);
    for (int id = 0; id < GMD_TIMER_COUNT; id++) {
        if (id == GMD_TIMER_TOTAL) continue;
        gmd_timing_add(table, gmd_timer_name((gmd_timer_id)id), &tm->phase[id]);
        if (id != GMD_TIMER_NEIGHBOR || !sim->ff) continue;
        for (int t = 0; t < gmd_model_nterms(sim->model); t++)
            gmd_timing_add(table, gmd_model_term(sim->model, t)->name, &tm->term[t]);
    }
    gmd_timing_end(table);
}

void gmd_sim_free(gmd_sim *sim)
{
    gmd_model_free(sim->model);
    sim->model = NULL;
    sim->ff = NULL;
    gmd_mts_free(&sim->mts);
    gmd_atoms_free(&sim->atoms);
}
