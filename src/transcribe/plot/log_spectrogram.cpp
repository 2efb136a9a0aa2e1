// See log_spectrogram.h.
#include "transcribe/plot/log_spectrogram.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <memory>
#include <numbers>

#include "core/error.h"
#include "core/fft.h"

namespace midistems::transcribe::plot {

namespace {

// Window lengths in seconds, longest first, and the highest frequency each serves.
constexpr std::array<double, 3> kWindowSeconds = {0.1858, 0.0929, 0.0464};
constexpr std::array<double, 3> kUpToHz = {220.0, 880.0, 1e30};

// The nearest power of two to `seconds` at `rate`, so that 44.1 and 48 kHz both get 8192, 4096
// and 2048 samples.
int windowLength(double seconds, int rate) {
  const double n = std::max(16.0, seconds * rate);
  return 1 << int(std::lround(std::log2(n)));
}

struct Resolution {
  std::unique_ptr<RealFft> fft;
  std::vector<float> window;
  double norm = 1;  // a full-scale sine's peak magnitude: sum(window) / 2
  std::vector<float> frame;
  std::vector<std::complex<float>> spectrum;
  std::vector<float> magnitude;
  bool used = false;
};

// Where a row reads its value: the largest bin of [first, last], or, when the row is narrower
// than a bin, a parabola through the dB levels of bins first - 1, first and first + 1 evaluated at
// first + offset (Smith & Serra's quadratic peak interpolation). A Hann window's main lobe is close to a parabola in dB, so a sine peaks in the
// row of its own frequency rather than at the nearest bin (up to half a bin, a third of a
// semitone at 165 Hz, away).
struct RowSource {
  int resolution = 0;
  int first = 0;
  int last = -1;
  float offset = 0;  // -0.5 .. 0.5
  bool silent = false;  // above the Nyquist frequency
};

float toDb(float magnitude) { return std::max(kSilenceDb, 20.0f * std::log10(magnitude + 1e-30f)); }

}  // namespace

double pitchToHz(double pitch) { return 440.0 * std::pow(2.0, (pitch - 69.0) / 12.0); }

LogSpectrogram logSpectrogram(const AudioBuffer& audio, double columnsPerSecond, int rows, double pitchBottom,
                              double pitchTop) {
  if (!(columnsPerSecond > 0) || !std::isfinite(columnsPerSecond))
    throw Error("spectrogram: the column rate must be positive");
  if (rows < 1) throw Error("spectrogram: needs at least one row");
  if (!(pitchTop > pitchBottom)) throw Error("spectrogram: the pitch range is empty");

  LogSpectrogram out;
  out.rows = rows;
  out.columnsPerSecond = columnsPerSecond;
  out.pitchTop = pitchTop;
  out.pitchBottom = pitchBottom;
  const int rate = audio.sampleRate;
  if (audio.numFrames() == 0 || rate <= 0) return out;
  out.columns = int(std::ceil(audio.durationSeconds() * columnsPerSecond));
  out.db.assign(size_t(out.columns) * size_t(rows), kSilenceDb);

  std::array<Resolution, kWindowSeconds.size()> res;
  for (size_t i = 0; i < res.size(); ++i) {
    const int n = windowLength(kWindowSeconds[i], rate);
    res[i].window.resize(size_t(n));
    double sum = 0;
    for (int k = 0; k < n; ++k) {
      res[i].window[size_t(k)] = float(0.5 - 0.5 * std::cos(2 * std::numbers::pi * k / n));
      sum += res[i].window[size_t(k)];
    }
    res[i].norm = sum / 2;
  }

  const double nyquist = rate / 2.0;
  const double step = (pitchTop - pitchBottom) / rows;
  std::vector<RowSource> sources(static_cast<size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    const double centre = pitchTop - (r + 0.5) * step;
    const double hz = pitchToHz(centre);
    RowSource& s = sources[size_t(r)];
    if (hz >= nyquist) {
      s.silent = true;
      continue;
    }
    size_t i = 0;
    while (hz > kUpToHz[i]) ++i;
    s.resolution = int(i);
    const int n = int(res[i].window.size());
    const double binHz = double(rate) / n;
    const int lastBin = n / 2;
    const int lo = int(std::ceil(pitchToHz(centre - step / 2) / binHz));
    const int hi = std::min(lastBin, int(std::floor(pitchToHz(centre + step / 2) / binHz)));
    if (hi >= lo) {
      s.first = lo;
      s.last = hi;
    } else {
      const double k = hz / binHz;
      s.first = std::clamp(int(std::lround(k)), 1, lastBin - 1);
      s.offset = float(k - s.first);
    }
    res[i].used = true;
  }
  for (auto& r : res) {
    if (!r.used) continue;
    const size_t n = r.window.size();
    r.fft = std::make_unique<RealFft>(int(n));
    r.frame.resize(n);
    r.spectrum.resize(n / 2 + 1);
    r.magnitude.resize(n / 2 + 1);
  }

  const int64_t frames = audio.numFrames();
  const float channelScale = 1.0f / float(audio.numChannels());
  for (int c = 0; c < out.columns; ++c) {
    const auto centreSample = int64_t(std::llround((c + 0.5) / columnsPerSecond * rate));
    for (auto& r : res) {
      if (!r.used) continue;
      const auto n = int64_t(r.window.size());
      const int64_t start = centreSample - n / 2;
      for (int64_t k = 0; k < n; ++k) {
        const int64_t at = start + k;
        float v = 0;
        if (at >= 0 && at < frames)
          for (const auto& ch : audio.channels) v += ch[size_t(at)];
        r.frame[size_t(k)] = v * channelScale * r.window[size_t(k)];
      }
      r.fft->forward(r.frame.data(), r.spectrum.data());
      const float inv = float(1.0 / r.norm);
      for (size_t k = 0; k < r.spectrum.size(); ++k) r.magnitude[k] = std::abs(r.spectrum[k]) * inv;
    }
    for (int row = 0; row < rows; ++row) {
      const RowSource& s = sources[size_t(row)];
      if (s.silent) continue;
      const std::vector<float>& m = res[size_t(s.resolution)].magnitude;
      float db;
      if (s.last >= s.first) {
        db = toDb(*std::max_element(m.begin() + s.first, m.begin() + s.last + 1));
      } else {
        const float below = toDb(m[size_t(s.first) - 1]), at = toDb(m[size_t(s.first)]);
        const float above = toDb(m[size_t(s.first) + 1]);
        const float d = s.offset;
        // At most 1.5 dB over the largest of the three (a Hann window loses 1.42 dB halfway
        // between bins) and never under the smallest.
        db = std::clamp(at + 0.5f * d * (above - below) + 0.5f * d * d * (above - 2 * at + below),
                        std::min({below, at, above}), std::max({below, at, above}) + 1.5f);
      }
      out.db[size_t(row) * size_t(out.columns) + size_t(c)] = db;
    }
  }
  return out;
}

}  // namespace midistems::transcribe::plot
