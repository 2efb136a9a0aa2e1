#include "plugin/gui/param_groups.h"

#include <algorithm>
#include <optional>

namespace midistems::plugin::gui {
namespace {

// Effect names known today; any other prefix counts as an effect when it has a switch or a mix.
const char* const kKnownEffects[] = {"chorus", "delay",  "reverb", "distortion", "flanger",
                                     "phaser", "eq",     "compressor"};
const char* const kSwitchSuffixes[] = {"on", "enabled", "bypass"};

struct Placement {
  SectionKind section;
  juce::String key;
  juce::String suffix;  // the id after the key and its underscore
  GroupStyle style;
};

juce::String firstToken(const juce::String& id) { return id.upToFirstOccurrenceOf("_", false, false); }

// "osc12_level" -> ("osc", "12"); std::nullopt when the token is not letters followed by digits.
std::optional<std::pair<juce::String, juce::String>> splitIndexed(const juce::String& token) {
  int digits = token.length();
  while (digits > 0 && juce::CharacterFunctions::isDigit(token[digits - 1])) --digits;
  if (digits == token.length() || digits == 0) return std::nullopt;
  return std::make_pair(token.substring(0, digits), token.substring(digits));
}

juce::String humanise(const juce::String& s) {
  auto t = s.replaceCharacter('_', ' ').trim();
  return t.substring(0, 1).toUpperCase() + t.substring(1);
}

std::optional<Placement> placeIndexed(const juce::String& id) {
  // A qualified LFO ("global_lfo2_rate") is a group of its own among the LFOs.
  const auto second = firstToken(id.fromFirstOccurrenceOf("_", false, false));
  if (const auto split = splitIndexed(second); split && split->first.endsWith("lfo") && !splitIndexed(firstToken(id))) {
    const auto key = firstToken(id) + "_" + second;
    return Placement{SectionKind::Lfos, key, id.substring(key.length() + 1), GroupStyle::Knobs};
  }
  const auto token = firstToken(id);
  const auto split = splitIndexed(token);
  if (!split) return std::nullopt;
  const auto& [base, number] = *split;
  const auto rest = id.fromFirstOccurrenceOf("_", false, false);
  if (base == "osc") return Placement{SectionKind::Oscillators, token, rest, GroupStyle::Knobs};
  if (base.endsWith("lfo")) return Placement{SectionKind::Lfos, token, rest, GroupStyle::Knobs};
  if (base == "mod") return Placement{SectionKind::Modulation, token, rest, GroupStyle::MatrixRow};
  if (base == "macro" && !id.containsChar('_'))
    return Placement{SectionKind::Modulation, "macros", id, GroupStyle::Knobs};
  if (base == "filter") return Placement{SectionKind::Filter, token, rest, GroupStyle::Filter};
  return std::nullopt;
}

std::optional<Placement> placeEnvelope(const juce::String& id) {
  const int at = id.indexOf("env_");
  if (at <= 0 || id[at - 1] != '_') return std::nullopt;
  const auto key = id.substring(0, at + 3);
  return Placement{SectionKind::Envelopes, key, id.substring(at + 4), GroupStyle::Envelope};
}

bool isEffectPrefix(const juce::String& token, const juce::StringArray& allIds) {
  for (auto* known : kKnownEffects)
    if (token == known) return true;
  for (auto* s : kSwitchSuffixes)
    if (allIds.contains(token + "_" + s)) return true;
  return allIds.contains(token + "_mix");
}

Placement place(const juce::String& id, const juce::StringArray& allIds) {
  if (auto p = placeEnvelope(id)) return *p;
  if (auto p = placeIndexed(id)) return *p;
  const auto token = firstToken(id);
  const auto rest = id.fromFirstOccurrenceOf("_", false, false);
  if (token == "filter") return {SectionKind::Filter, token, rest, GroupStyle::Filter};
  if (token == "sub" || token == "noise" || token == "unison")
    return {SectionKind::Oscillators, token, rest, GroupStyle::Knobs};
  if (token == "fm" || token == "ring") return {SectionKind::Oscillators, "fm_ring", id, GroupStyle::Knobs};
  // Effect chain settings (an order, a global bypass) head the effects section.
  if (token == "fx" || token == "effect" || token == "effects")
    return {SectionKind::Effects, "fx", rest, GroupStyle::Knobs};
  if (id.contains("_") && isEffectPrefix(token, allIds))
    return {SectionKind::Effects, token, rest, GroupStyle::Effect};
  return {SectionKind::Voice, "voice", id, GroupStyle::Knobs};
}

juce::String groupTitle(const juce::String& key) {
  if (key == "fm_ring") return "FM / ring";
  if (key == "fx") return "Chain";
  if (key == "voice") return "Voice";
  if (key == "macros") return "Macros";
  if (key.endsWith("_env")) return humanise(key.dropLastCharacters(4)) + " env";
  if (key.containsChar('_')) {
    if (auto split = splitIndexed(key.fromLastOccurrenceOf("_", false, false)))
      return humanise(key.upToLastOccurrenceOf("_", false, false)) + " " + split->first.toUpperCase() + " " + split->second;
  }
  if (auto split = splitIndexed(key)) {
    const auto& [base, number] = *split;
    if (base == "mod") return number;
    const auto name = base.endsWith("lfo") ? base.toUpperCase() : humanise(base);
    return name + " " + number;
  }
  if (key == "eq") return "EQ";
  return humanise(key);
}

// The words every parameter name of a group starts with ("Compressor threshold", "Compressor
// ratio" -> "Compressor"), when the group has several parameters and such words.
juce::String commonNamePrefix(const ParamGroup& group) {
  if (group.params.size() < 2) return {};
  juce::StringArray common;
  common.addTokens(group.params.front().param->getName(128), " ", "");
  for (const auto& p : group.params) {
    juce::StringArray words;
    words.addTokens(p.param->getName(128), " ", "");
    int n = 0;
    while (n < common.size() && n < words.size() && common[n] == words[n]) ++n;
    common.removeRange(n, common.size() - n);
  }
  return common.joinIntoString(" ");
}

}  // namespace

const char* sectionId(SectionKind kind) {
  switch (kind) {
    case SectionKind::Oscillators: return "oscillators";
    case SectionKind::Filter: return "filter";
    case SectionKind::Voice: return "voice";
    case SectionKind::Envelopes: return "envelopes";
    case SectionKind::Lfos: return "lfos";
    case SectionKind::Modulation: return "modulation";
    case SectionKind::Effects: return "effects";
  }
  return "";
}

ControlKind controlKindOf(const juce::RangedAudioParameter& param) {
  if (param.isBoolean()) return ControlKind::Toggle;
  if (dynamic_cast<const juce::AudioParameterChoice*>(&param) != nullptr) return ControlKind::Choice;
  // A discrete parameter whose values are names ("sine", "lp24") rather than numbers is a choice.
  if (param.isDiscrete()) {
    const auto values = param.getAllValueStrings();
    if (!values.isEmpty() && juce::CharacterFunctions::isLetter(values[0].trim()[0])) return ControlKind::Choice;
  }
  return ControlKind::Knob;
}

std::vector<Section> groupParameters(const juce::Array<juce::AudioProcessorParameter*>& params) {
  std::vector<Section> sections;
  for (int k = 0; k < kNumSectionKinds; ++k) {
    const auto kind = static_cast<SectionKind>(k);
    sections.push_back({kind, sectionId(kind), juce::String(sectionId(kind)).toUpperCase(), {}});
  }
  sections[size_t(SectionKind::Lfos)].title = "LFOS";

  std::vector<juce::RangedAudioParameter*> ranged;
  juce::StringArray ids;
  for (auto* p : params)
    if (auto* r = dynamic_cast<juce::RangedAudioParameter*>(p); r != nullptr && r->paramID.isNotEmpty()) {
      ranged.push_back(r);
      ids.add(r->paramID);
    }

  for (auto* r : ranged) {
    const auto where = place(r->paramID, ids);
    auto& groups = sections[size_t(where.section)].groups;
    auto it = std::find_if(groups.begin(), groups.end(), [&](const ParamGroup& g) { return g.key == where.key; });
    if (it == groups.end()) {
      groups.push_back({where.key, groupTitle(where.key), where.style, {}});
      it = groups.end() - 1;
    }
    it->params.push_back({r->paramID, where.suffix.replaceCharacter('_', ' '), r, controlKindOf(*r)});
  }
  // Titles from the parameters' own names where they share their first words ("Osc 1",
  // "Compressor"); rows of the matrix keep their number, and the mixed groups their own titles.
  for (auto& section : sections)
    for (auto& g : section.groups) {
      if (g.style == GroupStyle::MatrixRow || g.key == "voice" || g.key == "fx" || g.key == "macros" ||
          g.key == "fm_ring")
        continue;
      if (const auto prefix = commonNamePrefix(g); prefix.isNotEmpty()) g.title = prefix;
    }
  // Oscillators first (by number), then what is mixed in with them, whatever order the host gives.
  auto& osc = sections[size_t(SectionKind::Oscillators)].groups;
  auto oscRank = [](const ParamGroup& g) {
    static const juce::StringArray after{"sub", "noise", "fm_ring", "unison"};
    const int at = after.indexOf(g.key);
    return at < 0 ? 0 : 1 + at;
  };
  std::stable_sort(osc.begin(), osc.end(), [&](const ParamGroup& a, const ParamGroup& b) {
    if (oscRank(a) != oscRank(b)) return oscRank(a) < oscRank(b);
    const auto na = splitIndexed(a.key), nb = splitIndexed(b.key);
    return na && nb && na->second.getIntValue() < nb->second.getIntValue();
  });
  // The macros lead the modulation section, above the matrix rows.
  auto& mod = sections[size_t(SectionKind::Modulation)].groups;
  std::stable_partition(mod.begin(), mod.end(), [](const ParamGroup& g) { return g.key == "macros"; });
  auto& fx = sections[size_t(SectionKind::Effects)].groups;
  std::stable_partition(fx.begin(), fx.end(), [](const ParamGroup& g) { return g.key == "fx"; });
  return sections;
}

}  // namespace midistems::plugin::gui
