// The plugin's processor on its own (no host): every row of the engine's table is a host
// parameter with its id, range and text, the state is the preset JSON and round-trips byte for
// byte, a malformed state loads what it can, programs are the factory presets, MIDI learn, the
// on-screen keyboard and the output meter.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <map>
#include <set>

#include "plugin/processor.h"
#include "synth/preset.h"

namespace midistems::plugin {
namespace {

constexpr double kRate = 48000;
constexpr int kBlock = 256;

struct Rendered {
  std::vector<float> left, right;
};

// Renders `blocks` blocks; `midiAt(block, buffer)` adds the block's MIDI.
template <class Midi>
Rendered render(Processor& p, int blocks, Midi midiAt) {
  juce::AudioBuffer<float> buffer(2, kBlock);
  Rendered out;
  for (int b = 0; b < blocks; ++b) {
    juce::MidiBuffer midi;
    midiAt(b, midi);
    buffer.clear();
    p.processBlock(buffer, midi);
    out.left.insert(out.left.end(), buffer.getReadPointer(0), buffer.getReadPointer(0) + kBlock);
    out.right.insert(out.right.end(), buffer.getReadPointer(1), buffer.getReadPointer(1) + kBlock);
  }
  return out;
}

float rms(const std::vector<float>& x, size_t from, size_t to) {
  double sum = 0;
  for (size_t i = from; i < to; ++i) sum += double(x[i]) * x[i];
  return float(std::sqrt(sum / double(to - from)));
}

std::string stateOf(Processor& p) {
  juce::MemoryBlock block;
  p.getStateInformation(block);
  return block.toString().toStdString();
}

void setState(Processor& p, const std::string& text) { p.setStateInformation(text.data(), int(text.size())); }

class PluginProcessor : public ::testing::Test {};

TEST_F(PluginProcessor, EveryTableRowIsAHostParameterWithItsIdRangeAndText) {
  Processor p;
  const auto& parameters = p.getParameters();
  ASSERT_EQ(parameters.size(), synth::kNumParams);
  std::set<juce::String> ids;
  for (int i = 0; i < synth::kNumParams; ++i) {
    const synth::ParamInfo& info = synth::paramInfo(i);
    auto* ranged = p.parameter(info.id);
    ASSERT_NE(ranged, nullptr) << info.id;
    EXPECT_EQ(ranged->getParameterID(), juce::String(info.id));
    EXPECT_TRUE(ids.insert(ranged->getParameterID()).second);
    EXPECT_EQ(ranged->getName(100), juce::String(info.name));
    EXPECT_EQ(ranged->getLabel(), juce::String(info.unit));
    EXPECT_EQ(ranged->getNormalisableRange().start, info.min) << info.id;
    EXPECT_EQ(ranged->getNormalisableRange().end, info.max) << info.id;
    EXPECT_NEAR(ranged->convertFrom0to1(ranged->getDefaultValue()), info.defaultValue,
                1e-4f * std::max(1.0f, std::abs(info.defaultValue))) << info.id;
    EXPECT_EQ(ranged->isDiscrete(), info.stepped()) << info.id;
    if (info.stepped()) EXPECT_EQ(ranged->getNumSteps(), int(info.max - info.min) + 1) << info.id;
    // Text round trip at eleven points of the range: the text of the value parsed back gives
    // the same text, and a value within the text's precision.
    for (int k = 0; k <= 10; ++k) {
      const float n = float(k) / 10.0f;
      const juce::String text = ranged->getText(n, 0);
      const float back = ranged->getValueForText(text);
      EXPECT_EQ(ranged->getText(back, 0), text) << info.id << " at " << n;
      const float plain = info.fromNormalized(n), plainBack = info.fromNormalized(back);
      EXPECT_NEAR(plainBack, plain, std::max(5e-4f * std::abs(plain), 1e-3f)) << info.id << " " << text;
    }
  }
  EXPECT_EQ(p.parameter("no_such_parameter"), nullptr);
}

TEST_F(PluginProcessor, ParametersAreGroupedBySection) {
  Processor p;
  std::map<juce::String, juce::StringArray> sections;
  int total = 0;
  for (const auto* group : p.getParameterTree().getSubgroups(false))
    for (const auto* parameter : group->getParameters(false)) {
      sections[group->getName()].add(dynamic_cast<const TableParameter*>(parameter)->getParameterID());
      ++total;
    }
  EXPECT_EQ(total, synth::kNumParams);
  EXPECT_TRUE(sections["Filter"].contains("filter_cutoff"));
  EXPECT_TRUE(sections["Amp envelope"].contains("amp_env_attack"));
  EXPECT_TRUE(sections["LFO 2"].contains("lfo2_rate"));
  EXPECT_TRUE(sections["Global"].contains("master_gain"));
  // Every member of a section other than Global shares the section's first word.
  for (const auto& [name, ids] : sections) {
    if (name == "Global") continue;
    const juce::String prefix = ids[0].upToFirstOccurrenceOf("_", false, false);
    for (const auto& id : ids) EXPECT_TRUE(id.startsWith(prefix + "_")) << name << ": " << id;
  }
}

TEST_F(PluginProcessor, StateIsThePresetJsonAndRoundTripsByteForByte) {
  Processor p;
  synth::Preset preset = synth::factoryPreset("acid_bass");
  preset.patch[synth::Param::FilterCutoff] = 1234.5678f;
  preset.patch[synth::Param::AmpEnvAttack] = 0.0123456f;
  const std::string json = synth::presetToJson(preset);
  setState(p, json);
  EXPECT_TRUE(p.stateProblems().isEmpty()) << p.stateProblems().joinIntoString("; ");
  EXPECT_EQ(stateOf(p), json);
  const std::string again = stateOf(p);
  setState(p, again);
  EXPECT_EQ(stateOf(p), again);
  EXPECT_EQ(p.currentPresetName(), juce::String(preset.name));
  // A host change shows in the state.
  p.parameter("filter_cutoff")->setValueNotifyingHost(0.5f);
  EXPECT_NE(stateOf(p), json);
}

TEST_F(PluginProcessor, MalformedStateLoadsWhatItCanAndReportsTheRest) {
  Processor p;
  setState(p, R"({"format": 1, "name": "Odd", "params": {"filter_cutoff": 500, "no_such": 1,
                  "osc1_wave": "kazoo", "amp_env_sustain": 7, "reverb_on": true}})");
  EXPECT_EQ(p.stateProblems().size(), 3) << p.stateProblems().joinIntoString("; ");
  EXPECT_NEAR(p.parameter("filter_cutoff")->convertFrom0to1(p.parameter("filter_cutoff")->getValue()), 500, 1e-2);
  EXPECT_EQ(p.parameter("reverb_on")->getValue(), 1.0f);
  EXPECT_EQ(p.currentPresetName(), "Odd");
  for (const auto& problem : p.stateProblems()) EXPECT_FALSE(problem.containsAnyOf("\r\n"));

