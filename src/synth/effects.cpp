#include "synth/effects.h"

#include <algorithm>
#include <cmath>

namespace midistems::synth {
namespace {

constexpr float kTwoPi = 6.28318530718f;
constexpr double kPiD = 3.14159265358979323846;

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

double besselI0(double x) {
  double sum = 1, term = 1;
  for (int k = 1; k < 40; ++k) {
    term *= (x / (2 * k)) * (x / (2 * k));
    sum += term;
  }
  return sum;
}

// The mix glide of a bypassable effect: returns false when the effect is off and faded out
// (clearing its state once), so it costs nothing.
template <class Effect>
bool running(Effect& effect, Glide& wet, bool& clear, bool on) {
  if (!on && wet.value < 1e-6f) {
    if (!clear) effect.reset();
    return false;
  }
  clear = false;
  return true;
}

}  // namespace

void Glide::setTime(float seconds, float sampleRate) { coef = std::exp(-1.0f / (seconds * sampleRate)); }

// --- Delay line.
void DelayLine::allocate(float maxSamples) {
  const uint32_t size = nextPowerOfTwo(uint32_t(std::max(0.0f, maxSamples)) + 4);
  line_.assign(size, 0.0f);
  mask_ = size - 1;
  write_ = 0;
}

void DelayLine::clear() {
  std::fill(line_.begin(), line_.end(), 0.0f);
  write_ = 0;
}

float DelayLine::read(float delay) const {
  delay = std::clamp(delay, 0.0f, maxDelay());
  const float position = float(write_) - delay + float(mask_ + 1);
  const uint32_t i = uint32_t(position);
  const float frac = position - float(i);
  const float a = line_[i & mask_], b = line_[(i + 1) & mask_];
  return a + frac * (b - a);
}

// --- Rate changes by two.
void Resampler2::design(int taps, double cutoff, double kaiserBeta) {
  taps_.assign(size_t(taps), 0.0f);
  const double centre = 0.5 * (taps - 1);
  double sum = 0;
  std::vector<double> h(static_cast<size_t>(taps));
  for (int n = 0; n < taps; ++n) {
    const double t = n - centre;
    const double sinc = t == 0 ? 2 * cutoff : std::sin(2 * kPiD * cutoff * t) / (kPiD * t);
    const double r = t / centre;
    h[size_t(n)] = sinc * besselI0(kaiserBeta * std::sqrt(std::max(0.0, 1 - r * r))) / besselI0(kaiserBeta);
    sum += h[size_t(n)];
  }
  for (int n = 0; n < taps; ++n) taps_[size_t(n)] = float(h[size_t(n)] / sum);  // unity gain at DC
  const int half = (taps + 1) / 2;
  phases_.assign(2 * size_t(half), 0.0f);
  for (int n = 0; n < taps; ++n) phases_[size_t((n % 2) * half + n / 2)] = taps_[size_t(n)];
  history_.assign(2 * taps_.size(), 0.0f);
  position_ = 0;
}

void Resampler2::clear() {
  std::fill(history_.begin(), history_.end(), 0.0f);
  position_ = 0;
}

namespace {
// Eight independent partial sums, so the products do not wait on one chain of additions.
inline float dot(const float* a, const float* b, int n) {
  float acc[8] = {};
  int i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) acc[k] += a[i + k] * b[i + k];
  for (; i < n; ++i) acc[0] += a[i] * b[i];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}
}  // namespace

void Resampler2::up(float x, float* out2) {
  // The low-rate history, newest first: history_[position_ + k] = x[n - k]; the even and odd
  // output phases use the even and odd taps (phases_, zero-padded to `half` each).
  const int half = int(phases_.size() / 2);
  position_ = position_ == 0 ? half - 1 : position_ - 1;
  history_[size_t(position_)] = history_[size_t(position_ + half)] = x;
  const float* hist = history_.data() + position_;
  out2[0] = 2 * dot(phases_.data(), hist, half);
  out2[1] = 2 * dot(phases_.data() + half, hist, half);
}

float Resampler2::down(const float* in2) {
  const int taps = int(taps_.size());
  float y = 0;
  for (int i = 0; i < 2; ++i) {
    position_ = position_ == 0 ? taps - 1 : position_ - 1;
    history_[size_t(position_)] = history_[size_t(position_ + taps)] = in2[i];
    if (i == 0) y = dot(taps_.data(), history_.data() + position_, taps);  // on the even high-rate samples
  }
  return y;
}

