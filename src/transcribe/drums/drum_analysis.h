#pragma once
// Onset analysis of a drums signal: candidate onsets, their refined times, spectra, template
// decomposition and classifier features. Internal to transcribe/drums; shared by the transcriber
// and by the program that exports training data (tools/drumkit).
#include <cstddef>  // before core/audio_buffer.h, which uses size_t without including it
#include <vector>

#include "core/audio_buffer.h"
#include "transcribe/drums/drum_classes.h"
#include "transcribe/drums/drum_features.h"
#include "transcribe/drums/drum_spectrum.h"

namespace midistems::transcribe::drums {

struct OnsetAnalysis {
  std::vector<double> centresHz;              // band centres
  std::vector<int> frames;                    // onset frames, ascending
  std::vector<double> seconds;                // onset times refined to 1 ms
  std::vector<std::vector<double>> added;     // band magnitudes each onset adds
  std::vector<Activations> activations;       // template decomposition of `added`
  std::vector<float> features;                // onsets x kFeatureCount
  double gainDb = 0.0;                        // level of the analysis signal's unit peak
  double loudestMagnitude = 0.0;              // largest band magnitude of the song
  size_t size() const { return frames.size(); }
};

// `detectionScale` multiplies the onset detectors' thresholds (lower finds more candidates, which
// the classifier may then reject). Throws midistems::Error for audio without a sample rate.
OnsetAnalysis analyseOnsets(const AudioBuffer& audio, double detectionScale, double minGapMs);

}  // namespace midistems::transcribe::drums
