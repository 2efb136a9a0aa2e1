// See separated_stems.h.
#include "transcribe/stems/separated_stems.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

#include "core/fft.h"
#include "core/resample.h"
#include "transcribe/poly/poly_decoder.h"

namespace midistems::transcribe {
namespace {

struct Biquad {
  double b0, b1, b2, a1, a2;

  void run(std::vector<float>& x) const {
    double z1 = 0, z2 = 0;  // transposed direct form II
    for (float& v : x) {
      const double in = v, out = b0 * in + z1;
      z1 = b1 * in - a1 * out + z2;
      z2 = b2 * in - a2 * out;
      v = float(out);
    }
  }
};

// A 4th-order Butterworth low-pass as two biquads (bilinear transform, pre-warped), one per pair
// of poles at angles pi/8 and 3pi/8 from the imaginary axis.
std::vector<Biquad> butterworthLowPass4(double cutoffHz, double sampleRate) {
  const double k = std::tan(std::numbers::pi * cutoffHz / sampleRate);
  std::vector<Biquad> stages;
  for (int i = 0; i < 2; ++i) {
    const double q = 1.0 / (2.0 * std::sin(std::numbers::pi * (2 * i + 1) / 8.0));
    const double norm = 1.0 / (1.0 + k / q + k * k);
    stages.push_back({k * k * norm, 2 * k * k * norm, k * k * norm, 2 * (k * k - 1) * norm,
                      (1 - k / q + k * k) * norm});
  }
  return stages;
}

}  // namespace

AudioBuffer bassBand(const AudioBuffer& mixIn, const AudioBuffer& other) {
  const int rate = other.numFrames() > 0 ? other.sampleRate : mixIn.sampleRate;
  const AudioBuffer mix = mixIn.sampleRate == rate ? mixIn : resample(mixIn, rate);
  std::vector<float> x = mix.mono();
  if (other.numFrames() > 0) {
    const std::vector<float> o = other.mono();
    for (size_t i = 0; i < x.size() && i < o.size(); ++i) x[i] -= o[i];
  }
  const auto stages = butterworthLowPass4(kBassBandHz, rate);
  for (const Biquad& s : stages) s.run(x);
  std::reverse(x.begin(), x.end());
  for (const Biquad& s : stages) s.run(x);
  std::reverse(x.begin(), x.end());
  AudioBuffer out(1, int64_t(x.size()), rate);
  out.channels[0] = std::move(x);
  return out;
}

AudioBuffer leadSignal(const AudioBuffer& vocals, const AudioBuffer& otherIn) {
  const int rate = vocals.sampleRate;
  AudioBuffer out(1, vocals.numFrames(), rate);
  out.channels[0] = vocals.mono();
  if (otherIn.numChannels() != 2 || otherIn.numFrames() == 0 || vocals.numFrames() == 0) return out;
  const AudioBuffer other = otherIn.sampleRate == rate ? otherIn : resample(otherIn, rate);

  // Centred frames (frame t covers samples t * hop - size / 2 ...), weighted overlap-add with the
  // same window, normalised by the summed squared window. The sums are kept for one frame's span
  // only: after a frame is added, its first hop of samples gets no later frame.
  constexpr int kSize = 4096, kHop = 1024;
  const RealFft fft(kSize);
  const int bins = fft.bins();
  std::vector<float> window(kSize);
  for (int n = 0; n < kSize; ++n) window[size_t(n)] = float(0.5 - 0.5 * std::cos(2 * std::numbers::pi * n / kSize));
  const int64_t length = vocals.numFrames(), otherLength = other.numFrames();
  std::vector<float> sum(kSize, 0.0f), weight(kSize, 0.0f);
  std::vector<float> left(kSize), right(kSize), frame(kSize);
  std::vector<std::complex<float>> l(static_cast<size_t>(bins)), r(static_cast<size_t>(bins)), mid(static_cast<size_t>(bins));
  const double ildScale = 1.0 / kLeadCentreIldDb;
  for (int64_t start = -kSize / 2; start < length; start += kHop) {
    for (int n = 0; n < kSize; ++n) {
      const int64_t s = start + n;
      const bool in = s >= 0 && s < otherLength;
      left[size_t(n)] = in ? other.channels[0][size_t(s)] * window[size_t(n)] : 0.0f;
      right[size_t(n)] = in ? other.channels[1][size_t(s)] * window[size_t(n)] : 0.0f;
    }
    fft.forward(left.data(), l.data());
    fft.forward(right.data(), r.data());
    for (int k = 0; k < bins; ++k) {
      const double pl = std::norm(l[size_t(k)]), pr = std::norm(r[size_t(k)]);
      const double ild = 10 * std::log10((pl + 1e-20) / (pr + 1e-20)) * ildScale;
      const double w = 1 / (1 + ild * ild * ild * ild);
      mid[size_t(k)] = 0.5f * (l[size_t(k)] + r[size_t(k)]) * float(w / kSize);
    }
    fft.inverse(mid.data(), frame.data());
    for (int n = 0; n < kSize; ++n) {
      sum[size_t(n)] += frame[size_t(n)] * window[size_t(n)];
      weight[size_t(n)] += window[size_t(n)] * window[size_t(n)];
    }
    for (int n = 0; n < kHop; ++n) {
      const int64_t s = start + n;
      if (s >= 0 && s < length && weight[size_t(n)] > 1e-6f) out.channels[0][size_t(s)] += sum[size_t(n)] / weight[size_t(n)];
    }
    std::copy(sum.begin() + kHop, sum.end(), sum.begin());
    std::fill(sum.end() - kHop, sum.end(), 0.0f);
    std::copy(weight.begin() + kHop, weight.end(), weight.begin());
    std::fill(weight.end() - kHop, weight.end(), 0.0f);
  }
  return out;
}

MonoTrackerOptions bassBandTracking(MonoTrackerOptions base) {
  if (base.maxHz == 0) base.maxHz = kBassMaxHz;
  base.riseDb = 6;
  return base;
}

DrumTranscriptionOptions separatedDrumsTranscription(DrumTranscriptionOptions base) {
  base.thresholdShift = kSeparatedDrumThresholdShift;
  return base;
}

MonoTrackerOptions separatedLeadTracking(MonoTrackerOptions base) {
  base.quietNoteDb = kLeadQuietNoteDb;
  return base;
}

std::vector<ExportNote> separatedPolyphonicNotes(const std::vector<NoteEvent>& created) {
  return withoutHarmonicGhosts(exportNotes(created), kSeparatedGhostRatio);
}

}  // namespace midistems::transcribe
