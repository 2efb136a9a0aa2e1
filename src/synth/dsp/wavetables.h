#pragma once
// Wavetables: a sequence of single-cycle frames, each a MipTable, that an oscillator morphs through
// with a position in [0, 1] (linear crossfade between the two adjacent frames).
//
// The built-in tables are generated in code from harmonic recipes (no sample data), built on first
// use (thread-safe static initialisation) and shared read-only for the life of the program.
#include <memory>
#include <string_view>
#include <vector>

#include "synth/dsp/mip_table.h"

namespace midistems::synth::dsp {

class Wavetable {
 public:
  explicit Wavetable(std::vector<std::unique_ptr<MipTable>> frames);
  int frameCount() const { return static_cast<int>(frames_.size()); }
  const MipTable& frame(int index) const { return *frames_[index]; }

  // Which two frames a position in [0, 1] falls between (clamped), and the weight of the second.
  struct Morph {
    const MipTable* first;
    const MipTable* second;
    float weight;
  };
  Morph morph(float position) const;

 private:
  std::vector<std::unique_ptr<MipTable>> frames_;
};

inline constexpr int kWavetableFrames = 16;  // frames per built-in table

enum class BuiltinWavetable {
  BasicShapes,    // sine -> triangle -> saw -> square, by harmonic interpolation
  PwmSweep,       // pulse width 50 % -> 3 %
  Vowels,         // formant spectra a -> e -> i -> o -> u (Peterson & Barney male formants)
  Organ,          // drawbar registrations, from a lone 8' to full organ
  BellFm,         // FM spectra, modulators at 3x and 7x the carrier, index 0 -> 6 (metallic)
  HarmonicSweep,  // 1 -> 64 harmonics with 1/h amplitude (a saw that opens up)
  OddSweep,       // 1 -> 64 odd harmonics (a hollow, clarinet-like square that opens up)
  SyncSweep,      // hard-synced saw, slave/master ratio 1 -> 6
  FormantSweep,   // one resonant formant sweeping 300 Hz -> 3 kHz over a 110 Hz buzz
  Digital,        // phase-distorted sines, Casio CZ style, distortion 0 -> 0.95
};
inline constexpr int kBuiltinWavetableCount = 10;

const Wavetable& builtinWavetable(BuiltinWavetable which);
std::string_view builtinWavetableName(BuiltinWavetable which);

}  // namespace midistems::synth::dsp
