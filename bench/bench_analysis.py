#!/usr/bin/python3
"""bench_analysis.py - time of `glassmd analyze` against MDAnalysis on the same trajectory
(see bench/README.md).

Three timed commands, each a separate process, interleaved for --rounds rounds
(glassmd-all, glassmd-same, MDAnalysis, glassmd-all, ...):
  glassmd-all   the whole default analysis (rdf, sq, fsdp, msd, sigma, network, angles;
                --temperature so that sigma runs), --threads T;
  glassmd-same  only what MDAnalysis computes below: --only rdf,msd, --threads T;
  MDAnalysis    InterRDF for every species pair a <= b with the same bins as glassmd
                (range 0 .. L/2, dr 0.02 A) and EinsteinMSD(fft=False) per species
                (tidynamics, needed by fft=True, is not packaged in Debian), serial.
Both read the same LAMMPS dump (id type element xu yu zu). The ratio printed is
glassmd-same / MDAnalysis (below 1: glassmd faster) at each thread count, and the share
of the whole default analysis. Times are process wall times and CPU times (user + sys of
the child) of the whole process: start-up, reading and writing included.

The trajectory: --traj FILE (a LAMMPS dump with an element column and unwrapped
positions), or by default a numpy random walk of the 3000-atom 50Na2S-50SiS2 composition
(1000 Na, 500 Si, 1500 S; box 41.17 A, uniform random start, Gaussian steps of 0.1 A per
frame and direction), --frames frames, written once to OUT/walk.dump.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

MDA_SCRIPT = r'''
import sys, warnings
warnings.filterwarnings("ignore")
import numpy as np
import MDAnalysis as mda
from MDAnalysis.analysis.rdf import InterRDF
from MDAnalysis.analysis.msd import EinsteinMSD
traj, nframes = sys.argv[1], int(sys.argv[2])
u = mda.Universe(traj, format="LAMMPSDUMP", lammps_coordinate_convention="unwrapped")
box = u.trajectory[0].dimensions[:3]
dr = 0.02
rmax = np.floor(box.min() / 2 / dr + 1e-9) * dr
nbins = int(round(rmax / dr))
types = sorted(set(u.atoms.types), key=int)
groups = [u.select_atoms("type %s" % t) for t in types]
for a in range(len(groups)):
    for b in range(a, len(groups)):
        r = InterRDF(groups[a], groups[b], nbins=nbins, range=(0.0, rmax),
                     exclusion_block=(1, 1) if a == b else None)
        r.run(stop=nframes)
for t in types:
    m = EinsteinMSD(u, select="type %s" % t, msd_type="xyz", fft=False)
    m.run(stop=nframes)
print("mdanalysis: %d pairs, %d species, %d frames, %d bins" %
      (len(groups) * (len(groups) + 1) // 2, len(groups), nframes, nbins))
'''


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--glassmd", default=os.environ.get("GLASSMD"))
    ap.add_argument("--ff", default=os.path.join(ROOT, "data", "forcefields", "na2s-sis2.ff"))
    ap.add_argument("--traj", help="LAMMPS dump (default: a random walk made in OUT)")
    ap.add_argument("--frames", type=int, default=20, help="frames analysed (default 20)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--threads", default="1,2", help="glassmd thread counts")
    ap.add_argument("--out", default=os.environ.get("GLASSMD_BENCH_OUT",
                                                    "/tmp/glassmd-bench-analysis"))
    return ap.parse_args()


def write_walk(path, frames, seed=2024):
    """3000 atoms: Si (type 1), S (2), Na (3), random walk, unwrapped dump."""
    rng = np.random.default_rng(seed)
    L = 41.16716243623785
    types = np.array([1] * 500 + [2] * 1500 + [3] * 1000)
    names = {1: "Si", 2: "S", 3: "Na"}
    x = rng.uniform(0.0, L, size=(len(types), 3))
    with open(path, "w") as f:
        for t in range(frames):
            if t:
                x = x + rng.normal(0.0, 0.1, size=x.shape)
            f.write("ITEM: TIMESTEP\n%d\nITEM: NUMBER OF ATOMS\n%d\n" % (10 * t, len(types)))
            f.write("ITEM: BOX BOUNDS pp pp pp\n" + ("0 %.15g\n" % L) * 3)
            f.write("ITEM: ATOMS id type element xu yu zu\n")
            for i in range(len(types)):
                f.write("%d %d %s %.8f %.8f %.8f\n" % (i + 1, types[i], names[types[i]],
                                                        x[i, 0], x[i, 1], x[i, 2]))


def timed(cmd, log):
    """Wall and CPU (user + sys of the child) seconds of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with open(log, "w") as fh:
        proc = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit("bench_analysis: %s failed (exit %d); see %s" % (cmd[0], proc.returncode, log))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    a = parse_args()
    if not a.glassmd:
        sys.exit("bench_analysis: give --glassmd or set GLASSMD")
    os.makedirs(a.out, exist_ok=True)
    traj = a.traj
    if not traj:
        traj = os.path.join(a.out, "walk.dump")
        if not os.path.exists(traj) or open(traj).read().count("ITEM: TIMESTEP") < a.frames:
            write_walk(traj, a.frames)
    mda_py = os.path.join(a.out, "mda_rdf_msd.py")
    with open(mda_py, "w") as f:
        f.write(MDA_SCRIPT)
    load = os.getloadavg()[0]
    if load > 0.5:
        print("warning: load average %.2f before the run; CPU times are more reliable than "
              "wall times on a busy machine" % load)
    threads = [int(t) for t in a.threads.split(",")]
    samples = {}
    for r in range(a.rounds):
        for t in threads:
            base = [a.glassmd, "analyze", traj, "--ff", a.ff, "--temperature", "2000",
                    "--dt", "1", "--max-frames", str(a.frames), "--threads", str(t)]
            for name, extra in (("glassmd-all", []), ("glassmd-same", ["--only", "rdf,msd"])):
                out = os.path.join(a.out, "%s-t%d" % (name, t))
                # no gnuplot on the PATH: the figures are not drawn, the analysis is timed
                cmd = ["/usr/bin/env", "PATH=/nonexistent", *base, *extra, "--out", out]
                samples.setdefault((name, t), []).append(timed(cmd, out + ".log"))
        cmd = ["/usr/bin/python3", mda_py, traj, str(a.frames)]
        samples.setdefault(("MDAnalysis", 1), []).append(
            timed(cmd, os.path.join(a.out, "mdanalysis.log")))
        print("round %d done (load %.2f)" % (r + 1, os.getloadavg()[0]), flush=True)

    def med(key, which):
        return statistics.median(s[which] for s in samples[key])

    print("\n%d frames of %s; median over %d rounds (wall s / CPU s):" %
          (a.frames, traj, a.rounds))
    for key in samples:
        print("  %-13s threads %d: wall %7.2f  cpu %7.2f" % (key[0], key[1], med(key, 0),
                                                             med(key, 1)))
    mda_wall, mda_cpu = med(("MDAnalysis", 1), 0), med(("MDAnalysis", 1), 1)
    result = {"frames": a.frames, "trajectory": traj, "rounds": a.rounds,
              "samples": {"%s/t%d" % k: v for k, v in samples.items()}}
    for t in threads:
        same = samples[("glassmd-same", t)]
        allw = samples[("glassmd-all", t)]
        ratio_w = statistics.median(s[0] for s in same) / mda_wall
        ratio_c = statistics.median(s[1] for s in same) / mda_cpu
        print("  threads %d: glassmd rdf+msd / MDAnalysis InterRDF+EinsteinMSD = %.3f (wall), "
              "%.3f (CPU); whole default analysis / MDAnalysis = %.3f (wall)" %
              (t, ratio_w, ratio_c, statistics.median(s[0] for s in allw) / mda_wall))
        result["ratio_same_wall_t%d" % t] = ratio_w
        result["ratio_same_cpu_t%d" % t] = ratio_c
    with open(os.path.join(a.out, "bench_analysis.json"), "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
