// fuzz-libs: midistems_synth
// Any byte string is either a preset or a midistems::Error; nothing else may happen. A preset that
// parses has every parameter finite and inside its range, one-line warnings, and survives a round
// trip through presetToJson unchanged: the same fields (tags, author, instrument, chain slots) and
// the same text when written again.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/error.h"
#include "synth/preset.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace midistems::synth;
  Preset preset;
  try {
    preset = parsePreset(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.json");
  } catch (const midistems::Error&) {
    return 0;
  }
  for (int p = 0; p < kNumParams; ++p) {
    const float value = preset.patch.values[static_cast<size_t>(p)];
    const ParamInfo& info = paramInfo(p);
    if (!std::isfinite(value) || value < info.min || value > info.max) std::abort();
  }
  for (const auto& warning : preset.warnings)
    if (warning.find('\n') != std::string::npos) std::abort();
  const std::string text = presetToJson(preset);
  const Preset again = parsePreset(text, "fuzz round trip");
  if (again.name != preset.name || again.category != preset.category || again.tags != preset.tags ||
      again.author != preset.author || again.drumKit != preset.drumKit || !again.warnings.empty())
    std::abort();
  if (presetToJson(again) != text) std::abort();
  for (int p = 0; p < kNumParams; ++p)
    if (again.patch.values[static_cast<size_t>(p)] != preset.patch.values[static_cast<size_t>(p)]) std::abort();
  return 0;
}
