/* settings.c - the defaults of the analysis settings (SPEC section 5) and the common
 * destructor of an analysis. Every analysis reads its parameters from one
 * gmd_analysis_settings, so a default changes here and nowhere else. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glassmd/analysis.h"

void gmd_analysis_default_settings(gmd_analysis_settings *s)
{
    static const char *const angles[] = {"Si-S-Si", "S-Si-S", "Na-S-Na", "S-Na-S"};
    memset(s, 0, sizeof *s);
    s->out_dir = ".";
    s->temperature_K = 0.0; /* unknown: sigma needs it */
    s->dt_fs = 1.0;         /* SPEC section 1 */
    s->rdf_rmax_A = 0.0;    /* half the smallest box length */
    s->rdf_dr_A = 0.02;
    s->sq_kmax_invA = 20.0;
    s->sq_dk_invA = 0.02;
    s->sq_lorch = 0;
    s->direct_sq_kmax_invA = 4.0;
    s->sq_method = GMD_SQ_GRID;
    s->exp_sq_path = NULL;
    s->msd_fit_t0_ps = s->msd_fit_t1_ps = 0.0; /* find the diffusive regime */
    s->msd_blocks = 5;
    snprintf(s->former, sizeof s->former, "Si");
    snprintf(s->bridge, sizeof s->bridge, "S");
    snprintf(s->modifier, sizeof s->modifier, "Na");
    s->cut_former_bridge_A = 2.7;
    s->cut_modifier_bridge_A = 3.5;
    s->cut_homopolar_A = 2.4;
    snprintf(s->fsdp_pair, sizeof s->fsdp_pair, "Na-Na");
    s->nangle_triplets = (int)(sizeof angles / sizeof angles[0]);
    for (int t = 0; t < s->nangle_triplets; t++)
        snprintf(s->angle_triplets[t], sizeof s->angle_triplets[t], "%s", angles[t]);
    s->threads = omp_get_max_threads();
}

void gmd_analysis_free(gmd_analysis *a)
{
    if (!a) return;
    if (a->destroy) a->destroy(a);
    free(a);
}
