// Real-time safety: after prepare(), Synth::process and DrumKit::process (and the control-thread
// calls queueParameter) make no heap allocation and take no mutex. This executable interposes
// allocation and pthread_mutex_lock (tests/support/audio_thread_interposer.h) and counts the calls
// this thread makes while a measured section runs.
#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <cmath>
#include <random>

#include "support/audio_thread_interposer.h"
#include "synth/drum_kit.h"
#include "synth/preset.h"
#include "synth/synth.h"

namespace midistems::synth {
namespace {

struct Counted {
  long allocations, frees, locks;
};

template <class Body>
Counted countDuring(Body body) {
  gAllocations = gFrees = gLocks = 0;
  tCounting = true;
  body();
  tCounting = false;
  return {gAllocations.load(), gFrees.load(), gLocks.load()};
}

TEST(RealTime, InterposerSeesAllocationsAndLocks) {
  // The counters must be able to fail: an allocation and a lock inside the window are counted.
  pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
  const Counted c = countDuring([&] {
    auto* p = new std::vector<int>(100);
    delete p;
    pthread_mutex_lock(&mutex);
    pthread_mutex_unlock(&mutex);
  });
  EXPECT_GE(c.allocations, 2);
  EXPECT_GE(c.frees, 2);
  EXPECT_EQ(c.locks, 1);
}

TEST(RealTime, ProcessNeverAllocatesOrLocks) {
  Synth synth;
  synth.prepare(48000);
  synth.setPatch(factoryPreset("warm_pad").patch);
  DrumKit drums;
  drums.prepare(48000);
  std::vector<Patch> presets;
  for (const auto& name : factoryPresetNames()) presets.push_back(factoryPreset(name).patch);

  std::vector<float> left(4096), right(4096);
  std::vector<Event> events;
  events.reserve(4096);
  std::mt19937 rng(11);
  long allocations = 0, frees = 0, locks = 0;
  for (int round = 0; round < 200; ++round) {
    // Control thread, outside the measured window: a preset swap every few blocks.
    if (round % 5 == 0) synth.submitPatch(presets[size_t(round / 5) % presets.size()]);
    const int frames = 1 + int(rng() % 4096);
    events.clear();
    for (int i = 0; i < 64; ++i) {
      const uint32_t frame = uint32_t(rng() % uint32_t(frames));
      const uint32_t kind = rng() % 8;
      const uint8_t a = uint8_t(rng() % 128), b = uint8_t(rng() % 128);
      static const uint8_t kStatus[] = {0x90, 0x80, 0xB0, 0xE0, 0xD0, 0x99, 0x90};
      if (kind < 7)
        events.push_back(Event::midi(frame, kStatus[kind], a, kind == 2 ? uint8_t(64 + (b % 60)) : b));
      else
        events.push_back(Event::parameter(frame, static_cast<Param>(rng() % kNumParams), float(rng() % 1000) / 10.0f));
    }
    std::sort(events.begin(), events.end(), [](const Event& x, const Event& y) { return x.frame < y.frame; });
    const Counted c = countDuring([&] {
      synth.queueParameter(Param::FilterCutoff, float(200 + rng() % 5000));
      synth.process(left.data(), right.data(), frames, events.data(), int(events.size()));
      drums.process(left.data(), right.data(), frames, events.data(), int(events.size()));
    });
    allocations += c.allocations, frees += c.frees, locks += c.locks;
  }
  EXPECT_EQ(allocations, 0);
  EXPECT_EQ(frees, 0);
  EXPECT_EQ(locks, 0);
  EXPECT_GT(synth.activeVoices() + drums.activeVoices(), 0);
}

// Everything of the modulation system at once: all 32 slots (every source, format-1 destinations,
// per-voice and patch-wide parameters, other slots' amounts, effect parameters), all six LFOs
// (every shape, tempo-synced, fading, unipolar), hard sync, unison, the effects; events include
// poly and channel aftertouch, release velocities, bends and tempo changes.
TEST(RealTime, TheWholeModulationSystemNeverAllocatesOrLocks) {
  Patch patch = factoryPreset("sync_lead").patch;
  patch[Param::UnisonVoices] = 4;
  patch[Param::ChorusOn] = patch[Param::DelayOn] = patch[Param::ReverbOn] = 1;
  for (int i = 0; i < kNumLfos; ++i) {
    const LfoParams& l = lfoParams(i);
    patch[l.wave] = float(i % kNumLfoWaves);
    patch[l.sync] = float(i % 2 ? 3 * i % kNumTempoSyncs : 0);
    patch[l.fade] = 0.05f * float(i);
    patch[l.unipolar] = float(i % 2);
    patch[l.keySync] = float(i % 3 != 0);
  }
  for (int s = 0; s < kNumModSlots; ++s) {
    const ModSlotParams& slot = modSlotParams(s);
    patch[slot.source] = float(1 + s % (kNumModSources - 1));
    // Alternate between format 1's destinations and the table's parameters (wrapping around).
    patch[slot.dest] = float(s % 2 ? 1 + s % (kNumLegacyModDests - 1) : kNumLegacyModDests + (7 * s) % (kNumModDests - kNumLegacyModDests));
    patch[slot.amount] = 0.1f * float(1 + s % 5) * (s % 3 ? 1.0f : -1.0f);
    patch[slot.curve] = float(s % kNumModCurves);
  }
  patch[Param::Mod31Dest] = float(modDestOf(Param::Mod1Amount));
  patch[Param::Mod32Dest] = float(modDestOf(Param::DelayMix));
  Synth synth;
  synth.prepare(48000);
  synth.setPatch(patch);
  std::vector<float> left(4096), right(4096);
  std::vector<Event> events;
  events.reserve(4096);
  std::mt19937 rng(23);
  long allocations = 0, frees = 0, locks = 0;
  for (int round = 0; round < 200; ++round) {
    const int frames = 1 + int(rng() % 4096);
    events.clear();
    for (int i = 0; i < 64; ++i) {
      const uint32_t frame = uint32_t(rng() % uint32_t(frames));
      const uint32_t kind = rng() % 9;
      const uint8_t a = uint8_t(36 + rng() % 48), b = uint8_t(rng() % 128);
      static const uint8_t kStatus[] = {0x90, 0x80, 0xA0, 0xD0, 0xE0, 0xB0, 0x90, 0xA0};
      if (kind < 8)
        events.push_back(Event::midi(frame, kStatus[kind], kind == 5 ? 1 : a, kind == 0 || kind == 6 ? uint8_t(1 + b % 127) : b));
      else
        events.push_back(Event::tempo(frame, float(40 + rng() % 200)));
    }
    std::sort(events.begin(), events.end(), [](const Event& x, const Event& y) { return x.frame < y.frame; });
    const Counted c = countDuring([&] { synth.process(left.data(), right.data(), frames, events.data(), int(events.size())); });
    allocations += c.allocations, frees += c.frees, locks += c.locks;
    for (int i = 0; i < frames; ++i) ASSERT_TRUE(std::isfinite(left[size_t(i)]) && std::isfinite(right[size_t(i)]));
  }
  EXPECT_EQ(allocations, 0);
  EXPECT_EQ(frees, 0);
  EXPECT_EQ(locks, 0);
  EXPECT_GT(synth.activeVoices(), 0);
}

// Every effect on, in changing orders, with tempo changes for the synced delay and parameter
// changes that make the EQ and reverb recompute their coefficients.
TEST(RealTime, EveryEffectActiveNeverAllocatesOrLocks) {
  Synth synth;
  synth.prepare(48000);
  Patch patch = factoryPreset("supersaw").patch;
  for (Param on : {Param::DistortionOn, Param::ChorusOn, Param::FlangerOn, Param::PhaserOn, Param::DelayOn,
                   Param::ReverbOn, Param::EqOn, Param::CompOn})
    patch[on] = 1;
  patch[Param::DelaySync] = float(*findChoice(Param::DelaySync, "1/8d"));
  patch[Param::DelayPingPong] = 1;
  patch[Param::DelayLowCut] = 200;
  patch[Param::ReverbPreDelay] = 40;
  patch[Param::EqMidGain] = 6;
  synth.setPatch(patch);
  std::vector<float> left(1024), right(1024);
  std::vector<Event> events;
  events.reserve(64);
  std::mt19937 rng(5);
  long allocations = 0, locks = 0;
  for (int round = 0; round < 300; ++round) {
    events.clear();
    if (round % 3 == 0) events.push_back(Event::midi(0, 0x90, uint8_t(48 + rng() % 24), 100));
    if (round % 3 == 2) events.push_back(Event::midi(10, 0x80, uint8_t(48 + rng() % 24), 0));
    events.push_back(Event::tempo(20, float(60 + rng() % 120)));
    events.push_back(Event::parameter(30, effectSlotParam(int(rng() % kNumEffectSlots)), float(1 + rng() % 8)));
    events.push_back(Event::parameter(40, Param::EqMidFreq, float(200 + rng() % 4000)));
    events.push_back(Event::parameter(50, Param::ReverbSize, float(rng() % 100) / 100.0f));
    events.push_back(Event::parameter(60, Param::DistortionCurveParam, float(rng() % 4)));
    const Counted c = countDuring([&] {
      synth.process(left.data(), right.data(), int(left.size()), events.data(), int(events.size()));
    });
    allocations += c.allocations + c.frees, locks += c.locks;
  }
  EXPECT_EQ(allocations, 0);
  EXPECT_EQ(locks, 0);
  float peak = 0;
  for (float v : left) peak = std::max(peak, std::fabs(v));
  EXPECT_GT(peak, 1e-3f);  // the chain really ran
}

}  // namespace
}  // namespace midistems::synth
