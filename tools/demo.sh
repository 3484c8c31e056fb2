#!/usr/bin/env bash
# demo.sh - the main job on the built-in quick study: installs what glassmd needs, builds
# it, and runs `glassmd study examples/quick-study.ini`: 50Na2S-50SiS2 and 80Na2S-20SiS2
# with 300 atoms each - build, melt, quench, three isotherms taken from the quench, the
# glass, every analysis, Arrhenius fits, composition summaries and the HTML report - in
# about 10 minutes on 2 cores. Results go to out/demo/ (report: out/demo/report/index.html).
# A second run skips every finished job; a killed run resumes where it stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh run
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DGLASSMD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"
out=out/demo
mkdir -p "$out"
sed "s#^forcefield = .*#forcefield = $PWD/data/forcefields/na2s-sis2.ff#" \
    examples/quick-study.ini > "$out/quick-study.ini"
echo "output_dir = $PWD/$out" >> "$out/quick-study.ini"
./build/glassmd study "$out/quick-study.ini" --dry-run
./build/glassmd study "$out/quick-study.ini"
cat "$out/summary/arrhenius.csv" | cut -d, -f1-4
echo "demo results in $out/ (report: $out/report/index.html)"
