#!/usr/bin/env python3
"""test_npt_analyze - `glassmd analyze` on trajectories whose box changes from frame to
frame (NPT), against numpy on the same frames (issue 14 item 3).

A. Structure. A simple-cubic crystal of 5 x 5 x 5 Si sites, a(t) = L(t) / 5, in six frames
   whose box edge goes L = 22.13, 23.07, 20.21, 23.91, 21.37, 22.61 A (the smallest is
   not the first), the crystal also drifting by (1.3, -0.7, 2.1) A per frame so that
   atoms cross the box faces while it changes. The dump holds wrapped `x y z` without
   image flags (the reader unwraps it; it must keep u - x whole boxes of the frame's own
   box, or the minimum images go wrong). Checks:
   1. rdf.csv g_SiSi against numpy: all pair distances by minimum image in each frame's
      box, binned as glassmd (bin = int(d / dr)), normalised per frame by N (N - 1) / V(t)
      times the shell volume, averaged over frames (no distance lies within 1e-6 of a bin
      edge, checked first); rmax = half the smallest box edge over all frames (10.1 A
      with dr 0.05, not 11.05 A from the first frame, which frame 3 cannot hold); a given
      --rdf-rmax 10.5 is refused at frame 3 with the cure.
   2. coordination.csv: n_SiSi(r) = 6 exactly at every bin edge between the largest a(t)
      (4.782 A) and the smallest a(t) sqrt 2 (5.716 A); every peak sits at the scaled
      lattice distances (g = 0 wherever no frame has a lattice distance).
   3. sq_direct.csv against numpy: every frame's reciprocal lattice 2 pi n / L(t) up to
      kmax, S_AL = |sum_j exp(i k.r_j)|^2 / N binned in shells [m dk, (m + 1) dk), the mean
      over every vector of every frame; the shell k (mean |k|), nvec (vectors per frame)
      and S; and in the shell of each frame's first Bragg peak 2 pi / a(t) the sum of S
      over the vectors of all frames is 3 N (the (100), (010), (001) vectors of that
      frame, S = N = 125 each; the other frames' vectors there have S = 0).
B. Dynamics. 64 Na atoms with constant velocities (up to 0.6 A per frame and axis) over
   60 frames in a box whose edge wanders between about 18 and 22 A, scaled about its
   fixed centre each frame as a barostat does: each frame the wrapped position is scaled
   with the box (x' = lo' + (x - lo) L'/L), then moved by v, then wrapped into the new
   box; the true displacement is the sum of both moves (the reference path). Written as
   (a) wrapped `x y z` without image flags and (b) LAMMPS-style `xu yu zu` = x + n L(t),
   which under a changing box adds n (L(t) - L(t-1)) per frame that is no motion. Checks:
   4. msd_all.csv of (a) and of (b) against the windowed MSD of the true path (numpy,
      from the definition), at every lag, to the rounding of the CSV's %.10g (5e-10
      relative); results.json msd.box_changes = 59. And the naive difference of xu (b)
      is shown to be off by more than 1 % (so check 4 can fail).
   5. A fixed box (same velocities, L = 20): msd_all.csv equals the true MSD and
      box_changes = 0 (the fixed-box path is the old one).
Environment: GLASSMD (the executable), GLASSMD_TEST_TMP (scratch). About 2 s.
"""

import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib  # noqa: E402

SIDE = 5
BOXES = [22.13, 23.07, 20.21, 23.91, 21.37, 22.61]
DRIFT = np.array([1.3, -0.7, 2.1])
DR = 0.05
DK = 0.02
KMAX = 2.0
STEP_EVERY = 10  # TIMESTEP between frames; --dt 1 fs -> 0.01 ps

N_WALK = 64
N_FRAMES_WALK = 60
CENTRE = 10.0


