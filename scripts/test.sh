#!/usr/bin/env bash
# One command to set up, build and run every test (what CI runs).
# PODHOP_SANITIZE=1 builds in build-asan with AddressSanitizer and UBSan instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ "${PODHOP_SANITIZE:-0}" = "1" ]; then
  export PODHOP_BUILD_DIR=build-asan
  scripts/build.sh -DPODHOP_SANITIZE=ON
else
  scripts/build.sh
fi
ctest --test-dir "${PODHOP_BUILD_DIR:-build}" --output-on-failure -j "$(nproc)"
