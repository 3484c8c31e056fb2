#!/usr/bin/python3
"""Peer test: glassmd's dynamics (velocity Verlet, Nose-Hoover chain, ramps) against LAMMPS.

System: the N = 3000 50Na2S-50SiS2 reference system (Si 500, S 1500, Na 1000 at
0.043 atoms/A^3), reference force field (Buckingham + Coulomb, cut-off 10 A, PPPM at
relative accuracy 1e-5, Si-S-Si three-body term), dt = 1 fs.

1. Melt, made once by glassmd: `glassmd build`, a short FIRE minimisation, NVT at 2000 K;
   the run's final.data must carry a Velocities section whose temperature is the one
   glassmd reported, and LAMMPS must read it (its step-0 temperature the same).
2. NVE from that melt in both engines, from --replicas (4) states of the melt 1 ps apart
   (the same positions and velocities in both engines), --nve-ps (1) each:
     glassmd without the three-body term   vs  LAMMPS buck/coul/long + pppm 1e-5 (fix nve)
     glassmd with the smooth taper (the reference force field, width 0.2 A), integrated
       as by default with the three-body term sub-stepped (threebody_substeps = auto: 8
       substeps of 0.125 fs, docs/dynamics.md), and (from the first state only) with plain
       Verlet (threebody_substeps = 1) to show what the sub-stepping is for.
   Drift = slope of a least-squares line through the total energy per atom against time,
   in eV/atom/ns. Why replicas: the drift of one short chaotic trajectory scatters from
   run to run far more than the standard error of its own fit says (measured: 1-2 ps drifts
   of the same model from different states spread over about +-1e-2 eV/atom/ns while each
   fit claims +-3e-3), so the error of a model's drift is the standard error of the mean over the
   replicas (each run's fit, with its AR(1)-corrected error, is printed too). Checks:
     |drift glassmd| <= |drift LAMMPS| + 2 sqrt(se_g^2 + se_l^2)      (no three-body)
     |drift smooth|  <= |drift no term| + 2 sqrt(se_s^2 + se_0^2)     (issue: the smooth
                                                                      taper must not make it worse)
     |drift substeps| < |drift plain Verlet|  (first state)           (the substeps help)
3. NVT at 2000 K (fix nvt temp 2000 2000 0.1, chain 3) from the melt:
     glassmd smooth: mean T within 1 % of 2000 K; drift of the chain's conserved quantity
       no larger than the NVE energy drift of the same model (beyond errors: the NVT run's
       error is at least the spread of one NVE replica of the model);
     glassmd without the term: mean T within 1 %; the conserved quantity's drift no larger
       than the NVE energy drift without the term, and than LAMMPS fix nvt's from the same
       start. The melt was made with the term: switching it off starts a relaxation whose
       heat the thermostat removes over about a picosecond, during which the conserved
       quantity of any Nose-Hoover integrator drifts (measured: -0.12 eV/atom/ns in the
       first ps, glassmd and LAMMPS alike), so the first 1 ps is left out in both engines;
     ramp 2000 -> 1800 K at 400 K/ps after it: T follows the target within the
       thermostat's lag (mean of T - target over the second half of the ramp between
       -3 se and 3 * rate * tdamp + 3 se);
     hard cut (nb3b/harmonic form) in both engines from the same start: the means are
       reported side by side (both run hot, see docs/dynamics.md) and must agree within
       their errors plus 1 %.
Runs two jobs at a time, one thread each. Prints every figure, then "N passed, M failed".

Environment: GLASSMD (binary), GLASSMD_SOURCE_DIR, GLASSMD_TEST_TMP, LMP.
Options: --nve-ps (1), --replicas (4), --nvt-ps (2), --hard-ps (1), --melt-ps (2); the 10 ps figures are in bench/bench_nve_drift.sh.
"""
import argparse
import concurrent.futures
import math
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib as P  # noqa: E402

