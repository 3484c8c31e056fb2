/* kspace_choose.c - automatic parameters for the long-range Coulomb solvers.
 *
 * The user asks for a relative RMS force accuracy, as in LAMMPS `kspace_style ewald 1e-5`
 * or `pppm 1e-5`. Multiplied by the force between two unit charges 1 A apart
 * (GMD_COULOMB_EV_A eV/A) it becomes the target absolute RMS force error. All estimates
 * below are RMS errors of the force on one atom for N randomly placed charges, written
 * with q2 = k_e sum_i q_i^2 (eV A), N atoms, volume V, real-space cut-off rc:
 *
 *   real space (Kolafa & Perram, Mol. Sim. 9, 351 (1992)):
 *       dF_real = 2 q2 exp(-g^2 rc^2) / sqrt(N rc V)
 *   Ewald reciprocal sum, per direction d with box length L and index limit kmax:
 *       dF_d = 2 q2 g / L sqrt(1 / (pi kmax N)) exp(-(pi kmax / (g L))^2)
 *       dF_kspace = sqrt(dF_x^2 + dF_y^2 + dF_z^2) / sqrt(3)
 *   PPPM with ik differentiation and the optimal influence function (Deserno & Holm,
 *   J. Chem. Phys. 109, 7694 (1998), closed-form fit of their Eq. 31), per direction with
 *   mesh spacing h, assignment order P:
 *       dF_d = q2 (h g)^P / L^2 sqrt(g L sqrt(2 pi) sum_m a(P,m) (h g)^(2m) / N)
 *   where a(P,m) are the coefficients the paper tabulates.
 *
 * The choice follows the procedure LAMMPS uses (KSPACE/ewald.cpp, pppm.cpp), so that the
 * two programs pick the same g_ewald and, for Ewald, the same k-vector limits:
 *   1. g_ewald makes dF_real equal the target (solved in closed form);
 *   2. Ewald: the smallest kmax per direction with dF_d <= target.
 *      PPPM: mesh points per direction grown from L g until dF_d <= target (the loop
 *      ends one point beyond the first that meets it, as LAMMPS's does), then rounded up
 *      to a product of 2, 3 and 5 for the FFT;
 *   3. PPPM only: g_ewald re-balanced by Newton-Raphson so that dF_real = dF_kspace on
 *      the chosen mesh (LAMMPS's adjust_gewald, same tolerance).
 * Two deliberate differences, for PPPM (measured against Ewald 1e-10 at the same g_ewald,
 * k-space RMS force error, 3000 Na2S-SiS2 atoms at 1e-5, cut-off 10 A; LAMMPS pppm 1e-5
 * itself, order 5 on 45^3 at g 0.3210, gives 8.6e-5 eV/A on a 2000 K melt and 1.00e-4 on
 * test_pppm's random configuration):
 *   a. the default assignment order is 7 (LAMMPS: 5; 5 where order 7 would need fewer than
 *      16 points in a direction, see mesh_large), and the mesh is sized for the target
 *      times GMD_PPPM_MESH_MARGIN (0.7): 36^3 here, after which g_ewald is balanced;
 *   b. the plane directions y and z (pppm.c transforms each x-plane in 2-d, then the rows
 *      along x in 1-d) take the largest power of two below that size if it still meets the
 *      plain target (LAMMPS's size for order 7): 32 here, so the mesh is 36 x 32 x 32.
 *      FFTW_ESTIMATE plans (pppm.c) are much faster at powers of two: 32^3 transforms in under
 *      a third of the time of 36^3 (a quiet 16-core Xeon; FFTW_MEASURE narrows the gap).
 * The result, 36 x 32 x 32 at order 7, g 0.3238: 8.0e-5 eV/A on the random configuration
 * and 6.8e-5 on the melt (0.80 of LAMMPS's on both; with the real-space truncation 1.27e-4
 * against LAMMPS's 1.55e-4) for 0.62 of the k-space time of the former default (48^3 at
 * order 5: 7.5e-5 and 6.5e-5) at one thread and 0.65 at two (wall clock, 16-core Xeon),
 * 0.47 of its CPU time at one thread with the Horner weights of pppm.c. Measured alternatives:
 * order 7 on 32^3, 9.3e-5 (too close to LAMMPS); 36^3, 4.2e-5 for 1.4x the time; order 6 on
 * 40^3, 5.6e-5 for 1.4x. params->mesh_margin = 1 with order 5 reproduces LAMMPS's mesh and g_ewald
 * exactly (tests/unit/test_pppm.c). LAMMPS also adds the error of its tabulated real-space Coulomb
 * to its estimate; glassmd evaluates erfc directly, so that term is absent here.
 *
 * Also here, as set-up shared by ewald.c and pppm.c: the first step of their create
 * functions, the tally of their energies, and the k-space kind of the term registry. */
