"""test_ase.py - glassmd.ase.Calculator: its energy, forces and stress are the model's (and
glassmd eval's pressure), and ASE's VelocityVerlet on it conserves energy as glassmd's own
NVE does from the same start (positions and velocities written by a glassmd run after a
short minimisation and NVT, 200 steps of 1 fs each way, threebody off: the drift of the
total energy must be of the same size). The glassmd run goes through glassmd.run, whose
progress callback is checked on the way."""

import csv

import numpy as np
import pytest

ase = pytest.importorskip("ase")
from ase import Atoms, units  # noqa: E402
from ase.md.verlet import VelocityVerlet  # noqa: E402

import glassmd  # noqa: E402
from glassmd.ase import Calculator  # noqa: E402
from conftest import glassmd_eval  # noqa: E402


def ase_atoms(cfg, ff):
    atoms = Atoms(symbols=cfg.species, positions=cfg.positions, cell=np.diag(cfg.box), pbc=True)
    atoms.set_masses([ff.masses[t] for t in cfg.types])
    atoms.set_velocities(cfg.velocities / (1000.0 * units.fs))  # A/ps -> ASE's unit
    return atoms


def test_calculator_is_the_model(start, ff_path):
    ff = glassmd.ForceField(ff_path)
    cfg = glassmd.read_config(start, ff)
    atoms = ase_atoms(cfg, ff)
    atoms.calc = Calculator(forcefield=ff_path, kspace="ewald", threebody="off", threads=1)
    model = glassmd.Model(ff, cfg.box, cfg.species, kspace="ewald", threebody="off", threads=1)
    energy, forces, virial = model.compute(cfg.positions)
    assert atoms.get_potential_energy() == energy["pe"]
    assert np.array_equal(atoms.get_forces(), forces)
    ref = glassmd_eval(start, "--ff", ff_path, "--kspace", "ewald", "--no-threebody",
                       "--threads", 1)
    assert atoms.get_potential_energy() == ref["pe"]
    # ASE's pressure from the stress is eval's virial pressure (bar)
    stress = atoms.get_stress(voigt=False)
    p_bar = -np.trace(stress) / 3 / units.bar
    assert p_bar == pytest.approx(np.mean(ref["pressure_virial"][:3]), rel=1e-6)
    assert atoms.calc.results["parts"] == energy


def test_calculator_refuses_what_it_cannot_do(ff_path):
    atoms = Atoms("Na2S", positions=[[0, 0, 0], [3, 0, 0], [0, 3, 0]], cell=[25, 25, 25],
                  pbc=True)
    atoms.calc = Calculator(forcefield=ff_path, threebody="never")
    with pytest.raises(glassmd.InputError, match="threebody"):
        atoms.get_potential_energy()
    atoms.calc = Calculator(forcefield=ff_path)
    atoms.set_cell([[25, 0, 0], [1, 25, 0], [0, 0, 25]])
    with pytest.raises(ValueError, match="orthorhombic"):
        atoms.get_potential_energy()
    with pytest.raises(glassmd.FileError):
        Calculator(forcefield="/nonexistent/x.ff")


def total_energy_drift(energies):
    e = np.asarray(energies)
    return np.max(np.abs(e - e[0]))


def test_velocity_verlet_conserves_energy_as_glassmd_nve(start, ff_path, tmp_path):
    run_in = tmp_path / "nve.in"
    run_in.write_text(f"""config = {start}
forcefield = {ff_path}
seed = 3
kspace = pppm
accuracy = 1e-5
threebody = off
thermo_every = 10
traj_every = 0
checkpoint_every = 0
threads = 2
output_dir = {tmp_path / "out"}
stage = minimize ftol=0.5 max_steps=300
stage = nvt time=0.1ps T=600K
stage = write file=eq.data
stage = nve time=0.2ps
""")
    seen = []
    glassmd.run(run_in, progress=seen.append, progress_every=50)
    assert seen and seen[-1].step == seen[-1].total_steps
    assert {p.stage_kind for p in seen} >= {"nvt", "nve"}
    with open(tmp_path / "out" / "thermo.csv") as f:
        rows = [r for r in csv.DictReader(f) if r["stage"] == "nve"]
    assert len(rows) >= 20, rows[:3]
    glassmd_drift = total_energy_drift([float(r["conserved_eV"]) for r in rows])

    ff = glassmd.ForceField(ff_path)
    cfg = glassmd.read_config(tmp_path / "out" / "eq.data", ff)
    atoms = ase_atoms(cfg, ff)
    atoms.calc = Calculator(forcefield=ff_path, kspace="pppm", accuracy=1e-5, threebody="off",
                            threads=2)
    energies = [atoms.get_total_energy()]
    dyn = VelocityVerlet(atoms, timestep=1.0 * units.fs)
    dyn.attach(lambda: energies.append(atoms.get_total_energy()), interval=10)
    dyn.run(200)
    ase_drift = total_energy_drift(energies)
    print("drift over 200 fs: glassmd %.3g eV, ASE %.3g eV" % (glassmd_drift, ase_drift))
    assert ase_drift < 3 * glassmd_drift + 1e-3
    assert glassmd_drift < 3 * ase_drift + 1e-3