COUNTS = "Si=500,S=1500,Na=1000"
T0 = 2000.0
TDAMP = 0.1
RAMP_TO, RAMP_RATE = 1800.0, 400.0  # K, K/ps
THERMO = 10  # steps between thermo rows in the drift runs
OFF_SETTLE_PS = 1.0  # left out of the NVT run without the term (it starts from a melt made with it)


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nve-ps", type=float, default=1.0, help="length of each NVE replica")
    ap.add_argument("--replicas", type=int, default=4, help="NVE starting states, 1 ps apart")
    ap.add_argument("--nvt-ps", type=float, default=2.0)
    ap.add_argument("--hard-ps", type=float, default=1.0, help="NVT with the hard cut")
    ap.add_argument("--melt-ps", type=float, default=2.0)
    ap.add_argument("--minimize-steps", type=int, default=300)
    return ap.parse_args()


def make_melt(wd, args):
    """build -> FIRE -> NVT at T0 with glassmd (2 threads), then --replicas - 1 more ps of
    NVT, writing a state before each; returns the paths of the states (the last is
    final.data) and glassmd's last thermo row."""
    exe = P.glassmd_binary()
    start = os.path.join(wd, "start.data")
    subprocess.run([exe, "build", "--ff", P.reference_ff(), "--counts", COUNTS, "--density",
                    "0.043", "--seed", "3", "-o", start], check=True, capture_output=True)
    stages = ["minimize ftol=0.5 max_steps=%d" % args.minimize_steps,
              "nvt time=%gps T=%gK" % (args.melt_ps, T0)]
    for k in range(1, args.replicas):
        stages += ["write file=state%d.data" % k, "nvt time=1ps T=%gK" % T0]
    # the smooth taper (another model than the default hard cut): the drift checks below
    # start from a melt equilibrated with it, so that no model switch heats them
    inp = P.write_run_input(os.path.join(wd, "melt.in"), "start.data", P.reference_ff(), stages,
                            seed=20240611, dt_fs=1, thermo_every=100, threads=2,
                            threebody="smooth", chain=3)
    out, wall = P.run_glassmd_run(inp, threads=2)
    th = P.read_glassmd_thermo(os.path.join(out, "thermo.csv"))
    print("     melt: %s, %.0f s" % (out, wall), flush=True)
    states = [os.path.join(out, "state%d.data" % k) for k in range(1, args.replicas)]
    return states + [os.path.join(out, "final.data")], th


def check_melt_file(C, wd, data, th, ff):
    masses = {k + 1: m for k, (_, m, _) in enumerate(ff["species"])}
    try:
        ids, types, vel = P.data_file_velocities(data)
    except RuntimeError as e:
        C.fail("final.data has a Velocities section", str(e))
        return False
    T_file = P.temperature_from_velocities([masses[t] for t in types], vel)
    C.check("melt: T of final.data velocities vs glassmd thermo (rel)",
            P.rel(T_file, th["T_K"][-1]), 1e-5, "T %.4f K vs %.4f K" % (T_file, th["T_K"][-1]))
    script = (P.lammps_header(os.path.basename(data), ff) +
              "pair_style zero 10.0\npair_coeff * *\n"
              "thermo_style custom step temp ke\nthermo_modify format float %.17g\nrun 0\n")
    os.symlink(data, os.path.join(wd, os.path.basename(data)))
    log = P.run_lammps(wd, script, name="in.read.lmp")
    T_lmp = P.parse_thermo(log)[0]["Temp"]
    C.check("melt: LAMMPS reads final.data: its step-0 T vs glassmd (rel)",
            P.rel(T_lmp, th["T_K"][-1]), 1e-5, "T %.4f K" % T_lmp)
    return True


def glassmd_job(wd, name, data, ff_path, stages, threebody="on", **keys):
    def job():
        inp = P.write_run_input(os.path.join(wd, name + ".in"), os.path.basename(data), ff_path,
                                stages, seed=1, dt_fs=1, thermo_every=THERMO, threads=1,
                                tdamp_ps=TDAMP, chain=3, threebody=threebody, **keys)
        out, wall = P.run_glassmd_run(inp, threads=1)
        th = P.read_glassmd_thermo(os.path.join(out, "thermo.csv"))
        return {"t": th["time_ps"], "etot": th["etot_eV"], "conserved": th["conserved_eV"],
                "T": th["T_K"], "stage": th["stage"], "wall": wall}
    return job


