#!/usr/bin/env bash
# test_run_resume.sh - crash safety of `glassmd run`: a run killed at any moment and
# continued with --resume must give exactly the outputs of the uninterrupted run.
#
# Method. A 480-atom 50Na2S-50SiS2 melt (glassmd build, 22.35 A box, cutoff 10 A, PPPM)
# runs minimize (150 FIRE steps), nvt 1500 K, a ramp 1500 -> 1100 K, a 'write' stage
# (T1100.data), nve: 3 x 160 = 480 MD steps, with checkpoint_every 40 (checkpoints inside
# stages and on the stage boundaries at steps 160 and 320), thermo every 10 steps, frames
# every 25 steps in both trajectory formats, 2 threads. It first runs uninterrupted into
# ref.out.
# Then each scenario runs the same input (a copy that differs only in output_dir, which
# the checkpoint's input hash leaves out) into its own folder, interrupts it, and
# resumes it to the end:
#   * --stop-after N (the run stops as if killed after N MD steps, with its outputs
#     flushed past the last checkpoint, so resume must cut them back): N = 1, 137, 160;
#     and a chain of three --stop-after 130 sessions before the final resume;
#   * kill -9 during the minimisation (before the first checkpoint: --resume must say so
#     and start from the beginning), and --resume in a folder that was never run;
#   * kill -9 at random moments: once after 0.35 to 0.95 of the reference wall time, and
#     (robust to a loaded machine) twice after a random number of checkpoints plus a
#     random part of a checkpoint interval; one run killed again while resuming (set
#     GLASSMD_RESUME_SEED to repeat a draw);
#   * SIGTERM and SIGINT after a random number of checkpoints (the run must stop at the
#     next neighbour-list rebuild with a checkpoint, a message and exit status 143 / 130)
#     and SIGTERM during the minimisation;
#   * --resume after the run has ended (must leave every output as it is);
#   * the same schedule at constant pressure (an npt stage and a ramp with P instead of
#     nvt and ramp: the box moves): --stop-after 137, 160, 250, a random kill -9, a
#     SIGTERM and --resume after the end.
# After each scenario final.data, T1100.data, thermo.csv and traj.dump must be
# byte-identical to the reference, traj.nc must be byte-identical or hold identical data
# (ncdump -p 9,17, which prints float32 and double values exactly), and run.log must be
# identical apart from its 'input =' and 'output_dir =' lines, the 'resumed at step'
# lines and the timing table at its end. The step each resume started from (from
# run.log) is printed, so the kill points are visible.
# Environment: GLASSMD (the binary), GLASSMD_SOURCE_DIR, GLASSMD_TEST_TMP (scratch).
set -uo pipefail

GLASSMD=${GLASSMD:?set GLASSMD to the glassmd binary}
SRC=${GLASSMD_SOURCE_DIR:?set GLASSMD_SOURCE_DIR}
TMP=${GLASSMD_TEST_TMP:-/tmp}/run_resume.$$
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT
FF="$SRC/data/forcefields/na2s-sis2.ff"
RANDOM=${GLASSMD_RESUME_SEED:-$$}
# Spinning OpenMP threads crawl on a loaded machine; sleeping ones change no result.
export OMP_WAIT_POLICY=passive
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

now_ms() { date +%s%3N; }

"$GLASSMD" build --ff "$FF" --composition 0.5 --atoms 480 --density 0.043 --seed 7 \
    -o "$TMP/start.data" 2>/dev/null || {
    echo "FAIL: glassmd build failed" >&2
    exit 1
}

# The schedule's MD stages: at constant volume (the first pass) or, with NPT=1 (the
# second), an npt stage and a ramp at constant pressure (the barostat starts at rest,
# carries on into the ramp with its target, stops for the nve stage)
NPT=0
md_stages() {
    if [ $NPT = 1 ]; then
        printf '%s\n' "stage = npt time=0.16ps T=1500K P=20kbar" \
            "stage = ramp from=1500K to=1100K rate=2500K/ps P=10kbar"
    else
        printf '%s\n' "stage = nvt time=0.16ps T=1500K" \
            "stage = ramp from=1500K to=1100K rate=2500K/ps"
    fi
}

