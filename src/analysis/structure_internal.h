/* structure_internal.h - the numerical cores of the structural analyses (rdf, sq, fsdp,
 * network, angles), shared between those files and called directly by the unit tests
 * (tests/unit/test_structure.c). Not installed; the public face is glassmd/analysis.h.
 *
 * Layout of the pieces:
 * - gmd_frame_grid (rdf.c): a wrapped copy of one frame's positions sorted into cells of
 *   side >= rcut (the library's cell grid), and a full neighbour search (every j != i within rcut,
 * minimum image).
 * - gmd_rdf_acc (rdf.c): pair-distance histograms per ordered species pair, accumulated
 *   over frames; g_ab(r), running coordination, exact coordination at cut-offs.
 * - gmd_element (formfactors.c): Z, coherent neutron length, X-ray form factor.
 * - gmd_sq_from_gr, gmd_dsq_acc, gmd_wright_rx (sq.c): Faber-Ziman transform, the
 *   reciprocal-lattice S(k), the Wright R_X.
 * - gmd_fsdp_find (fsdp.c), gmd_network_frame and gmd_sharing_angle_acc (network.c: both
 *   need the former pairs and the anions they share), gmd_angle_acc (angles.c). */
#ifndef GLASSMD_STRUCTURE_INTERNAL_H
#define GLASSMD_STRUCTURE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "glassmd/analysis.h"
#include "glassmd/cell_grid.h"

/* The innermost loops of the pair histogram and of both S(k) methods carry GMD_SIMD_CLONES:
 * wider vectors, the same operations, so the same results up to the order of the sums (and
 * no FMA contraction: ISO C mode, -ffp-contract=off). */
#include "../core/simd_clones.h"

/* ---------------------------------------------------------------- frame grid (rdf.c) */
/* One frame's atoms binned by the library's cell grid (glassmd/cell_grid.h): the atoms of
 * cell c are the slots cells.start[c] .. cells.start[c + 1] - 1, so a cell's atoms are
 * contiguous in memory and a pair loop over two cells is a loop over two index ranges
 * (vectorisable); positions and species are copied in slot order for that loop. */
typedef struct gmd_frame_grid {
    gmd_cell_grid cells; /* cells of side >= rcut; atom, slot and cell of every atom */
    size_t n;
    double *x[3];  /* positions wrapped into [0, len), in slot (cell) order */
    int *type;     /* species of each slot */
    double len[3]; /* box edges of the frame */
    double rcut;
    int portable; /* 1: the neighbour search's portable loop even where AVX-512 runs (tests) */
    int avx512;   /* set by gmd_frame_grid_build: the AVX-512 loop runs */
} gmd_frame_grid;

/* Neighbours of one atom found by gmd_frame_grid_neighbors (capacity n: the atoms of the
 * frame; gmd_neigh_buf_init keeps GMD_NEIGH_PAD places more, which the search may write). */
#define GMD_NEIGH_PAD 8
typedef struct gmd_neigh_buf {
    size_t count, capacity;
    int *j;
    double *d;     /* distance */
    double *dx[3]; /* minimum-image displacement r_j - r_i */
} gmd_neigh_buf;

/* Bins frame into cells for searches within rcut; fails when rcut > len/2 in some
 * direction (minimum image would miss or double-count images). The grid is reused:
 * zero-initialise it once, free with gmd_frame_grid_free. */
gmd_status gmd_frame_grid_build(gmd_frame_grid *g, const gmd_frame *frame, double rcut,
                                gmd_error *err);
void gmd_frame_grid_free(gmd_frame_grid *g);
gmd_status gmd_neigh_buf_init(gmd_neigh_buf *b, size_t capacity, gmd_error *err);
void gmd_neigh_buf_free(gmd_neigh_buf *b);
/* Fills b with every atom j != i within rc (<= grid rcut) of atom i, in cell order. */
void gmd_frame_grid_neighbors(const gmd_frame_grid *g, size_t i, double rc, gmd_neigh_buf *b);
/* A half stencil (each unordered pair within rcut once over all slots, the pair
 * histogram's): slot s of cell c meets the later slots of c and the slots of the adjacent
 * cells of higher index, whose slot ranges (runs of cells merged) gmd_frame_grid_later_ranges
 * puts into lo[], hi[] (27 places; returns their number). gmd_frame_grid_neighbors_in fills
 * b with the atoms within rc (<= rcut) of slot s among the slot ranges lo[q] .. hi[q] - 1,
 * by gmd_frame_grid_neighbors' operations (the same lengths and displacements), b->j atoms. */
