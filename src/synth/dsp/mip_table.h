#pragma once
// Band-limited single-cycle tables, one mip level per octave.
//
// A MipTable holds one waveform cycle at kLevels band limits. Level j keeps harmonics
// 1 .. kMaxHarmonics >> j, so it is alias-free for phase increments up to 0.5 / (kMaxHarmonics >> j)
// cycles per sample (its top harmonic then sits at Nyquist). An oscillator reads the brightest level
// that is alias-free at its frequency and the next duller one, and crossfades over the octave by
// log2 frequency, so that the timbre changes smoothly and nothing above Nyquist is ever produced.
// Every level has kTableSize samples plus one guard sample for linear interpolation: 2048 samples
// keep the interpolation images of the levels used above ~750 Hz below -100 dB (image amplitude of
// harmonic h is about a_h (h / 2048)^2).
#include <array>
#include <complex>
#include <memory>
#include <span>

namespace midistems::synth::dsp {

inline constexpr int kTableBits = 11;
inline constexpr int kTableSize = 1 << kTableBits;   // samples per cycle
inline constexpr int kMaxHarmonics = kTableSize / 2;  // harmonics of level 0
inline constexpr int kMipLevels = kTableBits;         // 1024, 512, ..., 1 harmonics

struct MipTable {
  // levels[j][0 .. kTableSize] (the last sample repeats the first).
  std::array<std::array<float, kTableSize + 1>, kMipLevels> levels;

  // Builds every level from a spectrum: spectrum[h] is the complex amplitude of harmonic h
  // (index 0 is DC and is ignored; harmonics beyond spectrum.size() - 1 are zero): the cycle over
  // t in [0, 1) is Re(sum_h spectrum[h] * exp(i 2 pi h t)). Not real-time safe.
  static std::unique_ptr<MipTable> fromSpectrum(std::span<const std::complex<float>> spectrum);
  // Builds from one cycle sampled at `cycle.size()` points (a power of two >= kTableSize; use
  // 8x or more oversampling for waveforms with discontinuities so that the table's own aliasing is
  // negligible). Not real-time safe.
  static std::unique_ptr<MipTable> fromCycle(std::span<const float> cycle);
};

// Where a phase increment falls among the mip levels: read `level` and `level + 1` (clamped to the
// last level) and mix them as (1 - fade) * level + fade * (level + 1).
struct MipChoice {
  int level = 0;
  int nextLevel = 0;
  float fade = 0.0f;
};
MipChoice chooseMip(float cyclesPerSample);

// The classic shapes, band-limited, built on first use (thread-safe) and shared read-only.
// Amplitudes: peak 1 for the naive shape (the band-limited saw and square overshoot by ~9 %,
// Gibbs). Phase 0 is where the naive shape starts its cycle: sine 0 rising, saw -1 rising to +1,
// square +1 for the first half, triangle 0 rising to +1 at 1/4.
enum class BasicShape { Sine, Saw, Square, Triangle };
const MipTable& basicTable(BasicShape shape);

}  // namespace midistems::synth::dsp
