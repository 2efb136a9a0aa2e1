// Note creation speed: seconds of work per minute of audio, on the synth10 reference
// posteriorgrams tiled to the wanted length (or, without ../shared, synthetic ones with the same
// density of held notes). Run: build/bench/note_creation_bench
// bench-libs: midistems_note_creation
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "core/npy.h"
#include "transcribe/notes/note_creation.h"
#include "machine.h"

namespace {

using midistems::transcribe::Posteriorgrams;

constexpr double kFramesPerMinute = 60.0 * 22050.0 / 256.0;

std::filesystem::path synth10Dir() {
  if (const char* env = std::getenv("MIDISTEMS_FIXTURES"); env && *env)
    return std::filesystem::path(env) / "fixtures/basic_pitch/synth10";
  return std::filesystem::path(MIDISTEMS_SOURCE_DIR) / "../shared/fixtures/basic_pitch/synth10";
}

Posteriorgrams source() {
  Posteriorgrams p;
  const auto dir = synth10Dir();
  if (std::filesystem::exists(dir / "tfjs_frames.f32")) {
    p.notes = midistems::readRawFloat32(dir / "tfjs_frames.f32");
    p.onsets = midistems::readRawFloat32(dir / "tfjs_onsets.f32");
    p.contours = midistems::readRawFloat32(dir / "tfjs_contours.f32");
    p.frames = int64_t(p.notes.size() / 88);
    return p;
  }
  // About five notes a second with some noise, like the 10-second reference clip.
  p.frames = 860;
  p.notes.assign(size_t(p.frames) * 88, 0.0f);
  p.onsets.assign(size_t(p.frames) * 88, 0.0f);
  p.contours.assign(size_t(p.frames) * 264, 0.05f);
  uint32_t state = 1;
  const auto next = [&] { return (state = state * 1664525u + 1013904223u) >> 8; };
  for (int n = 0; n < 50; ++n) {
    const int pitch = 20 + int(next() % 50);
    const int64_t start = next() % 800, length = 10 + next() % 60;
    p.onsets[size_t(start) * 88 + pitch] = 0.8f;
    for (int64_t t = start; t < std::min<int64_t>(start + length, p.frames); ++t) {
      p.notes[size_t(t) * 88 + pitch] = 0.7f;
      p.contours[size_t(t) * 264 + 3 * pitch] = 0.8f;
    }
  }
  for (auto& v : p.notes)
    if (next() % 20 == 0) v += float(next() % 400) / 1000.0f;
  return p;
}

Posteriorgrams tiled(int64_t frames) {
  static const Posteriorgrams base = source();
  Posteriorgrams p;
  p.frames = frames;
  p.notes.resize(size_t(frames) * 88);
  p.onsets.resize(size_t(frames) * 88);
  p.contours.resize(size_t(frames) * 264);
  for (int64_t t = 0; t < frames; ++t) {
    const int64_t s = t % base.frames;
    std::copy_n(base.notes.begin() + s * 88, 88, p.notes.begin() + t * 88);
    std::copy_n(base.onsets.begin() + s * 88, 88, p.onsets.begin() + t * 88);
    std::copy_n(base.contours.begin() + s * 264, 264, p.contours.begin() + t * 264);
  }
  return p;
}

void BM_NoteCreation(benchmark::State& state) {
  const double minutes = double(state.range(0));
  const auto grams = tiled(int64_t(minutes * kFramesPerMinute));
  size_t notes = 0;
  for (auto _ : state) {
    const auto out = midistems::transcribe::createNotes(midistems::transcribe::viewOf(grams));
    notes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["notes"] = double(notes);
  state.counters["minutes"] = minutes;
  // Seconds of note creation per minute of audio.
  state.counters["s_per_audio_min"] = benchmark::Counter(
      minutes, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_NoteCreation)->Arg(1)->Arg(10)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) { return midistems::bench::runGoogleBenchmarks(argc, argv); }
