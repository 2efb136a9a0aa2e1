// Speed and memory of the DSP separator: seconds of computation per second of stereo 44.1 kHz
// audio, with one thread and with all threads, and the peak resident memory. Stems go to a sink
// that discards them, as `split` streams them to files.
// bench-libs: midistems_dsp_separator
#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>

#include "core/thread_pool.h"
#include "separate/dsp/dsp_separator.h"
#include "machine.h"
#include "measure.h"

namespace {

using midistems::AudioBuffer;

// A busy synthetic song: bass, a centred lead, panned chords and noise hits.
AudioBuffer benchSong(double seconds) {
  const int rate = midistems::separate::dsp::DspSeparator::kSampleRate;
  AudioBuffer mix(2, int64_t(seconds * rate), rate);
  std::mt19937 rng(1);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  for (int64_t i = 0; i < mix.numFrames(); ++i) {
    const double t = double(i) / rate, w = 2 * std::numbers::pi * t;
    const double tonal = 0.2 * std::sin(w * 55) + 0.15 * std::sin(w * 330 * (1 + 0.01 * std::sin(w * 5)));
    const double chord = 0.05 * (std::sin(w * 262) + std::sin(w * 392));
    const double hit = 0.3 * std::exp(-std::fmod(t, 0.5) * 40) * noise(rng);
    mix.channels[0][size_t(i)] = float(tonal + 0.8 * chord + hit);
    mix.channels[1][size_t(i)] = float(tonal + 0.2 * chord + hit);
  }
  return mix;
}

void measure(const AudioBuffer& mix, int threads) {
  midistems::separate::dsp::DspSeparator separator({.threads = threads});
  midistems::bench::DiscardingSink sink;
  const double start = midistems::bench::wallSeconds();
  separator.separate(mix, sink, {});
  const double seconds = midistems::bench::wallSeconds() - start;
  std::printf("%7.1f s of audio, %2d thread(s): %7.2f s, %.3f s per s of audio (%.1fx real time), peak RSS %.0f MiB\n",
              mix.durationSeconds(), threads, seconds, seconds / mix.durationSeconds(),
              mix.durationSeconds() / seconds, midistems::bench::peakRssMiB());
}

}  // namespace

int main() {
  midistems::bench::printMachine();
  const int all = midistems::hardwareThreads();
  // Memory should follow the processing block, not the song: the 180 s run's peak differs from
  // the 30 s run's by about the size of the input itself (2 x 4 bytes x 44100 per second).
  const AudioBuffer shortSong = benchSong(30.0);
  measure(shortSong, 1);
  if (all > 1) measure(shortSong, all);
  const AudioBuffer longSong = benchSong(180.0);
  measure(longSong, all);
  return 0;
}
