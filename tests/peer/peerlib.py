"""peerlib - shared helpers for the peer tests and the force benchmark of glassmd.

The peer tests check glassmd against programs and formulas written by others:
LAMMPS (/usr/bin/lmp, metal units, atom_style charge) and an exact Ewald sum written
here in numpy from the textbook formulas (no glassmd code involved). This module holds
what they share:

  * a small reader of the glassmd force-field format (docs/forcefield.md) and a writer
    of variants (Coulomb only, no three-body, other global keys);
  * random "melt-like" configurations: uniform random placement with a minimum distance
    between any two atoms, reproducible from a seed (numpy PCG64);
  * LAMMPS data files (atom_style charge, "# Si" comments in Masses), LAMMPS runs in a
    scratch directory, and parsers of thermo output (log) and of custom dumps;
  * a driver of `glassmd eval` that returns its JSON and its forces;
  * comparison of two force sets matched by atom id;
  * the exact Ewald sum (energy, forces, virial) used as the reference;
  * a Checks tally that prints every measured deviation and "N passed, M failed".

Data layout: a configuration is a dict with 'box' (3 edge lengths, A, the box spans
[0, L)), 'pos' (N x 3 float array, A), 'species' (N species names), 'ids' (N ints, 1..N).
Forces are (ids, N x 3 array) pairs sorted by id. Energies are eV, forces eV/A,
pressures bar (LAMMPS metal units throughout).
"""

import json
import math
import os
import re
import shutil
import subprocess
import sys

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import erfc

COULOMB = 14.399645  # eV*A/e^2, LAMMPS metal qqr2e
EV_A3_TO_BAR = 1.6021765e6  # LAMMPS metal nktv2p
LMP = os.environ.get("LMP", "/usr/bin/lmp")

# Composition of the reference system 50Na2S-50SiS2, N = 3 M atoms (SPEC section 3).
def na2s_sis2_counts(natoms):
    m = natoms // 3
    n_na2s = int(round(m * 0.5))
    n_sis2 = m - n_na2s
    return {"Si": n_sis2, "S": n_na2s + 2 * n_sis2, "Na": 2 * n_na2s}


# ---------------------------------------------------------------------------------------
# Environment and scratch space
# ---------------------------------------------------------------------------------------
def source_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.environ.get("GLASSMD_SOURCE_DIR", os.path.normpath(os.path.join(here, "..", "..")))


def reference_ff():
    return os.path.join(source_dir(), "data", "forcefields", "na2s-sis2.ff")


