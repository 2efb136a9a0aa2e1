// Filters: -3 dB points, notch depth, self-oscillation at maximum resonance, stability under
// per-sample modulation, denormal-free decay, and equality of the single-voice and lane paths.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <cstdio>
#include <random>
#include <vector>

#include "measure.h"
#include "synth/dsp/ladder.h"
#include "synth/dsp/svf.h"

namespace midistems::synth::dsp {
namespace {

constexpr double kRate = 48000.0;
constexpr float kCutoffs[] = {50.0f, 100.0f, 250.0f, 500.0f, 1000.0f, 2000.0f, 5000.0f, 10000.0f, 15000.0f};

// Impulse response of a filter at resonance 0, drive 0 (a small impulse keeps the saturators in
// their linear range).
template <class Filter>
std::vector<float> impulseResponse(Filter& filter, int length) {
  std::vector<float> x(static_cast<size_t>(length), 0.0f);
  x[0] = 1e-3f;
  for (int done = 0; done < length; done += 64) filter.process(x.data() + done, std::min(64, length - done));
  for (float& v : x) v *= 1e3f;
  return x;
}

double magnitudeAt(const std::vector<float>& ir, double hz) {
  std::complex<double> acc = 0.0;
  const std::complex<double> step = std::polar(1.0, -2.0 * testing::kPi * hz / kRate);
  std::complex<double> rot = 1.0;
  for (float v : ir) {
    acc += double(v) * rot;
    rot *= step;
  }
  return std::abs(acc);
}

// The frequency where a monotonic response crosses `level`, by bisection on log frequency.
double crossing(const std::vector<float>& ir, double level, double lo, double hi, bool rising) {
  for (int it = 0; it < 40; ++it) {
    const double mid = std::sqrt(lo * hi);
    const bool above = magnitudeAt(ir, mid) > level;
    if (above != rising) lo = mid; else hi = mid;
  }
  return std::sqrt(lo * hi);
}

int irLength(float cutoff) { return std::clamp(static_cast<int>(200.0 * kRate / cutoff), 4096, 1 << 18); }

TEST(Svf, MinusThreeDecibelPointsAtTheCutoff) {
  double worst = 0.0;
  for (SvfMode mode : {SvfMode::LowPass12, SvfMode::HighPass12, SvfMode::LowPass24, SvfMode::HighPass24}) {
    const bool highPass = mode == SvfMode::HighPass12 || mode == SvfMode::HighPass24;
    for (float fc : kCutoffs) {
      Svf svf;
      svf.prepare(kRate);
      svf.setMode(mode);
      svf.setTargets(fc, 0.0f, 0.0f);
      svf.jumpToTargets();
      const auto ir = impulseResponse(svf, irLength(fc));
      const double f3 = crossing(ir, std::sqrt(0.5), fc / 3.0, std::min(3.0 * fc, 0.499 * kRate), highPass);
      const double error = std::abs(f3 / fc - 1.0);
      worst = std::max(worst, error);
      EXPECT_LT(error, 0.02) << "mode " << int(mode) << " cutoff " << fc << ": -3 dB at " << f3;
    }
  }
  std::printf("[ measured ] SVF LP/HP 12 and 24 dB, 50 Hz-15 kHz: worst -3 dB point error %.4f %%\n", 100 * worst);
}

TEST(Ladder, MinusThreeDecibelPointOfFourEqualPoles) {
  // Four equal poles at the cutoff: -3 dB where tan(pi f / fs) = 0.43487 tan(pi fc / fs).
  double worst = 0.0;
  for (float fc : kCutoffs) {
    Ladder ladder;
    ladder.prepare(kRate);
    ladder.setTargets(fc, 0.0f, 0.0f);
    ladder.jumpToTargets();
    const auto ir = impulseResponse(ladder, irLength(fc) * 2);
    const double expected = std::atan(0.43487 * std::tan(testing::kPi * fc / kRate)) * kRate / testing::kPi;
    const double f3 = crossing(ir, std::sqrt(0.5), expected / 3.0, std::min(3.0 * expected, 0.499 * kRate), false);
    const double error = std::abs(f3 / expected - 1.0);
    worst = std::max(worst, error);
    EXPECT_LT(error, 0.02) << "cutoff " << fc << ": -3 dB at " << f3 << ", expected " << expected;
    // And -12 dB at the cutoff itself (each pole -3 dB).
    EXPECT_NEAR(20.0 * std::log10(magnitudeAt(ir, fc)), -12.04, 0.3) << fc;
  }
  std::printf("[ measured ] ladder LP24, 50 Hz-15 kHz: worst -3 dB point error %.4f %%\n", 100 * worst);
}

TEST(Svf, BandPassPeaksAtTheCutoff) {
  for (float fc : {200.0f, 2000.0f, 12000.0f}) {
    Svf svf;
    svf.prepare(kRate);
    svf.setMode(SvfMode::BandPass12);
    svf.setTargets(fc, 0.0f, 0.0f);
    svf.jumpToTargets();
    const auto ir = impulseResponse(svf, irLength(fc));
    EXPECT_NEAR(magnitudeAt(ir, fc), 1.0, 0.01);
    EXPECT_LT(magnitudeAt(ir, fc * 1.1), magnitudeAt(ir, fc));
    EXPECT_LT(magnitudeAt(ir, fc / 1.1), magnitudeAt(ir, fc));
  }
}

TEST(Svf, NotchIsAtLeast40dBDeep) {
  double shallowest = -300.0;
  for (SvfMode mode : {SvfMode::Notch12, SvfMode::Notch24}) {
    for (float fc : {100.0f, 1000.0f, 10000.0f}) {
      Svf svf;
      svf.prepare(kRate);
      svf.setMode(mode);
      svf.setTargets(fc, 0.0f, 0.0f);
      svf.jumpToTargets();
      // Steady state of a sine at the cutoff, after 1 s.
      constexpr int kTotal = 96000;
      std::vector<float> x(kTotal);
      for (int i = 0; i < kTotal; ++i) x[static_cast<size_t>(i)] = 0.5f * float(std::sin(2.0 * testing::kPi * fc * i / kRate));
      for (int done = 0; done < kTotal; done += 64) svf.process(x.data() + done, 64);
      double out = 0.0;
      for (int i = kTotal / 2; i < kTotal; ++i) out += double(x[static_cast<size_t>(i)]) * x[static_cast<size_t>(i)];
      const double depth = 10.0 * std::log10(out / (kTotal / 2) / 0.125);
      shallowest = std::max(shallowest, depth);
      EXPECT_LT(depth, -40.0) << "mode " << int(mode) << " at " << fc;
    }
  }
  std::printf("[ measured ] SVF notch depth at the cutoff (100 Hz-10 kHz): %.1f dB or deeper\n", shallowest);
}

// Frequency of the spectral peak, refined by a parabola through the log magnitudes.
double peakFrequency(const std::vector<float>& x) {
  const auto mag = testing::magnitudeSpectrum(x.data(), static_cast<int>(x.size()));
  const auto k = static_cast<size_t>(std::max_element(mag.begin() + 1, mag.end() - 1) - mag.begin());
  const double a = std::log(mag[k - 1]), b = std::log(mag[k]), c = std::log(mag[k + 1]);
  return (double(k) + 0.5 * (a - c) / (a - 2 * b + c)) * kRate / double(x.size());
}

struct Oscillation {
  double frequency;
  double peak;       // over the whole run
  double earlyRms;   // second-to-last second
  double lateRms;    // last second
};

template <class Filter>
Oscillation selfOscillate(Filter& filter, float fc) {
  filter.setTargets(fc, 1.0f, 0.0f);
  filter.jumpToTargets();
  constexpr int kTotal = 5 * 48000;
  std::vector<float> y(kTotal, 0.0f);
  y[0] = 0.01f;  // a click to start from
  for (int done = 0; done < kTotal; done += 64) filter.process(y.data() + done, std::min(64, kTotal - done));
  Oscillation o{};
  for (float v : y) o.peak = std::max(o.peak, double(std::abs(v)));
  auto rms = [&](int from) {
    double s = 0.0;
    for (int i = from; i < from + 48000; ++i) s += double(y[static_cast<size_t>(i)]) * y[static_cast<size_t>(i)];
    return std::sqrt(s / 48000);
  };
  o.earlyRms = rms(kTotal - 96000);
  o.lateRms = rms(kTotal - 48000);
  o.frequency = peakFrequency(std::vector<float>(y.end() - (1 << 17), y.end()));
  return o;
}

void expectSteadySine(const Oscillation& o, float fc, const char* what, double& worst) {
  const double error = std::abs(o.frequency / fc - 1.0);
  worst = std::max(worst, error);
  EXPECT_LT(error, 0.01) << what << " at " << fc << ": oscillates at " << o.frequency;
  EXPECT_GT(o.lateRms, 0.05) << what << " at " << fc;
  EXPECT_LT(o.peak, 2.0) << what << " at " << fc;
  EXPECT_NEAR(o.lateRms / o.earlyRms, 1.0, 0.02) << what << " at " << fc;
}

TEST(Svf, SelfOscillatesAtTheCutoffAndStaysBounded) {
  double worst = 0.0, peak = 0.0;
  for (SvfMode mode : {SvfMode::LowPass12, SvfMode::LowPass24, SvfMode::BandPass12}) {
    for (float fc : {110.0f, 1000.0f, 5000.0f, 12000.0f}) {
      Svf svf;
      svf.prepare(kRate);
      svf.setMode(mode);
      const auto o = selfOscillate(svf, fc);
      peak = std::max(peak, o.peak);
      expectSteadySine(o, fc, "SVF", worst);
    }
  }
  std::printf("[ measured ] SVF self-oscillation: worst frequency error %.3f %%, peak %.2f\n", 100 * worst, peak);
}

TEST(Ladder, SelfOscillatesAtTheCutoffAndStaysBounded) {
  double worst = 0.0, peak = 0.0;
  for (float fc : {110.0f, 1000.0f, 5000.0f, 12000.0f}) {
    Ladder ladder;
    ladder.prepare(kRate);
    const auto o = selfOscillate(ladder, fc);
    peak = std::max(peak, o.peak);
    expectSteadySine(o, fc, "ladder", worst);
  }
  std::printf("[ measured ] ladder self-oscillation: worst frequency error %.3f %%, peak %.2f\n", 100 * worst, peak);
}

// Ten seconds of white noise through eight lanes whose cutoff (20 Hz-20 kHz), resonance and drive
// jump to random values every sample.
template <class Bank>
float randomlyModulated(Bank& bank, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  constexpr int kBlock = 64;
  Lanes io[kBlock], cutoff[kBlock], resonance[kBlock], drive[kBlock];
  float peak = 0.0f;
  for (int done = 0; done < 10 * 48000; done += kBlock) {
    for (int i = 0; i < kBlock; ++i) {
      for (int l = 0; l < kLanes; ++l) {
        io[i][l] = 2.0f * unit(rng) - 1.0f;
        cutoff[i][l] = 20.0f * std::pow(1000.0f, unit(rng));
        resonance[i][l] = unit(rng);
        drive[i][l] = unit(rng);
      }
    }
    bank.processModulated(io, kBlock, cutoff, resonance, drive);
    for (int i = 0; i < kBlock; ++i)
      for (int l = 0; l < kLanes; ++l) {
        if (!std::isfinite(io[i][l])) return INFINITY;
        peak = std::max(peak, std::abs(io[i][l]));
      }
  }
  return peak;
}

TEST(Filters, StayBoundedUnderRandomPerSampleModulation) {
  float worst = 0.0f;
  for (SvfMode mode : {SvfMode::LowPass12, SvfMode::HighPass12, SvfMode::BandPass12, SvfMode::Notch12,
                       SvfMode::LowPass24, SvfMode::HighPass24, SvfMode::BandPass24, SvfMode::Notch24}) {
    SvfBank svf;
    svf.prepare(kRate);
    svf.setMode(mode);
    const float peak = randomlyModulated(svf, 17u + unsigned(mode));
    worst = std::max(worst, peak);
    EXPECT_LT(peak, 50.0f) << "SVF mode " << int(mode);
  }
  LadderBank ladder;
  ladder.prepare(kRate);
  const float ladderPeak = randomlyModulated(ladder, 99u);
  EXPECT_LT(ladderPeak, 50.0f);
  std::printf("[ measured ] 10 s of per-sample random modulation: SVF peak %.2f, ladder peak %.2f\n", worst,
              ladderPeak);
}

template <class Filter>
bool decaysWithoutDenormals(Filter& filter) {
  std::vector<float> x(64);
  for (int b = 0; b < 10; ++b) {
    for (int i = 0; i < 64; ++i) x[static_cast<size_t>(i)] = float(std::sin(0.1 * (b * 64 + i)));
    filter.process(x.data(), 64);
  }
  for (int b = 0; b < 48000 * 20 / 64; ++b) {  // 20 s of silence
    std::fill(x.begin(), x.end(), 0.0f);
    filter.process(x.data(), 64);
    for (float v : x)
      if (std::fpclassify(v) == FP_SUBNORMAL) return false;
  }
  return x[63] == 0.0f;  // and it has decayed to exact silence
}

TEST(Filters, DecayToExactSilenceWithoutDenormals) {
  for (SvfMode mode : {SvfMode::LowPass12, SvfMode::BandPass24, SvfMode::HighPass24}) {
    Svf svf;
    svf.prepare(kRate);
    svf.setMode(mode);
    svf.setTargets(30.0f, 0.9f, 0.0f);  // a slow, resonant decay: the longest tail
    svf.jumpToTargets();
    EXPECT_TRUE(decaysWithoutDenormals(svf)) << int(mode);
  }
  Ladder ladder;
  ladder.prepare(kRate);
  ladder.setTargets(30.0f, 0.9f, 0.0f);
  ladder.jumpToTargets();
  EXPECT_TRUE(decaysWithoutDenormals(ladder));
}

TEST(Filters, LanesMatchTheSingleVoiceFilter) {
  SvfBank bank;
  bank.prepare(kRate);
  bank.setMode(SvfMode::LowPass24);
  LadderBank ladders;
  ladders.prepare(kRate);
  Svf single[kLanes];
  Ladder ladder[kLanes];
  Lanes cutoff{}, resonance{}, drive{};
  for (int l = 0; l < kLanes; ++l) {
    cutoff[l] = 100.0f * float(l + 1);
    resonance[l] = 0.1f * float(l);
    drive[l] = 0.05f * float(l);
    single[l].prepare(kRate);
    single[l].setMode(SvfMode::LowPass24);
    single[l].setTargets(cutoff[l], resonance[l], drive[l]);
    ladder[l].prepare(kRate);
    ladder[l].setTargets(cutoff[l], resonance[l], drive[l]);
  }
  bank.setTargets(cutoff, resonance, drive);
  ladders.setTargets(cutoff, resonance, drive);
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  Lanes io[64], io2[64];
  float x[kLanes][64], y[kLanes][64];
  float worst = 0.0f;
  for (int b = 0; b < 50; ++b) {
    for (int i = 0; i < 64; ++i)
      for (int l = 0; l < kLanes; ++l) io[i][l] = io2[i][l] = x[l][i] = y[l][i] = unit(rng);
    bank.process(io, 64);
    ladders.process(io2, 64);
    for (int l = 0; l < kLanes; ++l) {
      single[l].process(x[l], 64);
      ladder[l].process(y[l], 64);
      for (int i = 0; i < 64; ++i) {
        worst = std::max(worst, std::abs(io[i][l] - x[l][i]));
        worst = std::max(worst, std::abs(io2[i][l] - y[l][i]));
      }
    }
  }
  EXPECT_LT(worst, 1e-5f);
}

TEST(Filters, PerSampleControlsMatchBlockControlsWhenSteady) {
  Svf a, b;
  a.prepare(kRate);
  b.prepare(kRate);
  a.setTargets(700.0f, 0.5f, 0.3f);
  a.jumpToTargets();
  b.setTargets(700.0f, 0.5f, 0.3f);
  b.jumpToTargets();
  std::vector<float> x(512), y(512), cutoff(512, 700.0f), resonance(512, 0.5f), drive(512, 0.3f);
  for (int i = 0; i < 512; ++i) x[static_cast<size_t>(i)] = y[static_cast<size_t>(i)] = float(std::sin(0.05 * i));
  a.process(x.data(), 512);
  b.processModulated(y.data(), 512, cutoff.data(), resonance.data(), drive.data());
  for (int i = 0; i < 512; ++i) EXPECT_NEAR(x[static_cast<size_t>(i)], y[static_cast<size_t>(i)], 1e-5f);
}

}  // namespace
}  // namespace midistems::synth::dsp