def write_dump(path, frames, columns, name_col=False):
    """frames: list of (L, lo, positions (n, 3)); one species, type 1."""
    out = []
    for t, (L, lo, pos) in enumerate(frames):
        out.append("ITEM: TIMESTEP\n%d\nITEM: NUMBER OF ATOMS\n%d\n" % (t * STEP_EVERY, len(pos)))
        out.append("ITEM: BOX BOUNDS pp pp pp\n" + ("%.17g %.17g\n" % (lo, lo + L)) * 3)
        out.append("ITEM: ATOMS id type %s\n" % columns)
        for i, p in enumerate(pos):
            out.append("%d 1 %.17g %.17g %.17g\n" % (i + 1, *p))
    with open(path, "w") as fh:
        fh.writelines(out)


def run_analyze(checks, work, dump, out, types, extra):
    return peerlib.run_glassmd_analyze(
        checks, work, dump, out, ["--types", types, "--dt", "1", "--threads", "2"] + extra,
        timeout=300)


def csv_limit(ref):
    """Half a unit of the 10th significant digit of each value (%.10g) + 1e-12 relative."""
    ref = np.abs(ref)
    exp10 = np.floor(np.log10(np.where(ref > 0, ref, 1.0)))
    return 0.5 * 10.0 ** (exp10 - 9) * (1 + 1e-9) + 1e-12 * ref


def worst_excess(got, ref, extra=0.0):
    """max |got - ref| / (csv limit + extra); <= 1 passes."""
    return float(np.max(np.abs(got - ref) / (csv_limit(ref) + extra)))


# ---- A: the crystal --------------------------------------------------------------------

def crystal_frames():
    idx = np.array([(i, j, k) for i in range(SIDE) for j in range(SIDE) for k in range(SIDE)],
                   dtype=float)
    frames = []
    for t, L in enumerate(BOXES):
        a = L / SIDE
        pos = (idx + 0.25) * a + t * DRIFT
        frames.append((L, 0.0, pos - L * np.floor(pos / L)))
    return frames


def pair_distances(pos, L):
    d = pos[:, None, :] - pos[None, :, :]
    d -= L * np.round(d / L)
    r = np.sqrt(np.sum(d * d, axis=2))
    return r[np.triu_indices(len(pos), 1)]


def numpy_gr(frames, rmax):
    nb = int(np.floor(rmax / DR + 1e-9))
    gsum = np.zeros(nb)
    edges_ok = True
    for L, _, pos in frames:
        r = pair_distances(pos, L)
        frac = r / DR - np.round(r / DR)
        edges_ok &= bool(np.min(np.abs(frac[r < nb * DR + 1])) > 1e-6)
        hist = np.bincount((r[r < nb * DR] / DR).astype(int), minlength=nb)[:nb] * 2.0
        n = len(pos)
        shell = 4.0 / 3.0 * np.pi * DR ** 3 * ((np.arange(nb) + 1) ** 3 - np.arange(nb) ** 3)
        gsum += hist / (n * (n - 1) / L ** 3 * shell)
    return gsum / len(frames), edges_ok


def numpy_sq(frames):
    nsh = int(np.floor(KMAX / DK + 1e-9))
    ssum, ksum, nvec = np.zeros(nsh), np.zeros(nsh), np.zeros(nsh)
    for L, _, pos in frames:
        nmax = int(np.floor(KMAX / (2 * np.pi / L)))
        rng = np.arange(-nmax, nmax + 1)
        n = np.array(np.meshgrid(rng, rng, rng, indexing="ij")).reshape(3, -1).T
        half = (n[:, 0] > 0) | ((n[:, 0] == 0) & (n[:, 1] > 0)) | \
               ((n[:, 0] == 0) & (n[:, 1] == 0) & (n[:, 2] > 0))
        k = 2 * np.pi / L * n[half]
        kabs = np.sqrt(np.sum(k * k, axis=1))
        keep = kabs <= KMAX
        k, kabs = k[keep], kabs[keep]
        rho = np.exp(1j * (pos @ k.T)).sum(axis=0)
        s = np.abs(rho) ** 2 / len(pos)
        m = (kabs / DK).astype(int)
        ok = m < nsh
        np.add.at(ssum, m[ok], s[ok])
        np.add.at(ksum, m[ok], kabs[ok])
        np.add.at(nvec, m[ok], 1)
    used = nvec > 0
    return ksum[used] / nvec[used], nvec[used] / len(frames), ssum[used] / nvec[used]


