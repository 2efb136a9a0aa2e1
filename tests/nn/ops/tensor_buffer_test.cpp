// Large tensor buffers: a freed mapping is handed out again for the next request of the same
// length, so writing it again costs no page faults (a fresh mapping costs one per page, or per
// 2 MiB huge page, and the kernel zeroes each page first). The kernel often maps a fresh region
// at the address just freed, so the pointer alone would not tell; the page-fault count does.
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <cstring>

#include "nn/ops/tensor.h"

namespace midistems::nn {
namespace {

long minorFaults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

// Page faults taken while writing a freshly allocated buffer of `bytes` (freed afterwards).
long faultsToFill(std::size_t bytes) {
  void* p = allocateBuffer(bytes);
  const long before = minorFaults();
  std::memset(p, 1, bytes);
  const long faults = minorFaults() - before;
  freeBuffer(p, bytes);
  return faults;
}

TEST(TensorBuffers, FreedLargeBufferIsReusedWithoutPageFaults) {
  constexpr std::size_t kBytes = std::size_t(24) << 20;
  const long first = faultsToFill(kBytes);
  EXPECT_GE(first, 12) << "a fresh 24 MiB mapping takes at least one fault per 2 MiB";
  EXPECT_LE(faultsToFill(kBytes), 2) << "the freed mapping was not reused";
  // Another length is a new mapping; the kept one still serves its own length afterwards.
  EXPECT_GE(faultsToFill(kBytes + (std::size_t(4) << 20)), 12);
  EXPECT_LE(faultsToFill(kBytes), 2);
}

TEST(TensorBuffers, TensorsOfTheSameShapeReuseTheMemoryOneAfterAnother) {
  { Tensor warm({4, 1 << 20}, 0.0f); }  // 16 MiB, touched, then freed
  const long before = minorFaults();
  Tensor t({4, 1 << 20}, 1.0f);
  EXPECT_LE(minorFaults() - before, 2);
  EXPECT_EQ(t[12345], 1.0f);
}

}  // namespace
}  // namespace midistems::nn
