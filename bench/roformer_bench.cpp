// bench-libs: midistems_roformer
// Speed and memory of the native BS-RoFormer / Mel-Band RoFormer at full size (random weights;
// speed does not depend on the weight values): the viperx BS-RoFormer vocals configuration (dim
// 512, depth 12, 62 bands, hop 441) or, with --mel, Kimberley Jensen's Mel-Band RoFormer (dim
// 384, depth 6, 60 bands), one 8-second chunk (352800 samples) per forward.
//
//   roformer_bench                         CPU seconds per chunk and per second of audio, GFLOP/s
//   roformer_bench --threads 2 --runs 2    thread count, best of two
//   roformer_bench --dim 128 --depth 2     a smaller network (same structure)
//   roformer_bench --rss-seconds 60        whole demix of a 60-second stereo signal: time taken
//                                          and the peak resident memory (VmHWM)
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "machine.h"
#include "measure.h"
#include "nn/ops/gemm.h"
#include "nn/ops/parallel.h"
#include "nn/weights.h"
#include "separate/roformer/roformer_separator.h"

using namespace midistems;
using namespace midistems::separate;
using namespace midistems::separate::roformer;
using namespace midistems::bench;

namespace {

std::string configText(bool mel, int dim, int depth) {
  std::string model = "model:\n  dim: " + std::to_string(dim) + "\n  depth: " + std::to_string(depth) +
                      "\n  stereo: true\n  num_stems: 1\n  time_transformer_depth: 1\n  freq_transformer_depth: 1\n"
                      "  dim_head: 64\n  heads: 8\n  stft_n_fft: 2048\n  stft_hop_length: 441\n  stft_win_length: 2048\n"
                      "  mask_estimator_depth: 2\n  mlp_expansion_factor: 4\n";
  if (mel) {
    model += "  num_bands: 60\n  sample_rate: 44100\n";
  } else {
    model += "  freqs_per_bands: !!python/tuple\n";
    const int widths[][2] = {{2, 24}, {4, 12}, {12, 8}, {24, 8}, {48, 8}, {128, 1}, {129, 1}};
    for (const auto& w : widths)
      for (int i = 0; i < w[1]; ++i) model += "  - " + std::to_string(w[0]) + "\n";
  }
  return "audio:\n  chunk_size: 352800\n  sample_rate: 44100\n" + model +
         "training:\n  target_instrument: vocals\ninference:\n  batch_size: 4\n  num_overlap: 2\n";
}

}  // namespace

int main(int argc, char** argv) {
  bool mel = false;
  int dim = -1, depth = -1, threads = 1, runs = 1;
  double rssSeconds = 0.0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto next = [&]() { return i + 1 < argc ? std::atof(argv[++i]) : 0.0; };
    if (arg == "--mel") mel = true;
    else if (arg == "--dim") dim = int(next());
    else if (arg == "--depth") depth = int(next());
    else if (arg == "--threads") threads = int(next());
    else if (arg == "--runs") runs = std::max(1, int(next()));
    else if (arg == "--rss-seconds") rssSeconds = next();
    else {
      std::fprintf(stderr, "usage: roformer_bench [--mel] [--dim N] [--depth N] [--threads N] [--runs N] [--rss-seconds S]\n");
      return 2;
    }
  }
  if (dim < 0) dim = mel ? 384 : 512;
  if (depth < 0) depth = mel ? 6 : 12;
  printMachine();
  const RoformerConfig config =
      RoformerConfig::fromYamlText(configText(mel, dim, depth), "bench", mel ? RoformerKind::kMelBand : RoformerKind::kBandSplit);
  nn::RandomWeights weights(1234);
  auto model = std::make_unique<RoformerModel>(config, weights);
  std::printf("%s, dim %d, depth %d: %.1f M parameters\n", mel ? "Mel-Band RoFormer" : "BS-RoFormer", dim, depth,
              double(weights.parameters()) / 1e6);
  const double peak = sgemmPeakGflops();
  std::printf("oneDNN sgemm, one thread: %.1f GFLOP/s\n", peak);
  nn::setThreads(threads);

  const int64_t chunk = config.chunkSize;
  const double chunkSeconds = double(chunk) / config.sampleRate;
  if (rssSeconds > 0.0) {
    const int64_t frames = int64_t(rssSeconds * config.sampleRate);
    AudioBuffer mix(2, frames, config.sampleRate);
    std::mt19937 rng(7);
    std::normal_distribution<float> noise(0.0f, 0.1f);
    for (auto& ch : mix.channels)
      for (float& v : ch) v = noise(rng);
    auto separator = makeRoformerSeparator(std::move(model), RoformerOptions{threads});
    DiscardingSink sink;
    const double w0 = wallSeconds(), c0 = cpuSeconds();
    separator->separate(mix, sink, [](double f) { std::fprintf(stderr, "\r%5.1f %%", 100.0 * f); });
    std::fprintf(stderr, "\n");
    std::printf("demix of %.0f s: %.1f s wall, %.1f CPU s (%.2f CPU s per second of audio), peak RSS %.0f MiB\n",
                rssSeconds, wallSeconds() - w0, cpuSeconds() - c0, (cpuSeconds() - c0) / rssSeconds, peakRssMiB());
    return sink.frames == frames ? 0 : 1;
  }

  std::vector<float> input(size_t(2 * chunk)), output(size_t(2 * chunk));
  std::mt19937 rng(7);
  std::normal_distribution<float> noise(0.0f, 0.1f);
  for (float& v : input) v = noise(rng);
  double bestCpu = 1e30, bestWall = 1e30;
  uint64_t flops = 0;
  for (int r = 0; r < runs; ++r) {
    const uint64_t f0 = nn::gemmFlopCount();
    const double w0 = wallSeconds(), c0 = cpuSeconds();
    model->forward(input.data(), chunk, output.data());
    bestCpu = std::min(bestCpu, cpuSeconds() - c0);
    bestWall = std::min(bestWall, wallSeconds() - w0);
    flops = nn::gemmFlopCount() - f0;
  }
  std::printf("%d thread(s), one %.0f-s chunk: %.1f CPU s (%.2f CPU s per second of audio), %.1f s wall\n", threads,
              chunkSeconds, bestCpu, bestCpu / chunkSeconds, bestWall);
  std::printf("matrix products: %.1f GFLOP per chunk, %.1f GFLOP/s per thread (%.0f %% of the sgemm peak); peak RSS %.0f MiB\n",
              double(flops) / 1e9, double(flops) / 1e9 / bestCpu, 100.0 * double(flops) / 1e9 / bestCpu / peak,
              peakRssMiB());
  return output[size_t(chunk / 2)] == output[size_t(chunk / 2)] ? 0 : 1;
}
