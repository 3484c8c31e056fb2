/* testutil.c - helpers shared by the unit tests (see testutil.h). */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glassmd/rng.h"
#include "glassmd/units.h"

const char *tu_source_path(const char *rel, char *buf, size_t len)
{
    const char *root = getenv("GLASSMD_SOURCE_DIR");
    snprintf(buf, len, "%s/%s", root ? root : ".", rel);
    return buf;
}

static void set_pair(gmd_forcefield *ff, int i, int j, double A, double rho, double C)
{
    gmd_pair_params p = {.defined = 1, .A = A, .rho = rho, .C = C};
    ff->pair[i][j] = p;
    ff->pair[j][i] = p;
}

void tu_reference_ff(gmd_forcefield *ff)
{
    memset(ff, 0, sizeof *ff);
    strcpy(ff->path, "(reference, built in tests)");
    ff->nspecies = 3;
    ff->species[0] = (gmd_species){"Si", 28.0855, 2.4};
    ff->species[1] = (gmd_species){"S", 32.06, -1.2};
    ff->species[2] = (gmd_species){"Na", 22.98977, 0.6};
    enum { SI = 0, S = 1, NA = 2 };
    set_pair(ff, S, S, 42800, 0.284, 30);
    set_pair(ff, S, SI, 164000, 0.178, 80);
    set_pair(ff, S, NA, 833000, 0.182, 70);
    set_pair(ff, NA, NA, 13000, 0.300, 300);
    set_pair(ff, SI, SI, 0, 1.0, 0);
    set_pair(ff, SI, NA, 0, 1.0, 0);
    ff->nthreebody = 1;
    ff->threebody[0] = (gmd_threebody_params){.vertex = S,
                                              .end = SI,
                                              .k = 1.5,
                                              .theta0 = 60.0 * GMD_PI / 180.0,
                                              .r3 = 2.7,
                                              .width = 0.2,
                                              .taper = GMD_TAPER_SMOOTH};
    ff->cutoff = 10.0;
    ff->shift_energy = 0;
    ff->kspace = GMD_KSPACE_PPPM;
    ff->kspace_accuracy = 1e-5;
}

void tu_random_system(const gmd_forcefield *ff, const long *counts, double density, double min_dist,
                      unsigned long seed, gmd_box *box, gmd_atoms *atoms)
{
    size_t n = 0;
    for (int s = 0; s < ff->nspecies; s++)
        n += (size_t)counts[s];
    double len = cbrt((double)n / density);
    for (int k = 0; k < 3; k++) {
        box->lo[k] = 0.0;
        box->len[k] = len;
    }
    gmd_error err;
    if (gmd_atoms_init(atoms, n, &err) != GMD_OK) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
    gmd_rng rng;
    gmd_rng_seed(&rng, seed);
    size_t i = 0;
    for (int s = 0; s < ff->nspecies; s++) {
        for (long c = 0; c < counts[s]; c++, i++) {
            for (int attempt = 0;; attempt++) {
                if (attempt > 100000) {
                    fprintf(stderr, "tu_random_system: cannot place atom %zu\n", i);
                    exit(1);
                }
                for (int k = 0; k < 3; k++)
                    atoms->r[k][i] = len * gmd_rng_uniform(&rng);
                int ok = 1;
                for (size_t j = 0; j < i && ok; j++) {
                    double d2 = 0;
                    for (int k = 0; k < 3; k++) {
                        double d = gmd_min_image(atoms->r[k][i] - atoms->r[k][j], len);
                        d2 += d * d;
                    }
                    ok = d2 >= min_dist * min_dist;
                }
                if (ok) break;
            }
            atoms->type[i] = s;
            atoms->charge[i] = ff->species[s].charge;
            atoms->id[i] = (long)i + 1;
        }
    }
}

double tu_rel_diff(double a, double b, double floor)
{
    double scale = fmax(fmax(fabs(a), fabs(b)), floor);
    return fabs(a - b) / scale;
}
