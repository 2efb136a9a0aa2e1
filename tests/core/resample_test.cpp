#include "core/resample.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace midistems {
namespace {

// Amplitude and phase of frequency f in x by correlation (x long enough to hold many periods).
double amplitudeAt(const std::vector<float>& x, double f, double rate, size_t skip) {
  double re = 0, im = 0;
  const size_t n = x.size() - 2 * skip;
  for (size_t i = skip; i < x.size() - skip; ++i) {
    re += x[i] * std::cos(2 * std::numbers::pi * f * double(i) / rate);
    im += x[i] * std::sin(2 * std::numbers::pi * f * double(i) / rate);
  }
  return 2 * std::sqrt(re * re + im * im) / double(n);
}

TEST(Resample, KeepsPassbandToneAndLength) {
  std::vector<float> x(44100);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 0.5f * float(std::sin(2 * std::numbers::pi * 1000.0 * double(i) / 44100));
  auto y = resample(x.data(), x.size(), 44100, 22050);
  EXPECT_NEAR(double(y.size()), 22050.0, 1.0);
  EXPECT_NEAR(amplitudeAt(y, 1000, 22050, 1000), 0.5, 0.5 * 0.0116);  // within 0.1 dB
}

TEST(Resample, RemovesContentAboveTheNewNyquist) {
  std::vector<float> x(48000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 0.5f * float(std::sin(2 * std::numbers::pi * 15000.0 * double(i) / 48000));
  auto y = resample(x.data(), x.size(), 48000, 22050);
  // 15 kHz would alias to 7.05 kHz; the anti-alias filter must remove it (> 100 dB down).
  EXPECT_LT(amplitudeAt(y, 22050 - 15000, 22050, 1000), 0.5 * 1e-5);
}

TEST(Resample, BufferVersionKeepsChannels) {
  AudioBuffer b(2, 4410, 44100);
  b.channels[1][100] = 1.0f;
  auto r = resample(b, 48000);
  EXPECT_EQ(r.sampleRate, 48000);
  EXPECT_EQ(r.numChannels(), 2);
  EXPECT_NEAR(double(r.numFrames()), 4800.0, 1.0);
  float peak0 = 0, peak1 = 0;
  for (float v : r.channels[0]) peak0 = std::max(peak0, std::fabs(v));
  for (float v : r.channels[1]) peak1 = std::max(peak1, std::fabs(v));
  EXPECT_EQ(peak0, 0.0f);
  EXPECT_GT(peak1, 0.5f);
}

}  // namespace
}  // namespace midistems
