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

float elementAsFloat(pickle::DType dtype, const uint8_t* p) {
  using pickle::DType;
  switch (dtype) {
    case DType::F16: return halfToFloat(loadLe<uint16_t>(p));
    case DType::BF16: return bfloat16ToFloat(loadLe<uint16_t>(p));
    case DType::F32: return loadLe<float>(p);
    case DType::F64: return float(loadLe<double>(p));
    case DType::I64: return float(loadLe<int64_t>(p));
    case DType::I32: return float(loadLe<int32_t>(p));
    case DType::I16: return float(loadLe<int16_t>(p));
    case DType::I8: return float(int8_t(*p));
    case DType::U8: return float(*p);
    case DType::Bool: return *p ? 1.0f : 0.0f;
  }
  return 0;
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
  const int64_t numel = checkedNumel(sizes, INT64_MAX);
  std::vector<float> out(size_t(numel > 0 ? numel : 0));
  if (numel <= 0) return out;
  const size_t elem = pickle::dtypeSize(dtype);
  // Row-major contiguous views (the usual case) convert in one sweep.
  bool contiguous = true;
  int64_t expected = 1;
  for (size_t d = sizes.size(); d-- > 0;) {
    if (sizes[d] != 1 && strides[d] != expected) contiguous = false;
    expected *= sizes[d];
  }
  if (contiguous) {
    const uint8_t* p = storage + size_t(offset) * elem;
    for (int64_t i = 0; i < numel; ++i) out[size_t(i)] = elementAsFloat(dtype, p + size_t(i) * elem);
    return out;
  }
  // General strided view: walk a multi-index in row-major order.
  std::vector<int64_t> index(sizes.size(), 0);
  int64_t position = offset;
  for (int64_t i = 0; i < numel; ++i) {
    out[size_t(i)] = elementAsFloat(dtype, storage + size_t(position) * elem);
    for (size_t d = sizes.size(); d-- > 0;) {
      if (++index[d] < sizes[d]) {
        position += strides[d];
        break;
      }
      position -= strides[d] * (sizes[d] - 1);
      index[d] = 0;
    }
  }
  return out;
}

}  // namespace midistems::nn::checkpoint_detail
