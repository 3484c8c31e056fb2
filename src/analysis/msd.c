/* msd.c - mean-square displacement per species and self-diffusion coefficients (SPEC
 * section 5, paper Eqs. 4-5), and the machinery sigma.c shares (dynamics_internal.h).
 *
 * Data: every frame's unwrapped positions are stored (gmd_dyn_traj: frame after frame,
 * pos[(t * 3 + k) * natoms + i], 24 bytes per atom and frame), because an average over
 * all time origins needs the whole trajectory. Frames must be equally spaced in time;
 * the store checks this as they arrive. A box that changes from frame to frame (NPT) is
 * followed frame by frame: the displacement between two frames is the step of the
 * wrapped position in the later frame's box plus whole box lengths for the crossings, so
 * that the barostat's scaling of an atom's image count is not taken for motion
 * (dynamics_internal.h); results "msd" say so ("unwrapping").
 *
 * MSD: per atom and Cartesian component, the windowed MSD over all time origins by the
 * FFT algorithm (see dynamics_internal.h), O(n log n) per atom instead of O(n^2); summed
 * over the components and averaged over the atoms of each species. Atoms are shared out
 * among OpenMP threads (static schedule), each thread adds into its own per-species sums
 * and the sums are added in thread order, so a given thread count always gives the same
 * digits and different counts differ by round-off only. FFTW plans are made once, serially
 * (the planner is not thread-safe), and executed on per-thread arrays (fftw_execute_dft_*
 * with fftw_malloc'd arrays, which FFTW allows from several threads).
 *
 * D: slope/6 of MSD(t) by least squares over a fit window: from the settings
 * (msd_fit_t0_ps, msd_fit_t1_ps) or found automatically where the local exponent
 * beta = d ln MSD / d ln t is within 0.1 of 1 (rule in dynamics_internal.h). Error bar:
 * the trajectory is cut into settings->msd_blocks consecutive blocks, D is fitted in each
 * over the same window, and the error is the standard error of the block mean. Units:
 * 1 A^2/ps = 1e-4 cm^2/s.
 *
 * Output: msd.csv (log-spaced lags: time, MSD and beta per species), msd_all.csv (every
 * lag), figures msd (log-log) and msd_beta; results "diffusion_cm2_s". */
#include "../io/json_util.h"
#include "dynamics_internal.h"

#include <cjson/cJSON.h>
#include <fftw3.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* ================================================================ trajectory store */

gmd_status gmd_dyn_traj_init(gmd_dyn_traj *tr, const gmd_frame *first, gmd_error *err)
{
    memset(tr, 0, sizeof *tr);
    if (first->n == 0) return gmd_fail(err, GMD_ERR_VALUE, "the first frame has no atoms");
    tr->natoms = first->n;
    tr->id = gmd_calloc(first->n, sizeof *tr->id, "msd atom ids", err);
    tr->type = gmd_calloc(first->n, sizeof *tr->type, "msd atom types", err);
    tr->prev_u = gmd_calloc(3 * first->n, sizeof *tr->prev_u, "msd previous frame", err);
    if (!tr->id || !tr->type || !tr->prev_u) {
        gmd_dyn_traj_free(tr);
        return GMD_ERR_NOMEM;
    }
    memcpy(tr->id, first->id, first->n * sizeof *tr->id);
    memcpy(tr->type, first->type, first->n * sizeof *tr->type);
    tr->time0_ps = first->time_ps;
    tr->step0 = first->step;
    return GMD_OK;
}

void gmd_dyn_traj_free(gmd_dyn_traj *tr)
{
    free(tr->pos);
    free(tr->id);
    free(tr->type);
    free(tr->prev_u);
    free(tr->shift);
    memset(tr, 0, sizeof *tr);
}

static gmd_status check_same_atoms(const gmd_dyn_traj *tr, const gmd_frame *f, gmd_error *err)
{
    if (f->n != tr->natoms)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "frame at step %ld has %zu atoms but the first frame had %zu; the "
                        "MSD needs the same atoms in every frame",
                        f->step, f->n, tr->natoms);
    for (size_t i = 0; i < f->n; i++)
        if (f->id[i] != tr->id[i] || f->type[i] != tr->type[i])
            return gmd_fail(err, GMD_ERR_VALUE,
                            "frame at step %ld: atom %zu has id %ld type %d but the first "
                            "frame had id %ld type %d; the MSD needs the same atoms in every "
                            "frame",
                            f->step, i, f->id[i], f->type[i], tr->id[i], tr->type[i]);
    return GMD_OK;
}

/* Frame t must lie at time0 + t * spacing; the spacing comes from frames 0 and 1. */
static gmd_status check_spacing(gmd_dyn_traj *tr, const gmd_frame *f, gmd_error *err)
{
    size_t t = tr->nframes;
    if (t == 0) return GMD_OK;
    if (t == 1) {
        tr->spacing_ps = f->time_ps - tr->time0_ps;
        if (!(tr->spacing_ps > 0.0))
            return gmd_fail(err, GMD_ERR_VALUE,
                            "step %ld (t = %.6g ps) is not later than the frame before (t = "
                            "%.6g ps); the MSD needs frames in increasing time: cut the "
                            "trajectory where the time goes back",
                            f->step, f->time_ps, tr->time0_ps);
        return GMD_OK;
    }
    double expected = tr->time0_ps + (double)t * tr->spacing_ps;
    double tol = 1e-6 * tr->spacing_ps + 1e-12 * fabs(expected);
    if (fabs(f->time_ps - expected) > tol)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "frame %zu (step %ld) is at t = %.10g ps, but frames 0 and 1 are "
                        "%.10g ps apart, which puts it at %.10g ps; the MSD's average over "
                        "all time origins needs equally spaced frames: write the trajectory "
                        "at one fixed interval, or analyse its equally spaced parts "
                        "separately",
                        t, f->step, f->time_ps, tr->spacing_ps, expected);
    return GMD_OK;
}

