/* trajectory_dump.c - the LAMMPS text dump back end.
 *
 * One frame is
 *
 *   ITEM: TIMESTEP
 *   <step>
 *   ITEM: NUMBER OF ATOMS
 *   <n>
 *   ITEM: BOX BOUNDS pp pp pp
 *   <xlo> <xhi>            (x3, %.16g: the box round-trips exactly)
 *   ITEM: ATOMS id type element q xu yu zu
 *   <id> <species+1> <species name> <q> <xu> <yu> <zu>     (one line per atom, id order)
 *
 * as LAMMPS writes with `dump custom ... id type element q xu yu zu` and `dump_modify sort
 * id`, so OVITO, VMD, MDAnalysis and LAMMPS's own rerun read it. Positions are unwrapped
 * (the front end adds image * len) and printed with %.10g: 1e-10 relative, far below any
 * structural resolution, at about 60 bytes per atom.
 *
 * Storage, flushing and the byte-exact resume are the text writer's (text_writer.c): a
 * dump is a text output whose lines happen to form frames. */
#include <stdlib.h>
#include <string.h>

#include "glassmd/trajectory.h"
#include "trajectory_internal.h"

typedef struct dump_state {
    gmd_text_writer *text;
    int nspecies;
    char species[GMD_MAX_SPECIES][GMD_NAME_LEN];
} dump_state;

gmd_status gmd_traj_dump_open(void **state, const char *path, const gmd_forcefield *ff, long keep,
                              gmd_error *err)
{
    *state = NULL;
    dump_state *d = gmd_calloc(1, sizeof *d, "dump writer", err);
    if (!d) return GMD_ERR_NOMEM;
    d->nspecies = ff->nspecies;
    for (int s = 0; s < ff->nspecies; s++)
        memcpy(d->species[s], ff->species[s].name, GMD_NAME_LEN);
    gmd_status st = gmd_text_open(&d->text, path, keep, err);
    if (st != GMD_OK) {
        free(d);
        return st;
    }
    *state = d;
    return GMD_OK;
}

static gmd_status write_header(gmd_text_writer *t, const gmd_traj_frame *f, gmd_error *err)
{
    gmd_status st = gmd_text_printf(t, err,
                                    "ITEM: TIMESTEP\n%ld\nITEM: NUMBER OF ATOMS\n%zu\n"
                                    "ITEM: BOX BOUNDS pp pp pp\n",
                                    f->step, f->n);
    for (int k = 0; k < 3 && st == GMD_OK; k++)
        st = gmd_text_printf(t, err, "%.16g %.16g\n", f->box.lo[k], f->box.lo[k] + f->box.len[k]);
    if (st == GMD_OK) st = gmd_text_printf(t, err, "ITEM: ATOMS id type element q xu yu zu\n");
    return st;
}

static gmd_status dump_write(void *state, const gmd_traj_frame *f, gmd_error *err)
{
    dump_state *d = state;
    gmd_status st = write_header(d->text, f, err);
    for (size_t j = 0; j < f->n && st == GMD_OK; j++) {
        int s = f->type[j];
        st = gmd_text_printf(d->text, err, "%ld %d %s %.10g %.10g %.10g %.10g\n", f->id[j], s + 1,
                             d->species[s], f->charge[j], f->x[0][j], f->x[1][j], f->x[2][j]);
    }
    return st;
}

static gmd_status dump_flush(void *state, gmd_error *err)
{
    dump_state *d = state;
    return gmd_text_flush(d->text, err);
}

static long dump_position(const void *state)
{
    const dump_state *d = state;
    return gmd_text_position(d->text);
}

static gmd_status dump_close(void *state, gmd_error *err)
{
    dump_state *d = state;
    gmd_status st = gmd_text_close(d->text, err);
    free(d);
    return st;
}

const gmd_traj_backend gmd_traj_dump_backend = {
    .write = dump_write,
    .flush = dump_flush,
    .position = dump_position,
    .close = dump_close,
};
