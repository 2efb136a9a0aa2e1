#pragma once
// Measurements for the synth/dsp tests: windowed spectra, alias levels and frequency estimates,
// computed from rendered output with core's RealFft.
#include <cmath>
#include <complex>
#include <functional>
#include <vector>

#include "core/fft.h"

namespace midistems::synth::dsp::testing {

inline constexpr double kPi = 3.14159265358979323846;

// 4-term Blackman-Harris window: side lobes at -92 dB, main lobe +-4 bins.
inline std::vector<double> blackmanHarris(int n) {
  std::vector<double> w(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    const double x = 2.0 * kPi * i / n;
    w[static_cast<size_t>(i)] = 0.35875 - 0.48829 * std::cos(x) + 0.14128 * std::cos(2 * x) - 0.01168 * std::cos(3 * x);
  }
  return w;
}

// Magnitude spectrum (bins 0..n/2) of a Blackman-Harris-windowed segment.
inline std::vector<double> magnitudeSpectrum(const float* x, int n) {
  const auto w = blackmanHarris(n);
  std::vector<float> windowed(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) windowed[static_cast<size_t>(i)] = float(x[i] * w[static_cast<size_t>(i)]);
  RealFft fft(n);
  std::vector<std::complex<float>> bins(static_cast<size_t>(fft.bins()));
  fft.forward(windowed.data(), bins.data());
  std::vector<double> mag(bins.size());
  for (size_t k = 0; k < bins.size(); ++k) mag[k] = std::abs(bins[k]);
  return mag;
}

struct AliasReport {
  double strongestHarmonicDb = -300;  // relative to the reference harmonic
  double strongestAliasDb = -300;     // strongest non-harmonic component, relative to the reference
  double aliasFrequencyHz = 0;
};

// Strongest non-harmonic component of a signal with fundamental f0, relative to the peak of the
// `referenceHarmonic` (1 = the fundamental; 0 = the strongest harmonic). Bins within `guard` bins
// of a harmonic (or of DC) are harmonic.
inline AliasReport aliasLevel(const std::vector<float>& signal, double sampleRate, double f0,
                              int referenceHarmonic = 1, int guard = 6) {
  const int n = static_cast<int>(signal.size());
  const auto mag = magnitudeSpectrum(signal.data(), n);
  const double binHz = sampleRate / n;
  std::vector<char> harmonic(mag.size(), 0);
  double reference = 0.0;
  for (int h = 0; h * f0 <= sampleRate / 2 + guard * binHz; ++h) {
    const int centre = static_cast<int>(std::lround(h * f0 / binHz));
    double peak = 0.0;
    for (int k = centre - guard; k <= centre + guard; ++k) {
      if (k < 0 || k >= static_cast<int>(mag.size())) continue;
      harmonic[static_cast<size_t>(k)] = 1;
      peak = std::max(peak, mag[static_cast<size_t>(k)]);
    }
    if (h > 0 && (h == referenceHarmonic || (referenceHarmonic == 0 && peak > reference))) reference = peak;
  }
  AliasReport report;
  double worst = 0.0;
  for (size_t k = 0; k < mag.size(); ++k) {
    if (harmonic[k] || mag[k] <= worst) continue;
    worst = mag[k];
    report.aliasFrequencyHz = double(k) * binHz;
  }
  report.strongestAliasDb = 20.0 * std::log10(std::max(worst, 1e-300) / reference);
  return report;
}

// Frequency of the strongest component near `expectedHz`, by linear regression of its phase over
// consecutive Blackman-Harris-windowed blocks (demodulated at expectedHz): accurate to far below a
// millicent over a few seconds.
inline double measureFrequency(const std::vector<float>& x, double sampleRate, double expectedHz,
                               int blockSize = 16384) {
  const auto w = blackmanHarris(blockSize);
  const int blocks = static_cast<int>(x.size()) / blockSize;
  std::vector<double> times, phases;
  double previous = 0.0, unwrap = 0.0;
  for (int b = 0; b < blocks; ++b) {
    std::complex<double> acc = 0.0;
    for (int i = 0; i < blockSize; ++i) {
      const long n = long(b) * blockSize + i;
      const double angle = -2.0 * kPi * expectedHz * double(n) / sampleRate;
      acc += double(x[static_cast<size_t>(n)]) * w[static_cast<size_t>(i)] * std::polar(1.0, angle);
    }
    const double phase = std::arg(acc);
    if (b > 0) {
      double d = phase - previous;
      while (d > kPi) d -= 2 * kPi;
      while (d < -kPi) d += 2 * kPi;
      unwrap += d;
    } else {
      unwrap = phase;
    }
    previous = phase;
    times.push_back((double(b) * blockSize + blockSize / 2.0) / sampleRate);
    phases.push_back(unwrap);
  }
  double mt = 0, mp = 0;
  for (size_t i = 0; i < times.size(); ++i) {
    mt += times[i];
    mp += phases[i];
  }
  mt /= double(times.size());
  mp /= double(times.size());
  double num = 0, den = 0;
  for (size_t i = 0; i < times.size(); ++i) {
    num += (times[i] - mt) * (phases[i] - mp);
    den += (times[i] - mt) * (times[i] - mt);
  }
  return expectedHz + num / den / (2.0 * kPi);
}

inline double centsBetween(double measured, double expected) {
  return 1200.0 * std::log2(measured / expected);
}

}  // namespace midistems::synth::dsp::testing
