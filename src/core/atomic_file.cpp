#include "core/atomic_file.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <system_error>

#include "core/error.h"

namespace midistems {

namespace fs = std::filesystem;

AtomicFile::AtomicFile(fs::path target) : target_(std::move(target)) {
  static std::atomic<unsigned> counter{0};
  fs::path dir = target_.has_parent_path() ? target_.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw Error(target_.string() + ": output folder does not exist");
  temp_ = dir / ("." + target_.filename().string() + ".partial-" + std::to_string(::getpid()) + "-" +
                 std::to_string(counter++));
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    std::error_code ec;
    fs::remove(temp_, ec);
  }
}

void AtomicFile::commit() {
  std::error_code ec;
  fs::rename(temp_, target_, ec);
  if (ec) throw Error(target_.string() + ": cannot write output (" + ec.message() + ")");
  committed_ = true;
}

void writeFileAtomically(const fs::path& target, const void* data, size_t size) {
  AtomicFile file(target);
  {
    std::ofstream out(file.tempPath(), std::ios::binary | std::ios::trunc);
    if (!out) throw Error(target.string() + ": cannot open for writing");
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.flush();
    if (!out) throw Error(target.string() + ": write failed (disk full?)");
  }
  file.commit();
}

}  // namespace midistems
