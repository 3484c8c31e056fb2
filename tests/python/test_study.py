"""test_study.py - glassmd.study: the dry run plans the quick study (cost estimates in
plan.json) and runs nothing; a tiny study (one composition, 60 atoms, 0.2 ps stages: nine
jobs) runs every job through the package, gives the same final configurations byte for
byte and the same analysis numbers as `glassmd study` on the same file (called from a
script without a main guard after a Model has used OpenMP), and a second call skips every
job; a bad study file raises with the file and line."""

import filecmp
import json
import os
import subprocess
import sys

import pytest

import glassmd
from conftest import FF, SRC, glassmd as run_cli

TINY = f"""forcefield = {FF}
compositions = 0.5
atoms = 60
density = 0.043
seed = 5
melt_T = 2000
melt_time = 0.2
quench_rate = 10000 K/ps
isotherms = 1500
isotherm_equil = 0.1
isotherm_time = 0.2
glass_T = 300
glass_time = 0.2
kspace = ewald
accuracy = 1e-4
cutoff = 4.5
traj_every = 20
traj_format = dump
checkpoint_every = 1000
threads_per_job = 1
jobs = 2
"""


def test_study_dry_run(tmp_path):
    study_file = tmp_path / "tiny.ini"
    text = open(os.path.join(SRC, "examples", "quick-study.ini")).read()
    text = "\n".join(line for line in text.splitlines()
                     if not line.split("=")[0].strip() in ("forcefield", "output_dir"))
    study_file.write_text(text + f"\nforcefield = {FF}\noutput_dir = {tmp_path / 'out'}\n")
    plan = glassmd.study(study_file, dry_run=True)
    names = [job["name"] for job in plan["jobs"]]
    assert any("melt" in n for n in names), names
    assert all(job["status"] != "done" for job in plan["jobs"])
    assert not os.path.exists(tmp_path / "out" / "x0.50")
    with pytest.raises(glassmd.GlassmdError, match="tiny2.ini"):
        glassmd.study(tmp_path / "tiny2.ini", dry_run=True)


def numbers(x, path=""):
    """Every number of a results.json by its place (paths and other strings left out, as
    tests/cli/study_lib.sh's numbers)."""
    if isinstance(x, dict):
        return [n for k, v in x.items() if k != "wall_s" for n in numbers(v, path + "." + k)]
    if isinstance(x, list):
        return [n for i, v in enumerate(x) for n in numbers(v, path + "." + str(i))]
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return [(path, x)]
    return []


def analysis_results(root):
    out = {}
    for folder, _, files in os.walk(root):
        if "results.json" in files and folder.endswith("analysis"):
            with open(os.path.join(folder, "results.json")) as f:
                out[os.path.relpath(folder, root)] = numbers(json.load(f))
    return out


def test_study_runs_as_the_cli(tmp_path):
    (tmp_path / "py").mkdir()
    (tmp_path / "cli").mkdir()
    (tmp_path / "py" / "tiny.ini").write_text(TINY)
    (tmp_path / "cli" / "tiny.ini").write_text(TINY)
    # as a user's script without a main guard, OpenMP already used by a Model
    script = tmp_path / "py" / "script.py"
    script.write_text(f"""import json, sys
import glassmd
ff = glassmd.ForceField({FF!r})
model = glassmd.Model(ff, [12, 12, 12], ["Na", "S", "Na"], kspace="ewald", cutoff=4.5,
                      threads=2)
model.compute([[0, 0, 0], [3, 0, 0], [0, 3, 0]])
plan = glassmd.study(sys.argv[1])
print(json.dumps(plan))
""")
    p = subprocess.run([sys.executable, str(script), str(tmp_path / "py" / "tiny.ini")],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    plan = json.loads(p.stdout)
    assert len(plan["jobs"]) == 9
    assert {job["status"] for job in plan["jobs"]} == {"done"}, plan["jobs"]
    run_cli("study", tmp_path / "cli" / "tiny.ini", "--quiet")
    py_root, cli_root = tmp_path / "py" / "tiny.study", tmp_path / "cli" / "tiny.study"
    finals = [os.path.relpath(os.path.join(d, f), py_root)
              for d, _, files in os.walk(py_root) for f in files if f == "final.data"]
    assert len(finals) == 5, finals
    for rel in finals:
        assert filecmp.cmp(py_root / rel, cli_root / rel, shallow=False), rel
    py_results = analysis_results(py_root)
    assert len(py_results) == 2 and all(len(n) > 50 for n in py_results.values())
    assert py_results == analysis_results(cli_root)
    again = glassmd.study(tmp_path / "py" / "tiny.ini")
    assert {job["status"] for job in again["jobs"]} == {"skipped"}


def test_study_bad_file(tmp_path):
    bad = tmp_path / "bad.ini"
    bad.write_text(TINY.replace("atoms = 60", "atoms = many"))
    with pytest.raises(glassmd.GlassmdError) as info:
        glassmd.study(bad)
    assert "%s:3:" % bad in str(info.value)
