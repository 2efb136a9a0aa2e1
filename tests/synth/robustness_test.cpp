// Ten minutes of random MIDI on random patches, every parameter drawn from its extremes or its
// range, must stay finite and within the output limiter's ceiling (the idea of Vital's
// processor_test and Surge's "every patch stays bounded"). The patch changes every 20 seconds. Rendered at 24 kHz, which
// keeps the test fast and pushes more pitches against Nyquist than 48 kHz would.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "synth/synth.h"

namespace midistems::synth {
namespace {

Patch randomPatch(std::mt19937& rng) {
  Patch patch;
  for (int i = 0; i < kNumParams; ++i) {
    const ParamInfo& info = paramInfo(i);
    const uint32_t pick = rng() % 10;
    float n = pick < 3 ? 0.0f : pick < 6 ? 1.0f : float(rng() % 10001) / 10000.0f;
    patch.values[size_t(i)] = info.fromNormalized(n);
  }
  // Keep every run audible: a patch that is all silence tests nothing.
  patch[Param::MasterGain] = std::max(patch[Param::MasterGain], -12.0f);
  patch[Param::Osc1Level] = std::max(patch[Param::Osc1Level], 0.3f);
  return patch;
}

TEST(Robustness, TenMinutesOfRandomMidiOnExtremePatchesStayBounded) {
  constexpr float kRate = 24000;
  constexpr int kBlock = 256;
  constexpr int64_t kTotal = int64_t(600 * kRate);
  constexpr int64_t kPatchFrames = int64_t(20 * kRate);
  std::mt19937 rng(2024);
  Synth synth;
  synth.prepare(kRate);
  std::vector<float> l(kBlock), r(kBlock);
  std::vector<Event> events;
  // safetyLimit in src/synth/synth.cpp: transparent up to 4.0 (+12 dBFS), never beyond 8.0
  // (+18.06 dBFS).
  constexpr float kKnee = 4.0f, kCeiling = 8.0f;
  float peak = 0;
  int64_t nonFinite = 0;
  double energy = 0;
  for (int64_t start = 0; start < kTotal; start += kBlock) {
    if (start % kPatchFrames == 0) {
      // Alternate between swapping through the audio-thread hand-off and setting directly.
      const Patch patch = randomPatch(rng);
      if ((start / kPatchFrames) % 2) synth.submitPatch(patch); else synth.setPatch(patch);
    }
    events.clear();
    const int count = rng() % 4 == 0 ? 1 + int(rng() % 2) : 0;  // about 23 events a second
    for (int i = 0; i < count; ++i) {
      const uint32_t frame = uint32_t(rng() % kBlock);
      const uint8_t a = uint8_t(rng() % 128), b = uint8_t(rng() % 128);
      switch (rng() % 12) {
        case 0: case 1: case 2: case 3: events.push_back(Event::midi(frame, 0x90, a, uint8_t(1 + b % 127))); break;
        case 4: case 5: case 6: events.push_back(Event::midi(frame, 0x80, a, 0)); break;
        case 7: events.push_back(Event::midi(frame, 0xE0, a, b)); break;
        case 8: events.push_back(Event::midi(frame, 0xB0, uint8_t(rng() % 2 ? 1 : 64), b)); break;
        case 9: events.push_back(Event::midi(frame, 0xD0, a, 0)); break;
        case 10: {
          const ParamInfo& info = paramInfo(int(rng() % kNumParams));
          const float v = rng() % 2 ? info.max : info.min;
          events.push_back(Event::parameter(frame, static_cast<Param>(&info - &paramInfo(0)), v));
          break;
        }
        default: events.push_back(Event::midi(frame, 0xB0, 123, 0)); break;
      }
    }
    std::sort(events.begin(), events.end(), [](const Event& x, const Event& y) { return x.frame < y.frame; });
    synth.process(l.data(), r.data(), kBlock, events.data(), int(events.size()));
    for (int i = 0; i < kBlock; ++i) {
      if (!std::isfinite(l[size_t(i)]) || !std::isfinite(r[size_t(i)])) ++nonFinite;
      peak = std::max({peak, std::fabs(l[size_t(i)]), std::fabs(r[size_t(i)])});
      energy += double(l[size_t(i)]) * l[size_t(i)];
    }
  }
  EXPECT_EQ(nonFinite, 0);
  EXPECT_LE(peak, kCeiling) << "peak " << 20 * std::log10(peak) << " dBFS";
  // The extreme patches drive into the limiter (measured +18.1 dBFS), so the bound above tests it.
  EXPECT_GT(peak, kKnee) << "no patch reached the limiter";
  EXPECT_GT(energy, 1.0);  // it did play
  std::printf("random-MIDI peak %.1f dBFS\n", 20 * std::log10(peak));
}

}  // namespace
}  // namespace midistems::synth