/* The box changed between the previous frame and this one: the previous frame's unwrapped
 * u = x + n L (x in its box, n whole) moved with its box to x' + n L', and of the n (L' -
 * L) in u' - u only x' - x is motion (the wrapped position, scaled by the barostat, plus
 * the atom's own step); the rest, - n (L' - L), joins the atom's shift. Whole box lengths
 * of the frame's own box (crossings) are kept as they come. */
static gmd_status shift_for_box_change(gmd_dyn_traj *tr, const gmd_box *box, gmd_error *err)
{
    const size_t n = tr->natoms;
    if (!tr->shift && !(tr->shift = gmd_calloc(3 * n, sizeof *tr->shift, "msd box shifts", err)))
        return GMD_ERR_NOMEM;
    for (int k = 0; k < 3; k++) {
        const double lo = tr->prev_box.lo[k], len = tr->prev_box.len[k];
        const double dlen = box->len[k] - len;
        const double *u = tr->prev_u + (size_t)k * n;
        double *shift = tr->shift + (size_t)k * n;
        for (size_t i = 0; i < n; i++)
            shift[i] -= floor((u[i] - lo) / len) * dlen;
    }
    return GMD_OK;
}

gmd_status gmd_dyn_traj_add(gmd_dyn_traj *tr, const gmd_frame *f, gmd_error *err)
{
    gmd_status st = check_same_atoms(tr, f, err);
    if (st == GMD_OK) st = check_spacing(tr, f, err);
    if (st != GMD_OK) return st;
    if (tr->nframes == tr->capacity) {
        size_t cap = tr->capacity ? 2 * tr->capacity : 64;
        double *p = gmd_realloc(tr->pos, cap * 3 * tr->natoms, sizeof *p,
                                "stored trajectory for msd/sigma", err);
        if (!p) return GMD_ERR_NOMEM;
        tr->pos = p;
        tr->capacity = cap;
    }
    const int changed = tr->nframes > 0 && !gmd_box_equal(&tr->prev_box, &f->box);
    if (changed && (st = shift_for_box_change(tr, &f->box, err))) return st;
    double *dst = tr->pos + tr->nframes * 3 * tr->natoms;
    for (int k = 0; k < 3; k++) {
        double *d = dst + (size_t)k * tr->natoms, *prev = tr->prev_u + (size_t)k * tr->natoms;
        memcpy(d, f->r[k], tr->natoms * sizeof *dst);
        memcpy(prev, f->r[k], tr->natoms * sizeof *prev);
        if (tr->shift)
            for (size_t i = 0; i < tr->natoms; i++)
                d[i] += tr->shift[(size_t)k * tr->natoms + i];
    }
    tr->prev_box = f->box;
    tr->volume_sum_A3 += f->box.len[0] * f->box.len[1] * f->box.len[2];
    tr->box_changes += (size_t)changed;
    tr->nframes++;
    return GMD_OK;
}

const char *gmd_dyn_unwrapping(const gmd_dyn_traj *tr)
{
    return tr->box_changes
               ? "the box changed between frames: displacement between frames = the step of "
                 "the wrapped position in the later frame's box + whole box lengths for the "
                 "crossings (u = x + n L(t); n (L(t) - L(t-1)) is not taken for motion)"
               : "fixed box: displacements of the unwrapped positions as read";
}

double gmd_dyn_traj_mean_volume(const gmd_dyn_traj *tr)
{
    return tr->nframes ? tr->volume_sum_A3 / (double)tr->nframes : 0.0;
}

gmd_status gmd_dyn_check_frames(const gmd_dyn_traj *tr, size_t min_frames, const char *what,
                                gmd_error *err)
{
    if (tr->nframes < min_frames)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "%s needs at least %zu frames but the trajectory has %zu; write "
                        "frames more often or run longer",
                        what, min_frames, tr->nframes);
    return GMD_OK;
}

gmd_status gmd_dyn_count_species(const gmd_frame *f, int nspecies, long *count, gmd_error *err)
{
    memset(count, 0, (size_t)nspecies * sizeof *count);
    for (size_t i = 0; i < f->n; i++) {
        if (f->type[i] < 0 || f->type[i] >= nspecies)
            return gmd_fail(err, GMD_ERR_VALUE,
                            "atom id %ld has species index %d but the trajectory names %d "
                            "species; name every type (--types Si,S,Na)",
                            f->id[i], f->type[i], nspecies);
        count[f->type[i]]++;
    }
    return GMD_OK;
}

/* ================================================================ FFT windowed MSD */

/* Plans for series of length n, zero-padded to nfft >= 2n (a product of 2, 3, 5, 7). */
typedef struct fft_plans {
    size_t n, nfft;
    fftw_plan r2c, c2r;
} fft_plans;

