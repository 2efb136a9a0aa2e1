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

// Window lengths in seconds, longest first, and the frequencies where the next one takes over.
// Within 1.5 semitones of a hand-over the two are blended in dB, so that no edge shows.
constexpr std::array<double, 3> kWindowSeconds = {0.1858, 0.0929, 0.0464};
constexpr std::array<double, 2> kHandOverHz = {220.0, 880.0};
constexpr double kBlendSemitones = 1.5;

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
  std::vector<float> power;  // |X|^2 / norm^2 of the bins the rows read, [lowBin, highBin]
  int lowBin = 1 << 30, highBin = -1;
  bool used = false;
};

// Where a row reads one resolution. A row narrower than a bin: a parabola through the dB levels
// of bins centre - 1, centre and centre + 1 evaluated at centre + offset (quadratic peak
// interpolation, Smith & Serra 1987); a Hann window's main lobe is close to a parabola in dB, so a
// sine peaks in the row of its own frequency rather than at the nearest bin (up to half a bin, a
// third of a semitone at 165 Hz, away). A wider row: the energy of the bins it covers, each bin
// [k - 1/2, k + 1/2] weighted by the part inside [from, to], so that rows covering one bin and two
// do not alternate in level. Divided by 1.5 (a Hann window's main lobe: 1 + 2 * (1/2)^2), a sine
// inside the row reads its amplitude; divided by the width while that is under 1.5 bins, noise
// reads the same on both sides of the change from one way to the other.
struct Reading {
  int resolution = 0;
  bool interpolate = true;
  int centre = 0;
  float offset = 0;      // -0.5 .. 0.5
  double from = 0, to = 0;  // in bins
};

// A row: (1 - blend) * lower + blend * upper, in dB; silent above the Nyquist frequency.
struct RowSource {
  Reading lower, upper;
  float blend = 0;
  bool silent = false;
};

float toDb(float power) { return std::max(kSilenceDb, 10.0f * std::log10(power + 1e-30f)); }

// The bins a reading needs.
int firstBin(const Reading& g) { return g.interpolate ? g.centre - 1 : std::max(0, int(std::lround(g.from))); }
int lastBin(const Reading& g) { return g.interpolate ? g.centre + 1 : int(std::lround(g.to)); }

float levelOf(const Resolution& r, const Reading& g) {
  const auto power = [&](int k) { return r.power[size_t(k - r.lowBin)]; };
  if (!g.interpolate) {
    double energy = 0;
    const int last = std::min(r.highBin, lastBin(g));
    for (int k = firstBin(g); k <= last; ++k) {
      const double inside = std::min(g.to, k + 0.5) - std::max(g.from, k - 0.5);
      if (inside > 0) energy += inside * double(power(k));
    }
    return toDb(float(energy / std::clamp(g.to - g.from, 1.0, 1.5)));
  }
  const float below = toDb(power(g.centre - 1)), at = toDb(power(g.centre)), above = toDb(power(g.centre + 1));
  const float d = g.offset;
  // At most 1.5 dB over the largest of the three (a Hann window loses 1.42 dB halfway between
  // bins) and never under the smallest.
  return std::clamp(at + 0.5f * d * (above - below) + 0.5f * d * d * (above - 2 * at + below),
                    std::min({below, at, above}), std::max({below, at, above}) + 1.5f);
}

double hzToPitch(double hz) { return 69.0 + 12.0 * std::log2(hz / 440.0); }

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
  const auto reading = [&](size_t i, double centre) {
    res[i].used = true;
    Reading g;
    g.resolution = int(i);
    const int n = int(res[i].window.size());
    const double binHz = double(rate) / n;
    const int nyquistBin = n / 2;
    g.from = pitchToHz(centre - step / 2) / binHz;
    g.to = std::min(double(nyquistBin), pitchToHz(centre + step / 2) / binHz);
    g.interpolate = g.to - g.from < 1;
    if (g.interpolate) {
      const double k = pitchToHz(centre) / binHz;
      g.centre = std::clamp(int(std::lround(k)), 1, nyquistBin - 1);
      g.offset = float(k - g.centre);
    }
    res[i].lowBin = std::min(res[i].lowBin, firstBin(g));
    res[i].highBin = std::max(res[i].highBin, std::min(nyquistBin, lastBin(g)));
    return g;
  };
  std::vector<RowSource> sources(static_cast<size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    const double centre = pitchTop - (r + 0.5) * step;
    RowSource& s = sources[size_t(r)];
    if (pitchToHz(centre) >= nyquist) {
      s.silent = true;
      continue;
    }
    // The resolution below the first hand-over above this row, and the blend towards the next.
    size_t i = 0;
    while (i < kHandOverHz.size() && centre > hzToPitch(kHandOverHz[i]) + kBlendSemitones) ++i;
    s.lower = reading(i, centre);
    s.upper = s.lower;
    if (i < kHandOverHz.size()) {
      const double from = hzToPitch(kHandOverHz[i]) - kBlendSemitones;
      s.blend = float(std::clamp((centre - from) / (2 * kBlendSemitones), 0.0, 1.0));
      if (s.blend > 0) s.upper = reading(i + 1, centre);
    }
  }
  for (auto& r : res) {
    if (!r.used) continue;
    const size_t n = r.window.size();
    r.fft = std::make_unique<RealFft>(int(n));
    r.frame.resize(n);
    r.spectrum.resize(n / 2 + 1);
    r.power.resize(size_t(r.highBin - r.lowBin + 1));
  }

  const int64_t frames = audio.numFrames();
  const float channelScale = 1.0f / float(audio.numChannels());
  for (int c = 0; c < out.columns; ++c) {
    const auto centreSample = int64_t(std::llround((c + 0.5) / columnsPerSecond * rate));
    for (auto& r : res) {
      if (!r.used) continue;
      const auto n = int64_t(r.window.size());
      // The mono mix of the frame, zero outside the audio, windowed.
      const int64_t start = centreSample - n / 2;
      const int64_t from = std::clamp<int64_t>(-start, 0, n), to = std::clamp<int64_t>(frames - start, 0, n);
      std::fill(r.frame.begin(), r.frame.end(), 0.0f);
      for (const auto& ch : audio.channels) {
        for (int64_t k = from; k < to; ++k) r.frame[size_t(k)] += ch[size_t(start + k)];
      }
      for (int64_t k = 0; k < n; ++k) r.frame[size_t(k)] *= channelScale * r.window[size_t(k)];
      r.fft->forward(r.frame.data(), r.spectrum.data());
      const auto inv = float(1.0 / (r.norm * r.norm));
      for (int k = r.lowBin; k <= r.highBin; ++k) r.power[size_t(k - r.lowBin)] = std::norm(r.spectrum[size_t(k)]) * inv;
    }
    for (int row = 0; row < rows; ++row) {
      const RowSource& s = sources[size_t(row)];
      if (s.silent) continue;
      float db = levelOf(res[size_t(s.lower.resolution)], s.lower);
      if (s.blend > 0) db += s.blend * (levelOf(res[size_t(s.upper.resolution)], s.upper) - db);
      out.db[size_t(row) * size_t(out.columns) + size_t(c)] = db;
    }
  }
  return out;
}

}  // namespace midistems::transcribe::plot
