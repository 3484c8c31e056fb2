#!/usr/bin/python3
"""test_ewald_exact - glassmd's Coulomb sum against an exact Ewald sum written in numpy.

The reference (peerlib.ewald_exact) is the textbook Ewald sum with its own splitting
parameter, every periodic image within its own real-space cut-off and every k-vector
up to |k| = 12 alpha, so that it converges to ~1e-13 relative; it shares no code with
glassmd. Configuration: 600 atoms of 50Na2S-50SiS2 (Si 100, S 300, Na 200) at 0.043
atoms/A^3 (box 24.07 A), random with every pair >= 1.9 A apart, fixed seed.

  R. The reference is checked first, without glassmd: two different splittings agree,
     its forces match central finite differences of its energy, its virial matches the
     strain derivative of its energy and obeys tr W = E (Coulomb is homogeneous of
     degree -1), and it agrees with LAMMPS `coul/long` + `ewald 1e-10` at the same g_ewald
     (the real-space part only to LAMMPS's polynomial erfc, ~1e-7).
  G. glassmd `--kspace ewald --accuracy 1e-10`: total Coulomb energy within 1e-8
     relative (reference force field), Coulomb forces within 1e-6 eV/A RMS and the
     Coulomb virial within 1e-6 relative (a variant force field with every A = C = 0);
     its real / reciprocal / self split against the reference at glassmd's own g_ewald.
  P. glassmd `--kspace pppm --accuracy 1e-5` (and ewald 1e-5): RMS force error against
     the reference within sqrt(2) times the target 1e-5 * 14.399645 eV/A (real-space and
     k-space parts each at the target, the LAMMPS convention; see LIMIT), the estimate
     within the same bound, and the estimate not optimistic by more than a factor of 3.
     LAMMPS pppm 1e-5 on the same configuration is printed for comparison.

Prints every deviation and a final "N passed, M failed"; exit 0 only when all passed.
"""

import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib as P  # noqa: E402

NATOMS = 600
DENSITY = 0.043
SEED = 4242
DMIN = 1.9
CUTOFF = 10.0
TARGET = 1e-5 * P.COULOMB  # absolute RMS force target of accuracy 1e-5, eV/A
# LAMMPS's convention, which glassmd follows: g_ewald makes the real-space error equal to
# the target and the mesh makes the k-space error at most the target, so the total RMS
# error may reach sqrt(2) times the target (LAMMPS pppm 1e-5 achieves 1.03x here and 1.10x
# on the 3000-atom box). The limit is that bound.
LIMIT = 2 ** 0.5 * TARGET


