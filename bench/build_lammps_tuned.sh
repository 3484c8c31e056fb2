#!/usr/bin/env bash
# build_lammps_tuned.sh - build the "tuned" LAMMPS peer of issue 11: Debian's own LAMMPS
# source (apt-get source lammps, the version /usr/bin/lmp is built from) configured with
# LAMMPS's CMake at -O3 -march=native, MPI and OpenMP on, the packages the benchmarks need
# (KSPACE: buck/coul/long + pppm; MANYBODY: nb3b/harmonic) plus OPENMP (-sf omp) and, when
# it builds with gcc, INTEL (-sf intel), FFT = FFTW3. Installs WORK/bin/lmp_tuned and writes
# WORK/bin/lmp_tuned.info (packages, flags, build time). See bench/README.md.
#
#   bench/build_lammps_tuned.sh                    # WORK = /work/lammps-tuned
#   bench/build_lammps_tuned.sh --work /tmp/lt -j 2
#   nohup nice -n 19 bench/build_lammps_tuned.sh > /work/lammps-tuned.log 2>&1 &
#
# Options: --work DIR (default $LAMMPS_TUNED_DIR, else /work/lammps-tuned), -j N (build
# jobs; default 1: a shared 2-core machine), --no-intel (do not try the INTEL package),
# --no-apt (skip the apt steps: sources, update, build dependencies), --force (reconfigure
# and rebuild even when WORK/bin/lmp_tuned exists), --source-only (stop after the apt
# steps and the source). Run as root for the apt steps.
# Idempotent: the deb-src line, the packages, the source tree, the configure and the build
# are each skipped when already done (cmake --build itself only rebuilds what changed).
# The build runs under nice -n 19.
set -euo pipefail

work="${LAMMPS_TUNED_DIR:-/work/lammps-tuned}"
jobs=1
try_intel=1
do_apt=1
force=0
source_only=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --work) work="$2"; shift 2 ;;
        -j) jobs="$2"; shift 2 ;;
        -j*) jobs="${1#-j}"; shift ;;
        --no-intel) try_intel=0; shift ;;
        --no-apt) do_apt=0; shift ;;
        --force) force=1; shift ;;
        --source-only) source_only=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "build_lammps_tuned.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

say() { echo "[build_lammps_tuned $(date +%H:%M:%S)] $*"; }
mkdir -p "$work" "$work/bin"
work="$(cd "$work" && pwd)"
t_start=$(date +%s)

# The build dependencies, explicitly (apt-get build-dep lammps would pull in the whole
# documentation tool chain, VTK, Python modules, ...): compilers, CMake, MPI, FFTW, and
# dpkg-dev for apt-get source.
deps=(cmake make g++ gcc dpkg-dev pkg-config libfftw3-dev libopenmpi-dev openmpi-bin)

if [[ $do_apt == 1 ]]; then
    # 1. A deb-src line for Debian bookworm, unless one is there already.
    if grep -rqsE '^[[:space:]]*(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
        say "deb-src already in the apt sources"
    else
        say "adding /etc/apt/sources.list.d/glassmd-deb-src.sources (bookworm main, deb-src)"
        cat > /etc/apt/sources.list.d/glassmd-deb-src.sources <<'EOF'
# added by glassmd bench/build_lammps_tuned.sh: Debian sources for apt-get source lammps
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
        rm -f "$work/.apt-updated"
    fi
    # 2. apt-get update (once; delete WORK/.apt-updated to redo).
    if [[ ! -e "$work/.apt-updated" ]]; then
        say "apt-get update"
        apt-get update
        touch "$work/.apt-updated"
    fi
    # 3. The build dependencies that are missing.
    missing=()
    for p in "${deps[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if [[ ${#missing[@]} -gt 0 ]]; then
        say "apt-get install ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
    else
        say "build dependencies already installed: ${deps[*]}"
    fi
fi

