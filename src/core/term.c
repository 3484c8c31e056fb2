/* term.c - helpers shared by every force-field term. */
#include "glassmd/term.h"

#include <stdlib.h>
#include <string.h>

void gmd_tally_clear(gmd_tally *t)
{
    memset(t, 0, sizeof *t);
}

double gmd_tally_total(const gmd_tally *t)
{
    double e = 0.0;
    for (int p = 0; p < GMD_PART_COUNT; p++)
        e += t->energy[p];
    return e;
}

void gmd_term_free(gmd_term *term)
{
    if (!term) return;
    if (term->destroy) term->destroy(term);
    free(term);
}
