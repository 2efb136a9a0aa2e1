// The monophonic note tracker on a synthetic melody with a known score: saw and sine notes with
// hard and soft attacks, a same-pitch note repeated after a short gap, vibrato, a legato glide
// and a quieter note. Every note must come out once, at its exact pitch, with its start and end
// within mir_eval's tolerances (50 ms; ends within max(50 ms, 20 % of the note)). Also the
// decoder alone on hand-made posteriorgrams, and the refusals.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "transcribe/basic_pitch/test_model.h"
#include "transcribe/mono/level_envelope.h"
#include "transcribe/mono/mono_tracker.h"

namespace midistems::transcribe {
namespace {

constexpr int kRate = 44100;

struct SynthNote {
  double start, end;
  int pitch;
  bool saw = true;
  double attackMs = 10;
  double vibratoCents = 0;
  int glideFrom = 0;  // pitch the note slides up from over its first 60 ms (0: none)
  double gainDb = 0;
};

double hz(double midi) { return 440.0 * std::pow(2.0, (midi - 69) / 12); }

AudioBuffer render(const std::vector<SynthNote>& notes, double seconds) {
  AudioBuffer audio(1, int64_t(seconds * kRate), kRate);
  auto& out = audio.channels[0];
  for (const SynthNote& n : notes) {
    double phase = 0;
    const auto first = int64_t(n.start * kRate), last = int64_t((n.end + 0.03) * kRate);
    for (int64_t i = first; i < last && i < int64_t(out.size()); ++i) {
      const double t = double(i) / kRate - n.start;
      double pitch = n.pitch + n.vibratoCents / 100 * std::sin(2 * M_PI * 5.5 * t);
      if (n.glideFrom && t < 0.06) pitch = n.glideFrom + (n.pitch - n.glideFrom) * t / 0.06;
      phase += hz(pitch) / kRate;
      double x = 0;
      const int harmonics = n.saw ? 10 : 1;
      for (int h = 1; h <= harmonics; ++h) x += std::sin(2 * M_PI * h * phase) / h;
      double env = std::min(1.0, t * 1000 / n.attackMs);
      if (t > n.end - n.start) env *= std::max(0.0, 1 - (t - (n.end - n.start)) / 0.03);  // 30 ms release
      out[size_t(i)] += float(0.25 * std::pow(10.0, n.gainDb / 20) * env * x);
    }
  }
  return audio;
}

const std::vector<SynthNote> kMelody = {
    {0.50, 0.95, 57},                                // saw, hard attack
    {1.00, 1.45, 57},                                // the same pitch again after 50 ms
    {1.55, 2.20, 60, false, 120},                    // sine, 120 ms soft attack
    {2.30, 3.00, 64, true, 60, 40},                  // vibrato, +-40 cents at 5.5 Hz
    {3.00, 3.70, 67, true, 10, 0, 64},               // legato glide up from 64
    {4.00, 4.50, 62, true, 10, 0, 0, -12},           // 12 dB quieter
    {4.60, 5.40, 45, true, 10},                      // a bass note
};

TEST(MonoTracker, SyntheticMelodyNoteForNote) {
  MIDISTEMS_REQUIRE_BASIC_PITCH_MODEL(model);
  const AudioBuffer audio = render(kMelody, 6.0);
  const Posteriorgrams grams = model->run(audio);
  const std::vector<ExportNote> notes = trackMonophonic(viewOf(grams), levelEnvelope(audio));
  for (const auto& n : notes) {
    std::printf("  %.3f-%.3f pitch %d velocity %d bends", n.startSeconds, n.endSeconds, n.pitch, n.velocity);
    for (int b : n.pitchBends) std::printf(" %d", b);
    std::printf("\n");
  }
  ASSERT_EQ(notes.size(), kMelody.size());
  for (size_t i = 0; i < notes.size(); ++i) {
    const SynthNote& ref = kMelody[i];
    SCOPED_TRACE(::testing::Message() << "note " << i);
    EXPECT_EQ(notes[i].pitch, ref.pitch);
    EXPECT_NEAR(notes[i].startSeconds, ref.start, 0.05);
    EXPECT_NEAR(notes[i].endSeconds, ref.end, std::max(0.05, 0.2 * (ref.end - ref.start)));
    if (i > 0) {
      EXPECT_LE(notes[i - 1].endSeconds, notes[i].startSeconds);
    }
  }
  // Vibrato shows in the bends; the steady saw has none.
  const auto [lo, hi] = std::minmax_element(notes[3].pitchBends.begin(), notes[3].pitchBends.end());
  EXPECT_GE(*hi - *lo, 1);
  EXPECT_LT(notes[4].pitchBends.front(), 0);  // the glide comes from below
  EXPECT_TRUE(std::all_of(notes[0].pitchBends.begin(), notes[0].pitchBends.end(), [](int b) { return b == 0; }));
  // 12 dB quieter: about half the velocity (127 * 10^(-12/40) = 64 of 127).
  EXPECT_LT(notes[5].velocity, 0.7 * notes[4].velocity);
  EXPECT_GT(notes[5].velocity, 0.3 * notes[4].velocity);
}

// The decoder alone: one pitch held with a dip in the level in the middle, no onset in the
// onset head. The level's rise alone must split the note in two.
TEST(MonoTracker, LevelRiseSplitsARepeatedNote) {
  const int64_t frames = 200;
  std::vector<float> note(size_t(frames) * kBasicPitchNotes, 0.01f), onset(note.size(), 0.01f);
  const int column = 60 - 21;
  for (int64_t f = 20; f < 180; ++f) note[size_t(f * kBasicPitchNotes + column)] = 0.9f;
  onset[size_t(20 * kBasicPitchNotes + column)] = 0.9f;
  LevelEnvelope level;
  level.hopSeconds = 0.005;
  level.db.assign(size_t(basicPitchFrameTime(frames) / level.hopSeconds) + 1, -90.0f);
  const double dip = basicPitchFrameTime(100);
  for (size_t i = 0; i < level.db.size(); ++i) {
    const double t = double(i) * level.hopSeconds;
    if (t >= basicPitchFrameTime(20) && t < basicPitchFrameTime(180)) level.db[i] = std::abs(t - dip) < 0.02 ? -40.0f : -12.0f;
  }
  PosteriorgramView view{frames, note.data(), onset.data(), nullptr};
  MonoTrackerOptions o;
  o.pitchBends = false;
  const auto notes = trackMonophonic(view, level, o);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0].pitch, 60);
  EXPECT_EQ(notes[1].pitch, 60);
  EXPECT_NEAR(notes[1].startSeconds, dip, 0.05);
  // Without the dip it stays one note.
  std::fill(level.db.begin(), level.db.end(), -12.0f);
  EXPECT_EQ(trackMonophonic(view, level, o).size(), 1u);
}

