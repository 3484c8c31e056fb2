/* system.c - allocation and bookkeeping of the structure-of-arrays atom data. */
#include "glassmd/system.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double gmd_box_volume(const gmd_box *box)
{
    return box->len[0] * box->len[1] * box->len[2];
}

int gmd_box_equal(const gmd_box *a, const gmd_box *b)
{
    for (int k = 0; k < 3; k++)
        if (a->lo[k] != b->lo[k] || a->len[k] != b->len[k]) return 0;
    return 1;
}

gmd_status gmd_atoms_init(gmd_atoms *atoms, size_t n, gmd_error *err)
{
    memset(atoms, 0, sizeof *atoms);
    gmd_status st = gmd_atoms_resize(atoms, n, err);
    if (st == GMD_OK) atoms->n = n;
    return st;
}

#define GROW(field, type)                                                                          \
    do {                                                                                           \
        type *p = gmd_realloc(atoms->field, n, sizeof(type), "atom data", err);                    \
        if (!p) return GMD_ERR_NOMEM;                                                              \
        memset(p + old, 0, (n - old) * sizeof(type));                                              \
        atoms->field = p;                                                                          \
    } while (0)

gmd_status gmd_atoms_resize(gmd_atoms *atoms, size_t n, gmd_error *err)
{
    if (n <= atoms->capacity && atoms->r[0]) return GMD_OK;
    size_t old = atoms->capacity;
    for (int k = 0; k < 3; k++) {
        GROW(r[k], double);
        GROW(v[k], double);
        GROW(f[k], double);
        GROW(image[k], int);
    }
    GROW(charge, double);
    GROW(type, int);
    GROW(id, long);
    atoms->capacity = n;
    return GMD_OK;
}
#undef GROW

void gmd_atoms_free(gmd_atoms *atoms)
{
    for (int k = 0; k < 3; k++) {
        free(atoms->r[k]);
        free(atoms->v[k]);
        free(atoms->f[k]);
        free(atoms->image[k]);
    }
    free(atoms->charge);
    free(atoms->type);
    free(atoms->id);
    memset(atoms, 0, sizeof *atoms);
}

void gmd_atoms_zero_forces(gmd_atoms *atoms)
{
    for (int k = 0; k < 3; k++)
        memset(atoms->f[k], 0, atoms->n * sizeof(double));
}

void gmd_atoms_wrap(gmd_atoms *atoms, const gmd_box *box)
{
    for (int k = 0; k < 3; k++) {
        double lo = box->lo[k], len = box->len[k];
        double *r = atoms->r[k];
        int *img = atoms->image[k];
        for (size_t i = 0; i < atoms->n; i++) {
            double shift = floor((r[i] - lo) / len);
            if (shift != 0.0) {
                r[i] -= shift * len;
                img[i] += (int)shift;
                if (r[i] >= lo + len) /* rounding at the upper edge */
                    r[i] -= len, img[i] += 1;
            }
        }
    }
}
