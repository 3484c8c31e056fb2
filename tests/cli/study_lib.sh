# study_lib.sh - what the study tests share (sourced after lib.sh): write_study FILE
# ISOTHERMS (the tiny two-composition, 120-atom study: 26 jobs), statuses PLAN (name and
# status of each job), numbers DIR (every number of every analysis results.json) and
# same_results DIR_A DIR_B LABEL (final.data files byte for byte and the analysis numbers).
write_study() { # file, isotherms
    cat > "$1" <<EOF
forcefield = $FF
compositions = 0.5, 0.8
atoms = 120
density = 0.043
melt_T = 2000
melt_time = 2
quench_rate = 1000 K/ps
isotherms = $2
isotherm_equil = 0.5
isotherm_time = 2
glass_T = 300
glass_time = 2
kspace = ewald
accuracy = 1e-4
cutoff = 6
threebody_substeps = 4   # passed on to every job's run input
traj_every = 20
traj_format = dump   # exact frame times (step x dt) for the MSD
checkpoint_every = 200
jobs = 2
EOF
}

statuses() { # plan.json -> "name status" lines
    /usr/bin/python3 -c '
import json, sys
for j in json.load(open(sys.argv[1]))["jobs"]: print(j["name"], j["status"])' "$1"
}

# Every number of every analysis results.json, by job (paths and strings left out).
numbers() {
    /usr/bin/python3 - "$1" <<'PY'
import json, math, pathlib, sys
root = pathlib.Path(sys.argv[1])
def walk(x, p, out):
    if isinstance(x, dict):
        for k, v in x.items(): walk(v, p + "." + k, out)
    elif isinstance(x, list):
        for i, v in enumerate(x): walk(v, p + "." + str(i), out)
    elif isinstance(x, (int, float)) and not isinstance(x, bool):
        out.append("%s %r" % (p, x))
out = []
for f in sorted(root.glob("*/r*/*/analysis/results.json")):
    walk(json.load(open(f)), str(f.relative_to(root)), out)
print("\n".join(out))
PY
}

same_results() { # dirA dirB label
    local a=$1 b=$2 n=0
    for f in $(cd "$a" && ls */r1/*/final.data */r1/*/equil/final.data 2>/dev/null); do
        n=$((n + 1))
        cmp -s "$a/$f" "$b/$f" || fail "$3: $f differs from the reference run"
    done
    [ "$n" -ge 10 ] || fail "$3: only $n final.data files to compare"
    numbers "$a" > "$TMP/na.txt"
    numbers "$b" > "$TMP/nb.txt"
    [ "$(wc -l < "$TMP/na.txt")" -gt 100 ] || fail "$3: too few analysis numbers"
    cmp -s "$TMP/na.txt" "$TMP/nb.txt" || fail "$3: analysis numbers differ: $(diff "$TMP/na.txt" "$TMP/nb.txt" | head -4)"
}

