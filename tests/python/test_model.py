"""test_model.py - glassmd.ForceField, read_config and Model.compute against `glassmd eval`
on the same configuration: every energy part, the pressure and every force equal bit for
bit (same atom order, same thread count), for PPPM, Ewald and three-body settings; and the
library's errors as Python exceptions with its messages (a bad force field names the file
and the line)."""

import numpy as np
import pytest

import glassmd
from conftest import glassmd_eval


def forces_by_id(path):
    table = np.loadtxt(path)
    return table[:, 0].astype(int), table[:, 1:]


@pytest.mark.parametrize("settings, eval_args", [
    ({}, []),
    ({"kspace": "ewald", "accuracy": 1e-6}, ["--kspace", "ewald", "--accuracy", "1e-6"]),
    ({"threebody": "off", "cutoff": 9.0}, ["--no-threebody", "--cutoff", "9"]),
    ({"threebody": "smooth", "kspace": "none"}, ["--threebody", "smooth", "--kspace", "none"]),
])
def test_compute_equals_eval(start, ff_path, tmp_path, settings, eval_args):
    ff = glassmd.ForceField(ff_path)
    cfg = glassmd.read_config(start, ff)
    model = glassmd.Model(ff, cfg.box, cfg.species, origin=cfg.origin, threads=2, **settings)
    energy, forces, virial = model.compute(cfg.positions)
    ref = glassmd_eval(start, "--ff", ff_path, "--threads", 2, "--forces", tmp_path / "f.txt",
                       *eval_args)
    assert list(energy) == [k for k in ref if k in energy]
    for key, value in energy.items():
        assert value == ref[key], key
    assert model.pressure_virial(virial).tolist() == ref["pressure_virial"]
    assert model.kspace.keys() == ref["kspace"].keys()
    for key, value in ref["kspace"].items():  # eval prints these with cJSON's 15 digits
        assert model.kspace[key] == (pytest.approx(value, rel=1e-14)
                                     if isinstance(value, float) else value), key
    assert model.threebody_taper == ref["threebody_taper"]
    ids, ref_forces = forces_by_id(tmp_path / "f.txt")
    order = np.argsort(cfg.ids)
    assert np.array_equal(cfg.ids[order], ids)
    assert np.array_equal(forces[order], ref_forces)


def test_compute_again_and_moved(start, ff_path):
    """A second compute at the same positions repeats the first; moved positions (here:
    shifted by whole box lengths, which changes nothing physical) give the same energy
    to round-off, and forces into a caller's array."""
    ff = glassmd.ForceField(ff_path)
    cfg = glassmd.read_config(start, ff)
    model = glassmd.Model(ff, cfg.box, cfg.species, origin=cfg.origin, threads=1)
    e1, f1, _ = model.compute(cfg.positions)
    e2, f2, _ = model.compute(cfg.positions)
    assert e1 == e2 and np.array_equal(f1, f2)
    out = np.empty_like(f1)
    e3, f3, _ = model.compute(cfg.positions + cfg.box * np.array([1, -2, 3]), forces=out)
    assert f3 is out
    assert abs(e3["pe"] - e1["pe"]) < 1e-8 * abs(e1["pe"]) + 1e-8
    assert np.allclose(f3, f1, atol=1e-8)


def test_write_config_round_trip(start, ff_path, tmp_path):
    ff = glassmd.ForceField(ff_path)
    cfg = glassmd.read_config(start, ff)
    glassmd.write_config(tmp_path / "copy.data", ff, cfg.box, cfg.species, cfg.positions,
                         origin=cfg.origin)
    again = glassmd.read_config(tmp_path / "copy.data", ff)
    assert np.array_equal(again.positions, cfg.positions)
    assert again.species == cfg.species


def test_bad_forcefield_names_file_and_line(tmp_path, ff_path):
    text = open(ff_path).read().splitlines()
    bad = tmp_path / "bad.ff"
    # a Buckingham row with a word for a number, on the first pair line
    for i, line in enumerate(text):
        if line.strip().startswith("[pair"):
            j = i + 1
            while not text[j].strip() or text[j].lstrip().startswith("#"):
                j += 1
            fields = text[j].split()
            fields[2] = "abc"
            text[j] = " ".join(fields)
            line_no = j + 1
            break
    else:
        pytest.fail("no [pair...] section in %s" % ff_path)
    bad.write_text("\n".join(text) + "\n")
    with pytest.raises(glassmd.GlassmdError) as info:
        glassmd.ForceField(bad)
    assert "%s:%d:" % (bad, line_no) in str(info.value)
    assert isinstance(info.value, (glassmd.ParseError, glassmd.InputError))


def test_errors_carry_the_message(ff_path, tmp_path):
    with pytest.raises(glassmd.FileError) as info:
        glassmd.ForceField(tmp_path / "missing.ff")
    assert "missing.ff" in str(info.value)
    ff = glassmd.ForceField(ff_path)
    with pytest.raises(glassmd.InputError, match="threebody"):
        glassmd.Model(ff, [30, 30, 30], ["Na", "S", "Na"], threebody="maybe")
    with pytest.raises(glassmd.InputError, match="kspace"):
        glassmd.Model(ff, [30, 30, 30], ["Na", "S", "Na"], kspace="fmm")
    with pytest.raises(glassmd.InputError, match="'Xx' is not in"):
        glassmd.Model(ff, [30, 30, 30], ["Na", "Xx"])
    model = glassmd.Model(ff, [25, 25, 25], ["Na", "Na", "S"], kspace="ewald")
    with pytest.raises(ValueError, match="shape"):
        model.compute(np.zeros((2, 3)))
    with pytest.raises(glassmd.GlassmdError):
        model.compute(np.zeros((3, 3)))  # atoms on top of each other
