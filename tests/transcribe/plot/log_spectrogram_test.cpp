// The log-frequency spectrogram: a sine reads its level (dB re full scale) in the row of its
// pitch, only while it sounds, and nothing a few semitones away; each of the three window lengths
// is exercised (55, 440 and 1760 Hz).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numbers>

#include "core/error.h"
#include "transcribe/plot/log_spectrogram.h"

namespace midistems::transcribe::plot {
namespace {

// A sine of `amplitude` at MIDI `pitch` from `start` to `end` seconds, with 10 ms raised-cosine
// edges, added to every channel.
void addTone(AudioBuffer& b, double pitch, double start, double end, double amplitude) {
  const double hz = pitchToHz(pitch);
  const double fade = 0.01;
  for (auto& ch : b.channels)
    for (auto i = int64_t(start * b.sampleRate); i < int64_t(end * b.sampleRate) && i < b.numFrames(); ++i) {
      const double t = double(i) / b.sampleRate;
      const double edge = std::min({1.0, (t - start) / fade, (end - t) / fade});
      const double gain = 0.5 - 0.5 * std::cos(std::numbers::pi * std::clamp(edge, 0.0, 1.0));
      ch[size_t(i)] += float(amplitude * gain * std::sin(2 * std::numbers::pi * hz * t));
    }
}

// The row whose centre is nearest to `pitch`, and the column nearest to `seconds`.
int rowOf(const LogSpectrogram& s, double pitch) {
  return int(std::floor((s.pitchTop - pitch) / (s.pitchTop - s.pitchBottom) * s.rows));
}
int columnOf(const LogSpectrogram& s, double seconds) { return int(std::floor(seconds * s.columnsPerSecond)); }

TEST(LogSpectrogram, PitchToHz) {
  EXPECT_DOUBLE_EQ(pitchToHz(69), 440.0);
  EXPECT_NEAR(pitchToHz(60), 261.6256, 1e-3);
  EXPECT_NEAR(pitchToHz(33), 55.0, 1e-9);
}

TEST(LogSpectrogram, SineLevelRowAndTime) {
  AudioBuffer b(2, 44100 * 4, 44100);
  addTone(b, 33, 0.5, 1.5, 0.5);   // 55 Hz: the 186 ms window
  addTone(b, 69, 1.0, 2.0, 0.25);  // 440 Hz: 93 ms
  addTone(b, 93, 2.5, 3.5, 0.1);   // 1760 Hz: 46 ms
  // Three rows per semitone from MIDI 24 to 107.
  const LogSpectrogram s = logSpectrogram(b, 100, 84 * 3, 23.5, 107.5);
  ASSERT_EQ(s.columns, 400);
  ASSERT_EQ(s.db.size(), size_t(400 * 84 * 3));

  struct Tone {
    double pitch, start, end, amplitude;
  };
  for (const Tone& t : {Tone{33, 0.5, 1.5, 0.5}, Tone{69, 1.0, 2.0, 0.25}, Tone{93, 2.5, 3.5, 0.1}}) {
    SCOPED_TRACE(t.pitch);
    const int row = rowOf(s, t.pitch);
    const float expected = float(20 * std::log10(t.amplitude));
    // At its row, in the middle of the tone: its level within 1.5 dB (Hann scalloping between
    // bins is at most 1.4 dB).
    for (double at : {t.start + 0.25, (t.start + t.end) / 2, t.end - 0.25})
      EXPECT_NEAR(s.at(row, columnOf(s, at)), expected, 1.5) << at;
    // Six semitones away, while it sounds: more than 45 dB down (an octave for 55 Hz, where the
    // 5.4 Hz bins of the longest window are 3 semitones wide).
    const int mid = columnOf(s, (t.start + t.end) / 2);
    const double away = t.pitch < 40 ? 12 : 6;
    for (double off : {-away, away}) {
      const double pitch = t.pitch + off;
      if (pitch < 24) continue;
      EXPECT_LT(s.at(rowOf(s, pitch), mid), expected - 45) << off;
    }
    // At its row, 0.3 s before it starts and after it ends: silence or the other tones' leakage.
    EXPECT_LT(s.at(row, columnOf(s, t.start - 0.3)), expected - 45);
    EXPECT_LT(s.at(row, columnOf(s, t.end + 0.3)), expected - 45);
  }
  // Before anything sounds: digital silence.
  for (int r = 0; r < s.rows; ++r) EXPECT_LE(s.at(r, 5), kSilenceDb + 1) << r;
}

// White noise reads 3 dB less per bin in a window twice as long: where one window length hands
// over to the next (220 and 880 Hz) the rows blend, so that no step shows between adjacent rows.
TEST(LogSpectrogram, NoStepWhereTheWindowLengthChanges) {
  AudioBuffer b(1, 44100 * 20, 44100);
  uint32_t state = 1;
  for (float& v : b.channels[0]) {
    state = state * 1664525u + 1013904223u;
    v = float(0.1 * ((state >> 8) / double(1 << 24) - 0.5));
  }
  const LogSpectrogram s = logSpectrogram(b, 20, 72 * 4, 36, 108);  // 4 rows per semitone
  std::vector<double> mean(size_t(s.rows), 0.0);
  for (int r = 0; r < s.rows; ++r) {
    for (int c = 10; c < s.columns - 10; ++c) mean[size_t(r)] += s.at(r, c);
    mean[size_t(r)] /= s.columns - 20;
  }
  for (double handOver : {57.0, 81.0}) {  // 220 and 880 Hz
    SCOPED_TRACE(handOver);
    double steepest = 0;
    for (int r = rowOf(s, handOver + 3); r < rowOf(s, handOver - 3); ++r)
      steepest = std::max(steepest, std::abs(mean[size_t(r)] - mean[size_t(r) + 1]));
    // Across the six semitones around the hand-over, from the long window's level to the short one's.
    const double change = mean[size_t(rowOf(s, handOver + 3))] - mean[size_t(rowOf(s, handOver - 3))];
    std::printf("[ measured ] noise around pitch %.0f: %.2f dB change over 6 semitones, steepest step %.2f dB\n",
                handOver, change, steepest);
    EXPECT_GT(change, 2.0);
    EXPECT_LT(steepest, 1.0);
  }
}

// A row several bins wide holds a sine's whole main lobe: it reads the sine's amplitude, to a
// fraction of a dB (one row per semitone: 7 bins of 21.5 Hz at 2.6 kHz).
TEST(LogSpectrogram, WideRowsReadASineAtItsAmplitude) {
  AudioBuffer b(1, 44100, 44100);
  addTone(b, 100, 0, 1, 0.5);
  const LogSpectrogram s = logSpectrogram(b, 20, 60, 60.5, 120.5);
  ASSERT_EQ(s.columns, 20);
  for (int c = 5; c < 15; ++c) EXPECT_NEAR(s.at(rowOf(s, 100), c), float(20 * std::log10(0.5)), 0.5) << c;
}

TEST(LogSpectrogram, RowsAboveNyquistAreSilent) {
  AudioBuffer b(1, 8000, 8000);
  addTone(b, 69, 0, 1, 0.5);
  const LogSpectrogram s = logSpectrogram(b, 50, 120, 60, 130);  // up to 13.3 kHz; Nyquist 4 kHz
  ASSERT_EQ(s.columns, 50);
  EXPECT_NEAR(s.at(rowOf(s, 69), 25), float(20 * std::log10(0.5)), 1.5);
  EXPECT_EQ(s.at(rowOf(s, 120), 25), kSilenceDb);  // 8.4 kHz
}

TEST(LogSpectrogram, EmptyAudioAndBadArguments) {
  const LogSpectrogram empty = logSpectrogram(AudioBuffer(1, 0, 44100), 100, 10, 40, 80);
  EXPECT_EQ(empty.columns, 0);
  EXPECT_TRUE(empty.db.empty());
  const AudioBuffer b(1, 100, 44100);
  EXPECT_THROW(logSpectrogram(b, 0, 10, 40, 80), Error);
  EXPECT_THROW(logSpectrogram(b, 100, 0, 40, 80), Error);
  EXPECT_THROW(logSpectrogram(b, 100, 10, 80, 80), Error);
}

}  // namespace
}  // namespace midistems::transcribe::plot
