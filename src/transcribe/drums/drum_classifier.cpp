#include "transcribe/drums/drum_classifier.h"

#include <algorithm>
#include <cmath>

namespace midistems::transcribe::drums {
namespace {
#include "transcribe/drums/drum_classifier_weights.inc"
static_assert(kTrainedFeatureCount == kFeatureCount,
              "drum_classifier_weights.inc was trained on another feature layout: run "
              "tools/drumkit/train_drum_classifier.py");
static_assert(kTrainedGroupCount == kNumGroups, "drum_classifier_weights.inc has other groups");
}  // namespace

int groupOfKey(int key) {
  switch (key) {
    case 35: case 36: return kGroupKick;
    case 37: case 38: case 39: case 40: return kGroupSnare;
    case 41: case 43: case 45: case 47: case 48: case 50: return kGroupTom;
    case 42: case 44: return kGroupClosedHat;
    case 46: return kGroupOpenHat;
    case 49: case 52: case 55: case 57: return kGroupCrash;
    case 51: case 53: case 59: return kGroupRide;
    default: return -1;
  }
}

int keyOfGroup(int group) {
  constexpr int kKeys[kNumGroups] = {36, 38, 45, 42, 46, 49, 51};
  return group >= 0 && group < kNumGroups ? kKeys[group] : -1;
}

GroupProbabilities classifyOnset(const float* features) {
  float input[kFeatureCount];
  for (int f = 0; f < kFeatureCount; ++f) {
    const float x = std::isfinite(features[f]) ? features[f] : 0.0f;
    input[f] = (x - kFeatureMean[f]) * kFeatureInverseScale[f];
  }
  float hidden[kHiddenUnits];
  for (int h = 0; h < kHiddenUnits; ++h) {
    float sum = kHiddenBias[h];
    for (int f = 0; f < kFeatureCount; ++f) sum += kHiddenWeights[h][f] * input[f];
    hidden[h] = std::tanh(sum);
  }
  GroupProbabilities probabilities{};
  for (int g = 0; g < kNumGroups; ++g) {
    float sum = kOutputBias[g];
    for (int h = 0; h < kHiddenUnits; ++h) sum += kOutputWeights[g][h] * hidden[h];
    probabilities[g] = 1.0f / (1.0f + std::exp(-std::clamp(sum, -40.0f, 40.0f)));
  }
  return probabilities;
}

float groupThreshold(int group, double sensitivity, double logitShift) {
  // Shift the threshold's logit by up to +-2 over the sensitivity range (about a factor of 7 in
  // odds each way).
  const double base = std::clamp(double(kThreshold[group]), 0.01, 0.99);
  const double logit = std::log(base / (1.0 - base)) + 4.0 * (0.5 - std::clamp(sensitivity, 0.0, 1.0)) +
                       (std::isfinite(logitShift) ? logitShift : 0.0);
  return float(1.0 / (1.0 + std::exp(-logit)));
}

}  // namespace midistems::transcribe::drums
