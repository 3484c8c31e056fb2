#!/usr/bin/env bash
# test_run_timing.sh - the timing tables: the one at the end of run.log and the "timing"
# object of `glassmd eval --repeat N`.
#
# run.log (a minimize and an NVT stage with the three-body term sub-stepped, so that every
# phase and term runs): the table follows the "finished" line and holds setup, neighbor,
# each term of the model, integrate, minimize, guard, thermo_io, traj_io, config_io,
# checkpoint and other; every number is finite and >= 0; the parts (other aside) add up to
# no more than the total, and with other to the total; the shares add up to 100 %; each
# term ran once per step at least; md_steps is the steps run, steps_per_s and ns_per_day
# are positive and agree with each other and with md_steps / total.
# eval --repeat 4: "timing" holds total_s and parts neighbor, each term (4 calls each) and
# other, adding up to total_s; the existing keys are still there (time_per_eval_s equals
# total_s / 4).
# Environment: GLASSMD (the binary), GLASSMD_SOURCE_DIR, GLASSMD_TEST_TMP (scratch).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" run_timing

"$GLASSMD" build --ff "$FF" --composition 0.5 --atoms 480 --density 0.043 --seed 5 \
    -o "$TMP/start.data" 2>/dev/null

cat >"$TMP/run.in" <<EOF
config = start.data
forcefield = $FF
seed = 3
kspace = pppm
accuracy = 1e-4
threebody = smooth
threads = 2
thermo_every = 5
traj_every = 10
checkpoint_every = 20
output_dir = run.out
stage = minimize max_steps=20
stage = nvt time=0.04ps T=1500K
stage = write file=end.data
EOF
(cd "$TMP" && "$GLASSMD" run run.in >run.stdout 2>run.stderr) ||
    fail "the run failed: $(tail -2 "$TMP/run.stderr")"
LOG="$TMP/run.out/run.log"

# the table: from its title line to the end of run.log
table=$(sed -n '/^timing of this session/,$p' "$LOG")
if [ -z "$table" ]; then
    fail "run.log has no timing table: $(tail -3 "$LOG")"
elif [ "$(grep -n '^finished at step' "$LOG" | cut -d: -f1)" != \
    "$(($(grep -n '^timing of this session' "$LOG" | cut -d: -f1) - 1))" ]; then
    fail "the timing table does not follow the 'finished' line"
fi
echo "$table"

for part in setup neighbor pppm buckingham/coul threebody integrate minimize guard \
    thermo_io traj_io config_io checkpoint other total; do
    grep -q "^  $part " <<<"$table" || fail "timing table lacks the part '$part'"
done

# rows "  NAME SECONDS PERCENT [CALLS]" between the column header and total
check=$(echo "$table" | awk '
    /^  part / { rows = 1; next }
    rows && $1 == "total" { total = $2; totalpct = $3; rows = 0; next }
    rows {
        if ($2 !~ /^[0-9.]+$/ || $3 !~ /^[0-9.]+$/) bad = bad " " $1 ":not-a-number"
        sum += $2; pct += $3
        if ($1 != "other") parts += $2
        if ($1 == "threebody") three = $4
        if ($1 == "pppm") pppm = $4
    }
    /md_steps = / {
        gsub(",", ""); steps = $3; sps = $6; nsday = $9
    }
    END {
        if (total <= 0) bad = bad " total<=0"
        if (parts > total + 1e-5) bad = bad " parts(" parts ")>total(" total ")"
        if (sum < total - 1e-4 || sum > total + 1e-4) bad = bad " sum(" sum ")!=total(" total ")"
        if (pct < 99.9 || pct > 100.1) bad = bad " shares(" pct ")!=100"
        if (totalpct != 100) bad = bad " total-share(" totalpct ")"
        if (steps != 40) bad = bad " md_steps(" steps ")!=40"
        if (sps <= 0 || nsday <= 0) bad = bad " speed<=0"
        rate = steps / total
        if (sps < rate * 0.99 || sps > rate * 1.01) bad = bad " steps_per_s(" sps ")!=" rate
        ns = sps * 0.001 * 1e-3 * 86400
        if (nsday < ns * 0.99 || nsday > ns * 1.01) bad = bad " ns_per_day(" nsday ")!=" ns
        if (pppm < 40) bad = bad " pppm-calls(" pppm ")<40"
        if (three <= pppm) bad = bad " threebody-calls(" three ")<=pppm(" pppm ")"
        print bad
    }')
[ -z "$check" ] || fail "run.log timing table implausible:$check"

# eval --repeat 4: the timing object
"$GLASSMD" eval "$TMP/start.data" --ff "$FF" --kspace pppm --threads 1 --repeat 4 \
    >"$TMP/eval.json" 2>"$TMP/eval.err" || fail "eval --repeat failed: $(cat "$TMP/eval.err")"
/usr/bin/python3 - "$TMP/eval.json" <<'EOF' || fail "eval timing keys"
import json, math, sys
d = json.load(open(sys.argv[1]))
bad = []
for key in ("natoms", "pe", "buckingham", "coulomb", "threebody", "pressure_virial",
            "kspace", "repeat", "time_per_eval_s", "timing"):
    if key not in d:
        bad.append("missing key " + key)
t = d.get("timing", {})
parts = t.get("parts", {})
for name in ("neighbor", "pppm", "buckingham/coul", "threebody", "other"):
    if name not in parts:
        bad.append("timing.parts lacks " + name)
for name, p in parts.items():
    for key in ("seconds", "per_eval_s", "percent", "calls"):
        if not (key in p and math.isfinite(p[key]) and p[key] >= 0):
            bad.append("timing.parts.%s.%s" % (name, key))
    if name not in ("other", "neighbor") and p.get("calls") != 4:
        bad.append("%s: %s calls, not 4" % (name, p.get("calls")))
total = t.get("total_s", -1)
total_parts = sum(p.get("seconds", 0) for p in parts.values())
if not total > 0 or abs(total_parts - total) > 1e-6 * max(1.0, total):
    bad.append("parts %r != total_s %r" % (total_parts, total))
if abs(d.get("time_per_eval_s", 0) * 4 - total) > 1e-9 * max(1.0, total):
    bad.append("time_per_eval_s * 4 != total_s")
print("eval --repeat 4 timing:", {k: round(v["seconds"], 6) for k, v in parts.items()},
      "total", total)
if bad:
    print("FAIL:", "; ".join(bad), file=sys.stderr)
    sys.exit(1)
EOF

if [ "$failures" -gt 0 ]; then
    echo "$failures failure(s)" >&2
    exit 1
fi
echo "ok: run.log timing table and eval --repeat timing are complete and add up"
