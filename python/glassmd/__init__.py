"""glassmd - Python interface to libglassmd (molecular dynamics and analysis for
ion-conducting glasses), through ctypes (_lib.py). Positions and forces are numpy arrays of
shape (N, 3) in A and eV/A; energies in eV; units are LAMMPS "metal" as in the library.

    ff = glassmd.ForceField("na2s-sis2.ff")
    cfg = glassmd.read_config("start.data", ff)
    model = glassmd.Model(ff, cfg.box, cfg.species, origin=cfg.origin, threebody="off")
    energy, forces, virial = model.compute(cfg.positions)

Errors raise glassmd.GlassmdError (or a subclass: FileError, ParseError, InputError,
PhysicsError, Interrupted) with the library's message. The ASE calculator is
glassmd.ase.Calculator; analyze, read_trajectory, run and study wrap the library's calls
of the same names."""

import collections
import ctypes
import json
import os

import numpy as np

from . import _lib
from ._lib import (FileError, GlassmdError, InputError, Interrupted, ParseError,  # noqa: F401
                   PhysicsError)

__all__ = ["ForceField", "Model", "Config", "read_config", "write_config", "read_trajectory",
           "analyze", "run", "study", "GlassmdError", "FileError", "ParseError", "InputError",
           "PhysicsError", "Interrupted", "__version__"]

__version__ = _lib.lib.gmd_api_version().decode()


def _enc(text):
    return None if text is None else os.fsencode(text)


def _ptr(array, ctype=ctypes.c_double):
    return None if array is None else array.ctypes.data_as(ctypes.POINTER(ctype))


def _vec3(values, what):
    a = np.ascontiguousarray(values, dtype=np.float64)
    if a.shape != (3,):
        raise ValueError("%s: give three numbers (x, y, z), got shape %s" % (what, a.shape))
    return a


def _xyz(values, n, what):
    """values as a C-contiguous float64 (n, 3) array (no copy when it already is one)."""
    a = np.ascontiguousarray(values, dtype=np.float64)
    if a.shape != (n, 3):
        raise ValueError("%s: expected shape (%d, 3), got %s" % (what, n, a.shape))
    return a


class ForceField:
    """A force field read from a .ff file (docs/forcefield.md). A bad file raises
    ParseError / InputError / FileError naming the file and the line."""

    def __init__(self, path):
        self.path = os.fspath(path)
        err = _lib.Error()
        handle = ctypes.c_void_p()
        _lib.check(_lib.lib.gmd_api_forcefield_read(ctypes.byref(handle), _enc(self.path), err),
                   err)
        self._handle = handle
        n = _lib.lib.gmd_api_forcefield_nspecies(handle)
        mass, charge = ctypes.c_double(), ctypes.c_double()
        self.species, self.masses, self.charges = [], [], []
        for s in range(n):
            name = _lib.lib.gmd_api_forcefield_species(handle, s, ctypes.byref(mass),
                                                       ctypes.byref(charge))
            self.species.append(name.decode())
            self.masses.append(mass.value)
            self.charges.append(charge.value)
        self.cutoff = _lib.lib.gmd_api_forcefield_cutoff(handle)
        self.kspace = _lib.lib.gmd_api_forcefield_kspace(handle).decode()
        self.accuracy = _lib.lib.gmd_api_forcefield_accuracy(handle)

    def species_indices(self, species):
        """Indices into self.species of a sequence of names or indices (int32 array)."""
        out = np.empty(len(species), dtype=np.intc)
        index = {name: i for i, name in enumerate(self.species)}
        for i, s in enumerate(species):
            if isinstance(s, (int, np.integer)):
                if not 0 <= s < len(self.species):
                    raise InputError("atom %d: species index %d out of range; %s has %s" %
                                     (i, s, self.path, ", ".join(self.species)), 3)
                out[i] = s
            elif s in index:
                out[i] = index[s]
            else:
                raise InputError("atom %d: species '%s' is not in %s (it has %s)" %
                                 (i, s, self.path, ", ".join(self.species)), 3)
        return out

    def __del__(self):
        handle = getattr(self, "_handle", None)
        if handle:
            _lib.lib.gmd_api_forcefield_free(handle)
            self._handle = None

    def __repr__(self):
        return "ForceField(%r: %s)" % (self.path, ", ".join(self.species))


