/* verlet.c - velocity-Verlet time stepping, initial velocities and thermodynamic output.
 *
 * One step (LAMMPS order: initial_integrate, force, final_integrate):
 *   [NVT: chain half step, scale v]  v += dt/2 F/m;  r += dt v;  F = F(r);
 *   v += dt/2 F/m;  [NVT: chain half step, scale v]
 * Units: F/m in eV/A/(g/mol) is converted to A/ps^2 by GMD_FTM2V; m v^2 in
 * (g/mol)(A/ps)^2 to eV by GMD_MVV2E. The temperature counts 3N - 3 degrees of freedom
 * (total momentum is zero and conserved), as LAMMPS's default temperature compute. */
#include <math.h>
#include <string.h>

#include "glassmd/md.h"
#include "glassmd/units.h"
#include "md_internal.h"

void gmd_md_init(gmd_md_state *md, size_t natoms, double dt_ps, uint64_t seed)
{
    memset(md, 0, sizeof *md);
    md->dt_ps = dt_ps;
    md->ensemble = GMD_ENSEMBLE_NVE;
    md->nhc.length = 3;
    md->nhc.tdamp_ps = 0.1;
    md->dof = natoms > 1 ? 3 * (long)natoms - 3 : 3 * (long)natoms;
    gmd_rng_seed(&md->rng, seed);
}

double gmd_kinetic2(const gmd_forcefield *ff, const gmd_atoms *atoms, int threads)
{
    double sum = 0.0;
    const double *vx = atoms->v[0], *vy = atoms->v[1], *vz = atoms->v[2];
#pragma omp parallel for num_threads(threads) reduction(+ : sum) schedule(static) if (atoms->n >= GMD_MD_OMP_MIN_ATOMS)
    for (size_t i = 0; i < atoms->n; i++) {
        double m = ff->species[atoms->type[i]].mass;
        sum += m * (vx[i] * vx[i] + vy[i] * vy[i] + vz[i] * vz[i]);
    }
    return sum * GMD_MVV2E;
}

static void scale_velocities(gmd_atoms *atoms, double factor, int threads)
{
    for (int k = 0; k < 3; k++) {
        double *v = atoms->v[k];
#pragma omp parallel for num_threads(threads) schedule(static) if (atoms->n >= GMD_MD_OMP_MIN_ATOMS)
        for (size_t i = 0; i < atoms->n; i++)
            v[i] *= factor;
    }
}

static void remove_drift(const gmd_forcefield *ff, gmd_atoms *atoms)
{
    double p[3] = {0, 0, 0}, mtot = 0.0;
    for (size_t i = 0; i < atoms->n; i++) {
        double m = ff->species[atoms->type[i]].mass;
        mtot += m;
        for (int k = 0; k < 3; k++)
            p[k] += m * atoms->v[k][i];
    }
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < atoms->n; i++)
            atoms->v[k][i] -= p[k] / mtot;
}

void gmd_md_velocities(gmd_sim *sim, double t_K)
{
    gmd_timer *integrate_time = &sim->timers.phase[GMD_TIMER_INTEGRATE];
    gmd_timer_start(integrate_time);
    const gmd_forcefield *ff = sim->ff;
    gmd_atoms *atoms = &sim->atoms;
    for (size_t i = 0; i < atoms->n; i++) {
        double m = ff->species[atoms->type[i]].mass;
        double sigma = sqrt(GMD_KB_EV_K * t_K / (m * GMD_MVV2E));
        for (int k = 0; k < 3; k++)
            atoms->v[k][i] = sigma * gmd_rng_normal(&sim->md.rng);
    }
    remove_drift(ff, atoms);
    double ke2 = gmd_kinetic2(ff, atoms, 1);
    double target = (double)sim->md.dof * GMD_KB_EV_K * t_K;
    if (ke2 > 0.0) scale_velocities(atoms, sqrt(target / ke2), 1);
    gmd_timer_stop(integrate_time);
}

void gmd_md_kick(const gmd_forcefield *ff, gmd_atoms *atoms, double *const f[3],
                 double *const f_minus[3], double half_dt, int threads)
{
    double inv_m[GMD_MAX_SPECIES];
    for (int s = 0; s < ff->nspecies; s++)
        inv_m[s] = half_dt * GMD_FTM2V / ff->species[s].mass;
    const int *type = atoms->type;
    for (int k = 0; k < 3; k++) {
        double *v = atoms->v[k];
        const double *fk = f[k], *mk = f_minus ? f_minus[k] : NULL;
        if (mk) {
#pragma omp parallel for num_threads(threads) schedule(static) if (atoms->n >= GMD_MD_OMP_MIN_ATOMS)
            for (size_t i = 0; i < atoms->n; i++)
                v[i] += inv_m[type[i]] * (fk[i] - mk[i]);
        } else {
#pragma omp parallel for num_threads(threads) schedule(static) if (atoms->n >= GMD_MD_OMP_MIN_ATOMS)
            for (size_t i = 0; i < atoms->n; i++)
                v[i] += inv_m[type[i]] * fk[i];
        }
    }
}

