// Whole-engine properties measured from the rendered output: pitch, release, sustain pedal,
// mono/legato, block-size independence, de-zippering, click-free stealing.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <random>

#include "synth/synth.h"
#include "synth_test_util.h"

namespace midistems::synth {
namespace {

using namespace midistems::synth::testing;
constexpr float kRate = 48000;

TEST(Engine, SineVoicePlaysTheNotesFrequency) {
  Synth synth;
  synth.prepare(kRate);
  synth.setPatch(sinePatch());
  const auto out = renderEvents(synth, {noteOn(0, 69), noteOn(0, 81)}, 48000, 256);
  // Two notes: A4 and A5 sum; check A4 alone in a second render instead.
  Synth single;
  single.prepare(kRate);
  single.setPatch(sinePatch());
  const auto a4 = renderEvents(single, {noteOn(0, 69)}, 48000, 256);
  EXPECT_NEAR(frequencyOf(a4.left, 4800, 48000, kRate), 440.0, 0.05);
  EXPECT_GT(peakOf(out.left), 1.2f);  // both notes sound
}

TEST(Engine, TempoEventsSetTheTempoAndAreClamped) {
  Synth synth;
  synth.prepare(kRate);
  EXPECT_EQ(synth.tempo(), 120.0f);
  float left[64], right[64];
  const auto play = [&](float bpm) {
    const Event e = Event::tempo(10, bpm);
    synth.process(left, right, 64, &e, 1);
    return synth.tempo();
  };
  EXPECT_EQ(play(93.5f), 93.5f);
  EXPECT_EQ(play(5000), Synth::kMaxTempo);
  EXPECT_EQ(play(-3), Synth::kMinTempo);
  EXPECT_EQ(play(140), 140.0f);
  EXPECT_EQ(play(std::nanf("")), 140.0f);  // a NaN tempo keeps the last one
}

TEST(Engine, PitchBendFollowsItsRange) {
  Patch patch = sinePatch();
  patch[Param::BendRange] = 12;
  Synth synth;
  synth.prepare(kRate);
  synth.setPatch(patch);
  // Full bend up (14-bit 16383) is +12 semitones * 8191/8192.
  const auto out = renderEvents(synth, {{0, Event::midi(0, 0xE0, 0x7F, 0x7F)}, noteOn(0, 57)}, 48000, 128);
  const double expected = 220.0 * std::exp2(12.0 * (8191.0 / 8192.0) / 12.0);
  EXPECT_NEAR(frequencyOf(out.left, 4800, 48000, kRate), expected, 0.1);
}

TEST(Engine, ReleaseEndsAfterTheReleaseTime) {
  Patch patch = sinePatch();
  patch[Param::AmpEnvRelease] = 0.25f;
  patch[Param::AmpEnvCurve] = 0.0f;
  Synth synth;
  synth.prepare(kRate);
  synth.setPatch(patch);
  const int64_t off = 24000, release = 12000;
  const auto out = renderEvents(synth, {noteOn(0, 69), noteOff(off, 69)}, 48000, 100);
  // Linear release: still at about half level half way, silent from off + release on.
  EXPECT_NEAR(peakOf(out.left, size_t(off + release / 2 - 120), size_t(off + release / 2 + 120)), 0.5f, 0.03f);
  EXPECT_EQ(peakOf(out.left, size_t(off + release + 1)), 0.0f);
  EXPECT_GT(peakOf(out.left, size_t(off + release - 120), size_t(off + release - 1)), 0.0f);
  EXPECT_EQ(synth.activeVoices(), 0);
}

TEST(Engine, SustainPedalHoldsReleasedKeysUntilLifted) {
  Synth synth;
  synth.prepare(kRate);
  synth.setPatch(sinePatch());  // release 50 ms
  const auto out = renderEvents(
      synth, {controller(0, 64, 127), noteOn(100, 69), noteOff(4800, 69), controller(24000, 64, 0)}, 48000, 64);
  EXPECT_GT(rmsOf(out.left, 19200, 24000), 0.6);  // key up at 0.1 s, pedal still down at 0.4-0.5 s
  EXPECT_EQ(peakOf(out.left, 24000 + 2400 + 2), 0.0f);  // silent 50 ms after the pedal lifts
}

TEST(Engine, LegatoKeepsTheEnvelopeAndMonoRetriggersIt) {
  const auto run = [](VoiceMode mode) {
    Patch patch = sinePatch();
    patch[Param::VoiceModeParam] = float(mode);
    patch[Param::AmpEnvDecay] = 0.05f;
    patch[Param::AmpEnvSustain] = 0.3f;
    Synth synth;
    synth.prepare(kRate);
    synth.setPatch(patch);
    return renderEvents(synth, {noteOn(0, 69), noteOn(24000, 76), noteOff(36000, 76)}, 48000, 32);
  };
  const auto legato = run(VoiceMode::Legato);
  const auto mono = run(VoiceMode::Mono);
  // Before the second key both sit at the sustain level.
  EXPECT_NEAR(peakOf(legato.left, 19200, 24000), 0.3f, 0.02f);
  EXPECT_NEAR(peakOf(mono.left, 19200, 24000), 0.3f, 0.02f);
  // Legato: no new attack; mono: the envelope restarts and peaks again.
  EXPECT_NEAR(peakOf(legato.left, 24000, 27000), 0.3f, 0.02f);
  EXPECT_GT(peakOf(mono.left, 24000, 27000), 0.9f);
  // One voice, at the new pitch (E5 = 659.26 Hz)...
  EXPECT_NEAR(frequencyOf(legato.left, 26400, 36000, kRate), 659.255, 0.2);
  // ...and back to the still-held first key after the second is released (last-note priority).
  EXPECT_NEAR(frequencyOf(legato.left, 38400, 48000, kRate), 440.0, 0.2);
  EXPECT_GT(rmsOf(legato.left, 38400, 48000), 0.15);
}

TEST(Engine, PortamentoGlidesBetweenNotes) {
  Patch patch = sinePatch();
  patch[Param::VoiceModeParam] = float(VoiceMode::Legato);
  patch[Param::GlideTime] = 0.1f;
  Synth synth;
  synth.prepare(kRate);
  synth.setPatch(patch);
  const auto out = renderEvents(synth, {noteOn(0, 57), noteOn(24000, 69)}, 24000 + 48000, 64);
  const double early = frequencyOf(out.left, 24000 + 480, 24000 + 2400, kRate);
  EXPECT_GT(early, 230.0);
  EXPECT_LT(early, 420.0);  // on the way from 220 Hz to 440 Hz
  EXPECT_NEAR(frequencyOf(out.left, 24000 + 36000, 72000, kRate), 440.0, 0.5);
}

// A patch and a stream of events that exercise every block-dependent path: unison with spread,
// LFOs, modulation, effects, notes and parameter changes on odd frames.
std::vector<TimedEvent> busyEvents(Patch& patch) {
  patch[Param::UnisonVoices] = 5;
  patch[Param::Osc2Level] = 0.5f;
  patch[Param::Osc2Wave] = float(Wave::Pulse);
  patch[Param::FilterTypeParam] = float(FilterType::Ladder24);
  patch[Param::FilterEnvAmount] = 40;
  patch[Param::Mod1Source] = float(ModSource::Lfo1);
  patch[Param::Mod1Dest] = float(ModDest::Cutoff);
  patch[Param::Mod1Amount] = 0.2f;
  patch[Param::ChorusOn] = 1;
  patch[Param::DelayOn] = 1;
  patch[Param::ReverbOn] = 1;
  patch[Param::Polyphony] = 6;
  std::mt19937 rng(7);
  std::vector<TimedEvent> events;
  for (int i = 0; i < 60; ++i) {
    const int64_t t = int64_t(rng() % 40000);
    const int note = 40 + int(rng() % 40);
    events.push_back(noteOn(t, note, 30 + int(rng() % 97)));
    events.push_back(noteOff(t + 100 + int64_t(rng() % 8000), note));
  }
  events.push_back(paramChange(12345, Param::FilterCutoff, 300));
  events.push_back(paramChange(20001, Param::Osc1Wave, float(Wave::Wavetable)));
  events.push_back({30011, Event::midi(0, 0xE0, 0x00, 0x50)});
  events.push_back(controller(33333, 1, 90));
  return events;
}

TEST(Engine, OutputIsIdenticalAtEveryBlockSize) {
  Patch patch;
  // Every effect on, the delay synced to the (default) tempo.
  for (Param on : {Param::DistortionOn, Param::ChorusOn, Param::FlangerOn, Param::PhaserOn, Param::DelayOn,
                   Param::ReverbOn, Param::EqOn, Param::CompOn})
    patch[on] = 1;
  patch[Param::DelaySync] = float(*findChoice(Param::DelaySync, "1/16"));
  const auto events = busyEvents(patch);
  std::vector<Stereo> outs;
  for (int block : {1, 7, 64, 4096}) {
    Synth synth;
    synth.prepare(kRate);
    synth.setPatch(patch);
    outs.push_back(renderEvents(synth, events, 48000, block));
  }
  ASSERT_GT(peakOf(outs[0].left), 0.01f);
  for (size_t k = 1; k < outs.size(); ++k) {
    float diff = 0;
    for (size_t i = 0; i < outs[0].left.size(); ++i) {
      diff = std::max(diff, std::fabs(outs[k].left[i] - outs[0].left[i]));
      diff = std::max(diff, std::fabs(outs[k].right[i] - outs[0].right[i]));
    }
    EXPECT_LE(diff, 1e-6f) << "block size index " << k;
    std::printf("block size %d vs 1: largest difference %g\n", std::array{1, 7, 64, 4096}[k], double(diff));
  }
}

TEST(Engine, ParameterStepsAreSmoothed) {
  // A 100 Hz sine's steepest slope is 2 pi 100 / 48000 = 0.013 per sample at full level.
  Patch patch = sinePatch();
  patch[Param::Osc1Octave] = 0;
  patch[Param::MasterGain] = -60;
  patch[Param::FilterCutoff] = 60;
  Synth synth;
  synth.prepare(kRate);
  synth.setPatch(patch);
  const auto out = renderEvents(synth,
                                {noteOn(0, 43), paramChange(12000, Param::MasterGain, 0),
                                 paramChange(24000, Param::FilterCutoff, 20000)},
                                48000, 512);
  const float slope = float(2 * M_PI * 98.0 / 48000.0);
  EXPECT_LT(maxStep(out.left, 11990, 48000), slope * 1.3f);  // an unsmoothed jump would be ~1
  EXPECT_GT(peakOf(out.left, 40000), 0.9f);  // the changes did take effect
  // Without smoothing the same gain jump would be one step of up to the full amplitude.
}

TEST(Engine, StealingNeverClicks) {
  // 200 overlapping notes on 16 voices: every new note steals; the fades must keep every
  // sample-to-sample step within what 16 full-level sines can do on their own.
  Patch patch = sinePatch();
  patch[Param::Polyphony] = 16;
  patch[Param::AmpEnvAttack] = 0.01f;
  patch[Param::AmpEnvRelease] = 0.3f;
  Synth synth;
  synth.prepare(kRate);
  synth.setPatch(patch);
  std::vector<TimedEvent> events;
  std::mt19937 rng(3);
  int maxNote = 0;
  for (int i = 0; i < 200; ++i) {
    const int note = 48 + int(rng() % 24);
    maxNote = std::max(maxNote, note);
    events.push_back(noteOn(int64_t(i) * 240, note));            // every 5 ms
    events.push_back(noteOff(int64_t(i) * 240 + 24000, note));  // held 0.5 s
  }
  const auto out = renderEvents(synth, events, 200 * 240 + 48000, 64);
  const double fMax = 440.0 * std::exp2((maxNote - 69) / 12.0);
  const float bound = float(16 * 2 * M_PI * fMax / kRate);
  EXPECT_LT(maxStep(out.left), bound);
  EXPECT_LT(maxStep(out.right), bound);
  EXPECT_GT(peakOf(out.left), 1.0f);
  EXPECT_LE(synth.activeVoices(), Synth::kMaxVoices);
}

}  // namespace
}  // namespace midistems::synth