int gmd_frame_grid_later_ranges(const gmd_frame_grid *g, int c, int *lo, int *hi);
void gmd_frame_grid_neighbors_in(const gmd_frame_grid *g, int s, const int *lo, const int *hi,
                                 int nr, double rc, gmd_neigh_buf *b);

/* ---------------------------------------------------------------- bonds (bonds.c) */
/* Every atom's bonds of one frame: the neighbours within cut[a][b] of its species pair,
 * row i = start[i] .. start[i + 1] - 1 of j (neighbour atom), d (distance) and dx
 * (displacement r_j - r_i), in the order met (bonds.c). Zero-initialise; ask for cut-offs
 * (gmd_frame_bonds_need) before the first gmd_frame_bonds_build; gmd_frame_bonds_free
 * (the cut-offs stay). */
typedef struct gmd_frame_bonds {
    double cut[GMD_MAX_SPECIES][GMD_MAX_SPECIES]; /* 0: no bond */
    double rc;                                    /* the largest cut-off */
    size_t n, nbonds;                             /* atoms and bonds of the last frame */
    int *start, *j;
    double *d, *dx[3];
    /* the search: the grid, the bonds as met (pi, pj, pd, pdx) */
    gmd_frame_grid grid;
    size_t n_cap, pair_cap;
    int *fill, *pi, *pj;
    double *pd, *pdx[3];
} gmd_frame_bonds;

/* Bonds x-y (either order) up to cut (A): the largest cut asked for a pair holds. */
void gmd_frame_bonds_need(gmd_frame_bonds *b, int x, int y, double cut);
gmd_status gmd_frame_bonds_build(gmd_frame_bonds *b, const gmd_frame *f, gmd_error *err);
/* Row i as a neighbour buffer (pointers into b: valid until the next build). */
void gmd_frame_bonds_of(const gmd_frame_bonds *b, size_t i, gmd_neigh_buf *view);
void gmd_frame_bonds_free(gmd_frame_bonds *b);

/* ---------------------------------------------------------------- rdf accumulator */
typedef struct gmd_rdf_acc {
    int ns; /* species */
    long count[GMD_MAX_SPECIES];
    size_t natoms;
    int nbins;
    double dr, rmax; /* rmax = nbins * dr: a pair counts iff d < rmax */
    double rsearch;  /* max(rmax, coordination cut-offs) */
    uint64_t *hist;  /* [(a * ns + b) * nbins + bin], ordered pairs i in a, j in b */
    double *gsum;    /* the same layout: sum over frames of each frame's g_ab */
    double cut[GMD_MAX_SPECIES][GMD_MAX_SPECIES];    /* coordination cut-offs (0: none) */
    uint64_t ncut[GMD_MAX_SPECIES][GMD_MAX_SPECIES]; /* pairs with d < cut, ordered */
    long nframes;
    double volume_sum;
    double volume_min, volume_max; /* over the frames */
    int rmax_auto;                 /* rmax was not given: it follows half the smallest box edge */
    long shrunk_frames;            /* frames whose box made the default rmax smaller */
    int threads;
    gmd_frame_grid grid;
    int *row_of;    /* per slot of the frame grid: species * (nbins + GMD_RDF_SPARE) */
    int32_t *xq[3]; /* the frame grid's positions in fixed point (L / 2^32 units), for the
                       AVX-512 pass (rdf.c) */
    size_t row_cap;
    int bin_avx512; /* 1: the binning by AVX-512 (set at init where the CPU has it;
                       a test sets 0 to compare with the portable loops) */
} gmd_rdf_acc;

/* Spare slots past the last bin of each per-thread histogram row: the pairs out of range
 * go to one of them in turn (rdf.c). */
#define GMD_RDF_SPARE 8

/* Bins of a g(r) at the most: up to there the pair histogram's single-precision estimate
 * of a pair's bin is within one bin of the rule's (rdf.c). */
#define GMD_RDF_MAX_BINS 1048576

/* rmax <= 0: half the smallest box edge of first, lowered by gmd_rdf_acc_add to half the
 * smallest edge of any frame (the bins beyond are dropped); a given rmax is checked
 * against every frame's box instead. */