// --- Distortion.
namespace {
// tanh through one exp (a third of tanhf's time); the absolute error stays below 1e-7.
inline float fastTanh(float x) {
  const float e = std::exp(2.0f * std::clamp(x, -10.0f, 10.0f));
  return (e - 1.0f) / (e + 1.0f);
}
}  // namespace

float Distortion::shape(DistortionCurve curve, float x) {
  switch (curve) {
    case DistortionCurve::Soft: return fastTanh(x);
    case DistortionCurve::Hard: return std::erf(0.886226925f * x);  // slope 1 at 0, a sharper knee
    case DistortionCurve::Tube: return fastTanh(x + 0.3f) - 0.291312612f;  // tanh(0.3): even harmonics
    case DistortionCurve::Fold: return std::sin(x);
    case DistortionCurve::Count: break;
  }
  return x;
}

void Distortion::prepare(float sampleRate) {
  sampleRate_ = sampleRate;
  latency_ = 0;
  for (Channel& c : channels_) {
    // Stage 1 (2x): pass to 19 kHz of 48, stop from the output's Nyquist frequency, -95 dB.
    // Stages 2 and 3 only remove images at least 48 kHz (of 48) from the audio band.
    static constexpr int kTaps[3] = {129, 25, 25};
    static constexpr double kCutoff[3] = {21500.0 / 96000.0, 0.25, 0.25};
    for (int s = 0; s < 3; ++s) {
      c.up[s].design(kTaps[s], kCutoff[s], 9.5);
      c.down[s].design(kTaps[s], kCutoff[s], 9.5);
    }
  }
  for (int s = 0; s < 3; ++s)  // up and down, each (taps - 1) / 2 samples at 2^(s+1) times the rate
    latency_ += 2 * channels_[0].up[s].delayAtHighRate() / (2 << s);
  for (Channel& c : channels_) c.dry.allocate(float(latency_ + 1));
  fade_.setTime(0.01f, sampleRate);
  mix_.setTime(0.01f, sampleRate);
  dcCoef_ = std::exp(-kTwoPi * 10.0f / sampleRate);
  reset();
}

void Distortion::reset() {
  for (Channel& c : channels_) {
    for (int s = 0; s < 3; ++s) c.up[s].clear(), c.down[s].clear();
    c.dry.clear();
    c.tone = c.dc = c.dcIn = 0;
  }
  fade_.value = 0;
  mix_.value = -1;
  clear_ = true;
}

float Distortion::processSample(Channel& c, float x, DistortionCurve curve, float drive, float makeup) {
  float s1[2], s2[4], s3[8];
  c.up[0].up(x, s1);
  for (int i = 0; i < 2; ++i) c.up[1].up(s1[i], s2 + 2 * i);
  for (int i = 0; i < 4; ++i) c.up[2].up(s2[i], s3 + 2 * i);
  for (float& v : s3) v = shape(curve, drive * v) * makeup;
  for (int i = 0; i < 4; ++i) s2[i] = c.down[2].down(s3 + 2 * i);
  for (int i = 0; i < 2; ++i) s1[i] = c.down[1].down(s2 + 2 * i);
  float y = c.down[0].down(s1);
  c.tone = y + (c.tone - y) * toneCoef_;
  // DC blocker (the tube curve is asymmetric).
  const float out = c.tone - c.dcIn + dcCoef_ * c.dc;
  c.dcIn = c.tone;
  c.dc = out;
  return out;
}

void Distortion::process(float* left, float* right, int frames, const DistortionSettings& s) {
  if (!s.on && fade_.value < 1e-6f) {
    if (!clear_) reset();
    return;
  }
  clear_ = false;
  const float drive = std::pow(10.0f, std::clamp(s.driveDb, 0.0f, 48.0f) / 20.0f);
  const float makeup = 1.0f / std::sqrt(drive);  // half the drive comes back as level
  const float tone = std::clamp(s.tone, 0.0f, 1.0f);
  toneCoef_ = tone >= 1.0f ? 0.0f : std::exp(-kTwoPi * 500.0f * std::pow(40.0f, tone) / sampleRate_);
  if (mix_.value < 0) mix_.value = s.mix;
  float* io[2] = {left, right};
  for (int i = 0; i < frames; ++i) {
    const float f = fade_.next(s.on ? 1.0f : 0.0f);
    const float m = mix_.next(std::clamp(s.mix, 0.0f, 1.0f));
    for (int ch = 0; ch < 2; ++ch) {
      Channel& c = channels_[ch];
      const float x = io[ch][i];
      c.dry.push(x);
      const float dry = c.dry.read(float(latency_));
      const float wet = processSample(c, x, s.curve, drive, makeup);
      io[ch][i] = x + f * (dry + m * (wet - dry) - x);
    }
  }
}

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

