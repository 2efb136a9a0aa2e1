// Tempo estimation: onset envelope -> autocorrelation -> comb score per candidate tempo x prior.
#include "transcribe/notes/tempo_estimation.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>

#include "core/error.h"
#include "core/fft.h"
#include "core/resample.h"

namespace midistems::transcribe {
namespace {

constexpr int kAnalysisRate = 22050;
constexpr int kFftSize = 2048;
constexpr int kHop = 256;                  // 11.6 ms frames
constexpr double kMaxAnalysisHz = 11025;   // whole band: hi-hats carry much of the pulse
constexpr double kLogCompression = 1000.0; // log(1 + C|X|), C as in Grosche & Mueller's novelty
constexpr double kMovingAverageSeconds = 0.5;
constexpr int kCombMultiples = 4;
constexpr double kMinSeconds = 4.0;

double interpolate(const std::vector<double>& values, double position) {
  const auto i = size_t(position);
  if (i + 1 >= values.size()) return 0.0;
  const double frac = position - double(i);
  return values[i] * (1 - frac) + values[i + 1] * frac;
}

}  // namespace

OnsetEnvelope onsetStrength(const AudioBuffer& audio) {
  OnsetEnvelope out;
  out.framesPerSecond = double(kAnalysisRate) / kHop;
  if (audio.numFrames() == 0 || audio.sampleRate <= 0) return out;
  std::vector<float> mono = audio.mono();
  if (audio.sampleRate != kAnalysisRate)
    mono = resample(mono.data(), mono.size(), audio.sampleRate, kAnalysisRate);
  if (mono.size() < size_t(kFftSize)) return out;

  const RealFft fft(kFftSize);
  std::vector<float> window(kFftSize), frame(kFftSize);
  for (int i = 0; i < kFftSize; ++i)
    window[size_t(i)] = float(0.5 - 0.5 * std::cos(2 * std::numbers::pi * i / kFftSize));
  const int bins = std::min(fft.bins(), int(kMaxAnalysisHz / kAnalysisRate * kFftSize) + 1);
  std::vector<std::complex<float>> spectrum(size_t(fft.bins()));
  std::vector<float> previous(size_t(bins), 0.0f), current(size_t(bins), 0.0f);
  const size_t numFrames = (mono.size() - kFftSize) / kHop + 1;
  std::vector<float> flux(numFrames, 0.0f);
  for (size_t f = 0; f < numFrames; ++f) {
    for (int i = 0; i < kFftSize; ++i) frame[size_t(i)] = mono[f * kHop + size_t(i)] * window[size_t(i)];
    fft.forward(frame.data(), spectrum.data());
    double sum = 0;
    for (int b = 0; b < bins; ++b) {
      current[size_t(b)] = std::log1p(float(kLogCompression) * std::abs(spectrum[size_t(b)]));
      if (f > 0) sum += std::max(0.0f, current[size_t(b)] - previous[size_t(b)]);
    }
    flux[f] = float(sum);
    previous.swap(current);
  }

  // Subtract a centred moving average so that only the peaks above the local level remain.
  const auto half = size_t(kMovingAverageSeconds * out.framesPerSecond / 2);
  std::vector<double> prefix(numFrames + 1, 0.0);
  for (size_t i = 0; i < numFrames; ++i) prefix[i + 1] = prefix[i] + flux[i];
  out.strength.resize(numFrames);
  for (size_t i = 0; i < numFrames; ++i) {
    const size_t lo = i > half ? i - half : 0, hi = std::min(numFrames, i + half + 1);
    const double mean = (prefix[hi] - prefix[lo]) / double(hi - lo);
    out.strength[i] = float(std::max(0.0, double(flux[i]) - mean));
  }
  return out;
}

std::optional<double> estimateTempo(const OnsetEnvelope& envelope, const TempoOptions& o) {
  if (!(o.minBpm > 0 && o.maxBpm > o.minBpm && o.priorBpm > 0 && o.priorOctaves > 0))
    throw Error("tempo estimation: need 0 < minimum BPM < maximum BPM and a positive prior");
  const auto& e = envelope.strength;
  const double fps = envelope.framesPerSecond;
  if (fps <= 0 || double(e.size()) < kMinSeconds * fps) return std::nullopt;

  // Autocorrelation up to the longest lag the comb reads, normalised by the overlap length.
  const auto maxLag = size_t(std::ceil(kCombMultiples * 60.0 * fps / o.minBpm)) + 2;
  std::vector<double> acf(std::min(maxLag, e.size()), 0.0);
  for (size_t lag = 0; lag < acf.size(); ++lag) {
    double sum = 0;
    for (size_t i = lag; i < e.size(); ++i) sum += double(e[i]) * e[i - lag];
    acf[lag] = sum / double(e.size() - lag);
  }
  if (!(acf[0] > 0)) return std::nullopt;

  double bestBpm = 0, bestScore = 0;
  for (double bpm = o.minBpm; bpm <= o.maxBpm + 1e-9; bpm += 0.1) {
    const double lag = 60.0 * fps / bpm;
    double comb = 0;
    for (int k = 1; k <= kCombMultiples; ++k) comb += interpolate(acf, k * lag);
    const double octaves = std::log2(bpm / o.priorBpm) / o.priorOctaves;
    const double score = comb / kCombMultiples * std::exp(-0.5 * octaves * octaves);
    if (score > bestScore) {
      bestScore = score;
      bestBpm = bpm;
    }
  }
  if (!(bestScore > 0)) return std::nullopt;
  return std::round(bestBpm * 10) / 10;
}

std::optional<double> estimateTempo(const AudioBuffer& audio, const TempoOptions& options) {
  return estimateTempo(onsetStrength(audio), options);
}

}  // namespace midistems::transcribe
