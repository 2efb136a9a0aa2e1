#pragma once
// SHA-256 (FIPS 180-4), small and dependency-free, for checking downloaded model files against
// the hash prefixes published with them.
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace midistems::separate {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  // Lower-case hexadecimal digest; the object must not be updated afterwards.
  std::string hexDigest();

 private:
  void compress(const uint8_t* block);
  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t totalBytes_ = 0;
};

std::string sha256Hex(const void* data, size_t size);
// Hashes a file in chunks; throws midistems::Error naming the file when it cannot be read.
std::string sha256File(const std::filesystem::path& path);

}  // namespace midistems::separate
