// fuzz-libs: midistems_synth
// Any byte string is either a preset or a midistems::Error; nothing else may happen. A preset that
// parses has every parameter finite and inside its range, and survives a round trip through
// presetToJson unchanged.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
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
  const Preset again = parsePreset(presetToJson(preset), "fuzz round trip");
  if (again.name != preset.name || again.category != preset.category) std::abort();
  for (int p = 0; p < kNumParams; ++p)
    if (again.patch.values[static_cast<size_t>(p)] != preset.patch.values[static_cast<size_t>(p)]) std::abort();
  return 0;
}
