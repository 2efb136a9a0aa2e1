#include "synth/dsp/wavetables.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <functional>
#include <mutex>
#include <numbers>

namespace midistems::synth::dsp {

Wavetable::Wavetable(std::vector<std::unique_ptr<MipTable>> frames) : frames_(std::move(frames)) {}

Wavetable::Morph Wavetable::morph(float position) const {
  const int last = frameCount() - 1;
  if (last <= 0) return {frames_[0].get(), frames_[0].get(), 0.0f};
  const float x = std::clamp(position, 0.0f, 1.0f) * float(last);
  const int first = std::min(static_cast<int>(x), last - 1);
  return {frames_[static_cast<size_t>(first)].get(), frames_[static_cast<size_t>(first) + 1].get(),
          x - float(first)};
}

namespace {

using Spectrum = std::vector<std::complex<float>>;

// Harmonic amplitudes with sine phases (each harmonic starts at zero, rising).
Spectrum sineSpectrum(const std::vector<float>& amplitudes) {
  Spectrum s(amplitudes.size());
  for (size_t h = 1; h < amplitudes.size(); ++h) s[h] = std::complex<float>(0.0f, -amplitudes[h]);
  return s;
}

// Scales every level so that the brightest one peaks at 1: frames of one table then have
// comparable levels whatever their recipe.
std::unique_ptr<MipTable> normalised(std::unique_ptr<MipTable> table) {
  float peak = 0.0f;
  for (float v : table->levels[0]) peak = std::max(peak, std::abs(v));
  if (peak > 0.0f)
    for (auto& level : table->levels)
      for (float& v : level) v /= peak;
  return table;
}

std::unique_ptr<MipTable> frameFromCycle(const std::function<float(double)>& shape) {
  // 8x the table size: the sampled cycle's own aliasing lands on harmonics above 8000 and folds
  // back at an amplitude far below that of the harmonics kept (<= 1024).
  constexpr int kPoints = kTableSize * 8;
  std::vector<float> cycle(kPoints);
  for (int n = 0; n < kPoints; ++n) cycle[static_cast<size_t>(n)] = shape(double(n) / kPoints);
  return normalised(MipTable::fromCycle(cycle));
}

std::vector<float> sawAmplitudes(float harmonicCount, bool oddOnly) {
  std::vector<float> a(static_cast<size_t>(kMaxHarmonics) + 1, 0.0f);
  for (int h = 1; h <= kMaxHarmonics; ++h) {
    if (oddOnly && h % 2 == 0) continue;
    const float rank = oddOnly ? float((h + 1) / 2) : float(h);
    // Partial harmonics fade in as the count grows, so adjacent frames differ smoothly.
    a[static_cast<size_t>(h)] = std::clamp(harmonicCount - rank + 1.0f, 0.0f, 1.0f) / float(h);
  }
  return a;
}

// Magnitude of a two-pole resonance at `centre` Hz with bandwidth `width` Hz, evaluated at f.
float resonance(float f, float centre, float width) {
  const float x = f / centre;
  const float d = width / centre;
  return 1.0f / std::sqrt((1.0f - x * x) * (1.0f - x * x) + d * d * x * x);
}

// A glottal-like buzz (1/h) at `pitch` Hz through formant resonances: harmonic amplitudes.
std::vector<float> formantAmplitudes(float pitch, const std::array<float, 3>& formants) {
  // Bandwidths of the first three formants of a male voice, roughly 60-120 Hz (Fant 1960).
  constexpr std::array<float, 3> kWidths = {80.0f, 100.0f, 120.0f};
  std::vector<float> a(static_cast<size_t>(kMaxHarmonics) + 1, 0.0f);
  const int top = std::min(kMaxHarmonics, static_cast<int>(6000.0f / pitch));
  for (int h = 1; h <= top; ++h) {
    const float f = pitch * float(h);
    float gain = 0.0f;
    for (size_t k = 0; k < 3; ++k) gain += resonance(f, formants[k], kWidths[k]) / float(k + 1);
    a[static_cast<size_t>(h)] = gain / float(h);
  }
  return a;
}

std::unique_ptr<MipTable> frameFromAmplitudes(const std::vector<float>& amplitudes) {
  return normalised(MipTable::fromSpectrum(sineSpectrum(amplitudes)));
}

// Position of frame f of kWavetableFrames in [0, 1].
float framePosition(int f) { return float(f) / float(kWavetableFrames - 1); }

std::unique_ptr<MipTable> buildFrame(BuiltinWavetable which, int f) {
  const float x = framePosition(f);
  switch (which) {
    case BuiltinWavetable::BasicShapes: {
      const MipTable* shapes[4] = {&basicTable(BasicShape::Sine), &basicTable(BasicShape::Triangle),
                                   &basicTable(BasicShape::Saw), &basicTable(BasicShape::Square)};
      const float s = x * 3.0f;
      const int a = std::min(static_cast<int>(s), 2);
      const float w = s - float(a);
      auto table = std::make_unique<MipTable>();
      for (size_t l = 0; l < table->levels.size(); ++l)
        for (size_t n = 0; n < table->levels[l].size(); ++n)
          table->levels[l][n] = (1.0f - w) * shapes[a]->levels[l][n] + w * shapes[a + 1]->levels[l][n];
      return table;
    }
    case BuiltinWavetable::PwmSweep: {
      const double width = 0.5 - 0.47 * x;
      return frameFromCycle([width](double p) { return p < width ? 1.0f : -1.0f; });
    }
    case BuiltinWavetable::Vowels: {
      // Average formants F1-F3 of men (Peterson & Barney 1952) for a, e, i, o, u.
      constexpr std::array<std::array<float, 3>, 5> kVowels = {{{730, 1090, 2440},
                                                                {530, 1840, 2480},
                                                                {270, 2290, 3010},
                                                                {570, 840, 2410},
                                                                {300, 870, 2240}}};
      const float s = x * 4.0f;
      const int a = std::min(static_cast<int>(s), 3);
      const float w = s - float(a);
      std::array<float, 3> formants{};
      for (size_t k = 0; k < 3; ++k)
        formants[k] = (1.0f - w) * kVowels[static_cast<size_t>(a)][k] + w * kVowels[static_cast<size_t>(a) + 1][k];
      return frameFromAmplitudes(formantAmplitudes(110.0f, formants));
    }
    case BuiltinWavetable::Organ: {
      // Drawbars 8', 4', 2 2/3', 2', 1 3/5', 1 1/3', 1' = harmonics 1, 2, 3, 4, 5, 6, 8; a drawbar
      // step is 3 dB (Hammond). Registrations from a flute 8' to full organ.
      constexpr std::array<int, 7> kHarmonic = {1, 2, 3, 4, 5, 6, 8};
      constexpr std::array<std::array<int, 7>, 4> kRegistrations = {{{8, 0, 0, 0, 0, 0, 0},
                                                                     {8, 8, 6, 0, 0, 0, 0},
                                                                     {8, 8, 8, 6, 4, 0, 4},
                                                                     {8, 8, 8, 8, 8, 8, 8}}};
      const float s = x * 3.0f;
      const int a = std::min(static_cast<int>(s), 2);
      const float w = s - float(a);
      std::vector<float> amps(static_cast<size_t>(kMaxHarmonics) + 1, 0.0f);
      for (size_t d = 0; d < 7; ++d) {
        auto level = [](int step) { return step == 0 ? 0.0f : std::pow(10.0f, -3.0f * float(8 - step) / 20.0f); };
        amps[static_cast<size_t>(kHarmonic[d])] = (1.0f - w) * level(kRegistrations[static_cast<size_t>(a)][d]) +
                                                  w * level(kRegistrations[static_cast<size_t>(a) + 1][d]);
      }
      return frameFromAmplitudes(amps);
    }
    case BuiltinWavetable::BellFm: {
      const double index = 6.0 * x;
      return frameFromCycle([index](double p) {
        const double t = 2.0 * std::numbers::pi * p;
        return float(std::sin(t + index * (std::sin(3.0 * t) + 0.5 * std::sin(7.0 * t))));
      });
    }
    case BuiltinWavetable::HarmonicSweep:
      return frameFromAmplitudes(sawAmplitudes(std::pow(2.0f, 6.0f * x), false));
    case BuiltinWavetable::OddSweep:
      return frameFromAmplitudes(sawAmplitudes(std::pow(2.0f, 6.0f * x), true));
    case BuiltinWavetable::SyncSweep: {
      const double ratio = 1.0 + 5.0 * x;
      return frameFromCycle([ratio](double p) {
        const double slave = p * ratio - std::floor(p * ratio);
        return float(2.0 * slave - 1.0);
      });
    }
    case BuiltinWavetable::FormantSweep: {
      const float centre = 300.0f * std::pow(10.0f, x);
      std::vector<float> amps(static_cast<size_t>(kMaxHarmonics) + 1, 0.0f);
      for (int h = 1; h <= kMaxHarmonics; ++h)
        amps[static_cast<size_t>(h)] = resonance(110.0f * float(h), centre, centre / 8.0f) / float(h);
      return frameFromAmplitudes(amps);
    }
    case BuiltinWavetable::Digital: {
      // Casio CZ "phase distortion": the cosine's phase runs fast until `knee`, then slowly.
      const double knee = 0.5 - 0.475 * x;
      return frameFromCycle([knee](double p) {
        const double warped = p < knee ? 0.5 * p / knee : 0.5 + 0.5 * (p - knee) / (1.0 - knee);
        return float(-std::cos(2.0 * std::numbers::pi * warped));
      });
    }
  }
  return nullptr;
}

std::unique_ptr<Wavetable> buildTable(BuiltinWavetable which) {
  std::vector<std::unique_ptr<MipTable>> frames;
  for (int f = 0; f < kWavetableFrames; ++f) frames.push_back(buildFrame(which, f));
  return std::make_unique<Wavetable>(std::move(frames));
}

}  // namespace

const Wavetable& builtinWavetable(BuiltinWavetable which) {
  // One lazily built slot per table: a program that uses two tables builds two.
  static std::array<std::unique_ptr<Wavetable>, kBuiltinWavetableCount> tables;
  static std::array<std::once_flag, kBuiltinWavetableCount> once;
  const auto index = static_cast<size_t>(which);
  std::call_once(once[index], [&] { tables[index] = buildTable(which); });
  return *tables[index];
}

std::string_view builtinWavetableName(BuiltinWavetable which) {
  switch (which) {
    case BuiltinWavetable::BasicShapes: return "basic-shapes";
    case BuiltinWavetable::PwmSweep: return "pwm-sweep";
    case BuiltinWavetable::Vowels: return "vowels";
    case BuiltinWavetable::Organ: return "organ";
    case BuiltinWavetable::BellFm: return "bell-fm";
    case BuiltinWavetable::HarmonicSweep: return "harmonic-sweep";
    case BuiltinWavetable::OddSweep: return "odd-sweep";
    case BuiltinWavetable::SyncSweep: return "sync-sweep";
    case BuiltinWavetable::FormantSweep: return "formant-sweep";
    case BuiltinWavetable::Digital: return "digital";
  }
  return "unknown";
}

}  // namespace midistems::synth::dsp