def scratch_dir(name):
    """A fresh directory GLASSMD_TEST_TMP/name (default /tmp/glassmd-peer/name)."""
    base = os.environ.get("GLASSMD_TEST_TMP", "/tmp/glassmd-peer")
    path = os.path.join(base, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def glassmd_binary():
    """The glassmd executable from $GLASSMD, or None when it is not there."""
    exe = os.environ.get("GLASSMD")
    if exe and os.path.isfile(exe) and os.access(exe, os.X_OK):
        return exe
    return None


# ---------------------------------------------------------------------------------------
# Force-field files (docs/forcefield.md)
# ---------------------------------------------------------------------------------------
def start_checks(title, scratch):
    """The start of a test that runs glassmd: exits with 77 (skipped) when GLASSMD does
    not name the binary, else returns (Checks(title), scratch_dir(scratch))."""
    if glassmd_binary() is None:
        print("SKIP: set GLASSMD to the glassmd executable")
        sys.exit(77)
    return Checks(title), scratch_dir(scratch)


def read_ff(path):
    """Parses a .ff file into {'globals', 'species' [(name, mass, q)], 'pairs'
    {(a, b): (A, rho, C)} with both orders, 'threebody' [(vertex, end, k, theta0, r3,
    width, taper)]}. Extra pair columns (wall, safe) are ignored."""
    ff = {"globals": {}, "species": [], "pairs": {}, "threebody": []}
    section = None
    with open(path) as fh:
        for raw in fh:
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("["):
                section = line.strip("[]").strip()
                continue
            if section is None or section == "composition":
                if "=" in line:
                    key, value = (s.strip() for s in line.split("=", 1))
                    ff["globals"][key] = value
                continue
            cols = line.split()
            if section == "species":
                ff["species"].append((cols[0], float(cols[1]), float(cols[2])))
            elif section == "pairs":
                a, b = cols[0], cols[1]
                par = (float(cols[2]), float(cols[3]), float(cols[4]))
                ff["pairs"][(a, b)] = par
                ff["pairs"][(b, a)] = par
            elif section == "threebody":
                ff["threebody"].append((cols[0], cols[1], float(cols[2]), float(cols[3]),
                                        float(cols[4]), float(cols[5]), cols[6]))
    return ff


def write_ff_variant(src, dst, zero_pairs=False, no_threebody=False, globals_=None):
    """Copies the force field src to dst, optionally with A = C = 0 for every pair
    (Coulomb only), without the [threebody] section, and with global keys replaced."""
    globals_ = dict(globals_ or {})
    out = []
    section = None
    with open(src) as fh:
        for raw in fh:
            stripped = raw.split("#", 1)[0].strip()
            if stripped.startswith("["):
                section = stripped.strip("[]").strip()
                if section == "threebody" and no_threebody:
                    continue
                out.append(raw)
                continue
            if section is None and "=" in stripped:
                key = stripped.split("=", 1)[0].strip()
                if key in globals_:
                    out.append("%s = %s\n" % (key, globals_.pop(key)))
                    continue
            if section == "threebody" and no_threebody:
                continue
            if section == "pairs" and zero_pairs and stripped:
                cols = stripped.split()
                cols[2] = "0"
                cols[4] = "0"
                out.append(" ".join(cols) + "\n")
                continue
            out.append(raw)
    if globals_:  # keys absent from the source: put them on top
        out = ["%s = %s\n" % kv for kv in globals_.items()] + out
    with open(dst, "w") as fh:
        fh.writelines(out)
    return dst


# ---------------------------------------------------------------------------------------
# Configurations
# ---------------------------------------------------------------------------------------
def random_config(counts, density, seed, dmin):
    """Random placement in a cubic box of side (N/density)^(1/3) with every pair (minimum
    image) at least dmin apart: sequential insertion with rejection, checked on a cell
    grid. Species are assigned to ids in a random order (ids 1..N)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    names = [name for name, n in counts.items() for _ in range(n)]
    natoms = len(names)
    side = (natoms / density) ** (1.0 / 3.0)
    ncell = max(3, int(side / dmin))
    cell_len = side / ncell
    cells = {}
    pos = np.empty((natoms, 3))
    placed = 0
    attempts = 0
    while placed < natoms:
        attempts += 1
        if attempts > 200 * natoms:
            raise RuntimeError("random_config: cannot place %d atoms %.2f A apart" % (natoms, dmin))
        trial = rng.random(3) * side
        c = tuple(int(x / cell_len) % ncell for x in trial)
        if _too_close(trial, c, cells, pos, side, ncell, dmin):
            continue
        pos[placed] = trial
        cells.setdefault(c, []).append(placed)
        placed += 1
    order = rng.permutation(natoms)
    species = [names[k] for k in order]
    return {"box": np.array([side] * 3), "pos": pos, "species": species,
            "ids": np.arange(1, natoms + 1)}


def _too_close(trial, c, cells, pos, side, ncell, dmin):
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            for dz in (-1, 0, 1):
                key = ((c[0] + dx) % ncell, (c[1] + dy) % ncell, (c[2] + dz) % ncell)
                for j in cells.get(key, ()):
                    d = pos[j] - trial
                    d -= side * np.round(d / side)
                    if d @ d < dmin * dmin:
                        return True
    return False


def min_distance(cfg):
    tree = cKDTree(cfg["pos"] % cfg["box"], boxsize=cfg["box"])
    dist, _ = tree.query(cfg["pos"] % cfg["box"], k=2)
    return float(dist[:, 1].min())


def charges_of(cfg, ff):
    q = {name: charge for name, _, charge in ff["species"]}
    return np.array([q[s] for s in cfg["species"]])


def write_lammps_data(path, cfg, ff):
    """LAMMPS data file, atom_style charge; type k is the k-th species of ff, named in a
    comment of the Masses section."""
    species = ff["species"]
    tindex = {name: k + 1 for k, (name, _, _) in enumerate(species)}
    qof = {name: q for name, _, q in species}
    L = cfg["box"]
    lines = ["glassmd peer test configuration\n\n",
             "%d atoms\n%d atom types\n\n" % (len(cfg["ids"]), len(species)),
             "0.0 %.17g xlo xhi\n0.0 %.17g ylo yhi\n0.0 %.17g zlo zhi\n\n" % tuple(L),
             "Masses\n\n"]
    lines += ["%d %.10g # %s\n" % (k + 1, m, name) for k, (name, m, _) in enumerate(species)]
    lines.append("\nAtoms # charge\n\n")
    for i, s, r in zip(cfg["ids"], cfg["species"], cfg["pos"]):
        lines.append("%d %d %.10g %.17g %.17g %.17g\n" % (i, tindex[s], qof[s], r[0], r[1], r[2]))
    with open(path, "w") as fh:
        fh.writelines(lines)
    return path


def types_arg(ff):
    return ",".join(name for name, _, _ in ff["species"])


# ---------------------------------------------------------------------------------------
# LAMMPS
# ---------------------------------------------------------------------------------------
def lammps_pair_coeffs(ff, style=""):
    """pair_coeff lines for buck (style '') or hybrid sub-style; A = 0 pairs get
    rho = 1 (LAMMPS needs rho > 0)."""
    names = [name for name, _, _ in ff["species"]]
    out = []
    for i, a in enumerate(names):
        for j in range(i, len(names)):
            A, rho, C = ff["pairs"][(a, names[j])]
            if A == 0.0:
                rho = rho if rho > 0 else 1.0
            out.append("pair_coeff %d %d %s %.17g %.17g %.17g\n" % (i + 1, j + 1, style, A, rho, C))
    return "".join(out)


def run_lammps_command(workdir, script, name, cmd, env):
    """Writes script to workdir/name and runs cmd (a LAMMPS command line reading it and
    logging to name.log) there with env. Returns the path of the log; raises RuntimeError
    with the command, its output and the log's tail on failure."""
    with open(os.path.join(workdir, name), "w") as fh:
        fh.write(script)
    log = os.path.join(workdir, name + ".log")
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        tail = ""
        if os.path.exists(log):
            with open(log) as fh:
                tail = "".join(fh.readlines()[-15:])
        raise RuntimeError("lmp failed (rc %d): %s in %s:\n%s%s%s" %
                           (proc.returncode, " ".join(cmd), workdir, proc.stdout[-2000:],
                            proc.stderr[-2000:], tail))
    return log


def run_lammps(workdir, script, name="in.lmp", nprocs=1, extra_env=None):
    """Writes script to workdir/name and runs lmp there (mpirun when nprocs > 1).
    Returns the path of the log; raises RuntimeError with the output tail on failure."""
    cmd = [LMP, "-in", name, "-log", name + ".log", "-screen", "none"]
    if nprocs > 1:
        cmd = ["mpirun", "-np", str(nprocs), "--allow-run-as-root", "--oversubscribe"] + cmd
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env.update(extra_env or {})
    return run_lammps_command(workdir, script, name, cmd, env)


def parse_thermo(log):
    """All thermo rows of a LAMMPS log as a list of {column: float}; a row is a line of
    numbers following a header line that starts with 'Step'."""
    rows = []
    header = None
    with open(log) as fh:
        for line in fh:
            cols = line.split()
            if cols and cols[0] == "Step":
                header = cols
                continue
            if header is None:
                continue
            if len(cols) == len(header):
                try:
                    values = [float(c) for c in cols]
                except ValueError:
                    header = None
                    continue
                rows.append(dict(zip(header, values)))
            else:
                header = None
    if not rows:
        raise RuntimeError("no thermo output in " + log)
    return rows


def parse_log_value(log, pattern):
    """First float captured by regex pattern in a LAMMPS log, or None."""
    with open(log) as fh:
        text = fh.read()
    m = re.search(pattern, text)
    return float(m.group(1)) if m else None


def parse_dump_forces(path):
    """Last frame of a custom dump with columns id fx fy fz: (ids, F) sorted by id."""
    with open(path) as fh:
        lines = fh.readlines()
    start = max(k for k, line in enumerate(lines) if line.startswith("ITEM: ATOMS"))
    cols = lines[start].split()[2:]
    data = np.loadtxt(lines[start + 1:], ndmin=2)
    ids = data[:, cols.index("id")].astype(int)
    F = data[:, [cols.index("fx"), cols.index("fy"), cols.index("fz")]]
    order = np.argsort(ids)
    return ids[order], F[order]


def lammps_header(datafile, ff):
    """Common start of every LAMMPS input: metal units, charge atoms, the data file."""
    return ("units metal\natom_style charge\nboundary p p p\n"
            "read_data %s\n" % datafile)


def lammps_outputs(dumpfile):
    """Thermo with full precision, virial-only pressure, forces dumped with %.17g."""
    return ("compute p all pressure NULL virial\n"
            "thermo_style custom step pe evdwl ecoul elong press pxx pyy pzz pxy pxz pyz "
            "c_p[1] c_p[2] c_p[3] c_p[4] c_p[5] c_p[6]\n"
            "thermo_modify norm no format float %%.17g\n"
            "dump d all custom 1 %s id fx fy fz\n"
            "dump_modify d sort id format float %%.17g\n" % dumpfile)


def lammps_virial(row):
    """Virial pressure tensor [xx, yy, zz, xy, xz, yz] (bar) from a thermo row."""
    return np.array([row["c_p[%d]" % k] for k in range(1, 7)])


# ---------------------------------------------------------------------------------------
# glassmd
# ---------------------------------------------------------------------------------------
def run_glassmd_eval(workdir, config, ff_path, args, types=None, forces=True, timeout=1200):
    """Runs `glassmd eval CONFIG --ff FF [--types T] ARGS [--forces F]` in workdir;
    returns (json dict, (ids, F) or None)."""
    exe = glassmd_binary()
    if exe is None:
        raise RuntimeError("glassmd binary not found: set GLASSMD to the glassmd executable")
    cmd = [exe, "eval", config, "--ff", ff_path]
    if types:
        cmd += ["--types", types]
    cmd += list(args)
    fpath = None
    if forces:
        fpath = os.path.join(workdir, "forces-%d.txt" % len(os.listdir(workdir)))
        cmd += ["--forces", fpath]
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError("glassmd eval failed (rc %d): %s\n%s%s" %
                           (proc.returncode, " ".join(cmd), proc.stdout[-2000:],
                            proc.stderr[-2000:]))
    result = json.loads(proc.stdout)
    return result, (read_glassmd_forces(fpath) if fpath else None)


def read_glassmd_forces(path):
    data = np.loadtxt(path, comments="#", ndmin=2)
    ids = data[:, 0].astype(int)
    order = np.argsort(ids)
    return ids[order], data[order, 1:4]


def kspace_field(result, name):
    """A field of the JSON 'kspace' object, under its plain name or with its unit suffix
    (g_ewald / g_ewald_invA, estimated_error / estimated_error_eV_A); None if absent."""
    ks = result.get("kspace") or {}
    for key in (name, name + "_invA", name + "_eV_A"):
        if key in ks:
            return ks[key]
    return None


def glassmd_virial(result):
    return np.array(result["pressure_virial"], dtype=float)


# ---------------------------------------------------------------------------------------
# Comparisons
# ---------------------------------------------------------------------------------------
def force_deviation(a, b):
    """a, b: (ids, F). Returns dict with max |dF|, RMS |dF| (sqrt of the mean over atoms
    of |dF|^2), RMS |F| of b (the reference) and max |F| of b."""
    ids_a, Fa = a
    ids_b, Fb = b
    if len(ids_a) != len(ids_b) or np.any(ids_a != ids_b):
        raise RuntimeError("force sets have different atom ids")
    dF = np.linalg.norm(Fa - Fb, axis=1)
    fmag = np.linalg.norm(Fb, axis=1)
    return {"max": float(dF.max()), "rms": float(np.sqrt(np.mean(dF ** 2))),
            "ref_rms": float(np.sqrt(np.mean(fmag ** 2))), "ref_max": float(fmag.max())}


def rel(a, b):
    """|a - b| / |b| (|a - b| when b is 0)."""
    return abs(a - b) / abs(b) if b != 0 else abs(a - b)


class Checks:
    """Tally of named checks; every check prints its measured value and its limit."""

    def __init__(self, title):
        self.passed = 0
        self.failed = 0
        print("== " + title, flush=True)

    def check(self, name, value, limit, note=""):
        ok = bool(np.isfinite(value)) and value <= limit
        self.passed += ok
        self.failed += not ok
        print("%s %-58s %.3e (limit %.1e)%s" % ("PASS" if ok else "FAIL", name, value, limit,
                                              "  " + note if note else ""), flush=True)
        return ok

    def fail(self, name, why):
        self.failed += 1
        print("FAIL %s: %s" % (name, why), flush=True)

    def info(self, text):
        print("     " + text, flush=True)

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)
        sys.exit(0 if self.failed == 0 and self.passed > 0 else 1)


