#include "synth/dsp/mip_table.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "core/fft.h"

namespace midistems::synth::dsp {

std::unique_ptr<MipTable> MipTable::fromSpectrum(std::span<const std::complex<float>> spectrum) {
  auto table = std::make_unique<MipTable>();
  const RealFft fft(kTableSize);
  std::vector<std::complex<float>> bins(static_cast<size_t>(fft.bins()));
  for (int level = 0; level < kMipLevels; ++level) {
    // The table's own Nyquist bin cannot hold a sine component, so level 0 stops one short.
    const int harmonics = std::min({kMaxHarmonics >> level, kTableSize / 2 - 1,
                                    static_cast<int>(spectrum.size()) - 1});
    std::fill(bins.begin(), bins.end(), std::complex<float>{});
    // The unnormalised inverse FFT of X gives X_0 + 2 Re(sum_h X_h e^{i 2 pi h n / N}), so half of
    // each harmonic's amplitude goes in its bin.
    for (int h = 1; h <= harmonics; ++h) bins[static_cast<size_t>(h)] = 0.5f * spectrum[static_cast<size_t>(h)];
    auto& out = table->levels[static_cast<size_t>(level)];
    fft.inverse(bins.data(), out.data());
    out[kTableSize] = out[0];
  }
  return table;
}

std::unique_ptr<MipTable> MipTable::fromCycle(std::span<const float> cycle) {
  const int size = static_cast<int>(cycle.size());
  const RealFft fft(size);
  std::vector<std::complex<float>> bins(static_cast<size_t>(fft.bins()));
  fft.forward(cycle.data(), bins.data());
  const int harmonics = std::min(kMaxHarmonics, size / 2 - 1);
  std::vector<std::complex<float>> spectrum(static_cast<size_t>(harmonics) + 1);
  for (int h = 1; h <= harmonics; ++h)
    spectrum[static_cast<size_t>(h)] = bins[static_cast<size_t>(h)] * (2.0f / float(size));
  return fromSpectrum(spectrum);
}

MipChoice chooseMip(float cyclesPerSample) {
  // Level j is alias-free while cyclesPerSample <= 2^(j - kTableBits); nu counts those octaves.
  const float nu = std::log2(std::max(cyclesPerSample, 1e-9f)) + float(kTableBits);
  const int last = kMipLevels - 1;
  MipChoice choice;
  choice.level = std::clamp(static_cast<int>(std::ceil(nu)), 0, last);
  choice.nextLevel = std::min(choice.level + 1, last);
  // Over the octave in which `level` is valid, fade towards the duller level so that at the top of
  // the octave (where the next octave starts on that level) the mix is continuous.
  choice.fade = choice.level == last ? 0.0f : std::clamp(nu - float(choice.level - 1), 0.0f, 1.0f);
  return choice;
}

namespace {

std::unique_ptr<MipTable> buildBasic(BasicShape shape) {
  constexpr float kPi = std::numbers::pi_v<float>;
  const std::complex<float> i(0.0f, 1.0f);
  std::vector<std::complex<float>> spectrum(static_cast<size_t>(kMaxHarmonics) + 1);
  // Fourier series of the naive shapes (Re(c e^{i theta}) = -Im(c) sin theta for imaginary c).
  for (int h = 1; h <= kMaxHarmonics; ++h) {
    const float fh = float(h);
    std::complex<float> c{};
    switch (shape) {
      case BasicShape::Sine: c = h == 1 ? -i : 0.0f; break;
      // 2 phi - 1 = -(2 / pi) sum sin(2 pi h phi) / h
      case BasicShape::Saw: c = i * (2.0f / (kPi * fh)); break;
      // (4 / pi) sum_odd sin(2 pi h phi) / h
      case BasicShape::Square: c = (h % 2) ? -i * (4.0f / (kPi * fh)) : 0.0f; break;
      // (8 / pi^2) sum_odd (-1)^((h-1)/2) sin(2 pi h phi) / h^2
      case BasicShape::Triangle: {
        const float sign = ((h - 1) / 2) % 2 ? -1.0f : 1.0f;
        c = (h % 2) ? -i * (sign * 8.0f / (kPi * kPi * fh * fh)) : 0.0f;
        break;
      }
    }
    spectrum[static_cast<size_t>(h)] = c;
  }
  return MipTable::fromSpectrum(spectrum);
}

}  // namespace

const MipTable& basicTable(BasicShape shape) {
  static const auto tables = [] {
    std::array<std::unique_ptr<MipTable>, 4> t;
    for (int s = 0; s < 4; ++s) t[static_cast<size_t>(s)] = buildBasic(static_cast<BasicShape>(s));
    return t;
  }();
  return *tables[static_cast<size_t>(shape)];
}

}  // namespace midistems::synth::dsp
