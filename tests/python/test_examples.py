"""test_examples.py - the scripts of examples/python run on small inputs: evaluate.py
prints glassmd eval's energy, analyze_plot.py writes its PNG of g(r) and MSD, and
ase_optimize.py lowers the energy and writes a configuration glassmd reads."""

import os
import subprocess
import sys

import glassmd
from conftest import FF, SRC, glassmd_eval

EXAMPLES = os.path.join(SRC, "examples", "python")


def example(name, *args):
    p = subprocess.run([sys.executable, os.path.join(EXAMPLES, name), *map(str, args)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_evaluate(start):
    out = example("evaluate.py", start, FF)
    ref = glassmd_eval(start, "--ff", FF)
    assert "%16.6f eV" % ref["pe"] in out


def test_analyze_plot(trajectory, tmp_path):
    png = tmp_path / "plots.png"
    out = example("analyze_plot.py", trajectory / "traj.dump", FF, png)
    assert png.stat().st_size > 1000
    assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert str(png) in out


def test_ase_optimize(start, tmp_path):
    out = example("ase_optimize.py", start, FF, tmp_path / "relaxed.data", "--steps", 20)
    e0, e1 = (float(x) for x in out.split("energy ")[1].split(" eV")[0].split(" -> "))
    assert e1 < e0
    cfg = glassmd.read_config(tmp_path / "relaxed.data", FF)
    assert len(cfg.species) == 480
