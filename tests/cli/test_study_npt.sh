#!/usr/bin/env bash
# test_study_npt.sh - `glassmd study` at constant pressure (study key pressure) on a tiny
# study: one composition (x = 0.5, 120 atoms, made at 0.043 atoms/A^3), at 1 bar, where
# the melt expands (LAMMPS halves its density within 5 ps: issue 14): a 0.3 ps NPT melt,
# an NPT quench at 4000 K/ps, one isotherm (1000 K) and the glass (300 K), each
# equilibrated under NPT for 0.3 ps and run 0.3 ps under NVT at the settled volume; 9 jobs.
#  1. --dry-run lists the NPT stages (melt, quench ramps at P, the equilibrations with the
#     volume-settled check) with their estimates;
#  2. the jobs' run inputs run NPT (melt, quench, equil/) and the productions NVT from
#     equil/settled.data;
#  3. the densities (density.json, summary/density.csv, the report's density.csv and
#     density-x.csv, the production's own thermo) agree with N / <V> over the second half
#     of equil/thermo.csv, computed here from the thermo file and the data file's atoms
#     and masses; the density figures (drawn and embedded when gnuplot is there) and the
#     table are in the report; whichever states the check finds unsettled after 0.3 ps
#     (the barostat's swing decides; not asserted), exactly those are warned about;
#  4. a deliberately too short equilibration (isotherm_equil = 0.015 ps: 8 thermo rows in
#     its second half, too few to judge) leaves both states NOT settled, and this is said
#     in the study's log (again when the jobs are skipped), in the summary tables
#     (volume_settled 0), at the top of the report and in its dynamics table; the melt and
#     quench are not redone;
#  5. bad pressure values stop before any job runs, with file, line and cure.
# The drift detection itself is tested on synthetic series (tests/unit/test_study_settle.c).
# Environment: GLASSMD (the binary), GLASSMD_SOURCE_DIR, GLASSMD_TEST_TMP (scratch).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" study_npt

write_npt_study() { # file
    cat > "$1" <<EOF
forcefield = $FF
compositions = 0.5
atoms = 120
density = 0.043
melt_T = 2000
melt_time = 0.3
quench_rate = 4000 K/ps
isotherms = 1000
isotherm_equil = 0.3
isotherm_time = 0.3
glass_T = 300
glass_time = 0.3
kspace = ewald
accuracy = 1e-3    # 257 k-vectors: the box changes every step
cutoff = 6
threebody_substeps = 4
traj_every = 10
traj_format = dump
jobs = 2
pressure = 1 bar   # the melt at 0.043 atoms/A^3 expands
EOF
}

# ---- 1. the dry run ------------------------------------------------------------------------
write_npt_study "$TMP/p.ini"
"$GLASSMD" study "$TMP/p.ini" --dry-run > "$TMP/dry.txt" 2>&1 || fail "the dry run failed: $(tail -3 "$TMP/dry.txt")"
grep -q "^at constant pressure 1 bar (study key pressure): the MD jobs' runs and their estimates" "$TMP/dry.txt" ||
    fail "the dry run does not list the constant-pressure runs: $(cat "$TMP/dry.txt")"
grep -Eq "x0.50/r1/melt +minimize; npt 0.3 ps at 2000 K, 1 bar \[[0-9.]+ (s|min)\]" "$TMP/dry.txt" ||
    fail "the dry run lacks the NPT melt with its estimate"
grep -Eq "x0.50/r1/quench +ramp \(npt\) 2000 -> 1000 K at 4000 K/ps, 1 bar; ramp \(npt\) 1000 -> 300 K" "$TMP/dry.txt" ||
    fail "the dry run lacks the quench ramps at constant pressure"
for j in iso-1000K glass-300K; do
    grep -Eq "x0.50/r1/$j +equil/: npt 0.3 ps at [0-9]+ K, 1 bar; the volume-settled check, the box scaled to the settled mean volume \[[0-9.]+ (s|min)\]" "$TMP/dry.txt" ||
        fail "the dry run lacks $j's NPT equilibration with its estimate"
