// Note creation against Python basic-pitch: the reference posteriorgrams of ../shared must give
// exactly the reference notes, and the individual rules (thresholds, minimum length, melodia
// trick, frequency limits, pitch bends, frame times) are checked on small synthetic inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <tuple>

#include "core/error.h"
#include "core/npy.h"
#include "support/fixtures.h"
#include "transcribe/notes/note_creation.h"

namespace midistems::transcribe {
namespace {

using midistems::testing::fixturePath;

nlohmann::json readJson(const std::filesystem::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

// Synthetic posteriorgrams, all zero until set.
struct Grams {
  int64_t frames;
  std::vector<float> notes, onsets, contours;
  explicit Grams(int64_t n)
      : frames(n), notes(size_t(n) * 88, 0.0f), onsets(size_t(n) * 88, 0.0f),
        contours(size_t(n) * 264, 0.0f) {}
  PosteriorgramView view() const { return {frames, notes.data(), onsets.data(), contours.data()}; }
  // A held note: onset peak at `start`, note posteriorgram `level` on [start, end).
  void hold(int pitch, int64_t start, int64_t end, float level = 0.8f, float onset = 0.9f) {
    const int p = pitch - 21;
    onsets[size_t(start) * 88 + p] = onset;
    for (int64_t t = start; t < end; ++t) notes[size_t(t) * 88 + p] = level;
  }
};

NoteCreationOptions plainOptions() {
  NoteCreationOptions o;
  o.inferOnsets = false;
  o.melodiaTrick = false;
  o.pitchBends = false;
  return o;
}

TEST(NoteCreation, Synth10MatchesPythonExactly) {
  MIDISTEMS_REQUIRE_FIXTURE("basic_pitch/synth10/notes_python_semantics.json");
  const auto dir = fixturePath("basic_pitch/synth10");
  const auto frames = readRawFloat32(dir / "tfjs_frames.f32");
  const auto onsets = readRawFloat32(dir / "tfjs_onsets.f32");
  const auto contours = readRawFloat32(dir / "tfjs_contours.f32");
  const auto meta = readJson(dir / "tfjs_meta.json");
  const int64_t n = meta["shapes"]["frames"][0].get<int64_t>();
  ASSERT_EQ(frames.size(), size_t(n) * 88);
  ASSERT_EQ(contours.size(), size_t(n) * 264);

  auto notes = createNotes({n, frames.data(), onsets.data(), contours.data()});
  auto expected = readJson(dir / "notes_python_semantics.json")["notes"];
  ASSERT_EQ(notes.size(), expected.size());
  // The reference list is sorted by start frame, then pitch.
  std::sort(notes.begin(), notes.end(), [](const NoteEvent& a, const NoteEvent& b) {
    return std::tie(a.startFrame, a.pitch) < std::tie(b.startFrame, b.pitch);
  });
  for (size_t i = 0; i < notes.size(); ++i) {
    SCOPED_TRACE("note " + std::to_string(i));
    EXPECT_EQ(notes[i].startFrame, expected[i]["startFrame"].get<int64_t>());
    EXPECT_EQ(notes[i].endFrame, expected[i]["endFrame"].get<int64_t>());
    EXPECT_EQ(notes[i].pitch, expected[i]["pitchMidi"].get<int>());
    // The reference amplitudes are float64 means of a run whose posteriorgrams differ from the
    // stored TF.js ones by a few 1e-6 (NumPy's mean of the stored frames equals ours); the
    // largest difference over the 41 notes is 1.10e-5.
    EXPECT_NEAR(notes[i].amplitude, expected[i]["amplitude"].get<double>(), 1.2e-5);
    EXPECT_DOUBLE_EQ(notes[i].startSeconds, expected[i]["startTimeSeconds"].get<double>());
    EXPECT_DOUBLE_EQ(notes[i].endSeconds, expected[i]["endTimeSeconds"].get<double>());
  }
}

TEST(NoteCreation, VocaditoMatchesSpotifyGoldenOutput) {
  MIDISTEMS_REQUIRE_FIXTURE("basic_pitch/vocadito_10/golden_notes.json");
  const auto dir = fixturePath("basic_pitch/vocadito_10");
  const auto note = readNpy(dir / "golden_note.npy");
  const auto onset = readNpy(dir / "golden_onset.npy");
  const auto contour = readNpy(dir / "golden_contour.npy");
  ASSERT_EQ(note.shape, (std::vector<int64_t>{787, 88}));
  ASSERT_EQ(contour.shape, (std::vector<int64_t>{787, 264}));

  const auto notes = createNotes({787, note.data.data(), onset.data.data(), contour.data.data()});
  const auto expected = readJson(dir / "golden_notes.json")["notes"];
  ASSERT_EQ(notes.size(), expected.size());
  // Same order too: onset-tracked notes backwards in time, then the melodia trick's.
  for (size_t i = 0; i < notes.size(); ++i) {
    SCOPED_TRACE("note " + std::to_string(i));
    const auto& e = expected[i];
    EXPECT_EQ(notes[i].pitch, e["pitch_midi"].get<int>());
    EXPECT_DOUBLE_EQ(notes[i].startSeconds, e["start_s"].get<double>());
    EXPECT_DOUBLE_EQ(notes[i].endSeconds, e["end_s"].get<double>());
    const double amplitude = e["amplitude"].get<double>();
    // Spotify's JSON comes from its own run; its amplitudes differ from NumPy's float32 mean of
    // the stored note posteriorgram (which ours reproduces to the bit) by up to ~1e-6.
    EXPECT_NEAR(notes[i].amplitude, amplitude, 1e-5);
    EXPECT_EQ(notes[i].pitchBends, e["pitch_bends"].get<std::vector<int>>());
  }
}

TEST(NoteCreation, FrameTimesFollowThePythonFormula) {
  EXPECT_DOUBLE_EQ(basicPitchFrameTime(0), 0.0);
  EXPECT_DOUBLE_EQ(basicPitchFrameTime(171), 171 * 256.0 / 22050);
  // One window later the 0.0103 s correction (0.734375 hop + 1.8 ms) applies once.
  EXPECT_NEAR(basicPitchFrameTime(172), 172 * 256.0 / 22050 - 0.0103260771, 1e-9);
  EXPECT_NEAR(basicPitchFrameTime(860), 860 * 256.0 / 22050 - 5 * 0.0103260771, 1e-9);
  for (int64_t f = 1; f < 2000; ++f) EXPECT_GT(basicPitchFrameTime(f), basicPitchFrameTime(f - 1));
}

TEST(NoteCreation, MinimumLengthIsElevenFramesWithALessOrEqualTest) {
  EXPECT_EQ(minNoteFrames(127.70), 11);
  EXPECT_EQ(minNoteFrames(58.0), 5);
  // The reference tracks a note until 11 frames in a row fall below the threshold, and never
  // past the second-to-last frame: give it room.
  Grams g(200);
  g.hold(60, 20, 31);  // 11 frames: dropped
  g.hold(64, 60, 72);  // 12 frames: kept
  const auto notes = createNotes(g.view(), plainOptions());
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].pitch, 64);
  EXPECT_EQ(notes[0].startFrame, 60);
  EXPECT_EQ(notes[0].endFrame, 72);
  EXPECT_FLOAT_EQ(notes[0].amplitude, 0.8f);
  EXPECT_EQ(amplitudeToVelocity(notes[0].amplitude), 102);  // round(127 * 0.8)
}

TEST(NoteCreation, OnsetThresholdIsInclusiveAndNeedsAPeak) {
  Grams g(200);
  g.hold(60, 20, 50, 0.8f, 0.5f);   // exactly at the threshold: kept
  g.hold(62, 60, 90, 0.8f, 0.49f);  // below: no note without the melodia trick
  g.hold(67, 100, 130, 0.8f, 0.9f);
  g.onsets[size_t(101) * 88 + (67 - 21)] = 0.9f;  // a plateau is not a strict peak
  const auto notes = createNotes(g.view(), plainOptions());
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].pitch, 60);
}

