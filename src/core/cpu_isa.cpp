#include "core/cpu_isa.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <unistd.h>

#include "core/error.h"

#ifndef MIDISTEMS_BASELINE_ARCH
#define MIDISTEMS_BASELINE_ARCH "the compiler's default"
#endif

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && defined(__AVX2__)
// Every file is compiled for the baseline level: on an older CPU the first AVX2 instruction would
// end the process with SIGILL and no word why. This runs before any other static constructor of
// the program, compiled for plain x86-64 so that it can run on any CPU, and says what is missing.
__attribute__((constructor(101), target("arch=x86-64"))) static void requireBaselineCpu() {
  __builtin_cpu_init();
  bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2");
#if defined(__AVX512F__)
  ok = ok && __builtin_cpu_supports("avx512f");
#endif
  if (ok) return;
  static const char message[] =
      "midistems: error: this build needs a CPU with the instructions of " MIDISTEMS_BASELINE_ARCH
      " (AVX2, FMA, BMI2); configure with -DMIDISTEMS_BASELINE_ARCH=x86-64-v2 for this one\n";
  if (::write(2, message, sizeof message - 1) < 0) _exit(2);
  _exit(2);
}
#endif

namespace midistems {

const char* isaLevelName(IsaLevel level) { return level == IsaLevel::Avx512 ? "avx512" : "baseline"; }

IsaLevel parseIsaLevel(std::string_view text) {
  if (text == "baseline" || text == "avx2") return IsaLevel::Baseline;
  if (text == "avx512") return IsaLevel::Avx512;
  throw Error("MIDISTEMS_ISA=" + std::string(text) + ": unknown instruction set level (use baseline, avx2 or avx512)");
}

IsaLevel supportedIsaLevel() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  // libgcc's CPU model also checks that the operating system saves the AVX-512 state (XCR0).
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512cd"))
    return IsaLevel::Avx512;
#endif
  return IsaLevel::Baseline;
}

namespace {

IsaLevel chooseIsaLevel() {
  const IsaLevel supported = supportedIsaLevel();
  const char* requested = std::getenv("MIDISTEMS_ISA");
  if (!requested || !*requested) return supported;
  const IsaLevel wanted = parseIsaLevel(requested);
  return wanted < supported ? wanted : supported;
}

}  // namespace

IsaLevel activeIsaLevel() {
  static const IsaLevel level = chooseIsaLevel();
  return level;
}

std::string cpuModelName() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) break;
    const auto begin = line.find_first_not_of(" \t", colon + 1);
    return begin == std::string::npos ? std::string("unknown CPU") : line.substr(begin);
  }
  return "unknown CPU";
}

std::string cpuDescription() {
  const IsaLevel active = activeIsaLevel(), supported = supportedIsaLevel();

  std::string text = cpuModelName() + "; kernels: " + isaLevelName(active);
  if (active == IsaLevel::Baseline) text += std::string(" (") + MIDISTEMS_BASELINE_ARCH + ")";
  text += "; CPU supports: ";
  if (supported == IsaLevel::Avx512) return text + "avx512";
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return text + "avx2";
#endif
  return text + "less than avx2";
}

}  // namespace midistems