done
[ -e "$TMP/p.study/x0.50" ] && fail "the dry run ran jobs"

# ---- 2. the run -------------------------------------------------------------------------------
"$GLASSMD" study "$TMP/p.ini" --quiet 2> "$TMP/p.log" || fail "the study failed: $(tail -3 "$TMP/p.log")"
P="$TMP/p.study/x0.50/r1"
grep -qx "stage = npt time=0.3ps T=2000K P=1bar" "$P/melt/run.in" || fail "the melt is not NPT: $(grep stage "$P/melt/run.in")"
[ "$(grep -c "^stage = ramp .* P=1bar$" "$P/quench/run.in")" = 2 ] || fail "the quench's ramps do not hold the pressure"
for j in iso-1000K glass-300K; do
    grep -q "^stage = npt time=0.3ps T=[0-9]*K P=1bar$" "$P/$j/equil/run.in" || fail "$j: equil/ is not NPT"
    grep -q "^stage = nvt time=0.3ps" "$P/$j/run.in" || fail "$j: the production is not NVT"
    grep -q "^config = .*/$j/equil/settled.data$" "$P/$j/run.in" || fail "$j: the production does not start from equil/settled.data"
    grep -q ",npt$" "$P/$j/equil/thermo.csv" || fail "$j: equil/thermo.csv has no npt rows"
done

# ---- 3. the densities, computed here from thermo.csv and the data file ----------------------
/usr/bin/python3 - "$TMP/p.study" <<'PY' || fail "the densities disagree with the thermo files"
import csv, json, pathlib, sys
root = pathlib.Path(sys.argv[1]); r1 = root / "x0.50" / "r1"

def rows(path):
    with open(path) as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))

def atoms_and_mass(data):
    """atom count and mean mass (g/mol) from a LAMMPS data file's Masses and Atoms."""
    lines = open(data).read().splitlines()
    masses, types, section = {}, [], None
    for ln in lines:
        w = ln.split()
        if not w: continue
        if w[0] in ("Masses", "Atoms", "Velocities"): section = w[0]; continue
        if section == "Masses" and len(w) >= 2: masses[w[0]] = float(w[1])
        if section == "Atoms" and len(w) >= 6: types.append(w[1])
    return len(types), sum(masses[t] for t in types) / len(types)

to_g = 1.66053906660  # g/mol per A^3 in g/cm^3
summary = {r["state"]: r for r in rows(root / "summary" / "density.csv")}
report = {r["state"]: r for r in rows(root / "report" / "density.csv")}
glass_x = rows(root / "report" / "density-x.csv")
for job in ("iso-1000K", "glass-300K"):
    t = rows(r1 / job / "equil" / "thermo.csv")
    times = [float(r["time_ps"]) for r in t]
    half = 0.5 * (times[0] + times[-1])
    V = [float(r["volume_A3"]) for r, tt in zip(t, times) if tt >= half]
    n, m = atoms_and_mass(r1 / job / "equil" / "final.data")
    rho = n / (sum(V) / len(V))
    d = json.load(open(r1 / job / "density.json"))
    assert abs(d["density_1_A3"] / rho - 1) < 1e-9, (job, d["density_1_A3"], rho)
    assert abs(d["density_g_cm3"] / (rho * m * to_g) - 1) < 1e-9, (job, d["density_g_cm3"], rho * m * to_g)
    assert d["window_rows"] == len(V), (job, d["window_rows"], len(V))
    # the production ran at that density: its own thermo says so (printed to 10 digits)
    prod = {float(r["density_1_A3"]) for r in rows(r1 / job / "thermo.csv")}
    assert len(prod) == 1 and abs(prod.pop() / rho - 1) < 1e-8, (job, prod, rho)
    s = summary[job]
    assert abs(float(s["density_1_A3"]) / rho - 1) < 1e-8 and s["volume_settled"] in ("0", "1"), s
    assert abs(float(report[job]["density_g_cm3"]) / (rho * m * to_g) - 1) < 1e-5, report[job]
    assert report[job]["volume_settled"] == ("yes" if d["volume_settled"] else "NO"), report[job]
    err = float(report[job]["density_err_g_cm3"])
    assert 0 < err < 0.1 * rho * m * to_g, (job, err)
    if job.startswith("glass"):
        assert len(glass_x) == 1 and abs(float(glass_x[0]["x"]) - 0.5) < 1e-12, glass_x
        assert abs(float(glass_x[0]["density_g_cm3"]) / (rho * m * to_g) - 1) < 1e-8, glass_x
