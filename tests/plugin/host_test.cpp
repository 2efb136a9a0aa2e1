// The built plugin in a plugin host: JUCE's AudioPluginFormatManager loads the VST3 bundle and
// the LV2 bundle (as a DAW would, from their files), plays notes, checks the pitch and level of
// the output against the engine run directly, sets parameters by id and round-trips the state.
// $MIDISTEMS_PLUGIN_VST3 (a .vst3 bundle) and $MIDISTEMS_PLUGIN_LV2 (a .lv2 bundle) replace the
// build's own copies, so the same tests check an installed, moved copy.
#include <gtest/gtest.h>
#include <juce_audio_processors/juce_audio_processors.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>

#include "synth/params.h"
#include "synth/synth.h"

namespace {

using midistems::synth::Param;
constexpr double kRate = 48000;
constexpr int kBlock = 512;

juce::String pathOf(const char* variable, const char* fallback) {
  const char* value = std::getenv(variable);
  return value != nullptr && *value != 0 ? juce::String(value) : juce::String(fallback);
}

juce::AudioPluginFormatManager& formats() {
  static juce::AudioPluginFormatManager manager;
  if (manager.getNumFormats() == 0) manager.addDefaultFormats();
  return manager;
}

std::unique_ptr<juce::AudioPluginInstance> load(const juce::String& formatName, juce::String& error) {
  juce::AudioPluginFormat* format = nullptr;
  for (int i = 0; i < formats().getNumFormats(); ++i)
    if (formats().getFormat(i)->getName() == formatName) format = formats().getFormat(i);
  if (format == nullptr) {
    error = "no " + formatName + " host format";
    return nullptr;
  }
  juce::OwnedArray<juce::PluginDescription> found;
  if (formatName == "VST3") {
    const auto bundle = std::filesystem::weakly_canonical(pathOf("MIDISTEMS_PLUGIN_VST3", MIDISTEMS_PLUGIN_VST3).toStdString());
    format->findAllTypesForFile(found, juce::String(bundle.string()));
  } else {
    const juce::File bundle(pathOf("MIDISTEMS_PLUGIN_LV2", MIDISTEMS_PLUGIN_LV2));
    format->searchPathsForPlugins(juce::FileSearchPath(bundle.getParentDirectory().getFullPathName()), false, false);
    format->findAllTypesForFile(found, MIDISTEMS_PLUGIN_LV2_URI);
  }
  if (found.isEmpty()) {
    error = "the " + formatName + " plugin was not found";
    return nullptr;
  }
  auto instance = formats().createPluginInstance(*found[0], kRate, kBlock, error);
  if (instance) {
    instance->enableAllBuses();
    instance->setPlayConfigDetails(0, 2, kRate, kBlock);
  }
  return instance;
}

// The host parameter of each table row, found by the id the format gives it: VST3 hashes the
// string id (JUCE's wrapper, as Studio One wants it, without the sign bit); LV2 names it by URI.
std::map<int, juce::AudioProcessorParameter*> parametersById(juce::AudioPluginInstance& instance, const juce::String& format) {
  std::map<int, juce::AudioProcessorParameter*> byRow;
  for (auto* parameter : instance.getParameters()) {
    const auto* hosted = dynamic_cast<juce::HostedAudioProcessorParameter*>(parameter);
    if (hosted == nullptr) continue;
    const juce::String hostId = hosted->getParameterID();
    for (int i = 0; i < midistems::synth::kNumParams; ++i) {
      const juce::String id = midistems::synth::paramInfo(i).id;
      const bool same = format == "VST3"
                            ? hostId == juce::String(uint32_t(id.hashCode()) & 0x7fffffffu)
                            : hostId == id || hostId.endsWith(":" + id) || hostId.endsWith("#" + id) || hostId.endsWith("/" + id);
      if (same) byRow[i] = parameter;
    }
  }
  return byRow;
}

// A host's normalised value for a plain one: VST3 hosts get the plugin's own normalisation (the
// table's scale laws); an LV2 host sees plain ranges and maps them linearly.
void setPlain(juce::AudioProcessorParameter& parameter, Param p, float value, const juce::String& format) {
  const auto& info = midistems::synth::paramInfo(p);
  parameter.setValueNotifyingHost(format == "VST3" ? info.toNormalized(value) : (info.clamp(value) - info.min) / (info.max - info.min));
}

std::vector<float> play(juce::AudioPluginInstance& instance, int note, int blocks) {
  std::vector<float> out;
  juce::AudioBuffer<float> buffer(2, kBlock);
  for (int b = 0; b < blocks; ++b) {
    juce::MidiBuffer midi;
    if (b == 0 && note >= 0) midi.addEvent(juce::MidiMessage::noteOn(1, note, uint8_t(100)), 0);
    buffer.clear();
    instance.processBlock(buffer, midi);
    out.insert(out.end(), buffer.getReadPointer(0), buffer.getReadPointer(0) + kBlock);
  }
  return out;
}

double rmsDb(const std::vector<float>& x, size_t from, size_t to) {
  double sum = 0;
  for (size_t i = from; i < to; ++i) sum += double(x[i]) * x[i];
  return 10 * std::log10(sum / double(to - from) + 1e-30);
}

// Frequency from the rising zero crossings, interpolated to the sub-sample.
double frequency(const std::vector<float>& x, size_t from, size_t to) {
  double first = -1, last = -1;
  int crossings = 0;
  for (size_t i = from + 1; i < to; ++i)
    if (x[i - 1] < 0 && x[i] >= 0) {
      const double t = double(i - 1) + double(-x[i - 1]) / double(x[i] - x[i - 1]);
      if (first < 0) first = t;
      last = t;
      ++crossings;
    }
  return crossings > 1 ? kRate * (crossings - 1) / (last - first) : 0;
}

class PluginHost : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    juce::String error;
    instance_ = load(GetParam(), error);
    ASSERT_NE(instance_, nullptr) << error;
    instance_->prepareToPlay(kRate, kBlock);
  }
  void TearDown() override {
    if (instance_) instance_->releaseResources();
  }
  std::unique_ptr<juce::AudioPluginInstance> instance_;
};

