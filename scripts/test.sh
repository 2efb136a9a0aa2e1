#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds everything and runs the whole test suite (which also
# replays every fuzz target over its corpus). The timed libFuzzer run under ASan and UBSan is
# scripts/fuzz.sh, which CI runs after this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
JOBS=$(nproc)
(cd "${MIDISTEMS_BUILD_DIR:-build}" && ctest --output-on-failure -j "$JOBS" --timeout 1200)
