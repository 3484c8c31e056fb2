#!/usr/bin/python3
"""Peer test: glassmd's three-body term against LAMMPS pair_style nb3b/harmonic.

SPEC section 2: with the hard cut, V3 = k (theta - theta0)^2 for every Si-S-Si triplet
(angle at S, both S-Si <= r3), each unordered pair of Si around one S once, no factor 1/2:
exactly what LAMMPS `pair_style nb3b/harmonic` computes for the entry `S Si Si k theta0 r3`.

The test makes a random 50Na2S-50SiS2 configuration (3000 atoms, 0.043 atoms/A^3, no two
atoms closer than 1.9 A, fixed seed), writes it as a LAMMPS data file and evaluates it
  - with LAMMPS: the nb3b/harmonic term alone, `run 0`, energy, virial pressure, forces;
  - with glassmd: `glassmd eval ... --kspace none` (no --threebody option: the shipped
    force field's default term) on a copy of data/forcefields/na2s-sis2.ff whose
    Buckingham terms are all zero and whose [threebody] line is the shipped one verbatim,
    so that pe and forces are the shipped default three-body term alone (eval must report
    it as the hard cut);
  - with numpy: a brute-force energy written here, as a third opinion and to show the
    configuration holds enough triplets.
Checks: energy 5e-6 eV/atom (and 1e-8 relative), forces 1e-5 eV/A RMS, virial pressure
1e-4 relative. Prints every deviation, then "N passed, M failed"; exit 0 only if all pass.

Environment: GLASSMD (the glassmd binary), GLASSMD_SOURCE_DIR, GLASSMD_TEST_TMP (scratch),
LMP (LAMMPS binary, default /usr/bin/lmp). `--lammps-only` runs the LAMMPS and numpy half
(for checking the test itself where glassmd is not built).
"""
import itertools
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

SPECIES = ["Si", "S", "Na"]  # LAMMPS types 1, 2, 3 (glassmd --types Si,S,Na)
MASSES = {"Si": 28.0855, "S": 32.06, "Na": 22.98977}
CHARGES = {"Si": 2.4, "S": -1.2, "Na": 0.6}
K_B, THETA0_DEG, R3 = 1.5, 60.0, 2.7
N_ATOMS, DENSITY, MIN_DIST, SEED = 3000, 0.043, 1.9, 20240611

TOL_E_PER_ATOM = 5e-6  # eV/atom
TOL_E_REL = 1e-8
TOL_F_RMS = 1e-5  # eV/A
TOL_P_REL = 1e-4

results = []  # (name, passed, detail)


def check(name, passed, detail):
    results.append((name, bool(passed), detail))
    print(f"[{'PASS' if passed else 'FAIL'}] {name}: {detail}", flush=True)


def random_configuration():
    """50Na2S-50SiS2: M = 1000 formula units, 500 Na2S + 500 SiS2."""
    rng = np.random.default_rng(SEED)
    n_na2s = n_sis2 = N_ATOMS // 6
    counts = {"Si": n_sis2, "S": n_na2s + 2 * n_sis2, "Na": 2 * n_na2s}
    types = np.concatenate([np.full(counts[s], t + 1) for t, s in enumerate(SPECIES)])
    rng.shuffle(types)
    length = (N_ATOMS / DENSITY) ** (1.0 / 3.0)
    pos = np.zeros((N_ATOMS, 3))
    for i in range(N_ATOMS):
        for _ in range(100000):
            trial = rng.uniform(0.0, length, 3)
            d = pos[:i] - trial
            d -= length * np.round(d / length)
            if i == 0 or np.einsum("ij,ij->i", d, d).min() >= MIN_DIST**2:
                pos[i] = trial
                break
        else:
            raise RuntimeError(f"cannot place atom {i}")
    return types, pos, length


def write_data(path, types, pos, length):
    with open(path, "w") as f:
        f.write("LAMMPS data file: random 50Na2S-50SiS2, glassmd three-body peer test\n\n")
        f.write(f"{len(types)} atoms\n{len(SPECIES)} atom types\n\n")
        for ax in "xyz":
            f.write(f"0.0 {length:.12f} {ax}lo {ax}hi\n")
        f.write("\nMasses\n\n")
        for t, s in enumerate(SPECIES):
            f.write(f"{t + 1} {MASSES[s]} # {s}\n")
        f.write("\nAtoms # charge\n\n")
        for i, (t, p) in enumerate(zip(types, pos)):
            q = CHARGES[SPECIES[t - 1]]
            f.write(f"{i + 1} {t} {q:+.6f} {p[0]:.10f} {p[1]:.10f} {p[2]:.10f}\n")


