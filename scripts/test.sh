#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds everything and runs the whole test suite, then runs
# every fuzz target again under AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
JOBS=$(nproc)
(cd "${MIDISTEMS_BUILD_DIR:-build}" && ctest --output-on-failure -j "$JOBS" --timeout 1200)

# Parsers of untrusted input, fuzzed with sanitizers (only the fuzz targets and their libraries).
SAN_DIR=${MIDISTEMS_BUILD_DIR:-build}-sanitize
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
if [ ! -f "$SAN_DIR/build.ninja" ]; then
  cmake -S . -B "$SAN_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMIDISTEMS_SANITIZE=ON \
    -DMIDISTEMS_BUILD_BENCH=OFF >/dev/null
fi
FUZZ_TARGETS=$(cd "$SAN_DIR" && ninja -t targets all | sed -n 's/^\([A-Za-z0-9_]*_fuzz\): .*/\1/p' | sort -u)
if [ -n "$FUZZ_TARGETS" ]; then
  # shellcheck disable=SC2086
  cmake --build "$SAN_DIR" -j "$JOBS" --target $FUZZ_TARGETS
  (cd "$SAN_DIR" && ctest --output-on-failure -j "$JOBS" -R '_fuzz$')
fi