# make_input NAME: $TMP/NAME.in, the common schedule with output_dir NAME.out
make_input() {
    cat >"$TMP/$1.in" <<EOF
# resume test: melt, ramp, NVE of a 480-atom 50Na2S-50SiS2 system
config = start.data
forcefield = $FF
seed = 20240611
cutoff = 10
kspace = pppm
accuracy = 1e-4
dt_fs = 1
thermo_every = 10
traj_every = 25
traj_format = both
checkpoint_every = 40
threads = 2
output_dir = $1.out
stage = minimize ftol=1e-6 max_step=0.1 max_steps=150
$(md_stages)
stage = write file=T1100.data
stage = nve time=0.16ps
EOF
}

# run_glassmd NAME ARGS...: runs glassmd run on NAME.in from $TMP, stderr to NAME.err
run_glassmd() {
    local name=$1
    shift
    (cd "$TMP" && "$GLASSMD" run "$name.in" "$@") >>"$TMP/$name.err" 2>&1
}

# resume NAME LABEL: --resume to the end; must succeed
resume() {
    if ! run_glassmd "$1" --resume; then
        fail "$2: --resume failed: $(tail -3 "$TMP/$1.err")"
        return 1
    fi
}

# resumed_from NAME: the steps the resumes of NAME.out started from, from its run.log
resumed_from() {
    local steps
    steps=$(sed -n 's/^resumed at step \([0-9]*\).*/\1/p' "$TMP/$1.out/run.log" | tr '\n' ' ')
    grep -q '^resume asked, but' "$TMP/$1.out/run.log" && steps="(no checkpoint: from scratch) $steps"
    echo "${steps:-none}"
}

# log_without_resume_lines FILE [squeeze]: run.log less the lines a resume may change and
# the timing table at its end (wall-clock times differ from run to run);
# squeeze also merges repeated lines (no caller needs it since the final checkpoint is taken
# before the 'finished' line)
log_without_resume_lines() {
    sed '/^timing of this session/,$d' "$1" |
        grep -v -e '^input = ' -e '^output_dir = ' -e '^resumed at step ' -e '^resume asked, but ' |
        if [ "${2:-}" = squeeze ]; then uniq; else cat; fi
}

# compare NAME LABEL [squeeze]: NAME.out against $REF.out
REF=ref
compare() {
    local name=$1 label=$2 squeeze=${3:-} ok=1 nc_how
    local dir="$TMP/$name.out" ref="$TMP/$REF.out"
    for f in final.data T1100.data thermo.csv traj.dump; do
        if ! cmp -s "$ref/$f" "$dir/$f"; then
            fail "$label: $f differs from the uninterrupted run ($(cmp "$ref/$f" "$dir/$f" 2>&1))"
            ok=0
        fi
    done
    if cmp -s "$ref/traj.nc" "$dir/traj.nc"; then
        nc_how="byte-identical"
    elif diff <(ncdump -p 9,17 "$ref/traj.nc" | tail -n +2) \
        <(ncdump -p 9,17 "$dir/traj.nc" | tail -n +2) >/dev/null; then
        nc_how="same data (ncdump -p 9,17)"
    else
        fail "$label: traj.nc holds other data than the uninterrupted run's"
        nc_how="DIFFERENT"
        ok=0
    fi
    if ! diff <(log_without_resume_lines "$ref/run.log") \
        <(log_without_resume_lines "$dir/run.log" $squeeze) >/dev/null; then
        fail "$label: run.log differs beyond the resume lines: $(diff <(log_without_resume_lines \
            "$ref/run.log") <(log_without_resume_lines "$dir/run.log" $squeeze) | head -5)"
        ok=0
    fi
    if [ $ok = 1 ]; then
        echo "ok  $label: resumed from step(s) $(resumed_from "$name"): final.data," \
            "T1100.data, thermo.csv, traj.dump byte-identical; traj.nc $nc_how; run.log identical" \
            "but for the resume lines"
    fi
}

# ---- the uninterrupted reference --------------------------------------------------------
make_input ref
t0=$(now_ms)
run_glassmd ref || {
    echo "FAIL: the uninterrupted run failed: $(cat "$TMP/ref.err")" >&2
    exit 1
}
wall_ms=$(($(now_ms) - t0))
nthermo=$(($(wc -l <"$TMP/ref.out/thermo.csv") - 1))
nframes=$(grep -c '^ITEM: TIMESTEP' "$TMP/ref.out/traj.dump")
echo "reference: $wall_ms ms wall, $nthermo thermo rows, $nframes frames," \
    "last thermo row: $(tail -1 "$TMP/ref.out/thermo.csv")"
