// Note creation with the Python basic-pitch semantics (basic_pitch/note_creation.py). Every
// comparison, rounding and order of operations below follows the reference so that the notes
// come out identical; the only change is the melodia trick's repeated global argmax, which uses a
// lazy-deletion max-heap (the energy only ever drops to zero, so a popped entry is either current
// or stale) instead of a full scan per note: O(N log N) instead of O(notes * N).
#include "transcribe/notes/note_creation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/error.h"

namespace midistems::transcribe {
namespace {

constexpr int kPitches = kBasicPitchNotes;            // 88 piano keys
constexpr int kContourBins = kBasicPitchContourBins;  // 264, 3 per semitone
constexpr int kMidiOffset = 21;                       // column 0 = A0 = MIDI 21
constexpr int kMaxPitchIndex = kPitches - 1;
constexpr int kBendToleranceBins = 25;                // get_pitch_bends n_bins_tolerance
constexpr double kBendGaussianStd = 5.0;              // scipy.signal.windows.gaussian std
constexpr int kInferOnsetDiffs = 2;                   // get_infered_onsets n_diff

// librosa.hz_to_midi: 12 * (log2(f) - log2(440)) + 69.
double hzToMidi(double hz) { return 12.0 * (std::log2(hz) - std::log2(440.0)) + 69.0; }

// constrain_frequency: columns [lowColumn, highColumn) are kept. NumPy's round is half-to-even
// (std::nearbyint in the default rounding mode). The reference slices with the raw index, which
// for limits outside the piano range wraps around; we clamp instead.
void frequencyColumns(const NoteCreationOptions& o, int& lowColumn, int& highColumn) {
  lowColumn = 0;
  highColumn = kPitches;
  if (o.minHz > 0) lowColumn = int(std::nearbyint(hzToMidi(o.minHz) - kMidiOffset));
  if (o.maxHz > 0) highColumn = int(std::nearbyint(hzToMidi(o.maxHz) - kMidiOffset));
  lowColumn = std::clamp(lowColumn, 0, kPitches);
  highColumn = std::clamp(highColumn, 0, kPitches);
}

}  // namespace

void includedPitchColumns(double minHz, double maxHz, int& low, int& high) {
  const auto column = [](double hz) { return int(std::lround(12 * std::log2(hz / 440.0) + 69)) - kMidiOffset; };
  low = minHz > 0 ? std::clamp(column(minHz), 0, kPitches) : 0;
  high = maxHz > 0 ? std::clamp(column(maxHz) + 1, 0, kPitches) : kPitches;
}

namespace {

// NumPy's float32 pairwise summation (the inner loop of np.add.reduce), so that np.mean over a
// strided column comes out bit for bit: blocks of up to 128 values summed in 8 lanes, longer runs
// split in halves rounded down to a multiple of 8.
float pairwiseSum(const float* a, int64_t n, int64_t stride) {
  if (n < 8) {
    float sum = 0.0f;
    for (int64_t i = 0; i < n; ++i) sum += a[i * stride];
    return sum;
  }
  if (n <= 128) {
    float lanes[8];
    for (int j = 0; j < 8; ++j) lanes[j] = a[j * stride];
    int64_t i = 8;
    for (; i < n - (n % 8); i += 8)
      for (int j = 0; j < 8; ++j) lanes[j] += a[(i + j) * stride];
    float sum = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
                ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    for (; i < n; ++i) sum += a[i * stride];
    return sum;
  }
  int64_t half = n / 2;
  half -= half % 8;
  return pairwiseSum(a, half, stride) + pairwiseSum(a + half * stride, n - half, stride);
}

// np.mean(frames[start:end, column]) in float32.
float columnMean(const std::vector<float>& frames, int64_t start, int64_t end, int column) {
  const int64_t n = end - start;
  if (n <= 0) return std::numeric_limits<float>::quiet_NaN();
  const float sum = pairwiseSum(frames.data() + start * kPitches + column, n, kPitches);
  return float(double(sum) / double(n));
}

// get_infered_onsets: the larger of the predicted onsets and the rescaled positive part of the
// smaller of the 1- and 2-frame differences of the note posteriorgram. Computed in float64 as
// NumPy does. When the differences are all zero the reference divides 0 by 0 and every value
// becomes NaN, which then matches no peak; NaN is kept here for the same outcome.
std::vector<double> inferOnsets(const std::vector<float>& onsets, const std::vector<float>& frames,
                                int64_t numFrames) {
  const size_t size = size_t(numFrames) * kPitches;
  std::vector<double> diff(size, 0.0);
  double maxDiff = 0.0;
  for (int64_t t = kInferOnsetDiffs; t < numFrames; ++t)
    for (int p = 0; p < kPitches; ++p) {
      const double now = frames[t * kPitches + p];
      double smallest = std::numeric_limits<double>::infinity();
      for (int n = 1; n <= kInferOnsetDiffs; ++n)
        smallest = std::min(smallest, now - double(frames[(t - n) * kPitches + p]));
      const double positive = smallest < 0 ? 0.0 : smallest;
      diff[t * kPitches + p] = positive;
      maxDiff = std::max(maxDiff, positive);
    }
  float maxOnset = -std::numeric_limits<float>::infinity();
  for (float v : onsets) maxOnset = std::max(maxOnset, v);
  std::vector<double> combined(size);
  for (size_t i = 0; i < size; ++i) {
    const double rescaled = double(maxOnset) * diff[i] / maxDiff;
    combined[i] = std::isnan(rescaled) ? rescaled : std::max(double(onsets[i]), rescaled);
  }
  return combined;
}

struct Tracker {
  const NoteCreationOptions& options;
  int64_t numFrames;
  int minFrames;
  const std::vector<float>& frames;   // note posteriorgram (after the frequency limits)
  std::vector<double>& remaining;     // energy not yet taken by a note
  std::vector<NoteEvent>& notes;

