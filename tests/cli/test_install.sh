#!/usr/bin/env bash
# test_install.sh - `cmake --install` (issue 13 item 1): installs the build into a scratch
# prefix, checks what lands there (shared library, headers with version.h, glassmd.pc,
# the CMake package, the executable, the man page, the Python package), then builds a
# small C program outside the tree against the installed copy with
# `pkg-config --cflags --libs glassmd`, runs it (force field, a built system, its energy
# through gmd_model_*) and compares its energy with `glassmd eval`'s, and builds the same
# program with find_package(glassmd) from a tiny CMake project.
# Environment: as lib.sh, plus GLASSMD_BUILD_DIR (the build to install; without it the
# tree is configured and built in the scratch folder) and GLASSMD_SANITIZED=1 for an
# AddressSanitizer build (the programs then run with libasan preloaded, as it must come
# first).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" install

PY=/usr/bin/python3 # Debian's, where numpy is
BUILD=${GLASSMD_BUILD_DIR:-}
if [ -z "$BUILD" ]; then
    BUILD="$TMP/build"
    cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DGLASSMD_TESTS=OFF >/dev/null
    cmake --build "$BUILD" -j2 >/dev/null
fi
command -v pkg-config >/dev/null || {
    echo "test_install: skipped: pkg-config is not installed"
    exit 0
}
PREFIX="$TMP/prefix"
cmake --install "$BUILD" --prefix "$PREFIX" >"$TMP/install.log" || {
    cat "$TMP/install.log" >&2
    fail "cmake --install failed"
    finish test_install
}

