#!/usr/bin/env bash
# Installs what Midistems needs on Debian 12: build tools and libraries (apt; JUCE for the plugin),
# the hosts the plugin's tests load it in (jalv on JACK, Ardour's VST3 scanner, the LV2
# validators) and the tools the test suite scores with (apt), clang with the libFuzzer runtime
# and its OpenMP for scripts/fuzz.sh (apt), a virtual X server and a font for the plugin editor's
# screenshot test (apt), the Slurm and munge daemons the batch test starts as a one-node cluster
# (apt), and the basic-pitch model package (npm, into third_party/npm/).
# Idempotent: installs only what is missing, so a second run takes a second.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libsndfile1-dev libsoxr-dev libfftw3-dev libdnnl-dev ocl-icd-opencl-dev libopenblas-dev libzip-dev
  nlohmann-json3-dev libcli11-dev libfmt-dev libcurl4-openssl-dev libcairo2-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-numpy python3-scipy python3-mido python3-mir-eval python3-soundfile
  fluidsynth fluid-soundfont-gm timgm6mb-soundfont sox espeak-ng
  clang libclang-rt-14-dev libomp-14-dev
  juce-modules-source libjack-jackd2-dev lv2-dev jalv jackd2 sordi lilv-utils ardour
  xvfb xauth fonts-dejavu-core
)
# The daemons of the one-node Slurm cluster the batch test starts (it skips without them). munge's
# set-up runs a command as its own user, which fails where other users cannot run programs (a
# chroot whose root folder only root may enter): there they are left out, with a note.
SLURM_PACKAGES=(slurmctld slurmd slurm-client munge)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm may come from Debian or from another Node.js distribution already installed.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
missing=()
for p in "${SLURM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  if $SUDO runuser -u nobody -- /bin/sh -c true 2>/dev/null; then
    echo "setup: installing ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: not installing ${missing[*]}: other users cannot run programs here (the Slurm test will be skipped)"
  fi
fi

# npm packages (model weights and the reference runtime for benchmarks), pinned in
# third_party/package.json, installed into the git-ignored third_party/npm/.
if [ -f third_party/package.json ]; then
  mkdir -p third_party/npm
  if ! cmp -s third_party/package.json third_party/npm/package.json 2>/dev/null || \
     [ ! -d third_party/npm/node_modules ]; then
    cp third_party/package.json third_party/npm/package.json
    [ -f third_party/package-lock.json ] && cp third_party/package-lock.json third_party/npm/
    echo "setup: installing npm packages into third_party/npm"
    (cd third_party/npm && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  fi
fi
