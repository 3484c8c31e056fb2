/* dynamics_internal.h - machinery shared by the dynamical analyses (msd.c, sigma.c) and
 * their unit test; not a public API.
 *
 * 1. The stored trajectory (gmd_dyn_traj): the unwrapped positions of every frame, frame
 *    after frame: coordinate k of atom i (atoms in the id order of the first frame) in
 *    frame t is pos[(t * 3 + k) * natoms + i]. Frames must be equally spaced in time; the
 *    store checks it as frames arrive (and that the atoms stay the same).
 *    A box that changes (NPT): frames come as u = x + n L(t), x in the frame's box and n
 *    whole (the reader's and LAMMPS's convention for unwrapped positions, whatever the
 *    file held). A barostat moves an atom by scaling its wrapped x with the box, so of
 *    u(t) - u(t-1) = x(t) - x(t-1) + n(t) L(t) - n(t-1) L(t-1) the part n(t-1) (L(t) -
 *    L(t-1)) is no motion (an atom n boxes away would otherwise jump by n dL, the error
 *    of unwrapping NPT runs with x + n L(t): von Buelow, Bullerjahn and Hummer, J. Chem.
 *    Phys. 153, 021101 (2020)). The store takes the displacement between frames as
 *    x(t) - x(t-1) + (n(t) - n(t-1)) L(t): the wrapped step in the frame's own box plus
 *    the crossings counted by the file (the "toroidal" unwrapping of Bullerjahn et al.,
 *    J. Chem. Theory Comput. 19, 3406 (2023)), with n(t-1) = floor((u(t-1) - lo(t-1)) /
 *    L(t-1)). It keeps this as pos = u + shift, shift -= n(t-1) (L(t) - L(t-1)) per
 *    axis at each frame whose box differs from the one before; with a fixed box shift
 *    stays absent and pos is u bit for bit. Limits: an atom that crossed a face between
 *    two stored (or, with --skip, analysed) frames is credited the box edge of the later
 *    frame, not the one at its crossing: off by (L(t) - L(crossing)), far below a step;
 *    an atom within round-off of a face (float32 NetCDF) may be counted in the next
 *    image: off by one box change dL, once.
 *
 * 2. The windowed MSD over all time origins by FFT (Calandrini et al., nMoldyn; Kneller
 *    et al., Comput. Phys. Commun. 91, 191 (1995)). For a series x(t), t = 0..n-1,
 *      MSD(m) = 1/(n-m) sum_{t=0}^{n-m-1} |x(t+m) - x(t)|^2 = S1(m) - 2 S2(m),
 *      S1(m) = 1/(n-m) sum_{t=0}^{n-m-1} [x(t)^2 + x(t+m)^2]   (a running sum, O(n)),
 *      S2(m) = 1/(n-m) sum_{t=0}^{n-m-1} x(t) x(t+m)            (autocorrelation by FFT:
 *              zero-pad to >= 2n, r2c, |X|^2, c2r, which is exact, not circular).
 *    Each series is first shifted by its mean (the MSD does not change) so that S1 and
 *    2 S2 stay of the size of the displacements and their difference keeps its digits.
 *
 * 3. Fits: the log-spaced lag grid, the local exponent beta = d ln MSD / d ln t, the
 *    automatic diffusive window, the straight-line fit of MSD(t) and block error bars.
 *    The window rule (gmd_dyn_find_window): among the lags of the log grid up to the
 *    largest usable lag (half the block length, see gmd_dyn_max_fit_lag: the block error
 *    bars then use the same window, and lags with few time origins, whose MSD is poorly
 *    averaged, are left out; with 5 blocks that is the first 10 % of the trajectory's
 *    lags. Longer windows made the block error bars of random walkers 1.5x too large), take the
 * maximal runs of consecutive grid points with |beta - 1| < 0.1 that span a factor >= 3 in time;
 * the fit window is the latest such run. When there is none, the window is the last factor 3 of
 * usable lags and the result is flagged as not diffusive. */
#ifndef GLASSMD_DYNAMICS_INTERNAL_H
#define GLASSMD_DYNAMICS_INTERNAL_H

#include <stddef.h>

#include "glassmd/analysis.h"
#include "glassmd/error.h"