gmd_status gmd_rdf_acc_init(gmd_rdf_acc *acc, int nspecies, const long *count, size_t natoms,
                            double rmax, double dr, const gmd_frame *first, int threads,
                            gmd_error *err);
/* Sets the exact-count cut-off of ordered pair a-b (mean number of b around a). */
void gmd_rdf_acc_set_cut(gmd_rdf_acc *acc, int a, int b, double cut);
gmd_status gmd_rdf_acc_add(gmd_rdf_acc *acc, const gmd_frame *frame, gmd_error *err);
/* g_ab(r) averaged over frames, at bin centres (i + 1/2) dr. */
void gmd_rdf_acc_g(const gmd_rdf_acc *acc, int a, int b, double *g);
/* Running coordination n_ab at the upper edge (i + 1) dr of each bin. */
void gmd_rdf_acc_running(const gmd_rdf_acc *acc, int a, int b, double *n);
/* Mean number of b within the cut-off set for a-b. */
double gmd_rdf_acc_coordination(const gmd_rdf_acc *acc, int a, int b);
void gmd_rdf_acc_free(gmd_rdf_acc *acc);
/* The histogram an rdf or sq analysis bins into: the driver's shared one (sys->pairs), or
 * else *own, initialised here with the settings' rdf_rmax_A and rdf_dr_A. Sets *acc. */
gmd_status gmd_rdf_acc_attach(gmd_rdf_acc *own, gmd_rdf_acc **acc,
                              const gmd_analysis_settings *settings, const gmd_analysis_system *sys,
                              const gmd_frame *first, gmd_error *err);
/* Adds the frame to acc when it is the analysis's own histogram; a shared one is fed by the
 * driver (gmd_pair_histogram_add), once per frame for every analysis using it. */
gmd_status gmd_rdf_acc_add_own(gmd_rdf_acc *acc, const gmd_rdf_acc *own, const gmd_frame *frame,
                               gmd_error *err);

/* First maximum of y (above threshold, the largest within +-window points), refined by
 * the parabola through it and its two neighbours; the global maximum if none. */
double gmd_first_peak(const double *x, const double *y, int n, int window, double threshold);
/* Vertex abscissa of the parabola through three points (x0 if degenerate). */
double gmd_parabola_vertex(double xm, double ym, double x0, double y0, double xp, double yp);

/* ---------------------------------------------------------------- elements */
typedef struct gmd_element {
    const char *symbol;
    int z;
    double b_coh_fm;      /* coherent neutron scattering length, fm (NIST, Sears 1992) */
    double a[5], b[5], c; /* Waasmaier-Kirfel: f(s) = sum a_i exp(-b_i s^2) + c */
} gmd_element;

#define GMD_FORM_FACTOR_TABLE                                                                      \
    "Waasmaier & Kirfel, Acta Cryst. A51, 416-431 (1995), neutral atoms, s = k/(4 pi)"

/* The element whose symbol begins the species name ("Si", "S", "Na1" -> Na); NULL if
 * the name names no tabulated element. */
const gmd_element *gmd_element_lookup(const char *species_name);
/* Neutral-atom X-ray form factor at scattering vector k (A^-1), in electrons. */
double gmd_xray_form_factor(const gmd_element *el, double k);
/* All tabulated elements (for tests). */
const gmd_element *gmd_element_table(int *count);

/* ---------------------------------------------------------------- structure factors */
/* Faber-Ziman S(k_j) = 1 + 4 pi rho sum_bins r^2 (g - 1) sin(k r)/(k r) M(r) dr, bins
 * centred at (i + 1/2) dr, M the Lorch window sin(pi r/R)/(pi r/R), R = nbins dr (lorch),
 * or 1. */
void gmd_sq_from_gr(const double *g, int nbins, double dr, double rho, int lorch, const double *k,
                    int nk, double *s);
/* The same for ng <= GMD_MAX_SPECIES (GMD_MAX_SPECIES + 1) / 2 functions g[p] into s[p] at
 * once (sin(k r) computed once for all). */
void gmd_sq_from_gr_many(const double *const *g, int ng, int nbins, double dr, double rho,
                         int lorch, const double *k, int nk, double *const *s);

/* Reciprocal-lattice S(k): for every k = 2 pi (n1/Lx, n2/Ly, n3/Lz), 0 < |k| <= kmax (one
 * of each +-k pair: both give the same real part), rho_a(k) = sum_{i in a} exp(i k.r_i);
 * the Ashcroft-Langreth S_ab(k) = Re(rho_a conj(rho_b)) / sqrt(N_a N_b) is averaged over
 * the vectors (and frames) falling in shells [m dk, (m + 1) dk). */
