// Envelope stage timing, measured on the voice lanes the engine renders with.
#include <gtest/gtest.h>

#include "synth/voice_group.h"

namespace midistems::synth {
namespace {

struct EnvelopeProbe {
  VoiceGroup group;
  VoiceContext ctx;
  float values[kNumParams];
  float laneValues[kNumParams];  // the voices' scratch copy
  std::vector<float> levels;

  EnvelopeProbe(int attack, int decay, float sustain, int release, float curve) {
    Patch patch;
    for (int i = 0; i < kNumParams; ++i) values[i] = laneValues[i] = patch.values[size_t(i)];
    ctx.value = values;
    ctx.laneValue = laneValues;
    ctx.sampleRate = 48000;
    ctx.unisonRatio[0] = 1;
    ctx.sustainCoef = 0.999;
    for (auto& e : ctx.env) e = {attack, decay, release, sustain, curve};
  }
  // Renders `frames` samples one at a time (the smallest block), with a control tick every
  // kControlInterval samples as the engine does, recording the amp envelope.
  void run(int frames, int lane) {
    Lanes accL[kControlInterval], accR[kControlInterval];
    for (int i = 0; i < frames; ++i, ++clock) {
      if (clock % kControlInterval == 0 && group.lanes[lane].active) updateLaneControls(group, lane, ctx);
      accL[0] = accR[0] = Lanes{};
      voiceKernels(activeIsaLevel()).renderGroup(group, ctx, 1, accL, accR);
      levels.push_back(group.envLevel[kAmpEnv][lane]);
    }
  }
  int64_t clock = 1;  // the voice starts just after a tick
};

// Index of the first recorded sample at which `pred` holds.
template <class Pred>
int firstIndex(const std::vector<float>& x, int from, Pred pred) {
  for (int i = from; i < int(x.size()); ++i)
    if (pred(x[size_t(i)])) return i;
  return -1;
}

class EnvelopeTiming : public ::testing::TestWithParam<float> {};

TEST_P(EnvelopeTiming, StagesEndOnTheirSample) {
  const float curve = GetParam();
  const int attack = 4800, decay = 9600, release = 14400;  // 0.1 s, 0.2 s, 0.3 s at 48 kHz
  const float sustain = 0.5f;
  EnvelopeProbe probe(attack, decay, sustain, release, curve);
  const int lane = 3;
  startLane(probe.group, lane, probe.ctx, 60, 1.0f, 60, true, 1234);
  probe.run(attack + decay + 4800, lane);
  // Attack: sample k (1-based) is the k-th step; the peak is reached exactly at step `attack`.
  const int peak = firstIndex(probe.levels, 0, [](float v) { return v >= 1.0f - 1e-6f; });
  EXPECT_NEAR(peak + 1, attack, 1);
  for (int i = 1; i < attack; ++i) ASSERT_GE(probe.levels[size_t(i)] + 2e-6f, probe.levels[size_t(i - 1)]) << i;
  // Decay reaches the sustain level exactly `decay` samples later and stays there.
  const int settled = firstIndex(probe.levels, peak + 1, [&](float v) { return std::fabs(v - sustain) < 1e-6f; });
  EXPECT_NEAR(settled - peak, decay, 1);
  EXPECT_NEAR(probe.levels.back(), sustain, 1e-5f);

  const int releaseStart = int(probe.levels.size());
  releaseLane(probe.group, lane, probe.ctx);
  probe.run(release + 100, lane);
  const int silent = firstIndex(probe.levels, releaseStart, [](float v) { return v <= 1e-7f; });
  EXPECT_NEAR(silent - releaseStart + 1, release, 1);
  EXPECT_FALSE(probe.group.lanes[lane].active);
  EXPECT_EQ(probe.group.activeCount, 0);
  // Stage times within 1 % (they are within one sample, a far tighter bound).
  EXPECT_LE(std::fabs(double(peak + 1 - attack)) / attack, 0.01);
}

INSTANTIATE_TEST_SUITE_P(Curves, EnvelopeTiming, ::testing::Values(0.0f, 0.5f, 1.0f));

TEST(Envelope, ExponentialCurveIsFastThenSlow) {
  EnvelopeProbe probe(4800, 4800, 0.0f, 4800, 1.0f);
  startLane(probe.group, 0, probe.ctx, 60, 1.0f, 60, true, 1);
  probe.run(4800, 0);
  // An RC-style attack passes half way well before half the time.
  EXPECT_GT(probe.levels[1200], 0.5f);
  EnvelopeProbe linear(4800, 4800, 0.0f, 4800, 0.0f);
  startLane(linear.group, 0, linear.ctx, 60, 1.0f, 60, true, 1);
  linear.run(4800, 0);
  EXPECT_NEAR(linear.levels[2399], 0.5f, 1e-4f);
}

TEST(Envelope, LongStagesStayExactDespiteFloatRecurrence) {
  const int attack = 20 * 48000;  // the 20 s maximum
  EnvelopeProbe probe(attack, 100, 1.0f, 100, 0.5f);
  startLane(probe.group, 0, probe.ctx, 60, 1.0f, 60, true, 1);
  Lanes accL[kControlInterval], accR[kControlInterval];
  float previous = 0, maxJump = 0;
  for (int i = 0; i < attack + 10; i += kControlInterval) {
    for (auto& v : accL) v = Lanes{};
    voiceKernels(activeIsaLevel()).renderGroup(probe.group, probe.ctx, kControlInterval, accL, accR);
    updateLaneControls(probe.group, 0, probe.ctx);  // the control tick corrects the level
    const float level = probe.group.envLevel[kAmpEnv][0];
    maxJump = std::max(maxJump, std::fabs(level - previous));
    previous = level;
  }
  EXPECT_NEAR(previous, 1.0f, 1e-6f);
  // No step at the end of the stage: the largest change per 16 samples stays tiny.
  EXPECT_LT(maxJump, 0.002f);
}

}  // namespace
}  // namespace midistems::synth