#define GMD_DYN_BETA_TOL 0.1 /* |beta - 1| below this: diffusive */
#define GMD_DYN_MIN_SPAN 3.0 /* a diffusive window spans at least this time factor */
#define GMD_DYN_USABLE_FRACTION 0.5
#define GMD_DYN_GRID_PER_DECADE 20 /* points per decade of the log lag grid */

/* Conductivity unit: e^2 / (A ps eV) in S/cm. sigma = <|dM|^2> / (6 t V kB T) with M in
 * e*A, t in ps, V in A^3, kB T in eV; in SI the factor e^2 * 1e-20 m^2 / (1e-30 m^3 *
 * e J * 1e-12 s) = e * 1e22 S/m = 1602.176634 S/m = 16.02176634 S/cm (e = 1.602176634e-19
 * C, exact since 2019). */
#define GMD_SIGMA_UNIT_S_CM 16.02176634
/* 1 A^2/ps = 1e-16 cm^2 / 1e-12 s = 1e-4 cm^2/s. */
#define GMD_A2_PS_TO_CM2_S 1.0e-4

typedef struct gmd_dyn_traj {
    size_t natoms;
    size_t nframes, capacity;
    double *pos;                 /* pos[(t * 3 + k) * natoms + i], unwrapped, A */
    long *id;                    /* ids of the first frame */
    int *type;                   /* species of every atom */
    double time0_ps, spacing_ps; /* time of frame 0, spacing (0 until frame 1) */
    long step0;
    double volume_sum_A3; /* sum over frames of the box volume */
    /* A changing box (see gmd_dyn_traj_add): pos = the frame's positions + shift. */
    gmd_box prev_box;   /* the previous frame's box */
    double *prev_u;     /* [k * natoms + i]: the previous frame's positions as given */
    double *shift;      /* [k * natoms + i]: NULL until the box first changes */
    size_t box_changes; /* frames whose box differs from the one before */
} gmd_dyn_traj;

/* Records the atoms of the first frame (the frame itself is stored by gmd_dyn_traj_add). */
gmd_status gmd_dyn_traj_init(gmd_dyn_traj *tr, const gmd_frame *first, gmd_error *err);
/* Appends a frame; GMD_ERR_VALUE when its spacing in time differs from the first
 * frames' or its atoms are not those of the first frame. */
gmd_status gmd_dyn_traj_add(gmd_dyn_traj *tr, const gmd_frame *frame, gmd_error *err);
void gmd_dyn_traj_free(gmd_dyn_traj *tr);
double gmd_dyn_traj_mean_volume(const gmd_dyn_traj *tr);
/* How displacements were taken (for results.json): fixed box, or a changing one. */
const char *gmd_dyn_unwrapping(const gmd_dyn_traj *tr);

/* Atoms per species in frame f; GMD_ERR_VALUE for a species index outside 0..nspecies-1. */
gmd_status gmd_dyn_count_species(const gmd_frame *f, int nspecies, long *count, gmd_error *err);

/* Windowed MSD of ndim series x[d][0..n-1] (summed over d), all time origins, by FFT:
 * out[m], m = 0..n-1. */
gmd_status gmd_dyn_msd_fft(const double *const *x, int ndim, size_t n, double *out, gmd_error *err);

/* Species-averaged MSD of frames [first, first + len): msd[s * len + m] (A^2), the mean
 * over the atoms of species s of their 3-d windowed MSD; nspecies rows, rows of absent
 * species are zero. OpenMP over atoms with `threads` threads. */
gmd_status gmd_dyn_species_msd(const gmd_dyn_traj *tr, int nspecies, size_t first, size_t len,
                               int threads, double *msd, gmd_error *err);

/* Collective charge displacement <|M(t+m) - M(t)|^2> (e^2 A^2) of frames [first,
 * first + len), M(t) = sum_i charge[type_i] r_i(t). */
gmd_status gmd_dyn_charge_msd(const gmd_dyn_traj *tr, const double *charge, size_t first,
                              size_t len, double *out, gmd_error *err);

/* Log-spaced lags 1 <= m <= max_lag (about GMD_DYN_GRID_PER_DECADE per decade, no
 * repeats, max_lag always included). lags must hold gmd_dyn_log_grid_size(max_lag)
 * entries; returns the number written. */
