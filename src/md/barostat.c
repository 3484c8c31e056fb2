/* barostat.c - constant pressure: the isotropic Martyna-Tobias-Klein (MTK) barostat with
 * Nose-Hoover chains, integrated as LAMMPS fix npt `temp T T Tdamp iso P P Pdamp` does
 * (FixNH: Shinoda, Shiga and Mikami, Phys. Rev. B 69, 134103 (2004); Martyna, Tuckerman,
 * Tobias and Klein, Mol. Phys. 87, 1117 (1996); Tuckerman et al., J. Phys. A 39, 5629
 * (2006)).
 *
 * Equations of motion (N atoms, N_f = 3N - 3 degrees of freedom of the thermostat, box
 * edges L_d, one strain rate w = omega_dot shared by x, y and z):
 *   dr/dt = v + w (r - c)                     (c: the box centre, the fixed point)
 *   dv/dt = F/m - (w + w/N) v - eta_dot_1 v   (MTK's (1 + d/N_f') w with N_f' = 3N)
 *   dL/dt = w L                               (so dV/dt = 3 w V)
 *   dw/dt = [(P - P_ext) V + sum m v^2 / (3N)] / W - etap_dot_1 w
 * with P = (sum m v^2 + W_xx + W_yy + W_zz) / (3V) the instantaneous scalar pressure (the
 * kinetic part through the dof-based temperature, as LAMMPS), W = (N + 1) k T / pfreq^2
 * the barostat mass per direction (pfreq = 1/pdamp) and the chain eta on the particles
 * (nosehoover.c), the chain etap on the barostat's one degree of freedom (mass
 * k T / pfreq^2 for every element; the element coupled to the barostat is driven by
 * 3 W w^2 - k T, since x, y and z share w).
 *
 * One step (LAMMPS's order; the Verlet step itself is verlet.c's):
 *   first half:  barostat chain dt/2 (scales w), particle chain dt/2 (scales v),
 *                P from the current KE and virial, w += dt/2 dw/dt, v *= exp(-dt/2 w (1+1/N))
 *   v += dt/2 F/m;  box and r scaled by exp(dt/2 w);  r += dt v;  again scaled;  F = F(r)
 *   second half: v += dt/2 F/m, v *= exp(-dt/2 w (1+1/N)), P from the new KE and virial,
 *                w += dt/2 dw/dt, particle chain dt/2, barostat chain dt/2.
 * Positions are scaled as LAMMPS's remap does: to fractions of the box and back
 * (r' = lo' + (r - lo) / L * L'), the box about its centre.
 *
 * Conserved quantity (constant targets):
 *   H = KE + PE + E_chain(particles) + 3 W w^2 / 2 + P_ext V + E_chain(barostat),
 * with E_chain(barostat) = k T sum_j etap_j + sum_j Q_j etap_dot_j^2 / 2. Two differences
 * from LAMMPS's reported f_ID (the dynamics are the same): glassmd adds P_ext V where LAMMPS
 * adds P_ext (V - V0), V0 the volume at its setup (a constant offset), and the first
 * barostat-chain element enters with k T etap_1, the target its dynamics use, where
 * LAMMPS's energy takes 3 k T etap_1 for iso (so LAMMPS's sum drifts by 2 k T etap_1).
 *
 * The barostat's mass and its chain's masses follow the current target T (LAMMPS fixes
 * them at the start of a run); they agree at constant T. */
#include <math.h>

#include "glassmd/md.h"
#include "glassmd/units.h"
#include "md_internal.h"

void gmd_baro_init(gmd_barostat *b, double p_target_bar, double pdamp_ps)
{
    b->p_target_bar = p_target_bar;
    b->pdamp_ps = pdamp_ps;
    b->omega_dot = 0.0;
    for (int j = 0; j < GMD_NHC_MAX; j++)
        b->chain.eta[j] = b->chain.eta_dot[j] = b->chain.mass[j] = 0.0;
    b->chain.length = 3;
    b->chain.tdamp_ps = pdamp_ps;
}

/* W, eV ps^2: (N + 1) k T pdamp^2. */
static double baro_mass(const gmd_md_state *md, size_t natoms)
{
    double kt = GMD_KB_EV_K * md->t_target_K;
    return ((double)natoms + 1.0) * kt * md->baro.pdamp_ps * md->baro.pdamp_ps;
}

/* Instantaneous scalar pressure in bar from 2 KE (eV) and the virial of the forces. */
double gmd_md_pressure_bar(double ke2, const gmd_tally *tally, double volume)
{
    double trace = tally->virial[0] + tally->virial[1] + tally->virial[2];
    return (ke2 + trace) / (3.0 * volume) * GMD_EV_A3_TO_BAR;
}

