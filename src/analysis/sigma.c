/* sigma.c - ionic conductivity: Einstein-Helfand (SPEC section 5, paper Eq. 6) and the
 * Nernst-Einstein split (Eq. 7), with the Haven ratio.
 *
 * Einstein-Helfand: with the collective charge displacement M(t) = sum_i q_i r_i(t)
 * (unwrapped positions, q_i in e),
 *     sigma = lim_{t->inf} <|M(t0 + t) - M(t0)|^2>_{t0} / (6 t V kB T)   [times e^2]
 * The average over all time origins t0 is the windowed MSD of the three components of M,
 * by the same FFT algorithm as the per-atom MSD (msd.c). The limit is the slope of
 * <|dM|^2> against t, fitted by least squares over a window: the settings' window
 * (msd_fit_t0_ps / t1_ps) when given, else the diffusive window of the modifier species'
 * MSD (settings->modifier, default Na: the carrier of the current), else that of the first
 * species with a diffusive window, else the automatic rule applied to <|dM|^2> itself.
 * The collective quantity has no average over atoms, so it is much noisier than the MSD;
 * its error bar comes from settings->msd_blocks independent blocks of the trajectory
 * (standard error of the block mean).
 *
 * Nernst-Einstein: sigma_k = e^2 N_k q_k^2 D_k / (V kB T) per species k, with D_k from the
 * per-species MSD fitted exactly as msd.c does (each species over its own window); the
 * total is the sum, the network part the former + bridge species (settings->former,
 * bridge; SPEC: Si + S). Haven ratio H = sigma_NE(total) / sigma_EH (SPEC's definition);
 * H = 1 when the ions move independently.
 *
 * Units: slope in e^2 A^2 / ps, V in A^3 (mean box volume over the frames: with a box
 * that changes (NPT) the Einstein-Helfand and Nernst-Einstein sums use <V>; the
 * positions in M are unwrapped under the changing box as msd.c's, dynamics_internal.h),
 * kB T in eV;
 * GMD_SIGMA_UNIT_S_CM (dynamics_internal.h) turns e^2 / (A ps eV) into S/cm.
 *
 * Output: sigma_eh.csv (log-spaced lags: <|dM|^2> and the running estimate
 * <|dM|^2> / (6 t V kB T)), figures sigma_eh and sigma_running; results
 * "conductivity_S_cm". */
#include "../io/json_util.h"
#include "dynamics_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glassmd/units.h"

typedef struct sigma_state {
    gmd_analysis_settings settings;
    gmd_species_table species;
    long count[GMD_MAX_SPECIES];
    gmd_dyn_traj own;       /* the frames, when the driver shares no store */
    const gmd_dyn_traj *tr; /* &own or the driver's (gmd_analysis_system.trajectory) */
    gmd_dyn_cache *cache;   /* the shared store's MSD and D, or NULL */
} sigma_state;

/* Everything finish() computes, in S/cm. */
typedef struct sigma_result {
    double volume_A3, kT_eV, unit; /* unit: S/cm per (e^2 A^2/ps) of slope/6 */
    size_t m0, m1;                 /* EH window in lags */
    double eh, eh_err;
    gmd_dyn_diffusion d[GMD_MAX_SPECIES];
    double ne[GMD_MAX_SPECIES], ne_err[GMD_MAX_SPECIES];
    double ne_total, ne_total_err, ne_network, ne_network_err;
    double haven, haven_err;
} sigma_result;

static gmd_status sigma_add_frame(gmd_analysis *self, const gmd_frame *frame, gmd_error *err)
{
    sigma_state *st = self->state;
    return st->tr == &st->own ? gmd_dyn_traj_add(&st->own, frame, err) : GMD_OK;
}

static int species_index(const gmd_species_table *t, const char *name)
{
    for (int s = 0; s < t->n; s++)
        if (strcmp(t->name[s], name) == 0) return s;
    return -1;
}

