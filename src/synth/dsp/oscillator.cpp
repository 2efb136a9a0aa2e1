#include "synth/dsp/oscillator.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <vector>

#include "core/fft.h"
#include "synth/dsp/min_blep.h"

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace midistems::synth::dsp {

namespace {

constexpr int kFracBits = 32 - kTableBits;  // phase bits below the table index
constexpr std::uint32_t kFracMask = (1u << kFracBits) - 1u;
constexpr float kFracScale = 1.0f / float(1u << kFracBits);
constexpr double kPhaseUnit = 4294967296.0;  // one cycle in 32-bit fixed point
constexpr double kSyncHeadroom = 2.0;

std::uint32_t toFixedPhase(double cycles) {
  const double wrapped = cycles - std::floor(cycles);
  return static_cast<std::uint32_t>(static_cast<std::uint64_t>(wrapped * kPhaseUnit));
}

static_assert(kBlepSamples <= 64, "blepCarry_ holds 64 samples");

// ---- table reading -----------------------------------------------------------------------------
// What one block reads: up to four tables read at the same phase (plus one offset), weighted.
struct ReadPlan {
  int taps = 0;
  const float* table[4] = {};
  float weight[4] = {};
  // Pulse: a second pair of taps read at a phase offset.
  int offsetTaps = 0;
  const float* offsetTable[2] = {};
  float offsetWeight[2] = {};
  std::uint32_t offset = 0;
};

// Linear interpolation in up to four tables at one phase, weighted and summed: one output sample.
template <int kTaps>
inline float readOne(std::uint32_t p, const float* const* t, const float* w) {
  const auto index = static_cast<std::int32_t>(p >> kFracBits);
  const float frac = float(static_cast<std::int32_t>(p & kFracMask)) * kFracScale;
  float acc = 0.0f;
  for (int k = 0; k < kTaps; ++k) {
    const float a = t[k][index];
    const float b = t[k][index + 1];
    acc += w[k] * (a + frac * (b - a));
  }
  return acc;
}

template <int kTaps>
void readTables(const std::uint32_t* phases, int n, const float* const* tables,
                const float* weights, std::uint32_t offset, bool accumulate, float* out) {
  const float* t[kTaps];
  float w[kTaps];
  for (int k = 0; k < kTaps; ++k) {
    t[k] = tables[k];
    w[k] = weights[k];
  }
  int i = 0;
#if defined(__AVX2__)
  // Eight samples at a time with gathers (GCC does not vectorise the table reads by itself).
  const __m256i mask = _mm256_set1_epi32(static_cast<int>(kFracMask));
  const __m256i shift = _mm256_set1_epi32(static_cast<int>(offset));
  const __m256 scale = _mm256_set1_ps(kFracScale);
  for (; i + 8 <= n; i += 8) {
    const __m256i p = _mm256_add_epi32(
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(phases + i)), shift);
    const __m256i index = _mm256_srli_epi32(p, kFracBits);
    const __m256 frac = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_and_si256(p, mask)), scale);
    __m256 acc = accumulate ? _mm256_loadu_ps(out + i) : _mm256_setzero_ps();
    for (int k = 0; k < kTaps; ++k) {
      const __m256 a = _mm256_i32gather_ps(t[k], index, 4);
      const __m256 b = _mm256_i32gather_ps(t[k] + 1, index, 4);
      const __m256 v = _mm256_fmadd_ps(frac, _mm256_sub_ps(b, a), a);
      acc = _mm256_fmadd_ps(_mm256_set1_ps(w[k]), v, acc);
    }
    _mm256_storeu_ps(out + i, acc);
  }
#endif
  for (; i < n; ++i) {
    const float v = readOne<kTaps>(phases[i] + offset, t, w);
    out[i] = accumulate ? out[i] + v : v;
  }
}

void readDispatch(int taps, const std::uint32_t* phases, int n, const float* const* tables,
                  const float* weights, std::uint32_t offset, bool accumulate, float* out) {
  switch (taps) {
    case 1: readTables<1>(phases, n, tables, weights, offset, accumulate, out); break;
    case 2: readTables<2>(phases, n, tables, weights, offset, accumulate, out); break;
    default: readTables<4>(phases, n, tables, weights, offset, accumulate, out); break;
  }
}

