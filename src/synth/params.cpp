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

const ModSlotParams& modSlotParams(int slot) {
  static const auto table = [] {
    std::array<ModSlotParams, kNumModSlots> t{};
    for (int i = 0; i < kNumModSlots; ++i) {
      const auto at = [](Param base, int offset) { return static_cast<Param>(int(base) + offset); };
      if (i < 8)
        t[size_t(i)] = {at(Param::Mod1Source, 3 * i), at(Param::Mod1Dest, 3 * i), at(Param::Mod1Amount, 3 * i),
                        at(Param::Mod1Curve, i)};
      else
        t[size_t(i)] = {at(Param::Mod9Source, 4 * (i - 8)), at(Param::Mod9Dest, 4 * (i - 8)),
                        at(Param::Mod9Amount, 4 * (i - 8)), at(Param::Mod9Curve, 4 * (i - 8))};
    }
    return t;
  }();
  return table[size_t(std::clamp(slot, 0, kNumModSlots - 1))];
}

const LfoParams& lfoParams(int lfo) {
#define MIDISTEMS_LFO_ROW(L) \
  LfoParams{Param::L##Wave, Param::L##Rate, Param::L##KeySync, Param::L##Sync, Param::L##Phase, Param::L##Fade, Param::L##Unipolar}
  static const LfoParams table[kNumLfos] = {MIDISTEMS_LFO_ROW(Lfo1), MIDISTEMS_LFO_ROW(Lfo2), MIDISTEMS_LFO_ROW(Lfo3),
                                            MIDISTEMS_LFO_ROW(Lfo4), MIDISTEMS_LFO_ROW(GlobalLfo1),
                                            MIDISTEMS_LFO_ROW(GlobalLfo2)};
#undef MIDISTEMS_LFO_ROW
  return table[std::clamp(lfo, 0, kNumLfos - 1)];
}

std::optional<Param> modDestParam(int dest) {
  // Resolved once (by name) into a table; Synth's constructor makes the first call, off the audio thread.
  static const auto table = [] {
    std::array<int, size_t(kNumModDests)> t{};
    for (int d = 0; d < kNumModDests; ++d) {
      std::optional<Param> p;
      if (d == int(ModDest::Cutoff)) p = Param::FilterCutoff;
      else if (d == int(ModDest::Resonance)) p = Param::FilterResonance;
      else if (d > 0) p = findParam(kModDestChoices[size_t(d)]);  // osc1_level, ..., pan, every generic one
      t[size_t(d)] = p ? int(*p) : -1;
    }
    return t;
  }();
  if (dest <= 0 || dest >= kNumModDests || table[size_t(dest)] < 0) return std::nullopt;
  return static_cast<Param>(table[size_t(dest)]);
}

int modDestOf(Param p) {
  for (int d = 1; d < kNumModDests; ++d)
    if (modDestParam(d) == p) return d;
  return -1;
}

Patch::Patch() {
  for (int i = 0; i < kNumParams; ++i) values[size_t(i)] = kTable[i].defaultValue;
}

}  // namespace midistems::synth
