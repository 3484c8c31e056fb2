/* threebody.h - the end-vertex-end angle term of SPEC section 2 (Si-S-Si at the sulfur):
 * V3 = k (theta - theta0)^2 s(r1) s(r2), smooth cosine taper or hard cut at r3. Energy goes
 * to the term's one slot. Needs a neighbour list whose cut-off covers the largest r3, and
 * asks for the inner list of the entries' species pairs within it; fast group. */
#ifndef GLASSMD_THREEBODY_H
#define GLASSMD_THREEBODY_H

#include "glassmd/forcefield.h"
#include "glassmd/term.h"
#include "glassmd/term_registry.h"

/* Its one energy part, the slot first_part. */
enum { GMD_THREEBODY_PART = 0, GMD_THREEBODY_NPARTS };

/* The kind (term_registry.h): wanted when the options ask for three-body terms and the
 * force field has some; the taper as options->taper_override says. */
extern const gmd_term_kind gmd_threebody_kind;

/* taper_override: -1 keeps each entry's taper from the file, else GMD_TAPER_SMOOTH/HARD. */
gmd_status gmd_threebody_create(gmd_term **out, const gmd_forcefield *ff, int taper_override,
                                gmd_error *err);

/* One triplet (LAMMPS single() for a three-body term): the vertex at rv, the two ends at
 * re1 and re2 (positions already minimum-imaged). Returns the energy in eV and, if the
 * force arrays are not NULL, the forces on vertex, end 1 and end 2 (eV/A). */
double gmd_threebody_single(const gmd_threebody_params *p, const double rv[3], const double re1[3],
                            const double re2[3], double fv[3], double fe1[3], double fe2[3]);

#endif