  double& at(int64_t t, int p) { return remaining[size_t(t) * kPitches + p]; }

  void clearNeighbours(int64_t t, int p) {
    at(t, p) = 0;
    if (p < kMaxPitchIndex) at(t, p + 1) = 0;
    if (p > 0) at(t, p - 1) = 0;
  }

  void add(int64_t start, int64_t end, int p) {
    NoteEvent note;
    note.startFrame = start;
    note.endFrame = end;
    note.pitch = p + kMidiOffset;
    note.amplitude = columnMean(frames, start, end, p);
    notes.push_back(std::move(note));
  }

  // From an onset, forward until energyTolerance frames in a row fall below the threshold.
  void trackFromOnset(int64_t start, int p) {
    if (start >= numFrames - 1) return;
    int64_t i = start + 1;
    int k = 0;
    while (i < numFrames - 1 && k < options.energyTolerance) {
      k = at(i, p) < options.frameThreshold ? k + 1 : 0;
      ++i;
    }
    i -= k;
    if (i - start <= minFrames) return;
    for (int64_t t = start; t < i; ++t) clearNeighbours(t, p);
    add(start, i, p);
  }

  // The melodia trick: from the loudest remaining cell, both ways, clearing as it goes.
  void trackFromPeak(int64_t mid, int p) {
    at(mid, p) = 0;
    int64_t i = mid + 1;
    int k = 0;
    while (i < numFrames - 1 && k < options.energyTolerance) {
      k = at(i, p) < options.frameThreshold ? k + 1 : 0;
      clearNeighbours(i, p);
      ++i;
    }
    const int64_t end = i - 1 - k;
    i = mid - 1;
    k = 0;
    while (i > 0 && k < options.energyTolerance) {
      k = at(i, p) < options.frameThreshold ? k + 1 : 0;
      clearNeighbours(i, p);
      --i;
    }
    const int64_t start = i + 1 + k;
    if (end - start <= minFrames) return;
    add(start, end, p);
  }

  void melodia() {
    // Max-heap on (energy, then lowest flat index), the order np.argmax picks ties in.
    struct Entry {
      double energy;
      int64_t index;
    };
    const auto lower = [](const Entry& a, const Entry& b) {
      return a.energy != b.energy ? a.energy < b.energy : a.index > b.index;
    };
    std::vector<Entry> heap;
    for (size_t i = 0; i < remaining.size(); ++i)
      if (remaining[i] > options.frameThreshold) heap.push_back({remaining[i], int64_t(i)});
    std::make_heap(heap.begin(), heap.end(), lower);
    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end(), lower);
      const Entry top = heap.back();
      heap.pop_back();
      if (remaining[size_t(top.index)] != top.energy) continue;  // cleared since it was pushed
      trackFromPeak(top.index / kPitches, int(top.index % kPitches));
    }
  }
};

// get_pitch_bends: per frame, the contour bin within +-25 bins of the note's bin that maximises
// contour x Gaussian(sigma 5), relative to the note's bin (thirds of a semitone).
void addPitchBends(const float* contours, NoteEvent& note) {
  static const std::vector<double> gaussian = [] {
    std::vector<double> w(2 * kBendToleranceBins + 1);
    const double twoSigmaSquared = 2 * kBendGaussianStd * kBendGaussianStd;
    for (size_t n = 0; n < w.size(); ++n) {
      const double x = double(n) - kBendToleranceBins;
      w[n] = std::exp(-(x * x) / twoSigmaSquared);
    }
    return w;
  }();
  // midi_pitch_to_contour_bin: 36 * log2(hz / 27.5), rounded; 3 * (pitch - 21) in practice.
  const double hz = 440.0 * std::pow(2.0, (note.pitch - 69.0) / 12.0);
  const int centre = int(std::nearbyint(12.0 * 3 * std::log2(hz / 27.5)));
  const int low = std::max(centre - kBendToleranceBins, 0);
  const int high = std::min(kContourBins, centre + kBendToleranceBins + 1);
  note.pitchBends.clear();
  note.pitchBends.reserve(size_t(note.endFrame - note.startFrame));
  for (int64_t t = note.startFrame; t < note.endFrame; ++t) {
    const float* row = contours + t * kContourBins;
    int best = low;
    double bestValue = -std::numeric_limits<double>::infinity();
    for (int b = low; b < high; ++b) {
      const double v = double(row[b]) * gaussian[size_t(b - centre + kBendToleranceBins)];
      if (v > bestValue) {
        bestValue = v;
        best = b;
      }
    }
    note.pitchBends.push_back(best - centre);
  }
}