[ "$nthermo" = 49 ] || fail "reference thermo.csv has $nthermo rows, expected 49 (steps 0..480 by 10)"
[ "$nframes" = 19 ] || fail "reference traj.dump has $nframes frames, expected 19"
grep -q '^480,0.480000,' "$TMP/ref.out/thermo.csv" || fail "reference did not reach step 480"

# ---- deterministic interruptions: --stop-after N -----------------------------------------
for n in 1 137 160; do
    name=stop$n
    make_input $name
    if run_glassmd $name --stop-after $n; then
        fail "--stop-after $n: the run did not stop"
        continue
    fi
    grep -q "stopped after $n steps" "$TMP/$name.err" ||
        fail "--stop-after $n: no 'stopped after $n steps' message: $(cat "$TMP/$name.err")"
    [ -e "$TMP/$name.out/final.data" ] && fail "--stop-after $n: final.data written by a stopped run"
    resume $name "--stop-after $n" && compare $name "--stop-after $n, then --resume"
done

# three sessions of 130 steps, then the rest
name=chain
make_input $name
run_glassmd $name --stop-after 130
run_glassmd $name --resume --stop-after 130
run_glassmd $name --resume --stop-after 130
[ "$(grep -c 'stopped after 130 steps' "$TMP/$name.err")" = 3 ] ||
    fail "chain: expected three stops after 130 steps: $(cat "$TMP/$name.err")"
resume $name chain && compare $name "three --stop-after 130 sessions, then --resume"

# ---- no checkpoint yet -------------------------------------------------------------------
# --resume in a folder never run: a note, a start from the beginning, the same outputs.
name=never
make_input $name
if resume $name "--resume with no output folder"; then
    grep -q 'note: no checkpoint in' "$TMP/$name.err" ||
        fail "--resume with no checkpoint printed no note: $(cat "$TMP/$name.err")"
    compare $name "--resume in a folder never run (starts from the beginning)"
fi

# start_into_minimize NAME: starts NAME in the background (its pid in $pid) and returns
# once it is in its minimisation: run.log appears once the model is set up, just before the
# 150-step minimize
start_into_minimize() {
    (cd "$TMP" && exec "$GLASSMD" run "$1.in") >>"$TMP/$1.err" 2>&1 &
    pid=$!
    for _ in $(seq 1 2000); do
        [ -e "$TMP/$1.out/run.log" ] && break
        sleep 0.005
    done
    sleep 0.05
}

# kill -9 during the minimisation: no checkpoint may exist when the kill lands.
name=killmin
make_input $name
start_into_minimize $name
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
if [ -e "$TMP/$name.out/checkpoint.bin" ]; then
    fail "kill during the minimisation landed after it (a checkpoint exists); machine too fast?"
fi
if resume $name "kill -9 during minimize"; then
    grep -q 'note: no checkpoint in' "$TMP/$name.err" ||
        fail "kill during minimize: --resume printed no note: $(cat "$TMP/$name.err")"
    compare $name "kill -9 during the minimisation, then --resume"
fi

# ---- kill -9 at random moments -----------------------------------------------------------
# kill_at NAME FRACTION: start (or resume) NAME and kill -9 it after FRACTION of wall_ms
kill_at() {
    local name=$1 frac=$2
    shift 2
    local delay
    delay=$(awk -v f="$frac" -v w="$wall_ms" 'BEGIN { printf "%.3f", f * w / 1000 }')
    # exec: $! is glassmd itself, not a shell that kill -9 would leave it orphaned by
    (cd "$TMP" && exec "$GLASSMD" run "$name.in" "$@") >>"$TMP/$name.err" 2>&1 &
    local pid=$!
    sleep "$delay"
    if kill -9 $pid 2>/dev/null; then
        echo "    $name: killed after ${delay} s (fraction $frac of the reference wall time)"
    else
        echo "    $name: the run ended before the kill at ${delay} s"
        touch "$TMP/$name.ended" # its next resume logs 'finished' a second time
    fi
    wait $pid 2>/dev/null
}

