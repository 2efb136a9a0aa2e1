#include "core/thread_pool.h"

#include <algorithm>
#include <exception>

namespace midistems {

int hardwareThreads() { return std::max(1u, std::thread::hardware_concurrency()); }

ThreadPool::ThreadPool(int threads) {
  if (threads <= 0) threads = hardwareThreads();
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { workerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::workerLoop() {
  uint64_t seen = 0;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || (generation_ != seen && nextChunk_ < jobChunks_); });
    if (stop_) return;
    while (nextChunk_ < jobChunks_) {
      const int chunk = nextChunk_++;
      lock.unlock();
      job_(chunk);
      lock.lock();
      if (++finishedChunks_ == jobChunks_) done_.notify_all();
    }
    seen = generation_;
  }
}

void ThreadPool::parallelFor(int64_t begin, int64_t end,
                             const std::function<void(int64_t, int64_t)>& body) {
  const int64_t n = end - begin;
  if (n <= 0) return;
  const int chunks = int(std::min<int64_t>(n, size()));
  if (chunks == 1) {
    body(begin, end);
    return;
  }
  std::exception_ptr error;
  std::mutex errorMutex;
  auto run = [&](int chunk) {
    const int64_t lo = begin + n * chunk / chunks;
    const int64_t hi = begin + n * (chunk + 1) / chunks;
    try {
      body(lo, hi);
    } catch (...) {
      std::lock_guard<std::mutex> g(errorMutex);
      if (!error) error = std::current_exception();
    }
  };
  std::unique_lock<std::mutex> lock(mutex_);
  job_ = run;
  jobChunks_ = chunks;
  nextChunk_ = 0;
  finishedChunks_ = 0;
  ++generation_;
  wake_.notify_all();
  while (nextChunk_ < jobChunks_) {
    const int chunk = nextChunk_++;
    lock.unlock();
    run(chunk);
    lock.lock();
    if (++finishedChunks_ == jobChunks_) done_.notify_all();
  }
  done_.wait(lock, [&] { return finishedChunks_ == jobChunks_; });
  job_ = nullptr;
  jobChunks_ = 0;
  lock.unlock();
  if (error) std::rethrow_exception(error);
}

}  // namespace midistems
