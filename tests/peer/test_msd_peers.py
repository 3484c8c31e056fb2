#!/usr/bin/env python3
"""test_msd_peers - glassmd's MSD and D against numpy and MDAnalysis (written by others).

A LAMMPS text dump `id type xu yu zu` of Gaussian random walkers is written with numpy:
300 atoms of 3 species (types 1, 2, 3 = Si, S, Na, each with its own D), 200 frames at
TIMESTEP 0, 10, 20, ... (with --dt 1 fs: frames 0.01 ps apart), ids shuffled in the file,
positions printed with %.17g so that every reader gets the same doubles. Then

    $GLASSMD analyze DUMP --types Si,S,Na --only msd --out DIR --dt 1 [--msd-fit T0,T1]

and the checks:
  1. numpy, double precision, the windowed MSD straight from its definition
     (mean over atoms of a species and over all time origins of |r(t+m) - r(t)|^2) at every
     lag, against DIR/msd_all.csv. That file is written with %.10g, so the limit is the
     rounding of the 10th significant digit (half a unit of it, plus 1e-12 relative for
     the FFT); the 1e-10 agreement of the algorithm itself is checked in the unit test
     test_dynamics with full doubles.
  2. MDAnalysis 2.4 EinsteinMSD(fft=False) per species (its dump reader keeps positions in
     float32), at every lag, limit 1e-6 relative; the measured deviation is printed.
  3. D per species for one fit window given with --msd-fit: glassmd's results.json
     against the least-squares slope / 6 of the numpy MSD (1e-8 relative: the numpy MSD is
     exact) and of the MDAnalysis MSD (scipy.stats.linregress, 1e-6 relative), and the
     reported fit window.
  4. With the automatic window (no --msd-fit): D within 3 reported error bars and 5 % of
     the walkers' true D; msd.csv (log-spaced lags) holds the same MSD values as
     msd_all.csv and a local exponent beta within 0.1 of 1 over the fitted lags.
Environment: GLASSMD (the executable), GLASSMD_TEST_TMP (scratch). Prints every deviation
and "N passed, M failed"; exits 1 on a failure.
"""

import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib  # noqa: E402

SPECIES = ["Si", "S", "Na"]
COUNTS = [60, 120, 120]
D_TRUE = [0.3, 0.8, 2.0]  # A^2/ps
NFRAMES = 200
STEP_EVERY = 10
DT_FS = 1.0
FRAME_PS = STEP_EVERY * DT_FS * 1e-3
BOX = 25.0
FIT_PS = (0.05, 0.4)  # the window given with --msd-fit


def make_walkers(seed=20240611):
    """Positions (frames, atoms, 3) of random walkers, their types (1-based) and ids."""
    rng = np.random.Generator(np.random.PCG64(seed))
    types = np.concatenate([np.full(c, k + 1) for k, c in enumerate(COUNTS)])
    natoms = len(types)
    dvec = np.array([D_TRUE[t - 1] for t in types])
    steps = rng.normal(size=(NFRAMES - 1, natoms, 3)) * np.sqrt(2 * dvec * FRAME_PS)[None, :, None]
    start = rng.random((natoms, 3)) * BOX
    pos = np.concatenate([start[None], start[None] + np.cumsum(steps, axis=0)])
    ids = np.arange(1, natoms + 1)
    return pos, types, ids


def write_dump(path, pos, types, ids):
    """LAMMPS dump, atoms in a different shuffled order in every frame; the text values
    are what the readers will see, so the positions are returned as read back."""
    rng = np.random.Generator(np.random.PCG64(7))
    out = []
    for t in range(NFRAMES):
        out.append("ITEM: TIMESTEP\n%d\nITEM: NUMBER OF ATOMS\n%d\n" % (t * STEP_EVERY, len(ids)))
        out.append("ITEM: BOX BOUNDS pp pp pp\n" + ("0 %.17g\n" % BOX) * 3)
        out.append("ITEM: ATOMS id type xu yu zu\n")
        for i in rng.permutation(len(ids)):
            out.append("%d %d %.17g %.17g %.17g\n" % (ids[i], types[i], *pos[t, i]))
    with open(path, "w") as fh:
        fh.writelines(out)


def slope_D_cm2_s(msd, lo, hi):
    """D = slope / 6 of MSD(t) over lags lo..hi (least squares with intercept), cm^2/s."""
    m = np.arange(lo, hi + 1)
    slope = np.polyfit(m * FRAME_PS, msd[lo:hi + 1], 1)[0]
    return slope / 6.0 * 1e-4


def run_analyze(checks, work, dump, out, extra):
    return peerlib.run_glassmd_analyze(
        checks, work, dump, out,
        ["--types", ",".join(SPECIES), "--only", "msd", "--dt", "%g" % DT_FS] + extra)


def csv_rounding_limit(ref):
    """Half a unit of the 10th significant digit of each value (%.10g) + 1e-12 relative."""
    ref = np.abs(ref)
    exp10 = np.floor(np.log10(np.where(ref > 0, ref, 1.0)))
    return 0.5 * 10.0 ** (exp10 - 9) * (1 + 1e-9) + 1e-12 * ref


