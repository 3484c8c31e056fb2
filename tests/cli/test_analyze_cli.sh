#!/usr/bin/env bash
# test_analyze_cli.sh - `glassmd analyze`: a good run writes results.json with the
# documented keys (docs/analysis.md), one CSV + gnuplot script per curve, figures when
# gnuplot is installed and one warning when it is not; --skip, --only and the sigma rule;
# bad inputs (missing file, missing column, truncated frame, unknown type, bad options)
# exit non-zero with exactly one line "glassmd analyze: error: ..." that names the file,
# the frame and the line.
# Environment: GLASSMD (the binary), GLASSMD_SOURCE_DIR, GLASSMD_TEST_TMP (scratch).
set -euo pipefail

GLASSMD=${GLASSMD:?set GLASSMD to the glassmd binary}
SRC=${GLASSMD_SOURCE_DIR:?set GLASSMD_SOURCE_DIR}
TMP=${GLASSMD_TEST_TMP:-/tmp}/analyze_cli.$$
PY=/usr/bin/python3
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT
FF="$SRC/data/forcefields/na2s-sis2.ff"
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# A 120-atom glass-like start (glassmd build) moved by small random steps: 30 frames of
# `id type xu yu zu`, TIMESTEP 0, 100, ..., 2900.
"$GLASSMD" build --ff "$FF" --counts Si=20,S=60,Na=40 --seed 4 -o "$TMP/start.xyz" 2>/dev/null
L=$(sed -n 2p "$TMP/start.xyz" | sed 's/.*Lattice="\([^ ]*\) .*/\1/')
awk -v L="$L" -v frames=30 '
    NR == 1 { n = $1 }
    NR > 2 && NR <= n + 2 {
        i = NR - 2; type[i] = ($1 == "Si") ? 1 : ($1 == "S") ? 2 : 3
        x[i] = $2; y[i] = $3; z[i] = $4
    }
    END {
        srand(7)
        for (f = 0; f < frames; f++) {
            printf "ITEM: TIMESTEP\n%d\nITEM: NUMBER OF ATOMS\n%d\nITEM: BOX BOUNDS pp pp pp\n", 100 * f, n
            for (k = 0; k < 3; k++) printf "0 %s\n", L
            print "ITEM: ATOMS id type xu yu zu"
            for (i = 1; i <= n; i++) {
                printf "%d %d %.6f %.6f %.6f\n", i, type[i], x[i], y[i], z[i]
                s = (type[i] == 3) ? 0.2 : 0.05
                x[i] += s * (rand() - 0.5); y[i] += s * (rand() - 0.5); z[i] += s * (rand() - 0.5)
            }
        }
    }' "$TMP/start.xyz" >"$TMP/traj.dump"
# experimental S(k) stand-in for R_X: S = 1 on 0.5..12 1/A
awk 'BEGIN { for (k = 0.5; k <= 12; k += 0.05) printf "%.3f 1.0\n", k }' >"$TMP/exp.sq"

# ---- a good run ----------------------------------------------------------------------
OUT="$TMP/out"
if ! "$GLASSMD" analyze "$TMP/traj.dump" --ff "$FF" --temperature 1000 --dt 2 \
    --exp-sq "$TMP/exp.sq" --threads 2 --out "$OUT" >"$TMP/good.out" 2>"$TMP/good.err"; then
    fail "good run exited non-zero: $(cat "$TMP/good.err")"
fi
[ -s "$TMP/good.out" ] && fail "analyze printed on stdout: $(head -3 "$TMP/good.out")"
grep -q "^glassmd analyze: 30 of 30 frames, 120 atoms" "$TMP/good.err" ||
    fail "no summary line: $(cat "$TMP/good.err")"
"$PY" - "$OUT/results.json" "$L" <<'EOF' || fail "results.json: see above"
import json, sys
d = json.load(open(sys.argv[1]))
L = float(sys.argv[2])
keys = ["glassmd_version", "command", "input", "frames", "natoms", "species", "volume_A3",
        "temperature_K", "dt_fs", "coordination", "rdf_first_peak_A", "diffusion_cm2_s",
        "conductivity_S_cm", "qn", "sulfur", "sharing", "angles_peak_deg", "fsdp", "r_x",
        "skipped"]
bad = [k for k in keys if k not in d]
checks = [
    (d.get("frames") == 30, "frames %r != 30" % d.get("frames")),
    (d.get("natoms") == 120, "natoms %r != 120" % d.get("natoms")),
    (d.get("species") == {"Si": 20, "S": 60, "Na": 40}, "species %r" % d.get("species")),
    (abs(d.get("volume_A3", 0) - L ** 3) < 1e-6 * L ** 3, "volume_A3 %r != L^3" % d.get("volume_A3")),
    (d.get("temperature_K") == 1000, "temperature_K %r" % d.get("temperature_K")),
    (d.get("dt_fs") == 2, "dt_fs %r" % d.get("dt_fs")),
    (abs(d.get("time_span_ps", 0) - 2900 * 2e-3) < 1e-9, "time_span_ps %r" % d.get("time_span_ps")),
    (d.get("skipped") == {}, "skipped %r" % d.get("skipped")),
]
for k in bad:
    print("results.json lacks key %s" % k, file=sys.stderr)
