#!/usr/bin/env bash
# smoke.sh - the fuzz smoke test of the suite (ctest fuzz.smoke, issue 12 item 1): builds
# the libFuzzer harnesses with clang in their own build folder and runs each one for a
# few thousand inputs from its seeds and regressions (fuzz_all.sh). Any crash, sanitizer
# report, leak, timeout or allocation over 2 GiB fails it. Exits 77 (ctest: skipped) when
# there is no clang that can link -fsanitize=fuzzer (Debian: clang, libclang-rt-14-dev).
#   bash tests/fuzz/smoke.sh SOURCE_DIR BUILD_DIR [RUNS]
# GLASSMD_FUZZ_CC names the compiler (default clang), GLASSMD_FUZZ_JOBS the build's -j
# (default 2). The build folder is kept, so a second run only rebuilds what changed.
set -uo pipefail
SRC=${1:?usage: smoke.sh SOURCE_DIR BUILD_DIR [RUNS]}
BUILD=${2:?usage: smoke.sh SOURCE_DIR BUILD_DIR [RUNS]}
RUNS=${3:-3000}
CC=${GLASSMD_FUZZ_CC:-clang}
NAMES="forcefield lammps_data extxyz traj_dump traj_netcdf traj_xyz run_input study checkpoint exp_sq"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/glassmd-fuzz-smoke.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

if ! command -v "$CC" >/dev/null 2>&1; then
    echo "fuzz smoke skipped: no $CC (install clang and libclang-rt-14-dev)"
    exit 77
fi
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' \
    >"$WORK/probe.c"
if ! "$CC" -fsanitize=fuzzer,address,undefined "$WORK/probe.c" -o "$WORK/probe" \
    >"$WORK/probe.log" 2>&1; then
    echo "fuzz smoke skipped: $CC cannot link -fsanitize=fuzzer (install libclang-rt-14-dev):"
    head -3 "$WORK/probe.log"
    exit 77
fi

targets=()
for name in $NAMES; do targets+=("fuzz_$name"); done
if ! cmake -S "$SRC" -B "$BUILD" -DCMAKE_C_COMPILER="$CC" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DGLASSMD_FUZZ=ON -DGLASSMD_TESTS=OFF >"$WORK/cmake.log" 2>&1; then
    echo "FAIL: configuring the fuzz build in $BUILD failed:"
    tail -20 "$WORK/cmake.log"
    exit 1
fi
if ! cmake --build "$BUILD" -j"${GLASSMD_FUZZ_JOBS:-2}" --target "${targets[@]}" \
    >"$WORK/build.log" 2>&1; then
    echo "FAIL: building the fuzz harnesses failed:"
    grep -E "error|Error" "$WORK/build.log" | head -20
    exit 1
fi

# shellcheck disable=SC2086
bash "$SRC/tests/fuzz/fuzz_all.sh" "$BUILD" "$WORK/run" "$RUNS" $NAMES
status=$?
for name in $NAMES; do # each harness must have run all its inputs
    if ! grep -q "Done $RUNS runs" "$WORK/run/$name.log"; then
        echo "FAIL: fuzz_$name stopped before its $RUNS runs (a finding: crash, sanitizer"
        echo "report, leak, timeout or a huge allocation):"
        grep -A16 -m1 -E "ERROR|runtime error|ALARM|out-of-memory" "$WORK/run/$name.log" ||
            tail -30 "$WORK/run/$name.log"
        status=1
    fi
done
[ $status -eq 0 ] && echo "fuzz smoke: $RUNS runs of each harness, nothing found"
exit $status