# ---------------------------------------------------------------------------------------
# Exact Ewald sum (numpy), the reference for the Coulomb part
# ---------------------------------------------------------------------------------------
def ewald_exact(pos, q, box, rcut, alpha=None, kcut_factor=None, chunk=4096):
    """Ewald sum of point charges q at pos in the orthorhombic box (neutral system, no
    surface term), converged to ~1e-13 relative whatever the box:

      E = E_real + E_recip + E_self, with (C = COULOMB)
      E_real  = C/2 sum_{i != j, images n} q_i q_j erfc(alpha r)/r        r = |r_ij + n L| < rcut
      E_recip = C 2pi/V sum_{k != 0} exp(-k^2/4alpha^2)/k^2 |S(k)|^2,   S(k) = sum_j q_j e^{ik.r_j}
      E_self  = -C alpha/sqrt(pi) sum_i q_i^2

    alpha defaults to 6/rcut (erfc(6) = 2e-17) and the k-sum runs over |k| < 12 alpha
    (exp(-36) = 2e-16), all periodic images within rcut included (rcut may exceed L/2).
    Returns dict: energy, real, recip, self (eV), forces (N x 3, eV/A), virial (3x3 tensor
    W = sum r F, eV; pressure = W/V), alpha, nk (k-vectors in the half space)."""
    pos = np.asarray(pos, float) % box
    q = np.asarray(q, float)
    box = np.asarray(box, float)
    alpha = 6.0 / rcut if alpha is None else alpha
    kcut = (kcut_factor or 12.0) * alpha
    real = _ewald_real(pos, q, box, rcut, alpha)
    recip = _ewald_recip(pos, q, box, alpha, kcut, chunk)
    e_self = -COULOMB * alpha / math.sqrt(math.pi) * float(q @ q)
    return {"energy": real["energy"] + recip["energy"] + e_self, "real": real["energy"],
            "recip": recip["energy"], "self": e_self,
            "forces": real["forces"] + recip["forces"],
            "virial": real["virial"] + recip["virial"], "alpha": alpha, "nk": recip["nk"]}