for ok, msg in checks:
    if not ok:
        print(msg, file=sys.stderr)
sys.exit(1 if bad or not all(ok for ok, _ in checks) else 0)
EOF
for f in rdf.csv rdf.gp msd.csv msd.gp; do
    [ -s "$OUT/$f" ] || fail "good run did not write $f"
done
head -1 "$OUT/rdf.csv" | grep -q '^# glassmd ' || fail "rdf.csv lacks the '# glassmd' line"
sed -n 2p "$OUT/rdf.csv" | grep -q '^r_A,' || fail "rdf.csv header does not start with r_A"
if command -v gnuplot >/dev/null 2>&1; then
    for f in rdf.png rdf.svg msd.png msd.svg; do
        [ -s "$OUT/$f" ] || fail "gnuplot is installed but $f is missing"
    done
    grep -q warning "$TMP/good.err" && fail "warning with gnuplot installed: $(cat "$TMP/good.err")"
    # the script beside the data regenerates the figure
    rm -f "$OUT/rdf.png" "$OUT/rdf.svg"
    (cd "$OUT" && gnuplot rdf.gp) || fail "gnuplot rdf.gp failed in the output folder"
    [ -s "$OUT/rdf.png" ] && [ -s "$OUT/rdf.svg" ] || fail "gnuplot rdf.gp did not redraw both"
fi

# All figures are drawn by one gnuplot; when one script fails, the error names it. A fake
# gnuplot that records its arguments and fails on msd_beta.gp, else runs the real one.
if command -v gnuplot >/dev/null 2>&1; then
    mkdir -p "$TMP/fakebin"
    cat >"$TMP/fakebin/gnuplot" <<FAKE
#!/bin/sh
echo "\$*" >>"$TMP/gnuplot-calls"
for a in "\$@"; do [ "\$a" = msd_beta.gp ] && { echo "msd_beta.gp: bad script" >&2; exit 1; }; done
exec $(command -v gnuplot) "\$@"
FAKE
    chmod +x "$TMP/fakebin/gnuplot"
    : >"$TMP/gnuplot-calls"
    PATH="$TMP/fakebin:$PATH" "$GLASSMD" analyze "$TMP/traj.dump" --ff "$FF" --only rdf,msd \
        --out "$TMP/badgp" 2>"$TMP/badgp.err" && fail "a failing gnuplot script went unreported"
    grep -q 'msd_beta.gp: gnuplot failed' "$TMP/badgp.err" ||
        fail "the error does not name msd_beta.gp: $(cat "$TMP/badgp.err")"
    first=$(head -1 "$TMP/gnuplot-calls")
    [ "$first" = "rdf.gp coordination.gp msd.gp msd_beta.gp" ] ||
        fail "the figures were not drawn by one gnuplot: '$first'"
    [ -s "$TMP/badgp/rdf.png" ] || fail "the figures before the failing script are missing"
fi

# Without gnuplot on PATH: one warning, no figures, the same results.
if ! PATH=/nonexistent "$GLASSMD" analyze "$TMP/traj.dump" --ff "$FF" --only rdf,msd \
    --out "$TMP/nogp" 2>"$TMP/nogp.err"; then
    fail "run without gnuplot failed: $(cat "$TMP/nogp.err")"
fi
[ "$(grep -c 'warning' "$TMP/nogp.err")" = 1 ] || fail "expected one warning: $(cat "$TMP/nogp.err")"
grep -q 'gnuplot' "$TMP/nogp.err" || fail "the warning does not name gnuplot"
[ -e "$TMP/nogp/rdf.png" ] && fail "a figure was drawn without gnuplot"
[ -s "$TMP/nogp/rdf.gp" ] || fail "the script is missing without gnuplot"

# --skip 3 uses frames 1, 4, ..., 28.
"$GLASSMD" analyze "$TMP/traj.dump" --ff "$FF" --skip 3 --only rdf,msd --out "$TMP/skip" \
    2>"$TMP/skip.err" || fail "--skip 3 run failed: $(cat "$TMP/skip.err")"
"$PY" - "$TMP/skip/results.json" <<'EOF' || fail "--skip: see above"
import json, sys
d = json.load(open(sys.argv[1]))
ok = d["frames"] == 10 and d["frames_read"] == 30
ok = ok and d["analyses"] == ["rdf", "msd"] and "conductivity_S_cm" not in d
if not ok:
    print("frames %r frames_read %r analyses %r" % (d["frames"], d["frames_read"], d["analyses"]),
          file=sys.stderr)
sys.exit(0 if ok else 1)
EOF
# Default analyses without --temperature: sigma is skipped with a note in results.json.
"$GLASSMD" analyze "$TMP/traj.dump" --ff "$FF" --out "$TMP/default" --max-frames 5 2>/dev/null ||
    fail "default analyses without --temperature failed"
