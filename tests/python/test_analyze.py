"""test_analyze.py - glassmd.analyze against `glassmd analyze` on the same trajectory: the
same results.json (but for the command line and wall time recorded) and the same curves;
read_trajectory against the analyses' reader (frame count, ids, species) and between the
dump and the NetCDF file of one run; analyze's errors."""

import json
import os

import numpy as np
import pytest

import glassmd
from conftest import FF, glassmd as run_cli

VOLATILE = {"command", "wall_s", "created", "date", "host"}


def strip(results):
    if isinstance(results, dict):
        return {k: strip(v) for k, v in results.items() if k not in VOLATILE}
    if isinstance(results, list):
        return [strip(v) for v in results]
    return results


def test_analyze_equals_cli(trajectory, tmp_path):
    dump = trajectory / "traj.dump"
    cli_out = tmp_path / "cli"
    run_cli("analyze", dump, "--ff", FF, "--temperature", trajectory / "thermo.csv",
            "--threads", 2, "--out", cli_out)
    res = glassmd.analyze(dump, out=tmp_path / "py", ff=FF,
                          temperature=trajectory / "thermo.csv", threads=2)
    with open(cli_out / "results.json") as f:
        ref = json.load(f)
    curves = res.pop("curves")
    assert strip(res) == strip(ref)
    csvs = sorted(p[:-4] for p in os.listdir(cli_out) if p.endswith(".csv"))
    assert sorted(curves) == csvs
    cli_curves = glassmd.read_curves(cli_out)
    for name, columns in cli_curves.items():
        for column, values in columns.items():
            assert np.array_equal(curves[name][column], values, equal_nan=True), (name, column)
    assert "r_A" in curves["rdf"] and len(curves["rdf"]["r_A"]) > 10


def test_analyze_temporary_folder_and_errors(trajectory):
    res = glassmd.analyze(trajectory / "traj.nc", ff=FF, only=["rdf"], rdf_dr=0.05)
    assert "rdf" in res["curves"]
    with pytest.raises(glassmd.InputError, match="rdf-dr"):
        glassmd.analyze(trajectory / "traj.nc", ff=FF, rdf_dr=-1)
    with pytest.raises(glassmd.InputError, match="unknown analysis option 'rdf_max'"):
        glassmd.analyze(trajectory / "traj.nc", ff=FF, rdf_max=5)
    with pytest.raises(glassmd.GlassmdError, match="nothere"):
        glassmd.analyze(trajectory / "nothere.dump", ff=FF)


def test_read_trajectory(trajectory):
    frames = list(glassmd.read_trajectory(trajectory / "traj.dump", ff=FF))
    nc = list(glassmd.read_trajectory(trajectory / "traj.nc", ff=FF))
    assert len(frames) == len(nc) == 20
    assert [f.step for f in frames] == list(range(10, 201, 10))
    for a, b in zip(frames, nc):
        assert a.positions.shape == (480, 3)
        assert np.array_equal(a.ids, np.arange(1, 481))
        assert np.array_equal(a.types, b.types)
        assert np.allclose(a.positions, b.positions, atol=1e-4)  # NetCDF holds floats
        assert a.species == ["Si", "S", "Na"]
    assert frames[-1].time_ps == pytest.approx(0.2)

