/* timer.h - wall-clock timers of a run's phases and force terms (as CoMD's
 * performanceTimers): an enum of the phases with a name table, a per-term slot for each of
 * the model's terms, and the table of parts that run.log and `glassmd eval` print.
 *
 * The timers live in the simulation state (gmd_sim in md.h), never in globals, so that two
 * runs in one process (a study) do not mix their times. A timer costs two reads of a
 * monotonic clock per start/stop (tens of nanoseconds), so the step functions time their
 * pieces directly. The parts are disjoint: each timer covers code no other timer covers,
 * so their sum never exceeds the total and "other" (total minus the parts) is what no
 * timer covers. */
#ifndef GLASSMD_TIMER_H
#define GLASSMD_TIMER_H

typedef struct gmd_timer {
    double seconds; /* accumulated wall time */
    long calls;     /* completed start/stop pairs */
    double started; /* the clock at the last start */
} gmd_timer;

/* The phases of a run. The force computation is timed per term and in the neighbour list
 * (gmd_model_compute_group); INTEGRATE and MINIMIZE cover the integrators' own work only,
 * not the force calls they make. */
typedef enum gmd_timer_id {
    GMD_TIMER_TOTAL = 0,  /* the whole run (or, in eval, every force call) */
    GMD_TIMER_SETUP,      /* reading inputs, building the model, opening outputs */
    GMD_TIMER_NEIGHBOR,   /* neighbour-list checks, wrapping and rebuilds */
    GMD_TIMER_INTEGRATE,  /* kicks, drifts, thermostat, initial velocities */
    GMD_TIMER_MINIMIZE,   /* FIRE's mixing and moves */
    GMD_TIMER_GUARD,      /* the per-step check of energy and displacements */
    GMD_TIMER_THERMO_IO,  /* thermo.csv lines */
    GMD_TIMER_TRAJ_IO,    /* trajectory frames */
    GMD_TIMER_CONFIG_IO,  /* write stages and final.data */
    GMD_TIMER_CHECKPOINT, /* flushing the outputs and writing checkpoint.bin */
    GMD_TIMER_COUNT
} gmd_timer_id;

/* Room for one timer per force-field term of a model (GMD_MODEL_MAX_TERMS, checked). */
#define GMD_TIMERS_MAX_TERMS 8

typedef struct gmd_timers {
    gmd_timer phase[GMD_TIMER_COUNT];
    gmd_timer term[GMD_TIMERS_MAX_TERMS]; /* by the model's term index */
} gmd_timers;

/* Seconds on a monotonic clock (omp_get_wtime). */
double gmd_clock_s(void);

/* "total", "setup", "neighbor", ... : the row names of the timing tables. */
const char *gmd_timer_name(gmd_timer_id id);

/* Start and stop; a NULL timer (an untimed model, see gmd_timers_phase) does nothing. */
void gmd_timer_start(gmd_timer *t);
void gmd_timer_stop(gmd_timer *t);

/* The timer of a phase or of term `index`; NULL when timers is NULL. */
gmd_timer *gmd_timers_phase(gmd_timers *timers, gmd_timer_id id);
gmd_timer *gmd_timers_term(gmd_timers *timers, int index);

/* A timing table: the parts that ran, then "other", each with its share of the total. */
#define GMD_TIMING_NAME_LEN 32
#define GMD_TIMING_MAX_ROWS (GMD_TIMER_COUNT + GMD_TIMERS_MAX_TERMS + 1)

typedef struct gmd_timing_row {
    char name[GMD_TIMING_NAME_LEN];
    double seconds;
    double percent; /* of total_s */
    long calls;     /* 0 for "other" */
} gmd_timing_row;

typedef struct gmd_timing_table {
    double total_s;
    int nrows;
    gmd_timing_row row[GMD_TIMING_MAX_ROWS];
} gmd_timing_table;

/* An empty table of the given total. */
void gmd_timing_begin(gmd_timing_table *table, double total_s);
/* Adds a part when it ran (calls > 0) and there is room. */
void gmd_timing_add(gmd_timing_table *table, const char *name, const gmd_timer *t);
/* Adds "other" (total minus the parts, at least 0) and the percentages. */
void gmd_timing_end(gmd_timing_table *table);

#endif