/* One thread's arrays (all fftw_malloc'd, hence aligned like the planning arrays). */
typedef struct fft_work {
    double *buf;        /* nfft reals: the padded series, then its autocorrelation */
    fftw_complex *spec; /* nfft / 2 + 1 */
    double *sq;         /* n: sum over components of x(t)^2 */
    double *acf;        /* n: sum over components of sum_t x(t) x(t+m) */
} fft_work;

static size_t smooth_size(size_t n)
{
    for (size_t m = n;; m++) {
        size_t r = m;
        static const size_t primes[4] = {2, 3, 5, 7};
        for (int p = 0; p < 4; p++)
            while (r % primes[p] == 0)
                r /= primes[p];
        if (r == 1) return m;
    }
}

static void fft_work_free(fft_work *w)
{
    fftw_free(w->buf);
    fftw_free(w->spec);
    fftw_free(w->sq);
    fftw_free(w->acf);
    memset(w, 0, sizeof *w);
}

static int fft_work_alloc(fft_work *w, size_t n, size_t nfft)
{
    w->buf = fftw_malloc(nfft * sizeof *w->buf);
    w->spec = fftw_malloc((nfft / 2 + 1) * sizeof *w->spec);
    w->sq = fftw_malloc(n * sizeof *w->sq);
    w->acf = fftw_malloc(n * sizeof *w->acf);
    if (w->buf && w->spec && w->sq && w->acf) return 1;
    fft_work_free(w);
    return 0;
}

static void fft_plans_free(fft_plans *p)
{
    if (p->r2c) fftw_destroy_plan(p->r2c);
    if (p->c2r) fftw_destroy_plan(p->c2r);
    memset(p, 0, sizeof *p);
}

static gmd_status fft_plans_make(fft_plans *p, size_t n, gmd_error *err)
{
    memset(p, 0, sizeof *p);
    p->n = n;
    p->nfft = smooth_size(2 * n);
    if (p->nfft > (size_t)2147483647)
        return gmd_fail(err, GMD_ERR_VALUE, "too many frames (%zu) for one FFT", n);
    fft_work w;
    if (!fft_work_alloc(&w, n, p->nfft))
        return gmd_fail(err, GMD_ERR_NOMEM, "out of memory for the MSD's FFT arrays");
    p->r2c = fftw_plan_dft_r2c_1d((int)p->nfft, w.buf, w.spec, FFTW_ESTIMATE);
    p->c2r = fftw_plan_dft_c2r_1d((int)p->nfft, w.spec, w.buf, FFTW_ESTIMATE);
    fft_work_free(&w);
    if (!p->r2c || !p->c2r) {
        fft_plans_free(p);
        return gmd_fail(err, GMD_ERR_INTERNAL, "FFTW could not plan a transform of %zu", p->nfft);
    }
    return GMD_OK;
}

/* Adds component x (length n) to w->sq and w->acf: shifted by its mean, zero-padded,
 * autocorrelated as |FFT|^2 transformed back (FFTW's c2r is unnormalised: / nfft). */
static void accumulate_component(const fft_plans *p, fft_work *w, const double *x)
{
    size_t n = p->n, nfft = p->nfft;
    double mean = 0.0;
    for (size_t t = 0; t < n; t++)
        mean += x[t];
    mean /= (double)n;
    for (size_t t = 0; t < n; t++) {
        w->buf[t] = x[t] - mean;
        w->sq[t] += w->buf[t] * w->buf[t];
    }
    memset(w->buf + n, 0, (nfft - n) * sizeof *w->buf);
    fftw_execute_dft_r2c(p->r2c, w->buf, w->spec);
    for (size_t k = 0; k < nfft / 2 + 1; k++) {
        double re = w->spec[k][0], im = w->spec[k][1];
        w->spec[k][0] = re * re + im * im;
        w->spec[k][1] = 0.0;
    }
    fftw_execute_dft_c2r(p->c2r, w->spec, w->buf);
    for (size_t m = 0; m < n; m++)
        w->acf[m] += w->buf[m] / (double)nfft;
}

/* MSD(m) = S1(m) - 2 S2(m) from the accumulated squares and autocorrelation; S1 is kept
 * as the running sum Q(m) = sum_{t<n-m} [x(t)^2 + x(t+m)^2], which loses the terms
 * x(m-1)^2 and x(n-m)^2 from one lag to the next. */
static void windowed_msd_from_sums(const fft_work *w, size_t n, double *out)
{
    double q = 0.0;
    for (size_t t = 0; t < n; t++)
        q += 2.0 * w->sq[t];
    out[0] = 0.0;
    for (size_t m = 1; m < n; m++) {
        q -= w->sq[m - 1] + w->sq[n - m];
        out[m] = (q - 2.0 * w->acf[m]) / (double)(n - m);
    }
}

static void msd_of_series(const fft_plans *p, fft_work *w, const double *const *x, int ndim,
                          double *out)
{
    memset(w->sq, 0, p->n * sizeof *w->sq);
    memset(w->acf, 0, p->n * sizeof *w->acf);
    for (int d = 0; d < ndim; d++)
        accumulate_component(p, w, x[d]);
    windowed_msd_from_sums(w, p->n, out);
}

