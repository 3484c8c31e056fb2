#!/usr/bin/env bash
# test_run_errors.sh - `glassmd run` on bad inputs and bad physics: each case must exit
# non-zero (by a status, not a signal), print exactly one line "glassmd run: error: ..."
# on stderr that names the cause (and the fix), and leave no NaN or inf in any output.
#
# Cases: a key with a typo (the closest key suggested), a stage with a negative time, a
# missing config file, a missing input file, a starting configuration with an S and an
# Na atom 0.3 A apart (inside the S-Na barrier top at 0.348 A: the collapse check must
# name both atom ids, with or without a minimize stage first), a blow-up from a huge time
# step and a hot start (dt_fs = 50, 3000 K: the run must stop at step 1 naming atoms and
# a cure), the same with walls on every pair and the collapse check off (so only the
# run's displacement guard can catch it: it must name the atom, the step and the cure;
# a guard that looked at velocities only let this run "succeed" with pe = 5e8 eV, as the
# thermostat had zeroed the velocities), --resume after the input changed (a
# setting, the force field), --resume from a truncated checkpoint; and two that must
# work: --resume after only a comment was added, and --resume after output_dir changed
# with the folder moved along.
# Environment: GLASSMD (the binary), GLASSMD_SOURCE_DIR, GLASSMD_TEST_TMP (scratch).
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" run_errors

build_start 7

# write_input NAME [EXTRA LINES...]: a valid short run NAME.in (output NAME.out) with
# the extra lines appended; a line "stage = ..." among them replaces the default stage.
write_input() {
    local name=$1
    shift
    {
        echo "config = start.data"
        echo "forcefield = $FF"
        echo "seed = 11"
        echo "cutoff = 10"
        echo "kspace = pppm"
        echo "accuracy = 1e-4"
        echo "threads = 2"
        echo "thermo_every = 1"
        echo "traj_every = 5"
        echo "checkpoint_every = 5"
        echo "output_dir = $name.out"
        printf '%s\n' "$@"
        printf '%s\n' "$@" | grep -q '^stage' || echo "stage = nvt time=0.02ps T=1000K"
    } >"$TMP/$name.in"
}

# no_nan NAME: no NaN or inf in any output of NAME.out
no_nan() {
    local dir="$TMP/$1.out" f
    [ -d "$dir" ] || return 0
    for f in "$dir"/thermo.csv "$dir"/traj.dump "$dir"/final.data "$dir"/run.log; do
        [ -e "$f" ] || continue
        if grep -qiwE 'nan|-?inf(inity)?' "$f"; then
            fail "$1: $(basename "$f") holds NaN/inf: $(grep -iwE 'nan|-?inf(inity)?' "$f" | head -2)"
        fi
    done
    # grep -c reads all of ncdump's output: with -q its early exit would make ncdump die of
    # SIGPIPE and, under pipefail, the whole test false even when it matched
    if [ -e "$dir/traj.nc" ] && [ "$(ncdump "$dir/traj.nc" 2>/dev/null | grep -ciE 'nan|inf[^o]')" -gt 0 ]; then
        fail "$1: traj.nc holds NaN/inf"
    fi
}

# expect_error NAME 'PHRASE...' -- ARGS: glassmd run ARGS (from $TMP) must fail with one
# error line that contains every phrase (phrases separated by '|')
expect_error() {
    local name=$1 phrases=$2
    shift 3
    (cd "$TMP" && "$GLASSMD" run "$@") >"$TMP/$name.stdout" 2>"$TMP/$name.err"
    local rc=$?
    echo "$name (exit $rc): $(cat "$TMP/$name.err")"
    if [ $rc = 0 ]; then
        fail "$name: succeeded; expected an error"
    elif [ $rc -ge 128 ]; then
        fail "$name: killed by a signal (exit $rc)"
    fi
    if [ "$(wc -l <"$TMP/$name.err")" != 1 ] || ! grep -q '^glassmd run: error: ' "$TMP/$name.err"; then
        fail "$name: stderr is not one error line"
    fi
    local IFS='|' p
    for p in $phrases; do
        grep -qF -- "$p" "$TMP/$name.err" || fail "$name: the error lacks '$p'"
    done
    no_nan "$name"
}

# ---- input errors ------------------------------------------------------------------------
write_input typo "thermo_evry = 10"
expect_error typo "typo.in:12|unknown key 'thermo_evry'|did you mean 'thermo_every'" -- typo.in

write_input negtime "stage = nve time=-5ps"
expect_error negtime "negtime.in:12|'-5ps' must be positive" -- negtime.in

write_input noconfig
sed -i 's/^config = start.data/config = nothere.data/' "$TMP/noconfig.in"
expect_error noconfig "noconfig.in:1|'nothere.data' does not exist" -- noconfig.in

expect_error noinput "absent.in" -- absent.in