# 4. The source: Debian's, unpacked with its patches applied (apt-get source runs
# dpkg-source -x). Skipped when WORK/src already holds it.
src="$work/src"
if [[ ! -f "$src/cmake/CMakeLists.txt" ]]; then
    say "apt-get source lammps into $work/download"
    mkdir -p "$work/download"
    (cd "$work/download" && apt-get source lammps)
    tree="$(find "$work/download" -mindepth 1 -maxdepth 1 -type d -name 'lammps-*' | sort | tail -1)"
    [[ -n "$tree" && -f "$tree/cmake/CMakeLists.txt" ]] || { echo "build_lammps_tuned.sh: no lammps-*/cmake/CMakeLists.txt under $work/download" >&2; exit 1; }
    ln -sfn "$tree" "$src"
else
    say "source already in $src -> $(readlink -f "$src")"
fi

[[ $source_only == 1 ]] && { say "source in $src; stopping (--source-only)"; exit 0; }

flags="-O3 -march=native"
# 5. Configure (a build directory per variant: with INTEL, and the fallback without it).
configure() {  # configure BUILD_DIR INTEL(yes|no)
    local bdir="$1" intel="$2"
    local extra=()
    [[ $intel == yes ]] && extra+=(-DPKG_INTEL=on -DINTEL_ARCH=cpu -DINTEL_LRT_MODE=none)
    say "configure $bdir (INTEL=$intel)"
    cmake -S "$src/cmake" -B "$bdir" \
        -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_CXX_COMPILER=g++ -DCMAKE_CXX_FLAGS_RELEASE="$flags -DNDEBUG" \
        -DBUILD_MPI=on -DBUILD_OMP=on -DBUILD_SHARED_LIBS=off -DBUILD_TOOLS=off \
        -DLAMMPS_MACHINE=tuned \
        -DFFT=FFTW3 \
        -DPKG_KSPACE=on -DPKG_MANYBODY=on -DPKG_OPENMP=on "${extra[@]}" \
        -DWITH_JPEG=off -DWITH_PNG=off -DWITH_GZIP=on -DWITH_FFMPEG=off
}
build() {  # build BUILD_DIR
    say "build $1 with -j$jobs under nice -n 19"
    nice -n 19 cmake --build "$1" -j"$jobs"
}

out="$work/bin/lmp_tuned"
if [[ -x "$out" && $force == 0 ]]; then
    say "$out exists (use --force to rebuild)"; cat "$out.info" 2>/dev/null || true; exit 0
fi

intel_built=no
bdir=""
[[ $force == 1 ]] && rm -f "$work/build-intel/.failed"
if [[ $try_intel == 1 && ! -e "$work/build-intel/.failed" ]]; then
    bdir="$work/build-intel"
    if { [[ -f "$bdir/CMakeCache.txt" && $force == 0 ]] || configure "$bdir" yes; } && build "$bdir"; then
        intel_built=yes
    else
        say "the INTEL package did not configure or build with gcc; falling back to OPENMP only (log above)"
        touch "$bdir/.failed" 2>/dev/null || { mkdir -p "$bdir"; touch "$bdir/.failed"; }
        bdir=""
    fi
elif [[ -e "$work/build-intel/.failed" ]]; then
    say "INTEL build failed before ($work/build-intel/.failed); building without it"
fi
if [[ -z "$bdir" ]]; then
    bdir="$work/build-omp"
    if [[ ! -f "$bdir/CMakeCache.txt" || $force == 1 ]]; then configure "$bdir" no; fi
    build "$bdir"
fi

exe="$bdir/lmp_tuned"
[[ -x "$exe" ]] || exe="$bdir/lmp"
install -m 755 "$exe" "$out"
t_end=$(date +%s)
{
    echo "lmp_tuned: $(readlink -f "$src") ($(basename "$(readlink -f "$src")")), built in $bdir"
    echo "flags: $flags; MPI on, OpenMP on, FFT=FFTW3; packages: KSPACE MANYBODY OPENMP$([[ $intel_built == yes ]] && echo ' INTEL')"
    echo "INTEL: $intel_built"
    echo "this invocation: $(( (t_end - t_start) / 60 )) min $(( (t_end - t_start) % 60 )) s, -j$jobs, $(date -u +%Y-%m-%dT%H:%MZ)"
    "$out" -h 2>/dev/null | sed -n '/^Installed packages:/,/^List of individual style options/p' | sed '/^List of/d' | tr -s '\n' || true
} > "$out.info"
say "installed $out"
cat "$out.info"
