#!/usr/bin/env bash
# test_eval_cli.sh - `glassmd eval`: the JSON contract and forces file on a good input, and
# bad inputs, each of which must exit with status 1 (no crash, no signal) and print exactly
# one line "glassmd eval: error: ..." naming the file, the line where there is one, and the
# cause. Environment: GLASSMD (the binary), GLASSMD_SOURCE_DIR, GLASSMD_TEST_TMP (scratch).
set -euo pipefail

GLASSMD=${GLASSMD:?set GLASSMD to the glassmd binary}
SRC=${GLASSMD_SOURCE_DIR:?set GLASSMD_SOURCE_DIR}
TMP=${GLASSMD_TEST_TMP:-/tmp}/eval_cli.$$
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT
FF="$SRC/data/forcefields/na2s-sis2.ff"
passed=0
failed=0
ok() { passed=$((passed + 1)); }
fail() {
    echo "FAIL: $*" >&2
    failed=$((failed + 1))
}

"$GLASSMD" build --ff "$FF" --composition 0.5 --atoms 1500 --density 0.043 --seed 3 \
    -o "$TMP/good.data" 2>/dev/null

# --- the contract on a good input
if "$GLASSMD" eval "$TMP/good.data" --ff "$FF" --kspace pppm --forces "$TMP/f.txt" \
    >"$TMP/good.json" 2>"$TMP/good.err"; then
    ok
    for key in natoms volume pe buckingham coulomb threebody pressure_virial kspace; do
        if grep -q "\"$key\":" "$TMP/good.json"; then ok; else fail "JSON lacks key $key"; fi
    done
    n=$(grep -vc '^#' "$TMP/f.txt")
    if [ "$n" = 1500 ]; then ok; else fail "forces file has $n lines, not 1500"; fi
    if awk '!/^#/ && NF != 4 {bad=1} END {exit bad}' "$TMP/f.txt"; then ok; else fail "forces lines are not 'id fx fy fz'"; fi
    if awk '!/^#/ {if ($1 <= prev) bad=1; prev=$1} END {exit bad}' "$TMP/f.txt"; then ok; else fail "forces not sorted by id"; fi
    if grep -qiE 'nan|inf' "$TMP/good.json" "$TMP/f.txt"; then fail "non-finite numbers in output"; else ok; fi
else
    fail "eval of a good configuration failed: $(cat "$TMP/good.err")"
fi

# expect_error NAME PATTERN... -- ARGS: exit status 1, one stderr line, every pattern in it
expect_error() {
    local name=$1
    shift
    local patterns=()
    while [ "$1" != "--" ]; do
        patterns+=("$1")
        shift
    done
    shift
    local rc=0
    "$GLASSMD" eval "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" || rc=$?
    local msg
    msg=$(cat "$TMP/$name.err")
    if [ "$rc" != 1 ]; then
        fail "$name: exit status $rc (want 1): $msg"
        return
    fi
    if [ "$(wc -l <"$TMP/$name.err")" != 1 ] || ! grep -q '^glassmd eval: error: ' "$TMP/$name.err"; then
        fail "$name: not one 'glassmd eval: error:' line: $msg"
        return
    fi
    for p in "${patterns[@]}"; do
        if ! grep -qF -- "$p" "$TMP/$name.err"; then
            fail "$name: message lacks '$p': $msg"
            return
        fi
    done
    echo "ok $name: $msg"
    ok
}

# a broken force-field line (the S S pair: rho not a number)
line=$(grep -n '^S  *S  *42800' "$FF" | cut -d: -f1)
sed "${line}s/0.284/0.2x4/" "$FF" >"$TMP/broken.ff"
grep -q '0.2x4' "$TMP/broken.ff" || fail "could not make broken.ff"
expect_error broken_ff "broken.ff:$line" "0.2x4" -- "$TMP/good.data" --ff "$TMP/broken.ff"

# a missing pair (S Na removed)
grep -v '^S     Na' "$FF" >"$TMP/missing.ff"
expect_error missing_pair "missing.ff" "S" "Na" "missing" -- "$TMP/good.data" --ff "$TMP/missing.ff"

# a non-neutral data file: one Na (type 3, +0.6) turned into S (type 2, -1.2)
awk 'BEGIN{d=0} /^Atoms/{on=1} /^Velocities/{on=0}
     on && NF>=6 && $2==3 && !d {d=1; $2=2; $3=-1.2} {print}' "$TMP/good.data" >"$TMP/charged.data"
expect_error non_neutral "charged.data" "neutral" -- "$TMP/charged.data" --ff "$FF"

# an unknown species in --types
expect_error unknown_species "Xx" "Si" -- "$TMP/good.data" --ff "$FF" --types Si,Xx,Na

# a cut-off longer than half the box (box 32.7 A)
expect_error long_cutoff "half the box" -- "$TMP/good.data" --ff "$FF" --cutoff 17

# a missing file, configuration and force field
expect_error missing_config "nope.data" -- "$TMP/nope.data" --ff "$FF"
expect_error missing_ff "nope.ff" -- "$TMP/good.data" --ff "$TMP/nope.ff"

# overlapping atoms: the collapse guard names both atoms
# (first pass: the position of the first S; second pass: the first Na put 0.3 A from it)
awk 'NR==FNR {if (/^Atoms/) on=1; if (/^Velocities/) on=0;
              if (on && NF>=6 && $2==2 && !s) {s=$1; x=$4; y=$5; z=$6}; next}
     /^Atoms/{on=1} /^Velocities/{on=0}
     on && NF>=6 && $2==3 && !d {d=$1; $4=x; $5=y; $6=z+0.3; $7=$8=$9=0} {print}
     END {print s, d > "/dev/stderr"}' "$TMP/good.data" "$TMP/good.data" >"$TMP/overlap.data" 2>"$TMP/overlap.ids"
read -r sid naid <"$TMP/overlap.ids"
expect_error overlap "collapse" "$sid (S)" "$naid (Na)" "0.3000 A" -- "$TMP/overlap.data" --ff "$FF"

# a bad option value
expect_error bad_accuracy "--accuracy" -- "$TMP/good.data" --ff "$FF" --accuracy 2

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
