#!/usr/bin/env bash
# test_batch_logs.sh - a run started without a terminal (a batch job: stderr to a file)
# shows its progress: a whole progress line every --progress seconds on stderr, and
# thermo.csv growing row by row while the run is going (so `tail -f` follows it); --quiet
# prints no progress. (The study's progress lines are checked in test_study.sh.)
# Row by row means the file never ends inside a row when sampled.
# Method: a 480-atom melt, nvt for 4 ps at 1500 K, thermo every 10 steps, 1 thread, with
# --progress 0.3; thermo.csv's row count is sampled while the process lives.
# Environment: GLASSMD (the binary), GLASSMD_SOURCE_DIR, GLASSMD_TEST_TMP (scratch).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" batch_logs

build_start 7
make_input() {
    cat >"$TMP/$1.in" <<EOI
config = start.data
forcefield = $FF
seed = 5
cutoff = 10
kspace = pppm
accuracy = 1e-4
thermo_every = 10
traj_every = 0
checkpoint_every = 1000
threads = 1
output_dir = $1.out
stage = nvt time=4ps T=1500K
EOI
}

make_input loud
"$GLASSMD" run "$TMP/loud.in" --progress 0.3 2>"$TMP/loud.err" &
pid=$!
samples=""
partial=0
while kill -0 $pid 2>/dev/null; do
    if [ -s "$TMP/loud.out/thermo.csv" ]; then
        samples="$samples $(wc -l <"$TMP/loud.out/thermo.csv")"
        # row by row: the file never ends inside a row (a stdio buffer would cut one)
        [ "$(tail -c 1 "$TMP/loud.out/thermo.csv" | od -An -c | tr -d ' ')" = '\n' ] ||
            partial=$((partial + 1))
    fi
    sleep 0.2
done
wait $pid || fail "the run failed: $(tail -2 "$TMP/loud.err")"
# distinct row counts seen while it ran: thermo.csv grew in steps, not at the end only
grown=$(echo $samples | tr ' ' '\n' | sort -un | wc -l)
[ "$grown" -ge 3 ] || fail "thermo.csv did not grow while the run went (row counts seen:$samples)"
[ "$partial" = 0 ] || fail "thermo.csv ended inside a row at $partial of its samples (buffered, not row by row)"
nprog=$(grep -c '^glassmd run: \[ *[0-9.]*%\] stage 1/1 nvt *step [0-9]* *t=[0-9.]* ps *T=[0-9.]* K .* ns/day *ETA [0-9]* s$' "$TMP/loud.err")
[ "$nprog" -ge 2 ] || fail "only $nprog progress lines on stderr: $(head -3 "$TMP/loud.err")"
grep -q $'\r' "$TMP/loud.err" && fail "stderr holds carriage returns (a terminal status line) though it is a file"
echo "progress lines: $nprog; thermo.csv row counts seen while running:$samples"

make_input quiet
"$GLASSMD" run "$TMP/quiet.in" --quiet --progress 0.3 2>"$TMP/quiet.err" || fail "the --quiet run failed"
grep -q "%\]" "$TMP/quiet.err" && fail "--quiet printed progress: $(head -2 "$TMP/quiet.err")"
"$GLASSMD" run "$TMP/quiet.in" --progress 0 2>"$TMP/bad.err" && fail "--progress 0 was accepted"
grep -q "progress '0'" "$TMP/bad.err" || fail "--progress 0: no clear error: $(cat "$TMP/bad.err")"
finish test_batch_logs