def _forcefield(ff):
    return ff if isinstance(ff, ForceField) else ForceField(ff)


Config = collections.namedtuple("Config", "box origin species types positions velocities ids")
Config.__doc__ = """A configuration: box (3 edge lengths, A), origin (lower corner), species
(a name per atom), types (species indices, int32), positions and velocities ((N, 3), A and
A/ps), ids (as in the file), atoms in the library's reading order."""


def read_config(path, ff, types=None):
    """Reads a LAMMPS data or extended XYZ file as the library does (glassmd eval's
    reader): types names LAMMPS types 1, 2, ... ("Si,S,Na") when the file does not."""
    ff = _forcefield(ff)
    err = _lib.Error()
    handle = ctypes.c_void_p()
    _lib.check(_lib.lib.gmd_api_config_read(ctypes.byref(handle), _enc(os.fspath(path)),
                                            ff._handle, _enc(types), err), err)
    try:
        n = _lib.lib.gmd_api_config_natoms(handle)
        lo, length = np.empty(3), np.empty(3)
        pos, vel = np.empty((n, 3)), np.empty((n, 3))
        typ = np.empty(n, dtype=np.intc)
        ids = np.empty(n, dtype=np.int_)
        _lib.lib.gmd_api_config_get(handle, _ptr(lo), _ptr(length), _ptr(pos), _ptr(vel),
                                    _ptr(typ, ctypes.c_int), _ptr(ids, ctypes.c_long))
    finally:
        _lib.lib.gmd_api_config_free(handle)
    species = [ff.species[t] for t in typ]
    return Config(length, lo, species, typ, pos, vel, ids)


def write_config(path, ff, box, species, positions, velocities=None, origin=None):
    """Writes a LAMMPS data file (or extended XYZ for a .xyz name) with ids 1..N."""
    ff = _forcefield(ff)
    typ = ff.species_indices(species)
    n = len(typ)
    pos = _xyz(positions, n, "positions")
    vel = None if velocities is None else _xyz(velocities, n, "velocities")
    lo = _vec3(origin if origin is not None else (0, 0, 0), "origin")
    length = _vec3(box, "box")
    err = _lib.Error()
    _lib.check(_lib.lib.gmd_api_config_write(_enc(os.fspath(path)), ff._handle, _ptr(lo),
                                             _ptr(length), n, _ptr(typ, ctypes.c_int),
                                             _ptr(pos), _ptr(vel), err), err)


Result = collections.namedtuple("Result", "energy forces virial")
Result.__doc__ = """What Model.compute returns: energy (dict, eV: "pe" and every part by the
names glassmd eval prints, a total such as "coulomb" before its parts), forces ((N, 3)
eV/A) and virial ((6,) eV: xx yy zz xy xz yz)."""