  // Not JSON, or far too big: nothing changes, one line says why.
  const std::string before = stateOf(p);
  for (const std::string bad : {std::string("{\"format\": 1, \"params\": {"), std::string("\x00\xff garbage", 10),
                                std::string(2 << 20, ' ')}) {
    setState(p, bad);
    EXPECT_EQ(p.stateProblems().size(), 1);
    EXPECT_EQ(stateOf(p), before);
  }
  // An older state without the newer rows: those take their defaults.
  setState(p, R"({"format": 1, "params": {"filter_cutoff": 300}})");
  EXPECT_TRUE(p.stateProblems().isEmpty());
  EXPECT_EQ(p.parameter("osc1_wavetable")->getValue(), p.parameter("osc1_wavetable")->getDefaultValue());
}

TEST_F(PluginProcessor, ProgramsAreTheFactoryPresetsAndAProgramChangeAfterARestoreKeepsIt) {
  Processor p;
  p.prepareToPlay(kRate, kBlock);
  // Every factory synth preset is a program; the drum kit is another instrument.
  std::vector<std::string> names;
  for (const auto& name : synth::factoryPresetNames())
    if (!synth::factoryPreset(name).drumKit) names.push_back(name);
  ASSERT_GE(names.size(), 40u);
  ASSERT_EQ(p.getNumPrograms(), int(names.size()));
  ASSERT_EQ(p.presets().size(), names.size());
  p.setCurrentProgram(3);
  render(p, 1, [](int, juce::MidiBuffer&) {});
  EXPECT_EQ(p.getCurrentProgram(), 3);
  EXPECT_EQ(p.currentPresetName(), p.getProgramName(3));

  synth::Preset preset = synth::factoryPreset(names[5]);
  preset.name = "My sound";
  preset.patch[synth::Param::FilterCutoff] = 777;
  const std::string json = synth::presetToJson(preset);
  setState(p, json);
  p.setCurrentProgram(0);  // a host restoring its program right after the state
  EXPECT_EQ(stateOf(p), json);
  render(p, 1, [](int, juce::MidiBuffer&) {});
  p.setCurrentProgram(0);  // a real program change later
  EXPECT_EQ(p.getCurrentProgram(), 0);
  EXPECT_EQ(p.currentPresetName(), p.getProgramName(0));

  juce::String error;
  EXPECT_TRUE(p.loadPreset(p.getProgramName(2), error));
  EXPECT_EQ(p.getCurrentProgram(), 2);
  EXPECT_FALSE(p.loadPreset("no such preset", error));
  EXPECT_TRUE(error.isNotEmpty());
}

