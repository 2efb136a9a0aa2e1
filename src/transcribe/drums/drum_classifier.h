#pragma once
// The learned drum classifier: per-onset features (drum_features.h) to the probability that each
// group of General MIDI drum keys sounds at that onset. Internal to transcribe/drums.
//
// A small multi-layer perceptron (one tanh hidden layer, one sigmoid output per group) trained by
// tools/drumkit/train_drum_classifier.py on songs rendered from General MIDI SoundFonts, each as
// its clean drums stem and as the DSP separator's drums stem of its mixture; its weights are the
// generated table drum_classifier_weights.inc.
#include <array>

#include "transcribe/drums/drum_features.h"

namespace midistems::transcribe::drums {

// Output groups. Hi-hats and cymbals are split by how they ring (closed vs open hi-hat, crash vs
// ride), since their decays differ by hundreds of milliseconds.
enum DrumGroup {
  kGroupKick = 0,
  kGroupSnare,
  kGroupTom,
  kGroupClosedHat,
  kGroupOpenHat,
  kGroupCrash,
  kGroupRide,
  kNumGroups
};

using GroupProbabilities = std::array<float, kNumGroups>;

// The group of a General MIDI percussion key (-1 for keys outside the five drum classes).
int groupOfKey(int key);

// The key written for a group (toms are refined by pitch later).
int keyOfGroup(int group);

// Onset detector threshold scale used for the classifier's candidates (the classifier was trained
// on candidates found with it).
constexpr double kCandidateDetectionScale = 0.4;

// Probabilities for one onset's features (kFeatureCount values).
GroupProbabilities classifyOnset(const float* features);

// The probability at or above which a group counts as present, at sensitivity 0.5 (chosen by the
// training script on its validation songs). Higher sensitivity lowers it; `logitShift` is added
// to its logit (positive raises it).
float groupThreshold(int group, double sensitivity, double logitShift = 0.0);

}  // namespace midistems::transcribe::drums
