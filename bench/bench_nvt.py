#!/usr/bin/python3
"""bench_nvt.py - MD benchmarks and long dynamics checks of glassmd against LAMMPS on the
3000-atom 50Na2S-50SiS2 melt at 2000 K (see bench/README.md and docs/dynamics.md).

Modes (first argument):
  speed  (bench_nvt.sh)        the same NVT run (fix nvt temp 2000 2000 0.1, dt 1 fs,
         --steps, default 2000) from the same melt in both engines: buck/coul/long 10 A +
         pppm 1e-5, without the three-body term, and with it (glassmd smooth taper, the
         default, against LAMMPS nb3b/harmonic, the hard cut: the closest LAMMPS has), at
         1 and 2 threads (glassmd OpenMP threads, LAMMPS MPI ranks), interleaved
         glassmd, LAMMPS, glassmd, LAMMPS ... for --rounds rounds. Thermo every 100 steps in
         both, no trajectory, no dump, no checkpoint. Time per step = process wall time /
         steps for both (start-up included, < 1 % of a 2000-step run); LAMMPS's own
         "Loop time" per step is printed too.
  drift  (bench_nve_drift.sh)  NVE --nve-ps (default 10) from the melt: LAMMPS and
         glassmd without the three-body term, LAMMPS nb3b/harmonic (hard), glassmd hard,
         smooth with width 0.2 (the reference force field; default threebody_substeps =
         auto, 8), the same with --substeps (default 1,4: plain Verlet and 4 substeps),
         and --widths (default none) via copies of the force field (--no-hard leaves the
         hard-cut runs out: they heat by thousands of K per ps). Drift of E_total per atom
         by least squares with its standard error (plain OLS and AR(1)-corrected).
  hardT  (bench_nve_drift.sh --hardT)  NVT at 2000 K with the hard cut, --nvt-ps
         (default 10), both engines from the melt with a Nose-Hoover chain of 3 (fix nvt),
         glassmd also with a single thermostat (chain = 1, the default under the hard cut),
         glassmd smooth and both engines without the term (--hard-only leaves those out);
         mean T (first --skip-ps, default 2, left out) with block-average errors.
The melt (glassmd build seed 7, FIRE up to 2000 steps to 0.1 eV/A, NVT 2000 K for
--melt-ps, default 2, run seed 11) is
made once and kept in OUT/melt.out/final.data; --config uses another data file (with a
Velocities section). Results also go to OUT/bench_nvt_MODE.json.
"""
import argparse
import concurrent.futures
import json
import math
import os
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "peer"))
import peerlib as P  # noqa: E402

T0, TDAMP, NATOMS = 2000.0, 0.1, 3000


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["speed", "drift", "hardT"])
    ap.add_argument("--glassmd", default=os.environ.get("GLASSMD"))
    ap.add_argument("--ff", default=P.reference_ff())
    ap.add_argument("--config", help="starting LAMMPS data file with Velocities (default: "
                                     "the melt, made once in OUT)")
    ap.add_argument("--melt-ps", type=float, default=2.0)
    ap.add_argument("--steps", type=int, default=2000, help="speed: NVT steps per run")
    ap.add_argument("--rounds", type=int, default=1, help="speed: A B rounds per case")
    ap.add_argument("--threads", default="1,2", help="speed: thread / rank counts")
    ap.add_argument("--cases", default="pair,threebody", help="speed: pair, threebody")
    ap.add_argument("--nve-ps", type=float, default=10.0, help="drift: NVE length")
    ap.add_argument("--widths", default="", help="drift: extra smooth taper widths (A)")
    ap.add_argument("--no-hard", action="store_true", help="drift: leave out the hard cut")
    ap.add_argument("--substeps", default="1,4",
                    help="drift: extra runs with w = 0.2 A and these threebody_substeps "
                         "(1: plain Verlet; the default run uses auto, 8 at 1 fs)")
    ap.add_argument("--nvt-ps", type=float, default=10.0, help="hardT: NVT length")
    ap.add_argument("--skip-ps", type=float, default=2.0,
                    help="hardT: leave out the first SKIP ps (the burst of heating when a "
                         "smooth-taper melt is switched to the hard cut lasts about 1 ps)")
    ap.add_argument("--hard-only", action="store_true",
                    help="hardT: only the hard-cut runs (LAMMPS, glassmd chain 3 and 1)")
    ap.add_argument("--thermo", type=int, default=10, help="drift/hardT: thermo interval")
    ap.add_argument("--jobs", type=int, default=2,
                    help="drift/hardT: runs at a time (one thread each)")
    ap.add_argument("--out", default=os.environ.get("GLASSMD_BENCH_OUT", "/tmp/glassmd-bench-nvt"))
    return ap.parse_args()


