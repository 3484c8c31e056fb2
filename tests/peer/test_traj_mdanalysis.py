#!/usr/bin/env python3
"""test_traj_mdanalysis - glassmd's trajectory files as MDAnalysis (written by others)
reads them.

The unit test executable test_trajectory, run as `test_trajectory --write-fixture DIR`,
writes a few frames of a small moving system (ids shuffled, atoms crossing the box, the
box corner off the origin) as DIR/fixture.dump (LAMMPS text dump), DIR/fixture.nc (AMBER
NetCDF) and DIR/fixture.json (the exact unwrapped positions in id order, %.17g, with box,
steps, times, types and charges). Its path comes in GLASSMD_TRAJ_FIXTURE_EXE.

Checks: MDAnalysis's LAMMPSDUMP and NCDF readers see the same frame count, steps, times,
boxes, atom ids and types as the JSON, and positions within the precision of the format
(%.10g text: 1e-6 relative is the brief's limit, though MDAnalysis parses dumps into
float32; NetCDF coordinates are float32, 2^-24 relative rounding). The dump's element
column and the NetCDF atom table (atom_ids, atom_types, atom_charges, species_names, read
with scipy.io.netcdf_file) match the JSON, and `ncdump -h` (netCDF's own tool) shows the
AMBER convention attributes. Prints "N passed, M failed"; exits 1 on a failure.
"""

import json
import os
import subprocess
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib  # noqa: E402


def max_rel_dev(got, want):
    """max |got - want| / max(|want|, 1) over all entries."""
    got = np.asarray(got, float)
    want = np.asarray(want, float)
    return float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1.0)))


def make_fixture(checks):
    exe = os.environ.get("GLASSMD_TRAJ_FIXTURE_EXE")
    if not exe or not os.access(exe, os.X_OK):
        checks.fail("fixture", "GLASSMD_TRAJ_FIXTURE_EXE must name the test_trajectory "
                    "executable (got %r)" % exe)
        checks.finish()
    work = peerlib.scratch_dir("traj_mdanalysis")
    proc = subprocess.run([exe, "--write-fixture", work], capture_output=True, text=True,
                          timeout=120)
    if proc.returncode != 0:
        checks.fail("fixture", "%s failed (rc %d): %s%s" % (exe, proc.returncode,
                                                          proc.stdout[-2000:], proc.stderr[-2000:]))
        checks.finish()
    with open(os.path.join(work, "fixture.json")) as fh:
        fixture = json.load(fh)
    return work, fixture


def check_frames(checks, label, universe, fixture, pos_limit, ts_time, key, to_origin=False):
    """Compares every frame; ts_time(ts) is what the reader gives for fixture frame[key].
    to_origin: the reader moves the box corner to the origin (MDAnalysis's dump reader
    subtracts xlo, ylo, zlo from every position, as its documentation says)."""
    frames = fixture["frames"]
    checks.check("%s: frame count |%d - %d|" % (label, universe.trajectory.n_frames,
                                                 len(frames)),
                 abs(universe.trajectory.n_frames - len(frames)), 0)
    if universe.trajectory.n_frames != len(frames):
        return
    pos_dev = box_dev = time_dev = 0.0
    for ts, frame in zip(universe.trajectory, frames):
        want = np.array(frame["pos"]) - (np.array(frame["box_lo"]) if to_origin else 0.0)
        pos_dev = max(pos_dev, max_rel_dev(ts.positions, want))
        box_dev = max(box_dev, max_rel_dev(ts.dimensions, frame["box_len"] + [90, 90, 90]))
        time_dev = max(time_dev, abs(ts_time(ts) - frame[key]) / max(abs(frame[key]), 1.0))
    checks.check("%s: positions, max rel. deviation" % label, pos_dev, pos_limit)
    checks.check("%s: box lengths and angles, max rel. deviation" % label, box_dev, 1e-6)
    checks.check("%s: steps/times, max rel. deviation" % label, time_dev, 1e-6)