# wait_checkpoints CKPT K PID [INODE]: waits until CKPT has been replaced K times (each
# checkpoint is renamed into place: a new inode; INODE is the one there before) or PID
# ended; prints how many replacements it saw
wait_checkpoints() {
    local ckpt=$1 k=$2 pid=$3 last=${4:-} seen=0 ino
    while [ $seen -lt "$k" ] && kill -0 "$pid" 2>/dev/null; do
        ino=$(stat -c %i "$ckpt" 2>/dev/null || true)
        if [ -n "$ino" ] && [ "$ino" != "$last" ]; then
            seen=$((seen + 1))
            last=$ino
        fi
        sleep 0.002
    done
    echo $seen
}

# most of these land in the MD stages (the minimize takes about a fifth of the run)
# kill_after_checkpoint NAME K FRACTION [ARGS]: start (or resume) NAME, wait for the K-th
# new checkpoint.bin (each is renamed into place: a new inode), then kill -9 it after
# FRACTION of a checkpoint interval (wall_ms / 12). Unlike a plain delay, this lands in
# the MD stages however loaded the machine is.
kill_after_checkpoint() {
    local name=$1 k=$2 frac=$3 seen last=""
    shift 3
    local ckpt="$TMP/$name.out/checkpoint.bin"
    [ -e "$ckpt" ] && last=$(stat -c %i "$ckpt")
    (cd "$TMP" && exec "$GLASSMD" run "$name.in" "$@") >>"$TMP/$name.err" 2>&1 &
    local pid=$!
    seen=$(wait_checkpoints "$ckpt" "$k" $pid "$last")
    local delay
    delay=$(awk -v f="$frac" -v w="$wall_ms" 'BEGIN { printf "%.3f", f * w / 12000 }')
    sleep "$delay"
    if kill -9 $pid 2>/dev/null; then
        echo "    $name: killed ${delay} s after checkpoint number $seen of this session"
    else
        echo "    $name: the run ended before the kill"
        touch "$TMP/$name.ended"
    fi
    wait $pid 2>/dev/null
}

random_fraction() { awk -v r="$RANDOM" 'BEGIN { printf "%.3f", 0.35 + 0.6 * r / 32767 }'; }

# a random fraction of the reference wall time
name=kill1
make_input $name
kill_at $name "$(random_fraction)"
resume $name "random kill 1" && compare $name "kill -9 at a random moment (1)"
# after a random number (1..11) of checkpoints, a random part of an interval later
for k in 2 3; do
    name=kill$k
    make_input $name
    kill_after_checkpoint $name $((1 + RANDOM % 11)) "$(awk -v r="$RANDOM" 'BEGIN { print r / 32767 }')"
    resume $name "random kill $k" && compare $name "kill -9 at a random moment ($k)"
done

# killed, resumed, killed again while resuming, resumed to the end
name=killtwice
make_input $name
kill_after_checkpoint $name $((1 + RANDOM % 5)) "$(awk -v r="$RANDOM" 'BEGIN { print r / 32767 }')"
kill_after_checkpoint $name $((1 + RANDOM % 5)) "$(awk -v r="$RANDOM" 'BEGIN { print r / 32767 }')" --resume
resume $name "kill twice" && compare $name "kill -9, --resume killed again, --resume"

# ---- SIGTERM / SIGINT: stop with a checkpoint, exit 128 + signal -------------------------
# signal_after_checkpoint NAME K SIGNAL: start NAME, wait for its K-th checkpoint, send
# SIGNAL; the run must finish its step (up to the next neighbour-list rebuild), write a
# checkpoint, say so and exit with 128 + the signal's number; --resume then ends exactly
# as the uninterrupted run (compare).
signal_after_checkpoint() {
    local name=$1 k=$2 sig=$3 want=$4 seen
    local ckpt="$TMP/$name.out/checkpoint.bin"
    (cd "$TMP" && exec "$GLASSMD" run "$name.in") >>"$TMP/$name.err" 2>&1 &
    local pid=$!
    seen=$(wait_checkpoints "$ckpt" "$k" $pid)
    kill -"$sig" $pid 2>/dev/null
    wait $pid
    local code=$?
    if [ "$code" = 0 ]; then
        echo "    $name: the run ended before the $sig (machine too fast?)"
        return 0
    fi
    [ "$code" = "$want" ] || fail "$name: exit status $code after SIG$sig, expected $want"
    grep -q "SIG$sig: stopped on request at step" "$TMP/$name.err" ||
        fail "$name: no stop message after SIG$sig: $(tail -2 "$TMP/$name.err")"
    grep -q "bit for bit as if never stopped" "$TMP/$name.err" ||
        fail "$name: the stop did not wait for a list rebuild: $(tail -1 "$TMP/$name.err")"
    grep -q "^stopped: stopped on request" "$TMP/$name.out/run.log" ||
        fail "$name: run.log does not end with the stop"
    echo "    $name: $(grep -o 'stopped on request at step [0-9]* ([^;]*; asked at step [0-9]*)' "$TMP/$name.err")"
}
for sig in TERM INT; do
    name=sig$sig
    make_input $name
    [ $sig = TERM ] && want=143 || want=130
    signal_after_checkpoint $name $((2 + RANDOM % 8)) $sig $want
    resume $name "SIG$sig" && compare $name "SIG$sig in an MD stage, then --resume"
