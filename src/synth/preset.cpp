#include "synth/preset.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "synth/effects.h"

namespace midistems::synth {
namespace {

using nlohmann::json;

// A preset file is untrusted input; the factory presets are under 1 KB.
constexpr size_t kMaxPresetBytes = size_t(1) << 20;

// One function per format step, so a preset written in any older format is brought forward one
// version at a time (the Surge-style revision log rather than scattered version comparisons).
//
// 1 -> 2: format 1's "reverb_size" set the decay (RT60 0.3 + 7.7 size^2 seconds) in a fixed room,
// the one format 2 calls size 0.5; format 2 has the decay as its own parameter. Effects format 1
// lacked are off by default, and its fixed chorus -> delay -> reverb order is the default chain.
void migrateFrom1(json& document) {
  const auto params = document.find("params");
  if (params == document.end() || !params->is_object()) return;  // reported by the reader
  float size = 0.5f;
  const auto old = params->find("reverb_size");
  if (old != params->end()) {
    if (!old->is_number() || !(old->get<double>() >= 0 && old->get<double>() <= 1)) return;  // reported
    size = float(old->get<double>());
  }
  (*params)["reverb_decay"] = FdnReverb::formatOneDecaySeconds(size);
  (*params)["reverb_size"] = 0.5f;
}

void migratePreset(json& document, int fromFormat, const std::string& source) {
  switch (fromFormat) {
    case 1: migrateFrom1(document); break;
    default:
      throw Error(source + ": no migration from preset format " + std::to_string(fromFormat));
  }
}

float parseValue(Param p, const json& value, const std::string& source) {
  const ParamInfo& info = paramInfo(p);
  const std::string where = source + ": parameter \"" + info.id + "\"";
  float number = 0;
  if (value.is_string()) {
    const auto index = findChoice(p, value.get<std::string>());
    if (!index) throw Error(where + ": unknown choice \"" + value.get<std::string>() + "\"");
    number = float(*index);
  } else if (value.is_boolean()) {
    if (info.scale != ParamScale::Toggle) throw Error(where + ": expects a number, not true/false");
    number = value.get<bool>() ? 1.0f : 0.0f;
  } else if (value.is_number()) {
    // Compared as a double: a value beyond float's range must not become infinity first.
    const double x = value.get<double>();
    if (!(x >= info.min && x <= info.max))
      throw Error(where + ": value " + value.dump() + " is outside " + std::to_string(info.min) + " .. " +
                  std::to_string(info.max));
    if (info.stepped() && x != std::round(x)) throw Error(where + ": expects a whole number, not " + value.dump());
    number = float(x);
  } else {
    throw Error(where + ": expects a number");
  }
  return number;
}

}  // namespace

namespace {

// A problem in a preset: a strict parse throws it; a lenient one (a plugin's saved state) notes it
// and goes on with the rest.
struct Problems {
  std::vector<std::string>* list = nullptr;  // nullptr: strict
  void operator()(const std::string& message) const {
    if (!list) throw Error(message);
    list->push_back(message);
  }
};

Preset parseDocument(std::string_view text, const std::string& source, const Problems& problem) {
  json document;
  try {
    document = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number like 1e999
    throw Error(source + ": not valid JSON (" + std::string(e.what()) + ")");
  }
  if (!document.is_object()) throw Error(source + ": a preset must be a JSON object");
  int format = kPresetFormat;
  if (!document.contains("format") || !document["format"].is_number_integer()) {
    problem(source + ": missing integer \"format\" (this version writes format " + std::to_string(kPresetFormat) + ")");
  } else {
    // Compared whole: 2^32 + 1 is not format 1.
    const json& formatValue = document["format"];
    if (formatValue.is_number_unsigned() ? formatValue.get<uint64_t>() > uint64_t(kPresetFormat)
                                         : formatValue.get<int64_t>() > kPresetFormat)
      problem(source + ": preset format " + formatValue.dump() + " is newer than this version reads (" +
              std::to_string(kPresetFormat) + ")");
    else if (formatValue.get<int64_t>() < 1)
      problem(source + ": invalid preset format " + formatValue.dump());
    else
      format = int(formatValue.get<int64_t>());
  }
  for (; format < kPresetFormat; ++format) migratePreset(document, format, source);

  Preset preset;
  // Unknown ids and effects are ignored with a warning; a lenient parse also lists them with its
  // problems.
  const auto warn = [&](const std::string& message) {
    preset.warnings.push_back(message);
    if (problem.list) problem.list->push_back(message);
  };
  const auto textField = [&](const char* key, std::string& out) {
    const auto it = document.find(key);
    if (it == document.end()) return;
    if (it->is_string())
      out = it->get<std::string>();
    else
      problem(source + ": \"" + key + "\" must be a string, not " + it->dump());
  };
  textField("name", preset.name);
  textField("category", preset.category);
  textField("author", preset.author);
  if (const auto tags = document.find("tags"); tags != document.end()) {
    if (!tags->is_array()) {
      problem(source + ": \"tags\" must be a list of strings, not " + tags->dump());
    } else {
      for (const json& tag : *tags) {
        if (tag.is_string())
          preset.tags.push_back(tag.get<std::string>());
        else
          problem(source + ": \"tags\" must be a list of strings, not " + tags->dump());
      }
    }
  }
  std::string instrument;
  textField("instrument", instrument);
  if (instrument == "drum_kit")
    preset.drumKit = true;
  else if (!instrument.empty() && instrument != "synth")
    problem(source + ": \"instrument\" must be \"synth\" or \"drum_kit\", not \"" + instrument + "\"");
  if (document.contains("params")) {
    const json& params = document["params"];
    if (!params.is_object()) {
      problem(source + ": \"params\" must be an object");
      return preset;
    }
    for (const auto& [id, value] : params.items()) {
      const auto p = findParam(id);
      if (!p) {
        warn(source + ": unknown parameter \"" + id + "\" ignored");
        continue;
      }
      try {
        preset.patch[*p] = parseValue(*p, value, source);
      } catch (const Error& e) {
        problem(e.what());
      }
    }
  }
  if (const auto chain = document.find("chain"); chain != document.end()) {
    if (!chain->is_array()) {
      problem(source + ": \"chain\" must be a list of effect names, not " + chain->dump());
    } else if (chain->size() > size_t(kNumEffectSlots)) {
      problem(source + ": \"chain\" has " + std::to_string(chain->size()) + " effects, at most " +
              std::to_string(kNumEffectSlots) + " fit");
    } else {
      int slot = 0;
      for (const json& entry : *chain) {
        if (!entry.is_string()) {
          problem(source + ": \"chain\" must be a list of effect names, not " + chain->dump());
          continue;
        }
        const auto kind = findChoice(Param::FxSlot1, entry.get<std::string>());
        if (!kind) {
          warn(source + ": unknown effect \"" + entry.get<std::string>() + "\" in \"chain\" ignored");
          continue;
        }
        preset.patch[effectSlotParam(slot++)] = float(*kind);
      }
      for (; slot < kNumEffectSlots; ++slot) preset.patch[effectSlotParam(slot)] = float(EffectKind::None);
    }
  }
  return preset;
}

}  // namespace

Preset parsePreset(std::string_view text, const std::string& source) { return parseDocument(text, source, Problems{}); }

Preset parsePresetLeniently(std::string_view text, const std::string& source, std::vector<std::string>& problems) {
  return parseDocument(text, source, Problems{&problems});
}

Preset loadPresetFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string() + ": cannot open preset file");
  std::string text(kMaxPresetBytes + 1, '\0');
  in.read(text.data(), std::streamsize(text.size()));
  text.resize(size_t(in.gcount()));
  if (text.size() > kMaxPresetBytes)
    throw Error(path.string() + ": preset file is larger than " + std::to_string(kMaxPresetBytes >> 20) + " MiB");
  Preset preset = parsePreset(text, path.string());
  if (preset.name.empty()) preset.name = path.stem().string();
  return preset;
}

