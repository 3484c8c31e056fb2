#!/usr/bin/env bash
# demo.sh - the main job on a small built-in example: installs what glassmd needs, builds
# it, builds a 50Na2S-50SiS2 configuration of 1500 atoms and evaluates its energy, forces
# and pressure with Ewald and with PPPM. Results go to out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh run
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DGLASSMD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"
out=out/demo
mkdir -p "$out"
ff=data/forcefields/na2s-sis2.ff
./build/glassmd build --ff "$ff" --composition 0.5 --atoms 1500 --density 0.043 --seed 1 \
    -o "$out/start.data"
./build/glassmd eval "$out/start.data" --ff "$ff" --kspace ewald --accuracy 1e-8 \
    --forces "$out/forces-ewald.txt" > "$out/eval-ewald.json"
./build/glassmd eval "$out/start.data" --ff "$ff" --kspace pppm --accuracy 1e-5 \
    --forces "$out/forces-pppm.txt" > "$out/eval-pppm.json"
cat "$out/eval-pppm.json"
echo "demo results in $out/"
