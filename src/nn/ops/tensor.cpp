#include "nn/ops/tensor.h"

#include <sys/mman.h>

#include <cstdlib>
#include <new>
#include <sstream>

namespace midistems::nn {
namespace {

constexpr std::size_t kMapThreshold = std::size_t(4) << 20;
constexpr std::size_t kAlignment = 64;

std::size_t roundUp(std::size_t bytes, std::size_t to) { return (bytes + to - 1) / to * to; }

}  // namespace

void* allocateBuffer(std::size_t bytes) {
  if (bytes >= kMapThreshold) {
    const std::size_t length = roundUp(bytes, std::size_t(4096));
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
  if (bytes >= kMapThreshold)
    munmap(p, roundUp(bytes, std::size_t(4096)));
  else
    std::free(p);
}

std::string shapeToString(const std::vector<int64_t>& shape) {
  std::ostringstream s;
  s << '(';
  for (size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
  s << (shape.size() == 1 ? ",)" : ")");
  return s.str();
}

}  // namespace midistems::nn