def _ewald_real(pos, q, box, rcut, alpha):
    nimg = [int(math.ceil(rcut / L)) for L in box]
    shifts = np.array([(a, b, c) for a in range(-nimg[0], nimg[0] + 1)
                       for b in range(-nimg[1], nimg[1] + 1)
                       for c in range(-nimg[2], nimg[2] + 1)], float) * box
    natoms = len(q)
    images = (pos[None, :, :] + shifts[:, None, :]).reshape(-1, 3)
    owner = np.tile(np.arange(natoms), len(shifts))
    tree_home = cKDTree(pos)
    tree_img = cKDTree(images)
    pairs = tree_home.sparse_distance_matrix(tree_img, rcut, output_type="ndarray")
    i = pairs["i"]
    j = owner[pairs["j"]]
    r = pairs["v"]
    keep = r > 1e-8  # an atom with itself (zero shift); sparse matrices drop zeros anyway
    i, j, r, jimg = i[keep], j[keep], r[keep], pairs["j"][keep]
    rij = pos[i] - images[jimg]
    qq = COULOMB * q[i] * q[j]
    ec = erfc(alpha * r)
    energy = 0.5 * float(np.sum(qq * ec / r))
    # -dV/dr / r for V = qq erfc(alpha r)/r
    fpair = qq * (ec / r + 2.0 * alpha / math.sqrt(math.pi) * np.exp(-(alpha * r) ** 2)) / (r * r)
    fvec = rij * fpair[:, None]
    forces = np.zeros((natoms, 3))
    np.add.at(forces, i, fvec)
    # each ordered pair (i, j) is seen once from i's side: half the pair virial each
    virial = 0.5 * (rij.T @ fvec)
    return {"energy": energy, "forces": forces, "virial": virial}