TEST_P(PluginHost, EveryTableRowIsAHostParameterWithItsId) {
  const auto byRow = parametersById(*instance_, GetParam());
  EXPECT_EQ(int(byRow.size()), midistems::synth::kNumParams);
  EXPECT_LE(instance_->getParameters().size(), midistems::synth::kNumParams + 2);  // + bypass, program
  EXPECT_TRUE(instance_->acceptsMidi());
  for (const auto& [row, parameter] : byRow) {
    const auto& info = midistems::synth::paramInfo(row);
    EXPECT_EQ(parameter->getName(200), juce::String(info.name)) << info.id;
    EXPECT_TRUE(parameter->getText(parameter->getValue(), 100).isNotEmpty()) << info.id;
    if (info.stepped()) continue;
    for (const float n : {0.0f, 0.25f, 1.0f}) {
      parameter->setValueNotifyingHost(n);
      EXPECT_NEAR(parameter->getValue(), n, 1e-4f) << info.id;
    }
  }
}

TEST_P(PluginHost, PlaysTheRightPitchAndLevelAndFollowsParametersById) {
  auto byRow = parametersById(*instance_, GetParam());
  ASSERT_EQ(int(byRow.size()), midistems::synth::kNumParams);
  // A plain sine through an open filter, held: the same patch on the engine run directly.
  midistems::synth::Patch patch;
  patch[Param::Osc1Wave] = 0;  // sine
  patch[Param::Osc1Level] = 0.8f;
  patch[Param::FilterCutoff] = 20000;
  patch[Param::AmpEnvSustain] = 1;
  for (int i = 0; i < midistems::synth::kNumParams; ++i) setPlain(*byRow[i], Param(i), patch.values[size_t(i)], GetParam());
  play(*instance_, -1, 20);  // the values settle

  const std::vector<float> plugin = play(*instance_, 69, 100);
  midistems::synth::Synth engine;
  engine.prepare(float(kRate));
  engine.setPatch(patch);
  std::vector<float> direct(plugin.size()), right(plugin.size());
  const auto on = midistems::synth::Event::midi(0, 0x90, 69, 100);
  engine.process(direct.data(), right.data(), int(direct.size()), &on, 1);

  const size_t from = size_t(0.3 * kRate), to = plugin.size();
  EXPECT_NEAR(frequency(plugin, from, to), 440.0, 0.05);
  const double level = rmsDb(plugin, from, to);
  EXPECT_GT(level, -30);
  EXPECT_LT(level, 0);
  EXPECT_NEAR(level, rmsDb(direct, from, to), 0.1);

  // Parameters by id: the master gain 12 dB down, osc 1 an octave up.
  setPlain(*byRow[int(Param::MasterGain)], Param::MasterGain, patch[Param::MasterGain] - 12, GetParam());
  setPlain(*byRow[int(Param::Osc1Octave)], Param::Osc1Octave, 1, GetParam());
  std::vector<float> after;
  juce::AudioBuffer<float> buffer(2, kBlock);
  for (int b = 0; b < 60; ++b) {
    juce::MidiBuffer none;
    instance_->processBlock(buffer, none);
    after.insert(after.end(), buffer.getReadPointer(0), buffer.getReadPointer(0) + kBlock);
  }
  const size_t settled = after.size() / 2;
  EXPECT_NEAR(frequency(after, settled, after.size()), 880.0, 0.1);
  EXPECT_NEAR(rmsDb(after, settled, after.size()) - level, -12, 0.5);
}

TEST_P(PluginHost, StateRoundTripsByteForByte) {
  auto byRow = parametersById(*instance_, GetParam());
  ASSERT_EQ(int(byRow.size()), midistems::synth::kNumParams);
  setPlain(*byRow[int(Param::FilterCutoff)], Param::FilterCutoff, 1234.5f, GetParam());
  setPlain(*byRow[int(Param::ReverbOn)], Param::ReverbOn, 1, GetParam());
  play(*instance_, 60, 2);
  juce::MemoryBlock first, second, third;
  instance_->getStateInformation(first);
  ASSERT_GT(first.getSize(), 100u);
  byRow[int(Param::FilterCutoff)]->setValueNotifyingHost(0.1f);
  play(*instance_, 60, 2);
  instance_->setStateInformation(first.getData(), int(first.getSize()));
  play(*instance_, 60, 2);
  instance_->getStateInformation(second);
  // The cutoff moved between the two saves: the same bytes mean the restore brought it back.
  EXPECT_TRUE(first == second) << first.toString() << "\n---\n" << second.toString();
  instance_->setStateInformation(second.getData(), int(second.getSize()));
  instance_->getStateInformation(third);
  EXPECT_TRUE(second == third);
}

INSTANTIATE_TEST_SUITE_P(Formats, PluginHost, ::testing::Values("VST3", "LV2"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
