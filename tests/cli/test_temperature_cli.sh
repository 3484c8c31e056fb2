#!/usr/bin/env bash
# test_temperature_cli.sh - the measured temperature (`glassmd analyze --temperature
# THERMO`, docs/analysis.md) wherever a temperature enters a result:
#  1. one trajectory analysed with --temperature 1000 and with a hand-written thermo file
#     whose mean T_K over the trajectory's time span is exactly 1250 K (rows outside the
#     span at 3000 K, so a mean over the wrong rows shows): temperature_K = 1250, its
#     error, set point and source in results.json, and sigma_EH and every Nernst-Einstein
#     sigma scale by exactly 1000/1250 (relative 1e-12);
#  2. an Arrhenius fit (glassmd analyze --arrhenius) over two result folders with measured
#     temperatures 1250 and 1600 K (set points 1200 and 1500 K) gives E_A of D_Na and
#     sigma_NE_Na exactly as worked out here from the measured temperatures, and its CSV
#     puts T_set_K, T_K, T_err_K side by side;
#  3. a --temperature that is neither a number nor a readable file, and a thermo file
#     without a T_K column, are one-line errors.
# Environment: GLASSMD (the binary), GLASSMD_SOURCE_DIR, GLASSMD_TEST_TMP (scratch).
set -euo pipefail
GLASSMD=${GLASSMD:?set GLASSMD to the glassmd binary}
SRC=${GLASSMD_SOURCE_DIR:?set GLASSMD_SOURCE_DIR}
TMP=${GLASSMD_TEST_TMP:-/tmp}/temperature_cli.$$
PY=/usr/bin/python3
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT
FF="$SRC/data/forcefields/na2s-sis2.ff"
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# Two 120-atom trajectories of random walks (step scale 1 and 2): 30 frames of
# `id type xu yu zu` at TIMESTEP 0, 100, ..., 2900; with --dt 2 the frames span 0-5.8 ps.
"$GLASSMD" build --ff "$FF" --counts Si=20,S=60,Na=40 --seed 4 -o "$TMP/start.xyz" 2>/dev/null
L=$(sed -n 2p "$TMP/start.xyz" | sed 's/.*Lattice="\([^ ]*\) .*/\1/')
walk() { # scale seed out
    awk -v L="$L" -v frames=30 -v scale="$1" -v seed="$2" '
        NR == 1 { n = $1 }
        NR > 2 && NR <= n + 2 {
            i = NR - 2; type[i] = ($1 == "Si") ? 1 : ($1 == "S") ? 2 : 3
            x[i] = $2; y[i] = $3; z[i] = $4
        }
        END {
            srand(seed)
            for (f = 0; f < frames; f++) {
                printf "ITEM: TIMESTEP\n%d\nITEM: NUMBER OF ATOMS\n%d\nITEM: BOX BOUNDS pp pp pp\n", 100 * f, n
                for (k = 0; k < 3; k++) printf "0 %s\n", L
                print "ITEM: ATOMS id type xu yu zu"
                for (i = 1; i <= n; i++) {
                    printf "%d %d %.6f %.6f %.6f\n", i, type[i], x[i], y[i], z[i]
                    s = scale * ((type[i] == 3) ? 0.2 : 0.05)
                    x[i] += s * (rand() - 0.5); y[i] += s * (rand() - 0.5); z[i] += s * (rand() - 0.5)
                }
            }
        }' "$TMP/start.xyz" >"$3"
}
walk 1 7 "$TMP/slow.dump"
walk 2 11 "$TMP/fast.dump"

# A glassmd thermo.csv every 50 steps of 2 fs from 0 to 8 ps. Within the frames' span
# (0-5.8 ps, 59 rows): 29 pairs LO, HI and one row at their mean, so the mean is exactly
# MEAN; after it 3000 K.
thermo() { # lo hi mean out
    awk -v lo="$1" -v hi="$2" -v mean="$3" 'BEGIN {
        print "step,time_ps,T_K,pe_eV,ke_eV,etot_eV,conserved_eV,pressure_bar,stage"
        for (s = 0; s <= 4000; s += 50) {
            i = s / 50
            T = (s > 2900) ? 3000 : (i == 58) ? mean : (i % 2 ? hi : lo)
            printf "%d,%.6f,%.6f,-1,1,0,0,0,nvt\n", s, s * 0.002, T
        }
    }' >"$4"
}
thermo 1200 1300 1250 "$TMP/thermo1250.csv"
thermo 1550 1650 1600 "$TMP/thermo1600.csv"

run() { # label args...
    local label=$1
    shift
    "$GLASSMD" analyze "$@" --ff "$FF" --dt 2 --only msd,sigma --threads 2 \
        --out "$TMP/$label" 2>"$TMP/$label.err" || fail "$label: $(cat "$TMP/$label.err")"
}
run given "$TMP/slow.dump" --temperature 1000
run measured "$TMP/slow.dump" --temperature "$TMP/thermo1250.csv" --temperature-setpoint 1200
run fast "$TMP/fast.dump" --temperature "$TMP/thermo1600.csv" --temperature-setpoint 1500

# ---- 1. the measured mean and the conductivity ---------------------------------------
"$PY" - "$TMP/given/results.json" "$TMP/measured/results.json" "$TMP/thermo1250.csv" <<'EOF' || fail "measured temperature / conductivity: see above"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
bad = []
def check(ok, msg):
    if not ok: bad.append(msg)
