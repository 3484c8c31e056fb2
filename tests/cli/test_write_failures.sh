#!/usr/bin/env bash
# test_write_failures.sh - a run or an analysis that cannot write its outputs (file-size
# limit, full disk, a folder that cannot be made) stops with one clear error naming the
# file and exit status 1, leaves its last good checkpoint intact, and `--resume` once the
# space is back ends byte for byte as the uninterrupted run.
#
# Method. A 480-atom 50Na2S-50SiS2 melt (minimize, nvt 0.5 ps at 1500 K, nve 0.2 ps; thermo
# every 10 steps, frames every 25 in both formats, checkpoint every 100 steps, 1 thread)
# runs uninterrupted into ref.out. Then:
#   1. under `prlimit --fsize` at limits that make the NetCDF header, the first checkpoint
#      and the dump trajectory (early and late) the first file to hit the limit (glassmd
#      ignores SIGXFSZ, so the write fails with EFBIG instead of killing the process);
#   2. into a 240 KiB tmpfs (a full disk, ENOSPC), when this machine lets the test mount
#      one (root with CAP_SYS_ADMIN; skipped otherwise);
#   3. with output_dir below a regular file (no folder can be made there);
# each run must fail with exit status 1 and an error naming a file of its output folder;
# in 1 and 2 the folder is then resumed without the limit (2: after copying it to the real
# disk) and final.data, thermo.csv and traj.dump must equal the reference's.
#   4. `glassmd analyze` under small size limits fails naming its output file.
# Environment: GLASSMD (the binary), GLASSMD_SOURCE_DIR, GLASSMD_TEST_TMP (scratch).
set -uo pipefail
TMP_CLEANUP='umount "$TMP/small" 2>/dev/null'
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" write_failures
MNT="$TMP/small"

build_start 7

# make_input NAME OUTDIR: $TMP/NAME.in writing into OUTDIR
make_input() {
    cat >"$TMP/$1.in" <<EOI
config = $TMP/start.data
forcefield = $FF
seed = 5
cutoff = 10
kspace = pppm
accuracy = 1e-4
dt_fs = 1
thermo_every = 10
traj_every = 25
traj_format = both
checkpoint_every = 100
threads = 1
output_dir = $2
stage = minimize ftol=1e-6 max_step=0.1 max_steps=100
stage = nvt time=0.5ps T=1500K
stage = nve time=0.2ps
EOI
}

# same_as_ref DIR LABEL: the outputs of DIR equal the reference's
same_as_ref() {
    local f ok=1
    for f in final.data thermo.csv traj.dump; do
        cmp -s "$TMP/ref.out/$f" "$1/$f" || {
            fail "$2: $f differs from the uninterrupted run"
            ok=0
        }
    done
    [ $ok = 1 ] && echo "ok  $2: resumed to the end, outputs byte-identical to the reference"
}

# failed_run CODE NAME OUTDIR LABEL: the run NAME (stderr in NAME.err) must have failed
# with exit status 1 and one error line naming a file in OUTDIR; returns 1 if it succeeded
failed_run() {
    local code=$1 log="$TMP/$2.err" line
    if [ "$code" = 0 ]; then
        fail "$4: the run succeeded"
        return 1
    fi
    [ "$code" = 1 ] || fail "$4: exit status $code, expected 1 (killed by a signal?)"
    line=$(grep -c "error:" "$log")
    [ "$line" = 1 ] || fail "$4: expected one error line, got $line: $(cat "$log")"
    grep -q "error: .*$3/[a-z.]*" "$log" || fail "$4: the error does not name a file of $3: $(cat "$log")"
    echo "    $4: $(grep error: "$log" | sed "s|$TMP/||g")"
}

make_input ref "$TMP/ref.out"
"$GLASSMD" run "$TMP/ref.in" 2>"$TMP/ref.err" || {
    echo "FAIL: the reference run failed: $(cat "$TMP/ref.err")" >&2
    exit 1
}
for f in traj.dump traj.nc thermo.csv checkpoint.bin; do
    echo "reference $f: $(stat -c %s "$TMP/ref.out/$f") bytes"
done

# ---- 1. file-size limits --------------------------------------------------------------
for limit in 1000 20000 150000 400000; do
    name=fsize$limit
    make_input $name "$TMP/$name.out"
    prlimit --fsize=$limit "$GLASSMD" run "$TMP/$name.in" 2>"$TMP/$name.err"
    failed_run $? $name "$TMP/$name.out" "fsize $limit" || continue
    "$GLASSMD" run "$TMP/$name.in" --resume 2>>"$TMP/$name.err" ||
        fail "fsize $limit: --resume without the limit failed: $(tail -1 "$TMP/$name.err")"
    same_as_ref "$TMP/$name.out" "fsize $limit"
done

# ---- 2. a full disk (a small tmpfs, if this machine lets us mount one) --------------------
mkdir -p "$MNT"
if mount -t tmpfs -o size=240k tmpfs "$MNT" 2>/dev/null; then
    make_input full "$MNT/full.out"
    "$GLASSMD" run "$TMP/full.in" 2>"$TMP/full.err"
    if failed_run $? full "$MNT/full.out" "full disk"; then
        cp -a "$MNT/full.out" "$TMP/full.out"
        make_input full "$TMP/full.out"
        "$GLASSMD" run "$TMP/full.in" --resume 2>>"$TMP/full.err" ||
            fail "full disk: --resume on a disk with space failed: $(tail -1 "$TMP/full.err")"
        same_as_ref "$TMP/full.out" "full disk"
    fi
    umount "$MNT"
else
    echo "    full disk: skipped (cannot mount a tmpfs here)"
fi

# ---- 3. an output folder that cannot be made ------------------------------------------
touch "$TMP/plainfile"
make_input nodir "$TMP/plainfile/out"
"$GLASSMD" run "$TMP/nodir.in" 2>"$TMP/nodir.err"
code=$?
[ $code = 1 ] || fail "output folder below a file: exit status $code, expected 1"
grep -q "plainfile" "$TMP/nodir.err" || fail "output folder below a file: the error does not name it: $(cat "$TMP/nodir.err")"
echo "    no folder: $(sed "s|$TMP/||g" "$TMP/nodir.err")"

# ---- 4. analysis outputs --------------------------------------------------------------
for limit in 2000 40000; do
    prlimit --fsize=$limit "$GLASSMD" analyze "$TMP/ref.out/traj.dump" --ff "$FF" \
        --out "$TMP/an$limit" >/dev/null 2>"$TMP/an$limit.err"
    code=$?
    [ $code = 1 ] || fail "analyze, fsize $limit: exit status $code, expected 1"
    grep -q "error: .*$TMP/an$limit/[a-z_.]*" "$TMP/an$limit.err" ||
        fail "analyze, fsize $limit: the error does not name an output file: $(cat "$TMP/an$limit.err")"
    echo "    analyze fsize $limit: $(sed "s|$TMP/||g" "$TMP/an$limit.err")"
done

finish test_write_failures