def check_reference(checks, cfg, q, wd, ff):
    """R: the numpy Ewald sum against itself, finite differences and LAMMPS."""
    pos, box = cfg["pos"], cfg["box"]
    t0 = time.time()
    ref = P.ewald_exact(pos, q, box, rcut=12.0)
    checks.info("R. reference: alpha %.4f/A, real cut-off 12 A, %d k-vectors (half space), "
                "%.2f s; E = %.12f eV" % (ref["alpha"], ref["nk"], time.time() - t0, ref["energy"]))
    other = P.ewald_exact(pos, q, box, rcut=9.0)
    checks.check("R. splitting alpha %.3f vs %.3f: energy rel" % (ref["alpha"], other["alpha"]),
                 P.rel(other["energy"], ref["energy"]), 1e-12)
    checks.check("R. splitting: forces max|dF| (eV/A)",
                 float(np.abs(other["forces"] - ref["forces"]).max()), 1e-10)
    checks.check("R. tr(virial) = E (rel)", P.rel(np.trace(ref["virial"]), ref["energy"]), 1e-11)
    h = 1e-5
    worst = 0.0
    for i in (0, 7):
        for d in range(3):
            e = []
            for sign in (1, -1):
                p = pos.copy()
                p[i, d] += sign * h
                e.append(P.ewald_exact(p, q, box, rcut=9.0)["energy"])
            worst = max(worst, abs(-(e[0] - e[1]) / (2 * h) - ref["forces"][i, d]))
    checks.check("R. forces vs central differences, 2 atoms (eV/A)", worst, 1e-6)
    s = 1e-6
    e = []
    for sign in (1, -1):
        scale = np.array([1 + sign * s, 1.0, 1.0])
        e.append(P.ewald_exact(pos * scale, q, box * scale, rcut=9.0)["energy"])
    wxx = -(e[0] - e[1]) / (2 * s)
    checks.check("R. virial xx vs strain derivative (rel)", P.rel(ref["virial"][0, 0], wxx), 1e-7)

    g = 0.55  # erfc(5.5) = 7e-15: LAMMPS's real-space sum at 10 A is complete
    script = (P.lammps_header("conf.data", ff) +
              "pair_style coul/long %g\npair_coeff * *\n" % CUTOFF +
              "kspace_style ewald 1e-10\nkspace_modify gewald %g\npair_modify table 0\n" % g +
              P.lammps_outputs("lmp-ewald.dump") + "run 0\n")
    row = P.parse_thermo(P.run_lammps(wd, script, name="in.ewald.lmp"))[-1]
    at_g = P.ewald_exact(pos, q, box, rcut=CUTOFF, alpha=g)
    checks.check("R. LAMMPS elong vs recip + self at g = %.2f (rel)" % g,
                 P.rel(row["E_long"], at_g["recip"] + at_g["self"]), 1e-8)
    checks.check("R. LAMMPS ecoul vs real at g = %.2f, per atom (eV)" % g,
                 abs(row["E_coul"] - at_g["real"]) / NATOMS, 1e-6, "(polynomial erfc)")
    checks.check("R. LAMMPS ecoul + elong vs reference, per atom (eV)",
                 abs(row["E_coul"] + row["E_long"] - ref["energy"]) / NATOMS, 1e-6)
    dev = P.force_deviation(P.parse_dump_forces(os.path.join(wd, "lmp-ewald.dump")),
                            (cfg["ids"], ref["forces"]))
    checks.check("R. LAMMPS forces RMS |dF| (eV/A)", dev["rms"], 1e-5,
                 "(RMS |F| %.3f eV/A)" % dev["ref_rms"])
    pref = P.pressure_voigt(ref["virial"], box)
    checks.check("R. LAMMPS virial max|dP| / max|P|",
                 float(np.abs(P.lammps_virial(row) - pref).max() / np.abs(pref).max()), 1e-6)
    return ref


def check_glassmd_ewald(checks, cfg, q, wd, ff_path, ff, ref):
    """G: glassmd Ewald at 1e-10 against the exact sum."""
    res, _ = P.run_glassmd_eval(wd, "conf.data", ff_path,
                                ["--kspace", "ewald", "--accuracy", "1e-10", "--no-threebody"],
                                forces=False)
    checks.info("G. coulomb glassmd %.12f  exact %.12f eV; kspace %s" %
                (res["coulomb"], ref["energy"], res.get("kspace")))
    checks.check("G. ewald 1e-10 coulomb energy rel (reference ff)",
                 P.rel(res["coulomb"], ref["energy"]), 1e-8)

    coul_ff = P.write_ff_variant(ff_path, os.path.join(wd, "coulomb-only.ff"), zero_pairs=True,
                                 no_threebody=True)
    # no --types here: the species come from the "# Si" comments of the Masses section
    res, forces = P.run_glassmd_eval(wd, "conf.data", coul_ff,
                                     ["--kspace", "ewald", "--accuracy", "1e-10", "--no-threebody"])
    checks.check("G. Coulomb-only ff: |buckingham| (eV)", abs(res["buckingham"]), 1e-12)
    checks.check("G. Coulomb-only ff: pe rel to exact", P.rel(res["pe"], ref["energy"]), 1e-8)
    dev = P.force_deviation(forces, (cfg["ids"], ref["forces"]))
    checks.info("G. forces RMS |F| %.4f eV/A, max |dF| %.3e" % (dev["ref_rms"], dev["max"]))
    checks.check("G. ewald 1e-10 forces RMS |dF| (eV/A)", dev["rms"], 1e-6)
    pref = P.pressure_voigt(ref["virial"], cfg["box"])
    pg = P.glassmd_virial(res)
    checks.info("G. virial P glassmd %s bar" % np.array2string(pg, precision=5))
    checks.info("G. virial P exact   %s bar" % np.array2string(pref, precision=5))
    checks.check("G. ewald 1e-10 virial max|dP| / max|P|",
                 float(np.abs(pg - pref).max() / np.abs(pref).max()), 1e-6)

    g = float(P.kspace_field(res, "g_ewald"))
    split = P.ewald_exact(cfg["pos"], q, cfg["box"], rcut=CUTOFF, alpha=g)
    scale = abs(ref["energy"])
    # g_ewald comes back through the JSON with 10 significant digits: 1e-9, not round-off
    checks.check("G. self term at g_ewald %.5f (rel)" % g,
                 P.rel(res["coulomb_self"], split["self"]), 1e-9)
    checks.check("G. real-space part at g_ewald, |d| / |E_coul|",
                 abs(res["coulomb_real"] - split["real"]) / scale, 1e-8)
    checks.check("G. reciprocal part at g_ewald, |d| / |E_coul|",
                 abs(res["coulomb_recip"] - split["recip"]) / scale, 1e-8)
    return coul_ff


