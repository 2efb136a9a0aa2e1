#pragma once
// The instrument plugin: the engine (synth::Synth) behind JUCE's AudioProcessor, and the
// EditorModel its editor talks to. Real-time rules of processBlock: no allocation, lock, logging
// or I/O; host parameters reach the engine as Event::parameter at the start of each block (the
// engine smooths them), MIDI as events on their own sample, the host tempo as Event::tempo.
// Presets and saved state are parsed on the calling (non-audio) thread and handed over with
// Synth::submitPatch; the host parameters are the one copy of the patch everyone reads.
#include <juce_audio_processors/juce_audio_processors.h>

#include <array>
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "plugin/editor_model.h"
#include "plugin/table_parameter.h"
#include "synth/lock_free.h"
#include "synth/synth.h"

namespace midistems::plugin {

class Processor final : public juce::AudioProcessor,
                        public EditorModel,
                        private juce::MidiKeyboardState::Listener,
                        private juce::Timer {
 public:
  Processor();
  ~Processor() override;

  // juce::AudioProcessor
  const juce::String getName() const override;
  void prepareToPlay(double sampleRate, int maximumBlockSize) override;
  void releaseResources() override {}
  bool isBusesLayoutSupported(const BusesLayout& layouts) const override;
  void processBlock(juce::AudioBuffer<float>& buffer, juce::MidiBuffer& midi) override;
  using juce::AudioProcessor::processBlock;
  bool acceptsMidi() const override { return true; }
  bool producesMidi() const override { return false; }
  bool isMidiEffect() const override { return false; }
  double getTailLengthSeconds() const override { return 0; }
  bool hasEditor() const override { return true; }
  juce::AudioProcessorEditor* createEditor() override;
  // Programs are the factory presets.
  int getNumPrograms() override;
  int getCurrentProgram() override;
  // Any thread (a VST3 host's program parameter arrives on the audio thread): the presets are
  // parsed in the constructor, so this only sets parameter values. Ignored while a restored
  // state has not been played yet, so a host's program change right after a restore keeps it.
  void setCurrentProgram(int index) override;
  const juce::String getProgramName(int index) override;
  void changeProgramName(int, const juce::String&) override {}
  // The state is the preset JSON of src/synth/preset.h (plus the MIDI-learn bindings);
  // restoring it and saving again gives the same bytes.
  void getStateInformation(juce::MemoryBlock& destination) override;
  void setStateInformation(const void* data, int sizeInBytes) override;

  // EditorModel
  juce::AudioProcessor& processor() override { return *this; }
  juce::RangedAudioParameter* parameter(const juce::String& id) override;
  juce::MidiKeyboardState& keyboardState() override { return keyboardState_; }
  float takeOutputPeak(int channel) override;
  std::vector<PresetEntry> presets() override;
  juce::String currentPresetName() override;
  bool loadPreset(const juce::String& name, juce::String& error) override;
  void beginMidiLearn(const juce::String& id) override;
  void cancelMidiLearn() override;
  juce::String midiLearnTarget() override;
  int midiLearnCc(const juce::String& id) override;
  void clearMidiLearn(const juce::String& id) override;
  int xrunCount() override;

  // What the last setStateInformation could not load (one line each); empty when all of it.
  juce::StringArray stateProblems() const { return stateProblems_; }
  // The standalone app's device xrun counter (src/plugin/standalone_app.cpp).
  void setXrunSource(std::function<int()> source) { xrunSource_ = std::move(source); }

 private:
  // A factory program: its patch and what the state and the browser show of it.
  struct FactoryPreset {
    juce::String name, category;
    synth::Patch patch;
    std::vector<std::string> tags;
    std::string author;
  };
  static constexpr int kMaxEvents = 1024;
  static constexpr int kNoParam = -1;

  // Sets every host parameter to `patch` (lock-free; any thread) and remembers the exact plain
  // values, so that saving gives back what was loaded, digit for digit.
  void applyPatch(const synth::Patch& patch);
  float plainValue(int index) const;
  synth::Patch currentPatch() const;
  // The CC binding of the audio thread: returns true when the message was a learned CC.
  bool handleLearnedCc(int cc, int value);
  void addEvent(const synth::Event& event, float* left, float* right, int frames);
  void flushEvents(int upTo, float* left, float* right, int frames);
  int findParameter(const juce::String& id) const;
  void handleNoteOn(juce::MidiKeyboardState*, int channel, int note, float velocity) override;
  void handleNoteOff(juce::MidiKeyboardState*, int channel, int note, float velocity) override;
  void timerCallback() override;

  synth::Synth synth_;
  std::vector<TableParameter*> parameters_;  // table order
  std::vector<FactoryPreset> factory_;

  // Audio thread only.
  std::array<float, synth::kNumParams> lastHostValue_{};
  std::array<synth::Event, kMaxEvents> events_{};
  int numEvents_ = 0, chunkStart_ = 0;
  double lastTempo_ = 0;

  // The exact plain value behind a normalised value that applyPatch set.
  std::array<std::atomic<float>, synth::kNumParams> exactNormalised_{};
  std::array<std::atomic<float>, synth::kNumParams> exactPlain_{};
  // Parameters changed off the message thread, announced to the host by the timer.
  std::array<std::atomic<bool>, synth::kNumParams> announce_{};
  std::atomic<bool> announcePrograms_{false};

  std::atomic<int> currentProgram_{0};
  std::atomic<bool> customName_{false};  // the patch came from a state or file, named below
  juce::String stateName_, stateCategory_;
  std::vector<std::string> stateTags_;
  std::string stateAuthor_;
  std::atomic<bool> restoredNotPlayed_{false};
  juce::StringArray stateProblems_;

  std::array<std::atomic<int>, 128> ccParameter_{};  // parameter index per CC, or kNoParam
  std::atomic<int> learnTarget_{kNoParam};

  juce::MidiKeyboardState keyboardState_;
  synth::SpscQueue<uint32_t, 512> keyboardEvents_;  // status | data1 << 8 | data2 << 16
  std::array<std::atomic<float>, 2> peak_{};
  std::function<int()> xrunSource_;
};

}  // namespace midistems::plugin
