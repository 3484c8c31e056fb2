#!/usr/bin/env bash
# test_study.sh - `glassmd study` end to end on a tiny study: two compositions (x = 0.5,
# 0.8) of 120 atoms (14.1 A box at 0.043 atoms/A^3, so cutoff 6 A with Ewald), a 2 ps
# melt, a quench at 1000 K/ps cut at 1500 and 1000 K, three isotherms (2000 K from the
# melt) of 0.5 + 2 ps, a 2 ps glass; 26 jobs in all.
#  1. it runs end to end; every analysis has results.json with a finite D(Na), the
#     summaries and the report exist; a second run skips every job and touches nothing;
#  2. a copy killed with -9 in the middle of an isotherm (its workers die with it) and run
#     again resumes that job from its checkpoint, redoes no finished job (job.json mtimes),
#     and ends with the same final.data files (byte for byte) and analysis numbers as the
#     uninterrupted run;
#  2b. the same with SIGTERM (exit status 143, the job marked interrupted, the workers
#     stop with checkpoints; the next run resumes and ends bit for bit the same);
#  3. changing the lowest isotherm (1000 -> 900 K) redoes the quench (its cut points
#     changed), that isotherm, the glass (the quench's end changed) and what depends on
#     them, and skips the two isotherms above it (their starting files are byte-identical);
#  4. mpirun -np 3 (rank 0 schedules, two worker ranks) gives the same final.data files and
#     analysis numbers as the single-process run;
#  5. bad study files stop before any job runs, with file, line and fix.
# Environment: GLASSMD (the binary), GLASSMD_SOURCE_DIR, GLASSMD_TEST_TMP (scratch).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" study
source "$(dirname "${BASH_SOURCE[0]}")/study_lib.sh"

# ---- 1. end to end ------------------------------------------------------------------------
write_study "$TMP/a.ini" "2000, 1500, 1000"
t0=$(date +%s.%N)
"$GLASSMD" study "$TMP/a.ini" --progress 2 2> "$TMP/a.log" || fail "the tiny study failed: $(tail -3 "$TMP/a.log")"
# stderr is a file here, not a terminal: progress comes as whole lines every 2 s
nprog=$(grep -c "^glassmd study: done [0-9]*/26, running [0-9]*, left [0-9]* |" "$TMP/a.log")
[ "$nprog" -ge 3 ] || fail "only $nprog progress lines in the study's log (every 2 s expected)"
grep -q $'\r' "$TMP/a.log" && fail "the study's log holds carriage returns (a terminal status line)"
t1=$(date +%s.%N)
echo "tiny study: $(echo "$t1 - $t0" | bc) s wall"
A="$TMP/a.study"
grep -qx "threebody_substeps = 4" "$A/x0.50/r1/melt/run.in" &&
    grep -qx "threebody_substeps = 4" "$A/x0.50/r1/melt/run.log" ||
    fail "threebody_substeps of the study file did not reach the jobs' run inputs"
# chain = auto (the default) reaches every run input; the force field's hard cut makes it 1
grep -qx "chain = auto" "$A/x0.50/r1/iso-1000K/run.in" &&
    grep -q "^chain = 1 (auto: a hard-cut three-body term)" "$A/x0.50/r1/iso-1000K/run.log" ||
    fail "chain = auto did not reach the run input or resolve to 1: $(grep chain "$A/x0.50/r1/iso-1000K/run.log")"
statuses "$A/plan.json" > "$TMP/a.status"
[ "$(grep -c ' done$' "$TMP/a.status")" = "$(wc -l < "$TMP/a.status")" ] ||
    fail "not every job is done: $(grep -v ' done$' "$TMP/a.status" | head -3)"
/usr/bin/python3 - "$A" <<'PY' || fail "analysis results missing or not finite"
import json, math, pathlib, sys
root = pathlib.Path(sys.argv[1])
files = sorted(root.glob("*/r1/*/analysis/results.json"))
assert len(files) == 8, files
for f in files:
    r = json.load(open(f))
    # the temperature is measured from the analysed MD job's own thermo.csv
    thermo = f.parent.parent / "thermo.csv"
    assert r["temperature_source"] == "thermo " + str(thermo), (f, r["temperature_source"])
    assert r["temperature_setpoint_K"] == float(f.parent.parent.name.split("-")[1][:-1]), f
    assert r["temperature_K"] > 0 and not r["temperature_thermo"]["whole_file"], f
    assert r["conductivity_S_cm"]["temperature_K"] == r["temperature_K"], f
    d = r["diffusion_cm2_s"]["Na"]["D"]
    assert math.isfinite(d) and d > 0, (f, d)
    assert math.isfinite(r["conductivity_S_cm"]["einstein_helfand"]["value"]), f