TEST_F(PluginProcessor, PlaysNotesFromTheHostAndFromTheOnScreenKeyboard) {
  Processor p;
  p.prepareToPlay(kRate, kBlock);
  const Rendered silent = render(p, 20, [](int, juce::MidiBuffer&) {});
  EXPECT_EQ(rms(silent.left, 0, silent.left.size()), 0.0f);
  const Rendered host = render(p, 40, [](int b, juce::MidiBuffer& m) {
    if (b == 0) m.addEvent(juce::MidiMessage::noteOn(1, 60, uint8_t(100)), 17);
  });
  EXPECT_EQ(rms(host.left, 0, 17), 0.0f);  // the note starts on its own sample
  EXPECT_GT(rms(host.left, 17, 17 + 2000), 1e-3f);
  EXPECT_GT(p.takeOutputPeak(0), 0.01f);
  EXPECT_EQ(p.takeOutputPeak(0), 0.0f);  // since the previous call
  render(p, 1, [](int, juce::MidiBuffer& m) { m.addEvent(juce::MidiMessage::allNotesOff(1), 0); });
  render(p, 400, [](int, juce::MidiBuffer&) {});

  p.keyboardState().noteOn(1, 64, 0.8f);
  const Rendered keys = render(p, 40, [](int, juce::MidiBuffer&) {});
  EXPECT_GT(rms(keys.left, 0, keys.left.size()), 1e-3f);
}

TEST_F(PluginProcessor, MidiLearnBindsTheNextControllerToTheParameter) {
  Processor p;
  p.prepareToPlay(kRate, kBlock);
  p.beginMidiLearn("filter_cutoff");
  EXPECT_EQ(p.midiLearnTarget(), "filter_cutoff");
  render(p, 1, [](int, juce::MidiBuffer& m) { m.addEvent(juce::MidiMessage::controllerEvent(1, 21, 127), 3); });
  EXPECT_TRUE(p.midiLearnTarget().isEmpty());
  EXPECT_EQ(p.midiLearnCc("filter_cutoff"), 21);
  EXPECT_EQ(p.parameter("filter_cutoff")->getValue(), 1.0f);
  render(p, 1, [](int, juce::MidiBuffer& m) { m.addEvent(juce::MidiMessage::controllerEvent(1, 21, 0), 0); });
  EXPECT_EQ(p.parameter("filter_cutoff")->getValue(), 0.0f);
  // The binding is part of the state.
  const std::string state = stateOf(p);
  EXPECT_NE(state.find("\"midi_learn\""), std::string::npos);
  Processor q;
  setState(q, state);
  EXPECT_EQ(q.midiLearnCc("filter_cutoff"), 21);
  EXPECT_EQ(stateOf(q), state);
  p.clearMidiLearn("filter_cutoff");
  EXPECT_EQ(p.midiLearnCc("filter_cutoff"), -1);
  p.beginMidiLearn("reverb_mix");
  p.cancelMidiLearn();
  EXPECT_TRUE(p.midiLearnTarget().isEmpty());
}

TEST_F(PluginProcessor, HostAutomationReachesTheEngineSmoothly) {
  Processor p;
  p.prepareToPlay(kRate, kBlock);
  auto* gain = p.parameter("master_gain");
  render(p, 1, [](int, juce::MidiBuffer& m) { m.addEvent(juce::MidiMessage::noteOn(1, 57, uint8_t(110)), 0); });
  const Rendered before = render(p, 40, [](int, juce::MidiBuffer&) {});
  gain->setValueNotifyingHost(gain->convertTo0to1(gain->convertFrom0to1(gain->getValue()) - 20));
  const Rendered after = render(p, 40, [](int, juce::MidiBuffer&) {});
  const size_t n = after.left.size();
  const float drop = 20 * std::log10(rms(after.left, n / 2, n) / rms(before.left, before.left.size() / 2, before.left.size()));
  EXPECT_NEAR(drop, -20, 1.0);
  // No step: the largest sample-to-sample change right after the move stays small.
  float jump = 0;
  for (size_t i = 1; i < 256; ++i) jump = std::max(jump, std::abs(after.left[i] - after.left[i - 1]));
  float typical = 0;
  for (size_t i = before.left.size() - 256; i < before.left.size(); ++i)
    typical = std::max(typical, std::abs(before.left[i] - before.left[i - 1]));
  EXPECT_LE(jump, typical * 1.5f);
}

TEST_F(PluginProcessor, XrunCountIsMinusOneInsideAHostAndTheDevicesCountInTheStandaloneApp) {
  Processor inHost;
  inHost.setXrunSource([] { return 7; });
  EXPECT_EQ(inHost.xrunCount(), -1);
  juce::AudioProcessor::setTypeOfNextNewPlugin(juce::AudioProcessor::wrapperType_Standalone);
  Processor standalone;
  juce::AudioProcessor::setTypeOfNextNewPlugin(juce::AudioProcessor::wrapperType_Undefined);
  EXPECT_EQ(standalone.xrunCount(), -1);  // no device yet
  int xruns = 0;
  standalone.setXrunSource([&xruns] { return xruns; });
  xruns = 3;
  EXPECT_EQ(standalone.xrunCount(), 3);
}

}  // namespace
}  // namespace midistems::plugin