check(a["temperature_K"] == 1000 and a["temperature_source"] == "given"
      and a["temperature_setpoint_K"] is None and a["temperature_err_K"] is None,
      "given: %r" % {k: a.get(k) for k in a if k.startswith("temperature")})
check(b["temperature_K"] == 1250, "measured temperature_K %r != 1250" % b["temperature_K"])
check(b["temperature_setpoint_K"] == 1200, "set point %r" % b["temperature_setpoint_K"])
check(b["temperature_source"] == "thermo " + sys.argv[3], "source %r" % b["temperature_source"])
check(b["temperature_err_K"] > 0, "temperature_err_K %r" % b["temperature_err_K"])
check(b["temperature_thermo"]["rows"] == 59 and not b["temperature_thermo"]["whole_file"],
      "thermo rows %r" % b["temperature_thermo"])
ca, cb = a["conductivity_S_cm"], b["conductivity_S_cm"]
check(cb["temperature_K"] == 1250, "conductivity_S_cm.temperature_K %r" % cb["temperature_K"])
pairs = [("einstein_helfand", ca["einstein_helfand"]["value"], cb["einstein_helfand"]["value"])]
pairs += [("nernst_einstein." + k, ca["nernst_einstein"][k], cb["nernst_einstein"][k])
          for k in ca["nernst_einstein"] if ca["nernst_einstein"][k]]
for name, va, vb in pairs:
    rel = abs(vb / va - 1000.0 / 1250.0) / (1000.0 / 1250.0)
    check(rel < 1e-12, "%s: ratio %.17g, want 0.8 (rel %.2g)" % (name, vb / va, rel))
print("ok: temperature_K 1250 +- %.3g K measured; %d conductivities scale by 1000/1250"
      % (b["temperature_err_K"], len(pairs)))
for m in bad: print(m, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF

# ---- 2. Arrhenius over measured temperatures ------------------------------------------
"$GLASSMD" analyze --arrhenius "$TMP/measured" "$TMP/fast" --out "$TMP/fit" 2>"$TMP/fit.err" ||
    fail "arrhenius: $(cat "$TMP/fit.err")"
"$PY" - "$TMP/measured/results.json" "$TMP/fast/results.json" "$TMP/fit" <<'EOF' || fail "Arrhenius over measured temperatures: see above"
import csv, json, math, sys
lo, hi = (json.load(open(f)) for f in sys.argv[1:3])
fit = json.load(open(sys.argv[3] + "/results.json"))["arrhenius"]
kB = 8.617343e-5
T_lo, T_hi = 1250.0, 1600.0  # the means written into the two thermo files
bad = []
for key, get in [("D_Na", lambda r: r["diffusion_cm2_s"]["Na"]["D"]),
                 ("sigma_NE_Na", lambda r: r["conductivity_S_cm"]["nernst_einstein"]["Na"])]:
    y_lo, y_hi = get(lo), get(hi)
    want = kB * math.log(y_hi / y_lo) / (1.0 / T_lo - 1.0 / T_hi)
    got = fit[key]["E_A_eV"]
    if not abs(got - want) <= 1e-10 * abs(want):
        bad.append("%s: E_A %.15g eV, by hand from the measured T %.15g eV" % (key, got, want))
    if fit[key]["T_K"] != [T_lo, T_hi] or fit[key]["T_set_K"] != [1200, 1500]:
        bad.append("%s: T_K %r, T_set_K %r" % (key, fit[key]["T_K"], fit[key]["T_set_K"]))
    print("%s: E_A %.6f eV (by hand %.6f)" % (key, got, want))
rows = list(csv.reader(l for l in open(sys.argv[3] + "/arrhenius.csv") if not l.startswith("#")))
if rows[0][:4] != ["T_set_K", "T_K", "T_err_K", "inv_T_1000_per_K"]:
    bad.append("arrhenius.csv header %r" % rows[0][:4])
elif [float(r[1]) for r in rows[1:]] != [T_lo, T_hi] or [float(r[0]) for r in rows[1:]] != [1200, 1500]:
    bad.append("arrhenius.csv rows %r" % rows[1:])
for m in bad: print(m, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF

# ---- 3. bad temperatures ---------------------------------------------------------------
one_line_error() { # label phrase args...
    local label=$1 phrase=$2 rc=0
    shift 2
    "$GLASSMD" analyze "$TMP/slow.dump" --ff "$FF" --only msd,sigma --out "$TMP/bad" "$@" \
        2>"$TMP/bad.err" || rc=$?
    [ "$rc" = 1 ] && [ "$(wc -l <"$TMP/bad.err")" = 1 ] && grep -q "$phrase" "$TMP/bad.err" ||
        fail "$label: rc $rc, wanted one line with '$phrase': $(cat "$TMP/bad.err")"
}
one_line_error "no such file" "neither a temperature in K nor a readable thermo file" \
    --temperature "$TMP/nothing.csv"
printf 'step,time_ps,temp\n0,0,1000\n' >"$TMP/notk.csv"
one_line_error "no T_K column" "notk.csv:1: the header has no T_K column" \
    --temperature "$TMP/notk.csv"
one_line_error "negative set point" "temperature-setpoint" --temperature 1000 \
    --temperature-setpoint -5

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "all temperature checks passed"