def load_line():
    with open("/proc/loadavg") as fh:
        return "load average " + " ".join(fh.read().split()[:3])


def melt(args):
    if args.config:
        return os.path.abspath(args.config)
    path = os.path.join(args.out, "melt.out", "final.data")
    if os.path.exists(path):
        return path
    start = os.path.join(args.out, "start.data")
    subprocess.run([args.glassmd, "build", "--ff", args.ff, "--counts", "Si=500,S=1500,Na=1000",
                    "--density", "0.043", "--seed", "7", "-o", start], check=True,
                   capture_output=True)
    inp = P.write_run_input(os.path.join(args.out, "melt.in"), "start.data", args.ff,
                            ["minimize ftol=0.1 max_step=0.1 max_steps=2000",
                             "nvt time=%gps T=%gK" % (args.melt_ps, T0)],
                            seed=11, dt_fs=1, thermo_every=100, threads=2)
    print("making the melt (FIRE + %g ps NVT at %g K) in %s ..." % (args.melt_ps, T0, args.out),
          flush=True)
    P.run_glassmd_run(inp, threads=2)
    return path


def link_config(wd, data):
    dst = os.path.join(wd, "melt.data")
    if not os.path.exists(dst):
        os.symlink(data, dst)
    return "melt.data"


# ----------------------------------------------------------------------------------- speed
def glassmd_speed(args, wd, cfg, threebody, threads, steps):
    name = "g_%s_%d" % ("3b" if threebody else "pair", threads)
    inp = P.write_run_input(os.path.join(wd, name + ".in"), cfg, args.ff,
                            ["nvt time=%gps T=%gK" % (steps * 1e-3, T0)], seed=1, dt_fs=1,
                            thermo_every=100, traj_every=0, checkpoint_every=0,
                            threads=threads, tdamp_ps=TDAMP, chain=3,
                            threebody="smooth" if threebody else "off")
    out, wall = P.run_glassmd_run(inp, threads=threads)
    th = P.read_glassmd_thermo(os.path.join(out, "thermo.csv"))
    return {"per_step_s": wall / steps, "loop_per_step_s": None, "T_last": th["T_K"][-1]}


def lammps_speed(args, wd, cfg, threebody, nprocs, steps):
    name = "l_%s_%d" % ("3b" if threebody else "pair", nprocs)
    script = P.lammps_md_script(cfg, args.ffdata, steps, ensemble="nvt", T=T0, tdamp=TDAMP,
                                threebody=threebody, thermo_every=100)
    t0 = time.perf_counter()
    log = P.run_lammps(wd, script, name="in.%s.lmp" % name, nprocs=nprocs)
    wall = time.perf_counter() - t0
    loop = P.parse_log_value(log, r"Loop time of ([0-9.eE+-]+) on")
    return {"per_step_s": wall / steps, "loop_per_step_s": loop / steps,
            "T_last": P.parse_thermo(log)[-1]["Temp"]}