# the density against T: the quench windows and both states, with error columns
head = rows(root / "report" / "density-T.csv")[0].keys()
for col in ("T_K", "density_g_cm3_x0.50_quench", "density_err_g_cm3_x0.50_quench",
            "density_g_cm3_x0.50_states", "density_err_g_cm3_x0.50_states"):
    assert col in head, (col, list(head))
q = rows(root / "report" / "density-quench.csv")
assert len(q) >= 15 and all(float(r["density_1_A3"]) > 0 for r in q), len(q)
PY
H="$TMP/p.study/report/index.html"
for id in 'id="density"' 'id="fig-density-T"' 'id="fig-density-x"' 'id="tab-density"' 'id="pressure"'; do
    grep -qF "$id" "$H" || fail "the report lacks $id"
done
grep -qF 'href="density-T.csv"' "$H" || fail "the report does not link density-T.csv"
if command -v gnuplot > /dev/null; then # the figures drawn and embedded in the page
    for f in density-T density-x; do
        [ -s "$TMP/p.study/report/$f.png" ] || fail "$f.png was not drawn"
        grep -A1 "<figure id=\"fig-$f\">" "$H" | grep -q "data:image/png;base64," ||
            fail "the report does not embed $f.png: $(grep -A1 "<figure id=\"fig-$f\">" "$H" | cut -c1-200)"
    done
fi

# whatever the check found after 0.3 ps, exactly those states are warned about
states_unsettled() { # study folder -> the states whose density.json says not settled
    /usr/bin/python3 -c '
import json, sys
for j in sys.argv[1:]:
    if not json.load(open(j))["volume_settled"]: print(j.split("/")[-2])' "$1"/x0.50/r1/*/density.json
}
warned() { # log -> the states it warns about
    sed -n 's|^glassmd study: WARNING x0.50/r1/\([^:]*\): the volume has NOT settled: .*lengthen isotherm_equil$|\1|p' "$1" | sort
}
unsettled=$(states_unsettled "$TMP/p.study")
[ "$(warned "$TMP/p.log")" = "$unsettled" ] ||
    fail "the log warns about '$(warned "$TMP/p.log")', density.json says '$unsettled'"
echo "0.3 ps at 1 bar: unsettled '$(echo $unsettled)' (z: $(grep -h '"z"' "$P"/*/density.json | tr -d '\t\n'))"