typedef struct gmd_dsq_acc {
    int ns;
    long count[GMD_MAX_SPECIES];
    size_t natoms;
    double kmax, dk;
    int nshell;
    int npairs;   /* ns (ns + 1) / 2 unordered pairs, a <= b, row-major */
    double *sal;  /* [pair * nshell + m]: sum of S_AL over vectors and frames */
    double *ksum; /* [m]: sum of |k| */
    long *nvec;   /* [m]: vectors counted */
    long nframes;
    int threads;
    unsigned species_mask;       /* bit a set: rho_a is computed (default: every species) */
    gmd_sq_method method;        /* GMD_SQ_DIRECT after init (the reference), or GMD_SQ_GRID */
    struct gmd_sq_grid *grid;    /* the gridded transform's plans and meshes (sq_grid.c) */
    struct dsq_vectors *vectors; /* the k-vectors of the last frame's box, their shells (sq.c) */
} gmd_dsq_acc;

gmd_status gmd_dsq_acc_init(gmd_dsq_acc *acc, int nspecies, const long *count, size_t natoms,
                            double kmax, double dk, int threads, gmd_error *err);
/* Restricts the sums to the pairs of species a and b (the other pairs stay 0): only the
 * atoms of a and b enter the phase sums, which is what the FSDP of one pair needs. */
void gmd_dsq_acc_select(gmd_dsq_acc *acc, int a, int b);
/* How rho_a(k) is computed: the direct sum over atoms (the reference) or the gridded
 * transform of sq_grid.c (the analyses' default), which agrees with it to ~1e-9. */
void gmd_dsq_acc_set_method(gmd_dsq_acc *acc, gmd_sq_method method);
gmd_status gmd_dsq_acc_add(gmd_dsq_acc *acc, const gmd_frame *frame, gmd_error *err);
/* Index of the unordered pair (a, b) in the acc's pair arrays. */
int gmd_pair_index(int ns, int a, int b);
/* Non-empty shells: fills k (mean |k|) and s_al[pair][shell] (Ashcroft-Langreth) for
 * nout <= nshell shells; arrays sized nshell (s_al: npairs * nshell). Returns nout. */
int gmd_dsq_acc_result(const gmd_dsq_acc *acc, double *k, double *s_al);
/* Faber-Ziman from Ashcroft-Langreth: 1 + (S_AL - delta_ab) / sqrt(c_a c_b). */
double gmd_fz_from_al(double s_al, int same, double ca, double cb);
void gmd_dsq_acc_free(gmd_dsq_acc *acc);

/* Reads two whitespace-separated columns (k S); '#' starts a comment; errors name
 * FILE:LINE. *k and *s are allocated. */
gmd_status gmd_read_xy(const char *path, double **x, double **y, size_t *n, gmd_error *err);
/* Wright R_X (SPEC Eq. 2) over kmin <= k_exp <= kmax, S_calc interpolated linearly on the
 * experimental grid (points outside the calculated range are skipped); *nused points. */
gmd_status gmd_wright_rx(const double *kexp, const double *sexp, size_t nexp, const double *kcalc,
                         const double *scalc, size_t ncalc, double kmin, double kmax, double *rx,
                         size_t *nused, gmd_error *err);

/* ---------------------------------------------------------------- fsdp */
/* The largest point of S in [kmin, kmax]; background the straight line between the
 * minima of S on each side of it within the range; returns 0 when no peak rises above
 * both sides (*k_peak = *intensity = NaN). The position is parabola-refined. */
int gmd_fsdp_find(const double *k, const double *s, int n, double kmin, double kmax, double *k_peak,
                  double *intensity);

/* ---------------------------------------------------------------- network */
#define GMD_QN_MAX 12
typedef struct gmd_network_stats {
    long former, bridge_atoms;
    long bridging, nonbridging, free; /* bridge atoms with >= 2, 1, 0 formers */
    long qn[GMD_QN_MAX + 1];          /* formers with n bridging anions */
    long corner_pairs, edge_pairs;    /* former pairs sharing exactly 1 / exactly 2 anions */
    long face_pairs;                  /* former pairs sharing >= 3 anions */
    long formers_in_edge;             /* formers in at least one edge-sharing pair */
    long formers_in_face;             /* formers in at least one face-sharing pair */
    long homopolar;                   /* bridge-bridge pairs closer than cut_homopolar */
} gmd_network_stats;

