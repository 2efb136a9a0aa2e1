#include "nn/checkpoint/convert.h"

#include <cmath>
#include <cstring>

namespace midistems::nn::checkpoint_detail {
namespace {

template <typename T>
T loadLe(const uint8_t* p) {
  // Storages are little-endian, as is every machine Midistems builds for.
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// Every float16 value as float32, indexed by its bit pattern (256 KiB, built on first use): one
// load per element instead of a branchy decode.
const float* halfTable() {
  static const std::vector<float> table = [] {
    std::vector<float> t(65536);
    for (uint32_t bits = 0; bits < 65536; ++bits) t[bits] = halfToFloat(uint16_t(bits));
    return t;
  }();
  return table.data();
}

template <pickle::DType kType>
float elementAsFloat(const uint8_t* p, const float* half) {
  using pickle::DType;
  if constexpr (kType == DType::F16) return half[loadLe<uint16_t>(p)];
  else if constexpr (kType == DType::BF16) return bfloat16ToFloat(loadLe<uint16_t>(p));
  else if constexpr (kType == DType::F32) return loadLe<float>(p);
  else if constexpr (kType == DType::F64) return float(loadLe<double>(p));
  else if constexpr (kType == DType::I64) return float(loadLe<int64_t>(p));
  else if constexpr (kType == DType::I32) return float(loadLe<int32_t>(p));
  else if constexpr (kType == DType::I16) return float(loadLe<int16_t>(p));
  else if constexpr (kType == DType::I8) return float(int8_t(*p));
  else if constexpr (kType == DType::U8) return float(*p);
  else return *p ? 1.0f : 0.0f;
}

// Converts one strided view with the element type fixed at compile time, so the inner loops
// carry no per-element dispatch.
template <pickle::DType kType>
void gatherTyped(const uint8_t* storage, int64_t offset, const std::vector<int64_t>& sizes,
                 const std::vector<int64_t>& strides, float* out, int64_t numel) {
  constexpr size_t kElem = kType == pickle::DType::F64 || kType == pickle::DType::I64   ? 8
                           : kType == pickle::DType::F32 || kType == pickle::DType::I32 ? 4
                           : kType == pickle::DType::F16 || kType == pickle::DType::BF16 ||
                                   kType == pickle::DType::I16
                               ? 2
                               : 1;
  const float* half = kType == pickle::DType::F16 ? halfTable() : nullptr;
  // Row-major contiguous views (the usual case) convert in one sweep.
  bool contiguous = true;
  int64_t expected = 1;
  for (size_t d = sizes.size(); d-- > 0;) {
    if (sizes[d] != 1 && strides[d] != expected) contiguous = false;
    expected *= sizes[d];
  }
  if (contiguous) {
    const uint8_t* p = storage + size_t(offset) * kElem;
    for (int64_t i = 0; i < numel; ++i) out[i] = elementAsFloat<kType>(p + size_t(i) * kElem, half);
    return;
  }
  // General strided view: walk a multi-index in row-major order.
  std::vector<int64_t> index(sizes.size(), 0);
  int64_t position = offset;
  for (int64_t i = 0; i < numel; ++i) {
    out[i] = elementAsFloat<kType>(storage + size_t(position) * kElem, half);
    for (size_t d = sizes.size(); d-- > 0;) {
      if (++index[d] < sizes[d]) {
        position += strides[d];
        break;
      }
      position -= strides[d] * (sizes[d] - 1);
      index[d] = 0;
    }
  }
}

}  // namespace

float halfToFloat(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000) << 16;
  const uint32_t exponent = (h >> 10) & 0x1f;
  const uint32_t mantissa = h & 0x3ff;
  uint32_t bits;
  if (exponent == 0) {
    // Zero or subnormal: mantissa * 2^-24, exact in float32.
    const float magnitude = std::ldexp(float(mantissa), -24);
    return sign ? -magnitude : magnitude;
  } else if (exponent == 31) {
    bits = sign | 0x7f800000u | (mantissa << 13);  // inf / NaN (payload kept)
  } else {
    bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

float bfloat16ToFloat(uint16_t b) {
  const uint32_t bits = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

int64_t checkedNumel(const std::vector<int64_t>& sizes, int64_t limit) {
  int64_t n = 1;
  for (int64_t d : sizes) {
    if (d < 0) return -1;
    if (d == 0) return 0;
  }
  for (int64_t d : sizes) {
    if (n > limit / d) return -1;
    n *= d;
  }
  return n <= limit ? n : -1;
}

std::vector<float> gatherAsFloat(pickle::DType dtype, const uint8_t* storage, int64_t offset,
                                 const std::vector<int64_t>& sizes,
                                 const std::vector<int64_t>& strides) {
  using pickle::DType;
  const int64_t numel = checkedNumel(sizes, INT64_MAX);
  std::vector<float> out(size_t(numel > 0 ? numel : 0));
  if (numel <= 0) return out;
  float* o = out.data();
  switch (dtype) {
    case DType::F16: gatherTyped<DType::F16>(storage, offset, sizes, strides, o, numel); break;
    case DType::BF16: gatherTyped<DType::BF16>(storage, offset, sizes, strides, o, numel); break;
    case DType::F32: gatherTyped<DType::F32>(storage, offset, sizes, strides, o, numel); break;
    case DType::F64: gatherTyped<DType::F64>(storage, offset, sizes, strides, o, numel); break;
    case DType::I64: gatherTyped<DType::I64>(storage, offset, sizes, strides, o, numel); break;
    case DType::I32: gatherTyped<DType::I32>(storage, offset, sizes, strides, o, numel); break;
    case DType::I16: gatherTyped<DType::I16>(storage, offset, sizes, strides, o, numel); break;
    case DType::I8: gatherTyped<DType::I8>(storage, offset, sizes, strides, o, numel); break;
    case DType::U8: gatherTyped<DType::U8>(storage, offset, sizes, strides, o, numel); break;
    case DType::Bool: gatherTyped<DType::Bool>(storage, offset, sizes, strides, o, numel); break;
  }
  return out;
}

}  // namespace midistems::nn::checkpoint_detail
