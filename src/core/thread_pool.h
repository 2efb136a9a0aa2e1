#pragma once
// A fixed set of worker threads and a blocking parallel-for. Work is split into contiguous
// chunks, so results never depend on the thread count as long as each index is computed
// independently.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace midistems {

class ThreadPool {
 public:
  // threads <= 0 means one per hardware thread.
  explicit ThreadPool(int threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return int(workers_.size()) + 1; }
  // Calls body(begin, end) on disjoint sub-ranges covering [begin, end); the calling thread
  // takes part. Rethrows the first exception a chunk threw.
  void parallelFor(int64_t begin, int64_t end, const std::function<void(int64_t, int64_t)>& body);

 private:
  void workerLoop();

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::function<void(int)> job_;
  int jobChunks_ = 0;
  int nextChunk_ = 0;
  int finishedChunks_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
};

int hardwareThreads();

}  // namespace midistems