RUN_ENV=(env "LD_LIBRARY_PATH=$PREFIX/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
if [ "${GLASSMD_SANITIZED:-0}" = 1 ]; then
    RUN_ENV+=("LD_PRELOAD=$(gcc -print-file-name=libasan.so)" "ASAN_OPTIONS=detect_leaks=0")
fi

# --- what is installed
for f in lib/libglassmd.so include/glassmd/model.h include/glassmd/api.h \
    include/glassmd/version.h lib/pkgconfig/glassmd.pc lib/cmake/glassmd/glassmdConfig.cmake \
    lib/cmake/glassmd/glassmdConfigVersion.cmake lib/cmake/glassmd/glassmdTargets.cmake \
    bin/glassmd share/man/man1/glassmd.1 lib/python3/dist-packages/glassmd/__init__.py \
    lib/python3/dist-packages/glassmd/ase.py lib/python3/dist-packages/glassmd/_install.py; do
    [ -e "$PREFIX/$f" ] || fail "not installed: $f"
done
"${RUN_ENV[@]}" "$PREFIX/bin/glassmd" version >/dev/null || fail "the installed glassmd does not run"
if command -v man >/dev/null && ! man -l "$PREFIX/share/man/man1/glassmd.1" 2>/dev/null |
    grep -q "SUBCOMMANDS"; then
    fail "the man page does not render"
fi

# --- a program outside the tree, built with pkg-config
"$GLASSMD" build --ff "$FF" --composition 0.5 --atoms 480 --density 0.043 --seed 11 \
    -o "$TMP/start.data" 2>/dev/null || fail "glassmd build failed"
mkdir -p "$TMP/user"
cat >"$TMP/user/energy.c" <<'EOF'
/* energy.c - the energy of a configuration through the installed libglassmd. */
#include <stdio.h>
#include <stdlib.h>

#include <glassmd/config_io.h>
#include <glassmd/model.h>
#include <glassmd/version.h>

int main(int argc, char **argv)
{
    if (argc != 3) return 2;
    gmd_error err;
    gmd_error_clear(&err);
    gmd_forcefield *ff = calloc(1, sizeof *ff);
    gmd_box box;
    gmd_atoms atoms = {0};
    gmd_model *model = NULL;
    gmd_tally tally;
    if (!ff || gmd_forcefield_read(ff, argv[1], &err) != GMD_OK ||
        gmd_config_read(argv[2], GMD_CONFIG_AUTO, ff, NULL, &box, &atoms, &err) != GMD_OK) {
        fprintf(stderr, "error: %s\n", err.message);
        return 1;
    }
    gmd_model_options opt = gmd_model_default_options(ff);
    opt.threebody = 0;
    if (gmd_model_create(&model, ff, &opt, &box, &atoms, &err) != GMD_OK ||
        gmd_model_compute(model, &box, &atoms, &tally, &err) != GMD_OK) {
        fprintf(stderr, "error: %s\n", err.message);
        return 1;
    }
    printf("%s %zu %.17g\n", GLASSMD_VERSION, atoms.n, gmd_tally_total(&tally));
    gmd_model_free(model);
    gmd_atoms_free(&atoms);
    free(ff);
    return 0;
}
EOF
export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig"
flags=$(pkg-config --cflags --libs glassmd) || fail "pkg-config glassmd failed"
# shellcheck disable=SC2086
if cc -std=c17 -Wall -Wextra -Werror -o "$TMP/user/energy" "$TMP/user/energy.c" $flags \
    2>"$TMP/cc.err"; then
    out=$("${RUN_ENV[@]}" OMP_NUM_THREADS=1 "$TMP/user/energy" "$FF" "$TMP/start.data") ||
        fail "the pkg-config program failed: $out"
    pe_eval=$(OMP_NUM_THREADS=1 "$GLASSMD" eval "$TMP/start.data" --ff "$FF" --no-threebody \
        --threads 1 | "$PY" -c 'import json, sys; print(repr(json.load(sys.stdin)["pe"]))')
    read -r version natoms pe <<<"$out"
    [ "$natoms" = 480 ] || fail "the program read $natoms atoms, not 480"
    [ -n "$version" ] || fail "no version printed"
    "$PY" -c "import sys; sys.exit(float('$pe') != $pe_eval)" ||
        fail "installed library energy $pe differs from glassmd eval's $pe_eval"
else
    cat "$TMP/cc.err" >&2
    fail "the pkg-config program does not compile or link: cc ... $flags"
fi

# --- find_package(glassmd) from a tiny CMake project
mkdir -p "$TMP/cmakeuser"
cp "$TMP/user/energy.c" "$TMP/cmakeuser/"
cat >"$TMP/cmakeuser/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.18)
project(user LANGUAGES C)
find_package(glassmd 0.1 REQUIRED)
add_executable(energy energy.c)
target_link_libraries(energy PRIVATE glassmd::glassmd)
EOF
if cmake -S "$TMP/cmakeuser" -B "$TMP/cmakeuser/build" -DCMAKE_PREFIX_PATH="$PREFIX" \
    >"$TMP/cmake.log" 2>&1 && cmake --build "$TMP/cmakeuser/build" >>"$TMP/cmake.log" 2>&1; then
    out2=$("${RUN_ENV[@]}" OMP_NUM_THREADS=1 "$TMP/cmakeuser/build/energy" "$FF" \
        "$TMP/start.data") || fail "the find_package program failed"
    [ "$out2" = "${out:-}" ] || fail "find_package program printed '$out2', pkg-config one '${out:-}'"
else
    cat "$TMP/cmake.log" >&2
    fail "find_package(glassmd) project does not configure or build"
fi

# --- the Python package from the prefix (when numpy is there): found through PYTHONPATH
# alone (no LD_LIBRARY_PATH, no GLASSMD_LIBRARY), it loads the prefix's libglassmd (its
# _install.py) and computes the energy the pkg-config program printed, bit for bit.
if "$PY" -c 'import numpy' 2>/dev/null; then
    PY_ENV=(env -u LD_LIBRARY_PATH -u GLASSMD_LIBRARY
        "PYTHONPATH=$PREFIX/lib/python3/dist-packages" OMP_NUM_THREADS=1)
    if [ "${GLASSMD_SANITIZED:-0}" = 1 ]; then
        PY_ENV+=("LD_PRELOAD=$(gcc -print-file-name=libasan.so)" "ASAN_OPTIONS=detect_leaks=0")
    fi
    (cd "$TMP" && "${PY_ENV[@]}" "$PY" - "$FF" "$TMP/start.data" >"$TMP/py.out" 2>&1) <<'PYEOF' ||
import os, sys
import glassmd
ff = glassmd.ForceField(sys.argv[1])
cfg = glassmd.read_config(sys.argv[2], ff)
model = glassmd.Model(ff, cfg.box, cfg.species, origin=cfg.origin, threebody="off", threads=1)
energy, forces, virial = model.compute(cfg.positions)
print(os.path.realpath(glassmd.__file__), os.path.realpath(glassmd._lib.lib._name))
print("%s %d %.17g" % (glassmd.__version__, len(cfg.species), energy["pe"]))
PYEOF
        fail "the Python package from the prefix failed: $(cat "$TMP/py.out")"
    read -r pkg_file lib_file <"$TMP/py.out" || true
    prefix_real=$(realpath "$PREFIX")
    case "$pkg_file" in
    "$prefix_real"/*) ;;
    *) fail "glassmd imported from $pkg_file, not from the prefix" ;;
    esac
    case "$lib_file" in
    "$prefix_real"/lib/libglassmd.so*) ;;
    *) fail "the package loaded $lib_file, not the prefix's libglassmd" ;;
    esac
    py_line=$(sed -n 2p "$TMP/py.out")
    [ "$py_line" = "${out:-}" ] ||
        fail "Python from the prefix printed '$py_line', the C program '${out:-}'"
fi

finish test_install