Preset loadPreset(const std::string& nameOrPath) {
  const std::filesystem::path path(nameOrPath);
  if (path.extension() == ".json" || std::filesystem::is_regular_file(path)) return loadPresetFile(path);
  return factoryPreset(nameOrPath);
}

std::string presetToJson(const Preset& preset) {
  json params = json::object();
  for (int i = 0; i < kNumParams; ++i) {
    const ParamInfo& info = paramInfo(i);
    if (i >= int(Param::FxSlot1) && i < int(Param::FxSlot1) + kNumEffectSlots) continue;  // "chain"
    const float v = preset.patch.values[size_t(i)];
    if (info.scale == ParamScale::Choice)
      params[info.id] = info.choices[int(v + 0.5f)];
    else if (info.scale == ParamScale::Toggle)
      params[info.id] = v >= 0.5f;
    else
      params[info.id] = v;
  }
  int used = kNumEffectSlots;  // the slots up to the last one in use
  while (used > 0 && preset.patch.choice(effectSlotParam(used - 1)) == int(EffectKind::None)) --used;
  json chain = json::array();
  for (int slot = 0; slot < used; ++slot) chain.push_back(kEffectNames[preset.patch.choice(effectSlotParam(slot))]);
  json document = {{"format", kPresetFormat},
                   {"name", preset.name},
                   {"category", preset.category},
                   {"tags", preset.tags},
                   {"author", preset.author},
                   {"instrument", preset.drumKit ? "drum_kit" : "synth"},
                   {"chain", chain},
                   {"params", params}};
  return document.dump(2) + "\n";
}

