#!/usr/bin/python3
"""bench_nvt.py - MD benchmarks and long dynamics checks of glassmd against LAMMPS on the
3000-atom 50Na2S-50SiS2 melt at 2000 K (see bench/README.md and docs/dynamics.md).

Modes (first argument):
  speed  (bench_nvt.sh)        the same NVT run (fix nvt temp 2000 2000 0.1, dt 1 fs,
         --steps, default 2000) from the same melt in every engine: buck/coul/long 10 A +
         pppm 1e-5, without the three-body term (case pair), and with the paper's hard
         Si-S-Si cut (case threebody: glassmd `threebody = hard`, plain Verlet, against
         LAMMPS nb3b/harmonic); glassmd's thermostat as fix nvt's (chain = 3, tdamp_ps =
         0.1). At each thread count (--threads, default 1,2) glassmd (OpenMP threads)
         runs against Debian's LAMMPS (/usr/bin/lmp, N MPI ranks) and, when it is there,
         the tuned LAMMPS of bench/build_lammps_tuned.sh (--lammps-tuned) with -sf omp
         (and -sf intel with --suffixes omp,intel), as N ranks x 1 thread and 1 rank x N
         threads (the fastest is the tuned peer), interleaved glassmd, LAMMPS, tuned ..., glassmd, ...
         for --rounds rounds. Thermo every 100 steps, no trajectory, no dump, no
         checkpoint. Per step: process wall time / steps, and each engine's own loop time
         (LAMMPS "Loop time"; glassmd's run.log timing table without set-up and the final
         writes) / steps; glassmd's per-phase breakdown from that table.
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
import lammps_peers as LP  # noqa: E402

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
    ap.add_argument("--lammps-tuned", default=LP.tuned_default(),
                    help="speed: the tuned LAMMPS (bench/build_lammps_tuned.sh; default %s "
                         "when it is there, else none)" % LP.TUNED_DEFAULT)
    ap.add_argument("--no-tuned", action="store_true", help="speed: only Debian's LAMMPS")
    ap.add_argument("--suffixes", default="omp",
                    help="speed: the tuned build's accelerator suffixes to run, of those it "
                         "was built with: omp, intel (comma-separated; intel is not in the "
                         "default: the gcc build's buck/coul/long/intel crashes, "
                         "lammps_peers.py)")
    ap.add_argument("--intel-modes", default="mixed",
                    help="speed: precision modes of -sf intel (mixed, the INTEL package's "
                         "default; double, single; comma-separated; glassmd computes in "
                         "double)")
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
# glassmd's run.log timing rows (src/md/run.c, write_timing) grouped into the phases LAMMPS
# prints: each force term by its kind, the other rows by name; a row not named here is
# counted as "other". "once" (set-up, final.data and the final checkpoint: once per run, as
# LAMMPS's set-up) is reported but left out of the loop time.
PHASES = ["pair", "kspace", "threebody", "neighbor", "integrate", "output", "other", "once"]
PHASE_OF = {"pppm": "kspace", "ewald": "kspace", "kspace": "kspace", "threebody": "threebody",
            "neighbor": "neighbor", "integrate": "integrate", "thermo_io": "output",
            "traj_io": "output", "setup": "once", "config_io": "once", "checkpoint": "once"}
PAIR_TERMS = ("buckingham", "coul", "pair")


def parse_timing(runlog):
    """The timing table at the end of a glassmd run.log: {'rows': {name: seconds},
    'total_s', 'md_steps', 'steps_per_s', 'ns_per_day'}; None when the log has none."""
    rows, info, inside = {}, {}, False
    with open(runlog) as fh:
        for line in fh:
            if line.startswith("timing of this session"):
                rows, info, inside = {}, {}, True
                continue
            if not inside:
                continue
            cols = line.split()
            if not cols or cols[0] == "part":
                continue
            if cols[0] == "md_steps":
                for item in line.strip().split(","):
                    k, _, v = item.partition("=")
                    info[k.strip()] = float(v)
                inside = False
                continue
            try:
                sec = float(cols[1])
            except (IndexError, ValueError):
                continue
            if cols[0] == "total":
                info["total_s"] = sec
            else:
                rows[cols[0]] = sec
    if not rows or "md_steps" not in info:
        return None
    phases = dict.fromkeys(PHASES, 0.0)
    for name, sec in rows.items():
        ph = PHASE_OF.get(name)
        if ph is None:
            ph = "pair" if any(w in name for w in PAIR_TERMS) else "other"
        phases[ph] += sec
    loop = info["total_s"] - phases["once"]
    return {"rows": rows, "phases": phases, "loop_s": loop, "total_s": info["total_s"],
            "md_steps": int(info["md_steps"]), "steps_per_s": info.get("steps_per_s"),
            "ns_per_day": info.get("ns_per_day")}


def glassmd_speed(args, wd, cfg, threebody, threads, steps):
    name = "g_%s_%d" % ("3b" if threebody else "pair", threads)
    keys = {"threebody": "hard", "threebody_substeps": 1} if threebody else {"threebody": "off"}
    # fix nvt temp 2000 2000 0.1: a Nose-Hoover chain of 3 (tchain 3, tloop 1), tdamp 0.1 ps
    inp = P.write_run_input(os.path.join(wd, name + ".in"), cfg, args.ff,
                            ["nvt time=%gps T=%gK" % (steps * 1e-3, T0)], seed=1, dt_fs=1,
                            thermo_every=100, traj_every=0, checkpoint_every=0,
                            threads=threads, tdamp_ps=TDAMP, chain=3, **keys)
    out, wall = P.run_glassmd_run(inp, threads=threads)
    th = P.read_glassmd_thermo(os.path.join(out, "thermo.csv"))
    tm = parse_timing(os.path.join(out, "run.log"))
    return {"per_step_s": wall / steps, "T_last": th["T_K"][-1], "timing": tm,
            "loop_per_step_s": tm["loop_s"] / tm["md_steps"] if tm else None}


def lammps_speed(args, wd, cfg, threebody, peer, steps):
    name = "l_%s_%s" % ("3b" if threebody else "pair", peer["tag"])
    script = P.lammps_md_script(cfg, args.ffdata, steps, ensemble="nvt", T=T0, tdamp=TDAMP,
                                threebody=threebody, thermo_every=100)
    t0 = time.perf_counter()
    log = LP.run(wd, script, "in.%s.lmp" % name, peer)
    wall = time.perf_counter() - t0
    loop = P.parse_log_value(log, r"Loop time of ([0-9.eE+-]+) on")
    return {"per_step_s": wall / steps, "loop_per_step_s": loop / steps,
            "T_last": P.parse_thermo(log)[-1]["Temp"], "styles": LP.styles_used(log)}


def speed_peers(args, nt):
    """Debian's LAMMPS on nt ranks, then the tuned build's runs (lammps_peers)."""
    out = [LP.peer(LP.DEBIAN_LMP, None, nt, 1, label="LAMMPS Debian %dx1" % nt)]
    out[0]["tag"] = "debian_%dx1" % nt
    if args.lammps_tuned and not args.no_tuned:
        out += LP.tuned_peers(args.lammps_tuned, nt, args.suffixes.split(","),
                              args.intel_modes.split(","))
    return out


def med(samples, key, fn=statistics.median):
    vals = [x[key] for x in samples if x.get(key) is not None]  # failed runs have none
    return fn(vals) if vals else float("nan")


def print_breakdown(case, nt, g):
    tms = [x["timing"] for x in g if x.get("timing")]
    if not tms:
        print("  glassmd %s %d thr: no timing table in run.log" % (case, nt))
        return None
    steps = tms[0]["md_steps"]
    ph = {k: statistics.median(t["phases"][k] for t in tms) for k in PHASES}
    loop = statistics.median(t["loop_s"] for t in tms)
    parts = ", ".join("%s %.2f (%.0f%%)" % (k, 1e3 * ph[k] / steps, 100 * ph[k] / loop)
                      for k in PHASES[:-1])
    print("  glassmd %s %d thr, ms/step (%% of loop): %s; once %.2f s; %.1f steps/s, "
          "%.2f ns/day (run.log, whole session)" %
          (case, nt, parts, ph["once"], statistics.median(t["steps_per_s"] for t in tms),
           statistics.median(t["ns_per_day"] for t in tms)), flush=True)
    return {"phases_s": ph, "loop_s": loop, "md_steps": steps}


def summary_line(case, nt, peers, lam, entry):
    """glassmd / Debian's LAMMPS, and / the fastest run (by loop time) of each tuned
    suffix; the tuned peer is the fastest of all tuned runs."""
    deb = peers[0]["label"]
    line = "%s %d thr: glassmd / Debian LAMMPS = %.2f (loop %.2f)" % (
        case, nt, entry["ratio"][deb], entry["ratio_loop"][deb])
    best = {}
    for p in peers[1:]:
        t = med(lam[p["label"]], "loop_per_step_s")
        if t == t and (p["suffix"] not in best or t < best[p["suffix"]][0]):
            best[p["suffix"]] = (t, p["label"])
    for sf, (_, lab) in best.items():
        line += "; / %s = %.2f (loop %.2f)" % (lab, entry["ratio"][lab], entry["ratio_loop"][lab])
    if best:
        entry["tuned_peer"] = min(best.values())[1]
        line += "; tuned peer (fastest): %s" % entry["tuned_peer"]
    return line


def speed(args, cfg):
    wd = args.out
    steps = args.steps
    threads = [int(t) for t in args.threads.split(",")]
    res = {}
    tuned = args.lammps_tuned if args.lammps_tuned and not args.no_tuned else None
    print("NVT %d steps at %g K (dt 1 fs, tdamp %g ps, chain 3), thermo every 100, no dump; "
          "%d CPUs; %s" % (steps, T0, TDAMP, os.cpu_count(), load_line()), flush=True)
    if tuned:
        pk = LP.installed_packages(tuned)
        print("tuned LAMMPS %s: OPENMP %s, INTEL %s; runs -sf %s%s" %
              (tuned, "yes" if "OPENMP" in pk else "no", "yes" if "INTEL" in pk else "no",
               args.suffixes.replace(",", ", -sf "),
               " (intel: mode %s)" % args.intel_modes if "intel" in args.suffixes else ""))
    else:
        print("no tuned LAMMPS (bench/build_lammps_tuned.sh, --lammps-tuned): Debian's only")
    hdr = "%-10s %3s  %-24s %10s %10s %10s %7s %7s  %s" % (
        "case", "thr", "engine", "wall/step", "loop/step", "(min)", "g/this", "(loop)",
        "load during")
    print(hdr)
    summary = []
    for case in args.cases.split(","):
        threebody = case == "threebody"
        for nt in threads:
            peers = speed_peers(args, nt)
            g, lam, loads = [], {p["label"]: [] for p in peers}, []
            for _ in range(args.rounds):  # interleaved: glassmd, each LAMMPS, glassmd, ...
                g.append(glassmd_speed(args, wd, cfg, threebody, nt, steps))
                loads.append(os.getloadavg()[0])
                for p in peers:
                    try:
                        lam[p["label"]].append(lammps_speed(args, wd, cfg, threebody, p, steps))
                    except RuntimeError as e:  # a tuned run that crashes: noted, not fatal
                        if p is peers[0]:
                            raise
                        lam[p["label"]].append({"failed": str(e).splitlines()[0]})
                        print("  %s failed: %s" % (p["label"], str(e).splitlines()[0]),
                              flush=True)
                    loads.append(os.getloadavg()[0])
            gw, gl = med(g, "per_step_s"), med(g, "loop_per_step_s")
            entry = {"glassmd": g, "lammps": lam, "loads": loads, "peers": peers,
                     "ratio": {}, "ratio_loop": {}}
            print("%-10s %3d  %-24s %7.2f ms %7.2f ms %7.2f ms %7s %7s  %s" %
                  (case, nt, "glassmd", 1e3 * gw, 1e3 * gl, 1e3 * med(g, "loop_per_step_s", min),
                   "", "",
                   " ".join("%.1f" % x for x in loads)))
            for p in peers:
                lw, ll = med(lam[p["label"]], "per_step_s"), med(lam[p["label"]], "loop_per_step_s")
                entry["ratio"][p["label"]] = gw / lw
                entry["ratio_loop"][p["label"]] = gl / ll
                print("%-10s %3d  %-24s %7.2f ms %7.2f ms %7.2f ms %7.2f %7.2f%s" %
                      (case, nt, p["label"], 1e3 * lw, 1e3 * ll,
                       1e3 * med(lam[p["label"]], "loop_per_step_s", min), gw / lw, gl / ll,
                       "  (%d of %d runs failed)" % (
                           sum("failed" in x for x in lam[p["label"]]), args.rounds)
                       if any("failed" in x for x in lam[p["label"]]) else ""))
            entry["breakdown"] = print_breakdown(case, nt, g)
            summary.append(summary_line(case, nt, peers, lam, entry))
            res["%s/%d" % (case, nt)] = entry
            sys.stdout.flush()
    print("\n".join(summary))
    if "threebody" in args.cases:
        print("threebody: the hard Si-S-Si cut in both (glassmd threebody = hard, 1 substep; "
              "LAMMPS nb3b/harmonic, which has no omp/intel variant)")
    print("wall/step: process wall time / steps (start-up included); loop/step: the engine's "
          "own clock (LAMMPS Loop time; glassmd run.log total less set-up and final writes), "
          "median and (min) over rounds; "
          "g/this = glassmd / that engine (wall, loop); NxM = MPI ranks x OpenMP threads; the "
          "tuned peer is the fastest tuned run by loop time (-sf intel: in the precision "
          "given, mixed by default). %s" % load_line())
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
