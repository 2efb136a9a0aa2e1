#include "synth/effects.h"

#include <algorithm>
#include <cmath>

namespace midistems::synth {
namespace {

constexpr float kTwoPi = 6.28318530718f;

uint32_t nextPowerOfTwo(uint32_t n) {
  uint32_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

// Linear interpolation `delay` samples behind `write` in a power-of-two ring.
inline float readDelayed(const std::vector<float>& line, uint32_t mask, uint32_t write, float delay) {
  const float position = float(write) - delay + float(mask + 1);
  const uint32_t i = uint32_t(position);
  const float frac = position - float(i);
  const float a = line[i & mask], b = line[(i + 1) & mask];
  return a + frac * (b - a);
}

}  // namespace

void Glide::setTime(float seconds, float sampleRate) { coef = std::exp(-1.0f / (seconds * sampleRate)); }

// --- Chorus: two modulated taps per side, 90 degrees apart (a Juno-style ensemble), around 15 ms.
void Chorus::prepare(float sampleRate) {
  sampleRate_ = sampleRate;
  const uint32_t size = nextPowerOfTwo(uint32_t(0.05f * sampleRate) + 4);
  lineL_.assign(size, 0.0f);
  lineR_.assign(size, 0.0f);
  mask_ = size - 1;
  wet_.setTime(0.01f, sampleRate);
  reset();
}

void Chorus::reset() {
  std::fill(lineL_.begin(), lineL_.end(), 0.0f);
  std::fill(lineR_.begin(), lineR_.end(), 0.0f);
  write_ = 0;
  phase_ = 0;
  wet_.value = 0;
  clear_ = true;
}

void Chorus::process(float* left, float* right, int frames, bool on, float rate, float depth, float mix) {
  if (!on && wet_.value < 1e-6f) {
    if (!clear_) reset();
    return;
  }
  clear_ = false;
  const float target = on ? mix : 0.0f;
  const float base = 0.015f * sampleRate_;
  const float swing = 0.007f * sampleRate_ * depth;
  const double step = double(rate) / sampleRate_;
  for (int i = 0; i < frames; ++i) {
    lineL_[write_] = left[i];
    lineR_[write_] = right[i];
    const float p = float(phase_);
    const float wetL = 0.5f * (readDelayed(lineL_, mask_, write_, base + swing * (0.5f + 0.5f * std::sin(kTwoPi * p))) +
                               readDelayed(lineL_, mask_, write_, base + swing * (0.5f + 0.5f * std::sin(kTwoPi * (p + 0.5f)))));
    const float wetR = 0.5f * (readDelayed(lineR_, mask_, write_, base + swing * (0.5f + 0.5f * std::sin(kTwoPi * (p + 0.25f)))) +
                               readDelayed(lineR_, mask_, write_, base + swing * (0.5f + 0.5f * std::sin(kTwoPi * (p + 0.75f)))));
    const float m = wet_.next(target);
    left[i] += m * (wetL - left[i]);
    right[i] += m * (wetR - right[i]);
    write_ = (write_ + 1) & mask_;
    phase_ += step;
    if (phase_ >= 1.0) phase_ -= 1.0;
  }
}

// --- Stereo delay with a damped feedback loop.
void StereoDelay::prepare(float sampleRate) {
  sampleRate_ = sampleRate;
  const uint32_t size = nextPowerOfTwo(uint32_t(2.0f * sampleRate) + 4);
  lineL_.assign(size, 0.0f);
  lineR_.assign(size, 0.0f);
  mask_ = size - 1;
  wet_.setTime(0.01f, sampleRate);
  delaySamples_.setTime(0.05f, sampleRate);
  reset();
}

void StereoDelay::reset() {
  std::fill(lineL_.begin(), lineL_.end(), 0.0f);
  std::fill(lineR_.begin(), lineR_.end(), 0.0f);
  write_ = 0;
  wet_.value = 0;
  delaySamples_.value = -1;
  lowL_ = lowR_ = 0;
  clear_ = true;
}

void StereoDelay::process(float* left, float* right, int frames, bool on, float time, float feedback,
                          float damping, float mix) {
  if (!on && wet_.value < 1e-6f) {
    if (!clear_) reset();
    return;
  }
  clear_ = false;
  const float target = on ? mix : 0.0f;
  const float delayTarget = std::clamp(time * sampleRate_, 1.0f, float(mask_) - 2.0f);
  if (delaySamples_.value < 0) delaySamples_.value = delayTarget;
  const float fb = std::clamp(feedback, 0.0f, 0.95f);
  const float lowCoef = std::clamp(damping, 0.0f, 1.0f) * 0.9f;
  for (int i = 0; i < frames; ++i) {
    const float delay = delaySamples_.next(delayTarget);
    const float wetL = readDelayed(lineL_, mask_, write_, delay);
    const float wetR = readDelayed(lineR_, mask_, write_, delay);
    lowL_ = wetL + (lowL_ - wetL) * lowCoef;
    lowR_ = wetR + (lowR_ - wetR) * lowCoef;
    lineL_[write_] = left[i] + fb * lowL_;
    lineR_[write_] = right[i] + fb * lowR_;
    const float m = wet_.next(target);
    left[i] += m * (wetL - left[i]);
    right[i] += m * (wetR - right[i]);
    write_ = (write_ + 1) & mask_;
  }
}

// --- FDN reverb.
void FdnReverb::prepare(float sampleRate) {
  sampleRate_ = sampleRate;
  // Mutually prime line lengths from Freeverb's comb tuning at 44.1 kHz, scaled to the rate.
  static constexpr int kLengths[kLines] = {1557, 1617, 1491, 1422, 1277, 1356, 1188, 1116};
  static constexpr int kDiffusers[4] = {142, 107, 379, 277};
  const float scale = sampleRate / 44100.0f;
  for (int i = 0; i < kLines; ++i) {
    lines_[i].length = std::max<uint32_t>(8, uint32_t(float(kLengths[i]) * scale * 1.3f));
    lines_[i].buffer.assign(lines_[i].length, 0.0f);
  }
  for (int i = 0; i < 4; ++i) diffusers_[i].buffer.assign(std::max<size_t>(4, size_t(float(kDiffusers[i]) * scale)), 0.0f);
  wet_.setTime(0.01f, sampleRate);
  lastSize_ = lastDamping_ = -1;
  reset();
}

void FdnReverb::reset() {
  for (Line& line : lines_) {
    std::fill(line.buffer.begin(), line.buffer.end(), 0.0f);
    line.position = 0;
    line.low = 0;
  }
  for (Allpass& ap : diffusers_) {
    std::fill(ap.buffer.begin(), ap.buffer.end(), 0.0f);
    ap.position = 0;
  }
  wet_.value = 0;
  clear_ = true;
}

void FdnReverb::process(float* left, float* right, int frames, bool on, float size, float damping, float mix) {
  if (!on && wet_.value < 1e-6f) {
    if (!clear_) reset();
    return;
  }
  clear_ = false;
  if (size != lastSize_ || damping != lastDamping_) {
    // Gain per pass so that each line loses 60 dB in RT60 seconds.
    const float rt60 = decaySeconds(std::clamp(size, 0.0f, 1.0f));
    for (int i = 0; i < kLines; ++i)
      gains_[i] = std::pow(10.0f, -3.0f * float(lines_[i].length) / (rt60 * sampleRate_));
    dampCoef_ = 0.05f + 0.6f * std::clamp(damping, 0.0f, 1.0f);
    lastSize_ = size;
    lastDamping_ = damping;
  }
  const float target = on ? mix : 0.0f;
  constexpr float kDiffusion = 0.6f;
  for (int n = 0; n < frames; ++n) {
    float input = 0.5f * (left[n] + right[n]);
    for (Allpass& ap : diffusers_) {  // Schroeder allpass
      const float delayed = ap.buffer[ap.position];
      const float v = input + kDiffusion * delayed;
      ap.buffer[ap.position] = v;
      input = delayed - kDiffusion * v;
      if (++ap.position == ap.buffer.size()) ap.position = 0;
    }
    float x[kLines];
    for (int i = 0; i < kLines; ++i) {
      Line& line = lines_[i];
      const float out = line.buffer[line.position];
      line.low = out + (line.low - out) * dampCoef_;
      x[i] = line.low * gains_[i];
    }
    const float outL = x[0] - x[1] + x[2] - x[3] + x[4] - x[5] + x[6] - x[7];
    const float outR = x[0] + x[1] - x[2] - x[3] + x[4] + x[5] - x[6] - x[7];
    // Fast Walsh-Hadamard transform, scaled by 1/sqrt(8) so the matrix is orthonormal (lossless).
    for (int h = 1; h < kLines; h <<= 1)
      for (int i = 0; i < kLines; i += h << 1)
        for (int j = i; j < i + h; ++j) {
          const float a = x[j], b = x[j + h];
          x[j] = a + b;
          x[j + h] = a - b;
        }
    for (int i = 0; i < kLines; ++i) {
      Line& line = lines_[i];
      line.buffer[line.position] = x[i] * 0.35355339f + ((i & 1) ? -input : input) * 0.5f;
      if (++line.position == line.length) line.position = 0;
    }
    const float m = wet_.next(target);
    left[n] += m * (0.35f * outL - left[n]);
    right[n] += m * (0.35f * outR - right[n]);
  }
}

}  // namespace midistems::synth