TEST(NoteCreation, NoteEndsAfterEnergyToleranceFramesBelowThreshold) {
  Grams g(200);
  g.hold(60, 20, 80);
  // A dip of 10 frames (< 11) does not end the note; the frames after it continue it.
  for (int t = 40; t < 50; ++t) g.notes[size_t(t) * 88 + 39] = 0.1f;
  const auto notes = createNotes(g.view(), plainOptions());
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].endFrame, 80);
}

TEST(NoteCreation, MelodiaTrickFindsNotesWithoutOnsets) {
  Grams g(200);
  g.hold(60, 30, 70, 0.7f, 0.0f);  // energy but no onset at all
  g.notes[size_t(45) * 88 + 39] = 0.9f;  // the maximum the trick starts from
  auto options = plainOptions();
  EXPECT_TRUE(createNotes(g.view(), options).empty());
  options.melodiaTrick = true;
  const auto notes = createNotes(g.view(), options);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].pitch, 60);
  EXPECT_EQ(notes[0].startFrame, 30);
  // The reference's forward pass stops one frame earlier than onset tracking (i - 1 - k).
  EXPECT_EQ(notes[0].endFrame, 69);
}

// The melodia trick as the reference writes it: a full argmax scan per note.
std::vector<std::tuple<int64_t, int64_t, int>> melodiaByScanning(const Grams& g, int minFrames) {
  std::vector<double> e(g.notes.begin(), g.notes.end());
  const int64_t n = g.frames;
  const double threshold = 0.3;
  std::vector<std::tuple<int64_t, int64_t, int>> out;
  const auto clear = [&](int64_t t, int p) {
    e[t * 88 + p] = 0;
    if (p < 87) e[t * 88 + p + 1] = 0;
    if (p > 0) e[t * 88 + p - 1] = 0;
  };
  while (true) {
    const auto best = std::max_element(e.begin(), e.end());  // first of equal maxima
    if (!(*best > threshold)) break;
    const int64_t index = best - e.begin(), mid = index / 88;
    const int p = int(index % 88);
    e[index] = 0;
    int64_t i = mid + 1;
    int k = 0;
    for (; i < n - 1 && k < 11; ++i) {
      k = e[i * 88 + p] < threshold ? k + 1 : 0;
      clear(i, p);
    }
    const int64_t end = i - 1 - k;
    k = 0;
    for (i = mid - 1; i > 0 && k < 11; --i) {
      k = e[i * 88 + p] < threshold ? k + 1 : 0;
      clear(i, p);
    }
    const int64_t start = i + 1 + k;
    if (end - start > minFrames) out.emplace_back(start, end, p + 21);
  }
  return out;
}