"$PY" -c "
import json, sys
d = json.load(open('$TMP/default/results.json'))
sys.exit(0 if 'temperature' in d['skipped'].get('sigma', '') and d['temperature_K'] is None else 1)
" || fail "default run without --temperature: no note on sigma in results.json"

# rdf and sq together share one pair histogram (each frame binned once): the same curves,
# byte for byte, as each run alone with its own.
"$GLASSMD" analyze "$TMP/traj.dump" --ff "$FF" --only rdf --out "$TMP/rdf_alone" \
    --max-frames 5 2>/dev/null || fail "--only rdf failed"
"$GLASSMD" analyze "$TMP/traj.dump" --ff "$FF" --only sq --out "$TMP/sq_alone" \
    --max-frames 5 2>/dev/null || fail "--only sq failed"
for f in rdf.csv coordination.csv; do
    cmp -s "$TMP/rdf_alone/$f" "$TMP/default/$f" || fail "$f differs between --only rdf and rdf+sq"
done
for f in sq.csv sq_direct.csv; do
    cmp -s "$TMP/sq_alone/$f" "$TMP/default/$f" || fail "$f differs between --only sq and rdf+sq"
done

# ---- bad inputs: one error line naming the cause -------------------------------------
expect_error() {
    local phrase=$1
    shift
    if "$GLASSMD" analyze "$@" >"$TMP/out.txt" 2>"$TMP/err.txt"; then
        fail "'$*' succeeded; expected an error about '$phrase'"
        return
    fi
    if [ "$(wc -l <"$TMP/err.txt")" != 1 ] || ! grep -q '^glassmd analyze: error: ' "$TMP/err.txt"; then
        fail "'$*': stderr is not one error line: $(cat "$TMP/err.txt")"
    fi
    grep -qF -- "$phrase" "$TMP/err.txt" || fail "'$*': error lacks '$phrase': $(cat "$TMP/err.txt")"
}
N=120
FRAME=$((N + 9)) # lines per frame
# missing column: frame 2 says `id type xu yu`
awk -v F=$FRAME 'NR == F + 9 { $0 = "ITEM: ATOMS id type xu yu" } { print }' "$TMP/traj.dump" >"$TMP/missing.dump"
expect_error "$TMP/missing.dump:$((FRAME + 9)): frame 2" "$TMP/missing.dump" --ff "$FF" --out "$TMP/o1"
expect_error "needs xu yu zu, or x y z with ix iy iz, or xs ys zs" "$TMP/missing.dump" --ff "$FF" --out "$TMP/o1"
# truncated frame: the file stops in the middle of frame 3
head -n $((2 * FRAME + 9 + 50)) "$TMP/traj.dump" >"$TMP/trunc.dump"
expect_error "$TMP/trunc.dump:$((2 * FRAME + 59)): frame 3: truncated frame" "$TMP/trunc.dump" --ff "$FF" --out "$TMP/o2"
# unknown type: atom 7 of frame 1 is type 4
awk 'NR == 16 { $2 = 4 } { print }' "$TMP/traj.dump" >"$TMP/type.dump"
expect_error "$TMP/type.dump:16: frame 1: unknown atom type 4" "$TMP/type.dump" --ff "$FF" --out "$TMP/o3"
# a missing file, a non-numeric value, bad options
expect_error "$TMP/absent.dump: cannot open" "$TMP/absent.dump" --ff "$FF"
awk -v F=$FRAME 'NR == F + 12 { $3 = "1.2.3" } { print }' "$TMP/traj.dump" >"$TMP/nan.dump"
expect_error "$TMP/nan.dump:$((FRAME + 12)): frame 2: column xu holds '1.2.3'" "$TMP/nan.dump" --ff "$FF" --out "$TMP/o4"
expect_error "give --types" "$TMP/traj.dump" --out "$TMP/o5"
expect_error "unknown analysis 'gr'" "$TMP/traj.dump" --ff "$FF" --only rdf,gr
expect_error "--format 'pdb'" "$TMP/traj.dump" --format pdb
expect_error "--skip '0'" "$TMP/traj.dump" --skip 0
expect_error "--msd-fit '5:1'" "$TMP/traj.dump" --msd-fit 5:1
expect_error "--angles 'Si-S'" "$TMP/traj.dump" --angles Si-S
expect_error "sigma" "$TMP/traj.dump" --ff "$FF" --only sigma --out "$TMP/o6"
expect_error "exactly one trajectory" --ff "$FF"

"$GLASSMD" analyze --help >"$TMP/help.out" || fail "--help exited non-zero"
grep -q 'usage: glassmd analyze' "$TMP/help.out" || fail "--help printed no usage"

if [ "$failures" -gt 0 ]; then
    echo "$failures failure(s)" >&2
    exit 1
fi
echo "test_analyze_cli: all checks passed"
