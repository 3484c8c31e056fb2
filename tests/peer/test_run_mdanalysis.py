#!/usr/bin/env python3
"""test_run_mdanalysis - the outputs of a whole `glassmd run` as other programs read them.

A short run (480-atom 50Na2S-50SiS2 from `glassmd build`; minimize, nvt 1500 K, nve;
100 MD steps, frames every 10 steps in both trajectory formats) is read back by
MDAnalysis (written by others: its LAMMPSDUMP reader for traj.dump, its LAMMPS DATA
parser for final.data and its NCDF reader for traj.nc) and by netCDF's own ncdump.

Checks:
  * both trajectories hold the 10 frames of steps 10..100; per frame, the NetCDF
    coordinates agree with the dump's within float32 rounding (2^-23 relative), box
    lengths and angles agree, and NetCDF times are step x dt;
  * the last frame (step 100 = the end) equals final.data's unwrapped positions
    (r + image x L, parsed here): the dump to its 10 significant digits (1e-9 relative),
    the NetCDF to float32 (2^-23 relative); box = final.data's box;
  * species: the dump's type and element columns, the NetCDF atom_types/species_names/
    atom_charges and MDAnalysis's types and charges from final.data agree atom by atom
    with final.data (types, Masses comments, charges);
  * `ncdump -h traj.nc` shows Conventions "AMBER";
  * thermo.csv has the header documented in docs/run-input.md
    (step,time_ps,T_K,pe_eV,ke_eV,etot_eV,conserved_eV,pressure_bar,volume_A3,density_1_A3,
    stage), one row per
    5 steps from 0 to 100, time_ps = step x dt, finite numbers, known stage names;
  * run.log starts with the version `glassmd version` prints and echoes every key of
    docs/run-input.md's key table (with the values given in the input) and every stage.
Prints "N passed, M failed"; exits 1 on a failure.
"""

import os
import re
import subprocess
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib  # noqa: E402

NATOMS = 480
DT_FS = 1.0
THERMO_HEADER = ("step,time_ps,T_K,pe_eV,ke_eV,etot_eV,conserved_eV,pressure_bar,volume_A3,"
                 "density_1_A3,stage")
F32 = 2.0 ** -23


def max_rel_dev(got, want):
    got = np.asarray(got, float)
    want = np.asarray(want, float)
    return float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1.0)))


def read_data_file(path):
    """final.data (atom_style charge) parsed here: dict with box lo/len, species by type,
    and per atom (sorted by id) ids, types, charges, unwrapped positions."""
    with open(path) as fh:
        lines = fh.read().split("\n")
    lo, length, species = np.zeros(3), np.zeros(3), {}
    for line in lines:
        m = re.match(r"^\s*(\S+)\s+(\S+)\s+([xyz])lo\s+\1?", line)
        if m:
            k = "xyz".index(m.group(3))
            lo[k] = float(m.group(1))
            length[k] = float(m.group(2)) - lo[k]
    start = next(k for k, l in enumerate(lines) if l.startswith("Masses"))
    for line in lines[start + 1:]:
        if line.strip() == "":
            if species:
                break
            continue
        cols = line.split()
        species[int(cols[0])] = line.split("#")[1].strip()
    start = next(k for k, l in enumerate(lines) if l.startswith("Atoms"))
    rows = []
    for line in lines[start + 1:]:
        if line.strip() == "":
            if rows:
                break
            continue
        rows.append([float(c) for c in line.split("#")[0].split()])
    a = np.array(rows)
    a = a[np.argsort(a[:, 0])]
    pos = a[:, 3:6] + a[:, 6:9] * length
    return {"lo": lo, "len": length, "species": species, "ids": a[:, 0].astype(int),
            "types": a[:, 1].astype(int), "charges": a[:, 2], "pos": pos}


def dump_columns(path):
    """type, element and charge columns of every dump frame, as a list of (N x 3) str
    arrays in file order (sorted by id here)."""
    frames = []
    with open(path) as fh:
        lines = fh.read().splitlines()
    for k, line in enumerate(lines):
        if line.startswith("ITEM: ATOMS"):
            names = line.split()[2:]
            rows = [l.split() for l in lines[k + 1:k + 1 + NATOMS]]
            rows.sort(key=lambda r: int(r[names.index("id")]))
            frames.append({n: [r[i] for r in rows] for i, n in enumerate(names)})
    return frames


