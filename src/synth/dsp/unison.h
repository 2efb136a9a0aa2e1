#pragma once
// Unison: up to 16 detuned copies of one oscillator, spread across the stereo field.
//
// Copy i of N sits at a detune of detuneCents * (i / (N - 1) - 1/2) (so the total spread is
// detuneCents) and at pan position spread * (2 i / (N - 1) - 1), with equal-power panning. The
// copies start at decorrelated phases (a fixed sequence, so renders are reproducible) and the sum is
// scaled by 1 / sqrt(N), which keeps the loudness of uncorrelated copies constant. The pan law is
// equal-power normalised to the centre: a centred copy reaches both channels at unit gain, so one
// copy is exactly the plain oscillator in both channels.
#include <array>

#include "synth/dsp/oscillator.h"

namespace midistems::synth::dsp {

inline constexpr int kMaxUnisonVoices = 16;

class UnisonOscillator {
 public:
  void prepare(double sampleRate);

  void setVoiceCount(int count);  // 1..16; takes effect at the next render()
  int voiceCount() const { return voiceCount_; }
  void setDetune(float cents);    // total spread between the outermost copies
  void setStereoSpread(float spread);  // 0 (mono) .. 1 (outermost copies hard left/right)

  // Shape controls, forwarded to every copy.
  void setWaveform(Waveform waveform);
  void setWavetable(const Wavetable* table);
  void setWavetablePosition(float position);
  void setPulseWidth(float width);
  // Restarts every copy at its own start phase (call at note-on for a reproducible attack).
  void restart();

  // Overwrites left[0..n) and right[0..n) (n <= kMaxBlockSize); the centre frequency glides
  // linearly from the previous call's to freqHz. `phaseOffset` (may be null) is applied to every
  // copy, for FM of the whole stack.
  void render(float* left, float* right, int n, float freqHz, const float* phaseOffset = nullptr);

 private:
  std::array<Oscillator, kMaxUnisonVoices> copies_;
  std::array<float, kMaxBlockSize> scratch_{};
  int voiceCount_ = 1;
  float detuneCents_ = 0.0f;
  float spread_ = 0.0f;
};

}  // namespace midistems::synth::dsp