class Model:
    """A force field made ready to compute for N atoms of the given species in an
    orthorhombic box (edge lengths `box`, lower corner `origin`). kspace ("ewald", "pppm",
    "none"), accuracy, cutoff (A) and threebody ("on", "off", "smooth", "hard") take the
    words of run inputs; None keeps the force field's. threads: None is OpenMP's default."""

    def __init__(self, ff, box, species, *, origin=None, kspace=None, accuracy=None,
                 cutoff=None, threebody=None, threads=None):
        self.forcefield = _forcefield(ff)
        typ = self.forcefield.species_indices(species)
        self.natoms = len(typ)
        self.box = _vec3(box, "box")
        self.origin = _vec3(origin if origin is not None else (0, 0, 0), "origin")
        err = _lib.Error()
        handle = ctypes.c_void_p()
        _lib.check(_lib.lib.gmd_api_model_create(
            ctypes.byref(handle), self.forcefield._handle, _ptr(self.origin), _ptr(self.box),
            self.natoms, _ptr(typ, ctypes.c_int), _enc(kspace), float(accuracy or 0),
            float(cutoff or 0), _enc(threebody), int(threads or 0), err), err)
        self._handle = handle
        self.types = typ
        nparts = _lib.lib.gmd_api_model_nparts(handle)
        self.parts = [_lib.lib.gmd_api_model_part_name(handle, p).decode()
                      for p in range(nparts)]
        sums = [_lib.lib.gmd_api_model_part_sum(handle, p) for p in range(nparts)]
        self._sums = [s.decode() if s else None for s in sums]
        self._energies = np.zeros(max(nparts, 1))
        buf = ctypes.create_string_buffer(4096)
        _lib.lib.gmd_api_model_describe_kspace(handle, buf, len(buf))
        self.kspace = json.loads(buf.value.decode()) if buf.value else None
        self.cutoff = _lib.lib.gmd_api_model_cutoff(handle)
        self.threads = _lib.lib.gmd_api_model_threads(handle)
        self.threebody_taper = _lib.lib.gmd_api_model_taper(handle).decode()

    def compute(self, positions, forces=None):
        """Energy parts, forces and virial at positions ((N, 3), A). forces: an optional
        C-contiguous float64 (N, 3) array to write into (else a new one)."""
        pos = _xyz(positions, self.natoms, "positions")
        if forces is None:
            forces = np.empty((self.natoms, 3))
        elif (forces.shape != (self.natoms, 3) or forces.dtype != np.float64 or
              not forces.flags.c_contiguous):
            raise ValueError("forces: give a C-contiguous float64 array of shape (%d, 3)" %
                             self.natoms)
        virial = np.empty(6)
        pe = ctypes.c_double()
        err = _lib.Error()
        _lib.check(_lib.lib.gmd_api_model_compute(self._handle, _ptr(pos), _ptr(forces),
                                                  _ptr(self._energies), _ptr(virial),
                                                  ctypes.byref(pe), err), err)
        return Result(self._energy_dict(pe.value), forces, virial)

    def _energy_dict(self, pe):
        """As glassmd eval: pe, then each part in slot order, a total of several parts
        (summed in slot order) just before the first of them."""
        e = self._energies
        out = {"pe": pe}
        for p, name in enumerate(self.parts):
            total = self._sums[p]
            if total and total not in out:
                out[total] = e[p]
                for q in range(p + 1, len(self.parts)):
                    if self._sums[q] == total:
                        out[total] += e[q]
            out[name] = float(e[p])
        return {k: float(v) for k, v in out.items()}

    def pressure_virial(self, virial):
        """The virial (eV) as pressure (bar), as glassmd eval's pressure_virial."""
        return np.asarray(virial) / float(np.prod(self.box)) * EV_A3_TO_BAR

    def __del__(self):
        handle = getattr(self, "_handle", None)
        if handle:
            _lib.lib.gmd_api_model_free(handle)
            self._handle = None


EV_A3_TO_BAR = 1.6021765e6  # GMD_EV_A3_TO_BAR (units.h): 1 eV/A^3 in bar


Frame = collections.namedtuple("Frame", "step time_ps box origin positions ids types species")
Frame.__doc__ = """A trajectory frame: step, time_ps, box (edge lengths), origin, positions
((N, 3) unwrapped, A), ids (sorted), types (species indices) and species (the names of the
trajectory's species table)."""

_TRAJ_FORMATS = {"auto": 0, "lammpsdump": 1, "dump": 1, "netcdf": 2, "nc": 2, "xyz": 3,
                 "extxyz": 3}