namespace midistems::synth::dsp {
namespace {

// Level of the 3rd harmonic of a 200 Hz sine through a wide-open low-pass, in dB re the fundamental.
template <class Filter>
double thirdHarmonicDb(Filter& filter, float drive) {
  filter.setTargets(20000.0f, 0.0f, drive);
  filter.jumpToTargets();
  constexpr int kTotal = 48000;
  std::vector<float> x(kTotal);
  for (int i = 0; i < kTotal; ++i) x[static_cast<size_t>(i)] = 0.5f * float(std::sin(2.0 * testing::kPi * 200.0 * i / kRate));
  for (int done = 0; done < kTotal; done += 64) filter.process(x.data() + done, 64);
  const auto mag = testing::magnitudeSpectrum(x.data(), kTotal);
  return 20.0 * std::log10(mag[600] / mag[200]);
}

TEST(Filters, DriveAddsHarmonicsAndZeroDriveIsClean) {
  Svf svf;
  svf.prepare(kRate);
  const double clean = thirdHarmonicDb(svf, 0.0f);
  svf.reset();
  const double driven = thirdHarmonicDb(svf, 1.0f);
  Ladder ladder;
  ladder.prepare(kRate);
  const double ladderDriven = thirdHarmonicDb(ladder, 1.0f);
  std::printf("[ measured ] 3rd harmonic of a 0.5 sine: SVF drive 0 %.1f dB, drive 1 %.1f dB, ladder drive 1 %.1f dB\n",
              clean, driven, ladderDriven);
  EXPECT_LT(clean, -80.0);
  EXPECT_GT(driven, -30.0);
  EXPECT_GT(ladderDriven, -30.0);
}

}  // namespace
}  // namespace midistems::synth::dsp