for x in ("x0.50", "x0.80"):
    a = json.load(open(root / x / "arrhenius" / "results.json"))["arrhenius"]
    assert math.isfinite(a["D_Na"]["E_A_eV"]) and a["D_Na"]["npoints"] == 3, a["D_Na"]
PY
for f in summary/iso-2000K.csv summary/iso-1000K.csv summary/glass-300K.csv summary/arrhenius.csv; do
    [ -s "$A/$f" ] || fail "$f missing"
done
[ "$(wc -l < "$A/summary/iso-1500K.csv")" = 3 ] || fail "iso-1500K.csv should have 2 rows"
head -1 "$A/summary/iso-1500K.csv" | grep -q "^composition,x,replica,T_set_K,T_K,T_err_K," ||
    fail "iso-1500K.csv does not give T_set_K, T_K, T_err_K side by side: $(head -1 "$A/summary/iso-1500K.csv" | cut -c1-80)"
if grep -q '"report"' "$A/plan.json"; then
    [ -s "$A/report/index.html" ] || fail "report/index.html missing"
    # the report names the model the study ran (the force field's default, the hard cut)
    grep -q '<p id="model">Three-body term: the hard cut at r3 = 2.7 A (the paper' "$A/report/index.html" &&
        grep -q 'Nose-Hoover thermostat (chain = 1, auto)' "$A/report/index.html" ||
        fail "report/index.html does not name the model (hard cut, chain 1)"
fi
ls -l --time-style=+%s.%N -R "$A" > "$TMP/a.ls"
"$GLASSMD" study "$TMP/a.ini" 2> "$TMP/a2.log" || fail "the second run failed"
grep -q "0 run, 26 skipped" "$TMP/a2.log" || fail "second run redid jobs: $(tail -1 "$TMP/a2.log")"
ls -l --time-style=+%s.%N -R "$A" | grep -v "plan.json" > "$TMP/a2.ls"
grep -v "plan.json" "$TMP/a.ls" | cmp -s - "$TMP/a2.ls" || fail "the second run touched files"

# isotherm_past_40 STUDYDIR: waits (up to 60 s) until an isotherm of x0.50 has done 40 % of
# its job and prints its folder (nothing if none did)
isotherm_past_40() {
    for _ in $(seq 1 3000); do
        for p in "$1"/x0.50/r1/iso-*K/progress; do
            [ -f "$p" ] || continue
            if awk '{exit !($1 > 0.4)}' "$p" 2>/dev/null; then dirname "$p"; return; fi
        done
        sleep 0.02
    done
}

# freeze / thaw STUDYFILE: stop the study and its workers where they are (SIGSTOP) and let
# them go on (SIGCONT)
freeze() { pkill -STOP -f "study $1"; }
thaw() { pkill -CONT -f "study $1"; }

# pick_running STUDYFILE STUDYDIR: once an isotherm of x0.50 has done 40 %, freezes the study
# and prints the folder of an isotherm that, frozen, is still running (job.json) and between
# 40 % (so it has a checkpoint to resume from) and 80 % (so it is not in its last steps or
# writing its outputs when the signal arrives); the study stays frozen, so a signal sent
# next finds that job still running however fast the jobs are (a tiny isotherm takes well
# under a second, and under load the polling can lag that much). If none is, thaws and
# tries again; nothing printed (and the study thawed) when none is caught in 60 s.
pick_running() {
    for _ in $(seq 1 50); do
        [ -n "$(isotherm_past_40 "$2")" ] || break
        freeze "$1"
        for j in "$2"/x0.50/r1/iso-*K/job.json; do
            d=$(dirname "$j")
            grep -q '"running"' "$j" 2>/dev/null &&
                awk '{exit !($1 > 0.4 && $1 < 0.8)}' "$d/progress" 2>/dev/null &&
                { echo "$d"; return; }
        done
        thaw "$1"
        sleep 0.02
    done
    thaw "$1"
}