done
# SIGTERM during the minimisation: it stops there, no checkpoint yet, resume from the start
name=sigmin
make_input $name
start_into_minimize $name
kill -TERM $pid 2>/dev/null
wait $pid
code=$?
if [ -e "$TMP/$name.out/checkpoint.bin" ]; then
    echo "    sigmin: the SIGTERM landed after the minimisation (machine too fast?)"
else
    [ "$code" = 143 ] || fail "sigmin: exit status $code after SIGTERM, expected 143"
    grep -q "stopped on request during the minimisation" "$TMP/$name.err" ||
        fail "sigmin: no minimisation stop message: $(tail -1 "$TMP/$name.err")"
fi
resume $name "SIGTERM in minimize" && compare $name "SIGTERM during the minimisation, then --resume"

# ---- --resume after the end --------------------------------------------------------------
name=ended
make_input $name
run_glassmd $name || fail "ended: the first run failed"
resume $name "--resume after the end" && compare $name "--resume of a run that had ended"

# ---- the same at constant pressure -------------------------------------------------------
# The barostat's state, its chain, the virial of the stored forces and the box the model
# was set up at come back from the checkpoint: --stop-after inside and at the end of the
# npt stage and in the ramp at constant pressure, a random kill -9 and a SIGTERM.
NPT=1
REF=refnpt
make_input refnpt
run_glassmd refnpt || {
    echo "FAIL: the uninterrupted NPT run failed: $(cat "$TMP/refnpt.err")" >&2
    exit 1
}
echo "NPT reference: box from $(sed -n 's/^0,.*,\([0-9.e+]*\),[0-9.e+-]*,start$/\1/p' \
    "$TMP/refnpt.out/thermo.csv") to $(tail -1 "$TMP/refnpt.out/thermo.csv" | cut -d, -f9) A^3"
grep -q '^480,0.480000,' "$TMP/refnpt.out/thermo.csv" || fail "NPT reference did not reach step 480"
# the box must have moved, and be written per frame
[ "$(grep -A1 '^ITEM: BOX BOUNDS' "$TMP/refnpt.out/traj.dump" | grep -v -e ITEM -e -- |
    sort -u | wc -l)" -gt 2 ] || fail "NPT reference: the dump's box does not change"
for n in 137 160 250; do
    name=npt$n
    make_input $name
    run_glassmd $name --stop-after $n
    resume $name "NPT --stop-after $n" && compare $name "NPT: --stop-after $n, then --resume"
done
name=nptkill
make_input $name
kill_after_checkpoint $name $((1 + RANDOM % 11)) "$(awk -v r="$RANDOM" 'BEGIN { print r / 32767 }')"
resume $name "NPT random kill" && compare $name "NPT: kill -9 at a random moment"
name=nptterm
make_input $name
signal_after_checkpoint $name $((2 + RANDOM % 8)) TERM 143
resume $name "NPT SIGTERM" && compare $name "NPT: SIGTERM in an MD stage, then --resume"
name=nptended
make_input $name
run_glassmd $name || fail "nptended: the first run failed"
resume $name "NPT --resume after the end" && compare $name "NPT: --resume of a run that had ended"
grep -q '^kspace_final_box = {"style": "pppm"' "$TMP/refnpt.out/run.log" ||
    fail "NPT reference: run.log names no k-space solver at the final box"

if [ "$failures" -ne 0 ]; then
    echo "test_run_resume: $failures failure(s)" >&2
    exit 1
fi
echo "test_run_resume: all checks passed"