def write_nb3b(path):
    """Every triplet of elements must have an entry (LAMMPS looks up i-j-j for the i-j cut
    and i-j-k for k, theta0): S Si Si carries the term, all others k = 0 and cut 0."""
    with open(path, "w") as f:
        f.write("# nb3b/harmonic: element1 (vertex) element2 element3 k(eV/rad^2) theta0(deg) "
                "cutoff(A)\n")
        for a, b, c in itertools.product(SPECIES, repeat=3):
            if (a, b, c) == ("S", "Si", "Si"):
                f.write(f"{a} {b} {c} {K_B} {THETA0_DEG} {R3}\n")
            else:
                f.write(f"{a} {b} {c} 0.0 0.0 0.0\n")


def shipped_threebody_line():
    """The [threebody] line of the shipped force field, checked to hold the parameters the
    LAMMPS nb3b file here is written with (so the comparison is of the shipped default)."""
    src = os.environ.get("GLASSMD_SOURCE_DIR",
                         os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    path = os.path.join(src, "data", "forcefields", "na2s-sis2.ff")
    section, lines = None, []
    with open(path) as fh:
        for raw in fh:
            line = raw.split("#")[0].strip()
            if line.startswith("["):
                section = line
            elif line and section == "[threebody]":
                lines.append(line)
    if len(lines) != 1:
        raise RuntimeError(f"{path}: expected one [threebody] line, found {len(lines)}")
    cols = lines[0].split()
    if cols[:2] != ["S", "Si"] or [float(c) for c in cols[2:5]] != [K_B, THETA0_DEG, R3]:
        raise RuntimeError(f"{path}: [threebody] line {lines[0]!r} is not S Si {K_B} "
                           f"{THETA0_DEG} {R3}")
    return lines[0]


def write_glassmd_ff(path):
    with open(path, "w") as f:
        f.write("# three-body only: every Buckingham A and C is zero, no Coulomb\n")
        f.write("cutoff = 10.0\nshift = no\nkspace = none\naccuracy = 1e-5\n\n")
        f.write("[species]\n")
        for s in SPECIES:
            f.write(f"{s} {MASSES[s]} {CHARGES[s]:+}\n")
        f.write("\n[pairs]\n")
        for a, b in itertools.combinations_with_replacement(SPECIES, 2):
            f.write(f"{a} {b} 0 1.0 0\n")
        f.write("\n[threebody]\n" + shipped_threebody_line() + "\n")
        f.write("\n[composition]\nmodifier = Na2S\nformer = SiS2\n")


def run_lammps(tmp, data, nb3b):
    lmp = os.environ.get("LMP", "/usr/bin/lmp")
    script = os.path.join(tmp, "in.threebody")
    dump = os.path.join(tmp, "lammps_forces.dump")
    log = os.path.join(tmp, "lammps.log")
    with open(script, "w") as f:
        f.write(f"""units metal
atom_style charge
boundary p p p
read_data {data}
pair_style nb3b/harmonic
pair_coeff * * {nb3b} {' '.join(SPECIES)}
compute pvir all pressure NULL virial
thermo_style custom step pe press c_pvir[1] c_pvir[2] c_pvir[3] c_pvir[4] c_pvir[5] c_pvir[6]
thermo_modify format float %.16g
dump forces all custom 1 {dump} id fx fy fz
dump_modify forces sort id format float %.16g
run 0
""")
    proc = subprocess.run([lmp, "-in", script, "-log", log, "-screen", "none", "-nocite"],
                          capture_output=True, text=True, cwd=tmp)
    if proc.returncode != 0:
        raise RuntimeError(f"LAMMPS failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
                           + (open(log).read()[-3000:] if os.path.exists(log) else ""))
    lines = open(log).read().splitlines()
    head = next(i for i, l in enumerate(lines) if l.split()[:2] == ["Step", "PotEng"])
    values = [float(x) for x in lines[head + 1].split()]
    pe, press, pvir = values[1], values[2], np.array(values[3:9])
    forces = read_forces_dump(dump)
    return pe, press, pvir, forces


def read_forces_dump(path):
    lines = open(path).read().splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("ITEM: ATOMS")) + 1
    table = np.array([[float(x) for x in l.split()] for l in lines[start:] if l.strip()])
    return table[:, 0].astype(int), table[:, 1:4]


def numpy_energy(types, pos, length):
    """Brute force: each S, all Si within R3, every unordered pair once; also counts."""
    si = pos[types == 1]
    energy, triplets = 0.0, 0
    theta0 = np.radians(THETA0_DEG)
    for p in pos[types == 2]:
        d = si - p
        d -= length * np.round(d / length)
        r = np.sqrt(np.einsum("ij,ij->i", d, d))
        d, r = d[r <= R3], r[r <= R3]
        for a, b in itertools.combinations(range(len(r)), 2):
            c = np.clip(np.dot(d[a], d[b]) / (r[a] * r[b]), -1.0, 1.0)
            energy += K_B * (np.arccos(c) - theta0) ** 2
            triplets += 1
    return energy, triplets


