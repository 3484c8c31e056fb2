#!/usr/bin/env bash
# bench_forces.sh - energy + force evaluation time of glassmd against LAMMPS at the same
# accuracy (PPPM 1e-5, cut-off 10 A, with and without the three-body term, 1 and 2
# threads / MPI ranks), with each engine's achieved RMS force error against an exact
# reference. See bench/README.md. All options are passed on to bench_forces.py, e.g.
#   bench/bench_forces.sh --rounds 3 --evals 10 --threads 1,2,4 --out /tmp/bench
# The glassmd binary: $GLASSMD, else build/glassmd next to this script's repository.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/find_glassmd.sh"
command -v lmp >/dev/null || { echo "bench_forces.sh: lmp (LAMMPS) not found on PATH" >&2; exit 1; }
exec /usr/bin/python3 "$here/bench_forces.py" --glassmd "$GLASSMD" "$@"
