#pragma once
// Which section and group of the editor each host parameter belongs to, decided from its id alone
// (the ids of src/synth/params.h), so that a parameter added to the engine's table gets a control
// without a change here: osc1_ -> "Osc 1" in Oscillators, lfo3_ -> "LFO 3" in LFOs, mod12_ -> row 12
// of the modulation matrix, macro5 -> the macros, any prefix with an `_on`, `_bypass` or `_mix`
// parameter (or a known effect name) -> its own effect, and whatever is left -> Voice.
#include <juce_audio_processors/juce_audio_processors.h>

#include <vector>

namespace midistems::plugin::gui {

enum class SectionKind { Oscillators, Filter, Voice, Envelopes, Lfos, Modulation, Effects };
inline constexpr int kNumSectionKinds = 7;

enum class ControlKind { Knob, Choice, Toggle };

enum class GroupStyle {
  Knobs,      // a flow of knobs, combo boxes and buttons
  Envelope,   // the envelope's shape above its knobs
  Filter,     // the filter's response above its knobs
  MatrixRow,  // one modulation slot: source, destination, amount on one line
  Effect,     // knobs, with the effect's on/bypass switch in the group's title bar
};

struct ParamRef {
  juce::String id;
  juce::String label;  // short: the id's last part ("cutoff", "pulse width"); the tooltip has the name
  juce::RangedAudioParameter* param = nullptr;
  ControlKind kind = ControlKind::Knob;
};

struct ParamGroup {
  juce::String key;    // the id prefix ("osc1", "amp_env", "mod3", "macros", "reverb")
  juce::String title;  // shown over the group ("Osc 1", "Amp env", "3", "Macros", "Reverb")
  GroupStyle style = GroupStyle::Knobs;
  std::vector<ParamRef> params;
};

struct Section {
  SectionKind kind;
  juce::String id;     // component id of the section panel: "oscillators", "filter", ...
  juce::String title;  // "OSCILLATORS", ...
  std::vector<ParamGroup> groups;
};

// Every section kind once, in SectionKind order (a section may have no groups), holding every
// parameter of `params` that has an id exactly once.
std::vector<Section> groupParameters(const juce::Array<juce::AudioProcessorParameter*>& params);

ControlKind controlKindOf(const juce::RangedAudioParameter& param);
const char* sectionId(SectionKind kind);

}  // namespace midistems::plugin::gui
