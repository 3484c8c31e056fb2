/* fuzz_checkpoint.c - libFuzzer harness of the checkpoint reader (gmd_checkpoint_read).
 *
 * A checkpoint ends with an FNV-1a checksum that a mutated file almost never matches, so
 * the fuzzer would only ever reach the checksum test. The first input byte is a control
 * byte: bit 0 set makes the harness write the correct checksum over the rest (so that the
 * decoder sees the mutated sizes and values), bit 1 set also makes the recorded file
 * size (bytes 32..39) the true one. The rest is the file. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#include "glassmd/checkpoint.h"

static void put_u64(uint8_t *p, uint64_t x)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(x >> (8 * i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t len = size - 1;
    uint8_t *file = malloc(len ? len : 1);
    if (!file) return 0;
    memcpy(file, data + 1, len);
    if ((data[0] & 2) && len >= 40) put_u64(file + 32, len);
    if ((data[0] & 1) && len >= 8)
        put_u64(file + len - 8, gmd_fnv1a64(file, len - 8, GMD_FNV1A64_INIT));
    const char *path = fuzz_write_input("checkpoint.bin", file, len);
    free(file);
    if (!path) return 0;
    gmd_md_state md;
    gmd_box box;
    gmd_atoms atoms = {0};
    gmd_checkpoint_meta meta;
    void *blob = NULL;
    size_t blob_len = 0;
    gmd_error err;
    gmd_tally tally;
    gmd_checkpoint_state state = {&md, &box, &atoms, &tally};
    gmd_status st = gmd_checkpoint_read(path, &state, &meta, &blob, &blob_len, &err);
    fuzz_verdict(st, &err);
    if (st == GMD_OK) free(blob);
    gmd_atoms_free(&atoms);
    fuzz_remove_input("checkpoint.bin");
    return 0;
}