gmd_status gmd_dyn_msd_fft(const double *const *x, int ndim, size_t n, double *out, gmd_error *err)
{
    if (n == 0) return GMD_OK;
    if (n == 1) {
        out[0] = 0.0;
        return GMD_OK;
    }
    fft_plans p;
    gmd_status st = fft_plans_make(&p, n, err);
    if (st != GMD_OK) return st;
    fft_work w;
    if (!fft_work_alloc(&w, n, p.nfft)) {
        fft_plans_free(&p);
        return gmd_fail(err, GMD_ERR_NOMEM, "out of memory for the MSD's FFT arrays");
    }
    msd_of_series(&p, &w, x, ndim, out);
    fft_work_free(&w);
    fft_plans_free(&p);
    return GMD_OK;
}

/* ================================================================ species MSD */

/* Copies atom i's three coordinates over frames [first, first + len) into x[k]. */
static void gather_atom(const gmd_dyn_traj *tr, size_t i, size_t first, size_t len,
                        double *const *x)
{
    for (size_t t = 0; t < len; t++) {
        const double *frame = tr->pos + (first + t) * 3 * tr->natoms;
        for (int k = 0; k < 3; k++)
            x[k][t] = frame[(size_t)k * tr->natoms + i];
    }
}

/* One thread's share of the atoms, added into its own sums (rows of len per species). */
static int species_msd_thread(const gmd_dyn_traj *tr, const fft_plans *p, size_t first,
                              double *sums)
{
    size_t len = p->n;
    fft_work w;
    double *series = fftw_malloc(4 * len * sizeof *series);
    int ok = series && fft_work_alloc(&w, len, p->nfft);
    if (!ok) {
        fftw_free(series);
        /* every thread must still meet the barrier of the omp for below */
    }
    double *x[3] = {series, series + len, series + 2 * len};
    double *one = series + 3 * len;
#pragma omp for schedule(static)
    for (size_t i = 0; i < tr->natoms; i++) {
        if (!ok) continue;
        gather_atom(tr, i, first, len, x);
        msd_of_series(p, &w, (const double *const *)x, 3, one);
        double *row = sums + (size_t)tr->type[i] * len;
        for (size_t m = 0; m < len; m++)
            row[m] += one[m];
    } /* loop over atoms */
    if (ok) {
        fft_work_free(&w);
        fftw_free(series);
    }
    return ok;
}

gmd_status gmd_dyn_species_msd(const gmd_dyn_traj *tr, int nspecies, size_t first, size_t len,
                               int threads, double *msd, gmd_error *err)
{
    if (first + len > tr->nframes || len < 2)
        return gmd_fail(err, GMD_ERR_INTERNAL, "species MSD over frames %zu..%zu of %zu", first,
                        first + len, tr->nframes);
    int nthreads = threads > 0 ? threads : 1;
    size_t row = (size_t)nspecies * len;
    double *sums = gmd_calloc((size_t)nthreads * row, sizeof *sums, "MSD sums", err);
    long *count = gmd_calloc((size_t)nspecies, sizeof *count, "MSD counts", err);
    fft_plans p = {0};
    gmd_status st = (sums && count) ? fft_plans_make(&p, len, err) : GMD_ERR_NOMEM;
    if (st != GMD_OK) {
        free(sums);
        free(count);
        return st;
    }
    int failed = 0;
#pragma omp parallel num_threads(nthreads) reduction(| : failed)
    {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        failed |= !species_msd_thread(tr, &p, first, sums + (size_t)tid * row);
    }
    fft_plans_free(&p);
    if (failed) {
        free(sums);
        free(count);
        return gmd_fail(err, GMD_ERR_NOMEM, "out of memory for the MSD's per-thread arrays");
    }
    for (size_t i = 0; i < tr->natoms; i++)
        count[tr->type[i]]++;
    memset(msd, 0, row * sizeof *msd);
    for (int t = 0; t < nthreads; t++) /* fixed order: reproducible digits */
        for (size_t j = 0; j < row; j++)
            msd[j] += sums[(size_t)t * row + j];
    for (int s = 0; s < nspecies; s++)
        for (size_t m = 0; m < len; m++)
            msd[(size_t)s * len + m] = count[s] ? msd[(size_t)s * len + m] / (double)count[s] : 0.0;
    free(sums);
    free(count);
    return GMD_OK;
}

gmd_status gmd_dyn_charge_msd(const gmd_dyn_traj *tr, const double *charge, size_t first,
                              size_t len, double *out, gmd_error *err)
{
    double *m = gmd_calloc(3 * len, sizeof *m, "collective charge displacement", err);
    if (!m) return GMD_ERR_NOMEM;
    for (size_t t = 0; t < len; t++) {
        const double *frame = tr->pos + (first + t) * 3 * tr->natoms;
        for (int k = 0; k < 3; k++) {
            double sum = 0.0;
            const double *rk = frame + (size_t)k * tr->natoms;
            for (size_t i = 0; i < tr->natoms; i++)
                sum += charge[tr->type[i]] * rk[i];
            m[(size_t)k * len + t] = sum;
        }
    }
    const double *x[3] = {m, m + len, m + 2 * len};
    gmd_status st = gmd_dyn_msd_fft(x, 3, len, out, err);
    free(m);
    return st;
}

/* ================================================================ lag grid, beta, fits */

