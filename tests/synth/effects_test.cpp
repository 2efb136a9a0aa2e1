// Effects measured on impulses and tones: delay time and feedback, reverb decay time, exact
// pass-through when bypassed or dry.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "synth/effects.h"

namespace midistems::synth {
namespace {

constexpr float kRate = 48000;

size_t argmaxAbs(const std::vector<float>& x, size_t from, size_t to) {
  size_t best = from;
  for (size_t i = from; i < to; ++i)
    if (std::fabs(x[i]) > std::fabs(x[best])) best = i;
  return best;
}

TEST(Effects, DelayEchoesAtItsTimeWithItsFeedback) {
  StereoDelay delay;
  delay.prepare(kRate);
  std::vector<float> l(48000), r(48000);
  // Let the mix glide in before the impulse.
  delay.process(l.data(), r.data(), 4800, true, 0.1f, 0.5f, 0.0f, 1.0f);
  std::fill(l.begin(), l.end(), 0.0f);
  std::fill(r.begin(), r.end(), 0.0f);
  l[0] = r[0] = 1.0f;
  delay.process(l.data(), r.data(), 48000, true, 0.1f, 0.5f, 0.0f, 1.0f);
  EXPECT_EQ(argmaxAbs(l, 100, 7000), 4800u);
  EXPECT_NEAR(l[4800], 1.0f, 1e-3f);
  EXPECT_EQ(argmaxAbs(l, 7000, 12000), 9600u);
  EXPECT_NEAR(l[9600], 0.5f, 1e-3f);
  EXPECT_NEAR(l[14400], 0.25f, 1e-3f);
}

TEST(Effects, ReverbDecaysAtItsNominalTime) {
  FdnReverb reverb;
  reverb.prepare(kRate);
  const float size = 0.5f;
  const size_t n = size_t(kRate * 5);
  std::vector<float> l(n), r(n);
  reverb.process(l.data(), r.data(), 4800, true, size, 0.0f, 1.0f);
  std::fill(l.begin(), l.end(), 0.0f);
  std::fill(r.begin(), r.end(), 0.0f);
  l[0] = r[0] = 1.0f;
  reverb.process(l.data(), r.data(), int(n), true, size, 0.0f, 1.0f);
  // Schroeder backward integration; RT60 from the -5 dB .. -25 dB slope.
  std::vector<double> energy(n);
  double sum = 0;
  for (size_t i = n; i-- > 0;) energy[i] = (sum += double(l[i]) * l[i] + double(r[i]) * r[i]);
  const auto timeAt = [&](double db) {
    for (size_t i = 0; i < n; ++i)
      if (10 * std::log10(energy[i] / energy[0]) < db) return double(i) / kRate;
    return double(n) / kRate;
  };
  const double rt60 = 3.0 * (timeAt(-25) - timeAt(-5));
  const double nominal = FdnReverb::decaySeconds(size);
  EXPECT_GT(rt60, 0.6 * nominal);
  EXPECT_LT(rt60, 1.3 * nominal);
  // Left and right are decorrelated, not copies.
  double lr = 0, ll = 0, rr = 0;
  for (size_t i = 0; i < n; ++i) lr += double(l[i]) * r[i], ll += double(l[i]) * l[i], rr += double(r[i]) * r[i];
  EXPECT_LT(std::fabs(lr) / std::sqrt(ll * rr), 0.5);
}

TEST(Effects, BypassedAndDryEffectsPassSignalUnchanged) {
  std::vector<float> input(9600);
  for (size_t i = 0; i < input.size(); ++i) input[i] = std::sin(0.05f * float(i));
  Chorus chorus;
  StereoDelay delay;
  FdnReverb reverb;
  chorus.prepare(kRate);
  delay.prepare(kRate);
  reverb.prepare(kRate);
  std::vector<float> l = input, r = input;
  chorus.process(l.data(), r.data(), 9600, false, 1, 1, 1);
  delay.process(l.data(), r.data(), 9600, false, 0.3f, 0.9f, 0.5f, 1);
  reverb.process(l.data(), r.data(), 9600, false, 1, 0.5f, 1);
  chorus.process(l.data(), r.data(), 9600, true, 1, 1, 0);  // on, but fully dry
  EXPECT_EQ(l, input);
  EXPECT_EQ(r, input);
}

TEST(Effects, ChorusModulatesWithoutChangingLevel) {
  Chorus chorus;
  chorus.prepare(kRate);
  std::vector<float> l(48000), r(48000);
  for (size_t i = 0; i < l.size(); ++i) l[i] = r[i] = std::sin(2 * float(M_PI) * 440 * float(i) / kRate);
  const std::vector<float> dry = l;
  chorus.process(l.data(), r.data(), 48000, true, 1.0f, 1.0f, 0.5f);
  double diff = 0, peak = 0;
  for (size_t i = 4800; i < l.size(); ++i) diff = std::max(diff, double(std::fabs(l[i] - dry[i]))), peak = std::max(peak, double(std::fabs(l[i])));
  EXPECT_GT(diff, 0.05);
  EXPECT_LT(peak, 1.01);
  EXPECT_NE(l, r);  // the two sides are modulated in quadrature
}

}  // namespace
}  // namespace midistems::synth
