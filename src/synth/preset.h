#pragma once
// Presets: versioned JSON patches. Parsing happens off the audio thread (here); the result is a
// Patch that Synth::submitPatch hands to the audio thread.
//
//   { "format": 1, "name": "Saw Bass", "category": "bass",
//     "params": { "osc1_wave": "saw", "filter_cutoff": 320, "amp_env_release": 0.12 } }
//
// Parameters not named keep their defaults; choices may be given by name or index, toggles as
// true/false. Unknown ids, values out of range and newer formats are errors naming the file.
// Factory presets are the files in presets/, compiled into the library, found by file name.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "synth/params.h"

namespace midistems::synth {

constexpr int kPresetFormat = 1;

struct Preset {
  std::string name;
  std::string category;
  Patch patch;
};

// `source` (a file name or "factory preset X") is used in error messages.
Preset parsePreset(std::string_view json, const std::string& source);
// The same, but a problem that leaves the rest readable (an unknown parameter, a value out of
// range, a wrong type, a missing or newer format) is added to `problems` and skipped instead of
// thrown: what a plugin does with a saved state. Text that is not a JSON object still throws.
Preset parsePresetLeniently(std::string_view json, const std::string& source, std::vector<std::string>& problems);
Preset loadPresetFile(const std::filesystem::path& path);
// A .json path or an existing file is read; anything else is looked up among factory presets.
Preset loadPreset(const std::string& nameOrPath);
// Writes every parameter, choices by name, atomically.
std::string presetToJson(const Preset& preset);
void savePreset(const std::filesystem::path& path, const Preset& preset);

std::vector<std::string> factoryPresetNames();
Preset factoryPreset(std::string_view name);  // throws Error listing the names

// The factory preset that suits a General MIDI program (0..127): basses for 32-39, keys for
// pianos, pads for strings and synth pads, and so on.
std::string factoryPresetForProgram(int program);

// Generated at build time from presets/*.json.
struct FactoryPresetSource {
  const char* name;
  const char* json;
};
extern const FactoryPresetSource kFactoryPresetSources[];
extern const int kNumFactoryPresets;

}  // namespace midistems::synth
