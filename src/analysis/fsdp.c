/* fsdp.c - the first sharp diffraction peak of a partial S_ab(k) (SPEC section 5; default
 * pair Na-Na, settings->fsdp_pair), from the reciprocal-lattice S(k) of sq.c (the
 * transform of g(r) cut at L/2 cannot resolve features below ~2 pi / (L/2)). With a box
 * that changes between frames the shells hold each frame's own reciprocal lattice (sq.c).
 *
 * Definition (documented choice):
 * - search range 0.5 <= k <= 2.0 A^-1 on the shells of the direct S^FZ_ab(k) (shell width
 *   settings->sq_dk_invA, up to direct_sq_kmax_invA);
 * - peak: the shell with the largest S in the range; its position is refined by the
 *   parabola through it and its two neighbouring shells;
 * - background: the straight line between the minimum of S on the low-k side of the peak
 *   (within the range) and the minimum on the high-k side;
 * - intensity: S(peak shell) minus the background line at the refined position.
 * No peak (NaN, "found": false) when the maximum sits at an end of the range.
 *
 * Cost: the search needs k <= 2 A^-1 only, so the pair's S(k) is computed up to
 * min(direct_sq_kmax_invA, 2.5) A^-1 (fsdp.csv holds that range), and only the atoms of the
 * two species enter the phase sums (gmd_dsq_acc_select): for Na-Na in 50Na2S-50SiS2 about
 * (2.5/4)^3 / 3 = 8 % of the work of the full direct S(k) of sq.c, whose values for the pair
 * it reproduces shell by shell up to round-off. When sq runs too, both read the driver's
 * shared S(k) (gmd_analysis_system.reciprocal: every pair up to direct_sq_kmax_invA, each
 * frame transformed once), cut here at FSDP_KMAX_COMPUTED. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "structure_internal.h"

#define FSDP_KMIN 0.5
#define FSDP_KMAX 2.0
/* The S(k) of the pair is computed (and written to fsdp.csv) up to this k only. */
#define FSDP_KMAX_COMPUTED 2.5

int gmd_fsdp_find(const double *k, const double *s, int n, double kmin, double kmax, double *k_peak,
                  double *intensity)
{
    *k_peak = *intensity = NAN;
    int lo = -1, hi = -1, top = -1;
    for (int j = 0; j < n; j++)
        if (k[j] >= kmin && k[j] <= kmax) {
            if (lo < 0) lo = j;
            hi = j;
            if (top < 0 || s[j] > s[top]) top = j;
        }
    if (top <= lo || top >= hi) return 0;
    int left = lo, right = top + 1;
    for (int j = lo; j < top; j++)
        if (s[j] < s[left]) left = j;
    for (int j = top + 1; j <= hi; j++)
        if (s[j] < s[right]) right = j;
    double kp = gmd_parabola_vertex(k[top - 1], s[top - 1], k[top], s[top], k[top + 1], s[top + 1]);
    double slope = (s[right] - s[left]) / (k[right] - k[left]);
    double background = s[left] + slope * (kp - k[left]);
    *k_peak = kp;
    *intensity = s[top] - background;
    return 1;
}

typedef struct fsdp_state {
    gmd_analysis_settings settings;
    const gmd_species_table *species;
    int a, b;
    gmd_dsq_acc own_dsq; /* the pair only, up to FSDP_KMAX_COMPUTED: when nothing is shared */
    gmd_dsq_acc *dsq;    /* &own_dsq or the driver's gmd_analysis_system.reciprocal */
} fsdp_state;

static gmd_status fsdp_add_frame(gmd_analysis *self, const gmd_frame *frame, gmd_error *err)
{
    fsdp_state *st = self->state;
    return st->dsq == &st->own_dsq ? gmd_dsq_acc_add(st->dsq, frame, err) : GMD_OK;
}

