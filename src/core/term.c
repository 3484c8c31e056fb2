/* term.c - helpers shared by every force-field term: the energy tally, and the making
 * and freeing of a term (a struct of function pointers owning its state). */
#include "glassmd/term.h"

#include <stdlib.h>
#include <string.h>

void gmd_tally_clear(gmd_tally *t)
{
    memset(t, 0, sizeof *t);
}

void gmd_tally_add(gmd_tally *to, const gmd_tally *from)
{
    for (int p = 0; p < GMD_TALLY_MAX_PARTS; p++)
        to->energy[p] += from->energy[p];
    for (int c = 0; c < 6; c++)
        to->virial[c] += from->virial[c];
}

double gmd_tally_total(const gmd_tally *t)
{
    double e = 0.0;
    for (int p = 0; p < GMD_TALLY_MAX_PARTS; p++)
        e += t->energy[p];
    return e;
}

gmd_term *gmd_term_new(const gmd_term *kind, size_t state_size, gmd_error *err)
{
    gmd_term *term = gmd_calloc(1, sizeof *term, kind->name, err);
    void *state = term ? gmd_calloc(1, state_size, kind->name, err) : NULL;
    if (!state) {
        free(term);
        return NULL;
    }
    *term = *kind;
    term->state = state;
    return term;
}

void gmd_term_free(gmd_term *term)
{
    if (!term) return;
    if (term->destroy) term->destroy(term);
    free(term);
}
