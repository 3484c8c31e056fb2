#!/usr/bin/env bash
# bench_analysis.sh - time of the default `glassmd analyze` of one trajectory, and of the
# same quantities (partial g(r) of every pair, per-species MSD) in glassmd and in
# MDAnalysis (InterRDF, EinsteinMSD), interleaved A B A B. See bench/README.md. All options
# are passed on to bench_analysis.py, e.g.
#   bench/bench_analysis.sh --frames 100 --rounds 3 --threads 1,2 --traj run/traj.dump
# The glassmd binary: $GLASSMD, else build/glassmd next to this script's repository.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/find_glassmd.sh"
/usr/bin/python3 -c 'import MDAnalysis' 2>/dev/null ||
    { echo "bench_analysis.sh: MDAnalysis missing (apt-get install python3-mdanalysis)" >&2; exit 1; }
exec /usr/bin/python3 "$here/bench_analysis.py" --glassmd "$GLASSMD" "$@"
