#include "nn/ops/parallel.h"

#include <omp.h>

#include <exception>
#include <mutex>
#include <thread>

namespace midistems::nn {

void setThreads(int n) {
  if (n <= 0) n = int(std::max(1u, std::thread::hardware_concurrency()));
  omp_set_num_threads(n);
}

int threads() { return omp_get_max_threads(); }

void parallelFor(int64_t count, const std::function<void(int64_t)>& body) {
  if (count <= 0) return;
  if (count == 1 || omp_get_max_threads() == 1 || omp_in_parallel()) {
    for (int64_t i = 0; i < count; ++i) body(i);
    return;
  }
  std::exception_ptr failure;
  std::mutex failureMutex;
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t i = 0; i < count; ++i) {
    try {
      body(i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(failureMutex);
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace midistems::nn