# ---- overlapping atoms -------------------------------------------------------------------
# the first Na atom moved to 0.3 A from the first S atom (along x)
awk '/^Atoms/ { on = 1; print; next } /^Velocities/ { on = 0 }
     on && NF >= 7 && $2 == 2 && !s { s = 1; sx = $4; sy = $5; sz = $6; sid = $1 }
     on && NF >= 7 && $2 == 3 && s && !n { n = 1; $4 = sx + 0.3; $5 = sy; $6 = sz; nid = $1 }
     { print }
     END { print sid, nid > "/dev/stderr" }' "$TMP/start.data" >"$TMP/overlap.data" 2>"$TMP/ids"
read -r s_id na_id <"$TMP/ids"
write_input overlap
sed -i 's/^config = start.data/config = overlap.data/' "$TMP/overlap.in"
expect_error overlap "overlap.data|starting configuration|$s_id (S)|$na_id (Na)|0.3000 A|Cure" -- overlap.in
write_input overlapmin "stage = minimize max_steps=50" "stage = nvt time=0.02ps T=1000K"
sed -i 's/^config = start.data/config = overlap.data/' "$TMP/overlapmin.in"
expect_error overlapmin "overlap.data|$s_id (S)|$na_id (Na)" -- overlapmin.in

# ---- blow-ups ----------------------------------------------------------------------------
write_input hot "dt_fs = 50" "velocity_K = 3000" "stage = nvt time=0.5ps T=1000K"
expect_error hot "step 1 (stage nvt)|atoms|Cure|time step" -- hot.in
[ -e "$TMP/hot.out/final.data" ] && fail "hot: a final.data was written"

# walls on every Buckingham pair, collapse check off: only the displacement guard is left
sed -E 's/^((S|Na) +(S|Si|Na) +[0-9]+ +[0-9.]+ +[0-9]+) *$/\1 wall 50 12 safe 0/' "$FF" >"$TMP/walls.ff"
[ "$(grep -c 'wall 50 12 safe 0' "$TMP/walls.ff")" = 4 ] || fail "walls.ff: expected 4 walled pairs"
write_input guard "dt_fs = 50" "velocity_K = 20000" "stage = nvt time=0.5ps T=1000K"
sed -i "s|^forcefield = .*|forcefield = walls.ff|" "$TMP/guard.in"
expect_error guard "step 1 (stage nvt)|an atom moves too fast|atom id|in one step|smaller dt_fs" -- guard.in
write_input guard5 "dt_fs = 5" "velocity_K = 3000" "stage = nvt time=1ps T=3000K"
sed -i "s|^forcefield = .*|forcefield = walls.ff|" "$TMP/guard5.in"
expect_error guard5 "(stage nvt)|an atom moves too fast|atom id|smaller dt_fs" -- guard5.in

# ---- resume ------------------------------------------------------------------------------
# stop after 7 steps (checkpoint at 5), then resume with a changed input
prepare_resume() {
    write_input "$1"
    (cd "$TMP" && "$GLASSMD" run "$1.in" --stop-after 7) >/dev/null 2>&1
    [ -e "$TMP/$1.out/checkpoint.bin" ] || fail "$1: no checkpoint after 7 steps"
}
prepare_resume changed
sed -i 's/^seed = 11/seed = 12/' "$TMP/changed.in"
expect_error changed "changed.in|changed since this checkpoint" -- changed.in --resume

prepare_resume ffchanged
sed 's/^Na    Na   13000 /Na    Na   13001 /' "$FF" >"$TMP/ff2.ff"
sed -i "s|^forcefield = .*|forcefield = ff2.ff|" "$TMP/ffchanged.in"
expect_error ffchanged "changed since this checkpoint" -- ffchanged.in --resume

prepare_resume truncated
head -c 1000 "$TMP/truncated.out/checkpoint.bin" >"$TMP/t.bin" && mv "$TMP/t.bin" "$TMP/truncated.out/checkpoint.bin"
expect_error truncated "checkpoint.bin|truncated" -- truncated.in --resume

# what may change: comments and layout, and output_dir (the folder moved along with it)
prepare_resume comment
sed -i '1i # a comment added after the checkpoint' "$TMP/comment.in"
if (cd "$TMP" && "$GLASSMD" run comment.in --resume) >/dev/null 2>"$TMP/comment.err"; then
    echo "comment: --resume after adding a comment works"
else
    fail "comment: --resume refused after a comment was added: $(cat "$TMP/comment.err")"
fi
prepare_resume moved
mv "$TMP/moved.out" "$TMP/moved2.out"
sed -i 's/^output_dir = moved.out/output_dir = moved2.out/' "$TMP/moved.in"
if (cd "$TMP" && "$GLASSMD" run moved.in --resume) >/dev/null 2>"$TMP/moved.err"; then
    echo "moved: --resume after moving output_dir works"
else
    fail "moved: --resume refused after output_dir moved: $(cat "$TMP/moved.err")"
fi

if [ "$failures" -ne 0 ]; then
    echo "test_run_errors: $failures failure(s)" >&2
    exit 1
fi
echo "test_run_errors: all checks passed"
