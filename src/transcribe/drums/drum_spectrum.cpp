#include "transcribe/drums/drum_spectrum.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numeric>

#include "core/fft.h"

namespace midistems::transcribe::drums {
namespace {

struct BandWeights {
  int firstBin = 0;
  std::vector<double> weights;
};

// Triangles on a linear frequency axis between neighbouring 1/3-octave edges; a band too narrow
// to contain a bin takes the nearest one.
std::vector<BandWeights> makeBands(std::vector<double>& centres) {
  std::vector<double> edges{40.0};
  while (edges.back() < 18000.0) edges.push_back(edges.back() * std::pow(2.0, 1.0 / 3.0));
  const double binHz = double(kAnalysisRate) / kFftSize;
  std::vector<BandWeights> bands;
  for (size_t i = 0; i + 2 < edges.size(); ++i) {
    const double lo = edges[i], mid = edges[i + 1], hi = edges[i + 2];
    BandWeights band;
    band.firstBin = static_cast<int>(std::ceil(lo / binHz));
    for (int bin = band.firstBin; bin * binHz < hi && bin <= kFftSize / 2; ++bin) {
      const double f = bin * binHz;
      band.weights.push_back(std::max(0.0, std::min((f - lo) / (mid - lo), (hi - f) / (hi - mid))));
    }
    if (std::accumulate(band.weights.begin(), band.weights.end(), 0.0) <= 0.0) {
      band.firstBin = static_cast<int>(std::lround(mid / binHz));
      band.weights.assign(1, 1.0);
    }
    centres.push_back(mid);
    bands.push_back(std::move(band));
  }
  return bands;
}

}  // namespace

BandSpectrogram bandSpectrogram(const std::vector<float>& mono) {
  BandSpectrogram spec;
  const std::vector<BandWeights> bands = makeBands(spec.centresHz);
  const int numBands = spec.bands();
  const int64_t length = static_cast<int64_t>(mono.size());
  spec.frames = static_cast<int>(length / kHop + 1);
  spec.power.assign(static_cast<size_t>(spec.frames) * numBands, 0.0);

  std::vector<float> window(kFftSize);
  for (int i = 0; i < kFftSize; ++i)
    window[i] = static_cast<float>(0.5 - 0.5 * std::cos(2.0 * M_PI * i / kFftSize));
  RealFft fft(kFftSize);
  std::vector<float> frame(kFftSize);
  std::vector<std::complex<float>> bins(fft.bins());
  std::vector<double> binPower(fft.bins());
  for (int t = 0; t < spec.frames; ++t) {
    // Frame t is centred on sample t * kHop (zeros outside the signal).
    const int64_t start = int64_t(t) * kHop - kFftSize / 2;
    for (int i = 0; i < kFftSize; ++i) {
      const int64_t n = start + i;
      frame[i] = (n >= 0 && n < length) ? mono[static_cast<size_t>(n)] * window[i] : 0.0f;
    }
    fft.forward(frame.data(), bins.data());
    for (int k = 0; k < fft.bins(); ++k) binPower[k] = std::norm(std::complex<double>(bins[k]));
    double* out = spec.power.data() + static_cast<size_t>(t) * numBands;
    for (int b = 0; b < numBands; ++b) {
      double sum = 0.0;
      for (size_t j = 0; j < bands[b].weights.size(); ++j)
        sum += bands[b].weights[j] * binPower[bands[b].firstBin + j];
      out[b] = sum;
    }
  }
  return spec;
}

std::vector<double> spectralFlux(const BandSpectrogram& spec, double minHz, double maxHz,
                                 bool acrossNeighbours) {
  int first = spec.bands(), last = -1;
  for (int b = 0; b < spec.bands(); ++b)
    if (spec.centresHz[b] >= minHz && spec.centresHz[b] <= maxHz) {
      first = std::min(first, b);
      last = std::max(last, b);
    }
  std::vector<double> odf(static_cast<size_t>(spec.frames), 0.0);
  if (last < first) return odf;
  const int width = last - first + 1;

  double loudest = 0.0;
  for (int t = 0; t < spec.frames; ++t) {
    const double* p = spec.frame(t) + first;
    loudest = std::max(loudest, std::accumulate(p, p + width, 0.0));
  }
  const double floor = std::max(loudest * 1e-5 / width, 1e-30);

  std::vector<double> level(static_cast<size_t>(spec.frames) * width);
  for (int t = 0; t < spec.frames; ++t)
    for (int b = 0; b < width; ++b)
      level[size_t(t) * width + b] = std::log10(spec.frame(t)[first + b] + floor);
  for (int t = 2; t < spec.frames; ++t) {
    const double* now = &level[size_t(t) * width];
    const double* before = &level[size_t(t - 2) * width];
    double sum = 0.0;
    for (int b = 0; b < width; ++b) {
      double reference = before[b];
      if (acrossNeighbours && b > 0) reference = std::max(reference, before[b - 1]);
      if (acrossNeighbours && b + 1 < width) reference = std::max(reference, before[b + 1]);
      sum += std::max(0.0, now[b] - reference);
    }
    odf[t] = sum;
  }
  return odf;
}

std::vector<int> pickPeaks(const std::vector<double>& odf, double multiplier, double delta,
                           int minGapFrames) {
  const int n = static_cast<int>(odf.size());
  const int meanRadius = static_cast<int>(0.3 * kAnalysisRate / kHop);
  // Prefix sums for the moving mean.
  std::vector<double> prefix(static_cast<size_t>(n) + 1, 0.0);
  for (int t = 0; t < n; ++t) prefix[t + 1] = prefix[t] + odf[t];
  std::vector<int> peaks;
  for (int t = 2; t + 2 < n; ++t) {
    const int lo = std::max(0, t - 3), hi = std::min(n, t + 4);
    if (odf[t] < *std::max_element(odf.begin() + lo, odf.begin() + hi)) continue;
    const int mlo = std::max(0, t - meanRadius), mhi = std::min(n, t + meanRadius);
    const double mean = (prefix[mhi] - prefix[mlo]) / (mhi - mlo);
    if (odf[t] <= multiplier * mean + delta) continue;
    if (!peaks.empty() && t - peaks.back() < minGapFrames) continue;
    peaks.push_back(t);
  }
  return peaks;
}

}  // namespace midistems::transcribe::drums
