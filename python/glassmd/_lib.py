"""_lib.py - loads libglassmd with ctypes and declares the C functions the package calls
(include/glassmd/api.h, analysis.h's trajectory reader, analyze.h's option setter), and
turns a failed call's gmd_error into a Python exception carrying the library's message.

Where the library is looked for, in order: $GLASSMD_LIBRARY (a path to libglassmd.so,
what the build tree's tests set), the install prefix's library folder relative to this
package (_install.py, written by cmake --install), then the system's search path."""

import ctypes
import ctypes.util
import os

# gmd_status (error.h), in order.
STATUS_NAMES = ("ok", "I/O error", "parse error", "value error", "out of memory",
                "physics error", "internal error", "interrupted")
ERROR_MSG_LEN = 1024


class GlassmdError(Exception):
    """A call into libglassmd failed; str() is the library's one-line message (for input
    files "FILE:LINE: what is wrong; how to fix it"), .status the gmd_status code."""

    def __init__(self, message, status=6):
        super().__init__(message)
        self.message = message
        self.status = status
        self.status_name = STATUS_NAMES[status] if 0 <= status < len(STATUS_NAMES) else "?"


class FileError(GlassmdError):
    """GMD_ERR_IO: a file cannot be opened, read or written."""


class ParseError(GlassmdError, ValueError):
    """GMD_ERR_PARSE: a file is malformed (the message names the file and the line)."""


class InputError(GlassmdError, ValueError):
    """GMD_ERR_VALUE: a value is out of range or inconsistent."""


class PhysicsError(GlassmdError):
    """GMD_ERR_PHYSICS: the system left the physical domain (overlap, collapse, NaN)."""


class Interrupted(GlassmdError):
    """GMD_ERR_INTERRUPTED: stopped on request, with a checkpoint to resume from."""


_CLASSES = {1: FileError, 2: ParseError, 3: InputError, 4: MemoryError, 5: PhysicsError,
            7: Interrupted}


class Error(ctypes.Structure):
    """gmd_error (error.h)."""
    _fields_ = [("code", ctypes.c_int), ("message", ctypes.c_char * ERROR_MSG_LEN)]


def raise_error(status, err):
    """Raises the exception of a failed call (status != 0) with err's message."""
    message = err.message.decode("utf-8", "replace")
    cls = _CLASSES.get(status, GlassmdError)
    if cls is MemoryError:
        raise MemoryError(message)
    raise cls(message, status)


def check(status, err):
    if status != 0:
        raise_error(status, err)


class RunProgress(ctypes.Structure):
    """gmd_run_progress (run.h)."""
    _fields_ = [("stage_index", ctypes.c_int), ("nstages", ctypes.c_int),
                ("stage_kind", ctypes.c_char_p),
                ("stage_step", ctypes.c_long), ("stage_steps", ctypes.c_long),
                ("step", ctypes.c_long), ("total_steps", ctypes.c_long),
                ("time_ps", ctypes.c_double), ("temperature_K", ctypes.c_double),
                ("pe_eV", ctypes.c_double), ("conserved_eV", ctypes.c_double),
                ("ns_per_day", ctypes.c_double), ("eta_s", ctypes.c_double)]


RUN_PROGRESS_FN = ctypes.CFUNCTYPE(None, ctypes.POINTER(RunProgress), ctypes.c_void_p)


class Box(ctypes.Structure):
    """gmd_box (system.h)."""
    _fields_ = [("lo", ctypes.c_double * 3), ("len", ctypes.c_double * 3)]


class Frame(ctypes.Structure):
    """gmd_frame (analysis.h)."""
    _fields_ = [("step", ctypes.c_long), ("time_ps", ctypes.c_double), ("box", Box),
                ("n", ctypes.c_size_t), ("r", ctypes.POINTER(ctypes.c_double) * 3),
                ("id", ctypes.POINTER(ctypes.c_long)), ("type", ctypes.POINTER(ctypes.c_int))]


MAX_SPECIES = 16
NAME_LEN = 16