def check_structure(checks, work):
    frames = crystal_frames()
    dump = os.path.join(work, "crystal.dump")
    write_dump(dump, frames, "x y z")
    out = os.path.join(work, "crystal")
    res = run_analyze(checks, work, dump, out, "Si",
                      ["--only", "rdf,sq", "--rdf-dr", "%g" % DR, "--sq-dk", "%g" % DK,
                       "--direct-kmax", "%g" % KMAX])
    cmd = [peerlib.glassmd_binary(), "analyze", dump, "--types", "Si", "--only", "rdf",
           "--out", out + "_given", "--rdf-rmax", "10.5"]
    proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True, timeout=300)
    named = all(w in proc.stderr for w in ("frame 3", "--rdf-rmax", "10.5", "10.105"))
    checks.check("1. --rdf-rmax 10.5 refused at frame 3, naming the cure", 0 if
                 proc.returncode == 1 and named else 1, 0, proc.stderr.strip()[-300:])
    rmax = 0.5 * min(BOXES)
    rmax_bins = int(np.floor(rmax / DR + 1e-9)) * DR
    checks.check("1. rdf rmax = half the smallest edge over frames (A)",
                 abs(res["rdf"]["rmax_A"] - rmax_bins), 1e-12,
                 "got %g, first frame's half edge %g" % (res["rdf"]["rmax_A"], BOXES[0] / 2))
    checks.check("   results.json box.changes = frames - 1",
                 abs(res["box"]["changes"] - (len(BOXES) - 1)), 0)
    g_ref, edges_ok = numpy_gr(frames, rmax)
    checks.check("   no pair distance within 1e-6 of a bin edge", 0 if edges_ok else 1, 0)
    rdf = peerlib.read_glassmd_csv(os.path.join(out, "rdf.csv"))
    g = rdf["g_SiSi"]
    if len(g) != len(g_ref):
        checks.fail("1. rdf bins", "%d bins, numpy %d" % (len(g), len(g_ref)))
    else:
        checks.check("1. g_SiSi(r) vs numpy per-frame V(t) (x CSV rounding)",
                     worst_excess(g, g_ref), 1.0)
    coord = peerlib.read_glassmd_csv(os.path.join(out, "coordination.csv"))
    a_max, a_min = max(BOXES) / SIDE, min(BOXES) / SIDE
    gap = (coord["r_A"] > a_max) & (coord["r_A"] < a_min * np.sqrt(2))
    checks.check("2. n_SiSi = 6 between max a(t) and min a(t) sqrt2 (%d edges)" % gap.sum(),
                 float(np.max(np.abs(coord["n_SiSi"][gap] - 6.0))), 0.0)
    lattice = np.concatenate([L / SIDE * np.sqrt(np.array([1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12]))
                              for L in BOXES])
    r_mid = rdf["r_A"]
    near = np.any(np.abs(r_mid[:, None] - lattice[None, :]) < DR, axis=1)
    checks.check("2. g = 0 away from the scaled lattice distances",
                 float(np.max(np.abs(g[~near]))), 0.0)
    k_ref, nvec_ref, s_ref = numpy_sq(frames)
    sq = peerlib.read_glassmd_csv(os.path.join(out, "sq_direct.csv"))
    if len(sq["k_invA"]) != len(k_ref):
        checks.fail("3. S(k) shells", "%d shells, numpy %d" % (len(sq["k_invA"]), len(k_ref)))
    else:
        checks.check("3. shell k (mean |k|) vs numpy", worst_excess(sq["k_invA"], k_ref), 1.0)
        checks.check("3. nvec per frame vs numpy", worst_excess(sq["nvec"], nvec_ref), 1.0)
        checks.check("3. S_SiSi (grid) vs numpy, limit CSV + 1e-7 abs",
                     worst_excess(sq["S_SiSi"], s_ref, 1e-7), 1.0)
    bragg = []
    for L in BOXES:
        m = np.floor(sq["k_invA"] / DK) == np.floor(2 * np.pi / (L / SIDE) / DK)
        bragg.append(float(np.sum(sq["S_SiSi"][m] * sq["nvec"][m])) * len(BOXES))
    checks.check("3. each frame's Bragg shell 2 pi / a(t): sum S = 3 N (rel)",
                 float(np.max(np.abs(np.array(bragg) / (3 * SIDE ** 3) - 1))), 1e-6,
                 "sum S there: %s" % ", ".join("%.6g" % b for b in bragg))


