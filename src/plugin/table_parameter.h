#pragma once
// One host parameter per row of the engine's parameter table (src/synth/params.h): the row's
// stable id, name, range, scale law, unit, steps and choice names, so a row added to the table
// is a host parameter without any code here. The normalised value is the host's; plain() is the
// engine's value in the row's units.
#include <juce_audio_processors/juce_audio_processors.h>

#include <atomic>
#include <memory>
#include <vector>

#include "synth/params.h"

namespace midistems::plugin {

class TableParameter final : public juce::RangedAudioParameter {
 public:
  explicit TableParameter(synth::Param param);

  synth::Param param() const { return param_; }
  const synth::ParamInfo& info() const { return info_; }
  // The engine value (plain units) of the current normalised value.
  float plain() const { return info_.fromNormalized(value_.load(std::memory_order_relaxed)); }
  // The normalised value of a plain one.
  float normalise(float plainValue) const { return info_.toNormalized(plainValue); }

  float getValue() const override { return value_.load(std::memory_order_relaxed); }
  // Lock-free and allocation-free: the audio thread may call it (MIDI learn, programs).
  void setValue(float newValue) override;
  float getDefaultValue() const override;
  int getNumSteps() const override;
  bool isDiscrete() const override;
  bool isBoolean() const override;
  juce::String getText(float normalisedValue, int maximumLength) const override;
  float getValueForText(const juce::String& text) const override;
  juce::StringArray getAllValueStrings() const override;
  const juce::NormalisableRange<float>& getNormalisableRange() const override { return range_; }

  // Plain value <-> text in the row's units (the unit is the label, not part of the text).
  juce::String plainToText(float plainValue) const;
  float textToPlain(const juce::String& text) const;

 private:
  synth::Param param_;
  const synth::ParamInfo& info_;
  juce::NormalisableRange<float> range_;
  std::atomic<float> value_;
};

// Adds every row of the table to `processor` as a host parameter and lists them in table order.
// `grouped`: by section, where rows that share an id prefix ("osc1_", "filter_", "amp_env_", ...)
// form a group and rows whose prefix no other row shares go to "Global".
void addTableParameters(juce::AudioProcessor& processor, bool grouped, std::vector<TableParameter*>& parametersInTableOrder);

}  // namespace midistems::plugin