def _ewald_recip(pos, q, box, alpha, kcut, chunk):
    volume = float(np.prod(box))
    nmax = [int(math.floor(kcut * L / (2 * math.pi))) for L in box]
    grid = np.mgrid[-nmax[0]:nmax[0] + 1, -nmax[1]:nmax[1] + 1, -nmax[2]:nmax[2] + 1]
    n = grid.reshape(3, -1).T
    # half space: k and -k contribute the same, keep one of each pair, drop k = 0
    half = (n[:, 0] > 0) | ((n[:, 0] == 0) & ((n[:, 1] > 0) | ((n[:, 1] == 0) & (n[:, 2] > 0))))
    kvec = n[half] * (2 * math.pi / box)
    k2 = np.sum(kvec ** 2, axis=1)
    inside = k2 < kcut * kcut
    kvec, k2 = kvec[inside], k2[inside]
    pref = COULOMB * 4 * math.pi / volume  # factor 2 for the half space included
    energy = 0.0
    forces = np.zeros_like(pos)
    virial = np.zeros((3, 3))
    for s in range(0, len(k2), chunk):
        kc, k2c = kvec[s:s + chunk], k2[s:s + chunk]
        w = np.exp(-k2c / (4 * alpha * alpha)) / k2c
        phase = kc @ pos.T  # (nk, N)
        cos, sin = np.cos(phase), np.sin(phase)
        sre, sim = cos @ q, sin @ q  # S(k) = sum q e^{ik.r}
        s2 = sre * sre + sim * sim
        energy += pref * float(np.sum(w * s2))
        # F_i = C 4pi/V q_i sum_k w k Im(e^{ik.r_i} S(k)^*) over all k = twice the half space
        im = sin * sre[:, None] - cos * sim[:, None]  # (nk, N)
        forces += 2.0 * pref * q[:, None] * ((w[:, None] * im).T @ kc)
        # W_ab = C 2pi/V sum_k w |S|^2 (delta_ab - 2 k_a k_b (1/k^2 + 1/(4 alpha^2)))
        b = 2.0 * (1.0 / k2c + 1.0 / (4 * alpha * alpha))
        ws = w * s2
        virial += pref * (np.sum(ws) * np.eye(3) - (kc * (ws * b)[:, None]).T @ kc)
    return {"energy": energy, "forces": forces, "virial": virial, "nk": len(k2)}


