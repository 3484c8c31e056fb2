"""Peer test: glassmd's partial g(r) and running coordination against an independent
double-precision numpy histogram and against MDAnalysis InterRDF.

The trajectory: a 3000-atom 50Na2S-50SiS2 melt at 0.043 atoms/A^3 (the issue's system
size) made by LAMMPS on 2 MPI ranks (random start 1.8 A apart, 200 FIRE steps, NVT at
2000 K with buck/coul/long 8.0 + pppm 1e-4 for 100 steps, then dump `id type xu yu zu`
every 10 steps, 20 frames). If LAMMPS is missing or fails, a numpy random walk from the
same start is written in the same dump format instead (the comparison is of the
histogramming, not of the physics), and the test says so.

glassmd: `glassmd analyze DUMP --types Si,S,Na --only rdf --out DIR --rdf-dr 0.02
--rdf-rmax 10`, then DIR/rdf.csv and DIR/coordination.csv (500 bins).

References:
  * numpy (written here, float64): every frame wrapped into the box, all pairs with the
    minimum image, bins [m dr, (m+1) dr) for m < floor(rmax/dr),
    g_ab = H_ab / (N_a (N_b - delta_ab) / V * shell volume), averaged over frames;
    running coordination = cumulative H_ab / (N_a frames). Agreement to 1e-9 relative to
    max(1, |value|) (the CSV prints 10 significant digits).
  * MDAnalysis InterRDF (float32 positions) on the same wrapped positions, exclusion
    block (1, 1) for like pairs (MDAnalysis then normalises with N_a (N_a - 1), as glassmd
    does). The issue's fixed limits: per-bin |g difference| < 5e-3 and running
    coordination (cumulative count / (N_a frames)) < 5e-4. A pair whose float32 distance
    falls on the other side of a bin edge moves one count; with 3000 atoms and 20 frames
    such a move stays under the limits except for a like pair of the rarest species (Si,
    500 atoms) closer than about 4.7 A (a Si-Si pair at 3 A weighs 1.2e-2), so each
    check prints where its largest difference is and what one moved pair weighs there.
    Separately, the test counts (in float64) the pairs within 1e-5 A of each bin edge and
    checks that no difference is left beyond what those pairs can move.
Prints every measured deviation and "N passed, M failed"; exit status 1 on failure.
"""

import os
import subprocess
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib  # noqa: E402

SPECIES = ["Si", "S", "Na"]
NATOMS = 3000
DENSITY = 0.0430
DR = 0.02
RMAX = 10.0
NFRAMES = 20
DUMP_EVERY = 10
# A float32 distance (MDAnalysis) of r < 15 A is off by < 2e-6 A: pairs closer than this to
# a bin edge may land in the other bin there.
EDGE_EPS = 1e-5


def lammps_trajectory(work, cfg, ff):
    data = peerlib.write_lammps_data(os.path.join(work, "start.data"), cfg, ff)
    script = peerlib.lammps_header(os.path.basename(data), ff)
    script += ("pair_style buck/coul/long 8.0\n" + peerlib.lammps_pair_coeffs(ff) +
               "kspace_style pppm 1e-4\n"
               "neighbor 2.0 bin\nneigh_modify every 1 delay 0 check yes\n"
               "thermo 100\n"
               "min_style fire\nminimize 1e-6 1e-4 200 2000\n"
               "reset_timestep 0\ntimestep 0.001\n"
               "velocity all create 2000 4928459 mom yes rot yes dist gaussian\n"
               "fix t all nvt temp 2000 2000 0.1\n"
               "run 100\n"
               "reset_timestep 0\n"
               "dump d all custom %d traj.dump id type xu yu zu\n"
               "dump_modify d sort id format float %%.12g\n"
               "run %d\n" % (DUMP_EVERY, DUMP_EVERY * (NFRAMES - 1)))
    peerlib.run_lammps(work, script, nprocs=2)
    return os.path.join(work, "traj.dump")


def random_walk_trajectory(work, cfg):
    """Fallback: Gaussian random walk (0.15 A per step and direction), unwrapped."""
    rng = np.random.Generator(np.random.PCG64(99))
    tindex = {name: k + 1 for k, name in enumerate(SPECIES)}
    types = np.array([tindex[s] for s in cfg["species"]])
    pos = cfg["pos"].copy()
    path = os.path.join(work, "traj.dump")
    with open(path, "w") as fh:
        for t in range(NFRAMES):
            write_dump_frame(fh, 20 * t, cfg["box"], cfg["ids"], types, pos)
            pos = pos + rng.normal(0.0, 0.15, pos.shape)
    return path


def write_dump_frame(fh, step, box, ids, types, pos):
    fh.write("ITEM: TIMESTEP\n%d\nITEM: NUMBER OF ATOMS\n%d\n" % (step, len(ids)))
    fh.write("ITEM: BOX BOUNDS pp pp pp\n")
    for k in range(3):
        fh.write("0 %.17g\n" % box[k])
    fh.write("ITEM: ATOMS id type xu yu zu\n")
    for i, ty, r in zip(ids, types, pos):
        fh.write("%d %d %.12g %.12g %.12g\n" % (i, ty, r[0], r[1], r[2]))


