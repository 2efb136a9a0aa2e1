// bench-libs: midistems_roformer
// Speed and memory of the native BS-RoFormer / Mel-Band RoFormer at full size (random weights;
// speed does not depend on the weight values): the viperx BS-RoFormer vocals configuration (dim
// 512, depth 12, 62 bands, hop 441) or, with --mel, Kimberley Jensen's Mel-Band RoFormer (dim
// 384, depth 6, 60 bands), one 8-second chunk (352800 samples) per forward.
//
//   roformer_bench                         CPU seconds per chunk and per second of audio, GFLOP/s
//   roformer_bench --threads 2 --runs 2    thread count, best of two
//   roformer_bench --dim 128 --depth 2     a smaller network (same structure; --heads N too)
//   roformer_bench --rss-seconds 60        whole demix of a 60-second stereo signal: time taken
//                                          and the peak resident memory (VmHWM)
//   roformer_bench --dim 64 --depth 1 --heads 1 --rss-flat 60 600
//                                          the same, each length in a process of its own, and
//                                          how the peak grows with the song (target: the longer
//                                          within 20 % of the shorter)
//   roformer_bench --anchor 330            the PyTorch CPU-s per chunk to compare with (default:
//                                          the same-machine anchor of BENCHMARKS.md for the
//                                          active level)
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>

#include "core/cpu_isa.h"
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

// The same-machine anchors (BENCHMARKS.md): tools/roformer_anchor/torch_anchor.py, CPU s per chunk.
constexpr double kAnchorAvx512 = 195.4;
constexpr double kAnchorAvx2 = 232.7;

std::string configText(bool mel, int dim, int depth, int heads) {
  std::string model = "model:\n  dim: " + std::to_string(dim) + "\n  depth: " + std::to_string(depth) +
                      "\n  stereo: true\n  num_stems: 1\n  time_transformer_depth: 1\n  freq_transformer_depth: 1\n"
                      "  dim_head: 64\n  heads: " + std::to_string(heads) + "\n  stft_n_fft: 2048\n  stft_hop_length: 441\n  stft_win_length: 2048\n"
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

// Demix of `seconds` of noise through the separator (its stems streamed to a sink that drops
// them, as `split` streams them to files); prints the figures and returns the peak RSS in MiB.
double demixRun(std::unique_ptr<RoformerModel> model, int threads, double seconds) {
  const RoformerConfig& config = model->config();
  const int64_t frames = int64_t(seconds * config.sampleRate);
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
  const double peak = peakRssMiB();
  std::printf("demix of %.0f s: %.1f s wall, %.1f CPU s (%.2f CPU s per second of audio), peak RSS %.0f MiB "
              "(the input %.0f MiB of it)\n",
              seconds, wallSeconds() - w0, cpuSeconds() - c0, (cpuSeconds() - c0) / seconds, peak,
              double(frames) * 2 * sizeof(float) / 1048576.0);
  std::fflush(stdout);
  if (sink.frames != frames) throw std::runtime_error("the separator did not deliver every frame");
  return peak;
}

// demixRun in a child process, so that each length has its own peak.
double demixInChild(const RoformerConfig& config, int threads, double seconds) {
  int fds[2];
  std::fflush(stdout);
  if (pipe(fds) != 0) return -1.0;
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    nn::RandomWeights weights(1234);
    double peak = demixRun(std::make_unique<RoformerModel>(config, weights), threads, seconds);
    const ssize_t written = write(fds[1], &peak, sizeof peak);
    _exit(written == ssize_t(sizeof peak) ? 0 : 1);
  }
  close(fds[1]);
  double peak = -1.0;
  if (read(fds[0], &peak, sizeof peak) != ssize_t(sizeof peak)) peak = -1.0;
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? peak : -1.0;
}

}  // namespace

