#!/usr/bin/env bash
# deps.sh - installs the Debian 12 packages glassmd needs. Usage: tools/deps.sh run|test
#   run:  what building and running glassmd needs
#   test: also the peers the tests compare against (LAMMPS, numpy/scipy) and the tools
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
RUN_PKGS="build-essential cmake pkg-config libfftw3-dev libcjson-dev libnetcdf-dev netcdf-bin gnuplot-nox zlib1g-dev libopenmpi-dev openmpi-bin"
TEST_PKGS="libcmocka-dev lammps python3 python3-numpy python3-scipy python3-mdanalysis python3-pytest python3-ase python3-matplotlib hyperfine clang-format chromium clang libclang-rt-14-dev"
pkgs="$RUN_PKGS"
if [ "${1:-run}" = test ]; then pkgs="$pkgs $TEST_PKGS"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $pkgs
