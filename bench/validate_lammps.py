#!/usr/bin/python3
"""validate_lammps.py - the same melt-quench protocol in LAMMPS and in glassmd on
50Na2S-50SiS2, N = 3000, from the same start, analysed by `glassmd analyze`, and one table
side by side with the scatter between seeds (issue 9, item 4; bench/README.md).

Model and settings, both engines: buck/coul/long 10 A + pppm 1e-5, the hard Si-S-Si cut
(LAMMPS nb3b/harmonic), dt 1 fs, NVT with a Nose-Hoover chain of 3 and tdamp 0.1 ps
(LAMMPS fix nvt; glassmd chain = 3, for parity). Per seed s:
  start   glassmd build (seed s, density 0.043), FIRE (2000 steps at most), velocities of
          2000 K (run seed s) and one NVE step: start.data, read by both engines
  melt    20 ps NVT at 2000 K                    -> melt.data
  quench  ramp 2000 -> 300 K at 20 K/ps (85 ps)
  glass   10 ps NVT at 300 K, dumped every 100 steps
  heat    from melt.data, ramp 2000 -> 1000 K at 20 K/ps (50 ps)
  hold    20 ps NVT at 1000 K
  prod    40 ps NVT at 1000 K, dumped every 200 steps
Each segment starts a fresh thermostat (a new fix nvt in LAMMPS, a new `glassmd run`).
--scale F multiplies every duration (a smoke test: --scale 0.02).

Then `glassmd analyze` on both engines' glass and prod trajectories, with the mean
temperature measured over the segment (thermo, block-averaged). The table gives for each
quantity the mean over seeds of each engine +- the standard deviation between seeds (the
scatter between quenches), and |difference| / combined scatter.

Every run is skipped when its outputs exist (rerun to resume; glassmd runs resume from
their checkpoints). Usage:
  bench/validate_lammps.sh [--seeds 1,2] [--engines lammps,glassmd] [--jobs 2]
                           [--out DIR] [--scale 1] [--table-only]
"""
import argparse
import concurrent.futures
import json
import math
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "peer"))
import peerlib as P  # noqa: E402

TDAMP = 0.1
# results.json paths of the Si-S-Si angle peaks split by edge/corner sharing
ES_PEAK = ("angles_former_bridge_former", "edge", "peak_deg")
CS_PEAK = ("angles_former_bridge_former", "corner", "peak_deg")
COUNTS = "Si=500,S=1500,Na=1000"


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--glassmd", default=os.environ.get("GLASSMD"))
    ap.add_argument("--ff", default=P.reference_ff())
    ap.add_argument("--seeds", default="1,2")
    ap.add_argument("--engines", default="lammps,glassmd",
                    help="lammps, glassmd (hard cut), glassmd-smooth (the smooth taper, "
                         "another model: melt, quench and glass only)")
    ap.add_argument("--jobs", type=int, default=2, help="chains of runs at a time (1 core each)")
    ap.add_argument("--threads", type=int, default=1, help="OpenMP threads of each glassmd run")
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies every duration")
    ap.add_argument("--table-only", action="store_true", help="analyse and tabulate only")
    ap.add_argument("--out", default=os.environ.get("GLASSMD_BENCH_OUT",
                                                    "/tmp/glassmd-validate"))
    return ap.parse_args()


def protocol(scale):
    """Segment lengths in steps (dt 1 fs)."""
    s = lambda ps: max(1, int(round(ps * 1000 * scale)))  # noqa: E731
    return {"melt": s(20), "quench": s(1700 / 20), "glass": s(10), "heat": s(1000 / 20),
            "hold": s(20), "prod": s(40), "glass_every": max(1, int(round(100 * scale))),
            "prod_every": max(1, int(round(200 * scale)))}


def log(msg):
    print(time.strftime("%H:%M:%S ") + msg, flush=True)


# ----------------------------------------------------------------------------------- start
def make_start(args, seed):
    wd = os.path.join(args.out, "seed%d" % seed)
    os.makedirs(wd, exist_ok=True)
    start = os.path.join(wd, "start.data")
    if os.path.exists(start):
        return start
    built = os.path.join(wd, "built.data")
    subprocess.run([args.glassmd, "build", "--ff", args.ff, "--counts", COUNTS,
                    "--density", "0.043", "--seed", str(seed), "-o", built], check=True,
                   capture_output=True)
    inp = P.write_run_input(os.path.join(wd, "start.in"), "built.data", args.ff,
                            ["minimize ftol=0.1 max_step=0.1 max_steps=2000",
                             "nve time=0.001ps"], seed=seed, velocity_K=2000,
                            threebody="hard", thermo_every=1, threads=1)
    out, _ = P.run_glassmd_run(inp, threads=1)
    os.replace(os.path.join(out, "final.data"), start)
    return start