void savePreset(const std::filesystem::path& path, const Preset& preset) {
  const std::string text = presetToJson(preset);
  writeFileAtomically(path, text.data(), text.size());
}

std::vector<std::string> factoryPresetNames() {
  std::vector<std::string> names;
  for (int i = 0; i < kNumFactoryPresets; ++i) names.emplace_back(kFactoryPresetSources[i].name);
  return names;
}

Preset factoryPreset(std::string_view name) {
  for (int i = 0; i < kNumFactoryPresets; ++i)
    if (name == kFactoryPresetSources[i].name) {
      Preset preset = parsePreset(kFactoryPresetSources[i].json, "factory preset " + std::string(name));
      if (preset.name.empty()) preset.name = std::string(name);
      return preset;
    }
  std::string list;
  for (const auto& n : factoryPresetNames()) list += (list.empty() ? "" : ", ") + n;
  throw Error(std::string(name) + ": no such preset file or factory preset (factory presets: " + list + ")");
}

std::string factoryPresetForProgram(int program) {
  // One preset per program of the General MIDI 1 sound set, in families of eight. Finger and
  // pick bass (33, 34) and voice oohs (53) keep the presets they had before the bank grew: the
  // demo song's bass and lead use them, and the pipeline's transcription floors were measured on
  // those sounds (with finger_bass and choir_pad there, the demo's bass onset F1 fell from 0.41
  // to 0 and the lead's held pitch from 0.48 to 0.14).
  static const char* const kPrograms[128] = {
      // 0-7 piano
      "piano", "piano", "piano", "piano", "electric_piano", "electric_piano", "harpsichord", "clavinet",
      // 8-15 chromatic percussion
      "glockenspiel", "glockenspiel", "glockenspiel", "vibraphone", "marimba", "marimba", "tubular_bells", "harp",
      // 16-23 organ
      "organ", "organ", "organ", "organ", "organ", "reed_lead", "reed_lead", "reed_lead",
      // 24-31 guitar
      "nylon_guitar", "pluck", "clean_guitar", "clean_guitar", "pluck", "overdrive_guitar", "distortion_lead", "harp",
      // 32-39 bass
      "finger_bass", "sub_bass", "sub_bass", "sub_bass", "slap_bass", "slap_bass", "acid_bass", "fm_bass",
      // 40-47 strings
      "solo_violin", "solo_violin", "solo_violin", "solo_violin", "strings", "pizzicato", "harp", "sub_bass",
      // 48-55 ensemble
      "strings", "slow_strings", "strings", "slow_strings", "choir_pad", "strings", "choir_pad", "brass_stabs",
      // 56-63 brass
      "trumpet", "french_horn", "french_horn", "trumpet", "french_horn", "brass", "brass", "brass_stabs",
      // 64-71 reed
      "reed_lead", "reed_lead", "reed_lead", "reed_lead", "reed_lead", "reed_lead", "reed_lead", "reed_lead",
      // 72-79 pipe
      "flute", "flute", "flute", "flute", "whistle_lead", "flute", "whistle_lead", "whistle_lead",
      // 80-87 synth lead
      "square_lead", "sync_lead", "flute", "pwm_lead", "distortion_lead", "choir_pad", "supersaw", "reese_bass",
      // 88-95 synth pad
      "glass_pad", "warm_pad", "supersaw", "choir_pad", "slow_strings", "phaser_pad", "glass_pad", "wavetable_pad",
      // 96-103 synth effects
      "atmosphere", "dark_pad", "glockenspiel", "atmosphere", "glass_pad", "dark_pad", "atmosphere", "laser_zap",
      // 104-111 ethnic
      "pluck", "pluck", "pluck", "harp", "marimba", "reed_lead", "solo_violin", "reed_lead",
      // 112-119 percussive
      "glockenspiel", "bell", "marimba", "marimba", "sub_bass", "fm_bass", "fm_bass", "noise_sweep",
      // 120-127 sound effects
      "pluck", "flute", "noise_sweep", "whistle_lead", "square_lead", "noise_sweep", "noise_sweep", "laser_zap",
  };
  return kPrograms[std::clamp(program, 0, 127)];
}

}  // namespace midistems::synth
