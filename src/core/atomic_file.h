#pragma once
// Never leave a half-written output: write to a hidden temporary name beside the target and rename
// it into place only when everything succeeded. A destroyed, uncommitted AtomicFile removes its
// temporary file; a new AtomicFile for the same target removes temporaries that a killed process
// left behind (its process gone, the file untouched for ten minutes).
#include <filesystem>

namespace midistems {

class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path target);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::filesystem::path& tempPath() const { return temp_; }
  const std::filesystem::path& targetPath() const { return target_; }
  // Renames the temporary file onto the target. Throws midistems::Error on failure.
  void commit();
  bool committed() const { return committed_; }

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  bool committed_ = false;
};

// Writes bytes to `target` atomically.
void writeFileAtomically(const std::filesystem::path& target, const void* data, size_t size);

}  // namespace midistems
