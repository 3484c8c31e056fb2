# lib.sh - what the CLI tests share, sourced by them (not a test itself: the suite runs
# test_*.sh). After `source lib.sh NAME`: GLASSMD (the binary), SRC (the source tree), TMP
# (a fresh scratch folder, removed on exit; set TMP_CLEANUP for more to undo first), FF
# (the reference force field), failures and fail MESSAGE (counts a failure, prints it on
# stderr), finish NAME (exit status 1 when something failed), build_start SEED (the tests'
# 480-atom 50Na2S-50SiS2 start in $TMP/start.data), and OMP_WAIT_POLICY=passive
# (spinning OpenMP threads crawl on a loaded machine; sleeping ones change no result).
# Environment: GLASSMD, GLASSMD_SOURCE_DIR, GLASSMD_TEST_TMP (scratch root).
GLASSMD=${GLASSMD:?set GLASSMD to the glassmd binary}
SRC=${GLASSMD_SOURCE_DIR:?set GLASSMD_SOURCE_DIR}
TMP=${GLASSMD_TEST_TMP:-/tmp}/$1.$$
mkdir -p "$TMP"
TMP_CLEANUP=${TMP_CLEANUP:-}
trap 'eval "$TMP_CLEANUP"; rm -rf "$TMP"' EXIT
FF="$SRC/data/forcefields/na2s-sis2.ff"
export OMP_WAIT_POLICY=passive
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

finish() {
    if [ "$failures" -ne 0 ]; then
        echo "$1: $failures failure(s)" >&2
        exit 1
    fi
    echo "$1: all checks passed"
}

build_start() {
    "$GLASSMD" build --ff "$FF" --composition 0.5 --atoms 480 --density 0.043 --seed "$1" \
        -o "$TMP/start.data" 2>/dev/null || {
        echo "FAIL: glassmd build failed" >&2
        exit 1
    }
}
