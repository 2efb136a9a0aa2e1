#pragma once
// Thread count for every operation in nn/ops. oneDNN runs on OpenMP, so our own loops do too:
// one runtime, no oversubscription. Inside parallelFor each task calls oneDNN single-threaded;
// outside it a large GEMM spreads over setThreads() threads.
#include <cstdint>
#include <functional>

namespace midistems::nn {

// n <= 0: one thread per hardware thread. Applies to the calling thread's later operations.
void setThreads(int n);
int threads();

// Calls body(i) for every i in [0, count), split over threads() threads in contiguous ranges.
// Each index must be computed independently, so results never depend on the thread count.
void parallelFor(int64_t count, const std::function<void(int64_t)>& body);

}  // namespace midistems::nn
