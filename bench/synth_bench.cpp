// bench-libs: midistems_synth
// Synth engine speed: CPU per voice (as a percentage of one core) for the reference patch of
// two saws + ladder low-pass + amp and filter envelopes at 48 kHz in 64-sample blocks, with 1,
// 16 and 128 held voices; the same for heavier patches; what each effect adds to a part; and
// offline rendering of the demo song.
// Measures thread CPU time, so other load on the machine does not inflate the figures.
//
//   build/bench/synth_bench
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <vector>

#include "midi/demo_song.h"
#include "synth/preset.h"
#include "synth/render.h"
#include "synth/synth.h"
#include "machine.h"
#include "synth_reference_patch.h"

using namespace midistems::synth;

namespace {

double threadSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// Percent of one core per voice for `voices` held notes of `patch`.
double percentPerVoice(const Patch& patch, int voices, double seconds = 6.0) {
  constexpr float kRate = 48000;
  constexpr int kBlock = 64;
  Synth synth;
  synth.prepare(kRate);
  synth.setPatch(patch);
  std::vector<Event> notes;
  for (int v = 0; v < voices; ++v) notes.push_back(Event::midi(0, 0x90, uint8_t(v % 128), 100));
  std::vector<float> l(kBlock), r(kBlock);
  synth.process(l.data(), r.data(), kBlock, notes.data(), int(notes.size()));
  for (int i = 0; i < 200; ++i) synth.process(l.data(), r.data(), kBlock, nullptr, 0);  // warm up
  // The best of twelve short runs: other load on the machine only ever adds time.
  constexpr int kRuns = 12;
  const int blocks = int(seconds / kRuns * kRate / kBlock);
  double cpu = 1e30;
  for (int run = 0; run < kRuns; ++run) {
    const double start = threadSeconds();
    for (int i = 0; i < blocks; ++i) synth.process(l.data(), r.data(), kBlock, nullptr, 0);
    cpu = std::min(cpu, threadSeconds() - start);
  }
  if (synth.activeVoices() != voices) std::printf("  (warning: %d voices active)\n", synth.activeVoices());
  return 100.0 * cpu / (blocks * kBlock / kRate) / voices;
}

// The reference patch with all 32 modulation slots in use: every kind of source (envelopes, the
// four voice LFOs and the two global ones, velocity, key, wheel, aftertouch, random, macros) into
// per-voice destinations of format 1 (pitch, cutoff, levels, pan), per-voice parameters (fine
// tune, pulse width, ring level, key tracking) and patch-wide ones (effects, other slots' amounts).
Patch fullMatrixPatch() {
  Patch p = midistems::bench::referenceSynthPatch();
  const ModSource sources[] = {ModSource::AmpEnv,     ModSource::FilterEnv, ModSource::ModEnv,   ModSource::Lfo1,
                               ModSource::Lfo2,       ModSource::Lfo3,      ModSource::Lfo4,     ModSource::GlobalLfo1,
                               ModSource::GlobalLfo2, ModSource::Velocity,  ModSource::Key,      ModSource::ModWheel,
                               ModSource::Aftertouch, ModSource::Random,    ModSource::Macro1,   ModSource::PolyAftertouch};
  const int dests[] = {int(ModDest::Pitch),        int(ModDest::Cutoff),     int(ModDest::Osc1Level),
                       int(ModDest::Osc2Pitch),    int(ModDest::Pan),        int(ModDest::Resonance),
                       int(ModDest::Amp),          modDestOf(Param::Osc1Fine), modDestOf(Param::Osc2PulseWidth),
                       modDestOf(Param::RingLevel), modDestOf(Param::FilterKeyTrack), modDestOf(Param::ReverbMix),
                       modDestOf(Param::DelayFeedback), modDestOf(Param::Mod1Amount), modDestOf(Param::ChorusDepth),
                       modDestOf(Param::FilterEnvAmount)};
  for (int s = 0; s < kNumModSlots; ++s) {
    const ModSlotParams& slot = modSlotParams(s);
    p[slot.source] = float(sources[size_t(s) % std::size(sources)]);
    p[slot.dest] = float(dests[size_t(s * 7) % std::size(dests)]);
    p[slot.amount] = 0.01f * float(1 + s % 4);
    p[slot.curve] = float(s % kNumModCurves);
  }
  for (int i = 0; i < kNumLfos; ++i) p[lfoParams(i).rate] = 0.5f + float(i);
  p[Param::Macro1] = 0.5f;
  return p;
}

}  // namespace

