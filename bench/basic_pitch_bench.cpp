// Native basic-pitch speed vs onnxruntime, measured in the same run on the same 60 s signal, one
// thread each. Prints wall-clock and CPU seconds per minute of audio for both, their ratios, and
// the native runner's peak memory. On a busy machine the CPU-time ratio is the steadier figure. onnxruntime (npm onnxruntime-node, installed by scripts/setup.sh) runs
// ../shared/fixtures/basic_pitch/nmp.onnx through bench/basic_pitch_ort.js; without node, the
// package or the fixture, only the native figures are printed.
// Run: build/bench/basic_pitch_bench [seconds=60] [repeats=3]
// bench-libs: midistems_basic_pitch midistems_core
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "transcribe/basic_pitch/basic_pitch.h"
#include "machine.h"
#include "measure.h"

namespace {

namespace fs = std::filesystem;
using midistems::bench::cpuSeconds;
using midistems::bench::peakRssMiB;
using midistems::bench::wallSeconds;
using midistems::transcribe::BasicPitchModel;

// A piano-like test signal: overlapping decaying notes with a few harmonics, 4 notes a second.
std::vector<float> testSignal(double seconds) {
  const int rate = midistems::transcribe::kBasicPitchSampleRate;
  std::vector<float> x(size_t(seconds * rate), 0.0f);
  uint32_t state = 12345;
  const auto next = [&] { return (state = state * 1664525u + 1013904223u) >> 8; };
  for (double t0 = 0; t0 < seconds; t0 += 0.25) {
    const int pitch = 36 + int(next() % 48);
    const double f0 = 440.0 * std::pow(2.0, (pitch - 69) / 12.0);
    const size_t start = size_t(t0 * rate), length = size_t(rate * (0.3 + (next() % 100) / 100.0));
    for (size_t i = 0; i < length && start + i < x.size(); ++i) {
      const double t = double(i) / rate;
      double v = 0;
      for (int h = 1; h <= 4; ++h) v += std::sin(2 * M_PI * f0 * h * t) / h;
      x[start + i] += float(0.15 * v * std::exp(-3.0 * t));
    }
  }
  return x;
}

fs::path sharedDir() {
  if (const char* env = std::getenv("MIDISTEMS_FIXTURES"); env && *env) return env;
  return fs::path(MIDISTEMS_SOURCE_DIR) / ".." / "shared";
}

struct Timing {
  double wall = -1, cpu = -1;
};

// Runs the onnxruntime script; returns its seconds (negative when it cannot run).
Timing onnxruntimeSeconds(const std::vector<float>& signal) {
  const fs::path modules = fs::path(MIDISTEMS_SOURCE_DIR) / "third_party/npm/node_modules";
  const fs::path script = fs::path(MIDISTEMS_SOURCE_DIR) / "bench/basic_pitch_ort.js";
  const fs::path onnx = sharedDir() / "fixtures/basic_pitch/nmp.onnx";
  if (!fs::exists(modules / "onnxruntime-node") || !fs::exists(onnx)) {
    std::printf("onnxruntime: skipped (needs scripts/setup.sh and ../shared/fixtures/basic_pitch/nmp.onnx)\n");
    return {};
  }
  const fs::path audio = fs::temp_directory_path() / ("basic-pitch-bench-" + std::to_string(::getpid()) + ".f32");
  {
    std::ofstream out(audio, std::ios::binary);
    out.write(reinterpret_cast<const char*>(signal.data()), std::streamsize(signal.size() * sizeof(float)));
  }
  const std::string command = "node '" + script.string() + "' '" + modules.string() + "' '" + onnx.string() +
                              "' '" + audio.string() + "' 2>&1";
  Timing seconds;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char line[512];
    while (std::fgets(line, sizeof line, pipe)) {
      std::printf("  %s", line);
      std::sscanf(line, "ort_seconds %lf", &seconds.wall);
      std::sscanf(line, "ort_cpu_seconds %lf", &seconds.cpu);
    }
    pclose(pipe);
  }
  fs::remove(audio);
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  midistems::bench::printMachine();
  const double seconds = argc > 1 ? std::atof(argv[1]) : 60.0;
  const int repeats = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
  try {
    const auto model = BasicPitchModel::load(BasicPitchModel::defaultModelDir());
    const std::vector<float> signal = testSignal(seconds);
    std::printf("basic-pitch on %.0f s of 22,050 Hz audio, one thread, best of %d\n", seconds, repeats);

    Timing native{1e30, 1e30};
    int64_t frames = 0;
    for (int r = 0; r < repeats; ++r) {
      const double cpu0 = cpuSeconds(), wall0 = wallSeconds();
      frames = model.runMono22050(signal).frames;
      native.wall = std::min(native.wall, wallSeconds() - wall0);
      native.cpu = std::min(native.cpu, cpuSeconds() - cpu0);
    }
    const double perMinute = 60.0 / seconds;
    std::printf("native: %.3f s wall, %.3f s CPU (%lld frames); per minute of audio %.3f s wall, %.3f s CPU; "
                "peak RSS %.0f MiB\n",
                native.wall, native.cpu, (long long)frames, native.wall * perMinute, native.cpu * perMinute,
                peakRssMiB());

    Timing ort{1e30, 1e30};
    for (int r = 0; r < repeats; ++r) {
      const Timing t = onnxruntimeSeconds(signal);
      if (t.wall < 0) break;
      ort.wall = std::min(ort.wall, t.wall);
      ort.cpu = std::min(ort.cpu, t.cpu);
    }
    if (ort.wall < 1e30) {
      std::printf("onnxruntime: %.3f s wall, %.3f s CPU; per minute of audio %.3f s wall, %.3f s CPU\n", ort.wall,
                  ort.cpu, ort.wall * perMinute, ort.cpu * perMinute);
      std::printf("native / onnxruntime: %.2f (wall), %.2f (CPU)\n", native.wall / ort.wall, native.cpu / ort.cpu);
    }
  } catch (const midistems::Error& e) {
    std::fprintf(stderr, "basic_pitch_bench: %s\n", e.what());
    return 2;
  }
  return 0;
}
