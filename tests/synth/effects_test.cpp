// Effects measured on impulses and tones: delay time (set in seconds and tempo-synced), feedback
// and ping-pong; reverb decay time at three room sizes and stereo decorrelation; the modulation of
// chorus, flanger and phaser in a sine's spectrum; distortion THD against drive and its aliasing;
// EQ band gains; the compressor's static curve; the chain's order; exact pass-through when
// bypassed or dry.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <vector>

#include "dsp/measure.h"
#include "synth/effects.h"

namespace midistems::synth {
namespace {

using dsp::testing::aliasLevel;
using dsp::testing::magnitudeSpectrum;
constexpr float kRate = 48000;
constexpr double kPi = 3.14159265358979323846;

size_t argmaxAbs(const std::vector<float>& x, size_t from, size_t to) {
  size_t best = from;
  for (size_t i = from; i < to; ++i)
    if (std::fabs(x[i]) > std::fabs(x[best])) best = i;
  return best;
}

std::vector<float> sine(double hz, size_t n, float amplitude = 1.0f) {
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = amplitude * float(std::sin(2 * kPi * hz * double(i) / kRate));
  return x;
}

float peakOfRange(const std::vector<float>& x, size_t from, size_t to) {
  float peak = 0;
  for (size_t i = from; i < std::min(to, x.size()); ++i) peak = std::max(peak, std::fabs(x[i]));
  return peak;
}

double db(double x) { return 20 * std::log10(std::max(x, 1e-300)); }

// The patch values of a default patch, for driving an EffectChain directly.
std::vector<float> defaultValues() {
  Patch patch;
  return std::vector<float>(patch.values.begin(), patch.values.end());
}

TEST(Effects, DelayEchoesAtItsTimeWithItsFeedback) {
  StereoDelay delay;
  delay.prepare(kRate);
  std::vector<float> l(48000), r(48000);
  const DelaySettings settings{true, 0.1f, 0.5f, 0.0f, 0.0f, 1.0f, false};
  // Let the mix glide in before the impulse.
  delay.process(l.data(), r.data(), 4800, settings);
  std::fill(l.begin(), l.end(), 0.0f);
  std::fill(r.begin(), r.end(), 0.0f);
  l[0] = r[0] = 1.0f;
  delay.process(l.data(), r.data(), 48000, settings);
  EXPECT_EQ(argmaxAbs(l, 100, 7000), 4800u);
  EXPECT_NEAR(l[4800], 1.0f, 1e-3f);
  EXPECT_EQ(argmaxAbs(l, 7000, 12000), 9600u);
  EXPECT_NEAR(l[9600], 0.5f, 1e-3f);
  EXPECT_NEAR(l[14400], 0.25f, 1e-3f);
}

// Renders an impulse through a chain holding only the delay, `values` as set.
std::vector<float> delayImpulse(std::vector<float> values, float tempo, std::vector<float>* right = nullptr) {
  for (int s = 0; s < kNumEffectSlots; ++s) values[size_t(effectSlotParam(s))] = float(EffectKind::None);
  values[size_t(Param::FxSlot1)] = float(EffectKind::Delay);
  values[size_t(Param::DelayOn)] = 1;
  values[size_t(Param::DelayMix)] = 1;
  values[size_t(Param::DelayDamping)] = 0;
  EffectChain chain;
  chain.prepare(kRate);
  std::vector<float> l(4800), r(4800);
  chain.process(l.data(), r.data(), 4800, values.data(), tempo);  // mix glides in
  l.assign(size_t(kRate) * 2, 0.0f);
  r.assign(l.size(), 0.0f);
  l[0] = r[0] = 1.0f;
  for (size_t start = 0; start < l.size(); start += 512)
    chain.process(l.data() + start, r.data() + start, int(std::min<size_t>(512, l.size() - start)), values.data(), tempo);
  if (right) *right = r;
  return l;
}

TEST(Effects, SyncedDelayFollowsTheTempo) {
  std::vector<float> values = defaultValues();
  values[size_t(Param::DelayFeedback)] = 0;
  // A dotted eighth at 100 bpm: 0.75 beat = 0.45 s = 21600 samples; a quarter triplet at 150 bpm:
  // 2/3 beat = 0.2667 s = 12800 samples.
  values[size_t(Param::DelaySync)] = float(*findChoice(Param::DelaySync, "1/8d"));
  auto out = delayImpulse(values, 100);
  EXPECT_NEAR(double(argmaxAbs(out, 100, out.size())), 21600.0, 1.0);
  values[size_t(Param::DelaySync)] = float(*findChoice(Param::DelaySync, "1/4t"));
  out = delayImpulse(values, 150);
  EXPECT_NEAR(double(argmaxAbs(out, 100, out.size())), 12800.0, 1.0);
  // Off: the time in seconds, to the sample.
  values[size_t(Param::DelaySync)] = 0;
  values[size_t(Param::DelayTime)] = 0.0125f;  // 600 samples
  out = delayImpulse(values, 150);
  EXPECT_EQ(argmaxAbs(out, 100, out.size()), 600u);
}

TEST(Effects, PingPongDelayAlternatesSidesAndDecaysAsSet) {
  std::vector<float> values = defaultValues();
  values[size_t(Param::DelayTime)] = 0.1f;
  values[size_t(Param::DelayFeedback)] = 0.6f;
  values[size_t(Param::DelayPingPong)] = 1;
  std::vector<float> r;
  const auto l = delayImpulse(values, 120, &r);
  // Mono input 0.5 (L + R) = 1: first echo left, then right, then left, each 0.6 times the last.
  EXPECT_EQ(argmaxAbs(l, 100, 7000), 4800u);
  EXPECT_NEAR(l[4800], 1.0f, 1e-3f);
  EXPECT_NEAR(r[4800], 0.0f, 1e-6f);
  EXPECT_EQ(argmaxAbs(r, 7000, 12000), 9600u);
  EXPECT_NEAR(r[9600], 0.6f, 1e-3f);
  EXPECT_NEAR(l[9600], 0.0f, 1e-6f);
  EXPECT_NEAR(l[14400], 0.36f, 1e-3f);
}

TEST(Effects, DelayLowCutThinsTheEchoes) {
  std::vector<float> values = defaultValues();
  values[size_t(Param::DelayTime)] = 0.1f;
  values[size_t(Param::DelayFeedback)] = 0.9f;
  const auto plain = delayImpulse(values, 120);
  values[size_t(Param::DelayLowCut)] = 1000;
  const auto cut = delayImpulse(values, 120);
  // Each pass through the loop takes more low end away: the tenth echo's sum (its DC content) drops.
  double sumPlain = 0, sumCut = 0;
  for (size_t i = 48000 - 100; i < 48000 + 2000; ++i) sumPlain += plain[i], sumCut += cut[i];
  EXPECT_GT(std::fabs(sumPlain), 0.3);
  EXPECT_LT(std::fabs(sumCut), 0.1 * std::fabs(sumPlain));
}

struct Decay {
  double rt60, correlation;
};

Decay reverbDecay(float size, float decay) {
  FdnReverb reverb;
  reverb.prepare(kRate);
  const ReverbSettings settings{true, size, decay, 0.0f, 0.0f, 1.0f, 1.0f};
  const size_t n = size_t(kRate * decay * 1.5f);
  std::vector<float> l(n), r(n);
  reverb.process(l.data(), r.data(), 4800, settings);
  std::fill(l.begin(), l.end(), 0.0f);
  std::fill(r.begin(), r.end(), 0.0f);
  l[0] = r[0] = 1.0f;
  reverb.process(l.data(), r.data(), int(n), settings);
  double lr = 0, ll = 0, rr = 0;
  for (size_t i = 1; i < n; ++i) lr += double(l[i]) * r[i], ll += double(l[i]) * l[i], rr += double(r[i]) * r[i];
  // RT60 in the 500 Hz octave band, as room acoustics quotes it (ISO 3382): the lines' damping
  // low-pass shortens the decay above it. Schroeder backward integration, the -5 .. -35 dB slope.
  std::vector<double> band(n);
  {
    const double w0 = 2 * kPi * 500 / kRate, alpha = std::sin(w0) / (2 * 1.414);  // Q of one octave
    const double b0 = alpha, b2 = -alpha, a0 = 1 + alpha, a1 = -2 * std::cos(w0), a2 = 1 - alpha;
    double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
    for (size_t i = 0; i < n; ++i) {
      const double x = double(l[i]) + r[i];
      const double y = (b0 * x + b2 * x2 - a1 * y1 - a2 * y2) / a0;
      x2 = x1, x1 = x, y2 = y1, y1 = y;
      band[i] = y;
    }
  }
  std::vector<double> energy(n);
  double sum = 0;
  for (size_t i = n; i-- > 0;) energy[i] = (sum += band[i] * band[i]);
  const auto timeAt = [&](double level) {
    for (size_t i = 0; i < n; ++i)
      if (10 * std::log10(energy[i] / energy[0]) < level) return double(i) / kRate;
    return double(n) / kRate;
  };
  return {2.0 * (timeAt(-35) - timeAt(-5)), lr / std::sqrt(ll * rr)};
}

TEST(Effects, ReverbDecaysAtItsSetTimeInEveryRoomSize) {
  for (float size : {0.1f, 0.5f, 0.9f})
    for (float decay : {0.8f, 3.0f}) {
      const Decay d = reverbDecay(size, decay);
      std::printf("reverb size %.1f decay %.1f s: RT60 %.3f s (%+.1f %%), L/R correlation %.3f\n", size, decay,
                  d.rt60, 100 * (d.rt60 / decay - 1), d.correlation);
      EXPECT_NEAR(d.rt60, decay, 0.15 * decay) << "size " << size;
      EXPECT_LT(std::fabs(d.correlation), 0.3) << "size " << size;
    }
}

TEST(Effects, ReverbPreDelayAndWidth) {
  FdnReverb reverb;
  reverb.prepare(kRate);
  ReverbSettings settings{true, 0.5f, 1.0f, 0.0f, 50.0f, 0.0f, 1.0f};
  std::vector<float> l(9600), r(9600);
  reverb.process(l.data(), r.data(), 4800, settings);
  std::fill(l.begin(), l.end(), 0.0f);
  std::fill(r.begin(), r.end(), 0.0f);
  l[0] = r[0] = 1.0f;
  reverb.process(l.data(), r.data(), 9600, settings);
  // Nothing before the 50 ms pre-delay (2400 samples); width 0 makes both sides one signal.
  EXPECT_LT(peakOfRange(l, 1, 2400), 1e-6f);  // sample 0: the dry impulse, faded out to 5e-5
  EXPECT_GT(peakOfRange(l, 2400, 9600), 1e-3f);
  EXPECT_EQ(l, r);
}

// Strongest sideband at f +- k rate (k = 1..3) relative to the carrier, from a 2 s Blackman-Harris spectrum after
// 0.5 s of settling.
double sidebandDb(const std::function<void(float*, float*, int)>& effect, double hz, double rate) {
  const size_t settle = 24000, n = 96000;
  auto l = sine(hz, settle + n, 0.5f), r = l;
  for (size_t start = 0; start < l.size(); start += 256)
    effect(l.data() + start, r.data() + start, int(std::min<size_t>(256, l.size() - start)));
  const auto mag = magnitudeSpectrum(l.data() + settle, int(n));
  const double binHz = kRate / double(n);
  const auto peakNear = [&](double f) {
    const int centre = int(std::lround(f / binHz));
    double peak = 0;
    for (int k = centre - 2; k <= centre + 2; ++k) peak = std::max(peak, mag[size_t(k)]);
    return peak;
  };
  double sidebands = 0;
  for (int k = 1; k <= 3; ++k) sidebands = std::max({sidebands, peakNear(hz - k * rate), peakNear(hz + k * rate)});
  return db(sidebands / peakNear(hz));
}

TEST(Effects, ModulationEffectsShowTheirRateInASinesSpectrum) {
  constexpr double kHz = 1000, kModRate = 5;
  for (float depth : {0.0f, 1.0f}) {
    Chorus chorus;
    chorus.prepare(kRate);
    const double c = sidebandDb([&](float* l, float* r, int n) { chorus.process(l, r, n, {true, float(kModRate), depth, 0.5f}); },
                                kHz, kModRate);
    Flanger flanger;
    flanger.prepare(kRate);
    const double f = sidebandDb(
        [&](float* l, float* r, int n) { flanger.process(l, r, n, {true, float(kModRate), depth, 0.5f, 0.5f}); }, kHz, kModRate);
    Phaser phaser;
    phaser.prepare(kRate);
    const double p = sidebandDb(
        [&](float* l, float* r, int n) { phaser.process(l, r, n, {true, float(kModRate), depth, 800, 0.4f, 0.5f}); }, kHz,
        kModRate);
    std::printf("depth %.0f: sidebands at 1 kHz +- 5 Hz: chorus %.1f dB, flanger %.1f dB, phaser %.1f dB\n", depth, c, f, p);
    if (depth > 0) {
      EXPECT_GT(c, -30);
      EXPECT_GT(f, -30);
      EXPECT_GT(p, -30);
    } else {  // no sweep: a fixed filter, no sidebands
      EXPECT_LT(c, -90);
      EXPECT_LT(f, -90);
      EXPECT_LT(p, -90);
    }
  }
}

double thdOf(const std::vector<float>& x, double hz) {
  const auto mag = magnitudeSpectrum(x.data(), int(x.size()));
  const double binHz = kRate / double(x.size());
  const auto peakNear = [&](double f) {
    const int centre = int(std::lround(f / binHz));
    double energy = 0;
    for (int k = centre - 4; k <= centre + 4; ++k) energy += mag[size_t(k)] * mag[size_t(k)];
    return energy;
  };
  double harmonics = 0;
  for (int h = 2; h * hz < kRate / 2 - 100; ++h) harmonics += peakNear(h * hz);
  return std::sqrt(harmonics / peakNear(hz));
}

std::vector<float> distort(DistortionCurve curve, float driveDb, double hz, float amplitude) {
  Distortion distortion;
  distortion.prepare(kRate);
  const size_t settle = 4800, n = 48000;
  auto l = sine(hz, settle + n, amplitude), r = l;
  distortion.process(l.data(), r.data(), int(l.size()), {true, curve, driveDb, 1.0f, 1.0f});
  return std::vector<float>(l.begin() + settle, l.end());
}

TEST(Effects, DistortionThdRisesWithDrive) {
  for (DistortionCurve curve : {DistortionCurve::Soft, DistortionCurve::Hard, DistortionCurve::Tube}) {
    double previous = -1;
    std::printf("%-5s THD:", kDistortionCurveNames[int(curve)]);
    for (float drive = 0; drive <= 24; drive += 3) {
      const double thd = thdOf(distort(curve, drive, 500, 0.5f), 500);
      std::printf(" %.3f", thd);
      EXPECT_GT(thd, previous * 1.02) << kDistortionCurveNames[int(curve)] << " at " << drive << " dB";
      previous = thd;
    }
    std::printf("\n");
  }
}

TEST(Effects, DistortionAtFullDriveKeepsAliasesSeventyDecibelsDown) {
  for (int c = 0; c < int(DistortionCurve::Count); ++c) {
    const auto curve = static_cast<DistortionCurve>(c);
    const auto out = distort(curve, 24, 5000, 1.0f);
    const auto report = aliasLevel(out, kRate, 5000, 1, 6);
    std::printf("%-5s 5 kHz at +24 dB drive: strongest alias %.1f dB at %.0f Hz\n", kDistortionCurveNames[c],
                report.strongestAliasDb, report.aliasFrequencyHz);
    EXPECT_LT(report.strongestAliasDb, -70) << kDistortionCurveNames[c];
  }
}

TEST(Effects, DistortionLatencyIsCompensatedInTheDryPath) {
  // At drive 0 dB a quiet sine passes the soft curve linearly: half dry, half wet must add up in
  // phase at 10 kHz, where one sample of misalignment already costs 20 % of the level.
  Distortion distortion;
  distortion.prepare(kRate);
  EXPECT_EQ(distortion.latency(), 73);
  auto l = sine(10000, 24000, 0.01f), r = l;
  distortion.process(l.data(), r.data(), int(l.size()), {true, DistortionCurve::Soft, 0, 1, 0.5f});
  EXPECT_NEAR(double(*std::max_element(l.begin() + 12000, l.end())), 0.01, 0.0002);
}

// The EQ's gains from its response to a long impulse: each shelf's plateau and the peak's centre.
TEST(Effects, EqBandsReachTheirSetGains) {
  const EqSettings settings{true, 200, 12, 1000, -15, 1.0f, 4000, 9, 1};
  Equalizer eq;
  eq.prepare(kRate);
  const int n = 1 << 16;
  std::vector<float> l(static_cast<size_t>(n)), r(static_cast<size_t>(n));
  eq.process(l.data(), r.data(), 4800, settings);
  std::fill(l.begin(), l.end(), 0.0f);
  l[0] = 1;
  eq.process(l.data(), r.data(), n, settings);
  RealFft fft(n);
  std::vector<std::complex<float>> bins(size_t(fft.bins()));
  fft.forward(l.data(), bins.data());
  const auto gainAt = [&](double hz) { return db(std::abs(bins[size_t(std::lround(hz * n / kRate))])); };
  std::printf("EQ: 20 Hz %+.2f dB, 1 kHz %+.2f dB, 20 kHz %+.2f dB\n", gainAt(20), gainAt(1000), gainAt(20000));
  EXPECT_NEAR(gainAt(20), 12, 0.5);
  EXPECT_NEAR(gainAt(1000), -15, 0.5);
  EXPECT_NEAR(gainAt(20000), 9, 0.5);
}

TEST(Effects, CompressorFollowsItsStaticCurve) {
  for (float knee : {0.0f, 12.0f}) {
    const CompressorSettings settings{true, -20, 4, knee, 1, 300, 3, 1};
    for (float inputDb = -40; inputDb <= 0; inputDb += 4) {
      Compressor comp;
      comp.prepare(kRate);
      auto l = sine(997, 48000, std::pow(10.0f, inputDb / 20)), r = l;
      comp.process(l.data(), r.data(), int(l.size()), settings);
      const double outDb = db(peakOfRange(l, 24000, 48000));
      const double expected = Compressor::staticCurve(inputDb, -20, 4, knee) + 3;
      EXPECT_NEAR(outDb, expected, 0.5) << "knee " << knee << " input " << inputDb;
    }
  }
  EXPECT_FLOAT_EQ(Compressor::staticCurve(-30, -20, 4, 0), -30);
  EXPECT_FLOAT_EQ(Compressor::staticCurve(0, -20, 4, 0), -15);
}

TEST(Effects, ChainRunsTheEffectsInTheSlotOrder) {
  std::vector<float> values = defaultValues();
  EffectKind order[kNumEffectSlots];
  // The default keeps format 1's chorus -> delay -> reverb.
  ASSERT_EQ(EffectChain::order(values.data(), order), kNumEffectSlots);
  const auto position = [&](EffectKind k) { return std::find(order, order + kNumEffectSlots, k) - order; };
  EXPECT_LT(position(EffectKind::Chorus), position(EffectKind::Delay));
  EXPECT_LT(position(EffectKind::Delay), position(EffectKind::Reverb));
  // Duplicates run once, at their first slot; "none" is skipped.
  for (int s = 0; s < kNumEffectSlots; ++s) values[size_t(effectSlotParam(s))] = float(EffectKind::None);
  values[size_t(Param::FxSlot2)] = float(EffectKind::Delay);
  values[size_t(Param::FxSlot3)] = float(EffectKind::Distortion);
  values[size_t(Param::FxSlot5)] = float(EffectKind::Delay);
  ASSERT_EQ(EffectChain::order(values.data(), order), 2);
  EXPECT_EQ(order[0], EffectKind::Delay);
  EXPECT_EQ(order[1], EffectKind::Distortion);

  // Distortion before a decaying delay clips once; after it, every echo is clipped to the same
  // level. The order shows in the output.
  values[size_t(Param::DelayOn)] = values[size_t(Param::DistortionOn)] = 1;
  values[size_t(Param::DelayMix)] = 0.5f;
  values[size_t(Param::DelayFeedback)] = 0.5f;
  values[size_t(Param::DistortionDrive)] = 24;
  const auto run = [&](const std::vector<float>& v) {
    EffectChain chain;
    chain.prepare(kRate);
    auto l = sine(220, 48000, 0.8f), r = l;
    for (size_t i = 4800; i < l.size(); ++i) l[i] = r[i] = 0;
    for (size_t start = 0; start < l.size(); start += 480) chain.process(l.data() + start, r.data() + start, 480, v.data(), 120);
    return l;
  };
  // The delay (0.375 s = 18000 samples) repeats the 0.1 s burst at half the level each time.
  const auto echoRatio = [](const std::vector<float>& out) {
    return peakOfRange(out, 36000 + 480, 40800) / peakOfRange(out, 18000 + 480, 22800);
  };
  const double delayFirst = echoRatio(run(values));
  std::swap(values[size_t(Param::FxSlot2)], values[size_t(Param::FxSlot3)]);
  const double distortionFirst = echoRatio(run(values));
  EXPECT_GT(delayFirst, 0.8);  // each echo driven into the clipper: all about as loud
  EXPECT_NEAR(distortionFirst, 0.5, 0.05);  // the clipped burst, repeated at half the level
}

TEST(Effects, BypassedAndDryEffectsPassSignalUnchanged) {
  std::vector<float> input(9600);
  for (size_t i = 0; i < input.size(); ++i) input[i] = std::sin(0.05f * float(i));
  std::vector<float> values = defaultValues();  // every effect off
  EffectChain chain;
  chain.prepare(kRate);
  std::vector<float> l = input, r = input;
  chain.process(l.data(), r.data(), 9600, values.data(), 120);
  EXPECT_EQ(l, input);
  Chorus chorus;
  Flanger flanger;
  Phaser phaser;
  Equalizer eq;
  Compressor comp;
  chorus.prepare(kRate);
  flanger.prepare(kRate);
  phaser.prepare(kRate);
  eq.prepare(kRate);
  comp.prepare(kRate);
  chorus.process(l.data(), r.data(), 9600, {true, 1, 1, 0});  // on, but fully dry
  flanger.process(l.data(), r.data(), 9600, {true, 1, 1, 0.5f, 0});
  phaser.process(l.data(), r.data(), 9600, {true, 1, 1, 800, 0.5f, 0});
  eq.process(l.data(), r.data(), 9600, {true, 100, 6, 1000, 6, 1, 5000, 6, 0});
  comp.process(l.data(), r.data(), 9600, {true, -40, 10, 0, 1, 100, 0, 0});
  EXPECT_EQ(l, input);
  EXPECT_EQ(r, input);
}

TEST(Effects, ChorusModulatesWithoutChangingLevel) {
  Chorus chorus;
  chorus.prepare(kRate);
  std::vector<float> l(48000), r(48000);
  for (size_t i = 0; i < l.size(); ++i) l[i] = r[i] = std::sin(2 * float(M_PI) * 440 * float(i) / kRate);
  const std::vector<float> dry = l;
  chorus.process(l.data(), r.data(), 48000, {true, 1.0f, 1.0f, 0.5f});
  double diff = 0, peak = 0;
  for (size_t i = 4800; i < l.size(); ++i) diff = std::max(diff, double(std::fabs(l[i] - dry[i]))), peak = std::max(peak, double(std::fabs(l[i])));
  EXPECT_GT(diff, 0.05);
  EXPECT_LT(peak, 1.01);
  EXPECT_NE(l, r);  // the two sides are modulated in quadrature
}

}  // namespace
}  // namespace midistems::synth