# ---- 4. a deliberately too short equilibration: NOT settled, said plainly -------------------
sed -i 's/^isotherm_equil = .*/isotherm_equil = 0.015   # 15 steps: too short to judge/' "$TMP/p.ini"
"$GLASSMD" study "$TMP/p.ini" --quiet 2> "$TMP/s.log" || fail "the short study failed: $(tail -3 "$TMP/s.log")"
statuses=$(/usr/bin/python3 -c '
import json, sys
for j in json.load(open(sys.argv[1]))["jobs"]: print(j["name"], j["status"])' "$TMP/p.study/plan.json")
grep -qx "x0.50/r1/melt skipped" <<< "$statuses" && grep -qx "x0.50/r1/quench skipped" <<< "$statuses" ||
    fail "a shorter isotherm_equil redid the melt or the quench: $statuses"
[ "$(states_unsettled "$TMP/p.study" | tr '\n' ' ')" = "glass-300K iso-1000K " ] ||
    fail "after 0.015 ps both states should be unsettled: $(states_unsettled "$TMP/p.study")"
[ "$(warned "$TMP/s.log" | tr '\n' ' ')" = "glass-300K iso-1000K " ] ||
    fail "the study's log does not warn about both states: $(grep WARNING "$TMP/s.log")"
grep -q "WARNING x0.50/r1/iso-1000K: the volume has NOT settled: only 8 thermo rows in the last half of the NPT equilibration (20 needed to judge); lengthen isotherm_equil" "$TMP/s.log" ||
    fail "the warning does not say why: $(grep WARNING "$TMP/s.log")"
for j in iso-1000K glass-300K; do
    grep -q "WARNING: the volume had NOT settled in 2 state(s): .*x0.50/$j" "$H" || fail "the report's top does not name $j"
    grep -q "^x0.50,0.5,1,$j,.*,0$" "$TMP/p.study/summary/density.csv" || fail "summary/density.csv does not mark $j unsettled"
done
# the report's dynamics table marks the isotherm's row (red, and in its T cell)
grep -q '<tr class="disagree"><td>x0.50</td><td>1000 (volume NOT settled)</td>' "$H" ||
    fail "the report's dynamics table does not mark iso-1000K unsettled"
col=$(head -1 "$TMP/p.study/summary/iso-1000K.csv" | tr ',' '\n' | grep -nx "density.volume_settled" | cut -d: -f1)
[ -n "$col" ] && [ "$(sed -n 2p "$TMP/p.study/summary/iso-1000K.csv" | cut -d, -f"$col")" = 0 ] ||
    fail "summary/iso-1000K.csv does not mark its row unsettled (density.volume_settled)"
# a second run skips every job and warns again
"$GLASSMD" study "$TMP/p.ini" --quiet 2> "$TMP/s2.log" || fail "the second run failed"
grep -q "9 jobs: 0 run, 9 skipped" "$TMP/s2.log" || fail "the second run redid jobs: $(tail -1 "$TMP/s2.log")"
[ "$(warned "$TMP/s2.log" | tr '\n' ' ')" = "glass-300K iso-1000K " ] ||
    fail "the second run (jobs skipped) does not warn again: $(cat "$TMP/s2.log")"
# so does one job run alone (a Slurm task)
"$GLASSMD" study "$TMP/p.ini" --job x0.50/r1/iso-1000K 2> "$TMP/s3.log" || fail "--job failed"
[ "$(warned "$TMP/s3.log")" = "iso-1000K" ] || fail "--job does not warn: $(cat "$TMP/s3.log")"

# ---- 5. bad pressure values ------------------------------------------------------------------
bad_pressure() { # value, expected message part
    write_npt_study "$TMP/bad.ini"
    sed -i "s|^pressure = .*|pressure = $1|" "$TMP/bad.ini"
    rm -rf "$TMP/bad.study"
    "$GLASSMD" study "$TMP/bad.ini" 2> "$TMP/bad.err" && fail "pressure = $1: accepted"
    grep -qF -- "bad.ini:20: pressure: $2" "$TMP/bad.err" || fail "pressure = $1: message '$(cat "$TMP/bad.err")' lacks 'bad.ini:20: pressure: $2'"
    [ -e "$TMP/bad.study" ] && fail "pressure = $1: jobs ran"
    echo "pressure = $1: $(cat "$TMP/bad.err")"
}
bad_pressure "-5 bar" "-5 bar is outside 0 .. 1e6 bar (100 GPa); give the pressure of interest, e.g. 'pressure = 1 bar'"
bad_pressure "2 TPa" "unknown unit 'TPa'"
bad_pressure "inf" "'inf' is not a valid number; give a number with an optional unit: bar"
bad_pressure "" "'' is not a valid number"

finish test_study_npt