def speed(args, cfg):
    wd = args.out
    steps = args.steps
    threads = [int(t) for t in args.threads.split(",")]
    res = {}
    print("NVT %d steps at %g K (dt 1 fs, tdamp %g ps, chain 3), thermo every 100, no dump; "
          "%d CPUs; %s" % (steps, T0, TDAMP, os.cpu_count(), load_line()), flush=True)
    print("%-10s %3s  %12s  %12s  %14s  %7s  %s" % ("case", "thr", "glassmd", "LAMMPS",
                                                   "LAMMPS loop", "g/L", "load during"))
    for case in args.cases.split(","):
        threebody = case == "threebody"
        for nt in threads:
            g, l, loads = [], [], []
            for _ in range(args.rounds):
                g.append(glassmd_speed(args, wd, cfg, threebody, nt, steps))
                loads.append(os.getloadavg()[0])
                l.append(lammps_speed(args, wd, cfg, threebody, nt, steps))
                loads.append(os.getloadavg()[0])
            gm = statistics.median(x["per_step_s"] for x in g)
            lm = statistics.median(x["per_step_s"] for x in l)
            ll = statistics.median(x["loop_per_step_s"] for x in l)
            res["%s/%d" % (case, nt)] = {"glassmd": g, "lammps": l, "loads": loads,
                                         "ratio": gm / lm}
            print("%-10s %3d  %9.2f ms  %9.2f ms  %11.2f ms  %7.2f  %s" %
                  (case + ("*" if threebody else ""), nt, 1e3 * gm, 1e3 * lm, 1e3 * ll, gm / lm,
                   " ".join("%.1f" % x for x in loads)), flush=True)
    if "threebody" in args.cases:
        print("* threebody: glassmd smooth taper (width 0.2 A) vs LAMMPS nb3b/harmonic (hard cut)")
    print("glassmd and LAMMPS: ms per step from the process wall time; 'LAMMPS loop': "
          "LAMMPS's Loop time / steps; g/L = glassmd / LAMMPS (wall). %s" % load_line())
    return res


# ---------------------------------------------------------------------------- drift, hardT
def glassmd_md(args, wd, cfg, name, ff_path, stage, threebody, **keys):
    def job():
        keys.setdefault("chain", 3)  # LAMMPS fix nvt's chain unless asked otherwise
        inp = P.write_run_input(os.path.join(wd, name + ".in"), cfg, ff_path, [stage], seed=1,
                                dt_fs=1, thermo_every=args.thermo, threads=1, tdamp_ps=TDAMP,
                                threebody=threebody, **keys)
        out, wall = P.run_glassmd_run(inp, threads=1)
        th = P.read_glassmd_thermo(os.path.join(out, "thermo.csv"))
        return {"t": th["time_ps"], "etot": th["etot_eV"], "T": th["T_K"], "wall": wall}
    return job


def lammps_md(args, wd, cfg, name, steps, ensemble, threebody):
    def job():
        script = P.lammps_md_script(cfg, args.ffdata, steps, ensemble=ensemble, T=T0,
                                    tdamp=TDAMP, threebody=threebody, thermo_every=args.thermo)
        t0 = time.perf_counter()
        log = P.run_lammps(wd, script, name="in.%s.lmp" % name)
        a = P.lammps_thermo_arrays(log)
        return {"t": a["Time"], "etot": a["TotEng"], "T": a["Temp"],
                "wall": time.perf_counter() - t0}
    return job


def run_jobs(args, jobs):
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        fut = {k: pool.submit(j) for k, j in jobs.items()}
        return {k: f.result() for k, f in fut.items()}


