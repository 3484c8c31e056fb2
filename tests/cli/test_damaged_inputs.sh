#!/usr/bin/env bash
# test_damaged_inputs.sh - damaged and absurd inputs (issue 12 item 4). Each case makes a
# damaged file from a good one and runs the command that reads it, which must refuse it:
# exit status 1 (not a signal: no crash), exactly one line on stderr, naming the file,
# within a time limit (no hang) and a memory limit (no huge allocation: ulimit -v).
#
# Cases: checkpoints truncated, bit-flipped and empty, and with a NaN position, a zero
# time step or a negative box under a correct checksum (glassmd run --resume); LAMMPS dump
# trajectories cut mid-frame, with a changing atom count, a step going backwards, a missing
# coordinate column, NaN and Inf coordinates and an Inf box, 10^12 atoms declared, a
# duplicate atom id; XYZ trajectories cut mid-frame, with a step going backwards, a
# changing atom count and a missing coordinate column; a NetCDF trajectory truncated and
# with a flipped header count (glassmd analyze); LAMMPS data and extended XYZ configurations with 10^12 atoms declared,
# a zero and an inverted box, duplicate atom ids, two atoms at the same place, NaN and Inf
# coordinates (glassmd eval; the same place also as a run's start); a force field with a NaN parameter; run inputs with 10^8
# threads, NaN / negative / infinite values; --threads 10^8 for run, eval and analyze,
# build with 10^12 atoms or a NaN density; study inputs with 10^12 atoms, 10^8 threads per
# job, NaN and out-of-range values (glassmd study --dry-run); an experimental S(k) with NaN.
# Environment: GLASSMD (the binary), GLASSMD_SOURCE_DIR, GLASSMD_TEST_TMP (scratch).
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" damaged_inputs

# An AddressSanitizer build cannot run under ulimit -v; there an allocation over 4 GiB is
# ASan's error (not exit status 1) instead.
ASAN_BUILD=
grep -qa __asan_init "$GLASSMD" && ASAN_BUILD=1

# refused CASE FILE CMD...: CMD must exit 1 with one stderr line naming FILE (its base
# name; for a command-line value, the option), in under 60 s and 4 GiB of address space.
refused() {
    local case=$1 file=${2##*/}
    shift 2
    local err="$TMP/$case.err" rc
    if [ -n "$ASAN_BUILD" ]; then # ASan reserves terabytes of shadow: its own cap instead
        ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}max_allocation_size_mb=4096" \
            timeout 60 "$@" >/dev/null 2>"$err"
    else
        (ulimit -v 4194304 && timeout 60 "$@") >/dev/null 2>"$err"
    fi
    rc=$?
    local lines
    lines=$(wc -l <"$err")
    if [ "$rc" -ne 1 ]; then
        fail "$case: exit status $rc (want 1): $(head -c 600 "$err")"
    elif [ "$lines" -ne 1 ]; then
        fail "$case: $lines lines on stderr (want 1): $(head -c 600 "$err")"
    elif ! grep -qF -e "$file" "$err"; then
        fail "$case: the error does not name $file: $(cat "$err")"
    fi
}

# ---- a good tiny system: 12 atoms, a run with a checkpoint and trajectories
"$GLASSMD" build --ff "$FF" --counts Si=2,S=6,Na=4 --density 0.02 --seed 3 -o "$TMP/good.data" \
    2>/dev/null || { echo "FAIL: glassmd build failed" >&2; exit 1; }
"$GLASSMD" build --ff "$FF" --counts Si=2,S=6,Na=4 --density 0.02 --seed 3 -o "$TMP/good.xyz" \
    2>/dev/null || { echo "FAIL: glassmd build failed" >&2; exit 1; }
cat >"$TMP/good.in" <<EOT
config = good.data
forcefield = $FF
seed = 1
kspace = ewald
cutoff = 2.2
thermo_every = 1
traj_every = 1
traj_format = both
checkpoint_every = 2
threads = 1
stage = nvt time=0.004ps T=300K
EOT
"$GLASSMD" run "$TMP/good.in" >/dev/null 2>&1 || { echo "FAIL: the good run failed" >&2; exit 1; }
OUT="$TMP/good.out"
[ -s "$OUT/checkpoint.bin" ] && [ -s "$OUT/traj.dump" ] && [ -s "$OUT/traj.nc" ] ||
    { echo "FAIL: the good run wrote no checkpoint or trajectory" >&2; exit 1; }
cp "$OUT/checkpoint.bin" "$TMP/good.ckpt"
cp "$OUT/traj.dump" "$TMP/good.dump"
cp "$OUT/traj.nc" "$TMP/good.nc"

