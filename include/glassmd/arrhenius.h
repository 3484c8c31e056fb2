/* arrhenius.h - Arrhenius fits y(T) = y0 exp(-E_A / (kB T)) of diffusion coefficients and
 * conductivities (SPEC section 5), from arrays or from several `glassmd analyze` result
 * folders.
 *
 * The fit is the straight line ln y = ln y0 - (E_A / kB) (1/T), by least squares:
 *  - weighted, w_i = 1 / s_i^2 with s_i = err_i / y_i (the error bar propagated to ln y),
 *    when every point has a finite positive error bar;
 *  - unweighted otherwise.
 * Standard errors (slope b = -E_A/kB, intercept a = ln y0), with S = sum w, Sx = sum w x,
 * Sxx = sum w x^2, Delta = S Sxx - Sx^2, x = 1/T:
 *  - weighted: var(b) = S / Delta, var(a) = Sxx / Delta (the error bars taken as absolute),
 *    multiplied by the Birge ratio chi^2/(n-2) when that exceeds 1 (the points scatter more
 *    than their error bars say; the Particle Data Group's scale-factor convention);
 *  - unweighted (w = 1): the same with the residual variance RSS/(n-2) as the factor
 *    (the textbook standard error of a regression slope); NaN for n = 2.
 * E_A = -b kB in eV (kB = GMD_KB_EV_K), err_eV = kB sqrt(var(b)); prefactor y0 = exp(a),
 * prefactor_err = y0 sqrt(var(a)) (first order), in the unit of y. */
#ifndef GLASSMD_ARRHENIUS_H
#define GLASSMD_ARRHENIUS_H

#include "glassmd/error.h"

struct cJSON;

typedef struct gmd_arrhenius_fit {
    double E_A_eV, err_eV;           /* activation energy and its standard error */
    double prefactor, prefactor_err; /* y0 and its standard error (unit of y) */
    double ln_prefactor, ln_prefactor_err;
    double chi2; /* weighted (or plain) sum of squared residuals in ln y */
    int npoints;
    int weighted; /* 1: weights from the error bars */
} gmd_arrhenius_fit;

/* Fits n points (T_K[i] > 0, y[i] > 0; y_err may be NULL or hold NaN / 0 for "no error
 * bar", which makes the fit unweighted). GMD_ERR_VALUE for n < 2, a non-positive T or y,
 * or fewer than two distinct temperatures. */
gmd_status gmd_arrhenius_fit_points(const double *T_K, const double *y, const double *y_err, int n,
                                    gmd_arrhenius_fit *fit, gmd_error *err);

/* Reads DIR/results.json of n `glassmd analyze` runs at different temperatures and fits
 * every quantity present in at least two of them:
 *   D_<species>        from "diffusion_cm2_s": {"<species>": {"D", "err"}}   (cm^2/s)
 *   sigma              from "conductivity_S_cm": {"einstein_helfand": {"value", "err"}}
 *   sigma_NE_<species> and sigma_NE_network, sigma_NE_total from
 *                      "conductivity_S_cm": {"nernst_einstein": {...},
 *                                            "nernst_einstein_err": {...}}     (S/cm)
 * The temperature of a run is read from, in this order, "temperature_K" at the top level,
 * "settings": {"temperature_K"}, "conductivity_S_cm": {"temperature_K"}: the temperature
 * the analysis used, which is the measured mean when it was given the run's thermo file
 * (docs/analysis.md), so the 1/T axis is the measured one. "temperature_setpoint_K" and
 * "temperature_err_K" are carried beside it (NaN / null when absent). Points with a
 * missing or non-positive value are left out (a non-diffusive species can give D <= 0).
 * Writes OUT_DIR/arrhenius.csv (T_set_K, T_K, T_err_K, inv_T_1000_per_K and, per
 * quantity, ln_Q, ln_Q_err, fit_ln_Q) and the figure OUT_DIR/arrhenius (ln y against
 * 1000/T with the fitted lines), and adds to results (a cJSON object) "arrhenius":
 * {"D_Na": {"E_A_eV", "err_eV", "prefactor", "prefactor_err", "npoints", "weighted",
 * "T_K": [...], "T_set_K": [...], "T_err_K": [...]}, ..., "sigma": {...}}.
 * Errors name the folder and what is missing. */
gmd_status gmd_arrhenius_from_results(const char *const *dirs, int n, const char *out_dir,
                                      struct cJSON *results, gmd_error *err);

#endif
