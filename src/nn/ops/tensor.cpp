#include "nn/ops/tensor.h"

#include <sys/mman.h>

#include <cstdlib>
#include <mutex>
#include <utility>
#include <new>
#include <sstream>

namespace midistems::nn {
namespace {

constexpr std::size_t kMapThreshold = std::size_t(4) << 20;
constexpr std::size_t kAlignment = 64;

std::size_t roundUp(std::size_t bytes, std::size_t to) { return (bytes + to - 1) / to * to; }

}  // namespace

namespace {

// Large buffers are mapped from the system directly (and given back when freed, so a long song
// never holds more than it uses), but a model's forward pass frees and maps again buffers of the
// same few sizes on every segment, and every fresh mapping costs page faults and the kernel
// zeroing its pages (15 % of an HTDemucs segment's CPU time). So the most recently freed mappings,
// up to kCacheBytes in all, are kept and handed out again for a request of the same length.
constexpr std::size_t kCacheBytes = std::size_t(256) << 20;
constexpr int kCacheSlots = 16;

struct MappingCache {
  std::mutex mutex;
  void* pointers[kCacheSlots] = {};
  std::size_t lengths[kCacheSlots] = {};
  std::size_t total = 0;

  void* take(std::size_t length) {
    std::lock_guard<std::mutex> lock(mutex);
    for (int i = 0; i < kCacheSlots; ++i)
      if (pointers[i] && lengths[i] == length) {
        void* p = pointers[i];
        pointers[i] = nullptr;
        total -= length;
        return p;
      }
    return nullptr;
  }
  // Keeps a mapping, giving back older ones to make room; false when it cannot be kept.
  bool keep(void* p, std::size_t length) {
    if (length > kCacheBytes) return false;
    std::lock_guard<std::mutex> lock(mutex);
    while (total + length > kCacheBytes || !freeSlot()) evictOne();
    const int slot = freeSlotIndex();
    pointers[slot] = p;
    lengths[slot] = length;
    total += length;
    // Roughly oldest first: the new one moves behind the kept ones, and eviction takes the front.
    for (int i = slot; i + 1 < kCacheSlots && pointers[i + 1]; ++i) {
      std::swap(pointers[i], pointers[i + 1]);
      std::swap(lengths[i], lengths[i + 1]);
    }
    return true;
  }

 private:
  bool freeSlot() const { return freeSlotIndex() >= 0; }
  int freeSlotIndex() const {
    for (int i = 0; i < kCacheSlots; ++i)
      if (!pointers[i]) return i;
    return -1;
  }
  void evictOne() {
    for (int i = 0; i < kCacheSlots; ++i)
      if (pointers[i]) {
        munmap(pointers[i], lengths[i]);
        total -= lengths[i];
        pointers[i] = nullptr;
        return;
      }
  }
};

MappingCache& mappingCache() {
  static MappingCache cache;
  return cache;
}

}  // namespace

void* allocateBuffer(std::size_t bytes) {
  if (bytes >= kMapThreshold) {
    const std::size_t length = roundUp(bytes, std::size_t(4096));
    if (void* cached = mappingCache().take(length)) return cached;
    void* p = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    madvise(p, length, MADV_HUGEPAGE);  // fewer page faults on first touch
#endif
    return p;
  }
  void* p = std::aligned_alloc(kAlignment, roundUp(bytes == 0 ? 1 : bytes, kAlignment));
  if (!p) throw std::bad_alloc();
  return p;
}

void freeBuffer(void* p, std::size_t bytes) noexcept {
  if (!p) return;
  if (bytes >= kMapThreshold) {
    const std::size_t length = roundUp(bytes, std::size_t(4096));
    if (!mappingCache().keep(p, length)) munmap(p, length);
  } else {
    std::free(p);
  }
}

std::string shapeToString(const std::vector<int64_t>& shape) {
  std::ostringstream s;
  s << '(';
  for (size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
  s << (shape.size() == 1 ? ",)" : ")");
  return s.str();
}

}  // namespace midistems::nn
