// `midistems presets list [--category C] | show NAME | export NAME -o FILE`: the synthesizer's
// factory presets (or a preset file) from the command line. NAME is a factory preset or a .json
// file; what a file's reader ignored (unknown parameters or effects) is printed as warnings.
#include <fmt/format.h>

#include <filesystem>
#include <iterator>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cli/command_registry.h"
#include "core/error.h"
#include "synth/preset.h"

namespace {

namespace fs = std::filesystem;
using midistems::Error;
using namespace midistems::synth;

struct PresetsOptions {
  std::string category;
  std::string name;
  std::string output;
};

std::string joined(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

Preset loadReporting(const std::string& name) {
  Preset preset = loadPreset(name);
  for (const auto& warning : preset.warnings) fmt::print(stderr, "warning: {}\n", warning);
  return preset;
}

void listPresets(const PresetsOptions& o) {
  std::set<std::string> categories;
  std::vector<std::pair<std::string, Preset>> shown;
  for (const auto& name : factoryPresetNames()) {
    Preset preset = factoryPreset(name);
    categories.insert(preset.category);
    if (o.category.empty() || preset.category == o.category) shown.emplace_back(name, std::move(preset));
  }
  if (shown.empty())
    throw Error(fmt::format("presets list: no category \"{}\" (categories: {})", o.category,
                            joined(std::vector<std::string>(categories.begin(), categories.end()), ", ")));
  for (const auto& [name, preset] : shown)
    fmt::print("{:<18} {:<8} {:<20} {}\n", name, preset.category, preset.name, joined(preset.tags, ", "));
}

std::string valueText(const ParamInfo& info, float value) {
  if (info.scale == ParamScale::Choice) return info.choices[int(value + 0.5f)];
  if (info.scale == ParamScale::Toggle) return value >= 0.5f ? "on" : "off";
  return fmt::format("{:g}{}{}", value, *info.unit ? " " : "", info.unit);
}

void showPreset(const PresetsOptions& o) {
  const Preset preset = loadReporting(o.name);
  fmt::print("name:       {}\ncategory:   {}\ntags:       {}\nauthor:     {}\n", preset.name, preset.category,
             joined(preset.tags, ", "), preset.author);
  if (preset.drumKit) {
    fmt::print("instrument: General MIDI drum kit (no parameters)\n");
    return;
  }
  std::vector<std::string> chain;
  for (int slot = 0; slot < kNumEffectSlots; ++slot) {
    const int kind = preset.patch.choice(effectSlotParam(slot));
    static constexpr Param kOn[] = {Param::Count,     Param::DistortionOn, Param::ChorusOn, Param::FlangerOn, Param::PhaserOn,
                                    Param::DelayOn,   Param::ReverbOn,     Param::EqOn,     Param::CompOn};
    static_assert(std::size(kOn) == size_t(EffectKind::Count));
    if (kind != int(EffectKind::None))
      chain.push_back(std::string(kEffectNames[kind]) + (preset.patch.choice(kOn[kind]) ? "" : " (off)"));
  }
  fmt::print("chain:      {}\nparameters that differ from their defaults:\n", joined(chain, " -> "));
  const Patch defaults;
  for (int i = 0; i < kNumParams; ++i) {
    if (i >= int(Param::FxSlot1) && i < int(Param::FxSlot1) + kNumEffectSlots) continue;
    const ParamInfo& info = paramInfo(i);
    if (preset.patch.values[size_t(i)] == defaults.values[size_t(i)]) continue;
    fmt::print("  {:<22} {:<14} ({})\n", info.id, valueText(info, preset.patch.values[size_t(i)]), info.name);
  }
}

void exportPreset(const PresetsOptions& o) {
  if (o.output.empty()) throw Error("presets export: -o/--output is required");
  const fs::path out(o.output);
  if (!out.parent_path().empty() && !fs::is_directory(out.parent_path()))
    throw Error(fmt::format("{}: the output folder does not exist", o.output));
  savePreset(out, loadReporting(o.name));
}

midistems::cli::CommandRegistration reg{45, [](CLI::App& app) {
  auto* sub = app.add_subcommand("presets", "List, show and export the synthesizer's presets");
  sub->require_subcommand(1);
  auto o = std::make_shared<PresetsOptions>();
  auto* list = sub->add_subcommand("list", "List the factory presets: name, category, display name, tags");
  list->add_option("--category", o->category, "Only this category (bass, lead, pad, keys, ...)");
  list->callback([o] { listPresets(*o); });
  auto* show = sub->add_subcommand("show", "Show a preset: its details, effect chain and non-default parameters");
  show->add_option("name", o->name, "Factory preset name or preset .json file")->required();
  show->callback([o] { showPreset(*o); });
  auto* exp = sub->add_subcommand("export", "Write a preset as a .json file in the current format");
  exp->add_option("name", o->name, "Factory preset name or preset .json file")->required();
  exp->add_option("-o,--output", o->output, "Output .json file, written atomically");
  exp->callback([o] { exportPreset(*o); });
}};

}  // namespace