static gmd_status fsdp_finish(gmd_analysis *self, cJSON *results, gmd_error *err)
{
    fsdp_state *st = self->state;
    const gmd_dsq_acc *d = st->dsq;
    if (d->nframes == 0) return gmd_fail(err, GMD_ERR_VALUE, "fsdp: no frames were read");
    double *k = gmd_calloc((size_t)d->nshell, sizeof(double), "fsdp shells", err);
    double *sal = gmd_calloc((size_t)d->nshell * d->npairs, sizeof(double), "fsdp shells", err);
    double *s = gmd_calloc((size_t)d->nshell, sizeof(double), "fsdp shells", err);
    if (!k || !sal || !s) {
        free(k);
        free(sal);
        free(s);
        return GMD_ERR_NOMEM;
    }
    int nout = gmd_dsq_acc_result(d, k, sal);
    while (nout > 0 && k[nout - 1] > FSDP_KMAX_COMPUTED) /* a shared S(k) reaches further */
        nout--;
    int p = gmd_pair_index(d->ns, st->a, st->b);
    double ca = (double)d->count[st->a] / (double)d->natoms;
    double cb = (double)d->count[st->b] / (double)d->natoms;
    for (int j = 0; j < nout; j++)
        s[j] = gmd_fz_from_al(sal[(size_t)p * d->nshell + j], st->a == st->b, ca, cb);
    double kp, amp;
    int found = gmd_fsdp_find(k, s, nout, FSDP_KMIN, FSDP_KMAX, &kp, &amp);
    cJSON *o = cJSON_AddObjectToObject(results, "fsdp");
    cJSON_AddStringToObject(o, "pair", st->settings.fsdp_pair);
    cJSON_AddBoolToObject(o, "found", found);
    if (found) {
        cJSON_AddNumberToObject(o, "k_invA", kp);
        cJSON_AddNumberToObject(o, "intensity", amp);
    } else {
        cJSON_AddNullToObject(o, "k_invA");
        cJSON_AddNullToObject(o, "intensity");
    }
    cJSON_AddStringToObject(o, "method",
                            "maximum of the reciprocal-lattice S_ab(k) (Faber-Ziman) in "
                            "0.5-2 A^-1, parabola-refined; intensity above the straight line "
                            "between the minima on either side within that range");
    char name[2 * GMD_NAME_LEN + 8];
    snprintf(name, sizeof name, "S_%s%s", st->species->name[st->a], st->species->name[st->b]);
    const char *names[2] = {"k_invA", name};
    const double *cols[2] = {k, s};
    gmd_status status = gmd_csv_write(st->settings.out_dir, "fsdp",
                                      "partial S(k) on the reciprocal lattice for the FSDP", 2,
                                      names, cols, (size_t)nout, err);
    if (status == GMD_OK) {
        gmd_plot plot = {.title = "First sharp diffraction peak",
                         .xlabel = "k (A^{-1})",
                         .ylabel = "S(k)",
                         .xcol = 1,
                         .nseries = 1,
                         .ycols = {2},
                         .labels = {name},
                         .extra = "set xrange [0:2.5]"};
        status = gmd_analysis_plot(&st->settings, "fsdp", &plot, err);
    }
    free(k);
    free(sal);
    free(s);
    return status;
}

static void fsdp_destroy(gmd_analysis *self)
{
    if (!self) return;
    fsdp_state *st = self->state;
    if (st) gmd_dsq_acc_free(&st->own_dsq);
    free(st);
    self->state = NULL;
}

gmd_status gmd_fsdp_create(gmd_analysis **out, const gmd_analysis_settings *settings,
                           const gmd_analysis_system *sys, const gmd_frame *first, gmd_error *err)
{
    (void)first;
    *out = NULL;
    char names[3][GMD_NAME_LEN];
    int parts = gmd_split_names(settings->fsdp_pair, names);
    int a = parts == 2 ? gmd_species_find(sys->species, names[0]) : -1;
    int b = parts == 2 ? gmd_species_find(sys->species, names[1]) : -1;
    if (a < 0 || b < 0)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "fsdp: pair '%s' is not two species of the trajectory joined by '-'; "
                        "give e.g. --fsdp-pair Na-Na",
                        settings->fsdp_pair);
    if (sys->count[a] < 1 || sys->count[b] < 1)
        return gmd_fail(err, GMD_ERR_VALUE, "fsdp: no atoms of pair '%s' in the trajectory",
                        settings->fsdp_pair);
    gmd_analysis *an = gmd_calloc(1, sizeof *an, "fsdp analysis", err);
    fsdp_state *st = an ? gmd_calloc(1, sizeof *st, "fsdp state", err) : NULL;
    if (!st) {
        free(an);
        return GMD_ERR_NOMEM;
    }
    st->settings = *settings;
    st->species = sys->species;
    st->a = a;
    st->b = b;
    st->dsq = sys->reciprocal ? sys->reciprocal : &st->own_dsq;
    if (!sys->reciprocal) {
        double kmax = settings->direct_sq_kmax_invA > 0.0 ? settings->direct_sq_kmax_invA : 4.0;
        gmd_status s = gmd_dsq_acc_init(&st->own_dsq, sys->species->n, sys->count, sys->natoms,
                                        fmin(kmax, FSDP_KMAX_COMPUTED), settings->sq_dk_invA,
                                        settings->threads, err);
        if (s != GMD_OK) {
            free(st);
            free(an);
            return s;
        }
        gmd_dsq_acc_select(&st->own_dsq, a, b);
        gmd_dsq_acc_set_method(&st->own_dsq, settings->sq_method);
    }
    an->name = "fsdp";
    an->state = st;
    an->add_frame = fsdp_add_frame;
    an->finish = fsdp_finish;
    an->destroy = fsdp_destroy;
    *out = an;
    return GMD_OK;
}
