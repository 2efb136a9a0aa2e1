// Real-time safety: after prepare(), filtering never allocates (the oscillators are the engine's,
// counted by tests/synth/realtime_test.cpp). Counts calls of the
// global operator new (replaced in this test executable) while the audio-thread calls run.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "synth/dsp/ladder.h"
#include "synth/dsp/svf.h"

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

TEST(RealTime, FilteringDoesNotAllocate) {
  constexpr int kBlock = 256;
  Svf svf;
  svf.prepare(48000.0);
  SvfBank bank;
  bank.prepare(48000.0);
  LadderBank ladders;
  ladders.prepare(48000.0);
  std::vector<float> out(kBlock, 0.25f);
  std::vector<Lanes> lanes(kBlock, splat(0.25f)), cutoff(kBlock, splat(500.0f)),
      resonance(kBlock, splat(0.5f)), drive(kBlock, splat(0.5f));

  counting = true;
  svf.setMode(SvfMode::LowPass24);
  svf.setTargets(800.0f, 0.5f, 0.5f);
  svf.process(out.data(), kBlock);
  bank.processModulated(lanes.data(), kBlock, cutoff.data(), resonance.data(), drive.data());
  ladders.setTargets(splat(900.0f), splat(0.9f), splat(0.2f));
  ladders.process(lanes.data(), kBlock);
  counting = false;
  EXPECT_EQ(allocations.load(), 0);
}

}  // namespace
}  // namespace midistems::synth::dsp