/* The EH fit window (rule in the header comment). */
static void eh_window(const sigma_state *st, const sigma_result *r, const double *dm2, size_t *m0,
                      size_t *m1)
{
    int explicit_window = st->settings.msd_fit_t1_ps > 0.0;
    int mod = species_index(&st->species, st->settings.modifier);
    int pick = -1;
    if (explicit_window || (mod >= 0 && r->d[mod].present)) {
        pick = explicit_window ? 0 : mod;
        while (!r->d[pick].present) /* explicit: every species has the same window */
            pick++;
    } else {
        for (int s = 0; s < st->species.n && pick < 0; s++)
            if (r->d[s].present && r->d[s].diffusive) pick = s;
    }
    if (pick >= 0) {
        *m0 = r->d[pick].m0, *m1 = r->d[pick].m1;
        return;
    }
    int diffusive;
    gmd_dyn_find_window(dm2, gmd_dyn_max_fit_lag(st->tr->nframes, st->settings.msd_blocks), m0, m1,
                        &diffusive);
}

/* Error of sigma_EH from blocks (NaN when the window does not fit in a block). */
static gmd_status eh_block_error(const sigma_state *st, const double *charge, sigma_result *r,
                                 gmd_error *err)
{
    int nb = st->settings.msd_blocks;
    size_t len = nb >= 2 ? st->tr->nframes / (size_t)nb : 0;
    r->eh_err = NAN;
    if (nb < 2 || len < 3 || r->m1 > len - 1) return GMD_OK;
    double *dm2 = gmd_calloc(len, sizeof *dm2, "block charge displacement", err);
    double *v = gmd_calloc((size_t)nb, sizeof *v, "block sigma", err);
    gmd_status s = (dm2 && v) ? GMD_OK : GMD_ERR_NOMEM;
    for (int b = 0; s == GMD_OK && b < nb; b++) {
        s = gmd_dyn_charge_msd(st->tr, charge, (size_t)b * len, len, dm2, err);
        v[b] = gmd_dyn_fit_slope(dm2, r->m0, r->m1, st->tr->spacing_ps) / 6.0 * r->unit;
    }
    double mean;
    if (s == GMD_OK) gmd_dyn_mean_sem(v, nb, &mean, &r->eh_err);
    free(dm2);
    free(v);
    return s;
}

/* sigma_k and its error from D_k; sums for the total and the network part. */
static void nernst_einstein(const sigma_state *st, sigma_result *r)
{
    int former = species_index(&st->species, st->settings.former);
    int bridge = species_index(&st->species, st->settings.bridge);
    double var_total = 0.0, var_network = 0.0;
    r->ne_total = r->ne_network = 0.0;
    for (int s = 0; s < st->species.n; s++) {
        double q = st->species.charge[s];
        double f = r->unit * (double)st->count[s] * q * q;
        r->ne[s] = r->d[s].present ? f * r->d[s].D_A2_ps : 0.0;
        r->ne_err[s] = r->d[s].present ? f * r->d[s].err_A2_ps : 0.0;
        r->ne_total += r->ne[s];
        var_total += r->ne_err[s] * r->ne_err[s];
        if (s == former || s == bridge) {
            r->ne_network += r->ne[s];
            var_network += r->ne_err[s] * r->ne_err[s];
        }
    }
    r->ne_total_err = sqrt(var_total);
    r->ne_network_err = sqrt(var_network);
    r->haven = r->ne_total / r->eh;
    r->haven_err =
        fabs(r->haven) * sqrt(pow(r->ne_total_err / r->ne_total, 2) + pow(r->eh_err / r->eh, 2));
}

static gmd_status sigma_results(const sigma_state *st, const sigma_result *r, cJSON *results,
                                gmd_error *err)
{
    cJSON *c = cJSON_AddObjectToObject(results, "conductivity_S_cm");
    cJSON *eh = c ? cJSON_AddObjectToObject(c, "einstein_helfand") : NULL;
    cJSON *ne = c ? cJSON_AddObjectToObject(c, "nernst_einstein") : NULL;
    cJSON *nerr = c ? cJSON_AddObjectToObject(c, "nernst_einstein_err") : NULL;
    double window[2] = {(double)r->m0 * st->tr->spacing_ps, (double)r->m1 * st->tr->spacing_ps};
    cJSON *fit = cJSON_CreateDoubleArray(window, 2);
    if (!eh || !ne || !nerr || !fit) {
        cJSON_Delete(fit);
        return gmd_fail(err, GMD_ERR_NOMEM, "out of memory for the sigma results");
    }
    gmd_json_add_number_or_null(eh, "value", r->eh);
    gmd_json_add_number_or_null(eh, "err", r->eh_err);
    cJSON_AddItemToObject(eh, "fit_ps", fit);
    gmd_json_add_number_or_null(ne, "total", r->ne_total);
    gmd_json_add_number_or_null(nerr, "total", r->ne_total_err);
    for (int s = 0; s < st->species.n; s++) {
        if (!st->count[s]) continue;
        gmd_json_add_number_or_null(ne, st->species.name[s], r->ne[s]);
        gmd_json_add_number_or_null(nerr, st->species.name[s], r->ne_err[s]);
    }
    gmd_json_add_number_or_null(ne, "network", r->ne_network);
    gmd_json_add_number_or_null(nerr, "network", r->ne_network_err);
    gmd_json_add_number_or_null(c, "haven_ratio", r->haven);
    gmd_json_add_number_or_null(c, "haven_ratio_err", r->haven_err);
    cJSON_AddNumberToObject(c, "temperature_K", st->settings.temperature_K);
    cJSON_AddNumberToObject(c, "volume_A3", r->volume_A3);
    cJSON_AddStringToObject(c, "volume", "mean box volume over the analysed frames");
    cJSON_AddNumberToObject(c, "box_changes", (double)st->tr->box_changes);
    cJSON_AddStringToObject(c, "unwrapping", gmd_dyn_unwrapping(st->tr));
    return GMD_OK;
}