int main(int argc, char** argv) {
  bool mel = false;
  int dim = -1, depth = -1, heads = 8, threads = 1, runs = 1;
  double rssSeconds = 0.0, flatShort = 0.0, flatLong = 0.0, anchor = 0.0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto next = [&]() { return i + 1 < argc ? std::atof(argv[++i]) : 0.0; };
    if (arg == "--mel") mel = true;
    else if (arg == "--dim") dim = int(next());
    else if (arg == "--depth") depth = int(next());
    else if (arg == "--heads") heads = int(next());
    else if (arg == "--threads") threads = int(next());
    else if (arg == "--runs") runs = std::max(1, int(next()));
    else if (arg == "--rss-seconds") rssSeconds = next();
    else if (arg == "--rss-flat") {
      flatShort = next();
      flatLong = next();
    } else if (arg == "--anchor") anchor = next();
    else {
      std::fprintf(stderr,
                   "usage: roformer_bench [--mel] [--dim N] [--depth N] [--heads N] [--threads N] [--runs N] [--rss-seconds S] "
                   "[--rss-flat S1 S2] [--anchor CPU_S]\n");
      return 2;
    }
  }
  if (dim < 0) dim = mel ? 384 : 512;
  if (depth < 0) depth = mel ? 6 : 12;
  printMachine();
  const RoformerConfig config =
      RoformerConfig::fromYamlText(configText(mel, dim, depth, heads), "bench", mel ? RoformerKind::kMelBand : RoformerKind::kBandSplit);
  nn::RandomWeights weights(1234);
  auto model = std::make_unique<RoformerModel>(config, weights);
  std::printf("%s, dim %d, depth %d, heads %d: %.1f M parameters\n", mel ? "Mel-Band RoFormer" : "BS-RoFormer", dim,
              depth, heads, double(weights.parameters()) / 1e6);
  const double peak = sgemmPeakGflops();
  std::printf("oneDNN sgemm, one thread: %.1f GFLOP/s\n", peak);
  nn::setThreads(threads);

  const int64_t chunk = config.chunkSize;
  const double chunkSeconds = double(chunk) / config.sampleRate;
  if (rssSeconds > 0.0) return demixRun(std::move(model), threads, rssSeconds) > 0.0 ? 0 : 1;
  if (flatShort > 0.0 && flatLong > 0.0) {
    model.reset();
    const double a = demixInChild(config, threads, flatShort), b = demixInChild(config, threads, flatLong);
    if (a <= 0.0 || b <= 0.0) return 1;
    const double inputMiB = (flatLong - flatShort) * config.sampleRate * 2 * sizeof(float) / 1048576.0;
    std::printf("peak RSS %.0f s / %.0f s: %.3f (target <= 1.2); the longer input alone is %.0f MiB more\n", flatLong,
                flatShort, b / a, inputMiB);
    return 0;
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
  // PyTorch 1.13 (Debian), one thread, the full-size BS-RoFormer on one chunk at the same level
  // (BENCHMARKS.md says how it was measured). Only meaningful at the full size.
  const bool avx512 = activeIsaLevel() >= IsaLevel::Avx512;
  if (anchor <= 0.0 && !mel && dim == 512 && depth == 12 && heads == 8) anchor = avx512 ? kAnchorAvx512 : kAnchorAvx2;
  if (anchor > 0.0)
    std::printf("%.2fx PyTorch's one-thread CPU time at %s (%.1f CPU s per chunk)\n", bestCpu / anchor,
                avx512 ? "AVX-512" : "AVX2", anchor);
  std::printf("matrix products: %.1f GFLOP per chunk, %.1f GFLOP/s per thread (%.0f %% of the sgemm peak); peak RSS %.0f MiB\n",
              double(flops) / 1e9, double(flops) / 1e9 / bestCpu, 100.0 * double(flops) / 1e9 / bestCpu / peak,
              peakRssMiB());
  return output[size_t(chunk / 2)] == output[size_t(chunk / 2)] ? 0 : 1;
}
