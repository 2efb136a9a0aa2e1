#include "plugin/table_parameter.h"

#include <cmath>
#include <map>

namespace midistems::plugin {
namespace {

using synth::ParamScale;

juce::NormalisableRange<float> rangeOf(const synth::ParamInfo& info) {
  if (info.stepped()) return {info.min, info.max, 1.0f};
  // The table's own scale laws, so a host slider moves exactly as the engine maps values.
  return {info.min, info.max,
          [&info](float, float, float n) { return info.fromNormalized(n); },
          [&info](float, float, float v) { return info.toNormalized(v); },
          [&info](float, float, float v) { return info.clamp(v); }};
}

// The section a parameter id belongs to: its first word, or its first two when the second is
// "env" (amp_env_attack -> amp_env).
juce::String sectionKey(const juce::String& id) {
  juce::StringArray words;
  words.addTokens(id, "_", "");
  if (words.size() >= 3 && words[1] == "env") return words[0] + "_env";
  return words[0];
}

juce::String sectionName(const juce::String& key) {
  static const std::map<juce::String, juce::String> kNames = {
      {"osc1", "Oscillator 1"}, {"osc2", "Oscillator 2"}, {"sub", "Sub oscillator"},
      {"noise", "Noise"}, {"unison", "Unison"}, {"filter", "Filter"},
      {"amp_env", "Amp envelope"}, {"filter_env", "Filter envelope"}, {"mod_env", "Mod envelope"},
      {"chorus", "Chorus"}, {"delay", "Delay"}, {"reverb", "Reverb"}};
  if (const auto it = kNames.find(key); it != kNames.end()) return it->second;
  // lfo1 -> LFO 1, mod3 -> Mod slot 3, macro2 -> Macro 2, anything else capitalised.
  const juce::String digits = key.retainCharacters("0123456789");
  const juce::String word = key.trimCharactersAtEnd("0123456789");
  juce::String name = word == "lfo" ? "LFO" : word == "mod" ? "Mod slot" : word.substring(0, 1).toUpperCase() + word.substring(1);
  name = name.replaceCharacter('_', ' ');
  return digits.isEmpty() ? name : name + " " + digits;
}

}  // namespace

TableParameter::TableParameter(synth::Param param)
    : juce::RangedAudioParameter(juce::ParameterID(synth::paramInfo(param).id, synth::paramInfo(param).versionAdded),
                                 synth::paramInfo(param).name,
                                 juce::AudioProcessorParameterWithIDAttributes().withLabel(synth::paramInfo(param).unit)),
      param_(param),
      info_(synth::paramInfo(param)),
      range_(rangeOf(info_)),
      value_(info_.toNormalized(info_.defaultValue)) {}

void TableParameter::setValue(float newValue) {
  value_.store(std::isfinite(newValue) ? juce::jlimit(0.0f, 1.0f, newValue) : getDefaultValue(), std::memory_order_relaxed);
}

float TableParameter::getDefaultValue() const { return info_.toNormalized(info_.defaultValue); }

int TableParameter::getNumSteps() const {
  return info_.stepped() ? int(info_.max - info_.min) + 1 : juce::AudioProcessor::getDefaultNumParameterSteps();
}

bool TableParameter::isDiscrete() const { return info_.stepped(); }
bool TableParameter::isBoolean() const { return info_.scale == ParamScale::Toggle; }

juce::String TableParameter::plainToText(float v) const {
  v = info_.clamp(v);
  switch (info_.scale) {
    case ParamScale::Choice: return info_.choices[int(v - info_.min + 0.5f)];
    case ParamScale::Toggle: return v >= 0.5f ? "on" : "off";
    case ParamScale::Integer: return juce::String(int(std::lround(v)));
    default: break;
  }
  // Four significant digits (at most three decimals): 8000, 440.0, 0.300, -6.00.
  const float magnitude = std::abs(v);
  const int decimals = magnitude >= 1000 ? 0 : magnitude >= 100 ? 1 : magnitude >= 10 ? 2 : 3;
  juce::String text(v, decimals);
  return text == "-" + juce::String(0.0f, decimals) ? juce::String(0.0f, decimals) : text;
}

float TableParameter::textToPlain(const juce::String& text) const {
  juce::String t = text.trim();
  const juce::String unit(info_.unit);
  if (unit.isNotEmpty() && t.endsWithIgnoreCase(unit)) t = t.dropLastCharacters(unit.length()).trim();
  if (info_.scale == ParamScale::Choice) {
    for (int i = 0; i <= int(info_.max - info_.min); ++i)
      if (t.equalsIgnoreCase(info_.choices[i])) return info_.min + float(i);
  }
  if (info_.scale == ParamScale::Toggle) {
    if (t.equalsIgnoreCase("on") || t.equalsIgnoreCase("true")) return 1;
    if (t.equalsIgnoreCase("off") || t.equalsIgnoreCase("false")) return 0;
  }
  if (t.isEmpty() || !t.containsAnyOf("0123456789")) return info_.clamp(plain());
  return info_.clamp(t.getFloatValue());
}

juce::String TableParameter::getText(float normalisedValue, int maximumLength) const {
  const juce::String text = plainToText(info_.fromNormalized(normalisedValue));
  return maximumLength > 0 ? text.substring(0, maximumLength) : text;
}

float TableParameter::getValueForText(const juce::String& text) const {
  return info_.toNormalized(textToPlain(text));
}

juce::StringArray TableParameter::getAllValueStrings() const {
  juce::StringArray strings;
  if (info_.scale == ParamScale::Choice)
    for (int i = 0; i <= int(info_.max - info_.min); ++i) strings.add(info_.choices[i]);
  return strings;
}

void addTableParameters(juce::AudioProcessor& processor, bool grouped, std::vector<TableParameter*>& parameters) {
  std::map<juce::String, int> count;
  for (int i = 0; i < synth::kNumParams; ++i) ++count[sectionKey(synth::paramInfo(i).id)];
  std::vector<juce::String> order;  // groups in the order of their first row
  std::map<juce::String, std::vector<std::unique_ptr<TableParameter>>> members;
  parameters.clear();
  for (int i = 0; i < synth::kNumParams; ++i) {
    const juce::String key = sectionKey(synth::paramInfo(i).id);
    const juce::String group = count[key] > 1 ? key : juce::String("global");
    if (members.find(group) == members.end()) order.push_back(group);
    auto parameter = std::make_unique<TableParameter>(static_cast<synth::Param>(i));
    parameters.push_back(parameter.get());
    if (grouped)
      members[group].push_back(std::move(parameter));
    else
      processor.addParameter(parameter.release());
  }
  if (!grouped) return;
  for (const auto& key : order) {
    auto group = std::make_unique<juce::AudioProcessorParameterGroup>("section_" + key, key == "global" ? "Global" : sectionName(key), "|");
    for (auto& parameter : members[key]) group->addChild(std::move(parameter));
    processor.addParameterGroup(std::move(group));
  }
}

}  // namespace midistems::plugin
