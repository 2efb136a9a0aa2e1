#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds Midistems and runs the whole job on the embedded demo
# song: render it from MIDI, split it into stems, transcribe the stems to MIDI, re-synthesise.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
BIN="${MIDISTEMS_BUILD_DIR:-build}/bin/midistems"
# --offline: the demo never downloads a separation model, so it runs the same with or without a
# network (an installed HTDemucs model is used, else the built-in DSP separator, said in one line).
"$BIN" demo -o demo-output --offline
echo "Listen to demo-output/demo_song.wav (the song) and demo-output/demo_song.preview.wav (the song re-played from its transcription)."
echo "Look at demo-output/demo_song.notes.png (the transcribed notes over each stem's spectrogram)."