def read_dump(path):
    """Frames of a LAMMPS text dump: list of (lo, len, types sorted by id, positions)."""
    frames = []
    with open(path) as fh:
        lines = fh.read().split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].startswith("ITEM: TIMESTEP"):
            i += 1
            continue
        n = int(lines[i + 3])
        bounds = np.array([[float(x) for x in lines[i + 5 + k].split()[:2]] for k in range(3)])
        cols = lines[i + 8].split()[2:]
        rows = np.array([[float(x) for x in lines[i + 9 + m].split()] for m in range(n)])
        order = np.argsort(rows[:, cols.index("id")])
        rows = rows[order]
        types = rows[:, cols.index("type")].astype(int)
        pos = rows[:, [cols.index("xu"), cols.index("yu"), cols.index("zu")]]
        frames.append((bounds[:, 0], bounds[:, 1] - bounds[:, 0], types, pos))
        i += 9 + n
    return frames


def wrap(pos, lo, length):
    u = pos - lo
    return u - length * np.floor(u / length)


def numpy_rdf(frames, nbins, dr):
    """Reference g_ab and running coordination (double precision, all pairs). Each species
    pair a <= b is histogrammed once; (b, a) has the same ordered-pair histogram."""
    ntypes = len(SPECIES)
    gsum = np.zeros((ntypes, ntypes, nbins))
    hist = np.zeros((ntypes, ntypes, nbins))
    near = np.zeros((ntypes, ntypes, nbins + 1))  # pairs within EDGE_EPS of edge m dr
    norm = np.zeros((ntypes, ntypes, nbins))
    edges = np.arange(nbins + 1) * dr
    shell = 4.0 / 3.0 * np.pi * (edges[1:] ** 3 - edges[:-1] ** 3)
    reach2 = (nbins * dr + EDGE_EPS) ** 2
    for lo, length, types, pos in frames:
        x = wrap(pos, lo, length)
        vol = np.prod(length)
        for a in range(ntypes):
            ia = np.where(types == a + 1)[0]
            for b in range(a, ntypes):
                ib = np.where(types == b + 1)[0]
                d = x[ia][:, None, :] - x[ib][None, :, :]
                d -= length * np.round(d / length)
                d2 = (d * d).sum(axis=2)
                if a == b:
                    d2[np.diag_indices(len(ia))] = np.inf
                r = np.sqrt(d2[d2 < reach2])
                m = np.rint(r / dr).astype(int)
                close = np.abs(r - m * dr) < EDGE_EPS
                near[a, b] += np.bincount(m[close], minlength=nbins + 1)[:nbins + 1]
                r = r[r < nbins * dr]
                h = np.bincount(np.floor(r / dr).astype(int), minlength=nbins)[:nbins]
                hist[a, b] += h
                pairs = len(ia) * (len(ib) - (a == b))
                gsum[a, b] += h / (pairs / vol * shell)
                norm[a, b] += pairs / vol * shell
    for a in range(ntypes):
        for b in range(a):
            gsum[a, b], hist[a, b] = gsum[b, a], hist[b, a]
            near[a, b], norm[a, b] = near[b, a], norm[b, a]
    counts = [np.sum(frames[0][2] == a + 1) for a in range(ntypes)]
    running = np.cumsum(hist, axis=2) / (np.array(counts)[:, None, None] * len(frames))
    return gsum / len(frames), running, near, norm


def mdanalysis_rdf(frames, nbins, dr):
    """InterRDF on the wrapped positions; returns g[a][b] and running coordination."""
    import MDAnalysis as mda
    from MDAnalysis.analysis.rdf import InterRDF
    n = len(frames[0][2])
    coords = np.array([wrap(pos, lo, length) for lo, length, _, pos in frames],
                      dtype=np.float32)
    dims = np.array([list(frames[0][1]) + [90.0, 90.0, 90.0]] * len(frames))
    u = mda.Universe.empty(n, trajectory=True)
    u.add_TopologyAttr("type", [str(t) for t in frames[0][2]])
    u.load_new(coords, order="fac", dimensions=dims)
    g, run = {}, {}
    for a in range(len(SPECIES)):
        for b in range(len(SPECIES)):
            ga = u.select_atoms("type %d" % (a + 1))
            gb = u.select_atoms("type %d" % (b + 1))
            kw = {"exclusion_block": (1, 1)} if a == b else {}
            rdf = InterRDF(ga, gb, nbins=nbins, range=(0.0, nbins * dr), **kw)
            rdf.run()
            g[a, b] = np.asarray(rdf.results.rdf, dtype=float)
            run[a, b] = np.cumsum(rdf.results.count) / (len(ga) * len(frames))
    return g, run


def reldev(x, ref):
    """max |x - ref| / max(1, |ref|): the CSV prints 10 significant digits."""
    return float((np.abs(x - ref) / np.maximum(1.0, np.abs(ref))).max())


