#pragma once
// The instruction-set level the hot loops run at, chosen once per process.
//
// Midistems is built for a baseline x86-64 level (x86-64-v3: AVX2, FMA, BMI2, by default; see
// README.md) so that one binary runs on every CPU of that level. Kernels that gain from wider
// vectors are compiled a second time for x86-64-v4 (AVX-512 F/BW/DQ/VL, see
// cmake/IsaKernels.cmake) and chosen at run time: the best level the CPU supports, lowered by
// $MIDISTEMS_ISA (`baseline`, `avx2` or `avx512`) so that any machine can measure the lower paths.
#include <string>
#include <string_view>

namespace midistems {

enum class IsaLevel {
  Baseline = 0,  // the build's own flags (x86-64-v3 unless configured otherwise): AVX2 + FMA
  Avx512 = 1,    // x86-64-v4: AVX-512 F, BW, CD, DQ, VL
};

// "baseline" or "avx512".
const char* isaLevelName(IsaLevel level);
// The level a value of $MIDISTEMS_ISA asks for ("avx2" is the baseline level). Throws
// midistems::Error for any other value.
IsaLevel parseIsaLevel(std::string_view text);

// The best level this CPU and operating system support.
IsaLevel supportedIsaLevel();
// supportedIsaLevel(), lowered to $MIDISTEMS_ISA when that is set; read once, on first use.
// A request above what the CPU supports is lowered to what it supports (the benchmarks print the
// level they ran at). An unknown value throws midistems::Error on first use.
IsaLevel activeIsaLevel();

// The CPU's model name (from /proc/cpuinfo; "unknown CPU" when unreadable) and a line that names
// it with the level in use and what the CPU supports, for benchmarks and `midistems --version`.
std::string cpuModelName();
std::string cpuDescription();

}  // namespace midistems
