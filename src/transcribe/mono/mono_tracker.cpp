// See mono_tracker.h.
#include "transcribe/mono/mono_tracker.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "core/error.h"

namespace midistems::transcribe {
namespace {

constexpr int kPitches = kBasicPitchNotes;
constexpr int kMidiOffset = 21;
constexpr int kStates = 1 + 2 * kPitches;  // silence, attack per pitch, sustain per pitch
constexpr int kSilence = 0;
constexpr double kEps = 1e-4;
constexpr double kNegInf = -std::numeric_limits<double>::infinity();
constexpr int kBendBins = 3;  // contour bins either side of the note's own (one semitone)

int attack(int p) { return 1 + p; }
int sustain(int p) { return 1 + kPitches + p; }

double logit(double x) {
  x = std::clamp(x, kEps, 1 - kEps);
  return std::log(x / (1 - x));
}

struct Segment {
  int64_t start = 0, end = 0;  // frames, end exclusive
  int pitch = 0;               // column
};

// Evidence of an attack from the level alone, per model frame: how far the level rises within
// kRiseSeconds over its lowest point just before, as a probability (half at kRiseDb). A plucked
// or sung note repeated at the same pitch shows no change in the note head, only this dip and rise.
constexpr double kRiseSeconds = 0.03;
std::vector<float> levelAttacks(const LevelEnvelope& level, int64_t frames, double riseDb, double riseSlope) {
  std::vector<float> out(size_t(frames), 0.0f);
  if (level.db.empty()) return out;
  const auto span = int64_t(std::lround(kRiseSeconds / level.hopSeconds));
  for (int64_t f = 0; f < frames; ++f) {
    const int64_t i = level.indexOf(basicPitchFrameTime(f));
    float low = level.db[size_t(i)], high = low;
    for (int64_t k = std::max<int64_t>(0, i - span); k <= i; ++k) low = std::min(low, level.db[size_t(k)]);
    for (int64_t k = i; k <= std::min<int64_t>(int64_t(level.db.size()) - 1, i + span); ++k)
      high = std::max(high, level.db[size_t(k)]);
    out[size_t(f)] = float(1 / (1 + std::exp(-(high - low - riseDb) / riseSlope)));
  }
  return out;
}

// Viterbi over silence / attack / sustain states. The best previous sustain is the only
// predecessor of a new attack besides silence, so each frame costs O(pitches).
std::vector<Segment> decode(const PosteriorgramView& v, const std::vector<float>& rises, const MonoTrackerOptions& o,
                            int low, int high) {
  const int64_t frames = v.frames;
  std::vector<int16_t> back(size_t(frames) * kStates, int16_t(kSilence));
  std::vector<double> score(kStates, kNegInf), next(kStates, kNegInf);
  const double logTheta = std::log(o.voicingThreshold), logNotTheta = std::log(1 - o.voicingThreshold);
  for (int64_t f = 0; f < frames; ++f) {
    const float* notes = v.notes + f * kPitches;
    const float* onsets = v.onsets + f * kPitches;
    float voiced = 0;
    for (int p = low; p < high; ++p) voiced = std::max(voiced, notes[p]);
    const double silenceEmission = std::log(std::max(1.0 - voiced, kEps)) - logNotTheta;
    int16_t* b = back.data() + f * kStates;
    if (f == 0) {
      next[kSilence] = silenceEmission;
      for (int p = low; p < high; ++p) {
        const double s = std::log(std::max(double(notes[p]), kEps)) - logTheta;
        next[attack(p)] = s + logit(std::max(onsets[p], rises[size_t(f)])) - o.startCost;
        b[attack(p)] = kSilence;
      }
    } else {
      int bestSustain = -1;
      double bestSustainScore = kNegInf;
      for (int p = low; p < high; ++p)
        if (score[sustain(p)] > bestSustainScore) bestSustainScore = score[sustain(p)], bestSustain = sustain(p);
      const double fromSilence = score[kSilence] - o.startCost;
      const double fromNote = bestSustainScore - o.changeCost;
      const bool attackFromSilence = fromSilence >= fromNote;
      const double attackPrior = attackFromSilence ? fromSilence : fromNote;
      const double ending = bestSustainScore - o.endCost;
      next[kSilence] = silenceEmission + std::max(score[kSilence], ending);
      b[kSilence] = int16_t(score[kSilence] >= ending ? kSilence : bestSustain);
      for (int p = low; p < high; ++p) {
        const double s = std::log(std::max(double(notes[p]), kEps)) - logTheta;
        next[attack(p)] = s + logit(std::max(onsets[p], rises[size_t(f)])) + attackPrior;
        b[attack(p)] = int16_t(attackFromSilence ? kSilence : bestSustain);
        const bool held = score[sustain(p)] >= score[attack(p)];
        next[sustain(p)] = s + (held ? score[sustain(p)] : score[attack(p)]);
        b[sustain(p)] = int16_t(held ? sustain(p) : attack(p));
      }
    }
    std::swap(score, next);
  }
  // Trace back, then cut the state path into notes.
  std::vector<int16_t> path(static_cast<size_t>(frames));
  int state = kSilence;
  double best = kNegInf;
  for (int s = 0; s < kStates; ++s)
    if (score[s] > best) best = score[s], state = s;
  for (int64_t f = frames - 1; f >= 0; --f) {
    path[size_t(f)] = int16_t(state);
    state = back[size_t(f) * kStates + size_t(state)];
  }
  std::vector<Segment> segments;
  for (int64_t f = 0; f < frames; ++f) {
    const int s = path[size_t(f)];
    if (s == kSilence) continue;
    const int p = s <= kPitches ? s - 1 : s - 1 - kPitches;
    if (s <= kPitches || segments.empty() || segments.back().end != f || segments.back().pitch != p)
      segments.push_back({f, f + 1, p});
    else
      segments.back().end = f + 1;
  }
  return segments;
}

std::vector<int> pitchBendsOf(const PosteriorgramView& v, const Segment& s) {
  std::vector<int> bends;
  // The contour head puts an exactly tuned note in the middle one of its pitch's three bins,
  // 3 * column + 1 (measured on sine and saw tones; the Python package's get_pitch_bends takes
  // 3 * column and so bends every note up by a third of a semitone).
  const int centre = 3 * s.pitch + 1;
  for (int64_t f = s.start; f < s.end; ++f) {
    const float* row = v.contours + f * kBasicPitchContourBins;
    int best = centre;
    for (int bin = std::max(0, centre - kBendBins); bin <= std::min(kBasicPitchContourBins - 1, centre + kBendBins);
         ++bin)
      if (row[bin] > row[best]) best = bin;
    bends.push_back(best - centre);
  }
  return bends;
}

// A line taken from a separated stem also carries what leaked into it from the other parts,
// mostly while the line itself rests, and always well under the line's own notes.
constexpr double kLoudNotePercentile = 0.75;
void dropQuietNotes(std::vector<ExportNote>& notes, std::vector<float>& peaks, double quietDb) {
  std::vector<float> sorted = peaks;
  const auto at = sorted.begin() + std::ptrdiff_t(kLoudNotePercentile * double(sorted.size() - 1));
  std::nth_element(sorted.begin(), at, sorted.end());
  const float floorDb = *at - float(quietDb);
  size_t kept = 0;
  for (size_t i = 0; i < notes.size(); ++i)
    if (peaks[i] >= floorDb) {
      notes[kept] = std::move(notes[i]);
      peaks[kept++] = peaks[i];
    }
  notes.resize(kept);
  peaks.resize(kept);
}

}  // namespace

void validateMonoTrackerOptions(const MonoTrackerOptions& o) {
  if (!(o.voicingThreshold > 0 && o.voicingThreshold < 1))
    throw Error(fmt::format("mono tracker: voicing threshold {} is outside (0, 1)", o.voicingThreshold));
  for (double cost : {o.startCost, o.changeCost, o.endCost})
    if (!std::isfinite(cost) || cost < 0 || cost > 100)
      throw Error(fmt::format("mono tracker: cost {} is outside 0..100", cost));
  if (!(o.riseDb > 0 && o.riseDb <= 60 && o.riseSlope > 0 && o.riseSlope <= 60 && o.fallDb > 0 && o.fallDb <= 120))
    throw Error("mono tracker: level thresholds must be positive dB values");
  if (!(o.endLeadMs >= 0 && o.endLeadMs <= 500 && o.onsetLeadMs >= 0 && o.onsetLeadMs <= 500))
    throw Error("mono tracker: onset and end leads must be within 0..500 ms");
  if (!(o.minNoteMs >= 0 && o.minNoteMs <= 10000))
    throw Error(fmt::format("--min-note-ms: {} is outside 0..10000", o.minNoteMs));
  if (!(o.quietNoteDb >= 0 && o.quietNoteDb <= 120))
    throw Error(fmt::format("mono tracker: quiet-note level {} dB is outside 0..120", o.quietNoteDb));
  if (!(o.minHz >= 0) || !(o.maxHz >= 0) || !std::isfinite(o.minHz) || !std::isfinite(o.maxHz))
    throw Error("--min-hz / --max-hz: must be 0 (no limit) or a positive frequency");
}

std::vector<ExportNote> trackMonophonic(const PosteriorgramView& v, const LevelEnvelope& level,
                                        const MonoTrackerOptions& o) {
  validateMonoTrackerOptions(o);
  if (v.frames <= 0) return {};
  if (!v.notes || !v.onsets || (o.pitchBends && !v.contours))
    throw Error("mono tracker: the posteriorgrams lack notes, onsets or contours");
  for (const float* a : {v.notes, v.onsets})
    for (int64_t i = 0; i < v.frames * kPitches; ++i)
      if (!std::isfinite(a[i])) throw Error("mono tracker: posteriorgrams contain NaN or infinite values");
  int low = 0, high = kPitches;
  includedPitchColumns(o.minHz, o.maxHz, low, high);
  if (low >= high) return {};

  std::vector<ExportNote> notes;
  std::vector<float> peaks;
  const std::vector<float> rises = levelAttacks(level, v.frames, o.riseDb, o.riseSlope);
  for (const Segment& s : decode(v, rises, o, low, high)) {
    ExportNote n;
    n.startSeconds = basicPitchFrameTime(s.start);
    n.endSeconds = basicPitchFrameTime(s.end);
    if ((n.endSeconds - n.startSeconds) * 1000 < o.minNoteMs) continue;
    // The model's frames lag the start of the sound (most for slow attacks); measured on the
    // songgen songs (tools/songquality), notes start onsetLeadMs before the attack frame.
    n.startSeconds = std::max(0.0, n.startSeconds - o.onsetLeadMs / 1000);
    n.pitch = s.pitch + kMidiOffset;
    float peak = -120.0f;
    for (int64_t i = level.indexOf(n.startSeconds); i <= level.indexOf(std::min(n.endSeconds, n.startSeconds + 0.1));
         ++i)
      if (!level.db.empty()) peak = std::max(peak, level.db[size_t(i)]);
    if (!level.db.empty()) {
      // The note ends where its level first falls fallDb under its attack peak (the release of
      // the key), when that comes before the end the model heard.
      const double earliest = n.startSeconds + o.minNoteMs / 1000;
      for (int64_t i = level.indexOf(earliest); i < level.indexOf(n.endSeconds); ++i)
        if (level.db[size_t(i)] < peak - o.fallDb) {
          n.endSeconds = std::max(earliest, double(i) * level.hopSeconds);
          break;
        }
    }
    // The level falls only as the release of the note fades: the key went up before that.
    n.endSeconds -= o.endLeadMs / 1000;
    if (n.endSeconds - n.startSeconds < o.minNoteMs / 1000) n.endSeconds = n.startSeconds + o.minNoteMs / 1000;
    if (o.pitchBends) {
      n.pitchBends = pitchBendsOf(v, s);
      // One bend per model frame of the note as it now stands.
      const int64_t frames = std::llround((n.endSeconds - n.startSeconds) * kBasicPitchSampleRate / kBasicPitchHop);
      n.pitchBends.resize(size_t(std::clamp<int64_t>(frames, 1, s.end - s.start)));
    }
    peaks.push_back(peak);
    notes.push_back(std::move(n));
  }
  if (o.quietNoteDb > 0 && !notes.empty()) dropQuietNotes(notes, peaks, o.quietNoteDb);
  // Velocity from the note's level relative to the loudest note: a GM synth's gain follows
  // (velocity / 127)^2 in amplitude (40 log10 in dB), so velocity = 127 * 10^(dB / 40).
  const float loudest = peaks.empty() ? 0.0f : *std::max_element(peaks.begin(), peaks.end());
  for (size_t i = 0; i < notes.size(); ++i) {
    // One note at a time: an earlier start must not reach back into the note before.
    if (i + 1 < notes.size()) notes[i].endSeconds = std::min(notes[i].endSeconds, notes[i + 1].startSeconds);
    notes[i].amplitude = std::clamp(std::pow(10.0, (peaks[i] - loudest) / 40.0), 1.0 / 127, 1.0);
    notes[i].velocity = amplitudeToVelocity(notes[i].amplitude);
  }
  return notes;
}

}  // namespace midistems::transcribe
