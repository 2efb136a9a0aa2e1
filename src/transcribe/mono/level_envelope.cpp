// See level_envelope.h.
#include "transcribe/mono/level_envelope.h"

#include <algorithm>
#include <cmath>
#include <complex>

#include "core/fft.h"

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

float LevelEnvelope::dbAt(double seconds) const {
  if (db.empty()) return kFloorDb;
  const double x = std::clamp(seconds / hopSeconds, 0.0, double(db.size() - 1));
  const auto i = int64_t(x);
  const int64_t j = std::min<int64_t>(i + 1, int64_t(db.size()) - 1);
  const double f = x - double(i);
  return float(db[size_t(i)] * (1 - f) + db[size_t(j)] * f);
}

LevelEnvelope levelEnvelope(const AudioBuffer& audio) {
  LevelEnvelope env;
  env.hopSeconds = kHopSeconds;
  if (audio.numFrames() == 0 || audio.sampleRate <= 0) return env;
  const std::vector<float> mono = audio.mono();
  const double rate = audio.sampleRate;
  int size = 1;
  while (size < int(kWindowSeconds * rate)) size *= 2;
  const RealFft fft(size);
  std::vector<float> window(static_cast<size_t>(size)), frame(static_cast<size_t>(size));
  for (int i = 0; i < size; ++i) window[size_t(i)] = float(0.5 - 0.5 * std::cos(2 * M_PI * (i + 0.5) / size));
  double windowPower = 0;
  for (float w : window) windowPower += double(w) * w;
  std::vector<std::complex<float>> spectrum(size_t(fft.bins()));
  std::vector<float> logMag(size_t(fft.bins()), 0.0f), prevLogMag(size_t(fft.bins()), 0.0f);
  const auto count = int64_t(double(mono.size()) / rate / kHopSeconds) + 1;
  env.db.resize(size_t(count));
  env.flux.resize(size_t(count));
  for (int64_t k = 0; k < count; ++k) {
    const auto centre = int64_t(std::lround(double(k) * kHopSeconds * rate));
    double power = 0;
    for (int i = 0; i < size; ++i) {
      const int64_t n = centre - size / 2 + i;
      const float x = n >= 0 && n < int64_t(mono.size()) ? mono[size_t(n)] : 0.0f;
      frame[size_t(i)] = x * window[size_t(i)];
      power += double(frame[size_t(i)]) * frame[size_t(i)];
    }
    env.db[size_t(k)] = std::max(kFloorDb, float(10 * std::log10(power / windowPower + 1e-30)));
    fft.forward(frame.data(), spectrum.data());
    // Log magnitude with a floor 80 dB under full scale, so that noise-level bins add no flux.
    double flux = 0;
    for (int b = 0; b < fft.bins(); ++b) {
      logMag[size_t(b)] = std::log(std::abs(spectrum[size_t(b)]) / float(size) + 1e-4f);
      flux += std::max(0.0f, logMag[size_t(b)] - prevLogMag[size_t(b)]);
    }
    env.flux[size_t(k)] = k == 0 ? 0.0f : float(flux / fft.bins());
    std::swap(logMag, prevLogMag);
  }
  return env;
}

}  // namespace midistems::transcribe