/* How two formers are linked: by the number of anions they share (both bonds within the
 * former-bridge cut-off). Face sharing (>= 3) is its own class, not edge sharing. */
typedef enum gmd_sharing_kind {
    GMD_SHARE_CORNER = 0, /* exactly 1 shared anion */
    GMD_SHARE_EDGE = 1,   /* exactly 2 */
    GMD_SHARE_FACE = 2,   /* 3 or more */
    GMD_SHARE_KINDS = 3
} gmd_sharing_kind;

/* The class of a former pair sharing `shared` (>= 1) anions. */
gmd_sharing_kind gmd_sharing_kind_of(long shared);

/* One frame: former / bridge species indices (bridge >= 0; former may be -1). */
gmd_status gmd_network_frame(const gmd_frame *frame, int former, int bridge, double cut_fb,
                             double cut_homopolar, int threads, gmd_network_stats *out,
                             gmd_error *err);

/* ---------------------------------------------------------------- angles */
#define GMD_ANGLE_BINS 180
typedef struct gmd_angle_acc {
    int a, b, c;           /* species of A-B-C, angle at B */
    double cut_ab, cut_cb; /* bond cut-offs */
    double hist[GMD_ANGLE_BINS];
    double sum_deg; /* for the mean */
    long total;
} gmd_angle_acc;

/* Per-anion former neighbours within cut (network.c): formers[i * max_nf + m] for the first
 * max_nf of the nformer[i] formers of anion i (more are counted, not kept), for the atoms
 * of species bridge. */
typedef struct gmd_anion_links {
    int former, bridge;
    double cut;
    int max_nf;
    int *nformer, *formers;
    size_t cap; /* atoms they hold */
} gmd_anion_links;

/* Room for natoms atoms (kept when there is); former, bridge and cut are the caller's. */
gmd_status gmd_anion_links_reserve(gmd_anion_links *links, size_t natoms, gmd_error *err);
void gmd_anion_links_free(gmd_anion_links *links);

/* Adds every A-B-C angle of frame (each unordered pair of distinct neighbours once when
 * A == C) to the histograms of nacc triplets, from the frame's bonds (found here: a
 * gmd_frame_bonds with the triplets' cut-offs). With links (else NULL), also fills them
 * from the same bonds: every atom of species links->bridge has its links->former
 * neighbours within links->cut listed. */
gmd_status gmd_angle_acc_add(gmd_angle_acc *acc, int nacc, const gmd_frame *frame, int threads,
                             gmd_anion_links *links, gmd_error *err);

/* Former-bridge-former angles (angle at the anion) split by how the two formers are linked:
 * each such triplet belongs to exactly one former pair, which shares 1 (corner), 2 (edge)
 * or >= 3 (face) anions. Histograms as gmd_angle_acc (1-degree bins, counts), per kind. */
typedef struct gmd_sharing_angle_acc {
    int former, bridge;
    double cut; /* former-bridge bond cut-off, A */
    double hist[GMD_SHARE_KINDS][GMD_ANGLE_BINS];
    double sum_deg[GMD_SHARE_KINDS];
    long total[GMD_SHARE_KINDS]; /* triplets (= shared anions summed over the pairs) */
    long pairs[GMD_SHARE_KINDS]; /* former pairs */
    long nframes;
} gmd_sharing_angle_acc;

/* Adds the frame's former-bridge-former angles, classified by sharing (network.c). */
gmd_status gmd_sharing_angle_acc_add(gmd_sharing_angle_acc *acc, const gmd_frame *frame,
                                     int threads, gmd_error *err);
/* The same from the frame's links, found by the caller (acc's former, bridge and cut;
 * gmd_angle_acc_add finds them in its own searches). */
gmd_status gmd_sharing_angle_acc_add_links(gmd_sharing_angle_acc *acc, const gmd_frame *frame,
                                           const gmd_anion_links *links, gmd_error *err);

/* ---------------------------------------------------------------- shared helpers */
/* Index of a species by name, -1 if absent. */
int gmd_species_find(const gmd_species_table *sp, const char *name);
/* Splits "A-B" or "A-B-C" into names; returns the number of parts (0 on error). */
int gmd_split_names(const char *spec, char names[3][GMD_NAME_LEN]);

#endif
