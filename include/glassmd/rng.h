/* rng.h - a small, seedable, reproducible random generator (xoshiro256** seeded through
 * splitmix64; both public-domain algorithms by Blackman and Vigna, written here from
 * their published description). The state is a value: no global generator exists. */
#ifndef GLASSMD_RNG_H
#define GLASSMD_RNG_H

#include <stdint.h>

typedef struct gmd_rng {
    uint64_t s[4];
} gmd_rng;

void gmd_rng_seed(gmd_rng *rng, uint64_t seed);
uint64_t gmd_rng_next(gmd_rng *rng);
/* Uniform in [0, 1). */
double gmd_rng_uniform(gmd_rng *rng);
/* Standard normal (Box-Muller; no cached second value, so the state says it all). */
double gmd_rng_normal(gmd_rng *rng);

#endif