void readPlan(const ReadPlan& plan, const std::uint32_t* phases, int n, float* out) {
  readDispatch(plan.taps, phases, n, plan.table, plan.weight, 0, false, out);
  if (plan.offsetTaps > 0)
    readDispatch(plan.offsetTaps, phases, n, plan.offsetTable, plan.offsetWeight, plan.offset,
                 true, out);
}

float valueAt(const ReadPlan& plan, std::uint32_t phase) {
  float v = 0.0f;
  readPlan(plan, &phase, 1, &v);
  return v;
}

// Pink noise: the lowest one-pole corner; the others follow at octaves (10 Hz ... 10.24 kHz).
constexpr float kPinkLowestCornerHz = 10.0f;

std::uint32_t nextRandom(std::uint32_t& state) {
  // xorshift32 (Marsaglia 2003): period 2^32 - 1, plenty for audio noise.
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

float randomBipolar(std::uint32_t& state) {
  return float(static_cast<std::int32_t>(nextRandom(state))) * (1.0f / 2147483648.0f);
}

}  // namespace

Oscillator::Oscillator() { prepare(48000.0); }

void Oscillator::prepare(double sampleRate) {
  sampleRate_ = sampleRate;
  for (int s = 0; s < 4; ++s) basicTable(static_cast<BasicShape>(s));
  minBlep();
  if (wavetable_ == nullptr) wavetable_ = &builtinWavetable(BuiltinWavetable::BasicShapes);
  phase_ = startPhase_;
  haveIncrement_ = false;
  carriedWrap_ = 1.0f;
  blepCarry_.fill(0.0f);
  blepPending_ = false;
  pink_.fill(0.0f);
  // Weights a_k^2 proportional to 1 / f_k make the summed power spectrum fall as 1/f.
  double variance = 0.0;
  for (size_t k = 0; k < pink_.size(); ++k) {
    const double corner = kPinkLowestCornerHz * std::pow(2.0, double(k));
    const double c = 1.0 - std::exp(-2.0 * 3.14159265358979 * std::min(corner, 0.45 * sampleRate) / sampleRate);
    pinkCoefficient_[k] = float(c);
    pinkWeight_[k] = float(std::sqrt(kPinkLowestCornerHz / corner));
  }
  // All filters hear the same white noise (variance 1/3), so the output variance is the energy of
  // the summed impulse response, sum_n (sum_k w_k c_k (1 - c_k)^n)^2, in closed form.
  for (size_t j = 0; j < pink_.size(); ++j)
    for (size_t k = 0; k < pink_.size(); ++k) {
      const double cj = pinkCoefficient_[j], ck = pinkCoefficient_[k];
      variance += double(pinkWeight_[j]) * pinkWeight_[k] * cj * ck / (1.0 - (1.0 - cj) * (1.0 - ck)) / 3.0;
    }
  // Scale to an RMS of 0.25 (peaks near 1).
  const float scale = float(0.25 / std::sqrt(variance));
  for (float& w : pinkWeight_) w *= scale;
}

void Oscillator::setWaveform(Waveform waveform) { waveform_ = waveform; }
void Oscillator::setWavetable(const Wavetable* table) {
  wavetable_ = table ? table : &builtinWavetable(BuiltinWavetable::BasicShapes);
}
void Oscillator::setWavetablePosition(float position) {
  wavetablePosition_ = std::clamp(position, 0.0f, 1.0f);
}
void Oscillator::setPulseWidth(float width) { pulseWidth_ = std::clamp(width, 0.01f, 0.99f); }
void Oscillator::setPhase(float cycles) {
  startPhase_ = toFixedPhase(cycles);
  phase_ = startPhase_;
}
float Oscillator::phase() const { return float(double(phase_) / kPhaseUnit); }
void Oscillator::setNoiseSeed(std::uint32_t seed) { noiseState_ = seed ? seed : 0x9E3779B9u; }

