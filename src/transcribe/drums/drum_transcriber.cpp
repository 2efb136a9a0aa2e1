#include "transcribe/drums/drum_transcriber.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "transcribe/drums/drum_analysis.h"
#include "transcribe/drums/drum_classifier.h"

namespace midistems::transcribe {
namespace {

static_assert(std::tuple_size_v<decltype(DrumTranscriptionOptions::thresholdShift)> == drums::kNumGroups,
              "one threshold shift per classifier group");

using drums::kFftSize;

constexpr double kNoteSeconds = 0.100;

// Magnitude-weighted mean log frequency of the 60-1000 Hz part of an onset: orders toms by pitch.
double lowCentroid(const std::vector<double>& added, const std::vector<double>& centresHz) {
  double sum = 0.0, weight = 0.0;
  for (size_t b = 0; b < added.size(); ++b)
    if (centresHz[b] >= 60 && centresHz[b] <= 1000) {
      sum += added[b] * std::log2(centresHz[b]);
      weight += added[b];
    }
  return weight > 0 ? sum / weight : 0.0;
}

// 127 at the level of a full-scale sine (band magnitude kFftSize / 4 for a Hann window),
// 1 at 50 dB below.
int velocityFromLevel(double magnitude, double gainDb) {
  const double db = 20.0 * std::log10(std::max(magnitude, 1e-12) / (kFftSize / 4.0)) + gainDb;
  return static_cast<int>(std::clamp(std::lround(127.0 + db * 126.0 / 50.0), 1L, 127L));
}

// The template class whose activation sets a group's velocity.
drums::DrumClass classOfGroup(int group) {
  switch (group) {
    case drums::kGroupKick: return drums::kKick;
    case drums::kGroupSnare: return drums::kSnare;
    case drums::kGroupTom: return drums::kTom;
    case drums::kGroupClosedHat: case drums::kGroupOpenHat: return drums::kHiHat;
    default: return drums::kCymbal;
  }
}

}  // namespace

std::vector<midi::Note> transcribeDrums(const AudioBuffer& audio,
                                        const DrumTranscriptionOptions& options) {
  const drums::OnsetAnalysis analysis =
      drums::analyseOnsets(audio, drums::kCandidateDetectionScale, options.minGapMs);
  // Activations below 60 dB under the loudest band magnitude of the song are numerical dust.
  const double floor = analysis.loudestMagnitude * 1e-3;

  std::vector<midi::Note> notes;
  std::vector<std::pair<double, size_t>> toms;  // (pitch centroid, index into notes)
  for (size_t i = 0; i < analysis.size(); ++i) {
    const drums::GroupProbabilities p =
        drums::classifyOnset(analysis.features.data() + i * drums::kFeatureCount);
    std::array<bool, drums::kNumGroups> present{};
    for (int g = 0; g < drums::kNumGroups; ++g)
      present[g] = p[g] >= drums::groupThreshold(g, options.sensitivity, options.thresholdShift[size_t(g)]);
    // One hi-hat and one cymbal per onset: the more likely of each pair.
    if (present[drums::kGroupClosedHat] && present[drums::kGroupOpenHat])
      present[p[drums::kGroupClosedHat] >= p[drums::kGroupOpenHat] ? drums::kGroupOpenHat
                                                                   : drums::kGroupClosedHat] = false;
    if (present[drums::kGroupCrash] && present[drums::kGroupRide])
      present[p[drums::kGroupCrash] >= p[drums::kGroupRide] ? drums::kGroupRide : drums::kGroupCrash] = false;

    // A kick's pitch sweep reaches into the toms' range: a tom on a kick must also outweigh the
    // kick in the template decomposition (the learned groups never saw a sweeping sine kick).
    const drums::Activations& a = analysis.activations[i];
    if (present[drums::kGroupKick] && present[drums::kGroupTom] && a[drums::kTom] < a[drums::kKick])
      present[drums::kGroupTom] = false;

    const double start = analysis.seconds[i];
    const double total = [&] {
      double sum = 0.0;
      for (double a : analysis.activations[i]) sum += a;
      return sum;
    }();
    for (int g = 0; g < drums::kNumGroups; ++g) {
      if (!present[g] || total <= floor) continue;
      // A group the templates barely see still gets a quiet but audible velocity.
      const double level = std::max(analysis.activations[i][classOfGroup(g)], 0.1 * total);
      if (g == drums::kGroupTom) toms.emplace_back(lowCentroid(analysis.added[i], analysis.centresHz), notes.size());
      notes.push_back({start, start + kNoteSeconds, drums::keyOfGroup(g), velocityFromLevel(level, analysis.gainDb)});
    }
  }
  // Toms by pitch rank within the song: lowest third floor tom (41), then 45, then 48.
  std::sort(toms.begin(), toms.end());
  for (size_t r = 0; r < toms.size(); ++r)
    notes[toms[r].second].pitch = (r * 3 < toms.size()) ? 41 : (r * 3 < 2 * toms.size()) ? 45 : 48;

  std::stable_sort(notes.begin(), notes.end(), [](const midi::Note& a, const midi::Note& b) {
    return a.startSeconds != b.startSeconds ? a.startSeconds < b.startSeconds : a.pitch < b.pitch;
  });
  return notes;
}

}  // namespace midistems::transcribe