def lammps_job(wd, name, data, ff, steps, ensemble, threebody):
    def job():
        script = P.lammps_md_script(os.path.basename(data), ff, steps, ensemble=ensemble, T=T0,
                                    tdamp=TDAMP, threebody=threebody, thermo_every=THERMO)
        log = P.run_lammps(wd, script, name="in.%s.lmp" % name)
        a = P.lammps_thermo_arrays(log)
        cons = a["TotEng"] + (a["f_md"] if "f_md" in a else 0.0)
        return {"t": a["Time"], "etot": a["TotEng"], "conserved": cons, "T": a["Temp"],
                "stage": None, "wall": None}
    return job


def compare_drifts(C, name, a, b, la, lb):
    lim = abs(b["slope"]) + 2.0 * math.hypot(a["se"], b["se"])
    ok = abs(a["slope"]) <= lim
    C.check("%s: |drift| - (|drift %s| + 2 se) [eV/atom/ns]" % (name, lb),
            abs(a["slope"]) - lim, 0.0,
            "%s %+.2e +- %.1e, %s %+.2e +- %.1e" % (la, a["slope"], a["se"], lb, b["slope"], b["se"]))
    return ok


def single_run(fit, model):
    """A single run's drift fit, its error raised to the run-to-run spread of one replica of
    the same model (std of the replica drifts) when that is larger than its own fit error:
    the spread is the honest error of one chaotic trajectory's drift."""
    spread = float(np.std(model["each"], ddof=1)) if len(model["each"]) > 1 else 0.0
    return dict(fit, se=max(fit["se"], spread))


def replica_mean(fits):
    """Mean drift over the replicas and its standard error (spread of the replicas)."""
    slopes = np.array([f["slope"] for f in fits])
    se = float(np.std(slopes, ddof=1) / math.sqrt(len(slopes))) if len(slopes) > 1 else math.inf
    return {"slope": float(slopes.mean()), "se": se, "each": slopes}


