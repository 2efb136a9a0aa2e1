// See separated_stems.h.
#include "transcribe/stems/separated_stems.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

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