size_t gmd_dyn_log_grid(size_t max_lag, size_t *lags)
{
    size_t count = 0, last = 0;
    for (int j = 0;; j++) {
        double v = pow(10.0, (double)j / GMD_DYN_GRID_PER_DECADE);
        if (v > (double)max_lag) break;
        size_t m = (size_t)llround(v);
        if (m > last && m <= max_lag) {
            if (lags) lags[count] = m;
            count++;
            last = m;
        }
    }
    if (max_lag >= 1 && last != max_lag) {
        if (lags) lags[count] = max_lag;
        count++;
    }
    return count;
}

size_t gmd_dyn_log_grid_size(size_t max_lag)
{
    return gmd_dyn_log_grid(max_lag, NULL);
}

void gmd_dyn_local_slope(const size_t *lags, size_t nlags, const double *y, double *beta)
{
    for (size_t j = 0; j < nlags; j++) {
        size_t a = j > 0 ? j - 1 : j;
        size_t b = j + 1 < nlags ? j + 1 : j;
        double ya = y[lags[a]], yb = y[lags[b]];
        if (a == b || !(ya > 0.0) || !(yb > 0.0))
            beta[j] = NAN;
        else
            beta[j] = (log(yb) - log(ya)) / (log((double)lags[b]) - log((double)lags[a]));
    }
}

size_t gmd_dyn_max_fit_lag(size_t nframes, int nblocks)
{
    size_t len = nblocks >= 2 ? nframes / (size_t)nblocks : nframes;
    if (len < 2) return 0;
    size_t m = (size_t)floor(GMD_DYN_USABLE_FRACTION * (double)(len - 1));
    return m >= 1 ? m : 1;
}

void gmd_dyn_find_window(const double *y, size_t max_lag, size_t *m0, size_t *m1, int *diffusive)
{
    *diffusive = 0;
    *m1 = max_lag;
    *m0 = (size_t)ceil((double)max_lag / GMD_DYN_MIN_SPAN);
    if (*m0 >= *m1) *m0 = *m1 > 0 ? *m1 - 1 : 0;
    size_t n = gmd_dyn_log_grid_size(max_lag);
    if (n < 2) return;
    size_t *lags = malloc(n * sizeof *lags);
    double *beta = malloc(n * sizeof *beta);
    if (lags && beta) {
        gmd_dyn_log_grid(max_lag, lags);
        gmd_dyn_local_slope(lags, n, y, beta);
        size_t start = 0;
        for (size_t j = 0; j <= n; j++) {
            int inside = j < n && fabs(beta[j] - 1.0) < GMD_DYN_BETA_TOL;
            if (inside) continue;
            /* the run start..j-1 (maybe empty) has just ended */
            if (j > start && (double)lags[j - 1] >= GMD_DYN_MIN_SPAN * (double)lags[start]) {
                *m0 = lags[start];
                *m1 = lags[j - 1];
                *diffusive = 1;
            }
            start = j + 1;
        }
    }
    /* without memory the fallback window stands, flagged as not diffusive */
    free(lags);
    free(beta);
}

double gmd_dyn_fit_slope(const double *y, size_t m0, size_t m1, double dt)
{
    double n = (double)(m1 - m0 + 1), tbar = 0.0, ybar = 0.0;
    for (size_t m = m0; m <= m1; m++) {
        tbar += (double)m * dt;
        ybar += y[m];
    }
    tbar /= n;
    ybar /= n;
    double sty = 0.0, stt = 0.0;
    for (size_t m = m0; m <= m1; m++) {
        double dtm = (double)m * dt - tbar;
        sty += dtm * (y[m] - ybar);
        stt += dtm * dtm;
    }
    return stt > 0.0 ? sty / stt : NAN;
}

void gmd_dyn_mean_sem(const double *v, int n, double *mean, double *sem)
{
    double sum = 0.0;
    for (int b = 0; b < n; b++)
        sum += v[b];
    *mean = n > 0 ? sum / n : NAN;
    if (n < 2) {
        *sem = NAN;
        return;
    }
    double ss = 0.0;
    for (int b = 0; b < n; b++)
        ss += (v[b] - *mean) * (v[b] - *mean);
    *sem = sqrt(ss / (double)(n - 1) / (double)n);
}

gmd_status gmd_dyn_settings_window(const gmd_analysis_settings *s, double dt_ps, size_t nframes,
                                   size_t *m0, size_t *m1, int *explicit_window, gmd_error *err)
{
    *explicit_window = s->msd_fit_t1_ps > 0.0;
    if (!*explicit_window) return GMD_OK;
    double t0 = s->msd_fit_t0_ps > 0.0 ? s->msd_fit_t0_ps : 0.0;
    long a = lround(t0 / dt_ps), b = lround(s->msd_fit_t1_ps / dt_ps);
    double tmax = (double)(nframes - 1) * dt_ps;
    if (b <= a || b > (long)(nframes - 1))
        return gmd_fail(err, GMD_ERR_VALUE,
                        "the MSD fit window %.6g..%.6g ps is not within the trajectory's lags "
                        "0..%.6g ps (frames every %.6g ps) or holds fewer than 2 lags; choose "
                        "0 <= t0 < t1 <= %.6g ps (msd_fit_t0_ps / msd_fit_t1_ps, --msd-fit)",
                        t0, s->msd_fit_t1_ps, tmax, dt_ps, tmax);
    *m0 = (size_t)a;
    *m1 = (size_t)b;
    return GMD_OK;
}

