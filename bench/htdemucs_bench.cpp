// bench-libs: midistems_htdemucs
// Speed and memory of the native HTDemucs network at full size (the released htdemucs
// configuration: channels 48, bottom_channels 512, random weights; speed does not depend on the
// weight values).
//
//   htdemucs_bench                      CPU seconds per segment and per second of audio, 1 and 2 threads
//   htdemucs_bench --threads 1 --runs 3 one thread count, best of three
//   htdemucs_bench --rss-minutes 10     whole separation of a 10-minute stereo signal; prints the
//                                       peak resident memory (VmHWM) and the time taken
//   htdemucs_bench --channels 8 --bottom 64   a smaller network (same layer structure)
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>

#include "nn/ops/gemm.h"
#include "nn/ops/parallel.h"
#include "separate/htdemucs/htdemucs_separator.h"
#include "machine.h"
#include "measure.h"

using namespace midistems;
using namespace midistems::separate;
using namespace midistems::bench;

namespace {

std::unique_ptr<htdemucs::HTDemucsModel> randomModel(const htdemucs::HTDemucsConfig& config, size_t& parameters) {
  nn::RandomWeights weights(1234);
  auto model = std::make_unique<htdemucs::HTDemucsModel>(config, weights);
  parameters = weights.parameters();
  return model;
}

}  // namespace

int main(int argc, char** argv) {
  midistems::bench::printMachine();
  htdemucs::HTDemucsConfig config = htdemucs::HTDemucsConfig::released();
  int onlyThreads = 0, runs = 1;
  double rssMinutes = 0.0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--threads") onlyThreads = std::stoi(next());
    else if (arg == "--runs") runs = std::stoi(next());
    else if (arg == "--rss-minutes") rssMinutes = std::stod(next());
    else if (arg == "--channels") config.channels = std::stoi(next());
    else if (arg == "--bottom") config.bottomChannels = std::stoi(next());
    else {
      std::fprintf(stderr, "usage: %s [--threads N] [--runs N] [--rss-minutes M] [--channels C] [--bottom B]\n", argv[0]);
      return 2;
    }
  }
  size_t parameters = 0;
  auto model = randomModel(config, parameters);
  const int64_t segment = model->segmentLength();
  const double segmentSeconds = double(segment) / config.samplerate;
  std::printf("HTDemucs channels=%d bottom_channels=%d: %zu parameters, segment %lld samples (%.2f s)\n",
              config.channels, config.bottomChannels, parameters, static_cast<long long>(segment), segmentSeconds);

  if (rssMinutes > 0.0) {
    const int threads = onlyThreads > 0 ? onlyThreads : 2;
    const int64_t frames = int64_t(rssMinutes * 60.0 * config.samplerate);
    AudioBuffer mix(2, frames, config.samplerate);
    std::mt19937 rng(5);
    std::normal_distribution<float> noise(0.0f, 0.1f);
    for (auto& ch : mix.channels)
      for (int64_t i = 0; i < frames; ++i) ch[size_t(i)] = 0.3f * std::sin(0.01f * float(i % 100000)) + noise(rng);
    std::vector<std::unique_ptr<htdemucs::HTDemucsModel>> models;
    models.push_back(std::move(model));
    HTDemucsOptions options;
    options.threads = threads;
    auto separator = makeHTDemucsSeparator(std::move(models), {}, options);
    DiscardingSink sink;
    const double rssBefore = peakRssMiB();
    const double c0 = cpuSeconds(), w0 = wallSeconds();
    separator->separate(mix, sink, [&](double p) {
      std::fprintf(stderr, "\r%5.1f%%  peak RSS %.0f MiB", 100.0 * p, peakRssMiB());
    });
    const double cpu = cpuSeconds() - c0, wall = wallSeconds() - w0;
    std::fprintf(stderr, "\n");
    std::printf("%.1f min stereo, %d threads: %.1f s wall, %.1f CPU-s (%.3f CPU-s per audio second)\n", rssMinutes,
                threads, wall, cpu, cpu / (rssMinutes * 60.0));
    std::printf("peak RSS: %.0f MiB (input audio %.0f MiB, model loaded before: %.0f MiB)\n", peakRssMiB(),
                double(frames) * 2 * 4 / 1048576.0, rssBefore);
    return sink.frames == frames ? 0 : 1;
  }

  std::vector<float> mix(size_t(2 * segment)), out(size_t(model->numSources() * 2 * segment));
  std::mt19937 rng(3);
  std::normal_distribution<float> noise(0.0f, 0.2f);
  for (float& v : mix) v = noise(rng);
  const uint64_t flops0 = nn::gemmFlopCount();
  model->forward(mix.data(), segment, out.data());  // warm-up: page faults, oneDNN kernels
  const double gflopPerSegment = double(nn::gemmFlopCount() - flops0) / 1e9;
  const double peak = sgemmPeakGflops();
  std::printf("matrix products: %.1f GFLOP per segment; oneDNN one-thread sgemm peak here: %.1f GFLOP/s\n",
              gflopPerSegment, peak);
  // PyTorch 1.13 (Debian), one thread, the same configuration, at the same level (BENCHMARKS.md
  // says how it was measured).
  const bool avx512 = activeIsaLevel() >= IsaLevel::Avx512;
  const double pytorchCpuPerSegment = avx512 ? 7.7 : 10.0;
  for (int threads : {1, 2}) {
    if (onlyThreads > 0 && threads != onlyThreads) continue;
    nn::setThreads(threads);
    double bestCpu = 1e30, bestWall = 1e30;
    for (int r = 0; r < runs; ++r) {
      const double c0 = cpuSeconds(), w0 = wallSeconds();
      model->forward(mix.data(), segment, out.data());
      bestCpu = std::min(bestCpu, cpuSeconds() - c0);
      bestWall = std::min(bestWall, wallSeconds() - w0);
    }
    std::printf("threads=%d: one segment %.2f s wall, %.2f CPU-s; %.3f CPU-s per audio second; %.2fx PyTorch's "
                "one-thread CPU time at %s; %.1f GFLOP/s per CPU-second = %.0f%% of the sgemm peak\n",
                threads, bestWall, bestCpu, bestCpu / segmentSeconds, bestCpu / pytorchCpuPerSegment,
                avx512 ? "AVX-512" : "AVX2", gflopPerSegment / bestCpu, 100.0 * gflopPerSegment / bestCpu / peak);
  }
  std::printf("peak RSS (one segment): %.0f MiB\n", peakRssMiB());
  return 0;
}