#include "glassmd/kspace.h"

#include <math.h>
#include <string.h>

#include "glassmd/units.h"
#include "kspace_internal.h"

#define GMD_PPPM_MESH_MARGIN 0.7
#define GMD_PPPM_DEFAULT_ORDER 7
#define GMD_PPPM_SMALL_MESH_ORDER 5 /* the default where order 7 needs a small mesh */
#define PPPM_LARGE_MESH 16
#define PPPM_MIN_ORDER 2
#define PPPM_MAX_ORDER 7
#define MAX_MESH 4096
#define MAX_KMAX 2000

static void charge_sums(const gmd_atoms *atoms, double *qsum, double *qsqsum)
{
    double s = 0.0, s2 = 0.0;
    for (size_t i = 0; i < atoms->n; i++) {
        s += atoms->charge[i];
        s2 += atoms->charge[i] * atoms->charge[i];
    }
    *qsum = s;
    *qsqsum = s2;
}

static int factorable_235(int n)
{
    static const int factors[3] = {2, 3, 5};
    while (n > 1) {
        int divided = 0;
        for (int f = 0; f < 3 && !divided; f++) {
            if (n % factors[f] == 0) {
                n /= factors[f];
                divided = 1;
            }
        }
        if (!divided) return 0;
    }
    return 1;
}

static double real_space_error(double g, double rc, double natoms, double q2, double volume)
{
    return 2.0 * q2 * exp(-g * g * rc * rc) / sqrt(natoms * rc * volume);
}

static double ewald_direction_error(double g, int kmax, double len, double natoms, double q2)
{
    double x = GMD_PI * kmax / (g * len);
    return 2.0 * q2 * g / len * sqrt(1.0 / (GMD_PI * kmax * natoms)) * exp(-x * x);
}

/* Deserno-Holm coefficients a(P, m), P = assignment order, m = 0..P-1 (their Table I). */
static double deserno_holm_coefficient(int order, int m)
{
    static const double a[8][7] = {
        {0},
        {2.0 / 3.0},
        {1.0 / 50.0, 5.0 / 294.0},
        {1.0 / 588.0, 7.0 / 1440.0, 21.0 / 3872.0},
        {1.0 / 4320.0, 3.0 / 1936.0, 7601.0 / 2271360.0, 143.0 / 28800.0},
        {1.0 / 23232.0, 7601.0 / 13628160.0, 143.0 / 69120.0, 517231.0 / 106536960.0,
         106640677.0 / 11737571328.0},
        {691.0 / 68140800.0, 13.0 / 57600.0, 47021.0 / 35512320.0, 9694607.0 / 2095994880.0,
         733191589.0 / 59609088000.0, 326190917.0 / 11700633600.0},
        {1.0 / 345600.0, 3617.0 / 35512320.0, 745739.0 / 838397952.0, 56399353.0 / 12773376000.0,
         25091609.0 / 1560084480.0, 1755948832039.0 / 36229939200000.0,
         4887769399.0 / 37838389248.0},
    };
    return a[order][m];
}

static double pppm_direction_error(double g, double h, double len, double natoms, double q2,
                                   int order)
{
    double hg = h * g, sum = 0.0;
    for (int m = 0; m < order; m++)
        sum += deserno_holm_coefficient(order, m) * pow(hg, 2.0 * m);
    return q2 * pow(hg, order) * sqrt(g * len * sqrt(2.0 * GMD_PI) * sum / natoms) / (len * len);
}

static double pppm_kspace_error(double g, const int mesh[3], const gmd_box *box, double natoms,
                                double q2, int order)
{
    double sum = 0.0;
    for (int d = 0; d < 3; d++) {
        double e = pppm_direction_error(g, box->len[d] / mesh[d], box->len[d], natoms, q2, order);
        sum += e * e;
    }
    return sqrt(sum / 3.0);
}