/* D (A^2/ps) of every present species over frames [first, first + len) with the given
 * windows: dblock[s]. */
static gmd_status block_diffusion(const gmd_dyn_traj *tr, const gmd_analysis_settings *s,
                                  int nspecies, size_t first, size_t len,
                                  const gmd_dyn_diffusion *d, double *dblock, gmd_error *err)
{
    double *msd = gmd_calloc((size_t)nspecies * len, sizeof *msd, "block MSD", err);
    if (!msd) return GMD_ERR_NOMEM;
    gmd_status st = gmd_dyn_species_msd(tr, nspecies, first, len, s->threads, msd, err);
    for (int sp = 0; st == GMD_OK && sp < nspecies; sp++)
        dblock[sp] = d[sp].present ? gmd_dyn_fit_slope(msd + (size_t)sp * len, d[sp].m0, d[sp].m1,
                                                       tr->spacing_ps) /
                                         6.0
                                   : NAN;
    free(msd);
    return st;
}

/* Error bars of D from nblocks blocks (left NaN when a window does not fit in a block). */
static gmd_status diffusion_errors(const gmd_dyn_traj *tr, const gmd_analysis_settings *s,
                                   int nspecies, gmd_dyn_diffusion *d, gmd_error *err)
{
    int nb = s->msd_blocks;
    size_t len = nb >= 2 ? tr->nframes / (size_t)nb : 0;
    if (nb < 2 || len < 3) return GMD_OK;
    double *dval = gmd_calloc((size_t)nb * (size_t)nspecies, sizeof *dval, "block D", err);
    if (!dval) return GMD_ERR_NOMEM;
    gmd_status st = GMD_OK;
    for (int b = 0; st == GMD_OK && b < nb; b++)
        st = block_diffusion(tr, s, nspecies, (size_t)b * len, len, d,
                             dval + (size_t)b * (size_t)nspecies, err);
    double *v = st == GMD_OK ? gmd_calloc((size_t)nb, sizeof *v, "block D", err) : NULL;
    for (int sp = 0; v && sp < nspecies; sp++) {
        if (!d[sp].present || d[sp].m1 > len - 1) continue;
        for (int b = 0; b < nb; b++)
            v[b] = dval[(size_t)b * (size_t)nspecies + (size_t)sp];
        double mean;
        gmd_dyn_mean_sem(v, nb, &mean, &d[sp].err_A2_ps);
    }
    if (st == GMD_OK && !v) st = GMD_ERR_NOMEM;
    free(v);
    free(dval);
    return st;
}

gmd_status gmd_dyn_diffusion_all(const gmd_dyn_traj *tr, const gmd_analysis_settings *s,
                                 int nspecies, const long *count, const double *msd_all,
                                 gmd_dyn_diffusion *out, gmd_error *err)
{
    size_t n = tr->nframes, m0 = 0, m1 = 0;
    int explicit_window;
    gmd_status st = gmd_dyn_settings_window(s, tr->spacing_ps, n, &m0, &m1, &explicit_window, err);
    if (st != GMD_OK) return st;
    size_t max_lag = gmd_dyn_max_fit_lag(n, s->msd_blocks);
    for (int sp = 0; sp < nspecies; sp++) {
        gmd_dyn_diffusion *d = &out[sp];
        memset(d, 0, sizeof *d);
        d->D_A2_ps = d->err_A2_ps = NAN;
        d->present = count[sp] > 0;
        if (!d->present) continue;
        const double *y = msd_all + (size_t)sp * n;
        if (explicit_window) {
            d->m0 = m0, d->m1 = m1, d->diffusive = 1;
        } else {
            gmd_dyn_find_window(y, max_lag, &d->m0, &d->m1, &d->diffusive);
        }
        d->D_A2_ps = gmd_dyn_fit_slope(y, d->m0, d->m1, tr->spacing_ps) / 6.0;
    }
    return diffusion_errors(tr, s, nspecies, out, err);
}

gmd_status gmd_dyn_species_diffusion(const gmd_dyn_traj *tr, const gmd_analysis_settings *s,
                                     int nspecies, const long *count, gmd_dyn_cache *cache,
                                     double *msd, gmd_dyn_diffusion *d, gmd_error *err)
{
    const size_t len = (size_t)nspecies * tr->nframes;
    if (cache && cache->have && cache->nspecies == nspecies && cache->nframes == tr->nframes &&
        cache->fit_t0_ps == s->msd_fit_t0_ps && cache->fit_t1_ps == s->msd_fit_t1_ps &&
        cache->blocks == s->msd_blocks) {
        memcpy(msd, cache->msd, len * sizeof *msd);
        memcpy(d, cache->d, (size_t)nspecies * sizeof *d);
        return GMD_OK;
    }
    gmd_status st = gmd_dyn_species_msd(tr, nspecies, 0, tr->nframes, s->threads, msd, err);
    if (st == GMD_OK) st = gmd_dyn_diffusion_all(tr, s, nspecies, count, msd, d, err);
    if (st != GMD_OK || !cache) return st;
    double *keep = realloc(cache->msd, (len ? len : 1) * sizeof *keep);
    if (!keep) return GMD_OK; /* nothing kept: computed again when asked again */
    cache->msd = keep;
    memcpy(cache->msd, msd, len * sizeof *msd);
    memcpy(cache->d, d, (size_t)nspecies * sizeof *d);
    cache->fit_t0_ps = s->msd_fit_t0_ps;
    cache->fit_t1_ps = s->msd_fit_t1_ps;
    cache->blocks = s->msd_blocks;
    cache->nspecies = nspecies;
    cache->nframes = tr->nframes;
    cache->have = 1;
    return GMD_OK;
}

