// The polyphonic decoder. On synthetic audio through basic-pitch: a three-note chord with soft
// attacks, a note repeated at the same pitch and a held note that decays before its release; every
// note must come out once at its exact pitch, with its start and end within mir_eval's tolerances
// (50 ms; ends within max(50 ms, 20 % of the note)). Then each rule of the decoder alone on
// hand-made posteriorgrams, so that a broken rule fails its own test, and the refusals.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "core/error.h"
#include "transcribe/basic_pitch/test_model.h"
#include "transcribe/poly/poly_decoder.h"

namespace midistems::transcribe {
namespace {

constexpr int kRate = 44100;

struct SynthNote {
  double start, end;
  int pitch;
  double attackMs = 10;
  double decayDbPerSecond = 0;  // a struck or plucked note fades while held
};

double hz(double midi) { return 440.0 * std::pow(2.0, (midi - 69) / 12); }

// Notes with six harmonics falling 6 dB per octave, a linear attack and a 30 ms release.
AudioBuffer render(const std::vector<SynthNote>& notes, double seconds) {
  AudioBuffer audio(1, int64_t(seconds * kRate), kRate);
  auto& out = audio.channels[0];
  for (const SynthNote& n : notes) {
    const auto first = int64_t(n.start * kRate), last = int64_t((n.end + 0.03) * kRate);
    for (int64_t i = first; i < last && i < int64_t(out.size()); ++i) {
      const double t = double(i) / kRate - n.start;
      double x = 0;
      for (int h = 1; h <= 6; ++h) x += std::sin(2 * M_PI * h * hz(n.pitch) * t) / h;
      double env = std::min(1.0, t * 1000 / n.attackMs) * std::pow(10.0, -n.decayDbPerSecond * t / 20);
      if (t > n.end - n.start) env *= std::max(0.0, 1 - (t - (n.end - n.start)) / 0.03);
      out[size_t(i)] += float(0.12 * env * x);
    }
  }
  return audio;
}

const std::vector<SynthNote> kScore = {
    {0.50, 1.60, 60, 150}, {0.50, 1.60, 64, 150}, {0.50, 1.60, 67, 150},  // soft-attack chord
    {2.00, 2.45, 69},      {2.50, 2.95, 69},                              // a repeated note
    {3.30, 4.60, 57, 10, 12},                                             // held, decaying 12 dB/s
};

TEST(PolyDecoder, SyntheticChordsRepeatsAndDecaysNoteForNote) {
  MIDISTEMS_REQUIRE_BASIC_PITCH_MODEL(model);
  const Posteriorgrams grams = model->run(render(kScore, 5.5));
  std::vector<ExportNote> notes = decodePolyphonic(viewOf(grams));
  for (const auto& n : notes)
    std::printf("  %.3f-%.3f pitch %d velocity %d\n", n.startSeconds, n.endSeconds, n.pitch, n.velocity);
  ASSERT_EQ(notes.size(), kScore.size());
  // Compared in (pitch, start) order: chord notes may come out a frame apart.
  std::vector<SynthNote> expected = kScore;
  std::sort(expected.begin(), expected.end(),
            [](const SynthNote& a, const SynthNote& b) { return a.pitch != b.pitch ? a.pitch < b.pitch : a.start < b.start; });
  std::sort(notes.begin(), notes.end(), [](const ExportNote& a, const ExportNote& b) {
    return a.pitch != b.pitch ? a.pitch < b.pitch : a.startSeconds < b.startSeconds;
  });
  for (size_t i = 0; i < notes.size(); ++i) {
    const SynthNote& ref = expected[i];
    SCOPED_TRACE(::testing::Message() << "note " << i);
    EXPECT_EQ(notes[i].pitch, ref.pitch);
    EXPECT_NEAR(notes[i].startSeconds, ref.start, 0.05);
    EXPECT_NEAR(notes[i].endSeconds, ref.end, std::max(0.05, 0.2 * (ref.end - ref.start)));
    EXPECT_GE(notes[i].velocity, 1);
    EXPECT_LE(notes[i].velocity, 127);
  }
}

// Hand-made posteriorgrams: every value 0.01 but the columns set by each test.
struct Grams {
  int64_t frames;
  std::vector<float> note, onset;
  explicit Grams(int64_t f) : frames(f), note(size_t(f) * kBasicPitchNotes, 0.01f), onset(note.size(), 0.01f) {}
  float& n(int64_t f, int pitch) { return note[size_t(f * kBasicPitchNotes + pitch - 21)]; }
  float& o(int64_t f, int pitch) { return onset[size_t(f * kBasicPitchNotes + pitch - 21)]; }
  PosteriorgramView view() const { return {frames, note.data(), onset.data(), nullptr}; }
};

// A pad: the note head climbs from 0.05 to 0.9 over 20 frames (232 ms) and the onset head stays
// low. The note starts at the foot of the climb, not where it crosses the start threshold.
TEST(PolyDecoder, SlowAttackStartsAtTheFootOfTheRise) {
  Grams g(200);
  for (int64_t f = 20; f < 40; ++f) g.n(f, 60) = 0.05f + 0.85f * float(f - 20) / 20;
  for (int64_t f = 40; f < 150; ++f) g.n(f, 60) = 0.9f;
  const auto notes = decodePolyphonic(g.view());
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].pitch, 60);
  // The head passes 0.2 (the rise floor) at frame 24; 0.6 only at frame 33.
  EXPECT_NEAR(notes[0].startSeconds, basicPitchFrameTime(24), 0.025);
}

