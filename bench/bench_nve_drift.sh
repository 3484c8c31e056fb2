#!/usr/bin/env bash
# bench_nve_drift.sh - long dynamics checks of glassmd against LAMMPS on the 3000-atom melt
# at 2000 K (docs/dynamics.md): NVE energy drift (10 ps, no three-body / smooth taper of
# width 0.2 A with the default 8 three-body substeps, with 1 (plain Verlet) and 4 / hard
# cut, LAMMPS without and with nb3b/harmonic), and with
# --hardT the mean temperature of 10 ps NVT with the hard cut in both engines.
#   bench/bench_nve_drift.sh [--nve-ps 10] [--substeps 1,4] [--widths 0.4,0.6] [--out DIR]
#   bench/bench_nve_drift.sh --hardT [--nvt-ps 10]
# Options are passed on to bench_nvt.py (bench/bench_nvt.py --help).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mode=drift
args=()
for a in "$@"; do
    if [[ "$a" == "--hardT" ]]; then mode=hardT; else args+=("$a"); fi
done
exec "$here/bench_nvt.sh" --mode "$mode" "${args[@]}"