def pressure_voigt(virial, box):
    """Virial tensor (eV) -> pressure [xx, yy, zz, xy, xz, yz] in bar."""
    p = virial / float(np.prod(box)) * EV_A3_TO_BAR
    return np.array([p[0, 0], p[1, 1], p[2, 2], p[0, 1], p[0, 2], p[1, 2]])


# ---------------------------------------------------------------------------------------
# Dynamics: glassmd runs, LAMMPS MD scripts, drift fits (test_dynamics_lammps.py and
# bench/bench_nvt.py)
# ---------------------------------------------------------------------------------------
def write_ff_threebody(src, dst, width=None, taper=None, drop=False):
    """Copies the force field src to dst with every [threebody] line given another taper
    width (A) and/or taper ('smooth' / 'hard'), or without the section (drop=True)."""
    if drop:
        return write_ff_variant(src, dst, no_threebody=True)
    out = []
    section = None
    with open(src) as fh:
        for raw in fh:
            stripped = raw.split("#", 1)[0].strip()
            if stripped.startswith("["):
                section = stripped.strip("[]").strip()
            elif section == "threebody" and stripped:
                cols = stripped.split()
                cols += ["0.2", "smooth"][len(cols) - 5:] if len(cols) < 7 else []
                if width is not None:
                    cols[5] = "%g" % width
                if taper is not None:
                    cols[6] = taper
                raw = " ".join(cols) + "\n"
            out.append(raw)
    with open(dst, "w") as fh:
        fh.writelines(out)
    return dst


def write_nb3b(path, ff):
    """LAMMPS nb3b/harmonic parameter file for the [threebody] lines of ff (hard cut at
    r3): entry `vertex end end k theta0 r3`; every other triplet of elements k = 0, cut 0
    (LAMMPS needs an entry for each)."""
    names = [n for n, _, _ in ff["species"]]
    terms = {(v, e): (k, th, r3) for v, e, k, th, r3, _, _ in ff["threebody"]}
    with open(path, "w") as fh:
        for a in names:
            for b in names:
                for c in names:
                    k, th, r3 = terms.get((a, b), (0.0, 0.0, 0.0)) if b == c else (0.0, 0.0, 0.0)
                    fh.write("%s %s %s %.17g %.17g %.17g\n" % (a, b, c, k, th, r3))
    return path


