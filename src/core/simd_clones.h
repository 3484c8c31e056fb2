/* simd_clones.h - GMD_SIMD_CLONES: compile a hot function also for AVX-512 (x86-64-v4) and
 * AVX2 (x86-64-v3) beside the baseline, the best picked once at load time (GCC's
 * target_clones, an ifunc: x86-64 Linux with glibc). The clones run the same operations on
 * wider vectors; whether multiply-adds are fused is the file's own setting (-ffp-contract),
 * the same in every clone. Elsewhere, or with GMD_NO_CLONES defined, the one baseline
 * version. Library-internal: the pair kernel, PPPM, Ewald and the analyses' inner loops. */
#ifndef GLASSMD_SIMD_CLONES_H
#define GLASSMD_SIMD_CLONES_H

#include <stdlib.h> /* any libc header: defines __GLIBC__ for the test below */

#if defined(__x86_64__) && defined(__linux__) && defined(__GLIBC__) && defined(__GNUC__) &&        \
    !defined(__clang__) && !defined(GMD_NO_CLONES)
#define GMD_SIMD_CLONES                                                                            \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define GMD_SIMD_CLONES
#endif

#endif