def drift(args, cfg):
    wd = args.out
    steps = int(round(args.nve_ps * 1000))
    stage = "nve time=%gps" % args.nve_ps
    jobs = {
        "LAMMPS no three-body": lammps_md(args, wd, cfg, "l_nve_off", steps, "nve", False),
        "glassmd no three-body": glassmd_md(args, wd, cfg, "g_nve_off", args.ff, stage, "off"),
        "glassmd smooth w=0.2": glassmd_md(args, wd, cfg, "g_nve_w0.2", args.ff, stage, "smooth"),
    }
    for n in [int(x) for x in args.substeps.split(",") if x]:
        jobs["glassmd smooth sub=%d" % n] = glassmd_md(args, wd, cfg, "g_nve_sub%d" % n, args.ff,
                                                      stage, "smooth", threebody_substeps=n)
    for w in [float(x) for x in args.widths.split(",") if x]:
        ffw = P.write_ff_threebody(args.ff, os.path.join(wd, "ff_w%g.ff" % w), width=w,
                                   taper="smooth")
        jobs["glassmd smooth w=%g" % w] = glassmd_md(args, wd, cfg, "g_nve_w%g" % w, ffw, stage,
                                                     "on")
    if not args.no_hard:
        jobs["glassmd hard"] = glassmd_md(args, wd, cfg, "g_nve_hard", args.ff, stage, "hard")
        jobs["LAMMPS nb3b hard"] = lammps_md(args, wd, cfg, "l_nve_hard", steps, "nve", True)
    print("NVE %g ps from %s, dt 1 fs, thermo every %d steps; %s" %
          (args.nve_ps, cfg, args.thermo, load_line()), flush=True)
    res = run_jobs(args, jobs)
    out = {}
    print("%-24s %14s %10s %10s %6s %12s %14s" % ("run", "drift", "se(AR1)", "se(OLS)", "rho",
                                                  "resid rms", "E(end)-E(0)"))
    print("%-24s %14s %10s %10s %6s %12s %14s" % ("", "eV/atom/ns", "", "", "", "eV/atom",
                                                  "eV/atom"))
    for k, r in res.items():
        f = P.drift_fit(r["t"] - r["t"][0], r["etot"] / NATOMS)
        f["delta"] = float((r["etot"][-1] - r["etot"][0]) / NATOMS)
        f["wall_s"] = r["wall"]
        out[k] = f
        print("%-24s %+14.3e %10.2e %10.2e %6.2f %12.2e %+14.2e" %
              (k, f["slope"], f["se"], f["se_ols"], f["rho"], f["rms"], f["delta"]), flush=True)
    print(load_line())
    return out


def hard_t(args, cfg):
    wd = args.out
    steps = int(round(args.nvt_ps * 1000))
    stage = "nvt time=%gps T=%gK" % (args.nvt_ps, T0)
    jobs = {"LAMMPS nb3b hard": lammps_md(args, wd, cfg, "l_nvt_hard", steps, "nvt", True),
            "glassmd hard": glassmd_md(args, wd, cfg, "g_nvt_hard", args.ff, stage, "hard"),
            "glassmd hard chain=1": glassmd_md(args, wd, cfg, "g_nvt_hard_c1", args.ff, stage,
                                               "hard", chain=1),
            "glassmd smooth w=0.2": glassmd_md(args, wd, cfg, "g_nvt_smooth", args.ff, stage,
                                               "smooth"),
            "LAMMPS no three-body": lammps_md(args, wd, cfg, "l_nvt_off", steps, "nvt", False),
            "glassmd no three-body": glassmd_md(args, wd, cfg, "g_nvt_off", args.ff, stage,
                                                "off")}
    if args.hard_only:
        jobs = {k: v for k, v in jobs.items() if "hard" in k}
    print("NVT %g ps at %g K (tdamp %g ps) from %s; mean T after the first %g ps; %s" %
          (args.nvt_ps, T0, TDAMP, cfg, args.skip_ps, load_line()), flush=True)
    res = run_jobs(args, jobs)
    out = {}
    for k, r in res.items():
        keep = r["t"] - r["t"][0] >= args.skip_ps
        m, se = P.mean_with_se(r["T"][keep])
        out[k] = {"mean_T": m, "se": se}
        print("%-24s <T> = %8.1f +- %5.1f K  (%+.2f %% of %g K)" %
              (k, m, se, 100 * (m / T0 - 1), T0), flush=True)
    print(load_line())
    return out


def main():
    args = parse_args()
    if not args.glassmd or not os.access(args.glassmd, os.X_OK):
        sys.exit("bench_nvt: no glassmd executable (give --glassmd or set GLASSMD)")
    os.environ["GLASSMD"] = args.glassmd
    args.ffdata = P.read_ff(args.ff)
    os.makedirs(args.out, exist_ok=True)
    P.write_nb3b(os.path.join(args.out, "ff.nb3b"), args.ffdata)
    cfg = link_config(args.out, melt(args))
    print("glassmd %s; LAMMPS %s; out %s" % (args.glassmd, P.LMP, args.out))
    fn = {"speed": speed, "drift": drift, "hardT": hard_t}[args.mode]
    res = fn(args, cfg)
    path = os.path.join(args.out, "bench_nvt_%s.json" % args.mode)
    with open(path, "w") as fh:
        json.dump(res, fh, indent=1, default=float)
    print("written %s" % path)


if __name__ == "__main__":
    main()
