#!/usr/bin/python3
"""bench_forces.py - time energy + force evaluation, glassmd against LAMMPS, at the same
accuracy, and measure the force error each engine actually achieves.

Configuration: the 3000-atom random 50Na2S-50SiS2 configuration of
tests/peer/test_forces_lammps.py (same generator, seed and minimum distance), or any
LAMMPS data file given with --config (types in the order of the force field's species).

Accuracy: both engines at cut-off 10 A with a PPPM Coulomb sum at relative accuracy 1e-5
(target RMS force error 1e-5 * 14.399645 eV/A). Each engine's forces are compared with a
reference that neither engine computes alone: the short-range forces from LAMMPS
(`buck`, plus `nb3b/harmonic` for the three-body case) plus the exact Ewald Coulomb
forces of tests/peer/peerlib.py (numpy). glassmd runs with `--threebody hard`, the form
LAMMPS's nb3b/harmonic computes, so that both evaluate the same model.

Timing: per evaluation, from each engine's own clock, so that start-up, file reading and
set-up are excluded:
  glassmd  `eval --repeat N`  -> time_per_eval_s in its JSON (neighbour list kept);
  LAMMPS   `run N` with fix nve and a 1e-9 ps time step (atoms do not move, so the
           neighbour list is not rebuilt) -> "Loop time of T on P procs for N steps".
The two engines alternate (A B A B ...) for --rounds rounds at every thread count;
glassmd runs on P OpenMP threads, LAMMPS (--lmp, default Debian's /usr/bin/lmp, which has
no OPENMP package) on P MPI ranks, or, with --lammps-layout threads, 1 rank x P OpenMP
threads. --suffix omp / intel runs the accelerated styles of a build that has them (the
tuned LAMMPS of bench/build_lammps_tuned.sh: --lmp /work/lammps-tuned/bin/lmp_tuned);
its achieved force error is measured with the same executable and suffix. The table gives
the median and the minimum over rounds, and the ratio of the medians. Results also go to
OUT/bench_forces.json.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "peer"))
import peerlib as P  # noqa: E402
import lammps_peers as LP  # noqa: E402

NATOMS, DENSITY, SEED, DMIN, CUTOFF = 3000, 0.043, 20240611, 1.95, 10.0


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--glassmd", default=os.environ.get("GLASSMD"), help="glassmd executable")
    ap.add_argument("--ff", default=P.reference_ff(), help="force-field file")
    ap.add_argument("--config", help="LAMMPS data file (default: the random 3000-atom one)")
    ap.add_argument("--accuracy", type=float, default=1e-5)
    ap.add_argument("--lammps-accuracy", type=float,
                    help="LAMMPS kspace accuracy (default --accuracy); set it to compare the "
                         "engines at equal achieved error")
    ap.add_argument("--evals", type=int, default=20, help="evaluations per timed run")
    ap.add_argument("--rounds", type=int, default=5, help="A B rounds per case")
    ap.add_argument("--threads", default="1,2", help="thread / rank counts, comma-separated")
    ap.add_argument("--cases", default="pair,threebody", help="pair (no three-body), threebody")
    ap.add_argument("--lmp", default=LP.DEBIAN_LMP,
                    help="the LAMMPS executable timed (default %s; the tuned build: %s)" %
                         (LP.DEBIAN_LMP, LP.TUNED_DEFAULT))
    ap.add_argument("--suffix", choices=LP.SUFFIXES, default="none",
                    help="LAMMPS accelerator suffix (-sf omp / -sf intel; the build must "
                         "have the package)")
    ap.add_argument("--lammps-layout", choices=["ranks", "threads"], default="ranks",
                    help="LAMMPS on P cores as P MPI ranks x 1 thread (ranks) or 1 rank x P "
                         "OpenMP threads (threads; needs --suffix omp or intel)")
    ap.add_argument("--intel-mode", choices=["double", "mixed", "single"], default="double",
                    help="precision of -sf intel (package intel ... mode)")
    ap.add_argument("--out", default=os.environ.get("GLASSMD_BENCH_OUT", "/tmp/glassmd-bench"))
    args = ap.parse_args()
    if args.lammps_layout == "threads" and args.suffix == "none":
        ap.error("--lammps-layout threads needs --suffix omp or intel")
    return args


def lammps_peer(args, cores):
    ranks, threads = (1, cores) if args.lammps_layout == "threads" else (cores, 1)
    return LP.peer(args.lmp, args.suffix, ranks, threads, args.intel_mode)


def lammps_pair_block(ff, threebody):
    if not threebody:
        return "pair_style buck/coul/long %g\n" % CUTOFF + P.lammps_pair_coeffs(ff)
    names = " ".join(n for n, _, _ in ff["species"])
    return ("pair_style hybrid/overlay buck/coul/long %g nb3b/harmonic\n" % CUTOFF +
            P.lammps_pair_coeffs(ff, style="buck/coul/long") +
            "pair_coeff * * nb3b/harmonic ff.nb3b %s\n" % names)


def write_nb3b(path, ff):
    names = [n for n, _, _ in ff["species"]]
    terms = {(v, e): (k, th, r3) for v, e, k, th, r3, _, _ in ff["threebody"]}
    with open(path, "w") as fh:
        for a in names:
            for b in names:
                for c in names:
                    k, th, r3 = terms.get((a, b), (0.0, 0.0, 0.0)) if b == c else (0.0, 0.0, 0.0)
                    fh.write("%s %s %s %.17g %.17g %.17g\n" % (a, b, c, k, th, r3))


def read_data_config(path, ff):
    """Positions, species and ids of a LAMMPS data file (atom_style charge)."""
    names = [n for n, _, _ in ff["species"]]
    with open(path) as fh:
        lines = fh.read().split("\n")
    lo_hi = {}
    for line in lines:
        cols = line.split()
        if len(cols) >= 4 and cols[2] in ("xlo", "ylo", "zlo"):
            lo_hi[cols[2][0]] = (float(cols[0]), float(cols[1]))
    start = next(k for k, line in enumerate(lines) if line.startswith("Atoms")) + 1
    rows = []
    for line in lines[start:]:
        cols = line.split("#")[0].split()
        if not cols:
            if rows:
                break
            continue
        if not cols[0].lstrip("-").isdigit():
            break
        rows.append(cols)
    data = np.array([[float(c) for c in r[:6]] for r in rows])
    order = np.argsort(data[:, 0])
    data = data[order]
    lo = np.array([lo_hi[a][0] for a in "xyz"])
    box = np.array([lo_hi[a][1] - lo_hi[a][0] for a in "xyz"])
    return {"box": box, "pos": data[:, 3:6] - lo, "ids": data[:, 0].astype(int),
            "species": [names[int(t) - 1] for t in data[:, 1]]}


def reference_forces(wd, ff, cfg, threebody):
    """Short-range forces from LAMMPS (buck [+ nb3b]) + exact Ewald forces (numpy)."""
    if threebody:
        names = " ".join(n for n, _, _ in ff["species"])
        pair = ("pair_style hybrid/overlay buck %g nb3b/harmonic\n" % CUTOFF +
                P.lammps_pair_coeffs(ff, style="buck") +
                "pair_coeff * * nb3b/harmonic ff.nb3b %s\n" % names)
    else:
        pair = "pair_style buck %g\n" % CUTOFF + P.lammps_pair_coeffs(ff)
    tag = "ref-%s" % ("3b" if threebody else "pair")
    script = (P.lammps_header("conf.data", ff) + pair + P.lammps_outputs(tag + ".dump") + "run 0\n")
    P.run_lammps(wd, script, name="in.%s.lmp" % tag)
    ids, short = P.parse_dump_forces(os.path.join(wd, tag + ".dump"))
    order = np.argsort(cfg["ids"])
    coul = P.ewald_exact(cfg["pos"][order], P.charges_of(cfg, ff)[order], cfg["box"], rcut=18.0)
    return ids, short + coul["forces"]


def lammps_accuracy(wd, args, ff, threebody, accuracy, ref):
    tag = "acc-%s" % ("3b" if threebody else "pair")
    script = (P.lammps_header("conf.data", ff) + lammps_pair_block(ff, threebody) +
              "kspace_style pppm %g\npair_modify table 0\n" % accuracy +
              P.lammps_outputs(tag + ".dump") + "run 0\n")
    log = LP.run(wd, script, "in.%s.lmp" % tag, lammps_peer(args, 1))
    dev = P.force_deviation(P.parse_dump_forces(os.path.join(wd, tag + ".dump")), ref)
    est = P.parse_log_value(log, r"estimated absolute RMS force accuracy = ([0-9.eE+-]+)")
    grid = None
    with open(log) as fh:
        for line in fh:
            if "grid =" in line:
                grid = line.split("=")[1].strip()
                break
    return {"rms_error": dev["rms"], "max_error": dev["max"], "estimated": est, "grid": grid}


def glassmd_cmd(args, threebody, threads, extra):
    cmd = [args.glassmd, "eval", "conf.data", "--ff", args.ff, "--types",
           ",".join(n for n, _, _ in args.ffdata["species"]), "--kspace", "pppm",
           "--accuracy", "%g" % args.accuracy, "--threads", str(threads)]
    cmd += ["--threebody", "hard"] if threebody else ["--no-threebody"]
    return cmd + extra


def glassmd_accuracy(wd, args, threebody, ref):
    out = os.path.join(wd, "glassmd-forces-%s.txt" % ("3b" if threebody else "pair"))
    proc = subprocess.run(glassmd_cmd(args, threebody, 1, ["--forces", out]), cwd=wd,
                          capture_output=True, text=True, check=True)
    res = json.loads(proc.stdout)
    dev = P.force_deviation(P.read_glassmd_forces(out), ref)
    return {"rms_error": dev["rms"], "max_error": dev["max"],
            "estimated": P.kspace_field(res, "estimated_error"),
            "grid": P.kspace_field(res, "mesh"), "g_ewald": P.kspace_field(res, "g_ewald")}


def time_glassmd(wd, args, threebody, threads):
    t0 = time.perf_counter()
    proc = subprocess.run(glassmd_cmd(args, threebody, threads, ["--repeat", str(args.evals)]),
                          cwd=wd, capture_output=True, text=True, check=True,
                          env=dict(os.environ, OMP_NUM_THREADS=str(threads)))
    wall = time.perf_counter() - t0
    return json.loads(proc.stdout)["time_per_eval_s"], wall


def time_lammps(wd, args, threebody, nprocs):
    script = (P.lammps_header("conf.data", args.ffdata) +
              lammps_pair_block(args.ffdata, threebody) +
              "kspace_style pppm %g\npair_modify table 0\n" % args.lammps_accuracy +
              "timestep 1.0e-9\nfix integrate all nve\nthermo %d\n" % args.evals +
              "run %d\n" % args.evals)
    t0 = time.perf_counter()
    log = LP.run(wd, script, "in.time.lmp", lammps_peer(args, nprocs))
    wall = time.perf_counter() - t0
    loop = P.parse_log_value(log, r"Loop time of ([0-9.eE+-]+) on")
    return loop / args.evals, wall


def main():
    args = parse_args()
    if args.lammps_accuracy is None:
        args.lammps_accuracy = args.accuracy
    if not args.glassmd or not os.access(args.glassmd, os.X_OK):
        sys.exit("bench_forces: no glassmd executable (give --glassmd or set GLASSMD)")
    args.ffdata = ff = P.read_ff(args.ff)
    os.makedirs(args.out, exist_ok=True)
    wd = args.out
    if args.config:
        cfg = read_data_config(args.config, ff)
        P.write_lammps_data(os.path.join(wd, "conf.data"), cfg, ff)
    else:
        cfg = P.random_config(P.na2s_sis2_counts(NATOMS), DENSITY, SEED, DMIN)
        P.write_lammps_data(os.path.join(wd, "conf.data"), cfg, ff)
    write_nb3b(os.path.join(wd, "ff.nb3b"), ff)
    threads = [int(t) for t in args.threads.split(",")]
    cases = args.cases.split(",")
    target = args.accuracy * P.COULOMB
    print("bench_forces: %d atoms, box %.3f A, cut-off %g A, PPPM accuracy %g (LAMMPS %g; target "
          "RMS force error %.3e eV/A), %d evaluations x %d rounds; glassmd %s; LAMMPS %s (%s, "
          "cores as %s); %d CPUs; out %s" %
          (len(cfg["ids"]), cfg["box"][0], CUTOFF, args.accuracy, args.lammps_accuracy, target,
           args.evals, args.rounds, args.glassmd, args.lmp,
           "no suffix" if args.suffix == "none" else "-sf %s%s" % (
               args.suffix, " mode " + args.intel_mode if args.suffix == "intel" else ""),
           "MPI ranks" if args.lammps_layout == "ranks" else "OpenMP threads of 1 rank",
           os.cpu_count(), wd),
          flush=True)
    load = os.getloadavg()[0]
    if load > 0.5:
        print("warning: load average %.2f before the benchmark: other processes share the CPUs "
              "and the timings (most of all at %d threads) will be noisy" % (load, max(threads)))
    results = {"natoms": len(cfg["ids"]), "load_average_at_start": load,
               "accuracy": args.accuracy, "lammps_accuracy": args.lammps_accuracy, "target": target, "evals": args.evals,
               "lmp": args.lmp, "suffix": args.suffix, "lammps_layout": args.lammps_layout,
               "intel_mode": args.intel_mode if args.suffix == "intel" else None,
               "rounds": args.rounds, "cases": {}}
    for case in cases:
        threebody = case == "threebody"
        ref = reference_forces(wd, ff, cfg, threebody)
        acc = {"glassmd": glassmd_accuracy(wd, args, threebody, ref),
               "lammps": lammps_accuracy(wd, args, ff, threebody, args.lammps_accuracy, ref)}
        print("\n[%s] achieved RMS force error vs exact reference (target %.3e eV/A):" %
              (case, target))
        for eng, a in acc.items():
            print("  %-8s rms %.3e  max %.3e  estimated %s  mesh %s" %
                  (eng, a["rms_error"], a["max_error"], a["estimated"], a["grid"]))
        timing = {}
        for nt in threads:
            samples = {"glassmd": [], "lammps": []}
            walls = {"glassmd": [], "lammps": []}
            for _ in range(args.rounds):  # interleaved: A B A B ...
                t, w = time_glassmd(wd, args, threebody, nt)
                samples["glassmd"].append(t)
                walls["glassmd"].append(w)
                t, w = time_lammps(wd, args, threebody, nt)
                samples["lammps"].append(t)
                walls["lammps"].append(w)
            med = {e: statistics.median(s) for e, s in samples.items()}
            timing[nt] = {"samples_s": samples, "process_wall_s": walls, "median_s": med,
                          "ratio_glassmd_over_lammps": med["glassmd"] / med["lammps"]}
            print("  threads/ranks %d: glassmd %.2f ms/eval (min %.2f), LAMMPS %.2f ms/eval "
                  "(min %.2f), glassmd/LAMMPS %.2f" %
                  (nt, 1e3 * med["glassmd"], 1e3 * min(samples["glassmd"]),
                   1e3 * med["lammps"], 1e3 * min(samples["lammps"]),
                   timing[nt]["ratio_glassmd_over_lammps"]), flush=True)
        results["cases"][case] = {"accuracy": acc, "timing": timing}
    with open(os.path.join(wd, "bench_forces.json"), "w") as fh:
        json.dump(results, fh, indent=1)
    print("\nwritten %s" % os.path.join(wd, "bench_forces.json"))


if __name__ == "__main__":
    main()
