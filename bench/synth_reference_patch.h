#pragma once
// The synth benchmarks' reference patch: two saws, a resonant ladder low-pass with its envelope,
// the amp envelope held; 128 voices of polyphony, quiet enough that 128 voices never clip.
#include "synth/params.h"

namespace midistems::bench {

inline synth::Patch referenceSynthPatch() {
  using synth::Param;
  synth::Patch p;
  p[Param::Osc1Wave] = float(synth::Wave::Saw);
  p[Param::Osc2Wave] = float(synth::Wave::Saw);
  p[Param::Osc1Level] = 0.6f;
  p[Param::Osc2Level] = 0.6f;
  p[Param::Osc2Fine] = 7;
  p[Param::FilterTypeParam] = float(synth::FilterType::Ladder24);
  p[Param::FilterCutoff] = 1200;
  p[Param::FilterResonance] = 0.4f;
  p[Param::FilterEnvAmount] = 24;
  p[Param::FilterEnvSustain] = 0.5f;
  p[Param::AmpEnvSustain] = 1.0f;
  p[Param::Polyphony] = 128;
  p[Param::MasterGain] = -40;
  return p;
}

}  // namespace midistems::bench
