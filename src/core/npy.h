#pragma once
// Reader for NumPy .npy files (little-endian float32/float64/int32/int64, C order), used for the
// reference tensors in the parity fixtures. Values are converted to float.
#include <cstdint>
#include <filesystem>
#include <vector>

namespace midistems {

struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<float> data;
  int64_t size() const;
};

NpyArray readNpy(const std::filesystem::path& path);
// Reads a raw little-endian float32 file.
std::vector<float> readRawFloat32(const std::filesystem::path& path);

}  // namespace midistems
