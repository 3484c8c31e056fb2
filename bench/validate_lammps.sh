#!/usr/bin/env bash
# validate_lammps.sh - the same melt-quench protocol (50Na2S-50SiS2, N = 3000, hard
# three-body cut, fix nvt chain 3) in LAMMPS and glassmd from the same starts, several
# seeds, both analysed by glassmd analyze; prints one table side by side with the scatter
# between seeds. About 1.5-2 h on 2 cores. Options go to validate_lammps.py, e.g.
#   bench/validate_lammps.sh                         # seeds 1,2; both engines
#   bench/validate_lammps.sh --scale 0.02 --out /tmp/v   # a smoke test in a few minutes
#   bench/validate_lammps.sh --table-only            # the table from finished runs
# Reruns skip finished runs (and resume glassmd's from their checkpoints).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/find_glassmd.sh"
command -v lmp >/dev/null || { echo "validate_lammps.sh: lmp (LAMMPS) not found on PATH" >&2; exit 1; }
echo "# $(uptime)"
exec /usr/bin/python3 "$here/validate_lammps.py" --glassmd "$GLASSMD" "$@"
