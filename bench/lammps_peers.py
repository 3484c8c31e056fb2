"""lammps_peers.py - the LAMMPS runs the benchmarks compare glassmd with (bench_nvt.py,
bench_forces.py): Debian's /usr/bin/lmp (-O2, no accelerator packages; N MPI ranks) and
the tuned build of bench/build_lammps_tuned.sh (-O3 -march=native, OPENMP and, when it
built, INTEL) with its accelerated styles switched on by -sf omp / -sf intel.

A peer is a dict: label, lmp (the executable), suffix (None, "omp" or "intel"), ranks (MPI
ranks; mpirun when > 1), threads (OpenMP threads per rank: OMP_NUM_THREADS and the
package command's thread count), intel_mode (the INTEL package's precision: double,
mixed or single; mixed, single-precision pair terms accumulated in double, is the package's
default). Where a style has no accelerated variant (nb3b/harmonic has neither an
omp nor an intel one; buck/coul/long, pppm and fix nvt have both) LAMMPS runs the plain
one.

The INTEL package builds with gcc 12 at -march=native (build_lammps_tuned.sh), but its
buck/coul/long/intel crashes (SIGSEGV) in this build: in mode double at set-up in most runs
(an aligned AVX store, vmovapd, to a misaligned address in
PairBuckCoulLongIntel::pack_force_const<double,double>), in mode mixed in the force kernel
(PairBuckCoulLongIntel::eval<1,1,float,double>) of every 50-step NVT run of the melt tried
(short runs pass); whether it hits depends on the address layout (it does not under gdb).
The benchmarks therefore run -sf intel only when asked, and a tuned run that fails is
reported, not fatal.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "peer"))
import peerlib as P  # noqa: E402

DEBIAN_LMP = os.environ.get("LMP", "/usr/bin/lmp")
TUNED_DEFAULT = os.environ.get("LAMMPS_TUNED", "/work/lammps-tuned/bin/lmp_tuned")
SUFFIXES = ("none", "omp", "intel")


def tuned_default():
    """The tuned LAMMPS (bench/build_lammps_tuned.sh) when it is there, else None."""
    return TUNED_DEFAULT if os.access(TUNED_DEFAULT, os.X_OK) else None


_packages = {}


def installed_packages(lmp):
    """The packages an lmp executable was built with (its `-h` list), as a set."""
    if lmp not in _packages:
        proc = subprocess.run([lmp, "-h"], capture_output=True, text=True,
                              stdin=subprocess.DEVNULL)
        pkgs, inside = set(), False
        for line in proc.stdout.splitlines():
            if line.startswith("Installed packages:"):
                inside = True
                continue
            if inside:
                if not line.strip():
                    if pkgs:
                        break
                    continue
                if line.startswith("List of"):
                    break
                pkgs.update(line.split())
        _packages[lmp] = pkgs
    return _packages[lmp]


def peer(lmp, suffix=None, ranks=1, threads=1, intel_mode="double", label=None):
    """label defaults to e.g. 'tuned -sf omp 2x1' (ranks x threads), 'tuned -sf intel
    mixed 1x2'; tag (for file names) to e.g. 'omp_2x1', 'intel-mixed_1x2'."""
    suffix = None if suffix in (None, "none") else suffix
    kind = suffix or "plain"
    if suffix == "intel":
        kind += "-" + intel_mode
    if label is None:
        label = "LAMMPS" if suffix is None else "tuned -sf %s" % suffix
        if suffix == "intel":
            label += " " + intel_mode
        label += " %dx%d" % (ranks, threads)
    return {"label": label, "tag": "%s_%dx%d" % (kind, ranks, threads), "lmp": lmp,
            "suffix": suffix, "ranks": ranks, "threads": threads, "intel_mode": intel_mode}


def layouts(nt):
    """(ranks, threads) ways of using nt cores with an accelerated build: nt ranks x 1
    thread first, then 1 rank x nt threads."""
    return [(nt, 1)] if nt == 1 else [(nt, 1), (1, nt)]


def tuned_peers(tuned, nt, suffixes=("omp", "intel"), intel_modes=("mixed",)):
    """The tuned build's runs on nt cores: for each suffix it was built for (OPENMP,
    INTEL), each layout (layouts()) and, for intel, each precision mode."""
    if not tuned:
        return []
    pkgs = installed_packages(tuned)
    out = []
    for sf in suffixes:
        if sf == "omp" and "OPENMP" not in pkgs:
            continue
        if sf == "intel" and "INTEL" not in pkgs:
            continue
        for ranks, threads in layouts(nt):
            for mode in (intel_modes if sf == "intel" else ("double",)):
                out.append(peer(tuned, sf, ranks, threads, mode))
    return out


def command(p, infile, logfile):
    """The command line and environment of one LAMMPS run of peer p."""
    cmd = [p["lmp"], "-in", infile, "-log", logfile, "-screen", "none"]
    if p["suffix"] == "omp":
        cmd += ["-sf", "omp", "-pk", "omp", str(p["threads"])]
    elif p["suffix"] == "intel":
        cmd += ["-sf", "intel", "-pk", "intel", "0", "omp", str(p["threads"]),
                "mode", p["intel_mode"]]
    if p["ranks"] > 1:
        cmd = ["mpirun", "-np", str(p["ranks"]), "--allow-run-as-root", "--oversubscribe"] + cmd
    env = dict(os.environ, OMP_NUM_THREADS=str(p["threads"]))
    return cmd, env


def run(workdir, script, name, p):
    """Writes script to workdir/name and runs peer p on it there. Returns the log's path;
    raises RuntimeError with the output's tail on failure (as peerlib.run_lammps)."""
    cmd, env = command(p, name, name + ".log")
    return P.run_lammps_command(workdir, script, name, cmd, env)


def styles_used(log):
    """The lines of a LAMMPS log that name accelerated styles (e.g. 'Hybrid pair style last
    /omp style buck/coul/long', 'Last active /omp style is kspace_style pppm/omp',
    'pair build: full/bin/atomonly/omp'), for the record."""
    found = []
    with open(log) as fh:
        for line in fh:
            line = line.strip()
            if ("/omp" in line or "/intel" in line) and line not in found:
                found.append(line)
    return found