static double ewald_kspace_error(double g, const int kmax[3], const gmd_box *box, double natoms,
                                 double q2)
{
    double sum = 0.0;
    for (int d = 0; d < 3; d++) {
        double e = ewald_direction_error(g, kmax[d], box->len[d], natoms, q2);
        sum += e * e;
    }
    return sqrt(sum / 3.0);
}

/* Step 1: g such that the real-space estimate equals the target (closed form). */
static double initial_g_ewald(double target, double rc, double natoms, double q2, double volume)
{
    double x = target * sqrt(natoms * rc * volume) / (2.0 * q2);
    if (x >= 1.0) /* the cut-off alone meets the target: LAMMPS's fallback */
        return (1.35 - 0.15 * log(target)) / rc;
    return sqrt(-log(x)) / rc;
}

/* Number of k-vectors in the half space kept by the Ewald term: integer (kx, ky, kz) with
 * |kd| <= kmax[d], inside the sphere of the largest per-direction |k|, one of each +-k. */
static long count_kvectors(const int kmax[3], const gmd_box *box)
{
    double unit[3], gsqmax = 0.0;
    for (int d = 0; d < 3; d++) {
        unit[d] = 2.0 * GMD_PI / box->len[d];
        gsqmax = fmax(gsqmax, pow(unit[d] * kmax[d], 2));
    }
    gsqmax *= 1.00001;
    long count = 0;
    for (int kx = 0; kx <= kmax[0]; kx++)
        for (int ky = -kmax[1]; ky <= kmax[1]; ky++)
            for (int kz = -kmax[2]; kz <= kmax[2]; kz++) {
                if (kx == 0 && (ky < 0 || (ky == 0 && kz <= 0))) continue;
                double k2 = pow(kx * unit[0], 2) + pow(ky * unit[1], 2) + pow(kz * unit[2], 2);
                count += k2 <= gsqmax;
            }
    return count;
}

static gmd_status choose_ewald_kmax(gmd_kspace_params *p, const gmd_box *box, double target,
                                    double natoms, double q2, gmd_error *err)
{
    if (p->kmax[0] > 0 && p->kmax[1] > 0 && p->kmax[2] > 0) return GMD_OK;
    for (int d = 0; d < 3; d++) {
        int k = 1;
        while (ewald_direction_error(p->g_ewald, k, box->len[d], natoms, q2) > target) {
            if (++k > MAX_KMAX)
                return gmd_fail(err, GMD_ERR_VALUE,
                                "ewald: more than %d k-vectors per direction needed for "
                                "accuracy %g; use pppm or a lower accuracy",
                                MAX_KMAX, p->accuracy);
        }
        p->kmax[d] = k;
    }
    return GMD_OK;
}

/* LAMMPS's loop: note it stops one point beyond the first mesh that meets the target. */
static int mesh_for_direction(double g, double len, double natoms, double q2, int order,
                              double target)
{
    double h = 1.0 / g;
    int n = (int)(len / h) + 1;
    double e = pppm_direction_error(g, h, len, natoms, q2, order);
    while (e > target && n < MAX_MESH) {
        e = pppm_direction_error(g, h, len, natoms, q2, order);
        n++;
        h = len / n;
    }
    while (!factorable_235(n))
        n++;
    return n;
}

int gmd_pppm_mesh_keeping(const gmd_kspace_keep *k, int order, double len_ref, int n_ref,
                          double len)
{
    double allowed = fmax(k->target, pppm_direction_error(k->g_ewald, len_ref / n_ref, len_ref,
                                                          k->natoms, k->q2, order));
    int n = n_ref;
    while (n < MAX_MESH &&
           (pppm_direction_error(k->g_ewald, len / n, len, k->natoms, k->q2, order) > allowed ||
            (n != n_ref && !factorable_235(n))))
        n++;
    return n;
}

int gmd_ewald_kmax_keeping(const gmd_kspace_keep *k, double len_ref, int kmax_ref, double len)
{
    double allowed =
        fmax(k->target, ewald_direction_error(k->g_ewald, kmax_ref, len_ref, k->natoms, k->q2));
    int kmax = kmax_ref;
    while (kmax < MAX_KMAX &&
           ewald_direction_error(k->g_ewald, kmax, len, k->natoms, k->q2) > allowed)
        kmax++;
    return kmax;
}