namespace midistems::synth {
namespace {

TEST(Engine, WavetableOscillatorPlaysThePitchAndMorphs) {
  using namespace midistems::synth::testing;
  const auto render = [](const char* table, float position) {
    Patch patch = sinePatch();
    patch[Param::Osc1Wave] = float(Wave::Wavetable);
    patch[Param::Osc1Table] = float(*findChoice(Param::Osc1Table, table));
    patch[Param::Osc1WavePos] = position;
    Synth synth;
    synth.prepare(48000);
    synth.setPatch(patch);
    return renderEvents(synth, {noteOn(0, 69)}, 24000, 256).left;
  };
  const auto sine = render("basic_shapes", 0.0f);  // the first frame of basic shapes is a sine
  EXPECT_NEAR(frequencyOf(sine, 4800, 24000, 48000), 440.0, 0.05);
  // Morphing towards the square adds harmonics: the waveform gets steeper.
  EXPECT_GT(maxStep(render("basic_shapes", 1.0f), 4800), 2.0f * maxStep(sine, 4800));
  // Another table, another waveform.
  const auto vowels = render("vowels", 0.5f);
  float diff = 0;
  for (size_t i = 4800; i < 24000; ++i) diff = std::max(diff, std::fabs(vowels[i] - sine[i]));
  EXPECT_GT(diff, 0.1f);
}

}  // namespace
}  // namespace midistems::synth
