/* fuzz_traj.h - the body the three trajectory harnesses share: open the input as a
 * trajectory of one format and read frames until the end, an error or 64 frames. The
 * first byte chooses whether species come from the reference force field (even) or from
 * the file alone (odd), the two ways the reader resolves them. */
#ifndef GLASSMD_FUZZ_TRAJ_H
#define GLASSMD_FUZZ_TRAJ_H

#include "fuzz_util.h"

#include "glassmd/analysis.h"

static int fuzz_trajectory(const uint8_t *data, size_t size, gmd_traj_in_format format,
                           const char *name)
{
    if (size < 1) return 0;
    const gmd_forcefield *ff = (data[0] & 1) ? NULL : fuzz_forcefield();
    const char *path = fuzz_write_input(name, data + 1, size - 1);
    if (!path) return 0;
    gmd_traj_reader *r = NULL;
    gmd_error err;
    gmd_status st = gmd_traj_reader_open(&r, path, format, ff, NULL, 1.0, &err);
    if (st == GMD_OK) {
        gmd_frame frame = {0};
        int eof = 0;
        for (int i = 0; i < 64 && !eof && st == GMD_OK; i++)
            st = gmd_traj_reader_next(r, &frame, &eof, &err);
        gmd_frame_free(&frame);
        gmd_traj_reader_close(r);
    }
    fuzz_verdict(st, &err);
    fuzz_remove_input(name);
    return 0;
}

#endif
