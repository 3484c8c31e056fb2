#!/usr/bin/env bash
# test.sh - installs what the tests need, then builds glassmd twice and runs the suite:
#   1. Release with -Werror: every test (unit, CLI, peers against LAMMPS and numpy, and the
#      fuzz smoke run, which builds the libFuzzer harnesses with clang: tests/fuzz/);
#   2. Debug with AddressSanitizer + UBSan: the unit and CLI tests (but the three long
#      end-to-end ones, the study, its kill matrix and the kill/resume runs, which the
#      Release pass covers).
# Also checks the formatting with clang-format. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh test
JOBS=$(nproc)

echo "== clang-format check"
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find src include tests -name '*.[ch]')
clang-format --dry-run --Werror $files

echo "== Release build (-Werror) and full test suite"
cmake -S . -B build-ci -DCMAKE_BUILD_TYPE=Release -DGLASSMD_WERROR=ON >/dev/null
cmake --build build-ci -j"$JOBS"
(cd build-ci && ctest --output-on-failure -j"$JOBS")

echo "== AddressSanitizer + UBSan build: unit and CLI tests"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DGLASSMD_SANITIZE=ON -DGLASSMD_WERROR=ON \
      -DGLASSMD_PEER_TESTS=OFF >/dev/null
cmake --build build-asan -j"$JOBS"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
     ctest --output-on-failure -j"$JOBS" -L "unit|cli" -E "test_study$|test_study_kill_matrix|test_run_resume")
echo "== all tests passed"
