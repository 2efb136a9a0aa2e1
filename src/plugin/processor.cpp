#include "plugin/processor.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "synth/preset.h"

namespace midistems::plugin {
namespace {

// A host's saved state is untrusted input; a full preset is about 4 KB.
constexpr int kMaxStateBytes = 1 << 20;

juce::String oneLine(const std::string& text) {
  return juce::String(text).replaceCharacters("\r\n", "  ");
}

}  // namespace

Processor::Processor()
    : juce::AudioProcessor(BusesProperties().withOutput("Output", juce::AudioChannelSet::stereo(), true)) {
  // LV2 has port groups but no parameter groups (JUCE 7 writes pg:group on parameters anyway,
  // which the LV2 validators reject), so the LV2 build lists its parameters ungrouped.
  addTableParameters(*this, wrapperType != wrapperType_LV2, parameters_);
  for (int i = 0; i < synth::kNumParams; ++i) {
    exactNormalised_[size_t(i)] = -1;
    lastHostValue_[size_t(i)] = parameters_[size_t(i)]->getValue();
  }
  for (auto& cc : ccParameter_) cc = kNoParam;
  // The programs are the factory bank's synth presets (the drum kit is another instrument).
  for (const auto& name : synth::factoryPresetNames()) {
    const synth::Preset preset = synth::factoryPreset(name);
    if (preset.drumKit) continue;
    factory_.push_back({juce::String(preset.name.empty() ? name : preset.name), juce::String(preset.category),
                        preset.patch, preset.tags, preset.author});
  }
  if (!factory_.empty()) applyPatch(factory_.front().patch);
  keyboardState_.addListener(this);
  startTimerHz(30);
}

Processor::~Processor() {
  stopTimer();
  keyboardState_.removeListener(this);
}

const juce::String Processor::getName() const { return JucePlugin_Name; }

bool Processor::isBusesLayoutSupported(const BusesLayout& layouts) const {
  return layouts.getMainInputChannelSet().isDisabled() &&
         layouts.getMainOutputChannelSet() == juce::AudioChannelSet::stereo();
}

void Processor::prepareToPlay(double sampleRate, int) {
  synth_.prepare(float(sampleRate));
  synth_.setPatch(currentPatch());
  for (int i = 0; i < synth::kNumParams; ++i) lastHostValue_[size_t(i)] = parameters_[size_t(i)]->getValue();
  lastTempo_ = 0;
}

float Processor::plainValue(int index) const {
  const TableParameter& p = *parameters_[size_t(index)];
  const float normalised = p.getValue();
  return normalised == exactNormalised_[size_t(index)].load(std::memory_order_acquire)
             ? exactPlain_[size_t(index)].load(std::memory_order_relaxed)
             : p.plain();
}

synth::Patch Processor::currentPatch() const {
  synth::Patch patch;
  for (int i = 0; i < synth::kNumParams; ++i) patch.values[size_t(i)] = plainValue(i);
  return patch;
}

void Processor::applyPatch(const synth::Patch& patch) {
  for (int i = 0; i < synth::kNumParams; ++i) {
    TableParameter& p = *parameters_[size_t(i)];
    const float plain = p.info().clamp(patch.values[size_t(i)]);
    exactNormalised_[size_t(i)].store(-1, std::memory_order_relaxed);
    exactPlain_[size_t(i)].store(plain, std::memory_order_relaxed);
    p.setValue(p.normalise(plain));
    exactNormalised_[size_t(i)].store(p.getValue(), std::memory_order_release);
    announce_[size_t(i)].store(true, std::memory_order_relaxed);
  }
}

// ---- audio thread -------------------------------------------------------------------------------

void Processor::flushEvents(int upTo, float* left, float* right, int frames) {
  // Events on one sample beyond the array's size: render one sample to apply them.
  if (upTo <= chunkStart_) upTo = std::min(chunkStart_ + 1, frames);
  if (upTo > chunkStart_) synth_.process(left + chunkStart_, right + chunkStart_, upTo - chunkStart_, events_.data(), numEvents_);
  chunkStart_ = upTo;
  numEvents_ = 0;
}

void Processor::addEvent(const synth::Event& event, float* left, float* right, int frames) {
  if (numEvents_ == kMaxEvents) flushEvents(int(event.frame), left, right, frames);
  if (chunkStart_ >= frames) return;
  synth::Event e = event;
  e.frame = uint32_t(std::max(0, int(e.frame) - chunkStart_));
  events_[size_t(numEvents_++)] = e;
}

bool Processor::handleLearnedCc(int cc, int value) {
  int target = learnTarget_.load(std::memory_order_relaxed);
  if (target != kNoParam && learnTarget_.compare_exchange_strong(target, kNoParam)) {
    for (auto& binding : ccParameter_) {
      int bound = target;
      binding.compare_exchange_strong(bound, kNoParam);
    }
    ccParameter_[size_t(cc)].store(target);
  }
  const int index = ccParameter_[size_t(cc)].load(std::memory_order_relaxed);
  if (index == kNoParam) return false;
  TableParameter& p = *parameters_[size_t(index)];
  p.setValue(float(value) / 127.0f);
  lastHostValue_[size_t(index)] = p.getValue();
  announce_[size_t(index)].store(true, std::memory_order_relaxed);
  return true;
}

void Processor::processBlock(juce::AudioBuffer<float>& buffer, juce::MidiBuffer& midi) {
  juce::ScopedNoDenormals noDenormals;
  const int frames = buffer.getNumSamples();
  for (int c = 2; c < buffer.getNumChannels(); ++c) buffer.clear(c, 0, frames);
  if (buffer.getNumChannels() < 2 || frames <= 0) {
    buffer.clear();
    return;
  }
  float* left = buffer.getWritePointer(0);
  float* right = buffer.getWritePointer(1);
  numEvents_ = 0;
  chunkStart_ = 0;
  restoredNotPlayed_.store(false, std::memory_order_relaxed);

  // Host parameters that moved since the last block (automation, the editor, presets).
  for (int i = 0; i < synth::kNumParams; ++i) {
    const float value = parameters_[size_t(i)]->getValue();
    if (value == lastHostValue_[size_t(i)]) continue;
    lastHostValue_[size_t(i)] = value;
    addEvent(synth::Event::parameter(0, static_cast<synth::Param>(i), plainValue(i)), left, right, frames);
  }
  if (auto* playHead = getPlayHead())
    if (const auto position = playHead->getPosition())
      if (const auto bpm = position->getBpm(); bpm && *bpm != lastTempo_) {
        lastTempo_ = *bpm;
        addEvent(synth::Event::tempo(0, float(*bpm)), left, right, frames);
      }
  // Notes from the on-screen keyboard, then the host's MIDI on its own samples.
  uint32_t packed = 0;
  while (keyboardEvents_.pop(packed))
    addEvent(synth::Event::midi(0, uint8_t(packed), uint8_t(packed >> 8), uint8_t(packed >> 16)), left, right, frames);
  for (const auto metadata : midi) {
    if (metadata.numBytes < 1 || metadata.numBytes > 3) continue;  // SysEx and the like
    const uint8_t* bytes = metadata.data;
    const uint8_t status = bytes[0];
    if (status < 0x80 || status >= 0xF0) continue;
    const uint8_t data1 = metadata.numBytes > 1 ? bytes[1] : 0, data2 = metadata.numBytes > 2 ? bytes[2] : 0;
    const uint32_t frame = uint32_t(std::clamp(metadata.samplePosition, 0, frames - 1));
    if ((status & 0xF0) == 0xB0 && handleLearnedCc(data1 & 0x7F, data2 & 0x7F)) {
      const int index = ccParameter_[size_t(data1 & 0x7F)].load(std::memory_order_relaxed);
      addEvent(synth::Event::parameter(frame, static_cast<synth::Param>(index), plainValue(index)), left, right, frames);
      continue;
    }
    addEvent(synth::Event::midi(frame, status, data1, data2), left, right, frames);
  }
  if (chunkStart_ < frames) {
    synth_.process(left + chunkStart_, right + chunkStart_, frames - chunkStart_, events_.data(), numEvents_);
    numEvents_ = 0;
  }

  for (int c = 0; c < 2; ++c) {
    const float blockPeak = buffer.getMagnitude(c, 0, frames);
    float previous = peak_[size_t(c)].load(std::memory_order_relaxed);
    while (blockPeak > previous && !peak_[size_t(c)].compare_exchange_weak(previous, blockPeak)) {
    }
  }
}

// ---- message thread -----------------------------------------------------------------------------

juce::AudioProcessorEditor* Processor::createEditor() {
#if MIDISTEMS_PLUGIN_GUI
  return midistems::plugin::createEditor(*this);
#else
  return new juce::GenericAudioProcessorEditor(*this);
#endif
}

int Processor::getNumPrograms() { return std::max<int>(1, int(factory_.size())); }
int Processor::getCurrentProgram() { return currentProgram_.load(); }

const juce::String Processor::getProgramName(int index) {
  return index >= 0 && index < int(factory_.size()) ? factory_[size_t(index)].name : juce::String();
}

void Processor::setCurrentProgram(int index) {
  if (index < 0 || index >= int(factory_.size())) return;
  if (restoredNotPlayed_.load() || (index == currentProgram_.load() && !customName_.load())) return;
  currentProgram_.store(index);
  customName_.store(false);
  applyPatch(factory_[size_t(index)].patch);
  announcePrograms_.store(true);
}

void Processor::getStateInformation(juce::MemoryBlock& destination) {
  synth::Preset preset;
  if (customName_.load()) {
    preset.name = stateName_.toStdString();
    preset.category = stateCategory_.toStdString();
    preset.tags = stateTags_;
    preset.author = stateAuthor_;
  } else if (!factory_.empty()) {
    const FactoryPreset& program = factory_[size_t(currentProgram_.load())];
    preset.name = program.name.toStdString();
    preset.category = program.category.toStdString();
    preset.tags = program.tags;
    preset.author = program.author;
  }
  preset.patch = currentPatch();
  auto document = nlohmann::json::parse(synth::presetToJson(preset));
  nlohmann::json learned = nlohmann::json::object();
  for (int cc = 0; cc < 128; ++cc)
    if (const int index = ccParameter_[size_t(cc)].load(); index != kNoParam)
      learned[synth::paramInfo(index).id] = cc;
  if (!learned.empty()) document["midi_learn"] = learned;
  const std::string text = document.dump(2) + "\n";
  destination.replaceAll(text.data(), text.size());
}

void Processor::setStateInformation(const void* data, int sizeInBytes) {
  stateProblems_.clear();
  if (data == nullptr || sizeInBytes <= 0 || sizeInBytes > kMaxStateBytes) {
    stateProblems_.add("plugin state: " + juce::String(sizeInBytes) + " bytes is not a preset (at most " +
                       juce::String(kMaxStateBytes) + ")");
    return;
  }
  const std::string text(static_cast<const char*>(data), size_t(sizeInBytes));
  std::vector<std::string> problems;
  synth::Preset preset;
  try {
    preset = synth::parsePresetLeniently(text, "plugin state", problems);
  } catch (const Error& e) {
    stateProblems_.add(oneLine(e.what()));
    return;
  }
  for (const auto& problem : problems) stateProblems_.add(oneLine(problem));

  // MIDI-learn bindings: {"parameter id": cc}; anything else is reported and skipped.
  std::array<int, 128> bindings;
  bindings.fill(kNoParam);
  const auto document = nlohmann::json::parse(text, nullptr, false);
  if (document.is_object() && document.contains("midi_learn")) {
    const auto& learned = document["midi_learn"];
    if (!learned.is_object()) {
      stateProblems_.add("plugin state: \"midi_learn\" must be an object");
    } else {
      for (const auto& [id, cc] : learned.items()) {
        const auto p = synth::findParam(id);
        if (!p || !cc.is_number_integer() || cc.get<int64_t>() < 0 || cc.get<int64_t>() > 127)
          stateProblems_.add(oneLine("plugin state: MIDI learn binding \"" + id + "\": " + cc.dump() + " skipped"));
        else
          bindings[size_t(cc.get<int64_t>())] = int(*p);
      }
    }
  }
  for (int cc = 0; cc < 128; ++cc) ccParameter_[size_t(cc)].store(bindings[size_t(cc)]);

  stateName_ = juce::String(preset.name);
  stateCategory_ = juce::String(preset.category);
  stateTags_ = preset.tags;
  stateAuthor_ = preset.author;
  int program = -1;
  for (size_t i = 0; i < factory_.size(); ++i)
    if (factory_[i].name == stateName_) program = int(i);
  customName_.store(program < 0);
  if (program >= 0) currentProgram_.store(program);
  restoredNotPlayed_.store(true);
  applyPatch(preset.patch);
  synth_.submitPatch(preset.patch);
  announcePrograms_.store(true);
}

int Processor::findParameter(const juce::String& id) const {
  const auto p = synth::findParam(id.toStdString());
  return p ? int(*p) : kNoParam;
}

juce::RangedAudioParameter* Processor::parameter(const juce::String& id) {
  const int index = findParameter(id);
  return index == kNoParam ? nullptr : parameters_[size_t(index)];
}

float Processor::takeOutputPeak(int channel) {
  if (channel < 0 || channel > 1) return 0;
  return peak_[size_t(channel)].exchange(0);
}

std::vector<PresetEntry> Processor::presets() {
  std::vector<PresetEntry> entries;
  for (const auto& preset : factory_) {
    PresetEntry entry;
    entry.name = preset.name;
    entry.category = preset.category;
    for (const auto& tag : preset.tags) entry.tags.add(juce::String(tag));
    entries.push_back(entry);
  }
  return entries;
}

juce::String Processor::currentPresetName() {
  if (customName_.load()) return stateName_;
  return factory_.empty() ? juce::String() : factory_[size_t(currentProgram_.load())].name;
}

bool Processor::loadPreset(const juce::String& name, juce::String& error) {
  for (size_t i = 0; i < factory_.size(); ++i)
    if (factory_[i].name == name) {
      currentProgram_.store(int(i));
      customName_.store(false);
      applyPatch(factory_[i].patch);
      synth_.submitPatch(factory_[i].patch);
      announcePrograms_.store(true);
      return true;
    }
  error = name + ": no such preset";
  return false;
}

void Processor::beginMidiLearn(const juce::String& id) { learnTarget_.store(findParameter(id)); }
void Processor::cancelMidiLearn() { learnTarget_.store(kNoParam); }

juce::String Processor::midiLearnTarget() {
  const int index = learnTarget_.load();
  return index == kNoParam ? juce::String() : juce::String(synth::paramInfo(index).id);
}

int Processor::midiLearnCc(const juce::String& id) {
  const int index = findParameter(id);
  if (index == kNoParam) return -1;
  for (int cc = 0; cc < 128; ++cc)
    if (ccParameter_[size_t(cc)].load() == index) return cc;
  return -1;
}

void Processor::clearMidiLearn(const juce::String& id) {
  const int index = findParameter(id);
  if (index == kNoParam) return;
  for (auto& binding : ccParameter_) {
    int bound = index;
    binding.compare_exchange_strong(bound, kNoParam);
  }
}

int Processor::xrunCount() {
  return wrapperType == wrapperType_Standalone && xrunSource_ ? xrunSource_() : -1;
}

void Processor::handleNoteOn(juce::MidiKeyboardState*, int channel, int note, float velocity) {
  const int v = std::clamp(int(std::lround(velocity * 127.0f)), 1, 127);
  keyboardEvents_.push(uint32_t(0x90 | ((channel - 1) & 0x0F)) | uint32_t(note & 0x7F) << 8 | uint32_t(v) << 16);
}

void Processor::handleNoteOff(juce::MidiKeyboardState*, int channel, int note, float) {
  keyboardEvents_.push(uint32_t(0x80 | ((channel - 1) & 0x0F)) | uint32_t(note & 0x7F) << 8);
}

void Processor::timerCallback() {
  for (int i = 0; i < synth::kNumParams; ++i)
    if (announce_[size_t(i)].exchange(false, std::memory_order_relaxed))
      parameters_[size_t(i)]->sendValueChangedMessageToListeners(parameters_[size_t(i)]->getValue());
  if (announcePrograms_.exchange(false))
    updateHostDisplay(ChangeDetails().withProgramChanged(true));
}

}  // namespace midistems::plugin

juce::AudioProcessor* JUCE_CALLTYPE createPluginFilter() { return new midistems::plugin::Processor(); }