// The decoder alone: five notes, four loud and one 10 dB under them (what leaks into a separated
// stem). With quietNoteDb 6 the quiet one goes and the loud ones stay; off (0) all five stay.
TEST(MonoTracker, QuietNotesDroppedUnderTheLoudOnes) {
  const int64_t frames = 500;
  std::vector<float> note(size_t(frames) * kBasicPitchNotes, 0.01f), onset(note.size(), 0.01f);
  LevelEnvelope level;
  level.hopSeconds = 0.005;
  level.db.assign(size_t(basicPitchFrameTime(frames) / level.hopSeconds) + 1, -90.0f);
  const int pitches[] = {60, 62, 64, 65, 67};
  const float levels[] = {-12, -13, -22, -12, -11};
  for (int k = 0; k < 5; ++k) {
    const int64_t first = 20 + 90 * k, last = first + 60;
    const int column = pitches[k] - 21;
    for (int64_t f = first; f < last; ++f) note[size_t(f * kBasicPitchNotes + column)] = 0.9f;
    onset[size_t(first * kBasicPitchNotes + column)] = 0.9f;
    for (size_t i = 0; i < level.db.size(); ++i) {
      const double t = double(i) * level.hopSeconds;
      if (t >= basicPitchFrameTime(first) && t < basicPitchFrameTime(last)) level.db[i] = levels[k];
    }
  }
  PosteriorgramView view{frames, note.data(), onset.data(), nullptr};
  MonoTrackerOptions o;
  o.pitchBends = false;
  ASSERT_EQ(trackMonophonic(view, level, o).size(), 5u);
  o.quietNoteDb = 6;
  const auto notes = trackMonophonic(view, level, o);
  ASSERT_EQ(notes.size(), 4u);
  for (const auto& n : notes) EXPECT_NE(n.pitch, 64);
  o.quietNoteDb = 12;  // 10 dB under: kept
  EXPECT_EQ(trackMonophonic(view, level, o).size(), 5u);
}

TEST(MonoTracker, RefusesBadInput) {
  std::vector<float> note(10 * kBasicPitchNotes, 0.5f), onset(note.size(), 0.1f);
  note[7] = std::nanf("");
  LevelEnvelope level;
  PosteriorgramView view{10, note.data(), onset.data(), nullptr};
  MonoTrackerOptions o;
  o.pitchBends = false;
  EXPECT_THROW(trackMonophonic(view, level, o), Error);
  note[7] = 0.5f;
  o.voicingThreshold = 1.5;
  EXPECT_THROW(trackMonophonic(view, level, o), Error);
  o.voicingThreshold = 0.3;
  o.quietNoteDb = -1;
  EXPECT_THROW(trackMonophonic(view, level, o), Error);
  o.quietNoteDb = 0;
  o.pitchBends = true;  // no contours
  EXPECT_THROW(trackMonophonic(view, level, o), Error);
}

}  // namespace
}  // namespace midistems::transcribe