def main():
    args = parse_args()
    C, wd = P.start_checks("glassmd dynamics against LAMMPS (NVE drift, NVT temperature, ramp)", "dynamics")
    ff = P.read_ff(P.reference_ff())
    natoms = 3000
    P.write_nb3b(os.path.join(wd, "ff.nb3b"), ff)
    states, melt_th = make_melt(wd, args)
    data = states[-1]
    if not check_melt_file(C, wd, data, melt_th, ff):
        C.finish()
    for st in states[:-1]:
        os.symlink(st, os.path.join(wd, os.path.basename(st)))
    nve = int(round(args.nve_ps * 1000))
    hard = int(round(args.hard_ps * 1000))
    ramp_ps = (T0 - RAMP_TO) / RAMP_RATE
    jobs = {
        "g_nve_plain": glassmd_job(wd, "g_nve_plain", states[0], P.reference_ff(),
                                   ["nve time=%gps" % args.nve_ps], threebody="smooth",
                                   threebody_substeps=1),
        "l_nvt_hard": lammps_job(wd, "l_nvt_hard", data, ff, hard, "nvt", True),
        "g_nvt_smooth": glassmd_job(wd, "g_nvt_smooth", data, P.reference_ff(),
                                    ["nvt time=%gps T=%gK" % (args.nvt_ps, T0),
                                     "ramp from=%gK to=%gK rate=%gK/ps" % (T0, RAMP_TO, RAMP_RATE)],
                                    threebody="smooth"),
        # the melt was made with the term: switching it off heats the melt for ~0.5 ps,
        # which is left out below
        "g_nvt_off": glassmd_job(wd, "g_nvt_off", data, P.reference_ff(),
                                 ["nvt time=%gps T=%gK" % (args.nvt_ps + OFF_SETTLE_PS, T0)],
                                 threebody="off"),
        "l_nvt_off": lammps_job(wd, "l_nvt_off", data, ff,
                                int(round((args.nvt_ps + OFF_SETTLE_PS) * 1000)), "nvt", False),
        "g_nvt_hard": glassmd_job(wd, "g_nvt_hard", data, P.reference_ff(),
                                  ["nvt time=%gps T=%gK" % (args.hard_ps, T0)], threebody="hard"),
    }
    for i, st in enumerate(states):
        jobs["g_nve_off_%d" % i] = glassmd_job(wd, "g_nve_off_%d" % i, st, P.reference_ff(),
                                               ["nve time=%gps" % args.nve_ps], threebody="off")
        jobs["l_nve_off_%d" % i] = lammps_job(wd, "l_nve_off_%d" % i, st, ff, nve, "nve", False)
        jobs["g_nve_smooth_%d" % i] = glassmd_job(wd, "g_nve_smooth_%d" % i, st, P.reference_ff(),
                                                  ["nve time=%gps" % args.nve_ps],
                                                  threebody="smooth")
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        fut = {k: pool.submit(j) for k, j in jobs.items()}
        res = {k: f.result() for k, f in fut.items()}

    # ---- 1. NVE drift
    fits = {k: P.drift_fit(r["t"] - r["t"][0], r["etot"] / natoms)
            for k, r in res.items() if k.startswith(("g_nve", "l_nve"))}
    C.info("NVE %g ps from each of %d melt states, drift of E_total in eV/atom/ns (each run: "
           "fit +- AR(1)-corrected error; model: mean +- standard error over the states):" %
           (args.nve_ps, len(states)))
    models = {}
    for key, label in (("l_nve_off", "LAMMPS   no three-body"),
                       ("g_nve_off", "glassmd  no three-body"),
                       ("g_nve_smooth", "glassmd  smooth w=0.2")):
        each = [fits["%s_%d" % (key, i)] for i in range(len(states))]
        models[key] = replica_mean(each)
        C.info("  %-24s %+.3e +- %.2e   runs: %s" %
               (label, models[key]["slope"], models[key]["se"],
                ", ".join("%+.1e+-%.0e" % (f["slope"], f["se"]) for f in each)))
    plain = fits["g_nve_plain"]
    C.info("  %-24s %+.3e +- %.2e (first state only)" % ("glassmd  smooth, plain", plain["slope"],
                                                          plain["se"]))
    compare_drifts(C, "NVE no three-body, glassmd vs LAMMPS", models["g_nve_off"],
                   models["l_nve_off"], "glassmd", "LAMMPS")
    compare_drifts(C, "NVE glassmd smooth w=0.2 vs no term", models["g_nve_smooth"],
                   models["g_nve_off"], "smooth", "no term")
    first = fits["g_nve_smooth_0"]
    C.check("NVE smooth, first state: |drift 8 substeps| - |drift plain Verlet| [eV/atom/ns]",
            abs(first["slope"]) - abs(plain["slope"]), 0.0,
            "substeps %+.2e, plain %+.2e" % (first["slope"], plain["slope"]))

    # ---- 2. NVT
    r = res["g_nvt_smooth"]
    in_nvt = np.array([s == "nvt" for s in r["stage"]])
    in_ramp = np.array([s == "ramp" for s in r["stage"]])
    T_mean, T_se = P.mean_with_se(r["T"][in_nvt])
    C.check("NVT smooth: |<T> - %g K| / %g K" % (T0, T0), abs(T_mean - T0) / T0, 0.01,
            "<T> = %.1f +- %.1f K" % (T_mean, T_se))
    tn = r["t"][in_nvt]
    fc = single_run(P.drift_fit(tn - tn[0], r["conserved"][in_nvt] / natoms),
                    models["g_nve_smooth"])
    C.info("NVT smooth: drift of the chain's conserved quantity %+.3e +- %.2e eV/atom/ns" %
           (fc["slope"], fc["se"]))
    compare_drifts(C, "NVT conserved vs NVE energy (smooth)", fc, models["g_nve_smooth"],
                   "NVT", "NVE")
    offs = {}
    for key in ("g_nvt_off", "l_nvt_off"):
        ro = res[key]
        settled = ro["t"] - ro["t"][0] >= OFF_SETTLE_PS
        offs[key] = {k: np.asarray(v)[settled] for k, v in ro.items() if k in ("t", "T", "conserved")}
    r_off = offs["g_nvt_off"]
    T_off, T_off_se = P.mean_with_se(r_off["T"])
    C.check("NVT no three-body: |<T> - %g K| / %g K" % (T0, T0), abs(T_off - T0) / T0, 0.01,
            "<T> = %.1f +- %.1f K" % (T_off, T_off_se))
    fc_off = {k: single_run(P.drift_fit(o["t"] - o["t"][0], o["conserved"] / natoms),
                            models["g_nve_off"]) for k, o in offs.items()}
    C.info("NVT no three-body: drift of the chain's conserved quantity glassmd %+.3e +- %.2e, "
           "LAMMPS %+.3e +- %.2e eV/atom/ns; NVE energy %+.3e +- %.2e" %
           (fc_off["g_nvt_off"]["slope"], fc_off["g_nvt_off"]["se"], fc_off["l_nvt_off"]["slope"],
            fc_off["l_nvt_off"]["se"], models["g_nve_off"]["slope"], models["g_nve_off"]["se"]))
    compare_drifts(C, "NVT conserved vs NVE energy (no three-body)", fc_off["g_nvt_off"],
                   models["g_nve_off"], "NVT", "NVE")
    compare_drifts(C, "NVT no three-body: conserved drift, glassmd vs LAMMPS", fc_off["g_nvt_off"],
                   fc_off["l_nvt_off"], "glassmd", "LAMMPS")
    t_ramp = r["t"][in_ramp]
    t_start = tn[-1]
    target = T0 + (RAMP_TO - T0) * (t_ramp - t_start) / ramp_ps
    late = t_ramp - t_start > 0.5 * ramp_ps
    lag_mean, lag_se = P.mean_with_se((r["T"][in_ramp] - target)[late], block=5)
    lag_max = 3 * RAMP_RATE * TDAMP + 3 * lag_se
    C.info("ramp %g -> %g K at %g K/ps: <T - target> over its second half %+.1f +- %.1f K "
           "(rate x tdamp = %.0f K)" % (T0, RAMP_TO, RAMP_RATE, lag_mean, lag_se, RAMP_RATE * TDAMP))
    C.check("ramp: <T - target> above the target by at most 3 rate tdamp + 3 se [K]",
            lag_mean - lag_max, 0.0)
    C.check("ramp: <T - target> not below the target beyond 3 se [K]", -lag_mean - 3 * lag_se, 0.0)

    g, l = res["g_nvt_hard"], res["l_nvt_hard"]
    skip = g["t"] - g["t"][0] >= 0.2  # leave out the first 2 tdamp
    gm, gse = P.mean_with_se(g["T"][skip])
    lm, lse = P.mean_with_se(l["T"][l["t"] - l["t"][0] >= 0.2])
    C.info("NVT hard cut, %g ps at %g K (first 0.2 ps left out): glassmd <T> %.1f +- %.1f K "
           "(%+.1f %%), LAMMPS <T> %.1f +- %.1f K (%+.1f %%)" %
           (args.hard_ps, T0, gm, gse, 100 * (gm / T0 - 1), lm, lse, 100 * (lm / T0 - 1)))
    C.check("NVT hard: |<T>_glassmd - <T>_LAMMPS| - 2 se - 1 %% [K]",
            abs(gm - lm) - 2 * math.hypot(gse, lse) - 0.01 * T0, 0.0)
    C.finish()


if __name__ == "__main__":
    main()