def run(work):
    exe = peerlib.glassmd_binary()
    if exe is None:
        raise RuntimeError("set GLASSMD to the glassmd executable")
    ff = peerlib.reference_ff()
    subprocess.run([exe, "build", "--ff", ff, "--composition", "0.5", "--atoms", str(NATOMS),
                    "--density", "0.043", "--seed", "3", "-o", os.path.join(work, "start.data")],
                   check=True, capture_output=True, timeout=120)
    keys = {"seed": 777, "cutoff": 10, "kspace": "pppm", "accuracy": 1e-4, "dt_fs": DT_FS,
            "thermo_every": 5, "traj_every": 10, "traj_format": "both", "checkpoint_every": 50,
            "threads": 2, "velocity_K": 1500, "tdamp_ps": 0.1, "chain": 3,
            "threebody": "smooth", "types": "Si,S,Na", "output_dir": "md.out"}
    stages = ["minimize ftol=0.1 max_step=0.1 max_steps=30", "nvt time=0.05ps T=1500K",
              "nve time=0.05ps"]
    inp = peerlib.write_run_input(os.path.join(work, "md.in"), "start.data", ff, stages, **keys)
    out, wall = peerlib.run_glassmd_run(inp)
    return out, wall, keys, stages


def check_trajectories(checks, mda, out, data):
    dump = os.path.join(out, "traj.dump")
    nc = os.path.join(out, "traj.nc")
    ud = mda.Universe(dump, format="LAMMPSDUMP", topology_format="LAMMPSDUMP")
    un = mda.Universe(os.path.join(out, "final.data"), nc, format="NCDF",
                      atom_style="id type charge x y z")
    steps = list(range(10, 101, 10))
    checks.check("dump: frames |%d - %d|" % (ud.trajectory.n_frames, len(steps)),
                 abs(ud.trajectory.n_frames - len(steps)), 0)
    checks.check("netcdf: frames |%d - %d|" % (un.trajectory.n_frames, len(steps)),
                 abs(un.trajectory.n_frames - len(steps)), 0)
    if ud.trajectory.n_frames != len(steps) or un.trajectory.n_frames != len(steps):
        return
    ids_ok = list(ud.atoms.ids) == list(data["ids"]) and list(un.atoms.ids) == list(data["ids"])
    checks.check("atom ids of dump and final.data as parsed here (0 = same)", 0 if ids_ok else 1,
                 0)
    pos_dev = box_dev = time_dev = step_dev = 0.0
    dump_frames, nc_frames = [], []
    for ts in ud.trajectory:
        step_dev = max(step_dev, abs(ts.data["step"] - steps[ts.frame]))
        dump_frames.append((ts.positions.copy(), ts.dimensions.copy()))
    for ts in un.trajectory:
        time_dev = max(time_dev, abs(ts.time - steps[ts.frame] * DT_FS * 1e-3))
        nc_frames.append((ts.positions.copy(), ts.dimensions.copy()))
    for (pd, bd), (pn, bn) in zip(dump_frames, nc_frames):
        pos_dev = max(pos_dev, max_rel_dev(pn, pd + data["lo"]))  # dump reader subtracts lo
        box_dev = max(box_dev, max_rel_dev(bn, bd))
    checks.check("dump steps = 10, 20, ..., 100 (max |step - expected|)", step_dev, 0)
    checks.check("netcdf times = step x dt, max |dt| in ps", time_dev, 1e-6)
    checks.check("netcdf vs dump positions, all frames, max rel. dev.", pos_dev, 2 * F32)
    checks.check("netcdf vs dump box, all frames, max rel. dev.", box_dev, 1e-9)
    # MDAnalysis hands out float32 positions and boxes: compare at that precision; the
    # dump's own text (10 significant digits) is compared below at 1e-9
    want_box = list(data["len"]) + [90, 90, 90]
    checks.check("dump (MDAnalysis) last frame vs final.data positions, max rel. dev.",
                 max_rel_dev(dump_frames[-1][0] + data["lo"], data["pos"]), F32)
    checks.check("netcdf (MDAnalysis) last frame vs final.data positions, max rel. dev.",
                 max_rel_dev(nc_frames[-1][0], data["pos"]), F32)
    checks.check("dump (MDAnalysis) box vs final.data box, max rel. dev.",
                 max(max_rel_dev(b, want_box) for _, b in dump_frames), F32)
    checks.check("netcdf (MDAnalysis) box vs final.data box, max rel. dev.",
                 max(max_rel_dev(b, want_box) for _, b in nc_frames), F32)
    # species
    want_types = [str(t) for t in data["types"]]
    checks.check("MDAnalysis types: dump vs final.data (wrong atoms)",
                 sum(a != b for a, b in zip(ud.atoms.types, want_types)), 0)
    checks.check("MDAnalysis types: DATA parser vs final.data (wrong atoms)",
                 sum(a != b for a, b in zip(un.atoms.types, want_types)), 0)
    checks.check("MDAnalysis charges: DATA parser vs final.data, max rel. dev.",
                 max_rel_dev(un.atoms.charges, data["charges"]), F32)
    want_elem = [data["species"][t] for t in data["types"]]
    bad = 0
    cols = dump_columns(dump)
    for frame in cols:
        bad += sum(e != w for e, w in zip(frame["element"], want_elem))
        bad += sum(int(t) != w for t, w in zip(frame["type"], data["types"]))
        bad += sum(abs(float(q) - w) > 1e-9 for q, w in zip(frame["q"], data["charges"]))
    checks.check("dump type/element/q columns vs final.data (wrong entries, %d frames)"
                 % len(cols), bad, 0)
    last = np.array([[float(c) for c in cols[-1][k]] for k in ("xu", "yu", "zu")]).T
    checks.check("dump text, last frame vs final.data unwrapped positions, max rel. dev.",
                 max_rel_dev(last, data["pos"]), 1e-9)
    import scipy.io
    with scipy.io.netcdf_file(nc, "r", mmap=False) as f:
        types = np.array(f.variables["atom_types"][:])
        ids = np.array(f.variables["atom_ids"][:])
        charges = np.array(f.variables["atom_charges"][:])
        names = [b"".join(r).rstrip(b"\0").decode() for r in f.variables["species_names"][:]]
    nc_elem = [names[t - 1] for t in types]
    bad = int(np.sum(ids != data["ids"])) + sum(e != w for e, w in zip(nc_elem, want_elem))
    bad += int(np.sum(np.abs(charges - data["charges"]) > 1e-12))
    checks.check("netcdf atom_ids/species_names[atom_types]/charges vs final.data (wrong)",
                 bad, 0)
    checks.info("species in final.data: %s" % data["species"])