gmd_status gmd_trajectory_store_create(gmd_trajectory_store **out, const gmd_frame *first,
                                       gmd_error *err)
{
    *out = gmd_calloc(1, sizeof **out, "trajectory store", err);
    if (!*out) return GMD_ERR_NOMEM;
    gmd_status st = gmd_dyn_traj_init(&(*out)->traj, first, err);
    if (st != GMD_OK) {
        gmd_trajectory_store_free(*out);
        *out = NULL;
    }
    return st;
}

gmd_status gmd_trajectory_store_add(gmd_trajectory_store *s, const gmd_frame *frame, gmd_error *err)
{
    return gmd_dyn_traj_add(&s->traj, frame, err);
}

void gmd_trajectory_store_free(gmd_trajectory_store *s)
{
    if (!s) return;
    gmd_dyn_traj_free(&s->traj);
    free(s->cache.msd);
    free(s);
}

/* ================================================================ the msd analysis */

typedef struct msd_state {
    gmd_analysis_settings settings;
    gmd_species_table species;
    long count[GMD_MAX_SPECIES];
    gmd_dyn_traj own;       /* the frames, when the driver shares no store */
    const gmd_dyn_traj *tr; /* &own or the driver's (gmd_analysis_system.trajectory) */
    gmd_dyn_cache *cache;   /* the shared store's MSD and D, or NULL */
} msd_state;

static gmd_status msd_add_frame(gmd_analysis *self, const gmd_frame *frame, gmd_error *err)
{
    msd_state *st = self->state;
    return st->tr == &st->own ? gmd_dyn_traj_add(&st->own, frame, err) : GMD_OK;
}

static gmd_status msd_results(const msd_state *st, const gmd_dyn_diffusion *d, cJSON *results,
                              gmd_error *err)
{
    cJSON *diff = cJSON_AddObjectToObject(results, "diffusion_cm2_s");
    if (!diff) return gmd_fail(err, GMD_ERR_NOMEM, "out of memory for the msd results");
    double dt = st->tr->spacing_ps;
    for (int sp = 0; sp < st->species.n; sp++) {
        if (!d[sp].present) continue;
        cJSON *o = cJSON_AddObjectToObject(diff, st->species.name[sp]);
        double window[2] = {(double)d[sp].m0 * dt, (double)d[sp].m1 * dt};
        cJSON *fit = cJSON_CreateDoubleArray(window, 2);
        if (!o || !fit) {
            cJSON_Delete(fit);
            return gmd_fail(err, GMD_ERR_NOMEM, "out of memory for the msd results");
        }
        gmd_json_add_number_or_null(o, "D", d[sp].D_A2_ps * GMD_A2_PS_TO_CM2_S);
        gmd_json_add_number_or_null(o, "err", d[sp].err_A2_ps * GMD_A2_PS_TO_CM2_S);
        cJSON_AddItemToObject(o, "fit_ps", fit);
        cJSON_AddBoolToObject(o, "diffusive", d[sp].diffusive);
    }
    cJSON *info = cJSON_AddObjectToObject(results, "msd");
    if (!info) return gmd_fail(err, GMD_ERR_NOMEM, "out of memory for the msd results");
    cJSON_AddNumberToObject(info, "frames", (double)st->tr->nframes);
    cJSON_AddNumberToObject(info, "frame_spacing_ps", dt);
    cJSON_AddNumberToObject(info, "blocks", st->settings.msd_blocks);
    cJSON_AddNumberToObject(info, "box_changes", (double)st->tr->box_changes);
    cJSON_AddStringToObject(info, "unwrapping", gmd_dyn_unwrapping(st->tr));
    return GMD_OK;
}

#define MSD_MAX_COLS (1 + 2 * GMD_MAX_SPECIES)

/* msd_all.csv: every lag. */
static gmd_status write_msd_all(const msd_state *st, const double *msd, gmd_error *err)
{
    size_t n = st->tr->nframes;
    double *time = gmd_calloc(n, sizeof *time, "msd times", err);
    if (!time) return GMD_ERR_NOMEM;
    for (size_t m = 0; m < n; m++)
        time[m] = (double)m * st->tr->spacing_ps;
    char names[MSD_MAX_COLS][GMD_NAME_LEN + 16];
    const char *cname[MSD_MAX_COLS] = {"time_ps"};
    const double *col[MSD_MAX_COLS] = {time};
    int nc = 1;
    for (int sp = 0; sp < st->species.n; sp++) {
        if (!st->count[sp]) continue;
        snprintf(names[nc], sizeof names[nc], "msd_%s_A2", st->species.name[sp]);
        cname[nc] = names[nc];
        col[nc++] = msd + (size_t)sp * n;
    }
    gmd_status s =
        gmd_csv_write(st->settings.out_dir, "msd_all",
                      "mean-square displacement per species, every lag", nc, cname, col, n, err);
    free(time);
    return s;
}

