// bench-libs: midistems_plugin midistems_synth_presets
// The plugin's processBlock against the engine it wraps: CPU per voice (percent of one core) for
// the synth benchmark's reference patch (bench/synth_reference_patch.h), 128 held voices, 48 kHz,
// 64-sample blocks, thread CPU time, the best of twelve runs each, the two interleaved so that
// other load on the machine affects both alike.
//
//   build/bench/plugin_bench
#include <time.h>

#include <algorithm>
#include <cstdio>

#include "machine.h"
#include "plugin/processor.h"
#include "synth/preset.h"
#include "synth_reference_patch.h"

namespace {

constexpr double kRate = 48000;
constexpr int kBlock = 64, kVoices = 128, kRuns = 12, kBlocksPerRun = 3000;

double threadSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

}  // namespace

int main() {
  juce::ScopedJuceInitialiser_GUI juce;
  midistems::bench::printMachine();
  using namespace midistems;
  const synth::Patch patch = bench::referenceSynthPatch();

  plugin::Processor processor;
  synth::Preset preset;
  preset.name = "reference";
  preset.patch = patch;
  const std::string state = synth::presetToJson(preset);
  processor.setStateInformation(state.data(), int(state.size()));
  processor.prepareToPlay(kRate, kBlock);
  juce::AudioBuffer<float> buffer(2, kBlock);
  juce::MidiBuffer notes, none;
  for (int v = 0; v < kVoices; ++v) notes.addEvent(juce::MidiMessage::noteOn(1, v, uint8_t(100)), 0);
  processor.processBlock(buffer, notes);

  synth::Synth engine;
  engine.prepare(float(kRate));
  engine.setPatch(patch);
  std::vector<synth::Event> on;
  for (int v = 0; v < kVoices; ++v) on.push_back(synth::Event::midi(0, 0x90, uint8_t(v), 100));
  std::vector<float> l(kBlock), r(kBlock);
  engine.process(l.data(), r.data(), kBlock, on.data(), int(on.size()));
  for (int i = 0; i < 200; ++i) {
    processor.processBlock(buffer, none);
    engine.process(l.data(), r.data(), kBlock, nullptr, 0);
  }

  double pluginCpu = 1e30, engineCpu = 1e30;
  for (int run = 0; run < kRuns; ++run) {
    double start = threadSeconds();
    for (int i = 0; i < kBlocksPerRun; ++i) processor.processBlock(buffer, none);
    pluginCpu = std::min(pluginCpu, threadSeconds() - start);
    start = threadSeconds();
    for (int i = 0; i < kBlocksPerRun; ++i) engine.process(l.data(), r.data(), kBlock, nullptr, 0);
    engineCpu = std::min(engineCpu, threadSeconds() - start);
  }
  const double audioSeconds = kBlocksPerRun * kBlock / kRate;
  const auto perVoice = [&](double cpu) { return 100.0 * cpu / audioSeconds / kVoices; };
  std::printf("2 saws + ladder + 2 envelopes, %d voices, 48 kHz, %d-sample blocks, %% of one core per voice\n",
              kVoices, kBlock);
  std::printf("  engine Synth::process:        %.4f %%/voice\n", perVoice(engineCpu));
  std::printf("  plugin processBlock:          %.4f %%/voice (%+.1f %%)\n", perVoice(pluginCpu),
              100.0 * (pluginCpu / engineCpu - 1));
  return 0;
}
