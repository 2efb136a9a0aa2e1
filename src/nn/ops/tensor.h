#pragma once
// A float32 tensor: a shape and one contiguous, 64-byte aligned, row-major (C order) buffer.
// Operations in this folder take raw pointers plus sizes so that they can work on slices of a
// tensor without copies; Tensor only owns memory and remembers its shape.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <utility>
#include <stdexcept>
#include <string>
#include <vector>

namespace midistems::nn {

// Buffers of 4 MiB and more are mapped from the system and unmapped when freed, so the large,
// differently sized activations of successive model calls never fragment the heap and the
// resident size stays at the true peak; smaller ones come from aligned_alloc.
void* allocateBuffer(std::size_t bytes);
void freeBuffer(void* p, std::size_t bytes) noexcept;

template <typename T>
struct AlignedAllocator {
  using value_type = T;
  static constexpr std::size_t kAlignment = 64;  // one cache line, one AVX-512 register
  AlignedAllocator() = default;
  template <typename U>
  AlignedAllocator(const AlignedAllocator<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(allocateBuffer(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { freeBuffer(p, n * sizeof(T)); }
  template <typename U>
  bool operator==(const AlignedAllocator<U>&) const { return true; }
  // Default-initialise (leave uninitialised) on resize: every tensor is written before it is read,
  // and zero-filling large buffers first would cost a full pass over memory.
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

using FloatVector = std::vector<float, AlignedAllocator<float>>;

class Tensor {
 public:
  Tensor() = default;
  // Contents uninitialised; use the (shape, fill) constructor for a filled tensor.
  explicit Tensor(std::vector<int64_t> shape) : shape_(std::move(shape)) { data_.resize(size_t(numelOf(shape_))); }
  Tensor(std::vector<int64_t> shape, float fill) : shape_(std::move(shape)) {
    data_.assign(size_t(numelOf(shape_)), fill);
  }

  const std::vector<int64_t>& shape() const { return shape_; }
  int64_t dim(int i) const { return shape_.at(size_t(i < 0 ? int(shape_.size()) + i : i)); }
  int rank() const { return int(shape_.size()); }
  int64_t numel() const { return int64_t(data_.size()); }
  float* data() { return data_.data(); }
  const float* data() const { return data_.data(); }
  float& operator[](int64_t i) { return data_[size_t(i)]; }
  float operator[](int64_t i) const { return data_[size_t(i)]; }

  // Changes the shape; keeps the buffer (and its capacity) when the element count allows it, so a
  // tensor reused as scratch space allocates only when it has to grow.
  void resize(std::vector<int64_t> shape) {
    shape_ = std::move(shape);
    data_.resize(size_t(numelOf(shape_)));
  }
  void reshape(std::vector<int64_t> shape) {
    if (numelOf(shape) != numel()) throw std::logic_error("Tensor::reshape: element count differs");
    shape_ = std::move(shape);
  }
  void release() {
    FloatVector().swap(data_);
    shape_.clear();
  }

  static int64_t numelOf(const std::vector<int64_t>& shape) {
    int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
  }

 private:
  std::vector<int64_t> shape_;
  FloatVector data_;
};

std::string shapeToString(const std::vector<int64_t>& shape);

}  // namespace midistems::nn
