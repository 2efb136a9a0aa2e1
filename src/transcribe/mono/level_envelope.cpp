// See level_envelope.h.
#include "transcribe/mono/level_envelope.h"

#include <algorithm>
#include <cmath>

namespace midistems::transcribe {

namespace {
constexpr double kHopSeconds = 0.005;
constexpr double kWindowSeconds = 0.040;  // about two periods of a low E bass (41 Hz)
constexpr float kFloorDb = -120.0f;
}  // namespace

int64_t LevelEnvelope::indexOf(double seconds) const {
  if (db.empty()) return 0;
  return std::clamp<int64_t>(int64_t(std::lround(seconds / hopSeconds)), 0, int64_t(db.size()) - 1);
}

LevelEnvelope levelEnvelope(const AudioBuffer& audio) {
  LevelEnvelope env;
  env.hopSeconds = kHopSeconds;
  if (audio.numFrames() == 0 || audio.sampleRate <= 0) return env;
  const std::vector<float> mono = audio.mono();
  const double rate = audio.sampleRate;
  const int size = std::max(2, int(kWindowSeconds * rate));
  std::vector<double> window(static_cast<size_t>(size));
  double windowSum = 0;
  for (int i = 0; i < size; ++i) {
    window[size_t(i)] = 0.5 - 0.5 * std::cos(2 * M_PI * (i + 0.5) / size);
    windowSum += window[size_t(i)];
  }
  const auto count = int64_t(double(mono.size()) / rate / kHopSeconds) + 1;
  env.db.resize(size_t(count));
  for (int64_t k = 0; k < count; ++k) {
    const auto first = int64_t(std::lround(double(k) * kHopSeconds * rate)) - size / 2;
    double power = 0;
    for (int i = std::max(0, int(-first)); i < size && first + i < int64_t(mono.size()); ++i) {
      const double x = mono[size_t(first + i)];
      power += window[size_t(i)] * x * x;
    }
    env.db[size_t(k)] = std::max(kFloorDb, float(10 * std::log10(power / windowSum + 1e-30)));
  }
  return env;
}

}  // namespace midistems::transcribe