void gmd_kspace_estimate(gmd_kspace_params *p, const gmd_kspace_keep *k, const gmd_box *box)
{
    double kspace = p->method == GMD_KSPACE_EWALD
                        ? ewald_kspace_error(k->g_ewald, p->kmax, box, k->natoms, k->q2)
                        : pppm_kspace_error(k->g_ewald, p->mesh, box, k->natoms, k->q2, p->order);
    double real = real_space_error(k->g_ewald, p->cutoff, k->natoms, k->q2, gmd_box_volume(box));
    p->estimated_error_real = real;
    p->estimated_error_kspace = kspace;
    p->estimated_error = sqrt(real * real + kspace * kspace);
}

gmd_kspace_keep gmd_kspace_keep_of(const gmd_kspace_params *params, const gmd_atoms *atoms)
{
    double qsum, qsqsum;
    charge_sums(atoms, &qsum, &qsqsum);
    gmd_kspace_keep k = {.g_ewald = params->g_ewald,
                         .target = params->accuracy * GMD_COULOMB_EV_A,
                         .natoms = (double)atoms->n,
                         .q2 = GMD_COULOMB_EV_A * qsqsum};
    return k;
}

/* Step 3: Newton-Raphson on dF_real(g) - dF_kspace(g) with a forward-difference slope. */
static gmd_status balance_g_ewald(gmd_kspace_params *p, const gmd_box *box, double natoms,
                                  double q2, double volume, gmd_error *err)
{
    const double step = 1e-6, tolerance = 1e-5;
    for (int it = 0; it < 10000; it++) {
        double g = p->g_ewald;
        double f = real_space_error(g, p->cutoff, natoms, q2, volume) -
                   pppm_kspace_error(g, p->mesh, box, natoms, q2, p->order);
        double g2 = g + step;
        double f2 = real_space_error(g2, p->cutoff, natoms, q2, volume) -
                    pppm_kspace_error(g2, p->mesh, box, natoms, q2, p->order);
        double slope = (f2 - f) / step;
        if (slope == 0.0 || !isfinite(slope)) break;
        p->g_ewald = g - f / slope;
        double fnew = real_space_error(p->g_ewald, p->cutoff, natoms, q2, volume) -
                      pppm_kspace_error(p->g_ewald, p->mesh, box, natoms, q2, p->order);
        if (fabs(fnew) < tolerance && p->g_ewald > 0.0) return GMD_OK;
    }
    return gmd_fail(err, GMD_ERR_VALUE,
                    "pppm: cannot balance g_ewald for accuracy %g and cut-off %g A; set "
                    "g_ewald explicitly",
                    p->accuracy, p->cutoff);
}

static gmd_status check_inputs(const gmd_kspace_params *p, const gmd_box *box,
                               const gmd_atoms *atoms, double qsqsum, gmd_error *err)
{
    if (p->method != GMD_KSPACE_EWALD && p->method != GMD_KSPACE_PPPM)
        return gmd_fail(err, GMD_ERR_VALUE, "kspace: method must be ewald or pppm");
    if (atoms->n == 0) return gmd_fail(err, GMD_ERR_VALUE, "kspace: no atoms");
    for (int d = 0; d < 3; d++)
        if (!(box->len[d] > 0.0))
            return gmd_fail(err, GMD_ERR_VALUE, "kspace: box length %d is %g; must be > 0", d,
                            box->len[d]);
    if (!(p->cutoff > 0.0))
        return gmd_fail(err, GMD_ERR_VALUE, "kspace: real-space cut-off %g must be > 0", p->cutoff);
    if (p->g_ewald == 0.0 && !(p->accuracy > 0.0))
        return gmd_fail(err, GMD_ERR_VALUE,
                        "kspace: accuracy %g must be > 0 (e.g. 1e-5) unless g_ewald is set",
                        p->accuracy);
    if (p->g_ewald < 0.0)
        return gmd_fail(err, GMD_ERR_VALUE, "kspace: g_ewald %g must be >= 0", p->g_ewald);
    if (qsqsum == 0.0 && p->g_ewald == 0.0)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "kspace: no atom is charged; set g_ewald explicitly or drop kspace");
    if (p->method == GMD_KSPACE_PPPM && p->order != 0 &&
        (p->order < PPPM_MIN_ORDER || p->order > PPPM_MAX_ORDER))
        return gmd_fail(err, GMD_ERR_VALUE, "pppm: order %d must be between %d and %d", p->order,
                        PPPM_MIN_ORDER, PPPM_MAX_ORDER);
    if (p->mesh_margin < 0.0 || p->mesh_margin > 1.0)
        return gmd_fail(err, GMD_ERR_VALUE,
                        "pppm: mesh_margin %g must be in (0, 1] (0 = default %g)", p->mesh_margin,
                        GMD_PPPM_MESH_MARGIN);
    return GMD_OK;
}