# ---------------------------------------------------------------------------------- LAMMPS
def lammps_pair(ff):
    names = " ".join(n for n, _, _ in ff["species"])
    return ("pair_style hybrid/overlay buck/coul/long 10 nb3b/harmonic\n" +
            P.lammps_pair_coeffs(ff, style="buck/coul/long") +
            "pair_coeff * * nb3b/harmonic ff.nb3b %s\nkspace_style pppm 1e-5\n" % names)


def lammps_segment(T0, T1, steps, dump=None, every=0):
    """One segment: a fresh fix nvt, thermo every 100 steps, optional dump of unwrapped
    positions."""
    s = "fix md all nvt temp %g %g %g\n" % (T0, T1, TDAMP)
    if dump:
        s += ("dump d all custom %d %s id type xu yu zu\ndump_modify d sort id\n" %
              (every, dump))
    s += "run %d\nunfix md\n" % steps
    if dump:
        s += "undump d\n"
    return s


def lammps_chain(args, seed, ff):
    wd = os.path.join(args.out, "seed%d" % seed, "lammps")
    os.makedirs(wd, exist_ok=True)
    pr = protocol(args.scale)
    P.write_nb3b(os.path.join(wd, "ff.nb3b"), ff)
    head = ("units metal\natom_style charge\nboundary p p p\nread_data %s\n" + lammps_pair(ff) +
            "timestep 0.001\nthermo_style custom step time temp pe ke etotal press\n"
            "thermo_modify norm no\nthermo 100\n")
    if not os.path.exists(os.path.join(wd, "glass.done")):
        log("LAMMPS seed %d: melt, quench, glass" % seed)
        script = (head % "../start.data" +
                  lammps_segment(2000, 2000, pr["melt"]) + "write_data melt.data\n" +
                  lammps_segment(2000, 300, pr["quench"]) +
                  lammps_segment(300, 300, pr["glass"], "glass.dump", pr["glass_every"]))
        P.run_lammps(wd, script, name="in.glass.lmp")
        open(os.path.join(wd, "glass.done"), "w").close()
    if not os.path.exists(os.path.join(wd, "prod.done")):
        log("LAMMPS seed %d: heat, hold, prod at 1000 K" % seed)
        script = (head % "melt.data" + lammps_segment(2000, 1000, pr["heat"]) +
                  lammps_segment(1000, 1000, pr["hold"]) +
                  lammps_segment(1000, 1000, pr["prod"], "prod.dump", pr["prod_every"]))
        P.run_lammps(wd, script, name="in.prod.lmp")
        open(os.path.join(wd, "prod.done"), "w").close()
    log("LAMMPS seed %d done" % seed)


def lammps_last_run_T(logfile):
    """(time_ps, T_K) of the last run of a LAMMPS log (thermo rows after the last 'Step'
    header)."""
    rows, cur = [], None
    with open(logfile) as fh:
        for line in fh:
            cols = line.split()
            if cols and cols[0] == "Step":
                cur = cols
                rows = []
                continue
            if cur and len(cols) == len(cur):
                try:
                    rows.append([float(c) for c in cols])
                except ValueError:
                    cur = None
            else:
                cur = None
    a = np.array(rows)
    return a[:, 1], a[:, 2]


# --------------------------------------------------------------------------------- glassmd
def glassmd_chain(args, seed, ff, smooth=False):
    """The protocol in glassmd, hard cut; smooth=True: the smooth taper (another model,
    its default 8 three-body substeps), melt, quench and glass only."""
    wd = os.path.join(args.out, "seed%d" % seed, "glassmd-smooth" if smooth else "glassmd")
    os.makedirs(wd, exist_ok=True)
    pr = protocol(args.scale)
    segs = [("melt", "../start.data", "nvt time=%gps T=2000K" % (pr["melt"] / 1e3), 0),
            ("quench", "melt.out/final.data", "ramp from=2000K to=300K rate=%gK/ps" %
             (1700.0 / (pr["quench"] / 1e3)), 0),
            ("glass", "quench.out/final.data", "nvt time=%gps T=300K" % (pr["glass"] / 1e3),
             pr["glass_every"]),
            ("heat", "melt.out/final.data", "ramp from=2000K to=1000K rate=%gK/ps" %
             (1000.0 / (pr["heat"] / 1e3)), 0),
            ("hold", "heat.out/final.data", "nvt time=%gps T=1000K" % (pr["hold"] / 1e3), 0),
            ("prod", "hold.out/final.data", "nvt time=%gps T=1000K" % (pr["prod"] / 1e3),
             pr["prod_every"])]
    if smooth:
        segs = segs[:3]
    for name, cfg, stage, every in segs:
        if os.path.exists(os.path.join(wd, name + ".done")):
            continue
        log("glassmd seed %d: %s" % (seed, name))
        inp = P.write_run_input(os.path.join(wd, name + ".in"), cfg, args.ff, [stage],
                                seed=seed, threebody="smooth" if smooth else "hard",
                                threebody_substeps="auto" if smooth else 1, chain=3,
                                tdamp_ps=TDAMP, thermo_every=100, traj_every=every,
                                traj_format="dump" if every else "none",
                                checkpoint_every=10000, threads=args.threads)
        cmd = [args.glassmd, "run", inp, "--threads", str(args.threads)]
        if os.path.exists(os.path.join(wd, name + ".out")):
            cmd.append("--resume")
        subprocess.run(cmd, check=True, capture_output=True, cwd=wd,
                       env=dict(os.environ, OMP_NUM_THREADS=str(args.threads)))
        open(os.path.join(wd, name + ".done"), "w").close()
    log("glassmd%s seed %d done" % (" smooth" if smooth else "", seed))


