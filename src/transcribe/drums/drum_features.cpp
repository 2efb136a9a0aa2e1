#include "transcribe/drums/drum_features.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace midistems::transcribe::drums {
namespace {

// dB levels are clamped to 60 dB below the reference and scaled by 1/20, so features stay in a
// range of a few units for the classifier.
constexpr double kRangeDb = 60.0;

float scaledDb(double db) { return float(std::clamp(db, -kRangeDb, kRangeDb) / 20.0); }

// The 90th percentile of a class's activation over the song: the song's usual level of a hit.
double typicalLevel(const std::vector<Activations>& activations, int k) {
  std::vector<double> column;
  for (const auto& a : activations) column.push_back(a[k]);
  if (column.empty()) return 0.0;
  const size_t rank = std::min(column.size() - 1, size_t(0.9 * double(column.size())));
  std::nth_element(column.begin(), column.begin() + rank, column.end());
  return column[rank];
}

}  // namespace

std::vector<float> onsetFeatures(const BandSpectrogram& spec, const std::vector<int>& onsets,
                                 const std::vector<Activations>& activations) {
  const int bands = spec.bands();
  std::vector<float> features(onsets.size() * kFeatureCount, 0.0f);
  if (onsets.empty() || bands != kBandCount) return features;

  double loudest = 0.0;
  for (double p : spec.power) loudest = std::max(loudest, p);
  const double floor = std::max(loudest * 1e-9, 1e-30);
  auto level = [&](int t, int b) {
    t = std::clamp(t, 0, spec.frames - 1);
    return 10.0 * std::log10(spec.frame(t)[b] + floor);
  };

  // Each onset's peak level over bands and its three first frames; the song's loudest such peak.
  std::vector<double> peakDb(onsets.size());
  for (size_t i = 0; i < onsets.size(); ++i) {
    double peak = -1e9;
    for (int u = 0; u <= 2; ++u)
      for (int b = 0; b < bands; ++b) peak = std::max(peak, level(onsets[i] + u, b));
    peakDb[i] = peak;
  }
  const double songPeakDb = *std::max_element(peakDb.begin(), peakDb.end());

  std::array<double, kNumClasses> typical{};
  for (int k = 0; k < kNumClasses; ++k) typical[k] = typicalLevel(activations, k);

  const double frameSeconds = double(kHop) / kAnalysisRate;
  for (size_t i = 0; i < onsets.size(); ++i) {
    float* out = features.data() + i * kFeatureCount;
    const int t = onsets[i];
    // A later hit would mask the decay: read no further than the frame before the next onset.
    const int next = i + 1 < onsets.size() ? onsets[i + 1] : spec.frames;
    const int lastClean = std::max(t + 2, next - 1);
    for (int b = 0; b < bands; ++b) {
      double peak = -1e9;
      for (int u = 0; u <= 2; ++u) peak = std::max(peak, level(t + u, b));
      const double pre = std::min(level(t - 3, b), level(t - 2, b));
      int column = 0;
      out[column++ * bands + b] = scaledDb(peak - peakDb[i]);
      out[column++ * bands + b] = scaledDb(pre - peak);
      for (int offset : kDecayOffsets)
        out[column++ * bands + b] = scaledDb(level(std::min(t + offset, lastClean), b) - peak);
    }
    float* extra = out + kBandCount * (2 + int(kDecayOffsets.size()));
    extra[0] = scaledDb(peakDb[i] - songPeakDb);
    const double gapAfter = (i + 1 < onsets.size() ? onsets[i + 1] - t : 1000) * frameSeconds;
    const double gapBefore = (i > 0 ? t - onsets[i - 1] : 1000) * frameSeconds;
    extra[1] = float(std::log2(std::clamp(gapAfter, 0.01, 1.0)));
    extra[2] = float(std::log2(std::clamp(gapBefore, 0.01, 1.0)));
    const double total = std::accumulate(activations[i].begin(), activations[i].end(), 0.0);
    extra[3] = float(std::log10(std::max(total, 1e-12)) - std::log10(std::max(
        *std::max_element(typical.begin(), typical.end()), 1e-12)));
    extra[3] = std::clamp(extra[3], -3.0f, 3.0f);
    for (int k = 0; k < kNumClasses; ++k) {
      extra[4 + k] = total > 0 ? float(activations[i][k] / total) : 0.0f;
      const double relative = typical[k] > 0 ? activations[i][k] / typical[k] : 0.0;
      extra[4 + kNumClasses + k] = float(std::clamp(std::log10(relative + 1e-3), -3.0, 1.0));
    }
  }
  return features;
}

}  // namespace midistems::transcribe::drums
