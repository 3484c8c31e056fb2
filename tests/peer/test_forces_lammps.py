#!/usr/bin/python3
"""test_forces_lammps - glassmd energies, forces and virial against LAMMPS.

One random configuration of the reference system 50Na2S-50SiS2 (N = 3000: Si 500,
S 1500, Na 1000 at 0.043 atoms/A^3, box 41.17 A, every pair at least 1.95 A apart, seed
fixed) is evaluated by `glassmd eval` and by LAMMPS (`run 0`, metal units, atom_style
charge) with the same force field read from data/forcefields/na2s-sis2.ff:

  a. Buckingham alone: LAMMPS `pair_style buck 10.0` vs `glassmd eval --kspace none
     --no-threebody`. Same formula, same truncation: energy, forces and virial pressure
     must agree to round-off (1e-9 relative).
  b. Buckingham + Ewald Coulomb: LAMMPS `buck/coul/long 10.0` + `kspace_style ewald 1e-8`
     + `pair_modify table 0` vs `glassmd eval --kspace ewald --accuracy 1e-8
     --no-threebody`. LAMMPS evaluates erfc with a polynomial good to ~1e-7, so the
     limits are 5e-6 eV/atom, 1e-5 eV/A RMS and 1e-4 relative on the virial pressure (the
     exact check of the Coulomb part is test_ewald_exact.py). The Coulomb share of the
     virial (b minus a, in both programs) is compared on its own scale too, and glassmd's
     forces must not depend on the thread count.
  c. Three-body, hard cut-off: LAMMPS `hybrid/overlay buck 10.0 nb3b/harmonic` with the
     entry `S Si Si k theta0 r3` vs `glassmd eval --kspace none --threebody hard`; the
     three-body share (c minus a) of energy, forces and virial to round-off.

The LAMMPS virial-only pressure comes from `compute p all pressure NULL virial` (the data
file has no velocities, so it also equals `press`). Prints every deviation and a final
"N passed, M failed"; exit status 0 only when every check passed.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib as P  # noqa: E402

NATOMS = 3000
DENSITY = 0.043
SEED = 20240611
DMIN = 1.95
CUTOFF = 10.0


def lammps_run(wd, tag, ff, pair_block, kspace_block=""):
    dump = "forces-%s.dump" % tag
    script = (P.lammps_header("conf.data", ff) + pair_block + kspace_block +
              P.lammps_outputs(dump) + "run 0\n")
    log = P.run_lammps(wd, script, name="in.%s.lmp" % tag)
    row = P.parse_thermo(log)[-1]
    return {"row": row, "forces": P.parse_dump_forces(os.path.join(wd, dump)), "log": log}


def glassmd_run(wd, ff_path, ff, args):
    res, forces = P.run_glassmd_eval(wd, "conf.data", ff_path, args, types=P.types_arg(ff))
    return {"json": res, "forces": forces}


def virial_dev(p_test, p_ref):
    """max_k |dP_k| / max_k |P_ref,k| over the six components."""
    return float(np.max(np.abs(p_test - p_ref)) / np.max(np.abs(p_ref)))


def part_a(checks, wd, ff_path, ff):
    """Buckingham only: identical formulas, so round-off agreement."""
    lmp = lammps_run(wd, "buck", ff, "pair_style buck %g\n" % CUTOFF + P.lammps_pair_coeffs(ff))
    gmd = glassmd_run(wd, ff_path, ff, ["--kspace", "none", "--no-threebody"])
    row, res = lmp["row"], gmd["json"]
    checks.check("a. natoms", abs(res["natoms"] - NATOMS), 0)
    checks.check("a. volume rel", P.rel(res["volume"], float(np.prod(CFG["box"]))), 1e-12)
    checks.info("a. pe glassmd %.12f  LAMMPS %.12f eV" % (res["pe"], row["PotEng"]))
    checks.check("a. pe rel (buck)", P.rel(res["pe"], row["PotEng"]), 1e-9)
    checks.check("a. buckingham rel vs evdwl", P.rel(res["buckingham"], row["E_vdwl"]), 1e-9)
    checks.check("a. |coulomb| + |threebody| with --kspace none", abs(res["coulomb"]) +
                 abs(res["threebody"]), 1e-12)
    dev = P.force_deviation(gmd["forces"], lmp["forces"])
    checks.info("a. forces RMS |F| %.4f eV/A, max |dF| %.3e, RMS |dF| %.3e" %
                (dev["ref_rms"], dev["max"], dev["rms"]))
    checks.check("a. forces max|dF| / RMS|F|", dev["max"] / dev["ref_rms"], 1e-9)
    pg, pl = P.glassmd_virial(res), P.lammps_virial(row)
    checks.info("a. virial P glassmd %s bar" % np.array2string(pg, precision=6))
    checks.info("a. virial P LAMMPS  %s bar" % np.array2string(pl, precision=6))
    checks.check("a. virial pressure max|dP| / max|P|", virial_dev(pg, pl), 1e-9)
    return lmp, gmd


def part_b(checks, wd, ff_path, ff, base):
    """Buckingham + Ewald 1e-8: limited by LAMMPS's polynomial erfc."""
    lmp = lammps_run(wd, "ewald", ff,
                     "pair_style buck/coul/long %g\n" % CUTOFF + P.lammps_pair_coeffs(ff),
                     "kspace_style ewald 1e-8\npair_modify table 0\n")
    gmd = glassmd_run(wd, ff_path, ff, ["--kspace", "ewald", "--accuracy", "1e-8",
                                        "--no-threebody", "--threads", "1"])
    row, res = lmp["row"], gmd["json"]
    g_lmp = P.parse_log_value(lmp["log"], r"G vector \(1/distance\) = ([0-9.eE+-]+)")
    checks.info("b. g_ewald glassmd %s  LAMMPS %s; glassmd kspace %s" %
                (P.kspace_field(res, "g_ewald"), g_lmp, res.get("kspace")))
    checks.info("b. pe glassmd %.10f  LAMMPS %.10f eV" % (res["pe"], row["PotEng"]))
    checks.check("b. |dpe| per atom (eV)", abs(res["pe"] - row["PotEng"]) / NATOMS, 5e-6)
    coul_l = row["E_coul"] + row["E_long"]
    checks.check("b. |dcoulomb| per atom vs ecoul+elong (eV)",
                 abs(res["coulomb"] - coul_l) / NATOMS, 5e-6)
    checks.check("b. buckingham rel vs evdwl", P.rel(res["buckingham"], row["E_vdwl"]), 1e-9)
    parts = res["coulomb_real"] + res["coulomb_recip"] + res["coulomb_self"]
    checks.check("b. coulomb = real + recip + self (rel)", P.rel(parts, res["coulomb"]), 1e-12)
    dev = P.force_deviation(gmd["forces"], lmp["forces"])
    checks.info("b. forces RMS |F| %.4f eV/A, max |dF| %.3e" % (dev["ref_rms"], dev["max"]))
    checks.check("b. forces RMS |dF| (eV/A)", dev["rms"], 1e-5)
    pg, pl = P.glassmd_virial(res), P.lammps_virial(row)
    checks.check("b. virial pressure max|dP| / max|P|", virial_dev(pg, pl), 1e-4)
    # Coulomb share of the virial: (b) - (a) in each program, on its own scale
    pcg = pg - P.glassmd_virial(base[1]["json"])
    pcl = pl - P.lammps_virial(base[0]["row"])
    checks.info("b. Coulomb virial P glassmd %s bar" % np.array2string(pcg, precision=4))
    checks.info("b. Coulomb virial P LAMMPS  %s bar" % np.array2string(pcl, precision=4))
    checks.check("b. Coulomb virial max|dP| / max|P_coul|", virial_dev(pcg, pcl), 1e-4)
    # thread independence (round-off only)
    gmd2 = glassmd_run(wd, ff_path, ff, ["--kspace", "ewald", "--accuracy", "1e-8",
                                         "--no-threebody", "--threads", "2"])
    dev2 = P.force_deviation(gmd2["forces"], gmd["forces"])
    checks.check("b. threads 2 vs 1: forces max|dF| / RMS|F|", dev2["max"] / dev2["ref_rms"], 1e-10)
    checks.check("b. threads 2 vs 1: pe rel", P.rel(gmd2["json"]["pe"], res["pe"]), 1e-12)


