// Every factory preset plays: a C major scale and a C major chord render to finite, audible audio
// below 0 dBFS, each scale note's pitch (subharmonic summation over its spectrum) is the played
// note's pitch class, in one octave for the whole scale (presets may sound an octave or two away
// from the key, like a 16' bass), and the chord's three notes stand out of its spectrum. The drum
// kit's hits start at the played times.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "dsp/measure.h"
#include "synth/drum_kit.h"
#include "synth/preset.h"
#include "synth_test_util.h"

namespace midistems::synth {
namespace {

using namespace midistems::synth::testing;
using dsp::testing::magnitudeSpectrum;
constexpr float kRate = 48000;
constexpr int kScale[] = {60, 62, 64, 65, 67, 69, 71, 72};
constexpr int kChord[] = {60, 64, 67};

double hzOf(double note) { return 440.0 * std::exp2((note - 69.0) / 12.0); }

std::vector<float> monoMix(const Stereo& s) {
  std::vector<float> m(s.left.size());
  for (size_t i = 0; i < m.size(); ++i) m[i] = 0.5f * (s.left[i] + s.right[i]);
  return m;
}

void expectPlayable(const Stereo& out, const std::string& what) {
  bool finite = true;
  for (size_t i = 0; i < out.left.size(); ++i) finite = finite && std::isfinite(out.left[i]) && std::isfinite(out.right[i]);
  EXPECT_TRUE(finite) << what;
  const float peak = std::max(peakOf(out.left), peakOf(out.right));
  EXPECT_LT(peak, 1.0f) << what;
  EXPECT_GT(peak, 0.01f) << what;
}

// Linear interpolation of a magnitude spectrum at `hz`.
double magnitudeAt(const std::vector<double>& mag, double hz, double binHz) {
  const double k = hz / binHz;
  const size_t i = size_t(k);
  if (i + 1 >= mag.size()) return 0;
  return mag[i] + (k - double(i)) * (mag[i + 1] - mag[i]);
}

// Pitch by subharmonic summation (Hermes 1988): the candidate whose first 12 harmonics, weighted
// 0.84^(h-1), hold the most magnitude; candidates 25 Hz .. 2 kHz in 5-cent steps. In MIDI notes.
double pitchOf(const std::vector<float>& x) {
  const auto mag = magnitudeSpectrum(x.data(), int(x.size()));
  const double binHz = kRate / double(x.size());
  double best = 0, bestNote = 0;
  for (double note = 19; note < 107; note += 0.05) {
    const double f0 = hzOf(note);
    double score = 0, weight = 1;
    for (int h = 1; h <= 12 && h * f0 < 20000; ++h, weight *= 0.84) score += weight * magnitudeAt(mag, h * f0, binHz);
    if (score > best) best = score, bestNote = note;
  }
  return bestNote;
}

TEST(FactoryPresets, EveryPresetPlaysAScaleAndAChordInTune) {
  for (const auto& name : factoryPresetNames()) {
    const Preset preset = factoryPreset(name);
    if (preset.drumKit) continue;
    SCOPED_TRACE(name);
    // The scale as one performance: 0.4 s per note, then the tails.
    {
      Synth synth;
      synth.prepare(kRate);
      synth.setPatch(preset.patch);
      std::vector<TimedEvent> events;
      for (int i = 0; i < 8; ++i) {
        events.push_back(noteOn(int64_t(i) * 19200, kScale[i], 100));
        events.push_back(noteOff(int64_t(i) * 19200 + 18000, kScale[i]));
      }
      expectPlayable(renderEvents(synth, events, 8 * 19200 + 96000, 128), "scale");
    }
    // Each scale note's pitch, alone, 0.1 s after its start.
    int octave = 99;
    std::string pitches;
    for (int note : kScale) {
      Synth synth;
      synth.prepare(kRate);
      synth.setPatch(preset.patch);
      const auto out = monoMix(renderEvents(synth, {noteOn(0, note, 100)}, 4800 + 16384, 256));
      const double pitch = pitchOf(std::vector<float>(out.begin() + 4800, out.end()));
      const double offset = pitch - note;
      const int octaves = int(std::lround(offset / 12));
      EXPECT_NEAR(offset, 12.0 * octaves, 0.3) << "note " << note << " sounds at " << pitch;
      if (octave == 99) octave = octaves;
      EXPECT_EQ(octaves, octave) << "note " << note << " sounds at " << pitch;
      char text[16];
      std::snprintf(text, sizeof text, " %.2f", pitch);
      pitches += text;
    }
    // The chord: its notes stand 10 dB above the semitones either side of them (a mono or legato
    // preset plays the last one).
    const bool mono = preset.patch.choice(Param::VoiceModeParam) != int(VoiceMode::Poly);
    Synth synth;
    synth.prepare(kRate);
    synth.setPatch(preset.patch);
    std::vector<TimedEvent> events;
    for (int note : kChord) events.push_back(noteOn(0, note, 100)), events.push_back(noteOff(72000, note));
    const Stereo chord = renderEvents(synth, events, 72000 + 96000, 128);
    expectPlayable(chord, "chord");
    const auto chordMono = monoMix(chord);
    const auto mag = magnitudeSpectrum(chordMono.data() + 4800, 65536);
    const double binHz = kRate / 65536.0;
    const auto peakNear = [&](double note) {
      double peak = 0;
      const double hz = hzOf(note + 12.0 * (octave == 99 ? 0 : octave));
      for (double h = hz * 0.992; h <= hz * 1.008; h += binHz * 0.5) peak = std::max(peak, magnitudeAt(mag, h, binHz));
      return peak;
    };
    double weakest = 1e9;
    for (int note : kChord) {
      if (mono && note != kChord[2]) continue;
      const double contrast = 20 * std::log10(peakNear(note) / std::max(peakNear(note - 1), peakNear(note + 1)));
      weakest = std::min(weakest, contrast);
      EXPECT_GT(contrast, 10) << "chord note " << note;
    }
    std::printf("%-18s scale at%s (octave %+d), chord notes >= %.0f dB above their neighbours\n", name.c_str(),
                pitches.c_str(), octave, weakest);
  }
}

TEST(FactoryPresets, DrumKitHitsStartAtThePlayedTimes) {
  const Preset preset = factoryPreset(kDrumKitPreset);
  ASSERT_TRUE(preset.drumKit);
  DrumKit drums;
  drums.prepare(kRate);
  const int keys[] = {36, 38, 42, 45, 36, 39, 46, 38, 51, 49};  // the long crash last
  std::vector<int64_t> times;
  std::vector<Event> events;
  for (int i = 0; i < 10; ++i) times.push_back(12000 + int64_t(i) * 16800 + (i % 3) * 1111);
  const int64_t total = times.back() + 96000;
  std::vector<float> left(static_cast<size_t>(total)), right(static_cast<size_t>(total));
  size_t next = 0;
  for (int64_t start = 0; start < total; start += 256) {
    const int n = int(std::min<int64_t>(256, total - start));
    events.clear();
    for (; next < times.size() && times[next] < start + n; ++next)
      events.push_back(Event::midi(uint32_t(times[next] - start), 0x99, uint8_t(keys[next]), 110));
    drums.process(left.data() + start, right.data() + start, n, events.data(), int(events.size()));
  }
  // Level of the first difference (which favours the attacks over a kick's low tail) in 2.5 ms
  // frames; an onset is the first frame within 50 ms of the hit that rises 6 dB over the previous
  // 20 ms.
  constexpr int kFrame = 120;
  std::vector<double> level(size_t(total / kFrame));
  for (size_t f = 0; f < level.size(); ++f) {
    double sum = 0;
    for (size_t i = f * kFrame; i < (f + 1) * kFrame; ++i) {
      const float s = i == 0 ? 0.0f : left[i] + right[i] - left[i - 1] - right[i - 1];
      sum += double(s) * s;
    }
    level[f] = 10 * std::log10(sum / kFrame + 1e-12);
  }
  for (size_t i = 0; i < times.size(); ++i) {
    const int64_t played = times[i] / kFrame;
    int64_t onset = -1;
    for (int64_t f = played - 20; f <= played + 20 && onset < 0; ++f) {  // +-50 ms
      double before = -1e9;
      for (int64_t g = f - 8; g < f; ++g) before = std::max(before, level[size_t(g)]);
      if (level[size_t(f)] - before > 6) onset = f;
    }
    ASSERT_GE(onset, 0) << "no onset near hit " << i << " key " << keys[i];
    // The frame holding the hit, or the next one when the hit falls late in its frame.
    EXPECT_NEAR(double(onset * kFrame), double(times[i]), 0.005 * kRate) << "hit " << i << " key " << keys[i];
  }
  EXPECT_LT(std::max(peakOf(left), peakOf(right)), 1.0f);
}

}  // namespace
}  // namespace midistems::synth
