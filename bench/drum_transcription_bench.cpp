// Speed of the drum transcriber: seconds of processing per minute of drums.
//
//   drum_transcription_bench [drums.wav]
// Without an argument it times one minute of a synthetic 16th-note groove (kick, snare, noise
// hi-hats) at 44.1 kHz stereo; with one it times that file. Prints the figure and peak memory.
// bench-libs: midistems_drums
#include <cmath>
#include <cstdio>
#include <random>

#include "core/audio_file.h"
#include "core/error.h"
#include "transcribe/drums/drum_transcriber.h"
#include "machine.h"
#include "measure.h"

namespace {

midistems::AudioBuffer syntheticGroove(double seconds, int rate) {
  midistems::AudioBuffer audio(2, static_cast<int64_t>(seconds * rate), rate);
  std::mt19937 random(1);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  const double step = 0.125;  // 16ths at 120 BPM
  for (int s = 0; s * step < seconds; ++s) {
    const int64_t start = static_cast<int64_t>(s * step * rate);
    for (int i = 0; i < rate / 4 && start + i < audio.numFrames(); ++i) {
      const double t = double(i) / rate;
      float v = 0.1f * std::exp(-t / 0.03) * noise(random);                       // hi-hat
      if (s % 8 == 0) v += 0.7f * std::exp(-t / 0.12) * std::sin(2 * M_PI * 55 * t);  // kick
      if (s % 8 == 4) v += 0.4f * std::exp(-t / 0.08) * (noise(random) + std::sin(2 * M_PI * 190 * t));
      audio.channels[0][start + i] += v;
      audio.channels[1][start + i] += v;
    }
  }
  return audio;
}

}  // namespace

int main(int argc, char** argv) {
  midistems::bench::printMachine();
  try {
    const midistems::AudioBuffer audio =
        argc > 1 ? midistems::readAudio(argv[1]) : syntheticGroove(60.0, 44100);
    midistems::transcribe::transcribeDrums(audio);  // warm-up (FFTW plans, page faults)
    const int runs = 3;
    size_t notes = 0;
    const double start = midistems::bench::wallSeconds();
    for (int r = 0; r < runs; ++r) notes = midistems::transcribe::transcribeDrums(audio).size();
    const double seconds = (midistems::bench::wallSeconds() - start) / runs;
    std::printf("drum transcription: %.1f s of audio (%d Hz, %d ch), %zu notes\n",
                audio.durationSeconds(), audio.sampleRate, audio.numChannels(), notes);
    std::printf("  %.3f s per run, %.3f s per minute of drums (%.0fx real time), peak RSS %.0f MiB\n",
                seconds, seconds * 60.0 / audio.durationSeconds(), audio.durationSeconds() / seconds,
                midistems::bench::peakRssMiB());
  } catch (const midistems::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  return 0;
}
