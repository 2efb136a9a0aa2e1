#include "synth/preset.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"

namespace midistems::synth {
namespace {

using nlohmann::json;

// A preset file is untrusted input; the factory presets are under 1 KB.
constexpr size_t kMaxPresetBytes = size_t(1) << 20;

// One function per format step, so a preset written in any older format is brought forward one
// version at a time (the Surge-style revision log rather than scattered version comparisons).
// Format 1 is the first; a future format 2 adds `case 1: ...` here.
void migratePreset(json& /*document*/, int fromFormat, const std::string& source) {
  switch (fromFormat) {
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
  if (document.contains("params")) {
    const json& params = document["params"];
    if (!params.is_object()) {
      problem(source + ": \"params\" must be an object");
      return preset;
    }
    for (const auto& [id, value] : params.items()) {
      const auto p = findParam(id);
      if (!p) {
        problem(source + ": unknown parameter \"" + id + "\"");
        continue;
      }
      try {
        preset.patch[*p] = parseValue(*p, value, source);
      } catch (const Error& e) {
        problem(e.what());
      }
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
    const float v = preset.patch.values[size_t(i)];
    if (info.scale == ParamScale::Choice)
      params[info.id] = info.choices[int(v + 0.5f)];
    else if (info.scale == ParamScale::Toggle)
      params[info.id] = v >= 0.5f;
    else
      params[info.id] = v;
  }
  json document = {{"format", kPresetFormat}, {"name", preset.name}, {"category", preset.category},
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
  // General MIDI program families of eight (GM 1 sound set).
  static const char* const kFamilies[16] = {
      "electric_piano",  // 0-7 piano
      "bell",            // 8-15 chromatic percussion
      "organ",           // 16-23 organ
      "pluck",           // 24-31 guitar
      "saw_bass",        // 32-39 bass
      "strings",         // 40-47 strings
      "strings",         // 48-55 ensemble
      "brass",           // 56-63 brass
      "reed_lead",       // 64-71 reed
      "flute",           // 72-79 pipe
      "square_lead",     // 80-87 synth lead
      "warm_pad",        // 88-95 synth pad
      "warm_pad",        // 96-103 synth effects
      "pluck",           // 104-111 ethnic
      "bell",            // 112-119 percussive
      "warm_pad",        // 120-127 sound effects
  };
  if (program >= 33 && program <= 34) return "sub_bass";  // finger/pick bass: rounder
  if (program >= 38 && program <= 39) return "acid_bass";  // synth basses
  if (program == 81) return "sync_lead";                   // lead 2 (sawtooth)
  if (program == 4 || program == 5) return "electric_piano";
  return kFamilies[std::clamp(program, 0, 127) / 8];
}

}  // namespace midistems::synth