def glassmd_smooth_chain(args, seed, ff):
    glassmd_chain(args, seed, ff, smooth=True)


CHAINS = {"lammps": lammps_chain, "glassmd": glassmd_chain, "glassmd-smooth": glassmd_smooth_chain}


# -------------------------------------------------------------------------------- analysis
def measured_T(engine, wd, seg):
    if engine == "lammps":
        t, T = lammps_last_run_T(os.path.join(wd, "in.%s.lmp.log" %
                                              ("glass" if seg == "glass" else "prod")))
    else:
        th = P.read_glassmd_thermo(os.path.join(wd, seg + ".out", "thermo.csv"))
        t, T = th["time_ps"], th["T_K"]
    return P.mean_with_se(T[1:] if len(T) > 2 else T)  # the first row is the start


def analyze(args, engine, seed, seg, ff):
    wd = os.path.join(args.out, "seed%d" % seed, engine)
    out = os.path.join(wd, seg + ".analysis")
    res = os.path.join(out, "results.json")
    T, T_se = measured_T(engine, wd, seg)
    if not os.path.exists(res):
        traj = (os.path.join(wd, seg + ".dump") if engine == "lammps" else
                os.path.join(wd, seg + ".out", "traj.dump"))
        subprocess.run([args.glassmd, "analyze", traj, "--ff", args.ff, "--types",
                        P.types_arg(ff), "--dt", "1", "--temperature", "%.6f" % T,
                        "--out", out, "--threads", "2"], check=True, capture_output=True)
    with open(res) as fh:
        r = json.load(fh)
    r["_T_measured"] = (T, T_se)
    r["_sx_fsdp"] = sx_fsdp(os.path.join(out, "sq.csv"))
    return r


def sx_fsdp(path, lo=0.7, hi=1.7):
    """Position (1/A) of the X-ray S(k)'s first sharp diffraction peak: the maximum of
    S_X in sq.csv (Faber-Ziman from g(r)) within [lo, hi], refined by a parabola through
    the three points around it."""
    data = np.genfromtxt(path, delimiter=",", names=True, skip_header=1)
    k, sx = data["k_invA"], data["S_X"]
    inside = np.where((k >= lo) & (k <= hi))[0]
    i = inside[np.argmax(sx[inside])]
    if i == 0 or i == len(k) - 1:
        return float(k[i])
    y0, y1, y2 = sx[i - 1], sx[i], sx[i + 1]
    den = y0 - 2 * y1 + y2
    return float(k[i] + (0.5 * (y0 - y2) / den * (k[i + 1] - k[i]) if den != 0 else 0.0))


ROWS = [
    ("Si-S coordination (glass)", "glass", ("coordination", "Si-S", "mean")),
    ("<n> (glass)", "glass", ("qn", "mean_n")),
    ("Q0 (glass)", "glass", ("qn", "p", 0)),
    ("Q1 (glass)", "glass", ("qn", "p", 1)),
    ("Q2 (glass)", "glass", ("qn", "p", 2)),
    ("Q3 (glass)", "glass", ("qn", "p", 3)),
    ("Q4 (glass)", "glass", ("qn", "p", 4)),
    ("bridging S fraction (glass)", "glass", ("sulfur", "bridging")),
    ("non-bridging S fraction (glass)", "glass", ("sulfur", "nonbridging")),
    ("Si in ES units (glass)", "glass", ("sharing", "si_in_edge_fraction")),
    ("g_SiS peak A (glass)", "glass", ("rdf_first_peak_A", "Si-S")),
    ("g_NaS peak A (glass)", "glass", ("rdf_first_peak_A", "S-Na")),
    ("g_SiSi peak A (glass)", "glass", ("rdf_first_peak_A", "Si-Si")),
    ("Si-S-Si peak deg (glass)", "glass", ("angles_peak_deg", "Si-S-Si")),
    ("Si-S-Si ES peak deg (glass)", "glass", ES_PEAK),
    ("Si-S-Si CS peak deg (glass)", "glass", CS_PEAK),
    ("S_X(k) FSDP 1/A (glass)", "glass", ("_sx_fsdp",)),
    ("mean T K (glass, set 300)", "glass", ("_T",)),
    ("mean T K (set 1000)", "prod", ("_T",)),
    ("D_Na cm2/s (1000 K)", "prod", ("diffusion_cm2_s", "Na", "D")),
    ("D_Si cm2/s (1000 K)", "prod", ("diffusion_cm2_s", "Si", "D")),
    ("D_S cm2/s (1000 K)", "prod", ("diffusion_cm2_s", "S", "D")),
    ("sigma_EH S/cm (1000 K)", "prod", ("conductivity_S_cm", "einstein_helfand", "value")),
    ("sigma_NE S/cm (1000 K)", "prod", ("conductivity_S_cm", "nernst_einstein", "total")),
]


