#pragma once
// Predominant pitch of one spectrum frame by harmonic summation (Klapuri, ISMIR 2006: the
// salience of a candidate f0 is a weighted sum of the spectral peaks at its multiples), and the
// comb of bins that the partials of that pitch occupy. Internal to the DSP separator, which uses
// it to follow the lead line (vocals) and the bass line through their harmonics.
#include <vector>

namespace midistems::separate::dsp {

struct PitchEstimate {
  float f0Bin = 0;        // fundamental in (fractional) bins; 0 when nothing was found
  float salience = 0;     // harmonic sum at f0
};

class HarmonicComb {
 public:
  // bins: spectrum size; binHz: bin spacing; [minHz, maxHz]: f0 search range; partials up to
  // maxPartialHz are summed and masked.
  HarmonicComb(int bins, double binHz, double minHz, double maxHz, double maxPartialHz);

  // magnitude: one frame's magnitudes (bins values).
  PitchEstimate track(const float* magnitude) const;
  // Adds, for every bin, how close it lies to a partial of f0 (1 on the partial, falling to 0
  // a few bins away; wider for high partials so vibrato stays inside) into `weights` (max-ed).
  void weights(const PitchEstimate& pitch, float* weightsOut) const;

 private:
  int bins_;
  double binHz_;
  double maxPartialHz_;
  std::vector<float> candidates_;  // f0 candidates in bins, quarter-semitone steps
};

}  // namespace midistems::separate::dsp
