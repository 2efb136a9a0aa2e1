#pragma once
// Element conversion shared by the checkpoint readers: storages of any torch element type become
// float32. float16 and bfloat16 convert exactly (every value of both is a float32 value); float64
// and integers round to the nearest float32.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "nn/checkpoint/pickle.h"

namespace midistems::nn::checkpoint_detail {

float halfToFloat(uint16_t bits);
float bfloat16ToFloat(uint16_t bits);

// Gathers a strided view (`sizes`, `strides` in elements, starting at element `offset`) of a
// little-endian storage into a row-major float32 vector. The caller has checked the bounds.
std::vector<float> gatherAsFloat(pickle::DType dtype, const uint8_t* storage, int64_t offset,
                                 const std::vector<int64_t>& sizes,
                                 const std::vector<int64_t>& strides);

// Number of elements of `sizes`, or -1 when it exceeds `limit` (also on overflow).
int64_t checkedNumel(const std::vector<int64_t>& sizes, int64_t limit);

}  // namespace midistems::nn::checkpoint_detail