void Chorus::process(float* left, float* right, int frames, const ChorusSettings& s) {
  if (!running(*this, wet_, clear_, s.on)) return;
  const float target = s.on ? s.mix : 0.0f;
  const float base = 0.015f * sampleRate_;
  const float swing = 0.007f * sampleRate_ * s.depth;
  const double step = double(s.rate) / sampleRate_;
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

// --- Flanger.
void Flanger::prepare(float sampleRate) {
  sampleRate_ = sampleRate;
  for (DelayLine& line : lines_) line.allocate(0.006f * sampleRate);
  wet_.setTime(0.01f, sampleRate);
  reset();
}

void Flanger::reset() {
  for (DelayLine& line : lines_) line.clear();
  last_[0] = last_[1] = 0;
  phase_ = 0;
  wet_.value = 0;
  clear_ = true;
}

void Flanger::process(float* left, float* right, int frames, const FlangerSettings& s) {
  if (!running(*this, wet_, clear_, s.on)) return;
  const float target = s.on ? s.mix : 0.0f;
  const float minDelay = 0.0003f * sampleRate_;
  const float sweep = 0.004f * sampleRate_ * std::clamp(s.depth, 0.0f, 1.0f);
  const float feedback = std::clamp(s.feedback, -0.95f, 0.95f);
  const double step = double(s.rate) / sampleRate_;
  float* io[2] = {left, right};
  for (int i = 0; i < frames; ++i) {
    const float m = wet_.next(target);
    for (int ch = 0; ch < 2; ++ch) {
      const float p = float(phase_) + 0.25f * float(ch);
      const float delay = minDelay + sweep * (0.5f - 0.5f * std::cos(kTwoPi * p));
      const float x = io[ch][i];
      lines_[ch].push(x + feedback * last_[ch]);
      const float wet = lines_[ch].read(delay);
      last_[ch] = wet;
      io[ch][i] = x + m * (wet - x);
    }
    phase_ += step;
    if (phase_ >= 1.0) phase_ -= 1.0;
  }
}

// --- Phaser.
void Phaser::prepare(float sampleRate) {
  sampleRate_ = sampleRate;
  wet_.setTime(0.01f, sampleRate);
  reset();
}

void Phaser::reset() {
  for (auto& channel : state_) std::fill(std::begin(channel), std::end(channel), 0.0f);
  last_[0] = last_[1] = 0;
  phase_ = 0;
  tick_ = 0;
  wet_.value = 0;
  clear_ = true;
}

void Phaser::process(float* left, float* right, int frames, const PhaserSettings& s) {
  if (!running(*this, wet_, clear_, s.on)) return;
  const float target = s.on ? s.mix : 0.0f;
  const float octaves = 2.0f * std::clamp(s.depth, 0.0f, 1.0f);
  const float feedback = std::clamp(s.feedback, 0.0f, 0.9f);
  const double step = double(s.rate) / sampleRate_;
  const float nyquistGuard = 0.45f * sampleRate_;
  float* io[2] = {left, right};
  for (int i = 0; i < frames; ++i) {
    if (tick_++ % 8 == 0) {
      // The allpass break frequency, updated every 8 samples (far finer than any sweep rate),
      // counted across calls so that the output does not depend on how blocks are split.
      for (int ch = 0; ch < 2; ++ch) {
        const float p = float(phase_) + 0.25f * float(ch);
        const float f = std::min(nyquistGuard, s.center * std::exp2(octaves * std::sin(kTwoPi * p)));
        const float t = std::tan(3.14159265f * f / sampleRate_);
        coef_[ch] = (t - 1.0f) / (t + 1.0f);
      }
    }
    const float m = wet_.next(target);
    for (int ch = 0; ch < 2; ++ch) {
      const float a = coef_[ch];
      const float x = io[ch][i];
      float v = x + feedback * last_[ch];
      for (float& z : state_[ch]) {  // first-order allpass, transposed direct form II
        const float y = a * v + z;
        z = v - a * y;
        v = y;
      }
      last_[ch] = v;
      io[ch][i] = x + m * (v - x);
    }
    phase_ += step;
    if (phase_ >= 1.0) phase_ -= 1.0;
  }
}

// --- Stereo delay with a filtered feedback loop.
void StereoDelay::prepare(float sampleRate) {
  sampleRate_ = sampleRate;
  const uint32_t size = nextPowerOfTwo(uint32_t(kMaxSeconds * sampleRate) + 4);
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
  lowL_ = lowR_ = highL_ = highR_ = 0;
  clear_ = true;
}

void StereoDelay::process(float* left, float* right, int frames, const DelaySettings& s) {
  if (!running(*this, wet_, clear_, s.on)) return;
  const float target = s.on ? s.mix : 0.0f;
  const float delayTarget = std::clamp(s.time * sampleRate_, 1.0f, float(mask_) - 2.0f);
  if (delaySamples_.value < 0) delaySamples_.value = delayTarget;
  const float fb = std::clamp(s.feedback, 0.0f, 0.95f);
  const float lowCoef = std::clamp(s.damping, 0.0f, 1.0f) * 0.9f;
  // One-pole high-pass in the loop: the loop signal less its own low-passed copy.
  const bool lowCut = s.lowCut > 0;
  const float highCoef = lowCut ? std::exp(-kTwoPi * std::min(s.lowCut, 0.45f * sampleRate_) / sampleRate_) : 0.0f;
  for (int i = 0; i < frames; ++i) {
    const float delay = delaySamples_.next(delayTarget);
    const float wetL = readDelayed(lineL_, mask_, write_, delay);
    const float wetR = readDelayed(lineR_, mask_, write_, delay);
    lowL_ = wetL + (lowL_ - wetL) * lowCoef;
    lowR_ = wetR + (lowR_ - wetR) * lowCoef;
    float loopL = lowL_, loopR = lowR_;
    if (lowCut) {
      highL_ = loopL + (highL_ - loopL) * highCoef;
      highR_ = loopR + (highR_ - loopR) * highCoef;
      loopL -= highL_;
      loopR -= highR_;
    }
    if (s.pingPong) {  // the input enters on the left; each echo crosses to the other side
      lineL_[write_] = 0.5f * (left[i] + right[i]) + fb * loopR;
      lineR_[write_] = fb * loopL;
    } else {
      lineL_[write_] = left[i] + fb * loopL;
      lineR_[write_] = right[i] + fb * loopR;
    }
    const float m = wet_.next(target);
    left[i] += m * (wetL - left[i]);
    right[i] += m * (wetR - right[i]);
    write_ = (write_ + 1) & mask_;
  }
}

// --- FDN reverb.
namespace {
// Mutually prime line lengths from Freeverb's comb tuning at 44.1 kHz, scaled to the rate and room.
constexpr int kReverbLengths[FdnReverb::kLines] = {1557, 1617, 1491, 1422, 1277, 1356, 1188, 1116};
constexpr float kMaxPreDelaySeconds = 0.25f;
}  // namespace

void FdnReverb::prepare(float sampleRate) {
  sampleRate_ = sampleRate;
  static constexpr int kDiffusers[4] = {142, 107, 379, 277};
  const float scale = sampleRate / 44100.0f;
  for (int i = 0; i < kLines; ++i) {
    const uint32_t longest = uint32_t(float(kReverbLengths[i]) * scale * roomScale(1.0f)) + 2;
    lines_[i].buffer.assign(nextPowerOfTwo(longest), 0.0f);
    lines_[i].mask = uint32_t(lines_[i].buffer.size()) - 1;
  }
  for (int i = 0; i < 4; ++i) diffusers_[i].buffer.assign(std::max<size_t>(4, size_t(float(kDiffusers[i]) * scale)), 0.0f);
  preDelay_.allocate(kMaxPreDelaySeconds * sampleRate);
  wet_.setTime(0.01f, sampleRate);
  lastSize_ = lastDecay_ = lastDamping_ = -1;
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
  preDelay_.clear();
  wet_.value = 0;
  clear_ = true;
}

void FdnReverb::configure(const ReverbSettings& s) {
  if (s.size == lastSize_ && s.decay == lastDecay_ && s.damping == lastDamping_) return;
  const float scale = sampleRate_ / 44100.0f, room = roomScale(std::clamp(s.size, 0.0f, 1.0f));
  const float rt60 = std::max(0.05f, s.decay);
  for (int i = 0; i < kLines; ++i) {
    Line& line = lines_[i];
    line.length = std::clamp<uint32_t>(uint32_t(float(kReverbLengths[i]) * scale * room), 8, line.mask - 1);
    // Gain per pass so that each line loses 60 dB in RT60 seconds.
    gains_[i] = std::pow(10.0f, -3.0f * float(line.length) / (rt60 * sampleRate_));
  }
  dampCoef_ = 0.05f + 0.6f * std::clamp(s.damping, 0.0f, 1.0f);
  lastSize_ = s.size;
  lastDecay_ = s.decay;
  lastDamping_ = s.damping;
}

void FdnReverb::process(float* left, float* right, int frames, const ReverbSettings& s) {
  if (!running(*this, wet_, clear_, s.on)) return;
  configure(s);
  const float target = s.on ? s.mix : 0.0f;
  const float preDelay = std::clamp(s.preDelayMs, 0.0f, 1000 * kMaxPreDelaySeconds) * 0.001f * sampleRate_;
  const float width = std::clamp(s.width, 0.0f, 1.0f);
  constexpr float kDiffusion = 0.6f;
  for (int n = 0; n < frames; ++n) {
    float input = 0.5f * (left[n] + right[n]);
    if (preDelay > 0) {
      preDelay_.push(input);
      input = preDelay_.read(preDelay);
    }
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
      const float out = line.buffer[(line.position - line.length) & line.mask];
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
      line.position = (line.position + 1) & line.mask;
    }
    // Width scales the side signal: 1 keeps the two decorrelated outputs, 0 sums them to mono.
    const float mid = 0.5f * (outL + outR), side = 0.5f * width * (outL - outR);
    const float m = wet_.next(target);
    left[n] += m * (0.35f * (mid + side) - left[n]);
    right[n] += m * (0.35f * (mid - side) - right[n]);
  }
}

