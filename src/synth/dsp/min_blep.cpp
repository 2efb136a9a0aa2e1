#include "synth/dsp/min_blep.h"

#include <algorithm>
#include <cmath>
#include <complex>

#include "core/fft.h"

namespace midistems::synth::dsp {
namespace {

constexpr double kBlepCutoff = 0.4375;  // of the sample rate (see min_blep.h)

BlepTable buildMinBlep() {
  constexpr int kTaps = kBlepSamples * kBlepOversampling + 1;
  constexpr int kFftSize = 65536;  // 16x zero padding keeps the cepstrum's time aliasing negligible
  constexpr double kPi = 3.14159265358979323846;
  std::vector<float> impulse(kFftSize, 0.0f);
  for (int n = 0; n < kTaps; ++n) {
    const double x = 2.0 * kBlepCutoff * double(n - (kTaps - 1) / 2) / kBlepOversampling;
    const double sinc = x == 0.0 ? 1.0 : std::sin(kPi * x) / (kPi * x);
    // 4-term Blackman-Harris window: side lobes at -92 dB.
    const double w = 2.0 * kPi * n / (kTaps - 1);
    const double window = 0.35875 - 0.48829 * std::cos(w) + 0.14128 * std::cos(2 * w) -
                          0.01168 * std::cos(3 * w);
    impulse[static_cast<size_t>(n)] = float(sinc * window);
  }
  // Minimum phase by the real cepstrum (folding the cepstrum onto positive quefrencies).
  const RealFft fft(kFftSize);
  std::vector<std::complex<float>> spectrum(static_cast<size_t>(fft.bins()));
  fft.forward(impulse.data(), spectrum.data());
  for (auto& bin : spectrum) bin = std::log(std::max(std::abs(bin), 1e-7f));
  std::vector<float> cepstrum(kFftSize);
  fft.inverse(spectrum.data(), cepstrum.data());
  for (int n = 0; n < kFftSize; ++n) {
    const float scale = (n == 0 || n == kFftSize / 2) ? 1.0f : (n < kFftSize / 2 ? 2.0f : 0.0f);
    cepstrum[static_cast<size_t>(n)] *= scale / float(kFftSize);
  }
  fft.forward(cepstrum.data(), spectrum.data());
  for (auto& bin : spectrum) bin = std::exp(bin);
  std::vector<float> minimumPhase(kFftSize);
  fft.inverse(spectrum.data(), minimumPhase.data());

  constexpr int kPoints = kBlepSamples * kBlepOversampling + 1;
  BlepTable table;
  table.residual.resize(kPoints);
  double sum = 0.0;
  std::vector<double> step(kPoints);
  for (int n = 0; n < kPoints; ++n) {
    sum += minimumPhase[static_cast<size_t>(n)];
    step[static_cast<size_t>(n)] = sum;
  }
  for (int n = 0; n < kPoints; ++n)
    table.residual[static_cast<size_t>(n)] = float(step[static_cast<size_t>(n)] / sum - 1.0);
  table.residual[kPoints - 1] = 0.0f;
  // Integrate the step residual (trapezoids, in samples) for the kink residual, and that for the
  // bend residual; each is made to decay to zero with a band-limited step of the lost area.
  auto integrateOnce = [&](const std::vector<float>& from, std::vector<float>& to) {
    std::vector<double> integral(kPoints, 0.0);
    for (int n = 1; n < kPoints; ++n)
      integral[static_cast<size_t>(n)] = integral[static_cast<size_t>(n) - 1] +
          0.5 * (double(from[static_cast<size_t>(n) - 1]) + from[static_cast<size_t>(n)]) / kBlepOversampling;
    const double delay = -integral[kPoints - 1];
    to.resize(kPoints);
    for (int n = 0; n < kPoints; ++n)
      to[static_cast<size_t>(n)] =
          float(integral[static_cast<size_t>(n)] + delay * (1.0 + table.residual[static_cast<size_t>(n)]));
    to[kPoints - 1] = 0.0f;
  };
  integrateOnce(table.residual, table.kinkResidual);
  integrateOnce(table.kinkResidual, table.bendResidual);
  table.phases.resize(size_t(3) * (kBlepOversampling + 1) * kBlepSamples);
  const std::vector<float>* kinds[3] = {&table.residual, &table.kinkResidual, &table.bendResidual};
  for (int k = 0; k < 3; ++k)
    for (int p = 0; p <= kBlepOversampling; ++p)
      for (int m = 0; m < kBlepSamples; ++m)
        table.phases[(size_t(k) * (kBlepOversampling + 1) + size_t(p)) * kBlepSamples + size_t(m)] =
            (*kinds[k])[size_t(p + m * kBlepOversampling)];  // at most index kPoints - 1
  return table;
}

}  // namespace

const BlepTable& minBlep() {
  static const BlepTable table = buildMinBlep();
  return table;
}

}  // namespace midistems::synth::dsp
