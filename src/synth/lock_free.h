#pragma once
// Lock-free hand-offs between a control thread and the audio thread (the pattern of Vital's
// synth_base: small changes through a queue drained at the top of each block, big immutable data
// by pointer swap). Single producer, single consumer; no locks, no allocation after construction.
#include <array>
#include <atomic>
#include <cstddef>

namespace midistems::synth {

template <typename T, size_t Capacity>
class SpscQueue {
  static_assert((Capacity & (Capacity - 1)) == 0, "capacity must be a power of two");

 public:
  // Producer side. Returns false when full (the change is dropped; the caller may retry).
  bool push(const T& item) {
    const size_t head = head_.load(std::memory_order_relaxed);
    if (head - tail_.load(std::memory_order_acquire) >= Capacity) return false;
    items_[head & (Capacity - 1)] = item;
    head_.store(head + 1, std::memory_order_release);
    return true;
  }
  // Consumer side.
  bool pop(T& item) {
    const size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail == head_.load(std::memory_order_acquire)) return false;
    item = items_[tail & (Capacity - 1)];
    tail_.store(tail + 1, std::memory_order_release);
    return true;
  }

 private:
  std::array<T, Capacity> items_{};
  alignas(64) std::atomic<size_t> head_{0};
  alignas(64) std::atomic<size_t> tail_{0};
};

// Hands whole objects (e.g. a parsed preset) from one control thread to the audio thread. The
// control thread allocates and frees; the audio thread only swaps pointers and returns the
// object it took through a retire queue, so it never calls new or delete.
template <typename T>
class PointerHandoff {
 public:
  ~PointerHandoff() {
    collect();
    delete pending_.exchange(nullptr);
  }
  // Control thread: publish `object` (owned from now on); frees anything the audio thread retired.
  void publish(T* object) {
    collect();
    delete pending_.exchange(object, std::memory_order_acq_rel);  // never taken: safe to free
  }
  // Control thread: frees objects the audio thread is done with.
  void collect() {
    T* done = nullptr;
    while (retired_.pop(done)) delete done;
  }
  // Audio thread: the newest published object, or nullptr. Give it back with retire().
  T* take() { return pending_.exchange(nullptr, std::memory_order_acq_rel); }
  // Audio thread. At most one object per publish() is ever retired, and publish() collects
  // first, so the queue cannot overflow in practice; if it ever did, the object leaks rather than
  // being freed on the audio thread.
  void retire(T* object) { retired_.push(object); }

 private:
  std::atomic<T*> pending_{nullptr};
  SpscQueue<T*, 16> retired_;
};

}  // namespace midistems::synth
