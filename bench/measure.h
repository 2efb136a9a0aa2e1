#pragma once
// Clocks, memory figures and a stem sink that discards, for every benchmark, and oneDNN's
// one-thread sgemm rate that the model benchmarks' GFLOP/s are compared with. Header-only: a
// benchmark links nn only when it calls sgemmPeakGflops.
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "nn/ops/gemm.h"
#include "nn/ops/parallel.h"
#include "separate/separator.h"

namespace midistems::bench {

inline double cpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

inline double wallSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// Peak resident set size in MiB (VmHWM), falling back to getrusage.
inline double peakRssMiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return double(std::stol(line.substr(6))) / 1024.0;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;
}

// oneDNN's one-thread sgemm rate at the active level on a large, cache-friendly product: the
// ceiling for a network whose work is nearly all matrix products.
inline double sgemmPeakGflops() {
  const int64_t m = 2048, n = 512, k = 2048;
  std::vector<float> a(size_t(m * k), 0.5f), b(size_t(k * n), 0.25f), c(size_t(m * n));
  nn::setThreads(1);
  double best = 1e30;
  for (int r = 0; r < 6; ++r) {
    const double c0 = cpuSeconds();
    for (int i = 0; i < 4; ++i) nn::gemm(false, false, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, c.data(), n);
    best = std::min(best, (cpuSeconds() - c0) / 4);
  }
  return 2.0 * double(m * n * k) / best / 1e9;
}

// A sink that drops the stems a separator streams (as `split` writes them to files), keeping a
// little of them so the work stays observable.
class DiscardingSink : public separate::StemSink {
 public:
  int64_t frames = 0;
  double energy = 0.0;
  void write(const std::vector<AudioBuffer>& stems, int64_t, int64_t n) override {
    frames += n;
    energy += double(stems[0].channels[0][size_t(n / 2)]);
  }
};

}  // namespace midistems::bench