def value(r, path):
    if r is None:
        return None
    if path == ("_T",):
        return r["_T_measured"][0]
    v = r
    if path == ("_sx_fsdp",):
        return r["_sx_fsdp"]
    for k in path:
        if isinstance(v, list) and isinstance(k, int) and k < len(v):
            v = v[k]
        elif isinstance(v, dict) and k in v:
            v = v[k]
        else:
            return None
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def table(args, ff, seeds, engines):
    res = {e: {s: {} for s in seeds} for e in engines}
    for e in engines:
        for s in seeds:
            for seg in ("glass", "prod"):
                done = os.path.join(args.out, "seed%d" % s, e, seg + ".done")
                res[e][s][seg] = analyze(args, e, s, seg, ff) if os.path.exists(done) else None
    with open(os.path.join(args.out, "validate_results.json"), "w") as fh:
        json.dump(res, fh, indent=1, default=str)
    head = "%-36s" % "quantity" + "".join("%28s" % e for e in engines)
    lines = [head + "   |diff|/scatter (first two)"]
    for label, seg, path in ROWS:
        cells, stats = [], []
        for e in engines:
            vals = [value(res[e][s][seg], path) for s in seeds]
            vals = [float(v) for v in vals if isinstance(v, (int, float))]
            if not vals:
                cells.append("%28s" % "n/a")
                stats.append(None)
                continue
            m = float(np.mean(vals))
            sd = float(np.std(vals, ddof=1)) if len(vals) > 1 else float("nan")
            fmt = "%.3e +- %.1e" if abs(m) < 1e-2 and m != 0 else "%.4g +- %.2g"
            cells.append("%28s" % (fmt % (m, sd)))
            stats.append((m, sd, len(vals)))
        z = ""
        if len(stats) >= 2 and stats[0] and stats[1]:
            (m1, s1, n1), (m2, s2, n2) = stats[:2]
            comb = math.sqrt(s1 * s1 / n1 + s2 * s2 / n2)
            z = "%8.2f" % (abs(m1 - m2) / comb) if comb > 0 else "   exact"
        lines.append("%-36s" % label + "".join(cells) + "   " + z)
    lines.append("mean +- standard deviation between %d seeds; |diff|/scatter = |m1 - m2| / "
                 "sqrt(sd1^2/n1 + sd2^2/n2)" % len(seeds))
    text = "\n".join(lines)
    with open(os.path.join(args.out, "validate_table.txt"), "w") as fh:
        fh.write(text + "\n")
    print(text, flush=True)


def main():
    args = parse_args()
    if not args.glassmd:
        args.glassmd = P.glassmd_binary()
    args.glassmd = os.path.abspath(args.glassmd)
    os.environ["GLASSMD"] = args.glassmd
    args.out = os.path.abspath(args.out)
    os.makedirs(args.out, exist_ok=True)
    ff = P.read_ff(args.ff)
    seeds = [int(s) for s in args.seeds.split(",")]
    engines = args.engines.split(",")
    log("validate_lammps: seeds %s, engines %s, scale %g, out %s, %s" %
        (seeds, engines, args.scale, args.out, json.dumps(protocol(args.scale))))
    if not args.table_only:
        for s in seeds:
            make_start(args, s)
        chains = []
        for e in engines:  # LAMMPS first: its chains are the longest
            for s in seeds:
                chains.append((CHAINS[e], s))
        t0 = time.time()
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            for f in [pool.submit(fn, args, s, ff) for fn, s in chains]:
                f.result()
        log("all runs done in %.0f s" % (time.time() - t0))
    table(args, ff, seeds, engines)


if __name__ == "__main__":
    main()
