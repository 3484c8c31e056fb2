"""conftest.py - what the Python package's tests share: the glassmd binary and source tree
(from ctest's environment: GLASSMD, GLASSMD_SOURCE_DIR, GLASSMD_LIBRARY, PYTHONPATH), the
reference force field, and the tests' 480-atom 50Na2S-50SiS2 start built once per session
with `glassmd build` (as tests/cli/lib.sh's build_start)."""

import json
import os
import subprocess

import pytest

GLASSMD = os.environ.get("GLASSMD", "glassmd")
SRC = os.environ.get("GLASSMD_SOURCE_DIR",
                     os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
FF = os.path.join(SRC, "data", "forcefields", "na2s-sis2.ff")


def glassmd(*args, **kwargs):
    """Runs the glassmd binary; returns its stdout (raises with stderr on failure)."""
    p = subprocess.run([GLASSMD, *map(str, args)], capture_output=True, text=True, **kwargs)
    if p.returncode != 0:
        raise AssertionError("glassmd %s failed (%d): %s" % (" ".join(map(str, args)),
                                                             p.returncode, p.stderr))
    return p.stdout


def glassmd_eval(*args):
    return json.loads(glassmd("eval", *args))


@pytest.fixture(scope="session")
def ff_path():
    return FF


@pytest.fixture(scope="session")
def start(tmp_path_factory):
    """The path of a 480-atom 50Na2S-50SiS2 random start (seed 7)."""
    path = tmp_path_factory.mktemp("start") / "start.data"
    glassmd("build", "--ff", FF, "--composition", "0.5", "--atoms", "480", "--density",
            "0.043", "--seed", "7", "-o", path)
    return path


@pytest.fixture(scope="session")
def trajectory(start, tmp_path_factory):
    """A short glassmd run from the start (0.2 ps NVT at 1500 K, a frame every 10 steps,
    dump and NetCDF): its output folder."""
    folder = tmp_path_factory.mktemp("traj")
    (folder / "run.in").write_text(f"""config = {start}
forcefield = {FF}
seed = 9
accuracy = 1e-4
thermo_every = 10
traj_every = 10
traj_format = both
checkpoint_every = 0
threads = 2
output_dir = {folder / "out"}
stage = nvt time=0.2ps T=1500K
""")
    glassmd("run", folder / "run.in", "--quiet")
    return folder / "out"