class SpeciesTable(ctypes.Structure):
    """gmd_species_table (analysis.h)."""
    _fields_ = [("n", ctypes.c_int), ("name", (ctypes.c_char * NAME_LEN) * MAX_SPECIES),
                ("charge", ctypes.c_double * MAX_SPECIES),
                ("mass", ctypes.c_double * MAX_SPECIES), ("have_charges", ctypes.c_int)]


def _candidates():
    env = os.environ.get("GLASSMD_LIBRARY")
    if env:
        yield env
        return
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        from . import _install
        yield os.path.normpath(os.path.join(here, _install.LIBDIR_FROM_PACKAGE, "libglassmd.so"))
    except ImportError:
        pass
    found = ctypes.util.find_library("glassmd")
    if found:
        yield found
    yield "libglassmd.so"


def _load():
    tried = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
    raise ImportError("glassmd: cannot load libglassmd: tried " + "; ".join(tried) +
                      "; install glassmd (cmake --install) or set GLASSMD_LIBRARY to "
                      "libglassmd.so")


lib = _load()

_P = ctypes.c_void_p
_D = ctypes.c_double
_DP = ctypes.POINTER(ctypes.c_double)
_IP = ctypes.POINTER(ctypes.c_int)
_LP = ctypes.POINTER(ctypes.c_long)
_S = ctypes.c_char_p
_E = ctypes.POINTER(Error)
_I = ctypes.c_int
_Z = ctypes.c_size_t


def _declare(name, restype, *argtypes):
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = list(argtypes)


_declare("gmd_api_version", _S)
_declare("gmd_api_forcefield_read", _I, ctypes.POINTER(_P), _S, _E)
_declare("gmd_api_forcefield_free", None, _P)
_declare("gmd_api_forcefield_nspecies", _I, _P)
_declare("gmd_api_forcefield_species", _S, _P, _I, _DP, _DP)
_declare("gmd_api_forcefield_cutoff", _D, _P)
_declare("gmd_api_forcefield_kspace", _S, _P)
_declare("gmd_api_forcefield_accuracy", _D, _P)
_declare("gmd_api_config_read", _I, ctypes.POINTER(_P), _S, _P, _S, _E)
_declare("gmd_api_config_natoms", _Z, _P)
_declare("gmd_api_config_get", None, _P, _DP, _DP, _DP, _DP, _IP, _LP)
_declare("gmd_api_config_free", None, _P)
_declare("gmd_api_config_write", _I, _S, _P, _DP, _DP, _Z, _IP, _DP, _DP, _E)
_declare("gmd_api_model_create", _I, ctypes.POINTER(_P), _P, _DP, _DP, _Z, _IP, _S, _D, _D,
         _S, _I, _E)
_declare("gmd_api_model_natoms", _Z, _P)
_declare("gmd_api_model_compute", _I, _P, _DP, _DP, _DP, _DP, _DP, _E)
_declare("gmd_api_model_nparts", _I, _P)
_declare("gmd_api_model_part_name", _S, _P, _I)
_declare("gmd_api_model_part_sum", _S, _P, _I)
_declare("gmd_api_model_describe_kspace", _I, _P, _S, _Z)
_declare("gmd_api_model_cutoff", _D, _P)
_declare("gmd_api_model_threads", _I, _P)
_declare("gmd_api_model_taper", _S, _P)
_declare("gmd_api_model_free", None, _P)
_declare("gmd_api_run", _I, _S, _I, _I, RUN_PROGRESS_FN, _P, ctypes.c_long, _E)
_declare("gmd_traj_reader_open", _I, ctypes.POINTER(_P), _S, _I, _P, _S, _D, _E)
_declare("gmd_traj_reader_next", _I, _P, ctypes.POINTER(Frame), _IP, _E)
_declare("gmd_traj_reader_species", ctypes.POINTER(SpeciesTable), _P)
_declare("gmd_traj_reader_close", None, _P)
_declare("gmd_frame_free", None, ctypes.POINTER(Frame))
_declare("gmd_api_analyze", _I, _S, _I, ctypes.POINTER(_S), ctypes.POINTER(_S), _S, _S, _Z, _E)
_declare("gmd_api_study", _I, _S, _I, _I, _S, _Z, _E)
