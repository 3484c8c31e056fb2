/* rng.c - xoshiro256** with splitmix64 seeding (see include/glassmd/rng.h). */
#include "glassmd/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void gmd_rng_seed(gmd_rng *rng, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t gmd_rng_next(gmd_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double gmd_rng_uniform(gmd_rng *rng)
{
    /* the top 53 bits give every double in [0, 1) on a 2^-53 grid */
    return (double)(gmd_rng_next(rng) >> 11) * 0x1.0p-53;
}

double gmd_rng_normal(gmd_rng *rng)
{
    double u1 = 1.0 - gmd_rng_uniform(rng); /* (0, 1]: log is finite */
    double u2 = gmd_rng_uniform(rng);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * 3.14159265358979323846 * u2);
}