/* sigma_eh.csv on the log grid and its figures. */
static gmd_status sigma_curves(const sigma_state *st, const sigma_result *r, const double *dm2,
                               gmd_error *err)
{
    size_t n = st->tr->nframes, ng = gmd_dyn_log_grid_size(n - 1);
    double *buf = gmd_calloc(3 * ng, sizeof *buf, "sigma curves", err);
    size_t *lags = gmd_calloc(ng, sizeof *lags, "sigma lags", err);
    gmd_status s = (buf && lags) ? GMD_OK : GMD_ERR_NOMEM;
    if (s == GMD_OK) {
        gmd_dyn_log_grid(n - 1, lags);
        for (size_t j = 0; j < ng; j++) {
            double t = (double)lags[j] * st->tr->spacing_ps;
            buf[j] = t;
            buf[ng + j] = dm2[lags[j]];
            buf[2 * ng + j] = dm2[lags[j]] / (6.0 * t) * r->unit;
        }
        const char *names[3] = {"time_ps", "dM2_e2A2", "sigma_running_S_cm"};
        const double *cols[3] = {buf, buf + ng, buf + 2 * ng};
        s = gmd_csv_write(st->settings.out_dir, "sigma_eh",
                          "Einstein-Helfand collective charge displacement <|M(t)-M(0)|^2> and "
                          "<|dM|^2>/(6 t V kB T)",
                          3, names, cols, ng, err);
    }
    gmd_plot pd = {.title = "Collective charge displacement",
                   .xlabel = "t (ps)",
                   .ylabel = "<|M(t)-M(0)|^2> (e^2 A^2)",
                   .xcol = 1,
                   .nseries = 1,
                   .ycols = {2},
                   .labels = {"Einstein-Helfand"},
                   .logx = 1,
                   .logy = 1,
                   .csv = "sigma_eh.csv"};
    gmd_plot pr = {.title = "Running Einstein-Helfand conductivity",
                   .xlabel = "t (ps)",
                   .ylabel = "sigma (S/cm)",
                   .xcol = 1,
                   .nseries = 1,
                   .ycols = {3},
                   .labels = {"<|dM|^2>/(6 t V kB T)"},
                   .logx = 1,
                   .csv = "sigma_eh.csv"};
    if (s == GMD_OK) s = gmd_analysis_plot(&st->settings, "sigma_eh", &pd, err);
    if (s == GMD_OK) s = gmd_analysis_plot(&st->settings, "sigma_running", &pr, err);
    free(buf);
    free(lags);
    return s;
}

/* Computes sigma_EH, D_k, sigma_NE and H; dm2 (nframes) receives <|dM|^2>. */
static gmd_status sigma_compute(const sigma_state *st, sigma_result *r, double *dm2, gmd_error *err)
{
    const gmd_dyn_traj *tr = st->tr;
    int nsp = st->species.n;
    r->volume_A3 = gmd_dyn_traj_mean_volume(tr);
    r->kT_eV = GMD_KB_EV_K * st->settings.temperature_K;
    r->unit = GMD_SIGMA_UNIT_S_CM / (r->volume_A3 * r->kT_eV);
    double *msd = gmd_calloc((size_t)nsp * tr->nframes, sizeof *msd, "MSD", err);
    if (!msd) return GMD_ERR_NOMEM;
    gmd_status s =
        gmd_dyn_species_diffusion(tr, &st->settings, nsp, st->count, st->cache, msd, r->d, err);
    free(msd);
    if (s == GMD_OK) s = gmd_dyn_charge_msd(tr, st->species.charge, 0, tr->nframes, dm2, err);
    if (s != GMD_OK) return s;
    eh_window(st, r, dm2, &r->m0, &r->m1);
    r->eh = gmd_dyn_fit_slope(dm2, r->m0, r->m1, tr->spacing_ps) / 6.0 * r->unit;
    s = eh_block_error(st, st->species.charge, r, err);
    if (s == GMD_OK) nernst_einstein(st, r);
    return s;
}

