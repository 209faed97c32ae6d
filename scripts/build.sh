#!/usr/bin/env bash
# Configures and builds podhop in build/ (Release-with-debug-info, warnings as errors).
# Extra arguments go to cmake's configure step, e.g. -DPODHOP_SANITIZE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${PODHOP_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DPODHOP_WERROR=ON "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