def run_glassmd(tmp, data, ff):
    exe = os.environ.get("GLASSMD")
    if not exe or not os.path.exists(exe):
        raise RuntimeError(f"GLASSMD={exe!r} is not an executable; build target glassmd_cli")
    out = os.path.join(tmp, "glassmd_forces.txt")
    cmd = [exe, "eval", data, "--ff", ff, "--types", ",".join(SPECIES), "--kspace", "none",
           "--forces", out]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    result = json.loads(proc.stdout)
    table = np.loadtxt(out, ndmin=2)
    return result, table[:, 0].astype(int), table[:, 1:4]


def main():
    lammps_only = "--lammps-only" in sys.argv[1:]
    tmp = os.environ.get("GLASSMD_TEST_TMP") or tempfile.mkdtemp(prefix="glassmd-peer-")
    tmp = os.path.join(os.path.abspath(tmp), "threebody_lammps")
    os.makedirs(tmp, exist_ok=True)
    data, nb3b, ff = (os.path.join(tmp, n) for n in ("nasis.data", "sis.nb3b", "three.ff"))

    types, pos, length = random_configuration()
    write_data(data, types, pos, length)
    write_nb3b(nb3b)
    write_glassmd_ff(ff)
    print(f"configuration: {N_ATOMS} atoms, box {length:.6f} A, files in {tmp}")

    try:
        e_lmp, press_lmp, p_lmp, (ids_lmp, f_lmp) = run_lammps(tmp, data, nb3b)
    except (RuntimeError, OSError, StopIteration, ValueError, IndexError) as exc:
        check("LAMMPS run", False, str(exc))
        return finish()
    e_np, triplets = numpy_energy(types, pos, length)
    print(f"LAMMPS: pe = {e_lmp:.12f} eV, virial pressure = {p_lmp} bar; numpy: "
          f"{e_np:.12f} eV from {triplets} Si-S-Si triplets")
    check("configuration has triplets", triplets >= 50 and e_lmp > 1.0,
          f"{triplets} triplets, LAMMPS energy {e_lmp:.6f} eV")
    check("LAMMPS pe vs numpy brute force", abs(e_lmp - e_np) <= TOL_E_REL * abs(e_np),
          f"relative deviation {abs(e_lmp - e_np) / abs(e_np):.3g}")
    check("LAMMPS press has no kinetic part", abs(press_lmp - p_lmp[:3].mean()) <=
          1e-9 * np.abs(p_lmp).max(), f"press {press_lmp:.10g}, virial trace/3 "
          f"{p_lmp[:3].mean():.10g} bar")
    if lammps_only:
        return finish()

    try:
        res, ids_g, f_g = run_glassmd(tmp, data, ff)
    except (RuntimeError, OSError, ValueError, json.JSONDecodeError) as exc:
        check("glassmd eval", False, str(exc))
        return finish()
    check("the default three-body term is the hard cut", res.get("threebody_taper") == "hard",
          f"eval reports threebody_taper = {res.get('threebody_taper')!r}")
    e_g = float(res["threebody"])
    de = abs(e_g - e_lmp)
    print(f"glassmd: threebody = {e_g:.12f} eV, pe = {res['pe']:.12f} eV")
    check("energy per atom", de / N_ATOMS <= TOL_E_PER_ATOM,
          f"|dE|/N = {de / N_ATOMS:.3g} eV/atom (tolerance {TOL_E_PER_ATOM})")
    check("energy relative", de <= TOL_E_REL * abs(e_lmp),
          f"|dE|/|E| = {de / abs(e_lmp):.3g} (tolerance {TOL_E_REL})")
    check("pe is the three-body term alone", abs(res["pe"] - e_g) <= 1e-9 * abs(e_g) and
          abs(res.get("buckingham", 0.0)) <= 1e-12,
          f"pe - threebody = {res['pe'] - e_g:.3g} eV, buckingham = {res.get('buckingham')}")
    same_ids = len(ids_g) == len(ids_lmp) and np.array_equal(np.sort(ids_g), ids_lmp)
    check("force ids", same_ids, f"{len(ids_g)} glassmd lines, {len(ids_lmp)} LAMMPS lines")
    if same_ids:
        f_g = f_g[np.argsort(ids_g)]
        diff = f_g - f_lmp
        rms = np.sqrt(np.mean(np.sum(diff**2, axis=1)))
        check("forces RMS", rms <= TOL_F_RMS,
              f"RMS |dF| = {rms:.3g} eV/A, max |dF| = {np.abs(diff).max():.3g} eV/A, "
              f"max |F| = {np.abs(f_lmp).max():.3g} eV/A (tolerance {TOL_F_RMS})")
    p_g = np.array(res["pressure_virial"], dtype=float)
    rel = np.abs(p_g - p_lmp).max() / np.abs(p_lmp).max()
    check("virial pressure", rel <= TOL_P_REL,
          f"max component deviation / max |P| = {rel:.3g} (tolerance {TOL_P_REL}); "
          f"glassmd {p_g}, LAMMPS {p_lmp} bar")
    return finish()


def finish():
    passed = sum(1 for _, ok, _ in results if ok)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