def lammps_md_script(datafile, ff, steps, ensemble="nve", T=None, T_end=None, tdamp=0.1,
                     dt_ps=0.001, threebody=False, nb3b="ff.nb3b", cutoff=10.0, accuracy=1e-5,
                     thermo_every=100, table0=True, P=None, pdamp=1.0, tchain=None):
    """LAMMPS input for MD from datafile (its Velocities section is the start):
    buck/coul/long CUTOFF + pppm ACCURACY [+ nb3b/harmonic, the hard cut], fix nve,
    fix nvt temp T T_end tdamp (LAMMPS's default chain of 3, or tchain) or (ensemble
    "npt") fix npt temp T T_end tdamp iso P P pdamp, thermo every thermo_every with pe ke
    etotal temp vol press and, for nvt/npt, the fix's energy f_md (etotal + f_md is the
    conserved quantity). No dump."""
    names = " ".join(n for n, _, _ in ff["species"])
    if threebody:
        pair = ("pair_style hybrid/overlay buck/coul/long %g nb3b/harmonic\n" % cutoff +
                lammps_pair_coeffs(ff, style="buck/coul/long") +
                "pair_coeff * * nb3b/harmonic %s %s\n" % (nb3b, names))
    else:
        pair = "pair_style buck/coul/long %g\n" % cutoff + lammps_pair_coeffs(ff)
    temp = "temp %.17g %.17g %.17g" % (T, T if T_end is None else T_end, tdamp) if T else ""
    chain = " tchain %d" % tchain if tchain else ""
    if ensemble == "nve":
        fix = "fix md all nve\n"
    elif ensemble == "npt":
        fix = "fix md all npt %s iso %.17g %.17g %.17g%s\n" % (temp, P, P, pdamp, chain)
    else:
        fix = "fix md all nvt %s%s\n" % (temp, chain)
    return (lammps_header(datafile, ff) + pair + "kspace_style pppm %g\n" % accuracy +
            ("pair_modify table 0\n" if table0 else "") +
            "timestep %.17g\n" % dt_ps + fix +
            "thermo_style custom step time temp pe ke etotal vol press %s\n" %
            ("f_md" if ensemble != "nve" else "") +
            "thermo_modify norm no format float %%.17g\nthermo %d\nrun %d\n" % (thermo_every, steps))


def lammps_thermo_arrays(log):
    """Thermo rows of a LAMMPS MD log as numpy arrays {column: array}."""
    rows = parse_thermo(log)
    return {k: np.array([r[k] for r in rows]) for k in rows[0]}


def write_run_input(path, config, forcefield, stages, **keys):
    """A `glassmd run` input (docs/run-input.md): config, forcefield, the given keys
    (seed defaults to 1, traj_every and checkpoint_every to 0) and one `stage = ...` line
    per element of stages."""
    keys.setdefault("seed", 1)
    keys.setdefault("traj_every", 0)
    keys.setdefault("checkpoint_every", 0)
    lines = ["config = %s\n" % config, "forcefield = %s\n" % forcefield]
    lines += ["%s = %s\n" % kv for kv in keys.items()]
    lines += ["stage = %s\n" % s for s in stages]
    with open(path, "w") as fh:
        fh.writelines(lines)
    return path


def run_glassmd_run(input_path, threads=None, timeout=3600):
    """Runs `glassmd run INPUT [--threads N]`; returns (output folder, wall seconds).
    The output folder is NAME.out beside the input unless the input sets output_dir."""
    import time
    exe = glassmd_binary()
    if exe is None:
        raise RuntimeError("glassmd binary not found: set GLASSMD to the glassmd executable")
    cmd = [exe, "run", input_path]
    if threads:
        cmd += ["--threads", str(threads)]
    env = dict(os.environ)
    if threads:
        env["OMP_NUM_THREADS"] = str(threads)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=os.path.dirname(os.path.abspath(input_path)),
                          capture_output=True, text=True, timeout=timeout, env=env)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError("glassmd run failed (rc %d): %s\n%s%s" %
                           (proc.returncode, " ".join(cmd), proc.stdout[-2000:],
                            proc.stderr[-2000:]))
    return os.path.splitext(os.path.abspath(input_path))[0] + ".out", wall


def read_glassmd_thermo(path):
    """thermo.csv of `glassmd run` as {column: array} (the stage column as a list of
    str); an incomplete last line (a run still writing) is left out."""
    with open(path) as fh:
        header = fh.readline().strip().split(",")
        rows = [line.strip().split(",") for line in fh if line.endswith("\n")]
        rows = [r for r in rows if len(r) == len(header)]
    out = {}
    for k, name in enumerate(header):
        col = [r[k] for r in rows]
        out[name] = col if name == "stage" else np.array([float(c) for c in col])
    return out


def run_glassmd_analyze(checks, workdir, traj, out, args, timeout=600):
    """`glassmd analyze TRAJ --out OUT ARGS...` in workdir; its results.json as a dict.
    A failed run is reported through checks, which then finish (the test ends there)."""
    exe = glassmd_binary()
    if exe is None:
        checks.fail("glassmd", "GLASSMD must name the glassmd executable")
        checks.finish()
    cmd = [exe, "analyze", traj, "--out", out] + list(args)
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        checks.fail("glassmd analyze", "rc %d: %s\n%s%s" % (proc.returncode, " ".join(cmd),
                                                           proc.stdout[-2000:], proc.stderr[-2000:]))
        checks.finish()
    with open(os.path.join(out, "results.json")) as fh:
        return json.load(fh)