/* Points of a plane direction (y or z; pppm.c transforms each x-plane in 2-d, then rows
 * along x in 1-d): the largest power of two below n, where FFTW_ESTIMATE's 2-d plans are
 * fastest, if that still meets the plain target (n_plain points, LAMMPS's size), else n. */
static int plane_points(int n, int n_plain)
{
    int p = 1;
    while (2 * p <= n)
        p *= 2;
    return p < n && p >= n_plain ? p : n;
}

static int all_set(const int v[3])
{
    return v[0] > 0 && v[1] > 0 && v[2] > 0;
}

/* The default order 7 needs meshes of some size: on 10^3 points (two ions in a 40 A box) its
 * error for a close pair is 4x the estimate, while order 5 keeps to it; on such small meshes
 * the k-space time is negligible anyway. */
static int mesh_large(const int mesh[3])
{
    return mesh[0] >= PPPM_LARGE_MESH && mesh[1] >= PPPM_LARGE_MESH && mesh[2] >= PPPM_LARGE_MESH;
}

/* Step 2 for PPPM: per direction for target x margin, the plane directions then lowered to
 * a power of two where that meets the plain target (plane_points). */
static void choose_mesh(gmd_kspace_params *p, const gmd_box *box, double natoms, double q2,
                        double target)
{
    for (int d = 0; d < 3; d++) {
        p->mesh[d] = mesh_for_direction(p->g_ewald, box->len[d], natoms, q2, p->order,
                                        target * p->mesh_margin);
        if (d > 0 && p->mesh_margin < 1.0)
            p->mesh[d] = plane_points(p->mesh[d], mesh_for_direction(p->g_ewald, box->len[d],
                                                                     natoms, q2, p->order, target));
    }
}

gmd_status gmd_kspace_choose(gmd_kspace_params *p, const gmd_box *box, const gmd_atoms *atoms,
                             gmd_error *err)
{
    double qsum, qsqsum;
    charge_sums(atoms, &qsum, &qsqsum);
    gmd_status st = check_inputs(p, box, atoms, qsqsum, err);
    if (st != GMD_OK) return st;
    const double natoms = (double)atoms->n;
    const double volume = gmd_box_volume(box);
    const double q2 = GMD_COULOMB_EV_A * qsqsum;
    const double target = p->accuracy * GMD_COULOMB_EV_A;
    const int g_given = p->g_ewald > 0.0;
    if (!g_given) p->g_ewald = initial_g_ewald(target, p->cutoff, natoms, q2, volume);

    double kspace_error = 0.0;
    if (p->method == GMD_KSPACE_EWALD) {
        st = choose_ewald_kmax(p, box, target, natoms, q2, err);
        if (st != GMD_OK) return st;
        p->nkvectors = count_kvectors(p->kmax, box);
        kspace_error = ewald_kspace_error(p->g_ewald, p->kmax, box, natoms, q2);
    } else {
        if (p->mesh_margin == 0.0) p->mesh_margin = GMD_PPPM_MESH_MARGIN;
        const int mesh_given = all_set(p->mesh), order_given = p->order != 0;
        if (!order_given) p->order = GMD_PPPM_DEFAULT_ORDER;
        if (!mesh_given) choose_mesh(p, box, natoms, q2, target);
        if (!order_given && !mesh_large(p->mesh)) {
            p->order = GMD_PPPM_SMALL_MESH_ORDER;
            if (!mesh_given) choose_mesh(p, box, natoms, q2, target);
        }
        if (p->mesh[0] >= MAX_MESH || p->mesh[1] >= MAX_MESH || p->mesh[2] >= MAX_MESH)
            return gmd_fail(err, GMD_ERR_VALUE,
                            "pppm: accuracy %g needs a mesh above %d points per "
                            "direction; lower the accuracy or raise the cut-off",
                            p->accuracy, MAX_MESH);
        if (!g_given) {
            st = balance_g_ewald(p, box, natoms, q2, volume, err);
            if (st != GMD_OK) return st;
        }
        p->nkvectors = (long)p->mesh[0] * p->mesh[1] * p->mesh[2];
        kspace_error = pppm_kspace_error(p->g_ewald, p->mesh, box, natoms, q2, p->order);
    }
    double real_error = real_space_error(p->g_ewald, p->cutoff, natoms, q2, volume);
    p->estimated_error_real = real_error;
    p->estimated_error_kspace = kspace_error;
    p->estimated_error = sqrt(real_error * real_error + kspace_error * kspace_error);
    return GMD_OK;
}

