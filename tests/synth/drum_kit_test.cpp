// The GM drum kit: every mapped key sounds, each instrument sits in its register, hi-hats choke.
#include <gtest/gtest.h>

#include "synth/drum_kit.h"
#include "synth_test_util.h"

namespace midistems::synth {
namespace {

using namespace midistems::synth::testing;

Stereo hit(const std::vector<std::pair<int64_t, int>>& notes, int64_t frames) {
  DrumKit kit;
  kit.prepare(48000);
  std::vector<Event> events;
  for (auto [frame, key] : notes) events.push_back(Event::midi(uint32_t(frame), 0x99, uint8_t(key), 110));
  Stereo out{std::vector<float>(size_t(frames)), std::vector<float>(size_t(frames))};
  kit.process(out.left.data(), out.right.data(), int(frames), events.data(), int(events.size()));
  return out;
}

// Spectral centroid in Hz of x[from, to) (plain DFT on a 24 Hz grid; the frames are short).
double centroid(const std::vector<float>& x, size_t from, size_t to) {
  const size_t n = to - from;
  double weighted = 0, total = 0;
  for (double hz = 24; hz < 24000; hz += 24) {
    double re = 0, im = 0;
    const double w = 2 * M_PI * hz / 48000.0;
    for (size_t i = 0; i < n; ++i) re += x[from + i] * std::cos(w * double(i)), im += x[from + i] * std::sin(w * double(i));
    const double power = re * re + im * im;
    weighted += hz * power;
    total += power;
  }
  return weighted / total;
}

TEST(DrumKit, EveryGeneralMidiDrumSounds) {
  for (int key : {35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 59}) {
    ASSERT_NE(drumSoundForKey(key), nullptr) << key;
    const auto out = hit({{0, key}}, 9600);
    EXPECT_GT(std::max(peakOf(out.left), peakOf(out.right)), 0.02f) << key;
    EXPECT_LT(std::max(peakOf(out.left), peakOf(out.right)), 1.0f) << key;
  }
  EXPECT_EQ(drumSoundForKey(20), nullptr);
}

TEST(DrumKit, InstrumentsSitInTheirRegisters) {
  const double kick = centroid(hit({{0, 36}}, 4800).left, 0, 4800);
  const double snare = centroid(hit({{0, 38}}, 4800).left, 0, 4800);
  const double hat = centroid(hit({{0, 42}}, 4800).left, 0, 2400);
  const double lowTom = centroid(hit({{0, 41}}, 9600).left, 2400, 7200);
  const double highTom = centroid(hit({{0, 50}}, 9600).left, 2400, 7200);
  EXPECT_LT(kick, 400);
  EXPECT_GT(snare, 1000);
  EXPECT_LT(snare, 6000);
  EXPECT_GT(hat, 6000);
  EXPECT_GT(highTom, 1.5 * lowTom);
  std::printf("centroids: kick %.0f, snare %.0f, hat %.0f, toms %.0f / %.0f Hz\n", kick, snare, hat, lowTom, highTom);
}

TEST(DrumKit, ClosedHiHatChokesTheOpenOne) {
  const auto open = hit({{0, 46}}, 24000);
  const auto choked = hit({{0, 46}, {2400, 42}}, 24000);
  EXPECT_GT(rmsOf(open.left, 9600, 14400), 0.003);
  EXPECT_LT(rmsOf(choked.left, 9600, 14400), 0.1 * rmsOf(open.left, 9600, 14400));
}

TEST(DrumKit, VoicesEndAndTheKitFallsSilent) {
  DrumKit kit;
  kit.prepare(48000);
  std::vector<float> l(48000), r(48000);
  std::vector<Event> events;
  for (int key = 35; key <= 59; ++key) events.push_back(Event::midi(uint32_t(key * 10), 0x99, uint8_t(key), 127));
  kit.process(l.data(), r.data(), 48000, events.data(), int(events.size()));
  EXPECT_GT(kit.activeVoices(), 0);
  for (int i = 0; i < 8; ++i) kit.process(l.data(), r.data(), 48000, nullptr, 0);
  EXPECT_EQ(kit.activeVoices(), 0);
}

}  // namespace
}  // namespace midistems::synth
