/* fire.c - FIRE minimisation (Bitzek, Koskinen, Gaehler, Moseler, Gumbsch 2006) with a
 * per-atom cap on the displacement of one step.
 *
 * Why the cap: a random starting structure can hold pairs far up the Buckingham wall with
 * forces of 1e3 eV/A; a plain MD-like step would throw those atoms across the box (or
 * over a barrier into the -C/r^6 collapse). Capping each atom's displacement to max_step
 * keeps every move local while FIRE's adaptive step still accelerates the smooth part. */
#include <math.h>
#include <string.h>

#include "glassmd/md.h"
#include "glassmd/units.h"

gmd_fire_options gmd_fire_default_options(void)
{
    return (gmd_fire_options){
        .ftol_eV_A = 0.1, .max_step_A = 0.1, .max_steps = 5000, .dt_ps = 0.001};
}

static double max_force(const gmd_atoms *atoms)
{
    double fmax2 = 0.0;
    for (size_t i = 0; i < atoms->n; i++) {
        double f2 = atoms->f[0][i] * atoms->f[0][i] + atoms->f[1][i] * atoms->f[1][i] +
                    atoms->f[2][i] * atoms->f[2][i];
        fmax2 = fmax(fmax2, f2);
    }
    return sqrt(fmax2);
}

/* The FIRE velocity mixing: v <- (1 - a) v + a |v| F/|F|; returns P = F.v before mixing. */
static double fire_mix(gmd_atoms *atoms, double alpha)
{
    double p = 0.0, v2 = 0.0, f2 = 0.0;
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < atoms->n; i++) {
            p += atoms->f[k][i] * atoms->v[k][i];
            v2 += atoms->v[k][i] * atoms->v[k][i];
            f2 += atoms->f[k][i] * atoms->f[k][i];
        }
    if (f2 > 0.0) {
        double ratio = sqrt(v2 / f2);
        for (int k = 0; k < 3; k++)
            for (size_t i = 0; i < atoms->n; i++)
                atoms->v[k][i] = (1.0 - alpha) * atoms->v[k][i] + alpha * ratio * atoms->f[k][i];
    }
    return p;
}

static void zero_velocities(gmd_atoms *atoms)
{
    for (int k = 0; k < 3; k++)
        memset(atoms->v[k], 0, atoms->n * sizeof(double));
}

/* Semi-implicit Euler step with the displacement of each atom capped. */
static void fire_move(const gmd_forcefield *ff, gmd_atoms *atoms, double dt, double cap)
{
    for (size_t i = 0; i < atoms->n; i++) {
        double inv_m = GMD_FTM2V / ff->species[atoms->type[i]].mass;
        double d[3], d2 = 0.0;
        for (int k = 0; k < 3; k++) {
            atoms->v[k][i] += dt * inv_m * atoms->f[k][i];
            d[k] = dt * atoms->v[k][i];
            d2 += d[k] * d[k];
        }
        double scale = d2 > cap * cap ? cap / sqrt(d2) : 1.0;
        for (int k = 0; k < 3; k++)
            atoms->r[k][i] += scale * d[k];
    }
}

/* FIRE's adaptive step and mixing parameter. */
typedef struct fire_state {
    double dt, dt_max, alpha;
    long since_negative; /* steps since the power F.v was last negative */
} fire_state;

/* One FIRE update of velocities and positions from the current forces. */
static void fire_update(const gmd_forcefield *ff, gmd_atoms *atoms, fire_state *fs,
                        const gmd_fire_options *opt)
{
    const double f_inc = 1.1, f_dec = 0.5, alpha_start = 0.1, f_alpha = 0.99;
    const long n_min = 5;
    double power = fire_mix(atoms, fs->alpha);
    if (power > 0.0) {
        if (++fs->since_negative > n_min) {
            fs->dt = fmin(fs->dt * f_inc, fs->dt_max);
            fs->alpha *= f_alpha;
        }
    } else {
        fs->since_negative = 0;
        fs->dt *= f_dec;
        fs->alpha = alpha_start;
        zero_velocities(atoms);
    }
    fire_move(ff, atoms, fs->dt, opt->max_step_A);
}

/* FIRE's own work is timed (MINIMIZE) apart from the force calls, which the model times. */
gmd_status gmd_fire_minimize(gmd_sim *sim, const gmd_fire_options *opt, gmd_fire_result *result,
                             gmd_error *err)
{
    gmd_atoms *atoms = &sim->atoms;
    gmd_timer *minimize_time = &sim->timers.phase[GMD_TIMER_MINIMIZE];
    fire_state fs = {.dt = opt->dt_ps, .dt_max = 10.0 * opt->dt_ps, .alpha = 0.1};
    memset(result, 0, sizeof *result);
    zero_velocities(atoms);
    gmd_status st = gmd_sim_compute(sim, err);
    if (st != GMD_OK) return st;
    result->pe_start_eV = gmd_tally_total(&sim->tally);
    for (result->steps = 0; result->steps < opt->max_steps; result->steps++) {
        gmd_timer_start(minimize_time);
        result->fmax_eV_A = max_force(atoms);
        int converged = result->fmax_eV_A < opt->ftol_eV_A;
        if (!converged) fire_update(sim->ff, atoms, &fs, opt);
        gmd_timer_stop(minimize_time);
        if (converged) {
            result->converged = 1;
            break;
        }
        st = gmd_sim_compute(sim, err);
        if (st != GMD_OK) return st;
        if (opt->stop && *opt->stop)
            return gmd_fail(err, GMD_ERR_INTERRUPTED, "minimisation stopped at step %ld on request",
                            result->steps + 1);
        if (!isfinite(gmd_tally_total(&sim->tally)))
            return gmd_fail(err, GMD_ERR_PHYSICS,
                            "minimisation step %ld gave a non-finite energy: atoms collapsed; "
                            "add a repulsive wall to the force field or lower max_step",
                            result->steps);
    }
    result->pe_end_eV = gmd_tally_total(&sim->tally);
    result->fmax_eV_A = max_force(atoms);
    zero_velocities(atoms);
    return GMD_OK;
}
