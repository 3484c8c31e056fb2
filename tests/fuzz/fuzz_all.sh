#!/usr/bin/env bash
# fuzz_all.sh - runs the libFuzzer harnesses one after the other (README.md here).
#   bash tests/fuzz/fuzz_all.sh BUILD_DIR WORK_DIR [RUNS] [NAME...]
# BUILD_DIR: a build configured with -DGLASSMD_FUZZ=ON; WORK_DIR: scratch (a growing corpus
# per harness in WORK_DIR/corpus/NAME, crashes in WORK_DIR/artifacts/NAME/); RUNS:
# executions per harness (default 1000000). Each harness starts from its seeds
# (corpus/NAME) and regressions (regressions/NAME); its log is WORK_DIR/NAME.log, whose
# last lines give the executions done. Exit status 1 when any harness found something.
set -u
BUILD=${1:?usage: fuzz_all.sh BUILD_DIR WORK_DIR [RUNS] [NAME...]}
WORK=${2:?usage: fuzz_all.sh BUILD_DIR WORK_DIR [RUNS] [NAME...]}
RUNS=${3:-1000000}
shift $(($# < 3 ? $# : 3))
HERE=$(cd "$(dirname "$0")" && pwd)
NAMES=${*:-forcefield lammps_data extxyz traj_dump traj_netcdf traj_xyz run_input study checkpoint exp_sq}
status=0
for name in $NAMES; do
    mkdir -p "$WORK/corpus/$name" "$WORK/artifacts/$name"
    seeds=("$HERE/corpus/$name")
    [ -d "$HERE/regressions/$name" ] && seeds+=("$HERE/regressions/$name")
    echo "== $name: $RUNS runs"
    OMP_NUM_THREADS=1 nice "$BUILD/tests/fuzz/fuzz_$name" -runs="$RUNS" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$WORK/artifacts/$name/" "$WORK/corpus/$name" "${seeds[@]}" \
        >"$WORK/$name.log" 2>&1
    rc=$?
    grep -E "stat::number_of_executed_units|Done [0-9]+ runs" "$WORK/$name.log" | tail -2
    if [ $rc -ne 0 ]; then
        echo "   $name: exit status $rc, see $WORK/$name.log and $WORK/artifacts/$name/"
        status=1
    fi
done
exit $status