// --- 3-band EQ.
void Equalizer::prepare(float sampleRate) {
  sampleRate_ = sampleRate;
  wet_.setTime(0.01f, sampleRate);
  designed_ = false;
  reset();
}

void Equalizer::reset() {
  for (Biquad& b : bands_) b.z1[0] = b.z1[1] = b.z2[0] = b.z2[1] = 0;
  wet_.value = 0;
  clear_ = true;
}

void Equalizer::process(float* left, float* right, int frames, const EqSettings& s) {
  if (!running(*this, wet_, clear_, s.on)) return;
  if (!designed_ || s.lowFreq != last_.lowFreq || s.lowGain != last_.lowGain || s.midFreq != last_.midFreq ||
      s.midGain != last_.midGain || s.midQ != last_.midQ || s.highFreq != last_.highFreq ||
      s.highGain != last_.highGain) {
    // RBJ cookbook: A = 10^(gain/40); shelves with slope S = 1, alpha = sin(w0)/2 * sqrt(2).
    const auto design = [&](Biquad& b, int kind, float freq, float gainDb, float q) {
      const double A = std::pow(10.0, gainDb / 40.0);
      const double w0 = 2 * kPiD * std::min(double(freq), 0.45 * sampleRate_) / sampleRate_;
      const double cw = std::cos(w0), sw = std::sin(w0);
      double b0, b1, b2, a0, a1, a2;
      if (kind == 1) {  // peak
        const double alpha = sw / (2 * q);
        b0 = 1 + alpha * A, b1 = -2 * cw, b2 = 1 - alpha * A;
        a0 = 1 + alpha / A, a1 = -2 * cw, a2 = 1 - alpha / A;
      } else {
        const double alpha = sw / 2 * std::sqrt(2.0), k = 2 * std::sqrt(A) * alpha;
        if (kind == 0) {  // low shelf
          b0 = A * ((A + 1) - (A - 1) * cw + k), b1 = 2 * A * ((A - 1) - (A + 1) * cw), b2 = A * ((A + 1) - (A - 1) * cw - k);
          a0 = (A + 1) + (A - 1) * cw + k, a1 = -2 * ((A - 1) + (A + 1) * cw), a2 = (A + 1) + (A - 1) * cw - k;
        } else {  // high shelf
          b0 = A * ((A + 1) + (A - 1) * cw + k), b1 = -2 * A * ((A - 1) + (A + 1) * cw), b2 = A * ((A + 1) + (A - 1) * cw - k);
          a0 = (A + 1) - (A - 1) * cw + k, a1 = 2 * ((A - 1) - (A + 1) * cw), a2 = (A + 1) - (A - 1) * cw - k;
        }
      }
      b.b0 = float(b0 / a0), b.b1 = float(b1 / a0), b.b2 = float(b2 / a0);
      b.a1 = float(a1 / a0), b.a2 = float(a2 / a0);
    };
    design(bands_[0], 0, s.lowFreq, s.lowGain, 0.707f);
    design(bands_[1], 1, s.midFreq, s.midGain, std::max(0.1f, s.midQ));
    design(bands_[2], 2, s.highFreq, s.highGain, 0.707f);
    last_ = s;
    designed_ = true;
  }
  const float target = s.on ? s.mix : 0.0f;
  float* io[2] = {left, right};
  for (int i = 0; i < frames; ++i) {
    const float m = wet_.next(target);
    for (int ch = 0; ch < 2; ++ch) {
      const float x = io[ch][i];
      float v = x;
      for (Biquad& b : bands_) {  // transposed direct form II
        const float y = b.b0 * v + b.z1[ch];
        b.z1[ch] = b.b1 * v - b.a1 * y + b.z2[ch];
        b.z2[ch] = b.b2 * v - b.a2 * y;
        v = y;
      }
      io[ch][i] = x + m * (v - x);
    }
  }
}