# ---- checkpoints (glassmd run --resume)
resume_with() { # CASE: resume the good run from $OUT/checkpoint.bin as damaged by the caller
    refused "$1" checkpoint.bin "$GLASSMD" run "$TMP/good.in" --resume
    cp "$TMP/good.ckpt" "$OUT/checkpoint.bin"
}
size=$(stat -c %s "$TMP/good.ckpt")
head -c $((size / 2)) "$TMP/good.ckpt" >"$OUT/checkpoint.bin"
resume_with checkpoint_truncated
: >"$OUT/checkpoint.bin"
resume_with checkpoint_empty
cp "$TMP/good.ckpt" "$OUT/checkpoint.bin"
printf '\xff' | dd of="$OUT/checkpoint.bin" bs=1 seek=$((size / 3)) conv=notrunc 2>/dev/null
resume_with checkpoint_bitflip
printf '\x7f' | dd of="$OUT/checkpoint.bin" bs=1 seek=20 conv=notrunc 2>/dev/null
resume_with checkpoint_natoms_flip
# damaged and summed again (the checksum right): a NaN position, a zero time step and a
# negative box length must still be refused (checkpoint.c's layout, version 2: the first
# position at 820 + 20 n bytes, dt_ps at 56, box length x at 620)
resum() { # OFFSET HEX-BYTES: write the bytes at OFFSET, then the FNV-1a checksum again
    python3 - "$OUT/checkpoint.bin" "$1" "$2" <<'PY'
import sys
path, offset, data = sys.argv[1], int(sys.argv[2]), bytes.fromhex(sys.argv[3])
b = bytearray(open(path, "rb").read())
b[offset:offset + len(data)] = data
h = 0xcbf29ce484222325
for x in b[:-8]:
    h = ((h ^ x) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
b[-8:] = h.to_bytes(8, "little")
open(path, "wb").write(bytes(b))
PY
}
resum $((820 + 20 * 12)) 000000000000f87f
resume_with checkpoint_nan_position_resummed
resum 56 0000000000000000
resume_with checkpoint_zero_dt_resummed
resum 620 000000000000f0bf
resume_with checkpoint_negative_box_resummed
for case in nan_position zero_dt negative_box; do # past the checksum: the value is named
    grep -q "impossible value" "$TMP/checkpoint_${case}_resummed.err" ||
        fail "checkpoint_${case}_resummed: not refused for its value: $(cat "$TMP/checkpoint_${case}_resummed.err")"
done

# ---- trajectories (glassmd analyze)
analyze() { # CASE FILE [FORMAT]
    local fmt=()
    [ $# -ge 3 ] && fmt=(--format "$3")
    refused "$1" "$2" "$GLASSMD" analyze "$2" --ff "$FF" "${fmt[@]}" --out "$TMP/$1.an"
}
lines=$(wc -l <"$TMP/good.dump")
per_frame=$((lines / 5))
head -n $((per_frame + per_frame / 2 + 3)) "$TMP/good.dump" >"$TMP/cut.dump"
analyze dump_cut_mid_frame "$TMP/cut.dump"
# frame 2 with 11 atoms: the count and the last atom line dropped
awk -v pf="$per_frame" 'NR > pf && NR <= 2 * pf && $0 == "12" { print "11"; next }
     NR == 2 * pf { next } { print }' "$TMP/good.dump" >"$TMP/count.dump"
analyze dump_atom_count_changes "$TMP/count.dump"
awk -v pf="$per_frame" 'NR == pf + 2 { print "0"; next } { print }' "$TMP/good.dump" \
    >"$TMP/backwards.dump"
analyze dump_step_backwards "$TMP/backwards.dump"
sed 's/^ITEM: ATOMS id type element q xu yu zu$/ITEM: ATOMS id type element q xu yu/' \
    "$TMP/good.dump" | awk 'NF == 7 { NF = 6 } { print }' >"$TMP/nocol.dump"
analyze dump_missing_z_column "$TMP/nocol.dump"
awk -v pf="$per_frame" 'NR == pf + 12 { $5 = "nan" } { print }' "$TMP/good.dump" >"$TMP/nan.dump"
analyze dump_nan_coordinate "$TMP/nan.dump"
awk 'NR == 12 { $6 = "inf" } { print }' "$TMP/good.dump" >"$TMP/inf.dump"
analyze dump_inf_coordinate "$TMP/inf.dump"
awk 'NR == 6 { $2 = "inf" } { print }' "$TMP/good.dump" >"$TMP/infbox.dump"
analyze dump_inf_box "$TMP/infbox.dump"
awk 'NR == 4 { print "1000000000000"; next } { print }' "$TMP/good.dump" >"$TMP/huge.dump"
analyze dump_1e12_atoms "$TMP/huge.dump"
awk 'NR == 11 { $1 = "1" } { print }' "$TMP/good.dump" >"$TMP/dupid.dump"
analyze dump_duplicate_ids "$TMP/dupid.dump"
{ cat "$TMP/good.xyz"; cat "$TMP/good.xyz"; } | head -n 20 >"$TMP/cut.xyz"
analyze xyz_cut_mid_frame "$TMP/cut.xyz" xyz
{ sed '2s/comment=/step=5 comment=/' "$TMP/good.xyz"
  sed '2s/comment=/step=2 comment=/' "$TMP/good.xyz"; } >"$TMP/backwards.xyz"
analyze xyz_step_backwards "$TMP/backwards.xyz" xyz
{ cat "$TMP/good.xyz"; sed '1s/12/11/' "$TMP/good.xyz" | head -n 13; } >"$TMP/count.xyz"
analyze xyz_atom_count_changes "$TMP/count.xyz" xyz
{ cat "$TMP/good.xyz"
  sed '2s/pos:R:3/pos:R:2/' "$TMP/good.xyz" | awk 'NR > 2 { $4 = $5; NF = 4 } { print }'; } \
    >"$TMP/nocol.xyz"
analyze xyz_missing_z_column "$TMP/nocol.xyz" xyz
ncsize=$(stat -c %s "$TMP/good.nc")
head -c $((ncsize * 2 / 3)) "$TMP/good.nc" >"$TMP/cut.nc"
analyze netcdf_truncated "$TMP/cut.nc"
cp "$TMP/good.nc" "$TMP/flip.nc"
printf '\x7f' | dd of="$TMP/flip.nc" bs=1 seek=12 conv=notrunc 2>/dev/null
analyze netcdf_header_count_flipped "$TMP/flip.nc"

# ---- configurations (glassmd eval)
evaluate() { refused "$1" "$2" "$GLASSMD" eval "$2" --ff "$FF" --kspace none --cutoff 2.2; }
data_case() { # CASE AWK-PROGRAM: the good data file through awk
    awk "$2" "$TMP/good.data" >"$TMP/$1.data"
    evaluate "$1" "$TMP/$1.data"
}
data_case data_1e12_atoms '/ atoms$/ { $1 = "1000000000000" } { print }'
data_case data_zero_box '/xlo xhi$/ { $2 = $1 } { print }'
data_case data_inverted_box '/ylo yhi$/ { t = $1; $1 = $2; $2 = t } { print }'
data_case data_inf_box '/zlo zhi$/ { $2 = "inf" } { print }'
data_case data_duplicate_ids '/^Atoms/ { a = 1 } a && $1 == "2" && NF >= 6 { $1 = "1" } { print }'
data_case data_same_place '/^Atoms/ { a = 1 } a && NF >= 6 && $1 == "1" { x = $4; y = $5; z = $6 }
    a && NF >= 6 && $1 == "5" { $4 = x; $5 = y; $6 = z } { print }'
data_case data_nan_coordinate '/^Atoms/ { a = 1 } a && NF >= 6 && $1 == "3" { $5 = "nan" } { print }'
data_case data_inf_coordinate '/^Atoms/ { a = 1 } a && NF >= 6 && $1 == "4" { $6 = "-inf" } { print }'
awk 'NR == 1 { print "1000000000000"; next } { print }' "$TMP/good.xyz" >"$TMP/huge.xyz"
evaluate xyz_1e12_atoms "$TMP/huge.xyz"
awk 'NR == 3 { $2 = "nan" } { print }' "$TMP/good.xyz" >"$TMP/nan.xyz"
evaluate xyz_nan_coordinate "$TMP/nan.xyz"
sed 's/^Lattice="\([0-9.e+-]*\) /Lattice="0 /' "$TMP/good.xyz" >"$TMP/zero.xyz"
evaluate xyz_zero_box "$TMP/zero.xyz"
awk 'NR == 4 { $5 = "1" } { print }' "$TMP/good.xyz" >"$TMP/dupid.xyz"
evaluate xyz_duplicate_ids "$TMP/dupid.xyz"
awk 'NR == 3 { x = $2; y = $3; z = $4 } NR == 5 { $2 = x; $3 = y; $4 = z } { print }' \
    "$TMP/good.xyz" >"$TMP/same.xyz"
evaluate xyz_same_place "$TMP/same.xyz"
# a run starting from two atoms at one place
sed 's/^config = good.data$/config = data_same_place.data/' "$TMP/good.in" >"$TMP/same-place.in"
refused run_start_same_place data_same_place.data "$GLASSMD" run "$TMP/same-place.in"

# ---- a force field with a NaN parameter (the first number of the first pair line)
awk '!done && /^[A-Z][a-z]? +[A-Z][a-z]? +[0-9]/ { $3 = "nan"; done = 1 } { print }' "$FF" \
    >"$TMP/nan.ff"
if cmp -s "$FF" "$TMP/nan.ff"; then
    fail "forcefield_nan: the test found no pair line to damage"
else
    refused forcefield_nan nan.ff "$GLASSMD" eval "$TMP/good.data" --ff "$TMP/nan.ff"
fi

# ---- run inputs (glassmd run): each case is the good input with one line changed
run_case() { # CASE SED-EXPRESSION
    sed "$2" "$TMP/good.in" >"$TMP/$1.in"
    refused "$1" "$1.in" "$GLASSMD" run "$TMP/$1.in"
}
run_case run_threads_1e8 's/^threads = 1$/threads = 100000000/'
run_case run_dt_nan 's/^seed = 1$/seed = 1\ndt_fs = nan/'
run_case run_dt_negative 's/^seed = 1$/seed = 1\ndt_fs = -1/'
run_case run_cutoff_inf 's/^cutoff = 2.2$/cutoff = inf/'
run_case run_thermo_negative 's/^thermo_every = 1$/thermo_every = -5/'
run_case run_stage_T_inf 's/T=300K/T=infK/'
run_case run_stage_T_nan 's/T=300K/T=nanK/'
run_case run_stage_time_huge 's/time=0.004ps/time=1e300ps/'
run_case run_seed_text 's/^seed = 1$/seed = one/'
# the same absurd values on the command line: the error names the option
refused run_option_threads_1e8 --threads "$GLASSMD" run "$TMP/good.in" --threads 100000000
refused eval_option_threads_1e8 --threads "$GLASSMD" eval "$TMP/good.data" --ff "$FF" \
    --threads 100000000
refused analyze_option_threads_1e8 --threads "$GLASSMD" analyze "$TMP/good.dump" --ff "$FF" \
    --threads 100000000 --out "$TMP/threads.an"
refused build_option_atoms_1e12 atoms "$GLASSMD" build --ff "$FF" \
    --counts Si=1000000000000,S=3000000000000,Na=2000000000000 -o "$TMP/huge-build.data"
refused build_option_density_nan --density "$GLASSMD" build --ff "$FF" \
    --counts Si=2,S=6,Na=4 --density nan -o "$TMP/nan-build.data"

# ---- study inputs (glassmd study --dry-run)
cat >"$TMP/good.ini" <<EOT
forcefield = $FF
compositions = 0.5
atoms = 300
density = 0.043
seed = 1
melt_T = 2000
melt_time = 1
quench_rate = 200
isotherms = 1000
isotherm_equil = 1
isotherm_time = 1
glass_T = 300
glass_time = 1
threads_per_job = 1
cutoff = 8
EOT
"$GLASSMD" study "$TMP/good.ini" --dry-run >/dev/null 2>&1 ||
    fail "the good study input is refused: $("$GLASSMD" study "$TMP/good.ini" --dry-run 2>&1 | head -3)"
study_case() { # CASE SED-EXPRESSION
    sed "$2" "$TMP/good.ini" >"$TMP/$1.ini"
    refused "$1" "$1.ini" "$GLASSMD" study "$TMP/$1.ini" --dry-run
}
study_case study_atoms_1e12 's/^atoms = 300$/atoms = 1000000000000/'
study_case study_threads_1e8 's/^threads_per_job = 1$/threads_per_job = 100000000/'
study_case study_composition_nan 's/^compositions = 0.5$/compositions = nan/'
study_case study_composition_2 's/^compositions = 0.5$/compositions = 2/'
study_case study_density_zero 's/^density = 0.043$/density = 0/'
study_case study_melt_T_inf 's/^melt_T = 2000$/melt_T = inf/'
study_case study_time_negative 's/^glass_time = 1$/glass_time = -1/'
study_case study_rate_nan 's/^quench_rate = 200$/quench_rate = nan/'

# ---- an experimental S(k) with a NaN
printf '# k S\n1.0 0.5\n1.5 nan\n2.0 1.0\n' >"$TMP/nan-sq.txt"
refused exp_sq_nan nan-sq.txt "$GLASSMD" analyze "$TMP/good.dump" --ff "$FF" \
    --exp-sq "$TMP/nan-sq.txt" --out "$TMP/expsq.an"

finish damaged_inputs
