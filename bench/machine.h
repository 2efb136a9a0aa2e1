#pragma once
// What every benchmark prints first: the CPU it ran on and the instruction-set level its kernels
// ran at (core/cpu_isa.h; $MIDISTEMS_ISA lowers it), so that each figure in BENCHMARKS.md can say
// both.
#include <benchmark/benchmark.h>

#include <cstdio>

#include "core/cpu_isa.h"

namespace midistems::bench {

inline void printMachine() { std::printf("machine: %s\n", cpuDescription().c_str()); }

// main() of a Google Benchmark program, with the same line in its context header.
inline int runGoogleBenchmarks(int argc, char** argv) {
  benchmark::AddCustomContext("machine", cpuDescription());
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace midistems::bench