// --- Compressor.
float Compressor::staticCurve(float x, float threshold, float ratio, float knee) {
  const float over = x - threshold;
  if (2 * over < -knee) return x;
  if (knee > 0 && 2 * std::fabs(over) <= knee) {
    const float t = over + 0.5f * knee;
    return x + (1.0f / ratio - 1.0f) * t * t / (2 * knee);
  }
  return threshold + over / ratio;
}

void Compressor::prepare(float sampleRate) {
  sampleRate_ = sampleRate;
  wet_.setTime(0.01f, sampleRate);
  reset();
}

void Compressor::reset() {
  reductionDb_ = 0;
  wet_.value = 0;
  clear_ = true;
}

void Compressor::process(float* left, float* right, int frames, const CompressorSettings& s) {
  if (!running(*this, wet_, clear_, s.on)) return;
  const float target = s.on ? s.mix : 0.0f;
  const float attack = std::exp(-1.0f / (std::max(0.01f, s.attackMs) * 0.001f * sampleRate_));
  const float release = std::exp(-1.0f / (std::max(1.0f, s.releaseMs) * 0.001f * sampleRate_));
  const float ratio = std::max(1.0f, s.ratio), knee = std::max(0.0f, s.knee);
  const float makeup = std::pow(10.0f, s.makeup / 20.0f);
  for (int i = 0; i < frames; ++i) {
    const float peak = std::max(std::fabs(left[i]), std::fabs(right[i]));
    const float levelDb = 20.0f * std::log10(peak + 1e-12f);
    const float wanted = staticCurve(levelDb, s.threshold, ratio, knee) - levelDb;  // <= 0
    // Branching smoothing: more reduction follows at the attack time, less at the release time.
    const float coef = wanted < reductionDb_ ? attack : release;
    reductionDb_ = wanted + (reductionDb_ - wanted) * coef;
    const float gain = std::pow(10.0f, reductionDb_ / 20.0f) * makeup;
    const float m = wet_.next(target);
    left[i] += m * (left[i] * gain - left[i]);
    right[i] += m * (right[i] * gain - right[i]);
  }
}

