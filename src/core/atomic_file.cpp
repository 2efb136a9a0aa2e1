#include "core/atomic_file.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <system_error>

#include "core/error.h"

namespace midistems {

namespace fs = std::filesystem;

namespace {

// Temporaries of `target` left by a process that was killed before it could remove them (a large
// download interrupted with Ctrl-C, a crash): those whose process is gone and which nobody has
// written for ten minutes (a writer on another machine sharing the folder keeps its file fresh).
void removeStaleTemporaries(const fs::path& dir, const fs::path& target) {
  const std::string prefix = "." + target.filename().string() + ".partial-";
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return;
  const auto now = fs::file_time_type::clock::now();
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    if (pid <= 0 || pid == ::getpid() || ::kill(pid_t(pid), 0) == 0 || errno != ESRCH) continue;
    const auto written = fs::last_write_time(entry.path(), ec);
    if (ec || now - written < std::chrono::minutes(10)) continue;
    fs::remove(entry.path(), ec);
  }
}

}  // namespace

AtomicFile::AtomicFile(fs::path target) : target_(std::move(target)) {
  static std::atomic<unsigned> counter{0};
  fs::path dir = target_.has_parent_path() ? target_.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw Error(target_.string() + ": output folder does not exist");
  removeStaleTemporaries(dir, target_);
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
