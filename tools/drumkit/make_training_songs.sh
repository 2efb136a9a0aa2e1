#!/usr/bin/env bash
# Renders the songs the drum classifier learns from and is checked on, exports their onset
# features, and retrains src/transcribe/drums/drum_classifier_weights.inc.
#
#   bash tools/drumkit/make_training_songs.sh BUILD_DIR WORK_DIR
#
# BUILD_DIR is a configured CMake build folder of this project; WORK_DIR receives the songs and
# CSV files. Songs come from ../shared/tools/songgen/make_songs.py with seeds that the project's
# scored songs (seed 1234) never use, rendered with two General MIDI SoundFonts; each song is
# learned from twice, as its clean drums stem and as the drums stem the DSP separator
# (`midistems split --model dsp`) takes from its mixture, which carries the attacks of the bass
# and chords and loses part of the kick and the cymbals (`run` classifies that stem):
#   train  FluidR3 seeds 777 (8 songs) and 4242 (12), TimGM6mb seed 5151 (12)
#   valid  FluidR3 seed 6161 (8): chooses the per-group thresholds
#   test   TimGM6mb seed 7171 (6) and, where musescore-general-soundfont is installed, MuseScore
#          General seed 8181 (10): held-out seeds and kits, only scored
# Needs: fluidsynth fluid-soundfont-gm timgm6mb-soundfont python3-numpy (see scripts/setup.sh).
set -euo pipefail
build=${1:?BUILD_DIR}
work=${2:?WORK_DIR}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
songgen=${MIDISTEMS_FIXTURES:-$root/../shared}/tools/songgen/make_songs.py
fluid=/usr/share/sounds/sf2/FluidR3_GM.sf2
timgm=/usr/share/sounds/sf2/TimGM6mb.sf2
musescore=/usr/share/sounds/sf3/MuseScore_General_Full.sf3
mkdir -p "$work"
cmake --build "$build" --target drum_feature_dump midistems
dump=$build/tests/transcribe/drums/drum_feature_dump
render() {  # seed count soundfont name
  [ -f "$work/$4/index.json" ] || /usr/bin/python3 "$songgen" --n "$2" --seed "$1" --sf2 "$3" \
      --out "$work/$4" --espeak off
  "$dump" "$work/$4.csv" "$work/$4"/song_*
  # The same songs as the DSP separator's drums stems, beside the songs' own MIDI.
  for song in "$work/$4"/song_*; do
    local split=$work/split_$4/$(basename "$song")
    if [ ! -f "$split/drums.wav" ]; then
      "$build/bin/midistems" split --model dsp --offline --stems drums "$song/mixture.wav" -o "$split" >/dev/null
    fi
    ln -sfn "$song/midi" "$split/midi"
  done
  "$dump" "$work/split_$4.csv" "$work/split_$4"/song_*
}
render 777 8 "$fluid" fluid777
render 4242 12 "$fluid" fluid4242
render 5151 12 "$timgm" timgm5151
render 6161 8 "$fluid" fluid6161
render 7171 6 "$timgm" timgm7171
tests=("$work/timgm7171.csv" "$work/split_timgm7171.csv")
if [ -f "$musescore" ]; then
  render 8181 10 "$musescore" musescore8181
  tests+=("$work/musescore8181.csv" "$work/split_musescore8181.csv")
fi
train=()
for name in fluid777 fluid4242 timgm5151; do train+=("$work/$name.csv" "$work/split_$name.csv"); done
/usr/bin/python3 "$here/train_drum_classifier.py" \
    --train "${train[@]}" \
    --valid "$work/fluid6161.csv" "$work/split_fluid6161.csv" --test "${tests[@]}" --decay 3e-3 \
    --out "$root/src/transcribe/drums/drum_classifier_weights.inc"