// --- The chain.
void EffectChain::prepare(float sampleRate) {
  distortion_.prepare(sampleRate);
  chorus_.prepare(sampleRate);
  flanger_.prepare(sampleRate);
  phaser_.prepare(sampleRate);
  delay_.prepare(sampleRate);
  reverb_.prepare(sampleRate);
  eq_.prepare(sampleRate);
  compressor_.prepare(sampleRate);
}

void EffectChain::reset() {
  distortion_.reset();
  chorus_.reset();
  flanger_.reset();
  phaser_.reset();
  delay_.reset();
  reverb_.reset();
  eq_.reset();
  compressor_.reset();
}

int EffectChain::order(const float* values, EffectKind* out) {
  bool seen[int(EffectKind::Count)] = {};
  int count = 0;
  for (int slot = 0; slot < kNumEffectSlots; ++slot) {
    const int kind = std::clamp(int(values[int(effectSlotParam(slot))] + 0.5f), 0, int(EffectKind::Count) - 1);
    if (kind == int(EffectKind::None) || seen[kind]) continue;
    seen[kind] = true;
    out[count++] = static_cast<EffectKind>(kind);
  }
  return count;
}

void EffectChain::process(float* left, float* right, int frames, const float* v, float tempo) {
  const auto at = [&](Param p) { return v[int(p)]; };
  const auto on = [&](Param p) { return v[int(p)] >= 0.5f; };
  EffectKind chain[kNumEffectSlots];
  const int count = order(v, chain);
  bool ran[int(EffectKind::Count)] = {};
  for (int c = 0; c < count; ++c) {
    ran[int(chain[c])] = true;
    switch (chain[c]) {
      case EffectKind::Distortion:
        distortion_.process(left, right, frames,
                            {on(Param::DistortionOn),
                             static_cast<DistortionCurve>(std::clamp(int(at(Param::DistortionCurveParam) + 0.5f), 0, 3)),
                             at(Param::DistortionDrive), at(Param::DistortionTone), at(Param::DistortionMix)});
        break;
      case EffectKind::Chorus:
        chorus_.process(left, right, frames,
                        {on(Param::ChorusOn), at(Param::ChorusRate), at(Param::ChorusDepth), at(Param::ChorusMix)});
        break;
      case EffectKind::Flanger:
        flanger_.process(left, right, frames,
                         {on(Param::FlangerOn), at(Param::FlangerRate), at(Param::FlangerDepth),
                          at(Param::FlangerFeedback), at(Param::FlangerMix)});
        break;
      case EffectKind::Phaser:
        phaser_.process(left, right, frames,
                        {on(Param::PhaserOn), at(Param::PhaserRate), at(Param::PhaserDepth), at(Param::PhaserCenter),
                         at(Param::PhaserFeedback), at(Param::PhaserMix)});
        break;
      case EffectKind::Delay: {
        const int sync = std::clamp(int(at(Param::DelaySync) + 0.5f), 0, int(std::size(kTempoSyncBeats)) - 1);
        const float time = sync == 0 ? at(Param::DelayTime)
                                     : std::min(StereoDelay::kMaxSeconds, kTempoSyncBeats[sync] * 60.0f / tempo);
        delay_.process(left, right, frames,
                       {on(Param::DelayOn), time, at(Param::DelayFeedback), at(Param::DelayDamping),
                        at(Param::DelayLowCut), at(Param::DelayMix), on(Param::DelayPingPong)});
        break;
      }
      case EffectKind::Reverb:
        reverb_.process(left, right, frames,
                        {on(Param::ReverbOn), at(Param::ReverbSize), at(Param::ReverbDecay), at(Param::ReverbDamping),
                         at(Param::ReverbPreDelay), at(Param::ReverbWidth), at(Param::ReverbMix)});
        break;
      case EffectKind::Eq:
        eq_.process(left, right, frames,
                    {on(Param::EqOn), at(Param::EqLowFreq), at(Param::EqLowGain), at(Param::EqMidFreq),
                     at(Param::EqMidGain), at(Param::EqMidQ), at(Param::EqHighFreq), at(Param::EqHighGain),
                     at(Param::EqMix)});
        break;
      case EffectKind::Compressor:
        compressor_.process(left, right, frames,
                            {on(Param::CompOn), at(Param::CompThreshold), at(Param::CompRatio), at(Param::CompKnee),
                             at(Param::CompAttack), at(Param::CompRelease), at(Param::CompMakeup), at(Param::CompMix)});
        break;
      case EffectKind::None:
      case EffectKind::Count: break;
    }
  }
  // An effect taken out of the chain stops at once and is cleared, so that a later return to the
  // chain does not replay an old tail.
  if (!ran[int(EffectKind::Distortion)]) distortion_.stop();
  if (!ran[int(EffectKind::Chorus)]) chorus_.stop();
  if (!ran[int(EffectKind::Flanger)]) flanger_.stop();
  if (!ran[int(EffectKind::Phaser)]) phaser_.stop();
  if (!ran[int(EffectKind::Delay)]) delay_.stop();
  if (!ran[int(EffectKind::Reverb)]) reverb_.stop();
  if (!ran[int(EffectKind::Eq)]) eq_.stop();
  if (!ran[int(EffectKind::Compressor)]) compressor_.stop();
}

}  // namespace midistems::synth
