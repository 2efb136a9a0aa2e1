#include "synth/dsp/unison.h"

#include <algorithm>
#include <cstdint>
#include <cmath>
#include <numbers>

namespace midistems::synth::dsp {

namespace {

// Start phase of copy i: a fixed pseudo-random sequence (a 32-bit integer hash), so that no two
// copies start in phase (a stack never starts with a comb-filtered spike) and the phases of the
// harmonics are unrelated too (regular spacings, such as golden-ratio steps, line up for some
// harmonics and make them louder). Copy 0 starts at 0, like a plain oscillator.
float startPhase(int copy) {
  if (copy == 0) return 0.0f;
  std::uint32_t h = 0x9E3779B9u * static_cast<std::uint32_t>(copy);
  h ^= h >> 16;
  h *= 0x85EBCA6Bu;
  h ^= h >> 13;
  h *= 0xC2B2AE35u;
  h ^= h >> 16;
  return float(double(h) / 4294967296.0);
}

}  // namespace

void UnisonOscillator::prepare(double sampleRate) {
  for (auto& copy : copies_) copy.prepare(sampleRate);
  restart();
}

void UnisonOscillator::setVoiceCount(int count) { voiceCount_ = std::clamp(count, 1, kMaxUnisonVoices); }
void UnisonOscillator::setDetune(float cents) { detuneCents_ = std::max(cents, 0.0f); }
void UnisonOscillator::setStereoSpread(float spread) { spread_ = std::clamp(spread, 0.0f, 1.0f); }

void UnisonOscillator::setWaveform(Waveform waveform) {
  for (auto& copy : copies_) copy.setWaveform(waveform);
}
void UnisonOscillator::setWavetable(const Wavetable* table) {
  for (auto& copy : copies_) copy.setWavetable(table);
}
void UnisonOscillator::setWavetablePosition(float position) {
  for (auto& copy : copies_) copy.setWavetablePosition(position);
}
void UnisonOscillator::setPulseWidth(float width) {
  for (auto& copy : copies_) copy.setPulseWidth(width);
}

void UnisonOscillator::restart() {
  for (int i = 0; i < kMaxUnisonVoices; ++i) {
    copies_[static_cast<size_t>(i)].setPhase(startPhase(i));
    copies_[static_cast<size_t>(i)].setNoiseSeed(0x9E3779B9u + 0x85EBCA6Bu * static_cast<unsigned>(i));
  }
}

void UnisonOscillator::render(float* left, float* right, int n, float freqHz, const float* phaseOffset) {
  n = std::clamp(n, 0, kMaxBlockSize);
  std::fill(left, left + n, 0.0f);
  std::fill(right, right + n, 0.0f);
  const int count = voiceCount_;
  const float norm = 1.0f / std::sqrt(float(count));
  OscillatorModulation mod;
  mod.phaseOffset = phaseOffset;
  for (int i = 0; i < count; ++i) {
    const float position = count > 1 ? float(i) / float(count - 1) : 0.5f;
    const float cents = detuneCents_ * (position - 0.5f);
    const float pan = spread_ * (2.0f * position - 1.0f);
    // Equal-power pan normalised to unit gain at the centre.
    const float angle = (pan + 1.0f) * (std::numbers::pi_v<float> / 4.0f);
    const float gainLeft = norm * std::numbers::sqrt2_v<float> * std::cos(angle);
    const float gainRight = norm * std::numbers::sqrt2_v<float> * std::sin(angle);
    copies_[static_cast<size_t>(i)].render(scratch_.data(), n, freqHz * std::exp2(cents / 1200.0f), mod);
    for (int s = 0; s < n; ++s) {
      left[s] += gainLeft * scratch_[static_cast<size_t>(s)];
      right[s] += gainRight * scratch_[static_cast<size_t>(s)];
    }
  }
}

}  // namespace midistems::synth::dsp
