#pragma once
// Presets: versioned JSON patches. Parsing happens off the audio thread (here); the result is a
// Patch that Synth::submitPatch hands to the audio thread.
//
//   { "format": 2, "name": "Saw Bass", "category": "bass", "tags": ["analog", "mono"],
//     "author": "Midistems", "instrument": "synth", "chain": ["distortion", "delay", "reverb"],
//     "params": { "osc1_wave": "saw", "filter_cutoff": 320, "amp_env_release": 0.12 } }
//
// Parameters not named keep their defaults; choices may be given by name or index, toggles as
// true/false. "chain" names the effects in the order they run (the fx_slot parameters; slots past
// its end are empty; without it the default order). "instrument" is "synth" or "drum_kit" (the
// General MIDI drum kit, which has no parameters). Unknown parameter ids and unknown effect names
// are reported in `warnings` and ignored, so a preset from a newer version still loads; values
// out of range, wrong types and newer formats are errors naming the file. Older formats are
// migrated one version at a time. Factory presets are the files in presets/, compiled into the
// library, found by file name.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "synth/params.h"

namespace midistems::synth {

constexpr int kPresetFormat = 2;

struct Preset {
  std::string name;
  std::string category;
  std::vector<std::string> tags;
  std::string author;
  bool drumKit = false;  // "instrument": "drum_kit": played by DrumKit, `patch` unused
  Patch patch;
  std::vector<std::string> warnings;  // one line each: what was ignored while reading
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
// Writes every parameter (choices by name, the chain slots as "chain") in the current format;
// parsing the result and writing it again gives the same text. savePreset writes atomically.
std::string presetToJson(const Preset& preset);
void savePreset(const std::filesystem::path& path, const Preset& preset);

std::vector<std::string> factoryPresetNames();
Preset factoryPreset(std::string_view name);  // throws Error listing the names

// The factory preset that suits a General MIDI program (0..127), one entry per program: pianos
// to keys, basses to basses, string ensembles to strings and so on. The drum channel's preset
// is kDrumKitPreset.
inline constexpr const char* kDrumKitPreset = "drum_kit";
std::string factoryPresetForProgram(int program);

// Generated at build time from presets/*.json.
struct FactoryPresetSource {
  const char* name;
  const char* json;
};
extern const FactoryPresetSource kFactoryPresetSources[];
extern const int kNumFactoryPresets;

}  // namespace midistems::synth