void Oscillator::render(float* out, int n, float freqHz) { render(out, n, freqHz, {}); }

void Oscillator::render(float* out, int n, float freqHz, const OscillatorModulation& mod) {
  n = std::clamp(n, 0, kMaxBlockSize);
  if (n == 0) return;
  if (mod.syncTo) mod.syncTo->count = 0;
  if (waveform_ == Waveform::WhiteNoise || waveform_ == Waveform::PinkNoise) {
    renderNoise(out, n);
    return;
  }
  const double toIncrement = kPhaseUnit / sampleRate_;
  auto increment = [&](float hz) {
    // Frequencies outside [0, Nyquist], NaN included, are clamped (a NaN becomes 0 Hz).
    const double inc = (hz > 0.0f ? std::min(double(hz), 0.5 * sampleRate_) : 0.0) * toIncrement;
    return static_cast<std::uint32_t>(std::min(inc + 0.5, 2147483648.0));
  };
  std::uint32_t incs[kMaxBlockSize];
  if (mod.frequencyHz) {
    for (int i = 0; i < n; ++i) incs[i] = increment(mod.frequencyHz[i]);
    lastIncrement_ = incs[n - 1];
    haveIncrement_ = true;
    renderTable(out, n, incs, nullptr, mod);
    return;
  }
  // A linear glide in whole increment units: increment i is start + step (i + 1). Integer
  // arithmetic keeps the phase of every sample in closed form (see renderTable); the glide's end
  // misses the target by less than n units (1e-9 of the frequency), and the next block starts
  // from the target exactly.
  const std::uint32_t target = increment(freqHz);
  const std::uint32_t start = haveIncrement_ ? lastIncrement_ : target;
  const auto step = static_cast<std::int32_t>((std::int64_t(target) - std::int64_t(start)) / n);
  for (int i = 0; i < n; ++i) incs[i] = start + static_cast<std::uint32_t>(step) * static_cast<std::uint32_t>(i + 1);
  lastIncrement_ = target;
  haveIncrement_ = true;
  const Glide glide{start, static_cast<std::uint32_t>(step)};
  renderTable(out, n, incs, &glide, mod);
}

// The general phase loop: per-sample increments, hard-sync resets from a master (recorded for
// the minBLEP) and this oscillator's own wraps (recorded for its slaves).
void Oscillator::advancePhases(std::uint32_t& p, std::uint32_t* phases, int n, const std::uint32_t* incs,
                               std::uint32_t restart, float* resetTime, std::uint32_t* resetFrom,
                               int& resets, const OscillatorModulation& mod) {
  int nextEvent = 0;
  const SyncEvents* sync = mod.syncFrom;
  SyncEvents* wraps = mod.syncTo;
  if (wraps && carriedWrap_ <= 0.0f) wraps->time[static_cast<size_t>(wraps->count++)] = carriedWrap_;
  carriedWrap_ = 1.0f;
  for (int i = 0; i < n; ++i) {
    while (sync && nextEvent < sync->count && sync->time[static_cast<size_t>(nextEvent)] <= float(i)) {
      const float t = std::max(sync->time[static_cast<size_t>(nextEvent++)], float(i) - 1.0f);
      const float since = float(i) - t;  // samples from the reset to this sample, in [0, 1)
      const auto advance = static_cast<std::uint32_t>(since * float(incs[i]));
      resetTime[resets] = t;
      resetFrom[resets++] = p - advance;
      p = restart + advance;
    }
    phases[i] = p;
    const std::uint32_t next = p + incs[i];
    if (wraps && next < p && incs[i] > 0) {
      const float t = float(i) + float(double(0x100000000ull - p) / double(incs[i]));
      if (i + 1 < n) {
        wraps->time[static_cast<size_t>(wraps->count++)] = t;
      } else {
        carriedWrap_ = t - float(n);
      }
    }
    p = next;
  }
}