# ---- B: ballistic atoms in a breathing box --------------------------------------------

def walker_frames(fixed):
    rng = np.random.Generator(np.random.PCG64(20261204))
    v = rng.uniform(-0.6, 0.6, size=(N_WALK, 3))
    L = 20.0
    lengths = [L]
    for _ in range(N_FRAMES_WALK - 1):
        L = L if fixed else float(np.clip(L + rng.uniform(-0.4, 0.4), 18.0, 22.0))
        lengths.append(L)
    lo = CENTRE - lengths[0] / 2
    x = lo + rng.random((N_WALK, 3)) * lengths[0]
    img = np.zeros((N_WALK, 3))
    true = [x.copy()]
    wrapped, unwrapped = [(lengths[0], lo, x.copy())], [(lengths[0], lo, x.copy())]
    for t in range(1, N_FRAMES_WALK):
        L0, L1 = lengths[t - 1], lengths[t]
        lo0, lo1 = CENTRE - L0 / 2, CENTRE - L1 / 2
        scaled = lo1 + (x - lo0) * (L1 / L0)
        true.append(true[-1] + (scaled - x) + v)
        moved = scaled + v
        cross = np.floor((moved - lo1) / L1)
        x = moved - cross * L1
        img += cross
        wrapped.append((L1, lo1, x.copy()))
        unwrapped.append((L1, lo1, x + img * L1))
    return np.array(true), wrapped, unwrapped


def check_msd(checks, work, name, frames, ref, changes, columns):
    dump = os.path.join(work, name + ".dump")
    write_dump(dump, frames, columns)
    out = os.path.join(work, name)
    res = run_analyze(checks, work, dump, out, "Na", ["--only", "msd"])
    msd = peerlib.read_glassmd_csv(os.path.join(out, "msd_all.csv"))["msd_Na_A2"]
    checks.check("%s: MSD vs the true path, every lag (x CSV rounding)" % name,
                 worst_excess(msd[1:], ref[1:]), 1.0)
    checks.check("%s: results.json msd.box_changes = %d" % (name, changes),
                 abs(res["msd"]["box_changes"] - changes), 0)


def check_dynamics(checks, work):
    true, wrapped, unwrapped = walker_frames(fixed=False)
    ref = peerlib.windowed_msd(true)
    check_msd(checks, work, "4a_wrapped", wrapped, ref, N_FRAMES_WALK - 1, "x y z")
    check_msd(checks, work, "4b_xu", unwrapped, ref, N_FRAMES_WALK - 1, "xu yu zu")
    naive = peerlib.windowed_msd(np.array([p for _, _, p in unwrapped]))
    checks.check("4. the naive xu difference is off (> 1 %: the check can fail)",
                 max(0.0, 0.01 - float(np.max(np.abs(naive[1:] / ref[1:] - 1)))), 0.0,
                 "max deviation %.3g" % float(np.max(np.abs(naive[1:] / ref[1:] - 1))))
    true, wrapped, unwrapped = walker_frames(fixed=True)
    ref = peerlib.windowed_msd(true)
    check_msd(checks, work, "5_fixed_xu", unwrapped, ref, 0, "xu yu zu")


def main():
    checks, work = peerlib.start_checks("analyses on a changing box vs numpy", "npt_analyze")
    check_structure(checks, work)
    check_dynamics(checks, work)
    checks.finish()


if __name__ == "__main__":
    main()
