#!/usr/bin/env bash
# test_arrhenius_cli.sh - `glassmd analyze --arrhenius`: three result folders whose D and
# sigma follow exact Arrhenius laws (E_A = 0.45 eV for Na, 0.30 eV for sigma) give back
# those activation energies; too few folders is a one-line error.
# Environment: GLASSMD (the binary), GLASSMD_TEST_TMP (scratch).
set -euo pipefail
GLASSMD=${GLASSMD:?set GLASSMD to the glassmd binary}
TMP=${GLASSMD_TEST_TMP:-/tmp}/arrhenius_cli.$$
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT
kB=8.617343e-5
for T in 750 1000 1500; do
    mkdir -p "$TMP/T$T"
    awk -v T="$T" -v kB="$kB" 'BEGIN {
        D = 2e-3 * exp(-0.45 / (kB * T)); s = 50 * exp(-0.30 / (kB * T));
        printf "{\"temperature_K\": %s, \"diffusion_cm2_s\": {\"Na\": {\"D\": %.17g, \"err\": %.17g}},", T, D, 0.01 * D;
        printf " \"conductivity_S_cm\": {\"einstein_helfand\": {\"value\": %.17g, \"err\": %.17g}}}\n", s, 0.01 * s }' \
        >"$TMP/T$T/results.json"
done
"$GLASSMD" analyze --arrhenius "$TMP/T750" "$TMP/T1000" "$TMP/T1500" --out "$TMP/fit" 2>/dev/null
/usr/bin/python3 - "$TMP/fit/results.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["arrhenius"]
checks = [("D_Na", 0.45), ("sigma", 0.30)]
failed = 0
for key, want in checks:
    got = a[key]["E_A_eV"]
    ok = abs(got - want) < 1e-9
    failed += not ok
    print(f"{'ok' if ok else 'FAIL'} {key}: E_A {got:.12f} eV (exact {want})")
print(f"{len(checks) - failed} passed, {failed} failed")
sys.exit(failed != 0)
PY
rc=0
"$GLASSMD" analyze --arrhenius "$TMP/T750" 2>"$TMP/err" || rc=$?
[ "$rc" = 1 ] && grep -q "at least two" "$TMP/err" && [ "$(wc -l <"$TMP/err")" = 1 ] ||
    { echo "FAIL: one folder should be a one-line error: $(cat "$TMP/err")"; exit 1; }
echo "ok: one folder is refused"