// GCC cannot see that the phase loop fills phases[0..n) before readPlan() reads it.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
void Oscillator::renderTable(float* out, int n, const std::uint32_t* incs, const Glide* glide,
                             const OscillatorModulation& mod) {
  // The mip level is chosen for the block's highest frequency so that no sample aliases.
  std::uint32_t maxInc = 0;
  for (int i = 0; i < n; ++i) maxInc = std::max(maxInc, incs[i]);
  // A synced slave reads a duller level (as if an octave higher): restarting the cycle smears each
  // harmonic by the sync gating, and the kinks it leaves (which the minBLEP does not correct) alias
  // in proportion to the slope of the highest harmonics, so those must stay well below Nyquist.
  const double syncHeadroom = mod.syncFrom ? kSyncHeadroom : 1.0;
  const MipChoice mip = chooseMip(float(syncHeadroom * double(maxInc) / kPhaseUnit));
  const auto lv = static_cast<size_t>(mip.level);
  const auto nx = static_cast<size_t>(mip.nextLevel);
  const float keep = 1.0f - mip.fade;

  ReadPlan plan;
  auto pair = [&](const MipTable& t, float scale, const float** tables, float* weights) {
    tables[0] = t.levels[lv].data();
    tables[1] = t.levels[nx].data();
    weights[0] = scale * keep;
    weights[1] = scale * mip.fade;
  };
  switch (waveform_) {
    case Waveform::Sine:  // every level holds the same sine
      plan.taps = 1;
      plan.table[0] = basicTable(BasicShape::Sine).levels[0].data();
      plan.weight[0] = 1.0f;
      break;
    case Waveform::Saw: plan.taps = 2; pair(basicTable(BasicShape::Saw), 1.0f, plan.table, plan.weight); break;
    case Waveform::Square: plan.taps = 2; pair(basicTable(BasicShape::Square), 1.0f, plan.table, plan.weight); break;
    case Waveform::Triangle: plan.taps = 2; pair(basicTable(BasicShape::Triangle), 1.0f, plan.table, plan.weight); break;
    case Waveform::Pulse: {
      // saw(p + 1 - w) - saw(p) is 2 - 2w for the first w of the cycle and -2w after: a pulse
      // with zero mean and the square's peak-to-peak height of 2.
      plan.taps = 2;
      pair(basicTable(BasicShape::Saw), -1.0f, plan.table, plan.weight);
      plan.offsetTaps = 2;
      pair(basicTable(BasicShape::Saw), 1.0f, plan.offsetTable, plan.offsetWeight);
      plan.offset = toFixedPhase(1.0 - pulseWidth_);
      break;
    }
    case Waveform::Wavetable: {
      const Wavetable::Morph m = wavetable_->morph(wavetablePosition_);
      pair(*m.first, 1.0f - m.weight, plan.table, plan.weight);
      if (m.weight > 0.0f) {
        pair(*m.second, m.weight, plan.table + 2, plan.weight + 2);
        plan.taps = 4;
      } else {
        plan.taps = 2;
      }
      break;
    }
    default: break;
  }

  std::uint32_t phases[kMaxBlockSize];
  // Hard-sync resets found while advancing the phase: when, and the phase just before.
  float resetTime[kMaxBlockSize];
  std::uint32_t resetFrom[kMaxBlockSize];
  int resets = 0;
  // Hard sync restarts the cycle where the band-limited table is smooth, so that the step the
  // minBLEP corrects is the only discontinuity: mid-ramp for the saw, mid-plateau for the square and
  // pulse (their tables hold band-limited edges at the naive discontinuities, and restarting inside
  // one would play half an edge). Sine, triangle and wavetables restart at the start phase itself.
  std::uint32_t restart = startPhase_;
  if (waveform_ == Waveform::Saw) restart += 0x80000000u;
  if (waveform_ == Waveform::Square) restart += 0x40000000u;
  if (waveform_ == Waveform::Pulse) restart += toFixedPhase(0.5 * pulseWidth_);
  std::uint32_t p = phase_;
  if (glide && !mod.syncFrom && !mod.syncTo && carriedWrap_ > 0.0f) {
    // Closed form of the running sum (mod 2^32), free of the loop-carried dependency:
    // phase i = p0 + i start + step i (i + 1) / 2.
    for (int i = 0; i < n; ++i) {
      const auto u = static_cast<std::uint32_t>(i);
      phases[i] = p + u * glide->start + glide->step * ((u * (u + 1u)) >> 1);
    }
    const auto un = static_cast<std::uint32_t>(n);
    p += un * glide->start + glide->step * ((un * (un + 1u)) >> 1);
  } else {
    advancePhases(p, phases, n, incs, restart, resetTime, resetFrom, resets, mod);
  }
  phase_ = p;

  if (mod.phaseOffset) {
    std::uint32_t shifted[kMaxBlockSize];
    // Offsets of any size wrap modulo one cycle through the 64-bit conversion (|offset| < 2^31).
    for (int i = 0; i < n; ++i)
      shifted[i] = phases[i] + static_cast<std::uint32_t>(
                                   static_cast<std::int64_t>(double(mod.phaseOffset[i]) * kPhaseUnit));
    readPlan(plan, shifted, n, out);
  } else {
    readPlan(plan, phases, n, out);
  }

  if (resets == 0 && !blepPending_) return;
  // Band-limit every reset's step with the minBLEP residual; corrections past the block carry on.
  float pending[kMaxBlockSize + kBlepSamples] = {};
  std::copy(blepCarry_.begin(), blepCarry_.end(), pending);
  const BlepTable& blep = minBlep();
  for (int r = 0; r < resets; ++r) {
    const int first = static_cast<int>(std::ceil(resetTime[r]));
    const std::uint32_t pm =
        mod.phaseOffset ? toFixedPhase(mod.phaseOffset[std::clamp(first, 0, n - 1)]) : 0u;
    const std::uint32_t after = restart + pm, before = resetFrom[r] + pm;
    const float jump = valueAt(plan, after) - valueAt(plan, before);
    // Slopes per sample on both sides, by central differences one table step wide.
    constexpr std::uint32_t kStep = 1u << kFracBits;
    const float perSample = float(incs[std::clamp(first, 0, n - 1)]) * (float(kTableSize) / 2.0f / float(kPhaseUnit));
    const float va = valueAt(plan, after), vb = valueAt(plan, before);
    const float aPlus = valueAt(plan, after + kStep), aMinus = valueAt(plan, after - kStep);
    const float bPlus = valueAt(plan, before + kStep), bMinus = valueAt(plan, before - kStep);
    const float kink = perSample * ((aPlus - aMinus) - (bPlus - bMinus));
    // Second differences: curvature per sample^2 (one table step is 2 perSample / inc... squared).
    const float bend = 4.0f * perSample * perSample * ((aPlus - 2.0f * va + aMinus) - (bPlus - 2.0f * vb + bMinus));
    for (int m = 0; m < kBlepSamples; ++m) {
      const int index = first + m;
      if (index < 0) continue;
      const float since = float(index) - resetTime[r];
      pending[index] += jump * blep.at(since) + kink * blep.kinkAt(since) + bend * blep.bendAt(since);
    }
  }
  for (int i = 0; i < n; ++i) out[i] += pending[i];
  bool any = false;
  for (int j = 0; j < kBlepSamples; ++j) {
    blepCarry_[static_cast<size_t>(j)] = pending[n + j];
    any = any || pending[n + j] != 0.0f;
  }
  blepPending_ = any;
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

void Oscillator::renderNoise(float* out, int n) {
  if (waveform_ == Waveform::WhiteNoise) {
    for (int i = 0; i < n; ++i) out[i] = randomBipolar(noiseState_);
    return;
  }
  for (int i = 0; i < n; ++i) {
    const float white = randomBipolar(noiseState_);
    float sum = 0.0f;
    for (size_t k = 0; k < pink_.size(); ++k) {
      pink_[k] += pinkCoefficient_[k] * (white - pink_[k]);
      sum += pinkWeight_[k] * pink_[k];
    }
    out[i] = sum;
  }
}

void ringModulate(float* out, const float* modulator, int n) {
  for (int i = 0; i < n; ++i) out[i] *= modulator[i];
}

}  // namespace midistems::synth::dsp