/* w += dt/2 dw/dt (LAMMPS nh_omega_dot, iso, no drag). */
static void omega_half_kick(gmd_md_state *md, size_t natoms, double ke2, const gmd_tally *tally,
                            double volume)
{
    double w = baro_mass(md, natoms);
    if (!(w > 0.0)) return;
    double p = gmd_md_pressure_bar(ke2, tally, volume);
    double mtk = ke2 / (3.0 * (double)natoms);
    double force = (p - md->baro.p_target_bar) * volume / (w * GMD_EV_A3_TO_BAR) + mtk / w;
    md->baro.omega_dot += 0.5 * md->dt_ps * force;
}

/* v *= exp(-dt/2 (w + w/N)) (LAMMPS nh_v_press, iso); returns the factor. */
static double press_scale_velocities(gmd_md_state *md, gmd_atoms *atoms, int threads)
{
    double w = md->baro.omega_dot;
    double factor = exp(-0.5 * md->dt_ps * (w + w / (double)atoms->n));
    gmd_md_scale_velocities(atoms, factor, threads);
    return factor;
}

/* A half step of the barostat's chain: w scaled. */
static void baro_chain_half(gmd_md_state *md, size_t natoms)
{
    double w = baro_mass(md, natoms);
    double ke2 = 3.0 * w * md->baro.omega_dot * md->baro.omega_dot;
    md->baro.omega_dot *= gmd_nhc_half_step(&md->baro.chain, md->t_target_K, 1, ke2, md->dt_ps);
}

/* The particles' chain half step; returns 2 KE after it. */
static double thermostat_half(gmd_md_state *md, gmd_atoms *atoms, double ke2, int threads)
{
    double factor = gmd_nhc_half_step(&md->nhc, md->t_target_K, md->dof, ke2, md->dt_ps);
    gmd_md_scale_velocities(atoms, factor, threads);
    return ke2 * factor * factor;
}

void gmd_md_couple_first(gmd_sim *sim, int threads)
{
    gmd_md_state *md = &sim->md;
    if (md->ensemble == GMD_ENSEMBLE_NVE) return;
    double ke2 = gmd_kinetic2(sim->ff, &sim->atoms, threads);
    if (md->ensemble == GMD_ENSEMBLE_NPT) baro_chain_half(md, sim->atoms.n);
    ke2 = thermostat_half(md, &sim->atoms, ke2, threads);
    if (md->ensemble != GMD_ENSEMBLE_NPT) return;
    omega_half_kick(md, sim->atoms.n, ke2, &sim->tally, gmd_box_volume(&sim->box));
    press_scale_velocities(md, &sim->atoms, threads);
}

void gmd_md_couple_second(gmd_sim *sim, int threads)
{
    gmd_md_state *md = &sim->md;
    if (md->ensemble == GMD_ENSEMBLE_NVE) return;
    if (md->ensemble == GMD_ENSEMBLE_NPT) press_scale_velocities(md, &sim->atoms, threads);
    double ke2 = gmd_kinetic2(sim->ff, &sim->atoms, threads);
    if (md->ensemble == GMD_ENSEMBLE_NPT)
        omega_half_kick(md, sim->atoms.n, ke2, &sim->tally, gmd_box_volume(&sim->box));
    thermostat_half(md, &sim->atoms, ke2, threads);
    if (md->ensemble == GMD_ENSEMBLE_NPT) baro_chain_half(md, sim->atoms.n);
}

void gmd_md_remap_half(gmd_sim *sim, int threads)
{
    if (sim->md.ensemble != GMD_ENSEMBLE_NPT) return;
    gmd_box *box = &sim->box;
    double expfac = exp(0.5 * sim->md.dt_ps * sim->md.baro.omega_dot);
    for (int k = 0; k < 3; k++) {
        double lo = box->lo[k], len = box->len[k];
        double centre = lo + 0.5 * len;
        double new_lo = (lo - centre) * expfac + centre;
        double new_len = ((lo + len) - centre) * expfac + centre - new_lo;
        double *r = sim->atoms.r[k];
#pragma omp parallel for num_threads(threads)                                                      \
    schedule(static) if (sim->atoms.n >= GMD_MD_OMP_MIN_ATOMS)
        for (size_t i = 0; i < sim->atoms.n; i++)
            r[i] = new_lo + (r[i] - lo) / len * new_len;
        box->lo[k] = new_lo;
        box->len[k] = new_len;
    }
}

double gmd_baro_energy(const gmd_md_state *md, size_t natoms, double volume)
{
    const gmd_barostat *b = &md->baro;
    double e = 1.5 * baro_mass(md, natoms) * b->omega_dot * b->omega_dot;
    e += b->p_target_bar * volume / GMD_EV_A3_TO_BAR;
    return e + gmd_nhc_energy(&b->chain, md->t_target_K, 1);
}
