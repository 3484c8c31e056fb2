/* config_io.c - format dispatch for configurations (gmd_config_read / gmd_config_write)
 * and the helpers shared by the LAMMPS-data and extended-XYZ code (io_util.h).
 *
 * AUTO picks the format from the file name: *.xyz and *.extxyz are extended XYZ, anything
 * else a LAMMPS data file (LAMMPS data files have no fixed extension). */
#include "glassmd/config_io.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io_util.h"

static int has_suffix(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    if (lx > ls) return 0;
    for (size_t i = 0; i < lx; i++)
        if (tolower((unsigned char)s[ls - lx + i]) != suffix[i]) return 0;
    return 1;
}

static gmd_config_format resolve(const char *path, gmd_config_format format)
{
    if (format != GMD_CONFIG_AUTO) return format;
    if (has_suffix(path, ".xyz") || has_suffix(path, ".extxyz")) return GMD_CONFIG_EXTXYZ;
    return GMD_CONFIG_LAMMPS_DATA;
}

gmd_status gmd_config_read(const char *path, gmd_config_format format, const gmd_forcefield *ff,
                           const char *types_map, gmd_box *box, gmd_atoms *atoms, gmd_error *err)
{
    if (resolve(path, format) == GMD_CONFIG_EXTXYZ)
        return gmd_extxyz_read(path, ff, box, atoms, err);
    return gmd_lammps_data_read(path, ff, types_map, box, atoms, err);
}

gmd_status gmd_config_write(const char *path, gmd_config_format format, const gmd_forcefield *ff,
                            const gmd_box *box, const gmd_atoms *atoms, const char *comment,
                            gmd_error *err)
{
    if (resolve(path, format) == GMD_CONFIG_EXTXYZ)
        return gmd_extxyz_write(path, ff, box, atoms, comment, err);
    return gmd_lammps_data_write(path, ff, box, atoms, comment, err);
}

/* ---- shared helpers (io_util.h) ---------------------------------------------------- */

typedef struct id_index {
    long id;
    size_t index;
} id_index;

static int compare_id(const void *a, const void *b)
{
    long x = ((const id_index *)a)->id, y = ((const id_index *)b)->id;
    return (x > y) - (x < y);
}

size_t *gmd_io_order_by_id(const gmd_atoms *atoms, gmd_error *err)
{
    id_index *pairs = gmd_calloc(atoms->n, sizeof *pairs, "id order", err);
    size_t *order = gmd_calloc(atoms->n, sizeof *order, "id order", err);
    if (!pairs || !order) {
        free(pairs);
        free(order);
        return NULL;
    }
    for (size_t i = 0; i < atoms->n; i++)
        pairs[i] = (id_index){atoms->id[i], i};
    qsort(pairs, atoms->n, sizeof *pairs, compare_id);
    for (size_t i = 0; i < atoms->n; i++)
        order[i] = pairs[i].index;
    free(pairs);
    return order;
}

gmd_status gmd_io_finish_atoms(const char *path, const gmd_forcefield *ff, const gmd_box *box,
                               gmd_atoms *atoms, gmd_error *err)
{
    long counts[GMD_MAX_SPECIES] = {0};
    for (size_t i = 0; i < atoms->n; i++) {
        atoms->charge[i] = ff->species[atoms->type[i]].charge;
        counts[atoms->type[i]]++;
    }
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < atoms->n; i++) {
            double shift = floor((atoms->r[k][i] - box->lo[k]) / box->len[k]);
            if (!(fabs(shift + atoms->image[k][i]) <= GMD_IO_MAX_IMAGE))
                return gmd_fail(err, GMD_ERR_VALUE,
                                "%s: atom %ld lies %g box lengths outside the box (over %d); "
                                "the file is damaged: fix its position or write the file again",
                                path, atoms->id[i], shift + atoms->image[k][i], GMD_IO_MAX_IMAGE);
        }
    gmd_atoms_wrap(atoms, box);
    gmd_error inner;
    if (gmd_forcefield_check_neutral(ff, counts, &inner) != GMD_OK)
        return gmd_fail(err, inner.code, "%s: %s", path, inner.message);
    return GMD_OK;
}
