/* timer.c - wall-clock timers and the timing table (timer.h). */
#include "glassmd/timer.h"

#include <omp.h>
#include <stdio.h>
#include <string.h>

static const char *const timer_names[GMD_TIMER_COUNT] = {
    [GMD_TIMER_TOTAL] = "total",         [GMD_TIMER_SETUP] = "setup",
    [GMD_TIMER_NEIGHBOR] = "neighbor",   [GMD_TIMER_INTEGRATE] = "integrate",
    [GMD_TIMER_MINIMIZE] = "minimize",   [GMD_TIMER_GUARD] = "guard",
    [GMD_TIMER_THERMO_IO] = "thermo_io", [GMD_TIMER_TRAJ_IO] = "traj_io",
    [GMD_TIMER_CONFIG_IO] = "config_io", [GMD_TIMER_CHECKPOINT] = "checkpoint",
};

double gmd_clock_s(void)
{
    return omp_get_wtime();
}

const char *gmd_timer_name(gmd_timer_id id)
{
    if ((int)id < 0 || id >= GMD_TIMER_COUNT || !timer_names[id]) return "?";
    return timer_names[id];
}

void gmd_timer_start(gmd_timer *t)
{
    if (t) t->started = gmd_clock_s();
}

void gmd_timer_stop(gmd_timer *t)
{
    if (!t) return;
    t->seconds += gmd_clock_s() - t->started;
    t->calls++;
}

gmd_timer *gmd_timers_phase(gmd_timers *timers, gmd_timer_id id)
{
    return timers ? &timers->phase[id] : NULL;
}

gmd_timer *gmd_timers_term(gmd_timers *timers, int index)
{
    return timers && index >= 0 && index < GMD_TIMERS_MAX_TERMS ? &timers->term[index] : NULL;
}

void gmd_timing_begin(gmd_timing_table *table, double total_s)
{
    memset(table, 0, sizeof *table);
    table->total_s = total_s;
}

static void add_row(gmd_timing_table *table, const char *name, double seconds, long calls)
{
    if (table->nrows >= GMD_TIMING_MAX_ROWS) return;
    gmd_timing_row *r = &table->row[table->nrows++];
    snprintf(r->name, sizeof r->name, "%s", name);
    r->seconds = seconds;
    r->calls = calls;
}

void gmd_timing_add(gmd_timing_table *table, const char *name, const gmd_timer *t)
{
    /* the last row is kept for "other" */
    if (t->calls > 0 && table->nrows < GMD_TIMING_MAX_ROWS - 1)
        add_row(table, name, t->seconds, t->calls);
}

void gmd_timing_end(gmd_timing_table *table)
{
    double parts = 0.0;
    for (int i = 0; i < table->nrows; i++)
        parts += table->row[i].seconds;
    double other = table->total_s - parts;
    add_row(table, "other", other > 0.0 ? other : 0.0, 0);
    for (int i = 0; i < table->nrows; i++)
        table->row[i].percent =
            table->total_s > 0.0 ? 100.0 * table->row[i].seconds / table->total_s : 0.0;
}