def check_ncdump(checks, out):
    proc = subprocess.run(["ncdump", "-h", os.path.join(out, "traj.nc")], capture_output=True,
                          text=True, timeout=60)
    ok = proc.returncode == 0 and ':Conventions = "AMBER"' in proc.stdout
    checks.check('ncdump -h shows :Conventions = "AMBER" (0 = yes)', 0 if ok else 1, 0)


def check_thermo(checks, out):
    doc = os.path.join(peerlib.source_dir(), "docs", "run-input.md")
    with open(doc) as fh:
        documented = THERMO_HEADER in fh.read()
    checks.check("thermo.csv header is documented in docs/run-input.md (0 = yes)",
                 0 if documented else 1, 0)
    with open(os.path.join(out, "thermo.csv")) as fh:
        lines = fh.read().splitlines()
    checks.check("thermo.csv header is '%s' (0 = yes)" % THERMO_HEADER,
                 0 if lines[0] == THERMO_HEADER else 1, 0)
    rows = [l.split(",") for l in lines[1:]]
    steps = [int(r[0]) for r in rows]
    checks.check("thermo rows at steps 0, 5, ..., 100 (0 = yes)",
                 0 if steps == list(range(0, 101, 5)) else 1, 0)
    values = np.array([[float(c) for c in r[1:10]] for r in rows])
    checks.check("thermo non-finite numbers", int(np.sum(~np.isfinite(values))), 0)
    checks.check("thermo time_ps = step x dt, max abs. dev.",
                 float(np.max(np.abs(values[:, 0] - np.array(steps) * DT_FS * 1e-3))), 1e-9)
    stages = [r[10] for r in rows]
    want = ["start"] + ["nvt"] * 10 + ["nve"] * 10
    checks.check("thermo stage column start, nvt x 10, nve x 10 (0 = yes)",
                 0 if stages == want else 1, 0)
    ke_etot = float(np.max(np.abs(values[:, 3] + values[:, 2] - values[:, 4])))
    # each of the three is printed to 10 significant digits
    limit = 1.5e-9 * float(np.max(np.abs(values[:, 2:5])))
    checks.check("thermo etot = pe + ke, max abs. dev. (eV)", ke_etot, limit)