gmd_status gmd_kspace_term_new(gmd_term **term, const gmd_term *kind, size_t state_size,
                               gmd_kspace_method method, const gmd_kspace_params *params,
                               const gmd_box *box, const gmd_atoms *atoms,
                               gmd_kspace_params *chosen, gmd_error *err)
{
    *term = NULL;
    *chosen = *params;
    chosen->method = method;
    gmd_status st = gmd_kspace_choose(chosen, box, atoms, err);
    if (st != GMD_OK) return st;
    *term = gmd_term_new(kind, state_size, err);
    return *term ? GMD_OK : GMD_ERR_NOMEM;
}

void gmd_kspace_tally(gmd_tally *tally, const gmd_term *term, const gmd_atoms *atoms,
                      double g_ewald, double volume, double e_recip, const double virial[6])
{
    double qsum = 0.0, qsqsum = 0.0;
    for (size_t i = 0; i < atoms->n; i++) {
        qsum += atoms->charge[i];
        qsqsum += atoms->charge[i] * atoms->charge[i];
    }
    double g = g_ewald;
    double background = -GMD_PI * GMD_COULOMB_EV_A * qsum * qsum / (2.0 * volume * g * g);
    double e_self = -GMD_COULOMB_EV_A * g / sqrt(GMD_PI) * qsqsum + background;
    tally->energy[term->first_part + GMD_KSPACE_PART_RECIP] += e_recip;
    tally->energy[term->first_part + GMD_KSPACE_PART_SELF] += e_self;
    for (int a = 0; a < 6; a++)
        tally->virial[a] += virial[a] + (a < 3 ? background : 0.0);
}

/* ---- the kind ---------------------------------------------------------------------- */

static const gmd_energy_part kspace_parts[GMD_KSPACE_NPARTS] = {
    [GMD_KSPACE_PART_RECIP] = {"coulomb_recip", "coulomb"},
    [GMD_KSPACE_PART_SELF] = {"coulomb_self", "coulomb"},
};

static int kspace_wanted(const gmd_term_kind *self, const gmd_term_setup *setup)
{
    (void)self;
    return setup->kspace->method != GMD_KSPACE_NONE;
}

/* The model has chosen the parameters already (the pair term needs the same g_ewald). */
static gmd_status kspace_create_from_setup(const gmd_term_kind *self, const gmd_term_setup *setup,
                                           gmd_term **out, gmd_error *err)
{
    (void)self;
    if (setup->kspace->method == GMD_KSPACE_EWALD)
        return gmd_ewald_create(out, setup->kspace, setup->box, setup->atoms, err);
    return gmd_pppm_create(out, setup->kspace, setup->box, setup->atoms, err);
}

const gmd_term_kind gmd_kspace_kind = {
    .name = "kspace",
    .nparts = GMD_KSPACE_NPARTS,
    .parts = kspace_parts,
    .compute_rank = -1,
    .wanted = kspace_wanted,
    .create = kspace_create_from_setup,
};

/* ---- the method words ------------------------------------------------------------------ */

static const struct {
    const char *word;
    gmd_kspace_method method;
} KSPACE_WORDS[] = {
    {"none", GMD_KSPACE_NONE},
    {"ewald", GMD_KSPACE_EWALD},
    {"pppm", GMD_KSPACE_PPPM},
};

const char *gmd_kspace_method_word(gmd_kspace_method method)
{
    for (size_t i = 0; i < sizeof KSPACE_WORDS / sizeof KSPACE_WORDS[0]; i++)
        if (KSPACE_WORDS[i].method == method) return KSPACE_WORDS[i].word;
    return "none";
}

int gmd_kspace_method_from_word(const char *word, gmd_kspace_method *out)
{
    for (size_t i = 0; i < sizeof KSPACE_WORDS / sizeof KSPACE_WORDS[0]; i++)
        if (strcmp(word, KSPACE_WORDS[i].word) == 0) {
            *out = KSPACE_WORDS[i].method;
            return 0;
        }
    return -1;
}