def read_trajectory(path, ff=None, types=None, dt=None, format="auto"):
    """Iterates the frames of a LAMMPS dump, AMBER NetCDF or extended XYZ trajectory (the
    analyses' reader: unwrapped positions, atoms sorted by id). ff (a ForceField or path)
    gives species names; types names LAMMPS types 1, 2, ...; dt (fs) turns a dump's
    TIMESTEP into time."""
    if format not in _TRAJ_FORMATS:
        raise ValueError("format %r: use %s" % (format, ", ".join(_TRAJ_FORMATS)))
    ff = None if ff is None else _forcefield(ff)
    err = _lib.Error()
    handle = ctypes.c_void_p()
    _lib.check(_lib.lib.gmd_traj_reader_open(ctypes.byref(handle), _enc(os.fspath(path)),
                                             _TRAJ_FORMATS[format],
                                             ff._handle if ff else None, _enc(types),
                                             float(dt or 0), err), err)
    frame = _lib.Frame()
    try:
        table = _lib.lib.gmd_traj_reader_species(handle).contents
        species = [table.name[s].value.decode() for s in range(table.n)]
        eof = ctypes.c_int(0)
        while True:
            _lib.check(_lib.lib.gmd_traj_reader_next(handle, ctypes.byref(frame),
                                                     ctypes.byref(eof), err), err)
            if eof.value:
                return
            n = frame.n
            pos = np.empty((n, 3))
            for k in range(3):
                pos[:, k] = np.ctypeslib.as_array(frame.r[k], shape=(n,))
            ids = np.ctypeslib.as_array(frame.id, shape=(n,)).copy()
            typ = np.ctypeslib.as_array(frame.type, shape=(n,)).copy()
            yield Frame(frame.step, frame.time_ps, np.array(frame.box.len[:]),
                        np.array(frame.box.lo[:]), pos, ids, typ, species)
    finally:
        _lib.lib.gmd_frame_free(ctypes.byref(frame))
        _lib.lib.gmd_traj_reader_close(handle)


RunProgress = collections.namedtuple(
    "RunProgress", "stage_index nstages stage_kind stage_step stage_steps step total_steps "
    "time_ps temperature_K pe_eV conserved_eV ns_per_day eta_s")


def run(input, progress=None, *, resume=False, threads=None, progress_every=100):
    """Runs a run input (docs/run-input.md) as `glassmd run INPUT [--resume]` does, its
    outputs in the input's output_dir. progress(p) is called every progress_every MD steps
    with a RunProgress; an exception it raises is re-raised when the run has ended (the
    library's run cannot be cancelled from the callback)."""
    raised = []

    def on_progress(p, _user):
        if raised:
            return
        c = p.contents
        try:
            progress(RunProgress(c.stage_index, c.nstages, c.stage_kind.decode(),
                                 c.stage_step, c.stage_steps, c.step, c.total_steps,
                                 c.time_ps, c.temperature_K, c.pe_eV, c.conserved_eV,
                                 c.ns_per_day, c.eta_s))
        except BaseException as e:  # noqa: B036 - handed back after the C call returns
            raised.append(e)

    callback = _lib.RUN_PROGRESS_FN(on_progress) if progress else _lib.RUN_PROGRESS_FN()
    err = _lib.Error()
    status = _lib.lib.gmd_api_run(_enc(os.fspath(input)), int(bool(resume)), int(threads or 0),
                                  callback, None, int(progress_every), err)
    if raised:
        raise raised[0]
    _lib.check(status, err)


def _option_text(name, value):
    """A keyword's value as glassmd analyze's option text (None: a flag)."""
    if value is True:
        return None
    if name in ("msd_fit", "msd-fit") and isinstance(value, (tuple, list)):
        return "%r:%r" % (float(value[0]), float(value[1]))
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return os.fspath(value) if isinstance(value, os.PathLike) else str(value)


def read_curves(folder):
    """Every CSV curve of an analysis folder as {name: {column: 1-D array}}."""
    curves = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".csv"):
            continue
        with open(os.path.join(folder, name)) as f:
            f.readline()  # "# glassmd VERSION: what"
            columns = f.readline().strip().split(",")
            data = np.loadtxt(f, delimiter=",", ndmin=2)
        if data.size == 0:
            data = np.empty((0, len(columns)))
        curves[name[:-4]] = {c: data[:, i].copy() for i, c in enumerate(columns)}
    return curves