def check_mesh(checks, cfg, wd, coul_ff, ff, ref):
    """P: accuracy 1e-5, achieved vs estimated RMS force error."""
    for method in ("pppm", "ewald"):
        res, forces = P.run_glassmd_eval(wd, "conf.data", coul_ff,
                                         ["--kspace", method, "--accuracy", "1e-5",
                                          "--no-threebody"])
        dev = P.force_deviation(forces, (cfg["ids"], ref["forces"]))
        ks = res.get("kspace") or {}
        est = float(P.kspace_field(res, "estimated_error") or "nan")
        checks.info("P. glassmd %s 1e-5: achieved RMS %.3e eV/A, estimated %.3e, target %.3e; "
                    "energy error %.3e eV/atom; %s" %
                    (method, dev["rms"], est, TARGET, abs(res["coulomb"] - ref["energy"]) / NATOMS,
                     {k: v for k, v in ks.items() if k not in ("method", "accuracy")}))
        checks.check("P. glassmd %s 1e-5: RMS force error (eV/A)" % method, dev["rms"], LIMIT,
                     "(%.2f x target)" % (dev["rms"] / TARGET))
        checks.check("P. glassmd %s 1e-5: estimated error (eV/A)" % method, est, LIMIT)
        checks.check("P. glassmd %s 1e-5: achieved / estimated error" % method,
                     dev["rms"] / est if est > 0 else float("inf"), 3.0)
    # LAMMPS pppm at the same accuracy, for comparison only
    script = (P.lammps_header("conf.data", ff) +
              "pair_style coul/long %g\npair_coeff * *\n" % CUTOFF +
              "kspace_style pppm 1e-5\npair_modify table 0\n" + P.lammps_outputs("lmp-pppm.dump") +
              "run 0\n")
    log = P.run_lammps(wd, script, name="in.pppm.lmp")
    dev = P.force_deviation(P.parse_dump_forces(os.path.join(wd, "lmp-pppm.dump")),
                            (cfg["ids"], ref["forces"]))
    est = P.parse_log_value(log, r"estimated absolute RMS force accuracy = ([0-9.eE+-]+)")
    checks.info("P. LAMMPS pppm 1e-5 (for comparison): achieved RMS %.3e eV/A (%.2f x target), "
                "estimated %s" % (dev["rms"], dev["rms"] / TARGET, est))


def main():
    checks = P.Checks("glassmd Coulomb vs exact Ewald (numpy), N = %d random 50Na2S-50SiS2" %
                      NATOMS)
    ff_path = P.reference_ff()
    ff = P.read_ff(ff_path)
    wd = P.scratch_dir("ewald_exact")
    cfg = P.random_config(P.na2s_sis2_counts(NATOMS), DENSITY, SEED, DMIN)
    q = P.charges_of(cfg, ff)
    P.write_lammps_data(os.path.join(wd, "conf.data"), cfg, ff)
    checks.info("box %.4f A, min distance %.4f A, net charge %.1e e, scratch %s" %
                (cfg["box"][0], P.min_distance(cfg), q.sum(), wd))
    try:
        ref = check_reference(checks, cfg, q, wd, ff)
    except RuntimeError as exc:
        checks.fail("R", str(exc))
        checks.finish()
    if P.glassmd_binary() is None:
        checks.fail("glassmd", "binary not found (GLASSMD=%s)" % os.environ.get("GLASSMD"))
        checks.finish()
    try:
        coul_ff = check_glassmd_ewald(checks, cfg, q, wd, ff_path, ff, ref)
        check_mesh(checks, cfg, wd, coul_ff, ff, ref)
    except (RuntimeError, KeyError, ValueError) as exc:
        checks.fail("glassmd", "%s: %s" % (type(exc).__name__, exc))
    checks.finish()


if __name__ == "__main__":
    main()
