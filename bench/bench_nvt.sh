#!/usr/bin/env bash
# bench_nvt.sh - time the same 2000-step NVT run at 2000 K of the 3000-atom melt in glassmd
# and LAMMPS (buck/coul/long 10 A + pppm 1e-5, fix nvt temp 2000 2000 0.1; without and
# with the hard Si-S-Si three-body term), at 1 and 2 threads, interleaved: glassmd against
# Debian's lmp (MPI ranks) and, when bench/build_lammps_tuned.sh has built it, the tuned
# LAMMPS with -sf omp / -sf intel; glassmd's per-phase times from its run.log. See
# bench/README.md. Options go to bench_nvt.py, e.g.
#   bench/bench_nvt.sh --steps 200               # a quick look
#   bench/bench_nvt.sh --rounds 2 --threads 1,2 --cases pair,threebody --out /tmp/b
#   bench/bench_nvt.sh --lammps-tuned /path/lmp_tuned --intel-modes double,mixed
# (--mode drift|hardT runs the long dynamics checks instead; see bench_nve_drift.sh.)
# The glassmd binary: $GLASSMD, else build*/glassmd next to this script's repository.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/find_glassmd.sh"
command -v lmp >/dev/null || { echo "bench_nvt.sh: lmp (LAMMPS) not found on PATH" >&2; exit 1; }
mode=speed
args=()
while [[ $# -gt 0 ]]; do
    if [[ "$1" == "--mode" ]]; then mode="$2"; shift 2; else args+=("$1"); shift; fi
done
echo "# $(uptime)"
exec /usr/bin/python3 "$here/bench_nvt.py" "$mode" --glassmd "$GLASSMD" "${args[@]}"
