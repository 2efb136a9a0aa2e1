#pragma once
// What the instrument's editor may ask of the plugin, and nothing more. Message thread only.
#include <juce_audio_processors/juce_audio_processors.h>
#include <string>
#include <vector>

namespace midistems::plugin {

struct PresetEntry {
  juce::String name;      // unique; what loadPreset takes
  juce::String category;  // "bass", "lead", "pad", "keys", ... ("user" for presets from files)
  juce::StringArray tags;
  bool factory = true;
};

class EditorModel {
 public:
  virtual ~EditorModel() = default;
  virtual juce::AudioProcessor& processor() = 0;
  // The host parameter of the engine table's stable id (e.g. "filter_cutoff"), or nullptr.
  // Parameter ids are exactly the ids of src/synth/params.h; the editor discovers sections by
  // id prefix (osc1_, osc2_, sub_, noise_, unison_, filter_, amp_env_, filter_env_, mod_env_,
  // lfoN_, modN_, macroN, chorus_, delay_, reverb_, and any effect prefix added later) and by
  // iterating processor().getParameters(), never by a hard-coded count.
  virtual juce::RangedAudioParameter* parameter(const juce::String& id) = 0;
  // Notes played on it reach the engine like MIDI input (the processor merges them).
  virtual juce::MidiKeyboardState& keyboardState() = 0;
  // Absolute output peak (linear) per channel (0 left, 1 right) since the previous call.
  virtual float takeOutputPeak(int channel) = 0;
  virtual std::vector<PresetEntry> presets() = 0;
  virtual juce::String currentPresetName() = 0;
  // Loads a preset by name: parsed here (never on the audio thread), swapped in lock-free.
  // Returns false and sets `error` (one line) on failure.
  virtual bool loadPreset(const juce::String& name, juce::String& error) = 0;
  // MIDI learn: the next MIDI CC the processor receives is bound to parameter `id`.
  virtual void beginMidiLearn(const juce::String& id) = 0;
  virtual void cancelMidiLearn() = 0;
  virtual juce::String midiLearnTarget() = 0;           // empty when not learning
  virtual int midiLearnCc(const juce::String& id) = 0;  // bound CC number, or -1
  virtual void clearMidiLearn(const juce::String& id) = 0;
  // Standalone app only: audio device xruns counted so far; -1 inside a host.
  virtual int xrunCount() = 0;
};

// src/plugin/gui: the instrument's editor (the caller owns it, as JUCE's createEditor does).
juce::AudioProcessorEditor* createEditor(EditorModel& model);

}  // namespace midistems::plugin