namespace midistems::synth::dsp {
namespace {

// Inputs of 0, +-1e5 and random values, then a block with NaN and infinity, then normal input
// again: every output after the bad block is finite (processor_test in Vital checks the same).
template <class Filter>
bool recoversFromExtremeInputs(Filter& filter) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  std::vector<float> x(64);
  for (int b = 0; b < 600; ++b) {
    for (int i = 0; i < 64; ++i) {
      const int kind = (b / 100) % 3;
      x[static_cast<size_t>(i)] = kind == 0 ? 0.0f : kind == 1 ? (i % 2 ? 1e5f : -1e5f) : unit(rng);
    }
    if (b == 350) {
      x[3] = std::numeric_limits<float>::quiet_NaN();
      x[9] = std::numeric_limits<float>::infinity();
    }
    filter.setTargets(20.0f + 19000.0f * (0.5f + 0.5f * unit(rng)), 0.5f + 0.5f * unit(rng), 0.5f + 0.5f * unit(rng));
    filter.process(x.data(), 64);
    if (b == 350) continue;
    for (float v : x)
      if (!std::isfinite(v)) return false;
  }
  return true;
}

TEST(Filters, StayFiniteForExtremeAndBadInputs) {
  for (SvfMode mode : {SvfMode::LowPass12, SvfMode::HighPass24, SvfMode::BandPass24, SvfMode::Notch12}) {
    Svf svf;
    svf.prepare(kRate);
    svf.setMode(mode);
    EXPECT_TRUE(recoversFromExtremeInputs(svf)) << int(mode);
  }
  Ladder ladder;
  ladder.prepare(kRate);
  EXPECT_TRUE(recoversFromExtremeInputs(ladder));
}

}  // namespace
}  // namespace midistems::synth::dsp
