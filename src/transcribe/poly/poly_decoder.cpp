// See poly_decoder.h.
#include "transcribe/poly/poly_decoder.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <tuple>

#include "core/error.h"

namespace midistems::transcribe {
namespace {

constexpr int kPitches = kBasicPitchNotes;
constexpr int kMidiOffset = 21;
constexpr int64_t kSplitRiseFrames = 4;  // the onset head's rise before a split is measured over 46 ms
constexpr int kGhostIntervals[] = {12, 19, 24, -12, -19, -24};

int64_t framesOf(double ms) { return std::llround(ms / 1000 * kBasicPitchSampleRate / kBasicPitchHop); }

struct Note {
  int64_t start = 0, end = 0;  // frames, end exclusive
  int column = 0;
  double level = 0;  // mean note-head value over the note
};

// One pitch's column of a frame-major posteriorgram.
std::vector<float> columnOf(const float* data, int64_t frames, int p) {
  std::vector<float> out(static_cast<size_t>(frames));
  for (int64_t t = 0; t < frames; ++t) out[size_t(t)] = data[t * kPitches + p];
  return out;
}

double meanOf(const std::vector<float>& x, int64_t a, int64_t b) {
  b = std::min<int64_t>(b, int64_t(x.size()));
  if (b <= a) return 0;
  double sum = 0;
  for (int64_t t = a; t < b; ++t) sum += x[size_t(t)];
  return sum / double(b - a);
}

// Local maxima of the onset head at or over the threshold (a plateau counts at its last frame).
std::vector<int64_t> onsetPeaks(const std::vector<float>& o, double threshold) {
  std::vector<int64_t> peaks;
  for (size_t t = 1; t + 1 < o.size(); ++t)
    if (o[t] >= o[t - 1] && o[t] > o[t + 1] && o[t] >= threshold) peaks.push_back(int64_t(t));
  return peaks;
}

struct Frames {
  int64_t gap, onsetWindow, minNote, lonelyNote, endLead;
};

void decodePitch(const std::vector<float>& n, const std::vector<float>& o, int p, const PolyDecoderOptions& opt,
                 const Frames& f, std::vector<Note>& notes) {
  const auto frames = int64_t(n.size());
  const std::vector<int64_t> peaks = onsetPeaks(o, opt.onsetThreshold);
  std::vector<bool> held(size_t(frames), false);
  for (int64_t t = 0; t < frames;) {
    if (n[size_t(t)] < opt.startThreshold) {
      ++t;
      continue;
    }
    // Start: an onset peak close by, else the foot of the note head's rise.
    int64_t start = t;
    const auto near = std::lower_bound(peaks.begin(), peaks.end(), t - f.onsetWindow);
    if (near != peaks.end() && *near <= t + f.onsetWindow) {
      start = std::min(start, *near);
    } else {
      while (start > 0 && n[size_t(start - 1)] < n[size_t(start)] && n[size_t(start - 1)] >= opt.riseFloor) --start;
    }
    // End: the first frame of a dip under the sustain threshold longer than the gap.
    int64_t end = t, below = 0;
    for (; end < frames; ++end) {
      if (n[size_t(end)] >= opt.sustainThreshold) {
        below = 0;
      } else if (++below > f.gap) {
        break;
      }
    }
    end -= below;
    // Repeated notes: split where the onset head peaks after a clear rise.
    std::vector<int64_t> cuts{start};
    for (int64_t q : peaks) {
      if (q <= start + f.minNote || q >= end - f.minNote) continue;
      float base = o[size_t(q - 1)];
      for (int64_t k = std::max<int64_t>(0, q - kSplitRiseFrames); k < q; ++k) base = std::min(base, o[size_t(k)]);
      if (o[size_t(q)] >= opt.splitThreshold && o[size_t(q)] - base >= opt.splitRise && q - cuts.back() >= f.minNote)
        cuts.push_back(q);
    }
    cuts.push_back(end);
    for (size_t i = 0; i + 1 < cuts.size(); ++i)
      if (cuts[i + 1] - cuts[i] >= f.minNote) notes.push_back({cuts[i], cuts[i + 1], p, meanOf(n, cuts[i], cuts[i + 1])});
    for (int64_t k = std::max<int64_t>(0, start - f.onsetWindow); k <= std::min(end, frames - 1); ++k) held[size_t(k)] = true;
    t = end + 1;
  }
  // Struck notes whose note head never reaches the start threshold: a strong onset alone.
  for (int64_t q : peaks) {
    if (held[size_t(q)] || o[size_t(q)] < opt.lonelyOnsetThreshold) continue;
    int64_t end = q;
    while (end < frames && n[size_t(end)] >= opt.riseFloor) ++end;
    notes.push_back({q, std::max(end, q + f.lonelyNote), p, meanOf(n, q, std::max(end, q + 1))});
  }
}

}  // namespace

void validatePolyDecoderOptions(const PolyDecoderOptions& o) {
  const auto unit = [](double x) { return x > 0 && x < 1; };
  if (!(unit(o.onsetThreshold) && unit(o.startThreshold) && unit(o.sustainThreshold) && unit(o.riseFloor) &&
        unit(o.splitThreshold) && o.splitRise >= 0 && o.splitRise < 1 && unit(o.lonelyOnsetThreshold)))
    throw Error("poly decoder: thresholds must be within (0, 1)");
  if (!(o.sustainThreshold <= o.startThreshold))
    throw Error(fmt::format("poly decoder: sustain threshold {} is above the start threshold {}", o.sustainThreshold,
                            o.startThreshold));
  for (double ms : {o.gapMs, o.onsetWindowMs, o.lonelyNoteMs, o.endLeadMs})
    if (!(ms >= 0 && ms <= 1000)) throw Error(fmt::format("poly decoder: time {} ms is outside 0..1000", ms));
  if (!(o.minNoteMs >= 0 && o.minNoteMs <= 10000))
    throw Error(fmt::format("--min-note-ms: {} is outside 0..10000", o.minNoteMs));
  if (!(o.ghostRatio >= 0 && o.ghostRatio <= 1)) throw Error("poly decoder: ghost ratio must be within 0..1");
  if (!(o.minHz >= 0) || !(o.maxHz >= 0) || !std::isfinite(o.minHz) || !std::isfinite(o.maxHz))
    throw Error("--min-hz / --max-hz: must be 0 (no limit) or a positive frequency");
}

std::vector<ExportNote> decodePolyphonic(const PosteriorgramView& v, const PolyDecoderOptions& o) {
  validatePolyDecoderOptions(o);
  if (v.frames <= 0) return {};
  if (!v.notes || !v.onsets) throw Error("poly decoder: the posteriorgrams lack notes or onsets");
  for (const float* a : {v.notes, v.onsets})
    for (int64_t i = 0; i < v.frames * kPitches; ++i)
      if (!std::isfinite(a[i])) throw Error("poly decoder: posteriorgrams contain NaN or infinite values");
  int low = 0, high = kPitches;
  includedPitchColumns(o.minHz, o.maxHz, low, high);

  const Frames f{framesOf(o.gapMs), framesOf(o.onsetWindowMs), std::max<int64_t>(1, framesOf(o.minNoteMs)),
                 framesOf(o.lonelyNoteMs), framesOf(o.endLeadMs)};
  std::vector<Note> notes;
  for (int p = low; p < high; ++p)
    decodePitch(columnOf(v.notes, v.frames, p), columnOf(v.onsets, v.frames, p), p, o, f, notes);
  // The note head lags the release of the key by the decay of the sound (measured on the songgen
  // songs: the head falls away about 70 ms after the reference note ends).
  for (Note& n : notes) n.end = std::max(n.start + 1, n.end - f.endLead);
  // Ghosts are found on the frames (the seconds of stitched frames step at window joins).
  std::vector<GhostCandidate> candidates;
  candidates.reserve(notes.size());
  for (const Note& n : notes) candidates.push_back({double(n.start), double(n.end), n.column, n.level});
  const std::vector<bool> ghost = harmonicGhosts(candidates, o.ghostRatio);
  std::vector<Note> kept;
  for (size_t i = 0; i < notes.size(); ++i)
    if (!ghost[i]) kept.push_back(notes[i]);
  notes = std::move(kept);
  std::sort(notes.begin(), notes.end(),
            [](const Note& a, const Note& b) { return std::tie(a.start, a.column) < std::tie(b.start, b.column); });

  std::vector<ExportNote> out;
  out.reserve(notes.size());
  for (const Note& n : notes) {
    ExportNote e;
    e.startSeconds = basicPitchFrameTime(n.start);
    e.endSeconds = basicPitchFrameTime(n.end);
    e.pitch = n.column + kMidiOffset;
    e.amplitude = std::clamp(n.level, 1.0 / 127, 1.0);
    e.velocity = amplitudeToVelocity(e.amplitude);
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<bool> harmonicGhosts(const std::vector<GhostCandidate>& notes, double ratio) {
  std::vector<bool> ghost(notes.size(), false);
  if (ratio <= 0) return ghost;
  std::vector<std::vector<size_t>> byPitch(128);
  for (size_t i = 0; i < notes.size(); ++i)
    if (notes[i].pitch >= 0 && notes[i].pitch < 128) byPitch[size_t(notes[i].pitch)].push_back(i);
  for (size_t i = 0; i < notes.size(); ++i) {
    const GhostCandidate& a = notes[i];
    for (int interval : kGhostIntervals) {
      const int other = a.pitch - interval;
      if (other < 0 || other >= 128) continue;
      for (size_t j : byPitch[size_t(other)]) {
        const GhostCandidate& b = notes[j];
        const double overlap = std::min(a.end, b.end) - std::max(a.start, b.start);
        if (overlap > 0.5 * (a.end - a.start) && a.level < ratio * b.level) ghost[i] = true;
      }
      if (ghost[i]) break;
    }
  }
  return ghost;
}

std::vector<ExportNote> withoutHarmonicGhosts(std::vector<ExportNote> notes, double ratio) {
  std::vector<GhostCandidate> candidates;
  candidates.reserve(notes.size());
  for (const ExportNote& n : notes) candidates.push_back({n.startSeconds, n.endSeconds, n.pitch, n.amplitude});
  const std::vector<bool> ghost = harmonicGhosts(candidates, ratio);
  std::vector<ExportNote> kept;
  kept.reserve(notes.size());
  for (size_t i = 0; i < notes.size(); ++i)
    if (!ghost[i]) kept.push_back(std::move(notes[i]));
  return kept;
}

}  // namespace midistems::transcribe
