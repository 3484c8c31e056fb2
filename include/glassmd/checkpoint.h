/* checkpoint.h - exact restart files.
 *
 * A checkpoint holds everything needed to continue a run bit for bit: the MD state
 * (step, time, thermostat chain, barostat and its chain, the box the force model was set
 * up at, random state), the box, the energies and virial of the stored forces (the
 * barostat's next half step reads the virial), every atom's id, type,
 * position, velocity, force and image counts (binary doubles, no rounding), where the
 * run stands in its stage schedule, the byte/frame positions of its outputs, and an
 * opaque blob for running accumulators. It ends with a checksum (FNV-1a 64 over all
 * preceding bytes); a file whose checksum or size does not match is rejected.
 * Writing is atomic: PATH.tmp is written, fsynced and renamed over PATH, and the
 * directory is fsynced, so PATH is always either the old or the new complete file. */
#ifndef GLASSMD_CHECKPOINT_H
#define GLASSMD_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "glassmd/error.h"
#include "glassmd/md.h"
#include "glassmd/system.h"

#define GMD_CHECKPOINT_MAX_OUTPUTS 8
#define GMD_CHECKPOINT_VERSION 2 /* file layout: see the header comment of checkpoint.c */

/* FNV-1a 64-bit hash of len bytes, continuing from `hash` (start with GMD_FNV1A64_INIT);
 * the checkpoint checksum, and handy for meta.input_hash. */
#define GMD_FNV1A64_INIT 0xcbf29ce484222325ULL
uint64_t gmd_fnv1a64(const void *data, size_t len, uint64_t hash);
/* The same over the bytes of a file; a file that cannot be read adds nothing and sets *ok
 * to 0 (ok may be NULL), else *ok = 1. */
uint64_t gmd_fnv1a64_file(const char *path, uint64_t hash, int *ok);

typedef struct gmd_checkpoint_meta {
    int stage_index; /* stage being run (or the next one, if stage_step == 0) */
    long stage_step; /* steps done within that stage */
    int noutputs;
    long output_position[GMD_CHECKPOINT_MAX_OUTPUTS]; /* as gmd_traj/text_position */
    unsigned long long input_hash; /* hash of the run input, to refuse a foreign resume */
} gmd_checkpoint_meta;

/* The simulation state a checkpoint holds; tally may be NULL (written as zeros, not read
 * back). */
typedef struct gmd_checkpoint_state {
    gmd_md_state *md;
    gmd_box *box;
    gmd_atoms *atoms;
    gmd_tally *tally;
} gmd_checkpoint_state;

gmd_status gmd_checkpoint_write(const char *path, const gmd_checkpoint_state *state,
                                const gmd_checkpoint_meta *meta, const void *blob, size_t blob_len,
                                gmd_error *err);
/* Reads a checkpoint (version 1 too: gmd_md_init's barostat, box_ref = box, tally zero);
 * atoms (zeroed or valid) is (re)allocated; *blob is malloc'ed (free it), NULL when
 * blob_len is 0. Nothing is changed when the file is rejected. */
gmd_status gmd_checkpoint_read(const char *path, const gmd_checkpoint_state *state,
                               gmd_checkpoint_meta *meta, void **blob, size_t *blob_len,
                               gmd_error *err);

#endif