def check_log(checks, out, keys, stages):
    exe = peerlib.glassmd_binary()
    version = subprocess.run([exe, "version"], capture_output=True, text=True,
                             timeout=30).stdout.split()
    with open(os.path.join(out, "run.log")) as fh:
        log = fh.read().splitlines()
    checks.check("run.log line 1 names the version of `glassmd version` (0 = yes)",
                 0 if len(version) > 1 and log[0].startswith("# glassmd " + version[1]) else 1,
                 0)
    doc = os.path.join(peerlib.source_dir(), "docs", "run-input.md")
    with open(doc) as fh:
        text = fh.read()
    table = text[text.index("## Keys"):text.index("## Stages")]
    doc_keys = re.findall(r"^\| `([a-z_A-Z]+)` \|", table, re.M)
    entries = {}
    for line in log:
        m = re.match(r"^([A-Za-z_0-9 ]+?) = (.*)$", line)
        if m:
            entries[m.group(1)] = m.group(2)
    missing = []
    for key in doc_keys:
        if key == "stage":
            ok = all(("stage %d" % (k + 1)) in entries for k in range(len(stages)))
        elif key == "accuracy":
            ok = '"accuracy"' in entries.get("kspace", "")
        else:
            ok = key in entries or any(e.startswith(key + "_") for e in entries)
        if not ok:
            missing.append(key)
    checks.check("documented keys (%d) not echoed in run.log" % len(doc_keys), len(missing), 0,
                 "missing: %s" % missing if missing else "")
    wrong = []
    for key in ("seed", "thermo_every", "traj_every", "checkpoint_every", "threads", "chain",
                "traj_format", "types", "output_dir"):
        got = entries.get(key, "")
        if got != str(keys[key]) and not got.endswith("/" + str(keys[key])):
            wrong.append("%s: %r != %r" % (key, got, keys[key]))
    for key in ("dt_fs", "velocity_K", "tdamp_ps"):
        if abs(float(entries.get(key, "nan")) - float(keys[key])) > 1e-12:
            wrong.append("%s: %r != %r" % (key, entries.get(key), keys[key]))
    if '"method": "%s"' % keys["kspace"] not in entries.get("kspace", ""):
        wrong.append("kspace: %r" % entries.get("kspace"))
    if abs(float(entries.get("cutoff_A", "nan")) - keys["cutoff"]) > 1e-12:
        wrong.append("cutoff_A: %r" % entries.get("cutoff_A"))
    for k, stage in enumerate(stages):
        if not entries.get("stage %d" % (k + 1), "").startswith(stage.split()[0]):
            wrong.append("stage %d: %r" % (k + 1, entries.get("stage %d" % (k + 1))))
    checks.check("run.log values that differ from the input", len(wrong), 0,
                 "; ".join(wrong))


def main():
    checks = peerlib.Checks("a glassmd run's outputs read by MDAnalysis, ncdump and numpy")
    work = peerlib.scratch_dir("run_mdanalysis")
    try:
        out, wall, keys, stages = run(work)
    except (RuntimeError, subprocess.SubprocessError) as e:
        checks.fail("glassmd run", str(e))
        checks.finish()
    checks.info("run of %d atoms, 30 minimize + 100 MD steps: %.1f s wall" % (NATOMS, wall))
    warnings.filterwarnings("ignore")
    import MDAnalysis as mda
    checks.info("MDAnalysis %s" % mda.__version__)
    data = read_data_file(os.path.join(out, "final.data"))
    check_trajectories(checks, mda, out, data)
    check_ncdump(checks, out)
    check_thermo(checks, out)
    check_log(checks, out, keys, stages)
    checks.finish()


if __name__ == "__main__":
    main()