def analyze(path, out=None, **settings):
    """The analysis of a trajectory, as `glassmd analyze PATH --out OUT --NAME VALUE ...`:
    settings are its options with '_' for '-' (ff=, types=, dt=, temperature=, only=,
    skip=, max_frames=, threads=, rdf_rmax=, msd_fit=(t0, t1), lorch=True, ...; lists are
    joined with commas). Returns results.json's content with "curves" added: every CSV
    curve as {name: {column: array}}. Without out the outputs go to a temporary folder
    that is removed afterwards."""
    import tempfile
    if out is None:
        with tempfile.TemporaryDirectory(prefix="glassmd-analyze-") as tmp:
            return analyze(path, out=tmp, **settings)
    items = [("out", os.fspath(out))] + [(k, _option_text(k, v)) for k, v in settings.items()
                                         if v is not None and v is not False]
    names = (ctypes.c_char_p * len(items))(*[_enc(k) for k, _ in items])
    values = (ctypes.c_char_p * len(items))(*[_enc(v) for _, v in items])
    command = "glassmd.analyze(%r, %s)" % (os.fspath(path), ", ".join(
        "%s=%r" % item for item in items))
    err = _lib.Error()
    summary = ctypes.create_string_buffer(4096)
    _lib.check(_lib.lib.gmd_api_analyze(_enc(os.fspath(path)), len(items), names, values,
                                        command.encode(), summary, len(summary), err), err)
    with open(os.path.join(os.fspath(out), "results.json")) as f:
        results = json.load(f)
    results["curves"] = read_curves(os.fspath(out))
    return results


def _study_path_and_plan(path, dry_run, jobs):
    err = _lib.Error()
    out = ctypes.create_string_buffer(4096)
    _lib.check(_lib.lib.gmd_api_study(_enc(os.fspath(path)), int(bool(dry_run)),
                                      int(jobs or 0), out, len(out), err), err)
    return out.value.decode()


def _study_main(argv):
    """The fresh process of study(): runs the study argv[0] with argv[1] jobs and writes
    {"out": OUT} or {"error": message, "status": code} as JSON on stdout (the library
    itself never writes there)."""
    import sys
    try:
        result = {"out": _study_path_and_plan(argv[0], False, int(argv[1]))}
    except GlassmdError as e:
        result = {"error": e.message, "status": e.status}
    sys.stdout.write(json.dumps(result) + "\n")


def study(path, dry_run=False, jobs=None):
    """A study file (docs/study.md), as `glassmd study`: dry_run=True plans it, estimates
    every job's cost and writes OUT/plan.json without running anything; otherwise every
    job not current runs (jobs concurrent workers; finished ones skipped, killed ones
    resumed). The run happens in a fresh Python process (this interpreter with the same
    package and library), since the library's workers are forked and OpenMP, once used in
    this process (a Model), does not survive a fork. Returns OUT/plan.json's content
    (every job's name, kind, status, times and estimate)."""
    if dry_run:
        out = _study_path_and_plan(path, True, jobs)
    else:
        import subprocess
        import sys
        env = dict(os.environ)
        package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env["PYTHONPATH"] = os.pathsep.join(
            [package_parent] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
        env["GLASSMD_LIBRARY"] = _lib.lib._name
        p = subprocess.run([sys.executable, "-c",
                            "import sys, glassmd; glassmd._study_main(sys.argv[1:])",
                            os.fspath(path), str(int(jobs or 0))],
                           stdout=subprocess.PIPE, env=env)
        lines = p.stdout.decode("utf-8", "replace").strip().splitlines()
        if p.returncode != 0 or not lines:
            raise GlassmdError("the study's process ended (exit status %d) without a "
                               "result; its error output is above" % p.returncode)
        result = json.loads(lines[-1])
        if "error" in result:
            _lib.raise_error(result["status"], _error_with(result["error"]))
        out = result["out"]
    with open(os.path.join(out, "plan.json")) as f:
        return json.load(f)


def _error_with(message):
    err = _lib.Error()
    err.message = message.encode()[:_lib.ERROR_MSG_LEN - 1]
    return err
