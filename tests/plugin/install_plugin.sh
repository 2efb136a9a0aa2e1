#!/usr/bin/env bash
# install_plugin.sh BUILD_DIR WORK_DIR: `cmake --install --component plugin` into a prefix under
# WORK_DIR, then the bundles moved to WORK_DIR/home/.vst3 and WORK_DIR/home/.lv2 (where a user
# puts them) and the prefix deleted; fails if any installed file names the build tree.
set -euo pipefail
build="$1" work="$2"
rm -rf "$work"
mkdir -p "$work/home/.vst3" "$work/home/.lv2"
cmake --install "$build" --prefix "$work/prefix" --component plugin >/dev/null
for f in lib/vst3/Midistems.vst3 lib/lv2/Midistems.lv2 bin/midistems-synth; do
  [ -e "$work/prefix/$f" ] || { echo "FAILED: cmake --install did not install $f"; exit 1; }
done
if grep -rlF "$(cd "$build" && pwd -P)" "$work/prefix"; then
  echo "FAILED: the installed files above name the build tree"
  exit 1
fi
mv "$work/prefix/lib/vst3/Midistems.vst3" "$work/home/.vst3/"
mv "$work/prefix/lib/lv2/Midistems.lv2" "$work/home/.lv2/"
rm -rf "$work/prefix"
echo "installed and moved to $work/home"