size_t gmd_dyn_log_grid_size(size_t max_lag);
size_t gmd_dyn_log_grid(size_t max_lag, size_t *lags);

/* beta_j = d ln y / d ln m at the grid lags (central differences on the grid, one-sided
 * at its ends); NaN where y <= 0. */
void gmd_dyn_local_slope(const size_t *lags, size_t nlags, const double *y, double *beta);

/* The largest lag a fit may use for a trajectory of nframes frames split into nblocks
 * blocks (nblocks < 2: one block, the whole trajectory). */
size_t gmd_dyn_max_fit_lag(size_t nframes, int nblocks);

/* The automatic window (rule in the header comment) from the MSD y[0..] at every lag up
 * to max_lag; *diffusive = 1 when a diffusive run was found. */
void gmd_dyn_find_window(const double *y, size_t max_lag, size_t *m0, size_t *m1, int *diffusive);

/* Least-squares slope of y[m] against m * dt over lags m0..m1 (with intercept). */
double gmd_dyn_fit_slope(const double *y, size_t m0, size_t m1, double dt);

/* Mean and standard error of the mean of v[0..n-1] (err NaN for n < 2). */
void gmd_dyn_mean_sem(const double *v, int n, double *mean, double *sem);

/* The fit window in lags from the settings (msd_fit_t0_ps / t1_ps, used when t1 > 0,
 * rounded to the nearest lags); *explicit_window = 0 when the settings ask for automatic
 * windows. GMD_ERR_VALUE when the window lies outside the trajectory's lags. */
gmd_status gmd_dyn_settings_window(const gmd_analysis_settings *s, double dt_ps, size_t nframes,
                                   size_t *m0, size_t *m1, int *explicit_window, gmd_error *err);

/* A D value per species with its window, as msd and sigma report it. */
typedef struct gmd_dyn_diffusion {
    double D_A2_ps, err_A2_ps; /* err NaN when the blocks cannot give one */
    size_t m0, m1;             /* fit window in lags */
    int diffusive;             /* the window came from a diffusive run (or the settings) */
    int present;               /* the species has atoms */
} gmd_dyn_diffusion;

/* D for every species: MSD of the whole trajectory (msd_all, nspecies rows of nframes)
 * fitted over each species' window, error bars from settings->msd_blocks blocks. */
gmd_status gmd_dyn_diffusion_all(const gmd_dyn_traj *tr, const gmd_analysis_settings *s,
                                 int nspecies, const long *count, const double *msd_all,
                                 gmd_dyn_diffusion *out, gmd_error *err);

/* The species' MSD and diffusion of one trajectory, kept once computed, with the settings
 * they were found with: msd and sigma both need them, and a shared store (below) computes
 * them once. */
typedef struct gmd_dyn_cache {
    int have;
    double fit_t0_ps, fit_t1_ps;
    int blocks, nspecies;
    size_t nframes;
    double *msd; /* [nspecies * nframes] */
    gmd_dyn_diffusion d[GMD_MAX_SPECIES];
} gmd_dyn_cache;

/* The trajectory store that msd and sigma share (gmd_analysis_system.trajectory): the
 * frames stored once, the species' MSD and diffusion found once. */
struct gmd_dyn_shared {
    gmd_dyn_traj traj;
    gmd_dyn_cache cache;
};

/* The MSD of every species over the whole trajectory (msd: nspecies rows of nframes) and
 * its diffusion (gmd_dyn_species_msd, gmd_dyn_diffusion_all), or a copy of cache's when it
 * holds them for these settings; cache (may be NULL) keeps what was computed. */
gmd_status gmd_dyn_species_diffusion(const gmd_dyn_traj *tr, const gmd_analysis_settings *s,
                                     int nspecies, const long *count, gmd_dyn_cache *cache,
                                     double *msd, gmd_dyn_diffusion *d, gmd_error *err);

/* The time between frames (ps); GMD_ERR_VALUE when there are fewer than min_frames. */
gmd_status gmd_dyn_check_frames(const gmd_dyn_traj *tr, size_t min_frames, const char *what,
                                gmd_error *err);

#endif