/* msd.csv on the log grid, with beta, and its two figures. */
static gmd_status write_msd_log(const msd_state *st, const double *msd, gmd_error *err)
{
    size_t n = st->tr->nframes, ng = gmd_dyn_log_grid_size(n - 1);
    int nsp = st->species.n;
    double *buf = gmd_calloc((size_t)(1 + 2 * nsp) * ng, sizeof *buf, "msd log grid", err);
    size_t *lags = gmd_calloc(ng, sizeof *lags, "msd lags", err);
    if (!buf || !lags) {
        free(buf);
        free(lags);
        return GMD_ERR_NOMEM;
    }
    gmd_dyn_log_grid(n - 1, lags);
    char names[MSD_MAX_COLS][GMD_NAME_LEN + 16];
    const char *cname[MSD_MAX_COLS] = {"time_ps"};
    const double *col[MSD_MAX_COLS] = {buf};
    gmd_plot pm = {.title = "Mean-square displacement",
                   .xlabel = "t (ps)",
                   .ylabel = "MSD (A^2)",
                   .xcol = 1,
                   .logx = 1,
                   .logy = 1,
                   .csv = "msd.csv"};
    gmd_plot pb = {.title = "Local exponent d ln MSD / d ln t",
                   .xlabel = "t (ps)",
                   .ylabel = "beta",
                   .xcol = 1,
                   .logx = 1,
                   .csv = "msd.csv",
                   .extra = "set yrange [0:2.2]"};
    for (size_t j = 0; j < ng; j++)
        buf[j] = (double)lags[j] * st->tr->spacing_ps;
    int nc = 1;
    for (int sp = 0; sp < nsp; sp++) {
        if (!st->count[sp]) continue;
        double *y = buf + (size_t)(nc)*ng, *beta = y + ng;
        for (size_t j = 0; j < ng; j++)
            y[j] = msd[(size_t)sp * n + lags[j]];
        gmd_dyn_local_slope(lags, ng, msd + (size_t)sp * n, beta);
        snprintf(names[nc], sizeof names[nc], "msd_%s_A2", st->species.name[sp]);
        snprintf(names[nc + 1], sizeof names[nc + 1], "beta_%s", st->species.name[sp]);
        pm.ycols[pm.nseries] = nc + 1, pm.labels[pm.nseries++] = st->species.name[sp];
        pb.ycols[pb.nseries] = nc + 2, pb.labels[pb.nseries++] = st->species.name[sp];
        cname[nc] = names[nc], col[nc] = y;
        cname[nc + 1] = names[nc + 1], col[nc + 1] = beta;
        nc += 2;
    }
    gmd_status s = gmd_csv_write(st->settings.out_dir, "msd",
                                 "MSD per species and local exponent beta = d ln MSD / d ln t, "
                                 "log-spaced lags",
                                 nc, cname, col, ng, err);
    if (s == GMD_OK) s = gmd_analysis_plot(&st->settings, "msd", &pm, err);
    if (s == GMD_OK) s = gmd_analysis_plot(&st->settings, "msd_beta", &pb, err);
    free(buf);
    free(lags);
    return s;
}

static gmd_status msd_finish(gmd_analysis *self, cJSON *results, gmd_error *err)
{
    msd_state *st = self->state;
    const gmd_dyn_traj *tr = st->tr;
    gmd_status s = gmd_dyn_check_frames(tr, 4, "msd", err);
    if (s != GMD_OK) return s;
    int nsp = st->species.n;
    double *msd = gmd_calloc((size_t)nsp * tr->nframes, sizeof *msd, "MSD", err);
    if (!msd) return GMD_ERR_NOMEM;
    gmd_dyn_diffusion d[GMD_MAX_SPECIES];
    s = gmd_dyn_species_diffusion(tr, &st->settings, nsp, st->count, st->cache, msd, d, err);
    if (s == GMD_OK) s = write_msd_all(st, msd, err);
    if (s == GMD_OK) s = write_msd_log(st, msd, err);
    if (s == GMD_OK) s = msd_results(st, d, results, err);
    free(msd);
    return s;
}

static void msd_destroy(gmd_analysis *self)
{
    msd_state *st = self->state;
    if (!st) return;
    gmd_dyn_traj_free(&st->own);
    free(st);
    self->state = NULL;
}

gmd_status gmd_msd_create(gmd_analysis **out, const gmd_analysis_settings *settings,
                          const gmd_analysis_system *sys, const gmd_frame *first, gmd_error *err)
{
    *out = NULL;
    gmd_analysis *a = gmd_calloc(1, sizeof *a, "msd analysis", err);
    msd_state *st = a ? gmd_calloc(1, sizeof *st, "msd state", err) : NULL;
    if (!st) {
        free(a);
        return GMD_ERR_NOMEM;
    }
    st->settings = *settings;
    st->species = *sys->species;
    a->name = "msd";
    a->state = st;
    a->add_frame = msd_add_frame;
    a->finish = msd_finish;
    a->destroy = msd_destroy;
    gmd_status s = GMD_OK;
    st->tr = sys->trajectory ? &sys->trajectory->traj : &st->own;
    st->cache = sys->trajectory ? &sys->trajectory->cache : NULL;
    if (!sys->trajectory) s = gmd_dyn_traj_init(&st->own, first, err);
    if (s == GMD_OK) s = gmd_dyn_count_species(first, st->species.n, st->count, err);
    if (s != GMD_OK) {
        msd_destroy(a);
        free(a);
        return s;
    }
    *out = a;
    return GMD_OK;
}
