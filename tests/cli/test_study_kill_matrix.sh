#!/usr/bin/env bash
# test_study_kill_matrix.sh - a study killed with -9 again and again at random moments, and
# run again after each kill, ends with exactly the results of an uninterrupted study.
#
# Method. The tiny study of test_study.sh (two compositions of 120 atoms, 26 jobs) runs
# once uninterrupted (a.study, wall time T). Then b.study is started KILLS times (default
# 10) and killed with -9 after a random time in [0.3 s, 2 T / KILLS] (so the kills spread
# over the whole study, in any job: build, melt, quench, isotherms, analyses, report), each
# time checking that no worker outlives the scheduler, and finally run to its end. Every
# final.data must equal a.study's byte for byte and every analysis number must be equal.
# The kill times, the jobs that were running and the jobs redone are printed.
# KILL_MATRIX_STUDY=FILE runs the same on another study file (e.g. the README's quick
# study, by hand: the figure quoted in the session notes), KILL_MATRIX_KILLS=N sets the
# number of kills, GLASSMD_KILL_SEED the random draw.
# Environment: GLASSMD (the binary), GLASSMD_SOURCE_DIR, GLASSMD_TEST_TMP (scratch).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" study_kill_matrix
source "$(dirname "${BASH_SOURCE[0]}")/study_lib.sh"
KILLS=${KILL_MATRIX_KILLS:-10}
RANDOM=${GLASSMD_KILL_SEED:-$$}
echo "seed ${GLASSMD_KILL_SEED:-$$}, $KILLS kills"

# study_copy NAME: $TMP/NAME.ini writing into $TMP/NAME.study
study_copy() {
    if [ -n "${KILL_MATRIX_STUDY:-}" ]; then
        sed "s|^output_dir *=.*||; s|^forcefield *= *\.\./|forcefield = $(dirname "$(realpath "$KILL_MATRIX_STUDY")")/../|" \
            "$KILL_MATRIX_STUDY" > "$TMP/$1.ini"
        echo "output_dir = $TMP/$1.study" >> "$TMP/$1.ini"
    else
        write_study "$TMP/$1.ini" "2000, 1500, 1000"
    fi
}

study_copy a
t0=$(date +%s%N)
"$GLASSMD" study "$TMP/a.ini" --quiet 2> "$TMP/a.log" || {
    echo "FAIL: the uninterrupted study failed: $(tail -3 "$TMP/a.log")" >&2
    exit 1
}
T_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "uninterrupted study: $T_ms ms"

study_copy b
for k in $(seq 1 "$KILLS"); do
    delay=$(awk -v r="$RANDOM" -v t="$T_ms" -v n="$KILLS" 'BEGIN { printf "%.2f", 0.3 + r / 32767 * (2 * t / n / 1000 - 0.3) }')
    "$GLASSMD" study "$TMP/b.ini" --quiet 2>> "$TMP/b.log" &
    pid=$!
    sleep "$delay"
    running=$(statuses "$TMP/b.study/plan.json" 2>/dev/null | awk '$2 == "running" {print $1}' | tr '\n' ' ')
    if kill -9 "$pid" 2>/dev/null; then
        wait "$pid" 2>/dev/null
        sleep 0.3
        pgrep -f "study $TMP/b.ini" > /dev/null && fail "kill $k: workers outlived the killed study"
        echo "kill $k after $delay s; running: ${running:-(none yet)}"
    else
        wait "$pid" 2>/dev/null
        echo "kill $k: the study had ended before $delay s"
    fi
done
"$GLASSMD" study "$TMP/b.ini" 2> "$TMP/b-final.log" || fail "the last run of the killed study failed: $(tail -2 "$TMP/b-final.log")"
echo "last run: $(tail -1 "$TMP/b-final.log")"
statuses "$TMP/b.study/plan.json" | grep -v -e ' done$' -e ' skipped$' | head -3 | while read -r line; do
    fail "not finished after the last run: $line"
done
same_results "$TMP/a.study" "$TMP/b.study" "$KILLS kills -9 and resumes"
[ "$failures" = 0 ] && echo "after $KILLS kills: every final.data byte-identical, every analysis number equal"
finish test_study_kill_matrix
