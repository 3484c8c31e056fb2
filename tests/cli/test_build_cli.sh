#!/usr/bin/env bash
# test_build_cli.sh - `glassmd build`: a build in each format, reproducibility from the
# seed, --help, and bad inputs (each must exit non-zero with one line
# "glassmd build: error: ..." on stderr that names the cause).
# Environment: GLASSMD (the binary), GLASSMD_SOURCE_DIR, GLASSMD_TEST_TMP (scratch).
set -euo pipefail

GLASSMD=${GLASSMD:?set GLASSMD to the glassmd binary}
SRC=${GLASSMD_SOURCE_DIR:?set GLASSMD_SOURCE_DIR}
TMP=${GLASSMD_TEST_TMP:-/tmp}/build_cli.$$
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT
FF="$SRC/data/forcefields/na2s-sis2.ff"
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# A successful build: exit 0, a LAMMPS data file with the SPEC section 3 counts.
if ! "$GLASSMD" build --ff "$FF" --composition 0.5 --atoms 3000 --density 0.043 --seed 5 \
    -o "$TMP/a.data" 2>"$TMP/a.err"; then
    fail "build x=0.5 exited non-zero: $(cat "$TMP/a.err")"
fi
grep -q '^3000 atoms$' "$TMP/a.data" || fail "a.data lacks '3000 atoms'"
grep -q '^3 atom types$' "$TMP/a.data" || fail "a.data lacks '3 atom types'"
grep -q '^Atoms # charge$' "$TMP/a.data" || fail "a.data lacks 'Atoms # charge'"
[ "$(awk '/^Atoms/{on=1;next} /^Velocities/{on=0} on && NF==9 && $2==1' "$TMP/a.data" | wc -l)" = 500 ] ||
    fail "a.data does not hold 500 Si (type 1)"
[ "$(awk '/^Atoms/{on=1;next} /^Velocities/{on=0} on && NF==9 && $2==3' "$TMP/a.data" | wc -l)" = 1000 ] ||
    fail "a.data does not hold 1000 Na (type 3)"
grep -q 'Si 500, S 1500, Na 1000' "$TMP/a.err" || fail "summary lacks the counts: $(cat "$TMP/a.err")"
[ "$(wc -l <"$TMP/a.err")" = 1 ] || fail "summary is not one line"
# box edge (3000 / 0.043)^(1/3) = 41.1671624... A
grep -q '^0 41.16716243' "$TMP/a.data" || fail "box edge is not (N/density)^(1/3)"

# Same seed, same file; another seed, another file.
"$GLASSMD" build --ff "$FF" --composition 0.5 --atoms 3000 --seed 5 -o "$TMP/b.data" 2>/dev/null ||
    fail "second build failed"
cmp -s "$TMP/a.data" "$TMP/b.data" || fail "same seed gave different files"
"$GLASSMD" build --ff "$FF" --composition 0.5 --atoms 3000 --seed 6 -o "$TMP/c.data" 2>/dev/null ||
    fail "build with seed 6 failed"
cmp -s "$TMP/a.data" "$TMP/c.data" && fail "different seeds gave the same file"

# Extended XYZ by extension and by --format; --counts instead of a composition.
"$GLASSMD" build --ff "$FF" --counts Si=20,S=60,Na=40 --seed 1 -o "$TMP/d.xyz" 2>/dev/null ||
    fail "build with --counts to .xyz failed"
[ "$(head -1 "$TMP/d.xyz")" = 120 ] || fail "d.xyz does not start with the atom count"
grep -q 'Lattice="' "$TMP/d.xyz" || fail "d.xyz lacks Lattice"
"$GLASSMD" build --ff "$FF" --counts Si=20,S=60,Na=40 --format xyz -o "$TMP/e.out" 2>/dev/null ||
    fail "--format xyz failed"
[ "$(head -1 "$TMP/e.out")" = 120 ] || fail "--format xyz did not write extended XYZ"

# --help: usage on stdout, exit 0.
"$GLASSMD" build --help >"$TMP/help.out" || fail "--help exited non-zero"
grep -q 'usage: glassmd build' "$TMP/help.out" || fail "--help printed no usage"

# Bad inputs: non-zero exit, exactly one line "glassmd build: error: ..." naming the cause.
expect_error() {
    local phrase=$1
    shift
    if "$GLASSMD" build "$@" >"$TMP/out" 2>"$TMP/err"; then
        fail "'$*' succeeded; expected an error about '$phrase'"
        return
    fi
    if [ "$(wc -l <"$TMP/err")" != 1 ] || ! grep -q '^glassmd build: error: ' "$TMP/err"; then
        fail "'$*': stderr is not one error line: $(cat "$TMP/err")"
    fi
    grep -qF -- "$phrase" "$TMP/err" || fail "'$*': error lacks '$phrase': $(cat "$TMP/err")"
}
expect_error "$TMP/missing.ff" --ff "$TMP/missing.ff" --composition 0.5 -o "$TMP/x.data"
expect_error "unknown species 'X'" --ff "$FF" --counts Si=500,X=1 -o "$TMP/x.data"
expect_error "not neutral" --ff "$FF" --counts Si=500,S=1500,Na=1001 -o "$TMP/x.data"
expect_error "use 3000 atoms" --ff "$FF" --composition 0.5 --atoms 3001 -o "$TMP/x.data"
expect_error "[0, 1]" --ff "$FF" --composition 1.5 -o "$TMP/x.data"
expect_error "too high" --ff "$FF" --composition 0.5 --density 0.3 -o "$TMP/x.data"
expect_error "--density" --ff "$FF" --composition 0.5 --density -1 -o "$TMP/x.data"
expect_error "no output file" --ff "$FF" --composition 0.5
expect_error "no composition" --ff "$FF" -o "$TMP/x.data"
expect_error "--bogus" --ff "$FF" --composition 0.5 --bogus -o "$TMP/x.data"
expect_error "lammps or xyz" --ff "$FF" --composition 0.5 --format pdb -o "$TMP/x.data"
expect_error "$TMP/nodir/x.data" --ff "$FF" --composition 0.5 -o "$TMP/nodir/x.data"

if [ "$failures" -ne 0 ]; then
    echo "test_build_cli: $failures failure(s)" >&2
    exit 1
fi
echo "test_build_cli: all checks passed"