TEST(NoteCreation, MelodiaHeapGivesTheSameNotesAsRepeatedScans) {
  // Random overlapping notes with noise and exact ties, no onsets: every note comes from the trick.
  Grams g(1500);
  uint32_t state = 12345;
  const auto next = [&] { return (state = state * 1664525u + 1013904223u) >> 8; };
  for (int note = 0; note < 200; ++note) {
    const int p = int(next() % 88);
    const int64_t start = next() % 1450, length = 3 + next() % 80;
    const float level = float(0.2 + 0.1 * (next() % 8));  // coarse levels: many exact ties
    for (int64_t t = start; t < std::min<int64_t>(start + length, g.frames); ++t)
      g.notes[t * 88 + p] = std::max(g.notes[t * 88 + p], level);
  }
  for (auto& v : g.notes)
    if (next() % 50 == 0) v = float(next() % 1000) / 1000.0f;
  NoteCreationOptions options = plainOptions();
  options.melodiaTrick = true;
  const auto notes = createNotes(g.view(), options);
  const auto expected = melodiaByScanning(g, 11);
  ASSERT_GT(expected.size(), 100u);
  ASSERT_EQ(notes.size(), expected.size());
  for (size_t i = 0; i < notes.size(); ++i)
    EXPECT_EQ(std::make_tuple(notes[i].startFrame, notes[i].endFrame, notes[i].pitch), expected[i])
        << "note " << i;
}

TEST(NoteCreation, InferredOnsetsComeFromJumpsInTheNotePosteriorgram) {
  Grams g(200);
  g.hold(60, 30, 70, 0.8f, 0.0f);  // no predicted onset, but a jump from 0 to 0.8
  g.onsets[size_t(150) * 88 + 10] = 0.6f;  // some onset elsewhere sets the rescaling maximum
  auto options = plainOptions();
  options.inferOnsets = true;
  const auto notes = createNotes(g.view(), options);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].pitch, 60);
  // Only at frame 30 are both the 1- and the 2-frame difference 0.8 (at 31 the 1-frame one is 0).
  EXPECT_EQ(notes[0].startFrame, 30);
}

TEST(NoteCreation, FrequencyLimitsRemoveNotesOutsideTheRange) {
  Grams g(200);
  g.hold(40, 20, 60);  // E2, 82.4 Hz
  g.hold(60, 20, 60);  // C4, 261.6 Hz
  g.hold(84, 20, 60);  // C6, 1046.5 Hz
  auto options = plainOptions();
  options.minHz = 100;
  options.maxHz = 500;
  const auto notes = createNotes(g.view(), options);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].pitch, 60);
}

TEST(NoteCreation, PitchBendsFollowTheContourInThirdsOfASemitone) {
  Grams g(200);
  g.hold(60, 20, 60);
  const int centre = 3 * (60 - 21);
  for (int t = 20; t < 40; ++t) g.contours[size_t(t) * 264 + centre + 2] = 0.9f;  // +2/3 semitone
  for (int t = 40; t < 60; ++t) g.contours[size_t(t) * 264 + centre - 4] = 0.9f;  // -4/3
  auto options = plainOptions();
  options.pitchBends = true;
  const auto notes = createNotes(g.view(), options);
  ASSERT_EQ(notes.size(), 1u);
  ASSERT_EQ(notes[0].pitchBends.size(), 40u);
  EXPECT_EQ(notes[0].pitchBends.front(), 2);
  EXPECT_EQ(notes[0].pitchBends.back(), -4);
}

TEST(NoteCreation, BadInputIsAnError) {
  Grams g(50);
  g.notes[100] = std::nanf("");
  EXPECT_THROW(createNotes(g.view()), Error);
  Grams ok(50);
  NoteCreationOptions options;
  options.frameThreshold = -1;
  EXPECT_THROW(createNotes(ok.view(), options), Error);
  options = {};
  options.pitchBends = true;
  EXPECT_THROW(createNotes({50, ok.notes.data(), ok.onsets.data(), nullptr}, options), Error);
  EXPECT_TRUE(createNotes({0, nullptr, nullptr, nullptr}).empty());
}

TEST(NoteCreation, SilenceGivesNoNotes) {
  Grams g(500);
  EXPECT_TRUE(createNotes(g.view()).empty());
}

}  // namespace
}  // namespace midistems::transcribe
