#include "synth/wavetable.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace midistems::synth {
namespace {

// Amplitude of harmonic h (1-based) in each frame: Fourier series of the named classic shapes.
double harmonicAmplitude(int frame, int h) {
  const double pi = 3.14159265358979323846;
  switch (frame) {
    case 0: return h == 1 ? 1.0 : 0.0;                                          // sine
    case 1: return h % 2 ? ((h / 2) % 2 ? -1.0 : 1.0) / (double(h) * h) : 0.0;  // triangle
    case 2: return std::exp(-h / 6.0) / h;                                      // soft saw
    case 3: return 1.0 / h;                                                     // saw
    case 4: return h % 2 ? 1.0 / h : 0.0;                                       // square
    case 5: return std::sin(pi * h * 0.25) / h;                                 // 25 % pulse
    case 6: return (1.0 + 2.0 * std::exp(-0.5 * std::pow((h - 7) / 2.0, 2))) / h;  // formant
    default: return std::sin(pi * h * 0.10) / h;                                // 10 % pulse
  }
}

}  // namespace

Wavetable::Wavetable() {
  static std::vector<float> storage(size_t(kMipLevels) * kFrames * (kSize + 1));
  data_ = storage.data();
  std::vector<double> sinTable(kSize);
  for (int i = 0; i < kSize; ++i) sinTable[size_t(i)] = std::sin(2.0 * 3.14159265358979323846 * i / kSize);
  std::vector<double> cycleBuffer(kSize);
  for (int frame = 0; frame < kFrames; ++frame) {
    for (int level = 0; level < kMipLevels; ++level) {
      const int maxHarmonic = std::max(1, (kSize / 2) >> level);
      std::fill(cycleBuffer.begin(), cycleBuffer.end(), 0.0);
      for (int h = 1; h <= maxHarmonic; ++h) {
        const double a = harmonicAmplitude(frame, h);
        if (a == 0.0) continue;
        // (h * i) mod kSize, stepped without a division: kSize is a power of two.
        for (int i = 0, index = 0; i < kSize; ++i, index = (index + h) & (kSize - 1))
          cycleBuffer[size_t(i)] += a * sinTable[size_t(index)];
      }
      double peak = 1e-9;
      for (double v : cycleBuffer) peak = std::max(peak, std::fabs(v));
      float* out = data_ + (size_t(level) * kFrames + size_t(frame)) * (kSize + 1);
      for (int i = 0; i < kSize; ++i) out[i] = float(cycleBuffer[size_t(i)] / peak);
      out[kSize] = out[0];
    }
  }
}

const Wavetable& Wavetable::builtIn() {
  static const Wavetable table;
  return table;
}

int Wavetable::mipLevelFor(float inc) {
  // Harmonics at mip level m reach 1024 >> m; keep (1024 >> m) * inc below 0.5.
  int level = 0;
  while (level < kMipLevels - 1 && float(kSize / 2 >> level) * inc > 0.5f) ++level;
  return level;
}

}  // namespace midistems::synth