def bridging_sulfur(ff, r3):
    """Number of S with at least two Si within r3 (the triplets the three-body term sees)."""
    from scipy.spatial import cKDTree
    species = np.array(CFG["species"])
    pos = CFG["pos"] % CFG["box"]
    s_idx, si_idx = np.where(species == "S")[0], np.where(species == "Si")[0]
    tree = cKDTree(pos[si_idx], boxsize=CFG["box"])
    counts = np.array([len(n) for n in tree.query_ball_point(pos[s_idx], r3)])
    return int(np.sum(counts >= 2)), int(np.sum(counts * (counts - 1) // 2))


def nb3b_file(path, ff):
    """LAMMPS nb3b/harmonic file: every ordered triplet of species listed (LAMMPS indexes
    all of them), the glassmd [threebody] entries with their k, theta0, r3, all other
    triplets with k = 0 and cut-off 0 (never within range)."""
    names = [n for n, _, _ in ff["species"]]
    terms = {(v, e): (k, th, r3) for v, e, k, th, r3, _, _ in ff["threebody"]}
    with open(path, "w") as fh:
        fh.write("# written by test_forces_lammps.py from the glassmd force field\n")
        for a in names:
            for b in names:
                for c in names:
                    if b == c and (a, b) in terms:
                        k, th, r3 = terms[(a, b)]
                        fh.write("%s %s %s %.17g %.17g %.17g\n" % (a, b, c, k, th, r3))
                    else:
                        fh.write("%s %s %s 0.0 0.0 0.0\n" % (a, b, c))
    return path


def part_c(checks, wd, ff_path, ff, base):
    """Hard-cut three-body vs LAMMPS nb3b/harmonic (c minus a isolates the term)."""
    if not ff["threebody"]:
        checks.fail("c. three-body", "the force field has no [threebody] section")
        return
    r3 = ff["threebody"][0][4]
    nbs, ntrip = bridging_sulfur(ff, r3)
    checks.info("c. %d bridging S, %d Si-S-Si triplets within %.2f A" % (nbs, ntrip, r3))
    if ntrip < 10:
        checks.fail("c. three-body", "too few triplets (%d) for a meaningful check" % ntrip)
        return
    nb3b_file(os.path.join(wd, "ff.nb3b"), ff)
    names = " ".join(n for n, _, _ in ff["species"])
    pair = ("pair_style hybrid/overlay buck %g nb3b/harmonic\n" % CUTOFF +
            P.lammps_pair_coeffs(ff, style="buck") +
            "pair_coeff * * nb3b/harmonic ff.nb3b %s\n" % names)
    lmp = lammps_run(wd, "nb3b", ff, pair)
    gmd = glassmd_run(wd, ff_path, ff, ["--kspace", "none", "--threebody", "hard"])
    e3_l = lmp["row"]["PotEng"] - base[0]["row"]["PotEng"]
    e3_g = gmd["json"]["threebody"]
    checks.info("c. three-body energy glassmd %.12f  LAMMPS %.12f eV" % (e3_g, e3_l))
    checks.check("c. three-body energy rel", P.rel(e3_g, e3_l), 1e-8)
    checks.check("c. pe rel", P.rel(gmd["json"]["pe"], lmp["row"]["PotEng"]), 1e-9)
    ids = lmp["forces"][0]
    f3_l = (ids, lmp["forces"][1] - base[0]["forces"][1])
    f3_g = (ids, gmd["forces"][1] - base[1]["forces"][1])
    dev = P.force_deviation(f3_g, f3_l)
    checks.info("c. three-body forces RMS %.4e, max %.4f eV/A; max |dF| %.3e" %
                (dev["ref_rms"], dev["ref_max"], dev["max"]))
    checks.check("c. three-body forces max|dF| / max|F3|", dev["max"] / dev["ref_max"], 1e-8)
    p3_l = P.lammps_virial(lmp["row"]) - P.lammps_virial(base[0]["row"])
    p3_g = P.glassmd_virial(gmd["json"]) - P.glassmd_virial(base[1]["json"])
    checks.check("c. three-body virial max|dP| / max|P3|", virial_dev(p3_g, p3_l), 1e-7)


def main():
    global CFG
    checks = P.Checks("glassmd eval vs LAMMPS (%s), N = %d random 50Na2S-50SiS2" %
                      (P.LMP, NATOMS))
    ff_path = P.reference_ff()
    ff = P.read_ff(ff_path)
    wd = P.scratch_dir("forces_lammps")
    CFG = P.random_config(P.na2s_sis2_counts(NATOMS), DENSITY, SEED, DMIN)
    P.write_lammps_data(os.path.join(wd, "conf.data"), CFG, ff)
    checks.info("box %.4f A, min distance %.4f A, scratch %s" %
                (CFG["box"][0], P.min_distance(CFG), wd))
    if P.glassmd_binary() is None:
        checks.fail("glassmd", "binary not found (GLASSMD=%s)" % os.environ.get("GLASSMD"))
        checks.finish()
    base = None
    for name, part in (("a", part_a), ("b", part_b), ("c", part_c)):
        try:
            if name == "a":
                base = part(checks, wd, ff_path, ff)
            elif base is None:
                checks.fail(name, "skipped: part a (the Buckingham baseline) failed to run")
            else:
                part(checks, wd, ff_path, ff, base)
        except (RuntimeError, KeyError, ValueError) as exc:
            checks.fail("part %s" % name, "%s: %s" % (type(exc).__name__, exc))
    checks.finish()


CFG = None
if __name__ == "__main__":
    main()
