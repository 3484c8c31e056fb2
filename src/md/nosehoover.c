/* nosehoover.c - Nose-Hoover chain thermostat (Martyna, Tuckerman, Klein 1992; Martyna et
 * al. Mol. Phys. 87, 1117 (1996)), integrated as LAMMPS fix nvt does: a Trotter-split half
 * step of the chain before and after the velocity-Verlet step, with the chain itself
 * propagated from its end inwards and back out (no Suzuki-Yoshida weights, one loop).
 *
 * Masses follow LAMMPS: Q_1 = N_f k T tdamp^2 for the thermostat coupled to the particles
 * and Q_j = k T tdamp^2 for the others, recomputed from the current target T so that a
 * temperature ramp works. The conserved quantity of NVT is
 *   H = KE + PE + N_f k T eta_1 + sum_{j>1} k T eta_j + sum_j Q_j eta_dot_j^2 / 2,
 * exactly conserved only at constant target T. */
#include <math.h>

#include "glassmd/md.h"
#include "glassmd/units.h"
#include "md_internal.h"

static void nhc_masses(gmd_nhc *c, double kt, long dof)
{
    double t2 = c->tdamp_ps * c->tdamp_ps;
    c->mass[0] = (double)dof * kt * t2;
    for (int j = 1; j < c->length; j++)
        c->mass[j] = kt * t2;
}

/* Force on chain element j given the kinetic energy of the particles. */
static double nhc_force(const gmd_nhc *c, int j, double ke2, double kt, long dof)
{
    if (j == 0) return (ke2 - (double)dof * kt) / c->mass[0];
    return (c->mass[j - 1] * c->eta_dot[j - 1] * c->eta_dot[j - 1] - kt) / c->mass[j];
}

double gmd_nhc_half_step(gmd_nhc *c, double t_target_K, long dof, double ke2, double dt)
{
    const int m = c->length;
    const double kt = GMD_KB_EV_K * t_target_K;
    const double dt2 = 0.5 * dt, dt4 = 0.25 * dt, dt8 = 0.125 * dt;
    nhc_masses(c, kt, dof);
    if (kt <= 0.0) return 1.0;

    /* inwards: from the last element to the one coupled to the particles */
    for (int j = m - 1; j >= 0; j--) {
        double expfac = j < m - 1 ? exp(-dt8 * c->eta_dot[j + 1]) : 1.0;
        c->eta_dot[j] *= expfac;
        c->eta_dot[j] += nhc_force(c, j, ke2, kt, dof) * dt4;
        c->eta_dot[j] *= expfac;
    }
    for (int j = 0; j < m; j++)
        c->eta[j] += dt2 * c->eta_dot[j];

    double scale = exp(-dt2 * c->eta_dot[0]);
    ke2 *= scale * scale;

    /* outwards again, with the rescaled kinetic energy */
    for (int j = 0; j < m; j++) {
        double expfac = j < m - 1 ? exp(-dt8 * c->eta_dot[j + 1]) : 1.0;
        c->eta_dot[j] *= expfac;
        c->eta_dot[j] += nhc_force(c, j, ke2, kt, dof) * dt4;
        c->eta_dot[j] *= expfac;
    }
    return scale;
}

double gmd_nhc_energy(const gmd_nhc *c, double t_target_K, long dof)
{
    const double kt = GMD_KB_EV_K * t_target_K;
    double t2 = c->tdamp_ps * c->tdamp_ps;
    double e = 0.0;
    for (int j = 0; j < c->length; j++) {
        double q = (j == 0 ? (double)dof : 1.0) * kt * t2;
        e += (j == 0 ? (double)dof : 1.0) * kt * c->eta[j];
        e += 0.5 * q * c->eta_dot[j] * c->eta_dot[j];
    }
    return e;
}