def check_dump(checks, mda, path, fixture):
    u = mda.Universe(path, format="LAMMPSDUMP", topology_format="LAMMPSDUMP")
    checks.check("dump: atom count |%d - %d|" % (u.atoms.n_atoms, fixture["natoms"]),
                 abs(u.atoms.n_atoms - fixture["natoms"]), 0)
    ids_ok = list(u.atoms.ids) == fixture["ids"]
    types_ok = [int(t) for t in u.atoms.types] == fixture["types"]
    checks.check("dump: atom ids as in the JSON (0 = yes)", 0 if ids_ok else 1, 0)
    checks.check("dump: atom types as in the JSON (0 = yes)", 0 if types_ok else 1, 0)
    check_frames(checks, "dump", u, fixture, 1e-6, lambda ts: ts.data["step"], "step",
                 to_origin=True)
    # the element and charge columns, which MDAnalysis does not read
    species, bad = fixture["species"], 0
    with open(path) as fh:
        lines = fh.read().splitlines()
    starts = [k for k, line in enumerate(lines) if line.startswith("ITEM: ATOMS")]
    for start in starts:
        for j, line in enumerate(lines[start + 1:start + 1 + fixture["natoms"]]):
            cols = line.split()
            bad += cols[2] != species[fixture["types"][j] - 1]
            bad += abs(float(cols[3]) - fixture["charges"][j]) > 1e-9
    checks.check("dump: element names and charges wrong (of %d frames)" % len(starts), bad, 0)


def check_netcdf(checks, mda, dump_path, nc_path, fixture):
    u = mda.Universe(dump_path, nc_path, topology_format="LAMMPSDUMP", format="NCDF")
    check_frames(checks, "netcdf", u, fixture, 2.0 ** -23, lambda ts: ts.time, "time")
    import scipy.io
    with scipy.io.netcdf_file(nc_path, "r", mmap=False) as nc:
        ids = list(nc.variables["atom_ids"][:])
        types = list(nc.variables["atom_types"][:])
        charges = np.array(nc.variables["atom_charges"][:])
        names = [b"".join(row).rstrip(b"\0").decode() for row in nc.variables["species_names"][:]]
        version_byte = nc.version_byte
    checks.check("netcdf: 64-bit offset format (|version_byte - 2|)", abs(version_byte - 2), 0)
    checks.check("netcdf: atom_ids as in the JSON (0 = yes)", 0 if ids == fixture["ids"] else 1, 0)
    checks.check("netcdf: atom_types as in the JSON (0 = yes)",
                 0 if types == fixture["types"] else 1, 0)
    checks.check("netcdf: species_names as in the JSON (0 = yes)",
                 0 if names == fixture["species"] else 1, 0)
    checks.check("netcdf: atom_charges, max abs. deviation",
                 float(np.max(np.abs(charges - fixture["charges"]))), 1e-15)


def check_ncdump(checks, nc_path):
    proc = subprocess.run(["ncdump", "-h", nc_path], capture_output=True, text=True, timeout=60)
    wanted = [':Conventions = "AMBER"', ':ConventionVersion = "1.0"', ':program = "glassmd"',
              ":programVersion = ", "frame = UNLIMITED", 'coordinates:units = "angstrom"',
              'time:units = "picosecond"', 'cell_lengths:units = "angstrom"',
              'cell_angles:units = "degree"']
    missing = [w for w in wanted if w not in proc.stdout]
    if proc.returncode != 0 or missing:
        checks.fail("ncdump -h", "rc %d, missing %s" % (proc.returncode, missing))
    else:
        checks.check("ncdump -h: AMBER attributes and units missing", len(missing), 0)


def main():
    checks = peerlib.Checks("glassmd trajectories read by MDAnalysis and ncdump")
    work, fixture = make_fixture(checks)
    warnings.filterwarnings("ignore")
    import MDAnalysis as mda
    checks.info("MDAnalysis %s, %d atoms, %d frames" % (mda.__version__, fixture["natoms"],
                                                        len(fixture["frames"])))
    dump_path = os.path.join(work, "fixture.dump")
    nc_path = os.path.join(work, "fixture.nc")
    check_dump(checks, mda, dump_path, fixture)
    check_netcdf(checks, mda, dump_path, nc_path, fixture)
    check_ncdump(checks, nc_path)
    checks.finish()


if __name__ == "__main__":
    main()