void checkFinite(const float* data, size_t size, const char* what) {
  for (size_t i = 0; i < size; ++i)
    if (!std::isfinite(data[i]))
      throw Error(std::string("note creation: the ") + what +
                  " posteriorgram contains NaN or infinity");
}

}  // namespace

void validateNoteCreationOptions(const NoteCreationOptions& o) {
  if (!(o.onsetThreshold >= 0 && o.onsetThreshold <= 1))
    throw Error("note creation: onset threshold must be between 0 and 1");
  if (!(o.frameThreshold >= 0 && o.frameThreshold <= 1))
    throw Error("note creation: frame threshold must be between 0 and 1");
  if (!(o.minNoteMs >= 0 && o.minNoteMs < 1e6))
    throw Error("note creation: minimum note length must be between 0 and 1e6 ms");
  if (!std::isfinite(o.minHz) || !std::isfinite(o.maxHz) || o.minHz < 0 || o.maxHz < 0)
    throw Error("note creation: frequency limits must be positive numbers of Hz (0 = none)");
  if (o.energyTolerance < 1) throw Error("note creation: energy tolerance must be at least 1 frame");
}

int minNoteFrames(double minNoteMs) {
  // inference.py: int(np.round(minimum_note_length / 1000 * (AUDIO_SAMPLE_RATE / FFT_HOP))).
  return int(std::nearbyint(minNoteMs / 1000.0 * (double(kBasicPitchSampleRate) / kBasicPitchHop)));
}

int amplitudeToVelocity(double amplitude) {
  // note_events_to_midi: int(np.round(127 * amplitude)); kept >= 1 so it is never a note-off.
  return std::clamp(int(std::nearbyint(127.0 * amplitude)), 1, 127);
}

std::vector<NoteEvent> createNotes(const PosteriorgramView& view, const NoteCreationOptions& options) {
  validateNoteCreationOptions(options);
  if (view.frames < 0) throw Error("note creation: negative frame count");
  if (view.frames == 0) return {};
  if (!view.notes || !view.onsets) throw Error("note creation: missing note or onset posteriorgram");
  if (options.pitchBends && !view.contours)
    throw Error("note creation: pitch bends need the contour posteriorgram");
  const int64_t numFrames = view.frames;
  const size_t size = size_t(numFrames) * kPitches;
  checkFinite(view.notes, size, "note");
  checkFinite(view.onsets, size, "onset");
  if (view.contours) checkFinite(view.contours, size_t(numFrames) * kContourBins, "contour");

  std::vector<float> frames(view.notes, view.notes + size);
  std::vector<float> onsets(view.onsets, view.onsets + size);
  int lowColumn, highColumn;
  frequencyColumns(options, lowColumn, highColumn);
  for (int64_t t = 0; t < numFrames; ++t)
    for (int p = 0; p < kPitches; ++p)
      if (p < lowColumn || p >= highColumn) frames[t * kPitches + p] = onsets[t * kPitches + p] = 0;

  std::vector<double> onsetStrength;
  if (options.inferOnsets) {
    onsetStrength = inferOnsets(onsets, frames, numFrames);
  } else {
    onsetStrength.assign(onsets.begin(), onsets.end());
  }

  std::vector<double> remaining(frames.begin(), frames.end());
  std::vector<NoteEvent> notes;
  Tracker tracker{options, numFrames, minNoteFrames(options.minNoteMs), frames, remaining, notes};

  // scipy.signal.argrelmax along time (strict on both sides, never the first or last frame);
  // np.where order reversed: backwards in time, and from high to low pitch within a frame.
  // Non-peaks count as 0, so a threshold of 0 makes every cell an onset, as in the reference.
  const auto& s = onsetStrength;
  for (int64_t t = numFrames - 1; t >= 0; --t)
    for (int p = kPitches - 1; p >= 0; --p) {
      const size_t i = size_t(t) * kPitches + p;
      const bool peak = t > 0 && t < numFrames - 1 && s[i] > s[i - kPitches] && s[i] > s[i + kPitches];
      if ((peak ? s[i] : 0.0) >= options.onsetThreshold) tracker.trackFromOnset(t, p);
    }
  if (options.melodiaTrick) tracker.melodia();

  for (auto& note : notes) {
    if (options.pitchBends) addPitchBends(view.contours, note);
    note.startSeconds = basicPitchFrameTime(note.startFrame);
    note.endSeconds = basicPitchFrameTime(note.endFrame);
  }
  return notes;
}

}  // namespace midistems::transcribe
