#pragma once
// Drum transcription: a drums stem in, General MIDI drum notes out.
//
// Onsets come from spectral flux over 1/3-octave bands (one detector over the whole spectrum and
// one over the bands above 5 kHz, so that quiet hi-hats are not masked by kicks and snares). The
// spectrum each onset adds is decomposed into five drum classes (kick, snare, toms, hi-hat,
// cymbals) by non-negative least squares over class templates that adapt to the song
// (drum_classes.h). A small learned classifier (drum_classifier.h) then names the drums of each
// onset from its band levels, their decay over 200 ms and that decomposition
// (drum_features.h); it was trained on General MIDI kits rendered by tools/drumkit.
#include <array>
#include <cstddef>  // before core/audio_buffer.h, which uses size_t without including it
#include <vector>

#include "core/audio_buffer.h"
#include "midi/midi_file.h"

namespace midistems::transcribe {

struct DrumTranscriptionOptions {
  double sensitivity = 0.5;  // 0..1; lowers the classifier's thresholds (more notes) when higher
  double minGapMs = 30;      // two onsets of the same drum are at least this far apart
  // Per classifier group (kick, snare, tom, closed hi-hat, open hi-hat, crash, ride), added to
  // the logit of that group's threshold: positive keeps fewer notes of it, negative more. Zero
  // for clean stems; a separated stem's settings are in transcribe/stems/separated_stems.h.
  std::array<double, 7> thresholdShift{};
};

// General MIDI drum keys: 36 kick, 38 snare, 42 closed hi-hat, 46 open hi-hat, 41/45/48
// low/mid/high tom, 49 crash, 51 ride. Velocity 1..127 from the hit's level (0 dBFS near 127, -50 dB near 1); every note
// lasts 100 ms. Notes are sorted by start time, then pitch. Any sample rate and channel count;
// non-finite samples count as silence.
std::vector<midistems::midi::Note> transcribeDrums(const AudioBuffer& audio,
                                                   const DrumTranscriptionOptions& options = {});

}  // namespace midistems::transcribe
