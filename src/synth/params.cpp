// The parameter table itself (see params.h).
#include "synth/params.h"

#include <algorithm>
#include <cmath>

namespace midistems::synth {
namespace {

constexpr ParamInfo kTable[] = {
#define MIDISTEMS_PARAM_ROW(e, id, name, mn, mx, def, unit, scale, skew, choices, version) \
  ParamInfo{id, name, float(mn), float(mx), float(def), unit, ParamScale::scale, float(skew), choices, version},
    MIDISTEMS_SYNTH_PARAMS(MIDISTEMS_PARAM_ROW)
#undef MIDISTEMS_PARAM_ROW
};
static_assert(sizeof(kTable) / sizeof(kTable[0]) == kNumParams);

}  // namespace

float ParamInfo::clamp(float value) const {
  if (!std::isfinite(value)) value = defaultValue;
  value = std::clamp(value, min, max);
  return stepped() ? std::round(value) : value;
}

float ParamInfo::toNormalized(float value) const {
  value = clamp(value);
  const float span = max - min;
  switch (scale) {
    case ParamScale::Exponential: return std::log(value / min) / std::log(max / min);
    case ParamScale::Power: return std::pow((value - min) / span, 1.0f / skew);
    default: return (value - min) / span;
  }
}

float ParamInfo::fromNormalized(float normalized) const {
  const float n = std::clamp(normalized, 0.0f, 1.0f);
  switch (scale) {
    case ParamScale::Exponential: return clamp(min * std::pow(max / min, n));
    case ParamScale::Power: return clamp(min + (max - min) * std::pow(n, skew));
    default: return clamp(min + (max - min) * n);
  }
}

const ParamInfo& paramInfo(Param p) { return kTable[static_cast<int>(p)]; }

std::optional<Param> findParam(std::string_view id) {
  for (int i = 0; i < kNumParams; ++i)
    if (id == kTable[i].id) return static_cast<Param>(i);
  return std::nullopt;
}

std::optional<int> findChoice(Param p, std::string_view name) {
  const ParamInfo& info = paramInfo(p);
  if (info.scale != ParamScale::Choice) return std::nullopt;
  for (int i = 0; i <= int(info.max); ++i)
    if (name == info.choices[i]) return i;
  return std::nullopt;
}

Patch::Patch() {
  for (int i = 0; i < kNumParams; ++i) values[size_t(i)] = kTable[i].defaultValue;
}

}  // namespace midistems::synth