int main() {
  midistems::bench::printMachine();
  std::printf("synth engine, 48 kHz, 64-sample blocks, %% of one core per voice (thread CPU time)\n");
  const Patch reference = midistems::bench::referenceSynthPatch();
  for (int voices : {1, 16, 128})
    std::printf("  2 saws + ladder + 2 envelopes, %3d voices: %.4f %%/voice\n", voices, percentPerVoice(reference, voices));
  Patch sweeping = reference;  // an LFO keeps the cutoff moving: per-sample filter coefficients
  sweeping[Param::Mod1Source] = float(ModSource::Lfo1);
  sweeping[Param::Mod1Dest] = float(ModDest::Cutoff);
  sweeping[Param::Mod1Amount] = 0.1f;
  std::printf("  same, LFO sweeping the cutoff,   128 voices: %.4f %%/voice\n", percentPerVoice(sweeping, 128));
  const double full = percentPerVoice(fullMatrixPatch(), 128);
  std::printf("  same, all 32 mod slots + 6 LFOs,  128 voices: %.4f %%/voice (%.0f %% of one core for all: %.1fx real time)\n",
              full, 128 * full, 100.0 / (128 * full));
  Patch withEffects = reference;
  withEffects[Param::ChorusOn] = withEffects[Param::DelayOn] = withEffects[Param::ReverbOn] = 1;
  std::printf("  same + chorus, delay, reverb,    128 voices: %.4f %%/voice\n", percentPerVoice(withEffects, 128));
  Patch svf = reference;
  svf[Param::FilterTypeParam] = float(FilterType::Lp24);
  std::printf("  2 saws + SVF LP24,               128 voices: %.4f %%/voice\n", percentPerVoice(svf, 128));
  for (const char* name : {"supersaw", "warm_pad", "wavetable_pad", "electric_piano"}) {
    Patch p = factoryPreset(name).patch;
    p[Param::Polyphony] = 128;
    p[Param::AmpEnvSustain] = 1;
    std::printf("  factory preset %-16s  32 voices: %.4f %%/voice\n", name, percentPerVoice(p, 32, 2.0));
  }

  // Effects run once per part on the stereo mix: their cost over one held voice of the reference.
  std::printf("effects, one part, 48 kHz stereo, %% of one core added to one held voice\n");
  const double base = percentPerVoice(reference, 1, 3.0);
  const Param kOn[] = {Param::DistortionOn, Param::ChorusOn, Param::FlangerOn, Param::PhaserOn,
                       Param::DelayOn,      Param::ReverbOn, Param::EqOn,      Param::CompOn};
  Patch all = reference;
  for (int e = 0; e < 8; ++e) {
    Patch p = reference;
    p[kOn[e]] = all[kOn[e]] = 1;
    std::printf("  %-10s %.3f %%\n", kEffectNames[e + 1], percentPerVoice(p, 1, 3.0) - base);
  }
  std::printf("  all eight  %.3f %%\n", percentPerVoice(all, 1, 3.0) - base);

  const auto song = midistems::midi::composeDemoSong();
  const auto file = midistems::midi::makeMidiFile(song.tracks, song.bpm);
  RenderOptions options;
  options.threads = 1;
  const double start = threadSeconds();
  const auto audio = renderMidi(file, options);
  const double cpu = threadSeconds() - start;
  std::printf("renderMidi demo song (%zu tracks, %.1f s) at 48 kHz, one thread: %.2f s CPU, %.1fx real time\n",
              song.tracks.size(), audio.durationSeconds(), cpu, audio.durationSeconds() / cpu);
  return 0;
}
