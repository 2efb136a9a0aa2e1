// Real-time safety: after prepare(), rendering and filtering never allocate. Counts calls of the
// global operator new (replaced in this test executable) while the audio-thread calls run.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "synth/dsp/ladder.h"
#include "synth/dsp/svf.h"
#include "synth/dsp/unison.h"

namespace {
std::atomic<bool> counting{false};
std::atomic<long> allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace midistems::synth::dsp {
namespace {

TEST(RealTime, RenderingAndFilteringDoNotAllocate) {
  Oscillator osc, master;
  osc.prepare(48000.0);
  master.prepare(48000.0);
  UnisonOscillator unison;
  unison.prepare(48000.0);
  unison.setVoiceCount(16);
  const Wavetable& vowels = builtinWavetable(BuiltinWavetable::Vowels);  // built before counting
  Svf svf;
  svf.prepare(48000.0);
  SvfBank bank;
  bank.prepare(48000.0);
  LadderBank ladders;
  ladders.prepare(48000.0);
  std::vector<float> out(kMaxBlockSize), right(kMaxBlockSize), pm(kMaxBlockSize, 0.1f);
  std::vector<Lanes> lanes(kMaxBlockSize), cutoff(kMaxBlockSize, splat(500.0f)),
      resonance(kMaxBlockSize, splat(0.5f)), drive(kMaxBlockSize, splat(0.5f));
  SyncEvents wraps;

  counting = true;
  for (Waveform w : {Waveform::Sine, Waveform::Saw, Waveform::Square, Waveform::Pulse, Waveform::Triangle,
                     Waveform::Wavetable, Waveform::WhiteNoise, Waveform::PinkNoise}) {
    osc.setWaveform(w);
    osc.setWavetable(&vowels);
    osc.render(out.data(), kMaxBlockSize, 220.0f);
    OscillatorModulation toMaster;
    toMaster.syncTo = &wraps;
    master.render(out.data(), kMaxBlockSize, 300.0f, toMaster);
    OscillatorModulation synced;
    synced.syncFrom = &wraps;
    synced.phaseOffset = pm.data();
    osc.render(out.data(), kMaxBlockSize, 710.0f, synced);
  }
  unison.render(out.data(), right.data(), kMaxBlockSize, 110.0f);
  svf.setMode(SvfMode::LowPass24);
  svf.setTargets(800.0f, 0.5f, 0.5f);
  svf.process(out.data(), kMaxBlockSize);
  bank.processModulated(lanes.data(), kMaxBlockSize, cutoff.data(), resonance.data(), drive.data());
  ladders.setTargets(splat(900.0f), splat(0.9f), splat(0.2f));
  ladders.process(lanes.data(), kMaxBlockSize);
  counting = false;
  EXPECT_EQ(allocations.load(), 0);
}

}  // namespace
}  // namespace midistems::synth::dsp
