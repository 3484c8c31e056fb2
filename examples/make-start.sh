#!/usr/bin/env bash
# make-start.sh - builds the starting configuration of the examples:
#   start-50.data: 50Na2S-50SiS2 (x = 0.5), N = 3000 atoms (Si 500, S 1500, Na 1000),
#   number density 0.043 atoms/A^3 (cube of 41.17 A), random placement with a minimum
#   distance (glassmd build), seed 20240611.
# The examples' minimize stage relaxes it before the melt. The file (~400 kB) is not kept
# in the repository: this script makes it in a second or so.
# Usage: examples/make-start.sh        (uses $GLASSMD, else `glassmd` on the PATH, else
#                                        build/glassmd of this checkout)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
GLASSMD=${GLASSMD:-}
if [ -z "$GLASSMD" ]; then
    if command -v glassmd >/dev/null; then GLASSMD=glassmd; else GLASSMD="$here/../build/glassmd"; fi
fi
"$GLASSMD" build --ff "$here/../data/forcefields/na2s-sis2.ff" --composition 0.5 \
    --atoms 3000 --density 0.043 --seed 20240611 -o "$here/start-50.data"