// A held note whose head sags to 0.5 (under the start threshold, over the sustain threshold) for
// 40 frames stays one note, and ends where the head falls away, less the release lead.
TEST(PolyDecoder, HysteresisHoldsThroughASagAndEndsWhereTheHeadFalls) {
  Grams g(220);
  g.o(20, 55) = 0.9f;
  for (int64_t f = 20; f < 60; ++f) g.n(f, 55) = 0.85f;
  for (int64_t f = 60; f < 100; ++f) g.n(f, 55) = 0.5f;
  for (int64_t f = 100; f < 160; ++f) g.n(f, 55) = 0.3f + 0.05f * float((f - 100) % 2);  // under sustain
  const auto notes = decodePolyphonic(g.view());
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NEAR(notes[0].startSeconds, basicPitchFrameTime(20), 0.015);
  EXPECT_NEAR(notes[0].endSeconds, basicPitchFrameTime(100) - 0.070, 0.015);
  // The velocity follows the head: a louder copy of the same note has a higher velocity.
  Grams loud = g;
  for (int64_t f = 20; f < 100; ++f) loud.n(f, 55) = std::min(0.99f, loud.n(f, 55) + 0.1f);
  EXPECT_GT(decodePolyphonic(loud.view())[0].velocity, notes[0].velocity + 5);
}

// One pitch held throughout, with two clear onset peaks: two notes, split at the second peak.
// A raised, rippling onset head that climbs slowly (vibrato, bowing) does not split it: a split
// needs the peak to rise clearly above the frames just before it.
TEST(PolyDecoder, RepeatedNoteSplitsAtTheOnsetPeak) {
  Grams g(200);
  for (int64_t f = 20; f < 150; ++f) g.n(f, 62) = 0.9f;
  g.o(20, 62) = 0.9f;
  for (int64_t f = 26; f < 34; ++f) g.o(f, 62) = 0.45f + 0.04f * float(f - 26);  // slow climb
  for (int64_t f = 34; f < 51; ++f) g.o(f, 62) = 0.72f + 0.03f * float(f % 2);   // ripple, peaks 0.75
  g.o(80, 62) = 0.8f;
  const auto notes = decodePolyphonic(g.view());
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0].pitch, 62);
  EXPECT_EQ(notes[1].pitch, 62);
  EXPECT_NEAR(notes[1].startSeconds, basicPitchFrameTime(80), 0.015);
  EXPECT_LE(notes[0].endSeconds, notes[1].startSeconds);
}

// A struck note (strong onset, weak note head) comes out; an octave above a loud held note the
// same shape is a harmonic and is dropped, but a third above it is a real note and stays.
TEST(PolyDecoder, StruckNotesKeptHarmonicGhostsDropped) {
  Grams g(200);
  for (int64_t f = 20; f < 150; ++f) g.n(f, 48) = 0.95f;
  g.o(20, 48) = 0.9f;
  for (int pitch : {60, 52}) {
    g.o(21, pitch) = 0.85f;
    for (int64_t f = 21; f < 40; ++f) g.n(f, pitch) = 0.3f;
  }
  const auto notes = decodePolyphonic(g.view());
  std::vector<int> pitches;
  for (const auto& n : notes) pitches.push_back(n.pitch);
  EXPECT_EQ(pitches, (std::vector<int>{48, 52}));
  PolyDecoderOptions keepAll;
  keepAll.ghostRatio = 0;
  EXPECT_EQ(decodePolyphonic(g.view(), keepAll).size(), 3u);
}

TEST(PolyDecoder, RefusesBadInput) {
  Grams g(10);
  g.note[7] = std::nanf("");
  EXPECT_THROW(decodePolyphonic(g.view()), Error);
  g.note[7] = 0.5f;
  PolyDecoderOptions o;
  o.sustainThreshold = 0.8;  // above the start threshold
  EXPECT_THROW(decodePolyphonic(g.view(), o), Error);
  o = {};
  o.onsetThreshold = 1.5;
  EXPECT_THROW(decodePolyphonic(g.view(), o), Error);
  PosteriorgramView missing{10, g.note.data(), nullptr, nullptr};
  EXPECT_THROW(decodePolyphonic(missing), Error);
  EXPECT_TRUE(decodePolyphonic(PosteriorgramView{}).empty());
}

}  // namespace
}  // namespace midistems::transcribe