def mdanalysis_msds(dump):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import MDAnalysis as mda
        from MDAnalysis.analysis.msd import EinsteinMSD
        u = mda.Universe(dump, format="LAMMPSDUMP", topology_format="LAMMPSDUMP",
                         lammps_coordinate_convention="unwrapped")
        out = {}
        for k, name in enumerate(SPECIES):
            msd = EinsteinMSD(u, select="type %d" % (k + 1), msd_type="xyz", fft=False)
            msd.run()
            out[name] = np.asarray(msd.results.timeseries, dtype=float)
        return out, u.atoms.positions.dtype


def main():
    checks = peerlib.Checks("MSD and D: glassmd vs numpy and MDAnalysis EinsteinMSD")
    work = peerlib.scratch_dir("msd_peers")
    pos, types, ids = make_walkers()
    dump = os.path.join(work, "walkers.dump")
    write_dump(dump, pos, types, ids)

    # the reference MSD in double precision from the very numbers in the file
    ref = {name: peerlib.windowed_msd(pos[:, types == k + 1, :]) for k, name in enumerate(SPECIES)}
    mda_msd, mda_dtype = mdanalysis_msds(dump)
    checks.info("MDAnalysis positions are %s" % mda_dtype)

    fit_arg = "%g:%g" % FIT_PS
    res_fit = run_analyze(checks, work, dump, os.path.join(work, "fit"), ["--msd-fit", fit_arg])
    res_auto = run_analyze(checks, work, dump, os.path.join(work, "auto"), [])
    table = peerlib.read_glassmd_csv(os.path.join(work, "fit", "msd_all.csv"))
    lags = np.arange(NFRAMES)
    checks.check("msd_all.csv: time column = lag * 0.01 ps (max abs dev, ps)",
                 float(np.max(np.abs(table["time_ps"] - lags * FRAME_PS))), 1e-12)

    for name in SPECIES:
        got = table["msd_%s_A2" % name]
        want = ref[name]
        excess = np.abs(got[1:] - want[1:]) / csv_rounding_limit(want[1:])
        checks.info("%s: max |glassmd - numpy| / MSD = %.2e over lags 1..%d"
                    % (name, float(np.max(np.abs(got[1:] / want[1:] - 1))), NFRAMES - 1))
        checks.check("%s MSD vs numpy, every lag (dev / %%.10g rounding)" % name,
                     float(np.max(excess)), 1.0)
        checks.check("%s MSD at lag 0 (A^2)" % name, abs(float(got[0])), 1e-12)
        rel = np.abs(got[1:] / mda_msd[name][1:] - 1)
        checks.check("%s MSD vs MDAnalysis EinsteinMSD (float32), every lag" % name,
                     float(np.max(rel)), 1e-6, "worst at lag %d" % (1 + int(np.argmax(rel))))

    # msd.csv: the log-spaced lags, the same values, and beta = d ln MSD / d ln t close
    # to 1 (random walkers diffuse from the first lag; the MSD noise is ~1 %)
    logt = peerlib.read_glassmd_csv(os.path.join(work, "fit", "msd.csv"))
    lag_of = np.rint(logt["time_ps"] / FRAME_PS).astype(int)
    checks.check("msd.csv: log-spaced lags, increasing, up to the last lag",
                 float(np.any(np.diff(lag_of) <= 0) or lag_of[-1] != NFRAMES - 1
                       or lag_of[0] != 1), 0.0, "%d lags" % len(lag_of))
    for name in SPECIES:
        same = np.abs(logt["msd_%s_A2" % name] / table["msd_%s_A2" % name][lag_of] - 1)
        checks.check("%s msd.csv = msd_all.csv at its lags" % name, float(np.max(same)), 1e-9)
        early = lag_of <= 19
        checks.check("%s beta within 0.1 of 1 for lags <= 19" % name,
                     float(np.max(np.abs(logt["beta_%s" % name][early] - 1))), 0.1)

    lo, hi = (int(round(t / FRAME_PS)) for t in FIT_PS)
    for k, name in enumerate(SPECIES):
        entry = res_fit["diffusion_cm2_s"][name]
        d_np = slope_D_cm2_s(ref[name], lo, hi)
        d_mda = slope_D_cm2_s(mda_msd[name], lo, hi)
        checks.check("%s D (--msd-fit %s) vs numpy slope/6" % (name, fit_arg),
                     peerlib.rel(entry["D"], d_np), 1e-8, "D = %.6e cm^2/s" % entry["D"])
        checks.check("%s D vs MDAnalysis MSD slope/6" % name, peerlib.rel(entry["D"], d_mda),
                     1e-6)
        checks.check("%s fit window reported (ps)" % name,
                     max(abs(entry["fit_ps"][0] - FIT_PS[0]), abs(entry["fit_ps"][1] - FIT_PS[1])),
                     1e-12)
        auto = res_auto["diffusion_cm2_s"][name]
        true = D_TRUE[k] * 1e-4
        checks.info("%s automatic window %s ps: D = %.5e +- %.2e cm^2/s, true %.5e"
                    % (name, auto["fit_ps"], auto["D"], auto["err"] or float("nan"), true))
        checks.check("%s |D - true D| / reported error (automatic window)" % name,
                     abs(auto["D"] - true) / auto["err"], 3.0,
                     "%.1f %% off" % (100 * peerlib.rel(auto["D"], true)))
        checks.check("%s D (automatic window) vs the walkers' true D" % name,
                     peerlib.rel(auto["D"], true), 0.05)
    checks.finish()


if __name__ == "__main__":
    main()
