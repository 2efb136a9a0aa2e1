// The bass band a separated song's bass is transcribed from: the low band of the mix less the
// other stem, in time with the mix (zero phase), at the stems' rate.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "transcribe/stems/separated_stems.h"

namespace midistems::transcribe {
namespace {

AudioBuffer sines(int rate, double seconds, std::initializer_list<double> hz) {
  AudioBuffer a(2, int64_t(seconds * rate), rate);
  for (auto& ch : a.channels)
    for (size_t i = 0; i < ch.size(); ++i)
      for (double f : hz) ch[i] += float(0.2 * std::sin(2 * std::numbers::pi * f * double(i) / rate));
  return a;
}

// RMS of a sinusoid's component at `hz` over the middle half (Goertzel-like projection).
double amplitudeAt(const std::vector<float>& x, int rate, double hz) {
  double re = 0, im = 0;
  const size_t a = x.size() / 4, b = 3 * x.size() / 4;
  for (size_t i = a; i < b; ++i) {
    const double phase = 2 * std::numbers::pi * hz * double(i) / rate;
    re += x[i] * std::cos(phase);
    im += x[i] * std::sin(phase);
  }
  return 2 * std::hypot(re, im) / double(b - a);
}

TEST(SeparatedStems, BassBandKeepsTheLowBandInPhaseAndDropsTheRest) {
  const AudioBuffer mix = sines(44100, 2.0, {80, 3000});
  const AudioBuffer band = bassBand(mix, AudioBuffer());
  ASSERT_EQ(band.numChannels(), 1);
  ASSERT_EQ(band.numFrames(), mix.numFrames());
  EXPECT_NEAR(amplitudeAt(band.channels[0], 44100, 80), 0.2, 0.01);
  EXPECT_LT(amplitudeAt(band.channels[0], 44100, 3000), 0.2 * 1e-3);  // 4th order twice: > 60 dB down
  // Zero phase: the 80 Hz sine comes out where it went in.
  const auto& y = band.channels[0];
  double error = 0;
  for (size_t i = y.size() / 4; i < 3 * y.size() / 4; ++i)
    error = std::max(error, std::abs(double(y[i]) - 0.2 * std::sin(2 * std::numbers::pi * 80 * double(i) / 44100)));
  EXPECT_LT(error, 0.01);
}

TEST(SeparatedStems, BassBandTakesTheOtherStemOutAtItsRate) {
  const AudioBuffer mix = sines(48000, 2.0, {80, 200});
  const AudioBuffer other = sines(44100, 2.0, {200});
  const AudioBuffer band = bassBand(mix, other);
  EXPECT_EQ(band.sampleRate, 44100);
  EXPECT_NEAR(double(band.numFrames()), double(other.numFrames()), 2);
  EXPECT_NEAR(amplitudeAt(band.channels[0], 44100, 80), 0.2, 0.01);
  EXPECT_LT(amplitudeAt(band.channels[0], 44100, 200), 0.01);
}

// A stereo tone: `left` and `right` gains, the right channel `phase` radians behind the left.
AudioBuffer stereoTone(int rate, double seconds, double hz, double left, double right, double phase) {
  AudioBuffer a(2, int64_t(seconds * rate), rate);
  for (size_t i = 0; i < a.channels[0].size(); ++i) {
    const double t = 2 * std::numbers::pi * hz * double(i) / rate;
    a.channels[0][i] = float(0.2 * left * std::sin(t));
    a.channels[1][i] = float(0.2 * right * std::sin(t - phase));
  }
  return a;
}

void addInto(AudioBuffer& a, const AudioBuffer& b) {
  for (size_t c = 0; c < a.channels.size(); ++c)
    for (size_t i = 0; i < a.channels[c].size(); ++i) a.channels[c][i] += b.channels[c][i];
}

// The lead signal keeps the vocals stem whole and adds what of the other stem is centred by
// level: a tone whose channels differ in phase only joins (its mid), one panned to 44 (gains 0.86
// and 0.51, 4.5 dB apart) stays out.
TEST(SeparatedStems, LeadSignalAddsTheOtherStemsLevelCentredPart) {
  const AudioBuffer vocals = sines(44100, 2.0, {440});
  AudioBuffer other = stereoTone(44100, 2.0, 660, 1, 1, 1.2);  // a stereo sample: centred by level
  addInto(other, stereoTone(44100, 2.0, 880, 0.86, 0.51, 0));   // panned
  const AudioBuffer lead = leadSignal(vocals, other);
  ASSERT_EQ(lead.numChannels(), 1);
  ASSERT_EQ(lead.numFrames(), vocals.numFrames());
  EXPECT_NEAR(amplitudeAt(lead.channels[0], 44100, 440), 0.2, 0.002);
  EXPECT_NEAR(amplitudeAt(lead.channels[0], 44100, 660), 0.2 * std::cos(0.6), 0.01);  // the mid of the two
  EXPECT_LT(amplitudeAt(lead.channels[0], 44100, 880), 0.2 * 0.685 * 0.05);
}

// Without a stereo other stem there is no spatial evidence: the vocals stem alone, as mono; a
// shorter other stem counts as silent past its end, one at another rate is resampled.
TEST(SeparatedStems, LeadSignalWithoutAStereoOtherStemIsTheVocals) {
  const AudioBuffer vocals = sines(44100, 1.0, {440});
  for (const AudioBuffer& other : {AudioBuffer(), AudioBuffer(1, 44100, 44100)}) {
    const AudioBuffer lead = leadSignal(vocals, other);
    EXPECT_EQ(lead.channels[0], vocals.mono());
  }
  const AudioBuffer shorter = stereoTone(22050, 0.5, 660, 1, 1, 0);
  const AudioBuffer lead = leadSignal(vocals, shorter);
  ASSERT_EQ(lead.numFrames(), vocals.numFrames());
  std::vector<float> firstHalf(lead.channels[0].begin(), lead.channels[0].begin() + 22050);
  std::vector<float> secondHalf(lead.channels[0].begin() + 24000, lead.channels[0].end());
  EXPECT_GT(amplitudeAt(firstHalf, 44100, 660), 0.15);
  EXPECT_LT(amplitudeAt(secondHalf, 44100, 660), 0.002);
}

TEST(SeparatedStems, TrackerSettingsForTheBandAndTheLead) {
  MonoTrackerOptions base;
  EXPECT_EQ(bassBandTracking(base).maxHz, kBassMaxHz);
  base.maxHz = 150;  // the user's own limit wins
  EXPECT_EQ(bassBandTracking(base).maxHz, 150);
  EXPECT_EQ(separatedLeadTracking(MonoTrackerOptions()).quietNoteDb, kLeadQuietNoteDb);
}

TEST(SeparatedStems, DrumSettingsShiftTheThresholdsAndKeepTheRest) {
  DrumTranscriptionOptions base;
  base.sensitivity = 0.7;
  const DrumTranscriptionOptions d = separatedDrumsTranscription(base);
  EXPECT_EQ(d.thresholdShift, kSeparatedDrumThresholdShift);
  EXPECT_EQ(d.sensitivity, 0.7);
  EXPECT_EQ(d.minGapMs, base.minGapMs);
}

NoteEvent created(double start, double end, int pitch, float amplitude) {
  NoteEvent n;
  n.startSeconds = start;
  n.endSeconds = end;
  n.pitch = pitch;
  n.amplitude = amplitude;
  return n;
}

// Note creation's notes from a separated polyphonic stem lose the octaves, 12ths and double
// octaves under and over a clearly louder note they mostly overlap; notes at other intervals, at
// nearly the same level, or beside the note only briefly stay.
TEST(SeparatedStems, PolyphonicNotesLoseHarmonicGhostsOfLouderNotes) {
  const std::vector<NoteEvent> notes = {
      created(0.0, 2.0, 60, 0.8f),   // the chord's note
      created(0.0, 2.0, 48, 0.5f),   // an octave under it, weaker: a ghost
      created(0.1, 1.9, 79, 0.4f),   // a 12th over it: a ghost
      created(0.0, 2.0, 84, 0.7f),   // two octaves over it, at 0.875 of its level: kept
      created(0.0, 2.0, 64, 0.3f),   // a third: kept however weak
      created(1.5, 3.5, 72, 0.3f),   // an octave over it, but overlapping a quarter: kept
  };
  std::vector<int> pitches;
  for (const ExportNote& n : separatedPolyphonicNotes(notes)) pitches.push_back(n.pitch);
  EXPECT_EQ(pitches, (std::vector<int>{60, 84, 64, 72}));
  // The kept notes are note creation's own, exported unchanged.
  const ExportNote first = separatedPolyphonicNotes(notes).front();
  EXPECT_EQ(first.startSeconds, 0.0);
  EXPECT_EQ(first.endSeconds, 2.0);
  EXPECT_EQ(first.velocity, amplitudeToVelocity(0.8f));
}

}  // namespace
}  // namespace midistems::transcribe
