#pragma once
// One voice's oscillator: sine, saw, square, pulse (PWM), triangle, wavetable (position morphing)
// and white/pink noise, with phase modulation (FM), hard sync and ring modulation. Renders a block
// of samples at a time.
//
// Band limiting: every pitched shape reads mipmapped tables (mip_table.h), chosen once per block
// from the block's highest frequency, so nothing above Nyquist is produced (measured: the strongest
// alias of saw, square and triangle at 1-10 kHz is below -80 dB; see tests/synth/dsp). The pulse is
// the difference of two band-limited saws offset by the pulse width. Hard sync restarts the slave's
// phase at the master's wraps and corrects the resulting jumps in value, slope and curvature with
// minimum-phase band-limited step, ramp and parabola residuals (minBLEP, Brandt 2001, and its
// integrals), 64 samples long, so no oversampling is needed (measured: aliases below -60 dB for
// masters of 0.2-2 kHz); a synced slave reads mip levels one octave duller for that margin.
//
// Real-time safe: no allocation or locks in render(). Tables are shared and built on first use;
// prepare() touches the tables the oscillator may read, so call it off the audio thread.
#include <array>
#include <cstdint>

#include "synth/dsp/mip_table.h"
#include "synth/dsp/wavetables.h"

namespace midistems::synth::dsp {

// The most samples one render() call may produce (SyncEvents capacity, minBLEP bookkeeping).
inline constexpr int kMaxBlockSize = 256;

enum class Waveform : std::uint8_t {
  Sine,
  Saw,        // rising ramp, -1 -> +1
  Square,     // +1 for the first half cycle, -1 for the second
  Pulse,      // +1 for pulseWidth of the cycle, -1 otherwise (then re-centred to zero mean)
  Triangle,
  Wavetable,  // the frames of setWavetable(), morphed by setWavetablePosition()
  WhiteNoise,
  PinkNoise,  // -3 dB/octave (octave-band powers within 1.3 dB from 40 Hz to 10 kHz), RMS 0.25
};

// Instants at which a master oscillator's phase wrapped during one block, for hard sync. Each entry
// is a time in samples from the block's first sample: the wrap at time t lies in (k - 1, k] for
// the first sample k that is computed after it.
struct SyncEvents {
  int count = 0;
  std::array<float, kMaxBlockSize> time{};
};

// Optional per-sample inputs of one render() call; every pointer may be null.
struct OscillatorModulation {
  // Per-sample frequency in Hz, replacing the linear glide to `freqHz`.
  const float* frequencyHz = nullptr;
  // Per-sample phase offset in cycles (phase modulation, i.e. DX7-style "FM"): typically
  // index * output of a modulating oscillator. The mip level is chosen from the carrier frequency;
  // the sidebands that deep modulation creates above Nyquist alias, as in every PM synth.
  const float* phaseOffset = nullptr;
  // Hard sync: restart this oscillator's cycle at these instants: at setPhase()'s start phase, moved
  // to mid-ramp for the saw (value 0) and mid-plateau for the square and pulse, where the tables are
  // smooth, so that the minBLEP-corrected step is the only discontinuity.
  const SyncEvents* syncFrom = nullptr;
  // Records this oscillator's own wraps, so that it can act as a hard-sync master.
  SyncEvents* syncTo = nullptr;
};

class Oscillator {
 public:
  Oscillator();

  // Sets the sample rate, builds/touches the tables, and resets phase and glide. Not real-time safe.
  void prepare(double sampleRate);

  void setWaveform(Waveform waveform);
  Waveform waveform() const { return waveform_; }
  // For Waveform::Wavetable; the table must outlive the oscillator (built-in tables always do).
  void setWavetable(const Wavetable* table);
  // Morph position in [0, 1] across the wavetable's frames; takes effect at the next render().
  void setWavetablePosition(float position);
  // Pulse width in [0.01, 0.99] for Waveform::Pulse; takes effect at the next render().
  void setPulseWidth(float width);
  // Restarts the cycle at `cycles` (in [0, 1)); also the phase that hard sync restarts at.
  void setPhase(float cycles);
  float phase() const;
  void setNoiseSeed(std::uint32_t seed);

  // Overwrites out[0..n) (n <= kMaxBlockSize). The frequency glides linearly from the previous
  // call's end frequency to freqHz across the block (no glide on the first call after prepare()).
  void render(float* out, int n, float freqHz);
  void render(float* out, int n, float freqHz, const OscillatorModulation& modulation);

 private:
  // A block's linear glide of the phase increment: sample i advances by start + step (i + 1).
  struct Glide {
    std::uint32_t start;
    std::uint32_t step;
  };
  void renderTable(float* out, int n, const std::uint32_t* increments, const Glide* glide,
                   const OscillatorModulation& mod);
  void advancePhases(std::uint32_t& phase, std::uint32_t* phases, int n, const std::uint32_t* increments,
                     std::uint32_t restart, float* resetTime, std::uint32_t* resetFrom, int& resets,
                     const OscillatorModulation& mod);
  void renderNoise(float* out, int n);

  double sampleRate_ = 48000.0;
  Waveform waveform_ = Waveform::Saw;
  const Wavetable* wavetable_ = nullptr;
  float wavetablePosition_ = 0.0f;
  float pulseWidth_ = 0.5f;
  std::uint32_t phase_ = 0;       // 32-bit fixed point cycles: wraps for free
  std::uint32_t startPhase_ = 0;  // where setPhase() and hard sync restart
  std::uint32_t lastIncrement_ = 0;
  bool haveIncrement_ = false;
  std::uint32_t noiseState_ = 0x9E3779B9u;
  // Pink noise: one white noise through parallel one-pole low-passes, one per octave from 10 Hz,
  // weighted by 1/sqrt(corner) (their sum approximates a 1/f power spectrum).
  std::array<float, 11> pink_{};
  std::array<float, 11> pinkCoefficient_{};
  std::array<float, 11> pinkWeight_{};
  // A master wrap between this block's last sample and the next block's first, in (-1, 0].
  float carriedWrap_ = 1.0f;  // > 0: none
  // minBLEP corrections that spill past the end of a block into the next one.
  std::array<float, 64> blepCarry_{};
  bool blepPending_ = false;
};

// out[i] *= modulator[i]: ring modulation (the two signals' sum and difference frequencies).
void ringModulate(float* out, const float* modulator, int n);

}  // namespace midistems::synth::dsp
