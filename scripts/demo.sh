#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds Midistems and runs the main job on the bundled demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
MIDISTEMS_BUILD_DIR=${MIDISTEMS_BUILD_DIR:-build} bash scripts/build.sh
BIN="${MIDISTEMS_BUILD_DIR:-build}/src/cli/midistems"
OUT=demo-output
mkdir -p "$OUT"
"$BIN" demo -o "$OUT"
