#pragma once
// An EditorModel for the editor's tests: a processor whose host parameters are the engine's table
// (src/synth/params.h), optionally with rows a longer table would add (more LFOs, slots, macros
// and effects than the engine has), and a record of what the editor asked of it.
#include <juce_audio_processors/juce_audio_processors.h>

#include <array>
#include <map>
#include <utility>
#include <vector>

#include "plugin/editor_model.h"
#include "synth/params.h"

namespace midistems::plugin::testing {

class TableProcessor : public juce::AudioProcessor {
 public:
  explicit TableProcessor(bool extended) {
    using synth::ParamScale;
    for (int i = 0; i < synth::kNumParams; ++i) {
      const auto& info = synth::paramInfo(i);
      if (info.scale == ParamScale::Toggle) {
        addBool(info.id, info.name, info.defaultValue > 0.5f);
      } else if (info.scale == ParamScale::Choice) {
        juce::StringArray names;
        for (int c = 0; c <= int(info.max); ++c) names.add(info.choices[c]);
        addParameter(new juce::AudioParameterChoice({info.id, 1}, info.name, names, int(info.defaultValue)));
      } else {
        addFloat(info.id, info.name, info.min, info.max, info.defaultValue, info.unit,
                 info.stepped() ? 1.0f : 0.0f, info.scale == ParamScale::Power ? 1.0f / info.skew : 1.0f);
      }
    }
    if (extended) addLongerTable();
  }

  void addFloat(const juce::String& id, const juce::String& name, float min, float max, float def,
                const juce::String& unit, float interval = 0.0f, float skew = 1.0f) {
    juce::NormalisableRange<float> range(min, max, interval, skew);
    addParameter(new juce::AudioParameterFloat(
        {id, 1}, name, range, def,
        juce::AudioParameterFloatAttributes().withLabel(unit).withStringFromValueFunction(
            [interval](float v, int) { return interval > 0 ? juce::String(juce::roundToInt(v)) : juce::String(v, 2); })));
  }
  void addBool(const juce::String& id, const juce::String& name, bool def) {
    addParameter(new juce::AudioParameterBool({id, 1}, name, def));
  }
  void addChoice(const juce::String& id, const juce::String& name, const juce::StringArray& names) {
    addParameter(new juce::AudioParameterChoice({id, 1}, name, names, 0));
  }

  // Rows a future table might add, none of them known to the editor's code by name: a fifth voice
  // LFO and a third global one, slots 33-40, macros 9-12 and two new effects.
  void addLongerTable() {
    for (const auto& [lfo, title] : std::vector<std::pair<juce::String, juce::String>>{
             {"lfo5", "LFO 5"}, {"global_lfo3", "Global LFO 3"}}) {
      const juce::String id(lfo), name(title);
      addChoice(id + "_wave", name + " waveform", {"sine", "triangle", "saw"});
      addFloat(id + "_rate", name + " rate", 0.01f, 50, 5, "Hz");
      addChoice(id + "_sync", name + " tempo sync", {"off", "1/1", "1/2", "1/4", "1/8", "1/16"});
      addFloat(id + "_phase", name + " phase", 0, 360, 0, "deg");
      addBool(id + "_unipolar", name + " unipolar", false);
    }
    for (int m = 33; m <= 40; ++m) {
      const auto id = "mod" + juce::String(m);
      addChoice(id + "_source", "Mod slot " + juce::String(m) + " source", {"none", "lfo1", "macro1"});
      addChoice(id + "_dest", "Mod slot " + juce::String(m) + " destination", {"none", "cutoff", "pitch"});
      addFloat(id + "_amount", "Mod slot " + juce::String(m) + " amount", -1, 1, 0, "");
    }
    for (int m = 9; m <= 12; ++m) addFloat("macro" + juce::String(m), "Macro " + juce::String(m), 0, 1, 0, "");
    for (const auto& [fx, name] : std::vector<std::pair<juce::String, juce::String>>{
             {"bitcrusher", "Bitcrusher"}, {"tremolo", "Tremolo"}}) {
      addBool(fx + "_on", name + " on", false);
      addFloat(fx + "_amount", name + " amount", 0, 1, 0.5f, "");
      addFloat(fx + "_mix", name + " mix", 0, 1, 0.5f, "");
    }
  }

  const juce::String getName() const override { return "table"; }
  void prepareToPlay(double, int) override {}
  void releaseResources() override {}
  using juce::AudioProcessor::processBlock;
  void processBlock(juce::AudioBuffer<float>&, juce::MidiBuffer&) override {}
  double getTailLengthSeconds() const override { return 0; }
  bool acceptsMidi() const override { return true; }
  bool producesMidi() const override { return false; }
  juce::AudioProcessorEditor* createEditor() override { return nullptr; }
  bool hasEditor() const override { return true; }
  int getNumPrograms() override { return 1; }
  int getCurrentProgram() override { return 0; }
  void setCurrentProgram(int) override {}
  const juce::String getProgramName(int) override { return {}; }
  void changeProgramName(int, const juce::String&) override {}
  void getStateInformation(juce::MemoryBlock&) override {}
  void setStateInformation(const void*, int) override {}
};

class RecordingModel : public EditorModel {
 public:
  explicit RecordingModel(bool extended = false) : processor_(extended) {
    presets_ = {{"Warm Bass", "bass", {"analog", "mono"}, true},
                {"Acid Line", "bass", {"303", "squelch"}, true},
                {"Glass Keys", "keys", {"bell", "fm"}, true},
                {"Soft Pad", "pad", {"warm", "slow"}, true},
                {"Broken", "user", {}, false}};
  }

  juce::AudioProcessor& processor() override { return processor_; }
  juce::RangedAudioParameter* parameter(const juce::String& id) override {
    for (auto* p : processor_.getParameters())
      if (auto* r = dynamic_cast<juce::RangedAudioParameter*>(p); r != nullptr && r->paramID == id) return r;
    return nullptr;
  }
  juce::MidiKeyboardState& keyboardState() override { return keyboard_; }
  float takeOutputPeak(int channel) override { return peaks[size_t(channel & 1)]; }
  std::vector<PresetEntry> presets() override { return presets_; }
  juce::String currentPresetName() override { return current_; }
  bool loadPreset(const juce::String& name, juce::String& error) override {
    loadCalls.add(name);
    if (name == "Broken") {
      error = "Broken: filter_cutoff is not a number\nsecond line";
      return false;
    }
    current_ = name;
    return true;
  }
  void beginMidiLearn(const juce::String& id) override { learning_ = id; }
  void cancelMidiLearn() override { learning_.clear(); }
  juce::String midiLearnTarget() override { return learning_; }
  int midiLearnCc(const juce::String& id) override {
    auto it = ccs.find(id);
    return it == ccs.end() ? -1 : it->second;
  }
  void clearMidiLearn(const juce::String& id) override { ccs.erase(id); }
  int xrunCount() override { return xruns; }

  // The processor's side of MIDI learn: a CC arrived while learning.
  void receiveCc(int cc) {
    if (learning_.isNotEmpty()) ccs[learning_] = cc;
    learning_.clear();
  }

  std::array<float, 2> peaks{0.0f, 0.0f};
  int xruns = -1;
  std::map<juce::String, int> ccs;
  juce::StringArray loadCalls;

 private:
  TableProcessor processor_;
  juce::MidiKeyboardState keyboard_;
  std::vector<PresetEntry> presets_;
  juce::String current_ = "Warm Bass";
  juce::String learning_;
};

}  // namespace midistems::plugin::testing