# ---- 2. kill -9 in the middle of a job, then resume --------------------------------------
write_study "$TMP/b.ini" "2000, 1500, 1000"
B="$TMP/b.study"
"$GLASSMD" study "$TMP/b.ini" 2> "$TMP/b1.log" &
pid=$!
victim=$(pick_running "$TMP/b.ini" "$B")
kill -9 "$pid"
thaw "$TMP/b.ini"
wait "$pid" 2>/dev/null
sleep 1
[ -n "$victim" ] || fail "no isotherm reached 40 % before the kill"
pgrep -f "study $TMP/b.ini" > /dev/null && fail "workers survived the killed study"
grep -q '"running"' "$victim/job.json" || fail "the killed job is not marked running"
done_before=$(grep -l '"done"' $(find "$B" -name job.json) | sort)
ls -l --time-style=+%s.%N $done_before > "$TMP/b-done.ls"
"$GLASSMD" study "$TMP/b.ini" 2> "$TMP/b2.log" || fail "the resumed study failed: $(tail -2 "$TMP/b2.log")"
ls -l --time-style=+%s.%N $done_before | cmp -s - "$TMP/b-done.ls" || fail "finished jobs were redone"
grep -Eq '"resumed":[[:space:]]*true' "$victim/job.json" || fail "the killed job did not resume"
grep -q "resumed at step" "$victim/run.log" "$victim/equil/run.log" 2>/dev/null ||
    fail "no checkpoint resume in $victim"
echo "killed and resumed: ${victim#$B/} ($(grep -h 'resumed at step' "$victim/run.log" "$victim/equil/run.log" 2>/dev/null | head -1))"
same_results "$A" "$B" "kill -9 + resume"

# ---- 2b. SIGTERM in the middle of a job (a batch system's stop), then resume ---------------
# The scheduler passes the stop to its workers, which finish their step, write a checkpoint
# and exit; the study exits with 143 (128 + SIGTERM), marks the job interrupted (not done)
# and the next run resumes it, ending with the same results bit for bit.
write_study "$TMP/c.ini" "2000, 1500, 1000"
C="$TMP/c.study"
"$GLASSMD" study "$TMP/c.ini" 2> "$TMP/c1.log" &
pid=$!
victim=$(pick_running "$TMP/c.ini" "$C")
kill -TERM "$pid"
thaw "$TMP/c.ini"
wait "$pid"
code=$?
[ -n "$victim" ] || fail "no isotherm reached 40 % before the SIGTERM"
[ "$code" = 143 ] || fail "the study stopped by SIGTERM exited with $code, not 143: $(tail -2 "$TMP/c1.log")"
grep -q "SIGTERM: stopped on request" "$TMP/c1.log" || fail "no stop message: $(tail -2 "$TMP/c1.log")"
sleep 0.5
pgrep -f "study $TMP/c.ini" > /dev/null && fail "workers survived the stopped study"
grep -q '"interrupted"' "$victim/job.json" || fail "the stopped job is not marked interrupted"
# (not `statuses | grep -q`: under pipefail grep's early exit would fail the pipe)
grep -qx "${victim#$C/} interrupted" <<<"$(statuses "$C/plan.json")" ||
    fail "plan.json does not show ${victim#$C/} interrupted"
stopline=$(grep -rh "^stopped: stopped on request" "$victim" | head -1)
[ -n "$stopline" ] || fail "no 'stopped' line in the run.log of $victim"
"$GLASSMD" study "$TMP/c.ini" 2> "$TMP/c2.log" || fail "the study resumed after SIGTERM failed: $(tail -2 "$TMP/c2.log")"
grep -q "resumed at step" "$victim/run.log" "$victim/equil/run.log" 2>/dev/null ||
    fail "no checkpoint resume in $victim after SIGTERM"
echo "SIGTERM and resumed: ${victim#$C/} ($(echo "$stopline" | cut -c1-80))"
same_results "$A" "$C" "SIGTERM + resume"

