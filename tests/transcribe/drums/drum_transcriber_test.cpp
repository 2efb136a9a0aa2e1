// Unit tests of the drum transcriber on synthetic drum sounds with known onset times.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "transcribe/drums/drum_transcriber.h"

namespace {

using midistems::AudioBuffer;
using midistems::midi::Note;
using midistems::transcribe::DrumTranscriptionOptions;
using midistems::transcribe::transcribeDrums;

// An 808-style kick: a sine falling from 150 Hz to 50 Hz with a 120 ms decay.
void addKick(std::vector<float>& out, int rate, double at, double gain) {
  const int64_t start = std::llround(at * rate);
  double phase = 0.0;
  for (int i = 0; i < int(0.4 * rate) && start + i < int64_t(out.size()); ++i) {
    const double t = double(i) / rate;
    phase += 2.0 * M_PI * (50.0 + 100.0 * std::exp(-t / 0.03)) / rate;
    out[start + i] += float(gain * std::exp(-t / 0.12) * std::sin(phase));
  }
}

// A closed hi-hat: white noise through a first difference twice (rising spectrum), 40 ms decay.
void addHat(std::vector<float>& out, int rate, double at, double gain, uint32_t seed) {
  std::mt19937 random(seed);
  std::normal_distribution<double> noise;
  const int64_t start = std::llround(at * rate);
  double x1 = 0, x2 = 0;
  for (int i = 0; i < int(0.2 * rate) && start + i < int64_t(out.size()); ++i) {
    const double x = noise(random);
    const double y = x - 2 * x1 + x2;
    x2 = x1;
    x1 = x;
    out[start + i] += float(gain * 0.25 * std::exp(-double(i) / rate / 0.04) * y);
  }
}

// A snare: a 190 Hz body plus broadband noise, both decaying in about 80 ms.
void addSnare(std::vector<float>& out, int rate, double at, double gain, uint32_t seed) {
  std::mt19937 random(seed);
  std::normal_distribution<double> noise;
  const int64_t start = std::llround(at * rate);
  for (int i = 0; i < int(0.3 * rate) && start + i < int64_t(out.size()); ++i) {
    const double t = double(i) / rate;
    out[start + i] += float(gain * (0.6 * std::exp(-t / 0.05) * std::sin(2 * M_PI * 190 * t) +
                                    0.35 * std::exp(-t / 0.08) * noise(random)));
  }
}

AudioBuffer monoBuffer(const std::vector<float>& samples, int rate) {
  AudioBuffer buffer(1, int64_t(samples.size()), rate);
  buffer.channels[0] = samples;
  return buffer;
}

std::string describe(const std::vector<Note>& notes) {
  std::string text;
  for (const auto& n : notes)
    text += std::to_string(n.startSeconds) + ":" + std::to_string(n.pitch) + "/" + std::to_string(n.velocity) + " ";
  return text;
}

// The largest distance from an expected onset to the nearest note of `pitch` (or any pitch).
double worstOnsetError(const std::vector<Note>& notes, const std::vector<double>& expected, int pitch = -1) {
  double worst = 0.0;
  for (double t : expected) {
    double best = 1e9;
    for (const auto& n : notes)
      if (pitch < 0 || n.pitch == pitch) best = std::min(best, std::abs(n.startSeconds - t));
    worst = std::max(worst, best);
  }
  return worst;
}

TEST(DrumTranscriber, KickPatternGivesKicksWithin10Ms) {
  const int rate = 44100;
  std::vector<float> samples(size_t(4.0 * rate), 0.0f);
  const std::vector<double> times{0.25, 0.75, 1.13, 1.5, 2.0, 2.37, 3.0, 3.5};
  for (double t : times) addKick(samples, rate, t, 0.8);
  const auto notes = transcribeDrums(monoBuffer(samples, rate));
  EXPECT_LT(worstOnsetError(notes, times, 36), 0.010);
  int kicks = 0;
  for (const auto& n : notes) kicks += n.pitch == 36;
  EXPECT_EQ(kicks, int(times.size()));
}

TEST(DrumTranscriber, ClicksAt48kHzAreFoundWithin10Ms) {
  const int rate = 48000;
  std::vector<float> samples(size_t(3.0 * rate), 0.0f);
  const std::vector<double> times{0.3, 0.8, 1.25, 1.9, 2.4};
  for (double t : times)
    for (int i = 0; i < 48; ++i) samples[size_t(t * rate) + i] = (i % 2 ? -0.9f : 0.9f) * std::exp(-i / 12.0f);
  const auto notes = transcribeDrums(monoBuffer(samples, rate));
  ASSERT_FALSE(notes.empty());
  EXPECT_LT(worstOnsetError(notes, times), 0.010);
  for (const auto& n : notes) {
    double nearest = 1e9;
    for (double t : times) nearest = std::min(nearest, std::abs(n.startSeconds - t));
    EXPECT_LT(nearest, 0.010) << "spurious note at " << n.startSeconds;
  }
}

// Eight beats at 120 BPM, 44.1 kHz: kick and snare on alternate beats, a closed hi-hat between.
struct Groove {
  static constexpr int kRate = 44100;
  std::vector<double> kicks, snares, hats;
  std::vector<float> samples = std::vector<float>(size_t(4.2 * kRate), 0.0f);
  Groove() {
    for (int beat = 0; beat < 8; ++beat) {
      const double t = 0.2 + beat * 0.5;
      (beat % 2 ? snares : kicks).push_back(t);
      hats.push_back(t + 0.25);
    }
    uint32_t seed = 1;
    for (double t : kicks) addKick(samples, kRate, t, 0.8);
    for (double t : snares) addSnare(samples, kRate, t, 0.6, seed++);
    for (double t : hats) addHat(samples, kRate, t, 0.3, seed++);
  }
};

TEST(DrumTranscriber, KickSnareHatGrooveGetsTheRightClasses) {
  const Groove groove;
  const std::vector<double>&kicks = groove.kicks, &snares = groove.snares, &hats = groove.hats;
  const auto notes = transcribeDrums(monoBuffer(groove.samples, Groove::kRate));
  EXPECT_LT(worstOnsetError(notes, kicks, 36), 0.010);
  EXPECT_LT(worstOnsetError(notes, snares, 38), 0.010);
  EXPECT_LT(worstOnsetError(notes, hats, 42), 0.010);
  // Extra notes may only be hi-hats on the snares: white snare noise reaches the hi-hat band, and
  // the transcriber keeps hi-hats under snares because songs play them together.
  for (const auto& n : notes) {
    const std::vector<double>& own = n.pitch == 36 ? kicks : n.pitch == 38 ? snares : hats;
    double nearest = 1e9;
    for (double t : own) nearest = std::min(nearest, std::abs(n.startSeconds - t));
    if (n.pitch == 42)
      for (double t : snares) nearest = std::min(nearest, std::abs(n.startSeconds - t));
    EXPECT_TRUE(n.pitch == 36 || n.pitch == 38 || n.pitch == 42) << describe(notes);
    EXPECT_LT(nearest, 0.010) << "spurious note " << n.pitch << " at " << n.startSeconds;
  }
}

TEST(DrumTranscriber, LouderHitsGetHigherVelocities) {
  const int rate = 44100;
  std::vector<float> samples(size_t(3.0 * rate), 0.0f);
  // 8 dB apart: hits far below the song's usual level of their class are left out on purpose.
  for (int i = 0; i < 5; ++i) addKick(samples, rate, 0.2 + 0.5 * i, i % 2 ? 0.2 : 0.5);
  const auto notes = transcribeDrums(monoBuffer(samples, rate));
  ASSERT_EQ(notes.size(), 5u) << describe(notes);
  for (int i = 0; i + 1 < 5; ++i) {
    const int loud = notes[i % 2 ? i + 1 : i].velocity, quiet = notes[i % 2 ? i : i + 1].velocity;
    EXPECT_GE(loud - quiet, 10) << "8 dB apart should be at least 10 velocity steps";
  }
}

TEST(DrumTranscriber, SilenceGivesNoNotes) {
  EXPECT_TRUE(transcribeDrums(AudioBuffer(2, 5 * 44100, 44100)).empty());
}

TEST(DrumTranscriber, VeryShortClipsGiveValidNotesOrNone) {
  for (int64_t frames : {0, 1, 100, 255, 256, 1000, 3000}) {
    AudioBuffer clip(1, frames, 44100);
    for (int64_t i = 0; i < frames; ++i) clip.channels[0][i] = i % 7 == 0 ? 0.9f : -0.1f;
    const auto notes = transcribeDrums(clip);
    for (const auto& n : notes) {
      EXPECT_GE(n.startSeconds, 0.0);
      EXPECT_LT(n.startSeconds, double(frames) / 44100 + 0.05);
    }
  }
  EXPECT_TRUE(transcribeDrums(AudioBuffer()).empty());
}

void expectValidNotes(const std::vector<Note>& notes) {
  for (const auto& n : notes) {
    EXPECT_TRUE(std::isfinite(n.startSeconds) && std::isfinite(n.endSeconds));
    EXPECT_GT(n.endSeconds, n.startSeconds);
    EXPECT_TRUE(n.pitch == 36 || n.pitch == 38 || n.pitch == 42 || n.pitch == 46 || n.pitch == 41 ||
                n.pitch == 45 || n.pitch == 48 || n.pitch == 49 || n.pitch == 51)
        << n.pitch;
  }
}

// The groove scaled to near float max, with NaN and infinities between the hits: the non-finite
// samples are ignored and the level normalised, so the same hits come back in the same classes.
TEST(DrumTranscriber, ExtremeInputGivesTheHitsItHolds) {
  const Groove groove;
  std::vector<float> samples = groove.samples;
  for (auto& v : samples) v *= 3e38f;  // hits peak near 2.4e38 (float max 3.4e38)
  samples[size_t(0.1 * Groove::kRate)] = std::numeric_limits<float>::quiet_NaN();
  samples[size_t(0.6 * Groove::kRate)] = std::numeric_limits<float>::infinity();
  samples[size_t(1.1 * Groove::kRate)] = -std::numeric_limits<float>::infinity();
  const auto reference = transcribeDrums(monoBuffer(groove.samples, Groove::kRate));
  const auto notes = transcribeDrums(monoBuffer(samples, Groove::kRate));
  expectValidNotes(notes);
  EXPECT_LT(worstOnsetError(notes, groove.kicks, 36), 0.010) << describe(notes);
  EXPECT_LT(worstOnsetError(notes, groove.snares, 38), 0.010) << describe(notes);
  EXPECT_LT(worstOnsetError(notes, groove.hats, 42), 0.010) << describe(notes);
  ASSERT_EQ(notes.size(), reference.size()) << describe(notes) << "\nat a normal level: " << describe(reference);
  for (size_t i = 0; i < notes.size(); ++i) {
    EXPECT_EQ(notes[i].pitch, reference[i].pitch) << i;
    EXPECT_NEAR(notes[i].startSeconds, reference[i].startSeconds, 0.001) << i;
  }
}

// Noise at near float max with NaN, infinities and a silent gap: whatever comes back is valid.
TEST(DrumTranscriber, NoiseAtFloatMaxGivesOnlyValidNotes) {
  const int rate = 22050;
  std::vector<float> samples(size_t(2.0 * rate), 0.0f);
  std::mt19937 random(7);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (auto& s : samples) s = uniform(random) * 3e38f;
  samples[100] = std::numeric_limits<float>::quiet_NaN();
  samples[2000] = std::numeric_limits<float>::infinity();
  samples[30000] = -std::numeric_limits<float>::infinity();
  for (size_t i = 20000; i < 20100; ++i) samples[i] = 0.0f;
  for (double sensitivity : {0.0, 0.5, 1.0}) expectValidNotes(transcribeDrums(monoBuffer(samples, rate), {sensitivity, 30}));
}

TEST(DrumTranscriber, HigherSensitivityNeverGivesFewerNotes) {
  const int rate = 44100;
  std::vector<float> samples(size_t(3.0 * rate), 0.0f);
  uint32_t seed = 3;
  for (int i = 0; i < 12; ++i) addHat(samples, rate, 0.1 + 0.23 * i, 0.02 + 0.05 * (i % 3), seed++);
  for (int i = 0; i < 4; ++i) addKick(samples, rate, 0.1 + 0.69 * i, 0.7);
  const auto low = transcribeDrums(monoBuffer(samples, rate), {0.1, 30});
  const auto high = transcribeDrums(monoBuffer(samples, rate), {0.9, 30});
  EXPECT_GE(high.size(), low.size());
}

// A group's threshold shift moves that group's notes only: a raised kick threshold drops kicks and
// leaves the hi-hats as they were; a zero shift is the default.
TEST(DrumTranscriber, ThresholdShiftMovesOnlyItsGroup) {
  const int rate = 44100;
  std::vector<float> samples(size_t(3.0 * rate), 0.0f);
  uint32_t seed = 3;
  for (int i = 0; i < 12; ++i) addHat(samples, rate, 0.1 + 0.23 * i, 0.02 + 0.05 * (i % 3), seed++);
  for (int i = 0; i < 4; ++i) addKick(samples, rate, 0.1 + 0.69 * i, 0.7);
  const AudioBuffer audio = monoBuffer(samples, rate);
  const auto count = [](const std::vector<Note>& notes, int key) {
    return std::count_if(notes.begin(), notes.end(), [&](const Note& n) { return n.pitch == key; });
  };
  const auto plain = transcribeDrums(audio);
  DrumTranscriptionOptions zero;
  zero.thresholdShift = {0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(transcribeDrums(audio, zero).size(), plain.size());
  DrumTranscriptionOptions noKicks;
  noKicks.thresholdShift = {40, 0, 0, 0, 0, 0, 0};
  const auto shifted = transcribeDrums(audio, noKicks);
  ASSERT_GE(count(plain, 36), 3);
  EXPECT_EQ(count(shifted, 36), 0);
  EXPECT_EQ(count(shifted, 42), count(plain, 42));
}

TEST(DrumTranscriber, RejectsAMissingSampleRate) {
  AudioBuffer audio(1, 1000, 0);
  EXPECT_THROW(transcribeDrums(audio), midistems::Error);
}

}  // namespace