def main():
    checks = peerlib.Checks("glassmd rdf against numpy and MDAnalysis InterRDF")
    work = peerlib.scratch_dir("rdf_peers")
    ff = peerlib.read_ff(peerlib.reference_ff())
    cfg = peerlib.random_config(peerlib.na2s_sis2_counts(NATOMS), DENSITY, seed=2024, dmin=1.8)
    try:
        dump = lammps_trajectory(work, cfg, ff)
        frames = read_dump(dump)
        if len(frames) != NFRAMES or not all(np.isfinite(f[3]).all() for f in frames):
            raise RuntimeError("LAMMPS gave %d frames or non-finite positions" % len(frames))
        checks.info("trajectory: LAMMPS NVT 2000 K, %d frames" % len(frames))
    except (RuntimeError, OSError) as exc:
        checks.info("LAMMPS unavailable or failed (%s); using a numpy random walk"
                    % str(exc).splitlines()[0])
        dump = random_walk_trajectory(work, cfg)
        frames = read_dump(dump)
    length = frames[0][1]
    nbins = int(np.floor(min(RMAX, 0.5 * length.min()) / DR + 1e-9))

    ref_g, ref_run, near, norm = numpy_rdf(frames, nbins, DR)

    exe = peerlib.glassmd_binary()
    out = os.path.join(work, "analysis")
    if exe is None:
        checks.fail("glassmd", "binary not found ($GLASSMD)")
    else:
        cmd = [exe, "analyze", dump, "--types", ",".join(SPECIES), "--only", "rdf", "--out", out,
               "--rdf-dr", str(DR), "--rdf-rmax", repr(nbins * DR), "--threads", "2"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            checks.fail("glassmd analyze", "rc %d: %s" % (proc.returncode, proc.stderr[-1500:]))
        else:
            rdf = peerlib.read_glassmd_csv(os.path.join(out, "rdf.csv"))
            coord = peerlib.read_glassmd_csv(os.path.join(out, "coordination.csv"))
            if len(rdf["r_A"]) != nbins:
                checks.fail("bins", "glassmd %d, numpy %d" % (len(rdf["r_A"]), nbins))
            else:
                checks.check("bin centres |r - (m + 1/2) dr| (A)",
                             np.abs(rdf["r_A"] - (np.arange(nbins) + 0.5) * DR).max(), 1e-9)
                for a in range(3):
                    for b in range(3):
                        name = SPECIES[a] + SPECIES[b]
                        if b >= a:
                            dev = reldev(rdf["g_" + name], ref_g[a, b])
                            checks.check("g_%s glassmd vs numpy, max |diff|/max(1,|g|)" % name,
                                         dev, 1e-9)
                        dev = reldev(coord["n_" + name], ref_run[a, b])
                        checks.check("n_%s(r) glassmd vs numpy, max |diff|/max(1,|n|)" % name,
                                     dev, 1e-9)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            md_g, md_run = mdanalysis_rdf(frames, nbins, DR)
        except ImportError as exc:
            md_g = None
            checks.fail("MDAnalysis", "not importable: %s" % exc)
    if md_g is not None:
        have_glassmd = exe is not None and os.path.exists(os.path.join(out, "rdf.csv"))
        who = "glassmd" if have_glassmd else "numpy"
        nfr = len(frames)
        counts = [int(np.sum(frames[0][2] == a + 1)) for a in range(3)]
        for a in range(3):
            for b in range(a, 3):
                name = SPECIES[a] + SPECIES[b]
                ours = rdf["g_" + name] if have_glassmd else ref_g[a, b]
                diff = np.abs(ours - md_g[a, b])
                # what float32 binning can move: the pairs near either edge of the bin
                movable = (near[a, b, :-1] + near[a, b, 1:]) / (norm[a, b] / nfr) / nfr
                unexplained = np.maximum(diff - movable - 1e-5 * np.maximum(1, ours), 0)
                worst = int(diff.argmax())
                checks.check("g_%s %s vs MDAnalysis, max per-bin |diff|" % (name, who),
                             diff.max(), 5e-3,
                             "(at r = %.2f A, where one pair moved weighs %.1e; %d pairs "
                             "within %.0e A of an edge)"
                             % ((worst + 0.5) * DR, (1 + (a == b)) / norm[a, b, worst],
                                near[a, b].sum() / (1 + (a == b)), EDGE_EPS))
                checks.check("g_%s beyond float32 edge moves" % name, unexplained.max(), 1e-12)
        for a in range(3):
            for b in range(3):
                name = SPECIES[a] + SPECIES[b]
                ours = coord["n_" + name] if have_glassmd else ref_run[a, b]
                diff = np.abs(ours - md_run[a, b])
                movable = near[a, b, 1:] / (counts[a] * nfr)
                unexplained = np.maximum(diff - movable - 1e-6, 0)
                checks.check("n_%s(r) %s vs MDAnalysis, max |diff|" % (name, who), diff.max(),
                             5e-4, "(one ordered pair = %.1e)" % (1.0 / (counts[a] * nfr)))
                checks.check("n_%s(r) beyond float32 edge moves" % name, unexplained.max(),
                             1e-12)
    checks.finish()


if __name__ == "__main__":
    main()