# ---- 3. one isotherm changed -------------------------------------------------------------
write_study "$TMP/b.ini" "2000, 1500, 900"
"$GLASSMD" study "$TMP/b.ini" 2> "$TMP/b3.log" || fail "the changed study failed"
statuses "$B/plan.json" > "$TMP/b3.status"
for j in build melt iso-2000K iso-1500K iso-2000K/analysis iso-1500K/analysis; do
    for x in x0.50 x0.80; do
        grep -qx "$x/r1/$j skipped" "$TMP/b3.status" || fail "$x/r1/$j was redone after changing the 1000 K isotherm"
    done
done
for j in quench iso-900K iso-900K/analysis; do
    grep -qx "x0.50/r1/$j done" "$TMP/b3.status" || fail "x0.50/r1/$j was not redone"
done
# the glass starts from the quench's end: redone exactly when those bytes changed (a ramp
# cut at other temperatures can end bit-identical when the step counts add up the same)
if cmp -s "$A/x0.50/r1/quench/final.data" "$B/x0.50/r1/quench/final.data"; then want=skipped; else want=done; fi
grep -qx "x0.50/r1/glass-300K $want" "$TMP/b3.status" || fail "glass-300K should be $want"
grep -qx "x0.50/r1/glass-300K/analysis $want" "$TMP/b3.status" || fail "glass analysis should be $want"
echo "isotherm 1000 -> 900 K: $(grep -c ' done$' "$TMP/b3.status") jobs redone, $(grep -c ' skipped$' "$TMP/b3.status") skipped (glass: $want)"
grep -qx "x0.50/arrhenius done" "$TMP/b3.status" || fail "the Arrhenius fit was not redone"
cmp -s "$A/x0.50/r1/quench/T1500.data" "$B/x0.50/r1/quench/T1500.data" ||
    fail "T1500.data changed although the quench above 1000 K is the same"
grep -q "x0.50/r1/iso-1000K" "$TMP/b3.status" && fail "the old 1000 K isotherm is still planned"

# ---- 4. MPI ------------------------------------------------------------------------------
if command -v mpirun > /dev/null; then
    write_study "$TMP/m.ini" "2000, 1500, 1000"
    mpirun --allow-run-as-root --oversubscribe -np 3 "$GLASSMD" study "$TMP/m.ini" 2> "$TMP/m.log" ||
        fail "the MPI study failed: $(tail -3 "$TMP/m.log")"
    if grep -q "built without MPI" "$TMP/m.log"; then
        echo "SKIP: glassmd built without MPI"
    else
        same_results "$A" "$TMP/m.study" "mpirun -np 3"
        echo "mpirun -np 3: same final.data and analysis numbers as the single-process run"
    fi
else
    echo "SKIP: no mpirun"
fi

# ---- 5. bad study files ------------------------------------------------------------------
bad_case() { # name, expected message part, sed expression on the good file
    local name=$1 want=$2
    write_study "$TMP/$name.ini" "2000, 1500, 1000"
    sed -i "$3" "$TMP/$name.ini"
    if "$GLASSMD" study "$TMP/$name.ini" 2> "$TMP/$name.err"; then
        fail "$name: accepted"
    fi
    grep -qF -- "$want" "$TMP/$name.err" || fail "$name: message '$(cat "$TMP/$name.err")' lacks '$want'"
    [ -e "$TMP/$name.study" ] && fail "$name: jobs ran (output folder created)"
    grep -q "$name.ini:[0-9]" "$TMP/$name.err" || fail "$name: no file:line in '$(cat "$TMP/$name.err")'"
}
bad_case unknown "unknown key 'melt_tme'; did you mean 'melt_time'?" 's/^melt_time/melt_tme/'
bad_case charged "is not neutral" 's/^compositions = .*/counts = Si=10,S=20,Na=5/'
bad_case order "order.ini:8: isotherms: 1500 K follows 1000 K; list the temperatures" \
    's/^isotherms = .*/isotherms = 1000, 1500/'
bad_case expfile "exp_sq file 'no-such-file.dat' does not exist" '$a exp_sq = no-such-file.dat'
bad_case bigcut "is not less than half the box" 's/^cutoff = .*/cutoff = 10/'
for name in unknown charged order expfile bigcut; do echo "bad study $name: $(cat "$TMP/$name.err")"; done

if [ "$failures" -gt 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "all study checks passed"
