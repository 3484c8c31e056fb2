/* units.h - LAMMPS "metal" units throughout: eV, Angstrom, ps, g/mol, e, K, bar.
 * The constants are the values LAMMPS uses in metal units (src/update.cpp, force->qqr2e
 * etc.), so that glassmd and LAMMPS can be compared term by term. */
#ifndef GLASSMD_UNITS_H
#define GLASSMD_UNITS_H

/* Coulomb constant e^2/(4 pi eps0) in eV*A/e^2 (LAMMPS metal qqr2e). */
#define GMD_COULOMB_EV_A 14.399645
/* Boltzmann constant in eV/K (LAMMPS metal boltz). */
#define GMD_KB_EV_K 8.617343e-5
/* eV/A^3 -> bar (LAMMPS metal nktv2p). */
#define GMD_EV_A3_TO_BAR 1.6021765e6
/* (g/mol)(A/ps)^2 -> eV (LAMMPS metal mvv2e). */
#define GMD_MVV2E 1.0364269e-4
/* eV/A/(g/mol) -> A/ps^2 (LAMMPS metal ftm2v). */
#define GMD_FTM2V (1.0 / 1.0364269e-4)
#define GMD_PI 3.14159265358979323846

#endif
