#pragma once
// Per-onset features for the learned drum classifier. Internal to transcribe/drums.
//
// Each detected onset is described by what a listener would use to name the drum: the band levels
// at the attack, how each band decays over the next 200 ms (a closed hi-hat is gone after about
// 50 ms, a ride rings for hundreds, an open hi-hat longer still), the level before the hit, the
// hit's loudness within the song, the time to its neighbours, and the song-adapted template
// decomposition of drum_classes.h. Levels are relative to the onset's own peak so that the
// features do not depend on the recording's gain.
#include <array>
#include <vector>

#include "transcribe/drums/drum_classes.h"
#include "transcribe/drums/drum_spectrum.h"

namespace midistems::transcribe::drums {

// Frames after the onset frame at which band levels are read: 0..2 (the peak), 4, 8, 16 and 32
// frames (23, 46, 93 and 186 ms), plus the quietest of the 2-3 frames before the onset.
constexpr std::array<int, 4> kDecayOffsets{4, 8, 16, 32};
constexpr int kBandCount = 26;  // bandSpectrogram's 1/3-octave bands, 40 Hz to 18 kHz
constexpr int kFeatureCount = kBandCount * (2 + int(kDecayOffsets.size())) + 4 + 2 * kNumClasses;

// Features of every onset, onsets x kFeatureCount row-major. `onsets` are ascending frames,
// `activations` their decomposition (one per onset).
std::vector<float> onsetFeatures(const BandSpectrogram& spec, const std::vector<int>& onsets,
                                 const std::vector<Activations>& activations);

}  // namespace midistems::transcribe::drums