static gmd_status sigma_finish(gmd_analysis *self, cJSON *results, gmd_error *err)
{
    sigma_state *st = self->state;
    gmd_status s = gmd_dyn_check_frames(st->tr, 4, "sigma", err);
    if (s != GMD_OK) return s;
    sigma_result *r = gmd_calloc(1, sizeof *r, "sigma result", err);
    double *dm2 = gmd_calloc(st->tr->nframes, sizeof *dm2, "charge displacement", err);
    s = (r && dm2) ? sigma_compute(st, r, dm2, err) : GMD_ERR_NOMEM;
    if (s == GMD_OK) s = sigma_curves(st, r, dm2, err);
    if (s == GMD_OK) s = sigma_results(st, r, results, err);
    free(r);
    free(dm2);
    return s;
}

static void sigma_destroy(gmd_analysis *self)
{
    sigma_state *st = self->state;
    if (!st) return;
    gmd_dyn_traj_free(&st->own);
    free(st);
    self->state = NULL;
}

static gmd_status sigma_check_inputs(const gmd_analysis_settings *settings,
                                     const gmd_analysis_system *sys, gmd_error *err)
{
    if (!(settings->temperature_K > 0.0))
        return gmd_fail(err, GMD_ERR_VALUE,
                        "sigma needs the temperature of the trajectory (got %g K); give it "
                        "(--temperature K, settings temperature_K > 0)",
                        settings->temperature_K);
    if (!sys->species->have_charges)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "sigma needs the ionic charges but the trajectory's species have "
                        "none; give the force field (--ff FILE) that names the species' "
                        "charges");
    return GMD_OK;
}

gmd_status gmd_sigma_create(gmd_analysis **out, const gmd_analysis_settings *settings,
                            const gmd_analysis_system *sys, const gmd_frame *first, gmd_error *err)
{
    *out = NULL;
    gmd_status s = sigma_check_inputs(settings, sys, err);
    if (s != GMD_OK) return s;
    gmd_analysis *a = gmd_calloc(1, sizeof *a, "sigma analysis", err);
    sigma_state *st = a ? gmd_calloc(1, sizeof *st, "sigma state", err) : NULL;
    if (!st) {
        free(a);
        return GMD_ERR_NOMEM;
    }
    st->settings = *settings;
    st->species = *sys->species;
    a->name = "sigma";
    a->state = st;
    a->add_frame = sigma_add_frame;
    a->finish = sigma_finish;
    a->destroy = sigma_destroy;
    st->tr = sys->trajectory ? &sys->trajectory->traj : &st->own;
    st->cache = sys->trajectory ? &sys->trajectory->cache : NULL;
    if (!sys->trajectory) s = gmd_dyn_traj_init(&st->own, first, err);
    if (s == GMD_OK) s = gmd_dyn_count_species(first, st->species.n, st->count, err);
    if (s != GMD_OK) {
        sigma_destroy(a);
        free(a);
        return s;
    }
    *out = a;
    return GMD_OK;
}

gmd_status gmd_sigma_set_temperature(gmd_analysis *sigma, double T_K, gmd_error *err)
{
    if (!sigma || !sigma->name || strcmp(sigma->name, "sigma") != 0)
        return gmd_fail(err, GMD_ERR_INTERNAL,
                        "gmd_sigma_set_temperature: the analysis is not sigma; pass the one "
                        "gmd_sigma_create made");
    if (!(T_K > 0.0) || !isfinite(T_K))
        return gmd_fail(err, GMD_ERR_VALUE,
                        "sigma: temperature %g K; give a finite temperature > 0 K", T_K);
    sigma_state *st = sigma->state;
    st->settings.temperature_K = T_K;
    return GMD_OK;
}