void gmd_md_drift(gmd_atoms *atoms, double dt, int threads)
{
    for (int k = 0; k < 3; k++) {
        double *r = atoms->r[k];
        const double *v = atoms->v[k];
#pragma omp parallel for num_threads(threads) schedule(static) if (atoms->n >= GMD_MD_OMP_MIN_ATOMS)
        for (size_t i = 0; i < atoms->n; i++)
            r[i] += dt * v[i];
    }
}

void gmd_md_thermostat_half(gmd_md_state *md, const gmd_forcefield *ff, gmd_atoms *atoms,
                            int threads)
{
    if (md->ensemble != GMD_ENSEMBLE_NVT) return;
    double ke2 = gmd_kinetic2(ff, atoms, threads);
    double factor = gmd_nhc_half_step(&md->nhc, md->t_target_K, md->dof, ke2, md->dt_ps);
    scale_velocities(atoms, factor, threads);
}

/* The integrator's own work is timed around the force call, which the model times per
 * term (timer.h: the parts do not overlap). */
gmd_status gmd_md_step(gmd_sim *sim, gmd_error *err)
{
    gmd_md_state *md = &sim->md;
    const gmd_forcefield *ff = sim->ff;
    gmd_atoms *atoms = &sim->atoms;
    gmd_timer *integrate_time = &sim->timers.phase[GMD_TIMER_INTEGRATE];
    const int threads = gmd_model_settings(sim->model)->threads;
    const double dt = md->dt_ps;
    gmd_timer_start(integrate_time);
    gmd_md_thermostat_half(md, ff, atoms, threads);
    gmd_md_kick(ff, atoms, atoms->f, NULL, 0.5 * dt, threads);
    gmd_md_drift(atoms, dt, threads);
    gmd_timer_stop(integrate_time);
    gmd_status st = gmd_sim_compute(sim, err);
    if (st != GMD_OK) return st;
    gmd_timer_start(integrate_time);
    gmd_md_kick(ff, atoms, atoms->f, NULL, 0.5 * dt, threads);
    gmd_md_thermostat_half(md, ff, atoms, threads);
    md->step++;
    md->time_ps += dt;
    gmd_timer_stop(integrate_time);
    return GMD_OK;
}

void gmd_md_thermo(const gmd_sim *sim, gmd_thermo *out)
{
    const gmd_md_state *md = &sim->md;
    const gmd_forcefield *ff = sim->ff;
    const gmd_box *box = &sim->box;
    const gmd_atoms *atoms = &sim->atoms;
    const gmd_tally *tally = &sim->tally;
    memset(out, 0, sizeof *out);
    double volume = gmd_box_volume(box);
    double kin[6] = {0, 0, 0, 0, 0, 0}; /* sum m v_a v_b, eV */
    static const int pa[6] = {0, 1, 2, 0, 0, 1}, pb[6] = {0, 1, 2, 1, 2, 2};
    for (size_t i = 0; i < atoms->n; i++) {
        double m = ff->species[atoms->type[i]].mass * GMD_MVV2E;
        for (int c = 0; c < 6; c++)
            kin[c] += m * atoms->v[pa[c]][i] * atoms->v[pb[c]][i];
    }
    double ke2 = kin[0] + kin[1] + kin[2];
    out->ke_eV = 0.5 * ke2;
    out->pe_eV = gmd_tally_total(tally);
    out->etot_eV = out->ke_eV + out->pe_eV;
    out->temperature_K = md->dof > 0 ? ke2 / ((double)md->dof * GMD_KB_EV_K) : 0.0;
    for (int c = 0; c < 6; c++)
        out->pressure_tensor_bar[c] = (kin[c] + tally->virial[c]) / volume * GMD_EV_A3_TO_BAR;
    /* scalar pressure with the kinetic part from the dof-based temperature, as LAMMPS */
    double virial_trace = tally->virial[0] + tally->virial[1] + tally->virial[2];
    out->pressure_bar = ((double)md->dof * GMD_KB_EV_K * out->temperature_K + virial_trace) /
                        (3.0 * volume) * GMD_EV_A3_TO_BAR;
    out->conserved_eV = out->etot_eV;
    if (md->ensemble == GMD_ENSEMBLE_NVT)
        out->conserved_eV += gmd_nhc_energy(&md->nhc, md->t_target_K, md->dof);
}