def read_glassmd_csv(path):
    """An analysis CSV of glassmd ('#' comment lines, a header line, then numbers; commas,
    or white space in older files) as {column: array}."""
    with open(path) as fh:
        lines = [ln for ln in fh if not ln.startswith("#")]
    sep = "," if "," in lines[0] else None
    names = [s.strip() for s in lines[0].split(sep)]
    data = np.loadtxt(lines[1:], delimiter=sep, ndmin=2)
    return {name: data[:, k] for k, name in enumerate(names)}


def data_file_velocities(path):
    """(ids, types, velocities N x 3 in A/ps) of a LAMMPS data file, sorted by id; the
    Velocities section must be there (RuntimeError otherwise)."""
    with open(path) as fh:
        lines = fh.read().split("\n")

    def section(name):
        try:
            start = next(k for k, l in enumerate(lines) if l.split("#")[0].strip() == name)
        except StopIteration:
            raise RuntimeError("%s: no %s section" % (path, name)) from None
        rows = []
        for line in lines[start + 1:]:
            cols = line.split("#")[0].split()
            if not cols:
                if rows:
                    break
                continue
            rows.append([float(c) for c in cols])
        return np.array(rows)

    atoms = section("Atoms")
    vel = section("Velocities")
    atoms = atoms[np.argsort(atoms[:, 0])]
    vel = vel[np.argsort(vel[:, 0])]
    if len(vel) != len(atoms) or np.any(vel[:, 0] != atoms[:, 0]):
        raise RuntimeError("%s: Velocities and Atoms ids differ" % path)
    return atoms[:, 0].astype(int), atoms[:, 1].astype(int), vel[:, 1:4]


KB_EV_K = 8.617343e-5  # LAMMPS metal boltz
MVV2E = 1.0364269e-4  # LAMMPS metal mvv2e: (g/mol)(A/ps)^2 -> eV


def temperature_from_velocities(masses, vel):
    """Temperature with 3N - 3 degrees of freedom (LAMMPS compute temp)."""
    ke2 = float(np.sum(np.asarray(masses)[:, None] * vel * vel)) * MVV2E
    return ke2 / ((3 * len(masses) - 3) * KB_EV_K)


def drift_fit(t_ps, e_per_atom):
    """Least-squares line through the energy per atom (eV) against time (ps). Returns
    {'slope': eV/atom/ns, 'se_ols': the ordinary least-squares standard error of the slope
    (assumes independent residuals), 'se': the same inflated for the correlation of
    successive residuals (AR(1): factor sqrt((1 + rho)/(1 - rho)), rho the lag-1
    autocorrelation of the residuals, clipped to [0, 0.99]), 'rho', 'rms' (residual RMS,
    eV/atom), 'n'}. Use 'se' (the corrected one) to compare drifts."""
    t = np.asarray(t_ps, float)
    e = np.asarray(e_per_atom, float)
    n = len(t)
    A = np.vstack([t - t.mean(), np.ones(n)]).T
    coef, *_ = np.linalg.lstsq(A, e, rcond=None)
    res = e - A @ coef
    sxx = float(np.sum((t - t.mean()) ** 2))
    s2 = float(res @ res) / max(n - 2, 1)
    se_ols = math.sqrt(s2 / sxx) if sxx > 0 else float("inf")
    rho = float(np.corrcoef(res[:-1], res[1:])[0, 1]) if n > 3 and np.std(res) > 0 else 0.0
    rho = min(max(rho, 0.0), 0.99)
    se = se_ols * math.sqrt((1 + rho) / (1 - rho))
    return {"slope": coef[0] * 1e3, "se_ols": se_ols * 1e3, "se": se * 1e3, "rho": rho,
            "rms": math.sqrt(float(res @ res) / n), "n": n}


def mean_with_se(x, block=None):
    """Mean of a correlated series and its standard error from block averages (block
    length default n // 10, at least 1)."""
    x = np.asarray(x, float)
    n = len(x)
    block = block or max(1, n // 10)
    nb = n // block
    means = x[:nb * block].reshape(nb, block).mean(axis=1)
    se = float(np.std(means, ddof=1) / math.sqrt(nb)) if nb > 1 else float("inf")
    return float(x.mean()), se


def windowed_msd(x):
    """x: (frames, atoms, 3) doubles -> MSD(m), m = 0..frames-1, averaged over atoms and
    all time origins, straight from the definition."""
    n = x.shape[0]
    out = np.zeros(n)
    for m in range(1, n):
        d = x[m:] - x[:-m]
        out[m] = np.mean(np.sum(d * d, axis=2))
    return out
